"""A titled heatmap for the matrix challenges: one matrix on the lab's diverging scale."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from engine.explain import fmt
from ui.matrix_colors import lut, symmetric_level


class ChallengeHeatmap(QWidget):
    """A matrix as pixels (rows down, columns across), with a title and a hover read-out.

    The pixels stretch to fill the plot (a 32×64 weight matrix would otherwise leave
    half of it empty); the axes still number rows and columns.

    ``set_matrix(a, level=None)`` colours −level … +level (default: the largest |value|)
    on the diverging scale, so zero is white. ``set_mask(mask)`` greys out the entries
    where ``mask`` is False (zeros of a sparse matrix, for instance). Emits ``hovered``
    (row, column, value), 0-based, as the mouse moves over it, and ``clicked`` (row,
    column) when a cell is clicked.
    """

    hovered = Signal(int, int, float)
    clicked = Signal(int, int)

    def __init__(self, title: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("challengeHeatmap")
        self._a = np.zeros((1, 1))
        self._level = 1.0
        self.title = QLabel(title, self)
        self.title.setObjectName("heatmapTitle")
        self.title.setStyleSheet("font-weight: 600;")
        self.plot = pg.PlotWidget(self)
        self.plot.setBackground("w")
        self.plot.setMinimumSize(120, 120)
        self.plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        item = self.plot.getPlotItem()
        item.invertY(True)
        item.hideButtons()
        item.setMenuEnabled(False)
        item.setMouseEnabled(False, False)
        for axis in ("left", "bottom"):
            item.getAxis(axis).setPen("#999")
            item.getAxis(axis).setTextPen("#444")
        self._backdrop = pg.QtWidgets.QGraphicsRectItem()
        self._backdrop.setBrush(pg.mkBrush("#e4e4e4"))  # shows through masked (transparent) pixels
        self._backdrop.setPen(pg.mkPen(None))
        item.addItem(self._backdrop)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(lut(256))
        item.addItem(self.image)
        self.readout = QLabel(" ", self)
        self.readout.setObjectName("heatmapReadout")
        self.readout.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.readout)
        self._mask = None
        self.plot.scene().sigMouseMoved.connect(self._mouse_moved)
        self.plot.scene().sigMouseClicked.connect(self._mouse_clicked)

    def set_title(self, text: str) -> None:
        """The caption above the heatmap."""
        self.title.setText(text)

    def set_matrix(self, array, level: float | None = None, mask=None) -> None:
        """Show a 2-D array (a 1-D one as a row); ``mask`` False entries draw grey."""
        a = np.asarray(array, dtype=np.float64)
        if a.ndim == 1:
            a = a[None, :]
        if a.ndim != 2 or a.size == 0:
            a = np.zeros((1, 1))
        self._a = a
        self._mask = None if mask is None else np.asarray(mask, dtype=bool).reshape(a.shape)
        self._level = symmetric_level(a) if level is None else (float(level) if level > 0 else 1.0)
        shown = np.where(np.isfinite(a), a, np.nan)
        if self._mask is not None:
            shown = np.where(self._mask, shown, np.nan)
        rows, cols = a.shape
        self.image.setImage(shown, levels=(-self._level, self._level), autoLevels=False)
        rect = QRectF(0.5, 0.5, cols, rows)
        self.image.setRect(rect)
        self._backdrop.setRect(rect)
        self.plot.getPlotItem().getViewBox().setRange(rect, padding=0.02)

    def matrix(self) -> np.ndarray:
        """The matrix shown."""
        return self._a

    def level(self) -> float:
        """Colours span −level … +level."""
        return self._level

    def show_cell(self, row: int, column: int) -> None:
        """Write the read-out for a cell (0-based) and emit ``hovered``."""
        v = float(self._a[row, column])
        self.readout.setText(f"row {row + 1}, column {column + 1}: {fmt(v)}")
        self.hovered.emit(row, column, v)

    def cell_at(self, scene_pos):
        """The (row, column), 0-based, under a scene position, or None outside the matrix."""
        vb = self.plot.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = vb.mapSceneToView(scene_pos)
        col, row = int(math.floor(p.x() - 0.5)), int(math.floor(p.y() - 0.5))
        if 0 <= row < self._a.shape[0] and 0 <= col < self._a.shape[1]:
            return row, col
        return None

    def _mouse_moved(self, pos) -> None:
        cell = self.cell_at(pos)
        if cell is not None:
            self.show_cell(*cell)

    def _mouse_clicked(self, event) -> None:
        cell = self.cell_at(event.scenePos())
        if cell is not None:
            self.clicked.emit(*cell)
