"""Trainer: metrics, reproducibility, batching, divergence handling, evaluation."""

import math
import threading

import numpy as np
import pytest

from engine import DivergenceError, Model, Trainer, datasets

# ``device`` (each device) and ``numpy_device`` come from tests/engine/conftest.py.

BINARY = {"input": [2], "layers": [{"type": "dense", "units": 6, "activation": "tanh"},
                                   {"type": "dense", "units": 1, "activation": "sigmoid"}], "loss": "bce"}
MULTI = {"input": [2], "layers": [{"type": "dense", "units": 8, "activation": "relu"},
                                  {"type": "dense", "units": 3, "activation": "softmax"}], "loss": "softmax_ce"}
REGRESSION = {"input": [1], "layers": [{"type": "dense", "units": 4, "activation": "linear"},
                                       {"type": "dense", "units": 1, "activation": "linear"}], "loss": "mse"}


@pytest.fixture(scope="module")
def circle():
    return datasets.load("circle", n=120, noise=0.1, seed=0)


@pytest.fixture(scope="module")
def spiral3():
    return datasets.load("spiral3", n=150, noise=0.1, seed=0)


@pytest.fixture(scope="module")
def linear():
    return datasets.load("linear", n=200, noise=0.1, seed=0)


def test_metrics_binary(device, circle):
    model = Model(BINARY, seed=0, device=device)
    tr = Trainer(model, circle, optimizer={"type": "adam", "lr": 0.02}, batch_size=10, seed=0)
    assert tr.batches_per_epoch == 6
    r = tr.step(9)
    assert set(r) >= {"step", "epoch", "train_loss", "test_loss", "accuracy"}
    assert r["step"] == 9 and r["steps_done"] == 9
    assert r["epoch"] == pytest.approx(1.5)
    assert math.isfinite(r["train_loss"]) and r["train_loss"] > 0
    # the test metrics are those of the model now, in inference mode
    assert r["test_loss"] == pytest.approx(model.loss(circle.x_test, circle.y_test), rel=1e-5)
    pred = (model.forward(circle.x_test) > 0.5).astype(np.float32)
    assert r["accuracy"] == pytest.approx(np.mean(pred == circle.y_test))
    r2 = tr.step(3)
    assert r2["step"] == 12 and r2["epoch"] == pytest.approx(2.0)
    assert tr.history["step"] == [9, 12]
    assert tr.history["accuracy"] == [r["accuracy"], r2["accuracy"]]
    assert set(tr.history) == {"step", "epoch", "train_loss", "test_loss", "accuracy"}


def test_metrics_multiclass_and_regression(numpy_device, spiral3, linear):
    model = Model(MULTI, seed=1, device=numpy_device)
    tr = Trainer(model, spiral3, batch_size=16)
    r = tr.step(5)
    pred = np.argmax(model.forward(spiral3.x_test), axis=1)
    assert r["accuracy"] == pytest.approx(np.mean(pred == spiral3.y_test))
    reg = Trainer(Model(REGRESSION, device=numpy_device), linear, batch_size=8)
    r = reg.step(4)
    assert "accuracy" not in r and "accuracy" not in reg.history
    assert math.isfinite(r["test_loss"])


def test_train_loss_is_mean_of_batch_losses(numpy_device, circle):
    """Full-batch SGD: each step's loss and update can be redone by hand."""
    model = Model(BINARY, seed=3, device=numpy_device, dtype=np.float64)
    twin = Model(BINARY, seed=3, device=numpy_device, dtype=np.float64)
    tr = Trainer(model, circle, optimizer={"type": "sgd", "lr": 0.5}, batch_size=1000)
    assert tr.batch_size == len(circle.x_train)
    losses = []
    for _ in range(3):
        loss, grads = twin.loss_and_grads(circle.x_train, circle.y_train)
        losses.append(loss)
        twin.set_params({k: v - 0.5 * grads[k] for k, v in twin.params().items()})
    r = tr.step(3)
    assert r["train_loss"] == pytest.approx(np.mean(losses), rel=1e-10)
    for k, v in twin.params().items():
        np.testing.assert_allclose(model.params()[k], v, rtol=1e-10, atol=1e-12)


def test_each_epoch_is_a_permutation(device, circle):
    model = Model(BINARY, device=device)
    tr = Trainer(model, circle, batch_size=7, seed=5)
    seen = []
    for _ in range(2):
        xs = np.concatenate([model.backend.to_numpy(x) for x, _ in tr._batches])
        assert sorted(map(tuple, xs.tolist())) == sorted(map(tuple, circle.x_train.astype(np.float32).tolist()))
        seen.append(xs)
        tr.step(tr.batches_per_epoch)
        tr._peek_batch()  # start the next epoch
    assert not np.array_equal(seen[0], seen[1])  # reshuffled
    assert tr._batches[-1][0].shape[0] == len(circle.x_train) % 7  # the last batch holds the rest


def test_reproducible_with_the_same_seed(device, circle):
    runs = []
    for seed in (4, 4, 5):
        model = Model(BINARY, seed=0, device=device)
        tr = Trainer(model, circle, optimizer={"type": "momentum", "lr": 0.05}, batch_size=10, seed=seed)
        r = tr.step(25)
        runs.append((model.params(), r))
    for k in runs[0][0]:
        np.testing.assert_array_equal(runs[0][0][k], runs[1][0][k])
    assert runs[0][1] == runs[1][1]
    assert not np.array_equal(runs[0][0]["0.W"], runs[2][0]["0.W"])  # another batch order


