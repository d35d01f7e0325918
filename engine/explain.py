"""Step-by-step explanations of matrix operations, as plain data (numpy only, no Qt).

``matmul_steps(a, b)`` walks C = A·B cell by cell; ``elimination_steps(a, b, mode)``
walks Gaussian elimination with partial pivoting row operation by row operation, for
the inverse, the determinant or a linear solve. The matrix lab draws these records;
the numbers come from the same pivoting rule and singularity tolerance as
``engine.linalg``, so what the window explains is what the device computed.

Indices in every text are 1-based (as people write them: C[1,2], R3); the fields
``i``, ``j``, ``pivot``, ``rows`` and ``column`` are 0-based (as numpy indexes).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .backend.numpy_linalg import pivot_tolerance_scale
from .errors import NonFiniteError, ShapeError, shape_str

__all__ = [
    "EliminationStep",
    "MatmulStep",
    "MatmulSteps",
    "elimination_steps",
    "fmt",
    "matmul_steps",
    "pivot_tolerance",
]

#: Products written out in a step's one-line ``text`` before the middle is elided.
TEXT_TERMS = 8


# ------------------------------------------------------------------ numbers


def fmt(x, digits: int = 4) -> str:
    """A number as a person reads it: integers whole, others to ``digits`` significant digits.

    ``fmt(19.0) -> '19'``, ``fmt(0.1 + 0.2) -> '0.3'``, ``fmt(-0.0) -> '0'``,
    ``fmt(1/3) -> '0.3333'``, ``fmt(float('inf')) -> 'inf'``, ``fmt(float('nan')) -> 'NaN'``.
    """
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    # Whole numbers print whole (up to where floats stop being exact integers), so
    # "12345678" is not turned into "1.235e+07" and 3.0 reads "3".
    if x == int(x) and abs(x) < 2.0**53:
        return str(int(x))
    text = f"{x:.{digits}g}"
    # .4g of 2.99999 gives "3"; of -0.00001 gives "-1e-05": tidy the exponent form.
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return "0" if text in ("-0", "0") else text


def _factor(x: float) -> str:
    """A number as a factor inside a product: negatives in parentheses, ``2·(-3)``."""
    text = fmt(x)
    return f"({text})" if text.startswith("-") else text


# ------------------------------------------------------------------ multiplication


@dataclass(frozen=True)
class MatmulStep:
    """One cell of C = A·B: C[i,j] = Σ_k A[i,k]·B[k,j], with every product and running sum."""

    index: int  #: position in the walk (row by row), 0-based
    i: int  #: row of C (and of A), 0-based
    j: int  #: column of C (and of B), 0-based
    a_row: np.ndarray  #: A[i, :]
    b_col: np.ndarray  #: B[:, j]
    products: np.ndarray  #: A[i,k]·B[k,j] for each k
    partial_sums: np.ndarray  #: products summed up to and including k
    value: float  #: C[i,j], the last partial sum
    text: str  #: "C[1,2] = 1·5 + 2·7 = 19" (middle elided past TEXT_TERMS products)
    names: tuple = ("A", "B", "C")

    def term_lines(self) -> list[str]:
        """One line per product, for a side panel: ``k=2: A[1,2]·B[2,3] = 2·7 = 14   sum 19``."""
        a, b, _ = self.names
        lines = []
        for k, (x, y, p, s) in enumerate(zip(self.a_row, self.b_col, self.products, self.partial_sums)):
            lines.append(
                f"k={k + 1}: {a}[{self.i + 1},{k + 1}]·{b}[{k + 1},{self.j + 1}]"
                f" = {_factor(x)}·{_factor(y)} = {fmt(p)}   sum {fmt(s)}"
            )
        return lines


class MatmulSteps(Sequence):
    """The cells of C = A·B in reading order, computed when asked for.

    A sequence (``len``, indexing, iteration) rather than a list, so a 300×300 product
    can be stepped through without building 90 000 records up front.
    """

    def __init__(self, a, b, names=("A", "B", "C")):
        a = _as_matrix(a, names[0])
        b = _as_matrix(b, names[1])
        if a.shape[1] != b.shape[0]:
            raise ShapeError(
                f"{names[0]} is {shape_str(a.shape)} and {names[1]} is {shape_str(b.shape)}: "
                f"{names[0]}·{names[1]} needs {names[0]}'s columns ({a.shape[1]}) to equal "
                f"{names[1]}'s rows ({b.shape[0]})."
            )
        self.a = a
        self.b = b
        self.names = tuple(names)
        self.shape = (a.shape[0], b.shape[1])

    def __len__(self) -> int:
        return self.shape[0] * self.shape[1]

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[k] for k in range(*index.indices(len(self)))]
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError(f"step {index} is outside 0..{n - 1}")
        i, j = divmod(int(index), self.shape[1])
        return self._step(index, i, j)

    def index_of(self, i: int, j: int) -> int:
        """The step that computes C[i,j] (0-based)."""
        return i * self.shape[1] + j

    def result(self) -> np.ndarray:
        """The whole of C as the steps compute it (float64, summed in order k = 1, 2, …)."""
        out = np.zeros(self.shape)
        if self.a.shape[1]:
            # Row by row, so memory stays at one (k, n) block and the sums run in the
            # same order as each step's partial sums.
            for i in range(self.shape[0]):
                out[i] = np.cumsum(self.a[i, :, None] * self.b, axis=0)[-1]
        return out

    def _step(self, index: int, i: int, j: int) -> MatmulStep:
        a_row = self.a[i, :].copy()
        b_col = self.b[:, j].copy()
        products = a_row * b_col
        partial = np.cumsum(products)
        value = float(partial[-1]) if partial.size else 0.0
        terms = [f"{_factor(x)}·{_factor(y)}" for x, y in zip(a_row, b_col)]
        if len(terms) > TEXT_TERMS:
            terms = terms[: TEXT_TERMS // 2] + ["…"] + terms[-2:]
        sum_text = " + ".join(terms) if terms else "0"
        text = f"{self.names[2]}[{i + 1},{j + 1}] = {sum_text} = {fmt(value)}"
        return MatmulStep(index, i, j, a_row, b_col, products, partial, value, text, self.names)


def matmul_steps(a, b, names=("A", "B", "C")) -> MatmulSteps:
    """The cell-by-cell walk of C = A·B (row by row), as a lazily computed sequence of MatmulStep.

    Raises ``ShapeError`` (with both shapes in the sentence) when A's columns differ
    from B's rows.
    """
    return MatmulSteps(a, b, names)


# ------------------------------------------------------------------ elimination

MODES = ("inverse", "det", "solve")


def pivot_tolerance(a, dtype=np.float64) -> float:
    """The size at or below which a pivot counts as zero: n · eps(dtype) · max|a|.

    The very rule of engine.linalg's elimination (both backends take the factor from
    ``pivot_tolerance_scale``): relative to the largest entry, so scaling a matrix
    does not change whether it is singular.
    """
    a = np.asarray(a, dtype=np.float64)
    if a.size == 0:
        return 0.0
    return float(pivot_tolerance_scale(a.shape[0], dtype) * np.max(np.abs(a)))


@dataclass(frozen=True)
class EliminationStep:
    """One row operation of Gaussian elimination on the augmented matrix [A | right].

    ``kind`` is "start", "pivot", "swap", "scale", "eliminate", "singular" or "done".
    ``matrix`` is the augmented matrix after the step (n × (n + m)); its first
    ``split`` columns are A's side. ``det_factor`` is the running factor f with
    det A = f · det(current left block): swaps flip its sign, scaling by 1/p
    multiplies it by p.
    """

    kind: str
    matrix: np.ndarray
    text: str
    pivot: tuple | None = None  #: (row, column) of the pivot in use, 0-based
    rows: tuple = ()  #: rows this step changed (target first), 0-based
    source: int | None = None  #: row subtracted from the target in "eliminate"
    column: int | None = None  #: column being cleared, 0-based
    det_factor: float = 1.0
    split: int = 0
    mode: str = "inverse"
    result: object = field(default=None, compare=False)  #: on "done"/"singular": inverse, det or solution


def elimination_steps(a, b=None, mode: str = "inverse", names=("A", "b"), dtype=np.float64) -> list[EliminationStep]:
    """Gaussian elimination with partial pivoting, one record per row operation.

    mode "inverse": Gauss-Jordan on [A | I], ending with I on the left and A⁻¹ on the right.
    mode "solve":   Gauss-Jordan on [A | b], ending with the solution x on the right.
    mode "det":     forward elimination on [A] (rows below each pivot only), ending with
                    an upper triangle whose diagonal product, times the sign of the row
                    swaps, is det A.

    Each column's pivot is the entry of largest magnitude on or below the diagonal;
    a pivot of magnitude ≤ ``pivot_tolerance(a, dtype)`` means the matrix is singular
    and the walk ends with a "singular" step naming that column. ``dtype`` is the
    precision the device computes in (it sets the tolerance); the arithmetic here is
    float64. The list holds one copy of the augmented matrix per step, so keep n modest
    (a few dozen).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}.")
    a_name, b_name = names[0], (names[1] if len(names) > 1 else "b")
    a = _as_matrix(a, a_name)
    n = a.shape[0]
    if a.shape[0] != a.shape[1]:
        what = {"inverse": "an inverse", "det": "a determinant", "solve": "a unique solution"}[mode]
        raise ShapeError(
            f"{a_name} is {shape_str(a.shape)}: only a square matrix has {what}; "
            f"{a_name} needs as many rows as columns."
        )
    if n == 0:
        raise ShapeError(f"{a_name} is empty: give it at least one row and column.")
    if mode == "solve":
        if b is None:
            raise ShapeError(f"Solving {a_name}x = {b_name} needs a right-hand side {b_name}.")
        right = np.asarray(b, dtype=np.float64)
        vector = right.ndim == 1
        right = right.reshape(-1, 1) if vector else right
        if right.ndim != 2 or right.shape[0] != n:
            raise ShapeError(
                f"{a_name} is {shape_str(a.shape)} and {b_name} is {shape_str(np.shape(b))}: "
                f"solving {a_name}x = {b_name} needs {b_name}'s rows ({np.shape(b)[0] if np.ndim(b) else 0}) "
                f"to equal {a_name}'s rows ({n})."
            )
        if not np.all(np.isfinite(right)):
            raise NonFiniteError(f"{b_name} holds NaN or infinity: replace those entries with numbers.")
    elif mode == "inverse":
        right, vector = np.eye(n), False
    else:
        right, vector = np.zeros((n, 0)), False

    m = np.hstack([a, right]).astype(np.float64)
    tol = pivot_tolerance(a, dtype)
    factor = 1.0
    steps: list[EliminationStep] = []

    def add(kind, text, **kw):
        steps.append(EliminationStep(kind, m.copy(), text, det_factor=factor, split=n, mode=mode, **kw))

    start_text = {
        "inverse": f"Start from [{a_name} | I]: row operations that turn {a_name} into I turn I into {a_name}⁻¹.",
        "solve": f"Start from [{a_name} | {b_name}]: row operations that turn {a_name} into I turn {b_name} into x.",
        "det": f"Start from {a_name}: clear below each pivot; det {a_name} is the sign of the swaps times the pivots.",
    }[mode]
    add("start", start_text)

    for c in range(n):
        p = c + int(np.argmax(np.abs(m[c:, c])))
        if not abs(m[p, c]) > tol:  # "not >" so a NaN pivot also counts as missing
            result = 0.0 if mode == "det" else None
            consequence = {
                "inverse": f"{a_name} is singular and has no inverse.",
                "solve": f"{a_name} is singular, so {a_name}x = {b_name} has no unique solution.",
                "det": f"{a_name} is singular, so det {a_name} = 0.",
            }[mode]
            add(
                "singular",
                f"No pivot in column {c + 1}: every entry from row {c + 1} down is 0 "
                f"(|value| ≤ {fmt(tol, 2)}). {consequence}",
                column=c,
                pivot=None,
                result=result,
            )
            return steps
        add(
            "pivot",
            f"Column {c + 1}: pivot {fmt(m[p, c])} in row {p + 1}, the largest |value| "
            f"from row {c + 1} down.",
            pivot=(p, c),
            column=c,
        )
        if p != c:
            m[[c, p]] = m[[p, c]]
            factor = -factor
            add("swap", f"R{c + 1} ↔ R{p + 1}", pivot=(c, c), rows=(c, p), column=c)
        pivot = m[c, c]
        if mode != "det" and pivot != 1.0:
            m[c] = m[c] / pivot
            m[c, c] = 1.0  # exactly, so the column clears to exact zeros below
            factor = factor * pivot
            add("scale", f"R{c + 1} ← R{c + 1} / {_factor(pivot)}", pivot=(c, c), rows=(c,), column=c)
        targets = range(c + 1, n) if mode == "det" else (r for r in range(n) if r != c)
        for r in targets:
            f = m[r, c] / m[c, c]
            if f == 0.0:
                continue
            m[r] = m[r] - f * m[c]
            m[r, c] = 0.0
            sign, size = ("+", -f) if f < 0 else ("−", f)
            times = "" if size == 1.0 else f"{fmt(size)}·"
            add(
                "eliminate",
                f"R{r + 1} ← R{r + 1} {sign} {times}R{c + 1}",
                pivot=(c, c),
                rows=(r,),
                source=c,
                column=c,
            )

    if mode == "det":
        diag = np.diag(m[:, :n])
        det = float(factor * np.prod(diag))
        product = " · ".join(_factor(d) for d in diag)
        product = product if factor > 0 else f"-({product})"
        text = f"det {a_name} = {product} = {fmt(det)}"
        if factor < 0:
            text += " (an odd number of row swaps flips the sign)"
        add("done", text, result=det)
    elif mode == "inverse":
        add("done", f"{a_name} is now I, so the right half is {a_name}⁻¹ (det {a_name} = {fmt(factor)}).",
            result=m[:, n:].copy())
    else:
        x = m[:, n:].copy()
        shown = ", ".join(fmt(v) for v in x[:, 0]) if x.shape[1] == 1 and n <= 8 else f"{shape_str(x.shape)} values"
        add("done", f"{a_name} is now I, so the right side is the solution x = ({shown}).",
            result=x[:, 0] if vector else x)
    return steps


def _as_matrix(a, name: str) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2:
        raise ShapeError(f"{name} has shape {shape_str(a.shape)}: step-by-step views need a 2-D matrix.")
    if not np.all(np.isfinite(a)):
        raise NonFiniteError(f"{name} holds NaN or infinity: replace those entries with numbers first.")
    return a
