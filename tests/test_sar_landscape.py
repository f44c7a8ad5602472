"""Heating from the whole landscape: critical points, exact relaxation, Langer/Brown rates, master equation,
stochastic LLG, liquids, ensembles, the regime rule and the acceptance names."""
import math

import numpy as np
import pytest

from atomspin import macrospin as M
from atomspin import sar
from atomspin.sar.fokker_planck import brown_asymptote, debye_time, uniaxial_rates, uniaxial_relaxation_time
from atomspin.sar.master import OrientationTables, master_linear_response
from atomspin.sar.rates import Landscape, escape_rates, rates_relaxation_time

import naive

MU0 = 1.25663706212e-6
KB = 1.380649e-23
MS, K, T = 4.8e5, 1e4, 300.0
K1, K2 = -1.1e4, -0.28e4
CUBIC = M.EnergySurface([M.CubicAnisotropy(K1, K2)])
CUBIC_BARRIER = -K1 / 12 - K2 / 27  # ⟨111⟩ over ⟨110⟩, J/m³


def uniaxial(sigma, alpha=1.0, **kw):
    return sar.Particle(Ms_A_per_m=MS, volume_m3=sigma * KB * T / K, T_K=T, K_uniaxial_J_per_m3=K, alpha=alpha, **kw)


def cubic(sigma, alpha=1.0, surface=CUBIC, barrier=CUBIC_BARRIER):
    return sar.Particle(Ms_A_per_m=MS, volume_m3=sigma * KB * T / barrier, T_K=T, landscape=surface, alpha=alpha)


# ------------------------------------------------------------------------------------------ acceptance names
def test_acceptance_particle_and_relaxation_time():
    p = sar.Particle(Ms_A_per_m=MS, volume_m3=math.pi / 6 * (12e-9) ** 3, K_uniaxial_J_per_m3=K, alpha=0.1, T_K=T)
    tau = sar.relaxation_time(p)
    sigma = K * p.volume_m3 / (KB * T)
    tD = (1 + 0.01) * MS * p.volume_m3 / (2 * 0.1 * 1.76085963023e11 * KB * T)
    assert tau == pytest.approx(tD * naive.fv_uniaxial_relaxation(sigma), rel=1e-4)
    assert 1e-10 < tau < 1e-6


# ------------------------------------------------------------------------------------------ critical points
@pytest.mark.nojit
def test_critical_points_agree_with_macrospin():
    """The numba search against atomspin.macrospin.critical_points (independent: dense grid, scipy)."""
    surface = M.EnergySurface([M.CubicAnisotropy(K1, K2), M.UniaxialAnisotropy(3e3, (0.3, 0.2, 0.9))])
    p = sar.Particle(Ms_A_per_m=MS, volume_m3=1e-24, T_K=T, landscape=surface)
    land = Landscape(p)
    for H in ([0.0, 0.0, 0.0], [1e3, -2e3, 4e3]):
        t = land.critical(np.array(H))
        cp = M.critical_points(surface.with_field(H, MS))
        assert t.nmin == len(cp.minima) and t.nsad == len(cp.saddles)
        assert np.allclose(np.sort(t.e_min[:t.nmin]), np.sort(cp.e_minima), atol=1e-6)
        assert np.allclose(np.sort(t.e_sad[:t.nsad]), np.sort(cp.e_saddles), atol=1e-6)
        # every saddle joins the same two minima (by direction)
        for s in range(t.nsad):
            j = int(np.argmax(cp.saddles @ t.sads[s]))
            mine = {tuple(np.round(t.mins[i], 6)) for i in t.pair[s]}
            theirs = {tuple(np.round(cp.minima[i], 6)) for i in cp.saddle_minima[j]}
            assert mine == theirs


@pytest.mark.nojit
def test_anisotropy_field_of_the_dynamics_is_the_surface_gradient():
    from atomspin.sar.macrospin_llg import _anis_field, _polynomial

    p = cubic(4.0, surface=M.EnergySurface([M.CubicAnisotropy(K1, K2), M.UniaxialAnisotropy(5e3, (1.0, 1.0, 0.0))]))
    exps, coefs = _polynomial(p)
    rng = np.random.default_rng(1)
    R = np.linalg.qr(rng.standard_normal((3, 3)))[0]
    R *= np.sign(np.linalg.det(R))
    for _ in range(5):
        m = rng.standard_normal(3)
        m /= np.linalg.norm(m)
        out = np.empty(3)
        _anis_field(exps, coefs, R, m, 1.0 / (MU0 * MS), out, np.empty(3), np.empty(3), np.ones((3, exps.max() + 1)))
        ref = R @ p.landscape.effective_field(R.T @ m, MS)
        tang = out - (out @ m) * m
        assert np.allclose(tang, ref, atol=1e-9 * np.abs(ref).max())


