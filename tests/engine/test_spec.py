"""NetworkSpec: dict round trip, shape inference and every validation sentence."""

import dataclasses
import json

import numpy as np
import pytest

from engine.spec import (
    RNN,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    MaxPool2D,
    NetworkSpec,
    Regularization,
    SpecError,
)

MLP = {
    "input": [2],
    "layers": [
        {"type": "dense", "units": 8, "activation": "tanh"},
        {"type": "dense", "units": 3, "activation": "softmax"},
    ],
    "loss": "softmax_ce",
    "regularization": {"type": "l2", "rate": 1e-3},
    "init": "xavier",
}

CNN = {
    "input": [1, 8, 8],
    "layers": [
        {"type": "conv2d", "filters": 4, "kernel": 3, "stride": 1, "padding": 1, "activation": "relu"},
        {"type": "maxpool2d", "size": 2},
        {"type": "conv2d", "filters": 6, "kernel": 2, "activation": "tanh"},
        {"type": "avgpool2d", "size": 3, "stride": 1},
        {"type": "flatten"},
        {"type": "dropout", "rate": 0.25},
        {"type": "dense", "units": 10, "activation": "softmax"},
    ],
    "loss": "softmax_ce",
}

SEQ = {
    "input": [20, 2],
    "layers": [
        {"type": "rnn", "units": 16, "return_sequences": True},
        {"type": "rnn", "units": 8, "activation": "relu"},
        {"type": "dense", "units": 1},
    ],
    "loss": "mse",
    "init": "he",
    "dtype": "float64",
}


def spec_with(base, **changes):
    d = json.loads(json.dumps(base))
    d.update(changes)
    return d


def layers_with(base, index, **changes):
    d = json.loads(json.dumps(base))
    d["layers"][index].update(changes)
    return d


def error_of(d) -> SpecError:
    with pytest.raises(SpecError) as info:
        NetworkSpec.from_dict(d)
    return info.value


# ------------------------------------------------------------------ round trip
@pytest.mark.parametrize("d", [MLP, CNN, SEQ], ids=["mlp", "cnn", "rnn"])
def test_round_trip_is_json_safe_and_stable(d):
    spec = NetworkSpec.from_dict(d)
    out = spec.to_dict()
    assert json.loads(json.dumps(out)) == out
    again = NetworkSpec.from_dict(out)
    assert again == spec
    assert again.to_dict() == out


def test_defaults_are_filled_in():
    spec = NetworkSpec.from_dict({"input": [3], "layers": [{"type": "dense", "units": 1}]})
    assert spec.loss == "mse"
    assert spec.init == "xavier"
    assert spec.dtype == "float32"
    assert spec.regularization == Regularization("none", 0.0)
    assert spec.layers[0] == Dense(1, "linear")
    pool = NetworkSpec.from_dict(CNN).layers[1]
    assert pool == MaxPool2D(2, 2)
    assert NetworkSpec.from_dict(SEQ).layers[1] == RNN(8, "relu", False)


def test_glorot_is_an_alias_and_dtypes_are_accepted():
    spec = NetworkSpec.from_dict(spec_with(MLP, init="glorot", dtype="float64"))
    assert spec.init == "xavier"
    assert spec.dtype == "float64"
    assert NetworkSpec.from_dict(spec_with(MLP, dtype=np.float64)).dtype == "float64"


def test_layers_may_be_dataclasses_and_replace_rechecks():
    spec = NetworkSpec(input=[4], layers=[Dense(5, "relu"), Dense(1, "sigmoid")], loss="bce")
    assert spec.shapes() == [(5,), (1,)]
    with pytest.raises(SpecError, match="bce"):
        dataclasses.replace(spec, layers=(Dense(5, "relu"), Dense(1, "tanh")))


def test_integral_floats_from_json_are_whole_numbers():
    spec = NetworkSpec.from_dict(layers_with(MLP, 0, units=8.0))
    assert spec.layers[0].units == 8 and isinstance(spec.layers[0].units, int)


