"""The Challenges panel: workspace matrices and a trained network in, every tab fed from
engine.compress, errors as sentences, and the worker dropping superseded requests."""

import numpy as np
import pytest

import app.challenges_lab as lab
from app.challenges_lab import NETWORK_ENTRY, ChallengesPanel
from engine import Model, Trainer, datasets
from engine.compress import sparse as sp

W = {"M": np.array([[1.0, 0.0, 0.2], [0.0, -3.0, 0.0]]), "S": np.diag([4.0, 3.0, 2.0, 1.0])}


@pytest.fixture(scope="module")
def snapshot():
    """A trained digits network as the plain-data snapshot the panel takes."""
    data = datasets.load("digits", seed=0)
    spec = {"input": [1, 8, 8], "layers": [{"type": "flatten"},
                                           {"type": "dense", "units": 12, "activation": "relu"},
                                           {"type": "dense", "units": 10, "activation": "softmax"}],
            "loss": "softmax_ce", "init": "he"}
    model = Model(spec, seed=0)
    Trainer(model, data, optimizer={"type": "adam", "lr": 0.01}, batch_size=32, seed=0).step(100)
    return {"spec": model.spec, "params": model.params(), "data": data, "name": "the test network"}


@pytest.fixture
def panel(qtbot, snapshot, monkeypatch):
    monkeypatch.setattr(lab, "TIMING_SHAPE", (32, 32, 8))
    monkeypatch.setattr(lab, "TIMING_DENSITIES", (1.0, 0.1))
    monkeypatch.setattr(lab, "PRECISION_STEPS", 20)
    p = ChallengesPanel(matrices=lambda: dict(W), network=lambda: snapshot, threaded=False)
    qtbot.addWidget(p)
    return p


def test_sources_list_the_workspace_first_then_examples(qtbot):
    bad = {"ok": np.ones((2, 2)), "nan": np.array([[np.nan]]), "vector": np.ones(3), "text": np.array([["a"]])}
    p = ChallengesPanel(matrices=lambda: bad, threaded=False)
    qtbot.addWidget(p)
    names = [p.sparse_view.source.itemText(i) for i in range(p.sparse_view.source.count())]
    assert names[0] == "ok" and "nan" not in names and "vector" not in names and "text" not in names
    assert any(n.startswith("Example:") for n in names)

    def broken():
        raise RuntimeError("workspace gone")

    p2 = ChallengesPanel(matrices=broken, threaded=False)
    qtbot.addWidget(p2)
    assert "could not be read" in p2.sparse_view.message.text()


def test_sparse_tab_prunes_converts_and_explains_errors(panel):
    view = panel.sparse_view
    panel.start_tab(0)                # "M", the first matrix, at threshold 0
    assert view.grid.matrix().tolist() == W["M"].tolist()
    view.spin.setValue(0.5)           # drops the 0.2
    csr = sp.to_csr(sp.prune(W["M"], 0.5))
    assert view.formats.arrays("csr")["indptr"].tolist() == csr.indptr.tolist()
    assert "2 stored of 6" in view.message.text() and "matches the dense product" in view.message.text()
    view.spin.setValue(3.0)           # the largest is 3: still kept
    assert view.message.styleSheet() == "color: palette(window-text);"
    view.set_range(10.0)
    view.spin.setValue(5.0)
    assert "removes every entry of M" in view.message.text() and "b00020" in view.message.styleSheet()
    assert view.grid.matrix().tolist() == [[0, 0, 0], [0, -3, 0]]  # the last good picture stays


def test_sparse_timing_fills_the_plot(panel):
    panel.measure_sparse()
    xs = panel.sparse_view.sparse_curve.xData
    assert len(xs) == 2 and panel.sparse_view.measure.isEnabled()
    assert "32×32" in panel.sparse_view.timing_note.text()


