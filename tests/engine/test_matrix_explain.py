"""engine.explain: the step-by-step records behind the matrix lab's stepper and elimination view."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from engine import NonFiniteError, ShapeError
from engine.explain import elimination_steps, fmt, matmul_steps, pivot_tolerance


@pytest.mark.parametrize(
    "value, text",
    [
        (19.0, "19"),
        (-3.0, "-3"),
        (0.1 + 0.2, "0.3"),
        (-0.0, "0"),
        (1 / 3, "0.3333"),
        (-2.5, "-2.5"),
        (12345678.0, "12345678"),
        (1e-5, "1e-5"),
        (float("nan"), "NaN"),
        (float("inf"), "inf"),
        (float("-inf"), "-inf"),
    ],
)
def test_fmt_reads_like_a_person_writes(value, text):
    assert fmt(value) == text


# ---------------------------------------------------------------- multiplication


def test_matmul_steps_visit_every_cell_in_reading_order_with_partial_sums():
    a = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    b = np.array([[7.0, 8.0, 9.0], [10.0, 11.0, 12.0]])
    steps = matmul_steps(a, b)
    assert len(steps) == 9
    seen = [(s.i, s.j) for s in steps]
    assert seen == [(i, j) for i in range(3) for j in range(3)]
    for s in steps:
        products = a[s.i] * b[:, s.j]
        np.testing.assert_allclose(s.products, products)
        np.testing.assert_allclose(s.partial_sums, np.cumsum(products))
        assert s.value == pytest.approx((a @ b)[s.i, s.j])
    np.testing.assert_allclose(steps.result(), a @ b)


def test_matmul_step_text_uses_one_based_indices():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([[0.0, 5.0], [0.0, 7.0]])
    step = matmul_steps(a, b)[1]
    assert step.text == "C[1,2] = 1·5 + 2·7 = 19"
    assert step.term_lines()[1] == "k=2: A[1,2]·B[2,2] = 2·7 = 14   sum 19"


def test_matmul_step_text_puts_negative_factors_in_parentheses_and_elides_long_sums():
    step = matmul_steps([[2.0, -1.0]], [[-3.0], [4.0]])[0]
    assert step.text == "C[1,1] = 2·(-3) + (-1)·4 = -10"
    long = matmul_steps(np.ones((1, 20)), np.ones((20, 1)))[0]
    assert "…" in long.text and long.text.endswith("= 20")
    assert len(long.term_lines()) == 20


def test_matmul_steps_are_lazy_and_indexable():
    steps = matmul_steps(np.ones((300, 2)), np.ones((2, 300)))
    assert len(steps) == 90000
    assert steps[-1].i == 299 and steps[-1].j == 299
    assert steps.index_of(4, 7) == 4 * 300 + 7
    with pytest.raises(IndexError):
        steps[90000]


def test_matmul_steps_explain_a_shape_mismatch():
    with pytest.raises(ShapeError, match=r"A is 3×2 and B is 3×2: A·B needs A's columns \(2\) to equal B's rows \(3\)"):
        matmul_steps(np.ones((3, 2)), np.ones((3, 2)))


# ---------------------------------------------------------------- elimination


def _well_conditioned(n, seed):
    rng = np.random.default_rng(seed)
    while True:
        a = rng.integers(-9, 10, size=(n, n)).astype(float)
        if np.linalg.cond(a) < 1e6:
            return a


def _check_replay(steps):
    """Every record's matrix follows from the one before by the operation it names."""
    for prev, step in zip(steps, steps[1:]):
        before, after = prev.matrix, step.matrix
        if step.kind == "swap":
            r, p = step.rows
            expected = before.copy()
            expected[[r, p]] = expected[[p, r]]
            np.testing.assert_array_equal(after, expected)
        elif step.kind == "scale":
            (r,) = step.rows
            np.testing.assert_allclose(after[r], before[r] / before[r, step.column], atol=1e-12)
            assert after[r, step.column] == 1.0
        elif step.kind == "eliminate":
            (r,) = step.rows
            assert after[r, step.column] == 0.0
            untouched = [k for k in range(before.shape[0]) if k != r]
            np.testing.assert_array_equal(after[untouched], before[untouched])
        else:
            np.testing.assert_array_equal(after, before)


