"""The fused whole-step kernel (engine.fused) against the general path, bit for bit.

Two trainers with the same seeds, one with ``use_fused = False``, must end every call
with the same history, parameters, gradients, optimizer state and data position: the
fused kernel computes every number as the general path's kernels do. Also: the trainer
picks the fused path by itself only where it fits, the parameters have one source of
truth (set_params, traces, rollbacks), and Model.evaluate's one-kernel forward pass.
Tests marked ``kernels`` are re-run under Oclgrind.
"""

import numpy as np
import pytest

from engine import DivergenceError, Model, Trainer
from engine.fused import FusedForward, FusedTrainer, forward_unfit_reason, fused_unfit_reason
from engine.optim import make_optimizer

RNG = np.random.default_rng(5)


def _data(n, features, loss, outputs):
    x = (RNG.standard_normal((n, features)) * 2).astype(np.float32)
    if loss == "softmax_ce":
        y = (np.abs(x[:, 0] * 1.7).astype(int) % outputs)
    else:
        mix = x @ RNG.standard_normal((features, outputs))
        y = (mix > 0) if loss == "bce" else np.tanh(mix)
        y = y.astype(np.float32)
    return x, y


def _spec(features, hidden, act, outputs, last, loss, reg):
    layers = [{"type": "dense", "units": h, "activation": act} for h in hidden]
    layers.append({"type": "dense", "units": outputs, "activation": last})
    return {"input": [features], "layers": layers, "loss": loss, "regularization": reg}


def _pair(be, spec, data, optimizer, batch_size):
    """(fused, general) trainers, identical but for the path."""
    out = []
    for fused in (True, False):
        model = Model(spec, seed=3, device=be.device, dtype=be.dtype)
        trainer = Trainer(model, data, optimizer=optimizer, batch_size=batch_size, seed=4)
        trainer.use_fused = fused
        out.append(trainer)
    return out


def _assert_same(a: Trainer, b: Trainer):
    assert a.history == b.history
    assert a.step_count == b.step_count and a.epoch == b.epoch
    pa, pb = a.model.params(), b.model.params()
    for name in pb:
        np.testing.assert_array_equal(pa[name], pb[name], err_msg=name)
    be = a.backend
    for name in pb:
        np.testing.assert_array_equal(be.to_numpy(a.model.grad_arrays[name]),
                                      be.to_numpy(b.model.grad_arrays[name]), err_msg=f"grad {name}")
    sa, sb = a.optimizer.state_dict(), b.optimizer.state_dict()
    assert sa["t"] == sb["t"]
    for name, bufs in sb["state"].items():
        for key, value in bufs.items():
            np.testing.assert_array_equal(sa["state"][name][key], value, err_msg=f"{name} {key}")


# (features, hidden, activation, outputs, last activation, loss, regularization,
#  optimizer, batch size, samples): the last batch of an epoch is short in most
CASES = {
    "bce-tanh-sgd-l2": (2, [8, 8], "tanh", 1, "sigmoid", "bce", {"type": "l2", "rate": 0.01},
                        {"type": "sgd", "lr": 0.1}, 10, 47),
    "ce-relu-adam-l1": (3, [9], "relu", 3, "softmax", "softmax_ce", {"type": "l1", "rate": 0.003},
                        {"type": "adam", "lr": 0.01}, 16, 61),
    "mse-linear-nesterov": (3, [5, 4], "linear", 2, "linear", "mse", {"type": "none"},
                            {"type": "sgd", "lr": 0.02, "momentum": 0.9, "nesterov": True}, 8, 30),
    "mse-softmax-leaky-adam-l2": (2, [6], "leaky_relu", 3, "softmax", "mse", {"type": "l2", "rate": 0.02},
                                  {"type": "adam", "lr": 0.02}, 7, 40),
    "mse-sigmoid-momentum": (2, [7, 3], "sigmoid", 2, "sigmoid", "mse", {"type": "none"},
                             {"type": "momentum", "lr": 0.3}, 12, 50),
    "no-hidden-layer": (4, [], "linear", 1, "sigmoid", "bce", {"type": "none"},
                        {"type": "adam", "lr": 0.05}, 9, 31),
    # batch over 256 (the dW sums in slices as the register matmul), more than 1024 loss
    # terms and penalty terms (strided partial sums)
    "big-batch-slices": (4, [40, 40], "relu", 4, "linear", "mse", {"type": "l2", "rate": 0.001},
                         {"type": "sgd", "lr": 0.01}, 300, 650),
}


