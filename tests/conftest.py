"""Shared test configuration.

Tests marked ``slow`` are long physics runs. By default they run in a *reduced* form (smaller boxes,
fewer sweeps, wider but still failing-capable tolerances); ``ATOMSPIN_TEST_SCALE=full`` runs them at the
size recorded in docs/validation.md.
"""
import os

# one BLAS thread per test process: `pytest -n 2` runs two processes on a 2-core machine, and dense linear algebra
# (the Fokker–Planck SAR) oversubscribed by BLAS threads runs 5–20× slower (measured under load)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import matplotlib  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

matplotlib.use("Agg")

# Property-based tests: reproducible by default (same examples every run, no timing deadline on a loaded
# 2-core CI machine); HYPOTHESIS_PROFILE=explore draws fresh random examples to hunt for new failures.
settings.register_profile("reproducible", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "reproducible"))


def _scale():
    value = os.environ.get("ATOMSPIN_TEST_SCALE", "reduced").strip().lower()
    if value not in ("reduced", "full"):
        raise pytest.UsageError(f"ATOMSPIN_TEST_SCALE must be 'reduced' or 'full', got {value!r}")
    return value


@pytest.fixture(scope="session")
def test_scale():
    """'reduced' (default, CI) or 'full' (ATOMSPIN_TEST_SCALE=full)."""
    return _scale()


@pytest.fixture(scope="session")
def full_scale(test_scale):
    """True when the long physics runs should use their full size."""
    return test_scale == "full"


@pytest.fixture(scope="session")
def magnetite_sphere():
    """Factory ``magnetite_sphere(diameter_nm, seed=None, **model_kwargs)`` → a SpinModel of a
    ``build_particle("Fe3O4", "sphere", ...)`` particle; each particle is built once per session and every
    call returns a private deep copy (tests may modify it)."""
    import copy

    cache = {}

    def make(diameter_nm, seed=None, **model_kwargs):
        key = (float(diameter_nm), seed, tuple(sorted((k, repr(v)) for k, v in model_kwargs.items())))
        if key not in cache:
            from atomspin.model import SpinModel
            from atomspin.structures import build_particle

            kw = {} if seed is None else {"seed": seed}
            cache[key] = SpinModel.from_atoms(build_particle("Fe3O4", "sphere", diameter_nm=diameter_nm, **kw),
                                              **model_kwargs)
        return copy.deepcopy(cache[key])

    return make


# ----------------------------------------------------------------------------- which njit functions ran
# tests/test_nojit.py runs the `nojit` subset with NUMBA_DISABLE_JIT=1 and ATOMSPIN_NJIT_TRACE=<file>: the
# kernels are then plain Python functions, and this profiler records every atomspin function called, so
# that the test can check that every @njit function of the package ran at least once.
_TRACE = os.environ.get("ATOMSPIN_NJIT_TRACE")
if _TRACE:
    import sys
    import threading

    _ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    _PKG = os.path.join(_ROOT, "atomspin") + os.sep
    _called = set()
    _seen_codes = set()

    def _profile(frame, event, arg):
        if event == "call":
            code = frame.f_code
            if code not in _seen_codes:
                _seen_codes.add(code)
                if code.co_filename.startswith(_PKG):
                    _called.add(f"{os.path.relpath(code.co_filename, _ROOT)}:{code.co_name}")

    sys.setprofile(_profile)
    threading.setprofile(_profile)

    def pytest_sessionfinish(session, exitstatus):
        sys.setprofile(None)
        with open(_TRACE, "w") as fh:
            fh.write("\n".join(sorted(_called)))
