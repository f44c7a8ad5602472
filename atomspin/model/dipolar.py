"""Magnetostatic (point-dipole) interaction of the magnetic sites.

E_dip = −½ Σ_{i≠j} μ_iᵀ W_ij μ_j,  μ_i = m_i ŝ_i (μB),  W_ij = μ0 μB² / (4π r³) (3 r̂ r̂ᵀ − 1) [meV/μB²],

i.e. exactly the pair energy (μ0/4π r³)[μ_i·μ_j − 3(μ_i·r̂)(μ_j·r̂)] summed once over every pair of a finite
particle. Methods (``SpinModel.from_atoms(dipolar=...)``, :func:`build_dipolar`):

* ``"lattice"`` (default for particles, :class:`~atomspin.model.dipolar_lattice.LatticeDipolar`): FFT
  convolution over crystal unit cells with one kernel per pair of occupied cosets (cell positions) —
  **exact** (equal to the pairwise sum to ~1e-13 relative) for every site on the crystal's fine grid,
  which holds all builder output (vacancies, surfaces, antiphase boundaries, FeO cores); off-grid sites
  are summed pair by pair. Cost O(B² n_cells log n_cells), B = occupied cosets (24 for magnetite).
* ``"exact"`` (:class:`ExactDipolar`): the O(N²) pairwise sum on the fly (no N² tensor), the reference.
* ``"grains"`` (:class:`~atomspin.model.dipolar_grains.GrainDipolar`): particles whose sites lie on several
  crystal lattices (misoriented nanoflower cores, bicrystals): exact within each grain (one lattice FFT per
  grain in its crystal frame), inter-grain pairs exact in the near field and by a second-order multipole
  expansion in the far field (rms field error ≤ 1e-4 against the pair sum). Needs the grain labels and
  ``atoms.info["grains"]`` (rotations) of a polycrystal builder.
* a float (nm): the former macrocell approximation (:func:`build_macrocells`, point dipoles at cell
  centres, W_cc = 0), kept for comparison only — it is +46 % (5 × 10 nm) to +96 % (6 × 9 nm) off the
  exact shape energy of magnetite, because cells cut through the ferrimagnetic sublattices.

Periodic boxes get no dipolar term: the point-dipole sum of an infinite periodic lattice is conditionally
convergent — its value depends on the macroscopic shape of the sample (the demagnetising field), which a
periodic box does not have. With conducting ("tin-foil") boundaries the Ewald sum of a uniformly
magnetised cubic lattice is zero by symmetry (for the spinel the trigonal local fields of the four B
sites cancel in the sum), so the periodic model stands for the shape-free bulk material; shape
anisotropy belongs to particles. Asking for dipolar terms on a periodic box is a ValueError.

Rigid rotations: for a collinear state ŝ_i = σ_i n̂ the dipolar energy is E(n̂) = n̂ᵀ D n̂ with the shape
tensor D = −½ Σ_{i≠j} q_i q_j W_ij, q_i = σ_i m_i (:func:`shape_tensor_J`); continuum limit
D → ½ μ0 Ms² V (N_demag − ⅓) for point dipoles on a cubic lattice (the Lorentz cavity term −⅓ is
isotropic and drops out of every energy difference).
"""

from __future__ import annotations

import numpy as np

from atomspin.model.core import DipolarCells
from atomspin.model.sums import site_gram, site_sum
from atomspin.units import ANGSTROM, MEV, MU_0, MU_B

