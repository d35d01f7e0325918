"""InspectorMatrixView: numbers when small, a heatmap when large, tiles for stacks; hover and click."""

import numpy as np
from PySide6.QtCore import Qt

from engine.explain import fmt
from ui.inspector_matrix_view import MAX_TILES, InspectorMatrixView


def _view(qtbot, array, **kw):
    v = InspectorMatrixView()
    qtbot.addWidget(v)
    v.set_array(array, kw.pop("name", "W⁽¹⁾"), **kw)
    v.show()
    return v


def test_a_small_matrix_is_written_out_and_keeps_its_values(qtbot):
    a = np.array([[0.5, -1.25], [3.0, 1 / 3]], dtype=np.float32)
    v = _view(qtbot, a)
    assert v.shows_numbers()
    assert v.array() is not None and np.array_equal(v.array(), a)
    assert v.text_at((1, 1)) == fmt(float(a[1, 1])) == "0.3333"
    assert v.text_at((0, 1)) == "-1.25"
    assert "2×2" in v.title.text() and "W⁽¹⁾" in v.title.text()


def test_a_large_matrix_is_a_heatmap_with_a_readout(qtbot):
    a = np.arange(40 * 30, dtype=np.float64).reshape(40, 30) - 600
    v = _view(qtbot, a, name="a⁽¹⁾")
    assert not v.shows_numbers()
    assert v.text_at((0, 0)) is None
    assert v.describe((12, 7)) == f"a⁽¹⁾[13,8] (row 13, column 8) = {fmt(a[12, 7])}"
    hovered = []
    v.hovered.connect(hovered.append)
    qtbot.mouseMove(v.grid, v.cell_center((12, 7)))
    qtbot.waitUntil(lambda: hovered and hovered[-1].startswith("a⁽¹⁾[13,8]"), timeout=2000)
    assert v.readout.text().startswith("a⁽¹⁾[13,8]")


def test_clicking_a_cell_emits_its_index(qtbot):
    a = np.arange(12.0).reshape(3, 4)
    v = _view(qtbot, a)
    with qtbot.waitSignal(v.cellClicked) as blocker:
        qtbot.mouseClick(v.grid, Qt.MouseButton.LeftButton, pos=v.cell_center((2, 1)))
    assert blocker.args == [(2, 1)]


def test_vectors_scalars_and_marks(qtbot):
    v = _view(qtbot, np.array([1.0, 2.0, 3.0]), name="b")
    assert v.text_at((2,)) == "3"
    assert v.describe((2,)) == "b[3] (entry 3) = 3"
    with qtbot.waitSignal(v.cellClicked) as blocker:
        qtbot.mouseClick(v.grid, Qt.MouseButton.LeftButton, pos=v.cell_center((1,)))
    assert blocker.args == [(1,)]
    v.set_array(np.array(0.25), "J")
    assert v.text_at(()) == "0.25"
    assert v.describe(()) == "J = 0.25"
    v.set_array(np.zeros((3, 3)), "z")
    v.set_marks(cells=[(1, 2)], rows=[0])
    assert v.marked_cells() == [(1, 2)]


def test_stacks_become_tiles_and_padding_is_drawn_but_not_clickable(qtbot):
    x = np.arange(2 * 3 * 3, dtype=np.float64).reshape(2, 3, 3)
    v = _view(qtbot, x, name="a⁽⁰⁾", padding=1)
    assert v.shows_numbers()
    assert v.text_at((1, 2, 0)) == fmt(x[1, 2, 0])
    assert v.describe((1, 2, 0)).startswith("a⁽⁰⁾: channel 2, row 3, column 1")
    clicks = []
    v.cellClicked.connect(clicks.append)
    # a padding cell: one cell left of (0, 0, 0)
    p = v.cell_center((0, 0, 0))
    p.setX(p.x() - v._cell_w)
    qtbot.mouseClick(v.grid, Qt.MouseButton.LeftButton, pos=p)
    qtbot.mouseClick(v.grid, Qt.MouseButton.LeftButton, pos=v.cell_center((1, 1, 1)))
    assert clicks == [(1, 1, 1)]


def test_a_big_batch_of_maps_shows_its_first_samples_and_says_so(qtbot):
    a = np.random.default_rng(0).normal(size=(32, 8, 4, 4))
    v = _view(qtbot, a, name="a⁽¹⁾")
    assert not v.shows_numbers()
    assert len(v._tiles) <= MAX_TILES and len(v._tiles) % 8 == 0
    assert "Showing the first" in v.caption.text()
    assert v.describe((3, 2, 1, 0)).startswith("a⁽¹⁾: sample 4, channel 3, row 2, column 1")
