"""The matrix challenges: sparse storage, quantisation, low-rank compression and precision.

``ChallengesPanel`` composes the four ui views in tabs and feeds them from
``engine.compress``. Every computation runs on one worker thread (a QThreadPool of one),
keyed by what it is for; a newer request of the same key makes an older one that has
not started yet skip itself, so dragging a slider never queues a backlog, and results
of superseded requests are dropped. Failures come back as sentences under the tab.

Matrices come from a callable returning {name: ndarray} (the matrix lab's workspace)
plus a few built-in examples; the trained network from a callable returning a
snapshot (see ``ChallengesPanel``), else the panel trains a small digits network of
its own the first time one is needed.
"""

from __future__ import annotations

import itertools
import threading
import time

import numpy as np
from PySide6.QtCore import QCoreApplication, QElapsedTimer, QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

import engine
from engine import datasets
from engine.compress import lowrank, precision, quantize, sparse
from engine.errors import EngineError, shape_str
from ui.challenge_lowrank_view import LowRankView
from ui.challenge_precision_view import PrecisionView
from ui.challenge_quant_view import QuantizationView
from ui.challenge_sparse_view import SparseView

NETWORK_ENTRY = "Trained network (every weight)"
TRANSPOSE_ENTRY = "(the left matrix)ᵀ"
#: the small network trained when none is given
OWN_NETWORK = {
    "input": [1, 8, 8],
    "layers": [{"type": "flatten"},
               {"type": "dense", "units": 32, "activation": "relu"},
               {"type": "dense", "units": 10, "activation": "softmax"}],
    "loss": "softmax_ce", "init": "he",
}
OWN_STEPS = 400
#: densities and shape of the Sparse tab's timing (kept small: it runs on request)
TIMING_DENSITIES = (1.0, 0.5, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01)
TIMING_SHAPE = (512, 512, 64)
PRECISION_SPEC = {"input": [2], "layers": [{"type": "dense", "units": 8, "activation": "tanh"},
                                           {"type": "dense", "units": 8, "activation": "tanh"},
                                           {"type": "dense", "units": 1, "activation": "sigmoid"}],
                  "loss": "bce", "init": "xavier"}
PRECISION_STEPS = 400


def example_matrices() -> dict:
    """The built-in matrices, the same every time."""
    rng = np.random.default_rng(2024)
    n = 14
    banded = (np.diag(np.full(n, 4.0)) + np.diag(np.full(n - 1, -1.0), 1) + np.diag(np.full(n - 1, -1.0), -1)
              + np.diag(np.full(n - 3, 0.5), 3))
    banded += np.where(rng.random((n, n)) < 0.25, rng.normal(0, 0.05, (n, n)), 0)
    x = np.linspace(0, 1, 48)
    smooth = (np.outer(np.sin(3 * x), np.cos(2 * x)) * 3 + np.outer(x ** 2, np.sin(5 * x)) * 2
              + np.outer(np.cos(7 * x), x) + rng.normal(0, 0.03, (48, 48)))
    return {
        "Example: banded 14×14": banded,
        "Example: smooth 48×48 (nearly rank 3)": smooth,
        "Example: random 20×12": rng.normal(size=(20, 12)),
        "Example: sparse random 24×24": sparse.random_sparse((24, 24), 0.15, seed=3, dtype=np.float64),
        "Example: Hilbert 8×8": precision.hilbert_matrix(8),
        "Example: random 64×256": rng.uniform(-1, 1, (64, 256)),
        "Example: random 256×48": rng.uniform(-1, 1, (256, 48)),
    }


def _sentence(exc: BaseException) -> str:
    """An exception as a sentence for the message line."""
    if isinstance(exc, (EngineError, ValueError, TypeError)):
        return str(exc)
    return f"Something went wrong ({type(exc).__name__}: {exc})."


class _Signals(QObject):
    finished = Signal(object)


class _Job(QRunnable):
    """Runs ``fn()`` on the pool thread unless a newer job of its key came in since."""

    def __init__(self, panel, key: str, token: int, fn):
        super().__init__()
        self.key, self.token, self.fn = key, token, fn
        self._latest = panel._latest
        self.signals = _Signals()  # made in the GUI thread, so its signal arrives there

    def run(self):
        if self._latest.get(self.key) != self.token:
            self.signals.finished.emit((self.key, self.token, None, None, True))
            return
        try:
            result = self.fn()
            self.signals.finished.emit((self.key, self.token, result, None, False))
        except BaseException as exc:  # every failure becomes a sentence
            self.signals.finished.emit((self.key, self.token, None, exc, False))


