"""The arrays of the COO, CSR and CSC forms of one matrix, side by side, with their bytes."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QGroupBox, QHeaderView, QLabel, QTableWidget, \
    QTableWidgetItem, QVBoxLayout, QWidget

from engine.explain import fmt

#: at most this many positions of each array are listed
SHOWN = 64
HIGHLIGHT = QColor(255, 214, 102)
EXPLAIN = {
    "coo": "entry k is values[k] at (rows[k], cols[k])",
    "csr": "row i owns positions indptr[i] … indptr[i+1]−1; indices are columns",
    "csc": "column j owns positions indptr[j] … indptr[j+1]−1; indices are rows",
}


class SparseFormatsView(QWidget):
    """Three boxes, COO, CSR and CSC, each listing its arrays position by position.

    ``set_formats({"coo": {"rows": …, "cols": …, "values": …}, "csr": {"indptr": …,
    "indices": …, "values": …}, "csc": {…}}, {"coo": bytes, …, "dense": bytes})`` shows
    them; ``highlight(row, column)`` marks, in every form, the entries that store A[row,
    column] and the indptr entries that bound its row (CSR) or column (CSC).
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sparseFormatsView")
        self._arrays: dict = {}
        self.boxes: dict = {}
        self.tables: dict = {}
        self.notes: dict = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for form in ("coo", "csr", "csc"):
            box = QGroupBox(form.upper(), self)
            box.setObjectName(f"formatBox_{form}")
            inner = QVBoxLayout(box)
            inner.setContentsMargins(6, 4, 6, 4)
            note = QLabel(EXPLAIN[form], box)
            note.setStyleSheet("color: palette(placeholder-text);")
            note.setWordWrap(True)
            table = QTableWidget(box)
            table.setObjectName(f"formatTable_{form}")
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
            table.horizontalHeader().setDefaultSectionSize(46)
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            table.setStyleSheet("QTableWidget { font-size: 8pt; gridline-color: #ddd; }")
            table.setFixedHeight(3 * 22 + 28)
            inner.addWidget(note)
            inner.addWidget(table)
            layout.addWidget(box)
            self.boxes[form], self.tables[form], self.notes[form] = box, table, note
        layout.addStretch(1)

    def set_formats(self, formats: dict, nbytes: dict) -> None:
        """Fill the three boxes (see the class docstring)."""
        self._arrays = {f: {k: np.asarray(v) for k, v in arrays.items()} for f, arrays in formats.items()}
        dense = nbytes.get("dense")
        for form, table in self.tables.items():
            arrays = self._arrays.get(form, {})
            size = nbytes.get(form)
            title = form.upper()
            if size is not None and dense:
                title += f" — {size:,} bytes ({size / dense:.0%} of dense {dense:,})"
            self.boxes[form].setTitle(title)
            longest = max((a.size for a in arrays.values()), default=0)
            shown = min(longest, SHOWN)
            table.clear()
            table.setRowCount(len(arrays))
            table.setColumnCount(shown + (1 if longest > SHOWN else 0))
            table.setVerticalHeaderLabels(list(arrays))
            headers = [str(k) for k in range(shown)] + (["…"] if longest > SHOWN else [])
            table.setHorizontalHeaderLabels(headers)
            for r, (name, arr) in enumerate(arrays.items()):
                for k in range(min(arr.size, shown)):
                    v = arr[k]
                    text = f"{float(v):.2g}" if arr.dtype.kind == "f" else str(int(v))
                    item = QTableWidgetItem(text)
                    if arr.dtype.kind == "f":
                        item.setToolTip(fmt(float(v)))
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    table.setItem(r, k, item)
                if arr.size > SHOWN:
                    more = QTableWidgetItem(f"+{arr.size - SHOWN}")
                    more.setToolTip(f"{arr.size - SHOWN} more entries not listed")
                    table.setItem(r, shown, more)
            table.resizeColumnsToContents()

    def arrays(self, form: str) -> dict:
        """The arrays shown for ``form``."""
        return self._arrays.get(form, {})

    def highlighted(self, form: str) -> list:
        """(array name, position) pairs highlighted in ``form``'s table."""
        out = []
        table = self.tables[form]
        for r in range(table.rowCount()):
            for k in range(table.columnCount()):
                item = table.item(r, k)
                if item is not None and item.background().color() == HIGHLIGHT:
                    out.append((table.verticalHeaderItem(r).text(), k))
        return out

    def highlight(self, row: int, column: int) -> None:
        """Mark where each form keeps A[row, column] (see the class docstring)."""
        marks = {f: [] for f in self.tables}
        coo = self._arrays.get("coo")
        if coo:
            hits = np.flatnonzero((coo["rows"] == row) & (coo["cols"] == column))
            marks["coo"] = [(name, int(k)) for k in hits for name in ("rows", "cols", "values")]
        for form, major, minor in (("csr", row, column), ("csc", column, row)):
            arrays = self._arrays.get(form)
            if not arrays:
                continue
            indptr = arrays["indptr"]
            if not 0 <= major < indptr.size - 1:
                continue
            marks[form] = [("indptr", major), ("indptr", major + 1)]
            lo, hi = int(indptr[major]), int(indptr[major + 1])
            for k in range(lo, hi):
                if int(arrays["indices"][k]) == minor:
                    marks[form] += [("indices", k), ("values", k)]
        for form, table in self.tables.items():
            names = list(self._arrays.get(form, {}))
            wanted = {(names.index(n), k) for n, k in marks[form] if n in names}
            first = None
            for r in range(table.rowCount()):
                for k in range(table.columnCount()):
                    item = table.item(r, k)
                    if item is None:
                        continue
                    on = (r, k) in wanted
                    item.setBackground(QBrush(HIGHLIGHT if on else QColor(0, 0, 0, 0)))
                    if on and first is None:
                        first = item
            if first is not None:
                table.scrollToItem(first)
