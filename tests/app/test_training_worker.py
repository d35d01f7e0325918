"""The training worker: trains on its thread, pauses, steps, cancels, reports divergence and failure.

Waits are on GUI-thread state (``qtbot.waitUntil``), never on signals emitted from the
worker thread, and every test listens to ``failed``.
"""

import numpy as np
import pytest
from PySide6.QtCore import QObject, QThread, Slot

from app.lab_snapshot import SnapshotBuilder
from app import training_worker as tw
from app.training_worker import TrainingWorker
from engine import Model, NetworkSpec, Trainer, datasets

XOR = {"input": [2], "layers": [{"type": "dense", "units": 4, "activation": "tanh"},
                                {"type": "dense", "units": 1, "activation": "sigmoid"}], "loss": "bce"}
LINE = {"input": [1], "layers": [{"type": "dense", "units": 1, "activation": "linear"}], "loss": "mse"}


class Receiver(QObject):
    """Lives on the GUI thread: what a panel would do with the worker's signals."""

    def __init__(self, worker, auto_ack=True):
        super().__init__()
        self.worker = worker
        self.auto_ack = auto_ack
        self.snapshots = []
        self.states = []
        self.diverged = []
        self.failed = []
        self.finished = False

    @Slot(object)
    def on_snapshot(self, snap):
        self.snapshots.append(snap)
        if self.auto_ack:
            self.worker.ack()

    @Slot(str)
    def on_state(self, state):
        self.states.append(state)

    @Slot(str)
    def on_diverged(self, text):
        self.diverged.append(text)

    @Slot(str)
    def on_failed(self, text):
        self.failed.append(text)

    @Slot()
    def on_finished(self):
        self.finished = True


def make(qtbot, spec=XOR, name="xor", optimizer=None, max_steps=None, auto_ack=True):
    data = datasets.load(name, n=200, seed=0)
    model = Model(NetworkSpec.from_dict(spec), seed=0)
    trainer = Trainer(model, data, optimizer=optimizer or {"type": "adam", "lr": 0.03}, batch_size=10, seed=0)
    builder = SnapshotBuilder(model, data)
    worker = TrainingWorker(trainer, builder, max_steps=max_steps)
    thread = QThread()
    worker.moveToThread(thread)
    receiver = Receiver(worker, auto_ack)
    thread.started.connect(worker.run)
    worker.finished.connect(thread.quit)
    worker.snapshot.connect(receiver.on_snapshot)
    worker.stateChanged.connect(receiver.on_state)
    worker.diverged.connect(receiver.on_diverged)
    worker.failed.connect(receiver.on_failed)
    worker.finished.connect(receiver.on_finished)
    thread.start()
    return worker, thread, receiver, model


@pytest.fixture
def rig(qtbot):
    made = []

    def factory(**kw):
        made.append(make(qtbot, **kw))
        return made[-1]
    yield factory
    for worker, thread, receiver, _ in made:
        worker.cancel()
        thread.quit()
        assert thread.wait(20000)


def test_sends_a_snapshot_at_start_and_trains_on_resume(qtbot, rig):
    worker, thread, rx, _ = rig()
    qtbot.waitUntil(lambda: len(rx.snapshots) >= 1, timeout=20000)
    assert rx.snapshots[0]["step"] == 0
    worker.resume()
    qtbot.waitUntil(lambda: rx.snapshots[-1]["step"] >= 20, timeout=30000)
    snap = rx.snapshots[-1]
    assert snap["history"]["train_loss"].size >= 1
    assert isinstance(snap["params"]["0.W"], np.ndarray)
    assert snap["grid"].shape == (100, 100)
    assert rx.failed == []


def test_training_waits_until_the_gui_has_drawn_the_snapshot(qtbot, rig, monkeypatch):
    # a GUI drawing while the worker trains gets the interpreter only every switch
    # interval per Python call: the first picture could take a minute (a CI failure)
    monkeypatch.setattr(tw, "ACK_TIMEOUT", 60.0)
    worker, thread, rx, _ = rig(auto_ack=False)
    qtbot.waitUntil(lambda: len(rx.snapshots) >= 1, timeout=20000)
    worker.resume()
    qtbot.wait(300)
    assert worker.steps_taken == 0
    worker.ack()
    qtbot.waitUntil(lambda: worker.steps_taken > 0, timeout=30000)
    assert rx.failed == []


def test_a_gui_that_never_draws_does_not_stop_training(qtbot, rig, monkeypatch):
    monkeypatch.setattr(tw, "ACK_TIMEOUT", 0.2)
    worker, thread, rx, _ = rig(auto_ack=False)
    qtbot.waitUntil(lambda: len(rx.snapshots) >= 1, timeout=20000)
    worker.resume()
    qtbot.waitUntil(lambda: worker.steps_taken > 0, timeout=30000)
    assert rx.failed == []


