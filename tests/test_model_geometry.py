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
    # coordination: z_AA = 4, z_AB = 12 (per A), z_BA = 6, z_BB = 6 (physics.md §1 [D]); pairs counted once
    assert counts == {"AA": n_a * 4 // 2, "AB": n_a * 12, "BB": n_b * 6 // 2}
    d_bb, d_ab, d_aa = _spinel_geometry()
    for name, d in (("AA", d_aa), ("AB", d_ab), ("BB", d_bb)):
        assert np.allclose(p.distance[p.cls == C[name]], d, atol=1e-9)
    # physics.md §1 [D]: 2.968, 3.481, 3.636 Å
    assert (d_bb, d_ab, d_aa) == pytest.approx((2.968, 3.481, 3.636), abs=1e-3)
    # angles from the O position: A–O–B 123.7°, B–O–B 92.2° (physics.md §1 [D]); A–A unbridged
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
        if pair == "AA":
            name = "AA_bridged" if ang is not None else ("AA" if d <= r_nn else None)
        elif pair == "AB":
            name = "AB" if ang is not None else None
        elif pair == "BB":
            name = None if ang is None else ("BB180" if wide else "BB")
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
