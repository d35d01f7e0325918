"""The training worker: a QObject living on its own QThread that alone drives the device.

The GUI never calls the engine while a worker exists; it asks the worker, through
thread-safe methods, to resume, pause, step, cancel or run a command (a weight edit, a
new learning rate) between steps. The worker trains in chunks of ``Trainer.step(n)``
sized to last about 20 ms, and after a chunk, at most ``max_rate`` times a second and
only once the GUI has taken the previous one (``ack``), emits a snapshot of numpy copies.
A slow GUI therefore gets fewer snapshots rather than a growing queue.

Drawing and training take turns. Python runs one thread at a time (the GIL), and Qt
calls back into Python for every custom item it paints; while the worker trains, each of
those calls waits for the worker to let go, and a repaint that takes 20 ms alone takes
ten times as long. So after sending a snapshot the worker waits (between chunks) until
the GUI acknowledges it, and then trains for at least as long as the GUI took to draw
before it sends the next: the GUI stays responsive and training keeps at least half the
time.

Typical wiring (``NetworkLabPanel`` does this)::

    thread = QThread()
    worker = TrainingWorker(trainer, builder)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.finished.connect(thread.quit)
    worker.snapshot.connect(show)          # queued to the GUI thread; show() calls worker.ack()
    worker.failed.connect(report)
    thread.start(); worker.resume()
    ...
    worker.cancel(); thread.quit(); thread.wait()
"""

from __future__ import annotations

import queue
import threading
import time

import numpy as np

from PySide6.QtCore import QObject, Signal

CHUNK_SECONDS = 0.02   # the steps of a chunk take at least this long ...
OVERHEAD_SHARE = 0.25  # ... and the chunk's fixed cost (the test metrics) at most this share
MAX_CHUNK_SECONDS = 0.5
MAX_CHUNK = 5000
ACK_TIMEOUT = 2.0      # seconds training waits for the GUI to draw a snapshot, at most


def sentence(exc: BaseException) -> str:
    """An exception as a sentence for a person (its message; its type when it has none)."""
    text = str(exc).strip()
    return text if text else f"Training stopped on an unexpected {type(exc).__name__}."


