"""The numpy reference backend: every op in plain numpy, the yardstick for the kernels."""

from .base import Backend
from .numpy_linalg import NumpyLinalgOps
from .numpy_memory import NumpyMemory
from .numpy_nn import NumpyNNOps


class NumpyBackend(NumpyMemory, NumpyLinalgOps, NumpyNNOps, Backend):
    """Reference backend on the host (the "numpy" device)."""
