"""Step-through traces: a trace run to its end is step(1); its arrays are the real ones."""

import numpy as np
import pytest

from engine import DivergenceError, Model, TraceStep, Trainer, datasets
from engine.trace import PHASES

# ``device`` (each device) and ``numpy_device`` come from tests/engine/conftest.py.

NETS = {
    "dense": ({"input": [2], "layers": [{"type": "dense", "units": 5, "activation": "tanh"},
                                        {"type": "dense", "units": 3, "activation": "softmax"}],
               "loss": "softmax_ce", "regularization": {"type": "l2", "rate": 0.01}},
              lambda: datasets.load("spiral3", n=60, seed=0)),
    "conv": ({"input": [1, 8, 8], "layers": [{"type": "conv2d", "filters": 3, "kernel": 3, "padding": 1,
                                              "activation": "relu"},
                                             {"type": "maxpool2d", "size": 2}, {"type": "flatten"},
                                             {"type": "dense", "units": 10, "activation": "softmax"}],
              "loss": "softmax_ce"},
             lambda: datasets.load("digits", n=80, seed=0)),
    "rnn": ({"input": [6, 1], "layers": [{"type": "rnn", "units": 4, "activation": "tanh"},
                                         {"type": "dense", "units": 1, "activation": "linear"}], "loss": "mse"},
            lambda: datasets.load("sine", n=40, seed=0, steps=6)),
    "dropout": ({"input": [2], "layers": [{"type": "dense", "units": 8, "activation": "relu"},
                                          {"type": "dropout", "rate": 0.5},
                                          {"type": "dense", "units": 1, "activation": "sigmoid"}], "loss": "bce"},
                lambda: datasets.load("circle", n=60, seed=0)),
}
OPTIMIZERS = {
    "sgd": {"type": "sgd", "lr": 0.1},
    "momentum": {"type": "momentum", "lr": 0.05},
    "adam": {"type": "adam", "lr": 0.01},
}
_DATA = {}


def _pair(net, opt, device, batch_size=8):
    """Two identical trainers (same seeds) on ``device``."""
    spec, load = NETS[net]
    if net not in _DATA:
        _DATA[net] = load()
    out = []
    for _ in range(2):
        model = Model(spec, seed=2, device=device)
        out.append(Trainer(model, _DATA[net], optimizer=OPTIMIZERS[opt], batch_size=batch_size, seed=1))
    return out


def _same(actual, desired, msg):
    np.testing.assert_array_equal(actual, desired, err_msg=msg)


def _same_state(a: Trainer, b: Trainer):
    for k, v in b.model.params().items():
        _same(a.model.params()[k], v, k)
    sa, sb = a.optimizer.state_dict(), b.optimizer.state_dict()
    assert sa["t"] == sb["t"]
    for name in sb["state"]:
        for buf in sb["state"][name]:
            _same(sa["state"][name][buf], sb["state"][name][buf], f"{name} {buf}")
    assert a.step_count == b.step_count and a.epoch == b.epoch
    assert a.model.rng.bit_generator.state == b.model.rng.bit_generator.state


@pytest.mark.parametrize("opt", list(OPTIMIZERS))
@pytest.mark.parametrize("net", list(NETS))
def test_trace_to_end_equals_step(device, net, opt):
    traced, stepped = _pair(net, opt, device)
    # Exact, bit for bit, on every device: the traced step computes what training computes.
    # a few steps first, so the optimizer state is not zero and an epoch boundary is near
    for tr in (traced, stepped):
        tr.step(traced.batches_per_epoch - 1)
    gen = traced.trace()
    steps = list(gen)
    result = stepped.step(1)
    _same_state(traced, stepped)
    assert traced.history == stepped.history
    assert traced.last_result == result
    # and both go on identically (the traced batch was consumed, the next epoch begins)
    traced.step(2)
    stepped.step(2)
    _same_state(traced, stepped)
    assert [s.index for s in steps] == list(range(len(steps)))


def test_trace_returns_the_metrics(numpy_device):
    traced, stepped = _pair("dense", "adam", numpy_device)
    gen = traced.trace()
    with pytest.raises(StopIteration) as stop:
        while True:
            next(gen)
    assert stop.value.value == stepped.step(1)


