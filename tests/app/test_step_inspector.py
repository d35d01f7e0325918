"""The step inspector end to end: what it shows is the engine's trace, and a traced step is a training step.

Threaded panels run the trace on the training worker; waits are on GUI-side state
(``qtbot.waitUntil`` on the inspector's history and the panel's snapshots), and the
worker's failure shows in the lab's banner, which the tests check. Panels built with
``threaded=False`` step synchronously, which keeps the slower networks' tests short.
"""

import numpy as np
import pytest
from PySide6.QtCore import Qt

import engine
from app.network_lab import NetworkLabPanel
from app.step_inspector import BATCH_KEYS, find_step, open_demo
from engine.explain import fmt

SLOW = 60000  # the first kernel builds on a fresh device cache take a while


@pytest.fixture
def make_panel(qtbot):
    panels = []

    def factory(preset="XOR", threaded=True):
        panel = NetworkLabPanel(preset=preset, threaded=threaded)
        panel.confirm_rebuild = False
        qtbot.addWidget(panel)
        panel.resize(1500, 950)
        panel.show()
        panels.append(panel)
        if threaded:
            qtbot.waitUntil(lambda: panel.latest is not None, timeout=SLOW)
        return panel
    yield factory
    for panel in panels:
        panel.shutdown()


def no_failure(panel):
    assert "Training stopped" not in panel.banner_text(), panel.banner_text()


def open_inspector(qtbot, panel):
    inspector = panel.step_inspector
    inspector.open()
    qtbot.waitUntil(lambda: inspector.position() >= 0 and not inspector.busy(), timeout=SLOW)
    no_failure(panel)
    return inspector


def finish(qtbot, inspector):
    while not inspector.finished():
        inspector.run_to_phase_end()
        qtbot.waitUntil(lambda: not inspector.busy(), timeout=SLOW)
    assert "could not go on" not in inspector.view.message_text()


def reference(panel, params):
    """A model and trainer made as the lab makes them, with ``params``: its first step(1) takes
    the batch the lab's trainer traces first."""
    model = engine.Model(panel.spec, seed=panel.model_seed)
    model.set_params(params)
    trainer = engine.Trainer(model, panel.data, optimizer=panel._optimizer(),
                             batch_size=int(panel.settings["batch_size"]), seed=panel.model_seed)
    return model, trainer


def batch_of(steps):
    """The traced batch (x, y) as the trace shows it."""
    first = steps[0]
    if "x_t" in first.arrays:
        x = np.stack([s.arrays["x_t"] for s in steps if s.op.startswith("step t=")], axis=1)
    else:
        x = first.arrays["a_prev"]
    y = next(s for s in steps if s.phase == "loss").arrays["target"]
    return x, y


def traced_grads(steps):
    grads = {}
    for s in steps:
        if s.phase != "backward":
            continue
        for key, value in s.arrays.items():
            if key in ("dW", "db", "dW_xh", "dW_hh", "db_h"):
                grads[f"{s.layer}.{key[1:]}"] = value
    return grads


def check_against_engine(qtbot, panel, before):
    """The trace's loss and gradients equal loss_and_grads; its end equals step(1)."""
    inspector = open_inspector(qtbot, panel)
    steps = inspector.history()
    x, y = batch_of(steps)
    model, trainer = reference(panel, before)
    rng = model.rng.bit_generator.state  # dropout: the trace and step(1) draw the same first mask
    loss, grads = model.loss_and_grads(x, y)
    traced = traced_grads(steps)
    assert set(traced) == set(grads)
    for name, g in grads.items():
        np.testing.assert_allclose(traced[name], g, rtol=1e-5, atol=1e-7, err_msg=name)
    loss_step = steps[find_step(steps, phase="loss")]
    assert float(loss_step.arrays["loss"]) == pytest.approx(loss, rel=1e-6)

    finish(qtbot, inspector)
    model.set_params(before)  # loss_and_grads left the weights alone, but be plain about it
    model.rng.bit_generator.state = rng
    result = trainer.step(1)
    expected = model.params()
    updates = {s.param: s for s in inspector.history() if s.phase == "update"}
    assert set(updates) == set(expected)
    for name, w in expected.items():
        np.testing.assert_allclose(updates[name].arrays["after"], w, rtol=1e-6, atol=1e-7, err_msg=name)
    assert inspector.result()["train_loss"] == pytest.approx(result["train_loss"], rel=1e-6)
    return inspector, expected


