"""Optimisers: SGD (with momentum, Nesterov) and Adam over backend arrays.

An optimiser updates a model's live parameter arrays in place with the backend's fused
``sgd_update`` / ``adam_update`` kernels; its state (velocities, moments) lives on the
same device, so a training step never touches the host. The arithmetic is that of
``torch.optim.SGD`` and ``torch.optim.Adam`` (no weight decay: regularisation belongs to
the model's loss), so results can be checked against PyTorch number for number.

>>> opt = make_optimizer({"type": "adam", "lr": 0.01}, model.backend, model.param_arrays)
>>> opt.step(model.grad_arrays)          # one update of every parameter
>>> opt.lr = 0.001                       # moments and the step count t are kept

A step is ``begin_step()`` followed by ``update(name, grad)`` for each parameter; the
Trainer's step-through trace uses those two to apply one tensor's update at a time.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .errors import ShapeError, shape_str

OPTIMIZER_TYPES = ("sgd", "momentum", "adam")

_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def param_symbol(name: str | None) -> str:
    """"0.W" -> "W⁽¹⁾" (layers count from 1 in formulas); None -> "θ"."""
    if not name:
        return "θ"
    index, _, local = str(name).partition(".")
    if not local or not index.isdigit():
        return str(name)
    return f"{local}⁽{str(int(index) + 1).translate(_SUP)}⁾"


def _number(config: dict, key: str, default, kind: str) -> float:
    """A finite real hyper-parameter from the config, with a sentence when it is not one."""
    value = config.get(key, default)
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise ValueError(f"The {kind} optimizer's {key} should be a finite number, not {value!r}.")
    return float(value)


def check_lr(lr) -> float:
    """The learning rate as a float; a sentence if it is not a finite number above 0."""
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not math.isfinite(float(lr)) or lr <= 0:
        raise ValueError(f"The learning rate must be a finite number above 0 (for example 0.01), not {lr!r}.")
    return float(lr)


class Optimizer:
    """Base class: owns per-parameter state arrays on the backend of the parameters.

    ``params`` maps names to the live backend arrays it updates (a model's
    ``param_arrays``). ``lr`` may be changed between steps; the state stays.
    ``t`` counts the steps taken.
    """

    kind = "abstract"
    #: names of the per-parameter state buffers, e.g. ("velocity",)
    state_names: tuple = ()

    def __init__(self, backend, params: dict, lr: float):
        self.backend = backend
        self.params = dict(params)
        self.lr = lr
        self.t = 0
        self.state: dict = {name: {s: backend.zeros(p.shape) for s in self.state_names}
                            for name, p in self.params.items()}

    # ------------------------------------------------------------ settings
    @property
    def lr(self) -> float:
        """The learning rate α (settable between steps; the state is kept)."""
        return self._lr

    @lr.setter
    def lr(self, value) -> None:
        self._lr = check_lr(value)

    def config(self) -> dict:
        """The settings as a dict that ``make_optimizer`` accepts."""
        return {"type": self.kind, "lr": self.lr}

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self.config().items() if k != "type")
        return f"<{type(self).__name__} {settings}, t={self.t}>"

    # ------------------------------------------------------------ updating
    def begin_step(self) -> None:
        """Start a step: count it (Adam's bias correction uses the count)."""
        self.t += 1

    def update(self, name: str, grad) -> None:
        """Update parameter ``name`` in place from its gradient (after ``begin_step``)."""
        raise NotImplementedError

    def step(self, grads: dict) -> None:
        """One update of every parameter from ``grads`` (name -> backend array)."""
        self.begin_step()
        for name in self.params:
            self.update(name, grads[name])

    # ------------------------------------------------------------ text
    def update_formula(self, name: str | None = None) -> str:
        """The update rule as text, with the parameter's symbol (θ when ``name`` is None)
        and the current hyper-parameter values."""
        raise NotImplementedError

    # ------------------------------------------------------------ state
    def state_arrays(self, name: str) -> dict:
        """The live state buffers of one parameter (e.g. {"velocity": array})."""
        return self.state[name]

    def snapshot(self) -> tuple:
        """Device copies of the state and the step count, for ``restore`` (no host sync)."""
        be = self.backend
        return self.t, {n: {s: be.copy(a) for s, a in st.items()} for n, st in self.state.items()}

    def restore(self, snap: tuple) -> None:
        """Put back a ``snapshot`` (the live arrays are kept, their contents replaced)."""
        be = self.backend
        t, saved = snap
        self.t = t
        for n, st in saved.items():
            for s, a in st.items():
                be.copy_into(self.state[n][s], a)

    def state_dict(self) -> dict:
        """Settings, step count and state as numpy arrays (for saving)."""
        be = self.backend
        return {
            "config": self.config(),
            "t": self.t,
            "state": {n: {s: be.to_numpy(a) for s, a in st.items()} for n, st in self.state.items()},
        }

    def load_state_dict(self, d: dict) -> None:
        """Restore what ``state_dict`` gave (same optimizer type and parameter shapes)."""
        cfg = d.get("config", {})
        if cfg.get("type", self.kind) != self.kind:
            raise ValueError(f"This saved state belongs to a {cfg.get('type')!r} optimizer, "
                             f"not to {self.kind!r}: choose the same optimizer type to load it.")
        if self.kind == "sgd" and (float(cfg.get("momentum", self.momentum)) > 0) != (self.momentum > 0):
            raise ValueError("The saved state is of SGD with a different use of momentum (with or without): "
                             "build the optimizer with the saved momentum to load it.")
        state = d.get("state", {})
        missing = [n for n in self.params if n not in state]
        extra = [n for n in state if n not in self.params]
        if missing or extra:
            raise ShapeError("The saved optimizer state does not match this network's parameters "
                             f"(missing: {', '.join(missing) or 'none'}; unknown: {', '.join(extra) or 'none'}).")
        be = self.backend
        staged = {}
        for n, st in state.items():
            for s in self.state_names:
                if s not in st:
                    raise ValueError(f"The saved optimizer state of {n!r} has no {s!r} buffer.")
                arr = np.asarray(st[s])
                if arr.shape != tuple(self.params[n].shape):
                    raise ShapeError(f"The saved {s} of {n!r} is {shape_str(arr.shape)} but the parameter is "
                                     f"{shape_str(self.params[n].shape)}.")
                staged[(n, s)] = arr
        for key in cfg:
            if key != "type" and hasattr(self, key):
                setattr(self, key, cfg[key])
        self.t = int(d.get("t", 0))
        for (n, s), arr in staged.items():
            be.copy_into(self.state[n][s], be.asarray(arr))


class SGD(Optimizer):
    """torch.optim.SGD without weight decay or dampening: v ← μ·v + g; θ ← θ − α·v
    (Nesterov: θ ← θ − α·(g + μ·v)); plain θ ← θ − α·g when μ = 0."""

    kind = "sgd"

    def __init__(self, backend, params: dict, lr: float, momentum: float = 0.0, nesterov: bool = False):
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"The momentum μ should be at least 0 and below 1 (0.9 is usual), not {momentum:g}.")
        if nesterov and momentum == 0:
            raise ValueError("Nesterov momentum needs a momentum above 0 (for example 0.9).")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        self.state_names = ("velocity",) if self.momentum > 0 else ()
        super().__init__(backend, params, lr)

    def config(self) -> dict:
        return {"type": "sgd", "lr": self.lr, "momentum": self.momentum, "nesterov": self.nesterov}

    def update(self, name, grad) -> None:
        v = self.state[name].get("velocity")
        self.backend.sgd_update(self.params[name], grad, v, self.lr, self.momentum, self.nesterov)

    def step(self, grads: dict) -> None:
        if self.momentum:
            super().step(grads)
            return
        self.begin_step()
        names = list(self.params)
        self.backend.sgd_update_many([self.params[n] for n in names], [grads[n] for n in names], self.lr)

    @property
    def label(self) -> str:
        """"sgd", "momentum" or "nesterov": the variant, for the trace."""
        if self.momentum == 0:
            return "sgd"
        return "nesterov" if self.nesterov else "momentum"

    def update_formula(self, name=None) -> str:
        th = param_symbol(name)
        g = f"∂J/∂{th}" if name else "∇J"
        if self.momentum == 0:
            return f"{th} ← {th} − α·{g}   (α = {self.lr:g})"
        values = f"   (α = {self.lr:g}, μ = {self.momentum:g})"
        if self.nesterov:
            return f"v ← μ·v + {g};  {th} ← {th} − α·({g} + μ·v){values}"
        return f"v ← μ·v + {g};  {th} ← {th} − α·v{values}"


