"""Summaries and geometric analysis of labelled structures."""
from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from atomspin.structures import data


def _require_labels(atoms, names=("sublattice", "valence", "moment_muB")):
    missing = [n for n in names if n not in atoms.arrays]
    if missing:
        raise ValueError(f"atoms: missing label arrays {missing}; build it with atomspin.structures")


def rocksalt_af_sign(atoms):
    """Type-II antiferromagnetic sign (±1) of rock-salt R sites: ferromagnetic (111) sheets of
    alternating sign (MnO: Shull, Strauser & Wollan, Phys. Rev. 83, 333 (1951), Goodwin et al., PRL 96,
    047209 (2006) [C]; FeO type-II AF: PRB 88, 134418 (2013) [C, abstract]); 0 for other sites.
    Only the (111) planes ⊥ [111] are used (one of the four equivalent domains).
    Plane index n = (x+y+z)/a_R relative to the first R site (fcc: x+y+z is a multiple of a_R)."""
    sub = atoms.arrays["sublattice"]
    sign = np.zeros(len(atoms))
    r = np.flatnonzero(sub == "R")
    if len(r):
        d = np.sort(np.linalg.norm(atoms.positions[r[1:min(len(r), 200)]] - atoms.positions[r[0]], axis=1))
        a_r = d[0] * np.sqrt(2.0)  # nearest R–R distance is a_R/√2
        s = atoms.positions[r].sum(axis=1) - atoms.positions[r[0]].sum()
        k = np.rint(s / a_r).astype(np.int64)
        sign[r] = np.where(k % 2 == 0, 1.0, -1.0)
    return sign


def net_moment_muB(atoms):
    """Net T = 0 collinear moment (μB): B sites +m, A sites −m (Néel ferrimagnet, A antiparallel
    to B), rock-salt R sites ±m by their type-II AF (111) plane."""
    _require_labels(atoms)
    sub = atoms.arrays["sublattice"]
    m = atoms.arrays["moment_muB"]
    sign = np.where(sub == "B", 1.0, np.where(sub == "A", -1.0, 0.0)) + rocksalt_af_sign(atoms)
    return float(np.sum(sign * m))


def describe(atoms):
    """Summary of a labelled structure.

    Returns
    -------
    dict with: ``phase``, ``n_atoms``, ``formula`` (ASE, e.g. 'Fe24O32'), ``formula_per_fu`` (cations
    per formula unit of the phase, e.g. 'Fe2.9O4'), ``counts`` per sublattice,
    ``counts_valence`` per 'sublattice:element:valence', ``net_moment_muB`` (T = 0, A antiparallel to
    B, R type-II AF), ``moment_per_fu_muB`` (per formula unit of the phase: 4 O for Fe3O4, 3 O for
    γ-Fe2O3, 1 O for FeO), ``vacancy_fraction`` (vacant / ideal B sites; R sites for FeO) and
    ``charge_e`` (sum of formal valences), ``charge_per_fu_e`` (charge per formula unit of the
    phase: non-stoichiometry of cut particles, e.g. O-rich surfaces give < 0) and
    ``charge_uncompensated_e`` (net charge change, e, that the recorded defect operations left
    uncompensated: minus the sum of ``charge_uncompensated_e`` of vacancy / substitution /
    core–shell records and of ``charge_removed_e`` of plane-defect records (APB, twin, stacking
    fault, grain boundary); 0 when all were compensated).
    """
    _require_labels(atoms)
    sub = atoms.arrays["sublattice"]
    val = atoms.arrays["valence"]
    sym = np.array(atoms.get_chemical_symbols())
    counts = {s: int(np.sum(sub == s)) for s in ("A", "B", "O", "R")}
    cv = {}
    for key in zip(sub, sym, val):
        k = f"{key[0]}:{key[1]}:{key[2]:+g}"
        cv[k] = cv.get(k, 0) + 1
    phase = atoms.info.get("phase", "")
    n_o = counts["O"]
    net = net_moment_muB(atoms)
    fu = data.O_PER_FU.get(phase)
    per_fu = net * fu / n_o if (fu and n_o) else float("nan")
    if phase == "FeO":
        sites, vacs = atoms.info.get("sites_R", 0), atoms.info.get("vacancies_R", 0)
    else:
        sites, vacs = atoms.info.get("sites_B", 0), atoms.info.get("vacancies_B", 0)
    per_fu_formula = ""
    if fu and n_o:
        els = sorted(set(sym) - {"O"})
        per_fu_formula = "".join(f"{e}{np.sum(sym == e) * fu / n_o:.4g}" for e in els) + f"O{fu}"
    return {
        "phase": phase,
        "n_atoms": len(atoms),
        "formula": atoms.get_chemical_formula(),
        "formula_per_fu": per_fu_formula,
        "counts": counts,
        "counts_valence": dict(sorted(cv.items())),
        "net_moment_muB": net,
        "moment_per_fu_muB": per_fu,
        "vacancy_fraction": float(vacs) / float(sites) if sites else 0.0,
        "charge_e": float(np.sum(val)),
        "charge_per_fu_e": float(np.sum(val)) * fu / n_o if (fu and n_o) else float("nan"),
        "charge_uncompensated_e": _uncompensated(atoms),
    }