#: μ0 μB² / (4π · 1 Å³) in meV
DIP_PREFACTOR_MEV_A3 = MU_0 / (4 * np.pi) * MU_B ** 2 / ANGSTROM ** 3 / MEV
#: the exact pairwise method is refused above this many spins (N² pair evaluations per call: 4e8 at the
#: limit, ≈ 1 s on 2 cores; derived)
EXACT_MAX_SPINS = 20000
#: memory limit (bytes) of the lattice FFT arrays (a single process should stay under ~4 GB; derived)
LATTICE_MAX_BYTES = 3 * 2 ** 30
METHODS = ("lattice", "exact", "grains")
#: dipolar="auto" uses the exact pair sum up to this many spins and the lattice FFT above (derived: fields +
#: shape tensor on one core, 583 spins 3.3 vs 5.6 ms, 1395 spins 18.5 vs 11.8 ms: the crossover is ≈ 1000)
AUTO_EXACT_MAX_SPINS = 1000
#: dipolar="auto" on sites with no common lattice grid uses the exact pair sum up to this many spins and
#: "grains" above when the structure has grain records (derived, one core, under load, 7 × 4 nm flowers of
#: 8,446 / 8,513 spins: one field evaluation 0.51 / 0.47 s exact vs 0.57 / 0.53 s grains, one sweeper
#: refresh 1.51 / 1.45 s vs 1.31 / 1.28 s; a 26-direction landscape of the 8,513-spin flower 54 s exact vs
#: 49 s grains: the crossover is ≈ 10,000)
AUTO_GRAINS_MIN_SPINS = 10000

_MAX_TENSOR_BYTES = 2 * 1024 ** 3


def _check_state(spins, moments, n):
    s = np.asarray(spins, dtype=np.float64)
    m = np.asarray(moments, dtype=np.float64)
    if s.shape != (n, 3):
        raise ValueError(f"spins: expected shape ({n}, 3), got {s.shape}")
    if m.shape != (n,):
        raise ValueError(f"moments: expected shape ({n},), got {m.shape}")
    return s, m


def _collinear_charges(spins, moments, tol=1e-6):
    """Signed moments q_i = m_i ŝ_i·n̂ (μB) of a collinear state ŝ_i = ±n̂ (ValueError otherwise)."""
    s = np.asarray(spins, dtype=np.float64)
    m = np.asarray(moments, dtype=np.float64)
    n = len(m)
    if s.shape != (n, 3):
        raise ValueError(f"spins: expected shape ({n}, 3), got {s.shape}")
    if n == 0:
        return np.zeros(0)
    w, v = np.linalg.eigh(site_gram(s))
    axis = v[:, -1]
    proj = s @ axis
    if np.max(np.abs(np.abs(proj) - 1.0)) > tol:
        raise ValueError("spins: the shape tensor needs a collinear state (every ŝ_i = ±n̂); "
                         f"largest deviation {np.max(np.abs(np.abs(proj) - 1.0)):.3g}")
    return m * np.sign(proj)


