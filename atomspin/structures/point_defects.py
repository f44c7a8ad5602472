"""Point defects: B-site vacancies with charge compensation (Fe3−δO4 up to γ-Fe2O3).

Each operation is seeded, returns a new ``ase.Atoms`` and appends a JSON record to
``atoms.info["defects"]``; the vacancy record lists the emptied sites (``sites_A``) so that pictures
and later plane defects can follow them."""
from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from atomspin.structures.charge import oxidise, require_labels
from atomspin.structures.labels import add_defect_record, delete_atoms, relabel
from atomspin.validation import check_choice, check_real, check_seed

VACANCY_MODES = ("random", "radial", "clustered")
VACANCY_REMOVAL = ("fe2_first", "random")


def add_vacancies(atoms, delta, *, mode="random", removal="random", shell_nm=1.0, n_clusters=None,
                  seed=0):
    """Fe3−δO4: remove δ Fe per formula unit from B sites with charge compensation.

    Parameters
    ----------
    atoms : labelled spinel structure (Fe3O4 or partly oxidised).
    delta : float in [0, 1/3]
        Fe removed per formula unit; formula units counted as (B sites in the target region)/2, so
        that δ = 1/3 turns Fe3O4 into γ-Fe2O3 (Fe8/3O4).
    mode : {'random', 'radial', 'clustered'}
        'random': uniformly over all B sites; 'radial': only B sites with depth below the surface
        < ``shell_nm`` (vacancy-rich Fe3−δO4 shell on a stoichiometric Fe3O4 core, Lappas et al.,
        PRX 9, 041044 (2019)); 'clustered': the B sites nearest to ``n_clusters`` random B centres.
    removal : {'random', 'fe2_first'}
        'random' (default): remove random B Fe of either valence (3 oxidations per removed Fe3+, 2
        per removed Fe2+) — magnetite above the Verwey temperature (≈ 120 K; Walz, J. Phys.: Condens.
        Matter 14, R285 (2002)) has no Fe2+/Fe3+ order on the B sites, so a vacancy has no valence to
        prefer. 'fe2_first': remove Fe2+ first (each removal oxidises 2 more Fe2+ → Fe3+; 3 Fe2+
        consumed per vacancy); with the builder's Verwey-layered Fe2+ (``b_valence="verwey"``) the
        vacancies then inherit that layered order, whose Néel bond terms add a uniaxial anisotropy
        (docs/validation.md §8a) — a low-temperature (< 120 K) choice. Oxidation takes Fe2+ of the
        same region; averaged (+2.5) valences are raised uniformly.
    shell_nm : float > 0, nm, shell thickness for mode 'radial'.
    n_clusters : int ≥ 1, optional, mode 'clustered' (default: one per 10 vacancies).
    seed : int ≥ 0.

    Notes
    -----
    The record lists the emptied sites (``sites_A``, Å, rounded to 0.001 Å); plane defects inserted
    later move them with their crystal, and :func:`~atomspin.structures.plot_cross_section` draws them.

    Raises ValueError when the structure holds too little Fe2+ to compensate the charge.
    """
    require_labels(atoms)
    d = check_real("delta", delta, 0.0, 1.0 / 3.0)
    check_choice("mode", mode, VACANCY_MODES)
    check_choice("removal", removal, VACANCY_REMOVAL)
    sh_nm = check_real("shell_nm", shell_nm, 0.0, None, lo_open=True)
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)
    out = atoms.copy()
    sub = out.arrays["sublattice"]
    val = out.arrays["valence"]
    region = (sub == "B") & (out.numbers == 26)
    if mode == "radial":
        if "depth_nm" not in out.arrays:
            raise ValueError("atoms: mode 'radial' needs depth_nm labels")
        region &= out.arrays["depth_nm"] < sh_nm
    cand = np.flatnonzero(region)
    n_fu = np.sum(region) / 2.0
    n = int(round(d * n_fu))
    if n == 0:
        add_defect_record(out, dict(type="vacancies", delta=d, mode=mode, removal=removal, n_removed=0,
                                    seed=seed))
        return relabel(out, coordination=False)
    if mode == "clustered":
        if n_clusters is None:
            n_clusters = max(1, n // 10)
        if not isinstance(n_clusters, (int, np.integer)) or n_clusters < 1 or n_clusters > n:
            raise ValueError(f"n_clusters: {n_clusters!r} must be an integer in [1, {n}]")
        centres = out.positions[rng.choice(cand, size=int(n_clusters), replace=False)]
        dist, _ = cKDTree(centres).query(out.positions[cand])
        order = np.lexsort((rng.random(len(cand)), dist))
        rem = cand[order[:n]]
    elif removal == "fe2_first":
        fe2 = cand[val[cand] == 2.0]
        rest = cand[val[cand] != 2.0]
        k = min(n, len(fe2))
        rem = np.concatenate([rng.choice(fe2, size=k, replace=False),
                              rng.choice(rest, size=n - k, replace=False)])
    else:
        rem = rng.choice(cand, size=n, replace=False)
    charge = float(np.sum(val[rem]))
    pool = np.setdiff1d(cand, rem)
    # feasibility before touching anything
    pv = val[pool]
    capacity = np.sum(np.where((pv >= 2.0) & (pv < 3.0), 3.0 - pv, 0.0))
    # neutral bookkeeping: the lost cation charge Σq is restored by oxidising Fe2+ of the same region
    if capacity + 1e-9 < charge:
        dmax = d * capacity / charge
        raise ValueError(f"delta: {delta!r} needs {charge:g} e of Fe2+→Fe3+ oxidation but this structure "
                         f"has {capacity:g} e available in the target region (max delta ≈ {dmax:.4f})")
    # oxidise before deleting so indices stay valid
    left = oxidise(out, charge, pool, rng)
    sites = np.round(out.positions[rem], 3).tolist()
    out = delete_atoms(out, rem)
    out.info["vacancies_B"] = int(out.info.get("vacancies_B", 0)) + len(rem)
    add_defect_record(out, dict(type="vacancies", delta=d, mode=mode, removal=removal,
                                shell_nm=sh_nm if mode == "radial" else None,
                                n_clusters=int(n_clusters) if mode == "clustered" else None,
                                n_removed=int(len(rem)), charge_removed_e=charge,
                                charge_uncompensated_e=left, seed=seed, sites_A=sites))
    return relabel(out, coordination=False)

