"""Exact point-dipole sums on a crystal lattice by FFT convolution over unit cells, one kernel per coset pair.

Every magnetic site of a particle cut from a crystal (spinel, rock salt, simple cubic …) lies on a fine
orthogonal grid r = o + f⊙g (f integer, g the fine spacing: a/8 for the spinel cations, a/2 for rock salt).
Group the fine points into coarse cells of m×m×m fine steps (the crystal's unit cell for the spinel: m = 8,
edge a): site i sits in cell c_i = ⌊f_i/m⌋ on *coset* u_i = f_i mod m. The B occupied cosets (24 for a
perfect magnetite particle: 8 A + 16 B positions of the cubic cell; an antiphase boundary adds the 8
shifted A positions, an FeO core the 16c holes) each carry a moment array M_b(c) on the cell grid, and
the point-dipole field is a sum of B² discrete convolutions::

    H_a(c) = Σ_b Σ_c' W((c − c')⊙L + (u_a − u_b)⊙g) M_b(c'),      L = m g,

evaluated by zero-padded real FFTs (padded size P ≥ 2n + 1 per axis for n cells) with one kernel per
coset difference d = (u_a − u_b) mod m; the wrap into a neighbouring cell is a phase e^{2πi k·t/P} and
the difference −d uses the complex conjugate of the kernel of d. This is **exact** (the same sum as the
pairwise double loop, to FFT round-off ≈ 1e-13 relative) for any set of on-grid sites — vacancies,
surfaces, antiphase boundaries and topotactic cores included — at cost O(B² n³ + B n³ log n) and memory
O((B + n_kernels) n³). Sites off the fine grid (relaxed positions, foreign lattices) are summed exactly
pair by pair with every other site (cost O(N_off·N)).

The lattice is found from the positions (the fine spacing per axis is the common step of the site
coordinates); the cell multiplicity m is the one with the smallest estimated cost (m = 8 for the spinel,
2 for rock salt, 1 for a simple cubic lattice).
"""

from __future__ import annotations

import numpy as np
import scipy.fft as sfft

from atomspin.model import dipolar_kernels as _dk
from atomspin.units import MEV

#: tolerance (in units of the fine spacing) for a coordinate to count as on the grid (builders place sites
#: to ~1e-12 Å; derived)
GRID_TOL = 1e-6
#: cell multiplicities tried (fine steps per coarse cell edge)
MULTIPLICITIES = (1, 2, 3, 4, 6, 8, 12, 16)
#: largest fine-grid refinement tried when the smallest coordinate step is not the common step
MAX_REFINE = 12


def _axis_step(x, tol_A):
    """Common step (Å) of the coordinates ``x`` (all x − x0 integer multiples of it), or None."""
    rel = x - x[0]
    u = np.unique(np.round(rel / tol_A).astype(np.int64))
    if len(u) < 2:
        return np.inf  # a single coordinate value: any step works
    step0 = float(np.min(np.diff(u))) * tol_A
    if step0 <= 10 * tol_A:
        return None
    for k in range(1, MAX_REFINE + 1):
        s = step0 / k
        f = rel / s
        if np.all(np.abs(f - np.round(f)) <= GRID_TOL * 10):
            return s
    return None


def find_fine_grid(positions_A, spacing_A=None, origin_A=None):
    """Fine grid (spacing g (3,), origin o (3,)) holding the sites, and the on-grid mask.

    ``spacing_A`` (3,) and ``origin_A`` (3,) may be given (e.g. a/8 of a spinel and a lattice point); else
    the common coordinate step per axis is found from the positions and o = the first site. Returns
    (g, o, on) or (None, None, all False) when no grid holds the sites.
    """
    pos = np.asarray(positions_A, dtype=np.float64)
    n = len(pos)
    if spacing_A is None:
        g = np.empty(3)
        for ax in range(3):
            s = _axis_step(pos[:, ax], 1e-6)
            if s is None:
                return None, None, np.zeros(n, bool)
            g[ax] = s
        g[~np.isfinite(g)] = np.max(g[np.isfinite(g)]) if np.any(np.isfinite(g)) else 1.0
        o = pos[0].copy()
    else:
        g = np.asarray(spacing_A, dtype=np.float64).reshape(3)
        o = pos[0].copy() if origin_A is None else np.asarray(origin_A, dtype=np.float64).reshape(3)
    f = (pos - o) / g
    on = np.all(np.abs(f - np.round(f)) <= GRID_TOL, axis=1)
    return g, o, on


