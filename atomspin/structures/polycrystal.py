"""Polycrystalline particles: tilt/twist bicrystals and multi-core "nanoflowers".

Both fill regions of space with grains of the same phase in different orientations
(:func:`atomspin.structures.grains.fill_grain`), resolve the atoms that come too close across a
boundary by deleting one of each pair, label every atom with its ``grain`` and the boundary zones
with ``defect_zone`` (region "boundary"), and record each boundary as a plane-defect record (kind
"grain_boundary") with its misorientation, the atoms and charge removed and the O coordination of
the cations at it.

Nanoflowers are dense aggregates of a few to tens of iron-oxide crystallites, joined by sintered
interfaces with a narrow misorientation distribution (oriented attachment), whose moments are
strongly coupled ("superferromagnetically": Bender et al., Appl. Phys. Lett. 115, 132406 (2019),
arXiv:1907.02752 [C, abstract]); they are among the best magnetic-hyperthermia heaters (Lartigue et
al., ACS Nano 6, 10935 (2012) [C, abstract: multi-core particles of maghemite cores (polyol synthesis) whose
cooperative organisation raises the thermal losses and MRI relaxivities; title and year confirmed, volume/page as
cited]; Bender et al.,
"Relating magnetic properties and high hyperthermia performance of iron oxide nanoflowers", J. Phys. Chem. C,
doi:10.1021/acs.jpcc.7b11255 (2018) [C, title/authors]; Hemery et al., "Monocore vs. multicore magnetic iron
oxide nanoparticles: uptake by glioblastoma cells and efficiency for magnetic hyperthermia", Mol. Syst. Des.
Eng. 2, 629 (2017) [C, abstract: polyol multicore "nanoflowers" heat better than monocore particles]). Lak et
al., Adv. Sci. 8, 2002682 (2021) review how structural defects set the heating: spin disorder on the nanoscale
(surface to core) and on the atomic scale (site defects) critically changes the magnetic-hyperthermia performance
[C, journal/volume/article number and its Fig. 1 read in a full-text copy; the sections on planar defects and
multi-core particles were not read].
"""
from __future__ import annotations

import json

import numpy as np
from scipy.spatial import cKDTree

from atomspin.structures import data
from atomspin.structures.bulk import B_VALENCE_RULES, VACANCY_ORDERS, _base_info
from atomspin.structures.grains import (fill_grain, misorientation, random_rotation, rotation_about,
                                        set_grain_records)
from atomspin.structures.labels import add_defect_record, relabel, set_array, update_counts
from atomspin.structures.planes import (boundary_coordination, finish_plane_defect, plane_area_nm2,
                                        site_family_by_coordination)
from atomspin.structures.shapes import SHAPES, bounding_radius_A, inside_mask
from atomspin.validation import check_choice, check_int, check_real, check_seed, check_vector

#: core counts build_multicore accepts (nanoflowers: a few to tens of cores)
N_CORES_RANGE = (3, 30)
BOUNDARY_TYPES = ("tilt", "twist")


# ----------------------------------------------------------------------------------- helpers
def _b_site_frac(phase, vacancies):
    """Fractional position (in the template cell) of a B (spinel) or R (rock salt) site."""
    from atomspin.structures.bulk import template_cell
    cell, _ = template_cell(phase, vacancies)
    sub = cell.arrays["sublattice"]
    k = np.flatnonzero(np.isin(sub, ["B", "R"]))[0]
    return cell.positions[k].copy()


