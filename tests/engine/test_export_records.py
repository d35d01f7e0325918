"""Loss history to CSV and a step-through trace to JSON + NPZ, read back."""

import csv
import json

import numpy as np
import pytest

import engine
from engine.export import ExportError, export_history_csv, export_trace, history_csv, load_trace


def test_history_csv_has_a_header_and_empty_cells_for_missing_values(tmp_path):
    history = {"step": np.array([10.0, 20.0, 30.0]), "train_loss": np.array([0.9, 0.5, 0.25]),
               "test_loss": np.array([np.nan, 0.6, 0.3]), "accuracy": np.array([np.nan, 0.5, 0.75])}
    path = export_history_csv(history, tmp_path / "loss.csv")
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["step", "train_loss", "test_loss", "accuracy"]
    assert rows[1] == ["10", "0.9", "", ""]
    assert [float(v) for v in rows[3]] == [30, 0.25, 0.3, 0.75]


def test_history_without_accuracy_leaves_the_column_out():
    text = history_csv({"step": [1, 2], "train_loss": [1.0, 0.5], "test_loss": [1.1, 0.6], "accuracy": None})
    assert text.splitlines()[0] == "step,train_loss,test_loss"


def test_no_history_is_a_sentence():
    with pytest.raises(ExportError, match="train the network"):
        history_csv({})


def test_a_trace_round_trips_through_json_and_npz(tmp_path):
    dev = [d for d in engine.devices() if d.kind == "numpy"][0]
    model = engine.Model({"input": [2], "layers": [{"type": "dense", "units": 3, "activation": "tanh"},
                                                   {"type": "dense", "units": 1, "activation": "sigmoid"}],
                          "loss": "bce"}, seed=0, device=dev)
    data = engine.datasets.load("xor", n=40, seed=0)
    trainer = engine.Trainer(model, data, batch_size=4)
    steps = list(trainer.trace())
    json_path, npz_path = export_trace(steps, tmp_path / "step.json", meta={"spec": model.spec.to_dict()})
    assert npz_path == tmp_path / "step.npz"
    doc = json.loads(json_path.read_text(encoding="utf-8"))
    assert doc["format"] == "matrix-network-lab-trace" and len(doc["steps"]) == len(steps)
    assert [s["phase"] for s in doc["steps"]] == [s.phase for s in steps]
    back = load_trace(json_path)
    for original, entry in zip(steps, back):
        assert entry["formula"] == original.formula and entry["op"] == original.op
        assert set(entry["arrays"]) == set(original.arrays)
        for name, value in original.arrays.items():
            np.testing.assert_array_equal(entry["arrays"][name], np.asarray(value))


def test_an_empty_trace_is_a_sentence(tmp_path):
    with pytest.raises(ExportError, match="step inspector"):
        export_trace([], tmp_path / "t.json")
