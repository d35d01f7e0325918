"""Max and average pooling over size×size windows of images (N, C, H, W)."""

from __future__ import annotations

from .base import ParameterFreeLayer


class MaxPoolLayer(ParameterFreeLayer):
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
        return self._output(
            tracer, "maxpool",
            f"a{self.S} = max over each {self.size}×{self.size} window of a{self.P} (stride {self.stride})", x, y)

    def _input_grad(self, be, dout):
        dx = be.maxpool_backward(dout, self.argmax, self.x_shape, self.size, self.stride)
        return dx, f"∂J/∂a{self.P} = ∂J/∂a{self.S} routed to each window's maximum (0 elsewhere)", {}

    def release(self):
        super().release()
        self.argmax = None


class AvgPoolLayer(ParameterFreeLayer):
    """Mean of each window; backward spreads the gradient evenly over it."""

    def __init__(self, spec, index, in_shape, out_shape, backend, regularization):
        super().__init__(spec, index, in_shape, out_shape, backend, regularization)
        self.size = spec.size
        self.stride = spec.stride
        self.x_shape = None

    def forward(self, be, x, training=False, tracer=None):
        y = be.avgpool_forward(x, self.size, self.stride)
        self.x_shape = tuple(x.shape)
        return self._output(
            tracer, "avgpool",
            f"a{self.S} = mean over each {self.size}×{self.size} window of a{self.P} (stride {self.stride})", x, y)

    def _input_grad(self, be, dout):
        dx = be.avgpool_backward(dout, self.x_shape, self.size, self.stride)
        return dx, f"∂J/∂a{self.P} = ∂J/∂a{self.S} / {self.size * self.size} spread over each window", {}
