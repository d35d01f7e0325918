"""MatrixTableModel: numbers in, numbers out; bad text refused with the old value kept."""

import math

import numpy as np
import pytest
from PySide6.QtCore import Qt

from ui.matrix_colors import NONFINITE_BACKGROUND
from ui.matrix_table_model import MatrixTableModel, parse_number

D, E, BG, TIP = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole,
                 Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole)


@pytest.mark.parametrize("text, value", [("3", 3.0), (" -1.5 ", -1.5), ("2e-3", 0.002), ("1/4", 0.25),
                                         ("−2", -2.0), ("nan", math.nan), ("-inf", -math.inf)])
def test_parse_number_accepts_what_people_type(text, value):
    got = parse_number(text)
    assert (math.isnan(got) and math.isnan(value)) or got == value


@pytest.mark.parametrize("text, words", [("abc", "'abc' is not a number"), ("", "needs a number"),
                                         ("1/0", "divides by zero"), ("1,5", "not a number")])
def test_parse_number_refuses_with_a_sentence(text, words):
    with pytest.raises(ValueError, match=words):
        parse_number(text)


def test_model_shows_the_array_with_one_based_headers(qtbot):
    m = MatrixTableModel(np.array([[1.0, 2.5], [-3.0, 1 / 3]]), name="A")
    assert (m.rowCount(), m.columnCount()) == (2, 2)
    assert m.data(m.index(0, 1), D) == "2.5"
    assert m.data(m.index(1, 1), D) == "0.3333"
    assert m.data(m.index(1, 1), E) == repr(1 / 3)  # full precision for editing
    assert m.headerData(0, Qt.Orientation.Horizontal) == "1"
    assert m.headerData(1, Qt.Orientation.Vertical) == "2"
    assert m.data(m.index(1, 0), TIP) == "A[2,1] = -3.0"


def test_edit_updates_the_array_and_reports_old_and_new(qtbot):
    m = MatrixTableModel(np.zeros((2, 2)), name="A")
    with qtbot.waitSignal(m.cellEdited) as blocker:
        assert m.setData(m.index(1, 0), "7.5", E)
    assert blocker.args == [1, 0, 0.0, 7.5]
    assert m.value(1, 0) == 7.5
    assert m.data(m.index(1, 0), D) == "7.5"


def test_bad_text_is_refused_and_the_old_value_kept(qtbot):
    m = MatrixTableModel(np.array([[4.0]]), name="B")
    edits = []
    m.cellEdited.connect(lambda *a: edits.append(a))
    with qtbot.waitSignal(m.editRejected) as blocker:
        assert not m.setData(m.index(0, 0), "four", E)
    assert m.value(0, 0) == 4.0
    assert edits == []
    assert blocker.args[0].startswith("B[1,1] keeps 4: 'four' is not a number")


def test_programmatic_set_value_changes_the_view_without_reporting_an_edit(qtbot):
    m = MatrixTableModel(np.zeros((2, 2)))
    edits = []
    m.cellEdited.connect(lambda *a: edits.append(a))
    with qtbot.waitSignal(m.dataChanged):
        m.set_value(0, 1, 3.0)
    assert m.data(m.index(0, 1), D) == "3"
    assert edits == []


def test_colours_diverge_around_zero_and_nonfinite_cells_are_flagged(qtbot):
    m = MatrixTableModel(np.array([[-2.0, 0.0, 2.0, np.nan, np.inf]]))
    neg, zero, pos = (m.data(m.index(0, c), BG) for c in range(3))
    assert neg.blue() > neg.red() and pos.red() > pos.blue()
    assert zero.red() == zero.green() == zero.blue()
    assert m.level() == 2.0
    for c in (3, 4):
        assert m.data(m.index(0, c), BG) == NONFINITE_BACKGROUND
        assert m.data(m.index(0, c), Qt.ItemDataRole.FontRole).bold()
    assert "NaN" in m.data(m.index(0, 3), TIP)
    assert "infinity" in m.data(m.index(0, 4), TIP)
    assert m.nonfinite_count() == 2


def test_shape_change_resets_the_model(qtbot):
    m = MatrixTableModel(np.zeros((2, 2)))
    with qtbot.waitSignal(m.modelReset):
        m.set_array(np.ones((3, 4)))
    assert (m.rowCount(), m.columnCount()) == (3, 4)


def test_read_only_model_refuses_edits(qtbot):
    m = MatrixTableModel(np.zeros((1, 1)))
    m.set_editable(False)
    assert not m.flags(m.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    assert not m.setData(m.index(0, 0), "1", E)
