"""Critical points of an energy surface (minima, first-order saddles, maxima), barriers, and the T = 0
Stoner–Wohlfarth loop that follows a local minimum."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import cKDTree

from atomspin.macrospin._sphere import _unit, fibonacci_sphere, tangent_basis
from atomspin.macrospin.surface import EnergySurface
from atomspin.validation import check_array, check_direction, check_int, check_positive


@dataclass
class CriticalPoints:
    """Minima, first-order saddles and maxima of an energy surface (densities in J/m³).

    Attributes
    ----------
    minima, saddles, maxima : (k, 3) directions
    e_minima, e_saddles, e_maxima : (k,) energy densities, J/m³
    curvature_minima, curvature_saddles : (k, 2) Hessian eigenvalues (ascending), J/m³ per rad²
    unstable_saddles : (s, 3) unit tangent vector of the negative-curvature direction at each saddle
    saddle_minima : (s, 2) int, the minima reached by steepest descent from each saddle (−1: none found)
    degenerate_saddles : (s,) bool, a zero curvature (the saddle lies on a continuous ring, e.g. the equator
        of a uniaxial particle: rates over it need the axially symmetric formula, not Langer's)
    flat : bool, the surface is constant (no anisotropy): no isolated critical points
    """

    minima: np.ndarray
    e_minima: np.ndarray
    curvature_minima: np.ndarray
    saddles: np.ndarray
    e_saddles: np.ndarray
    curvature_saddles: np.ndarray
    unstable_saddles: np.ndarray
    saddle_minima: np.ndarray
    degenerate_saddles: np.ndarray
    maxima: np.ndarray
    e_maxima: np.ndarray
    flat: bool = False
    scale: float = field(default=1.0, repr=False)

    @property
    def global_minimum(self):
        """Index of the lowest minimum."""
        return int(np.argmin(self.e_minima))


def _project_step(n, step):
    m = n + step
    return m / np.linalg.norm(m, axis=-1, keepdims=True)


def _newton(surface, n, iters=50, tol=1e-12):
    """Newton iteration for ∇_s e = 0 on the sphere from start points n (k, 3); returns (n, |grad|/scale)."""
    scale = surface.scale()
    for _ in range(iters):
        t1, t2 = tangent_basis(n)
        g = surface.gradient(n)
        gt = np.stack([np.sum(g * t1, -1), np.sum(g * t2, -1)], axis=-1)
        H = surface.hessian(n)
        # least-squares Newton step (works where the Hessian is singular: degenerate rings)
        step = np.empty_like(gt)
        for k in range(len(n)):
            step[k] = -np.linalg.lstsq(H[k], gt[k], rcond=1e-10)[0]
        lim = np.linalg.norm(step, axis=-1, keepdims=True)
        step = np.where(lim > 0.2, step * 0.2 / np.maximum(lim, 1e-300), step)
        n = _project_step(n, step[:, :1] * t1 + step[:, 1:] * t2)
        if np.all(np.linalg.norm(gt, axis=-1) < tol * scale):
            break
    return n, np.linalg.norm(surface.gradient(n), axis=-1) / scale


def _grid_neighbours(n, k):
    tree = cKDTree(n)
    _, idx = tree.query(n, k=k + 1)
    return idx[:, 1:]


def _classify_grid(n, e, nb, tol):
    """Discrete Morse type of each grid point from the cyclic sign pattern of e around it."""
    t1, t2 = tangent_basis(n)
    d = n[nb] - n[:, None, :]
    ang = np.arctan2(np.sum(d * t2[:, None, :], -1), np.sum(d * t1[:, None, :], -1))
    order = np.argsort(ang, axis=1)
    de = np.take_along_axis(e[nb], order, axis=1) - e[:, None]
    higher = de > tol
    lower = de < -tol
    is_min = np.all(higher, axis=1)
    is_max = np.all(lower, axis=1)
    sign = np.where(lower, -1, 1)  # ties count as higher
    changes = np.sum(sign != np.roll(sign, 1, axis=1), axis=1)
    is_saddle = (changes >= 4) & ~is_min & ~is_max
    return is_min, is_saddle, is_max


def _dedupe(points, energies, ang_tol):
    keep = []
    for i in np.argsort(energies):
        if all(np.dot(points[i], points[j]) < np.cos(ang_tol) for j in keep):
            keep.append(i)
    return np.array(sorted(keep), dtype=np.int64)


def local_minimum(surface, n0, gtol=1e-10, max_iter=5000):
    """The local minimum reached from n0 by descent on the sphere (Newton where the Hessian is positive,
    backtracking steepest descent elsewhere). A start at a saddle or maximum (zero torque, unstable) is pushed
    off along its most negative curvature direction, as any perturbation would.

    Returns
    -------
    (3,) unit vector
    """
    n = _unit(np.asarray(n0, dtype=np.float64).reshape(3))
    scale = surface.scale()
    e = float(surface.energy(n))
    alpha = 0.1 / scale  # rad per (J/m³/rad): adapted
    for _ in range(max_iter):
        t1, t2 = tangent_basis(n)
        g = surface.gradient(n)
        gt = np.array([g @ t1, g @ t2])
        w, v = np.linalg.eigh(surface.hessian(n))
        gn = float(np.linalg.norm(gt))
        if gn < gtol * scale:
            if w[0] > 1e-9 * scale:
                return n
            d = 1e-3 * v[:, 0]  # unstable equilibrium: leave it along the negative curvature
        elif w[0] > 1e-9 * scale:
            d = -np.linalg.solve(surface.hessian(n), gt)
        else:
            d = -alpha * gt
        step = float(np.linalg.norm(d))
        if step > 0.3:
            d *= 0.3 / step
        for _ in range(60):  # backtracking: accept any decrease (or the push off an unstable point)
            m = _project_step(n, d[0] * t1 + d[1] * t2)
            em = float(surface.energy(m))
            if em <= e or gn < gtol * scale:
                break
            d *= 0.5
        else:
            return n  # no decrease possible at machine precision: n is the minimum
        if np.allclose(m, n, rtol=0, atol=1e-15):
            return n
        if w[0] <= 1e-9 * scale and gn >= gtol * scale:
            alpha = min(alpha * 2.0, 1.0 / max(gn, 1e-300)) if np.linalg.norm(d) >= 0.999 * alpha * gn else alpha * 0.5
        n, e = m, em
    return n


def critical_points(surface, n_grid=3000, neighbours=8):
    """All minima, first-order saddles and maxima of ``surface`` with the minima each saddle joins.

    Parameters
    ----------
    surface : EnergySurface
    n_grid : int ≥ 200
        Quasi-uniform search grid (3000 points: ≈ 3.7° spacing; critical points closer than that may merge).
    neighbours : int, neighbours per grid point for the discrete classification (6–12)

    Returns
    -------
    CriticalPoints
    """
    if not isinstance(surface, EnergySurface):
        raise TypeError(f"surface: expected an atomspin.macrospin.EnergySurface, got {type(surface).__name__}")
    n_grid = check_int("n_grid", n_grid, 200, 10**6)
    neighbours = check_int("neighbours", neighbours, 6, 12)
    scale = surface.scale()
    grid = fibonacci_sphere(n_grid)
    e = surface.energy(grid)
    empty3 = np.zeros((0, 3))
    if np.ptp(e) <= 1e-12 * max(scale, np.abs(e).max(), 1e-300) or scale <= 1e-300:
        return CriticalPoints(empty3, np.zeros(0), np.zeros((0, 2)), empty3, np.zeros(0), np.zeros((0, 2)),
                              empty3, np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=bool), empty3,
                              np.zeros(0), flat=True, scale=scale)
    nb = _grid_neighbours(grid, neighbours)
    tol = 1e-10 * np.ptp(e)
    is_min, is_sad, is_max = _classify_grid(grid, e, nb, tol)
    cand = np.nonzero(is_min | is_sad | is_max)[0]
    pts, gres = _newton(surface, grid[cand])
    ok = gres < 1e-7
    pts = pts[ok]
    H = surface.hessian(pts)
    w, v = np.linalg.eigh(H)
    zero = 1e-7 * scale
    small = np.abs(w) <= zero
    # 0 minimum (incl. a ring of minima: 0, +), 1 saddle (incl. a ring across which e is maximal: −, 0), 2 maximum
    kind = np.full(len(w), -1)
    kind[(w[:, 0] > zero) | (small[:, 0] & (w[:, 1] > zero))] = 0
    kind[(w[:, 0] < -zero) & ((w[:, 1] > zero) | small[:, 1])] = 1
    kind[w[:, 1] < -zero] = 2
    ep = surface.energy(pts)
    out = {}
    for k in (0, 1, 2):
        sel = np.nonzero(kind == k)[0]
        keep = sel[_dedupe(pts[sel], ep[sel], np.radians(0.5))] if len(sel) else sel
        out[k] = keep
    mins, sads, maxs = out[0], out[1], out[2]
    degenerate = np.min(np.abs(w[sads]), axis=1) <= zero
    # thin out a continuous ring of degenerate saddles to ≤ 12 representatives ≥ 15° apart
    if degenerate.sum() > 12:
        ring = sads[degenerate]
        keep = list(_dedupe(pts[ring], ep[ring], np.radians(15.0)))[:12]
        sads = np.concatenate([sads[~degenerate], ring[keep]])
        degenerate = np.min(np.abs(w[sads]), axis=1) <= zero
    if len(mins) == 0:  # a continuous ring of minima: report its lowest grid point as a (degenerate) minimum
        i = int(np.argmin(e))
        mins_pts = grid[i:i + 1]
        cm = surface.hessian(mins_pts)
        cur_min = np.linalg.eigvalsh(cm)
        e_min = surface.energy(mins_pts)
    else:
        mins_pts = pts[mins]
        cur_min = w[mins]
        e_min = ep[mins]
    sad_pts = pts[sads]
    t1, t2 = tangent_basis(sad_pts) if len(sads) else (empty3, empty3)
    # unstable direction: the eigenvector of the lowest eigenvalue (for a degenerate ring: the negative one)
    unst = np.empty((len(sads), 3))
    for j, s in enumerate(sads):
        ws, vs = w[s], v[s]
        col = 0 if ws[0] < -zero else 1 if ws[1] < -zero else 0
        if degenerate[j]:
            col = 0 if ws[0] < ws[1] else 1  # along the ring the curvature is zero; across it negative or zero
        u = vs[0, col] * t1[j] + vs[1, col] * t2[j]
        unst[j] = u / np.linalg.norm(u)
    connect = np.full((len(sads), 2), -1, dtype=np.int64)
    for j in range(len(sads)):
        for side, sgn in enumerate((1.0, -1.0)):
            start = _project_step(sad_pts[j], sgn * 2e-2 * unst[j])
            m = local_minimum(surface, start)
            dots = mins_pts @ m
            best = int(np.argmax(dots))
            if dots[best] > np.cos(np.radians(2.0)):
                connect[j, side] = best
    return CriticalPoints(minima=mins_pts, e_minima=np.asarray(e_min, dtype=float), curvature_minima=cur_min,
                          saddles=sad_pts, e_saddles=ep[sads], curvature_saddles=w[sads],
                          unstable_saddles=unst, saddle_minima=connect, degenerate_saddles=degenerate,
                          maxima=pts[maxs], e_maxima=ep[maxs], flat=False, scale=scale)


def barriers(cp):
    """Lowest escape barrier (J/m³) out of each minimum: min over the saddles touching it of e_s − e_min.

    ``inf`` for a minimum that no saddle touches (a single-well surface), or all inf for a flat surface.
    """
    if not isinstance(cp, CriticalPoints):
        raise TypeError(f"cp: expected CriticalPoints, got {type(cp).__name__}")
    out = np.full(len(cp.e_minima), np.inf)
    for j, (a, b) in enumerate(cp.saddle_minima):
        for m in (a, b):
            if m >= 0:
                out[m] = min(out[m], cp.e_saddles[j] - cp.e_minima[m])
    return out



# ----------------------------------------------------------------------------------------------- Stoner–Wohlfarth
@dataclass
class SWLoopResult:
    """T = 0 quasi-static loop of one macrospin.

    Attributes
    ----------
    fields_A_per_m : (n, 3) applied fields H, A/m
    directions : (n, 3) moment direction n̂ after each field step
    m_parallel : (n,) n̂·Ĥ0, the reduced moment along Ĥ0, the direction of the first non-zero field
    """

    fields_A_per_m: np.ndarray
    directions: np.ndarray
    m_parallel: np.ndarray


def stoner_wohlfarth_loop(surface, Ms_A_per_m, fields_A_per_m, n0=None):
    """Quasi-static T = 0 response: after each field step the moment relaxes to its *local* minimum.

    Parameters
    ----------
    surface : EnergySurface (anisotropy; any Zeeman term in it is replaced by each applied field)
    Ms_A_per_m : float, A/m
    fields_A_per_m : (n, 3) H in A/m, in sweep order (e.g. +Hmax → −Hmax → +Hmax along one axis)
    n0 : 3-vector, optional initial direction (default: the minimum reached from the first field's direction)

    Returns
    -------
    SWLoopResult
    """
    if not isinstance(surface, EnergySurface):
        raise TypeError(f"surface: expected an atomspin.macrospin.EnergySurface, got {type(surface).__name__}")
    Ms = check_positive("Ms_A_per_m", Ms_A_per_m)
    H = check_array("fields_A_per_m", fields_A_per_m, ndim=2, nonempty=True)
    if H.shape[1] != 3:
        raise ValueError(f"fields_A_per_m: expected shape (n, 3) in A/m, got {H.shape}")
    aniso = surface.anisotropy()
    nz = np.nonzero(np.linalg.norm(H, axis=1) > 0)[0]
    h_hat = H[nz[0]] / np.linalg.norm(H[nz[0]]) if len(nz) else np.array([0.0, 0.0, 1.0])
    if n0 is None:
        n = h_hat if np.linalg.norm(H[0]) == 0 else H[0] / np.linalg.norm(H[0])
    else:
        n = check_direction("n0", n0)
    dirs = np.empty_like(H)
    for k, h in enumerate(H):
        n = local_minimum(aniso.with_field(h, Ms), n)
        dirs[k] = n
    return SWLoopResult(fields_A_per_m=H, directions=dirs, m_parallel=dirs @ h_hat)