def _check_common(phase, b_valence, vacancies, zone_nm, cation_min_A, min_distance_A, oxygen_min_A, vacuum_nm, seed):
    """The arguments both polycrystal builders share, validated (one ValueError naming the argument)."""
    check_choice("b_valence", b_valence, B_VALENCE_RULES)
    check_choice("vacancies", vacancies, VACANCY_ORDERS)
    if phase == "gamma-Fe2O3" and vacancies == "ordered":
        raise ValueError("vacancies: polycrystals use the cubic cell; 'ordered' (tetragonal) is not supported here")
    return (check_real("zone_nm", zone_nm, 0.0, None), check_real("cation_min_A", cation_min_A, 0.0, 3.0),
            check_real("min_distance_A", min_distance_A, 0.0, 2.0), check_real("oxygen_min_A", oxygen_min_A, 0.0, 2.8),
            check_real("vacuum_nm", vacuum_nm, 0.0, 100.0), check_seed(seed))


def resolve_overlaps(positions, is_cat, margin, cation_min_A, min_distance_A, oxygen_min_A, grain):
    """(indices to delete, the atom each was too close to) so that across grains no cation pair is
    closer than cation_min_A, no O pair closer than oxygen_min_A and no pair closer than
    min_distance_A (Å); pairs within one grain are left alone (they are lattice pairs). Per offending
    pair (shortest first) a cation goes before an O, else the atom nearer to its grain's boundary
    (larger ``margin``: less inside its own grain)."""
    r = max(cation_min_A, min_distance_A, oxygen_min_A)
    pairs = cKDTree(positions).query_pairs(r, output_type="ndarray")
    if len(pairs) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    i, j = pairs[:, 0], pairs[:, 1]
    cross = grain[i] != grain[j]
    i, j = i[cross], j[cross]
    d = np.linalg.norm(positions[i] - positions[j], axis=1)
    ci, cj = is_cat[i], is_cat[j]
    bad = (d < min_distance_A) | ((d < cation_min_A) & ci & cj) | ((d < oxygen_min_A) & ~ci & ~cj)
    i, j, d = i[bad], j[bad], d[bad]
    removed = np.zeros(len(positions), bool)
    partner = np.full(len(positions), -1)
    for a, b in zip(i[np.argsort(d)], j[np.argsort(d)]):
        if removed[a] or removed[b]:
            continue
        ka = (is_cat[a], margin[a], a)
        kb = (is_cat[b], margin[b], b)
        gone, kept = (a, b) if ka > kb else (b, a)
        removed[gone] = True
        partner[gone] = kept
    rem = np.flatnonzero(removed)
    return rem, partner[rem]


def _assemble(parts):
    """Concatenate the grains' Atoms (same label arrays) into one."""
    out = parts[0][0].copy()
    for at, _ in parts[1:]:
        out += at
    return out


def _finish_polycrystal(atoms, grain, margin, *, cmin, amin, omin, info, recipe, seed, grains):
    """Overlap removal across grains, then every label (grain, missing_*, depth, counts). Returns
    (atoms, removed atoms {n, grain, valence, is_cat, positions}, charge before the removal)."""
    set_array(atoms, "grain", grain)
    rem, partner = resolve_overlaps(atoms.positions, atoms.numbers != 8, margin, cmin, amin, omin, grain)
    keep = np.ones(len(atoms), bool)
    keep[rem] = False
    removed = dict(n=int(len(rem)), grain=grain[rem], valence=atoms.arrays["valence"][rem],
                   is_cat=atoms.numbers[rem] != 8, positions=atoms.positions[rem], partner_grain=grain[partner])
    q_before = float(np.sum(atoms.arrays["valence"]))
    atoms = atoms[keep]
    _base_info(atoms, info["phase"], info["lattice_a_A"], recipe, seed)
    atoms.info.update(info)
    set_grain_records(atoms, grains)
    return relabel(atoms), removed, q_before


