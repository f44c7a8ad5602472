"""Heating from the whole landscape: AC loops, SAR and ILP of a particle and of ensembles, in any regime.

* :func:`landscape_loop` — the master equation over the minima (:mod:`atomspin.sar.master`), immobilised (a
  deterministic quadrature over the orientations) or in a liquid (Néel jumps + Brownian rotation,
  :mod:`atomspin.sar.fluid`, a stochastic ensemble with its error bar).
* :func:`llg_sar` — stochastic LLG of the same macrospins (:mod:`atomspin.sar.macrospin_llg`), coupled to
  Brownian rotation in a liquid; for low barriers.
* :func:`exact_linear_response` — linear response with the relaxation time of :func:`atomspin.sar.relaxation_time`.
* :func:`ensemble_sar` — lognormal size and shape dispersion, random or aligned axes, several realisations
  (e.g. defect realisations of an atomistic particle), dipolar coupling; SAR ± its standard error over the
  realisations.

Orientations: a particle's anisotropy is fixed in its body; the drive is along the lab ẑ. "random" axes are a
quadrature over the field direction in the body frame (uniaxial: midpoints in cos ψ, exact for the random
average; a landscape: a Fibonacci set on the sphere), "aligned" puts the field along the easy direction
(the lowest zero-field minimum).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from atomspin.units import K_B, MU_0
from atomspin.validation import check_choice, check_int, check_real, check_seed

from ._common import check_drive, cyclic_area, field_safety, ilp, sphere_volume
from .particle import Medium, Particle
from .rates import SIGMA_CROSSOVER, Landscape, check_landscape


@dataclass
class HeatingResult:
    """AC loop and heating of a particle or an ensemble.

    Attributes
    ----------
    f_Hz, H0_A_per_m : the drive
    H_A_per_m, M_over_Ms : the (steady or last) cycle: field and volume-weighted ⟨m̂·ẑ⟩
    loop_area_J_per_m3, loop_area_err_J_per_m3 : −∮ μ0 M dH per volume of magnetic material and its standard
        error (0 for a deterministic quadrature)
    sar_W_per_g, sar_err_W_per_g, ilp_nHm2_per_kg, ilp_err_nHm2_per_kg
    method : "master", "master+brownian", "llg", "lrt"
    member_area_J_per_m3 : area of each orientation / ensemble member
    params : numerical settings; safety : H·f limits
    """

    f_Hz: float
    H0_A_per_m: float
    H_A_per_m: np.ndarray
    M_over_Ms: np.ndarray
    loop_area_J_per_m3: float
    loop_area_err_J_per_m3: float
    sar_W_per_g: float
    sar_err_W_per_g: float
    ilp_nHm2_per_kg: float
    ilp_err_nHm2_per_kg: float
    method: str
    member_area_J_per_m3: np.ndarray
    params: dict = field(default_factory=dict)
    safety: dict = field(default_factory=dict)

    def plot(self, ax=None, label=None):
        """The loop μ0M (mT) against H (kA/m). Returns the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(4.5, 3.5))
        Ms = self.params.get("Ms_A_per_m", 1.0)
        H = np.append(self.H_A_per_m, self.H_A_per_m[:1])
        M = np.append(self.M_over_Ms, self.M_over_Ms[:1])
        ax.plot(H / 1e3, MU_0 * Ms * M * 1e3, "-", label=label or f"{self.method}: {self.sar_W_per_g:.3g} W/g")
        ax.set_xlabel("H (kA/m)")
        ax.set_ylabel("μ0 M (mT)")
        ax.legend(fontsize=7)
        return ax


def _result(f, H0, H, M, area, err, members, method, particle, params):
    rho = particle.density_kg_per_m3
    sar = area * f / rho * 1e-3
    serr = err * f / rho * 1e-3
    params = dict(params, Ms_A_per_m=particle.Ms_A_per_m)
    return HeatingResult(f_Hz=f, H0_A_per_m=H0, H_A_per_m=H, M_over_Ms=M, loop_area_J_per_m3=float(area),
                         loop_area_err_J_per_m3=float(err), sar_W_per_g=float(sar), sar_err_W_per_g=float(serr),
                         ilp_nHm2_per_kg=float(ilp(sar, f, H0)), ilp_err_nHm2_per_kg=float(ilp(serr, f, H0)),
                         method=method, member_area_J_per_m3=np.asarray(members), params=params,
                         safety=field_safety(f, H0))


def _medium(medium):
    if medium is None:
        return Medium.solid()
    if not isinstance(medium, Medium):
        raise ValueError(f"medium: a {type(medium).__name__} is not an atomspin.sar.Medium")
    return medium


def _thermal(particle):
    if not isinstance(particle, Particle):
        raise ValueError(f"particle: a {type(particle).__name__} is not an atomspin.sar.Particle")
    return particle


