"""Project files in the window: save -> open round trip, the modified marker, the close prompt,
autosave and recovery after a crash, recent files, imports and exports from the File menu.

Every wait is ``qtbot.waitUntil`` on GUI-thread state (the lab's latest snapshot, a dialog
on screen); the training worker's own signals are never waited on directly.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import engine
from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QMenu, QMessageBox

from app import project_controller as pc
from app.main_window import MainWindow
from app.project_controller import install
from engine.project import Project, load_project, save_project
from ui.canvas_theme import use_theme as use_canvas_theme

REPO = Path(__file__).resolve().parents[2]
SLOW = 60000


@pytest.fixture
def numpy_device():
    """The numpy reference device: no kernel builds, so these tests stay quick; put back afterwards."""
    before = engine.current_device()
    engine.use_device("numpy")
    yield
    engine.use_device(before)


@pytest.fixture
def keep_style(qapp):
    """The theme is process-wide: give the next tests the style and palette they had."""
    style, palette = qapp.style().name(), qapp.palette()
    yield
    qapp.setProperty("mnlabTheme", None)
    if qapp.style().name() != style:
        qapp.setStyle(style)
    qapp.setPalette(palette)
    use_canvas_theme("light")  # the canvas colours are process-wide too


@pytest.fixture
def make_window(qtbot, tmp_path, numpy_device, keep_style):
    made = []

    def factory(data_dir=None, settings_file=None, **kwargs):
        win = MainWindow()
        qtbot.addWidget(win)
        win.network_lab.confirm_rebuild = False
        settings = QSettings(str(settings_file or tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        controller = install(win, data_dir=data_dir or tmp_path / "autosave", settings=settings, **kwargs)
        made.append(win)
        return win, controller

    yield factory
    for win in made:
        win.project_controller._closing_ok = True
        for box in win.findChildren(QMessageBox):
            box.close()
        win.network_lab.shutdown()
        win.project_controller.shutdown()


def step_of(win):
    latest = win.network_lab.latest
    return latest["step"] if latest else -1


def train(qtbot, win, steps):
    lab = win.network_lab
    lab.play()
    qtbot.waitUntil(lambda: step_of(win) >= steps, timeout=SLOW)
    lab.pause()
    qtbot.waitUntil(lambda: lab.latest is not None and not lab.latest["running"], timeout=SLOW)


def visible_box(win, name):
    boxes = [b for b in win.findChildren(QMessageBox) if b.objectName() == name and b.isVisible()]
    return boxes[0] if boxes else None


def click(box, button):
    box.button(button).click()


# ------------------------------------------------------------------ round trip

def test_save_then_open_restores_matrices_network_weights_and_history(qtbot, make_window, tmp_path):
    a, ca = make_window()
    a.matrix_lab.add_matrix([[1.5, 2.0], [3.0, -4.25]], "M")
    a.matrix_lab.add_matrix(np.arange(6.0).reshape(3, 2), "X")
    a.network_lab.load_preset("XOR")
    train(qtbot, a, 40)
    path = tmp_path / "work.mnlab"
    assert ca.save_as(path)
    assert a.windowTitle() == "work.mnlab[*] — Matrix Network Lab" and not a.isWindowModified()
    before = a.network_lab.document_state()

    b, cb = make_window()
    assert cb.load(path)
    qtbot.waitUntil(lambda: step_of(b) == before["training"]["step"], timeout=SLOW)
    after = b.network_lab.document_state()
    assert b.matrix_lab.names() == ["M", "X"]
    np.testing.assert_array_equal(b.matrix_lab.matrix("M"), [[1.5, 2.0], [3.0, -4.25]])
    assert after["spec"] == before["spec"] and after["dataset"] == before["dataset"]
    assert after["training"] == before["training"] and after["preset"] == "XOR"
    for name, value in before["params"].items():
        np.testing.assert_array_equal(after["params"][name], value)
    assert after["optimizer"]["t"] == before["optimizer"]["t"]
    for p, buffers in before["optimizer"]["state"].items():
        for k, v in buffers.items():
            np.testing.assert_array_equal(after["optimizer"]["state"][p][k], v)
    for key, value in before["history"].items():
        np.testing.assert_array_equal(after["history"][key], value)
    assert b.network_lab.loss_plot.point_count() > 0
    assert not cb.is_modified() and cb.path == path
    # training goes on from the loaded weights
    train(qtbot, b, before["training"]["step"] + 5)
    qtbot.waitUntil(cb.is_modified, timeout=SLOW)


def test_a_bad_file_is_refused_with_a_sentence_and_the_work_stays(make_window, tmp_path):
    win, c = make_window()
    win.matrix_lab.add_matrix([[7.0]], "K")
    bad = tmp_path / "broken.mnlab"
    bad.write_bytes(b"PK\x03\x04 this is not a project")
    assert not c.load(bad)
    box = visible_box(win, "projectMessage")
    assert box is not None and "broken.mnlab cannot be opened" in box.text()
    assert "current work is unchanged" in box.text()
    assert win.matrix_lab.names() == ["K"] and c.is_modified()


def test_a_project_whose_data_file_is_gone_is_refused_and_the_lab_stays(make_window, tmp_path):
    win, c = make_window()
    csv = tmp_path / "points.csv"
    rng = np.random.default_rng(0)
    rows = np.column_stack([rng.normal(size=(40, 2)), (rng.random(40) > 0.5).astype(int)])
    csv.write_text("a,b,label\n" + "\n".join(",".join(str(v) for v in r) for r in rows))
    win.network_lab.load_user_file(str(csv))
    assert c.save_as(tmp_path / "user.mnlab")
    csv.unlink()
    win.network_lab.load_preset("XOR")
    spec_before = win.network_lab.spec
    assert not c.load(tmp_path / "user.mnlab")
    assert "points.csv" in c.last_error
    assert win.network_lab.spec == spec_before and win.network_lab.dataset_name == "xor"


# ------------------------------------------------------------------ modified marker

def test_the_modified_marker_follows_edits_saves_and_undo(make_window, tmp_path):
    win, c = make_window()
    assert not c.is_modified() and win.windowTitle().startswith("Untitled[*]")
    win.matrix_lab.add_matrix([[1.0]], "A")
    assert c.is_modified() and win.isWindowModified()
    assert c.save_as(tmp_path / "m")  # the suffix is added
    assert c.path == tmp_path / "m.mnlab" and not win.isWindowModified()
    win.matrix_lab.undo_stack.undo()
    assert c.is_modified()
    win.matrix_lab.undo_stack.redo()
    assert not c.is_modified()
    win.network_lab.controls.learningRateChanged.emit(0.05)
    assert c.is_modified()


def test_training_marks_the_project_modified(qtbot, make_window):
    win, c = make_window()
    qtbot.waitUntil(lambda: win.network_lab.latest is not None, timeout=SLOW)
    assert not c.is_modified()
    win.network_lab.step_once()
    qtbot.waitUntil(c.is_modified, timeout=SLOW)


# ------------------------------------------------------------------ closing

def test_closing_with_unsaved_work_asks_first(qtbot, make_window):
    win, c = make_window()
    win.show()
    win.matrix_lab.add_matrix([[1.0]], "A")
    assert not win.close()
    box = visible_box(win, "unsavedQuestion")
    assert box is not None and "not saved" in box.text()
    click(box, QMessageBox.StandardButton.Cancel)
    assert win.isVisible() and c.pending_question() is None
    win.close()
    click(visible_box(win, "unsavedQuestion"), QMessageBox.StandardButton.Discard)
    qtbot.waitUntil(lambda: not win.isVisible())


def test_close_then_save_writes_the_file_and_closes(qtbot, make_window, tmp_path, monkeypatch):
    win, c = make_window()
    win.show()
    win.matrix_lab.add_matrix([[2.0, 3.0]], "V")
    target = tmp_path / "kept.mnlab"
    monkeypatch.setattr(c, "ask_save_path", lambda *a: str(target))
    win.close()
    click(visible_box(win, "unsavedQuestion"), QMessageBox.StandardButton.Save)
    qtbot.waitUntil(lambda: not win.isVisible())
    np.testing.assert_array_equal(load_project(target).matrices["V"], [[2.0, 3.0]])


def test_closing_unmodified_work_closes_at_once(qtbot, make_window):
    win, c = make_window()
    win.show()
    assert win.close()
    assert c.pending_question() is None


def test_new_project_after_discarding_changes(qtbot, make_window):
    win, c = make_window()
    win.matrix_lab.add_matrix([[1.0]], "A")
    win.network_lab.load_preset("XOR")
    c.new_project()
    click(visible_box(win, "unsavedQuestion"), QMessageBox.StandardButton.Discard)
    assert win.matrix_lab.names() == [] and win.network_lab.preset.name == "Spiral (Playground)"
    assert not c.is_modified() and c.path is None


# ------------------------------------------------------------------ autosave and recovery

def test_autosave_writes_only_changed_work_and_a_clean_exit_removes_it(make_window, tmp_path):
    win, c = make_window()
    assert c.autosave_timer.interval() == 60_000 and c.autosave_timer.isActive()
    assert not c.autosave()  # nothing changed
    win.matrix_lab.add_matrix([[4.0]], "A")
    assert c.autosave() and c.autosave_path.exists()
    assert not c.autosave()  # nothing changed since
    assert load_project(c.autosave_path).matrices["A"][0, 0] == 4.0
    c._closing_ok = True
    win.close()
    assert not c.autosave_path.exists()


def test_recovery_is_offered_after_a_crash_and_restores_the_work(qtbot, make_window, tmp_path):
    data = tmp_path / "auto"
    a, ca = make_window(data_dir=data)
    a.matrix_lab.add_matrix([[1.0, 2.0], [3.0, 4.0]], "Lost")
    assert ca.save_as(tmp_path / "named.mnlab")
    a.matrix_lab.add_matrix([[9.0]], "Later")
    assert ca.autosave()
    # a crash: the process is gone without a clean exit, so its lock no longer holds
    ca._lock.unlock()
    ca._lock = None
    ca._recovery_pending = True  # keeps a's teardown from deleting the autosave

    b, cb = make_window(data_dir=data)
    assert cb.autosave_path == ca.autosave_path and cb.has_recovery()
    qtbot.waitUntil(lambda: visible_box(b, "recoveryQuestion") is not None)
    click(visible_box(b, "recoveryQuestion"), QMessageBox.StandardButton.Yes)
    assert b.matrix_lab.names() == ["Lost", "Later"]
    assert cb.is_modified() and cb.path == tmp_path / "named.mnlab"


def test_recovery_after_a_killed_process(qtbot, make_window, tmp_path):
    data = tmp_path / "auto"
    data.mkdir()
    script = textwrap.dedent(f"""
        import os, sys, numpy as np
        sys.path.insert(0, {str(REPO)!r})
        from PySide6.QtCore import QLockFile
        from engine.project import Project, save_project
        lock = QLockFile({str(data / "session-0.lock")!r})
        lock.setStaleLockTime(0)
        assert lock.tryLock(0)
        save_project({str(data / "autosave-0.mnlab")!r}, Project(matrices={{"Crashed": np.eye(3)}}))
        print("ready", flush=True)
        os.kill(os.getpid(), 9)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert "ready" in proc.stdout and proc.returncode != 0, proc.stderr
    assert (data / "session-0.lock").exists()  # the dead process's lock is left behind
    win, c = make_window(data_dir=data)
    qtbot.waitUntil(lambda: visible_box(win, "recoveryQuestion") is not None)
    click(visible_box(win, "recoveryQuestion"), QMessageBox.StandardButton.Yes)
    assert win.matrix_lab.names() == ["Crashed"]