def _uncompensated(atoms):
    import json
    total = 0.0
    for r in json.loads(atoms.info.get("defects", "[]") or "[]"):
        if r.get("type") == "apb" or r.get("category") == "plane":  # plane defects: removed, not compensated
            total -= float(r.get("charge_removed_e", 0.0))
        else:
            total -= float(r.get("charge_uncompensated_e", 0.0) or 0.0)
    return total


def count_bob_links(atoms, angle_min_deg=160.0, bond_max_A=2.3, mask=None):
    """Number of B–O–B links with angle > ``angle_min_deg`` and both B–O < ``bond_max_A`` (Å).

    ``mask`` (bool per atom) optionally restricts the links to those whose O is selected.
    Non-periodic (particles) or periodic orthogonal cells.
    """
    _require_labels(atoms, ("sublattice",))
    sub = atoms.arrays["sublattice"]
    b = np.flatnonzero(sub == "B")
    o = np.flatnonzero(sub == "O")
    if mask is not None:
        o = o[np.asarray(mask, bool)[o]]
    if len(b) < 2 or len(o) == 0:
        return 0
    if bond_max_A >= 3.0:
        raise ValueError(f"bond_max_A: {bond_max_A!r} must be < 3 Å (B–O bonds)")
    pos = atoms.positions
    box = None
    if all(atoms.pbc):
        box = np.diag(np.asarray(atoms.cell))
        pos = np.mod(pos, box) % box
    tb = cKDTree(pos[b], boxsize=box)
    kmax = 8  # an O has at most 6 cation neighbours within bond distance
    dist, nb = tb.query(pos[o], k=kmax, distance_upper_bound=bond_max_A)
    valid = np.isfinite(dist)
    count = 0
    cos_max = np.cos(np.radians(angle_min_deg))
    for i in range(kmax):  # loops over neighbour slots only, vectorised over O
        for j in range(i + 1, kmax):
            ok = valid[:, i] & valid[:, j]
            if not ok.any():
                continue
            v1 = pos[b[nb[ok, i]]] - pos[o[ok]]
            v2 = pos[b[nb[ok, j]]] - pos[o[ok]]
            if box is not None:
                v1 -= box * np.rint(v1 / box)
                v2 -= box * np.rint(v2 / box)
            c = np.sum(v1 * v2, axis=1) / (np.linalg.norm(v1, axis=1) * np.linalg.norm(v2, axis=1))
            count += int(np.sum(c < cos_max))
    return count


def min_distance_A(atoms):
    """Shortest interatomic distance (Å); minimum image for periodic orthogonal cells."""
    pos = atoms.positions
    box = None
    if all(atoms.pbc):
        box = np.diag(np.asarray(atoms.cell))
        pos = np.mod(pos, box) % box
    d, _ = cKDTree(pos, boxsize=box).query(pos, k=2)
    return float(d[:, 1].min())
