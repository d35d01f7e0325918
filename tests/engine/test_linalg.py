"""engine.linalg, the public matrix API: results against numpy on every device (with
hypothesis drawing shapes and values), the dtype rule, and every error with its text."""

import contextlib
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import engine
from engine import NonFiniteError, ShapeError, SingularMatrixError, linalg

DEVICES = [pytest.param(d, id=d.name.split()[0]) for d in engine.devices()]
CHECKS = settings(max_examples=25, deadline=None)


@contextlib.contextmanager
def on(device):
    """Compute on ``device`` inside the block; the previous device is current again after."""
    previous = engine.current_device()
    engine.use_device(device)
    try:
        yield device
    finally:
        engine.use_device(previous)


@pytest.fixture(params=DEVICES)
def device(request):
    with on(request.param) as d:
        yield d


def finite(dtype, bound=100.0):
    return st.floats(-bound, bound, allow_nan=False, allow_infinity=False, width=np.dtype(dtype).itemsize * 8)


def matrices(dtype, rows, cols, bound=100.0):
    return hnp.arrays(dtype, (rows, cols), elements=finite(dtype, bound))


def tolerance(dtype):
    return (2e-5, 1e-5) if np.dtype(dtype) == np.float32 else (1e-11, 1e-12)


dims = st.integers(1, 12)
dtypes = st.sampled_from([np.float32, np.float64])


# --------------------------------------------------------------- with hypothesis

@pytest.mark.parametrize("dev", DEVICES)
@CHECKS
@given(data=st.data(), dtype=dtypes, rows=dims, cols=dims)
def test_elementwise_matches_numpy(dev, data, dtype, rows, cols):
    a = data.draw(matrices(dtype, rows, cols))
    b = data.draw(matrices(dtype, rows, cols))
    s = data.draw(finite(np.float64, 10.0))
    with on(dev):
        for fn, want in ((linalg.add, a + b), (linalg.sub, a - b), (linalg.mul, a * b), (lambda x, _: linalg.scale(x, s), a * dtype(s))):
            got = fn(a, b)
            assert got.dtype == dtype and got.shape == (rows, cols)
            rtol, atol = tolerance(dtype)
            np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)
        np.testing.assert_array_equal(linalg.transpose(a), a.T)


@pytest.mark.parametrize("dev", DEVICES)
@CHECKS
@given(data=st.data(), dtype=dtypes, m=dims, k=dims, n=dims)
def test_matmul_matches_numpy(dev, data, dtype, m, k, n):
    a = data.draw(matrices(dtype, m, k))
    b = data.draw(matrices(dtype, k, n))
    with on(dev):
        got = linalg.matmul(a, b)
    assert got.dtype == dtype and got.shape == (m, n)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    # rounding is bounded relative to Σ|a||b|, not to the (possibly cancelled) result
    bound = np.abs(a64) @ np.abs(b64)
    eps = np.finfo(dtype).eps
    assert np.all(np.abs(got - a64 @ b64) <= 4 * k * eps * bound + 1e-30)


@pytest.mark.parametrize("dev", DEVICES)
@CHECKS
@given(data=st.data(), dtype=dtypes, n=st.integers(1, 40), shape=st.sampled_from(["1d", "row", "col"]))
def test_dot_matches_numpy(dev, data, dtype, n, shape):
    u = data.draw(hnp.arrays(dtype, n, elements=finite(dtype)))
    v = data.draw(hnp.arrays(dtype, n, elements=finite(dtype)))
    reshape = {"1d": lambda x: x, "row": lambda x: x.reshape(1, -1), "col": lambda x: x.reshape(-1, 1)}[shape]
    with on(dev):
        got = linalg.dot(reshape(u), v)
    assert isinstance(got, float)
    bound = float(np.abs(u.astype(np.float64)) @ np.abs(v.astype(np.float64)))
    assert abs(got - float(u.astype(np.float64) @ v)) <= 4 * n * np.finfo(dtype).eps * bound + 1e-30


