"""A pytest plugin for the Oclgrind run only (tests/opencl/test_oclgrind.py loads it with
``-p oclgrind_plugin``); a normal test run never imports it.

It works around a false report of Oclgrind 21.10's uninitialised-memory checker. Oclgrind
hands a freed buffer's slot to the next buffer created; when that buffer is larger,
kernel writes past the old size are not recorded, so reading them back is reported as
"Uninitialized value" although every byte was written. (Reproduced without the lab:
fill 128 floats, free them, fill 256 floats in a new buffer, sum them: reported.)

So that no slot is ever reused by the checked code:

* during a test, every buffer created on a simulated device is kept alive;
* after each test, the simulated devices get a fresh OpenCL context, queue and
  program cache (Oclgrind keeps its memory slots and checker state per context), and
  the kept buffers go with the old context.

Each Oclgrind context opens ``OCLGRIND_LOG`` anew when it is created, truncating it, so
every fresh context is pointed at a log of its own: ``<OCLGRIND_LOG>.1``, ``.2``, ...
The harness reads them all.

Keeping buffers for one test only matters: Oclgrind's checks slow down with every live
buffer, and a whole session's worth makes the run several times slower.
"""

import itertools
import os

import pytest

import engine
import opencl.runtime as runtime

_kept = []
_log = os.environ.get("OCLGRIND_LOG")
_log_numbers = itertools.count(1)
_alloc = runtime.ClDevice.alloc


def _alloc_and_keep(self, nbytes, hostbuf=None):
    buf = _alloc(self, nbytes, hostbuf)
    if self.simulator:
        _kept.append(buf)
    return buf


runtime.ClDevice.alloc = _alloc_and_keep


def _fresh_simulator_contexts() -> None:
    for dev in engine.devices(include_simulators=True):
        if not dev.simulator or dev.cl is None:
            continue
        cl_dev = dev.cl
        if cl_dev._queue is not None:
            cl_dev._queue.finish()
        with dev._lock:
            dev._backends.clear()  # they hold the old queue and kernels
        with cl_dev._lock:
            cl_dev._kernels.clear()
            cl_dev._programs.clear()
            cl_dev._queue = None
            cl_dev._context = None
    _kept.clear()
    if _log:  # read by Oclgrind when the next context is created
        os.environ["OCLGRIND_LOG"] = f"{_log}.{next(_log_numbers)}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield  # after the test's own fixtures are torn down
    _fresh_simulator_contexts()
