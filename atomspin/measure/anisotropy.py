"""Effective anisotropy K_eff·V of a particle from constrained Monte Carlo torques, GNEB barrier,
Callen–Callen scaling.

Method (Asselin, Evans & Chantrell, Phys. Rev. B 82, 054415 (2010))
-------------------------------------------------------------------
The direction u of the total moment is held fixed by the constrained Monte Carlo of the engine
(``ConstrainedSimulation``) while all other degrees of freedom equilibrate at T. The mean internal
torque τ = ⟨Σ_i ŝ_i × h_i⟩, h_i = −∂E/∂ŝ_i, gives the free-energy derivative: rotating u by dα
about the axis n changes the free energy by dF = −⟨n·τ⟩ dα. Along a great circle
u(θ) = cos θ e + sin θ p from the trial easy axis e (p ⊥ e, n = e × p),

    F(θ) − F(0) = −∫₀^θ ⟨n·τ⟩ dθ'.

For uniaxial anisotropy F = K_eff V sin²θ + K₂V sin⁴θ …, so −⟨n·τ⟩ = a₁ sin 2θ + a₂ sin 4θ …
with a₁ = K_eff V (+K₂V); at θ = π/4 the sin 4θ term vanishes. The barrier between easy
directions is the lowest over the sampled planes of the largest F along the plane's great circle,
minus the lowest F found; easy axes are the sampled directions of lowest F.

Energies are meV internally (the model's unit); ``*_J`` fields and K_eff in J/m³ (with
``model.volume_m3``) convert at the edge.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from atomspin.validation import check_seed
from atomspin.measure.gneb import GNEBResult, gneb
from atomspin.measure.results import ResultBase, advance, check_direction, check_finite_scalar, check_int
from atomspin.model.hamiltonian import effective_field
from atomspin.units import MEV
from atomspin.model.sums import site_sum

MIN_SWEEPS = 10


def internal_torque(model, spins, field=None):
    """Total internal torque Σ_i ŝ_i × h_i (meV) of a spin state (exchange torques cancel)."""
    s = np.asarray(spins, dtype=np.float64)
    h = effective_field(model, s, field)
    return np.cross(s, h).sum(axis=0)


def _perpendicular(e):
    trial = np.eye(3)[np.argmin(np.abs(e))]
    p = trial - (trial @ e) * e
    return p / np.linalg.norm(p)


def _plane_vectors(e, n_planes):
    p0 = _perpendicular(e)
    q0 = np.cross(e, p0)
    phis = np.pi * np.arange(n_planes) / n_planes
    return [np.cos(f) * p0 + np.sin(f) * q0 for f in phis], phis



def escape_barrier(theta, F, periodic=True):
    """Lowest barrier out of the global minimum of a free-energy profile F(θ) along a great circle.

    Walking from the global minimum in either direction, the barrier of that direction is the
    first maximum met (the walk stops at the next local minimum, or at the end of a non-periodic
    path); the escape barrier is the lower of the two. F should be smooth (e.g. the fitted
    Fourier series), since every wiggle counts as a minimum. For a uniaxial particle this is K V
    (minima at ±e); for cubic K1 < 0 sampled in a {110} plane through ⟨111⟩ it is −K1 V/12
    (over ⟨110⟩), not the −K1 V/3 hump at ⟨100⟩ that lies on the same circle.

    Parameters
    ----------
    theta : (A,) increasing angles (rad)
    F : (A,) free energy on ``theta`` (any energy unit)
    periodic : bool
        True when ``theta`` spans a half circle [0, π] (F(θ + π) = F(θ), time reversal), so the walk
        wraps around.
    """
    F = np.asarray(F, dtype=np.float64)
    if periodic:
        F = F[:-1] if np.isclose(theta[-1] - theta[0], np.pi) else F
    k0 = int(np.argmin(F))
    fmin = F[k0]
    n = len(F)
    out = []
    for step in (1, -1):
        top = fmin
        k = k0
        for _ in range(n - 1):
            nxt = k + step
            if periodic:
                nxt %= n
            elif nxt < 0 or nxt >= n:
                break
            if F[nxt] < F[k] and F[k] >= top and top > fmin:
                break  # F[k] was the first maximum: descending into the next minimum
            top = max(top, F[nxt])
            k = nxt
        out.append(top - fmin)
    return float(min(out))


@dataclass
class EffectiveAnisotropyResult(ResultBase):
    """Free energy F(θ) versus the direction of the total moment at temperature T.

    Attributes
    ----------
    theta : (A,) angle of the constrained direction from ``easy_axis`` (rad).
    phi : (P,) azimuth of each sampled plane (rad); plane_vectors (P, 3).
    torque_meV, torque_err_meV : (P, A) ⟨n·τ⟩ and its standard error (meV).
    free_energy_meV : (P, A) F(θ) − F(0) by trapezoidal integration of the torque (meV).
    torque_amplitude_2theta_meV, torque_amplitude_2theta_err_meV : amplitude of the 2θ harmonic of the fit
        dF/dθ = −⟨n·τ⟩ = Σ_l [a_l sin 2lθ + b_l cos 2lθ] (l ≤ 3, limited by n_angles), in the plane where it is
        largest (meV): F = a₁ sin²(θ − θ₀) for a uniaxial particle whose easy axis lies in that plane (then
        a₁ = K V); for a cubic particle it is *not* a barrier (see ``barrier_J``). a2_meV the 4θ amplitude.
    torque_amplitude_2theta_J, torque_amplitude_2theta_J_per_m3 : the same in J and divided by ``volume_m3``.
    barrier_meV, barrier_J : lowest saddle over the sampled circles, measured from the lowest F anywhere:
        per plane the escape barrier out of its minimum (:func:`escape_barrier`) plus that minimum's
        height above the global one; F from the fitted Fourier series (all planes share F = 0 at the
        trial axis). Exact when a sampled plane holds the easy axis and the saddle (uniaxial: any plane;
        cubic K1 < 0: the {110} plane through ⟨111⟩, see ``plane_normal``).
    easy_axes : (k, 3) sampled directions of the minimum free energy (± pairs collapsed).
    T, easy_axis, sweeps, equilibration_sweeps, seed, volume_m3, m_constrained (P, A) reduced |M|.
    """

    theta: np.ndarray
    phi: np.ndarray
    plane_vectors: np.ndarray
    torque_meV: np.ndarray
    torque_err_meV: np.ndarray
    free_energy_meV: np.ndarray
    torque_amplitude_2theta_meV: float
    torque_amplitude_2theta_err_meV: float
    a2_meV: float
    torque_amplitude_2theta_J: float
    torque_amplitude_2theta_J_per_m3: float
    barrier_meV: float
    barrier_J: float
    easy_axes: np.ndarray
    T: float
    easy_axis: np.ndarray
    sweeps: int
    equilibration_sweeps: int
    seed: int
    volume_m3: float
    m_constrained: np.ndarray
    elapsed_s: float = float("nan")

    def plot(self, ax=None, **kwargs):
        """F(θ) − F(0) in meV for each plane, with the uniaxial fit a₁ sin²θ."""
        ax = self._axes(ax)
        for k in range(len(self.phi)):
            ax.plot(np.degrees(self.theta), self.free_energy_meV[k], "o", label=f"φ = {np.degrees(self.phi[k]):.0f}°")
        th = np.linspace(self.theta.min(), self.theta.max(), 200)
        ax.plot(np.degrees(th), self.torque_amplitude_2theta_meV * np.sin(th) ** 2, "-", color="k", lw=1,
                label="a₁ sin²θ (2θ amplitude)")
        ax.set_xlabel("θ (degrees from trial easy axis)")
        ax.set_ylabel("F − F(0) (meV)")
        ax.set_title(f"T = {self.T:g} K: 2θ amplitude {self.torque_amplitude_2theta_meV:.4g} meV, "
                     f"barrier ΔF = {self.barrier_meV:.4g} meV")
        ax.legend(fontsize=7)
        return ax


def _constrained_torque(model, T, direction, n_axis, seed, sweeps, equilibration_sweeps, observe_every, opts):
    """Mean and τ_int-aware standard error (atomspin.engine.statistics) of n·τ (meV), and the mean
    reduced |M| under the constraint (engine options ``opts``, an EngineOptions)."""
    sim = opts.constrained(model, T, direction, seed)
    advance(sim, equilibration_sweeps)
    obs = sim.run(sweeps, observe_every=observe_every)
    dfdphi, err = obs.free_energy_derivative(n_axis)  # = −n·⟨τ⟩
    return -dfdphi, err, float(obs.mean_abs_m / obs.m_sat)


def fit_torque(theta, minus_torque, err=None, n_harmonics=2, cosine=False):
    """Least-squares fit of dF/dθ = −⟨n·τ⟩(θ) = Σ_{l=1..L} [a_l sin 2lθ + b_l cos 2lθ].

    The b_l (``cosine=True``) are needed when θ = 0 is not an extremum of F (trial axis off the
    easy axis). Returns (a (L,), b (L,), σ(a) (L,), σ(b) (L,)); b and σ(b) are zeros without cosine.
    """
    th = np.asarray(theta, dtype=np.float64)
    y = np.asarray(minus_torque, dtype=np.float64)
    L = check_int("n_harmonics", n_harmonics, 1)
    cols = [np.sin(2 * (l + 1) * th) for l in range(L)]
    if cosine:
        cols += [np.cos(2 * (l + 1) * th) for l in range(L)]
    A = np.stack(cols, axis=1)
    w = np.ones_like(y)
    if err is not None:
        e = np.asarray(err, dtype=np.float64)
        if np.all(np.isfinite(e)) and np.all(e > 0):
            w = 1.0 / e
    Aw = A * w[:, None]
    coef, *_ = np.linalg.lstsq(Aw, y * w, rcond=None)
    resid = (A @ coef - y) * w
    dof = max(len(y) - A.shape[1], 1)
    cov = np.linalg.pinv(Aw.T @ Aw) * max(resid @ resid / dof, 1.0 if err is not None else 0.0)
    sd = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    if cosine:
        return coef[:L], coef[L:], sd[:L], sd[L:]
    return coef, np.zeros(L), sd, np.zeros(L)


def free_energy_series(theta, a, b=None):
    """F(θ) − F(0) = Σ_l [a_l (1 − cos 2lθ) + b_l sin 2lθ] / (2l), the integral of :func:`fit_torque`."""
    th = np.asarray(theta, dtype=np.float64)
    b = np.zeros(len(a)) if b is None else b
    return sum((a[l] * (1 - np.cos(2 * (l + 1) * th)) + b[l] * np.sin(2 * (l + 1) * th)) / (2 * (l + 1))
               for l in range(len(a)))


def effective_anisotropy(model, T, easy_axis=(0.0, 0.0, 1.0), n_angles=9, n_planes=1, theta_max=np.pi,
                         sweeps=2000, equilibration_sweeps=1000, observe_every=10, seed=0,
                         progress=False, plane_normal=None, engine=None):
    """K_eff·V, the barrier ΔF(T) and easy axes from constrained Monte Carlo torques.

    Parameters
    ----------
    model : SpinModel
        Field ``model.field`` is included in the torque (normally zero).
    T : float
        Temperature (K), ≥ 0.
    easy_axis : 3-vector
        Trial easy axis e: angles θ are measured from it.
    n_angles : int
        Constraint directions per plane, θ = linspace(0, theta_max, n_angles) (≥ 3).
    n_planes : int
        Great-circle planes through e, at azimuths φ = kπ/n_planes.
    theta_max : float
        Largest angle (rad), in (0, π]; π gives the full path between ±e.
    sweeps, equilibration_sweeps : int
        Sampled and discarded constrained sweeps per direction.
    observe_every : int
        Torque sampling interval (sweeps).
    seed : int
        Each direction uses its own seed from ``numpy.random.SeedSequence(seed)``.
    progress : bool
        Print one line per direction to stderr.
    plane_normal : 3-vector, optional
        Normal of the first sampled plane (must be ⟂ ``easy_axis``); default: an arbitrary plane
        through e. For magnetite-like cubic anisotropy (K1 < 0) use ``easy_axis=(1, 1, 1)``,
        ``plane_normal=(1, -1, 0)``: that circle holds ⟨111⟩, ⟨110⟩ and ⟨100⟩.
    engine : dict, optional
        Engine options (:class:`atomspin.engine.EngineOptions`); constrained MC takes
        ``constrained_sweeper``, ``adapt``, ``sigma``, ``adapt_moves``, ``sweeper_options``.

    Returns
    -------
    EffectiveAnisotropyResult
        ``barrier_*`` is the escape barrier out of the lowest sampled minimum along the sampled
        circles (:func:`escape_barrier`).
    """
    import sys

    T = check_finite_scalar("T", T, 0.0, np.inf)
    e = check_direction("easy_axis", easy_axis)
    n_angles = check_int("n_angles", n_angles, 3)
    n_planes = check_int("n_planes", n_planes, 1)
    theta_max = check_finite_scalar("theta_max", theta_max, 0.0, np.pi, lo_open=True)
    sweeps = check_int("sweeps", sweeps, MIN_SWEEPS)
    equilibration_sweeps = check_int("equilibration_sweeps", equilibration_sweeps, 0)
    observe_every = check_int("observe_every", observe_every, 1, sweeps)
    seed = check_seed(seed)
    from atomspin.engine import EngineOptions

    opts = EngineOptions(engine)
    theta = np.linspace(0.0, theta_max, n_angles)
    if plane_normal is None:
        planes, phis = _plane_vectors(e, n_planes)
    else:
        nrm = check_direction("plane_normal", plane_normal)
        if abs(nrm @ e) > 1e-8:
            raise ValueError(f"plane_normal: must be perpendicular to easy_axis, got cos = {nrm @ e:.3g}")
        p0 = np.cross(nrm, e)
        p0 /= np.linalg.norm(p0)
        q0 = np.cross(e, p0)
        phis = np.pi * np.arange(n_planes) / n_planes
        planes = [np.cos(f) * p0 + np.sin(f) * q0 for f in phis]
    seeds = np.random.SeedSequence(seed).generate_state(n_planes * n_angles, dtype=np.uint64)
    tau = np.empty((n_planes, n_angles))
    tau_err = np.empty_like(tau)
    mcon = np.empty_like(tau)
    t0 = time.perf_counter()
    for p, pv in enumerate(planes):
        n_axis = np.cross(e, pv)
        for k, th in enumerate(theta):
            u = np.cos(th) * e + np.sin(th) * pv
            tau[p, k], tau_err[p, k], mcon[p, k] = _constrained_torque(
                model, T, u, n_axis, int(seeds[p * n_angles + k]), sweeps, equilibration_sweeps, observe_every, opts)
            if progress:
                sys.stderr.write(f"[atomspin] constrained MC plane {p + 1}/{n_planes}, θ = {np.degrees(th):.1f}°: "
                                 f"torque = {tau[p, k]:.4g} meV, {time.perf_counter() - t0:.1f}s elapsed\n")
    F = np.zeros_like(tau)
    F[:, 1:] = -np.cumsum(0.5 * (tau[:, 1:] + tau[:, :-1]) * np.diff(theta)[None, :], axis=1)
    n_h = max(1, min(3, (n_angles - 1) // 4))
    fits = [fit_torque(theta, -tau[p], tau_err[p], n_harmonics=n_h, cosine=True) for p in range(n_planes)]
    amp = np.array([np.hypot(f[0][0], f[1][0]) for f in fits])
    best = int(np.argmax(amp))
    a1 = float(amp[best])
    a2 = float(np.hypot(fits[best][0][1], fits[best][1][1])) if n_h > 1 else 0.0
    a1_err = float(np.hypot(fits[best][2][0], fits[best][3][0]))
    fine = np.linspace(0.0, theta_max, 721)
    Ffit = np.array([free_energy_series(fine, f[0], f[1]) for f in fits])
    periodic = bool(np.isclose(theta_max, np.pi))
    fglob = Ffit.min()
    barrier = float(min(escape_barrier(fine, row, periodic) + (row.min() - fglob) for row in Ffit))
    fmin = F.min()
    dirs = []
    for p, pv in enumerate(planes):
        for k, th in enumerate(theta):
            if F[p, k] <= fmin + max(3 * np.nanmax(tau_err) * np.diff(theta).mean(), 1e-12 * abs(fmin) + 1e-12):
                u = np.cos(th) * e + np.sin(th) * pv
                if not any(abs(abs(u @ d) - 1) < 1e-9 for d in dirs):
                    dirs.append(u)
    V = float(model.volume_m3)
    return EffectiveAnisotropyResult(
        theta=theta, phi=phis, plane_vectors=np.array(planes), torque_meV=tau, torque_err_meV=tau_err,
        free_energy_meV=F, torque_amplitude_2theta_meV=a1, torque_amplitude_2theta_err_meV=a1_err, a2_meV=a2,
        torque_amplitude_2theta_J=a1 * MEV,
        torque_amplitude_2theta_J_per_m3=a1 * MEV / V if (np.isfinite(V) and V > 0) else np.nan, barrier_meV=barrier,
        barrier_J=barrier * MEV, easy_axes=np.array(dirs), T=T, easy_axis=e, sweeps=sweeps,
        equilibration_sweeps=equilibration_sweeps, seed=seed, volume_m3=V, m_constrained=mcon,
        elapsed_s=time.perf_counter() - t0)


def zero_temperature_barrier(model, easy_axis=(0.0, 0.0, 1.0), n_images=12, **gneb_kwargs) -> GNEBResult:
    """GNEB barrier (T = 0) between the states magnetised along +e and −e.

    The start state is ``model.spins`` flipped (site by site) so that its net moment points along
    +e (keeping the sublattice arrangement); the end state is its reverse. Both are relaxed first.
    Extra keyword arguments go to :func:`atomspin.measure.gneb.gneb`.
    """
    e = check_direction("easy_axis", easy_axis)
    s = model.spins.copy()
    net = site_sum(model.moments, s)
    if np.linalg.norm(net) == 0:
        raise ValueError("model.spins: zero net moment; cannot orient the end states along easy_axis")
    # rotate the model state rigidly so the net moment lies along +e
    a = net / np.linalg.norm(net)
    v = np.cross(a, e)
    c = float(a @ e)
    if np.linalg.norm(v) < 1e-12:
        R = np.eye(3) if c > 0 else -np.eye(3) + 2 * np.outer(_perpendicular(e), _perpendicular(e))
    else:
        vx = np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]])
        R = np.eye(3) + vx + vx @ vx / (1 + c)
    start = s @ R.T
    return gneb(model, start, -start, n_images=n_images, **gneb_kwargs)


# Callen–Callen K(T) vs m(T): atomspin.measure.callen_callen (re-exported here)
from atomspin.measure.callen_callen import (CallenCallenResult, anisotropy_temperature_series,  # noqa: E402,F401
                                            callen_callen_fit)
