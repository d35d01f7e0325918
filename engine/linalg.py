"""Matrix operations for the matrix lab and for scripts: numpy in, numpy out, computed on
``engine.current_device()``.

Every function checks its operands before anything is computed and explains a problem
in a sentence: ``ShapeError`` for shapes that break the operation's rule (naming both
shapes), ``NonFiniteError`` for NaN or infinity (naming the operand and the entry),
``TypeError`` for something that is not an array of numbers, ``SingularMatrixError``
from ``inv`` and ``solve`` (naming the column where elimination found no pivot).
``det`` of a singular matrix is 0.0. The optional keyword ``names`` sets the operand
names used in messages (the GUI passes its workspace names, e.g. ``("M1", "M2")``).

Precision: float64 input computes in float64 when the device has fp64 (else float32);
anything else (ints, bools, float32, ...) computes in float32. Array results come back
in that dtype; ``dot`` and ``det`` return Python floats. A result that overflows to
infinity raises ``NonFiniteError`` rather than handing back a matrix of infs.

Matrices are 2-D. Vectors may be 1-D where that reads naturally: elementwise ops and
``scale`` keep the shape they are given, ``dot`` takes 1-D, n×1 or 1×n vectors,
``solve``'s right-hand side may be 1-D (and so is the solution), and ``matmul`` treats
a 1-D left operand as a row and a 1-D right operand as a column (as numpy does), then
drops that dimension again.
"""

from __future__ import annotations

import decimal
import math
import numbers

import numpy as np

from .device import current_device
from .errors import NonFiniteError, ShapeError, SingularMatrixError
from .backend.numpy_linalg import singular_message

__all__ = ["add", "sub", "mul", "scale", "matmul", "transpose", "dot", "inv", "det", "solve"]


# ------------------------------------------------------------------ checks

def _names(names, default: tuple[str, ...]) -> tuple[str, ...]:
    """Operand names for messages: the given ones, padded from ``default``."""
    if names is None:
        return default
    if isinstance(names, str):
        names = (names,)
    given = tuple(str(n) for n in names)
    return given + default[len(given):]


def _desc(shape) -> str:
    """How a shape reads in a sentence: '3×2', or 'a vector of length 4'."""
    if len(shape) == 1:
        return f"a vector of length {shape[0]}"
    return "×".join(str(int(s)) for s in shape)


def _operand(x, name: str, allow_vector: bool = True) -> np.ndarray:
    """``x`` as a numeric numpy array of 1 or 2 dimensions, none of them empty."""
    try:
        arr = np.asarray(x)
    except Exception:  # ragged nested lists and the like
        raise TypeError(
            f"{name} is not a rectangular array of numbers (do its rows have different lengths?)."
        ) from None
    if arr.dtype.kind == "O":  # e.g. Fractions or Decimals: fine if they are real numbers
        if not all(isinstance(v, (numbers.Real, decimal.Decimal)) for v in arr.flat):
            raise TypeError(f"{name} holds entries that are not numbers. Give it real numbers only.")
        arr = arr.astype(np.float64)
    if arr.dtype.kind not in "biuf":
        what = {"c": "complex numbers", "U": "text", "S": "text"}.get(arr.dtype.kind, f"values of type {arr.dtype}")
        raise TypeError(
            f"{name} holds {what}, but the lab computes with real numbers only. Give it real numbers."
        )
    if arr.ndim == 2 or (arr.ndim == 1 and allow_vector):
        if arr.size == 0:
            if arr.ndim == 1:
                raise ShapeError(f"{name} is an empty vector: a vector needs at least one entry.")
            raise ShapeError(
                f"{name} is {_desc(arr.shape)}: matrices need at least one row and one column."
            )
        return arr
    if arr.ndim == 1:
        raise ShapeError(
            f"{name} is {_desc(arr.shape)}, but this operation needs a matrix: "
            f"write it as a row (1×{arr.shape[0]}) or a column ({arr.shape[0]}×1)."
        )
    if arr.ndim == 0:
        raise ShapeError(f"{name} is a single number, but this operation needs a matrix or a vector.")
    raise ShapeError(
        f"{name} has {arr.ndim} dimensions ({'×'.join(map(str, arr.shape))}): "
        "the lab works with matrices (2-D) and vectors (1-D)."
    )


def _where(arr: np.ndarray, index) -> str:
    if arr.ndim == 1:
        return f"position {index[0] + 1}"
    return f"row {index[0] + 1}, column {index[1] + 1}"


def _check_finite(arr: np.ndarray, name: str) -> None:
    if arr.dtype.kind != "f":
        return  # integers and bools are always finite
    bad = ~np.isfinite(arr)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        value = arr[index]
        raise NonFiniteError(
            f"{name} has a non-finite value ({value}) at {_where(arr, index)}: "
            "replace it with a number first."
        )


