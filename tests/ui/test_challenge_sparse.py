"""The Sparse challenge widgets: grid, format arrays and the view, both directions."""

import numpy as np

from engine.compress import sparse as sp
from ui.challenge_sparse_formats import HIGHLIGHT, SparseFormatsView
from ui.challenge_sparse_grid import SparseGrid
from ui.challenge_sparse_view import SLIDER_STEPS, SparseView

A = np.array([[5.0, 0, 0, 1], [0, 0, 0, 0], [0, 2, 3, 0]])


def forms(a):
    return {f: sp.convert(a, f).arrays() for f in sp.FORMATS}


def test_grid_shows_numbers_for_small_and_a_heatmap_for_large(qtbot):
    grid = SparseGrid()
    qtbot.addWidget(grid)
    grid.set_matrix(A)
    assert grid.is_grid()
    assert grid.table.item(0, 0).text() == "5" and grid.table.item(1, 1).text() == "·"
    with qtbot.waitSignal(grid.cellSelected) as sig:
        grid.select(2, 1)
    assert sig.args == [2, 1]
    grid.set_matrix(np.eye(60))
    assert not grid.is_grid()


def test_formats_list_arrays_and_highlight_where_an_entry_lives(qtbot):
    view = SparseFormatsView()
    qtbot.addWidget(view)
    info = sp.storage(A, dtype=np.float32)
    view.set_formats(forms(A), info)
    assert "CSR" in view.boxes["csr"].title() and f"{info['csr']:,} bytes" in view.boxes["csr"].title()
    t = view.tables["csr"]
    assert [t.item(0, k).text() for k in range(4)] == ["0", "2", "2", "4"]  # indptr
    view.highlight(2, 2)  # the 3: CSR position 3, rows 2..3 of indptr; CSC column 2
    assert set(view.highlighted("csr")) == {("indptr", 2), ("indptr", 3), ("indices", 3), ("values", 3)}
    assert ("values", 2) in view.highlighted("csc")
    assert set(view.highlighted("coo")) == {("rows", 3), ("cols", 3), ("values", 3)}
    assert view.tables["coo"].item(0, 3).background().color() == HIGHLIGHT


def test_formats_truncate_long_arrays(qtbot):
    view = SparseFormatsView()
    qtbot.addWidget(view)
    a = np.arange(1, 101, dtype=float).reshape(10, 10)
    view.set_formats(forms(a), sp.storage(a))
    t = view.tables["coo"]
    assert t.columnCount() == 65 and t.item(0, 64).text() == "+36"


def test_view_threshold_slider_and_box_agree_and_emit(qtbot):
    view = SparseView()
    qtbot.addWidget(view)
    view.set_sources(["A", "B"], "B")
    assert view.current_source() == "B"
    view.set_range(2.0)
    with qtbot.waitSignal(view.thresholdChanged) as sig:
        view.slider.setValue(SLIDER_STEPS // 4)
    assert sig.args[0] == 0.5 and view.spin.value() == 0.5
    with qtbot.waitSignal(view.thresholdChanged):
        view.spin.setValue(1.0)
    assert view.slider.value() == SLIDER_STEPS // 2
    with qtbot.assertNotEmitted(view.thresholdChanged):
        view.set_threshold(0.2)
    assert view.threshold() == 0.2
    with qtbot.waitSignal(view.sourceChanged) as sig:
        view.source.setCurrentText("A")
    assert sig.args == ["A"]
    with qtbot.waitSignal(view.timingRequested):
        view.measure.click()


def test_view_draws_matrix_bytes_and_timing(qtbot):
    view = SparseView()
    qtbot.addWidget(view)
    info = sp.storage(A, dtype=np.float32)
    view.set_matrix(A, "A")
    view.set_formats(forms(A), info)
    assert "4 of 12" in view.kept.text()
    assert list(view.bars.opts["height"]) == [info[k] for k in ("dense", "coo", "csr", "csc")]
    view.set_timing([1.0, 0.1], [2e-3, 1e-4], [1e-3, 1e-3], "note")
    xs, ys = view.sparse_curve.getData()
    assert len(xs) == 2 and view.timing_note.text() == "note"
    view.grid.select(0, 3)
    assert ("values", 1) in view.formats.highlighted("csr")
    view.set_message("Nothing left.", error=True)
    assert "b00020" in view.message.styleSheet()