class TrainingWorker(QObject):
    """Runs ``trainer.step`` in chunks on its thread; see the module docstring.

    ``builder`` is a ``SnapshotBuilder`` (``record(result)``, ``build(slow=None)``).
    ``max_steps`` (None: no end) pauses the run once that many steps were taken in
    total, which the heartbeat benchmark and tests use.

    Signals (all emitted from the worker thread):
      ``snapshot(dict)``: numpy copies for the plots, with ``token`` and ``running`` added.
      ``diverged(str)``: the loss or a weight became non-finite; training paused, the
      weights are the last finite ones; the sentence says at which step and why.
      ``failed(str)``: anything else went wrong; the worker stops.
      ``stateChanged(str)``: "running", "paused" or "finished".
      ``finished()``: ``run`` returned (cancelled or failed).
    """

    snapshot = Signal(object)
    diverged = Signal(str)
    failed = Signal(str)
    stateChanged = Signal(str)
    finished = Signal()

    def __init__(self, trainer, builder, token: int = 0, max_rate: float = 30.0, max_steps: int | None = None):
        super().__init__()
        self.trainer = trainer
        self.builder = builder
        self.token = token
        self.max_rate = float(max_rate)
        self.max_steps = max_steps
        self._commands: queue.Queue = queue.Queue()
        self._wake = threading.Event()
        self._running = False
        self._cancelled = False
        self._acked = True
        self._draw_seconds = 0.0     # how long the GUI took to draw the last snapshot
        self._speed = None          # steps per second; None = as fast as possible
        self._chunk = 1
        self._timings: list = []     # (steps, seconds) of recent chunks, to size the next
        self._last_emit = 0.0
        self.steps_taken = 0
        self.snapshots_sent = 0
        self._recorded_step = 0      # the trainer's step count at the last result recorded

    # ------------------------------------------------------------------ control (any thread)

    def resume(self) -> None:
        """Train continuously until paused."""
        self._commands.put(("resume", None))
        self._wake.set()

    def pause(self) -> None:
        """Stop after the chunk under way; the state is kept."""
        self._running = False   # takes effect at once: the loop checks it before each chunk
        self._stop_trainer()    # and the chunk under way ends after its current batch
        self._commands.put(("pause", None))
        self._wake.set()

    def step_once(self, n: int = 1) -> None:
        """Train ``n`` steps then stay paused."""
        self._commands.put(("step", int(n)))
        self._wake.set()

    def post(self, fn) -> None:
        """Run ``fn(trainer)`` on the worker thread between steps, then send a snapshot."""
        self._commands.put(("call", fn))
        self._wake.set()

    def request_snapshot(self) -> None:
        """Send a full snapshot soon, even while paused."""
        self._commands.put(("snapshot", None))
        self._wake.set()

    def set_speed(self, steps_per_second) -> None:
        """Pace training at this many steps a second (None: as fast as the device goes)."""
        self._speed = None if steps_per_second is None else max(0.1, float(steps_per_second))
        self._wake.set()

    def cancel(self) -> None:
        """End ``run`` after the chunk under way."""
        self._cancelled = True
        self._running = False
        self._stop_trainer()
        self._commands.put(("cancel", None))
        self._wake.set()

    def _stop_trainer(self) -> None:
        stop = getattr(self.trainer, "request_stop", None)  # thread-safe by the Trainer's contract
        if stop is not None:
            stop()

    def ack(self, draw_seconds: float = 0.0) -> None:
        """The GUI has shown the last snapshot (taking ``draw_seconds``): training goes on and
        the next snapshot may be sent once training has had at least as long."""
        self._draw_seconds = max(0.0, min(float(draw_seconds), 1.0))
        self._acked = True
        self._wake.set()

    def is_running(self) -> bool:
        """True while training continuously."""
        return self._running

    # ------------------------------------------------------------------ the loop (worker thread)

    def run(self) -> None:
        """Train until cancelled; connect it to ``QThread.started``."""
        try:
            self._publish(force=True, slow=True)
            while not self._cancelled:
                self._drain(block=not self._running)
                if self._cancelled:
                    break
                if self._running:
                    self._train_chunk()
        except Exception as exc:  # the GUI shows the sentence; the thread must end cleanly
            self._running = False
            self.failed.emit(sentence(exc))
        finally:
            self._running = False
            self.stateChanged.emit("finished")
            self.finished.emit()

    def _drain(self, block: bool) -> None:
        try:
            kind, arg = self._commands.get(timeout=0.1) if block else self._commands.get_nowait()
        except queue.Empty:
            return
        while True:
            self._apply(kind, arg)
            try:
                kind, arg = self._commands.get_nowait()
            except queue.Empty:
                break

    def _apply(self, kind: str, arg) -> None:
        if kind == "cancel":
            return
        if kind == "resume":
            if not self._running:
                self._running = True
                self.stateChanged.emit("running")
        elif kind == "pause":
            self.stateChanged.emit("paused")
            self._publish(force=True, slow=True)
        elif kind == "step":
            self._running = False
            self._steps(arg)
            self._publish(force=True, slow=True)
        elif kind == "call":
            arg(self.trainer)
            self._publish(force=True, slow=True)
        elif kind == "snapshot":
            self._publish(force=True, slow=True)

    def _steps(self, n: int) -> bool:
        """Take ``n`` steps; False (and paused, with ``diverged`` sent) if the loss blew up."""
        from engine import DivergenceError

        try:
            result = self.trainer.step(n)
        except DivergenceError as exc:
            self._running = False
            self._record_partial()
            self.diverged.emit(sentence(exc))
            self.stateChanged.emit("paused")
            self._publish(force=True, slow=True)
            return False
        # a pause can end the chunk early (request_stop): count what was done
        self.steps_taken += int(result.get("steps_done", n))
        self._recorded_step = int(result.get("step", self._recorded_step))
        self.builder.record(result)
        return True

    def _record_partial(self) -> None:
        """After a divergence, note the good steps the trainer kept before the bad one."""
        last = getattr(self.trainer, "last_result", None)
        if last and last.get("step", 0) > self._recorded_step:
            self.steps_taken += int(last.get("steps_done", 0))
            self._recorded_step = int(last["step"])
            self.builder.record(last)

    def _train_chunk(self) -> None:
        if not self._acked:
            # a snapshot sent while paused (or by a command) is still being drawn: let the
            # GUI have the interpreter first, or every Python call it makes while drawing
            # waits out the worker's switch interval and the picture takes seconds
            self._wait_for_ack()
            if not self._running or self._cancelled or not self._commands.empty():
                return
        n = self._chunk
        if self._speed is not None:
            # small chunks when paced, so a slow speed still looks continuous
            n = max(1, min(n, int(self._speed * 0.05)))
        if self.max_steps is not None:
            n = max(0, min(n, self.max_steps - self.steps_taken))
            if n == 0:
                self._running = False
                self.stateChanged.emit("paused")
                self._publish(force=True, slow=True)
                return
        t0 = time.perf_counter()
        if not self._steps(n):
            return
        dt = time.perf_counter() - t0
        if self._speed is None:
            self._chunk = self._plan_chunk(n, dt)
        else:
            self._chunk = n
            deadline = t0 + n / self._speed
            # paced: sleep off the rest of this chunk's share of time, waking for any command
            while self._running and not self._cancelled and self._commands.empty():
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    break
                self._wake.clear()
                self._wake.wait(min(remaining, 0.05))
        if self._publish():
            self._wait_for_ack()

    def _plan_chunk(self, n: int, dt: float) -> int:
        """The next chunk's size from the recent ones, modelled as dt = a + b·n.

        ``Trainer.step(n)`` evaluates the test set once per call (a) on top of the steps
        (b each). Chunks are made long enough that a costs at most ``OVERHEAD_SHARE`` and
        the steps at least ``CHUNK_SECONDS``, and short enough to stay under
        ``MAX_CHUNK_SECONDS`` (a pause cuts a chunk short anyway).
        """
        self._timings = (self._timings + [(n, dt)])[-8:]
        sizes = {s for s, _ in self._timings}
        if len(sizes) < 2:
            return min(MAX_CHUNK, 2 * n)  # explore: a second size lets a and b be told apart
        ns = np.array([s for s, _ in self._timings], float)
        ts = np.array([t for _, t in self._timings], float)
        b, a = np.polyfit(ns, ts, 1)
        b = max(b, 1e-6)
        a = max(a, 0.0)
        want = max(CHUNK_SECONDS / b, a * (1 - OVERHEAD_SHARE) / OVERHEAD_SHARE / b)
        want = min(want, max(1.0, (MAX_CHUNK_SECONDS - a) / b))
        # change gradually: timings are noisy
        want = min(max(want, n / 2), n * 2)
        return int(max(1, min(MAX_CHUNK, round(want))))

    def _wait_for_ack(self) -> None:
        """Leave the GIL to the GUI while it draws the snapshot just sent (see the module docstring)."""
        # a GUI that never answers must not stop training for good: wait at most
        # ACK_TIMEOUT after the snapshot went out
        deadline = self._last_emit + ACK_TIMEOUT
        while not self._acked and self._running and not self._cancelled and self._commands.empty():
            if time.perf_counter() > deadline:
                break
            self._wake.clear()
            if self._acked:
                break
            self._wake.wait(0.05)
        self._last_emit = time.perf_counter()  # the next interval counts from the end of drawing

    def _publish(self, force: bool = False, slow=None) -> bool:
        now = time.perf_counter()
        interval = max(1.0 / self.max_rate, self._draw_seconds)
        if not force and (not self._acked or now - self._last_emit < interval):
            return False
        snap = self.builder.build(slow=slow)
        snap["token"] = self.token
        snap["running"] = self._running
        self._acked = False
        self._last_emit = time.perf_counter()
        self.snapshots_sent += 1
        self.snapshot.emit(snap)
        return True
