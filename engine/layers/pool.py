"""Max and average pooling over size×size windows of images (N, C, H, W)."""

from __future__ import annotations

from .base import Layer


class MaxPoolLayer(Layer):
    """Keeps each window's maximum; backward routes the gradient to the winner (argmax kept)."""

    def __init__(self, spec, index, in_shape, out_shape, backend, regularization):
        super().__init__(spec, index, in_shape, out_shape, backend, regularization)
        self.size = spec.size
        self.stride = spec.stride
        self.argmax = None
        self.x_shape = None

    def forward(self, be, x, training=False, tracer=None):
        y, self.argmax = be.maxpool_forward(x, self.size, self.stride)
        self.x_shape = tuple(x.shape)
        self._emit(tracer, "forward", "maxpool",
                   f"a{self.S} = max over each {self.size}×{self.size} window of a{self.P} (stride {self.stride})",
                   {"a_prev": x, "a": y})
        self.out = y
        return y

    def backward(self, be, dout, tracer=None, *, wrt_z=False, need_dx=True):
        self.penalties = []
        if not need_dx:
            return None
        dx = be.maxpool_backward(dout, self.argmax, self.x_shape, self.size, self.stride)
        self._emit(tracer, "backward", "∂a_prev",
                   f"∂J/∂a{self.P} = ∂J/∂a{self.S} routed to each window's maximum (0 elsewhere)",
                   {"da": dout, "da_prev": dx})
        return dx

    def release(self):
        super().release()
        self.argmax = None


class AvgPoolLayer(Layer):
    """Mean of each window; backward spreads the gradient evenly over it."""

    def __init__(self, spec, index, in_shape, out_shape, backend, regularization):
        super().__init__(spec, index, in_shape, out_shape, backend, regularization)
        self.size = spec.size
        self.stride = spec.stride
        self.x_shape = None

    def forward(self, be, x, training=False, tracer=None):
        y = be.avgpool_forward(x, self.size, self.stride)
        self.x_shape = tuple(x.shape)
        self._emit(tracer, "forward", "avgpool",
                   f"a{self.S} = mean over each {self.size}×{self.size} window of a{self.P} (stride {self.stride})",
                   {"a_prev": x, "a": y})
        self.out = y
        return y

    def backward(self, be, dout, tracer=None, *, wrt_z=False, need_dx=True):
        self.penalties = []
        if not need_dx:
            return None
        dx = be.avgpool_backward(dout, self.x_shape, self.size, self.stride)
        self._emit(tracer, "backward", "∂a_prev",
                   f"∂J/∂a{self.P} = ∂J/∂a{self.S} / {self.size * self.size} spread over each window",
                   {"da": dout, "da_prev": dx})
        return dx
