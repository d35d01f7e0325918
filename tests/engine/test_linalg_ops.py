"""The linear-algebra ops of every backend against numpy (computed in float64).

Each test runs on every (device, dtype), the numpy reference included. OpenCL matrix
products run in every kernel variant (forced through ``matmul_variant``), so the GPU
tile kernel is exercised on a CPU device too. Tests marked ``kernels`` use tiny shapes:
they are re-run under the Oclgrind simulator with race and uninitialised-memory checks.
"""

import itertools

import numpy as np
import pytest

from engine import ShapeError, SingularMatrixError
from engine.backend.cl_linalg import MATMUL_VARIANTS

RNG = np.random.default_rng(1234)


def rand(*shape):
    return RNG.standard_normal(shape)


def variants(backend):
    """None (automatic) plus every forced kernel variant on OpenCL; just None on numpy."""
    return [None] if backend.kind == "numpy" else [None, *MATMUL_VARIANTS]


def close(backend, got, want, tol, scale=1.0):
    rtol, atol = tol(backend.dtype)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol * scale)


def product(backend, monkeypatch, variant, a, b, ta=False, tb=False, out=None, accumulate=False):
    """backend.matmul on host arrays, with the kernel variant forced; returns numpy."""
    if backend.kind != "numpy":
        monkeypatch.setattr(backend, "matmul_variant", variant)
    dev_out = None if out is None else backend.asarray(out)
    res = backend.matmul(backend.asarray(a), backend.asarray(b), ta, tb, out=dev_out, accumulate=accumulate)
    if dev_out is not None:
        assert res is dev_out
    return backend.to_numpy(res)


def cast(backend, *arrays):
    """The arrays rounded to the backend's dtype, then widened to float64 for the reference."""
    return [np.asarray(x, backend.dtype).astype(np.float64) for x in arrays]


# ---------------------------------------------------------------- elementwise

ELEMENTWISE_SHAPES = [(1, 1), (1, 7), (7, 1), (33, 65), (1000,)]


@pytest.mark.parametrize("shape", ELEMENTWISE_SHAPES, ids=str)
def test_elementwise(backend, tol, shape):
    a, b = cast(backend, rand(*shape), rand(*shape))
    A, B = backend.asarray(a), backend.asarray(b)
    for op, want in (("add", a + b), ("sub", a - b), ("mul", a * b)):
        got = backend.to_numpy(getattr(backend, op)(A, B))
        assert got.shape == shape and got.dtype == backend.dtype
        close(backend, got, want, tol)
    close(backend, backend.to_numpy(backend.scale(A, -2.5)), -2.5 * a, tol)
    y = backend.copy(B)
    backend.axpy(0.75, A, y)
    close(backend, backend.to_numpy(y), b + 0.75 * a, tol)


@pytest.mark.kernels
def test_elementwise_small(backend, tol):
    a, b = cast(backend, rand(3, 5), rand(3, 5))
    A, B = backend.asarray(a), backend.asarray(b)
    close(backend, backend.to_numpy(backend.add(A, B)), a + b, tol)
    close(backend, backend.to_numpy(backend.sub(A, B)), a - b, tol)
    close(backend, backend.to_numpy(backend.mul(A, B)), a * b, tol)
    close(backend, backend.to_numpy(backend.scale(A, 3.0)), 3.0 * a, tol)
    backend.axpy(-2.0, A, B)
    close(backend, backend.to_numpy(B), b - 2.0 * a, tol)
    close(backend, backend.to_numpy(backend.transpose(A)), a.T, tol)


def test_elementwise_shapes_must_match(backend):
    a, b = backend.zeros((2, 3)), backend.zeros((3, 2))
    for op in ("add", "sub", "mul"):
        with pytest.raises(ShapeError, match="2×3 and 3×2"):
            getattr(backend, op)(a, b)
    with pytest.raises(ShapeError):
        backend.axpy(1.0, backend.zeros((4,)), backend.zeros((5,)))


@pytest.mark.parametrize("shape", [(1, 1), (1, 9), (9, 1), (17, 33), (64, 48)], ids=str)
def test_transpose(backend, shape):
    a = rand(*shape).astype(backend.dtype)
    got = backend.to_numpy(backend.transpose(backend.asarray(a)))
    assert got.shape == shape[::-1]
    np.testing.assert_array_equal(got, a.T)


# --------------------------------------------------------------------- matmul

# (M, N, K): ones, vectors, odd sizes around the tile sizes (4, 16, TILE = 16) and one
# big enough for the automatic choice to leave the naive kernel.
MATMUL_SHAPES = [(1, 1, 1), (1, 6, 3), (6, 1, 3), (3, 4, 1), (17, 5, 33), (5, 33, 17),
                 (33, 17, 65), (20, 16, 16), (70, 37, 129)]


