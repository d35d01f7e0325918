"""The layer base class, activation helpers and the tracer plumbing shared by all layers.

A layer is built from its LayerSpec and runs on any backend: ``forward`` computes its
output and keeps only what ``backward`` needs; ``backward`` turns ∂J/∂(output) into the
parameter gradients (written in place into ``grads``, so the Trainer may hold on to
them) and ∂J/∂(input). Forward and backward sit side by side in each module, micrograd
style. With a tracer, each operation is reported with its formula and numpy copies of
its arrays (the only place layers read data back to the host).
"""

from __future__ import annotations

import numpy as np

LEAKY_SLOPE = 0.01  # leaky_relu's slope for z < 0 (as torch.nn.LeakyReLU's default)

_SUP = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")

ACTIVATION_SYMBOLS = {
    "linear": "",  # a = z
    "relu": "ReLU",
    "leaky_relu": "LeakyReLU",
    "tanh": "tanh",
    "sigmoid": "σ",
    "softmax": "softmax",
}


def sup(n: int) -> str:
    """A layer number as a superscript in parentheses: 2 -> '⁽²⁾'."""
    return "⁽" + str(n).translate(_SUP) + "⁾"


def activation_formula(kind: str, a: str, z: str) -> str:
    """'a⁽¹⁾ = tanh(z⁽¹⁾)' style text."""
    sym = ACTIVATION_SYMBOLS[kind]
    return f"{a} = {sym}({z})" if sym else f"{a} = {z}"


def apply_activation(be, kind: str, z):
    """f(z); the identity returns z itself (no copy)."""
    if kind == "linear":
        return z
    return be.activation(kind, z, LEAKY_SLOPE)


def activation_grad(be, kind: str, z, a, da):
    """∂J/∂z from ∂J/∂a; the identity passes da through (no copy)."""
    if kind == "linear":
        return da
    return be.activation_backward(kind, z, a, da, LEAKY_SLOPE)


