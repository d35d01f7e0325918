"""The network lab panel end to end: presets train in the background, controls reach the worker,
canvas edits rebuild the network, bad input is refused with sentences.

Waits are on GUI-thread state (the panel's latest snapshot, its plots, its banner) with
``qtbot.waitUntil``; the worker's failure shows in the banner, which tests check.
"""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app import presets
from app.network_lab import NetworkLabPanel

SLOW = 60000  # first kernel builds on a fresh device cache take a while


@pytest.fixture
def make_panel(qtbot):
    panels = []

    def factory(preset="XOR"):
        panel = NetworkLabPanel(preset=preset)
        panel.confirm_rebuild = False
        qtbot.addWidget(panel)
        panel.resize(1500, 950)
        panels.append(panel)
        return panel
    yield factory
    for panel in panels:
        panel.shutdown()


def step_of(panel):
    return panel.latest["step"] if panel.latest else -1


def no_failure(panel):
    assert "Training stopped" not in panel.banner_text(), panel.banner_text()


def test_preset_trains_and_the_loss_plot_receives_points(qtbot, make_panel):
    panel = make_panel("XOR")
    panel.play()
    # ``latest`` is the snapshot every widget shows: the loss plot is drawn first
    qtbot.waitUntil(lambda: panel.loss_plot.point_count() >= 5 and step_of(panel) > 0, timeout=SLOW)
    assert panel.controls.is_running()
    assert panel.boundary.grid() is not None
    no_failure(panel)


def test_pause_stops_the_steps(qtbot, make_panel):
    panel = make_panel("XOR")
    qtbot.mouseClick(panel.controls.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: step_of(panel) > 0, timeout=SLOW)
    qtbot.mouseClick(panel.controls.play_button, Qt.MouseButton.LeftButton)
    # after a pause the worker sends one last snapshot with running False
    qtbot.waitUntil(lambda: panel.latest is not None and not panel.latest["running"], timeout=SLOW)
    steps = step_of(panel)
    qtbot.wait(500)
    assert step_of(panel) == steps
    assert panel.worker.steps_taken == steps
    assert not panel.controls.is_running()
    no_failure(panel)


def test_step_button_trains_one_batch(qtbot, make_panel):
    panel = make_panel("XOR")
    qtbot.waitUntil(lambda: panel.latest is not None, timeout=SLOW)
    qtbot.mouseClick(panel.controls.step_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: step_of(panel) == 1, timeout=SLOW)
    no_failure(panel)


def test_the_worker_finishes_cleanly_on_close(qtbot, make_panel):
    panel = make_panel("XOR")
    panel.play()
    qtbot.waitUntil(lambda: step_of(panel) > 0, timeout=SLOW)
    thread = panel.worker_thread
    panel.close()
    assert thread.isFinished()
    assert panel.worker is None


def test_editing_a_weight_changes_the_models_parameter(qtbot, make_panel):
    panel = make_panel("XOR")
    qtbot.waitUntil(lambda: panel.latest is not None, timeout=SLOW)
    link = panel.canvas.link_for("0.W", (1, 0))
    panel.canvas.open_weight_editor(link)
    panel.canvas.weight_editor.field.setText("1.2345")
    qtbot.keyClick(panel.canvas.weight_editor.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: abs(float(panel.latest["params"]["0.W"][1, 0]) - 1.2345) < 1e-6, timeout=SLOW)
    panel.shutdown()  # the device is the GUI's again: read the model directly
    assert panel.model.params()["0.W"][1, 0] == pytest.approx(1.2345)
    no_failure(panel)


def test_a_diverging_run_pauses_with_a_message(qtbot, make_panel):
    panel = make_panel("Linear regression")
    panel.set_learning_rate(1e6)
    panel.play()
    qtbot.waitUntil(lambda: "Training paused" in panel.banner_text(), timeout=SLOW)
    assert "learning rate" in panel.banner_text()
    qtbot.waitUntil(lambda: not panel.controls.is_running(), timeout=SLOW)
    panel.shutdown()
    assert all(np.isfinite(v).all() for v in panel.model.params().values())


