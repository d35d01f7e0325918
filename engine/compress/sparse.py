"""Sparse storage: a matrix kept as its non-zeros only, in COO, CSR or CSC form.

* COO (coordinates): three arrays of length nnz, ``rows``, ``cols``, ``values``.
* CSR (compressed sparse rows): ``values`` and column ``indices`` of the non-zeros row
  after row, and ``indptr`` (M + 1 entries): row i owns positions indptr[i] .. indptr[i+1].
* CSC (compressed sparse columns): the same with the roles of rows and columns swapped.

Indices are int32 (4 bytes each), values keep the float type of the matrix. Every form
converts to every other and back to the dense matrix exactly (``to_dense``), and
``nbytes`` counts what its arrays take, to set against the dense ``M·N·itemsize``.

``prune`` zeroes the entries below a magnitude threshold (how a trained layer becomes
sparse); ``spmm`` multiplies a CSR matrix by a dense one with the ``k_csr_mm`` kernel
(opencl/kernels/compress_sparse.cl) on the current device, and ``spmm_timing`` sets its
time against the dense product as the density falls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ShapeError, shape_str
from ._common import (best_time, check_finite, compute_dtype, describe, is_cl, kernel, launch_2d, matrix,
                      resolve_device)

__all__ = ["COO", "CSR", "CSC", "FORMATS", "to_coo", "to_csr", "to_csc", "convert", "dense_bytes",
           "storage", "prune", "prune_fraction", "spmm", "spmv", "spmm_timing", "random_sparse"]

FORMATS = ("coo", "csr", "csc")
INDEX = np.dtype(np.int32)
#: columns of C per work-item of the CSR kernel, per dtype (a 256-bit register's worth, twice)
SPMM_TN = {np.dtype(np.float32): 16, np.dtype(np.float64): 8}
#: work-group shape (column blocks, rows) of the CSR kernel
SPMM_LOCAL = (8, 1)


def _index(a, what: str, n: int) -> np.ndarray:
    arr = np.asarray(a)
    if arr.ndim != 1:
        raise ShapeError(f"{what} should be a 1-D array of indices, not {shape_str(arr.shape)}.")
    if arr.size and arr.dtype.kind not in "iu":
        if arr.dtype.kind == "f" and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise TypeError(f"{what} should hold whole numbers (indices), not {arr.dtype} values.")
    if arr.size != n:
        raise ShapeError(f"{what} has {arr.size} entries but should have {n}.")
    return arr.astype(INDEX)


def _values(v, n: int) -> np.ndarray:
    arr = np.asarray(v)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"The values should be real numbers, not {arr.dtype}.")
    if arr.ndim != 1 or arr.size != n:
        raise ShapeError(f"The values should be a 1-D array of {n} numbers, not {describe(arr.shape)}.")
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    check_finite(arr, "The values")
    return arr


def _shape(shape) -> tuple:
    try:
        m, n = (int(s) for s in shape)
    except Exception:
        raise ShapeError(f"A sparse matrix needs a shape of two whole numbers (rows, columns), not {shape!r}.") \
            from None
    if m < 1 or n < 1:
        raise ShapeError(f"A sparse matrix of {m}×{n} has no entries: it needs at least one row and one column.")
    return m, n


class _Sparse:
    """What the three forms share: shape, nnz, density, bytes and the dense view."""

    shape: tuple
    values: np.ndarray
    kind = ""

    @property
    def nnz(self) -> int:
        """Number of stored entries."""
        return int(self.values.size)

    @property
    def density(self) -> float:
        """Stored entries over all entries (0 … 1)."""
        return self.nnz / (self.shape[0] * self.shape[1])

    @property
    def dtype(self) -> np.dtype:
        """The values' float type."""
        return self.values.dtype

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays of this form (indices at 4 bytes, values at their itemsize)."""
        return int(sum(a.nbytes for a in self.arrays().values()))

    def arrays(self) -> dict:
        """The arrays of this form by name, in the order a textbook lists them."""
        raise NotImplementedError

    def to_dense(self) -> np.ndarray:
        """The dense matrix (zeros everywhere nothing is stored)."""
        return self.to_coo().to_dense()

    def to_coo(self) -> "COO":
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{self.kind.upper()} {shape_str(self.shape)}, {self.nnz} stored, {self.nbytes} bytes>"


@dataclass(frozen=True, eq=False, repr=False)
class COO(_Sparse):
    """Coordinate form: entry k is ``values[k]`` at (``rows[k]``, ``cols[k]``).

    Entries may come in any order; repeated coordinates add up when converted.
    """

    shape: tuple
    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    kind = "coo"

    def __post_init__(self):
        m, n = _shape(self.shape)
        values = _values(self.values, np.asarray(self.values).size)
        nnz = values.size
        rows = _index(self.rows, "The row indices", nnz)
        cols = _index(self.cols, "The column indices", nnz)
        for what, idx, limit in (("row", rows, m), ("column", cols, n)):
            if idx.size and (idx.min() < 0 or idx.max() >= limit):
                bad = int(idx[(idx < 0) | (idx >= limit)][0])
                raise ShapeError(f"A {what} index is {bad}, outside 0 … {limit - 1} for a {m}×{n} matrix.")
        for name, value in (("shape", (m, n)), ("rows", rows), ("cols", cols), ("values", values)):
            object.__setattr__(self, name, value)

    def arrays(self) -> dict:
        return {"rows": self.rows, "cols": self.cols, "values": self.values}

    def to_coo(self) -> "COO":
        return self

    def to_dense(self) -> np.ndarray:
        out = np.zeros(self.shape, dtype=self.values.dtype)
        np.add.at(out, (self.rows, self.cols), self.values)
        return out


def _compressed_check(shape, indptr, indices, values, major: str, minor: str):
    """Validate a CSR/CSC triple; ``major`` is what indptr runs over ("row" for CSR)."""
    m, n = _shape(shape)
    n_major, n_minor = (m, n) if major == "row" else (n, m)
    values = _values(values, np.asarray(values).size)
    nnz = values.size
    indptr = _index(indptr, "indptr", n_major + 1)
    indices = _index(indices, "The indices", nnz)
    if indptr[0] != 0 or indptr[-1] != nnz:
        raise ShapeError(f"indptr should start at 0 and end at the number of stored values ({nnz}), "
                         f"but it runs from {indptr[0]} to {indptr[-1]}.")
    if np.any(np.diff(indptr) < 0):
        at = int(np.argmax(np.diff(indptr) < 0))
        raise ShapeError(f"indptr goes down between {major} {at} and {major} {at + 1}: it must never decrease.")
    if indices.size and (indices.min() < 0 or indices.max() >= n_minor):
        bad = int(indices[(indices < 0) | (indices >= n_minor)][0])
        raise ShapeError(f"A {minor} index is {bad}, outside 0 … {n_minor - 1} for a {m}×{n} matrix.")
    return (m, n), indptr, indices, values


@dataclass(frozen=True, eq=False, repr=False)
class CSR(_Sparse):
    """Compressed sparse rows: row i holds ``values[indptr[i]:indptr[i+1]]`` in columns
    ``indices[indptr[i]:indptr[i+1]]`` (sorted within the row when made here)."""

    shape: tuple
    indptr: np.ndarray
    indices: np.ndarray
    values: np.ndarray
    kind = "csr"

    def __post_init__(self):
        shape, indptr, indices, values = _compressed_check(self.shape, self.indptr, self.indices, self.values,
                                                           "row", "column")
        for name, value in (("shape", shape), ("indptr", indptr), ("indices", indices), ("values", values)):
            object.__setattr__(self, name, value)

    def arrays(self) -> dict:
        return {"indptr": self.indptr, "indices": self.indices, "values": self.values}

    def to_coo(self) -> COO:
        rows = np.repeat(np.arange(self.shape[0], dtype=INDEX), np.diff(self.indptr))
        return COO(self.shape, rows, self.indices.copy(), self.values.copy())

    def row(self, i: int) -> tuple:
        """(columns, values) of row i's stored entries."""
        s, e = self.indptr[i], self.indptr[i + 1]
        return self.indices[s:e], self.values[s:e]