def _compute_dtype(*arrays: np.ndarray):
    """float64 when an operand is float64 and the device can, else float32."""
    device = current_device()
    wants64 = any(a.dtype == np.float64 for a in arrays)
    return device, np.dtype(np.float64 if wants64 and device.fp64 else np.float32)


def _check_result(arr: np.ndarray, what: str, dtype) -> np.ndarray:
    """A result with NaN or inf came from overflow (the inputs were finite): say so."""
    if not np.isfinite(arr).all():
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        limit = np.finfo(dtype).max
        raise NonFiniteError(
            f"{what} overflowed: the result has {arr[index]} at {_where(arr, index)}, "
            f"beyond the largest {np.dtype(dtype).name} ({limit:.3g}). "
            + ("Use float64 input or smaller values." if np.dtype(dtype) == np.float32 else "Use smaller values.")
        )
    return arr


# -------------------------------------------------------------- elementwise

def _elementwise(op: str, a, b, names, symbol: str) -> np.ndarray:
    an, bn = _names(names, ("A", "B"))
    a = _operand(a, an)
    b = _operand(b, bn)
    if a.shape != b.shape:
        raise ShapeError(
            f"{an} is {_desc(a.shape)} and {bn} is {_desc(b.shape)}: {an} {symbol} {bn} works "
            "entry by entry, so both need the same shape."
        )
    _check_finite(a, an)
    _check_finite(b, bn)
    device, dt = _compute_dtype(a, b)
    be = device.backend(dt)
    out = be.to_numpy(getattr(be, op)(be.asarray(a), be.asarray(b)))
    return _check_result(out, f"{an} {symbol} {bn}", dt)


def add(a, b, *, names=None) -> np.ndarray:
    """A + B, entry by entry (same shapes)."""
    return _elementwise("add", a, b, names, "+")


def sub(a, b, *, names=None) -> np.ndarray:
    """A − B, entry by entry (same shapes)."""
    return _elementwise("sub", a, b, names, "−")


def mul(a, b, *, names=None) -> np.ndarray:
    """A ⊙ B, the entrywise (Hadamard) product (same shapes)."""
    return _elementwise("mul", a, b, names, "⊙")


def scale(a, s, *, names=None) -> np.ndarray:
    """s·A for a finite real number s."""
    (an,) = _names(names, ("A",))[:1]
    if isinstance(s, (bool, np.bool_)) or not isinstance(s, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"The scale factor must be a real number, not {s!r}.")
    if not math.isfinite(float(s)):
        raise NonFiniteError(f"The scale factor must be a finite number, not {float(s)}.")
    a = _operand(a, an)
    _check_finite(a, an)
    device, dt = _compute_dtype(a)
    be = device.backend(dt)
    out = be.to_numpy(be.scale(be.asarray(a), float(s)))
    return _check_result(out, f"{s}·{an}", dt)


# ------------------------------------------------------------------ products

def matmul(a, b, *, names=None) -> np.ndarray:
    """The matrix product A·B: A's columns must equal B's rows."""
    an, bn = _names(names, ("A", "B"))
    a = _operand(a, an)
    b = _operand(b, bn)
    drop_row, drop_col = a.ndim == 1, b.ndim == 1
    a2 = a.reshape(1, -1) if drop_row else a
    b2 = b.reshape(-1, 1) if drop_col else b
    if a2.shape[1] != b2.shape[0]:
        raise ShapeError(
            f"{an} is {_desc(a.shape)} and {bn} is {_desc(b.shape)}: {an}·{bn} needs "
            f"{an}'s columns ({a2.shape[1]}) to equal {bn}'s rows ({b2.shape[0]})."
        )
    _check_finite(a, an)
    _check_finite(b, bn)
    device, dt = _compute_dtype(a, b)
    be = device.backend(dt)
    out = be.to_numpy(be.matmul(be.asarray(a2), be.asarray(b2)))
    if drop_row:
        out = out[0]
    if drop_col:
        out = out[..., 0]
    return _check_result(np.ascontiguousarray(out), f"{an}·{bn}", dt)


def transpose(a, *, names=None) -> np.ndarray:
    """Aᵀ. A 1-D vector comes back unchanged (as numpy's ``.T``)."""
    (an,) = _names(names, ("A",))[:1]
    a = _operand(a, an)
    _check_finite(a, an)
    device, dt = _compute_dtype(a)
    be = device.backend(dt)
    if a.ndim == 1:
        return be.to_numpy(be.asarray(a))
    return be.to_numpy(be.transpose(be.asarray(a)))


