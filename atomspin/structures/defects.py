"""Defect operations on labelled structures. All seeded, composable, each appends a JSON record to
``atoms.info["defects"]`` and returns a new ``ase.Atoms`` (the input is not modified)."""
from __future__ import annotations

import json

import numpy as np
from ase import Atoms
from scipy.spatial import ConvexHull, cKDTree

from atomspin.structures import data
from atomspin.validation import check_choice, check_real, check_seed, check_vector
from atomspin.structures.analysis import count_bob_links
from atomspin.structures.labels import add_defect_record, delete_atoms, relabel, set_array
from atomspin.structures.shapes import depth_A, get_shape, inside_mask

VACANCY_MODES = ("random", "radial", "clustered")
VACANCY_REMOVAL = ("fe2_first", "random")
#: Spin-only moments (μB) and default site of substituting 2+ ions (g = 2, m = 2S) [D]:
#: Zn2+ d10 0; Mn2+ d5 5; Co2+ d7 3 (measured ≈ 3.7 with orbital moment in CoFe2O4 [U]); Ni2+ d8 2.
#: Sites: ZnFe2O4 normal (Zn on A); MnFe2O4 ≈ 80 % normal: neutron diffraction gives a fraction
#: 0.81 ± 0.03 of the A sites held by Mn2+ (Hastings & Corliss, Phys. Rev. 104, 328 (1956) [C,
#: abstract]), XMCD y ≈ 0.2 (Lee et al. [C, abstract]); CoFe2O4, NiFe2O4 inverse (M on B).
DOPANTS = {"Zn": (0.0, "A"), "Mn": (5.0, "A"), "Co": (3.0, "B"), "Ni": (2.0, "B")}
#: Default inversion (fraction of the dopants on B) when neither ``site`` nor ``inversion`` is given:
#: MnFe2O4 i = 1 − 0.81 = 0.19 (Hastings & Corliss 1956, above).
DEFAULT_INVERSION = {"Mn": 0.19}


def _require(atoms, names=("sublattice", "valence", "moment_muB", "region")):
    if not isinstance(atoms, Atoms):
        raise ValueError(f"atoms: expected ase.Atoms, got {type(atoms).__name__}")
    missing = [n for n in names if n not in atoms.arrays]
    if missing:
        raise ValueError(f"atoms: missing label arrays {missing}; build it with atomspin.structures")


def _fe_moments(atoms, idx):
    atoms.arrays["moment_muB"][idx] = data.fe_moment(atoms.arrays["valence"][idx])


def _oxidise(atoms, charge, pool, rng):
    """Raise the summed valence of the Fe ions in ``pool`` by ``charge`` (e): explicit Fe2+ → Fe3+
    one by one (random order), averaged valences uniformly up to +3. Returns the uncompensated rest."""
    val = atoms.arrays["valence"]
    fe = pool[atoms.numbers[pool] == 26]
    frac = fe[(val[fe] > 2.0) & (val[fe] < 3.0)]
    if len(frac):  # averaged valences
        cap = np.sum(3.0 - val[frac])
        use = min(charge, cap)
        val[frac] += use * (3.0 - val[frac]) / cap if cap > 0 else 0.0
        _fe_moments(atoms, frac)
        charge -= use
    fe2 = fe[val[fe] == 2.0]
    n = int(min(round(charge), len(fe2)))
    if n > 0:
        pick = rng.choice(fe2, size=n, replace=False)
        val[pick] = 3.0
        _fe_moments(atoms, pick)
        charge -= n
    return float(charge)


