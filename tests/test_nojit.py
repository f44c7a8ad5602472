"""Run the tests marked ``nojit`` again with ``NUMBA_DISABLE_JIT=1``.

The kernels are plain Python when numba's JIT is disabled, so this run exercises the same code paths
as pure Python (for coverage, and to catch code that only works because numba coerces types).
"""
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(os.environ.get("NUMBA_DISABLE_JIT") == "1",
                                reason="already running without the JIT")


def test_nojit_subset_passes_without_jit():
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    here = os.path.dirname(__file__)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-m", "nojit", "-p", "no:cacheprovider", here],
        env=env, capture_output=True, text=True, timeout=900,
    )
    tail = (proc.stdout + proc.stderr)[-3000:]
    # exit code 5 means no test is marked nojit: that is a failure of this check too
    assert proc.returncode == 0, tail
    assert " passed" in proc.stdout, tail
