"""Layers written once against the backend interface: one module per kind.

``build_layer(spec, index, in_shape, out_shape, backend, regularization, rng)`` makes the
layer object for a LayerSpec; the Model owns the list.
"""

from __future__ import annotations

from .base import Layer
from .conv2d import Conv2DLayer
from .dense import DenseLayer
from .dropout import DropoutLayer
from .flatten import FlattenLayer
from .pool import AvgPoolLayer, MaxPoolLayer
from .rnn import RNNLayer

LAYER_CLASSES = {
    "dense": DenseLayer,
    "conv2d": Conv2DLayer,
    "maxpool2d": MaxPoolLayer,
    "avgpool2d": AvgPoolLayer,
    "flatten": FlattenLayer,
    "rnn": RNNLayer,
    "dropout": DropoutLayer,
}


def build_layer(spec, index, in_shape, out_shape, backend, regularization, rng=None) -> Layer:
    """The layer object for ``spec`` (a LayerSpec) at position ``index``, parameters zeroed."""
    cls = LAYER_CLASSES[spec.kind]
    if cls is DropoutLayer:
        layer = cls(spec, index, in_shape, out_shape, backend, regularization, rng=rng)
    else:
        layer = cls(spec, index, in_shape, out_shape, backend, regularization)
    layer.allocate(spec.param_shapes(in_shape))
    return layer


__all__ = [
    "AvgPoolLayer", "Conv2DLayer", "DenseLayer", "DropoutLayer", "FlattenLayer", "Layer",
    "MaxPoolLayer", "RNNLayer", "build_layer",
]