def test_quantisation_of_a_matrix_and_of_the_network(panel):
    view = panel.quant_view
    view.source.setCurrentText("S")
    stats = view.stats.text()
    assert "half a step" in stats and "64 as float32" in stats
    view.source.setCurrentText(NETWORK_ENTRY)
    assert view.network_box.isVisibleTo(view)
    acc_before, acc_after = view.network_cell(0, 0), view.network_cell(0, 1)
    assert acc_before.endswith("%") and acc_after.endswith("%")
    assert [view.layer.itemText(i) for i in range(view.layer.count())] == ["1.W", "2.W"]
    cached = panel._quant_net
    view.layer.setCurrentText("2.W")    # another layer: drawn from the cached result
    assert panel._quant_net is cached
    assert view.original.matrix().shape == (10, 12)
    # the network's weights are now matrices too
    assert any(name.startswith("Network weight 1.W") for name in panel.matrices)


def test_low_rank_tab_svd_slider_curve_and_pca(panel):
    view = panel.lowrank_view
    view.source.setCurrentText("S")  # a new choice: SVD, then A_k
    assert view.slider.maximum() == 4
    np.testing.assert_allclose(view._s, [4, 3, 2, 1], atol=1e-5)
    view.spin.setValue(2)
    np.testing.assert_allclose(view.approx.matrix(), np.diag([4.0, 3.0, 0, 0]), atol=1e-5)
    assert "numbers stored" in view.stats.text()
    view.spin.setValue(4)
    assert np.max(np.abs(view.error.matrix())) < 1e-5
    panel.update_accuracy_curve()
    assert view.network_box.isVisibleTo(view)
    ranks = view.acc_curve.xData
    assert ranks[-1] == 12 and "the test network" in view.acc_note.text()  # 1.W is 12×64
    panel._run_pca()
    assert view.pca.count() == 12


def test_precision_tab_experiments_and_a_shape_error(panel):
    view = panel.precision_view
    panel.run_summation(1 << 12, 0.1)
    assert view.sum_curves["float32_naive"].xData[-1] == 1 << 12
    panel._run_hilbert()
    assert len(view.h64.xData) > 5
    panel.run_product("S", lab.TRANSPOSE_ENTRY)
    assert view.diff.matrix().shape == (4, 4) and "κ₂" in view.prod_note.text()
    panel.run_product("M", "M")
    assert "M's columns (3) to equal M's rows (2)" in view.message.text()
    panel.run_training()
    assert view.l32.xData[-1] == 20 and view.train_run.isEnabled()


def test_own_network_is_trained_when_none_is_given(qtbot, monkeypatch):
    monkeypatch.setattr(lab, "OWN_STEPS", 20)
    p = ChallengesPanel(threaded=False)
    qtbot.addWidget(p)
    assert p.quant_view.source.itemText(0) == NETWORK_ENTRY
    p.quant_view.source.setCurrentText(NETWORK_ENTRY)
    p.update_quant()
    assert "20 steps" in p.quant_view.network_note.text()


def test_worker_drops_superseded_requests(qtbot, snapshot):
    p = ChallengesPanel(matrices=lambda: dict(W), network=lambda: snapshot)
    qtbot.addWidget(p)
    p.lowrank_view.source.setCurrentText("S")
    assert p.wait_for_idle()
    seen = []
    p.lowrank_view.set_approximation = lambda a, ak, info: seen.append(info["k"])
    for k in (1, 2, 3, 4, 2):
        p.lowrank_view.spin.setValue(k)
    assert p.wait_for_idle()
    assert seen and seen[-1] == 2 and len(seen) < 5
    p.shutdown()


def test_demo_builds_every_tab(qtbot, monkeypatch):
    monkeypatch.setattr(lab, "OWN_STEPS", 30)
    monkeypatch.setattr(lab, "TIMING_SHAPE", (32, 32, 8))
    monkeypatch.setattr(lab, "PRECISION_STEPS", 20)
    p = ChallengesPanel.demo()
    qtbot.addWidget(p)
    assert p.sparse_view.sparse_curve.xData is not None
    assert p.quant_view.network_cell(0, 0).endswith("%")
    assert p.lowrank_view.rank() == 3 and p.lowrank_view.pca.count() == 12
    assert p.precision_view.h32.xData is not None
    assert [p.tabs.tabText(i) for i in range(4)] == ["Sparse", "Quantisation", "Low rank", "Precision"]
