"""Fused training steps for small dense networks: many whole steps in one kernel launch.

The general path queues about 25 kernels per training step of a three-layer network
(matmuls, bias, activations, loss, penalties, updates), each costing a few microseconds
to launch, far more than the arithmetic of a Playground-size net. ``FusedTrainer`` runs
forward, loss, backward and the optimizer's update of ``n`` steps in one launch of
``k_fused_train`` (opencl/kernels/fused_dense.cl), taking each batch from the device-side
epoch order exactly as the general path would. It follows the general path's arithmetic
op for op (the same FMA chains in the same order, the same two-stage reductions, the
scalar tanh / exp / log of the device's library), so both give the same numbers bit for
bit: a traced step still equals ``step(1)``, and tests compare the paths exactly.

``Trainer.step`` picks it by itself when ``fused_unfit_reason`` finds nothing against it:
an OpenCL device, dense layers only on a flat input, every width at most
``MAX_WIDTH``, a step of at most ``MAX_STEP_WORK`` multiply-adds and
``MAX_STEP_TRANSCENDENTALS`` tanh / sigmoid / softmax values.

One source of truth. On first use the runner moves the parameters, their gradients and
the optimizer's state into three packed buffers (one per kind) and points every
``ClArray`` that held them (``model.param_arrays``, ``model.grad_arrays``, the
optimizer's state) at a sub-buffer of the packed one, so the general path, ``trace``,
``set_params``, snapshots and rollbacks read and write the very memory the fused kernel
uses. If anyone swaps an array or the optimizer afterwards, ``current`` notices and the
trainer builds a new runner.
"""

from __future__ import annotations

import numpy as np

from .backend.cl_linalg import NAIVE_WORK, REG_KC
from .backend.cl_nn import LOCAL as NN_LOCAL
from .backend.cl_nn import MAX_PARTS as NN_MAX_PARTS
from .layers import DenseLayer
from .layers.base import LEAKY_SLOPE

#: widest layer (the input included) the fused kernel takes
MAX_WIDTH = 128
#: multiply-adds of one forward pass over a batch (batch × Σ inputs·units) at most, and
#: tanh / sigmoid / softmax values per step (batch × their units) at most: beyond about
#: these the general path's two cores win over the fused kernel's one (measured: a ReLU
#: 16-128-128-1 net at batch 256, 4.8 M multiply-adds, breaks even; its tanh twin, 65 k
#: transcendentals called one by one, runs 0.84× as fast fused)
MAX_STEP_WORK = 1 << 21
MAX_STEP_TRANSCENDENTALS = 1 << 15
#: work-items (each a vector of samples) per work-group of the forward kernel
FORWARD_LOCAL = 16
#: estimated device time of one launch (ns, by ``_step_cost``): long enough that the
#: host's work per launch (the batch order's upload) is noise, short enough that a
#: ``request_stop`` takes effect soon
CHUNK_NS = 10_000_000

ACT_CODES = {"linear": 0, "relu": 1, "leaky_relu": 2, "tanh": 3, "sigmoid": 4, "softmax": 5}
LOSS_CODES = {"mse": 0, "bce": 1, "softmax_ce": 2}
REG_CODES = {"none": 0, "l1": 1, "l2": 2}

# buffers: par grad st1 st2 x y labels perm coef scr acc; ints n_train batch pos0 nsteps;
# reals lr mu; int nesterov; reals beta1 beta2 eps rate alpha; the loss scales (full
# batch, gradient; last batch, gradient) and the penalty's scale
_ARG_KINDS = "bbbbbbbbbbb" + "iiii" + "rr" + "i" + "rrrrr" + "rrrrr"


def _dense_layers(model):
    return [layer for layer in model.layers if isinstance(layer, DenseLayer)]


