"""Metropolis Monte Carlo driver: :class:`Simulation`, :class:`Observables`, :func:`effective_field`.

Conventions: energies meV, T in K, fields μ0H in tesla, moments in μB, unit spins; Hamiltonian as in
:mod:`atomspin.model.core`. Moves: ``"adaptive"`` — Gaussian cone ŝ' = (ŝ + σg)/|ŝ + σg| with σ
steered after every sweep towards 50 % acceptance (Alzate-Cardona et al., J. Phys.: Condens. Matter
31, 095802 (2019)); ``"hinzke-nowak"`` — equal mixture of spin flip, uniform-on-sphere and Gaussian
cone (Hinzke & Nowak, Comput. Phys. Commun. 121, 334 (1999)); ``"uniform"`` — uniform on sphere.
All three proposals are symmetric, so plain Metropolis acceptance min(1, exp(−ΔE/k_BT)) holds.
Strictly, adapting σ during sampling makes the chain non-Markovian; set ``adapt=False`` (or
:meth:`Simulation.freeze_cone`) after equilibration for textbook detailed balance.
Optional collective move (``collective_every``): a rigid rotation of all spins (or of each group,
e.g. each exchange-connected particle) by a random small rotation, Metropolis on the exact ΔE —
an equilibrium-sampling accelerator for the slow total-moment rotation of exchange-stiff particles.
"""

from __future__ import annotations

import contextlib
import sys
import time
from dataclasses import dataclass

import numba
import numpy as np

from atomspin.engine import kernels as _k
from atomspin.engine.rng import _check_seed, seed_streams
from atomspin.model.thermal import simulation_temperature
from atomspin.units import K_B_MEV_PER_K, MU_B_MEV_PER_T
from atomspin.validation import check_field_T, check_real

MOVES = {"adaptive": _k.MOVE_ADAPTIVE, "hinzke-nowak": _k.MOVE_HINZKE_NOWAK,
         "uniform": _k.MOVE_UNIFORM}
PARALLEL_MIN_SPINS = 4096  # auto-parallel threshold (derived: below it the per-phase barriers cost
#                            more than the sweep; measured 0.47 ms vs 0.04 ms per sweep for 216 spins)
COLLECTIVE_WIDTH_START = 0.1  # initial collective half-width, rad (derived: Zeeman ΔE of a 10³ μB moment in
#                               1 T turned by 0.1 rad ≈ 6 meV ≈ 2.3 k_BT at 300 K; adapted anyway)
SIGMA_START = 0.5  # initial cone width (derived: ~50 % acceptance for J/k_BT ~ 1 in tests; adapted anyway)


# ----------------------------------------------------------------------------- validation helpers
def _check_T(T):
    return check_real("T", T, 0.0)


def _check_field(B, name="field"):
    return check_field_T(name, B)  # always a copy: set_field must not write into model.field


def _check_spins(spins, n, name="spins"):
    s = np.array(spins, dtype=np.float64, order="C")
    if s.shape != (n, 3):
        raise ValueError(f"{name}: expected shape ({n}, 3), got {s.shape}")
    if not np.all(np.isfinite(s)):
        raise ValueError(f"{name}: contains NaN/inf")
    nrm = np.linalg.norm(s, axis=1)
    if n and not np.allclose(nrm, 1.0, atol=1e-8):
        raise ValueError(f"{name}: must be unit vectors (|ŝ| within 1e-8 of 1), got norms in "
                         f"[{nrm.min():.3g}, {nrm.max():.3g}]")
    if n:
        s /= nrm[:, None]  # remove the allowed 1e-8 slack so that it cannot accumulate
    return s


@contextlib.contextmanager
def _numba_threads(n):
    """Temporarily set the number of numba threads (restored afterwards)."""
    old = numba.get_num_threads()
    numba.set_num_threads(n)
    try:
        yield
    finally:
        numba.set_num_threads(old)


def _compress_couplings(J):
    """(distinct values Jv, code per pair Jc) with ``Jv[Jc] == J`` exactly; the smallest code dtype."""
    Jv, Jc = np.unique(J, return_inverse=True)
    dt = np.uint8 if len(Jv) <= 256 else np.uint16 if len(Jv) <= 65536 else np.int32
    return np.ascontiguousarray(Jv, dtype=np.float64), np.ascontiguousarray(Jc.reshape(-1), dtype=dt)


