"""Per-layer histograms of the weights and of their gradients, as training changes them."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui.canvas_theme import colour

W_BRUSH = pg.mkBrush(31, 78, 140, 150)
G_BRUSH = pg.mkBrush(211, 84, 0, 150)


class HistogramsPlot(QWidget):
    """One row per weight parameter: its values (left) and its gradient (right).

    ``set_histograms([{"name", "title", "w_edges", "w_counts", "g_edges", "g_counts"}, ...])``
    takes histograms already counted (the app counts them off the GUI thread); gradient
    entries may be None when none was measured yet.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("histogramsPlot")
        self.graphics = pg.GraphicsLayoutWidget(self)
        self.graphics.setBackground("w")
        self.note = QLabel("Weights (blue) and their gradients (orange) per layer, from the last snapshot.", self)
        self.note.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(self.graphics, 1)
        self._names: list = []
        self._curves: dict = {}

    def names(self) -> list:
        """The parameters shown, in order."""
        return list(self._names)

    def set_histograms(self, hists: list) -> None:
        """Draw the histograms (see the class docstring)."""
        names = [h["name"] for h in hists]
        if names != self._names:
            self._build(hists)
        for h in hists:
            w_curve, g_curve = self._curves[h["name"]]
            w_curve.setData(h["w_edges"], h["w_counts"], stepMode="center", fillLevel=0, brush=W_BRUSH)
            if h.get("g_edges") is not None:
                g_curve.setData(h["g_edges"], h["g_counts"], stepMode="center", fillLevel=0, brush=G_BRUSH)

    def _build(self, hists: list) -> None:
        self.graphics.clear()
        self._curves = {}
        self._names = [h["name"] for h in hists]
        for k, h in enumerate(hists):
            pair = []
            # two parameters to a row, so each plot keeps some height
            row, base = divmod(k, 2)
            for col, (what, pen) in enumerate((("weights", "#1f4e8c"), ("gradients", "#d35400"))):
                item = self.graphics.addPlot(row=row, col=2 * base + col)
                item.hideButtons()
                item.setMenuEnabled(False)
                item.setMouseEnabled(False, False)
                item.getAxis("left").setStyle(showValues=False)
                item.getAxis("bottom").setPen("#777")
                item.getAxis("bottom").setTextPen("#333")
                item.getAxis("left").setPen("#bbb")
                item.setTitle(f"{h.get('title', h['name'])} {what}", color=colour("plot_text").name(), size="8pt")
                pair.append(item.plot([0, 1], [0], stepMode="center", pen=pg.mkPen(pen, width=1)))
            self._curves[h["name"]] = tuple(pair)
