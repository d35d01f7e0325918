"""The headless CLI: ``mnlab devices`` and ``mnlab train``."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import engine
from engine.cli import main

ROOT = Path(__file__).resolve().parents[2]
SPEC = {"input": [2], "layers": [{"type": "dense", "units": 6, "activation": "tanh"},
                                 {"type": "dense", "units": 1, "activation": "sigmoid"}], "loss": "bce"}


@pytest.fixture
def spec_file(tmp_path):
    path = tmp_path / "net.json"
    path.write_text(json.dumps(SPEC))
    return path


def test_devices(capsys):
    assert main(["devices"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert "name" in lines[0] and "fp64" in lines[0]
    for i, dev in enumerate(engine.devices()):
        row = [line for line in lines[1:] if dev.name in line][0]
        assert row.split()[0 if not row.startswith("*") else 1] == str(i)
        assert (row.startswith("*")) == (dev is engine.current_device())
    assert sum(line.startswith("*  ") for line in lines) == 1


def test_train_writes_csv_and_weights(tmp_path, spec_file, capsys):
    csv_path, npz_path = tmp_path / "m.csv", tmp_path / "w.npz"
    code = main(["train", str(spec_file), "--data", "circle", "--n", "200", "--steps", "60", "--every", "20",
                 "--batch-size", "8", "--optimizer", "momentum", "--lr", "0.05", "--device", "numpy",
                 "--seed", "3", "--csv", str(csv_path), "--save", str(npz_path)])
    out = capsys.readouterr().out
    assert code == 0
    progress = [line for line in out.splitlines() if line.startswith("step")]
    assert len(progress) == 3 and "accuracy" in progress[-1]
    assert "Trained 60 steps" in out
    rows = list(csv.DictReader(csv_path.open()))
    assert [int(r["step"]) for r in rows] == [20, 40, 60]
    assert set(rows[0]) == {"step", "epoch", "train_loss", "test_loss", "accuracy"}
    weights = np.load(npz_path)
    assert sorted(weights.files) == ["0.W", "0.b", "1.W", "1.b"]
    assert weights["0.W"].shape == (6, 2)


def test_train_on_the_default_device(spec_file, capsys):
    assert main(["train", str(spec_file), "--data", "xor", "--steps", "5", "--every", "5"]) == 0
    assert engine.current_device().name in capsys.readouterr().out


@pytest.mark.parametrize("content,words", [
    ("{not json", "not valid JSON"),
    (json.dumps({"input": [2], "layers": [{"type": "dense", "units": 0}]}), "not usable"),
    (json.dumps([1, 2]), "JSON object"),
])
def test_bad_spec_file(tmp_path, capsys, content, words):
    path = tmp_path / "bad.json"
    path.write_text(content)
    assert main(["train", str(path), "--data", "circle", "--device", "numpy"]) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and "Traceback" not in err
    assert len(err.splitlines()) == 1 and err.endswith(".")


@pytest.mark.parametrize("argv,words", [
    (["train", "missing.json", "--data", "circle"], "Could not read"),
    (["train", "{spec}", "--data", "nosuchset", "--device", "numpy"], "nosuchset"),
    (["train", "{spec}", "--data", "digits", "--device", "numpy"], "network takes 2"),
    (["train", "{spec}", "--data", "circle", "--device", "no-such-device"], "No device"),
    (["train", "{spec}", "--data", "circle", "--lr", "-1"], "--lr"),
    (["train", "{spec}", "--data", "circle", "--optimizer", "rmsprop"], "invalid choice"),
    (["train", "{spec}"], "--data"),
    (["fly"], "no command"),
])
def test_bad_usage(spec_file, capsys, argv, words):
    argv = [a.replace("{spec}", str(spec_file)) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_divergence_exit_code(tmp_path, capsys):
    spec = {"input": [1], "layers": [{"type": "dense", "units": 8, "activation": "relu"},
                                     {"type": "dense", "units": 1, "activation": "linear"}], "loss": "mse"}
    path = tmp_path / "reg.json"
    path.write_text(json.dumps(spec))
    code = main(["train", str(path), "--data", "linear", "--n", "200", "--optimizer", "sgd", "--lr", "3",
                 "--steps", "500", "--device", "numpy"])
    assert code == 3
    assert "Training diverged at step" in capsys.readouterr().err


def test_python_m_engine_cli():
    done = subprocess.run([sys.executable, "-m", "engine.cli", "devices"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "numpy" in done.stdout
