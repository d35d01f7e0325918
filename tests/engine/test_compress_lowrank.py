"""The Jacobi SVD against numpy.linalg.svd on every device and dtype, rank-k
approximations, factorised dense layers (full rank gives back the original outputs),
and PCA."""

import numpy as np
import pytest

from engine import Model, NonFiniteError, ShapeError, Trainer, datasets
from engine.compress import lowrank as lr

RNG = np.random.default_rng(5)


def check_svd(dec, a, dtype):
    eps = np.finfo(dtype).eps
    ref = np.linalg.svd(a, compute_uv=False)
    m, n = a.shape
    r = min(m, n)
    assert dec.u.shape == (m, r) and dec.s.shape == (r,) and dec.vt.shape == (r, n)
    assert np.all(np.diff(dec.s) <= 0)
    scale = ref[0] if ref[0] > 0 else 1.0
    slack = 200 * eps * np.sqrt(m * n)
    np.testing.assert_allclose(dec.s, ref, atol=slack * scale)
    rec = dec.reconstruct().astype(np.float64)
    assert np.linalg.norm(rec - a) <= slack * max(np.linalg.norm(a), 1e-300)
    # right singular vectors are orthonormal; left ones too, where s > 0
    np.testing.assert_allclose(dec.vt @ dec.vt.T, np.eye(r), atol=slack)
    live = dec.s > slack * scale
    uu = dec.u[:, live].T @ dec.u[:, live]
    np.testing.assert_allclose(uu, np.eye(live.sum()), atol=slack)


@pytest.mark.kernels
@pytest.mark.parametrize("shape", [(1, 1), (3, 2), (2, 5), (5, 5), (6, 3)])
def test_svd_matches_numpy_on_tiny_shapes(backend, shape):
    a = RNG.normal(size=shape)
    dec = lr.svd(a, device=backend.device, dtype=backend.dtype)
    assert dec.converged
    check_svd(dec, a, backend.dtype)


@pytest.mark.parametrize("shape", [(33, 17), (17, 40), (24, 24)])
def test_svd_matches_numpy_on_awkward_shapes(backend, shape):
    a = RNG.normal(size=shape) * 1e3
    dec = lr.svd(a, device=backend.device, dtype=backend.dtype)
    assert dec.converged and dec.sweeps < lr.MAX_SWEEPS
    check_svd(dec, a, backend.dtype)


def test_svd_of_rank_deficient_and_zero_matrices(backend):
    a = RNG.normal(size=(12, 3)) @ RNG.normal(size=(3, 9))
    dec = lr.svd(a, device=backend.device, dtype=backend.dtype)
    check_svd(dec, a, backend.dtype)
    assert dec.numerical_rank() == 3
    z = lr.svd(np.zeros((4, 3)), device=backend.device, dtype=backend.dtype)
    assert np.all(z.s == 0) and z.numerical_rank() == 0
    assert np.array_equal(z.reconstruct(), np.zeros((4, 3)))


def test_low_rank_errors_follow_eckart_young():
    a = RNG.normal(size=(20, 12))
    dec = lr.svd(a, dtype=np.float64)
    ref = np.linalg.svd(a, compute_uv=False)
    for k in (1, 5, 12):
        res = lr.low_rank(a, k, svd_result=dec)
        assert res.params == k * 32 and res.params_full == 240
        want = np.sqrt(np.sum(ref[k:] ** 2))
        assert res.error_fro == pytest.approx(want, rel=1e-4, abs=1e-4)
        assert res.spectral == pytest.approx(ref[k] if k < 12 else 0.0, rel=1e-4, abs=1e-6)
    assert lr.low_rank(a, 12, svd_result=dec).relative < 1e-5


def test_bad_input_is_answered_with_sentences():
    a = np.ones((5, 3))
    with pytest.raises(ValueError, match="rank is 4, but A is 5×3, so its rank is at most 3: choose a rank from 1 to 3"):
        lr.low_rank(a, 4)
    with pytest.raises(ValueError, match="rank is 0"):
        lr.low_rank(a, 0)
    with pytest.raises(ValueError, match="whole number"):
        lr.low_rank(a, 1.5)
    with pytest.raises(ShapeError, match="needs a matrix"):
        lr.svd(np.ones(4))
    with pytest.raises(NonFiniteError, match="row 2, column 1"):
        lr.svd(np.array([[1.0, 2.0], [np.nan, 1.0]]))
    with pytest.raises(ShapeError, match="at least 2"):
        lr.pca(np.ones((1, 4)))


# ------------------------------------------------------------------ networks and PCA

@pytest.fixture(scope="module")
def trained():
    data = datasets.load("digits", seed=0)
    spec = {"input": [1, 8, 8], "layers": [{"type": "flatten"},
                                           {"type": "dense", "units": 20, "activation": "tanh"},
                                           {"type": "dense", "units": 10, "activation": "softmax"}],
            "loss": "softmax_ce", "regularization": {"type": "l2", "rate": 1e-4}, "init": "xavier"}
    model = Model(spec, seed=0)
    Trainer(model, data, optimizer={"type": "adam", "lr": 0.01}, batch_size=32, seed=0).step(120)
    return model, data


def test_factorised_layer_at_full_rank_gives_the_original_outputs(trained):
    model, data = trained
    x = data.x_test[:50]
    copy, info = lr.factorize_dense(model, "1.W", 20)
    assert [layer.kind for layer in copy.spec.layers] == ["flatten", "dense", "dense", "dense"]
    assert copy.spec.layers[1].units == 20 and copy.spec.layers[1].activation == "linear"
    np.testing.assert_allclose(copy.forward(x), model.forward(x), rtol=1e-4, atol=1e-5)
    assert info["params"] == 20 * (64 + 20) + 20 and info["params_full"] == 64 * 20 + 20


def test_factorise_refuses_non_dense_layers_and_bad_ranks(trained):
    model, _ = trained
    with pytest.raises(ValueError, match="flatten layer; only dense layers"):
        lr.factorize_dense(model, 0, 1)
    with pytest.raises(ValueError, match="from 1 to 20"):
        lr.factorize_dense(model, 1, 21)


def test_accuracy_vs_rank_rises_to_the_original(trained):
    model, data = trained
    curve = lr.accuracy_vs_rank(model, data, layer=1, ranks=[1, 4, 20])
    assert curve["ranks"] == [1, 4, 20]
    assert curve["accuracy"][0] < curve["accuracy"][-1]
    assert curve["accuracy"][-1] == pytest.approx(curve["full"]["accuracy"], abs=0.003)
    assert curve["params"][0] < curve["params_full"]
    assert lr.default_ranks(64)[-1] == 64 and lr.default_ranks(5) == [1, 2, 3, 4, 5]


def test_pca_of_digits_matches_numpy():
    x = datasets.load("digits", seed=0).x_train[:300]
    res = lr.pca(x, 6, dtype=np.float64)
    flat = x.reshape(len(x), -1).astype(np.float64)
    centred = flat - flat.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    np.testing.assert_allclose(res.singular_values, s[:6], rtol=1e-8)
    for i in range(6):  # components agree up to sign
        assert abs(abs(res.components[i] @ vt[i]) - 1) < 1e-6
    assert res.component_images().shape == (6, 1, 8, 8)
    assert 0 < res.ratio.sum() < 1 and np.all(np.diff(res.ratio) <= 0)
    full = lr.pca(flat[:20, :10], dtype=np.float64)
    np.testing.assert_allclose(full.reconstruct(), flat[:20, :10], atol=1e-9)
