"""C = A·B one cell at a time: row i of A and column j of B lit up, the products written out."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.explain import fmt
from ui.matrix_colors import color_for, symmetric_level, text_color_on
from ui.step_player import StepPlayer

#: Up to this many rows/columns per matrix the numbers are written in the cells.
READABLE = 12
_CELL_W, _CELL_H = 66, 36  # readable cells
_SMALL = 14  # colour-only cells for bigger matrices
_SMALL_WINDOW = 24  # small cells shown each way before the grids scroll
_HEADER_W, _HEADER_H = 30, 26

_BAND = QColor(255, 236, 153)  # the row of A and column of B in use
_CURRENT = QColor(255, 170, 51)  # the cell of C being computed
_PENDING = QColor(246, 246, 246)  # cells of C not reached yet
_PLAIN = QColor(255, 255, 255)


class _StepGridModel(QAbstractTableModel):
    """A read-only grid for the stepper: values, a highlighted band, C's cells filled in order."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.a = np.zeros((0, 0))
        self.show_text = True
        self.band_row: int | None = None
        self.band_col: int | None = None
        self.current: tuple | None = None
        self.known_until: int | None = None  # flat index of the last known cell (C only); None: all known
        self.colour_known = False
        self.level = 1.0
        self.name = "A"

    def set_array(self, a, name: str, show_text: bool) -> None:
        self.beginResetModel()
        self.a = np.asarray(a, dtype=float)
        self.name = name
        self.show_text = show_text
        self.level = symmetric_level(self.a)
        self.endResetModel()

    def set_marks(self, band_row=None, band_col=None, current=None, known_until=None) -> None:
        self.band_row, self.band_col, self.current, self.known_until = band_row, band_col, current, known_until
        if self.a.size:
            self.dataChanged.emit(self.index(0, 0), self.index(self.a.shape[0] - 1, self.a.shape[1] - 1))

    def known(self, r: int, c: int) -> bool:
        return self.known_until is None or r * self.a.shape[1] + c <= self.known_until

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self.a.shape[0]

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self.a.shape[1]

    def flags(self, index):
        return Qt.ItemFlag.ItemIsEnabled

    def _background(self, r: int, c: int) -> QColor:
        if self.current == (r, c):
            return _CURRENT
        if r == self.band_row or c == self.band_col:
            return _BAND
        if not self.known(r, c):
            return _PENDING
        if self.colour_known or not self.show_text:
            return color_for(self.a[r, c], self.level, 0.75 if self.show_text else 1.0)
        return _PLAIN

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if not self.show_text:
                return None
            return fmt(self.a[r, c]) if self.known(r, c) else "·"
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._background(r, c)
        if role == Qt.ItemDataRole.ForegroundRole:
            if not self.known(r, c):
                return QColor(160, 160, 160)
            return text_color_on(self._background(r, c))
        if role == Qt.ItemDataRole.FontRole and self.current == (r, c):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            shown = fmt(self.a[r, c]) if self.known(r, c) else "not computed yet"
            return f"{self.name}[{r + 1},{c + 1}] = {shown}"
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None


