"""``Model``: a NetworkSpec built on one device, with forward, loss and gradients.

Two faces (see DESIGN.md and the Model/Trainer contract):

* numpy in, numpy out for scripts, tests and the GUI: ``params``, ``set_params``,
  ``forward``, ``loss_and_grads``, ``evaluate``;
* device-level for the Trainer's hot loop, with no host synchronisation inside:
  ``param_arrays`` / ``grad_arrays`` (live backend arrays, filled in place),
  ``prepare_batch``, ``forward_backward`` (returns the loss as a 1-element device
  array), ``forward_device``.

With a tracer, ``forward_backward`` reports every operation in execution order:
phase "forward" layer by layer, then "loss", then "backward" from the last layer to the
first. The "update" phase belongs to the Trainer.
"""

from __future__ import annotations

import math

import numpy as np

from .device import current_device, devices
from .errors import DeviceError, NonFiniteError, ShapeError, shape_str
from .init import init_params
from .layers import DenseLayer, RNNLayer, build_layer
from .layers.dropout import DropoutLayer
from .spec import NetworkSpec

LOSS_FORMULAS = {
    "mse": "J = mean over all outputs of (a⁽ᴸ⁾ − y)²",
    "bce": "J = −mean(y·log a⁽ᴸ⁾ + (1 − y)·log(1 − a⁽ᴸ⁾)),  a⁽ᴸ⁾ = σ(z⁽ᴸ⁾)",
    "softmax_ce": "J = −(1/N) Σₙ log a⁽ᴸ⁾[yₙ],  a⁽ᴸ⁾ = softmax(z⁽ᴸ⁾)",
}
LOSS_GRAD_FORMULAS = {
    "mse": "∂J/∂a⁽ᴸ⁾ = 2(a⁽ᴸ⁾ − y) / size",
    "bce": "∂J/∂z⁽ᴸ⁾ = (σ(z⁽ᴸ⁾) − y) / size",
    "softmax_ce": "∂J/∂z⁽ᴸ⁾ = (softmax(z⁽ᴸ⁾) − onehot(y)) / N",
}
PENALTY_FORMULAS = {"l2": " + λ·½ Σ w²", "l1": " + λ·Σ |w|"}


def _resolve_device(device):
    """A Device from None (the current one), a Device, a name (or part of one) or an index."""
    if device is None:
        return current_device()
    if hasattr(device, "backend") and hasattr(device, "fp64"):
        return device
    listed = devices(include_simulators=True)
    if isinstance(device, (int, np.integer)) and not isinstance(device, bool):
        visible = devices()
        if 0 <= int(device) < len(visible):
            return visible[int(device)]
        raise DeviceError(f"There is no device number {int(device)}: choose 0 to {len(visible) - 1}.")
    text = str(device).strip()
    match = [d for d in listed if d.name == text] or [
        d for d in listed if text.lower() in (d.name + " " + d.platform).lower()]
    if not match:
        names = ", ".join(repr(d.name) for d in devices())
        raise DeviceError(f"No device is called {text!r}. The devices here are: {names}.")
    return match[0]


