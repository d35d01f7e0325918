"""The network lab: build a network on the canvas, choose data, train it in the background, watch it learn.

``NetworkLabPanel`` composes the ui widgets (data panel, training controls, network
canvas, plots) and is their controller: it owns the document (data settings, the
``NetworkSpec``, training settings), builds ``Model`` and ``Trainer`` through the engine,
and runs them on a ``TrainingWorker`` thread. While a worker exists the GUI thread never
calls the engine; it posts commands to the worker and draws the snapshots it sends.

Embedding (the main window's "Network lab" tab)::

    panel = NetworkLabPanel()                 # opens on the "Spiral (Playground)" preset, paused
    tabs.addTab(panel, "Network lab")
    devices.deviceChanged.connect(lambda _d: panel.use_current_device())  # keeps weights and history
    ...
    panel.shutdown()                          # in MainWindow.closeEvent: stops the thread cleanly

Screenshots (``main.py --demo spiral --steps 300 --screenshot out.png``)::

    panel = NetworkLabPanel.demo("spiral", steps=300)   # trains synchronously, no thread
    panel.grab().save("out.png")                        # or embed it in the window and grab that;
    panel.start_background()                            # only if the window stays open afterwards
    save_demo_screenshot("digits", 300, "out.png")      # the lab alone, in one call
"""

from __future__ import annotations

import copy
import math
import time

import numpy as np
from PySide6.QtCore import QCoreApplication, Qt, QThread, QTimer
from PySide6.QtWidgets import (QComboBox, QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton, QSplitter,
                               QStackedWidget, QTabWidget, QToolButton, QVBoxLayout, QWidget)

import engine
from app import presets as preset_lib
from app.lab_snapshot import SnapshotBuilder
from app.step_inspector import StepInspector
from app.training_worker import TrainingWorker, sentence
from ui.data_panel import FEATURE_TEXT, DataPanel
from ui.inspector_panel import InspectorPanel
from ui.network_canvas import NetworkCanvas
from ui.plots_boundary import BoundaryPlot
from ui.plots_confusion import ConfusionMatrixPlot
from ui.plots_feature_maps import FeatureMapsPlot
from ui.plots_hidden_state import HiddenStatePlot
from ui.plots_histograms import HistogramsPlot
from ui.plots_loss import LossPlot
from ui.training_controls import TrainingControls

DEFAULT_PRESET = "Spiral (Playground)"
OUTPUT_ACTIVATION = {"bce": "sigmoid", "softmax_ce": "softmax", "mse": "linear"}
LOSSES_FOR_TASK = {"binary": ("bce", "mse"), "multiclass": ("softmax_ce",),
                   "regression": ("mse",), "sequence_regression": ("mse",)}
PREVIEW_N = 200


def _dense(units, activation):
    return {"type": "dense", "units": units, "activation": activation}


