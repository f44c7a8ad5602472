"""Superexchange-path classification of cation pairs (vectorised; periodic or open boundaries).

Every magnetic-cation pair is classified by its Fe–O–Fe path:

* a cation–O **bond** is a cation–O distance ≤ ``r_bond`` (default 2.3 Å; Fe–O bonds are 1.8–2.2 Å);
* a pair is **bridged** when one or more O are bonded to both cations; its bond angle is the largest
  cation–O–cation angle among the bridging O (the dominant superexchange path);
* pairs are kept when they are closer than ``r_nn`` (3.7 Å: nearest A–A, A–B, B–B, rock-salt J1 shells) or
  bridged with an angle ≥ ``angle_180`` (150°) and closer than ``r_far`` (4.6 Å: the 180° B–O–B links
  across antiphase boundaries at ≈ 4.1 Å and the rock-salt J2 pairs at a = 4.3 Å).

Classes (``PAIR_CLASSES``; A = tetrahedral spinel, B = octahedral spinel, R = rock-salt cation):

=========== =========================================================================
``AA``      A–A without a shared O (bulk: 3.64 Å, no O bonded to both)
``AA_bridged`` A–O–A with a shared O, angle < ``angle_split`` (absent in the bulk; ≈ 107°, 2.97 Å
            across antiphase boundaries)
``AA180``   A–O–A, angle ≥ ``angle_split`` (135°; mirror twins, grain boundaries)
``AB90``    A–O–B, angle < ``angle_low`` (108°; grain boundaries)
``AB``      A–O–B, ``angle_low`` ≤ angle < ``angle_180`` (bulk ≈ 124°)
``AB180``   A–O–B, angle ≥ ``angle_180`` (150°; grain boundaries)
``BB``      B–O–B, angle < ``angle_low`` (bulk ≈ 92°)
``BB125``   B–O–B, ``angle_low`` ≤ angle < ``angle_split`` (grain boundaries)
``BB180``   B–O–B, angle ≥ ``angle_split`` (antiphase boundary, ≈ 175–180°)
``RR1``     R–O–R < 135° (rock-salt J1, 90°)
``RR2``     R–O–R ≥ 135° (rock-salt J2, 180°)
``RA``      R–O–A (FeO/spinel interface)
``RA_direct`` R–A without shared O, within ``r_nn``
``RB``      R–O–B < 135° (interface, 90°)
``RB180``   R–O–B ≥ 135° (interface, 180°)
=========== =========================================================================

Unbridged A–B, B–B, R–R and R–B pairs carry no superexchange path and are dropped.

Off-lattice geometry (twin, stacking-fault and grain boundaries). The bulk and APB paths sit at three
angles — ≈ 92° (B–O–B), ≈ 124° (A–O–B) and ≈ 177° (B–O–B at APBs) — and A–O–A at 107° at APBs. At a
boundary between misoriented grains every family pair meets every angle (measured across the
boundaries of build_bicrystal/build_multicore particles: A–O–B 70–180°, B–O–B 60–180°, A–O–A
80–180°). Each spinel family pair therefore has one class per angle window, the windows split at
the midpoints between the reference angles (``angle_low`` = 108° between 92° and 124°;
``angle_180`` = 150° between 124° and 177° for A–O–B; ``angle_split`` = 135° between 92°/124° and
180° for B–O–B and A–O–A, unchanged from the APB rule so that no bulk or APB pair changes class).
The parameter sets give each new window the coupling of the bulk path of the same geometry (the
"same geometry, same coupling" rule of interface.toml; see magnetite.toml). Bonds are cation–O
distances ≤ ``r_bond`` in every case: stretched boundary bonds beyond it carry no path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

#: Pair classes; new classes are appended so that the indices stored in ``SpinModel.pair_class`` stay stable.
PAIR_CLASSES = ("AA", "AB", "BB", "BB180", "RR1", "RR2", "RA", "RA_direct", "RB", "RB180", "AA_bridged",
                "AA180", "AB90", "AB180", "BB125")
_FAMILY = {"A": 0, "B": 1, "R": 2}

R_BOND = 2.3  # Å, cation–O bond cutoff (Fe–O 1.80–2.20 Å in spinel/rock salt; physics.md §1 [D])
R_NN = 3.7  # Å, nearest cation shells: B–B 2.97, A–B 3.48, A–A 3.64 (magnetite, physics.md §1 [D])
R_FAR = 4.6  # Å, 180° links: 2 × 2.06 Å (B–O–B), a_FeO = 4.30 Å
ANGLE_SPLIT = 135.0  # degrees, between 92°/124° and 180° paths
ANGLE_180 = 150.0  # degrees, a bridged pair beyond r_nn is kept only above this angle; A–O–B 180° window
ANGLE_LOW = 108.0  # degrees, between the 92° (B–O–B) and 124° (A–O–B) bulk paths


@dataclass
class PairList:
    """Classified cation pairs, each unordered pair (and periodic image) once.

    Attributes
    ----------
    i, j : (P,) int64
        Indices into the cation list passed to :func:`classify_pairs`.
    vector : (P, 3) float64, Å
        r_j − r_i (minimum image / the bridging image for periodic cells).
    distance : (P,) float64, Å
    angle : (P,) float64, degrees
        Largest cation–O–cation angle among the bridging O (NaN when unbridged).
    n_bridge : (P,) int64
        Number of bridging O.
    cls : (P,) int64
        Index into ``PAIR_CLASSES``; −1 for dropped pairs (already removed).
    """

    i: np.ndarray
    j: np.ndarray
    vector: np.ndarray
    distance: np.ndarray
    angle: np.ndarray
    n_bridge: np.ndarray
    cls: np.ndarray

    def counts(self) -> dict:
        """Number of pairs per class name."""
        c = np.bincount(self.cls, minlength=len(PAIR_CLASSES))
        return {name: int(c[k]) for k, name in enumerate(PAIR_CLASSES) if c[k]}


def _pairs_within(pos, cell, pbc, cutoff):
    """Unordered pairs within ``cutoff`` (Å): (a, b, D = r_b − r_a + shift) with a < b or a == b (image).

    Open boundaries use scipy's cKDTree; any periodic direction uses ASE's vectorised neighbour list.
    """
    if not np.any(pbc):
        tree = cKDTree(pos)
        pr = tree.query_pairs(cutoff, output_type="ndarray")
        a, b = pr[:, 0].astype(np.int64), pr[:, 1].astype(np.int64)
        return a, b, pos[b] - pos[a]
    from ase import Atoms
    from ase.neighborlist import neighbor_list

    at = Atoms(numbers=np.ones(len(pos), dtype=int), positions=pos, cell=cell, pbc=pbc)
    a, b, D = neighbor_list("ijD", at, cutoff, self_interaction=False)
    keep = a < b
    # a == b: a site coupled to its own periodic image; keep one of the ±shift pair
    same = a == b
    if np.any(same):
        Ds = D[same]
        first = (Ds[:, 0] > 0) | ((Ds[:, 0] == 0) & ((Ds[:, 1] > 0) | ((Ds[:, 1] == 0) & (Ds[:, 2] > 0))))
        idx = np.flatnonzero(same)[first]
        keep[idx] = True
    return a[keep].astype(np.int64), b[keep].astype(np.int64), D[keep]


def _pair_keys(i, j, vec, pos, cell_inv, n):
    """int64 keys identifying (i, j, periodic image): (i·n + j)·125 + image code (shifts in −2…2)."""
    key = i.astype(np.int64) * n + j.astype(np.int64)
    if cell_inv is None:
        return key * 125
    shift = np.rint((vec - (pos[j] - pos[i])) @ cell_inv).astype(np.int64)
    if np.any(np.abs(shift) > 2):
        raise ValueError("atoms.cell: periodic image shift beyond ±2 cells; is the box smaller than the cutoff?")
    code = (shift[:, 0] + 2) * 25 + (shift[:, 1] + 2) * 5 + (shift[:, 2] + 2)
    return key * 125 + code


def classify_pairs(cation_pos, cation_family, oxygen_pos, cell=None, pbc=(False, False, False),
                   r_bond=R_BOND, r_nn=R_NN, r_far=R_FAR, angle_split=ANGLE_SPLIT, angle_180=ANGLE_180,
                   angle_low=ANGLE_LOW):
    """Find and classify the exchange pairs of magnetic cations.

    Parameters
    ----------
    cation_pos : (N, 3) float, Å
        Magnetic cation positions.
    cation_family : (N,) str
        ``"A"``, ``"B"`` or ``"R"`` per cation.
    oxygen_pos : (M, 3) float, Å
        Oxygen positions (bridging anions).
    cell : (3, 3) float, Å, optional
        Cell vectors; needed when any ``pbc`` is True.
    pbc : 3 bools
        Periodic directions.
    r_bond, r_nn, r_far : float, Å
        Cation–O bond cutoff, nearest-shell cutoff, cutoff for 180° links (see module docstring).
    angle_split, angle_180, angle_low : float, degrees (class windows, see the module docstring)

    Returns
    -------
    PairList

    Raises
    ------
    ValueError
        Unknown family label, or a periodic cell so small that a site couples to its own image.
    """
    cpos = np.ascontiguousarray(cation_pos, dtype=np.float64).reshape(-1, 3)
    opos = np.ascontiguousarray(oxygen_pos, dtype=np.float64).reshape(-1, 3)
    fam_lab = np.asarray(cation_family).astype(str)
    bad = ~np.isin(fam_lab, list(_FAMILY))
    if np.any(bad):
        raise ValueError(f"sublattice: magnetic cations must be labelled 'A', 'B' or 'R'; got "
                         f"{sorted(set(fam_lab[bad]))}")
    fam = np.select([fam_lab == "A", fam_lab == "B", fam_lab == "R"], [0, 1, 2]).astype(np.int64)
    n = len(cpos)
    pbc = tuple(bool(p) for p in np.broadcast_to(np.asarray(pbc, dtype=bool), (3,)))
    if any(pbc):
        if cell is None:
            raise ValueError("cell: required for periodic boundaries")
        cell = np.asarray(cell, dtype=np.float64).reshape(3, 3)
        if abs(np.linalg.det(cell)) < 1e-9:
            raise ValueError("cell: periodic boundaries need three non-degenerate cell vectors (Å)")
    empty = PairList(*(np.zeros(0, np.int64),) * 2, np.zeros((0, 3)), np.zeros(0), np.zeros(0),
                     np.zeros(0, np.int64), np.zeros(0, np.int64))
    if n < 2 and not any(pbc):
        return empty

    # 1. cation–O bonds: search cations and O together (one tree / neighbour list)
    allpos = np.concatenate([cpos, opos])
    a, b, D = _pairs_within(allpos, cell, pbc, r_bond)
    isc_a, isc_b = a < n, b < n
    m1 = isc_a & ~isc_b  # cation a, oxygen b: vector O→cation = −D
    m2 = ~isc_a & isc_b  # oxygen a, cation b: vector O→cation = +D
    bond_o = np.concatenate([b[m1] - n, a[m2] - n])
    bond_c = np.concatenate([a[m1], b[m2]])
    bond_v = np.concatenate([-D[m1], D[m2]])  # O → cation

    # 2. bridged pairs: all cation pairs sharing an O
    order = np.argsort(bond_o, kind="stable")
    bond_o, bond_c, bond_v = bond_o[order], bond_c[order], bond_v[order]
    n_o = len(opos)
    deg = np.bincount(bond_o, minlength=n_o)
    kmax = int(deg.max()) if len(deg) else 0
    bi, bj, bv, bang = [], [], [], []
    if kmax >= 2:
        start = np.concatenate([[0], np.cumsum(deg)[:-1]])
        slot = np.arange(len(bond_o)) - start[bond_o]
        table = -np.ones((n_o, kmax), dtype=np.int64)
        table[bond_o, slot] = np.arange(len(bond_o))
        for p in range(kmax):
            for q in range(p + 1, kmax):
                ok = (table[:, p] >= 0) & (table[:, q] >= 0)
                e1, e2 = table[ok, p], table[ok, q]
                v1, v2 = bond_v[e1], bond_v[e2]
                c1, c2 = bond_c[e1], bond_c[e2]
                cosang = np.einsum("ij,ij->i", v1, v2) / (np.linalg.norm(v1, axis=1) * np.linalg.norm(v2, axis=1))
                ang = np.degrees(np.arccos(np.clip(cosang, -1.0, 1.0)))
                vec = v2 - v1  # c1 → c2
                swap = (c1 > c2)
                ci = np.where(swap, c2, c1)
                cj = np.where(swap, c1, c2)
                vec = np.where(swap[:, None], -vec, vec)
                # self-image pairs (ci == cj): orient canonically so ± images merge
                same = ci == cj
                if np.any(same):
                    neg = same & ((vec[:, 0] < 0) | ((vec[:, 0] == 0) & ((vec[:, 1] < 0) |
                                                                        ((vec[:, 1] == 0) & (vec[:, 2] < 0)))))
                    vec = np.where(neg[:, None], -vec, vec)
                bi.append(ci), bj.append(cj), bv.append(vec), bang.append(ang)
    if bi:
        bi, bj, bv, bang = (np.concatenate(x) for x in (bi, bj, bv, bang))
    else:
        bi = bj = np.zeros(0, np.int64)
        bv, bang = np.zeros((0, 3)), np.zeros(0)
    bd = np.linalg.norm(bv, axis=1)
    keepb = (bd <= r_nn) | ((bd <= r_far) & (bang >= angle_180))
    bi, bj, bv, bang = bi[keepb], bj[keepb], bv[keepb], bang[keepb]

    # 3. direct pairs within r_nn (A–A and friends)
    di, dj, dv = _pairs_within(cpos, cell, pbc, r_nn)

    # 4. merge by (i, j, image) key
    cell_inv = np.linalg.inv(cell) if any(pbc) else None
    keys = np.concatenate([_pair_keys(bi, bj, bv, cpos, cell_inv, n), _pair_keys(di, dj, dv, cpos, cell_inv, n)])
    if len(keys) == 0:
        return empty
    uniq, inv = np.unique(keys, return_inverse=True)
    inv = inv.ravel()
    nb = len(bi)
    npair = len(uniq)
    n_bridge = np.bincount(inv[:nb], minlength=npair).astype(np.int64)
    angle = np.full(npair, -np.inf)
    np.maximum.at(angle, inv[:nb], bang)
    angle[n_bridge == 0] = np.nan
    vec = np.zeros((npair, 3))
    allv = np.concatenate([bv, dv])
    vec[inv] = allv  # identical up to rounding for duplicates
    pi, pj = (uniq // 125) // n, (uniq // 125) % n
    if np.any(pi == pj):
        raise ValueError("atoms.cell: the periodic box is too small — a spin would couple to its own image "
                         f"(need every box width > {r_far:.1f} Å, e.g. at least 2×2×2 cells)")
    dist = np.linalg.norm(vec, axis=1)

    # 5. classes
    fi, fj = fam[pi], fam[pj]
    lo, hi = np.minimum(fi, fj), np.maximum(fi, fj)
    bridged = n_bridge > 0
    wide = bridged & (angle >= angle_split)
    cls = np.full(npair, -1, dtype=np.int64)
    A, B, R = 0, 1, 2
    C = {name: k for k, name in enumerate(PAIR_CLASSES)}
    low = bridged & (angle < angle_low)
    cls[(lo == A) & (hi == A) & ~bridged & (dist <= r_nn)] = C["AA"]
    cls[(lo == A) & (hi == A) & bridged & ~wide] = C["AA_bridged"]
    cls[(lo == A) & (hi == A) & wide] = C["AA180"]
    cls[(lo == A) & (hi == B) & low] = C["AB90"]
    cls[(lo == A) & (hi == B) & bridged & ~low & (angle < angle_180)] = C["AB"]
    cls[(lo == A) & (hi == B) & bridged & (angle >= angle_180)] = C["AB180"]
    cls[(lo == B) & (hi == B) & low] = C["BB"]
    cls[(lo == B) & (hi == B) & bridged & ~low & ~wide] = C["BB125"]
    cls[(lo == B) & (hi == B) & wide] = C["BB180"]
    cls[(lo == R) & (hi == R) & bridged & ~wide] = C["RR1"]
    cls[(lo == R) & (hi == R) & wide] = C["RR2"]
    cls[(lo == A) & (hi == R) & bridged] = C["RA"]
    cls[(lo == A) & (hi == R) & ~bridged & (dist <= r_nn)] = C["RA_direct"]
    cls[(lo == B) & (hi == R) & bridged & ~wide] = C["RB"]
    cls[(lo == B) & (hi == R) & wide] = C["RB180"]
    k = cls >= 0
    return PairList(i=pi[k].copy(), j=pj[k].copy(), vector=vec[k], distance=dist[k], angle=angle[k],
                    n_bridge=n_bridge[k], cls=cls[k])
