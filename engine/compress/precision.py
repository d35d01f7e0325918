"""Precision: what float32 loses against float64, and how rounding errors pile up.

* ``product_precision``: the same product in float32 and float64 on the device, and
  their difference; ``product_error_vs_size`` how it grows with the inner dimension.
* ``training_precision``: the same network trained in float32 and float64 from the same
  start on the same batches, loss by loss.
* ``summation``: adding many small numbers one after another (kernels in
  opencl/kernels/compress_precision.cl), against Kahan's compensated sum, pairwise
  summation and float64, each compared with the exact sum.
* ``hilbert``: solving Hilbert systems H·x = b, whose exact answer is all ones, in
  float32 and float64; the error follows the (exactly computed) condition number.
* ``solve_precision``: the same for any square matrix, with its condition number from
  the device SVD.

Where the device has no float64, the float64 side runs on the numpy reference device
and the result says so in ``"float64_device"``.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ..device import devices
from ..errors import ShapeError, SingularMatrixError, shape_str
from ._common import check_finite, is_cl, kernel, launch_1d, matrix, positive_int, resolve_device

__all__ = ["product_precision", "product_error_vs_size", "training_precision", "summation", "checkpoints",
           "hilbert", "hilbert_matrix", "hilbert_condition", "solve_precision"]


def _numpy_device():
    return [d for d in devices() if d.kind == "numpy"][0]


def _fp64_device(dev):
    """The device that computes the float64 side: ``dev`` if it has fp64, else numpy."""
    return dev if dev.fp64 else _numpy_device()


# ------------------------------------------------------------------ products

def product_precision(a, b, *, device=None, names=("A", "B")) -> dict:
    """A·B in float32 and in float64, both on the device, and their difference.

    Returns {"c32", "c64", "diff" (c32 − c64), "max_abs", "relative" (‖diff‖_F / ‖c64‖_F),
    "max_relative" (largest |diff| / max|c64|), "eps32", "float64_device"}.
    """
    an, bn = names
    a = matrix(a, an)
    b = matrix(b, bn)
    if a.shape[1] != b.shape[0]:
        raise ShapeError(f"{an} is {shape_str(a.shape)} and {bn} is {shape_str(b.shape)}: {an}·{bn} needs "
                         f"{an}'s columns ({a.shape[1]}) to equal {bn}'s rows ({b.shape[0]}).")
    dev = resolve_device(device)
    be32 = dev.backend(np.float32)
    dev64 = _fp64_device(dev)
    be64 = dev64.backend(np.float64)
    c32 = be32.to_numpy(be32.matmul(be32.asarray(a), be32.asarray(b))).astype(np.float64)
    # the float64 side multiplies the float32-rounded inputs: only the arithmetic differs
    a32, b32 = a.astype(np.float32), b.astype(np.float32)
    c64 = be64.to_numpy(be64.matmul(be64.asarray(a32), be64.asarray(b32)))
    diff = c32 - c64
    norm = float(np.linalg.norm(c64))
    big = float(np.max(np.abs(c64)))
    return {"c32": c32, "c64": c64, "diff": diff, "max_abs": float(np.max(np.abs(diff))),
            "relative": float(np.linalg.norm(diff)) / norm if norm > 0 else 0.0,
            "max_relative": float(np.max(np.abs(diff))) / big if big > 0 else 0.0,
            "eps32": float(np.finfo(np.float32).eps), "float64_device": dev64.name}


def product_error_vs_size(sizes=(4, 16, 64, 256, 1024), rows: int = 32, cols: int = 32, *, device=None,
                          seed: int = 0) -> dict:
    """Relative error of float32 products (rows × K)·(K × cols) against float64 as K grows.

    Returns {"k": sizes, "relative": ‖C32 − C64‖/‖C64‖ per size, "bound": √K·eps32 (the
    typical growth of random rounding errors), "float64_device"}.
    """
    rng = np.random.default_rng(seed)
    rel, dev64 = [], ""
    ks = [positive_int(k, "The inner dimension") for k in sizes]
    for k in ks:
        r = product_precision(rng.uniform(0, 1, (rows, k)), rng.uniform(0, 1, (k, cols)), device=device)
        rel.append(r["relative"])
        dev64 = r["float64_device"]
    eps = float(np.finfo(np.float32).eps)
    return {"k": np.array(ks), "relative": np.array(rel), "bound": np.sqrt(np.array(ks, float)) * eps,
            "float64_device": dev64}


# ------------------------------------------------------------------ training

def training_precision(spec, data, steps: int = 200, every: int = 10, *, device=None, seed: int = 0,
                       optimizer=None, batch_size: int = 10) -> dict:
    """Train ``spec`` on ``data`` in float32 and in float64 from the same start, same batches.

    The float64 model starts from the float32 model's initial weights (widened), so the
    two runs differ only in arithmetic. Every ``every`` steps records both training
    losses and the largest parameter difference. Returns {"steps", "loss32", "loss64",
    "test32", "test64", "param_diff", "float64_device"}.
    """
    from ..model import Model
    from ..trainer import Trainer

    steps = positive_int(steps, "The number of steps")
    every = positive_int(every, "The recording interval", 1, steps)
    dev = resolve_device(device)
    dev64 = _fp64_device(dev)
    m32 = Model(spec, seed=seed, device=dev, dtype=np.float32)
    m64 = Model(spec, seed=seed, device=dev64, dtype=np.float64)
    m64.set_params({k: v.astype(np.float64) for k, v in m32.params().items()})
    opt = optimizer or {"type": "sgd", "lr": 0.05}
    t32 = Trainer(m32, data, optimizer=opt, batch_size=batch_size, seed=seed)
    t64 = Trainer(m64, data, optimizer=opt, batch_size=batch_size, seed=seed)
    out = {"steps": [], "loss32": [], "loss64": [], "test32": [], "test64": [], "param_diff": [],
           "float64_device": dev64.name}
    done = 0
    while done < steps:
        n = min(every, steps - done)
        r32, r64 = t32.step(n), t64.step(n)
        done += n
        p32, p64 = m32.params(), m64.params()
        out["steps"].append(done)
        out["loss32"].append(r32["train_loss"])
        out["loss64"].append(r64["train_loss"])
        out["test32"].append(r32.get("test_loss", float("nan")))
        out["test64"].append(r64.get("test_loss", float("nan")))
        out["param_diff"].append(max(float(np.max(np.abs(p32[k].astype(np.float64) - p64[k]))) for k in p32))
    return {k: (np.asarray(v) if isinstance(v, list) else v) for k, v in out.items()}


# ------------------------------------------------------------------ summation

def checkpoints(n: int, count: int = 25) -> np.ndarray:
    """About ``count`` term counts from 1 to n, evenly spread on a log scale, ending at n."""
    n = positive_int(n, "The number of terms")
    pts = np.unique(np.round(np.geomspace(1, n, count)).astype(np.int64))
    return pts.astype(np.int32)


def _exact_prefix_sums(x32: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The exact running sums at ``points`` (fsum is correctly rounded: exact to float64)."""
    out = []
    prev = 0
    total = []
    for p in points:
        total.append(math.fsum(x32[prev:p].astype(np.float64)))
        out.append(math.fsum(total))
        prev = int(p)
    return np.array(out)


