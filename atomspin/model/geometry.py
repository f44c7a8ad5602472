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
from numba import njit, prange

#: Pair classes; new classes are appended so that the indices stored in ``SpinModel.pair_class`` stay stable.
PAIR_CLASSES = ("AA", "AB", "BB", "BB180", "RR1", "RR2", "RA", "RA_direct", "RB", "RB180", "AA_bridged",
                "AA180", "AB90", "AB180", "BB125")
_FAMILY = {"A": 0, "B": 1, "R": 2}

R_BOND = 2.3  # Å, cation–O bond cutoff (Fe–O 1.80–2.20 Å in spinel/rock salt; derived from the ideal spinel and rock-salt positions of structures/data.py)
R_NN = 3.7  # Å, nearest cation shells: B–B 2.97, A–B 3.48, A–A 3.64 (magnetite; derived from the spinel positions of structures/data.py, a = 8.396 Å)
R_FAR = 4.6  # Å, 180° links: 2 × 2.06 Å (B–O–B), a_FeO = 4.30 Å
ANGLE_SPLIT = 135.0  # degrees, between 92°/124° and 180° paths
ANGLE_180 = 150.0  # degrees, a bridged pair beyond r_nn is kept only above this angle; A–O–B 180° window
ANGLE_LOW = 108.0  # degrees, between the 92° (B–O–B) and 124° (A–O–B) bulk paths


@dataclass
class PairList:
    """Classified cation pairs, each unordered pair (and periodic image) once.

    Attributes
    ----------
    i, j : (P,) int32
        Indices into the cation list passed to :func:`classify_pairs` (i < j).
    vector : (P, 3) float64, Å
        r_j − r_i (minimum image / the bridging image for periodic cells).
    distance : (P,) float64, Å
    angle : (P,) float32, degrees
        Largest cation–O–cation angle among the bridging O (NaN when unbridged).
    n_bridge : (P,) int8
        Number of bridging O.
    cls : (P,) int8
        Index into ``PAIR_CLASSES``; −1 for dropped pairs (already removed).

    Compact dtypes (46 B per pair): a 10⁶-spin model has ≈ 7·10⁶ pairs.
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

    Linear-time cell-list search (:func:`atomspin.model.neighbours.pairs_within`), open or periodic; the
    pairs are those of scipy's cKDTree (open, distance ≤ cutoff) and ASE's neighbor_list (periodic,
    distance < cutoff), which it replaced (tests/test_model_geometry.py compares them).
    """
    from atomspin.model.neighbours import pairs_within

    return pairs_within(pos, cutoff, cell=cell, pbc=pbc)


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
    fam = np.select([fam_lab == "A", fam_lab == "B", fam_lab == "R"], [0, 1, 2]).astype(np.int8)
    del fam_lab, bad
    n = len(cpos)
    pbc = tuple(bool(p) for p in np.broadcast_to(np.asarray(pbc, dtype=bool), (3,)))
    periodic = any(pbc)
    if periodic:
        if cell is None:
            raise ValueError("cell: required for periodic boundaries")
        cell = np.asarray(cell, dtype=np.float64).reshape(3, 3)
        if abs(np.linalg.det(cell)) < 1e-9:
            raise ValueError("cell: periodic boundaries need three non-degenerate cell vectors (Å)")
    if n < 2 and not periodic:
        return _empty_pairs()
    from atomspin.model.neighbours import neighbour_csr

    cellm = cell if periodic else np.zeros((3, 3))
    # cation → O bonds (every image) and their transpose O → cation; cation → cation within r_nn
    cb_ptr, cb_o, cb_s = neighbour_csr(cpos, opos, r_bond, cell, pbc)
    order = np.argsort(cb_o, kind="stable")
    ob_ptr = np.zeros(len(opos) + 1, dtype=np.int64)
    ob_ptr[1:] = np.cumsum(np.bincount(cb_o, minlength=len(opos)))
    ob_c = np.ascontiguousarray(np.repeat(np.arange(n, dtype=np.int32), np.diff(cb_ptr))[order])
    ob_s = np.ascontiguousarray(cb_s[order])
    del order
    nn_ptr, nn_j, nn_s = neighbour_csr(cpos, cpos, r_nn, cell, pbc, same=True)
    inv = np.linalg.inv(cell) if periodic else np.eye(3)
    args = (cpos, opos, fam, cellm, inv, periodic, cb_ptr, cb_o, cb_s, ob_ptr, ob_c, ob_s, nn_ptr, nn_j, nn_s,
            float(r_nn), float(r_far), float(angle_split), float(angle_180), float(angle_low))
    counts = np.zeros(n, dtype=np.int64)
    flags = np.zeros(n, dtype=np.int64)
    fn = _classify_parallel if n >= 50000 else _classify_serial
    z = np.zeros(1)
    fn(*args, True, counts, flags, z.astype(np.int32), z.astype(np.int32), np.zeros((1, 3)), z,
       z.astype(np.float32), z.astype(np.int8), z.astype(np.int8))
    if np.any(flags == 3):
        raise ValueError(f"cation_pos: a cation has more than {_MAX_CANDIDATES} partners within r_far; "
                         "are two cations at the same position?")
    if np.any(flags == 2):
        raise ValueError("atoms.cell: periodic image shift beyond ±2 cells; is the box smaller than the cutoff?")
    if np.any(flags == 1):
        raise ValueError("atoms.cell: the periodic box is too small — a spin would couple to its own image "
                         f"(need every box width > {r_far:.1f} Å, e.g. at least 2×2×2 cells)")
    ptr = np.zeros(n + 1, dtype=np.int64)
    ptr[1:] = np.cumsum(counts)
    del counts
    npair = int(ptr[-1])
    pi = np.empty(npair, dtype=np.int32)
    pj = np.empty(npair, dtype=np.int32)
    vec = np.empty((npair, 3))
    dist = np.empty(npair)
    ang = np.empty(npair, dtype=np.float32)
    nbr = np.empty(npair, dtype=np.int8)
    cls = np.empty(npair, dtype=np.int8)
    fn(*args, False, ptr, flags, pi, pj, vec, dist, ang, nbr, cls)
    return PairList(i=pi, j=pj, vector=vec, distance=dist, angle=ang, n_bridge=nbr, cls=cls)


