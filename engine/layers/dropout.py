"""Inverted dropout: while training, zero each value with probability p and scale the rest by 1/(1−p)."""

from __future__ import annotations

import numpy as np

from .base import ParameterFreeLayer


class DropoutLayer(ParameterFreeLayer):
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
            return self._output(
                tracer, "dropout",
                f"a{self.S} = a{self.P} (dropout is off {'outside training' if p else 'at rate 0'})", x, x)
        self.mask = be.asarray(self.draw_mask(tuple(x.shape)))
        y = be.mul(x, self.mask)
        return self._output(tracer, "dropout",
                            f"a{self.S} = a{self.P} ⊙ m, m = 0 with probability {p:g}, else 1/(1−{p:g})",
                            x, y, mask=self.mask)

    def _input_grad(self, be, dout):
        if self.mask is None:
            return dout, f"∂J/∂a{self.P} = ∂J/∂a{self.S}", {}
        return be.mul(dout, self.mask), f"∂J/∂a{self.P} = ∂J/∂a{self.S} ⊙ m", {"mask": self.mask}

    def release(self):
        super().release()
        self.mask = None
