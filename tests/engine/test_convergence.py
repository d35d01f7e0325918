"""End-to-end learning on the default device: the networks the lab shows really learn.

Each run is bounded by a number of steps and stops as soon as it reaches its goal.
"""

from dataclasses import replace

import pytest

import engine
from engine import Model, Trainer, datasets
from engine.datasets import FEATURES, features


@pytest.fixture(autouse=True)
def default_device():
    """The automatic choice (an OpenCL device when there is one), whatever other tests chose."""
    before = engine.current_device()
    engine.use_device(None)
    yield engine.current_device()
    engine.use_device(before)


def _train_until(trainer, goal, max_steps, chunk=100):
    result = None
    while trainer.step_count < max_steps:
        result = trainer.step(chunk)
        if goal(result):
            break
    return result


def test_spiral_with_engineered_features():
    """TensorFlow Playground's spiral, with all seven input features and two tanh layers."""
    raw = datasets.load("spiral", n=500, noise=0.1, seed=0)
    data = replace(raw, x_train=features(raw.x_train, FEATURES), x_test=features(raw.x_test, FEATURES),
                   input_shape=(len(FEATURES),))
    spec = {"input": [len(FEATURES)],
            "layers": [{"type": "dense", "units": 16, "activation": "tanh"},
                       {"type": "dense", "units": 16, "activation": "tanh"},
                       {"type": "dense", "units": 1, "activation": "sigmoid"}],
            "loss": "bce"}
    trainer = Trainer(Model(spec, seed=0), data, optimizer={"type": "adam", "lr": 0.03}, batch_size=16, seed=0)
    r = _train_until(trainer, lambda r: r["accuracy"] >= 0.96, max_steps=3000)
    assert r["accuracy"] >= 0.95, r


def test_digits_cnn():
    data = datasets.load("digits", seed=0)
    spec = {"input": [1, 8, 8],
            "layers": [{"type": "conv2d", "filters": 8, "kernel": 3, "padding": 1, "activation": "relu"},
                       {"type": "maxpool2d", "size": 2}, {"type": "flatten"},
                       {"type": "dense", "units": 10, "activation": "softmax"}],
            "loss": "softmax_ce", "init": "he"}
    trainer = Trainer(Model(spec, seed=0), data, optimizer={"type": "adam", "lr": 0.01}, batch_size=32, seed=0)
    r = _train_until(trainer, lambda r: r["accuracy"] >= 0.96, max_steps=1500, chunk=50)
    assert r["accuracy"] >= 0.95, r


def test_sine_rnn_loss_falls_tenfold():
    data = datasets.load("sine", n=400, noise=0.0, seed=0)
    spec = {"input": [20, 1],
            "layers": [{"type": "rnn", "units": 16, "activation": "tanh"},
                       {"type": "dense", "units": 1, "activation": "linear"}],
            "loss": "mse"}
    trainer = Trainer(Model(spec, seed=0), data, optimizer={"type": "adam", "lr": 0.01}, batch_size=20, seed=0)
    first = trainer.metrics()["test_loss"]
    r = _train_until(trainer, lambda r: r["test_loss"] <= first / 20, max_steps=1500, chunk=50)
    assert r["test_loss"] <= first / 10, (first, r)


@pytest.mark.parametrize("name", ["circle", "xor", "gauss"])
def test_playground_sets(name):
    data = datasets.load(name, n=300, noise=0.1, seed=1)
    spec = {"input": [2], "layers": [{"type": "dense", "units": 8, "activation": "tanh"},
                                     {"type": "dense", "units": 1, "activation": "sigmoid"}], "loss": "bce"}
    trainer = Trainer(Model(spec, seed=1), data, optimizer={"type": "adam", "lr": 0.03}, batch_size=10, seed=1)
    r = _train_until(trainer, lambda r: r["accuracy"] >= 0.95, max_steps=2000)
    assert r["accuracy"] >= 0.9, r


def test_default_device_is_opencl_when_there_is_one(default_device):
    has_cl = any(d.kind != "numpy" for d in engine.devices())
    assert (default_device.kind != "numpy") == has_cl