class ExactDipolar:
    """Exact pairwise point-dipole sum, O(N²) per call, computed on the fly (no N² tensor in memory).

    Parameters
    ----------
    positions_A : (N, 3) float, Å
    """

    method = "exact"

    def __init__(self, positions_A):
        pos = np.ascontiguousarray(positions_A, dtype=np.float64).reshape(-1, 3)
        self.positions = pos
        self.n = len(pos)
        if self.n > EXACT_MAX_SPINS:
            raise ValueError(f"dipolar: 'exact' sums N² = {self.n ** 2:.3g} pairs per call; allowed up to "
                             f"{EXACT_MAX_SPINS} spins (use dipolar='lattice')")
        if self.n > 1:
            from scipy.spatial import cKDTree

            if len(cKDTree(pos).query_pairs(1e-6)):
                raise ValueError("positions: two magnetic sites at the same position")
        self.memory_estimate = 24 * self.n

    def describe(self):
        return f"exact pairwise sum over {self.n} spins"

    def field_per_moment(self, mu):
        """H_i = Σ_{j≠i} W_ij μ_j (N, 3) in meV/μB."""
        from atomspin.model import dipolar_kernels as dk

        mu = np.ascontiguousarray(mu, dtype=np.float64).reshape(self.n, 3)
        out = np.zeros((self.n, 3))
        if self.n > 1:
            f = dk.pairwise_fields if self.n >= dk.PARALLEL_MIN_SITES else dk.pairwise_fields_serial
            f(self.positions, mu, DIP_PREFACTOR_MEV_A3, out)
        return out

    def fields_and_rotation_tensor_meV(self, spins, moments):
        """(fields (N, 3) meV, rotation tensor T (3, 3, 3, 3) meV with E_dip(Rŝ) = −½ Σ R_kα R_lβ T_klαβ),
        one pair sum."""
        from atomspin.model import dipolar_kernels as dk

        s, m = _check_state(spins, moments, self.n)
        mu = np.ascontiguousarray(m[:, None] * s)
        out = np.zeros((self.n, 3))
        rows = np.zeros((self.n, 6, 3, 3))
        if self.n > 1:
            f = dk.pairwise_fields_t if self.n >= dk.PARALLEL_MIN_SITES else dk.pairwise_fields_t_serial
            f(self.positions, mu, DIP_PREFACTOR_MEV_A3, out, rows)
        t6 = rows.sum(axis=0)
        full = np.empty((3, 3, 3, 3))
        for ci, (k, l) in enumerate(((0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2))):
            full[k, l] = t6[ci]
            full[l, k] = t6[ci]
        return m[:, None] * out, full

    def rotation_tensor_meV(self, spins, moments):
        """T (3, 3, 3, 3) meV: E_dip(Rŝ) = −½ Σ_{klαβ} R_kα R_lβ T_klαβ for every rotation R."""
        return self.fields_and_rotation_tensor_meV(spins, moments)[1]

    def fields_and_axis_shape_tensor_meV(self, spins, moments, axis):
        """(fields (N, 3) meV, D (3, 3) meV of the charges q_i = μ_i·n̂ along the unit vector ``axis``), one
        pair sum (the refresh data of the dipolar sweepers)."""
        from atomspin.model import dipolar_kernels as dk

        s, m = _check_state(spins, moments, self.n)
        mu = np.ascontiguousarray(m[:, None] * s)
        out = np.zeros((self.n, 3))
        rows = np.zeros((self.n, 6))
        if self.n > 1:
            f = dk.pairwise_fields_axis if self.n >= dk.PARALLEL_MIN_SITES else dk.pairwise_fields_axis_serial
            f(self.positions, mu, np.asarray(axis, dtype=np.float64).reshape(3), DIP_PREFACTOR_MEV_A3, out, rows)
        d6 = -0.5 * rows.sum(axis=0)
        d = np.empty((3, 3))
        for ci, (k, l) in enumerate(((0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2))):
            d[k, l] = d[l, k] = d6[ci]
        return m[:, None] * out, d

    def fields_meV(self, spins, moments):
        """−∂E_dip/∂ŝ_i (N, 3) in meV."""
        s, m = _check_state(spins, moments, self.n)
        return m[:, None] * self.field_per_moment(m[:, None] * s)

    def energy_meV(self, spins, moments):
        """E_dip in meV."""
        s, m = _check_state(spins, moments, self.n)
        mu = m[:, None] * s
        return float(-0.5 * np.sum(mu * self.field_per_moment(mu)))

    def work_estimate(self):
        """Estimated cost of one refresh in the lattice FFT's work units (1.5 ns each): 6.5 per pair (derived:
        9.6 ns per pair measured for fields + shape tensor on one core, vs 1.45 ns per lattice work unit)."""
        return 6.5 * float(self.n) ** 2

    def shape_tensor_meV(self, spins, moments):
        """D (3, 3) meV, E_dip(R ŝ) = (R n̂)ᵀ D (R n̂) for the collinear state ``spins``."""
        return self.charge_shape_tensor_meV(_collinear_charges(spins, moments))

    def charge_shape_tensor_meV(self, q):
        """D (3, 3) meV = −½ Σ_{i≠j} q_i q_j W_ij for signed moments q (N,) μB along one axis."""
        q = np.asarray(q, dtype=np.float64).reshape(self.n)
        d = np.empty((3, 3))
        for l in range(3):
            mu = np.zeros((self.n, 3))
            mu[:, l] = q
            d[:, l] = -0.5 * site_sum(q, self.field_per_moment(mu))
        return 0.5 * (d + d.T)


