"""A small round-cornered text button drawn in the network canvas (+, −, ×, ⟳ ...)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from ui.canvas_style import CanvasItem, use_font
from ui.canvas_theme import colour


class CanvasButton(CanvasItem):
    """A clickable scene item showing ``text``; emits ``clicked`` on release inside it.

    Drawn in the scene rather than as a QPushButton so it scales and moves with the
    network it belongs to.
    """

    clicked = Signal()

    def __init__(self, text: str, tooltip: str = "", size: float = 18.0, parent=None, width: float | None = None):
        super().__init__(parent)
        self._text = text
        self._w = float(width or size)
        self._h = float(size)
        self._pressed = False
        self.setToolTip(tooltip)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)  # static while training

    def text(self) -> str:
        """The label on the button."""
        return self._text

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt's name)
        return QRectF(0, 0, self._w, self._h)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill = colour("button_hover") if self._hover else colour("button_fill")
        painter.setPen(QPen(colour("button_edge"), 1))
        painter.setBrush(fill)
        painter.drawRoundedRect(self.boundingRect().adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
        use_font(painter, max(7.0, self._h * 0.5), bold=True)
        painter.drawText(self.boundingRect(), Qt.AlignmentFlag.AlignCenter, self._text)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        self._pressed = True
        event.accept()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        inside = self.boundingRect().contains(event.pos())
        if self._pressed and inside:
            self._pressed = False
            self.clicked.emit()
        self._pressed = False
        event.accept()
