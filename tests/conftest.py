"""Process-wide test settings; they must be in place before Qt or pyopencl load."""

import os

# No screen in CI or on most dev boxes: Qt renders offscreen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Same default as the app (app.environment): leave a core for the test runner and Qt.
os.environ.setdefault("POCL_MAX_PTHREAD_COUNT", str(max(1, (os.cpu_count() or 2) - 1)))
# Settings, autosave and recovery files go to a throw-away home for the test session,
# never into the user's real folders.
import tempfile  # noqa: E402

_home = tempfile.mkdtemp(prefix="mnlab-tests-")
for _var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
    os.environ[_var] = os.path.join(_home, _var.lower())
