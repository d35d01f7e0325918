"""Records of a training run as plain files: the loss history as CSV, a step-through trace as JSON + NPZ."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from .files import ExportError, atomic_path, write_text

TRACE_FORMAT = "matrix-network-lab-trace"
TRACE_VERSION = 1
HISTORY_COLUMNS = ("step", "train_loss", "test_loss", "accuracy")


def history_csv(history: dict) -> str:
    """The loss history ({"step", "train_loss", "test_loss", "accuracy"} arrays; accuracy may be None)
    as CSV text with a header; a missing value (no test set yet) is an empty cell."""
    if not isinstance(history, dict) or history.get("step") is None:
        raise ExportError("There is no loss history to export: train the network for a few steps first.")
    columns = [c for c in HISTORY_COLUMNS if history.get(c) is not None]
    arrays = [np.asarray(history[c], dtype=np.float64).reshape(-1) for c in columns]
    n = len(arrays[0])
    if any(len(a) != n for a in arrays):
        raise ExportError("The loss history's columns have different lengths, so it cannot be written as a table.")

    def cell(column: str, v: float) -> str:
        if not math.isfinite(v):
            return ""
        return str(int(v)) if column == "step" and v == int(v) else repr(float(v))

    lines = [",".join(columns)]
    for i in range(n):
        lines.append(",".join(cell(c, a[i]) for c, a in zip(columns, arrays)))
    return "\n".join(lines) + "\n"


def export_history_csv(history: dict, path) -> Path:
    """Write ``history_csv(history)`` to ``path`` atomically; returns the path."""
    path = Path(path)
    write_text(path, history_csv(history))
    return path


def export_trace(steps, path, meta: dict | None = None) -> tuple:
    """Write a step-through trace as ``path`` (.json: every step's phase, layer, op, formula and
    the names, shapes and dtypes of its arrays) and ``<stem>.npz`` beside it (the arrays,
    under the keys the JSON names). ``steps``: ``TraceStep``s (or objects with the same
    fields), in order; ``meta``: JSON-safe extras (the network spec, the step number).
    Returns (json path, npz path)."""
    path = Path(path)
    if path.suffix.lower() != ".json":
        path = path.with_suffix(".json")
    steps = list(steps)
    if not steps:
        raise ExportError("There is no trace to export: open the step inspector and step through a batch first.")
    npz_path = path.with_suffix(".npz")
    arrays = {}
    records = []
    for i, step in enumerate(steps):
        entry = {"index": int(getattr(step, "index", i)), "phase": str(step.phase), "layer": int(step.layer),
                 "layer_name": str(getattr(step, "layer_name", "")), "op": str(step.op),
                 "formula": str(step.formula), "param": getattr(step, "param", None), "arrays": {}}
        for j, (name, value) in enumerate((step.arrays or {}).items()):
            a = np.asarray(value)
            if a.dtype.hasobject or a.dtype.kind not in "biuf":
                raise ExportError(f"Step {i + 1} holds {name!r} of type {a.dtype}, which is not an array of "
                                  "numbers and cannot be exported.")
            key = f"s{i:05d}_{j:02d}"
            arrays[key] = a
            entry["arrays"][str(name)] = {"key": key, "shape": list(a.shape), "dtype": str(a.dtype)}
        records.append(entry)
    doc = {"format": TRACE_FORMAT, "version": TRACE_VERSION, "arrays_file": npz_path.name,
           "meta": meta or {}, "steps": records}
    try:
        text = json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ExportError(f"The trace's details cannot be written as JSON ({exc}).") from None
    with atomic_path(npz_path) as tmp:
        with open(tmp, "wb") as fp:
            np.savez_compressed(fp, **arrays)
    write_text(path, text)
    return path, npz_path


def load_trace(path) -> list:
    """Read an exported trace back: a list of dicts (the JSON's steps) with ``arrays`` holding the numpy arrays."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ExportError(f"{path.name} is not a readable trace ({exc}).") from None
    if not isinstance(doc, dict) or doc.get("format") != TRACE_FORMAT:
        raise ExportError(f"{path.name} is not a Matrix Network Lab trace.")
    npz = path.with_name(Path(str(doc.get("arrays_file", ""))).name)
    out = []
    with np.load(npz, allow_pickle=False) as data:
        for entry in doc["steps"]:
            entry = dict(entry)
            entry["arrays"] = {name: data[info["key"]] for name, info in entry["arrays"].items()}
            out.append(entry)
    return out
