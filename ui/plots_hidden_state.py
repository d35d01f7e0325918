"""Recurrent networks: the hidden state over time (time × units) for a chosen sequence, the
sequence itself with its target and the prediction, and predictions against targets."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from ui.canvas_theme import colour
from ui.plots_palette import DIVERGING_LUT


def _style(item: pg.PlotItem) -> None:
    item.hideButtons()
    item.setMenuEnabled(False)
    item.setMouseEnabled(False, False)
    for axis in ("left", "bottom"):
        item.getAxis(axis).setPen("#777")
        item.getAxis(axis).setTextPen("#333")


class HiddenStatePlot(QWidget):
    """Three views of one recurrent network.

    ``set_hidden(h)``: h (T, units) drawn with time across and units up, on the
    diverging scale. ``set_sequence(x, target, prediction)``: the input values over the T
    steps and, one step later, the target and the network's prediction.
    ``set_predictions(targets, predictions)``: every test sequence's prediction against
    its target (a perfect network puts them on the diagonal). The spin box emits
    ``sampleChanged(index)``.
    """

    sampleChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("hiddenStatePlot")
        self.sample = QSpinBox(self)
        self.sample.setObjectName("hiddenStateSample")
        self.sample.setPrefix("test sequence ")
        self.sample.setRange(1, 1)
        self.sample.valueChanged.connect(lambda v: self.sampleChanged.emit(v - 1))
        self.info = QLabel(self)
        self.info.setObjectName("hiddenStateInfo")
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.info.setWordWrap(True)

        self.graphics = pg.GraphicsLayoutWidget(self)
        self.graphics.setBackground("w")
        self.heat_item = self.graphics.addPlot(row=0, col=0, colspan=2)
        _style(self.heat_item)
        self.heat_item.setTitle("hidden state h_t", color=colour("plot_text").name(), size="9pt")
        self.heat_item.setLabel("bottom", "time step t")
        self.heat_item.setLabel("left", "unit")
        self.heat = pg.ImageItem(axisOrder="row-major")
        self.heat.setLookupTable(DIVERGING_LUT)
        self.heat_item.addItem(self.heat)
        self.bar = pg.ColorBarItem(values=(-1, 1), colorMap=pg.ColorMap(np.linspace(0, 1, 256), DIVERGING_LUT[:, :3]),
                                   interactive=False, width=12)
        self.bar.setImageItem(self.heat, insert_in=self.heat_item)

        self.seq_item = self.graphics.addPlot(row=1, col=0)
        _style(self.seq_item)
        self.seq_item.setTitle("sequence → next value", color=colour("plot_text").name(), size="9pt")
        self.seq_item.setLabel("bottom", "time step t")
        self.seq_curve = self.seq_item.plot([], [], pen=pg.mkPen("#1f4e8c", width=2), symbol="o", symbolSize=4,
                                            symbolBrush="#1f4e8c", symbolPen=None)
        self.target_mark = pg.ScatterPlotItem(size=12, brush=pg.mkBrush("#2e7d32"), pen=pg.mkPen("w"), symbol="o")
        self.pred_mark = pg.ScatterPlotItem(size=14, brush=pg.mkBrush("#c0392b"), pen=pg.mkPen("#c0392b", width=2),
                                            symbol="x")
        self.seq_item.addItem(self.target_mark)
        self.seq_item.addItem(self.pred_mark)

        self.scatter_item = self.graphics.addPlot(row=1, col=1)
        _style(self.scatter_item)
        self.scatter_item.setTitle("prediction vs target (test)", color=colour("plot_text").name(), size="9pt")
        self.scatter_item.setLabel("bottom", "target")
        self.scatter_item.setLabel("left", "prediction")
        self.diagonal = self.scatter_item.plot([], [], pen=pg.mkPen("#999", style=Qt.PenStyle.DashLine))
        self.scatter = pg.ScatterPlotItem(size=5, brush=pg.mkBrush(192, 57, 43, 140), pen=None)
        self.scatter_item.addItem(self.scatter)
        self.graphics.ci.layout.setRowStretchFactor(0, 3)
        self.graphics.ci.layout.setRowStretchFactor(1, 2)

        top = QHBoxLayout()
        top.addWidget(self.sample)
        top.addWidget(self.info, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.graphics, 1)
        self._hidden = None

    def set_sample_count(self, n: int) -> None:
        """How many sequences the spin box offers."""
        self.sample.blockSignals(True)
        self.sample.setRange(1, max(1, int(n)))
        self.sample.blockSignals(False)

    def set_hidden(self, hidden) -> None:
        """Hidden states (T, units) of the chosen sequence."""
        h = np.asarray(hidden, dtype=np.float64)
        self._hidden = h
        finite = h[np.isfinite(h)]
        v = float(np.abs(finite).max()) if finite.size else 1.0
        v = v if v > 0 else 1.0
        # rows = units, columns = time, so time runs across
        self.heat.setImage(h.T, levels=(-v, v), autoLevels=False)
        self.heat.setRect(QRectF(0.5, 0.5, h.shape[0], h.shape[1]))
        self.bar.setLevels((-v, v))
        self.heat_item.setRange(xRange=(0.5, h.shape[0] + 0.5), yRange=(0.5, h.shape[1] + 0.5), padding=0)

    def hidden(self) -> np.ndarray | None:
        """The hidden states shown."""
        return self._hidden

    def set_sequence(self, x, target=None, prediction=None) -> None:
        """The chosen sequence's input values (T,) and the next value: target and prediction."""
        x = np.asarray(x, dtype=np.float64).ravel()
        t = np.arange(1, x.size + 1)
        self.seq_curve.setData(t, x)
        nxt = x.size + 1
        self.target_mark.setData([nxt], [float(target)] if target is not None else [np.nan])
        self.pred_mark.setData([nxt], [float(prediction)] if prediction is not None else [np.nan])
        if target is not None and prediction is not None:
            self.info.setText(f"next value: <span style='color:#2e7d32'><b>target {float(target):+.3f}</b></span>"
                              f" &nbsp; <span style='color:#c0392b'><b>prediction {float(prediction):+.3f}</b></span>")

    def set_predictions(self, targets, predictions) -> None:
        """Every test sequence's target and prediction (both (N,))."""
        t = np.asarray(targets, dtype=np.float64).ravel()
        p = np.asarray(predictions, dtype=np.float64).ravel()
        self.scatter.setData(t, p)
        if t.size:
            lo, hi = float(np.nanmin(t)), float(np.nanmax(t))
            self.diagonal.setData([lo, hi], [lo, hi])
