"""A slim block in the network canvas for layers without neurons of their own: pooling, flatten, dropout."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from ui.canvas_style import CanvasItem, use_font
from ui.canvas_theme import colour

FILLS = {"maxpool2d": "block_pool", "avgpool2d": "block_pool", "flatten": "block_flatten", "dropout": "block_dropout"}


class CanvasBlock(CanvasItem):
    """A tall narrow rounded box with its text written upwards, e.g. "max pool 2×2 → 4×4×4".

    Clicking emits ``clicked(layer)`` so the canvas can open the layer's settings.
    """

    clicked = Signal(int)

    def __init__(self, layer: int, kind: str, text: str, height: float, width: float = 30.0, parent=None):
        super().__init__(parent)
        self.layer = int(layer)
        self.kind = kind
        self._text = text
        self._w = float(width)
        self._h = float(height)
        self._highlight = False
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(f"{text}. Click for its settings.")
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)  # static while training

    def text(self) -> str:
        """The words written on the block."""
        return self._text

    def set_highlight(self, on: bool) -> None:
        """Outline the block (selected or traced)."""
        self._highlight = bool(on)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return QRectF(-1, -1, self._w + 2, self._h + 2)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(0, 0, self._w, self._h)
        painter.setBrush(colour(FILLS.get(self.kind, "block_other")))
        strong = self._hover or self._highlight
        painter.setPen(QPen(colour("accent" if strong else "block_edge"), 2.0 if strong else 1.0))
        painter.drawRoundedRect(rect, 6, 6)
        painter.save()
        painter.translate(rect.center())
        painter.rotate(-90)
        use_font(painter, 9)
        painter.drawText(QRectF(-self._h / 2, -self._w / 2, self._h, self._w), Qt.AlignmentFlag.AlignCenter, self._text)
        painter.restore()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if self.boundingRect().contains(event.pos()):
            self.clicked.emit(self.layer)
        event.accept()
