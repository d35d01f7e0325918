"""The Dataset type, the registry of built-in sets, argument checks and the split.

Every built-in set is a generator function registered with :func:`register`. It
draws *all* samples from one seeded ``numpy.random.Generator``; :func:`load` then
splits them into training and test parts (stratified for classification tasks)
and wraps them in a :class:`Dataset`. Keeping the split here means every set
splits the same way and the generators stay small.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np

from ..errors import EngineError

TASKS = ("binary", "multiclass", "regression", "sequence_regression")
CLASSIFICATION_TASKS = ("binary", "multiclass")


class DatasetError(EngineError, ValueError):
    """A data set could not be made from the arguments given; the message says why."""


class DataFileError(DatasetError):
    """A user's data file could not be read.

    ``path`` is the file; ``line`` and ``column`` (1-based, as a person counts
    them; ``line`` is the row for .npy files) point at the offending value when
    there is one, else they are ``None``.
    """

    def __init__(self, message: str, path: str | None = None,
                 line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.path = path
        self.line = line
        self.column = column


@dataclass(frozen=True, repr=False)
class Dataset:
    """A data set split into training and test parts.

    Shapes and dtypes, with N the number of samples in a part:

    ============================  ======================  ===========================
    task                          x                       y
    ============================  ======================  ===========================
    ``"binary"``                  (N, *input_shape) f32   (N, 1) float32, 0.0 or 1.0
    ``"multiclass"``              (N, *input_shape) f32   (N,) int64 in 0..n_classes-1
    ``"regression"``              (N, *input_shape) f32   (N, 1) float32
    ``"sequence_regression"``     (N, T, F) float32       (N, 1) float32
    ============================  ======================  ===========================

    ``input_shape`` is ``(2,)`` for planar sets, ``(features,)`` for tabular ones,
    ``(1, 8, 8)`` for digits and ``(T, F)`` for sequences. ``n_classes`` is the
    number of classes for classification tasks and ``None`` otherwise. ``meta`` is
    a JSON-safe dict: always ``name``, ``n``, ``noise``, ``seed``, ``test_ratio``,
    ``options``, ``feature_names`` and ``target_name``; some sets add more (the
    linear set's true ``theta`` and ``bias``, ``class_names``, a user file's
    ``path``).
    """

    name: str
    task: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    n_classes: int | None
    input_shape: tuple
    meta: dict = field(default_factory=dict)

    @property
    def n_train(self) -> int:
        """Number of training samples."""
        return int(self.x_train.shape[0])

    @property
    def n_test(self) -> int:
        """Number of test samples."""
        return int(self.x_test.shape[0])

    @property
    def is_classification(self) -> bool:
        """True for ``"binary"`` and ``"multiclass"`` tasks."""
        return self.task in CLASSIFICATION_TASKS

    def with_features(self, names) -> "Dataset":
        """A copy of a planar (2-input) set whose inputs are the chosen feature maps.

        ``names`` come from :data:`FEATURES`, in the order the columns should have;
        see :func:`engine.datasets.features`. ``input_shape`` becomes
        ``(len(names),)`` and ``meta["features"]`` records the names.
        """
        from .features import features, _normalise_names

        if self.input_shape != (2,):
            raise DatasetError(
                f"Feature maps apply to planar sets with 2 inputs (x1, x2); "
                f"{self.name!r} has input shape {self.input_shape}.")
        chosen = _normalise_names(names)
        meta = dict(self.meta, features=list(chosen), feature_names=list(chosen))
        return replace(
            self,
            x_train=features(self.x_train, chosen),
            x_test=features(self.x_test, chosen),
            input_shape=(len(chosen),),
            meta=meta,
        )

    def __repr__(self) -> str:
        return (f"Dataset(name={self.name!r}, task={self.task!r}, "
                f"train={self.n_train}, test={self.n_test}, "
                f"input_shape={self.input_shape}, n_classes={self.n_classes})")


@dataclass(frozen=True)
class DatasetInfo:
    """What a registered set is, for listing in a user interface.

    ``options`` maps each extra keyword :func:`load` accepts for this set to its
    default; ``default_n`` is the sample count used when ``n`` is None;
    ``uses_noise`` tells whether ``noise`` changes the data at all.
    """

    name: str
    task: str
    title: str
    description: str
    options: dict
    default_n: int
    uses_noise: bool = True


@dataclass
class Samples:
    """What a generator returns: every sample, before the split."""

    x: np.ndarray
    y: np.ndarray
    n_classes: int | None = None
    meta: dict = field(default_factory=dict)


Generator = Callable[..., Samples]
_REGISTRY: dict[str, tuple[DatasetInfo, Generator]] = {}


def register(name: str, task: str, title: str, description: str, *,
             options: dict | None = None, default_n: int = 500,
             uses_noise: bool = True) -> Callable[[Generator], Generator]:
    """Register ``fn(rng, n, noise, **options) -> Samples`` as built-in set ``name``."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}")

    def decorate(fn: Generator) -> Generator:
        info = DatasetInfo(name, task, title, description, dict(options or {}),
                           default_n, uses_noise)
        _REGISTRY[name] = (info, fn)
        return fn

    return decorate