def build_dipolar(positions_A, method="lattice", *, spacing_A=None, max_bytes=LATTICE_MAX_BYTES):
    """The dipolar object of a set of sites.

    Parameters
    ----------
    positions_A : (N, 3) float, Å
    method : {"lattice", "exact"}
    spacing_A : (3,) float, Å, optional
        Fine lattice step (``"lattice"``; default: found from the positions).
    max_bytes : float
        Memory limit of the lattice FFT (ValueError naming ``dipolar`` before any work).

    Returns
    -------
    LatticeDipolar or ExactDipolar
        Objects with ``energy_meV(spins, moments)``, ``fields_meV(spins, moments)`` (contract 6) and
        ``shape_tensor_meV(spins, moments)``.
    """
    if method == "exact":
        return ExactDipolar(positions_A)
    if method == "lattice":
        from atomspin.model.dipolar_lattice import LatticeDipolar

        return LatticeDipolar(positions_A, spacing_A=spacing_A, max_bytes=max_bytes)
    raise ValueError(f"dipolar: {method!r} is not one of {list(METHODS)}")


#: fine subdivisions of the template cell tried when the positions alone give no grid (some sites off
#: the lattice): spinel cations sit on multiples of a/8, rock-salt cations on a/2 (derived)
_CELL_SUBDIVISIONS = (8, 4, 2, 1, 24)


def _grid_from_info(positions_A, info):
    """(spacing (3,), origin (3,)) of the parent lattice from a builder's ``atoms.info`` (cell lengths and
    lattice origin), holding ≥ 90 % of the sites, or None."""
    import json

    try:
        lengths = np.asarray(json.loads(info["cell_lengths_A"]), dtype=np.float64).reshape(3)
        origin = np.asarray(json.loads(info["lattice_origin_A"]), dtype=np.float64).reshape(3)
    except (KeyError, TypeError, ValueError):
        return None
    pos = np.asarray(positions_A, dtype=np.float64)
    for q in _CELL_SUBDIVISIONS:
        g = lengths / q
        f = (pos - origin) / g
        if np.mean(np.all(np.abs(f - np.round(f)) <= 1e-6, axis=1)) >= 0.9:
            return g, origin
    return None


def _has_grains(info, grain):
    """True when ``grain`` labels and ``info["grains"]`` records of more than one grain are given."""
    if grain is None or info is None or not info.get("grains"):
        return False
    return len(np.unique(np.asarray(grain))) > 1


