"""Interacting LLG macrospins with local heat (after Muñoz-Menendez et al., PRB 102, 214412 (2020))."""
import math

import numpy as np
import pytest

from atomspin.sar import interacting_llg, quasistatic_loop
from atomspin.sar.llg import _llg_kernel

MU0 = 1.25663706212e-6
KB = 1.380649e-23
GAMMA = 1.76085963023e11
MS, K = 4.8e5, 1e4
HK = 2 * K / (MU0 * MS)
H_500OE = 500 * 1e3 / (4 * math.pi)  # 500 Oe in A/m
DA, DB = 22e-9, 18e-9
AXES_AB = np.array([[0.0, 0.0, 1.0], [math.sin(math.pi / 6), 0.0, math.cos(math.pi / 6)]])


def pair_positions(sep):
    """A at the origin, B along x (perpendicular to the field) at surface separation ``sep`` (m)."""
    return np.array([[0.0, 0.0, 0.0], [DA / 2 + DB / 2 + sep, 0.0, 0.0]])


def reference_llg(m, u, vols, pos, alpha, H0, omega, dt, nsteps):
    """Slow reference: numpy RK4 of the Gilbert equation in LL form with explicit dipole sums,
    heat from P_i = α γ μ0² Ms V |m × H|²/(1+α²)."""
    g = GAMMA * MU0

    def heff(m, t):
        H = np.zeros_like(m)
        H[:, 2] += H0 * math.cos(omega * t)
        H += HK * np.sum(m * u, axis=1)[:, None] * u
        for i in range(len(m)):
            for j in range(len(m)):
                if i != j:
                    r = pos[i] - pos[j]
                    rn = np.linalg.norm(r)
                    rh = r / rn
                    H[i] += MS * vols[j] * (3 * rh * (rh @ m[j]) - m[j]) / (4 * math.pi * rn**3)
        return H

    def f(m, t):
        H = heff(m, t)
        c = np.cross(m, H)
        dm = -g / (1 + alpha**2) * (c + alpha * np.cross(m, c))
        P = alpha * GAMMA * MU0**2 * MS * vols * np.sum(c * c, axis=1) / (1 + alpha**2)
        return dm, P

    Q = np.zeros(len(m))
    for k in range(nsteps):
        t = k * dt
        k1, p1 = f(m, t)
        k2, p2 = f(m + 0.5 * dt * k1, t + 0.5 * dt)
        k3, p3 = f(m + 0.5 * dt * k2, t + 0.5 * dt)
        k4, p4 = f(m + dt * k3, t + dt)
        m = m + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        m /= np.linalg.norm(m, axis=1)[:, None]
        Q += dt / 6 * (p1 + 2 * p2 + 2 * p3 + p4)
    return m, Q


@pytest.mark.nojit
def test_llg_kernel_matches_reference():
    m0 = np.array([[0.3, 0.1, 0.95], [-0.2, 0.4, 0.9]])
    m0 /= np.linalg.norm(m0, axis=1)[:, None]
    vols = math.pi / 6 * np.array([DA, DB]) ** 3
    pos = pair_positions(1.5e-9)
    f, n_rec = 1e9, 50
    r = interacting_llg(f, H_500OE, [DA, DB], AXES_AB, pos, alpha=0.1, n_cycles=1, dt=1e-12, n_record=n_rec, m0=m0,
                        allow_nonclinical=True)
    nsteps = r.params["steps_per_cycle"]
    m_ref, Q_ref = reference_llg(m0.copy(), AXES_AB, vols, pos, 0.1, H_500OE, 2 * math.pi * f, r.params["dt"],
                                 nsteps)
    assert np.allclose(r.m[-1], m_ref[:, 2], atol=1e-10)
    assert np.allclose(r.heat_J, Q_ref, rtol=1e-8, atol=1e-30)


