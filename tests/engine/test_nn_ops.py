"""Neural-network ops of every backend, forward and backward.

Three layers of checking:
1. the numpy reference against PyTorch (when installed), in float64;
2. the reference's backward ops against central finite differences, in float64;
3. every backend (fixture ``backend``: each device × dtype) against the reference.
Tests marked ``kernels`` use one tiny case per kernel, so the Oclgrind run stays short.
"""

from __future__ import annotations

import numpy as np
import pytest

ACTS = ["linear", "relu", "leaky_relu", "tanh", "sigmoid", "softmax"]

# (N, C, H, W, F, K, stride, pad): odd sizes, non-square, stride 1/2/3, padding 0/1/2, kernel 1/3/5
CONV_CASES = [
    (2, 3, 7, 5, 4, 3, 1, 1),
    (1, 2, 9, 8, 3, 3, 2, 0),
    (3, 1, 6, 7, 2, 5, 1, 2),
    (2, 2, 5, 5, 3, 1, 2, 0),
    (1, 3, 8, 11, 2, 3, 3, 2),
    (2, 1, 7, 7, 2, 5, 2, 1),
    # the CPU row kernels: filters in blocks (fwd: 512 // OW per work-item, dw: 512 // K²),
    # samples in groups, and shapes past their limits (OW > 64, K > 7) on the gathers
    (1, 1, 6, 64, 10, 3, 1, 1),
    (1, 1, 5, 5, 60, 3, 1, 1),
    (70, 1, 4, 4, 2, 3, 1, 1),
    (1, 2, 5, 70, 2, 3, 1, 1),
    (1, 1, 10, 10, 2, 9, 1, 4),
]
TINY_CONV = (1, 2, 4, 3, 2, 3, 2, 1)

# (N, C, H, W, size, stride): non-overlapping, overlapping (stride < size), ragged edges
POOL_CASES = [
    (2, 3, 6, 6, 2, 2),
    (1, 2, 7, 5, 3, 1),
    (2, 1, 7, 8, 2, 1),
    (1, 2, 9, 7, 3, 2),
    (2, 2, 5, 5, 1, 1),
    (1, 2, 8, 7, 2, 3),  # gaps between the windows
]
TINY_POOL = (1, 2, 5, 4, 3, 2)


def rand(rng, shape, dtype=np.float64, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(dtype)


def host(be, a):
    return a if isinstance(a, np.ndarray) else be.to_numpy(a)


def assert_close(be, got, want, tol, what=""):
    """got (a backend array) equals the reference within tol(dtype), scaled by |want|."""
    rtol, atol = tol(be.dtype)
    want = np.asarray(want)
    scale = max(1.0, float(np.abs(want).max())) if want.size else 1.0
    got = host(be, got)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol * scale, err_msg=what)


def up(be, a, dtype=None):
    return be.asarray(a, dtype)


# ======================================================== 1. reference vs PyTorch
@pytest.fixture
def torch():
    return pytest.importorskip("torch")


@pytest.fixture
def ref64(ref):
    return ref(np.float64)


def _t(torch, a, grad=False):
    return torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=grad)


