"""Device discovery and the per-device context, queue, program and kernel caches."""

from __future__ import annotations

import os
import threading
from importlib import resources

import numpy as np

from .errors import BufferTooLargeError, KernelBuildError, NoOpenCLPlatformError

try:  # pyopencl is a hard dependency, but the lab must still start without it
    import pyopencl as cl
except Exception:  # pragma: no cover - exercised only on broken installs
    cl = None

# Platforms that simulate a device rather than run on one: useful for checking kernels,
# far too slow to compute with, and they claim every device type (GPU included).
SIMULATOR_PLATFORMS = ("oclgrind",)


class ClDevice:
    """One OpenCL device with its own context, in-order queue and build caches.

    The context and queue are created on first use, so listing devices is cheap.
    """

    def __init__(self, cl_device, platform_index: int, device_index: int):
        self.cl_device = cl_device
        self.platform_index = platform_index
        self.device_index = device_index
        self.name = cl_device.name.strip()
        self.platform = cl_device.platform.name.strip()
        self.simulator = any(s in self.platform.lower() for s in SIMULATOR_PLATFORMS)
        dtype = cl_device.type
        if self.simulator:
            self.kind = "simulator"
        elif dtype & cl.device_type.CPU:
            self.kind = "cpu"
        else:
            self.kind = "gpu"
        self.fp64 = "cl_khr_fp64" in cl_device.extensions
        self.max_alloc = int(cl_device.max_mem_alloc_size)
        self.global_mem = int(cl_device.global_mem_size)
        self.compute_units = int(cl_device.max_compute_units)
        self.max_work_group_size = int(cl_device.max_work_group_size)
        self.local_mem = int(cl_device.local_mem_size)
        self._context = None
        self._queue = None
        self._programs: dict[tuple, object] = {}
        self._kernels: dict[tuple, object] = {}
        self._lock = threading.RLock()
        self._launch_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<ClDevice {self.name!r} on {self.platform!r} ({self.kind})>"

    @property
    def context(self):
        """The device's OpenCL context (created once)."""
        with self._lock:
            if self._context is None:
                self._context = cl.Context([self.cl_device])
            return self._context

    @property
    def queue(self):
        """The device's single in-order command queue."""
        with self._lock:
            if self._queue is None:
                self._queue = cl.CommandQueue(self.context)
            return self._queue

    def program(self, filename: str, defines: dict | None = None):
        """Build ``opencl/kernels/<filename>`` with ``-D`` options, once per option set."""
        key = (filename, tuple(sorted((defines or {}).items())))
        with self._lock:
            prog = self._programs.get(key)
            if prog is None:
                source = kernel_source(filename)
                options = [f"-D{k}={v}" for k, v in key[1]]
                try:
                    prog = cl.Program(self.context, source).build(options=options)
                except cl.RuntimeError as exc:
                    raise KernelBuildError(filename, self.name, options, str(exc)) from None
                self._programs[key] = prog
            return prog

    def kernel(self, filename: str, name: str, arg_types=None, defines: dict | None = None):
        """A kernel object, looked up once; ``arg_types`` sets scalar argument dtypes.

        ``arg_types`` lists one entry per argument: ``None`` for buffers, a numpy dtype
        for scalars (so callers may pass plain Python numbers).
        """
        key = (filename, tuple(sorted((defines or {}).items())), name)
        with self._lock:
            kern = self._kernels.get(key)
            if kern is None:
                raw = getattr(self.program(filename, defines), name)
                if arg_types is not None:
                    raw.set_scalar_arg_dtypes(arg_types)
                kern = self._kernels[key] = LockedKernel(raw, self._launch_lock)
            return kern

    def check_alloc(self, nbytes: int) -> None:
        """Refuse, before allocating, a buffer the device cannot hold in one piece."""
        if nbytes > self.max_alloc:
            raise BufferTooLargeError(nbytes, self.max_alloc, self.name)

    def alloc(self, nbytes: int, hostbuf: np.ndarray | None = None):
        """A read-write buffer of ``nbytes`` (at least 1), optionally filled from ``hostbuf``."""
        self.check_alloc(nbytes)
        mf = cl.mem_flags
        if hostbuf is not None and hostbuf.nbytes > 0:
            return cl.Buffer(self.context, mf.READ_WRITE | mf.COPY_HOST_PTR, hostbuf=hostbuf)
        return cl.Buffer(self.context, mf.READ_WRITE, size=max(int(nbytes), 1))


