"""Start the GUI: parse the window's flags, pick the device, show (or grab) the window."""

from __future__ import annotations

import argparse
import sys

from app.environment import prepare_environment, use_offscreen_if_headless


def build_parser() -> argparse.ArgumentParser:
    """The GUI's command-line flags."""
    parser = argparse.ArgumentParser(
        prog="mnlab",
        description="Matrix Network Lab: build matrices and neural networks, run them on OpenCL.",
        epilog="Headless commands: 'mnlab devices' lists devices, 'mnlab train ...' trains without a window.",
    )
    parser.add_argument(
        "--screenshot",
        metavar="PATH",
        help="render the main window to a PNG file at PATH and exit (works without a display)",
    )
    parser.add_argument(
        "--device",
        metavar="NAME",
        help="compute on this device (a name or part of one, or 'numpy'); default: PYOPENCL_CTX, else the best GPU, else a CPU",
    )
    parser.add_argument(
        "--demo",
        choices=MATRIX_DEMOS + NETWORK_DEMOS,
        help="open with an example loaded: 'matrix' (multiplication stepper mid-way), "
             "'elimination' (Gauss-Jordan steps of an inverse), or a network preset "
             "trained for --steps steps: " + ", ".join(NETWORK_DEMOS),
    )
    parser.add_argument(
        "--step-through",
        action="store_true",
        help="with a network --demo: open the step inspector on the next batch, at the "
             "output layer's weight gradient",
    )
    parser.add_argument(
        "--steps",
        type=int,
        default=300,
        metavar="N",
        help="with a network --demo: train N steps before showing it (default 300)",
    )
    return parser


MATRIX_DEMOS = ("matrix", "elimination")
SCREENSHOT_SIZE = (1500, 950)
NETWORK_DEMOS = ("spiral", "xor", "digits", "sine", "linear")


def main(argv: list[str] | None = None) -> int:
    """Run the GUI and return the process exit status."""
    # First, before any import below can load pyopencl or Qt.
    prepare_environment()
    args = build_parser().parse_args(sys.argv[1:] if argv is None else [str(a) for a in argv])
    if args.screenshot:
        use_offscreen_if_headless()

    import engine

    if args.device:
        try:
            engine.use_device(args.device)
        except Exception as exc:  # any failure is reported as its sentence, not a traceback
            print(f"mnlab: {exc}", file=sys.stderr)
            return 2

    from PySide6.QtWidgets import QApplication

    from app.main_window import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "mnlab"])
    app.setApplicationName("Matrix Network Lab")
    app.setOrganizationName("Matrix Network Lab")

    network_lab = None
    if args.demo in NETWORK_DEMOS:
        from app.network_lab import NetworkLabPanel

        if args.steps < 0:
            print("mnlab: --steps must be 0 or more.", file=sys.stderr)
            return 2
        network_lab = NetworkLabPanel.demo(args.demo, steps=args.steps)
    window = MainWindow(network_lab=network_lab)
    from app.project_controller import install

    # Settings (geometry, theme, last device and preset) only when no flag chose otherwise;
    # crash recovery is offered only to a person, not to a screenshot run.
    install(window, restore_settings=not (args.device or args.demo), offer_recovery=not args.screenshot)
    if args.demo in MATRIX_DEMOS:
        window.show_matrix_demo(args.demo)
    elif network_lab is not None and args.step_through:
        from app.step_inspector import open_demo

        window.resize(*SCREENSHOT_SIZE)
        window.show()
        open_demo(network_lab)
    elif network_lab is not None and not args.screenshot:
        network_lab.start_background()  # the window stays open: training can go on
    if args.screenshot:
        return _screenshot(window, args.screenshot)
    window.show()
    return app.exec()


def _screenshot(window, path: str) -> int:
    """Grab ``window`` into a PNG at ``path``; 0 on success, 1 with a sentence otherwise."""
    window.resize(*SCREENSHOT_SIZE)
    window.show()
    # grab() paints synchronously, but layouts settle through posted events first.
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    pixmap = window.grab()
    window.close()
    window.shutdown()
    # Tear the widgets down while the QApplication still exists: left to interpreter
    # exit, the order of destruction is arbitrary and Qt may crash on the way out.
    window.deleteLater()
    QApplication.sendPostedEvents(None, 0)
    QApplication.processEvents()
    if not pixmap.save(str(path), "PNG"):
        print(f"mnlab: could not write the screenshot to {path}: check the folder exists and is writable.", file=sys.stderr)
        return 1
    return 0