# ------------------------------------------------------------------------------------------ exact relaxation
@pytest.mark.parametrize("sigma", [0.05, 0.5, 1.0, 2.0, 4.0, 8.0, 12.0])
def test_fokker_planck_against_finite_volumes(sigma):
    assert uniaxial_relaxation_time(sigma) == pytest.approx(naive.fv_uniaxial_relaxation(sigma), rel=2e-5)
    lam = uniaxial_rates(sigma)
    assert abs(lam[0]) < 1e-9 and np.all(np.diff(lam) >= -1e-9)
    assert uniaxial_rates(sigma, n_terms=2 * (40 + int(4 * sigma)))[1] == pytest.approx(lam[1], rel=1e-9)


def test_fokker_planck_limits():
    # free diffusion: τ → τ_D (λ_l = l(l+1)/2τ_D)
    assert uniaxial_relaxation_time(0.0) == pytest.approx(1.0, rel=1e-12)
    assert uniaxial_relaxation_time(0.05) == pytest.approx(1.0, rel=0.03)
    assert np.allclose(uniaxial_rates(0.0)[:4], [0, 1, 3, 6], atol=1e-9)
    # Brown's asymptote with its correction 1/(1 − 1/σ): within 1 % at σ = 12, 0.3 % at 20
    assert uniaxial_relaxation_time(12.0) == pytest.approx(brown_asymptote(12.0), rel=0.01)
    assert uniaxial_relaxation_time(20.0) == pytest.approx(brown_asymptote(20.0), rel=0.003)
    # the bare asymptote is 14 % short at σ = 8
    bare = 0.5 * math.sqrt(math.pi) * 8.0**-1.5 * math.exp(8.0)
    assert bare / uniaxial_relaxation_time(8.0) == pytest.approx(0.86, abs=0.01)
    # field along the axis speeds the relaxation up
    assert uniaxial_relaxation_time(8.0, h=0.2) < uniaxial_relaxation_time(8.0)


@pytest.mark.parametrize("sigma", [4.0, 6.0, 8.0, 12.0])
def test_rate_model_relaxation_time_within_5_percent(sigma):
    """Above the crossover (4 k_BT) the Langer/Brown master equation reproduces the exact τ (exact by
    construction of the ring factor; checked here against the independent finite-volume solution)."""
    p = uniaxial(sigma, alpha=0.1)
    tau = rates_relaxation_time(p) / debye_time(MS, p.volume_m3, T, 0.1)
    assert tau == pytest.approx(naive.fv_uniaxial_relaxation(sigma), rel=0.05)
    assert sar.relaxation_time(p, method="rates") == pytest.approx(rates_relaxation_time(p))


@pytest.mark.parametrize("sigma", [0.05, 1.0, 3.0])
def test_llg_relaxation_time_within_5_percent_below_the_crossover(sigma):
    """Below 4 k_BT the model is stochastic LLG: its integral relaxation time (within 1.3 % of 1/λ₁ at any σ)
    against the exact Fokker–Planck value, 400 particles."""
    p = uniaxial(sigma, alpha=1.0)
    tau, err = sar.relaxation_time(p, method="llg", seed=3, n_particles=400), None
    ref = debye_time(MS, p.volume_m3, T, 1.0) * naive.fv_uniaxial_relaxation(sigma)
    assert tau == pytest.approx(ref, rel=0.05)


def test_llg_relaxation_time_error_follows_the_spread_over_seeds():
    """The reported error of the stochastic-LLG τ (delete-one-group jackknife) against the seed-to-seed spread: 24
    seeds of 32 members, cubic + uniaxial surface at a 3.3 k_BT barrier (the demo particle's regime). The ratio
    spread / mean error is 1.42 (the members' spread under one common window, used before: 2.20); asserted below
    1.8 and above 0.6 (the sample s.d. of 24 values is itself uncertain by ≈ 15 %)."""
    from atomspin.sar.macrospin_llg import llg_relaxation_time

    surf = M.EnergySurface([M.CubicAnisotropy(K1, K2), M.UniaxialAnisotropy(0.3 * abs(K1))])
    p = sar.Particle(Ms_A_per_m=MS, volume_m3=3.3 * KB * T / (0.3 * abs(K1)), T_K=T, landscape=surf, alpha=1.0)
    res = np.array([llg_relaxation_time(p, seed=s, n_particles=32) for s in range(24)])
    ratio = np.std(res[:, 0], ddof=1) / np.mean(res[:, 1])
    assert 0.6 < ratio < 1.8, (ratio, res)


