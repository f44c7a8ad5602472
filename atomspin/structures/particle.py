"""Nanoparticles cut from the bulk lattices: sphere, cube, octahedron, truncated octahedron, ellipsoid."""
from __future__ import annotations

import json

import numpy as np
from ase import Atoms

from atomspin.structures import data
from atomspin.validation import check_choice, check_real, check_seed, check_vector
from atomspin.structures.bulk import (B_VALENCE_RULES, VACANCY_ORDERS, _base_info, _verwey_fe2,
                                      apply_fe_deficiency, assign_labels, remove_random_fraction,
                                      template_cell)
from atomspin.structures.labels import delete_atoms, relabel, set_array, update_coordination
from atomspin.structures.shapes import SHAPES, bounding_radius_A, depth_A, inside_mask

CENTERS = ("A", "B", "O", "R", "inversion")
#: largest size accepted (nm); 60 nm spheres hold ~10⁷ atoms
MAX_SIZE_NM = 60.0


def _shape_dict(shape, diameter_nm, aspect, truncation, axes_nm):
    d = 10.0 * diameter_nm  # Å
    if shape == "sphere":
        return {"kind": "sphere", "radius_A": d / 2}
    if shape == "cube":
        return {"kind": "cube", "half_A": d / 2}
    if shape == "octahedron":
        return {"kind": "octahedron", "vertex_A": d / 2}
    if shape == "truncated_octahedron":
        return {"kind": "truncated_octahedron", "vertex_A": d / 2, "half_A": truncation * d / 2}
    if axes_nm is not None:
        ax = [5.0 * float(v) for v in axes_nm]
    else:
        ax = [d / 2, d / 2, aspect * d / 2]
    return {"kind": "ellipsoid", "semi_axes_A": ax}


def tile_lattice(cell_positions, cell_lengths, center_A, radius_A):
    """Positions (Å, relative to ``center_A``) of all translates of a cell's sites within a cube of
    half-width radius_A + one cell about the centre; returns (positions (k·m,3), site index (k·m,))."""
    L = np.asarray(cell_lengths, float)
    c = np.asarray(center_A, float)
    lo = np.floor((c - radius_A) / L).astype(int) - 1
    hi = np.ceil((c + radius_A) / L).astype(int) + 1
    grid = np.stack(np.meshgrid(*[np.arange(lo[i], hi[i] + 1) for i in range(3)], indexing="ij"),
                    axis=-1).reshape(-1, 3)
    pos = (cell_positions[None, :, :] + (grid * L)[:, None, :] - c).reshape(-1, 3)
    site = np.tile(np.arange(len(cell_positions)), len(grid))
    return pos, site


def _lattice_missing(cell, phase, site, pos, shape):
    """missing_cation / missing_O of atoms cut from the periodic ``cell`` (site index ``site``,
    positions ``pos`` in Å) by ``shape``: the periodic cell's own missing counts plus the number of its
    neighbour sites (within the label cutoffs) that fall outside the shape. Exact for a fresh cut;
    only atoms within one cutoff of the surface are examined."""
    from ase.neighborlist import neighbor_list

    tpl = cell.copy()
    tpl.info["phase"] = phase
    set_array(tpl, "region", np.full(len(tpl), "core"))
    update_coordination(tpl)
    base_c = tpl.arrays["missing_cation"]
    base_o = tpl.arrays["missing_O"]
    i, j, D = neighbor_list("ijD", tpl, data.CATION_CUTOFF)
    d = np.linalg.norm(D, axis=1)
    ci, cj = tpl.numbers[i] != 8, tpl.numbers[j] != 8
    is_c = (ci & cj) | (~ci & cj & (d < data.BOND_CUTOFF))  # counts toward missing_cation
    is_o = ci & ~cj & (d < data.BOND_CUTOFF)  # counts toward missing_O
    use = is_c | is_o
    i, D, kind_o = i[use], D[use], is_o[use]
    order = np.argsort(i, kind="stable")
    i, D, kind_o = i[order], D[order], kind_o[order]
    start = np.searchsorted(i, np.arange(len(tpl)))
    count = np.bincount(i, minlength=len(tpl))
    miss_c = base_c[site].astype(np.int64).copy()
    miss_o = base_o[site].astype(np.int64).copy()
    near = np.flatnonzero(depth_A(shape, pos) < data.CATION_CUTOFF + 1e-6)
    if len(near):
        reps = count[site[near]]
        atom = np.repeat(near, reps)
        first = np.repeat(start[site[near]], reps)
        offs = np.arange(len(atom)) - np.repeat(np.cumsum(reps) - reps, reps)
        p = first + offs
        outside = ~inside_mask(shape, pos[atom] + D[p])
        np.add.at(miss_c, atom[outside & ~kind_o[p]], 1)
        np.add.at(miss_o, atom[outside & kind_o[p]], 1)
    miss_o[cell.numbers[site] == 8] = 0
    return miss_c, miss_o


