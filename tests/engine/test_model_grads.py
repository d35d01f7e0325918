"""Model: finite-difference gradient checks on every fp64 device, OpenCL = numpy in float32,
the tracer protocol, initialisation and the numpy-facing API."""

import math
import os

import numpy as np
import pytest

import engine
from engine import DeviceError, ShapeError
from engine.device import Device
from engine.errors import NonFiniteError
from engine.init import init_params
from engine.model import Model
from engine.spec import NetworkSpec


def _devices():
    """The test devices, narrowed by MNLAB_TEST_DEVICES as in conftest."""
    wanted = [w.strip().lower() for w in os.environ.get("MNLAB_TEST_DEVICES", "").split(",") if w.strip()]
    devs = engine.devices(include_simulators=bool(wanted))
    if wanted:
        devs = [d for d in devs if any(w in d.name.lower() or w in d.platform.lower() for w in wanted)]
    return devs


def _short(dev):
    return "numpy" if dev.kind == "numpy" else dev.name.split()[0]


FP64_DEVICES = [pytest.param(d, id=_short(d)) for d in _devices() if d.fp64]
CL_DEVICES = [pytest.param(d, id=_short(d)) for d in _devices() if d.kind != "numpy"]
NUMPY = [d for d in engine.devices() if d.kind == "numpy"][0]


def dense_net(act, loss="mse", reg=("l2", 0.1), out_units=2, out_act="linear"):
    return {"input": [3], "layers": [{"type": "dense", "units": 4, "activation": act},
                                     {"type": "dense", "units": out_units, "activation": out_act}],
            "loss": loss, "regularization": {"type": reg[0], "rate": reg[1]}}


CNN_MAX = {"input": [2, 6, 6], "layers": [
    {"type": "conv2d", "filters": 3, "kernel": 3, "padding": 1, "activation": "relu"},
    {"type": "maxpool2d", "size": 2},
    {"type": "flatten"},
    {"type": "dense", "units": 3, "activation": "softmax"}],
    "loss": "softmax_ce", "regularization": {"type": "l2", "rate": 0.05}}
CNN_AVG = {"input": [1, 7, 7], "layers": [
    {"type": "conv2d", "filters": 2, "kernel": 3, "stride": 2, "padding": 1, "activation": "tanh"},
    {"type": "avgpool2d", "size": 2, "stride": 1},
    {"type": "conv2d", "filters": 2, "kernel": 2, "activation": "leaky_relu"},
    {"type": "flatten"},
    {"type": "dense", "units": 1, "activation": "sigmoid"}],
    "loss": "bce", "regularization": {"type": "l1", "rate": 0.02}}
CONV_OUT = {"input": [1, 5, 5], "layers": [
    {"type": "conv2d", "filters": 2, "kernel": 3, "activation": "sigmoid"}], "loss": "bce"}
RNN_LAST = {"input": [5, 2], "layers": [
    {"type": "rnn", "units": 3},
    {"type": "dense", "units": 1}], "loss": "mse", "regularization": {"type": "l2", "rate": 0.05}}
RNN_SEQ = {"input": [4, 2], "layers": [
    {"type": "rnn", "units": 3, "return_sequences": True},
    {"type": "rnn", "units": 4, "activation": "relu", "return_sequences": True},
    {"type": "flatten"},
    {"type": "dense", "units": 2, "activation": "softmax"}],
    "loss": "softmax_ce", "regularization": {"type": "l1", "rate": 0.01}}
RNN_SEQ_OUT = {"input": [3, 2], "layers": [{"type": "rnn", "units": 2, "return_sequences": True}], "loss": "mse"}
RNN_ONE_STEP = {"input": [1, 3], "layers": [{"type": "rnn", "units": 2}], "loss": "mse",
                "regularization": {"type": "l2", "rate": 0.1}}
DROPOUT = {"input": [3], "layers": [
    {"type": "dense", "units": 6, "activation": "tanh"},
    {"type": "dropout", "rate": 0.5},
    {"type": "dense", "units": 2, "activation": "linear"}], "loss": "mse"}