class MatmulStepper(QWidget):
    """Steps through C = A·B cell by cell, laid out with B above C and A to its left.

    Give it the operands, the product and the steps (``engine.explain.matmul_steps``)
    with ``set_problem``; it then walks them on Next/Previous/Play, or jumps to a cell
    of C that is clicked. Up to READABLE rows and columns every number is written;
    beyond, the grids show colours and the side panel carries the arithmetic.
    ``stepChanged(index)`` follows the walk.
    """

    stepChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("matmulStepper")
        self._steps = []
        self._index = -1
        self._names = ("A", "B", "C")

        self.title = QLabel("Pick two matrices and press “A · B cell by cell”.", self)
        self.title.setObjectName("stepperTitle")
        self.title.setStyleSheet("font-size: 13pt; font-weight: 600;")

        self.models = {}
        self.views = {}
        self.captions = {}
        for key in ("A", "B", "C"):
            model = _StepGridModel(self)
            view = QTableView(self)
            view.setObjectName(f"stepper{key}")
            view.setModel(model)
            view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
            view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            view.setStyleSheet("QTableView { gridline-color: #c8c8c8; font-size: 12pt; }")
            view.verticalHeader().setFixedWidth(_HEADER_W)
            view.horizontalHeader().setFixedHeight(_HEADER_H)
            for h in (view.horizontalHeader(), view.verticalHeader()):
                h.setMinimumSectionSize(_SMALL)
                h.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
                h.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
            self.models[key] = model
            self.views[key] = view
            caption = QLabel(key, self)
            caption.setStyleSheet("font-size: 12pt; font-weight: 600; color: palette(window-text);")
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.captions[key] = caption
        self.models["C"].colour_known = True
        self.views["C"].clicked.connect(self._cell_clicked)
        self.views["C"].setToolTip("Click a cell to jump to it.")
        # Bigger matrices scroll: keep A's rows level with C's and B's columns above C's.
        self.views["A"].verticalScrollBar().valueChanged.connect(self.views["C"].verticalScrollBar().setValue)
        self.views["C"].verticalScrollBar().valueChanged.connect(self.views["A"].verticalScrollBar().setValue)
        self.views["B"].horizontalScrollBar().valueChanged.connect(self.views["C"].horizontalScrollBar().setValue)
        self.views["C"].horizontalScrollBar().valueChanged.connect(self.views["B"].horizontalScrollBar().setValue)

        self.formula = QLabel(self)
        self.formula.setObjectName("stepFormula")
        self.formula.setTextFormat(Qt.TextFormat.RichText)
        self.formula.setWordWrap(True)
        self.formula.setStyleSheet("font-size: 14pt; padding: 6px;")
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.player = StepPlayer("stepper", "cell", start=-1, speed_range=(1, 30), speed=2, speed_width=140,
                                 parent=self)
        p = self.player
        self.first_button, self.prev_button, self.play_button = p.first_button, p.prev_button, p.play_button
        self.next_button, self.last_button = p.next_button, p.last_button
        self.speed, self.speed_label, self.position, self.timer = p.speed, p.speed_label, p.position, p.timer
        self.prev_button.setShortcut("Left")
        self.next_button.setShortcut("Right")

        self.side_title = QLabel("Arithmetic", self)
        self.side_title.setStyleSheet("font-weight: 600;")
        # One row per product: k, the two factors, the product and the running sum.
        self.side = QTableWidget(0, 5, self)
        self.side.setObjectName("stepperArithmetic")
        self.side.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.side.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.side.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.side.verticalHeader().hide()
        self.side.verticalHeader().setDefaultSectionSize(24)
        self.side.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.side.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.side.setMinimumWidth(340)
        self._lines: list[str] = []

        # Falk's scheme: B above C and A left of C, so a row of A and a column of B
        # meet at the very cell of C they make.
        grid = QGridLayout()
        grid.setSpacing(6)
        grid.addWidget(self.captions["B"], 0, 2)
        grid.addWidget(self.views["B"], 1, 2, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)
        grid.addWidget(self.captions["A"], 2, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.views["A"], 2, 1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.views["C"], 2, 2, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.captions["C"], 3, 2)
        grid.setColumnStretch(3, 1)
        grid.setRowStretch(4, 1)
        canvas = QWidget(self)
        canvas.setLayout(grid)
        self.scroll = QScrollArea(self)
        self.scroll.setWidget(canvas)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)

        side = QVBoxLayout()
        side.addWidget(self.side_title)
        side.addWidget(self.side, 1)
        body = QHBoxLayout()
        body.addWidget(self.scroll, 1)
        body.addLayout(side)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(body, 1)
        layout.addWidget(self.formula)
        layout.addWidget(self.player)

        self.player.stepRequested.connect(self.set_step)
        self._update_controls()

    # -- plain-data interface ---------------------------------------------------

    def set_problem(self, a, b, c, steps, names=("A", "B", "C")) -> None:
        """Walk ``steps`` (a sequence of MatmulStep) for c = a·b; starts before the first cell."""
        self.pause()
        a, b, c = (np.asarray(x, dtype=float) for x in (a, b, c))
        self._steps = steps
        self._names = tuple(names)
        readable = max(a.shape + b.shape) <= READABLE
        for key, array, name in (("A", a, names[0]), ("B", b, names[1]), ("C", c, names[2])):
            self.models[key].set_array(array, name, readable)
            self.captions[key].setText(name)
            self._size_view(key, array.shape, readable)
        self.title.setText(
            f"{names[2]} = {names[0]} · {names[1]}, cell by cell: "
            f"({a.shape[0]}×{a.shape[1]}) · ({b.shape[0]}×{b.shape[1]}) = ({c.shape[0]}×{c.shape[1]})"
        )
        self._index = -1
        self._show()

    def step_index(self) -> int:
        """The step shown (−1 before the first)."""
        return self._index

    def step_count(self) -> int:
        """How many cells there are to step through."""
        return len(self._steps)

    def current_step(self):
        """The MatmulStep shown, or None before the first."""
        return self._steps[self._index] if self._index >= 0 else None

    def set_step(self, index: int) -> None:
        """Show step ``index`` (clamped to the walk; −1 shows the empty C)."""
        n = len(self._steps)
        index = max(-1, min(int(index), n - 1))
        if index != self._index:
            self._index = index
            self._show()
            self.stepChanged.emit(index)

    def jump_to_cell(self, row: int, column: int) -> None:
        """Show the step computing C[row, column] (0-based)."""
        self.set_step(row * self.models["C"].a.shape[1] + column)

    def next(self) -> None:
        """One cell forward."""
        self.set_step(self._index + 1)

    def previous(self) -> None:
        """One cell back."""
        self.set_step(self._index - 1)

    def play(self) -> None:
        """Step forward on a timer at the chosen speed until the last cell."""
        self.player.play()

    def pause(self) -> None:
        """Stop playing."""
        self.player.pause()

    def is_playing(self) -> bool:
        """True while the timer steps."""
        return self.player.is_playing()

    def set_speed(self, cells_per_second: int) -> None:
        """Play speed in cells per second (1–30)."""
        self.player.set_speed(cells_per_second)

    def formula_text(self) -> str:
        """The formula line as plain text."""
        step = self.current_step()
        return step.text if step is not None else ""

    def arithmetic_lines(self) -> list[str]:
        """The lines of the side panel."""
        return list(self._lines)

    # -- drawing ------------------------------------------------------------------

    def _size_view(self, key: str, shape, readable: bool) -> None:
        view = self.views[key]
        cw, ch = (_CELL_W, _CELL_H) if readable else (_SMALL, _SMALL)
        view.horizontalHeader().setDefaultSectionSize(cw)
        view.verticalHeader().setDefaultSectionSize(ch)
        view.horizontalHeader().setVisible(readable)
        view.verticalHeader().setVisible(readable)
        rows, cols = shape
        frame = 2 * view.frameWidth()
        head_w, head_h = (_HEADER_W, _HEADER_H) if readable else (0, 0)
        width = head_w + cols * cw + frame
        height = head_h + rows * ch + frame
        if not readable:
            # Bigger matrices show a window of SMALL_WINDOW cells each way; C scrolls and
            # A and B follow it, so rows and columns stay lined up.
            limit = _SMALL_WINDOW * _SMALL + frame
            width, height = min(width, limit), min(height, limit)
        scroll = Qt.ScrollBarPolicy.ScrollBarAsNeeded if key == "C" and not readable else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        view.setHorizontalScrollBarPolicy(scroll)
        view.setVerticalScrollBarPolicy(scroll)
        view.setFixedSize(width, height)

    def _show(self) -> None:
        step = self.current_step()
        ma, mb, mc = self.models["A"], self.models["B"], self.models["C"]
        if step is None:
            ma.set_marks()
            mb.set_marks()
            mc.set_marks(known_until=-1)
            self.formula.setText(
                f"<span style='color: #6b7280'>Press <b>Next</b> or <b>Play</b>, or click a cell of "
                f"{self._names[2]}, to compute it from a row of {self._names[0]} and a column of "
                f"{self._names[1]}.</span>" if self._steps else ""
            )
            self.side.setRowCount(0)
            self._lines = []
        else:
            i, j = step.i, step.j
            ma.set_marks(band_row=i)
            mb.set_marks(band_col=j)
            mc.set_marks(current=(i, j), known_until=step.index)
            self.formula.setText(self._formula_html(step))
            self.side_title.setText(f"Arithmetic of {self._names[2]}[{i + 1},{j + 1}]")
            self._fill_side(step)
            self.views["C"].scrollTo(mc.index(i, j))
            self.views["A"].scrollTo(ma.index(i, 0))
            self.views["B"].scrollTo(mb.index(0, j))
        self._update_controls()

    def _fill_side(self, step) -> None:
        a, b, c = self._names
        self.side.clearSpans()
        i, j = step.i + 1, step.j + 1
        self.side.setHorizontalHeaderLabels(["k", f"{a}[{i},k]", f"{b}[k,{j}]", "product", "running sum"])
        n = len(step.products)
        self.side.setRowCount(n + 1)
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for k in range(n):
            values = (str(k + 1), fmt(step.a_row[k]), fmt(step.b_col[k]), fmt(step.products[k]),
                      fmt(step.partial_sums[k]))
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setTextAlignment(right)
                self.side.setItem(k, col, item)
        total = QTableWidgetItem(f"{c}[{i},{j}] = {fmt(step.value)}")
        font = QFont()
        font.setBold(True)
        total.setFont(font)
        total.setTextAlignment(right)
        total.setBackground(_CURRENT)
        self.side.setItem(n, 0, total)
        self.side.setSpan(n, 0, 1, 5)
        self._lines = step.term_lines() + [f"{c}[{i},{j}] = {fmt(step.value)}"]

    def _formula_html(self, step) -> str:
        a, b, c = self._names
        terms = [f"{_paren(x)}·{_paren(y)}" for x, y in zip(step.a_row, step.b_col)]
        products = [fmt(p) for p in step.products]
        if len(terms) > 8:
            terms = terms[:4] + ["…"] + terms[-2:]
            products = products[:4] + ["…"] + products[-2:]
        head = f"<b>{c}[{step.i + 1},{step.j + 1}]</b>"
        row = f"row {step.i + 1} of {a} · column {step.j + 1} of {b}"
        line = " + ".join(terms) or "0"
        sums = " + ".join(products) or "0"
        tail = f" = <b style='color:#b35900'>{fmt(step.value)}</b>"
        middle = f" = {line}" + (f" = {sums}" if len(step.products) > 1 else "")
        return f"{head} = {row}{middle}{tail}"

    def _update_controls(self) -> None:
        n = len(self._steps)
        step = self.current_step()
        if step is None:
            text = f"0 of {n} cells" if n else ""
        else:
            text = f"cell {self._index + 1} of {n}: {self._names[2]}[{step.i + 1},{step.j + 1}]"
        self.player.set_position(self._index, n, text)

    # -- reactions ----------------------------------------------------------------

    def _cell_clicked(self, index) -> None:
        self.pause()
        self.jump_to_cell(index.row(), index.column())


def _paren(x: float) -> str:
    text = fmt(x)
    return f"({text})" if text.startswith("-") else text
