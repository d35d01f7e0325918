"""The network lab's plots take whole numpy arrays and draw them."""

import numpy as np

from ui.plots_boundary import BoundaryPlot
from ui.plots_confusion import ConfusionMatrixPlot
from ui.plots_feature_maps import FeatureMapsPlot
from ui.plots_hidden_state import HiddenStatePlot
from ui.plots_histograms import HistogramsPlot
from ui.plots_loss import LossPlot

RNG = np.random.default_rng(0)


def test_loss_plot_draws_histories_and_skips_missing_test_points(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    steps = np.arange(1, 11)
    test = np.where(steps % 2 == 0, 1.0 / steps, np.nan)
    plot.set_history(steps, 1.0 / steps, test, np.linspace(0.5, 0.9, 10))
    assert plot.point_count() == 10
    xs, ys = plot.train_curve.getData()
    assert len(xs) == 10
    assert "Accuracy" in plot.readout.text() and "90.0%" in plot.readout.text()
    plot.set_log_scale(True)
    assert plot.loss_item.ctrl.logYCheck.isChecked()
    plot.clear()
    assert plot.point_count() == 0


def test_loss_plot_hides_accuracy_for_regression(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.set_history([1, 2], [0.5, 0.4], [0.6, 0.5], None)
    assert not plot.acc_item.isVisible()


def test_boundary_binary_grid_and_points(qtbot):
    plot = BoundaryPlot()
    qtbot.addWidget(plot)
    plot.set_task("binary", 2)
    plot.set_grid(RNG.random((20, 20)), (-6, 6, -6, 6))
    plot.set_points(RNG.normal(size=(30, 2)), (np.arange(30) % 2)[:, None], RNG.normal(size=(10, 2)), np.zeros(10))
    assert plot.image.image.shape == (20, 20)
    assert len(plot.train_points.data) == 30
    plot.set_show_test(False)
    assert not plot.test_points.isVisible()
    plot.set_discretize(True)
    assert set(np.unique(plot.image.image)) <= {0.1, 0.9}


def test_boundary_multiclass_colours_by_class(qtbot):
    plot = BoundaryPlot()
    qtbot.addWidget(plot)
    plot.set_task("multiclass", 3, ["a", "b", "c"])
    probs = RNG.dirichlet(np.ones(3), size=(10, 10))
    plot.set_grid(probs, (-6, 6, -6, 6))
    assert plot.image.image.shape == (10, 10, 3)
    assert "a" in plot.legend.text() and "c" in plot.legend.text()


def test_boundary_curve_for_one_input(qtbot):
    plot = BoundaryPlot()
    qtbot.addWidget(plot)
    plot.set_task("regression")
    x = np.linspace(-1, 1, 50)
    plot.set_curve(x, 2 * x, x, 2 * x + 0.1)
    xs, ys = plot.curve.getData()
    np.testing.assert_allclose(ys, 2 * x)


def test_feature_maps_rows(qtbot):
    plot = FeatureMapsPlot()
    qtbot.addWidget(plot)
    plot.set_sample_count(5)
    plot.set_maps(RNG.random((8, 8)), [("1 · conv", RNG.normal(size=(4, 8, 8))),
                                       ("2 · max pool", RNG.normal(size=(4, 4, 4)))])
    plot.set_filters([("1 · filters", RNG.normal(size=(4, 1, 3, 3)))])
    assert plot.row_titles() == ["input image", "1 · conv", "2 · max pool", "1 · filters"]
    with qtbot.waitSignal(plot.sampleChanged) as blocker:
        plot.sample.setValue(3)
    assert blocker.args == [2]
    plot.grab()  # paints without error


def test_hidden_state_heatmap_and_prediction(qtbot):
    plot = HiddenStatePlot()
    qtbot.addWidget(plot)
    h = RNG.normal(size=(20, 6))
    plot.set_hidden(h)
    assert plot.heat.image.shape == (6, 20)  # units up, time across
    plot.set_sequence(np.sin(np.arange(20)), 0.5, 0.4)
    assert "+0.500" in plot.info.text() and "+0.400" in plot.info.text()
    plot.set_predictions(np.linspace(-1, 1, 30), np.linspace(-1, 1, 30))
    assert len(plot.scatter.data) == 30


def test_histograms_rebuild_when_parameters_change(qtbot):
    plot = HistogramsPlot()
    qtbot.addWidget(plot)
    edges = np.linspace(-1, 1, 11)
    entry = {"name": "0.W", "title": "1 · W", "w_edges": edges, "w_counts": np.ones(10),
             "g_edges": edges, "g_counts": np.arange(10.0)}
    plot.set_histograms([entry])
    assert plot.names() == ["0.W"]
    plot.set_histograms([entry, dict(entry, name="1.W", g_edges=None, g_counts=None)])
    assert plot.names() == ["0.W", "1.W"]


def test_confusion_matrix_counts(qtbot):
    plot = ConfusionMatrixPlot()
    qtbot.addWidget(plot)
    plot.set_matrix(np.array([[5, 1], [0, 4]]), ["no", "yes"])
    assert plot.counts().sum() == 10
    plot.resize(300, 300)
    plot.grab()
