"""Collective Monte Carlo move: a rigid rotation of all spins of a group, Metropolis on the exact ΔE.

An equilibrium-sampling accelerator for the slow total-moment rotation of exchange-stiff particles
(see :class:`atomspin.engine.Simulation`, ``collective_every``). Exchange inside a group is rotation
invariant; anisotropy, Zeeman, dipolar and exchange bonds leaving the group are included exactly.
Axis û uniform on the sphere (Marsaglia), angle θ = w(2u − 1): R(û, θ) and R⁻¹ equally likely, a
symmetric proposal. The half-width w adapts towards 50 % acceptance every COLL_ADAPT_ATTEMPTS attempts.

The move works on the Simulation's host state after any sweeper. Macrocell dipolar terms are in the
kernel; another dipolar object (``energy_meV``) enters ΔE through two calls of its energy per attempt
(one attempt per group per collective step, so this Python-level path is outside the sweep loop).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from atomspin.engine.kernels import _anisotropy_change, _bilinear, _dip_apply
from atomspin.engine.moves import _adapt_width
from atomspin.engine.rng import _sphere, _uniform

COLL_WIDTH_MIN = 1e-4  # smallest rotation-angle half-width, rad (derived: as SIGMA_MIN)
COLL_WIDTH_MAX = np.pi  # largest half-width, rad (derived: angles in [−π, π] cover all rotations)
COLL_ADAPT_ATTEMPTS = 10  # collective attempts pooled per width update (derived: w can grow ×2 every 10
#                          attempts, 0.1 rad → π in 50; acceptance noise 0.5/√10 ≈ 16 % only jitters w by ≲ ×1.3)
COLLECTIVE_WIDTH_START = 0.1  # initial collective half-width, rad (derived: Zeeman ΔE of a 10³ μB moment in
#                               1 T turned by 0.1 rad ≈ 6 meV ≈ 2.3 k_BT at 300 K; adapted anyway)


@njit(cache=True, error_model="numpy", inline="always")
def _rotation_matrix(ux, uy, uz, ang, rot):
    """Rodrigues: rot ← rotation by ``ang`` (rad) about the unit axis (ux, uy, uz)."""
    c = np.cos(ang)
    s = np.sin(ang)
    t = 1.0 - c
    rot[0, 0] = c + t * ux * ux
    rot[0, 1] = t * ux * uy - s * uz
    rot[0, 2] = t * ux * uz + s * uy
    rot[1, 0] = t * uy * ux + s * uz
    rot[1, 1] = c + t * uy * uy
    rot[1, 2] = t * uy * uz - s * ux
    rot[2, 0] = t * uz * ux - s * uy
    rot[2, 1] = t * uz * uy + s * ux
    rot[2, 2] = c + t * uz * uz


@njit(cache=True, error_model="numpy", inline="always")
def _rotate(rot, x, y, z):
    """rot·(x, y, z), renormalised to a unit vector (removes rounding drift)."""
    nx = rot[0, 0] * x + rot[0, 1] * y + rot[0, 2] * z
    ny = rot[1, 0] * x + rot[1, 1] * y + rot[1, 2] * z
    nz = rot[2, 0] * x + rot[2, 1] * y + rot[2, 2] * z
    inv = 1.0 / np.sqrt(nx * nx + ny * ny + nz * nz)
    return nx * inv, ny * inv, nz * inv


@njit(cache=True, error_model="numpy")
def _draw_rotation(st, width, rot):
    """rot ← R(û, θ): û uniform on the sphere, θ uniform in [−width, width] (stream ``st``)."""
    ux, uy, uz = _sphere(st)
    ang = width * (2.0 * _uniform(st) - 1.0)
    _rotation_matrix(ux, uy, uz, ang, rot)


@njit(cache=True, error_model="numpy")
def _rotate_sites(rot, sites, lo, hi, spins):
    """spins[sites[lo:hi]] ← rot · spins (renormalised), in place."""
    for q in range(lo, hi):
        i = sites[q]
        nx, ny, nz = _rotate(rot, spins[i, 0], spins[i, 1], spins[i, 2])
        spins[i, 0] = nx
        spins[i, 1] = ny
        spins[i, 2] = nz


@njit(cache=True, error_model="numpy")
def _accept(st, beta, de):
    """Metropolis test: True when ΔE ≤ 0, else one uniform from ``st`` against exp(−βΔE)."""
    return de <= 0.0 or _uniform(st) < np.exp(-beta * de)


@njit(cache=True, error_model="numpy")
def _count_attempt(width_arr, ok, adapt):
    """Pool one attempt in width_arr = [w, accepted, tried]; adapt w every COLL_ADAPT_ATTEMPTS."""
    if adapt:
        if ok:
            width_arr[1] += 1.0
        width_arr[2] += 1.0
        if width_arr[2] >= COLL_ADAPT_ATTEMPTS:
            width_arr[0] = _adapt_width(width_arr[0], width_arr[1] / width_arr[2], COLL_WIDTH_MIN, COLL_WIDTH_MAX)
            width_arr[1] = 0.0
            width_arr[2] = 0.0


@njit(cache=True, error_model="numpy")
def _collective_delta_e(rot, lo, hi, sites, blo, bhi, bnd_i, bnd_j, bnd_J,
                        spins, moments, zp, quad, k1, k2, b, has_quad, has_cubic, has_dip,
                        cell_of, W, Hc, dM):
    """Exact ΔE (meV) when the sites ``sites[lo:hi]`` are all rotated by ``rot``, others fixed.

    Exchange inside the group is invariant; only the bonds (bnd_i[p] in group, bnd_j[p] outside),
    p in [blo, bhi), contribute. ``dM`` (C, 3) receives the change of every cell moment (μB).
    One pass over the group, no allocation; spins are not modified.
    """
    b0 = b[0]
    b1 = b[1]
    b2 = b[2]
    de = 0.0
    if has_dip:
        for c in range(dM.shape[0]):
            dM[c, 0] = 0.0
            dM[c, 1] = 0.0
            dM[c, 2] = 0.0
    for q in range(lo, hi):
        i = sites[q]
        sx = spins[i, 0]
        sy = spins[i, 1]
        sz = spins[i, 2]
        nx, ny, nz = _rotate(rot, sx, sy, sz)
        dx = nx - sx
        dy = ny - sy
        dz = nz - sz
        de -= zp[i] * (dx * b0 + dy * b1 + dz * b2)
        if has_quad or has_cubic:
            de += _anisotropy_change(i, nx, ny, nz, sx, sy, sz, quad, k1, k2, has_quad, has_cubic)
        if has_dip:
            c = cell_of[i]
            m = moments[i]
            dM[c, 0] += m * dx
            dM[c, 1] += m * dy
            dM[c, 2] += m * dz
    for p in range(blo, bhi):
        i = bnd_i[p]
        j = bnd_j[p]
        sx = spins[i, 0]
        sy = spins[i, 1]
        sz = spins[i, 2]
        nx, ny, nz = _rotate(rot, sx, sy, sz)
        de -= bnd_J[p] * ((nx - sx) * spins[j, 0] + (ny - sy) * spins[j, 1] + (nz - sz) * spins[j, 2])
    if has_dip:
        nc = dM.shape[0]
        for c in range(nc):
            ax = dM[c, 0]
            ay = dM[c, 1]
            az = dM[c, 2]
            if ax == 0.0 and ay == 0.0 and az == 0.0:
                continue
            de -= ax * Hc[c, 0] + ay * Hc[c, 1] + az * Hc[c, 2]
            for d in range(nc):
                de -= 0.5 * _bilinear(W[c, d], ax, ay, az, dM[d, 0], dM[d, 1], dM[d, 2])
    return de


@njit(cache=True, error_model="numpy")
def collective_attempts(spins, moments, zp, indptr, indices, Jc, Jv, quad, k1, k2, b,
                        has_quad, has_cubic, has_dip, cell_of, W, Mc, Hc,
                        beta, grp_ptr, grp_sites, bnd_ptr, bnd_i, bnd_j, bnd_J,
                        width_arr, adapt, state, rot, dM):
    """One rigid-rotation Metropolis attempt per group; returns the number accepted.

    Group g is ``grp_sites[grp_ptr[g]:grp_ptr[g+1]]``; its exchange bonds to sites outside it are
    ``bnd_*[bnd_ptr[g]:bnd_ptr[g+1]]``. Per attempt, from stream ``state[0]``: axis û uniform on
    the sphere (Marsaglia), angle θ = w(2u − 1) with w = ``width_arr[0]``, then (if ΔE > 0) one
    uniform for the Metropolis test. R(û, θ) and R(û, −θ) = R⁻¹ are equally likely: symmetric
    proposal. ``width_arr = [w, accepted, tried]``; w ← clip(w·clip(A/0.5, ½, 2), 1e-4, π) after
    every COLL_ADAPT_ATTEMPTS attempts when ``adapt``. Mc/Hc are updated on acceptance.
    """
    st = state[0]
    n_acc = 0
    for g in range(grp_ptr.shape[0] - 1):
        lo = grp_ptr[g]
        hi = grp_ptr[g + 1]
        if hi == lo:
            continue
        _draw_rotation(st, width_arr[0], rot)
        de = _collective_delta_e(rot, lo, hi, grp_sites, bnd_ptr[g], bnd_ptr[g + 1], bnd_i, bnd_j,
                                 bnd_J, spins, moments, zp, quad, k1, k2, b, has_quad, has_cubic,
                                 has_dip, cell_of, W, Hc, dM)
        ok = _accept(st, beta, de)
        if ok:
            n_acc += 1
            _rotate_sites(rot, grp_sites, lo, hi, spins)
            if has_dip:
                for c in range(dM.shape[0]):
                    if dM[c, 0] != 0.0 or dM[c, 1] != 0.0 or dM[c, 2] != 0.0:
                        _dip_apply(c, dM[c, 0], dM[c, 1], dM[c, 2], W, Mc, Hc)
        _count_attempt(width_arr, ok, adapt)
    return n_acc


# ----------------------------------------------------------------------------- groups
def group_labels(n, indptr, indices, groups):
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


def group_arrays(labels, indptr, indices, J):
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


class CollectiveMove:
    """Rigid-rotation attempts on the groups of a model, on packed arrays ``arrays`` (any numbering).

    Parameters
    ----------
    arrays : ModelArrays
    labels : (N,) int64 group labels in the numbering of ``arrays`` (−1 = excluded)
    width : float, initial half-width w (rad) in [COLL_WIDTH_MIN, π]

    Attributes: ``groups`` (the CSR tuple of :func:`group_arrays`), ``width`` = [w, accepted, tried],
    ``accepted`` and ``tried`` (counts over the object's life).
    """

    def __init__(self, arrays, labels, width):
        self.arrays = arrays
        self.groups = group_arrays(labels, arrays.indptr, arrays.indices, arrays.J)
        self.width = np.array([width, 0.0, 0.0])  # w, pooled accepted, pooled tried
        self.rot = np.zeros((3, 3))
        self.dM = np.zeros_like(arrays.Mc)
        self.accepted = 0
        self.tried = 0

    @property
    def n_groups(self):
        return len(self.groups[0]) - 1

    def attempt(self, spins, beta, adapt, state):
        """One attempt per group on ``spins`` (in place) with stream ``state[0]``; returns accepted."""
        a = self.arrays
        if a.dipolar is None:
            acc = int(collective_attempts(*a.model_args(spins), beta, *self.groups, self.width, adapt,
                                          state, self.rot, self.dM))
        else:
            acc = self._attempt_external_dipolar(spins, beta, adapt, state)
        self.accepted += acc
        self.tried += self.n_groups
        return acc

    def _attempt_external_dipolar(self, spins, beta, adapt, state):
        """The kernel's draws and tests, group by group, with ΔE_dip from the dipolar object."""
        a = self.arrays
        grp_ptr, grp_sites, bnd_ptr, bi, bj, bJ = self.groups
        st = state[0]
        moments = a.to_model(a.moments)
        e_dip = float(a.dipolar.energy_meV(a.to_model(spins), moments))
        n_acc = 0
        for g in range(self.n_groups):
            lo, hi = grp_ptr[g], grp_ptr[g + 1]
            if hi == lo:
                continue
            _draw_rotation(st, self.width[0], self.rot)
            de = _collective_delta_e(self.rot, lo, hi, grp_sites, bnd_ptr[g], bnd_ptr[g + 1], bi, bj, bJ,
                                     spins, a.moments, a.zp, a.quad, a.k1, a.k2, a.b, a.has_quad,
                                     a.has_cubic, False, a.cell_of, a.W, a.Hc, self.dM)
            trial = spins.copy()
            _rotate_sites(self.rot, grp_sites, lo, hi, trial)
            e_new = float(a.dipolar.energy_meV(a.to_model(trial), moments))
            ok = _accept(st, beta, de + (e_new - e_dip))
            if ok:
                n_acc += 1
                spins[:] = trial
                e_dip = e_new
            _count_attempt(self.width, ok, adapt)
        return n_acc
