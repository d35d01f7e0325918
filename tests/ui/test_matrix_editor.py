"""MatrixEditor: grid <-> model both ways, shape and fill requests, heatmap for big matrices."""

import numpy as np
from PySide6.QtCore import Qt

from ui.matrix_editor import GRID_LIMIT, MatrixEditor


def _editor(qtbot, array, name="A"):
    ed = MatrixEditor()
    qtbot.addWidget(ed)
    ed.set_matrix(name, array)
    ed.resize(900, 600)
    ed.show()
    qtbot.waitExposed(ed)
    return ed


def _type_into(qtbot, ed, row, col, text):
    ed.view.setCurrentIndex(ed.model.index(row, col))
    ed.view.edit(ed.model.index(row, col))
    editor = ed.view.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def test_typing_in_a_cell_updates_the_model_and_reports_the_edit(qtbot):
    ed = _editor(qtbot, np.zeros((2, 3)))
    with qtbot.waitSignal(ed.cellEdited) as blocker:
        _type_into(qtbot, ed, 1, 2, "4.25")
    assert blocker.args == [1, 2, 0.0, 4.25]
    assert ed.array()[1, 2] == 4.25


def test_bad_text_is_refused_in_the_grid(qtbot):
    ed = _editor(qtbot, np.full((2, 2), 3.0))
    with qtbot.waitSignal(ed.editRejected) as blocker:
        _type_into(qtbot, ed, 0, 0, "x1")
    assert "not a number" in blocker.args[0]
    assert ed.array()[0, 0] == 3.0


def test_model_changes_show_in_the_grid(qtbot):
    ed = _editor(qtbot, np.zeros((2, 2)))
    ed.set_value(0, 1, -5.0)
    assert ed.model.data(ed.model.index(0, 1)) == "-5"
    assert ed.color_bar.labels() == ("5", "0", "-5")
    ed.set_matrix("Q", np.arange(6.0).reshape(2, 3))
    assert ed.title.text() == "Q   (2×3)"
    assert (ed.rows_spin.value(), ed.cols_spin.value()) == (2, 3)


def test_shape_spins_ask_for_a_new_shape(qtbot):
    ed = _editor(qtbot, np.zeros((2, 2)))
    with qtbot.waitSignal(ed.shapeRequested) as blocker:
        ed.rows_spin.setValue(4)
    assert blocker.args == [4, 2]
    # The editor does not resize by itself: the app answers with set_matrix.
    assert ed.array().shape == (2, 2)


def test_fill_button_asks_for_the_preset_and_seed(qtbot):
    ed = _editor(qtbot, np.zeros((2, 2)))
    ed.preset_combo.setCurrentIndex(ed.preset_combo.findData("normal"))
    assert ed.seed_spin.isEnabled()
    ed.seed_spin.setValue(42)
    with qtbot.waitSignal(ed.fillRequested) as blocker:
        qtbot.mouseClick(ed.fill_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["normal", 42]
    ed.preset_combo.setCurrentIndex(ed.preset_combo.findData("identity"))
    assert not ed.seed_spin.isEnabled()


def test_context_menu_inserts_and_removes_rows_and_columns(qtbot):
    ed = _editor(qtbot, np.zeros((3, 3)))
    ed.select_block(1, 0, 2, 0)
    menu = ed.context_menu()
    actions = {a.text(): a for a in menu.actions() if a.text()}
    with qtbot.waitSignal(ed.insertRequested) as blocker:
        actions["Insert row above row 2"].trigger()
    assert blocker.args == ["row", 1]
    with qtbot.waitSignal(ed.removeRequested) as blocker:
        actions["Delete rows 2–3"].trigger()
    assert blocker.args == ["row", 1, 2]


def test_selection_block(qtbot):
    ed = _editor(qtbot, np.zeros((4, 4)))
    assert ed.selected_block() is None
    ed.select_block(1, 2, 3, 3)
    assert ed.selected_block() == (1, 2, 3, 3)
    assert ed.current_cell() == (1, 2)


def test_large_matrices_become_a_heatmap_with_explicit_levels_and_readout(qtbot):
    a = np.linspace(-3, 1, 300 * 300).reshape(300, 300)
    ed = _editor(qtbot, a, "W")
    assert ed.is_heatmap()
    assert ed.heatmap.levels() == (-3.0, 3.0)
    assert ed.color_bar.labels() == ("3", "0", "-3")
    # Pixel centres sit at 1..n, as the grid numbers rows and columns.
    assert ed.heatmap.cell_at(1.0, 1.0) == (0, 0)
    assert ed.heatmap.cell_at(40.2, 12.4) == (11, 39)
    assert ed.heatmap.cell_at(301.0, 1.0) is None
    with qtbot.waitSignal(ed.heatmap.hovered) as blocker:
        ed.heatmap.show_cell(11, 39)
    assert blocker.args[:2] == [11, 39]
    assert "row 12, column 40" in ed.heatmap.readout.text()
    small = _editor(qtbot, np.zeros((GRID_LIMIT, GRID_LIMIT)))
    assert not small.is_heatmap()


def test_nonfinite_entries_are_flagged_above_the_grid(qtbot):
    ed = _editor(qtbot, np.array([[1.0, np.nan], [np.inf, 2.0]]))
    assert ed.flag_label.isVisible()
    assert "2 entries are NaN or infinity" in ed.flag_label.text()
    ed.set_matrix("A", np.ones((2, 2)))
    assert not ed.flag_label.isVisible()


def test_delete_key_asks_to_clear_the_selection(qtbot):
    ed = _editor(qtbot, np.ones((3, 3)))
    with qtbot.waitActive(ed):  # shortcuts only fire in the active window
        ed.activateWindow()
    ed.view.setFocus()
    ed.select_block(0, 1, 1, 2)
    with qtbot.waitSignal(ed.clearRequested) as blocker:
        qtbot.keyClick(ed.view, Qt.Key.Key_Delete)
    assert blocker.args == [0, 1, 1, 2]
