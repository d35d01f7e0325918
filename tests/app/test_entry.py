"""The console entry point: headless commands never load Qt."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

HEADLESS = """
import sys
from app.entry import main
rc = main(["devices"])
loaded = sorted(m for m in ("PySide6", "shiboken6", "pyqtgraph", "ui") if m in sys.modules)
print("QT_MODULES=" + ",".join(loaded))
sys.exit(rc)
"""


def test_devices_command_runs_without_qt():
    proc = subprocess.run(
        [sys.executable, "-c", HEADLESS], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert "QT_MODULES=\n" in proc.stdout, proc.stdout + proc.stderr
    # Until engine.cli lands the command explains itself and exits 2; after, it succeeds.
    if proc.returncode == 2:
        assert "engine.cli" in proc.stderr
    else:
        assert proc.returncode == 0, proc.stderr


def test_gui_flags_are_documented(capsys):
    from app.entry import main

    try:
        main(["--help"])
    except SystemExit as exc:
        assert exc.code == 0
    out = capsys.readouterr().out
    assert "--screenshot" in out and "--device" in out
