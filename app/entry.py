"""The ``mnlab`` console script: headless commands go to the engine, the rest to the GUI."""

from __future__ import annotations

import importlib
import sys

# Commands that run without a window; they must not import Qt, so they work on
# machines with no display and no GUI libraries.
HEADLESS_COMMANDS = ("devices", "train")


def main(argv: list[str] | None = None) -> int:
    """Run ``mnlab [devices|train ...]`` headless, or open the main window."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in HEADLESS_COMMANDS:
        try:
            cli = importlib.import_module("engine.cli")
        except ModuleNotFoundError as exc:
            if exc.name not in ("engine", "engine.cli"):
                raise
            print(
                f"The headless command {argv[0]!r} needs engine.cli, which this copy of "
                "Matrix Network Lab does not have yet; run 'mnlab' without it to open the window.",
                file=sys.stderr,
            )
            return 2
        return int(cli.main(argv) or 0)

    from app.main import main as gui_main

    return gui_main(argv)
