"""Low-rank compression: the SVD on the device, rank-k approximations, factorised layers, PCA.

``svd`` runs the one-sided Jacobi method (Hestenes) with the kernels of
opencl/kernels/compress_svd.cl: it rotates pairs of columns of A until every pair is
orthogonal; the column lengths are then the singular values. Every sweep visits all
n(n−1)/2 pairs in n−1 rounds of disjoint pairs (one kernel launch per round, one
work-item per pair) and reads back n/2 numbers to decide whether to sweep again. The
numpy device runs the same rounds vectorised, so both devices compute the same thing.

By Eckart–Young, keeping the k largest singular values, A_k = U_k Σ_k V_kᵀ, gives the
closest rank-k matrix in both the Frobenius and the spectral norm; it is stored in
k·(m + n) numbers instead of m·n. ``factorize_dense`` applies that to a trained dense
layer (W ≈ U_k·(Σ_k V_kᵀ) becomes two smaller layers) and ``accuracy_vs_rank`` measures
what each rank costs. ``pca`` finds the principal directions of a data set from the
SVD of the centred data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ShapeError, shape_str
from ..spec import NetworkSpec
from ._common import as_array, check_finite, compute_dtype, is_cl, kernel, launch_1d, launch_2d, matrix, \
    resolve_device
from ._network import copy_model, dense_layer_indices, evaluate, test_split

__all__ = ["SVD", "svd", "LowRank", "low_rank", "factorize_dense", "accuracy_vs_rank", "PCA", "pca",
           "default_ranks"]

#: sweeps after which ``svd`` gives up (a well-scaled matrix converges in well under 15)
MAX_SWEEPS = 30


@dataclass(frozen=True, eq=False)
class SVD:
    """A = U·diag(s)·Vᵀ with s descending: u (m, r), s (r,), vt (r, n), r = min(m, n).

    Columns of u that belong to a zero singular value are zero. ``sweeps`` counts the
    Jacobi sweeps, ``off`` is the largest |cos| between two columns after the last one,
    ``converged`` says whether it fell below the tolerance.
    """

    u: np.ndarray
    s: np.ndarray
    vt: np.ndarray
    sweeps: int
    converged: bool
    off: float
    tol: float
    device: str
    dtype: np.dtype

    @property
    def shape(self) -> tuple:
        """The shape of A."""
        return (self.u.shape[0], self.vt.shape[1])

    @property
    def rank_max(self) -> int:
        """min(m, n): the most singular values A has."""
        return int(self.s.size)

    def numerical_rank(self, rtol: float | None = None) -> int:
        """How many singular values exceed rtol·s_max (default: max(m, n)·eps of the dtype)."""
        if self.s.size == 0 or self.s[0] == 0:
            return 0
        if rtol is None:
            rtol = max(self.shape) * float(np.finfo(self.dtype).eps)
        return int(np.sum(self.s > rtol * self.s[0]))

    def reconstruct(self, k: int | None = None) -> np.ndarray:
        """U_k·diag(s_k)·V_kᵀ on the host (all singular values when k is None)."""
        k = self.rank_max if k is None else int(k)
        return (self.u[:, :k] * self.s[:k]) @ self.vt[:k]


def _pairs(round_: int, n2: int) -> tuple:
    """The round-robin pairs of one round (see compress_svd.cl), as two index arrays."""
    last = n2 - 1
    k = np.arange(n2 // 2)
    p = (round_ + k) % last
    q = (round_ - k) % last
    p[0], q[0] = round_, last
    return p, q


def _jacobi_numpy(g: np.ndarray, tol: float, max_sweeps: int) -> tuple:
    """The kernels' algorithm in numpy, a round at a time. g is n × m, changed in place."""
    n, m = g.shape
    w = np.eye(n, dtype=g.dtype)
    n2 = n + (n & 1)
    off = float("inf")
    sweeps = 0
    schedule = [_pairs(r, n2) for r in range(n2 - 1)]
    for sweeps in range(1, max_sweeps + 1):
        off = 0.0
        for p, q in schedule:
            ok = (p < n) & (q < n)
            p, q = p[ok], q[ok]
            if p.size == 0:
                continue
            gp, gq = g[p], g[q]
            alpha = np.einsum("ij,ij->i", gp, gp)
            beta = np.einsum("ij,ij->i", gq, gq)
            gamma = np.einsum("ij,ij->i", gp, gq)
            live = (alpha > 0) & (beta > 0)
            with np.errstate(divide="ignore", invalid="ignore"):
                measure = np.where(live, np.abs(gamma) / np.sqrt(alpha) / np.sqrt(beta), 0)
                off = max(off, float(measure.max(initial=0)))
                turn = measure > tol
                zeta = np.where(turn, (beta - alpha) / (2 * gamma), 0)
                t = np.where(zeta >= 0, 1, -1) / (np.abs(zeta) + np.sqrt(1 + zeta * zeta))
            c = np.where(turn, 1 / np.sqrt(1 + t * t), 1).astype(g.dtype)[:, None]
            s = np.where(turn, c[:, 0] * t, 0).astype(g.dtype)[:, None]
            g[p], g[q] = c * gp - s * gq, s * gp + c * gq
            wp, wq = w[p], w[q]
            w[p], w[q] = c * wp - s * wq, s * wp + c * wq
        if off <= tol:
            break
    norms = np.sqrt(np.einsum("ij,ij->i", g, g))
    nz = norms > 0
    g[nz] /= norms[nz, None]
    return g, norms, w, sweeps, off


