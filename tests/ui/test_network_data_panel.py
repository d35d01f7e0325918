"""The network lab's data panel: choices in, signals out, and the reverse."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from ui.data_panel import DataPanel

ENTRIES = [
    {"name": "circle", "title": "Circle", "task": "binary", "description": "A disc in a ring.", "uses_noise": True,
     "preview": {"kind": "points", "x": np.random.default_rng(0).normal(size=(20, 2)),
                 "y": np.arange(20) % 2, "n_classes": 2, "task": "binary"}},
    {"name": "digits", "title": "Digits", "task": "multiclass", "description": "8×8 digits.", "uses_noise": False,
     "preview": {"kind": "image", "image": np.eye(8)}},
    {"name": "sine", "title": "Sine", "task": "sequence_regression", "description": "Waves.", "uses_noise": True,
     "preview": {"kind": "line", "y": np.sin(np.arange(20))}},
]


@pytest.fixture
def panel(qtbot):
    p = DataPanel()
    qtbot.addWidget(p)
    p.set_datasets(ENTRIES)
    p.set_current("circle")
    return p


def test_lists_every_set_with_a_thumbnail(panel):
    assert panel.list.count() == 3
    assert not panel.list.item(0).icon().isNull()
    assert panel.current() == "circle"


def test_choosing_a_set_emits_its_name_and_describes_it(qtbot, panel):
    with qtbot.waitSignal(panel.datasetChosen) as blocker:
        panel.list.setCurrentRow(1)
    assert blocker.args == ["digits"]
    assert "8×8 digits" in panel.description.text()
    assert not panel.noise.isEnabled()  # digits take no noise


def test_set_current_does_not_echo(qtbot, panel):
    with qtbot.assertNotEmitted(panel.datasetChosen):
        panel.set_current("sine")
    assert panel.current() == "sine"


def test_noise_and_ratio_emit_on_change(qtbot, panel):
    with qtbot.waitSignal(panel.noiseChanged) as blocker:
        panel.noise.setValue(30)
    assert blocker.args == [pytest.approx(0.3)]
    with qtbot.waitSignal(panel.testRatioChanged) as blocker:
        panel.ratio.setValue(70)
    assert blocker.args == [pytest.approx(0.3)]
    assert "70%" in panel.ratio_label.text()


def test_setters_mirror_without_signals(qtbot, panel):
    with qtbot.assertNotEmitted(panel.noiseChanged), qtbot.assertNotEmitted(panel.testRatioChanged):
        panel.set_noise(0.25)
        panel.set_test_ratio(0.2)
    assert panel.noise_value() == pytest.approx(0.25)
    assert panel.test_ratio() == pytest.approx(0.2)


def test_features_emit_the_ticked_names_in_order(qtbot, panel):
    with qtbot.waitSignal(panel.featuresChanged) as blocker:
        panel.feature_boxes["sin x1"].setChecked(True)
    assert blocker.args == [["x1", "x2", "sin x1"]]


def test_the_last_feature_cannot_be_unticked(qtbot, panel):
    panel.set_features(["x1"], True)
    with qtbot.assertNotEmitted(panel.featuresChanged):
        panel.feature_boxes["x1"].setChecked(False)
    assert panel.features() == ["x1"]
    assert "at least one feature" in panel.error.text()


def test_features_grey_out_for_data_that_is_not_planar(panel):
    panel.set_features([], False)
    assert not any(box.isEnabled() for box in panel.feature_boxes.values())


def test_regenerate_and_show_test(qtbot, panel):
    with qtbot.waitSignal(panel.regenerateRequested):
        qtbot.mouseClick(panel.regenerate, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(panel.showTestChanged) as blocker:
        panel.show_test.setChecked(False)
    assert blocker.args == [False]


def test_errors_are_shown_as_sentences(panel):
    panel.show_error("data.csv line 3, column 2: 'abc' is not a number.")
    assert not panel.error.isHidden()
    assert "line 3" in panel.error.text()
    panel.show_error(None)
    assert panel.error.isHidden()
