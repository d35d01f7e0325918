"""Step-through tracing: one training step as a sequence of ``TraceStep``s.

``Trainer.trace(batch)`` returns the generator made here. It runs the model's forward
and backward pass once with a tracer that collects every operation (the model reads
the values back to the host only because a tracer is set), then yields them one by
one: phase "forward" layer by layer, "loss", "backward" from the last layer to the
first. Then come the "update" steps, one per parameter tensor in ``model.params()``
order: each applies the optimizer's update to that tensor *when it is yielded*, so an
inspector shows the weights changing one tensor at a time.

Running a trace to its end leaves the model, the optimizer (state and step count t),
the dropout generator and the trainer's counters exactly as ``Trainer.step(1)`` on the
same batch would, and records the same metrics in ``Trainer.history``; the generator's
return value (``StopIteration.value``) is the metrics dict ``step(1)`` would return.

Abandoning a trace undoes it: closing the generator (``close()``, or dropping the last
reference to it), starting another trace, or calling ``Trainer.step`` /
``Trainer.cancel_trace`` puts the parameters, the optimizer state and ``model.rng``
back where they were when the trace began, and the batch is not consumed. A trace
undone by someone else raises ``RuntimeError`` if advanced again. Reading is fine while
a trace is open: ``Trainer.evaluate`` and ``Trainer.metrics`` leave it open (and show
the updates applied so far). Editing parameters by hand while a trace is open is not:
call ``Trainer.cancel_trace()`` first, or the trace's undo would overwrite the edit.

If the loss, a parameter or the test loss is not finite once every update is applied,
the trace puts everything back and raises ``engine.DivergenceError``, as ``step`` does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .errors import DivergenceError

PHASES = ("forward", "loss", "backward", "update")


@dataclass
class TraceStep:
    """One operation of a traced training step.

    ``phase``: "forward", "loss", "backward" or "update". ``layer``: the layer's index
    in ``spec.layers`` (-1 for the loss). ``layer_name``: its kind ("dense", "conv2d",
    "loss", ...). ``op``: the operation ("matmul", "bias", "activation", "∂W",
    "update W", ...). ``formula``: the rule as text with the layer's symbols.
    ``arrays``: name -> numpy copy of the values involved. ``index``: position in the
    trace, from 0. ``param``: the parameter name ("0.W") for update steps, else None.
    """

    phase: str
    layer: int
    layer_name: str
    op: str
    formula: str
    arrays: dict = field(default_factory=dict)
    index: int = 0
    param: str | None = None

    def __repr__(self) -> str:
        shapes = ", ".join(f"{k}{tuple(np.shape(v))}" for k, v in self.arrays.items())
        return (f"TraceStep(#{self.index} {self.phase} layer {self.layer} {self.layer_name} "
                f"{self.op!r}: {self.formula} [{shapes}])")


class TraceState:
    """The Trainer's record of the trace under way, so others can undo it.

    ``start``: the trainer snapshot taken when the trace began (parameters, optimizer,
    model.rng). ``updating``: True once an update was applied. ``dead``: undone by
    someone else. ``finished``: ran to its end.
    """

    def __init__(self, start):
        self.start = start
        self.updating = False
        self.dead = False
        self.finished = False


def run_trace(trainer, prepared, advance: bool):
    """The generator behind ``Trainer.trace``; see the module docstring.

    ``prepared``: None (the trainer's next batch, found on the first ``next``) or an
    uploaded (x_dev, y_dev). ``advance``: the step consumes the batch (moves the
    trainer's position) when it completes.
    """
    model = trainer.model
    be = model.backend
    opt = trainer.optimizer
    trainer.cancel_trace()
    if prepared is None:
        prepared = trainer._peek_batch()
    state = TraceState(trainer._snapshot())
    trainer._active_trace = state
    index = 0

    def alive():
        if state.dead:
            raise RuntimeError("This step-through trace was undone because training went on (or another "
                               "trace began) meanwhile: start a new trace.")

    try:
        collected = []

        def tracer(phase, layer, layer_name, op, formula, arrays):
            collected.append((phase, layer, layer_name, op, formula, arrays))

        x_dev, y_dev = prepared
        loss_dev = model.forward_backward(x_dev, y_dev, tracer, True)
        loss = float(be.to_numpy(loss_dev)[0])
        # The trace's own copy of the gradients: between two yields a caller may run the
        # model again (a GUI drawing gradient histograms does), which rewrites
        # model.grad_arrays; the update steps must still apply this batch's gradients.
        grads = {name: be.copy(g) for name, g in model.grad_arrays.items()}
        for phase, layer, layer_name, op, formula, arrays in collected:
            yield TraceStep(phase, int(layer), str(layer_name), str(op), str(formula), dict(arrays), index)
            index += 1
            alive()
        collected = None

        state.updating = True
        opt.begin_step()
        for name in opt.params:
            p, g = opt.params[name], grads[name]
            before = be.to_numpy(p)
            gradient = be.to_numpy(g)
            opt.update(name, g)
            arrays = {"before": before, "gradient": gradient, "after": be.to_numpy(p)}
            for key, buf in opt.state_arrays(name).items():
                arrays[key] = be.to_numpy(buf)
            layer_index = int(name.split(".", 1)[0])
            local = name.split(".", 1)[1]
            yield TraceStep("update", layer_index, model.layers[layer_index].name, f"update {local}",
                            opt.update_formula(name), arrays, index, name)
            index += 1
            alive()

        problem = None
        if not math.isfinite(loss):
            problem = f"the loss became {loss}"
        else:
            problem = trainer._param_problem()
        test = trainer._test_metrics()
        if problem is None and test[0] is not None and not math.isfinite(test[0]):
            problem = f"the test loss became {test[0]}"
        if problem is not None:
            step_no = trainer.step_count + 1
            trainer._restore(state.start)
            state.finished = True
            raise DivergenceError(trainer._divergence_text(step_no, problem), step=step_no)
        state.finished = True
        trainer._commit_traced_step(advance)
        return trainer._record(loss, 1, *test)
    finally:
        if not state.finished and not state.dead:
            # closed midway (GeneratorExit) or failed: undo what the trace did
            trainer._restore(state.start)
            state.dead = True
        if trainer._active_trace is state:
            trainer._active_trace = None
