"""The training bar of the network lab: play/pause, step, reset, counters and every training setting."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QSlider, QSpinBox, QToolButton, QVBoxLayout,
                               QWidget)

LEARNING_RATES = ("0.00001", "0.0001", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1", "3", "10")
REG_RATES = ("0", "0.0001", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1", "3", "10")
OPTIMIZERS = (("sgd", "SGD"), ("momentum", "Momentum"), ("adam", "Adam"))
LOSSES = (("mse", "MSE"), ("bce", "Binary CE"), ("softmax_ce", "Softmax CE"))
REGULARIZATIONS = (("none", "None"), ("l1", "L1"), ("l2", "L2"))
INITS = (("xavier", "Xavier"), ("he", "He"), ("uniform", "Uniform"), ("normal", "Normal"), ("zeros", "Zeros"))
#: the speed slider's stops: steps per second (None: as fast as the device goes)
SPEEDS = (1, 5, 20, 100, 500, None)


def _field(label: str, widget: QWidget, parent: QWidget) -> QVBoxLayout:
    box = QVBoxLayout()
    box.setSpacing(1)
    text = QLabel(label, parent)
    text.setStyleSheet("color: palette(placeholder-text); font-size: 8pt;")
    box.addWidget(text)
    box.addWidget(widget)
    return box


def _combo(parent, items, name) -> QComboBox:
    combo = QComboBox(parent)
    combo.setObjectName(name)
    for key, text in items:
        combo.addItem(text, key)
    return combo


class TrainingControls(QWidget):
    """Buttons and settings for training; every change is a signal, nothing trains here.

    Setters (``set_running``, ``set_counters``, ``set_settings``) update the view inside
    a signal blocker, so the app can mirror its state without echoes.
    """

    playToggled = Signal(bool)
    stepRequested = Signal()
    resetRequested = Signal()
    optimizerChanged = Signal(str)
    learningRateChanged = Signal(float)
    batchSizeChanged = Signal(int)
    lossChanged = Signal(str)
    regularizationChanged = Signal(str)
    regularizationRateChanged = Signal(float)
    initChanged = Signal(str)
    speedChanged = Signal(object)  # steps per second, or None for as fast as possible

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("trainingControls")
        self.reset_button = QToolButton(self)
        self.reset_button.setObjectName("resetButton")
        self.reset_button.setText("⟲ Reset")
        self.reset_button.setToolTip("Start again from fresh random weights.")
        self.play_button = QToolButton(self)
        self.play_button.setObjectName("playButton")
        self.play_button.setCheckable(True)
        self.play_button.setMinimumWidth(86)
        self.play_button.setStyleSheet(
            "QToolButton#playButton { font-weight: bold; padding: 6px 12px; border-radius: 14px;"
            " background: #1f5fa8; color: white; } QToolButton#playButton:checked { background: #b03a2e; }")
        self.step_button = QToolButton(self)
        self.step_button.setObjectName("stepButton")
        self.step_button.setText("Step ›")
        self.step_button.setToolTip("Train on one batch, then stop.")
        self.counter = QLabel(self)
        self.counter.setObjectName("stepCounter")
        self.counter.setMinimumWidth(140)
        self.counter.setStyleSheet("font-size: 11pt;")

        self.optimizer = _combo(self, OPTIMIZERS, "optimizer")
        self.optimizer.setToolTip("How each step turns gradients into weight changes.")
        self.learning_rate = QComboBox(self)
        self.learning_rate.setObjectName("learningRate")
        self.learning_rate.setEditable(True)
        self.learning_rate.addItems(list(LEARNING_RATES))
        validator = QDoubleValidator(1e-8, 100.0, 8, self)
        validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
        self.learning_rate.setValidator(validator)
        self.learning_rate.setToolTip("Step size. Too large and the loss explodes; too small and nothing moves.")
        self.batch_size = QSpinBox(self)
        self.batch_size.setObjectName("batchSize")
        self.batch_size.setRange(1, 4096)
        self.batch_size.setValue(10)
        self.batch_size.setToolTip("Samples per step.")
        self.loss = _combo(self, LOSSES, "loss")
        self.loss.setToolTip("MSE: mean squared error. Binary CE: cross-entropy of a sigmoid output. "
                             "Softmax CE: cross-entropy over classes. Changing it starts again.")
        self.regularization = _combo(self, REGULARIZATIONS, "regularization")
        self.reg_rate = QComboBox(self)
        self.reg_rate.setObjectName("regularizationRate")
        self.reg_rate.addItems(list(REG_RATES))
        self.init = _combo(self, INITS, "init")
        self.init.setToolTip("How the weights start: changing it starts again.")
        self.speed = QSlider(Qt.Orientation.Horizontal, self)
        self.speed.setObjectName("speed")
        self.speed.setRange(0, len(SPEEDS) - 1)
        self.speed.setValue(len(SPEEDS) - 1)
        self.speed.setFixedWidth(90)
        self.speed_label = QLabel(self)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(8)
        layout.addWidget(self.reset_button)
        layout.addWidget(self.play_button)
        layout.addWidget(self.step_button)
        layout.addWidget(self.counter)
        layout.addLayout(_field("Optimizer", self.optimizer, self))
        layout.addLayout(_field("Learning rate", self.learning_rate, self))
        layout.addLayout(_field("Batch size", self.batch_size, self))
        layout.addLayout(_field("Loss", self.loss, self))
        layout.addLayout(_field("Regularization", self.regularization, self))
        layout.addLayout(_field("Reg. rate", self.reg_rate, self))
        layout.addLayout(_field("Initialisation", self.init, self))
        speed_box = QVBoxLayout()
        speed_box.setSpacing(1)
        speed_box.addWidget(self.speed_label)
        speed_box.addWidget(self.speed)
        layout.addLayout(speed_box)
        layout.addStretch(1)

        self.play_button.toggled.connect(self._play_toggled)
        self.step_button.clicked.connect(self.stepRequested)
        self.reset_button.clicked.connect(self.resetRequested)
        self.optimizer.currentIndexChanged.connect(lambda i: self.optimizerChanged.emit(self.optimizer.itemData(i)))
        self.learning_rate.activated.connect(lambda _i: self._lr_entered())
        self.learning_rate.lineEdit().editingFinished.connect(self._lr_entered)
        self.batch_size.editingFinished.connect(self._batch_entered)
        self.batch_size.valueChanged.connect(self._batch_stepped)
        self.loss.currentIndexChanged.connect(lambda i: self.lossChanged.emit(self.loss.itemData(i)))
        self.regularization.currentIndexChanged.connect(
            lambda i: self.regularizationChanged.emit(self.regularization.itemData(i)))
        self.reg_rate.currentIndexChanged.connect(
            lambda i: self.regularizationRateChanged.emit(float(self.reg_rate.itemText(i))))
        self.init.currentIndexChanged.connect(lambda i: self.initChanged.emit(self.init.itemData(i)))
        self.speed.valueChanged.connect(self._speed_moved)
        self._last_lr = None
        self._last_batch = self.batch_size.value()
        self._show_play(False)
        self.set_counters(0, 0)
        self._speed_label()

    # ------------------------------------------------------------------ setters (no signals)

    def set_running(self, running: bool) -> None:
        """Show play or pause without emitting ``playToggled``."""
        self.play_button.blockSignals(True)
        self.play_button.setChecked(bool(running))
        self.play_button.blockSignals(False)
        self._show_play(bool(running))

    def is_running(self) -> bool:
        """True while the button shows pause (training runs)."""
        return self.play_button.isChecked()

    def set_counters(self, step: int, epoch: int | float) -> None:
        """Write the step and epoch counters."""
        self.counter.setText(f"Epoch <b>{int(epoch):,}</b> &nbsp; Step <b>{int(step):,}</b>")

    def set_settings(self, settings: dict) -> None:
        """Mirror the app's settings: optimizer, lr, batch_size, loss, regularization, reg_rate, init."""
        widgets = (self.optimizer, self.learning_rate, self.batch_size, self.loss, self.regularization,
                   self.reg_rate, self.init)
        for w in widgets:
            w.blockSignals(True)
        try:
            if "optimizer" in settings:
                self._select(self.optimizer, settings["optimizer"])
            if "lr" in settings:
                self.learning_rate.setCurrentText(f"{float(settings['lr']):g}")
                self._last_lr = float(settings["lr"])
            if "batch_size" in settings:
                self.batch_size.setValue(int(settings["batch_size"]))
                self._last_batch = int(settings["batch_size"])
            if "loss" in settings:
                self._select(self.loss, settings["loss"])
            if "regularization" in settings:
                self._select(self.regularization, settings["regularization"])
            if "reg_rate" in settings:
                text = f"{float(settings['reg_rate']):g}"
                if self.reg_rate.findText(text) < 0:
                    self.reg_rate.addItem(text)
                self.reg_rate.setCurrentText(text)
            if "init" in settings:
                self._select(self.init, settings["init"])
        finally:
            for w in widgets:
                w.blockSignals(False)

    def set_losses(self, allowed) -> None:
        """Offer only the losses that fit the data (others greyed out)."""
        model = self.loss.model()
        for i in range(self.loss.count()):
            model.item(i).setEnabled(self.loss.itemData(i) in allowed)

    def learning_rate_value(self) -> float | None:
        """The learning rate typed or chosen (None when the text is not a number)."""
        try:
            return float(self.learning_rate.currentText())
        except ValueError:
            return None

    def speed_value(self):
        """Steps per second (None: as fast as possible)."""
        return SPEEDS[self.speed.value()]

    # ------------------------------------------------------------------ reactions

    @staticmethod
    def _select(combo: QComboBox, key) -> None:
        i = combo.findData(key)
        if i >= 0:
            combo.setCurrentIndex(i)

    def _show_play(self, running: bool) -> None:
        self.play_button.setText("❚❚  Pause" if running else "▶  Train")
        self.play_button.setToolTip("Pause training." if running else "Train until paused.")

    def _play_toggled(self, on: bool) -> None:
        self._show_play(on)
        self.playToggled.emit(on)

    def _lr_entered(self) -> None:
        value = self.learning_rate_value()
        if value is None or value <= 0 or value == self._last_lr:
            return
        self._last_lr = value
        self.learningRateChanged.emit(value)

    def _batch_entered(self) -> None:
        value = self.batch_size.value()
        if value != self._last_batch:
            self._last_batch = value
            self.batchSizeChanged.emit(value)

    def _batch_stepped(self, value: int) -> None:
        # arrow clicks change the value without finishing an edit; typing waits for editingFinished
        if not self.batch_size.hasFocus() and value != self._last_batch:
            self._last_batch = value
            self.batchSizeChanged.emit(value)

    def _speed_moved(self, index: int) -> None:
        self._speed_label()
        self.speedChanged.emit(SPEEDS[index])

    def _speed_label(self) -> None:
        v = self.speed_value()
        self.speed_label.setText("Speed: " + ("max" if v is None else f"{v} steps/s"))
        self.speed.setToolTip("Steps per second; at the right end, as fast as the device goes.")
        self.speed_label.setStyleSheet("color: palette(placeholder-text); font-size: 8pt;")