def _sums_cl(be, x_dev, n: int, points: np.ndarray) -> dict:
    pts = be.asarray(points, np.int32)
    out = {}
    for method, name in (("naive", "k_sum_naive"), ("kahan", "k_sum_kahan")):
        res = be.empty((points.size,))
        launch_1d(kernel(be, "compress_precision.cl", name, "bbbii"), be, 1, x_dev.buf, pts.buf, res.buf, n,
                  points.size)
        out[method] = res
    first = kernel(be, "compress_precision.cl", "k_sum_pairs_first", "bbi")
    pairs = kernel(be, "compress_precision.cl", "k_sum_pairs", "bbi")
    pair_results = []
    for p in points:  # each prefix summed as its own tree
        p = int(p)
        level = be.empty(((p + 1) // 2,))
        launch_1d(first, be, (p + 1) // 2, x_dev.buf, level.buf, p)
        m = (p + 1) // 2
        while m > 1:
            nxt = be.empty(((m + 1) // 2,))
            launch_1d(pairs, be, (m + 1) // 2, level.buf, nxt.buf, m)
            level, m = nxt, (m + 1) // 2
        pair_results.append(level)
    result = {k: be.to_numpy(v).astype(np.float64) for k, v in out.items()}
    result["pairwise"] = np.array([float(be.to_numpy(r)[0]) for r in pair_results])
    return result


def _sums_numpy(dtype, x32: np.ndarray, points: np.ndarray) -> dict:
    """The kernels' three sums on the host, in ``dtype`` (slow Python loops: small n only)."""
    dt = np.dtype(dtype).type
    naive, kahan = [], []
    s, comp = dt(0), dt(0)
    k = dt(0)
    c = 0
    for i, v in enumerate(x32.astype(dtype), start=1):
        s = dt(s + v)
        y = dt(v - comp)
        t = dt(k + y)
        comp = dt(dt(t - k) - y)
        k = t
        while c < points.size and points[c] == i:
            naive.append(float(s))
            kahan.append(float(k))
            c += 1
        if c >= points.size:
            break
    pairwise = []
    for p in points:
        level = x32[:p].astype(dtype)
        while level.size > 1:
            if level.size & 1:
                level = np.concatenate([level[:-1:2] + level[1::2], level[-1:]])
            else:
                level = level[0::2] + level[1::2]
        pairwise.append(float(level[0]))
    return {"naive": np.array(naive), "kahan": np.array(kahan), "pairwise": np.array(pairwise)}


def summation(n: int = 1 << 22, value: float | None = 0.1, *, seed: int = 0, device=None, count: int = 25,
              max_numpy_terms: int = 200_000) -> dict:
    """Add n float32 terms (all ``value``, or uniform in [0, 1) when None) in several ways.

    On the device, in float32: one after another ("naive"), Kahan-compensated, and
    pairwise; in float64: one after another. Each is recorded at ``checkpoints(n)`` and
    compared with the exact sum of the same float32 terms. Returns {"n" (term counts),
    "exact", "float32_naive", "float32_kahan", "float32_pairwise", "float64_naive", and
    "error_<method>" = |sum − exact| / exact for each, "eps32", "eps64", "value",
    "float64_device"}. The numpy device loops in Python, so it refuses more than
    ``max_numpy_terms`` terms.
    """
    n = positive_int(n, "The number of terms", 1, 1 << 27)
    dev = resolve_device(device)
    if dev.kind == "numpy" and n > max_numpy_terms:
        raise ValueError(f"Summing {n:,} terms one by one on the numpy reference device loops in Python and "
                         f"would take minutes: use an OpenCL device, or at most {max_numpy_terms:,} terms.")
    if value is None:
        x32 = np.random.default_rng(seed).uniform(0, 1, n).astype(np.float32)
    else:
        v = float(value)
        if not math.isfinite(v) or v <= 0:
            raise ValueError(f"The term to add up is {value}, but it should be a positive finite number.")
        x32 = np.full(n, v, dtype=np.float32)
    points = checkpoints(n, count)
    exact = _exact_prefix_sums(x32, points)
    dev64 = _fp64_device(dev)
    results = {}
    for dt, d in ((np.float32, dev), (np.float64, dev64)):
        be = d.backend(dt)
        if is_cl(be):
            res = _sums_cl(be, be.asarray(x32, np.float32), n, points)
        else:
            if n > max_numpy_terms:
                raise ValueError(f"{d.name} has no float64 and the numpy reference would loop over {n:,} terms "
                                 f"in Python: use at most {max_numpy_terms:,} terms.")
            res = _sums_numpy(dt, x32, points)
        tag = "float32" if dt == np.float32 else "float64"
        for method, vals in res.items():
            if tag == "float64" and method != "naive":
                continue
            results[f"{tag}_{method}"] = vals
    out = {"n": points.astype(np.int64), "exact": exact, **results, "eps32": float(np.finfo(np.float32).eps),
           "eps64": float(np.finfo(np.float64).eps), "value": value, "float64_device": dev64.name}
    for key in ("float32_naive", "float32_kahan", "float32_pairwise", "float64_naive"):
        out["error_" + key] = np.abs(out[key] - exact) / np.abs(exact)
    return out


# ------------------------------------------------------------------ ill-conditioned solves

def hilbert_matrix(n: int, exact: bool = False):
    """H_ij = 1/(i + j + 1) (0-based), as floats, or as Fractions with ``exact``."""
    n = positive_int(n, "The Hilbert size")
    if exact:
        return [[Fraction(1, i + j + 1) for j in range(n)] for i in range(n)]
    i = np.arange(n)
    return 1.0 / (i[:, None] + i[None, :] + 1)


def _hilbert_inverse(n: int) -> list:
    """The exact inverse of the n×n Hilbert matrix: all its entries are integers."""
    c = math.comb
    return [[(-1) ** (i + j) * (i + j + 1) * c(n + i, n - j - 1) * c(n + j, n - i - 1) * c(i + j, i) ** 2
             for j in range(n)] for i in range(n)]


def hilbert_condition(n: int) -> float:
    """κ∞(H_n) = ‖H‖∞·‖H⁻¹‖∞, exactly (from the integer inverse), as a float."""
    n = positive_int(n, "The Hilbert size")
    h_norm = sum(Fraction(1, j + 1) for j in range(n))  # row 0 has the largest sum
    inv_norm = max(sum(abs(v) for v in row) for row in _hilbert_inverse(n))
    return float(h_norm * inv_norm)


def _solve_on(dev, dtype, a: np.ndarray, b: np.ndarray):
    """x of a·x = b by the device's elimination in ``dtype``, or None when it finds a zero pivot."""
    be = dev.backend(dtype)
    try:
        x, _ = be.gauss_solve(be.asarray(a), be.asarray(b.reshape(-1, 1)))
    except SingularMatrixError:
        return None
    return be.to_numpy(x)[:, 0].astype(np.float64)


def hilbert(sizes=range(2, 15), *, device=None) -> dict:
    """Solve H_n·x = b with b = H_n·1 (exact, then rounded), in float32 and float64, for each n.

    The exact answer is x = 1. Storing H and b in floating point already perturbs the
    problem by about eps; elimination adds more; the condition number says by how much
    any such relative error may be multiplied. Returns {"n", "cond" (exact κ∞),
    "error32", "error64" (‖x − 1‖∞, NaN where elimination met a zero pivot),
    "bound32", "bound64" (κ·eps), "float64_device"}.
    """
    ns = [positive_int(n, "The Hilbert size", 1, 40) for n in sizes]
    dev = resolve_device(device)
    dev64 = _fp64_device(dev)
    out = {"n": np.array(ns), "cond": [], "error32": [], "error64": [], "float64_device": dev64.name}
    for n in ns:
        h_exact = hilbert_matrix(n, exact=True)
        b_exact = [float(sum(row)) for row in h_exact]
        h = np.array([[float(v) for v in row] for row in h_exact])
        b = np.array(b_exact)
        out["cond"].append(hilbert_condition(n))
        for key, d, dt in (("error32", dev, np.float32), ("error64", dev64, np.float64)):
            x = _solve_on(d, dt, h.astype(dt), b.astype(dt))
            out[key].append(float(np.max(np.abs(x - 1))) if x is not None and np.all(np.isfinite(x))
                            else float("nan"))
    res = {k: (np.asarray(v, dtype=float) if isinstance(v, list) else v) for k, v in out.items()}
    res["bound32"] = res["cond"] * float(np.finfo(np.float32).eps)
    res["bound64"] = res["cond"] * float(np.finfo(np.float64).eps)
    return res


def solve_precision(a, b=None, *, device=None, names=("A", "b")) -> dict:
    """Solve A·x = b in float32 and float64 and compare; b defaults to A·1 so that x = 1.

    Returns {"x32", "x64", "x_true" (None when b was given), "error32", "error64" (against
    x_true, else against x64 for error32), "residual32", "residual64" (‖b − A·x‖∞ / ‖b‖∞),
    "cond" (s_max / s_min from the device SVD; inf when singular), "singular_values",
    "float64_device"}.
    """
    from .lowrank import svd

    an, bn = names
    a = matrix(a, an).astype(np.float64)
    if a.shape[0] != a.shape[1]:
        raise ShapeError(f"{an} is {shape_str(a.shape)}: solving {an}x = {bn} needs a square {an} "
                         "(as many equations as unknowns).")
    n = a.shape[0]
    x_true = None
    if b is None:
        x_true = np.ones(n)
        b = a @ x_true
    else:
        b = np.asarray(b, dtype=np.float64).reshape(-1)
        check_finite(b, bn)
        if b.size != n:
            raise ShapeError(f"{an} is {shape_str(a.shape)} and {bn} has {b.size} entries: {bn} needs {n}.")
    dev = resolve_device(device)
    dev64 = _fp64_device(dev)
    x32 = _solve_on(dev, np.float32, a.astype(np.float32), b.astype(np.float32))
    x64 = _solve_on(dev64, np.float64, a, b)
    dec = svd(a, device=dev64, dtype=np.float64, name=an)
    s = dec.s.astype(np.float64)
    cond = float(s[0] / s[-1]) if s[-1] > 0 else float("inf")
    ref = x_true if x_true is not None else x64
    bnorm = float(np.max(np.abs(b))) or 1.0

    def err(x):
        return float(np.max(np.abs(x - ref)) / max(float(np.max(np.abs(ref))), 1e-300)) \
            if x is not None and ref is not None else float("nan")

    def resid(x):
        return float(np.max(np.abs(b - a @ x)) / bnorm) if x is not None else float("nan")

    return {"x32": x32, "x64": x64, "x_true": x_true, "error32": err(x32),
            "error64": err(x64) if x_true is not None else 0.0 if x64 is not None else float("nan"),
            "residual32": resid(x32), "residual64": resid(x64), "cond": cond, "singular_values": s,
            "float64_device": dev64.name}
