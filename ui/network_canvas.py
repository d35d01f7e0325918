"""The network builder: layers drawn left to right, edited in place, coloured live by the weights.

The canvas shows a ``NetworkSpec`` (engine plain data) and emits the edits a person asks
for as a new spec dict (``specEdited``); the app checks it and calls ``set_spec`` back,
so the picture always shows the network really built. Weights and neuron maps come in
as numpy arrays from the training snapshots (``set_params``, ``set_neuron_images``).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import (QFrame, QGraphicsLineItem, QGraphicsScene, QGraphicsSimpleTextItem, QGraphicsView,
                               QLabel, QVBoxLayout, QWidget)

from ui import canvas_edits as edits
from ui.canvas_block import CanvasBlock
from ui.canvas_layer_editor import CanvasLayerEditor
from ui.canvas_layer_header import HEIGHT as HEADER_HEIGHT
from ui.canvas_layer_header import WIDTH as HEADER_WIDTH
from ui.canvas_layer_header import CanvasLayerHeader
from ui.canvas_link import CanvasLink
from ui.canvas_neuron import CanvasNeuron
from ui.canvas_neuron_zoom import CanvasNeuronZoom
from ui.canvas_palette import CanvasPalette
from ui.canvas_rnn_cell import CanvasRnnCell
from ui.canvas_theme import colour
from ui.canvas_weight_editor import CanvasWeightEditor
from ui.plots_palette import DIVERGING_LUT, GREY_LUT

#: at most this many neurons (or filters) are drawn per layer; the rest are counted
MAX_DRAWN = 16
NEURON = 34.0
IMAGE_NEURON = 44.0
GAP = 10.0
COLUMN_GAP = 118.0
BLOCK_WIDTH = 30.0
COLUMN_HEIGHT = 430.0  # a column taller than this shrinks its squares
MAX_SCALE = 1.3

KIND_WORD = {"dense": "neurons", "conv2d": "filters", "rnn": "units"}


def _shape_text(shape) -> str:
    return "×".join(str(int(s)) for s in shape)


class _Column:
    """What the canvas drew for one layer (or the input): its nodes and where links attach."""

    def __init__(self, layer: int, kind: str):
        self.layer = layer
        self.kind = kind
        self.nodes: list[CanvasNeuron] = []   # drawn neurons / maps / units
        self.block: CanvasBlock | None = None
        self.cell: CanvasRnnCell | None = None
        self.count = 0                        # how many nodes the layer really has
        self.x = 0.0
        self.width = 0.0

    def anchors(self, side: str) -> list:
        """Scene points where links attach: one per drawn node, or one for a block."""
        if self.cell is not None:
            return [self.cell.unit_anchor(j, side) for j in range(len(self.cell.neurons))]
        if self.block is not None:
            r = self.block.sceneBoundingRect()
            return [QPointF(r.left() if side == "left" else r.right(), r.center().y())]
        out = []
        for node in self.nodes:
            r = node.mapRectToScene(node.square())
            out.append(QPointF(r.left() if side == "left" else r.right(), r.center().y()))
        return out


class _View(QGraphicsView):
    """The graphics view the network is drawn in (fitted by ``NetworkCanvas._fit``)."""

    resized = Signal()
    backgroundClicked = Signal()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.resized.emit()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if self.itemAt(event.position().toPoint()) is None:
            self.backgroundClicked.emit()
        super().mouseReleaseEvent(event)


class NetworkCanvas(QWidget):
    """Builds networks visually: dense columns, conv stacks, pool/flatten blocks, the RNN cell.

    Signals:
      ``specEdited(dict)``: the spec dict the person asked for (already accepted by the
      validator, if one is set); the app rebuilds and calls ``set_spec`` with the result.
      ``weightEdited(str, tuple, float)``: a weight typed in on a link ("1.W", (row, col), value).
      ``neuronClicked(int, int)``: layer (−1 input) and unit of a clicked neuron.
      ``layerSelected(int)``: the layer whose title was clicked (−1: none).
      ``hovered(str)``: a sentence about what the pointer is on (empty when nothing).
    """

    specEdited = Signal(dict)
    weightEdited = Signal(str, tuple, float)
    neuronClicked = Signal(int, int)
    layerSelected = Signal(int)
    hovered = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("networkCanvas")
        self._spec = None
        self._spec_dict: dict = {}
        self._input_names: list = []
        self._output_fixed = True
        self._validator = None
        self._params: dict = {}
        self._images: dict = {}
        self._image_mode = "plane"
        self._selected = -1
        self._unrolled: set = set()
        self._highlight = None
        self.columns: dict[int, _Column] = {}
        self.headers: dict[int, CanvasLayerHeader] = {}
        self.links: list[CanvasLink] = []

        self.palette_bar = CanvasPalette(self)
        self.message = QLabel(self)
        self.message.setObjectName("canvasMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020; padding: 2px 6px;")
        self.message.hide()
        self.scene = QGraphicsScene(self)
        self.scene.setBackgroundBrush(colour("background"))
        # every link restyles on each snapshot: a BSP index would be rebuilt each time
        self.scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.view = _View(self.scene, self)
        self.view.setObjectName("networkView")
        self.view.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.view.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.BoundingRectViewportUpdate)
        self.readout = QLabel("Point at a link to read its weight; click it to edit. Click a neuron to see it large.",
                              self)
        self.readout.setObjectName("canvasReadout")
        self.readout.setStyleSheet("color: palette(window-text); padding: 2px 6px;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.palette_bar)
        layout.addWidget(self.message)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.readout)

        self.zoom = CanvasNeuronZoom(self.view.viewport())
        self.editor = CanvasLayerEditor(self.view.viewport())
        self.weight_editor = CanvasWeightEditor(self.view.viewport())

        self.palette_bar.insertRequested.connect(self._insert)
        self.editor.applied.connect(self._apply_settings)
        self.editor.removeRequested.connect(self._remove)
        self.weight_editor.committed.connect(self._weight_committed)
        self.view.resized.connect(self._fit)
        self.view.backgroundClicked.connect(self._background_clicked)

    # ------------------------------------------------------------------ inputs

    def set_validator(self, fn) -> None:
        """``fn(spec_dict)`` returns None when the app can build it, else (sentence, layer or None)."""
        self._validator = fn

    def restyle(self) -> None:
        """Take the current theme's colours (ui.canvas_theme) after a theme switch: the
        board, the labels and connectors made when the network was laid out; the items
        read theirs when they paint."""
        self.scene.setBackgroundBrush(colour("background"))
        for item in self.scene.items():
            if isinstance(item, QGraphicsSimpleTextItem):
                item.setBrush(colour("muted"))
            elif isinstance(item, QGraphicsLineItem):
                pen = item.pen()
                pen.setColor(colour("line"))
                item.setPen(pen)
        self.scene.update()

    def set_spec(self, spec, input_names=None, output_fixed: bool = True) -> None:
        """Draw ``spec`` (a NetworkSpec). ``input_names`` label the input features (x1, x2 ...);
        ``output_fixed`` hides +/− on the output layer, whose size the data decides."""
        same = self._spec is not None and spec.to_dict() == self._spec_dict
        self._spec = spec
        self._spec_dict = spec.to_dict()
        # weights and maps of another network would be drawn on the wrong links
        shapes = spec.param_shapes()
        self._params = {k: v for k, v in self._params.items() if shapes.get(k) == tuple(np.shape(v))}
        if not same:
            self._images = {}
        self._input_names = list(input_names or [])
        self._output_fixed = bool(output_fixed)
        if self._selected >= len(spec.layers):
            self._selected = -1
        self._unrolled = {i for i in self._unrolled if i < len(spec.layers) and spec.layers[i].kind == "rnn"}
        self.editor.hide()
        self.weight_editor.hide()
        self._rebuild()

    def spec_dict(self) -> dict:
        """The dict form of the spec drawn."""
        return dict(self._spec_dict)

    def set_params(self, params: dict) -> None:
        """Colour and thicken the links from the current parameters (name -> numpy array)."""
        self._params = params or {}
        levels: dict = {}
        for link in self.links:
            w = self._params.get(link.param)
            if w is None:
                continue
            value = self._link_value(w, link.index)
            if link.param not in levels:
                # one scale per parameter, so a layer of small weights stays readable
                levels[link.param] = self._level_for(w, link)
            link.set_weight(value, levels[link.param])
        for column in self.columns.values():
            if column.cell is not None:
                whh = self._params.get(f"{column.layer}.W_hh")
                if whh is not None and whh.size:
                    column.cell.setToolTip(
                        f"Recurrent weights W_hh ({_shape_text(whh.shape)}): mean |w| = {np.abs(whh).mean():.3g}, "
                        f"largest |w| = {np.abs(whh).max():.3g}. h_t = f(W_xh·x_t + W_hh·h_(t−1) + b_h).")

    def set_neuron_images(self, images: dict, mode: str = "plane", grey_input: bool = False) -> None:
        """Show each drawn neuron's map: ``images[layer]`` is (units, h, w) (layer −1: the input).

        ``mode`` says what the maps are, for captions: "plane" (output over the input
        plane, row 0 at the top = largest x2), "image" (feature maps of the chosen image),
        "sequence" (values over time of the chosen sequence, as (units, 1, T)).
        """
        self._images = images or {}
        self._image_mode = mode
        for layer, column in self.columns.items():
            maps = self._images.get(layer)
            nodes = column.cell.neurons if column.cell is not None else column.nodes
            if maps is None:
                for node in nodes:
                    node.set_image(None, (-1, 1))
                continue
            maps = np.asarray(maps)
            if mode == "plane":
                maps = maps[:, ::-1, :]  # snapshots put the lowest x2 in row 0; pictures put it at the bottom
            table = GREY_LUT if (layer == -1 and grey_input) else DIVERGING_LUT
            if table is GREY_LUT:
                levels = (0.0, max(1.0, float(np.nanmax(maps)) if maps.size else 1.0))
            elif layer >= 0 and getattr(self._spec.layers[layer], "activation", None) == "sigmoid":
                levels = (0.0, 1.0)  # 0.5, the undecided middle, white as on the boundary plot
            else:
                finite = maps[np.isfinite(maps)]
                v = float(np.abs(finite).max()) if finite.size else 1.0
                levels = (-v, v) if v > 0 else (-1.0, 1.0)
            for node in nodes:
                if node.unit < maps.shape[0]:
                    node.set_image(maps[node.unit], levels, table, self._caption(layer, node.unit))
            if column.cell is not None and maps.ndim == 3:
                column.cell.set_hidden(maps[:, 0, :].T, levels)
        if self.zoom.isVisible() and self.zoom.key is not None:
            self._show_zoom(*self.zoom.key)

    def show_message(self, sentence: str | None, layer: int | None = None) -> None:
        """Show a sentence above the canvas (None clears it); ``layer`` marks the layer at fault."""
        for i, header in self.headers.items():
            header.set_error(layer is not None and i == layer)
        if sentence:
            self.message.setText(sentence)
            self.message.show()
        else:
            self.message.hide()

    def message_text(self) -> str:
        """The sentence shown above the canvas ('' when none)."""
        return "" if self.message.isHidden() else self.message.text()

    def set_highlight(self, layer: int | None) -> None:
        """Outline a layer's neurons (e.g. the one a step-through is at); None clears."""
        self._highlight = layer
        for i, column in self.columns.items():
            on = layer is not None and i == layer
            for node in column.nodes:
                node.set_highlight(on)
            if column.block is not None:
                column.block.set_highlight(on)

    def selected_layer(self) -> int:
        """The layer the palette inserts after (−1: none chosen)."""
        return self._selected

    # ------------------------------------------------------------------ drawing

    def _rebuild(self) -> None:
        zoom_key = self.zoom.key if self.zoom.isVisible() else None
        self.scene.clear()
        self.columns, self.headers, self.links = {}, {}, []
        spec = self._spec
        if spec is None:
            return
        shapes = spec.shapes()
        n = len(spec.layers)
        x = 80.0  # room for the input labels on the left
        # input column
        self.columns[-1] = self._make_input_column(spec.input, x)
        x += self.columns[-1].width
        prev_centre = self.columns[-1].x + self.columns[-1].width / 2
        for i, layer in enumerate(spec.layers):
            slim = layer.kind in ("maxpool2d", "avgpool2d", "flatten", "dropout")
            x += COLUMN_GAP * (0.6 if slim else 1.0)
            width = self._column_width(i, layer)
            # headers are wider than slim columns: keep neighbouring headers apart
            x = max(x, prev_centre + HEADER_WIDTH + 12 - width / 2)
            column = self._make_layer_column(i, layer, shapes[i], x, last=(i == n - 1))
            self.columns[i] = column
            x += column.width
            prev_centre = column.x + column.width / 2
        top = min((c_top for c_top in self._column_tops()), default=0.0)
        header_y = top - HEADER_HEIGHT - 16
        self._make_header(-1, None, spec.input, header_y)
        for i, layer in enumerate(spec.layers):
            self._make_header(i, layer, shapes[i], header_y, last=(i == n - 1))
        for i in range(n):
            self._make_links(i, spec.layers[i])
        if self._params:
            self.set_params(self._params)
        if self._images:
            self.set_neuron_images(self._images, self._image_mode)
        self.set_highlight(self._highlight)
        rect = self.scene.itemsBoundingRect().adjusted(-20, -16, 30, 24)
        self.scene.setSceneRect(rect)
        self._fit()
        if zoom_key is not None and zoom_key[0] in self.columns:
            self._show_zoom(*zoom_key)
        else:
            self.zoom.close_zoom()

    def _column_tops(self):
        for column in self.columns.values():
            if column.cell is not None:
                yield column.cell.sceneBoundingRect().top()
            elif column.block is not None:
                yield column.block.sceneBoundingRect().top()
            elif column.nodes:
                yield min(node.sceneBoundingRect().top() for node in column.nodes)

    def _stack(self, column: _Column, count: int, size: float, x: float, labels=None) -> None:
        drawn = min(count, MAX_DRAWN)
        # tall columns get smaller squares, so the whole network keeps a readable scale
        size = max(22.0, min(size, (COLUMN_HEIGHT + GAP) / max(drawn, 1) - GAP))
        height = drawn * size + (drawn - 1) * GAP
        y0 = -height / 2
        for j in range(drawn):
            label = labels[j] if labels and j < len(labels) else ""
            node = CanvasNeuron(column.layer, j, size, label)
            node.setPos(x, y0 + j * (size + GAP))
            node.clicked.connect(self._neuron_clicked)
            self.scene.addItem(node)
            column.nodes.append(node)
        column.count = count
        column.width = size
        if count > drawn:
            more = QGraphicsSimpleTextItem(f"+{count - drawn} more")
            more.setBrush(colour("muted"))
            more.setPos(x - 6, y0 + height + 4)
            self.scene.addItem(more)

    def _make_input_column(self, shape, x) -> _Column:
        column = _Column(-1, "input")
        column.x = x
        if len(shape) == 3:      # image channels
            self._stack(column, shape[0], IMAGE_NEURON, x, ["image"] if shape[0] == 1 else
                        [f"channel {c + 1}" for c in range(shape[0])])
        elif len(shape) == 2:    # sequence features
            names = self._input_names or [f"x{j + 1}" for j in range(shape[1])]
            self._stack(column, shape[1], NEURON, x, names)
        else:
            names = self._input_names or [f"x{j + 1}" for j in range(shape[0])]
            self._stack(column, shape[0], NEURON, x, names)
        return column

    def _column_width(self, i, layer) -> float:
        if layer.kind in ("dense", "conv2d"):
            return NEURON
        if layer.kind == "rnn":
            steps = self._spec.input_shapes()[i][0]
            return CanvasRnnCell.width_for(min(layer.units, MAX_DRAWN), steps, 30.0, i in self._unrolled)
        return BLOCK_WIDTH

    def _make_layer_column(self, i, layer, shape, x, last) -> _Column:
        kind = layer.kind
        column = _Column(i, kind)
        column.x = x
        if kind in ("dense", "conv2d"):
            count = layer.units if kind == "dense" else layer.filters
            self._stack(column, count, NEURON, x)
        elif kind == "rnn":
            drawn = min(layer.units, MAX_DRAWN)
            steps = self._spec.input_shapes()[i][0]
            cell = CanvasRnnCell(i, drawn, steps, 30.0, unrolled=i in self._unrolled)
            cell.setPos(x, -cell.box().height() / 2)
            cell.unrollToggled.connect(self._unroll_toggled)
            cell.clicked.connect(self._open_settings)
            for node in cell.neurons:
                node.clicked.connect(self._neuron_clicked)
            self.scene.addItem(cell)
            column.cell = cell
            column.count = layer.units
            column.width = cell.width()
            if layer.units > drawn:
                more = QGraphicsSimpleTextItem(f"+{layer.units - drawn} more")
                more.setBrush(colour("muted"))
                more.setPos(x, cell.box().height() / 2 + 60)
                self.scene.addItem(more)
        else:
            words = {"maxpool2d": "max pool", "avgpool2d": "avg pool", "flatten": "flatten", "dropout": "dropout"}
            text = f"{words[kind]} {edits.layer_summary(layer.to_dict())} → {_shape_text(shape)}".replace("  ", " ")
            height = 150.0
            block = CanvasBlock(i, kind, text, height, BLOCK_WIDTH)
            block.setPos(x, -height / 2)
            block.clicked.connect(self._open_settings)
            self.scene.addItem(block)
            column.block = block
            column.width = BLOCK_WIDTH
        return column

    def _make_header(self, i, layer, shape, y, last=False) -> None:
        column = self.columns[i]
        if layer is None:
            title = "Input"
            summary = {1: "features", 2: "steps × features", 3: "channels × H × W"}[len(shape)]
            header = CanvasLayerHeader(-1, title, summary, _shape_text(shape), None, removable=False)
            header.setToolTip("The network's input: choose the data and its features in the data panel.")
        else:
            d = layer.to_dict()
            title = f"{i + 1} · {'Output' if last else edits.TITLES[layer.kind]}"
            count = edits.layer_count(d)
            summary = edits.layer_summary(d)
            shape_line = _shape_text(shape)
            if count is None:
                # blocks: the window on the first line, what comes out on the second
                shape_line, summary = (summary or "", f"→ {_shape_text(shape)}")
            elif layer.kind in ("conv2d", "rnn"):
                self._shape_label(column, f"→ {_shape_text(shape)}")
            header = CanvasLayerHeader(i, title, summary, shape_line, count,
                                       KIND_WORD.get(layer.kind, "neurons"),
                                       removable=not last and len(self._spec.layers) > 1,
                                       fixed_count=last and self._output_fixed)
            header.settingsRequested.connect(self._open_settings)
            header.removeRequested.connect(self._remove)
            header.countChanged.connect(self._change_count)
            header.set_selected(i == self._selected)
        centre = column.x + column.width / 2
        header.setPos(centre - HEADER_WIDTH / 2, y)
        self.scene.addItem(header)
        self.headers[i] = header

    def _shape_label(self, column: _Column, text: str) -> None:
        """A small grey line under a column saying what comes out of it."""
        nodes = column.cell.neurons if column.cell is not None else column.nodes
        if not nodes:
            return
        bottom = max(n.sceneBoundingRect().bottom() for n in nodes)
        if column.cell is not None:
            bottom = column.cell.sceneBoundingRect().bottom() + 4
        label = QGraphicsSimpleTextItem(text)
        label.setBrush(colour("muted"))
        extra = 16 if column.count > MAX_DRAWN else 2
        label.setPos(column.x + column.width / 2 - label.boundingRect().width() / 2, bottom + extra)
        self.scene.addItem(label)

    def _make_links(self, i, layer) -> None:
        src = self.columns[i - 1] if i > 0 else self.columns[-1]
        dst = self.columns[i]
        kind = layer.kind
        if kind not in ("dense", "conv2d", "rnn"):
            # pool, flatten and dropout pass values on without weights: a plain connector
            self._connector(src, dst)
            return
        param = f"{i}.W" if kind != "rnn" else f"{i}.W_xh"
        starts = src.anchors("right")
        ends = dst.anchors("left")
        single = src.block is None and len(starts) == min(src.count, MAX_DRAWN)
        for j, end in enumerate(ends):
            for k, start in enumerate(starts):
                if kind == "conv2d":
                    index = (j, k) if single else (j,)
                    editable = False
                else:
                    index = (j, k) if single else (j,)
                    editable = single
                link = CanvasLink(start, end, param, index, editable, self._link_hovered, self._link_clicked,
                                  self._describe_link)
                self.scene.addItem(link)
                self.links.append(link)

    def _connector(self, src: _Column, dst: _Column) -> None:
        starts = src.anchors("right")
        end = dst.anchors("left")
        if not starts or not end:
            return
        pen = QPen(colour("line"), 1.2)
        for start in starts:
            path_item = self.scene.addLine(start.x(), start.y(), end[0].x(), end[0].y(), pen)
            path_item.setZValue(-2)

    # ------------------------------------------------------------------ values

    @staticmethod
    def _link_value(w: np.ndarray, index: tuple) -> float:
        try:
            part = w[index]
        except (IndexError, TypeError):
            return 0.0
        return float(np.mean(part)) if np.ndim(part) else float(part)

    @staticmethod
    def _level_for(w: np.ndarray, link: CanvasLink) -> float:
        finite = np.abs(w[np.isfinite(w)]) if w.size else np.zeros(1)
        if not finite.size:
            return 1.0
        if len(link.index) == 2 and w.ndim == 2:
            return float(finite.max()) or 1.0
        # summaries (kernels, bundles) are means: scale by the largest mean drawn
        axes = tuple(range(len(link.index), w.ndim))
        means = np.abs(np.nan_to_num(w.mean(axis=axes)))
        return float(means.max()) or 1.0

    def _describe_link(self, link: CanvasLink) -> str:
        layer = int(link.param.split(".")[0])
        kind = self._spec.layers[layer].kind if self._spec else ""
        w = self._params.get(link.param)
        if kind == "conv2d" and w is not None and len(link.index) == 2:
            kernel = w[link.index]
            rows = "\n".join("  ".join(f"{v:+.2f}" for v in row) for row in kernel)
            return (f"Kernel of filter {link.index[0] + 1} on input channel {link.index[1] + 1} "
                    f"(mean {link.value:+.3g}):\n{rows}")
        if len(link.index) == 1:
            return (f"{link.param} row {link.index[0] + 1}: mean of the weights into unit {link.index[0] + 1} of "
                    f"layer {layer + 1} = {link.value:+.4g}")
        src = self._source_name(layer, link.index[1])
        return (f"Weight {link.param}[{link.index[0]}, {link.index[1]}] from {src} to "
                f"{'unit' if kind == 'rnn' else 'neuron'} {link.index[0] + 1} of layer {layer + 1}: "
                f"{link.value:+.4g}" + (" (click to edit)" if link.editable else ""))

    def _source_name(self, layer: int, k: int) -> str:
        if layer == 0 or (self._spec and all(l.kind == "dropout" for l in self._spec.layers[:layer])):
            names = self._input_names
            return names[k] if k < len(names) else f"input {k + 1}"
        return f"neuron {k + 1} of layer {layer}"

    def _caption(self, layer: int, unit: int) -> str:
        if layer == -1:
            names = self._input_names
            what = names[unit] if unit < len(names) else f"input {unit + 1}"
        else:
            l = self._spec.layers[layer]
            word = {"conv2d": "filter", "rnn": "unit"}.get(l.kind, "neuron")
            act = getattr(l, "activation", "")
            what = f"{word} {unit + 1} of layer {layer + 1} ({l.kind}{', ' + act if act else ''})"
        if self._image_mode == "plane":
            return f"Output of {what} over the input plane (x1 across, x2 up)."
        if self._image_mode == "curve":
            return f"Output of {what} along the input x (left to right)."
        if self._image_mode == "image":
            return f"Feature map of {what} for the chosen image." if layer >= 0 else f"The chosen image ({what})."
        return f"Value of {what} over the time steps of the chosen sequence."

    # ------------------------------------------------------------------ fitting

    def _fit(self) -> None:
        rect = self.scene.sceneRect()
        if rect.isEmpty():
            return
        vp = self.view.viewport().rect()
        # small networks grow a little to use the room; big ones shrink to fit
        scale = min(MAX_SCALE, vp.width() / rect.width(), vp.height() / rect.height())
        self.view.resetTransform()
        self.view.scale(scale, scale)
        self.view.centerOn(rect.center())
        self.zoom.move(max(4, vp.width() - self.zoom.width() - 8), 8)

    # ------------------------------------------------------------------ edits

    def _propose(self, candidate: dict) -> bool:
        """Offer ``candidate``: refused with the validator's reason, or emitted."""
        if self._validator is not None:
            problem = self._validator(candidate)
            if problem:
                sentence, layer = problem if isinstance(problem, tuple) else (problem, None)
                self.show_message(sentence, layer)
                if self.editor.isVisible():
                    self.editor.show_error(sentence)
                return False
        self.show_message(None)
        self.specEdited.emit(candidate)
        return True

    def _insert(self, kind: str) -> None:
        index = self._selected + 1 if self._selected >= 0 else None
        if index is not None and index >= len(self._spec_dict.get("layers", [])):
            # nothing goes after the output layer: insert before it
            index = len(self._spec_dict["layers"]) - 1
        self._propose(edits.insert_layer(self._spec_dict, kind, index))

    def _remove(self, layer: int) -> None:
        if len(self._spec_dict.get("layers", [])) <= 1:
            self.show_message("The network needs at least one layer: it is the output layer.", layer)
            return
        if self._propose(edits.remove_layer(self._spec_dict, layer)):
            self.editor.hide()
            if self._selected >= layer:
                self._selected = -1

    def _change_count(self, layer: int, delta: int) -> None:
        d = self._spec_dict["layers"][layer]
        count = edits.layer_count(d)
        if count is not None and count + delta < 1:
            word = KIND_WORD.get(d["type"], "neurons")[:-1]
            self.show_message(f"Layer {layer + 1} already has a single {word}: remove the layer with × instead.",
                              layer)
            return
        self._propose(edits.change_count(self._spec_dict, layer, delta))

    def _apply_settings(self, layer: int, values: dict) -> None:
        if self._propose(edits.replace_layer(self._spec_dict, layer, values)):
            self.editor.hide()

    def _open_settings(self, layer: int) -> None:
        if layer < 0:
            return
        self._selected = layer
        for i, header in self.headers.items():
            header.set_selected(i == layer)
        kind = self._spec_dict["layers"][layer]["type"]
        self.palette_bar.set_hint(f"layer {layer + 1} ({edits.TITLES.get(kind, kind)})")
        self.layerSelected.emit(layer)
        n = len(self._spec_dict["layers"])
        last = layer == n - 1
        fixed = ("units",) if (last and self._output_fixed) else ()
        self.editor.open_for(layer, self._spec_dict["layers"][layer], removable=not last and n > 1, fixed=fixed)
        header = self.headers.get(layer)
        if header is not None:
            pos = self.view.mapFromScene(header.sceneBoundingRect().bottomLeft())
            vp = self.view.viewport().rect()
            x = max(4, min(pos.x(), vp.width() - self.editor.width() - 4))
            y = max(4, min(pos.y() + 4, vp.height() - self.editor.height() - 4))
            self.editor.move(x, y)

    def _background_clicked(self) -> None:
        self._selected = -1
        for header in self.headers.values():
            header.set_selected(False)
        self.palette_bar.set_hint(None)
        self.editor.hide()
        self.weight_editor.hide()
        self.layerSelected.emit(-1)

    def _unroll_toggled(self, layer: int, on: bool) -> None:
        if on:
            self._unrolled.add(layer)
        else:
            self._unrolled.discard(layer)
        self._rebuild()

    # ------------------------------------------------------------------ links and neurons

    def _link_hovered(self, link: CanvasLink, entered: bool) -> None:
        text = self._describe_link(link) if entered else ""
        self.readout.setText(text.split("\n")[0] if text else
                             "Point at a link to read its weight; click it to edit. Click a neuron to see it large.")
        self.hovered.emit(text)

    def _link_clicked(self, link: CanvasLink, scene_pos: QPointF) -> None:
        if not link.editable:
            self.readout.setText("This link stands for several weights (a kernel or a bundle): "
                                 "only single weights can be typed in.")
            return
        self.open_weight_editor(link, scene_pos)

    def open_weight_editor(self, link: CanvasLink, scene_pos: QPointF | None = None) -> None:
        """Open the in-place editor on ``link`` (at ``scene_pos``, default the link's middle)."""
        if scene_pos is None:
            scene_pos = link.path().pointAtPercent(0.5)
        layer = int(link.param.split(".")[0])
        title = f"{link.param}[{', '.join(map(str, link.index))}] (layer {layer + 1})"
        self.weight_editor.open_for(link.param, link.index, link.value, title)
        pos = self.view.mapFromScene(scene_pos)
        vp = self.view.viewport().rect()
        self.weight_editor.move(max(4, min(pos.x() + 8, vp.width() - self.weight_editor.width() - 4)),
                                max(4, min(pos.y() + 8, vp.height() - self.weight_editor.height() - 4)))

    def _weight_committed(self, param: str, index: tuple, value: float) -> None:
        w = self._params.get(param)
        if w is not None:
            # show the new value at once; the next snapshot confirms it
            w = np.array(w, copy=True)
            w[index] = value
            self._params = dict(self._params, **{param: w})
            self.set_params(self._params)
        self.weightEdited.emit(param, tuple(index), float(value))

    def _neuron_clicked(self, layer: int, unit: int) -> None:
        if self.zoom.isVisible() and self.zoom.key == (layer, unit):
            self.zoom.close_zoom()
        else:
            self._show_zoom(layer, unit)
        self.neuronClicked.emit(layer, unit)

    def _show_zoom(self, layer: int, unit: int) -> None:
        column = self.columns.get(layer)
        if column is None:
            return
        nodes = column.cell.neurons if column.cell is not None else column.nodes
        node = next((n for n in nodes if n.unit == unit), None)
        if node is None:
            return
        if layer == -1:
            names = self._input_names
            title = f"Input {names[unit] if unit < len(names) else unit + 1}"
        else:
            kind = self._spec.layers[layer].kind
            word = {"conv2d": "Filter", "rnn": "Unit"}.get(kind, "Neuron")
            title = f"{word} {unit + 1} of layer {layer + 1}"
        self.zoom.show_map((layer, unit), title, node.array(), node.levels(), node.table(), node.caption())
        vp = self.view.viewport().rect()
        self.zoom.move(max(4, vp.width() - self.zoom.width() - 8), 8)

    # ------------------------------------------------------------------ look-ups for tests and the app

    def link_for(self, param: str, index: tuple) -> CanvasLink | None:
        """The link drawn for weight ``param[index]``, or None."""
        index = tuple(index)
        return next((l for l in self.links if l.param == param and l.index == index), None)

    def neurons(self, layer: int) -> list:
        """The neuron items drawn for ``layer`` (−1: the input)."""
        column = self.columns.get(layer)
        if column is None:
            return []
        return list(column.cell.neurons) if column.cell is not None else list(column.nodes)
