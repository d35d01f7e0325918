"""Input feature maps for planar (x1, x2) data, as TensorFlow Playground offers them."""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError, shape_str
from .core import DatasetError

FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin x1", "sin x2")

_MAPS = {
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1^2": lambda a, b: a * a,
    "x2^2": lambda a, b: b * b,
    "x1*x2": lambda a, b: a * b,
    "sin x1": lambda a, b: np.sin(a),
    "sin x2": lambda a, b: np.sin(b),
}

# Spelling a person might type: spaces and case do not matter, and ² / sin(x1) work.
_ALIASES = {"".join(name.split()).lower(): name for name in FEATURES}
_ALIASES.update({"x1²": "x1^2", "x2²": "x2^2", "x1x2": "x1*x2",
                 "sin(x1)": "sin x1", "sin(x2)": "sin x2"})


def _normalise_names(names) -> tuple[str, ...]:
    if isinstance(names, str):
        names = [names]
    chosen = []
    for name in names:
        key = "".join(str(name).split()).lower()
        if key not in _ALIASES:
            raise DatasetError(
                f"Unknown feature {name!r}; the features are "
                f"{', '.join(repr(f) for f in FEATURES)}.")
        chosen.append(_ALIASES[key])
    if not chosen:
        raise DatasetError(f"Choose at least one feature from {', '.join(FEATURES)}.")
    return tuple(chosen)


def features(x, names) -> np.ndarray:
    """Map planar inputs ``x`` of shape (N, 2) to the feature columns ``names``.

    ``names`` is a sequence drawn from :data:`FEATURES` (or one name), e.g.
    ``["x1", "x2", "x1^2", "sin x1"]``; the result has shape (N, len(names)),
    dtype float32, with the columns in that order. Unknown names raise a
    ``ValueError`` listing the valid ones.
    """
    chosen = _normalise_names(names)
    arr = np.asarray(x, dtype=np.float32)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ShapeError(
            f"Feature maps need points of shape N×2 holding x1 and x2; "
            f"got an array of shape {shape_str(arr.shape)}.")
    a, b = arr[:, 0], arr[:, 1]
    out = np.empty((arr.shape[0], len(chosen)), dtype=np.float32)
    for j, name in enumerate(chosen):
        out[:, j] = _MAPS[name](a, b)
    return out