DROPOUT_FIRST = {"input": [4], "layers": [
    {"type": "dropout", "rate": 0.0},
    {"type": "dense", "units": 2, "activation": "sigmoid"}], "loss": "bce"}

NETS = {
    **{f"dense-{a}": dense_net(a) for a in ("linear", "relu", "leaky_relu", "tanh", "sigmoid")},
    "softmax-mse": dense_net("tanh", out_act="softmax", reg=("l1", 0.05)),
    "softmax_ce-l1": dense_net("relu", loss="softmax_ce", reg=("l1", 0.1), out_units=3, out_act="softmax"),
    "bce-none": dense_net("tanh", loss="bce", reg=("none", 0.0), out_units=1, out_act="sigmoid"),
    "sigmoid-mse-l1": dense_net("leaky_relu", reg=("l1", 0.1), out_units=2, out_act="sigmoid"),
    "cnn-maxpool": CNN_MAX,
    "cnn-avgpool": CNN_AVG,
    "conv-output-bce": CONV_OUT,
    "rnn-last": RNN_LAST,
    "rnn-sequences": RNN_SEQ,
    "rnn-sequence-output": RNN_SEQ_OUT,
    "rnn-one-step": RNN_ONE_STEP,
    "dropout-fixed-mask": DROPOUT,
    "dropout-first": DROPOUT_FIRST,
}


def batch(spec_dict, n=4, seed=1):
    """A random batch (x, y) fitting the spec's input and loss."""
    spec = NetworkSpec.from_dict(spec_dict)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n,) + spec.input)
    out = spec.output_shape
    if spec.loss == "softmax_ce":
        y = np.arange(n) % out[0]
    elif spec.loss == "bce":
        y = (rng.random((n,) + out) > 0.5).astype(np.float64)
    else:
        y = rng.standard_normal((n,) + out)
    return x, y


def fix_dropout(model, x):
    """Give every dropout layer a fixed mask, so repeated passes see the same one."""
    rng = np.random.default_rng(7)
    shapes = model.spec.input_shapes()
    for layer, shape in zip(model.layers, shapes):
        if layer.kind == "dropout" and layer.rate > 0:
            keep = rng.random((x.shape[0],) + shape) >= layer.rate
            layer.fixed_mask = keep / (1 - layer.rate)


def directional_check(model, x, y, eps=1e-6):
    """Compare each parameter's gradient with central differences along a random direction."""
    loss, grads = model.loss_and_grads(x, y)
    p0 = model.params()
    rng = np.random.default_rng(3)
    for name, value in p0.items():
        for _ in range(2):
            v = rng.standard_normal(value.shape)
            model.set_params({name: value + eps * v})
            lp, _ = model.loss_and_grads(x, y)
            model.set_params({name: value - eps * v})
            lm, _ = model.loss_and_grads(x, y)
            model.set_params({name: value})
            numeric = (lp - lm) / (2 * eps)
            analytic = float(np.sum(grads[name] * v))
            assert numeric == pytest.approx(analytic, rel=1e-6, abs=1e-9), name
    return loss, grads


# ------------------------------------------------------------------ gradients
@pytest.mark.kernels
@pytest.mark.parametrize("net", list(NETS))
@pytest.mark.parametrize("device", FP64_DEVICES)
def test_gradients_match_finite_differences(net, device):
    spec = NETS[net]
    model = Model(spec, seed=0, device=device, dtype=np.float64)
    x, y = batch(spec)
    fix_dropout(model, x)
    directional_check(model, x, y)