def _jacobi_cl(be, g_host: np.ndarray, tol: float, max_sweeps: int) -> tuple:
    n, m = g_host.shape
    n2 = n + (n & 1)
    half = n2 // 2
    g = be.asarray(g_host)
    w = be.empty((n, n))
    launch_2d(kernel(be, "compress_svd.cl", "k_jacobi_eye", "bi"), be, n, n, w.buf, n)
    off_dev = be.empty((half,))
    rnd = kernel(be, "compress_svd.cl", "k_jacobi_round", "bbbiiiir")
    off = float("inf")
    sweeps = 0
    for sweeps in range(1, max_sweeps + 1):
        for r in range(n2 - 1):
            launch_1d(rnd, be, half, g.buf, w.buf, off_dev.buf, n, m, n2, r, tol)
        off = float(np.max(be.to_numpy(off_dev)))  # one read per sweep: the convergence test
        if off <= tol:
            break
    s = be.empty((n,))
    launch_1d(kernel(be, "compress_svd.cl", "k_jacobi_norms", "bbii"), be, n, g.buf, s.buf, n, m)
    return be.to_numpy(g), be.to_numpy(s), be.to_numpy(w), sweeps, off


def default_tol(m: int, dtype) -> float:
    """When two columns count as orthogonal: |cos| ≤ eps·√m (rounding of a length-m dot product)."""
    return float(np.finfo(dtype).eps) * math.sqrt(max(m, 1)) * 4