def easy_direction(particle):
    """The body-frame direction of the lowest zero-field minimum (the easy axis of a uniaxial particle)."""
    if particle.is_uniaxial:
        return np.asarray(particle.easy_axis, float)
    _, t = check_landscape(particle)
    return t.minima[int(np.argmin(t.e_min[:t.nmin]))].copy()


def orientations(particle, axes="random", n=48, seed=None):
    """Field directions in the body frame and their weights.

    Parameters
    ----------
    axes : "random", "aligned" or (n, 3) array of body-frame field directions
    n : quadrature points (random, deterministic) or members (random, with ``seed``)
    seed : int, optional: draw n random directions instead of the deterministic quadrature
    """
    if isinstance(axes, str):
        check_choice("axes", axes, ("random", "aligned"))
        if axes == "aligned":
            return easy_direction(particle)[None, :], np.ones(1)
        n = check_int("n_orientations", n, 1, 10**5)
        if seed is not None:
            v = np.random.default_rng(check_seed(seed)).standard_normal((n, 3))
            return v / np.linalg.norm(v, axis=1)[:, None], np.full(n, 1.0 / n)
        if particle.is_uniaxial:
            u = np.asarray(particle.easy_axis, float)
            w0 = np.cross(u, [1.0, 0.0, 0.0] if abs(u[0]) < 0.9 else [0.0, 1.0, 0.0])
            w0 /= np.linalg.norm(w0)
            c = (np.arange(n) + 0.5) / n
            d = c[:, None] * u[None, :] + np.sqrt(1 - c**2)[:, None] * w0[None, :]
            return d, np.full(n, 1.0 / n)
        from atomspin.macrospin import fibonacci_sphere

        return fibonacci_sphere(n), np.full(n, 1.0 / n)
    d = np.atleast_2d(np.asarray(axes, dtype=float))
    if d.ndim != 2 or d.shape[1] != 3 or not np.all(np.isfinite(d)) or np.any(np.linalg.norm(d, axis=1) == 0):
        raise ValueError("axes: 'random', 'aligned' or an (n, 3) array of non-zero body-frame field directions")
    return d / np.linalg.norm(d, axis=1)[:, None], np.full(len(d), 1.0 / len(d))


def _rotations_for(directions, rng):
    from .macrospin_llg import _rotation_to_z

    R = np.empty((len(directions), 3, 3))
    for i, d in enumerate(directions):
        R0 = _rotation_to_z(d)
        a = rng.uniform(0, 2 * np.pi)  # any turn about the lab ẑ
        Rz = np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1.0]])
        R[i] = Rz @ R0
    return R


def landscape_loop(particle, f, H0, medium=None, axes="random", n_orientations=48, steps_per_cycle=400, n_cycles=0,
                   volumes=None, seed=0, allow_nonclinical=False):
    """AC loop and SAR of a particle from its landscape: the master equation over the minima.

    Parameters
    ----------
    particle : Particle (uniaxial or with a landscape; T_K > 0, or 1e-3 K for the athermal limit)
    f, H0 : frequency (Hz) and amplitude (A/m) of H(t) = H0 cos(2πft) ẑ
    medium : Medium, optional
        Immobilised (default): deterministic quadrature over orientations. A liquid: Néel jumps and Brownian
        rotation (:mod:`atomspin.sar.fluid`), ``n_orientations`` random members, error bar over them.
    axes : "random", "aligned" or (n, 3) body-frame field directions
    n_orientations : int
    steps_per_cycle : int (even, ≥ 40): the field is held at its midpoint value over each step
    n_cycles : int
        0 (default): the periodic steady state; k > 0: k cycles from equilibrium in the first field.
    volumes : (n,) m³, optional: one volume per orientation (size dispersion); default the particle's
    seed : int (liquid members)
    allow_nonclinical : bool

    Returns
    -------
    HeatingResult (method "master" or "master+brownian")
    """
    from .master import OrientationTables

    particle = _thermal(particle)
    f, H0 = check_drive(f, H0, allow_nonclinical)
    medium = _medium(medium)
    steps = check_int("steps_per_cycle", steps_per_cycle, 40, 10**6)
    steps += steps % 2
    n_cycles = check_int("n_cycles", n_cycles, 0, 10**5)
    seed = check_seed(seed)
    if particle.T_K <= 0:
        raise ValueError("T_K: the master equation needs T_K > 0 (use 1e-3 K for the athermal limit)")
    land, t0 = check_landscape(particle)
    if not medium.immobilised:
        return _fluid_loop(particle, land, f, H0, medium, axes, n_orientations, steps, n_cycles, volumes, seed)
    dirs, w = orientations(particle, axes, n_orientations)
    vols = np.full(len(dirs), particle.volume_m3) if volumes is None else np.asarray(volumes, float)
    if vols.shape != (len(dirs),):
        raise ValueError(f"volumes: expected {len(dirs)} volumes (one per orientation)")
    wv = w * vols / np.sum(w * vols)
    Ms = particle.Ms_A_per_m
    areas = np.empty(len(dirs))
    M = np.zeros(steps)
    H = None
    for i, d in enumerate(dirs):
        tab = OrientationTables(land, d, H0, steps)
        mz, _ = tab.cycle(particle, vols[i], f, n_cycles)
        H = tab.fields()
        areas[i] = MU_0 * Ms * cyclic_area(mz, H)[0]
        M += wv[i] * mz
    area = float(wv @ areas)
    return _result(f, H0, H, M, area, 0.0, areas, "master", particle,
                   {"steps_per_cycle": steps, "n_cycles": n_cycles or "steady state", "n_orientations": len(dirs),
                    "axes": axes if isinstance(axes, str) else "given"})


