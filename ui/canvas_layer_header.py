"""The header above one layer in the network canvas: its name, +/− for its size, remove, settings."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from ui.canvas_button import CanvasButton
from ui.canvas_style import CanvasItem, use_font
from ui.canvas_theme import colour

WIDTH = 118.0
HEIGHT = 62.0


class CanvasLayerHeader(CanvasItem):
    """Title ("2 · Dense"), a line of settings ("tanh → 8"), and buttons.

    ``count`` (units or filters) gets − and + buttons unless ``fixed_count`` (the output
    layer, whose size the data decides). ``removable`` adds a × button. Clicking the
    title or the settings line emits ``settingsRequested(layer)``.
    """

    settingsRequested = Signal(int)
    removeRequested = Signal(int)
    countChanged = Signal(int, int)  # layer, delta

    def __init__(self, layer: int, title: str, summary: str, shape_text: str, count: int | None,
                 count_word: str = "neurons", removable: bool = True, fixed_count: bool = False, parent=None):
        super().__init__(parent)
        self.layer = int(layer)
        self._title = title
        self._summary = summary
        self._shape_text = shape_text
        self._count = count
        self._count_word = count_word
        self._selected = False
        self._error = False
        self.setToolTip(f"{title}: click for its settings.")
        # text is slow to lay out and a header changes only on hover or selection:
        # repaints while training reuse the cached picture
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.remove_button = None
        self.minus_button = None
        self.plus_button = None
        if removable:
            self.remove_button = CanvasButton("×", f"Remove {title}", 16, self)
            self.remove_button.setPos(WIDTH - 17, 1)
            self.remove_button.clicked.connect(lambda: self.removeRequested.emit(self.layer))
        if count is not None and not fixed_count:
            self.minus_button = CanvasButton("−", f"One {count_word[:-1]} fewer", 18, self)
            self.minus_button.setPos(0, 22)
            self.minus_button.clicked.connect(lambda: self.countChanged.emit(self.layer, -1))
            self.plus_button = CanvasButton("+", f"One {count_word[:-1]} more", 18, self)
            self.plus_button.setPos(WIDTH - 19, 22)
            self.plus_button.clicked.connect(lambda: self.countChanged.emit(self.layer, +1))

    def title(self) -> str:
        """The header's title text."""
        return self._title

    def count_text(self) -> str:
        """The size line, e.g. '8 neurons' (or the output shape for layers without a count)."""
        if self._count is None:
            return self._shape_text
        word = self._count_word if self._count != 1 else self._count_word[:-1]
        return f"{self._count} {word}"

    def set_selected(self, on: bool) -> None:
        """Mark this layer as where the palette inserts next."""
        self._selected = bool(on)
        self.update()

    def set_error(self, on: bool) -> None:
        """Mark this layer as the one a refused edit was about."""
        self._error = bool(on)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return QRectF(-2, -2, WIDTH + 4, HEIGHT + 4)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._selected or self._error or self._hover:
            fill = colour("header_error") if self._error else colour("header_selected" if self._selected else "header_fill")
            edge = colour("error") if self._error else colour("accent")
            painter.setBrush(fill)
            painter.setPen(QPen(edge, 1.5) if (self._selected or self._error) else Qt.PenStyle.NoPen)
            painter.drawRoundedRect(QRectF(-1, -1, WIDTH + 2, HEIGHT + 2), 5, 5)
        use_font(painter, 9.5, bold=True)
        painter.drawText(QRectF(2, 0, WIDTH - 22, 20), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         self._title)
        use_font(painter, 8.5, bold=False, colour=None)
        painter.drawText(QRectF(20, 22, WIDTH - 40, 18), Qt.AlignmentFlag.AlignCenter, self.count_text())
        painter.setPen(colour("muted"))
        painter.drawText(QRectF(0, 42, WIDTH, 18), Qt.AlignmentFlag.AlignCenter, self._summary)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if self.boundingRect().contains(event.pos()):
            self.settingsRequested.emit(self.layer)
        event.accept()
