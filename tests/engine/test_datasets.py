"""Tests for engine.datasets: built-in sets, feature maps and user files."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from engine import datasets
from engine.datasets import DataFileError, DatasetError

PLANAR_BINARY = ["circle", "xor", "gauss", "spiral"]
PLANAR_MULTICLASS = ["spiral3", "blobs"]
PLANAR_REGRESSION = ["plane", "gauss_mix"]
EXPECTED = PLANAR_BINARY + PLANAR_MULTICLASS + PLANAR_REGRESSION + [
    "linear", "digits", "sine", "adding"]


def small(name, **kw):
    """A quick load; digits keeps its own size unless n is given."""
    kw.setdefault("n", None if name == "digits" else 200)
    return datasets.load(name, **kw)


def one_nn_accuracy(data):
    """Test accuracy of a 1-nearest-neighbour classifier: high when classes are separable."""
    d2 = ((data.x_test[:, None, :] - data.x_train[None, :, :]) ** 2).sum(axis=2)
    guess = data.y_train.reshape(-1)[d2.argmin(axis=1)]
    return float((guess == data.y_test.reshape(-1)).mean())


# --- registry and arguments -------------------------------------------------------

def test_names_lists_every_set_in_order():
    assert datasets.names() == EXPECTED
    assert datasets.names("binary") == PLANAR_BINARY
    assert datasets.names("sequence_regression") == ["sine", "adding"]


def test_info_describes_each_set():
    for name in datasets.names():
        info = datasets.info(name)
        assert info.name == name and info.task in datasets.TASKS and info.description
    assert datasets.info("spiral3").options == {"classes": 3}
    assert datasets.info("digits").default_n == 1797
    assert not datasets.info("digits").uses_noise


@pytest.mark.parametrize("kwargs, words", [
    ({"name": "spirall"}, ["spirall", "circle", "digits", "load_user"]),
    ({"name": "circle", "n": 0}, ["n=0"]),
    ({"name": "circle", "n": -5}, ["n=-5"]),
    ({"name": "circle", "n": 1}, ["n=1", "n >= 2"]),
    ({"name": "circle", "n": 2.5}, ["whole number"]),
    ({"name": "circle", "test_ratio": 0.0}, ["test_ratio=0.0", "(0, 1)"]),
    ({"name": "circle", "test_ratio": 1.0}, ["test_ratio=1.0"]),
    ({"name": "circle", "test_ratio": 1.5}, ["test_ratio=1.5"]),
    ({"name": "circle", "noise": -0.1}, ["noise=-0.1", "negative"]),
    ({"name": "circle", "noise": float("nan")}, ["noise"]),
    ({"name": "circle", "seed": -1}, ["seed"]),
    ({"name": "circle", "classes": 3}, ["circle", "'classes'", "none"]),
    ({"name": "spiral3", "colours": 3}, ["'colours'", "classes=3"]),
    ({"name": "spiral3", "classes": 1}, ["classes=1", "between 2 and 10"]),
    ({"name": "linear", "features": 0}, ["features=0"]),
    ({"name": "sine", "steps": 1}, ["steps=1"]),
])
def test_bad_arguments_raise_sentences(kwargs, words):
    name = kwargs.pop("name")
    with pytest.raises(DatasetError) as err:
        datasets.load(name, **kwargs)
    assert isinstance(err.value, ValueError)
    for word in words:
        assert word in str(err.value)


def test_user_files_do_not_come_through_load():
    assert "csv" not in datasets.names()
    with pytest.raises(ValueError, match="load_user"):
        datasets.load("csv", path="x.csv")


# --- shapes, dtypes, ranges ----------------------------------------------------------

@pytest.mark.parametrize("name", EXPECTED)
def test_shapes_and_dtypes(name):
    data = small(name)
    info = datasets.info(name)
    assert data.name == name and data.task == info.task
    for x, y in [(data.x_train, data.y_train), (data.x_test, data.y_test)]:
        assert x.dtype == np.float32
        assert x.shape[1:] == data.input_shape
        assert len(y) == len(x)
        if data.task == "multiclass":
            assert y.dtype == np.int64 and y.ndim == 1
            assert 0 <= y.min() and y.max() < data.n_classes
        else:
            assert y.dtype == np.float32 and y.shape == (len(x), 1)
        assert np.isfinite(x).all() and np.isfinite(y).all()
    if data.task == "binary":
        assert data.n_classes == 2
        assert set(np.unique(np.concatenate([data.y_train, data.y_test]))) <= {0.0, 1.0}
    elif data.task != "multiclass":
        assert data.n_classes is None
    json.dumps(data.meta)  # the app saves meta in project files
    for key in ("name", "n", "noise", "seed", "test_ratio", "options",
                "feature_names", "target_name"):
        assert key in data.meta
    assert "train=" in repr(data)


@pytest.mark.parametrize("name", PLANAR_BINARY + PLANAR_MULTICLASS + PLANAR_REGRESSION)
def test_planar_points_on_playground_scale(name):
    data = datasets.load(name, n=400, noise=0.1, seed=3)
    assert data.input_shape == (2,)
    x = np.concatenate([data.x_train, data.x_test])
    assert np.abs(x).max() < 8.0
    assert np.abs(x).max() > 3.5  # spread over the plane, not squeezed near 0


@pytest.mark.parametrize("name", PLANAR_REGRESSION)
def test_regression_targets_in_unit_range(name):
    data = datasets.load(name, n=400, noise=0.0, seed=1)
    y = np.concatenate([data.y_train, data.y_test])
    assert -1.0 - 1e-6 <= y.min() < -0.5 and 0.5 < y.max() <= 1.0 + 1e-6


def test_plane_is_linear_without_noise():
    data = datasets.load("plane", n=100, noise=0.0, seed=2)
    np.testing.assert_allclose(data.y_train[:, 0], data.x_train.sum(axis=1) / 12, atol=1e-6)


def test_gauss_mix_peaks_at_bump_centres():
    from engine.datasets.planar import gauss_mix_target
    centres = np.array([[-4, 2.5], [0, 2.5], [0, -2.5]])
    np.testing.assert_allclose(gauss_mix_target(centres), [1, -1, 1], atol=1e-3)


def test_circle_classes_by_radius_without_noise():
    data = datasets.load("circle", n=300, noise=0.0, seed=4)
    r = np.hypot(*data.x_train.T)
    inner = data.y_train[:, 0] == 1
    assert r[inner].max() < 2.5 and r[~inner].min() >= 3.5 and r.max() <= 5.0


def test_xor_classes_by_quadrant_without_noise():
    data = datasets.load("xor", n=300, noise=0.0, seed=4)
    same_sign = data.x_train[:, 0] * data.x_train[:, 1] > 0
    np.testing.assert_array_equal(same_sign, data.y_train[:, 0] == 1)
    assert np.abs(data.x_train).min() >= 0.3  # padding off the axes


def test_noise_flips_circle_labels_but_not_points():
    clean = datasets.load("circle", n=400, noise=0.0, seed=5)
    noisy = datasets.load("circle", n=400, noise=0.5, seed=5)
    r = np.hypot(*noisy.x_train.T)
    assert r.max() <= 5.0
    assert ((r < 2.5) != (noisy.y_train[:, 0] == 1)).any()
    assert not ((np.hypot(*clean.x_train.T) < 2.5) != (clean.y_train[:, 0] == 1)).any()


def test_gauss_noise_widens_clouds():
    tight = datasets.load("gauss", n=400, noise=0.0, seed=1)
    wide = datasets.load("gauss", n=400, noise=0.5, seed=1)
    assert wide.x_train.std() > tight.x_train.std() * 1.5


# --- reproducibility and splits ---------------------------------------------------------

@pytest.mark.parametrize("name", EXPECTED)
def test_same_seed_same_data_other_seed_other_data(name):
    a, b, c = small(name, seed=7), small(name, seed=7), small(name, seed=8)
    for field in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.x_train, c.x_train)


@pytest.mark.parametrize("name", EXPECTED)
@pytest.mark.parametrize("ratio", [0.2, 0.5, 0.8])
def test_test_ratio_honoured(name, ratio):
    n = 1797 if name == "digits" else 250
    data = datasets.load(name, n=n, test_ratio=ratio, seed=0)
    assert data.n_train + data.n_test == n
    assert data.n_test == round(n * ratio)


def test_split_never_leaves_a_part_empty():
    data = datasets.load("gauss", n=2, test_ratio=0.01)
    assert data.n_train == 1 and data.n_test == 1


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 300), ratio=st.floats(0.01, 0.99), k=st.integers(1, 6),
       seed=st.integers(0, 2**32 - 1), stratify=st.booleans())
def test_split_indices_partition(n, ratio, k, seed, stratify):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, k, n) if stratify else None
    train, test = datasets.split_indices(rng, n, ratio, labels)
    assert len(test) == min(max(round(n * ratio), 1), n - 1)
    np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(n))
    if stratify:
        for c in range(k):
            members = int((labels == c).sum())
            in_test = int((labels[test] == c).sum())
            assert abs(in_test - members * len(test) / n) < 1.0 + 1e-9


@pytest.mark.parametrize("name", PLANAR_BINARY)
def test_binary_labels_balanced(name):
    clean = datasets.load(name, n=400, noise=0.0, seed=2)
    for y in (clean.y_train, clean.y_test):
        assert y.mean() == pytest.approx(0.5, abs=0.01)
    noisy = datasets.load(name, n=400, noise=0.2, seed=2)
    y = np.concatenate([noisy.y_train, noisy.y_test])
    assert y.mean() == pytest.approx(0.5, abs=0.1)


@pytest.mark.parametrize("name, k", [("spiral3", 3), ("blobs", 4), ("digits", 10)])
def test_multiclass_split_is_stratified(name, k):
    data = small(name, n=None if name == "digits" else 600)
    train = np.bincount(data.y_train, minlength=k) / data.n_train
    test = np.bincount(data.y_test, minlength=k) / data.n_test
    np.testing.assert_allclose(train, test, atol=0.01)


@pytest.mark.parametrize("name, k", [("spiral3", 5), ("blobs", 2), ("blobs", 6)])
def test_classes_option(name, k):
    data = datasets.load(name, n=300, classes=k)
    assert data.n_classes == k
    assert set(np.unique(data.y_train)) == set(range(k))
    assert len(data.meta["class_names"]) == k


@pytest.mark.parametrize("name", PLANAR_BINARY + PLANAR_MULTICLASS)
def test_classes_look_separable_at_low_noise(name):
    data = datasets.load(name, n=500, noise=0.0, seed=1)
    assert one_nn_accuracy(data) > 0.93


def test_spiral_arms_are_point_reflections():
    data = datasets.load("spiral", n=4000, noise=0.0, seed=0)
    x = np.concatenate([data.x_train, data.x_test])
    y = np.concatenate([data.y_train, data.y_test])[:, 0]
    m1, m0 = x[y == 1].mean(axis=0), x[y == 0].mean(axis=0)
    np.testing.assert_allclose(m1, -m0, atol=0.2)
    assert np.linalg.norm(m1 - m0) > 0.5
    r = np.hypot(*x.T)
    assert r.max() <= 5.0 + 1e-5


def test_blob_means_near_centres():
    data = datasets.load("blobs", n=2000, noise=0.0, seed=0)
    centres = np.array(data.meta["centres"])
    for k in range(4):
        mean = data.x_train[data.y_train == k].mean(axis=0)
        np.testing.assert_allclose(mean, centres[k], atol=0.15)


# --- linear -------------------------------------------------------------------------------

@pytest.mark.parametrize("features", [1, 3])
def test_linear_recovers_theta(features):
    data = datasets.load("linear", n=400, noise=0.05, features=features, seed=3)
    assert data.input_shape == (features,)
    theta, bias = np.array(data.meta["theta"]), data.meta["bias"]
    design = np.hstack([data.x_train, np.ones((data.n_train, 1))])
    fit, *_ = np.linalg.lstsq(design, data.y_train[:, 0], rcond=None)
    np.testing.assert_allclose(fit[:-1], theta, atol=0.05)
    assert fit[-1] == pytest.approx(bias, abs=0.05)


def test_linear_without_noise_or_bias_is_exact():
    data = datasets.load("linear", n=50, noise=0.0, features=2, bias=False)
    assert data.meta["bias"] == 0.0
    np.testing.assert_allclose(data.y_test[:, 0], data.x_test @ np.array(data.meta["theta"]),
                               atol=1e-5)


# --- digits -------------------------------------------------------------------------------

def test_digits_full_set():
    data = datasets.load("digits", seed=0)
    assert data.n_train + data.n_test == 1797
    assert data.input_shape == (1, 8, 8) and data.n_classes == 10
    x = np.concatenate([data.x_train, data.x_test])
    y = np.concatenate([data.y_train, data.y_test])
    assert x.min() == 0.0 and x.max() == 1.0
    np.testing.assert_array_equal(np.unique(x * 16), np.arange(17))  # raw 0..16 / 16
    np.testing.assert_array_equal(
        np.bincount(y), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    assert data.meta["class_names"] == [str(d) for d in range(10)]


def test_known_digit_sample():
    images, labels = datasets.digits_arrays()
    assert images.shape == (1797, 8, 8) and labels.shape == (1797,)
    assert labels[0] == 0 and images[0].sum() == 294
    zero = images[labels == 0].mean(axis=0)
    assert zero[3:5, 3:5].mean() < zero[3:5, [1, 2, 5, 6]].mean() / 3  # a zero has a hole
    assert not images.flags.writeable


def test_digits_rows_come_from_the_file():
    images, labels = datasets.digits_arrays()
    data = datasets.load("digits", seed=1)
    flat = (images.reshape(1797, 64).astype(np.float32) / 16)
    lookup = {row.tobytes(): lab for row, lab in zip(flat, labels)}
    for xi, yi in zip(data.x_test[:50], data.y_test[:50]):
        assert lookup[xi.reshape(64).tobytes()] == yi


def test_digits_subsample_and_cap():
    sub = datasets.load("digits", n=300, seed=0)
    assert sub.n_train + sub.n_test == 300
    counts = np.bincount(np.concatenate([sub.y_train, sub.y_test]), minlength=10)
    assert counts.min() >= 28 and counts.max() <= 32
    assert datasets.load("digits", n=5000).meta["n"] == 1797


# --- sequences ----------------------------------------------------------------------------

def test_sine_target_continues_the_wave():
    data = datasets.load("sine", n=200, noise=0.0, seed=0, steps=12)
    assert data.input_shape == (12, 1)
    x = data.x_train[:, :, 0].astype(np.float64)
    # A pure sinusoid obeys s[t+1] = 2cos(w) s[t] - s[t-1]; estimate 2cos(w) per window.
    num = ((x[:, 2:] + x[:, :-2]) * x[:, 1:-1]).sum(axis=1)
    den = (x[:, 1:-1] ** 2).sum(axis=1)
    c = num / den
    predicted = c * x[:, -1] - x[:, -2]
    np.testing.assert_allclose(data.y_train[:, 0], predicted, atol=1e-4)
    assert np.abs(x).max() <= 1.0


def test_sine_noise_only_on_inputs():
    clean = datasets.load("sine", n=100, noise=0.0, seed=9)
    noisy = datasets.load("sine", n=100, noise=0.2, seed=9)
    np.testing.assert_array_equal(clean.y_train, noisy.y_train)
    residual = noisy.x_train - clean.x_train
    assert 0.15 < residual.std() < 0.25


@pytest.mark.parametrize("steps", [2, 7, 20])
def test_adding_target_is_sum_of_marked_values(steps):
    data = datasets.load("adding", n=300, seed=0, steps=steps)
    assert data.input_shape == (steps, 2)
    x = data.x_train
    values, markers = x[:, :, 0], x[:, :, 1]
    assert ((0 <= values) & (values <= 1)).all()
    np.testing.assert_array_equal(markers.sum(axis=1), 2)
    assert set(np.unique(markers)) <= {0.0, 1.0}
    half = steps // 2
    np.testing.assert_array_equal(markers[:, :half].sum(axis=1), 1)
    np.testing.assert_allclose(data.y_train[:, 0], (values * markers).sum(axis=1), atol=1e-6)


# --- feature maps -------------------------------------------------------------------------

def test_feature_values():
    x = np.array([[1.0, 2.0], [-0.5, 3.0]])
    out = datasets.features(x, list(datasets.FEATURES))
    assert out.shape == (2, 7) and out.dtype == np.float32
    a, b = x[:, 0], x[:, 1]
    expected = np.stack([a, b, a * a, b * b, a * b, np.sin(a), np.sin(b)], axis=1)
    np.testing.assert_allclose(out, expected, rtol=1e-6)


def test_features_keep_requested_order_and_spellings():
    x = np.array([[0.5, -2.0]])
    out = datasets.features(x, ["sin x1", "x2", "X1²", "sin(x2)"])
    np.testing.assert_allclose(out[0], [np.sin(0.5), -2.0, 0.25, np.sin(-2.0)], rtol=1e-6)
    np.testing.assert_allclose(datasets.features(x, "x1*x2"), [[-1.0]])


def test_features_errors():
    x = np.zeros((3, 2))
    with pytest.raises(ValueError) as err:
        datasets.features(x, ["x1", "x3"])
    assert "'x3'" in str(err.value) and "'sin x2'" in str(err.value)
    with pytest.raises(ValueError, match="at least one"):
        datasets.features(x, [])
    with pytest.raises(ValueError, match="3×3"):
        datasets.features(np.zeros((3, 3)), ["x1"])


def test_dataset_with_features():
    data = datasets.load("circle", n=100)
    mapped = data.with_features(["x1^2", "x2^2", "x1*x2"])
    assert mapped.input_shape == (3,) and mapped.x_train.shape == (50, 3)
    np.testing.assert_allclose(mapped.x_test[:, 0], data.x_test[:, 0] ** 2, rtol=1e-6)
    assert mapped.meta["feature_names"] == ["x1^2", "x2^2", "x1*x2"]
    np.testing.assert_array_equal(mapped.y_train, data.y_train)
    with pytest.raises(ValueError, match="planar"):
        datasets.load("sine", n=10).with_features(["x1"])


# --- user data ----------------------------------------------------------------------------

def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def user_error(path, **kw):
    with pytest.raises(DataFileError) as err:
        datasets.load_user(path, **kw)
    assert isinstance(err.value, ValueError)
    return err.value


@pytest.mark.parametrize("sep", [",", ";", "\t", " ", "  "])
def test_user_csv_delimiters_and_header(tmp_path, sep):
    rows = [[0.5, 1.5, 0], [1.0, -2.0, 1], [2.0, 3.0, 1], [-1.0, 0.25, 0]]
    body = "\n".join(sep.join(str(v) for v in r) for r in rows)
    for header in ("", sep.join(["a", "b", "label"]) + "\n"):
        path = write(tmp_path, "data.csv", header + body + "\n")
        data = datasets.load_user(path, test_ratio=0.5, seed=0)
        assert data.task == "binary" and data.input_shape == (2,)
        x = np.concatenate([data.x_train, data.x_test])
        y = np.concatenate([data.y_train, data.y_test])[:, 0]
        order = np.lexsort(x.T[::-1])
        table = np.array(rows, dtype=np.float32)
        want = table[np.lexsort(table[:, :2].T[::-1])]
        np.testing.assert_allclose(x[order], want[:, :2])
        np.testing.assert_array_equal(y[order], want[:, 2])
        assert data.meta["header"] == bool(header)
        if header:
            assert data.meta["feature_names"] == ["a", "b"]
            assert data.meta["target_name"] == "label"


def test_user_npy_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    table = np.column_stack([rng.normal(size=(60, 3)), rng.integers(0, 3, 60)])
    np.save(tmp_path / "t.npy", table)
    data = datasets.load_user(tmp_path / "t.npy", test_ratio=0.25, seed=1)
    assert data.task == "multiclass" and data.n_classes == 3
    assert data.n_test == 15 and data.input_shape == (3,)
    x = np.concatenate([data.x_train, data.x_test])
    np.testing.assert_allclose(np.sort(x, axis=0), np.sort(table[:, :3], axis=0).astype(np.float32))
    assert data.meta["classes"] == [0, 1, 2] and data.meta["format"] == "npy"


def test_user_task_detection(tmp_path):
    def load(labels, **kw):
        table = np.column_stack([np.arange(len(labels), dtype=float), labels])
        np.save(tmp_path / "d.npy", table)
        return datasets.load_user(tmp_path / "d.npy", **kw)

    assert load([0, 1] * 10).task == "binary"
    binary = load([-1, 1] * 10)
    assert binary.task == "binary" and binary.meta["classes"] == [-1, 1]
    assert set(np.unique(binary.y_train)) == {0.0, 1.0}
    multi = load([3, 5, 7, 9] * 5)
    assert multi.task == "multiclass" and multi.meta["classes"] == [3, 5, 7, 9]
    assert multi.y_train.dtype == np.int64 and multi.y_train.max() == 3
    assert load(np.linspace(0, 1, 20)).task == "regression"
    assert load(np.arange(40) % 25).task == "regression"          # too many classes
    assert load(np.arange(40) % 25, max_classes=30).task == "multiclass"
    assert load([0, 1] * 10, task="regression").y_train.dtype == np.float32
    np.save(tmp_path / "d.npy", np.column_stack([np.arange(6.0), [0, 1, 2, 0, 1, 2]]))
    err = user_error(tmp_path / "d.npy", task="binary")
    assert "exactly two" in str(err) and "column 2" in str(err)
    np.save(tmp_path / "d.npy", np.column_stack([np.arange(4.0), [0, 1.5, 2, 1]]))
    err = user_error(tmp_path / "d.npy", task="multiclass")
    assert "row 2, column 2" in str(err) and "1.5" in str(err)


def test_user_label_column_choice(tmp_path):
    path = write(tmp_path, "h.csv", "label,f1,f2\n0,1,2\n1,3,4\n0,5,6\n1,7,8\n")
    by_index = datasets.load_user(path, label_column=0)
    by_name = datasets.load_user(path, label_column="label")
    for data in (by_index, by_name):
        assert data.meta["feature_names"] == ["f1", "f2"]
        assert data.task == "binary"
        np.testing.assert_array_equal(data.y_train[:, 0], (data.x_train[:, 0] % 4 == 3))
    assert "'nope'" in str(user_error(path, label_column="nope"))
    assert "out of range" in str(user_error(path, label_column=3))


def test_user_csv_skips_comments_blank_lines_and_reads_decimal_commas(tmp_path):
    path = write(tmp_path, "eu.csv", "# exported\n\nx;y\n1,5;2\n\n2,5;3\n3,0;4\n")
    data = datasets.load_user(path, task="regression")
    x = np.sort(np.concatenate([data.x_train, data.x_test])[:, 0])
    np.testing.assert_allclose(x, [1.5, 2.5, 3.0])
    assert data.meta["delimiter"] == "semicolon"


@pytest.mark.parametrize("text, words", [
    ("1,2,3\n4,5,6\n7,abc,9\n", ["bad.csv line 3, column 2: 'abc' is not a number"]),
    ("a,b,c\n1,2,3\n4,5\n", ["bad.csv line 3 has 2 columns", "line 1 has 3"]),
    ("1,2,3\n4,,6\n", ["bad.csv line 2, column 2 is empty"]),
    ("1,2,3\n4,nan,6\n", ["bad.csv line 2, column 2", "'nan'", "finite"]),
    ("1,2,3\n4,5,inf\n", ["line 2, column 3", "finite"]),
    ("", ["bad.csv is empty"]),
    ("\n  \n# only a comment\n", ["bad.csv is empty"]),
    ("x,y,label\n", ["header", "no rows"]),
    ("1\n2\n3\n", ["only 1 column"]),
    ("1,2,3\n", ["only 1 row"]),
])
def test_user_csv_errors(tmp_path, text, words):
    err = user_error(write(tmp_path, "bad.csv", text))
    for word in words:
        assert word in str(err)


def test_user_csv_error_attributes(tmp_path):
    err = user_error(write(tmp_path, "data.csv", "1,2,3\n\n4,5,6\n7,8,abc\n"))
    assert str(err) == "data.csv line 4, column 3: 'abc' is not a number."
    assert (err.line, err.column) == (4, 3) and err.path.endswith("data.csv")


def test_user_npy_errors(tmp_path):
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    assert "pickled" in str(user_error(tmp_path / "obj.npy"))
    np.save(tmp_path / "flat.npy", np.arange(5.0))
    assert "shape (5,)" in str(user_error(tmp_path / "flat.npy"))
    np.save(tmp_path / "one.npy", np.arange(5.0).reshape(5, 1))
    assert "only 1 column" in str(user_error(tmp_path / "one.npy"))
    np.save(tmp_path / "str.npy", np.array([["a", "b"], ["c", "d"]]))
    assert "plain numbers" in str(user_error(tmp_path / "str.npy"))
    table = np.ones((4, 3))
    table[2, 1] = np.nan
    np.save(tmp_path / "nan.npy", table)
    err = user_error(tmp_path / "nan.npy")
    assert "nan.npy row 3, column 2" in str(err) and (err.line, err.column) == (3, 2)
    (tmp_path / "fake.npy").write_text("1,2,3\n")
    assert "not a NumPy .npy file" in str(user_error(tmp_path / "fake.npy"))
    (tmp_path / "empty.npy").write_bytes(b"")
    assert "empty" in str(user_error(tmp_path / "empty.npy"))


def test_user_file_problems(tmp_path):
    assert "does not exist" in str(user_error(tmp_path / "missing.csv"))
    assert "folder" in str(user_error(tmp_path))
    (tmp_path / "bin.csv").write_bytes(b"PK\x03\x04\x00\x00binary")
    assert "text file" in str(user_error(tmp_path / "bin.csv"))
    path = write(tmp_path, "ok.csv", "1,0\n2,1\n")
    assert "task=" in str(user_error(path, task="classify"))
    with pytest.raises(DatasetError, match="test_ratio=2"):
        datasets.load_user(path, test_ratio=2)
