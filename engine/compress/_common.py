"""Shared plumbing of engine.compress: operand checks, device and dtype choice, kernels.

Kept apart from the four topic modules so that each reads as the idea it teaches.
"""

from __future__ import annotations

import numbers
import time

import numpy as np

from ..device import current_device
from ..errors import NonFiniteError, ShapeError, shape_str

#: work-group size of the 1-D kernels of this package
LOCAL = 64
#: work-group shape (columns, rows) of the 2-D kernels
LOCAL_2D = (16, 4)


def round_up(n: int, m: int) -> int:
    """The smallest multiple of m that is >= n (and >= m)."""
    return max(m, ((int(n) + m - 1) // m) * m)


def describe(shape) -> str:
    """How a shape reads in a sentence: '3×2', or 'a vector of length 4'."""
    if len(shape) == 1:
        return f"a vector of length {shape[0]}"
    return shape_str(shape)


def as_array(x, name: str) -> np.ndarray:
    """``x`` as a numeric numpy array, refusing text, complex numbers and ragged lists."""
    try:
        arr = np.asarray(x)
    except Exception:
        raise TypeError(f"{name} is not a rectangular array of numbers (do its rows have different lengths?).") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} holds values of type {arr.dtype}, but only real numbers can be compressed.")
    return arr


def check_finite(arr: np.ndarray, name: str) -> None:
    """Raise NonFiniteError naming the first NaN or infinity of ``arr``."""
    if arr.dtype.kind != "f":
        return
    bad = ~np.isfinite(arr)
    if bad.any():
        index = tuple(int(i) + 1 for i in np.argwhere(bad)[0])
        where = f"row {index[0]}, column {index[1]}" if arr.ndim == 2 else f"position {index}"
        raise NonFiniteError(f"{name} has a non-finite value ({arr[tuple(i - 1 for i in index)]}) at {where}: "
                             "replace it with a number first.")


def matrix(x, name: str = "A") -> np.ndarray:
    """A finite, non-empty 2-D numeric array (a 1-D vector is refused with a hint)."""
    arr = as_array(x, name)
    if arr.ndim != 2:
        if arr.ndim == 1:
            raise ShapeError(f"{name} is {describe(arr.shape)}, but this needs a matrix: "
                             f"write it as a row (1×{arr.shape[0]}) or a column ({arr.shape[0]}×1).")
        raise ShapeError(f"{name} has {arr.ndim} dimensions ({shape_str(arr.shape)}): this needs a matrix (2-D).")
    if arr.size == 0:
        raise ShapeError(f"{name} is {shape_str(arr.shape)}: a matrix needs at least one row and one column.")
    check_finite(arr, name)
    return arr


def positive_int(value, name: str, lo: int = 1, hi: int | None = None) -> int:
    """A whole number in lo..hi, or a ValueError sentence."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            value = int(value)
        else:
            raise ValueError(f"{name} should be a whole number, not {value!r}.")
    value = int(value)
    if value < lo or (hi is not None and value > hi):
        span = f"{lo} to {hi}" if hi is not None else f"{lo} or more"
        raise ValueError(f"{name} is {value}, but it should be {span}.")
    return value


def resolve_device(device=None):
    """A Device from None (the current one), a Device, or a name/index as engine.use_device takes."""
    if device is None:
        return current_device()
    if hasattr(device, "backend") and hasattr(device, "fp64"):
        return device
    from ..model import _resolve_device

    return _resolve_device(device)


def compute_dtype(device, *arrays, dtype=None) -> np.dtype:
    """float64 when asked for (or when an input is float64) and the device has fp64, else float32."""
    if dtype is not None:
        dt = np.dtype(dtype)
        if dt not in (np.float32, np.float64):
            raise ValueError(f"Compression computes in float32 or float64, not {dt}.")
        if dt == np.float64 and not device.fp64:
            return np.dtype(np.float32)
        return dt
    wants64 = any(np.asarray(a).dtype == np.float64 for a in arrays)
    return np.dtype(np.float64 if wants64 and device.fp64 else np.float32)


def is_cl(backend) -> bool:
    """True for an OpenCL backend (False for the numpy reference)."""
    return getattr(backend, "kind", "") == "opencl"


def kernel(backend, filename: str, name: str, kinds: str, defines: dict | None = None):
    """A kernel of ``opencl/kernels/<filename>``, looked up once per backend and kept.

    ``kinds`` has one letter per argument: "b" buffer, "i" int32, "r" the backend's REAL.
    """
    cache = backend.__dict__.setdefault("_compress_kernels", {})
    key = (filename, name, tuple(sorted((defines or {}).items())))
    kern = cache.get(key)
    if kern is None:
        types = {"b": None, "i": np.int32, "r": backend.dtype, "f": np.float32, "d": np.float64}
        kern = backend.kernel(filename, name, [types[c] for c in kinds], defines)
        cache[key] = kern
    return kern


def launch_1d(kern, backend, n: int, *args) -> None:
    """Queue ``kern`` over n work-items (rounded up to the work-group size); no wait."""
    kern(backend.queue, (round_up(n, LOCAL),), (LOCAL,), *args)


def launch_2d(kern, backend, cols: int, rows: int, *args, local=LOCAL_2D) -> None:
    """Queue ``kern`` over a cols × rows grid (dimension 0 along columns); no wait."""
    kern(backend.queue, (round_up(cols, local[0]), round_up(rows, local[1])), local, *args)


def best_time(fn, backend, repeats: int = 5, warmup: int = 1) -> float:
    """The fastest of ``repeats`` timed runs of ``fn()`` in seconds, each waited for.

    ``fn`` only queues work; the device is drained before and after each run so a run
    is timed from its first enqueue to its last result. The fastest run is the one
    least disturbed by the rest of the machine.
    """
    for _ in range(max(0, warmup)):
        fn()
    backend.finish()
    best = float("inf")
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        fn()
        backend.finish()
        best = min(best, time.perf_counter() - t0)
    return best
