"""Export a network to PyTorch: a generated ``.py`` module defining it, plus its weights as ``.npz``.

Making the files needs neither PyTorch nor anything else beyond numpy; using them needs
``torch``. The module is plain, readable PyTorch (``nn.Linear``, ``nn.Conv2d``,
``nn.MaxPool2d``, ``nn.AvgPool2d``, ``nn.Flatten``, ``nn.RNN``, ``nn.Dropout`` and the
activations), one attribute per layer, so it can be edited and trained further. The
weights sit beside it in ``<stem>.npz`` under the module's ``state_dict`` names (a
plain numpy archive: loading it runs no code)::

    from my_net import load_model
    model = load_model()            # reads my_net.npz from beside my_net.py
    y = model(torch.randn(5, 2))    # the output after the last activation, as in the lab

The conventions already match PyTorch's (dense W is (out, in); conv W is (filters, C, k,
k); images are (N, C, H, W)); the lab's RNN has one bias b_h, which becomes
``bias_ih_l0`` with ``bias_hh_l0`` = 0.
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path

import numpy as np

from .common import checked_network, layer_title
from .files import ExportError, atomic_path, write_text

ACTIVATION_MODULES = {
    "linear": None,
    "relu": "nn.ReLU()",
    "leaky_relu": "nn.LeakyReLU(0.01)",
    "tanh": "nn.Tanh()",
    "sigmoid": "nn.Sigmoid()",
    "softmax": "nn.Softmax(dim=1)",
}

_RNN_HELPER = '''

class RecurrentLayer(nn.Module):
    """An Elman RNN over (N, T, F) batches, h_t = f(W_xh·x_t + W_hh·h_(t-1) + b_h), h_0 = 0.

    Gives every step's hidden state (N, T, units) with return_sequences, else the last (N, units).
    """

    def __init__(self, features, units, nonlinearity, return_sequences):
        super().__init__()
        self.rnn = nn.RNN(features, units, nonlinearity=nonlinearity, batch_first=True)
        self.return_sequences = return_sequences

    def forward(self, x):
        out, _ = self.rnn(x)
        return out if self.return_sequences else out[:, -1]
'''


def _class_name(stem: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", stem)
    name = "".join(w[:1].upper() + w[1:] for w in words) or "Network"
    if name[0].isdigit() or keyword.iskeyword(name):
        name = "Net" + name
    return name


def pytorch_source(spec, weights_name: str = "network.npz", class_name: str = "Network") -> str:
    """The text of a Python module defining ``spec`` (a NetworkSpec or its dict) as a
    ``torch.nn.Module`` named ``class_name``, with ``load_model()`` reading ``weights_name``
    from beside the module."""
    spec = _spec_only(spec)
    shapes_in = spec.input_shapes()
    init_lines, forward_lines = [], []
    uses_rnn = False
    for i, layer in enumerate(spec.layers):
        n = i + 1
        shape = shapes_in[i]
        kind = layer.kind
        init_lines.append(f"        # {layer_title(spec, i)}")
        if kind == "dense":
            init_lines.append(f"        self.layer{n} = nn.Linear({shape[0]}, {layer.units})")
        elif kind == "conv2d":
            init_lines.append(f"        self.layer{n} = nn.Conv2d({shape[0]}, {layer.filters}, kernel_size={layer.kernel}, "
                              f"stride={layer.stride}, padding={layer.padding})")
        elif kind in ("maxpool2d", "avgpool2d"):
            cls = "MaxPool2d" if kind == "maxpool2d" else "AvgPool2d"
            init_lines.append(f"        self.layer{n} = nn.{cls}(kernel_size={layer.size}, stride={layer.stride})")
        elif kind == "flatten":
            init_lines.append(f"        self.layer{n} = nn.Flatten()")
        elif kind == "rnn":
            uses_rnn = True
            init_lines.append(f"        self.layer{n} = RecurrentLayer({shape[1]}, {layer.units}, "
                              f"{layer.activation!r}, return_sequences={layer.return_sequences})")
        elif kind == "dropout":
            init_lines.append(f"        self.layer{n} = nn.Dropout(p={layer.rate!r})")
        else:  # pragma: no cover - every layer type of the spec is handled above
            raise ExportError(f"Layer {n} ({kind}) cannot be exported to PyTorch yet.")
        forward_lines.append(f"        x = self.layer{n}(x)")
        act = ACTIVATION_MODULES.get(layer.activation_name) if kind != "rnn" else None
        if act:
            init_lines.append(f"        self.act{n} = {act}")
            forward_lines.append(f"        x = self.act{n}(x)")
    dtype = "torch.float64" if spec.dtype == "float64" else "torch.float32"
    input_shape = ", ".join(str(s) for s in spec.input) + ("," if len(spec.input) == 1 else "")
    lines = [
        f'"""{class_name}: a network exported from Matrix Network Lab.',
        "",
        "    import torch",
        f"    from {Path(weights_name).stem} import load_model",
        "    model = load_model()",
        f"    y = model(torch.zeros(1, {', '.join(str(s) for s in spec.input)}))",
        "",
        "The output is the last layer's activation, as the lab shows it. The loss it was trained with: "
        f"{spec.loss}.",
        '"""',
        "",
        "import os",
        "",
        "import numpy as np",
        "import torch",
        "from torch import nn",
        "",
        "#: one sample's shape (the batch axis comes first)",
        f"INPUT_SHAPE = ({input_shape})",
        f"DTYPE = {dtype}",
        f"WEIGHTS = {weights_name!r}",
    ]
    source = "\n".join(lines) + "\n"
    if uses_rnn:
        source += _RNN_HELPER
    source += "\n\nclass " + class_name + "(nn.Module):\n"
    source += f'    """{len(spec.layers)} layers, {spec.n_params():,} parameters."""\n\n'
    source += "    def __init__(self):\n        super().__init__()\n" + "\n".join(init_lines) + "\n\n"
    source += "    def forward(self, x):\n" + "\n".join(forward_lines) + "\n        return x\n"
    source += f'''

def load_model(weights=None):
    """A {class_name} in eval mode with the exported weights (default: {weights_name} beside this file)."""
    path = weights or os.path.join(os.path.dirname(os.path.abspath(__file__)), WEIGHTS)
    model = {class_name}().to(DTYPE)
    with np.load(path, allow_pickle=False) as saved:
        state = {{key: torch.from_numpy(saved[key]).to(DTYPE) for key in saved.files}}
    model.load_state_dict(state)
    return model.eval()
'''
    return source


