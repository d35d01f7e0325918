"""Pieces every challenge tab shares: the message line under it, a combo box refilled
quietly, the label/value statistics table, the plot styling and the tab's layout."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QComboBox, QLabel, QLayout, QVBoxLayout, QWidget


class ChallengeMessage(QLabel):
    """The sentence under a challenge tab: dark grey, red for errors."""

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setWordWrap(True)

    def set_message(self, text: str, error: bool = False) -> None:
        """Show ``text`` (red when ``error``)."""
        self.setText(text)
        self.setStyleSheet("color: #b00020;" if error else "color: palette(window-text);")


def fill_combo(box: QComboBox, names, current: str | None = None) -> None:
    """Replace the items of ``box`` by ``names`` and choose ``current`` if listed, without emitting."""
    names = list(names)
    with QSignalBlocker(box):
        box.clear()
        box.addItems(names)
        if current is not None and current in names:
            box.setCurrentText(current)


def stats_table(rows) -> str:
    """Rich text: a table of (label, value) rows, labels grey and values bold."""
    return "<table cellspacing='3'>" + "".join(
        f"<tr><td style='color: #6b7280'>{k}</td><td><b>{v}</b></td></tr>" for k, v in rows) + "</table>"


def style_plot(item, axes=("left", "bottom"), still: bool = False) -> None:
    """A pyqtgraph PlotItem on the challenges' look: no buttons or menu, grey axes,
    plain numbers (no SI prefix); ``still`` also turns off mouse pan and zoom."""
    item.hideButtons()
    item.setMenuEnabled(False)
    if still:
        item.setMouseEnabled(False, False)
    for axis in axes:
        item.getAxis(axis).setPen("#888")
        item.getAxis(axis).setTextPen("#333")
        item.getAxis(axis).enableAutoSIPrefix(False)


def tab_layout(owner: QWidget, controls: QLayout, body: QWidget, message: QLabel) -> QVBoxLayout:
    """The controls row on top, ``body`` taking the room, the message under it."""
    layout = QVBoxLayout(owner)
    layout.addLayout(controls)
    layout.addWidget(body, 1)
    layout.addWidget(message)
    return layout
