"""The Precision challenge: float32 against float64 in four experiments — summing many
small numbers, Hilbert solves, a matrix product and a training run."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, \
    QWidget

from engine.explain import fmt
from ui.challenge_heatmap import ChallengeHeatmap
from ui.challenge_parts import ChallengeMessage, stats_table, style_plot

# Okabe-Ito colours, one per method, the same in every plot
C32 = (213, 94, 0)        # float32, one after another
KAHAN = (0, 158, 115)     # float32, Kahan
PAIRS = (204, 121, 167)   # float32, pairwise
C64 = (0, 114, 178)       # float64
GREY = (120, 120, 120)

SUM_SIZES = ((1 << 16, "65 536"), (1 << 20, "1 048 576"), (1 << 22, "4 194 304"), (1 << 24, "16 777 216"))
SUM_VALUES = ((0.1, "0.1 each"), (0.001, "0.001 each"), (None, "random in [0, 1)"))


def _plot(parent, left: str, bottom: str, logx=False, logy=True, legend=(8, 8), columns=1):
    w = pg.PlotWidget(parent)
    w.setBackground("w")
    p = w.getPlotItem()
    style_plot(p)  # no SI prefix: "(x1e+12)" on a log axis only confuses
    p.setLogMode(x=logx, y=logy)
    p.setLabel("left", left)
    p.setLabel("bottom", bottom)
    p.addLegend(offset=legend, labelTextSize="8pt", brush=(255, 255, 255, 215), colCount=columns,
                labelTextColor="#333")
    return w


def _curve(plot, color, name, dash=False, symbol="o"):
    pen = pg.mkPen(color, width=2, style=Qt.PenStyle.DashLine if dash else Qt.PenStyle.SolidLine)
    return plot.getPlotItem().plot([], [], pen=pen, symbol=symbol, symbolSize=5, symbolBrush=color,
                                   symbolPen=None, name=name)


#: where an error of exactly 0 is drawn on the log axes (below float64's rounding level)
ZERO_FLOOR = 1e-18


def _positive(v):
    """Errors of exactly 0 cannot go on a log axis: draw them at ZERO_FLOOR."""
    a = np.asarray(v, dtype=float)
    return np.where(a > 0, a, ZERO_FLOOR)


class PrecisionView(QWidget):
    """Four boxes of float32-against-float64 experiments; it computes nothing.

    In: ``set_summation(result)``, ``set_hilbert(result)``, ``set_product(result, title)``,
    ``set_solve(text)``, ``set_training(result)``, ``set_sources(names, a, b)``,
    ``set_message``. Out: ``summationRequested(n, value)`` (value None: random terms),
    ``productRequested(a_name, b_name)``, ``trainingRequested()``.
    """

    summationRequested = Signal(int, object)
    productRequested = Signal(str, str)
    trainingRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("precisionView")

        # -- summation
        self.sum_box = QGroupBox("Adding up many small numbers", self)
        self.sum_n = QComboBox(self.sum_box)
        self.sum_n.setObjectName("sumTerms")
        for n, text in SUM_SIZES:
            self.sum_n.addItem(text + " terms", n)
        self.sum_n.setCurrentIndex(2)
        self.sum_value = QComboBox(self.sum_box)
        self.sum_value.setObjectName("sumValue")
        for v, text in SUM_VALUES:
            self.sum_value.addItem(text, v)
        self.sum_run = QPushButton("Run", self.sum_box)
        self.sum_run.setObjectName("sumRun")
        self.sum_plot = _plot(self.sum_box, "relative error", "terms added", logx=True, columns=2)
        self.sum_plot.setObjectName("sumPlot")
        self.sum_curves = {
            "float32_naive": _curve(self.sum_plot, C32, "float32, one after another"),
            "float32_pairwise": _curve(self.sum_plot, PAIRS, "float32, pairwise", symbol="t"),
            "float32_kahan": _curve(self.sum_plot, KAHAN, "float32, Kahan", symbol="s"),
            "float64_naive": _curve(self.sum_plot, C64, "float64, one after another", symbol="d"),
        }
        self.eps32_line = pg.InfiniteLine(angle=0, pen=pg.mkPen(C32, width=1, style=Qt.PenStyle.DotLine),
                                          label="eps32", labelOpts={"position": 0.95, "color": C32})
        self.sum_plot.getPlotItem().addItem(self.eps32_line)
        self.sum_note = QLabel(self.sum_box)
        self.sum_note.setObjectName("sumNote")
        self.sum_note.setWordWrap(True)
        sv = QVBoxLayout(self.sum_box)
        head = QHBoxLayout()
        head.addWidget(self.sum_n)
        head.addWidget(self.sum_value)
        head.addStretch(1)
        head.addWidget(self.sum_run)
        sv.addLayout(head)
        sv.addWidget(self.sum_plot, 1)
        sv.addWidget(self.sum_note)

        # -- Hilbert
        self.hilbert_box = QGroupBox("An ill-conditioned solve: Hilbert systems H·x = H·1", self)
        self.hilbert_plot = _plot(self.hilbert_box, "largest error |x − 1|", "size n", columns=2)
        self.hilbert_plot.setObjectName("hilbertPlot")
        self.h32 = _curve(self.hilbert_plot, C32, "float32")
        self.h64 = _curve(self.hilbert_plot, C64, "float64", symbol="d")
        self.b32 = _curve(self.hilbert_plot, C32, "κ·eps32", dash=True, symbol=None)
        self.b64 = _curve(self.hilbert_plot, C64, "κ·eps64", dash=True, symbol=None)
        self.h_fail = self.hilbert_plot.getPlotItem().plot([], [], pen=None, symbol="x", symbolSize=10,
                                                           symbolPen=pg.mkPen(C32, width=2),
                                                           name="float32: no pivot")
        self.hilbert_note = QLabel(self.hilbert_box)
        self.hilbert_note.setObjectName("hilbertNote")
        self.hilbert_note.setWordWrap(True)
        hv = QVBoxLayout(self.hilbert_box)
        hv.addWidget(self.hilbert_plot, 1)
        hv.addWidget(self.hilbert_note)

        # -- product
        self.product_box = QGroupBox("The same product in float32 and float64", self)
        self.prod_a = QComboBox(self.product_box)
        self.prod_a.setObjectName("productA")
        self.prod_b = QComboBox(self.product_box)
        self.prod_b.setObjectName("productB")
        self.prod_run = QPushButton("Compare", self.product_box)
        self.prod_run.setObjectName("productRun")
        self.diff = ChallengeHeatmap("C32 − C64", self.product_box)
        self.prod_note = QLabel(self.product_box)
        self.prod_note.setObjectName("productNote")
        self.prod_note.setWordWrap(True)
        self.prod_note.setTextFormat(Qt.TextFormat.RichText)
        pv = QVBoxLayout(self.product_box)
        head = QHBoxLayout()
        head.addWidget(self.prod_a)
        head.addWidget(QLabel("·", self.product_box))
        head.addWidget(self.prod_b)
        head.addStretch(1)
        head.addWidget(self.prod_run)
        pv.addLayout(head)
        body = QHBoxLayout()
        body.addWidget(self.diff, 3)
        body.addWidget(self.prod_note, 2)
        pv.addLayout(body, 1)

        # -- training
        self.train_box = QGroupBox("The same training run in float32 and float64", self)
        self.train_run = QPushButton("Train both", self.train_box)
        self.train_run.setObjectName("trainRun")
        self.loss_plot = _plot(self.train_box, "training loss", "step", logy=False, legend=(-8, 8))
        self.loss_plot.setObjectName("lossPlot")
        self.l32 = _curve(self.loss_plot, C32, "float32", symbol=None)
        self.l64 = _curve(self.loss_plot, C64, "float64", dash=True, symbol=None)
        self.diff_plot = _plot(self.train_box, "largest |w32 − w64|", "step")
        self.diff_plot.setObjectName("paramDiffPlot")
        self.pdiff = _curve(self.diff_plot, GREY, "weights apart", symbol=None)
        self.train_note = QLabel(self.train_box)
        self.train_note.setObjectName("trainNote")
        self.train_note.setWordWrap(True)
        tv = QVBoxLayout(self.train_box)
        head = QHBoxLayout()
        head.addWidget(self.train_note, 1)
        head.addWidget(self.train_run)
        tv.addLayout(head)
        plots = QHBoxLayout()
        plots.addWidget(self.loss_plot)
        plots.addWidget(self.diff_plot)
        tv.addLayout(plots, 1)

        grid = QGridLayout()
        grid.addWidget(self.sum_box, 0, 0)
        grid.addWidget(self.hilbert_box, 0, 1)
        grid.addWidget(self.product_box, 1, 0)
        grid.addWidget(self.train_box, 1, 1)
        self.message = ChallengeMessage("precisionMessage", self)
        layout = QVBoxLayout(self)
        layout.addLayout(grid, 1)
        layout.addWidget(self.message)

        self.sum_run.clicked.connect(
            lambda: self.summationRequested.emit(int(self.sum_n.currentData()), self.sum_value.currentData()))
        self.prod_run.clicked.connect(
            lambda: self.productRequested.emit(self.prod_a.currentText(), self.prod_b.currentText()))
        self.train_run.clicked.connect(self.trainingRequested)

    # ------------------------------------------------------------------ in
    def set_sources(self, names: list, a: str | None = None, b: str | None = None, b_extra=()) -> None:
        """Matrices for the product boxes; ``b_extra`` entries go first in the right-hand box only."""
        for box, current, items in ((self.prod_a, a, list(names)), (self.prod_b, b, list(b_extra) + list(names))):
            with QSignalBlocker(box):
                box.clear()
                box.addItems(items)
                if current in items:
                    box.setCurrentText(current)

    def set_summation(self, r: dict) -> None:
        """Relative errors at each term count (keys as engine.compress.precision.summation)."""
        n = np.asarray(r["n"], dtype=float)
        for key, curve in self.sum_curves.items():
            curve.setData(n, _positive(r["error_" + key]))
        self.eps32_line.setValue(math.log10(r["eps32"]))
        # room above the largest error (at most 1) for the legend
        self.sum_plot.getPlotItem().setYRange(math.log10(ZERO_FLOOR) - 0.5, 4.5, padding=0)
        last = {k: float(r[k][-1]) for k in ("exact", "float32_naive", "float32_kahan", "float32_pairwise",
                                              "float64_naive")}
        value = r.get("value")
        what = f"{int(n[-1]):,} × {value}" if value is not None else f"{int(n[-1]):,} random terms"
        self.sum_note.setText(
            f"{what}: exact {last['exact']:.10g}; float32 one after another gives {last['float32_naive']:.10g} "
            f"(off by {r['error_float32_naive'][-1]:.2e}), Kahan {last['float32_kahan']:.10g}, pairwise "
            f"{last['float32_pairwise']:.10g}. Once the sum is large, each small term loses its low bits. "
            f"Exact results sit on the bottom line.")

    def set_hilbert(self, r: dict) -> None:
        """Errors of float32 and float64 solves against n, with κ·eps (keys as precision.hilbert)."""
        n = np.asarray(r["n"], dtype=float)
        e32 = np.asarray(r["error32"], dtype=float)
        e64 = np.asarray(r["error64"], dtype=float)
        ok32, ok64 = np.isfinite(e32), np.isfinite(e64)
        self.h32.setData(n[ok32], _positive(e32[ok32]))
        self.h64.setData(n[ok64], _positive(e64[ok64]))
        self.b32.setData(n, r["bound32"])
        self.b64.setData(n, r["bound64"])
        top = np.nanmax(np.concatenate([e32[ok32], e64[ok64], [1.0]]))
        self.h_fail.setData(n[~ok32], np.full((~ok32).sum(), top))
        cond = np.asarray(r["cond"])
        first_fail = n[~ok32][0] if (~ok32).any() else None
        text = (f"κ∞(H) grows from {cond[0]:.0f} (n = {int(n[0])}) to {cond[-1]:.1e} (n = {int(n[-1])}): about "
                f"log10 κ digits are lost. ")
        if first_fail is not None:
            text += (f"From n = {int(first_fail)} float32 elimination finds no pivot above rounding level "
                     "(×): the matrix is singular as far as float32 can tell. ")
        text += "Dashed: κ·eps, the error the condition number allows."
        self.hilbert_note.setText(text)

    def set_product(self, r: dict, title: str = "C32 − C64") -> None:
        """The difference of the float32 and float64 products (keys as precision.product_precision)."""
        self.diff.set_title(title)
        self.diff.set_matrix(r["diff"])
        self.prod_note.setText(stats_table([
            ("largest |C32 − C64|", fmt(r["max_abs"])),
            ("relative ‖C32 − C64‖/‖C64‖", f"{r['relative']:.2e}"),
            ("float32 eps", f"{r['eps32']:.2e}"),
            ("float64 side on", r["float64_device"]),
        ]))

    def set_solve(self, text: str) -> None:
        """A line about solving with the first matrix (condition number and errors)."""
        self.prod_note.setText(self.prod_note.text() + f"<p>{text}</p>")

    def set_training(self, r: dict) -> None:
        """Loss curves of both runs and how far their weights drift apart."""
        steps = np.asarray(r["steps"], dtype=float)
        self.l32.setData(steps, _positive(r["loss32"]))
        self.l64.setData(steps, _positive(r["loss64"]))
        self.pdiff.setData(steps, _positive(r["param_diff"]))
        gap = abs(float(r["loss32"][-1]) - float(r["loss64"][-1]))
        self.train_note.setText(
            f"Same start, same batches; only the arithmetic differs. After {int(steps[-1])} steps the losses "
            f"differ by {gap:.2e} and the weights by up to {float(r['param_diff'][-1]):.2e} "
            f"(float64 on {r['float64_device']}).")

    def set_busy(self, kind: str, busy: bool) -> None:
        """Grey a Run button while its experiment runs ("summation", "product", "training")."""
        button = {"summation": self.sum_run, "product": self.prod_run, "training": self.train_run}[kind]
        button.setEnabled(not busy)

    def set_message(self, text: str, error: bool = False) -> None:
        """A sentence under the tab (red for errors)."""
        self.message.set_message(text, error)
