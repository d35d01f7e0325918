"""float32 against float64: products, training, accumulated rounding and Hilbert solves."""

import math

import numpy as np
import pytest

from engine import ShapeError, datasets
from engine.compress import precision as pr

RNG = np.random.default_rng(3)


def test_product_difference_is_a_few_float32_roundings():
    a, b = RNG.normal(size=(9, 50)), RNG.normal(size=(50, 7))
    res = pr.product_precision(a, b)
    np.testing.assert_allclose(res["diff"], res["c32"] - res["c64"])
    assert 0 < res["relative"] < 50 * res["eps32"]
    np.testing.assert_allclose(res["c64"], a.astype(np.float32).astype(np.float64) @ b.astype(np.float32), rtol=1e-12)
    with pytest.raises(ShapeError, match="A's columns"):
        pr.product_precision(a, a)


def test_product_error_grows_with_the_inner_dimension():
    res = pr.product_error_vs_size((4, 256), rows=8, cols=8)
    assert res["relative"][1] > res["relative"][0]


@pytest.mark.kernels
@pytest.mark.parametrize("value", [0.1, None])
def test_summation_methods_against_the_exact_sum(backend, value):
    if backend.dtype == np.float64:
        pytest.skip("summation runs both precisions itself")
    res = pr.summation(40, value, device=backend.device, count=4)
    assert res["n"].tolist() == [1, 3, 12, 40]
    exact = math.fsum(np.full(40, 0.1, np.float32).astype(np.float64)) if value else None
    if exact is not None:
        assert res["exact"][-1] == exact
    assert res["error_float32_kahan"][-1] <= 2 * res["eps32"]
    assert res["error_float32_pairwise"][-1] <= 8 * res["eps32"]
    assert res["error_float64_naive"][-1] <= 1e-14
    np.testing.assert_allclose(res["float32_naive"], res["exact"], rtol=40 * res["eps32"])


def test_summation_shows_naive_float32_drifting():
    res = pr.summation(1 << 18, 0.1, count=6)
    assert res["error_float32_naive"][-1] > 1e-4          # many roundings, all in one direction
    assert res["error_float32_kahan"][-1] < 1e-6
    assert res["error_float32_pairwise"][-1] < 1e-6
    with pytest.raises(ValueError, match="positive finite"):
        pr.summation(10, -1.0)


def test_summation_numpy_device_agrees_with_the_kernels():
    cl = pr.summation(3000, None, seed=2, count=5)
    ref = pr.summation(3000, None, seed=2, count=5, device="numpy")
    for key in ("float32_naive", "float32_kahan", "float32_pairwise", "float64_naive"):
        np.testing.assert_allclose(cl[key], ref[key], rtol=1e-6)
    np.testing.assert_array_equal(cl["float32_naive"], ref["float32_naive"])


def test_hilbert_condition_is_exact_and_errors_follow_it():
    assert pr.hilbert_condition(3) == pytest.approx(748.0)
    h = pr.hilbert_matrix(6)
    assert pr.hilbert_condition(6) == pytest.approx(np.linalg.cond(h, np.inf), rel=1e-6)
    res = pr.hilbert(range(2, 9))
    assert np.all(np.diff(res["cond"]) > 0)
    ok = np.isfinite(res["error64"])
    assert np.all(res["error64"][ok] <= res["bound64"][ok] * 10)
    assert res["error64"][-1] > res["error64"][0]
    # float32 cannot even find pivots once κ passes 1/eps32
    assert np.isnan(res["error32"][-1]) and res["error32"][0] < 1e-5


def test_solve_precision_reports_condition_and_errors():
    res = pr.solve_precision(pr.hilbert_matrix(5))
    assert res["cond"] == pytest.approx(np.linalg.cond(pr.hilbert_matrix(5)), rel=1e-6)
    assert res["error64"] < 1e-9 < res["error32"]
    with pytest.raises(ShapeError, match="square"):
        pr.solve_precision(np.ones((2, 3)))


def test_training_in_both_precisions_stays_close_then_drifts():
    data = datasets.load("xor", n=100, seed=0)
    spec = {"input": [2], "layers": [{"type": "dense", "units": 6, "activation": "tanh"},
                                     {"type": "dense", "units": 1, "activation": "sigmoid"}], "loss": "bce"}
    res = pr.training_precision(spec, data, steps=40, every=10)
    assert res["steps"].tolist() == [10, 20, 30, 40]
    np.testing.assert_allclose(res["loss32"], res["loss64"], rtol=1e-4)
    assert np.all(res["param_diff"] > 0) and np.all(res["param_diff"] < 1e-4)
