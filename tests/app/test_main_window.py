"""The main window: menus, the device menu against the real engine, and --screenshot."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMessageBox

import engine
from app.main import main
from app.main_window import MainWindow
from ui.device_status import device_text

REPO = Path(__file__).resolve().parents[2]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def restore_device():
    """Put the engine's device back as it was, so tests do not leak a choice."""
    before = engine.current_device()
    yield
    engine.use_device(before)


@pytest.fixture
def window(qtbot, restore_device):
    win = MainWindow()
    qtbot.addWidget(win)
    return win


def _menu_titles(win):
    return [a.text().replace("&", "") for a in win.menuBar().actions()]


def _open_boxes(win):
    return [b for b in win.findChildren(QMessageBox) if b.isVisible()]


def test_window_has_title_and_menus(window):
    assert window.windowTitle() == "Matrix Network Lab"
    assert window.objectName() == "mainWindow"
    assert _menu_titles(window) == ["File", "Edit", "View", "Matrix", "Operations", "Device", "Help"]


def test_the_challenges_page_is_built_when_first_shown(window, qtbot):
    # it costs a few tenths of a second, which the window's start does not pay
    assert window._challenges is None
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == ["Network lab", "Matrix lab", "Challenges"]
    window.show()
    window.tabs.setCurrentWidget(window.challenges_page)
    panel = window._challenges
    assert panel is not None and panel.parent() is window.challenges_page
    qtbot.waitUntil(panel.isVisible, timeout=5000)
    panel.statusMessage.emit("from the challenges")
    assert window.statusBar().currentMessage() == "from the challenges"
    window.shutdown()


def test_quit_action_closes_the_window(window, qtbot):
    window.show()
    quit_action = window.findChild(QAction, "quitAction")
    assert quit_action.shortcut().toString() == "Ctrl+Q"
    quit_action.trigger()
    assert not window.isVisible()


def test_about_box_describes_the_lab(window, qtbot):
    box = window.show_about()
    assert box.isVisible()
    assert "neural networks" in box.text()
    box.close()


def test_device_menu_lists_every_engine_device(window):
    listed = [a.data() for a in window.device_group.actions()]
    assert [d.name for d in engine.devices()] == listed[: len(engine.devices())]
    assert window.device_group.isExclusive()
    checked = window.device_group.checkedAction()
    assert checked is not None and checked.data() == engine.current_device().name


def test_status_bar_shows_the_current_device(window):
    dev = engine.current_device()
    assert window.device_status.text() == device_text(dev.name, dev.kind, dev.fp64)
    label = window.findChild(QLabel, "deviceLabel")
    assert label.text().startswith(f"Device: {dev.name} (")


def test_choosing_each_device_switches_the_engine(window):
    for action in window.device_group.actions():
        action.trigger()
        dev = engine.current_device()
        assert dev.name == action.data()
        assert window.device_status.text() == device_text(dev.name, dev.kind, dev.fp64)
        assert window.device_group.checkedAction() is action


def test_engine_choice_made_elsewhere_shows_in_the_window(window):
    # The other direction: a device chosen through the controller (as a project file
    # or the CLI flag would) checks the menu entry and updates the label.
    for dev in engine.devices():
        chosen = window.device_controller.choose(dev.name)
        assert chosen is engine.current_device()
        assert window.device_group.checkedAction().data() == dev.name
        assert window.device_status.text() == device_text(dev.name, dev.kind, dev.fp64)


def test_failed_switch_shows_a_sentence_not_a_traceback(window, qtbot, monkeypatch):
    before = engine.current_device()

    def refuse(which):
        raise engine.DeviceError(f"{which} is busy: close the other program using it.")

    monkeypatch.setattr(engine, "use_device", refuse)
    window.device_group.actions()[-1].trigger()

    assert engine.current_device() is before
    assert "is busy: close the other program" in window.statusBar().currentMessage()
    assert "Traceback" not in window.statusBar().currentMessage()
    assert window.device_group.checkedAction().data() == before.name
    boxes = _open_boxes(window)
    assert len(boxes) == 1 and "is busy" in boxes[0].text()
    boxes[0].close()


def test_numpy_fallback_without_opencl_shows_a_warning(qtbot, monkeypatch):
    numpy_dev = [d for d in engine.devices() if d.kind == "numpy"][0]
    monkeypatch.setattr(engine, "devices", lambda include_simulators=None: [numpy_dev])
    monkeypatch.setattr(engine, "current_device", lambda: numpy_dev)
    monkeypatch.setattr(engine, "device_note", lambda: "No OpenCL platform was found.")
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    warning = win.findChild(QLabel, "deviceWarning")
    assert warning.isVisible()
    assert "No OpenCL platform was found." in warning.text()
    assert win.device_status.text() == "Device: numpy (numpy, fp64)"


def test_no_warning_on_a_real_device(window):
    window.show()
    if engine.current_device().kind in ("gpu", "cpu") and not engine.device_note():
        assert not window.findChild(QLabel, "deviceWarning").isVisible()


def test_screenshot_writes_a_png(tmp_path, qapp, restore_device):
    out = tmp_path / "x.png"
    assert main(["--screenshot", out]) == 0
    data = out.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 1000


def test_bad_device_flag_is_a_sentence(capsys, restore_device):
    assert main(["--device", "no-such-device-anywhere", "--screenshot", "unused.png"]) == 2
    err = capsys.readouterr().err
    assert "no-such-device-anywhere" in err and "Traceback" not in err


def test_main_py_screenshot_in_a_subprocess(tmp_path):
    out = tmp_path / "shell.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, str(REPO / "main.py"), "--screenshot", str(out)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().startswith(PNG_MAGIC)
