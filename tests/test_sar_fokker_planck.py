"""Brown's Fokker–Planck equation for any landscape (atomspin.sar.fokker_planck): exact checks.

Every reference is independent of the spherical-harmonic Galerkin solver: the 1D Legendre eigenvalues of the axial
problem, Boltzmann averages by nested quadrature, the Debye and Langevin limits of an isotropic moment, the LLG drift
written out by hand, and finite volumes with Crank–Nicolson time steps (tests/naive.py).
"""
import math

import numpy as np
import pytest

from atomspin import macrospin as ms
from atomspin import sar
from atomspin.macrospin import fibonacci_sphere
from atomspin.sar.fokker_planck import (ac_response, brown_operator, default_l_max, fokker_planck_sar,
                                        uniaxial_rates, well_curvature)
from atomspin.units import K_B, MU_0

from naive import fv_uniaxial_ac_moment, naive_surface_equilibrium

V = math.pi / 6 * (12.1e-9) ** 3
T = 310.0
KT = K_B * T
MS = 4.8e5


def uniaxial(sigma, axis=(0.0, 0.0, 1.0), alpha=0.1):
    return sar.Particle(Ms_A_per_m=MS, volume_m3=V, T_K=T, alpha=alpha, K_uniaxial_J_per_m3=sigma * KT / V,
                        easy_axis=axis)


def field_for(xi):
    return xi * KT / (MU_0 * MS * V)


def test_generator_spectrum_is_the_exact_axial_one():
    """A tilted uniaxial particle at α = 0.1: the slowest rates of the 2D operator are the 1D Legendre ones
    (the axial problem does not depend on α or on the axis direction)."""
    axis = np.array([0.3, -0.5, 0.81])
    op = brown_operator(uniaxial(4.5, axis / np.linalg.norm(axis)), l_max=24)
    ev = np.sort(np.abs(np.linalg.eigvals(op.K0)))[:3] / 2.0  # units of 1/τ_D
    exact = uniaxial_rates(4.5)[:3]
    assert ev[0] < 1e-10
    assert ev[1:] == pytest.approx(exact[1:], rel=1e-8)


def test_equilibrium_is_boltzmann_for_a_cubic_plus_uniaxial_landscape():
    surf = ms.EnergySurface([ms.CubicAnisotropy(-8 * KT / V), ms.UniaxialAnisotropy(1.5 * KT / V, (1.0, 1.0, 0.0))])
    p = sar.Particle(Ms_A_per_m=MS, volume_m3=V, T_K=T, alpha=0.3, landscape=surf)
    op = brown_operator(p, xi_max=1.5)
    d = np.array([0.2, 0.5, 0.84])
    d /= np.linalg.norm(d)
    for xi in (0.0, 1.5):
        a = op.equilibrium(xi, d)
        mean, _ = naive_surface_equilibrium(lambda n: float(surf.energy(n)) * V / KT, xi, d)
        assert (d @ op.moment) @ a == pytest.approx(mean, abs=2e-6)


def test_drift_is_the_llg_drift():
    """d⟨û⟩/dt' of a non-equilibrium density from the Galerkin generator equals ∫W(−∇βE + α⁻¹ û × ∇βE − 2û) on a
    quadrature grid: the LLG drift of atomspin's convention (ṁ = −γ'[m × B + α m × (m × B)]) and the diffusion."""
    alpha = 0.2
    surf = ms.EnergySurface([ms.CubicAnisotropy(-6 * KT / V), ms.UniaxialAnisotropy(2 * KT / V, (0.0, 0.6, 0.8))])
    p = sar.Particle(Ms_A_per_m=MS, volume_m3=V, T_K=T, alpha=alpha, landscape=surf)
    op = brown_operator(p, l_max=20)
    from atomspin.sar.fokker_planck import _sphere_basis

    u, w, Y, _ = _sphere_basis(20, 4)
    c = np.array([0.5, -0.3, 0.81])
    W = np.exp(3.0 * (u @ c))  # a smooth von Mises–Fisher bump, not stationary
    W /= np.sum(w * W)
    a = (Y * w[:, None]).T @ W
    lhs = op.moment @ (op.K0 @ a)
    gb = surf.gradient(u) * V / KT
    drift = -gb + np.cross(u, gb) / alpha - 2.0 * u
    rhs = (w * W) @ drift
    assert lhs == pytest.approx(rhs, abs=1e-9)


