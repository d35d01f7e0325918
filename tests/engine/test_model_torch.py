"""Model against PyTorch: same weights, same batch -> same loss and gradients.

Regularisation is added by hand on the torch side (L2: rate·½Σw², L1: rate·Σ|w|, weights
only). torch.nn.RNN has two biases; ours is b_ih = b_h with b_hh = 0.
"""

import os

import numpy as np
import pytest

import engine
from engine.model import Model

torch = pytest.importorskip("torch")
nn = torch.nn

pytestmark = pytest.mark.torch


def _devices():
    wanted = [w.strip().lower() for w in os.environ.get("MNLAB_TEST_DEVICES", "").split(",") if w.strip()]
    devs = engine.devices(include_simulators=bool(wanted))
    if wanted:
        devs = [d for d in devs if any(w in d.name.lower() or w in d.platform.lower() for w in wanted)]
    return devs


CASES = [pytest.param(d, np.float64, id=("numpy" if d.kind == "numpy" else d.name.split()[0]) + "-float64")
         for d in _devices() if d.fp64]
CASES += [pytest.param(d, np.float32, id=("numpy" if d.kind == "numpy" else d.name.split()[0]) + "-float32")
          for d in _devices()]


def tolerance(dtype):
    return dict(rtol=1e-9, atol=1e-12) if dtype == np.float64 else dict(rtol=2e-4, atol=2e-5)


ACT = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "leaky_relu": nn.LeakyReLU, "linear": nn.Identity}


def t(a):
    return torch.tensor(np.asarray(a, np.float64), dtype=torch.float64)


def penalty(kind, rate, weights):
    if kind == "l2":
        return rate * 0.5 * sum((w * w).sum() for w in weights)
    if kind == "l1":
        return rate * sum(w.abs().sum() for w in weights)
    return 0.0


def compare(model, torch_params, torch_loss, ours_loss, ours_grads, dtype, names):
    torch_loss.backward()
    tol = tolerance(dtype)
    assert ours_loss == pytest.approx(torch_loss.item(), rel=tol["rtol"] * 10, abs=tol["atol"])
    for ours, theirs in names.items():
        g_t = torch_params[theirs].grad.numpy()
        scale = max(1.0, float(np.abs(g_t).max()))
        np.testing.assert_allclose(ours_grads[ours], g_t, rtol=tol["rtol"] * 10, atol=tol["atol"] * scale,
                                   err_msg=ours)


@pytest.mark.parametrize("device, dtype", CASES)
def test_dense_softmax_ce_l2(device, dtype):
    spec = {"input": [4], "layers": [
        {"type": "dense", "units": 6, "activation": "tanh"},
        {"type": "dense", "units": 5, "activation": "leaky_relu"},
        {"type": "dense", "units": 3, "activation": "softmax"}],
        "loss": "softmax_ce", "regularization": {"type": "l2", "rate": 0.01}}
    model = Model(spec, seed=0, device=device, dtype=dtype)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 4))
    y = rng.integers(0, 3, 8)
    loss, grads = model.loss_and_grads(x, y)
    p = {k: t(v).requires_grad_() for k, v in model.params().items()}
    h = torch.tanh(t(x) @ p["0.W"].T + p["0.b"])
    h = nn.functional.leaky_relu(h @ p["1.W"].T + p["1.b"], 0.01)
    logits = h @ p["2.W"].T + p["2.b"]
    J = nn.functional.cross_entropy(logits, torch.tensor(y)) + penalty("l2", 0.01, [p["0.W"], p["1.W"], p["2.W"]])
    compare(model, p, J, loss, grads, dtype, {k: k for k in p})
    np.testing.assert_allclose(model.forward(x), torch.softmax(logits, 1).detach().numpy(), **tolerance(dtype))


