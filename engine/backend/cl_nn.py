"""Neural-network ops of the OpenCL backend: each one a kernel (or two) from
opencl/kernels/nn_*.cl, queued without waiting for the device.

Reductions (losses, penalties) run in two stages: up to ``MAX_PARTS`` work-items each
sum a strided share into a partials buffer, then one work-item adds the partials. That
is correct for any size, needs no local memory or barriers (slow on CPU devices), and
leaves the result on the device as a 1-element array.
"""

from __future__ import annotations

import threading

import numpy as np

from ..errors import ShapeError, shape_str
from .cl_memory import round_up
from .numpy_nn import check_activation, check_regularization, conv_out_shape, pool_out_shape

#: work-group size of every nn kernel (a global size is rounded up to a multiple of it)
LOCAL = 64
#: work-group size of the chunked kernels on CPUs (small: a few groups still spread over the cores)
CHUNK_LOCAL = 8
#: the most work-items the first stage of a reduction uses
MAX_PARTS = 1024

_ACT_CODES = {"linear": 0, "relu": 1, "leaky_relu": 2, "tanh": 3, "sigmoid": 4}

# name -> (file, argument kinds): "b" buffer, "i" int32, "r" the backend's REAL
_KERNELS = {
    "k_add_bias": ("nn_misc.cl", "bbiii"),
    "k_bias_grad": ("nn_misc.cl", "bbiii"),
    "k_time_slice": ("nn_misc.cl", "bbiiii"),
    "k_gather_rows": ("nn_misc.cl", "bbbiii"),
    "k_gather_rows_int": ("nn_misc.cl", "bbbiii"),
    "k_time_store": ("nn_misc.cl", "bbiiii"),
    "k_count_nonfinite": ("nn_misc.cl", "biib"),
    "k_sum_partials": ("nn_misc.cl", "bibr"),
    "k_regularize": ("nn_misc.cl", "bbbiiir"),
    "k_act_fwd": ("nn_activation.cl", "bbiir"),
    "k_act_bwd": ("nn_activation.cl", "bbbbiir"),
    "k_softmax_fwd": ("nn_activation.cl", "bbii"),
    "k_softmax_bwd": ("nn_activation.cl", "bbbii"),
    "k_mse": ("nn_loss.cl", "bbbbiir"),
    "k_bce": ("nn_loss.cl", "bbbbiir"),
    "k_softmax_ce": ("nn_loss.cl", "bbbbiiir"),
    "k_conv2d_fwd": ("nn_conv.cl", "bbbb" + "i" * 10),
    "k_conv2d_bwd_dx": ("nn_conv.cl", "bbb" + "i" * 10),
    "k_conv2d_bwd_dw": ("nn_conv.cl", "bbb" + "i" * 10),
    "k_conv2d_fwd_rows": ("nn_conv.cl", "bbbbb" + "i" * 12 + "r"),
    "k_bias_act": ("nn_activation.cl", "bbbiiir"),
    "k_conv2d_bwd_dx_rows": ("nn_conv.cl", "bbb" + "i" * 10),
    "k_conv2d_bwd_dw_rows": ("nn_conv.cl", "bbb" + "i" * 12),
    "k_conv2d_bwd_reduce": ("nn_conv.cl", "bbbiii"),
    "k_maxpool_fwd_rows": ("nn_pool.cl", "bbb" + "i" * 7),
    "k_maxpool_bwd_rows": ("nn_pool.cl", "bbb" + "i" * 7),
    "k_maxpool_fwd": ("nn_pool.cl", "bbb" + "i" * 7),
    "k_maxpool_bwd": ("nn_pool.cl", "bbb" + "i" * 7),
    "k_maxpool_bwd_plane": ("nn_pool.cl", "bbbiii"),
    "k_avgpool_fwd": ("nn_pool.cl", "bb" + "i" * 7),
    "k_avgpool_bwd": ("nn_pool.cl", "bb" + "i" * 7),
    "k_sgd_plain": ("nn_optim.cl", "bbir"),
    "k_sgd_momentum": ("nn_optim.cl", "bbbirri"),
    "k_adam": ("nn_optim.cl", "bbbbirrrrr"),
    "k_sgd_plain4": ("nn_optim.cl", "b" * 8 + "iiii" + "r"),
    "k_adam4": ("nn_optim.cl", "b" * 16 + "iiii" + "rrrrr"),
}