def test_isotropic_moment_debye_and_langevin_limits():
    """σ → 0: linear response χ(ω) = (1/3)/(1 + iωτ_D) (λ₁ = 1/τ_D); quasi-static strong field: ⟨cos θ⟩ = L(ξ)."""
    op = brown_operator(uniaxial(1e-9), l_max=16)
    for wtd in (0.1, 1.0, 3.0):
        m, _ = ac_response(op, (0, 0, 1), 1e-4, wtd)
        assert m[1] == pytest.approx(0.5e-4 / 3.0 / (1 + 1j * wtd), rel=1e-6)
    op = brown_operator(uniaxial(1e-9), xi_max=5.0, l_max=20)
    m, _ = ac_response(op, (0, 0, 1), 5.0, 1e-5)
    phi = np.linspace(0, math.pi, 20001)
    x = 5.0 * np.cos(phi)
    lang = np.where(np.abs(x) > 1e-6, 1 / np.tanh(np.where(x == 0, 1, x)) - 1 / np.where(x == 0, 1, x), x / 3)
    exact = np.trapezoid(lang * np.cos(phi), phi) / math.pi  # m_1 = (1/2π)∮ L(ξ0 cos φ) e^{−iφ} dφ
    assert m[1].real == pytest.approx(exact, rel=1e-5)


@pytest.mark.parametrize("omega_tau_D", [0.3, 0.03])
def test_nonlinear_ac_response_matches_finite_volumes(omega_tau_D):
    """σ = 3, ξ0 = 2 along the easy axis (strongly nonlinear): harmonic balance against finite volumes + Crank–Nicolson."""
    op = brown_operator(uniaxial(3.0), xi_max=2.0)
    m, _ = ac_response(op, (0, 0, 1), 2.0, omega_tau_D)
    coarse = fv_uniaxial_ac_moment(3.0, 2.0, omega_tau_D, n_cells=300, steps_per_cycle=1500, n_cycles=4)
    fine = fv_uniaxial_ac_moment(3.0, 2.0, omega_tau_D, n_cells=600, steps_per_cycle=3000, n_cycles=4)
    ref = (4.0 * fine - coarse) / 3.0  # second order in Δz and Δt: Richardson extrapolation
    assert abs(fine - coarse) > 1e-6  # the reference resolves what it is compared at
    assert m[1] == pytest.approx(ref, rel=3e-6)


def test_adiabatic_solution_is_the_harmonic_balance_at_small_omega_tau():
    """Random axes, σ = 4, ξ = 1.96 at 100 kHz (ωτ ≈ 0.008) and σ = 5.5 at 100 kHz (ωτ ≈ 0.03): the first-order
    solution agrees with the exact periodic state to < 0.3 % (its error is O((ωτ)²))."""
    for sigma in (4.0, 5.5):
        p = uniaxial(sigma)
        a = fokker_planck_sar(p, 1e5, 15e3, n_orientations=3, method="adiabatic")
        h = fokker_planck_sar(p, 1e5, 15e3, n_orientations=3, method="harmonic")
        assert a.sar_W_per_g == pytest.approx(h.sar_W_per_g, rel=3e-3)


def test_default_basis_is_converged():
    """The l_max rule against l_max + 8: uniaxial σ = 4 at ξ = 2 and σ = 3 at ξ = 15, cubic K1 < 0 (1 k_BT barrier)."""
    cases = [(uniaxial(4.0), 15e3), (uniaxial(3.0), field_for(15.0)),
             (sar.Particle(Ms_A_per_m=MS, volume_m3=V, T_K=T, alpha=0.1,
                           landscape=ms.EnergySurface([ms.CubicAnisotropy(-12 * KT / V)])), 15e3)]
    d = np.array([[0.3, 0.2, 0.93]])  # one oblique field direction: no symmetry helps the basis
    for p, H0 in cases:
        r = fokker_planck_sar(p, 1e5, H0, axes=d)
        r8 = fokker_planck_sar(p, 1e5, H0, axes=d, l_max=r.params["l_max"] + 8)
        assert r.sar_W_per_g == pytest.approx(r8.sar_W_per_g, rel=2e-4)


def test_well_curvature_of_a_uniaxial_particle():
    """κ = 2σ at the poles of K(1 − (n̂·û)²) (βV ∂²e/∂θ² = 2σ), plus ξ."""
    surf = ms.EnergySurface([ms.UniaxialAnisotropy(5 * KT / V, (0.0, 0.0, 1.0))])
    assert well_curvature(surf, V, KT, 1.0) == pytest.approx(11.0, rel=2e-3)
    assert default_l_max(11.0) == math.ceil(4 + 5 * math.sqrt(11.0))


