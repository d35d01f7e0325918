"""The register matmul's paths (B packed or read in place, K cut into slices, blocks of
rows per work-item) and the buffer pool under them, against numpy in float64.

``test_linalg_ops.py`` checks every variant on a few shapes; here the shapes sit on the
register kernel's own edges: the 6-row blocks, the 16-column panels, the 256-row slices
of K, the in-place size limit. Tests marked ``kernels`` are re-run under Oclgrind.
"""

import itertools

import numpy as np
import pytest

from engine.backend import cl_linalg
from engine.backend.cl_linalg import REG_KC, REG_TILES

RNG = np.random.default_rng(77)


def _cast(be, *arrays):
    return [np.asarray(x, be.dtype).astype(np.float64) for x in arrays]


def _product(be, monkeypatch, a, b, ta, tb, out=None, accumulate=False, variant="register"):
    monkeypatch.setattr(be, "matmul_variant", variant)
    dev_out = None if out is None else be.asarray(out)
    res = be.matmul(be.asarray(a), be.asarray(b), ta, tb, out=dev_out, accumulate=accumulate)
    return be.to_numpy(res)


def _check(be, tol, got, want, k):
    rtol, atol = tol(be.dtype)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol * max(1.0, np.sqrt(k)) * 4)


def _operands(be, m, n, k, ta, tb):
    a = RNG.standard_normal((k, m) if ta else (m, k))
    b = RNG.standard_normal((n, k) if tb else (k, n))
    a, b = _cast(be, a, b)
    return a, b, (a.T if ta else a) @ (b.T if tb else b)


# K around the slice length (REG_KC = 256); N whole panels (in place) or not; M around
# the 6-row block
EDGE_SHAPES = [(1, 16, 255), (5, 32, 256), (6, 16, 257), (7, 48, 300), (13, 17, 513), (37, 33, 1)]


@pytest.mark.parametrize("mnk", EDGE_SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_register_kernel_on_its_edges(cl_backend, tol, monkeypatch, mnk):
    be = cl_backend
    m, n, k = mnk
    for ta, tb in itertools.product((False, True), repeat=2):
        a, b, want = _operands(be, m, n, k, ta, tb)
        _check(be, tol, _product(be, monkeypatch, a, b, ta, tb), want, k)
        c = _cast(be, RNG.standard_normal((m, n)))[0]
        got = _product(be, monkeypatch, a, b, ta, tb, out=c, accumulate=True)
        _check(be, tol, got, c + want, k)


def test_many_blocks_per_work_item(cl_backend, tol, monkeypatch):
    # enough rows that a work-item takes several 6-row blocks, the last group partial
    be = cl_backend
    m, n, k = 203, 32, 40
    a, b, want = _operands(be, m, n, k, False, False)
    _check(be, tol, _product(be, monkeypatch, a, b, False, False), want, k)


def test_in_place_and_packed_b_agree(cl_backend, monkeypatch):
    # the same product with B read in place and with B packed: the same sums, bit for bit
    be = cl_backend
    m, n, k = 9, 32, 20
    a, b, _ = _operands(be, m, n, k, False, False)
    in_place = _product(be, monkeypatch, a, b, False, False)
    monkeypatch.setattr(cl_linalg, "REG_INPLACE_BYTES", 0)
    packed = _product(be, monkeypatch, a, b, False, False)
    np.testing.assert_array_equal(in_place, packed)


def test_packed_a_agrees_with_a_in_place(cl_backend, tol, monkeypatch):
    # large products pack A into blocks of 6 rows (the last block repeating the last row);
    # here forced on a small one: a partial block, K over two slices and a partial chunk
    be = cl_backend
    m, n, k = 13, 20, 300
    a, b, want = _operands(be, m, n, k, False, False)
    in_place = _product(be, monkeypatch, a, b, False, False)
    monkeypatch.setattr(cl_linalg, "REG_PACK_A_WORK", 0)
    packed = _product(be, monkeypatch, a, b, False, False)
    _check(be, tol, packed, want, k)
    np.testing.assert_array_equal(packed, in_place)


def test_register_sums_k_in_order_within_a_slice(cl_backend, monkeypatch):
    # one FMA chain per element in k order, as the naive kernel: equal bit for bit while
    # K fits one slice (engine.fused relies on it)
    be = cl_backend
    m, n, k = 7, 20, REG_KC
    a, b, _ = _operands(be, m, n, k, True, False)
    reg = _product(be, monkeypatch, a, b, True, False)
    naive = _product(be, monkeypatch, a, b, True, False, variant="naive")
    np.testing.assert_array_equal(reg, naive)


@pytest.mark.kernels
def test_register_kernel_in_place_small(cl_backend, tol, monkeypatch):
    # B read in place (a whole number of panels, not transposed), a partial row block,
    # K over two slices once the slice is made short
    be = cl_backend
    tm, vw, nv = REG_TILES[be.dtype]
    m, n, k = tm + 1, vw * nv * 2, 5
    monkeypatch.setattr(cl_linalg, "REG_KC", 3)
    a, b, want = _operands(be, m, n, k, False, False)
    _check(be, tol, _product(be, monkeypatch, a, b, False, False), want, k)
    c = _cast(be, RNG.standard_normal((m, n)))[0]
    _check(be, tol, _product(be, monkeypatch, a, b, False, False, out=c, accumulate=True), c + want, k)


@pytest.mark.kernels
def test_register_kernel_packed_a_small(cl_backend, tol, monkeypatch):
    # A packed (forced), a partial row block, K not a whole number of packing chunks
    be = cl_backend
    tm = REG_TILES[be.dtype][0]
    m, n, k = tm + 1, 16, 37
    monkeypatch.setattr(cl_linalg, "REG_KC", 8)
    monkeypatch.setattr(cl_linalg, "REG_PACK_A_WORK", 0)
    a, b, want = _operands(be, m, n, k, False, False)
    _check(be, tol, _product(be, monkeypatch, a, b, False, False), want, k)


# ---------------------------------------------------------------- the buffer pool

def test_pool_reuses_buffers_of_dropped_arrays(cl_backend):
    be = cl_backend
    a = be.full((1000,), 3.0)
    held = be.pool.held_blocks
    del a
    assert be.pool.held_blocks == held + 1
    b = be.zeros((1000,))
    assert be.pool.held_blocks == held
    assert not be.to_numpy(b).any()


def test_pool_keeps_a_buffer_while_a_view_holds_it(cl_backend):
    be = cl_backend
    a = be.asarray(np.arange(12.0))
    view = be.reshape(a, (3, 4))
    del a
    # the view's buffer is still in use: new arrays of that size must not get it
    others = [be.full((12,), 7.0) for _ in range(4)]
    np.testing.assert_array_equal(be.to_numpy(view), np.arange(12.0).reshape(3, 4))
    assert all(be.to_numpy(o)[0] == 7.0 for o in others)


def test_pool_gives_idle_memory_back(cl_backend, monkeypatch):
    from engine.backend import cl_memory

    be = cl_backend
    monkeypatch.setattr(cl_memory, "POOL_IDLE_BYTES", 0)
    for _ in range(3):
        be.empty((4096,))
    be.empty((10,))  # over the (zero) limit: what was held goes back first
    assert be.pool.held_blocks <= 1
