"""What the network lab's plots need, computed from a model in one go: a snapshot of numpy copies.

Runs on the training worker's thread (it evaluates the model on the device), never on the
GUI thread: the GUI only receives the finished dict. Nothing here imports Qt.

A snapshot is a dict:

* ``step``, ``epoch``, ``history`` ({"step", "train_loss", "test_loss", "accuracy"} arrays)
* ``params``: every parameter by name
* ``view``: "plane" (2-D points, maybe through feature maps), "curve" (regression on one
  input), "image", "sequence" or "table" (anything else)
* plane: ``grid`` (G, G) or (G, G, K) output over ``extent``, row 0 the lowest x2
* curve: ``curve`` = (x, y) of the fitted line
* ``neuron_images``: {layer: (units, h, w)}, −1 the input; ``image_mode`` says what they are
* image: ``feature_maps`` {"input", "layers", "filters", "prediction"}
* sequence: ``hidden`` {"h", "x", "target", "prediction", "targets", "predictions"}
* ``confusion`` (K, K) counts for classifiers; ``histograms`` per weight parameter
  (both refreshed at most every ``slow_interval`` seconds; None in between)
"""

from __future__ import annotations

import time

import numpy as np

GRID = 100           # the output over the plane, for the boundary plot
NEURON_GRID = 50     # each neuron's map on the canvas: a 34-pixel square needs no more
MAX_HISTORY = 4000   # history points kept; beyond, every other one is dropped
HIST_BINS = 30


def view_kind(data, features) -> str:
    """How the lab pictures ``data`` (the set as loaded, before any feature maps)."""
    shape = tuple(data.input_shape)
    if len(shape) == 3:
        return "image"
    if len(shape) == 2:
        return "sequence"
    if shape == (2,):
        return "plane"
    if shape == (1,) and data.task == "regression":
        return "curve"
    return "table"


def plane_extent(x: np.ndarray) -> tuple:
    """The square of the plane to draw: Playground's ±6 when the points fit in it."""
    lim = float(np.nanmax(np.abs(x))) if x.size else 6.0
    lim = 6.0 if lim <= 6.5 else lim * 1.05
    return (-lim, lim, -lim, lim)


class History:
    """Loss and accuracy per recorded chunk, thinned so it never outgrows ``MAX_HISTORY``."""

    def __init__(self):
        self._rows: list = []
        self._stride = 1
        self._skip = 0

    def record(self, result: dict) -> None:
        """Add a ``Trainer.step`` result (kept one in every ``stride`` once thinned)."""
        self._skip += 1
        if self._skip < self._stride:
            return
        self._skip = 0
        self._rows.append((float(result.get("step", 0)), float(result.get("train_loss", np.nan)),
                           _num(result.get("test_loss")), _num(result.get("accuracy"))))
        if len(self._rows) > MAX_HISTORY:
            self._rows = self._rows[::2]
            self._stride *= 2

    def arrays(self) -> dict:
        """{"step", "train_loss", "test_loss", "accuracy"} as float arrays (accuracy None if never given)."""
        if not self._rows:
            empty = np.zeros(0)
            return {"step": empty, "train_loss": empty, "test_loss": empty, "accuracy": None}
        a = np.array(self._rows, dtype=np.float64)
        acc = a[:, 3] if np.isfinite(a[:, 3]).any() else None
        return {"step": a[:, 0], "train_loss": a[:, 1], "test_loss": a[:, 2], "accuracy": acc}

    def __len__(self) -> int:
        return len(self._rows)


def _num(v) -> float:
    return np.nan if v is None else float(v)


