"""First / Previous / Play / Next / Last, a speed slider and the play timer, for a step-by-step view."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget


class StepPlayer(QWidget):
    """The transport row under a walk through steps ``start .. count - 1``.

    The owner keeps the index: it reacts to ``stepRequested(index)`` (from the buttons
    and, while playing, the timer) and reports back where it stands with
    ``set_position(index, count, text)``. ``start`` is the first position of the walk
    (−1 where the view has a "before the first step" state, else 0); Play from the end
    starts over there. ``unit`` names a step in the speed label ("cell" → "3 cells/s").
    ``playingChanged(on)`` follows Play/Pause.
    """

    stepRequested = Signal(int)
    playingChanged = Signal(bool)

    def __init__(self, prefix: str, unit: str, *, start: int = 0, speed_range=(1, 10), speed: int = 1,
                 speed_width: int = 120, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(f"{prefix}Player")
        self._unit = unit
        self._start = start
        self._index = start
        self._count = 0
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)

        self.first_button = QPushButton("« First", self)
        self.prev_button = QPushButton("◀ Previous", self)
        self.play_button = QPushButton("▶ Play", self)
        self.play_button.setCheckable(True)
        self.next_button = QPushButton("Next ▶", self)
        self.last_button = QPushButton("Last »", self)
        buttons = (("first", self.first_button), ("prev", self.prev_button), ("play", self.play_button),
                   ("next", self.next_button), ("last", self.last_button))
        for name, b in buttons:
            b.setObjectName(f"{prefix}_{name}")
        self.speed = QSlider(Qt.Orientation.Horizontal, self)
        self.speed.setObjectName(f"{prefix}Speed")
        self.speed.setRange(*speed_range)
        self.speed.setValue(speed)
        self.speed.setFixedWidth(speed_width)
        self.speed_label = QLabel(self)
        self.position = QLabel(self)
        self.position.setObjectName(f"{prefix}Position")

        controls = QHBoxLayout(self)
        controls.setContentsMargins(0, 0, 0, 0)
        for _, b in buttons:
            controls.addWidget(b)
        controls.addSpacing(16)
        controls.addWidget(QLabel("Speed", self))
        controls.addWidget(self.speed)
        controls.addWidget(self.speed_label)
        controls.addStretch(1)
        controls.addWidget(self.position)

        self.first_button.clicked.connect(lambda: self.stepRequested.emit(0))
        self.prev_button.clicked.connect(lambda: self.stepRequested.emit(self._index - 1))
        self.next_button.clicked.connect(lambda: self.stepRequested.emit(self._index + 1))
        self.last_button.clicked.connect(lambda: self.stepRequested.emit(self._count - 1))
        self.play_button.toggled.connect(self._play_toggled)
        self.speed.valueChanged.connect(self._speed_changed)
        self._speed_changed()
        self.set_position(start, 0, "")

    def set_position(self, index: int, count: int, text: str) -> None:
        """Where the walk stands: step ``index`` of ``count``; ``text`` goes at the right."""
        self._index, self._count = index, count
        self.first_button.setEnabled(index > 0)
        self.prev_button.setEnabled(index > self._start)
        self.next_button.setEnabled(self._start <= index < count - 1)
        self.last_button.setEnabled(self._start <= index < count - 1)
        self.play_button.setEnabled(count - self._start > 1)
        self.position.setText(text)

    def play(self) -> None:
        """Step forward on the timer until the last step."""
        self.play_button.setChecked(True)

    def pause(self) -> None:
        """Stop playing."""
        self.play_button.setChecked(False)

    def is_playing(self) -> bool:
        """True while the timer steps."""
        return self.timer.isActive()

    def set_speed(self, steps_per_second: int) -> None:
        """Play speed in steps per second (within the slider's range)."""
        self.speed.setValue(int(steps_per_second))

    def _at_end(self) -> bool:
        return self._index >= self._count - 1

    def _play_toggled(self, on: bool) -> None:
        if on:
            if self._at_end():
                self.stepRequested.emit(self._start)
            self.timer.start()
            self.play_button.setText("⏸ Pause")
        else:
            self.timer.stop()
            self.play_button.setText("▶ Play")
        self.playingChanged.emit(on)

    def _tick(self) -> None:
        self.stepRequested.emit(self._index + 1)
        if self._at_end():
            self.pause()

    def _speed_changed(self) -> None:
        v = self.speed.value()
        self.speed_label.setText(f"{v} {self._unit}{'s' if v != 1 else ''}/s")
        self.timer.setInterval(int(1000 / v))