class _Arrays:
    """Flat kernel arrays of a SpinModel (validated once)."""

    def __init__(self, model, field=None):
        n = model.n
        self.n = n
        self.moments = np.ascontiguousarray(model.moments, dtype=np.float64)
        if self.moments.shape != (n,) or not np.all(np.isfinite(self.moments)):
            raise ValueError("model.moments: must be N finite values in μB")
        self.zp = self.moments * MU_B_MEV_PER_T
        self.indptr = np.ascontiguousarray(model.indptr, dtype=np.int64)
        self.indices = np.ascontiguousarray(model.indices, dtype=np.int32)
        self.J = np.ascontiguousarray(model.J, dtype=np.float64)
        nnz = self.indices.shape[0]
        if self.indptr[0] != 0 or self.indptr[-1] != nnz or np.any(np.diff(self.indptr) < 0):
            raise ValueError(f"model.indptr: must rise from 0 to nnz = {nnz}")
        if nnz and (self.indices.min() < 0 or self.indices.max() >= n):
            raise ValueError(f"model.indices: values must be in [0, {n - 1}]")
        row = np.repeat(np.arange(n), np.diff(self.indptr))
        if np.any(row == self.indices):
            raise ValueError("model.indices: self-coupling (i in row i) is not allowed; "
                             "put single-site terms into quad")
        if not np.all(np.isfinite(self.J)):
            raise ValueError("model.J: must be finite (meV)")
        self.Jv, self.Jc = _compress_couplings(self.J)
        self.quad = np.ascontiguousarray(model.quad, dtype=np.float64).reshape(n, 6)
        self.k1 = np.ascontiguousarray(model.k1, dtype=np.float64)
        self.k2 = np.ascontiguousarray(model.k2, dtype=np.float64)
        for nm in ("quad", "k1", "k2"):
            if not np.all(np.isfinite(getattr(self, nm))):
                raise ValueError(f"model.{nm}: must be finite (meV)")
        self.has_quad = bool(np.any(self.quad != 0))
        self.has_cubic = bool(np.any(self.k1 != 0) or np.any(self.k2 != 0))
        self.b = _check_field(model.field if field is None else field)
        dip = model.dipolar
        self.has_dip = dip is not None
        if self.has_dip:
            self.cell_of = np.ascontiguousarray(dip.cell_of, dtype=np.int64)
            self.W = np.ascontiguousarray(dip.tensor, dtype=np.float64)
            nc = self.W.shape[0]
            if self.W.shape != (nc, nc, 3, 3):
                raise ValueError(f"model.dipolar.tensor: expected (C, C, 3, 3), got {self.W.shape}")
            if self.cell_of.shape != (n,) or (n and (self.cell_of.min() < 0 or self.cell_of.max() >= nc)):
                raise ValueError(f"model.dipolar.cell_of: must be N values in [0, {nc - 1}]")
            if not np.allclose(self.W, np.transpose(self.W, (1, 0, 3, 2)), rtol=1e-10, atol=1e-14):
                raise ValueError("model.dipolar.tensor: must satisfy W_cd = W_dcᵀ")
        else:  # never indexed without dipolar terms (every use is guarded by has_dip): no N-array
            self.cell_of = np.zeros(1, dtype=np.int64)
            self.W = np.zeros((1, 1, 3, 3))
        self.Mc = np.zeros((self.W.shape[0], 3))
        self.Hc = np.zeros((self.W.shape[0], 3))

    def permuted(self, perm):
        """Copy with sites renumbered: new site k is old site ``perm[k]`` (CSR relabelled)."""
        new = object.__new__(_Arrays)
        new.__dict__.update(self.__dict__)
        inv = np.empty_like(perm)
        inv[perm] = np.arange(len(perm))
        for name in ("moments", "zp", "quad", "k1", "k2") + (("cell_of",) if self.has_dip else ()):
            setattr(new, name, np.ascontiguousarray(getattr(self, name)[perm]))
        lens = np.diff(self.indptr)[perm]
        new.indptr = np.zeros(self.n + 1, dtype=np.int64)
        np.cumsum(lens, out=new.indptr[1:])
        gather = np.repeat(self.indptr[perm] - new.indptr[:-1], lens) + np.arange(new.indptr[-1])
        new.indices = np.ascontiguousarray(inv[self.indices[gather]], dtype=np.int32)
        new.J = np.ascontiguousarray(self.J[gather])
        new.Jc = np.ascontiguousarray(self.Jc[gather])
        return new

    def model_args(self, spins):
        return (spins, self.moments, self.zp, self.indptr, self.indices, self.Jc, self.Jv, self.quad,
                self.k1, self.k2, self.b, self.has_quad, self.has_cubic, self.has_dip,
                self.cell_of, self.W, self.Mc, self.Hc)


def effective_field(model, spins=None, field=None):
    """Local field h_i = −∂E/∂ŝ_i of every spin.

    Parameters
    ----------
    model : SpinModel
    spins : (N, 3) array of unit vectors, optional
        State; default ``model.spins``.
    field : (3,) array, optional
        Applied μ0H in tesla; default ``model.field``.

    Returns
    -------
    (N, 3) float64, meV
        Exchange Σ_j J_ij ŝ_j + quadratic 2Q_iŝ_i + cubic gradient + Zeeman m_i μB B + dipolar
        m_i Σ_d W_{c(i)d} M_d. A move ŝ_i → ŝ_i' changes the energy by −(ŝ_i'−ŝ_i)·h_i to first order.
    """
    a = _Arrays(model, field)
    s = _check_spins(model.spins if spins is None else spins, a.n)
    out = np.empty((a.n, 3))
    _k.local_fields(*a.model_args(s), out)
    return out


