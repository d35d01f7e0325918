"""The headless command line: ``mnlab devices`` and ``mnlab train``.

    mnlab devices
    mnlab train SPEC.json --data NAME [--n N] [--noise X] [--steps N] [--batch-size B]
                [--optimizer adam|sgd|momentum] [--lr LR] [--device D] [--seed S]
                [--csv metrics.csv] [--save weights.npz] [--every K]

``python3 -m engine.cli ...`` works too. Exit codes: 0 done, 2 bad usage, spec, data or
file (one sentence on stderr, no traceback), 3 the training diverged.
Never imports Qt.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time

import numpy as np

EXIT_OK, EXIT_USAGE, EXIT_DIVERGED = 0, 2, 3
DEFAULT_LR = {"adam": 0.01, "sgd": 0.1, "momentum": 0.05}


class UsageError(Exception):
    """Bad command-line usage; the message is the sentence to print."""


class _Parser(argparse.ArgumentParser):
    """argparse that raises UsageError instead of printing usage and exiting."""

    def error(self, message):
        where = self.prog if self.prog.startswith("mnlab") else "mnlab"
        raise UsageError(f"{message[0].upper()}{message[1:]} (try '{where} --help').")


def _parser() -> argparse.ArgumentParser:
    top = _Parser(prog="mnlab", description="Matrix Network Lab, headless commands.")
    sub = top.add_subparsers(dest="command", parser_class=_Parser)
    sub.add_parser("devices", help="list the devices the engine can compute on")
    t = sub.add_parser("train", help="train a network spec on a built-in data set")
    t.add_argument("spec", metavar="SPEC.json", help="the network spec as JSON (NetworkSpec.to_dict form)")
    t.add_argument("--data", required=True, metavar="NAME", help="a built-in data set (spiral, digits, sine, ...)")
    t.add_argument("--n", type=int, default=None, help="samples in the data set (default: the set's own, 500 for generated sets)")
    t.add_argument("--noise", type=float, default=0.1, help="data noise (default 0.1)")
    t.add_argument("--steps", type=int, default=1000, help="training steps (batches), default 1000")
    t.add_argument("--batch-size", type=int, default=10, help="batch size (default 10)")
    t.add_argument("--optimizer", choices=("adam", "sgd", "momentum"), default="adam")
    t.add_argument("--lr", type=float, default=None,
                   help="learning rate (default 0.01 for adam, 0.1 for sgd, 0.05 for momentum)")
    t.add_argument("--device", default=None, help="device name (or part of it) or index from 'mnlab devices'")
    t.add_argument("--seed", type=int, default=0, help="seed for the data, the weights and the batch order")
    t.add_argument("--csv", default=None, metavar="FILE", help="write the metrics every K steps to a CSV file")
    t.add_argument("--save", default=None, metavar="FILE", help="save the trained weights as .npz")
    t.add_argument("--every", type=int, default=100, metavar="K", help="report every K steps (default 100)")
    return top


def _say(text: str) -> None:
    print(text, file=sys.stderr)


# ------------------------------------------------------------------ devices
def cmd_devices(out=None) -> int:
    """Print every device: index, name, platform, kind, fp64; '*' marks the current one."""
    import engine

    out = out or sys.stdout
    devs = engine.devices()
    current = engine.current_device()
    rows = [("", "#", "name", "platform", "kind", "fp64")]
    for i, d in enumerate(devs):
        rows.append(("*" if d is current else "", str(i), d.name, d.platform, d.kind, "yes" if d.fp64 else "no"))
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    for r in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip(), file=out)
    print("* the current device (choose another with --device NAME or INDEX).", file=out)
    note = engine.device_note()
    if note:
        print(note, file=out)
    return EXIT_OK


# ------------------------------------------------------------------ train
def _load_spec(path: str):
    from engine.spec import NetworkSpec

    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        raise UsageError(f"Could not read the spec file {path!r}: {exc.strerror or exc}.") from None
    try:
        d = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"The spec file {path!r} is not valid JSON: {exc.msg} at line {exc.lineno}, "
                         f"column {exc.colno}.") from None
    if not isinstance(d, dict):
        raise UsageError(f"The spec file {path!r} should hold a JSON object with 'input' and 'layers'.")
    try:
        return NetworkSpec.from_dict(d)
    except (ValueError, TypeError, KeyError) as exc:
        raise UsageError(f"The spec in {path!r} is not usable: {_sentence(exc)}") from None


def _sentence(exc: BaseException) -> str:
    text = str(exc).strip().strip("'\"")
    if not text:
        return f"{type(exc).__name__}."
    return text if text.endswith((".", "!", "?")) else text + "."


def _fmt(value, pattern="{:.4g}") -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return pattern.format(value)


def _line(r: dict) -> str:
    text = (f"step {r['step']:>7}  epoch {r['epoch']:8.2f}  train loss {_fmt(r['train_loss']):>10}  "
            f"test loss {_fmt(r['test_loss']):>10}")
    if "accuracy" in r:
        text += f"  accuracy {_fmt(None if r['accuracy'] is None else 100 * r['accuracy'], '{:.1f}%'):>6}"
    return text


def cmd_train(args) -> int:
    """Train as the arguments say; see the module docstring."""
    import engine
    from engine import datasets
    from engine.model import Model
    from engine.trainer import Trainer

    for name, value, low in (("--steps", args.steps, 1), ("--batch-size", args.batch_size, 1),
                             ("--every", args.every, 1), ("--n", 1 if args.n is None else args.n, 1),
                             ("--seed", args.seed, 0)):
        if value < low:
            raise UsageError(f"{name} must be {low} or more, not {value}.")
    lr = DEFAULT_LR[args.optimizer] if args.lr is None else args.lr
    if not (math.isfinite(lr) and lr > 0):
        raise UsageError(f"--lr must be a finite number above 0, not {lr:g}.")
    spec = _load_spec(args.spec)
    try:
        # the device goes to the model only: main() may run inside another program
        # (tests), whose current device stays as it was
        which = None
        if args.device is not None:
            which = int(args.device) if args.device.strip().isdigit() else args.device
        data = datasets.load(args.data, n=args.n, noise=args.noise, seed=args.seed)
        model = Model(spec, seed=args.seed, device=which)
        device = model.device
        optimizer = {"type": args.optimizer, "lr": lr}
        trainer = Trainer(model, data, optimizer=optimizer, batch_size=args.batch_size, seed=args.seed)
    except (engine.EngineError, ValueError, TypeError) as exc:
        raise UsageError(_sentence(exc)) from None

    writer = csv_file = None
    if args.csv:
        try:
            csv_file = open(args.csv, "w", newline="", encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"Could not write the CSV file {args.csv!r}: {exc.strerror or exc}.") from None
        fields = ["step", "epoch", "train_loss", "test_loss"] + (["accuracy"] if model.is_classifier else [])
        writer = csv.DictWriter(csv_file, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()

    print(f"Training {len(spec.layers)} layers ({model.n_params} parameters, {spec.loss}) on {data.name!r} "
          f"({len(trainer.x_train)} training samples) with {args.optimizer} lr {lr:g}, batch {trainer.batch_size}, "
          f"on {device.name}.")
    t0 = time.perf_counter()
    done = 0
    result = None
    try:
        while done < args.steps:
            k = min(args.every, args.steps - done)
            result = trainer.step(k)
            done += k
            print(_line(result), flush=True)
            if writer is not None:
                writer.writerow(result)
                csv_file.flush()
    except engine.DivergenceError as exc:
        _say(str(exc))
        return EXIT_DIVERGED
    finally:
        if csv_file is not None:
            csv_file.close()
    seconds = time.perf_counter() - t0
    summary = (f"Trained {done} steps ({result['epoch']:.1f} epochs) in {seconds:.1f} s "
               f"({done / max(seconds, 1e-9):.0f} steps/s): train loss {_fmt(result['train_loss'])}, "
               f"test loss {_fmt(result['test_loss'])}")
    if result.get("accuracy") is not None:
        summary += f", test accuracy {100 * result['accuracy']:.1f}%"
    print(summary + ".")
    if args.save:
        try:
            np.savez(args.save, **model.params())
        except OSError as exc:
            raise UsageError(f"Could not save the weights to {args.save!r}: {exc.strerror or exc}.") from None
        print(f"Saved the weights to {args.save}.")
    return EXIT_OK


def main(argv=None) -> int:
    """Run ``mnlab devices`` or ``mnlab train ...``; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    try:
        if not argv or argv[0] in ("-h", "--help"):
            parser.print_help()
            return EXIT_OK if argv else EXIT_USAGE
        if argv[0] not in ("devices", "train"):
            raise UsageError(f"There is no command {argv[0]!r}: use 'mnlab devices' or 'mnlab train SPEC.json --data NAME'.")
        args = parser.parse_args(argv)
        if args.command == "devices":
            return cmd_devices()
        if args.command == "train":
            return cmd_train(args)
        raise UsageError(f"Unknown command {argv[0]!r}: use 'devices' or 'train'.")
    except UsageError as exc:
        _say(str(exc))
        return EXIT_USAGE
    except SystemExit as exc:  # --help
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_USAGE
    except KeyboardInterrupt:
        _say("Stopped.")
        return 130


if __name__ == "__main__":
    sys.exit(main())
