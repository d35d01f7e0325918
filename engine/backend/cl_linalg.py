"""(being written) ClLinalgOps."""


class ClLinalgOps:
    """Mixin; see engine/backend/base.py for the contract."""
