"""Flatten: (N, C, H, W) images or (N, T, F) sequences to (N, features), no copy."""

from __future__ import annotations

from .base import Layer


class FlattenLayer(Layer):
    """A reshape both ways; the data stay where they are."""

    def forward(self, be, x, training=False, tracer=None):
        self.x_shape = tuple(x.shape)
        y = be.reshape(x, (x.shape[0],) + self.out_shape)
        self._emit(tracer, "forward", "flatten",
                   f"a{self.S} = a{self.P} as one row of {self.out_shape[0]} values per sample",
                   {"a_prev": x, "a": y})
        self.out = y
        return y

    def backward(self, be, dout, tracer=None, *, wrt_z=False, need_dx=True):
        self.penalties = []
        if not need_dx:
            return None
        dx = be.reshape(dout, self.x_shape)
        self._emit(tracer, "backward", "∂a_prev", f"∂J/∂a{self.P} = ∂J/∂a{self.S} reshaped back",
                   {"da": dout, "da_prev": dx})
        return dx
