"""Export a network to ONNX (dense, conv2d, max/avg pooling, flatten, RNN, dropout), for any ONNX runtime.

Needs the optional ``onnx`` package (``pip install onnx``, or the project's ``export``
extra: ``pip install 'matrix-network-lab[export]'``); ``onnx_available()`` says whether
it is there and ``ONNX_MISSING`` is the sentence to show when it is not.

The graph takes ``input`` of shape (N, *spec.input), N free, and gives ``output``, the
last layer's activation, as ``Model.forward`` does. Opset 17, always float32, even for a
float64 network: runtimes implement several of these ops (RNN, Conv) in float32 only. Dense is ``Gemm`` (transB: W is (out, in)); conv2d ``Conv`` with
symmetric pads; pools ``MaxPool`` / ``AveragePool``; flatten ``Flatten(axis=1)``;
dropout is left out (inference). The RNN runs as ONNX ``RNN`` on the time-major
layout every runtime supports: the (N, T, F) batch is transposed to (T, N, F), the
lab's single bias b_h becomes Wb with Rb = 0, and the output is the last hidden state
(N, units), or every step's (N, T, units) with return_sequences.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from .common import checked_network
from .files import ExportError, atomic_path

OPSET = 17
#: an IR version every maintained runtime reads (onnx's newest default can be ahead of them)
IR_VERSION = 8
ONNX_MISSING = ("Exporting to ONNX needs the onnx package, which is not installed: run "
                "'pip install onnx' (add onnxruntime to run the file), or install Matrix Network Lab "
                "with its export extra: pip install 'matrix-network-lab[export]'.")

_ACTIVATIONS = {"relu": "Relu", "tanh": "Tanh", "sigmoid": "Sigmoid", "leaky_relu": "LeakyRelu",
                "softmax": "Softmax"}


def onnx_available() -> bool:
    """True when the ``onnx`` package can be imported."""
    try:
        return importlib.util.find_spec("onnx") is not None
    except (ImportError, ValueError):  # a broken or blocked install counts as missing
        return False


class _Graph:
    """The nodes and initialisers of the graph being built (names are unique per layer)."""

    def __init__(self, helper, numpy_helper):
        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes, self.inits = [], []

    def const(self, name: str, array) -> str:
        self.inits.append(self.numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(self, op: str, inputs, name: str, outputs=None, **attrs) -> str:
        outputs = outputs or [name]
        self.nodes.append(self.helper.make_node(op, list(inputs), list(outputs), name=f"{name}_{op}", **attrs))
        return outputs[0]


def build_onnx_model(spec, params=None):
    """The ``onnx.ModelProto`` of a network (``spec`` + ``Model.params()``, or a Model), checked by onnx."""
    try:
        import onnx
        from onnx import TensorProto, helper, numpy_helper
    except ImportError:
        raise ExportError(ONNX_MISSING) from None
    spec, params = checked_network(spec, params)
    dtype = np.dtype(np.float32)
    elem = TensorProto.FLOAT
    g = _Graph(helper, numpy_helper)
    x = "input"
    for i, layer in enumerate(spec.layers):
        tag = f"layer{i + 1}"
        kind = layer.kind
        if kind == "dense":
            w = g.const(f"{tag}.W", params[f"{i}.W"].astype(dtype))
            b = g.const(f"{tag}.b", params[f"{i}.b"].astype(dtype))
            x = g.node("Gemm", [x, w, b], f"{tag}.z", transB=1)
        elif kind == "conv2d":
            w = g.const(f"{tag}.W", params[f"{i}.W"].astype(dtype))
            b = g.const(f"{tag}.b", params[f"{i}.b"].astype(dtype))
            k, p, s = layer.kernel, layer.padding, layer.stride
            x = g.node("Conv", [x, w, b], f"{tag}.z", kernel_shape=[k, k], strides=[s, s], pads=[p, p, p, p])
        elif kind in ("maxpool2d", "avgpool2d"):
            op = "MaxPool" if kind == "maxpool2d" else "AveragePool"
            x = g.node(op, [x], f"{tag}.a", kernel_shape=[layer.size, layer.size],
                       strides=[layer.stride, layer.stride])
        elif kind == "flatten":
            x = g.node("Flatten", [x], f"{tag}.a", axis=1)
        elif kind == "dropout":
            continue  # identity at inference
        elif kind == "rnn":
            x = _rnn(g, x, tag, layer, params, i, dtype)
        else:  # pragma: no cover - every layer type of the spec is handled above
            raise ExportError(f"Layer {i + 1} ({kind}) cannot be exported to ONNX yet.")
        act = layer.activation_name if kind in ("dense", "conv2d") else None
        if act and act != "linear":
            attrs = {"alpha": 0.01} if act == "leaky_relu" else {"axis": 1} if act == "softmax" else {}
            x = g.node(_ACTIVATIONS[act], [x], f"{tag}.a", **attrs)
    g.node("Identity", [x], "output")
    graph = helper.make_graph(
        g.nodes, "matrix_network_lab",
        [helper.make_tensor_value_info("input", elem, ["N", *spec.input])],
        [helper.make_tensor_value_info("output", elem, ["N", *spec.output_shape])],
        initializer=g.inits)
    model = helper.make_model(graph, producer_name="Matrix Network Lab",
                              opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    model.doc_string = (f"Exported from Matrix Network Lab: {len(spec.layers)} layers, loss {spec.loss}; "
                        "output is the last layer's activation.")
    try:
        onnx.checker.check_model(model, full_check=True)
    except Exception as exc:  # onnx's own checker: a failure here is a bug in this exporter
        raise ExportError(f"The ONNX graph failed onnx's checks ({exc}); please report it.") from None
    return model


def _rnn(g: _Graph, x: str, tag: str, layer, params: dict, i: int, dtype) -> str:
    """ONNX RNN nodes for one lab rnn layer on an (N, T, F) input; returns the output's name."""
    units = layer.units
    w = g.const(f"{tag}.W_xh", params[f"{i}.W_xh"].astype(dtype)[None])
    r = g.const(f"{tag}.W_hh", params[f"{i}.W_hh"].astype(dtype)[None])
    # ONNX adds an input bias Wb and a recurrent bias Rb; the lab has one, b_h
    bias = np.concatenate([params[f"{i}.b_h"].astype(dtype), np.zeros(units, dtype)])[None]
    b = g.const(f"{tag}.b", bias)
    # runtimes implement RNN only time-major (layout 0): (N, T, F) -> (T, N, F)
    seq = g.node("Transpose", [x], f"{tag}.x_tnf", perm=[1, 0, 2])
    activation = "Relu" if layer.activation == "relu" else "Tanh"
    h_all, h_last = f"{tag}.h_all", f"{tag}.h_last"
    g.node("RNN", [seq, w, r, b], tag, outputs=[h_all, h_last], hidden_size=units, activations=[activation])
    if layer.return_sequences:
        axes = g.const(f"{tag}.axis1", np.array([1], np.int64))
        squeezed = g.node("Squeeze", [h_all, axes], f"{tag}.h_tnu")         # (T, N, units)
        return g.node("Transpose", [squeezed], f"{tag}.a", perm=[1, 0, 2])  # (N, T, units)
    axes = g.const(f"{tag}.axis0", np.array([0], np.int64))
    return g.node("Squeeze", [h_last, axes], f"{tag}.a")                    # (N, units)


def export_onnx(spec, params, path) -> Path:
    """Write the network to ``path`` (.onnx) atomically and return the path.

    ``spec``: a NetworkSpec, its dict, or a Model (then ``params`` may be None). Raises
    ExportError with a sentence when onnx is missing or the network cannot be written.
    """
    path = Path(path)
    if not path.suffix:
        path = path.with_suffix(".onnx")
    model = build_onnx_model(spec, params)
    with atomic_path(path) as tmp:
        tmp.write_bytes(model.SerializeToString())
    return path