@pytest.mark.parametrize("dev", DEVICES)
@CHECKS
@given(data=st.data(), dtype=dtypes, n=st.integers(1, 10), rhs=st.sampled_from([None, 1, 3]))
def test_inv_det_solve_match_numpy(dev, data, dtype, n, rhs):
    # diagonally dominant, so invertible and well conditioned whatever hypothesis draws
    a = data.draw(matrices(dtype, n, n, bound=10.0)) + dtype(10.0 * n + 1.0) * np.eye(n, dtype=dtype)
    b = data.draw(hnp.arrays(dtype, (n,) if rhs is None else (n, rhs), elements=finite(dtype, 10.0)))
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    with on(dev):
        inverse = linalg.inv(a)
        d = linalg.det(a)
        x = linalg.solve(a, b)
    assert inverse.dtype == dtype and x.dtype == dtype and x.shape == b.shape
    np.testing.assert_allclose(inverse @ a64, np.eye(n), atol=rtol)
    np.testing.assert_allclose(d, np.linalg.det(a64), rtol=rtol)
    np.testing.assert_allclose(x, np.linalg.solve(a64, b64), rtol=rtol, atol=rtol)


# ------------------------------------------------------------ fixed examples

def test_small_cases(device):
    one = np.array([[3.0]])
    assert linalg.matmul(one, [[2.0]]).tolist() == [[6.0]]
    assert linalg.inv([[4.0]]).tolist() == [[0.25]]
    assert linalg.det([[-2.5]]) == -2.5
    assert linalg.solve([[2.0]], [5.0]).tolist() == [2.5]
    row, col = np.array([[1.0, 2.0, 3.0]]), np.array([[4.0], [5.0], [6.0]])
    assert linalg.matmul(row, col).tolist() == [[32.0]]
    assert linalg.matmul(col, row).shape == (3, 3)
    assert linalg.dot(row, col) == 32.0
    assert linalg.transpose(row).tolist() == [[1.0], [2.0], [3.0]]
    # 1-D operands of matmul read as a row on the left and a column on the right
    np.testing.assert_array_equal(linalg.matmul([1.0, 2.0], [[1.0, 0.0], [0.0, 1.0]]), [1.0, 2.0])
    np.testing.assert_array_equal(linalg.matmul([[1.0, 2.0]], [3.0, 4.0]), [11.0])
    np.testing.assert_array_equal(linalg.add([1.0, 2.0], [3.0, 4.0]), [4.0, 6.0])


def test_dtype_rule(device):
    ints = np.array([[1, 2], [3, 4]])
    assert linalg.add(ints, ints).dtype == np.float32
    assert linalg.inv(ints.astype(np.float32)).dtype == np.float32
    assert linalg.matmul(ints, ints.astype(np.float64)).dtype == (np.float64 if device.fp64 else np.float32)
    assert linalg.solve(ints.astype(np.float64), [1, 2]).dtype == (np.float64 if device.fp64 else np.float32)
    assert isinstance(linalg.det(ints), float)


def test_float64_falls_back_to_float32_without_fp64(monkeypatch):
    numpy_dev = [d for d in engine.devices() if d.kind == "numpy"][0]
    monkeypatch.setattr(numpy_dev, "fp64", False)
    with on(numpy_dev):
        assert linalg.add(np.ones((2, 2)), np.ones((2, 2))).dtype == np.float32
        # 1 + 1e-10 rounds to 1 in float32: the matrix becomes singular there
        with pytest.raises(SingularMatrixError):
            linalg.inv([[1.0, 1.0], [1.0, 1.0 + 1e-10]])