class ChallengesPanel(QWidget):
    """The "Challenges" page: tabs Sparse / Quantisation / Low rank / Precision.

    ``matrices``: a callable returning {name: ndarray} (e.g. the matrix lab's workspace),
    read again each time the panel is shown; the built-in examples follow them.
    ``network``: a callable returning None or a trained network as plain data,
    {"spec": NetworkSpec or dict, "params": {name: ndarray}, "data": Dataset, "name": str},
    or a (Model, Dataset) pair; without one the panel trains a small digits network
    itself. ``threaded=False`` computes in the calling thread (``demo`` and tests).
    """

    statusMessage = Signal(str)

    def __init__(self, parent: QWidget | None = None, matrices=None, network=None, threaded: bool = True):
        super().__init__(parent)
        self.setObjectName("challengesPanel")
        self._matrices_fn = matrices
        self._network_fn = network
        self._threaded = threaded
        self._latest: dict = {}
        self._tokens = itertools.count(1)
        self._jobs: list = []
        self._callbacks: dict = {}
        self._lock = threading.Lock()
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)  # one worker: device work never overlaps itself
        self.matrices: dict = {}
        self.network = None           # (Model, Dataset, name, {param: ndarray}) once known
        self._network_tried = False
        self._listed_network = False
        self._started: set = set()
        self._svd = None              # (source name, SVD)
        self._quant_net = None        # ((scheme, per, id(network)), NetworkQuantization, name)

        self.sparse_view = SparseView(self)
        self.quant_view = QuantizationView(self)
        self.lowrank_view = LowRankView(self)
        self.precision_view = PrecisionView(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("challengeTabs")
        self.tabs.addTab(self.sparse_view, "Sparse")
        self.tabs.addTab(self.quant_view, "Quantisation")
        self.tabs.addTab(self.lowrank_view, "Low rank")
        self.tabs.addTab(self.precision_view, "Precision")
        self.device_label = QLabel(self)
        self.device_label.setObjectName("challengesDevice")
        self.device_label.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.device_label)

        self.sparse_view.sourceChanged.connect(lambda _name: self._sparse_source())
        self.sparse_view.thresholdChanged.connect(lambda _t: self.update_sparse())
        self.sparse_view.timingRequested.connect(self.measure_sparse)
        self.quant_view.settingsChanged.connect(lambda _s: self.update_quant())
        self.lowrank_view.sourceChanged.connect(lambda _n: self.update_svd())
        self.lowrank_view.rankChanged.connect(lambda _k: self.update_rank())
        self.lowrank_view.layerChanged.connect(lambda _n: self.update_accuracy_curve())
        self.precision_view.summationRequested.connect(self.run_summation)
        self.precision_view.productRequested.connect(self.run_product)
        self.precision_view.trainingRequested.connect(self.run_training)
        self.tabs.currentChanged.connect(lambda _i: self._start_tab())
        app = QCoreApplication.instance()
        if app is not None:
            # child widgets get no closeEvent when the window closes: stop the worker on quit too
            app.aboutToQuit.connect(self.shutdown)

        self.refresh_sources()

    # ------------------------------------------------------------------ public
    @classmethod
    def demo(cls, size=(1400, 900)) -> "ChallengesPanel":
        """A panel with every tab computed (examples and its own digits network), for screenshots."""
        panel = cls(threaded=False)
        panel.resize(*size)
        panel.sparse_view.set_sources(list(panel.matrices), "Example: banded 14×14")
        panel._sparse_source()
        panel.sparse_view.set_threshold(0.04)
        panel.update_sparse()
        panel.measure_sparse()
        panel.quant_view.set_settings("affine", "row")
        panel.quant_view.set_sources(panel._quant_sources(), NETWORK_ENTRY)
        panel.update_quant()
        panel.lowrank_view.set_sources(list(panel.matrices), "Example: smooth 48×48 (nearly rank 3)")
        panel.update_svd(k=3)
        panel.update_accuracy_curve()
        panel._run_pca()
        panel.precision_view.set_sources(list(panel.matrices), "Example: random 64×256",
                                         "Example: random 256×48", (TRANSPOSE_ENTRY,))
        panel._start_tab_precision()
        panel._started.update({0, 1, 2, 3})
        return panel

    def refresh_sources(self) -> None:
        """Re-read the workspace matrices and the network, and refill every matrix list."""
        mats = {}
        if self._matrices_fn is not None:
            try:
                given = self._matrices_fn() or {}
            except Exception as exc:  # the workspace is someone else's: report, do not crash
                given = {}
                self._message(self.sparse_view, f"The workspace matrices could not be read: {_sentence(exc)}", True)
            for name, a in given.items():
                arr = np.asarray(a)
                if arr.ndim == 2 and arr.size and arr.dtype.kind in "biuf" and np.all(np.isfinite(arr)):
                    mats[str(name)] = arr.astype(np.float64)
        mats.update(example_matrices())
        if self.network is not None:
            for name, w in self._network_params().items():
                if w.ndim == 2:
                    mats[f"Network weight {name} ({shape_str(w.shape)})"] = w.astype(np.float64)
        self.matrices = mats
        names = list(mats)
        self.sparse_view.set_sources(names, self.sparse_view.current_source())
        self.quant_view.set_sources(self._quant_sources(), self.quant_view.settings()["source"])
        self.lowrank_view.set_sources(names, self.lowrank_view.current_source())
        self.precision_view.set_sources(names, self.precision_view.prod_a.currentText(),
                                        self.precision_view.prod_b.currentText(), (TRANSPOSE_ENTRY,))
        self.device_label.setText(f"Computing on {engine.current_device().describe()}.")

    def wait_for_idle(self, msecs: int = 60000) -> bool:
        """Block until the worker is done and its results delivered (scripts and tests only)."""
        timer = QElapsedTimer()
        timer.start()
        while self._jobs and timer.elapsed() < msecs:
            self.pool.waitForDone(50)
            QCoreApplication.processEvents()
        return not self._jobs

    def shutdown(self) -> None:
        """Skip queued work and wait for the running job (on close)."""
        for key in list(self._latest):
            self._latest[key] = -1
        self.pool.waitForDone(10000)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.shutdown()
        super().closeEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self.refresh_network()
        self.refresh_sources()
        self._start_tab()

    def refresh_network(self) -> None:
        """Forget the copy of the given network so the next use fetches it again (it may have
        trained on since); tabs that showed it recompute when shown. No-op for the own network."""
        if self._network_fn is None or self.network is None:
            return
        # plain assignments, no lock: the GUI thread must never wait for the worker
        self.network = None
        self._quant_net = None
        self._listed_network = False
        self._started.discard(1)
        self._started.discard(2)

    # ------------------------------------------------------------------ work
    def _submit(self, key: str, fn, done, view=None) -> None:
        """Run ``fn`` for ``key`` off the GUI thread; ``done(result)`` back on it."""
        token = next(self._tokens)
        self._latest[key] = token
        self._callbacks[(key, token)] = (done, view)
        if not self._threaded:
            try:
                result, exc = fn(), None
            except BaseException as e:  # noqa: BLE001 - shown as a sentence
                result, exc = None, e
            self._finished((key, token, result, exc, False))
            return
        job = _Job(self, key, token, fn)
        job.signals.finished.connect(self._finished)
        self._jobs.append(job)
        self.pool.start(job)

    def _finished(self, out) -> None:
        key, token, result, exc, skipped = out
        self._jobs = [j for j in self._jobs if not (j.key == key and j.token == token)]
        done, view = self._callbacks.pop((key, token), (None, None))
        if skipped or done is None or self._latest.get(key) != token:
            return  # superseded: a newer request of this key is on its way
        if exc is not None:
            sentence = _sentence(exc)
            if view is not None:
                self._message(view, sentence, True)
            self.statusMessage.emit(sentence)
            return
        done(result)

    @staticmethod
    def _message(view, text: str, error: bool = False) -> None:
        view.set_message(text, error)

    def _start_tab(self) -> None:
        """Compute a tab's contents the first time it is shown."""
        if self.isVisible():
            self.start_tab(self.tabs.currentIndex())

    def start_tab(self, index: int, again: bool = False) -> None:
        """Compute tab ``index``'s contents now (once, unless ``again``): 0 Sparse, 1 Quantisation,
        2 Low rank, 3 Precision. Showing a tab does this by itself."""
        if index in self._started and not again:
            return
        self._started.add(index)
        if index == 0:
            self._sparse_source()
        elif index == 1:
            self.update_quant()
        elif index == 2:
            self.update_svd()
            self.update_accuracy_curve()
            self._run_pca()
        else:
            self._start_tab_precision()

    # ------------------------------------------------------------------ network
    def _fetch_network(self):
        """The network as (Model, Dataset, name, params), fetched once (from the source, else
        by training one), or None when there is none yet.

        Runs on the worker thread: training, copying and evaluating are device work. The
        caller keeps the tuple it gets: the GUI thread may drop ``self.network`` meanwhile.
        """
        with self._lock:
            net = self.network
            if net is not None:
                return net
            if self._network_tried:
                return None
            if self._network_fn is not None:
                snap = self._network_fn()
                if snap is None:
                    return None  # none trained yet: ask again next time
                net = self._adopt(snap)
            else:
                self._network_tried = True  # train our own only once
                net = self._train_own()
            self.network = net
            return net

    def _network_arrived(self) -> None:
        """Once a network exists, list its weights among the matrices (GUI thread)."""
        if self.network is not None and not self._listed_network:
            self._listed_network = True
            self.refresh_sources()

    def _adopt(self, snap):
        """A network snapshot as (Model copy, Dataset, name, params) on the current device."""
        if isinstance(snap, tuple) and len(snap) == 2 and isinstance(snap[0], engine.Model):
            model, data = snap
            spec, params, name = model.spec, model.params(), "the network lab's network"
        else:
            spec, params, data = snap["spec"], snap["params"], snap["data"]
            name = snap.get("name", "the network lab's network")
        model = engine.Model(spec, seed=0)
        model.set_params(params)
        return model, data, name, {k: np.asarray(v) for k, v in params.items()}

    def _train_own(self):
        data = datasets.load("digits", seed=0)
        model = engine.Model(OWN_NETWORK, seed=0)
        trainer = engine.Trainer(model, data, optimizer={"type": "adam", "lr": 0.01}, batch_size=32, seed=0)
        trainer.step(OWN_STEPS)
        name = f"a digits network trained here for {OWN_STEPS} steps (64 → 32 relu → 10 softmax)"
        return model, data, name, model.params()

    def _network_params(self) -> dict:
        """The network's parameters, read once when it arrived (no device read here)."""
        return self.network[3] if self.network is not None else {}

    # ------------------------------------------------------------------ sparse
    def _sparse_source(self) -> None:
        name = self.sparse_view.current_source()
        a = self.matrices.get(name)
        if a is None:
            return
        self.sparse_view.set_range(float(np.max(np.abs(a))))
        self.sparse_view.set_threshold(0.0)
        self.update_sparse()

    def update_sparse(self) -> None:
        """Prune the chosen matrix at the threshold and show its three forms."""
        name = self.sparse_view.current_source()
        a = self.matrices.get(name)
        if a is None:
            return
        t = self.sparse_view.threshold()
        device = engine.current_device()

        def work():
            pruned = sparse.prune(a, t, name=name)
            forms = {f: sparse.convert(pruned, f) for f in sparse.FORMATS}
            info = sparse.storage(pruned, dtype=np.float32)
            rng = np.random.default_rng(0)
            b = rng.normal(size=(a.shape[1], 4))
            got = sparse.spmm(forms["csr"], b, dtype=np.float32)
            err = float(np.max(np.abs(got - pruned @ b))) / max(float(np.max(np.abs(pruned @ b))), 1e-30)
            return pruned, {f: s.arrays() for f, s in forms.items()}, info, err

        def done(res):
            pruned, arrays, info, err = res
            self.sparse_view.set_matrix(pruned, name)
            self.sparse_view.set_formats(arrays, info)
            even = sparse.break_even_density(pruned.shape, np.float32)
            self._message(self.sparse_view,
                          f"{info['nnz']:,} stored of {pruned.size:,}: CSR takes {info['csr']:,} bytes against "
                          f"{info['dense']:,} dense (float32 values, int32 indices); CSR is the smaller below "
                          f"{even:.0%} density. The CSR kernel's A·B on {device.name} matches the dense "
                          f"product to {err:.1e} (relative).")

        self._submit("sparse", work, done, self.sparse_view)

    def measure_sparse(self) -> None:
        """Time the CSR product against the dense one by density on the current device."""
        m, k, n = TIMING_SHAPE
        device = engine.current_device()
        self.sparse_view.set_busy(True)

        def done(r):
            self.sparse_view.set_busy(False)
            wins = r["density"][r["speedup"] > 1]
            where = (f"sparse wins below about {wins.max():.0%} density" if wins.size
                     else "sparse never wins at these densities")
            self.sparse_view.set_timing(r["density"], r["sparse_s"], r["dense_s"],
                                        f"({m}×{k} in CSR) · ({k}×{n}) on {device.name}, float32, fastest of 3: "
                                        f"{where}; at 1% it is {r['speedup'][-1]:.1f}× faster than dense.")

        self._submit("timing", lambda: sparse.spmm_timing(m, k, n, TIMING_DENSITIES, repeats=3), done,
                     self.sparse_view)
        if not self._threaded:
            self.sparse_view.set_busy(False)

    # ------------------------------------------------------------------ quantisation
    def _quant_sources(self) -> list:
        names = list(self.matrices)
        if self.network is not None or not self._network_tried:  # a network exists, or may
            names = [NETWORK_ENTRY] + names
        return names

    def update_quant(self) -> None:
        """Quantise the chosen matrix (or the network's weights) with the chosen settings."""
        s = self.quant_view.settings()
        source, scheme, per = s["source"], s["scheme"], s["per"]
        if source == NETWORK_ENTRY:
            self._update_quant_network(scheme, per, s["layer"])
            return
        a = self.matrices.get(source)
        if a is None:
            return
        self.quant_view.set_layers([])
        self.quant_view.set_network(None)

        def work():
            return _quant_result(a, quantize.quantize(a, scheme, per, name=source), source)

        def done(r):
            self.quant_view.set_result(r)
            self._message(self.quant_view, f"{source} in int8, {scheme}, {r['granularity']}: the error never "
                                           f"exceeds half a grid step.")

        self._submit("quant", work, done, self.quant_view)

    def _update_quant_network(self, scheme, per, layer) -> None:
        self._message(self.quant_view, "Quantising every weight of the network and measuring it on the test set…")

        def work():
            net = self._fetch_network()
            if net is None:
                raise ValueError("There is no trained network yet: train one in the network lab first.")
            cached = self._quant_net
            if cached is None or cached[0] != (scheme, per, id(net)):
                model, data = net[:2]
                cached = ((scheme, per, id(net)), quantize.quantize_network(model, data, scheme, per), net[2])
                self._quant_net = cached
            return cached[1], cached[2]

        def done(out):
            res, net_name = out
            self._network_arrived()
            names = [entry["name"] for entry in res.layers]
            current = layer if layer in names else names[0]
            self.quant_view.set_layers(names, current)
            entry = res.layers[names.index(current)]
            self.quant_view.set_result(_quant_result(entry["original"], entry["quantized"], f"weight {current}",
                                                     restored=entry["restored"]))
            drop = (res.before["accuracy"] or 0) - (res.after["accuracy"] or 0)
            self.quant_view.set_network(
                res.before, res.after, res.float_bytes, res.int8_bytes,
                f"{net_name}. Every weight rounded to int8 ({scheme}, one scale per {per}); biases stay "
                f"float32; the arithmetic stays float, so this measures the rounding alone.")
            self._message(self.quant_view, f"int8 weights take {res.int8_bytes / res.float_bytes:.0%} of the bytes "
                                           f"and cost {100 * drop:+.2f} points of test accuracy.")

        self._submit("quant", work, done, self.quant_view)

    # ------------------------------------------------------------------ low rank
    def update_svd(self, k: int | None = None) -> None:
        """SVD of the chosen matrix on the device, then the approximation at rank k."""
        name = self.lowrank_view.current_source()
        a = self.matrices.get(name)
        if a is None:
            return

        def work():
            t0 = time.perf_counter()
            dec = lowrank.svd(a, name=name)
            return dec, time.perf_counter() - t0

        def done(res):
            dec, seconds = res
            self._svd = (name, a, dec)
            limit = dec.rank_max
            rank = k if k is not None else max(1, min(limit, dec.numerical_rank() // 4 or 1))
            ref = np.linalg.svd(a, compute_uv=False)
            agree = float(np.max(np.abs(dec.s - ref)) / ref[0]) if ref[0] > 0 else 0.0
            self.lowrank_view.set_rank(rank, limit)
            self.lowrank_view.set_spectrum(
                dec.s, f"{name}: {limit} singular values by one-sided Jacobi on {dec.device} ({dec.dtype.name}) in "
                       f"{dec.sweeps} sweeps, {seconds * 1e3:.0f} ms; numpy.linalg.svd agrees to {agree:.1e} of σ₁. "
                       f"Numerical rank {dec.numerical_rank()}.")
            self.update_rank()

        self._submit("svd", work, done, self.lowrank_view)

    def update_rank(self) -> None:
        """Rebuild A_k at the slider's rank from the SVD already computed."""
        if self._svd is None:
            return
        name, a, dec = self._svd
        k = self.lowrank_view.rank()

        def work():
            return lowrank.low_rank(a, k, svd_result=dec, name=name)

        def done(res):
            self.lowrank_view.set_approximation(a, res.approx, {
                "k": res.k, "relative": res.relative, "spectral": res.spectral, "energy": res.energy,
                "params": res.params, "params_full": res.params_full})
            self._message(self.lowrank_view, f"Rank {res.k}: {res.relative:.2%} relative error, "
                                             f"{res.params:,} numbers instead of {res.params_full:,}.")

        self._submit("rank", work, done, self.lowrank_view)

    def update_accuracy_curve(self) -> None:
        """Accuracy of the network against the rank of one dense layer."""
        chosen = self.lowrank_view.layer.currentText()

        def work():
            net = self._fetch_network()
            if net is None:
                return None
            model, data, name = net[:3]
            dense = [i for i, layer in enumerate(model.spec.layers) if layer.kind == "dense"]
            labels = [f"{i}.W ({shape_str(model.spec.param_shapes()[f'{i}.W'])})" for i in dense]
            layer = dense[labels.index(chosen)] if chosen in labels else None
            curve = lowrank.accuracy_vs_rank(model, data, layer=layer)
            return labels, curve, name

        def done(res):
            self._network_arrived()
            if res is None:
                self.lowrank_view.set_layers([])
                return
            labels, curve, name = res
            index = curve["layer"]
            label = next(lb for lb in labels if lb.startswith(f"{index}.W"))
            self.lowrank_view.set_layers(labels, label)
            accs = curve["accuracy"]
            full = curve["full"]["accuracy"]
            if full is None:
                note = "This network is not a classifier, so there is no accuracy to show."
            else:
                good = [k for k, acc in zip(curve["ranks"], accs) if acc is not None and acc >= full - 0.01]
                k_ok = good[0] if good else curve["ranks"][-1]
                p_ok = curve["params"][curve["ranks"].index(k_ok)]
                note = (f"{name}: the layer's W becomes two layers, W ≈ U_k·(Σ_k V_kᵀ). Rank {k_ok} keeps accuracy "
                        f"within one point of the original ({full:.1%}) with {p_ok:,} of "
                        f"{curve['params_full']:,} parameters in the layer.")
            self.lowrank_view.set_accuracy_curve(curve["ranks"], accs, curve["params"], curve["params_full"], full,
                                                 note)

        self._submit("accuracy", work, done, self.lowrank_view)

    def _run_pca(self) -> None:
        def work():
            x = datasets.load("digits", seed=0).x_train
            return lowrank.pca(x, 12)

        def done(res):
            self.lowrank_view.set_pca(res.component_images()[:, 0], res.ratio,
                                      f"The first 12 components explain {res.ratio.sum():.0%} of the variance of "
                                      f"{res.scores.shape[0]} digits (64 pixels each). Red: brighter than the mean "
                                      "digit, blue: darker.")

        self._submit("pca", work, done, self.lowrank_view)

    # ------------------------------------------------------------------ precision
    def _start_tab_precision(self) -> None:
        view = self.precision_view
        self.run_summation(int(view.sum_n.currentData()), view.sum_value.currentData())
        self._run_hilbert()
        self.run_product(view.prod_a.currentText(), view.prod_b.currentText())
        self.run_training()

    def run_summation(self, n: int, value) -> None:
        """Sum n small numbers in several ways on the device."""
        self.precision_view.set_busy("summation", True)

        def done(r):
            self.precision_view.set_busy("summation", False)
            self.precision_view.set_summation(r)

        self._submit("summation", lambda: precision.summation(n, value), done, self.precision_view)
        if not self._threaded:
            self.precision_view.set_busy("summation", False)

    def _run_hilbert(self) -> None:
        self._submit("hilbert", lambda: precision.hilbert(range(2, 15)), self.precision_view.set_hilbert,
                     self.precision_view)

    def run_product(self, a_name: str, b_name: str) -> None:
        """A·B in float32 and float64, and solving with A when it is square."""
        a = self.matrices.get(a_name)
        if a is None:
            return
        b = a.T if b_name == TRANSPOSE_ENTRY else self.matrices.get(b_name)
        if b is None:
            return

        def work():
            r = precision.product_precision(a, b, names=(a_name, b_name))
            solve = precision.solve_precision(a, names=(a_name, "b")) if a.shape[0] == a.shape[1] else None
            return r, solve

        def done(res):
            r, solve = res
            self.precision_view.set_product(r, f"C32 − C64 for {a_name} · {b_name}")
            if solve is not None:
                self.precision_view.set_solve(
                    f"Solving {a_name}·x = {a_name}·1: κ₂ = {solve['cond']:.3g}; error in float32 "
                    f"{solve['error32']:.2e}, in float64 {solve['error64']:.2e}.")
            self._message(self.precision_view, f"{a_name} · {b_name}: float32 differs from float64 by "
                                               f"{r['relative']:.2e} relative, a few float32 roundings.")

        self._submit("product", work, done, self.precision_view)

    def run_training(self) -> None:
        """Train the same small network in float32 and float64 and compare."""
        self.precision_view.set_busy("training", True)

        def work():
            data = datasets.load("circle", n=200, noise=0.1, seed=0)
            return precision.training_precision(PRECISION_SPEC, data, steps=PRECISION_STEPS, every=10,
                                                optimizer={"type": "sgd", "lr": 0.1})

        def done(r):
            self.precision_view.set_busy("training", False)
            self.precision_view.set_training(r)

        self._submit("training", work, done, self.precision_view)
        if not self._threaded:
            self.precision_view.set_busy("training", False)


def _quant_result(a, q, title: str, restored=None) -> dict:
    """What QuantizationView.set_result draws, for array ``a`` quantised as ``q``."""
    a = np.asarray(a)
    back = q.dequantize() if restored is None else np.asarray(restored)
    stats = quantize.error_stats(a, back)
    edges, counts = quantize.histogram(a, bins=120)
    widest = int(np.argmax(q.scale))
    per_text = "per tensor" if q.groups == 1 else "per row"
    note = (f"Orange: the {q.qmax - q.qmin + 1} values int8 can hold"
            + (f" in row {widest + 1}, whose grid is the coarsest of the {q.groups} rows (each row has its own)"
               if q.groups > 1 else "") + f", {q.scale[widest]:.3g} apart; dashed where the grid ends. Below, "
            "every value measured in steps of its own grid, near zero: rounding moves it to the nearest whole "
            "step.")
    flat = a.reshape(a.shape[0], -1) if a.ndim > 2 else a
    # The zoom measures every value in grid steps of its own group, a/scale: each group's
    # grid then falls on the integers (shifted by the zero point), so all rows share one picture.
    steps = a.reshape(q.groups, -1).astype(np.float64) / q.scale.astype(np.float64)[:, None]
    steps_after = np.asarray(back).reshape(q.groups, -1).astype(np.float64) / q.scale.astype(np.float64)[:, None]
    zoom_edges = np.arange(-10.0, 10.0 + 1e-9, 0.125) - 0.0625  # integers fall mid-bin
    zoom_before, _ = np.histogram(steps, bins=zoom_edges)
    zoom_after, _ = np.histogram(steps_after, bins=zoom_edges)
    return {"title": title, "original": flat, "error": (back.astype(np.float64) - a).reshape(flat.shape),
            "stats": stats, "scale": float(q.scale.max()), "groups": q.groups, "edges": edges, "counts": counts,
            "grid": q.grid(widest), "grid_note": note, "float_bytes": q.float_nbytes, "int8_bytes": q.nbytes,
            "granularity": per_text, "zoom_edges": zoom_edges, "zoom_before": zoom_before,
            "zoom_after": zoom_after, "zoom_grid": np.arange(-10.0, 11.0)}