@dataclass(frozen=True, eq=False, repr=False)
class CSC(_Sparse):
    """Compressed sparse columns: column j holds ``values[indptr[j]:indptr[j+1]]`` in rows
    ``indices[indptr[j]:indptr[j+1]]``."""

    shape: tuple
    indptr: np.ndarray
    indices: np.ndarray
    values: np.ndarray
    kind = "csc"

    def __post_init__(self):
        shape, indptr, indices, values = _compressed_check(self.shape, self.indptr, self.indices, self.values,
                                                           "column", "row")
        for name, value in (("shape", shape), ("indptr", indptr), ("indices", indices), ("values", values)):
            object.__setattr__(self, name, value)

    def arrays(self) -> dict:
        return {"indptr": self.indptr, "indices": self.indices, "values": self.values}

    def to_coo(self) -> COO:
        cols = np.repeat(np.arange(self.shape[1], dtype=INDEX), np.diff(self.indptr))
        return COO(self.shape, self.indices.copy(), cols, self.values.copy())


# ------------------------------------------------------------------ conversions

def _from_dense(a, name: str) -> COO:
    arr = matrix(a, name)
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    rows, cols = np.nonzero(arr)  # row-major order: already sorted for CSR
    return COO(arr.shape, rows, cols, arr[rows, cols])


