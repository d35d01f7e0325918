"""PyTorch export: the generated module, loaded in torch with the exported weights, gives the model's outputs."""

import importlib.util

import numpy as np
import pytest

import engine
from engine.export import ExportError, export_pytorch, pytorch_source

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

NETWORKS = {
    "dense": {"input": [3], "layers": [{"type": "dense", "units": 6, "activation": "leaky_relu"},
                                       {"type": "dense", "units": 4, "activation": "relu"},
                                       {"type": "dense", "units": 3, "activation": "softmax"}],
              "loss": "softmax_ce"},
    "conv": {"input": [2, 9, 9], "layers": [
        {"type": "conv2d", "filters": 3, "kernel": 3, "padding": 1, "activation": "relu"},
        {"type": "maxpool2d", "size": 2},
        {"type": "conv2d", "filters": 4, "kernel": 2, "stride": 2, "activation": "tanh"},
        {"type": "avgpool2d", "size": 2, "stride": 1},
        {"type": "flatten"}, {"type": "dropout", "rate": 0.25},
        {"type": "dense", "units": 1, "activation": "sigmoid"}], "loss": "bce"},
    "rnn": {"input": [6, 2], "layers": [{"type": "rnn", "units": 5, "return_sequences": True},
                                        {"type": "rnn", "units": 3, "activation": "relu"},
                                        {"type": "dense", "units": 1}], "loss": "mse"},
    "rnn_seq_float64": {"input": [4, 3], "layers": [{"type": "rnn", "units": 4, "return_sequences": True},
                                                    {"type": "flatten"}, {"type": "dense", "units": 2}],
                        "loss": "mse", "dtype": "float64"},
}


def numpy_device():
    return [d for d in engine.devices() if d.kind == "numpy"][0]


def import_module(path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", NETWORKS)
def test_the_exported_module_matches_the_model(tmp_path, name):
    model = engine.Model(NETWORKS[name], seed=7, device=numpy_device())
    py, weights = export_pytorch(model.spec, model.params(), tmp_path / f"{name}_net.py")
    assert py.exists() and weights.exists() and weights.suffix == ".npz"
    module = import_module(py)
    net = module.load_model()
    assert not net.training
    x = np.random.default_rng(2).standard_normal((7, *model.spec.input)).astype(model.dtype)
    with torch.no_grad():
        theirs = net(torch.from_numpy(x)).numpy()
    ours = model.forward(x)
    assert theirs.shape == ours.shape
    tol = 1e-10 if model.dtype == np.float64 else 2e-5
    np.testing.assert_allclose(theirs, ours, rtol=tol, atol=tol)
    assert sum(p.numel() for p in net.parameters()) >= model.n_params


def test_a_trained_model_exports_its_trained_weights(tmp_path):
    model = engine.Model(NETWORKS["dense"], seed=0, device=numpy_device())
    x = np.random.default_rng(0).standard_normal((60, 3)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 0)
    trainer = engine.Trainer(model, (x, y), optimizer={"type": "adam", "lr": 0.05}, batch_size=10)
    trainer.step(20)
    py, _ = export_pytorch(model, None, tmp_path / "trained.py")
    net = import_module(py).load_model()
    x = np.random.default_rng(3).standard_normal((5, 3)).astype(np.float32)
    with torch.no_grad():
        np.testing.assert_allclose(net(torch.from_numpy(x)).numpy(), model.forward(x), rtol=2e-5, atol=2e-5)


def test_the_source_is_readable_python_with_one_attribute_per_layer():
    src = pytorch_source(NETWORKS["conv"], "conv_net.npz", "ConvNet")
    compile(src, "conv_net.py", "exec")
    assert "class ConvNet(nn.Module)" in src
    assert "nn.Conv2d(2, 3, kernel_size=3, stride=1, padding=1)" in src
    assert "nn.MaxPool2d(kernel_size=2, stride=2)" in src and "nn.AvgPool2d(kernel_size=2, stride=1)" in src
    assert "allow_pickle=False" in src


@pytest.mark.parametrize("params, words", [
    ({"0.W": np.zeros((6, 3))}, "missing"),
    (None, "parameter 0.W is 2×2"),
])
def test_wrong_weights_are_refused_with_a_sentence(tmp_path, params, words):
    model = engine.Model(NETWORKS["dense"], seed=0, device=numpy_device())
    if params is None:
        params = model.params()
        params["0.W"] = np.zeros((2, 2))
    with pytest.raises(ExportError, match=words):
        export_pytorch(model.spec, params, tmp_path / "x.py")
    assert list(tmp_path.iterdir()) == []


def test_a_file_name_python_cannot_import_is_refused(tmp_path):
    model = engine.Model(NETWORKS["dense"], seed=0, device=numpy_device())
    with pytest.raises(ExportError, match="cannot be imported"):
        export_pytorch(model, None, tmp_path / "my-net.py")
