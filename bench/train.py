"""Training throughput: ``Trainer.step`` steps per second on every device, next to PyTorch CPU.

    python3 bench/train.py [--seconds 1.0] [--devices numpy,pthread] [--no-torch]

Networks (SGD throughout, no test set so only training is timed):

- 2-8-8-1 tanh, bce, batch 32 and batch 10 (random planar points)
- 784-128-10 relu / softmax, softmax_ce, batch 256 (random data)
- the digits CNN: conv 8 3×3 pad 1 relu, maxpool 2, flatten, dense 10 softmax, batch 64

Each measurement warms up (kernel builds, first epoch upload), then calls
``trainer.step(n)`` with n doubling until a call lasts ``--seconds``; the rate is the
best of three such calls. PyTorch runs the same network, batches and optimizer with
``torch.set_num_threads(2)``. The ratio column is engine steps/s ÷ PyTorch steps/s.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import engine  # noqa: E402
from engine import Model, Trainer, datasets  # noqa: E402

DIGITS_CNN = [{"type": "conv2d", "filters": 8, "kernel": 3, "padding": 1, "activation": "relu"},
              {"type": "maxpool2d", "size": 2}, {"type": "flatten"},
              {"type": "dense", "units": 10, "activation": "softmax"}]


def _planar(n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2)).astype(np.float32) * 3
    y = (x[:, :1] * x[:, 1:] > 0).astype(np.float32)
    return x, y


def _mnist_like(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n)


def _digits():
    d = datasets.load("digits", seed=0)
    return d.x_train, d.y_train


CASES = [
    ("2-8-8-1 tanh, batch 32",
     {"input": [2], "layers": [{"type": "dense", "units": 8, "activation": "tanh"},
                               {"type": "dense", "units": 8, "activation": "tanh"},
                               {"type": "dense", "units": 1, "activation": "sigmoid"}], "loss": "bce"},
     lambda: _planar(320), 32, 0.1),
    ("2-8-8-1 tanh, batch 10",
     {"input": [2], "layers": [{"type": "dense", "units": 8, "activation": "tanh"},
                               {"type": "dense", "units": 8, "activation": "tanh"},
                               {"type": "dense", "units": 1, "activation": "sigmoid"}], "loss": "bce"},
     lambda: _planar(320), 10, 0.1),
    ("784-128-10 relu, batch 256",
     {"input": [784], "layers": [{"type": "dense", "units": 128, "activation": "relu"},
                                 {"type": "dense", "units": 10, "activation": "softmax"}], "loss": "softmax_ce"},
     lambda: _mnist_like(2560), 256, 0.01),
    ("digits CNN, batch 64",
     {"input": [1, 8, 8], "layers": DIGITS_CNN, "loss": "softmax_ce"},
     _digits, 64, 0.01),
]


def _rate(run, seconds: float, repeats: int = 3) -> float:
    """Steps per second of ``run(n)``: n doubles until one call lasts ``seconds``, then the
    best of ``repeats`` such calls (the machine may be shared; the best is the least disturbed)."""
    run(3)  # warm up: kernel builds, first uploads
    n = 4
    while True:
        t0 = time.perf_counter()
        run(n)
        dt = time.perf_counter() - t0
        if dt >= seconds or n >= 1 << 20:
            break
        n = max(n * 2, int(n * seconds / max(dt, 1e-6) * 1.1))
    best = n / dt
    for _ in range(repeats - 1):
        t0 = time.perf_counter()
        run(n)
        best = max(best, n / (time.perf_counter() - t0))
    return best


def engine_rate(device, spec, data, batch, lr, seconds) -> float:
    model = Model(spec, seed=0, device=device)
    trainer = Trainer(model, data, optimizer={"type": "sgd", "lr": lr}, batch_size=batch, seed=0)
    return _rate(trainer.step, seconds)


def torch_rate(spec, data, batch, lr, seconds, threads: int = 2) -> float:
    import torch
    from torch import nn

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    layers = []
    shape = tuple(spec["input"])
    for ls in spec["layers"]:
        if ls["type"] == "dense":
            layers.append(nn.Linear(shape[0], ls["units"]))
            shape = (ls["units"],)
        elif ls["type"] == "conv2d":
            layers.append(nn.Conv2d(shape[0], ls["filters"], ls["kernel"], padding=ls.get("padding", 0)))
            shape = (ls["filters"], shape[1], shape[2])
        elif ls["type"] == "maxpool2d":
            layers.append(nn.MaxPool2d(ls["size"]))
            shape = (shape[0], shape[1] // ls["size"], shape[2] // ls["size"])
        elif ls["type"] == "flatten":
            layers.append(nn.Flatten())
            shape = (int(np.prod(shape)),)
        act = ls.get("activation")
        # the last activation is fused into the loss, as the engine does
        if act in ("relu", "tanh") and ls is not spec["layers"][-1]:
            layers.append(nn.ReLU() if act == "relu" else nn.Tanh())
    net = nn.Sequential(*layers)
    loss_fn = nn.BCEWithLogitsLoss() if spec["loss"] == "bce" else nn.CrossEntropyLoss()
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    x, y = data
    xt = torch.tensor(x)
    yt = torch.tensor(y, dtype=torch.float32 if spec["loss"] == "bce" else torch.long)
    rng = np.random.default_rng(0)
    state = {"batches": [], "pos": 0}

    def next_batch():
        if state["pos"] >= len(state["batches"]):
            order = torch.tensor(rng.permutation(len(xt)))
            state["batches"] = [(xt[order[i:i + batch]], yt[order[i:i + batch]]) for i in range(0, len(xt), batch)]
            state["pos"] = 0
        state["pos"] += 1
        return state["batches"][state["pos"] - 1]

    def run(n):
        for _ in range(n):
            xb, yb = next_batch()
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(xb), yb)
            loss.backward()
            opt.step()
        loss.item()

    return _rate(run, seconds)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=1.0, help="length of the timed call (default 1 s)")
    ap.add_argument("--devices", default="", help="comma-separated parts of device names (default: all)")
    ap.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    args = ap.parse_args(argv)
    wanted = [w.strip().lower() for w in args.devices.split(",") if w.strip()]
    devs = [d for d in engine.devices() if not wanted or any(w in d.name.lower() for w in wanted)]
    try:
        if args.no_torch:
            raise ImportError
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False

    header = f"{'network':<28} {'device':<24} {'steps/s':>10} {'vs torch':>9}"
    print(header)
    print("-" * len(header))
    for name, spec, make_data, batch, lr in CASES:
        data = make_data()
        ref = torch_rate(spec, data, batch, lr, args.seconds) if have_torch else None
        for dev in devs:
            rate = engine_rate(dev, spec, data, batch, lr, args.seconds)
            ratio = f"{rate / ref:8.2f}×" if ref else "       -"
            print(f"{name:<28} {dev.name[:24]:<24} {rate:10.0f} {ratio}", flush=True)
        if ref:
            print(f"{name:<28} {'PyTorch CPU, 2 threads':<24} {ref:10.0f} {'1.00×':>9}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