def names(task: str | None = None) -> list[str]:
    """Every registered set name, in a stable order; only those of ``task`` if given."""
    if task is not None and task not in TASKS:
        raise DatasetError(f"Unknown task {task!r}; choose one of {', '.join(TASKS)}.")
    return [n for n, (info, _) in _REGISTRY.items() if task is None or info.task == task]


def info(name: str) -> DatasetInfo:
    """The :class:`DatasetInfo` of a registered set."""
    return _lookup(name)[0]


def _lookup(name: str) -> tuple[DatasetInfo, Generator]:
    if not isinstance(name, str) or name not in _REGISTRY:
        raise DatasetError(
            f"There is no data set called {name!r}; choose one of "
            f"{', '.join(_REGISTRY)} (or use load_user() for your own file).")
    return _REGISTRY[name]


def load(name: str, n: int | None = None, noise: float = 0.1,
         test_ratio: float = 0.5, seed: int | None = 0, **options: Any) -> Dataset:
    """Generate (or read) the built-in set ``name`` and split it.

    ``n`` is the total number of samples, training plus test (None: the set's
    ``default_n``, 500 for generated sets, all 1797 for digits). ``noise`` follows
    TensorFlow Playground where it applies (0 = clean, 0.5 = Playground's maximum;
    larger values are allowed). ``test_ratio`` in (0, 1) is the share that goes to
    the test set; classification sets are split per class so both parts keep the
    class balance. ``seed`` makes everything reproducible (None: fresh randomness).
    Extra keyword ``options`` depend on the set; see ``info(name).options``.

    Raises :class:`DatasetError` (a ``ValueError``) with a sentence on bad arguments.
    """
    ds_info, generate = _lookup(name)
    unknown = sorted(set(options) - set(ds_info.options))
    if unknown:
        accepted = ", ".join(f"{k}={v!r}" for k, v in ds_info.options.items()) or "none"
        raise DatasetError(
            f"Data set {name!r} has no option {', '.join(map(repr, unknown))}; "
            f"the options it accepts are: {accepted}.")
    n = ds_info.default_n if n is None else _check_count(n)
    if n < 2:
        raise DatasetError(
            f"n={n} is too few to split into training and test sets; use n >= 2.")
    noise = _check_noise(noise)
    test_ratio = check_test_ratio(test_ratio)
    check_seed(seed)
    opts = {**ds_info.options, **options}

    rng = np.random.default_rng(seed)
    samples = generate(rng, n, noise, **opts)
    x, y = samples.x, samples.y
    n_total = int(x.shape[0])
    stratify = y if ds_info.task in CLASSIFICATION_TASKS else None
    train_idx, test_idx = split_indices(rng, n_total, test_ratio, stratify)
    meta = {
        "name": name,
        "n": n_total,
        "noise": noise,
        "seed": seed,
        "test_ratio": test_ratio,
        "options": opts,
        **samples.meta,
    }
    return make_dataset(name, ds_info.task, x, y, train_idx, test_idx,
                        samples.n_classes, meta)


