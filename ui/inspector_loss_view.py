"""The loss of a traced batch: each sample's loss, and its prediction against its target.

Plain data in, all from the trace's loss step: the network's output per sample (the
softmax probabilities for softmax_ce, σ(z) for bce, the values for mse), the targets,
the per-sample losses and the batch loss (data part + penalty). For softmax_ce each row
reads as probabilities over the classes with the target class marked, so "the loss is
−log of the probability given to the right class" can be checked by eye.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from engine.explain import fmt

_TARGET = QColor(198, 232, 200)   # the target class's probability
_SELECTED = QColor(255, 236, 153)  # the sample chosen in the inspector


class InspectorLossView(QWidget):
    """A table, one row per sample: target, prediction(s) and that sample's loss, with the batch loss above.

    ``set_loss(kind, output, target, per_sample, data_loss, penalty, loss, sample)``:
    kind is "softmax_ce", "bce" or "mse"; ``sample`` (−1: none) is the row to mark.
    Signal ``sampleClicked(int)``: the row a person clicked.
    """

    sampleClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("inspectorLossView")
        self._kind = ""
        self._columns: list = []
        self.summary = QLabel(self)
        self.summary.setObjectName("inspectorLossSummary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-size: 11pt;")
        self.table = QTableWidget(self)
        self.table.setObjectName("inspectorLossTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumHeight(160)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: palette(placeholder-text); font-size: 8.5pt;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        self.table.cellClicked.connect(lambda row, _col: self.sampleClicked.emit(row))

    def set_loss(self, kind: str, output, target, per_sample, data_loss, penalty, loss, sample: int = -1,
                 output_name: str = "a⁽ᴸ⁾") -> None:
        """Fill the table from the loss step's arrays (see the class docstring)."""
        self._kind = kind
        out = np.asarray(output)
        out = out.reshape(out.shape[0], -1)
        y = np.asarray(target)
        n = out.shape[0]
        per = np.asarray(per_sample).reshape(-1)
        pen = float(np.asarray(penalty))
        parts = f"{fmt(float(np.asarray(data_loss)))}"
        if pen != 0.0:
            parts += f" (data) + {fmt(pen)} (penalty)"
        self.summary.setText(f"Loss of the batch: <b>J = {fmt(float(np.asarray(loss)))}</b>"
                             + (f" = {parts}" if pen != 0.0 else "")
                             + f" &nbsp;<span style='color: #6b7280'>— the mean of the {n} sample losses below"
                             + (" plus the penalty" if pen != 0.0 else "") + "</span>")
        if kind == "softmax_ce":
            k = out.shape[1]
            headers = ["target"] + [f"p({c})" for c in range(k)] + ["loss"]
            self._columns = ["target"] + [f"p{c}" for c in range(k)] + ["loss"]
            self.note.setText(f"Each row: the probabilities {output_name} the softmax gives each class p(0), "
                              "p(1), …; green marks the target class. The sample's loss is −log p(target).")
        elif kind == "bce":
            headers = ["target y", f"p = {output_name} = σ(z)", "loss"]
            self._columns = ["target", "output", "loss"]
            self.note.setText("Each row: the probability of class 1 the network gives, against the target 0 or 1. "
                              "The loss is −(y·log p + (1 − y)·log(1 − p)).")
        else:
            k = out.shape[1]
            yk = np.asarray(y).reshape(n, -1)
            headers = ([f"output {c + 1}" for c in range(k)] + [f"target {c + 1}" for c in range(yk.shape[1])]
                       + ["loss = mean (output − target)²"])
            self._columns = [f"out{c}" for c in range(k)] + [f"y{c}" for c in range(yk.shape[1])] + ["loss"]
            self.note.setText("Each row: the network's output against the target; the loss is the mean squared "
                              "difference.")
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setRowCount(n)
        self.table.setHorizontalHeaderLabels(headers)
        # tall enough for a dozen rows without scrolling; a bigger batch scrolls
        self.table.setMinimumHeight(min(n, 12) * 22 + 34)
        self.table.setVerticalHeaderLabels([f"sample {i + 1}" for i in range(n)])
        top = float(np.max(per)) if per.size and np.all(np.isfinite(per)) and np.max(per) > 0 else 1.0
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        bold = QFont()
        bold.setBold(True)
        for i in range(n):
            values = []
            if kind == "softmax_ce":
                label = int(np.asarray(y).reshape(-1)[i])
                values.append((str(label), None))
                for c in range(out.shape[1]):
                    p = float(out[i, c])
                    shade = QColor(_TARGET) if c == label else _blue(p)
                    values.append((fmt(p), shade))
            elif kind == "bce":
                values.append((fmt(float(np.asarray(y).reshape(n, -1)[i, 0])), None))
                values.append((fmt(float(out[i, 0])), _blue(float(out[i, 0]))))
            else:
                yk = np.asarray(y).reshape(n, -1)
                values += [(fmt(float(v)), None) for v in out[i]]
                values += [(fmt(float(v)), None) for v in yk[i]]
            loss_i = float(per[i])
            values.append((fmt(loss_i), _orange(loss_i / top if np.isfinite(loss_i) else 1.0)))
            for col, (text, colour) in enumerate(values):
                item = QTableWidgetItem(text)
                item.setTextAlignment(right)
                if colour is not None:
                    item.setBackground(colour)
                if kind == "softmax_ce" and col == 1 + int(np.asarray(y).reshape(-1)[i]):
                    item.setFont(bold)
                self.table.setItem(i, col, item)
        self.set_sample(sample)

    def set_sample(self, sample: int) -> None:
        """Mark row ``sample`` (−1: none) and scroll to it."""
        for r in range(self.table.rowCount()):
            header = self.table.verticalHeaderItem(r)
            if header is not None:
                header.setBackground(_SELECTED if r == sample else QColor(0, 0, 0, 0))
                header.setText(("▶ " if r == sample else "") + f"sample {r + 1}")
        if 0 <= sample < self.table.rowCount():
            self.table.scrollToItem(self.table.item(sample, 0))

    def cell_text(self, row: int, column: str) -> str:
        """The text in ``row`` under column key "target", "p3", "output", "out0", "y0" or "loss"."""
        item = self.table.item(row, self._columns.index(column))
        return item.text() if item is not None else ""

    def columns(self) -> list:
        """The column keys in order."""
        return list(self._columns)


def _blue(p: float) -> QColor:
    p = min(1.0, max(0.0, p)) if np.isfinite(p) else 1.0
    return QColor(int(255 - 120 * p), int(255 - 70 * p), 255)


def _orange(s: float) -> QColor:
    s = min(1.0, max(0.0, s))
    return QColor(255, int(255 - 100 * s), int(255 - 190 * s))
