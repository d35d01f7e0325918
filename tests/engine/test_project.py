"""Project files: save -> load round-trips exactly; hostile, damaged and future files are refused
with a sentence and without allocating what they claim; saves are atomic."""

import io
import json
import pickle
import signal
import subprocess
import sys
import textwrap
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
from engine import project as project_mod
from engine.project import VERSION, Project, ProjectError, check_project, load_project, save_project

REPO = Path(__file__).resolve().parents[2]
SPEC = {"input": [2], "layers": [{"type": "dense", "units": 5, "activation": "tanh"},
                                 {"type": "dense", "units": 1, "activation": "sigmoid"}],
        "loss": "bce", "regularization": {"type": "l2", "rate": 0.001}}


def _numpy_device():
    return [d for d in engine.devices() if d.kind == "numpy"][0]


def trained_network(steps=3):
    """A small trained network's document, as the network lab gives it, with its trainer."""
    model = engine.Model(SPEC, seed=3, device=_numpy_device())
    data = engine.datasets.load("xor", n=80, noise=0.05, seed=0)
    trainer = engine.Trainer(model, data, optimizer={"type": "adam", "lr": 0.02}, batch_size=8, seed=0)
    for _ in range(steps):
        trainer.step(4)
    history = {k: np.array([np.nan if v is None else v for v in trainer.history[k]], float)
               for k in ("step", "train_loss", "test_loss", "accuracy")}
    history["test_loss"][0] = np.nan  # a point without a test loss must survive too
    net = {
        "preset": "XOR",
        "dataset": {"name": "xor", "options": {}, "noise": 0.05, "test_ratio": 0.5, "seed": 0,
                    "features": ["x1", "x2"], "user_path": None},
        "spec": model.spec.to_dict(),
        "training": {"optimizer": "adam", "lr": 0.02, "batch_size": 8, "model_seed": 3,
                     "step": trainer.step_count, "epoch": float(trainer.epoch)},
        "params": model.params(),
        "optimizer": trainer.optimizer.state_dict(),
        "history": history,
        "view": {"show_test": True, "bottom_tab": 1},
    }
    return net, model, trainer


def sample_project():
    net, _, _ = trained_network()
    matrices = {"A": np.arange(6.0).reshape(2, 3), "b'": np.array([[np.nan], [np.inf], [-1.5]]),
                "W_out": np.eye(4)}
    return Project(matrices=matrices, network=net, view={"tab": "network", "current_matrix": "A"})


def assert_same(a: Project, b: Project):
    assert list(a.matrices) == list(b.matrices)
    for name in a.matrices:
        np.testing.assert_array_equal(a.matrices[name], b.matrices[name])
    assert a.view == b.view
    na, nb = a.network, b.network
    assert engine.NetworkSpec.from_dict(na["spec"]) == engine.NetworkSpec.from_dict(nb["spec"])
    assert na["dataset"] == nb["dataset"] and na["training"] == nb["training"] and na["preset"] == nb["preset"]
    assert na["view"] == nb["view"]
    assert list(na["params"]) == list(nb["params"])
    for k in na["params"]:
        np.testing.assert_array_equal(na["params"][k], nb["params"][k])
        assert nb["params"][k].dtype == np.float32
    assert na["optimizer"]["config"] == nb["optimizer"]["config"] and na["optimizer"]["t"] == nb["optimizer"]["t"]
    for p, bufs in na["optimizer"]["state"].items():
        for name, arr in bufs.items():
            np.testing.assert_array_equal(arr, nb["optimizer"]["state"][p][name])
    for k, arr in na["history"].items():
        np.testing.assert_array_equal(arr, nb["history"][k])


# ------------------------------------------------------------------ round trip

def test_save_then_load_gives_back_the_same_project(tmp_path):
    original = sample_project()
    path = tmp_path / "work.mnlab"
    save_project(path, original)
    loaded = load_project(path)
    assert_same(original, loaded)
    assert loaded.format_version == VERSION


def test_a_loaded_network_continues_exactly_where_it_stopped(tmp_path):
    net, model, trainer = trained_network()
    save_project(tmp_path / "n.mnlab", Project(network=net))
    doc = load_project(tmp_path / "n.mnlab").network
    model2 = engine.Model(doc["spec"], seed=doc["training"]["model_seed"], device=_numpy_device())
    model2.set_params(doc["params"])
    x = np.random.default_rng(1).uniform(-5, 5, (16, 2)).astype(np.float32)
    np.testing.assert_array_equal(model.forward(x), model2.forward(x))
    trainer2 = engine.Trainer(model2, trainer.data, optimizer=doc["optimizer"]["config"], batch_size=8)
    trainer2.optimizer.load_state_dict(doc["optimizer"])
    assert trainer2.optimizer.t == trainer.optimizer.t


