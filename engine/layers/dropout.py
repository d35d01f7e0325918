"""Inverted dropout: while training, zero each value with probability p and scale the rest by 1/(1−p)."""

from __future__ import annotations

import numpy as np

from .base import Layer


class DropoutLayer(Layer):
    """Masks are drawn on the host from the model's Generator and uploaded.

    Drawing on the host keeps training reproducible on every device: a trace and a
    training step that start from the same ``model.rng`` state draw the same mask.
    ``fixed_mask`` (a host array of the batch's shape, already scaled) replaces the
    draw when set, for gradient checks and replays. In inference the layer is the identity.
    """

    def __init__(self, spec, index, in_shape, out_shape, backend, regularization, rng=None):
        super().__init__(spec, index, in_shape, out_shape, backend, regularization)
        self.rate = spec.rate
        self.rng = rng if rng is not None else np.random.default_rng(0)
        self.fixed_mask = None
        self.mask = None

    def draw_mask(self, shape) -> np.ndarray:
        """A host mask of ``shape``: 0 with probability rate, else 1/(1−rate)."""
        if self.fixed_mask is not None:
            mask = np.asarray(self.fixed_mask)
            if mask.shape != tuple(shape):
                raise ValueError(f"The fixed dropout mask has shape {mask.shape}, the batch {tuple(shape)}.")
            return mask
        keep = self.rng.random(shape) >= self.rate
        return keep / (1.0 - self.rate)

    def forward(self, be, x, training=False, tracer=None):
        p = self.rate
        if not training or (p == 0.0 and self.fixed_mask is None):
            self.mask = None
            self._emit(tracer, "forward", "dropout",
                       f"a{self.S} = a{self.P} (dropout is off {'outside training' if p else 'at rate 0'})",
                       {"a_prev": x, "a": x})
            self.out = x
            return x
        self.mask = be.asarray(self.draw_mask(tuple(x.shape)))
        y = be.mul(x, self.mask)
        self._emit(tracer, "forward", "dropout",
                   f"a{self.S} = a{self.P} ⊙ m, m = 0 with probability {p:g}, else 1/(1−{p:g})",
                   {"a_prev": x, "mask": self.mask, "a": y})
        self.out = y
        return y

    def backward(self, be, dout, tracer=None, *, wrt_z=False, need_dx=True):
        self.penalties = []
        if not need_dx:
            return None
        if self.mask is None:
            dx = dout
            self._emit(tracer, "backward", "∂a_prev", f"∂J/∂a{self.P} = ∂J/∂a{self.S}", {"da": dout, "da_prev": dx})
            return dx
        dx = be.mul(dout, self.mask)
        self._emit(tracer, "backward", "∂a_prev", f"∂J/∂a{self.P} = ∂J/∂a{self.S} ⊙ m",
                   {"da": dout, "mask": self.mask, "da_prev": dx})
        return dx

    def release(self):
        super().release()
        self.mask = None
