"""``Trainer``: mini-batch training of a Model on a data set, with metrics and tracing.

The hot loop stays on the device. The training set goes up once; each epoch its order
is shuffled on the host (a seeded numpy Generator) and only that order (int32) goes
up, before the epoch's first step; a step then gathers its batch's rows on the device,
queues forward, backward and the optimizer's update, and adds the loss into a device
accumulator. ``step(n)`` reads back once at the end: the accumulated loss, a count of
non-finite values in the parameters, and the test metrics (test loss and, for
classifiers, test accuracy, evaluated in chunks in inference mode). So there is one
host synchronisation per ``step(n)`` call, plus one per epoch boundary (the order's
upload), not one per step.

Small dense networks take the fused path instead (engine.fused): the training set goes
up once, each launch uploads just the epochs' sample orders, and one kernel runs many
whole steps. The data order, step count, optimizer state, metrics and divergence
handling are the same as on the general path (a divergence is replayed on the general
path, step by step).

A batch is ``backend.gather_rows`` of the training set by the epoch's order, for the
inputs and for the targets (float, or int32 labels for softmax_ce): no step uploads
anything (see ``_EpochBatches``).

Divergence: ``step(n)`` keeps device copies of the parameters, the optimizer state,
``model.rng``'s state and the data position from before its first step. If the check
at the end finds a non-finite loss or parameter (or test loss), it restores them and
replays the same batches one at a time, checking each (same batches, same dropout
masks: the replay is deterministic), stops before the bad one and raises
``engine.DivergenceError``: the parameters are exactly those before that step.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .errors import DivergenceError, ShapeError, shape_str
from .optim import check_lr, make_optimizer, param_symbol

#: at most this many floats of activations per test-set chunk
TEST_CHUNK_FLOATS = 1 << 22


class _Snapshot:
    """Device copies of a trainer's mutable state at one moment (see ``Trainer._snapshot``)."""

    __slots__ = ("params", "opt", "rng", "data", "step")

    def __init__(self, params, opt, rng, data, step):
        self.params, self.opt, self.rng, self.data, self.step = params, opt, rng, data, step


class _EpochBatches:
    """One epoch's batches, gathered on the device from the training set as they are asked for.

    ``order`` is the epoch's shuffled order of the training samples (int32); batch i
    holds samples order[i·b:(i+1)·b] (the last one may be smaller). ``source()`` gives
    the whole training set on the device, (x, y), uploaded once per trainer; the order
    goes up on the first batch asked for (a few kilobytes: the one host synchronisation
    of an epoch), and each batch is one ``gather_rows`` of x and one of y on the device.
    The fused path (engine.fused) reads the order alone and never asks for a batch.
    """

    def __init__(self, model, source, order, batch_size: int):
        self.backend = model.backend
        self.order = np.asarray(order, np.int32)
        self._source = source
        n = len(self.order)
        self.batch_size = batch_size
        self.n_full = n // batch_size
        self.rest = n - self.n_full * batch_size
        self._order_dev = None

    def __len__(self) -> int:
        return self.n_full + (1 if self.rest else 0)

    def __getitem__(self, i: int):
        """(x_dev, y_dev) of batch i."""
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        be = self.backend
        if self._order_dev is None:
            self._order_dev = be.asarray(self.order, np.int32)
        x_all, y_all = self._source()
        start = i * self.batch_size
        count = self.batch_size if i < self.n_full else self.rest
        return (be.gather_rows(x_all, self._order_dev, start, count),
                be.gather_rows(y_all, self._order_dev, start, count))

    def __iter__(self):
        return (self[i] for i in range(len(self)))


def _batch_arrays(data):
    """(x_train, y_train, x_test, y_test) from a Dataset-like object or a 2- or 4-tuple."""
    if isinstance(data, (tuple, list)):
        if len(data) == 2:
            return data[0], data[1], None, None
        if len(data) == 4:
            return tuple(data)
        raise ValueError("Give the data as a Dataset, (x_train, y_train) or (x_train, y_train, x_test, y_test).")
    try:
        return data.x_train, data.y_train, getattr(data, "x_test", None), getattr(data, "y_test", None)
    except AttributeError:
        raise TypeError(f"The trainer needs a data set with x_train and y_train, not a {type(data).__name__}: "
                        "load one with engine.datasets.load(...).") from None


