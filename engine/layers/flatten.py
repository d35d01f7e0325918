"""Flatten: (N, C, H, W) images or (N, T, F) sequences to (N, features), no copy."""

from __future__ import annotations

from .base import ParameterFreeLayer


class FlattenLayer(ParameterFreeLayer):
    """A reshape both ways; the data stay where they are."""

    def forward(self, be, x, training=False, tracer=None):
        self.x_shape = tuple(x.shape)
        y = be.reshape(x, (x.shape[0],) + self.out_shape)
        return self._output(tracer, "flatten",
                            f"a{self.S} = a{self.P} as one row of {self.out_shape[0]} values per sample", x, y)

    def _input_grad(self, be, dout):
        return be.reshape(dout, self.x_shape), f"∂J/∂a{self.P} = ∂J/∂a{self.S} reshaped back", {}