@pytest.mark.parametrize("net", ["dense", "conv", "rnn"])
def test_trace_arrays_are_the_real_values(device, net):
    tr, _ = _pair(net, "sgd", device)
    data = _DATA[net]
    x, y = data.x_train[:5], data.y_train[:5]
    before = tr.model.params()
    loss, grads = tr.model.loss_and_grads(x, y)
    steps = list(tr.trace((x, y)))
    rtol, atol = 1e-5, 1e-6

    phases = [s.phase for s in steps]
    order = [PHASES.index(p) for p in phases]
    assert order == sorted(order) and set(phases) == set(PHASES)
    assert all(isinstance(s, TraceStep) and s.formula and s.op for s in steps)

    (loss_step,) = [s for s in steps if s.phase == "loss"]
    np.testing.assert_allclose(loss_step.arrays["loss"], loss, rtol=rtol)

    updates = [s for s in steps if s.phase == "update"]
    assert [s.param for s in updates] == list(before)
    for s in updates:
        np.testing.assert_allclose(s.arrays["gradient"], grads[s.param], rtol=rtol, atol=atol, err_msg=s.param)
        np.testing.assert_array_equal(s.arrays["before"], before[s.param])
        np.testing.assert_allclose(s.arrays["after"], before[s.param] - 0.1 * grads[s.param], rtol=rtol, atol=atol)
        assert s.layer == int(s.param.split(".")[0])
        assert s.layer_name == tr.model.layers[s.layer].name
    np.testing.assert_array_equal(updates[-1].arrays["after"], tr.model.params()[updates[-1].param])

    # the backward phase's weight gradients are the gradients too
    dws = {s.layer: s.arrays["dW"] for s in steps if s.phase == "backward" and s.op == "∂W"}
    for layer, dw in dws.items():
        np.testing.assert_allclose(dw, grads[f"{layer}.W"], rtol=rtol, atol=atol)

    # the forward phase starts from the input and walks the layers in order
    forward = [s for s in steps if s.phase == "forward"]
    assert forward[0].layer == 0
    assert [s.layer for s in forward] == sorted(s.layer for s in forward)
    backward = [s.layer for s in steps if s.phase == "backward"]
    assert backward == sorted(backward, reverse=True)


def test_update_step_shows_optimizer_state(numpy_device):
    tr, _ = _pair("dense", "adam", numpy_device)
    tr.step(2)
    updates = [s for s in tr.trace() if s.phase == "update"]
    assert set(updates[0].arrays) == {"before", "gradient", "after", "m", "v"}
    assert "t = 3" in updates[0].formula and "W⁽¹⁾" in updates[0].formula
    tr2, _ = _pair("dense", "momentum", numpy_device)
    updates = [s for s in tr2.trace() if s.phase == "update"]
    assert "velocity" in updates[0].arrays and "μ" in updates[0].formula


@pytest.mark.parametrize("stop_at", ["forward", "update"])
def test_abandoned_trace_leaves_the_model_as_it_was(device, stop_at):
    traced, stepped = _pair("dropout", "adam", device)
    traced.step(3)
    stepped.step(3)
    gen = traced.trace()
    for s in gen:
        if s.phase == stop_at and (stop_at == "forward" or s.param == "2.W"):
            break
    else:
        pytest.fail("the trace ended before the place to stop")
    if stop_at == "update":
        # the first updates were applied while the trace was open
        assert not np.array_equal(traced.model.params()["0.W"], stepped.model.params()["0.W"])
    gen.close()
    _same_state(traced, stepped)
    # the batch was not consumed and the same dropout mask comes next
    traced.step(1)
    stepped.step(1)
    _same_state(traced, stepped)


def test_training_undoes_an_open_trace(numpy_device):
    traced, stepped = _pair("dense", "sgd", numpy_device)
    gen = traced.trace()
    for s in gen:
        if s.phase == "update":
            break
    traced.step(4)
    stepped.step(4)
    _same_state(traced, stepped)
    with pytest.raises(RuntimeError, match="start a new trace"):
        next(gen)
    gen.close()  # does nothing more
    _same_state(traced, stepped)


def test_a_new_trace_undoes_the_old_one(numpy_device):
    traced, stepped = _pair("dense", "momentum", numpy_device)
    old = traced.trace()
    for s in old:
        if s.phase == "update":
            break
    list(traced.trace())
    stepped.step(1)
    _same_state(traced, stepped)


def test_trace_of_a_batch_number_does_not_move_the_position(numpy_device):
    traced, stepped = _pair("dense", "sgd", numpy_device)
    list(traced.trace(0))
    assert traced.step_count == 1 and traced.epoch == 0
    with pytest.raises(IndexError, match="no batch"):
        traced.trace(99)
    with pytest.raises(ValueError):
        traced.trace((np.zeros((2, 3)), np.zeros(2)))


def test_trace_divergence(numpy_device):
    data = datasets.load("linear", n=40, seed=0)
    spec = {"input": [1], "layers": [{"type": "dense", "units": 1, "activation": "linear"}], "loss": "mse"}
    model = Model(spec, device=numpy_device)
    tr = Trainer(model, data, optimizer={"type": "sgd", "lr": 1.0}, batch_size=4)
    model.set_params({"0.W": np.array([[1e30]], np.float32)})
    before = model.params()
    with pytest.raises(DivergenceError, match="diverged at step 1"), np.errstate(all="ignore"):
        list(tr.trace())
    for k, v in before.items():
        np.testing.assert_array_equal(model.params()[k], v)
    assert tr.step_count == 0 and tr.optimizer.t == 0