def test_discarding_recovery_deletes_the_autosave(qtbot, make_window, tmp_path):
    data = tmp_path / "auto"
    data.mkdir()
    save_project(data / "autosave-0.mnlab", Project(matrices={"Old": np.eye(2)}))
    win, c = make_window(data_dir=data)
    qtbot.waitUntil(lambda: visible_box(win, "recoveryQuestion") is not None)
    click(visible_box(win, "recoveryQuestion"), QMessageBox.StandardButton.Discard)
    assert not (data / "autosave-0.mnlab").exists() and win.matrix_lab.names() == []


def test_a_second_running_app_takes_its_own_slot(make_window, tmp_path):
    _, a = make_window(data_dir=tmp_path / "auto")
    _, b = make_window(data_dir=tmp_path / "auto")
    assert a.autosave_path != b.autosave_path and not b.has_recovery()


# ------------------------------------------------------------------ recent files, imports, exports

def test_recent_files_list_saved_projects_newest_first(make_window, tmp_path):
    win, c = make_window()
    for name in ("one", "two"):
        assert c.save_as(tmp_path / f"{name}.mnlab")
    assert [Path(p).name for p in c.settings.recent_files()[:2]] == ["two.mnlab", "one.mnlab"]
    c._fill_recent()
    assert [a.text() for a in c.recent_menu.actions()][:2] == ["two.mnlab", "one.mnlab"]
    file_menu = win.findChild(QMenu, "fileMenu")
    titles = [a.text() for a in file_menu.actions()]
    assert titles.index("&New Project") < titles.index("&Save Project") < titles.index("&Quit")


