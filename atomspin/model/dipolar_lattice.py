"""Exact point-dipole sums on a crystal lattice by FFT convolution over unit cells, one kernel per coset pair.

One cohesive algorithm (hence a little over the usual module size). Every magnetic site of a particle cut
from a crystal (spinel, rock salt, simple cubic …) lies on a fine orthogonal grid r = o + f⊙g (f integer,
g the fine step: a/8 for the spinel cations, a/2 for rock salt). Coarse cells of m fine steps per edge (the
cubic unit cell for the spinel: m = 8, L = a) hold each site on a *coset* u = f mod m in cell c = ⌊f/m⌋.
The B occupied cosets (24 for a perfect magnetite particle; an antiphase boundary adds the 16 shifted
positions, an FeO core the 16c holes) each carry a moment array M_b(c), and the point-dipole field is a
sum of B² discrete convolutions::

    H_a(c) = Σ_b Σ_c' W((c − c' + e_ab) L + d_ab g) M_b(c'),   u_a − u_b = d_ab + m e_ab,  d_ab ∈ [0, m)³

evaluated with zero-padded real FFTs (cubic padded size P ≥ 2n + 1 for n cells per edge), one kernel
per coset difference class d (d and −d share one kernel through complex conjugation; the cell shift
e is a phase). The result is **exact** — the pairwise double loop to FFT round-off (≈ 1e-13 relative in
double precision, ≈ 1e-6 in single) — for any set of on-grid sites: vacancies, surfaces, antiphase
boundaries and topotactic cores included. Sites off the grid are summed pair by pair (O(N_off·N)).

Memory (the Monte Carlo budget is ≤ 600 B/spin in all): the kernels of a cubic lattice are kept only on the
1/48 wedge 0 ≤ k0 ≤ k1 ≤ k2 ≤ P/2 of the spectrum — every other wavevector is a signed permutation g of a
wedge point and K̂_δ(k) = gᵀ K̂_{gδ}(gk) g — and the transforms run slab by slab in kz (the z-transformed
moments are the only full-size array, overwritten by the fields). Measured: see benchmarks/README.md.
Cost per call O(B² n³) for the k-space products + O(B n³ log n) for the transforms.
"""

from __future__ import annotations

import itertools

import numpy as np
import scipy.fft as sfft

from atomspin.model import dipolar_kernels as _dk
from atomspin.model.sums import site_sum

#: tolerance (fine-grid steps) for a coordinate to count as on the grid (builders place sites to ~1e-12 Å)
GRID_TOL = 1e-6
#: cell multiplicities tried (fine steps per coarse cell edge)
MULTIPLICITIES = (1, 2, 4, 8)
#: refinements of the smallest coordinate step tried when it is not the common step
MAX_REFINE = 12
#: working-memory target of the method (bytes per spin) used to pick the cell size and the precision
#: ("auto"): the Monte Carlo as a whole must stay ≤ 600 B/spin, of which the model and the simulation
#: take ≈ 380 (derived: benchmarks/README.md)
TARGET_BYTES_PER_SPIN = 200
#: below this size (bytes) the memory target does not constrain the choice (small particles)
SMALL_BYTES = 8 * 2 ** 20
#: "auto" precision stays double up to this many spins (tests compare with the pair sum to 1e-10)
DOUBLE_MAX_SPINS = 60000
PRECISIONS = ("auto", "double", "single")

_PERMS = np.array([[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]])


def _group():
    """The 48 signed permutations g as (pi (48, 3), s (48, 3)): (g v)_i = s_i v_{pi(i)}, index 8·perm + bits."""
    pi = np.repeat(_PERMS, 8, axis=0)
    bits = np.tile(np.arange(8), 6)
    s = np.where((bits[:, None] >> np.arange(3)[None, :]) & 1, -1, 1)
    return pi, s