def _sum_duplicates(major, minor, values, n_minor):
    """Sort by (major, minor) and add up entries at the same coordinates."""
    order = np.lexsort((minor, major))
    major, minor, values = major[order], minor[order], values[order]
    if major.size:
        key = major.astype(np.int64) * n_minor + minor
        first = np.concatenate(([True], key[1:] != key[:-1]))
        if not first.all():
            starts = np.flatnonzero(first)
            values = np.add.reduceat(values, starts)
            major, minor = major[starts], minor[starts]
    return major, minor, values


def _compress(coo: COO, by: str):
    m, n = coo.shape
    if by == "row":
        major, minor, values = _sum_duplicates(coo.rows, coo.cols, coo.values, n)
        n_major = m
    else:
        major, minor, values = _sum_duplicates(coo.cols, coo.rows, coo.values, m)
        n_major = n
    indptr = np.zeros(n_major + 1, dtype=INDEX)
    np.cumsum(np.bincount(major, minlength=n_major), out=indptr[1:])
    return indptr, minor, values


def to_coo(a, *, name: str = "A") -> COO:
    """COO form of a dense matrix (its non-zeros, row after row) or of another form."""
    if isinstance(a, _Sparse):
        return a.to_coo()
    return _from_dense(a, name)


def to_csr(a, *, name: str = "A") -> CSR:
    """CSR form of a dense matrix or another form (repeated COO coordinates add up)."""
    if isinstance(a, CSR):
        return a
    coo = to_coo(a, name=name)
    indptr, indices, values = _compress(coo, "row")
    return CSR(coo.shape, indptr, indices, values)


def to_csc(a, *, name: str = "A") -> CSC:
    """CSC form of a dense matrix or another form."""
    if isinstance(a, CSC):
        return a
    coo = to_coo(a, name=name)
    indptr, indices, values = _compress(coo, "column")
    return CSC(coo.shape, indptr, indices, values)


def convert(a, form: str, *, name: str = "A"):
    """``a`` (dense or any form) in ``form``: "coo", "csr", "csc" or "dense"."""
    key = str(form).lower()
    if key == "dense":
        return a.to_dense() if isinstance(a, _Sparse) else matrix(a, name).copy()
    makers = {"coo": to_coo, "csr": to_csr, "csc": to_csc}
    if key not in makers:
        raise ValueError(f"There is no sparse format {form!r}: choose coo, csr, csc or dense.")
    return makers[key](a, name=name)


def dense_bytes(shape, dtype=np.float32) -> int:
    """Bytes of a dense M×N matrix of ``dtype``."""
    m, n = _shape(shape)
    return m * n * np.dtype(dtype).itemsize


def storage(a, *, dtype=None, name: str = "A") -> dict:
    """Bytes of ``a`` dense and in each sparse form, with its nnz and density.

    ``dtype`` sets the value type counted (default: the matrix's own float type, float64
    for integers). Returns {"dense", "coo", "csr", "csc", "nnz", "density", "shape"}; the
    break-even density of CSR against dense is ``break_even_density(shape, dtype)``.
    """
    coo = to_coo(a, name=name)
    dt = np.dtype(dtype) if dtype is not None else coo.dtype
    if coo.dtype != dt:
        coo = COO(coo.shape, coo.rows, coo.cols, coo.values.astype(dt))
    out = {"shape": coo.shape, "nnz": coo.nnz, "density": coo.density, "dense": dense_bytes(coo.shape, dt)}
    for form in FORMATS:
        out[form] = convert(coo, form).nbytes
    return out


