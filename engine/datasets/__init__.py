"""Data sets for the lab: generated planar sets, handwritten digits, sequences, user files.

Pure numpy; nothing here needs OpenCL.

>>> from engine import datasets
>>> datasets.names()[:4]
['circle', 'xor', 'gauss', 'spiral']
>>> data = datasets.load("spiral", n=500, noise=0.1, test_ratio=0.5, seed=0)
>>> data.x_train.shape, data.y_train.shape, data.task
((250, 2), (250, 1), 'binary')

Shapes (N samples per part; see :class:`Dataset`):

- binary: x (N, 2) float32, y (N, 1) float32 holding 0.0 / 1.0 (for "bce")
- multiclass: x (N, ...) float32, y (N,) int64 class indices (for "softmax_ce")
- regression: x (N, F) float32, y (N, 1) float32 (for "mse")
- sequence_regression: x (N, T, F) float32, y (N, 1) float32
- digits: x (N, 1, 8, 8) float32 in [0, 1], y (N,) int64 in 0..9

A person's own table comes in through :func:`load_user` (``.csv`` or ``.npy``),
not through :func:`load`; :func:`names` lists built-in sets only.
"""

from .core import (CLASSIFICATION_TASKS, TASKS, DataFileError, Dataset, DatasetError,
                   DatasetInfo, info, load, names, split_indices)
from .features import FEATURES, features
# Importing the generator modules registers their sets; this order is names()' order.
from . import planar, images, sequences  # noqa: E402,F401  (registration side effect)
from .images import digits_arrays
from .userdata import load_user

__all__ = [
    "CLASSIFICATION_TASKS", "DataFileError", "Dataset", "DatasetError", "DatasetInfo",
    "FEATURES", "TASKS", "digits_arrays", "features", "info", "load", "load_user",
    "names", "split_indices",
]
