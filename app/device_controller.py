"""The bridge between the window and the engine's device choice."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

import engine


class DeviceController(QObject):
    """Lists devices, switches the engine's current device and reports the outcome.

    ``deviceChanged`` carries the engine Device now in use; ``failed`` carries a
    sentence for a person when a switch did not happen. Nothing here draws.
    """

    deviceChanged = Signal(object)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        # The engine's startup note (e.g. PYOPENCL_CTX matched nothing) stays relevant
        # only until the person picks a device themselves.
        self._show_note = True

    def devices(self) -> list:
        """The devices to offer: the engine's list, plus the current one if it is not in it.

        A simulator chosen through PYOPENCL_CTX or --device is not in the default
        list, yet the menu must still show what is in use.
        """
        listed = list(engine.devices())
        current = engine.current_device()
        if all(d is not current for d in listed):
            listed.append(current)
        return listed

    def current(self):
        """The engine's current device (chosen automatically on first use)."""
        return engine.current_device()

    def choose(self, name: str):
        """Make the device called ``name`` current; return it, or None after emitting ``failed``."""
        try:
            device = engine.use_device(name)
        except Exception as exc:  # every failure becomes a sentence in the window
            self.failed.emit(_sentence(exc, name))
            return None
        self._show_note = False
        self.deviceChanged.emit(device)
        return device

    def refresh(self) -> None:
        """Announce the current device again (after something else changed it)."""
        self.deviceChanged.emit(engine.current_device())

    def warning(self) -> str:
        """A warning about the device in use worth keeping visible, or ''."""
        device = engine.current_device()
        real = [d for d in engine.devices(include_simulators=True) if d.kind in ("gpu", "cpu")]
        if device.kind == "numpy" and not real:
            note = engine.device_note()
            return note or "No OpenCL device was found: computing on the slower numpy reference."
        return engine.device_note() if self._show_note else ""


def _sentence(exc: Exception, name: str) -> str:
    text = str(exc).strip()
    if not text:
        text = f"Switching to {name!r} failed ({type(exc).__name__})."
    return text