def local_energy_change(model, i, new_spin, spins=None, field=None):
    """Exact energy change (meV) when spin ``i`` alone moves to the unit vector ``new_spin``.

    Parameters
    ----------
    model : SpinModel
    i : int, site index in [0, N)
    new_spin : (3,) unit vector
    spins : (N, 3) unit vectors, optional (default ``model.spins``)
    field : (3,) μ0H in tesla, optional (default ``model.field``)
    """
    a = _Arrays(model, field)
    s = _check_spins(model.spins if spins is None else spins, a.n)
    i = int(i)
    if not 0 <= i < a.n:
        raise ValueError(f"i: {i} is outside [0, {a.n - 1}]")
    v = _check_spins(np.reshape(new_spin, (1, 3)), 1, "new_spin")[0]
    if a.has_dip:
        _k._dip_refresh(s, a.moments, a.cell_of, a.W, a.Mc, a.Hc)
    return float(_k._delta_e(i, v[0], v[1], v[2], s, a.moments, a.zp, a.indptr, a.indices, a.Jc, a.Jv,
                             a.quad, a.k1, a.k2, a.b, a.has_quad, a.has_cubic, a.has_dip,
                             a.cell_of, a.W, a.Hc))


def colour_classes(model):
    """Greedy colouring of the exchange graph.

    Returns
    -------
    colour : (N,) int64, colour of each site (neighbours never share a colour)
    col_ptr : (n_colours + 1,) int64 and col_sites : (N,) int64
        Sites of colour c are ``col_sites[col_ptr[c]:col_ptr[c+1]]`` in increasing order.
    """
    indptr = np.ascontiguousarray(model.indptr, dtype=np.int64)
    indices = np.ascontiguousarray(model.indices, dtype=np.int64)
    colour, n_col = _k.greedy_colouring(indptr, indices)
    col_sites = np.argsort(colour, kind="stable").astype(np.int64)
    col_ptr = np.zeros(n_col + 1, dtype=np.int64)
    col_ptr[1:] = np.cumsum(np.bincount(colour, minlength=n_col))
    return colour, col_ptr, col_sites


def _colour_blocks(model, n_chunks):
    """Colour classes as phases, each split into ``n_chunks`` contiguous chunks (blocks)."""
    _, col_ptr, col_sites = colour_classes(model)
    n_col = len(col_ptr) - 1
    lo = col_ptr[:-1, None] + ((col_ptr[1:] - col_ptr[:-1])[:, None] * np.arange(n_chunks)) // n_chunks
    block_ptr = np.append(lo.reshape(-1), col_ptr[-1]).astype(np.int64)
    phase_ptr = np.arange(n_col + 1, dtype=np.int64) * n_chunks
    return phase_ptr, block_ptr, col_sites


def slab_blocks(model, n_blocks):
    """Cut the model into ``2·n_blocks`` slabs of equal spin count along its longest axis.

    Slab s belongs to phase s mod 2 and is block s // 2 of that phase; inside a slab the sites
    are listed in increasing order (memory order). Along a periodic axis the slab coordinate is
    the fractional one, and the slab count is even, so the wrap-around pair (first, last) lies in
    different phases.

    Returns
    -------
    (phase_ptr, block_ptr, sites) as used by the block sweep, or None when the slabs are too thin:
    some exchange bond joins two different slabs of one phase (small systems, or positions that
    do not reflect the bonds).
    """
    if isinstance(n_blocks, bool) or not isinstance(n_blocks, (int, np.integer)) or n_blocks < 1:
        raise ValueError(f"n_blocks: {n_blocks!r} is outside [1, inf) (integer)")
    n = model.n
    n_slabs = 2 * int(n_blocks)
    if n < n_slabs:
        return None
    pos = np.asarray(model.positions, dtype=np.float64)
    pbc = np.asarray(model.pbc, dtype=bool) if model.cell is not None else np.zeros(3, dtype=bool)
    if pbc.any():
        cell = np.asarray(model.cell, dtype=np.float64)
        frac = np.linalg.solve(cell.T, pos.T).T
        lengths = np.linalg.norm(cell, axis=1)
        ext = np.where(pbc, lengths, np.ptp(pos @ (cell / lengths[:, None]).T, axis=0))
        ax = int(np.argmax(ext))
        x = frac[:, ax] % 1.0 if pbc[ax] else frac[:, ax]
    else:
        ax = int(np.argmax(np.ptp(pos, axis=0)))
        x = pos[:, ax]
    order = np.lexsort((np.arange(n), x))
    slab = np.empty(n, dtype=np.int64)
    slab[order] = (np.arange(n) * n_slabs) // n
    indptr = np.asarray(model.indptr, dtype=np.int64)
    row = np.repeat(np.arange(n), np.diff(indptr))
    col = np.asarray(model.indices, dtype=np.int64)
    if np.any((slab[row] % 2 == slab[col] % 2) & (slab[row] != slab[col])):
        return None
    key = (slab % 2) * n_blocks + slab // 2  # phase-major block number
    sites = np.lexsort((np.arange(n), key)).astype(np.int64)
    block_ptr = np.zeros(n_slabs + 1, dtype=np.int64)
    block_ptr[1:] = np.cumsum(np.bincount(key, minlength=n_slabs))
    phase_ptr = np.array([0, n_blocks, n_slabs], dtype=np.int64)
    return phase_ptr, block_ptr, sites