@pytest.mark.parametrize("n, seed", [(1, 0), (2, 1), (3, 2), (4, 3), (5, 4), (6, 5), (8, 6)])
def test_inverse_steps_reproduce_the_inverse(n, seed):
    a = _well_conditioned(n, seed)
    steps = elimination_steps(a, mode="inverse")
    assert steps[0].kind == "start" and steps[-1].kind == "done"
    _check_replay(steps)
    np.testing.assert_allclose(steps[-1].matrix[:, :n], np.eye(n), atol=1e-12)
    np.testing.assert_allclose(steps[-1].result, np.linalg.inv(a), rtol=1e-9, atol=1e-12)
    # The running factor ends as the determinant.
    assert steps[-1].det_factor == pytest.approx(np.linalg.det(a), rel=1e-9)


@pytest.mark.parametrize("n, seed", [(1, 10), (2, 11), (3, 12), (5, 13), (7, 14)])
def test_det_steps_reproduce_the_determinant(n, seed):
    a = _well_conditioned(n, seed)
    steps = elimination_steps(a, mode="det")
    _check_replay(steps)
    assert not any(s.kind == "scale" for s in steps)
    assert steps[-1].result == pytest.approx(np.linalg.det(a), rel=1e-9)
    assert np.allclose(np.tril(steps[-1].matrix, -1), 0)


@pytest.mark.parametrize("m", [None, 1, 3])
def test_solve_steps_reproduce_the_solution(m):
    a = _well_conditioned(4, 20)
    rng = np.random.default_rng(21)
    b = rng.normal(size=4) if m is None else rng.normal(size=(4, m))
    steps = elimination_steps(a, b, mode="solve")
    _check_replay(steps)
    x = steps[-1].result
    assert x.shape == b.shape
    np.testing.assert_allclose(x, np.linalg.solve(a, b), rtol=1e-9, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 5)).map(lambda t: (t[0], t[0])),
              elements=st.integers(-20, 20).map(float)))
def test_inverse_steps_agree_with_numpy_whenever_numpy_can_invert(a):
    steps = elimination_steps(a, mode="inverse")
    cond = np.linalg.cond(a)
    if cond < 1e8:
        assert steps[-1].kind == "done"
        np.testing.assert_allclose(steps[-1].result, np.linalg.inv(a), rtol=1e-6, atol=1e-8)
    elif np.linalg.matrix_rank(a) < a.shape[0]:
        assert steps[-1].kind == "singular"


@pytest.mark.parametrize("mode", ["inverse", "det", "solve"])
@pytest.mark.parametrize("column", [0, 1, 2, 3])
def test_singular_matrices_stop_at_the_column_without_a_pivot(mode, column):
    rng = np.random.default_rng(column)
    a = rng.integers(-5, 6, size=(4, 4)).astype(float)
    # Column `column` depends on the columns before it (or is zero when it is the first).
    a[:, column] = a[:, :column].sum(axis=1) if column else 0.0
    steps = elimination_steps(a, np.ones(4) if mode == "solve" else None, mode=mode)
    last = steps[-1]
    assert last.kind == "singular"
    assert last.column == column
    assert f"No pivot in column {column + 1}" in last.text
    assert not any(s.kind == "done" for s in steps)
    if mode == "det":
        assert last.result == 0.0


def test_operation_texts():
    a = np.array([[2.0, 1.0, 1.0], [4.0, -6.0, 0.0], [-2.0, 7.0, 2.0]])
    texts = [s.text for s in elimination_steps(a) if s.kind in ("swap", "scale", "eliminate")]
    assert texts[:4] == ["R1 ↔ R2", "R1 ← R1 / 4", "R2 ← R2 − 2·R1", "R3 ← R3 + 2·R1"]
    assert "R1 ← R1 + 1.5·R2" in texts
    pivots = [s for s in elimination_steps(a) if s.kind == "pivot"]
    assert pivots[0].pivot == (1, 0)
    assert elimination_steps([[-2.0]])[2].text == "R1 ← R1 / (-2)"


def test_tolerance_is_relative_to_the_matrix_scale():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    for scale in (1e-12, 1.0, 1e12):
        assert elimination_steps(a * scale)[-1].kind == "done"
    assert pivot_tolerance(a) == pytest.approx(2 * np.finfo(np.float64).eps * 4)
    assert pivot_tolerance(a, np.float32) > pivot_tolerance(a)


def test_bad_inputs_are_explained():
    with pytest.raises(ShapeError, match="only a square matrix has an inverse"):
        elimination_steps(np.ones((2, 3)))
    with pytest.raises(ShapeError, match="b's rows"):
        elimination_steps(np.eye(3), np.ones(2), mode="solve")
    with pytest.raises(NonFiniteError, match="NaN or infinity"):
        elimination_steps(np.array([[1.0, np.nan], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="mode must be one of"):
        elimination_steps(np.eye(2), mode="lu")
