"""The matrix lab: a workspace of named matrices, its undo stack, and the panel that shows it.

``MatrixLabPanel`` composes the ui widgets (workspace list, editor, operations bar,
multiplication stepper, elimination view) around a ``Workspace`` document. Every
edit goes through a ``QUndoStack``; every operation runs through ``engine.linalg``
on the current device (off the GUI thread when it is big) and lands as a new
matrix; every failure becomes a sentence in the panel's message line.
"""

from __future__ import annotations

import math
import re
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

import engine
from engine import explain
from engine.errors import EngineError, NonFiniteError, ShapeError, SingularMatrixError, shape_str
from engine.explain import fmt
from ui.elimination_view import EliminationView
from ui.matmul_stepper import MatmulStepper
from ui.matrix_editor import MatrixEditor
from ui.matrix_table_model import parse_number
from ui.operations_bar import OPERATIONS, STEP_VIEWS, OperationsBar, operation_label
from ui.workspace_list import WorkspaceList

#: Operations whose work exceeds this many multiply-adds run on a worker thread,
#: so the window keeps answering (about a 200×200 product).
THREAD_WORK = 200**3
#: Step-by-step elimination keeps one copy of the augmented matrix per step.
ELIMINATION_LIMIT = 30
#: The multiplication stepper handles this many rows/columns per side.
STEPPER_LIMIT = 400
#: Largest matrix the editor will make, in entries (a 4096×4096 float64 is 128 MiB).
MAX_ENTRIES = 4096 * 4096

_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_']{0,23}$")


# =============================================================== text and files


def number_text(v: float) -> str:
    """A value as text that reads back exactly: integers whole, others in full precision."""
    v = float(v)
    if math.isfinite(v) and v == int(v) and abs(v) < 2.0**53:
        return str(int(v))
    return repr(v)


