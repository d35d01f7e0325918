"""Process settings that must be in place before pyopencl or Qt load."""

import os


def default_pocl_threads() -> int:
    """PoCL's worker-thread count for the app: every core but one, at least one."""
    return max(1, (os.cpu_count() or 2) - 1)


def prepare_environment() -> None:
    """Set environment defaults for the GUI; a value the user exported wins.

    PoCL reads POCL_MAX_PTHREAD_COUNT when pyopencl first loads the platform, so this
    must run before anything imports pyopencl. Leaving one core free keeps the GUI
    responsive while a kernel saturates the CPU device.
    """
    os.environ.setdefault("POCL_MAX_PTHREAD_COUNT", str(default_pocl_threads()))


def use_offscreen_if_headless() -> None:
    """Render offscreen when there is no display to open (e.g. --screenshot over SSH/CI)."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
