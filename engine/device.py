"""The devices the engine computes on: every OpenCL device plus the numpy reference.

``devices()``, ``use_device()`` and ``current_device()`` are the public face; each Device
hands out one backend per dtype (the object that owns buffers and runs kernels).
"""

from __future__ import annotations

import os
import threading
import warnings

import numpy as np

from .errors import DeviceError

NUMPY_NAME = "numpy"


class Device:
    """A place to compute: an OpenCL device, or the numpy reference (``kind == "numpy"``)."""

    def __init__(self, name: str, platform: str, kind: str, fp64: bool, cl_device=None):
        self.name = name
        self.platform = platform
        self.kind = kind
        self.fp64 = fp64
        self.cl = cl_device
        self._backends: dict = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<Device {self.name!r} ({self.kind}, {'fp64' if self.fp64 else 'fp32 only'})>"

    @property
    def simulator(self) -> bool:
        """True for a simulated OpenCL device (Oclgrind): for checking kernels only."""
        return self.kind == "simulator"

    def describe(self) -> str:
        """One line for a status bar: name, kind and precision."""
        precision = "fp32 + fp64" if self.fp64 else "fp32 only"
        where = "reference, no OpenCL" if self.kind == "numpy" else self.kind.upper()
        return f"{self.name} ({where}, {precision})"

    def backend(self, dtype=np.float32):
        """The backend computing in ``dtype`` on this device (one per dtype, reused)."""
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"The engine computes in float32 or float64, not {dtype}.")
        if dtype == np.float64 and not self.fp64:
            raise DeviceError(
                f"{self.name} has no double precision (cl_khr_fp64): use float32 on it, "
                "or pick a device with fp64 (the numpy reference always has it)."
            )
        with self._lock:
            be = self._backends.get(dtype)
            if be is None:
                if self.cl is None:
                    from .backend.numpy_backend import NumpyBackend

                    be = NumpyBackend(self, dtype)
                else:
                    from .backend.cl_backend import ClBackend

                    be = ClBackend(self, dtype)
                self._backends[dtype] = be
            return be


_NUMPY_DEVICE = Device(NUMPY_NAME, "numpy reference", "numpy", True)
_lock = threading.RLock()
_all: list[Device] | None = None
_current: Device | None = None
_note = ""


def _discover() -> list[Device]:
    """OpenCL devices wrapped as engine Devices (names made unique), simulators included."""
    global _all, _note
    with _lock:
        if _all is None:
            import opencl

            try:
                cl_devs = opencl.discover()
            except opencl.NoOpenCLPlatformError as exc:
                cl_devs = []
                _note = f"{exc} Computing on the numpy reference device instead."
                warnings.warn(_note, RuntimeWarning, stacklevel=3)
            seen: dict[str, int] = {}
            out = []
            for d in cl_devs:
                n = seen.get(d.name, 0) + 1
                seen[d.name] = n
                name = d.name if n == 1 else f"{d.name} #{n}"
                out.append(Device(name, d.platform, d.kind, d.fp64, d))
            _all = out
        return list(_all)


def _simulators_wanted(include) -> bool:
    if include is not None:
        return bool(include)
    return os.environ.get("MNLAB_SIMULATORS", "") not in ("", "0")


def devices(include_simulators: bool | None = None) -> list[Device]:
    """Every usable OpenCL device, then the numpy reference.

    Simulated devices (Oclgrind) are listed only when asked for, or when the
    environment variable ``MNLAB_SIMULATORS=1`` is set.
    """
    sims = _simulators_wanted(include_simulators)
    return [d for d in _discover() if sims or not d.simulator] + [_NUMPY_DEVICE]


def use_device(which=None) -> Device:
    """Make ``which`` the current device and return it.

    ``which`` is a device name (exact, else a case-insensitive part of it, or "numpy"),
    an index into ``devices()``, a Device, or None for the automatic choice:
    ``PYOPENCL_CTX`` if set, else the best GPU, else a CPU device, else numpy.
    """
    global _current, _note
    with _lock:
        if which is None:
            _current = _auto()
            return _current
        if isinstance(which, Device):
            _current = which
            return which
        listed = devices(include_simulators=True)
        if isinstance(which, (int, np.integer)):
            visible = devices()
            if not 0 <= int(which) < len(visible):
                raise DeviceError(
                    f"There is no device number {int(which)}: "
                    f"choose 0 to {len(visible) - 1} ({_names(visible)})."
                )
            _current = visible[int(which)]
            return _current
        text = str(which).strip()
        exact = [d for d in listed if d.name == text]
        partial = [d for d in listed if text.lower() in (d.name + " " + d.platform).lower()]
        match = exact or partial
        if not match:
            raise DeviceError(f"No device is called {text!r}. The devices here are: {_names(devices())}.")
        _current = match[0]
        return _current


def current_device() -> Device:
    """The device computations run on now (chosen automatically on first use)."""
    global _current
    with _lock:
        if _current is None:
            _current = _auto()
        return _current


def device_note() -> str:
    """A warning worth showing a person about the device choice, or ''."""
    current_device()
    return _note


def _auto() -> Device:
    global _note
    found = _discover()
    if not found:
        return _NUMPY_DEVICE
    import opencl

    by_cl = {id(d.cl): d for d in found}
    chosen, note = opencl.choose_device([d.cl for d in found])
    if note:
        _note = note
    if chosen is None:
        return _NUMPY_DEVICE
    return by_cl[id(chosen)]


def _names(devs) -> str:
    return ", ".join(repr(d.name) for d in devs)