def test_dense_trace_on_the_worker_equals_loss_and_grads_and_step(qtbot, make_panel):
    panel = make_panel("XOR", threaded=True)
    before = panel.latest["params"]
    inspector, expected = check_against_engine(qtbot, panel, before)
    # the worker's snapshots between the update jobs must not have disturbed the trace
    qtbot.waitUntil(lambda: panel.latest["step"] == 1, timeout=SLOW)
    for name, w in expected.items():
        np.testing.assert_allclose(panel.latest["params"][name], w, rtol=1e-6, atol=1e-7, err_msg=name)
    no_failure(panel)


def test_conv_trace_equals_loss_and_grads_and_step(qtbot, make_panel):
    panel = make_panel("Digits CNN", threaded=False)
    before = panel.model.params()
    _, expected = check_against_engine(qtbot, panel, before)
    for name, w in expected.items():
        np.testing.assert_allclose(panel.model.params()[name], w, rtol=1e-6, atol=1e-7, err_msg=name)


def test_rnn_trace_equals_loss_and_grads_and_step(qtbot, make_panel):
    panel = make_panel("Sine RNN", threaded=False)
    before = panel.model.params()
    _, expected = check_against_engine(qtbot, panel, before)
    for name, w in expected.items():
        np.testing.assert_allclose(panel.model.params()[name], w, rtol=1e-6, atol=1e-7, err_msg=name)


def shown(panel):
    """Copies of every array the inspector shows now, by key."""
    view = panel.inspector
    return {key: np.array(view.matrix_view(key).array(), copy=True) for key in view.matrix_keys()}


def test_stepping_back_and_forward_shows_the_same_stored_values(qtbot, make_panel):
    panel = make_panel("XOR", threaded=True)
    inspector = open_inspector(qtbot, panel)
    seen = []
    while True:
        seen.append((inspector.position(), panel.inspector.formula.formula_text(), shown(panel)))
        if inspector.finished() and inspector.position() == len(inspector.history()) - 1:
            break
        inspector.forward()
        qtbot.waitUntil(lambda: not inspector.busy(), timeout=SLOW)
    n = len(inspector.history())
    assert [p for p, _, _ in seen] == list(range(n))
    for _ in range(n - 1):
        inspector.back()
    assert inspector.position() == 0
    for index, formula, arrays in seen:
        assert inspector.position() == index
        assert panel.inspector.formula.formula_text() == formula
        now = shown(panel)
        assert now.keys() == arrays.keys()
        for key in arrays:
            np.testing.assert_array_equal(now[key], arrays[key])
        inspector.forward()
        assert not inspector.busy()  # nothing is fetched again: the history is replayed
    assert len(inspector.history()) == n
    no_failure(panel)


def test_the_canvas_highlights_the_layer_of_each_step(qtbot, make_panel):
    for preset in ("XOR", "Sine RNN"):
        panel = make_panel(preset, threaded=False)
        inspector = open_inspector(qtbot, panel)
        finish(qtbot, inspector)
        n_layers = len(panel.spec.layers)
        for index, step in enumerate(inspector.history()):
            inspector.goto(index)
            want = step.layer if step.layer >= 0 else n_layers - 1  # the loss reads the output layer
            assert inspector.highlighted_layer() == want
            for layer in range(-1, n_layers):
                for node in panel.canvas.neurons(layer):
                    assert node._highlight == (layer == want), (step, layer)
        inspector.close()
        assert all(not node._highlight for layer in range(-1, n_layers) for node in panel.canvas.neurons(layer))


def _sources(step, previous):
    """Every array the step may show: its own, the one before's (z before the bias), transposed and per sample."""
    out = []
    for s in (step, previous):
        if s is None:
            continue
        for key, a in s.arrays.items():
            a = np.asarray(a)
            out.append(a)
            if a.ndim == 2:
                out.append(a.T)
            if key in BATCH_KEYS and a.ndim >= 1:
                out.extend(a[i] for i in range(a.shape[0]))
    return out