@pytest.mark.parametrize("device", FP64_DEVICES)
def test_every_element_of_a_small_net(device):
    """Element-by-element differences on one tiny net (catches transposed gradients)."""
    spec = dense_net("tanh", loss="softmax_ce", reg=("l2", 0.1), out_units=2, out_act="softmax")
    model = Model(spec, seed=2, device=device, dtype=np.float64)
    x, y = batch(spec, n=3)
    _, grads = model.loss_and_grads(x, y)
    eps = 1e-6
    for name, value in model.params().items():
        numeric = np.zeros_like(value)
        for i in np.ndindex(value.shape):
            for sign in (1, -1):
                w = value.copy()
                w[i] += sign * eps
                model.set_params({name: w})
                numeric[i] += sign * model.loss_and_grads(x, y)[0] / (2 * eps)
            model.set_params({name: value})
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-6, atol=1e-9, err_msg=name)


@pytest.mark.parametrize("device", FP64_DEVICES)
def test_regularization_adds_its_penalty_and_gradient(device):
    x, y = batch(dense_net("tanh"))
    plain = Model(dense_net("tanh", reg=("none", 0.0)), seed=4, device=device, dtype=np.float64)
    l0, g0 = plain.loss_and_grads(x, y)
    p = plain.params()
    for kind, rate in (("l2", 0.3), ("l1", 0.2)):
        m = Model(dense_net("tanh", reg=(kind, rate)), seed=4, device=device, dtype=np.float64)
        loss, g = m.loss_and_grads(x, y)
        weights = [p["0.W"], p["1.W"]]
        if kind == "l2":
            penalty = rate * 0.5 * sum(np.sum(w * w) for w in weights)
            np.testing.assert_allclose(g["0.W"], g0["0.W"] + rate * p["0.W"], rtol=1e-10)
        else:
            penalty = rate * sum(np.sum(np.abs(w)) for w in weights)
            np.testing.assert_allclose(g["1.W"], g0["1.W"] + rate * np.sign(p["1.W"]), rtol=1e-10)
        assert loss == pytest.approx(l0 + penalty, rel=1e-12)
        np.testing.assert_allclose(g["0.b"], g0["0.b"], rtol=1e-12)  # biases are not regularised
        assert m.loss(x, y) == pytest.approx(loss, rel=1e-12)


# ------------------------------------------------------------------ OpenCL = numpy
@pytest.mark.kernels
@pytest.mark.parametrize("net", ["softmax_ce-l1", "cnn-maxpool", "cnn-avgpool", "rnn-sequences", "rnn-last",
                                 "dropout-fixed-mask"])
@pytest.mark.parametrize("device", CL_DEVICES)
def test_opencl_float32_equals_numpy(net, device):
    spec = NETS[net]
    x, y = batch(spec, n=6)
    ref = Model(spec, seed=5, device=NUMPY, dtype=np.float32)
    cl = Model(spec, seed=5, device=device, dtype=np.float32)
    fix_dropout(ref, x)
    fix_dropout(cl, x)
    for name, value in ref.params().items():
        np.testing.assert_array_equal(cl.params()[name], value)  # same host draws
    np.testing.assert_allclose(cl.forward(x), ref.forward(x), rtol=1e-4, atol=1e-5)
    l_ref, g_ref = ref.loss_and_grads(x, y)
    l_cl, g_cl = cl.loss_and_grads(x, y)
    assert l_cl == pytest.approx(l_ref, rel=1e-4, abs=1e-6)
    for name in g_ref:
        scale = max(1e-3, float(np.abs(g_ref[name]).max()))
        np.testing.assert_allclose(g_cl[name], g_ref[name], rtol=1e-3, atol=1e-4 * scale, err_msg=name)


# ------------------------------------------------------------------ tracer
class Recorder:
    def __init__(self):
        self.calls = []

    def __call__(self, phase, layer_index, layer_name, op, formula, arrays):
        assert isinstance(formula, str) and formula
        assert all(isinstance(v, np.ndarray) or np.isscalar(v) for v in arrays.values())
        self.calls.append((phase, layer_index, layer_name, op, formula, dict(arrays)))

    def phases(self):
        return [c[0] for c in self.calls]

    def ops(self, phase, layer):
        return [c[3] for c in self.calls if c[0] == phase and c[1] == layer]

    def get(self, phase, layer, op):
        [call] = [c for c in self.calls if c[0] == phase and c[1] == layer and c[3] == op]
        return call