def test_building_and_removing_layers_changes_the_spec(qtbot, make_panel):
    panel = make_panel("XOR")
    qtbot.waitUntil(lambda: panel.latest is not None, timeout=SLOW)
    assert len(panel.spec.layers) == 2
    qtbot.mouseClick(panel.canvas.palette_bar.buttons["dense"], Qt.MouseButton.LeftButton)
    assert [l.kind for l in panel.spec.layers] == ["dense", "dense", "dense"]
    assert panel.model.spec == panel.spec
    assert sorted(panel.canvas.headers) == [-1, 0, 1, 2]
    panel.canvas._change_count(1, +1)
    assert panel.spec.layers[1].units == 5
    panel.canvas._remove(0)
    assert [l.units for l in panel.spec.layers] == [5, 1]
    # and the reverse: a spec set by the app shows on the canvas
    panel.load_preset("Digits CNN")
    assert panel.canvas.headers[0].title() == "1 · Conv 2D"
    assert panel.canvas.columns[1].block is not None


def test_an_architecture_change_asks_first_once_training_has_progressed(qtbot, make_panel):
    panel = make_panel("XOR")
    panel.confirm_rebuild = True
    qtbot.waitUntil(lambda: panel.latest is not None, timeout=SLOW)
    panel.step_once()
    qtbot.waitUntil(lambda: step_of(panel) == 1, timeout=SLOW)
    before = panel.spec
    qtbot.mouseClick(panel.canvas.palette_bar.buttons["dense"], Qt.MouseButton.LeftButton)
    box = panel._pending_box
    assert box is not None and "1 steps trained" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert panel.spec == before
    assert len(panel.canvas.headers) == 3


def test_learning_rate_change_keeps_the_training_state(qtbot, make_panel):
    panel = make_panel("XOR")
    panel.play()
    qtbot.waitUntil(lambda: step_of(panel) > 0, timeout=SLOW)
    panel.pause()
    qtbot.waitUntil(lambda: not panel.latest["running"], timeout=SLOW)
    steps = step_of(panel)
    model = panel.model
    panel.set_learning_rate(0.001)
    qtbot.waitUntil(lambda: panel.worker.trainer is not None, timeout=SLOW)
    assert panel.model is model
    qtbot.wait(200)
    assert step_of(panel) == steps
    no_failure(panel)


def test_regularization_change_keeps_weights_and_history(qtbot, make_panel):
    panel = make_panel("XOR")
    panel.step_once()
    qtbot.waitUntil(lambda: step_of(panel) == 1, timeout=SLOW)
    weights = panel.latest["params"]["0.W"].copy()
    panel.controls.regularization.setCurrentIndex(panel.controls.regularization.findData("l2"))
    assert panel.spec.regularization.type == "l2"
    qtbot.waitUntil(lambda: panel.latest is not None and panel.latest["step"] == 1, timeout=SLOW)
    np.testing.assert_allclose(panel.latest["params"]["0.W"], weights)
    no_failure(panel)


def test_features_change_the_input_layer(qtbot, make_panel):
    panel = make_panel("XOR")
    panel.data_panel.feature_boxes["x1*x2"].setChecked(True)
    assert panel.spec.input == (3,)
    assert len(panel.canvas.neurons(-1)) == 3
    qtbot.waitUntil(lambda: panel.latest is not None and panel.latest["neuron_images"][-1].shape[0] == 3,
                    timeout=SLOW)


def test_choosing_a_multiclass_set_fits_the_output_layer(qtbot, make_panel):
    panel = make_panel("XOR")
    panel.data_panel.set_current("blobs")
    panel._dataset_chosen("blobs")
    assert panel.spec.loss == "softmax_ce"
    assert panel.spec.layers[-1].units == 4
    qtbot.waitUntil(lambda: panel.latest is not None and panel.latest["grid"].shape == (100, 100, 4), timeout=SLOW)


def test_digits_preset_shows_feature_maps(qtbot, make_panel):
    panel = make_panel("Digits CNN")
    panel.step_once()
    qtbot.waitUntil(lambda: step_of(panel) == 1, timeout=SLOW)
    assert panel.output_stack.currentWidget() is panel.feature_maps
    assert panel.feature_maps.row_titles()[0] == "input image"
    assert any("conv" in t for t in panel.feature_maps.row_titles())
    assert panel.confusion.counts().shape == (10, 10)
    no_failure(panel)


