"""A convolution (or pooling) at one output pixel: the window over the padded input, the kernel, the sum.

Plain data in: one sample's input (C, H, W), the layer's kernels (F, C, k, k) and the
outputs (F, OH, OW), with the stride and padding; for pooling the input and output maps
and the window size. Clicking an output pixel (or choosing another filter) emits
``pixelChosen``; the app answers with ``show_pixel``, giving the dot product written out
(from ``engine.explain``) and, for max pooling, which input won.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from ui.inspector_matrix_view import InspectorMatrixView


def _operator(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setStyleSheet("font-size: 20pt; color: palette(placeholder-text); padding: 0 4px;")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


class InspectorConvPatch(QWidget):
    """Shows z[f, i, j] = Σ W[f] ⊙ (the k×k window of the padded input at (i·s, j·s)), or a pool window.

    ``set_conv(x, weights, out, stride, padding, names)`` / ``set_pool(x, out, size,
    stride, kind, names)`` give the data; ``show_pixel(f, i, j, text, winner)`` marks an
    output pixel, its window and (pooling) the winning input, and writes ``text`` (rich
    text) under them. Signal ``pixelChosen(int, int, int)``: filter (or channel), row,
    column of the output pixel a person picked.
    """

    pixelChosen = Signal(int, int, int)
    hovered = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("inspectorConvPatch")
        self._mode = "conv"
        self._x = self._w = self._out = None
        self._k = 1
        self._stride = 1
        self._pad = 0
        self._names: dict = {}
        self._pixel = (0, 0, 0)

        self.filter_label = QLabel("Filter", self)
        self.filter_box = QSpinBox(self)
        self.filter_box.setObjectName("inspectorFilterBox")
        self.filter_box.setToolTip("Which filter's kernel and output map to show.")
        self.note = QLabel(self)
        self.note.setObjectName("inspectorConvNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #3b4552;")
        self.input_view = InspectorMatrixView(self, max_width=880, max_height=300, show_readout=False)
        self.input_view.setObjectName("inspectorConvInput")
        self.kernel_view = InspectorMatrixView(self, max_width=300, max_height=220, show_readout=False)
        self.kernel_view.setObjectName("inspectorConvKernel")
        self.output_view = InspectorMatrixView(self, max_width=600, max_height=220, show_readout=False)
        self.output_view.setObjectName("inspectorConvOutput")
        for view in (self.input_view, self.kernel_view, self.output_view):
            view.hovered.connect(self.hovered)
        self.star = _operator("∗", self)
        self.equals = _operator("→", self)
        self.dot = QLabel(self)
        self.dot.setObjectName("inspectorConvDot")
        self.dot.setTextFormat(Qt.TextFormat.RichText)
        self.dot.setWordWrap(True)
        self.dot.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.dot.setStyleSheet("font-size: 10.5pt; background: #fff8e6; border: 1px solid #f0d9a8; "
                               "border-radius: 4px; padding: 6px;")

        top = QHBoxLayout()
        top.addWidget(self.filter_label)
        top.addWidget(self.filter_box)
        top.addSpacing(12)
        top.addWidget(self.note, 1)
        # the input across the top; kernel and output under it
        row = QHBoxLayout()
        row.setSpacing(6)
        row.addWidget(self.star)
        row.addWidget(self.kernel_view, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.equals)
        row.addWidget(self.output_view, 0, Qt.AlignmentFlag.AlignTop)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.input_view, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(row)
        layout.addWidget(self.dot)

        self.filter_box.valueChanged.connect(self._filter_changed)
        self.output_view.cellClicked.connect(self._output_clicked)

    # ------------------------------------------------------------------ data in

    def set_conv(self, x, weights, out, stride: int, padding: int, names: dict | None = None) -> None:
        """One sample's convolution: x (C, H, W), weights (F, C, k, k), out (F, OH, OW) without the bias.

        ``names``: symbols for "x", "W" and "z" (default a, W, z)."""
        self._mode = "conv"
        self._x, self._w, self._out = x, weights, out
        self._k = int(weights.shape[-1])
        self._stride, self._pad = int(stride), int(padding)
        self._names = {"x": "a", "W": "W", "z": "z", **(names or {})}
        f = min(self._pixel[0], weights.shape[0] - 1)
        self.filter_label.setText("Filter")
        self.filter_box.blockSignals(True)
        self.filter_box.setRange(1, int(weights.shape[0]))
        self.filter_box.setValue(f + 1)
        self.filter_box.blockSignals(False)
        for w in (self.filter_label, self.filter_box, self.kernel_view, self.star):
            w.setVisible(True)
        self.equals.setText("→")
        self.note.setText(f"The {self._k}×{self._k} kernel slides over the input {self._stride} cell"
                          f"{'s' if self._stride != 1 else ''} at a time; grey cells are the zero padding "
                          f"({self._pad} all round). Click an output pixel to see its sum.")
        self.input_view.set_array(x, self._names["x"], "the input (one sample)", padding=self._pad)
        self._show_filter(f)

    def set_pool(self, x, out, size: int, stride: int, kind: str = "max", names: dict | None = None) -> None:
        """One sample's pooling: x (C, H, W) in, out (C, OH, OW) out, size×size windows."""
        self._mode = kind
        self._x, self._w, self._out = x, None, out
        self._k, self._stride, self._pad = int(size), int(stride), 0
        self._names = {"x": "a", "z": "a", **(names or {})}
        for w in (self.filter_label, self.filter_box, self.kernel_view, self.star):
            w.setVisible(False)
        self.equals.setText("→")
        what = "the largest value" if kind == "max" else "the mean"
        self.note.setText(f"Each {self._k}×{self._k} window (stride {self._stride}) gives {what}. "
                          "Click an output value to see its window" + (" and the input that won." if kind == "max"
                                                                       else "."))
        self.input_view.set_array(x, self._names["x"], "the input (one sample)")
        self.output_view.set_array(out, self._names["z"], "the output: click a value")
        self._pixel = (min(self._pixel[0], out.shape[0] - 1), 0, 0)

    def show_pixel(self, f: int, i: int, j: int, text: str = "", winner=None) -> None:
        """Mark output pixel (f, i, j), its window over the input and (pooling) the ``winner``
        input index; write ``text`` (rich text) below."""
        self._pixel = (int(f), int(i), int(j))
        k, s, p = self._k, self._stride, self._pad
        r0, c0 = i * s - p, j * s - p
        if self._mode == "conv":
            if self.filter_box.value() != f + 1:
                self.filter_box.blockSignals(True)
                self.filter_box.setValue(f + 1)
                self.filter_box.blockSignals(False)
                self._show_filter(f)
            channels = range(self._x.shape[0])
            self.input_view.set_marks(boxes=[((c,), r0, c0, k, k) for c in channels])
            self.output_view.set_marks(cells=[(i, j)])
        else:
            self.input_view.set_marks(boxes=[((f,), r0, c0, k, k)], winners=[winner] if winner is not None else [])
            self.output_view.set_marks(cells=[(f, i, j)])
        self.dot.setText(text)
        self.dot.setVisible(bool(text))

    # ------------------------------------------------------------------ read back

    def pixel(self) -> tuple:
        """The output pixel shown (filter or channel, row, column)."""
        return self._pixel

    def mode(self) -> str:
        """"conv", "max" or "avg"."""
        return self._mode

    def dot_text(self) -> str:
        """The text under the views."""
        return self.dot.text()

    # ------------------------------------------------------------------ reactions

    def _show_filter(self, f: int) -> None:
        n = self._names
        self.kernel_view.set_array(self._w[f], f"{n['W']}[filter {f + 1}]", "its kernel, one slice per input channel")
        self.output_view.set_array(self._out[f], f"{n['z']}[filter {f + 1}]",
                                   "its output map (before the bias): click a pixel")

    def _filter_changed(self, value: int) -> None:
        f = int(value) - 1
        self._show_filter(f)
        _, i, j = self._pixel
        i = min(i, self._out.shape[1] - 1)
        j = min(j, self._out.shape[2] - 1)
        self.pixelChosen.emit(f, i, j)

    def _output_clicked(self, index: tuple) -> None:
        if self._mode == "conv":
            i, j = index
            self.pixelChosen.emit(self.filter_box.value() - 1, int(i), int(j))
        else:
            c, i, j = index
            self.pixelChosen.emit(int(c), int(i), int(j))
