"""Neural-network ops of the numpy reference backend.

These are the yardstick the OpenCL kernels are measured against, so they favour clear,
numerically stable formulas over speed; they are themselves checked against PyTorch and
finite differences in tests/engine/test_nn_ops.py. Every result is in ``self.dtype``.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..errors import ShapeError, shape_str

ACTIVATIONS = ("linear", "relu", "leaky_relu", "tanh", "sigmoid", "softmax")


def check_activation(kind: str) -> None:
    """Raise a ValueError naming the known activations when ``kind`` is not one of them."""
    if kind not in ACTIVATIONS:
        raise ValueError(f"Unknown activation {kind!r}: use one of {', '.join(ACTIVATIONS)}.")


def check_regularization(kind: str) -> None:
    """Raise a ValueError when ``kind`` is not "l1", "l2" or "none"."""
    if kind not in ("l1", "l2", "none"):
        raise ValueError(f"Unknown regularization {kind!r}: use 'l1', 'l2' or 'none'.")


def conv_out_shape(x_shape, w_shape, stride: int, pad: int) -> tuple[int, int]:
    """(OH, OW) of a convolution, with a readable error when the shapes do not fit."""
    if len(x_shape) != 4 or len(w_shape) != 4:
        raise ShapeError(
            f"conv2d needs images (N, C, H, W) and filters (F, C, K, K), "
            f"got {shape_str(x_shape)} and {shape_str(w_shape)}."
        )
    if stride < 1 or pad < 0:
        raise ValueError(f"conv2d needs stride >= 1 and padding >= 0, got stride {stride}, padding {pad}.")
    _, c, h, w = x_shape
    _, wc, k, k2 = w_shape
    if wc != c or k != k2:
        raise ShapeError(
            f"conv2d filters {shape_str(w_shape)} do not fit images with {c} channels: "
            f"they must be (filters, {c}, K, K)."
        )
    oh = (h + 2 * pad - k) // stride + 1
    ow = (w + 2 * pad - k) // stride + 1
    if h + 2 * pad < k or w + 2 * pad < k:
        raise ShapeError(
            f"A {k}×{k} filter does not fit a {h}×{w} image with padding {pad}: "
            "use a smaller kernel or more padding."
        )
    return oh, ow


def pool_out_shape(x_shape, size: int, stride: int) -> tuple[int, int]:
    """(OH, OW) of a pooling window sweep, with a readable error when it does not fit."""
    if len(x_shape) != 4:
        raise ShapeError(f"Pooling needs images (N, C, H, W), got {shape_str(x_shape)}.")
    if size < 1 or stride < 1:
        raise ValueError(f"Pooling needs size >= 1 and stride >= 1, got size {size}, stride {stride}.")
    h, w = x_shape[2], x_shape[3]
    if h < size or w < size:
        raise ShapeError(f"A {size}×{size} pooling window does not fit a {h}×{w} image: use a smaller size.")
    return (h - size) // stride + 1, (w - size) // stride + 1


def _windows(x, k: int, stride: int, oh: int, ow: int):
    """View (N, C, OH, OW, k, k) of every k×k window at the given stride (no copy)."""
    v = sliding_window_view(x, (k, k), axis=(2, 3))
    return v[:, :, : (oh - 1) * stride + 1 : stride, : (ow - 1) * stride + 1 : stride]


def _sigmoid(z):
    # exp(-|z|) never overflows, and each branch divides by a number >= 1
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)


class NumpyNNOps:
    """Mixin; see engine/backend/base.py for the contract."""

    def _scalar(self, value):
        """A 1-element array of the backend's float type (how losses are returned)."""
        return np.array([value], dtype=self.dtype)

    # ----------------------------------------------------------------- bias
    def add_bias(self, z, b) -> None:
        if z.ndim < 2 or b.shape != (z.shape[1],):
            raise ShapeError(
                f"add_bias: a bias of {shape_str(b.shape)} does not match axis 1 of {shape_str(z.shape)}."
            )
        z += b.reshape((1, -1) + (1,) * (z.ndim - 2))

    def bias_grad(self, g, out=None):
        axes = (0,) + tuple(range(2, g.ndim))
        total = g.sum(axis=axes, dtype=self.dtype)
        if out is None:
            return total
        if out.shape != total.shape:
            raise ShapeError(f"bias_grad: out is {shape_str(out.shape)}, the sum is {shape_str(total.shape)}.")
        out[...] = total
        return out

    # ----------------------------------------------------------- activation
    def activation(self, kind: str, z, alpha: float = 0.01):
        check_activation(kind)
        if kind == "linear":
            return z.copy()
        if kind == "relu":
            return np.maximum(z, 0)  # keeps NaN as NaN, like PyTorch
        if kind == "leaky_relu":
            return np.where(z > 0, z, z * alpha).astype(z.dtype, copy=False)
        if kind == "tanh":
            return np.tanh(z)
        if kind == "sigmoid":
            return _sigmoid(z)
        if z.ndim != 2:
            raise ShapeError(f"softmax works on 2-D arrays (batch, classes), got {shape_str(z.shape)}.")
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def activation_backward(self, kind: str, z, a, da, alpha: float = 0.01):
        check_activation(kind)
        if kind == "linear":
            return da.copy()
        if kind == "relu":
            # relu'(0) = 0, as PyTorch
            return np.where(z > 0, da, 0).astype(da.dtype, copy=False)
        if kind == "leaky_relu":
            return np.where(z > 0, da, da * alpha).astype(da.dtype, copy=False)
        if kind == "tanh":
            return da * (1 - a * a)
        if kind == "sigmoid":
            return da * a * (1 - a)
        return a * (da - (da * a).sum(axis=1, keepdims=True))

    # ---------------------------------------------------------------- losses
    def _check_same_size(self, what, a, y):
        if a.size != y.size:
            raise ShapeError(f"{what}: targets {shape_str(y.shape)} do not match outputs {shape_str(a.shape)}.")
        return y.reshape(a.shape)

    def mse_loss(self, a, y):
        y = self._check_same_size("mse_loss", a, y)
        d = a - y
        loss = np.mean(d * d, dtype=np.float64)
        return self._scalar(loss), (d * (2.0 / max(d.size, 1))).astype(self.dtype, copy=False)

    def bce_loss_logits(self, z, y):
        y = self._check_same_size("bce_loss_logits", z, y)
        per = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
        loss = np.mean(per, dtype=np.float64)
        dz = (_sigmoid(z) - y) * (1.0 / max(z.size, 1))
        return self._scalar(loss), dz.astype(self.dtype, copy=False)

    def softmax_ce_loss_logits(self, z, labels):
        if z.ndim != 2 or labels.shape != (z.shape[0],):
            raise ShapeError(
                f"softmax_ce_loss_logits needs logits (N, K) and labels (N,), "
                f"got {shape_str(z.shape)} and {shape_str(labels.shape)}."
            )
        n, k = z.shape
        labels = np.asarray(labels, dtype=np.int64)
        if n and (labels.min() < 0 or labels.max() >= k):
            raise ValueError(
                f"Class labels must lie in 0..{k - 1} for {k} outputs, "
                f"but they range from {labels.min()} to {labels.max()}."
            )
        shifted = z - z.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=1, keepdims=True)
        rows = np.arange(n)
        # -log softmax(z)[label] = log Σ e^(z - max) - (z[label] - max)
        per = np.log(s[:, 0]) - shifted[rows, labels]
        loss = np.mean(per, dtype=np.float64) if n else 0.0
        dz = e / s
        dz[rows, labels] -= 1
        dz *= 1.0 / max(n, 1)
        return self._scalar(loss), dz.astype(self.dtype, copy=False)

    def regularize(self, kind: str, w, dw, rate: float):
        check_regularization(kind)
        if kind == "none" or rate == 0:
            return self._scalar(0.0)
        if kind == "l2":
            dw += rate * w
            return self._scalar(rate * 0.5 * np.sum(w * w, dtype=np.float64))
        dw += rate * np.sign(w)
        return self._scalar(rate * np.sum(np.abs(w), dtype=np.float64))

    # ----------------------------------------------------------- convolution
    def _im2col(self, x, k, stride, pad, oh, ow):
        """Rows (N·OH·OW, C·K·K): one flattened receptive field per output position."""
        if pad:
            x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
        win = _windows(x, k, stride, oh, ow)  # (N, C, OH, OW, K, K)
        n, c = x.shape[:2]
        return win.transpose(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, c * k * k)

    def conv2d_forward(self, x, w, b, stride: int, pad: int):
        oh, ow = conv_out_shape(x.shape, w.shape, stride, pad)
        n, f, k = x.shape[0], w.shape[0], w.shape[2]
        if b.shape != (f,):
            raise ShapeError(f"conv2d bias {shape_str(b.shape)} must have one value per filter ({f}).")
        cols = self._im2col(x, k, stride, pad, oh, ow)
        z = cols @ w.reshape(f, -1).T + b  # (N·OH·OW, F)
        return np.ascontiguousarray(z.reshape(n, oh, ow, f).transpose(0, 3, 1, 2), dtype=self.dtype)

    def conv2d_backward(self, x, w, dz, stride: int, pad: int, need_dx: bool = True):
        oh, ow = conv_out_shape(x.shape, w.shape, stride, pad)
        n, c, h, wd = x.shape
        f, k = w.shape[0], w.shape[2]
        if dz.shape != (n, f, oh, ow):
            raise ShapeError(f"conv2d_backward: dz {shape_str(dz.shape)} should be {shape_str((n, f, oh, ow))}.")
        cols = self._im2col(x, k, stride, pad, oh, ow)
        dz2 = dz.transpose(0, 2, 3, 1).reshape(-1, f)  # (N·OH·OW, F)
        dw = (dz2.T @ cols).reshape(w.shape)
        db = dz.sum(axis=(0, 2, 3), dtype=self.dtype)
        if not need_dx:
            return None, dw.astype(self.dtype, copy=False), db
        dcols = (dz2 @ w.reshape(f, -1)).reshape(n, oh, ow, c, k, k)
        # col2im: add each kernel tap's contribution back onto the padded image
        dxp = np.zeros((n, c, h + 2 * pad, wd + 2 * pad), dtype=self.dtype)
        for i in range(k):
            for j in range(k):
                dxp[:, :, i : i + stride * (oh - 1) + 1 : stride, j : j + stride * (ow - 1) + 1 : stride] += (
                    dcols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
                )
        dx = np.ascontiguousarray(dxp[:, :, pad : pad + h, pad : pad + wd])
        return dx, dw.astype(self.dtype, copy=False), db

    # --------------------------------------------------------------- pooling
    def maxpool_forward(self, x, size: int, stride: int):
        oh, ow = pool_out_shape(x.shape, size, stride)
        n, c, _, wd = x.shape
        win = _windows(x, size, stride, oh, ow).reshape(n, c, oh, ow, size * size)
        local = np.argmax(win, axis=-1)  # the first of equal maxima, as PyTorch
        y = np.take_along_axis(win, local[..., None], axis=-1)[..., 0]
        rows = np.arange(oh)[:, None] * stride + local // size
        cols = np.arange(ow)[None, :] * stride + local % size
        argmax = (rows * wd + cols).astype(np.int32)
        return np.ascontiguousarray(y, dtype=self.dtype), argmax

    def maxpool_backward(self, dy, argmax, x_shape, size: int | None = None, stride: int | None = None):
        """As the contract; ``size`` and ``stride`` are accepted for symmetry with the OpenCL
        backend (which uses them to gather faster) and not needed here."""
        n, c, h, wd = (int(s) for s in x_shape)
        if dy.shape != argmax.shape or dy.shape[:2] != (n, c):
            raise ShapeError(
                f"maxpool_backward: dy {shape_str(dy.shape)} and argmax {shape_str(argmax.shape)} "
                f"do not fit an input of {shape_str(x_shape)}."
            )
        plane = np.arange(n * c, dtype=np.int64).reshape(n, c, 1, 1) * (h * wd)
        idx = (plane + argmax).ravel()
        # bincount sums the dy of overlapping windows that share a winner
        dx = np.bincount(idx, weights=dy.ravel(), minlength=n * c * h * wd)
        return dx.reshape(n, c, h, wd).astype(self.dtype)

    def avgpool_forward(self, x, size: int, stride: int):
        oh, ow = pool_out_shape(x.shape, size, stride)
        win = _windows(x, size, stride, oh, ow)
        return np.ascontiguousarray(win.mean(axis=(-2, -1), dtype=self.dtype))

    def avgpool_backward(self, dy, x_shape, size: int, stride: int):
        oh, ow = pool_out_shape(tuple(x_shape), size, stride)
        n, c, h, wd = (int(s) for s in x_shape)
        if dy.shape != (n, c, oh, ow):
            raise ShapeError(f"avgpool_backward: dy {shape_str(dy.shape)} should be {shape_str((n, c, oh, ow))}.")
        dx = np.zeros((n, c, h, wd), dtype=self.dtype)
        share = dy * (1.0 / (size * size))
        for i in range(size):
            for j in range(size):
                dx[:, :, i : i + stride * (oh - 1) + 1 : stride, j : j + stride * (ow - 1) + 1 : stride] += share
        return dx

    # --------------------------------------------------------------- sequences
    def gather_rows(self, a, idx, start: int, count: int):
        return np.ascontiguousarray(a[idx[start:start + count]])

    def time_slice(self, x, t: int):
        return np.ascontiguousarray(x[:, t, :])

    def time_store(self, dst, t: int, src) -> None:
        dst[:, t, :] = src

    # ------------------------------------------------------------- optimisers
    def sgd_update(self, p, g, v, lr: float, momentum: float = 0.0, nesterov: bool = False) -> None:
        if momentum == 0:
            p -= lr * g
            return
        v *= momentum
        v += g
        step = g + momentum * v if nesterov else v
        p -= lr * step

    def adam_update(self, p, g, m, v, lr: float, beta1: float, beta2: float, eps: float, t: int) -> None:
        # the same order of operations as torch.optim.Adam's single-tensor path
        m += (1 - beta1) * (g - m)
        v *= beta2
        v += (1 - beta2) * (g * g)
        bc1 = 1 - beta1**t
        bc2_sqrt = (1 - beta2**t) ** 0.5
        denom = np.sqrt(v) / bc2_sqrt + eps
        p -= (lr / bc1) * (m / denom)

    def count_nonfinite(self, a, counter) -> None:
        counter[0] += np.count_nonzero(~np.isfinite(a))
