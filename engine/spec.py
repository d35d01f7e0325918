"""``NetworkSpec``: the plain-data description of a network, checked before anything is built.

A spec is what the network canvas edits, what project files store and what ``Model``
builds from. It is a frozen dataclass of frozen layer dataclasses, converts to and from
JSON-safe dicts (``to_dict`` / ``from_dict`` round-trip), and validates itself when it is
made: every problem is a sentence naming the layer (1-based, as people count: "Layer 3
(dense)") and what to do about it, raised as ``SpecError`` whose ``layer`` attribute holds
the 0-based index of the layer at fault (None for network-wide problems), so a canvas can
highlight it.

Shapes are inferred layer by layer (``spec.shapes()``) so a dense layer after a conv
layer without a flatten, or a kernel larger than its image, is caught here rather than
deep inside a kernel launch.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import ClassVar

from .errors import EngineError, shape_str

ACTIVATIONS = ("linear", "relu", "leaky_relu", "tanh", "sigmoid", "softmax")
RNN_ACTIVATIONS = ("tanh", "relu")  # as torch.nn.RNN's nonlinearity
LOSSES = ("mse", "bce", "softmax_ce")
REGULARIZATIONS = ("none", "l1", "l2")
INITS = ("zeros", "uniform", "normal", "xavier", "he")
INIT_ALIASES = {"glorot": "xavier"}
DTYPES = ("float32", "float64")

# Limits keep a lab network small enough to train interactively and catch typos
# (units: 40000 instead of 40) before they turn into an out-of-memory error.
MAX_UNITS = 4096
MAX_RNN_UNITS = 1024
MAX_FILTERS = 256
MAX_KERNEL = 15
MAX_STRIDE = 16
MAX_LAYERS = 64
MAX_FEATURES = 65536
MAX_CHANNELS = 64
MAX_IMAGE_SIDE = 512
MAX_STEPS = 1000
MAX_PARAMS = 10_000_000
MAX_RATE = 10.0


class SpecError(EngineError, ValueError):
    """A network description that cannot be built; ``layer`` is the 0-based index at fault or None."""

    def __init__(self, message: str, layer: int | None = None):
        super().__init__(message)
        self.layer = layer


def _where(index: int | None, kind: str | None) -> str:
    if index is None:
        return "The network"
    return f"Layer {index + 1} ({kind})" if kind else f"Layer {index + 1}"


def _listing(items) -> str:
    items = list(items)
    return ", ".join(items[:-1]) + " or " + items[-1] if len(items) > 1 else items[0]


def _int(value, name: str, lo: int, hi: int, where: str, index) -> int:
    """An integer setting in lo..hi (integral floats from JSON are accepted)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
        isinstance(value, float) and (not math.isfinite(value) or value != int(value))
    ):
        raise SpecError(f"{where} needs a whole number for {name}, not {value!r}.", index)
    value = int(value)
    if not lo <= value <= hi:
        raise SpecError(f"{where} has {name} = {value}: choose {lo} to {hi}.", index)
    return value


def _choice(value, name: str, options, where: str, index) -> str:
    if not isinstance(value, str) or value.lower() not in options:
        raise SpecError(f"{where} has {name} {value!r}: choose {_listing(options)}.", index)
    return value.lower()


def _article(number) -> str:
    """'a' or 'an' before a number read aloud (an 8, an 11, an 18, a 3)."""
    text = str(number)
    return "an" if text.startswith("8") or (len(text) in (2, 5, 6) and text[:2] in ("11", "18")) else "a"


def _describe(shape) -> str:
    """How a person would call data of this (per-sample) shape."""
    if len(shape) == 3:
        return f"{_article(shape[0])} {shape[0]}×{shape[1]}×{shape[2]} image"
    if len(shape) == 2:
        return f"a sequence of {shape[0]} steps × {shape[1]} features"
    return f"{shape[0]} features"


