"""The matrix lab panel: workspace edits with undo, operations through engine.linalg,
errors as sentences, clipboard, files and LaTeX."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from app.matrix_lab import (
    MatrixLabPanel,
    block_text,
    check_operation,
    make_fill,
    parse_block,
    read_matrix_file,
    to_latex,
)

A = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
B = np.array([[7.0, 8.0, 9.0], [10.0, 11.0, 12.0]])


@pytest.fixture
def panel(qtbot):
    p = MatrixLabPanel()
    qtbot.addWidget(p)
    # Small operations answer at once here; the worker path has its own tests.
    p.first_call_in_worker = False
    p.resize(1400, 900)
    p.add_matrix(A, "A")
    p.add_matrix(B, "B")
    p.undo_stack.clear()
    p.select("A")
    return p


# ------------------------------------------------------------------ editing and undo


def test_editing_a_cell_updates_the_workspace_and_undo_restores_it(panel):
    model = panel.editor.model
    assert model.setData(model.index(0, 1), "9", Qt.ItemDataRole.EditRole)
    assert panel.matrix("A")[0, 1] == 9.0
    panel.undo_action.trigger()
    assert panel.matrix("A")[0, 1] == 2.0
    assert model.value(0, 1) == 2.0  # the grid follows the document back
    panel.redo_action.trigger()
    assert panel.matrix("A")[0, 1] == 9.0 and model.value(0, 1) == 9.0


def test_workspace_changes_show_in_the_grid(panel):
    panel.set_cell("A", 2, 0, -1.5)
    assert panel.editor.model.data(panel.editor.model.index(2, 0)) == "-1.5"


def test_bad_cell_text_is_refused_with_a_message_and_nothing_recorded(panel):
    model = panel.editor.model
    assert not model.setData(model.index(1, 1), "four", Qt.ItemDataRole.EditRole)
    assert panel.matrix("A")[1, 1] == 4.0
    assert panel.message_kind() == "error"
    assert "A[2,2] keeps 4" in panel.message()
    assert panel.undo_stack.count() == 0


def test_resize_fill_insert_remove_are_undoable(panel):
    panel.editor.rows_spin.setValue(4)
    assert panel.matrix("A").shape == (4, 2)
    np.testing.assert_array_equal(panel.matrix("A")[:3], A)
    panel.fill("A", "identity")
    np.testing.assert_array_equal(panel.matrix("A"), np.eye(4, 2))
    panel.editor.select_block(0, 0, 0, 0)
    panel._insert("column", 0)
    assert panel.matrix("A").shape == (4, 3)
    panel._remove("row", 0, 2)
    assert panel.matrix("A").shape == (2, 3)
    for _ in range(4):
        panel.undo_action.trigger()
    np.testing.assert_array_equal(panel.matrix("A"), A)
    assert panel.editor.rows_spin.value() == 3


def test_fills_are_reproducible_with_a_seed():
    np.testing.assert_array_equal(make_fill("normal", (3, 3), 7), make_fill("normal", (3, 3), 7))
    assert not np.array_equal(make_fill("normal", (3, 3), 7), make_fill("normal", (3, 3), 8))
    np.testing.assert_array_equal(make_fill("range", (2, 3), 0), [[1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(make_fill("diagonal", (3, 3), 0), np.diag([1, 2, 3]))


def test_new_duplicate_delete_rename_with_undo(panel, qtbot):
    name = panel.new_matrix()
    assert name == "C" and panel.matrix("C").shape == (3, 3)
    dup = panel.duplicate("A")
    assert dup == "D" and panel.names() == ["A", "D", "B", "C"]
    panel.delete("A")
    assert "A" not in panel.names()
    panel.undo_action.trigger()
    np.testing.assert_array_equal(panel.matrix("A"), A)
    assert panel.rename("A", "W")
    assert panel.names()[0] == "W" and panel.current() == "W"
    assert panel.list.names()[0] == "W"
    panel.undo_action.trigger()
    assert panel.names()[0] == "A"
    assert panel.current() == "A"


def test_rename_through_the_list(panel, qtbot):
    panel.list.rename("B", "Weights")
    qtbot.waitUntil(lambda: "Weights" in panel.names())
    assert panel.ops.left_combo.findText("Weights") >= 0


def test_bad_or_taken_names_are_refused(panel, qtbot):
    assert not panel.rename("A", "B")
    assert "already a matrix called B" in panel.message()
    assert not panel.rename("A", "2x")
    assert "cannot name a matrix" in panel.message()
    assert panel.names() == ["A", "B"]
    assert panel.list.names() == ["A", "B"]


def test_shape_beyond_the_limit_is_refused_and_nothing_lost(panel):
    assert not panel.set_shape("A", 100000, 100000)
    assert panel.message_kind() == "error" and "refused" in panel.message()
    np.testing.assert_array_equal(panel.matrix("A"), A)


# ------------------------------------------------------------------ operations


def test_matmul_lands_as_a_new_matrix_with_device_and_time(panel, qtbot):
    with qtbot.waitSignal(panel.statusMessage) as blocker:
        name = panel.run_operation("matmul", "A", "B")
    assert name == "C"
    np.testing.assert_allclose(panel.matrix("C"), A @ B, rtol=1e-5)
    assert panel.message_kind() == "ok"
    assert "C = A · B (3×3); ran on " in panel.message()
    assert " ms" in panel.message()
    assert "ran on" in blocker.args[0]
    assert panel.current() == "C"
    panel.undo_action.trigger()
    assert panel.names() == ["A", "B"]


@pytest.mark.parametrize(
    "op, left, right, expected",
    [
        ("add", "A", "A", A + A),
        ("sub", "A", "A", A - A),
        ("mul", "A", "A", A * A),
        ("scale", "A", "", 2.5 * A),
        ("transpose", "A", "", A.T),
    ],
)
def test_elementwise_and_transpose(panel, op, left, right, expected):
    name = panel.run_operation(op, left, right, 2.5)
    np.testing.assert_allclose(panel.matrix(name), expected, rtol=1e-5)


def test_square_operations_and_scalars(panel):
    m = np.array([[2.0, 1.0, 1.0], [4.0, -6.0, 0.0], [-2.0, 7.0, 2.0]])
    panel.add_matrix(m, "M")
    panel.add_matrix([[5.0], [-2.0], [9.0]], "b")
    inv = panel.run_operation("inv", "M")
    np.testing.assert_allclose(panel.matrix(inv), np.linalg.inv(m), rtol=1e-4, atol=1e-6)
    det = panel.run_operation("det", "M")
    assert panel.matrix(det).shape == (1, 1)
    assert panel.matrix(det)[0, 0] == pytest.approx(-16.0, rel=1e-4)
    assert "det M = -16" in panel.message()
    x = panel.run_operation("solve", "M", "b")
    np.testing.assert_allclose(panel.matrix(x)[:, 0], np.linalg.solve(m, [5.0, -2.0, 9.0]), rtol=1e-4)
    panel.add_matrix([[1.0, 2.0, 3.0]], "u")
    d = panel.run_operation("dot", "u", "b")
    assert panel.matrix(d)[0, 0] == pytest.approx(5.0 - 4.0 + 27.0)


@pytest.mark.parametrize(
    "op, left, right, words",
    [
        ("matmul", "A", "A", "A is 3×2 and A is 3×2: A·A needs A's columns (2) to equal A's rows (3)."),
        ("add", "A", "B", "A is 3×2 and B is 2×3: A + B works entry by entry"),
        ("inv", "A", "", "A is 3×2: only a square matrix has an inverse"),
        ("det", "B", "", "B is 2×3: only a square matrix has a determinant"),
        ("solve", "A", "B", "solving Ax = B needs a square A"),
        ("dot", "A", "B", "A is 3×2: u·v needs two vectors"),
    ],
)
def test_wrong_shapes_give_the_message_and_no_result(panel, op, left, right, words):
    names = panel.names()
    assert panel.run_operation(op, left, right) is None
    assert panel.message_kind() == "error"
    assert words in panel.message()
    assert panel.names() == names
    assert panel.undo_stack.count() == 0


def test_the_issue_example_sentence():
    text = check_operation("matmul", np.ones((3, 2)), np.ones((3, 2)), ("A", "B"))
    assert text == "A is 3×2 and B is 3×2: A·B needs A's columns (2) to equal B's rows (3)."


def test_singular_matrix_is_explained_and_nothing_lost(panel):
    panel.add_matrix([[1.0, 2.0], [2.0, 4.0]], "S")
    names = panel.names()
    assert panel.run_operation("inv", "S") is None
    assert panel.message_kind() == "error"
    assert panel.message().startswith("S is singular: column 2 has no non-zero pivot")
    assert "Press “S⁻¹ by elimination” to watch the pivot vanish." in panel.message()
    assert panel.names() == names
    # det of a singular matrix is simply 0.
    assert panel.matrix(panel.run_operation("det", "S"))[0, 0] == 0.0


def test_too_big_for_the_device_is_refused_before_allocation(panel, monkeypatch):
    import engine
    import opencl

    device = engine.current_device()
    if device.cl is None:
        pytest.skip("the numpy reference device has no allocation limit")

    def refuse(nbytes):
        raise opencl.BufferTooLargeError(nbytes, 1024, device.name)

    monkeypatch.setattr(device.cl, "check_alloc", refuse)
    names = panel.names()
    assert panel.run_operation("matmul", "A", "B") is None
    assert panel.message().startswith("A · B was not run: A buffer of ")
    assert "does not fit on" in panel.message()
    assert panel.names() == names


def test_overflow_is_a_sentence(panel):
    panel.add_matrix(np.full((2, 2), 1e300), "H")
    assert panel.run_operation("matmul", "H", "H") is None
    assert "overflowed" in panel.message()


def test_nonfinite_operands_are_refused(panel):
    panel.set_cell("A", 0, 0, float("nan"))
    assert panel.run_operation("transpose", "A") is None
    assert "A holds NaN or infinity (first at A[1,1])" in panel.message()


def test_operation_buttons_run_with_the_picked_operands(panel, qtbot):
    panel.ops.set_operands("A", "B")
    qtbot.mouseClick(panel.ops.buttons["matmul"], Qt.MouseButton.LeftButton)
    assert "C" in panel.names()


def test_big_products_run_off_the_gui_thread(panel, qtbot):
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(260, 250)), rng.normal(size=(250, 240))
    panel.add_matrix(a, "P")
    panel.add_matrix(b, "Q")
    assert panel.run_operation("matmul", "P", "Q") is None
    assert panel.is_busy()
    assert "Running P · Q" in panel.message()
    assert not panel.ops.buttons["add"].isEnabled()
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=60000)
    assert panel.message_kind() == "ok", panel.message()
    result = panel.matrix(panel.current())
    np.testing.assert_allclose(result, a @ b, rtol=1e-3, atol=1e-3)
    assert panel.editor.is_heatmap()


def test_the_first_operation_on_a_device_runs_on_the_worker(qtbot):
    p = MatrixLabPanel()
    qtbot.addWidget(p)
    p.add_matrix(A, "A")
    p.add_matrix(B, "B")
    assert p.run_operation("matmul", "A", "B") is None  # kernels may be building
    qtbot.waitUntil(lambda: not p.is_busy(), timeout=60000)
    assert p.message_kind() == "ok", p.message()
    np.testing.assert_allclose(p.matrix("C"), A @ B, rtol=1e-5)
    assert p.run_operation("transpose", "C") == "D"  # now warm: at once


# ------------------------------------------------------------------ step-by-step views


def test_matmul_steps_open_the_stepper(panel):
    assert panel.show_steps("matmul", "A", "B")
    assert panel.tabs.currentWidget() is panel.stepper
    assert panel.stepper.step_count() == 9
    panel.stepper.set_step(4)
    assert panel.stepper.formula_text() == "C[2,2] = 3·8 + 4·11 = 68"


def test_elimination_steps_open_the_view_and_end_at_the_inverse(panel):
    m = np.array([[4.0, 7.0], [2.0, 6.0]])
    panel.add_matrix(m, "M")
    assert panel.show_steps("inverse", "M")
    view = panel.elimination
    assert panel.tabs.currentWidget() is view
    view.set_step(view.step_count() - 1)
    np.testing.assert_allclose(view.matrix()[:, 2:], np.linalg.inv(m))


def test_steps_with_wrong_shapes_explain(panel):
    assert not panel.show_steps("matmul", "A", "A")
    assert "A's columns (2)" in panel.message()
    assert not panel.show_steps("det", "A")
    assert "square" in panel.message()


# ------------------------------------------------------------------ clipboard, files, LaTeX


def test_parse_block_reads_tabs_commas_and_spaces():
    np.testing.assert_array_equal(parse_block("1\t2\n3\t4\n"), [[1, 2], [3, 4]])
    np.testing.assert_array_equal(parse_block("1,2,3\r\n4,5,6"), [[1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(parse_block("1 2\n3   4"), [[1, 2], [3, 4]])
    np.testing.assert_array_equal(parse_block("1\t2\t\n3\t4\t"), [[1, 2], [3, 4]])


@pytest.mark.parametrize(
    "text, words",
    [
        ("1,2\n3,x", "line 2, column 2: 'x' is not a number"),
        ("1,2\n3", "line 2 has 1 values but line 1 has 2"),
        ("1,,2", "line 1, column 2: the cell is empty"),
        ("  \n", "holds no numbers"),
    ],
)
def test_parse_block_errors_name_line_and_column(text, words):
    with pytest.raises(ValueError, match=words):
        parse_block(text)


def test_copy_then_paste_round_trip(panel, qtbot):
    panel.editor.select_block(1, 0, 2, 1)
    text = panel.copy_selection()
    assert text == "3\t4\n5\t6"
    assert QGuiApplication.clipboard().text() == text
    panel.select("B")
    panel.editor.select_block(0, 1, 0, 1)
    assert panel.paste()
    np.testing.assert_array_equal(panel.matrix("B"), [[7, 3, 4], [10, 5, 6]])
    panel.undo_action.trigger()
    np.testing.assert_array_equal(panel.matrix("B"), B)


def test_paste_grows_the_matrix_and_refuses_bad_text(panel):
    panel.editor.select_block(2, 1, 2, 1)
    assert panel.paste("1,2\n3,4")
    assert panel.matrix("A").shape == (4, 3)
    assert "grew to 4×3" in panel.message()
    before = panel.matrix("A")
    assert not panel.paste("1\tzwei")
    assert "line 1, column 2" in panel.message()
    np.testing.assert_array_equal(panel.matrix("A"), before)


def test_full_precision_survives_copy_and_paste(panel):
    v = np.array([[1 / 3, -2.0e-7], [np.pi, 1e20]])
    np.testing.assert_array_equal(parse_block(block_text(v)), v)


@pytest.mark.parametrize("suffix", [".csv", ".npy"])
def test_export_import_round_trip(panel, tmp_path, suffix):
    rng = np.random.default_rng(1)
    panel.add_matrix(rng.normal(size=(4, 5)), "R")
    path = tmp_path / f"weights{suffix}"
    assert panel.export_file(path, "R")
    name = panel.import_file(path)
    assert name == "weights"
    np.testing.assert_array_equal(panel.matrix("weights"), panel.matrix("R"))
    assert "Imported weights" in panel.message()


def test_import_errors_are_sentences_and_nothing_lost(panel, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2,3\n4,five,6\n")
    names = panel.names()
    assert panel.import_file(bad) is None
    assert "bad.csv, line 2, column 2: 'five' is not a number" in panel.message()
    pickled = tmp_path / "obj.npy"
    np.save(pickled, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    assert panel.import_file(pickled) is None
    assert "Python objects" in panel.message()
    cube = tmp_path / "cube.npy"
    np.save(cube, np.zeros((2, 2, 2)))
    assert panel.import_file(cube) is None
    assert "3-D array" in panel.message()
    assert panel.import_file(tmp_path / "missing.csv") is None
    assert "could not be read" in panel.message()
    assert panel.names() == names


def test_one_dimensional_npy_is_a_column(tmp_path):
    path = tmp_path / "v.npy"
    np.save(path, np.arange(3.0))
    assert read_matrix_file(path).shape == (3, 1)


def test_latex(panel):
    assert to_latex([[1, 2.5], [-3, 1e-9]]) == (
        "\\begin{bmatrix}\n  1 & 2.5 \\\\\n  -3 & 1 \\times 10^{-9}\n\\end{bmatrix}"
    )
    text = panel.copy_latex()
    assert text.startswith("\\begin{bmatrix}\n  1 & 2 \\\\\n  3 & 4")
    assert QGuiApplication.clipboard().text() == text


# ------------------------------------------------------------------ for the main window


def test_menus_and_actions(panel):
    menus = panel.menus()
    assert [m.title() for m in menus] == ["&Matrix", "&Operations"]
    texts = [a.text() for a in menus[1].actions() if a.text()]
    assert "A · B" in texts and "A⁻¹" in texts
    assert panel.edit_actions() == [panel.undo_action, panel.redo_action]
    assert not panel.undo_action.shortcut().isEmpty()
    panel.ops.set_operands("B", "A")
    assert panel.operation_actions["matmul"].text() == "B · A"
    panel.operation_actions["matmul"].trigger()
    assert panel.matrix(panel.current()).shape == (2, 2)


def test_demo_opens_the_stepper_mid_way(qtbot):
    p = MatrixLabPanel.demo()
    qtbot.addWidget(p)
    assert p.names() == ["A", "B", "M", "b"]
    assert p.matrix("A").shape == (3, 2) and p.matrix("B").shape == (2, 3)
    assert p.tabs.currentWidget() is p.stepper
    assert 0 < p.stepper.step_index() < p.stepper.step_count() - 1
    assert p.elimination.step_count() > 0
    assert p.undo_stack.count() == 0


def test_standard_shortcuts_copy_paste_delete_undo(panel, qtbot):
    with qtbot.waitActive(panel):  # shortcuts only fire in the active window
        panel.show()
        panel.activateWindow()
    view = panel.editor.view
    view.setFocus()
    panel.editor.select_block(0, 0, 1, 1)
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "1\t2\n3\t4"
    panel.editor.select_block(1, 0, 1, 0)
    qtbot.keyClick(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    np.testing.assert_array_equal(panel.matrix("A"), [[1, 2], [1, 2], [3, 4]])
    panel.editor.select_block(0, 0, 0, 1)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    np.testing.assert_array_equal(panel.matrix("A")[0], [0, 0])
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    np.testing.assert_array_equal(panel.matrix("A"), A)
