"""Chemistry on the fixed O sublattice: FeO/spinel core–shell particles and 2+ dopants (Zn, Mn, Co, Ni).

Each operation is seeded, returns a new ``ase.Atoms`` and appends a JSON record to
``atoms.info["defects"]`` with its charge bookkeeping."""
from __future__ import annotations

import json

import numpy as np
from ase import Atoms
from scipy.spatial import cKDTree

from atomspin.structures import data
from atomspin.structures.charge import oxidise, require_labels
from atomspin.structures.labels import NEUTRAL, add_defect_record, relabel, set_array
from atomspin.structures.planes import transform_recorded_sites
from atomspin.structures.shapes import get_shape, inside_mask
from atomspin.validation import check_choice, check_real, check_seed

#: Spin-only moments (μB) and default site of substituting 2+ ions (g = 2, m = 2S) [D]:
#: Zn2+ d10 0; Mn2+ d5 5; Co2+ d7 3 (measured ≈ 3.7 with orbital moment in CoFe2O4 [U]); Ni2+ d8 2.
#: Sites: ZnFe2O4 normal (Zn on A); MnFe2O4 ≈ 80 % normal: neutron diffraction gives a fraction
#: 0.81 ± 0.03 of the A sites held by Mn2+ (Hastings & Corliss, Phys. Rev. 104, 328 (1956) [C,
#: abstract]), XMCD y ≈ 0.2 (Lee et al. [C, abstract]); CoFe2O4, NiFe2O4 inverse (M on B).
DOPANTS = {"Zn": (0.0, "A"), "Mn": (5.0, "A"), "Co": (3.0, "B"), "Ni": (2.0, "B")}
#: Default inversion (fraction of the dopants on B) when neither ``site`` nor ``inversion`` is given:
#: MnFe2O4 i = 1 − 0.81 = 0.19 (Hastings & Corliss 1956, above).
DEFAULT_INVERSION = {"Mn": 0.19}

# ------------------------------------------------------------------------------------ core–shell
#: Octahedral interstices of the spinel O sublattice (Fd-3m origin 2): 16c (0,0,0) and 16d (½,½,½)
#: orbits. Together they are the 32 octahedral holes per cubic cell = the rock-salt cation sites of
#: an FeO lattice sharing the spinel's fcc O sublattice (a_FeO = a_spinel/2).
def _octahedral_holes_frac():
    from ase.spacegroup import crystal
    c = crystal(["Fe", "Fe"], basis=[(0, 0, 0), (0.5, 0.5, 0.5)], spacegroup=227, setting=2,
                cellpar=[1, 1, 1, 90, 90, 90])
    return c.get_scaled_positions()


