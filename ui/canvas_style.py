"""What the network canvas's clickable items share: hover tracking and the press they
take (``CanvasItem``), and the way they set up a font to write with (``use_font``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QGraphicsObject

from ui.canvas_theme import colour as theme_colour

#: The ink of the canvas's labels: the theme's "text" colour (see ui.canvas_theme).
TEXT_COLOUR = "text"


class CanvasItem(QGraphicsObject):
    """Base of a left-clickable canvas item: ``_hover`` follows the pointer (with a
    repaint) and the press is accepted, so that the release comes back to the item;
    subclasses emit their signal in ``mouseReleaseEvent``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._hover = False
        self.setAcceptHoverEvents(True)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)

    def hoverEnterEvent(self, event) -> None:  # noqa: N802
        self._hover = True
        self.update()

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802
        self._hover = False
        self.update()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        event.accept()


def use_font(painter: QPainter, size: float, bold: bool | None = None, colour: str | None = TEXT_COLOUR) -> QFont:
    """Write on with the painter's font at ``size`` points (bold or not, when given), in
    ``colour``: a role of ui.canvas_theme or a colour name (None: keep the pen). Returns the font set."""
    font = QFont(painter.font())
    font.setPointSizeF(size)
    if bold is not None:
        font.setBold(bold)
    painter.setFont(font)
    if colour is not None:
        painter.setPen(theme_colour(colour) if not colour.startswith("#") else QColor(colour))
    return font
