"""The matrix lab's diverging colour scale: blue for negative, white for zero, red for positive.

One scale for grid cells, heatmaps and colour bars, so a value looks the same everywhere.
Symmetric levels (−v … +v) keep zero white whatever the data.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor

# ColorBrewer RdBu (reversed so positive is red), a scale that stays readable for
# the common colour-vision deficiencies and prints well in grey.
STOPS = (
    (0.0, (33, 102, 172)),
    (0.25, (146, 197, 222)),
    (0.5, (247, 247, 247)),
    (0.75, (244, 165, 130)),
    (1.0, (178, 24, 43)),
)

#: Background and text of a cell holding NaN or infinity: amber, outside the scale.
NONFINITE_BACKGROUND = QColor(255, 216, 77)
NONFINITE_TEXT = QColor(150, 0, 0)


def lut(n: int = 256) -> np.ndarray:
    """The scale as an (n, 4) uint8 RGBA lookup table, low values first."""
    pos = np.array([s[0] for s in STOPS])
    rgb = np.array([s[1] for s in STOPS], dtype=float)
    x = np.linspace(0.0, 1.0, n)
    out = np.empty((n, 4), dtype=np.uint8)
    for ch in range(3):
        out[:, ch] = np.round(np.interp(x, pos, rgb[:, ch])).astype(np.uint8)
    out[:, 3] = 255
    return out


# An odd length puts an entry exactly at zero, so zero is exactly the middle colour.
_LUT = lut(257)


def symmetric_level(array) -> float:
    """The colour level v for an array: the largest finite |value|, or 1 when there is none."""
    a = np.asarray(array, dtype=float)
    finite = a[np.isfinite(a)]
    if finite.size == 0:
        return 1.0
    v = float(np.max(np.abs(finite)))
    return v if v > 0 else 1.0


def color_for(value: float, level: float, strength: float = 1.0) -> QColor:
    """The colour of ``value`` on the scale −level … +level.

    ``strength`` < 1 fades the colour toward white, so dark text stays readable on
    grid cells while heatmaps use the full scale.
    """
    if not np.isfinite(value):
        return QColor(NONFINITE_BACKGROUND)
    t = 0.5 + 0.5 * max(-1.0, min(1.0, value / level)) if level > 0 else 0.5
    r, g, b, _ = _LUT[int(round(t * (len(_LUT) - 1)))]
    if strength < 1.0:
        r, g, b = (int(round(255 - strength * (255 - c))) for c in (r, g, b))
    return QColor(int(r), int(g), int(b))


def text_color_on(background: QColor) -> QColor:
    """Black or white, whichever reads better on ``background``."""
    luminance = 0.299 * background.red() + 0.587 * background.green() + 0.114 * background.blue()
    return QColor(0, 0, 0) if luminance > 140 else QColor(255, 255, 255)