def _fluid_loop(particle, land, f, H0, medium, axes, n, steps, n_cycles, volumes, seed):
    from .fluid import _hybrid

    rng = np.random.default_rng(seed)
    if isinstance(axes, str) and axes == "random":
        dirs, _ = orientations(particle, "random", n, seed=seed)
    else:
        dirs, _ = orientations(particle, axes, n)
    m = len(dirs)
    vols = np.full(m, particle.volume_m3) if volumes is None else np.asarray(volumes, float)
    VH = np.full(m, particle.hydrodynamic_volume_m3)
    if volumes is not None:  # the coating keeps its thickness
        shell = (particle.hydrodynamic_diameter_m or particle.diameter_m) - particle.diameter_m
        VH = sphere_volume(np.cbrt(6 * vols / np.pi) + shell)
    zeta = 6.0 * medium.viscosity_Pa_s * VH
    tauB = zeta / (2.0 * particle.kT_J)
    period = 1.0 / f
    dt = period / steps
    sub = max(1, int(math.ceil(dt / (0.02 * float(np.min(tauB))))))  # rotation resolved: Δt ≤ τ_B/50
    nsteps_c = steps * sub
    cycles = max(n_cycles, 3)
    nsteps = nsteps_c * cycles
    nrec = steps * cycles + 1
    m_rec = np.zeros((nrec, m))
    h_rec = np.zeros(nrec)
    R = _rotations_for(dirs, rng)
    _hybrid(land.exps, land.coefs, land.scale, land.grid, land.e_grid, land.nb, particle.Ms_A_per_m, vols, zeta,
            particle.alpha, particle.kT_J, H0, 2 * math.pi * f, period / nsteps_c, nsteps, sub, 20,
            np.ascontiguousarray(R), seed, m_rec, h_rec)
    Ms = particle.Ms_A_per_m
    per = []
    for c in range(1, cycles):
        sl = slice(c * steps, (c + 1) * steps)
        per.append(MU_0 * Ms * cyclic_area(m_rec[sl].T, h_rec[sl]))
    per = np.array(per)
    wv = vols / vols.sum()
    members = per.mean(axis=0)
    samples = (per * (wv * m)[None, :]).ravel()
    area = float(np.mean(samples))
    err = float(np.std(samples, ddof=1) / math.sqrt(samples.size)) if samples.size > 1 else float("nan")
    M = (m_rec[steps:cycles * steps].reshape(cycles - 1, steps, m) @ wv).mean(axis=0)
    return _result(f, H0, h_rec[:steps].copy(), M, area, err, members, "master+brownian", particle,
                   {"steps_per_cycle": steps, "substeps": sub, "n_cycles": cycles, "n_members": m,
                    "tau_B_s": float(np.median(tauB)), "medium": medium.name})


def llg_sar(particle, f, H0, medium=None, axes="random", n_particles=64, n_cycles=4, volumes=None, positions=None,
            seed=0, n_record=200, allow_nonclinical=False):
    """AC loop and SAR from stochastic LLG of the macrospins (coupled to Brownian rotation in a liquid).

    The first of ``n_cycles`` cycles is discarded; the error bar is the standard error over members × cycles.
    ``positions`` (m) couples the members by their point-dipole fields.
    """
    from .macrospin_llg import llg_loop

    particle = _thermal(particle)
    f, H0 = check_drive(f, H0, allow_nonclinical)
    medium = _medium(medium)
    seed = check_seed(seed)
    n_cycles = check_int("n_cycles", n_cycles, 2, 10**5)
    check_landscape(particle)
    if isinstance(axes, str) and axes == "random":
        dirs, _ = orientations(particle, "random", n_particles, seed=seed)
    else:
        dirs, _ = orientations(particle, axes, n_particles)
        if len(dirs) == 1:
            dirs = np.repeat(dirs, check_int("n_particles", n_particles, 1, 10**6), axis=0)
    vols = np.full(len(dirs), particle.volume_m3) if volumes is None else np.asarray(volumes, float)
    zeta = np.zeros(len(dirs))
    if not medium.immobilised:
        zeta[:] = 6.0 * medium.viscosity_Pa_s * particle.hydrodynamic_volume_m3
    rng = np.random.default_rng(seed)
    R = _rotations_for(dirs, rng)
    r = llg_loop(particle, f, H0, dirs, volumes=vols, zeta=zeta, rotations=R, positions=positions,
                 n_cycles=n_cycles, n_record=n_record, seed=seed)
    return _result(f, H0, r.H_A_per_m, r.M_over_Ms, r.loop_area_J_per_m3, r.loop_area_err_J_per_m3,
                   r.particle_area_J_per_m3, "llg", particle, dict(r.params, medium=medium.name))


