"""The Quantisation challenge: a matrix or a network's weights rounded to int8 and back,
the error heatmap and its statistics, the value histogram under the int8 grid, and a
network's test accuracy and loss before and after."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QSplitter, QTableWidget, \
    QTableWidgetItem, QVBoxLayout, QWidget, QAbstractItemView, QHeaderView

from engine.explain import fmt
from ui.challenge_heatmap import ChallengeHeatmap
from ui.challenge_parts import ChallengeMessage, fill_combo, stats_table, style_plot, tab_layout

SCHEMES = (("symmetric", "symmetric (zero point 0, ±127)"), ("affine", "affine (min … max, zero point)"))
PER = (("tensor", "one scale per tensor"), ("row", "one scale per row"))
HIST_BRUSH = pg.mkBrush(31, 78, 140, 150)
GRID_PEN = pg.mkPen((213, 94, 0, 90), width=1)
GRID_TICK_PEN = pg.mkPen((213, 94, 0, 160), width=1)
GRID_END_PEN = pg.mkPen((213, 94, 0), width=1, style=Qt.PenStyle.DashLine)


def _pct(v) -> str:
    return "—" if v is None else f"{100 * v:.2f}%"


class QuantizationView(QWidget):
    """Controls and plots of the Quantisation tab; it computes nothing.

    In: ``set_sources(names, current)``, ``set_layers(names, current)`` (the weights of a
    network; an empty list hides the layer box), ``set_result({...})`` (see there),
    ``set_network(before, after, float_bytes, int8_bytes)`` or ``set_network(None)``,
    ``set_message``. Out: ``settingsChanged(dict)`` with "source", "scheme", "per" and
    "layer" whenever the person changes one.
    """

    settingsChanged = Signal(dict)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("quantizationView")
        self.source = QComboBox(self)
        self.source.setObjectName("quantSource")
        self.source.setMinimumContentsLength(18)
        self.scheme = QComboBox(self)
        self.scheme.setObjectName("quantScheme")
        for key, text in SCHEMES:
            self.scheme.addItem(text, key)
        self.per = QComboBox(self)
        self.per.setObjectName("quantPer")
        for key, text in PER:
            self.per.addItem(text, key)
        self.layer = QComboBox(self)
        self.layer.setObjectName("quantLayer")
        self.layer_label = QLabel("Show weight:", self)
        controls = QHBoxLayout()
        for label, box in (("Quantise:", self.source), ("Scheme:", self.scheme), ("Scales:", self.per)):
            controls.addWidget(QLabel(label, self))
            controls.addWidget(box)
            controls.addSpacing(10)
        controls.addWidget(self.layer_label)
        controls.addWidget(self.layer)
        controls.addStretch(1)

        self.original = ChallengeHeatmap("Original", self)
        self.error = ChallengeHeatmap("Error: restored − original", self)
        self.stats = QLabel(self)
        self.stats.setObjectName("quantStats")
        self.stats.setTextFormat(Qt.TextFormat.RichText)
        self.stats.setWordWrap(True)
        maps = QWidget(self)
        mg = QGridLayout(maps)
        mg.setContentsMargins(0, 0, 0, 0)
        mg.addWidget(self.original, 0, 0)
        mg.addWidget(self.error, 0, 1)
        mg.addWidget(self.stats, 1, 0, 1, 2)
        mg.setRowStretch(0, 1)

        self.hist = self._plot("quantHistogram", "value", "count")
        hp = self.hist.getPlotItem()
        self.grid_lines = hp.plot([], [], pen=GRID_TICK_PEN, connect="pairs")
        self.grid_ends = hp.plot([], [], pen=GRID_END_PEN, connect="pairs")
        self.hist_curve = hp.plot([0, 1], [0], stepMode="center", fillLevel=0, brush=HIST_BRUSH,
                                  pen=pg.mkPen((31, 78, 140), width=1))
        self.hist_title = QLabel(self)
        self.hist_title.setStyleSheet("font-weight: 600;")
        self.zoom = self._plot("quantZoom", "value ÷ its grid step (near zero)", "count")
        zp = self.zoom.getPlotItem()
        zp.addLegend(offset=(-8, 8), labelTextSize="8pt", brush=(255, 255, 255, 215), labelTextColor="#333")
        self.zoom_grid = zp.plot([], [], pen=GRID_PEN, connect="pairs")
        self.zoom_before = zp.plot([0, 1], [0], stepMode="center", fillLevel=0, brush=HIST_BRUSH,
                                   pen=pg.mkPen((31, 78, 140), width=1), name="original values")
        self.zoom_after = zp.plot([0, 1], [0], stepMode="center", pen=pg.mkPen((213, 94, 0), width=2),
                                  name="after int8 (on the grid)")
        self.hist_note = QLabel(self)
        self.hist_note.setObjectName("histNote")
        self.hist_note.setStyleSheet("color: palette(placeholder-text);")
        self.hist_note.setWordWrap(True)
        hist_box = QWidget(self)
        hv = QVBoxLayout(hist_box)
        hv.setContentsMargins(0, 0, 0, 0)
        hv.addWidget(self.hist_title)
        hv.addWidget(self.hist, 3)
        hv.addWidget(self.zoom, 2)
        hv.addWidget(self.hist_note)

        self.network_box = QGroupBox("Trained network on its test set", self)
        self.network_box.setObjectName("networkBox")
        self.table = QTableWidget(3, 2, self.network_box)
        self.table.setObjectName("networkTable")
        self.table.setHorizontalHeaderLabels(["float32 weights", "int8 weights"])
        self.table.setVerticalHeaderLabels(["accuracy", "loss", "weights + biases"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setFixedHeight(self.table.horizontalHeader().sizeHint().height() + 3 * 30 + 4)
        self.network_note = QLabel(self.network_box)
        self.network_note.setWordWrap(True)
        self.network_note.setStyleSheet("color: palette(placeholder-text);")
        nv = QVBoxLayout(self.network_box)
        nv.addWidget(self.table)
        nv.addWidget(self.network_note)

        right = QWidget(self)
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(hist_box, 1)
        rv.addWidget(self.network_box)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(maps)
        split.addWidget(right)
        split.setSizes([760, 640])

        self.message = ChallengeMessage("quantMessage", self)
        tab_layout(self, controls, split, self.message)

        for box in (self.source, self.scheme, self.per, self.layer):
            box.currentIndexChanged.connect(self._changed)
        self.set_layers([])
        self.set_network(None)

    # ------------------------------------------------------------------ in
    def set_sources(self, names: list, current: str | None = None) -> None:
        """What can be quantised: matrix names, and a network entry if there is one."""
        fill_combo(self.source, names, current)

    def set_layers(self, names: list, current: str | None = None) -> None:
        """The weights of the network whose heatmap and histogram to show; [] hides the box."""
        fill_combo(self.layer, names, current)
        self.layer.setVisible(bool(names))
        self.layer_label.setVisible(bool(names))

    def settings(self) -> dict:
        """The current choices: {"source", "scheme", "per", "layer"}."""
        return {"source": self.source.currentText(), "scheme": self.scheme.currentData(),
                "per": self.per.currentData(), "layer": self.layer.currentText() if self.layer.isVisibleTo(self)
                else ""}

    def set_settings(self, scheme: str | None = None, per: str | None = None) -> None:
        """Choose a scheme and granularity without emitting."""
        for box, value in ((self.scheme, scheme), (self.per, per)):
            if value is not None:
                with QSignalBlocker(box):
                    box.setCurrentIndex(max(0, box.findData(value)))

    def set_result(self, r: dict) -> None:
        """Draw one quantised array.

        ``r``: "title", "original" (2-D or 1-D), "error" (same shape), "stats"
        (error_stats), "scale" (the largest scale), "groups", "edges" / "counts" (the
        histogram), "grid" (values of the int8 grid drawn over it), "grid_note",
        "float_bytes", "int8_bytes".
        """
        orig = np.asarray(r["original"], dtype=np.float64)
        if orig.ndim > 2:
            orig = orig.reshape(orig.shape[0], -1)
        err = np.asarray(r["error"], dtype=np.float64).reshape(orig.shape)
        self.original.set_title(f"{r.get('title', 'Original')}  ({'×'.join(map(str, orig.shape))})")
        self.original.set_matrix(orig)
        self.error.set_matrix(err)
        self.error.set_title(f"Error: restored − original  (colours ±{fmt(self.error.level())})")
        s = r["stats"]
        scale = float(r.get("scale", 0.0))
        rows = [
            ("largest |error|", fmt(s["max_abs"]) + (f"  (half a step: {fmt(scale / 2)})" if scale else "")),
            ("mean |error|", fmt(s["mean_abs"])),
            ("RMS error", fmt(s["rmse"])),
            ("relative error ‖e‖/‖a‖", f"{s['relative']:.3%}"),
            ("signal / quantisation noise", "exact" if math.isinf(s["sqnr_db"]) else f"{s['sqnr_db']:.1f} dB"),
            ("bytes", f"{r['float_bytes']:,} as float32 → {r['int8_bytes']:,} as int8 "
                      f"({r['int8_bytes'] / max(r['float_bytes'], 1):.0%})"),
        ]
        self.stats.setText(stats_table(rows))
        edges, counts = np.asarray(r["edges"], float), np.asarray(r["counts"], float)
        self.hist_curve.setData(edges, counts)
        top = float(counts.max()) if counts.size else 1.0
        grid = np.asarray(r.get("grid", []), dtype=float)
        # 256 full-height lines would paint the plot orange: ticks below the axis here,
        # full lines in the zoom, and dashed lines where the grid ends
        self.grid_lines.setData(np.repeat(grid, 2), np.tile([-0.06 * top, 0.0], grid.size), connect="pairs")
        ends = grid[[0, -1]] if grid.size else grid
        self.grid_ends.setData(np.repeat(ends, 2), np.tile([-0.06 * top, top * 1.05], ends.size), connect="pairs")
        self.hist.getPlotItem().setYRange(-0.07 * top, top * 1.08, padding=0)
        self.hist_title.setText(f"Values of {r.get('title', 'the matrix')} and the int8 grid")
        if "zoom_edges" in r:
            ze, zb, za = (np.asarray(r[k], float) for k in ("zoom_edges", "zoom_before", "zoom_after"))
            self.zoom_before.setData(ze, zb)
            self.zoom_after.setData(ze, za)
            zmax = float(max(zb.max(initial=0), 1))
            zg = np.asarray(r.get("zoom_grid", []), dtype=float)
            self.zoom_grid.setData(np.repeat(zg, 2), np.tile([0.0, zmax * 1.05], zg.size), connect="pairs")
            self.zoom.getPlotItem().setXRange(ze[0], ze[-1], padding=0)
            self.zoom.getPlotItem().setYRange(0, zmax * 1.1, padding=0)
        self.hist_note.setText(r.get("grid_note", ""))

    def grid_values(self) -> np.ndarray:
        """The x positions of the grid ticks drawn under the histogram."""
        xs, _ = self.grid_lines.getData()
        return np.asarray(xs if xs is not None else [])[::2]

    def _plot(self, name: str, bottom: str, left: str):
        w = pg.PlotWidget(self)
        w.setObjectName(name)
        w.setBackground("w")
        p = w.getPlotItem()
        style_plot(p)
        p.setLabel("bottom", bottom)
        p.setLabel("left", left)
        return w

    def set_network(self, before: dict | None, after: dict | None = None, float_bytes: int = 0,
                    int8_bytes: int = 0, note: str = "") -> None:
        """Accuracy, loss and bytes of the network before and after; None hides the box."""
        self.network_box.setVisible(before is not None)
        if before is None:
            return
        cells = [
            (_pct(before.get("accuracy")), _pct(after.get("accuracy"))),
            (f"{before['loss']:.4f}", f"{after['loss']:.4f}"),
            (f"{float_bytes:,} bytes", f"{int8_bytes:,} bytes"),
        ]
        for i, pair in enumerate(cells):
            for j, text in enumerate(pair):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(i, j, item)
        self.network_note.setText(note)

    def network_cell(self, row: int, column: int) -> str:
        """The text of a cell of the before/after table."""
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    def set_message(self, text: str, error: bool = False) -> None:
        """A sentence under the tab (red for errors)."""
        self.message.set_message(text, error)

    # ------------------------------------------------------------------ out
    def _changed(self, *_):
        self.settingsChanged.emit(self.settings())
