"""Point defects: B-site vacancies with charge compensation (Fe3−δO4 up to γ-Fe2O3).

Each operation is seeded, returns a new ``ase.Atoms`` and appends a JSON record to
``atoms.info["defects"]``; the vacancy record lists the emptied sites (``sites_A``) so that pictures
and later plane defects can follow them."""
from __future__ import annotations

import json

import numpy as np
from scipy.spatial import cKDTree

from atomspin.structures.charge import oxidise, require_labels
from atomspin.structures.labels import add_defect_record, delete_atoms, relabel
from atomspin.validation import check_choice, check_int, check_real, check_seed

VACANCY_MODES = ("random", "radial", "clustered", "ordered", "gradient")
VACANCY_REMOVAL = ("fe2_first", "random")

#: The four B sites (of the 16 per cubic cell, 16d of Fd-3m) that hold the vacancies of cubic
#: maghemite, P4_332: the Li sites (Wyckoff 4b) of ordered lithium ferrite Fe8[Li4Fe12]O32 (Braun,
#: Nature 170, 1123 (1952)), occupied in γ-Fe2O3 as Fe8[(Fe4/3□8/3)Fe12]O32 (van Oosterhout &
#: Rooijmans, Nature 181, 44 (1958); the cubic, partly disordered form of Grau-Crespo et al.,
#: J. Phys.: Condens. Matter 22, 255401 (2010), both confirmed). Fractional coordinates of the
#: cubic cell in Fd-3m origin choice 2 (the builder's frame): P4_332 4b (5/8,5/8,5/8), (7/8,3/8,1/8),
#: (3/8,1/8,7/8), (1/8,7/8,3/8) shifted by −(1/8,1/8,1/8) from origin choice 1 (derived; checked
#: against ase.spacegroup in tests/test_structures_defects.py). No two of them are B–B nearest
#: neighbours: every B4 tetrahedron holds exactly one.
ORDERED_B_FRAC = np.array([[0.5, 0.5, 0.5], [0.75, 0.25, 0.0], [0.25, 0.0, 0.75], [0.0, 0.75, 0.25]])
#: The F-centring translations: the four translational domains of the P4_332 order.
_F_TRANSLATIONS = np.array([[0.0, 0.0, 0.0], [0.0, 0.5, 0.5], [0.5, 0.0, 0.5], [0.5, 0.5, 0.0]])