def exact_linear_response(particle, f, H0, medium=None, axes="random", seed=0):
    """Linear-response SAR with the particle's own relaxation time (no attempt time τ0).

    χ''(ω) = χ_∥ ωτ/(1 + ω²τ²), τ = 1/(1/τ_N + 1/τ_B), τ_N = :func:`atomspin.sar.relaxation_time`, τ_B from the
    medium; χ_∥ = μ0Ms²V⟨(n̂·ĥ)²⟩/k_BT of the zero-field equilibrium (random axes: 1/3 of μ0Ms²V/k_BT; aligned:
    the easy-axis average, exact for a uniaxial particle). The transverse (intrawell) part relaxes in ~τ_D
    and its loss, ∝ ωτ_D, is left out (≤ 1 % below 1 MHz for τ_D ≲ 1 ns). Valid for ξ = μ0MsH0V/k_BT ≲ 1.
    With random axes the 1/3 includes the transverse (intrawell) susceptibility, which does not relax with τ_N:
    against the exact :func:`atomspin.sar.fokker_planck_sar` this overestimates by 1.2–1.9× at σ = 2–8
    (validation §7); no longer chosen by :func:`choose_regime`, kept for comparison.
    """
    from .rates import relaxation_time_and_error

    particle = _thermal(particle)
    f, H0 = check_drive(f, H0, True)
    medium = _medium(medium)
    if particle.T_K <= 0:
        raise ValueError("T_K: linear response needs T_K > 0")
    tauN, tauN_err = relaxation_time_and_error(particle, seed=seed, n_particles=TAU_MEMBERS)
    tauB = medium.brown_time_s(particle)
    tau = 1.0 / (1.0 / tauN + 1.0 / tauB)
    chi_i = MU_0 * particle.Ms_A_per_m**2 * particle.volume_m3 / particle.kT_J
    if isinstance(axes, str) and axes == "random":
        frac = 1.0 / 3.0
    else:
        frac = _parallel_average(particle)
    wt = 2 * math.pi * f * tau
    power = MU_0 * math.pi * chi_i * frac * H0**2 * f * wt / (1 + wt * wt)
    area = power / f
    err = area * _tau_sensitivity(tau, tauN, f) * tauN_err / tauN
    xi = MU_0 * particle.Ms_A_per_m * H0 * particle.volume_m3 / particle.kT_J
    return _result(f, H0, np.array([]), np.array([]), area, err, np.array([area]), "lrt", particle,
                   {"tau_N_s": tauN, "tau_N_err_s": tauN_err, "tau_B_s": tauB, "tau_s": tau, "xi": xi,
                    "chi_parallel": chi_i * frac})


TAU_MEMBERS = 64
"""Stochastic-LLG members of the zero-field τ_N of the linear and adiabatic responses below 4 k_BT (derived: ≈ 5 CPU s
for the 12.1 nm demo particle at σ = 3.3, batch-means error ≈ 9–11 % of τ; the SAR error carries it)."""


def _tau_sensitivity(tau, tauN, f):
    """|∂ln A/∂ln τ_N| of a Debye loss A ∝ ωτ/(1 + ω²τ²), τ = (1/τ_N + 1/τ_B)⁻¹: (τ/τ_N)·|1 − ω²τ²|/(1 + ω²τ²)."""
    wt2 = (2 * math.pi * f * tau) ** 2
    return (tau / tauN) * abs(1.0 - wt2) / (1.0 + wt2)


def _parallel_average(particle):
    """⟨(n̂·û)²⟩ at zero field along the easy direction (uniaxial: ∫z²e^{σz²}/∫e^{σz²}; landscape: grid integral)."""
    if particle.is_uniaxial:
        s = particle.K_uniaxial_J_per_m3 * particle.volume_m3 / particle.kT_J
        z = np.linspace(0, 1, 4001)
        wgt = np.exp(s * (z * z - 1))
        return float(np.trapezoid(z * z * wgt, z) / np.trapezoid(wgt, z))
    land, t = check_landscape(particle)
    from atomspin.macrospin import fibonacci_sphere

    g = fibonacci_sphere(20000)
    e = land.surface.energy(g)
    wgt = np.exp(-(e - e.min()) * particle.volume_m3 / particle.kT_J)
    u = easy_direction(particle)
    return float(np.sum((g @ u) ** 2 * wgt) / np.sum(wgt))