def test_the_file_is_a_zip_numpy_reads_as_an_npz(tmp_path):
    path = tmp_path / "work.mnlab"
    save_project(path, sample_project())
    with zipfile.ZipFile(path) as zf:
        assert "project.json" in zf.namelist()
        doc = json.loads(zf.read("project.json"))
    assert doc["format"] == project_mod.FORMAT and doc["version"] == VERSION
    with np.load(path, allow_pickle=False) as npz:
        np.testing.assert_array_equal(npz["matrices/0"], np.arange(6.0).reshape(2, 3))


def test_an_empty_project_round_trips(tmp_path):
    save_project(tmp_path / "e.mnlab", Project())
    p = load_project(tmp_path / "e.mnlab")
    assert p.matrices == {} and p.network is None and p.view == {}


@pytest.mark.parametrize("change, words", [
    (lambda p: p.matrices.update({"1bad": np.eye(2)}), "cannot name a matrix"),
    (lambda p: p.matrices.update({"C": np.zeros((2, 2, 2))}), "3 dimensions"),
    (lambda p: p.matrices.update({"C": np.array([["a"]], dtype=object)}), "real numbers"),
    (lambda p: p.network["params"].pop("0.W"), "missing: 0.W"),
    (lambda p: p.network["params"].update({"0.W": np.zeros((3, 3))}), "3×3"),
    (lambda p: p.network["params"]["1.b"].__setitem__(0, np.nan), "NaN"),
    (lambda p: p.network["spec"]["layers"].append({"type": "dense", "units": -1}), "units"),
    (lambda p: p.view.update({"f": object()}), "object"),
])
def test_saving_a_bad_project_is_refused_with_a_sentence_and_writes_nothing(tmp_path, change, words):
    p = sample_project()
    change(p)
    with pytest.raises(ProjectError, match=words):
        save_project(tmp_path / "x.mnlab", p)
    with pytest.raises(ProjectError):
        check_project(p)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ atomic saves

def test_a_save_that_fails_half_way_leaves_the_previous_file_and_no_debris(tmp_path, monkeypatch):
    path = tmp_path / "work.mnlab"
    save_project(path, sample_project())
    before = path.read_bytes()
    calls = []

    def failing(fp, a):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        np.lib.format.write_array(fp, a, allow_pickle=False)

    monkeypatch.setattr(project_mod, "_write_npy", failing)
    bigger = sample_project()
    bigger.matrices["Z"] = np.ones((50, 50))
    with pytest.raises(ProjectError, match="No space left on device.*previous version is unchanged"):
        save_project(path, bigger)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["work.mnlab"]