def make_dipolar(positions_A, dipolar, pbc=(False, False, False), info=None, grain=None):
    """The dipolar object of ``SpinModel.from_atoms`` (or None) for the option ``dipolar``.

    Parameters
    ----------
    positions_A : (N, 3) magnetic-site positions, Å
    dipolar : False/None, True/"auto", "lattice", "exact", "grains" or a macrocell edge in nm (float > 0)
        "auto"/True: none for a periodic box (module docstring), else "exact" below
        :data:`AUTO_EXACT_MAX_SPINS` spins and "lattice" above; when the sites lie on no common grid,
        "exact" up to :data:`AUTO_GRAINS_MIN_SPINS` spins and "grains" above (multi-grain structures),
        "exact" up to :data:`EXACT_MAX_SPINS` otherwise. A float: the former macrocells (inaccurate, kept
        to compare).
    pbc : 3 bools
    info : ``atoms.info`` (its lattice is used when a few sites are off the grid; its ``grains`` records
        give the grains' rotations for "grains")
    grain : (N,) int, optional
        Grain label of each site (``atoms.arrays["grain"]`` of the magnetic sites), for "grains".

    Returns
    -------
    (object or None, description str)
    """
    if dipolar is False or dipolar is None:
        return None, "none"
    periodic = any(bool(p) for p in pbc)
    if dipolar is True or (isinstance(dipolar, str) and dipolar == "auto"):
        if periodic and dipolar is True:
            raise ValueError("dipolar: True is not available with periodic boundaries (the dipolar sum of a "
                             "periodic box depends on the sample shape; see atomspin.model.dipolar); use "
                             "dipolar=False or 'auto' (which gives none for periodic boxes)")
        if periodic:
            return None, ("none: periodic box (the dipolar sum of an infinite lattice depends on the sample "
                          "shape; see atomspin.model.dipolar)")
        method = "exact" if len(positions_A) <= AUTO_EXACT_MAX_SPINS else "lattice"
    elif isinstance(dipolar, str):
        if dipolar not in METHODS:
            raise ValueError(f"dipolar: {dipolar!r} is not one of False, True, 'auto', 'lattice', 'exact', "
                             "'grains' or a macrocell edge in nm (> 0)")
        method = dipolar
    else:
        from atomspin.validation import check_positive

        size = check_positive("dipolar", dipolar)
        if periodic:
            raise ValueError("dipolar: not available with periodic boundaries (the dipolar sum of a periodic "
                             "box depends on the sample shape; see atomspin.model.dipolar); use dipolar=False")
        pos = np.asarray(positions_A, dtype=np.float64)
        extent = float(np.max(np.ptp(pos, axis=0))) if len(pos) else 0.0
        if 10.0 * size > extent + 1e-9 and len(pos) > 1:
            raise ValueError(f"dipolar: macrocell edge {size:g} nm does not fit the particle (largest extent "
                             f"{extent / 10:.3g} nm): use a smaller cell, 'lattice' or 'exact'")
        return build_macrocells(pos, size), f"macrocells {size:g} nm"
    if periodic:
        raise ValueError(f"dipolar: {dipolar!r} is not available with periodic boundaries (the dipolar sum of a "
                         "periodic box depends on the sample shape; see atomspin.model.dipolar); use "
                         "dipolar=False")
    if method == "exact":
        obj = ExactDipolar(positions_A)
        return obj, "exact pairwise"
    if method == "grains":
        from atomspin.model.dipolar_grains import grain_dipolar_from_info

        obj = grain_dipolar_from_info(positions_A, grain, info, max_bytes=LATTICE_MAX_BYTES)
        return obj, obj.describe()
    from atomspin.model.dipolar_lattice import LatticeDipolar, find_fine_grid

    g, _, on = find_fine_grid(positions_A) if len(positions_A) else (None, None, None)
    spacing = origin = None
    if g is None and info is not None:
        got = _grid_from_info(positions_A, info)
        if got is not None:
            spacing, origin = got
    if g is None and spacing is None:
        auto = dipolar is True or (isinstance(dipolar, str) and dipolar == "auto")
        grains = _has_grains(info, grain)
        if auto and grains and len(positions_A) > AUTO_GRAINS_MIN_SPINS:
            from atomspin.model.dipolar_grains import grain_dipolar_from_info

            obj = grain_dipolar_from_info(positions_A, grain, info, max_bytes=LATTICE_MAX_BYTES)
            return obj, obj.describe()
        if len(positions_A) <= EXACT_MAX_SPINS and auto:
            return ExactDipolar(positions_A), "exact pairwise (no lattice grid)"
        raise ValueError("dipolar: the sites lie on no common lattice grid (rotated or relaxed structure) and "
                         f"{len(positions_A)} spins are too many for 'exact' (≤ {EXACT_MAX_SPINS})"
                         + ("" if grains else "; a multi-grain structure (grain labels and atoms.info['grains']) "
                            "can use dipolar='grains'"))
    obj = LatticeDipolar(positions_A, spacing_A=spacing, origin_A=origin, max_bytes=LATTICE_MAX_BYTES)
    return obj, obj.describe()


def shape_tensor_J(model, spins=None):
    """Shape (rigid-rotation) tensor D in J of a collinear state: E_dip(n̂) = n̂ᵀ D n̂.

    Parameters
    ----------
    model : SpinModel
        With a dipolar object (``model.dipolar``), or None: then the exact pairwise sum is used when the
        model is small enough, else the lattice method is built for the call.
    spins : (N, 3) unit vectors, optional
        A collinear state ŝ_i = σ_i n̂ (default ``model.spins``, the Néel state); only the signs σ_i
        matter.

    Returns
    -------
    (3, 3) float, J
        Symmetric; exact for the point-dipole sum. For a particle its anisotropic part is the shape
        anisotropy: E(n̂1) − E(n̂2) = (n̂1ᵀDn̂1 − n̂2ᵀDn̂2). Continuum limit ½ μ0 Ms² V (N − ⅓).
    """
    s = model.spins if spins is None else spins
    dip = model.dipolar
    if dip is None or not hasattr(dip, "shape_tensor_meV"):
        if any(getattr(model, "pbc", (False,) * 3)):
            raise ValueError("model: periodic boxes have no shape tensor (see atomspin.model.dipolar)")
        dip = ExactDipolar(model.positions) if model.n <= 3000 else build_dipolar(model.positions, "lattice")
    return dip.shape_tensor_meV(s, model.moments) * MEV


