"""Stoner–Wohlfarth: T = 0 loops against exact values and a brute-force reference; Carrey formulas."""
import math

import numpy as np
import pytest

from atomspin.sar import (
    carrey_kappa,
    regime,
    sw_dynamic_sar,
    sw_ensemble_loop,
    sw_loop,
    switching_field,
)

MU0 = 1.25663706212e-6
KB = 1.380649e-23


def brute_force_branch(h_values, psi, theta0, n_grid=40000):
    """Reference: discrete steepest descent on a θ grid of 2π/n_grid (no Newton, no derivatives)."""
    step = 2 * math.pi / n_grid
    k = round(theta0 / step)

    def e(j, h):
        t = j * step
        return math.sin(t) ** 2 - 2 * h * math.cos(t - psi)

    out = []
    for h in h_values:
        while True:
            e0 = e(k, h)
            if e(k - 1, h) < e0:
                k -= 1
            elif e(k + 1, h) < e0:
                k += 1
            else:
                break
        out.append(math.cos(k * step - psi))
    return np.array(out)


@pytest.mark.parametrize("psi_deg", [0.0, 10.0, 30.0, 45.0, 60.0, 80.0, 90.0, 135.0])
def test_sw_loop_matches_brute_force(psi_deg):
    psi = math.radians(psi_deg)
    hd, md, hu, mu = sw_loop(psi, h_max=1.5, n=120)  # grid avoids the critical fields h_sw = 1, 0.5
    # compare away from the points inserted within 1e-9 of ±h_sw (unresolvable on a discrete grid)
    keep_d = np.abs(np.abs(hd) - switching_field(psi)) > 1e-6
    keep_u = np.abs(np.abs(hu) - switching_field(psi)) > 1e-6
    ref_d = brute_force_branch(hd, psi, psi)
    assert np.max(np.abs(md - ref_d)[keep_d]) < 5e-4
    # ascending branch from the state at the end of the descending one
    th_end = math.acos(np.clip(md[-1], -1, 1))  # only used as start region
    ref_u = brute_force_branch(hu, psi, psi + math.pi if psi_deg <= 90 else psi - math.pi)
    assert np.max(np.abs(mu - ref_u)[keep_u]) < 5e-4
    assert th_end >= 0


def test_switching_field_astroid():
    assert switching_field(0.0) == pytest.approx(1.0)
    assert switching_field(math.pi / 4) == pytest.approx(0.5)
    # the loop jumps exactly at h_sw(ψ)
    psi = math.radians(30)
    hd, md, _, _ = sw_loop(psi, h_max=2.0, n=4001)
    jump = np.argmax(np.abs(np.diff(md)))
    assert -hd[jump] == pytest.approx(switching_field(psi), rel=1e-6)


def test_sw_aligned_loop():
    r = sw_ensemble_loop("aligned", h_max=2.0, n=2001)
    assert r.area == pytest.approx(4.0, rel=1e-6)  # 4 μ0 H_K Ms
    assert r.coercivity == pytest.approx(1.0, rel=1e-6)
    assert r.remanence == pytest.approx(1.0, rel=1e-12)


def test_sw_random_loop():
    """Random 3D axes: area 0.988 μ0 H_K Ms, H_c 0.48 H_K, M_r 0.5 Ms (Stoner & Wohlfarth, Phil. Trans. R. Soc. A 240, 599 (1948)), ±1 %."""
    r = sw_ensemble_loop("random", h_max=2.0, n=2001, n_psi=200)
    assert r.area == pytest.approx(0.988, rel=0.01)
    assert r.coercivity == pytest.approx(0.48, rel=0.01)
    assert r.remanence == pytest.approx(0.5, rel=0.01)
    # converged in the quadrature: doubling the points changes the area by < 1e-4
    r2 = sw_ensemble_loop("random", h_max=2.0, n=2001, n_psi=400)
    assert abs(r2.area - r.area) < 1e-4


def test_sw_minor_loop_below_switching_is_reversible():
    hd, md, hu, mu = sw_loop(0.3, h_max=0.4, n=401)
    assert np.allclose(md[::-1], mu, atol=1e-10)