class Model:
    """A network built from a spec on one device, in one dtype.

    ``Model(spec, seed=0, device=None, dtype=None)``: spec is a NetworkSpec or its dict
    form; device None means ``engine.current_device()`` (a Device, name or index also
    work); dtype None means the spec's dtype (float32 unless it says float64). The seed
    fixes the initial parameters (``engine.init``) and ``model.rng``, the Generator that
    draws dropout masks on the host.
    """

    def __init__(self, spec, seed: int = 0, device=None, dtype=None):
        self.spec = spec if isinstance(spec, NetworkSpec) else NetworkSpec.from_dict(spec)
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"The seed should be a whole number of 0 or more, not {seed!r}.")
        self.seed = int(seed)
        self.device = _resolve_device(device)
        self.dtype = np.dtype(self.spec.dtype if dtype is None else dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"A model computes in float32 or float64, not {self.dtype}.")
        if self.dtype == np.float64 and not self.device.fp64:
            raise DeviceError(
                f"This network asks for float64, but {self.device.name} has no double precision "
                "(cl_khr_fp64): set the dtype to float32, or choose a device with fp64 "
                "(the numpy reference always has it).")
        self.backend = self.device.backend(self.dtype)
        self._rng = np.random.default_rng([self.seed, 1])  # apart from the init stream
        self.layers = []
        shapes_in = self.spec.input_shapes()
        shapes_out = self.spec.shapes()
        for i, layer_spec in enumerate(self.spec.layers):
            self.layers.append(build_layer(layer_spec, i, shapes_in[i], shapes_out[i], self.backend,
                                           self.spec.regularization, rng=self._rng))
        self.param_arrays: dict = {}
        self.grad_arrays: dict = {}
        for layer in self.layers:
            for name in layer.param_names:
                self.param_arrays[f"{layer.index}.{name}"] = layer.params[name]
                self.grad_arrays[f"{layer.index}.{name}"] = layer.grads[name]
        self.set_params(init_params(self.spec, self.seed, self.dtype))

    def __repr__(self) -> str:
        return (f"<Model {len(self.layers)} layers, {self.n_params} parameters, "
                f"{self.spec.loss} on {self.device.name} {self.dtype.name}>")

    # ------------------------------------------------------------ properties
    @property
    def rng(self) -> np.random.Generator:
        """The Generator dropout masks are drawn from (save/restore ``rng.bit_generator.state``)."""
        return self._rng

    @rng.setter
    def rng(self, value: np.random.Generator) -> None:
        self._rng = value
        for layer in self.layers:
            if isinstance(layer, DropoutLayer):
                layer.rng = value

    @property
    def is_classifier(self) -> bool:
        """True for bce (binary) and softmax_ce (multiclass) networks."""
        return self.spec.loss in ("bce", "softmax_ce")

    @property
    def output_shape(self) -> tuple:
        """Per-sample shape of the output."""
        return self.spec.output_shape

    @property
    def n_outputs(self) -> int:
        """Number of output values per sample (classes for softmax_ce)."""
        return math.prod(self.output_shape)

    @property
    def n_params(self) -> int:
        """Total number of trainable numbers."""
        return self.spec.n_params()

    @property
    def has_dropout(self) -> bool:
        """True when training draws dropout masks (so it consumes ``rng``)."""
        return any(isinstance(layer, DropoutLayer) and layer.rate > 0 for layer in self.layers)

    # ------------------------------------------------------------ parameters
    def params(self) -> dict:
        """Copies of every parameter by name ("0.W", "0.b", ...), ordered by layer then W, b."""
        return {name: self.backend.to_numpy(arr) for name, arr in self.param_arrays.items()}

    def set_params(self, d: dict) -> None:
        """Overwrite parameters from name -> array (some or all; the live arrays are kept)."""
        if not isinstance(d, dict):
            raise TypeError(f"set_params takes a dict of name -> array, not {type(d).__name__}.")
        staged = {}
        for name, value in d.items():
            if name not in self.param_arrays:
                raise ShapeError(f"This network has no parameter {name!r}: its parameters are "
                                 f"{', '.join(self.param_arrays)}.")
            arr = np.asarray(value)
            want = self.param_arrays[name].shape
            if arr.shape != want:
                raise ShapeError(f"Parameter {name!r} should be {shape_str(want)} but the new value is "
                                 f"{shape_str(arr.shape)}: the layer's settings and the values disagree.")
            if not np.issubdtype(arr.dtype, np.number) or not np.all(np.isfinite(arr)):
                raise NonFiniteError(f"Parameter {name!r} holds values that are not finite numbers: "
                                     "every value must be a finite number.")
            staged[name] = arr
        be = self.backend
        for name, arr in staged.items():
            be.copy_into(self.param_arrays[name], be.asarray(arr))

    # ------------------------------------------------------------ batches
    def _check_x(self, x) -> np.ndarray:
        x = np.asarray(x)
        want = self.spec.input
        if x.ndim != len(want) + 1 or tuple(x.shape[1:]) != tuple(want):
            if len(want) == 1:
                per = f"{want[0]} features"
            elif len(want) == 2:
                per = f"sequences of {want[0]} steps × {want[1]} features"
            else:
                per = f"{want[0]}×{want[1]}×{want[2]} images"
            raise ShapeError(f"The input batch is {shape_str(x.shape)} but this network takes {per} per sample: "
                             f"give an array of shape (N, {', '.join(str(s) for s in want)}).")
        if x.shape[0] == 0:
            raise ShapeError("The input batch is empty: give at least one sample.")
        if not np.issubdtype(x.dtype, np.number) or not np.all(np.isfinite(x)):
            raise NonFiniteError("The input batch holds NaN, infinity or non-numbers: clean the data first.")
        return x

    def _check_y(self, y, n: int) -> np.ndarray:
        y = np.asarray(y)
        if y.shape[:1] != (n,):
            raise ShapeError(f"The batch has {n} inputs but {y.shape[0] if y.ndim else 0} targets: "
                             "give one target per sample.")
        if not np.issubdtype(y.dtype, np.number) or not np.all(np.isfinite(y)):
            raise NonFiniteError("The targets hold NaN, infinity or non-numbers: clean the data first.")
        if self.spec.loss == "softmax_ce":
            k = self.n_outputs
            if y.ndim == 2 and y.shape[1] == 1:
                y = y[:, 0]
            if y.ndim != 1:
                raise ShapeError(f"softmax_ce needs one class index per sample, shape (N,), not {shape_str(y.shape)}.")
            if np.any(y != np.round(y)) or y.min() < 0 or y.max() >= k:
                raise ShapeError(f"softmax_ce needs class indices 0 to {k - 1} (this network has {k} outputs), "
                                 f"but the targets run from {y.min():g} to {y.max():g}.")
            return y.astype(np.int32)
        out = self.output_shape
        if y.size != n * math.prod(out):
            raise ShapeError(f"The targets are {shape_str(y.shape)} but the network gives {shape_str(out)} per "
                             f"sample: give targets of shape (N, {', '.join(str(s) for s in out)}).")
        return y.reshape((n,) + tuple(out))

    def prepare_batch(self, x: np.ndarray, y: np.ndarray | None = None) -> tuple:
        """Check and upload a batch: (x_dev, y_dev); y_dev is None without y.

        y becomes int32 labels (N,) for softmax_ce, otherwise a float array (N, *output_shape).
        """
        be = self.backend
        x = self._check_x(x)
        x_dev = be.asarray(x)
        if y is None:
            return x_dev, None
        y = self._check_y(y, x.shape[0])
        y_dev = be.asarray(y, np.int32) if self.spec.loss == "softmax_ce" else be.asarray(y)
        return x_dev, y_dev

    # ------------------------------------------------------------ passes
    def forward_device(self, x_dev, training: bool = False):
        """The output (after the last activation) of an uploaded batch, as a backend array."""
        a = x_dev
        for layer in self.layers:
            a = layer.forward(self.backend, a, training, None)
        self._release()
        return a

    def _release(self) -> None:
        for layer in self.layers:
            layer.release()

    def _data_loss(self, a, y_dev):
        """(loss, gradient, wrt_z): fused logit losses give ∂J/∂z, mse gives ∂J/∂a."""
        be = self.backend
        loss = self.spec.loss
        if loss == "softmax_ce":
            value, grad = be.softmax_ce_loss_logits(self.layers[-1].z, y_dev)
            return value, grad, True
        if loss == "bce":
            value, grad = be.bce_loss_logits(self.layers[-1].z, y_dev)
            return value, grad, True
        value, grad = be.mse_loss(a, y_dev)
        return value, grad, False

    def forward_backward(self, x_dev, y_dev, tracer=None, training: bool = True):
        """One pass forward and back: fills ``grad_arrays`` and returns the loss (1-element
        backend array: the mean data loss plus the regularisation penalties)."""
        be = self.backend
        a = self._forward_for_loss(x_dev, training, tracer)
        loss, grad, wrt_z = self._data_loss(a, y_dev)
        if tracer is not None:
            self._trace_loss(tracer, a, y_dev, loss, grad)
        last = len(self.layers) - 1
        first_needed = self._first_needed()
        for layer in reversed(self.layers):
            if layer.index < first_needed:
                break
            grad = layer.backward(be, grad, tracer, wrt_z=wrt_z and layer.index == last,
                                  need_dx=layer.index > first_needed)
        total = loss
        for layer in self.layers:
            for penalty in layer.penalties:
                total = be.add(total, penalty)
        self._release()
        return total

    def loss_device(self, x_dev, y_dev, training: bool = False):
        """The loss (1-element backend array, penalties included) without touching ``grad_arrays``.

        For test losses: one forward pass, no backward.
        """
        be = self.backend
        a = self._forward_for_loss(x_dev, training, None)
        total, _, _ = self._data_loss(a, y_dev)
        total = be.add(total, self.penalty_device()) if self.spec.regularization.active else total
        self._release()
        return total

    def penalty_device(self):
        """The regularisation penalty of the current weights as a 1-element backend array (0 if none)."""
        be = self.backend
        reg = self.spec.regularization
        total = be.zeros((1,))
        if not reg.active:
            return total
        for layer in self.layers:
            for name in layer.weight_names:
                w = layer.params[name]
                # regularize also adds the penalty's gradient: give it scratch space
                total = be.add(total, be.regularize(reg.type, w, be.zeros(w.shape), reg.rate))
        return total

    def _forward_for_loss(self, x_dev, training: bool, tracer):
        """The forward pass the loss needs. The logit losses (softmax_ce, bce) read the last
        layer's z, so untraced the last dense layer stops there (its softmax or sigmoid
        would go unused; its ``out`` is then None); returns the last output (or z)."""
        be = self.backend
        a = x_dev
        last = self.layers[-1]
        logits = tracer is None and self.spec.loss in ("softmax_ce", "bce") and isinstance(last, DenseLayer)
        for layer in self.layers[:-1] if logits else self.layers:
            a = layer.forward(be, a, training, tracer)
        return last.forward_logits(be, a) if logits else a

    def _first_needed(self) -> int:
        """Index of the first layer with parameters: nothing before it needs a gradient."""
        for layer in self.layers:
            if layer.param_names:
                return layer.index
        return len(self.layers)  # no parameters at all (excluded by the spec's layers)

    def _trace_loss(self, tracer, a, y_dev, loss, grad) -> None:
        """Report the loss phase; reads back values and computes display-only extras on the host."""
        be = self.backend
        kind = self.spec.loss
        y = be.to_numpy(y_dev)
        data_loss = float(be.to_numpy(loss)[0])
        reg = self.spec.regularization
        # the penalty proper is added during backward; computing it here too lets the
        # trace show the whole loss before the backward phase starts
        penalty = float(be.to_numpy(self.penalty_device())[0]) if reg.active else 0.0
        out = be.to_numpy(a)
        per_sample = self._per_sample_loss(out, y)
        formula = LOSS_FORMULAS[kind] + (PENALTY_FORMULAS[reg.type] if reg.active else "")
        formula += ";  " + LOSS_GRAD_FORMULAS[kind]
        arrays = {"output": out, "target": y}
        if self.spec.loss != "mse":
            arrays["logits"] = be.to_numpy(self.layers[-1].z)
        arrays.update({
            "per_sample": per_sample,
            "data_loss": np.array(data_loss),
            "penalty": np.array(penalty),
            "loss": np.array(data_loss + penalty),
            "grad": be.to_numpy(grad),
        })
        tracer("loss", -1, "loss", kind, formula, arrays)

    def _per_sample_loss(self, out: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Each sample's loss, for display in a trace (host numpy on read-back copies)."""
        n = out.shape[0]
        kind = self.spec.loss
        if kind == "mse":
            return ((out - y) ** 2).reshape(n, -1).mean(axis=1)
        z = self.backend.to_numpy(self.layers[-1].z).astype(np.float64)
        if kind == "bce":
            per = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
            return per.reshape(n, -1).mean(axis=1)
        zmax = z.max(axis=1, keepdims=True)
        lse = zmax[:, 0] + np.log(np.exp(z - zmax).sum(axis=1))
        return lse - z[np.arange(n), y.astype(np.int64)]

    # ------------------------------------------------------------ numpy face
    def forward(self, x: np.ndarray) -> np.ndarray:
        """The output after the last activation for a batch (inference: no dropout)."""
        x_dev, _ = self.prepare_batch(x)
        return self.backend.to_numpy(self.forward_device(x_dev, training=False))

    def loss_and_grads(self, x, y, training: bool = True) -> tuple:
        """(loss, {name: gradient}) for a batch; the loss includes regularisation.

        ``training=True`` (the gradient a training step uses) draws dropout masks from ``rng``.
        """
        x_dev, y_dev = self.prepare_batch(x, y)
        loss = self.forward_backward(x_dev, y_dev, None, training)
        grads = {name: self.backend.to_numpy(g) for name, g in self.grad_arrays.items()}
        return float(self.backend.to_numpy(loss)[0]), grads

    def loss(self, x, y) -> float:
        """The loss of a batch in inference mode (no dropout), regularisation included."""
        x_dev, y_dev = self.prepare_batch(x, y)
        return float(self.backend.to_numpy(self.loss_device(x_dev, y_dev))[0])

    def evaluate(self, x: np.ndarray, preactivations: bool = True) -> dict:
        """Every layer's output for a batch, in one inference pass.

        Returns {"output": (N, *out), "activations": [per layer (N, *layer_out)],
        "preactivations": [z per layer, None for layers without one (pool, flatten,
        dropout, rnn)], "hidden_states": {layer index: (N, T, units)} for rnn layers}.
        ``preactivations=False`` skips reading z back (the list is all None then).

        Small dense networks on OpenCL run it as one kernel and one read-back
        (engine.fused.FusedForward), e.g. a 100×100 decision-boundary grid.
        """
        be = self.backend
        x_dev, _ = self.prepare_batch(x)
        fused = self._fused_forward()
        if fused is not None:
            acts, pres = fused.run(x_dev, preactivations)
            if pres is None:
                pres = [None] * len(acts)
            return {"output": acts[-1], "activations": acts, "preactivations": pres, "hidden_states": {}}
        a = x_dev
        acts, pres, hidden = [], [], {}
        for layer in self.layers:
            a = layer.forward(be, a, False, None)
            acts.append(be.to_numpy(a))
            pres.append(be.to_numpy(layer.z) if preactivations and layer.z is not None else None)
            if isinstance(layer, RNNLayer):
                hidden[layer.index] = acts[-1] if layer.return_sequences else be.to_numpy(layer.hidden_sequence(be))
        self._release()
        return {"output": acts[-1], "activations": acts, "preactivations": pres, "hidden_states": hidden}

    def _fused_forward(self):
        """The one-kernel forward pass of engine.fused when the network fits it (built once), else None."""
        plan = self.__dict__.get("_fused_forward_plan", False)
        if plan is False:
            from .fused import FusedForward, forward_unfit_reason

            plan = FusedForward(self) if forward_unfit_reason(self) is None else None
            self._fused_forward_plan = plan
        return plan
