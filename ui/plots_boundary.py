"""The network's output over the input plane with the data points on top (TensorFlow Playground's
big picture); for a one-feature regression, the fitted curve through the points."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui.plots_palette import DIVERGING_LUT, class_color

WHITE = np.array([255.0, 255.0, 255.0])


class BoundaryPlot(QWidget):
    """Shows ``set_grid`` (the output on a G×G grid) under ``set_points`` (train and test data).

    Grid arrays are in the plane's orientation: row 0 is the lowest x2, column 0 the
    lowest x1, spanning ``extent`` = (x1_min, x1_max, x2_min, x2_max).

    * binary: values (G, G), the probability of class 1: blue (0) … white … red (1)
    * multiclass: values (G, G, K) probabilities: each class's colour, paler where unsure
    * regression: values (G, G): the diverging scale around 0, levels from the targets

    "Discretize" draws classes at full strength with no shading of confidence.
    ``set_curve`` switches to a 1-D plot (regression on one feature).
    """

    discretizeChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("boundaryPlot")
        self._grid = None
        self._extent = (-6.0, 6.0, -6.0, 6.0)
        self._task = "binary"
        self._n_classes = 2
        self._show_test = True
        self._points = None

        self.plot = pg.PlotWidget(self)
        self.plot.setBackground("w")
        self.plot.setObjectName("boundaryGraphics")
        item = self.plot.getPlotItem()
        item.hideButtons()
        item.setMenuEnabled(False)
        item.setMouseEnabled(False, False)
        for axis in ("left", "bottom"):
            item.getAxis(axis).setPen("#777")
            item.getAxis(axis).setTextPen("#333")
            item.getAxis(axis).enableAutoSIPrefix(False)
        item.setLabel("bottom", "x1")
        item.setLabel("left", "x2")
        self.image = pg.ImageItem(axisOrder="row-major")
        item.addItem(self.image)
        self.train_points = pg.ScatterPlotItem(size=7, pen=pg.mkPen("w", width=1.0))
        self.test_points = pg.ScatterPlotItem(size=7, pen=pg.mkPen("#222", width=1.2))
        item.addItem(self.train_points)
        item.addItem(self.test_points)
        self.curve = pg.PlotDataItem([], [], pen=pg.mkPen("#c0392b", width=3))
        item.addItem(self.curve)

        self.discretize_box = QCheckBox("Discretize output", self)
        self.discretize_box.setObjectName("discretizeOutput")
        self.discretize_box.setToolTip("Colour each point of the plane by the class the network picks, without shading.")
        self.discretize_box.toggled.connect(self._discretize_toggled)
        self.legend = QLabel(self)
        self.legend.setObjectName("boundaryLegend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.legend, 1)
        bottom.addWidget(self.discretize_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.plot, 1)
        layout.addLayout(bottom)

    # ------------------------------------------------------------------ data

    def set_task(self, task: str, n_classes: int | None = None, class_names=None) -> None:
        """binary, multiclass or regression (and the class count): how values map to colours."""
        self._task = task
        self._n_classes = int(n_classes or (2 if task == "binary" else 0))
        self.discretize_box.setEnabled(task != "regression")
        self._legend(class_names)

    def set_grid(self, values, extent=None) -> None:
        """The network's output over the plane (see the class docstring for shapes)."""
        self._grid = None if values is None else np.asarray(values)
        if extent is not None:
            self._extent = tuple(float(e) for e in extent)
        self.curve.setData([], [])
        self._draw_grid()

    def set_points(self, x_train, y_train, x_test=None, y_test=None) -> None:
        """The data: x (N, 2) points; y class indices (or 0/1, or targets for regression)."""
        self._points = (x_train, y_train, x_test, y_test)
        self._draw_points()

    def set_curve(self, x_line, y_line, x_train, y_train, x_test=None, y_test=None) -> None:
        """One-feature regression: the fitted curve y(x) and the points (x, y)."""
        self.image.clear()
        self._grid = None
        item = self.plot.getPlotItem()
        item.setAspectLocked(False)
        item.setLabel("left", "y")
        self.curve.setData(np.asarray(x_line, float), np.asarray(y_line, float))
        grey = pg.mkBrush(31, 78, 140, 170)
        self.train_points.setData(np.asarray(x_train, float).ravel(), np.asarray(y_train, float).ravel(), brush=grey)
        if x_test is not None and self._show_test:
            self.test_points.setData(np.asarray(x_test, float).ravel(), np.asarray(y_test, float).ravel(),
                                     brush=pg.mkBrush(255, 255, 255, 200))
        else:
            self.test_points.setData([], [])
        self.legend.setText("<span style='color:#1f4e8c'>●</span> train &nbsp; ○ test &nbsp; "
                            "<span style='color:#c0392b'>━</span> the network's prediction")
        item.enableAutoRange()

    def set_show_test(self, on: bool) -> None:
        """Show or hide the test points."""
        self._show_test = bool(on)
        self.test_points.setVisible(self._show_test)

    def set_discretize(self, on: bool) -> None:
        """Draw the classes without shading of confidence."""
        self.discretize_box.setChecked(bool(on))

    def grid(self) -> np.ndarray | None:
        """The last grid received."""
        return self._grid

    # ------------------------------------------------------------------ drawing

    def _discretize_toggled(self, on: bool) -> None:
        self._draw_grid()
        self.discretizeChanged.emit(bool(on))

    def _draw_grid(self) -> None:
        g = self._grid
        item = self.plot.getPlotItem()
        if g is None:
            self.image.clear()
            return
        item.setAspectLocked(False)
        item.setLabel("left", "x2")
        discrete = self.discretize_box.isChecked() and self._task != "regression"
        if self._task == "multiclass" and g.ndim == 3:
            k = g.shape[2]
            colours = np.array([class_color(c, max(k, 3)) for c in range(k)], dtype=float)
            best = np.argmax(g, axis=2)
            if discrete:
                rgb = colours[best] * 0.55 + WHITE * 0.45
            else:
                conf = np.max(g, axis=2)[..., None]
                # certainty 1/K (a guess) is white; certainty 1 the class colour at 60 %
                t = np.clip((conf - 1.0 / k) / (1.0 - 1.0 / k), 0, 1) * 0.6
                rgb = colours[best] * t + WHITE * (1 - t)
            self.image.setLookupTable(None)
            self.image.setImage(rgb_to_qimage_array(rgb), levels=(0, 255), autoLevels=False)
        else:
            values = g[..., 0] if g.ndim == 3 else g
            if self._task == "regression":
                v = float(np.nanmax(np.abs(values))) if values.size else 1.0
                lo, hi = -max(v, 1e-9), max(v, 1e-9)
                if self._points is not None and self._points[1] is not None and np.size(self._points[1]):
                    t = float(np.nanmax(np.abs(self._points[1])))
                    lo, hi = -max(t, 1e-9), max(t, 1e-9)
            else:
                lo, hi = 0.0, 1.0
                if discrete:
                    values = (values > 0.5).astype(float) * 0.8 + 0.1
            # a paler table under the points, as Playground does, so the points stand out
            table = (DIVERGING_LUT.astype(float) * 0.7 + 255 * 0.3).astype(np.uint8)
            table[:, 3] = 255
            self.image.setLookupTable(table)
            self.image.setImage(values, levels=(lo, hi), autoLevels=False)
        x0, x1, y0, y1 = self._extent
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        item.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def _draw_points(self) -> None:
        if self._points is None:
            return
        x_train, y_train, x_test, y_test = self._points
        self.train_points.setData(pos=np.asarray(x_train, float)[:, :2], brush=self._brushes(y_train))
        if x_test is not None and len(x_test):
            self.test_points.setData(pos=np.asarray(x_test, float)[:, :2], brush=self._brushes(y_test))
        else:
            self.test_points.setData([], [])
        self.test_points.setVisible(self._show_test)

    def _brushes(self, y) -> list:
        y = np.asarray(y).ravel()
        if self._task == "regression":
            v = float(np.nanmax(np.abs(y))) if y.size else 1.0
            idx = np.clip(((y / (v or 1.0)) * 0.5 + 0.5) * 255, 0, 255).astype(int)
            return [pg.mkBrush(*DIVERGING_LUT[i, :3]) for i in idx]
        k = self._n_classes if self._task == "multiclass" else 2
        cache = {c: pg.mkBrush(*class_color(c, k)) for c in range(max(k, 2))}
        return [cache.get(int(c), cache[0]) for c in y]

    def _legend(self, class_names) -> None:
        if self._task == "regression":
            self.legend.setText("Colour: the network's output (blue low, white 0, red high); points: the targets.")
            return
        k = self._n_classes if self._task == "multiclass" else 2
        names = list(class_names) if class_names else [f"class {c}" for c in range(k)]
        parts = []
        for c in range(k):
            r, g, b = class_color(c, k)
            parts.append(f"<span style='color:rgb({r},{g},{b})'>●</span> {names[c] if c < len(names) else c}")
        self.legend.setText(" &nbsp;".join(parts) + " &nbsp; (ringed: test)")


def rgb_to_qimage_array(rgb: np.ndarray) -> np.ndarray:
    """(G, G, 3) floats 0..255 to the uint8 array ImageItem draws as colours."""
    return np.clip(rgb, 0, 255).astype(np.uint8)