def test_images_import_as_grayscale_or_channel_matrices(make_window, tmp_path):
    win, c = make_window()
    img = QImage(4, 3, QImage.Format.Format_RGB32)
    img.fill(QColor(255, 0, 0))
    img.setPixelColor(0, 0, QColor(0, 0, 255))
    path = tmp_path / "tiny pic.png"
    assert img.save(str(path))
    assert c.import_image(path, "gray") == ["tiny_pic"]
    gray = win.matrix_lab.matrix("tiny_pic")
    assert gray.shape == (3, 4)
    assert gray[1, 1] == pytest.approx(0.299) and gray[0, 0] == pytest.approx(0.114)
    names = c.import_image(path, "rgb")
    assert names == ["tiny_pic_R", "tiny_pic_G", "tiny_pic_B"]
    assert win.matrix_lab.matrix("tiny_pic_R")[1, 1] == 1.0 and win.matrix_lab.matrix("tiny_pic_B")[0, 0] == 1.0
    assert c.import_image(path, "gray") == ["tiny_pic2"]  # the name is taken: the next free one
    win.matrix_lab.undo_stack.undo()
    win.matrix_lab.undo_stack.undo()  # the three channels went in as one step
    assert win.matrix_lab.names() == ["tiny_pic"]
    (tmp_path / "fake.png").write_text("not an image")
    assert c.import_image(tmp_path / "fake.png") == []
    assert "fake.png could not be read as an image" in c.last_error


