"""The step inspector's controller: walks one training step of the network lab op by op.

``StepInspector(panel, view)`` owns a step-through session of ``Trainer.trace()`` for the
``NetworkLabPanel`` ``panel`` and draws it in the ``ui.inspector_panel.InspectorPanel``
``view``; it highlights the layer on the panel's canvas and colours the canvas's links.

Threading. The trace generator lives where the trainer lives: while the panel has a
training worker, every ``next()`` on it runs in a job posted to that worker thread
(``panel.run_on_trainer``), so the OpenCL queue is only ever used from one thread and
the GUI thread never waits. A job sends copies of the ``TraceStep``s back through a
queued signal; the GUI keeps them in a history, so stepping back (and forward again
over steps already seen) shows the stored steps and recomputes nothing. The first job
pulls every forward, loss and backward operation at once (the engine computed them all
in its first pass); each update step is pulled when asked for, because yielding it
applies that parameter's update. Training is paused while a session is open; pressing
Train (or Step, or editing a weight) undoes the unfinished trace, as the engine does.

The worker sends the lab a snapshot after each job, and building one computes gradients
for the histograms; the engine's trace keeps its own copy of the batch's gradients, so
a traced step stays equal to ``Trainer.step(1)`` all the same.

Keys (the view's shortcuts): → or N next, ← or P back, End or F to the end of the
phase, Home or R restart the batch (the next batch once the step is complete), Esc close.

``open_demo(panel, preset, ...)`` opens the inspector mid-trace for ``--demo`` and
screenshots; ``save_demo_screenshot`` renders one to a PNG.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, Signal

from app.training_worker import sentence
from engine.explain import fmt, matmul_steps
from engine.layers.base import sup
from ui.inspector_formula import math_html

#: arrays with the batch as their first axis (a sample can be picked out of them)
BATCH_KEYS = {"a_prev", "z", "a", "delta", "da", "da_prev", "mask", "x_t", "h_prev", "z_t", "h_t", "dh",
              "output", "target", "logits", "per_sample", "grad"}
GRAD_KEYS = {"dW": "W", "dW_xh": "W_xh", "dW_hh": "W_hh"}
KIND_WORDS = {"dense": "dense layer", "conv2d": "convolution", "maxpool2d": "max pooling",
              "avgpool2d": "average pooling", "flatten": "flatten", "rnn": "recurrent layer", "dropout": "dropout",
              "loss": "loss"}
ACTIVATION_TEXT = {
    "linear": "The identity: a = z, nothing changes.",
    "relu": "ReLU keeps positive values and turns negative ones into 0.",
    "leaky_relu": "Leaky ReLU keeps positive values and multiplies negative ones by 0.01.",
    "tanh": "tanh squashes every value into the range −1 … 1.",
    "sigmoid": "The sigmoid σ squashes every value into 0 … 1, read as a probability.",
    "softmax": "Softmax turns each row into probabilities over the classes that add up to 1.",
}
LINK_NOTES = {
    "forward": "Canvas links: the weights (red positive, blue negative, thicker = larger).",
    "loss": "Canvas links: the weights (red positive, blue negative, thicker = larger).",
    "backward": "Canvas links now show ∂J/∂W, the gradient of each weight (red positive, blue negative, thicker = "
                "larger); layers the backward pass has not reached yet are faint.",
    "update": "Canvas links now show how much each weight changed in this update (after − before); parameters "
              "not updated yet are faint.",
}


def _copy_step(step):
    """A TraceStep with its own copies of the arrays (they cross to the GUI thread)."""
    from engine.trace import TraceStep

    arrays = {k: np.array(v, copy=True) for k, v in step.arrays.items()}
    return TraceStep(step.phase, step.layer, step.layer_name, step.op, step.formula, arrays, step.index, step.param)


class _TraceSession:
    """The worker-thread side of a session: the trace generator and where it stands.

    Only jobs on the trainer's thread call its methods.
    """

    def __init__(self, trainer, builder, token: int):
        self.trainer = trainer
        self.builder = builder
        self.token = token
        self.gen = None
        self.finished = False
        self.closed = False
        names = list(trainer.model.param_arrays)
        self.first_param_layer = min(int(n.split(".", 1)[0]) for n in names) if names else 0
        self.n_params = len(names)
        self.updates = 0

    def is_backward_end(self, step) -> bool:
        """True for the last backward operation (the first layer with parameters: its bias gradient)."""
        return step.phase == "backward" and step.layer == self.first_param_layer and step.op in ("∂b", "∂b_h")

    def pull(self, mode: str, count: int = 1, phase: str | None = None):
        """Advance the trace: "prefetch" up to the end of backward, "count" ``count`` steps, or
        "phase" while steps are in ``phase``. Returns (steps, finished, result)."""
        if self.closed or self.finished:
            return [], self.finished, None
        if self.gen is None:
            self.gen = self.trainer.trace()
        out, result = [], None
        try:
            while True:
                step = next(self.gen)
                out.append(_copy_step(step))
                if step.phase == "update":
                    self.updates += 1
                    if self.updates == self.n_params:
                        next(self.gen)  # the last update: finish the step with it (raises StopIteration)
                if mode == "count" and len(out) >= count:
                    break
                if mode == "prefetch" and self.is_backward_end(step):
                    break
                if mode == "phase" and step.phase != phase:
                    break
        except StopIteration as stop:
            self.finished = True
            self.gen = None
            result = stop.value
            if self.builder is not None and result:
                self.builder.record(result)  # the lab's step counter and loss curve take the step
        except BaseException:
            self.gen = None  # the engine put everything back (divergence) or the trace is broken
            self.finished = True
            raise
        return out, self.finished, result

    def close(self) -> None:
        """Undo an unfinished trace (the engine restores the parameters and optimizer)."""
        self.closed = True
        gen, self.gen = self.gen, None
        if gen is not None:
            gen.close()


class StepInspector(QObject):
    """Controls the step-through of one training step (see the module docstring).

    ``open()`` shows the inspector and starts tracing the next batch; ``forward()``,
    ``back()``, ``run_to_phase_end()``, ``restart()`` and ``close()`` are the buttons;
    ``select_sample(i)`` picks a sample (−1: the whole batch). ``history()``,
    ``position()`` and ``current_step()`` say what is shown; ``busy()`` is True while a
    job is on its way.
    """

    _arrived = Signal(object)

    def __init__(self, panel, view):
        super().__init__(view)
        self.panel = panel
        self.view = view
        self._session: _TraceSession | None = None
        self._token = 0
        self._steps: list = []
        self._pos = -1
        self._finished = False
        self._result = None
        self._pending = None
        self._busy = False
        self._prefetched = False
        self._sample = -1
        self._cells: dict = {}
        self._dot_problem = None
        self._open = False
        self._dead_reason: str | None = None

        self._arrived.connect(self._on_arrived)
        view.nextRequested.connect(self.forward)
        view.backRequested.connect(self.back)
        view.phaseEndRequested.connect(self.run_to_phase_end)
        view.restartRequested.connect(self.restart)
        view.closeRequested.connect(self.close)
        view.sampleChanged.connect(self.select_sample)
        view.cellClicked.connect(self._cell_clicked)
        view.pixelChosen.connect(self._pixel_chosen)
        view.timeStepClicked.connect(self._time_step_clicked)
        view.walkRequested.connect(self._walk)
        view.widthChanged.connect(self._relayout)
        # anything that trains or edits the weights undoes an open trace: say so, and let go of it
        panel.controls.playToggled.connect(lambda on: on and self._training_resumed())
        panel.controls.stepRequested.connect(self._training_resumed)
        panel.canvas.weightEdited.connect(lambda *_: self._abandon(
            "A weight was edited, so the step-through was undone. Press Restart (Home) to step through again."))
        app = QCoreApplication.instance()
        if app is not None:
            # close an open trace while the trainer's thread still runs, not in a late garbage collection
            app.aboutToQuit.connect(self._end_session)

    # ------------------------------------------------------------------ public API

    def is_open(self) -> bool:
        """True while the inspector shows."""
        return self._open

    def busy(self) -> bool:
        """True while a job on the trainer's thread is on its way."""
        return self._busy

    def history(self) -> list:
        """Every TraceStep received so far, in order."""
        return list(self._steps)

    def position(self) -> int:
        """The index of the step shown (−1: none yet)."""
        return self._pos

    def current_step(self):
        """The TraceStep shown, or None."""
        return self._steps[self._pos] if 0 <= self._pos < len(self._steps) else None

    def finished(self) -> bool:
        """True once the traced step is complete (its updates applied, the batch consumed)."""
        return self._finished

    def result(self):
        """The metrics dict the finished step returned (as ``Trainer.step(1)``), or None."""
        return self._result

    def sample(self) -> int:
        """The sample shown (−1: the whole batch)."""
        return self._sample

    def open(self) -> None:
        """Show the inspector and trace the next batch (training pauses)."""
        self._open = True
        self.panel.show_inspector(True)
        if self._session is None or self._session.trainer is not self.panel.trainer or self._dead_reason:
            self.restart()
        else:
            self._render()

    def close(self) -> None:
        """Hide the inspector; an unfinished step is undone, the canvas shows the weights again."""
        self._open = False
        self._end_session()
        self._steps, self._pos, self._pending, self._busy = [], -1, None, False
        self.panel.show_inspector(False)
        self._highlight(None)
        self._refresh_links()

    def restart(self) -> None:
        """Trace the batch again from its first operation (undoing what was applied), or, once
        the step is complete, trace the next batch."""
        if self.panel.trainer is None:
            self.view.set_message("There is no network to step through: build one first.", error=True)
            return
        self.panel.pause()
        self._end_session()
        self._token += 1
        self._session = _TraceSession(self.panel.trainer, self.panel.builder, self._token)
        self._steps, self._pos, self._finished, self._result = [], -1, False, None
        self._prefetched, self._cells, self._dead_reason = False, {}, None
        self._pending = ("goto", 0)
        self.view.set_message("Running the batch forward and backward once…")
        self._post("prefetch")
        self._render()

    def forward(self) -> None:
        """Show the next operation (fetching it from the trainer if it is an update not applied yet)."""
        if self._blocked():
            return
        if self._pos + 1 < len(self._steps):
            self._show(self._pos + 1)
        elif not self._finished:
            self._pending = ("goto", self._pos + 1)
            self._post("count", count=1)
        else:
            self.view.set_message("This training step is complete: its updates are in the weights and the batch "
                                  "is used. Press Next batch (Home or R) to step through the next one.")

    def back(self) -> None:
        """Show the previous operation (as stored: nothing is recomputed)."""
        if self._pos > 0:
            self._show(self._pos - 1)

    def goto(self, index: int) -> None:
        """Show operation ``index`` (fetching update steps up to it if needed; while a fetch is
        under way, it goes there once the steps arrive)."""
        index = max(0, int(index))
        if self._busy and self._session is not None:
            self._pending = ("goto", index)
            return
        if self._blocked(allow_dead=index < len(self._steps)):
            return
        if index < len(self._steps):
            self._show(index)
        elif not self._finished:
            self._pending = ("goto", index)
            self._post("count", count=index - len(self._steps) + 1)

    def run_to_phase_end(self) -> None:
        """Go to the last operation of this phase; at its end already, to the end of the next phase."""
        if self._blocked() or self._pos < 0:
            return
        end = self._phase_end(self._pos)
        if end is not None and end > self._pos:
            self._show(end)
            return
        if end is None:
            phase = self._steps[self._pos].phase
            self._pending = ("phase_end", phase)
            self._post("phase", phase=phase)
            return
        # at the end of this phase: on to the end of the next one
        if self._pos + 1 < len(self._steps):
            nxt = self._phase_end(self._pos + 1)
            if nxt is not None:
                self._show(nxt)
                return
            phase = self._steps[self._pos + 1].phase
        elif self._finished:
            self.forward()  # says the step is complete
            return
        else:
            phase = "update"
        self._pending = ("phase_end", phase)
        self._post("phase", phase=phase)

    def _phase_end(self, i: int):
        """The index of the last step of step i's phase, or None when more of it is still to come."""
        phase = self._steps[i].phase
        j = i
        while j + 1 < len(self._steps) and self._steps[j + 1].phase == phase:
            j += 1
        if j + 1 < len(self._steps) or self._finished:
            return j
        session = self._session
        if phase == "backward" and session is not None and session.is_backward_end(self._steps[j]):
            return j
        return None

    def select_sample(self, sample: int) -> None:
        """Show one sample of the batch (0-based) or the whole batch (−1)."""
        n = self._batch_size()
        self._sample = int(sample) if 0 <= int(sample) < n else -1
        self._cells = {}  # a cell of the batch matrix is another cell of one sample's vector
        if self.view.sample() != self._sample:
            self.view.set_samples(n, self._sample)
        self._render()

    def link_values(self, params: dict) -> dict:
        """What the canvas's links should show for the lab's ``params``: the weights, or while a
        backward or update step is shown, the gradients or the changes (the lab calls this
        before drawing a snapshot's weights)."""
        if self._open and self._session is not None and self._session.trainer is not self.panel.trainer:
            self._check_trainer()
            return params
        step = self.current_step()
        if not self._open or step is None or step.phase in ("forward", "loss"):
            return params
        shown = self._steps[: self._pos + 1]
        values = {name: np.zeros_like(np.asarray(w, dtype=np.float64)) for name, w in params.items()}
        if step.phase == "backward":
            for s in shown:
                if s.phase != "backward":
                    continue
                for key, local in GRAD_KEYS.items():
                    name = f"{s.layer}.{local}"
                    if key in s.arrays and name in values:
                        values[name] = s.arrays[key]
        else:
            for s in shown:
                if s.phase == "update" and s.param in values:
                    values[s.param] = s.arrays["after"] - s.arrays["before"]
        return values

    # ------------------------------------------------------------------ jobs

    def _post(self, mode: str, count: int = 1, phase: str | None = None) -> None:
        session, token = self._session, self._token
        if session is None:
            return
        self._busy = True
        self._update_controls()

        def job(_trainer, session=session, token=token):
            # on the trainer's thread
            payload = {"token": token, "mode": mode}
            try:
                steps, finished, result = session.pull(mode, count, phase)
                payload.update(steps=steps, finished=finished, result=result)
            except Exception as exc:  # divergence or a broken trace: the sentence goes to the inspector
                payload.update(steps=[], finished=True, result=None, error=sentence(exc))
            self._arrived.emit(payload)

        self.panel.run_on_trainer(job)

    def _end_session(self) -> None:
        """Let go of the session: its trace is closed (undone if unfinished) on the trainer's thread."""
        session, self._session = self._session, None
        self._token += 1  # results still on their way are for the old session
        self._busy = False
        if session is None or session.closed:
            return
        if self.panel.worker is None and session.trainer is not self.panel.trainer:
            session.close()  # an old network with no thread of its own: nobody else is using it
        else:
            # on the worker (one user of the device queue at a time, even for an old trainer on the same
            # device); without one, here, followed by a snapshot that shows the undone weights
            self.panel.run_on_trainer(lambda _tr, s=session: s.close())

    def _on_arrived(self, payload: dict) -> None:
        if payload.get("token") != self._token:
            return
        self._busy = False
        self._steps.extend(payload["steps"])
        if payload.get("mode") == "prefetch":
            self._prefetched = True
            self.view.set_samples(self._batch_size(), self._sample)
        if payload["finished"]:
            self._finished = True
            self._result = payload["result"]
        error = payload.get("error")
        pending, self._pending = self._pending, None
        target = self._pos
        if pending is not None and self._steps:
            kind, arg = pending
            if kind == "goto" and arg >= len(self._steps) and not self._finished and not error:
                # further than this fetch reached (an update step): fetch on to it
                self._pending = pending
                self._post("count", count=arg - len(self._steps) + 1)
                return
            if kind == "goto":
                target = min(arg, len(self._steps) - 1)
            elif kind == "phase_end":
                same = [i for i, s in enumerate(self._steps) if s.phase == arg]
                target = same[-1] if same else len(self._steps) - 1
        if error:
            self.view.set_message(f"The step could not go on: {error} Press Restart (Home) to try again.",
                                  error=True)
        elif self._finished and target == len(self._steps) - 1:
            self.view.set_message(self._finished_text())
        else:
            self.view.set_message(None)
        if target >= 0:
            self._show(target, keep_message=True)
        else:
            self._render()

    # ------------------------------------------------------------------ reactions

    def _training_resumed(self) -> None:
        if self._finished:
            self._abandon("Training went on. Press Next batch (Home or R) to step through the batch after it.")
        else:
            self._abandon("Training went on, so this step-through was undone (the weights are as they were "
                          "before it). Press Restart (Home or R) to step through the next batch.")

    def _check_trainer(self) -> None:
        """Follow a rebuilt network (a preset, a setting, Reset): the old trace is let go, a new one begins."""
        if self._session is not None and self._session.trainer is not self.panel.trainer:
            self._abandon(None)
            if self._open:
                self.restart()

    def _abandon(self, reason: str | None) -> None:
        if self._session is None:
            return
        self._end_session()
        self._dead_reason = reason or "The network changed."
        self._pending = None
        if reason:
            self.view.set_message(reason, error=True)
        self._update_controls()
        self._refresh_links()

    def _blocked(self, allow_dead: bool = False) -> bool:
        self._check_trainer()
        if self._busy:
            return True
        if self._session is None and not allow_dead:
            if self._dead_reason:
                self.view.set_message(self._dead_reason, error=True)
            return True
        return False

    def _cell_clicked(self, key: str, index: tuple) -> None:
        step = self.current_step()
        if step is None:
            return
        self._cells[self._pos] = (key, tuple(index))
        self._render_dot(step)  # the arrays stay as they are; only the marks and the sum change

    def _pixel_chosen(self, f: int, i: int, j: int) -> None:
        self._cells[self._pos] = ("pixel", (int(f), int(i), int(j)))
        self._render_special_detail()

    def _time_step_clicked(self, phase: str, t: int) -> None:
        step = self.current_step()
        if step is None:
            return
        want = f"step t={t}" if phase == "forward" else f"bptt t={t}"
        for i, s in enumerate(self._steps):
            if s.layer == step.layer and s.op == want:
                self._show(i)
                return

    def _relayout(self) -> None:
        if self._open and self.current_step() is not None and not self.view.stepper_open():
            self._render()

    def _walk(self) -> None:
        if self._dot_problem is None:
            return
        a, b, c, names, cell = self._dot_problem
        self.view.open_stepper(a, b, c, matmul_steps(a, b, names), names, cell)

    # ------------------------------------------------------------------ drawing

    def _show(self, index: int, keep_message: bool = False) -> None:
        self._pos = index
        if not keep_message and not self._finished:
            self.view.set_message(None)
        if self.view.stepper_open():
            self.view.close_stepper()
        self._render()

    def _update_controls(self) -> None:
        can_back = self._pos > 0
        can_next = self._session is not None and (self._pos + 1 < len(self._steps) or not self._finished)
        self.view.set_controls(can_back, can_next, "⟲ Next batch" if self._finished else "⟲ Restart batch",
                               busy=self._busy)

    def _render(self) -> None:
        self._update_controls()
        step = self.current_step()
        if step is None:
            self.view.set_position("Waiting for the trainer…" if self._busy else "", "")
            self.view.set_formula("", "", "", "")
            self.view.set_matrices([])
            self.view.show_special(None)
            self.view.set_dot("")
            self.view.set_links_note("")
            return
        self.view.set_position(self._position_text(step), step.phase)
        self.view.set_formula(step.phase, self._title(step), step.formula, self._explanation(step))
        self._dot_problem = None
        self.view.set_dot("")
        self._render_body(step)
        self._highlight(step.layer if step.layer >= 0 else len(self._layers()) - 1)
        self.view.set_links_note(LINK_NOTES.get(step.phase, ""))
        self._refresh_links()

    def _refresh_links(self) -> None:
        latest = self.panel.latest
        if latest is not None and latest.get("params") is not None:
            self.panel.canvas.set_params(self.link_values(latest["params"]))

    def _highlight(self, layer) -> None:
        canvas = self.panel.canvas
        canvas.set_highlight(layer)
        # set_highlight outlines neuron columns and blocks; an RNN's units sit in its cell item
        for i in range(-1, len(self._layers())):
            for node in canvas.neurons(i):
                node.set_highlight(layer is not None and i == layer)

    def highlighted_layer(self):
        """The layer outlined on the canvas (None: none)."""
        step = self.current_step()
        if not self._open or step is None:
            return None
        return step.layer if step.layer >= 0 else len(self._layers()) - 1

    # ------------------------------------------------------------------ text

    def _layers(self) -> list:
        return list(self.panel.spec.layers) if self.panel.spec is not None else []

    def _total(self) -> int | None:
        if self._finished:
            return len(self._steps)
        if not self._prefetched:
            return None
        n_params = len(self.panel.trainer.model.param_arrays) if self.panel.trainer is not None else 0
        applied = sum(1 for s in self._steps if s.phase == "update")
        return len(self._steps) + n_params - applied

    def _position_text(self, step) -> str:
        total = self._total()
        of = f" of {total}" if total else ""
        where = "the loss" if step.layer < 0 else f"layer {step.layer + 1}"
        return f"Operation {self._pos + 1}{of} · {where} · {self._op_word(step)}"

    def _op_word(self, step) -> str:
        op = step.op
        words = {"matmul": "weighted sums", "bias": "add the bias", "activation": "activation",
                 "activation'": "through the activation", "∂W": "weight gradient", "∂b": "bias gradient",
                 "∂a_prev": "gradient to the layer before", "conv2d": "convolution", "maxpool": "max pooling",
                 "avgpool": "average pooling", "flatten": "flatten", "dropout": "dropout",
                 "∂W_xh": "input weight gradient", "∂W_hh": "recurrent weight gradient", "∂b_h": "bias gradient"}
        if op.startswith("step t="):
            return f"time step {op[7:]}"
        if op.startswith("bptt t="):
            return f"back through time, step {op[7:]}"
        if op.startswith("update "):
            return f"update {op[7:]}"
        if step.phase == "loss":
            return {"softmax_ce": "softmax cross-entropy", "bce": "binary cross-entropy",
                    "mse": "mean squared error"}.get(op, op)
        return words.get(op, op)

    def _title(self, step) -> str:
        if step.layer < 0:
            return f"The loss: {self._op_word(step)}"
        kind = KIND_WORDS.get(step.layer_name, step.layer_name)
        return f"Layer {step.layer + 1} ({kind}): {self._op_word(step)}"

    def _explanation(self, step) -> str:
        op, layers = step.op, self._layers()
        spec = layers[step.layer] if 0 <= step.layer < len(layers) else None
        act = getattr(spec, "activation", None)
        n = self._batch_size()
        if step.phase == "update":
            return ("The optimiser moves this parameter a small step against its gradient. Shown: the values "
                    "before, the gradient, the optimiser's memory and the values after.")
        if step.phase == "loss":
            return ("How wrong the network is on this batch: the mean of the samples' losses. Its gradient starts "
                    "the backward pass.")
        if op == "matmul":
            return ("Each neuron adds up its inputs, each times its weight: row i of W dotted with the input gives "
                    "zᵢ. <b>Click a cell of z</b> to see its sum written out.")
        if op == "bias":
            return "Each neuron (or filter) adds its own bias, the same for every sample and position."
        if op == "activation":
            return ACTIVATION_TEXT.get(act, "The activation function is applied to every value.")
        if op == "activation'":
            if "da" not in step.arrays:
                return ("The loss and the output activation together give ∂J/∂z directly: (prediction − target) "
                        f"divided by the batch size ({n}).")
            return ("Back through the activation: each incoming gradient ∂J/∂a is multiplied by the slope f′(z) "
                    "of the activation at that value.")
        if op == "∂W" and step.layer_name == "dense":
            return (f"Each weight's gradient adds up, over the {n} samples, the δ of its neuron times the input it "
                    "multiplies. <b>Click a cell of ∂J/∂W</b> to see the sum.")
        if op == "∂W":
            return (f"Each kernel weight's gradient adds up δ times the input it touched, over every position and "
                    f"the {n} samples.")
        if op in ("∂b", "∂b_h"):
            return f"A bias's gradient is the sum of its neuron's δ over the batch ({n} samples)."
        if op == "∂a_prev":
            return ("The gradient flows on to the layer before, back through the same weights (transposed). "
                    + ("<b>Click a cell</b> to see the sum." if step.layer_name == "dense" else ""))
        if op == "conv2d":
            return ("Each filter's kernel slides over the input; at each position the window and the kernel are "
                    "multiplied entry by entry and added up. <b>Click an output pixel</b> to see it.")
        if op in ("maxpool", "avgpool"):
            return "Each window of the input is reduced to one value. <b>Click an output value</b> to see its window."
        if op == "flatten":
            return "The maps are laid out as one long row per sample, for the dense layer after it."
        if op == "dropout":
            return "Dropout zeroes random values while training (and scales the rest), so no neuron is relied on alone."
        if op.startswith("step t="):
            return ("The recurrent cell reads x<sub>t</sub> and its own previous state h<sub>t−1</sub>: the same "
                    "weights at every time "
                    "step. The timeline fills from the left; <b>click a box</b> to go to that step.")
        if op.startswith("bptt t="):
            return ("Back-propagation through time: the gradient flows from the last step to the first, each step "
                    "passing W<sub>hh</sub>ᵀ·δ back to the one before. Watch it fade (or grow) along the lower "
                    "row.")
        if op in ("∂W_xh", "∂W_hh"):
            return "The shared weights' gradient adds up the contributions of every time step."
        return ""

    def _finished_text(self) -> str:
        r = self._result or {}
        loss = r.get("train_loss")
        text = "The step is complete: every parameter is updated, as one press of Step would."
        if loss is not None:
            text += f" The batch's loss was {fmt(loss)}"
            if r.get("test_loss") is not None:
                text += f"; the test loss is now {fmt(r['test_loss'])}"
            text += "."
        return text + " Press Next batch (Home or R) to go on."

    # ------------------------------------------------------------------ arrays

    def _batch_size(self) -> int:
        for s in self._steps:
            for key in ("a_prev", "x_t", "output"):
                if key in s.arrays and np.ndim(s.arrays[key]) >= 1:
                    return int(np.shape(s.arrays[key])[0])
        return 0

    def _pick(self, key: str, array):
        """The array as shown: one sample's part when a sample is chosen and the array has a batch axis."""
        a = np.asarray(array)
        if self._sample >= 0 and key in BATCH_KEYS and a.ndim >= 1 and a.shape[0] == self._batch_size():
            return a[self._sample]
        return a

    def _names(self, step) -> dict:
        """Symbols for the step's arrays, with the layer's superscripts."""
        layer = step.layer
        S, P = (sup(layer + 1), sup(layer)) if layer >= 0 else ("⁽ᴸ⁾", "⁽ᴸ⁾")
        names = {"W": f"W{S}", "b": f"b{S}", "a_prev": f"a{P}", "z": f"z{S}", "a": f"a{S}", "delta": f"δ{S}",
                 "da": f"∂J/∂a{S}", "da_prev": f"∂J/∂a{P}", "dW": f"∂J/∂W{S}", "db": f"∂J/∂b{S}",
                 "mask": "m",
                 "W_xh": f"W_xh{S}", "W_hh": f"W_hh{S}", "b_h": f"b_h{S}", "dW_xh": f"∂J/∂W_xh{S}",
                 "dW_hh": f"∂J/∂W_hh{S}", "db_h": f"∂J/∂b_h{S}"}
        if "t" in step.arrays:
            t = int(np.asarray(step.arrays["t"]))
            names.update({"x_t": f"x_{t}", "h_prev": f"h{S}_{t - 1}" if t else f"h{S}_-1 (= 0)",
                          "z_t": f"z{S}_{t}", "h_t": f"h{S}_{t}", "dh": f"∂J/∂h{S}_{t}", "delta": f"δ{S}_{t}"})
        if step.phase == "loss":
            last = len(self._layers())
            L = sup(last)
            grad = "∂J/∂z" if "logits" in step.arrays else "∂J/∂a"
            names.update({"output": f"a{L}", "target": "y", "logits": f"z{L}", "per_sample": "loss per sample",
                          "grad": f"{grad}{L}"})
        if step.phase == "update" and step.param:
            local = step.param.split(".", 1)[1]
            sym = f"{local}{S}"
            names.update({"before": f"{sym} before", "gradient": f"∂J/∂{sym}", "after": f"{sym} after",
                          "m": "m (mean of gradients)", "v": "v (mean of squares)", "velocity": "v (velocity)"})
        return names

    def _item(self, step, key: str, op: str = "", caption: str = "", **kw) -> dict:
        names = self._names(step)
        array = kw.pop("array", None)
        if array is None:
            array = self._pick(key, step.arrays[key])
        return {"key": key, "name": kw.pop("name", names.get(key, key)), "array": array, "op": op,
                "caption": caption, **kw}

    def _render_body(self, step) -> None:
        view = self.view
        op, kind = step.op, step.layer_name
        arrays = step.arrays
        view.show_special(None)
        items: list = []
        batch = self._sample < 0
        if step.phase == "loss":
            self._render_loss(step)
            grad_caption = "the gradient that starts the backward pass"
            items = [self._item(step, "grad", caption=grad_caption)]
        elif step.phase == "update":
            items = [self._item(step, "before", caption="the values before")]
            items.append(self._item(step, "gradient", "", "the gradient (from the backward pass)"))
            for extra in ("velocity", "m", "v"):
                if extra in arrays:
                    items.append(self._item(step, extra, "", "the optimiser's memory, updated"))
            items.append(self._item(step, "after", "→", "the values after this update"))
        elif kind == "dense" and op == "matmul":
            items = self._dense_product(step, "z")
        elif op == "conv2d":
            self._render_conv(step)
        elif op in ("maxpool", "avgpool"):
            self._render_pool(step)
        elif op == "bias":
            prev = self._previous(step, ("matmul", "conv2d"))
            if prev is not None:
                what = "W·a" if kind == "dense" else "W ∗ a"
                items.append(self._item(step, "z_before", caption=f"{what}, from the operation before",
                                        array=self._pick("z", prev.arrays["z"]),
                                        name=f"{self._names(step)['z']} before the bias"))
            vector = "row" if (kind == "dense" and batch) else "column"
            items.append(self._item(step, "b", "+" if prev is not None else "",
                                    "one bias per neuron" if kind == "dense" else "one per filter", vector=vector))
            items.append(self._item(step, "z", "="))
        elif op == "activation":
            act = getattr(self._layers()[step.layer], "activation", "")
            items = [self._item(step, "z"), self._item(step, "a", f"→ {act} →")]
        elif op == "activation'":
            if "da" in arrays:
                items = [self._item(step, "da", caption="the gradient arriving from above"),
                         self._item(step, "z", "⊙ f′", "f′ is taken at these values"),
                         self._item(step, "delta", "=", "δ: the gradient with respect to z")]
            else:
                items = [self._item(step, "a", caption="the output (the prediction)"),
                         self._item(step, "delta", "→", "δ = ∂J/∂z, straight from the loss")]
        elif kind == "dense" and op == "∂W":
            items = self._dense_product(step, "dW")
        elif kind == "dense" and op == "∂a_prev":
            items = self._dense_product(step, "da_prev")
        elif op == "∂W":
            items = [self._item(step, "a_prev"), self._item(step, "delta", "⋆"), self._item(step, "dW", "=")]
        elif op in ("∂b", "∂b_h"):
            key = "db" if op == "∂b" else "db_h"
            if "delta" in arrays:
                items.append(self._item(step, "delta", caption="δ of every sample"))
            items.append(self._item(step, key, "Σ →" if "delta" in arrays else "", "summed over the batch",
                                    vector="row" if batch else "column"))
        elif op.startswith("step t="):
            self._render_rnn_timeline(step)
            items = self._rnn_step_items(step)
        elif op.startswith("bptt t="):
            self._render_rnn_timeline(step)
            items = [self._item(step, "dh", caption="the gradient reaching h_t"),
                     self._item(step, "z_t", "⊙ f′", "f′ is taken at these values"),
                     self._item(step, "delta", "=", "δ_t, passed on to the step before")]
        elif kind == "rnn":
            self._render_rnn_timeline(step)
            items = [self._item(step, k) for k in arrays if k != "t"]
        elif op == "dropout":
            items = [self._item(step, "a_prev")]
            if "mask" in arrays:
                items.append(self._item(step, "mask", "⊙", "the random mask drawn for this batch"))
            items.append(self._item(step, "a", "="))
        else:
            keys = [k for k in arrays if k != "t"]
            items = [self._item(step, k, "→" if k == keys[-1] and len(keys) > 1 else "") for k in keys]
        for item in items:
            # a kernel stack (filters, channels, k, k) is a filter per row; one filter's slice per channel
            if item["key"] in ("dW", "W", "before", "gradient", "after", "m", "v", "velocity") and \
                    np.ndim(item["array"]) == 4:
                item["tile_names"] = "filter"
        view.set_matrices(items)
        self._render_dot(step)

    def _previous(self, step, ops):
        if self._pos > 0:
            prev = self._steps[self._pos - 1]
            if prev.layer == step.layer and prev.op in ops:
                return prev
        return None

    # -- dense products: z = W·a, ∂J/∂W = δᵀ·a, ∂J/∂a = Wᵀ·δ -------------------------

    def _dense_problem(self, step, out_key: str):
        """(a, b, c, names, items) for the product the step shows, as the stepper takes it."""
        names = self._names(step)
        arr = step.arrays
        s = self._sample
        if out_key == "z":
            if s < 0:
                a, b, c = arr["a_prev"], arr["W"].T, arr["z"]
                nm = (names["a_prev"], names["W"] + "ᵀ", names["z"])
                items = [dict(key="a_prev", name=nm[0], array=a, caption="a row per sample"),
                         dict(key="W", name=nm[1], array=b, op="·", caption="the weights, a column per neuron"),
                         dict(key="z", name=nm[2], array=c, op="=", caption="click a cell", clickable=True)]
            else:
                a, b, c = arr["W"], arr["a_prev"][s].reshape(-1, 1), arr["z"][s].reshape(-1, 1)
                nm = (names["W"], names["a_prev"], names["z"])
                items = [dict(key="W", name=nm[0], array=arr["W"], caption="a row per neuron"),
                         dict(key="a_prev", name=nm[1], array=arr["a_prev"][s], op="·", caption=f"sample {s + 1}"),
                         dict(key="z", name=nm[2], array=arr["z"][s], op="=", caption="click a cell",
                              clickable=True)]
        elif out_key == "dW":
            a, b, c = arr["delta"].T, arr["a_prev"], arr["dW"]
            nm = (names["delta"] + "ᵀ", names["a_prev"], names["dW"])
            note = "" if s < 0 else f"sample {s + 1} shaded: every sample adds its part"
            items = [dict(key="delta", name=nm[0], array=a, caption="a column per sample"),
                     dict(key="a_prev", name=nm[1], array=b, op="·", caption="a row per sample"),
                     dict(key="dW", name=nm[2], array=c, op="=", caption=note or "click a cell", clickable=True)]
        else:  # da_prev
            if s < 0:
                a, b, c = arr["delta"], arr["W"], arr["da_prev"]
                nm = (names["delta"], names["W"], names["da_prev"])
                items = [dict(key="delta", name=nm[0], array=a, caption="a row per sample"),
                         dict(key="W", name=nm[1], array=b, op="·", caption="the same weights as forward"),
                         dict(key="da_prev", name=nm[2], array=c, op="=", caption="click a cell", clickable=True)]
            else:
                a, b, c = arr["W"].T, arr["delta"][s].reshape(-1, 1), arr["da_prev"][s].reshape(-1, 1)
                nm = (names["W"] + "ᵀ", names["delta"], names["da_prev"])
                items = [dict(key="W", name=nm[0], array=a, caption="the weights, transposed"),
                         dict(key="delta", name=nm[1], array=arr["delta"][s], op="·", caption=f"sample {s + 1}"),
                         dict(key="da_prev", name=nm[2], array=arr["da_prev"][s], op="=", caption="click a cell",
                              clickable=True)]
        return a, b, c, nm, items

    def _dense_product(self, step, out_key: str) -> list:
        *_, items = self._dense_problem(step, out_key)
        return items

    def _render_dot(self, step) -> None:
        out_key = {"matmul": "z", "∂W": "dW", "∂a_prev": "da_prev"}.get(step.op)
        if step.layer_name != "dense" or out_key is None:
            return
        a, b, c, names, _ = self._dense_problem(step, out_key)
        chosen = self._cells.get(self._pos)
        cell = (0, 0)
        if chosen is not None and chosen[0] == out_key:
            index = chosen[1]
            cell = (index[0], 0) if len(index) == 1 else (index[0], index[1])
        cell = (min(cell[0], c.shape[0] - 1), min(cell[1], c.shape[1] - 1))
        steps = matmul_steps(a, b, names)
        explained = steps[steps.index_of(*cell)]
        device = float(c[cell])
        lines = "<br>".join(_html(line) for line in explained.term_lines()[:6])
        more = len(explained.products) - 6
        if more > 0:
            lines += f"<br>… and {more} more products"
        extra = ""
        if step.op == "∂W" and self.panel.spec.regularization.active:
            reg = self.panel.spec.regularization
            extra = (f"<br><i>The value shown also holds the {reg.type.upper()} term "
                     f"({'λ·W' if reg.type == 'l2' else 'λ·sign(W)'}), which this sum leaves out.</i>")
        html = (f"<b>{_html(explained.text)}</b><br><span style='color: #6b7280'>{lines}</span>"
                f"<br>The device computed <b>{fmt(device)}</b>; the sum above is redone in float64 to explain it."
                f"{extra}")
        self.view.set_dot(html, can_walk=True)
        # mark the row and column that meet in the cell
        out_view = self.view.matrix_view(out_key)
        a_key = [k for k in self.view.matrix_keys() if k != out_key][0]
        b_key = [k for k in self.view.matrix_keys() if k != out_key][1]
        a_view, b_view = self.view.matrix_view(a_key), self.view.matrix_view(b_key)
        if out_view is not None:
            out_index = cell if out_view.array().ndim == 2 else (cell[0],)
            out_view.set_marks(cells=[out_index])
        if a_view is not None and a_view.array().ndim == 2:
            a_view.set_marks(rows=[cell[0]])
        if b_view is not None:
            if b_view.array().ndim == 2:
                b_view.set_marks(cols=[cell[1]])
        if step.op == "∂W" and self._sample >= 0:
            a_view.set_marks(rows=[cell[0]], cols=[self._sample])
            b_view.set_marks(rows=[self._sample], cols=[cell[1]])
        self._dot_problem = (a, b, c, names, cell)

    # -- convolution and pooling ---------------------------------------------------

    def _conv_sample(self) -> int:
        return self._sample if self._sample >= 0 else 0

    def _render_conv(self, step) -> None:
        spec = self._layers()[step.layer]
        s = self._conv_sample()
        names = self._names(step)
        self.view.show_special("conv")
        x, w, z = step.arrays["a_prev"][s], step.arrays["W"], step.arrays["z"][s]
        self.view.conv_patch.set_conv(x, w, z, spec.stride, spec.padding,
                                      {"x": names["a_prev"], "W": names["W"], "z": names["z"]})
        if self._sample < 0:
            note = self.view.conv_patch.note
            note.setText(note.text() + " Showing sample 1: choose a sample above to see another.")
        self._render_special_detail()

    def _render_pool(self, step) -> None:
        spec = self._layers()[step.layer]
        s = self._conv_sample()
        names = self._names(step)
        self.view.show_special("conv")
        kind = "max" if step.op == "maxpool" else "avg"
        self.view.conv_patch.set_pool(step.arrays["a_prev"][s], step.arrays["a"][s], spec.size, spec.stride, kind,
                                      {"x": names["a_prev"], "z": names["a"]})
        if self._sample < 0:
            note = self.view.conv_patch.note
            note.setText(note.text() + " Showing sample 1: choose a sample above to see another.")
        self._render_special_detail()

    def _render_special_detail(self) -> None:
        step = self.current_step()
        if step is None or step.op not in ("conv2d", "maxpool", "avgpool"):
            return
        chosen = self._cells.get(self._pos)
        s = self._conv_sample()
        spec = self._layers()[step.layer]
        names = self._names(step)
        x = step.arrays["a_prev"][s]
        if chosen is not None and chosen[0] == "pixel":
            f, i, j = chosen[1]
        else:
            # start on the strongest output (of the first filter for a convolution): the corner is often 0
            out = step.arrays["z"][s][:1] if step.op == "conv2d" else step.arrays["a"][s]
            f, i, j = (int(v) for v in np.unravel_index(int(np.argmax(np.abs(out))), out.shape))
        if step.op == "conv2d":
            out = step.arrays["z"][s]
            f, i, j = min(f, out.shape[0] - 1), min(i, out.shape[1] - 1), min(j, out.shape[2] - 1)
            k, st, p = spec.kernel, spec.stride, spec.padding
            padded = np.pad(x, ((0, 0), (p, p), (p, p)))  # the zeros the kernel sees past the edges
            window = padded[:, i * st:i * st + k, j * st:j * st + k]
            kernel = step.arrays["W"][f]
            product = matmul_steps(window.reshape(1, -1), kernel.reshape(-1, 1), ("window", "kernel", "z"))[0]
            terms = product.text.split(" = ", 1)[1]  # "z[1,1] = 1·2 + … = 3": keep what follows the name
            top, left = i * st - p + 1, j * st - p + 1
            where = (f"The window covers input rows {top}–{top + k - 1} and columns {left}–{left + k - 1}"
                     + (" (row or column 0 and past the edge: padding, zeros)." if p and (
                         top < 1 or left < 1 or top + k - 1 > x.shape[1] or left + k - 1 > x.shape[2]) else "."))
            text = (f"<b>{math_html(names['z'])}[{f + 1},{i + 1},{j + 1}] = {_html(terms)}</b><br>"
                    f"{window.size} products of the window's values (every input channel) and filter {f + 1}'s "
                    f"kernel, added up. {where} The device computed <b>{fmt(float(out[f, i, j]))}</b>; the bias "
                    "comes next.")
            self.view.conv_patch.show_pixel(f, i, j)
            self.view.set_dot(text)
        else:
            out = step.arrays["a"][s]
            f, i, j = min(f, out.shape[0] - 1), min(i, out.shape[1] - 1), min(j, out.shape[2] - 1)
            k, st = spec.size, spec.stride
            window = x[f, i * st:i * st + k, j * st:j * st + k]
            value = float(out[f, i, j])
            listed = ", ".join(fmt(v) for v in window.ravel())
            winner = None
            if step.op == "maxpool":
                hits = np.argwhere(window == out[f, i, j])
                if hits.size:
                    r, c = (int(v) for v in hits[0])
                    winner = (f, i * st + r, j * st + c)
                if len(hits) > 1:
                    won = (f" {len(hits)} inputs tie for the maximum; in the backward pass the gradient goes to "
                           "one of them.")
                elif winner:
                    won = (f" The winner is row {winner[1] + 1}, column {winner[2] + 1} of channel {f + 1} (green); "
                           "in the backward pass only it gets the gradient.")
                else:
                    won = ""
                text = f"<b>{_html(names['a'])}[{f + 1},{i + 1},{j + 1}] = max({listed}) = {fmt(value)}</b>.{won}"
            else:
                text = f"<b>{_html(names['a'])}[{f + 1},{i + 1},{j + 1}] = mean({listed}) = {fmt(value)}</b>."
            self.view.conv_patch.show_pixel(f, i, j, "", winner)
            self.view.set_dot(text)

    # -- recurrent layers ---------------------------------------------------------

    def _render_rnn_timeline(self, step) -> None:
        steps = self.panel.spec.input_shapes()[step.layer][0]
        inputs, hidden, deltas = {}, {}, {}
        for s in self._steps[: self._pos + 1]:
            if s.layer != step.layer:
                continue
            if s.op.startswith("step t="):
                t = int(np.asarray(s.arrays["t"]))
                inputs[t] = self._pick("x_t", s.arrays["x_t"])
                hidden[t] = self._pick("h_t", s.arrays["h_t"])
            elif s.op.startswith("bptt t="):
                deltas[int(np.asarray(s.arrays["t"]))] = self._pick("delta", s.arrays["delta"])
        current = None
        if "t" in step.arrays:
            current = ("h" if step.phase == "forward" else "delta", int(np.asarray(step.arrays["t"])))
        self.view.rnn_timeline.set_timeline(steps, inputs, hidden, deltas, current, batch=self._sample < 0)
        self.view.show_special("rnn")

    def _rnn_step_items(self, step) -> list:
        batch = self._sample < 0
        names = self._names(step)
        arr = step.arrays
        if batch:
            return [self._item(step, "x_t", caption="a row per sample"),
                    self._item(step, "W_xh", "·", array=arr["W_xh"].T, name=names["W_xh"] + "ᵀ"),
                    self._item(step, "h_prev", "+", "the state the step before left"),
                    self._item(step, "W_hh", "·", array=arr["W_hh"].T, name=names["W_hh"] + "ᵀ"),
                    self._item(step, "b_h", "+", vector="row"),
                    self._item(step, "z_t", "="),
                    self._item(step, "h_t", "→ tanh →" if self._activation(step) == "tanh" else "→ f →")]
        return [self._item(step, "W_xh"), self._item(step, "x_t", "·"),
                self._item(step, "W_hh", "+"), self._item(step, "h_prev", "·", "the state the step before left"),
                self._item(step, "b_h", "+"), self._item(step, "z_t", "="),
                self._item(step, "h_t", "→ tanh →" if self._activation(step) == "tanh" else "→ f →")]

    def _activation(self, step) -> str:
        return getattr(self._layers()[step.layer], "activation", "")

    # -- the loss ------------------------------------------------------------------

    def _render_loss(self, step) -> None:
        arr = step.arrays
        self.view.show_special("loss")
        L = sup(len(self._layers()))
        self.view.loss_view.set_loss(step.op, arr["output"], arr["target"], arr["per_sample"], arr["data_loss"],
                                     arr["penalty"], arr["loss"], self._sample, f"a{L}")