@pytest.mark.parametrize("psi_deg", [10.0, 60.0])
def test_single_particle_llg_loop_equals_sw(psi_deg):
    """Isolated particle, α = 1, 100 kHz: the LLG loop area is the T = 0 SW area at that angle (±2 %)."""
    from atomspin.sar import sw_loop
    from atomspin.sar.stoner_wohlfarth import loop_area

    psi = math.radians(psi_deg)
    r = interacting_llg(1e5, 1.5 * HK, 20e-9, [math.sin(psi), 0.0, math.cos(psi)], alpha=1.0, n_cycles=1,
                        n_record=2000)
    sw = loop_area(*sw_loop(psi, h_max=1.5, n=4001))
    assert r.global_area_J_per_m3 == pytest.approx(sw * MU0 * HK * MS, rel=0.02)
    assert r.heat_per_volume_J_per_m3 == pytest.approx(r.global_area_J_per_m3, rel=0.02)


@pytest.fixture(scope="module")
def munoz_pair():
    """The two-particle case: A 22 nm ∥ field, B 18 nm at 30°, 500 Oe, 500 kHz, α = 0.1."""
    out = {}
    for sep in (1.5e-9, 7.1e-9, 100e-9):
        out[sep] = interacting_llg(5e5, H_500OE, [DA, DB], AXES_AB, pair_positions(sep), alpha=0.1, n_cycles=2,
                                   n_record=2000)
    return out


def test_energy_balance_total_heat_equals_loop_area(munoz_pair):
    for sep, r in munoz_pair.items():
        assert r.heat_per_volume_J_per_m3 == pytest.approx(r.global_area_J_per_m3, rel=0.02), sep
        # the field work integrated with the same RK stages closes the balance far better
        assert r.heat_per_volume_J_per_m3 == pytest.approx(r.work_area_J_per_m3, rel=1e-3), sep
        vols = math.pi / 6 * np.array([DA, DB]) ** 3
        assert float(r.local_area_J_per_m3 @ vols / vols.sum()) == pytest.approx(r.global_area_J_per_m3, rel=1e-9)


def test_loop_area_shrinks_with_separation(munoz_pair):
    a = {s: r.global_area_J_per_m3 for s, r in munoz_pair.items()}
    assert a[1.5e-9] < a[7.1e-9] < a[100e-9]


def test_heat_nonnegative_even_with_inverted_local_loop(munoz_pair):
    r = munoz_pair[1.5e-9]
    assert r.local_area_J_per_m3[1] < 0  # B's local loop is inverted at 1.5 nm
    assert np.all(r.heat_J > 0)
    steps = np.diff(r.heat_trace_J, axis=0)
    assert np.all(steps >= 0)  # heat released in every interval, switching events included
    # the switching events release a finite heat for each particle
    for i in range(2):
        assert steps[:, i].max() > 1e-3 * r.heat_J[i]
    vols = math.pi / 6 * np.array([DA, DB]) ** 3
    assert np.allclose(r.delta_T_K, r.heat_J / (3.48e6 * vols))
    assert np.allclose(r.temperature_K[-1] - r.temperature_K[0], r.delta_T_K)  # local heat equation
    assert np.all(np.diff(r.temperature_K, axis=0) >= 0)


@pytest.mark.slow
def test_large_damping_llg_equals_energy_minimisation(full_scale):
    """α = 1: the LLG loops approach the quasi-static energy-minimisation loops as f falls."""
    freqs = (5e5, 5e4, 5e3) if full_scale else (5e5, 5e4)
    pos = pair_positions(1.5e-9)
    vols = math.pi / 6 * np.array([DA, DB]) ** 3
    w = vols / vols.sum()
    errs = []
    for f in freqs:
        r = interacting_llg(f, H_500OE, [DA, DB], AXES_AB, pos, alpha=1.0, n_cycles=1, dt=2e-12, n_record=2000)
        q = quasistatic_loop(np.concatenate([[H_500OE], r.H_A_per_m]), [DA, DB], AXES_AB, pos)[1:]
        aq = -MU0 * MS * np.trapezoid(q @ w, r.H_A_per_m)
        errs.append(abs(r.global_area_J_per_m3 / aq - 1))
        # the branches agree away from the switching fields
        mask = np.abs(r.H_A_per_m) > 0.9 * H_500OE
        assert np.allclose(r.m[mask], q[mask], atol=0.02)
    assert errs[0] < 0.06 and errs[1] < 0.015
    assert all(b < a for a, b in zip(errs, errs[1:]))