def _center_position(cell, a, center):
    sub = cell.arrays["sublattice"]
    if isinstance(center, str):
        check_choice("center", center, CENTERS)
        if center == "inversion":
            return np.zeros(3)
        idx = np.flatnonzero(sub == center)
        if len(idx) == 0:
            raise ValueError(f"center: {center!r} is not a site of this phase (have {sorted(set(sub))})")
        return cell.positions[idx[0]].copy()
    f = check_vector("center", center, allow_zero=True)
    return f * np.diag(np.asarray(cell.cell))


def build_particle(phase="Fe3O4", shape="sphere", diameter_nm=5.0, *, aspect=1.0, truncation=2.0 / 3.0,
                   axes_nm=None, center=None, b_valence="verwey", vacancies="random", fe_deficiency=0.0,
                   vacuum_nm=1.0, neutralise=False, seed=0):
    """Cut a nanoparticle of a phase with the Contract-1 labels.

    Parameters
    ----------
    phase : {'Fe3O4', 'gamma-Fe2O3', 'FeO'}
    shape : {'sphere', 'cube', 'octahedron', 'truncated_octahedron', 'ellipsoid'}
    diameter_nm : float in (0, 60], nm
        Size: sphere diameter; cube edge ({100} faces); octahedron vertex-to-vertex distance along
        ⟨100⟩ ({111} faces, |x|+|y|+|z| ≤ d/2); truncated octahedron: the same parent octahedron cut
        by {100} faces at ±truncation·d/2; ellipsoid: diameter along x and y.
    aspect : float in (0, 10], ellipsoid only: diameter along z / diameter_nm (> 1 elongated).
    truncation : float in [1/3, 1], truncated octahedron only: {100} face distance / vertex distance
        (2/3 is the Archimedean truncated octahedron, 1 the plain octahedron).
    axes_nm : 3 floats, optional, ellipsoid only: full diameters along x, y, z (nm), overrides
        diameter_nm/aspect.
    center : {'A', 'B', 'O', 'R', 'inversion'} or 3 fractional coordinates, optional
        The lattice point put at the particle centre: an A, B, O or R site of the cell (default: B
        for the spinels, R for wüstite), the
        origin-2 inversion centre (empty 16c site), or fractional coordinates of the unit cell.
    b_valence, vacancies, fe_deficiency, seed : as :func:`build_bulk`.
    vacuum_nm : float ≥ 0, nm of empty space between the particle and its (non-periodic) box.
    neutralise : bool
        Make the cut particle charge neutral (formal valences), outermost atoms first (smallest
        depth, then index; deterministic): charge Q > 0 → reduce Q surface Fe3+ → Fe2+ (spinel B
        sites; A sites stay Fe3+); Q < 0 → oxidise |Q| surface Fe2+ → Fe3+, and where no Fe2+ is
        left (maghemite) delete dangling O (fewest cation neighbours first; +2 e each, one Fe3+ →
        Fe2+ more when |Q| is odd). Wüstite with Q > 0 cannot be reduced further: recorded. The
        changes are recorded in a ``neutralise`` defect record. Default False (plain cut).

    Returns
    -------
    ase.Atoms, pbc=False. ``info["shape"]`` (JSON) holds the shape in Å with its centre, so that
    ``depth_nm`` can be recomputed after defect operations.

    Notes
    -----
    Particles are cut from the ideal lattice and by default are **not charge neutral**: the formal
    charge depends on which surface sites the shape keeps (6 nm Fe3O4 cube −805 e, octahedron
    +329 e, 8 nm B-centred sphere +561 e). ``describe`` reports ``charge_e`` and
    ``charge_per_fu_e``; ``neutralise=True`` applies the surface rule above. Averaged (+2.5)
    valences are not adjusted and wüstite cannot be reduced below Fe2+: the record's
    ``charge_after_e`` then stays ≠ 0.
    """
    phase = data.canonical_phase(phase)
    if not isinstance(neutralise, (bool, np.bool_)):
        raise ValueError(f"neutralise: {neutralise!r} must be True or False")
    check_choice("shape", shape, SHAPES)
    dnm = check_real("diameter_nm", diameter_nm, 0.0, MAX_SIZE_NM, lo_open=True)
    asp = check_real("aspect", aspect, 0.0, 10.0, lo_open=True)
    trunc = check_real("truncation", truncation, 1.0 / 3.0, 1.0)
    if axes_nm is not None:
        ax = check_vector("axes_nm", axes_nm)
        if np.any(ax <= 0) or np.any(ax > MAX_SIZE_NM):
            raise ValueError(f"axes_nm: {axes_nm!r} must lie in (0, {MAX_SIZE_NM:g}] nm")
        axes_nm = [float(v) for v in ax]
    check_choice("b_valence", b_valence, B_VALENCE_RULES)
    check_choice("vacancies", vacancies, VACANCY_ORDERS)
    x = check_real("fe_deficiency", fe_deficiency, 0.0, 1.0 / 3.0)
    if x > 0 and phase != "FeO":
        raise ValueError(f"fe_deficiency: {fe_deficiency!r} is only allowed for phase 'FeO' (else 0)")
    vac = check_real("vacuum_nm", vacuum_nm, 0.0, 100.0)
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)

    cell, a = template_cell(phase, vacancies)
    L = np.diag(np.asarray(cell.cell)).copy()
    if center is None:
        center = "R" if phase == "FeO" else "B"
    c0 = _center_position(cell, a, center)
    sh = _shape_dict(shape, dnm, asp, trunc, axes_nm)
    sh["center_A"] = [0.0, 0.0, 0.0]
    rb = bounding_radius_A(sh)
    pos, site = tile_lattice(cell.positions, L, c0, rb)
    inside = inside_mask(sh, pos)
    pos, site = pos[inside], site[inside]
    if len(pos) == 0:
        raise ValueError(f"diameter_nm: {diameter_nm!r} is too small to hold any atom of {phase}")
    offset = rb + 10.0 * vac
    pos = pos + offset
    sh["center_A"] = [offset] * 3
    atoms = Atoms(numbers=cell.numbers[site], positions=pos, cell=np.eye(3) * 2 * offset, pbc=False)
    set_array(atoms, "sublattice", cell.arrays["sublattice"][site])
    fe2 = _verwey_fe2(cell, a)[site] if phase == "Fe3O4" else None
    assign_labels(atoms, phase, b_valence, rng, fe2, region="core")
    mc, mo = _lattice_missing(cell, phase, site, pos, sh)
    set_array(atoms, "missing_cation", mc)
    set_array(atoms, "missing_O", mo)
    sites_b = int(np.sum(atoms.arrays["sublattice"] == "B"))
    n_vac = 0
    if phase == "gamma-Fe2O3" and vacancies == "random":
        rem = remove_random_fraction(atoms, atoms.arrays["sublattice"] == "B", 1.0 / 6.0, rng)
        n_vac = len(rem)
        atoms = delete_atoms(atoms, rem)
    elif phase == "gamma-Fe2O3":
        from atomspin.structures.bulk import ORDERED_VACANCIES_FRAC
        vpos, _ = tile_lattice(ORDERED_VACANCIES_FRAC * (L / [1.0, 1.0, 3.0]), L, c0, rb)
        n_vac = int(np.sum(inside_mask(dict(sh, center_A=[0.0, 0.0, 0.0]), vpos)))
        sites_b += n_vac
    sites_r = int(np.sum(atoms.arrays["sublattice"] == "R"))
    n_vac_r = 0
    if phase == "FeO" and x > 0:
        atoms, n_vac_r, _ = apply_fe_deficiency(atoms, x, rng)
    recipe = dict(builder="build_particle", phase=phase, shape=shape, diameter_nm=dnm, aspect=asp,
                  truncation=trunc, axes_nm=axes_nm, center=center if isinstance(center, str)
                  else [float(v) for v in center], b_valence=b_valence, vacancies=vacancies,
                  fe_deficiency=x, vacuum_nm=vac, seed=seed)
    if neutralise:
        recipe["neutralise"] = True
    _base_info(atoms, phase, a, recipe, seed)
    if phase == "gamma-Fe2O3" and vacancies == "ordered":
        atoms.info["lattice_c_A"] = float(data.MAGHEMITE_TET_C)
    atoms.info["shape"] = json.dumps(sh)
    atoms.info["shape_kind"] = shape
    atoms.info["size_nm"] = dnm
    #: Cartesian position (Å) of the template-cell origin: lattice sites are origin + n·L + basis
    atoms.info["lattice_origin_A"] = json.dumps([float(v) for v in (offset - c0)])
    atoms.info["cell_lengths_A"] = json.dumps([float(v) for v in L])
    atoms.info["sites_B"] = sites_b
    atoms.info["vacancies_B"] = n_vac
    atoms.info["sites_R"] = sites_r
    atoms.info["vacancies_R"] = n_vac_r
    atoms = relabel(atoms, coordination=False)
    if neutralise:
        atoms = _neutralise(atoms)
    return atoms