def fused_unfit_reason(model, optimizer, batch_size: int) -> str | None:
    """Why the fused kernel cannot train this network (a phrase), or None when it can."""
    if getattr(model.backend, "kind", None) != "opencl":
        return "the device is not an OpenCL device"
    if len(model.spec.input) != 1:
        return "the input is not a flat vector of features"
    dense = _dense_layers(model)
    if len(dense) != len(model.layers) or not dense:
        return "the network has layers other than dense ones"
    widths = [int(model.spec.input[0])] + [int(layer.spec.units) for layer in dense]
    if max(widths) > MAX_WIDTH:
        return f"a layer is wider than {MAX_WIDTH}"
    work = batch_size * sum(a * b for a, b in zip(widths, widths[1:]))
    if work > MAX_STEP_WORK:
        return f"a step takes {work} multiply-adds, more than {MAX_STEP_WORK}"
    curved = batch_size * sum(int(layer.spec.units) for layer in dense
                              if layer.activation in ("tanh", "sigmoid", "softmax"))
    if curved > MAX_STEP_TRANSCENDENTALS:
        return f"a step evaluates {curved} tanh, sigmoid or softmax values, more than {MAX_STEP_TRANSCENDENTALS}"
    kind = getattr(optimizer, "kind", None)
    if kind not in ("sgd", "adam"):
        return f"the optimizer {kind!r} has no fused update"
    if model.spec.loss not in LOSS_CODES:
        return f"the loss {model.spec.loss!r} has no fused form"
    return None


