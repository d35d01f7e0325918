"""Training and test loss over the steps (log scale on request), with accuracy below for classifiers."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

TRAIN_PEN = pg.mkPen("#1f4e8c", width=2)
TEST_PEN = pg.mkPen("#d35400", width=2, style=Qt.PenStyle.DashLine)
ACC_PEN = pg.mkPen("#2e7d32", width=2)
ACC_TEST_PEN = pg.mkPen("#2e7d32", width=2, style=Qt.PenStyle.DashLine)


def _style(item: pg.PlotItem) -> None:
    item.hideButtons()
    item.setMenuEnabled(False)
    item.showGrid(x=True, y=True, alpha=0.15)
    for axis in ("left", "bottom"):
        item.getAxis(axis).setPen("#777")
        item.getAxis(axis).setTextPen("#333")


class LossPlot(QWidget):
    """Whole histories in, curves out: ``set_history(steps, train, test, accuracy)``.

    Test losses may hold NaN where none was measured; those points are skipped. The
    accuracy plot (in 0..1, shown as %) hides itself for regression. A read-out above
    the curves gives the latest numbers.
    """

    logScaleChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("lossPlot")
        self._n = 0
        self._args = None
        self.readout = QLabel("No training yet.", self)
        self.readout.setObjectName("lossReadout")
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.readout.setWordWrap(True)
        self.log_box = QCheckBox("Log scale", self)
        self.log_box.setObjectName("lossLogScale")
        self.log_box.setToolTip("Plot the loss on a logarithmic axis: slow late progress stays visible.")
        self.log_box.toggled.connect(self.set_log_scale)

        self.graphics = pg.GraphicsLayoutWidget(self)
        self.graphics.setBackground("w")
        self.graphics.setObjectName("lossGraphics")
        self.loss_item = self.graphics.addPlot(row=0, col=0)
        _style(self.loss_item)
        self.loss_item.setLabel("left", "loss")
        self.loss_item.getAxis("left").enableAutoSIPrefix(False)
        self.legend = self.loss_item.addLegend(offset=(-8, 8), labelTextColor="#333")
        self.train_curve = self.loss_item.plot([], [], pen=TRAIN_PEN, name="train", connect="finite")
        self.test_curve = self.loss_item.plot([], [], pen=TEST_PEN, name="test", connect="finite")
        self.acc_item = self.graphics.addPlot(row=1, col=0)
        _style(self.acc_item)
        self.acc_item.setLabel("left", "accuracy %")
        self.acc_item.getAxis("left").enableAutoSIPrefix(False)
        self.acc_item.getAxis("bottom").enableAutoSIPrefix(False)
        self.acc_item.setLabel("bottom", "step")
        self.acc_item.setXLink(self.loss_item)
        self.acc_item.setYRange(0, 100, padding=0.02)
        self.acc_item.enableAutoRange(axis="y", enable=False)
        self.acc_curve = self.acc_item.plot([], [], pen=ACC_TEST_PEN, connect="finite")
        self.graphics.ci.layout.setRowStretchFactor(0, 3)
        self.graphics.ci.layout.setRowStretchFactor(1, 1)

        top = QHBoxLayout()
        top.addWidget(self.readout, 1)
        top.addWidget(self.log_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.graphics, 1)

    def set_history(self, steps, train_loss, test_loss=None, accuracy=None) -> None:
        """Draw the whole history: arrays of equal length (test and accuracy may hold NaN)."""
        self._args = (steps, train_loss, test_loss, accuracy)
        steps = np.asarray(steps, dtype=np.float64)
        train = np.asarray(train_loss, dtype=np.float64)
        self._n = int(steps.size)
        log = self.log_box.isChecked()
        self.train_curve.setData(steps, self._for_axis(train, log))
        test = None if test_loss is None else np.asarray(test_loss, dtype=np.float64)
        self.test_curve.setData(steps, self._for_axis(test, log) if test is not None else np.full_like(steps, np.nan))
        acc = None if accuracy is None else np.asarray(accuracy, dtype=np.float64)
        has_acc = acc is not None and acc.size and np.isfinite(acc).any()
        self.acc_item.setVisible(bool(has_acc))
        self.loss_item.setLabel("bottom", None if has_acc else "step")
        if has_acc:
            self.acc_curve.setData(steps, 100.0 * acc)
        self.readout.setText(self._readout(train, test, acc))

    @staticmethod
    def _for_axis(values: np.ndarray, log: bool) -> np.ndarray:
        # pyqtgraph's log mode takes log10 itself; zero or negative losses would be -inf
        return np.where(values > 0, values, np.nan) if log else values

    @staticmethod
    def _last(values) -> float | None:
        if values is None or not np.size(values):
            return None
        finite = values[np.isfinite(values)]
        return float(finite[-1]) if finite.size else None

    def _readout(self, train, test, acc) -> str:
        parts = []
        for name, colour, values in (("Train loss", "#1f4e8c", train), ("Test loss", "#d35400", test)):
            v = self._last(values)
            if v is not None:
                parts.append(f"<span style='color:{colour}'><b>{name}</b> {v:.4f}</span>")
        v = self._last(acc)
        if v is not None:
            parts.append(f"<span style='color:#2e7d32'><b>Accuracy</b> {100 * v:.1f}%</span>")
        return " &nbsp; ".join(parts) if parts else "No training yet."

    def set_log_scale(self, on: bool) -> None:
        """Switch the loss axis between linear and logarithmic."""
        if self.log_box.isChecked() != on:
            self.log_box.setChecked(on)  # comes back here through toggled
            return
        self.loss_item.setLogMode(y=bool(on))
        if self._args is not None:
            self.set_history(*self._args)  # redraw now, so the switch shows while paused
        self.logScaleChanged.emit(bool(on))

    def clear(self) -> None:
        """Forget the curves (a new network)."""
        self._n = 0
        self._args = None
        for curve in (self.train_curve, self.test_curve, self.acc_curve):
            curve.setData([], [])
        self.readout.setText("No training yet.")

    def point_count(self) -> int:
        """How many steps the curves show."""
        return self._n
