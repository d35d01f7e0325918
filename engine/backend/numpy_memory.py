"""Memory operations of the numpy reference backend: arrays are plain np.ndarrays."""

from __future__ import annotations

import numpy as np


class NumpyMemory:
    """asarray / to_numpy / empty / zeros / copy / reshape on host memory."""

    kind = "numpy"

    def _dt(self, dtype):
        return self.dtype if dtype is None else np.dtype(dtype)

    def asarray(self, x, dtype=None):
        return np.array(x, dtype=self._dt(dtype), order="C", copy=True)

    def to_numpy(self, a) -> np.ndarray:
        return np.array(a, copy=True)

    def empty(self, shape, dtype=None):
        return np.empty(tuple(shape), dtype=self._dt(dtype))

    def zeros(self, shape, dtype=None):
        return np.zeros(tuple(shape), dtype=self._dt(dtype))

    def full(self, shape, value, dtype=None):
        return np.full(tuple(shape), value, dtype=self._dt(dtype))

    def copy(self, a):
        return a.copy()

    def copy_into(self, dst, src) -> None:
        dst.reshape(-1)[...] = src.reshape(-1)

    def reshape(self, a, shape):
        return a.reshape(tuple(shape))

    def finish(self) -> None:
        pass