#: limits of the row kernels of nn_conv.cl (CONV_MAXW, CONV_MAXK, CONV_ACC, CONV_ACC_Q there)
CONV_MAXW, CONV_MAXK, CONV_ACC, CONV_ACC_Q = 64, 7, 512, 2048
#: the most sample groups the first stage of a row-kernel dw sums separately
CONV_GROUPS = 64
#: which conv/pool kernels: "rows" (a work-item per row; fast on CPUs) or "gather"
#: (a work-item per element; what GPUs want). None chooses by device kind.
ROW_VARIANTS = ("rows", "gather")


def _parts(n: int) -> int:
    """Work-items in the first stage of a reduction over n terms."""
    return min(round_up(n, LOCAL), MAX_PARTS)


class ClNNOps:
    """Mixin; see engine/backend/base.py for the contract."""

    def _k(self, name: str):
        """The kernel object ``name``, looked up on first use and kept."""
        cache = self.__dict__.get("_nn_kernels")
        if cache is None:
            cache = self.__dict__["_nn_kernels"] = {}
        kern = cache.get(name)
        if kern is None:
            filename, kinds = _KERNELS[name]
            types = {"b": None, "i": np.int32, "r": self.dtype}
            kern = self.kernel(filename, name, [types[c] for c in kinds])
            cache[name] = kern
        return kern

    def _run(self, name: str, n: int, *args) -> None:
        """Queue kernel ``name`` over n work-items (rounded up to the work-group size)."""
        self._k(name)(self.queue, (round_up(n, LOCAL),), (LOCAL,), *args)

    def _run_chunked(self, name: str, n: int, *args) -> None:
        """Queue a chunked elementwise kernel (``per_item`` elements per work-item) over n elements."""
        items = -(-n // self.per_item)
        local = CHUNK_LOCAL if self.per_item > 1 else LOCAL
        self._k(name)(self.queue, (round_up(items, local),), (local,), *args)

    def _reduce(self, name: str, parts: int, args: tuple, scale: float):
        """Queue reduction kernel ``name`` (its partials buffer goes where ``None`` stands in
        ``args``), then the second stage; returns a 1-element array holding scale·Σ partials.

        The partials live in one scratch buffer per backend: a new buffer costs far more on
        PoCL than the launch itself. The in-order queue keeps consecutive reductions apart;
        the lock keeps two threads from interleaving their two stages.
        """
        state = self.__dict__.get("_nn_scratch")
        if state is None:
            state = self.__dict__["_nn_scratch"] = (threading.Lock(), self.empty((MAX_PARTS,)))
        lock, partials = state
        out = self.empty((1,))
        args = tuple(partials.buf if a is None else a for a in args)
        with lock:
            self._run(name, parts, *args)
            self._k("k_sum_partials")(self.queue, (1,), (1,), partials.buf, parts, out.buf, scale)
        return out

    # ----------------------------------------------------------------- bias
    def add_bias(self, z, b) -> None:
        if z.ndim < 2 or b.shape != (z.shape[1],):
            raise ShapeError(
                f"add_bias: a bias of {shape_str(b.shape)} does not match axis 1 of {shape_str(z.shape)}."
            )
        inner = z.size // max(z.shape[0] * z.shape[1], 1)
        if z.size:
            self._run("k_add_bias", z.size, z.buf, b.buf, z.size, z.shape[1], inner)

    def bias_activation(self, z, b, kind: str, alpha: float = 0.01):
        check_activation(kind)
        if kind in ("linear", "softmax") or z.ndim != 2:
            return super().bias_activation(z, b, kind, alpha)
        if b.shape != (z.shape[1],):
            raise ShapeError(
                f"add_bias: a bias of {shape_str(b.shape)} does not match axis 1 of {shape_str(z.shape)}."
            )
        a = self.empty(z.shape)
        if z.size:
            rows, units = z.shape
            lx = 64 if units >= 64 else 16
            glob = (round_up(units, lx), round_up(rows, 4))
            self._k("k_bias_act")(self.queue, glob, (lx, 4), z.buf, b.buf, a.buf, rows, units, _ACT_CODES[kind], alpha)
        return a

    def bias_grad(self, g, out=None):
        units = g.shape[1]
        inner = g.size // max(g.shape[0] * units, 1)
        if out is None:
            out = self.empty((units,))
        elif tuple(out.shape) != (units,):
            raise ShapeError(f"bias_grad: out is {shape_str(out.shape)}, the sum is {shape_str((units,))}.")
        if units:
            self._run("k_bias_grad", units, g.buf, out.buf, g.shape[0], units, inner)
        return out

    # ----------------------------------------------------------- activation
    def activation(self, kind: str, z, alpha: float = 0.01):
        check_activation(kind)
        a = self.empty(z.shape)
        if kind == "softmax":
            if z.ndim != 2:
                raise ShapeError(f"softmax works on 2-D arrays (batch, classes), got {shape_str(z.shape)}.")
            if z.size:
                self._run("k_softmax_fwd", z.shape[0], z.buf, a.buf, z.shape[0], z.shape[1])
        elif z.size:
            self._run_chunked("k_act_fwd", z.size, z.buf, a.buf, z.size, _ACT_CODES[kind], alpha)
        return a

    def activation_backward(self, kind: str, z, a, da, alpha: float = 0.01):
        check_activation(kind)
        dz = self.empty(da.shape)
        if not da.size:
            return dz
        if kind == "softmax":
            self._run("k_softmax_bwd", da.shape[0], a.buf, da.buf, dz.buf, da.shape[0], da.shape[1])
            return dz
        # each kind reads only z or only a; the other argument may be None
        zbuf = (z if z is not None else da).buf
        abuf = (a if a is not None else da).buf
        self._run_chunked("k_act_bwd", da.size, zbuf, abuf, da.buf, dz.buf, da.size, _ACT_CODES[kind], alpha)
        return dz

    # ---------------------------------------------------------------- losses
    def _elementwise_loss(self, name, what, a, y):
        if a.size != y.size:
            raise ShapeError(f"{what}: targets {shape_str(y.shape)} do not match outputs {shape_str(a.shape)}.")
        n = a.size
        grad = self.empty(a.shape)
        parts = _parts(n)
        scale = 1.0 / max(n, 1)
        grad_scale = 2.0 * scale if name == "k_mse" else scale
        loss = self._reduce(name, parts, (a.buf, y.buf, grad.buf, None, n, parts, grad_scale), scale)
        return loss, grad

    def mse_loss(self, a, y):
        return self._elementwise_loss("k_mse", "mse_loss", a, y)

    def bce_loss_logits(self, z, y):
        return self._elementwise_loss("k_bce", "bce_loss_logits", z, y)

    def softmax_ce_loss_logits(self, z, labels):
        if z.ndim != 2 or labels.shape != (z.shape[0],):
            raise ShapeError(
                f"softmax_ce_loss_logits needs logits (N, K) and labels (N,), "
                f"got {shape_str(z.shape)} and {shape_str(labels.shape)}."
            )
        rows, cols = z.shape
        dz = self.empty(z.shape)
        parts = _parts(rows)
        scale = 1.0 / max(rows, 1)
        loss = self._reduce("k_softmax_ce", parts, (z.buf, labels.buf, dz.buf, None, rows, cols, parts, scale), scale)
        return loss, dz

    def regularize(self, kind: str, w, dw, rate: float):
        check_regularization(kind)
        if kind == "none" or rate == 0:
            return self.zeros((1,))
        n = w.size
        parts = _parts(n)
        code = 2 if kind == "l2" else 1
        return self._reduce("k_regularize", parts, (w.buf, dw.buf, None, n, parts, code, rate),
                            rate * 0.5 if code == 2 else rate)

    # ----------------------------------------------------------- convolution
    #: None chooses by device kind; "rows" or "gather" forces one (tests run both anywhere)
    conv_variant: str | None = None

    def _rows(self) -> bool:
        """Use the row kernels (one work-item per row, private copies of the rows it reads)?"""
        forced = self.conv_variant
        if forced is not None:
            if forced not in ROW_VARIANTS:
                raise ValueError(f"conv_variant must be None or one of {', '.join(ROW_VARIANTS)}, not {forced!r}.")
            return forced == "rows"
        return self.device.kind == "cpu"

    def _run_rows(self, name: str, glob: tuple, *args) -> None:
        """Queue a row kernel over exactly ``glob`` work-items, one per work-group."""
        self._k(name)(self.queue, glob, (1,) * len(glob), *args)

    @staticmethod
    def _conv_rows_fit(k: int, ow: int, stride: int) -> bool:
        return k <= CONV_MAXK and ow <= CONV_MAXW and stride <= 2 and k * k * ow <= CONV_ACC_Q

    def _conv_output(self, x, w, b, stride: int, pad: int):
        """A new z for conv2d_forward, after checking the shapes."""
        oh, ow = conv_out_shape(x.shape, w.shape, stride, pad)
        f = w.shape[0]
        if b.shape != (f,):
            raise ShapeError(f"conv2d bias {shape_str(b.shape)} must have one value per filter ({f}).")
        return self.empty((x.shape[0], f, oh, ow))

    def conv2d_forward(self, x, w, b, stride: int, pad: int):
        z = self._conv_output(x, w, b, stride, pad)
        self._conv_forward(x, w, b, z, None, 0, 0.0, stride, pad)
        return z

    def conv2d_forward_act(self, x, w, b, stride: int, pad: int, kind: str, alpha: float = 0.01):
        check_activation(kind)
        if kind in ("linear", "softmax"):
            return super().conv2d_forward_act(x, w, b, stride, pad, kind, alpha)
        z = self._conv_output(x, w, b, stride, pad)
        a = self.empty(z.shape)
        if not self._conv_forward(x, w, b, z, a, _ACT_CODES[kind], alpha, stride, pad):
            a = self.activation(kind, z, alpha)  # the gather kernel: the activation apart
        return z, a

    def _conv_forward(self, x, w, b, z, a, kind: int, alpha: float, stride: int, pad: int) -> bool:
        """Queue z = conv(x, w) + b (and a = f(z) when ``a`` is given and the row kernel
        runs); True when a was written."""
        if not z.size:
            return False
        n, c, h, wd = x.shape
        f, k = w.shape[0], w.shape[2]
        oh, ow = z.shape[2], z.shape[3]
        if self._rows() and self._conv_rows_fit(k, ow, stride):
            fb = max(1, min(f, CONV_ACC // ow))
            self._run_rows("k_conv2d_fwd_rows", (oh, n, -(-f // fb)), x.buf, w.buf, b.buf, z.buf,
                           (a if a is not None else z).buf, n, c, h, wd, f, k, oh, ow, stride, pad, fb,
                           kind if a is not None else 0, alpha)
            return a is not None
        self._run("k_conv2d_fwd", z.size, x.buf, w.buf, b.buf, z.buf,
                  n, c, h, wd, f, k, oh, ow, stride, pad)
        return False

    def conv2d_backward(self, x, w, dz, stride: int, pad: int, need_dx: bool = True):
        oh, ow = conv_out_shape(x.shape, w.shape, stride, pad)
        n, c, h, wd = x.shape
        f, k = w.shape[0], w.shape[2]
        if tuple(dz.shape) != (n, f, oh, ow):
            raise ShapeError(f"conv2d_backward: dz {shape_str(dz.shape)} should be {shape_str((n, f, oh, ow))}.")
        dims = (n, c, h, wd, f, k, oh, ow, stride, pad)
        rows = self._rows() and self._conv_rows_fit(k, ow, stride) and dz.size > 0
        dx = None
        if need_dx:
            dx = self.empty(x.shape)
            if dx.size and rows:
                self._run_rows("k_conv2d_bwd_dx_rows", (h, c, n), dz.buf, w.buf, dx.buf, *dims)
            elif dx.size:
                self._run("k_conv2d_bwd_dx", dx.size, dz.buf, w.buf, dx.buf, *dims)
        dw = self.empty(w.shape)
        if rows and dw.size:
            db = self.empty((f,))
            # dw and db in two stages: sample groups sum into partials, then one pass adds them
            groups = min(n, CONV_GROUPS)
            per = -(-n // groups)
            groups = -(-n // per)
            fb = max(1, min(f, CONV_ACC_Q // (k * k * ow)))
            part = self.empty((groups * (dw.size + f),))
            self._run_rows("k_conv2d_bwd_dw_rows", (groups, c, -(-f // fb)), x.buf, dz.buf, part.buf,
                           *dims, fb, per)
            self._run("k_conv2d_bwd_reduce", dw.size + f, part.buf, dw.buf, db.buf, groups, dw.size, f)
            return dx, dw, db
        if dw.size:
            self._run("k_conv2d_bwd_dw", dw.size, x.buf, dz.buf, dw.buf, *dims)
        return dx, dw, self.bias_grad(dz)

    # --------------------------------------------------------------- pooling
    def maxpool_forward(self, x, size: int, stride: int):
        oh, ow = pool_out_shape(x.shape, size, stride)
        n, c, h, wd = x.shape
        y = self.empty((n, c, oh, ow))
        argmax = self.empty((n, c, oh, ow), np.int32)
        if y.size and self._rows():
            self._run_rows("k_maxpool_fwd_rows", (oh, n * c), x.buf, y.buf, argmax.buf,
                           n * c, h, wd, oh, ow, size, stride)
        elif y.size:
            self._run("k_maxpool_fwd", y.size, x.buf, y.buf, argmax.buf, n * c, h, wd, oh, ow, size, stride)
        return y, argmax

    def maxpool_backward(self, dy, argmax, x_shape, size: int | None = None, stride: int | None = None):
        """As the contract; ``size`` and ``stride`` (the forward pass's) are optional and,
        when given, let every input element gather from just the windows covering it."""
        n, c, h, wd = (int(s) for s in x_shape)
        if dy.ndim != 4 or tuple(dy.shape) != tuple(argmax.shape) or tuple(dy.shape[:2]) != (n, c):
            raise ShapeError(
                f"maxpool_backward: dy {shape_str(dy.shape)} and argmax {shape_str(argmax.shape)} "
                f"do not fit an input of {shape_str(x_shape)}."
            )
        oh, ow = dy.shape[2], dy.shape[3]
        if size is None or stride is None:
            dx = self.empty((n, c, h, wd))
            if dx.size:
                self._run("k_maxpool_bwd_plane", n * c, dy.buf, argmax.buf, dx.buf, n * c, h * wd, oh * ow)
        else:
            if pool_out_shape(tuple(x_shape), size, stride) != (oh, ow):
                raise ShapeError(
                    f"maxpool_backward: dy {shape_str(dy.shape)} is not what a {size}×{size} window at "
                    f"stride {stride} makes of {shape_str(x_shape)}."
                )
            dx = self.empty((n, c, h, wd))
            if dx.size and stride >= size and self._rows():
                # windows do not overlap: each input row is written by one work-item
                self._run_rows("k_maxpool_bwd_rows", (h, n * c), dy.buf, argmax.buf, dx.buf,
                               n * c, h, wd, oh, ow, size, stride)
            elif dx.size:
                self._run("k_maxpool_bwd", dx.size, dy.buf, argmax.buf, dx.buf, n * c, h, wd, oh, ow, size, stride)
        return dx

    def avgpool_forward(self, x, size: int, stride: int):
        oh, ow = pool_out_shape(x.shape, size, stride)
        n, c, h, wd = x.shape
        y = self.empty((n, c, oh, ow))
        if y.size:
            self._run("k_avgpool_fwd", y.size, x.buf, y.buf, n * c, h, wd, oh, ow, size, stride)
        return y

    def avgpool_backward(self, dy, x_shape, size: int, stride: int):
        oh, ow = pool_out_shape(tuple(x_shape), size, stride)
        n, c, h, wd = (int(s) for s in x_shape)
        if tuple(dy.shape) != (n, c, oh, ow):
            raise ShapeError(f"avgpool_backward: dy {shape_str(dy.shape)} should be {shape_str((n, c, oh, ow))}.")
        dx = self.empty((n, c, h, wd))
        if dx.size:
            self._run("k_avgpool_bwd", dx.size, dy.buf, dx.buf, n * c, h, wd, oh, ow, size, stride)
        return dx

    # --------------------------------------------------------------- sequences
    def gather_rows(self, a, idx, start: int, count: int):
        out = self.empty((count,) + tuple(a.shape[1:]), a.dtype)
        feat = out.size // count if count else 0
        if not out.size:
            return out
        if a.dtype == np.int32:
            name = "k_gather_rows_int"
        elif a.dtype == self.dtype:
            name = "k_gather_rows"
        else:
            raise TypeError(f"gather_rows: unsupported dtype {a.dtype}")
        items = -(-feat // self.per_item)
        lx = CHUNK_LOCAL if self.per_item > 1 else LOCAL
        glob = (round_up(items, lx), count)
        self._k(name)(self.queue, glob, (lx, 1), a.buf, idx.buf, out.buf, int(start), int(count), feat)
        return out

    def time_slice(self, x, t: int):
        n, steps, feat = x.shape
        out = self.empty((n, feat))
        if out.size:
            self._run("k_time_slice", out.size, x.buf, out.buf, n, steps, feat, int(t))
        return out

    def time_store(self, dst, t: int, src) -> None:
        n, steps, units = dst.shape
        if src.size != n * units:
            raise ShapeError(f"time_store: {shape_str(src.shape)} does not fit a step of {shape_str(dst.shape)}.")
        if src.size:
            self._run("k_time_store", src.size, dst.buf, src.buf, n, steps, units, int(t))

    # ------------------------------------------------------------- optimisers
    def sgd_update(self, p, g, v, lr: float, momentum: float = 0.0, nesterov: bool = False) -> None:
        n = p.size
        if not n:
            return
        if momentum == 0:
            self._run_chunked("k_sgd_plain", n, p.buf, g.buf, n, lr)
        else:
            self._run_chunked("k_sgd_momentum", n, p.buf, g.buf, v.buf, n, lr, momentum, int(bool(nesterov)))

    def adam_update(self, p, g, m, v, lr: float, beta1: float, beta2: float, eps: float, t: int) -> None:
        n = p.size
        if not n:
            return
        # the bias corrections in double on the host, as torch computes them in Python
        step_size = lr / (1 - beta1**t)
        bc2_sqrt = (1 - beta2**t) ** 0.5
        self._run_chunked("k_adam", n, p.buf, g.buf, m.buf, v.buf, n, step_size, beta1, beta2, eps, bc2_sqrt)

    def _run_many(self, name: str, groups: list, scalars: tuple) -> None:
        """Queue a four-tensor update kernel over ``groups`` (per tensor: its buffers), four
        tensors a launch; empty slots repeat the first tensor's buffers with n = 0."""
        groups = [g for g in groups if g[0].size]
        for at in range(0, len(groups), 4):
            part = groups[at:at + 4]
            sizes = [g[0].size for g in part] + [0] * (4 - len(part))
            part = part + [part[0]] * (4 - len(part))
            bufs = [a.buf for g in part for a in g]
            items = sum(-(-n // self.per_item) for n in sizes)
            local = CHUNK_LOCAL if self.per_item > 1 else LOCAL
            self._k(name)(self.queue, (round_up(items, local),), (local,), *bufs, *sizes, *scalars)

    def sgd_update_many(self, ps: list, gs: list, lr: float) -> None:
        self._run_many("k_sgd_plain4", list(zip(ps, gs)), (lr,))

    def adam_update_many(self, ps: list, gs: list, ms: list, vs: list, lr: float, beta1: float,
                         beta2: float, eps: float, t: int) -> None:
        step_size = lr / (1 - beta1**t)
        bc2_sqrt = (1 - beta2**t) ** 0.5
        self._run_many("k_adam4", list(zip(ps, gs, ms, vs)), (step_size, beta1, beta2, eps, bc2_sqrt))

    def count_nonfinite(self, a, counter) -> None:
        n = a.size
        if not n:
            return
        parts = _parts(n)
        self._run("k_count_nonfinite", parts, a.buf, n, parts, counter.buf)
