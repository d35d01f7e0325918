"""Exceptions of the OpenCL runtime, each carrying a sentence a person can act on."""


class OpenCLError(RuntimeError):
    """Base class for every error the OpenCL runtime raises."""


class KernelBuildError(OpenCLError):
    """A kernel source failed to compile; ``log`` holds the compiler's output."""

    def __init__(self, filename: str, device: str, options: list[str], log: str):
        self.filename = filename
        self.device = device
        self.options = list(options)
        self.log = log
        super().__init__(
            f"Building the OpenCL program {filename} for {device} failed "
            f"(options: {' '.join(options) or 'none'}). Compiler log:\n{log.strip()}"
        )


class BufferTooLargeError(OpenCLError, MemoryError):
    """A buffer larger than the device can allocate in one piece was requested."""

    def __init__(self, nbytes: int, limit: int, device: str):
        self.nbytes = nbytes
        self.limit = limit
        super().__init__(
            f"A buffer of {_human(nbytes)} does not fit on {device}: its largest single "
            f"allocation is {_human(limit)}. Use smaller matrices or another device."
        )


class NoOpenCLPlatformError(OpenCLError):
    """No OpenCL platform or device could be found on this machine."""


class DeviceNotFoundError(OpenCLError, LookupError):
    """A device was asked for by a name or index that matches none."""


def _human(nbytes: int) -> str:
    units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
    value = float(nbytes)
    for unit in units:
        if value < 1024 or unit == units[-1]:
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{nbytes} bytes"
