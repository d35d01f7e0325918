"""Optimisers against torch.optim on the same parameters and gradients, on every backend."""

import numpy as np
import pytest

from engine import optim
from engine.optim import make_optimizer

torch = pytest.importorskip("torch")

CONFIGS = [
    ({"type": "sgd", "lr": 0.1}, lambda ps: torch.optim.SGD(ps, lr=0.1)),
    ({"type": "sgd", "lr": 0.05, "momentum": 0.8}, lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8)),
    ({"type": "momentum", "lr": 0.05}, lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9)),
    ({"type": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True},
     lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True)),
    ({"type": "adam", "lr": 0.01}, lambda ps: torch.optim.Adam(ps, lr=0.01)),
    ({"type": "adam", "lr": 0.003, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6},
     lambda ps: torch.optim.Adam(ps, lr=0.003, betas=(0.8, 0.99), eps=1e-6)),
]
IDS = ["sgd", "sgd-momentum", "momentum", "nesterov", "adam", "adam-custom"]

SHAPES = {"0.W": (4, 3), "0.b": (4,), "1.W_xh": (2, 4)}


def _setup(backend, config, make_torch, seed=0):
    rng = np.random.default_rng(seed)
    dt = backend.dtype
    host = {k: rng.normal(size=s).astype(dt) for k, s in SHAPES.items()}
    params = {k: backend.asarray(v) for k, v in host.items()}
    opt = make_optimizer(config, backend, params)
    tparams = [torch.tensor(v.astype(np.float64), requires_grad=True) for v in host.values()]
    topt = make_torch(tparams)
    return rng, params, opt, tparams, topt


def _run(backend, opt, topt, tparams, rng, steps, dt):
    for _ in range(steps):
        grads = {k: rng.normal(size=s).astype(dt) for k, s in SHAPES.items()}
        opt.step({k: backend.asarray(g) for k, g in grads.items()})
        for tp, g in zip(tparams, grads.values()):
            tp.grad = torch.tensor(g.astype(np.float64))
        topt.step()


def _check(backend, params, tparams):
    dt = backend.dtype
    rtol, atol = (1e-5, 1e-6) if dt == np.float32 else (1e-12, 1e-13)
    for (name, p), tp in zip(params.items(), tparams):
        np.testing.assert_allclose(backend.to_numpy(p), tp.detach().numpy(), rtol=rtol, atol=atol, err_msg=name)


@pytest.mark.parametrize("steps", [1, 7])
@pytest.mark.parametrize("config,make_torch", CONFIGS, ids=IDS)
def test_matches_torch(backend, config, make_torch, steps):
    rng, params, opt, tparams, topt = _setup(backend, config, make_torch)
    _run(backend, opt, topt, tparams, rng, steps, backend.dtype)
    _check(backend, params, tparams)
    assert opt.t == steps


@pytest.mark.parametrize("config,make_torch", CONFIGS, ids=IDS)
def test_lr_change_keeps_state(backend, config, make_torch):
    rng, params, opt, tparams, topt = _setup(backend, config, make_torch, seed=1)
    _run(backend, opt, topt, tparams, rng, 3, backend.dtype)
    opt.lr = config["lr"] / 4
    for group in topt.param_groups:
        group["lr"] = config["lr"] / 4
    _run(backend, opt, topt, tparams, rng, 3, backend.dtype)
    _check(backend, params, tparams)
    assert opt.t == 6


def test_state_dict_round_trip(ref):
    be = ref(np.float64)
    rng = np.random.default_rng(3)
    params = {k: be.asarray(rng.normal(size=s)) for k, s in SHAPES.items()}
    opt = make_optimizer({"type": "adam", "lr": 0.02}, be, params)
    for _ in range(2):
        opt.step({k: be.asarray(rng.normal(size=s)) for k, s in SHAPES.items()})
    saved = opt.state_dict()
    assert saved["t"] == 2 and set(saved["state"]["0.W"]) == {"m", "v"}
    params2 = {k: be.copy(p) for k, p in params.items()}
    opt2 = make_optimizer({"type": "adam", "lr": 0.5}, be, params2)
    opt2.load_state_dict(saved)
    assert opt2.lr == 0.02 and opt2.t == 2
    grads = {k: be.asarray(rng.normal(size=s)) for k, s in SHAPES.items()}
    opt.step(grads)
    opt2.step(grads)
    for k in params:
        np.testing.assert_array_equal(params[k], params2[k])


def test_snapshot_restore(ref):
    be = ref(np.float64)
    params = {"0.W": be.asarray(np.ones((2, 2)))}
    opt = make_optimizer({"type": "momentum", "lr": 0.1}, be, params)
    opt.step({"0.W": be.asarray(np.ones((2, 2)))})
    snap = opt.snapshot()
    v_before = be.to_numpy(opt.state["0.W"]["velocity"])
    opt.step({"0.W": be.asarray(np.full((2, 2), 5.0))})
    opt.restore(snap)
    assert opt.t == 1
    np.testing.assert_array_equal(be.to_numpy(opt.state["0.W"]["velocity"]), v_before)


@pytest.mark.parametrize("config,words", [
    ({"type": "sgd", "lr": 0}, "above 0"),
    ({"type": "sgd", "lr": float("nan")}, "finite"),
    ({"type": "adam", "lr": -1}, "above 0"),
    ({"type": "rmsprop", "lr": 0.1}, "choose one of"),
    ({"type": "sgd", "lr": 0.1, "momentum": 1.5}, "below 1"),
    ({"type": "sgd", "lr": 0.1, "nesterov": True}, "momentum above 0"),
    ({"type": "adam", "lr": 0.1, "beta2": 1.0}, "below 1"),
    ({"type": "adam", "lr": 0.1, "momentum": 0.9}, "no setting"),
])
def test_validation_sentences(ref, config, words):
    be = ref(np.float32)
    with pytest.raises(ValueError, match=words):
        make_optimizer(config, be, {"0.W": be.zeros((2, 2))})


def test_lr_setter_validates(ref):
    be = ref(np.float32)
    opt = make_optimizer({"type": "adam", "lr": 0.1}, be, {"0.W": be.zeros((2, 2))})
    with pytest.raises(ValueError, match="learning rate"):
        opt.lr = float("inf")
    assert opt.lr == 0.1


def test_formulas():
    assert optim.param_symbol("0.W") == "W⁽¹⁾"
    assert optim.param_symbol("11.W_hh") == "W_hh⁽¹²⁾"
    from engine.device import devices
    be = [d for d in devices() if d.kind == "numpy"][0].backend(np.float32)
    p = {"0.W": be.zeros((1,))}
    assert "θ ← θ − α·∇J" in make_optimizer({"type": "sgd", "lr": 0.1}, be, p).update_formula()
    assert "v ← μ·v" in make_optimizer({"type": "momentum", "lr": 0.1}, be, p).update_formula("0.W")
    assert "√v̂" in make_optimizer({"type": "adam", "lr": 0.1}, be, p).update_formula("0.W")