class NetworkLabPanel(QWidget):
    """The "Network lab" page: data panel | network canvas | output plots, training bar on top.

    ``preset`` picks the starting point (``app.presets``); ``autostart`` starts training
    at once. ``threaded=False`` builds no worker thread (``demo`` uses that to train
    synchronously for screenshots). ``confirm_rebuild`` (default True) asks before an
    architecture change throws away training progress; tests turn it off.
    """

    def __init__(self, parent: QWidget | None = None, preset: str = DEFAULT_PRESET, autostart: bool = False,
                 threaded: bool = True):
        super().__init__(parent)
        self.setObjectName("networkLabPanel")
        self.confirm_rebuild = True
        self._threaded = threaded
        self._token = 0
        self.worker: TrainingWorker | None = None
        self.worker_thread: QThread | None = None
        self.model = None
        self.trainer = None
        self.builder: SnapshotBuilder | None = None
        self.latest: dict | None = None
        self.raw = None
        self.data = None
        self.spec = None
        self.preset = None
        self.model_seed = 0
        self.data_seed = 0
        self.dataset_name = ""
        self.dataset_options: dict = {}
        self.noise = 0.1
        self.test_ratio = 0.5
        self.features: list = ["x1", "x2"]
        self.user_path: str | None = None
        self.settings = {"optimizer": "adam", "lr": 0.03, "batch_size": 10}
        self._shut_down = False
        self._pending_box: QMessageBox | None = None
        self._stages: list = []
        self._extras: dict = {}
        self._stage_token = -1
        self._stage_started = 0.0

        self._build_widgets()
        # before _wire: on signals both use (Train, Step, a weight edit) the inspector lets go of
        # its trace first, so the engine's undo never overwrites what comes next
        self._build_step_inspector()
        self._wire()
        self.data_panel.set_datasets(self._dataset_entries())
        app = QCoreApplication.instance()
        if app is not None:
            # child widgets get no closeEvent when the window closes: stop the thread on quit too
            app.aboutToQuit.connect(self.shutdown)
        self.load_preset(preset, autostart=autostart)

    # ------------------------------------------------------------------ layout

    def _build_widgets(self) -> None:
        self.preset_box = QComboBox(self)
        self.preset_box.setObjectName("presetBox")
        self.preset_box.addItems(preset_lib.names())
        self.preset_box.setToolTip("Open a ready-made problem and network.")
        self.controls = TrainingControls(self)
        self.banner = QLabel(self)
        self.banner.setObjectName("labBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.banner_close = QToolButton(self)
        self.banner_close.setText("×")
        self.banner_close.setAutoRaise(True)
        self.banner_close.hide()
        self.data_panel = DataPanel(self)
        self.data_panel.setMinimumWidth(250)
        self.data_panel.setMaximumWidth(320)
        self.canvas = NetworkCanvas(self)
        self.boundary = BoundaryPlot(self)
        self.feature_maps = FeatureMapsPlot(self)
        self.hidden_plot = HiddenStatePlot(self)
        self.table_note = QLabel("This data has more than two inputs, so there is no picture of the output; "
                                 "the loss, the confusion matrix and the histograms show how training goes.", self)
        self.table_note.setWordWrap(True)
        self.table_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.output_stack = QStackedWidget(self)
        self.output_stack.setObjectName("outputStack")
        for w in (self.boundary, self.feature_maps, self.hidden_plot, self.table_note):
            self.output_stack.addWidget(w)
        self.output_title = QLabel("OUTPUT", self)
        self.output_title.setStyleSheet("font-weight: bold; color: palette(window-text); letter-spacing: 1px;")
        self.loss_plot = LossPlot(self)
        self.histograms = HistogramsPlot(self)
        self.confusion = ConfusionMatrixPlot(self)
        self.bottom_tabs = QTabWidget(self)
        self.bottom_tabs.setObjectName("bottomTabs")
        self.bottom_tabs.addTab(self.confusion, "Confusion matrix (test)")
        self.bottom_tabs.addTab(self.histograms, "Weights and gradients")

        top = QHBoxLayout()
        top.setContentsMargins(6, 4, 6, 0)
        label = QLabel("Preset", self)
        label.setStyleSheet("color: palette(placeholder-text); font-size: 8pt;")
        preset_col = QVBoxLayout()
        preset_col.setSpacing(1)
        preset_col.addWidget(label)
        preset_col.addWidget(self.preset_box)
        top.addLayout(preset_col)
        top.addWidget(self.controls, 1)
        self._top_bar = top  # the step inspector's button goes at its end
        banner_row = QHBoxLayout()
        banner_row.setContentsMargins(6, 0, 6, 0)
        banner_row.addWidget(self.banner, 1)
        banner_row.addWidget(self.banner_close)

        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet("color: #ddd;")

        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(4, 0, 4, 0)
        right_layout.addWidget(self.output_title)
        right_layout.addWidget(self.output_stack, 5)
        right_layout.addWidget(self.loss_plot, 3)

        centre = QSplitter(Qt.Orientation.Vertical, self)
        centre.addWidget(self.canvas)
        centre.addWidget(self.bottom_tabs)
        centre.setStretchFactor(0, 3)
        centre.setStretchFactor(1, 1)
        centre.setSizes([620, 240])
        self.centre_split = centre

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.data_panel)
        split.addWidget(centre)
        split.addWidget(right)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setStretchFactor(2, 0)
        split.setSizes([250, 800, 450])
        right.setMinimumWidth(380)
        self.main_split = split

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addLayout(top)
        layout.addLayout(banner_row)
        layout.addWidget(line)
        layout.addWidget(split, 1)

    def _wire(self) -> None:
        # a preset chosen by hand starts training at once, as its description promises
        self.preset_box.activated.connect(self._preset_chosen)
        c = self.controls
        c.playToggled.connect(self._play_toggled)
        c.stepRequested.connect(self.step_once)
        c.resetRequested.connect(self.reset)
        c.optimizerChanged.connect(self._optimizer_changed)
        c.learningRateChanged.connect(self.set_learning_rate)
        c.batchSizeChanged.connect(self._batch_size_changed)
        c.lossChanged.connect(self._loss_changed)
        c.regularizationChanged.connect(lambda kind: self._regularization_changed(kind, None))
        c.regularizationRateChanged.connect(lambda rate: self._regularization_changed(None, rate))
        c.initChanged.connect(self._init_changed)
        c.speedChanged.connect(lambda v: self.worker.set_speed(v) if self.worker else None)
        d = self.data_panel
        d.datasetChosen.connect(self._dataset_chosen)
        d.noiseChanged.connect(lambda v: self._data_setting("noise", v))
        d.testRatioChanged.connect(lambda v: self._data_setting("test_ratio", v))
        d.regenerateRequested.connect(self._regenerate)
        d.showTestChanged.connect(self.boundary.set_show_test)
        d.featuresChanged.connect(self._features_changed)
        d.userFileChosen.connect(self.load_user_file)
        self.canvas.set_validator(self._validate)
        self.canvas.specEdited.connect(self._spec_edited)
        self.canvas.weightEdited.connect(self.edit_weight)
        self.feature_maps.sampleChanged.connect(self._sample_changed)
        self.hidden_plot.sampleChanged.connect(self._sample_changed)
        self.banner_close.clicked.connect(lambda: self.show_banner(None))
        self.bottom_tabs.currentChanged.connect(self._show_tab)

    # ------------------------------------------------------------------ public API

    @classmethod
    def demo(cls, preset: str = "spiral", steps: int = 300, size=(1500, 950)) -> "NetworkLabPanel":
        """A panel on ``preset`` (a preset name or spiral, xor, digits, sine, linear) trained
        synchronously for ``steps`` steps on the GUI thread, resized to ``size``: for
        screenshots only (``panel.grab().save(path)``). No thread is started."""
        name = preset_lib.get(preset).name
        panel = cls(preset=name, threaded=False)
        panel.resize(*size)
        panel.train_now(steps)
        return panel

    def start_background(self) -> None:
        """Give a ``threaded=False`` panel (a ``demo``) its worker thread, so Train works after
        the screenshot; the trained state carries on."""
        if self._threaded or self._shut_down:
            return
        self._threaded = True
        self._start_worker()

    def _preset_chosen(self, index: int) -> None:
        text = self.preset_box.itemText(index)
        if text in preset_lib.names():
            self.load_preset(text, autostart=True)

    def _show_preset(self, name: str, edited: bool = False) -> None:
        """Show preset ``name`` in the preset box; ``edited``: as "<name> (edited)", an entry
        that exists only while the network or data differ from the preset's."""
        box = self.preset_box
        if box.count() > len(preset_lib.names()):
            box.removeItem(0)  # the last "(edited)" entry
        if edited:
            box.insertItem(0, f"{name} (edited)")
            box.setItemData(0, "Your changes to this preset; choose a preset to start from it again.",
                            Qt.ItemDataRole.ToolTipRole)
            box.setCurrentIndex(0)
        else:
            box.setCurrentText(name)

    def _mark_edited(self) -> None:
        """The network or the data no longer match the preset: say so in the preset box."""
        if self.preset is not None:
            self._show_preset(self.preset.name, edited=True)

    def load_preset(self, name: str, autostart: bool = False) -> None:
        """Open preset ``name``: its data, network and settings; train at once if ``autostart``."""
        p = preset_lib.get(name)
        self.preset = p
        self._show_preset(p.name)
        self.dataset_name = p.dataset
        self.dataset_options = dict(p.options)
        self.noise = p.noise
        self.test_ratio = p.test_ratio
        self.data_seed = 0
        self.model_seed = 0
        self.user_path = None
        self.features = list(p.features) if p.features else ["x1", "x2"]
        self.settings = {"optimizer": p.optimizer, "lr": p.lr, "batch_size": p.batch_size}
        self._load_data()
        spec_dict = copy.deepcopy(p.spec)
        spec_dict["input"] = list(self.data.input_shape)
        spec_dict["init"] = p.init
        self.spec = engine.NetworkSpec.from_dict(spec_dict)
        self._sync_data_panel()
        self._rebuild()
        if autostart:
            self.play()

    def play(self) -> None:
        """Train continuously (in the background) until paused."""
        self.show_banner(None)
        self.controls.set_running(True)
        if self.worker is not None:
            self.worker.resume()

    def pause(self) -> None:
        """Pause training after the chunk under way."""
        self.controls.set_running(False)
        if self.worker is not None:
            self.worker.pause()

    def is_running(self) -> bool:
        """True while training runs."""
        return self.worker is not None and self.worker.is_running()

    def step_once(self) -> None:
        """Train a single batch, then stay paused."""
        self.controls.set_running(False)
        if self.worker is not None:
            self.worker.step_once(1)
        else:
            self.train_now(1)

    def reset(self) -> None:
        """Start again from new random weights (the next seed); data and settings stay."""
        self.model_seed += 1
        self._rebuild()

    def set_learning_rate(self, lr: float) -> None:
        """Change the learning rate; the weights, optimizer state and history stay."""
        if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
            self.show_banner(f"The learning rate must be a number above 0 (for example 0.01), not {lr!r}.", error=True)
            self.controls.set_settings({"lr": self.settings["lr"]})
            return
        self.settings["lr"] = float(lr)
        self.controls.set_settings({"lr": lr})
        self._on_worker(lambda tr: tr.set_lr(float(lr)))

    def use_current_device(self) -> None:
        """Move training to ``engine.current_device()`` (call after the Device menu changed it);
        the weights and the history are kept."""
        if self.model is not None and self.model.device.name != engine.current_device().name:
            self._rebuild(keep_state=True)

    def edit_weight(self, param: str, index: tuple, value: float) -> None:
        """Set one parameter entry (e.g. "1.W", (2, 0)) to ``value`` in the model."""
        def apply(trainer, model=self.model):
            w = model.params()[param]
            w[tuple(index)] = value
            model.set_params({param: w})
        self._on_worker(apply)

    def train_now(self, steps: int) -> None:
        """Train ``steps`` steps synchronously on this thread (only without a worker: ``threaded=False``)."""
        if self.worker is not None:
            raise RuntimeError("train_now is for panels without a worker thread; use play() instead.")
        done = 0
        try:
            while done < steps:
                n = min(10, steps - done)  # a point on the loss curve every 10 steps
                self.builder.record(self.trainer.step(n))
                done += n
        except engine.DivergenceError as exc:
            last = self.trainer.last_result
            if last and last["step"] > self.builder.step - self.builder.step_offset:
                self.builder.record(last)  # the good steps before the bad one
            self.show_banner(self._divergence_text(sentence(exc)), error=True)
        self._show(self.builder.build(slow=True))

    def shutdown(self) -> None:
        """Stop the worker thread and wait for it (call from the window's closeEvent)."""
        if self._shut_down:
            return
        self._shut_down = True
        self._stop_worker()

    def closeEvent(self, event) -> None:  # noqa: N802
        self.shutdown()
        super().closeEvent(event)

    def show_banner(self, text: str | None, error: bool = False) -> None:
        """A message across the top (None hides it): divergence, failures, refused data."""
        if not text:
            self.banner.hide()
            self.banner_close.hide()
            return
        colour = ("#fdecea", "#8a1c12") if error else ("#eef4fb", "#1d3f66")
        self.banner.setStyleSheet(f"background: {colour[0]}; color: {colour[1]}; padding: 6px; border-radius: 4px;")
        self.banner.setText(text)
        self.banner.show()
        self.banner_close.show()

    def banner_text(self) -> str:
        """The banner's text ('' when hidden)."""
        return "" if self.banner.isHidden() else self.banner.text()

    # ------------------------------------------------------------------ document (issue 8: project files)
    # Plain data in, plain data out, for app.project_controller; engine.project checks and stores it.

    def document_state(self, timeout: float = 10.0) -> dict:
        """The lab's document as plain data: preset, data set settings, spec, training settings,
        weights, optimizer state, loss history and counters (the form ``engine.project`` stores).

        The weights are read where the trainer lives: the worker thread reads them between two
        chunks of steps while this waits (at most ``timeout`` seconds; RuntimeError after that).
        """
        import threading

        state = {
            "preset": self.preset.name if self.preset is not None else None,
            "dataset": {"name": self.dataset_name, "options": dict(self.dataset_options), "noise": float(self.noise),
                        "test_ratio": float(self.test_ratio), "seed": int(self.data_seed),
                        "features": list(self.features), "user_path": self.user_path},
            "spec": self.spec.to_dict(),
            "training": {"optimizer": self.settings["optimizer"], "lr": float(self.settings["lr"]),
                         "batch_size": int(self.settings["batch_size"]), "model_seed": int(self.model_seed)},
            "view": {"bottom_tab": self.bottom_tabs.currentIndex()},
        }
        box: dict = {}
        done = threading.Event()

        def read(trainer, builder=self.builder):
            try:
                history = builder.history.arrays()
                box["value"] = {"params": trainer.model.params(), "optimizer": trainer.optimizer.state_dict(),
                                "history": {k: np.array(v) for k, v in history.items() if v is not None},
                                "step": int(builder.step), "epoch": float(builder.epoch)}
            except Exception as exc:  # handed to the caller below, as a sentence
                box["error"] = exc
            finally:
                done.set()

        if self.worker is not None and self.worker_thread is not None and self.worker_thread.isRunning():
            self.worker.post(read)
            if not done.wait(timeout):
                raise RuntimeError(f"The training thread did not hand over the weights within {timeout:g} s; "
                                   "pause training and try again.")
        elif self.trainer is not None:
            read(self.trainer)
        else:
            raise RuntimeError("The network lab has no network yet, so there is nothing to save.")
        if "error" in box:
            raise RuntimeError(f"The weights could not be read: {sentence(box['error'])}")
        got = box["value"]
        state["training"].update(step=got.pop("step"), epoch=got.pop("epoch"))
        state.update(got)
        return state

    def restore_document_state(self, state: dict) -> None:
        """Open a document as ``document_state`` gives it (checked by ``engine.project``): its data,
        network, weights, optimizer state and loss history, training paused.

        Raises ValueError with a sentence when the data cannot be loaded or the network does not
        fit it; the lab is then left as it was.
        """
        from app.lab_snapshot import History

        if getattr(self, "step_inspector", None) is not None and self.step_inspector.is_open():
            self.step_inspector.close()
        ds, tr = state["dataset"], state["training"]
        keys = ("dataset_name", "dataset_options", "noise", "test_ratio", "data_seed", "features", "user_path",
                "raw", "data")
        saved = {k: getattr(self, k) for k in keys}
        try:
            self.dataset_name, self.dataset_options = ds["name"], dict(ds.get("options") or {})
            self.noise, self.test_ratio = float(ds["noise"]), float(ds["test_ratio"])
            self.data_seed, self.user_path = int(ds["seed"]), ds.get("user_path")
            self.features = list(ds.get("features") or ["x1", "x2"])
            self._load_data()
            spec = engine.NetworkSpec.from_dict(state["spec"])
            if tuple(spec.input) != tuple(self.data.input_shape):
                raise ValueError(f"The network takes inputs of shape {list(spec.input)} but the data gives "
                                 f"{list(self.data.input_shape)}.")
            problem = self._validate(spec.to_dict())
            if problem:
                raise ValueError(problem[0])
        except Exception as exc:
            for k, v in saved.items():
                setattr(self, k, v)
            raise ValueError(sentence(exc)) from None
        name = state.get("preset")
        if name in preset_lib.names():
            self.preset = preset_lib.get(name)
            self._show_preset(name)
        self.spec = spec
        self.model_seed = int(tr["model_seed"])
        self.settings = {"optimizer": tr["optimizer"], "lr": float(tr["lr"]), "batch_size": int(tr["batch_size"])}
        self.controls.set_running(False)
        self.show_banner(None)
        self._sync_data_panel()
        self._rebuild()
        if self.model is None or self.model.spec != spec:
            raise ValueError(self.banner_text() or "The network could not be built on this device.")
        tab = (state.get("view") or {}).get("bottom_tab")
        if isinstance(tab, int) and 0 <= tab < self.bottom_tabs.count() and self.bottom_tabs.isTabEnabled(tab):
            self.bottom_tabs.setCurrentIndex(tab)
        params, optimizer = state["params"], state.get("optimizer")
        history, lr = state.get("history") or {}, float(tr["lr"])
        step, epoch = int(tr.get("step", 0)), float(tr.get("epoch", 0.0))

        def apply(trainer, builder=self.builder):
            trainer.model.set_params(params)
            if optimizer is not None:
                try:
                    trainer.optimizer.load_state_dict(optimizer)
                except (ValueError, TypeError):
                    pass  # saved with another optimizer: this one starts with fresh state
            trainer.set_lr(lr)
            builder.history = History()
            n = len(history.get("step", ()))
            for i in range(n):
                row = {k: float(v[i]) for k, v in history.items()}
                builder.history.record({k: (None if k in ("test_loss", "accuracy") and math.isnan(v) else v)
                                        for k, v in row.items()})
            builder.step_offset = builder.step = step
            builder.epoch_offset = builder.epoch = epoch

        self._on_worker(apply)

    # ------------------------------------------------------------------ data

    def _dataset_entries(self) -> list:
        entries = []
        ds = engine.datasets
        for name in ds.names():
            info = ds.info(name)
            preview = None
            try:
                n = 20 if name == "digits" else PREVIEW_N
                d = ds.load(name, n=n, noise=0.1 if info.uses_noise else 0.0, seed=0)
                preview = self._preview(d)
            except Exception:  # a missing thumbnail must not keep the lab from opening
                preview = None
            entries.append({"name": name, "title": info.title, "task": info.task, "description": info.description,
                            "uses_noise": info.uses_noise, "preview": preview})
        return entries

    @staticmethod
    def _preview(d) -> dict:
        shape = tuple(d.input_shape)
        if len(shape) == 3:
            return {"kind": "image", "image": d.x_train[0, 0]}
        if len(shape) == 2:
            return {"kind": "line", "y": d.x_train[0, :, 0]}
        if shape == (1,):
            return {"kind": "points", "x": np.stack([d.x_train[:, 0], d.y_train[:, 0]], axis=1),
                    "y": d.y_train[:, 0], "task": "regression"}
        return {"kind": "points", "x": d.x_train[:, :2], "y": d.y_train, "n_classes": d.n_classes, "task": d.task}

    def _load_data(self) -> None:
        ds = engine.datasets
        if self.user_path:
            raw = ds.load_user(self.user_path, test_ratio=self.test_ratio, seed=self.data_seed)
        else:
            raw = ds.load(self.dataset_name, noise=self.noise, test_ratio=self.test_ratio, seed=self.data_seed,
                          **self.dataset_options)
        self.raw = raw
        if tuple(raw.input_shape) == (2,):
            self.data = raw.with_features(self.features)
        else:
            self.data = raw

    def _sync_data_panel(self) -> None:
        planar = tuple(self.raw.input_shape) == (2,)
        if self.user_path:
            self.data_panel.set_user_file(self.raw.meta.get("name", "your file"),
                                          f"{self.raw.n_train + self.raw.n_test} rows, "
                                          f"{self.raw.input_shape[0]} features, {self.raw.task}")
        else:
            self.data_panel.set_current(self.dataset_name)
        self.data_panel.set_noise(self.noise)
        self.data_panel.set_test_ratio(self.test_ratio)
        self.data_panel.set_features(self.features if planar else [], planar)
        self.controls.set_losses(LOSSES_FOR_TASK.get(self.raw.task, ("mse",)))

    def _data_changed(self) -> None:
        """Reload the data, fit the network's input and output to it, start again."""
        try:
            self._load_data()
        except ValueError as exc:
            self.data_panel.show_error(sentence(exc))
            return
        self.spec = engine.NetworkSpec.from_dict(self._fit_spec(self.spec.to_dict()))
        self._sync_data_panel()
        self._rebuild()

    def _dataset_chosen(self, name: str) -> None:
        self._mark_edited()
        self.dataset_name = name
        self.user_path = None
        self.dataset_options = {}
        self.data_seed = 0
        self._data_changed()

    def _data_setting(self, key: str, value: float) -> None:
        setattr(self, key, float(value))
        self._data_changed()

    def _regenerate(self) -> None:
        self.data_seed += 1
        self._data_changed()

    def _features_changed(self, names: list) -> None:
        self.features = list(names)
        self._data_changed()

    def load_user_file(self, path: str) -> None:
        """Train on a person's CSV or NPY file; a bad file is refused with its line and column."""
        previous = self.user_path
        self.user_path = path
        self.data_seed = 0
        try:
            self._load_data()
        except ValueError as exc:
            self.user_path = previous
            self.data_panel.show_error(sentence(exc))
            return
        self.spec = engine.NetworkSpec.from_dict(self._fit_spec(self.spec.to_dict()))
        self._sync_data_panel()
        self._rebuild()

    def _fit_spec(self, d: dict) -> dict:
        """``d`` changed as little as possible so it takes this data and gives what it asks for."""
        d = copy.deepcopy(d)
        shape = list(self.data.input_shape)
        rank = len(shape)
        if len(d["input"]) != rank:
            # another kind of data: start from the preset made for it
            if rank == 3:
                d = copy.deepcopy(preset_lib.get("digits").spec)
            elif rank == 2:
                d = copy.deepcopy(preset_lib.get("sine").spec)
            else:
                d = {"input": shape, "layers": [_dense(4, "tanh"), _dense(2, "tanh"), _dense(1, "sigmoid")],
                     "loss": "bce", "regularization": d.get("regularization"), "init": "xavier"}
        d["input"] = shape
        task = self.data.task
        layers = d["layers"]
        if not layers or layers[-1].get("type") != "dense":
            layers.append(_dense(1, "linear"))
        out = layers[-1]
        if task == "binary":
            if d.get("loss") not in ("bce", "mse"):
                d["loss"] = "bce"
            out["units"], out["activation"] = 1, "sigmoid"
        elif task == "multiclass":
            d["loss"] = "softmax_ce"
            out["units"], out["activation"] = int(self.data.n_classes), "softmax"
        else:
            d["loss"] = "mse"
            out["units"], out["activation"] = 1, "linear"
        for layer in layers[:-1]:
            if layer.get("activation") == "softmax":
                layer["activation"] = "tanh"
        return d

    # ------------------------------------------------------------------ network

    def _validate(self, d: dict):
        """The canvas's check: None when the network can be built for this data, else (sentence, layer)."""
        try:
            spec = engine.NetworkSpec.from_dict(d)
        except ValueError as exc:
            return sentence(exc), getattr(exc, "layer", None)
        want = {"binary": 1, "multiclass": self.data.n_classes}.get(self.data.task, 1)
        got = math.prod(spec.output_shape)
        if got != want:
            return (f"The output layer gives {got} values but this data needs {want}: keep the output layer "
                    f"as it is and change the layers before it.", len(spec.layers) - 1)
        return None

    def _spec_edited(self, d: dict) -> None:
        spec = engine.NetworkSpec.from_dict(d)
        self._confirm_then(lambda: self._adopt(spec), "The network changes shape, so it is built again "
                                                      "with new weights and training starts over.")

    def _adopt(self, spec) -> None:
        self.spec = spec
        self._mark_edited()
        self._rebuild()

    def _confirm_then(self, action, why: str) -> None:
        """Run ``action`` now, or after a yes when training has progressed and ``confirm_rebuild`` is on."""
        progressed = self.builder is not None and self.builder.step > 0
        if not (self.confirm_rebuild and progressed):
            action()
            return
        box = QMessageBox(QMessageBox.Icon.Question, "Start training again?",
                          f"{why}\n\nThe {self.builder.step:,} steps trained so far will be lost.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("rebuildQuestion")
        box.setDefaultButton(QMessageBox.StandardButton.Yes)

        def done(result):
            self._pending_box = None
            if result == QMessageBox.StandardButton.Yes:
                action()
            else:
                self.canvas.set_spec(self.spec, self._input_names())  # show the network really built
                self.controls.set_settings(self._control_settings())

        box.finished.connect(lambda r: done(box.standardButton(box.clickedButton()) if box.clickedButton() else r))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._pending_box = box
        box.open()  # window-modal without a nested event loop

    def _loss_changed(self, loss: str) -> None:
        d = self.spec.to_dict()
        d["loss"] = loss
        d["layers"][-1]["activation"] = "sigmoid" if (loss == "mse" and self.data.task == "binary") \
            else OUTPUT_ACTIVATION[loss]
        problem = self._validate(d)
        if problem:
            self.show_banner(problem[0], error=True)
            self.controls.set_settings({"loss": self.spec.loss})
            return
        self._spec_edited(d)

    def _init_changed(self, init: str) -> None:
        d = self.spec.to_dict()
        d["init"] = init
        self._spec_edited(d)

    def _regularization_changed(self, kind, rate) -> None:
        reg = self.spec.regularization
        kind = reg.type if kind is None else kind
        rate = reg.rate if rate is None else float(rate)
        if kind != "none" and rate == 0.0:
            rate = 0.001 if reg.rate == 0.0 else reg.rate
        d = self.spec.to_dict()
        d["regularization"] = {"type": kind, "rate": rate if kind != "none" else 0.0}
        self.spec = engine.NetworkSpec.from_dict(d)
        self.controls.set_settings({"regularization": kind, "reg_rate": d["regularization"]["rate"]})
        # a penalty change is not an architecture change: keep the weights and the history
        self._rebuild(keep_state=True)

    def _optimizer_changed(self, kind: str) -> None:
        self.settings["optimizer"] = kind
        self._rebuild(keep_state=True)

    def _batch_size_changed(self, size: int) -> None:
        self.settings["batch_size"] = int(size)
        self._rebuild(keep_state=True)

    def _optimizer(self) -> dict:
        kind = self.settings["optimizer"]
        lr = float(self.settings["lr"])
        if kind == "momentum":
            return {"type": "sgd", "lr": lr, "momentum": 0.9}
        return {"type": kind, "lr": lr}

    def _control_settings(self) -> dict:
        reg = self.spec.regularization
        return {"optimizer": self.settings["optimizer"], "lr": self.settings["lr"],
                "batch_size": self.settings["batch_size"], "loss": self.spec.loss, "regularization": reg.type,
                "reg_rate": reg.rate, "init": self.spec.init}

    def _input_names(self) -> list:
        shape = tuple(self.data.input_shape)
        if tuple(self.raw.input_shape) == (2,):
            return [FEATURE_TEXT.get(f, f) for f in self.features]
        if len(shape) == 3:
            return []
        return list(self.data.meta.get("feature_names") or [])

    def _rebuild(self, keep_state: bool = False) -> None:
        """Build model, trainer and snapshot builder anew and start a paused worker.

        ``keep_state`` carries the weights and the loss history over (optimizer, batch
        size or regularisation changed); otherwise weights start fresh from the seed.
        """
        was_running = self.is_running()
        self._stop_worker()
        old_params = self.model.params() if (keep_state and self.model is not None) else None
        old_builder = self.builder if keep_state else None
        old_optimizer = None
        if keep_state and self.trainer is not None:
            try:
                old_optimizer = self.trainer.optimizer.state_dict()
            except Exception:  # an optimizer without saved state simply starts afresh
                old_optimizer = None
        try:
            model = engine.Model(self.spec, seed=self.model_seed)
            if old_params is not None and set(old_params) == set(model.param_arrays):
                model.set_params(old_params)
            trainer = engine.Trainer(model, self.data, optimizer=self._optimizer(),
                                     batch_size=int(self.settings["batch_size"]), seed=self.model_seed)
            if old_optimizer is not None:
                try:
                    # same optimizer type: its momentum or moments carry on too
                    trainer.optimizer.load_state_dict(old_optimizer)
                    trainer.set_lr(float(self.settings["lr"]))
                except (ValueError, TypeError):
                    pass  # another optimizer type: it starts with fresh state
        except Exception as exc:  # a device or engine failure: say it, keep the old picture
            self.show_banner(f"The network could not be built: {sentence(exc)}", error=True)
            self.controls.set_running(False)
            return
        self.model, self.trainer = model, trainer
        self.builder = SnapshotBuilder(model, self.data, self.raw, self.features
                                       if tuple(self.raw.input_shape) == (2,) else None)
        if old_builder is not None:
            # the new trainer counts from 0: carry the old run's counters and curve on
            self.builder.history = old_builder.history
            self.builder.sample = old_builder.sample
            self.builder.step_offset = self.builder.step = old_builder.step
            self.builder.epoch_offset = self.builder.epoch = old_builder.epoch
        self.latest = None
        self._extras = {}
        self.canvas.set_spec(self.spec, self._input_names())
        self.canvas.show_message(None)
        self.controls.set_settings(self._control_settings())
        self.controls.set_counters(0, 0)
        if old_builder is None:
            self.loss_plot.clear()
        self._show_view()
        if self._threaded and not self._shut_down:
            self._start_worker()
            if was_running and keep_state:
                self.worker.resume()
            else:
                self.controls.set_running(False)
        else:
            self._show(self.builder.build(slow=True))

    def _show_view(self) -> None:
        view = self.builder.view
        task = self.data.task
        page = {"plane": self.boundary, "curve": self.boundary, "image": self.feature_maps,
                "sequence": self.hidden_plot}.get(view, self.table_note)
        self.output_stack.setCurrentWidget(page)
        titles = {"plane": "OUTPUT over the input plane", "curve": "OUTPUT: the fitted curve",
                  "image": "FEATURE MAPS of one test image", "sequence": "HIDDEN STATE over time",
                  "table": "OUTPUT"}
        self.output_title.setText(titles.get(view, "OUTPUT"))
        if view in ("plane", "curve"):
            names = self.data.meta.get("class_names")
            self.boundary.set_task("regression" if task == "regression" else task, self.data.n_classes, names)
            if view == "plane":
                self.boundary.set_points(self.raw.x_train, self.raw.y_train, self.raw.x_test, self.raw.y_test)
        classifier = task in ("binary", "multiclass")
        self.bottom_tabs.setTabEnabled(0, classifier)
        self.bottom_tabs.setCurrentIndex(0 if classifier else 1)
        if not classifier:
            self.confusion.set_matrix(np.zeros((0, 0)))

    # ------------------------------------------------------------------ worker

    def _start_worker(self) -> None:
        self._token += 1
        thread = QThread()
        thread.setObjectName("trainingThread")
        worker = TrainingWorker(self.trainer, self.builder, token=self._token)
        worker.set_speed(self.controls.speed_value())
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.finished.connect(thread.quit)
        # queued explicitly: these run on the GUI thread whatever PySide makes of the receiver
        queued = Qt.ConnectionType.QueuedConnection
        worker.snapshot.connect(self._on_snapshot, queued)
        worker.diverged.connect(self._on_diverged, queued)
        worker.failed.connect(self._on_failed, queued)
        worker.stateChanged.connect(self._on_state, queued)
        self.worker_thread, self.worker = thread, worker
        thread.start()

    def _stop_worker(self) -> None:
        worker, thread = self.worker, self.worker_thread
        self.worker, self.worker_thread = None, None
        if worker is None:
            return
        worker.cancel()
        thread.quit()
        thread.wait()
        # Signals already queued from the old worker are ignored by their token; both
        # objects were made here without a parent, so Python frees them with the last reference.

    def _on_worker(self, fn) -> None:
        """Run ``fn(trainer)`` where the device is owned: on the worker, or here when there is none."""
        if self.worker is not None:
            self.worker.post(fn)
        elif self.trainer is not None:
            fn(self.trainer)
            self._show(self.builder.build(slow=True))

    def _play_toggled(self, on: bool) -> None:
        if on:
            self.play()
        else:
            self.pause()

    def _on_state(self, state: str) -> None:
        if self.sender() is not self.worker:
            return
        if state in ("paused", "finished"):
            self.controls.set_running(False)

    def _on_snapshot(self, snap: dict) -> None:
        if snap.get("token") != self._token:
            return
        # Drawn in stages, one per turn of the event loop, so each repaint is small and
        # input, timers and the other widgets get their turn between them.
        self._stages = [lambda: self._show_counters(snap), lambda: self._show_canvas(snap),
                        lambda: self._show_output(snap), lambda: self._show_extras(snap)]
        self._stage_token = self._token
        self._stage_started = time.perf_counter()
        self._next_stage()

    def _next_stage(self) -> None:
        if self._stage_token != self._token or not self._stages:
            return
        stage = self._stages.pop(0)
        stage()
        if self._stages:
            QTimer.singleShot(0, self, self._next_stage)  # dropped if the panel goes
            return
        # after this stage's repaint (a later turn), tell the worker how long drawing took
        QTimer.singleShot(0, self, self._ack)

    def _ack(self) -> None:
        if self.worker is not None and self._stage_token == self._token:
            self.worker.ack(time.perf_counter() - self._stage_started)

    def _on_diverged(self, text: str) -> None:
        if self.sender() is not self.worker:
            return
        self.controls.set_running(False)
        self.show_banner(self._divergence_text(text), error=True)

    def _divergence_text(self, text: str) -> str:
        # the engine's sentence says what went wrong and what to change; add how to go on
        return f"Training paused. {text} Then press Train to go on, or Reset to start again."

    def _on_failed(self, text: str) -> None:
        if self.sender() is not self.worker:
            return
        self.controls.set_running(False)
        self.show_banner(f"Training stopped: {text}", error=True)

    def _sample_changed(self, index: int) -> None:
        builder = self.builder

        def choose(trainer):
            builder.sample = int(index)
        self._on_worker(choose)

    # ------------------------------------------------------------------ drawing a snapshot

    def _show(self, snap: dict) -> None:
        """Hand a snapshot's arrays to the widgets at once (no computing here)."""
        self._show_counters(snap)
        self._show_canvas(snap)
        self._show_output(snap)
        self._show_extras(snap)

    def _show_counters(self, snap: dict) -> None:
        self.controls.set_counters(snap["step"], snap["epoch"])
        h = snap["history"]
        if h["step"].size:
            self.loss_plot.set_history(h["step"], h["train_loss"], h["test_loss"], h["accuracy"])

    def _show_canvas(self, snap: dict) -> None:
        self.canvas.set_params(self._link_params(snap["params"]))
        if snap.get("neuron_images"):
            self.canvas.set_neuron_images(snap["neuron_images"], snap.get("image_mode") or "plane",
                                          grey_input=snap["view"] == "image")

    def _show_output(self, snap: dict) -> None:
        view = snap["view"]
        if view == "plane" and snap.get("grid") is not None:
            self.boundary.set_grid(snap["grid"], snap["extent"])
        elif view == "curve" and snap.get("curve") is not None:
            xs, ys = snap["curve"]
            self.boundary.set_curve(xs, ys, self.raw.x_train[:, 0], self.raw.y_train[:, 0],
                                    self.raw.x_test[:, 0], self.raw.y_test[:, 0])
        elif view == "image" and snap.get("feature_maps"):
            fm = snap["feature_maps"]
            self.feature_maps.set_sample_count(fm["count"])
            self.feature_maps.set_maps(fm["input"], fm["layers"])
            self.feature_maps.set_filters(fm["filters"])
            self.feature_maps.set_prediction(fm["prediction"])
        elif view == "sequence" and snap.get("hidden"):
            hs = snap["hidden"]
            self.hidden_plot.set_sample_count(hs["count"])
            if hs["h"] is not None:
                self.hidden_plot.set_hidden(hs["h"])
            self.hidden_plot.set_sequence(hs["x"], hs["target"], hs["prediction"])
            self.hidden_plot.set_predictions(hs["targets"], hs["predictions"])

    def _show_extras(self, snap: dict) -> None:
        # only the tab on show is drawn; the other gets the latest arrays when it is chosen
        if snap.get("confusion") is not None:
            self._extras["confusion"] = snap["confusion"]
        if snap.get("histograms"):
            self._extras["histograms"] = snap["histograms"]
        self._show_tab()
        self.latest = snap  # last: ``latest`` is the snapshot every widget now shows

    def _show_tab(self, *_args) -> None:
        current = self.bottom_tabs.currentWidget()
        if current is self.confusion and self._extras.get("confusion") is not None:
            self.confusion.set_matrix(self._extras.pop("confusion"), self.data.meta.get("class_names"))
        elif current is self.histograms and self._extras.get("histograms"):
            self.histograms.set_histograms(self._extras.pop("histograms"))

    # ------------------------------------------------------------------ step inspector (issue 6)
    # The inspector (ui.inspector_panel) sits in the main splitter beside the canvas;
    # app.step_inspector.StepInspector drives it and runs the trace on the worker.

    def _build_step_inspector(self) -> None:
        self.step_button = QPushButton("Step through", self)
        self.step_button.setObjectName("stepThroughButton")
        self.step_button.setCheckable(True)
        self.step_button.setToolTip("Walk through one training step operation by operation, forward and backward, "
                                    "with the real numbers (training pauses).")
        self._top_bar.addWidget(self.step_button)
        self.inspector = InspectorPanel(self)
        self.inspector.hide()
        self._right_column = self.main_split.widget(2)
        self.main_split.insertWidget(2, self.inspector)
        self.main_split.setStretchFactor(2, 1)
        self._split_sizes = None
        self.step_inspector = StepInspector(self, self.inspector)
        self.step_button.toggled.connect(lambda on: self.step_inspector.open() if on else self.step_inspector.close())

    def show_inspector(self, on: bool) -> None:
        """Show the step inspector beside the canvas, with the data panel and output plots put away
        to make room, or hide it and bring them back."""
        if on != self.inspector.isHidden():
            return
        self.step_button.blockSignals(True)
        self.step_button.setChecked(on)
        self.step_button.blockSignals(False)
        if on:
            self._split_sizes = self.main_split.sizes()
            self.data_panel.hide()
            self._right_column.hide()
            self.inspector.show()
            width = max(self.width(), 900)
            self.main_split.setSizes([0, int(width * 0.35), int(width * 0.65), 0])
        else:
            self.inspector.hide()
            self.data_panel.show()
            self._right_column.show()
            if self._split_sizes:
                self.main_split.setSizes(self._split_sizes)

    def run_on_trainer(self, fn) -> None:
        """Run ``fn(trainer)`` where the trainer lives: on the worker thread, or here without one."""
        self._on_worker(fn)

    def _link_params(self, params: dict) -> dict:
        # while a backward or update step is inspected the links show gradients or changes
        inspector = getattr(self, "step_inspector", None)
        return inspector.link_values(params) if inspector is not None else params


def save_demo_screenshot(preset: str, steps: int, path: str, size=(1500, 950)) -> int:
    """Render the lab alone on ``preset`` after ``steps`` synchronous steps to a PNG at ``path``.

    For ``main.py --demo spiral|digits|sine --steps N --screenshot out.png`` when the
    lab is shown without the main window. Needs a QApplication. Returns 0, or 1 after
    printing a sentence to stderr.
    """
    import sys

    try:
        panel = NetworkLabPanel.demo(preset, steps, size)
    except ValueError as exc:
        print(f"mnlab: {exc}", file=sys.stderr)
        return 1
    return grab_to_png(panel, path)


def grab_to_png(panel: QWidget, path: str) -> int:
    """Show ``panel``, render it to a PNG at ``path`` and close it. Returns 0, or 1 after
    printing a sentence to stderr (the demo screenshots' last step)."""
    import sys

    panel.show()
    QCoreApplication.processEvents()  # let layouts settle before the grab
    ok = panel.grab().save(str(path), "PNG")
    panel.close()
    if not ok:
        print(f"mnlab: could not write the screenshot to {path}: check the folder exists and is writable.",
              file=sys.stderr)
        return 1
    return 0