def test_sine_preset_shows_the_hidden_state(qtbot, make_panel):
    panel = make_panel("Sine RNN")
    panel.step_once()
    qtbot.waitUntil(lambda: step_of(panel) == 1, timeout=SLOW)
    assert panel.output_stack.currentWidget() is panel.hidden_plot
    assert panel.hidden_plot.hidden().shape == (20, 16)
    no_failure(panel)


def test_a_bad_csv_is_refused_naming_line_and_column(qtbot, make_panel, tmp_path):
    panel = make_panel("XOR")
    path = tmp_path / "bad.csv"
    path.write_text("a,b,label\n1,2,0\n3,oops,1\n5,6,0\n")
    spec = panel.spec
    panel.load_user_file(str(path))
    text = panel.data_panel.error.text()
    assert "line 3" in text and "column 2" in text
    assert panel.spec == spec


def test_every_preset_opens(qtbot, make_panel):
    panel = make_panel("XOR")
    for name in presets.names():
        panel.load_preset(name)
        assert panel.spec.input == tuple(panel.data.input_shape)
    no_failure(panel)


def test_the_preset_box_says_when_the_network_or_data_were_edited(qtbot, make_panel):
    panel = make_panel("XOR")
    box = panel.preset_box
    names = presets.names()
    assert box.currentText() == "XOR" and box.count() == len(names)
    d = panel.spec.to_dict()
    d["layers"][0]["units"] += 1
    panel.canvas.specEdited.emit(d)
    assert box.currentText() == "XOR (edited)" and box.count() == len(names) + 1
    box.activated.emit(0)  # choosing the edited entry opens nothing
    assert panel.spec.layers[0].units == d["layers"][0]["units"]
    panel.data_panel.datasetChosen.emit("circle")  # a second edit: still one such entry
    assert box.currentText() == "XOR (edited)" and box.count() == len(names) + 1
    box.activated.emit(box.findText("Spiral (Playground)"))
    assert box.currentText() == "Spiral (Playground)" and box.count() == len(names)
    assert [box.itemText(i) for i in range(box.count())] == names
    no_failure(panel)


def test_demo_trains_synchronously_without_a_thread(qtbot):
    panel = NetworkLabPanel.demo("xor", steps=20, size=(1500, 950))
    qtbot.addWidget(panel)
    assert panel.worker_thread is None
    assert panel.latest["step"] == 20
    assert panel.loss_plot.point_count() >= 2


def test_a_device_change_moves_training_and_keeps_the_weights(qtbot, make_panel):
    import engine

    panel = make_panel("XOR")
    panel.step_once()
    qtbot.waitUntil(lambda: step_of(panel) == 1, timeout=SLOW)
    weights = panel.latest["params"]["0.W"].copy()
    before = engine.current_device()
    try:
        engine.use_device("numpy")
        panel.use_current_device()
        assert panel.model.device.name == "numpy"
        qtbot.waitUntil(lambda: panel.latest is not None and panel.latest["step"] == 1, timeout=SLOW)
        np.testing.assert_allclose(panel.latest["params"]["0.W"], weights, rtol=1e-6)
    finally:
        engine.use_device(before.name)


def test_a_learning_rate_that_is_not_positive_is_refused(qtbot, make_panel):
    panel = make_panel("XOR")
    panel.set_learning_rate(-1.0)
    assert "above 0" in panel.banner_text()
    assert panel.settings["lr"] == presets.get("XOR").lr


def test_demo_screenshot_writes_a_png(qtbot, tmp_path):
    from app.network_lab import save_demo_screenshot

    path = tmp_path / "lab.png"
    assert save_demo_screenshot("xor", 10, str(path), size=(900, 600)) == 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_demo_panel_can_go_on_training_in_the_background(qtbot):
    panel = NetworkLabPanel.demo("xor", steps=10)
    qtbot.addWidget(panel)
    panel.start_background()
    panel.play()
    qtbot.waitUntil(lambda: panel.latest["step"] > 10, timeout=SLOW)
    panel.shutdown()
    assert panel.worker_thread is None
