"""The engine and OpenCL layers never import Qt, the GUI packages or the app (DESIGN.md)."""

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN = ("PySide6", "shiboken6", "pyqtgraph", "app", "ui")

CHECK = f"""
import sys
import engine, opencl, engine.linalg
engine.devices()
loaded = sorted(m for m in {FORBIDDEN!r} if m in sys.modules)
print("LOADED=" + ",".join(loaded))
"""

# An import of a forbidden package, at any indentation (lazy imports count too).
IMPORT_RE = re.compile(
    r"^\s*(?:import\s+(?:PySide6|shiboken6|pyqtgraph|app|ui)\b"
    r"|from\s+(?:PySide6|shiboken6|pyqtgraph|app|ui)\b[\w.]*\s+import\b)",
    re.MULTILINE,
)


def test_engine_import_loads_no_gui_module():
    proc = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert "LOADED=\n" in proc.stdout, proc.stdout


def test_engine_and_opencl_sources_import_no_gui_module():
    offenders = []
    for package in ("engine", "opencl"):
        for path in sorted((REPO / package).rglob("*.py")):
            for match in IMPORT_RE.finditer(path.read_text(encoding="utf-8")):
                offenders.append(f"{path.relative_to(REPO)}: {match.group(0).strip()}")
    assert not offenders, "engine/opencl must not import Qt or the GUI:\n" + "\n".join(offenders)