def _axis_step(x, tol_A=1e-6):
    """Common step (Å) of the coordinates ``x`` (all x − x0 integer multiples of it), inf for a single
    value, or None. The smallest coordinate difference (or a 1/k of it) is refined by least squares over
    all sites, so that rounding in the positions does not accumulate across the particle."""
    rel = x - x[0]
    u = np.unique(np.round(rel / tol_A).astype(np.int64))
    if len(u) < 2:
        return np.inf
    step0 = float(np.min(np.diff(u))) * tol_A
    if step0 <= 10 * tol_A:
        return None
    for k in range(1, MAX_REFINE + 1):
        s = step0 / k
        f = np.round(rel / s)
        if np.max(np.abs(rel / s - f)) > 0.01:
            continue
        s = float(np.sum(f * rel) / np.sum(f * f))  # least-squares step
        if np.all(np.abs(rel / s - np.round(rel / s)) <= GRID_TOL):
            return s
    return None


def find_fine_grid(positions_A, spacing_A=None, origin_A=None):
    """Fine grid (step g (3,), origin o (3,)) holding the sites, and the on-grid mask.

    ``spacing_A`` (3,) and ``origin_A`` (3,) may be given; else the common coordinate step per axis is
    found from the positions and o is the first site. Returns (g, o, on), or (None, None, all False)
    when no orthogonal grid holds the sites.
    """
    pos = np.asarray(positions_A, dtype=np.float64)
    n = len(pos)
    if spacing_A is None:
        g = np.empty(3)
        for ax in range(3):
            s = _axis_step(pos[:, ax])
            if s is None:
                return None, None, np.zeros(n, bool)
            g[ax] = s
        fin = np.isfinite(g)
        g[~fin] = np.max(g[fin]) if np.any(fin) else 1.0
        o = pos[0].copy()
    else:
        g = np.asarray(spacing_A, dtype=np.float64).reshape(3)
        o = pos[0].copy() if origin_A is None else np.asarray(origin_A, dtype=np.float64).reshape(3)
    f = (pos - o) / g
    on = np.all(np.abs(f - np.round(f)) <= GRID_TOL, axis=1)
    return g, o, on


#: largest number of occupied cosets a cell multiplicity may have to be tried automatically (derived: the
#: k-space work grows as B²; the spinel needs 24, with an antiphase boundary 40)
MAX_COSETS = 96


def _coset_count(fint, m):
    u = np.mod(fint, m)
    return len(np.unique(u[:, 0] + m * (u[:, 1] + m * u[:, 2])))


def _code(d, m):
    return d[..., 0] + m * (d[..., 1] + m * d[..., 2])


