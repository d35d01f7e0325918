"""Seeded, reproducible parameter initialisation (on the host, then uploaded once).

Schemes (weights; biases always start at zero):

=========  ==========================================  ==========================================
scheme     distribution                                why
=========  ==========================================  ==========================================
zeros      0                                           shows symmetry: hidden units never differ
uniform    U(−1/√fan_in, +1/√fan_in)                   PyTorch's default for Linear/Conv2d/RNN
normal     N(0, 0.1²)                                  a fixed scale, the naive choice; deep or
                                                       wide nets show why scale must follow fan_in
xavier     U(±√(6/(fan_in + fan_out)))                 Glorot & Bengio 2010; suits tanh/sigmoid
he         N(0, 2/fan_in)                              He et al. 2015; suits relu
=========  ==========================================  ==========================================

fan_in/fan_out: dense W (out, in) -> in, out; conv W (F, C, K, K) -> C·K·K, F·K·K; RNN
W_xh (U, F) -> F, U and W_hh (U, U) -> U, U (each by the same rule).

Draws come from ``numpy.random.default_rng(seed)`` in parameter order (layer by layer, W
before b), so the same spec and seed give the same numbers on every device and dtype
(drawn in float64, then cast).
"""

from __future__ import annotations

import math

import numpy as np

SCHEMES = ("zeros", "uniform", "normal", "xavier", "he")
NORMAL_STD = 0.1


def fans(shape) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight: (out, in) matrices or (F, C, K, K) conv kernels."""
    shape = tuple(int(s) for s in shape)
    if len(shape) == 2:
        return shape[1], shape[0]
    if len(shape) == 4:
        receptive = shape[2] * shape[3]
        return shape[1] * receptive, shape[0] * receptive
    raise ValueError(f"A weight has 2 (dense, rnn) or 4 (conv) axes, not shape {shape}.")


def init_weight(scheme: str, shape, rng: np.random.Generator) -> np.ndarray:
    """A float64 weight array of ``shape`` drawn by ``scheme`` from ``rng``."""
    fan_in, fan_out = fans(shape)
    if scheme == "zeros":
        return np.zeros(shape)
    if scheme == "uniform":
        bound = 1.0 / math.sqrt(fan_in)
        return rng.uniform(-bound, bound, size=shape)
    if scheme == "normal":
        return rng.normal(0.0, NORMAL_STD, size=shape)
    if scheme in ("xavier", "glorot"):
        bound = math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-bound, bound, size=shape)
    if scheme == "he":
        return rng.normal(0.0, math.sqrt(2.0 / fan_in), size=shape)
    raise ValueError(f"Unknown initialisation {scheme!r}: choose {', '.join(SCHEMES)}.")


def init_params(spec, seed: int = 0, dtype=np.float32) -> dict[str, np.ndarray]:
    """Every parameter of ``spec`` (a NetworkSpec) by name, as host arrays in ``dtype``.

    Weights follow ``spec.init``; biases (names starting with "b") are zero.
    """
    rng = np.random.default_rng(seed)
    out = {}
    for name, shape in spec.param_shapes().items():
        local = name.split(".", 1)[1]
        if local.startswith("b"):
            out[name] = np.zeros(shape, dtype=dtype)
        else:
            out[name] = init_weight(spec.init, shape, rng).astype(dtype)
    return out
