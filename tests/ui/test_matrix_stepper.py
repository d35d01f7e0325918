"""MatmulStepper: walks C = A·B cell by cell, highlights, partial sums, jumps, plays."""

import numpy as np
from PySide6.QtCore import Qt

from engine.explain import matmul_steps
from ui.matmul_stepper import MatmulStepper


def _stepper(qtbot, a, b):
    s = MatmulStepper()
    qtbot.addWidget(s)
    steps = matmul_steps(a, b)
    s.set_problem(a, b, steps.result(), steps)
    s.resize(1100, 700)
    s.show()
    qtbot.waitExposed(s)
    return s


A = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
B = np.array([[7.0, 8.0, 9.0], [10.0, 11.0, 12.0]])


def test_next_visits_every_cell_in_order_with_the_right_partial_sums(qtbot):
    s = _stepper(qtbot, A, B)
    assert s.step_index() == -1 and s.step_count() == 9
    visited = []
    for _ in range(9):
        qtbot.mouseClick(s.next_button, Qt.MouseButton.LeftButton)
        step = s.current_step()
        visited.append((step.i, step.j))
        np.testing.assert_allclose(step.partial_sums, np.cumsum(A[step.i] * B[:, step.j]))
        lines = s.arithmetic_lines()
        assert lines[-1] == f"C[{step.i + 1},{step.j + 1}] = {int((A @ B)[step.i, step.j])}"
        assert lines[0].startswith(f"k=1: A[{step.i + 1},1]·B[1,{step.j + 1}]")
    assert visited == [(i, j) for i in range(3) for j in range(3)]
    assert not s.next_button.isEnabled()
    assert s.position.text() == "cell 9 of 9: C[3,3]"


def test_highlights_row_of_a_column_of_b_and_the_cell_of_c(qtbot):
    s = _stepper(qtbot, A, B)
    s.set_step(4)  # C[2,2]
    ma, mb, mc = s.models["A"], s.models["B"], s.models["C"]
    bg = Qt.ItemDataRole.BackgroundRole
    assert ma.data(ma.index(1, 0), bg) == ma.data(ma.index(1, 1), bg) != ma.data(ma.index(0, 0), bg)
    assert mb.data(mb.index(0, 1), bg) == mb.data(mb.index(1, 1), bg) != mb.data(mb.index(0, 0), bg)
    # Cells of C reached so far show values; the rest wait.
    assert mc.data(mc.index(1, 1)) == "68"
    assert mc.data(mc.index(1, 2)) == "·"
    assert mc.data(mc.index(0, 2)) == "33"
    assert "3·8 + 4·11" in s.formula.text() and "68" in s.formula.text()
    assert s.formula_text() == "C[2,2] = 3·8 + 4·11 = 68"


def test_previous_and_clicking_a_cell_jump(qtbot):
    s = _stepper(qtbot, A, B)
    s.set_step(5)
    qtbot.mouseClick(s.prev_button, Qt.MouseButton.LeftButton)
    assert s.step_index() == 4
    view = s.views["C"]
    rect = view.visualRect(s.models["C"].index(2, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert (s.current_step().i, s.current_step().j) == (2, 0)


def test_play_runs_to_the_last_cell_and_stops(qtbot):
    s = _stepper(qtbot, A, B)
    s.set_speed(30)
    s.play()
    assert s.is_playing()
    qtbot.waitUntil(lambda: s.step_index() == 8 and not s.is_playing(), timeout=5000)
    assert s.play_button.text() == "▶ Play"


def test_big_products_step_with_colours_and_the_arithmetic_at_the_side(qtbot):
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(20, 15)), rng.normal(size=(15, 18))
    s = _stepper(qtbot, a, b)
    assert s.models["C"].data(s.models["C"].index(0, 0)) is None  # too small to write in
    s.jump_to_cell(19, 17)
    assert s.step_index() == 20 * 18 - 1
    lines = s.arithmetic_lines()
    assert len(lines) == 16
    assert lines[-1].startswith("C[20,18] = ")
    assert "…" in s.formula.text()
