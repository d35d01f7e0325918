"""ONNX export: the file, run in onnxruntime on the same inputs, gives the model's outputs.

Skipped without the optional onnx / onnxruntime packages (the project's ``export`` extra).
"""

import numpy as np
import pytest

import engine
from engine.export import ONNX_MISSING, ExportError, export_onnx
from engine.export import to_onnx

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

NETWORKS = {
    "dense": {"input": [3], "layers": [{"type": "dense", "units": 6, "activation": "leaky_relu"},
                                       {"type": "dense", "units": 4, "activation": "tanh"},
                                       {"type": "dense", "units": 3, "activation": "softmax"}],
              "loss": "softmax_ce"},
    "conv_pool_flatten": {"input": [2, 9, 9], "layers": [
        {"type": "conv2d", "filters": 3, "kernel": 3, "padding": 1, "activation": "relu"},
        {"type": "maxpool2d", "size": 2},
        {"type": "conv2d", "filters": 4, "kernel": 2, "stride": 2, "activation": "sigmoid"},
        {"type": "avgpool2d", "size": 2, "stride": 1},
        {"type": "flatten"}, {"type": "dropout", "rate": 0.25},
        {"type": "dense", "units": 1, "activation": "sigmoid"}], "loss": "bce"},
    "rnn_last": {"input": [6, 2], "layers": [{"type": "rnn", "units": 5},
                                             {"type": "dense", "units": 1}], "loss": "mse"},
    "rnn_stacked_relu": {"input": [5, 3], "layers": [{"type": "rnn", "units": 4, "return_sequences": True},
                                                     {"type": "rnn", "units": 3, "activation": "relu"},
                                                     {"type": "dense", "units": 2, "activation": "sigmoid"}],
                         "loss": "bce"},
    "rnn_sequences_flatten_float64": {"input": [4, 2], "layers": [
        {"type": "rnn", "units": 3, "return_sequences": True}, {"type": "flatten"},
        {"type": "dense", "units": 1}], "loss": "mse", "dtype": "float64"},
}


def numpy_device():
    return [d for d in engine.devices() if d.kind == "numpy"][0]


@pytest.mark.parametrize("name", NETWORKS)
def test_onnxruntime_gives_the_models_outputs(tmp_path, name):
    model = engine.Model(NETWORKS[name], seed=5, device=numpy_device())
    path = export_onnx(model.spec, model.params(), tmp_path / f"{name}.onnx")
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["input"]
    for batch in (1, 9):  # the batch axis is free
        x = np.random.default_rng(batch).standard_normal((batch, *model.spec.input))
        theirs = session.run(["output"], {"input": x.astype(np.float32)})[0]
        ours = model.forward(x.astype(model.dtype))
        assert theirs.shape == ours.shape
        np.testing.assert_allclose(theirs, ours, rtol=5e-5, atol=5e-6)


def test_the_default_suffix_is_onnx(tmp_path):
    model = engine.Model(NETWORKS["dense"], seed=0, device=numpy_device())
    assert export_onnx(model, None, tmp_path / "net").name == "net.onnx"


def test_without_onnx_the_sentence_says_what_to_install(monkeypatch, tmp_path):
    import builtins

    real_import = builtins.__import__

    def no_onnx(name, *args, **kwargs):
        if name == "onnx" or name.startswith("onnx."):
            raise ImportError("No module named 'onnx'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_onnx)
    model = engine.Model(NETWORKS["dense"], seed=0, device=numpy_device())
    with pytest.raises(ExportError) as info:
        to_onnx.export_onnx(model, None, tmp_path / "net.onnx")
    assert str(info.value) == ONNX_MISSING and "pip install onnx" in ONNX_MISSING
    assert list(tmp_path.iterdir()) == []