def test_linear_and_adiabatic_sar_carry_the_tau_error():
    """Below 4 k_BT the linear and adiabatic responses use a seeded stochastic-LLG τ_N: their SAR error is its
    relative error × |∂lnA/∂lnτ_N| (ωτ ≪ 1 here: = 1, immobilised)."""
    from atomspin.sar.heating import TAU_MEMBERS
    from atomspin.sar.rates import relaxation_time_and_error

    surf = M.EnergySurface([M.CubicAnisotropy(K1, K2), M.UniaxialAnisotropy(0.3 * abs(K1))])
    V = 2.0 * KB * T / (0.3 * abs(K1))
    p = sar.Particle(Ms_A_per_m=MS, volume_m3=V, T_K=T, landscape=surf)
    tau, err = relaxation_time_and_error(p, seed=1, n_particles=TAU_MEMBERS)
    assert err > 0
    for model, H0 in (("linear", 1e3), ("adiabatic", 1.5e4)):
        r = sar.sar_from_particle(p, f=1e5, H0=H0, model=model, seed=1, allow_nonclinical=True)
        wt = 2 * math.pi * 1e5 * tau
        assert r.sar_err_W_per_g == pytest.approx(r.sar_W_per_g * err / tau * (1 - wt**2) / (1 + wt**2), rel=1e-9)


# ------------------------------------------------------------------------------------------ escape rates
def test_ring_factor_table_is_the_exact_solution():
    """κ_ring(σ) = τ_bare/τ_exact regenerated from the Legendre solution (and by finite volumes at a few σ)."""
    for s_, k in zip(sar.rates._RING_SIGMA, sar.rates._RING_KAPPA):
        bare = 0.5 * math.sqrt(math.pi) * s_**-1.5 * math.exp(s_)
        assert k == pytest.approx(bare / uniaxial_relaxation_time(s_), rel=3e-4)  # λ₁ ~ e^{−σ}: rounding at σ > 20
    for s_ in (0.5, 2.0, 8.0):
        bare = 0.5 * math.sqrt(math.pi) * s_**-1.5 * math.exp(s_)
        k = np.interp(math.log(s_), np.log(sar.rates._RING_SIGMA), sar.rates._RING_KAPPA)
        assert k == pytest.approx(bare / naive.fv_uniaxial_relaxation(s_), rel=2e-3)  # table interpolation
    # and it tends to Brown's corrected asymptote
    assert sar.rates._RING_KAPPA[-1] == pytest.approx(1 - 1 / 25, abs=2e-3)


def test_langer_rates_written_out_and_the_ring_limit():
    p = uniaxial(8.0, alpha=0.1)
    r = escape_rates(p)
    tD = debye_time(MS, p.volume_m3, T, 0.1)
    # zero field: a ring of saddles, Brown's axial rate σ^{3/2} e^{−σ}/(√π τ_D) × κ_ring, and the two-state
    # relaxation time 1/(2Γ) is the exact one (κ_ring is tabulated from the exact solution)
    assert r["escape_rate"][0] == pytest.approx(1.0 / (2.0 * tD * uniaxial_relaxation_time(8.0)), rel=1e-3)
    assert r["barrier_over_kT"] == pytest.approx([8.0, 8.0], rel=1e-9)
    # an oblique field: the rates of the numba kernel equal the formula written out in tests/naive.py
    H = 3e3 * np.array([math.sin(0.6), 0.0, math.cos(0.6)])
    land = Landscape(p)
    t = land.critical(H)
    W = t.rate_matrix(p)
    for s in range(t.nsad):
        i, j = t.pair[s]
        si = p.volume_m3 / (KB * T) * (t.e_sad[s] - t.e_min[i])
        sj = p.volume_m3 / (KB * T) * (t.e_sad[s] - t.e_min[j])
        sk = math.sqrt(si * sj)
        from scipy.special import i0e

        R = min(np.linalg.norm(np.cross(t.sads[s], t.mins[i])), np.linalg.norm(np.cross(t.sads[s], t.mins[j])))
        q = 1 - i0e(p.volume_m3 / (KB * T) * t.c_sad[s, 1] * R * R)
        ring = np.interp(math.log(sk), np.log(sar.rates._RING_SIGMA), sar.rates._RING_KAPPA)
        kappa = (1 - q) * ring + q / (1 + 0.5 / sk)
        ref = kappa * naive.ref_escape_rate_langer(t.e_min[i], t.c_min[i], t.e_sad[s], t.c_sad[s], t.mins[i], t.sads[s],
                                                   t.mins[j], p.volume_m3, T, MS, 0.1)
        assert W[j, i] == pytest.approx(ref, rel=1e-7)
    # detailed balance with Gaussian wells: Γ_ij Z_i = Γ_ji Z_j
    Z = np.exp(-p.volume_m3 / (KB * T) * t.e_min[:2]) / np.sqrt(t.c_min[:2, 0] * t.c_min[:2, 1])
    assert W[1, 0] * Z[0] == pytest.approx(W[0, 1] * Z[1], rel=1e-9)
    # the rate of a nearly axial field is continuous with the axial (ring) one
    near = escape_rates(p, 1e3 * np.array([1e-6, 0.0, 1.0]))["escape_rate"]
    axial = escape_rates(p, 1e3 * np.array([0.0, 0.0, 1.0]))["escape_rate"]
    assert np.allclose(np.sort(near), np.sort(axial), rtol=1e-4)


