"""The settings card that opens in place on a layer of the network canvas."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QFrame, QHBoxLayout,
                               QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from ui.canvas_edits import SETTINGS, TITLES


class CanvasLayerEditor(QFrame):
    """Fields for one layer's settings (units, activation, filters, kernel, stride, padding ...).

    Apply emits ``applied(layer, settings_dict)``; the canvas checks it and either closes
    the card or calls ``show_error`` with the reason, so a setting the network cannot
    take is refused right where it was typed.
    """

    applied = Signal(int, dict)
    removeRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("layerEditor")
        self.setStyleSheet("#layerEditor { background: white; border: 1px solid #1f5fa8; border-radius: 6px; }")
        self.layer = -1
        self._layer_dict: dict = {}
        self.fields: dict = {}
        self.title = QLabel(self)
        self.title.setStyleSheet("font-weight: bold;")
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.message = QLabel(self)
        self.message.setObjectName("layerEditorMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.message.setMaximumWidth(260)
        self.message.hide()
        self.apply_button = QPushButton("Apply", self)
        self.apply_button.setObjectName("layerEditorApply")
        self.apply_button.setDefault(True)
        self.remove_button = QPushButton("Remove layer", self)
        self.remove_button.setObjectName("layerEditorRemove")
        close = QPushButton("Close", self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.title)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.apply_button.clicked.connect(self._apply)
        self.remove_button.clicked.connect(lambda: self.removeRequested.emit(self.layer))
        close.clicked.connect(self.hide)
        self.hide()

    def open_for(self, layer: int, layer_dict: dict, removable: bool = True, fixed: tuple = ()) -> None:
        """Show the settings of layer ``layer``; keys in ``fixed`` are shown but cannot change."""
        self.layer = int(layer)
        self._layer_dict = dict(layer_dict)
        kind = layer_dict.get("type", "")
        self.title.setText(f"Layer {layer + 1}: {TITLES.get(kind, kind)}")
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields = {}
        for key, label, typ, extra in SETTINGS.get(kind, ()):
            value = layer_dict.get(key)
            if typ == "int":
                w = QSpinBox(self)
                w.setRange(*extra)
                if value is None and key == "stride":
                    value = layer_dict.get("size", 1)  # pooling's default stride is its window
                w.setValue(int(value if value is not None else extra[0]))
            elif typ == "float":
                w = QDoubleSpinBox(self)
                w.setRange(*extra)
                w.setSingleStep(0.05)
                w.setDecimals(2)
                w.setValue(float(value if value is not None else 0.5))
            elif typ == "bool":
                w = QCheckBox(self)
                w.setChecked(bool(value))
            else:
                w = QComboBox(self)
                w.addItems(list(extra))
                if value in extra:
                    w.setCurrentText(value)
            w.setObjectName(f"layerEditor:{key}")
            w.setEnabled(key not in fixed)
            self.fields[key] = w
            self.form.addRow(label, w)
        if not self.fields:
            self.form.addRow(QLabel("This layer has no settings.", self))
        self.remove_button.setVisible(removable)
        self.message.hide()
        self.adjustSize()
        self.show()
        self.raise_()

    def values(self) -> dict:
        """The layer dict the fields describe now."""
        out = dict(self._layer_dict)
        for key, w in self.fields.items():
            if isinstance(w, QSpinBox):
                out[key] = int(w.value())
            elif isinstance(w, QDoubleSpinBox):
                out[key] = float(w.value())
            elif isinstance(w, QCheckBox):
                out[key] = bool(w.isChecked())
            else:
                out[key] = w.currentText()
        return out

    def show_error(self, sentence: str) -> None:
        """Keep the card open and say why the settings were refused."""
        self.message.setText(sentence)
        self.message.show()
        self.adjustSize()

    def _apply(self) -> None:
        self.applied.emit(self.layer, self.values())