def adiabatic_sar(particle, f, H0, medium=None, axes="random", n_orientations=24, seed=0, tau_s=None):
    """Nonlinear loss of a fast-relaxing particle: A = μ0 τ/(1 + ω²τ²) ∮ (dM_eq/dH) Ḣ² dt.

    M_eq(H) is the exact equilibrium moment along the field (Boltzmann average over the sphere, for each
    orientation of the quadrature); τ = 1/(1/τ_N + 1/τ_B) with the zero-field τ_N of
    :func:`atomspin.sar.relaxation_time`. Without the factor 1/(1 + ω²τ²) this is the first-order (adiabatic)
    response, exact as ωτ → 0 at any amplitude; with it, it is also the single-mode (Debye) linear response at
    any ωτ (μ0πχ0H0² ωτ/(1 + ω²τ²) per cycle). A field shortens τ_N, so the zero-field τ overestimates the
    loss in strong fields (checked against stochastic LLG, tests). Against the exact
    :func:`atomspin.sar.fokker_planck_sar` it is 1.8–2.7× high at σ = 2–6, ξ ≈ 2 (validation §7); no longer chosen
    by :func:`choose_regime`, kept for comparison and for the error propagation of sampled models.
    """
    from atomspin.macrospin import fibonacci_sphere

    from .rates import anisotropy_surface, relaxation_time_and_error

    particle = _thermal(particle)
    f, H0 = check_drive(f, H0, True)
    medium = _medium(medium)
    tauN, tauN_err = (relaxation_time_and_error(particle, seed=seed, n_particles=TAU_MEMBERS) if tau_s is None
                      else (float(tau_s), 0.0))
    tau = 1.0 / (1.0 / tauN + 1.0 / medium.brown_time_s(particle))
    dirs, w = orientations(particle, axes, n_orientations)
    g = fibonacci_sphere(6000)
    e = anisotropy_surface(particle).energy(g)
    bV = particle.volume_m3 / particle.kT_J
    N = 400
    ph = 2 * np.pi * (np.arange(N) + 0.5) / N
    H = H0 * np.cos(ph)
    Hdot = -H0 * 2 * np.pi * f * np.sin(ph)
    Ms = particle.Ms_A_per_m
    # H(φ_k) = H(φ_{N−1−k}) (cos is even about π): M_eq and dM_eq/dH on the first half of the cycle, mirrored
    half = N // 2
    Hh = H[:half]
    area = 0.0
    M = np.zeros(N)
    for d, wi in zip(dirs, w):
        proj = g @ d
        x = -bV * (e[None, :] - MU_0 * Ms * Hh[:, None] * proj[None, :])
        x -= x.max(axis=1, keepdims=True)
        wt = np.exp(x)
        z = wt.sum(axis=1)
        m1 = (wt @ proj) / z  # ⟨n̂·d⟩ at each field
        # dM_eq/dH = μ0 Ms² V/(k_BT) · var(n̂·d): the exact derivative of the Boltzmann average
        var = np.einsum("hk,hk->h", wt, (proj[None, :] - m1[:, None]) ** 2) / z
        chi = MU_0 * Ms * Ms * bV * np.concatenate([var, var[::-1]])
        area += wi * MU_0 * tau * np.sum(chi * Hdot**2) / (N * f) / (1.0 + (2 * np.pi * f * tau) ** 2)
        M += wi * np.concatenate([m1, m1[::-1]])
    err = area * _tau_sensitivity(tau, tauN, f) * tauN_err / tauN
    return _result(f, H0, H, M, area, err, np.array([area]), "adiabatic", particle,
                   {"tau_N_s": tauN, "tau_N_err_s": tauN_err, "tau_s": tau, "omega_tau": 2 * np.pi * f * tau})


# ---------------------------------------------------------------------------------------------- regimes
REGIMES = ("master", "fokker_planck", "llg", "lrt", "adiabatic")
ADIABATIC_OMEGA_TAU = 0.3
"""Largest ωτ for which the adiabatic (Debye-corrected) nonlinear response is used instead of stochastic LLG in
the low-barrier, nonlinear regime (derived: exact at ωτ → 0 and, for a single relaxation mode, at low field; the
mixed terms it misses are O((ωτ)²ξ²)-small relative, ≈ 9 % at ωτ = 0.3 in the worst case)."""

