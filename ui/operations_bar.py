"""The operations bar: pick operands from the workspace and ask for an operation or its steps."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

#: (key, label template, what it does, uses the right operand). {a}, {b} are the picked names.
OPERATIONS = (
    ("add", "{a} + {b}", "Add elementwise: both matrices need the same shape.", True),
    ("sub", "{a} − {b}", "Subtract elementwise: both matrices need the same shape.", True),
    ("mul", "{a} ⊙ {b}", "Multiply elementwise (Hadamard product): same shapes.", True),
    ("scale", "k · {a}", "Multiply every entry of the left matrix by k.", False),
    ("matmul", "{a} · {b}", "Matrix product: the left's columns must equal the right's rows.", True),
    ("transpose", "{a}ᵀ", "Transpose: rows become columns.", False),
    ("dot", "dot({a}, {b})", "Dot product u·v of two vectors (a row or a column each) of equal length.", True),
    ("inv", "{a}⁻¹", "Inverse of a square matrix.", False),
    ("det", "det {a}", "Determinant of a square matrix.", False),
    ("solve", "solve {a}x = {b}", "Solve the linear system: {a} square, {b} with as many rows.", True),
)

#: (key, label template, tooltip) of the step-by-step views.
STEP_VIEWS = (
    ("matmul", "{a} · {b} cell by cell", "Walk through the matrix product one cell at a time."),
    ("inverse", "{a}⁻¹ by elimination", "Gauss-Jordan elimination on [{a} | I], row operation by row operation."),
    ("det", "det {a} by elimination", "Forward elimination: det is the sign of the swaps times the pivots."),
    ("solve", "{a}x = {b} by elimination", "Gauss-Jordan elimination on [{a} | {b}]."),
)


def operation_label(key: str, a: str, b: str) -> str:
    """The text of an operation for operand names a and b, e.g. ``operation_label("matmul", "A", "B")`` -> 'A · B'."""
    for k, template, _, _ in OPERATIONS:
        if k == key:
            return template.format(a=a, b=b)
    raise KeyError(key)


class OperationsBar(QWidget):
    """Operand pickers (left, right, k) and a button per operation and per step-by-step view.

    Emits ``operationRequested(key, left, right, k)`` and ``stepsRequested(kind, left,
    right)``; the buttons' labels follow the picked names ("A · B", "C⁻¹"), and
    ``operandsChanged(left, right)`` tells others (menus) when the picks change.
    """

    operationRequested = Signal(str, str, str, float)
    stepsRequested = Signal(str, str, str)
    operandsChanged = Signal(str, str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("operationsBar")
        self.left_combo = QComboBox(self)
        self.left_combo.setObjectName("leftOperand")
        self.left_combo.setToolTip("The left operand (A in the operations below).")
        self.right_combo = QComboBox(self)
        self.right_combo.setObjectName("rightOperand")
        self.right_combo.setToolTip("The right operand (B, or b in solve).")
        self.k_spin = QDoubleSpinBox(self)
        self.k_spin.setObjectName("scalarK")
        self.k_spin.setDecimals(4)
        self.k_spin.setRange(-1e9, 1e9)
        self.k_spin.setValue(2.0)
        self.k_spin.setToolTip("The scalar k in k · A.")

        pick = QGridLayout()
        pick.addWidget(QLabel("Left", self), 0, 0)
        pick.addWidget(self.left_combo, 0, 1)
        pick.addWidget(QLabel("Right", self), 0, 2)
        pick.addWidget(self.right_combo, 0, 3)
        pick.addWidget(QLabel("k", self), 1, 0)
        pick.addWidget(self.k_spin, 1, 1)
        pick.setColumnStretch(1, 1)
        pick.setColumnStretch(3, 1)

        self.buttons: dict[str, QPushButton] = {}
        ops_box = QGroupBox("Compute", self)
        grid = QGridLayout(ops_box)
        grid.setSpacing(4)
        for n, (key, _, tip, _) in enumerate(OPERATIONS):
            button = QPushButton(ops_box)
            button.setObjectName(f"op:{key}")
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, k=key: self._operation(k))
            grid.addWidget(button, n // 2, n % 2)
            self.buttons[key] = button

        self.step_buttons: dict[str, QPushButton] = {}
        steps_box = QGroupBox("Step by step", self)
        steps = QVBoxLayout(steps_box)
        steps.setSpacing(4)
        for key, _, tip in STEP_VIEWS:
            button = QPushButton(steps_box)
            button.setObjectName(f"steps:{key}")
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, k=key: self._steps(k))
            steps.addWidget(button)
            self.step_buttons[key] = button

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(pick)
        layout.addWidget(ops_box)
        layout.addWidget(steps_box)

        self.left_combo.currentIndexChanged.connect(self._relabel)
        self.right_combo.currentIndexChanged.connect(self._relabel)
        self._relabel()

    # -- plain-data interface ---------------------------------------------------

    def set_names(self, names) -> None:
        """Offer ``names`` as operands, keeping the current picks where they still exist."""
        left, right = self.left(), self.right()
        had_choice = self.left_combo.count() > 1
        for combo in (self.left_combo, self.right_combo):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(list(names))
            combo.blockSignals(False)
        names = list(names)
        left = left if left in names else (names[0] if names else "")
        others = [n for n in names if n != left] or names
        # A second matrix arriving becomes the right operand, so A and B pair up at once.
        if right not in names or (right == left and not had_choice):
            right = others[0] if others else ""
        self.set_operands(left, right)

    def set_operands(self, left: str, right: str | None = None) -> None:
        """Pick the operands by name (names not offered are ignored)."""
        for combo, name in ((self.left_combo, left), (self.right_combo, right)):
            if name is None:
                continue
            i = combo.findText(name)
            if i >= 0:
                combo.blockSignals(True)
                combo.setCurrentIndex(i)
                combo.blockSignals(False)
        self._relabel()

    def left(self) -> str:
        """The left operand's name ('' when the workspace is empty)."""
        return self.left_combo.currentText()

    def right(self) -> str:
        """The right operand's name."""
        return self.right_combo.currentText()

    def k(self) -> float:
        """The scalar k."""
        return float(self.k_spin.value())

    def set_busy(self, busy: bool) -> None:
        """Disable the buttons while an operation runs."""
        for button in (*self.buttons.values(), *self.step_buttons.values()):
            button.setEnabled(not busy and bool(self.left()))

    def label(self, key: str) -> str:
        """The text on an operation's button now."""
        return self.buttons[key].text()

    def trigger(self, key: str) -> None:
        """Ask for operation ``key`` with the current picks (as its button does)."""
        self._operation(key)

    # -- reactions ----------------------------------------------------------------

    def _relabel(self) -> None:
        a, b = self.left() or "A", self.right() or "B"
        for key, template, tip, _ in OPERATIONS:
            self.buttons[key].setText(template.format(a=a, b=b))
            self.buttons[key].setToolTip(tip.format(a=a, b=b))
        for key, template, tip in STEP_VIEWS:
            self.step_buttons[key].setText(template.format(a=a, b=b))
            self.step_buttons[key].setToolTip(tip.format(a=a, b=b))
        enabled = bool(self.left())
        for button in (*self.buttons.values(), *self.step_buttons.values()):
            button.setEnabled(enabled)
        self.operandsChanged.emit(self.left(), self.right())

    def _operation(self, key: str) -> None:
        self.operationRequested.emit(key, self.left(), self.right(), self.k())

    def _steps(self, kind: str) -> None:
        self.stepsRequested.emit(kind, self.left(), self.right())
