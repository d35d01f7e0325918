"""One neuron (or feature map, or recurrent unit) in the network canvas, with its live heatmap."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QPen, QPixmap

from ui.canvas_style import CanvasItem, use_font
from ui.canvas_theme import colour
from ui.plots_palette import DIVERGING_LUT, array_to_qimage


class CanvasNeuron(CanvasItem):
    """A square showing an array as a heatmap: a neuron's output over the input plane, a
    conv filter's feature map for one image, or a unit's hidden state over time.

    ``layer`` is the layer index (−1 for the input), ``unit`` the neuron within it.
    Clicking emits ``clicked(layer, unit)``; the canvas then shows the map large. An
    optional ``label`` (such as "x1") is written to the left of the square.
    """

    clicked = Signal(int, int)

    def __init__(self, layer: int, unit: int, size: float = 34.0, label: str = "", parent=None):
        super().__init__(parent)
        self.layer = int(layer)
        self.unit = int(unit)
        self._size = float(size)
        self._label = label
        self._pixmap: QPixmap | None = None
        self._array: np.ndarray | None = None
        self._levels = (-1.0, 1.0)
        self._table = DIVERGING_LUT
        self._highlight = False
        self._caption = ""
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    # -- data ------------------------------------------------------------------

    def set_image(self, array, levels: tuple, table: np.ndarray = DIVERGING_LUT, caption: str = "") -> None:
        """Show a 2-D array (or None for none) with colour levels (lo, hi) through ``table``."""
        self._caption = caption
        if array is None:
            self._array, self._pixmap = None, None
        else:
            self._array = np.asarray(array)
            self._levels = (float(levels[0]), float(levels[1]))
            self._table = table
            self._pixmap = QPixmap.fromImage(array_to_qimage(self._array, *self._levels, table))
        self.update()

    def array(self) -> np.ndarray | None:
        """The array shown, or None."""
        return self._array

    def levels(self) -> tuple:
        """The colour levels (lo, hi) of the image shown."""
        return self._levels

    def table(self) -> np.ndarray:
        """The colour lookup table of the image shown."""
        return self._table

    def caption(self) -> str:
        """What the map shows, in words (for the enlarged view)."""
        return self._caption

    def set_highlight(self, on: bool) -> None:
        """Draw a thicker outline, e.g. while a link into this neuron is hovered."""
        self._highlight = bool(on)
        self.update()

    def size(self) -> float:
        """The side of the square, in scene units."""
        return self._size

    # -- drawing ---------------------------------------------------------------

    def boundingRect(self) -> QRectF:  # noqa: N802
        left = -70.0 if self._label else 0.0
        return QRectF(left - 2, -2, self._size - left + 4, self._size + 4)

    def square(self) -> QRectF:
        """The square's rectangle in item coordinates."""
        return QRectF(0, 0, self._size, self._size)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        rect = self.square()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._pixmap is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self._array.shape[-1] > 24)
            painter.drawPixmap(rect, self._pixmap, QRectF(self._pixmap.rect()))
        else:
            painter.setBrush(colour("node_fill"))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRect(rect)
        width = 2.5 if (self._hover or self._highlight) else 1.0
        edge = colour("accent") if (self._hover or self._highlight) else colour("node_edge")
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(edge, width))
        painter.drawRoundedRect(rect, 3, 3)
        if self._label:
            use_font(painter, 9)
            painter.drawText(QRectF(-70, 0, 64, self._size),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, self._label)

    # -- interaction -----------------------------------------------------------

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if self.square().contains(event.pos()):
            self.clicked.emit(self.layer, self.unit)
        event.accept()
