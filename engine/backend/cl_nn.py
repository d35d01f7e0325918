"""(being written) ClNNOps."""


class ClNNOps:
    """Mixin; see engine/backend/base.py for the contract."""