def test_stochastic_llg_equilibrium_is_langevin():
    """Nearly isotropic particles (K = 1 J/m³) in a static field: ⟨m_z⟩ = L(ξ) at T = 300 K."""
    n, d, T, alpha = 40, 5e-9, 300.0, 1.0
    V = math.pi / 6 * d**3
    xi = 2.0
    H = xi * KB * T / (MU0 * MS * V)
    m = np.tile([0.0, 0.0, 1.0], (n, 1))
    u = np.tile([1.0, 0.0, 0.0], (n, 1))
    vols = np.full(n, V)
    dt = 2e-13
    nsteps = 100000
    sig = np.sqrt(2 * alpha * KB * T / (GAMMA * MU0**2 * MS * vols * dt))
    rec = 1000
    nrec = nsteps // rec + 1
    m_rec, h_rec, q_rec, w_rec = np.zeros((nrec, n)), np.zeros(nrec), np.zeros((nrec, n)), np.zeros((nrec, n))
    hk_small = 2 * 1.0 / (MU0 * MS)
    _llg_kernel(m, u, vols, np.zeros((n, 3)), MS, hk_small, alpha, GAMMA * MU0, MU0, H, 0.0,
                np.array([0.0, 0.0, 1.0]), False, dt, nsteps, rec, sig, 7, m_rec, h_rec, q_rec, w_rec)
    mz = m_rec[nrec // 5:].mean()
    L = 1 / math.tanh(xi) - 1 / xi
    assert mz == pytest.approx(L, abs=0.03)


def test_local_temperature_feeds_the_noise():
    """With an absurdly small heat capacity the particles heat up and the noise follows T_i."""
    kw = dict(alpha=0.5, T=300.0, n_cycles=1, n_record=100, dt=5e-12, seed=2, allow_nonclinical=True)
    hot = interacting_llg(1e8, 3e4, [15e-9], [0, 0, 1.0], C_b=1e2, **kw)
    assert hot.temperature_K[-1, 0] > 400.0
    cold = interacting_llg(1e8, 3e4, [15e-9], [0, 0, 1.0], C_b=1e2, temperature_feedback=False, **kw)
    assert not np.array_equal(hot.m, cold.m)


@pytest.mark.nojit
def test_stochastic_llg_is_seeded():
    kw = dict(alpha=0.5, T=300.0, n_cycles=1, n_record=100, dt=5e-12, allow_nonclinical=True)
    a = interacting_llg(1e8, 2e4, [12e-9, 12e-9], [0, 0, 1.0], None, seed=3, **kw)
    b = interacting_llg(1e8, 2e4, [12e-9, 12e-9], [0, 0, 1.0], None, seed=3, **kw)
    c = interacting_llg(1e8, 2e4, [12e-9, 12e-9], [0, 0, 1.0], None, seed=4, **kw)
    assert np.array_equal(a.m, b.m) and not np.array_equal(a.m, c.m)


@pytest.mark.parametrize("kw, match", [
    (dict(f=0.0), "f"), (dict(H0=-1.0), "H0"), (dict(alpha=0.0), "alpha"), (dict(C_b=0.0), "C_b"),
    (dict(T=-1.0), "T"), (dict(positions=np.zeros((2, 3))), "overlap"), (dict(axes=np.zeros(3)), "axes"),
])
def test_llg_bad_input(kw, match):
    base = dict(f=5e5, H0=H_500OE, diameters=[DA, DB], axes=AXES_AB, positions=pair_positions(1.5e-9))
    base.update(kw)
    with pytest.raises(ValueError, match=match):
        interacting_llg(**base)