def _pack(be, arr, packed, at: int) -> None:
    """Queue packed[at:at + arr.size] = arr (elements), with a kernel (see fused_pack.cl)."""
    if arr.size:
        kernel = be.kernel("fused_pack.cl", "k_pack", [None, None, np.int32, np.int32])
        kernel(be.queue, (-(-arr.size // 64) * 64,), (64,), arr.buf, packed, arr.size, at)


def _step_cost(widths, acts, batch: int) -> int:
    """Estimated nanoseconds of one fused step on one CPU core, fitted on PoCL (Zen 4):
    the three products at about 14 multiply-adds a nanosecond, every tanh, sigmoid,
    softmax or loss exp/log (called one lane at a time) about 17 ns, 2 ns a parameter."""
    mads = sum(a * b for a, b in zip(widths, widths[1:]))
    curved = sum(w for w, act in zip(widths[1:], acts) if act in ("tanh", "sigmoid", "softmax"))
    params = mads + sum(widths[1:])
    return 3 * batch * mads // 14 + 17 * batch * (curved + 2 * widths[-1]) + 2 * params


class FusedTrainer:
    """Runs ``Trainer`` steps of a small dense network with ``k_fused_train``.

    Build it with ``FusedTrainer(trainer)`` (check ``fused_unfit_reason`` first); then
    ``run(n, acc)`` trains up to n steps, moving the trainer's data position, step count
    and the optimizer's t exactly as n general steps would, and adds the sum of the step
    losses into the 1-element device array ``acc``. ``local_size`` overrides the
    work-group size (1 on CPU devices, 64 elsewhere).
    """

    def __init__(self, trainer, local_size: int | None = None):
        self.trainer = trainer
        self.model = model = trainer.model
        self.optimizer = opt = trainer.optimizer
        reason = fused_unfit_reason(model, opt, trainer.batch_size)
        if reason is not None:
            raise ValueError(f"This network cannot use the fused training kernel: {reason}.")
        be = self.backend = model.backend
        self.layers = _dense_layers(model)
        self.widths = [int(model.spec.input[0])] + [int(layer.spec.units) for layer in self.layers]
        self.batch = int(trainer.batch_size)
        self.n_train = int(trainer.n_train)
        dev = be.cl
        if local_size is None:
            local_size = 1 if dev.kind == "cpu" else min(64, dev.max_work_group_size)
        self.local_size = int(local_size)
        self.vs = 4 if be.dtype == np.float64 else 8
        self.momentum = opt.kind == "sgd" and opt.momentum > 0
        self.adam = opt.kind == "adam"

        self._pack(dev)
        self.x_dev, y_dev = model.prepare_batch(trainer.x_train, trainer.y_train)
        self.dummy = be.zeros((1,))
        self.dummy_int = be.zeros((1,), np.int32)
        if model.spec.loss == "softmax_ce":
            self.y_dev, self.labels_dev = self.dummy, y_dev
        else:
            self.y_dev, self.labels_dev = y_dev, self.dummy_int

        # scratch: feature-major rows of BPAD (every layer's input and the last output,
        # every layer's delta, the last z), then sample-major rows (every layer's input,
        # every layer's delta, padded to whole vectors), then the loss terms. Zeroed once:
        # phase B reads the padding of the sample-major rows (and multiplies it by nothing
        # that is stored).
        vs = self.vs
        bpad = -(-self.batch // vs) * vs
        nl = len(self.layers)
        rows = 0

        def region(size):
            nonlocal rows
            at = rows
            rows += -(-size // vs) * vs
            return at

        a_off = [region(w * bpad) for w in self.widths]
        d_off = [region(w * bpad) for w in self.widths[1:]]
        z_off = region(self.widths[-1] * bpad)
        as_off = [region(self.batch * -(-w // vs) * vs) for w in self.widths[:-1]]
        ds_off = [region(self.batch * -(-w // vs) * vs) for w in self.widths[1:]]
        t_off = region(self.batch * self.widths[-1])
        self.scratch = be.zeros((rows,))
        reg = model.spec.regularization
        defines = {
            "NL": nl,
            "DIMS": ",".join(map(str, self.widths)),
            "ACTS": ",".join(str(ACT_CODES[layer.activation]) for layer in self.layers),
            "LOSS": LOSS_CODES[model.spec.loss],
            "REG": REG_CODES[reg.type] if reg.active else 0,
            "OPT": 2 if self.adam else (1 if self.momentum else 0),
            "WOFF": ",".join(str(self.offsets[f"{layer.index}.W"]) for layer in self.layers),
            "BOFF": ",".join(str(self.offsets[f"{layer.index}.b"]) for layer in self.layers),
            "AOFF": ",".join(map(str, a_off)),
            "DOFF": ",".join(map(str, d_off)),
            "ZOFF": z_off,
            "ASOFF": ",".join(map(str, as_off)),
            "DSOFF": ",".join(map(str, ds_off)),
            "TOFF": t_off,
            "BPAD": bpad,
            "VS": vs,
            "LSIZE": self.local_size,
            # what the general path does, so the fused sums are its sums
            "MM_CPU": int(be.device.kind == "cpu"),
            "MM_NAIVE_WORK": NAIVE_WORK,
            "MM_KC": REG_KC,
            "NN_LOCAL": NN_LOCAL,
            "NN_MAX_PARTS": NN_MAX_PARTS,
        }
        types = {"b": None, "i": np.int32, "r": be.dtype}
        self.kernel = be.kernel("fused_dense.cl", "k_fused_train", [types[c] for c in _ARG_KINDS], defines)
        self.rate = float(reg.rate) if reg.active else 0.0
        # the general path's scales, computed as it computes them (in double, on the host)
        self.scales = []
        per_sample = 1 if model.spec.loss == "softmax_ce" else self.widths[-1]
        for rows_ in (self.batch, self.n_train % self.batch or self.batch):
            scale = 1.0 / max(rows_ * per_sample, 1)
            self.scales += [scale, 2.0 * scale if model.spec.loss == "mse" else scale]
        self.pen_scale = (self.rate * 0.5 if reg.type == "l2" else self.rate) if reg.active else 0.0
        acts = [layer.activation for layer in self.layers]
        self.chunk = max(1, CHUNK_NS // _step_cost(self.widths, acts, self.batch))

    # ------------------------------------------------------------ one source of truth
    def _pack(self, dev) -> None:
        """Move parameters, gradients and optimizer state into packed buffers and point
        their arrays at sub-buffers of them (contents kept)."""
        be, model, opt = self.backend, self.model, self.optimizer
        align = max(int(dev.cl_device.mem_base_addr_align) // 8, 64) // be.dtype.itemsize
        self.offsets, end = {}, 0
        for name, arr in model.param_arrays.items():
            start = -(-end // align) * align
            self.offsets[name] = start
            end = start + arr.size
        total = max(end, 1)
        groups = [("param", model.param_arrays), ("grad", model.grad_arrays)]
        for state_name in opt.state_names:
            groups.append((state_name, {n: opt.state[n][state_name] for n in model.param_arrays}))
        self.packed = {}
        self._views = []  # (array, sub-buffer) pairs that must stay as they are
        item = be.dtype.itemsize
        for kind, arrays in groups:
            packed = dev.alloc(total * item)
            for name, arr in arrays.items():
                off = self.offsets[name] * item
                _pack(be, arr, packed, self.offsets[name])
                sub = packed.get_sub_region(off, arr.nbytes)
                arr.buf = sub
                self._views.append((arr, sub))
            self.packed[kind] = packed
        self._param_ids = {n: id(a) for n, a in model.param_arrays.items()}

    def current(self) -> bool:
        """True while every array still uses the packed memory and the optimizer is the same."""
        t = self.trainer
        if t.optimizer is not self.optimizer or t.batch_size != self.batch:
            return False
        if {n: id(a) for n, a in self.model.param_arrays.items()} != self._param_ids:
            return False
        if any(self.optimizer.params.get(n) is not a for n, a in self.model.param_arrays.items()):
            return False
        return all(arr.buf is sub for arr, sub in self._views)

    # ------------------------------------------------------------ training
    def _plan(self, take: int):
        """Advance the trainer's data position by ``take`` batches, starting epochs as the
        general path would; returns (first batch position, the orders of the epochs spanned)."""
        t = self.trainer
        if t._pos >= len(t._batches):
            t._new_epoch()
        pos0 = t._pos
        orders = [t._batches.order]
        first = min(len(t._batches) - t._pos, take)
        t._pos += first
        left = take - first
        while left:
            t._new_epoch()
            orders.append(t._batches.order)
            now = min(len(t._batches), left)
            t._pos = now
            left -= now
        return pos0, orders

    def run(self, n: int, acc) -> int:
        """Queue up to n steps (fewer if the trainer's stop flag is raised between launches);
        returns how many were queued. The step losses are added into ``acc``."""
        t, opt, be = self.trainer, self.optimizer, self.backend
        done = 0
        while done < n:
            if done and t._stop:
                break
            take = min(n - done, self.chunk)
            pos0, orders = self._plan(take)
            # blocking upload: the host array may go as soon as it returns (it also waits
            # for the previous launch, which keeps at most one launch queued)
            perm = be.asarray(np.concatenate(orders).astype(np.int32, copy=False), np.int32)
            coef = self.dummy
            if self.adam:
                # the bias corrections exactly as ClNNOps.adam_update computes them (Python's
                # pow, in double): numpy's vectorised pow may round differently
                lr, b1, b2 = opt.lr, opt.beta1, opt.beta2
                table = [v for k in range(opt.t + 1, opt.t + take + 1)
                         for v in (lr / (1 - b1**k), (1 - b2**k) ** 0.5)]
                coef = be.asarray(np.array(table))
            mu = opt.momentum if self.momentum else 0.0
            nesterov = int(bool(getattr(opt, "nesterov", False)))
            beta1 = getattr(opt, "beta1", 0.0)
            beta2 = getattr(opt, "beta2", 0.0)
            eps = getattr(opt, "eps", 0.0)
            p = self.packed
            st1 = p.get("velocity", p.get("m", self.dummy.buf))
            st2 = p.get("v", self.dummy.buf)
            self.kernel(be.queue, (self.local_size,), (self.local_size,),
                        p["param"], p["grad"], st1, st2, self.x_dev.buf, self.y_dev.buf, self.labels_dev.buf,
                        perm.buf, coef.buf, self.scratch.buf, acc.buf,
                        self.n_train, self.batch, pos0, take, opt.lr, mu, nesterov, beta1, beta2, eps,
                        self.rate, LEAKY_SLOPE, *self.scales, self.pen_scale)
            done += take
            t.step_count += take
            opt.t += take
        return done


class FusedForward:
    """Every layer's output of a small dense network in one launch (``k_fused_forward``).

    The same products as the general path, in the same order; its activations use the
    vector forms of tanh / exp (a decision boundary evaluates them 10⁵ times per refresh),
    which may round differently in the last bit, so it agrees with the layer-by-layer
    pass to rounding rather than bit for bit.

    ``FusedForward(model)`` (check ``forward_unfit_reason`` first); ``run(x_dev, with_z)``
    returns (activations, preactivations or None), lists of numpy arrays (N, units) per
    layer, read back with one transfer. The parameters are gathered into one buffer
    per call (a copy per tensor, queued), so it always sees the model's current values.
    """

    def __init__(self, model):
        reason = forward_unfit_reason(model)
        if reason is not None:
            raise ValueError(f"This network cannot use the fused forward kernel: {reason}.")
        self.model = model
        be = self.backend = model.backend
        self.layers = _dense_layers(model)
        self.widths = [int(model.spec.input[0])] + [int(layer.spec.units) for layer in self.layers]
        self.offsets, end = {}, 0
        for name, arr in model.param_arrays.items():
            self.offsets[name] = end
            end += arr.size
        self.packed = be.empty((max(end, 1),))
        defines = {
            "NL": len(self.layers),
            "DIMS": ",".join(map(str, self.widths)),
            "ACTS": ",".join(str(ACT_CODES[layer.activation]) for layer in self.layers),
            "WOFF": ",".join(str(self.offsets[f"{layer.index}.W"]) for layer in self.layers),
            "BOFF": ",".join(str(self.offsets[f"{layer.index}.b"]) for layer in self.layers),
            "MAXW": max(self.widths),
            "VS": 4 if be.dtype == np.float64 else 8,
        }
        self.vs = defines["VS"]
        self.kernel = be.kernel("fused_forward.cl", "k_fused_forward", [None, None, None, np.int32, np.int32, be.dtype],
                                defines)

    def run(self, x_dev, with_z: bool = True):
        be = self.backend
        for name, arr in self.model.param_arrays.items():
            _pack(be, arr, self.packed.buf, self.offsets[name])
        n = int(x_dev.shape[0])
        units = self.widths[1:]
        per = 2 if with_z else 1
        out = be.empty((n * sum(units) * per,))
        groups = -(-n // self.vs)
        self.kernel(be.queue, (-(-groups // FORWARD_LOCAL) * FORWARD_LOCAL,), (FORWARD_LOCAL,),
                    self.packed.buf, x_dev.buf, out.buf, n, int(with_z), LEAKY_SLOPE)
        host = be.to_numpy(out)
        acts, pres, at = [], [] if with_z else None, 0
        for u in units:
            acts.append(host[at:at + n * u].reshape(n, u))
            at += n * u
            if with_z:
                pres.append(host[at:at + n * u].reshape(n, u))
                at += n * u
        return acts, pres


def forward_unfit_reason(model) -> str | None:
    """Why ``FusedForward`` cannot run this network (a phrase), or None when it can."""
    if getattr(model.backend, "kind", None) != "opencl":
        return "the device is not an OpenCL device"
    if len(model.spec.input) != 1:
        return "the input is not a flat vector of features"
    dense = _dense_layers(model)
    if len(dense) != len(model.layers) or not dense:
        return "the network has layers other than dense ones"
    if max([int(model.spec.input[0])] + [int(layer.spec.units) for layer in dense]) > MAX_WIDTH:
        return f"a layer is wider than {MAX_WIDTH}"
    return None


def fused_trainer(trainer) -> FusedTrainer | None:
    """A FusedTrainer for ``trainer``, or None when its network does not fit the kernel."""
    if fused_unfit_reason(trainer.model, trainer.optimizer, trainer.batch_size) is not None:
        return None
    return FusedTrainer(trainer)


__all__ = ["FusedForward", "FusedTrainer", "MAX_STEP_TRANSCENDENTALS", "MAX_STEP_WORK", "MAX_WIDTH",
           "forward_unfit_reason", "fused_trainer", "fused_unfit_reason"]
