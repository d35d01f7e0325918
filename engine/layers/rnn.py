"""Elman RNN: h_t = f(W_xh·x_t + W_hh·h_{t−1} + b_h), h_0 = 0, over (N, T, F) sequences.

Backward is backpropagation through time: from the last step to the first, the
gradient of each step's pre-activation is added into the shared weights' gradients
(``matmul(accumulate=True)``), and W_hhᵀ carries it on to the step before.
"""

from __future__ import annotations

import numpy as np

from .base import Layer, activation_grad, apply_activation

ACT_TEXT = {"tanh": "tanh", "relu": "ReLU"}


class RNNLayer(Layer):
    """W_xh (units, features), W_hh (units, units), b_h (units,).

    Output (N, units) with h_T, or (N, T, units) with every h_t when return_sequences.
    Keeps every x_t, z_t and h_t of the last forward pass for backward (and for
    ``hidden_sequence``, which the GUI plots).
    """

    def __init__(self, spec, index, in_shape, out_shape, backend, regularization):
        super().__init__(spec, index, in_shape, out_shape, backend, regularization)
        self.activation = spec.activation
        self.units = spec.units
        self.return_sequences = spec.return_sequences
        self.steps = in_shape[0]
        self.xs: list = []
        self.zs: list = []
        self.hs: list = []
        self.x_shape = None

    def _step_formula(self, t: int) -> str:
        S = self.S
        f = ACT_TEXT[self.activation]
        if t == 0:
            return f"h{S}_0 = {f}(W_xh{S}·x_0 + b_h{S})   (h_-1 = 0)"
        return f"h{S}_{t} = {f}(W_xh{S}·x_{t} + W_hh{S}·h{S}_{t - 1} + b_h{S})"

    def forward(self, be, x, training=False, tracer=None):
        W_xh, W_hh, b = self.params["W_xh"], self.params["W_hh"], self.params["b_h"]
        n = x.shape[0]
        self.x_shape = tuple(x.shape)
        self.xs, self.zs, self.hs = [], [], []
        h = None
        for t in range(self.steps):
            x_t = be.time_slice(x, t)
            z = be.matmul(x_t, W_xh, trans_b=True)
            if h is not None:  # h_0 = 0 adds nothing
                be.matmul(h, W_hh, trans_b=True, out=z, accumulate=True)
            be.add_bias(z, b)
            h_new = apply_activation(be, self.activation, z)
            if tracer is not None:
                h_prev = np.zeros((n, self.units), be.dtype) if h is None else h
                self._emit(tracer, "forward", f"step t={t}", self._step_formula(t),
                           {"t": np.array(t), "W_xh": W_xh, "W_hh": W_hh, "b_h": b,
                            "x_t": x_t, "h_prev": h_prev, "z_t": z, "h_t": h_new})
            self.xs.append(x_t)
            self.zs.append(z)
            self.hs.append(h_new)
            h = h_new
        self.z = None  # one pre-activation per step: see self.zs
        out = self.hidden_sequence(be) if self.return_sequences else h
        self.out = out
        return out

    def hidden_sequence(self, be):
        """Every hidden state of the last forward pass as one (N, T, units) array."""
        n = self.hs[0].shape[0]
        seq = be.empty((n, self.steps, self.units))
        for t, h in enumerate(self.hs):
            be.time_store(seq, t, h)
        return seq

    def backward(self, be, dout, tracer=None, *, wrt_z=False, need_dx=True):
        S, P = self.S, self.P
        self.penalties = []
        W_xh, W_hh = self.params["W_xh"], self.params["W_hh"]
        g_xh, g_hh, g_b = self.grads["W_xh"], self.grads["W_hh"], self.grads["b_h"]
        T = self.steps
        n = self.x_shape[0]
        dx = be.empty(self.x_shape) if need_dx else None
        dh_next = None  # W_hhᵀ·δ_{t+1}: the gradient reaching h_t through step t+1
        f = ACT_TEXT[self.activation]
        for t in range(T - 1, -1, -1):
            if self.return_sequences:
                dh = be.time_slice(dout, t)
                if dh_next is not None:
                    dh = be.add(dh, dh_next)
            else:
                dh = dout if t == T - 1 else dh_next
            dz = activation_grad(be, self.activation, self.zs[t], self.hs[t], dh)
            first = t == T - 1  # the first step backward writes the gradients, the rest add
            be.matmul(dz, self.xs[t], trans_a=True, out=g_xh, accumulate=not first)
            if t > 0:
                be.matmul(dz, self.hs[t - 1], trans_a=True, out=g_hh, accumulate=t != T - 1)
            if first:
                self._store(be, "b_h", be.bias_grad(dz))
            else:
                be.axpy(1.0, be.bias_grad(dz), g_b)
            if tracer is not None:
                h_prev = np.zeros((n, self.units), be.dtype) if t == 0 else self.hs[t - 1]
                carried = "" if t == T - 1 else f" + W_hh{S}ᵀ·δ{S}_{t + 1}"
                self._emit(tracer, "backward", f"bptt t={t}",
                           f"δ{S}_{t} = (∂J/∂h{S}_{t}{carried}) ⊙ {f}′(z{S}_{t})",
                           {"t": np.array(t), "dh": dh, "z_t": self.zs[t], "delta": dz,
                            "x_t": self.xs[t], "h_prev": h_prev})
            if need_dx:
                be.time_store(dx, t, be.matmul(dz, W_xh))
            if t > 0:
                dh_next = be.matmul(dz, W_hh)
        if T == 1:  # no step had an h_{t−1}: W_hh got no gradient
            be.copy_into(g_hh, be.zeros(g_hh.shape))
        self._regularize(be, "W_xh")
        self._regularize(be, "W_hh")
        self._emit(tracer, "backward", "∂W_xh",
                   f"∂J/∂W_xh{S} = Σ_t δ{S}_t·x_tᵀ{self._reg_term('W_xh' + S)}", {"dW_xh": g_xh})
        self._emit(tracer, "backward", "∂W_hh",
                   f"∂J/∂W_hh{S} = Σ_t δ{S}_t·h{S}_(t−1)ᵀ{self._reg_term('W_hh' + S)}", {"dW_hh": g_hh})
        self._emit(tracer, "backward", "∂b_h", f"∂J/∂b_h{S} = Σ_t Σₙ δ{S}_t", {"db_h": g_b})
        if need_dx:
            self._emit(tracer, "backward", "∂a_prev", f"∂J/∂a{P}_t = W_xh{S}ᵀ·δ{S}_t for every t",
                       {"W_xh": W_xh, "da_prev": dx})
        return dx

    def release(self):
        super().release()
        self.xs, self.zs, self.hs = [], [], []
