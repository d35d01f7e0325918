"""A person's own table of numbers, from a .csv (or other text) file or a .npy file.

One row per sample, one column per feature, and one label column (the last by
default). Every problem is reported as a :class:`DataFileError` (a ValueError)
whose message names the file and, where it can, the line (the row, for .npy)
and column, counted from 1 as a person counts them.
"""

from __future__ import annotations

import math
import numbers
from pathlib import Path

import numpy as np

from .core import (DataFileError, Dataset, check_seed, check_test_ratio, make_dataset,
                   split_indices)

USER_TASKS = ("auto", "binary", "multiclass", "regression")
_DELIMITERS = (("\t", "tab"), (";", "semicolon"), (",", "comma"))
_NPY_MAGIC = b"\x93NUMPY"


def load_user(path, label_column: int | str = -1, task: str = "auto",
              test_ratio: float = 0.5, seed: int | None = 0,
              max_classes: int = 20) -> Dataset:
    """Read a table of numbers from ``path`` and split it into a :class:`Dataset`.

    ``path`` is a ``.npy`` file holding a 2D numeric array (read with
    ``allow_pickle=False``) or a text file (.csv, .tsv, .txt...) whose delimiter
    is detected: tab, semicolon (then a decimal comma such as ``1,5`` is read as
    1.5), comma, or else runs of whitespace. A first line that is mostly not
    numbers is taken as a header naming the columns; blank lines and lines
    starting with ``#`` are skipped.

    ``label_column`` picks the label: a 0-based index (negative counts from the
    end; default the last column) or a header name. The other columns, in order,
    are the features: ``x`` has shape (N, F) float32 and ``input_shape`` is (F,).

    ``task``: ``"regression"`` gives y (N, 1) float32. ``"binary"`` needs exactly
    two label values; the smaller becomes 0 and the larger 1, y (N, 1) float32.
    ``"multiclass"`` needs whole-number labels; the sorted distinct values become
    classes 0..K-1, y (N,) int64. ``meta["classes"]`` keeps the original values.
    ``"auto"`` chooses: whole-number labels with 2..``max_classes`` distinct values
    are binary (two values) or multiclass, anything else is regression.

    Rows are shuffled with ``seed`` and ``test_ratio`` of them go to the test set
    (per class for classification). Raises :class:`DataFileError` with a sentence
    naming file, line and column when the file cannot be used.
    """
    p = Path(path)
    shown = p.name or str(p)
    if task not in USER_TASKS:
        raise DataFileError(
            f"task={task!r} is not one of {', '.join(map(repr, USER_TASKS))}.", str(p))
    if isinstance(max_classes, bool) or not isinstance(max_classes, numbers.Integral) \
            or max_classes < 2:
        raise DataFileError(f"max_classes must be a whole number >= 2, not {max_classes!r}.",
                            str(p))
    test_ratio = check_test_ratio(test_ratio)
    check_seed(seed)
    if not p.exists():
        raise DataFileError(f"{shown} does not exist (looked for {p}).", str(p))
    if p.is_dir():
        raise DataFileError(f"{shown} is a folder, not a data file.", str(p))

    if p.suffix.lower() == ".npy":
        table, header, rows, meta = _read_npy(p, shown)
        where = "row"
    else:
        table, header, rows, meta = _read_text(p, shown)
        where = "line"

    n_rows, n_cols = table.shape
    if n_cols < 2:
        raise DataFileError(
            f"{shown} has only 1 column; it needs at least one feature column and a "
            f"label column.", str(p))
    if n_rows < 2:
        raise DataFileError(
            f"{shown} has only {n_rows} row of data; it needs at least 2 to split into "
            f"training and test sets.", str(p))

    lc = _label_index(label_column, header, n_cols, shown, str(p))
    names = header or [f"column {j + 1}" for j in range(n_cols)]
    labels = table[:, lc]
    x = np.delete(table, lc, axis=1)
    feature_names = [nm for j, nm in enumerate(names) if j != lc]

    kind, y, classes = _labels(labels, task, max_classes, rows, where, lc, shown, str(p))
    rng = np.random.default_rng(seed)
    train_idx, test_idx = split_indices(
        rng, n_rows, test_ratio, y if kind in ("binary", "multiclass") else None)
    meta.update({
        "name": shown,
        "path": str(p),
        "n": n_rows,
        "noise": 0.0,
        "seed": seed,
        "test_ratio": test_ratio,
        "options": {"label_column": label_column, "task": task, "max_classes": max_classes},
        "label_column": lc,
        "feature_names": feature_names,
        "target_name": names[lc],
    })
    n_classes = None
    if classes is not None:
        meta["classes"] = classes
        meta["class_names"] = [_fmt(c) for c in classes]
        n_classes = len(classes)
    return make_dataset(shown, kind, x, y, train_idx, test_idx, n_classes, meta)


