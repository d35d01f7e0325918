"""Convolution networks: the feature maps of every conv and pool layer for one chosen image,
and the filters each conv layer has learned."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFont, QPainter, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollArea, QSizePolicy, QSpinBox, QVBoxLayout, QWidget

from ui.canvas_theme import colour
from ui.plots_palette import DIVERGING_LUT, GREY_LUT, array_to_qimage

TITLE_W = 120.0
MAX_CELL = 54.0
MIN_CELL = 22.0
ROW_GAP = 10.0


class _MapRows(QWidget):
    """Paints rows of small maps, each row titled: one QPainter pass instead of hundreds of widgets."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list = []  # (title, maps (n, h, w), table, levels)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def _cell(self, n: int) -> float:
        room = max(self.width() - TITLE_W - 8, 100)
        return max(MIN_CELL, min(MAX_CELL, room / max(n, 1) - 4))

    def _row_height(self, n: int) -> float:
        cell = self._cell(n)
        per_line = max(1, int((self.width() - TITLE_W - 8) // (cell + 4)))
        lines = (n + per_line - 1) // per_line
        return lines * (cell + 4) + ROW_GAP

    def refresh(self) -> None:
        height = sum(self._row_height(len(r[1])) for r in self.rows) + 6
        self.setMinimumHeight(int(height))
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(400, int(sum(self._row_height(len(r[1])) for r in self.rows) + 6))

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.refresh()

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), colour("background"))
        font = QFont(p.font())
        font.setPointSizeF(8.5)
        p.setFont(font)
        y = 4.0
        for title, maps, table, levels in self.rows:
            n = len(maps)
            cell = self._cell(n)
            per_line = max(1, int((self.width() - TITLE_W - 8) // (cell + 4)))
            p.setPen(colour("text"))
            p.drawText(QRectF(2, y, TITLE_W - 8, cell), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
                       | Qt.TextFlag.TextWordWrap, title)
            for j, m in enumerate(maps):
                r, c = divmod(j, per_line)
                rect = QRectF(TITLE_W + c * (cell + 4), y + r * (cell + 4), cell, cell)
                p.drawImage(rect, array_to_qimage(m, levels[0], levels[1], table))
                p.setPen(QPen(colour("frame"), 1))
                p.drawRect(rect)
            y += self._row_height(n)
        p.end()


class FeatureMapsPlot(QWidget):
    """Rows of maps: the input image, then each conv/pool layer's maps, then the learned filters.

    ``set_maps(input_image, [(title, maps (C, H, W)), ...])`` and
    ``set_filters([(title, W (F, C, k, k)), ...])``; the image spin box emits
    ``sampleChanged(index)`` so the app sends the maps of another image.
    """

    sampleChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("featureMapsPlot")
        self.sample = QSpinBox(self)
        self.sample.setObjectName("featureMapsSample")
        self.sample.setPrefix("test image ")
        self.sample.setRange(1, 1)
        self.sample.setToolTip("Which test image to follow through the network.")
        self.sample.valueChanged.connect(lambda v: self.sampleChanged.emit(v - 1))
        self.prediction = QLabel(self)
        self.prediction.setObjectName("featureMapsPrediction")
        self.prediction.setTextFormat(Qt.TextFormat.RichText)
        self.prediction.setWordWrap(True)
        self.setToolTip("Maps: blue below zero, white zero, red above. Filters: each k×k kernel, "
                        "averaged over the input channels.")
        self.rows = _MapRows(self)
        self._maps_rows: list = []
        self._filter_rows: list = []
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.rows)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        top = QHBoxLayout()
        top.addWidget(self.sample)
        top.addWidget(self.prediction, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)

    def set_sample_count(self, n: int) -> None:
        """How many images the spin box offers."""
        self.sample.blockSignals(True)
        self.sample.setRange(1, max(1, int(n)))
        self.sample.blockSignals(False)

    def set_prediction(self, text: str) -> None:
        """A line about the chosen image, e.g. 'digit 3 · predicted 3 (97 %)'."""
        self.prediction.setText(text)

    def set_maps(self, input_image, layers) -> None:
        """The chosen image (H, W) in 0..1 and each layer's maps for it."""
        rows = []
        if input_image is not None:
            img = np.asarray(input_image)
            rows.append(("input image", img[None] if img.ndim == 2 else img, GREY_LUT, (0.0, max(1.0, float(img.max())))))
        for title, maps in layers:
            maps = np.asarray(maps)
            rows.append((title, maps, DIVERGING_LUT, _sym(maps)))
        self._maps_rows = rows
        self._refresh()

    def set_filters(self, filters) -> None:
        """Each conv layer's weights (F, C, k, k), drawn one k×k kernel per filter (mean over C)."""
        rows = []
        for title, w in filters:
            kernels = np.asarray(w).mean(axis=1)
            rows.append((title, kernels, DIVERGING_LUT, _sym(kernels)))
        self._filter_rows = rows
        self._refresh()

    def row_titles(self) -> list:
        """The titles of the rows drawn (for tests)."""
        return [r[0] for r in self.rows.rows]

    def _refresh(self) -> None:
        self.rows.rows = self._maps_rows + self._filter_rows
        self.rows.refresh()


def _sym(a: np.ndarray) -> tuple:
    finite = a[np.isfinite(a)]
    v = float(np.abs(finite).max()) if finite.size else 1.0
    return (-v, v) if v > 0 else (-1.0, 1.0)