def add_vacancies(atoms, delta, *, mode="random", removal="fe2_first", shell_nm=1.0, n_clusters=None,
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
    removal : {'fe2_first', 'random'}
        Remove Fe2+ first (each removal oxidises 2 more Fe2+ → Fe3+; 3 Fe2+ consumed per vacancy),
        or remove random B Fe of either valence (3 oxidations per removed Fe3+). Oxidation takes
        Fe2+ of the same region; averaged (+2.5) valences are raised uniformly.
    shell_nm : float > 0, nm, shell thickness for mode 'radial'.
    n_clusters : int ≥ 1, optional, mode 'clustered' (default: one per 10 vacancies).
    seed : int ≥ 0.

    Raises ValueError when the structure holds too little Fe2+ to compensate the charge.
    """
    _require(atoms)
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
    left = _oxidise(out, charge, pool, rng)
    out = delete_atoms(out, rem)
    out.info["vacancies_B"] = int(out.info.get("vacancies_B", 0)) + len(rem)
    add_defect_record(out, dict(type="vacancies", delta=d, mode=mode, removal=removal,
                                shell_nm=sh_nm if mode == "radial" else None,
                                n_clusters=int(n_clusters) if mode == "clustered" else None,
                                n_removed=int(len(rem)), charge_removed_e=charge,
                                charge_uncompensated_e=left, seed=seed))
    return relabel(out, coordination=False)


# ------------------------------------------------------------------------------------------ APB
def _default_shift(normal):
    """The ¼⟨110⟩ vector (units of a) most nearly parallel to the plane normal (first in a fixed
    order on ties): a/4[110] for (110), a/4[101] for (001), a/4[110] for (111)."""
    cands = []
    for i, j in ((0, 1), (0, 2), (1, 2)):
        for si in (1, -1):
            for sj in (1, -1):
                v = np.zeros(3)
                v[i], v[j] = si * 0.25, sj * 0.25
                cands.append(v)
    cands = np.array(cands)
    score = np.abs(cands @ normal) + 1e-9 * (cands @ normal > 0)  # ties: the one pointing along n
    return cands[int(np.argmax(score))]


def _check_shift(shift):
    s = check_vector("shift", shift)
    a = np.sort(np.abs(s))
    if not np.allclose(a, [0.0, 0.25, 0.25]):
        raise ValueError(f"shift: {shift!r} must be a ¼⟨110⟩ vector in units of a, e.g. (0.25, 0.25, 0)")
    return s


def _inside_fn(atoms):
    shape = get_shape(atoms)
    if shape is not None:
        return lambda p: inside_mask(shape, p)
    hull = ConvexHull(atoms.positions)
    eq = hull.equations
    return lambda p: np.all(p @ eq[:, :3].T + eq[:, 3] <= 1e-6, axis=1)


def _plane_area_nm2(atoms, normal, point, slab_A=1.5, step_A=0.25):
    """Area (nm²) of the boundary plane inside the particle: the ideal shape's cross-section sampled on
    a 2-D grid of spacing step_A (error < 1 %) when the shape is known, else the 2-D convex hull of the
    atoms within ±slab_A of the plane."""
    u = np.cross(normal, [1.0, 0, 0] if abs(normal[0]) < 0.9 else [0, 1.0, 0])
    u /= np.linalg.norm(u)
    v = np.cross(normal, u)
    shape = get_shape(atoms)
    if shape is not None:
        from atomspin.structures.shapes import bounding_radius_A
        r = bounding_radius_A(shape) + np.linalg.norm(point - np.asarray(shape["center_A"]))
        step_A = max(step_A, r / 400.0)  # ≤ 640k samples; relative area error ~ step/size
        g = np.arange(-r, r + step_A, step_A)
        gu, gv = np.meshgrid(g, g, indexing="ij")
        pts = point + gu.reshape(-1, 1) * u + gv.reshape(-1, 1) * v
        return float(np.sum(inside_mask(shape, pts, 0.0))) * step_A ** 2 / 100.0
    pos = atoms.positions
    sel = pos[np.abs((pos - point) @ normal) < slab_A]
    if len(sel) < 3:
        return 0.0
    xy = np.stack([(sel - point) @ u, (sel - point) @ v], axis=1)
    return float(ConvexHull(xy).volume) / 100.0


def _close_pairs_removal(pos, is_cat, moved, cat_min, any_min):
    """Indices to delete so that no cation pair is closer than cat_min and no pair closer than any_min
    (Å). Per pair, delete the moved (shifted-side) atom, a cation before an O, else the higher index."""
    tree = cKDTree(pos)
    pairs = tree.query_pairs(max(cat_min, any_min), output_type="ndarray")
    if len(pairs) == 0:
        return np.zeros(0, np.int64)
    d = np.linalg.norm(pos[pairs[:, 0]] - pos[pairs[:, 1]], axis=1)
    bad = (d < any_min) | ((d < cat_min) & is_cat[pairs[:, 0]] & is_cat[pairs[:, 1]])
    pairs = pairs[bad]
    removed = np.zeros(len(pos), bool)
    for i, j in pairs[np.argsort(d[bad])]:  # loop over offending pairs only (few)
        if removed[i] or removed[j]:
            continue
        key_i = (moved[i], is_cat[i], i)
        key_j = (moved[j], is_cat[j], j)
        removed[i if key_i > key_j else j] = True
    return np.flatnonzero(removed)


def _ideal_positions(atoms):
    """Positions (Å) with every site moved to its ideal x = 1/4 spinel (or rock-salt) position: the
    fractional coordinates of the particle's lattice rounded to multiples of 1/8 (all A, B, O and
    rock-salt sites of the cubic cell lie on that grid; the O parameter x = 0.2548 displaces O by
    0.04 Å per axis, far below 1/16 a). Without lattice info (not from build_particle): positions."""
    if "lattice_origin_A" not in atoms.info or "cell_lengths_A" not in atoms.info:
        return atoms.positions.copy()
    origin = np.asarray(json.loads(atoms.info["lattice_origin_A"]), float)
    L = np.asarray(json.loads(atoms.info["cell_lengths_A"]), float)
    sub = L / [1, 1, max(1, int(round(L[2] / L[0])))]
    f = (atoms.positions - origin) / sub
    return origin + np.round(8.0 * f) / 8.0 * sub


def _o_displacement(atoms, ideal, sites, own, ideal_own):
    """Displacement (Å) actual − ideal of the O at ideal ``sites`` of the unshifted crystal, looked
    up by site class (fractional coordinates modulo the cubic (sub)cell), taken from the particle's
    own O atoms. (x − 1/4 displacements follow the cubic Fd-3m cell.)"""
    origin = np.asarray(json.loads(atoms.info["lattice_origin_A"]), float)
    L = np.asarray(json.loads(atoms.info["cell_lengths_A"]), float)
    sub = L / [1, 1, max(1, int(round(L[2] / L[0])))]
    o = atoms.numbers == 8

    def key(p):
        k = np.mod(np.rint(8.0 * (p - origin) / sub).astype(np.int64), 8)
        return k[:, 0] * 64 + k[:, 1] * 8 + k[:, 2]

    table = np.zeros((512, 3))
    seen = np.zeros(512, bool)
    ko = key(ideal[o])
    table[ko] = atoms.positions[o] - ideal[o]
    seen[ko] = True
    ks = key(sites)
    out = table[ks]
    if not np.all(seen[ks]):  # particle smaller than a cell: keep the site's own displacement
        out[~seen[ks]] = (own - ideal_own)[~seen[ks]]
    return out


def _snap_offset_A(pos, is_cat, p0, n, tA, cmin, amin, window_A=2.5, disk_A=12.0):
    """Offset (Å) along the unit normal ``n`` that puts the cut plane midway between atomic layers,
    on the termination with the fewest overlaps.

    Layers of the unshifted (s) and shifted (s + t·n) crystal are pooled, s being the signed
    distance to the requested plane through ``p0``; candidate planes are the midpoints of gaps
    ≥ 0.3 Å with |midpoint| ≤ window_A, so no layer is ever split between the two sides (the (110)
    O layer is split into halves at ±0.057 Å because x = 0.2548 ≠ 1/4; a plane through it
    duplicates one half and empties the other). Among the candidates the one whose boundary gives
    the fewest close pairs (cation pairs < cmin, any pair < amin), counted on a disk of radius
    disk_A around ``p0``, wins; ties: the plane nearest to the requested one."""
    s = (pos - p0) @ n
    tn = float(tA @ n)
    near = np.abs(s) < window_A + abs(tn) + 1.0
    levels = np.concatenate([s[near], s[near] + tn])
    levels = np.unique(np.round(levels[np.abs(levels) < window_A + 1.0], 4))
    if len(levels) < 2:
        return 0.0
    gaps = np.diff(levels)
    mids = 0.5 * (levels[1:] + levels[:-1])
    mids = mids[(gaps >= 0.3) & (np.abs(mids) <= window_A)]
    if len(mids) == 0:
        return 0.0
    rin = np.linalg.norm(pos - p0 - np.outer(s, n), axis=1)
    disk = np.flatnonzero((rin < disk_A) & (np.abs(s) < window_A + abs(tn) + 4.0))
    sd, pd, cd = s[disk], pos[disk], is_cat[disk]
    lim = max(cmin, amin)
    best = None
    for off in mids[np.argsort(np.abs(mids))]:
        neg = sd <= off
        pos_side = (sd + tn > off) & (np.abs(sd + tn - off) < lim + 4.0)
        neg &= np.abs(sd - off) < lim + 4.0
        P = np.concatenate([pd[neg], pd[pos_side] + tA])
        C = np.concatenate([cd[neg], cd[pos_side]])
        side = np.concatenate([np.zeros(neg.sum(), bool), np.ones(pos_side.sum(), bool)])
        pairs = cKDTree(P).query_pairs(lim, output_type="ndarray")
        if len(pairs):
            d = np.linalg.norm(P[pairs[:, 0]] - P[pairs[:, 1]], axis=1)
            cross = side[pairs[:, 0]] != side[pairs[:, 1]]
            bad = cross & ((d < amin) | ((d < cmin) & C[pairs[:, 0]] & C[pairs[:, 1]]))
            k = int(bad.sum())
        else:
            k = 0
        if best is None or k < best[0]:
            best = (k, float(off))
    return best[1]


def insert_apb(atoms, plane=(1, 1, 0), *, point=None, shift=None, zone_nm=0.5, cation_min_A=2.5,
               min_distance_A=1.7, seed=0):
    """Insert an antiphase boundary: the crystal on the positive side of a plane is translated by a
    ¼a⟨110⟩ vector inside the fixed particle shape.

    Parameters
    ----------
    atoms : labelled particle (pbc False) from :func:`build_particle` (any earlier defects allowed).
    plane : 3 integers (h, k, l), not (0, 0, 0)
        Boundary plane normal in the cubic crystal axes ({110} default; {100}, {111} available).
    point : 3 floats, Å, optional
        A point of the requested plane (default: the particle centre); the plane is then moved by
        < 2.5 Å along its normal into a gap between atomic layers (see Notes).
    shift : 3 floats in units of a, optional
        ¼⟨110⟩ translation; default the one most nearly along the normal (a/4[110] ⊥ (110)).
    zone_nm : float ≥ 0, nm
        Atoms with |distance to the plane| ≤ zone_nm get ``apb_zone`` True and region "apb".
    cation_min_A, min_distance_A : float, Å
        After the shift, cation pairs closer than cation_min_A (ideal minimum 2.97 Å) and any pair
        closer than min_distance_A are resolved by deleting the shifted-side atom (cation first).
    seed : int ≥ 0 (recorded; the operation is deterministic).

    Notes
    -----
    **Plane position.** The requested plane (through ``point``) is moved along the normal by less
    than 2.5 Å to the middle of a gap between atomic layers of the pooled unshifted + shifted
    crystal, taking the termination with the fewest overlaps, ties the nearest (record:
    ``point_A`` used, ``point_requested_A``). Sides are assigned on ideal (x = 1/4) positions, so a
    layer is never split: with x = 0.2548 the (110) O layer through the centre consists of halves
    at ±0.057 Å, and a cut through it used to duplicate one half and empty the other (10 nm sphere:
    −316 O, +632 e).
    **O sublattice.** The ideal O sublattice is invariant under any ¼⟨110⟩ translation, so the O
    sites of the positive side stay occupied (same atoms and labels) and only take the shifted
    crystal's x-displacement: the O count never changes. Cations of the shifted crystal are
    (lattice + t) ∩ shape on the positive side; sites whose source lies outside the shape are
    filled from lattice − t (2t is a lattice translation), so the surface stays intact.
    **Measured (Fe3O4 spheres, default plane and shift)**: (110) a/4[110]: no atom removed; 8 nm:
    A, B, O counts and charge unchanged, 380 new 180° links / 50.3 nm² = 7.56 nm⁻²; 10 nm: 608
    links, 7.74 nm⁻², −4 B at the surface (the shifted lattice cuts the sphere differently).
    The periodic bicrystal gives exactly 8 links per √2·a² = 8.0 nm⁻² for a/4[110] and a/4[1-10]
    (reference sheet: ≈ 7.4 nm⁻²). In-plane a/4[1-10] on (110) is not conservative here: both
    terminations put A and B in face-sharing sites (≈ 4 nm⁻²); one removes B and creates no 180°
    link, the other (``point`` ≈ 1.5 Å further along n) removes A and gives 7.8 links nm⁻².
    (001) a/4[101]: every termination puts A and B in
    face-sharing sites (A–B 1.82 Å), ≈ 2 per a² of boundary (8 nm: 140 B removed, 2.8 nm⁻²
    180° links); the in-plane a/4[110] on (001) instead gives A–A at a/4 = 2.10 Å (146 A removed
    at cation_min_A = 2.5). In this rigid-O model no {100} ¼⟨110⟩ boundary is conservative.
    (111) a/4[110]: t·n = a/(2√3) is one O-layer spacing, so the O layers continue but the
    kagome / mixed cation layers on the positive side are out of phase. With the default
    termination two mixed layers face each other: nothing overlaps, B-deficient (8 nm: −166 B =
    3.3 nm⁻², charge −332 e) and 0 links of 180° — geometrically correct for this shift. The
    other termination (``point`` ≈ 1.2 Å lower) faces two kagome layers: +166 B, −168 A, 928
    links (18.5 nm⁻²). Charge removed with overlapping cations is recorded, not compensated.
    Labels (valence, dopants, vacancies) travel with the shifted cations. For the vacancy-ordered
    maghemite cell 2t is not a lattice translation, so the vacancy order of the ≤ |t| thick
    refilled surface layer on the shifted side is not exact.
    """
    _require(atoms)
    if any(atoms.pbc):
        raise ValueError("atoms: insert_apb needs a finite particle (pbc False), not a periodic cell")
    if atoms.info.get("phase") == "FeO":
        raise ValueError("atoms: insert_apb needs a spinel particle (Fe3O4, gamma-Fe2O3, or a spinel "
                         "shell around an FeO core); a ¼⟨110⟩ shift is no antiphase vector of rock salt")
    n = check_vector("plane", plane, integer=True)
    n = n / np.linalg.norm(n)
    t = _check_shift(shift) if shift is not None else _default_shift(n)
    zone = check_real("zone_nm", zone_nm, 0.0, None)
    cmin = check_real("cation_min_A", cation_min_A, 0.0, 3.0)
    amin = check_real("min_distance_A", min_distance_A, 0.0, 2.0)
    seed = check_seed(seed)
    shape = get_shape(atoms)
    if point is None:
        p0 = np.asarray(shape["center_A"], float) if shape else atoms.positions.mean(axis=0)
    else:
        p0 = check_vector("point", point, allow_zero=True)
    a = float(atoms.info.get("lattice_a_A", data.MAGNETITE_A))
    tA = t * a
    inside = _inside_fn(atoms)
    pos = atoms.positions
    p_req = p0
    ideal = _ideal_positions(atoms)  # x = 1/4 sites: side and inside tests never split a layer
    p0 = p0 + _snap_offset_A(ideal, atoms.numbers != 8, p0, n, tA, cmin, amin) * n
    reach = data.CATION_CUTOFF + float(np.linalg.norm(tA)) + 0.5  # Å: where neighbourhoods can change
    links_before = count_bob_links(atoms, mask=np.abs((pos - p0) @ n) < reach)

    eps = 1e-6  # Å: atoms on the plane stay unshifted
    is_o = atoms.numbers == 8
    neg = (ideal - p0) @ n <= eps
    # cations of the shifted crystal: (lattice + t) ∩ shape on the positive side (ideal = actual)
    q1 = ideal + tA
    prim = ((q1 - p0) @ n > eps) & inside(q1) & ~is_o
    q2 = ideal - tA
    fill = ((q2 - p0) @ n > eps) & inside(q2) & ~inside(ideal - 2 * tA) & ~is_o
    # O: the x = 1/4 O sublattice is invariant under t, so the positive-side O sites stay occupied
    # (same atoms, same labels); they only take the shifted crystal's displacement u(site − t)
    opos = ~neg & is_o
    new_o = ideal[opos] + _o_displacement(atoms, ideal, ideal[opos] - tA, pos[opos], ideal[opos])
    src = np.concatenate([np.flatnonzero(neg), np.flatnonzero(prim), np.flatnonzero(fill),
                          np.flatnonzero(opos)])
    new_pos = np.concatenate([pos[neg], pos[prim] + tA, pos[fill] - tA, new_o])
    moved = np.concatenate([np.zeros(neg.sum(), bool), np.ones(prim.sum() + fill.sum() + opos.sum(), bool)])
    out = atoms[src]
    out.positions = new_pos
    is_cat = out.numbers != 8
    # overlaps can only arise between the two sides, i.e. next to the plane
    slab = np.flatnonzero(np.abs((new_pos - p0) @ n) < max(cmin, amin) + 1e-3)
    rem = slab[_close_pairs_removal(new_pos[slab], is_cat[slab], moved[slab], cmin, amin)]
    keep = np.ones(len(out), bool)
    keep[rem] = False
    removed_charge = float(np.sum(out.arrays["valence"][rem]))
    n_rem_cat = int(np.sum(is_cat[rem]))
    out = out[keep]
    # neighbourhoods changed only near the plane and, on the shifted side, near the surface
    near_plane = np.abs((out.positions - p0) @ n) < reach
    if shape is not None:
        near_surf = depth_A(shape, out.positions) < reach
    else:
        near_surf = np.ones(len(out), bool)
    # positive-side O stay on their sites but see the shifted crystal's cations (and vacancies)
    moved_o = np.concatenate([np.zeros(len(src) - opos.sum(), bool), np.ones(opos.sum(), bool)])[keep]
    changed = near_plane | near_surf | moved_o
    dist = np.abs((out.positions - p0) @ n)
    z = dist <= 10.0 * zone
    az = out.arrays["apb_zone"].copy()
    az[z] = True
    set_array(out, "apb_zone", az)
    reg = out.arrays["region"].copy()
    reg[z] = "apb"
    set_array(out, "region", reg)
    links_after = count_bob_links(out, mask=np.abs((out.positions - p0) @ n) < reach)
    area = _plane_area_nm2(out, n, p0)
    created = links_after - links_before
    add_defect_record(out, dict(type="apb", plane=[int(v) for v in check_vector("plane", plane)],
                                point_A=[float(v) for v in p0],
                                point_requested_A=[float(v) for v in p_req], shift_a=[float(v) for v in t],
                                zone_nm=zone, cation_min_A=cmin, min_distance_A=amin,
                                n_removed=int(len(rem)), n_removed_cations=n_rem_cat,
                                charge_removed_e=removed_charge, links_180_created=int(created),
                                area_nm2=area, link_density_per_nm2=created / area if area else 0.0,
                                n_atoms_before=len(atoms), n_atoms_after=len(out), seed=seed))
    return relabel(out, coordination=changed)


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
    _require(atoms)
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
    for k in extra:  # unknown user arrays: neutral values
        arr = out.arrays[k]
        set_array(r, k, np.zeros((n,) + arr.shape[1:], arr.dtype))
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
        left = _oxidise(out, q_shell, pool, rng)
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
    _require(atoms)
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
    left = _oxidise(out, lost, pool, rng) if lost > 0 else 0.0
    add_defect_record(out, dict(type="substitution", element=element, fraction=x, n_A=int(counts["A"]),
                                n_B=int(counts["B"]), inversion=inv, charge_to_compensate_e=lost,
                                charge_uncompensated_e=left, seed=seed))
    return relabel(out, coordination=False)  # same sites, same geometry


# -------------------------------------------------------------------------------------- surface
def label_surface(atoms, thickness_nm=None, *, min_missing=None):
    """Label a surface shell: ``surface`` True and region "shell" (where the region was "core"/"bulk").

    Parameters
    ----------
    thickness_nm : float > 0, nm, optional
        Atoms with depth_nm < thickness_nm.
    min_missing : int ≥ 1, optional
        Or by coordination: cations missing at least this many O neighbours (O atoms: missing at
        least this many cation neighbours), counted only within one neighbour cutoff of the
        surface (depth < data.BOND_CUTOFF = 2.6 Å for both: the O-neighbour shell of a cation
        and the cation shell of an O), where a missing neighbour can be a site outside the
        particle. Deeper atoms only miss neighbours to vacancies or defects and are not surface
        (before this rule, 796 of 1878 O deeper than 1 nm of a 6 nm γ-Fe2O3 sphere were labelled
        surface because of their B vacancies). Exactly one of the two must be given.
    """
    _require(atoms, ("sublattice", "region", "depth_nm", "missing_O", "missing_cation"))
    if (thickness_nm is None) == (min_missing is None):
        raise ValueError("thickness_nm: give exactly one of thickness_nm (nm, > 0) or min_missing (int ≥ 1)")
    out = atoms.copy()
    if thickness_nm is not None:
        th = check_real("thickness_nm", thickness_nm, 0.0, None, lo_open=True)
        surf = out.arrays["depth_nm"] < th
        rec = dict(type="surface", thickness_nm=th)
    else:
        if isinstance(min_missing, bool) or not isinstance(min_missing, (int, np.integer)) or min_missing < 1:
            raise ValueError(f"min_missing: {min_missing!r} must be an integer ≥ 1")
        is_o = out.arrays["sublattice"] == "O"
        surf = np.where(is_o, out.arrays["missing_cation"], out.arrays["missing_O"]) >= min_missing
        surf &= out.arrays["depth_nm"] < data.BOND_CUTOFF / 10.0
        rec = dict(type="surface", min_missing=int(min_missing))
    s = out.arrays["surface"] | surf
    set_array(out, "surface", s)
    reg = out.arrays["region"].copy()
    reg[surf & np.isin(reg, ["core", "bulk"])] = "shell"
    set_array(out, "region", reg)
    rec["n_surface"] = int(np.sum(s))
    add_defect_record(out, rec)
    return relabel(out, coordination=False)