def test_pause_stops_the_steps(qtbot, rig):
    worker, thread, rx, _ = rig()
    worker.resume()
    qtbot.waitUntil(lambda: bool(rx.snapshots) and rx.snapshots[-1]["step"] > 0, timeout=30000)
    worker.pause()
    qtbot.waitUntil(lambda: "paused" in rx.states, timeout=10000)
    taken = worker.steps_taken
    qtbot.wait(400)
    assert worker.steps_taken == taken
    assert not worker.is_running()
    assert rx.failed == []


def test_step_once_takes_exactly_one_step(qtbot, rig):
    worker, thread, rx, _ = rig()
    qtbot.waitUntil(lambda: len(rx.snapshots) >= 1, timeout=20000)
    worker.step_once(1)
    qtbot.waitUntil(lambda: rx.snapshots[-1]["step"] == 1, timeout=20000)
    qtbot.wait(200)
    assert worker.steps_taken == 1
    assert rx.failed == []


def test_cancel_ends_the_thread_cleanly(qtbot, rig):
    worker, thread, rx, _ = rig()
    worker.resume()
    qtbot.waitUntil(lambda: worker.steps_taken > 0, timeout=30000)
    worker.cancel()
    qtbot.waitUntil(lambda: rx.finished, timeout=10000)
    assert thread.wait(10000)
    assert rx.states[-1] == "finished"
    assert rx.failed == []


def test_snapshots_come_at_most_about_thirty_a_second(qtbot, rig):
    worker, thread, rx, _ = rig()
    qtbot.waitUntil(lambda: len(rx.snapshots) >= 1, timeout=20000)
    worker.resume()
    qtbot.waitUntil(lambda: worker.steps_taken > 0, timeout=30000)
    before = len(rx.snapshots)
    qtbot.wait(1000)
    # the limit is 30 a second; allow for one forced snapshot and timer slack
    assert len(rx.snapshots) - before <= 33


def test_a_posted_weight_edit_changes_the_model(qtbot, rig):
    worker, thread, rx, model = rig()
    qtbot.waitUntil(lambda: len(rx.snapshots) >= 1, timeout=20000)

    def edit(trainer):
        w = trainer.model.params()["0.W"]
        w[1, 0] = 2.5
        trainer.model.set_params({"0.W": w})
    worker.post(edit)
    qtbot.waitUntil(lambda: rx.snapshots[-1]["params"]["0.W"][1, 0] == pytest.approx(2.5), timeout=20000)


def test_divergence_pauses_with_the_engine_sentence(qtbot, rig):
    worker, thread, rx, model = rig(spec=LINE, name="linear", optimizer={"type": "sgd", "lr": 1e6})
    worker.resume()
    qtbot.waitUntil(lambda: bool(rx.diverged), timeout=30000)
    assert rx.diverged[0].strip()
    qtbot.waitUntil(lambda: "paused" in rx.states, timeout=10000)
    assert not worker.is_running()
    assert rx.failed == []
    worker.cancel()
    thread.quit()
    assert thread.wait(10000)
    assert all(np.isfinite(v).all() for v in model.params().values())


def test_an_unexpected_error_is_reported_and_ends_the_worker(qtbot, rig):
    worker, thread, rx, _ = rig()
    qtbot.waitUntil(lambda: len(rx.snapshots) >= 1, timeout=20000)

    def boom(trainer):
        raise RuntimeError("The device went away.")
    worker.post(boom)
    qtbot.waitUntil(lambda: bool(rx.failed) and rx.finished, timeout=20000)
    assert rx.failed == ["The device went away."]


def test_max_steps_pauses_the_run(qtbot, rig):
    worker, thread, rx, _ = rig(max_steps=15)
    worker.resume()
    qtbot.waitUntil(lambda: "paused" in rx.states, timeout=30000)
    assert worker.steps_taken == 15
    assert rx.failed == []


def test_speed_paces_the_steps(qtbot, rig):
    worker, thread, rx, _ = rig()
    worker.set_speed(20)
    qtbot.waitUntil(lambda: len(rx.snapshots) >= 1, timeout=20000)
    worker.resume()
    qtbot.waitUntil(lambda: worker.steps_taken >= 1, timeout=20000)
    start = worker.steps_taken
    qtbot.wait(1000)
    # about 20 in a second; far fewer than the hundreds it takes unpaced
    assert 5 <= worker.steps_taken - start <= 40
    assert rx.failed == []
