"""Memory operations of the OpenCL backend and ``ClArray``, its array type."""

from __future__ import annotations

import math

import numpy as np
import pyopencl as cl


class ClArray:
    """A C-contiguous array in one OpenCL buffer. Several ClArrays may share a buffer
    (``reshape``); the buffer is freed when the last one goes."""

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


class ClMemory:
    """Buffers, transfers and kernel lookup for a backend on one OpenCL device."""

    kind = "opencl"

    def _init_cl(self) -> None:
        self.cl = self.device.cl  # opencl.ClDevice
        self.queue = self.cl.queue
        self.defines = {"REAL_IS_DOUBLE": 1 if self.dtype == np.float64 else 0}

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
        return ClArray(self.cl.alloc(nbytes), shape, dt)

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
        self.cl.check_alloc(host.nbytes)
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

