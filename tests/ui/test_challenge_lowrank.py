"""The Low-rank challenge view: rank slider both ways, spectrum, approximation, curve, PCA."""

import numpy as np

from ui.challenge_image_grid import ImageGrid
from ui.challenge_lowrank_view import LowRankView


def test_rank_slider_and_box_agree_and_emit(qtbot):
    view = LowRankView()
    qtbot.addWidget(view)
    view.set_spectrum([5.0, 2.0, 1.0, 0.0])
    with qtbot.assertNotEmitted(view.rankChanged):
        view.set_rank(2, 4)
    assert view.slider.maximum() == 4 and view.limit_label.text() == "of 4"
    with qtbot.waitSignal(view.rankChanged) as sig:
        view.slider.setValue(3)
    assert sig.args == [3] and view.spin.value() == 3
    # (xData: the data as given; getData() would be log-transformed)
    assert list(view.kept_points.xData) == [1, 2, 3]
    assert view.dropped_points.xData is None or len(view.dropped_points.xData) == 0  # σ₄ = 0: not on a log plot
    with qtbot.waitSignal(view.rankChanged):
        view.spin.setValue(1)
    assert view.slider.value() == 1
    view.set_rank(9, 4)
    assert view.rank() == 4


def test_approximation_uses_one_colour_scale(qtbot):
    view = LowRankView()
    qtbot.addWidget(view)
    a = np.arange(12.0).reshape(3, 4)
    ak = a * 0.9
    view.set_approximation(a, ak, {"k": 1, "relative": 0.1, "spectral": 0.5, "energy": 0.99, "params": 7,
                                   "params_full": 12})
    assert view.original.level() == view.approx.level() == view.error.level() == 11.0
    np.testing.assert_allclose(view.error.matrix(), a - ak)
    assert "58%" in view.stats.text() and "saves space" in view.stats.text()


def test_sources_layers_curve_and_pca(qtbot):
    view = LowRankView()
    qtbot.addWidget(view)
    view.show()
    view.set_sources(["A", "B"], "B")
    with qtbot.waitSignal(view.sourceChanged) as sig:
        view.source.setCurrentText("A")
    assert sig.args == ["A"]
    assert not view.network_box.isVisible()
    view.set_layers(["1.W (32×64)", "2.W (10×32)"], "2.W (10×32)")
    assert view.network_box.isVisible()
    with qtbot.waitSignal(view.layerChanged) as sig:
        view.layer.setCurrentIndex(0)
    assert sig.args == ["1.W (32×64)"]
    view.set_accuracy_curve([1, 2, 4], [0.3, None, 0.9], [10, 20, 40], 80, 0.92, "note")
    xs, ys = view.acc_curve.getData()
    assert list(xs) == [1, 2, 4] and np.isnan(ys[1])
    assert view.full_line.value() == 0.92 and view.acc_note.text() == "note"
    view.set_pca(np.random.default_rng(0).normal(size=(3, 8, 8)), [0.2, 0.1, 0.05], "caption")
    assert view.pca.count() == 3 and view.pca.caption.text() == "caption"


def test_image_grid_lays_out_in_rows(qtbot):
    grid = ImageGrid(2)
    qtbot.addWidget(grid)
    grid.set_images(np.zeros((5, 4, 4)), [f"#{i}" for i in range(5)])
    assert grid.count() == 5