def _record_boundaries(atoms, pinfo, removed, here_masks, zone, dist):
    """One grain-boundary record per entry of ``pinfo`` (grains, normal, point_A, bounded, …): the
    atoms and charge removed at it (``here_masks``: per boundary, a mask over the removed atoms),
    the O coordination of the cations within 3 Å of it, and its zone labels (``dist(k, idx)``: the
    distance (Å) of atoms ``idx`` from boundary k)."""
    from atomspin.structures.labels import ideal_counts
    idx = np.arange(len(atoms))
    n_o = ideal_counts(atoms)[1] - atoms.arrays["missing_O"]
    for k, pi in enumerate(pinfo):
        d = dist(k, idx)
        here = here_masks[k]
        rec = dict(type="grain_boundary", kind="grain_boundary", **pi, zone_nm=zone,
                   n_removed=int(np.sum(here)), n_removed_cations=int(np.sum(here & removed["is_cat"])),
                   charge_removed_e=float(np.sum(removed["valence"][here])),
                   boundary_coordination=boundary_coordination(atoms, (d < 3.0) & (atoms.numbers != 8), n_o))
        finish_plane_defect(atoms, rec, d)


# ----------------------------------------------------------------------------------- bicrystal
def build_bicrystal(phase="Fe3O4", boundary="tilt", angle_deg=10.0, *, axis=(0, 0, 1), plane=None,
                    shape="sphere", diameter_nm=6.0, b_valence="verwey", vacancies="random", zone_nm=0.5,
                    cation_min_A=2.5, min_distance_A=1.7, oxygen_min_A=2.2, vacuum_nm=1.0, seed=0):
    """A particle made of two crystals joined by a symmetric tilt or a twist grain boundary through
    its centre.

    Parameters
    ----------
    phase : {'Fe3O4', 'gamma-Fe2O3', 'FeO'}
    boundary : {'tilt', 'twist'}
        Tilt: the rotation axis lies in the boundary plane; twist: the axis is the plane normal.
    angle_deg : float in (0, 180], degrees: misorientation of the two crystals about ``axis``; grain 0
        (negative side) is rotated by −angle/2, grain 1 by +angle/2 (symmetric boundary).
    axis : 3 floats, the rotation axis in the laboratory (= average crystal) frame, e.g. (0, 0, 1).
    plane : 3 floats, optional: the boundary-plane normal; default the axis (twist) or axis × [100]
        (or axis × [010] when the axis is along [100]) for tilt. Must be ∥ axis for twist and ⊥ axis
        for tilt (ValueError naming ``plane``).
    shape, diameter_nm : as :func:`build_particle` (sphere, cube, octahedron, truncated_octahedron).
    b_valence, vacancies : as :func:`build_particle`.
    zone_nm : float ≥ 0: atoms within it of the plane get ``defect_zone`` and region "boundary".
    cation_min_A, min_distance_A, oxygen_min_A : float, Å
        Across the boundary, cation pairs closer than cation_min_A (bulk ≥ 2.97 Å), O pairs closer than
        oxygen_min_A (bulk ≥ 2.85 Å) and any pair closer than min_distance_A are resolved by deleting
        one atom (a cation before an O, else the one nearer to the plane on its side).
    vacuum_nm, seed : as :func:`build_particle`.

    Returns
    -------
    ase.Atoms with ``grain`` 0/1, ``info["grains"]``, and a plane-defect record (kind "grain_boundary",
    ``boundary_type``, ``misorientation_deg`` (the disorientation over the cubic symmetry) and
    ``axis``, ``removed`` atoms and charge, cation O coordination at the boundary, ``area_nm2``).
    """
    phase = data.canonical_phase(phase)
    check_choice("boundary", boundary, BOUNDARY_TYPES)
    ang = check_real("angle_deg", angle_deg, 0.0, 180.0, lo_open=True)
    ax = check_vector("axis", axis)
    ax = ax / np.linalg.norm(ax)
    if plane is None:
        if boundary == "twist":
            n = ax.copy()
        else:
            ref = np.array([1.0, 0, 0]) if abs(ax[0]) < 0.9 else np.array([0, 1.0, 0])
            n = np.cross(ax, ref)
            n /= np.linalg.norm(n)
    else:
        n = check_vector("plane", plane)
        n = n / np.linalg.norm(n)
        if boundary == "twist" and abs(abs(n @ ax) - 1.0) > 1e-6:
            raise ValueError(f"plane: {tuple(plane)} must be parallel to the axis {tuple(axis)} for a twist boundary")
        if boundary == "tilt" and abs(n @ ax) > 1e-6:
            raise ValueError(f"plane: {tuple(plane)} must be perpendicular to the axis {tuple(axis)} for a tilt boundary")
    check_choice("shape", shape, [s for s in SHAPES if s != "ellipsoid"])
    from atomspin.structures.particle import MAX_SIZE_NM, _shape_dict
    dnm = check_real("diameter_nm", diameter_nm, 0.0, MAX_SIZE_NM, lo_open=True)
    zone, cmin, amin, omin, vac, seed = _check_common(phase, b_valence, vacancies, zone_nm, cation_min_A,
                                                      min_distance_A, oxygen_min_A, vacuum_nm, seed)
    rng = np.random.default_rng(seed)
    sh = _shape_dict(shape, dnm, 1.0, 2.0 / 3.0, None)
    rb = bounding_radius_A(dict(sh, center_A=[0, 0, 0]))
    cen = np.full(3, rb + 10.0 * vac)
    sh["center_A"] = cen.tolist()
    xb = _b_site_frac(phase, vacancies)
    Rs = [rotation_about(ax, -ang / 2), rotation_about(ax, ang / 2)]
    parts, grains = [], []
    for g, (R, sign) in enumerate(zip(Rs, (-1.0, 1.0))):
        origin = cen - R @ xb  # a B (R) site of each grain at the particle centre
        region = (lambda x, sign=sign: inside_mask(sh, x) & (sign * ((x - cen) @ n) > (1e-6 if sign > 0 else -1e-6)))
        at, _ = fill_grain(phase, R, origin, region, cen, rb + 2.0, b_valence=b_valence,
                               vacancies=vacancies, rng=rng)
        parts.append((at, None))
        grains.append(dict(id=g, rotation=R.tolist(), origin_A=origin.tolist(), center_A=cen.tolist()))
    atoms = _assemble(parts)
    grain = np.concatenate([np.full(len(p[0]), g) for g, p in enumerate(parts)])
    margin = -np.abs((atoms.positions - cen) @ n)
    a = data.lattice(phase).a_A
    info = dict(phase=phase, lattice_a_A=float(a), shape=json.dumps(sh), shape_kind=shape, size_nm=dnm,
                cell_lengths_A=json.dumps([float(a)] * 3), lattice_origin_A=json.dumps(grains[0]["origin_A"]))
    recipe = dict(builder="build_bicrystal", phase=phase, boundary=boundary, angle_deg=ang,
                  axis=[float(v) for v in ax], plane=[float(v) for v in n], shape=shape, diameter_nm=dnm,
                  b_valence=b_valence, vacancies=vacancies, zone_nm=zone, cation_min_A=cmin,
                  min_distance_A=amin, oxygen_min_A=omin, vacuum_nm=vac, seed=seed)
    atoms, removed, q_before = _finish_polycrystal(atoms, grain, margin, cmin=cmin, amin=amin, omin=omin,
                                                   info=info, recipe=recipe, seed=seed, grains=grains)
    n_rel = site_family_by_coordination(atoms, np.abs((atoms.positions - cen) @ n) < 3.0)
    dis, dax = misorientation(Rs[0], Rs[1])
    pi = dict(grains=[0, 1], normal=n.tolist(), point_A=cen.tolist(), bounded=False, boundary_type=boundary,
              rotation_axis=[float(v) for v in ax], rotation_angle_deg=ang, misorientation_deg=dis,
              misorientation_axis=dax.tolist(), area_nm2=plane_area_nm2(atoms, n, cen),
              n_relabelled_site_family=n_rel, charge_before_e=q_before)
    _record_boundaries(atoms, [pi], removed, [np.ones(removed["n"], bool)], zone,
                       lambda k, idx: np.abs((atoms.positions[idx] - cen) @ n))
    update_counts(atoms)
    return atoms