@pytest.mark.parametrize("mnk", MATMUL_SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_matmul(backend, tol, monkeypatch, mnk):
    m, n, k = mnk
    for ta, tb in itertools.product((False, True), repeat=2):
        a, b = cast(backend, rand(*((k, m) if ta else (m, k))), rand(*((n, k) if tb else (k, n))))
        want = (a.T if ta else a) @ (b.T if tb else b)
        for variant in variants(backend):
            got = product(backend, monkeypatch, variant, a, b, ta, tb)
            assert got.shape == (m, n) and got.dtype == backend.dtype
            close(backend, got, want, tol, scale=np.sqrt(k))


@pytest.mark.kernels
@pytest.mark.parametrize("trans", [(False, False), (True, True)], ids=["nn", "tt"])
def test_matmul_small(backend, tol, monkeypatch, trans):
    # 5 rows (a partial register block of 4), 18 columns (a full panel of 16 and a partial
    # one), K = 17 (two local-memory tiles): every edge of every kernel, accumulate too.
    ta, tb = trans
    m, n, k = 5, 18, 17
    a, b, c = cast(backend, rand(*((k, m) if ta else (m, k))), rand(*((n, k) if tb else (k, n))), rand(m, n))
    want = (a.T if ta else a) @ (b.T if tb else b)
    for variant in variants(backend):
        close(backend, product(backend, monkeypatch, variant, a, b, ta, tb), want, tol, scale=5)
        got = product(backend, monkeypatch, variant, a, b, ta, tb, out=c, accumulate=True)
        close(backend, got, c + want, tol, scale=5)


def test_matmul_out_and_accumulate(backend, tol, monkeypatch):
    m, n, k = 9, 21, 13
    a, b, c = cast(backend, rand(m, k), rand(n, k), rand(m, n))
    want = a @ b.T
    for variant in variants(backend):
        close(backend, product(backend, monkeypatch, variant, a, b, tb=True, out=c), want, tol, scale=4)
        got = product(backend, monkeypatch, variant, a, b, tb=True, out=c, accumulate=True)
        close(backend, got, c + want, tol, scale=4)


def test_matmul_empty_inner_dimension(backend, monkeypatch):
    a, b = np.zeros((3, 0)), np.zeros((0, 4))
    c = np.full((3, 4), 7.0)
    for variant in variants(backend):
        np.testing.assert_array_equal(product(backend, monkeypatch, variant, a, b), np.zeros((3, 4)))
        np.testing.assert_array_equal(product(backend, monkeypatch, variant, a, b, out=c), np.zeros((3, 4)))
        np.testing.assert_array_equal(product(backend, monkeypatch, variant, a, b, out=c, accumulate=True), c)


def test_matmul_automatic_choice_on_a_large_product(backend, tol):
    # big enough that an OpenCL CPU device takes the register kernel, a GPU the tiles
    m, n, k = 130, 150, 140
    a, b = cast(backend, rand(m, k), rand(k, n))
    got = backend.to_numpy(backend.matmul(backend.asarray(a), backend.asarray(b)))
    close(backend, got, a @ b, tol, scale=np.sqrt(k))


def test_matmul_shape_errors(backend):
    a, b = backend.zeros((2, 3)), backend.zeros((2, 3))
    with pytest.raises(ShapeError, match=r"columns of A \(3\) to equal the rows of B \(2\)"):
        backend.matmul(a, b)
    with pytest.raises(ShapeError, match="out"):
        backend.matmul(a, b, trans_b=True, out=backend.zeros((3, 3)))
    assert backend.to_numpy(backend.matmul(a, b, trans_b=True)).shape == (2, 2)


# ------------------------------------------------------------------------ dot

@pytest.mark.parametrize("n", [1, 5, 64, 1000, 100_003])
def test_dot(backend, tol, n):
    u, v = cast(backend, rand(n), rand(n))
    got = backend.dot(backend.asarray(u), backend.asarray(v))
    assert isinstance(got, float)
    close(backend, got, u @ v, tol, scale=np.sqrt(n))


@pytest.mark.kernels
def test_dot_small(backend, tol):
    u, v = cast(backend, rand(70), rand(70))
    close(backend, backend.dot(backend.asarray(u), backend.asarray(v)), u @ v, tol, scale=10)


def test_dot_shape_error(backend):
    with pytest.raises(ShapeError):
        backend.dot(backend.zeros((3,)), backend.zeros((4,)))


# ------------------------------------------------------------ gauss_solve

def well_conditioned(n):
    return rand(n, n) + n * np.eye(n)


@pytest.mark.parametrize("n", [1, 2, 5, 17, 40])
@pytest.mark.parametrize("m", [0, 1, 3])
def test_gauss_solve(backend, tol, n, m):
    a, b = cast(backend, well_conditioned(n), rand(n, m))
    x, det = backend.gauss_solve(backend.asarray(a), backend.asarray(b))
    x = backend.to_numpy(x)
    assert x.shape == (n, m) and x.dtype == backend.dtype
    rtol, atol = tol(backend.dtype)
    if m:
        np.testing.assert_allclose(x, np.linalg.solve(a, b), rtol=rtol * 10, atol=atol * 10)
    assert isinstance(det, float)
    np.testing.assert_allclose(det, np.linalg.det(a), rtol=rtol * 10)


@pytest.mark.kernels
def test_gauss_small(backend, tol):
    # the largest entries sit off the diagonal, so the pivoting swaps rows
    a = np.array([[1.0, 2.0, 9.0], [8.0, 1.0, 1.0], [1.0, 7.0, 2.0]])
    b = np.array([[1.0, 0.0], [2.0, 1.0], [3.0, -1.0]])
    x, det = backend.gauss_solve(backend.asarray(a), backend.asarray(b))
    rtol, atol = tol(backend.dtype)
    np.testing.assert_allclose(backend.to_numpy(x), np.linalg.solve(a, b), rtol=rtol * 10, atol=atol * 10)
    np.testing.assert_allclose(det, np.linalg.det(a), rtol=rtol * 10)
    _, det_only = backend.gauss_solve(backend.asarray(a), backend.zeros((3, 0)))
    np.testing.assert_allclose(det_only, np.linalg.det(a), rtol=rtol * 10)
    singular = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
    with pytest.raises(SingularMatrixError) as info:
        backend.gauss_solve(backend.asarray(singular), backend.asarray(b))
    assert info.value.column == 2


def test_gauss_det_sign_follows_the_swaps(backend):
    perm = np.eye(4)[[1, 0, 3, 2]]  # two swaps: det +1
    _, det = backend.gauss_solve(backend.asarray(perm), backend.zeros((4, 0)))
    assert det == 1.0
    perm = np.eye(3)[[2, 0, 1]]  # a 3-cycle: also +1
    _, det = backend.gauss_solve(backend.asarray(perm), backend.zeros((3, 0)))
    assert det == 1.0
    perm = np.eye(3)[[1, 0, 2]]  # one swap: -1
    x, det = backend.gauss_solve(backend.asarray(perm), backend.asarray(np.eye(3)))
    assert det == -1.0
    np.testing.assert_array_equal(backend.to_numpy(x), perm.T)


@pytest.mark.parametrize("m", [0, 2])
def test_gauss_singular(backend, m):
    a = np.array([[1.0, 2.0, 3.0, 4.0],
                  [2.0, 4.0, 6.0, 8.5],
                  [0.0, 0.0, 1.0, 1.0],
                  [1.0, 2.0, 4.0, 5.0]])  # column 2 is twice column 1
    b = backend.asarray(np.ones((4, m)))
    with pytest.raises(SingularMatrixError, match="column 2 has no non-zero pivot in rows 2 to 4") as info:
        backend.gauss_solve(backend.asarray(a), b)
    assert info.value.column == 1
    assert backend.gauss_solve(backend.asarray(a), b, allow_singular=True) == (None, 0.0)


def test_gauss_tolerance_is_relative(backend):
    # scaling a matrix never changes whether it counts as singular
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    for s in (1e-20, 1.0, 1e20):
        _, det = backend.gauss_solve(backend.asarray(a * s), backend.zeros((2, 0)))
        np.testing.assert_allclose(det, -2.0 * s * s, rtol=1e-5)
    nearly = np.array([[1.0, 1.0], [1.0, 1.0 + 1e-3]])  # well above n·eps in either dtype
    _, det = backend.gauss_solve(backend.asarray(nearly), backend.zeros((2, 0)))
    np.testing.assert_allclose(det, 1e-3, rtol=1e-3)


def test_gauss_shape_errors(backend):
    with pytest.raises(ShapeError, match="square"):
        backend.gauss_solve(backend.zeros((2, 3)), backend.zeros((2, 1)))
    with pytest.raises(ShapeError, match="rows"):
        backend.gauss_solve(backend.zeros((2, 2)), backend.zeros((3, 1)))


def test_backends_agree_on_gauss(backend, ref):
    """The device follows the reference's steps: same pivots, so the same rounding."""
    a, b = well_conditioned(12), rand(12, 2)
    r = ref(backend.dtype)
    x_ref, det_ref = r.gauss_solve(r.asarray(a), r.asarray(b))
    x, det = backend.gauss_solve(backend.asarray(a), backend.asarray(b))
    rtol = 1e-5 if backend.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(backend.to_numpy(x), x_ref, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(det, det_ref, rtol=rtol)
