"""A link between two neurons in the network canvas: coloured by the weight's sign, thickened by its size."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsPathItem

from ui.plots_palette import BINARY_COLORS

NEGATIVE = QColor(*BINARY_COLORS[0])  # blue, as negative values everywhere in the lab
POSITIVE = QColor(*BINARY_COLORS[1])  # red


class CanvasLink(QGraphicsPathItem):
    """A curve from one neuron to another that stands for one weight (or a summary of several).

    ``param`` and ``index`` name the weight ("1.W", (row, col)); ``editable`` says whether
    clicking may change it (single dense or recurrent weights; a conv kernel or a bundle
    is read-only). The canvas gives ``on_hover(link, entered)`` and ``on_click(link, pos)``
    callbacks: scene items cannot hold Qt signals without being QObjects, and a network
    has hundreds of links.
    """

    def __init__(self, start: QPointF, end: QPointF, param: str, index: tuple, editable: bool = True,
                 on_hover=None, on_click=None, describe=None):
        super().__init__()
        self.param = param
        self.index = tuple(index)
        self.editable = editable
        self.value = 0.0
        self._level = 1.0
        self._hover = False
        self._style = None
        self._on_hover = on_hover
        self._on_click = on_click
        self._describe = describe
        path = QPainterPath(start)
        dx = (end.x() - start.x()) * 0.5
        path.cubicTo(QPointF(start.x() + dx, start.y()), QPointF(end.x() - dx, end.y()), end)
        self.setPath(path)
        stroker = QPainterPathStroker()
        stroker.setWidth(7)  # a thin link is still easy to point at
        self._shape = stroker.createStroke(path)
        self.setAcceptHoverEvents(True)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setZValue(-1)
        if editable:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._restyle()

    def set_weight(self, value: float, level: float) -> None:
        """Show ``value`` on the scale where ``level`` is the largest |weight| drawn."""
        self.value = float(value)
        self._level = float(level) if level > 0 else 1.0
        self._restyle()

    def strength(self) -> float:
        """|weight| / level in 0..1: how bold the link is drawn."""
        if not math.isfinite(self.value):
            return 1.0
        return min(1.0, abs(self.value) / self._level)

    def pen_width(self) -> float:
        """The width the link is drawn with."""
        return self.pen().widthF()

    def pen_color(self) -> QColor:
        """The colour the link is drawn with."""
        return self.pen().color()

    def _restyle(self) -> None:
        # 48 steps of boldness look continuous; skipping unchanged styles spares a repaint
        # of every link on every snapshot while training
        s = round(self.strength() * 48) / 48
        style = (self.value < 0, s, self._hover)
        if style == self._style:
            return
        self._style = style
        colour = QColor(NEGATIVE if self.value < 0 else POSITIVE)
        # faint links stay visible on white, strong ones opaque
        colour.setAlphaF(0.18 + 0.82 * s)
        width = 0.6 + 5.4 * s
        if self._hover:
            width += 2.0
            colour.setAlphaF(1.0)
        pen = QPen(colour, width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        self.setPen(pen)

    def describe(self) -> str:
        """The sentence about this weight (the tooltip)."""
        return self._describe(self) if self._describe else f"{self.param}{list(self.index)} = {self.value:.4g}"

    def shape(self) -> QPainterPath:
        return self._shape

    def hoverEnterEvent(self, event) -> None:  # noqa: N802
        # written on entering rather than on every weight change: hundreds of links change
        # many times a second, and only the one pointed at needs its sentence
        self.setToolTip(self.describe())
        self._hover = True
        self.setZValue(0)
        self._restyle()
        if self._on_hover:
            self._on_hover(self, True)

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802
        self._hover = False
        self.setZValue(-1)
        self._restyle()
        if self._on_hover:
            self._on_hover(self, False)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        event.accept()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if self._on_click:
            self._on_click(self, event.scenePos())
        event.accept()
