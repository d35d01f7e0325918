"""An RNN unrolled over time: x_t, then h_t computed left to right, then δ_t flowing back right to left.

Plain data in: for each time step t the input x_t, the hidden state h_t and the BPTT
gradient δ_t the trace has reached so far (one sample: vectors; the whole batch:
(N, units) matrices, drawn units down and samples across). Steps not reached yet are
empty boxes, so the forward pass fills the row from the left and back-propagation
through time fills the lower row from the right. Colours share one scale per row, so
a gradient that fades as it flows back shows as paler boxes.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from engine.explain import fmt
from ui.matrix_colors import lut, symmetric_level

LABEL_W = 96
TOP = 18
ROW_GAP = 26
_LUT = lut(257)
_CURRENT = QColor(230, 120, 0)
ROWS = ("x", "h", "delta")
ROW_TEXT = {"x": "input x_t", "h": "h_t  (forward →)", "delta": "δ_t  (← BPTT)"}


def _image(values: np.ndarray, level: float) -> QImage:
    a = np.asarray(values, dtype=np.float64)
    t = np.clip(0.5 + 0.5 * np.nan_to_num(a) / level, 0.0, 1.0)
    rgba = np.ascontiguousarray(_LUT[np.round(t * (len(_LUT) - 1)).astype(np.intp)])
    h, w = a.shape
    return QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()


class _Strip(QWidget):
    """Paints the three rows of boxes and maps the pointer to (row, t, unit, sample)."""

    def __init__(self, owner: "InspectorRnnTimeline"):
        super().__init__(owner)
        self.owner = owner
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(600, self.owner._height())

    def _geometry(self):
        o = self.owner
        T = max(1, o._steps)
        box_w = max(10.0, min(64.0, (self.width() - LABEL_W - 8) / T))
        return T, box_w

    def box_rect(self, row: str, t: int) -> QRectF:
        o = self.owner
        _, box_w = self._geometry()
        y = TOP
        for name in ROWS:
            h = o._row_height(name)
            if name == row:
                return QRectF(LABEL_W + t * box_w + 3, y, box_w - 6, h)
            y += h + ROW_GAP
        return QRectF()

    def paintEvent(self, event) -> None:  # noqa: N802
        o = self.owner
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(self.font())
        font.setPointSizeF(8.5)
        painter.setFont(font)
        T, box_w = self._geometry()
        every = max(1, int(np.ceil(36 / box_w)))  # room for 't=12'
        painter.setPen(QColor("#56606c"))
        for t in range(o._steps):
            if t % every == 0 or t == o._steps - 1:
                r = self.box_rect("x", t)
                painter.drawText(QRectF(r.x() - 6, 0, r.width() + 12, TOP - 2),
                                 Qt.AlignmentFlag.AlignCenter, f"t={t}")
        for name in ROWS:
            first = self.box_rect(name, 0)
            painter.setPen(QColor("#1d2733"))
            painter.drawText(QRectF(0, first.y(), LABEL_W - 6, first.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, ROW_TEXT[name])
            data = o._rows[name]
            level = o._levels[name]
            for t in range(o._steps):
                rect = self.box_rect(name, t)
                values = data.get(t)
                if values is None:
                    painter.setPen(QPen(QColor("#c3c8cf"), 1, Qt.PenStyle.DashLine))
                    painter.setBrush(QColor("#f7f8fa"))
                    painter.drawRect(rect)
                    continue
                painter.drawImage(rect, _image(o._as_grid(values), level))
                painter.setPen(QPen(QColor("#7d8794"), 1))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(rect)
                # arrows: h flows forward (→ into t+1), δ flows back (← into t−1)
                if name == "h" and (t + 1) in data:
                    self._arrow(painter, rect.right(), self.box_rect(name, t + 1).left(), rect.center().y())
                if name == "delta" and (t - 1) in data:
                    self._arrow(painter, rect.left(), self.box_rect(name, t - 1).right(), rect.center().y())
        if o._current is not None:
            row, t = o._current
            rect = self.box_rect(row, t).adjusted(-2, -2, 2, 2)
            painter.setPen(QPen(_CURRENT, 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect)
        painter.end()

    @staticmethod
    def _arrow(painter, x0, x1, y) -> None:
        painter.setPen(QPen(QColor("#56606c"), 1.2))
        painter.drawLine(int(x0), int(y), int(x1), int(y))
        d = 3 if x1 > x0 else -3
        painter.setBrush(QColor("#56606c"))
        painter.drawPolygon(QPolygonF([QRectF(x1 - d, y - 3, 0, 0).topLeft(), QRectF(x1, y, 0, 0).topLeft(),
                                       QRectF(x1 - d, y + 3, 0, 0).topLeft()]))

    def hit(self, point):
        o = self.owner
        for name in ROWS:
            for t in range(o._steps):
                rect = self.box_rect(name, t)
                if rect.contains(point):
                    values = o._rows[name].get(t)
                    if values is None:
                        return name, t, None, None
                    grid = o._as_grid(values)
                    unit = int((point.y() - rect.y()) / rect.height() * grid.shape[0])
                    sample = int((point.x() - rect.x()) / rect.width() * grid.shape[1])
                    return name, t, min(unit, grid.shape[0] - 1), min(sample, grid.shape[1] - 1)
        return None

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        self.owner._hover(self.hit(event.position()))

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        hit = self.hit(event.position())
        if hit is not None and hit[2] is not None:
            self.owner.stepClicked.emit("forward" if hit[0] != "delta" else "backward", hit[1])


class InspectorRnnTimeline(QWidget):
    """The unrolled recurrent layer: one column per time step, rows x_t, h_t and δ_t.

    ``set_timeline(steps, inputs, hidden, deltas, current, batch)``: ``inputs``,
    ``hidden`` and ``deltas`` map t to that step's array (missing t: not reached yet);
    ``current`` is ("h" | "delta", t) to outline, or None; ``batch`` says the arrays are
    (N, units) rather than one sample's vector. Signal ``stepClicked(str, int)``: phase
    ("forward" for x/h boxes, "backward" for δ boxes) and t of a clicked box.
    """

    stepClicked = Signal(str, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("inspectorRnnTimeline")
        self._steps = 0
        self._rows = {name: {} for name in ROWS}
        self._levels = {name: 1.0 for name in ROWS}
        self._current = None
        self._batch = False
        self.title = QLabel("The recurrent layer unrolled over time", self)
        self.title.setStyleSheet("font-weight: 600; color: palette(window-text);")
        self.strip = _Strip(self)
        self.readout = QLabel("Point at a box to read a value; click it to go to that time step.", self)
        self.readout.setObjectName("inspectorRnnReadout")
        self.readout.setStyleSheet("color: palette(window-text); font-size: 8.5pt;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.strip)
        layout.addWidget(self.readout)

    def set_timeline(self, steps: int, inputs: dict, hidden: dict, deltas: dict, current=None,
                     batch: bool = False) -> None:
        """Show ``steps`` time steps with the arrays reached so far (see the class docstring)."""
        self._steps = int(steps)
        self._batch = bool(batch)
        self._rows = {"x": dict(inputs), "h": dict(hidden), "delta": dict(deltas)}
        for name, data in self._rows.items():
            values = [np.asarray(v, dtype=np.float64) for v in data.values()]
            self._levels[name] = symmetric_level(np.concatenate([v.ravel() for v in values])) if values else 1.0
        self._current = tuple(current) if current is not None else None
        self.strip.setFixedHeight(self._height())
        self.strip.update()

    def filled(self, row: str) -> list:
        """The time steps with an array in ``row`` ("x", "h" or "delta"), in order."""
        return sorted(self._rows[row])

    def current(self):
        """The outlined box (row, t), or None."""
        return self._current

    def value_text(self, row: str, t: int, unit: int, sample: int = 0) -> str:
        """The read-out for one value (what hovering writes)."""
        grid = self._as_grid(self._rows[row][t])
        v = float(grid[unit, sample])
        name = {"x": "x", "h": "h", "delta": "δ"}[row]
        what = "feature" if row == "x" else "unit"
        who = f", sample {sample + 1}" if self._batch else ""
        return f"{name}_{t}, {what} {unit + 1}{who} = {fmt(v)}"

    # ------------------------------------------------------------------ internals

    def _as_grid(self, values) -> np.ndarray:
        a = np.asarray(values, dtype=np.float64)
        if a.ndim == 1:
            return a.reshape(-1, 1)
        if a.ndim == 0:
            return a.reshape(1, 1)
        return a.T  # (N, units): units down, samples across

    def _row_height(self, name: str) -> int:
        # h and δ have one value per unit: they share a height, even before δ arrives
        sources = ("x",) if name == "x" else ("h", "delta")
        n = 1
        for source in sources:
            for v in self._rows[source].values():
                n = self._as_grid(v).shape[0]
                break
        per = 8 if name == "x" else 6
        return int(max(16, min(110, n * per)))

    def _height(self) -> int:
        return TOP + sum(self._row_height(n) for n in ROWS) + ROW_GAP * (len(ROWS) - 1) + 4

    def _hover(self, hit) -> None:
        if hit is None:
            self.readout.setText("Point at a box to read a value; click it to go to that time step.")
            return
        row, t, unit, sample = hit
        if unit is None:
            word = "the forward pass" if row != "delta" else "back-propagation"
            self.readout.setText(f"Time step {t}: not reached by {word} yet.")
            return
        self.readout.setText(self.value_text(row, t, unit, sample))
