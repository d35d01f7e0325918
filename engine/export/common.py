"""What every network exporter starts from: a checked spec with its parameters as numpy arrays."""

from __future__ import annotations

import numpy as np

from ..errors import shape_str
from ..spec import NetworkSpec
from .files import ExportError


def checked_network(spec, params) -> tuple:
    """(NetworkSpec, {name: float array}) with every parameter present, finite and of the right shape.

    ``spec`` is a NetworkSpec or its dict form; ``params`` maps "0.W"-style names to arrays
    (``Model.params()``); a Model may be given as ``spec`` with ``params`` None.
    """
    if params is None and hasattr(spec, "params") and hasattr(spec, "spec"):
        spec, params = spec.spec, spec.params()
    try:
        spec = spec if isinstance(spec, NetworkSpec) else NetworkSpec.from_dict(spec)
    except ValueError as exc:
        raise ExportError(f"The network cannot be exported: {exc}") from None
    shapes = spec.param_shapes()
    if not isinstance(params, dict):
        raise ExportError("The network cannot be exported: its parameters should be a dict of name -> array.")
    missing = [n for n in shapes if n not in params]
    extra = [n for n in params if n not in shapes]
    if missing or extra:
        raise ExportError(f"The network cannot be exported: the parameters do not match its layers "
                          f"(missing: {', '.join(missing) or 'none'}; unknown: {', '.join(extra) or 'none'}).")
    out = {}
    for name, want in shapes.items():
        a = np.asarray(params[name])
        if a.dtype.kind not in "biuf" or a.shape != tuple(want):
            raise ExportError(f"The network cannot be exported: parameter {name} is {shape_str(a.shape)} "
                              f"{a.dtype} but the layer needs {shape_str(want)} numbers.")
        if not np.all(np.isfinite(a)):
            raise ExportError(f"The network cannot be exported: parameter {name} holds NaN or infinite values; "
                              "reset or retrain the network first.")
        out[name] = a
    return spec, out


def layer_title(spec, i: int) -> str:
    """'layer 2: dense 8 tanh' (1-based, as the canvas counts)."""
    layer = spec.layers[i]
    settings = ", ".join(f"{k}={v}" for k, v in layer.to_dict().items() if k != "type")
    return f"layer {i + 1}: {layer.kind}({settings})"
