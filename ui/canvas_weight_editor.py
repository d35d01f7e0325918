"""The small in-place editor that opens on a link of the network canvas to type a new weight."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QVBoxLayout, QWidget


class CanvasWeightEditor(QFrame):
    """A label naming the weight and a line edit holding its value.

    Enter commits (``committed(param, index, value)``) and closes; Escape or leaving the
    field closes without a change. A value that is not a finite number is refused with a
    sentence and the field stays open.
    """

    committed = Signal(str, tuple, float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("weightEditor")
        self.setStyleSheet("#weightEditor { background: #fffdf2; border: 1px solid #b59f3b; border-radius: 5px; }")
        self.param = ""
        self.index: tuple = ()
        self.label = QLabel(self)
        self.label.setObjectName("weightEditorLabel")
        self.field = QLineEdit(self)
        self.field.setObjectName("weightEditorField")
        self.field.setFixedWidth(150)
        self.field.setToolTip("Type the new weight and press Enter; Escape cancels.")
        self.message = QLabel(self)
        self.message.setObjectName("weightEditorMessage")
        self.message.setStyleSheet("color: #b00020;")
        self.message.setWordWrap(True)
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(3)
        layout.addWidget(self.label)
        layout.addWidget(self.field)
        layout.addWidget(self.message)
        self.field.returnPressed.connect(self._commit)
        self.field.installEventFilter(self)
        self.hide()

    def open_for(self, param: str, index: tuple, value: float, title: str) -> None:
        """Show the editor for weight ``param[index]`` currently equal to ``value``."""
        self.param = param
        self.index = tuple(int(i) for i in index)
        self.label.setText(title)
        self.field.setText(f"{value:.6g}")
        self.field.selectAll()
        self.message.hide()
        self.adjustSize()
        self.show()
        self.raise_()
        self.field.setFocus()

    def _commit(self) -> None:
        text = self.field.text().strip().replace("−", "-").replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            self.message.setText(f"“{self.field.text()}” is not a number: type one such as -0.5 or 1.2e-3.")
            self.message.show()
            self.adjustSize()
            return
        self.hide()
        self.committed.emit(self.param, self.index, value)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if obj is self.field and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape:
            self.hide()
            return True
        return super().eventFilter(obj, event)
