"""The OpenCL backend: every op a kernel from opencl/kernels on one device."""

from .base import Backend
from .cl_linalg import ClLinalgOps
from .cl_memory import ClMemory
from .cl_nn import ClNNOps


class ClBackend(ClMemory, ClLinalgOps, ClNNOps, Backend):
    """Backend running kernels on one OpenCL device in one dtype."""

    def __init__(self, device, dtype):
        super().__init__(device, dtype)
        self._init_cl()