def dot(u, v, *, names=None) -> float:
    """u·v = Σ uᵢvᵢ of two vectors of equal length (each 1-D, n×1 or 1×n)."""
    un, vn = _names(names, ("u", "v"))
    u = _operand(u, un)
    v = _operand(v, vn)
    for name, x in ((un, u), (vn, v)):
        if x.ndim == 2 and min(x.shape) != 1:
            raise ShapeError(
                f"{name} is {_desc(x.shape)}: u·v needs two vectors, each a single row or a single column."
            )
    if u.size != v.size:
        raise ShapeError(
            f"{un} has {u.size} entries and {vn} has {v.size}: u·v needs vectors of equal length."
        )
    _check_finite(u, un)
    _check_finite(v, vn)
    device, dt = _compute_dtype(u, v)
    be = device.backend(dt)
    value = be.dot(be.asarray(u.reshape(-1)), be.asarray(v.reshape(-1)))
    if not math.isfinite(value):
        raise NonFiniteError(
            f"{un}·{vn} overflowed to {value}, beyond the largest {dt.name} "
            f"({np.finfo(dt).max:.3g}). Use smaller values"
            + (" or float64 input." if dt == np.float32 else ".")
        )
    return value


# -------------------------------------------------------------- elimination

def _square(a, name: str, what: str) -> np.ndarray:
    a = _operand(a, name, allow_vector=False)
    if a.shape[0] != a.shape[1]:
        raise ShapeError(
            f"{name} is {_desc(a.shape)}: only a square matrix has {what}; "
            f"{name} needs as many rows as columns."
        )
    return a


def _eliminate(a, b, name: str, consequence: str, dt, device):
    """x, det of [a | b] on the device, re-raising singularity with ``name`` in the text."""
    be = device.backend(dt)
    try:
        x, d = be.gauss_solve(be.asarray(a), be.asarray(b))
    except SingularMatrixError as exc:
        n = a.shape[0]
        tol = float(n * np.finfo(dt).eps * np.max(np.abs(a.astype(np.float64))))
        raise SingularMatrixError(singular_message(exc.column, n, tol, name, consequence), exc.column) from None
    return be.to_numpy(x), d


def inv(a, *, names=None) -> np.ndarray:
    """A⁻¹ by Gauss-Jordan elimination with partial pivoting on [A | I].

    Raises ``SingularMatrixError`` (naming the column without a pivot) when A has no
    inverse: a pivot of magnitude ≤ n·eps·max|A| counts as zero.
    """
    (an,) = _names(names, ("A",))[:1]
    a = _square(a, an, "an inverse")
    _check_finite(a, an)
    device, dt = _compute_dtype(a)
    x, _ = _eliminate(a, np.eye(a.shape[0], dtype=dt), an, "so it has no inverse", dt, device)
    return _check_result(x, f"{an}⁻¹", dt)


def det(a, *, names=None) -> float:
    """det A: the product of the pivots of elimination, with the sign of the row swaps.

    A singular matrix (no pivot above n·eps·max|A| in some column) gives 0.0. The
    product is taken in float64 even when the elimination ran in float32; beyond
    float64's range it raises ``NonFiniteError``.
    """
    (an,) = _names(names, ("A",))[:1]
    a = _square(a, an, "a determinant")
    _check_finite(a, an)
    device, dt = _compute_dtype(a)
    be = device.backend(dt)
    _, d = be.gauss_solve(be.asarray(a), be.zeros((a.shape[0], 0)), allow_singular=True)
    if not math.isfinite(d):
        raise NonFiniteError(
            f"det {an} overflowed: its size is beyond the largest floating-point number "
            f"({np.finfo(np.float64).max:.3g}), so it cannot be shown. Scale {an} down first: "
            f"det(s·{an}) = sⁿ·det {an}."
        )
    return float(d)


def solve(a, b, *, names=None) -> np.ndarray:
    """x with A·x = b, by Gauss-Jordan elimination with partial pivoting on [A | b].

    A is square; b has A's number of rows and is 1-D (one right-hand side; x is then
    1-D too) or 2-D (one column per right-hand side). Raises ``SingularMatrixError``
    when A is singular.
    """
    an, bn = _names(names, ("A", "b"))
    a = _operand(a, an, allow_vector=False)
    b = _operand(b, bn)
    if a.shape[0] != a.shape[1]:
        raise ShapeError(
            f"{an} is {_desc(a.shape)}: solving {an}x = {bn} needs a square {an} "
            "(as many equations as unknowns)."
        )
    if b.shape[0] != a.shape[0]:
        raise ShapeError(
            f"{an} is {_desc(a.shape)} and {bn} is {_desc(b.shape)}: solving {an}x = {bn} needs "
            f"{bn}'s {'rows' if b.ndim == 2 else 'entries'} ({b.shape[0]}) to equal {an}'s rows ({a.shape[0]})."
        )
    _check_finite(a, an)
    _check_finite(b, bn)
    device, dt = _compute_dtype(a, b)
    b2 = b.reshape(-1, 1) if b.ndim == 1 else b
    x, _ = _eliminate(a, b2, an, f"so {an}x = {bn} has no unique solution", dt, device)
    if b.ndim == 1:
        x = np.ascontiguousarray(x[:, 0])
    return _check_result(x, f"solving {an}x = {bn}", dt)
