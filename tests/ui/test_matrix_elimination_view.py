"""EliminationView: the augmented matrix per step, pivot lit, operation written, stepping."""

import numpy as np
from PySide6.QtCore import Qt

from engine.explain import elimination_steps
from ui.elimination_view import EliminationView

M = np.array([[2.0, 1.0, 1.0], [4.0, -6.0, 0.0], [-2.0, 7.0, 2.0]])


def _view(qtbot, steps, names=("M", "b")):
    v = EliminationView()
    qtbot.addWidget(v)
    v.set_steps(steps, names)
    v.resize(1000, 600)
    v.show()
    qtbot.waitExposed(v)
    return v


def test_walks_to_the_inverse(qtbot):
    steps = elimination_steps(M, names=("M", "b"))
    v = _view(qtbot, steps)
    assert v.title.text() == "M⁻¹ by Gauss-Jordan elimination on [M | I]"
    assert v.step_index() == 0 and v.steps_list.count() == len(steps)
    texts = []
    while v.next_button.isEnabled():
        qtbot.mouseClick(v.next_button, Qt.MouseButton.LeftButton)
        texts.append(v.operation_text())
    assert texts[1] == "R1 ↔ R2"
    assert "R2 ← R2 − 2·R1" in texts
    assert texts[-1] == "Done"
    np.testing.assert_allclose(v.matrix()[:, 3:], np.linalg.inv(M))
    assert v.model.headerData(3, Qt.Orientation.Horizontal) == "I1"
    assert v.model.headerData(0, Qt.Orientation.Vertical) == "R1"


def test_pivot_and_rows_are_coloured(qtbot):
    steps = elimination_steps(M)
    v = _view(qtbot, steps)
    bg = Qt.ItemDataRole.BackgroundRole
    elim = next(i for i, s in enumerate(steps) if s.kind == "eliminate")
    v.set_step(elim)
    step = v.current_step()
    pr, pc = step.pivot
    m = v.model
    pivot_colour = m.data(m.index(pr, pc), bg)
    target_colour = m.data(m.index(step.rows[0], 2), bg)
    source_colour = m.data(m.index(step.source, 2), bg)
    assert len({pivot_colour.name(), target_colour.name(), source_colour.name()}) == 3
    assert m.data(m.index(pr, pc), Qt.ItemDataRole.FontRole).bold()


def test_singular_matrix_ends_at_its_column_in_red(qtbot):
    a = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
    steps = elimination_steps(a, mode="det", names=("S", "b"))
    v = _view(qtbot, steps, ("S", "b"))
    v.set_step(v.step_count() - 1)
    assert v.operation_text() == "No pivot: singular"
    assert "No pivot in column 3" in v.explanation.text()
    assert "det S = 0" in v.explanation.text()
    bg = Qt.ItemDataRole.BackgroundRole
    assert v.model.data(v.model.index(2, 2), bg).name() == "#ffc7ce"


def test_solve_headers_and_list_click(qtbot):
    steps = elimination_steps(M, np.array([5.0, -2.0, 9.0]), mode="solve", names=("M", "b"))
    v = _view(qtbot, steps)
    assert v.model.headerData(3, Qt.Orientation.Horizontal) == "b"
    v.steps_list.setCurrentRow(v.step_count() - 1)
    assert v.step_index() == v.step_count() - 1
    np.testing.assert_allclose(v.matrix()[:, 3], np.linalg.solve(M, [5.0, -2.0, 9.0]))


def test_play_reaches_the_end(qtbot):
    v = _view(qtbot, elimination_steps(np.array([[2.0, 1.0], [1.0, 3.0]])))
    v.speed.setValue(10)
    v.play()
    qtbot.waitUntil(lambda: v.step_index() == v.step_count() - 1 and not v.is_playing(), timeout=5000)