@pytest.mark.parametrize("sigma", [2.0, 4.0, 6.0, pytest.param(8.0, marks=pytest.mark.slow)])
def test_rates_against_llg_first_passage_uniaxial(sigma, full_scale):
    """Escape rates vs stochastic LLG (α = 1): first passage from deep in a well to the equator, Γ = 1/(2T)
    (exact for the axially symmetric particle), within 15 % (measured 0.92 at σ = 2, 0.99 at 4, 1.00 at 8)."""
    p = uniaxial(sigma, alpha=1.0)
    n = 200 if full_scale else 100
    r = sar.first_passage_times(p, seed=5, n_particles=n, transitions=400 if full_scale else 250, measure="boundary")
    model = escape_rates(p)["escape_rate"]
    ratio = r["rate_s"] / model
    assert np.all(r["transitions"] > 30)
    assert np.mean(ratio) == pytest.approx(1.0, abs=0.15)


@pytest.mark.parametrize("sigma", [2.0, 4.0, pytest.param(6.0, marks=pytest.mark.slow)])
def test_rates_against_llg_first_passage_cubic(sigma, full_scale):
    """Cubic magnetite (K1 < 0: 8 ⟨111⟩ minima, 12 ⟨110⟩ saddles), α = 1: rates within 15 % of the committed
    hops of stochastic LLG (measured 1.01, 0.97, 1.01, 1.03 at σ = 2, 3, 4, 6)."""
    p = cubic(sigma)
    r = sar.first_passage_times(p, seed=6, n_particles=200 if full_scale else 100,
                                transitions=200 if full_scale else 100)
    model = escape_rates(p)
    assert len(model["minima"]) == 8 and len(model["saddles"]) == 12
    assert model["barrier_over_kT"] == pytest.approx(np.full(8, sigma), rel=1e-6)
    assert np.mean(r["rate_s"] / model["escape_rate"]) == pytest.approx(1.0, abs=0.15)


# ------------------------------------------------------------------------------------------ master equation
@pytest.mark.nojit
def test_master_kernel_matches_the_written_out_reference():
    surface = M.EnergySurface([M.UniaxialAnisotropy(K, (0.2, 0.1, 1.0))])
    p = sar.Particle(Ms_A_per_m=MS, volume_m3=6 * KB * T / K, T_K=T, landscape=surface, alpha=0.3)
    d = np.array([0.5, 0.2, 0.8])
    d /= np.linalg.norm(d)
    steps, H0 = 16, 0.7 * 2 * K / (MU0 * MS)
    tab = OrientationTables(Landscape(p), d, H0, steps)
    # f = 1 Hz in the reference: scale the rates by running at the same f
    mz, _ = tab.cycle(p, p.volume_m3, 1.0, n_cycles=2)
    ref = naive.ref_master_cycles(surface, MS, p.volume_m3, T, 0.3, d, H0, steps, 2)
    assert np.allclose(mz, ref, atol=2e-6)


def test_zero_temperature_slow_sweep_equals_stoner_wohlfarth():
    HK = 2 * K / (MU0 * MS)
    p = sar.Particle(Ms_A_per_m=MS, volume_m3=math.pi / 6 * (20e-9) ** 3, T_K=1e-3, K_uniaxial_J_per_m3=K)
    r = sar.landscape_loop(p, 1e3, 2 * HK, axes="aligned", steps_per_cycle=4000)
    assert r.loop_area_J_per_m3 / (MU0 * HK * MS) == pytest.approx(4.0, rel=0.005)
    r = sar.landscape_loop(p, 1e3, 2 * HK, axes="random", n_orientations=40, steps_per_cycle=2000)
    assert r.loop_area_J_per_m3 / (MU0 * HK * MS) == pytest.approx(0.9883, rel=0.01)


