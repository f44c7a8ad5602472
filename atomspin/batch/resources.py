"""Memory a task needs, estimated from its recipe before anything runs, and the check against the machine.

The estimate (an upper bound within ~40 %, checked against measured peaks in tests/test_batch_resources.py):

* atoms N = (atoms per Å³ of the phase's bulk cell, from :func:`atomspin.structures.build_bulk`) × the
  volume of the shape: sphere πd³/6, cube d³, octahedron (vertex to vertex d) d³/6, truncated octahedron
  ({100} faces at ±t·d/2, t = 2/3 as in :func:`~atomspin.structures.build_particle`) (d/2)³(4/3 − 4(1−t)³);
* :data:`BASE_BYTES` per worker process (the imported libraries and compiled kernels, measured 160–210 MB before the landscape, sar and imaging layers; a 10 nm task now peaks at 438–487 MB)
  plus :data:`PER_ATOM_BYTES` per atom (structure, labels, neighbour search, SpinModel, Monte Carlo and
  measurement arrays; measured 1.8 kB/atom at the peak of the full protocol for 12–20 nm magnetite);
* with ``model.dipolar = true``: :data:`DIPOLAR_BYTES_PER_SPIN` bytes per spin (the lattice FFT sum of
  :mod:`atomspin.model.dipolar_lattice` works within ``TARGET_BYTES_PER_SPIN`` = 200 B/spin, the exact pair
  sum of small particles holds 24 B/spin, plus the frozen fields of the dipolar sweeper; measured
  +4 MB at 10 nm and +20 MB at 16 nm for the full protocol). The lattice sum refuses arrays above the
  model's ``LATTICE_MAX_BYTES`` (3 GiB, ~15 M spins); :func:`dipolar_limit_problem` says so from the recipe,
  before the structure is built.
"""
from __future__ import annotations

import math
import os

__all__ = ["estimate_task_bytes", "check_memory", "available_memory_bytes", "dipolar_limit_problem",
           "MemoryShortage", "format_bytes"]

#: one worker process with numpy, numba, ase, scipy and the compiled kernels loaded (measured 160-210 MB RSS)
BASE_BYTES = 400e6
#: bytes per atom at the peak of a task (measured 1.8 kB/atom for the full protocol at 12-20 nm; margin 40 %)
PER_ATOM_BYTES = 2.5e3
#: bytes per spin that dipolar terms add at the peak of a task (lattice FFT arrays ≤ 200 B/spin + the
#: sweeper's frozen fields and proxy state; measured 180-230 B/spin for 10-16 nm magnetite, full protocol)
DIPOLAR_BYTES_PER_SPIN = 300.0
#: truncated octahedron: {100} face distance / vertex distance used by build_particle
_TRUNCATION = 2.0 / 3.0


class MemoryShortage(ValueError):
    """The tasks of a recipe cannot fit into the memory available (one line saying what to change)."""


def format_bytes(n: float) -> str:
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def _shape_volume_nm3(shape: str, d: float) -> float:
    if shape == "sphere":
        return math.pi / 6 * d ** 3
    if shape == "cube":
        return d ** 3
    if shape == "octahedron":
        return d ** 3 / 6
    if shape == "truncated_octahedron":
        return (d / 2) ** 3 * (4 / 3 - 4 * (1 - _TRUNCATION) ** 3)
    raise ValueError(f"structure.shape: {shape!r} has no volume formula")


_DENSITY: dict = {}


def _densities(phase: str):
    """(atoms, magnetic atoms) per nm³ of the phase's bulk cell."""
    if phase not in _DENSITY:
        from atomspin.structures import build_bulk
        cell = build_bulk(phase)
        v = cell.get_volume() / 1000.0
        _DENSITY[phase] = (len(cell) / v, float((cell.arrays["moment_muB"] > 0).sum()) / v)
    return _DENSITY[phase]


def _model_dipolar_limits():
    """(lattice working bytes per spin, lattice limit in bytes or None) of the model's dipolar sum."""
    try:
        from atomspin.model import dipolar, dipolar_lattice
        return float(dipolar_lattice.TARGET_BYTES_PER_SPIN), float(dipolar.LATTICE_MAX_BYTES)
    except (ImportError, AttributeError):
        return 200.0, None


def _multicore_volume_nm3(st: dict) -> float:
    """Volume of a multi-core particle (structure.kind = multicore): n spheres of the median core diameter, less
    the interpenetration (each core loses about 3 caps of height r·overlap to its neighbours; derived: the
    aggregates of build_multicore touch 2-4 neighbours per core)."""
    mc = st["multicore"]
    r = float(mc["core_diameter_nm"]) / 2 * math.exp(float(mc["size_dispersion"]) ** 2 * 1.5)  # <r^3>^(1/3)
    h = r * float(mc["overlap"])
    cap = math.pi * h * h * (3 * r - h) / 3
    return int(mc["n_cores"]) * max(4 / 3 * math.pi * r ** 3 - 3 * cap, 0.0)