def _group_labels(n, indptr, indices, groups):
    """Validated per-site group label (N,) int64; −1 = not rotated collectively."""
    if groups is None or (isinstance(groups, str) and groups == "all"):
        return np.zeros(n, dtype=np.int64)
    if isinstance(groups, str):
        if groups != "components":
            raise ValueError(f"collective_groups: {groups!r} is not 'all', 'components' or an (N,) "
                             "integer label array")
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import connected_components
        g = csr_matrix((np.ones(len(indices)), indices, indptr), shape=(n, n))
        return connected_components(g, directed=False)[1].astype(np.int64)
    lab = np.asarray(groups)
    if lab.shape != (n,) or not np.issubdtype(lab.dtype, np.integer):
        raise ValueError(f"collective_groups: expected 'all', 'components' or an (N,) = ({n},) integer "
                         f"label array, got shape {lab.shape} dtype {lab.dtype}")
    if n and lab.min() < -1:
        raise ValueError(f"collective_groups: labels must be in [-1, inf) (−1 = excluded), got {lab.min()}")
    return lab.astype(np.int64)


def _group_arrays(labels, indptr, indices, J):
    """CSR of the groups (grp_ptr, grp_sites) and of each group's exchange bonds leaving it
    (bnd_ptr, bnd_i, bnd_j, bnd_J), in the numbering of the arrays given."""
    keep = np.flatnonzero(labels >= 0)
    uniq, grp = np.unique(labels[keep], return_inverse=True)
    order = np.argsort(grp, kind="stable")
    grp_sites = np.ascontiguousarray(keep[order], dtype=np.int32)
    grp_ptr = np.zeros(len(uniq) + 1, dtype=np.int64)
    grp_ptr[1:] = np.cumsum(np.bincount(grp, minlength=len(uniq)))
    gid = -np.ones(len(labels), dtype=np.int64)
    gid[keep] = grp
    row = np.repeat(np.arange(len(labels)), np.diff(indptr))
    cross = (gid[row] >= 0) & (gid[row] != gid[indices])
    bi, bj, bJ = row[cross], indices[cross], J[cross]
    o = np.argsort(gid[bi], kind="stable")
    bi, bj, bJ = bi[o], bj[o], bJ[o]
    bnd_ptr = np.zeros(len(uniq) + 1, dtype=np.int64)
    bnd_ptr[1:] = np.cumsum(np.bincount(gid[bi], minlength=len(uniq)))
    return (grp_ptr, grp_sites, bnd_ptr, np.ascontiguousarray(bi, dtype=np.int64),
            np.ascontiguousarray(bj, dtype=np.int64), np.ascontiguousarray(bJ, dtype=np.float64))


def _check_rotation(rotation):
    r = np.asarray(rotation, dtype=np.float64)
    if r.shape != (3, 3) or not np.all(np.isfinite(r)):
        raise ValueError(f"rotation: expected a finite (3, 3) rotation matrix, got shape {r.shape}")
    if not np.allclose(r @ r.T, np.eye(3), atol=1e-10) or np.linalg.det(r) < 0:
        raise ValueError("rotation: must be a proper rotation (RRᵀ = 1 within 1e-10, det = +1)")
    return np.ascontiguousarray(r)


def collective_energy_change(model, rotation, sites=None, spins=None, field=None):
    """Exact energy change (meV) when the spins ``sites`` are all rotated rigidly by ``rotation``.

    Parameters
    ----------
    model : SpinModel
    rotation : (3, 3) proper rotation matrix (dimensionless)
    sites : array of int in [0, N), optional
        Rotated sites (default: all). Exchange bonds to the other sites are included exactly.
    spins : (N, 3) unit vectors, optional (default ``model.spins``)
    field : (3,) μ0H in tesla, optional (default ``model.field``)

    Returns
    -------
    float, meV
        Computed by the O(N) kernel of the collective Monte Carlo move.
    """
    a = _Arrays(model, field)
    s = _check_spins(model.spins if spins is None else spins, a.n)
    rot = _check_rotation(rotation)
    lab = np.zeros(a.n, dtype=np.int64)
    if sites is not None:
        idx = np.asarray(sites)
        if idx.ndim != 1 or (idx.size and not np.issubdtype(idx.dtype, np.integer)):
            raise ValueError("sites: expected a 1-D integer array of site indices")
        if idx.size and (idx.min() < 0 or idx.max() >= a.n):
            raise ValueError(f"sites: indices must be in [0, {a.n - 1}]")
        lab[:] = -1
        lab[idx] = 0
    grp_ptr, grp_sites, bnd_ptr, bi, bj, bJ = _group_arrays(lab, a.indptr, a.indices, a.J)
    if len(grp_ptr) < 2:
        return 0.0
    if a.has_dip:
        _k._dip_refresh(s, a.moments, a.cell_of, a.W, a.Mc, a.Hc)
    dM = np.zeros_like(a.Mc)
    return float(_k._collective_delta_e(rot, grp_ptr[0], grp_ptr[1], grp_sites, bnd_ptr[0], bnd_ptr[1],
                                        bi, bj, bJ, s, a.moments, a.zp, a.quad, a.k1, a.k2, a.b,
                                        a.has_quad, a.has_cubic, a.has_dip, a.cell_of, a.W, a.Hc, dM))