def test_zero_temperature_cubic_equals_the_general_sw_loop():
    """Cubic landscape at T → 0, a few field directions: the master-equation loop area equals the area of
    atomspin.macrospin.stoner_wohlfarth_loop on the same field points (the one T = 0 implementation)."""
    p = sar.Particle(Ms_A_per_m=MS, volume_m3=1e-23, T_K=1e-6, landscape=CUBIC)
    H0 = 3e4
    for d in (np.array([0.0, 0.0, 1.0]), np.array([1.0, 1.0, 1.0]) / math.sqrt(3), np.array([0.3, 0.5, 0.81])):
        d = d / np.linalg.norm(d)
        tab = OrientationTables(Landscape(p), d, H0, 200)
        mz, _ = tab.cycle(p, p.volume_m3, 1e3)
        H = tab.fields()
        sw = M.stoner_wohlfarth_loop(CUBIC, MS, np.concatenate([H, H])[:, None] * d[None, :]).m_parallel[len(H):]
        a_master = MU0 * MS * sar._common.cyclic_area(mz, H)[0]
        a_sw = MU0 * MS * sar._common.cyclic_area(sw, H)[0]
        assert a_master == pytest.approx(a_sw, rel=1e-3, abs=1e-6 * MU0 * MS * H0)


@pytest.mark.parametrize("axes", ["aligned", "random"])
def test_low_field_equals_linear_response_with_the_same_rates(axes):
    p = uniaxial(5.5, alpha=0.1)
    dirs, w = sar.heating.orientations(p, axes, 12)
    for f in (1e5, 1e6):
        r = sar.landscape_loop(p, f, 3.0, axes=axes, n_orientations=12)
        lr = master_linear_response(p, f, dirs, w)
        assert r.loop_area_J_per_m3 == pytest.approx(lr["area_per_H0sq"] * 9.0, rel=0.01)
    # the relaxation time of the linear response is the model's relaxation time
    assert lr["tau_s"] == pytest.approx(rates_relaxation_time(p), rel=1e-9)


def test_low_field_master_against_exact_linear_response():
    """Aligned uniaxial particle, σ = 8: the master equation at low field against linear response with the
    exact Fokker–Planck τ and the exact ⟨cos²θ⟩ susceptibility, within 5 %."""
    p = uniaxial(8.0, alpha=0.1)
    for f in (3e4, 3e5):
        r = sar.landscape_loop(p, f, 3.0, axes="aligned")
        ex = sar.exact_linear_response(p, f, 3.0, axes="aligned")
        assert r.loop_area_J_per_m3 == pytest.approx(ex.loop_area_J_per_m3, rel=0.05)


def test_steady_state_equals_many_cycles():
    p = uniaxial(7.0, alpha=0.1)
    H0 = 0.4 * p.H_K_A_per_m
    a = sar.landscape_loop(p, 3e5, H0, axes="random", n_orientations=6, n_cycles=0)
    b = sar.landscape_loop(p, 3e5, H0, axes="random", n_orientations=6, n_cycles=40)
    assert b.loop_area_J_per_m3 == pytest.approx(a.loop_area_J_per_m3, rel=1e-6)


@pytest.mark.slow
def test_master_and_llg_agree_in_the_overlap(full_scale):
    """σ = 5 (above the crossover), ωτ ≈ 1, H0 = 0.3 H_K: the master equation and stochastic LLG of the same
    macrospins (aligned) give the same loop area within 3 standard errors + 8 %."""
    p = uniaxial(5.0, alpha=1.0)
    tau = rates_relaxation_time(p)
    f = 1.0 / (2 * math.pi * tau)
    H0 = 0.3 * p.H_K_A_per_m
    m = sar.landscape_loop(p, f, H0, axes="aligned", allow_nonclinical=True)
    ll = sar.llg_sar(p, f, H0, axes="aligned", n_particles=400 if full_scale else 160, n_cycles=8 if full_scale else 5,
                     seed=4, allow_nonclinical=True)
    assert abs(ll.loop_area_J_per_m3 - m.loop_area_J_per_m3) < 3 * ll.loop_area_err_J_per_m3 + 0.08 * m.loop_area_J_per_m3


# ------------------------------------------------------------------------------------------ liquids
def test_liquid_of_huge_viscosity_is_the_immobilised_master_equation():
    p = uniaxial(7.0, alpha=0.1)
    H0 = 0.5 * p.H_K_A_per_m
    solid = sar.landscape_loop(p, 1e5, H0, axes="random", n_orientations=32)
    honey = sar.landscape_loop(p, 1e5, H0, medium=sar.Medium(1e3), axes="random", n_orientations=200, n_cycles=4,
                               steps_per_cycle=200, seed=2)
    assert honey.method == "master+brownian"
    assert abs(honey.loop_area_J_per_m3 - solid.loop_area_J_per_m3) < 4 * honey.loop_area_err_J_per_m3 + \
        0.05 * solid.loop_area_J_per_m3


