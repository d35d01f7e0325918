"""InspectorLossView: per-sample losses, softmax probabilities against the target."""

import numpy as np

from engine.explain import fmt
from ui.inspector_loss_view import InspectorLossView


def test_softmax_rows_show_probabilities_with_the_target_marked(qtbot):
    v = InspectorLossView()
    qtbot.addWidget(v)
    out = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]], dtype=np.float32)
    y = np.array([0, 1])
    per = -np.log(out[[0, 1], y])
    v.set_loss("softmax_ce", out, y, per, per.mean(), 0.0, per.mean(), sample=1)
    assert v.columns() == ["target", "p0", "p1", "p2", "loss"]
    assert v.cell_text(1, "target") == "1"
    assert v.cell_text(1, "p2") == fmt(float(out[1, 2]))
    assert v.cell_text(0, "loss") == fmt(float(per[0]))
    assert v.table.item(1, 2).font().bold() and not v.table.item(1, 3).font().bold()
    assert fmt(float(per.mean())) in v.summary.text()
    assert v.table.verticalHeaderItem(1).text().startswith("▶")
    with qtbot.waitSignal(v.sampleClicked) as blocker:
        v.table.cellClicked.emit(0, 1)
    assert blocker.args == [0]


def test_bce_and_mse_columns(qtbot):
    v = InspectorLossView()
    qtbot.addWidget(v)
    v.set_loss("bce", np.array([[0.8], [0.3]]), np.array([[1.0], [0.0]]), np.array([0.22, 0.36]), 0.29, 0.01, 0.30)
    assert v.columns() == ["target", "output", "loss"]
    assert v.cell_text(0, "output") == "0.8" and "penalty" in v.summary.text()
    v.set_loss("mse", np.array([[1.5], [2.0]]), np.array([[1.0], [2.5]]), np.array([0.25, 0.25]), 0.25, 0.0, 0.25)
    assert v.columns() == ["out0", "y0", "loss"]
    assert v.cell_text(1, "y0") == "2.5"