# ------------------------------------------------------------------ shapes
def test_shapes_and_param_shapes():
    cnn = NetworkSpec.from_dict(CNN)
    assert cnn.shapes() == [(4, 8, 8), (4, 4, 4), (6, 3, 3), (6, 1, 1), (6,), (6,), (10,)]
    assert cnn.output_shape == (10,)
    assert cnn.param_shapes() == {"0.W": (4, 1, 3, 3), "0.b": (4,), "2.W": (6, 4, 2, 2), "2.b": (6,),
                                  "6.W": (10, 6), "6.b": (10,)}
    seq = NetworkSpec.from_dict(SEQ)
    assert seq.shapes() == [(20, 16), (8,), (1,)]
    assert list(seq.param_shapes()) == ["0.W_xh", "0.W_hh", "0.b_h", "1.W_xh", "1.W_hh", "1.b_h", "2.W", "2.b"]
    assert seq.param_shapes()["0.W_xh"] == (16, 2)
    assert seq.param_shapes()["1.W_hh"] == (8, 8)
    assert seq.n_params() == 16 * 2 + 16 * 16 + 16 + 8 * 16 + 8 * 8 + 8 + 8 + 1
    mlp = NetworkSpec.from_dict(MLP)
    assert mlp.input_shapes() == [(2,), (8,)]
    assert len(mlp.describe()) == 2


def test_strided_conv_shape():
    spec = NetworkSpec.from_dict({"input": [3, 9, 7], "layers": [
        {"type": "conv2d", "filters": 2, "kernel": 3, "stride": 2, "padding": 1},
        {"type": "flatten"}, {"type": "dense", "units": 1}]})
    assert spec.shapes()[0] == (2, 5, 4)


# ------------------------------------------------------------------ validation sentences
def check(err, *needles, layer="unset"):
    text = str(err)
    for needle in needles:
        assert needle in text, f"{needle!r} not in {text!r}"
    assert text.endswith("."), text
    if layer != "unset":
        assert err.layer == layer


def test_dense_after_image_asks_for_flatten():
    d = {"input": [1, 8, 8], "layers": [
        {"type": "conv2d", "filters": 8, "kernel": 3, "padding": 1, "activation": "relu"},
        {"type": "maxpool2d", "size": 2},
        {"type": "dense", "units": 3}]}
    err = error_of(d)
    check(err, "Layer 3 (dense)", "8×4×4 image", "add a flatten layer first", layer=2)
    assert "an 8×4×4" in str(err)


def test_dense_after_sequence_names_both_fixes():
    err = error_of({"input": [5, 2], "layers": [{"type": "dense", "units": 3}]})
    check(err, "Layer 1 (dense)", "sequence of 5 steps", "flatten", "return_sequences", layer=0)


def test_conv_needs_images():
    err = error_of({"input": [4], "layers": [{"type": "conv2d", "filters": 2, "kernel": 3}]})
    check(err, "Layer 1 (conv2d)", "needs images", "4 features", "[C, H, W]", layer=0)


def test_kernel_larger_than_image():
    err = error_of({"input": [1, 4, 4], "layers": [{"type": "conv2d", "filters": 2, "kernel": 5},
                                                    {"type": "flatten"}, {"type": "dense", "units": 1}]})
    check(err, "Layer 1 (conv2d)", "5×5 kernel", "4×4 image", "at most 4", layer=0)


def test_padding_limited_by_kernel():
    err = error_of(layers_with(CNN, 0, padding=3))
    check(err, "Layer 1 (conv2d)", "padding = 3", "0 to 2", layer=0)


def test_pool_window_larger_than_image():
    err = error_of({"input": [1, 3, 3], "layers": [{"type": "maxpool2d", "size": 4},
                                                    {"type": "flatten"}, {"type": "dense", "units": 1}]})
    check(err, "Layer 1 (maxpool2d)", "4×4 window", "3×3 image", "at most 3", layer=0)