FP_SIGMA_MAX = 6.0
"""Smallest zero-field escape barrier (k_BT) up to which an immobilised particle's SAR comes from the exact
Fokker–Planck equation (:func:`atomspin.sar.fokker_planck.fokker_planck_sar`) rather than the master equation
(derived: against the exact solution at ξ = 1.96, 100 kHz, uniaxial 12.1 nm, random axes, the master equation
gives 0.81, 0.885, 0.91, 0.92 of the SAR at σ = 4, 5, 6, 8 — it is exact only as the in-field barrier grows —
while the Fokker–Planck cost rises with σ (harmonic balance once ωτ > 0.05: ≈ 1 s per orientation at σ = 6);
validation §7)."""


def _smallest_barrier_kT(particle):
    """The smallest zero-field escape barrier of any minimum of ``particle``'s landscape, k_BT (inf: no saddle)."""
    _, t = check_landscape(particle)
    return float(np.min(t.barriers_J(particle.volume_m3))) / particle.kT_J if t.nsad else math.inf


def choose_regime(particle, f, H0, medium=None):
    """The valid model for a particle at (f, H0): (name, reason).

    Rule: below :data:`FP_SIGMA_MAX` (the smallest zero-field escape barrier of any minimum, not only the global
    minimum's ``LandscapeResult.barrier_J``) the exact Fokker–Planck equation — immobilised at any ωτ, in a
    liquid where ωτ ≤ :data:`atomspin.sar.fokker_planck.FP_ADIABATIC_OMEGA_TAU` (Brownian rotation as a
    parallel channel); above it, and in a liquid at 4–6 k_BT and larger ωτ, the escape-rate master equation
    (rates within 5 % of the exact relaxation from 4 k_BT, :data:`atomspin.sar.rates.SIGMA_CROSSOVER`); a
    liquid below 4 k_BT at larger ωτ: stochastic LLG. A landscape too stiff for the
    Fokker–Planck basis (:data:`atomspin.sar.fokker_planck.L_MAX_CAP`; wells too stiff) falls back to the master equation (≥ 4
    k_BT) or stochastic LLG.
    """
    from .fokker_planck import FP_ADIABATIC_OMEGA_TAU, L_MAX_CAP, debye_time, default_l_max, well_curvature

    medium = _medium(medium)
    sigma = _smallest_barrier_kT(particle)
    xi = MU_0 * particle.Ms_A_per_m * H0 * particle.volume_m3 / particle.kT_J
    head = f"smallest zero-field escape barrier of any minimum {sigma:.3g} k_BT"
    tD = debye_time(particle.Ms_A_per_m, particle.volume_m3, particle.T_K, particle.alpha)
    # exp(σ) overflows a float above σ ≈ 709: such a particle is blocked (τ = ∞ for this estimate)
    tau_est = (math.inf if sigma > 700.0 else
               tD * max(1.0, 0.5 * math.sqrt(math.pi) * max(sigma, 1e-3) ** -1.5 * math.exp(sigma))) if sigma > 1 \
        else 1.05 * tD
    if not math.isinf(tau_est):
        tau_est = 1.0 / (1.0 / tau_est + 1.0 / medium.brown_time_s(particle))
    wt = 2 * math.pi * f * tau_est
    if sigma < FP_SIGMA_MAX:
        from .rates import anisotropy_surface

        fits = 4.0 + 5.0 * math.sqrt(well_curvature(anisotropy_surface(particle), particle.volume_m3, particle.kT_J,
                                                    xi)) <= L_MAX_CAP
        if fits and (medium.immobilised or wt <= FP_ADIABATIC_OMEGA_TAU):
            return "fokker_planck", (f"{head} < {FP_SIGMA_MAX:g} k_BT, ξ = {xi:.3g}, ωτ ≈ {wt:.2g}: exact "
                                     "Fokker–Planck equation (Brown) of the macrospin"
                                     + ("" if medium.immobilised else ", Brownian rotation as a parallel channel"))
    if sigma >= SIGMA_CROSSOVER:
        return "master", (f"{head} ≥ {SIGMA_CROSSOVER:g} k_BT: Langer/Brown escape rates valid; master equation "
                          "over the minima")
    return "llg", (f"{head} < {SIGMA_CROSSOVER:g} k_BT, ξ = {xi:.3g}, ωτ ≈ {wt:.2g}: low barrier, "
                   "beyond the Fokker–Planck solution here: stochastic LLG")


