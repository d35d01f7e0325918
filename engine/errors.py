"""Errors the engine raises: each message is a sentence a person can act on."""


class EngineError(Exception):
    """Base class of the engine's own errors."""


class ShapeError(EngineError, ValueError):
    """Operands whose shapes break an operation's rule; the message names both shapes."""


class SingularMatrixError(EngineError, ValueError):
    """Elimination found no usable pivot; ``column`` is the (0-based) column where it vanished."""

    def __init__(self, message: str, column: int | None = None):
        super().__init__(message)
        self.column = column


class NonFiniteError(EngineError, ValueError):
    """An input or a result holds NaN or infinity."""


class DivergenceError(EngineError, FloatingPointError):
    """Training produced a non-finite loss or parameter; the parameters were restored."""

    def __init__(self, message: str, step: int | None = None):
        super().__init__(message)
        self.step = step


class DeviceError(EngineError, RuntimeError):
    """A device could not be found or used."""


def shape_str(shape) -> str:
    """``(3, 2)`` -> ``'3×2'``; a vector ``(4,)`` -> ``'4'``."""
    return "×".join(str(int(s)) for s in shape) if len(shape) else "scalar"
