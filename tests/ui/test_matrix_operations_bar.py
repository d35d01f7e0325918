"""OperationsBar: operand pickers and a button per operation, labelled with the picked names."""

from PySide6.QtCore import Qt

from ui.operations_bar import OPERATIONS, OperationsBar, operation_label


def _bar(qtbot, names=("A", "B", "C")):
    bar = OperationsBar()
    qtbot.addWidget(bar)
    bar.set_names(list(names))
    return bar


def test_every_operation_of_the_issue_has_a_button():
    assert [k for k, *_ in OPERATIONS] == ["add", "sub", "mul", "scale", "matmul", "transpose", "dot", "inv",
                                           "det", "solve"]
    assert operation_label("matmul", "A", "B") == "A · B"
    assert operation_label("inv", "M", "") == "M⁻¹"
    assert operation_label("solve", "M", "b") == "solve Mx = b"


def test_labels_follow_the_picked_operands(qtbot):
    bar = _bar(qtbot)
    assert (bar.left(), bar.right()) == ("A", "B")
    assert bar.label("mul") == "A ⊙ B"
    bar.set_operands("C", "A")
    assert bar.label("matmul") == "C · A"
    assert bar.label("transpose") == "Cᵀ"
    assert bar.step_buttons["inverse"].text() == "C⁻¹ by elimination"


def test_buttons_emit_the_operation_with_operands_and_k(qtbot):
    bar = _bar(qtbot)
    bar.k_spin.setValue(-1.5)
    with qtbot.waitSignal(bar.operationRequested) as blocker:
        qtbot.mouseClick(bar.buttons["scale"], Qt.MouseButton.LeftButton)
    assert blocker.args == ["scale", "A", "B", -1.5]
    with qtbot.waitSignal(bar.stepsRequested) as blocker:
        qtbot.mouseClick(bar.step_buttons["det"], Qt.MouseButton.LeftButton)
    assert blocker.args == ["det", "A", "B"]


def test_new_names_keep_existing_picks(qtbot):
    bar = _bar(qtbot)
    bar.set_operands("C", "B")
    bar.set_names(["A", "B", "C", "D"])
    assert (bar.left(), bar.right()) == ("C", "B")
    bar.set_names(["A"])
    assert (bar.left(), bar.right()) == ("A", "A")


def test_empty_workspace_disables_the_buttons(qtbot):
    bar = _bar(qtbot, names=())
    assert not any(b.isEnabled() for b in bar.buttons.values())