def test_blocked_particle_in_water_relaxes_by_rotation_like_debye():
    """A blocked moment (σ = 60) in a liquid at low field: the loss is Debye's, χ_i ωτ_B/(1 + ω²τ_B²) per cycle."""
    p = sar.Particle(Ms_A_per_m=MS, volume_m3=math.pi / 6 * (20e-9) ** 3, T_K=T, K_uniaxial_J_per_m3=2e5,
                     hydrodynamic_diameter_m=30e-9)
    med = sar.Medium(2e-3)
    tauB = med.brown_time_s(p)
    f = 1 / (2 * math.pi * tauB)
    H0 = 0.3 * KB * T / (MU0 * MS * p.volume_m3)  # ξ = 0.3
    r = sar.landscape_loop(p, f, H0, medium=med, axes="random", n_orientations=400, n_cycles=6, steps_per_cycle=100,
                           seed=3)
    chi = MU0 * MS**2 * p.volume_m3 / (3 * KB * T)
    debye = MU0 * math.pi * chi * H0**2 * 0.5  # ωτ_B = 1
    assert abs(r.loop_area_J_per_m3 - debye) < 3 * r.loop_area_err_J_per_m3 + 0.1 * debye


# ------------------------------------------------------------------------------------------ regimes and bridge
def test_regime_rule_and_reasons():
    big = uniaxial(12.0, alpha=0.1)
    name, why = sar.choose_regime(big, 1e5, 1e4)
    assert name == "master" and "≥ 4" in why
    small = sar.Particle(Ms_A_per_m=MS, volume_m3=math.pi / 6 * (8e-9) ** 3, T_K=T, K_uniaxial_J_per_m3=K)
    assert sar.choose_regime(small, 1e5, 200.0)[0] == "fokker_planck"
    name, why = sar.choose_regime(small, 1e5, 2e4)
    assert name == "fokker_planck" and "< 6" in why
    # in water at large ωτ below 4 k_BT the Fokker–Planck solution (adiabatic only there) gives way to LLG
    name, why = sar.choose_regime(small.replace(K_uniaxial_J_per_m3=0.5 * K), 3e8, 2e2, sar.Medium.water())
    assert name == "llg" and "< 4" in why
    rep = sar.sar_from_particle(big, f=1e5, H0=1e4)
    assert rep.model == "master" and rep.regime["barrier_over_kT"] == pytest.approx(12.0)
    assert "master equation" in rep.regime["reason"] and rep.result.method == "master"
    rec = rep.to_record()
    assert rec["sar_model"] == "master" and rec["SAR_W_per_g"] == rep.sar_W_per_g
    forced = sar.sar_from_particle(big, f=1e5, H0=1e4, model="linear")
    assert forced.model == "linear" and forced.regime["reason"].startswith("forced")


def test_adiabatic_is_linear_response_at_low_field():
    """At low field the adiabatic (Debye-corrected) response is the linear response with the same τ (the χ∥ of
    the Boltzmann average and of ⟨cos²θ⟩ agree)."""
    p = sar.Particle(Ms_A_per_m=MS, volume_m3=2.0 * KB * T / K, T_K=T, K_uniaxial_J_per_m3=K, alpha=1.0)
    for f in (1e6, 3e7):
        lin = sar.exact_linear_response(p, f, 50.0, axes="aligned")
        ad = sar.adiabatic_sar(p, f, 50.0, axes="aligned")
        assert ad.loop_area_J_per_m3 == pytest.approx(lin.loop_area_J_per_m3, rel=0.02)


@pytest.mark.slow
def test_adiabatic_against_llg_in_the_nonlinear_regime(full_scale):
    """σ = 2, ξ = 4, ωτ = 0.1 and 0.3: stochastic LLG (exact dynamics) against the adiabatic estimate, which uses
    the zero-field τ (fields shorten it): LLG ≤ adiabatic + 3σ, and within 35 % (measured: −22 %, −22 %); and
    against the exact Fokker–Planck solution: within 3σ + 3 %."""
    p = sar.Particle(Ms_A_per_m=MS, volume_m3=2.0 * KB * T / K, T_K=T, K_uniaxial_J_per_m3=K, alpha=1.0)
    H0 = 4.0 * KB * T / (MU0 * MS * p.volume_m3)
    tau = sar.relaxation_time(p)
    for wt in (0.1, 0.3):
        f = wt / (2 * math.pi * tau)
        ad = sar.adiabatic_sar(p, f, H0, axes="aligned")
        ll = sar.llg_sar(p, f, H0, axes="aligned", n_particles=400 if full_scale else 200, n_cycles=6, seed=2,
                         allow_nonclinical=True)
        assert ll.loop_area_J_per_m3 <= ad.loop_area_J_per_m3 + 3 * ll.loop_area_err_J_per_m3
        assert ll.loop_area_J_per_m3 == pytest.approx(ad.loop_area_J_per_m3, rel=0.35)
        fp = sar.fokker_planck_sar(p, f, H0, axes="aligned", method="harmonic")
        assert abs(ll.loop_area_J_per_m3 - fp.loop_area_J_per_m3) < (3 * ll.loop_area_err_J_per_m3
                                                                    + 0.03 * fp.loop_area_J_per_m3)


