"""(being written) NumpyNNOps."""


class NumpyNNOps:
    """Mixin; see engine/backend/base.py for the contract."""
