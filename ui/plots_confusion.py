"""The confusion matrix of a classifier on the test set: true classes down, predicted across."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.canvas_theme import colour


class ConfusionMatrixPlot(QWidget):
    """A K×K grid: cell (i, j) counts test samples of class i the network calls class j.

    Cells are shaded by their share of the row (how the true class i is spread), so a
    good classifier shows a dark diagonal whatever the class sizes. ``set_matrix(counts,
    class_names)`` takes the counts computed by the app.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("confusionMatrixPlot")
        self._counts = np.zeros((0, 0), dtype=np.int64)
        self._names: list = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 160)

    def set_matrix(self, counts, class_names=None) -> None:
        """The (K, K) counts and optional class names."""
        self._counts = np.asarray(counts, dtype=np.int64)
        k = self._counts.shape[0]
        self._names = [str(n) for n in class_names] if class_names is not None else [str(i) for i in range(k)]
        self.update()

    def counts(self) -> np.ndarray:
        """The counts shown."""
        return self._counts

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(320, 320)

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        background = colour("background")
        p.fillRect(self.rect(), background)
        k = self._counts.shape[0]
        if k == 0:
            p.setPen(colour("muted"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "The confusion matrix appears when a classifier trains.")
            p.end()
            return
        total = int(self._counts.sum())
        correct = int(np.trace(self._counts))
        margin_l, margin_t = 62.0, 40.0
        side = max(10.0, min(self.width() - margin_l - 10, self.height() - margin_t - 26))
        cell = side / k
        font = QFont(p.font())
        font.setPointSizeF(max(6.5, min(10.0, cell * 0.32)))
        p.setFont(font)
        p.setPen(colour("text"))
        acc = f"accuracy {100.0 * correct / total:.1f}% of {total}" if total else "no test samples"
        p.drawText(QRectF(margin_l, 2, self.width() - margin_l - 4, 16),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"predicted class →   ({acc})")
        p.save()
        p.translate(12, margin_t + side / 2)
        p.rotate(-90)
        p.drawText(QRectF(-side / 2, -8, side, 16), Qt.AlignmentFlag.AlignCenter, "true class →")
        p.restore()
        rows = self._counts.sum(axis=1, keepdims=True).astype(float)
        share = np.divide(self._counts, rows, out=np.zeros(self._counts.shape), where=rows > 0)
        for i in range(k):
            p.setPen(colour("text"))
            p.drawText(QRectF(margin_l - 28, margin_t + i * cell, 24, cell),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, self._names[i][:6])
            p.drawText(QRectF(margin_l + i * cell, margin_t - 18, cell, 16), Qt.AlignmentFlag.AlignCenter,
                       self._names[i][:6])
            for j in range(k):
                s = float(share[i, j])
                # diagonal in green, mistakes in red: at a glance where the network errs
                # (from the background: an empty cell is the board itself)
                base = (46, 125, 50) if i == j else (192, 57, 43)
                bg = (background.red(), background.green(), background.blue())
                fill = QColor(*(int(b - s * (b - c)) for b, c in zip(bg, base)))
                rect = QRectF(margin_l + j * cell, margin_t + i * cell, cell, cell)
                p.fillRect(rect, fill)
                p.setPen(QPen(colour("grid"), 1))
                p.drawRect(rect)
                if cell >= 16:
                    p.setPen(QColor("white") if s > 0.55 else colour("text"))
                    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(int(self._counts[i, j])))
        p.end()