def _layout(fint, m):
    """Cells, cosets and grid extent for multiplicity m: (cell (N,3), coset index (N,), coset vectors
    (B,3), n (3,))."""
    cell = np.floor_divide(fint, m)
    u = fint - cell * m
    cell -= cell.min(axis=0)
    code = u[:, 0] + m * (u[:, 1] + m * u[:, 2])
    uniq, inv = np.unique(code, return_inverse=True)
    cos = np.stack([uniq % m, (uniq // m) % m, uniq // (m * m)], axis=1)
    n = cell.max(axis=0) + 1
    return cell, inv.ravel().astype(np.int64), cos, n


def _pad_sizes(n):
    return np.array([sfft.next_fast_len(int(2 * k + 1), real=True) for k in n], dtype=np.int64)


def _kernel_classes(cos, m):
    """Pair tables: for every (target a, source b) the kernel class, conjugation flag and cell shift.

    Returns (pair_ptr, pair_src, pair_ker, pair_conj, pair_t, classes (nK, 3) int) with the classes the
    canonical coset differences d ∈ [0, m)³ (d and (−d) mod m share one stored kernel).
    """
    b = len(cos)
    delta = cos[:, None, :] - cos[None, :, :]  # (a, b, 3): u_a − u_b
    e = np.floor_divide(delta, m)
    d = delta - e * m
    dneg = (-d) % m
    s = (d != 0).astype(np.int64)
    code = d[..., 0] + m * (d[..., 1] + m * d[..., 2])
    codeneg = dneg[..., 0] + m * (dneg[..., 1] + m * dneg[..., 2])
    conj = codeneg < code  # the partner −d has the smaller code: use it, conjugated
    canon = np.where(conj, codeneg, code)
    t = np.where(conj[..., None], e + s, e)
    uniq, kidx = np.unique(canon, return_inverse=True)
    kidx = kidx.reshape(b, b)
    classes = np.stack([uniq % m, (uniq // m) % m, uniq // (m * m)], axis=1)
    pair_ptr = np.arange(b + 1, dtype=np.int64) * b
    pair_src = np.tile(np.arange(b, dtype=np.int64), b)
    return (pair_ptr, pair_src, kidx.reshape(-1).astype(np.int64), conj.reshape(-1).astype(np.bool_),
            t.reshape(-1, 3).astype(np.int64), classes)


def plan_cost(fint, m):
    """(estimated seconds-like cost, bytes, layout) of the FFT method with multiplicity m."""
    cell, cidx, cos, n = _layout(fint, m)
    b = len(cos)
    p = _pad_sizes(n)
    nk_half = int(p[0] * p[1] * (p[2] // 2 + 1))
    ntot = int(np.prod(p))
    n_kernels = min(b * b, m ** 3)
    work = b * b * nk_half * 1.0 + (6 * b + 6 * n_kernels) * ntot * np.log2(max(ntot, 2)) * 0.2
    mem = (2 * 3 * b + 6 * n_kernels) * nk_half * 16 + 3 * b * ntot * 8
    return work, mem, (cell, cidx, cos, n, p)


class LatticeDipolar:
    """Exact point-dipole energy and fields by per-coset FFT convolution on the crystal cell grid.

    Parameters
    ----------
    positions_A : (N, 3) float, Å
        Site positions (magnetic sites only; the order is the model's).
    spacing_A, origin_A : (3,) float, Å, optional
        Fine grid (default: found from the positions, see :func:`find_fine_grid`).
    multiplicity : int, optional
        Fine steps per cell edge (default: the cheapest of :data:`MULTIPLICITIES`).
    max_bytes : float, optional
        Memory limit for the kernels and FFT arrays (ValueError naming ``dipolar`` before any work
        when exceeded).
    threads : int, optional
        Worker threads of the FFTs (default: numba's thread count).

    Notes
    -----
    Contract of a dipolar object (engine ↔ model): :meth:`energy_meV` and :meth:`fields_meV` take the
    model's spins (N, 3) unit vectors and moments (N,) μB. The exact pairwise sum is the reference
    (tests/test_model_dipolar.py: equal to 1e-10).
    """

    method = "lattice"

    def __init__(self, positions_A, spacing_A=None, origin_A=None, multiplicity=None, max_bytes=None,
                 threads=None, max_offgrid_pairs=2e9):
        from atomspin.model.dipolar import DIP_PREFACTOR_MEV_A3

        self.pref = DIP_PREFACTOR_MEV_A3
        pos = np.ascontiguousarray(positions_A, dtype=np.float64).reshape(-1, 3)
        self.positions = pos
        self.n = len(pos)
        self.threads = threads
        g, o, on = find_fine_grid(pos, spacing_A, origin_A)
        if g is None or not np.any(on):
            raise ValueError("dipolar: the sites lie on no common orthogonal grid (rotated or relaxed "
                             "structure); use dipolar='exact' (pairwise, small particles)")
        self.spacing = g
        self.origin = o
        self.on = on
        self.off = np.flatnonzero(~on).astype(np.int64)
        n_off = len(self.off)
        if n_off * self.n > max_offgrid_pairs:
            raise ValueError(f"dipolar: {n_off} of {self.n} sites are off the lattice grid; their exact pair sum "
                             f"({n_off * self.n:.3g} pairs) exceeds {max_offgrid_pairs:.3g}; "
                             "use dipolar='exact' or a structure on one lattice")
        idx_on = np.flatnonzero(on)
        fint = np.round((pos[idx_on] - o) / g).astype(np.int64)
        if multiplicity is None:
            best = None
            for m in MULTIPLICITIES:
                cost, mem, lay = plan_cost(fint, m)
                if best is None or cost < best[0]:
                    best = (cost, mem, lay, m)
            _, mem, lay, m = best
        else:
            m = int(multiplicity)
            _, mem, lay = plan_cost(fint, m)
        self.multiplicity = m
        cell, cidx, cos, n, p = lay
        self.cell_shape = n
        self.pad = p
        self.cosets = cos
        self.n_cosets = len(cos)
        (self.pair_ptr, self.pair_src, self.pair_ker, self.pair_conj, self.pair_t,
         self.classes) = _kernel_classes(cos, m)
        self.memory_estimate = int(mem)
        if max_bytes is not None and mem > max_bytes:
            raise ValueError(f"dipolar: the lattice FFT needs ≈ {mem / 2**30:.2f} GiB for {self.n} spins "
                             f"({self.n_cosets} cosets, grid {tuple(int(x) for x in p)}), over the limit "
                             f"{max_bytes / 2**30:.2f} GiB; pass dipolar=False or raise the limit")
        # site → (cell, coset) for the on-grid sites
        self.site_on = idx_on
        self.site_cell = np.ascontiguousarray(cell)
        self.site_coset = np.ascontiguousarray(cidx)
        # duplicate positions are an error (two moments at one point)
        key = ((cell[:, 0] * n[1] + cell[:, 1]) * n[2] + cell[:, 2]) * self.n_cosets + cidx
        if len(np.unique(key)) != len(key):
            raise ValueError("positions: two magnetic sites at the same position")
        L = g * m
        kz = int(p[2] // 2 + 1)
        self.kernels = np.empty((int(p[0]), int(p[1]), kz, len(self.classes), 6), dtype=np.complex128)
        buf = np.zeros((int(p[0]), int(p[1]), int(p[2]), 6))
        for k, dvec in enumerate(self.classes):
            buf[:] = 0.0
            dd = dvec * g
            _dk.kernel_real_space(int(n[0]), int(n[1]), int(n[2]), int(p[0]), int(p[1]), int(p[2]),
                                  L[0], L[1], L[2], dd[0], dd[1], dd[2], self.pref, buf)
            self.kernels[:, :, :, k, :] = sfft.rfftn(buf, axes=(0, 1, 2), workers=self._workers())
        del buf
        self.phases = [np.exp(2j * np.pi * np.outer(np.array([-1.0, 0.0, 1.0]), np.arange(
            int(p[ax]) if ax < 2 else kz)) / p[ax]) for ax in range(3)]
        self.phases = [np.ascontiguousarray(x) for x in self.phases]

    # ------------------------------------------------------------------ helpers
    def _workers(self):
        if self.threads is not None:
            return int(self.threads)
        import numba

        return numba.get_num_threads()

    def describe(self):
        """One-line summary: method, grid, cosets, kernels, off-grid sites, memory."""
        p = tuple(int(x) for x in self.pad)
        return (f"lattice FFT: fine grid {np.round(self.spacing, 4).tolist()} Å × {self.multiplicity} per cell, "
                f"{self.n_cosets} cosets, {len(self.classes)} kernels, padded grid {p}, "
                f"{len(self.off)} off-grid sites, ≈ {self.memory_estimate / 2**20:.0f} MiB")

    def field_per_moment(self, mu):
        """H_i = Σ_{j≠i} W_ij μ_j (N, 3) in meV/μB for moments μ (N, 3) in μB."""
        mu = np.ascontiguousarray(mu, dtype=np.float64).reshape(self.n, 3)
        out = np.zeros((self.n, 3))
        p = self.pad
        b = self.n_cosets
        if len(self.site_on):
            grid = np.zeros((int(p[0]), int(p[1]), int(p[2]), b, 3))
            c = self.site_cell
            grid[c[:, 0], c[:, 1], c[:, 2], self.site_coset] = mu[self.site_on]
            mk = sfft.rfftn(grid, axes=(0, 1, 2), workers=self._workers())
            del grid
            hk = np.empty_like(mk)
            _dk.kspace_apply(mk, self.kernels, self.pair_ptr, self.pair_src, self.pair_ker, self.pair_conj,
                             self.pair_t, self.phases[0], self.phases[1], self.phases[2], hk)
            del mk
            h = sfft.irfftn(hk, s=tuple(int(x) for x in p), axes=(0, 1, 2), workers=self._workers())
            del hk
            out[self.site_on] = h[c[:, 0], c[:, 1], c[:, 2], self.site_coset]
        if len(self.off):
            _dk.offgrid_fields(self.positions, mu, self.off, ~self.on, self.pref, out)
        return out

    # ------------------------------------------------------------------ contract
    def fields_meV(self, spins, moments):
        """−∂E_dip/∂ŝ_i (N, 3) in meV for unit spins (N, 3) and moments (N,) μB."""
        m = np.asarray(moments, dtype=np.float64).reshape(self.n)
        s = np.asarray(spins, dtype=np.float64).reshape(self.n, 3)
        return m[:, None] * self.field_per_moment(m[:, None] * s)

    def energy_meV(self, spins, moments):
        """E_dip = −½ Σ_{i≠j} μ_iᵀ W_ij μ_j in meV."""
        m = np.asarray(moments, dtype=np.float64).reshape(self.n)
        mu = m[:, None] * np.asarray(spins, dtype=np.float64).reshape(self.n, 3)
        return float(-0.5 * np.sum(mu * self.field_per_moment(mu)))

    def shape_tensor_meV(self, spins, moments):
        """D (3, 3) meV with E_dip(R ŝ) = (R n̂)ᵀ D (R n̂) for rigid rotations of the collinear state ``spins``
        (ŝ_i = ±n̂); see :func:`atomspin.model.dipolar.shape_tensor_J`."""
        from atomspin.model.dipolar import _collinear_charges

        q = _collinear_charges(spins, moments)
        d = np.empty((3, 3))
        for l in range(3):
            mu = np.zeros((self.n, 3))
            mu[:, l] = q
            h = self.field_per_moment(mu)
            d[:, l] = -0.5 * (q @ h)
        return 0.5 * (d + d.T)