def break_even_density(shape, dtype=np.float32) -> float:
    """The density below which CSR takes fewer bytes than the dense matrix.

    CSR needs (M + 1)·4 + nnz·(4 + itemsize) bytes against M·N·itemsize.
    """
    m, n = _shape(shape)
    item = np.dtype(dtype).itemsize
    return max(0.0, (m * n * item - (m + 1) * INDEX.itemsize) / (item + INDEX.itemsize)) / (m * n)


# ------------------------------------------------------------------ pruning

def prune(a, threshold: float, *, name: str = "A") -> np.ndarray:
    """A copy of ``a`` with every entry of magnitude below ``threshold`` set to zero.

    Raises ValueError when the threshold would remove every entry (nothing would be
    left to store or multiply), or when it is negative or not a number.
    """
    arr = matrix(a, name)
    try:
        t = float(threshold)
    except (TypeError, ValueError):
        raise TypeError(f"The pruning threshold should be a number, not {threshold!r}.") from None
    if not np.isfinite(t) or t < 0:
        raise ValueError(f"The pruning threshold is {t}, but it should be a finite number of 0 or more.")
    keep = np.abs(arr) >= t
    if not keep.any() or not np.any(arr[keep] != 0):
        largest = float(np.max(np.abs(arr)))
        if largest == 0:
            raise ValueError(f"{name} is all zeros: there is nothing to prune or store.")
        raise ValueError(f"A threshold of {t:.4g} removes every entry of {name} (its largest magnitude is "
                         f"{largest:.4g}): choose a threshold below {largest:.4g}.")
    out = np.where(keep, arr, 0).astype(arr.dtype if arr.dtype.kind == "f" else np.float64)
    return out


def prune_fraction(a, fraction: float, *, name: str = "A") -> tuple:
    """(pruned copy, threshold) removing the ``fraction`` (0 ≤ f < 1) of entries smallest in magnitude."""
    arr = matrix(a, name)
    f = float(fraction)
    if not 0 <= f < 1:
        raise ValueError(f"The fraction to prune is {f}, but it should be at least 0 and below 1 "
                         "(pruning everything leaves nothing to store).")
    mags = np.sort(np.abs(arr), axis=None)
    k = int(np.floor(f * mags.size))
    threshold = float(mags[k]) if k < mags.size else float(mags[-1])
    if k == 0:
        threshold = 0.0
    return prune(arr, threshold, name=name), threshold


def random_sparse(shape, density: float, seed: int = 0, dtype=np.float32) -> np.ndarray:
    """A dense matrix with about ``density`` of its entries non-zero (normal values), for demos and benches."""
    m, n = _shape(shape)
    if not 0 < float(density) <= 1:
        raise ValueError(f"The density is {density}, but it should be above 0 and at most 1.")
    rng = np.random.default_rng(seed)
    mask = rng.random((m, n)) < density
    if not mask.any():
        mask[rng.integers(m), rng.integers(n)] = True
    return np.where(mask, rng.normal(size=(m, n)), 0).astype(dtype)


# ------------------------------------------------------------------ products

