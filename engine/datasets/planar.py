"""Two-input sets on TensorFlow Playground's scale (points within about ±6).

The classification generators behave like Playground's: ``circle`` and ``xor``
keep points where they fall and let noise flip labels near the boundary (the
label is read at a jittered copy of the point), ``gauss`` widens the two clouds,
``spiral`` jitters points off the arms. Class 1 is Playground's "positive"
(blue) class. Noise 0.5 is Playground's maximum; larger values still work.

Regression targets lie in about [-1, 1]; as in Playground, noise jitters the
point at which the target is read, not the point itself.
"""

from __future__ import annotations

import numpy as np

from .core import DatasetError, Samples, check_int_option, register, split_counts

RADIUS = 5.0          # Playground's radius for the classification sets
REGRESSION_SPAN = 6.0  # Playground's regression sets fill [-6, 6]^2
PLANAR_NAMES = ["x1", "x2"]


def _jitter(rng, n: int, scale: float, noise: float) -> np.ndarray:
    """Uniform offsets in ±scale·noise per coordinate, as Playground draws them."""
    return rng.uniform(-scale, scale, size=(n, 2)) * noise


def _cloud_std(noise: float) -> float:
    # Playground maps its noise slider 0..0.5 linearly onto a spread of 0.5..4.
    return 0.5 + 7.0 * noise


def _planar_meta(**extra) -> dict:
    return {"feature_names": list(PLANAR_NAMES), "target_name": "label", **extra}


def _shuffled(rng, x, y) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(x))
    return x[order], y[order]


@register("circle", "binary", "Circle",
          "Class 1 fills a disc of radius 2.5; class 0 a ring from 3.5 to 5 around it.")
def circle(rng, n, noise):
    n_in, n_out = split_counts(n, 2)
    r = np.concatenate([rng.uniform(0.0, RADIUS * 0.5, n_in),
                        rng.uniform(RADIUS * 0.7, RADIUS, n_out)])
    angle = rng.uniform(0.0, 2.0 * np.pi, n)
    x = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    seen = x + _jitter(rng, n, RADIUS, noise)
    y = (np.hypot(seen[:, 0], seen[:, 1]) < RADIUS * 0.5).astype(np.float32)
    return Samples(*_shuffled(rng, x, y), meta=_planar_meta())


@register("xor", "binary", "Exclusive or",
          "Class 1 where x1 and x2 have the same sign, class 0 where they differ.")
def xor(rng, n, noise):
    padding = 0.3  # keeps points off the axes, where the class flips
    n_same, n_diff = split_counts(n, 2)
    mag = rng.uniform(0.0, RADIUS, size=(n, 2)) + padding
    s1 = rng.choice([-1.0, 1.0], size=n)
    # Same-sign quadrants for the first n_same points, opposite signs after.
    s2 = np.concatenate([s1[:n_same], -s1[n_same:]])
    x = mag * np.stack([s1, s2], axis=1)
    seen = x + _jitter(rng, n, RADIUS, noise)
    y = (seen[:, 0] * seen[:, 1] >= 0).astype(np.float32)
    return Samples(*_shuffled(rng, x, y), meta=_planar_meta())


@register("gauss", "binary", "Two Gaussians",
          "Class 1 around (2, 2), class 0 around (-2, -2); noise widens both clouds.")
def gauss(rng, n, noise):
    n_pos, n_neg = split_counts(n, 2)
    std = _cloud_std(noise)
    x = np.concatenate([rng.normal(2.0, std, size=(n_pos, 2)),
                        rng.normal(-2.0, std, size=(n_neg, 2))])
    y = np.concatenate([np.ones(n_pos), np.zeros(n_neg)]).astype(np.float32)
    return Samples(*_shuffled(rng, x, y), meta=_planar_meta(std=std))


def _spiral_arms(rng, counts, noise, turns=1.75):
    """Arms of radius 0..5 winding ``turns`` times, arm k rotated by 2πk/len(counts)."""
    k = len(counts)
    xs, ys = [], []
    for arm, count in enumerate(counts):
        u = rng.uniform(0.0, 1.0, count)
        r = RADIUS * u
        t = turns * 2.0 * np.pi * u + 2.0 * np.pi * arm / k
        pts = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
        xs.append(pts + rng.uniform(-1.0, 1.0, size=(count, 2)) * noise)
        ys.append(np.full(count, arm))
    return np.concatenate(xs), np.concatenate(ys)


@register("spiral", "binary", "Spiral",
          "Two interleaved spiral arms, one per class; noise jitters points off the arms.")