def test_det_sign_follows_row_swaps(device):
    assert linalg.det([[0.0, 1.0], [1.0, 0.0]]) == -1.0
    assert linalg.det(np.eye(3)[[1, 2, 0]]) == 1.0
    assert linalg.det(np.eye(4)[[3, 2, 1, 0]]) == 1.0
    np.testing.assert_allclose(linalg.det([[0.0, 2.0, 1.0], [1.0, 1.0, 0.0], [3.0, 0.0, 1.0]]), -5.0, rtol=1e-6)


def test_singular_matrices_name_the_column(device):
    with pytest.raises(SingularMatrixError, match="A is singular: column 3 has no non-zero pivot in row 3") as info:
        linalg.inv([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    assert info.value.column == 2
    assert "so it has no inverse" in str(info.value)
    assert "Check for a row or column that is a combination of others." in str(info.value)
    with pytest.raises(SingularMatrixError, match="M is singular: column 1 has no non-zero pivot in rows 1 to 2") as info:
        linalg.solve([[0.0, 1.0], [0.0, 2.0]], [1.0, 2.0], names=("M", "y"))
    assert "so Mx = y has no unique solution" in str(info.value)
    assert info.value.column == 0
    with pytest.raises(SingularMatrixError, match="column 1"):
        linalg.inv([[0.0]])
    assert linalg.det([[1.0, 2.0], [2.0, 4.0]]) == 0.0
    assert linalg.det(np.zeros((3, 3))) == 0.0
    assert isinstance(engine.SingularMatrixError("x"), ValueError)


def test_ill_conditioned_but_invertible(device):
    if not device.fp64:
        pytest.skip(f"{device.name} has no float64")
    hilbert = 1.0 / (np.arange(1, 6)[:, None] + np.arange(5)[None, :])  # condition number ~5e5
    exact = np.linalg.inv(hilbert)  # integers up to 179200
    np.testing.assert_allclose(linalg.inv(hilbert), exact, rtol=1e-7)
    near = np.array([[1.0, 1.0], [1.0, 1.0 + 1e-10]])  # pivot 1e-10, far above 2·eps
    np.testing.assert_allclose(linalg.inv(near), [[1e10 + 1, -1e10], [-1e10, 1e10]], rtol=1e-5)
    np.testing.assert_allclose(linalg.det(near), 1e-10, rtol=1e-5)


def test_shape_errors_name_both_shapes(device):
    a32 = np.ones((3, 2))
    with pytest.raises(ShapeError) as info:
        linalg.matmul(a32, a32)
    assert str(info.value) == "A is 3×2 and B is 3×2: A·B needs A's columns (2) to equal B's rows (3)."
    with pytest.raises(ShapeError, match="M1 is 3×2 and M2 is 2×3: M1 \\+ M2 works entry by entry"):
        linalg.add(a32, a32.T, names=("M1", "M2"))
    with pytest.raises(ShapeError, match="same shape"):
        linalg.mul([1.0, 2.0], [[1.0, 2.0]])
    with pytest.raises(ShapeError, match="A is 3×2: only a square matrix has an inverse"):
        linalg.inv(a32)
    with pytest.raises(ShapeError, match="only a square matrix has a determinant"):
        linalg.det(a32)
    with pytest.raises(ShapeError, match="solving Ax = b needs a square A"):
        linalg.solve(a32, [1.0, 2.0, 3.0])
    with pytest.raises(ShapeError, match=r"b's entries \(3\) to equal A's rows \(2\)"):
        linalg.solve(np.eye(2), [1.0, 2.0, 3.0])
    with pytest.raises(ShapeError, match=r"b's rows \(3\) to equal A's rows \(2\)"):
        linalg.solve(np.eye(2), np.ones((3, 2)))
    with pytest.raises(ShapeError, match="u is 2×2: u·v needs two vectors"):
        linalg.dot(np.eye(2), [1.0, 2.0])
    with pytest.raises(ShapeError, match="u has 2 entries and v has 3"):
        linalg.dot([1.0, 2.0], [[1.0], [2.0], [3.0]])
    with pytest.raises(ShapeError, match="A is a vector of length 2, but this operation needs a matrix"):
        linalg.inv([1.0, 2.0])
    with pytest.raises(ShapeError, match="A has 3 dimensions"):
        linalg.transpose(np.ones((2, 2, 2)))
    with pytest.raises(ShapeError, match="single number"):
        linalg.scale(5.0, 2.0)


def test_empty_dimensions_are_rejected(device):
    with pytest.raises(ShapeError) as info:
        linalg.det(np.zeros((0, 3)))
    assert str(info.value) == "A is 0×3: matrices need at least one row and one column."
    with pytest.raises(ShapeError, match="B is 2×0"):
        linalg.matmul(np.ones((2, 2)), np.ones((2, 0)))
    with pytest.raises(ShapeError, match="empty vector"):
        linalg.dot([], [])


def test_non_finite_input_is_located(device):
    b = np.ones((3, 2))
    b[1, 0] = np.nan
    with pytest.raises(NonFiniteError) as info:
        linalg.add(np.ones((3, 2)), b)
    assert str(info.value).startswith("B has a non-finite value (nan) at row 2, column 1")
    a = np.eye(2)
    a[0, 1] = -np.inf
    with pytest.raises(NonFiniteError, match=r"M has a non-finite value \(-inf\) at row 1, column 2"):
        linalg.inv(a, names=("M",))
    with pytest.raises(NonFiniteError, match=r"v has a non-finite value \(inf\) at position 3"):
        linalg.dot([1.0, 2.0, 3.0], [1.0, 2.0, np.inf])
    with pytest.raises(NonFiniteError, match="scale factor must be a finite number, not nan"):
        linalg.scale(np.eye(2), float("nan"))


def test_overflow_is_reported(device):
    big = np.full((2, 2), 1e30, np.float32)
    with pytest.raises(NonFiniteError, match="A·B overflowed.*float32.*Use float64 input"):
        linalg.matmul(big, big)
    # pivots of 1000 in float32, but a product (1e360) beyond even float64
    with pytest.raises(NonFiniteError, match="det A overflowed"):
        linalg.det(np.eye(120, dtype=np.float32) * 1e3)
    assert linalg.det(np.eye(12, dtype=np.float32) * 1e4) == pytest.approx(1e48)  # beyond float32, fine


def test_non_numeric_input_is_a_sentence(device):
    with pytest.raises(TypeError, match="A holds text, but the lab computes with real numbers only"):
        linalg.add([["a", "b"]], [[1, 2]])
    with pytest.raises(TypeError, match="B holds complex numbers"):
        linalg.mul([[1.0]], [[1j]])
    with pytest.raises(TypeError, match="rectangular"):
        linalg.transpose([[1.0, 2.0], [3.0]])
    with pytest.raises(TypeError, match="entries that are not numbers"):
        linalg.transpose(np.array([[1.0, None]], dtype=object))
    with pytest.raises(TypeError, match="scale factor must be a real number"):
        linalg.scale(np.eye(2), "2")
    # numbers of other Python types are fine
    np.testing.assert_allclose(linalg.add([[Fraction(1, 2)]], [[1]]), [[1.5]])
    np.testing.assert_allclose(linalg.scale([[1, 2]], np.float32(2.0)), [[2.0, 4.0]])


def test_names_keyword(device):
    with pytest.raises(ShapeError, match="^X is 1×2 and B is 3×1"):
        linalg.matmul(np.ones((1, 2)), np.ones((3, 1)), names=("X",))
    with pytest.raises(ShapeError, match="^P is 2×3: only a square"):
        linalg.det(np.ones((2, 3)), names="P")


def test_inputs_are_not_modified(device):
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    b = np.array([1.0, 2.0])
    keep_a, keep_b = a.copy(), b.copy()
    linalg.solve(a, b)
    linalg.inv(a)
    linalg.det(a)
    np.testing.assert_array_equal(a, keep_a)
    np.testing.assert_array_equal(b, keep_b)
