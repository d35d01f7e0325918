"""Project files: a whole lab session in one file, saved atomically and read without trust.

A project file (suffix ``.mnlab``) is a zip archive:

* ``project.json``: the format name and version, the matrix lab's matrix names and
  shapes, the network lab's document (preset, data set settings, network spec,
  training settings, step counters), and free view settings (current tab, plots);
* one ``.npy`` member per array (``matrices/0.npy``, ``network/params/0.W.npy``,
  ``network/optimizer/0.W/m.npy``, ``network/history/step.npy`` ...).

Because the arrays are ``.npy`` members of a zip, ``numpy.load("work.mnlab")`` opens
the file as an ``.npz`` too, and any zip tool shows what is inside.

Reading trusts nothing in the file. No pickle is ever loaded (object arrays are
refused), the JSON is size-capped and checked field by field, every array's header is
read and checked (dtype, shape, element count, byte count, against the shape the JSON
and the network spec expect) before a single byte of its data is allocated, and the
archive's declared sizes are capped, so a hostile file cannot make the loader allocate
a huge array, run code or crash: every problem is a ``ProjectError`` whose message is a
sentence naming the file. Loading builds a new ``Project`` and returns it; it never
touches the caller's state, so the current work stays as it was when a file is refused.

Saving writes a temporary file in the target's folder, flushes it to disk and renames
it over the target (``os.replace``, atomic on one file system): a crash or a kill in
the middle of a save leaves the previous file as it was.

The network document (``Project.network``) is a plain dict, the form
``NetworkLabPanel.document_state()`` gives and ``restore_document_state`` takes::

    {"preset": "XOR" | None,
     "dataset": {"name", "options", "noise", "test_ratio", "seed", "features", "user_path"},
     "spec": NetworkSpec dict,
     "training": {"optimizer", "lr", "batch_size", "model_seed", "step", "epoch"},
     "params": {"0.W": array, ...},                        # exactly spec.param_shapes()
     "optimizer": Optimizer.state_dict() form or None,
     "history": {"step", "train_loss", "test_loss"[, "accuracy"]: 1-D float arrays},
     "view": {...}}                                         # JSON-safe display settings
"""

from __future__ import annotations

import json
import math
import os
import re
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import EngineError, shape_str

FORMAT = "matrix-network-lab-project"
#: the format version this code writes and the newest it reads
VERSION = 1
SUFFIX = ".mnlab"
APP_NAME = "Matrix Network Lab"

# Limits: generous for a lab session, small enough that no file can exhaust memory.
MAX_JSON_BYTES = 8 * 1024 * 1024
MAX_MEMBERS = 20_000
MAX_MATRICES = 1_000
MAX_MATRIX_ENTRIES = 4096 * 4096          # the matrix lab's own limit
MAX_ARRAY_BYTES = 256 * 1024 * 1024       # one array, as stored
MAX_TOTAL_BYTES = 1024 * 1024 * 1024      # every member together, uncompressed
MAX_HISTORY = 1_000_000
MAX_HEADER = 10_000                       # bytes of an .npy header (numpy's own default cap)
MAX_JSON_DEPTH = 12
MAX_TEXT = 4_096                          # characters of one string in the JSON
MAX_PATH_TEXT = 32_768

_MATRIX_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_']{0,23}$")
_BUFFER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")
_HISTORY_KEYS = ("step", "train_loss", "test_loss", "accuracy")
_NETWORK_KEYS = ("preset", "dataset", "spec", "training", "params", "optimizer", "history", "view")
_DATASET_KEYS = ("name", "options", "noise", "test_ratio", "seed", "features", "user_path")
_TRAINING_KEYS = ("optimizer", "lr", "batch_size", "model_seed", "step", "epoch")
_TRAINING_OPTIMIZERS = ("sgd", "momentum", "adam")
_REAL_KINDS = "biuf"


class ProjectError(EngineError, ValueError):
    """A project file that cannot be read or written; the message says which file and why."""


class _Bad(Exception):
    """Internal: one reason a file is refused (a clause; ``load_project`` adds the file name)."""


