"""Shared helpers of the defect operations: label checks and charge compensation by Fe2+ → Fe3+."""
from __future__ import annotations

import numpy as np
from ase import Atoms

from atomspin.structures import data


def require_labels(atoms, names=("sublattice", "valence", "moment_muB", "region")):
    """ValueError unless ``atoms`` is an ``ase.Atoms`` with the named Contract-1 label arrays."""
    if not isinstance(atoms, Atoms):
        raise ValueError(f"atoms: expected ase.Atoms, got {type(atoms).__name__}")
    missing = [n for n in names if n not in atoms.arrays]
    if missing:
        raise ValueError(f"atoms: missing label arrays {missing}; build it with atomspin.structures")


def fe_moments(atoms, idx):
    """Set the moments of the Fe ions ``idx`` from their (possibly averaged) valence."""
    atoms.arrays["moment_muB"][idx] = data.fe_moment(atoms.arrays["valence"][idx])


def oxidise(atoms, charge, pool, rng):
    """Raise the summed valence of the Fe ions in ``pool`` by ``charge`` (e): explicit Fe2+ → Fe3+
    one by one (random order), averaged valences uniformly up to +3. Returns the uncompensated rest."""
    val = atoms.arrays["valence"]
    fe = pool[atoms.numbers[pool] == 26]
    frac = fe[(val[fe] > 2.0) & (val[fe] < 3.0)]
    if len(frac):  # averaged valences
        cap = np.sum(3.0 - val[frac])
        use = min(charge, cap)
        val[frac] += use * (3.0 - val[frac]) / cap if cap > 0 else 0.0
        fe_moments(atoms, frac)
        charge -= use
    fe2 = fe[val[fe] == 2.0]
    n = int(min(round(charge), len(fe2)))
    if n > 0:
        pick = rng.choice(fe2, size=n, replace=False)
        val[pick] = 3.0
        fe_moments(atoms, pick)
        charge -= n
    return float(charge)