# ----------------------------------------------------------------- layer specs
@dataclass(frozen=True)
class LayerSpec:
    """Base of the layer descriptions. ``kind`` is the "type" string of the dict form."""

    kind: ClassVar[str] = ""
    #: per-sample parameter names in order (weights first, then biases)
    param_names: ClassVar[tuple] = ()
    #: of ``param_names``, the weights (regularised); the others are biases
    weight_names: ClassVar[tuple] = ()

    def to_dict(self) -> dict:
        """The JSON-safe dict form, every setting spelled out."""
        d = {"type": self.kind}
        d.update({f.name: getattr(self, f.name) for f in dataclasses.fields(self)})
        return d

    def output_shape(self, shape: tuple, index: int) -> tuple:  # pragma: no cover - abstract
        """The per-sample output shape for a per-sample input ``shape``; SpecError if it cannot take it."""
        raise NotImplementedError

    def param_shapes(self, shape: tuple) -> dict:
        """name -> shape of this layer's parameters for an input of ``shape``."""
        return {}

    @property
    def activation_name(self) -> str | None:
        """The activation this layer applies, or None for layers without one."""
        return getattr(self, "activation", None)

    def _where(self, index) -> str:
        return _where(index, self.kind)

    def _check(self, index) -> None:
        """Check the settings alone (the shape is checked by ``output_shape``)."""


@dataclass(frozen=True)
class Dense(LayerSpec):
    """Fully connected: z = W·a + b, a = f(z); W (units, inputs)."""

    units: int
    activation: str = "linear"
    kind: ClassVar[str] = "dense"
    param_names: ClassVar[tuple] = ("W", "b")
    weight_names: ClassVar[tuple] = ("W",)

    def _check(self, index):
        w = self._where(index)
        object.__setattr__(self, "units", _int(self.units, "units", 1, MAX_UNITS, w, index))
        object.__setattr__(self, "activation", _choice(self.activation, "activation", ACTIVATIONS, w, index))

    def output_shape(self, shape, index):
        if len(shape) == 3:
            raise SpecError(f"{self._where(index)} gets {_describe(shape)}: add a flatten layer first.", index)
        if len(shape) == 2:
            raise SpecError(
                f"{self._where(index)} gets {_describe(shape)}: add a flatten layer first, "
                "or set return_sequences to false on the rnn layer before it.", index)
        return (self.units,)

    def param_shapes(self, shape):
        return {"W": (self.units, shape[0]), "b": (self.units,)}


@dataclass(frozen=True)
class Conv2D(LayerSpec):
    """2-D convolution (cross-correlation, as PyTorch) + bias + activation; W (filters, C, k, k)."""

    filters: int
    kernel: int
    stride: int = 1
    padding: int = 0
    activation: str = "linear"
    kind: ClassVar[str] = "conv2d"
    param_names: ClassVar[tuple] = ("W", "b")
    weight_names: ClassVar[tuple] = ("W",)

    def _check(self, index):
        w = self._where(index)
        object.__setattr__(self, "filters", _int(self.filters, "filters", 1, MAX_FILTERS, w, index))
        object.__setattr__(self, "kernel", _int(self.kernel, "kernel", 1, MAX_KERNEL, w, index))
        object.__setattr__(self, "stride", _int(self.stride, "stride", 1, MAX_STRIDE, w, index))
        object.__setattr__(self, "padding", _int(self.padding, "padding", 0, self.kernel - 1, w, index))
        act = _choice(self.activation, "activation", ACTIVATIONS, w, index)
        if act == "softmax":
            raise SpecError(
                f"{w} uses softmax, which only works on a dense output layer: "
                "choose relu, leaky_relu, tanh, sigmoid or linear.", index)
        object.__setattr__(self, "activation", act)

    def output_shape(self, shape, index):
        w = self._where(index)
        if len(shape) != 3:
            raise SpecError(
                f"{w} needs images (channels × height × width) but gets {_describe(shape)}: "
                "set the network input to [C, H, W] or put the conv2d layer before any flatten or dense layer.",
                index)
        c, h, wd = shape
        k, p = self.kernel, self.padding
        if k > h + 2 * p or k > wd + 2 * p:
            raise SpecError(
                f"{w} has a {k}×{k} kernel but gets a {h}×{wd} image (padding {p}): "
                f"use a kernel of at most {min(h, wd) + 2 * p} or more padding.", index)
        oh = (h + 2 * p - k) // self.stride + 1
        ow = (wd + 2 * p - k) // self.stride + 1
        return (self.filters, oh, ow)

    def param_shapes(self, shape):
        return {"W": (self.filters, shape[0], self.kernel, self.kernel), "b": (self.filters,)}


