"""The Precision challenge view: requests out, the four experiments' results in."""

import numpy as np

from ui.challenge_heatmap import ChallengeHeatmap
from ui.challenge_precision_view import ZERO_FLOOR, PrecisionView


def test_buttons_emit_requests(qtbot):
    view = PrecisionView()
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.summationRequested) as sig:
        view.sum_value.setCurrentIndex(2)
        view.sum_run.click()
    assert sig.args == [1 << 22, None]
    view.set_sources(["A", "B"], "B", "A")
    with qtbot.waitSignal(view.productRequested) as sig:
        view.prod_run.click()
    assert sig.args == ["B", "A"]
    with qtbot.waitSignal(view.trainingRequested):
        view.train_run.click()
    view.set_busy("training", True)
    assert not view.train_run.isEnabled()


def test_summation_and_hilbert_results_are_drawn(qtbot):
    view = PrecisionView()
    qtbot.addWidget(view)
    n = np.array([1, 10, 100])
    r = {"n": n, "exact": np.array([0.1, 1.0, 10.0]), "eps32": 1.19e-7, "value": 0.1}
    for key in ("float32_naive", "float32_kahan", "float32_pairwise", "float64_naive"):
        r[key] = r["exact"].copy()
        r["error_" + key] = np.array([0.0, 1e-8, 1e-6])
    view.set_summation(r)
    ys = view.sum_curves["float32_naive"].yData
    assert ys[0] == ZERO_FLOOR  # an exact sum, drawn on the floor of the log axis
    assert "100 × 0.1" in view.sum_note.text()
    h = {"n": np.array([2, 3, 4]), "cond": np.array([27.0, 748.0, 2.8e4]),
         "error32": np.array([1e-7, 1e-5, np.nan]), "error64": np.array([1e-16, 1e-14, 1e-12]),
         "bound32": np.array([3e-6, 1e-4, 3e-3]), "bound64": np.array([6e-15, 2e-13, 6e-12])}
    view.set_hilbert(h)
    assert list(view.h32.xData) == [2, 3] and list(view.h_fail.xData) == [4]
    assert "From n = 4" in view.hilbert_note.text()


def test_product_and_training_results_are_drawn(qtbot):
    view = PrecisionView()
    qtbot.addWidget(view)
    diff = np.array([[1e-7, -2e-7], [0.0, 3e-7]])
    view.set_product({"diff": diff, "max_abs": 3e-7, "relative": 1e-7, "eps32": 1.19e-7,
                      "float64_device": "dev"}, "C")
    np.testing.assert_allclose(view.diff.matrix(), diff)
    view.set_solve("κ₂ = 10")
    assert "κ₂ = 10" in view.prod_note.text() and "dev" in view.prod_note.text()
    view.set_training({"steps": np.array([10, 20]), "loss32": np.array([0.7, 0.5]),
                       "loss64": np.array([0.7, 0.5000001]), "param_diff": np.array([1e-8, 2e-8]),
                       "float64_device": "dev"})
    assert list(view.l32.xData) == [10, 20] and "20 steps" in view.train_note.text()


def test_heatmap_masks_and_reads_out(qtbot):
    hm = ChallengeHeatmap("t")
    qtbot.addWidget(hm)
    hm.set_matrix(np.array([[1.0, -2.0], [0.0, 4.0]]), mask=np.array([[1, 1], [0, 1]], bool))
    assert hm.level() == 4.0 and np.isnan(hm.image.image[1, 0])
    with qtbot.waitSignal(hm.hovered) as sig:
        hm.show_cell(0, 1)
    assert sig.args == [0, 1, -2.0] and "row 1, column 2" in hm.readout.text()