def core_shell(atoms, core_diameter_nm, *, core_phase="FeO", fe_deficiency=0.0, cation_min_A=2.5,
               compensate=True, seed=0):
    """FeO core inside a spinel (Fe3O4 or γ-Fe2O3) particle, cube-on-cube through the shared O sublattice.

    Parameters
    ----------
    atoms : labelled spinel particle from :func:`build_particle` (its shape and lattice are used).
    core_diameter_nm : float, nm, in (0, particle size]
        Size of the core: the particle's shape scaled by core_diameter_nm / size_nm about its centre.
    core_phase : {'FeO'}
    fe_deficiency : float in [0, 1/3], x of a Fe(1−x)O core (random, charge-compensated by Fe3+).
    cation_min_A : float, Å
        Spinel cations closer than this to a core cation are removed (A sites face-share with the
        octahedral holes at √3/8·a = 1.82 Å).
    compensate : bool
        Compensate the charge of the shell cations removed at the interface (A sites face-sharing
        with core octahedra) by oxidising as many core Fe2+ → Fe3+ (random, seeded; 5 μB), i.e.
        interface-compensated Fe(1−x)O-like Fe3+ in the core. False: only record it.
    seed : int ≥ 0.

    Notes
    -----
    Charge bookkeeping in the record: ``charge_before_e``, ``charge_after_e``,
    ``charge_removed_shell_e`` (shell cations removed at the interface), ``charge_compensated_e``,
    ``charge_uncompensated_e`` and ``charge_core_change_e`` (core: rock-salt Fe2+ minus the spinel
    cations replaced; 0 up to the cut of the core surface, both phases being neutral on the same O).
    Topotaxy FeO(001)‖spinel(001), [100]‖[100] ("cube-on-cube"): O stays on the spinel O sublattice;
    inside the core every octahedral hole (16c + 16d) holds an Fe2+ (sublattice "R", region "FeO").
    **Strain choice**: the core takes the shell's O sublattice, a_FeO,eff = a_spinel/2 (4.198 Å for
    magnetite, −2.4 % against bulk FeO 4.30 Å, Yamamoto 1982); the shell is unstrained.
    """
    require_labels(atoms)
    shape = get_shape(atoms)
    if shape is None or "lattice_origin_A" not in atoms.info:
        raise ValueError("atoms: core_shell needs a particle from build_particle (shape and lattice info)")
    phase = atoms.info.get("phase")
    if phase not in ("Fe3O4", "gamma-Fe2O3"):
        raise ValueError(f"atoms: core_shell needs a spinel particle (Fe3O4 or gamma-Fe2O3), got {phase!r}")
    check_choice("core_phase", core_phase, ("FeO",))
    size = float(atoms.info["size_nm"])
    dc = check_real("core_diameter_nm", core_diameter_nm, 0.0, size, lo_open=True)
    x = check_real("fe_deficiency", fe_deficiency, 0.0, 1.0 / 3.0)
    cmin = check_real("cation_min_A", cation_min_A, 0.0, 3.0)
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)
    f = dc / size
    core = dict(shape)
    for key in ("radius_A", "half_A", "vertex_A"):
        if key in core:
            core[key] = core[key] * f
    if "semi_axes_A" in core:
        core["semi_axes_A"] = [v * f for v in core["semi_axes_A"]]
    origin = np.asarray(json.loads(atoms.info["lattice_origin_A"]))
    L = np.asarray(json.loads(atoms.info["cell_lengths_A"]))
    nz = int(round(L[2] / L[0]))
    holes = np.concatenate([_octahedral_holes_frac() + [0, 0, k] for k in range(nz)]) * (L / [1, 1, nz])
    from atomspin.structures.particle import tile_lattice
    from atomspin.structures.shapes import bounding_radius_A
    cen = np.asarray(core["center_A"])
    hpos, _ = tile_lattice(holes, L, cen - origin, bounding_radius_A(core))
    hpos = hpos + cen
    hpos = hpos[inside_mask(core, hpos)]
    out = atoms.copy()
    in_core = inside_mask(core, out.positions)
    is_cat = out.numbers != 8
    drop = in_core & is_cat
    if len(hpos):
        d, _ = cKDTree(hpos).query(out.positions)
        drop |= is_cat & (d < cmin)
    if not isinstance(compensate, (bool, np.bool_)):
        raise ValueError(f"compensate: {compensate!r} must be True or False")
    n_drop_shell = int(np.sum(drop & ~in_core))
    q_before = float(np.sum(out.arrays["valence"]))
    q_shell = float(np.sum(out.arrays["valence"][drop & ~in_core]))
    q_core_old = float(np.sum(out.arrays["valence"][drop & in_core]))
    reg = out.arrays["region"].copy()
    reg[np.isin(reg, ["core", "bulk"])] = "spinel"
    reg[in_core] = "FeO"
    set_array(out, "region", reg)
    out = out[~drop]
    r = Atoms(numbers=np.full(len(hpos), 26), positions=hpos)
    n = len(hpos)
    set_array(r, "sublattice", np.full(n, "R"))
    set_array(r, "valence", np.full(n, 2.0))
    set_array(r, "moment_muB", np.full(n, data.fe_moment(2.0)))
    set_array(r, "region", np.full(n, "FeO"))
    for key in ("apb_zone", "surface"):
        set_array(r, key, np.zeros(n, bool))
    for key in ("depth_nm",):
        set_array(r, key, np.zeros(n))
    for key in ("missing_cation", "missing_O"):
        set_array(r, key, np.zeros(n, np.int64))
    extra = [k for k in out.arrays if k not in r.arrays and k not in ("numbers", "positions")]
    for k in extra:  # other arrays (defect_zone, grain, user labels): neutral values
        arr = out.arrays[k]
        set_array(r, k, np.full((n,) + arr.shape[1:], NEUTRAL.get(k, 0), arr.dtype))
    info = dict(out.info)
    out = out + r
    out.info.update(info)
    n_vac = 0
    if x > 0:
        from atomspin.structures.bulk import apply_fe_deficiency
        out, n_vac, _ = apply_fe_deficiency(out, x, rng)
    left = q_shell
    if compensate and q_shell > 0:
        pool = np.flatnonzero(out.arrays["sublattice"] == "R")
        left = oxidise(out, q_shell, pool, rng)
    # recorded vacancies inside the core are filled by the rock-salt cations
    transform_recorded_sites(out, lambda p: np.where(inside_mask(core, p)[:, None], np.nan, p))
    out.info["sites_R"] = int(n)
    out.info["vacancies_R"] = int(n_vac)
    add_defect_record(out, dict(type="core_shell", core_phase=core_phase, core_diameter_nm=dc,
                                strain="FeO core on the spinel O sublattice, a_FeO = a_spinel/2; shell unstrained",
                                n_core_cations=int(n - n_vac), n_removed_shell_cations=n_drop_shell,
                                fe_deficiency=x, compensate=bool(compensate), charge_before_e=q_before,
                                charge_after_e=float(np.sum(out.arrays["valence"])),
                                charge_removed_shell_e=q_shell, charge_compensated_e=q_shell - left,
                                charge_uncompensated_e=left, charge_core_change_e=2.0 * n - q_core_old,
                                seed=seed))
    return relabel(out)