def check_every_number_comes_from_the_trace(panel, inspector):
    view = panel.inspector
    steps = inspector.history()
    for sample in (-1, 1):
        inspector.select_sample(sample)
        for index, step in enumerate(steps):
            inspector.goto(index)
            sources = _sources(step, steps[index - 1] if index else None)
            for key in view.matrix_keys():
                mv = view.matrix_view(key)
                a = mv.array()
                assert any(s.shape == a.shape and np.array_equal(s, a) for s in sources), (step, key)
                if mv.shows_numbers():
                    for cell in np.ndindex(a.shape):
                        assert mv.text_at(cell) == fmt(float(a[cell]))
            if step.phase == "loss":
                lv = view.loss_view
                per = step.arrays["per_sample"]
                for i in range(len(per)):
                    assert lv.cell_text(i, "loss") == fmt(float(per[i]))
                if step.op == "softmax_ce":
                    out = step.arrays["output"]
                    for i in range(len(per)):
                        for c in range(out.shape[1]):
                            assert lv.cell_text(i, f"p{c}") == fmt(float(out[i, c]))
                assert fmt(float(step.arrays["loss"])) in lv.summary.text()
            if step.op in ("conv2d", "maxpool", "avgpool"):
                cp = view.conv_patch
                s = max(sample, 0)
                assert np.array_equal(cp.input_view.array(), step.arrays["a_prev"][s])
                f, i, j = cp.pixel()
                out = step.arrays["z" if step.op == "conv2d" else "a"][s]
                expected = out[f] if step.op == "conv2d" else out
                assert np.array_equal(cp.output_view.array(), expected)
                assert fmt(float(out[f, i, j])) in view.dot_text()
            if step.layer_name == "dense" and step.op in ("matmul", "∂W", "∂a_prev"):
                out = {"matmul": "z", "∂W": "dW", "∂a_prev": "da_prev"}[step.op]
                cell = view.matrix_view(out).marked_cells()[0]
                assert f"computed <b>{fmt(float(view.matrix_view(out).array()[cell]))}</b>" in view.dot_text()


@pytest.mark.parametrize("preset", ["XOR", "Digits CNN", "Sine RNN"])
def test_every_number_shown_comes_from_the_trace(qtbot, make_panel, preset):
    panel = make_panel(preset, threaded=False)
    inspector = open_inspector(qtbot, panel)
    finish(qtbot, inspector)
    check_every_number_comes_from_the_trace(panel, inspector)


def test_a_network_with_every_kind_of_layer(qtbot, make_panel):
    """Strided conv, average pooling, flatten, dropout, L2 and momentum: equal to the engine, and every
    number shown comes from the trace."""
    panel = make_panel("Digits CNN", threaded=False)
    panel.settings["optimizer"] = "momentum"
    panel._adopt(engine.NetworkSpec.from_dict({
        "input": [1, 8, 8],
        "layers": [{"type": "conv2d", "filters": 3, "kernel": 3, "stride": 2, "padding": 1, "activation": "leaky_relu"},
                   {"type": "avgpool2d", "size": 2}, {"type": "flatten"}, {"type": "dropout", "rate": 0.3},
                   {"type": "dense", "units": 10, "activation": "softmax"}],
        "loss": "softmax_ce", "regularization": {"type": "l2", "rate": 0.01}, "init": "he"}))
    before = panel.model.params()
    inspector, _ = check_against_engine(qtbot, panel, before)
    ops = {s.op for s in inspector.history()}
    assert {"conv2d", "avgpool", "flatten", "dropout", "∂a_prev"} <= ops
    check_every_number_comes_from_the_trace(panel, inspector)
    inspector.goto(find_step(inspector.history(), phase="backward", layer=4, op="∂W"))
    assert "L2 term" in panel.inspector.dot_text()


def test_the_dot_product_of_a_clicked_cell_and_the_stepper(qtbot, make_panel):
    panel = make_panel("XOR", threaded=False)
    inspector = open_inspector(qtbot, panel)
    view = panel.inspector
    assert inspector.current_step().op == "matmul"
    z_view = view.matrix_view("z")
    qtbot.mouseClick(z_view.grid, Qt.MouseButton.LeftButton, pos=z_view.cell_center((2, 3)))
    step = inspector.current_step()
    z = step.arrays["z"]
    text = view.dot_text()
    assert f"z⁽¹⁾[3,4] = " in text and fmt(float(z[2, 3])) in text
    assert z_view.marked_cells() == [(2, 3)]
    qtbot.mouseClick(view.walk_button, Qt.MouseButton.LeftButton)
    assert view.stepper_open()
    stepper = view.stepper
    assert (stepper.current_step().i, stepper.current_step().j) == (2, 3)
    np.testing.assert_array_equal(stepper.models["C"].a, z)  # C holds the device's values
    inspector.forward()
    assert not view.stepper_open()
    # one sample: z = W·a written per neuron
    inspector.back()
    inspector.select_sample(4)
    assert view.matrix_view("a_prev").array().shape == (2,)
    assert f"z⁽¹⁾[1,1] = " in view.dot_text()
    assert fmt(float(z[4, 0])) in view.dot_text()