def spiral(rng, n, noise):
    x, arm = _spiral_arms(rng, split_counts(n, 2), noise)
    y = (arm == 0).astype(np.float32)  # the unrotated arm is class 1, as in Playground
    return Samples(*_shuffled(rng, x, y), meta=_planar_meta())


@register("spiral3", "multiclass", "Spiral, several arms",
          "K interleaved spiral arms (default 3), one class per arm.",
          options={"classes": 3})
def spiral3(rng, n, noise, classes):
    k = check_int_option("spiral3", "classes", classes, 2, 10)
    x, y = _spiral_arms(rng, split_counts(n, k), noise)
    return Samples(*_shuffled(rng, x, y.astype(np.int64)), n_classes=k,
                   meta=_planar_meta(class_names=[str(i) for i in range(k)]))


@register("blobs", "multiclass", "Gaussian blobs",
          "K Gaussian clouds (default 4) on a circle of radius 3.5, one class each; "
          "noise widens them.",
          options={"classes": 4})
def blobs(rng, n, noise, classes):
    k = check_int_option("blobs", "classes", classes, 2, 10)
    angles = 2.0 * np.pi * np.arange(k) / k + np.pi / 4
    centres = 3.5 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    counts = split_counts(n, k)
    y = np.repeat(np.arange(k), counts)
    x = centres[y] + rng.normal(0.0, _cloud_std(noise), size=(n, 2))
    return Samples(*_shuffled(rng, x, y.astype(np.int64)), n_classes=k,
                   meta=_planar_meta(centres=centres.round(6).tolist(),
                                     class_names=[str(i) for i in range(k)]))


@register("plane", "regression", "Plane",
          "Target y = (x1 + x2) / 12 over [-6, 6]^2, so y spans [-1, 1].")
def plane(rng, n, noise):
    x = rng.uniform(-REGRESSION_SPAN, REGRESSION_SPAN, size=(n, 2))
    seen = x + _jitter(rng, n, REGRESSION_SPAN, noise)
    y = (seen[:, 0] + seen[:, 1]) / (2.0 * REGRESSION_SPAN)
    return Samples(x, y.reshape(-1, 1),
                   meta=_planar_meta(target_name="y", formula="y = (x1 + x2) / 12"))


# (centre x1, centre x2, sign): a 3 x 2 chequer of bumps, as in Playground.
_BUMPS = np.array([[-4.0, 2.5, 1.0], [0.0, 2.5, -1.0], [4.0, 2.5, 1.0],
                   [-4.0, -2.5, -1.0], [0.0, -2.5, 1.0], [4.0, -2.5, -1.0]])
_BUMP_WIDTH = 1.0


def gauss_mix_target(x: np.ndarray) -> np.ndarray:
    """The clean gauss_mix target at points ``x`` of shape (N, 2), in [-1, 1]."""
    d2 = ((x[:, None, :] - _BUMPS[None, :, :2]) ** 2).sum(axis=2)
    y = (_BUMPS[:, 2] * np.exp(-d2 / (2.0 * _BUMP_WIDTH ** 2))).sum(axis=1)
    return np.clip(y, -1.0, 1.0)


@register("gauss_mix", "regression", "Gaussian bumps",
          "Target is a sum of six Gaussian bumps, peaks +1 and dips -1 in a chequer.")
def gauss_mix(rng, n, noise):
    x = rng.uniform(-REGRESSION_SPAN, REGRESSION_SPAN, size=(n, 2))
    seen = x + _jitter(rng, n, REGRESSION_SPAN, noise)
    y = gauss_mix_target(seen)
    return Samples(x, y.reshape(-1, 1),
                   meta=_planar_meta(target_name="y", bumps=_BUMPS.tolist(),
                                     bump_width=_BUMP_WIDTH))


@register("linear", "regression", "Linear regression",
          "y = x·theta + bias + Gaussian noise (std = noise), x uniform in [-1, 1]; "
          "the true theta and bias are in meta.",
          options={"features": 1, "bias": True})
def linear(rng, n, noise, features, bias):
    f = check_int_option("linear", "features", features, 1, 64)
    theta = rng.uniform(-2.0, 2.0, size=f)
    if not isinstance(bias, (bool, np.bool_)):
        raise DatasetError(f"linear: bias must be True or False, not {bias!r}.")
    b = float(rng.uniform(-1.0, 1.0)) if bias else 0.0
    x = rng.uniform(-1.0, 1.0, size=(n, f))
    y = x @ theta + b + rng.normal(0.0, noise, size=n)
    return Samples(x, y.reshape(-1, 1), meta={
        "feature_names": [f"x{i + 1}" for i in range(f)],
        "target_name": "y",
        "theta": [float(t) for t in theta],
        "bias": b,
    })
