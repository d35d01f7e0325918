"""Helpers for compressing trained networks: copies of a model, test metrics, weight names.

Compression never touches the model it is given: it reads the spec and parameters,
builds a copy on the same device and dtype, and changes the copy.
"""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ..model import Model
from ..spec import NetworkSpec

#: evaluate test sets in chunks of at most this many samples (keeps device memory small)
CHUNK = 4096


def spec_and_params(model, params=None) -> tuple:
    """(NetworkSpec, {name: ndarray}) of a Model, or of a spec (dict or NetworkSpec) with ``params``."""
    if isinstance(model, Model):
        return model.spec, model.params() if params is None else dict(params)
    spec = NetworkSpec.from_dict(model)
    if params is None:
        raise ValueError("A network description alone has no trained weights: give its parameters too.")
    return spec, dict(params)


def copy_model(model, params=None, spec=None) -> Model:
    """A new Model like ``model`` (same device and dtype) holding ``params`` (default: model's own)."""
    spec = model.spec if spec is None else spec
    copy = Model(spec, seed=model.seed, device=model.device, dtype=model.dtype)
    copy.set_params(model.params() if params is None else params)
    return copy


def test_split(data) -> tuple:
    """(x, y) to measure on: the data set's test part, else its training part."""
    for xs, ys in (("x_test", "y_test"), ("x_train", "y_train")):
        x, y = getattr(data, xs, None), getattr(data, ys, None)
        if x is not None and len(x):
            return np.asarray(x), np.asarray(y)
    raise ShapeError("The data set has no samples to measure the network on.")


def evaluate(model: Model, x, y) -> dict:
    """{"loss", "accuracy"} of ``model`` on (x, y); accuracy is None for regression."""
    x = np.asarray(x)
    y = np.asarray(y)
    n = len(x)
    outs = []
    loss_sum = 0.0
    for s in range(0, n, CHUNK):
        xs, ys = x[s:s + CHUNK], y[s:s + CHUNK]
        loss_sum += model.loss(xs, ys) * len(xs)
        outs.append(model.forward(xs))
    out = np.concatenate(outs)
    accuracy = None
    if model.spec.loss == "softmax_ce":
        accuracy = float(np.mean(np.argmax(out, axis=1) == y.reshape(n)))
    elif model.spec.loss == "bce":
        accuracy = float(np.mean((out.reshape(n, -1) > 0.5) == (y.reshape(n, -1) > 0.5)))
    return {"loss": loss_sum / n, "accuracy": accuracy}


def weight_names(spec: NetworkSpec) -> list:
    """The weight parameters of a spec ("0.W", "2.W_xh", ...): everything but the biases."""
    return [f"{i}.{name}" for i, layer in enumerate(spec.layers) for name in layer.weight_names]


def dense_layer_indices(spec: NetworkSpec) -> list:
    """Indices of the dense layers of a spec."""
    return [i for i, layer in enumerate(spec.layers) if layer.kind == "dense"]