class LockedKernel:
    """A kernel whose launches are atomic across threads.

    pyopencl sets a kernel's arguments on the shared kernel object and then enqueues it;
    two threads launching the same kernel at once (the training worker and a matrix-lab
    job, say) could mix their arguments. One lock per device makes set-args + enqueue a
    single step; it costs well under a microsecond next to a ~2 µs enqueue.
    """

    __slots__ = ("raw", "_lock")

    def __init__(self, raw, lock):
        self.raw = raw
        self._lock = lock

    def __call__(self, *args, **kwargs):
        # (queue, global_size, local_size, *kernel_args): passed through as they come, the
        # wrapper's own cost stays small next to the enqueue (this runs for every launch)
        with self._lock:
            return self.raw(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.raw, name)


def kernel_source(filename: str) -> str:
    """The text of a kernel file shipped as package data in ``opencl/kernels``,
    with ``prelude.cl`` (the REAL element type) in front of it."""
    folder = resources.files("opencl").joinpath("kernels")
    prelude = folder.joinpath("prelude.cl").read_text(encoding="utf-8")
    body = folder.joinpath(filename).read_text(encoding="utf-8")
    return prelude + "\n#line 1\n" + body


_discovered: list[ClDevice] | None = None
_discover_lock = threading.Lock()


def discover() -> list[ClDevice]:
    """Every device of every OpenCL platform, simulators included, in platform order.

    Raises ``NoOpenCLPlatformError`` with a sentence when there is none at all.
    """
    global _discovered
    with _discover_lock:
        if _discovered is None:
            if cl is None:
                raise NoOpenCLPlatformError(
                    "pyopencl could not be imported, so no OpenCL device can be used. "
                    "Reinstall the project's dependencies (pip install -e .)."
                )
            try:
                platforms = cl.get_platforms()
            except cl.Error as exc:
                raise NoOpenCLPlatformError(
                    "No OpenCL platform was found on this machine "
                    f"({exc}). Install pocl-binary-distribution for a CPU device."
                ) from None
            found = []
            for p_index, platform in enumerate(platforms):
                try:
                    devs = platform.get_devices()
                except cl.Error:
                    continue  # a platform with no usable device is skipped, not fatal
                for d_index, dev in enumerate(devs):
                    found.append(ClDevice(dev, p_index, d_index))
            if not found:
                raise NoOpenCLPlatformError(
                    "OpenCL platforms exist but offer no device. "
                    "Install pocl-binary-distribution for a CPU device."
                )
            _discovered = found
        return list(_discovered)


def _score(dev: ClDevice) -> tuple:
    clock = int(getattr(dev.cl_device, "max_clock_frequency", 0) or 0)
    return (dev.compute_units * max(clock, 1), dev.global_mem)


def choose_device(devices: list[ClDevice], env: dict | None = None) -> tuple[ClDevice | None, str]:
    """Pick the device to compute on, never prompting, and say why.

    ``PYOPENCL_CTX`` wins when set ("P:D" indices, "P", or part of a name); otherwise the
    best GPU, otherwise a CPU device. A simulator is never chosen automatically.
    Returns ``(device or None, note)``; the note is empty unless something is worth saying.
    """
    env = os.environ if env is None else env
    wanted = (env.get("PYOPENCL_CTX") or "").strip()
    note = ""
    if wanted:
        match = match_device(devices, wanted)
        if match is not None:
            return match, ""
        note = f"PYOPENCL_CTX={wanted!r} names no OpenCL device here; chose automatically instead."
    real = [d for d in devices if not d.simulator]
    gpus = sorted((d for d in real if d.kind == "gpu"), key=_score, reverse=True)
    if gpus:
        return gpus[0], note
    cpus = sorted((d for d in real if d.kind == "cpu"), key=_score, reverse=True)
    if cpus:
        return cpus[0], note
    return None, note or "Only simulated OpenCL devices exist here; they are never chosen automatically."


def match_device(devices: list[ClDevice], wanted: str) -> ClDevice | None:
    """The device named by a ``PYOPENCL_CTX``-style string, or None."""
    parts = wanted.split(":")
    if all(p.strip().isdigit() for p in parts if p.strip()) and parts[0].strip():
        p = int(parts[0])
        d = int(parts[1]) if len(parts) > 1 and parts[1].strip() else 0
        for dev in devices:
            if dev.platform_index == p and dev.device_index == d:
                return dev
        return None
    low = wanted.lower()
    for dev in devices:
        if low in dev.name.lower() or low in dev.platform.lower():
            return dev
    return None