def svd(a, *, device=None, dtype=None, tol: float | None = None, max_sweeps: int = MAX_SWEEPS,
        name: str = "A") -> SVD:
    """The thin SVD of a matrix by one-sided Jacobi on ``device`` (default the current one).

    Works on the columns of A when m ≥ n, otherwise on Aᵀ. The matrix is scaled to
    max|a| = 1 first (so squared lengths cannot overflow float32) and the singular values
    scaled back. float64 input computes in float64 where the device has it.
    """
    arr = matrix(a, name)
    dev = resolve_device(device)
    dt = compute_dtype(dev, arr, dtype=dtype)
    m0, n0 = arr.shape
    flip = m0 < n0
    x = (arr.T if flip else arr).astype(np.float64)
    m, n = x.shape
    big = float(np.max(np.abs(x)))
    tol = default_tol(m, dt) if tol is None else float(tol)
    if big == 0:  # the zero matrix: every singular value 0
        u = np.zeros((m, n), dtype=dt)
        g, norms, w, sweeps, off = u.T, np.zeros(n, dt), np.eye(n, dtype=dt), 0, 0.0
    else:
        g0 = np.ascontiguousarray((x / big).T).astype(dt)
        be = dev.backend(dt)
        if is_cl(be):
            g, norms, w, sweeps, off = _jacobi_cl(be, g0, tol, int(max_sweeps))
        else:
            g, norms, w, sweeps, off = _jacobi_numpy(g0, tol, int(max_sweeps))
    order = np.argsort(-norms, kind="stable")
    s = (norms[order].astype(np.float64) * big).astype(dt)
    u = np.ascontiguousarray(g[order].T)
    vt = np.ascontiguousarray(w[order])
    if flip:  # Aᵀ = U S Vᵀ, so A = V S Uᵀ
        u, vt = np.ascontiguousarray(vt.T), np.ascontiguousarray(u.T)
    return SVD(u, s, vt, int(sweeps), bool(off <= tol), float(off), tol, dev.name, np.dtype(dt))


# ------------------------------------------------------------------ rank k

def _rank(k, limit: int, shape, name: str) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        if isinstance(k, (float, np.floating)) and float(k).is_integer():
            k = int(k)
        else:
            raise ValueError(f"The rank should be a whole number, not {k!r}.")
    k = int(k)
    if not 1 <= k <= limit:
        raise ValueError(f"The rank is {k}, but {name} is {shape_str(shape)}, so its rank is at most {limit}: "
                         f"choose a rank from 1 to {limit}.")
    return k


@dataclass(frozen=True, eq=False)
class LowRank:
    """The best rank-k approximation of A and what it costs and saves.

    ``relative`` = ‖A − A_k‖_F / ‖A‖_F; ``spectral`` = ‖A − A_k‖₂ = s_{k+1} (0 at full
    rank); ``energy`` = Σ_{i≤k} s_i² / Σ s_i²; ``params`` = k·(m + n) numbers stored
    (U_k with Σ_k folded in, and V_k) against ``params_full`` = m·n.
    """

    approx: np.ndarray
    k: int
    error_fro: float
    relative: float
    spectral: float
    energy: float
    params: int
    params_full: int

    @property
    def ratio(self) -> float:
        """Stored numbers over the dense matrix's (below 1 saves space)."""
        return self.params / self.params_full


def low_rank(a, k: int, *, svd_result: SVD | None = None, device=None, name: str = "A") -> LowRank:
    """A_k = U_k Σ_k V_kᵀ (the product computed on the device) with its errors and sizes.

    Pass ``svd_result`` (from ``svd(a)``) to try many ranks without repeating the SVD.
    """
    arr = matrix(a, name)
    m, n = arr.shape
    k = _rank(k, min(m, n), arr.shape, name)
    dec = svd(arr, device=device, name=name) if svd_result is None else svd_result
    if dec.shape != arr.shape:
        raise ShapeError(f"The SVD given is of a {shape_str(dec.shape)} matrix but {name} is {shape_str(arr.shape)}.")
    dev = resolve_device(device)
    be = dev.backend(dec.dtype if (dec.dtype != np.float64 or dev.fp64) else np.float32)
    us = be.asarray(dec.u[:, :k] * dec.s[:k])
    approx = be.to_numpy(be.matmul(us, be.asarray(dec.vt[:k])))
    a64 = arr.astype(np.float64)
    err = float(np.linalg.norm(a64 - approx))
    total = float(np.linalg.norm(a64))
    s2 = dec.s.astype(np.float64) ** 2
    return LowRank(
        approx=approx, k=k, error_fro=err, relative=err / total if total > 0 else 0.0,
        spectral=float(dec.s[k]) if k < dec.s.size else 0.0,
        energy=float(s2[:k].sum() / s2.sum()) if s2.sum() > 0 else 1.0,
        params=k * (m + n), params_full=m * n)