@pytest.mark.parametrize("pool", ["max", "avg"])
@pytest.mark.parametrize("device, dtype", CASES)
def test_conv_pool_net(device, dtype, pool):
    spec = {"input": [2, 7, 7], "layers": [
        {"type": "conv2d", "filters": 3, "kernel": 3, "stride": 1, "padding": 1, "activation": "relu"},
        {"type": f"{pool}pool2d", "size": 2},
        {"type": "conv2d", "filters": 4, "kernel": 2, "stride": 2, "padding": 1, "activation": "sigmoid"},
        {"type": "flatten"},
        {"type": "dense", "units": 1, "activation": "sigmoid"}],
        "loss": "bce", "regularization": {"type": "l1", "rate": 0.003}, "init": "he"}
    model = Model(spec, seed=1, device=device, dtype=dtype)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 2, 7, 7))
    y = (rng.random((5, 1)) > 0.5).astype(np.float64)
    loss, grads = model.loss_and_grads(x, y)
    net = nn.Sequential(
        nn.Conv2d(2, 3, 3, stride=1, padding=1), nn.ReLU(),
        nn.MaxPool2d(2) if pool == "max" else nn.AvgPool2d(2),
        nn.Conv2d(3, 4, 2, stride=2, padding=1), nn.Sigmoid(),
        nn.Flatten(), nn.Linear(model.spec.shapes()[3][0], 1)).double()
    names = {"0.W": "0.weight", "0.b": "0.bias", "2.W": "3.weight", "2.b": "3.bias",
             "4.W": "6.weight", "4.b": "6.bias"}
    params = dict(net.named_parameters())
    with torch.no_grad():
        for ours, theirs in names.items():
            params[theirs].copy_(t(model.params()[ours]))
    logits = net(t(x))
    J = nn.functional.binary_cross_entropy_with_logits(logits, t(y))
    J = J + penalty("l1", 0.003, [params["0.weight"], params["3.weight"], params["6.weight"]])
    compare(model, params, J, loss, grads, dtype, names)


@pytest.mark.parametrize("device, dtype", CASES)
def test_rnn_net(device, dtype):
    spec = {"input": [6, 3], "layers": [
        {"type": "rnn", "units": 5, "activation": "tanh", "return_sequences": True},
        {"type": "rnn", "units": 4, "activation": "relu"},
        {"type": "dense", "units": 2, "activation": "linear"}],
        "loss": "mse", "regularization": {"type": "l2", "rate": 0.02}}
    model = Model(spec, seed=2, device=device, dtype=dtype)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 6, 3))
    y = rng.standard_normal((4, 2))
    loss, grads = model.loss_and_grads(x, y)
    r1 = nn.RNN(3, 5, nonlinearity="tanh", batch_first=True).double()
    r2 = nn.RNN(5, 4, nonlinearity="relu", batch_first=True).double()
    lin = nn.Linear(4, 2).double()
    p = model.params()
    with torch.no_grad():
        for i, r in ((0, r1), (1, r2)):
            r.weight_ih_l0.copy_(t(p[f"{i}.W_xh"]))
            r.weight_hh_l0.copy_(t(p[f"{i}.W_hh"]))
            r.bias_ih_l0.copy_(t(p[f"{i}.b_h"]))
            r.bias_hh_l0.zero_()
        lin.weight.copy_(t(p["2.W"]))
        lin.bias.copy_(t(p["2.b"]))
    seq, _ = r1(t(x))
    out, _ = r2(seq)
    pred = lin(out[:, -1])
    weights = [r1.weight_ih_l0, r1.weight_hh_l0, r2.weight_ih_l0, r2.weight_hh_l0, lin.weight]
    J = nn.functional.mse_loss(pred, t(y)) + penalty("l2", 0.02, weights)
    params = {"0.W_xh": r1.weight_ih_l0, "0.W_hh": r1.weight_hh_l0, "0.b_h": r1.bias_ih_l0,
              "1.W_xh": r2.weight_ih_l0, "1.W_hh": r2.weight_hh_l0, "1.b_h": r2.bias_ih_l0,
              "2.W": lin.weight, "2.b": lin.bias}
    compare(model, params, J, loss, grads, dtype, {k: k for k in params})
    ev = model.evaluate(x)
    np.testing.assert_allclose(ev["activations"][0], seq.detach().numpy(), **tolerance(dtype))
    np.testing.assert_allclose(ev["output"], pred.detach().numpy(), **tolerance(dtype))
