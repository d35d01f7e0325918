"""What the app remembers between runs (``QSettings``) and the light and dark themes.

``AppSettings`` gives typed access to the stored values: recent project files, the
window's geometry and dock/toolbar state, the last device, the last network preset and
the theme. Values read back are checked, so a damaged or hand-edited settings file
gives defaults, never an exception.

``apply_theme(name)`` sets an explicit palette on the application (Fusion style, so the
palette is honoured on every platform) and points pyqtgraph's colours at it: new plots
take the defaults from ``pg.setConfigOptions``, plots already on screen are recoloured.
"""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from ui.canvas_theme import use_theme as use_canvas_theme

ORGANIZATION = "Matrix Network Lab"
APPLICATION = "Matrix Network Lab"
MAX_RECENT = 8
THEMES = ("light", "dark")

#: (window, base, alternate base, text, button, highlight, plot background, plot foreground)
_COLOURS = {
    "light": ("#f3f3f3", "#ffffff", "#f7f7f7", "#1e1e1e", "#ececec", "#2f6db5", "#ffffff", "#333333"),
    "dark": ("#2b2b2b", "#1f1f1f", "#282828", "#e6e6e6", "#353535", "#4f8fd8", "#1b1b1b", "#d0d0d0"),
}


class AppSettings:
    """Typed access to the stored settings. ``settings``: a QSettings (tests pass one on a
    temporary file); by default the user's own, under ``ORGANIZATION`` / ``APPLICATION``."""

    def __init__(self, settings: QSettings | None = None):
        self.qsettings = settings if settings is not None else QSettings(ORGANIZATION, APPLICATION)

    # ------------------------------------------------------------ recent files
    def recent_files(self) -> list:
        """The recently opened or saved project files, newest first (at most ``MAX_RECENT``)."""
        value = self.qsettings.value("recentFiles", [])
        if isinstance(value, str):  # an INI file gives back a one-item list as its item
            value = [value]
        if not isinstance(value, (list, tuple)):
            return []
        return [str(v) for v in value if isinstance(v, str) and v][:MAX_RECENT]

    def add_recent(self, path) -> None:
        """Put ``path`` first in the recent files."""
        path = str(Path(path).resolve())
        files = [path] + [p for p in self.recent_files() if p != path]
        self.qsettings.setValue("recentFiles", files[:MAX_RECENT])

    def remove_recent(self, path) -> None:
        """Forget ``path`` (a recent file that has gone)."""
        path = str(Path(path).resolve())
        self.qsettings.setValue("recentFiles", [p for p in self.recent_files() if p != path])

    def clear_recent(self) -> None:
        """Forget every recent file."""
        self.qsettings.setValue("recentFiles", [])

    # ------------------------------------------------------------ window
    def save_window(self, window) -> None:
        """Remember the window's geometry, its docks and toolbars (by objectName) and its tab."""
        self.qsettings.setValue("window/geometry", window.saveGeometry())
        self.qsettings.setValue("window/state", window.saveState())
        tabs = getattr(window, "tabs", None)
        if tabs is not None:
            self.qsettings.setValue("window/tab", int(tabs.currentIndex()))

    def restore_window(self, window) -> bool:
        """Put back what ``save_window`` stored; False when nothing (usable) was stored."""
        geometry = self.qsettings.value("window/geometry")
        state = self.qsettings.value("window/state")
        ok = False
        if isinstance(geometry, (QByteArray, bytes)) and len(geometry):
            ok = bool(window.restoreGeometry(QByteArray(geometry)))
        if isinstance(state, (QByteArray, bytes)) and len(state):
            window.restoreState(QByteArray(state))
        tabs = getattr(window, "tabs", None)
        tab = _int(self.qsettings.value("window/tab"))
        if tabs is not None and tab is not None and 0 <= tab < tabs.count():
            tabs.setCurrentIndex(tab)
        return ok

    # ------------------------------------------------------------ choices
    def last_device(self) -> str | None:
        """The name of the device chosen last, or None."""
        return _text(self.qsettings.value("lastDevice"))

    def set_last_device(self, name: str) -> None:
        self.qsettings.setValue("lastDevice", str(name))

    def last_preset(self) -> str | None:
        """The network preset opened last, or None."""
        return _text(self.qsettings.value("lastPreset"))

    def set_last_preset(self, name: str) -> None:
        self.qsettings.setValue("lastPreset", str(name))

    def theme(self) -> str:
        """"light" (the default) or "dark"."""
        value = _text(self.qsettings.value("theme"))
        return value if value in THEMES else "light"

    def set_theme(self, name: str) -> None:
        if name not in THEMES:
            raise ValueError(f"There is no theme {name!r}: choose {' or '.join(THEMES)}.")
        self.qsettings.setValue("theme", name)

    def sync(self) -> None:
        """Write the settings to disk now."""
        self.qsettings.sync()


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# =============================================================== themes