def particle_sar(particle, f, H0, medium=None, model="auto", axes="random", n_orientations=48, n_particles=64,
                 steps_per_cycle=400, n_cycles=0, seed=0, allow_nonclinical=False):
    """SAR of one particle type (all orientations) with the model ``model`` or the one :func:`choose_regime` picks.

    Returns (HeatingResult, model, reason).
    """
    from .fokker_planck import FP_ADIABATIC_OMEGA_TAU, LiquidHarmonicError, fokker_planck_sar

    check_choice("model", model, ("auto",) + REGIMES)
    f, H0 = check_drive(f, H0, allow_nonclinical)
    auto = model == "auto"
    if auto:
        model, reason = choose_regime(particle, f, H0, medium)
    else:
        reason = f"forced: model={model!r}"

    def run(model):
        if model == "master":
            return landscape_loop(particle, f, H0, medium, axes, n_orientations if _medium(medium).immobilised else
                                  n_particles, steps_per_cycle, n_cycles, seed=seed, allow_nonclinical=True)
        if model == "llg":
            return llg_sar(particle, f, H0, medium, axes, n_particles, max(n_cycles, 4), seed=seed,
                           allow_nonclinical=True)
        if model == "adiabatic":
            return adiabatic_sar(particle, f, H0, medium, axes, min(n_orientations, 24), seed=seed)
        if model == "fokker_planck":
            return fokker_planck_sar(particle, f, H0, medium, axes, min(n_orientations, 24))
        return exact_linear_response(particle, f, H0, medium, axes, seed=seed)

    try:
        r = run(model)
    except LiquidHarmonicError:
        if not (auto and model == "fokker_planck"):
            raise
        # choose_regime's estimate of τ (Brown's asymptote at the smallest barrier) was below the exact slowest
        # mode: in the liquid the Fokker–Planck solution has no harmonic balance, so the next valid model is taken
        model = "master" if _smallest_barrier_kT(particle) >= SIGMA_CROSSOVER else "llg"
        reason += (f"; the exact Néel time gives ωτ above {FP_ADIABATIC_OMEGA_TAU:g} also with Brownian rotation in "
                   f"parallel, where the Fokker–Planck solution has no liquid harmonic balance: {model} instead")
        r = run(model)
    return r, model, reason


# ---------------------------------------------------------------------------------------------- ensembles
def shape_factors(aspect):
    """Demagnetising factors (N_∥, N_⊥) of a prolate spheroid of aspect ratio c/a ≥ 1 (Osborn, Phys. Rev. 67,
    351 (1945)): N_∥ = (1/(r²−1))[r ln(r + √(r²−1))/√(r²−1) − 1], N_⊥ = (1 − N_∥)/2."""
    r = np.asarray(aspect, dtype=float)
    out = np.full(r.shape, 1.0 / 3.0)
    big = r > 1.0 + 1e-9
    rb = r[big]
    s = np.sqrt(rb * rb - 1.0)
    out[big] = (rb * np.log(rb + s) / s - 1.0) / (rb * rb - 1.0)
    return out, 0.5 * (1.0 - out)


@dataclass
class EnsembleResult:
    """SAR of an ensemble, mean ± standard error over realisations."""

    sar_W_per_g: float
    sar_err_W_per_g: float
    ilp_nHm2_per_kg: float
    ilp_err_nHm2_per_kg: float
    realisation_sar_W_per_g: np.ndarray
    models: dict
    f_Hz: float
    H0_A_per_m: float
    params: dict = field(default_factory=dict)