def randomize_biases(model, seed=11):
    """Non-zero biases, so a trace that showed z after the bias as z before it would be caught."""
    rng = np.random.default_rng(seed)
    model.set_params({k: rng.standard_normal(v.shape) for k, v in model.params().items()
                      if k.split(".")[1].startswith("b")})


def trace(model, x, y):
    x_dev, y_dev = model.prepare_batch(x, y)
    rec = Recorder()
    loss = float(model.backend.to_numpy(model.forward_backward(x_dev, y_dev, tracer=rec))[0])
    return rec, loss


def check_order(rec, n_layers):
    phases = rec.phases()
    assert phases == sorted(phases, key=["forward", "loss", "backward"].index)
    assert phases.count("loss") == 1
    fwd = [c[1] for c in rec.calls if c[0] == "forward"]
    bwd = [c[1] for c in rec.calls if c[0] == "backward"]
    assert fwd == sorted(fwd) and set(fwd) == set(range(n_layers))
    assert bwd == sorted(bwd, reverse=True)


@pytest.mark.parametrize("device", FP64_DEVICES)
def test_trace_of_a_dense_net(device):
    spec = dense_net("tanh", loss="softmax_ce", reg=("l2", 0.1), out_units=3, out_act="softmax")
    model = Model(spec, seed=0, device=device, dtype=np.float64)
    randomize_biases(model)
    x, y = batch(spec, n=5)
    loss, grads = model.loss_and_grads(x, y)
    rec, traced_loss = trace(model, x, y)
    check_order(rec, 2)
    assert traced_loss == pytest.approx(loss, rel=1e-12)
    for i in (0, 1):
        assert rec.ops("forward", i) == ["matmul", "bias", "activation"]
    assert rec.ops("backward", 1) == ["activation'", "∂W", "∂b", "∂a_prev"]
    assert rec.ops("backward", 0) == ["activation'", "∂W", "∂b"]  # nothing needs ∂J/∂x
    _, _, name, _, formula, arrays = rec.get("forward", 0, "matmul")
    assert name == "dense" and formula == "z⁽¹⁾ = W⁽¹⁾·a⁽⁰⁾"
    np.testing.assert_array_equal(arrays["a_prev"], x)
    np.testing.assert_allclose(arrays["z"], x @ model.params()["0.W"].T, rtol=1e-12)
    np.testing.assert_allclose(rec.get("forward", 1, "activation")[5]["a"], model.forward(x), rtol=1e-12)
    phase, index, name, op, formula, arrays = [c for c in rec.calls if c[0] == "loss"][0]
    assert (index, op) == (-1, "softmax_ce") and "λ" in formula
    assert float(arrays["loss"]) == pytest.approx(loss, rel=1e-12)
    assert float(arrays["data_loss"] + arrays["penalty"]) == pytest.approx(loss, rel=1e-12)
    assert float(arrays["per_sample"].mean()) == pytest.approx(float(arrays["data_loss"]), rel=1e-10)
    np.testing.assert_array_equal(arrays["target"], y)
    dW = rec.get("backward", 1, "∂W")
    assert "λ·W⁽²⁾" in dW[4] and dW[4].startswith("∂J/∂W⁽²⁾ = δ⁽²⁾·a⁽¹⁾ᵀ")
    for i in (0, 1):
        np.testing.assert_allclose(rec.get("backward", i, "∂W")[5]["dW"], grads[f"{i}.W"], rtol=1e-12)
        np.testing.assert_allclose(rec.get("backward", i, "∂b")[5]["db"], grads[f"{i}.b"], rtol=1e-12)
    np.testing.assert_allclose(rec.get("backward", 1, "activation'")[5]["delta"], arrays["grad"], rtol=1e-12)