class SnapshotBuilder:
    """Builds snapshots of one model training on one data set.

    ``data`` is what the trainer trains on (features applied); ``raw`` the set as
    loaded (2-D points for the plane); ``features`` the feature names or None.
    ``sample`` picks the test image or sequence the image and sequence views follow.
    """

    def __init__(self, model, data, raw=None, features=None, slow_interval: float = 0.25):
        import engine.datasets as datasets  # engine only; this module stays Qt-free

        self._datasets = datasets
        self.model = model
        self.data = data
        self.raw = raw if raw is not None else data
        self.features = list(features) if features else None
        self.view = view_kind(self.raw, self.features)
        self.history = History()
        self.sample = 0
        self.slow_interval = float(slow_interval)
        self._last_slow = -1e9
        self.step = 0
        self.epoch = 0.0
        #: added to the trainer's counters when a new trainer carries on an old run
        self.step_offset = 0
        self.epoch_offset = 0.0
        self._grid_x = None
        self.extent = None
        if self.view == "plane":
            self.extent = plane_extent(np.concatenate([self.raw.x_train, self.raw.x_test]))
            x0, x1, y0, y1 = self.extent
            gx = np.linspace(x0, x1, GRID, dtype=np.float32)
            gy = np.linspace(y0, y1, GRID, dtype=np.float32)
            xx, yy = np.meshgrid(gx, gy)  # row i has x2 = gy[i]: row 0 is the lowest x2
            plane = np.stack([xx.ravel(), yy.ravel()], axis=1)
            self._plane = plane
            self._grid_x = datasets.features(plane, self.features) if self.features else plane
        # a fixed small batch for the gradient histograms, so they compare over time
        n = min(64, data.x_train.shape[0])
        self._grad_x = data.x_train[:n]
        self._grad_y = data.y_train[:n]

    # ------------------------------------------------------------------ recording

    def record(self, result: dict) -> None:
        """Note a ``Trainer.step`` result (step, epoch, losses, accuracy)."""
        result = dict(result)
        result["step"] = int(result.get("step", 0)) + self.step_offset
        result["epoch"] = float(result.get("epoch", 0.0)) + self.epoch_offset
        self.step = result["step"]
        self.epoch = result["epoch"]
        self.history.record(result)

    # ------------------------------------------------------------------ building

    def build(self, slow: bool | None = None) -> dict:
        """A snapshot of the model now (see the module docstring).

        ``slow`` forces (True) or skips (False) the confusion matrix and histograms;
        None refreshes them when ``slow_interval`` has passed.
        """
        now = time.perf_counter()
        if slow is None:
            slow = now - self._last_slow >= self.slow_interval
        if slow:
            self._last_slow = now
        snap = {
            "step": self.step,
            "epoch": self.epoch,
            "history": self.history.arrays(),
            "params": self.model.params(),
            "view": self.view,
            "image_mode": None,
            "neuron_images": {},
            "confusion": None,
            "histograms": None,
        }
        if self.view == "plane":
            self._plane_parts(snap)
        elif self.view == "curve":
            self._curve_parts(snap)
        elif self.view == "image":
            self._image_parts(snap)
        elif self.view == "sequence":
            self._sequence_parts(snap)
        if slow:
            if self.data.task in ("binary", "multiclass"):
                snap["confusion"] = self._confusion()
            snap["histograms"] = self._histograms(snap["params"])
        return snap

    def _layers(self):
        return self.model.spec.layers

    def _plane_parts(self, snap: dict) -> None:
        out = self.model.evaluate(self._grid_x)
        g = GRID
        y = out["output"]
        if self.model.spec.loss == "softmax_ce":
            snap["grid"] = y.reshape(g, g, -1)
        else:
            snap["grid"] = y[:, 0].reshape(g, g)
        snap["extent"] = self.extent
        step = GRID // NEURON_GRID
        images = {-1: self._grid_x.T.reshape(-1, g, g)[:, ::step, ::step].copy()}
        for i, a in enumerate(out["activations"]):
            if a.ndim == 2:
                images[i] = a.T.reshape(-1, g, g)[:, ::step, ::step].copy()
        snap["neuron_images"] = images
        snap["image_mode"] = "plane"

    def _curve_parts(self, snap: dict) -> None:
        x = np.concatenate([self.data.x_train[:, 0], self.data.x_test[:, 0]])
        lo, hi = float(x.min()), float(x.max())
        pad = 0.05 * (hi - lo or 1.0)
        xs = np.linspace(lo - pad, hi + pad, 200, dtype=np.float32)[:, None]
        out = self.model.evaluate(xs)
        snap["curve"] = (xs[:, 0].copy(), out["output"][:, 0].copy())
        images = {-1: xs.T[:, None, :].copy()}
        for i, a in enumerate(out["activations"]):
            if a.ndim == 2:
                images[i] = a.T[:, None, :].copy()
        snap["neuron_images"] = images
        snap["image_mode"] = "curve"

    def _chosen(self):
        n = self.data.x_test.shape[0]
        i = min(max(int(self.sample), 0), n - 1)
        return i, self.data.x_test[i:i + 1], self.data.y_test[i]

    def _image_parts(self, snap: dict) -> None:
        i, x, y = self._chosen()
        out = self.model.evaluate(x)
        layers = []
        images = {-1: x[0].copy()}
        for k, (layer, a) in enumerate(zip(self._layers(), out["activations"])):
            a = a[0]
            if layer.kind in ("conv2d", "maxpool2d", "avgpool2d"):
                word = {"conv2d": "conv", "maxpool2d": "max pool", "avgpool2d": "avg pool"}[layer.kind]
                layers.append((f"{k + 1} · {word} {a.shape[0]}×{a.shape[1]}×{a.shape[2]}", a.copy()))
                if layer.kind == "conv2d":
                    images[k] = a.copy()
            elif layer.kind == "dense":
                images[k] = a.reshape(-1, 1, 1).copy()
        probs = out["output"][0]
        names = self.data.meta.get("class_names") or [str(c) for c in range(probs.size)]
        best = int(np.argmax(probs))
        truth = int(np.asarray(y).ravel()[0])
        ok = "#2e7d32" if best == truth else "#c0392b"
        text = (f"true <b>{names[truth]}</b> · predicted <b style='color:{ok}'>{names[best]}</b> "
                f"({100 * float(probs[best]):.0f}%)")
        filters = [(f"{k + 1} · filters {self._layers()[k].kernel}×{self._layers()[k].kernel}", p)
                   for k, p in ((int(name.split(".")[0]), w) for name, w in snap["params"].items()
                                if name.endswith(".W") and w.ndim == 4)]
        snap["feature_maps"] = {"input": x[0, 0].copy(), "layers": layers, "filters": filters,
                                "prediction": text, "count": self.data.x_test.shape[0], "index": i}
        snap["neuron_images"] = images
        snap["image_mode"] = "image"

    def _sequence_parts(self, snap: dict) -> None:
        i, x, y = self._chosen()
        out = self.model.evaluate(x)
        images = {-1: x[0].T[:, None, :].copy()}  # (features, 1, T)
        hidden = None
        for k, (layer, a) in enumerate(zip(self._layers(), out["activations"])):
            if layer.kind == "rnn":
                h = out.get("hidden_states", {}).get(k)
                h = h[0] if h is not None else (a[0] if a.ndim == 3 else None)
                if h is not None:
                    images[k] = h.T[:, None, :].copy()
                    if hidden is None:
                        hidden = h.copy()
            elif layer.kind == "dense" and a.ndim == 2:
                images[k] = a[0].reshape(-1, 1, 1).copy()
        m = min(200, self.data.x_test.shape[0])
        preds = self.model.forward(self.data.x_test[:m]).reshape(m, -1)[:, 0]
        targets = np.asarray(self.data.y_test[:m]).reshape(m, -1)[:, 0]
        snap["hidden"] = {"h": hidden, "x": x[0, :, 0].copy(), "target": float(np.ravel(y)[0]),
                          "prediction": float(np.ravel(out["output"])[0]), "targets": targets,
                          "predictions": preds, "count": self.data.x_test.shape[0], "index": i}
        snap["neuron_images"] = images
        snap["image_mode"] = "sequence"

    def _confusion(self) -> np.ndarray:
        x, y = self.data.x_test, np.asarray(self.data.y_test)
        if x.shape[0] == 0:
            return None
        out = self.model.forward(x)
        if self.model.spec.loss == "softmax_ce":
            pred = np.argmax(out, axis=1)
            k = out.shape[1]
            truth = y.astype(np.int64).ravel()
        else:
            pred = (out[:, 0] > 0.5).astype(np.int64)
            truth = (y.reshape(len(y), -1)[:, 0] > 0.5).astype(np.int64)
            k = 2
        counts = np.zeros((k, k), dtype=np.int64)
        np.add.at(counts, (np.clip(truth, 0, k - 1), np.clip(pred, 0, k - 1)), 1)
        return counts

    def _histograms(self, params: dict) -> list:
        try:
            _, grads = self.model.loss_and_grads(self._grad_x, self._grad_y, training=False)
        except Exception:  # a histogram is not worth failing a snapshot for
            grads = {}
        out = []
        for name, w in params.items():
            layer, pname = name.split(".", 1)
            if not pname.startswith("W"):
                continue
            entry = {"name": name, "title": f"{int(layer) + 1} · {pname}"}
            entry["w_edges"], entry["w_counts"] = _hist(w)
            g = grads.get(name)
            entry["g_edges"], entry["g_counts"] = _hist(g) if g is not None else (None, None)
            out.append(entry)
        return out


def _hist(a) -> tuple:
    a = np.asarray(a, dtype=np.float64).ravel()
    a = a[np.isfinite(a)]
    if a.size == 0:
        return np.array([0.0, 1.0]), np.array([0.0])
    lo, hi = float(a.min()), float(a.max())
    if hi - lo < 1e-12 * max(1.0, abs(lo)):
        lo, hi = lo - 0.5, hi + 0.5
    try:
        counts, edges = np.histogram(a, bins=HIST_BINS, range=(lo, hi))
    except ValueError:  # a range too wide (or too narrow) for float bins: one bin says enough
        return np.array([lo, hi]), np.array([float(a.size)])
    return edges, counts.astype(np.float64)
