"""The memory estimate of atomspin.batch.resources against the builders and a measured peak."""
import json
import subprocess
import sys

import pytest

from atomspin.batch.schema import resolve
from atomspin.batch.tasks import available_steps

from _batch_helpers import py_env

pytestmark = pytest.mark.skipif("structure" not in available_steps(), reason="atomspin.structures not available")


def estimate_task_bytes(recipe):
    from atomspin.batch.resources import estimate_task_bytes as est
    return est(recipe)


@pytest.mark.parametrize("phase", ["Fe3O4", "gamma-Fe2O3", "FeO"])
@pytest.mark.parametrize("shape", ["sphere", "cube", "octahedron", "truncated_octahedron"])
def test_atom_count_from_the_recipe(phase, shape):
    """Density of the bulk cell × shape volume: within -5 % / +15 % of the built particle (faceted shapes lose
    their partial surface cells, hence the estimate is high there)."""
    from atomspin.structures import build_particle
    n = len(build_particle(phase, shape, 5.0, seed=1))
    est = estimate_task_bytes(resolve({"structure": {"phase": phase, "shape": shape, "diameter_nm": 5.0}}))
    assert 0.95 <= est["n_atoms"] / n <= 1.15


PEAK = """
import json, resource, sys
from atomspin.batch import expand
from atomspin.batch.tasks import run_task
warm = {"structure": {"diameter_nm": 2.0}, "protocol": {"steps": ["structure", "disorder"],
        "disorder": {"sweeps": 2}}}
run_task(expand(warm)[0])  # imports and compiled kernels: part of BASE_BYTES
r = {"structure": {"diameter_nm": float(sys.argv[1])}, "protocol": {"steps": ["structure", "disorder"],
     "disorder": {"sweeps": 5}}}
run_task(expand(r)[0])
print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024))
"""


def test_estimate_bounds_the_measured_peak():
    """Peak RSS of a worker running one 10 nm task (structure, model, Monte Carlo): the estimate is above it
    and less than twice it."""
    proc = subprocess.run([sys.executable, "-c", PEAK, "10"], capture_output=True, text=True, timeout=300,
                          env=py_env(NUMBA_NUM_THREADS="1"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    peak = json.loads(proc.stdout.strip().splitlines()[-1])
    est = estimate_task_bytes(resolve({"structure": {"diameter_nm": 10.0},
                                       "protocol": {"steps": ["structure", "disorder"]}}))
    assert peak < est["total"] < 2 * peak, (peak, est)
    from atomspin.batch.resources import BASE_BYTES
    assert peak > 0.5 * BASE_BYTES


def test_dipolar_limit_and_memory_messages():
    from atomspin.batch.resources import MemoryShortage, check_memory, dipolar_limit_problem
    # lattice FFT sum: ~200 B/spin of working memory, refused above the model's LATTICE_MAX_BYTES (3 GiB)
    big = resolve({"structure": {"diameter_nm": 100.0}, "model": {"dipolar": True}})
    assert "use structure.diameter_nm <= 91 or model.dipolar = false" in dipolar_limit_problem(big)
    assert dipolar_limit_problem(resolve({"structure": {"diameter_nm": 30.0}, "model": {"dipolar": True}})) is None
    assert dipolar_limit_problem(resolve({"structure": {"diameter_nm": 100.0},
                                          "model": {"dipolar": False}})) is None
    task = {"variant": "v", "recipe": resolve({"structure": {"diameter_nm": 20.0}, "model": {"dipolar": True}})}
    est = estimate_task_bytes(task["recipe"])
    # the dipolar terms hold a few hundred B/spin: well below the rest of the task (2.5 kB/atom)
    assert 0 < est["dipolar"] < 0.2 * est["atoms"]
    assert est["dipolar_spins"] == pytest.approx(est["n_atoms"] * 24 / 56, rel=1e-6)
    assert check_memory([task], workers=2, available_bytes=2.1 * est["total"])["total"] == est["total"]
    with pytest.raises(MemoryShortage, match=r"^memory: 4 workers x .* use --workers 2 \(or fewer\)"):
        check_memory([task], workers=4, available_bytes=2.1 * est["total"])
    with pytest.raises(MemoryShortage, match=r"or model.dipolar = false$"):
        check_memory([task], available_bytes=0.5 * est["total"])
    with pytest.raises(MemoryShortage, match=r"more than each worker's memory limit of 1.0 GiB"):
        check_memory([task], per_worker_bytes=2**30)