class Adam(Optimizer):
    """torch.optim.Adam without weight decay: bias-corrected first and second moments."""

    kind = "adam"
    state_names = ("m", "v")

    def __init__(self, backend, params: dict, lr: float, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8):
        for key, value in (("beta1", beta1), ("beta2", beta2)):
            if not 0.0 <= value < 1.0:
                raise ValueError(f"Adam's {key} should be at least 0 and below 1 "
                                 f"(0.9 and 0.999 are usual), not {value:g}.")
        if not eps > 0:
            raise ValueError(f"Adam's eps should be a small number above 0 (1e-8 is usual), not {eps:g}.")
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        super().__init__(backend, params, lr)

    def config(self) -> dict:
        return {"type": "adam", "lr": self.lr, "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}

    def update(self, name, grad) -> None:
        if self.t < 1:
            raise RuntimeError("Adam.update was called before begin_step: the step count t starts at 1.")
        st = self.state[name]
        self.backend.adam_update(self.params[name], grad, st["m"], st["v"], self.lr,
                                 self.beta1, self.beta2, self.eps, self.t)

    def step(self, grads: dict) -> None:
        self.begin_step()
        names = list(self.params)
        st = self.state
        self.backend.adam_update_many([self.params[n] for n in names], [grads[n] for n in names],
                                      [st[n]["m"] for n in names], [st[n]["v"] for n in names],
                                      self.lr, self.beta1, self.beta2, self.eps, self.t)

    label = "adam"

    def update_formula(self, name=None) -> str:
        th = param_symbol(name)
        g = f"∂J/∂{th}" if name else "∇J"
        return (f"m ← β₁·m + (1 − β₁)·{g};  v ← β₂·v + (1 − β₂)·({g})²;  "
                f"m̂ = m / (1 − β₁ᵗ);  v̂ = v / (1 − β₂ᵗ);  {th} ← {th} − α·m̂ / (√v̂ + ε)"
                f"   (α = {self.lr:g}, β₁ = {self.beta1:g}, β₂ = {self.beta2:g}, ε = {self.eps:g}, t = {self.t})")


_KEYS = {
    "sgd": ("type", "lr", "momentum", "nesterov"),
    "momentum": ("type", "lr", "momentum", "nesterov"),
    "adam": ("type", "lr", "beta1", "beta2", "eps"),
}


def make_optimizer(config, backend, param_arrays: dict) -> Optimizer:
    """An optimizer for ``param_arrays`` (name -> backend array) from its config.

    ``config``: {"type": "sgd", "lr", "momentum"=0, "nesterov"=False} |
    {"type": "momentum", ...} (sgd with momentum 0.9 unless given) |
    {"type": "adam", "lr", "beta1"=0.9, "beta2"=0.999, "eps"=1e-8}; a bare type name
    ("adam") takes the defaults with lr 0.01. An Optimizer instance is returned as is.
    """
    if isinstance(config, Optimizer):
        return config
    if isinstance(config, str):
        config = {"type": config}
    if not isinstance(config, dict):
        raise TypeError(f"The optimizer is given as a dict such as {{'type': 'adam', 'lr': 0.01}}, "
                        f"not as {type(config).__name__}.")
    kind = str(config.get("type", "")).strip().lower()
    if kind not in _KEYS:
        raise ValueError(f"There is no optimizer {config.get('type')!r}: choose one of {', '.join(OPTIMIZER_TYPES)}.")
    unknown = [k for k in config if k not in _KEYS[kind]]
    if unknown:
        raise ValueError(f"The {kind} optimizer has no setting {', '.join(repr(k) for k in unknown)}: "
                         f"its settings are {', '.join(_KEYS[kind][1:])}.")
    lr = check_lr(config.get("lr", 0.01))
    if kind in ("sgd", "momentum"):
        momentum = _number(config, "momentum", 0.9 if kind == "momentum" else 0.0, kind)
        nesterov = config.get("nesterov", False)
        if not isinstance(nesterov, (bool, np.bool_)):
            raise ValueError(f"The {kind} optimizer's nesterov should be true or false, not {nesterov!r}.")
        return SGD(backend, param_arrays, lr, momentum, bool(nesterov))
    return Adam(backend, param_arrays, lr, _number(config, "beta1", 0.9, kind), _number(config, "beta2", 0.999, kind),
                _number(config, "eps", 1e-8, kind))
