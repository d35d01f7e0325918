"""Device fixtures for engine tests: every op runs on every device, in every dtype.

``MNLAB_TEST_DEVICES`` (comma-separated parts of device names) narrows the devices;
the Oclgrind run (tests/opencl/test_oclgrind.py) uses it to run the tests marked
``kernels`` on the simulator only.
"""

import os

import numpy as np
import pytest

import engine


def _test_devices():
    wanted = [w.strip().lower() for w in os.environ.get("MNLAB_TEST_DEVICES", "").split(",") if w.strip()]
    devs = engine.devices(include_simulators=bool(wanted))
    if wanted:
        devs = [d for d in devs if any(w in d.name.lower() or w in d.platform.lower() for w in wanted)]
    return devs


@pytest.fixture(params=[pytest.param(d, id="numpy" if d.kind == "numpy" else d.name.split()[0])
                        for d in _test_devices()])
def device(request):
    """Each device: the numpy reference and every OpenCL device (narrowed by MNLAB_TEST_DEVICES)."""
    return request.param


@pytest.fixture
def numpy_device():
    """The numpy reference device."""
    return [d for d in engine.devices() if d.kind == "numpy"][0]


def _backend_params(include_numpy=True):
    params = []
    for dev in _test_devices():
        if dev.kind == "numpy" and not include_numpy:
            continue
        for dt in (np.float32, np.float64):
            if dt == np.float64 and not dev.fp64:
                continue
            short = "numpy" if dev.kind == "numpy" else dev.name.split()[0]
            params.append(pytest.param((dev, dt), id=f"{short}-{np.dtype(dt).name}"))
    return params


@pytest.fixture(params=_backend_params())
def backend(request):
    """A backend for each (device, dtype), the numpy reference included."""
    dev, dt = request.param
    return dev.backend(dt)


@pytest.fixture(params=_backend_params(include_numpy=False))
def cl_backend(request):
    """An OpenCL backend for each (device, dtype)."""
    dev, dt = request.param
    return dev.backend(dt)


@pytest.fixture
def ref():
    """Factory: the numpy reference backend in a dtype."""
    numpy_dev = [d for d in engine.devices() if d.kind == "numpy"][0]
    return lambda dtype: numpy_dev.backend(dtype)


def tolerance(dtype):
    """(rtol, atol) suited to comparing a device result with the reference."""
    return (2e-4, 2e-5) if np.dtype(dtype) == np.float32 else (1e-10, 1e-12)


@pytest.fixture
def tol():
    """Fixture form of ``tolerance``: ``rtol, atol = tol(dtype)``."""
    return tolerance