def _set_valence(atoms, idx, v):
    atoms.arrays["valence"][idx] = v
    atoms.arrays["moment_muB"][idx] = data.fe_moment(v)


def _neutralise(atoms):
    """Charge-neutral particle by surface valence changes / dangling-O removal (see build_particle)."""
    from atomspin.structures.labels import add_defect_record
    q0 = float(np.sum(atoms.arrays["valence"]))
    q = int(np.round(q0))
    depth = atoms.arrays["depth_nm"]
    sub, val = atoms.arrays["sublattice"], atoms.arrays["valence"]
    order = np.lexsort((np.arange(len(atoms)), depth))  # outermost first
    n_red = n_ox = n_o = 0
    if q < 0:
        fe2 = order[(atoms.numbers[order] == 26) & (val[order] == 2.0)]
        n_ox = min(-q, len(fe2))
        _set_valence(atoms, fe2[:n_ox], 3.0)
        q += n_ox
        if q < 0:
            o = np.flatnonzero(sub == "O")
            o = o[np.lexsort((o, depth[o], -atoms.arrays["missing_cation"][o]))]
            n_o = min((-q + 1) // 2, len(o))
            atoms = delete_atoms(atoms, o[:n_o])
            q += 2 * n_o
            atoms = relabel(atoms, coordination=False)
    if q > 0:
        sub, val, depth = atoms.arrays["sublattice"], atoms.arrays["valence"], atoms.arrays["depth_nm"]
        order = np.lexsort((np.arange(len(atoms)), depth))
        fe3 = order[(sub[order] == "B") & (atoms.numbers[order] == 26) & (val[order] == 3.0)]
        n_red = min(q, len(fe3))
        _set_valence(atoms, fe3[:n_red], 2.0)
        q -= n_red
    from atomspin.structures.labels import update_counts
    update_counts(atoms)
    add_defect_record(atoms, dict(type="neutralise", charge_before_e=q0, n_reduced_fe3=int(n_red),
                                  n_oxidised_fe2=int(n_ox), n_removed_O=int(n_o),
                                  charge_after_e=float(np.sum(atoms.arrays["valence"]))))
    return atoms