def test_master_equation_approaches_the_exact_sar_as_the_barrier_grows():
    """Crossover continuity (validation §7): at ξ = 1.96 the master equation over the minima gives 0.81 of the exact
    SAR at σ = 4 and 0.91 at σ = 6 (the in-field barrier is then 2.3 and 3.8 k_BT); the regime rule switches at 6,
    where the jump is ≤ 10 %, and the gap shrinks with σ."""
    ratios = []
    for sigma in (4.0, 6.0):
        p = uniaxial(sigma)
        fp = fokker_planck_sar(p, 1e5, 15e3, n_orientations=6)
        me = sar.landscape_loop(p, 1e5, 15e3, n_orientations=6)
        ratios.append(me.sar_W_per_g / fp.sar_W_per_g)
    assert 0.72 < ratios[0] < ratios[1] <= 1.0
    assert ratios[1] > 0.88


def test_regime_rule_uses_the_fokker_planck_equation_below_six_kT():
    name, why = sar.choose_regime(uniaxial(3.0), 1e5, 15e3)
    assert name == "fokker_planck" and "Fokker–Planck" in why
    assert sar.choose_regime(uniaxial(5.5), 1e5, 200.0)[0] == "fokker_planck"
    assert sar.choose_regime(uniaxial(7.0), 1e5, 15e3)[0] == "master"
    rep = sar.sar_from_particle(uniaxial(3.0), f=1e5, H0=15e3)
    assert rep.model == "fokker_planck" and rep.sar_err_W_per_g == 0.0 and rep.sar_W_per_g > 0


def test_bad_input_names_the_argument():
    p = uniaxial(3.0)
    with pytest.raises(ValueError, match="method"):
        fokker_planck_sar(p, 1e5, 15e3, method="exact")
    with pytest.raises(ValueError, match="l_max"):
        brown_operator(p, l_max=200)
    with pytest.raises(ValueError, match="xi_max"):
        brown_operator(p, xi_max=-1.0)
    op = brown_operator(p, l_max=8)
    with pytest.raises(ValueError, match="omega_tau_D"):
        ac_response(op, (0, 0, 1), 1.0, 0.0)
    with pytest.raises(ValueError, match="xi0"):
        ac_response(op, (0, 0, 1), -1.0, 0.1)
    with pytest.raises(ValueError, match="direction"):
        ac_response(op, (0, 0, 0), 1.0, 0.1)
    with pytest.raises(ValueError, match="harmonic balance"):
        fokker_planck_sar(p, 1e5, 15e3, medium=sar.Medium.water(), method="harmonic")


def test_nested_field_quadrature_converges_where_the_barrier_vanishes_in_field(monkeypatch):
    """A 3.2 k_BT particle at ξ ≈ 8 (its barrier vanishes near the field peaks, so τ_eff(H) has steep flanks): the
    default nested Gauss–Chebyshev rule (stops at 1e-4) against a tight one (1e-8)."""
    import atomspin.sar.fokker_planck as fp

    land = ms.EnergySurface([ms.CubicAnisotropy(-2e3), ms.UniaxialAnisotropy(3.2 * KT / V, (0.3, 0.2, 0.93))])
    p = sar.Particle(Ms_A_per_m=MS, volume_m3=V, T_K=T, landscape=land)
    d = np.array([[0.3, 0.2, 0.93]])
    r = fokker_planck_sar(p, 1e5, field_for(8.0), axes=d)
    monkeypatch.setattr(fp, "CHEBYSHEV_RTOL", 1e-8)
    tight = fokker_planck_sar(p, 1e5, field_for(8.0), axes=d)
    assert r.sar_W_per_g == pytest.approx(tight.sar_W_per_g, rel=2e-4)


def test_regime_rule_takes_a_barrier_beyond_the_float_range_of_exp():
    """σ = 2000 k_BT (e.g. a 50 nm particle of a hard measured landscape, notebook 04's design range): exp(σ)
    overflows a float, and the rule still picks the master equation in both media instead of raising."""
    p = uniaxial(2000.0)
    assert sar.choose_regime(p, 1e5, 15e3)[0] == "master"
    assert sar.choose_regime(p, 1e5, 15e3, medium=sar.Medium.water())[0] == "master"