class DeviceCSR:
    """A CSR matrix uploaded once to a backend, ready for repeated products.

    Keeps the three arrays on the device (indices int32, values in the backend's dtype).
    ``matmul(b_dev)`` queues C = A·B and returns C as a backend array without waiting.
    """

    def __init__(self, csr: CSR, backend):
        self.shape = csr.shape
        self.nnz = csr.nnz
        self.backend = backend
        if is_cl(backend):
            self.indptr = backend.asarray(csr.indptr, np.int32)
            # an empty buffer still needs a size: a zero-length upload gives a 1-byte buffer
            self.indices = backend.asarray(csr.indices if csr.nnz else np.zeros(1, INDEX), np.int32)
            self.values = backend.asarray(csr.values if csr.nnz else np.zeros(1), backend.dtype)
        else:
            self.csr = csr
            self.values = csr.values.astype(backend.dtype)

    def matmul(self, b):
        """C = A·B for a backend array B of shape (K, N); returns C (M, N) on the backend."""
        be = self.backend
        m, k = self.shape
        if b.ndim != 2 or b.shape[0] != k:
            raise ShapeError(f"A is {m}×{k} and B is {describe(b.shape)}: A·B needs B's rows to equal A's columns ({k}).")
        n = b.shape[1]
        if not is_cl(be):
            out = np.zeros((m, n), dtype=be.dtype)
            rows = np.repeat(np.arange(m), np.diff(self.csr.indptr))
            # scatter-add of each stored a_ik times row k of B: the same work the kernel does
            np.add.at(out, rows, self.values[:, None] * b[self.csr.indices])
            return out
        c = be.empty((m, n))
        tn = SPMM_TN[be.dtype]
        kern = kernel(be, "compress_sparse.cl", "k_csr_mm", "bbbbbii", {"TN": tn})
        blocks = -(-n // tn)
        # a single column block (SpMV, thin B): put the work-group along the rows instead
        local = SPMM_LOCAL if blocks > 1 else (1, SPMM_LOCAL[0] * SPMM_LOCAL[1] * 8)
        launch_2d(kern, be, blocks, m, self.indptr.buf, self.indices.buf, self.values.buf, b.buf, c.buf, m, n,
                  local=local)
        return c


def _operands(a, b, names):
    an, bn = names
    csr = to_csr(a, name=an)
    barr = np.asarray(b)
    vector = barr.ndim == 1
    b2 = matrix(barr.reshape(-1, 1) if vector else barr, bn)
    if b2.shape[0] != csr.shape[1]:
        raise ShapeError(f"{an} is {shape_str(csr.shape)} and {bn} is {describe(barr.shape)}: {an}·{bn} needs "
                         f"{bn}'s {'entries' if vector else 'rows'} ({b2.shape[0]}) to equal {an}'s columns "
                         f"({csr.shape[1]}).")
    return csr, b2, vector


def spmm(a, b, *, device=None, dtype=None, names=("A", "B")) -> np.ndarray:
    """A·B with A sparse (a CSR/COO/CSC form, or a dense matrix converted to CSR) and B dense.

    Computed on ``device`` (default the current one) by the CSR kernel. A 1-D B is a
    column vector and gives a 1-D result (that is SpMV).
    """
    csr, b2, vector = _operands(a, b, names)
    dev = resolve_device(device)
    dt = compute_dtype(dev, csr.values, b2, dtype=dtype)
    be = dev.backend(dt)
    out = be.to_numpy(DeviceCSR(csr, be).matmul(be.asarray(b2)))
    return out[:, 0].copy() if vector else out


def spmv(a, x, *, device=None, dtype=None, names=("A", "x")) -> np.ndarray:
    """A·x with A sparse and x a vector: ``spmm`` with one column."""
    xarr = np.asarray(x)
    if xarr.ndim != 1:
        raise ShapeError(f"{names[1]} is {describe(xarr.shape)}: SpMV multiplies by a vector (1-D).")
    return spmm(a, xarr, device=device, dtype=dtype, names=names)


def spmm_timing(m: int = 512, k: int = 512, n: int = 64, densities=(1.0, 0.5, 0.25, 0.1, 0.05, 0.02, 0.01),
                *, device=None, dtype=np.float32, repeats: int = 5, seed: int = 0) -> dict:
    """Time A·B with A (m×k) stored in CSR against the dense product, density by density.

    Both operands are on the device before the clock starts; each time is the fastest of
    ``repeats`` waited-for runs (seconds). Returns {"density": actual densities,
    "sparse_s", "dense_s", "speedup" (dense / sparse), "shape": (m, k, n), "device": name}.
    """
    m = int(m)
    k = int(k)
    n = int(n)
    dens = [float(d) for d in densities]
    if not dens:
        raise ValueError("Give at least one density to time.")
    dev = resolve_device(device)
    dt = compute_dtype(dev, dtype=dtype)
    be = dev.backend(dt)
    rng = np.random.default_rng(seed)
    b_dev = be.asarray(rng.normal(size=(k, n)))
    out = {"density": [], "sparse_s": [], "dense_s": [], "shape": (m, k, n), "device": dev.name}
    for i, d in enumerate(dens):
        a = random_sparse((m, k), d, seed=seed + 1 + i, dtype=dt)
        csr = to_csr(a)
        sparse = DeviceCSR(csr, be)
        a_dev = be.asarray(a)
        out["density"].append(csr.density)
        out["sparse_s"].append(best_time(lambda: sparse.matmul(b_dev), be, repeats))
        out["dense_s"].append(best_time(lambda: be.matmul(a_dev, b_dev), be, repeats))
    out["speedup"] = [ds / ss if ss > 0 else float("inf") for ds, ss in zip(out["dense_s"], out["sparse_s"])]
    for key in ("density", "sparse_s", "dense_s", "speedup"):
        out[key] = np.asarray(out[key])
    return out
