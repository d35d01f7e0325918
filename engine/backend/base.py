"""The backend interface. Every method here is implemented by both backends.

Arrays are backend arrays: ``np.ndarray`` on the numpy backend, ``ClArray`` on OpenCL.
Both expose ``.shape``, ``.dtype``, ``.size`` and ``.ndim``. Arrays are C-contiguous.
Unless a method says "in place", it returns a new array. Float arrays are in
``backend.dtype``; index and label arrays are int32.

Conventions (as PyTorch): a batch is rows; a dense layer computes Z = X·Wᵀ + b with
W of shape (units_out, units_in); images are (N, C, H, W); conv weights (F, C, K, K);
sequences (N, T, F). Losses are means (MSE over all elements, BCE over all elements,
softmax cross-entropy over the batch).

Nothing here synchronises with the host except ``to_numpy`` and methods documented as
returning a Python number: callers queue work freely and read back only what they need.
"""

from __future__ import annotations

import numpy as np


class Backend:
    """Abstract base: memory, linear algebra and neural-network ops on one device."""

    #: "numpy" or "opencl"
    kind: str = "abstract"

    def __init__(self, device, dtype=np.float32):
        self.device = device
        self.dtype = np.dtype(dtype)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.device.name} {self.dtype.name}>"

    # ---------------------------------------------------------------- memory
    def asarray(self, x, dtype=None):
        """Copy host data to the device (as ``dtype``, default the backend's float type)."""
        raise NotImplementedError

    def to_numpy(self, a) -> np.ndarray:
        """Copy an array back to the host (waits for queued work on it)."""
        raise NotImplementedError

    def empty(self, shape, dtype=None):
        """An uninitialised array."""
        raise NotImplementedError

    def zeros(self, shape, dtype=None):
        """An array of zeros."""
        raise NotImplementedError

    def full(self, shape, value, dtype=None):
        """An array with every element ``value``."""
        raise NotImplementedError

    def copy(self, a):
        """A new array with the same contents."""
        raise NotImplementedError

    def copy_into(self, dst, src) -> None:
        """In place: dst[...] = src (same size)."""
        raise NotImplementedError

    def reshape(self, a, shape):
        """The same data seen with another shape of equal size (no copy)."""
        raise NotImplementedError

    def finish(self) -> None:
        """Wait until all queued work is done."""

    # ---------------------------------------------------------- linear algebra
    # (implemented by the *LinalgOps mixins)
    def add(self, a, b):
        """a + b elementwise (same shapes)."""
        raise NotImplementedError

    def sub(self, a, b):
        """a − b elementwise (same shapes)."""
        raise NotImplementedError

    def mul(self, a, b):
        """a ⊙ b elementwise (same shapes)."""
        raise NotImplementedError

    def scale(self, a, s: float):
        """s·a."""
        raise NotImplementedError

    def axpy(self, alpha: float, x, y) -> None:
        """In place: y += alpha·x (same sizes)."""
        raise NotImplementedError

    def matmul(self, a, b, trans_a: bool = False, trans_b: bool = False, out=None, accumulate: bool = False):
        """op(a)·op(b) for 2-D arrays, op = transpose when asked.

        With ``out`` given, writes there (``accumulate=True``: out += product) and returns it.
        """
        raise NotImplementedError

    def transpose(self, a):
        """The transpose of a 2-D array."""
        raise NotImplementedError

    def dot(self, u, v) -> float:
        """Σ u_i·v_i of two 1-D arrays, as a Python float."""
        raise NotImplementedError

    def gauss_solve(self, a, b):
        """Gaussian elimination with partial pivoting on [a | b].

        a is (n, n); b is (n, m) with m >= 0. Returns ``(x, det)``: x = a⁻¹·b as a backend
        array (n, m) and det(a) as a Python float. Raises ``engine.SingularMatrixError``
        naming the column where no pivot was found.
        """
        raise NotImplementedError

    # ---------------------------------------------------------- neural network
    # (implemented by the *NNOps mixins)
    def add_bias(self, z, b) -> None:
        """In place: z += b broadcast along axis 1 (z (N, U) with b (U,), or z (N, C, H, W) with b (C,))."""
        raise NotImplementedError

    def bias_grad(self, g, out=None):
        """Σ of g over every axis but axis 1: shape (g.shape[1],); written into ``out``
        (an array of that shape) when given, which is returned."""
        raise NotImplementedError

    def activation(self, kind: str, z, alpha: float = 0.01):
        """f(z) elementwise for linear, relu, leaky_relu (slope alpha), tanh, sigmoid;
        softmax over the last axis of a 2-D z."""
        raise NotImplementedError

    def bias_activation(self, z, b, kind: str, alpha: float = 0.01):
        """z += b (as ``add_bias``), then a = f(z) for an elementwise ``kind`` (not softmax);
        returns a (z itself for linear). Backends may do both in one pass."""
        self.add_bias(z, b)
        return z if kind == "linear" else self.activation(kind, z, alpha)

    def conv2d_forward_act(self, x, w, b, stride: int, pad: int, kind: str, alpha: float = 0.01):
        """(z, a) of ``conv2d_forward`` and an elementwise activation (a is z for linear).
        Backends may do both in one pass."""
        z = self.conv2d_forward(x, w, b, stride, pad)
        return z, (z if kind == "linear" else self.activation(kind, z, alpha))

    def activation_backward(self, kind: str, z, a, da, alpha: float = 0.01):
        """dz = f′(z) ⊙ da (for softmax: the Jacobian-vector product a ⊙ (da − Σ da⊙a))."""
        raise NotImplementedError

    def mse_loss(self, a, y):
        """(loss, da): loss = mean((a − y)²) over all elements as a 1-element array."""
        raise NotImplementedError

    def bce_loss_logits(self, z, y):
        """(loss, dz) for sigmoid outputs from logits z, targets y ∈ {0, 1}, mean over all elements.

        Computed stably: max(z, 0) − z·y + log(1 + e^(−|z|)); dz = (σ(z) − y) / size.
        """
        raise NotImplementedError

    def softmax_ce_loss_logits(self, z, labels):
        """(loss, dz) for softmax outputs from logits z (N, K), int32 labels (N,), mean over N.

        dz = (softmax(z) − onehot(labels)) / N.
        """
        raise NotImplementedError

    def regularize(self, kind: str, w, dw, rate: float):
        """In place dw += ∂penalty/∂w; returns the penalty as a 1-element array.

        kind "l2": penalty = rate·½Σw², gradient rate·w. kind "l1": rate·Σ|w|, rate·sign(w).
        """
        raise NotImplementedError

    def conv2d_forward(self, x, w, b, stride: int, pad: int):
        """z = conv(x, w) + b: x (N, C, H, W), w (F, C, K, K), b (F,) -> (N, F, OH, OW),
        OH = (H + 2·pad − K) // stride + 1 (cross-correlation, as PyTorch)."""
        raise NotImplementedError

    def conv2d_backward(self, x, w, dz, stride: int, pad: int, need_dx: bool = True):
        """(dx, dw, db) of conv2d_forward given dz = ∂J/∂z; dx is None when not
        ``need_dx`` (the first layer: nobody uses the input's gradient)."""
        raise NotImplementedError

    def maxpool_forward(self, x, size: int, stride: int):
        """(y, argmax): y (N, C, OH, OW), OH = (H − size) // stride + 1; argmax int32 holds, per
        output, the flat index (h·W + w) of the winning input within its (n, c) plane."""
        raise NotImplementedError

    def maxpool_backward(self, dy, argmax, x_shape, size: int | None = None, stride: int | None = None):
        """dx (x_shape): each dy routed to its winning input (summed where windows overlap).

        Pass the window ``size`` and ``stride`` when known: each input then gathers from
        only the windows covering it (far more parallel than the per-plane fallback)."""
        raise NotImplementedError

    def avgpool_forward(self, x, size: int, stride: int):
        """Mean over each size×size window: (N, C, OH, OW)."""
        raise NotImplementedError

    def avgpool_backward(self, dy, x_shape, size: int, stride: int):
        """dx (x_shape): each dy spread evenly over its window."""
        raise NotImplementedError

    def gather_rows(self, a, idx, start: int, count: int):
        """a[idx[start:start + count]] as a new array: rows (first axis) of ``a`` (the
        backend's float type or int32) picked by the int32 indices ``idx`` (the caller
        guarantees they are valid rows)."""
        raise NotImplementedError

    def time_slice(self, x, t: int):
        """x[:, t, :] of a (N, T, F) array, as a new (N, F) array."""
        raise NotImplementedError

    def time_store(self, dst, t: int, src) -> None:
        """In place: dst[:, t, :] = src, dst (N, T, U), src (N, U)."""
        raise NotImplementedError

    def sgd_update(self, p, g, v, lr: float, momentum: float = 0.0, nesterov: bool = False) -> None:
        """In place, as torch.optim.SGD: v = μ·v + g; p −= lr·(g + μ·v if nesterov else v).
        With momentum 0, v may be None and p −= lr·g."""
        raise NotImplementedError

    def adam_update(self, p, g, m, v, lr: float, beta1: float, beta2: float, eps: float, t: int) -> None:
        """In place, as torch.optim.Adam (t counts from 1): m, v moments; bias-corrected step."""
        raise NotImplementedError

    def sgd_update_many(self, ps: list, gs: list, lr: float) -> None:
        """``sgd_update`` without momentum of every p in ``ps`` from its g in ``gs``
        (backends may update several in one pass)."""
        for p, g in zip(ps, gs):
            self.sgd_update(p, g, None, lr)

    def adam_update_many(self, ps: list, gs: list, ms: list, vs: list, lr: float, beta1: float,
                         beta2: float, eps: float, t: int) -> None:
        """``adam_update`` of every parameter of the lists (backends may update several in one pass)."""
        for p, g, m, v in zip(ps, gs, ms, vs):
            self.adam_update(p, g, m, v, lr, beta1, beta2, eps, t)

    def count_nonfinite(self, a, counter) -> None:
        """In place: counter[0] += number of NaN/inf elements of a (counter: int32 (1,))."""
        raise NotImplementedError