def test_operator_and_lag_caches_return_what_a_fresh_solve_returns():
    """Media and the error propagation of one particle share its operator and field-node solutions: the cached
    SAR in water equals a solve with emptied caches, and a particle that differs (α, the landscape) gets its own
    operator."""
    import dataclasses

    import atomspin.sar.fokker_planck as fp

    land = ms.EnergySurface([ms.CubicAnisotropy(-8e3), ms.UniaxialAnisotropy(2.5 * KT / V, (0.0, 0.6, 0.8))])
    p = sar.Particle(Ms_A_per_m=MS, volume_m3=V, T_K=T, landscape=land)
    d = np.array([[0.6, 0.0, 0.8]])
    fokker_planck_sar(p, 1e5, field_for(2.0), axes=d)  # fills the caches (immobilised)
    cached = fokker_planck_sar(p, 1e5, field_for(2.0), medium=sar.Medium.water(), axes=d)
    fp._OPERATOR_CACHE.clear()
    fresh = fokker_planck_sar(p, 1e5, field_for(2.0), medium=sar.Medium.water(), axes=d)
    assert cached.sar_W_per_g == fresh.sar_W_per_g
    assert brown_operator(p, 2.0) is brown_operator(p, 2.0)
    other = brown_operator(dataclasses.replace(p, alpha=0.3), 2.0)
    assert other is not brown_operator(p, 2.0) and not np.allclose(other.K0, brown_operator(p, 2.0).K0)
    harder = sar.Particle(Ms_A_per_m=MS, volume_m3=V, T_K=T, landscape=ms.EnergySurface(
        [ms.CubicAnisotropy(-8e3), ms.UniaxialAnisotropy(3.0 * KT / V, (0.0, 0.6, 0.8))]))
    assert not np.allclose(brown_operator(harder, 2.0).K0, brown_operator(p, 2.0).K0)


def test_auto_solution_in_a_liquid_counts_brownian_rotation_in_parallel():
    """A 7 k_BT uniaxial particle in a liquid so thin that Brownian rotation is ≈ 300× faster than Néel relaxation:
    the exact Néel time alone gives ωτ above the adiabatic limit (the harmonic balance, which has no rotational
    channel, would refuse), but the drive sees τ ≈ τ_B, so the adiabatic solution applies and must give the
    Debye loss of a freely rotating moment, μ0 H0² ω² χ0 τ_B / 2 with χ0 = μ0 Ms² V / 3k_BT (orientation average
    of any macrospin's static susceptibility), at ξ ≈ 0.13."""
    from atomspin.sar.fokker_planck import FP_ADIABATIC_OMEGA_TAU, _lag

    p = uniaxial(7.0)
    liquid = sar.Medium(1e-6)
    f, H0 = 1e5, 1e3
    w = 2 * math.pi * f
    op = brown_operator(p, MU_0 * MS * H0 * V / KT)
    tau_n = _lag(op, 0.0, np.array([0.0, 0.0, 1.0]))[0] * 2.0 * op.tau_D_s
    tau_b = liquid.brown_time_s(p)
    assert w * tau_n > FP_ADIABATIC_OMEGA_TAU > w * tau_b and tau_b < 1e-2 * tau_n
    r = fokker_planck_sar(p, f, H0, medium=liquid, n_orientations=6)
    assert r.params["solution"] == "adiabatic"
    chi0 = MU_0 * MS**2 * V / (3 * KT)
    debye = MU_0 * H0**2 * w**2 * chi0 * tau_b / 2 / p.density_kg_per_m3 * 1e-3  # W/g
    assert r.sar_W_per_g == pytest.approx(debye, rel=0.02)


def test_particle_sar_falls_back_when_the_liquid_solution_needs_the_harmonic_balance(monkeypatch):
    """choose_regime picks the Fokker–Planck solution from an estimate of τ; when its exact slowest mode then needs
    the harmonic balance in a liquid (LiquidHarmonicError: seen for a 16 nm cube with an FeO core in water,
    validation §8m), the automatic choice takes the next valid model (master equation from 4 k_BT) instead of
    failing the task; a forced model='fokker_planck' still raises."""
    import atomspin.sar.fokker_planck as fpm
    from atomspin.sar.heating import choose_regime, particle_sar

    p = uniaxial(4.5)
    water = sar.Medium.water()
    assert choose_regime(p, 1e5, 15e3, water)[0] == "fokker_planck"

    def refuse(*a, **k):
        raise fpm.LiquidHarmonicError("method: the harmonic balance is for immobilised particles")

    monkeypatch.setattr(fpm, "fokker_planck_sar", refuse)
    r, model, reason = particle_sar(p, 1e5, 15e3, water, n_particles=16, seed=3)
    assert model == "master" and "instead" in reason and np.isfinite(r.sar_W_per_g)  # 16 kinetic MC particles: noisy
    with pytest.raises(fpm.LiquidHarmonicError):
        particle_sar(p, 1e5, 15e3, water, model="fokker_planck")
