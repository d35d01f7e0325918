"""OpenCL device runtime: discovery, choice, one context and queue per device,
programs built from the .cl files in ``opencl/kernels`` and cached per device.

Never imports Qt. ``engine`` builds on it; nothing here knows about layers or matrices.
"""

from . import environment as _environment

_environment.configure()

from .errors import (  # noqa: E402
    BufferTooLargeError,
    DeviceNotFoundError,
    KernelBuildError,
    NoOpenCLPlatformError,
    OpenCLError,
)
from .runtime import ClDevice, choose_device, discover  # noqa: E402

__all__ = [
    "BufferTooLargeError",
    "ClDevice",
    "DeviceNotFoundError",
    "KernelBuildError",
    "NoOpenCLPlatformError",
    "OpenCLError",
    "choose_device",
    "discover",
]
