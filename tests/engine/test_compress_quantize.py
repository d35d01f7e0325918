"""int8 quantisation: grids, round trips, error bounds, the exact int8 → int32 kernel,
and a trained network measured before and after."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from engine import Model, NonFiniteError, ShapeError, Trainer, datasets
from engine.compress import quantize as qz

RNG = np.random.default_rng(11)


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 6)),
              elements=st.floats(-100, 100, allow_nan=False)),
       st.sampled_from(qz.SCHEMES), st.sampled_from(qz.GRANULARITIES))
def test_error_is_at_most_half_a_step(a, scheme, per):
    q = qz.quantize(a, scheme, per)
    assert q.q.dtype == np.int8 and q.q.shape == a.shape
    assert q.q.min() >= q.qmin
    back = q.dequantize().astype(np.float64)
    step = q.scale.astype(np.float64)
    if per == "row":
        step = step[:, None]
    # half a step, plus float32 rounding of the restored value; matrices whose largest
    # value is near float32's subnormal range (~1e-42, found by hypothesis) have a
    # subnormal scale, rounded on a grid of 1.4e-45: allow a thousand of those
    floor = 1000 * float(np.finfo(np.float32).smallest_subnormal)
    assert np.all(np.abs(back - a) <= step / 2 * (1 + 1e-5) + 1e-6 * np.abs(a) + floor)


def test_symmetric_keeps_zero_and_uses_127():
    a = np.array([[-1.0, 0.0, 0.5, 2.0]])
    q = qz.quantize(a, "symmetric")
    assert q.scale[0] == np.float32(2.0 / 127)
    assert q.q.tolist() == [[-64, 0, 32, 127]]
    assert q.zero_point.tolist() == [0]
    assert q.dequantize()[0, 1] == 0.0


def test_affine_spans_the_range_and_keeps_zero_exact():
    a = np.array([[0.0, 1.0, 3.0], [-1.0, -0.5, 0.0]])
    q = qz.quantize(a, "affine", "row")
    assert q.groups == 2
    assert q.q[0].min() == -128 and q.q[0].max() == 127
    assert np.all(q.dequantize()[a == 0] == 0)
    grid = q.grid(0)
    assert grid.size == 256 and 0.0 in grid


def test_per_row_beats_per_tensor_when_rows_differ_in_scale():
    a = RNG.normal(size=(8, 50)) * np.logspace(-3, 1, 8)[:, None]
    t = qz.error_stats(a, qz.quantize(a, "symmetric", "tensor").dequantize())
    r = qz.error_stats(a, qz.quantize(a, "symmetric", "row").dequantize())
    assert r["relative"] < t["relative"]
    assert r["sqnr_db"] > t["sqnr_db"]


def test_constant_and_zero_arrays_quantise_exactly():
    for a in (np.zeros((2, 3)), np.full((2, 3), -0.25)):
        for scheme in qz.SCHEMES:
            back = qz.quantize(a, scheme, "row").dequantize()
            np.testing.assert_allclose(back, a, atol=1e-7)


def test_bytes_are_a_quarter_plus_scales():
    a = RNG.normal(size=(16, 32)).astype(np.float32)
    q = qz.quantize(a, "symmetric", "row")
    assert q.nbytes == 16 * 32 + 16 * 4
    assert q.float_nbytes == 16 * 32 * 4
    assert qz.quantize(a, "affine", "row").nbytes == 16 * 32 + 16 * 8


def test_bad_input_is_answered_with_sentences():
    with pytest.raises(ValueError, match="no quantisation scheme 'log'"):
        qz.quantize(np.ones((2, 2)), "log")
    with pytest.raises(NonFiniteError, match="non-finite"):
        qz.quantize(np.array([[1.0, np.inf]]))
    with pytest.raises(ShapeError, match="empty"):
        qz.quantize(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="outside int8"):
        qz.int8_matmul(np.array([[200]]), np.array([[1]]))
    with pytest.raises(TypeError, match="fractions"):
        qz.int8_matmul(np.array([[0.5]]), np.array([[1]]))
    with pytest.raises(ShapeError, match="B's rows"):
        qz.int8_matmul(np.ones((2, 3)), np.ones((2, 3)))


# ------------------------------------------------------------------ the int8 kernel

def _ints(*shape):
    return RNG.integers(-128, 128, size=shape, dtype=np.int8)


@pytest.mark.kernels
@pytest.mark.parametrize("m,k,n", [(1, 1, 1), (5, 3, 7), (4, 17, 4), (9, 16, 6), (3, 33, 1)])
def test_int8_matmul_is_exact(backend, m, k, n):
    a, b = _ints(m, k), _ints(k, n)
    got = qz.int8_matmul(a, b, device=backend.device)
    assert got.dtype == np.int32
    assert np.array_equal(got, a.astype(np.int32) @ b.astype(np.int32))
    got_t = qz.int8_matmul(a, np.ascontiguousarray(b.T), trans_b=True, device=backend.device)
    assert np.array_equal(got_t, got)


def test_int8_matmul_extremes_and_awkward_shapes(backend):
    a = np.full((13, 300), -128, dtype=np.int8)
    b = np.full((300, 21), -128, dtype=np.int8)
    got = qz.int8_matmul(a, b, device=backend.device)
    assert np.all(got == 300 * 128 * 128)
    a, b = _ints(37, 129), _ints(129, 23)
    assert np.array_equal(qz.int8_matmul(a, b, device=backend.device), a.astype(np.int32) @ b.astype(np.int32))


@pytest.mark.parametrize("scheme", qz.SCHEMES)
def test_quantized_matmul_is_close_to_the_float_product(scheme):
    a = RNG.normal(size=(12, 40))
    b = RNG.uniform(-0.2, 1.0, size=(40, 9))
    out = qz.quantized_matmul(a, b, scheme)
    assert out["stats"]["relative"] < 0.02
    # with the corrections, the int32 accumulators reproduce the dequantised product exactly
    deq = out["qa"].dequantize().astype(np.float64) @ out["qb"].dequantize().astype(np.float64).T
    np.testing.assert_allclose(out["approx"], deq, rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------ networks

@pytest.fixture(scope="module")
def trained():
    data = datasets.load("digits", seed=0)
    spec = {"input": [1, 8, 8], "layers": [{"type": "flatten"},
                                           {"type": "dense", "units": 24, "activation": "relu"},
                                           {"type": "dense", "units": 10, "activation": "softmax"}],
            "loss": "softmax_ce", "init": "he"}
    model = Model(spec, seed=0)
    Trainer(model, data, optimizer={"type": "adam", "lr": 0.01}, batch_size=32, seed=0).step(150)
    return model, data


def test_network_quantisation_reports_before_and_after(trained):
    model, data = trained
    params = model.params()
    res = qz.quantize_network(model, data, "symmetric", "row")
    assert res.before["accuracy"] > 0.85
    assert abs(res.after["accuracy"] - res.before["accuracy"]) < 0.05
    assert [layer["name"] for layer in res.layers] == ["1.W", "2.W"]
    assert res.int8_bytes < res.float_bytes / 3
    # the model itself is untouched; biases are carried over unchanged
    for name, value in model.params().items():
        assert np.array_equal(value, params[name])
    assert np.array_equal(res.params_after["1.b"], params["1.b"])
    w = res.layers[0]
    assert np.all(np.abs(w["restored"] - w["original"]) <= w["quantized"].scale.max() / 2 + 1e-7)
