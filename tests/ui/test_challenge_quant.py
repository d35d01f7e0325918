"""The Quantisation challenge view: settings out, results and the network table in."""

import numpy as np

from engine.compress import quantize as qz
from ui.challenge_quant_view import QuantizationView


def result(a, q):
    back = q.dequantize()
    edges, counts = qz.histogram(a, 20)
    return {"title": "A", "original": a, "error": back - a, "stats": qz.error_stats(a, back),
            "scale": float(q.scale.max()), "groups": q.groups, "edges": edges, "counts": counts,
            "grid": q.grid(0), "grid_note": "grid", "float_bytes": q.float_nbytes, "int8_bytes": q.nbytes,
            "zoom_edges": np.linspace(-2, 2, 9), "zoom_before": np.arange(8), "zoom_after": np.zeros(8),
            "zoom_grid": np.arange(-2.0, 3.0)}


def test_settings_are_emitted_when_changed(qtbot):
    view = QuantizationView()
    qtbot.addWidget(view)
    view.set_sources(["net", "A"], "A")
    with qtbot.waitSignal(view.settingsChanged) as sig:
        view.scheme.setCurrentIndex(view.scheme.findData("affine"))
    assert sig.args[0] == {"source": "A", "scheme": "affine", "per": "tensor", "layer": ""}
    with qtbot.waitSignal(view.settingsChanged) as sig:
        view.per.setCurrentIndex(view.per.findData("row"))
    assert sig.args[0]["per"] == "row"
    with qtbot.assertNotEmitted(view.settingsChanged):
        view.set_settings("symmetric", "tensor")
        view.set_sources(["A"], "A")
    assert view.settings()["scheme"] == "symmetric"


def test_layers_box_appears_only_for_a_network(qtbot):
    view = QuantizationView()
    qtbot.addWidget(view)
    view.show()
    assert not view.layer.isVisible()
    view.set_layers(["0.W", "1.W"], "1.W")
    assert view.layer.isVisible() and view.settings()["layer"] == "1.W"
    view.set_layers([])
    assert not view.layer.isVisible() and view.settings()["layer"] == ""


def test_result_draws_heatmaps_stats_histogram_and_grid(qtbot):
    view = QuantizationView()
    qtbot.addWidget(view)
    a = np.random.default_rng(0).normal(size=(6, 9))
    q = qz.quantize(a, "symmetric", "tensor")
    view.set_result(result(a, q))
    np.testing.assert_allclose(view.original.matrix(), a)
    assert view.error.level() <= float(q.scale[0]) / 2 * 1.001
    np.testing.assert_allclose(view.grid_values(), q.grid(0))
    assert "half a step" in view.stats.text() and "bytes" in view.stats.text()
    xs, _ = view.zoom_grid.getData()
    assert len(xs) == 10


def test_network_table_before_and_after(qtbot):
    view = QuantizationView()
    qtbot.addWidget(view)
    view.show()
    assert not view.network_box.isVisible()
    view.set_network({"accuracy": 0.95, "loss": 0.2}, {"accuracy": 0.94, "loss": 0.21}, 4000, 1100, "note")
    assert view.network_box.isVisible()
    assert view.network_cell(0, 0) == "95.00%" and view.network_cell(0, 1) == "94.00%"
    assert view.network_cell(2, 1) == "1,100 bytes"
    view.set_network({"accuracy": None, "loss": 0.2}, {"accuracy": None, "loss": 0.3})
    assert view.network_cell(0, 0) == "—"
