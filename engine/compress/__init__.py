"""Matrix challenges: the costs of matrices in deep learning, made measurable on the device.

* ``sparse``: COO / CSR / CSC storage, bytes, pruning, the CSR × dense product kernel.
* ``quantize``: int8 quantisation (symmetric / affine, per tensor / per row), error
  statistics, the int8 × int8 → int32 product kernel, quantising a trained network.
* ``lowrank``: SVD by one-sided Jacobi on the device, rank-k reconstruction, rank-k
  factorisation of a dense layer, PCA.
* ``precision``: float32 against float64, accumulated rounding, ill-conditioned solves.

Every function takes numpy arrays and returns numpy arrays (or small dataclasses of
them); the work runs on ``engine.current_device()`` unless a ``device`` is given.
Bad input is answered with a sentence (``engine.ShapeError``, ``NonFiniteError`` or
``ValueError``).
"""

from importlib import import_module

_MODULES = ("sparse", "quantize", "lowrank", "precision")

__all__ = list(_MODULES)


def __getattr__(name):
    if name in _MODULES:
        module = import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
