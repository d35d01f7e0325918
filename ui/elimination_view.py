"""Gaussian elimination step by step: the augmented matrix, the pivot lit up, the row operation written."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from engine.explain import fmt
from ui.step_player import StepPlayer

_PIVOT = QColor(255, 170, 51)
_TARGET = QColor(198, 239, 206)  # the row being changed
_SOURCE = QColor(255, 242, 179)  # the pivot row it borrows from
_SWAP = QColor(189, 215, 238)
_SINGULAR = QColor(255, 199, 206)
_RIGHT = QColor(248, 248, 252)  # the right-hand block, faintly apart
_PLAIN = QColor(255, 255, 255)

_KIND_LABEL = {
    "start": "Start",
    "pivot": "Choose the pivot",
    "swap": "Swap rows",
    "scale": "Scale the pivot row",
    "eliminate": "Clear an entry",
    "singular": "No pivot: singular",
    "done": "Done",
}


class _AugmentedModel(QAbstractTableModel):
    """The augmented matrix of one step, with colours for the pivot and the rows it touches."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.step = None
        self.m = np.zeros((0, 0))
        self.right_label = "I"

    def set_step(self, step, right_label: str) -> None:
        reset = step is None or self.step is None or step.matrix.shape != self.m.shape
        if reset:
            self.beginResetModel()
        self.step = step
        self.m = step.matrix if step is not None else np.zeros((0, 0))
        self.right_label = right_label
        if reset:
            self.endResetModel()
        elif self.m.size:
            self.dataChanged.emit(self.index(0, 0), self.index(self.m.shape[0] - 1, self.m.shape[1] - 1))
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.m.shape[1] - 1)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self.m.shape[0]

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self.m.shape[1]

    def flags(self, index):
        return Qt.ItemFlag.ItemIsEnabled

    def background(self, r: int, c: int) -> QColor:
        s = self.step
        if s.kind == "singular" and s.column is not None and c == s.column and r >= s.column:
            return _SINGULAR
        if s.pivot is not None and (r, c) == tuple(s.pivot) and s.kind not in ("start", "done"):
            return _PIVOT
        if s.kind == "swap" and r in s.rows:
            return _SWAP
        if s.kind in ("eliminate", "scale") and s.rows and r == s.rows[0]:
            return _TARGET
        if s.kind == "eliminate" and r == s.source:
            return _SOURCE
        return _RIGHT if c >= s.split else _PLAIN

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.step is None:
            return None
        r, c = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return fmt(self.m[r, c])
        if role == Qt.ItemDataRole.BackgroundRole:
            return self.background(r, c)
        if role == Qt.ItemDataRole.FontRole and self.step.pivot is not None and (r, c) == tuple(self.step.pivot):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor(20, 20, 20)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"R{r + 1}, column {c + 1}: {self.m[r, c]!r}"
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole or self.step is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            return f"R{section + 1}"
        split = self.step.split
        if section < split:
            return str(section + 1)
        k = section - split
        width = self.m.shape[1] - split
        return self.right_label if width == 1 else f"{self.right_label}{k + 1}"


class _SplitDelegate(QStyledItemDelegate):
    """Draws the bar between A's side and the right-hand side of the augmented matrix."""

    def __init__(self, model: _AugmentedModel, parent=None):
        super().__init__(parent)
        self.model = model

    def paint(self, painter, option, index) -> None:
        super().paint(painter, option, index)
        step = self.model.step
        if step is not None and index.column() == step.split and step.split < self.model.m.shape[1]:
            painter.save()
            painter.setPen(QPen(QColor(60, 60, 60), 3))
            painter.drawLine(option.rect.topLeft(), option.rect.bottomLeft())
            painter.restore()


