"""Backends: the narrow interface between the engine and a device.

A backend owns arrays on one device in one dtype and runs ops on them. Layers,
losses and optimisers are written once against ``Backend`` (see ``base.py``);
``NumpyBackend`` is the reference, ``ClBackend`` runs OpenCL kernels.
"""

from .base import Backend

__all__ = ["Backend"]
