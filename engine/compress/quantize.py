"""int8 quantisation: store each number in one byte on a grid of 255 or 256 steps.

A value x is stored as the integer q = clip(round(x / scale) + zero_point) and read
back as (q − zero_point)·scale. Two schemes:

* **symmetric**: zero_point = 0, scale = max|x| / 127, q ∈ −127 … 127. Zero is exact and
  products need no correction, but a lopsided range wastes half the grid.
* **affine**: the grid spans min(x, 0) … max(x, 0) in 256 steps, q ∈ −128 … 127, with a
  zero point that puts 0.0 exactly on the grid. Tighter for lopsided data.

Scales are per tensor (one grid for the whole array) or per row (one grid for each
row, i.e. each output unit of a dense layer or each filter of a convolution: the first
axis). Rounding is to nearest, ties to even (numpy's rint, OpenCL's rint, PyTorch's).

``int8_matmul`` multiplies int8 matrices into int32 with the ``k_i8_mm`` kernel
(opencl/kernels/compress_quant.cl), exactly as numpy's integer arithmetic does;
``quantized_matmul`` builds an approximate float product from it; ``quantize_network``
rounds every weight of a trained network to int8 and measures the test loss and
accuracy before and after (the biases stay float32, as in common int8 deployments).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import ShapeError, shape_str
from ._common import as_array, best_time, check_finite, compute_dtype, is_cl, kernel, launch_2d, matrix, \
    resolve_device
from ._network import copy_model, evaluate, test_split, weight_names

__all__ = ["SCHEMES", "GRANULARITIES", "Quantized", "quantize", "dequantize", "error_stats",
           "int8_matmul", "quantized_matmul", "matmul_timing", "quantize_network", "NetworkQuantization",
           "histogram"]

SCHEMES = ("symmetric", "affine")
GRANULARITIES = ("tensor", "row")
#: the int8 kernel's register block (rows × columns of C per work-item)
I8_TILE = (4, 4)
#: int8 rows are padded to a multiple of this many bytes (whole char8 vectors, 16-byte aligned rows)
I8_PAD = 16
#: the largest K for which Σ_k a_ik·b_kj is guaranteed to fit in int32 (|a·b| ≤ 2¹⁴)
MAX_K = (2**31 - 1) // (128 * 128)


def _choice(value, options, what: str) -> str:
    key = str(value).lower()
    if key in ("per-tensor", "per_tensor"):
        key = "tensor"
    if key in ("per-row", "per_row", "channel", "per-channel"):
        key = "row"
    if key not in options:
        raise ValueError(f"There is no {what} {value!r}: choose {' or '.join(options)}.")
    return key


@dataclass(frozen=True, eq=False)
class Quantized:
    """An array stored as int8 with its scales and zero points.

    ``q`` has the original shape; ``scale`` (float32) and ``zero_point`` (int32) have one
    entry per group: 1 for per-tensor, the length of the first axis for per-row.
    """

    q: np.ndarray
    scale: np.ndarray
    zero_point: np.ndarray
    scheme: str
    per: str
    dtype: np.dtype = field(default=np.dtype(np.float32))

    @property
    def shape(self) -> tuple:
        """The shape of the original array."""
        return self.q.shape

    @property
    def qmin(self) -> int:
        """The smallest integer used (−127 symmetric, −128 affine)."""
        return -127 if self.scheme == "symmetric" else -128

    @property
    def qmax(self) -> int:
        """The largest integer used (127)."""
        return 127

    @property
    def groups(self) -> int:
        """How many separate grids (scales) there are."""
        return int(self.scale.size)

    def dequantize(self) -> np.ndarray:
        """(q − zero_point)·scale in the original float type."""
        g = self.q.reshape(self.groups, -1).astype(np.float64)
        out = (g - self.zero_point[:, None]) * self.scale.astype(np.float64)[:, None]
        return out.reshape(self.shape).astype(self.dtype)

    def grid(self, group: int = 0) -> np.ndarray:
        """Every value group ``group`` can represent, ascending."""
        k = np.arange(self.qmin, self.qmax + 1, dtype=np.float64)
        return (k - self.zero_point[group]) * float(self.scale[group])

    @property
    def nbytes(self) -> int:
        """Bytes stored: one per value, 4 per scale, and 4 per zero point for affine."""
        extra = self.scale.nbytes + (self.zero_point.nbytes if self.scheme == "affine" else 0)
        return int(self.q.size + extra)

    @property
    def float_nbytes(self) -> int:
        """Bytes of the same array in float32."""
        return int(self.q.size * 4)


def _tensor(x, name: str) -> np.ndarray:
    arr = as_array(x, name)
    if arr.ndim == 0 or arr.size == 0:
        raise ShapeError(f"{name} is {'a single number' if arr.ndim == 0 else 'empty'}: "
                         "quantise an array with at least one entry.")
    check_finite(arr, name)
    return arr


def quantize(a, scheme: str = "symmetric", per: str = "tensor", *, name: str = "A") -> Quantized:
    """``a`` (any shape) as int8: ``scheme`` "symmetric" or "affine", ``per`` "tensor" or "row"."""
    scheme = _choice(scheme, SCHEMES, "quantisation scheme")
    per = _choice(per, GRANULARITIES, "scale granularity")
    arr = _tensor(a, name)
    dtype = arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float32)
    groups = arr.shape[0] if (per == "row" and arr.ndim > 1) else 1
    x = arr.reshape(groups, -1).astype(np.float64)
    if scheme == "symmetric":
        amax = np.max(np.abs(x), axis=1)
        scale = (amax / 127.0).astype(np.float32)
        scale[scale == 0] = 1.0  # an all-zero group: any scale represents it exactly
        zp = np.zeros(groups, dtype=np.int32)
        q = np.clip(np.rint(x / scale.astype(np.float64)[:, None]), -127, 127)
    else:
        lo = np.minimum(x.min(axis=1), 0.0)
        hi = np.maximum(x.max(axis=1), 0.0)
        scale = ((hi - lo) / 255.0).astype(np.float32)
        scale[scale == 0] = 1.0
        s64 = scale.astype(np.float64)
        zp = np.clip(np.rint(-128.0 - lo / s64), -128, 127).astype(np.int32)
        q = np.clip(np.rint(x / s64[:, None]) + zp[:, None], -128, 127)
    return Quantized(q.astype(np.int8).reshape(arr.shape), scale, zp, scheme, per, np.dtype(dtype))


def dequantize(qa: Quantized) -> np.ndarray:
    """The float array a Quantized stands for (see ``Quantized.dequantize``)."""
    return qa.dequantize()


def error_stats(original, restored) -> dict:
    """How far ``restored`` is from ``original``.

    Returns {"max_abs", "mean_abs", "rmse", "relative" (‖e‖/‖a‖, Frobenius), "sqnr_db"
    (signal to quantisation noise, 10·log10(Σa²/Σe²); inf when exact), "max_at" (index)}.
    """
    a = np.asarray(original, dtype=np.float64)
    b = np.asarray(restored, dtype=np.float64)
    if a.shape != b.shape:
        raise ShapeError(f"The original is {shape_str(a.shape)} but the restored array is {shape_str(b.shape)}: "
                         "compare arrays of the same shape.")
    e = b - a
    sig, noise = float(np.sum(a * a)), float(np.sum(e * e))
    flat = int(np.argmax(np.abs(e))) if e.size else 0
    return {
        "max_abs": float(np.max(np.abs(e))) if e.size else 0.0,
        "mean_abs": float(np.mean(np.abs(e))) if e.size else 0.0,
        "rmse": float(np.sqrt(np.mean(e * e))) if e.size else 0.0,
        "relative": float(np.sqrt(noise / sig)) if sig > 0 else (0.0 if noise == 0 else float("inf")),
        "sqnr_db": float(10 * np.log10(sig / noise)) if noise > 0 else float("inf"),
        "max_at": tuple(int(i) for i in np.unravel_index(flat, a.shape)) if e.size else (),
    }


def histogram(values, bins: int = 80, range_=None) -> tuple:
    """(edges, counts) of the finite values, for weight histograms."""
    v = np.asarray(values, dtype=np.float64).ravel()
    v = v[np.isfinite(v)]
    if v.size == 0:
        return np.array([0.0, 1.0]), np.array([0])
    lo, hi = (float(v.min()), float(v.max())) if range_ is None else range_
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(v, bins=bins, range=(lo, hi))
    return edges, counts


# ------------------------------------------------------------------ int8 products

def _int8(x, name: str) -> np.ndarray:
    arr = matrix(x, name)
    if arr.dtype.kind == "f":
        if not np.all(arr == np.rint(arr)):
            raise TypeError(f"{name} holds fractions: an int8 product takes whole numbers from −128 to 127 "
                            "(quantise the matrix first).")
    elif arr.dtype.kind == "b":
        arr = arr.astype(np.int8)
    lo, hi = int(arr.min()), int(arr.max())
    if lo < -128 or hi > 127:
        bad = lo if lo < -128 else hi
        raise ValueError(f"{name} holds {bad}, outside int8 (−128 … 127): quantise it first.")
    return arr.astype(np.int8)


def _padded(x: np.ndarray, kp: int) -> np.ndarray:
    out = np.zeros((x.shape[0], kp), dtype=np.int8)
    out[:, :x.shape[1]] = x
    return out


class DeviceInt8:
    """An int8 product A·Bᵀ with both operands uploaded once (rows zero-padded to 16 bytes).

    ``run()`` queues the kernel and returns C (int32, M×N) as a backend array without waiting.
    """

    def __init__(self, a: np.ndarray, bt: np.ndarray, backend):
        self.backend = backend
        self.m, self.k = a.shape
        self.n = bt.shape[0]
        kp = max(I8_PAD, -(-self.k // I8_PAD) * I8_PAD)
        self.kp = kp
        self.a = backend.asarray(_padded(a, kp), np.int8)
        self.bt = backend.asarray(_padded(bt, kp), np.int8)
        tm, tn = I8_TILE
        self.kern = kernel(backend, "compress_quant.cl", "k_i8_mm", "bbbiii", {"TM": tm, "TN": tn})

    def run(self):
        be = self.backend
        c = be.empty((self.m, self.n), np.int32)
        tm, tn = I8_TILE
        launch_2d(self.kern, be, -(-self.n // tn), -(-self.m // tm), self.a.buf, self.bt.buf, c.buf,
                  self.m, self.n, self.kp, local=(8, 1))
        return c


def int8_matmul(a, b, *, trans_b: bool = False, device=None, names=("A", "B")) -> np.ndarray:
    """A·B (or A·Bᵀ with ``trans_b``) of int8 matrices, accumulated exactly in int32.

    Entries must be whole numbers in −128 … 127. Runs the ``k_i8_mm`` kernel on an
    OpenCL device (numpy's integer product on the numpy device); the result equals
    ``a.astype(int32) @ b.astype(int32)`` exactly.
    """
    an, bn = names
    qa = _int8(a, an)
    qb = _int8(b, bn)
    bt = qb if trans_b else qb.T
    if qa.shape[1] != bt.shape[1]:
        op = f"{an}·{bn}ᵀ" if trans_b else f"{an}·{bn}"
        need = "columns" if trans_b else "rows"
        raise ShapeError(f"{an} is {shape_str(qa.shape)} and {bn} is {shape_str(qb.shape)}: {op} needs {bn}'s "
                         f"{need} ({bt.shape[1]}) to equal {an}'s columns ({qa.shape[1]}).")
    k = qa.shape[1]
    if k > MAX_K:
        raise ShapeError(f"The inner dimension is {k}: above {MAX_K} int8 products could overflow the int32 sum. "
                         "Split the product into parts.")
    dev = resolve_device(device)
    be = dev.backend(compute_dtype(dev, dtype=np.float32))
    if not is_cl(be):
        return qa.astype(np.int32) @ np.ascontiguousarray(bt.T).astype(np.int32)
    return be.to_numpy(DeviceInt8(qa, np.ascontiguousarray(bt), be).run())


def quantized_matmul(a, b, scheme: str = "symmetric", *, device=None, names=("A", "B")) -> dict:
    """A·B through int8: A quantised per row, B per column, the product in int32 on the device.

    C_ij ≈ sa_i·sb_j·(Σ_k qa_ik·qb_kj − za_i·Σ_k qb_kj − zb_j·Σ_k qa_ik + K·za_i·zb_j),
    the zero-point terms vanishing for symmetric quantisation. Returns {"approx",
    "exact" (float64 A·B), "accumulators" (int32), "stats" (error_stats), "qa", "qb"}.
    """
    an, bn = names
    af = matrix(a, an).astype(np.float64)
    bf = matrix(b, bn).astype(np.float64)
    if af.shape[1] != bf.shape[0]:
        raise ShapeError(f"{an} is {shape_str(af.shape)} and {bn} is {shape_str(bf.shape)}: {an}·{bn} needs "
                         f"{an}'s columns ({af.shape[1]}) to equal {bn}'s rows ({bf.shape[0]}).")
    qa = quantize(af, scheme, "row", name=an)
    qbt = quantize(bf.T, scheme, "row", name=bn)  # per column of B
    acc = int8_matmul(qa.q, qbt.q, trans_b=True, device=device, names=names)
    k = af.shape[1]
    za = qa.zero_point.astype(np.int64)[:, None]
    zb = qbt.zero_point.astype(np.int64)[None, :]
    row_sums = qa.q.astype(np.int64).sum(axis=1)[:, None]
    col_sums = qbt.q.astype(np.int64).sum(axis=1)[None, :]
    corrected = acc.astype(np.int64) - za * col_sums - zb * row_sums + k * za * zb
    approx = corrected * (qa.scale.astype(np.float64)[:, None] * qbt.scale.astype(np.float64)[None, :])
    exact = af @ bf
    return {"approx": approx, "exact": exact, "accumulators": acc, "stats": error_stats(exact, approx),
            "qa": qa, "qb": qbt}


def matmul_timing(m: int = 512, k: int = 512, n: int = 512, *, device=None, repeats: int = 5,
                  seed: int = 0) -> dict:
    """Time the int8 → int32 product against the float32 product of the same shape.

    Operands are on the device before the clock starts; each figure is the fastest of
    ``repeats`` waited-for runs. Returns {"int8_s", "float32_s", "ratio" (float32 / int8),
    "shape", "device"}.
    """
    dev = resolve_device(device)
    be = dev.backend(np.float32)
    rng = np.random.default_rng(seed)
    a = rng.integers(-128, 128, size=(m, k), dtype=np.int8)
    bt = rng.integers(-128, 128, size=(n, k), dtype=np.int8)
    if is_cl(be):
        job = DeviceInt8(a, bt, be)
        t8 = best_time(job.run, be, repeats)
    else:
        a32, b32 = a.astype(np.int32), bt.T.astype(np.int32)
        t8 = best_time(lambda: a32 @ b32, be, repeats)
    af = be.asarray(a.astype(np.float32))
    bf = be.asarray(np.ascontiguousarray(bt.T).astype(np.float32))
    t32 = best_time(lambda: be.matmul(af, bf), be, repeats)
    return {"int8_s": t8, "float32_s": t32, "ratio": t32 / t8 if t8 > 0 else float("inf"),
            "shape": (m, k, n), "device": dev.name}


# ------------------------------------------------------------------ networks

@dataclass
class NetworkQuantization:
    """A trained network before and after rounding its weights to int8.

    ``before`` / ``after``: {"loss", "accuracy"} on the test set (accuracy None for
    regression). ``layers``: one dict per weight array, in order: {"name", "original",
    "restored", "quantized" (Quantized), "stats" (error_stats)}. ``params_after`` holds
    every parameter of the rounded network (biases unchanged). ``float_bytes`` /
    ``int8_bytes``: storage of all parameters in float32, and with int8 weights.
    """

    before: dict
    after: dict
    layers: list
    params_after: dict
    float_bytes: int
    int8_bytes: int
    scheme: str
    per: str


def quantize_network(model, data, scheme: str = "symmetric", per: str = "row") -> NetworkQuantization:
    """Round every weight of a trained ``model`` to int8 and measure it on ``data``'s test set.

    The model itself is left as it was: the rounded weights go into a copy on the same
    device. Computation stays in float (the weights hold int8-grid values): this
    measures what the rounding costs, not int8 arithmetic.
    """
    scheme = _choice(scheme, SCHEMES, "quantisation scheme")
    per = _choice(per, GRANULARITIES, "scale granularity")
    x, y = test_split(data)
    params = model.params()
    before = evaluate(model, x, y)
    layers = []
    after_params = dict(params)
    int8_bytes = 0
    weights = set(weight_names(model.spec))
    for name, value in params.items():
        if name not in weights:
            int8_bytes += value.size * 4
            continue
        qz = quantize(value, scheme, per, name=f"Weight {name}")
        restored = qz.dequantize().astype(value.dtype)
        after_params[name] = restored
        int8_bytes += qz.nbytes
        layers.append({"name": name, "original": value, "restored": restored, "quantized": qz,
                       "stats": error_stats(value, restored)})
    copy = copy_model(model, after_params)
    after = evaluate(copy, x, y)
    float_bytes = int(sum(v.size for v in params.values()) * 4)
    return NetworkQuantization(before, after, layers, after_params, float_bytes, int(int8_bytes), scheme, per)