def _labels(labels, task, max_classes, rows, where, lc, shown, path):
    """(task, y, original class values or None) for the label column."""
    whole = labels == np.round(labels)
    distinct = np.unique(labels)
    col = lc + 1
    if task == "auto":
        if whole.all() and 2 <= len(distinct) <= max_classes:
            task = "binary" if len(distinct) == 2 else "multiclass"
        else:
            task = "regression"
    if task == "regression":
        return task, labels, None
    if task == "binary" and len(distinct) != 2:
        raise DataFileError(
            f"task='binary' needs exactly two label values, but column {col} of {shown} "
            f"holds {len(distinct)}: {_listing(distinct)}. Use task='multiclass' or "
            f"'regression', or pick another label_column.", path, column=col)
    if task == "multiclass":
        if not whole.all():
            i = int(np.flatnonzero(~whole)[0])
            raise DataFileError(
                f"{shown} {where} {rows[i]}, column {col}: the label {_fmt(labels[i])} is "
                f"not a whole number, so it cannot name a class; use task='regression' "
                f"or label classes 0, 1, 2, ...", path, line=rows[i], column=col)
        if len(distinct) < 2:
            raise DataFileError(
                f"Column {col} of {shown} holds one label value only "
                f"({_fmt(distinct[0])}); a classifier needs at least two classes.",
                path, column=col)
    y = np.searchsorted(distinct, labels)
    classes = [int(c) if float(c).is_integer() else float(c) for c in distinct]
    return task, y, classes


def _label_index(label_column, header, n_cols, shown, path) -> int:
    if isinstance(label_column, str):
        if header is None:
            raise DataFileError(
                f"label_column={label_column!r} names a column, but {shown} has no header "
                f"line; give the column's index instead (-1 for the last).", path)
        if label_column not in header:
            raise DataFileError(
                f"{shown} has no column named {label_column!r}; its columns are "
                f"{', '.join(map(repr, header))}.", path)
        return header.index(label_column)
    if isinstance(label_column, bool) or not isinstance(label_column, numbers.Integral):
        raise DataFileError(
            f"label_column must be a column index or a header name, not {label_column!r}.",
            path)
    if not -n_cols <= label_column < n_cols:
        raise DataFileError(
            f"label_column={label_column} is out of range: {shown} has {n_cols} columns, "
            f"so use 0..{n_cols - 1} (or -{n_cols}..-1 counting from the end).", path)
    return int(label_column) % n_cols


