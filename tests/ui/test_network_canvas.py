"""The network canvas: spec -> picture, and clicks -> edited specs and weights."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine import NetworkSpec
from ui import canvas_edits as edits
from ui.network_canvas import MAX_DRAWN, NetworkCanvas

DENSE = {"input": [2], "layers": [{"type": "dense", "units": 3, "activation": "tanh"},
                                  {"type": "dense", "units": 1, "activation": "sigmoid"}], "loss": "bce"}
CNN = {"input": [1, 8, 8], "layers": [
    {"type": "conv2d", "filters": 4, "kernel": 3, "padding": 1, "activation": "relu"},
    {"type": "maxpool2d", "size": 2}, {"type": "flatten"},
    {"type": "dense", "units": 10, "activation": "softmax"}], "loss": "softmax_ce"}
RNN = {"input": [12, 1], "layers": [{"type": "rnn", "units": 5}, {"type": "dense", "units": 1}], "loss": "mse"}


def validator(d):
    try:
        NetworkSpec.from_dict(d)
    except ValueError as exc:
        return str(exc), getattr(exc, "layer", None)
    return None


@pytest.fixture
def canvas(qtbot):
    c = NetworkCanvas()
    qtbot.addWidget(c)
    c.resize(900, 600)
    c.set_validator(validator)
    c.set_spec(NetworkSpec.from_dict(DENSE), ["x1", "x2"])
    c.show()
    qtbot.waitExposed(c)
    return c


def click(qtbot, canvas, item, point=None):
    """Click a scene item (at its centre, or at a scene point) through the view."""
    scene_point = point if point is not None else item.sceneBoundingRect().center()
    pos = canvas.view.mapFromScene(scene_point)
    qtbot.mouseClick(canvas.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def test_spec_draws_one_column_per_layer(canvas):
    assert sorted(canvas.headers) == [-1, 0, 1]
    assert len(canvas.neurons(-1)) == 2
    assert len(canvas.neurons(0)) == 3
    assert len(canvas.neurons(1)) == 1
    # every input-to-hidden and hidden-to-output weight is one link
    assert len(canvas.links) == 2 * 3 + 3 * 1
    assert canvas.headers[0].count_text() == "3 neurons"
    assert canvas.headers[1].title() == "2 · Output"


def test_new_spec_redraws_the_picture(canvas):
    d = edits.insert_layer(DENSE, "dense")
    canvas.set_spec(NetworkSpec.from_dict(d), ["x1", "x2"])
    assert sorted(canvas.headers) == [-1, 0, 1, 2]
    assert len(canvas.links) == 2 * 3 + 3 * 3 + 3 * 1


def test_plus_and_minus_ask_for_one_neuron_more_or_less(qtbot, canvas):
    with qtbot.waitSignal(canvas.specEdited) as blocker:
        click(qtbot, canvas, canvas.headers[0].plus_button)
    assert blocker.args[0]["layers"][0]["units"] == 4
    with qtbot.waitSignal(canvas.specEdited) as blocker:
        click(qtbot, canvas, canvas.headers[0].minus_button)
    assert blocker.args[0]["layers"][0]["units"] == 2


def test_output_layer_size_is_fixed_and_cannot_be_removed(canvas):
    assert canvas.headers[1].plus_button is None
    assert canvas.headers[1].remove_button is None


def test_remove_button_drops_the_layer(qtbot, canvas):
    with qtbot.waitSignal(canvas.specEdited) as blocker:
        click(qtbot, canvas, canvas.headers[0].remove_button)
    assert [l["type"] for l in blocker.args[0]["layers"]] == ["dense"]
    assert blocker.args[0]["layers"][0]["units"] == 1


def test_palette_inserts_a_hidden_layer_before_the_output(qtbot, canvas):
    with qtbot.waitSignal(canvas.specEdited) as blocker:
        qtbot.mouseClick(canvas.palette_bar.buttons["dense"], Qt.MouseButton.LeftButton)
    layers = blocker.args[0]["layers"]
    assert len(layers) == 3
    assert layers[1] == {"type": "dense", "units": 3, "activation": "tanh"}
    assert layers[2]["activation"] == "sigmoid"


def test_invalid_insert_is_refused_with_the_reason(qtbot, canvas):
    emitted = []
    canvas.specEdited.connect(emitted.append)
    qtbot.mouseClick(canvas.palette_bar.buttons["conv2d"], Qt.MouseButton.LeftButton)
    assert emitted == []
    assert "conv2d" in canvas.message_text()
    assert "image" in canvas.message_text()


def test_minus_on_a_single_neuron_says_to_remove_the_layer(qtbot, canvas):
    d = {**DENSE, "layers": [{"type": "dense", "units": 1, "activation": "tanh"}, DENSE["layers"][1]]}
    canvas.set_spec(NetworkSpec.from_dict(d), ["x1", "x2"])
    emitted = []
    canvas.specEdited.connect(emitted.append)
    click(qtbot, canvas, canvas.headers[0].minus_button)
    assert emitted == []
    assert "remove the layer" in canvas.message_text()


def test_settings_card_changes_activation(qtbot, canvas):
    click(qtbot, canvas, canvas.headers[0])
    assert canvas.editor.isVisible()
    assert canvas.selected_layer() == 0
    canvas.editor.fields["activation"].setCurrentText("relu")
    with qtbot.waitSignal(canvas.specEdited) as blocker:
        qtbot.mouseClick(canvas.editor.apply_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0]["layers"][0]["activation"] == "relu"
    assert not canvas.editor.isVisible()


def test_settings_card_refuses_a_kernel_larger_than_the_image(qtbot, canvas):
    canvas.set_spec(NetworkSpec.from_dict(CNN))
    click(qtbot, canvas, canvas.headers[0])
    canvas.editor.fields["kernel"].setValue(11)
    canvas.editor.fields["padding"].setValue(0)
    emitted = []
    canvas.specEdited.connect(emitted.append)
    qtbot.mouseClick(canvas.editor.apply_button, Qt.MouseButton.LeftButton)
    assert emitted == []
    assert canvas.editor.isVisible()
    assert "11×11 kernel" in canvas.editor.message.text()


def test_links_show_sign_and_size_of_weights(canvas):
    spec = NetworkSpec.from_dict(DENSE)
    params = {k: np.zeros(s, np.float32) for k, s in spec.param_shapes().items()}
    params["0.W"][0, 0] = 2.0
    params["0.W"][1, 0] = -0.5
    canvas.set_params(params)
    strong = canvas.link_for("0.W", (0, 0))
    weak = canvas.link_for("0.W", (1, 0))
    assert strong.pen_width() > weak.pen_width()
    assert strong.pen_color().red() > strong.pen_color().blue()     # positive: red
    assert weak.pen_color().blue() > weak.pen_color().red()         # negative: blue
    assert "+2" in strong.describe()


def test_clicking_a_link_edits_its_weight(qtbot, canvas):
    spec = NetworkSpec.from_dict(DENSE)
    canvas.set_params({k: np.full(s, 0.25, np.float32) for k, s in spec.param_shapes().items()})
    link = canvas.link_for("1.W", (0, 2))
    click(qtbot, canvas, link, link.path().pointAtPercent(0.5))
    assert canvas.weight_editor.isVisible()
    assert canvas.weight_editor.param == "1.W"
    canvas.weight_editor.field.setText("-1.5")
    with qtbot.waitSignal(canvas.weightEdited) as blocker:
        qtbot.keyClick(canvas.weight_editor.field, Qt.Key.Key_Return)
    assert blocker.args == ["1.W", (0, 2), -1.5]
    assert canvas.link_for("1.W", (0, 2)).value == -1.5


def test_weight_editor_refuses_text_that_is_not_a_number(qtbot, canvas):
    link = canvas.links[0]
    canvas.open_weight_editor(link)
    emitted = []
    canvas.weightEdited.connect(lambda *a: emitted.append(a))
    canvas.weight_editor.field.setText("lots")
    qtbot.keyClick(canvas.weight_editor.field, Qt.Key.Key_Return)
    assert emitted == []
    assert "not a number" in canvas.weight_editor.message.text()


def test_hovering_a_link_reads_the_weight(qtbot, canvas):
    spec = NetworkSpec.from_dict(DENSE)
    canvas.set_params({k: np.full(s, 0.5, np.float32) for k, s in spec.param_shapes().items()})
    link = canvas.link_for("0.W", (2, 1))
    texts = []
    canvas.hovered.connect(texts.append)
    canvas._link_hovered(link, True)  # what a hover enter calls
    assert "x2" in texts[-1] and "neuron 3 of layer 1" in texts[-1]
    assert "+0.5" in canvas.readout.text()


def test_neuron_maps_and_the_enlarged_view(qtbot, canvas):
    maps = {-1: np.random.default_rng(0).normal(size=(2, 10, 10)),
            0: np.random.default_rng(1).normal(size=(3, 10, 10)),
            1: np.random.default_rng(2).normal(size=(1, 10, 10))}
    canvas.set_neuron_images(maps, "plane")
    node = canvas.neurons(0)[1]
    # plane maps have the lowest x2 in row 0; the picture shows it at the bottom
    np.testing.assert_allclose(node.array(), maps[0][1][::-1])
    with qtbot.waitSignal(canvas.neuronClicked) as blocker:
        click(qtbot, canvas, node)
    assert blocker.args == [0, 1]
    assert canvas.zoom.isVisible()
    assert canvas.zoom.title.text() == "Neuron 2 of layer 1"
    click(qtbot, canvas, node)  # the same neuron again closes it
    assert not canvas.zoom.isVisible()


def test_conv_network_draws_stacks_blocks_and_kernel_links(canvas):
    canvas.set_spec(NetworkSpec.from_dict(CNN))
    assert len(canvas.neurons(0)) == 4
    assert canvas.columns[1].block is not None and canvas.columns[2].block is not None
    conv_links = [l for l in canvas.links if l.param == "0.W"]
    assert len(conv_links) == 4 and not any(l.editable for l in conv_links)
    dense_links = [l for l in canvas.links if l.param == "3.W"]
    assert len(dense_links) == 10  # one summary link per output neuron from the flatten block


def test_rnn_cell_unrolls_on_demand(qtbot, canvas):
    canvas.set_spec(NetworkSpec.from_dict(RNN), ["value"])
    cell = canvas.columns[0].cell
    assert cell is not None and len(cell.neurons) == 5
    assert len([l for l in canvas.links if l.param == "0.W_xh"]) == 5
    width = cell.width()
    click(qtbot, canvas, cell.unroll_button)
    cell = canvas.columns[0].cell
    assert cell.is_unrolled() and cell.width() > width


def test_wide_layers_are_drawn_up_to_a_limit(canvas):
    d = {**DENSE, "layers": [{"type": "dense", "units": 100, "activation": "relu"}, DENSE["layers"][1]]}
    canvas.set_spec(NetworkSpec.from_dict(d), ["x1", "x2"])
    assert len(canvas.neurons(0)) == MAX_DRAWN
    assert canvas.headers[0].count_text() == "100 neurons"


def test_edits_put_new_layers_where_they_belong():
    assert edits.smart_position(CNN, "conv2d") == 2          # after the last pool, before flatten
    assert edits.smart_position(CNN, "dense") == 3           # before the output layer
    assert edits.smart_position(CNN, "flatten") == 2
    two_rnns = edits.insert_layer(RNN, "rnn")
    kinds = [(l["type"], l.get("return_sequences")) for l in two_rnns["layers"]]
    assert kinds == [("rnn", True), ("rnn", False), ("dense", None)]
    NetworkSpec.from_dict(two_rnns)  # and the engine accepts it
    assert RNN["layers"][0].get("return_sequences") is None  # the argument is left alone
