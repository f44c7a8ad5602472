"""Shared test configuration.

Tests marked ``slow`` are long physics runs. By default they run in a *reduced* form (smaller boxes,
fewer sweeps, wider but still failing-capable tolerances); ``ATOMSPIN_TEST_SCALE=full`` runs them at the
size recorded in docs/validation.md.
"""
import os

import matplotlib
import pytest
from hypothesis import settings

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