@dataclass
class Project:
    """A lab session: the matrix lab's matrices, the network lab's document and view settings.

    ``matrices``: name -> 2-D float64 array, in the workspace's order. ``network``: the
    network lab's document (see the module docstring) or None. ``view``: JSON-safe
    settings (current tab, current matrix, plot options); ``format_version`` is the
    version the file was written in (``VERSION`` for a new project).
    """

    matrices: dict = field(default_factory=dict)
    network: dict | None = None
    view: dict = field(default_factory=dict)
    format_version: int = VERSION


# =============================================================== checking plain values

def _int(value, what: str, lo: int = 0, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise _Bad(f"{what} should be a whole number, not {_short(value)}")
    value = int(value)
    if value < lo or (hi is not None and value > hi):
        span = f"{lo} or more" if hi is None else f"{lo} to {hi}"
        raise _Bad(f"{what} is {value}, outside {span}")
    return value


def _real(value, what: str, lo: float | None = None, hi: float | None = None, above: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise _Bad(f"{what} should be a number, not {_short(value)}")
    value = float(value)
    if not math.isfinite(value) or (lo is not None and (value <= lo if above else value < lo)) or \
            (hi is not None and value > hi):
        raise _Bad(f"{what} is {value!r}, which is not an allowed value")
    return value


def _text(value, what: str, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise _Bad(f"{what} should be text, not {_short(value)}")
    if len(value) > limit:
        raise _Bad(f"{what} is {len(value):,} characters long, beyond the {limit:,} allowed")
    return value


def _dict(value, what: str) -> dict:
    if not isinstance(value, dict):
        raise _Bad(f"{what} should be a JSON object, not {_short(value)}")
    return value


def _keys(d: dict, allowed, what: str, required=()) -> None:
    unknown = [k for k in d if k not in allowed]
    if unknown:
        raise _Bad(f"{what} has the unknown field {_short(unknown[0])} (the fields are {', '.join(allowed)})")
    missing = [k for k in required if k not in d]
    if missing:
        raise _Bad(f"{what} has no {missing[0]!r} field")


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _plain(value, what: str, depth: int = 0, budget: list | None = None):
    """A JSON-safe value (dicts with text keys, lists, text, finite numbers, bools, None), bounded in size."""
    budget = [20_000] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        raise _Bad(f"{what} holds too many values")
    if depth > MAX_JSON_DEPTH:
        raise _Bad(f"{what} is nested more than {MAX_JSON_DEPTH} levels deep")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(float(value)):
            raise _Bad(f"{what} holds {float(value)!r}, which JSON cannot store")
        return float(value)
    if isinstance(value, str):
        return _text(value, what)
    if isinstance(value, (list, tuple)):
        return [_plain(v, what, depth + 1, budget) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            out[_text(k, f"a key of {what}", 200)] = _plain(v, what, depth + 1, budget)
        return out
    raise _Bad(f"{what} holds a {type(value).__name__}, which a project file cannot store")


# =============================================================== arrays in memory

def _array(value, what: str, kinds: str = _REAL_KINDS, finite: bool = False) -> np.ndarray:
    """``value`` as a numeric ndarray (no objects), checked before it is written."""
    a = np.asarray(value)
    if a.dtype.hasobject or a.dtype.kind not in kinds or a.dtype.fields is not None:
        raise _Bad(f"{what} holds {a.dtype} values; a project stores real numbers only")
    if finite and a.size and a.dtype.kind == "f" and not np.all(np.isfinite(a)):
        raise _Bad(f"{what} holds NaN or infinite values")
    if a.nbytes > MAX_ARRAY_BYTES:
        raise _Bad(f"{what} takes {a.nbytes:,} bytes, beyond the {MAX_ARRAY_BYTES:,} a project holds per array")
    return a


# =============================================================== the document's parts

def _check_matrix_name(name, what: str = "a matrix name") -> str:
    name = _text(name, what, 24)
    if not _MATRIX_NAME.match(name):
        raise _Bad(f"{_short(name)} cannot name a matrix (a letter, then up to 23 letters, digits, _ or ')")
    return name


def _check_matrix_shape(shape, name: str) -> tuple:
    if not isinstance(shape, (list, tuple)) or len(shape) != 2:
        raise _Bad(f"matrix {name} should have a shape [rows, columns], not {_short(shape)}")
    rows = _int(shape[0], f"the rows of matrix {name}", 1, MAX_MATRIX_ENTRIES)
    cols = _int(shape[1], f"the columns of matrix {name}", 1, MAX_MATRIX_ENTRIES)
    if rows * cols > MAX_MATRIX_ENTRIES:
        raise _Bad(f"matrix {name} is {rows}×{cols}, beyond the {MAX_MATRIX_ENTRIES:,} entries the lab holds")
    return rows, cols


def _check_spec(d):
    from .spec import NetworkSpec  # the spec validates itself, every field and limit

    d = _plain(_dict(d, "the network spec"), "the network spec")
    try:
        return NetworkSpec.from_dict(d)
    except ValueError as exc:
        raise _Bad(f"its network cannot be built: {exc}") from None


def _check_dataset(d) -> dict:
    d = _dict(d, "the data set settings")
    _keys(d, _DATASET_KEYS, "the data set settings", ("name",))
    out = {"name": _text(d["name"], "the data set name", 100)}
    options = _dict(d.get("options", {}), "the data set options")
    if len(options) > 20:
        raise _Bad("the data set options hold more than 20 settings")
    out["options"] = {}
    for k, v in options.items():
        k = _text(k, "a data set option", 40)
        if isinstance(v, bool) or not isinstance(v, (int, float, str)):
            raise _Bad(f"the data set option {k!r} should be a number or text, not {_short(v)}")
        out["options"][k] = _text(v, f"the data set option {k!r}", 100) if isinstance(v, str) else \
            (int(v) if isinstance(v, int) else _real(v, f"the data set option {k!r}"))
    out["noise"] = _real(d.get("noise", 0.0), "the data set noise", 0.0, 100.0)
    out["test_ratio"] = _real(d.get("test_ratio", 0.5), "the test ratio", 0.0, 1.0)
    out["seed"] = _int(d.get("seed", 0), "the data seed", 0, 2**63 - 1)
    features = d.get("features", [])
    if not isinstance(features, (list, tuple)) or len(features) > 16:
        raise _Bad(f"the input features should be a list of up to 16 names, not {_short(features)}")
    out["features"] = [_text(f, "an input feature", 40) for f in features]
    path = d.get("user_path")
    out["user_path"] = None if path is None else _text(path, "the data file's path", MAX_PATH_TEXT)
    return out


def _check_training(d) -> dict:
    d = _dict(d, "the training settings")
    _keys(d, _TRAINING_KEYS, "the training settings")
    optimizer = d.get("optimizer", "adam")
    if optimizer not in _TRAINING_OPTIMIZERS:
        raise _Bad(f"the optimizer {_short(optimizer)} is not one of {', '.join(_TRAINING_OPTIMIZERS)}")
    return {
        "optimizer": optimizer,
        "lr": _real(d.get("lr", 0.01), "the learning rate", 0.0, 1e6, above=True),
        "batch_size": _int(d.get("batch_size", 10), "the batch size", 1, 10_000_000),
        "model_seed": _int(d.get("model_seed", 0), "the model seed", 0, 2**63 - 1),
        "step": _int(d.get("step", 0), "the step count", 0, 2**62),
        "epoch": _real(d.get("epoch", 0.0), "the epoch count", 0.0),
    }


def _check_optimizer_meta(d, param_shapes: dict) -> tuple[dict, dict]:
    """(config/t part, {(param, buffer): expected shape}) of an optimizer state."""
    from .optim import make_optimizer

    d = _dict(d, "the optimizer state")
    _keys(d, ("config", "t", "state"), "the optimizer state", ("config", "state"))
    config = _plain(_dict(d["config"], "the optimizer settings"), "the optimizer settings")
    try:
        # no parameters: this only checks the settings, and allocates nothing
        make_optimizer(config, None, {})
    except (TypeError, ValueError) as exc:
        raise _Bad(f"its optimizer settings are wrong: {exc}") from None
    t = _int(d.get("t", 0), "the optimizer's step count", 0, 2**62)
    state = _dict(d["state"], "the optimizer buffers")
    expected = {}
    for pname, buffers in state.items():
        if pname not in param_shapes:
            raise _Bad(f"the optimizer keeps state for {_short(pname)}, which the network does not have")
        buffers = _dict(buffers, f"the optimizer state of {pname}")
        if len(buffers) > 8:
            raise _Bad(f"the optimizer state of {pname} holds more than 8 buffers")
        for bname in buffers:
            if not isinstance(bname, str) or not _BUFFER_NAME.match(bname):
                raise _Bad(f"the optimizer buffer name {_short(bname)} is not allowed")
            expected[(pname, bname)] = param_shapes[pname]
    return {"config": config, "t": t}, expected


def _history_arrays(h, what: str = "the training history") -> dict:
    h = _dict(h, what)
    _keys(h, _HISTORY_KEYS, what)
    return h


def _check_network_arrays(net: dict, spec) -> None:
    """The arrays of an in-memory network document against its spec (before writing)."""
    shapes = spec.param_shapes()
    params = _dict(net.get("params", {}), "the network parameters")
    if set(params) != set(shapes):
        missing = sorted(set(shapes) - set(params))
        extra = sorted(set(params) - set(shapes))
        raise _Bad(f"the parameters do not match the network (missing: {', '.join(missing) or 'none'}; "
                   f"unknown: {', '.join(extra) or 'none'})")
    for name, want in shapes.items():
        a = _array(params[name], f"parameter {name}", "f", finite=True)
        if a.shape != tuple(want):
            raise _Bad(f"parameter {name} is {shape_str(a.shape)} but the network needs {shape_str(want)}")
    if net.get("optimizer") is not None:
        _, expected = _check_optimizer_meta(net["optimizer"], shapes)
        for (p, b), want in expected.items():
            a = _array(net["optimizer"]["state"][p][b], f"the optimizer buffer {p}/{b}", "f", finite=True)
            if a.shape != tuple(want):
                raise _Bad(f"the optimizer buffer {p}/{b} is {shape_str(a.shape)} but {p} is {shape_str(want)}")
    lengths = set()
    for key, value in _history_arrays(net.get("history") or {}).items():
        if value is None:
            continue
        a = _array(value, f"the history's {key}", "biuf")
        if a.ndim != 1 or len(a) > MAX_HISTORY:
            raise _Bad(f"the history's {key} should be a list of at most {MAX_HISTORY:,} numbers")
        lengths.add(len(a))
    if len(lengths) > 1:
        raise _Bad("the history's columns have different lengths")


def _network_meta(net) -> tuple:
    """The JSON-side parts of a network document, checked: (meta dict, spec)."""
    net = _dict(net, "the network document")
    _keys(net, _NETWORK_KEYS, "the network document", ("spec", "dataset"))
    spec = _check_spec(net["spec"])
    preset = net.get("preset")
    meta = {
        "preset": None if preset is None else _text(preset, "the preset name", 200),
        "dataset": _check_dataset(net["dataset"]),
        "spec": spec.to_dict(),
        "training": _check_training(net.get("training", {})),
        "view": _plain(_dict(net.get("view", {}), "the network view settings"), "the network view settings"),
    }
    return meta, spec


# =============================================================== saving

def _member(name: str) -> str:
    return name + ".npy"


def check_project(project: Project) -> Project:
    """Check an in-memory project as ``save_project`` will write it; ProjectError with a sentence if not.

    A project that passes can be saved and read back.
    """
    try:
        _plan(project)
    except _Bad as exc:
        raise ProjectError(f"The project cannot be saved: {exc}.") from None
    return project


def _plan(project: Project) -> tuple[dict, list]:
    """(project.json contents, [(member name, array)]) for a project, every part checked."""
    if not isinstance(project, Project):
        raise _Bad(f"a Project is needed, not {type(project).__name__}")
    arrays = []
    matrices = []
    if not isinstance(project.matrices, dict):
        raise _Bad("the matrices should be a dict of name -> array")
    if len(project.matrices) > MAX_MATRICES:
        raise _Bad(f"there are {len(project.matrices)} matrices, beyond the {MAX_MATRICES} a project holds")
    for i, (name, value) in enumerate(project.matrices.items()):
        name = _check_matrix_name(name)
        a = _array(value, f"matrix {name}")
        if a.ndim != 2:
            raise _Bad(f"matrix {name} has {a.ndim} dimensions; a matrix has 2")
        _check_matrix_shape(a.shape, name)
        member = _member(f"matrices/{i}")
        matrices.append({"name": name, "shape": list(a.shape)})
        arrays.append((member, a.astype(np.float64, copy=False)))
    doc = {"format": FORMAT, "version": VERSION, "saved_by": APP_NAME, "matrices": matrices,
           "network": None, "view": _plain(_dict(project.view, "the view settings"), "the view settings")}
    if project.network is not None:
        net = project.network
        meta, spec = _network_meta(net)
        _check_network_arrays(net, spec)
        dtype = np.dtype(spec.dtype)
        for name in spec.param_shapes():
            arrays.append((_member(f"network/params/{name}"), np.asarray(net["params"][name]).astype(dtype)))
        opt = net.get("optimizer")
        if opt is not None:
            opt_meta, expected = _check_optimizer_meta(opt, spec.param_shapes())
            meta["optimizer"] = dict(opt_meta, state={p: sorted(b for q, b in expected if q == p)
                                                       for p in dict.fromkeys(p for p, _ in expected)})
            for (p, b) in expected:
                arrays.append((_member(f"network/optimizer/{p}/{b}"),
                               np.asarray(opt["state"][p][b]).astype(dtype)))
        else:
            meta["optimizer"] = None
        history = {k: v for k, v in (net.get("history") or {}).items() if v is not None}
        meta["history"] = sorted(history)
        for key in meta["history"]:
            arrays.append((_member(f"network/history/{key}"), np.asarray(history[key], dtype=np.float64)))
        doc["network"] = meta
    total = sum(a.nbytes for _, a in arrays)
    if total > MAX_TOTAL_BYTES:
        raise _Bad(f"its arrays take {total:,} bytes, beyond the {MAX_TOTAL_BYTES:,} a project holds")
    return doc, arrays


def save_project(path, project: Project) -> None:
    """Write ``project`` to ``path`` atomically (temporary file, flush, rename over the target).

    Raises ProjectError with a sentence when the project cannot be stored or the file
    cannot be written; the file at ``path`` is then exactly as it was before.
    """
    path = Path(path)
    try:
        doc, arrays = _plan(project)
    except _Bad as exc:
        raise ProjectError(f"{path.name} was not saved: {exc}.") from None
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".saving", dir=folder)
    except OSError as exc:
        raise ProjectError(f"{path.name} was not saved: its folder {folder} cannot be written "
                           f"({exc.strerror or exc}).") from None
    try:
        with os.fdopen(fd, "wb") as raw:
            with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
                zf.writestr("project.json", json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False))
                for member, a in arrays:
                    with zf.open(member, "w", force_zip64=a.nbytes > (1 << 30)) as fp:
                        _write_npy(fp, a)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        # whatever stopped the save (a full disk, Ctrl+C), the old file stays and no debris is left
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise ProjectError(f"{path.name} was not saved: writing to {folder} failed "
                               f"({exc.strerror or exc}); the previous version is unchanged.") from None
        raise
    _sync_folder(folder)


def _write_npy(fp, a: np.ndarray) -> None:
    """One array as .npy (a hook tests replace to interrupt a save)."""
    np.lib.format.write_array(fp, np.ascontiguousarray(a), allow_pickle=False)


def _sync_folder(folder: Path) -> None:
    # the rename itself reaches the disk only with the folder's entry (POSIX)
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# =============================================================== loading

def load_project(source) -> Project:
    """Read a project file (a path or a binary file object) into a new ``Project``.

    Raises ProjectError with a sentence naming the file for anything it cannot use:
    not a zip, truncated or corrupt, not a project, a newer format version, a field or
    array that is missing, of the wrong type or size, or data that is not plain
    numbers. Nothing is executed and no array is allocated before its size is checked.
    """
    name = source if isinstance(source, (str, os.PathLike)) else getattr(source, "name", None)
    shown = Path(name).name if isinstance(name, (str, os.PathLike)) and str(name) else "The project file"
    try:
        with zipfile.ZipFile(source, "r") as zf:
            return _read(zf)
    except _Bad as exc:
        raise ProjectError(f"{shown} cannot be opened: {exc}.") from None
    except _FutureVersion as exc:
        raise ProjectError(f"{shown} was saved by a newer {APP_NAME} (project format version {exc.args[0]}); "
                           f"this one reads up to version {VERSION}: update {APP_NAME} to open it.") from None
    except FileNotFoundError:
        raise ProjectError(f"{shown} cannot be opened: there is no such file.") from None
    except IsADirectoryError:
        raise ProjectError(f"{shown} cannot be opened: it is a folder, not a project file.") from None
    except PermissionError:
        raise ProjectError(f"{shown} cannot be opened: permission to read it was denied.") from None
    except zipfile.BadZipFile as exc:
        reason = str(exc)
        if "CRC" in reason:
            raise ProjectError(f"{shown} cannot be opened: it is damaged (a checksum does not match).") from None
        raise ProjectError(f"{shown} cannot be opened: it is not a {APP_NAME} project, or it is truncated "
                           "or damaged (it is not a readable zip archive).") from None
    except (EOFError, zlib.error, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError,
            ValueError, OverflowError, MemoryError, RecursionError, struct.error, UnicodeError) as exc:
        # zipfile and numpy raise these for damaged archives and headers; say so in words
        raise ProjectError(f"{shown} cannot be opened: it is truncated or damaged "
                           f"({type(exc).__name__}: {_short(str(exc))}).") from None


class _FutureVersion(Exception):
    pass


def _read(zf: zipfile.ZipFile) -> Project:
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _Bad(f"it holds {len(infos):,} members, beyond the {MAX_MEMBERS:,} a project has")
    members = {}
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise _Bad("it is encrypted")
        if info.filename in members:
            raise _Bad(f"it holds {_short(info.filename)} twice")
        members[info.filename] = info
        total += max(0, info.file_size)
    if total > MAX_TOTAL_BYTES + MAX_JSON_BYTES:
        raise _Bad(f"it unpacks to {total:,} bytes, beyond the {MAX_TOTAL_BYTES:,} a project holds")
    if "project.json" not in members:
        raise _Bad(f"it has no project.json, so it is not a {APP_NAME} project")
    doc = _read_json(zf, members["project.json"])
    if doc.get("format") != FORMAT:
        raise _Bad(f"it is not a {APP_NAME} project (its format is {_short(doc.get('format'))})")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _Bad(f"its format version {_short(version)} is not a version number")
    if version > VERSION:
        raise _FutureVersion(version)
    _keys(doc, ("format", "version", "saved_by", "matrices", "network", "view"), "project.json")
    view = _plain(_dict(doc.get("view", {}), "the view settings"), "the view settings")

    # First every field of the JSON, so a bad one is found before any array is read.
    entries = doc.get("matrices", [])
    if not isinstance(entries, list) or len(entries) > MAX_MATRICES:
        raise _Bad(f"its matrix list should be a list of at most {MAX_MATRICES} entries")
    plan = []  # (member, expected shape, kinds, what, finite)
    names = []
    for i, entry in enumerate(entries):
        entry = _dict(entry, f"matrix entry {i + 1}")
        _keys(entry, ("name", "shape"), f"matrix entry {i + 1}", ("name", "shape"))
        name = _check_matrix_name(entry["name"])
        if name in names:
            raise _Bad(f"it names two matrices {name}")
        names.append(name)
        plan.append((_member(f"matrices/{i}"), _check_matrix_shape(entry["shape"], name), _REAL_KINDS,
                     f"matrix {name}", False))
    network_meta = spec = None
    opt_meta = None
    opt_expected = {}
    history_keys = []
    if doc.get("network") is not None:
        raw = _dict(doc["network"], "the network document")
        meta_part = {k: v for k, v in raw.items() if k not in ("optimizer", "history", "params")}
        network_meta, spec = _network_meta(meta_part)
        shapes = spec.param_shapes()
        for name, shape in shapes.items():
            plan.append((_member(f"network/params/{name}"), tuple(shape), "f", f"parameter {name}", True))
        opt = raw.get("optimizer")
        if opt is not None:
            opt = _dict(opt, "the optimizer state")
            state = _dict(opt.get("state"), "the optimizer buffers")
            listed = {}
            for p, buffers in state.items():
                if not isinstance(buffers, list) or len(buffers) > 8:
                    raise _Bad(f"the optimizer buffers of {_short(p)} should be a list of names")
                listed[p] = {b: None for b in buffers}
            opt_meta, opt_expected = _check_optimizer_meta(dict(opt, state=listed), shapes)
            for (p, b), shape in opt_expected.items():
                plan.append((_member(f"network/optimizer/{p}/{b}"), tuple(shape), "f",
                             f"the optimizer buffer {p}/{b}", True))
        history_keys = raw.get("history", [])
        if not isinstance(history_keys, list) or any(k not in _HISTORY_KEYS for k in history_keys) or \
                len(set(history_keys)) != len(history_keys):
            raise _Bad(f"its history columns {_short(history_keys)} are not among {', '.join(_HISTORY_KEYS)}")
        for key in history_keys:
            plan.append((_member(f"network/history/{key}"), None, _REAL_KINDS, f"the history's {key}", False))

    missing = [m for m, *_ in plan if m not in members]
    if missing:
        raise _Bad(f"it lacks the array {missing[0]} that project.json refers to")
    declared = sum(members[m].file_size for m, *_ in plan)
    if declared > MAX_TOTAL_BYTES:
        raise _Bad(f"its arrays would take {declared:,} bytes, beyond the {MAX_TOTAL_BYTES:,} a project holds")

    # Then the arrays, each header checked before its data is read.
    arrays = {}
    for member, shape, kinds, what, finite in plan:
        arrays[member] = _read_npy(zf, members[member], shape, kinds, what, finite)

    matrices = {name: arrays[_member(f"matrices/{i}")].astype(np.float64) for i, name in enumerate(names)}
    network = None
    if network_meta is not None:
        dtype = np.dtype(spec.dtype)
        network = dict(network_meta)
        network["params"] = {n: arrays[_member(f"network/params/{n}")].astype(dtype)
                             for n in spec.param_shapes()}
        if opt_meta is not None:
            state = {}
            for (p, b) in opt_expected:
                state.setdefault(p, {})[b] = arrays[_member(f"network/optimizer/{p}/{b}")].astype(dtype)
            network["optimizer"] = dict(opt_meta, state=state)
        else:
            network["optimizer"] = None
        history = {k: arrays[_member(f"network/history/{k}")].astype(np.float64) for k in history_keys}
        for k, a in history.items():
            if a.ndim != 1:
                raise _Bad(f"the history's {k} should be a list of numbers, not a {a.ndim}-D array")
            if len(a) > MAX_HISTORY:
                raise _Bad(f"the history's {k} holds {len(a):,} points, beyond the {MAX_HISTORY:,} allowed")
        if len({len(a) for a in history.values()}) > 1:
            raise _Bad("the history's columns have different lengths")
        network["history"] = history
    return Project(matrices=matrices, network=network, view=view, format_version=version)


def _read_json(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> dict:
    if info.file_size > MAX_JSON_BYTES:
        raise _Bad(f"its project.json is {info.file_size:,} bytes, beyond the {MAX_JSON_BYTES:,} allowed")
    with zf.open(info) as fp:
        raw = fp.read(MAX_JSON_BYTES + 1)
    if len(raw) > MAX_JSON_BYTES:
        raise _Bad(f"its project.json is larger than the {MAX_JSON_BYTES:,} bytes allowed")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _Bad("its project.json is not UTF-8 text") from None

    def no_constant(name):
        raise ValueError(f"{name} is not a number JSON allows")

    try:
        doc = json.loads(text, parse_constant=no_constant)
    except RecursionError:
        raise _Bad("its project.json is nested too deeply") from None
    except ValueError as exc:
        raise _Bad(f"its project.json is not valid JSON ({_short(str(exc))})") from None
    return _dict(doc, "project.json")


def _read_npy(zf: zipfile.ZipFile, info: zipfile.ZipInfo, shape, kinds: str, what: str,
              finite: bool) -> np.ndarray:
    """One .npy member, header first: dtype, shape and byte count are checked before any data is read."""
    fmt = np.lib.format
    if info.file_size > MAX_ARRAY_BYTES + MAX_HEADER + 16:
        raise _Bad(f"{what} is stored as {info.file_size:,} bytes, beyond the {MAX_ARRAY_BYTES:,} allowed")
    with zf.open(info) as fp:
        try:
            major, minor = fmt.read_magic(fp)
        except ValueError:
            raise _Bad(f"{what} is not a NumPy .npy array") from None
        readers = {(1, 0): fmt.read_array_header_1_0, (2, 0): fmt.read_array_header_2_0}
        if (major, minor) not in readers:
            raise _Bad(f"{what} is in .npy version {major}.{minor}, which is not read here")
        try:
            # literal_eval of a dict, capped in length by numpy: no code runs here
            got_shape, fortran, dtype = readers[(major, minor)](fp, max_header_size=MAX_HEADER)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as exc:
            raise _Bad(f"{what} has a damaged .npy header ({_short(str(exc))})") from None
        if dtype.hasobject:
            raise _Bad(f"{what} holds Python objects (a pickle), which are never loaded")
        if dtype.fields is not None or dtype.subdtype is not None or dtype.kind not in kinds \
                or dtype.itemsize > 8:
            raise _Bad(f"{what} holds {dtype} values, not plain numbers")
        if not isinstance(got_shape, tuple) or any(not isinstance(s, int) or s < 0 for s in got_shape):
            raise _Bad(f"{what} has an invalid shape {_short(got_shape)}")
        if shape is not None and tuple(got_shape) != tuple(shape):
            raise _Bad(f"{what} is {shape_str(got_shape)} but should be {shape_str(shape)}")
        count = math.prod(got_shape)  # Python ints: a 10¹²-element header cannot overflow
        nbytes = count * dtype.itemsize
        if nbytes > MAX_ARRAY_BYTES:
            raise _Bad(f"{what} would take {nbytes:,} bytes, beyond the {MAX_ARRAY_BYTES:,} allowed")
        if nbytes != info.file_size - fp.tell():
            raise _Bad(f"{what} declares {shape_str(got_shape)} values of {dtype} but the file holds "
                       f"{max(0, info.file_size - fp.tell()):,} bytes of data instead of {nbytes:,}")
        data = fp.read(nbytes)
        if len(data) != nbytes:
            raise _Bad(f"{what} is truncated")
        fp.read(1)  # reaching the end makes zipfile check the CRC
    a = np.frombuffer(data, dtype=dtype)
    a = a.reshape(got_shape, order="F" if fortran else "C").copy()
    if finite and a.size and a.dtype.kind == "f" and not np.all(np.isfinite(a)):
        raise _Bad(f"{what} holds NaN or infinite values")
    return a


def is_project_file(path) -> bool:
    """True when ``path`` looks like a project file (a zip holding project.json); reads only the directory."""
    try:
        with zipfile.ZipFile(path) as zf:
            return "project.json" in zf.namelist()
    except (OSError, zipfile.BadZipFile, ValueError, EOFError):
        return False