@pytest.mark.parametrize("case", list(CASES))
def test_fused_equals_general_bit_for_bit(cl_backend, case):
    features, hidden, act, outputs, last, loss, reg, opt, batch, n = CASES[case]
    spec = _spec(features, hidden, act, outputs, last, loss, reg)
    data = _data(n, features, loss, outputs)
    fused, general = _pair(cl_backend, spec, data, opt, batch)
    for calls in (1, 3, fused.batches_per_epoch * 2 + 1, 2):
        fused.step(calls)
        general.step(calls)
        _assert_same(fused, general)
    assert isinstance(fused._fused(), FusedTrainer) and general._fused() is None


def test_trainer_picks_the_fused_path_only_where_it_fits(cl_backend):
    be = cl_backend
    x, y = _data(40, 2, "bce", 1)
    dense = Model(_spec(2, [8], "tanh", 1, "sigmoid", "bce", "none"), device=be.device, dtype=be.dtype)
    assert fused_unfit_reason(dense, make_optimizer("adam", be, dense.param_arrays), 10) is None
    assert isinstance(Trainer(dense, (x, y), batch_size=10)._fused(), FusedTrainer)

    dropout = Model({"input": [2], "layers": [{"type": "dense", "units": 8, "activation": "relu"},
                                               {"type": "dropout", "rate": 0.5},
                                               {"type": "dense", "units": 1, "activation": "sigmoid"}],
                     "loss": "bce"}, device=be.device, dtype=be.dtype)
    assert "other than dense" in fused_unfit_reason(dropout, make_optimizer("adam", be, dropout.param_arrays), 10)
    assert Trainer(dropout, (x, y), batch_size=10)._fused() is None

    wide = Model(_spec(2, [300], "relu", 1, "sigmoid", "bce", "none"), device=be.device, dtype=be.dtype)
    assert "wider" in fused_unfit_reason(wide, make_optimizer("adam", be, wide.param_arrays), 10)
    assert "wider" in forward_unfit_reason(wide)


def test_numpy_device_never_fuses(ref):
    be = ref(np.float32)
    model = Model(_spec(2, [4], "tanh", 1, "sigmoid", "bce", "none"), device=be.device)
    assert "not an OpenCL device" in fused_unfit_reason(model, make_optimizer("sgd", be, model.param_arrays), 4)
    x, y = _data(20, 2, "bce", 1)
    assert Trainer(model, (x, y), batch_size=4)._fused() is None


def _tanh_pair(be, opt=None, batch=8, n=45):
    spec = _spec(2, [6, 5], "tanh", 3, "softmax", "softmax_ce", {"type": "l2", "rate": 0.01})
    return _pair(be, spec, _data(n, 2, "softmax_ce", 3), opt or {"type": "adam", "lr": 0.02}, batch)


def test_set_params_trace_and_set_lr_reach_the_fused_path(cl_backend):
    fused, general = _tanh_pair(cl_backend)
    for tr in (fused, general):
        tr.step(4)
    # one source of truth: parameters set by hand are what the next fused step starts from
    new = {name: value * 0.5 for name, value in general.model.params().items()}
    for tr in (fused, general):
        tr.model.set_params(new)
        tr.step(3)
    _assert_same(fused, general)
    # a step-through trace (general path) in between, run to its end and abandoned
    for tr in (fused, general):
        list(tr.trace())
        gen = tr.trace()
        next(gen)
        gen.close()
        tr.set_lr(0.005)
        tr.step(5)
    _assert_same(fused, general)
    assert fused.optimizer.lr == 0.005


def test_a_new_optimizer_gets_a_new_runner(cl_backend):
    fused, general = _tanh_pair(cl_backend)
    fused.step(2)
    general.step(2)
    first = fused._fused()
    for tr in (fused, general):
        tr.optimizer = make_optimizer({"type": "sgd", "lr": 0.05, "momentum": 0.5}, tr.backend,
                                      tr.model.param_arrays)
        tr.step(6)
    assert fused._fused() is not first
    _assert_same(fused, general)


def test_divergence_rolls_back_as_the_general_path_does(cl_backend):
    fused, general = _tanh_pair(cl_backend, {"type": "sgd", "lr": 1e30}, batch=5)
    errors = []
    for tr in (fused, general):
        with pytest.raises(DivergenceError) as info:
            tr.step(20)
        errors.append(str(info.value))
    assert errors[0] == errors[1]
    _assert_same(fused, general)


def test_request_stop_ends_after_the_launch_under_way(cl_backend, monkeypatch):
    fused, general = _tanh_pair(cl_backend)
    fused.step(1)
    general.step(1)
    monkeypatch.setattr(fused._fused(), "chunk", 3)
    fused.request_stop()
    result = fused.step(10)
    assert result["steps_done"] == 3
    general.step(3)
    assert fused.step_count == general.step_count == 4
    _assert_same(fused, general)


