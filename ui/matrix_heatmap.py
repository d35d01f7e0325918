"""A matrix too big for a grid, drawn as a heatmap with a hover read-out of row, column and value."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from engine.explain import fmt
from ui.matrix_colors import NONFINITE_BACKGROUND, lut, symmetric_level


class MatrixHeatmap(QWidget):
    """One pixel per entry, on the lab's diverging scale with explicit symmetric levels.

    Rows run down and columns across, both numbered from 1 as in the grid. NaN and
    infinity show in amber (the background through a transparent pixel). Moving the
    mouse over it writes "Row 12, column 40: 0.5321" below and emits ``hovered``.
    """

    hovered = Signal(int, int, float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("matrixHeatmap")
        self._a = np.zeros((0, 0))
        self._name = "A"
        self._level = 1.0

        self.plot = pg.PlotWidget(self)
        self.plot.setObjectName("matrixHeatmapPlot")
        self.plot.setBackground("w")
        item = self.plot.getPlotItem()
        item.setLabel("left", "row")
        item.setLabel("bottom", "column")
        item.invertY(True)
        item.setAspectLocked(True)
        item.hideButtons()
        item.setMenuEnabled(False)
        for axis in ("left", "bottom"):
            item.getAxis(axis).setPen("#444")
            item.getAxis(axis).setTextPen("#222")
        # Behind the image, so transparent (non-finite) pixels read as amber flags.
        self._backdrop = pg.QtWidgets.QGraphicsRectItem()
        self._backdrop.setBrush(pg.mkBrush(NONFINITE_BACKGROUND))
        self._backdrop.setPen(pg.mkPen(None))
        item.addItem(self._backdrop)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(lut(256))
        item.addItem(self.image)

        self.readout = QLabel("Point at a cell to read its value.", self)
        self.readout.setObjectName("heatmapReadout")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.readout)

        self.plot.scene().sigMouseMoved.connect(self._mouse_moved)

    def set_matrix(self, array, name: str = "A", level: float | None = None) -> None:
        """Show ``array`` (2-D); colours span −level … +level (default: the largest |value|)."""
        a = np.asarray(array, dtype=np.float64)
        self._a = a
        self._name = name
        self._level = symmetric_level(a) if level is None else float(level)
        shown = np.where(np.isfinite(a), a, np.nan)
        rows, cols = a.shape
        self.image.setImage(shown, levels=(-self._level, self._level), autoLevels=False)
        # Pixel centres at 1..n, so the axes read the same row and column numbers as the grid.
        rect = QRectF(0.5, 0.5, max(cols, 1), max(rows, 1))
        self.image.setRect(rect)
        self._backdrop.setRect(rect)
        self.plot.getPlotItem().getViewBox().setRange(rect, padding=0.02)

    def level(self) -> float:
        """The colour level in use (the image's levels are −level … +level)."""
        return self._level

    def levels(self) -> tuple[float, float]:
        """The image's explicit levels."""
        lo, hi = self.image.getLevels()
        return float(lo), float(hi)

    def cell_at(self, x: float, y: float):
        """The (row, column), 0-based, under plot coordinates (x, y), or None outside the matrix."""
        col, row = int(math.floor(x - 0.5)), int(math.floor(y - 0.5))
        if 0 <= row < self._a.shape[0] and 0 <= col < self._a.shape[1]:
            return row, col
        return None

    def show_cell(self, row: int, column: int) -> None:
        """Write the read-out for a cell (0-based) and emit ``hovered``."""
        v = float(self._a[row, column])
        self.readout.setText(f"{self._name}[{row + 1},{column + 1}]  —  row {row + 1}, column {column + 1}: {fmt(v)}")
        self.hovered.emit(row, column, v)

    def _mouse_moved(self, pos) -> None:
        vb = self.plot.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(pos):
            return
        p = vb.mapSceneToView(pos)
        cell = self.cell_at(p.x(), p.y())
        if cell is not None:
            self.show_cell(*cell)