@pytest.mark.parametrize("device", FP64_DEVICES)
def test_trace_of_conv_and_rnn_nets(device):
    model = Model(CNN_MAX, seed=0, device=device, dtype=np.float64)
    randomize_biases(model)
    x, y = batch(CNN_MAX)
    loss, grads = model.loss_and_grads(x, y)
    rec, traced_loss = trace(model, x, y)
    check_order(rec, 4)
    assert traced_loss == pytest.approx(loss, rel=1e-12)
    assert rec.ops("forward", 0) == ["conv2d", "bias", "activation"]
    z_conv = rec.get("forward", 0, "conv2d")[5]["z"]
    z_bias = rec.get("forward", 0, "bias")[5]["z"]
    np.testing.assert_allclose(z_bias, z_conv + model.params()["0.b"].reshape(1, -1, 1, 1), rtol=1e-12)
    assert rec.ops("forward", 1) == ["maxpool"]
    assert rec.ops("forward", 2) == ["flatten"]
    assert rec.ops("backward", 0) == ["activation'", "∂W", "∂b"]
    np.testing.assert_allclose(rec.get("backward", 0, "∂W")[5]["dW"], grads["0.W"], rtol=1e-12)

    model = Model(RNN_SEQ, seed=0, device=device, dtype=np.float64)
    randomize_biases(model)
    x, y = batch(RNN_SEQ)
    loss, grads = model.loss_and_grads(x, y)
    rec, traced_loss = trace(model, x, y)
    check_order(rec, 4)
    assert traced_loss == pytest.approx(loss, rel=1e-12)
    assert rec.ops("forward", 0) == [f"step t={t}" for t in range(4)]
    steps = [c for c in rec.calls if c[0] == "backward" and c[1] == 1 and c[3].startswith("bptt")]
    assert [c[3] for c in steps] == [f"bptt t={t}" for t in (3, 2, 1, 0)]
    assert rec.ops("backward", 1)[-4:] == ["∂W_xh", "∂W_hh", "∂b_h", "∂a_prev"]
    assert rec.ops("backward", 0)[-3:] == ["∂W_xh", "∂W_hh", "∂b_h"]
    fwd = rec.get("forward", 0, "step t=2")
    assert "h⁽¹⁾_2 = tanh(W_xh⁽¹⁾·x_2 + W_hh⁽¹⁾·h⁽¹⁾_1 + b_h⁽¹⁾)" == fwd[4]
    np.testing.assert_array_equal(fwd[5]["x_t"], x[:, 2, :])
    hidden = model.evaluate(x)["activations"][0]
    np.testing.assert_allclose(fwd[5]["h_t"], hidden[:, 2, :], rtol=1e-12)
    for name in ("W_xh", "W_hh", "b_h"):
        np.testing.assert_allclose(rec.get("backward", 0, "∂" + name)[5]["d" + name], grads["0." + name],
                                   rtol=1e-12)


def test_tracer_does_not_change_the_result():
    model = Model(CNN_AVG, seed=3, device=NUMPY, dtype=np.float64)
    x, y = batch(CNN_AVG)
    loss, grads = model.loss_and_grads(x, y)
    rec, traced_loss = trace(model, x, y)
    assert traced_loss == pytest.approx(loss, rel=1e-12)
    for name, g in grads.items():
        np.testing.assert_allclose(model.backend.to_numpy(model.grad_arrays[name]), g, rtol=1e-12, atol=1e-15)


def test_trace_and_step_from_the_same_rng_state_draw_the_same_mask():
    model = Model(DROPOUT, seed=0, device=NUMPY, dtype=np.float64)
    x, y = batch(DROPOUT, n=8)
    state = model.rng.bit_generator.state
    rec, traced = trace(model, x, y)
    mask = rec.get("forward", 1, "dropout")[5]["mask"]
    model.rng.bit_generator.state = state
    loss, _ = model.loss_and_grads(x, y)
    assert loss == pytest.approx(traced, rel=1e-12)
    assert set(np.unique(mask)) <= {0.0, 2.0}
    other, _ = model.loss_and_grads(x, y)  # the next draw differs
    assert other != pytest.approx(loss, rel=1e-9)
    # inference: no dropout, so the forward pass is deterministic
    np.testing.assert_array_equal(model.forward(x), model.forward(x))