def ordered_b_mask(atoms, domain=0):
    """Mask of the B sites that belong to the P4_332 vacancy sublattice (:data:`ORDERED_B_FRAC`).

    Parameters
    ----------
    atoms : a particle from :func:`~atomspin.structures.build_particle` (needs its
        ``lattice_origin_A`` and ``cell_lengths_A`` info; the crystal must still be the template's:
        insert APBs or twins after the vacancies).
    domain : int in [0, 7]
        Which of the 8 equivalent orders: ``domain % 4`` picks the F-centring translation (the
        four translational domains), ``domain // 4 == 1`` the mirror image (P4_132, inversion through
        the origin-2 centre of symmetry).

    Returns
    -------
    numpy.ndarray of bool, one per atom (False for every non-B atom).
    """
    require_labels(atoms)
    domain = check_int("domain", domain, 0, 7)
    if "lattice_origin_A" not in atoms.info or "cell_lengths_A" not in atoms.info:
        raise ValueError("atoms: mode 'ordered' needs a particle from build_particle (lattice_origin_A, "
                         "cell_lengths_A info)")
    from atomspin.structures.labels import defect_records

    moved = [r["type"] for r in defect_records(atoms)
             if r.get("type") in ("apb", "twin", "stacking_fault", "grain_boundary", "multicore_summary")]
    if moved:
        # a plane defect translates part of the crystal by a vector that maps B sites onto B sites but not the
        # P4_332 sublattice onto itself: the order would differ on the two sides without any error to see
        raise ValueError(f"atoms: mode 'ordered' needs the builder's single crystal; it has {moved[0]!r} "
                         "(insert plane defects after the vacancies)")
    origin = np.asarray(json.loads(atoms.info["lattice_origin_A"]), float)
    a = float(json.loads(atoms.info["cell_lengths_A"])[0])
    sites = ORDERED_B_FRAC * (-1.0 if domain // 4 else 1.0) + _F_TRANSLATIONS[domain % 4]
    b = (atoms.arrays["sublattice"] == "B")
    frac = (atoms.positions[b] - origin) / a
    # distance (in cell units) to the nearest site of the ordered set, modulo the cubic cell
    d = np.min(np.linalg.norm(((frac[:, None, :] - sites[None, :, :] + 0.5) % 1.0) - 0.5, axis=2), axis=1)
    # every ideal 16d site lies either on the set (d = 0) or ≥ √2/4 ≈ 0.354 from it
    off = (d > 0.05) & (d < 0.3)
    if np.any(off):
        raise ValueError(f"atoms: {int(np.sum(off))} B sites are off the template lattice (a plane defect "
                         "inserted before the vacancies?); mode 'ordered' needs the builder's crystal")
    out = np.zeros(len(atoms), bool)
    out[np.flatnonzero(b)] = d <= 0.05
    return out


def add_vacancies(atoms, delta, *, mode="random", removal="random", shell_nm=1.0, n_clusters=None,
                  seed=0):
    """Fe3−δO4: remove δ Fe per formula unit from B sites with charge compensation.

    Parameters
    ----------
    atoms : labelled spinel structure (Fe3O4 or partly oxidised).
    delta : float in [0, 1/3]
        Fe removed per formula unit; formula units counted as (B sites in the target region)/2, so
        that δ = 1/3 turns Fe3O4 into γ-Fe2O3 (Fe8/3O4).
    mode : {'random', 'radial', 'clustered', 'ordered', 'gradient'}
        'random': uniformly over all B sites; 'radial': only B sites with depth below the surface
        < ``shell_nm`` (vacancy-rich Fe3−δO4 shell on a stoichiometric Fe3O4 core, Lappas et al.,
        PRX 9, 041044 (2019)); 'clustered': the B sites nearest to ``n_clusters`` random B centres;
        'ordered': random sites of the cubic maghemite vacancy sublattice (P4_332, Wyckoff 4b, one B
        site in four, one per B4 tetrahedron: :data:`ORDERED_B_FRAC`; at δ = 1/3 two thirds of it are
        empty, the Fe8[(Fe4/3□8/3)Fe12]O32 of van Oosterhout & Rooijmans, Nature 181, 44 (1958)), one of
        its 8 equivalent domains drawn from the seed — the order of oxidised magnetite whose
        vacancies have ordered before reaching maghemite (δ ≤ 1/3 always fits: 4b holds δ ≤ 1/2);
        'gradient': all B sites, drawn without replacement with weight exp(−depth/``shell_nm``)
        (Efraimidis & Spirakis, Inf. Process. Lett. 97, 181 (2006)): the vacancy density rises
        toward the surface with e-folding depth ``shell_nm``, the continuous version of 'radial'
        (oxidation proceeds from the surface inward: a vacancy gradient rather than a sharp shell).
    removal : {'random', 'fe2_first'}
        'random' (default): remove random B Fe of either valence (3 oxidations per removed Fe3+, 2
        per removed Fe2+) — magnetite above the Verwey temperature (≈ 120 K; Walz, J. Phys.: Condens.
        Matter 14, R285 (2002)) has no Fe2+/Fe3+ order on the B sites, so a vacancy has no valence to
        prefer. 'fe2_first': remove Fe2+ first (each removal oxidises 2 more Fe2+ → Fe3+; 3 Fe2+
        consumed per vacancy); with the builder's Verwey-layered Fe2+ (``b_valence="verwey"``) the
        vacancies then inherit that layered order, whose Néel bond terms add a uniaxial anisotropy
        (docs/validation.md §8a) — a low-temperature (< 120 K) choice. Oxidation takes Fe2+ of the
        same region; averaged (+2.5) valences are raised uniformly.
    shell_nm : float > 0, nm, shell thickness for mode 'radial', e-folding depth of the vacancy
        density for mode 'gradient' (default 1 nm for both: the vacancy-rich shell of Lappas et al.
        2019).
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
    elif mode == "ordered":
        domain = int(rng.integers(8))
        sub4b = cand[ordered_b_mask(out, domain)[cand]]  # charge compensation still uses every B site
        if n > len(sub4b):
            raise ValueError(f"delta: {delta!r} needs {n} vacancies but the ordered sublattice has {len(sub4b)} "
                             "B sites in this structure")
        rem = rng.choice(sub4b, size=n, replace=False)
    elif mode == "gradient":
        if "depth_nm" not in out.arrays:
            raise ValueError("atoms: mode 'gradient' needs depth_nm labels")
        # Efraimidis–Spirakis weighted sampling without replacement: the n largest log(u)/w
        w = np.exp(-out.arrays["depth_nm"][cand] / sh_nm)
        key = np.log(rng.random(len(cand))) / w
        rem = cand[np.argsort(-key, kind="stable")[:n]]
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
                                shell_nm=sh_nm if mode in ("radial", "gradient") else None,
                                ordered_domain=domain if mode == "ordered" else None,
                                n_clusters=int(n_clusters) if mode == "clustered" else None,
                                n_removed=int(len(rem)), charge_removed_e=charge,
                                charge_uncompensated_e=left, seed=seed, sites_A=sites))
    return relabel(out, coordination=False)

