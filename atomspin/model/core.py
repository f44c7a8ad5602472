"""The compiled spin model: flat arrays the Monte Carlo kernels work on.

Hamiltonian convention (the one statement every part of atomspin follows)
-----------------------------------------------------------------------
Spins are **unit vectors** ŝ_i (i = magnetic cations only). Energies are in **meV**::

    E = − Σ_{i<j} J_ij ŝ_i·ŝ_j                           exchange, each pair once, J > 0 ferromagnetic
        − Σ_i ŝ_iᵀ Q_i ŝ_i                                quadratic single-site anisotropy (uniaxial
                                                           K e eᵀ, Néel pair surface term, radial surface term)
        + Σ_i [k1_i (sx²sy² + sy²sz² + sz²sx²) + k2_i sx²sy²sz²]   cubic, crystal axes = x, y, z
        − Σ_i m_i μB B·ŝ_i                                Zeeman, B = μ0H in tesla
        − ½ Σ_{i≠j} μ_iᵀ W_ij μ_j                          point-dipole (magnetostatic), μ_i = m_i ŝ_i (μB),
                                                           W_ij = μ0μB²/(4π r³)(3r̂r̂ᵀ − 1): the exact sum
                                                           (model.dipolar; atomspin.model.dipolar), or
                                                           − ½ Σ_{c,d} M_cᵀ W_cd M_d on macrocells (legacy)

J_ij absorbs the spin lengths and the factor 2 of a literature "−2J S_i·S_j" convention: a set
quoted as −2 Σ_{i<j} J S_i·S_j with classical spin lengths S becomes J_ij = 2 J S_i S_j here.
With this convention, k1 < 0 makes ⟨111⟩ the easy axes (magnetite at room temperature).

Literature sets are stored in their own convention in ``atomspin/model/params/*.toml`` and converted by
:mod:`atomspin.model.parameters` (J_ij = c·J_lit·S_i·S_j with c = 1 or 2 and S = m/2 or √(S(S+1))).
Default magnetite set: Uhl & Siberchicot (1995), −2J S·S with classical S_A = 5/2, S_B = 9/4 →
J_AB = −32.85, J_AA = −1.375, J_BB = +2.430 meV; Monte Carlo Tc = 858 ± 15 K (experiment 858 K,
tests/test_tc.py). Pairs are classified by their Fe–O–Fe path in :mod:`atomspin.model.geometry`.

The CSR neighbour list is **symmetric**: pair (i, j) appears in row i and in row j with the same J,
so that the local exchange field is h_i = Σ_{j ∈ row i} J_ij ŝ_j and
E_exchange = −½ Σ_i ŝ_i·h_i.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as _dcfield
from typing import Optional

import numpy as np
from atomspin.model.sums import site_sum

from atomspin.units import MU_B_MEV_PER_T

# quadratic anisotropy components are stored as (xx, yy, zz, xy, xz, yz)
QUAD_ORDER = ("xx", "yy", "zz", "xy", "xz", "yz")


def quad_from_matrix(q):
    """Pack symmetric (..., 3, 3) matrices into (..., 6) in QUAD_ORDER."""
    q = np.asarray(q, dtype=np.float64)
    return np.stack([q[..., 0, 0], q[..., 1, 1], q[..., 2, 2],
                     q[..., 0, 1], q[..., 0, 2], q[..., 1, 2]], axis=-1)


def quad_to_matrix(q6):
    """Unpack (..., 6) in QUAD_ORDER into symmetric (..., 3, 3) matrices."""
    q6 = np.asarray(q6, dtype=np.float64)
    m = np.empty(q6.shape[:-1] + (3, 3))
    m[..., 0, 0], m[..., 1, 1], m[..., 2, 2] = q6[..., 0], q6[..., 1], q6[..., 2]
    m[..., 0, 1] = m[..., 1, 0] = q6[..., 3]
    m[..., 0, 2] = m[..., 2, 0] = q6[..., 4]
    m[..., 1, 2] = m[..., 2, 1] = q6[..., 5]
    return m


@dataclass
class DipolarCells:
    """Macrocell dipolar data.

    Attributes
    ----------
    cell_of : (N,) int64
        Macrocell index of each spin.
    tensor : (C, C, 3, 3) float64, meV / μB²
        W_cd such that E_dip = −½ Σ_{c,d} M_cᵀ W_cd M_d with M_c in μB. W_cc holds the
        self (demagnetising) term of a cell, zero when every cell holds one spin (exact pairwise).
    """

    cell_of: np.ndarray
    tensor: np.ndarray

    @property
    def n_cells(self) -> int:
        return int(self.tensor.shape[0])

    def cell_moments(self, spins, moments):
        """M_c = Σ_{i∈c} m_i ŝ_i (μB) of (..., N, 3) spins: (..., C, 3)."""
        s = np.asarray(spins, dtype=np.float64)
        m = np.asarray(moments, dtype=np.float64)[:, None] * s
        mc = np.zeros(s.shape[:-2] + (self.n_cells, 3))
        np.add.at(mc, (Ellipsis, self.cell_of, slice(None)), m)
        return mc

    def energy_meV(self, spins, moments):
        """E_dip = −½ Σ_{c,d} M_cᵀ W_cd M_d in meV of (N, 3) spins (or (..., N, 3): one value per state)."""
        mc = self.cell_moments(spins, moments)
        e = -0.5 * np.einsum("...ci,cdij,...dj->...", mc, self.tensor, mc)
        return float(e) if np.ndim(e) == 0 else e

    def fields_meV(self, spins, moments):
        """−∂E_dip/∂ŝ_i = m_i Σ_d W_{c(i)d} M_d in meV, shape of ``spins`` ((N, 3) or (..., N, 3))."""
        wm = np.einsum("cdij,...dj->...ci", self.tensor, self.cell_moments(spins, moments))
        return np.asarray(moments, dtype=np.float64)[:, None] * wm[..., self.cell_of, :]


@dataclass
class SpinModel:
    """Flat-array classical Heisenberg model of the magnetic cations of a structure.

    Arrays are float64 / int64 and C-contiguous; lengths are N = number of magnetic sites.
    See the module docstring for the Hamiltonian and its units (meV, unit spins, tesla).
    """

    positions: np.ndarray  # (N, 3) Å
    spins: np.ndarray  # (N, 3) unit vectors, the current state
    moments: np.ndarray  # (N,) μB
    indptr: np.ndarray  # (N+1,) int64, symmetric CSR
    indices: np.ndarray  # (nnz,) int32 (N < 2³¹ spins; halves the index memory)
    J: np.ndarray  # (nnz,) meV
    quad: np.ndarray  # (N, 6) meV, QUAD_ORDER
    k1: np.ndarray  # (N,) meV
    k2: np.ndarray  # (N,) meV
    field: np.ndarray = _dcfield(default_factory=lambda: np.zeros(3))  # (3,) tesla
    sublattice: Optional[np.ndarray] = None  # (N,) str labels ("A", "B", "R", ...)
    region: Optional[np.ndarray] = None  # (N,) str labels
    atom_index: Optional[np.ndarray] = None  # (N,) index of each spin in the source Atoms
    dipolar: Optional[object] = None  # energy_meV/fields_meV object (LatticeDipolar, ExactDipolar) or DipolarCells
    cell: Optional[np.ndarray] = None  # (3, 3) Å for periodic bulk, else None
    pbc: tuple = (False, False, False)
    volume_m3: float = float("nan")  # magnetic volume (particle or box), m³
    info: dict = _dcfield(default_factory=dict)
    pair_class: Optional[np.ndarray] = None  # (nnz,) index into info["pair_class_names"], optional

    @classmethod
    def from_atoms(cls, atoms, params=None, field=(0.0, 0.0, 0.0), dipolar="auto", **kwargs) -> "SpinModel":
        """Compile a labelled ``ase.Atoms`` into a model; see :func:`atomspin.model.build.from_atoms`."""
        from atomspin.model.build import from_atoms

        return from_atoms(atoms, params=params, field=field, dipolar=dipolar, **kwargs)

    def __post_init__(self):
        n = len(self.moments)
        self.positions = np.ascontiguousarray(self.positions, dtype=np.float64).reshape(n, 3)
        self.spins = np.ascontiguousarray(self.spins, dtype=np.float64).reshape(n, 3)
        self.moments = np.ascontiguousarray(self.moments, dtype=np.float64)
        self.indptr = np.ascontiguousarray(self.indptr, dtype=np.int64)
        if n >= 2**31 - 1:
            raise ValueError(f"N = {n} spins exceeds the int32 neighbour indices (< 2**31 - 1)")
        self.indices = np.ascontiguousarray(self.indices, dtype=np.int32)
        self.J = np.ascontiguousarray(self.J, dtype=np.float64)
        self.quad = np.ascontiguousarray(self.quad, dtype=np.float64).reshape(n, 6)
        self.k1 = np.ascontiguousarray(self.k1, dtype=np.float64)
        self.k2 = np.ascontiguousarray(self.k2, dtype=np.float64)
        self.field = np.ascontiguousarray(self.field, dtype=np.float64).reshape(3)
        if self.indptr.shape != (n + 1,):
            raise ValueError(f"indptr must have length N+1 = {n + 1}, got {self.indptr.shape}")
        if self.indices.shape != self.J.shape:
            raise ValueError("indices and J must have the same length")
        for name in ("sublattice", "region"):  # shortest fixed-width strings: 4 B/char/spin
            lab = getattr(self, name)
            if lab is not None:
                lab = np.asarray(lab).astype(str)
                width = max(1, max((len(x) for x in lab), default=1))
                setattr(self, name, np.ascontiguousarray(lab.astype(f"<U{width}")))
        if self.pair_class is not None:
            # int8: a class index per CSR entry (≤ 127 classes); keeps the model near 400 B/spin
            self.pair_class = np.ascontiguousarray(self.pair_class, dtype=np.int8)
            if self.pair_class.shape != self.J.shape:
                raise ValueError("pair_class must have the same length as J")
        if not np.all(np.isfinite(self.field)):
            raise ValueError(f"field: must be finite (tesla), got {self.field}")
        norms = np.linalg.norm(self.spins, axis=1)
        if n and not np.allclose(norms, 1.0, atol=1e-8):
            raise ValueError("spins must be unit vectors")

    @property
    def n(self) -> int:
        """Number of spins."""
        return int(len(self.moments))

    def zeeman_prefactor(self) -> np.ndarray:
        """(N,) m_i μB in meV/T: Zeeman energy is −prefactor_i B·ŝ_i."""
        return self.moments * MU_B_MEV_PER_T

    def energy(self, spins=None, field=None) -> float:
        """Total energy in meV of a spin state (default ``self.spins``); see :mod:`atomspin.model.hamiltonian`
        for the per-term breakdown, the fields and batches of states."""
        from atomspin.model.hamiltonian import Hamiltonian

        return float(Hamiltonian(self, field).energy(self.spins if spins is None else spins))

    def mean_field_tc(self) -> float:
        """Classical mean-field ordering temperature in K; see :func:`atomspin.model.meanfield.mean_field_tc`."""
        from atomspin.model.meanfield import mean_field_tc

        return mean_field_tc(self)

    def magnetisation(self, spins=None) -> np.ndarray:
        """Total moment vector Σ m_i ŝ_i in μB."""
        s = self.spins if spins is None else spins
        return site_sum(self.moments, s)
