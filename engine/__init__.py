"""Matrix Network Lab's headless engine: numpy + OpenCL, never Qt.

Public names (see DESIGN.md): devices, use_device, current_device, linalg,
NetworkSpec, Model, Trainer, datasets, and the errors ShapeError, SingularMatrixError.
Submodules load on first use, so ``import engine`` stays cheap.
"""

from importlib import import_module

from .device import Device, current_device, device_note, devices, use_device
from .errors import (
    DeviceError,
    DivergenceError,
    EngineError,
    NonFiniteError,
    ShapeError,
    SingularMatrixError,
)

_LAZY = {
    "linalg": ("engine.linalg", None),
    "datasets": ("engine.datasets", None),
    "NetworkSpec": ("engine.spec", "NetworkSpec"),
    "Model": ("engine.model", "Model"),
    "Trainer": ("engine.trainer", "Trainer"),
    "TraceStep": ("engine.trace", "TraceStep"),
}

__all__ = [
    "Device", "DeviceError", "DivergenceError", "EngineError", "NonFiniteError",
    "ShapeError", "SingularMatrixError", "current_device", "device_note", "devices",
    "use_device", *_LAZY,
]


def __getattr__(name):
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'engine' has no attribute {name!r}") from None
    module = import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value