class EliminationView(QWidget):
    """Walks a list of elimination steps (``engine.explain.elimination_steps``) one at a time.

    The augmented matrix shows after each step with the pivot in orange, the row
    being changed in green, the pivot row it uses in yellow, swapped rows in blue
    and a missing pivot's column in red; the operation is written beneath
    ("R2 ← R2 − 3·R1") and every step is listed at the side, where clicking one
    jumps to it. ``stepChanged(index)`` follows the walk.
    """

    stepChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("eliminationView")
        self._steps: list = []
        self._index = -1
        self._names = ("A", "b")

        self.title = QLabel("Pick a square matrix and press one of the “by elimination” buttons.", self)
        self.title.setObjectName("eliminationTitle")
        self.title.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.title.setWordWrap(True)

        self.model = _AugmentedModel(self)
        self.view = QTableView(self)
        self.view.setObjectName("augmentedMatrix")
        self.view.setModel(self.model)
        self.view.setItemDelegate(_SplitDelegate(self.model, self.view))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.view.setStyleSheet("QTableView { gridline-color: #c8c8c8; font-size: 12pt; }")
        for h, size in ((self.view.horizontalHeader(), 76), (self.view.verticalHeader(), 36)):
            h.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            h.setDefaultSectionSize(size)
            h.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)

        self.operation = QLabel(self)
        self.operation.setObjectName("eliminationOperation")
        self.operation.setStyleSheet("font-size: 18pt; font-weight: 600; padding: 4px 0;")
        self.explanation = QLabel(self)
        self.explanation.setObjectName("eliminationExplanation")
        self.explanation.setWordWrap(True)
        self.explanation.setStyleSheet("font-size: 11pt; color: palette(window-text);")
        self.det_label = QLabel(self)
        self.det_label.setObjectName("eliminationDet")
        self.det_label.setStyleSheet("color: palette(placeholder-text);")
        self.det_label.setWordWrap(True)
        self.legend = QLabel(
            "<span style='background:#ffaa33'>&nbsp;pivot&nbsp;</span>&nbsp; "
            "<span style='background:#c6efce'>&nbsp;row changed&nbsp;</span>&nbsp; "
            "<span style='background:#fff2b3'>&nbsp;pivot row used&nbsp;</span>&nbsp; "
            "<span style='background:#bdd7ee'>&nbsp;rows swapped&nbsp;</span>&nbsp; "
            "<span style='background:#ffc7ce'>&nbsp;no pivot&nbsp;</span>",
            self,
        )
        self.legend.setTextFormat(Qt.TextFormat.RichText)

        self.steps_list = QListWidget(self)
        self.steps_list.setObjectName("eliminationSteps")
        self.steps_list.setMinimumWidth(300)
        self.steps_list.setWordWrap(True)
        self.steps_list.setToolTip("Click a step to jump to it.")

        self.player = StepPlayer("elimination", "step", start=0, speed_range=(1, 10), speed=1, speed_width=120,
                                 parent=self)
        p = self.player
        self.first_button, self.prev_button, self.play_button = p.first_button, p.prev_button, p.play_button
        self.next_button, self.last_button = p.next_button, p.last_button
        self.speed, self.speed_label, self.position, self.timer = p.speed, p.speed_label, p.position, p.timer

        left = QVBoxLayout()
        grid_row = QHBoxLayout()
        grid_row.addWidget(self.view, 0, Qt.AlignmentFlag.AlignTop)
        grid_row.addStretch(1)
        left.addLayout(grid_row)
        left.addSpacing(4)
        left.addWidget(self.legend)
        left.addWidget(self.operation)
        left.addWidget(self.explanation)
        left.addWidget(self.det_label)
        left.addStretch(1)
        side = QVBoxLayout()
        side_title = QLabel("Steps", self)
        side_title.setStyleSheet("font-weight: 600;")
        side.addWidget(side_title)
        side.addWidget(self.steps_list, 1)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(body, 1)
        layout.addWidget(self.player)

        self.player.stepRequested.connect(self.set_step)
        self.steps_list.currentRowChanged.connect(self._list_clicked)
        self._show()

    # -- plain-data interface ---------------------------------------------------

    def set_steps(self, steps, names=("A", "b")) -> None:
        """Walk ``steps`` (a list of EliminationStep) for matrix names[0] (names[1]: right side)."""
        self.pause()
        self._steps = list(steps)
        self._names = tuple(names)
        mode = self._steps[0].mode if self._steps else "inverse"
        a, b = self._names[0], self._names[1] if len(self._names) > 1 else "b"
        self._right_label = {"inverse": "I", "solve": b, "det": ""}[mode]
        self.title.setText({
            "inverse": f"{a}⁻¹ by Gauss-Jordan elimination on [{a} | I]",
            "solve": f"Solving {a}x = {b} by Gauss-Jordan elimination on [{a} | {b}]",
            "det": f"det {a} by forward elimination with partial pivoting",
        }[mode])
        self.steps_list.blockSignals(True)
        self.steps_list.clear()
        for n, s in enumerate(self._steps):
            label = s.text if s.kind in ("swap", "scale", "eliminate") else _KIND_LABEL[s.kind]
            if s.kind == "pivot":
                label = f"Pivot {fmt(s.matrix[s.pivot])} in R{s.pivot[0] + 1}, column {s.column + 1}"
            self.steps_list.addItem(f"{n + 1}. {label}")
        self.steps_list.blockSignals(False)
        self._index = 0 if self._steps else -1
        self._show()
        self._fit_view()

    def step_index(self) -> int:
        """The step shown (0-based; −1 when there are none)."""
        return self._index

    def step_count(self) -> int:
        """How many steps there are."""
        return len(self._steps)

    def current_step(self):
        """The EliminationStep shown, or None."""
        return self._steps[self._index] if 0 <= self._index < len(self._steps) else None

    def set_step(self, index: int) -> None:
        """Show step ``index`` (clamped)."""
        if not self._steps:
            return
        index = max(0, min(int(index), len(self._steps) - 1))
        if index != self._index:
            self._index = index
            self._show()
            self.stepChanged.emit(index)

    def next(self) -> None:
        """One step forward."""
        self.set_step(self._index + 1)

    def previous(self) -> None:
        """One step back."""
        self.set_step(self._index - 1)

    def play(self) -> None:
        """Step forward on a timer until the last step."""
        self.player.play()

    def pause(self) -> None:
        """Stop playing."""
        self.player.pause()

    def is_playing(self) -> bool:
        """True while the timer steps."""
        return self.player.is_playing()

    def operation_text(self) -> str:
        """The operation written under the matrix."""
        return self.operation.text()

    def matrix(self) -> np.ndarray:
        """The augmented matrix shown."""
        return self.model.m.copy()

    # -- drawing ------------------------------------------------------------------

    def _show(self) -> None:
        step = self.current_step()
        self.model.set_step(step, getattr(self, "_right_label", "I"))
        if step is None:
            self.operation.setText("")
            self.explanation.setText("")
            self.det_label.setText("")
        else:
            if step.kind in ("swap", "scale", "eliminate"):
                self.operation.setText(step.text)
                self.explanation.setText(self._why(step))
            else:
                self.operation.setText(_KIND_LABEL[step.kind])
                self.explanation.setText(step.text)
            colour = "#a00000" if step.kind == "singular" else ("#006100" if step.kind == "done" else "#111")
            self.operation.setStyleSheet(f"font-size: 18pt; font-weight: 600; padding: 4px 0; color: {colour};")
            a = self._names[0]
            if step.mode == "det":
                self.det_label.setText(
                    f"Sign from row swaps so far: {'+' if step.det_factor > 0 else '−'}1 "
                    f"(det {a} = sign × product of the pivots on the diagonal)"
                )
            else:
                self.det_label.setText(
                    f"Determinant factor so far: {fmt(step.det_factor)}   "
                    f"(det {a} = this factor × det of the left block; swaps flip its sign, "
                    "dividing a row by p multiplies it by p)"
                )
            self.steps_list.blockSignals(True)
            self.steps_list.setCurrentRow(self._index)
            self.steps_list.blockSignals(False)
            if step.pivot is not None:
                self.view.scrollTo(self.model.index(*step.pivot))
        self._update_controls()

    def _fit_view(self) -> None:
        # Hug the matrix so the operation text sits right under it; scroll past ~12 rows.
        rows, cols = self.model.m.shape
        h, v = self.view.horizontalHeader(), self.view.verticalHeader()
        frame = 2 * self.view.frameWidth()
        width = v.sizeHint().width() + cols * h.defaultSectionSize() + frame
        height = h.sizeHint().height() + rows * v.defaultSectionSize() + frame
        self.view.setMaximumSize(width, height)
        self.view.setMinimumSize(min(width, 700), min(height, 460))

    def _why(self, step) -> str:
        r = step.rows[0] + 1 if step.rows else 0
        c = (step.column or 0) + 1
        if step.kind == "swap":
            return (f"Bring the largest entry of column {c} (row {step.rows[1] + 1}) up to the diagonal, "
                    "so we never divide by a small number.")
        if step.kind == "scale":
            return f"Divide row {r} by its pivot so the pivot becomes 1."
        if step.kind == "eliminate":
            return f"Subtract a multiple of the pivot row R{step.source + 1} so that column {c} of row {r} becomes 0."
        return step.text

    def _update_controls(self) -> None:
        n = len(self._steps)
        self.player.set_position(self._index, n, f"step {self._index + 1} of {n}" if n else "")

    # -- reactions ----------------------------------------------------------------

    def _list_clicked(self, row: int) -> None:
        if row >= 0:
            self.pause()
            self.set_step(row)