# ----------------------------------------------------------------------------- observables
@dataclass
class Observables:
    """Samples of a run and derived thermodynamic quantities.

    Attributes
    ----------
    T : float, K
    field : (3,) μ0H in tesla
    energy : (S,) total energy per sample, meV
    magnetisation : (S, 3) total moment Σ m_i ŝ_i per sample, μB
    sublattice_magnetisation : dict label → (S, 3) μB (empty when the model has no sublattice)
    m_sat : float, Σ m_i in μB (saturation moment)
    n_spins : int
    acceptance : float, accepted fraction of single-spin moves over the run
    sweeps : (S,) int, sweep number (counted from the simulation's start) of each sample
    collective_acceptance : float, accepted fraction of collective rotation attempts over the run
        (nan when none were made)
    """

    T: float
    field: np.ndarray
    energy: np.ndarray
    magnetisation: np.ndarray
    sublattice_magnetisation: dict
    m_sat: float
    n_spins: int
    acceptance: float
    sweeps: np.ndarray
    collective_acceptance: float = float("nan")

    @property
    def abs_m(self):
        """(S,) |M| per sample, μB."""
        return np.linalg.norm(self.magnetisation, axis=1)

    @property
    def mean_abs_m(self):
        """⟨|M|⟩ in μB."""
        return float(np.mean(self.abs_m))

    @property
    def reduced_m(self):
        """⟨|M|⟩ / Σ m_i (dimensionless, 1 = saturated)."""
        return self.mean_abs_m / self.m_sat

    @property
    def mean_energy(self):
        """⟨E⟩ in meV."""
        return float(np.mean(self.energy))

    @property
    def susceptibility(self):
        """χ = μB (⟨M²⟩ − ⟨|M|⟩²) / (k_B T) in μB/T (finite-size |M| estimator; = ∂⟨M⟩/∂(μ0H)).

        Multiply by μB/(μ0 V) for SI volume susceptibility. Undefined (inf) at T = 0.
        """
        m = self.abs_m
        var = np.mean(m * m) - np.mean(m) ** 2
        kt = K_B_MEV_PER_K * self.T
        return float(MU_B_MEV_PER_T * var / kt) if kt > 0 else float("inf")

    @property
    def binder(self):
        """Binder cumulant U4 = 1 − ⟨M⁴⟩ / (3⟨M²⟩²) (2/3 ordered, 4/9 paramagnetic for 3-vectors)."""
        m2 = np.sum(self.magnetisation ** 2, axis=1)
        return float(1.0 - np.mean(m2 * m2) / (3.0 * np.mean(m2) ** 2))

    @property
    def specific_heat(self):
        """C = (⟨E²⟩ − ⟨E⟩²) / (k_B T²) of the whole system in meV/K (divide by k_B N for per-spin k_B units)."""
        if self.T <= 0:
            return float("inf")
        return float(np.var(self.energy) / (K_B_MEV_PER_K * self.T ** 2))

    def to_dict(self):
        """Plain dict of arrays and derived scalars."""
        d = {k: getattr(self, k) for k in ("T", "energy", "magnetisation", "m_sat", "n_spins",
                                           "acceptance", "sweeps")}
        d["field"] = np.asarray(self.field)
        d["sublattice_magnetisation"] = dict(self.sublattice_magnetisation)
        for k in ("mean_abs_m", "reduced_m", "mean_energy", "susceptibility", "binder", "specific_heat"):
            d[k] = getattr(self, k)
        return d


class _Progress:
    """Minimal stderr progress line (no dependencies)."""

    def __init__(self, total, enabled):
        self.total, self.enabled, self.t0, self.last = total, enabled, time.perf_counter(), 0.0

    def update(self, done):
        if not self.enabled:
            return
        now = time.perf_counter()
        if done < self.total and now - self.last < 0.5:
            return
        self.last = now
        el = now - self.t0
        eta = el / done * (self.total - done) if done else float("nan")
        sys.stderr.write(f"\r[atomspin] sweep {done}/{self.total}  {el:.1f}s elapsed, ~{eta:.1f}s left")
        if done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


