"""Memory operations of the OpenCL backend and ``ClArray``, its array type.

Buffers come from a pool (pyopencl's ``MemoryPool``), one per backend: on PoCL the
first use of a new ``cl.Buffer`` costs about 10 µs, several times the kernel launch it
feeds, and a training step makes dozens of short-lived arrays of the same few sizes. A
pooled buffer goes back to the pool when the last Python reference to it goes, that is
when the last ``ClArray`` sharing it (``reshape`` views included) is gone; work already
queued on it still runs first, because the device has one in-order queue and the next
user of that memory queues behind it.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pyopencl as cl
import pyopencl.tools as cl_tools

#: arrays up to this size come from the pool; larger ones (rare, and slow enough to
#: compute with that an allocation does not show) get a buffer of their own
POOL_MAX_BYTES = 64 << 20
#: elements per work-item of the chunked elementwise kernels on CPU devices
PER_ITEM_CPU = 32
#: when the pool holds more idle memory than this, it gives it all back to the driver
POOL_IDLE_BYTES = 256 << 20


class ClArray:
    """A C-contiguous array in one OpenCL buffer. Several ClArrays may share a buffer
    (``reshape``); the buffer is freed (or goes back to its pool) when the last one goes.

    ``buf`` may be swapped for another buffer with the same contents (engine.fused puts
    a network's parameters into one buffer that way); everyone holding the array sees it.
    """

    __slots__ = ("buf", "shape", "dtype")

    def __init__(self, buf, shape, dtype):
        self.buf = buf
        self.shape = tuple(int(s) for s in shape)
        self.dtype = np.dtype(dtype)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize

    def __repr__(self) -> str:
        return f"<ClArray {self.shape} {self.dtype.name}>"


def round_up(n: int, m: int) -> int:
    """The smallest multiple of m that is >= n (and >= m)."""
    return max(m, ((int(n) + m - 1) // m) * m)


def _per_item_override() -> int | None:
    """MNLAB_PER_ITEM as a whole number of at least 1, or None when unset or not one."""
    text = os.environ.get("MNLAB_PER_ITEM", "").strip()
    return int(text) if text.isdigit() and int(text) >= 1 else None


class ClMemory:
    """Buffers, transfers and kernel lookup for a backend on one OpenCL device."""

    kind = "opencl"

    def _init_cl(self) -> None:
        self.cl = self.device.cl  # opencl.ClDevice
        self.queue = self.cl.queue
        # elements per work-item of the chunked elementwise kernels (see prelude.cl): CPU
        # compilers vectorise a loop over a chunk, not one element per work-item behind a
        # bounds check; GPUs want neighbouring work-items on neighbouring elements
        # (MNLAB_PER_ITEM overrides it: the Oclgrind run checks the chunked loops with it)
        self.per_item = _per_item_override() or (PER_ITEM_CPU if self.device.kind == "cpu" else 1)
        self.defines = {"REAL_IS_DOUBLE": 1 if self.dtype == np.float64 else 0, "PER_ITEM": self.per_item}
        # ImmediateAllocator: a new block is touched once on the queue as it is made, so
        # running out of device memory shows at once, where the pool can still free what it holds
        self.pool = cl_tools.MemoryPool(cl_tools.ImmediateAllocator(self.queue))

    def alloc(self, nbytes: int):
        """A device buffer of at least ``nbytes`` (and at least 1) bytes, pooled when small."""
        nbytes = max(int(nbytes), 1)
        self.cl.check_alloc(nbytes)
        if nbytes > POOL_MAX_BYTES:
            return self.cl.alloc(nbytes)
        pool = self.pool
        if pool.managed_bytes - pool.active_bytes > POOL_IDLE_BYTES:
            pool.free_held()
        try:
            return pool.allocate(nbytes)
        except cl.MemoryError:
            # memory held idle by the pool may be what is missing
            pool.free_held()
            return pool.allocate(nbytes)

    def kernel(self, filename: str, name: str, arg_types=None, defines: dict | None = None):
        """A kernel of ``opencl/kernels/<filename>`` built for this backend's dtype (cached)."""
        d = dict(self.defines)
        if defines:
            d.update(defines)
        return self.cl.kernel(filename, name, arg_types, d)

    def _dt(self, dtype):
        return self.dtype if dtype is None else np.dtype(dtype)

    def empty(self, shape, dtype=None):
        dt = self._dt(dtype)
        shape = tuple(int(s) for s in shape)
        nbytes = math.prod(shape) * dt.itemsize
        return ClArray(self.alloc(nbytes), shape, dt)

    def zeros(self, shape, dtype=None):
        return self.full(shape, 0, dtype)

    def full(self, shape, value, dtype=None):
        """An array with every element ``value`` (float dtype of the backend, or int32)."""
        a = self.empty(shape, dtype)
        if a.size:
            if a.dtype == self.dtype:
                k = self.kernel("memory.cl", "k_fill", [None, self.dtype, np.int32])
            elif a.dtype == np.int32:
                k = self.kernel("memory.cl", "k_fill_int", [None, np.int32, np.int32])
            else:
                raise TypeError(f"full: unsupported dtype {a.dtype}")
            k(self.queue, (round_up(a.size, 64),), (64,), a.buf, value, a.size)
        return a

    def asarray(self, x, dtype=None):
        host = np.ascontiguousarray(x, dtype=self._dt(dtype))
        a = self.empty(host.shape, host.dtype)
        if host.size:
            # blocking: the host array may be freed as soon as we return
            cl.enqueue_copy(self.queue, a.buf, host, is_blocking=True)
        return a

    def to_numpy(self, a) -> np.ndarray:
        out = np.empty(a.shape, a.dtype)
        if a.size:
            cl.enqueue_copy(self.queue, out, a.buf, is_blocking=True)
        return out

    def copy(self, a):
        b = self.empty(a.shape, a.dtype)
        if a.size:
            cl.enqueue_copy(self.queue, b.buf, a.buf, byte_count=a.nbytes)
        return b

    def copy_into(self, dst, src) -> None:
        if src.size != dst.size:
            raise ValueError(f"copy_into: {src.shape} into {dst.shape}")
        if src.size:
            cl.enqueue_copy(self.queue, dst.buf, src.buf, byte_count=src.nbytes)

    def reshape(self, a, shape):
        shape = tuple(int(s) for s in shape)
        if math.prod(shape) != a.size:
            raise ValueError(f"cannot reshape {a.shape} to {shape}")
        return ClArray(a.buf, shape, a.dtype)

    def finish(self) -> None:
        self.queue.finish()