def default_ranks(limit: int, count: int = 16) -> list:
    """Ranks to try for an accuracy-vs-rank curve: every one up to ``count``, else spread
    out (denser at low ranks, where accuracy changes fastest) and always ending at ``limit``."""
    if limit <= count:
        return list(range(1, limit + 1))
    ranks = np.unique(np.round(np.geomspace(1, limit, count)).astype(int))
    return [int(r) for r in ranks]


def _dense_layer(model, layer) -> int:
    dense = dense_layer_indices(model.spec)
    if not dense:
        raise ValueError("This network has no dense layer to factorise.")
    if layer is None:
        return max(dense, key=lambda i: math.prod(model.spec.param_shapes()[f"{i}.W"]))
    if isinstance(layer, str):
        head = layer.split(".", 1)[0]
        if not head.isdigit():
            raise ValueError(f"{layer!r} names no layer: give a layer index or a parameter name like '0.W'.")
        layer = int(head)
    if not isinstance(layer, (int, np.integer)) or not 0 <= int(layer) < len(model.spec.layers):
        raise ValueError(f"There is no layer {layer!r}: this network has layers 0 to {len(model.spec.layers) - 1}.")
    if int(layer) not in dense:
        kind = model.spec.layers[int(layer)].kind
        raise ValueError(f"Layer {int(layer)} is a {kind} layer; only dense layers can be factorised "
                         f"(the dense layers are {', '.join(map(str, dense))}).")
    return int(layer)


def factorize_dense(model, layer=None, k: int = 1, *, svd_result: SVD | None = None) -> tuple:
    """A copy of ``model`` with dense layer ``layer``'s W (out × in) replaced by its rank-k factors.

    The layer becomes two: a linear dense layer of k units with W₁ = Σ_k V_kᵀ (k × in) and
    no bias, then the original units and activation with W₂ = U_k (out × k) and the
    original bias, so it stores k·(in + out) weights instead of in·out. At k = min(in, out)
    the copy computes what the original does (up to rounding).

    ``layer`` is a layer index or a parameter name ("2.W"); None picks the largest dense
    layer. Returns (model, info) with info = {"layer", "k", "params", "params_full"}.
    """
    index = _dense_layer(model, layer)
    params = model.params()
    w = params[f"{index}.W"]
    out_units, in_units = w.shape
    k = _rank(k, min(w.shape), w.shape, f"layer {index}'s W")
    dec = svd(w, device=model.device, dtype=model.dtype, name=f"layer {index}'s W") if svd_result is None \
        else svd_result
    spec_d = model.spec.to_dict()
    layers = spec_d["layers"]
    old = layers[index]
    layers[index:index + 1] = [{"type": "dense", "units": k, "activation": "linear"}, old]
    spec_d["layers"] = layers
    spec = NetworkSpec.from_dict(spec_d)
    new_params = {}
    for name, value in params.items():
        i, rest = name.split(".", 1)
        i = int(i)
        if i < index:
            new_params[name] = value
        elif i > index:
            new_params[f"{i + 1}.{rest}"] = value
    new_params[f"{index}.W"] = (dec.s[:k, None].astype(np.float64) * dec.vt[:k]).astype(w.dtype)
    new_params[f"{index}.b"] = np.zeros(k, dtype=w.dtype)
    new_params[f"{index + 1}.W"] = dec.u[:, :k].astype(w.dtype)
    new_params[f"{index + 1}.b"] = params[f"{index}.b"]
    copy = copy_model(model, new_params, spec)
    info = {"layer": index, "k": k, "params": k * (in_units + out_units) + out_units,
            "params_full": in_units * out_units + out_units}
    return copy, info