class Trainer:
    """Trains ``model`` on ``data`` with mini-batches.

    ``Trainer(model, data, optimizer={"type": "adam", "lr": 0.01}, batch_size=10, seed=0)``.
    ``data``: a ``datasets.Dataset`` (or any object with x_train, y_train, x_test,
    y_test; a tuple (x_train, y_train[, x_test, y_test]) also works). ``optimizer``: a
    config dict for ``engine.optim.make_optimizer`` (or an Optimizer). ``seed`` fixes
    the shuffling order. A batch size above the number of training samples means
    full-batch gradient descent.

    ``step(n)`` trains n batches; ``trace(batch)`` steps through one; ``history``
    holds the metrics of every ``step`` call; ``request_stop()`` ends a running
    ``step(n)`` after the batch under way (the launch under way, on the fused path).

    Small dense networks on an OpenCL device train on the fused path (engine.fused):
    whole steps, many per kernel launch, with the same results as the general path to
    rounding. ``use_fused = False`` (on the instance or the class) turns it off.
    """

    #: let ``step`` use the fused whole-step kernel when the network fits it
    use_fused = True

    def __init__(self, model, data, optimizer=None, batch_size: int = 10, seed: int = 0):
        self.model = model
        self.data = data
        self.backend = be = model.backend
        x_train, y_train, x_test, y_test = _batch_arrays(data)
        self.x_train, self.y_train = self._check_part(x_train, y_train, "training")
        if x_test is not None and y_test is not None and len(x_test):
            self.x_test, self.y_test = self._check_part(x_test, y_test, "test")
        else:
            self.x_test = self.y_test = None
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
            raise ValueError(f"The batch size must be a whole number of 1 or more, not {batch_size!r}.")
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise ValueError(f"The seed must be a whole number of 0 or more, not {seed!r}.")
        self.n_train = len(self.x_train)
        #: the batch size asked for; ``batch_size`` is the one used (at most n_train)
        self.requested_batch_size = int(batch_size)
        self.batch_size = min(int(batch_size), self.n_train)
        self.batches_per_epoch = -(-self.n_train // self.batch_size)
        self.seed = int(seed)
        self.optimizer = make_optimizer({"type": "adam", "lr": 0.01} if optimizer is None else optimizer,
                                        be, model.param_arrays)
        self.step_count = 0
        self.history: dict = {"step": [], "epoch": [], "train_loss": [], "test_loss": []}
        if model.is_classifier:
            self.history["accuracy"] = []
        self.last_result: dict | None = None
        self._order_rng = np.random.default_rng([self.seed, 2])
        self._epoch_index = -1
        self._pos = 0
        self._batches = None
        self._train_dev = None
        self._stop = False
        self._active_trace = None
        self._fused_state = None
        self._test_chunks = self._upload_test()
        self._new_epoch()

    # ------------------------------------------------------------ checks
    def _check_part(self, x, y, part: str):
        """The part's arrays, checked against the network: shapes, classes, targets."""
        model = self.model
        x = np.asarray(x)
        y = np.asarray(y)
        want = tuple(model.spec.input)
        if x.ndim < 1 or tuple(x.shape[1:]) != want:
            raise ShapeError(f"The {part} samples have shape {shape_str(x.shape[1:])} but the network takes "
                             f"{shape_str(want)}: set the network's input to {list(x.shape[1:])} or choose "
                             "a data set that fits it.")
        if len(x) == 0:
            raise ValueError(f"The {part} set is empty: give it at least one sample.")
        if len(y) != len(x):
            raise ShapeError(f"The {part} set has {len(x)} samples but {len(y)} targets: give one target per sample.")
        loss = model.spec.loss
        if loss == "softmax_ce":
            labels = y.reshape(len(y), -1)
            if labels.shape[1] != 1:
                raise ShapeError(f"The softmax_ce loss needs one class index per sample, but the {part} targets "
                                 f"are {shape_str(y.shape)}: use a classification data set.")
            k = model.n_outputs
            if not np.issubdtype(y.dtype, np.number) or np.any(y != np.round(y)):
                raise ShapeError(f"The softmax_ce loss needs class indices (whole numbers), but the {part} "
                                 "targets hold fractions: use the mse loss to predict numbers.")
            if y.size and (y.min() < 0 or y.max() >= k):
                raise ShapeError(f"The {part} targets are classes {int(y.min())} to {int(y.max())}, but the last "
                                 f"layer has {k} units: give it one unit per class.")
        elif loss == "bce":
            if y.size and not np.all((y == 0) | (y == 1)):
                raise ShapeError(f"The bce loss needs targets that are 0 or 1, but the {part} targets hold other "
                                 "values: use softmax_ce for several classes or mse for numbers.")
        return x, y

    def _upload_test(self) -> list:
        """The test set on the device in chunks sized to keep activations small."""
        if self.x_test is None:
            return []
        per_sample = sum(math.prod(s) for s in self.model.spec.shapes()) + math.prod(self.model.spec.input)
        chunk = max(1, TEST_CHUNK_FLOATS // max(1, per_sample))
        chunks = []
        for start in range(0, len(self.x_test), chunk):
            xs, ys = self.x_test[start:start + chunk], self.y_test[start:start + chunk]
            x_dev, y_dev = self.model.prepare_batch(xs, ys)
            chunks.append((x_dev, y_dev, ys, len(xs)))
        return chunks

    # ------------------------------------------------------------ data order
    def _new_epoch(self) -> None:
        """Shuffle the next epoch (its batches go up on first use: the one host sync of an epoch)."""
        order = self._order_rng.permutation(self.n_train)
        self._batches = _EpochBatches(self.model, self._training_set, order, self.batch_size)
        self._epoch_index += 1
        self._pos = 0

    def _training_set(self):
        """The whole training set on the device, (x, y), checked and uploaded on first use."""
        if self._train_dev is None:
            self._train_dev = self.model.prepare_batch(self.x_train, self.y_train)
        return self._train_dev

    def _next_batch(self):
        if self._pos >= len(self._batches):
            self._new_epoch()
        batch = self._batches[self._pos]
        self._pos += 1
        return batch

    def _peek_batch(self):
        """The batch ``step(1)`` would use next, without consuming it."""
        if self._pos >= len(self._batches):
            self._new_epoch()
        return self._batches[self._pos]

    @property
    def epoch(self) -> float:
        """Epochs trained, with the fraction of the current one (1.5 = one and a half)."""
        return self._epoch_index + self._pos / len(self._batches)

    # ------------------------------------------------------------ state snapshots
    def _snapshot(self) -> _Snapshot:
        """Device copies of parameters and optimizer state, plus rng and data position (no sync)."""
        be = self.backend
        params = {name: be.copy(p) for name, p in self.model.param_arrays.items()}
        return _Snapshot(params, self.optimizer.snapshot(), self.model.rng.bit_generator.state,
                         (self._epoch_index, self._pos, self._batches, self._order_rng.bit_generator.state),
                         self.step_count)

    def _restore(self, snap: _Snapshot) -> None:
        be = self.backend
        for name, saved in snap.params.items():
            be.copy_into(self.model.param_arrays[name], saved)
        self.optimizer.restore(snap.opt)
        self.model.rng.bit_generator.state = snap.rng
        self._epoch_index, self._pos, self._batches, order_state = snap.data
        self._order_rng.bit_generator.state = order_state
        self.step_count = snap.step

    # ------------------------------------------------------------ training
    def request_stop(self) -> None:
        """Ask a running ``step(n)`` to return after the batch under way (any thread)."""
        self._stop = True

    def set_lr(self, lr: float) -> None:
        """Change the learning rate; the optimizer's state (momentum, moments, t) stays."""
        self.optimizer.lr = check_lr(lr)

    @property
    def lr(self) -> float:
        """The optimizer's learning rate."""
        return self.optimizer.lr

    def _train_one(self, acc) -> None:
        """Queue one step on the device: forward, backward, loss into ``acc``, update."""
        model = self.model
        x_dev, y_dev = self._next_batch()
        loss = model.forward_backward(x_dev, y_dev, None, True)
        self.backend.axpy(1.0, loss, acc)
        self.optimizer.step(model.grad_arrays)
        self.step_count += 1

    def _fused(self):
        """The fused whole-step runner (engine.fused) when the network fits it, else None.

        Built on first use and kept while it stays valid (same optimizer, parameters still
        in its packed buffers); a network that does not fit is checked once per optimizer.
        """
        if not self.use_fused:
            return None
        state = self._fused_state
        if state is not None and state[0] is self.optimizer and (state[1] is None or state[1].current()):
            return state[1]
        from .fused import fused_trainer

        runner = fused_trainer(self)
        self._fused_state = (self.optimizer, runner)
        return runner

    def step(self, n: int = 1) -> dict:
        """Train ``n`` batches (fewer if ``request_stop`` was called) and return the metrics.

        Returns {"step", "epoch", "train_loss" (mean of the n batch losses), "test_loss"
        (None without a test set), "accuracy" (classifiers: test accuracy, or None without
        a test set), "steps_done"}. Raises ``engine.DivergenceError`` when a loss or
        parameter becomes non-finite, with the parameters as they were before that step.
        """
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"step(n) trains n batches: n must be a whole number of 1 or more, not {n!r}.")
        self.cancel_trace()
        # overflow is expected when training diverges, and handled below: keep the numpy
        # reference backend from printing warnings about it
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return self._step(n)

    def _step(self, n: int) -> dict:
        be = self.backend
        snap = self._snapshot()
        acc = be.zeros((1,))
        done = 0
        try:
            fused = self._fused()
            if fused is not None:
                done = fused.run(n, acc)
            while done < n:
                if done and self._stop:
                    break
                self._train_one(acc)
                done += 1
        finally:
            self._stop = False
        counter = be.zeros((1,), np.int32)
        for p in self.model.param_arrays.values():
            be.count_nonfinite(p, counter)
        be.count_nonfinite(acc, counter)
        bad = int(be.to_numpy(counter)[0])
        total = float(be.to_numpy(acc)[0])
        test_loss, accuracy = self._test_metrics() if not bad else (None, None)
        if bad or (test_loss is not None and not math.isfinite(test_loss)):
            self._restore(snap)
            return self._replay(snap, done, check_test=not bad)
        return self._record(total / done, done, test_loss, accuracy)

    def _replay(self, start: _Snapshot, n: int, check_test: bool) -> dict:
        """Redo n steps one at a time from ``start`` (already restored), checking each; raise at
        the bad one with the parameters from before it.

        ``check_test``: evaluate the test loss after each step too (the failure showed only
        there). Without it, a test loss that is not finite where the replay stopped sends
        the replay round again with it, so the parameters left are always fully finite.
        """
        be = self.backend
        total, good = 0.0, 0
        prev = None  # (snapshot before the previous step, its loss)
        for _ in range(n):
            snap = self._snapshot()
            acc = be.zeros((1,))
            self._train_one(acc)
            loss = float(be.to_numpy(acc)[0])
            problem = None
            if not math.isfinite(loss):
                if prev is not None:
                    # the loss is computed before the update: the parameters that give it came
                    # from the previous step, so that step is the one to undo
                    snap, prev_loss = prev
                    total -= prev_loss
                    good -= 1
                    problem = f"its update made the loss {loss} on the next batch"
                else:
                    problem = f"the loss became {loss}"
            else:
                problem = self._param_problem()
            test = None
            if problem is None and check_test:
                test = self._test_metrics()
                if test[0] is not None and not math.isfinite(test[0]):
                    problem = f"the test loss became {test[0]}"
            if problem is not None:
                step_no = snap.step + 1
                self._restore(snap)
                test = self._test_metrics()
                if not check_test and good and test[0] is not None and not math.isfinite(test[0]):
                    self._restore(start)
                    return self._replay(start, good, check_test=True)
                if good:
                    self._record(total / good, good, *test)
                raise DivergenceError(self._divergence_text(step_no, problem), step=step_no)
            total += loss
            good += 1
            prev = (snap, loss)
        # the replay found nothing (the failure did not repeat): keep its result
        return self._record(total / max(good, 1), good, *(test or self._test_metrics()))

    def _param_problem(self) -> str | None:
        """A phrase naming the first parameter holding NaN or infinity, or None (syncs)."""
        be = self.backend
        counters = {}
        for name, p in self.model.param_arrays.items():
            counters[name] = c = be.zeros((1,), np.int32)
            be.count_nonfinite(p, c)
        for name, c in counters.items():
            if int(be.to_numpy(c)[0]):
                return f"parameter {param_symbol(name)} ({name}) became NaN or infinite"
        return None

    def _divergence_text(self, step_no: int, problem: str) -> str:
        return (f"Training diverged at step {step_no}: {problem}. The parameters are back to where they were "
                f"before that step; lower the learning rate (now {self.optimizer.lr:g}).")

    # ------------------------------------------------------------ metrics
    def _test_metrics(self) -> tuple:
        """(test loss, test accuracy or None) in inference mode; (None, None) without a test set."""
        if not self._test_chunks:
            return None, None
        model, be = self.model, self.backend
        n_test = len(self.x_test)
        total = be.zeros((1,))
        for x_dev, y_dev, _, n in self._test_chunks:
            # each chunk's loss is a mean with the penalty added once: weights summing to 1 keep that
            be.axpy(n / n_test, model.loss_device(x_dev, y_dev, False), total)
        accuracy = None
        if model.is_classifier:
            correct = counted = 0
            for x_dev, _, y_host, _ in self._test_chunks:
                out = be.to_numpy(model.forward_device(x_dev, False))
                hits = self._predict(out) == self._labels(y_host)
                # one value per sample, or per output for several sigmoid units
                correct += int(np.sum(hits))
                counted += hits.size
            accuracy = correct / counted
        return float(be.to_numpy(total)[0]), accuracy

    def _predict(self, out: np.ndarray) -> np.ndarray:
        if self.model.spec.loss == "softmax_ce":
            return np.argmax(out.reshape(len(out), -1), axis=1)
        return (out.reshape(len(out), -1) > 0.5).astype(np.int64)

    def _labels(self, y: np.ndarray) -> np.ndarray:
        if self.model.spec.loss == "softmax_ce":
            return y.reshape(len(y)).astype(np.int64)
        return y.reshape(len(y), -1).astype(np.int64)

    def metrics(self) -> dict:
        """The current test loss and accuracy without training (the step count and epoch too).

        Reads only: an open trace stays open (its updates so far are in the parameters).
        """
        test_loss, accuracy = self._test_metrics()
        out = {"step": self.step_count, "epoch": self.epoch, "test_loss": test_loss}
        if self.model.is_classifier:
            out["accuracy"] = accuracy
        return out

    def _record(self, train_loss: float, done: int, test_loss, accuracy) -> dict:
        result = {"step": self.step_count, "epoch": self.epoch, "train_loss": float(train_loss),
                  "test_loss": test_loss}
        if self.model.is_classifier:
            result["accuracy"] = accuracy
        for key in self.history:
            self.history[key].append(result[key])
        result["steps_done"] = done
        self.last_result = result
        return result

    # ------------------------------------------------------------ looking inside
    def evaluate(self, x: np.ndarray) -> dict:
        """Every layer's output for ``x`` in one inference pass (``Model.evaluate``).

        Reads only: an open trace stays open, so a view can redraw after each update step.
        """
        return self.model.evaluate(x)

    def trace(self, batch=None):
        """A generator of ``TraceStep``s for one training step (see ``engine.trace``).

        ``batch``: None for the batch ``step(1)`` would take next (consumed when the trace
        completes), an int for that batch of the current epoch's order (inspected, the
        position does not move), or (x, y) numpy arrays. Running it to the end equals
        ``step(1)``; its return value is step(1)'s metrics dict.
        """
        from .trace import run_trace

        if batch is None:
            return run_trace(self, None, True)
        if isinstance(batch, numbers.Integral) and not isinstance(batch, bool):
            if not 0 <= batch < len(self._batches):
                raise IndexError(f"There is no batch {batch}: an epoch here has batches 0 to "
                                 f"{len(self._batches) - 1}.")
            return run_trace(self, self._batches[int(batch)], False)
        try:
            x, y = batch
        except (TypeError, ValueError):
            raise TypeError("trace(batch) takes None, a batch number, or a pair (x, y) of arrays.") from None
        x, y = self._check_part(x, y, "traced")
        return run_trace(self, self.model.prepare_batch(x, y), False)

    def cancel_trace(self) -> None:
        """Undo a step-through trace under way (parameters, optimizer state, rng); no-op without one."""
        state = self._active_trace
        if state is None:
            return
        self._active_trace = None
        if not state.finished and not state.dead:
            self._restore(state.start)
            state.dead = True

    def _commit_traced_step(self, advance: bool) -> None:
        """A trace applied its last update: count the step and, for the next batch, consume it."""
        self.step_count += 1
        if advance:
            self._pos += 1

    def __repr__(self) -> str:
        return (f"<Trainer step {self.step_count}, epoch {self.epoch:.2f}, batch {self.batch_size}, "
                f"{self.optimizer!r}>")