def _counts(recipe: dict):
    st = recipe["structure"]
    if st.get("kind", "particle") == "multicore":
        v = _multicore_volume_nm3(st)
    else:
        v = _shape_volume_nm3(st["shape"], float(st["diameter_nm"]))
    rho, rho_mag = _densities(st["phase"])
    return rho * v, rho_mag * v


def _dipolar_spins(recipe: dict):
    """Spins of the dipolar sum of a recipe's model, or 0 without dipolar terms."""
    if not recipe["model"]["dipolar"]:
        return 0
    return _counts(recipe)[1]


def dipolar_limit_problem(recipe: dict):
    """None, or a one-line reason why the model would refuse the recipe's dipolar sum."""
    spins = _dipolar_spins(recipe)
    per_spin, limit = _model_dipolar_limits()
    if not spins or limit is None or per_spin * spins <= limit:
        return None
    st = recipe["structure"]
    d_max = float(st["diameter_nm"])
    while d_max > 1.0 and per_spin * _dipolar_spins({**recipe, "structure": {**st, "diameter_nm": d_max}}) > limit:
        d_max -= 0.5
    return (f"a {float(st['diameter_nm']):g} nm {st['shape']} has about {spins:.3g} spins, whose dipolar lattice "
            f"sum needs about {format_bytes(per_spin * spins)}, above the model's limit of {format_bytes(limit)}: "
            f"use structure.diameter_nm <= {d_max:g} or model.dipolar = false")


def estimate_task_bytes(recipe: dict) -> dict:
    """Peak memory of one task of a resolved recipe: ``{"total", "base", "atoms", "dipolar", "n_atoms",
    "dipolar_spins"}`` (bytes, counts)."""
    n_atoms, _ = _counts(recipe)
    spins = _dipolar_spins(recipe)
    parts = {"base": BASE_BYTES, "atoms": PER_ATOM_BYTES * n_atoms, "dipolar": DIPOLAR_BYTES_PER_SPIN * spins}
    return {"total": sum(parts.values()), **parts, "n_atoms": n_atoms, "dipolar_spins": spins}


def available_memory_bytes() -> float:
    """Memory this process may use now: the machine's available memory, capped by a cgroup limit."""
    import psutil

    avail = float(psutil.virtual_memory().available)
    try:
        from distributed.system import MEMORY_LIMIT
        avail = min(avail, float(MEMORY_LIMIT))
    except Exception:  # noqa: BLE001 - distributed missing or unreadable cgroup: the machine figure stands
        pass
    return avail


def _largest(tasks):
    best = None
    for t in tasks:
        est = estimate_task_bytes(t["recipe"])
        if best is None or est["total"] > best[1]["total"]:
            best = (t, est)
    return best


def check_memory(tasks, workers: int = 1, available_bytes: float | None = None,
                 per_worker_bytes: float | None = None) -> dict:
    """Refuse a sweep whose tasks cannot fit: one task above the memory available (or above each worker's
    memory limit), or ``workers`` tasks at once above the memory available.

    Parameters
    ----------
    tasks : list of dict
        From :func:`atomspin.batch.tasks.expand`.
    workers : int
        Tasks that run at once on this machine (local worker processes; 1 for ``atomspin run``).
    available_bytes : float, optional
        Memory available (default :func:`available_memory_bytes`); 0 or None for a remote cluster whose
        workers' memory is given by ``per_worker_bytes``.
    per_worker_bytes : float, optional
        The smallest memory limit of the workers of a remote cluster.

    Returns
    -------
    dict
        The estimate of the largest task (:func:`estimate_task_bytes`) with its ``"task"``.

    Raises
    ------
    MemoryShortage
        One line: what needs how much, what is available, what to change.
    """
    if not tasks:
        return {"total": 0.0}
    task, est = _largest(tasks)
    need = est["total"]
    what = (f"a task ({task.get('variant', '')}: {float(task['recipe']['structure']['diameter_nm']):g} nm "
            f"{task['recipe']['structure']['shape']}{', dipolar' if est['dipolar_spins'] else ''}) needs about "
            f"{format_bytes(need)}")
    advice = ("use a smaller structure.diameter_nm" + (" or model.dipolar = false" if est["dipolar_spins"] else ""))
    if per_worker_bytes:
        if need > per_worker_bytes:
            raise MemoryShortage(f"memory: {what}, more than each worker's memory limit of "
                                 f"{format_bytes(per_worker_bytes)}; {advice}, or start workers with a larger "
                                 "--memory-limit")
        return {**est, "task": task}
    avail = available_memory_bytes() if available_bytes is None else float(available_bytes)
    if need > avail:
        raise MemoryShortage(f"memory: {what}, more than the {format_bytes(avail)} available; {advice}")
    if need * workers > avail:
        fit = max(1, int(avail // need))
        raise MemoryShortage(f"memory: {workers} workers x {format_bytes(need)} per task = "
                             f"{format_bytes(need * workers)}, more than the {format_bytes(avail)} available; "
                             f"use --workers {fit} (or fewer), or {advice}")
    return {**est, "task": task}


def default_workers() -> int:
    """Local worker processes when none are asked for: the CPU count, at most 8."""
    return min(os.cpu_count() or 1, 8)
