"""The project controller: File menu, the modified marker, the close prompt, autosave and recovery.

``install(window)`` gives a ``MainWindow`` its project handling and returns the
``ProjectController``; the window's code needs no change beyond that one call:

* File: New, Open…, Open Recent, Save, Save As…, Import (images as matrices, CSV/NPY
  matrices and data sets) and Export (network to PyTorch or ONNX, loss history to
  CSV, step-through trace to JSON + NPZ, plots to PNG/SVG, the current matrix to
  CSV/NPY/LaTeX), inserted above Quit; View gets Theme (light, dark).
* The title shows the file's name and Qt's modified marker (``[*]``). A project is
  modified when the matrix lab's undo stack leaves its clean state, when a network
  setting or weight is edited, or when training takes more steps.
* Closing the window (or New, or Open) with unsaved work asks Save / Discard / Cancel
  first (window-modal, without a nested event loop).
* Every minute the session is autosaved (only when something changed) to the user's
  data folder (``QStandardPaths.AppDataLocation``). Each running app holds a lock
  (``QLockFile``) on its own autosave slot; a clean exit deletes the autosave. At the
  next start, an autosave left in a slot whose lock's owner is gone means the app did
  not exit cleanly, and the controller offers to restore it.
* Settings (``app.settings``): window geometry and docks, the last device, the last
  preset, the theme and the recent files are remembered.

The controller reads the labs' documents through ``document_state()`` and writes them
back with ``restore_document_state()``; the file format is ``engine.project``'s.
"""

from __future__ import annotations

import time
from pathlib import Path

import shiboken6

from PySide6.QtCore import QEvent, QLockFile, QObject, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from app.settings import THEMES, AppSettings, apply_theme
from engine.export import ONNX_MISSING, ExportError, onnx_available
from engine.project import SUFFIX, Project, ProjectError, load_project, save_project

AUTOSAVE_MS = 60_000
POLL_MS = 1_000
MAX_SLOTS = 16
#: imported images are shrunk so no side is longer (the editor stays quick)
IMAGE_MAX_SIDE = 256
APP_TITLE = "Matrix Network Lab"
PROJECT_FILTER = f"Matrix Network Lab projects (*{SUFFIX});;All files (*)"


