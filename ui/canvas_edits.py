"""Edits the network canvas makes to a network description (the spec's dict form).

Pure functions on plain dicts: each returns a new dict and leaves its argument alone, so
the canvas can offer a candidate to the app, which checks it (``NetworkSpec.from_dict``)
and either adopts it or refuses it with the reason. Nothing here knows Qt.
"""

from __future__ import annotations

import copy

#: what the palette offers, in its order: (type, button text, tooltip)
PALETTE = (
    ("dense", "Dense", "A fully connected layer: every neuron sees every output of the layer before."),
    ("conv2d", "Conv 2D", "A convolution over images: each filter slides over the image and makes a feature map."),
    ("maxpool2d", "Max pool", "Keeps the largest value of each 2×2 window: halves the image size."),
    ("avgpool2d", "Avg pool", "Averages each 2×2 window: halves the image size."),
    ("flatten", "Flatten", "Turns images or sequences into one row of numbers, for dense layers."),
    ("rnn", "RNN", "A recurrent cell: reads a sequence step by step, carrying a hidden state."),
    ("dropout", "Dropout", "Zeroes a random share of values while training, against overfitting."),
)

#: settings each layer type offers in the editor: (key, label, kind, choices or range)
SETTINGS = {
    "dense": (("units", "Neurons", "int", (1, 4096)),
              ("activation", "Activation", "choice",
               ("linear", "relu", "leaky_relu", "tanh", "sigmoid", "softmax"))),
    "conv2d": (("filters", "Filters", "int", (1, 256)),
               ("kernel", "Kernel", "int", (1, 15)),
               ("stride", "Stride", "int", (1, 16)),
               ("padding", "Padding", "int", (0, 14)),
               ("activation", "Activation", "choice", ("linear", "relu", "leaky_relu", "tanh", "sigmoid"))),
    "maxpool2d": (("size", "Window", "int", (1, 15)), ("stride", "Stride", "int", (1, 16))),
    "avgpool2d": (("size", "Window", "int", (1, 15)), ("stride", "Stride", "int", (1, 16))),
    "flatten": (),
    "rnn": (("units", "Units", "int", (1, 1024)),
            ("activation", "Activation", "choice", ("tanh", "relu")),
            ("return_sequences", "Return sequences", "bool", None)),
    "dropout": (("rate", "Rate", "float", (0.0, 0.95)),),
}

#: the setting that +/− changes, by layer type
COUNT_KEY = {"dense": "units", "conv2d": "filters", "rnn": "units"}

TITLES = {"dense": "Dense", "conv2d": "Conv 2D", "maxpool2d": "Max pool", "avgpool2d": "Avg pool",
          "flatten": "Flatten", "rnn": "RNN", "dropout": "Dropout"}


def _layers(spec: dict) -> list:
    return spec.get("layers", [])


def default_layer(kind: str, spec: dict, index: int) -> dict:
    """A sensible new layer of ``kind`` to insert at ``index`` in ``spec``."""
    layers = _layers(spec)
    if kind == "dense":
        # the size and activation of the hidden dense layer before, as Playground does
        for layer in reversed(layers[:index]):
            if layer.get("type") == "dense":
                return {"type": "dense", "units": int(layer.get("units", 4)),
                        "activation": layer.get("activation", "tanh")}
        return {"type": "dense", "units": 4, "activation": "tanh"}
    if kind == "conv2d":
        return {"type": "conv2d", "filters": 4, "kernel": 3, "stride": 1, "padding": 1, "activation": "relu"}
    if kind in ("maxpool2d", "avgpool2d"):
        return {"type": kind, "size": 2}
    if kind == "rnn":
        return {"type": "rnn", "units": 8, "activation": "tanh", "return_sequences": False}
    if kind == "dropout":
        return {"type": "dropout", "rate": 0.2}
    return {"type": kind}


def smart_position(spec: dict, kind: str) -> int:
    """Where a new layer of ``kind`` most likely belongs when no layer is selected.

    Image layers go after the last image layer (before any flatten); flatten after the
    last image or sequence layer; an rnn after the last rnn; dense and dropout just
    before the output layer.
    """
    layers = _layers(spec)
    n = len(layers)
    image_kinds = ("conv2d", "maxpool2d", "avgpool2d")
    last_image = max((i for i, l in enumerate(layers) if l.get("type") in image_kinds), default=-1)
    last_rnn = max((i for i, l in enumerate(layers) if l.get("type") == "rnn"), default=-1)
    if kind in image_kinds:
        return last_image + 1
    if kind == "flatten":
        return max(last_image, last_rnn) + 1
    if kind == "rnn":
        return last_rnn + 1
    return max(n - 1, 0)


def insert_layer(spec: dict, kind: str, index: int | None = None) -> dict:
    """A copy of ``spec`` with a new ``kind`` layer at ``index`` (None: ``smart_position``)."""
    out = copy.deepcopy(spec)
    layers = out.setdefault("layers", [])
    if index is None:
        index = smart_position(spec, kind)
    index = max(0, min(int(index), len(layers)))
    layer = default_layer(kind, spec, index)
    if kind == "rnn":
        # an rnn feeding another rnn must hand on its whole sequence
        for before in reversed(layers[:index]):
            if before.get("type") == "rnn":
                before["return_sequences"] = True
                break
        if any(l.get("type") == "rnn" for l in layers[index:]):
            layer["return_sequences"] = True
    layers.insert(index, layer)
    return out


def remove_layer(spec: dict, index: int) -> dict:
    """A copy of ``spec`` without layer ``index``."""
    out = copy.deepcopy(spec)
    del out["layers"][index]
    return out


def change_count(spec: dict, index: int, delta: int) -> dict:
    """A copy with the units (dense, rnn) or filters (conv2d) of layer ``index`` changed by ``delta``."""
    out = copy.deepcopy(spec)
    layer = out["layers"][index]
    key = COUNT_KEY.get(layer.get("type"))
    if key is None:
        return out
    layer[key] = max(1, int(layer.get(key, 1)) + int(delta))
    return out


def replace_layer(spec: dict, index: int, layer: dict) -> dict:
    """A copy with layer ``index`` replaced by ``layer``."""
    out = copy.deepcopy(spec)
    out["layers"][index] = copy.deepcopy(layer)
    return out


def layer_count(layer: dict) -> int | None:
    """The units or filters of a layer, or None for layers without a count."""
    key = COUNT_KEY.get(layer.get("type"))
    return None if key is None else int(layer.get(key, 0))


def layer_summary(layer: dict) -> str:
    """A short line for a layer's header, e.g. 'tanh', '3×3 · relu', '2×2'."""
    kind = layer.get("type")
    if kind == "dense":
        return layer.get("activation", "linear")
    if kind == "conv2d":
        k = layer.get("kernel", 3)
        extra = []
        if layer.get("stride", 1) != 1:
            extra.append(f"s{layer['stride']}")
        if layer.get("padding", 0):
            extra.append(f"p{layer['padding']}")
        return f"{k}×{k}{(' ' + ' '.join(extra)) if extra else ''} {layer.get('activation', 'linear')}"
    if kind in ("maxpool2d", "avgpool2d"):
        s = layer.get("size", 2)
        return f"{s}×{s}"
    if kind == "rnn":
        return layer.get("activation", "tanh") + (" · all steps" if layer.get("return_sequences") else "")
    if kind == "dropout":
        return f"{float(layer.get('rate', 0.5)):g}"
    return ""