def test_pool_needs_images():
    err = error_of({"input": [6], "layers": [{"type": "avgpool2d", "size": 2}]})
    check(err, "Layer 1 (avgpool2d)", "needs images", "pool right after a conv2d", layer=0)


def test_rnn_needs_sequences():
    err = error_of({"input": [3], "layers": [{"type": "rnn", "units": 4}]})
    check(err, "Layer 1 (rnn)", "needs sequences", "[T, F]", layer=0)
    err = error_of({"input": [5, 2], "layers": [{"type": "rnn", "units": 4}, {"type": "rnn", "units": 4}]})
    check(err, "Layer 2 (rnn)", "set return_sequences to true", layer=1)


def test_rnn_activation_limited_to_torch_kinds():
    err = error_of(layers_with(SEQ, 1, activation="sigmoid"))
    check(err, "Layer 2 (rnn)", "activation 'sigmoid'", "tanh or relu", layer=1)


def test_rnn_return_sequences_must_be_bool():
    err = error_of(layers_with(SEQ, 0, return_sequences="yes"))
    check(err, "Layer 1 (rnn)", "true or false", layer=0)


@pytest.mark.parametrize("units", [0, 5000, -1])
def test_units_out_of_range(units):
    err = error_of(layers_with(MLP, 0, units=units))
    check(err, "Layer 1 (dense)", f"units = {units}", "1 to 4096", layer=0)


def test_units_must_be_whole():
    check(error_of(layers_with(MLP, 0, units=2.5)), "Layer 1 (dense)", "whole number for units", layer=0)
    check(error_of(layers_with(MLP, 0, units="8")), "whole number for units", layer=0)
    check(error_of(layers_with(MLP, 0, units=True)), "whole number for units", layer=0)


def test_unknown_activation_lists_valid_ones():
    err = error_of(layers_with(MLP, 0, activation="gelu"))
    check(err, "Layer 1 (dense)", "'gelu'", "linear, relu, leaky_relu, tanh, sigmoid or softmax", layer=0)


def test_softmax_only_on_output():
    d = layers_with(MLP, 0, activation="softmax")
    check(error_of(d), "Layer 1 (dense)", "softmax", "only works on the output layer", layer=0)
    d = {"input": [1, 4, 4], "layers": [{"type": "conv2d", "filters": 2, "kernel": 3, "activation": "softmax"},
                                         {"type": "flatten"}, {"type": "dense", "units": 2}]}
    check(error_of(d), "Layer 1 (conv2d)", "softmax", layer=0)


def test_unknown_layer_type_lists_valid_ones():
    d = layers_with(MLP, 1, type="lstm")
    check(error_of(d), "Layer 2", "'lstm'", "dense, conv2d, maxpool2d, avgpool2d, flatten, rnn or dropout", layer=1)
    d = json.loads(json.dumps(MLP))
    del d["layers"][0]["type"]
    check(error_of(d), "Layer 1 has no type", layer=0)


def test_unknown_layer_key_lists_settings():
    err = error_of(layers_with(MLP, 0, unit=4))
    check(err, "Layer 1 (dense)", "'unit'", "units, activation", layer=0)
    err = error_of(layers_with(CNN, 4, size=2))
    check(err, "Layer 5 (flatten)", "'size'", "none (only its type)", layer=4)


def test_missing_required_setting():
    d = json.loads(json.dumps(CNN))
    del d["layers"][0]["kernel"]
    check(error_of(d), "Layer 1 (conv2d)", "needs kernel", layer=0)


def test_layer_not_a_dict():
    check(error_of(spec_with(MLP, layers=["dense"])), "Layer 1 should be a dict", layer=0)


def test_unknown_top_level_key():
    err = error_of(spec_with(MLP, lyers=[]))
    check(err, "'lyers'", "input, layers, loss, regularization, init, dtype", layer=None)