def test_metrics_history_and_test_set_on_the_fused_path(cl_backend):
    spec = _spec(2, [6], "tanh", 1, "sigmoid", "bce", {"type": "none"})
    x, y = _data(60, 2, "bce", 1)
    data = (x[:40], y[:40], x[40:], y[40:])
    fused, general = _pair(cl_backend, spec, data, {"type": "sgd", "lr": 0.2}, 8)
    for calls in (3, 7):
        assert fused.step(calls) == general.step(calls)
    assert fused.history["accuracy"] == general.history["accuracy"]
    assert fused.metrics() == general.metrics()


# ---------------------------------------------------------------- the forward kernel

def _general_evaluate(model, x):
    model._fused_forward_plan = None  # no fused plan: the layer-by-layer path
    try:
        return model.evaluate(x)
    finally:
        del model._fused_forward_plan


@pytest.mark.parametrize("act", ["relu", "tanh"])
def test_fused_evaluate_matches_the_layer_by_layer_pass(cl_backend, tol, act):
    be = cl_backend
    model = Model(_spec(3, [7, 9], act, 4, "softmax", "softmax_ce", "none"), seed=1, device=be.device,
                  dtype=be.dtype)
    x = RNG.standard_normal((45, 3))
    assert isinstance(model._fused_forward(), FusedForward)
    got, want = model.evaluate(x), _general_evaluate(model, x)
    rtol, atol = tol(be.dtype)
    for key in ("activations", "preactivations"):
        assert len(got[key]) == len(want[key]) == 3
        for g, w in zip(got[key], want[key]):
            assert g.shape == w.shape and g.dtype == w.dtype
            if act == "relu" and key == "preactivations":
                np.testing.assert_array_equal(g, w)  # the same FMA chains, in the same order
            else:
                np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)
    np.testing.assert_array_equal(got["output"], got["activations"][-1])
    lean = model.evaluate(x, preactivations=False)
    assert lean["preactivations"] == [None, None, None]
    np.testing.assert_array_equal(lean["output"], got["output"])


def test_fused_evaluate_sees_new_parameters(cl_backend):
    be = cl_backend
    model = Model(_spec(2, [3], "linear", 1, "linear", "mse", "none"), device=be.device, dtype=be.dtype)
    x = np.array([[1.0, 2.0]])
    model.evaluate(x)
    model.set_params({"0.W": np.ones((3, 2)), "0.b": np.zeros(3), "1.W": np.ones((1, 3)), "1.b": [0.5]})
    np.testing.assert_allclose(model.evaluate(x)["output"], [[9.5]])


# ---------------------------------------------------------------- Oclgrind

@pytest.mark.kernels
@pytest.mark.parametrize("local_size", [1, 4])
def test_fused_kernel_small(cl_backend, tol, local_size):
    # two hidden widths and a batch that leave spare lanes, a short last batch, Adam and
    # L2: every branch of phase A and B, with one work-item and with four (barriers)
    be = cl_backend
    spec = _spec(2, [3], "tanh", 2, "softmax", "softmax_ce", {"type": "l2", "rate": 0.01})
    data = _data(11, 2, "softmax_ce", 2)
    fused, general = _pair(be, spec, data, {"type": "adam", "lr": 0.05}, 5)
    runner = FusedTrainer(fused, local_size=local_size)
    acc = be.zeros((1,))
    assert runner.run(4, acc) == 4
    for _ in range(4):
        general.step(1)
    total = sum(general.history["train_loss"])
    assert float(be.to_numpy(acc)[0]) == pytest.approx(total, rel=1e-5)
    for name, value in general.model.params().items():
        if be.device.simulator:
            # Oclgrind interprets the IR: matmul.cl's contract(fast) products run as a
            # multiply and an add, the fused kernel's as FMAs; a real device fuses both
            rtol, atol = tol(be.dtype)
            np.testing.assert_allclose(fused.model.params()[name], value, rtol=rtol, atol=atol, err_msg=name)
        else:
            np.testing.assert_array_equal(fused.model.params()[name], value, err_msg=name)


@pytest.mark.kernels
def test_fused_forward_small(cl_backend, tol):
    be = cl_backend
    model = Model(_spec(2, [3], "sigmoid", 2, "softmax", "softmax_ce", "none"), device=be.device, dtype=be.dtype)
    x = RNG.standard_normal((5, 2))
    got, want = model.evaluate(x), _general_evaluate(model, x)
    rtol, atol = tol(be.dtype)
    for g, w in zip(got["activations"] + got["preactivations"], want["activations"] + want["preactivations"]):
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)
