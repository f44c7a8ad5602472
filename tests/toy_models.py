"""Small SpinModels with known answers, shared by the engine, model and measure tests (built directly,
independent of atomspin.structures). Fixtures built on them live in conftest.py."""
import numpy as np

from atomspin.model.core import DipolarCells, SpinModel, quad_from_matrix


def random_unit(rng, n):
    """(n, 3) random unit vectors."""
    v = rng.normal(size=(n, 3))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def csr_from_pairs(n, pairs, jvals):
    """Symmetric CSR (indptr, indices, J) of the pairs (i, j) with couplings jvals, rows sorted."""
    rows = [[] for _ in range(n)]
    for (i, j), jv in zip(pairs, jvals):
        rows[i].append((j, jv))
        rows[j].append((i, jv))
    indptr = np.zeros(n + 1, dtype=np.int64)
    indices, J = [], []
    for i, r in enumerate(rows):
        r.sort()
        indptr[i + 1] = indptr[i] + len(r)
        indices += [j for j, _ in r]
        J += [jv for _, jv in r]
    return indptr, np.array(indices, dtype=np.int64), np.array(J, dtype=float)


def random_model(n=10, n_pairs=18, seed=0, quad=True, cubic=True, field=(0.3, -0.2, 1.1), dipolar=False,
                 cells=3):
    """Random graph with random J, random symmetric Q, cubic k1/k2, Zeeman and optional dipolar cells."""
    rng = np.random.default_rng(seed)
    pairs = set()
    while len(pairs) < n_pairs:
        i, j = rng.integers(0, n, size=2)
        if i != j:
            pairs.add((min(i, j), max(i, j)))
    pairs = sorted(pairs)
    indptr, indices, J = csr_from_pairs(n, pairs, rng.uniform(-3, 3, size=len(pairs)))
    q = rng.normal(scale=0.4, size=(n, 3, 3))
    q = 0.5 * (q + np.swapaxes(q, 1, 2))
    dip = None
    if dipolar:
        a = rng.normal(scale=0.02, size=(cells, cells, 3, 3))
        w = 0.5 * (a + np.transpose(a, (1, 0, 3, 2)))
        dip = DipolarCells(cell_of=rng.integers(0, cells, size=n), tensor=w)
    return SpinModel(positions=rng.normal(size=(n, 3)), spins=random_unit(rng, n),
                     moments=rng.uniform(3.5, 5.0, size=n), indptr=indptr, indices=indices, J=J,
                     quad=quad_from_matrix(q) if quad else np.zeros((n, 6)),
                     k1=rng.uniform(-0.5, 0.5, size=n) if cubic else np.zeros(n),
                     k2=rng.uniform(-0.5, 0.5, size=n) if cubic else np.zeros(n),
                     field=np.array(field), dipolar=dip)


def independent_spins(n, moment, field):
    """n uncoupled spins of ``moment`` μB in ``field`` (tesla): the Langevin paramagnet."""
    return SpinModel(positions=np.zeros((n, 3)), spins=np.tile([0.0, 0.0, 1.0], (n, 1)),
                     moments=np.full(n, moment), indptr=np.zeros(n + 1, dtype=np.int64),
                     indices=np.zeros(0, dtype=np.int64), J=np.zeros(0), quad=np.zeros((n, 6)),
                     k1=np.zeros(n), k2=np.zeros(n), field=np.array(field, dtype=float))


def pairs_model(n_pairs, J):
    """n_pairs independent pairs of unit-moment spins coupled by J (meV)."""
    n = 2 * n_pairs
    pairs = [(2 * k, 2 * k + 1) for k in range(n_pairs)]
    indptr, indices, Jv = csr_from_pairs(n, pairs, [J] * n_pairs)
    return SpinModel(positions=np.zeros((n, 3)), spins=np.tile([0.0, 0.0, 1.0], (n, 1)),
                     moments=np.ones(n), indptr=indptr, indices=indices, J=Jv, quad=np.zeros((n, 6)),
                     k1=np.zeros(n), k2=np.zeros(n))


def cubic_lattice(L, J=1.0, field=(0, 0, 0)):
    """Periodic L³ simple-cubic Heisenberg model (a = 2 Å), two labelled sublattices."""
    n = L ** 3
    idx = np.arange(n).reshape(L, L, L)
    pairs = []
    for ax in range(3):
        nb = np.roll(idx, -1, axis=ax)
        pairs += list(zip(idx.ravel(), nb.ravel()))
    pairs = [(min(a, b), max(a, b)) for a, b in pairs]
    indptr, indices, Jv = csr_from_pairs(n, pairs, [J] * len(pairs))
    pos = 2.0 * np.stack(np.unravel_index(np.arange(n), (L, L, L)), axis=1).astype(float)  # a = 2 Å
    return SpinModel(positions=pos, spins=np.tile([0.0, 0.0, 1.0], (n, 1)),
                     moments=np.ones(n), indptr=indptr, indices=indices, J=Jv, quad=np.zeros((n, 6)),
                     k1=np.zeros(n), k2=np.zeros(n), field=np.array(field, dtype=float),
                     sublattice=np.array(["A", "B"] * (n // 2)), cell=2.0 * L * np.eye(3),
                     pbc=(True, True, True))


def complete_cluster(n, J, moment, field=(0, 0, 0), K=0.0):
    """n spins, all pairs coupled by J (meV), uniaxial anisotropy −K s_z² per spin (meV)."""
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    indptr, indices, Jv = csr_from_pairs(n, pairs, [J] * len(pairs))
    quad = np.zeros((n, 6))
    quad[:, 2] = K
    return SpinModel(positions=np.zeros((n, 3)), spins=np.tile([0.0, 0.0, 1.0], (n, 1)),
                     moments=np.full(n, float(moment)), indptr=indptr, indices=indices, J=Jv, quad=quad,
                     k1=np.zeros(n), k2=np.zeros(n), field=np.array(field, dtype=float))


class ExternalDipolar:
    """A dipolar object that is not a macrocell one: only ``energy_meV`` and ``fields_meV`` (contract 6),
    here delegating to a DipolarCells, so that results can be compared with the macrocell kernel path."""

    def __init__(self, cells):
        self._cells = cells
        self.calls = 0

    def energy_meV(self, spins, moments):
        self.calls += 1
        return self._cells.energy_meV(spins, moments)

    def fields_meV(self, spins, moments):
        self.calls += 1
        return self._cells.fields_meV(spins, moments)