# ----------------------------------------------------------------------------- legacy macrocells
def dipolar_tensor(centres_A, self_volume_A3=None):
    """(C, C, 3, 3) W_cd in meV/μB² for cell centres in Å (macrocell method; W_cc = 0 unless
    ``self_volume_A3`` gives the continuum cube self term −μ0 μB²/(3 V_c))."""
    r = np.asarray(centres_A, dtype=np.float64)
    c = len(r)
    d = r[None, :, :] - r[:, None, :]
    dist = np.linalg.norm(d, axis=2)
    np.fill_diagonal(dist, 1.0)
    if np.any(dist[~np.eye(c, dtype=bool)] < 1e-6):
        raise ValueError("dipolar: two macrocells share a centre")
    u = d / dist[:, :, None]
    w = (DIP_PREFACTOR_MEV_A3 / dist ** 3)[:, :, None, None] * (3 * np.einsum("cdi,cdj->cdij", u, u)
                                                                 - np.eye(3)[None, None])
    idx = np.arange(c)
    w[idx, idx] = 0.0
    if self_volume_A3 is not None:
        v = np.asarray(self_volume_A3, dtype=np.float64)
        selfw = np.where(np.isfinite(v) & (v > 0), -4 * np.pi * DIP_PREFACTOR_MEV_A3 / (3 * np.where(v > 0, v, 1)),
                         0.0)
        w[idx, idx] = selfw[:, None, None] * np.eye(3)[None]
    return w


def build_macrocells(positions_A, cell_size_nm):
    """Macrocells of edge ``cell_size_nm`` (nm, > 0) or ``"exact"`` (one cell per spin) with their tensor.

    The macrocell approximation (point dipoles at the cell centres, W_cc = 0; Evans et al., J. Phys.:
    Condens. Matter 26, 103202 (2014)) neglects the intra-cell sum and is far from the exact sum for the
    ferrimagnetic spinel (module docstring); it is kept to compare with. The tensor is (C, C, 3, 3).
    """
    pos = np.asarray(positions_A, dtype=np.float64)
    n = len(pos)
    if isinstance(cell_size_nm, str):
        if cell_size_nm != "exact":
            raise ValueError(f"dipolar: {cell_size_nm!r} is not 'exact', True/False or a cell size in nm (> 0)")
        cell_of = np.arange(n, dtype=np.int64)
    else:
        size = float(cell_size_nm)
        if not np.isfinite(size) or size <= 0:
            raise ValueError(f"dipolar: cell size {cell_size_nm} nm is outside (0, inf)")
        g = np.floor((pos - pos.min(axis=0)) / (10.0 * size)).astype(np.int64)
        _, cell_of = np.unique(g, axis=0, return_inverse=True)
        cell_of = cell_of.ravel().astype(np.int64)
    nc = int(cell_of.max()) + 1 if n else 0
    need = nc * nc * 9 * 8
    if need > _MAX_TENSOR_BYTES:
        raise ValueError(f"dipolar: {nc} cells need a {need / 1024 ** 3:.1f} GiB tensor (limit 2 GiB); "
                         "use a larger cell size")
    cnt = np.bincount(cell_of, minlength=nc)
    centres = np.zeros((nc, 3))
    np.add.at(centres, cell_of, pos)
    centres /= cnt[:, None]
    return DipolarCells(cell_of=cell_of, tensor=dipolar_tensor(centres, None))
