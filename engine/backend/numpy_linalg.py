"""(being written) NumpyLinalgOps."""


class NumpyLinalgOps:
    """Mixin; see engine/backend/base.py for the contract."""