# ----------------------------------------------------------------------------------- multicore
def _pack_cores(radii, overlap, rng, trials=32):
    """Centres (Å) of cores aggregated one by one onto the growing cluster: a new core comes in from a
    random direction towards the cluster's centre of mass (volume-weighted) and stops at its first
    contact, where its centre distance to a core j is (r_j + r_new)(1 − overlap) (no deeper overlap
    with any core); of ``trials`` random directions the one that ends nearest to the centre of mass
    is taken (a compact, roughly spherical aggregate). Deterministic for a given rng."""
    c = [np.zeros(3)]
    for k in range(1, len(radii)):
        C = np.array(c)
        w = np.array(radii[:k]) ** 3
        com = (w[:, None] * C).sum(axis=0) / w.sum()
        D = (np.array(radii[:k]) + radii[k]) * (1.0 - overlap)
        u = rng.normal(size=(trials, 3))
        u /= np.linalg.norm(u, axis=1)[:, None]
        b = u @ (C - com).T  # (trials, k)
        disc = b ** 2 - np.sum((C - com) ** 2, axis=1)[None] + D[None] ** 2
        t = np.where(disc >= 0, b + np.sqrt(np.maximum(disc, 0)), -np.inf).max(axis=1)
        best = int(np.argmin(t))
        c.append(com + t[best] * u[best])
    return np.array(c)


