"""The dense grid of a sparse matrix: numbers in cells, non-zeros coloured, zeros dimmed."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStackedWidget, QTableWidget, QTableWidgetItem, \
    QVBoxLayout, QWidget

from engine.explain import fmt
from ui.challenge_heatmap import ChallengeHeatmap
from ui.matrix_colors import color_for, symmetric_level

#: up to this many rows and columns the grid shows numbers; beyond, a heatmap
GRID_ROWS = 40
GRID_COLS = 24
ZERO_TEXT = QColor(185, 185, 185)
SELECTED = QColor(255, 200, 0)


class SparseGrid(QWidget):
    """A matrix with its stored entries standing out.

    Small matrices show as a grid of numbers, non-zeros on their colour from the
    diverging scale and zeros as faint dots; large ones as a heatmap with zeros grey.
    Clicking a cell emits ``cellSelected(row, column)`` (0-based).
    """

    cellSelected = Signal(int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sparseGrid")
        self._a = np.zeros((0, 0))
        self.table = QTableWidget(self)
        self.table.setObjectName("sparseGridTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setMinimumSectionSize(24)
        self.table.horizontalHeader().setDefaultSectionSize(40)
        self.table.verticalHeader().setDefaultSectionSize(20)
        self.table.setStyleSheet("QTableWidget { gridline-color: #ddd; font-size: 8pt; }")
        self.heatmap = ChallengeHeatmap("", self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.heatmap)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.table.cellClicked.connect(self.cellSelected)
        self.heatmap.clicked.connect(self.cellSelected)

    def is_grid(self) -> bool:
        """True when numbers are shown (small matrix), False for the heatmap."""
        return self.stack.currentWidget() is self.table

    def set_matrix(self, array) -> None:
        """Show ``array``; its non-zero entries are the stored ones."""
        a = np.asarray(array, dtype=np.float64)
        self._a = a
        rows, cols = a.shape
        if rows > GRID_ROWS or cols > GRID_COLS:
            self.heatmap.set_matrix(a, mask=a != 0)
            self.stack.setCurrentWidget(self.heatmap)
            return
        level = symmetric_level(a)
        t = self.table
        t.setUpdatesEnabled(False)
        t.clear()
        t.setRowCount(rows)
        t.setColumnCount(cols)
        t.setHorizontalHeaderLabels([str(j) for j in range(cols)])
        t.setVerticalHeaderLabels([str(i) for i in range(rows)])
        for i in range(rows):
            for j in range(cols):
                v = a[i, j]
                if v != 0:
                    item = QTableWidgetItem(f"{v:.2g}")
                    item.setBackground(QBrush(color_for(v, level, strength=0.65)))
                    item.setToolTip(f"stored: row {i}, column {j} = {fmt(v)}")
                else:
                    item = QTableWidgetItem("·")
                    item.setForeground(QBrush(ZERO_TEXT))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                t.setItem(i, j, item)
        t.resizeColumnsToContents()
        t.setUpdatesEnabled(True)
        self.stack.setCurrentWidget(self.table)

    def matrix(self) -> np.ndarray:
        """The matrix shown."""
        return self._a

    def select(self, row: int, column: int) -> None:
        """Select a cell (as a click would) and emit ``cellSelected``."""
        if self.is_grid():
            self.table.setCurrentCell(row, column)
        self.cellSelected.emit(row, column)