def test_a_save_interrupted_by_ctrl_c_leaves_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "work.mnlab"
    save_project(path, Project(matrices={"A": np.eye(2)}))
    before = path.read_bytes()

    def interrupted(fp, a):
        raise KeyboardInterrupt

    monkeypatch.setattr(project_mod, "_write_npy", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_project(path, Project(matrices={"B": np.eye(3)}))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["work.mnlab"]


def test_killing_the_process_mid_save_leaves_a_readable_file(tmp_path):
    path = tmp_path / "work.mnlab"
    script = textwrap.dedent(f"""
        import sys, numpy as np
        sys.path.insert(0, {str(REPO)!r})
        from engine.project import Project, save_project
        big = np.random.default_rng(0).standard_normal((1200, 1200))
        save_project({str(path)!r}, Project(matrices={{"A": np.eye(2)}}))
        print("ready", flush=True)
        i = 0
        while True:
            i += 1
            save_project({str(path)!r}, Project(matrices={{"A": np.eye(2) * i, "Big": big}}))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        import time
        time.sleep(1.5)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    loaded = load_project(path)  # whichever save finished last, whole
    assert loaded.matrices["A"].shape == (2, 2)


# ------------------------------------------------------------------ refusing files

def zip_bytes(members: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def npy_bytes(a) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.asarray(a), allow_pickle=True)
    return buf.getvalue()


def doc(**over):
    d = {"format": project_mod.FORMAT, "version": VERSION, "matrices": [], "network": None, "view": {}}
    d.update(over)
    return json.dumps(d).encode()


def refuse(data: bytes, *words) -> str:
    with pytest.raises(ProjectError) as info:
        load_project(io.BytesIO(data))
    text = str(info.value)
    for w in words:
        assert w in text, text
    assert text.endswith(".") and "Traceback" not in text
    return text


def test_a_future_version_is_refused_and_says_to_update(tmp_path):
    refuse(zip_bytes({"project.json": doc(version=VERSION + 2)}), f"version {VERSION + 2}", "newer", "update")


NOT_PROJECTS = [
    (b"", ("not a readable zip",)),
    (b"PK\x03\x04garbage", ("not a readable zip",)),
    (b"just some text", ("not a readable zip",)),
    (zip_bytes({"readme.txt": b"hi"}), ("no project.json",)),
    (zip_bytes({"project.json": b"{not json"}), ("not valid JSON",)),
    (zip_bytes({"project.json": b"\xff\xfe"}), ("not UTF-8",)),
    (zip_bytes({"project.json": b"[1, 2]"}), ("JSON object",)),
    (zip_bytes({"project.json": b"[" * 100000 + b"]" * 100000}), ("nested too deeply",)),
    (zip_bytes({"project.json": doc(format="something-else")}), ("not a Matrix Network Lab project",)),
    (zip_bytes({"project.json": doc(version="1")}), ("not a version number",)),
    (zip_bytes({"project.json": doc(extra=1)}), ("unknown field",)),
    (zip_bytes({"project.json": doc(matrices=[{"name": "A", "shape": [2, 2]}])}), ("lacks the array matrices/0.npy",)),
    (zip_bytes({"project.json": doc(matrices=[{"name": "A", "shape": [100000, 100000]}])}), ("beyond",)),
    (zip_bytes({"project.json": doc(matrices=[{"name": "A", "shape": [2, -2]}])}), ("outside",)),
    (zip_bytes({"project.json": doc(matrices=[{"name": "os.system", "shape": [1, 1]}])}), ("cannot name",)),
    (zip_bytes({"project.json": doc(view={"x": [[[[[[[[[[[[[[1]]]]]]]]]]]]]]})}), ("nested",)),
    (zip_bytes({"project.json": doc().replace(b'"view": {}', b'"view": {"x": NaN}')}), ("not valid JSON",)),
]


@pytest.mark.parametrize("data, words", NOT_PROJECTS, ids=[f"{i}-{w[0]}" for i, (_, w) in enumerate(NOT_PROJECTS)])
def test_files_that_are_not_projects_get_a_sentence(data, words):
    refuse(data, *words)


def test_a_pickled_payload_is_never_loaded(tmp_path):
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (Path.touch, (marker,))

    payload = np.empty((1, 1), dtype=object)
    payload[0, 0] = Evil()
    data = zip_bytes({"project.json": doc(matrices=[{"name": "A", "shape": [1, 1]}]),
                      "matrices/0.npy": npy_bytes(payload)})
    refuse(data, "pickle", "never loaded")
    # and a raw pickle where an array should be
    raw = zip_bytes({"project.json": doc(matrices=[{"name": "A", "shape": [1, 1]}]),
                     "matrices/0.npy": pickle.dumps(Evil())})
    refuse(raw, "not a NumPy .npy array")
    assert not marker.exists()


def huge_header(shape, descr="<f8") -> bytes:
    header = {"descr": descr, "fortran_order": False, "shape": shape}
    text = repr(header).encode("latin1")
    text += b" " * (63 - (len(text) + 10) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text + b"\0" * 64


def test_a_header_claiming_a_trillion_elements_is_refused_without_allocating():
    net, _, _ = trained_network(steps=1)
    path_bytes = _saved_bytes(Project(network=net))
    with zipfile.ZipFile(io.BytesIO(path_bytes)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["network/history/step.npy"] = huge_header((10**12,))
    tracemalloc.start()
    try:
        refuse(zip_bytes(members), "history's step", "beyond")
        members["network/history/step.npy"] = huge_header((10**6, 10**6))
        refuse(zip_bytes(members), "history's step")
        members = {"project.json": doc(matrices=[{"name": "A", "shape": [2, 2]}]),
                   "matrices/0.npy": huge_header((10**6, 10**6))}
        refuse(zip_bytes(members), "matrix A is 1000000×1000000 but should be 2×2")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024, peak


def _saved_bytes(project) -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "p.mnlab"
        save_project(p, project)
        return p.read_bytes()


BAD_ARRAYS = [
    (npy_bytes(np.zeros((2, 2), np.complex128)), ("complex128", "not plain numbers")),
    (npy_bytes(np.zeros((2, 2), "U3")), ("not plain numbers",)),
    (npy_bytes(np.zeros((3, 2))), ("3×2 but should be 2×2",)),
    (npy_bytes(np.zeros((2, 2)))[:-5], ("bytes of data",)),
    (npy_bytes(np.zeros((2, 2))) + b"extra", ("bytes of data",)),
    (b"\x93NUMPY\x01\x00\xff\xff" + b"{" * 70000, ("damaged .npy header",)),
    (b"\x93NUMPY\x09\x00", ("version 9.0",)),
]


@pytest.mark.parametrize("member, words", BAD_ARRAYS, ids=[w[-1] for _, w in BAD_ARRAYS])
def test_bad_arrays_are_refused_with_a_sentence(member, words):
    data = zip_bytes({"project.json": doc(matrices=[{"name": "A", "shape": [2, 2]}]), "matrices/0.npy": member})
    refuse(data, "matrix A", *words)


def test_a_damaged_byte_is_caught_by_the_checksum():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("project.json", doc(matrices=[{"name": "A", "shape": [4, 4]}]))
        zf.writestr("matrices/0.npy", npy_bytes(np.arange(16.0).reshape(4, 4)))
    data = bytearray(buf.getvalue())
    at = data.rindex(np.arange(16.0).tobytes()[-8:])  # inside the array's data
    data[at] ^= 0xFF
    refuse(bytes(data), "damaged")


def test_wrong_network_parts_are_refused(tmp_path):
    net, _, _ = trained_network(steps=1)
    good = _saved_bytes(Project(network=net))
    with zipfile.ZipFile(io.BytesIO(good)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    d = json.loads(members["project.json"])

    def variant(edit, *words):
        dd = json.loads(json.dumps(d))
        edit(dd)
        m = dict(members, **{"project.json": json.dumps(dd).encode()})
        refuse(zip_bytes(m), *words)

    variant(lambda x: x["network"]["spec"]["layers"][0].update(units=9), "parameter 0.W is 5×2 but should be 9×2")
    variant(lambda x: x["network"]["spec"].update(loss="hinge"), "network cannot be built", "hinge")
    variant(lambda x: x["network"]["training"].update(lr=-1), "learning rate")
    variant(lambda x: x["network"]["training"].update(batch_size=1.5), "batch size")
    variant(lambda x: x["network"]["dataset"].update(noise="lots"), "noise")
    variant(lambda x: x["network"]["optimizer"]["config"].update(type="lbfgs"), "optimizer")
    variant(lambda x: x["network"]["optimizer"]["state"].update({"9.W": ["m"]}), "9.W")
    variant(lambda x: x["network"].update(history=["step", "bogus"]), "history columns")
    bad_param = dict(members, **{"network/params/0.W.npy": npy_bytes(np.full((5, 2), np.inf, np.float32))})
    refuse(zip_bytes(bad_param), "parameter 0.W", "NaN or infinite")


def test_every_truncation_of_a_valid_file_is_refused_with_a_sentence():
    data = _saved_bytes(sample_project())
    cuts = sorted(set(np.linspace(0, len(data) - 1, 60).astype(int)))
    for cut in cuts:
        refuse(data[:cut])


def test_missing_files_and_folders_get_sentences(tmp_path):
    with pytest.raises(ProjectError, match="no such file"):
        load_project(tmp_path / "nope.mnlab")
    with pytest.raises(ProjectError, match="folder"):
        load_project(tmp_path)


# ------------------------------------------------------------------ fuzzing

_VALID = None


def valid_bytes() -> bytes:
    global _VALID
    if _VALID is None:
        _VALID = _saved_bytes(sample_project())
    return _VALID


def _load_or_refuse(data: bytes):
    try:
        load_project(io.BytesIO(data))
    except ProjectError as exc:
        assert str(exc).endswith(".")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzz_flipped_bytes_never_crash_the_loader(data):
    blob = bytearray(valid_bytes())
    for _ in range(data.draw(st.integers(1, 6))):
        i = data.draw(st.integers(0, len(blob) - 1))
        blob[i] = data.draw(st.integers(0, 255))
    _load_or_refuse(bytes(blob))


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2048))
def test_fuzz_random_bytes_never_crash_the_loader(blob):
    _load_or_refuse(blob)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=100, deadline=None)
@given(matrices=st.lists(st.fixed_dictionaries({"name": st.text(max_size=5) | json_values,
                                                "shape": st.lists(st.integers(-3, 10**13), max_size=3)
                                                | json_values}), max_size=3),
       network=st.none() | json_values | st.fixed_dictionaries(
           {"spec": json_values, "dataset": json_values, "training": json_values}),
       view=json_values,
       shapes=st.lists(st.lists(st.integers(0, 10**13), max_size=3), max_size=3),
       dtypes=st.lists(st.sampled_from(["<f8", "<f4", "|O", "<c16", "<U4", ">i4", "|b1", "V8"]), max_size=3))
def test_fuzz_malicious_zips_never_crash_the_loader(matrices, network, view, shapes, dtypes):
    members = {"project.json": json.dumps({"format": project_mod.FORMAT, "version": 1, "matrices": matrices,
                                           "network": network, "view": view}).encode()}
    for i, (shape, descr) in enumerate(zip(shapes, dtypes)):
        members[f"matrices/{i}.npy"] = huge_header(tuple(shape), descr)
    _load_or_refuse(zip_bytes(members))
