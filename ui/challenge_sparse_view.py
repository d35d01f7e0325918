"""The Sparse challenge: a matrix pruned by a threshold, its COO / CSR / CSC arrays, their
bytes against dense, and the sparse product's time against the dense one by density."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QPushButton, QSlider, QSplitter, \
    QVBoxLayout, QWidget

from ui.canvas_theme import colour
from ui.challenge_parts import ChallengeMessage, fill_combo, tab_layout
from ui.challenge_sparse_formats import SparseFormatsView
from ui.challenge_sparse_grid import SparseGrid

SLIDER_STEPS = 1000
DENSITY_TICKS = (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
BAR_COLORS = {"dense": (120, 120, 120), "coo": (0, 114, 178), "csr": (0, 158, 115), "csc": (213, 94, 0)}
SPARSE_PEN = pg.mkPen((0, 158, 115), width=2)
DENSE_PEN = pg.mkPen((90, 90, 90), width=2, style=Qt.PenStyle.DashLine)


def _style(item) -> None:
    item.hideButtons()
    item.setMenuEnabled(False)
    item.setMouseEnabled(False, False)
    for axis in ("left", "bottom"):
        item.getAxis(axis).setPen("#888")
        item.getAxis(axis).setTextPen("#333")


class SparseView(QWidget):
    """Controls and plots of the Sparse tab; it computes nothing.

    In: ``set_sources(names, current)``, ``set_range(max_abs)`` (the slider spans 0 …
    max |a|), ``set_threshold(t)``, ``set_matrix(pruned, name)``, ``set_formats(forms,
    bytes)``, ``set_timing(density, sparse_s, dense_s, shape_text)``, ``set_message``.
    Out: ``sourceChanged(name)``, ``thresholdChanged(t)`` as the person drags or types,
    ``timingRequested()`` from the Measure button.
    """

    sourceChanged = Signal(str)
    thresholdChanged = Signal(float)
    timingRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sparseView")
        self._max = 1.0

        self.source = QComboBox(self)
        self.source.setObjectName("sparseSource")
        self.source.setMinimumContentsLength(18)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("pruneSlider")
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.setToolTip("Entries smaller than this in magnitude are set to zero (pruned).")
        self.spin = QDoubleSpinBox(self)
        self.spin.setObjectName("pruneThreshold")
        self.spin.setDecimals(4)
        self.spin.setRange(0.0, 1.0)
        self.spin.setSingleStep(0.01)
        self.kept = QLabel(self)
        self.kept.setObjectName("keptLabel")
        self.kept.setMinimumWidth(260)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Matrix:", self))
        controls.addWidget(self.source)
        controls.addSpacing(16)
        controls.addWidget(QLabel("Prune entries with |a| below", self))
        controls.addWidget(self.slider, 1)
        controls.addWidget(self.spin)
        controls.addWidget(self.kept)

        self.grid = SparseGrid(self)
        self.formats = SparseFormatsView(self)
        self.grid_caption = QLabel(self)
        self.grid_caption.setObjectName("gridCaption")
        self.grid_caption.setStyleSheet("font-weight: 600;")
        left = QWidget(self)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.grid_caption)
        lv.addWidget(self.grid, 1)
        hint = QLabel("Click a stored entry to see where each format keeps it.", left)
        hint.setStyleSheet("color: palette(placeholder-text);")
        lv.addWidget(hint)

        self.bytes_plot = pg.PlotWidget(self)
        self.bytes_plot.setObjectName("bytesPlot")
        self.bytes_plot.setBackground("w")
        bp = self.bytes_plot.getPlotItem()
        _style(bp)
        bp.setTitle("Storage (bytes)", color=colour("plot_text").name(), size="9pt")
        bp.getAxis("bottom").setTicks([[(i, k.upper()) for i, k in enumerate(BAR_COLORS)]])
        self.bars = pg.BarGraphItem(x=np.arange(4), height=np.zeros(4), width=0.6,
                                    brushes=[pg.mkBrush(*c) for c in BAR_COLORS.values()])
        bp.addItem(self.bars)

        self.time_plot = pg.PlotWidget(self)
        self.time_plot.setObjectName("timingPlot")
        self.time_plot.setBackground("w")
        tp = self.time_plot.getPlotItem()
        _style(tp)
        tp.setLogMode(x=True, y=True)
        tp.setLabel("bottom", "density (stored / all entries)")
        tp.setLabel("left", "time (ms)")
        tp.getAxis("left").enableAutoSIPrefix(False)
        # log axes label their minor ticks too, which crowds; name a few densities instead
        tp.getAxis("bottom").setTicks([[(np.log10(d), f"{d:.0%}") for d in DENSITY_TICKS]])
        tp.addLegend(offset=(-10, -10), brush=(255, 255, 255, 210), labelTextColor="#333")
        self.sparse_curve = tp.plot([], [], pen=SPARSE_PEN, symbol="o", symbolSize=6,
                                    symbolBrush=(0, 158, 115), name="CSR kernel")
        self.dense_curve = tp.plot([], [], pen=DENSE_PEN, symbol="s", symbolSize=5,
                                   symbolBrush=(90, 90, 90), name="dense kernel")
        self.density_line = pg.InfiniteLine(angle=90, pen=pg.mkPen((213, 94, 0), width=1,
                                                                 style=Qt.PenStyle.DotLine))
        tp.addItem(self.density_line)
        self.measure = QPushButton("Measure", self)
        self.measure.setObjectName("measureButton")
        self.measure.setToolTip("Time the CSR product against the dense product on the current device, "
                                "at densities from 100% down to 0.5%.")
        self.timing_note = QLabel("Press Measure to time sparse × dense against dense × dense on the device.", self)
        self.timing_note.setObjectName("timingNote")
        self.timing_note.setWordWrap(True)
        timing_box = QWidget(self)
        tv = QVBoxLayout(timing_box)
        tv.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        title = QLabel("Product time against density", timing_box)
        title.setStyleSheet("font-weight: 600;")
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.measure)
        tv.addLayout(head)
        tv.addWidget(self.time_plot, 1)
        tv.addWidget(self.timing_note)

        right = QSplitter(Qt.Orientation.Vertical, self)
        right.addWidget(self.formats)
        bottom = QSplitter(Qt.Orientation.Horizontal, right)
        bottom.addWidget(self.bytes_plot)
        bottom.addWidget(timing_box)
        bottom.setSizes([300, 500])
        right.addWidget(bottom)
        right.setSizes([430, 330])

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([560, 840])

        self.message = ChallengeMessage("sparseMessage", self)
        tab_layout(self, controls, split, self.message)

        self.source.currentTextChanged.connect(self._source_chosen)
        self.slider.valueChanged.connect(self._slider_moved)
        self.spin.valueChanged.connect(self._spin_changed)
        self.grid.cellSelected.connect(self.formats.highlight)
        self.measure.clicked.connect(self.timingRequested)

    # ------------------------------------------------------------------ in
    def set_sources(self, names: list, current: str | None = None) -> None:
        """The matrices to choose from."""
        fill_combo(self.source, names, current)

    def current_source(self) -> str:
        """The matrix chosen."""
        return self.source.currentText()

    def set_range(self, max_abs: float) -> None:
        """The largest |entry| of the matrix: the slider's right end."""
        self._max = float(max_abs) if max_abs > 0 else 1.0
        with QSignalBlocker(self.spin):
            self.spin.setRange(0.0, self._max)
            self.spin.setSingleStep(self._max / 100)

    def set_threshold(self, t: float) -> None:
        """Show threshold ``t`` on the slider and the box without emitting."""
        with QSignalBlocker(self.spin), QSignalBlocker(self.slider):
            self.spin.setValue(float(t))
            self.slider.setValue(int(round(SLIDER_STEPS * min(1.0, float(t) / self._max))))

    def threshold(self) -> float:
        """The threshold shown."""
        return float(self.spin.value())

    def set_matrix(self, pruned, name: str) -> None:
        """The pruned matrix: its non-zeros are what every format stores."""
        a = np.asarray(pruned, dtype=np.float64)
        self.grid.set_matrix(a)
        nnz = int(np.count_nonzero(a))
        self.grid_caption.setText(f"{name} after pruning: {a.shape[0]}×{a.shape[1]}, {nnz} stored")
        self.kept.setText(f"keeps {nnz:,} of {a.size:,} entries ({nnz / a.size:.1%} dense)")
        self.density_line.setValue(np.log10(max(nnz / a.size, 1e-6)))

    def set_formats(self, formats: dict, nbytes: dict) -> None:
        """The three forms' arrays and the bytes of each (plus "dense")."""
        self.formats.set_formats(formats, nbytes)
        heights = [float(nbytes.get(k, 0)) for k in BAR_COLORS]
        self.bars.setOpts(height=heights)
        self.bytes_plot.getPlotItem().setYRange(0, max(heights + [1.0]) * 1.1)

    def set_timing(self, density, sparse_s, dense_s, note: str = "") -> None:
        """Times (seconds) of the CSR and dense products at each density (drawn in ms)."""
        d = np.asarray(density, dtype=float)
        self.sparse_curve.setData(d, 1e3 * np.asarray(sparse_s, dtype=float))
        self.dense_curve.setData(d, 1e3 * np.asarray(dense_s, dtype=float))
        self.timing_note.setText(note)

    def set_busy(self, busy: bool) -> None:
        """Grey the Measure button while a measurement runs."""
        self.measure.setEnabled(not busy)
        self.measure.setText("Measuring…" if busy else "Measure")

    def set_message(self, text: str, error: bool = False) -> None:
        """A sentence under the tab (red for errors)."""
        self.message.set_message(text, error)

    # ------------------------------------------------------------------ out
    def _source_chosen(self, name: str) -> None:
        if name:
            self.sourceChanged.emit(name)

    def _slider_moved(self, value: int) -> None:
        t = self._max * value / SLIDER_STEPS
        with QSignalBlocker(self.spin):
            self.spin.setValue(t)
        self.thresholdChanged.emit(float(self.spin.value()))

    def _spin_changed(self, value: float) -> None:
        with QSignalBlocker(self.slider):
            self.slider.setValue(int(round(SLIDER_STEPS * min(1.0, value / self._max))))
        self.thresholdChanged.emit(float(value))
