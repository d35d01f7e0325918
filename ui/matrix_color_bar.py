"""A vertical colour bar for the matrix lab's diverging scale, labelled −v, 0 and +v."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from engine.explain import fmt
from ui.matrix_colors import STOPS


class MatrixColorBar(QWidget):
    """Shows the colour scale from −level (bottom) to +level (top), with the values written.

    ``strength`` matches the fading of grid cells (1 for heatmaps) so the bar shows
    exactly the colours on screen.
    """

    def __init__(self, parent: QWidget | None = None, strength: float = 1.0):
        super().__init__(parent)
        self.setObjectName("matrixColorBar")
        self._level = 1.0
        self._strength = strength
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(80)
        self.setToolTip("Colour scale: blue below zero, white at zero, red above zero.")

    def set_level(self, level: float) -> None:
        """Label the ends of the bar ±level."""
        self._level = float(level)
        self.update()

    def set_strength(self, strength: float) -> None:
        """Fade the colours toward white as grid cells do (1 = full colour)."""
        self._strength = float(strength)
        self.update()

    def level(self) -> float:
        """The level shown (the bar spans −level … +level)."""
        return self._level

    def labels(self) -> tuple[str, str, str]:
        """The texts at the top, middle and bottom of the bar."""
        return fmt(self._level), "0", fmt(-self._level)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(70, 200)

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        fm = p.fontMetrics()
        pad = fm.height() // 2 + 2
        bar = QRectF(4, pad, 14, max(10, self.height() - 2 * pad))
        gradient = QLinearGradient(bar.topLeft(), bar.bottomLeft())
        for pos, (r, g, b) in STOPS:
            s = self._strength
            colour = QColor(*(int(round(255 - s * (255 - c))) for c in (r, g, b)))
            # Positions run top (high values) to bottom (low values).
            gradient.setColorAt(1.0 - pos, colour)
        p.fillRect(bar, gradient)
        p.setPen(QPen(self.palette().color(self.foregroundRole()), 1))
        p.drawRect(bar)
        top, mid, bottom = self.labels()
        x = int(bar.right()) + 5
        for text, y in ((top, bar.top()), (mid, bar.center().y()), (bottom, bar.bottom())):
            p.drawLine(int(bar.right()), int(y), int(bar.right()) + 3, int(y))
            p.drawText(x, int(y + fm.ascent() / 2 - 1), text)
        p.end()
