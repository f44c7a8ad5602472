"""Interacting macrospins under an AC field: LLG with the heat released by each particle.

Model (SI; after Muñoz-Menendez et al., PRB 102, 214412 (2020), as described in the issue).
Particle i: unit moment m_i, volume V_i, easy axis u_i, energy

    E = Σ_i [ −K V_i (m_i·u_i)² − μ0 Ms V_i m_i·H(t) ] + E_dip,
    H_eff,i = −(1/(μ0 Ms V_i)) ∂E/∂m_i = H(t) + H_K (m_i·u_i) u_i + H_dip,i,   H_K = 2K/(μ0 Ms),
    H_dip,i = Σ_{j≠i} Ms V_j [3 r̂ (r̂·m_j) − m_j] / (4π r³)                     (A/m)

LLG in Landau–Lifshitz form, γ = 1.7609e11 rad s⁻¹ T⁻¹ (CODATA, electron), H in A/m:

    dm/dt = −γ μ0/(1+α²) [ m × H_eff + α m × (m × H_eff) ]

Heat (derived here): with dE/dt = −Σ_i μ0 Ms V_i H_eff,i·dm_i/dt − μ0 Ms Σ_i V_i m_i·dH/dt and
H·(m × (m × H)) = −|m × H|², the power dissipated by particle i is

    P_i = μ0 Ms V_i H_eff,i·dm_i/dt = α γ0 μ0 Ms V_i |m_i × H_eff,i|² / (1+α²)  ≥ 0,

with γ0 = γ μ0 = 2.2128e5 m A⁻¹ s⁻¹ (the issue's "P = α γ μ0 Ms V |m × H_eff|²/(1+α²)" holds with
γ read as γ0; with γ in rad s⁻¹ T⁻¹ it needs μ0²). The temperature of particle i rises
(adiabatically, no conduction) as dT_i/dt = P_i/(C_b V_i) = α γ0 μ0 Ms |m_i × H_eff,i|²/((1+α²) C_b),
C_b the volumetric heat capacity (J m⁻³ K⁻¹). Over a steady cycle E returns to itself, so
Σ_i ∮ P_i dt = −∮ μ0 Ms Σ_i V_i m_i·dH = the global loop area × Σ V_i (energy balance);
the local loop areas A_i = −∮ μ0 Ms m_i·dH can be negative ("inverted") while the heat of
every particle is ≥ 0 at all times.

At T > 0 a Brown thermal field with ⟨H_th,a(t) H_th,b(t')⟩ = 2 α k_BT/(γ μ0² Ms V) δ_ab δ(t−t')
is added (stochastic Heun, Stratonovich); the heat of particle i is then accumulated as
dQ_i = μ0 Ms V_i H_det,i ∘ dm_i (H_det without the thermal field), which reduces to P_i dt at T = 0
and is the net energy given to the bath by that particle. For one stochastic trajectory over a few
cycles this net heat fluctuates and can be negative (the bath also gives energy back); average over
cycles or seeds before reading a per-particle heat at T > 0.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numba import njit

from atomspin.units import GAMMA_E, K_B, MU_0
from atomspin.validation import check_direction, check_seed

from ._common import (
    ALPHA_DEFAULT,
    C_B_MAGNETITE,
    MS_MAGNETITE_300K,
    RHO_MAGNETITE,
    anisotropy_field,
    check_array,
    check_drive,
    check_int,
    check_positive,
    field_safety,
    ilp,
    sphere_volume,
)
from ._dipole import add_dipole_fields
from ._wells import _any_perpendicular
from .ensembles import check_axes, check_positions
from .particle import LEGACY_NAMES, check_material, uniaxial_particle


@njit(cache=True)
def _heff(m, u, wdip, pos, HK, happ, dirn, use_dip, out):
    """Deterministic effective field (A/m) of every particle into out (N, 3); wdip = Ms V_j (A m²)."""
    n = m.shape[0]
    for i in range(n):
        mu = m[i, 0] * u[i, 0] + m[i, 1] * u[i, 1] + m[i, 2] * u[i, 2]
        for c in range(3):
            out[i, c] = happ * dirn[c] + HK * mu * u[i, c]
    if use_dip:
        add_dipole_fields(pos, m, wdip, out)


@njit(cache=True)
def _rhs(m, H, g, alpha, dm):
    """dm = −g/(1+α²) [m × H + α m × (m × H)]."""
    n = m.shape[0]
    pre = -g / (1.0 + alpha * alpha)
    for i in range(n):
        cx = m[i, 1] * H[i, 2] - m[i, 2] * H[i, 1]
        cy = m[i, 2] * H[i, 0] - m[i, 0] * H[i, 2]
        cz = m[i, 0] * H[i, 1] - m[i, 1] * H[i, 0]
        dx = m[i, 1] * cz - m[i, 2] * cy
        dy = m[i, 2] * cx - m[i, 0] * cz
        dz = m[i, 0] * cy - m[i, 1] * cx
        dm[i, 0] = pre * (cx + alpha * dx)
        dm[i, 1] = pre * (cy + alpha * dy)
        dm[i, 2] = pre * (cz + alpha * dz)


@njit(cache=True)
def _power(m, H, g, alpha, Ms, vols, mu0, out):
    """P_i = α γ0 μ0 Ms V_i |m × H|²/(1+α²) in W, with g = γ0 = γ μ0 (m A⁻¹ s⁻¹), H in A/m."""
    n = m.shape[0]
    for i in range(n):
        cx = m[i, 1] * H[i, 2] - m[i, 2] * H[i, 1]
        cy = m[i, 2] * H[i, 0] - m[i, 0] * H[i, 2]
        cz = m[i, 0] * H[i, 1] - m[i, 1] * H[i, 0]
        out[i] = alpha * g * mu0 * Ms * vols[i] * (cx * cx + cy * cy + cz * cz) / (1.0 + alpha * alpha)


@njit(cache=True)
def _normalise(m):
    for i in range(m.shape[0]):
        nn = math.sqrt(m[i, 0] ** 2 + m[i, 1] ** 2 + m[i, 2] ** 2)
        m[i, 0] /= nn
        m[i, 1] /= nn
        m[i, 2] /= nn


@njit(cache=True)
def _rk_stage(m, kprev, h, mt, u, wdip, pos, HK, ha, dH, dirn, use_dip, Ht, g, alpha, Ms, vols, mu0,
              kout, pout, wout):
    """One RK4 stage: mt = m + h·kprev; slope kout, dissipated power pout (W) and field-work rate
    wout = −μ0 Ms V m·dH/dt (W) at mt in the applied field ha (A/m) changing at dH (A/m/s)."""
    n = m.shape[0]
    for i in range(n):
        for c in range(3):
            mt[i, c] = m[i, c] + h * kprev[i, c]
    _heff(mt, u, wdip, pos, HK, ha, dirn, use_dip, Ht)
    _rhs(mt, Ht, g, alpha, kout)
    _power(mt, Ht, g, alpha, Ms, vols, mu0, pout)
    for i in range(n):
        wout[i] = -mu0 * Ms * vols[i] * dH * (mt[i, 0] * dirn[0] + mt[i, 1] * dirn[1] + mt[i, 2] * dirn[2])


@njit(cache=True)
def _llg_kernel(m, u, vols, pos, Ms, HK, alpha, g, mu0, H0, omega, dirn, use_dip, dt, nsteps,
                rec_every, sig, seed, m_rec, h_rec, q_rec, w_rec, T_bath=0.0, Cb=0.0):
    """Integrate LLG; sig = 0 → RK4 (deterministic), sig > 0 → stochastic Heun.

    sig[i] is the standard deviation (A/m) of each thermal-field component over one step at the
    bath temperature T_bath. With Cb > 0 (stochastic case) the noise of particle i follows its
    local temperature T_i = T_bath + Q_i/(Cb V_i) (adiabatic local heat equation).
    Accumulates heat Q_i (J) and local field work W_i = −∫ μ0 Ms V_i m_i·dH (J); records every
    rec_every steps m·dirn, H, Q, W.
    """
    n = m.shape[0]
    np.random.seed(seed)
    wdip = Ms * vols  # A m², once per call
    Q = np.zeros(n)
    W = np.zeros(n)
    k1 = np.empty((n, 3))
    k2 = np.empty((n, 3))
    k3 = np.empty((n, 3))
    k4 = np.empty((n, 3))
    Ht = np.empty((n, 3))
    mt = np.empty((n, 3))
    p1 = np.empty(n)
    p2 = np.empty(n)
    p3 = np.empty(n)
    p4 = np.empty(n)
    w1 = np.empty(n)
    w2 = np.empty(n)
    w3 = np.empty(n)
    w4 = np.empty(n)
    kzero = np.zeros((n, 3))
    th = np.empty((n, 3))
    Hd1 = np.empty((n, 3))
    Hd2 = np.empty((n, 3))
    stochastic = False
    for i in range(n):
        if sig[i] > 0:
            stochastic = True
    r = 0
    for k in range(nsteps):
        t = k * dt
        if k % rec_every == 0:
            for i in range(n):
                m_rec[r, i] = m[i, 0] * dirn[0] + m[i, 1] * dirn[1] + m[i, 2] * dirn[2]
                q_rec[r, i] = Q[i]
                w_rec[r, i] = W[i]
            h_rec[r] = H0 * math.cos(omega * t)
            r += 1
        if not stochastic:
            # RK4 on (m, Q, W)
            th_ = t + 0.5 * dt
            te = t + dt
            ha1, dH1 = H0 * math.cos(omega * t), -H0 * omega * math.sin(omega * t)
            ha2, dH2 = H0 * math.cos(omega * th_), -H0 * omega * math.sin(omega * th_)
            ha4, dH4 = H0 * math.cos(omega * te), -H0 * omega * math.sin(omega * te)
            _rk_stage(m, kzero, 0.0, mt, u, wdip, pos, HK, ha1, dH1, dirn, use_dip, Ht, g, alpha, Ms, vols, mu0,
                      k1, p1, w1)
            _rk_stage(m, k1, 0.5 * dt, mt, u, wdip, pos, HK, ha2, dH2, dirn, use_dip, Ht, g, alpha, Ms, vols, mu0,
                      k2, p2, w2)
            _rk_stage(m, k2, 0.5 * dt, mt, u, wdip, pos, HK, ha2, dH2, dirn, use_dip, Ht, g, alpha, Ms, vols, mu0,
                      k3, p3, w3)
            _rk_stage(m, k3, dt, mt, u, wdip, pos, HK, ha4, dH4, dirn, use_dip, Ht, g, alpha, Ms, vols, mu0,
                      k4, p4, w4)
            for i in range(n):
                for c in range(3):
                    m[i, c] += dt / 6.0 * (k1[i, c] + 2.0 * k2[i, c] + 2.0 * k3[i, c] + k4[i, c])
                Q[i] += dt / 6.0 * (p1[i] + 2.0 * p2[i] + 2.0 * p3[i] + p4[i])
                W[i] += dt / 6.0 * (w1[i] + 2.0 * w2[i] + 2.0 * w3[i] + w4[i])
            _normalise(m)
            _heff(m, u, wdip, pos, HK, ha4, dirn, use_dip, Ht)
            _kick_unstable(m, u, Ht, HK, 1e-6)  # T = 0: leave an unstable equilibrium (zero torque)
        else:
            # stochastic Heun: thermal field constant over the step
            for i in range(n):
                scale = 1.0
                if Cb > 0.0 and T_bath > 0.0:
                    ti = T_bath + Q[i] / (Cb * vols[i])
                    scale = math.sqrt(ti / T_bath) if ti > 0.0 else 0.0
                for c in range(3):
                    th[i, c] = scale * sig[i] * np.random.standard_normal()
            ha = H0 * math.cos(omega * t)
            _heff(m, u, wdip, pos, HK, ha, dirn, use_dip, Hd1)
            for i in range(n):
                for c in range(3):
                    Ht[i, c] = Hd1[i, c] + th[i, c]
            _rhs(m, Ht, g, alpha, k1)
            for i in range(n):
                for c in range(3):
                    mt[i, c] = m[i, c] + dt * k1[i, c]
            _normalise(mt)
            hb = H0 * math.cos(omega * (t + dt))
            _heff(mt, u, wdip, pos, HK, hb, dirn, use_dip, Hd2)
            for i in range(n):
                for c in range(3):
                    Ht[i, c] = Hd2[i, c] + th[i, c]
            _rhs(mt, Ht, g, alpha, k2)
            for i in range(n):
                dq = 0.0
                for c in range(3):
                    d = 0.5 * dt * (k1[i, c] + k2[i, c])
                    dq += 0.5 * (Hd1[i, c] + Hd2[i, c]) * d
                    mt[i, c] = m[i, c] + d
                mid_z = 0.0
                for c in range(3):
                    mid_z += 0.5 * (m[i, c] + mt[i, c]) * dirn[c]
                Q[i] += mu0 * Ms * vols[i] * dq
                W[i] += -mu0 * Ms * vols[i] * mid_z * (hb - ha)
                for c in range(3):
                    m[i, c] = mt[i, c]
            _normalise(m)
    # final record
    if r < m_rec.shape[0]:
        for i in range(n):
            m_rec[r, i] = m[i, 0] * dirn[0] + m[i, 1] * dirn[1] + m[i, 2] * dirn[2]
            q_rec[r, i] = Q[i]
            w_rec[r, i] = W[i]
        h_rec[r] = H0 * math.cos(omega * nsteps * dt)


def _prepare(diameters, axes, positions):
    d = np.atleast_1d(check_array("diameters", diameters, positive=True)).ravel()
    if isinstance(axes, str):
        raise ValueError(f"axes: {axes!r}; give the easy axes as a 3-vector or an (N, 3) array")
    ax = check_axes(axes, d.size)
    pos, use_dip = check_positions(positions, d)
    return d, ax, pos, use_dip


def dipolar_field_scale(d, pos, Ms):
    """Largest pairwise dipolar field magnitude bound 2 Ms V_j/(4π r³) in A/m (0 for one particle)."""
    n = d.size
    if n < 2:
        return 0.0
    v = sphere_volume(d)
    r = np.linalg.norm(pos[:, None] - pos[None], axis=-1)
    np.fill_diagonal(r, np.inf)
    return float(np.max(np.sum(2 * Ms * v[None, :] / (4 * np.pi * r**3), axis=1)))


@dataclass
class LLGResult:
    """Result of :func:`interacting_llg` over the last analysed cycle.

    Attributes
    ----------
    t_s, H_A_per_m : record times (s) and applied field (A/m)
    m : (n_rec, N) m_i·ĥ (ĥ = field direction)
    M_over_Ms : volume-weighted mean of m
    heat_J : (N,) heat released by each particle over the cycle (J)
    heat_trace_J : (n_rec, N) cumulative heat from the start of the cycle (J)
    temperature_K : (n_rec, N) local temperature T + Q_i(t)/(C_b V_i) from the start of the run
    local_area_J_per_m3 : (N,) local loop areas −∮ μ0 Ms m_i dH (J/m³ of that particle)
    global_area_J_per_m3 : −∮ μ0 M dH from the recorded loop (trapezoid), J/m³ of oxide
    work_area_J_per_m3 : the same from the integrated field work (same RK stages as the heat)
    heat_per_volume_J_per_m3 : Σ heat / Σ V
    delta_T_K : (N,) adiabatic temperature rise per cycle, Q_i/(C_b V_i)
    sar_W_per_g : from the total heat; ilp_nHm2_per_kg; safety
    """

    t_s: np.ndarray
    H_A_per_m: np.ndarray
    m: np.ndarray
    M_over_Ms: np.ndarray
    heat_J: np.ndarray
    heat_trace_J: np.ndarray
    temperature_K: np.ndarray
    local_area_J_per_m3: np.ndarray
    global_area_J_per_m3: float
    work_area_J_per_m3: float
    heat_per_volume_J_per_m3: float
    delta_T_K: np.ndarray
    sar_W_per_g: float
    ilp_nHm2_per_kg: float
    safety: dict
    params: dict = field(default_factory=dict)


def interacting_llg(f, H0, diameters=None, axes=None, positions=None, Ms=MS_MAGNETITE_300K, K=1.0e4,
                    alpha=ALPHA_DEFAULT, T=0.0, C_b=C_B_MAGNETITE, n_cycles=2, dt=None, n_record=4000, m0=None,
                    field_direction=(0.0, 0.0, 1.0), seed=0, rho=RHO_MAGNETITE, temperature_feedback=True, *,
                    particle=None, allow_nonclinical=False):
    """AC loops of dipolar-coupled macrospins by (stochastic) LLG, with per-particle heat.

    Parameters
    ----------
    f : float
        Frequency, Hz (> 0).
    H0 : float
        Field amplitude, A/m (>= 0); H(t) = H0 cos(2πft) ĥ.
    diameters : float or array
        Diameters, m.
    axes : (N, 3) or (3,) array
        Easy axes (normalised here).
    positions : (N, 3) array, optional
        Centres in m; None → no dipolar interaction (independent particles).
    Ms : float
        Saturation magnetisation, A/m.
    K : float
        Uniaxial anisotropy, J/m³.
    alpha : float
        Gilbert damping (> 0).
    T : float
        Temperature of the thermal field, K (0 → deterministic RK4).
    C_b : float
        Volumetric heat capacity, J m⁻³ K⁻¹ (default 3.48e6, Muñoz-Menendez 2020).
    n_cycles : int
        Cycles simulated; the last is analysed.
    dt : float, optional
        Time step, s. Default 0.05 (1+α²)/(γ μ0 H_scale), H_scale = H0 + H_K + dipolar bound.
    n_record : int
        Records per cycle.
    m0 : (N, 3) array, optional
        Initial moments (default: the energy minimum at H(0) = H0 reached from the easy axes on
        the field side).
    field_direction : (3,) array
    seed : int
        Seed of the thermal field.
    rho : float
        Oxide density for the SAR, kg/m³.
    temperature_feedback : bool
        At T > 0, let the thermal noise of each particle follow its local temperature
        T_i(t) = T + Q_i(t)/(C_b V_i) (adiabatic; no conduction to the medium).
    particle : Particle, optional
        The (uniaxial) particle; when given, Ms, K, alpha, T and rho are taken from it, ``diameters``
        defaults to its diameter and ``axes`` to its easy axis.
    allow_nonclinical : bool
        Accept H0·f far outside any clinical range (see :func:`atomspin.sar.check_drive`).
    """
    f, H0 = check_drive(f, H0, allow_nonclinical)
    C_b = check_positive("C_b", C_b)
    n_cycles = check_int("n_cycles", n_cycles, lo=1)
    n_record = check_int("n_record", n_record, lo=8)
    seed = check_seed(seed)
    if particle is not None:
        p = uniaxial_particle(particle, Ms=None, K=None, T=None, rho=None)
        diameters = p.diameter_m if diameters is None else diameters
        axes = p.easy_axis if axes is None else axes
        Ms, K, alpha, T, rho = p.Ms_A_per_m, p.K_uniaxial_J_per_m3, p.alpha, p.T_K, p.density_kg_per_m3
    else:
        vals = check_material(Ms_A_per_m=Ms, T_K=T, alpha=alpha, density_kg_per_m3=rho, K_uniaxial_J_per_m3=K,
                              names=LEGACY_NAMES)
        Ms, K, alpha, T, rho = (vals[k] for k in ("Ms_A_per_m", "K_uniaxial_J_per_m3", "alpha", "T_K",
                                                 "density_kg_per_m3"))
    if diameters is None or axes is None:
        raise ValueError("diameters, axes: give the particle diameters (m) and easy axes, or a particle")
    d, ax, pos, use_dip = _prepare(diameters, axes, positions)
    n = d.size
    vols = sphere_volume(d)
    dirn = check_direction("field_direction", field_direction)
    HK = float(anisotropy_field(K, Ms))
    g = GAMMA_E * MU_0
    hscale = H0 + HK + (dipolar_field_scale(d, pos, Ms) if use_dip else 0.0)
    if dt is None:
        dt = 0.05 * (1 + alpha**2) / (g * hscale)
    dt = check_positive("dt", dt)
    period = 1.0 / f
    steps_per_cycle = int(math.ceil(period / dt / n_record)) * n_record
    dt = period / steps_per_cycle
    rec_every = steps_per_cycle // n_record
    nsteps = steps_per_cycle * n_cycles
    nrec = nsteps // rec_every + 1
    if m0 is None:
        sgn = np.where(ax @ dirn >= 0, 1.0, -1.0)
        m = ax * sgn[:, None]
    else:
        m = check_array("m0", m0).reshape(n, 3)
        m = m / np.linalg.norm(m, axis=1)[:, None]
    m = np.ascontiguousarray(m.copy())
    if m0 is None:  # start from the local energy minimum at the initial field H(0) = H0
        _relax(m, ax, vols, pos, Ms, HK, H0, dirn, use_dip, 0.2 / hscale, 1e-10 * hscale, 2_000_000,
               np.empty((n, 3)))
    sig = np.sqrt(2 * alpha * K_B * T / (GAMMA_E * MU_0**2 * Ms * vols * dt)) if T > 0 else np.zeros(n)
    m_rec = np.zeros((nrec, n))
    h_rec = np.zeros(nrec)
    q_rec = np.zeros((nrec, n))
    w_rec = np.zeros((nrec, n))
    _llg_kernel(m, ax, vols, pos, Ms, HK, alpha, g, MU_0, H0, 2 * np.pi * f, dirn, use_dip, dt, nsteps, rec_every,
                sig, seed, m_rec, h_rec, q_rec, w_rec, T, C_b if temperature_feedback else 0.0)
    s = slice(nrec - n_record - 1, nrec)
    mm, hh, qq, ww = m_rec[s], h_rec[s], q_rec[s] - q_rec[s][0], w_rec[s] - w_rec[s][0]
    t = (np.arange(nrec) * rec_every * dt)[s]
    heat = qq[-1]
    local = -MU_0 * Ms * np.trapezoid(mm, hh, axis=0)
    wv = vols / vols.sum()
    M = mm @ wv
    glob = float(-MU_0 * Ms * np.trapezoid(M, hh))
    work = float(ww[-1].sum() / vols.sum())
    heat_vol = float(heat.sum() / vols.sum())
    sar = heat_vol * f / rho * 1e-3
    return LLGResult(t_s=t, H_A_per_m=hh, m=mm, M_over_Ms=M, heat_J=heat, heat_trace_J=qq,
                     temperature_K=T + q_rec[s] / (C_b * vols[None, :]),
                     local_area_J_per_m3=local, global_area_J_per_m3=glob, work_area_J_per_m3=work,
                     heat_per_volume_J_per_m3=heat_vol, delta_T_K=heat / (C_b * vols), sar_W_per_g=sar,
                     ilp_nHm2_per_kg=float(ilp(sar, f, H0)), safety=field_safety(f, H0),
                     params={"dt": dt, "steps_per_cycle": steps_per_cycle, "alpha": alpha, "T": T, "H_K": HK})


@njit(cache=True)
def _relax(m, u, vols, pos, Ms, HK, happ, dirn, use_dip, eta, tol, maxit, H):
    """Projected steepest descent m ← norm(m + η (H − (m·H) m)) until max|m × H| < tol."""
    n = m.shape[0]
    wdip = Ms * vols  # A m², once per call
    for it in range(maxit):
        _heff(m, u, wdip, pos, HK, happ, dirn, use_dip, H)
        worst = 0.0
        for i in range(n):
            mh = m[i, 0] * H[i, 0] + m[i, 1] * H[i, 1] + m[i, 2] * H[i, 2]
            t0 = H[i, 0] - mh * m[i, 0]
            t1 = H[i, 1] - mh * m[i, 1]
            t2 = H[i, 2] - mh * m[i, 2]
            tn = math.sqrt(t0 * t0 + t1 * t1 + t2 * t2)
            if tn > worst:
                worst = tn
            m[i, 0] += eta * t0
            m[i, 1] += eta * t1
            m[i, 2] += eta * t2
        _normalise(m)
        if worst < tol:
            _heff(m, u, wdip, pos, HK, happ, dirn, use_dip, H)
            if _kick_unstable(m, u, H, HK, 1e-3) == 0:
                return it
    return maxit


@njit(cache=True)
def _kick_unstable(m, u, H, HK, angle):
    """Rotate by ``angle`` (rad) every moment that sits at an equilibrium which is not a local minimum.

    With the others fixed, the tangent-plane Hessian of particle i's energy per μ0 Ms V at an
    equilibrium (H ∥ m) is t ↦ m·H − H_K (t·u)², so its smallest eigenvalue is
    λ = m·H − H_K |u − (m·u) m|² (H the full effective field). λ < 0: unstable; the moment is tipped
    along u_⊥ (or any perpendicular when u ∥ m). Returns the number of moments kicked. Only
    equilibria with torque below 1e-9 |H| are examined (elsewhere the dynamics moves anyway).
    """
    n = m.shape[0]
    kicked = 0
    w = np.empty(3)
    for i in range(n):
        hn = math.sqrt(H[i, 0] ** 2 + H[i, 1] ** 2 + H[i, 2] ** 2)
        mh = m[i, 0] * H[i, 0] + m[i, 1] * H[i, 1] + m[i, 2] * H[i, 2]
        tq = math.sqrt(max(hn * hn - mh * mh, 0.0))
        if tq > 1e-9 * hn:
            continue
        mu = m[i, 0] * u[i, 0] + m[i, 1] * u[i, 1] + m[i, 2] * u[i, 2]
        px = u[i, 0] - mu * m[i, 0]
        py = u[i, 1] - mu * m[i, 1]
        pz = u[i, 2] - mu * m[i, 2]
        pn2 = px * px + py * py + pz * pz
        if mh - HK * pn2 >= 0.0:
            continue
        if pn2 > 1e-20:
            pn = math.sqrt(pn2)
            w[0], w[1], w[2] = px / pn, py / pn, pz / pn
        else:
            _any_perpendicular(m[i], w)
        c = math.cos(angle)
        s_ = math.sin(angle)
        for k in range(3):
            m[i, k] = c * m[i, k] + s_ * w[k]
        kicked += 1
    return kicked


def quasistatic_loop(H_values, diameters=None, axes=None, positions=None, Ms=MS_MAGNETITE_300K, K=1.0e4, m0=None,
                     field_direction=(0.0, 0.0, 1.0), tol=1e-9, *, particle=None):
    """Energy-minimisation (T = 0, infinitely slow) loop: at each field the moments descend to
    the local minimum of E reached from the previous state (projected steepest descent).

    Parameters
    ----------
    H_values : array
        Field sequence, A/m.
    diameters, axes, positions, Ms, K, m0, field_direction, particle : as in :func:`interacting_llg`.
    tol : float
        Convergence: max torque |m × H_eff| < tol · H_scale. A converged state that is not a local
        minimum (an unstable equilibrium with zero torque, e.g. the moment against a field along the
        easy axis beyond H_K) is kicked along its softest direction and relaxed again.

    Returns
    -------
    m : (len(H_values), N) array of m_i·ĥ.
    """
    Hv = check_array("H_values", H_values, nonempty=True).ravel()
    if particle is not None:
        p = uniaxial_particle(particle, Ms=None, K=None, T=None, rho=None)
        diameters = p.diameter_m if diameters is None else diameters
        axes = p.easy_axis if axes is None else axes
        Ms, K = p.Ms_A_per_m, p.K_uniaxial_J_per_m3
    else:
        vals = check_material(Ms_A_per_m=Ms, K_uniaxial_J_per_m3=K, names=LEGACY_NAMES)
        Ms, K = vals["Ms_A_per_m"], vals["K_uniaxial_J_per_m3"]
    if diameters is None or axes is None:
        raise ValueError("diameters, axes: give the particle diameters (m) and easy axes, or a particle")
    d, ax, pos, use_dip = _prepare(diameters, axes, positions)
    n = d.size
    vols = sphere_volume(d)
    dirn = check_direction("field_direction", field_direction)
    HK = float(anisotropy_field(K, Ms))
    hscale = float(np.max(np.abs(Hv))) + HK + (dipolar_field_scale(d, pos, Ms) if use_dip else 0.0)
    if m0 is None:
        sgn = np.where(ax @ dirn * (1 if Hv[0] >= 0 else -1) >= 0, 1.0, -1.0)
        m = ax * sgn[:, None]
    else:
        m = check_array("m0", m0).reshape(n, 3)
        m = m / np.linalg.norm(m, axis=1)[:, None]
    m = np.ascontiguousarray(m.copy())
    H = np.empty((n, 3))
    out = np.empty((Hv.size, n))
    for k, h in enumerate(Hv):
        _relax(m, ax, vols, pos, Ms, HK, float(h), dirn, use_dip, 0.2 / hscale, tol * hscale, 2_000_000, H)
        out[k] = m @ dirn
    return out