def _html(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ---------------------------------------------------------------------- demo


def find_step(steps: list, phase: str | None = None, layer: int | None = None, op: str | None = None) -> int:
    """The index of the first step matching ``phase``, ``layer`` (0-based) and ``op``; −1 if none."""
    for i, s in enumerate(steps):
        if (phase is None or s.phase == phase) and (layer is None or s.layer == layer) and (op is None or s.op == op):
            return i
    return -1


def open_demo(panel, preset: str | None = None, op_index: int | None = None, phase: str = "backward",
              layer: int | None = None, op: str | None = "∂W", sample: int = -1, size=None):
    """Open ``panel``'s step inspector mid-trace, for ``--demo`` and screenshots; returns the StepInspector.

    ``preset``: a preset (or --demo short name: xor, spiral, digits, sine, linear) to load
    first, or None for the panel's network. The operation shown is ``op_index`` if given,
    else the first matching ``phase``, ``layer`` and ``op`` (default: the first weight
    gradient of the backward pass, i.e. the output layer's ∂J/∂W). ``sample`` −1 shows the
    whole batch. ``size``: resize a panel shown on its own (leave None inside a window; open
    the demo after the window has its size, so the inspector's share of the width is right).
    Give a panel without a worker thread (``NetworkLabPanel.demo(...)`` or ``threaded=False``):
    then every step is taken before this returns. With a worker the steps arrive shortly
    after (the inspector moves there when they do).

    In ``main.py`` (``--demo xor`` with a step-through flag)::

        network_lab = NetworkLabPanel.demo("xor", steps=args.steps)
        window = MainWindow(network_lab=network_lab)
        window.resize(1500, 950); window.show()
        open_demo(network_lab)               # the output layer's ∂J/∂W, whole batch
    """
    from app import presets as preset_lib

    if preset is not None:
        panel.load_preset(preset_lib.get(preset).name)
    if size is not None:
        panel.resize(*size)
    inspector = panel.step_inspector
    inspector.open()
    if op_index is None:
        op_index = find_step(inspector.history(), phase, layer, op)
        if op_index < 0 and phase == "update" and not inspector.busy():
            # update steps come one per parameter, in the model's order, after the backward pass
            names = list(panel.trainer.model.param_arrays)
            local = op[len("update "):] if op and op.startswith("update ") else None
            wanted = [i for i, n in enumerate(names) if (layer is None or n.split(".")[0] == str(layer))
                      and (local is None or n.split(".", 1)[1] == local)]
            done = sum(1 for s in inspector.history() if s.phase == "update")
            first_update = len(inspector.history()) - done
            op_index = first_update + (wanted[0] if wanted else 0)
        op_index = max(op_index, 0)
    inspector.goto(op_index)
    if sample >= 0:
        inspector.select_sample(sample)
    return inspector


def save_demo_screenshot(preset: str, path: str, op_index: int | None = None, phase: str = "backward",
                         layer: int | None = None, op: str | None = "∂W", sample: int = -1, steps: int = 0,
                         size=(1500, 950)) -> int:
    """Render the network lab alone on ``preset`` (trained ``steps`` steps first) with the step
    inspector open at an operation (chosen as in ``open_demo``) to a PNG at ``path``.

    For ``main.py --demo xor --step-through --screenshot out.png`` style flags. Needs a
    QApplication. Returns 0, or 1 after printing a sentence to stderr.
    """
    import sys

    from app.network_lab import NetworkLabPanel, grab_to_png

    try:
        panel = NetworkLabPanel.demo(preset, steps=steps, size=size)
        open_demo(panel, None, op_index, phase, layer, op, sample, size)
    except ValueError as exc:
        print(f"mnlab: {exc}", file=sys.stderr)
        return 1
    return grab_to_png(panel, path)
