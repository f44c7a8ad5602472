"""Pair classification by superexchange path: ideal-lattice geometry and a naive reference."""
import itertools
import time

import numpy as np
import pytest

from atomspin.model import PAIR_CLASSES, SpinModel, classify_pairs
from atomspin.model.reference_lattices import A_FEO, A_MAGNETITE, X_O_MAGNETITE, rocksalt_box, spinel_box, spinel_sphere

C = {n: k for k, n in enumerate(PAIR_CLASSES)}


def _spinel_geometry(a=A_MAGNETITE, x=X_O_MAGNETITE):
    """Exact shells of the ideal spinel (origin 2), computed by hand from the site coordinates."""
    # B at (1/2,1/2,1/2), B neighbour at (1/4,3/4,1/2)-type offsets: a·√2/4
    d_bb = a * np.sqrt(2) / 4
    # A at (1/8,1/8,1/8) to B at (1/2,1/2,1/2)+(−1/4,0,... ) : a·√11/8
    d_ab = a * np.sqrt(11) / 8
    d_aa = a * np.sqrt(3) / 4
    return d_bb, d_ab, d_aa


def test_spinel_shells_counts_distances_angles():
    atoms = spinel_box(2)
    sub = atoms.arrays["sublattice"]
    mag = sub != "O"
    p = classify_pairs(atoms.positions[mag], sub[mag], atoms.positions[~mag], cell=atoms.cell, pbc=True)
    fam = sub[mag]
    n_a, n_b = np.sum(fam == "A"), np.sum(fam == "B")
    counts = p.counts()
    # coordination: z_AA = 4, z_AB = 12 (per A), z_BA = 6, z_BB = 6 (derived: spinel cation sites 8a, 16d); pairs counted once
    assert counts == {"AA": n_a * 4 // 2, "AB": n_a * 12, "BB": n_b * 6 // 2}
    d_bb, d_ab, d_aa = _spinel_geometry()
    for name, d in (("AA", d_aa), ("AB", d_ab), ("BB", d_bb)):
        assert np.allclose(p.distance[p.cls == C[name]], d, atol=1e-9)
    # derived from a = 8.396 Å: a√2/4 = 2.968, a√11/8 = 3.481, a√3/4 = 3.636 Å
    assert (d_bb, d_ab, d_aa) == pytest.approx((2.968, 3.481, 3.636), abs=1e-3)
    # angles from the O position: A–O–B 123.7°, B–O–B 92.2° (derived from the spinel positions, x = 0.2548, Hamilton 1958); A–A unbridged
    assert np.allclose(p.angle[p.cls == C["AB"]], 123.7, atol=0.1)
    assert np.allclose(p.angle[p.cls == C["BB"]], 92.2, atol=0.1)
    assert np.all(np.isnan(p.angle[p.cls == C["AA"]]))
    assert np.all(p.n_bridge[p.cls == C["BB"]] == 2) and np.all(p.n_bridge[p.cls == C["AB"]] == 1)


def test_rocksalt_j1_j2():
    atoms = rocksalt_box(4)
    m = SpinModel.from_atoms(atoms, overrides={"RR1": 1.0})  # J1 = 0 by default would drop the pairs
    n = m.n
    assert m.info["pair_counts"] == {"RR1": 6 * n, "RR2": 3 * n}
    rc = np.array(m.info["pair_class_names"])[m.pair_class]
    row = np.repeat(np.arange(n), np.diff(m.indptr))
    d = m.positions[m.indices] - m.positions[row]
    d -= np.rint(d / (4 * A_FEO)) * 4 * A_FEO
    dist = np.linalg.norm(d, axis=1)
    assert np.allclose(dist[rc == "RR1"], A_FEO / np.sqrt(2))
    assert np.allclose(dist[rc == "RR2"], A_FEO)


def _naive_classify(cpos, fam, opos, r_bond=2.3, r_nn=3.7, r_far=4.6):
    """Obvious O(N²·M) loops, open boundaries: the reference for classify_pairs."""
    out = {}
    for i, j in itertools.combinations(range(len(cpos)), 2):
        d = np.linalg.norm(cpos[j] - cpos[i])
        if d > r_far:
            continue
        angles = []
        for o in opos:
            v1, v2 = cpos[i] - o, cpos[j] - o
            if np.linalg.norm(v1) <= r_bond and np.linalg.norm(v2) <= r_bond:
                c = v1 @ v2 / (np.linalg.norm(v1) * np.linalg.norm(v2))
                angles.append(np.degrees(np.arccos(np.clip(c, -1, 1))))
        ang = max(angles) if angles else None
        if d > r_nn and (ang is None or ang < 150):
            continue
        pair = "".join(sorted((fam[i], fam[j])))
        wide = ang is not None and ang >= 135
        low = ang is not None and ang < 108
        if pair == "AA":
            name = ("AA180" if wide else "AA_bridged") if ang is not None else ("AA" if d <= r_nn else None)
        elif pair == "AB":
            name = None if ang is None else ("AB90" if low else "AB180" if ang >= 150 else "AB")
        elif pair == "BB":
            name = None if ang is None else ("BB180" if wide else "BB" if low else "BB125")
        elif pair == "RR":
            name = None if ang is None else ("RR2" if wide else "RR1")
        elif pair == "AR":
            name = "RA" if ang is not None else ("RA_direct" if d <= r_nn else None)
        else:  # BR
            name = None if ang is None else ("RB180" if wide else "RB")
        if name is not None:
            out[(i, j)] = (name, len(angles))
    return out


def test_vectorised_matches_naive_on_disordered_cluster():
    rng = np.random.default_rng(3)
    atoms = spinel_box(1)
    sub = atoms.arrays["sublattice"].copy()
    # relabel some B as R and jitter positions: exercises every class and the angle split
    b = np.flatnonzero(sub == "B")
    sub[rng.choice(b, 5, replace=False)] = "R"
    pos = atoms.positions + rng.normal(scale=0.25, size=atoms.positions.shape)
    mag = sub != "O"
    # add a straight B–O–B (180°), an R–O–R (180°) and an A–O–A (107.4°, APB-like) unit far away
    h = np.radians(107.4 / 2)
    extra_c = np.array([[40.0, 0, 0], [44.1, 0, 0], [60.0, 0, 0], [64.3, 0, 0],
                        [80.0 + 1.888 * np.cos(h), 1.888 * np.sin(h), 0], [80.0 + 1.888 * np.cos(h), -1.888 * np.sin(h), 0]])
    extra_o = np.array([[42.05, 0, 0], [62.15, 0, 0], [80.0, 0, 0]])
    cpos = np.concatenate([pos[mag], extra_c])
    fam = np.concatenate([sub[mag], ["B", "B", "R", "R", "A", "A"]])
    opos = np.concatenate([pos[~mag], extra_o])
    p = classify_pairs(cpos, fam, opos)
    got = {(int(i), int(j)): (PAIR_CLASSES[c], int(nb)) for i, j, c, nb in zip(p.i, p.j, p.cls, p.n_bridge)}
    ref = _naive_classify(cpos, fam, opos)
    assert got == ref
    names = {v[0] for v in got.values()}
    assert {"AA", "AB", "BB", "BB180", "RR2", "RA", "RB", "AA_bridged"} <= names
    k = [v for (i, j), v in got.items() if i == len(cpos) - 2 and j == len(cpos) - 1]
    assert k == [("AA_bridged", 1)]
    assert p.angle[(p.i == len(cpos) - 2) & (p.j == len(cpos) - 1)] == pytest.approx(107.4)


def test_periodic_box_equals_open_cluster_interior():
    """A periodic 2×2×2 box and the interior of a large open cluster see the same neighbourhoods."""
    box = SpinModel.from_atoms(spinel_box(2))
    big = spinel_box(4)
    big.pbc = False
    cl = SpinModel.from_atoms(big)
    centre = big.cell.sum(axis=0) / 2
    inner = np.flatnonzero(np.linalg.norm(cl.positions - centre, axis=1) < 6.0)
    assert len(inner) > 10
    # same multiset of couplings on every interior site as on every box site
    box_rows = {tuple(sorted(np.round(box.J[box.indptr[i]:box.indptr[i + 1]], 9))) for i in range(box.n)}
    cl_rows = {tuple(sorted(np.round(cl.J[cl.indptr[i]:cl.indptr[i + 1]], 9))) for i in inner}
    assert cl_rows <= box_rows and len(box_rows) == 2  # one row type for A, one for B


def test_self_image_box_rejected():
    with pytest.raises(ValueError, match="too small"):
        SpinModel.from_atoms(rocksalt_box(1))


def test_csr_symmetric_and_sorted():
    m = SpinModel.from_atoms(spinel_box(2))
    n = m.n
    dense = np.zeros((n, n))
    row = np.repeat(np.arange(n), np.diff(m.indptr))
    np.add.at(dense, (row, m.indices), m.J)
    assert np.allclose(dense, dense.T)
    assert np.all(np.diag(dense) == 0)
    assert m.atom_index.shape == (n,) and np.all(spinel_box(2).arrays["sublattice"][m.atom_index] != "O")


@pytest.mark.slow
def test_large_particle_compiles_in_seconds(full_scale):
    d = 190.0 if full_scale else 110.0  # Å: ~340k atoms full, ~65k reduced
    p = spinel_sphere(d)
    t0 = time.perf_counter()
    m = SpinModel.from_atoms(p)
    dt = time.perf_counter() - t0
    assert m.n > (140000 if full_scale else 25000)
    assert dt < (30.0 if full_scale else 10.0)  # measured 2.8 s for 340k atoms on the shared 2-core host


def _pairs_reference(pos, cutoff, cell, pbc):
    """The searches the cell list replaced: scipy's cKDTree (open, ≤ cutoff) and ASE's neighbor_list
    (periodic, < cutoff; a site's own image kept once with D canonically positive)."""
    from scipy.spatial import cKDTree

    if not any(pbc):
        pr = cKDTree(pos).query_pairs(cutoff, output_type="ndarray")
        a, b = pr[:, 0].astype(np.int64), pr[:, 1].astype(np.int64)
        return a, b, pos[b] - pos[a]
    from ase import Atoms
    from ase.neighborlist import neighbor_list

    at = Atoms(numbers=np.ones(len(pos), dtype=int), positions=pos, cell=cell, pbc=pbc)
    a, b, D = neighbor_list("ijD", at, cutoff, self_interaction=False)
    keep = a < b
    same = np.flatnonzero(a == b)
    Ds = D[same]
    first = (Ds[:, 0] > 0) | ((Ds[:, 0] == 0) & ((Ds[:, 1] > 0) | ((Ds[:, 1] == 0) & (Ds[:, 2] > 0))))
    keep[same[first]] = True
    return a[keep], b[keep], D[keep]


def _canon(a, b, D):
    k = np.lexsort((np.round(D[:, 2], 6), np.round(D[:, 1], 6), np.round(D[:, 0], 6), b, a))
    return a[k], b[k], D[k]


def _structures_for_pairs():
    from atomspin import structures as S

    box = S.build_bulk("Fe3O4", repeat=2)
    vac = S.build_bulk("gamma-Fe2O3", repeat=(2, 2, 3), seed=3)
    tiny = spinel_box(1)  # 8.4 Å box: pairs with several images of the same site
    rattled = spinel_box(2)
    rattled.rattle(0.3, seed=4)
    rattled.positions += np.array([17.0, -30.0, 5.0])  # positions outside the cell
    sph = S.insert_apb(S.add_vacancies(S.build_particle("Fe3O4", "sphere", 4.0, seed=1), 0.1, seed=1), (1, 1, 0))
    cs = S.core_shell(S.build_particle("Fe3O4", "sphere", 5.0, seed=1), 2.5)
    bic = S.build_bicrystal("Fe3O4", "tilt", 25.0, diameter_nm=4.0, seed=1)
    twin = S.insert_twin(S.build_particle("Fe3O4", "sphere", 4.0, seed=1), operation="mirror")
    return {"bulk": box, "maghemite_bulk": vac, "one_cell": tiny, "rattled_shifted": rattled, "apb_vacancies": sph,
            "core_shell": cs, "bicrystal": bic, "twin": twin}


@pytest.mark.parametrize("name", ["bulk", "maghemite_bulk", pytest.param("one_cell", marks=pytest.mark.nojit),
                                  "rattled_shifted", "apb_vacancies", "core_shell"])
def test_cell_list_gives_the_same_pairs_as_kdtree_and_ase(name):
    """The linear cell-list search returns exactly the pairs (and periodic images) of cKDTree / ASE for
    particles with defects and periodic boxes (slab boundaries too), at the bond, nearest-shell and
    180°-link cutoffs."""
    from atomspin.model.neighbours import pairs_within

    atoms = _structures_for_pairs()[name]
    pos, cell = atoms.positions, np.array(atoms.cell)
    pbcs = [tuple(atoms.pbc)] + ([(True, True, False)] if any(atoms.pbc) else [])
    for pbc in pbcs:
        for cut in ((2.3, 3.7, 4.6, 9.0) if name == "one_cell" else (2.3, 3.7, 4.6)):
            ref = _canon(*_pairs_reference(pos, cut, cell, pbc))
            got = _canon(*pairs_within(pos, cut, cell=cell, pbc=pbc))
            assert len(got[0]) == len(ref[0]) and len(ref[0]) > 0, (pbc, cut)
            assert np.array_equal(got[0], ref[0]) and np.array_equal(got[1], ref[1]), (pbc, cut)
            assert np.allclose(got[2], ref[2], atol=1e-9), (pbc, cut)


@pytest.mark.parametrize("name", ["bulk", "maghemite_bulk", pytest.param("one_cell", marks=pytest.mark.nojit),
                                  "rattled_shifted", "apb_vacancies", "core_shell", "bicrystal", "twin"])
def test_streaming_classification_equals_the_vectorised_one(name):
    """The streaming (numba, O(N) memory) classify_pairs returns the pairs, classes, bridge counts, angles,
    distances and vectors of the previous vectorised implementation (tests/naive.py), in the same order —
    periodic boxes (one 8.4 Å cell: pairs through several images), maghemite, rattled positions outside
    the cell, an APB with vacancies, an FeO core, a 25° tilt bicrystal and a twin (the angle windows of
    grain boundaries)."""
    import naive

    atoms = _structures_for_pairs()[name]
    sub = atoms.arrays["sublattice"]
    mag = np.isin(sub, ["A", "B", "R"])
    args = (atoms.positions[mag], sub[mag], atoms.positions[~mag])
    kw = dict(cell=np.array(atoms.cell), pbc=tuple(atoms.pbc))
    new = classify_pairs(*args, **kw)
    old = naive.classify_pairs_vectorised(*args, **kw)
    assert len(new.i) == len(old.i) > 0
    assert np.array_equal(new.i, old.i) and np.array_equal(new.j, old.j)
    assert np.array_equal(new.cls, old.cls) and np.array_equal(new.n_bridge, old.n_bridge)
    assert np.allclose(new.vector, old.vector, atol=1e-9) and np.allclose(new.distance, old.distance, atol=1e-9)
    assert np.allclose(new.angle, old.angle, atol=1e-4, equal_nan=True)
    assert new.counts() == old.counts()
    if name in ("bicrystal", "twin"):
        assert set(new.counts()) - {"AA", "AB", "BB"}  # boundary classes are present


@pytest.mark.nojit
def test_box_too_small_is_refused_by_both():
    """A 1×1×2 rock-salt box (4.3 Å across): a site would couple to its own image — one clear error."""
    import naive

    atoms = rocksalt_box(1)
    sub = atoms.arrays["sublattice"]
    mag = sub == "R"
    args = (atoms.positions[mag], sub[mag], atoms.positions[~mag])
    kw = dict(cell=np.array(atoms.cell), pbc=(True, True, True))
    for f in (classify_pairs, naive.classify_pairs_vectorised):
        with pytest.raises(ValueError, match="too small"):
            f(*args, **kw)