@pytest.mark.torch
@pytest.mark.parametrize("kind", ACTS)
def test_reference_activation_matches_torch(torch, ref64, kind):
    rng = np.random.default_rng(1)
    z = rand(rng, (6, 5), scale=3.0)
    z[0, :3] = [0.0, -0.0, 40.0]  # relu'(0) and a saturated sigmoid
    da = rand(rng, z.shape)
    F = torch.nn.functional
    fn = {"linear": lambda t: t * 1, "relu": F.relu, "leaky_relu": lambda t: F.leaky_relu(t, 0.01),
          "tanh": torch.tanh, "sigmoid": torch.sigmoid, "softmax": lambda t: F.softmax(t, dim=1)}[kind]
    tz = _t(torch, z, True)
    ta = fn(tz)
    ta.backward(_t(torch, da))
    a = ref64.activation(kind, z, 0.01)
    np.testing.assert_allclose(a, ta.detach().numpy(), rtol=1e-12, atol=1e-14)
    dz = ref64.activation_backward(kind, z, a, da, 0.01)
    np.testing.assert_allclose(dz, tz.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.torch
@pytest.mark.parametrize("shape", [(1, 1), (7, 3), (16, 1)])
def test_reference_losses_match_torch(torch, ref64, shape):
    rng = np.random.default_rng(2)
    F = torch.nn.functional
    a = rand(rng, shape, scale=4.0)
    y = rand(rng, shape)
    ta = _t(torch, a, True)
    F.mse_loss(ta, _t(torch, y)).backward()
    loss, da = ref64.mse_loss(a, y)
    assert loss.shape == (1,)
    np.testing.assert_allclose(loss[0], F.mse_loss(_t(torch, a), _t(torch, y)).item(), rtol=1e-12)
    np.testing.assert_allclose(da, ta.grad.numpy(), rtol=1e-12, atol=1e-15)

    y01 = (rng.random(shape) > 0.5).astype(np.float64)
    a[0, 0] = 60.0  # large logits must stay finite
    ta = _t(torch, a, True)
    tl = F.binary_cross_entropy_with_logits(ta, _t(torch, y01))
    tl.backward()
    loss, dz = ref64.bce_loss_logits(a, y01)
    np.testing.assert_allclose(loss[0], tl.item(), rtol=1e-12)
    np.testing.assert_allclose(dz, ta.grad.numpy(), rtol=1e-12, atol=1e-15)

    n, k = shape[0], max(shape[1], 2)
    z = rand(rng, (n, k), scale=5.0)
    z[0, 0] = 300.0  # log-sum-exp must not overflow
    labels = rng.integers(0, k, n).astype(np.int32)
    tz = _t(torch, z, True)
    tl = F.cross_entropy(tz, torch.tensor(labels, dtype=torch.long))
    tl.backward()
    loss, dz = ref64.softmax_ce_loss_logits(z, labels)
    np.testing.assert_allclose(loss[0], tl.item(), rtol=1e-12)
    np.testing.assert_allclose(dz, tz.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.torch
@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_reference_regularize_matches_torch(torch, ref64, kind):
    rng = np.random.default_rng(3)
    w = rand(rng, (4, 5))
    w[0, 0] = 0.0  # sign(0) = 0
    dw = rand(rng, w.shape)
    tw = _t(torch, w, True)
    tp = 0.3 * (tw.abs().sum() if kind == "l1" else 0.5 * (tw * tw).sum())
    tp.backward()
    want = dw + tw.grad.numpy()
    penalty = ref64.regularize(kind, w, dw, 0.3)
    np.testing.assert_allclose(penalty[0], tp.item(), rtol=1e-12)
    np.testing.assert_allclose(dw, want, rtol=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize("case", CONV_CASES)
def test_reference_conv2d_matches_torch(torch, ref64, case):
    n, c, h, w, f, k, s, p = case
    rng = np.random.default_rng(4)
    x, wt, b = rand(rng, (n, c, h, w)), rand(rng, (f, c, k, k)), rand(rng, (f,))
    z = ref64.conv2d_forward(x, wt, b, s, p)
    tx, tw, tb = _t(torch, x, True), _t(torch, wt, True), _t(torch, b, True)
    tz = torch.nn.functional.conv2d(tx, tw, tb, stride=s, padding=p)
    np.testing.assert_allclose(z, tz.detach().numpy(), rtol=1e-12, atol=1e-12)
    dz = rand(rng, z.shape)
    tz.backward(_t(torch, dz))
    dx, dw, db = ref64.conv2d_backward(x, wt, dz, s, p)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dw, tw.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(db, tb.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize("case", POOL_CASES)
def test_reference_pools_match_torch(torch, ref64, case):
    n, c, h, w, size, stride = case
    rng = np.random.default_rng(5)
    x = np.round(rand(rng, (n, c, h, w)), 1)  # rounding makes ties, which pick the first
    F = torch.nn.functional
    tx = _t(torch, x, True)
    ty, tidx = F.max_pool2d(tx, size, stride, return_indices=True)
    y, argmax = ref64.maxpool_forward(x, size, stride)
    assert argmax.dtype == np.int32
    np.testing.assert_array_equal(y, ty.detach().numpy())
    np.testing.assert_array_equal(argmax, tidx.numpy())
    dy = rand(rng, y.shape)
    ty.backward(_t(torch, dy))
    np.testing.assert_allclose(ref64.maxpool_backward(dy, argmax, x.shape), tx.grad.numpy(), rtol=1e-12, atol=1e-14)

    tx = _t(torch, x, True)
    ty = F.avg_pool2d(tx, size, stride)
    np.testing.assert_allclose(ref64.avgpool_forward(x, size, stride), ty.detach().numpy(), rtol=1e-12, atol=1e-14)
    ty.backward(_t(torch, dy))
    np.testing.assert_allclose(ref64.avgpool_backward(dy, x.shape, size, stride), tx.grad.numpy(),
                               rtol=1e-12, atol=1e-14)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("momentum, nesterov", [(0.0, False), (0.9, False), (0.8, True)])
def test_reference_sgd_matches_torch(torch, ref, dtype, momentum, nesterov):
    be = ref(dtype)
    rng = np.random.default_rng(6)
    p = rand(rng, (3, 4), dtype)
    tp = torch.tensor(p.copy(), requires_grad=True)
    opt = torch.optim.SGD([tp], lr=0.05, momentum=momentum, nesterov=nesterov)
    v = np.zeros_like(p)
    for _ in range(4):
        g = rand(rng, p.shape, dtype)
        tp.grad = torch.tensor(g.copy())
        opt.step()
        be.sgd_update(p, g, v if momentum else None, 0.05, momentum, nesterov)
    rtol = 1e-12 if dtype == np.float64 else 2e-6
    np.testing.assert_allclose(p, tp.detach().numpy(), rtol=rtol, atol=rtol)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_reference_adam_matches_torch(torch, ref, dtype):
    be = ref(dtype)
    rng = np.random.default_rng(7)
    p = rand(rng, (5, 3), dtype)
    tp = torch.tensor(p.copy(), requires_grad=True)
    opt = torch.optim.Adam([tp], lr=0.01, betas=(0.9, 0.99), eps=1e-8, foreach=False)
    m, v = np.zeros_like(p), np.zeros_like(p)
    for t in range(1, 6):
        g = rand(rng, p.shape, dtype)
        tp.grad = torch.tensor(g.copy())
        opt.step()
        be.adam_update(p, g, m, v, 0.01, 0.9, 0.99, 1e-8, t)
    rtol = 1e-12 if dtype == np.float64 else 2e-6
    np.testing.assert_allclose(p, tp.detach().numpy(), rtol=rtol, atol=rtol)


# ======================================================== 2. finite differences
def numeric_grad(f, x, eps=1e-6):
    """Central differences of the scalar f at x (x is perturbed in place and restored)."""
    g = np.zeros_like(x)
    flat, gflat = x.reshape(-1), g.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        hi = f()
        flat[i] = old - eps
        lo = f()
        flat[i] = old
        gflat[i] = (hi - lo) / (2 * eps)
    return g


@pytest.mark.parametrize("kind", ACTS)
def test_activation_backward_finite_differences(ref64, kind):
    rng = np.random.default_rng(8)
    z = rand(rng, (4, 5), scale=2.0)
    z[np.abs(z) < 1e-3] = 0.5  # stay away from relu's kink
    r = rand(rng, z.shape)
    num = numeric_grad(lambda: float(np.sum(ref64.activation(kind, z, 0.1) * r)), z)
    dz = ref64.activation_backward(kind, z, ref64.activation(kind, z, 0.1), r, 0.1)
    np.testing.assert_allclose(dz, num, rtol=1e-6, atol=1e-8)


def test_loss_gradients_finite_differences(ref64):
    rng = np.random.default_rng(9)
    a, y = rand(rng, (5, 3)), rand(rng, (5, 3))
    _, da = ref64.mse_loss(a, y)
    np.testing.assert_allclose(da, numeric_grad(lambda: float(ref64.mse_loss(a, y)[0][0]), a), rtol=1e-6, atol=1e-9)
    y01 = (rng.random(a.shape) > 0.5).astype(np.float64)
    _, dz = ref64.bce_loss_logits(a, y01)
    np.testing.assert_allclose(dz, numeric_grad(lambda: float(ref64.bce_loss_logits(a, y01)[0][0]), a),
                               rtol=1e-6, atol=1e-9)
    labels = np.array([0, 2, 1, 1, 0], np.int32)
    _, dz = ref64.softmax_ce_loss_logits(a, labels)
    np.testing.assert_allclose(dz, numeric_grad(lambda: float(ref64.softmax_ce_loss_logits(a, labels)[0][0]), a),
                               rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_regularize_finite_differences(ref64, kind):
    rng = np.random.default_rng(10)
    w = rand(rng, (3, 4))
    w[np.abs(w) < 1e-3] = 0.5
    dw = np.zeros_like(w)
    ref64.regularize(kind, w, dw, 0.7)
    num = numeric_grad(lambda: float(ref64.regularize(kind, w, np.zeros_like(w), 0.7)[0]), w)
    np.testing.assert_allclose(dw, num, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("case", [CONV_CASES[0], CONV_CASES[1], CONV_CASES[4]])
def test_conv2d_backward_finite_differences(ref64, case):
    n, c, h, w, f, k, s, p = case
    rng = np.random.default_rng(11)
    x, wt, b = rand(rng, (n, c, h, w)), rand(rng, (f, c, k, k)), rand(rng, (f,))
    r = rand(rng, ref64.conv2d_forward(x, wt, b, s, p).shape)

    def j():
        return float(np.sum(ref64.conv2d_forward(x, wt, b, s, p) * r))

    dx, dw, db = ref64.conv2d_backward(x, wt, r, s, p)
    np.testing.assert_allclose(dx, numeric_grad(j, x), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dw, numeric_grad(j, wt), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(db, numeric_grad(j, b), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("case", POOL_CASES[:4])
def test_pool_backward_finite_differences(ref64, case):
    n, c, h, w, size, stride = case
    rng = np.random.default_rng(12)
    # a random permutation: distinct values, so the max is stable under a tiny nudge
    x = rng.permutation(n * c * h * w).reshape(n, c, h, w).astype(np.float64) * 0.1
    y, argmax = ref64.maxpool_forward(x, size, stride)
    r = rand(rng, y.shape)
    num = numeric_grad(lambda: float(np.sum(ref64.maxpool_forward(x, size, stride)[0] * r)), x)
    np.testing.assert_allclose(ref64.maxpool_backward(r, argmax, x.shape), num, rtol=1e-6, atol=1e-8)
    num = numeric_grad(lambda: float(np.sum(ref64.avgpool_forward(x, size, stride) * r)), x)
    np.testing.assert_allclose(ref64.avgpool_backward(r, x.shape, size, stride), num, rtol=1e-6, atol=1e-8)


def test_bias_ops_finite_differences(ref64):
    rng = np.random.default_rng(13)
    for shape in [(4, 3), (2, 3, 4, 5)]:
        b = rand(rng, (3,))
        z0 = rand(rng, shape)
        r = rand(rng, shape)

        def j():
            z = z0.copy()
            ref64.add_bias(z, b)
            return float(np.sum(z * r))

        np.testing.assert_allclose(ref64.bias_grad(r), numeric_grad(j, b), rtol=1e-6, atol=1e-8)


# ======================================================== 3. every backend vs the reference
def check_bias(be, rf, tol, shape):
    rng = np.random.default_rng(20)
    z, b = rand(rng, shape, be.dtype), rand(rng, (shape[1],), be.dtype)
    want = z.copy()
    rf.add_bias(want, b)
    got = up(be, z)
    be.add_bias(got, up(be, b))
    assert_close(be, got, want, tol, "add_bias")
    assert_close(be, be.bias_grad(up(be, z)), rf.bias_grad(z), tol, "bias_grad")
    out = up(be, np.full(shape[1], 7.0, be.dtype))
    assert be.bias_grad(up(be, z), out=out) is out
    assert_close(be, out, rf.bias_grad(z), tol, "bias_grad into out")


def check_activation(be, rf, tol, kind, shape):
    rng = np.random.default_rng(21)
    z = rand(rng, shape, be.dtype, scale=3.0)
    z.reshape(-1)[0] = 0.0
    da = rand(rng, shape, be.dtype)
    a = rf.activation(kind, z, 0.05)
    got_a = be.activation(kind, up(be, z), 0.05)
    assert_close(be, got_a, a, tol, f"{kind} forward")
    got = be.activation_backward(kind, up(be, z), up(be, a), up(be, da), 0.05)
    assert_close(be, got, rf.activation_backward(kind, z, a, da, 0.05), tol, f"{kind} backward")


def check_fused_activations(be, rf, tol, shape, conv_case):
    """bias_activation and conv2d_forward_act: the same numbers as the ops one by one."""
    rng = np.random.default_rng(27)
    z, b = rand(rng, shape, be.dtype, scale=2.0), rand(rng, (shape[1],), be.dtype)
    n, c, h, w, f, k, s, p = conv_case
    x, wt, cb = rand(rng, (n, c, h, w), be.dtype), rand(rng, (f, c, k, k), be.dtype), rand(rng, (f,), be.dtype)
    for kind in ("linear", "relu", "leaky_relu", "tanh", "sigmoid"):
        want_z = z + b
        got_z = up(be, z)
        got_a = be.bias_activation(got_z, up(be, b), kind, 0.05)
        assert_close(be, got_z, want_z, tol, f"bias_activation z {kind}")
        assert_close(be, got_a, rf.activation(kind, want_z, 0.05), tol, f"bias_activation a {kind}")
        cz = rf.conv2d_forward(x, wt, cb, s, p)
        for v in variants(be):
            gz, ga = be.conv2d_forward_act(up(be, x), up(be, wt), up(be, cb), s, p, kind, 0.05)
            assert_close(be, gz, cz, tol, f"conv2d_forward_act z {kind} {v}")
            assert_close(be, ga, rf.activation(kind, cz, 0.05), tol, f"conv2d_forward_act a {kind} {v}")


def check_gather_rows(be, shape):
    """Rows picked by an index array, float and int32, the last batch short: exact copies."""
    rng = np.random.default_rng(28)
    x = rand(rng, shape, be.dtype)
    labels = rng.integers(0, 10, shape[0]).astype(np.int32)
    order = rng.permutation(shape[0]).astype(np.int32)
    idx = up(be, order, np.int32)
    for start in range(0, shape[0], 4):
        count = min(4, shape[0] - start)
        np.testing.assert_array_equal(host(be, be.gather_rows(up(be, x), idx, start, count)),
                                      x[order[start:start + count]])
        got = be.gather_rows(up(be, labels, np.int32), idx, start, count)
        assert got.dtype == np.int32
        np.testing.assert_array_equal(host(be, got), labels[order[start:start + count]])


def check_losses(be, rf, tol, shape):
    rng = np.random.default_rng(22)
    a, y = rand(rng, shape, be.dtype, scale=3.0), rand(rng, shape, be.dtype)
    for name, target in [("mse_loss", y), ("bce_loss_logits", (y > 0).astype(be.dtype))]:
        loss, grad = getattr(be, name)(up(be, a), up(be, target))
        want_loss, want_grad = getattr(rf, name)(a, target)
        assert_close(be, loss, want_loss, tol, name)
        assert_close(be, grad, want_grad, tol, name + " gradient")
    labels = rng.integers(0, shape[1], shape[0]).astype(np.int32)
    loss, grad = be.softmax_ce_loss_logits(up(be, a), up(be, labels, np.int32))
    want_loss, want_grad = rf.softmax_ce_loss_logits(a, labels)
    assert_close(be, loss, want_loss, tol, "softmax_ce")
    assert_close(be, grad, want_grad, tol, "softmax_ce gradient")


def check_regularize(be, rf, tol, kind, shape):
    rng = np.random.default_rng(23)
    w, dw = rand(rng, shape, be.dtype), rand(rng, shape, be.dtype)
    w.reshape(-1)[0] = 0.0
    got_dw = up(be, dw)
    penalty = be.regularize(kind, up(be, w), got_dw, 0.01)
    want = rf.regularize(kind, w, dw, 0.01)
    assert_close(be, penalty, want, tol, f"{kind} penalty")
    assert_close(be, got_dw, dw, tol, f"{kind} gradient")


def variants(be):
    """The conv/pool kernel variants of a backend ("rows", "gather"), each set in turn;
    the numpy reference has just the one."""
    if not hasattr(be, "conv_variant"):
        yield None
        return
    before = be.__dict__.get("conv_variant")
    try:
        for v in ("rows", "gather"):
            be.conv_variant = v
            yield v
    finally:
        if before is None:
            be.__dict__.pop("conv_variant", None)
        else:
            be.conv_variant = before


def check_conv(be, rf, tol, case):
    n, c, h, w, f, k, s, p = case
    rng = np.random.default_rng(24)
    x, wt, b = rand(rng, (n, c, h, w), be.dtype), rand(rng, (f, c, k, k), be.dtype), rand(rng, (f,), be.dtype)
    z = rf.conv2d_forward(x, wt, b, s, p)
    dz = rand(rng, z.shape, be.dtype)
    want = rf.conv2d_backward(x, wt, dz, s, p)
    for v in variants(be):
        assert_close(be, be.conv2d_forward(up(be, x), up(be, wt), up(be, b), s, p), z, tol, f"conv2d forward {v}")
        got = be.conv2d_backward(up(be, x), up(be, wt), up(be, dz), s, p)
        for name, g, ref_g in zip(("dx", "dw", "db"), got, want):
            assert_close(be, g, ref_g, tol, f"conv2d {name} {v}")
        dx, dw, db = be.conv2d_backward(up(be, x), up(be, wt), up(be, dz), s, p, need_dx=False)
        assert dx is None
        assert_close(be, dw, want[1], tol, f"conv2d dw without dx {v}")
        assert_close(be, db, want[2], tol, f"conv2d db without dx {v}")


def check_pools(be, rf, tol, case):
    for _ in variants(be):
        _check_pools(be, rf, tol, case)


def _check_pools(be, rf, tol, case):
    n, c, h, w, size, stride = case
    rng = np.random.default_rng(25)
    x = np.round(rand(rng, (n, c, h, w), be.dtype), 1)  # ties: the first must win everywhere
    y, argmax = rf.maxpool_forward(x, size, stride)
    got_y, got_arg = be.maxpool_forward(up(be, x), size, stride)
    assert_close(be, got_y, y, tol, "maxpool forward")
    assert got_arg.dtype == np.int32
    np.testing.assert_array_equal(host(be, got_arg), argmax)
    dy = rand(rng, y.shape, be.dtype)
    want = rf.maxpool_backward(dy, argmax, x.shape)
    assert_close(be, be.maxpool_backward(up(be, dy), got_arg, x.shape), want, tol, "maxpool backward")
    got = be.maxpool_backward(up(be, dy), got_arg, x.shape, size=size, stride=stride)
    assert_close(be, got, want, tol, "maxpool backward (size, stride)")
    assert_close(be, be.avgpool_forward(up(be, x), size, stride), rf.avgpool_forward(x, size, stride), tol,
                 "avgpool forward")
    assert_close(be, be.avgpool_backward(up(be, dy), x.shape, size, stride),
                 rf.avgpool_backward(dy, x.shape, size, stride), tol, "avgpool backward")


def check_time(be, rf, tol, shape):
    n, steps, feat = shape
    rng = np.random.default_rng(26)
    x = rand(rng, shape, be.dtype)
    dst = up(be, np.zeros(shape, be.dtype))
    for t in range(steps):
        sl = be.time_slice(up(be, x), t)
        assert_close(be, sl, x[:, t, :], tol, f"time_slice t={t}")
        be.time_store(dst, t, sl)
    assert_close(be, dst, x, tol, "time_store")


def check_optimizers(be, rf, tol, shape):
    rng = np.random.default_rng(27)
    p0 = rand(rng, shape, be.dtype)
    grads = [rand(rng, shape, be.dtype) for _ in range(3)]
    for momentum, nesterov in [(0.0, False), (0.9, False), (0.9, True)]:
        p, v = up(be, p0), up(be, np.zeros(shape, be.dtype))
        wp, wv = p0.copy(), np.zeros(shape, be.dtype)
        for g in grads:
            be.sgd_update(p, up(be, g), v if momentum else None, 0.1, momentum, nesterov)
            rf.sgd_update(wp, g, wv if momentum else None, 0.1, momentum, nesterov)
        assert_close(be, p, wp, tol, f"sgd momentum={momentum} nesterov={nesterov}")
    p, m, v = up(be, p0), up(be, np.zeros(shape, be.dtype)), up(be, np.zeros(shape, be.dtype))
    wp, wm, wv = p0.copy(), np.zeros(shape, be.dtype), np.zeros(shape, be.dtype)
    for t, g in enumerate(grads, start=1):
        be.adam_update(p, up(be, g), m, v, 0.01, 0.9, 0.999, 1e-8, t)
        rf.adam_update(wp, g, wm, wv, 0.01, 0.9, 0.999, 1e-8, t)
    assert_close(be, p, wp, tol, "adam p")
    assert_close(be, m, wm, tol, "adam m")
    assert_close(be, v, wv, tol, "adam v")


def check_optimizers_many(be, rf, tol, shapes):
    """The several-tensors-a-launch updates equal one update per tensor (empty tensors
    and more than four tensors included)."""
    rng = np.random.default_rng(29)
    ps = [rand(rng, s, be.dtype) for s in shapes]
    gs = [rand(rng, s, be.dtype) for s in shapes]
    dev_p = [up(be, p) for p in ps]
    be.sgd_update_many(dev_p, [up(be, g) for g in gs], 0.1)
    for p, g, got in zip(ps, gs, dev_p):
        want = p.copy()
        rf.sgd_update(want, g, None, 0.1)
        assert_close(be, got, want, tol, f"sgd_update_many {p.shape}")
    dev_p = [up(be, p) for p in ps]
    dev_m = [up(be, np.full(s, 0.1, be.dtype)) for s in shapes]
    dev_v = [up(be, np.full(s, 0.2, be.dtype)) for s in shapes]
    be.adam_update_many(dev_p, [up(be, g) for g in gs], dev_m, dev_v, 0.01, 0.9, 0.999, 1e-8, 3)
    for p, g, got, gm, gv in zip(ps, gs, dev_p, dev_m, dev_v):
        want, wm, wv = p.copy(), np.full(p.shape, 0.1, be.dtype), np.full(p.shape, 0.2, be.dtype)
        rf.adam_update(want, g, wm, wv, 0.01, 0.9, 0.999, 1e-8, 3)
        assert_close(be, got, want, tol, f"adam_update_many p {p.shape}")
        assert_close(be, gm, wm, tol, f"adam_update_many m {p.shape}")
        assert_close(be, gv, wv, tol, f"adam_update_many v {p.shape}")


def check_nonfinite(be, n):
    x = np.linspace(-1, 1, n).astype(be.dtype)
    bad = [0, n // 2, n - 1]
    x[bad[0]], x[bad[1]], x[bad[2]] = np.nan, np.inf, -np.inf
    counter = up(be, np.array([5], np.int32), np.int32)
    be.count_nonfinite(up(be, x), counter)
    be.count_nonfinite(up(be, np.ones(n, be.dtype)), counter)
    assert host(be, counter).tolist() == [5 + len(set(bad))]


@pytest.mark.parametrize("shape", [(1, 1), (5, 7), (3, 4, 5, 2)])
def test_bias_ops(backend, ref, tol, shape):
    check_bias(backend, ref(backend.dtype), tol, shape)


@pytest.mark.parametrize("kind", ACTS)
@pytest.mark.parametrize("shape", [(1, 1), (9, 5), (70, 3)])
def test_activations(backend, ref, tol, kind, shape):
    check_activation(backend, ref(backend.dtype), tol, kind, shape)


@pytest.mark.parametrize("shape", [(1, 1), (9, 5), (70, 130)])
def test_fused_bias_and_conv_activations(backend, ref, tol, shape):
    check_fused_activations(backend, ref(backend.dtype), tol, shape, CONV_CASES[0])


def test_elementwise_activation_on_4d(backend, ref, tol):
    for kind in ("relu", "tanh"):
        check_activation(backend, ref(backend.dtype), tol, kind, (2, 3, 4, 5))


# the last shapes exceed the reduction's 1024 first-stage work-items, so each one sums several
@pytest.mark.parametrize("shape", [(1, 2), (7, 3), (65, 10), (2500, 3)])
def test_losses(backend, ref, tol, shape):
    check_losses(backend, ref(backend.dtype), tol, shape)


@pytest.mark.parametrize("kind", ["l1", "l2"])
@pytest.mark.parametrize("shape", [(1,), (6, 5), (40, 60)])
def test_regularize(backend, ref, tol, kind, shape):
    check_regularize(backend, ref(backend.dtype), tol, kind, shape)


def test_regularize_none_adds_nothing(backend):
    w = backend.asarray(np.ones((2, 2)))
    dw = backend.asarray(np.full((2, 2), 3.0))
    assert backend.to_numpy(backend.regularize("none", w, dw, 0.5)).tolist() == [0.0]
    assert backend.to_numpy(dw).tolist() == [[3.0, 3.0], [3.0, 3.0]]


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d(backend, ref, tol, case):
    check_conv(backend, ref(backend.dtype), tol, case)


@pytest.mark.parametrize("case", POOL_CASES)
def test_pools(backend, ref, tol, case):
    check_pools(backend, ref(backend.dtype), tol, case)


@pytest.mark.parametrize("shape", [(1, 1), (10, 3), (9, 2, 3, 35)])
def test_gather_rows(backend, shape):
    check_gather_rows(backend, shape)


@pytest.mark.kernels
def test_kernels_gather_rows(cl_backend):
    check_gather_rows(cl_backend, (5, 3))


@pytest.mark.parametrize("shape", [(1, 1, 1), (4, 3, 5)])
def test_time_steps(backend, ref, tol, shape):
    check_time(backend, ref(backend.dtype), tol, shape)


@pytest.mark.parametrize("shape", [(1,), (7, 9)])
def test_optimizers(backend, ref, tol, shape):
    check_optimizers(backend, ref(backend.dtype), tol, shape)


@pytest.mark.parametrize("n", [3, 5000])
def test_count_nonfinite(backend, n):
    check_nonfinite(backend, n)


def test_losses_stay_finite_for_huge_logits(backend):
    z = backend.asarray(np.array([[500.0, -500.0, 0.0], [-800.0, 800.0, 1.0]]))
    loss, dz = backend.softmax_ce_loss_logits(z, backend.asarray(np.array([0, 0], np.int32), np.int32))
    assert np.isclose(backend.to_numpy(loss)[0], 800.0, rtol=1e-5)
    assert np.all(np.isfinite(backend.to_numpy(dz)))
    loss, dz = backend.bce_loss_logits(z, backend.asarray(np.ones((2, 3))))
    assert np.isfinite(backend.to_numpy(loss)[0])
    assert np.all(np.isfinite(backend.to_numpy(dz)))
    a = backend.activation("sigmoid", z)
    assert np.all(np.isfinite(backend.to_numpy(a)))


def test_relu_keeps_nan(backend):
    z = backend.asarray(np.array([[np.nan, -1.0, 2.0]]))
    got = backend.to_numpy(backend.activation("relu", z))
    assert np.isnan(got[0, 0]) and got[0, 1:].tolist() == [0.0, 2.0]


def test_bad_arguments_raise_sentences(backend):
    import engine

    x = backend.asarray(np.zeros((1, 2, 4, 4)))
    with pytest.raises(engine.ShapeError, match="channels"):
        backend.conv2d_forward(x, backend.asarray(np.zeros((3, 1, 3, 3))), backend.asarray(np.zeros(3)), 1, 0)
    with pytest.raises(engine.ShapeError, match="does not fit"):
        backend.maxpool_forward(x, 5, 1)
    with pytest.raises(ValueError, match="Unknown activation"):
        backend.activation("swish", x)
    with pytest.raises(engine.ShapeError, match="targets"):
        backend.mse_loss(backend.asarray(np.zeros((2, 3))), backend.asarray(np.zeros((3, 3))))


def test_numpy_softmax_ce_rejects_bad_labels(ref64):
    with pytest.raises(ValueError, match="0..2"):
        ref64.softmax_ce_loss_logits(np.zeros((2, 3)), np.array([0, 3], np.int32))


def test_ops_queue_without_waiting(cl_backend):
    """A loss and its gradient come back as device arrays; nothing is read to the host."""
    from engine.backend.cl_memory import ClArray

    z = cl_backend.asarray(np.zeros((4, 3)))
    loss, dz = cl_backend.softmax_ce_loss_logits(z, cl_backend.asarray(np.zeros(4, np.int32), np.int32))
    assert isinstance(loss, ClArray) and loss.shape == (1,) and loss.dtype == cl_backend.dtype
    assert isinstance(dz, ClArray) and dz.shape == (4, 3)
    assert np.isclose(cl_backend.to_numpy(loss)[0], np.log(3.0))


# ======================================================== 4. one tiny case per kernel (Oclgrind)
@pytest.mark.kernels
def test_kernels_bias_and_time(cl_backend, ref, tol):
    rf = ref(cl_backend.dtype)
    check_bias(cl_backend, rf, tol, (2, 3, 2, 2))
    check_time(cl_backend, rf, tol, (2, 3, 2))


@pytest.mark.kernels
def test_kernels_activations(cl_backend, ref, tol):
    rf = ref(cl_backend.dtype)
    for kind in ACTS:
        check_activation(cl_backend, rf, tol, kind, (3, 4))


@pytest.mark.kernels
def test_kernels_losses_and_penalties(cl_backend, ref, tol):
    rf = ref(cl_backend.dtype)
    check_losses(cl_backend, rf, tol, (5, 3))
    for kind in ("l1", "l2"):
        check_regularize(cl_backend, rf, tol, kind, (3, 4))


@pytest.mark.kernels
def test_kernels_conv2d(cl_backend, ref, tol):
    check_conv(cl_backend, ref(cl_backend.dtype), tol, TINY_CONV)


@pytest.mark.kernels
def test_kernels_fused_activations(cl_backend, ref, tol):
    check_fused_activations(cl_backend, ref(cl_backend.dtype), tol, (3, 5), TINY_CONV)


@pytest.mark.kernels
def test_kernels_pools(cl_backend, ref, tol):
    check_pools(cl_backend, ref(cl_backend.dtype), tol, TINY_POOL)


def test_optimizers_many(backend, ref, tol):
    check_optimizers_many(backend, ref(backend.dtype), tol, [(7, 9), (9,), (0,), (1, 1), (300,), (3, 4)])


@pytest.mark.kernels
def test_kernels_optimizers_and_counter(cl_backend, ref, tol):
    check_optimizers(cl_backend, ref(cl_backend.dtype), tol, (2, 3))
    check_optimizers_many(cl_backend, ref(cl_backend.dtype), tol, [(2, 3), (0,), (5,)])
    check_nonfinite(cl_backend, 7)
