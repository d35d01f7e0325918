"""The Low-rank challenge: the singular value spectrum, a rank slider rebuilding
A ≈ U_k Σ_k V_kᵀ with its error and size, a trained layer's accuracy against rank, and the
principal components of a data set as images."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QSlider, QSpinBox, \
    QSplitter, QVBoxLayout, QWidget

from ui.challenge_heatmap import ChallengeHeatmap
from ui.challenge_image_grid import ImageGrid
from ui.challenge_parts import ChallengeMessage, fill_combo, stats_table, style_plot, tab_layout

KEPT = (0, 114, 178)
DROPPED = (175, 175, 175)
ACC_PEN = pg.mkPen((0, 158, 115), width=2)
RANK_PEN = pg.mkPen((213, 94, 0), width=1, style=Qt.PenStyle.DashLine)

PLOT_AXES = ("left", "bottom", "right")


class LowRankView(QWidget):
    """Controls and plots of the Low-rank tab; it computes nothing.

    In: ``set_sources``, ``set_spectrum(s, note)``, ``set_rank(k, limit)``,
    ``set_approximation(original, approx, info)``, ``set_layers``,
    ``set_accuracy_curve(ranks, accuracy, params, params_full, full_accuracy, title)``,
    ``set_pca(images, ratios, caption)``, ``set_message``.
    Out: ``sourceChanged(name)``, ``rankChanged(k)`` as the slider moves,
    ``layerChanged(name)``.
    """

    sourceChanged = Signal(str)
    rankChanged = Signal(int)
    layerChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("lowRankView")
        self._s = np.zeros(0)
        self.source = QComboBox(self)
        self.source.setObjectName("lowRankSource")
        self.source.setMinimumContentsLength(18)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("rankSlider")
        self.slider.setRange(1, 1)
        self.spin = QSpinBox(self)
        self.spin.setObjectName("rankSpin")
        self.spin.setRange(1, 1)
        self.limit_label = QLabel("of 1", self)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Matrix:", self))
        controls.addWidget(self.source)
        controls.addSpacing(16)
        controls.addWidget(QLabel("Keep rank k =", self))
        controls.addWidget(self.slider, 1)
        controls.addWidget(self.spin)
        controls.addWidget(self.limit_label)

        self.spectrum = pg.PlotWidget(self)
        self.spectrum.setObjectName("spectrumPlot")
        self.spectrum.setBackground("w")
        sp = self.spectrum.getPlotItem()
        style_plot(sp, PLOT_AXES, still=True)
        sp.setLogMode(x=False, y=True)
        sp.setLabel("bottom", "i")
        sp.setLabel("left", "singular value σᵢ")
        self.kept_points = sp.plot([], [], pen=None, symbol="o", symbolSize=7, symbolBrush=KEPT,
                                   symbolPen=None, name="kept")
        self.dropped_points = sp.plot([], [], pen=None, symbol="o", symbolSize=6, symbolBrush=DROPPED,
                                      symbolPen=None, name="dropped")
        self.rank_line = pg.InfiniteLine(angle=90, pen=RANK_PEN)
        sp.addItem(self.rank_line)
        self.spectrum_title = QLabel("Singular values (log scale): blue kept, grey dropped", self)
        self.spectrum_title.setStyleSheet("font-weight: 600;")
        self.spectrum_note = QLabel(self)
        self.spectrum_note.setObjectName("spectrumNote")
        self.spectrum_note.setStyleSheet("color: palette(placeholder-text);")
        self.spectrum_note.setWordWrap(True)

        self.original = ChallengeHeatmap("A", self)
        self.approx = ChallengeHeatmap("A_k", self)
        self.error = ChallengeHeatmap("A − A_k", self)
        self.stats = QLabel(self)
        self.stats.setObjectName("lowRankStats")
        self.stats.setTextFormat(Qt.TextFormat.RichText)
        self.stats.setWordWrap(True)
        maps = QWidget(self)
        mg = QGridLayout(maps)
        mg.setContentsMargins(0, 0, 0, 0)
        mg.addWidget(self.original, 0, 0)
        mg.addWidget(self.approx, 0, 1)
        mg.addWidget(self.error, 0, 2)
        mg.addWidget(self.stats, 1, 0, 1, 3)
        mg.setRowStretch(0, 1)

        spec_box = QWidget(self)
        sv = QVBoxLayout(spec_box)
        sv.setContentsMargins(0, 0, 0, 0)
        sv.addWidget(self.spectrum_title)
        sv.addWidget(self.spectrum, 1)
        sv.addWidget(self.spectrum_note)
        top = QSplitter(Qt.Orientation.Horizontal, self)
        top.addWidget(spec_box)
        top.addWidget(maps)
        top.setSizes([460, 940])

        self.network_box = QGroupBox("A trained dense layer, factorised: test accuracy against rank", self)
        self.network_box.setObjectName("rankNetworkBox")
        self.layer = QComboBox(self.network_box)
        self.layer.setObjectName("rankLayer")
        self.acc_plot = pg.PlotWidget(self.network_box)
        self.acc_plot.setObjectName("accuracyPlot")
        self.acc_plot.setBackground("w")
        ap = self.acc_plot.getPlotItem()
        style_plot(ap, PLOT_AXES, still=True)
        ap.setLabel("bottom", "rank k of the layer's W")
        ap.setLabel("left", "test accuracy")
        ap.addLegend(offset=(-10, -10), labelTextColor="#333")
        self.acc_curve = ap.plot([], [], pen=ACC_PEN, symbol="o", symbolSize=6, symbolBrush=(0, 158, 115),
                                 name="factorised")
        self.full_line = pg.InfiniteLine(angle=0, pen=pg.mkPen((90, 90, 90), width=1, style=Qt.PenStyle.DotLine))
        ap.addItem(self.full_line)
        self.acc_rank_line = pg.InfiniteLine(angle=90, pen=RANK_PEN)
        ap.addItem(self.acc_rank_line)
        self.acc_note = QLabel(self.network_box)
        self.acc_note.setObjectName("accuracyNote")
        self.acc_note.setStyleSheet("color: palette(placeholder-text);")
        self.acc_note.setWordWrap(True)
        nv = QVBoxLayout(self.network_box)
        head = QHBoxLayout()
        head.addWidget(QLabel("Layer:", self.network_box))
        head.addWidget(self.layer)
        head.addStretch(1)
        nv.addLayout(head)
        nv.addWidget(self.acc_plot, 1)
        nv.addWidget(self.acc_note)

        self.pca_box = QGroupBox("PCA of the digits: the first principal components as 8×8 images", self)
        self.pca_box.setObjectName("pcaBox")
        self.pca = ImageGrid(6, self.pca_box)
        pv = QVBoxLayout(self.pca_box)
        pv.addWidget(self.pca)

        bottom = QSplitter(Qt.Orientation.Horizontal, self)
        bottom.addWidget(self.network_box)
        bottom.addWidget(self.pca_box)
        bottom.setSizes([700, 700])

        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setSizes([470, 380])

        self.message = ChallengeMessage("lowRankMessage", self)
        tab_layout(self, controls, split, self.message)

        self.source.currentTextChanged.connect(lambda name: name and self.sourceChanged.emit(name))
        self.slider.valueChanged.connect(self._slider_moved)
        self.spin.valueChanged.connect(self._spin_changed)
        self.layer.currentTextChanged.connect(lambda name: name and self.layerChanged.emit(name))
        self.set_layers([])

    # ------------------------------------------------------------------ in
    def set_sources(self, names: list, current: str | None = None) -> None:
        """The matrices to choose from."""
        fill_combo(self.source, names, current)

    def current_source(self) -> str:
        """The matrix chosen."""
        return self.source.currentText()

    def set_rank(self, k: int, limit: int) -> None:
        """Rank k of at most ``limit`` on the slider and the box, without emitting."""
        limit = max(1, int(limit))
        k = min(max(1, int(k)), limit)
        with QSignalBlocker(self.slider), QSignalBlocker(self.spin):
            self.slider.setRange(1, limit)
            self.spin.setRange(1, limit)
            self.slider.setValue(k)
            self.spin.setValue(k)
        self.limit_label.setText(f"of {limit}")
        self._mark_rank(k)

    def rank(self) -> int:
        """The rank shown."""
        return int(self.spin.value())

    def set_spectrum(self, s, note: str = "") -> None:
        """The singular values, largest first (zeros are left out of the log plot)."""
        self._s = np.asarray(s, dtype=np.float64)
        self._mark_rank(self.rank())
        self.spectrum_note.setText(note)

    def set_approximation(self, original, approx, info: dict) -> None:
        """A, A_k and A − A_k on one colour scale, and the numbers of ``info``: "k",
        "relative", "spectral", "energy", "params", "params_full"."""
        a = np.asarray(original, dtype=np.float64)
        ak = np.asarray(approx, dtype=np.float64)
        level = float(np.max(np.abs(a))) if a.size else 1.0
        self.original.set_matrix(a, level)
        self.approx.set_matrix(ak, level)
        self.error.set_matrix(a - ak, level)
        k = info["k"]
        self.approx.set_title(f"A_{k} = U_{k} Σ_{k} V_{k}ᵀ  (rank {k})")
        self.original.set_title(f"A  ({a.shape[0]}×{a.shape[1]})")
        self.error.set_title("A − A_k  (same colour scale as A)")
        ratio = info["params"] / info["params_full"]
        rows = [
            ("relative error ‖A − A_k‖_F / ‖A‖_F", f"{info['relative']:.3%}"),
            ("spectral error ‖A − A_k‖₂ = σₖ₊₁", f"{info['spectral']:.4g}"),
            ("energy kept: Σ σᵢ² over i ≤ k, of all", f"{info['energy']:.3%}"),
            ("numbers stored k·(m + n)", f"{info['params']:,} against m·n = {info['params_full']:,} "
                                         f"({ratio:.0%}{', saves space' if ratio < 1 else ', no saving'})"),
        ]
        self.stats.setText(stats_table(rows))

    def set_layers(self, names: list, current: str | None = None) -> None:
        """The dense layers that can be factorised; [] hides the network box."""
        fill_combo(self.layer, names, current)
        self.network_box.setVisible(bool(names))

    def set_accuracy_curve(self, ranks, accuracy, params, params_full: int, full_accuracy: float | None,
                           note: str = "") -> None:
        """Accuracy of the factorised network at each rank, the original's as a dotted line."""
        acc = np.array([np.nan if v is None else v for v in accuracy], dtype=float)
        self.acc_curve.setData(np.asarray(ranks, dtype=float), acc)
        if full_accuracy is not None:
            self.full_line.setValue(full_accuracy)
            self.full_line.setVisible(True)
        else:
            self.full_line.setVisible(False)
        self.acc_note.setText(note)

    def set_pca(self, images, ratios, caption: str = "") -> None:
        """Component images with their share of the variance."""
        titles = [f"PC{i + 1}: {r:.1%}" for i, r in enumerate(ratios)]
        self.pca.set_images(images, titles, caption)

    def set_message(self, text: str, error: bool = False) -> None:
        """A sentence under the tab (red for errors)."""
        self.message.set_message(text, error)

    # ------------------------------------------------------------------ drawing
    def _mark_rank(self, k: int) -> None:
        s = self._s
        idx = np.arange(1, s.size + 1, dtype=float)
        pos = s > 0
        kept = pos & (idx <= k)
        dropped = pos & (idx > k)
        self.kept_points.setData(idx[kept], s[kept])
        self.dropped_points.setData(idx[dropped], s[dropped])
        self.rank_line.setValue(k + 0.5)
        self.acc_rank_line.setValue(k)

    # ------------------------------------------------------------------ out
    def _slider_moved(self, k: int) -> None:
        with QSignalBlocker(self.spin):
            self.spin.setValue(k)
        self._mark_rank(k)
        self.rankChanged.emit(int(k))

    def _spin_changed(self, k: int) -> None:
        with QSignalBlocker(self.slider):
            self.slider.setValue(k)
        self._mark_rank(k)
        self.rankChanged.emit(int(k))