def _read_npy(p: Path, shown: str):
    path = str(p)
    try:
        with open(p, "rb") as fh:
            magic = fh.read(len(_NPY_MAGIC))
    except OSError as exc:
        raise DataFileError(f"{shown} could not be read: {exc.strerror or exc}.", path) from exc
    if len(magic) == 0:
        raise DataFileError(f"{shown} is empty; save an array into it with numpy.save.", path)
    if magic != _NPY_MAGIC:
        raise DataFileError(
            f"{shown} is not a NumPy .npy file (it lacks the .npy header); save the array "
            f"with numpy.save, or use a .csv file.", path)
    try:
        arr = np.load(p, allow_pickle=False)
    except ValueError as exc:
        # Object arrays need pickle, which can run code, so they are never loaded.
        raise DataFileError(
            f"{shown} holds Python objects (a pickled array), which are not loaded because "
            f"unpickling can run code; save a plain numeric array, for example "
            f"numpy.save(path, table.astype(float)).", path) from exc
    except (OSError, EOFError) as exc:
        raise DataFileError(f"{shown} could not be read as a .npy file: {exc}.", path) from exc
    if arr.dtype.names is not None or arr.dtype.kind not in "biuf":
        raise DataFileError(
            f"{shown} holds values of type {arr.dtype}; it needs plain numbers (integers or "
            f"floats).", path)
    if arr.ndim != 2:
        raise DataFileError(
            f"{shown} holds an array of shape {arr.shape}; it needs a 2D array with one row "
            f"per sample and the features and the label as columns.", path)
    if arr.size == 0:
        raise DataFileError(f"{shown} holds an empty array of shape {arr.shape}.", path)
    table = arr.astype(np.float64)
    bad = ~np.isfinite(table)
    if bad.any():
        r, c = (int(v) for v in np.argwhere(bad)[0])
        raise DataFileError(
            f"{shown} row {r + 1}, column {c + 1}: {table[r, c]} is not a finite number; "
            f"fill in or remove missing values first.", path, line=r + 1, column=c + 1)
    rows = list(range(1, table.shape[0] + 1))
    return table, None, rows, {"format": "npy"}


def _read_text(p: Path, shown: str):
    path = str(p)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise DataFileError(f"{shown} could not be read: {exc.strerror or exc}.", path) from exc
    if b"\x00" in raw:
        raise DataFileError(
            f"{shown} does not look like a text file; save the table as CSV (values "
            f"separated by commas) or as a .npy file.", path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")

    lines = [(i + 1, line) for i, line in enumerate(text.splitlines())
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise DataFileError(
            f"{shown} is empty; it needs rows of numbers, one sample per line, with the "
            f"label in the last column.", path)

    first = lines[0][1]
    delimiter, delimiter_name = None, "whitespace"
    for d, d_name in _DELIMITERS:
        if d in first:
            delimiter, delimiter_name = d, d_name
            break

    def split(line):
        parts = line.split() if delimiter is None else line.split(delimiter)
        return [f.strip().strip('"').strip("'").strip() for f in parts]

    header = None
    ref_line = lines[0][0]
    first_fields = split(first)
    non_numbers = sum(_number(f, delimiter) is None for f in first_fields)
    if non_numbers * 2 > len(first_fields):
        header = first_fields
        lines = lines[1:]
        if not lines:
            raise DataFileError(
                f"{shown} has a header line but no rows of numbers below it.", path)

    width = len(first_fields)
    table = np.empty((len(lines), width), dtype=np.float64)
    rows = []
    for r, (ln, line) in enumerate(lines):
        fields = split(line)
        if len(fields) != width:
            raise DataFileError(
                f"{shown} line {ln} has {len(fields)} columns, but line {ref_line} has "
                f"{width}; every line needs the same number of columns "
                f"(separated by {delimiter_name}).", path, line=ln)
        for c, field in enumerate(fields):
            value = _number(field, delimiter)
            if value is None and field == "":
                raise DataFileError(
                    f"{shown} line {ln}, column {c + 1} is empty; every line needs a number "
                    f"in every column.", path, line=ln, column=c + 1)
            if value is None:
                raise DataFileError(f"{shown} line {ln}, column {c + 1}: {field!r} is not a "
                                    f"number.", path, line=ln, column=c + 1)
            if not math.isfinite(value):
                raise DataFileError(
                    f"{shown} line {ln}, column {c + 1}: {field!r} is not a finite number; "
                    f"fill in or remove missing values first.", path, line=ln, column=c + 1)
            table[r, c] = value
        rows.append(ln)
    meta = {"format": "text", "delimiter": delimiter_name, "header": header is not None}
    return table, header, rows, meta


def _number(field: str, delimiter: str | None) -> float | None:
    if field == "":
        return None
    try:
        return float(field)
    except ValueError:
        pass
    if delimiter == ";" and field.count(",") == 1:
        try:
            return float(field.replace(",", "."))
        except ValueError:
            return None
    return None


def _fmt(v) -> str:
    v = float(v)
    return str(int(v)) if v.is_integer() else repr(v)


def _listing(values, limit: int = 8) -> str:
    shown = ", ".join(_fmt(v) for v in values[:limit])
    return shown + (", ..." if len(values) > limit else "")
