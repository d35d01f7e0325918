"""The step inspector's dock: controls, the operation's formula and its arrays, side by side.

A view only: the app's ``StepInspector`` controller gives it plain data (text, numpy
arrays) and listens to its signals. Keyboard shortcuts (active while the inspector is
shown in the active window):

    Right or N      next operation
    Left or P       previous operation (the stored values; nothing is recomputed)
    End or F        run to the end of the phase (forward, loss, backward, update)
    Home or R       restart the batch (or, once the step is complete, trace the next batch)
    Escape          close the inspector
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QComboBox, QFrame, QHBoxLayout, QLabel, QLayout, QPushButton, QScrollArea,
                               QStackedWidget, QToolButton, QVBoxLayout, QWidget)

from ui.inspector_conv_patch import InspectorConvPatch
from ui.inspector_formula import PHASE_COLOURS, InspectorFormula
from ui.inspector_loss_view import InspectorLossView
from ui.inspector_matrix_view import InspectorMatrixView
from ui.inspector_rnn_timeline import InspectorRnnTimeline
from ui.matmul_stepper import MatmulStepper

PHASES = ("forward", "loss", "backward", "update")
SHORTCUTS = {
    "next": ("Right", "N"),
    "back": ("Left", "P"),
    "phase": ("End", "F"),
    "restart": ("Home", "R"),
    "close": ("Escape",),
}
SHORTCUT_HELP = "Keys: → or N next · ← or P back · End or F end of phase · Home or R restart · Esc close"


class _FlowLayout(QLayout):
    """Lays widgets out left to right and wraps to a new line when the width runs out."""

    def __init__(self, parent=None, spacing: int = 10):
        super().__init__(parent)
        self._items = []
        self._spacing = spacing

    def addItem(self, item) -> None:  # noqa: N802
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index):  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index):  # noqa: N802
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self):  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _place(self, rect, move: bool) -> int:
        m = self.contentsMargins()
        x, y = rect.x() + m.left(), rect.y() + m.top()
        right = rect.right() - m.right()
        line = 0
        for item in self._items:
            if item.widget() is not None and item.widget().isHidden():
                continue
            hint = item.sizeHint()
            if x + hint.width() > right and line > 0:
                x = rect.x() + m.left()
                y += line + self._spacing
                line = 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line = max(line, hint.height())
        return y + line - rect.y() + m.bottom()


class InspectorPanel(QWidget):
    """The step inspector's view (see the module docstring for the keys).

    Signals: ``nextRequested``, ``backRequested``, ``phaseEndRequested``,
    ``restartRequested``, ``closeRequested``, ``sampleChanged(int)`` (−1: the whole
    batch), ``cellClicked(str, tuple)`` (the key of the array and the cell's index),
    ``pixelChosen(int, int, int)`` (conv and pool views), ``timeStepClicked(str, int)``
    (the RNN timeline), ``walkRequested()`` ("cell by cell" under a dot product).
    """

    nextRequested = Signal()
    backRequested = Signal()
    phaseEndRequested = Signal()
    restartRequested = Signal()
    closeRequested = Signal()
    sampleChanged = Signal(int)
    cellClicked = Signal(str, tuple)
    pixelChosen = Signal(int, int, int)
    timeStepClicked = Signal(str, int)
    walkRequested = Signal()
    widthChanged = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("inspectorPanel")
        self._views: dict[str, InspectorMatrixView] = {}
        self._phase = ""
        self._laid_width = 0

        self.heading = QLabel("STEP THROUGH ONE TRAINING STEP", self)
        self.heading.setStyleSheet("font-weight: bold; color: palette(window-text); letter-spacing: 1px;")
        self.close_button = QToolButton(self)
        self.close_button.setObjectName("inspectorClose")
        self.close_button.setText("×")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Close the inspector (Esc). An unfinished step is undone.")

        self.restart_button = QPushButton("⟲ Restart batch", self)
        self.back_button = QPushButton("◀ Back", self)
        self.next_button = QPushButton("Next ▶", self)
        self.phase_button = QPushButton("End of phase »", self)
        tips = {self.restart_button: ("restart", "Start this batch again from its first operation (Home or R)."),
                self.back_button: ("back", "Show the previous operation again (← or P)."),
                self.next_button: ("next", "Go to the next operation (→ or N)."),
                self.phase_button: ("phase", "Run to the end of this phase (End or F).")}
        for button, (name, tip) in tips.items():
            button.setObjectName(f"inspector_{name}")
            button.setToolTip(tip)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys go to the shortcuts, not a button
        self.next_button.setDefault(True)
        self.sample_box = QComboBox(self)
        self.sample_box.setObjectName("inspectorSampleBox")
        self.sample_box.setToolTip("Look at one sample of the batch, or at the whole batch as a matrix (a row per "
                                   "sample).")
        self.sample_box.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.sample_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.sample_box.setMinimumContentsLength(20)  # "Whole batch (32 samples)" stays whole

        self.phase_labels = {}
        for phase in PHASES:
            label = QLabel(phase.capitalize(), self)
            label.setObjectName(f"inspectorPhase_{phase}")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.phase_labels[phase] = label
        self.position = QLabel(self)
        self.position.setObjectName("inspectorPosition")
        self.position.setStyleSheet("color: palette(window-text);")
        self.message = QLabel(self)
        self.message.setObjectName("inspectorMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self.formula = InspectorFormula(self)
        self.links_note = QLabel(self)
        self.links_note.setObjectName("inspectorLinksNote")
        self.links_note.setWordWrap(True)
        self.links_note.setStyleSheet("color: palette(placeholder-text); font-size: 8.5pt;")
        self.readout = QLabel(self)
        self.readout.setObjectName("inspectorReadout")
        self.readout.setStyleSheet("color: palette(window-text); font-size: 9pt; background: #f4f5f7; padding: 2px 6px; "
                                   "border-radius: 3px;")
        self.readout.setMinimumHeight(20)
        self.help = QLabel(SHORTCUT_HELP, self)
        self.help.setObjectName("inspectorHelp")
        self.help.setStyleSheet("color: #7d8794; font-size: 8pt;")

        # the body: special views, then the arrays of the operation, then a dot product
        self.conv_patch = InspectorConvPatch(self)
        self.rnn_timeline = InspectorRnnTimeline(self)
        self.loss_view = InspectorLossView(self)
        self.matrices = QWidget(self)
        self.matrices.setObjectName("inspectorMatrices")
        self.flow = _FlowLayout(self.matrices, spacing=8)
        self.flow.setContentsMargins(0, 0, 0, 0)
        self.dot = QLabel(self)
        self.dot.setObjectName("inspectorDot")
        self.dot.setTextFormat(Qt.TextFormat.RichText)
        self.dot.setWordWrap(True)
        self.dot.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.dot.setStyleSheet("font-size: 10.5pt; background: #fff8e6; border: 1px solid #f0d9a8; "
                               "border-radius: 4px; padding: 6px;")
        self.walk_button = QPushButton("Walk it cell by cell…", self)
        self.walk_button.setObjectName("inspectorWalk")
        self.walk_button.setToolTip("Open this multiplication in the matrix lab's cell-by-cell stepper.")
        self.walk_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        dot_row = QHBoxLayout()
        dot_row.addWidget(self.dot, 1)
        dot_row.addWidget(self.walk_button, 0, Qt.AlignmentFlag.AlignTop)
        self.dot.setMaximumHeight(150)
        body = QWidget(self)
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(4, 4, 4, 4)
        body_layout.setSpacing(8)
        for w in (self.conv_patch, self.rnn_timeline, self.loss_view):
            body_layout.addWidget(w)
            w.hide()
        body_layout.addWidget(self.matrices)
        body_layout.addStretch(1)
        self.scroll = QScrollArea(self)
        self.scroll.setObjectName("inspectorScroll")
        self.scroll.setWidget(body)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)

        # the cell-by-cell stepper, reused from the matrix lab, on a page of its own
        self.stepper = MatmulStepper(self)
        # its ←/→ would clash with the inspector's keys; its buttons still work
        self.stepper.prev_button.setShortcut(QKeySequence())
        self.stepper.next_button.setShortcut(QKeySequence())
        self.stepper_back = QPushButton("◀ Back to the operation", self)
        self.stepper_back.setObjectName("inspectorStepperBack")
        stepper_page = QWidget(self)
        sp = QVBoxLayout(stepper_page)
        sp.setContentsMargins(0, 0, 0, 0)
        sp.addWidget(self.stepper_back, 0, Qt.AlignmentFlag.AlignLeft)
        sp.addWidget(self.stepper, 1)
        # arrays are sized to the room they get: when it changes a lot, the app lays them out again
        self.scroll.viewport().installEventFilter(self)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.scroll)
        self.pages.addWidget(stepper_page)

        head = QHBoxLayout()
        head.addWidget(self.heading, 1)
        head.addWidget(self.close_button)
        controls = QHBoxLayout()
        for b in (self.restart_button, self.back_button, self.next_button, self.phase_button):
            controls.addWidget(b)
        controls.addSpacing(12)
        controls.addWidget(QLabel("Show", self))
        controls.addWidget(self.sample_box)
        controls.addStretch(1)
        phases = QHBoxLayout()
        phases.setSpacing(4)
        for phase in PHASES:
            phases.addWidget(self.phase_labels[phase])
            if phase != PHASES[-1]:
                arrow = QLabel("→", self)
                arrow.setStyleSheet("color: #9aa3ad;")
                phases.addWidget(arrow)
        phases.addSpacing(12)
        phases.addWidget(self.position, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(5)
        layout.addLayout(head)
        layout.addLayout(controls)
        layout.addLayout(phases)
        layout.addWidget(self.message)
        layout.addWidget(self.formula)
        layout.addWidget(self.pages, 1)
        # the dot product stays in sight below the arrays, however far they scroll
        layout.addLayout(dot_row)
        layout.addWidget(self.readout)
        layout.addWidget(self.links_note)
        layout.addWidget(self.help)

        self.actions_by_name: dict[str, QAction] = {}
        signals = {"next": self.nextRequested, "back": self.backRequested, "phase": self.phaseEndRequested,
                   "restart": self.restartRequested, "close": self.closeRequested}
        for name, keys in SHORTCUTS.items():
            action = QAction(name, self)
            action.setObjectName(f"inspectorAction_{name}")
            action.setShortcuts([QKeySequence(k) for k in keys])
            # the whole window: the keys work wherever the focus is, while the inspector shows
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(signals[name].emit)
            self.addAction(action)
            self.actions_by_name[name] = action

        self.restart_button.clicked.connect(self.restartRequested)
        self.back_button.clicked.connect(self.backRequested)
        self.next_button.clicked.connect(self.nextRequested)
        self.phase_button.clicked.connect(self.phaseEndRequested)
        self.close_button.clicked.connect(self.closeRequested)
        self.sample_box.activated.connect(lambda i: self.sampleChanged.emit(int(self.sample_box.itemData(i))))
        self.conv_patch.pixelChosen.connect(self.pixelChosen)
        self.conv_patch.hovered.connect(self._show_readout)
        self.rnn_timeline.stepClicked.connect(self.timeStepClicked)
        self.loss_view.sampleClicked.connect(self._loss_row_clicked)
        self.walk_button.clicked.connect(self.walkRequested)
        self.stepper_back.clicked.connect(self.close_stepper)
        self.set_phase("")
        self.set_dot("")
        self.setMinimumWidth(420)

    # ------------------------------------------------------------------ state shown

    def set_position(self, text: str, phase: str) -> None:
        """The line naming the operation ("Operation 9 of 18 · layer 2 · ∂W") and the phase lit up."""
        self.position.setText(text)
        self.set_phase(phase)

    def set_phase(self, phase: str) -> None:
        """Light up ``phase`` in the strip; the phases before it read as done."""
        self._phase = phase
        reached = PHASES.index(phase) if phase in PHASES else -1
        for k, name in enumerate(PHASES):
            label = self.phase_labels[name]
            if k == reached:
                colour = PHASE_COLOURS[name]
                label.setStyleSheet(f"background: {colour}; color: white; border-radius: 4px; padding: 2px 8px; "
                                    "font-weight: 600;")
            elif k < reached:
                label.setStyleSheet("color: palette(window-text); padding: 2px 8px; border: 1px solid #c3c8cf; "
                                    "border-radius: 4px;")
            else:
                label.setStyleSheet("color: #9aa3ad; padding: 2px 8px; border: 1px dashed #d5d9de; "
                                    "border-radius: 4px;")

    def phase(self) -> str:
        """The phase lit up."""
        return self._phase

    def set_controls(self, can_back: bool, can_next: bool, restart_text: str = "⟲ Restart batch",
                     busy: bool = False) -> None:
        """Enable the buttons (and their keys) that make sense now; ``busy`` disables all but Close."""
        self.back_button.setEnabled(can_back and not busy)
        self.next_button.setEnabled(can_next and not busy)
        self.phase_button.setEnabled(can_next and not busy)
        self.restart_button.setEnabled(not busy)
        self.restart_button.setText(restart_text)
        self.actions_by_name["back"].setEnabled(can_back and not busy)
        self.actions_by_name["next"].setEnabled(can_next and not busy)
        self.actions_by_name["phase"].setEnabled(can_next and not busy)
        self.actions_by_name["restart"].setEnabled(not busy)

    def set_samples(self, count: int, current: int) -> None:
        """Offer "Whole batch" and samples 1..count; select ``current`` (−1: the whole batch)."""
        self.sample_box.blockSignals(True)
        self.sample_box.clear()
        self.sample_box.addItem(f"Whole batch ({count} samples)", -1)
        for i in range(count):
            self.sample_box.addItem(f"Sample {i + 1}", i)
        self.sample_box.setCurrentIndex(max(0, current + 1))
        self.sample_box.blockSignals(False)

    def sample(self) -> int:
        """The sample chosen (−1: the whole batch)."""
        data = self.sample_box.currentData()
        return -1 if data is None else int(data)

    def set_message(self, text: str | None, error: bool = False) -> None:
        """A sentence above the formula (None hides it): waiting, undone, diverged."""
        if not text:
            self.message.hide()
            return
        colour = ("#fdecea", "#8a1c12") if error else ("#eef4fb", "#1d3f66")
        self.message.setStyleSheet(f"background: {colour[0]}; color: {colour[1]}; padding: 5px; border-radius: 4px;")
        self.message.setText(text)
        self.message.show()

    def message_text(self) -> str:
        """The sentence shown ('' when hidden)."""
        return "" if self.message.isHidden() else self.message.text()

    def set_formula(self, phase: str, title: str, formula: str, explanation: str = "") -> None:
        """The operation's title, formula and plain-language explanation."""
        self.formula.set_step(phase, title, formula, explanation)

    def set_links_note(self, text: str) -> None:
        """What the canvas's links show now (weights, gradients or changes)."""
        self.links_note.setText(text)

    # ------------------------------------------------------------------ the body

    def show_special(self, which: str | None) -> None:
        """Show the conv/pool patch ("conv"), the RNN timeline ("rnn"), the loss table ("loss") or none."""
        self.conv_patch.setVisible(which == "conv")
        self.rnn_timeline.setVisible(which == "rnn")
        self.loss_view.setVisible(which == "loss")

    def set_matrices(self, items: list) -> None:
        """The operation's arrays left to right. Each item is a dict: key, name, array and optional
        caption, op (a sign written before it: "·", "+", "→"), padding, vector, clickable."""
        while self.flow.count():
            item = self.flow.takeAt(0)
            w = item.widget()
            if w is not None:
                w.hide()
                w.deleteLater()
        self._views = {}
        for spec in items:
            # a sign and the array after it travel together when the row wraps
            box = QWidget(self.matrices)
            row = QHBoxLayout(box)
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(2)
            if spec.get("op"):
                sign = QLabel(spec["op"], box)
                sign.setStyleSheet("font-size: 20pt; color: palette(placeholder-text); padding: 20px 2px 0 2px;")
                row.addWidget(sign, 0, Qt.AlignmentFlag.AlignTop)
            view = InspectorMatrixView(box, max_width=self._room(), max_height=200, show_readout=False)
            view.setObjectName(f"inspectorMatrix_{spec['key']}")
            view.set_array(spec["array"], spec.get("name", spec["key"]), spec.get("caption", ""),
                           padding=spec.get("padding", 0), vector=spec.get("vector", "column"),
                           tile_names=spec.get("tile_names"))
            if spec.get("clickable"):
                view.grid.setCursor(Qt.CursorShape.PointingHandCursor)
            key = spec["key"]
            view.cellClicked.connect(lambda index, key=key: self.cellClicked.emit(key, tuple(index)))
            view.hovered.connect(self._show_readout)
            row.addWidget(view, 0, Qt.AlignmentFlag.AlignTop)
            self.flow.addWidget(box)
            box.show()
            self._views[key] = view
        self.matrices.setVisible(bool(items))
        self.matrices.updateGeometry()
        self._show_readout("")

    def _room(self) -> int:
        """The width an array may take: the body's, less margins."""
        self._laid_width = self.scroll.viewport().width()
        return max(300, self._laid_width - 40)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize and obj is self.scroll.viewport():
            if abs(self.scroll.viewport().width() - self._laid_width) > 40 and self._views:
                self.widthChanged.emit()
        return super().eventFilter(obj, event)

    def matrix_view(self, key: str) -> InspectorMatrixView | None:
        """The view showing array ``key`` ("W", "a_prev", "dW", ...), or None."""
        return self._views.get(key)

    def matrix_keys(self) -> list:
        """The keys of the arrays shown, left to right."""
        return list(self._views)

    def set_dot(self, html: str, can_walk: bool = False) -> None:
        """The dot product under the arrays (rich text; empty hides it) and whether it can be walked."""
        self.dot.setText(html)
        self.dot.setVisible(bool(html))
        self.walk_button.setVisible(bool(html) and can_walk)

    def dot_text(self) -> str:
        """The dot product's text ('' when there is none)."""
        return self.dot.text()

    def open_stepper(self, a, b, c, steps, names, cell: tuple) -> None:
        """Show the matrix lab's stepper on c = a·b (``steps`` from engine.explain) at ``cell``."""
        self.stepper.set_problem(a, b, c, steps, names)
        self.stepper.jump_to_cell(*cell)
        self.pages.setCurrentIndex(1)
        # the stepper writes the sum itself; and its room goes to the grids
        self.dot.hide()
        self.walk_button.hide()
        # C sits bottom right of the stepper's grids: bring its corner into view with room left of it
        # for A's last columns and above it for B's last rows
        QTimer.singleShot(0, self, self._show_stepper_corner)

    def _show_stepper_corner(self) -> None:
        c = self.stepper.views["C"]
        corner = c.mapTo(self.stepper.scroll.widget(), QPoint(0, 0))
        self.stepper.scroll.ensureVisible(corner.x(), corner.y(), 230, 170)

    def close_stepper(self) -> None:
        """Back from the stepper to the operation."""
        self.stepper.pause()
        self.pages.setCurrentIndex(0)
        has_dot = bool(self.dot.text())
        self.dot.setVisible(has_dot)
        self.walk_button.setVisible(has_dot)

    def stepper_open(self) -> bool:
        """True while the stepper page shows."""
        return self.pages.currentIndex() == 1

    def readout_text(self) -> str:
        """The shared read-out line (what the pointer is on)."""
        return self.readout.text()

    def _show_readout(self, text: str) -> None:
        self.readout.setText(text or "Point at any cell to read its value; click a cell of a result to see "
                                     "how it was computed.")

    def _loss_row_clicked(self, row: int) -> None:
        index = self.sample_box.findData(row)
        if index >= 0:
            self.sample_box.setCurrentIndex(index)
            self.sampleChanged.emit(row)
