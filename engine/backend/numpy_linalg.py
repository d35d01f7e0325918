"""Linear-algebra ops of the numpy reference backend, and the checks and messages both
backends share.

The reference is deliberately plain: each op is the obvious numpy expression in the
backend's dtype, and ``gauss_solve`` follows the very steps of the OpenCL kernels
(partial pivoting, Gauss-Jordan, the same singularity tolerance), so a device result
can be compared with it number for number.
"""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError, SingularMatrixError, shape_str


def _quiet():
    return np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore")


def pivot_tolerance_scale(n: int, dtype) -> float:
    """n · eps(dtype): a pivot of magnitude ≤ this times max|a| counts as zero.

    Relative to the largest entry, so scaling a matrix never changes whether it is
    singular; n·eps is the usual bound on the rounding error elimination accumulates.
    The same rule as ``engine.explain.pivot_tolerance``.
    """
    return float(n * np.finfo(np.dtype(dtype)).eps)


def singular_message(column: int, n: int, tol: float, name: str = "The matrix",
                     consequence: str = "so it has no inverse") -> str:
    """The sentence for a matrix whose 0-based ``column`` has no usable pivot."""
    c = column + 1
    rows = f"row {c}" if c == n else f"rows {c} to {n}"
    return (
        f"{name} is singular: column {c} has no non-zero pivot in {rows} "
        f"(none exceeds {tol:.3g}, the size below which a pivot counts as zero), {consequence}. "
        "Check for a row or column that is a combination of others."
    )


def check_same_shape(op: str, a, b) -> None:
    """Elementwise ops need operands of one shape."""
    if tuple(a.shape) != tuple(b.shape):
        raise ShapeError(
            f"{op} works element by element, so both operands need the same shape; "
            f"they are {shape_str(a.shape)} and {shape_str(b.shape)}."
        )


def matmul_shape(a, b, trans_a: bool, trans_b: bool) -> tuple[int, int, int]:
    """(M, N, K) of op(a)·op(b), or a ShapeError naming both shapes."""
    if a.ndim != 2 or b.ndim != 2:
        raise ShapeError(
            f"matmul multiplies 2-D arrays, not {shape_str(a.shape)} and {shape_str(b.shape)}."
        )
    m, k = (a.shape[1], a.shape[0]) if trans_a else a.shape
    k2, n = (b.shape[1], b.shape[0]) if trans_b else b.shape
    if k != k2:
        ta = "ᵀ" if trans_a else ""
        tb = "ᵀ" if trans_b else ""
        raise ShapeError(
            f"A{ta}·B{tb} needs the columns of A{ta} ({k}) to equal the rows of B{tb} ({k2}); "
            f"A is {shape_str(a.shape)} and B is {shape_str(b.shape)}."
        )
    return int(m), int(n), int(k)


def check_out(out, m: int, n: int) -> None:
    """``out`` of a matmul must have the product's shape."""
    if tuple(out.shape) != (m, n):
        raise ShapeError(
            f"The product is {shape_str((m, n))}, so out must be too, not {shape_str(out.shape)}."
        )


def check_gauss(a, b) -> tuple[int, int]:
    """(n, m) of a system a (n, n), b (n, m), or a ShapeError."""
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ShapeError(f"Gaussian elimination needs a square matrix, not {shape_str(a.shape)}.")
    if b.ndim != 2 or b.shape[0] != a.shape[0]:
        raise ShapeError(
            f"The right-hand side must be 2-D with as many rows as the matrix ({a.shape[0]}), "
            f"not {shape_str(b.shape)}."
        )
    return int(a.shape[0]), int(b.shape[1])


class NumpyLinalgOps:
    """Mixin; see engine/backend/base.py for the contract.

    Overflow gives inf silently, as on a device: callers check results, not warnings.
    """

    def add(self, a, b):
        check_same_shape("add", a, b)
        with _quiet():
            return np.add(a, b, dtype=self.dtype)

    def sub(self, a, b):
        check_same_shape("sub", a, b)
        with _quiet():
            return np.subtract(a, b, dtype=self.dtype)

    def mul(self, a, b):
        check_same_shape("mul", a, b)
        with _quiet():
            return np.multiply(a, b, dtype=self.dtype)

    def scale(self, a, s: float):
        with _quiet():
            return (self.dtype.type(s) * a).astype(self.dtype, copy=False)

    def axpy(self, alpha: float, x, y) -> None:
        if x.size != y.size:
            raise ShapeError(f"axpy needs x and y of one size, not {shape_str(x.shape)} and {shape_str(y.shape)}.")
        with _quiet():
            y.reshape(-1)[...] += self.dtype.type(alpha) * x.reshape(-1)

    def matmul(self, a, b, trans_a: bool = False, trans_b: bool = False, out=None, accumulate: bool = False):
        m, n, _ = matmul_shape(a, b, trans_a, trans_b)
        with _quiet():
            prod = np.matmul(a.T if trans_a else a, b.T if trans_b else b).astype(self.dtype, copy=False)
        if out is None:
            return np.ascontiguousarray(prod)
        check_out(out, m, n)
        if accumulate:
            with _quiet():
                out += prod
        else:
            out[...] = prod
        return out

    def transpose(self, a):
        if a.ndim != 2:
            raise ShapeError(f"transpose needs a 2-D array, not {shape_str(a.shape)}.")
        return np.ascontiguousarray(a.T)

    def dot(self, u, v) -> float:
        if u.ndim != 1 or u.shape != v.shape:
            raise ShapeError(f"dot needs two 1-D arrays of one length, not {shape_str(u.shape)} and {shape_str(v.shape)}.")
        with _quiet():
            return float(np.dot(u, v))

    def gauss_solve(self, a, b, allow_singular: bool = False):
        """See ``Backend.gauss_solve``. With ``allow_singular=True`` a singular ``a``
        returns ``(None, 0.0)`` instead of raising (what a determinant wants).

        When b has no columns only the rows below each pivot are cleared (forward
        elimination), which is all a determinant needs.
        """
        n, nb = check_gauss(a, b)
        dt = self.dtype
        if n == 0:
            return np.zeros((0, nb), dt), 1.0
        m = np.concatenate([np.asarray(a, dt), np.asarray(b, dt)], axis=1)
        tol = dt.type(pivot_tolerance_scale(n, dt)) * np.max(np.abs(m[:, :n]))
        pivots = np.empty(n, np.float64)
        below_only = nb == 0
        with _quiet():
            return self._eliminate(m, n, tol, pivots, below_only, allow_singular)

    def _eliminate(self, m, n, tol, pivots, below_only, allow_singular):
        swaps = 0
        for c in range(n):
            p = c + int(np.argmax(np.abs(m[c:, c])))
            if not abs(m[p, c]) > tol:
                if allow_singular:
                    return None, 0.0
                raise SingularMatrixError(singular_message(c, n, float(tol)), c)
            pivots[c] = m[p, c]
            if p != c:
                m[[c, p], c:] = m[[p, c], c:]
                swaps += 1
            m[c, c:] = m[c, c:] / m[c, c]
            rows = np.arange(c + 1, n) if below_only else np.r_[0:c, c + 1:n]
            if rows.size:
                m[rows, c + 1:] -= m[rows, c:c + 1] * m[c, c + 1:]
        det = float(np.prod(pivots)) * (-1.0 if swaps % 2 else 1.0)
        return np.ascontiguousarray(m[:, n:]), det