def make_dataset(name, task, x, y, train_idx, test_idx, n_classes, meta) -> Dataset:
    """Cast x and y to the documented dtypes/shapes and build the Dataset."""
    x = np.asarray(x, dtype=np.float32)
    if task == "multiclass":
        y = np.asarray(y, dtype=np.int64).reshape(-1)
    else:
        y = np.asarray(y, dtype=np.float32).reshape(-1, 1)
    if task == "binary":
        n_classes = 2
    return Dataset(
        name=name,
        task=task,
        x_train=np.ascontiguousarray(x[train_idx]),
        y_train=np.ascontiguousarray(y[train_idx]),
        x_test=np.ascontiguousarray(x[test_idx]),
        y_test=np.ascontiguousarray(y[test_idx]),
        n_classes=n_classes,
        input_shape=tuple(int(s) for s in x.shape[1:]),
        meta=meta,
    )


def split_indices(rng: np.random.Generator, n: int, test_ratio: float,
                  labels: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Shuffled train and test index arrays; per class when ``labels`` are given.

    The test part has ``round(n * test_ratio)`` samples, kept within 1..n-1 so
    neither part is empty. With labels, each class gives its share to the test
    part (largest remainders settle the rounding), so both parts keep the class
    balance.
    """
    n_test = min(max(int(round(n * test_ratio)), 1), n - 1)
    if labels is None:
        order = rng.permutation(n)
        return order[n_test:], order[:n_test]

    labels = np.asarray(labels).reshape(n, -1)[:, 0]
    classes, inverse = np.unique(labels, return_inverse=True)
    counts = np.bincount(inverse, minlength=len(classes))
    ideal = counts * (n_test / n)
    take = np.floor(ideal).astype(int)
    short = n_test - int(take.sum())
    if short > 0:
        room = take < counts
        order = np.argsort(-(ideal - take) + np.where(room, 0.0, np.inf), kind="stable")
        take[order[:short]] += 1
    train_parts, test_parts = [], []
    for k in range(len(classes)):
        members = rng.permutation(np.flatnonzero(inverse == k))
        test_parts.append(members[:take[k]])
        train_parts.append(members[take[k]:])
    train = rng.permutation(np.concatenate(train_parts))
    test = rng.permutation(np.concatenate(test_parts))
    return train, test


def check_test_ratio(test_ratio) -> float:
    """``test_ratio`` as a float strictly between 0 and 1, or a DatasetError."""
    if isinstance(test_ratio, bool) or not isinstance(test_ratio, numbers.Real):
        raise DatasetError(f"test_ratio must be a number between 0 and 1, not {test_ratio!r}.")
    value = float(test_ratio)
    if not (0.0 < value < 1.0):
        raise DatasetError(
            f"test_ratio={test_ratio!r} is outside (0, 1); it is the share of samples "
            f"kept for testing, e.g. 0.5 for half.")
    return value


def _check_count(n) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise DatasetError(f"n must be a whole number of samples, not {n!r}.")
    if n <= 0:
        raise DatasetError(f"n={n} asks for no samples; use a positive number such as 500.")
    return int(n)


def _check_noise(noise) -> float:
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or math.isnan(noise):
        raise DatasetError(f"noise must be a number such as 0.1, not {noise!r}.")
    if noise < 0:
        raise DatasetError(f"noise={noise!r} is negative; use 0 for clean data or a "
                           f"positive amount such as 0.1.")
    if math.isinf(noise):
        raise DatasetError("noise must be finite; try a value between 0 and 0.5.")
    return float(noise)


def check_seed(seed) -> None:
    if seed is None:
        return
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise DatasetError(f"seed must be a whole number >= 0 (or None), not {seed!r}.")


def check_int_option(name: str, option: str, value, low: int, high: int | None = None) -> int:
    """A generator's integer option, checked against ``low..high``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise DatasetError(f"{name}: {option} must be a whole number, not {value!r}.")
    if value < low or (high is not None and value > high):
        limit = f"at least {low}" if high is None else f"between {low} and {high}"
        raise DatasetError(f"{name}: {option}={value} is out of range; it must be {limit}.")
    return int(value)


def split_counts(n: int, k: int) -> list[int]:
    """``n`` split into ``k`` near-equal whole counts (the first ones get the extras)."""
    base, extra = divmod(n, k)
    return [base + (1 if i < extra else 0) for i in range(k)]
