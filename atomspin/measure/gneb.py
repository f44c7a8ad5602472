"""Geodesic nudged elastic band (GNEB) on atomistic spins.

Zero-temperature minimum-energy path between two spin states, following
Bessarab, Uzdin & Jónsson, Comput. Phys. Commun. 196, 335 (2015):

* distance between images: geodesic, L = sqrt(Σ_i θ_i²) with θ_i = atan2(|a_i×b_i|, a_i·b_i);
* tangent: the energy-weighted upwind estimate (Henkelman & Jónsson 2000) of the Cartesian image
  differences, projected onto the tangent space of the spins and normalised;
* force: −∇E projected onto the tangent space, perpendicular part only, plus springs k(L₊−L₋)τ;
  the highest image climbs (−∇E + 2(∇E·τ)τ) once the band is roughly relaxed;
* optimiser: velocity projection (quick-min), spins renormalised after each step, with a two-level
  preconditioner (``precondition=True``): P⁻¹ = 1 + (c − 1)Π, Π the orthogonal projector of each image's
  displacement on the three rigid rotations of the whole configuration (ω × ŝ_i, least squares), and
  c = (largest local field) / (largest non-exchange local field). The soft collective rotation that sets
  the path (anisotropy, Zeeman, dipolar: c ≈ 10⁵ in magnetite) then moves with the time step of its own
  stiffness while the stiff exchange (canting) modes keep the step 0.5/√(largest field) of Bessarab et
  al.; exchange is invariant under a global rotation (its torque Σ ŝ_i × h_i vanishes), so the two blocks
  barely couple. The NEB projections are taken in the metric P (Makri, Ortner & Kermode, J. Chem. Phys.
  150, 094109 (2019)); the springs stay Euclidean and stiff;
* second-order check: once the climbing image has converged, the curvature of the energy under rigid
  rotations perpendicular to τ is computed (3×3 finite-difference Hessian); if negative — the band sits on
  a maximum, e.g. a reversal band confined by symmetry to a mirror plane through a cubic ⟨100⟩ — the band
  is turned rigidly off it and relaxed again (at most three times).

Measured (magnetite spheres, K1 < 0, default "T0" anisotropy, 1 core): 3 nm (583 spins) ⟨111⟩ → ⟨111⟩ from the
geodesic 1.8 s, from a bowed and noisy band 4.0 s, reversal [111] → [1̄1̄1̄] by ``zero_temperature_barrier``
3.5 s (three hops over ⟨110⟩); 4 nm (1395 spins) 3.1 s, 7.1 s, 7.2 s; all within 10⁻⁹ of the exact
barrier. Without the preconditioner the 3 nm reversal is not converged after 20000 steps (40 s) and
sits on the ⟨100⟩ maximum (3.6 × the barrier).

Validation (tests/test_measure_gneb.py): uniaxial clusters against ΣK and the Stoner–Wohlfarth barrier
ΣK(1 − h)², and a magnetite sphere (cubic K1 < 0, ⟨111⟩ → neighbouring ⟨111⟩ over ⟨110⟩) against the exact
barrier of the rigidly rotating Néel state, −Σk1/12 − Σk2/27 (the collinear Néel state at ⟨110⟩ is an exact
stationary point, so GNEB must reproduce it to within the convergence error).

Energies are in meV (the model's unit); ``barrier_J`` converts at the edge.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from atomspin.model.hamiltonian import Hamiltonian
from atomspin.measure.results import ResultBase, check_finite_scalar, check_int
from atomspin.units import MEV
from atomspin.model.sums import site_gram


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


def _soft_field_scale(model, states=()):
    """Largest local field (meV) of the non-exchange terms: anisotropy, Zeeman and dipolar.

    The dipolar part is the largest dipolar field |m_i (W M)_{c(i)}| of the given (N, 3) ``states`` (a bound
    over all states, Σ‖W‖ M, overestimates it by orders of magnitude in a compact ferrimagnet, whose
    dipolar field is small and turns rigidly with the spins).
    """
    hq = 2 * np.abs(model.quad).sum(axis=1)
    hc = 2 * (np.abs(model.k1) + np.abs(model.k2))
    hz = model.zeeman_prefactor() * np.linalg.norm(model.field)
    h = float(np.max(hq + hc + hz))
    if model.dipolar is not None:
        for st in states:
            hd = model.dipolar.fields_meV(np.asarray(st, dtype=np.float64), model.moments)
            h = max(h, float(np.max(np.linalg.norm(hd, axis=1))))
    return h


def _preconditioner_gain(model, scale, states=()):
    """Gain c ≥ 1 of the rigid-rotation block: largest field / largest non-exchange field, capped at 10⁶."""
    soft = _soft_field_scale(model, states)
    if soft <= 0.0:
        return 1.0
    return float(np.clip(scale / soft, 1.0, 1e6))


def _rigid_component(forces, spins):
    """Least-squares rigid rotation part ω × ŝ_i of tangent forces, per image.

    ``forces`` and ``spins`` are (..., N, 3). For each configuration ω solves A ω = Σ_i ŝ_i × F_i with
    A = Σ_i (1 − ŝ_i ŝ_iᵀ) (pseudo-inverse; directions with an eigenvalue below 10⁻³ N, such as the rotation
    about the axis of a collinear state, are dropped). Returns the (..., N, 3) projection of ``forces``
    onto the span of the three rigid rotations.
    """
    n = spins.shape[-2]
    torque = np.sum(np.cross(spins, forces), axis=-2)
    A = n * np.eye(3) - np.einsum("...ni,...nj->...ij", spins, spins)
    w, V = np.linalg.eigh(A)
    inv = np.where(w > 1e-3 * n, 1.0 / np.where(w > 0, w, 1.0), 0.0)
    omega = np.einsum("...ij,...j,...kj,...k->...i", V, inv, V, torque)
    return np.cross(omega[..., None, :], spins)


def _precondition(forces, spins, gain):
    """Forces with their rigid-rotation block amplified by ``gain`` (a symmetric positive preconditioner)."""
    if gain == 1.0:
        return forces
    return forces + (gain - 1.0) * _rigid_component(forces, spins)


def _preconditioned_neb_direction(grads, tau, spins, gpar, spring_force, gain, climb=None):
    """GNEB step direction in the metric P of the preconditioner (Makri, Ortner & Kermode, J. Chem. Phys.
    150, 094109 (2019)): d = −P⁻¹∇E + (∇E·τ) τ / (τᵀPτ) + f_spring τ, the P-orthogonal complement of τ
    of the preconditioned descent plus the (unpreconditioned, stiff) spring along τ; the climbing image gets
    −P⁻¹∇E + 2(∇E·τ)τ/(τᵀPτ).

    P⁻¹ = 1 + (c − 1)Π (Π the rigid-rotation projector), so τᵀPτ = |τ|² − (1 − 1/c)|Πτ|². Only a rigid
    tangent has its parallel force amplified by c; a tangent made of non-rigid noise (an unrelaxed band)
    is not, which keeps the large exchange forces along a noisy τ from being amplified. The springs keep
    the stiff constant of the plain method and act in the Euclidean metric: they fix the spacing in a few
    steps whatever the tangent, and a soft spring would leave the non-rigid noise along τ unrelaxed.
    """
    mg = _precondition(grads, spins, gain)
    rt = _rigid_component(tau, spins)
    tpt = np.sum(tau * tau, axis=(1, 2)) - (1.0 - 1.0 / gain) * np.sum(rt * rt, axis=(1, 2))
    tpt = np.where(tpt > 0, tpt, 1.0)
    d = -mg + (gpar / tpt + spring_force)[:, None, None] * tau
    if climb is not None:
        d[climb] = -mg[climb] + (2.0 * gpar[climb] / tpt[climb]) * tau[climb]
    return d


def _rotation(axis, angle):
    """3×3 rotation matrix (Rodrigues) about the unit ``axis`` by ``angle`` (rad)."""
    k = np.asarray(axis, dtype=np.float64)
    K = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    return np.eye(3) + np.sin(angle) * K + (1.0 - np.cos(angle)) * (K @ K)


def _rigid_descent_axis(batch, spins, tau, threshold):
    """Axis of a rigid rotation, perpendicular to the path tangent, along which the energy curves down.

    Second-order test of a converged climbing image: the 3×3 Hessian of E(R(ω) ŝ) over global rotations ω
    (central differences, 0.02 rad) restricted to the rotations that are orthogonal to the tangent τ (in the
    Euclidean metric of the displacements, A = Σ_i (1 − ŝ_iŝ_iᵀ)). The rigid curvature bounds the relaxed
    one from above, so a negative value (below −``threshold``, meV per rad² of the full geodesic length)
    proves a higher-order saddle. Returns the unit axis of the most negative curvature, or None.
    """
    n = spins.shape[0]
    A = n * np.eye(3) - site_gram(spins)
    w, V = np.linalg.eigh(A)
    keep = w > 1e-3 * n
    if np.sum(keep) < 2:
        return None
    B = V[:, keep] / np.sqrt(w[keep])  # A-orthonormal rotation axes
    t = np.sum(np.cross(spins, tau), axis=0)  # ω_τ in these coordinates: Bᵀ A ω_τ = Bᵀ Σ ŝ × τ
    c = B.T @ t
    if np.linalg.norm(c) > 0:
        c = c / np.linalg.norm(c)
        C = np.linalg.svd(np.eye(len(c)) - np.outer(c, c))[0][:, :len(c) - 1]
    else:
        C = np.eye(len(c))
    Q = B @ C  # (3, r) A-orthonormal rotations orthogonal to τ
    h = 0.02
    dirs = [np.zeros(3)]
    for i in range(3):
        dirs += [h * np.eye(3)[i], -h * np.eye(3)[i]]
    for i in range(3):
        for j in range(i + 1, 3):
            e = np.eye(3)
            dirs += [h * (e[i] + e[j]), h * (e[i] - e[j]), -h * (e[i] - e[j]), -h * (e[i] + e[j])]
    confs = np.array([spins if np.linalg.norm(d) == 0 else spins @ _rotation(d / np.linalg.norm(d),
                                                                               np.linalg.norm(d)).T
                      for d in dirs])
    E = batch(confs)[0]
    H = np.zeros((3, 3))
    for i in range(3):
        H[i, i] = (E[1 + 2 * i] - 2 * E[0] + E[2 + 2 * i]) / h ** 2
    m = 7
    for i in range(3):
        for j in range(i + 1, 3):
            H[i, j] = H[j, i] = (E[m] - E[m + 1] - E[m + 2] + E[m + 3]) / (4 * h * h)
            m += 4
    lam, X = np.linalg.eigh(Q.T @ H @ Q)
    if lam[0] >= -threshold:
        return None
    axis = Q @ X[:, 0]
    return axis / np.linalg.norm(axis)


def relax(model, spins, max_iter=20000, tol_meV=1e-6, dt=None, precondition=True):
    """Relax a spin state to the nearest energy minimum (velocity-projection descent).

    Parameters
    ----------
    model : SpinModel
    spins : (N, 3) starting state.
    max_iter : int
        Iteration cap.
    tol_meV : float
        Stop when the largest per-spin torque field |ŝ × h| is below this (meV).
    dt : float, optional
        Time step (1/√meV); default 0.5/√(largest local field).
    precondition : bool
        Amplify the rigid-rotation part of the force (see module notes) so that a stiff-exchange state
        rotates to the anisotropy minimum in few steps.

    Returns the relaxed (N, 3) spins. A converged state whose energy curves down under some rigid rotation
    (a maximum or saddle, e.g. the Néel state exactly along a cubic hard axis) is turned 0.15 rad along
    that rotation and relaxed again, at most three times.
    """
    s = _normalise(np.array(spins, dtype=np.float64))
    scale = _field_scale(model)
    if dt is None:
        dt = 0.5 / np.sqrt(scale)
    gain = _preconditioner_gain(model, scale, (s,)) if precondition else 1.0
    v = np.zeros_like(s)
    batch, kicks = Hamiltonian(model).energy_and_fields, 0
    for _ in range(max_iter):
        f = _project(batch(s)[1], s)
        if np.max(np.linalg.norm(f, axis=1)) < tol_meV:
            if kicks >= 3:
                break
            axis = _rigid_descent_axis(batch, s, np.zeros_like(s), 1e-2 * scale / gain)
            if axis is None:
                break
            # a stationary point that is not a minimum under rigid rotation (e.g. the cubic hard axis)
            kicks += 1
            s = s @ _rotation(axis, 0.15).T
            v[:] = 0.0
            continue
        f = _precondition(f, s, gain)
        p = np.sum(v * f)
        fn = np.sum(f * f)
        v = (p / fn) * f if p > 0 else np.zeros_like(f)
        v = v + dt * f
        s = _normalise(s + dt * v)
        v = _project(v, s)
    return s


def gneb(model, initial, final, n_images=12, spring=None, tol_meV=None, max_iter=20000,
         climbing=True, relax_endpoints=True, rotation_axis=None, initial_path=None, store_images=False,
         precondition=True):
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
    tol_meV : float, optional
        Convergence: largest per-spin GNEB force below this (meV). Default min(10⁻⁴, 10⁻³ × the largest
        non-exchange local field): the forces that shape the path are of the anisotropy's size, and on
        magnetite (k1 ≈ −1.7 μeV per Fe) an absolute 10⁻⁴ meV stops a 12-image climbing band 1.5 % below the
        saddle, 10⁻³ of the anisotropy field within 10⁻⁶ (tests/test_measure_gneb.py).
    max_iter : int
        Iteration cap of the velocity-projection optimiser.
    climbing : bool
        Use the climbing-image method for the highest image (exact saddle).
    rotation_axis : (3,), optional
        Axis used for initially (anti)parallel spins in the geodesic initial path.
    initial_path : (n_images, N, 3), optional
        Starting band instead of the geodesic interpolation.
    precondition : bool
        Rigid-rotation preconditioner of the optimiser (module notes); needed when the exchange is much
        stiffer than the anisotropy (real particles), harmless otherwise. False gives the plain quick-min.

    Returns
    -------
    GNEBResult
    """
    n_images = check_int("n_images", n_images, 3)
    max_iter = check_int("max_iter", max_iter, 1)
    a = np.asarray(initial, dtype=np.float64)
    b = np.asarray(final, dtype=np.float64)
    for name, x in (("initial", a), ("final", b)):
        if x.shape != (model.n, 3) or not np.all(np.isfinite(x)):
            raise ValueError(f"{name}: must be a finite ({model.n}, 3) array of spins, got shape {x.shape}")
        if np.any(np.linalg.norm(x, axis=1) < 1e-12):
            raise ValueError(f"{name}: contains zero-length spins")
    if tol_meV is None:
        soft = _soft_field_scale(model, (_normalise(a), _normalise(b)))
        tol_meV = min(1e-4, 1e-3 * soft) if soft > 0 else 1e-4
    tol_meV = check_finite_scalar("tol_meV", tol_meV, 0.0, np.inf, lo_open=True)
    scale = _field_scale(model)
    gain = _preconditioner_gain(model, scale, (_normalise(a), _normalise(b))) if precondition else 1.0
    if spring is None:
        spring = 0.1 * scale
    spring = check_finite_scalar("spring", spring, 0.0, np.inf, lo_open=True)
    if relax_endpoints:
        a = relax(model, a, precondition=precondition)
        b = relax(model, b, precondition=precondition)
    if initial_path is not None:
        path = _normalise(np.array(initial_path, dtype=np.float64))
        if path.shape != (n_images, model.n, 3):
            raise ValueError(f"initial_path: expected shape {(n_images, model.n, 3)}, got {path.shape}")
        path[0], path[-1] = _normalise(a), _normalise(b)
    else:
        path = geodesic_path(a, b, n_images, rotation_axis)
    dt = 0.5 / np.sqrt(scale + spring)
    batch = Hamiltonian(model).energy_and_fields  # (P, N, 3) → energies (P,), fields (P, N, 3)
    v = np.zeros_like(path[1:-1])
    climb_on = False
    converged = False
    kicks, max_kicks = 0, 3
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
        if climbing and not climb_on and fmax < max(10 * tol_meV, 1e-2 * scale / gain):
            climb_on = True
            v[:] = 0.0
            continue
        if fmax < tol_meV and (climb_on or not climbing):
            axis = None
            if climb_on and kicks < max_kicks:
                axis = _rigid_descent_axis(batch, path[imax], tau[imax - 1], 1e-2 * scale / gain)
            if axis is None:
                converged = True
                break
            # the climbing image sits on a higher-order saddle (e.g. the ⟨100⟩ maximum of a cubic
            # anisotropy on a mirror-symmetric band): turn the band rigidly off it and relax again
            kicks += 1
            nb = len(path) - 1
            for k in range(1, nb):
                path[k] = path[k] @ _rotation(axis, 0.15 * np.sin(np.pi * k / nb)).T
            v[:] = 0.0
            climb_on = False
            continue
        if gain != 1.0:
            forces = _preconditioned_neb_direction(grads, tau, mid, gpar, spring * (dist[1:] - dist[:-1]), gain,
                                                   imax - 1 if climb_on else None)
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
