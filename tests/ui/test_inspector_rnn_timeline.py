"""InspectorRnnTimeline: h_t filling forward, δ_t filling backward, read-outs and clicks."""

import numpy as np
from PySide6.QtCore import QPoint, Qt

from ui.inspector_rnn_timeline import InspectorRnnTimeline


def test_rows_fill_as_the_trace_goes_and_boxes_are_clickable(qtbot):
    t = InspectorRnnTimeline()
    qtbot.addWidget(t)
    t.resize(800, 300)
    t.show()
    h = {0: np.array([0.1, -0.2, 0.3]), 1: np.array([0.4, 0.5, -0.6])}
    x = {0: np.array([1.0]), 1: np.array([2.0])}
    t.set_timeline(5, x, h, {}, current=("h", 1))
    assert t.filled("h") == [0, 1] and t.filled("delta") == []
    assert t.current() == ("h", 1)
    assert t.value_text("h", 1, 2) == "h_1, unit 3 = -0.6"
    t.set_timeline(5, x, h, {4: np.array([0.01, 0.02, 0.03]), 3: np.zeros(3)}, current=("delta", 3))
    assert t.filled("delta") == [3, 4]
    rect = t.strip.box_rect("delta", 4)
    with qtbot.waitSignal(t.stepClicked) as blocker:
        qtbot.mouseClick(t.strip, Qt.MouseButton.LeftButton, pos=QPoint(int(rect.center().x()), int(rect.center().y())))
    assert blocker.args == ["backward", 4]
    # a whole batch: (N, units), one column per sample
    t.set_timeline(2, {}, {0: np.arange(6.0).reshape(2, 3)}, {}, batch=True)
    assert t.value_text("h", 0, unit=2, sample=1) == "h_0, unit 3, sample 2 = 5"