def _empty_pairs():
    return PairList(np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros((0, 3)), np.zeros(0),
                    np.zeros(0, np.float32), np.zeros(0, np.int8), np.zeros(0, np.int8))


#: most candidate partners one cation can have within r_far (bridged entries + direct neighbours; the
#: spinel has ≈ 30; derived with a 4× margin)
_MAX_CANDIDATES = 256


def _classify_rows(cpos, opos, fam, cellm, inv, periodic, cb_ptr, cb_o, cb_s, ob_ptr, ob_c, ob_s, nn_ptr, nn_j,
                   nn_s, r_nn, r_far, angle_split, angle_180, angle_low, count_only, ptr, flags, out_i, out_j, out_v,
                   out_d, out_a, out_n, out_c):
    """Per cation i: its bridged partners (through each bonded O, kept when closer than r_nn or a wide angle
    within r_far) and direct partners within r_nn with index > i, merged per (partner, image), classified.
    Pass 1 (``count_only``) counts the kept pairs per row (``ptr`` receives the counts) and flags errors
    (1: a site paired with its own image, 2: image shift beyond ±2); pass 2 writes them at ``ptr[i]``."""
    n = cpos.shape[0]
    for i in prange(n):
        cj = np.empty(_MAX_CANDIDATES, dtype=np.int64)
        ccode = np.empty(_MAX_CANDIDATES, dtype=np.int64)
        cv = np.empty((_MAX_CANDIDATES, 3))
        cang = np.empty(_MAX_CANDIDATES)
        cbr = np.empty(_MAX_CANDIDATES, dtype=np.int64)
        m = 0
        flag = 0
        # bridged candidates
        for p in range(cb_ptr[i], cb_ptr[i + 1]):
            o = cb_o[p]
            s1x, s1y, s1z = cb_s[p, 0], cb_s[p, 1], cb_s[p, 2]
            # b1 = O→i = r_i − (r_o + S1·cell)
            ox = opos[o, 0] + s1x * cellm[0, 0] + s1y * cellm[1, 0] + s1z * cellm[2, 0]
            oy = opos[o, 1] + s1x * cellm[0, 1] + s1y * cellm[1, 1] + s1z * cellm[2, 1]
            oz = opos[o, 2] + s1x * cellm[0, 2] + s1y * cellm[1, 2] + s1z * cellm[2, 2]
            b1x = cpos[i, 0] - ox
            b1y = cpos[i, 1] - oy
            b1z = cpos[i, 2] - oz
            for q in range(ob_ptr[o], ob_ptr[o + 1]):
                c2 = ob_c[q]
                s2x, s2y, s2z = ob_s[q, 0], ob_s[q, 1], ob_s[q, 2]
                if c2 == i and s2x == s1x and s2y == s1y and s2z == s1z:
                    continue  # the same bond
                if c2 < i:
                    continue  # the pair is written from the smaller index
                # b2 = O→c2 with the O image of c2's bond
                qx = opos[o, 0] + s2x * cellm[0, 0] + s2y * cellm[1, 0] + s2z * cellm[2, 0]
                qy = opos[o, 1] + s2x * cellm[0, 1] + s2y * cellm[1, 1] + s2z * cellm[2, 1]
                qz = opos[o, 2] + s2x * cellm[0, 2] + s2y * cellm[1, 2] + s2z * cellm[2, 2]
                b2x = cpos[c2, 0] - qx
                b2y = cpos[c2, 1] - qy
                b2z = cpos[c2, 2] - qz
                vx = b2x - b1x
                vy = b2y - b1y
                vz = b2z - b1z
                cosang = (b1x * b2x + b1y * b2y + b1z * b2z) / (np.sqrt(b1x * b1x + b1y * b1y + b1z * b1z)
                                                                * np.sqrt(b2x * b2x + b2y * b2y + b2z * b2z))
                cosang = min(1.0, max(-1.0, cosang))
                ang = np.degrees(np.arccos(cosang))
                bd = np.sqrt(vx * vx + vy * vy + vz * vz)
                if not (bd <= r_nn or (bd <= r_far and ang >= angle_180)):
                    continue
                if c2 == i:
                    flag = 1
                    continue
                if m >= _MAX_CANDIDATES:
                    flag = 3
                    continue
                cj[m] = c2
                cv[m, 0] = vx
                cv[m, 1] = vy
                cv[m, 2] = vz
                cang[m] = ang
                cbr[m] = 1
                m += 1
        # direct candidates within r_nn
        for p in range(nn_ptr[i], nn_ptr[i + 1]):
            j = nn_j[p]
            if j < i:
                continue
            if j == i:
                flag = 1
                continue
            sx, sy, sz = nn_s[p, 0], nn_s[p, 1], nn_s[p, 2]
            if m >= _MAX_CANDIDATES:
                flag = 3
                continue
            cj[m] = j
            cv[m, 0] = cpos[j, 0] - cpos[i, 0] + sx * cellm[0, 0] + sy * cellm[1, 0] + sz * cellm[2, 0]
            cv[m, 1] = cpos[j, 1] - cpos[i, 1] + sx * cellm[0, 1] + sy * cellm[1, 1] + sz * cellm[2, 1]
            cv[m, 2] = cpos[j, 2] - cpos[i, 2] + sx * cellm[0, 2] + sy * cellm[1, 2] + sz * cellm[2, 2]
            cang[m] = np.nan
            cbr[m] = 0
            m += 1
        # image codes (shift of the vector against r_j − r_i, in cells; −2…2)
        for k in range(m):
            code = 0
            if periodic:
                j = cj[k]
                dx = cv[k, 0] - (cpos[j, 0] - cpos[i, 0])
                dy = cv[k, 1] - (cpos[j, 1] - cpos[i, 1])
                dz = cv[k, 2] - (cpos[j, 2] - cpos[i, 2])
                for ax in range(3):
                    sh = np.rint(dx * inv[0, ax] + dy * inv[1, ax] + dz * inv[2, ax])
                    if sh > 2 or sh < -2:
                        flag = 2
                        sh = 0
                    code = code * 5 + int(sh) + 2
            ccode[k] = cj[k] * 125 + code
        # sort by (partner, image), direct entries after bridged ones of the same key (insertion sort)
        for k in range(1, m):
            kk = k
            while kk > 0 and (ccode[kk - 1] > ccode[kk] or (ccode[kk - 1] == ccode[kk] and cbr[kk - 1] < cbr[kk])):
                t0 = ccode[kk - 1]
                ccode[kk - 1] = ccode[kk]
                ccode[kk] = t0
                t1 = cj[kk - 1]
                cj[kk - 1] = cj[kk]
                cj[kk] = t1
                t2 = cang[kk - 1]
                cang[kk - 1] = cang[kk]
                cang[kk] = t2
                t3 = cbr[kk - 1]
                cbr[kk - 1] = cbr[kk]
                cbr[kk] = t3
                for ax in range(3):
                    t4 = cv[kk - 1, ax]
                    cv[kk - 1, ax] = cv[kk, ax]
                    cv[kk, ax] = t4
                kk -= 1
        out = 0 if count_only else ptr[i]
        k = 0
        while k < m:
            e = k
            nb = 0
            amax = -np.inf
            while e < m and ccode[e] == ccode[k]:
                if cbr[e] == 1:
                    nb += 1
                    if cang[e] > amax:
                        amax = cang[e]
                e += 1
            last = e - 1  # a direct entry when present (sorted last), else the last bridged one
            j = cj[k]
            vx = cv[last, 0]
            vy = cv[last, 1]
            vz = cv[last, 2]
            dist = np.sqrt(vx * vx + vy * vy + vz * vz)
            fi = fam[i]
            fj = fam[j]
            lo = fi if fi < fj else fj
            hi = fj if fi < fj else fi
            bridged = nb > 0
            angle = amax if bridged else np.nan
            wide = bridged and angle >= angle_split
            c = -1
            low = bridged and angle < angle_low
            if lo == 0 and hi == 0:
                if bridged:
                    c = 11 if wide else 10  # AA180 / AA_bridged
                elif dist <= r_nn:
                    c = 0  # AA
            elif lo == 0 and hi == 1:
                if bridged:
                    c = 12 if low else (13 if angle >= angle_180 else 1)  # AB90 / AB180 / AB
            elif lo == 1 and hi == 1:
                if bridged:
                    c = 2 if low else (3 if wide else 14)  # BB / BB180 / BB125
            elif lo == 2 and hi == 2:
                if bridged:
                    c = 5 if wide else 4  # RR2 / RR1
            elif lo == 0 and hi == 2:
                if bridged:
                    c = 6  # RA
                elif dist <= r_nn:
                    c = 7  # RA_direct
            elif lo == 1 and hi == 2:
                if bridged:
                    c = 9 if wide else 8  # RB180 / RB
            if c >= 0:
                if not count_only:
                    out_i[out] = i
                    out_j[out] = j
                    out_v[out, 0] = vx
                    out_v[out, 1] = vy
                    out_v[out, 2] = vz
                    out_d[out] = dist
                    out_a[out] = angle
                    out_n[out] = nb
                    out_c[out] = c
                out += 1
            k = e
        if count_only:
            ptr[i] = out
            flags[i] = flag


_classify_serial = njit(cache=True, error_model="numpy")(_classify_rows)
_classify_parallel = njit(cache=True, error_model="numpy", parallel=True)(_classify_rows)
