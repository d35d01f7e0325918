"""InspectorConvPatch: the kernel's window over the padded input, pixels picked, pooling's winner."""

import numpy as np
from PySide6.QtCore import Qt

from ui.inspector_conv_patch import InspectorConvPatch


def _patch(qtbot):
    p = InspectorConvPatch()
    qtbot.addWidget(p)
    p.show()
    return p


def test_conv_shows_input_kernel_and_output_and_emits_the_pixel(qtbot):
    p = _patch(qtbot)
    x = np.arange(16.0).reshape(1, 4, 4)
    w = np.ones((2, 1, 3, 3))
    out = np.arange(2 * 4 * 4, dtype=float).reshape(2, 4, 4)
    p.set_conv(x, w, out, stride=1, padding=1, names={"x": "a⁽⁰⁾", "W": "W⁽¹⁾", "z": "z⁽¹⁾"})
    assert p.mode() == "conv" and not p.kernel_view.isHidden()
    assert np.array_equal(p.input_view.array(), x) and p.input_view._padding == 1
    assert np.array_equal(p.output_view.array(), out[0])
    with qtbot.waitSignal(p.pixelChosen) as blocker:
        qtbot.mouseClick(p.output_view.grid, Qt.MouseButton.LeftButton, pos=p.output_view.cell_center((2, 3)))
    assert blocker.args == [0, 2, 3]
    p.show_pixel(0, 2, 3, "<b>z = 1</b>")
    # the window starts at (2·1 − 1, 3·1 − 1) of the input, in the padded picture
    assert p.input_view._boxes == [((0,), 1, 2, 3, 3)]
    assert p.output_view.marked_cells() == [(2, 3)]
    assert "z = 1" in p.dot_text()
    with qtbot.waitSignal(p.pixelChosen) as blocker:
        p.filter_box.setValue(2)
    assert blocker.args == [1, 2, 3]
    assert np.array_equal(p.output_view.array(), out[1])


def test_pooling_marks_the_window_and_the_winner(qtbot):
    p = _patch(qtbot)
    x = np.arange(2 * 4 * 4, dtype=float).reshape(2, 4, 4)
    out = x[:, 1::2, 1::2]
    p.set_pool(x, out, size=2, stride=2, kind="max")
    assert p.mode() == "max" and p.kernel_view.isHidden()
    with qtbot.waitSignal(p.pixelChosen) as blocker:
        qtbot.mouseClick(p.output_view.grid, Qt.MouseButton.LeftButton, pos=p.output_view.cell_center((1, 0, 1)))
    assert blocker.args == [1, 0, 1]
    p.show_pixel(1, 0, 1, "max", winner=(1, 1, 3))
    assert p.input_view._boxes == [((1,), 0, 2, 2, 2)]
    assert p.input_view._winners == [(1, 1, 3)]