def test_closing_midway_undoes_the_applied_updates(qtbot, make_panel):
    panel = make_panel("XOR", threaded=True)
    before = {k: v.copy() for k, v in panel.latest["params"].items()}
    inspector = open_inspector(qtbot, panel)
    inspector.run_to_phase_end()   # end of forward
    inspector.run_to_phase_end()   # end of loss
    inspector.run_to_phase_end()   # end of backward
    inspector.forward()            # the first update is applied
    qtbot.waitUntil(lambda: inspector.current_step().phase == "update" and not inspector.busy(), timeout=SLOW)
    inspector.forward()
    qtbot.waitUntil(lambda: not inspector.busy(), timeout=SLOW)
    applied = inspector.current_step()
    assert applied.phase == "update" and not np.array_equal(applied.arrays["after"], applied.arrays["before"])
    inspector.close()
    assert panel.inspector.isHidden()
    got = {}
    # queued after the inspector's close, on the worker: reads the weights the trainer has then
    panel.run_on_trainer(lambda trainer: got.update(params=trainer.model.params(), step=trainer.step_count))
    qtbot.waitUntil(lambda: "params" in got, timeout=SLOW)
    for name, w in before.items():
        np.testing.assert_array_equal(got["params"][name], w, err_msg=name)
    assert got["step"] == 0
    no_failure(panel)


def test_training_while_open_undoes_the_trace_and_says_so(qtbot, make_panel):
    panel = make_panel("XOR", threaded=True)
    inspector = open_inspector(qtbot, panel)
    qtbot.mouseClick(panel.controls.play_button, Qt.MouseButton.LeftButton)
    assert "undone" in panel.inspector.message_text()
    qtbot.waitUntil(lambda: panel.latest["step"] > 0, timeout=SLOW)
    panel.pause()
    inspector.forward()  # nothing to step: the message stays
    assert "undone" in panel.inspector.message_text()
    inspector.restart()  # pauses training and traces the next batch
    qtbot.waitUntil(lambda: inspector.position() == 0 and not inspector.busy(), timeout=SLOW)
    assert not panel.is_running()
    assert panel.inspector.message_text() == ""
    no_failure(panel)


def test_keyboard_shortcuts_step(qtbot, make_panel):
    panel = make_panel("XOR", threaded=False)
    inspector = open_inspector(qtbot, panel)
    panel.activateWindow()
    qtbot.waitUntil(lambda: panel.isActiveWindow(), timeout=5000)
    view = panel.inspector
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert inspector.position() == 1
    qtbot.keyClick(view, Qt.Key.Key_N)
    assert inspector.position() == 2
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert inspector.position() == 1
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert inspector.current_step().phase == "forward"
    assert inspector.history()[inspector.position() + 1].phase == "loss"
    qtbot.keyClick(view, Qt.Key.Key_F)
    assert inspector.current_step().phase == "loss"
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert inspector.position() == 0
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert view.isHidden() and not inspector.is_open()


def test_rebuilding_the_network_starts_a_new_trace(qtbot, make_panel):
    panel = make_panel("XOR", threaded=True)
    inspector = open_inspector(qtbot, panel)
    panel.load_preset("Linear regression")
    qtbot.waitUntil(lambda: bool(inspector.history()) and inspector.history()[0].arrays["W"].shape == (1, 1)
                    and not inspector.busy(), timeout=SLOW)
    assert inspector.is_open()
    no_failure(panel)


def test_open_demo_shows_the_output_layers_weight_gradient(qtbot):
    panel = NetworkLabPanel.demo("xor", steps=0)
    qtbot.addWidget(panel)
    inspector = open_demo(panel, None)
    step = inspector.current_step()
    assert (step.phase, step.layer, step.op) == ("backward", 1, "∂W")
    assert panel.inspector.formula.formula_text() == step.formula
    np.testing.assert_array_equal(panel.inspector.matrix_view("dW").array(), step.arrays["dW"])
    panel.show()
    assert not panel.grab().isNull()
    # an update step: fetched (and applied) on the way
    inspector = open_demo(panel, "digits", phase="update", op="update W", layer=5)
    step = inspector.current_step()
    assert (step.phase, step.param) == ("update", "5.W")
    panel.shutdown()


def test_save_demo_screenshot_writes_a_png(qtbot, tmp_path):
    from app.step_inspector import save_demo_screenshot

    path = tmp_path / "step.png"
    assert save_demo_screenshot("xor", str(path), phase="forward", op="matmul", layer=1) == 0
    assert path.stat().st_size > 10000
    assert save_demo_screenshot("no such preset", str(tmp_path / "x.png")) == 1