@dataclass(frozen=True)
class _Pool(LayerSpec):
    size: int
    stride: int | None = None  # None: the window size (windows do not overlap)

    def _check(self, index):
        w = self._where(index)
        object.__setattr__(self, "size", _int(self.size, "size", 1, MAX_KERNEL, w, index))
        stride = self.size if self.stride is None else self.stride
        object.__setattr__(self, "stride", _int(stride, "stride", 1, MAX_STRIDE, w, index))

    def output_shape(self, shape, index):
        w = self._where(index)
        if len(shape) != 3:
            raise SpecError(
                f"{w} needs images (channels × height × width) but gets {_describe(shape)}: "
                "pool right after a conv2d layer, before flatten.", index)
        c, h, wd = shape
        if self.size > min(h, wd):
            raise SpecError(
                f"{w} has a {self.size}×{self.size} window but gets a {h}×{wd} image: "
                f"use a size of at most {min(h, wd)}.", index)
        return (c, (h - self.size) // self.stride + 1, (wd - self.size) // self.stride + 1)


@dataclass(frozen=True)
class MaxPool2D(_Pool):
    """Maximum over each size×size window (stride defaults to size)."""

    kind: ClassVar[str] = "maxpool2d"


@dataclass(frozen=True)
class AvgPool2D(_Pool):
    """Mean over each size×size window (stride defaults to size)."""

    kind: ClassVar[str] = "avgpool2d"


@dataclass(frozen=True)
class Flatten(LayerSpec):
    """Images (C, H, W) or sequences (T, F) to one row of features per sample (no copy)."""

    kind: ClassVar[str] = "flatten"

    def output_shape(self, shape, index):
        return (math.prod(shape),)


@dataclass(frozen=True)
class RNN(LayerSpec):
    """Elman RNN over (T, F) sequences: h_t = f(W_xh·x_t + W_hh·h_{t−1} + b_h), h_0 = 0."""

    units: int
    activation: str = "tanh"
    return_sequences: bool = False
    kind: ClassVar[str] = "rnn"
    param_names: ClassVar[tuple] = ("W_xh", "W_hh", "b_h")
    weight_names: ClassVar[tuple] = ("W_xh", "W_hh")

    def _check(self, index):
        w = self._where(index)
        object.__setattr__(self, "units", _int(self.units, "units", 1, MAX_RNN_UNITS, w, index))
        object.__setattr__(self, "activation", _choice(self.activation, "activation", RNN_ACTIVATIONS, w, index))
        if not isinstance(self.return_sequences, bool):
            raise SpecError(f"{w} needs true or false for return_sequences, not {self.return_sequences!r}.", index)

    def output_shape(self, shape, index):
        if len(shape) != 2:
            raise SpecError(
                f"{self._where(index)} needs sequences (steps × features) but gets {_describe(shape)}: "
                "set the network input to [T, F], or set return_sequences to true on the rnn layer before it.",
                index)
        return (shape[0], self.units) if self.return_sequences else (self.units,)

    def param_shapes(self, shape):
        u = self.units
        return {"W_xh": (u, shape[1]), "W_hh": (u, u), "b_h": (u,)}


@dataclass(frozen=True)
class Dropout(LayerSpec):
    """Inverted dropout while training: zero each value with probability rate, scale the rest by 1/(1−rate)."""

    rate: float = 0.5
    kind: ClassVar[str] = "dropout"

    def _check(self, index):
        r = self.rate
        if isinstance(r, bool) or not isinstance(r, (int, float)) or not (0.0 <= r < 1.0):
            raise SpecError(f"{self._where(index)} has rate {r!r}: choose a number from 0 up to (not including) 1.",
                            index)
        object.__setattr__(self, "rate", float(r))

    def output_shape(self, shape, index):
        return tuple(shape)


LAYER_TYPES: dict[str, type[LayerSpec]] = {
    cls.kind: cls for cls in (Dense, Conv2D, MaxPool2D, AvgPool2D, Flatten, RNN, Dropout)
}


def layer_from_dict(d, index: int = 0) -> LayerSpec:
    """One layer description (``{"type": "dense", "units": 8, ...}``) -> its LayerSpec."""
    if isinstance(d, LayerSpec):
        d._check(index)
        return d
    if not isinstance(d, dict):
        raise SpecError(f"Layer {index + 1} should be a dict like {{\"type\": \"dense\", \"units\": 8}}, "
                        f"not {d!r}.", index)
    kind = d.get("type")
    if kind is None:
        raise SpecError(f"Layer {index + 1} has no type: add \"type\" with one of {_listing(LAYER_TYPES)}.", index)
    if not isinstance(kind, str) or kind.lower() not in LAYER_TYPES:
        raise SpecError(f"Layer {index + 1} has the unknown type {kind!r}: choose {_listing(LAYER_TYPES)}.", index)
    cls = LAYER_TYPES[kind.lower()]
    names = [f.name for f in dataclasses.fields(cls)]
    where = _where(index, cls.kind)
    for key in d:
        if key != "type" and key not in names:
            valid = ", ".join(names) if names else "none (only its type)"
            raise SpecError(f"{where} has the unknown setting {key!r}: the settings of a {cls.kind} layer are "
                            f"{valid}.", index)
    required = [f.name for f in dataclasses.fields(cls)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    missing = [n for n in required if n not in d]
    if missing:
        raise SpecError(f"{where} needs {' and '.join(missing)}.", index)
    layer = cls(**{k: v for k, v in d.items() if k != "type"})
    layer._check(index)
    return layer


# ----------------------------------------------------------------- the network
@dataclass(frozen=True)
class Regularization:
    """Weight penalty: "l2" adds rate·½Σw², "l1" rate·Σ|w| (weights only, not biases)."""

    type: str = "none"
    rate: float = 0.0

    def to_dict(self) -> dict:
        return {"type": self.type, "rate": self.rate}

    @property
    def active(self) -> bool:
        """True when a penalty is actually added."""
        return self.type != "none" and self.rate > 0.0


def _regularization(value) -> Regularization:
    if value is None:
        return Regularization()
    if isinstance(value, Regularization):
        value = value.to_dict()
    if isinstance(value, str):
        # "l2" alone: a common rate, so scripts can stay short
        value = {"type": value, "rate": 0.0 if value.lower() == "none" else 1e-3}
    if not isinstance(value, dict):
        raise SpecError(f"The regularization should look like {{\"type\": \"l2\", \"rate\": 0.001}}, not {value!r}.")
    for key in value:
        if key not in ("type", "rate"):
            raise SpecError(f"The regularization has the unknown key {key!r}: use type and rate.")
    kind = _choice(value.get("type", "none"), "type", REGULARIZATIONS, "The regularization", None)
    rate = value.get("rate", 0.0)
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not (0.0 <= rate <= MAX_RATE):
        raise SpecError(f"The regularization rate is {rate!r}: choose a number from 0 to {MAX_RATE:g} "
                        "(typical: 0.0001 to 0.01).")
    return Regularization(kind, float(rate))


def _input_shape(value) -> tuple:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, (list, tuple)) or not 1 <= len(value) <= 3:
        raise SpecError(f"The network input is {value!r}: give [features], [channels, height, width] "
                        "for images or [steps, features] for sequences.")
    where = "The network input"
    if len(value) == 1:
        return (_int(value[0], "features", 1, MAX_FEATURES, where, None),)
    if len(value) == 2:
        return (_int(value[0], "steps", 1, MAX_STEPS, where, None),
                _int(value[1], "features", 1, MAX_FEATURES, where, None))
    return (_int(value[0], "channels", 1, MAX_CHANNELS, where, None),
            _int(value[1], "height", 1, MAX_IMAGE_SIDE, where, None),
            _int(value[2], "width", 1, MAX_IMAGE_SIDE, where, None))


_TOP_KEYS = ("input", "layers", "loss", "regularization", "init", "dtype")


@dataclass(frozen=True)
class NetworkSpec:
    """A whole network: input shape, layers, loss, regularisation, initialisation and dtype.

    Made from a dict with ``from_dict`` (or directly; layers may be dicts or LayerSpecs)
    and checked on construction: a spec that exists can be built. ``dataclasses.replace``
    gives an edited copy, checked again.
    """

    input: tuple
    layers: tuple
    loss: str = "mse"
    regularization: Regularization = field(default_factory=Regularization)
    init: str = "xavier"
    dtype: str = "float32"

    def __post_init__(self):
        object.__setattr__(self, "input", _input_shape(self.input))
        if isinstance(self.layers, (dict, str)) or not isinstance(self.layers, (list, tuple)):
            raise SpecError("The layers should be a list of layer dicts, e.g. "
                            "[{\"type\": \"dense\", \"units\": 8, \"activation\": \"tanh\"}].")
        if not self.layers:
            raise SpecError("The network has no layers: add at least one, e.g. a dense output layer.")
        if len(self.layers) > MAX_LAYERS:
            raise SpecError(f"The network has {len(self.layers)} layers: at most {MAX_LAYERS} fit in the lab.")
        object.__setattr__(self, "layers", tuple(layer_from_dict(d, i) for i, d in enumerate(self.layers)))
        object.__setattr__(self, "loss", _choice(self.loss, "loss", LOSSES, "The network", None))
        object.__setattr__(self, "regularization", _regularization(self.regularization))
        init = self.init.lower() if isinstance(self.init, str) else self.init
        init = INIT_ALIASES.get(init, init)
        object.__setattr__(self, "init", _choice(init, "init", INITS + tuple(INIT_ALIASES), "The network", None))
        dtype = getattr(self.dtype, "name", self.dtype)  # np.float64 or np.dtype accepted too
        if isinstance(dtype, type):
            dtype = dtype.__name__
        object.__setattr__(self, "dtype", _choice(dtype, "dtype", DTYPES, "The network", None))
        self._check_network()

    # ------------------------------------------------------------ validation
    def _check_network(self) -> None:
        shapes = self.shapes()  # raises on the first layer that cannot take its input
        n = len(self.layers)
        last_i = n - 1
        last = self.layers[last_i]
        if isinstance(last, Dropout):
            raise SpecError(f"{last._where(last_i)} is the last layer: dropout belongs between layers, "
                            "so add an output layer after it or remove it.", last_i)
        for i, layer in enumerate(self.layers):
            if layer.activation_name == "softmax" and i != n - 1:
                raise SpecError(
                    f"{layer._where(i)} uses softmax, which only works on the output layer: "
                    "choose relu, tanh or another activation here.", i)
        act = last.activation_name
        if self.loss == "softmax_ce":
            if not (isinstance(last, Dense) and act == "softmax"):
                raise SpecError(
                    f"The softmax_ce loss needs a dense output layer with softmax, but {last._where(last_i).lower()} "
                    f"{'uses ' + act if act else 'has no activation'}: set its activation to softmax "
                    "or choose another loss.", last_i)
            if shapes[-1][0] < 2:
                raise SpecError(
                    f"{last._where(last_i)} has softmax over 1 unit, which is always 1: give it one unit per "
                    "class (2 or more), or use 1 sigmoid unit with the bce loss.", last_i)
        elif self.loss == "bce":
            if act != "sigmoid":
                raise SpecError(
                    f"The bce loss needs a sigmoid output layer, but {last._where(last_i).lower()} "
                    f"{'uses ' + act if act else 'has no activation'}: set its activation to sigmoid "
                    "or choose another loss.", last_i)
        total = sum(math.prod(s) for s in self.param_shapes().values())
        if total > MAX_PARAMS:
            raise SpecError(f"The network has {total:,} parameters: at most {MAX_PARAMS:,} fit in the lab; "
                            "use fewer units or filters, or pool before the dense layers.")

    # ------------------------------------------------------------ shapes
    def shapes(self) -> list:
        """Per-sample output shape of every layer, in order (the batch axis left out)."""
        out = []
        shape = self.input
        for i, layer in enumerate(self.layers):
            shape = tuple(layer.output_shape(shape, i))
            if any(s < 1 for s in shape):  # pragma: no cover - excluded by the checks above
                raise SpecError(f"{layer._where(i)} would give an empty {shape_str(shape)} output.", i)
            out.append(shape)
        return out

    def input_shapes(self) -> list:
        """Per-sample input shape of every layer (the first is ``self.input``)."""
        return [self.input] + self.shapes()[:-1]

    @property
    def output_shape(self) -> tuple:
        """Per-sample shape of the network's output."""
        return self.shapes()[-1]

    def param_shapes(self) -> dict:
        """Every parameter's shape by name ("0.W", "0.b", "2.W_xh", ...), ordered by layer then W, b."""
        out = {}
        for i, (layer, shape) in enumerate(zip(self.layers, self.input_shapes())):
            for name, s in layer.param_shapes(shape).items():
                out[f"{i}.{name}"] = tuple(s)
        return out

    def n_params(self) -> int:
        """Total number of trainable numbers."""
        return sum(math.prod(s) for s in self.param_shapes().values())

    # ------------------------------------------------------------ dict form
    @classmethod
    def from_dict(cls, d: dict) -> "NetworkSpec":
        """Build and check a spec from its dict form (see DESIGN.md for the keys)."""
        if isinstance(d, NetworkSpec):
            return d
        if not isinstance(d, dict):
            raise SpecError(f"A network description should be a dict with {', '.join(_TOP_KEYS)}, "
                            f"not {type(d).__name__}.")
        for key in d:
            if key not in _TOP_KEYS:
                raise SpecError(f"The network description has the unknown key {key!r}: "
                                f"the keys are {', '.join(_TOP_KEYS)}.")
        for key in ("input", "layers"):
            if key not in d:
                raise SpecError(f"The network description has no {key!r}: "
                                + ("add e.g. \"input\": [2] (features), [1, 8, 8] (images) or [20, 1] (sequences)."
                                   if key == "input" else "add a list of layers."))
        kwargs = {k: v for k, v in d.items() if v is not None or k in ("input", "layers")}
        return cls(**kwargs)

    def to_dict(self) -> dict:
        """The JSON-safe dict form; ``NetworkSpec.from_dict(spec.to_dict()) == spec``."""
        return {
            "input": list(self.input),
            "layers": [layer.to_dict() for layer in self.layers],
            "loss": self.loss,
            "regularization": self.regularization.to_dict(),
            "init": self.init,
            "dtype": self.dtype,
        }

    def describe(self) -> list:
        """One line per layer for a summary, e.g. 'dense 8 tanh -> 8'."""
        lines = []
        for layer, shape in zip(self.layers, self.shapes()):
            settings = ", ".join(f"{k}={v}" for k, v in layer.to_dict().items() if k != "type")
            lines.append(f"{layer.kind}({settings}) -> {shape_str(shape)}")
        return lines