def parse_block(text: str, source: str = "The pasted text") -> np.ndarray:
    """Parse rows of numbers separated by tabs, commas, semicolons or spaces into a 2-D array.

    Raises ValueError with a sentence naming the line and column of the first problem.
    """
    lines = [ln for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise ValueError(f"{source} holds no numbers.")
    sample = "\n".join(lines)
    if "\t" in sample:
        split = lambda ln: ln.split("\t")  # noqa: E731
    elif "," in sample:
        split = lambda ln: ln.split(",")  # noqa: E731
    elif ";" in sample:
        split = lambda ln: ln.split(";")  # noqa: E731
    else:
        split = lambda ln: ln.split()  # noqa: E731
    rows = []
    for n, line in enumerate(lines, start=1):
        cells = split(line)
        # A spreadsheet row copied with a trailing separator leaves one empty cell.
        if len(cells) > 1 and not cells[-1].strip():
            cells = cells[:-1]
        row = []
        for m, cell in enumerate(cells, start=1):
            if not cell.strip():
                raise ValueError(f"{source}, line {n}, column {m}: the cell is empty; every cell needs a number.")
            try:
                row.append(parse_number(cell))
            except ValueError as exc:
                raise ValueError(f"{source}, line {n}, column {m}: {exc}") from None
        if rows and len(row) != len(rows[0]):
            raise ValueError(
                f"{source}, line {n} has {len(row)} values but line 1 has {len(rows[0])}: "
                "every line needs the same number of values."
            )
        rows.append(row)
    return np.array(rows, dtype=np.float64)


def block_text(a: np.ndarray, sep: str = "\t") -> str:
    """Rows of ``a`` as text, values separated by ``sep``, full precision (spreadsheets read it)."""
    return "\n".join(sep.join(number_text(v) for v in row) for row in np.atleast_2d(a))


def to_latex(a: np.ndarray) -> str:
    """A matrix as a LaTeX ``bmatrix`` (amsmath), values as the grid shows them."""
    a = np.atleast_2d(np.asarray(a, dtype=float))

    def tex(v):
        if math.isnan(v):
            return r"\mathrm{NaN}"
        if math.isinf(v):
            return r"\infty" if v > 0 else r"-\infty"
        text = fmt(v)
        if "e" in text:
            mantissa, exponent = text.split("e")
            return rf"{mantissa} \times 10^{{{int(exponent)}}}"
        return text

    body = " \\\\\n".join("  " + " & ".join(tex(v) for v in row) for row in a)
    return "\\begin{bmatrix}\n" + body + "\n\\end{bmatrix}"


def read_matrix_file(path) -> np.ndarray:
    """Load a matrix from a .csv/.txt (numbers per line) or .npy file (no pickles), as float64 2-D.

    A 1-D .npy array becomes a column. Raises ValueError with a sentence (naming the
    line and column for text files).
    """
    path = Path(path)
    if path.suffix.lower() == ".npy":
        try:
            a = np.load(path, allow_pickle=False)
        except ValueError as exc:
            if "pickle" in str(exc).lower():
                raise ValueError(
                    f"{path.name} holds Python objects, which are not loaded for safety; "
                    "save a plain numeric array with numpy.save."
                ) from None
            raise ValueError(f"{path.name} is not a readable .npy file ({exc}).") from None
        except OSError as exc:
            raise ValueError(f"{path.name} could not be read: {exc.strerror or exc}.") from None
        if not isinstance(a, np.ndarray) or a.dtype.kind not in "biuf":
            kind = getattr(a, "dtype", type(a))
            raise ValueError(f"{path.name} holds {kind} data; the matrix lab reads real numbers only.")
        if a.ndim == 1:
            a = a.reshape(-1, 1)
        if a.ndim != 2:
            raise ValueError(f"{path.name} holds a {a.ndim}-D array of shape {shape_str(a.shape)}; "
                             "a matrix needs 1 or 2 dimensions.")
        if a.size == 0:
            raise ValueError(f"{path.name} holds an empty array.")
        return a.astype(np.float64)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{path.name} is not a text file; import .csv or .npy files.") from None
    except OSError as exc:
        raise ValueError(f"{path.name} could not be read: {exc.strerror or exc}.") from None
    return parse_block(text, source=path.name)


def write_matrix_file(path, a: np.ndarray) -> None:
    """Save a matrix as .npy (by suffix) or as comma-separated text with full precision."""
    path = Path(path)
    if path.suffix.lower() == ".npy":
        np.save(path, np.asarray(a, dtype=np.float64), allow_pickle=False)
    else:
        path.write_text(block_text(a, ",") + "\n", encoding="utf-8")


def make_fill(preset: str, shape, seed: int = 0) -> np.ndarray:
    """The numbers of a fill preset (see ui.matrix_editor.PRESETS) for a shape."""
    rows, cols = shape
    rng = np.random.default_rng(seed)
    if preset == "zeros":
        return np.zeros(shape)
    if preset == "ones":
        return np.ones(shape)
    if preset == "identity":
        return np.eye(rows, cols)
    if preset == "diagonal":
        out = np.zeros(shape)
        k = min(rows, cols)
        out[np.arange(k), np.arange(k)] = np.arange(1, k + 1)
        return out
    if preset == "range":
        return np.arange(1, rows * cols + 1, dtype=float).reshape(shape)
    if preset == "integers":
        return rng.integers(-9, 10, size=shape).astype(float)
    if preset == "uniform":
        return rng.uniform(-1.0, 1.0, size=shape)
    if preset == "normal":
        return rng.standard_normal(size=shape)
    raise ValueError(f"There is no fill called {preset!r}.")


# =============================================================== the document


class Workspace(QObject):
    """The named matrices of the lab, in order. Changes come from undo commands only.

    ``matrixChanged(name)`` after a matrix's values or shape change; ``cellChanged(name,
    row, column)`` after one cell changes; ``listChanged()`` after a matrix is added,
    removed or renamed (``renamed(old, new)`` just before it, for a rename;
    ``added(name)`` just after it, for an addition).
    """

    matrixChanged = Signal(str)
    cellChanged = Signal(str, int, int)
    listChanged = Signal()
    renamed = Signal(str, str)
    added = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._m: dict[str, np.ndarray] = {}

    def names(self) -> list[str]:
        """The matrices' names, in order."""
        return list(self._m)

    def __contains__(self, name) -> bool:
        return name in self._m

    def __len__(self) -> int:
        return len(self._m)

    def get(self, name: str) -> np.ndarray:
        """A copy of matrix ``name``."""
        return self._m[name].copy()

    def value(self, name: str, row: int, column: int) -> float:
        """One entry of matrix ``name`` (no copy of the whole matrix)."""
        return float(self._m[name][row, column])

    def shape(self, name: str) -> tuple:
        """The shape of matrix ``name``."""
        return self._m[name].shape

    def items(self) -> list[tuple[str, tuple]]:
        """(name, shape) of every matrix, in order."""
        return [(n, a.shape) for n, a in self._m.items()]

    def next_name(self) -> str:
        """The first free name among A … Z, then M1, M2, …."""
        for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            if c not in self._m:
                return c
        n = 1
        while f"M{n}" in self._m:
            n += 1
        return f"M{n}"

    def set(self, name: str, array) -> None:
        """Replace matrix ``name`` (it must exist)."""
        self._m[name] = np.array(array, dtype=np.float64)
        self.matrixChanged.emit(name)

    def set_cell(self, name: str, row: int, column: int, value: float) -> None:
        """Change one cell."""
        self._m[name][row, column] = value
        self.cellChanged.emit(name, row, column)

    def insert(self, name: str, array, index: int | None = None) -> None:
        """Add matrix ``name`` at position ``index`` (default: last)."""
        items = list(self._m.items())
        index = len(items) if index is None else index
        items.insert(index, (name, np.array(array, dtype=np.float64)))
        self._m = dict(items)
        self.listChanged.emit()
        self.added.emit(name)

    def remove(self, name: str) -> tuple[int, np.ndarray]:
        """Remove matrix ``name``; returns (its position, its values) for undo."""
        index = list(self._m).index(name)
        array = self._m.pop(name)
        self.listChanged.emit()
        return index, array

    def rename(self, old: str, new: str) -> None:
        """Rename a matrix, keeping its place in the order."""
        self._m = {(new if n == old else n): a for n, a in self._m.items()}
        self.renamed.emit(old, new)
        self.listChanged.emit()


class _SetCell(QUndoCommand):
    def __init__(self, ws: Workspace, name: str, row: int, col: int, old: float, new: float):
        super().__init__(f"Edit {name}[{row + 1},{col + 1}]")
        self.ws, self.name, self.row, self.col, self.old, self.new = ws, name, row, col, old, new

    def redo(self):
        self.ws.set_cell(self.name, self.row, self.col, self.new)

    def undo(self):
        self.ws.set_cell(self.name, self.row, self.col, self.old)


class _SetMatrix(QUndoCommand):
    def __init__(self, ws: Workspace, name: str, new: np.ndarray, text: str):
        super().__init__(text)
        self.ws, self.name, self.new, self.old = ws, name, np.array(new, dtype=float), ws.get(name)

    def redo(self):
        self.ws.set(self.name, self.new)

    def undo(self):
        self.ws.set(self.name, self.old)


class _AddMatrix(QUndoCommand):
    def __init__(self, ws: Workspace, name: str, array: np.ndarray, text: str, index: int | None = None):
        super().__init__(text)
        self.ws, self.name, self.array, self.index = ws, name, np.array(array, dtype=float), index

    def redo(self):
        self.ws.insert(self.name, self.array, self.index)

    def undo(self):
        self.ws.remove(self.name)


class _DeleteMatrix(QUndoCommand):
    def __init__(self, ws: Workspace, name: str):
        super().__init__(f"Delete {name}")
        self.ws, self.name = ws, name
        self.index, self.array = None, None

    def redo(self):
        self.index, self.array = self.ws.remove(self.name)

    def undo(self):
        self.ws.insert(self.name, self.array, self.index)


class _Rename(QUndoCommand):
    def __init__(self, ws: Workspace, old: str, new: str):
        super().__init__(f"Rename {old} to {new}")
        self.ws, self.old, self.new = ws, old, new

    def redo(self):
        self.ws.rename(self.old, self.new)

    def undo(self):
        self.ws.rename(self.new, self.old)


# =============================================================== operations


def check_operation(op: str, a: np.ndarray, b: np.ndarray | None, names=("A", "B")) -> str | None:
    """The sentence explaining why ``op`` cannot run on these operands, or None if it can."""
    an, bn = names
    label = operation_label(op, an, bn)
    sa = shape_str(a.shape)
    sb = shape_str(b.shape) if b is not None else ""
    for name, m in ((an, a), (bn, b)):
        if m is None or (name == bn and not _uses_right(op)):
            continue
        bad = np.argwhere(~np.isfinite(m))
        if bad.size:
            r, c = bad[0]
            return (f"{name} holds NaN or infinity (first at {name}[{r + 1},{c + 1}]): "
                    f"replace it with a number before computing {label}.")
    if op in ("add", "sub", "mul"):
        if a.shape != b.shape:
            return (f"{an} is {sa} and {bn} is {sb}: {label} works entry by entry, "
                    f"so it needs both matrices the same shape.")
    elif op == "matmul":
        if a.shape[1] != b.shape[0]:
            return (f"{an} is {sa} and {bn} is {sb}: {an}·{bn} needs {an}'s columns "
                    f"({a.shape[1]}) to equal {bn}'s rows ({b.shape[0]}).")
    elif op == "dot":
        for name, m in ((an, a), (bn, b)):
            if min(m.shape) != 1:
                return (f"{name} is {shape_str(m.shape)}: u·v needs two vectors, each a single row "
                        "or a single column.")
        if a.size != b.size:
            return f"{an} has {a.size} entries and {bn} has {b.size}: u·v needs vectors of equal length."
    elif op in ("inv", "det"):
        if a.shape[0] != a.shape[1]:
            what = "an inverse" if op == "inv" else "a determinant"
            return f"{an} is {sa}: only a square matrix has {what}; {an} needs as many rows as columns."
    elif op == "solve":
        if a.shape[0] != a.shape[1]:
            return (f"{an} is {sa}: solving {an}x = {bn} needs a square {an} "
                    "(as many equations as unknowns).")
        if b.shape[0] != a.shape[0]:
            return (f"{an} is {sa} and {bn} is {sb}: solving {an}x = {bn} needs {bn}'s rows "
                    f"({b.shape[0]}) to equal {an}'s rows ({a.shape[0]}).")
    return None


def _uses_right(op: str) -> bool:
    return any(k == op and right for k, _, _, right in OPERATIONS)


def _work(op: str, a: np.ndarray, b: np.ndarray | None) -> float:
    """Rough multiply-adds of an operation, to choose GUI thread or worker."""
    if op == "matmul":
        return a.shape[0] * a.shape[1] * b.shape[1]
    if op in ("inv", "det", "solve"):
        n = a.shape[0]
        return n**3 + (n * n * b.shape[1] if b is not None else 0)
    return a.size * 8  # elementwise: memory-bound; only huge ones go to a worker


def _result_nbytes(op: str, a: np.ndarray, b: np.ndarray | None) -> list[int]:
    """Sizes of the buffers an operation allocates on the device (float32 at least)."""
    item = 8 if engine.current_device().fp64 else 4
    sizes = [a.size * item] + ([b.size * item] if b is not None else [])
    if op == "matmul":
        sizes.append(a.shape[0] * b.shape[1] * item)
    elif op in ("inv", "solve"):
        sizes.append(a.shape[0] * (a.shape[0] + (b.shape[1] if b is not None else a.shape[0])) * item)
    else:
        sizes.append(a.size * item)
    return sizes


def compute(op: str, a: np.ndarray, b: np.ndarray | None, k: float, names=("A", "B")):
    """Run ``op`` through engine.linalg on the current device; returns (result, seconds, device)."""
    from engine import linalg

    device = engine.current_device()
    cl = getattr(device, "cl", None)
    if cl is not None and hasattr(cl, "check_alloc"):
        # Refuse before anything is allocated, with the device's own sentence.
        for nbytes in _result_nbytes(op, a, b):
            cl.check_alloc(nbytes)
    calls = {
        "add": lambda kw: linalg.add(a, b, **kw),
        "sub": lambda kw: linalg.sub(a, b, **kw),
        "mul": lambda kw: linalg.mul(a, b, **kw),
        "scale": lambda kw: linalg.scale(a, k, **kw),
        "matmul": lambda kw: linalg.matmul(a, b, **kw),
        "transpose": lambda kw: linalg.transpose(a, **kw),
        "dot": lambda kw: linalg.dot(a.ravel(), b.ravel(), **kw),
        "inv": lambda kw: linalg.inv(a, **kw),
        "det": lambda kw: linalg.det(a, **kw),
        "solve": lambda kw: linalg.solve(a, b, **kw),
    }
    # The workspace names go into the engine's sentences ("M is 3×2: …").
    kw = {"names": names if _uses_right(op) else (names[0],)}
    start = time.perf_counter()
    result = calls[op](kw)
    seconds = time.perf_counter() - start
    return result, seconds, device


def error_sentence(exc: BaseException, label: str, device_name: str, hint: str = "") -> str:
    """A failure as a sentence for the message line (never a traceback)."""
    if isinstance(exc, SingularMatrixError):
        return f"{exc} {hint}".strip()
    if isinstance(exc, (ShapeError, NonFiniteError, EngineError)):
        return str(exc)
    if isinstance(exc, MemoryError):
        text = str(exc) or "The device ran out of memory."
        return f"{label} was not run: {text}"
    text = str(exc) or type(exc).__name__
    return f"{label} failed on {device_name}: {text}"


class _TaskSignals(QObject):
    finished = Signal(object)


class _OperationTask(QRunnable):
    """Runs one linalg call on a pool thread and reports
    ``(op, names, k, result, seconds, device name, error)``."""

    def __init__(self, op, a, b, k, names):
        super().__init__()
        self.op, self.a, self.b, self.k, self.names = op, a, b, k, names
        # Created in the GUI thread, so its signal reaches the panel queued, in the GUI thread.
        self.signals = _TaskSignals()

    def run(self):
        head = (self.op, self.names, self.k)
        try:
            result, seconds, device = compute(self.op, self.a, self.b, self.k, self.names)
            self.signals.finished.emit((*head, result, seconds, device.name, None))
        except BaseException as exc:  # reported as a sentence in the window
            self.signals.finished.emit((*head, None, 0.0, engine.current_device().name, exc))


# =============================================================== the panel


class MatrixLabPanel(QWidget):
    """The "Matrix lab" page: workspace, editor, operations, and the step-by-step views.

    For the main window: ``undo_action``/``redo_action`` (standard shortcuts),
    ``menus()`` (Matrix and Operations menus), ``edit_actions()``, and the
    ``statusMessage(str)`` signal carrying "ran on <device> in 0.42 ms" lines for
    the status bar. ``MatrixLabPanel.demo()`` builds one filled with examples.
    """

    statusMessage = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("matrixLabPanel")
        self.workspace = Workspace(self)
        self.undo_stack = QUndoStack(self)
        self._current: str | None = None
        self._busy: str | None = None
        self._message_kind = "info"
        self.pool = QThreadPool(self)
        # One at a time: operations share the device queue and the result naming.
        self.pool.setMaxThreadCount(1)
        self._tasks: list[_OperationTask] = []
        #: Work (multiply-adds) above which an operation runs on the worker thread.
        self.thread_work = THREAD_WORK
        #: The first operation on a device builds its kernels (seconds on some drivers),
        #: so it runs on the worker too; tests and scripts may turn this off.
        self.first_call_in_worker = True
        self._warm: set[str] = set()

        self.list = WorkspaceList(self)
        self.ops = OperationsBar(self)
        self.editor = MatrixEditor(self)
        self.stepper = MatmulStepper(self)
        self.elimination = EliminationView(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("matrixLabTabs")
        self.tabs.addTab(self.editor, "Editor")
        self.tabs.addTab(self.stepper, "Multiplication step by step")
        self.tabs.addTab(self.elimination, "Elimination step by step")

        self.message_label = QLabel(self)
        self.message_label.setObjectName("matrixLabMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.setMinimumHeight(34)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 6, 0)
        heading = QLabel("Workspace", left)
        heading.setStyleSheet("font-weight: 600; font-size: 11pt;")
        left_layout.addWidget(heading)
        left_layout.addWidget(self.list, 1)
        ops_heading = QLabel("Operations", left)
        ops_heading.setStyleSheet("font-weight: 600; font-size: 11pt;")
        left_layout.addWidget(ops_heading)
        left_layout.addWidget(self.ops)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([330, 1000])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message_label, 1)
        layout.addLayout(bottom)

        self._build_actions()
        self._connect()
        self._set_message("Add a matrix with New, type numbers into its cells, then pick an operation.", "info")
        self._refresh_list()
        self._show_current()

    # -- construction -------------------------------------------------------------

    def _action(self, text, slot, name, shortcut=None, tip="") -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            # Only while the lab has focus: other tabs keep their own copy, paste, undo.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setObjectName("matrixUndoAction")
        self.undo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setObjectName("matrixRedoAction")
        self.redo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Redo))
        for a in (self.undo_action, self.redo_action):
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(a)

        self.new_action = self._action("&New Matrix", self.new_matrix, "newMatrixAction",
                                       tip="Add a 3×3 matrix of zeros.")
        self.duplicate_action = self._action("&Duplicate Matrix", lambda: self.duplicate(self._current),
                                             "duplicateMatrixAction")
        self.delete_action = self._action("De&lete Matrix", lambda: self.delete(self._current),
                                          "deleteMatrixAction")
        self.import_action = self._action("&Import CSV or NPY…", self._import_dialog, "importMatrixAction",
                                          tip="Read a matrix from a .csv or .npy file.")
        self.export_action = self._action("&Export CSV or NPY…", self._export_dialog, "exportMatrixAction",
                                          tip="Save the current matrix as .csv or .npy.")
        self.copy_action = self._action("&Copy Cells", self.copy_selection, "copyCellsAction",
                                        QKeySequence.StandardKey.Copy, "Copy the selected cells, tab-separated.")
        self.paste_action = self._action("&Paste Cells", lambda: self.paste(), "pasteCellsAction",
                                         QKeySequence.StandardKey.Paste,
                                         "Paste a block of numbers (tab or comma separated) at the current cell.")
        self.latex_action = self._action("Copy as &LaTeX", self.copy_latex, "copyLatexAction",
                                         "Ctrl+Shift+L", "Copy the current matrix as a LaTeX bmatrix.")
        self.operation_actions = {}
        for key, _, tip, _ in OPERATIONS:
            self.operation_actions[key] = self._action(
                key, lambda _=False, k=key: self.ops.trigger(k), f"opAction:{key}", tip=tip.format(a="A", b="B"))
        self.step_actions = {}
        for key, _, tip in STEP_VIEWS:
            self.step_actions[key] = self._action(
                key, lambda _=False, k=key: self.show_steps(k, self.ops.left(), self.ops.right()),
                f"stepsAction:{key}")
        self._relabel_actions()

    def _connect(self) -> None:
        ws = self.workspace
        ws.renamed.connect(self._renamed)
        ws.listChanged.connect(self._list_changed)
        # Whatever an edit, undo or redo adds comes into view.
        ws.added.connect(self.select)
        ws.matrixChanged.connect(self._matrix_changed)
        ws.cellChanged.connect(self._cell_changed)
        self.list.selected.connect(self.select)
        self.list.renameRequested.connect(self.rename)
        self.list.newRequested.connect(self.new_matrix)
        self.list.duplicateRequested.connect(self.duplicate)
        self.list.deleteRequested.connect(self.delete)
        self.editor.cellEdited.connect(self._cell_edited)
        self.editor.editRejected.connect(lambda text: self._set_message(text, "error"))
        self.editor.shapeRequested.connect(lambda r, c: self.set_shape(self._current, r, c))
        self.editor.fillRequested.connect(lambda p, s: self.fill(self._current, p, s))
        self.editor.insertRequested.connect(self._insert)
        self.editor.removeRequested.connect(self._remove)
        self.editor.clearRequested.connect(self._clear)
        self.ops.operationRequested.connect(self.run_operation)
        self.ops.stepsRequested.connect(self.show_steps)
        self.ops.operandsChanged.connect(self._relabel_actions)

    # -- for the main window -----------------------------------------------------------

    def menus(self) -> list[QMenu]:
        """The lab's menus, to add to a menu bar: Matrix (files, clipboard) and Operations."""
        if not hasattr(self, "_menus"):
            matrix = QMenu("&Matrix", self)
            matrix.setObjectName("matrixMenu")
            for a in (self.new_action, self.duplicate_action, self.delete_action, None,
                      self.import_action, self.export_action, None,
                      self.copy_action, self.paste_action, self.latex_action):
                matrix.addSeparator() if a is None else matrix.addAction(a)
            operations = QMenu("&Operations", self)
            operations.setObjectName("operationsMenu")
            for a in self.operation_actions.values():
                operations.addAction(a)
            operations.addSeparator()
            for a in self.step_actions.values():
                operations.addAction(a)
            self._menus = [matrix, operations]
        return self._menus

    def edit_actions(self) -> list[QAction]:
        """Undo and redo, for an Edit menu."""
        return [self.undo_action, self.redo_action]

    # -- reading the state ------------------------------------------------------------

    def current(self) -> str | None:
        """The name of the matrix in the editor."""
        return self._current

    def matrix(self, name: str) -> np.ndarray:
        """A copy of matrix ``name``."""
        return self.workspace.get(name)

    def names(self) -> list[str]:
        """The workspace's names, in order."""
        return self.workspace.names()

    def message(self) -> str:
        """The text of the message line."""
        return self.message_label.text()

    def message_kind(self) -> str:
        """"info", "ok" or "error": the kind of the message shown."""
        return self._message_kind

    def is_busy(self) -> bool:
        """True while an operation runs on the worker thread."""
        return self._busy is not None

    def show_tab(self, which: str) -> None:
        """Bring "editor", "stepper" or "elimination" to the front."""
        self.tabs.setCurrentWidget({"editor": self.editor, "stepper": self.stepper,
                                    "elimination": self.elimination}[which])

    # -- document (issue 8: project files) ----------------------------------------------

    def document_state(self) -> dict:
        """The workspace as plain data: {"matrices": {name: array} in order, "current": name or None}."""
        return {"matrices": {n: self.workspace.get(n) for n in self.workspace.names()}, "current": self._current}

    def restore_document_state(self, state: dict) -> None:
        """Replace the workspace with ``state`` (as ``document_state`` gives it); the undo history
        starts afresh. ValueError with a sentence, and nothing changed, for a bad name or array."""
        matrices = dict(state.get("matrices") or {})
        for name, a in matrices.items():
            if not _NAME_RE.match(str(name)):
                raise ValueError(f"'{name}' cannot name a matrix: use a letter followed by up to 23 letters, "
                                 "digits, _ or '.")
            a = np.asarray(a)
            if a.ndim != 2 or a.size == 0 or a.size > MAX_ENTRIES or a.dtype.kind not in "biuf":
                raise ValueError(f"Matrix {name} is not a 2-D array of up to {MAX_ENTRIES:,} numbers.")
        self.undo_stack.clear()
        for name in self.workspace.names():
            self.workspace.remove(name)
        self._current = None
        for name, a in matrices.items():
            self.workspace.insert(name, np.asarray(a, dtype=np.float64))
        current = state.get("current")
        names = self.workspace.names()
        if current in self.workspace or names:
            self.select(current if current in self.workspace else names[0])
        self._refresh_list()
        self._show_current()
        self.undo_stack.setClean()

    # -- workspace edits (each one undoable) ---------------------------------------

    def add_matrix(self, array, name: str | None = None, text: str | None = None) -> str:
        """Add a matrix (named ``name`` or the next free letter) and show it; returns its name."""
        a = np.atleast_2d(np.asarray(array, dtype=np.float64))
        name = name or self.workspace.next_name()
        problem = self._name_problem(name)
        if problem:
            raise ValueError(problem)
        self.undo_stack.push(_AddMatrix(self.workspace, name, a, text or f"Add {name}"))
        self.select(name)
        return name

    def new_matrix(self) -> str:
        """Add a 3×3 matrix of zeros."""
        name = self.add_matrix(np.zeros((3, 3)), text="New matrix")
        self._set_message(f"{name} is a new 3×3 matrix of zeros: type into its cells, or fill it.", "info")
        return name

    def duplicate(self, name: str | None) -> str | None:
        """Add a copy of ``name`` under the next free name."""
        if not name or name not in self.workspace:
            return None
        new = self.workspace.next_name()
        index = self.workspace.names().index(name) + 1
        self.undo_stack.push(_AddMatrix(self.workspace, new, self.workspace.get(name), f"Duplicate {name}", index))
        self.select(new)
        self._set_message(f"{new} is a copy of {name}.", "info")
        return new

    def delete(self, name: str | None) -> None:
        """Remove ``name`` (undo brings it back)."""
        if not name or name not in self.workspace:
            return
        names = self.workspace.names()
        i = names.index(name)
        self.undo_stack.push(_DeleteMatrix(self.workspace, name))
        rest = self.workspace.names()
        if rest:
            self.select(rest[min(i, len(rest) - 1)])
        self._set_message(f"Deleted {name}; Undo brings it back.", "info")

    def rename(self, old: str, new: str) -> bool:
        """Rename a matrix; a bad or taken name is refused with a message. Returns success."""
        new = new.strip()
        if new == old:
            return True
        problem = self._name_problem(new)
        if problem or old not in self.workspace:
            self._set_message(problem or f"There is no matrix called {old}.", "error")
            self._refresh_list()  # the list shows the old name again
            return False
        self.undo_stack.push(_Rename(self.workspace, old, new))
        self._set_message(f"Renamed {old} to {new}.", "info")
        return True

    def set_cell(self, name: str, row: int, column: int, value: float) -> None:
        """Set one cell (undoable)."""
        old = self.workspace.value(name, row, column)
        self.undo_stack.push(_SetCell(self.workspace, name, row, column, old, float(value)))

    def set_matrix(self, name: str, array, text: str | None = None) -> None:
        """Replace a matrix's values and shape (undoable)."""
        self.undo_stack.push(_SetMatrix(self.workspace, name, np.atleast_2d(array), text or f"Change {name}"))

    def set_shape(self, name: str | None, rows: int, cols: int) -> bool:
        """Resize a matrix, keeping the overlap and filling new cells with 0."""
        if not name or name not in self.workspace:
            return False
        if rows < 1 or cols < 1 or rows * cols > MAX_ENTRIES:
            self._set_message(
                f"{rows}×{cols} is refused: a matrix here holds 1 to {MAX_ENTRIES:,} entries "
                f"(4096×4096); {name} stays {shape_str(self.workspace.shape(name))}.", "error")
            self._show_current()
            return False
        old = self.workspace.get(name)
        new = np.zeros((rows, cols))
        r, c = min(rows, old.shape[0]), min(cols, old.shape[1])
        new[:r, :c] = old[:r, :c]
        self.set_matrix(name, new, f"Resize {name} to {rows}×{cols}")
        self._set_message(f"{name} is now {rows}×{cols}.", "info")
        return True

    def fill(self, name: str | None, preset: str, seed: int = 0) -> None:
        """Fill a matrix with a preset pattern (undoable)."""
        if not name or name not in self.workspace:
            return
        shape = self.workspace.shape(name)
        self.set_matrix(name, make_fill(preset, shape, seed), f"Fill {name} with {preset}")
        self._set_message(f"Filled {name} with {preset}" + (f" (seed {seed})." if preset in ("uniform", "normal", "integers") else "."), "info")

    def _insert(self, axis: str, index: int) -> None:
        name = self._current
        a = self.workspace.get(name)
        new = np.insert(a, index, 0.0, axis=0 if axis == "row" else 1)
        self.set_matrix(name, new, f"Insert {axis} in {name}")

    def _remove(self, axis: str, index: int, count: int) -> None:
        name = self._current
        a = self.workspace.get(name)
        along = 0 if axis == "row" else 1
        if count >= a.shape[along]:
            self._set_message(f"{name} needs at least one {axis}; the last cannot be deleted.", "error")
            return
        new = np.delete(a, range(index, index + count), axis=along)
        self.set_matrix(name, new, f"Delete {axis}s in {name}")

    def _clear(self, top: int, left: int, bottom: int, right: int) -> None:
        name = self._current
        a = self.workspace.get(name)
        a[top:bottom + 1, left:right + 1] = 0.0
        self.set_matrix(name, a, f"Clear cells of {name}")
        self._set_message(f"Set {bottom - top + 1}×{right - left + 1} cells of {name} to 0; Undo brings them back.",
                          "info")

    def _cell_edited(self, row: int, col: int, old: float, new: float) -> None:
        # The grid already shows the new value; the command records it (its redo is harmless).
        self.undo_stack.push(_SetCell(self.workspace, self._current, row, col, old, new))
        self._set_message(f"{self._current}[{row + 1},{col + 1}] = {fmt(new)}", "info")

    # -- clipboard, files, LaTeX ------------------------------------------------------

    def copy_selection(self) -> str:
        """Copy the selected cells (or the whole matrix) as tab-separated text; returns it."""
        name = self._current
        if not name:
            return ""
        a = self.workspace.get(name)
        block = self.editor.selected_block()
        if block is None or self.editor.is_heatmap():
            block = (0, 0, a.shape[0] - 1, a.shape[1] - 1)
        top, left, bottom, right = block
        text = block_text(a[top:bottom + 1, left:right + 1])
        QGuiApplication.clipboard().setText(text)
        self._set_message(f"Copied {bottom - top + 1}×{right - left + 1} cells of {name}.", "info")
        return text

    def paste(self, text: str | None = None) -> bool:
        """Paste a block of numbers at the current cell, growing the matrix if needed.

        ``text`` defaults to the clipboard. With no matrix, the block becomes a new one.
        """
        text = QGuiApplication.clipboard().text() if text is None else text
        try:
            block = parse_block(text)
        except ValueError as exc:
            self._set_message(f"Nothing pasted: {exc}", "error")
            return False
        name = self._current
        if not name:
            new = self.add_matrix(block, text="Paste new matrix")
            self._set_message(f"Pasted a {shape_str(block.shape)} block as {new}.", "ok")
            return True
        a = self.workspace.get(name)
        sel = self.editor.selected_block()
        top, left = (sel[0], sel[1]) if sel else self.editor.current_cell()
        rows = max(a.shape[0], top + block.shape[0])
        cols = max(a.shape[1], left + block.shape[1])
        if rows * cols > MAX_ENTRIES:
            self._set_message(f"Nothing pasted: the block would make {name} {rows}×{cols}, "
                              f"beyond {MAX_ENTRIES:,} entries.", "error")
            return False
        new = np.zeros((rows, cols))
        new[: a.shape[0], : a.shape[1]] = a
        new[top: top + block.shape[0], left: left + block.shape[1]] = block
        self.set_matrix(name, new, f"Paste into {name}")
        self.editor.select_block(top, left, top + block.shape[0] - 1, left + block.shape[1] - 1)
        grown = "" if new.shape == a.shape else f" ({name} grew to {shape_str(new.shape)})"
        self._set_message(f"Pasted a {shape_str(block.shape)} block into {name} at "
                          f"[{top + 1},{left + 1}]{grown}.", "ok")
        return True

    def copy_latex(self) -> str:
        """Copy the current matrix as a LaTeX bmatrix; returns the text."""
        if not self._current:
            return ""
        text = to_latex(self.workspace.get(self._current))
        QGuiApplication.clipboard().setText(text)
        self._set_message(f"Copied {self._current} as LaTeX (\\begin{{bmatrix}} … needs amsmath).", "info")
        return text

    def import_file(self, path) -> str | None:
        """Read a .csv or .npy file into a new matrix; returns its name, or None (with a message)."""
        path = Path(path)
        try:
            a = read_matrix_file(path)
        except ValueError as exc:
            self._set_message(f"Nothing imported: {exc}", "error")
            return None
        if a.size > MAX_ENTRIES:
            self._set_message(f"Nothing imported: {path.name} is {shape_str(a.shape)}, beyond "
                              f"{MAX_ENTRIES:,} entries.", "error")
            return None
        stem = path.stem
        name = stem if _NAME_RE.match(stem) and stem not in self.workspace else self.workspace.next_name()
        self.add_matrix(a, name, f"Import {path.name}")
        self._set_message(f"Imported {path.name} as {name} ({shape_str(a.shape)}).", "ok")
        return name

    def export_file(self, path, name: str | None = None) -> bool:
        """Write matrix ``name`` (default: the current one) to .npy or .csv by the path's suffix."""
        name = name or self._current
        path = Path(path)
        if not name:
            self._set_message("There is no matrix to export.", "error")
            return False
        try:
            write_matrix_file(path, self.workspace.get(name))
        except OSError as exc:
            self._set_message(f"{name} was not saved: {path} could not be written ({exc.strerror or exc}).", "error")
            return False
        self._set_message(f"Saved {name} to {path.name}.", "ok")
        return True

    def _import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a matrix", "", "Matrices (*.csv *.txt *.npy);;All files (*)")
        if path:
            self.import_file(path)

    def _export_dialog(self) -> None:
        if not self._current:
            self._set_message("There is no matrix to export.", "error")
            return
        path, chosen = QFileDialog.getSaveFileName(
            self, f"Export {self._current}", f"{self._current}.csv", "CSV (*.csv);;NumPy (*.npy)")
        if path:
            if not Path(path).suffix:
                path += ".npy" if "npy" in chosen else ".csv"
            self.export_file(path)

    # -- operations -------------------------------------------------------------------

    def run_operation(self, op: str, left: str, right: str = "", k: float = 2.0) -> str | None:
        """Run an operation on workspace matrices through engine.linalg.

        Small ones run at once and return the result's name; big ones (and the first
        on each device, which builds kernels) go to a worker thread and return None:
        the result lands when done. A wrong pick returns None
        with the reason in the message line and nothing added.
        """
        uses_right = _uses_right(op)
        label = operation_label(op, left or "A", right or "B")
        if self._busy:
            self._set_message(f"{self._busy} is still running; {label} waits until it is done.", "error")
            return None
        missing = [n for n in ((left, right) if uses_right else (left,)) if n not in self.workspace]
        if missing:
            self._set_message(f"{label}: there is no matrix called {missing[0] or '(none)'}; "
                              "add one with New or pick another.", "error")
            return None
        a = self.workspace.get(left)
        b = self.workspace.get(right) if uses_right else None
        problem = check_operation(op, a, b, (left, right))
        if problem:
            self._set_message(problem, "error")
            return None
        names = (left, right)
        device = engine.current_device()
        first = self.first_call_in_worker and device.name not in self._warm
        if first or _work(op, a, b) > self.thread_work:
            task = _OperationTask(op, a, b, k, names)
            # A bound method, so Qt drops the connection if the panel goes first.
            task.signals.finished.connect(self._task_done)
            self._tasks.append(task)
            self._busy = label
            self.ops.set_busy(True)
            self._set_message(f"Running {label} on {device.name}…", "info")
            self.pool.start(task)
            return None
        try:
            result, seconds, device = compute(op, a, b, k, names)
        except BaseException as exc:  # every failure becomes a sentence
            self._set_message(error_sentence(exc, label, device.name, _singular_hint(op, names)), "error")
            return None
        self._warm.add(device.name)
        return self._land(op, names, k, result, seconds, device.name)

    def _task_done(self, out) -> None:
        op, names, k, result, seconds, device_name, exc = out
        self._tasks = [t for t in self._tasks if t.signals is not self.sender()]
        self._busy = None
        self.ops.set_busy(False)
        label = operation_label(op, *names)
        if exc is not None:
            self._set_message(error_sentence(exc, label, device_name, _singular_hint(op, names)), "error")
            return
        self._warm.add(device_name)
        self._land(op, names, k, result, seconds, device_name)

    def _land(self, op, names, k, result, seconds, device_name) -> str:
        left, right = names
        label = operation_label(op, left, right).replace("k · ", f"{fmt(k)} · ")
        timing = f"ran on {device_name} in {_ms(seconds)}"
        if np.ndim(result) == 0:
            value = float(result)
            name = self.add_matrix(np.array([[value]]), text=f"{label}")
            text = f"{label} = {fmt(value)}, kept as {name} (1×1); {timing}."
        else:
            r = np.asarray(result, dtype=np.float64)
            if r.ndim == 1:
                r = r.reshape(-1, 1)
            name = self.add_matrix(r, text=f"{label}")
            text = f"{name} = {label} ({shape_str(r.shape)}); {timing}."
        self.show_tab("editor")
        self._set_message(text, "ok")
        self.statusMessage.emit(f"{label}: {timing}")
        return name

    def wait_for_idle(self, msecs: int = 30000) -> bool:
        """Block until the worker is done (for scripts; the GUI never calls it)."""
        return self.pool.waitForDone(msecs)

    # -- step-by-step views ----------------------------------------------------------

    def show_steps(self, kind: str, left: str, right: str = "") -> bool:
        """Open the step-by-step view of ``kind`` ("matmul", "inverse", "det", "solve")."""
        needs_right = kind in ("matmul", "solve")
        op = {"matmul": "matmul", "inverse": "inv", "det": "det", "solve": "solve"}[kind]
        label = operation_label(op, left or "A", right or "B")
        missing = [n for n in ((left, right) if needs_right else (left,)) if n not in self.workspace]
        if missing:
            self._set_message(f"{label}: there is no matrix called {missing[0] or '(none)'}.", "error")
            return False
        a = self.workspace.get(left)
        b = self.workspace.get(right) if needs_right else None
        problem = check_operation(op, a, b, (left, right))
        if problem:
            self._set_message(problem, "error")
            return False
        try:
            if kind == "matmul":
                if max(a.shape[0], b.shape[1], a.shape[1]) > STEPPER_LIMIT:
                    self._set_message(f"{label} is too big to step through here (up to {STEPPER_LIMIT} "
                                      "rows and columns); compute it with the button instead.", "error")
                    return False
                cname = self.workspace.next_name()
                steps = explain.matmul_steps(a, b, names=(left, right, cname))
                self.stepper.set_problem(a, b, steps.result(), steps, (left, right, cname))
                self.show_tab("stepper")
                self._set_message(f"Stepping through {cname} = {left} · {right}: Next, Play, or click a cell "
                                  f"of {cname}.", "info")
            else:
                if a.shape[0] > ELIMINATION_LIMIT:
                    self._set_message(f"{left} is {shape_str(a.shape)}: elimination is shown step by step "
                                      f"for matrices up to {ELIMINATION_LIMIT}×{ELIMINATION_LIMIT}.", "error")
                    return False
                device = engine.current_device()
                dtype = np.float64 if getattr(device, "fp64", True) else np.float32
                steps = explain.elimination_steps(a, b, mode=kind, names=(left, right or "b"), dtype=dtype)
                self.elimination.set_steps(steps, (left, right or "b"))
                self.show_tab("elimination")
                last = steps[-1]
                outcome = "ends at a column with no pivot" if last.kind == "singular" else "ends at the result"
                self._set_message(f"{len(steps)} steps of elimination on {left}; the walk {outcome}.", "info")
        except (ValueError, MemoryError) as exc:
            self._set_message(str(exc), "error")
            return False
        return True

    # -- keeping the widgets in step with the document ----------------------------

    def select(self, name: str) -> None:
        """Show matrix ``name`` in the editor."""
        if name in self.workspace:
            self._current = name
            self.list.set_current(name)
            self._show_current()

    def _show_current(self) -> None:
        if self._current and self._current in self.workspace:
            self.editor.set_matrix(self._current, self.workspace.get(self._current))
        else:
            self.editor.set_matrix("", np.zeros((0, 0)))
        has = self._current is not None
        for a in (self.duplicate_action, self.delete_action, self.export_action, self.copy_action,
                  self.latex_action):
            a.setEnabled(has)

    def _refresh_list(self) -> None:
        self.list.set_items(self.workspace.items(), self._current)
        names = self.workspace.names()
        self.ops.set_names(names)
        self._relabel_actions()

    def _renamed(self, old: str, new: str) -> None:
        if self._current == old:
            self._current = new

    def _list_changed(self) -> None:
        if self._current not in self.workspace:
            names = self.workspace.names()
            # After an undo of a rename the old name is back; otherwise fall to a neighbour.
            self._current = names[-1] if names else None
        self._refresh_list()
        self._show_current()

    def _matrix_changed(self, name: str) -> None:
        self._refresh_list()
        if name == self._current:
            self._show_current()
        else:
            self.select(name)

    def _cell_changed(self, name: str, row: int, col: int) -> None:
        if name != self._current:
            self.select(name)
        else:
            value = self.workspace.value(name, row, col)
            if self.editor.model.value(row, col) != value:
                self.editor.set_value(row, col, value)

    def _relabel_actions(self, *_):
        a, b = self.ops.left() or "A", self.ops.right() or "B"
        for key, action in self.operation_actions.items():
            action.setText(operation_label(key, a, b))
        for key, template, _ in STEP_VIEWS:
            self.step_actions[key].setText("Step by step: " + template.format(a=a, b=b))

    def _set_message(self, text: str, kind: str = "info") -> None:
        self._message_kind = kind
        colour = {"info": "#333333", "ok": "#1b5e20", "error": "#a00000"}[kind]
        back = {"info": "transparent", "ok": "#e8f5e9", "error": "#fdecea"}[kind]
        self.message_label.setStyleSheet(
            f"QLabel#matrixLabMessage {{ color: {colour}; background: {back}; "
            "border-radius: 4px; padding: 6px 8px; font-size: 10.5pt; }")
        self.message_label.setText(text)
        if kind == "error":
            self.statusMessage.emit(text)

    def _name_problem(self, name: str) -> str | None:
        if not _NAME_RE.match(name or ""):
            return (f"'{name}' cannot name a matrix: use a letter followed by up to 23 letters, "
                    "digits, _ or ' (for example A, B2, W_out).")
        if name in self.workspace:
            return f"There is already a matrix called {name}: pick another name."
        return None

    # -- demo -----------------------------------------------------------------------------

    @classmethod
    def demo(cls, parent: QWidget | None = None, tab: str = "stepper") -> MatrixLabPanel:
        """A new panel with the examples of ``load_demo`` loaded."""
        panel = cls(parent)
        panel.load_demo(tab)
        return panel

    def load_demo(self, tab: str = "stepper") -> None:
        """Fill the workspace with examples, the multiplication stepper open mid-way.

        A (3×2) and B (2×3) for C = A·B, stopped at C[2,2]; M (3×3) and b (3×1) with
        M⁻¹'s elimination loaded half-way. ``tab`` picks the page in front.
        """
        self.add_matrix([[1, 2], [3, 4], [5, 6]], "A")
        self.add_matrix([[7, 8, 9], [10, 11, 12]], "B")
        self.add_matrix([[2, 1, 1], [4, -6, 0], [-2, 7, 2]], "M")
        self.add_matrix([[5], [-2], [9]], "b")
        self.undo_stack.clear()
        self.select("A")
        self.ops.set_operands("M", "b")
        self.show_steps("inverse", "M", "")
        self.elimination.set_step(8)
        self.ops.set_operands("A", "B")
        self.show_steps("matmul", "A", "B")
        self.stepper.set_step(4)
        self.show_tab(tab)
        if tab == "elimination":
            text = "Example: M⁻¹ by Gauss-Jordan elimination, half-way. Press Next to go on, or pick a step."
        else:
            text = "Example: C = A · B at C[2,2] = 3·8 + 4·11 = 68. Press Next to go on, or click any cell of C."
        self._set_message(text, "info")


def _singular_hint(op: str, names) -> str:
    """Where to watch a singular matrix's pivot vanish, in the words of its button."""
    kind = {"inv": "inverse", "solve": "solve"}.get(op)
    if kind is None:
        return ""
    template = next(t for k, t, _ in STEP_VIEWS if k == kind)
    return f"Press “{template.format(a=names[0], b=names[1])}” to watch the pivot vanish."


def _ms(seconds: float) -> str:
    ms = seconds * 1000.0
    if ms < 1:
        return f"{ms:.3f} ms"
    if ms < 100:
        return f"{ms:.2f} ms"
    return f"{ms:.0f} ms"