def test_missing_input_and_layers():
    d = dict(MLP)
    del d["input"]
    check(error_of(d), "no 'input'", "[2]")
    d = dict(MLP)
    del d["layers"]
    check(error_of(d), "no 'layers'")
    check(error_of(spec_with(MLP, layers=[])), "no layers", "add at least one")


def test_bad_input_shapes():
    check(error_of(spec_with(MLP, input=[1, 2, 3, 4])), "The network input", "[features]")
    check(error_of(spec_with(MLP, input=[0])), "The network input", "features = 0")
    check(error_of(spec_with(MLP, input=[])), "The network input")


def test_loss_must_be_known():
    check(error_of(spec_with(MLP, loss="hinge")), "loss 'hinge'", "mse, bce or softmax_ce")


def test_softmax_ce_needs_softmax_output():
    err = error_of(layers_with(MLP, 1, activation="sigmoid"))
    check(err, "softmax_ce", "layer 2 (dense)", "uses sigmoid", "set its activation to softmax", layer=1)


def test_softmax_over_one_unit():
    err = error_of(layers_with(MLP, 1, units=1))
    check(err, "Layer 2 (dense)", "softmax over 1 unit", "bce", layer=1)


def test_bce_needs_sigmoid_output():
    err = error_of(spec_with(MLP, loss="bce"))
    check(err, "bce", "layer 2 (dense)", "uses softmax", "sigmoid", layer=1)


def test_dropout_cannot_be_last():
    d = json.loads(json.dumps(MLP))
    d["layers"].append({"type": "dropout", "rate": 0.2})
    d["loss"] = "mse"
    check(error_of(d), "Layer 3 (dropout)", "last layer", layer=2)


@pytest.mark.parametrize("rate", [1.0, -0.1, "half"])
def test_dropout_rate(rate):
    d = json.loads(json.dumps(CNN))
    d["layers"][5]["rate"] = rate
    check(error_of(d), "Layer 6 (dropout)", "rate", "up to (not including) 1", layer=5)


def test_regularization_checks():
    check(error_of(spec_with(MLP, regularization={"type": "l3", "rate": 0.1})), "regularization", "none, l1 or l2")
    check(error_of(spec_with(MLP, regularization={"type": "l2", "rate": -1})), "rate is -1", "0 to 10")
    check(error_of(spec_with(MLP, regularization={"type": "l2", "lambda": 1})), "unknown key 'lambda'")
    check(error_of(spec_with(MLP, regularization=[1])), "regularization should look like")
    spec = NetworkSpec.from_dict(spec_with(MLP, regularization="l1"))
    assert spec.regularization == Regularization("l1", 1e-3) and spec.regularization.active
    assert not NetworkSpec.from_dict(spec_with(MLP, regularization=None)).regularization.active


def test_init_and_dtype_checks():
    check(error_of(spec_with(MLP, init="orthogonal")), "init 'orthogonal'", "zeros, uniform, normal, xavier, he")
    check(error_of(spec_with(MLP, dtype="float16")), "dtype 'float16'", "float32 or float64")


def test_stride_limits():
    check(error_of(layers_with(CNN, 1, stride=0)), "Layer 2 (maxpool2d)", "stride = 0", layer=1)


def test_too_many_parameters():
    d = {"input": [4096], "layers": [{"type": "dense", "units": 4096}] * 2}
    check(error_of(d), "parameters", "at most 10,000,000")


def test_not_a_dict():
    check(error_of([1, 2]), "should be a dict")


def test_spec_error_is_a_value_error():
    assert issubclass(SpecError, ValueError)
    assert Flatten().to_dict() == {"type": "flatten"}
    assert Dropout(0.1).to_dict() == {"type": "dropout", "rate": 0.1}
    assert Conv2D(2, 3).to_dict()["padding"] == 0