def _misorientations(n, spread, rng):
    """Rotations of n cores: None → uniformly random (Haar); a spread σ (degrees) → each core rotated
    from the reference orientation about a random axis by |N(0, σ)| (oriented attachment); core 0 is
    the reference (identity) in both cases."""
    Rs = [np.eye(3)]
    for _ in range(1, n):
        if spread is None:
            Rs.append(random_rotation(rng))
        else:
            axis = rng.normal(size=3)
            Rs.append(rotation_about(axis, abs(rng.normal(0.0, spread)) if spread > 0 else 0.0))
    return Rs


def build_multicore(phase="Fe3O4", n_cores=7, core_diameter_nm=8.0, *, size_dispersion=0.1, overlap=0.2,
                    misorientation_deg=5.0, centers_nm=None, b_valence="verwey", vacancies="random",
                    zone_nm=0.5, cation_min_A=2.5, min_distance_A=1.7, oxygen_min_A=2.2, vacuum_nm=1.0, seed=0):
    """A multi-core particle ("nanoflower"): n spherical crystallites of one phase, aggregated into a
    compact cluster, interpenetrating where they touch; each overlap is resolved into a grain boundary.

    Parameters
    ----------
    phase : {'Fe3O4', 'gamma-Fe2O3', 'FeO'}
    n_cores : int in [3, 30]
    core_diameter_nm : float in (0, 30], nm: median core diameter.
    size_dispersion : float in [0, 1]: σ of the log-normal core-diameter distribution
        (d = core_diameter_nm · exp(σ z), z standard normal; 0 = equal cores).
    overlap : float in [0, 0.5]: fractional interpenetration of touching cores — a new core stops
        where its centre distance to a core it touches is (r_i + r_j)(1 − overlap) (sintered necks).
    misorientation_deg : float ≥ 0 or None
        Orientation of each core relative to core 0: a rotation about a random axis by |N(0, σ)| with
        σ = misorientation_deg (small σ: oriented attachment; 0: all cores aligned, one continuous
        crystal); None: uniformly random orientations.
    centers_nm : (n, 3) floats, nm, optional: explicit core centres (then n_cores = len(centers_nm) and
        the aggregation step is skipped). Cores that cannot be resolved into grain boundaries (a
        core whose own centre lies in another core's grain, i.e. swallowed) give a ValueError naming
        ``centers_nm``.
    b_valence, vacancies : as :func:`build_particle` (γ-Fe2O3: random vacancies only).
    zone_nm, cation_min_A, min_distance_A, oxygen_min_A : as :func:`build_bicrystal`.
    vacuum_nm : float ≥ 0.
    seed : int ≥ 0: sizes, positions, orientations, valences — all reproducible.

    Returns
    -------
    ase.Atoms (pbc False) with per-atom ``grain`` (core index), boundary zones (``defect_zone``, region
    "boundary"), ``info["grains"]`` (rotation, origin, centre, radius per core), ``info["shape"]`` of
    kind "spheres" (union of the cores; ``depth_nm`` is the distance to its exposed surface) and one
    plane-defect record per pair of touching cores (kind "grain_boundary", ``bounded`` True, the
    radical plane as ``normal``/``point_A``, ``misorientation_deg``/``misorientation_axis``
    (disorientation over the cubic symmetry), the contact-disc ``area_nm2``, atoms and charge removed,
    O coordination of the cations at it).

    Notes
    -----
    Grain regions are the power (Laguerre) cells of the balls: a point belongs to the core k that
    minimises |x − c_k|² − r_k² among the balls holding it, so every boundary between two cores is a
    patch of their radical plane. Lattice sites are those of each core's rotated lattice (a B or R
    site at the centre of core 0, every core's lattice the reference lattice rotated about its own
    centre, so that ``misorientation_deg=0`` gives one continuous crystal — the oriented-attachment
    limit, no atom removed). A ~300k-Fe flower takes ≈ 15 s (benchmarks/bench_structures.py).
    """
    phase = data.canonical_phase(phase)
    if centers_nm is None:
        nc = check_int("n_cores", n_cores, *N_CORES_RANGE)
    else:
        cn = np.asarray(centers_nm, dtype=float)
        if cn.ndim != 2 or cn.shape[1] != 3 or not np.all(np.isfinite(cn)):
            raise ValueError(f"centers_nm: expected a finite (n, 3) array of core centres in nm, got shape {cn.shape}")
        nc = check_int("n_cores", len(cn), *N_CORES_RANGE)
    d0 = check_real("core_diameter_nm", core_diameter_nm, 0.0, 30.0, lo_open=True)
    sig = check_real("size_dispersion", size_dispersion, 0.0, 1.0)
    ov = check_real("overlap", overlap, 0.0, 0.5)
    spread = None if misorientation_deg is None else check_real("misorientation_deg", misorientation_deg, 0.0, 180.0)
    zone, cmin, amin, omin, vac, seed = _check_common(phase, b_valence, vacancies, zone_nm, cation_min_A,
                                                      min_distance_A, oxygen_min_A, vacuum_nm, seed)
    rng = np.random.default_rng(seed)
    radii = 5.0 * d0 * np.exp(sig * rng.normal(size=nc)) if sig > 0 else np.full(nc, 5.0 * d0)
    if np.any(radii > 150.0):
        raise ValueError(f"size_dispersion: {sig:g} draws a core of {2 * radii.max() / 10:.1f} nm (> 30 nm); lower it")
    if centers_nm is None:
        C = _pack_cores(radii, ov, rng)
    else:
        C = cn * 10.0
    Rs = _misorientations(nc, spread, rng)
    # power cells must each hold their own core centre, else a core is swallowed by another
    P = np.sum((C[:, None, :] - C[None]) ** 2, axis=2) - radii[None, :] ** 2
    owner = np.argmin(P, axis=1)
    bad = np.flatnonzero(owner != np.arange(nc))
    if len(bad):
        k = int(bad[0])
        raise ValueError(f"centers_nm: core {k} (centre {np.round(C[k] / 10, 3).tolist()} nm) lies inside core "
                         f"{int(owner[k])}'s grain; such overlapping cores cannot be resolved into a grain boundary")
    dists = np.linalg.norm(C[:, None] - C[None], axis=2) + np.eye(nc) * 1e9
    if centers_nm is not None and np.any(dists.min(axis=1) > (radii + radii.max()) + 1e-6):
        k = int(np.argmax(dists.min(axis=1) - radii - radii.max()))
        raise ValueError(f"centers_nm: core {k} touches no other core; the cores must form one aggregate")
    lo = (C - radii[:, None]).min(axis=0) - 10.0 * vac
    C = C - lo
    com = (C * radii[:, None] ** 3).sum(axis=0) / (radii ** 3).sum()
    spheres = np.column_stack([C, radii])
    sh = dict(kind="spheres", center_A=com.tolist(), spheres_A=spheres.tolist())
    xb = _b_site_frac(phase, vacancies)
    parts, grains = [], []
    touching = np.linalg.norm(C[:, None] - C[None], axis=2) < (radii[:, None] + radii[None])
    origin0 = C[0] - xb  # the reference lattice: a B (R) site at the centre of core 0
    for k in range(nc):
        R = Rs[k]
        # core k: the reference lattice rotated about the core's centre, so that aligned cores
        # (misorientation 0) continue one crystal and small rotations give small-angle boundaries
        origin = C[k] + R @ (origin0 - C[k])
        nb = np.flatnonzero(touching[k] & (np.arange(nc) != k))

        def region(x, k=k, nb=nb):  # power cell of core k inside its ball
            pk = np.sum((x - C[k]) ** 2, axis=1) - radii[k] ** 2
            ok = pk <= 1e-6
            for j in nb:
                ok &= pk <= np.sum((x - C[j]) ** 2, axis=1) - radii[j] ** 2 - (1e-9 if j < k else -1e-9)
            return ok

        at, _ = fill_grain(phase, R, origin, region, C[k], radii[k] + 2.0, b_valence=b_valence,
                               vacancies=vacancies, rng=rng)
        parts.append((at, None))
        grains.append(dict(id=k, rotation=R.tolist(), origin_A=origin.tolist(), center_A=C[k].tolist(),
                           radius_A=float(radii[k])))
    atoms = _assemble(parts)
    grain = np.concatenate([np.full(len(p[0]), k) for k, p in enumerate(parts)])
    # margin: how far inside its own grain an atom is (power-distance gap to the next core, Å)
    margin, near_k, gap = _boundary_gap(atoms.positions, grain, C, radii)
    a = data.lattice(phase).a_A
    envelope = 2.0 * bounding_radius_A(sh) / 10.0
    info = dict(phase=phase, lattice_a_A=float(a), shape=json.dumps(sh), shape_kind="multicore", size_nm=envelope,
                cell_lengths_A=json.dumps([float(a)] * 3), lattice_origin_A=json.dumps(grains[0]["origin_A"]))
    recipe = dict(builder="build_multicore", phase=phase, n_cores=nc, core_diameter_nm=d0, size_dispersion=sig,
                  overlap=ov, misorientation_deg=spread,
                  centers_nm=None if centers_nm is None else np.asarray(centers_nm, float).tolist(),
                  b_valence=b_valence, vacancies=vacancies, zone_nm=zone, cation_min_A=cmin, min_distance_A=amin,
                  oxygen_min_A=omin, vacuum_nm=vac, seed=seed)
    atoms, removed, q_before = _finish_polycrystal(atoms, grain, -gap, cmin=cmin, amin=amin, omin=omin,
                                                   info=info, recipe=recipe, seed=seed, grains=grains)
    margin, near_k, gap = _boundary_gap(atoms.positions, atoms.arrays["grain"], C, radii)
    n_rel = site_family_by_coordination(atoms, gap < 3.0)
    # one record per pair of cores in contact (atoms of both within 3 Å of their radical plane)
    g = atoms.arrays["grain"]
    pairs = {(int(min(a_, b_)), int(max(a_, b_))) for a_, b_ in zip(g[gap < 3.0], near_k[gap < 3.0])}
    pairs |= {(int(min(a_, b_)), int(max(a_, b_))) for a_, b_ in zip(removed["grain"], removed["partner_grain"])}
    pairs = sorted(pairs)
    pinfo = []
    for (i, j) in pairs:
        dv = C[j] - C[i]
        L = np.linalg.norm(dv)
        nvec = dv / L
        x_i = (L ** 2 + radii[i] ** 2 - radii[j] ** 2) / (2 * L)  # radical plane from c_i
        rho2 = max(radii[i] ** 2 - x_i ** 2, 0.0)
        dis, dax = misorientation(Rs[i], Rs[j])
        pinfo.append(dict(grains=[i, j], normal=nvec.tolist(), point_A=(C[i] + x_i * nvec).tolist(), bounded=True,
                          disc_radius_A=float(np.sqrt(rho2)), misorientation_deg=dis,
                          misorientation_axis=dax.tolist(), area_nm2=float(np.pi * rho2 / 100.0)))

    from atomspin.structures.planes import distance_to_defect_A

    g_all = atoms.arrays["grain"]

    def dist(k, idx):
        out = np.full(len(idx), np.inf)
        sel = np.isin(g_all[idx], pinfo[k]["grains"])
        out[sel] = distance_to_defect_A(atoms, pinfo[k], idx[sel])
        return out

    rg, rp = removed["grain"], removed["partner_grain"]
    here = [((rg == i) & (rp == j)) | ((rg == j) & (rp == i)) for i, j in (pi["grains"] for pi in pinfo)]
    _record_boundaries(atoms, pinfo, removed, here, zone, dist)
    add_defect_record(atoms, dict(type="multicore_summary", n_cores=nc, diameters_nm=(2 * radii / 10).tolist(),
                                  centers_nm=(C / 10).tolist(), n_boundaries=len(pinfo),
                                  n_removed=int(removed["n"]), charge_before_e=q_before,
                                  charge_after_e=float(np.sum(atoms.arrays["valence"])),
                                  n_relabelled_site_family=n_rel))
    update_counts(atoms)
    return atoms


