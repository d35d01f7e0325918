"""The status-bar widget naming the compute device, with room for a warning."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

_WARNING_CHARS = 90


def device_text(name: str, kind: str, fp64: bool) -> str:
    """``Device: <name> (<kind>, fp64|fp32 only)``: the label's wording, in one place."""
    return f"Device: {name} ({kind}, {'fp64' if fp64 else 'fp32 only'})"


class DeviceStatus(QWidget):
    """Shows the device in use and, when there is one, a warning about it.

    Takes plain values (name, kind, fp64, warning text); knows nothing of the engine.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("deviceStatus")
        self.warning_label = QLabel(self)
        self.warning_label.setObjectName("deviceWarning")
        # Amber on the status bar: noticeable without looking like a crash.
        self.warning_label.setStyleSheet(
            "QLabel#deviceWarning { color: #7a4b00; background: #fff3cd;"
            " border: 1px solid #e0c068; border-radius: 3px; padding: 1px 6px; }"
        )
        self.warning_label.setWordWrap(False)
        self.warning_label.hide()
        self.device_label = QLabel(self)
        self.device_label.setObjectName("deviceLabel")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.setSpacing(8)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.device_label)

    def set_device(self, name: str, kind: str, fp64: bool, platform: str = "") -> None:
        """Show the device in use; ``platform`` goes in the tooltip."""
        self.device_label.setText(device_text(name, kind, fp64))
        self.device_label.setToolTip(f"{name} on {platform}" if platform else name)

    def set_warning(self, text: str) -> None:
        """Show ``text`` as a warning, or hide the warning when it is empty."""
        # Engine notes can be several sentences; the status bar gets the start, the
        # tooltip the whole text.
        short = text if len(text) <= _WARNING_CHARS else text[: _WARNING_CHARS - 1].rstrip() + "…"
        self.warning_label.setText(f"⚠ {short}" if text else "")
        self.warning_label.setToolTip(text)
        self.warning_label.setVisible(bool(text))

    def text(self) -> str:
        """The device line as shown (for tests and accessibility)."""
        return self.device_label.text()

    def warning(self) -> str:
        """The warning as given to ``set_warning`` ('' when none is shown)."""
        return self.warning_label.toolTip() if self.warning_label.isVisibleTo(self) else ""
