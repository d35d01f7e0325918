"""Process-wide test settings; they must be in place before Qt or pyopencl load."""

import os

# No screen in CI or on most dev boxes: Qt renders offscreen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Same default as the app (app.environment): leave a core for the test runner and Qt.
os.environ.setdefault("POCL_MAX_PTHREAD_COUNT", str(max(1, (os.cpu_count() or 2) - 1)))