def ensemble_sar(particles, f, H0, medium=None, n_particles=100, size_sigma=0.0, shape_sigma=0.0, axes="random",
                 n_realisations=5, volume_fraction=None, seed=0, model="auto", steps_per_cycle=200, n_cycles=0,
                 allow_nonclinical=False):
    """SAR of an ensemble with an error bar over realisations.

    Parameters
    ----------
    particles : Particle or list of Particle
        One particle type, or several realisations (e.g. atomistic particles with different defect seeds);
        realisation r draws its members from particles[r % len(particles)].
    f, H0 : drive (Hz, A/m)
    medium : Medium
    n_particles : members per realisation
    size_sigma : σ of ln(d) of a lognormal size distribution around each particle's diameter (0: monodisperse)
    shape_sigma : σ of ln(c/a) of a lognormal aspect ratio (prolate spheroids; the shape anisotropy
        ½μ0Ms²(N_⊥ − N_∥) along a random body axis is added to each member's landscape); 0: spheres
    axes : "random" or "aligned"
    n_realisations : independent draws; the SAR is their mean, the error their standard error
    volume_fraction : float, optional
        Members placed at random in a cube at this volume fraction and coupled by point-dipole fields
        (stochastic LLG of the coupled ensemble; immobilised only)
    model : "auto" (per member, :func:`choose_regime`) or one of "master", "llg", "lrt", "adiabatic"
    steps_per_cycle, n_cycles : time steps per cycle; cycles run from equilibrium (0: the periodic steady state)
    """
    from atomspin import macrospin

    from .ensembles import arrangement

    f, H0 = check_drive(f, H0, allow_nonclinical)
    medium = _medium(medium)
    plist = [particles] if isinstance(particles, Particle) else list(particles)
    if not plist or not all(isinstance(p, Particle) for p in plist):
        raise ValueError("particles: a Particle or a non-empty list of Particle")
    n = check_int("n_particles", n_particles, 1, 10**5)
    size_sigma = check_real("size_sigma", size_sigma, 0.0, 1.5)
    shape_sigma = check_real("shape_sigma", shape_sigma, 0.0, 1.5)
    R = check_int("n_realisations", n_realisations, 1, 10**4)
    seed = check_seed(seed)
    check_choice("axes", axes, ("random", "aligned"))
    check_choice("model", model, ("auto",) + REGIMES)
    if volume_fraction is not None:
        volume_fraction = check_real("volume_fraction", volume_fraction, 0.0, 0.4, lo_open=True)
        if not medium.immobilised:
            raise ValueError("volume_fraction: dipolar ensembles are immobilised (no liquid) in this model")
    sars = []
    models = {}
    for r in range(R):
        rng = np.random.default_rng([seed, r])
        p0 = plist[r % len(plist)]
        d = p0.diameter_m * np.exp(size_sigma * rng.standard_normal(n)) if size_sigma > 0 else np.full(n, p0.diameter_m)
        vols = sphere_volume(d)
        if volume_fraction is not None:
            pos = arrangement("random_dense", d, volume_fraction=volume_fraction, seed=int(rng.integers(2**31)))
            mem = p0 if shape_sigma == 0 else _with_shape(p0, rng, shape_sigma, macrospin)
            dirs, _ = orientations(mem, axes, n, seed=int(rng.integers(2**31)) if axes == "random" else None)
            if len(dirs) == 1:
                dirs = np.repeat(dirs, n, axis=0)
            res = llg_sar(mem, f, H0, medium, dirs, n, 4, volumes=vols, positions=pos, seed=int(rng.integers(2**31)),
                          allow_nonclinical=True)
            sars.append(res.sar_W_per_g)
            models["llg (dipolar)"] = models.get("llg (dipolar)", 0) + n
            continue
        # group members: monodisperse shape-free members share one particle type (orientation quadrature)
        groups = []
        if shape_sigma == 0:
            for v in vols:
                groups.append((p0.replace(volume_m3=float(v), hydrodynamic_diameter_m=_dh(p0, v)), 1))
        else:
            for v in vols:
                mem = _with_shape(p0.replace(volume_m3=float(v), hydrodynamic_diameter_m=_dh(p0, v)), rng,
                                  shape_sigma, macrospin)
                groups.append((mem, 1))
        total = 0.0
        wsum = 0.0
        for mem, cnt in groups:
            dirs = orientations(mem, axes, 1, seed=int(rng.integers(2**31)))[0] if axes == "random" else "aligned"
            res, mname, _ = particle_sar(mem, f, H0, medium, model, dirs, 1, 1, steps_per_cycle, n_cycles,
                                         seed=int(rng.integers(2**31)), allow_nonclinical=True)
            models[mname] = models.get(mname, 0) + cnt
            total += res.loop_area_J_per_m3 * mem.volume_m3 * cnt
            wsum += mem.volume_m3 * cnt
        area = total / wsum
        sars.append(area * f / p0.density_kg_per_m3 * 1e-3)
    sars = np.array(sars)
    mean = float(sars.mean())
    err = float(sars.std(ddof=1) / math.sqrt(R)) if R > 1 else float("nan")
    return EnsembleResult(sar_W_per_g=mean, sar_err_W_per_g=err, ilp_nHm2_per_kg=float(ilp(mean, f, H0)),
                          ilp_err_nHm2_per_kg=float(ilp(err, f, H0)), realisation_sar_W_per_g=sars, models=models,
                          f_Hz=f, H0_A_per_m=H0,
                          params={"n_particles": n, "size_sigma": size_sigma, "shape_sigma": shape_sigma,
                                  "axes": axes, "n_realisations": R, "medium": medium.name,
                                  "volume_fraction": volume_fraction})


def _dh(p0, v):
    if p0.hydrodynamic_diameter_m is None:
        return None
    shell = p0.hydrodynamic_diameter_m - p0.diameter_m
    return float(np.cbrt(6 * v / np.pi)) + shell


def _with_shape(p, rng, shape_sigma, macrospin):
    """The particle with the shape anisotropy of a prolate spheroid of random aspect ratio and axis."""
    r = float(np.exp(abs(shape_sigma * rng.standard_normal())))
    Npar, Nperp = shape_factors(r)
    Ksh = 0.5 * MU_0 * p.Ms_A_per_m**2 * float(Nperp - Npar)
    axis = rng.standard_normal(3)
    axis /= np.linalg.norm(axis)
    from .rates import anisotropy_surface

    surf = anisotropy_surface(p) + macrospin.UniaxialAnisotropy(Ksh, axis)
    return p.replace(landscape=surf)
