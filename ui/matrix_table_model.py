"""A Qt table model over one numpy matrix: editable cells, colours by value, NaN/Inf flagged."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QFont

from engine.explain import fmt
from ui.matrix_colors import NONFINITE_TEXT, color_for, symmetric_level, text_color_on

#: How far cell colours go toward the full scale (1 = heatmap strength); lighter keeps text readable.
CELL_STRENGTH = 0.75

_EXAMPLES = "a number such as 3, -1.5, 2e-3 or 1/3"


def parse_number(text: str) -> float:
    """A cell's text as a float; raises ValueError with a sentence when it is not a number.

    Accepts what people type: ``3``, ``-1.5``, ``2e-3``, ``1/3``, the minus sign ``−``,
    and ``nan``/``inf`` (which the grid then flags).
    """
    raw = str(text)
    t = raw.strip().replace("\u2212", "-").replace(" ", "")
    if not t:
        raise ValueError(f"A cell needs a number; type 0 for zero, or {_EXAMPLES}.")
    try:
        return float(t)
    except ValueError:
        pass
    if t.count("/") == 1:
        num, den = t.split("/")
        try:
            n, d = float(num), float(den)
        except ValueError:
            pass
        else:
            if d == 0:
                raise ValueError(f"'{raw.strip()}' divides by zero; type {_EXAMPLES}.")
            return n / d
    raise ValueError(f"'{raw.strip()}' is not a number; type {_EXAMPLES}.")


class MatrixTableModel(QAbstractTableModel):
    """A numpy matrix as a Qt table: display text, full-precision edit text, colours by value.

    A person's edit (``setData``) changes the cell and emits ``cellEdited(row, column,
    old, new)`` so the app can record it for undo; text that is not a number is
    refused, the old value kept, and ``editRejected(sentence)`` emitted. Programmatic
    changes (``set_array``, ``set_value``) emit nothing but Qt's own change signals.
    Headers are 1-based, as people count rows.
    """

    cellEdited = Signal(int, int, float, float)
    editRejected = Signal(str)

    def __init__(self, array=None, name: str = "A", parent=None):
        super().__init__(parent)
        self._a = np.zeros((0, 0))
        self._name = name
        self._level = 1.0
        self._editable = True
        self._show_text = True
        if array is not None:
            self.set_array(array)

    # -- plain-data interface ---------------------------------------------------

    def array(self) -> np.ndarray:
        """A copy of the matrix shown."""
        return self._a.copy()

    def name(self) -> str:
        """The matrix's workspace name (used in messages)."""
        return self._name

    def set_name(self, name: str) -> None:
        """Rename the matrix shown (the data stays)."""
        self._name = name

    def set_array(self, array) -> None:
        """Show ``array`` (a 2-D array-like, or 1-D as one row), replacing what was there."""
        a = np.array(array, dtype=np.float64)
        if a.ndim == 1:
            a = a.reshape(1, -1)
        if a.ndim != 2:
            raise ValueError(f"A matrix has two dimensions; this array has shape {a.shape}.")
        if a.shape != self._a.shape:
            self.beginResetModel()
            self._a = a
            self._level = symmetric_level(a)
            self.endResetModel()
        else:
            self._a = a
            self._level = symmetric_level(a)
            self._changed_all()

    def value(self, row: int, column: int) -> float:
        """The value at (row, column), 0-based."""
        return float(self._a[row, column])

    def set_value(self, row: int, column: int, value: float) -> None:
        """Set one cell without emitting ``cellEdited`` (undo and redo use this)."""
        self._a[row, column] = value
        level = symmetric_level(self._a)
        if level != self._level:
            # The colour of every cell depends on the level; repaint them all.
            self._level = level
            self._changed_all()
        else:
            idx = self.index(row, column)
            self.dataChanged.emit(idx, idx)

    def level(self) -> float:
        """The colour level v: cells are coloured on the scale −v … +v."""
        return self._level

    def set_editable(self, editable: bool) -> None:
        """Allow or forbid editing (the step-by-step views show read-only matrices)."""
        self._editable = bool(editable)

    def set_show_text(self, show: bool) -> None:
        """Show numbers in cells, or colours only (for matrices too big to read cell by cell)."""
        self._show_text = bool(show)
        self._changed_all()

    def nonfinite_count(self) -> int:
        """How many cells hold NaN or infinity."""
        return int(np.count_nonzero(~np.isfinite(self._a)))

    # -- Qt model interface -----------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else self._a.shape[0]

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self._a.shape[1]

    def flags(self, index):
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._editable and index.isValid():
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        v = float(self._a[index.row(), index.column()])
        if role == Qt.ItemDataRole.DisplayRole:
            return fmt(v) if self._show_text else None
        if role == Qt.ItemDataRole.EditRole:
            # Full precision for editing, so opening and closing an editor changes nothing.
            return repr(v) if not v.is_integer() else fmt(v)
        if role == Qt.ItemDataRole.BackgroundRole:
            return color_for(v, self._level, CELL_STRENGTH)
        if role == Qt.ItemDataRole.ForegroundRole:
            if not math.isfinite(v):
                return NONFINITE_TEXT
            return text_color_on(color_for(v, self._level, CELL_STRENGTH))
        if role == Qt.ItemDataRole.FontRole and not math.isfinite(v):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            where = f"{self._name}[{index.row() + 1},{index.column() + 1}]"
            if math.isnan(v):
                return f"{where} is NaN (not a number): results that use it will be NaN too."
            if math.isinf(v):
                return f"{where} is {'+' if v > 0 else '-'}infinity: results that use it will not be finite."
            return f"{where} = {v!r}"
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or role != Qt.ItemDataRole.EditRole or not self._editable:
            return False
        r, c = index.row(), index.column()
        old = float(self._a[r, c])
        try:
            new = value if isinstance(value, (int, float)) and not isinstance(value, bool) else parse_number(value)
        except ValueError as exc:
            self.editRejected.emit(f"{self._name}[{r + 1},{c + 1}] keeps {fmt(old)}: {exc}")
            return False
        new = float(new)
        if new == old or (math.isnan(new) and math.isnan(old)):
            return True
        self.set_value(r, c, new)
        self.cellEdited.emit(r, c, old, new)
        return True

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        if role == Qt.ItemDataRole.ToolTipRole:
            kind = "Row" if orientation == Qt.Orientation.Vertical else "Column"
            return f"{kind} {section + 1}"
        return None

    def _changed_all(self) -> None:
        if self._a.size:
            self.dataChanged.emit(self.index(0, 0), self.index(self._a.shape[0] - 1, self._a.shape[1] - 1))
