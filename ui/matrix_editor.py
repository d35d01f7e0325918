"""The matrix editor: a coloured grid of cells, shape controls, fill presets and a colour bar."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from engine.errors import shape_str
from ui.matrix_color_bar import MatrixColorBar
from ui.matrix_heatmap import MatrixHeatmap
from ui.matrix_table_model import CELL_STRENGTH, MatrixTableModel

#: Beyond this many rows or columns the grid gives way to a heatmap.
GRID_LIMIT = 40
#: The largest shape the spin boxes offer (the app refuses what the device cannot hold).
MAX_SIDE = 4096

#: (key, label) of the fill presets; the app turns a key into numbers.
PRESETS = (
    ("zeros", "Zeros"),
    ("ones", "Ones"),
    ("identity", "Identity"),
    ("diagonal", "Diagonal 1, 2, 3, …"),
    ("range", "Range 1, 2, 3, …"),
    ("integers", "Random integers −9 … 9"),
    ("uniform", "Random uniform [−1, 1)"),
    ("normal", "Random normal (0, 1)"),
)
RANDOM_PRESETS = ("integers", "uniform", "normal")


class MatrixEditor(QWidget):
    """Edits one named matrix: cells in a grid (a heatmap when large), shape, fill presets.

    It shows what ``set_matrix`` gives it and reports what a person asks for as
    signals; it never changes the shape or fills by itself (the app does, through
    its undo stack, then calls ``set_matrix`` again). A cell edit is the exception:
    the grid shows the new value at once and ``cellEdited(row, column, old, new)``
    tells the app.
    """

    cellEdited = Signal(int, int, float, float)
    editRejected = Signal(str)
    shapeRequested = Signal(int, int)
    fillRequested = Signal(str, int)
    insertRequested = Signal(str, int)  # "row"|"column", index to insert before
    removeRequested = Signal(str, int, int)  # "row"|"column", first index, count
    clearRequested = Signal(int, int, int, int)  # top, left, bottom, right (inclusive)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("matrixEditor")
        self._name = ""

        self.title = QLabel("No matrix", self)
        self.title.setObjectName("matrixEditorTitle")
        self.title.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.flag_label = QLabel(self)
        self.flag_label.setObjectName("nonfiniteFlag")
        self.flag_label.setStyleSheet(
            "color: #7a0000; background: #ffd84d; border-radius: 3px; padding: 1px 6px;"
        )
        self.flag_label.hide()

        self.rows_spin = self._spin("Rows")
        self.cols_spin = self._spin("Columns")
        self.preset_combo = QComboBox(self)
        self.preset_combo.setObjectName("presetCombo")
        for key, label in PRESETS:
            self.preset_combo.addItem(label, key)
        self.seed_spin = QSpinBox(self)
        self.seed_spin.setObjectName("seedSpin")
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setToolTip("The same seed gives the same random numbers.")
        self.fill_button = QPushButton("Fill", self)
        self.fill_button.setObjectName("fillButton")
        self.fill_button.setToolTip("Replace every cell with the chosen pattern (undo brings them back).")

        self.model = MatrixTableModel(parent=self)
        self.view = QTableView(self)
        self.view.setObjectName("matrixGrid")
        self.view.setModel(self.model)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.clear_action = QAction("Set selected cells to 0", self.view)
        self.clear_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.clear_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.clear_action.triggered.connect(self._clear_selection)
        self.view.addAction(self.clear_action)
        for header, size in ((self.view.horizontalHeader(), 72), (self.view.verticalHeader(), 30)):
            header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            header.setDefaultSectionSize(size)
            header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        self.view.setStyleSheet("QTableView { gridline-color: #d0d0d0; font-size: 11pt; }")
        self.heatmap = MatrixHeatmap(self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.heatmap)
        self.color_bar = MatrixColorBar(self, strength=CELL_STRENGTH)

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addSpacing(12)
        top.addWidget(self.flag_label)
        top.addStretch(1)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Rows", self))
        controls.addWidget(self.rows_spin)
        controls.addSpacing(6)
        controls.addWidget(QLabel("Columns", self))
        controls.addWidget(self.cols_spin)
        controls.addSpacing(24)
        controls.addWidget(QLabel("Fill with", self))
        controls.addWidget(self.preset_combo)
        self.seed_label = QLabel("seed", self)
        controls.addWidget(self.seed_label)
        controls.addWidget(self.seed_spin)
        controls.addWidget(self.fill_button)
        controls.addStretch(1)
        self.color_bar.setMaximumHeight(320)
        self.color_bar.setMinimumHeight(160)
        body = QHBoxLayout()
        self.body = body
        body.addWidget(self.stack, 1)
        body.addWidget(self.color_bar, 0, Qt.AlignmentFlag.AlignTop)
        self.body_stretch = QWidget(self)  # soaks up width beside a small grid
        body.addWidget(self.body_stretch, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addLayout(controls)
        layout.addLayout(body, 1)
        # Takes the height a small grid leaves, so the grid stays under the controls.
        layout.addStretch(0)

        self.model.cellEdited.connect(self.cellEdited)
        self.model.cellEdited.connect(lambda *_: self._refresh_decorations())
        self.model.editRejected.connect(self.editRejected)
        self.rows_spin.valueChanged.connect(self._shape_spun)
        self.cols_spin.valueChanged.connect(self._shape_spun)
        self.fill_button.clicked.connect(self._fill_clicked)
        self.preset_combo.currentIndexChanged.connect(self._preset_changed)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self._preset_changed()
        self.set_matrix("", np.zeros((0, 0)))

    def _spin(self, what: str) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setObjectName(f"{what.lower()}Spin")
        spin.setRange(1, MAX_SIDE)
        # Only a finished entry (Enter, focus out, arrows) changes the shape: typing
        # "12" must not pass through a 1-row matrix on the way.
        spin.setKeyboardTracking(False)
        spin.setToolTip(f"{what}: cells added are 0; cells cut off come back with undo.")
        return spin

    # -- plain-data interface ---------------------------------------------------

    def set_matrix(self, name: str, array) -> None:
        """Show matrix ``name``; a grid up to GRID_LIMIT per side, a heatmap beyond."""
        a = np.asarray(array, dtype=np.float64)
        if a.ndim == 1:
            a = a.reshape(1, -1)
        self._name = name
        self.model.set_name(name)
        self.model.set_array(a)
        has = a.size > 0 or bool(name)
        self.title.setText(f"{name}   ({shape_str(a.shape)})" if has else "No matrix")
        for spin, n in ((self.rows_spin, a.shape[0]), (self.cols_spin, a.shape[1])):
            spin.blockSignals(True)
            spin.setValue(max(1, n))
            spin.blockSignals(False)
        for w in (self.rows_spin, self.cols_spin, self.fill_button, self.preset_combo, self.view):
            w.setEnabled(bool(name))
        big = max(a.shape) > GRID_LIMIT if a.size else False
        if big:
            self.heatmap.set_matrix(a, name, self.model.level())
            self.stack.setCurrentWidget(self.heatmap)
            self.stack.setMaximumSize(16777215, 16777215)
        else:
            self.stack.setCurrentWidget(self.view)
            # Hug a small grid so the colour bar sits beside it, not across the window.
            h, v = self.view.horizontalHeader(), self.view.verticalHeader()
            frame = 2 * self.view.frameWidth()
            width = v.sizeHint().width() + a.shape[1] * h.defaultSectionSize() + frame
            height = h.sizeHint().height() + a.shape[0] * v.defaultSectionSize() + frame
            self.stack.setMaximumSize(max(width, 120), max(height, 80))
        self.body_stretch.setVisible(not big)
        # A small grid sits at the top beside the bar; a heatmap takes the whole height.
        self.body.setAlignment(self.stack, Qt.AlignmentFlag(0) if big else Qt.AlignmentFlag.AlignTop)
        self.color_bar.set_strength(1.0 if big else CELL_STRENGTH)
        self._refresh_decorations()

    def set_value(self, row: int, column: int, value: float) -> None:
        """Change one shown cell (undo/redo of a cell edit)."""
        self.model.set_value(row, column, value)
        if self.is_heatmap():
            self.heatmap.set_matrix(self.model.array(), self._name, self.model.level())
        self._refresh_decorations()

    def name(self) -> str:
        """The name of the matrix shown ('' when none)."""
        return self._name

    def array(self) -> np.ndarray:
        """A copy of the matrix shown."""
        return self.model.array()

    def is_heatmap(self) -> bool:
        """True when the matrix is shown as a heatmap rather than a grid."""
        return self.stack.currentWidget() is self.heatmap

    def current_cell(self) -> tuple[int, int]:
        """The focused cell (0-based), (0, 0) when none."""
        idx = self.view.currentIndex()
        return (idx.row(), idx.column()) if idx.isValid() else (0, 0)

    def selected_block(self):
        """(top, left, bottom, right), inclusive and 0-based, around the selection; None if none."""
        indexes = self.view.selectionModel().selectedIndexes()
        if not indexes:
            return None
        rows = [i.row() for i in indexes]
        cols = [i.column() for i in indexes]
        return min(rows), min(cols), max(rows), max(cols)

    def select_block(self, top: int, left: int, bottom: int, right: int) -> None:
        """Select a rectangle of cells (inclusive, 0-based) and focus its top-left cell."""
        sel = QItemSelection(self.model.index(top, left), self.model.index(bottom, right))
        sm = self.view.selectionModel()
        sm.select(sel, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        sm.setCurrentIndex(self.model.index(top, left), QItemSelectionModel.SelectionFlag.NoUpdate)

    # -- reactions ----------------------------------------------------------------

    def _refresh_decorations(self) -> None:
        self.color_bar.set_level(self.model.level())
        bad = self.model.nonfinite_count()
        if bad:
            entries = "entry is" if bad == 1 else "entries are"
            self.flag_label.setText(f"⚠ {bad} {entries} NaN or infinity (amber cells)")
        self.flag_label.setVisible(bool(bad))

    def _shape_spun(self) -> None:
        rows, cols = self.rows_spin.value(), self.cols_spin.value()
        if (rows, cols) != self.model.array().shape and self._name:
            self.shapeRequested.emit(rows, cols)

    def _fill_clicked(self) -> None:
        self.fillRequested.emit(self.preset_combo.currentData(), self.seed_spin.value())

    def _preset_changed(self) -> None:
        random = self.preset_combo.currentData() in RANDOM_PRESETS
        self.seed_spin.setEnabled(random)
        self.seed_label.setEnabled(random)

    def _clear_selection(self) -> None:
        block = self.selected_block()
        if block is not None and self._name:
            self.clearRequested.emit(*block)

    def _context_menu(self, pos) -> None:
        menu = self.context_menu()
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def context_menu(self) -> QMenu:
        """The grid's right-click menu for the current selection (built fresh each time)."""
        menu = QMenu(self)
        block = self.selected_block() or (*self.current_cell(), *self.current_cell())
        top, left, bottom, right = block
        nrows, ncols = bottom - top + 1, right - left + 1
        shape = self.model.array().shape

        def add(text, slot, enabled=True):
            action = QAction(text, menu)
            action.triggered.connect(slot)
            action.setEnabled(enabled)
            menu.addAction(action)

        add("Set selected cells to 0", self._clear_selection, self.selected_block() is not None)
        menu.addSeparator()
        add(f"Insert row above row {top + 1}", lambda: self.insertRequested.emit("row", top))
        add(f"Insert row below row {bottom + 1}", lambda: self.insertRequested.emit("row", bottom + 1))
        add(
            f"Delete {'row' if nrows == 1 else 'rows'} {top + 1}" + ("" if nrows == 1 else f"–{bottom + 1}"),
            lambda: self.removeRequested.emit("row", top, nrows),
            nrows < shape[0],
        )
        menu.addSeparator()
        add(f"Insert column left of column {left + 1}", lambda: self.insertRequested.emit("column", left))
        add(f"Insert column right of column {right + 1}", lambda: self.insertRequested.emit("column", right + 1))
        add(
            f"Delete {'column' if ncols == 1 else 'columns'} {left + 1}" + ("" if ncols == 1 else f"–{right + 1}"),
            lambda: self.removeRequested.emit("column", left, ncols),
            ncols < shape[1],
        )
        return menu
