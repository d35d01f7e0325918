"""Sequence sets for recurrent networks: x is (N, T, F) float32, y is (N, 1) float32."""

from __future__ import annotations

import numpy as np

from .core import Samples, check_int_option, register

MIN_PERIOD, MAX_PERIOD = 8.0, 40.0  # sine periods, in samples


@register("sine", "sequence_regression", "Sine continuation",
          "Windows of `steps` samples (default 20) of sine waves with random amplitude "
          "(0.5-1), period (8-40 samples) and phase; predict the next value. Noise adds "
          "Gaussian noise (std = noise) to the inputs; the target stays clean.",
          options={"steps": 20})
def sine(rng, n, noise, steps):
    t_len = check_int_option("sine", "steps", steps, 2, 1000)
    amplitude = rng.uniform(0.5, 1.0, size=(n, 1))
    omega = 2.0 * np.pi / rng.uniform(MIN_PERIOD, MAX_PERIOD, size=(n, 1))
    phase = rng.uniform(0.0, 2.0 * np.pi, size=(n, 1))
    t = np.arange(t_len + 1)[None, :]
    wave = amplitude * np.sin(omega * t + phase)  # T inputs, then the value to predict
    x = wave[:, :t_len] + rng.normal(0.0, noise, size=(n, t_len))
    y = wave[:, t_len:]
    return Samples(x[:, :, None], y, meta={
        "feature_names": ["value"],
        "target_name": "next value",
        "steps": t_len,
    })


@register("adding", "sequence_regression", "Adding problem",
          "`steps` time steps (default 20) of [value in 0..1, marker 0/1]; exactly two "
          "steps are marked, one in each half; the target is the sum of the two marked "
          "values (0..2). Noise is not used: the sum is exact.",
          options={"steps": 20}, uses_noise=False)
def adding(rng, n, noise, steps):
    t_len = check_int_option("adding", "steps", steps, 2, 1000)
    half = t_len // 2
    values = rng.uniform(0.0, 1.0, size=(n, t_len))
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, t_len, size=n)
    markers = np.zeros((n, t_len))
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    y = values[rows, first] + values[rows, second]
    return Samples(np.stack([values, markers], axis=2), y.reshape(-1, 1), meta={
        "feature_names": ["value", "marker"],
        "target_name": "sum of marked values",
        "steps": t_len,
    })
