"""Process-wide OpenCL settings that must be in place before pyopencl loads a platform."""

import os
from pathlib import Path


def user_cache_dir() -> Path:
    """The per-user cache folder of the lab (XDG_CACHE_HOME respected)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mnlab"


def configure() -> None:
    """Keep PoCL's compiled kernels between runs so a second launch compiles nothing.

    Only defaults are set: a value the user exported wins.
    """
    cache = user_cache_dir() / "pocl"
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # a read-only home still runs, it just recompiles
    os.environ.setdefault("POCL_CACHE_DIR", str(cache))
