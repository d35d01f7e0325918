"""Sparse storage: every conversion round-trips, bytes add up, pruning explains itself,
and the CSR product kernel agrees with the dense product on every device and dtype."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import NonFiniteError, ShapeError
from engine.compress import sparse as sp

RNG = np.random.default_rng(7)


def sparse_matrix(m, n, density, seed=0):
    return sp.random_sparse((m, n), density, seed=seed, dtype=np.float64)


@st.composite
def matrices(draw):
    m = draw(st.integers(1, 7))
    n = draw(st.integers(1, 7))
    mask = draw(st.lists(st.booleans(), min_size=m * n, max_size=m * n))
    vals = draw(st.lists(st.floats(-5, 5, allow_nan=False), min_size=m * n, max_size=m * n))
    return np.where(np.array(mask).reshape(m, n), np.array(vals).reshape(m, n), 0.0)


@settings(max_examples=25, deadline=None)
@given(matrices())
def test_every_format_round_trips_through_every_other(a):
    for first in sp.FORMATS:
        s = sp.convert(a, first)
        assert np.array_equal(s.to_dense(), a)
        assert s.nnz == np.count_nonzero(a)
        for second in sp.FORMATS:
            assert np.array_equal(sp.convert(s, second).to_dense(), a)


def test_csr_and_csc_arrays_are_the_textbook_ones():
    a = np.array([[5.0, 0, 0, 1], [0, 0, 0, 0], [0, 2, 3, 0]])
    csr = sp.to_csr(a)
    assert csr.indptr.tolist() == [0, 2, 2, 4]
    assert csr.indices.tolist() == [0, 3, 1, 2]
    assert csr.values.tolist() == [5, 1, 2, 3]
    csc = sp.to_csc(a)
    assert csc.indptr.tolist() == [0, 1, 2, 3, 4]
    assert csc.indices.tolist() == [0, 2, 2, 0]
    assert csc.values.tolist() == [5, 2, 3, 1]
    coo = sp.to_coo(a)
    assert list(zip(coo.rows.tolist(), coo.cols.tolist())) == [(0, 0), (0, 3), (2, 1), (2, 2)]


def test_coo_duplicates_add_up_when_compressed():
    coo = sp.COO((2, 2), [0, 0, 1], [1, 1, 0], [1.0, 2.0, 4.0])
    assert np.array_equal(sp.to_csr(coo).to_dense(), [[0, 3], [4, 0]])
    assert sp.to_csr(coo).nnz == 2


def test_bytes_follow_the_formulas():
    a = sparse_matrix(20, 30, 0.1).astype(np.float32)
    info = sp.storage(a)
    nnz = info["nnz"]
    assert info["dense"] == 20 * 30 * 4
    assert info["coo"] == nnz * (4 + 4 + 4)
    assert info["csr"] == 21 * 4 + nnz * 8
    assert info["csc"] == 31 * 4 + nnz * 8
    d = sp.break_even_density((20, 30), np.float32)
    assert 0.45 < d < 0.5  # values and indices both 4 bytes: about half


def test_prune_removes_small_entries_and_refuses_to_remove_everything():
    a = np.array([[0.5, -0.05], [0.01, -2.0]])
    assert np.array_equal(sp.prune(a, 0.1), [[0.5, 0], [0, -2.0]])
    with pytest.raises(ValueError, match="removes every entry.*below 2"):
        sp.prune(a, 3.0)
    with pytest.raises(ValueError, match="finite number of 0 or more"):
        sp.prune(a, -1)
    pruned, t = sp.prune_fraction(a, 0.5)
    assert np.count_nonzero(pruned) == 2 and t == pytest.approx(0.5)


def test_bad_input_is_answered_with_sentences():
    with pytest.raises(ShapeError, match="needs a matrix"):
        sp.to_csr(np.ones(3))
    with pytest.raises(NonFiniteError, match="row 1, column 2"):
        sp.to_csr(np.array([[1.0, np.nan]]))
    with pytest.raises(ShapeError, match="outside 0 … 1"):
        sp.COO((2, 2), [0, 2], [0, 0], [1.0, 1.0])
    with pytest.raises(ShapeError, match="never decrease"):
        sp.CSR((2, 2), [0, 2, 1], [0], [1.0])
    with pytest.raises(ValueError, match="no sparse format"):
        sp.convert(np.eye(2), "bsr")
    with pytest.raises(ShapeError, match="B's rows"):
        sp.spmm(np.eye(3), np.ones((2, 2)))


# ------------------------------------------------------------------ the kernel

@pytest.mark.kernels
@pytest.mark.parametrize("m,k,n,density", [(1, 1, 1, 1.0), (5, 7, 3, 0.4), (17, 9, 1, 0.3), (6, 4, 19, 0.0)])
def test_spmm_matches_dense_product(backend, tol, m, k, n, density):
    a = sparse_matrix(m, k, density, seed=m + k) if density else np.zeros((m, k))
    if density == 0:
        a[2, 1] = 3.0  # one stored value in a matrix with empty rows
    b = RNG.normal(size=(k, n))
    got = sp.spmm(a, b, device=backend.device, dtype=backend.dtype)
    rtol, atol = tol(backend.dtype)
    np.testing.assert_allclose(got, a @ b, rtol=rtol, atol=atol * 10)
    v = sp.spmv(a, b[:, 0], device=backend.device, dtype=backend.dtype)
    assert v.shape == (m,)
    np.testing.assert_allclose(v, a @ b[:, 0], rtol=rtol, atol=atol * 10)


def test_spmm_takes_any_format_and_awkward_shapes(backend, tol):
    rtol, atol = tol(backend.dtype)
    a = sparse_matrix(67, 45, 0.07, seed=3)
    b = RNG.normal(size=(45, 33))
    for form in sp.FORMATS:
        got = sp.spmm(sp.convert(a, form), b, device=backend.device, dtype=backend.dtype)
        np.testing.assert_allclose(got, a @ b, rtol=rtol, atol=atol * 30)


def test_spmm_timing_reports_both_products():
    out = sp.spmm_timing(32, 32, 8, (1.0, 0.1), repeats=1)
    assert out["sparse_s"].shape == (2,) and np.all(out["sparse_s"] > 0) and np.all(out["dense_s"] > 0)
    assert out["density"][0] == 1.0 and out["density"][1] < 0.3
