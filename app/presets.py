"""One-click starting points for the network lab: data, network and training settings that work.

Each preset is plain data (a frozen dataclass); ``NetworkLabPanel.load_preset(name)``
applies it. The settings were chosen so each one learns visibly within a few hundred
steps on a CPU device.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Preset:
    """A data set with its options, a network spec dict and training settings."""

    name: str
    description: str
    dataset: str
    spec: dict
    options: dict = field(default_factory=dict)   # extra keywords for datasets.load
    noise: float = 0.1
    test_ratio: float = 0.5
    features: tuple | None = None                 # planar sets: the input features
    optimizer: str = "adam"
    lr: float = 0.03
    batch_size: int = 10
    init: str = "xavier"


def _dense(units, activation):
    return {"type": "dense", "units": units, "activation": activation}


PRESETS: dict[str, Preset] = {}


def _add(preset: Preset) -> None:
    PRESETS[preset.name] = preset


_add(Preset(
    name="Spiral (Playground)",
    description="Two interleaved spirals: the hard one of TensorFlow Playground. Sines of the inputs help.",
    dataset="spiral",
    noise=0.0,
    features=("x1", "x2", "sin x1", "sin x2"),
    spec={"input": [4], "layers": [_dense(8, "tanh"), _dense(8, "tanh"), _dense(6, "tanh"), _dense(1, "sigmoid")],
          "loss": "bce", "regularization": {"type": "none", "rate": 0.0}, "init": "xavier"},
    lr=0.03, batch_size=10,
))
_add(Preset(
    name="XOR",
    description="Exclusive or: no straight line separates the classes, one hidden layer does.",
    dataset="xor",
    noise=0.05,
    features=("x1", "x2"),
    spec={"input": [2], "layers": [_dense(4, "tanh"), _dense(1, "sigmoid")],
          "loss": "bce", "regularization": {"type": "none", "rate": 0.0}, "init": "xavier"},
    lr=0.03, batch_size=10,
))
_add(Preset(
    name="Digits CNN",
    description="8×8 handwritten digits: two small convolutions find strokes, a dense layer names the digit.",
    dataset="digits",
    noise=0.0,
    spec={"input": [1, 8, 8], "layers": [
        {"type": "conv2d", "filters": 8, "kernel": 3, "stride": 1, "padding": 1, "activation": "relu"},
        {"type": "maxpool2d", "size": 2},
        {"type": "conv2d", "filters": 16, "kernel": 3, "stride": 1, "padding": 1, "activation": "relu"},
        {"type": "maxpool2d", "size": 2},
        {"type": "flatten"},
        _dense(10, "softmax")],
        "loss": "softmax_ce", "regularization": {"type": "none", "rate": 0.0}, "init": "he"},
    lr=0.01, batch_size=32, init="he",
))
_add(Preset(
    name="Sine RNN",
    description="Continue a sine wave: the recurrent cell reads 20 samples and predicts the next.",
    dataset="sine",
    options={"steps": 20},
    noise=0.05,
    spec={"input": [20, 1], "layers": [
        {"type": "rnn", "units": 16, "activation": "tanh", "return_sequences": False},
        _dense(1, "linear")],
        "loss": "mse", "regularization": {"type": "none", "rate": 0.0}, "init": "xavier"},
    lr=0.01, batch_size=16,
))
_add(Preset(
    name="Linear regression",
    description="A straight line through noisy points: one neuron with no activation is least squares.",
    dataset="linear",
    options={"features": 1},
    noise=0.1,
    spec={"input": [1], "layers": [_dense(1, "linear")],
          "loss": "mse", "regularization": {"type": "none", "rate": 0.0}, "init": "xavier"},
    optimizer="sgd", lr=0.1, batch_size=10,
))

#: the short names ``--demo`` accepts
DEMO_NAMES = {"spiral": "Spiral (Playground)", "xor": "XOR", "digits": "Digits CNN", "sine": "Sine RNN",
              "linear": "Linear regression"}


def names() -> list:
    """The preset names, in menu order."""
    return list(PRESETS)


def get(name: str) -> Preset:
    """The preset called ``name`` (or a ``DEMO_NAMES`` short name); ValueError with the choices otherwise."""
    key = DEMO_NAMES.get(str(name).lower(), name)
    if key not in PRESETS:
        raise ValueError(f"There is no preset called {name!r}: choose {', '.join(PRESETS)} "
                         f"(or {', '.join(DEMO_NAMES)}).")
    return PRESETS[key]
