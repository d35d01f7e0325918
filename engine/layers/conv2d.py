"""2-D convolution layer (cross-correlation, as PyTorch) + bias + activation."""

from __future__ import annotations

from .base import LEAKY_SLOPE, Layer


class Conv2DLayer(Layer):
    """W (filters, channels, k, k), b (filters,); images (N, C, H, W) -> (N, F, OH, OW)."""

    def __init__(self, spec, index, in_shape, out_shape, backend, regularization):
        super().__init__(spec, index, in_shape, out_shape, backend, regularization)
        self.activation = spec.activation
        self.stride = spec.stride
        self.pad = spec.padding
        self.x = None
        self._no_bias = None

    def forward(self, be, x, training=False, tracer=None):
        S, P = self.S, self.P
        W, b = self.params["W"], self.params["b"]
        conv = f"z{S} = W{S} ∗ a{P}"
        # The fused kernel adds b itself, and its values are the ones training uses, so a
        # traced step equals an untraced one bit for bit. A trace shows the convolution
        # and the bias as two steps: the bias-free values are computed for display only.
        if tracer is None and self.activation != "softmax":
            # untraced: convolution, bias and activation in one pass where the backend can
            z, a = be.conv2d_forward_act(x, W, b, self.stride, self.pad, self.activation, LEAKY_SLOPE)
            self.x, self.z, self.out = x, z, a
            return a
        z = be.conv2d_forward(x, W, b, self.stride, self.pad)
        if tracer is not None:
            if self._no_bias is None:
                self._no_bias = be.zeros(b.shape)
            z_conv = be.conv2d_forward(x, W, self._no_bias, self.stride, self.pad)
            self._emit(tracer, "forward", "conv2d", f"{conv} (stride {self.stride}, padding {self.pad})",
                       {"W": W, "a_prev": x, "z": z_conv})
            self._emit(tracer, "forward", "bias", f"z{S} = z{S} + b{S} (one bias per filter)", {"b": b, "z": z})
        a = self._activate(be, z, tracer)
        self.x, self.z, self.out = x, z, a
        return a

    def backward(self, be, dout, tracer=None, *, wrt_z=False, need_dx=True):
        S, P = self.S, self.P
        self.penalties = []
        dz = self._delta(be, dout, tracer, wrt_z)
        dx, dw, db = be.conv2d_backward(self.x, self.params["W"], dz, self.stride, self.pad, need_dx=need_dx)
        self._store(be, "W", dw)
        self._regularize(be, "W")
        self._emit(tracer, "backward", "∂W", f"∂J/∂W{S} = a{P} ⋆ δ{S}{self._reg_term('W' + S)}",
                   {"delta": dz, "a_prev": self.x, "dW": self.grads["W"]})
        self._store(be, "b", db)
        self._emit(tracer, "backward", "∂b", f"∂J/∂b{S} = Σ δ{S} (over samples and positions)",
                   {"delta": dz, "db": self.grads["b"]})
        if not need_dx:
            return None
        self._emit(tracer, "backward", "∂a_prev", f"∂J/∂a{P} = δ{S} ∗ rot180(W{S}) (full convolution)",
                   {"W": self.params["W"], "delta": dz, "da_prev": dx})
        return dx

    def release(self):
        super().release()
        self.x = None
