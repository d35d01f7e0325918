"""Settings remembered between runs (QSettings on a temporary file) and the light and dark themes."""

import pytest
import pyqtgraph as pg
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QMainWindow, QTabWidget, QWidget

from app.settings import MAX_RECENT, AppSettings, apply_theme, plot_colours, theme_palette
from ui.canvas_theme import use_theme as use_canvas_theme


@pytest.fixture
def settings(tmp_path):
    return AppSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def keep_style(qapp):
    style, palette = qapp.style().name(), qapp.palette()
    options = dict(pg.CONFIG_OPTIONS)
    yield
    qapp.setProperty("mnlabTheme", None)
    qapp.setStyle(style)
    qapp.setPalette(palette)
    pg.setConfigOptions(background=options["background"], foreground=options["foreground"])
    use_canvas_theme("light")  # the canvas colours are process-wide too


def test_recent_files_newest_first_without_duplicates(settings, tmp_path):
    for i in range(MAX_RECENT + 3):
        settings.add_recent(tmp_path / f"p{i}.mnlab")
    settings.add_recent(tmp_path / "p5.mnlab")
    files = settings.recent_files()
    assert len(files) == MAX_RECENT and files[0].endswith("p5.mnlab") and files.count(files[0]) == 1
    settings.remove_recent(tmp_path / "p5.mnlab")
    assert not any(f.endswith("p5.mnlab") for f in settings.recent_files())
    settings.clear_recent()
    assert settings.recent_files() == []


def test_values_survive_a_new_settings_object(settings, tmp_path):
    settings.set_last_device("numpy")
    settings.set_last_preset("XOR")
    settings.set_theme("dark")
    settings.add_recent(tmp_path / "only.mnlab")
    settings.sync()
    again = AppSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    assert (again.last_device(), again.last_preset(), again.theme()) == ("numpy", "XOR", "dark")
    assert again.recent_files() == [str((tmp_path / "only.mnlab").resolve())]


def test_damaged_values_give_defaults(settings):
    q = settings.qsettings
    q.setValue("theme", "purple")
    q.setValue("recentFiles", 42)
    q.setValue("window/tab", "x")
    assert settings.theme() == "light" and settings.recent_files() == []
    with pytest.raises(ValueError, match="light or dark"):
        settings.set_theme("purple")


def test_window_geometry_and_tab_are_restored(qtbot, settings):
    win = QMainWindow()
    qtbot.addWidget(win)
    win.tabs = QTabWidget()
    win.tabs.addTab(QWidget(), "a")
    win.tabs.addTab(QWidget(), "b")
    win.setCentralWidget(win.tabs)
    win.resize(640, 410)
    win.tabs.setCurrentIndex(1)
    settings.save_window(win)
    other = QMainWindow()
    qtbot.addWidget(other)
    other.tabs = QTabWidget()
    other.tabs.addTab(QWidget(), "a")
    other.tabs.addTab(QWidget(), "b")
    other.setCentralWidget(other.tabs)
    assert settings.restore_window(other)
    assert (other.width(), other.height()) == (640, 410) and other.tabs.currentIndex() == 1


def test_the_dark_theme_sets_an_explicit_palette_and_plot_colours(qtbot, qapp, keep_style):
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    apply_theme("dark", roots=[plot])
    window = qapp.palette().color(QPalette.ColorRole.Window)
    assert window.lightness() < 80 and qapp.style().name().lower() == "fusion"
    background, foreground = plot_colours("dark")
    assert plot.backgroundBrush().color().name() == background
    assert pg.getConfigOption("foreground") == foreground
    apply_theme("light", roots=[plot])
    assert qapp.palette().color(QPalette.ColorRole.Window).lightness() > 200
    assert theme_palette("light").color(QPalette.ColorRole.Text).lightness() < 60


def test_legends_follow_the_theme(qtbot, qapp, keep_style):
    # a legend without a box (the loss plot's) must not keep dark text on a dark plot
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    bare = plot.getPlotItem().addLegend(labelTextColor="#333")
    plot.plot([0, 1], [1, 0], name="train")
    boxed = pg.LegendItem(brush=(255, 255, 255, 215), labelTextColor="#333")
    plot.scene().addItem(boxed)
    boxed.addItem(plot.getPlotItem().listDataItems()[0], "test")
    apply_theme("dark", roots=[plot])
    background, foreground = plot_colours("dark")
    for legend in (bare, boxed):
        assert legend.opts["labelTextColor"].name() == foreground
        for _sample, label in legend.items:
            assert foreground in label.item.toHtml()  # the text was set again in the new colour
    assert boxed.opts["brush"].color().name() == background
    assert bare.opts["brush"] is None or bare.opts["brush"].style() == Qt.BrushStyle.NoBrush
    apply_theme("light", roots=[plot])
    assert bare.opts["labelTextColor"].name() == plot_colours("light")[1]


def test_the_dark_theme_reaches_the_canvas_and_the_painted_panels(qtbot, qapp, keep_style):
    import engine
    import numpy as np
    from ui.network_canvas import NetworkCanvas
    from ui.plots_confusion import ConfusionMatrixPlot

    holder = QWidget()
    qtbot.addWidget(holder)
    canvas = NetworkCanvas(holder)
    canvas.resize(600, 400)
    canvas.set_spec(engine.NetworkSpec.from_dict(
        {"input": [2], "layers": [{"type": "dense", "units": 3, "activation": "tanh"},
                                  {"type": "dense", "units": 1, "activation": "sigmoid"}], "loss": "bce"}))
    confusion = ConfusionMatrixPlot(holder)
    confusion.resize(300, 300)
    confusion.set_matrix(np.array([[5, 1], [0, 6]]))

    def corner_lightness(widget):
        return widget.grab().toImage().pixelColor(2, 2).lightness()

    board = canvas.view  # the canvas's drawing board (the layer palette sits above it)
    assert corner_lightness(board) > 200 and corner_lightness(confusion) > 200
    apply_theme("dark", roots=[holder])
    assert canvas.scene.backgroundBrush().color().lightness() < 60
    assert corner_lightness(board) < 60 and corner_lightness(confusion) < 60
    apply_theme("light", roots=[holder])
    assert corner_lightness(board) > 200