def _spec_only(spec):
    from ..spec import NetworkSpec

    try:
        return spec if isinstance(spec, NetworkSpec) else NetworkSpec.from_dict(spec)
    except ValueError as exc:
        raise ExportError(f"The network cannot be exported: {exc}") from None


def torch_state(spec, params) -> dict:
    """The weights under the generated module's ``state_dict`` names ("layer1.weight", ...), as numpy."""
    spec, params = checked_network(spec, params)
    dtype = np.dtype(spec.dtype)
    state = {}
    for i, layer in enumerate(spec.layers):
        n = i + 1
        if layer.kind in ("dense", "conv2d"):
            state[f"layer{n}.weight"] = params[f"{i}.W"].astype(dtype)
            state[f"layer{n}.bias"] = params[f"{i}.b"].astype(dtype)
        elif layer.kind == "rnn":
            state[f"layer{n}.rnn.weight_ih_l0"] = params[f"{i}.W_xh"].astype(dtype)
            state[f"layer{n}.rnn.weight_hh_l0"] = params[f"{i}.W_hh"].astype(dtype)
            state[f"layer{n}.rnn.bias_ih_l0"] = params[f"{i}.b_h"].astype(dtype)
            # torch adds two biases; the lab has one
            state[f"layer{n}.rnn.bias_hh_l0"] = np.zeros_like(params[f"{i}.b_h"], dtype=dtype)
    return state


def export_pytorch(spec, params, path) -> tuple:
    """Write ``path`` (a .py module) and its weights ``<stem>.npz`` beside it; returns both paths.

    ``spec``: a NetworkSpec, its dict, or a Model (then ``params`` may be None);
    ``params``: ``Model.params()``. Raises ExportError with a sentence when the network
    or the files cannot be made.
    """
    path = Path(path)
    if path.suffix != ".py":
        path = path.with_suffix(".py")
    stem = path.stem
    if not stem.isidentifier() or keyword.iskeyword(stem):
        raise ExportError(f"{path.name} cannot be imported in Python: choose a file name made of letters, digits "
                          "and _ that does not start with a digit (for example my_network.py).")
    spec, params = checked_network(spec, params)
    weights = path.with_suffix(".npz")
    source = pytorch_source(spec, weights.name, _class_name(stem))
    state = torch_state(spec, params)
    with atomic_path(weights) as tmp:
        with open(tmp, "wb") as fp:
            np.savez(fp, **state)
    write_text(path, source)
    return path, weights
