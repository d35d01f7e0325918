"""The colours of the network canvas and the lab's hand-painted panels, per theme.

Items ask ``colour(role)`` when they paint, so a theme switch (``use_theme``, called by
``app.settings.apply_theme``) takes effect at the next repaint. Data colours (weights'
red and blue, the heatmaps' diverging map) are not here: they mean the same in both
themes.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

_ROLES = {
    # role: (light, dark)
    "background": ("#ffffff", "#1c2026"),
    "text": ("#2b3440", "#d5dbe3"),
    "muted": ("#56606c", "#9aa5b4"),
    "line": ("#b5bcc6", "#4a525c"),
    "accent": ("#1f5fa8", "#6ea8ff"),
    "error": ("#c0392b", "#e06c5f"),
    "node_fill": ("#f4f5f7", "#2a2f36"),
    "node_edge": ("#6b7480", "#8b95a3"),
    "header_fill": ("#f3f6fa", "#252b33"),
    "header_selected": ("#e3edf9", "#1f3552"),
    "header_error": ("#fde8e8", "#4a2626"),
    "button_fill": ("#f1f3f6", "#2a3038"),
    "button_hover": ("#dbe6f3", "#34465e"),
    "button_edge": ("#8a94a3", "#7d8794"),
    "block_edge": ("#7d8794", "#8b95a3"),
    "block_pool": ("#e7eefc", "#26314a"),
    "block_flatten": ("#eef3e6", "#2b3427"),
    "block_dropout": ("#f6ece3", "#3a2f26"),
    "block_other": ("#eeeeee", "#2c2c2c"),
    "rnn_fill": ("#f3eefa", "#2d2840"),
    "rnn_edge": ("#7b64a8", "#a08ad0"),
    "rnn_hover": ("#5b3f95", "#c2b0f0"),
    "rnn_text": ("#4b3a73", "#cbbdf0"),
    "grid": ("#dddddd", "#3a4048"),
    "frame": ("#999999", "#6b7480"),
    "plot_text": ("#333333", "#d0d0d0"),  # titles on the pyqtgraph plots
}

_theme = {"dark": False}


def use_theme(name: str) -> None:
    """Paint with theme ``name`` ("light" or "dark") from the next repaint on."""
    _theme["dark"] = name == "dark"


def is_dark() -> bool:
    return _theme["dark"]


def colour(role: str) -> QColor:
    """The colour of ``role`` (see ``_ROLES``) in the current theme."""
    light, dark = _ROLES[role]
    return QColor(dark if _theme["dark"] else light)