class Layer:
    """One layer of a Model: parameters, gradients and saved activations on one backend.

    Attributes: ``spec`` (its LayerSpec), ``index`` (0-based position in the network),
    ``kind``, ``name``, ``in_shape`` / ``out_shape`` (per sample), ``params`` and
    ``grads`` (local name -> backend array, e.g. "W"), ``z`` (the pre-activation of the
    last forward pass, or None), ``penalties`` (1-element arrays from the last backward).
    """

    def __init__(self, spec, index: int, in_shape: tuple, out_shape: tuple, backend, regularization):
        self.spec = spec
        self.kind = spec.kind
        self.name = spec.kind
        self.index = index
        self.in_shape = tuple(in_shape)
        self.out_shape = tuple(out_shape)
        self.backend = backend
        self.reg = regularization
        self.params: dict = {}
        self.grads: dict = {}
        self.z = None
        self.out = None
        self.penalties: list = []
        # symbols for formulas: layers count from 1, the network input is a⁽⁰⁾
        self.S = sup(index + 1)
        self.P = sup(index)

    @property
    def param_names(self) -> tuple:
        """Local parameter names in order, e.g. ("W", "b")."""
        return tuple(self.spec.param_names)

    @property
    def weight_names(self) -> tuple:
        """The parameters that are regularised (weights, not biases)."""
        return tuple(self.spec.weight_names)

    def allocate(self, shapes: dict) -> None:
        """Zeroed parameter and gradient arrays for ``shapes`` (local name -> shape)."""
        be = self.backend
        for name, shape in shapes.items():
            self.params[name] = be.zeros(shape)
            self.grads[name] = be.zeros(shape)

    # ------------------------------------------------------------ interface
    def forward(self, be, x, training: bool = False, tracer=None):
        """The layer's output for a batch ``x`` (backend array of shape (N, *in_shape))."""
        raise NotImplementedError

    def backward(self, be, dout, tracer=None, *, wrt_z: bool = False, need_dx: bool = True):
        """Fill ``grads`` from dout = ∂J/∂output and return ∂J/∂input (None if not need_dx).

        ``wrt_z``: dout is already ∂J/∂z (a fused softmax/sigmoid loss gave it), so the
        activation's derivative is skipped.
        """
        raise NotImplementedError

    def release(self) -> None:
        """Drop the arrays saved for backward (frees device memory between passes)."""
        self.z = None
        self.out = None

    # ------------------------------------------------------------ helpers
    def _emit(self, tracer, phase: str, op: str, formula: str, arrays: dict) -> None:
        """Report one operation; arrays are read back to the host only here."""
        if tracer is None:
            return
        be = self.backend
        host = {}
        for key, value in arrays.items():
            if value is None:
                continue
            if isinstance(value, (np.ndarray, np.generic, int, float)):
                # host values (and numpy-backend arrays, which later ops may change in place)
                host[key] = np.array(value, copy=True)
            else:
                host[key] = be.to_numpy(value)
        tracer(phase, self.index, self.name, op, formula, host)

    def _regularize(self, be, name: str) -> None:
        """Add the penalty's gradient to grads[name] (weights only) and keep the penalty."""
        if self.reg.active:
            self.penalties.append(be.regularize(self.reg.type, self.params[name], self.grads[name], self.reg.rate))

    def _reg_term(self, symbol: str) -> str:
        """The regularisation part of a weight-gradient formula, e.g. ' + λ·W⁽¹⁾'."""
        if not self.reg.active:
            return ""
        return f" + λ·{symbol}" if self.reg.type == "l2" else f" + λ·sign({symbol})"

    def _store(self, be, name: str, value) -> None:
        """grads[name][...] = value, keeping the gradient array itself (the Trainer holds it)."""
        be.copy_into(self.grads[name], value)

    def _activate(self, be, z, tracer):
        """a = f(z) with the layer's ``activation``, traced as the "activation" step."""
        a = apply_activation(be, self.activation, z)
        self._emit(tracer, "forward", "activation", activation_formula(self.activation, f"a{self.S}", f"z{self.S}"),
                   {"z": z, "a": a})
        return a

    def _delta(self, be, dout, tracer, wrt_z: bool):
        """δ = ∂J/∂z from dout, traced as the "activation'" step: dout itself when ``wrt_z``
        (the loss gave ∂J/∂z), else ∂J/∂a ⊙ f′(z) with the z and a of the last forward pass."""
        S = self.S
        if wrt_z:
            self._emit(tracer, "backward", "activation'", f"δ{S} = ∂J/∂z{S} (from the loss)",
                       {"a": self.out, "delta": dout})
            return dout
        dz = activation_grad(be, self.activation, self.z, self.out, dout)
        self._emit(tracer, "backward", "activation'", f"δ{S} = ∂J/∂a{S} ⊙ f′(z{S})",
                   {"da": dout, "z": self.z, "delta": dz})
        return dz

    def _output(self, tracer, op: str, formula: str, x, y, **arrays):
        """Trace the forward step ``op`` from a_prev = x to a = y (``arrays`` shown between
        them), keep y as the layer's output and return it."""
        self._emit(tracer, "forward", op, formula, {"a_prev": x, **arrays, "a": y})
        self.out = y
        return y


class ParameterFreeLayer(Layer):
    """A layer with no parameters and no activation (flatten, pooling, dropout): its
    backward is only ∂J/∂input, which subclasses give in ``_input_grad``."""

    def backward(self, be, dout, tracer=None, *, wrt_z: bool = False, need_dx: bool = True):
        self.penalties = []
        if not need_dx:
            return None
        dx, formula, arrays = self._input_grad(be, dout)
        self._emit(tracer, "backward", "∂a_prev", formula, {"da": dout, **arrays, "da_prev": dx})
        return dx

    def _input_grad(self, be, dout) -> tuple:
        """(∂J/∂input, its formula, the arrays to show between da and da_prev)."""
        raise NotImplementedError