def _diverging(device, lr=3.0):
    data = datasets.load("linear", n=200, noise=0.1, seed=0)
    spec = {"input": list(data.input_shape), "layers": [{"type": "dense", "units": 8, "activation": "relu"},
                                                        {"type": "dense", "units": 1, "activation": "linear"}],
            "loss": "mse"}
    model = Model(spec, seed=0, device=device)
    return model, Trainer(model, data, optimizer={"type": "sgd", "lr": lr}, batch_size=10, seed=0)


def test_divergence_restores_the_parameters(device):
    model, tr = _diverging(device)
    with pytest.raises(DivergenceError) as info:
        tr.step(10)   # fine
        tr.step(200)  # blows up somewhere inside
    err = info.value
    text = str(err)
    assert text.startswith(f"Training diverged at step {err.step}:")
    assert "lower the learning rate (now 3)" in text
    assert tr.step_count == err.step - 1
    assert all(np.all(np.isfinite(v)) for v in model.params().values())
    # a twin that takes exactly the good steps has the same parameters
    twin_model, twin = _diverging(device)
    twin.step(10)
    if err.step - 1 > 10:
        twin.step(err.step - 1 - 10)
    for k, v in twin_model.params().items():
        np.testing.assert_array_equal(model.params()[k], v, err_msg=k)
    assert tr.optimizer.t == twin.optimizer.t
    # and the good steps of the failed call were recorded
    assert tr.history["step"][-1] == err.step - 1
    # the same batch comes next: with the same rate it diverges at the same step again
    with pytest.raises(DivergenceError) as again:
        tr.step(5)
    assert again.value.step == err.step


def test_divergence_with_dropout_replays_the_same_masks(numpy_device):
    data = datasets.load("linear", n=200, noise=0.1, seed=0)
    spec = {"input": list(data.input_shape), "layers": [{"type": "dense", "units": 16, "activation": "relu"},
                                                        {"type": "dropout", "rate": 0.3},
                                                        {"type": "dense", "units": 1, "activation": "linear"}],
            "loss": "mse"}
    models, trainers = [], []
    for _ in range(2):
        m = Model(spec, seed=0, device=numpy_device)
        models.append(m)
        trainers.append(Trainer(m, data, optimizer={"type": "sgd", "lr": 2.0}, batch_size=10))
    with pytest.raises(DivergenceError) as info:
        trainers[0].step(300)
    good = info.value.step - 1
    for _ in range(good):
        trainers[1].step(1)
    for k, v in models[1].params().items():
        np.testing.assert_array_equal(models[0].params()[k], v)
    assert models[0].rng.bit_generator.state == models[1].rng.bit_generator.state


def test_request_stop(numpy_device, circle):
    tr = Trainer(Model(BINARY, device=numpy_device), circle)
    tr.request_stop()
    r = tr.step(50)
    assert r["steps_done"] == 1 and r["step"] == 1
    assert tr.step(4)["steps_done"] == 4  # the request was used up

    # from another thread while step runs
    timer = threading.Timer(0.05, tr.request_stop)
    timer.start()
    r = tr.step(10_000_000)
    timer.join()
    assert 1 <= r["steps_done"] < 10_000_000


def test_set_lr_keeps_optimizer_state(numpy_device, circle):
    tr = Trainer(Model(BINARY, device=numpy_device), circle, optimizer={"type": "adam", "lr": 0.01})
    tr.step(3)
    m_before = tr.optimizer.state_dict()["state"]["0.W"]["m"]
    tr.set_lr(0.002)
    assert tr.lr == 0.002 and tr.optimizer.t == 3
    np.testing.assert_array_equal(tr.optimizer.state_dict()["state"]["0.W"]["m"], m_before)
    with pytest.raises(ValueError, match="learning rate"):
        tr.set_lr(-1)


def test_evaluate_grid(device, circle):
    model = Model(BINARY, device=device)
    tr = Trainer(model, circle)
    g = np.linspace(-6, 6, 100, dtype=np.float32)
    xx, yy = np.meshgrid(g, g)
    grid = np.stack([xx.ravel(), yy.ravel()], axis=1)
    out = tr.evaluate(grid)
    assert out["output"].shape == (10000, 1)
    assert [a.shape for a in out["activations"]] == [(10000, 6), (10000, 1)]
    np.testing.assert_allclose(out["output"], model.forward(grid), rtol=1e-6)


@pytest.mark.parametrize("spec,data,words", [
    (BINARY, "digits", "network takes 2"),
    ({**MULTI, "input": [1]}, "linear", "whole numbers"),
    ({**MULTI, "layers": [{"type": "dense", "units": 2, "activation": "softmax"}]}, "spiral3", "one unit per class"),
    (BINARY, "spiral3", "0 or 1"),
])
def test_data_that_does_not_fit(numpy_device, spec, data, words):
    d = datasets.load(data, n=60, seed=0)
    model = Model(spec, device=numpy_device)
    with pytest.raises(ValueError, match=words):
        Trainer(model, d)


def test_bad_arguments(numpy_device, circle):
    model = Model(BINARY, device=numpy_device)
    with pytest.raises(ValueError, match="batch size"):
        Trainer(model, circle, batch_size=0)
    with pytest.raises(ValueError, match="choose one of"):
        Trainer(model, circle, optimizer={"type": "lbfgs"})
    tr = Trainer(model, circle)
    with pytest.raises(ValueError, match="whole number"):
        tr.step(0)


def test_tuple_data_without_test_set(numpy_device, circle):
    tr = Trainer(Model(BINARY, device=numpy_device), (circle.x_train, circle.y_train), batch_size=32)
    r = tr.step(2)
    assert r["test_loss"] is None and r["accuracy"] is None
