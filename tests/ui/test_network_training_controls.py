"""The network lab's training bar: buttons and settings emit; setters mirror without echo."""

import pytest
from PySide6.QtCore import Qt

from ui.training_controls import SPEEDS, TrainingControls


@pytest.fixture
def controls(qtbot):
    c = TrainingControls()
    qtbot.addWidget(c)
    return c


def test_play_toggles_and_relabels(qtbot, controls):
    with qtbot.waitSignal(controls.playToggled) as blocker:
        qtbot.mouseClick(controls.play_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [True]
    assert "Pause" in controls.play_button.text()
    with qtbot.assertNotEmitted(controls.playToggled):
        controls.set_running(False)
    assert "Train" in controls.play_button.text()
    assert not controls.is_running()


def test_step_and_reset(qtbot, controls):
    with qtbot.waitSignal(controls.stepRequested):
        qtbot.mouseClick(controls.step_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(controls.resetRequested):
        qtbot.mouseClick(controls.reset_button, Qt.MouseButton.LeftButton)


def test_learning_rate_from_list_and_typed(qtbot, controls):
    with qtbot.waitSignal(controls.learningRateChanged) as blocker:
        controls.learning_rate.setCurrentText("0.3")
        controls.learning_rate.lineEdit().editingFinished.emit()
    assert blocker.args == [pytest.approx(0.3)]
    with qtbot.assertNotEmitted(controls.learningRateChanged):
        controls.learning_rate.lineEdit().editingFinished.emit()  # unchanged: no echo


def test_settings_choices_emit_engine_names(qtbot, controls):
    with qtbot.waitSignal(controls.optimizerChanged) as blocker:
        controls.optimizer.setCurrentIndex(controls.optimizer.findData("momentum"))
    assert blocker.args == ["momentum"]
    with qtbot.waitSignal(controls.lossChanged) as blocker:
        controls.loss.setCurrentIndex(controls.loss.findData("bce"))
    assert blocker.args == ["bce"]
    with qtbot.waitSignal(controls.regularizationChanged) as blocker:
        controls.regularization.setCurrentIndex(controls.regularization.findData("l2"))
    assert blocker.args == ["l2"]
    with qtbot.waitSignal(controls.regularizationRateChanged) as blocker:
        controls.reg_rate.setCurrentText("0.01")
    assert blocker.args == [pytest.approx(0.01)]
    with qtbot.waitSignal(controls.initChanged) as blocker:
        controls.init.setCurrentIndex(controls.init.findData("he"))
    assert blocker.args == ["he"]


def test_set_settings_mirrors_without_signals(qtbot, controls):
    signals = [controls.optimizerChanged, controls.learningRateChanged, controls.lossChanged,
               controls.regularizationChanged, controls.regularizationRateChanged, controls.initChanged]
    for s in signals:
        s.connect(lambda *a: pytest.fail("echo"))
    controls.set_settings({"optimizer": "adam", "lr": 0.003, "batch_size": 32, "loss": "softmax_ce",
                           "regularization": "l1", "reg_rate": 0.0005, "init": "zeros"})
    assert controls.optimizer.currentData() == "adam"
    assert controls.learning_rate_value() == pytest.approx(0.003)
    assert controls.batch_size.value() == 32
    assert controls.loss.currentData() == "softmax_ce"
    assert controls.reg_rate.currentText() == "0.0005"


def test_speed_and_counters(qtbot, controls):
    with qtbot.waitSignal(controls.speedChanged) as blocker:
        controls.speed.setValue(0)
    assert blocker.args == [SPEEDS[0]]
    assert "1 steps/s" in controls.speed_label.text()
    controls.set_counters(12345, 7)
    assert "12,345" in controls.counter.text() and "7" in controls.counter.text()


def test_losses_that_do_not_fit_are_greyed(controls):
    controls.set_losses(("mse",))
    model = controls.loss.model()
    enabled = {controls.loss.itemData(i): model.item(i).isEnabled() for i in range(controls.loss.count())}
    assert enabled == {"mse": True, "bce": False, "softmax_ce": False}
