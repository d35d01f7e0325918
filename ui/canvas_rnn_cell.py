"""The recurrent cell in the network canvas: its units inside a box, the loop that feeds h back,
and an unrolled view over time on demand."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsObject

from ui.canvas_button import CanvasButton
from ui.canvas_neuron import CanvasNeuron
from ui.canvas_theme import colour
from ui.plots_palette import array_to_qimage

PAD = 10.0
GAP = 8.0
STEP_W = 22.0      # one time step's column in the unrolled view
LOOP_DEPTH = 34.0  # how far the recurrent loop's control points reach below the cell
LABEL_Y = 30.0     # the loop's label, below the loop (whose lowest point is ~3/4 of LOOP_DEPTH)
MAX_STEPS_SHOWN = 12


class CanvasRnnCell(QGraphicsObject):
    """A box holding one ``CanvasNeuron`` per drawn unit, with the recurrent loop W_hh·h(t−1).

    Rolled up, each unit shows its hidden state over time as a strip. ``unrolled`` draws
    the same cell once per time step, h₁ → h₂ → … → h_T, each step a column of the units'
    values, so the recurrence reads left to right. Toggling emits ``unrollToggled(layer, on)``
    so the canvas can make room.
    """

    unrollToggled = Signal(int, bool)
    clicked = Signal(int)

    def __init__(self, layer: int, units_drawn: int, steps: int, neuron_size: float = 30.0,
                 unrolled: bool = False, parent=None):
        super().__init__(parent)
        self.layer = int(layer)
        self.steps = int(steps)
        self._n = int(units_drawn)
        self._size = float(neuron_size)
        self._unrolled = bool(unrolled)
        self._hidden: np.ndarray | None = None  # (T, units)
        self._levels = (-1.0, 1.0)
        self._hover_loop = False
        self.neurons: list[CanvasNeuron] = []
        for j in range(self._n):
            neuron = CanvasNeuron(layer, j, neuron_size, parent=self)
            neuron.setPos(PAD, PAD + j * (neuron_size + GAP))
            self.neurons.append(neuron)
        self.unroll_button = CanvasButton("roll up" if unrolled else "unroll",
                                          "Show the cell once per time step" if not unrolled
                                          else "Fold the time steps back into one cell", 16, self, width=52)
        self.unroll_button.clicked.connect(self._toggle)
        self._place()
        self.setAcceptHoverEvents(True)
        self.setToolTip("Recurrent cell: h_t = f(W_xh·x_t + W_hh·h_{t−1} + b_h). The loop is W_hh.")

    # -- geometry ---------------------------------------------------------------

    def units_height(self) -> float:
        """Height of the column of units."""
        return self._n * self._size + max(self._n - 1, 0) * GAP

    @staticmethod
    def width_for(units_drawn: int, steps: int, neuron_size: float, unrolled: bool) -> float:
        """The width a cell with these settings takes."""
        if unrolled:
            shown = min(steps, MAX_STEPS_SHOWN)
            return PAD * 2 + shown * STEP_W + (shown - 1) * 8
        return PAD * 2 + neuron_size

    def box(self) -> QRectF:
        """The cell's outline."""
        width = self.width_for(self._n, self.steps, self._size, self._unrolled)
        return QRectF(0, 0, width, self.units_height() + 2 * PAD)

    def width(self) -> float:
        """How much room the cell takes across."""
        return self.box().width()

    def unit_anchor(self, unit: int, side: str) -> QPointF:
        """Where links attach to unit ``unit`` (scene coordinates), on the "left" or "right"."""
        y = PAD + unit * (self._size + GAP) + self._size / 2
        x = 0.0 if side == "left" else self.box().width()
        return self.mapToScene(QPointF(x, y))

    def is_unrolled(self) -> bool:
        """True when the cell is drawn once per time step."""
        return self._unrolled

    def _place(self) -> None:
        for neuron in self.neurons:
            neuron.setVisible(not self._unrolled)
        b = self.box()
        self.unroll_button.setPos(b.center().x() - 26, b.bottom() + LABEL_Y + 18)

    def _toggle(self) -> None:
        self.prepareGeometryChange()
        self._unrolled = not self._unrolled
        self._place()
        self.unrollToggled.emit(self.layer, self._unrolled)

    # -- data ---------------------------------------------------------------

    def set_hidden(self, hidden, levels: tuple) -> None:
        """The hidden states of one sequence, (T, units), for the unrolled drawing."""
        self._hidden = None if hidden is None else np.asarray(hidden)
        self._levels = (float(levels[0]), float(levels[1]))
        self.update()

    # -- drawing ---------------------------------------------------------------

    def boundingRect(self) -> QRectF:  # noqa: N802
        b = self.box()
        return b.adjusted(-4, -4, 4, LABEL_Y + 40)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        b = self.box()
        painter.setBrush(colour("rnn_fill"))
        painter.setPen(QPen(colour("rnn_edge"), 1.5))
        painter.drawRoundedRect(b, 8, 8)
        if self._unrolled:
            self._paint_unrolled(painter, b)
        self._paint_loop(painter, b)

    def _paint_loop(self, painter: QPainter, b: QRectF) -> None:
        loop = colour("rnn_hover" if self._hover_loop else "rnn_edge")
        painter.setPen(QPen(loop, 2.5 if self._hover_loop else 1.8))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        path = self._loop_path(b)
        painter.drawPath(path)
        # arrowhead where the loop re-enters the cell (pointing up)
        tip = QPointF(b.left() + b.width() * 0.25, b.bottom())
        painter.setBrush(loop)
        painter.drawPolygon(QPolygonF([tip, tip + QPointF(-5, 9), tip + QPointF(5, 9)]))
        font = QFont(painter.font())
        font.setPointSizeF(8)
        painter.setFont(font)
        painter.setPen(colour("rnn_text"))
        text = "h(t−1) → h(t)" if self._unrolled else "W_hh · h(t−1)"
        painter.drawText(QRectF(b.center().x() - 60, b.bottom() + LABEL_Y, 120, 16), Qt.AlignmentFlag.AlignCenter, text)

    def _loop_path(self, b: QRectF) -> QPainterPath:
        start = QPointF(b.left() + b.width() * 0.75, b.bottom())
        end = QPointF(b.left() + b.width() * 0.25, b.bottom() + 2)
        path = QPainterPath(start)
        path.cubicTo(start + QPointF(12, LOOP_DEPTH), end + QPointF(-12, LOOP_DEPTH), end)
        return path

    def _paint_unrolled(self, painter: QPainter, b: QRectF) -> None:
        shown = min(self.steps, MAX_STEPS_SHOWN)
        # with many steps, show the first and the last ones and mark the gap
        if self.steps > MAX_STEPS_SHOWN:
            half = MAX_STEPS_SHOWN // 2
            ts = list(range(half)) + list(range(self.steps - (MAX_STEPS_SHOWN - half), self.steps))
        else:
            ts = list(range(self.steps))
        font = QFont(painter.font())
        font.setPointSizeF(7)
        painter.setFont(font)
        for k, t in enumerate(ts[:shown]):
            x = b.left() + PAD + k * (STEP_W + 8)
            col = QRectF(x, b.top() + PAD, STEP_W, self.units_height())
            if self._hidden is not None and t < self._hidden.shape[0]:
                strip = self._hidden[t, : self._n][:, None]
                image = array_to_qimage(strip, *self._levels)
                # one block per unit: no smoothing between neighbouring units
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
                painter.drawImage(col, image)
            painter.setPen(QPen(colour("rnn_edge"), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(col)
            painter.setPen(colour("rnn_text"))
            painter.drawText(QRectF(x - 4, b.top() - 14, STEP_W + 8, 12), Qt.AlignmentFlag.AlignCenter, f"h{t + 1}")
            if k + 1 < shown:
                y = col.center().y()
                gap_mark = self.steps > MAX_STEPS_SHOWN and k + 1 == MAX_STEPS_SHOWN // 2
                painter.drawText(QRectF(col.right(), y - 8, 8, 16), Qt.AlignmentFlag.AlignCenter,
                                 "…" if gap_mark else "›")

    def hoverMoveEvent(self, event) -> None:  # noqa: N802
        near = self._loop_path(self.box()).boundingRect().adjusted(-6, -6, 6, 6).contains(event.pos())
        if near != self._hover_loop:
            self._hover_loop = near
            self.update()

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802
        self._hover_loop = False
        self.update()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        event.accept()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        self.clicked.emit(self.layer)
        event.accept()