def _decode(c, m):
    return np.stack([c % m, (c // m) % m, c // (m * m)], axis=-1)


def _box(n, d):
    """Real-space support (lo, hi) in cells of the kernel of coset class d ∈ [0, m)³ for n cells per axis:
    [−n−1, n] along axes with d_i ≠ 0, [−n, n] otherwise. The raw difference d − m (the wrap into the
    previous cell) then has the mirrored box [−n, n+1], so the boxes of all signed permutations of a class
    are the signed permutations of its box — the condition for the wedge storage to be exact — and every
    box holds the cell differences −(n−1) … n−1 that pairs of sites use."""
    n = np.asarray(n, dtype=np.int64)
    nz = np.asarray(d) != 0
    lo = np.where(nz, -n - 1, -n).astype(np.int64)
    hi = n.astype(np.int64)
    return lo, hi


class _Plan:
    """Cells, cosets, padded sizes, kernel classes and tables for one multiplicity m."""

    def __init__(self, fint, m, cubic_grid):
        self.m = m
        self._cmin = np.floor_divide(fint.min(axis=0), m)
        self.n = (np.floor_divide(fint.max(axis=0), m) - self._cmin + 1).astype(np.int64)
        self.cosets = _decode(np.unique(_code(np.mod(fint, m), m)), m)
        self.site_cell = self.site_coset = None
        b = len(self.cosets)
        self.b = b
        self.cubic = bool(cubic_grid)
        # kernel boxes are [−n−1, n] along axes where the coset difference class is non-zero (below), so
        # that every class and its signed permutations have consistent supports: P ≥ 2n + 2
        p = [sfft.next_fast_len(int(2 * k + 2), real=True) for k in self.n]
        if self.cubic:
            p = [max(p)] * 3
        self.P = np.array(p, dtype=np.int64)
        self.kz = int(self.P[2] // 2 + 1)
        delta = (self.cosets[:, None, :] - self.cosets[None, :, :]).reshape(-1, 3)  # pair a·B + b: u_a − u_b
        if self.cubic:
            gpi, gs = _group()
        else:
            gpi, gs = _PERMS[:1], np.ones((1, 3), dtype=np.int64)
        ng = len(gpi)
        # δ' = g δ for every g and pair
        dg = np.stack([gs[k][None, :] * delta[:, gpi[k]] for k in range(ng)])  # (ng, B², 3)
        d = np.mod(dg, m)
        e = np.floor_divide(dg, m)
        code = _code(d, m)
        codeneg = _code(np.mod(-d, m), m)
        canon = np.minimum(code, codeneg)
        stored = np.unique(canon)
        self.stored = _decode(stored, m)
        idx = np.searchsorted(stored, canon)
        conj = codeneg < code
        s = (d != 0).astype(np.int64)
        self.gtab_cls = idx.astype(np.int32)
        self.gtab_conj = conj
        self.gtab_t = np.where(conj[..., None], e + s, e).astype(np.int8)
        if self.cubic:
            hh = int(self.P[0] // 2)
            self.n_points = (hh + 1) * (hh + 2) * (hh + 3) // 6  # wedge 0 ≤ k0 ≤ k1 ≤ k2 ≤ P/2
        else:
            self.n_points = int(self.P[0] * self.P[1] * self.kz)

    def attach_sites(self, fint):
        """Per-site cell (int16/int32 × 3) and coset (int16) of the chosen plan."""
        cell = np.floor_divide(fint, self.m)
        code = _code(fint - cell * self.m, self.m)
        cell -= self._cmin
        self.site_cell = cell.astype(np.int16 if self.n.max() < 2 ** 15 else np.int32)
        del cell
        self.site_coset = np.searchsorted(_code(self.cosets, self.m), code).astype(np.int16)

    def bytes(self, itemsize):
        """Estimated working memory (bytes) at real item size 4 or 8."""
        nx, ny, nz = (int(x) for x in self.n)
        px, py = int(self.P[0]), int(self.P[1])
        kern = self.n_points * len(self.stored) * 6 * 2 * itemsize
        zarr = 3 * self.b * nx * ny * self.kz * 2 * itemsize
        real = 3 * self.b * nx * ny * nz * itemsize
        slabs = 2 * 3 * self.b * px * py * 2 * itemsize
        tables = self.gtab_cls.nbytes + self.gtab_conj.nbytes + self.gtab_t.nbytes
        return kern + zarr + max(real, slabs) + tables

    def work(self):
        """Estimated operation count of one field evaluation."""
        px, py = int(self.P[0]), int(self.P[1])
        npts = px * py * self.kz
        nx, ny, nz = (int(x) for x in self.n)
        fft = 3 * self.b * (nx * ny * self.P[2] + self.kz * nx * py + self.kz * px * py) * np.log2(px * py + 2)
        return float(self.b * self.b * npts * 12 + 2 * fft)


class LatticeDipolar:
    """Exact point-dipole energy, fields and rigid-rotation tensors by per-coset FFT convolution.

    Parameters
    ----------
    positions_A : (N, 3) float, Å
        Site positions (magnetic sites only, in the model's order).
    spacing_A, origin_A : (3,) float, Å, optional
        Fine grid (default: found from the positions, :func:`find_fine_grid`).
    multiplicity : int, optional
        Fine steps per cell edge (default: the fastest of :data:`MULTIPLICITIES` within the memory target).
    precision : {"auto", "double", "single"}
        Transforms and kernels in float64/complex128 or float32/complex64 ("auto": double up to
        :data:`DOUBLE_MAX_SPINS` spins when it fits the memory target, else single).
    max_bytes : float, optional
        Memory limit of the kernels and transforms: ValueError naming ``dipolar`` before any work.
    threads : int, optional
        Worker threads of the FFTs (default: numba's thread count).

    Notes
    -----
    Contract of a dipolar object (engine ↔ model): :meth:`energy_meV` and :meth:`fields_meV` take the
    model's spins (N, 3) unit vectors and moments (N,) μB. Kernels are built on first use.
    """

    method = "lattice"

    def __init__(self, positions_A, spacing_A=None, origin_A=None, multiplicity=None, precision="auto",
                 max_bytes=None, threads=None, max_offgrid_pairs=2e9):
        from atomspin.model.dipolar import DIP_PREFACTOR_MEV_A3

        if precision not in PRECISIONS:
            raise ValueError(f"precision: {precision!r} is not one of {list(PRECISIONS)}")
        self.pref = DIP_PREFACTOR_MEV_A3
        pos = np.ascontiguousarray(positions_A, dtype=np.float64).reshape(-1, 3)
        self.positions = pos
        self.n = len(pos)
        self.threads = threads
        g, o, on = find_fine_grid(pos, spacing_A, origin_A) if self.n else (np.ones(3), np.zeros(3), np.zeros(0, bool))
        if self.n and (g is None or not np.any(on)):
            raise ValueError("dipolar: the sites lie on no common orthogonal grid (rotated or relaxed "
                             "structure); use dipolar='exact' (pairwise, small particles)")
        self.spacing, self.origin, self.on = g, o, on
        self.off = np.flatnonzero(~on).astype(np.int64)
        n_off = len(self.off)
        if n_off * self.n > max_offgrid_pairs:
            raise ValueError(f"dipolar: {n_off} of {self.n} sites are off the lattice grid; their exact pair sum "
                             f"({n_off * self.n:.3g} pairs) exceeds {max_offgrid_pairs:.3g}; use dipolar='exact' "
                             "or a structure on one lattice")
        self.n_on = int(np.count_nonzero(on))
        # the on-grid sites: all of them (a slice, no index array) unless some are off the grid
        self.site_on = slice(None) if self.n_on == self.n else np.flatnonzero(on).astype(np.int64)
        self.plan = None
        self.single = False
        if self.n_on == 0:
            self.memory_estimate = 0
            self._kernels = None
            return
        fint = np.round((pos[self.site_on] - o) / g).astype(np.int64)
        cubic_grid = bool(np.allclose(g, g[0], rtol=1e-9))
        plans = []
        for m in ((multiplicity,) if multiplicity else MULTIPLICITIES):
            if multiplicity is None and _coset_count(fint, m) > MAX_COSETS:
                continue  # B² pair products per wavevector: never the cheapest choice
            plans += [_Plan(fint, m, cub) for cub in ((True, False) if cubic_grid else (False,))]
        target = max(TARGET_BYTES_PER_SPIN * self.n, SMALL_BYTES)
        if precision == "auto":
            fits = [p for p in plans if p.bytes(8) <= target] if self.n <= DOUBLE_MAX_SPINS else []
            if fits:
                plan, single = min(fits, key=lambda p: p.work()), False
            else:
                fits = [p for p in plans if p.bytes(4) <= target]
                plan = min(fits, key=lambda p: p.work()) if fits else min(plans, key=lambda p: p.bytes(4))
                single = True
        else:
            single = precision == "single"
            isz = 4 if single else 8
            fits = [p for p in plans if p.bytes(isz) <= target]
            plan = min(fits, key=lambda p: p.work()) if fits else min(plans, key=lambda p: p.bytes(isz))
        del plans
        plan.attach_sites(fint)
        del fint
        self.plan, self.single = plan, single
        self.memory_estimate = int(plan.bytes(4 if single else 8))
        if max_bytes is not None and self.memory_estimate > max_bytes:
            raise ValueError(f"dipolar: the lattice FFT needs ≈ {self.memory_estimate / 2**30:.2f} GiB for "
                             f"{self.n} spins ({plan.b} cosets, grid {plan.P.tolist()}), over the limit "
                             f"{max_bytes / 2**30:.2f} GiB; pass dipolar=False")
        c = plan.site_cell
        key = ((c[:, 0].astype(np.int64) * plan.n[1] + c[:, 1]) * plan.n[2] + c[:, 2]) * plan.b + plan.site_coset
        if len(np.unique(key)) != len(key):
            raise ValueError("positions: two magnetic sites at the same position")
        self._kernels = None

    # ------------------------------------------------------------------ set-up
    def _workers(self):
        if self.threads is not None:
            return int(self.threads)
        import numba

        return numba.get_num_threads()

    @property
    def _rdtype(self):
        return np.float32 if self.single else np.float64

    @property
    def _cdtype(self):
        return np.complex64 if self.single else np.complex128

    def _build_kernels(self):
        """Kernel spectra of the stored classes (on the wedge for cubic grids): computed once."""
        pl = self.plan
        nx, ny, nz = (int(x) for x in pl.n)
        px, py, pz = (int(x) for x in pl.P)
        L = self.spacing * pl.m
        kw = np.empty((pl.n_points, len(pl.stored), 6), dtype=self._cdtype)
        buf = np.zeros((px, py, pz, 6))
        if not pl.cubic:
            for k, dvec in enumerate(pl.stored):
                buf[:] = 0.0
                dd = dvec * self.spacing
                lo, hi = _box(pl.n, dvec)
                _dk.kernel_real_space(lo, hi, px, py, pz, L[0], L[1], L[2], dd[0], dd[1], dd[2], self.pref, buf)
                kw[:, k, :] = sfft.rfftn(buf, axes=(0, 1, 2), workers=self._workers()).reshape(-1, 6)
            self._kernels = kw
            return
        # cubic: one transform per orbit of stored classes, the others by symmetry on the wedge points
        m = pl.m
        gpi, gs = _group()
        nn = int(max(pl.n))
        stored_codes = _code(pl.stored, m)
        done = np.zeros(len(pl.stored), dtype=bool)
        hh = int(pl.P[0] // 2)
        kst = np.array([(a, bb, c) for c in range(hh + 1) for bb in range(c + 1) for a in range(bb + 1)],
                       dtype=np.int64)  # wedge points in index order (see dipolar_kernels._wedge_index)
        P = px
        comp = np.array([[0, 3, 4], [3, 1, 5], [4, 5, 2]])
        for r in range(len(pl.stored)):
            if done[r]:
                continue
            drep = pl.stored[r]
            buf[:] = 0.0
            dd = drep * self.spacing
            lo, hi = _box(np.full(3, nn), drep)
            _dk.kernel_real_space(lo, hi, px, py, pz, L[0], L[1], L[2], dd[0], dd[1], dd[2], self.pref, buf)
            spec = sfft.rfftn(buf, axes=(0, 1, 2), workers=self._workers())
            for gi in range(48):
                dg = gs[gi] * drep[gpi[gi]]  # raw g·d_rep
                dmod = np.mod(dg, m)
                e = np.floor_divide(dg, m)
                c = _code(dmod, m)
                if c not in stored_codes:
                    continue
                j = int(np.searchsorted(stored_codes, c))
                if done[j]:
                    continue
                # K̂_{d'}(k*) = e^{−2πi k*·e/P} g K̂_rep(g⁻¹ k*) gᵀ,  (g⁻¹ k)_j = s_{π⁻¹(j)} k_{π⁻¹(j)}
                pinv = np.argsort(gpi[gi])
                kin = gs[gi][pinv][None, :] * kst[:, pinv]
                conj = kin[:, 2] < 0
                kin = np.where(conj[:, None], -kin, kin)
                kin = np.mod(kin, P)
                vals = spec[kin[:, 0], kin[:, 1], kin[:, 2], :]
                vals = np.where(conj[:, None], np.conj(vals), vals)
                out = np.empty((len(kst), 6), dtype=np.complex128)
                for ci, (a, b) in enumerate(((0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2))):
                    out[:, ci] = gs[gi][a] * gs[gi][b] * vals[:, comp[gpi[gi][a], gpi[gi][b]]]
                ph = np.exp(-2j * np.pi * (kst @ e) / P)
                kw[:, j, :] = out * ph[:, None]
                done[j] = True
        self._kernels = kw

    def _tables(self):
        pl = self.plan
        pmax = int(max(pl.P))
        ph = np.empty((3, 3, pmax), dtype=self._cdtype)
        for ax in range(3):
            kk = np.arange(pmax)
            for t in (-1, 0, 1):
                ph[ax, t + 1] = np.exp(2j * np.pi * t * kk / pl.P[ax])
        return ph

    def describe(self):
        """One-line summary: method, grid, cosets, kernels, off-grid sites, precision, memory."""
        if self.plan is None:
            return f"lattice FFT: no on-grid sites ({len(self.off)} off-grid)"
        pl = self.plan
        return (f"lattice FFT: fine grid {np.round(self.spacing, 4).tolist()} Å × {pl.m} per cell, {pl.b} cosets, "
                f"{len(pl.stored)} kernels{' on the cubic wedge' if pl.cubic else ''}, padded grid "
                f"{pl.P.tolist()}, {len(self.off)} off-grid sites, {'single' if self.single else 'double'} "
                f"precision, ≈ {self.memory_estimate / 2**20:.1f} MiB")

    # ------------------------------------------------------------------ core
    def _transform(self, mu, want_fields=True, want_t=False, tvec=None, out=None):
        """(fields (N,3) or None, energy sum Σμ·H, T (6,3,3) or None) of the on-grid sites (meV/μB units)."""
        pl = self.plan
        if self._kernels is None:
            self._build_kernels()
            self._phase = self._tables()
        nx, ny, nz = (int(x) for x in pl.n)
        px, py, pz = (int(x) for x in pl.P)
        b3 = 3 * pl.b
        wk = self._workers()
        c = pl.site_cell
        # z-transform coset by coset into one array (the only full-size array of the method)
        Z = np.empty((b3, nx, ny, pl.kz), dtype=self._cdtype)
        mon = mu[self.site_on]
        real = np.zeros((3, nx, ny, nz), dtype=self._rdtype)
        for a in range(pl.b):
            sel = np.flatnonzero(pl.site_coset == a)
            real[:] = 0.0
            cs = c[sel]
            for comp in range(3):
                real[comp, cs[:, 0], cs[:, 1], cs[:, 2]] = mon[sel, comp]
            Z[3 * a:3 * a + 3] = sfft.rfft(real, n=pz, axis=3, workers=wk)
        del real, mon
        eacc = np.zeros(px)
        tacc = np.zeros((px, 6, 3, 3)) if want_t else np.zeros((1, 6, 3, 3))
        ttot = np.zeros((6, 3, 3))
        etot = 0.0
        for kz in range(pl.kz):
            wgt = 1.0 if (kz == 0 or (pz % 2 == 0 and kz == pz // 2)) else 2.0
            sl = sfft.fft(Z[:, :, :, kz], n=py, axis=2, workers=wk)
            sl = np.ascontiguousarray(sfft.fft(sl, n=px, axis=1, workers=wk))
            eacc[:] = 0.0
            if want_t:
                tacc[:] = 0.0
            _dk.slab_apply(sl, kz, pl.P, pl.cubic, self._kernels, pl.gtab_cls, pl.gtab_conj,
                           pl.gtab_t, self._phase, pl.b, want_t, tacc, eacc, tvec is not None,
                           np.zeros(3) if tvec is None else np.asarray(tvec, dtype=np.float64))
            etot += wgt * float(eacc.sum())
            if want_t:
                ttot += wgt * tacc.sum(axis=0)
            if want_fields:
                sl = sfft.ifft(sl, axis=1, workers=wk)[:, :nx]
                Z[:, :, :, kz] = sfft.ifft(sl, axis=2, workers=wk)[:, :, :ny]
        norm = 1.0 / float(px * py * pz)
        h = None
        if want_fields:
            # write straight into the caller's (N, 3) array when every site is on the grid
            h = out if (out is not None and isinstance(self.site_on, slice)) else np.empty((self.n_on, 3))
            for a in range(pl.b):  # one coset at a time: the inverse z-transform is P_z long
                sel = np.flatnonzero(pl.site_coset == a)
                if len(sel) == 0:
                    continue
                r = sfft.irfft(Z[3 * a:3 * a + 3], n=pz, axis=3, workers=wk)
                cs = c[sel]
                h[sel] = r[:, cs[:, 0], cs[:, 1], cs[:, 2]].T
        return h, etot * norm, (ttot * norm if want_t else None)

    def field_per_moment(self, mu):
        """H_i = Σ_{j≠i} W_ij μ_j (N, 3) in meV/μB for moments μ (N, 3) in μB."""
        mu = np.ascontiguousarray(mu, dtype=np.float64).reshape(self.n, 3)
        out = np.zeros((self.n, 3))
        if self.plan is not None:
            h, _, _ = self._transform(mu, out=out)
            if h is not out:
                out[self.site_on] = h
        if len(self.off):
            _dk.offgrid_fields(self.positions, mu, self.off, ~self.on, self.pref, out)
        return out

    def _energy_mu(self, mu):
        """−½ Σ μ_i·H_i in meV (Parseval for the on-grid part: no inverse transforms)."""
        mu = np.ascontiguousarray(mu, dtype=np.float64).reshape(self.n, 3)
        e = 0.0
        if self.plan is not None:
            _, s, _ = self._transform(mu, want_fields=False)
            e += -0.5 * s
        if len(self.off):
            h = np.zeros((self.n, 3))
            _dk.offgrid_fields(self.positions, mu, self.off, ~self.on, self.pref, h)
            # off-grid pairs: Σ over targets of μ·H_off counts each off–on pair once from each side
            e += -0.5 * float(np.sum(mu * h))
        return float(e)

    # ------------------------------------------------------------------ contract
    def fields_meV(self, spins, moments):
        """−∂E_dip/∂ŝ_i (N, 3) in meV for unit spins (N, 3) and moments (N,) μB."""
        m = np.asarray(moments, dtype=np.float64).reshape(self.n)
        s = np.asarray(spins, dtype=np.float64).reshape(self.n, 3)
        h = self.field_per_moment(m[:, None] * s)
        h *= m[:, None]
        return h

    def energy_meV(self, spins, moments):
        """E_dip = −½ Σ_{i≠j} μ_iᵀ W_ij μ_j in meV."""
        m = np.asarray(moments, dtype=np.float64).reshape(self.n)
        return self._energy_mu(m[:, None] * np.asarray(spins, dtype=np.float64).reshape(self.n, 3))

    def rotation_tensor_meV(self, spins, moments):
        """T (3, 3, 3, 3) meV with E_dip(R ŝ) = −½ Σ_{klαβ} R_kα R_lβ T_{klαβ} for every rotation R
        (T_{klαβ} = Σ_{i≠j} μ_iα W_ij,kl μ_jβ); exact, one transform."""
        m = np.asarray(moments, dtype=np.float64).reshape(self.n)
        mu = m[:, None] * np.asarray(spins, dtype=np.float64).reshape(self.n, 3)
        t6 = np.zeros((6, 3, 3))
        if self.plan is not None:
            _, _, t6 = self._transform(mu, want_fields=False, want_t=True)
        return self._full_t(t6, mu)

    def work_estimate(self):
        """Estimated operation count of one field evaluation (for refresh policies)."""
        w = self.plan.work() if self.plan is not None else 0.0
        return float(w + 30.0 * len(self.off) * self.n)

    def fields_and_rotation_tensor_meV(self, spins, moments):
        """(fields (N, 3) meV as :meth:`fields_meV`, rotation tensor (3, 3, 3, 3) meV as
        :meth:`rotation_tensor_meV`) from one transform."""
        m = np.asarray(moments, dtype=np.float64).reshape(self.n)
        mu = m[:, None] * np.asarray(spins, dtype=np.float64).reshape(self.n, 3)
        out = np.zeros((self.n, 3))
        t6 = np.zeros((6, 3, 3))
        if self.plan is not None:
            h, _, t6 = self._transform(mu, want_fields=True, want_t=True, out=out)
            if h is not out:
                out[self.site_on] = h
        if len(self.off):
            _dk.offgrid_fields(self.positions, mu, self.off, ~self.on, self.pref, out)
        full = self._full_t(t6, mu)
        return m[:, None] * out, full

    def _full_t(self, t6, mu):
        """(3, 3, 3, 3) T from its on-grid (6, 3, 3) part plus the exact off-grid pairs."""
        full = np.empty((3, 3, 3, 3))
        for ci, (k, l) in enumerate(((0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2))):
            full[k, l] = t6[ci]
            full[l, k] = t6[ci]
        if len(self.off):
            for l in range(3):
                for be in range(3):
                    src = np.zeros((self.n, 3))
                    src[:, l] = mu[:, be]
                    h = np.zeros((self.n, 3))
                    _dk.offgrid_fields(self.positions, src, self.off, ~self.on, self.pref, h)
                    full[:, l, :, be] += np.einsum("ia,ik->ka", mu, h)
        return full

    def fields_and_axis_shape_tensor_meV(self, spins, moments, axis):
        """(fields (N, 3) meV, D (3, 3) meV of the charges q_i = μ_i·n̂ along the unit vector ``axis``): the
        refresh data of the dipolar sweepers, from one transform."""
        m = np.asarray(moments, dtype=np.float64).reshape(self.n)
        mu = m[:, None] * np.asarray(spins, dtype=np.float64).reshape(self.n, 3)
        nh = np.asarray(axis, dtype=np.float64).reshape(3)
        out = np.zeros((self.n, 3))
        d6 = np.zeros(6)
        if self.plan is not None:
            h, _, t6 = self._transform(mu, want_fields=True, want_t=True, tvec=nh, out=out)
            if h is not out:
                out[self.site_on] = h
            d6 = -0.5 * t6[:, 0, 0]
        d = np.empty((3, 3))
        for ci, (k, l) in enumerate(((0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2))):
            d[k, l] = d[l, k] = d6[ci]
        if len(self.off):
            _dk.offgrid_fields(self.positions, mu, self.off, ~self.on, self.pref, out)
            q = mu @ nh
            for l in range(3):
                src = np.zeros((self.n, 3))
                src[:, l] = q
                h = np.zeros((self.n, 3))
                _dk.offgrid_fields(self.positions, src, self.off, ~self.on, self.pref, h)
                d[:, l] += -0.5 * site_sum(q, h)
        out *= m[:, None]
        return out, 0.5 * (d + d.T)

    def charge_shape_tensor_meV(self, q):
        """D (3, 3) meV = −½ Σ_{i≠j} q_i q_j W_ij for signed moments q (N,) μB along one axis."""
        sp = np.zeros((self.n, 3))
        sp[:, 0] = 1.0
        return self.fields_and_axis_shape_tensor_meV(sp, np.asarray(q, dtype=np.float64), (1.0, 0.0, 0.0))[1]

    def shape_tensor_meV(self, spins, moments):
        """D (3, 3) meV with E_dip(R ŝ) = (R n̂)ᵀ D (R n̂) for rigid rotations of the collinear state ``spins``."""
        from atomspin.model.dipolar import _collinear_charges

        return self.charge_shape_tensor_meV(_collinear_charges(spins, moments))
