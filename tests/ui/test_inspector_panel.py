"""InspectorPanel: buttons and keys ask the controller, arrays are laid out, clicks come back with their key."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from ui.inspector_panel import SHORTCUTS, InspectorPanel


@pytest.fixture
def panel(qtbot):
    p = InspectorPanel()
    qtbot.addWidget(p)
    p.resize(900, 700)
    p.show()
    return p


def test_buttons_emit_requests(qtbot, panel):
    panel.set_controls(can_back=True, can_next=True)
    for button, signal in ((panel.next_button, panel.nextRequested), (panel.back_button, panel.backRequested),
                           (panel.phase_button, panel.phaseEndRequested),
                           (panel.restart_button, panel.restartRequested), (panel.close_button, panel.closeRequested)):
        with qtbot.waitSignal(signal):
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_every_request_has_its_keys_and_busy_turns_them_off(qtbot, panel):
    for name, keys in SHORTCUTS.items():
        action = panel.actions_by_name[name]
        assert action.shortcuts() == [QKeySequence(k) for k in keys]
    panel.set_controls(can_back=False, can_next=True, busy=True)
    assert not panel.actions_by_name["next"].isEnabled() and not panel.next_button.isEnabled()
    panel.set_controls(can_back=False, can_next=True, restart_text="⟲ Next batch")
    assert panel.actions_by_name["next"].isEnabled() and not panel.actions_by_name["back"].isEnabled()
    assert panel.restart_button.text() == "⟲ Next batch"
    with qtbot.waitSignal(panel.nextRequested):
        panel.actions_by_name["next"].trigger()


def test_matrices_are_laid_out_and_clicks_carry_the_key(qtbot, panel):
    z = np.arange(6.0).reshape(2, 3)
    panel.set_matrices([{"key": "W", "name": "W⁽¹⁾", "array": np.ones((3, 2))},
                        {"key": "z", "name": "z⁽¹⁾", "array": z, "op": "=", "clickable": True}])
    assert panel.matrix_keys() == ["W", "z"]
    view = panel.matrix_view("z")
    assert np.array_equal(view.array(), z)
    with qtbot.waitSignal(panel.cellClicked) as blocker:
        qtbot.mouseClick(view.grid, Qt.MouseButton.LeftButton, pos=view.cell_center((1, 2)))
    assert blocker.args == ["z", (1, 2)]


def test_samples_phase_strip_messages_and_the_stepper_page(qtbot, panel):
    panel.set_samples(3, 1)
    assert panel.sample() == 1 and panel.sample_box.count() == 4
    with qtbot.waitSignal(panel.sampleChanged) as blocker:
        panel.sample_box.activated.emit(0)
    assert blocker.args == [-1]
    panel.set_position("Operation 3 of 9", "backward")
    assert panel.phase() == "backward" and panel.position.text() == "Operation 3 of 9"
    panel.set_message("Training went on.", error=True)
    assert panel.message_text() == "Training went on."
    panel.set_message(None)
    assert panel.message_text() == ""
    from engine.explain import matmul_steps

    a, b = np.ones((2, 2)), np.eye(2)
    panel.open_stepper(a, b, a @ b, matmul_steps(a, b), ("A", "B", "C"), (1, 0))
    assert panel.stepper_open() and panel.stepper.step_index() == 2
    qtbot.mouseClick(panel.stepper_back, Qt.MouseButton.LeftButton)
    assert not panel.stepper_open()