# ----------------------------------------------------------------------------- simulation
class Simulation:
    """Single-spin Metropolis Monte Carlo of a :class:`~atomspin.model.core.SpinModel`, with an
    optional collective (rigid rotation) move.

    Parameters
    ----------
    model : SpinModel
        Not modified; the simulation works on a copy of ``model.spins`` and ``model.field``.
    T : float
        Temperature in K (≥ 0; 0 accepts only moves that do not raise the energy).
    seed : int
        Seed in [0, 2**64). Same seed, move, threads and parallel ⇒ bit-identical results.
    move : {"adaptive", "hinzke-nowak", "uniform"}
    threads : int, optional
        Number of blocks per phase / RNG streams of the parallel sweep and numba threads used (default:
        ``numba.get_num_threads()``). ``threads=1`` is honoured everywhere (see Notes).
    parallel : bool, optional
        Parallel block sweep (True) or sequential sweep (False). The sequential sweep visits sites
        0…N−1 in turn. The parallel sweep runs phases in turn and the blocks of a phase at once, one
        RNG stream per block (see ``decomposition``). Default: ``threads > 1 and N >= 4096``. The
        numbers depend on ``threads`` and the decomposition, never on thread scheduling.
    decomposition : {"auto", "slabs", "colours"}
        Parallel sweep only. ``"slabs"``: 2·threads slabs of equal spin count along the longest
        axis (fractional coordinate along a periodic one), alternately in phase 0 and 1, each swept
        sequentially in site order by one thread: two barriers per sweep. Valid only when no
        exchange bond joins two slabs of one phase (checked; slabs must be thicker than the
        exchange range). ``"colours"``: greedy colouring of the exchange graph, one phase per colour
        class (9–10 on spinel), each class split into ``threads`` contiguous chunks. ``"auto"``
        (default): slabs when valid and the model has no dipolar term (slabs would freeze the
        dipolar field over half the particle per phase), else colours. The choice is in
        ``self.decomposition``.
    adapt : bool
        Adapt the cone width σ towards 50 % acceptance (default True): at the end of the first
        sweep after ≥ ``adapt_moves`` moves have been pooled, σ ← σ·clip(2·acceptance, ½, 2).
    sigma : float
        Initial cone width σ (> 0).
    adapt_moves : int
        Moves pooled per σ update (σ changes by at most ×2 per update).
    renumber : bool, optional
        Parallel sweep only: keep an internal copy of the model arrays renumbered so that each
        block is contiguous (≈ 300 B/spin more memory). Default: True for colours (scattered
        classes: ~2× faster on 98k-spin bulk), False for slabs (already nearly contiguous when the
        atoms are stored cell by cell, as ASE builds them). Same numbers either way.
    collective_every : int ≥ 0
        Collective move: 0 = off (default); k ≥ 1 = after every k-th sweep (counted from the
        simulation's start), one rigid-rotation attempt per group of ``collective_groups``: all
        spins of the group are rotated by R(û, θ), û uniform on the sphere, θ uniform in [−w, w],
        accepted with Metropolis on the exact ΔE (exchange inside the group is rotation invariant;
        anisotropy, Zeeman, dipolar and exchange bonds leaving the group are included). R and
        R⁻¹ are equally likely, so detailed balance holds. The half-width w adapts towards 50 %
        acceptance (see ``collective_width``, ``collective_acceptance``; frozen by
        :meth:`freeze_cone`). It draws from stream 0, after the sweep, so same seed and threads ⇒
        same numbers. Settable later (``sim.collective_every = 1``).
        This is an *equilibrium sampling accelerator*: it lets the total moment of an
        exchange-stiff particle relax in a few sweeps instead of ~10⁴, so equilibrium (e.g.
        superparamagnetic, reversible) M(H) is reached; but the number of sweeps becomes an
        even poorer proxy for physical time. Hysteresis users choose: with it, loops approach
        the equilibrium (Hc → 0 when KV ≲ 25 k_BT over the run); without it, coercivity also
        reflects the slow single-spin dynamics.
    collective_groups : None, "all", "components" or (N,) int array
        Groups rotated together: None/"all" = every spin (one group); "components" = each
        connected component of the exchange graph (e.g. each particle of an assembly); an
        array = label per site (−1 = never rotated collectively).
    collective_width : float
        Initial rotation-angle half-width w in rad, in [1e-4, π].

    Notes
    -----
    Threads: ``threads=1`` is honoured everywhere: the sweep is then sequential (unless
    ``parallel=True`` is forced, which then runs the block sweep with one block per phase) and every
    kernel runs with numba set to one thread. Under CPU contention the parallel sweep
    can be orders of magnitude slower (measured 0.24 s vs 0.001 s per sweep for 1395 spins on a
    loaded 2-core machine); pass ``threads=1`` there.
    """

    def __init__(self, model, T, seed, move="adaptive", threads=None, parallel=None, adapt=True,
                 sigma=SIGMA_START, adapt_moves=_k.ADAPT_MOVES, renumber=None, collective_every=0,
                 collective_groups=None, collective_width=COLLECTIVE_WIDTH_START, decomposition="auto"):
        self.model = model
        self._a = _Arrays(model)
        self.T = _check_T(T)
        self.seed = _check_seed(seed)
        if move not in MOVES:
            raise ValueError(f"move: {move!r} is not one of {sorted(MOVES)}")
        self.move = move
        if threads is None:
            threads = numba.get_num_threads()
        if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1:
            raise ValueError(f"threads: {threads!r} is outside [1, inf) (integer)")
        self.threads = int(threads)
        if parallel is None:
            parallel = self.threads > 1 and self._a.n >= PARALLEL_MIN_SPINS
        self.parallel = bool(parallel)
        self.adapt = bool(adapt)
        sigma = float(sigma)
        if not (_k.SIGMA_MIN <= sigma <= _k.SIGMA_MAX):
            raise ValueError(f"sigma: {sigma} is outside [{_k.SIGMA_MIN}, {_k.SIGMA_MAX}]")
        self._sigma = np.array([sigma, 0.0, 0.0])  # σ, pooled accepted, pooled tried
        if isinstance(adapt_moves, bool) or not isinstance(adapt_moves, (int, np.integer)) or adapt_moves < 1:
            raise ValueError(f"adapt_moves: {adapt_moves!r} is outside [1, inf) (integer)")
        self.adapt_moves = int(adapt_moves)
        n_streams = self.threads if self.parallel else 1
        # one 128-byte row per stream (only words 0-3 are used): no false sharing between threads
        self._state = np.zeros((n_streams, 16), dtype=np.uint64)
        self._state[:, :4] = seed_streams(self.seed, n_streams)
        if decomposition not in ("auto", "slabs", "colours"):
            raise ValueError(f"decomposition: {decomposition!r} is not one of 'auto', 'slabs', 'colours'")
        self._perm = None
        self.decomposition = "sequential"
        if self.parallel:
            blocks = None
            if decomposition == "slabs" or (decomposition == "auto" and not self._a.has_dip):
                blocks = slab_blocks(model, self.threads)
                if blocks is None and decomposition == "slabs":
                    raise ValueError(f"decomposition: 'slabs' impossible here: {2 * self.threads} slabs of "
                                     f"{self._a.n} spins are thinner than the exchange range (bonds join "
                                     f"two slabs of one phase); use 'colours' or fewer threads")
            self.decomposition = "colours" if blocks is None else "slabs"
            if blocks is None:
                blocks = _colour_blocks(model, self.threads)
            self._phase_ptr, self._block_ptr, self._sites = blocks
            self._sites = self._sites.astype(np.int32)  # N < 2**31 (SpinModel): 4 B/spin
            if renumber is None:
                renumber = self.decomposition == "colours"
            if renumber:
                # renumber the sites internally so that every block is contiguous in memory (colour
                # classes are scattered: measured ~2× on 98k-spin bulk; slabs are nearly contiguous)
                self._perm = self._sites
                self._a = self._a.permuted(self._perm)
                self._sites = np.arange(self._a.n, dtype=np.int32)
        self._order = None if self.parallel else np.arange(self._a.n, dtype=np.int32)
        self._spins = self._internal(_check_spins(model.spins, self._a.n))
        self._sweeps_done = 0
        self._accepted = 0
        self._tried = 0
        if model.sublattice is not None:
            labels = np.asarray(model.sublattice)
            self._sub_names, self._sub_group = np.unique(labels, return_inverse=True)
            self._sub_group = self._sub_group.astype(np.int32)
        else:
            self._sub_names = np.array([], dtype=object)
            self._sub_group = np.zeros(self._a.n, dtype=np.int32)
        self._sub_group = np.ascontiguousarray(self._internal(self._sub_group))
        self.collective_every = collective_every
        w = float(collective_width)
        if not (_k.COLL_WIDTH_MIN <= w <= _k.COLL_WIDTH_MAX):
            raise ValueError(f"collective_width: {w} is outside [{_k.COLL_WIDTH_MIN}, π] rad")
        self._cwidth = np.array([w, 0.0, 0.0])  # w, pooled accepted, pooled tried
        labels = self._internal(_group_labels(self._a.n, np.asarray(model.indptr, dtype=np.int64),
                                              np.asarray(model.indices, dtype=np.int64),
                                              collective_groups))
        self._groups = _group_arrays(labels, self._a.indptr, self._a.indices, self._a.J)
        self._rot = np.zeros((3, 3))
        self._dM = np.zeros_like(self._a.Mc)
        self._coll_accepted = 0
        self._coll_tried = 0
        self._refresh_dipolar()

    @property
    def collective_every(self):
        """Sweeps between collective rotation attempts (0 = off)."""
        return self._collective_every

    @collective_every.setter
    def collective_every(self, k):
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
            raise ValueError(f"collective_every: {k!r} is outside [0, inf) (integer)")
        self._collective_every = int(k)

    @property
    def collective_width(self):
        """Current half-width w (rad) of the collective rotation angle θ ∈ [−w, w]."""
        return float(self._cwidth[0])

    @property
    def collective_acceptance(self):
        """Accepted fraction of all collective attempts so far (nan before the first)."""
        return self._coll_accepted / self._coll_tried if self._coll_tried else float("nan")

    def _internal(self, per_site):
        """Per-site array in the model's numbering → internal numbering."""
        return per_site if self._perm is None else np.ascontiguousarray(per_site[self._perm])

    def _external(self, per_site):
        """Per-site array in the internal numbering → the model's numbering (a new array)."""
        if self._perm is None:
            return per_site.copy()
        out = np.empty_like(per_site)
        out[self._perm] = per_site
        return out

    # -- state -------------------------------------------------------------------------------
    @property
    def spins(self):
        """(N, 3) current spin state (a copy, model's site order). Assign (N, 3) unit vectors to set it."""
        return self._external(self._spins)

    @spins.setter
    def spins(self, value):
        self._spins = self._internal(_check_spins(value, self._a.n))
        self._refresh_dipolar()

    @property
    def field(self):
        """(3,) applied μ0H in tesla."""
        return self._a.b.copy()

    @property
    def cone_width(self):
        """Current Gaussian cone width σ of the adaptive move (dimensionless)."""
        return float(self._sigma[0])

    def freeze_cone(self):
        """Stop adapting σ and the collective width w (use after equilibration for strict detailed balance)."""
        self.adapt = False

    @property
    def acceptance(self):
        """Accepted fraction of all moves tried so far (nan before the first sweep)."""
        return self._accepted / self._tried if self._tried else float("nan")

    @property
    def sweeps_done(self):
        """Number of sweeps run so far."""
        return self._sweeps_done

    @property
    def beta(self):
        """1 / (k_B T_sim) in 1/meV (inf at T = 0); T_sim = T unless the model rescales T (model.thermal)."""
        t = simulation_temperature(self.model, self.T)
        return 1.0 / (K_B_MEV_PER_K * t) if t > 0 else np.inf

    def set_temperature(self, T):
        """Set the temperature T in K (≥ 0)."""
        self.T = _check_T(T)

    def set_field(self, B_T):
        """Set the applied field μ0H (3-vector, tesla); no recompilation."""
        self._a.b[:] = _check_field(B_T, "B_T")

    def energy(self):
        """Total energy (meV) of the current state."""
        return float(_k.total_energy(*self._a.model_args(self._spins)))

    def local_field(self):
        """(N, 3) −∂E/∂ŝ_i of the current state, meV."""
        out = np.empty((self._a.n, 3))
        _k.local_fields(*self._a.model_args(self._spins), out)
        return self._external(out)

    def _refresh_dipolar(self):
        a = self._a
        if a.has_dip:
            _k._dip_refresh(self._spins, a.moments, a.cell_of, a.W, a.Mc, a.Hc)

    def _magnetisation(self):
        tot = np.empty(3)
        grp = np.empty((max(len(self._sub_names), 1), 3))
        _k.magnetisation(self._spins, self._a.moments, self._sub_group, len(self._sub_names), tot, grp)
        return tot, grp[:len(self._sub_names)]

    # -- running -----------------------------------------------------------------------------
    def _sweeps(self, n):
        """n sweeps, with a collective attempt after every sweep whose global number is a
        multiple of ``collective_every`` (so split runs equal whole runs)."""
        k = self._collective_every
        nthr = min(self.threads, numba.config.NUMBA_NUM_THREADS) if self.parallel else 1
        gp = self._groups[0]
        with np.errstate(over="ignore"), _numba_threads(nthr):
            if k == 0 or len(gp) < 2:
                return self._plain_sweeps(n)
            args = self._a.model_args(self._spins) + (self.beta,) + self._groups
            done = 0
            while done < n:
                m = min(n - done, k - self._sweeps_done % k)
                self._plain_sweeps(m)
                done += m
                if self._sweeps_done % k == 0:  # serial kernel: thread count irrelevant
                    acc = _k.collective_attempts(*args, self._cwidth, self.adapt, self._state,
                                                 self._rot, self._dM)
                    self._coll_accepted += int(acc)
                    self._coll_tried += len(gp) - 1

    def _plain_sweeps(self, n):
        """n sweeps of single-spin moves (caller sets np.errstate and the numba thread count)."""
        acc = np.zeros(n, dtype=np.int64)
        args = self._a.model_args(self._spins)
        mv = MOVES[self.move]
        if self.parallel:
            _k.sweep_blocks(n, *args, self.beta, mv, self._sigma, self.adapt, self.adapt_moves,
                            self._state, acc, self._phase_ptr, self._block_ptr, self._sites)
        else:
            _k.sweep_sequential(n, *args, self.beta, mv, self._sigma, self.adapt, self.adapt_moves,
                                self._state, acc, self._order)
        self._sweeps_done += n
        self._accepted += int(acc.sum())
        self._tried += n * self._a.n
        if self._a.has_dip:  # re-anchor the incrementally updated dipolar fields
            self._refresh_dipolar()
        return acc

    def run(self, n_sweeps, observe_every=1, progress=False):
        """Run ``n_sweeps`` sweeps (N moves each), sampling every ``observe_every`` sweeps.

        With ``collective_every = k > 0``, one collective rotation attempt per group follows every
        sweep whose number (counted from the start of the simulation) is a multiple of k.

        Parameters
        ----------
        n_sweeps : int ≥ 0
        observe_every : int ≥ 1
            A sample is taken after sweeps observe_every, 2·observe_every, …
        progress : bool
            Print a progress line to stderr.

        Returns
        -------
        Observables
        """
        if isinstance(n_sweeps, bool) or not isinstance(n_sweeps, (int, np.integer)) or n_sweeps < 0:
            raise ValueError(f"n_sweeps: {n_sweeps!r} is outside [0, inf) (integer)")
        if (isinstance(observe_every, bool) or not isinstance(observe_every, (int, np.integer))
                or observe_every < 1):
            raise ValueError(f"observe_every: {observe_every!r} is outside [1, inf) (integer)")
        n_sweeps, observe_every = int(n_sweeps), int(observe_every)
        n_samples = n_sweeps // observe_every
        energy = np.empty(n_samples)
        mag = np.empty((n_samples, 3))
        sub = np.empty((n_samples, len(self._sub_names), 3))
        sweeps = np.empty(n_samples, dtype=np.int64)
        acc0, tried0 = self._accepted, self._tried
        cacc0, ctried0 = self._coll_accepted, self._coll_tried
        bar = _Progress(n_sweeps, progress)
        done = 0
        for s in range(n_samples):
            self._sweeps(observe_every)
            done += observe_every
            energy[s] = self.energy()
            mag[s], sub[s] = self._magnetisation()
            sweeps[s] = self._sweeps_done
            bar.update(done)
        if n_sweeps > done:
            self._sweeps(n_sweeps - done)
            bar.update(n_sweeps)
        tried = self._tried - tried0
        return Observables(
            T=self.T, field=self.field, energy=energy, magnetisation=mag,
            sublattice_magnetisation={str(k): sub[:, g].copy() for g, k in enumerate(self._sub_names)},
            m_sat=float(np.sum(self._a.moments)), n_spins=self._a.n,
            acceptance=(self._accepted - acc0) / tried if tried else float("nan"), sweeps=sweeps,
            collective_acceptance=((self._coll_accepted - cacc0) / (self._coll_tried - ctried0)
                                   if self._coll_tried > ctried0 else float("nan")))
