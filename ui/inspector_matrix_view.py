"""One array of a traced operation: numbers in the cells when it is small, a heatmap when it is large.

The step inspector shows every array an operation reads or writes with one of these.
It takes the array as it is (0-D to 4-D numpy) and never changes a value: a scalar is
one cell, a vector a column (as in z = W·a), a matrix a grid, a (C, H, W) stack one tile
per channel and an (N, C, H, W) batch one row of tiles per sample. Pointing at a cell
writes its name, position and value below; clicking emits ``cellClicked`` with the
cell's index into the array.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from engine.explain import fmt
from ui.inspector_formula import math_html
from ui.matrix_colors import NONFINITE_BACKGROUND, color_for, lut, symmetric_level, text_color_on

#: numbers are written in the cells while a tile has at most this many rows and columns ...
NUMBER_ROWS, NUMBER_COLS = 24, 12
#: ... and the whole array at most this many cells (a stack of tiles: at most NUMBER_TILES
#: tiles and NUMBER_TILE_CELLS cells)
NUMBER_CELLS = 300
NUMBER_TILES, NUMBER_TILE_CELLS = 4, 200
CELL_W, CELL_H = 62, 22          # a cell with a number in it
NUMBER_PT = 8.5
MIN_HEAT, MAX_HEAT = 3, 16       # heatmap cells, in pixels
MAX_TILES = 128                  # tiles drawn at most (a big batch of feature maps shows its first samples) ...
MAX_TILED_CELLS = 1200           # ... and cells in them
INDEX_W, INDEX_H = 22, 16        # room for row and column numbers
TILE_GAP = 10
TILE_LABEL_H = 15
ROW_LABEL_W = 62                 # "sample 12" left of a row of tiles

_LUT = lut(257)
_PAD = QColor(232, 232, 232)
_BAND = QColor(255, 236, 153)     # a row or column in use (as the matrix lab's stepper)
_MARK = QColor(230, 120, 0)       # the cell or window in use
_WINNER = QColor(0, 140, 70)      # the input a max pool kept


class _Tile:
    """One 2-D piece of the array: its values, where it sits and the index prefix it stands for."""

    __slots__ = ("values", "prefix", "label", "x", "y", "rows", "cols")

    def __init__(self, values, prefix, label):
        self.values = values
        self.prefix = prefix
        self.label = label
        self.x = self.y = 0
        self.rows, self.cols = values.shape


class _Grid(QWidget):
    """Paints the tiles of an InspectorMatrixView and maps the pointer to cells."""

    def __init__(self, owner: "InspectorMatrixView"):
        super().__init__(owner)
        self.owner = owner
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._images: list = []

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(*self.owner._extent)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.sizeHint()

    def rebuild_images(self) -> None:
        o = self.owner
        self._images = []
        if o._numbers:
            return
        for tile in o._tiles:
            self._images.append(_heat_image(tile.values, o._level))

    def paintEvent(self, event) -> None:  # noqa: N802
        o = self.owner
        if not o._tiles:
            return
        painter = QPainter(self)
        font = QFont(self.font())
        font.setPointSizeF(NUMBER_PT)
        painter.setFont(font)
        small = QFont(font)
        small.setPointSizeF(7.5)
        cw, ch, p = o._cell_w, o._cell_h, o._padding
        for t_index, tile in enumerate(o._tiles):
            if tile.label:
                painter.setFont(small)
                painter.setPen(QColor("#56606c"))
                painter.drawText(QRect(tile.x, tile.y - TILE_LABEL_H, 400, TILE_LABEL_H),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, tile.label)
                painter.setFont(font)
            if o._row_labels and tile.prefix[-1] == 0:
                # a stack of stacks: one row of tiles per sample (or filter), named at its left
                painter.setFont(small)
                painter.setPen(QColor("#56606c"))
                height = (tile.rows + 2 * p) * ch
                painter.drawText(QRect(0, tile.y, ROW_LABEL_W - 4, max(height, 12)),
                                 Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                                 f"{o._tile_words(2)[0]} {tile.prefix[0] + 1}")
                painter.setFont(font)
            rows, cols = tile.rows + 2 * p, tile.cols + 2 * p
            if o._numbers:
                for r in range(rows):
                    for c in range(cols):
                        rect = QRect(tile.x + c * cw, tile.y + r * ch, cw, ch)
                        inside = p <= r < rows - p and p <= c < cols - p
                        if not inside:
                            painter.fillRect(rect, _PAD)
                            painter.setPen(QColor("#8a8a8a"))
                            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "0")
                            continue
                        v = float(tile.values[r - p, c - p])
                        bg = self._background(tile, r - p, c - p, v)
                        painter.fillRect(rect, bg)
                        painter.setPen(text_color_on(bg))
                        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, fmt(v))
                painter.setPen(QPen(QColor("#c8c8c8"), 1))
                for r in range(rows + 1):
                    painter.drawLine(tile.x, tile.y + r * ch, tile.x + cols * cw, tile.y + r * ch)
                for c in range(cols + 1):
                    painter.drawLine(tile.x + c * cw, tile.y, tile.x + c * cw, tile.y + rows * ch)
            else:
                if p:
                    painter.fillRect(QRect(tile.x, tile.y, cols * cw, rows * ch), _PAD)
                target = QRectF(tile.x + p * cw, tile.y + p * ch, tile.cols * cw, tile.rows * ch)
                painter.fillRect(target, NONFINITE_BACKGROUND)  # shows through NaN pixels
                painter.drawImage(target, self._images[t_index])
                for band_row in o._rows:
                    painter.fillRect(QRectF(target.x(), target.y() + band_row * ch, target.width(), ch),
                                     QColor(255, 220, 90, 110))
                for band_col in o._cols:
                    painter.fillRect(QRectF(target.x() + band_col * cw, target.y(), cw, target.height()),
                                     QColor(255, 220, 90, 110))
                painter.setPen(QPen(QColor("#9aa3ad"), 1))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(QRect(tile.x, tile.y, cols * cw, rows * ch))
            if o._numbers and o._indices and len(o._tiles) == 1:
                self._paint_indices(painter, small, tile, rows, cols)
            self._paint_marks(painter, tile)
        painter.end()

    def _background(self, tile, r, c, v) -> QColor:
        o = self.owner
        if (r in o._rows or c in o._cols) and len(o._tiles) == 1:
            return _BAND
        return color_for(v, o._level, 0.55)

    def _paint_indices(self, painter, font, tile, rows, cols) -> None:
        o = self.owner
        painter.setFont(font)
        painter.setPen(QColor("#8a929c"))
        cw, ch, p = o._cell_w, o._cell_h, o._padding
        if cols > 1 or o._array.ndim >= 2:
            for c in range(tile.cols):
                painter.drawText(QRect(tile.x + (c + p) * cw, tile.y - INDEX_H, cw, INDEX_H),
                                 Qt.AlignmentFlag.AlignCenter, str(c + 1))
        for r in range(tile.rows):
            painter.drawText(QRect(tile.x - INDEX_W, tile.y + (r + p) * ch, INDEX_W - 3, ch),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(r + 1))

    def _paint_marks(self, painter, tile) -> None:
        o = self.owner
        cw, ch, p = o._cell_w, o._cell_h, o._padding
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for index in o._winners:
            cell = o._split(index)
            if cell is not None and cell[0] == tile.prefix:
                r, c = cell[1]
                painter.setPen(QPen(_WINNER, 3))
                painter.drawRect(QRect(tile.x + (c + p) * cw + 2, tile.y + (r + p) * ch + 2, cw - 4, ch - 4))
        for prefix, r0, c0, h, w in o._boxes:
            if tuple(prefix) == tile.prefix:
                painter.setPen(QPen(_MARK, 3))
                painter.drawRect(QRect(tile.x + (c0 + p) * cw, tile.y + (r0 + p) * ch, w * cw, h * ch))
        for index in o._cells:
            cell = o._split(index)
            if cell is not None and cell[0] == tile.prefix:
                r, c = cell[1]
                painter.setPen(QPen(_MARK, 3))
                painter.drawRect(QRect(tile.x + (c + p) * cw + 1, tile.y + (r + p) * ch + 1, cw - 2, ch - 2))

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        hit = self.owner._hit(event.position().toPoint())
        self.owner._hover(hit)

    def leaveEvent(self, event) -> None:  # noqa: N802
        self.owner._hover(None)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            hit = self.owner._hit(event.position().toPoint())
            if hit is not None and hit != "pad":
                self.owner.cellClicked.emit(hit)


def _heat_image(values: np.ndarray, level: float) -> QImage:
    a = np.asarray(values, dtype=np.float64)
    t = np.clip(0.5 + 0.5 * np.nan_to_num(a, nan=0.0, posinf=level, neginf=-level) / level, 0.0, 1.0)
    rgba = np.ascontiguousarray(_LUT[np.round(t * (len(_LUT) - 1)).astype(np.intp)])
    rgba[~np.isfinite(a), 3] = 0
    h, w = a.shape
    return QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()


class InspectorMatrixView(QWidget):
    """Shows one array of a traced step, read-only, with a hover read-out and clickable cells.

    ``set_array(array, name, caption)``: the array (0-D to 4-D) and its symbol ("W⁽¹⁾").
    Up to NUMBER_ROWS × NUMBER_COLS per tile (and NUMBER_CELLS in all) every value is
    written in its cell; beyond, cells are coloured on the lab's diverging scale (blue
    negative, white zero, red positive) and the read-out gives the value under the
    pointer. ``padding`` draws that many rings of zero cells around each tile (a
    convolution's padding). ``set_marks`` outlines cells, windows and bands.

    Signals: ``cellClicked(tuple)``: the index into the array (0-based) of a clicked cell.
    ``hovered(str)``: the read-out sentence ('' when the pointer leaves).
    """

    cellClicked = Signal(tuple)
    hovered = Signal(str)

    def __init__(self, parent: QWidget | None = None, max_width: int = 760, max_height: int = 300,
                 show_readout: bool = True):
        super().__init__(parent)
        self.setObjectName("inspectorMatrixView")
        self._max_w, self._max_h = int(max_width), int(max_height)
        self._array = np.zeros((0, 0))
        self._name = ""
        self._tiles: list = []
        self._numbers = True
        self._indices = True
        self._level = 1.0
        self._padding = 0
        self._cell_w, self._cell_h = CELL_W, CELL_H
        self._extent = (0, 0)
        self._origin = (0, 0)
        self._hidden_tiles = 0
        self._cells: list = []
        self._rows: set = set()
        self._cols: set = set()
        self._boxes: list = []
        self._winners: list = []
        self._mode = "column"
        self._row_labels = False
        self._tile_word = "channel"

        self.title = QLabel(self)
        self.title.setObjectName("inspectorMatrixTitle")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setStyleSheet("font-size: 11pt; color: palette(window-text);")
        self.caption = QLabel(self)
        self.caption.setObjectName("inspectorMatrixCaption")
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet("color: palette(placeholder-text); font-size: 8.5pt;")
        self.caption.setMinimumWidth(min(150, self._max_w))  # a caption over a narrow vector still reads
        self.caption.hide()
        self.grid = _Grid(self)
        self.readout = QLabel(self)
        self.readout.setObjectName("inspectorMatrixReadout")
        self.readout.setStyleSheet("color: palette(window-text); font-size: 8.5pt;")
        self.readout.setWordWrap(True)
        self.readout.setMaximumWidth(self._max_w)
        # in a panel with one shared read-out line the views leave theirs out (``hovered`` feeds it)
        self.readout.setVisible(show_readout)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(3)
        layout.addWidget(self.title)
        layout.addWidget(self.caption)
        layout.addWidget(self.grid, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.readout)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)

    # ------------------------------------------------------------------ data in

    def set_array(self, array, name: str = "", caption: str = "", level: float | None = None,
                  padding: int = 0, vector: str = "column", tile_names=None, numbers: bool | None = None) -> None:
        """Show ``array`` as ``name``; ``caption`` is a short line under the title.

        ``level``: the colour scale's ±level (default: the largest |value|). ``padding``:
        rings of zero cells drawn around each 2-D tile. ``vector``: "column" or "row" for
        1-D arrays. ``tile_names``: for 3-D arrays, the word for the first axis ("channel",
        "filter", "sample"). ``numbers``: force numbers (True) or colours (False).
        """
        a = np.asarray(array)
        if a.dtype.kind not in "fiub":
            a = a.astype(np.float64)
        self._array = a
        self._name = str(name)
        self._padding = max(0, int(padding))
        self._mode = vector
        self._level = symmetric_level(a) if level is None else (float(level) if level > 0 else 1.0)
        self._cells, self._rows, self._cols, self._boxes, self._winners = [], set(), set(), [], []
        self._tiles, self._hidden_tiles = self._make_tiles(a, vector, tile_names or "channel")
        self._choose_layout(numbers)
        if a.ndim == 0:
            shape = "one number"
        elif a.ndim == 1:
            shape = f"{a.shape[0]} value{'s' if a.shape[0] != 1 else ''}"
        else:
            shape = "×".join(str(s) for s in a.shape)
        self.title.setText(f"<b>{math_html(self._name)}</b>&nbsp;&nbsp;<span style='color:#6b7480'>{shape}</span>")
        notes = [caption] if caption else []
        if self._hidden_tiles:
            shown = len(self._tiles)
            notes.append(f"Showing the first {shown} of {shown + self._hidden_tiles} maps; choose one sample "
                         "above to see all of its maps.")
        self.caption.setText("  ".join(notes))
        self.caption.setVisible(bool(notes))
        self.readout.setText("Point at a cell to read its value." if not self._numbers or a.size > 1 else "")
        self.grid.rebuild_images()
        self.grid.updateGeometry()
        self.grid.setFixedSize(*self._extent)
        self.grid.update()

    def clear(self) -> None:
        """Show nothing."""
        self.set_array(np.zeros((0, 0)), "")

    def set_marks(self, cells=(), rows=(), cols=(), boxes=(), winners=()) -> None:
        """Outline ``cells`` (array indices) and ``winners`` (green), shade ``rows``/``cols`` of a
        2-D array, and draw ``boxes``: (tile prefix, row, col, height, width) windows in the
        tile's own coordinates (negative rows reach into the padding)."""
        self._cells = [tuple(int(i) for i in c) for c in cells]
        self._rows = {int(r) for r in rows}
        self._cols = {int(c) for c in cols}
        self._boxes = [(tuple(int(i) for i in b[0]), int(b[1]), int(b[2]), int(b[3]), int(b[4])) for b in boxes]
        self._winners = [tuple(int(i) for i in w) for w in winners]
        self.grid.update()

    # ------------------------------------------------------------------ read back (tests, the app)

    def array(self) -> np.ndarray:
        """The array shown (the very values given)."""
        return self._array

    def name(self) -> str:
        """The symbol shown as the title."""
        return self._name

    def shows_numbers(self) -> bool:
        """True when values are written in the cells, False for a heatmap."""
        return self._numbers

    def text_at(self, index) -> str | None:
        """The text written in the cell for ``index`` (None in heatmap mode or for a hidden tile)."""
        if not self._numbers:
            return None
        cell = self._split(tuple(index))
        if cell is None or not any(t.prefix == cell[0] for t in self._tiles):
            return None
        return fmt(float(self._array[tuple(index)]))

    def marked_cells(self) -> list:
        """The outlined cells."""
        return list(self._cells)

    def cell_center(self, index):
        """The centre of ``index``'s cell in the grid's coordinates (for tests that click), or None."""
        cell = self._split(tuple(index))
        if cell is None:
            return None
        prefix, (r, c) = cell
        tile = next((t for t in self._tiles if t.prefix == prefix), None)
        if tile is None:
            return None
        p = self._padding
        return QPoint(tile.x + int((c + p + 0.5) * self._cell_w), tile.y + int((r + p + 0.5) * self._cell_h))

    def describe(self, index) -> str:
        """The read-out sentence for a cell (what hovering it writes)."""
        index = tuple(int(i) for i in index)
        v = float(self._array[index]) if self._array.ndim else float(self._array)
        a = self._array
        if a.ndim <= 2:
            where = ",".join(str(i + 1) for i in index)
            pos = ""
            if a.ndim == 2:
                pos = f" (row {index[0] + 1}, column {index[1] + 1})"
            elif a.ndim == 1:
                pos = f" (entry {index[0] + 1})"
            return f"{self._name}[{where}]{pos} = {fmt(v)}" if where else f"{self._name} = {fmt(v)}"
        words = self._tile_words(len(index) - 2)
        lead = ", ".join(f"{w} {i + 1}" for w, i in zip(words, index[:-2]))
        return f"{self._name}: {lead}, row {index[-2] + 1}, column {index[-1] + 1} = {fmt(v)}"

    # ------------------------------------------------------------------ layout

    def _tile_words(self, n: int) -> list:
        """The words for the leading axes: ("channel",) for a stack, ("sample", "channel") or
        ("filter", "channel") for a stack of stacks."""
        word = self._tile_word
        if n == 1:
            return [word]
        return [word if word != "channel" else "sample", "channel"]

    def _make_tiles(self, a: np.ndarray, vector: str, word: str):
        self._tile_word = word
        if a.ndim == 0:
            return [_Tile(a.reshape(1, 1).astype(np.float64), (), "")], 0
        if a.ndim == 1:
            v = a.astype(np.float64)
            return [_Tile(v.reshape(-1, 1) if vector == "column" else v.reshape(1, -1), (), "")], 0
        if a.ndim == 2:
            return [_Tile(a.astype(np.float64), (), "")], 0
        lead = a.shape[:-2]
        flat = a.reshape((-1,) + a.shape[-2:]).astype(np.float64)
        total = flat.shape[0]
        cap = max(1, min(MAX_TILES, MAX_TILED_CELLS // max(1, a.shape[-1] * a.shape[-2])))
        shown = min(total, cap)
        if a.ndim == 4 and total > cap:
            # whole samples only, so every row of tiles is complete
            shown = min(total, max(1, cap // a.shape[1]) * a.shape[1])
        tiles = []
        for k in range(shown):
            prefix = tuple(int(i) for i in np.unravel_index(k, lead))
            if a.ndim == 3:
                label = f"{word} {prefix[0] + 1}" if total > 1 else ""  # one tile: its row and column numbers
            else:
                label = f"channel {prefix[1] + 1}" if prefix[0] == 0 else ""  # rows are named at the left
            tiles.append(_Tile(flat[k], prefix, label))
        return tiles, total - shown

    def _choose_layout(self, numbers) -> None:
        tiles = self._tiles
        p = self._padding
        if not tiles:
            self._extent = (0, 0)
            return
        rows = max(t.rows for t in tiles) + 2 * p
        cols = max(t.cols for t in tiles) + 2 * p
        cells = sum((t.rows + 2 * p) * (t.cols + 2 * p) for t in tiles)
        single = len(tiles) == 1
        fits = rows <= NUMBER_ROWS and cols <= NUMBER_COLS and cells <= NUMBER_CELLS
        if not single:
            fits = fits and len(tiles) <= NUMBER_TILES and cells <= NUMBER_TILE_CELLS
        self._numbers = fits if numbers is None else bool(numbers)
        self._indices = single and self._numbers
        if self._numbers:
            # as wide as the longest number needs: 0.5 stays compact, -0.0001198 still fits
            font = QFont(self.grid.font())
            font.setPointSizeF(NUMBER_PT)
            metrics = QFontMetrics(font)
            widest = max(metrics.horizontalAdvance(fmt(float(v))) for t in tiles for v in t.values.ravel())
            self._cell_w, self._cell_h = int(max(40, min(96, widest + 12))), CELL_H
            per_row = self._tiles_per_row(cols)
            needed = (INDEX_W if single else 0) + per_row * cols * self._cell_w + (per_row - 1) * TILE_GAP
            if numbers is None and needed > self._max_w:
                self._numbers = self._indices = False  # too wide to write out: colours, with the read-out
        if not self._numbers:
            per_row = self._tiles_per_row(cols)
            room = self._max_w - (ROW_LABEL_W if self._array.ndim == 4 else 0)
            width_room = (room - (per_row - 1) * TILE_GAP) / max(1, per_row * cols)
            n_tile_rows = math.ceil(len(tiles) / per_row)
            height_room = (self._max_h - (n_tile_rows - 1) * (TILE_GAP + TILE_LABEL_H)) / max(1, n_tile_rows * rows)
            size = int(max(MIN_HEAT, min(MAX_HEAT, width_room, height_room)))
            self._cell_w = self._cell_h = size
        cw, ch = self._cell_w, self._cell_h
        per_row = self._tiles_per_row(cols)
        # a stack of stacks laid out a sample (or filter) per row names its rows at the left
        self._row_labels = self._array.ndim == 4 and per_row == self._array.shape[1]
        tile_w = cols * cw
        for tile in tiles:
            if tile.label and tile_w < 64:
                tile.label = tile.label.split(" ")[-1]  # narrow tiles: just the number
            if self._row_labels and tile.prefix[0] != 0:
                tile.label = ""
        left = INDEX_W if self._indices else (ROW_LABEL_W if self._row_labels else 0)
        top = INDEX_H if self._indices else 0
        label_h = TILE_LABEL_H if not single else 0
        x0, y0 = left, top + label_h
        width = height = 0
        for k, tile in enumerate(tiles):
            col, row = k % per_row, k // per_row
            tile.x = x0 + col * (cols * cw + TILE_GAP)
            # rows after the first carry no labels: no room kept for them
            gap = TILE_GAP + (label_h if not self._row_labels else 0)
            tile.y = y0 + row * (rows * ch + gap)
            width = max(width, tile.x + (tile.cols + 2 * p) * cw + 1)
            height = max(height, tile.y + (tile.rows + 2 * p) * ch + 1)
        self._extent = (int(width), int(height))

    def _tiles_per_row(self, cols: int) -> int:
        n = len(self._tiles)
        if n <= 1:
            return 1
        cw = self._cell_w if self._numbers else MIN_HEAT
        room = self._max_w - (ROW_LABEL_W if self._array.ndim == 4 else 0)
        fit = max(1, int((room + TILE_GAP) // (cols * cw + TILE_GAP)))
        if self._array.ndim == 4:
            return max(1, min(self._array.shape[1], fit))
        if not self._numbers:
            # heatmap tiles: a squarish block of tiles reads better than one long row
            fit = min(fit, max(1, math.ceil(math.sqrt(n * 2))))
        return max(1, min(n, fit))

    # ------------------------------------------------------------------ pointer

    def _split(self, index: tuple):
        """(tile prefix, (row, col)) for an array index, or None if it does not fit the array."""
        a = self._array
        if len(index) != max(a.ndim, 0) and not (a.ndim == 0 and index == ()):
            return None
        if a.ndim == 0:
            return (), (0, 0)
        if a.ndim == 1:
            return (), ((index[0], 0) if self._mode == "column" else (0, index[0]))
        return tuple(index[:-2]), (index[-2], index[-1])

    def _hit(self, point):
        """The array index under ``point`` (grid coordinates), "pad" on padding, or None."""
        p = self._padding
        for tile in self._tiles:
            c = (point.x() - tile.x) // self._cell_w - p
            r = (point.y() - tile.y) // self._cell_h - p
            if -p <= r < tile.rows + p and -p <= c < tile.cols + p and point.x() >= tile.x and point.y() >= tile.y:
                if not (0 <= r < tile.rows and 0 <= c < tile.cols):
                    return "pad"
                a = self._array
                if a.ndim == 0:
                    return ()
                if a.ndim == 1:
                    return (int(r),) if self._mode == "column" else (int(c),)
                return tile.prefix + (int(r), int(c))
        return None

    def _hover(self, hit) -> None:
        if hit is None:
            text = ""
        elif hit == "pad":
            text = "Padding: a zero added around the input, so the kernel can sit over the edges."
        else:
            text = self.describe(hit)
        self.readout.setText(text or ("Point at a cell to read its value." if self._array.size > 1 else ""))
        self.hovered.emit(text)