def test_carrey_kappa_and_coercivity():
    K, Ms, T, f, tau0, H = 1e4, 4.8e5, 300.0, 1e5, 1e-9, 3e4
    d = 24e-9
    V = math.pi / 6 * d**3
    kappa = KB * T / (K * V) * math.log(KB * T / (4 * MU0 * H * Ms * V * f * tau0))
    assert carrey_kappa(K, V, Ms, T, H, f, tau0) == pytest.approx(kappa, rel=1e-14)
    HK = 2 * K / (MU0 * Ms)
    ra = sw_dynamic_sar(f, H, Ms=Ms, K=K, d=d, T=T, orientation="aligned", warn=False)
    assert ra.H_c_A_per_m == pytest.approx(HK * (1 - math.sqrt(kappa)), rel=1e-12)
    assert ra.loop_area_J_per_m3 == pytest.approx(4 * MU0 * ra.H_c_A_per_m * Ms, rel=1e-12)
    assert ra.sar_W_per_g == pytest.approx(ra.loop_area_J_per_m3 * f / 5197 / 1e3, rel=1e-12)
    rr = sw_dynamic_sar(f, H, Ms=Ms, K=K, d=d, T=T, orientation="random", warn=False)
    assert rr.H_c_A_per_m == pytest.approx(0.48 * HK * (1 - kappa**0.8), rel=1e-12)
    assert rr.loop_area_J_per_m3 == pytest.approx(2 * MU0 * rr.H_c_A_per_m * Ms, rel=1e-12)
    # T = 0: athermal SW coercivity
    r0 = sw_dynamic_sar(f, H, Ms=Ms, K=K, d=d, T=0.0, orientation="aligned", warn=False)
    assert r0.H_c_A_per_m == pytest.approx(HK)
    # coercivity decreases with temperature and with lower frequency
    assert sw_dynamic_sar(f, H, d=d, T=350, warn=False).H_c_A_per_m < rr.H_c_A_per_m
    assert sw_dynamic_sar(f / 10, H, d=d, T=300, warn=False).H_c_A_per_m < rr.H_c_A_per_m


def test_sw_dynamic_minor_loop_and_regimes():
    with pytest.warns(UserWarning, match="below the coercive field"):
        r = sw_dynamic_sar(1e5, 1e3, d=30e-9, T=300)
    assert r.loop_area_J_per_m3 == 0.0
    assert regime(500.0, 1e4, 4.8e5, math.pi / 6 * (8e-9) ** 3, 300)["regime"] == "LRT"
    assert regime(3e4, 1e4, 4.8e5, math.pi / 6 * (30e-9) ** 3, 300)["regime"] == "SW"
    assert regime(1e4, 1e4, 4.8e5, math.pi / 6 * (16e-9) ** 3, 300)["regime"] == "intermediate"


@pytest.mark.parametrize("kw, match", [
    (dict(f=0.0), "f"), (dict(H0=-5.0), "H0"), (dict(tau0=0.0), "tau0"), (dict(orientation="x"), "orientation"),
    (dict(T=-1.0), "T"),
])
def test_sw_bad_input(kw, match):
    base = dict(f=1e5, H0=2e4, d=20e-9)
    base.update(kw)
    with pytest.raises(ValueError, match=match):
        sw_dynamic_sar(**base)
    with pytest.raises(ValueError, match="psi"):
        sw_loop(4.0)


def test_regime_superparamagnet_is_lrt_when_xi_small():
    # 3 nm magnetite, K = 1e4 J/m³: KV/k_BT ≈ 0.034 at 300 K; H0 = 10 kA/m gives ξ ≈ 0.02 but H0/H_K ≈ 0.24
    from atomspin.sar import regime
    V = np.pi / 6 * (3e-9) ** 3
    r = regime(1.0e4, 1.0e4, 4.8e5, V, 300.0)
    assert r["KV_over_kT"] < 2 and r["xi"] < 1 and r["H_max_over_H_K"] > 0.1
    assert r["regime"] == "LRT"
    # the same field on a blocked 20 nm particle is not linear response
    V20 = np.pi / 6 * (20e-9) ** 3
    assert regime(1.0e4, 1.0e4, 4.8e5, V20, 300.0)["regime"] != "LRT"


@pytest.mark.parametrize("psi_deg", [0.0, 20.0, 45.0, 70.0, 90.0, 120.0])
def test_closed_form_branches_equal_the_general_sw_implementation(psi_deg):
    """The uniaxial closed form (measure.stoner_wohlfarth) against the one general T = 0 implementation,
    atomspin.macrospin.stoner_wohlfarth_loop (local-minimum following on the sphere), field in 3-D."""
    from atomspin import macrospin
    from atomspin.measure.stoner_wohlfarth import loop_area, stoner_wohlfarth_loop

    psi = math.radians(psi_deg)
    Ms = 4.8e5
    K = 1e4
    HK = 2 * K / (MU0 * Ms)
    surface = macrospin.EnergySurface([macrospin.UniaxialAnisotropy(K, (0.0, 0.0, 1.0))])
    h = np.concatenate([np.linspace(1.5, -1.5, 32), np.linspace(-1.5, 1.5, 32)])  # no point at ±h_sw itself
    d = np.array([math.sin(psi), 0.0, math.cos(psi)])
    general = macrospin.stoner_wohlfarth_loop(surface, Ms, h[:, None] * HK * d[None, :]).m_parallel
    closed = stoner_wohlfarth_loop(h, psi)[:, 0]
    assert np.allclose(closed, general, atol=1e-6)
    # the area from the energy lost in the jumps equals the trapezoid area of a dense loop
    hd, md, hu, mu = sw_loop(psi, h_max=1.5, n=20001)
    from atomspin.sar.stoner_wohlfarth import loop_area as trapezoid_area

    assert float(loop_area(psi, 1.5)) == pytest.approx(trapezoid_area(hd, md, hu, mu), abs=2e-5)
