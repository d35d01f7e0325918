"""Image sets: the 8x8 handwritten digits bundled in engine/data (see its README.md)."""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

import numpy as np

from .core import DatasetError, Samples, register, split_indices

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DIGITS_FILE = DATA_DIR / "digits.csv.gz"
DIGITS_COUNT = 1797


@functools.lru_cache(maxsize=1)
def digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """All 1797 digits in file order: images (1797, 8, 8) uint8 in 0..16, labels (1797,) int64.

    Read once and cached; the arrays are read-only, copy them before changing.
    """
    try:
        with gzip.open(DIGITS_FILE, "rt", encoding="ascii") as fh:
            table = np.loadtxt(fh, delimiter=",", dtype=np.int64)
    except OSError as exc:
        raise DatasetError(
            f"The digits data file {DIGITS_FILE} could not be read ({exc}); "
            f"it ships with the program, so reinstalling should restore it.") from exc
    if table.shape != (DIGITS_COUNT, 65):
        raise DatasetError(
            f"The digits data file {DIGITS_FILE} holds a table of shape {table.shape}, "
            f"not ({DIGITS_COUNT}, 65); it looks damaged.")
    images = table[:, :64].astype(np.uint8).reshape(-1, 8, 8)
    labels = table[:, 64].copy()
    images.flags.writeable = False
    labels.flags.writeable = False
    return images, labels


@register("digits", "multiclass", "Handwritten digits (8x8)",
          "1797 handwritten digits 0-9 as 8x8 grey images (UCI optdigits test set); "
          "x is (N, 1, 8, 8) in [0, 1]. Noise is not used; n below 1797 takes a "
          "class-balanced subset.",
          default_n=DIGITS_COUNT, uses_noise=False)
def digits(rng, n, noise):
    images, labels = digits_arrays()
    if n < DIGITS_COUNT:
        _, keep = split_indices(rng, DIGITS_COUNT, n / DIGITS_COUNT, labels)
        keep = np.sort(keep)
    else:
        keep = np.arange(DIGITS_COUNT)
    x = images[keep].astype(np.float32)[:, None, :, :] / np.float32(16.0)
    return Samples(x, labels[keep], n_classes=10, meta={
        "feature_names": [f"pixel {r},{c}" for r in range(8) for c in range(8)],
        "target_name": "digit",
        "class_names": [str(d) for d in range(10)],
        "source": "UCI ML hand-written digits (optdigits test set), via scikit-learn",
    })