def default_data_dir() -> Path:
    """The user's data folder for this app (autosaves live in its ``autosave`` folder)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".matrix-network-lab") / "autosave"


def install(window, data_dir=None, settings=None, restore_settings: bool = True,
            offer_recovery: bool = True) -> "ProjectController":
    """Give ``window`` (a MainWindow) project files, autosave, recovery, exports and settings.

    ``restore_settings``: put back the window geometry, theme, last device and last preset
    (pass False when command-line flags chose the device or a demo). ``offer_recovery``:
    ask, once the event loop runs, whether to restore work a crash left behind.
    """
    controller = ProjectController(window, data_dir=data_dir, settings=settings)
    window.project_controller = controller
    if restore_settings:
        controller.restore_settings()
    else:
        apply_theme(controller.settings.theme(), roots=[window])
    if offer_recovery and controller.has_recovery():
        QTimer.singleShot(0, controller, controller.offer_recovery)
    return controller


class ProjectController(QObject):
    """File handling for one MainWindow; see the module docstring.

    Signals: ``modifiedChanged(bool)``, ``pathChanged(str)`` ("" for an untitled project),
    ``message(str)`` (a line for the status bar).
    """

    modifiedChanged = Signal(bool)
    pathChanged = Signal(str)
    message = Signal(str)

    def __init__(self, window, data_dir=None, settings=None, autosave_ms: int = AUTOSAVE_MS):
        super().__init__(window)
        self.window = window
        self.matrix_lab = window.matrix_lab
        self.network_lab = window.network_lab
        self.settings = settings if isinstance(settings, AppSettings) else AppSettings(settings)
        self.path: Path | None = None
        self._modified = False
        self._network_dirty = False
        self._clean_step = 0
        self._seen_step = 0
        self._loading = False
        self._closing_ok = False
        self._pending: QMessageBox | None = None
        self._revision = 0
        self._autosaved_revision = 0
        self._recovery_pending = False
        self._lock: QLockFile | None = None
        self._shut = False
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.autosave_path: Path | None = None
        self._recovery_found = False
        self._claim_slot()

        self._build_actions()
        self._connect()
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setObjectName("autosaveTimer")
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start(int(autosave_ms))
        self.poll_timer = QTimer(self)
        self.poll_timer.timeout.connect(self._poll)
        self.poll_timer.start(POLL_MS)
        window.installEventFilter(self)
        self._clean_step = self._current_step()
        self._update_title()

    # ------------------------------------------------------------------ state

    def is_modified(self) -> bool:
        """True when the session holds work not saved to ``path``."""
        return self._network_dirty or not self.matrix_lab.undo_stack.isClean()

    def title(self) -> str:
        """The window title: "<file name>[*] — Matrix Network Lab" (Qt shows [*] as the modified marker)."""
        name = self.path.name if self.path is not None else "Untitled"
        return f"{name}[*] — {APP_TITLE}"

    def capture(self) -> Project:
        """The whole session as a Project (reads the weights from the training thread)."""
        matrices = self.matrix_lab.document_state()
        network = self.network_lab.document_state()
        view = {"tab": int(self.window.tabs.currentIndex()), "current_matrix": matrices.get("current")}
        return Project(matrices=matrices["matrices"], network=network, view=view)

    def apply(self, project: Project) -> None:
        """Show ``project`` in the labs. ValueError with a sentence (the labs as they were) when its
        data cannot be loaded here, e.g. a data file that has moved."""
        self._loading = True
        try:
            if project.network is not None:
                self.network_lab.restore_document_state(project.network)
            else:
                self.network_lab.load_preset(self._start_preset())
            view = project.view or {}
            self.matrix_lab.restore_document_state({"matrices": project.matrices,
                                                    "current": view.get("current_matrix")})
            tab = view.get("tab")
            if isinstance(tab, int) and 0 <= tab < self.window.tabs.count():
                self.window.tabs.setCurrentIndex(tab)
        finally:
            self._loading = False

    # ------------------------------------------------------------------ File actions

    def new_project(self) -> None:
        """Start an untitled project (after asking about unsaved work)."""
        self._after_confirm("starting a new project", self._do_new)

    def _do_new(self) -> bool:
        self._loading = True
        try:
            self.matrix_lab.restore_document_state({"matrices": {}})
            self.network_lab.load_preset(self._start_preset())
        finally:
            self._loading = False
        self._set_path(None)
        self._mark_clean(self._current_step(fresh=True))
        self.message.emit("New project.")
        return True

    def open_project(self, path=None) -> None:
        """Open ``path`` (or ask for one), after asking about unsaved work."""
        if path is None:
            path = self.ask_open_path("Open a project", PROJECT_FILTER)
            if not path:
                return
        self._after_confirm("opening another project", lambda: self.load(path))

    def load(self, path) -> bool:
        """Open the project file ``path`` now (no question asked); False, with the reason shown, if it cannot."""
        path = Path(path)
        try:
            project = load_project(path)
        except ProjectError as exc:
            if not path.exists():
                self.settings.remove_recent(path)
            self.show_error("Project not opened", str(exc) + " The current work is unchanged.")
            return False
        try:
            self.apply(project)
        except ValueError as exc:
            self.show_error("Project not opened", f"{path.name} cannot be shown: {exc} The current work is unchanged.")
            return False
        self._set_path(path)
        self.settings.add_recent(path)
        self._mark_clean(self._project_step(project))
        self.message.emit(f"Opened {path.name}.")
        return True

    def save(self) -> bool:
        """Save to the current file (asking for a name if there is none); True when saved."""
        if self.path is None:
            return self.save_as()
        return self._write(self.path)

    def save_as(self, path=None) -> bool:
        """Save under ``path`` (or a name asked for); True when saved."""
        if path is None:
            suggested = str(self.path or Path.home() / f"untitled{SUFFIX}")
            path = self.ask_save_path("Save the project", suggested, PROJECT_FILTER)
            if not path:
                return False
        path = Path(path)
        if not path.suffix:
            path = path.with_suffix(SUFFIX)
        return self._write(path)

    def _write(self, path: Path) -> bool:
        try:
            project = self.capture()
            save_project(path, project)
        except (ProjectError, RuntimeError, ValueError) as exc:
            self.show_error("Project not saved", str(exc))
            return False
        self._set_path(path)
        self.settings.add_recent(path)
        self._mark_clean(self._project_step(project))
        self.message.emit(f"Saved {path.name}.")
        return True

    # ------------------------------------------------------------------ autosave and recovery

    def _claim_slot(self) -> None:
        """Lock the first free autosave slot; an autosave found in it was left by a crash."""
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError:
            return  # no autosave where nothing can be written; the app works without it
        for i in range(MAX_SLOTS):
            lock = QLockFile(str(self.data_dir / f"session-{i}.lock"))
            # 0: a lock is stale only when its process is gone, however long a session runs
            lock.setStaleLockTime(0)
            if lock.tryLock(0):
                self._lock = lock
                self.autosave_path = self.data_dir / f"autosave-{i}{SUFFIX}"
                self._recovery_found = self.autosave_path.exists()
                return

    def has_recovery(self) -> bool:
        """True when the last session in this slot ended without a clean exit and left an autosave."""
        return self._recovery_found and self.autosave_path is not None and self.autosave_path.exists()

    def autosave(self) -> bool:
        """Write the session to the autosave file if it changed since the last autosave; True when written."""
        if self.autosave_path is None or self._recovery_pending or self._loading:
            return False
        self._poll()
        if not self.is_modified() or self._revision == self._autosaved_revision:
            return False
        try:
            project = self.capture()
            project.view["autosave_of"] = str(self.path) if self.path else None
            save_project(self.autosave_path, project)
        except (ProjectError, RuntimeError, ValueError) as exc:
            self.message.emit(f"Autosave failed: {exc}")
            return False
        self._autosaved_revision = self._revision
        return True

    def offer_recovery(self) -> QMessageBox | None:
        """Ask whether to restore the autosave a crash left (window-modal); returns the question, or None."""
        if not self.has_recovery() or self._pending is not None:
            return None
        self._recovery_pending = True
        stamp = time.strftime("%d %b %Y at %H:%M", time.localtime(self.autosave_path.stat().st_mtime))
        box = QMessageBox(QMessageBox.Icon.Question, "Restore unsaved work?",
                          f"{APP_TITLE} did not close properly last time. Its work was autosaved on {stamp}.\n\n"
                          "Restore it? Discard deletes the autosave.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Discard, self.window)
        box.setObjectName("recoveryQuestion")
        box.button(QMessageBox.StandardButton.Yes).setText("Restore")
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        self._open_box(box, lambda button: self.recover() if button == QMessageBox.StandardButton.Yes
                       else self.discard_recovery())
        return box

    def recover(self) -> bool:
        """Restore the autosave now: its work comes back, marked modified, under its file's name if it had one."""
        self._recovery_pending = False
        self._recovery_found = False
        try:
            project = load_project(self.autosave_path)
            origin = (project.view or {}).pop("autosave_of", None)
            self.apply(project)
        except (ProjectError, ValueError) as exc:
            self.show_error("Work not restored", f"The autosave could not be restored: {exc}")
            return False
        self._set_path(Path(origin) if origin else None)
        self._network_dirty = True
        self._revision += 1
        self._seen_step = self._clean_step = self._project_step(project)
        self._update_title()
        self.message.emit("Restored the autosaved work: save it to keep it.")
        return True

    def discard_recovery(self) -> None:
        """Delete the autosave a crash left."""
        self._recovery_pending = False
        self._recovery_found = False
        self._remove_autosave()

    def _remove_autosave(self) -> None:
        if self.autosave_path is not None:
            try:
                self.autosave_path.unlink()
            except OSError:
                pass

    def shutdown(self) -> None:
        """A clean exit: remember the window, delete the autosave, let go of the slot."""
        if self._shut:
            return
        self._shut = True
        self.autosave_timer.stop()
        self.poll_timer.stop()
        try:
            self.settings.save_window(self.window)
            self.settings.sync()
        except Exception:  # settings must never keep the window from closing
            pass
        if not self._recovery_pending:
            self._remove_autosave()
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    # ------------------------------------------------------------------ closing

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        """Hold a close with unsaved work until the person has answered Save / Discard / Cancel."""
        if obj is self.window and event.type() == QEvent.Type.Close:
            if self._closing_ok or not self.is_modified():
                self.shutdown()
                return False
            event.ignore()
            self._after_confirm("closing", self._close_now)
            return True
        return super().eventFilter(obj, event)

    def _close_now(self) -> bool:
        self._closing_ok = True
        self.window.close()
        return True

    def _after_confirm(self, doing: str, then) -> None:
        """Run ``then`` now when nothing is unsaved; otherwise after Save (and a successful save) or Discard."""
        if not self.is_modified():
            then()
            return
        if self._pending is not None:
            self._pending.raise_()
            return
        name = self.path.name if self.path else "The untitled project"
        box = QMessageBox(QMessageBox.Icon.Warning, "Save changes?",
                          f"{name} has changes that are not saved. Save them before {doing}?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self.window)
        box.setObjectName("unsavedQuestion")
        box.setDefaultButton(QMessageBox.StandardButton.Save)

        def answered(button):
            if button == QMessageBox.StandardButton.Save:
                if self.save():
                    then()
            elif button == QMessageBox.StandardButton.Discard:
                self._network_dirty = False  # the person chose to let it go
                then()

        self._open_box(box, answered)

    def _open_box(self, box: QMessageBox, on_answer) -> None:
        self._pending = box
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def finished(_result):
            self._pending = None
            clicked = box.clickedButton()
            # Esc or the window's close button count as the escape button (Cancel)
            on_answer(box.standardButton(clicked) if clicked is not None else QMessageBox.StandardButton.Cancel)

        box.finished.connect(finished)
        box.open()  # window-modal without a nested event loop

    def pending_question(self) -> QMessageBox | None:
        """The question on screen (unsaved work or recovery), or None."""
        return self._pending

    # ------------------------------------------------------------------ modified tracking

    def _connect(self) -> None:
        self.matrix_lab.undo_stack.cleanChanged.connect(lambda _clean: self._changed(network=False))
        self.matrix_lab.undo_stack.indexChanged.connect(lambda _i: self._changed(network=False))
        lab = self.network_lab
        edits = [(lab.preset_box, "activated"), (lab.canvas, "specEdited"), (lab.canvas, "weightEdited")]
        edits += [(lab.controls, name) for name in ("resetRequested", "optimizerChanged", "learningRateChanged",
                                                     "batchSizeChanged", "lossChanged", "regularizationChanged",
                                                     "regularizationRateChanged", "initChanged")]
        edits += [(lab.data_panel, name) for name in ("datasetChosen", "noiseChanged", "testRatioChanged",
                                                       "regenerateRequested", "featuresChanged", "userFileChosen")]
        for widget, name in edits:
            signal = getattr(widget, name, None)
            if signal is not None:
                signal.connect(lambda *_: self._changed(network=True))
        # the preset the lab opened (choosing its "(edited)" entry opens nothing)
        lab.preset_box.activated.connect(
            lambda _i: self.settings.set_last_preset(lab.preset.name) if lab.preset is not None else None)
        devices = getattr(self.window, "device_controller", None)
        if devices is not None:
            devices.deviceChanged.connect(lambda device: self.settings.set_last_device(device.name))

    def _alive(self) -> bool:
        # the labs' signals can still arrive while the window is being destroyed
        return not self._shut and shiboken6.isValid(self.window) and shiboken6.isValid(self.matrix_lab.undo_stack)

    def _changed(self, network: bool) -> None:
        if self._loading or not self._alive():
            return
        if network:
            self._network_dirty = True
        self._revision += 1
        self._update_title()

    def _current_step(self, fresh: bool = False) -> int:
        latest = None if fresh else self.network_lab.latest
        if latest is not None:
            return int(latest.get("step", 0))
        builder = self.network_lab.builder
        return 0 if fresh or builder is None else int(builder.step)

    def _poll(self) -> None:
        """Training changes the weights without any edit signal: watch the step count."""
        if not self._alive():
            return
        latest = self.network_lab.latest
        if latest is None or self._loading:
            return
        step = int(latest.get("step", 0))
        if step != self._seen_step:
            self._seen_step = step
            self._revision += 1
        if step > self._clean_step and not self._network_dirty:
            self._network_dirty = True
            self._update_title()

    def _mark_clean(self, step: int) -> None:
        self._network_dirty = False
        self._clean_step = self._seen_step = int(step)
        self.matrix_lab.undo_stack.setClean()
        self._autosaved_revision = self._revision
        self._update_title()

    @staticmethod
    def _project_step(project: Project) -> int:
        return int(project.network["training"].get("step", 0)) if project.network else 0

    def _set_path(self, path) -> None:
        self.path = Path(path) if path else None
        self.window.setWindowFilePath(str(self.path) if self.path else "")
        self.pathChanged.emit(str(self.path) if self.path else "")
        self._update_title()

    def _update_title(self) -> None:
        if not self._alive():
            return
        modified = self.is_modified()
        self.window.setWindowTitle(self.title())
        self.window.setWindowModified(modified)
        if modified != self._modified:
            self._modified = modified
            self.modifiedChanged.emit(modified)

    def _start_preset(self) -> str:
        from app import presets
        from app.network_lab import DEFAULT_PRESET

        last = self.settings.last_preset()
        return last if last in presets.names() else DEFAULT_PRESET

    # ------------------------------------------------------------------ settings

    def restore_settings(self) -> None:
        """Put back the window geometry and docks, the theme, the last device and the last preset."""
        self.settings.restore_window(self.window)
        apply_theme(self.settings.theme(), roots=[self.window])
        self._check_theme(self.settings.theme())
        devices = getattr(self.window, "device_controller", None)
        name = self.settings.last_device()
        if devices is not None and name and name != devices.current().name and \
                any(d.name == name for d in devices.devices()):
            devices.choose(name)
        preset = self.settings.last_preset()
        lab = self.network_lab
        if preset and (lab.preset is None or lab.preset.name != preset):
            from app import presets

            if preset in presets.names():
                self._loading = True
                try:
                    lab.load_preset(preset)
                finally:
                    self._loading = False
                self._mark_clean(0)

    def set_theme(self, name: str) -> None:
        """Switch to theme ``name`` ("light" or "dark") and remember it."""
        apply_theme(name, roots=[self.window])
        self.settings.set_theme(name)
        self._check_theme(name)

    def _check_theme(self, name: str) -> None:
        action = self.theme_actions.get(name)
        if action is not None:
            action.setChecked(True)

    # ------------------------------------------------------------------ imports and exports

    def import_image(self, path, mode: str = "gray") -> list:
        """Add an image file to the matrix lab as one grayscale matrix or R, G, B matrices (0…1);
        returns the new names ([] after showing why not)."""
        from app.exporters import matrix_names, read_image

        path = Path(path)
        try:
            arrays = read_image(path, mode, "unit", max_side=IMAGE_MAX_SIDE)
        except ExportError as exc:
            self.show_error("Image not imported", str(exc))
            return []
        names = matrix_names(path.stem, mode, self.matrix_lab.names())
        stack = self.matrix_lab.undo_stack
        stack.beginMacro(f"Import {path.name}")  # one undo step for all channels
        try:
            for name, array in zip(names, arrays.values()):
                self.matrix_lab.add_matrix(array, name, f"Import {path.name}")
        finally:
            stack.endMacro()
        self.window.tabs.setCurrentWidget(self.matrix_lab)
        shape = next(iter(arrays.values())).shape
        self.message.emit(f"Imported {path.name} as {', '.join(names)} ({shape[0]}×{shape[1]}, values 0 to 1).")
        return names

    def export_network(self, kind: str, path=None):
        """Export the network lab's network to "pytorch" (.py + .npz) or "onnx"; returns the paths written, or None."""
        from engine.export import export_onnx, export_pytorch

        if kind == "onnx" and not onnx_available():
            self.show_error("ONNX export needs a package", ONNX_MISSING)
            return None
        if path is None:
            suffix, filt = (".onnx", "ONNX (*.onnx)") if kind == "onnx" else (".py", "Python module (*.py)")
            path = self.ask_save_path("Export the network", str(Path.home() / f"network{suffix}"), filt)
            if not path:
                return None
        try:
            state = self.network_lab.document_state()
            if kind == "onnx":
                written = (export_onnx(state["spec"], state["params"], path),)
            else:
                written = export_pytorch(state["spec"], state["params"], path)
        except (ExportError, RuntimeError) as exc:
            self.show_error("Network not exported", str(exc))
            return None
        self.message.emit("Exported the network to " + " and ".join(Path(p).name for p in written) + ".")
        return written

    def export_history(self, path=None):
        """Write the loss history to CSV; returns the path, or None."""
        from engine.export import export_history_csv

        if path is None:
            path = self.ask_save_path("Export the loss history", str(Path.home() / "loss_history.csv"), "CSV (*.csv)")
            if not path:
                return None
        try:
            written = export_history_csv(self.network_lab.document_state()["history"], path)
        except (ExportError, RuntimeError) as exc:
            self.show_error("Loss history not exported", str(exc))
            return None
        self.message.emit(f"Exported the loss history to {written.name}.")
        return written

    def export_trace(self, path=None):
        """Write the step inspector's trace to JSON + NPZ; returns (json, npz), or None."""
        from engine.export import export_trace

        inspector = getattr(self.network_lab, "step_inspector", None)
        steps = inspector.history() if inspector is not None else []
        if not steps:
            self.show_error("Trace not exported", "There is no trace to export: press Step through in the network "
                                                  "lab and step through a batch first.")
            return None
        if path is None:
            path = self.ask_save_path("Export the step-through trace", str(Path.home() / "trace.json"),
                                      "JSON + NPZ (*.json)")
            if not path:
                return None
        meta = {"spec": self.network_lab.spec.to_dict(), "step": self._current_step()}
        try:
            written = export_trace(steps, path, meta)
        except ExportError as exc:
            self.show_error("Trace not exported", str(exc))
            return None
        self.message.emit(f"Exported the trace to {written[0].name} and {written[1].name}.")
        return written

    def plots(self) -> dict:
        """The plots that can be exported: title -> widget."""
        lab = self.network_lab
        return {"Loss curve": lab.loss_plot, "Output": lab.output_stack.currentWidget(),
                "Network diagram": lab.canvas, "Confusion matrix": lab.confusion,
                "Weights and gradients": lab.histograms}

    def export_plot(self, title: str, path=None):
        """Write the plot called ``title`` (see ``plots``) to PNG or SVG by the suffix; returns the path, or None."""
        from app.exporters import export_plot

        widget = self.plots()[title]
        if path is None:
            stem = title.lower().replace(" ", "_")
            path = self.ask_save_path(f"Export the {title.lower()}", str(Path.home() / f"{stem}.png"),
                                      "PNG image (*.png);;SVG drawing (*.svg)")
            if not path:
                return None
        try:
            written = export_plot(widget, path, title)
        except ExportError as exc:
            self.show_error("Plot not exported", str(exc))
            return None
        self.message.emit(f"Exported the {title.lower()} to {written.name}.")
        return written

    def export_matrix(self, path=None, name: str | None = None):
        """Write a matrix (default: the current one) to CSV, NPY or LaTeX (.tex) by the suffix; returns the path."""
        from app.matrix_lab import to_latex
        from engine.export.files import write_text

        name = name or self.matrix_lab.current()
        if not name:
            self.show_error("Matrix not exported", "There is no matrix to export: add one in the matrix lab first.")
            return None
        if path is None:
            path = self.ask_save_path(f"Export {name}", str(Path.home() / f"{name}.csv"),
                                      "CSV (*.csv);;NumPy (*.npy);;LaTeX (*.tex)")
            if not path:
                return None
        path = Path(path)
        if path.suffix.lower() == ".tex":
            try:
                write_text(path, to_latex(self.matrix_lab.matrix(name)) + "\n")
            except ExportError as exc:
                self.show_error("Matrix not exported", str(exc))
                return None
        elif not self.matrix_lab.export_file(path, name):
            self.show_error("Matrix not exported", self.matrix_lab.message())
            return None
        self.message.emit(f"Exported {name} to {path.name}.")
        return path

    def import_dataset(self, path=None) -> None:
        """Train the network lab on a CSV/NPY table (delimiter and header detected; errors name line and column)."""
        if path is None:
            path = self.ask_open_path("Import a data set", "Tables (*.csv *.tsv *.txt *.npy);;All files (*)")
            if not path:
                return
        self.window.tabs.setCurrentWidget(self.network_lab)
        self.network_lab.load_user_file(str(path))
        self._changed(network=True)

    # ------------------------------------------------------------------ dialogs (tests replace these)

    def ask_open_path(self, title: str, filters: str) -> str:
        """A file to open, chosen by the person ('' when cancelled)."""
        path, _ = QFileDialog.getOpenFileName(self.window, title, "", filters)
        return path

    def ask_save_path(self, title: str, suggested: str, filters: str) -> str:
        """A file to write, chosen by the person ('' when cancelled); the first filter's suffix is added if none."""
        path, chosen = QFileDialog.getSaveFileName(self.window, title, suggested, filters)
        if path and not Path(path).suffix and "*." in chosen:
            path += chosen[chosen.index("*.") + 1:].split(")")[0].split()[0]
        return path

    def show_error(self, title: str, text: str) -> QMessageBox:
        """Show a sentence in a window-modal box (no nested event loop) and on the status bar."""
        self.message.emit(text)
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self.window)
        box.setObjectName("projectMessage")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.last_error = text
        return box

    # ------------------------------------------------------------------ menus

    def _action(self, text: str, slot, name: str, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        keys = QKeySequence.StandardKey
        self.new_action = self._action("&New Project", self.new_project, "newProjectAction", keys.New,
                                       "Start an untitled project.")
        self.open_action = self._action("&Open Project…", self.open_project, "openProjectAction", keys.Open,
                                        "Open a saved project.")
        self.save_action = self._action("&Save Project", self.save, "saveProjectAction", keys.Save,
                                        "Save the matrices, the network, its weights and training history.")
        self.save_as_action = self._action("Save Project &As…", self.save_as, "saveProjectAsAction", keys.SaveAs)
        if self.save_as_action.shortcut().isEmpty():
            self.save_as_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.recent_menu = QMenu("Open &Recent", self.window)
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.aboutToShow.connect(self._fill_recent)

        self.import_menu = QMenu("&Import", self.window)
        self.import_menu.setObjectName("importMenu")
        self.import_menu.addAction(self._action("Image as a &Grayscale Matrix…", lambda: self._image_dialog("gray"),
                                                "importImageGrayAction"))
        self.import_menu.addAction(self._action("Image as &R, G, B Matrices…", lambda: self._image_dialog("rgb"),
                                                "importImageRgbAction"))
        self.import_menu.addAction(self._action("&Matrix from CSV or NPY…", self.matrix_lab.import_action.trigger,
                                                "importMatrixFileAction"))
        self.import_menu.addAction(self._action("&Data Set from CSV or NPY…", self.import_dataset,
                                                "importDatasetAction"))

        self.export_menu = QMenu("&Export", self.window)
        self.export_menu.setObjectName("exportMenu")
        self.export_menu.addAction(self._action("Network to &PyTorch (.py + weights)…",
                                                lambda: self.export_network("pytorch"), "exportPytorchAction"))
        onnx_text = "Network to &ONNX…" if onnx_available() else "Network to &ONNX… (needs the onnx package)"
        self.onnx_action = self._action(onnx_text, lambda: self.export_network("onnx"), "exportOnnxAction",
                                        tip="" if onnx_available() else ONNX_MISSING)
        self.export_menu.addAction(self.onnx_action)
        self.export_menu.addSeparator()
        self.export_menu.addAction(self._action("&Loss History to CSV…", self.export_history, "exportHistoryAction"))
        self.export_menu.addAction(self._action("Step-Through &Trace to JSON + NPZ…", self.export_trace,
                                                "exportTraceAction"))
        plots = self.export_menu.addMenu("P&lot to PNG or SVG")
        plots.setObjectName("exportPlotMenu")
        for title in self.plots():
            plots.addAction(self._action(f"{title}…", lambda t=title: self.export_plot(t),
                                         f"exportPlotAction:{title}"))
        self.export_menu.addAction(self._action("Current &Matrix to CSV, NPY or LaTeX…", self.export_matrix,
                                                "exportMatrixFileAction"))

        menu = self.window.findChild(QMenu, "fileMenu")
        if menu is None:
            menu = self.window.menuBar().addMenu("&File")
            menu.setObjectName("fileMenu")
        quit_action = self.window.findChild(QAction, "quitAction")
        before = quit_action if quit_action in menu.actions() else None
        for item in (self.new_action, self.open_action, self.recent_menu, None, self.save_action,
                     self.save_as_action, None, self.import_menu, self.export_menu, None):
            if item is None:
                menu.insertSeparator(before) if before is not None else menu.addSeparator()
            elif isinstance(item, QMenu):
                menu.insertMenu(before, item) if before is not None else menu.addMenu(item)
            else:
                menu.insertAction(before, item) if before is not None else menu.addAction(item)

        self.theme_actions = {}
        view = self.window.findChild(QMenu, "viewMenu")
        if view is not None:
            theme_menu = view.addMenu("&Theme")
            theme_menu.setObjectName("themeMenu")
            group = QActionGroup(self.window)
            group.setExclusive(True)
            for name in THEMES:
                action = QAction(name.capitalize(), self.window)
                action.setObjectName(f"themeAction:{name}")
                action.setCheckable(True)
                action.triggered.connect(lambda _checked=False, n=name: self.set_theme(n))
                group.addAction(action)
                theme_menu.addAction(action)
                self.theme_actions[name] = action
            self._check_theme(self.settings.theme())

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = self.settings.recent_files()
        for path in files:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_project(p))
        if not files:
            empty = self.recent_menu.addAction("No recent projects")
            empty.setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear the List", self.settings.clear_recent)

    def _image_dialog(self, mode: str) -> None:
        path = self.ask_open_path("Import an image", "Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp *.tif *.tiff);;"
                                                     "All files (*)")
        if path:
            self.import_image(path, mode)