def test_landscape_particle_through_the_bridge_and_bad_input():
    surface = M.EnergySurface([M.CubicAnisotropy(K1, K2), M.UniaxialAnisotropy(2e4, (0.0, 0.0, 1.0))])
    p = sar.Particle(Ms_A_per_m=MS, volume_m3=math.pi / 6 * (18e-9) ** 3, T_K=310.0, landscape=surface, alpha=0.1)
    rep = sar.sar_from_particle(p, f=3e5, H0=1.2e4, n_orientations=16)
    assert rep.model == "master" and rep.sar_W_per_g > 0 and rep.K_uniaxial_J_per_m3 is None
    with pytest.raises(ValueError, match="alpha"):
        p.replace(alpha=0.0)
    with pytest.raises(ValueError, match="viscosity"):
        sar.Medium(-1e-3)
    with pytest.raises(ValueError, match="landscape"):
        sar.Particle(Ms_A_per_m=MS, volume_m3=1e-24, T_K=T, landscape=M.EnergySurface([]))
    with pytest.raises(ValueError, match="H0, f"):
        sar.sar_from_particle(p, f=1e7, H0=3e4)
    with pytest.raises(ValueError, match="model"):
        sar.sar_from_particle(p, f=3e5, H0=1e4, model="magic")


# ------------------------------------------------------------------------------------------ ensembles
def test_ensemble_error_bar_and_dispersion():
    p = uniaxial(9.0, alpha=0.1)
    H0 = 0.4 * p.H_K_A_per_m
    mono = sar.ensemble_sar(p, 2e5, H0, n_particles=20, n_realisations=4, seed=1)
    assert mono.sar_err_W_per_g > 0 and len(mono.realisation_sar_W_per_g) == 4
    assert set(mono.models) == {"master"}
    again = sar.ensemble_sar(p, 2e5, H0, n_particles=20, n_realisations=4, seed=1)
    assert again.sar_W_per_g == mono.sar_W_per_g  # seeded
    # the random-orientation quadrature of one particle is the mean the sampled ensembles scatter about
    quad = sar.landscape_loop(p, 2e5, H0, axes="random", n_orientations=64).sar_W_per_g
    assert abs(mono.sar_W_per_g - quad) < 4 * mono.sar_err_W_per_g + 0.02 * quad
    wide = sar.ensemble_sar(p, 2e5, H0, n_particles=12, n_realisations=3, size_sigma=0.25, shape_sigma=0.2, seed=2)
    assert wide.sar_W_per_g > 0 and np.isfinite(wide.sar_err_W_per_g)
    N_par, N_perp = sar.heating.shape_factors(np.array([1.0, 2.0]))
    assert N_par[0] == pytest.approx(1 / 3) and N_par[1] == pytest.approx(0.1735, abs=1e-4)  # Osborn 1945
    assert N_par[1] + 2 * N_perp[1] == pytest.approx(1.0)


