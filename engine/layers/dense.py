"""Dense (fully connected) layer: Z = X·Wᵀ + b, A = f(Z); per sample z = W·a + b."""

from __future__ import annotations

from .base import LEAKY_SLOPE, Layer


class DenseLayer(Layer):
    """W (units, inputs), b (units,); keeps x, z and a for backward."""

    def __init__(self, spec, index, in_shape, out_shape, backend, regularization):
        super().__init__(spec, index, in_shape, out_shape, backend, regularization)
        self.activation = spec.activation
        self.x = None

    def forward(self, be, x, training=False, tracer=None):
        S, P = self.S, self.P
        W, b = self.params["W"], self.params["b"]
        z = be.matmul(x, W, trans_b=True)
        if tracer is None and self.activation != "softmax":
            # untraced: bias and activation in one pass (the same numbers)
            a = be.bias_activation(z, b, self.activation, LEAKY_SLOPE)
            self.x, self.z, self.out = x, z, a
            return a
        self._emit(tracer, "forward", "matmul", f"z{S} = W{S}·a{P}", {"W": W, "a_prev": x, "z": z})
        be.add_bias(z, b)
        self._emit(tracer, "forward", "bias", f"z{S} = z{S} + b{S}", {"b": b, "z": z})
        a = self._activate(be, z, tracer)
        self.x, self.z, self.out = x, z, a
        return a

    def forward_logits(self, be, x):
        """z = W·a + b alone (no activation): for a loss that reads the logits. ``out`` is None."""
        z = be.matmul(x, self.params["W"], trans_b=True)
        be.add_bias(z, self.params["b"])
        self.x, self.z, self.out = x, z, None
        return z

    def backward(self, be, dout, tracer=None, *, wrt_z=False, need_dx=True):
        S, P = self.S, self.P
        self.penalties = []
        dz = self._delta(be, dout, tracer, wrt_z)
        # dW = Σₙ δ·aᵀ = δᵀ·X over the batch, written straight into the gradient array
        be.matmul(dz, self.x, trans_a=True, out=self.grads["W"])
        self._regularize(be, "W")
        self._emit(tracer, "backward", "∂W", f"∂J/∂W{S} = δ{S}·a{P}ᵀ{self._reg_term('W' + S)}",
                   {"delta": dz, "a_prev": self.x, "dW": self.grads["W"]})
        be.bias_grad(dz, out=self.grads["b"])
        self._emit(tracer, "backward", "∂b", f"∂J/∂b{S} = Σₙ δ{S}", {"delta": dz, "db": self.grads["b"]})
        dx = None
        if need_dx:
            dx = be.matmul(dz, self.params["W"])
            self._emit(tracer, "backward", "∂a_prev", f"∂J/∂a{P} = W{S}ᵀ·δ{S}",
                       {"W": self.params["W"], "delta": dz, "da_prev": dx})
        return dx

    def release(self):
        super().release()
        self.x = None