# ------------------------------------------------------------------ initialisation
def test_init_is_seeded_and_reproducible():
    spec = NetworkSpec.from_dict(CNN_MAX)
    a, b, c = init_params(spec, 0), init_params(spec, 0), init_params(spec, 1)
    assert list(a) == ["0.W", "0.b", "3.W", "3.b"]
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])
    assert not np.array_equal(a["0.W"], c["0.W"])
    assert not np.any(a["0.b"]) and not np.any(a["3.b"])
    assert a["0.W"].dtype == np.float32
    m = Model(CNN_MAX, seed=0, device=NUMPY)
    np.testing.assert_array_equal(m.params()["0.W"], a["0.W"])


@pytest.mark.parametrize("scheme, check", [
    ("zeros", lambda w, fi, fo: np.all(w == 0)),
    ("uniform", lambda w, fi, fo: np.abs(w).max() <= 1 / math.sqrt(fi) and np.abs(w).max() > 0.9 / math.sqrt(fi)),
    ("normal", lambda w, fi, fo: abs(w.std() - 0.1) < 0.01),
    ("xavier", lambda w, fi, fo: np.abs(w).max() <= math.sqrt(6 / (fi + fo))
     and np.abs(w).max() > 0.95 * math.sqrt(6 / (fi + fo))),
    ("he", lambda w, fi, fo: abs(w.std() - math.sqrt(2 / fi)) < 0.1 * math.sqrt(2 / fi)),
])
def test_init_schemes(scheme, check):
    spec = NetworkSpec.from_dict({"input": [3, 10, 10], "init": scheme, "layers": [
        {"type": "conv2d", "filters": 20, "kernel": 3}, {"type": "flatten"},
        {"type": "dense", "units": 50}, {"type": "dense", "units": 1}]})
    p = init_params(spec, 0, np.float64)
    assert check(p["0.W"], 3 * 9, 20 * 9)  # conv fans: C·K·K, F·K·K
    assert check(p["2.W"], 1280, 50)


def test_rnn_weights_use_their_own_fans():
    spec = NetworkSpec.from_dict({"input": [5, 40], "init": "xavier", "layers": [{"type": "rnn", "units": 60}]})
    p = init_params(spec, 0, np.float64)
    assert np.abs(p["0.W_xh"]).max() <= math.sqrt(6 / 100) and np.abs(p["0.W_xh"]).max() > 0.95 * math.sqrt(6 / 100)
    assert np.abs(p["0.W_hh"]).max() <= math.sqrt(6 / 120) and np.abs(p["0.W_hh"]).max() > 0.95 * math.sqrt(6 / 120)


# ------------------------------------------------------------------ numpy-facing API
def test_params_order_and_set_params_keeps_live_arrays():
    model = Model(RNN_LAST, seed=0, device=NUMPY)
    assert list(model.params()) == ["0.W_xh", "0.W_hh", "0.b_h", "1.W", "1.b"]
    assert list(model.param_arrays) == list(model.params()) == list(model.grad_arrays)
    live = model.param_arrays["1.W"]
    model.set_params({"1.W": np.full((1, 3), 0.5)})
    assert model.param_arrays["1.W"] is live
    np.testing.assert_array_equal(model.params()["1.W"], np.full((1, 3), 0.5, np.float32))
    copy = model.params()
    copy["1.b"][:] = 9
    assert model.params()["1.b"][0] == 0  # params() hands out copies


