"""Colours shared by the network lab's canvas and plots, and array -> QImage drawing.

Values use the lab's diverging scale (ui.matrix_colors: blue below zero, white at zero,
red above), so a neuron's heatmap, a link's colour and a weight histogram agree. Binary
classes are the two ends of that scale (class 0 blue, class 1 red) so a sigmoid output
of 0.5 reads white, the undecided middle. Several classes use the Okabe-Ito palette,
which stays distinguishable for the common colour-vision deficiencies.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QImage

from ui.matrix_colors import STOPS, lut

#: class 0 and class 1 of a binary problem: the ends of the diverging scale
BINARY_COLORS = (STOPS[0][1], STOPS[-1][1])

#: one colour per class for multi-class problems (Okabe-Ito, then two extra)
CLASS_COLORS = (
    (0, 114, 178),    # blue
    (213, 94, 0),     # vermillion
    (0, 158, 115),    # bluish green
    (204, 121, 167),  # reddish purple
    (230, 159, 0),    # orange
    (86, 180, 233),   # sky blue
    (240, 228, 66),   # yellow
    (90, 90, 90),     # grey
    (127, 60, 141),   # purple
    (160, 110, 60),   # brown
)

DIVERGING_LUT = lut(256)
#: a light grey-to-black ramp for images (digits, feature maps of non-negative values)
GREY_LUT = np.stack([np.linspace(255, 20, 256)] * 3 + [np.full(256, 255)], axis=1).astype(np.uint8)


def class_color(k: int, n_classes: int | None) -> tuple:
    """The (r, g, b) of class ``k`` among ``n_classes`` (2 or None: the binary pair)."""
    if not n_classes or n_classes <= 2:
        return BINARY_COLORS[int(k) % 2]
    return CLASS_COLORS[int(k) % len(CLASS_COLORS)]


def qcolor(rgb, alpha: int = 255) -> QColor:
    """QColor from an (r, g, b) tuple."""
    r, g, b = rgb
    return QColor(int(r), int(g), int(b), int(alpha))


def array_to_qimage(array, lo: float, hi: float, table: np.ndarray = DIVERGING_LUT) -> QImage:
    """A 2-D array as an RGBA QImage through ``table`` with levels lo..hi (row 0 on top).

    NaN draws transparent. The QImage owns a copy of its pixels, so the array may change
    afterwards.
    """
    a = np.asarray(array, dtype=np.float64)
    if a.ndim == 1:
        a = a[None, :]
    span = hi - lo if hi > lo else 1.0
    t = np.clip((np.nan_to_num(a, nan=lo) - lo) / span, 0.0, 1.0)
    idx = np.round(t * (len(table) - 1)).astype(np.intp)
    rgba = np.ascontiguousarray(table[idx])
    rgba[~np.isfinite(a), 3] = 0
    h, w = a.shape
    image = QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888)
    return image.copy()  # detach from the numpy buffer, which dies with this frame


def rgb_to_qimage(rgb: np.ndarray) -> QImage:
    """An (H, W, 3) or (H, W, 4) uint8 array as a QImage (row 0 on top), owning its pixels."""
    a = np.asarray(rgb, dtype=np.uint8)
    if a.shape[2] == 3:
        a = np.concatenate([a, np.full(a.shape[:2] + (1,), 255, np.uint8)], axis=2)
    a = np.ascontiguousarray(a)
    h, w = a.shape[:2]
    return QImage(a.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()


def symmetric_levels(array) -> tuple:
    """(−v, v) with v the largest finite |value| (1 when there is none), for the diverging scale."""
    a = np.asarray(array, dtype=np.float64)
    finite = a[np.isfinite(a)]
    v = float(np.max(np.abs(finite))) if finite.size else 0.0
    v = v if v > 0 else 1.0
    return -v, v