def test_critical_points_tracked_in_a_turning_body_match_full_searches():
    """The tracking rule of the liquid kernel (:func:`atomspin.sar.fluid._hybrid`, its own helpers called here):
    Newton from the previous step's points, a short solve from the points that vanished and have not come back, a
    full grid search every 20 steps and whenever the number of minima or saddles changes. On a 12 nm-like particle
    (σ = 9.6, weak cubic term) whose body turns by Brownian steps of 0.14 rad rms in a 15 kA/m AC field, every
    minimum is found at every step and the lowest saddle — which sets the escape rate — equals that of a full
    search at ≥ 99 % of the steps, with few points remembered (the short solves are the cost per step)."""
    from atomspin.sar._landscape import KMAX, SMAX, find_critical
    from atomspin.sar.fluid import MEMORY_SIZE, next_seeds, remember_vanished

    V, T_ = math.pi / 6 * (12.1e-9) ** 3, 310.0
    surf = M.EnergySurface([M.CubicAnisotropy(-2e3), M.UniaxialAnisotropy(9.6 * KB * T_ / V, (0.3, 0.2, 0.93))])
    p = sar.Particle(Ms_A_per_m=5.2e5, volume_m3=V, T_K=T_, landscape=surf)
    L = Landscape(p, 1000)

    def arrays():
        return [np.zeros((KMAX, 3)), np.zeros(KMAX), np.zeros((KMAX, 2)), np.zeros((SMAX, 3)), np.zeros(SMAX),
                np.zeros((SMAX, 2)), np.zeros((SMAX, 3)), np.zeros((SMAX, 2), dtype=np.int64),
                np.zeros(SMAX, dtype=np.int64)]

    def search(z, seeds, ns, full, a, ntr=-1):
        return find_critical(L.exps, L.coefs, z, L.scale, L.grid, L.e_grid, L.nb, seeds, ns, *a, full, ntr)

    rng = np.random.default_rng(1)
    b = np.array([0.6, 0.0, 0.8])
    seeds, memory = np.zeros((KMAX + SMAX + MEMORY_SIZE, 3)), np.zeros((MEMORY_SIZE, 3))
    a, ref = arrays(), arrays()
    ns = ntr = nmem = nprev = sprev = 0
    steps, differ, remembered = 1200, 0, 0
    for k in range(steps):
        h = 15e3 * math.cos(2 * math.pi * (k + 0.5) / 400)
        b = b + 0.1 * rng.normal(size=3)
        b /= np.linalg.norm(b)
        z = 4e-7 * math.pi * 5.2e5 * h * b
        full = k % 20 == 0 or ns == 0
        nmin, nsad = search(z, seeds, ns, full, a, ntr)
        if not full and (nmin != nprev or nsad != sprev):
            nmin, nsad = search(z, seeds, ns, True, a, ntr)
        nprev, sprev = nmin, nsad
        rmin, rsad = search(z, seeds, 0, True, ref)
        assert nmin == rmin  # every minimum is found (a minimum's birth triggers the full search)
        if abs(a[4][:nsad].min() - ref[4][:rsad].min()) > 1e-6 * L.scale:
            differ += 1
        nmem = remember_vanished(seeds, ntr, a[0], nmin, a[3], nsad, memory, nmem)
        ns = next_seeds(a[0], nmin, a[3], nsad, memory, nmem, seeds)
        ntr = nmin + nsad
        remembered += nmem
    assert differ <= 0.01 * steps
    assert remembered / steps < 8  # the last 24 distinct points seen: 24 short solves per step


def test_llg_relaxation_time_is_shared_by_equal_particles(monkeypatch):
    """Equal particles built separately (a landscape copied with its coefficients × 1, the same landscape for two
    media) share one seeded LLG run; a changed surface, Ms, seed or member count does not."""
    from atomspin.macrospin import terms as mt
    from atomspin.sar import macrospin_llg, rates

    calls = []
    monkeypatch.setattr(macrospin_llg, "llg_relaxation_time", lambda p, seed, n_particles: calls.append(1) or (1e-9, 0.0))
    monkeypatch.setattr(rates, "_TAU_CACHE", {})
    V = 2.0 * KB * T / K
    surf = M.EnergySurface([M.CubicAnisotropy(-K), M.UniaxialAnisotropy(0.5 * K)])
    h = surf.terms[1]
    copy = M.EnergySurface([surf.terms[0], mt.UniaxialAnisotropy(h.Ku * 1.0, h.axis)])
    p1 = sar.Particle(Ms_A_per_m=MS, volume_m3=V, T_K=T, landscape=surf)
    p2 = sar.Particle(Ms_A_per_m=MS, volume_m3=V, T_K=T, landscape=copy)
    for p in (p1, p2, p1):
        sar.relaxation_time(p, method="llg", seed=1, n_particles=64)
    assert len(calls) == 1
    scaled = M.EnergySurface([surf.terms[0], mt.UniaxialAnisotropy(h.Ku * 1.01, h.axis)])
    sar.relaxation_time(sar.Particle(Ms_A_per_m=MS, volume_m3=V, T_K=T, landscape=scaled), method="llg", seed=1,
                        n_particles=64)
    sar.relaxation_time(sar.Particle(Ms_A_per_m=MS * 1.01, volume_m3=V, T_K=T, landscape=surf), method="llg", seed=1,
                        n_particles=64)
    sar.relaxation_time(p1, method="llg", seed=2, n_particles=64)
    sar.relaxation_time(p1, method="llg", seed=1, n_particles=65)
    assert len(calls) == 5