# ---------------------------------------------------------------------------------- substitution
def dope(atoms, element, fraction, *, site=None, inversion=None, seed=0):
    """Substitute 2+ ions for Fe: M_x Fe_{3−x} O_4 (x = ``fraction``, per spinel formula unit).

    Parameters
    ----------
    element : {'Zn', 'Mn', 'Co', 'Ni'}
    fraction : float in [0, 1]
        x: dopants per formula unit, n = round(x · N_fu) with N_fu = number of A sites (one per f.u.).
    site : {'A', 'B'}, optional
        Put all dopants on one sublattice. Default (neither ``site`` nor ``inversion`` given):
        Zn → A, Co/Ni → B, Mn → inversion 0.19 (81 % on A, see ``DEFAULT_INVERSION``).
    inversion : float in [0, 1], optional
        Inversion degree i = fraction of the dopants on B sites (overrides ``site``); measured
        i = 0.19 ± 0.03 for MnFe2O4 (Hastings & Corliss, Phys. Rev. 104, 328 (1956)).
    seed : int ≥ 0.

    Notes
    -----
    On B, M2+ replaces Fe2+ first (Fe[Fe3+M2+]O4, neutral); where it replaces Fe3+ (A sites, or B
    without Fe2+), one Fe2+ of the structure is oxidised to Fe3+ per dopant so that Zn_xFe_{3−x}O_4 has
    (1 − x) Fe2+ per f.u.; charge that cannot be compensated is recorded. Moments: spin-only, see
    ``DOPANTS``.
    """
    require_labels(atoms)
    if not isinstance(element, str) or element not in DOPANTS:
        raise ValueError(f"element: {element!r} is not one of {sorted(DOPANTS)}")
    x = check_real("fraction", fraction, 0.0, 1.0)
    if site is not None:
        check_choice("site", site, ("A", "B"))
    inv = None if inversion is None else check_real("inversion", inversion, 0.0, 1.0)
    if inv is None and site is None:
        inv = DEFAULT_INVERSION.get(element)
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)
    moment, default_site = DOPANTS[element]
    out = atoms.copy()
    sub, val = out.arrays["sublattice"], out.arrays["valence"]
    n_fu = int(np.sum(sub == "A"))
    if n_fu == 0:
        raise ValueError("atoms: dope needs a spinel structure with A sites")
    n = int(round(x * n_fu))
    if inv is not None:
        n_b = int(round(inv * n))
        counts = {"A": n - n_b, "B": n_b}
    else:
        counts = {"A": 0, "B": 0}
        counts[site or default_site] = n
    chosen = []
    for s, k in counts.items():
        fe = np.flatnonzero((sub == s) & (out.numbers == 26))
        if k > len(fe):
            raise ValueError(f"fraction: {fraction!r} needs {k} Fe on {s} sites, only {len(fe)} available")
        if k == 0:
            continue
        if s == "B":
            fe2 = fe[val[fe] == 2.0]
            rest = fe[val[fe] != 2.0]
            m = min(k, len(fe2))
            pick = np.concatenate([rng.choice(fe2, m, replace=False), rng.choice(rest, k - m, replace=False)])
        else:
            pick = rng.choice(fe, k, replace=False)
        chosen.append(pick)
    chosen = np.concatenate(chosen) if chosen else np.zeros(0, np.int64)
    lost = float(np.sum(val[chosen] - 2.0))
    numbers = out.numbers.copy()
    from ase.data import atomic_numbers
    numbers[chosen] = atomic_numbers[element]
    out.numbers = numbers
    val[chosen] = 2.0
    out.arrays["moment_muB"][chosen] = moment
    pool = np.flatnonzero((out.numbers == 26) & (sub != "O"))
    left = oxidise(out, lost, pool, rng) if lost > 0 else 0.0
    add_defect_record(out, dict(type="substitution", element=element, fraction=x, n_A=int(counts["A"]),
                                n_B=int(counts["B"]), inversion=inv, charge_to_compensate_e=lost,
                                charge_uncompensated_e=left, seed=seed))
    return relabel(out, coordination=False)  # same sites, same geometry

