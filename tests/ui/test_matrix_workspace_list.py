"""WorkspaceList: names and shapes shown; new, duplicate, delete and rename asked for."""

from PySide6.QtCore import Qt

from ui.workspace_list import WorkspaceList


def _list(qtbot):
    w = WorkspaceList()
    qtbot.addWidget(w)
    w.set_items([("A", (3, 2)), ("B", (2, 3)), ("v", (4,))], current="B")
    return w


def test_shows_names_and_shapes(qtbot):
    w = _list(qtbot)
    assert w.names() == ["A", "B", "v"]
    assert w.shapes() == ["3×2", "2×3", "4"]
    assert w.current() == "B"


def test_selecting_reports_the_name_and_set_current_does_not(qtbot):
    w = _list(qtbot)
    seen = []
    w.selected.connect(seen.append)
    w.set_current("A")
    assert seen == []
    w.tree.setCurrentItem(w.tree.topLevelItem(2))
    assert seen == ["v"]


def test_buttons_ask_for_new_duplicate_delete(qtbot):
    w = _list(qtbot)
    with qtbot.waitSignal(w.newRequested):
        qtbot.mouseClick(w.new_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(w.duplicateRequested) as blocker:
        qtbot.mouseClick(w.duplicate_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["B"]
    with qtbot.waitSignal(w.deleteRequested) as blocker:
        qtbot.mouseClick(w.delete_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["B"]


def test_editing_a_name_asks_for_a_rename(qtbot):
    w = _list(qtbot)
    with qtbot.waitSignal(w.renameRequested) as blocker:
        w.rename("A", "Weights")
    assert blocker.args == ["A", "Weights"]


def test_empty_list_disables_duplicate_and_delete(qtbot):
    w = WorkspaceList()
    qtbot.addWidget(w)
    w.set_items([])
    assert not w.duplicate_button.isEnabled() and not w.delete_button.isEnabled()
    assert w.current() is None
