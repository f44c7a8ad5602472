"""Geodesic nudged elastic band (GNEB) on atomistic spins.

Zero-temperature minimum-energy path between two spin states, following
Bessarab, Uzdin & Jónsson, Comput. Phys. Commun. 196, 335 (2015):

* distance between images: geodesic, L = sqrt(Σ_i θ_i²) with θ_i = atan2(|a_i×b_i|, a_i·b_i);
* tangent: the energy-weighted upwind estimate (Henkelman & Jónsson 2000) of the Cartesian image
  differences, projected onto the tangent space of the spins and normalised;
* force: −∇E projected onto the tangent space, perpendicular part only, plus springs k(L₊−L₋)τ;
  the highest image climbs (−∇E + 2(∇E·τ)τ) once the band is roughly relaxed;
* optimiser: velocity projection (quick-min), spins renormalised after each step.

Energies are in meV (the model's unit); ``barrier_J`` converts at the edge.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from atomspin.measure._field import effective_field
from atomspin.model.core import quad_to_matrix
from atomspin.measure.results import ResultBase, check_finite_scalar, check_int
from atomspin.units import MEV


@dataclass
class GNEBResult(ResultBase):
    """Minimum-energy path from GNEB.

    Attributes
    ----------
    reaction_coordinate : (n_images,) cumulative geodesic distance along the path (rad).
    energies_meV : (n_images,) energy of each image relative to the initial image (meV).
    barrier_meV : forward barrier E_saddle − E_initial (meV).
    barrier_reverse_meV : E_saddle − E_final (meV).
    barrier_J : forward barrier in J.
    saddle_index : index of the highest image (the climbing image).
    converged : whether max |force| < tolerance.
    iterations : optimiser iterations used.
    max_force_meV : final largest per-spin force (meV).
    images : (n_images, N, 3) spin configurations, or None if not stored.
    """

    reaction_coordinate: np.ndarray
    energies_meV: np.ndarray
    barrier_meV: float
    barrier_reverse_meV: float
    barrier_J: float
    saddle_index: int
    converged: bool
    iterations: int
    max_force_meV: float
    images: np.ndarray = field(default=None, repr=False)

    def to_dict(self):
        d = super().to_dict()
        d.pop("images", None)
        return d

    def plot(self, ax=None, **kwargs):
        """Energy (meV) along the path versus the geodesic reaction coordinate."""
        ax = self._axes(ax)
        ax.plot(self.reaction_coordinate, self.energies_meV, "o-", **kwargs)
        ax.plot(self.reaction_coordinate[self.saddle_index], self.energies_meV[self.saddle_index], "r*", ms=12)
        ax.set_xlabel("geodesic reaction coordinate (rad)")
        ax.set_ylabel("E − E_initial (meV)")
        ax.set_title(f"GNEB: ΔE = {self.barrier_meV:.4g} meV")
        return ax


class _BatchEnergy:
    """Energies (meV) and fields −∂E/∂ŝ (meV) of a whole band (P, N, 3) at once.

    The same Hamiltonian as ``SpinModel.energy`` (checked against it and the engine's
    ``effective_field`` in the tests), vectorised over images to keep the GNEB loop in numpy.
    """

    def __init__(self, model):
        import scipy.sparse as sp

        n = model.n
        row = np.repeat(np.arange(n), np.diff(model.indptr))
        self.Jmat = sp.csr_matrix((model.J, (row, model.indices)), shape=(n, n))
        self.Q = quad_to_matrix(model.quad)
        self.k1, self.k2 = model.k1, model.k2
        self.zb = model.zeeman_prefactor()[:, None] * model.field[None, :]
        self.dip = model.dipolar
        self.moments = model.moments
        self.n = n

    def __call__(self, S):
        P, n, _ = S.shape
        hx = (self.Jmat @ S.transpose(1, 0, 2).reshape(n, 3 * P)).reshape(n, P, 3).transpose(1, 0, 2)
        qs = np.einsum("nij,pnj->pni", self.Q, S)
        x, y, z = S[..., 0], S[..., 1], S[..., 2]
        x2, y2, z2 = x * x, y * y, z * z
        k1, k2 = self.k1, self.k2
        e = -0.5 * np.einsum("pni,pni->p", S, hx) - np.einsum("pni,pni->p", S, qs)
        e += np.sum(k1 * (x2 * y2 + y2 * z2 + z2 * x2) + k2 * x2 * y2 * z2, axis=1)
        e -= np.einsum("pni,ni->p", S, self.zb)
        h = hx + 2 * qs + self.zb[None]
        h[..., 0] -= 2 * x * (k1 * (y2 + z2) + k2 * y2 * z2)
        h[..., 1] -= 2 * y * (k1 * (x2 + z2) + k2 * x2 * z2)
        h[..., 2] -= 2 * z * (k1 * (x2 + y2) + k2 * x2 * y2)
        if self.dip is not None:
            nc = self.dip.n_cells
            mc = np.zeros((P, nc, 3))
            for p in range(P):
                np.add.at(mc[p], self.dip.cell_of, self.moments[:, None] * S[p])
            wm = np.einsum("cdij,pdj->pci", self.dip.tensor, mc)
            e -= 0.5 * np.einsum("pci,pci->p", mc, wm)
            h += self.moments[None, :, None] * wm[:, self.dip.cell_of]
        return e, h


def _normalise(s):
    return s / np.linalg.norm(s, axis=-1, keepdims=True)


def _project(v, s):
    """Project per-spin vectors v onto the tangent planes of spins s."""
    return v - np.sum(v * s, axis=-1, keepdims=True) * s


def geodesic_distance(a, b):
    """Geodesic distance sqrt(Σ_i θ_i²) (rad) between two spin configurations (N, 3)."""
    cr = np.linalg.norm(np.cross(a, b), axis=-1)
    dot = np.sum(a * b, axis=-1)
    return float(np.sqrt(np.sum(np.arctan2(cr, dot) ** 2)))


def _band_distances(path):
    """Geodesic distances between consecutive images of a band (P, N, 3) → (P−1,)."""
    a, b = path[:-1], path[1:]
    cr = np.linalg.norm(np.cross(a, b), axis=-1)
    dot = np.sum(a * b, axis=-1)
    return np.sqrt(np.sum(np.arctan2(cr, dot) ** 2, axis=-1))


def geodesic_path(initial, final, n_images, rotation_axis=None):
    """Interpolate each spin along its great circle from ``initial`` to ``final``.

    Spins that are (anti)parallel have no unique great circle; they rotate about
    ``rotation_axis`` projected perpendicular to the spin (default: a fixed axis shared by all
    spins, so a uniform state rotates coherently).
    """
    a = _normalise(np.asarray(initial, dtype=np.float64))
    b = _normalise(np.asarray(final, dtype=np.float64))
    if rotation_axis is None:
        m = a.sum(axis=0)
        m = m / np.linalg.norm(m) if np.linalg.norm(m) > 1e-12 else np.array([0.0, 0.0, 1.0])
        trial = np.eye(3)[np.argmin(np.abs(m))]
        rotation_axis = np.cross(m, trial)
    ax0 = np.asarray(rotation_axis, dtype=np.float64)
    axis = np.cross(a, b)
    sin = np.linalg.norm(axis, axis=1)
    cos = np.sum(a * b, axis=1)
    theta = np.arctan2(sin, cos)
    degenerate = sin < 1e-8
    axis[~degenerate] /= sin[~degenerate, None]
    if np.any(degenerate):
        ad = a[degenerate]
        perp = ax0[None, :] - np.sum(ad * ax0, axis=1)[:, None] * ad
        bad = np.linalg.norm(perp, axis=1) < 1e-8
        if np.any(bad):
            perp[bad] = np.cross(ad[bad], np.array([0.0, 1.0, 0.0]))
            still = np.linalg.norm(perp, axis=1) < 1e-8
            perp[still] = np.cross(ad[still], np.array([1.0, 0.0, 0.0]))
        axis[degenerate] = _normalise(perp)
    out = np.empty((n_images,) + a.shape)
    for k, t in enumerate(np.linspace(0.0, 1.0, n_images)):
        ang = t * theta
        c, s_ = np.cos(ang)[:, None], np.sin(ang)[:, None]
        kxa = np.cross(axis, a)
        kda = np.sum(axis * a, axis=1)[:, None]
        out[k] = a * c + kxa * s_ + axis * kda * (1 - c)  # Rodrigues
    out[0], out[-1] = a, b
    return _normalise(out)


def _field_scale(model):
    """Largest possible local-field magnitude (meV), for the optimiser time step."""
    row = np.repeat(np.arange(model.n), np.diff(model.indptr))
    hj = np.zeros(model.n)
    np.add.at(hj, row, np.abs(model.J))
    hq = 2 * np.abs(model.quad).sum(axis=1)
    hc = 2 * (np.abs(model.k1) + np.abs(model.k2))
    hz = model.zeeman_prefactor() * np.linalg.norm(model.field)
    return float(np.max(hj + hq + hc + hz)) + 1e-12


def relax(model, spins, max_iter=20000, tol_meV=1e-6, dt=None):
    """Relax a spin state to the nearest energy minimum (velocity-projection descent).

    Returns the relaxed (N, 3) spins.
    """
    s = _normalise(np.array(spins, dtype=np.float64))
    if dt is None:
        dt = 0.5 / np.sqrt(_field_scale(model))
    v = np.zeros_like(s)
    for _ in range(max_iter):
        f = _project(effective_field(model, s), s)
        if np.max(np.linalg.norm(f, axis=1)) < tol_meV:
            break
        p = np.sum(v * f)
        fn = np.sum(f * f)
        v = (p / fn) * f if p > 0 else np.zeros_like(f)
        v = v + dt * f
        s = _normalise(s + dt * v)
        v = _project(v, s)
    return s


def gneb(model, initial, final, n_images=12, spring=None, tol_meV=1e-4, max_iter=20000,
         climbing=True, relax_endpoints=True, rotation_axis=None, initial_path=None, store_images=False):
    """Minimum-energy path and barrier between two spin states by geodesic NEB.

    Parameters
    ----------
    model : SpinModel
        The spin model (energies meV, field ``model.field`` in tesla).
    initial, final : (N, 3) arrays
        End states (unit spins); relaxed to their local minima first unless ``relax_endpoints=False``.
    n_images : int
        Number of images including the two ends (≥ 3).
    spring : float, optional
        Spring constant (meV/rad²); default: the largest |force| scale of the model divided by 10.
    tol_meV : float
        Convergence: largest per-spin GNEB force below this (meV).
    max_iter : int
        Iteration cap of the velocity-projection optimiser.
    climbing : bool
        Use the climbing-image method for the highest image (exact saddle).
    rotation_axis : (3,), optional
        Axis used for initially (anti)parallel spins in the geodesic initial path.
    initial_path : (n_images, N, 3), optional
        Starting band instead of the geodesic interpolation.

    Returns
    -------
    GNEBResult
    """
    n_images = check_int("n_images", n_images, 3)
    max_iter = check_int("max_iter", max_iter, 1)
    tol_meV = check_finite_scalar("tol_meV", tol_meV, 0.0, np.inf, lo_open=True)
    a = np.asarray(initial, dtype=np.float64)
    b = np.asarray(final, dtype=np.float64)
    for name, x in (("initial", a), ("final", b)):
        if x.shape != (model.n, 3) or not np.all(np.isfinite(x)):
            raise ValueError(f"{name}: must be a finite ({model.n}, 3) array of spins, got shape {x.shape}")
        if np.any(np.linalg.norm(x, axis=1) < 1e-12):
            raise ValueError(f"{name}: contains zero-length spins")
    scale = _field_scale(model)
    if spring is None:
        spring = 0.1 * scale
    spring = check_finite_scalar("spring", spring, 0.0, np.inf, lo_open=True)
    if relax_endpoints:
        a = relax(model, a)
        b = relax(model, b)
    if initial_path is not None:
        path = _normalise(np.array(initial_path, dtype=np.float64))
        if path.shape != (n_images, model.n, 3):
            raise ValueError(f"initial_path: expected shape {(n_images, model.n, 3)}, got {path.shape}")
        path[0], path[-1] = _normalise(a), _normalise(b)
    else:
        path = geodesic_path(a, b, n_images, rotation_axis)
    dt = 0.5 / np.sqrt(scale + spring)
    batch = _BatchEnergy(model)
    v = np.zeros_like(path[1:-1])
    climb_on = False
    converged = False
    it = 0
    fmax = np.inf
    for it in range(1, max_iter + 1):
        energies, hfield = batch(path)
        grads = _project(-hfield[1:-1], path[1:-1])
        dist = _band_distances(path)
        imax = 1 + int(np.argmax(energies[1:-1]))
        mid = path[1:-1]
        tp = _project(path[2:] - mid, mid)
        tm = _project(mid - path[:-2], mid)
        ep, e0, em = energies[2:], energies[1:-1], energies[:-2]
        dmax = np.maximum(np.abs(ep - e0), np.abs(em - e0))
        dmin = np.minimum(np.abs(ep - e0), np.abs(em - e0))
        wp = np.where(ep > em, dmax, dmin)  # energy-weighted tangent at extrema (Henkelman & Jónsson)
        wm = np.where(ep > em, dmin, dmax)
        up = (ep > e0) & (e0 > em)
        down = (ep < e0) & (e0 < em)
        wp = np.where(up, 1.0, np.where(down, 0.0, wp))
        wm = np.where(up, 0.0, np.where(down, 1.0, wm))
        tau = wp[:, None, None] * tp + wm[:, None, None] * tm
        nt = np.sqrt(np.sum(tau * tau, axis=(1, 2)))
        tau = tau / np.where(nt > 0, nt, 1.0)[:, None, None]
        gpar = np.sum(grads * tau, axis=(1, 2))
        forces = -(grads - gpar[:, None, None] * tau) + (spring * (dist[1:] - dist[:-1]))[:, None, None] * tau
        if climb_on:
            k = imax - 1
            forces[k] = -grads[k] + 2.0 * gpar[k] * tau[k]
        fmax = float(np.max(np.linalg.norm(forces, axis=-1)))
        if climbing and not climb_on and fmax < max(10 * tol_meV, 1e-2 * scale):
            climb_on = True
            v[:] = 0.0
            continue
        if fmax < tol_meV and (climb_on or not climbing):
            converged = True
            break
        p = np.sum(v * forces)
        fn = np.sum(forces * forces)
        v = (p / fn) * forces if p > 0 else np.zeros_like(forces)
        v = v + dt * forces
        path[1:-1] = _normalise(path[1:-1] + dt * v)
        v = _project(v, path[1:-1])
    energies = np.array([model.energy(p) for p in path])
    dist = _band_distances(path)
    rc = np.concatenate([[0.0], np.cumsum(dist)])
    imax = int(np.argmax(energies))
    rel = energies - energies[0]
    barrier = float(energies[imax] - energies[0])
    return GNEBResult(reaction_coordinate=rc, energies_meV=rel, barrier_meV=barrier,
                      barrier_reverse_meV=float(energies[imax] - energies[-1]), barrier_J=barrier * MEV,
                      saddle_index=imax, converged=converged, iterations=it, max_force_meV=fmax,
                      images=path.copy() if store_images else None)