def _boundary_gap(pos, grain, C, radii, reach_A=12.0):
    """For atoms of grain k: (−gap, index of the nearest other core, gap) where gap (Å) is the distance
    to the radical plane with the nearest other core j touching k whose contact disc holds the foot
    point; +inf (and −1) where no boundary lies within ``reach_A``."""
    pos = np.asarray(pos, float)
    grain = np.asarray(grain, np.int64)
    n = len(pos)
    gap = np.full(n, np.inf)
    near = np.full(n, -1)
    if n == 0:
        return -gap, near, gap
    for j in range(len(radii)):
        cand = np.flatnonzero((grain != j) & (np.sum((pos - C[j]) ** 2, axis=1) < (radii[j] + reach_A) ** 2))
        if len(cand) == 0:
            continue
        gk = grain[cand]
        dv = C[j] - C[gk]
        L = np.linalg.norm(dv, axis=1)
        ok = L < radii[gk] + radii[j]
        x = pos[cand]
        Pk = np.sum((x - C[gk]) ** 2, axis=1) - radii[gk] ** 2
        Pj = np.sum((x - C[j]) ** 2, axis=1) - radii[j] ** 2
        d = (Pj - Pk) / (2.0 * np.maximum(L, 1e-9))  # distance to the radical plane
        foot = x + (d / np.maximum(L, 1e-9))[:, None] * dv
        ok &= np.sum((foot - C[j]) ** 2, axis=1) <= radii[j] ** 2 + 1e-6
        d = np.where(ok, np.maximum(d, 0.0), np.inf)
        better = d < gap[cand]
        gap[cand[better]] = d[better]
        near[cand[better]] = j
    return -gap, near, gap


__all__ = ["build_bicrystal", "build_multicore", "resolve_overlaps", "N_CORES_RANGE", "BOUNDARY_TYPES"]
