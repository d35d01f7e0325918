"""The row of buttons above the network canvas that inserts a layer of any engine type."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from ui.canvas_edits import PALETTE


class CanvasPalette(QWidget):
    """"Add layer:" followed by one button per layer type; a click emits ``insertRequested(type)``.

    Where the layer goes is the canvas's business (after the selected layer, or where
    that type usually belongs); ``set_hint`` says which, next to the buttons.
    """

    insertRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("canvasPalette")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(4)
        title = QLabel("Add layer:", self)
        title.setStyleSheet("font-weight: bold;")
        layout.addWidget(title)
        self.buttons: dict[str, QToolButton] = {}
        for kind, text, tip in PALETTE:
            button = QToolButton(self)
            button.setObjectName(f"palette:{kind}")
            button.setText(f"+ {text}")
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, k=kind: self.insertRequested.emit(k))
            layout.addWidget(button)
            self.buttons[kind] = button
        self.hint = QLabel(self)
        self.hint.setObjectName("paletteHint")
        self.hint.setStyleSheet("color: palette(placeholder-text);")
        # the hint may be cut short on a narrow window; the buttons must not be pushed out
        self.hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.hint, 1)
        self.set_hint(None)

    def set_hint(self, selected_title: str | None) -> None:
        """Say where a new layer will go: after ``selected_title``, or where it fits."""
        if selected_title:
            self.hint.setText(f"inserts after {selected_title}")
        else:
            self.hint.setText("inserts where the type fits; click a layer's title to choose")
        self.hint.setToolTip(self.hint.text())