def test_exports_from_the_file_menu(qtbot, make_window, tmp_path, monkeypatch):
    win, c = make_window()
    win.resize(1400, 900)
    win.show()
    win.network_lab.load_preset("XOR")
    train(qtbot, win, 20)
    py, npz = c.export_network("pytorch", tmp_path / "xor_net.py")
    assert py.exists() and npz.exists()
    csv = c.export_history(tmp_path / "loss.csv")
    assert csv.read_text().startswith("step,train_loss,test_loss,accuracy\n")
    png = c.export_plot("Loss curve", tmp_path / "loss.png")
    svg = c.export_plot("Output", tmp_path / "output.svg")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and b"<svg" in svg.read_bytes()
    assert c.export_trace(tmp_path / "t.json") is None and "Step through" in c.last_error
    win.matrix_lab.add_matrix([[1.0, 2.0]], "R")
    tex = c.export_matrix(tmp_path / "r.tex")
    assert "\\begin{bmatrix}" in tex.read_text()
    monkeypatch.setattr(pc, "onnx_available", lambda: False)
    assert c.export_network("onnx", tmp_path / "x.onnx") is None
    assert "pip install onnx" in c.last_error and not (tmp_path / "x.onnx").exists()


def test_the_trace_exports_once_stepped_through(qtbot, make_window, tmp_path):
    win, c = make_window()
    lab = win.network_lab
    lab.load_preset("XOR")
    qtbot.waitUntil(lambda: lab.latest is not None, timeout=SLOW)
    lab.step_inspector.open()
    qtbot.waitUntil(lambda: len(lab.step_inspector.history()) > 3 and not lab.step_inspector.busy(), timeout=SLOW)
    json_path, npz_path = c.export_trace(tmp_path / "trace.json")
    assert json_path.exists() and npz_path.exists()
    lab.step_inspector.close()


def test_install_restores_the_last_preset_and_the_theme_menu_remembers(qtbot, make_window, tmp_path, qapp):
    ini = tmp_path / "remembered.ini"
    stored = QSettings(str(ini), QSettings.Format.IniFormat)
    stored.setValue("lastPreset", "XOR")
    stored.sync()
    win, c = make_window(settings_file=ini)
    assert win.network_lab.preset.name == "XOR" and not c.is_modified()
    c.theme_actions["dark"].trigger()
    assert c.settings.theme() == "dark" and qapp.property("mnlabTheme") == "dark"
    win.network_lab.preset_box.activated.emit(0)
    assert c.settings.last_preset() == win.network_lab.preset_box.itemText(0)
