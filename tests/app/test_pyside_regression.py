"""Guard against PySide6 6.12.0, which aborts Python 3.11 after thousands of bool-setter calls.

pyqtgraph calls setters like QPen.setCosmetic(True) on every repaint, so the bug kills
the app within minutes of live plotting. pyproject.toml excludes 6.12.0; this test
catches any other release with the same refcount fault. It runs in a subprocess
because the failure is an abort, which would take pytest down with it.
"""

import os
import subprocess
import sys

CALLS = 20_000

SCRIPT = f"""
from PySide6.QtGui import QAction, QFont, QGuiApplication, QPen

app = QGuiApplication([])
action = QAction("x")
for i in range({CALLS}):
    pen = QPen()
    pen.setCosmetic(True)
    font = QFont()
    font.setBold(True)
    font.setItalic(i % 2 == 0)
    action.setCheckable(True)
    action.setChecked(i % 2 == 0)
    action.setEnabled(True)
print("done")
"""


def test_many_bool_setter_calls_do_not_abort():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr[-2000:]}"
    assert proc.stdout.strip().endswith("done")