def theme_palette(name: str) -> QPalette:
    """The explicit palette of theme ``name`` ("light" or "dark")."""
    window, base, alt, text, button, highlight, _, _ = _COLOURS[name if name in _COLOURS else "light"]
    p = QPalette()
    role = QPalette.ColorRole
    disabled = QColor(text)
    disabled.setAlpha(110)
    for r, c in ((role.Window, window), (role.WindowText, text), (role.Base, base), (role.AlternateBase, alt),
                 (role.Text, text), (role.Button, button), (role.ButtonText, text), (role.ToolTipBase, base),
                 (role.ToolTipText, text), (role.Highlight, highlight), (role.HighlightedText, "#ffffff"),
                 (role.PlaceholderText, disabled), (role.BrightText, "#ff5555"), (role.Link, highlight)):
        p.setColor(r, QColor(c))
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, r, disabled)
    return p


def plot_colours(name: str) -> tuple:
    """(background, foreground) for pyqtgraph plots in theme ``name``."""
    colours = _COLOURS[name if name in _COLOURS else "light"]
    return colours[6], colours[7]


def _theme_legend(legend, background: str, foreground: str) -> None:
    """A legend's text in the plot's foreground colour; a filled legend box (one drawn over
    the curves) in the plot's background, a little see-through."""
    from pyqtgraph import functions as fn

    legend.setLabelTextColor(foreground)
    if legend.opts.get("brush") is not None and legend.opts["brush"].style() != Qt.BrushStyle.NoBrush:
        fill = QColor(background)
        fill.setAlpha(215)
        legend.setBrush(fn.mkBrush(fill))
    for _sample, label in legend.items:
        label.setText(label.text)  # the colour takes effect when the text is set again


def apply_theme(name: str, app: QApplication | None = None, roots=()) -> None:
    """Use theme ``name``: the application palette, pyqtgraph's colours for new plots, and new
    colours for the plots already shown inside the widgets ``roots`` (e.g. the main window).

    Only the given roots are searched: walking every top-level widget of the application
    would also reach widgets Qt is in the middle of destroying.
    """
    import pyqtgraph as pg

    app = app or QApplication.instance()
    if app is None:
        return
    if name not in THEMES:
        raise ValueError(f"There is no theme {name!r}: choose {' or '.join(THEMES)}.")
    background, foreground = plot_colours(name)
    # the plots are drawn for the light theme to begin with
    previous = app.property("mnlabTheme") or "light"
    if app.property("mnlabTheme") != name:
        # restyling relays out every window: only when the theme really changes
        if app.style().name().lower() != "fusion":
            app.setStyle("Fusion")
        app.setPalette(theme_palette(name))
        pg.setConfigOptions(background=background, foreground=foreground)
    use_canvas_theme(name)  # the network canvas and the hand-painted panels
    for top in roots if previous != name or name != "light" else ():
        if top is None or not shiboken6.isValid(top):
            continue
        for widget in [top, *top.findChildren(QWidget)]:
            restyle = getattr(widget, "restyle", None)
            if callable(restyle):
                restyle()
            widget.update()
        views = top.findChildren(pg.GraphicsView)
        if isinstance(top, pg.GraphicsView):
            views.append(top)
        # style sheets resolve palette(...) colours when they are set: set them again
        for widget in top.findChildren(QWidget):
            sheet = widget.styleSheet()
            if "palette(" in sheet:
                widget.setStyleSheet(sheet)
        for view in views:
            view.setBackground(background)
            for item in view.scene().items():
                if isinstance(item, pg.AxisItem):
                    item.setPen(foreground)
                    item.setTextPen(foreground)
                elif isinstance(item, pg.LegendItem):
                    _theme_legend(item, background, foreground)
                elif isinstance(item, pg.PlotItem) and item.titleLabel.text:
                    item.setTitle(item.titleLabel.text, color=foreground, size=item.titleLabel.opts.get("size"))
    app.setProperty("mnlabTheme", name)