def test_set_params_errors_are_sentences():
    model = Model(RNN_LAST, seed=0, device=NUMPY)
    with pytest.raises(ShapeError, match="no parameter '2.W'.*0.W_xh, 0.W_hh"):
        model.set_params({"2.W": np.zeros(3)})
    with pytest.raises(ShapeError, match="'1.W' should be 1×3 but the new value is 3"):
        model.set_params({"1.W": np.zeros(3)})
    with pytest.raises(NonFiniteError, match="'1.b'"):
        model.set_params({"1.b": np.array([np.nan])})


def test_prepare_batch_checks_shapes_and_labels():
    model = Model(NETS["softmax_ce-l1"], seed=0, device=NUMPY)
    with pytest.raises(ShapeError, match=r"5×2 but this network takes 3 features.*\(N, 3\)"):
        model.prepare_batch(np.zeros((5, 2)))
    with pytest.raises(ShapeError, match="class indices 0 to 2"):
        model.prepare_batch(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ShapeError, match="2 inputs but 3 targets"):
        model.prepare_batch(np.zeros((2, 3)), np.array([0, 1, 2]))
    with pytest.raises(NonFiniteError):
        model.prepare_batch(np.array([[0, np.inf, 0]]))
    x_dev, y_dev = model.prepare_batch(np.zeros((2, 3)), np.array([[1], [2]], np.int64))
    assert y_dev.dtype == np.int32 and y_dev.shape == (2,)
    reg = Model(RNN_LAST, seed=0, device=NUMPY)
    _, y_dev = reg.prepare_batch(np.zeros((2, 5, 2)), np.array([1.0, 2.0]))
    assert y_dev.shape == (2, 1) and y_dev.dtype == np.float32
    with pytest.raises(ShapeError, match=r"sequences of 5 steps × 2 features"):
        reg.prepare_batch(np.zeros((2, 2, 5)))


def test_evaluate_returns_every_layer():
    model = Model(CNN_MAX, seed=0, device=NUMPY)
    x, _ = batch(CNN_MAX, n=3)
    ev = model.evaluate(x)
    assert [a.shape for a in ev["activations"]] == [(3, 3, 6, 6), (3, 3, 3, 3), (3, 27), (3, 3)]
    assert ev["preactivations"][1] is None and ev["preactivations"][2] is None
    assert ev["preactivations"][0].shape == (3, 3, 6, 6)
    np.testing.assert_allclose(ev["output"], model.forward(x), rtol=1e-6)
    np.testing.assert_allclose(ev["activations"][0], np.maximum(ev["preactivations"][0], 0))
    rnn = Model(RNN_LAST, seed=0, device=NUMPY)
    xr, _ = batch(RNN_LAST, n=2)
    ev = rnn.evaluate(xr)
    assert ev["hidden_states"][0].shape == (2, 5, 3)
    np.testing.assert_allclose(ev["hidden_states"][0][:, -1], ev["activations"][0], rtol=1e-6)


def test_properties_and_dtypes():
    model = Model(NETS["softmax_ce-l1"], seed=0, device=NUMPY)
    assert model.is_classifier and model.n_outputs == 3 and model.dtype == np.float32
    assert model.backend.dtype == np.float32 and len(model.layers) == 2
    assert not Model(RNN_SEQ_OUT, device=NUMPY).is_classifier
    assert Model(RNN_SEQ_OUT, device=NUMPY).n_outputs == 6
    spec64 = dict(RNN_LAST, dtype="float64")
    assert Model(spec64, device=NUMPY).dtype == np.float64
    assert Model(spec64, device=NUMPY, dtype=np.float32).dtype == np.float32
    assert Model(RNN_LAST, device="numpy").device is NUMPY


def test_float64_on_a_device_without_it_is_a_sentence():
    fp32_only = Device("Tiny GPU", "Test platform", "gpu", False)
    with pytest.raises(DeviceError, match="Tiny GPU has no double precision.*float32"):
        Model(RNN_LAST, device=fp32_only, dtype=np.float64)
    with pytest.raises(DeviceError, match="No device is called"):
        Model(RNN_LAST, device="no such device")