def accuracy_vs_rank(model, data, layer=None, ranks=None) -> dict:
    """Test accuracy and loss of ``model`` with one dense layer factorised at each rank.

    One SVD of the layer's W, then a factorised copy per rank. Returns {"layer",
    "ranks", "accuracy" (None entries for regression), "loss", "params" (of that layer,
    bias included), "params_full", "full" ({"loss", "accuracy"} of the original),
    "singular_values"}. Losses are data losses (no regularisation penalty).
    """
    index = _dense_layer(model, layer)
    w = model.params()[f"{index}.W"]
    limit = min(w.shape)
    ranks = default_ranks(limit) if ranks is None else [_rank(k, limit, w.shape, f"layer {index}'s W")
                                                         for k in ranks]
    x, y = test_split(data)
    dec = svd(w, device=model.device, dtype=model.dtype, name=f"layer {index}'s W")
    out = {"layer": index, "ranks": [], "accuracy": [], "loss": [], "params": [], "params_full": 0,
           "full": evaluate(model, x, y), "singular_values": dec.s.astype(np.float64)}
    for k in ranks:
        copy, info = factorize_dense(model, index, k, svd_result=dec)
        metrics = evaluate(copy, x, y)
        out["ranks"].append(k)
        out["accuracy"].append(metrics["accuracy"])
        out["loss"].append(metrics["loss"])
        out["params"].append(info["params"])
        out["params_full"] = info["params_full"]
    return out


# ------------------------------------------------------------------ PCA

@dataclass(frozen=True, eq=False)
class PCA:
    """Principal components of a data set (rows are samples).

    ``components`` (k, F) are unit directions, most variance first; ``scores`` (N, k)
    the samples' coordinates along them; ``explained_variance`` (k,) the variance along
    each (s²/(N − 1)); ``ratio`` (k,) its share of the total variance.
    """

    mean: np.ndarray
    components: np.ndarray
    singular_values: np.ndarray
    explained_variance: np.ndarray
    ratio: np.ndarray
    scores: np.ndarray
    sample_shape: tuple

    def component_images(self) -> np.ndarray:
        """The components in the samples' own shape, e.g. (k, 8, 8) for digits."""
        return self.components.reshape((-1,) + tuple(self.sample_shape))

    def reconstruct(self, k: int | None = None) -> np.ndarray:
        """The samples rebuilt from their first k components (all by default), flattened."""
        k = self.components.shape[0] if k is None else int(k)
        return self.mean + self.scores[:, :k] @ self.components[:k]


def pca(x, k: int | None = None, *, device=None, dtype=None, name: str = "The data") -> PCA:
    """PCA of ``x`` (N samples, any per-sample shape) from the SVD of the centred data on the device."""
    arr = as_array(x, name)
    if arr.ndim < 2:
        raise ShapeError(f"{name} is {shape_str(arr.shape)}: PCA needs samples as rows, shape (N, features…).")
    n = arr.shape[0]
    if n < 2:
        raise ShapeError(f"{name} has {n} sample: PCA needs at least 2 to measure any variance.")
    check_finite(arr, name)
    flat = arr.reshape(n, -1).astype(np.float64)
    f = flat.shape[1]
    limit = min(n, f)
    k = limit if k is None else _rank(k, limit, (n, f), name)
    mean = flat.mean(axis=0)
    centred = flat - mean
    dec = svd(centred, device=device, dtype=dtype, name=name)
    s = dec.s.astype(np.float64)
    var = s ** 2 / (n - 1)
    total = var.sum()
    components = dec.vt[:k].astype(np.float64)
    # a deterministic sign: the largest entry of each component is positive
    signs = np.sign(components[np.arange(k), np.argmax(np.abs(components), axis=1)])
    signs[signs == 0] = 1
    components *= signs[:, None]
    scores = centred @ components.T
    return PCA(mean, components, s[:k], var[:k], var[:k] / total if total > 0 else np.zeros(k), scores,
               tuple(arr.shape[1:]))
