"""Exporting what the lab made: networks to PyTorch and ONNX, loss histories and traces to plain files.

Headless (numpy only; ``onnx`` is needed for ONNX and imported only then)::

    from engine.export import export_pytorch, export_onnx, export_history_csv, export_trace
    export_pytorch(model.spec, model.params(), "my_net.py")   # my_net.py + my_net.npz
    export_onnx(model.spec, model.params(), "my_net.onnx")    # needs: pip install onnx
    export_history_csv(history, "loss.csv")
    export_trace(trace_steps, "step.json")                    # step.json + step.npz

Every writer is atomic (temporary file, then rename) and raises ``ExportError`` (a
ValueError) with a sentence when it cannot do its job.
"""

from .files import ExportError
from .records import export_history_csv, export_trace, history_csv, load_trace
from .to_onnx import ONNX_MISSING, build_onnx_model, export_onnx, onnx_available
from .to_pytorch import export_pytorch, pytorch_source, torch_state

__all__ = ["ExportError", "ONNX_MISSING", "build_onnx_model", "export_history_csv", "export_onnx",
           "export_pytorch", "export_trace", "history_csv", "load_trace", "onnx_available", "pytorch_source",
           "torch_state"]
