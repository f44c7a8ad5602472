"""Small exact checks of the SAR kernels (atomspin.sar), fast enough for the NUMBA_DISABLE_JIT=1 run.

They reach every @njit function of atomspin.sar through the public drivers, on one or two particles
at T = 0 where the answer is exact: the Stoner–Wohlfarth switching field h_sw(ψ) =
(cos^{2/3}ψ + sin^{2/3}ψ)^{−3/2} (Stoner & Wohlfarth, Phil. Trans. R. Soc. A 240, 599 (1948)), the
square loop of area 4 μ0 Ms H_K at ψ = 0, and the dipolar shift of a side-by-side pair, whose partner
field −Ms V/(4π r³) along the moments lowers the switching field to H_K − Ms V/(4π r³).
"""
import math

import numpy as np
import pytest

from atomspin.units import MU_0

MS, K = 4.8e5, 1.0e4  # A/m, J/m³ (any positive values: the checks are in units of H_K)
HK = 2 * K / (MU_0 * MS)
D = 20e-9  # m


def _switch_down(H, m):
    """Field (A/m) at the largest drop of m along a descending branch."""
    k = int(np.argmin(np.diff(m)))
    return 0.5 * (H[k] + H[k + 1]), abs(H[k + 1] - H[k])


@pytest.mark.nojit
def test_sw_loop_square_at_psi_0_and_switching_at_45_degrees():
    from atomspin.sar.stoner_wohlfarth import loop_area, sw_loop, switching_field

    h_d, m_d, h_u, m_u = sw_loop(0.0, h_max=2.0, n=41)
    assert np.allclose(np.abs(m_d), 1.0) and loop_area(h_d, m_d, h_u, m_u) == pytest.approx(4.0, rel=1e-9)
    assert switching_field(math.pi / 4) == pytest.approx(0.5, rel=1e-12)
    h_d, m_d, _, _ = sw_loop(math.pi / 4, h_max=2.0, n=81)
    h, dh = _switch_down(h_d, m_d)
    assert abs(h + 0.5) <= dh


@pytest.mark.nojit
@pytest.mark.parametrize("method", ["master", "kmc"])
def test_kinetic_loop_at_zero_temperature_switches_at_the_sw_field(method):
    from atomspin.sar.kinetic import kinetic_loop

    axes = np.array([[math.sqrt(0.5), 0.0, math.sqrt(0.5)]])
    r = kinetic_loop(1e5, 1.5 * HK, [D], Ms=MS, K=K, T=0.0, axes=axes, method=method, n_cycles=2,
                     steps_per_cycle=400, keep_particle_loops=True)
    H, m = r.H_A_per_m, r.particle_m[0]
    k0 = int(np.argmax(H))
    order = np.r_[k0:len(H), 0:k0]  # start at the field maximum: descending branch first
    H, m = H[order], m[order]
    down = slice(0, int(np.argmin(H)) + 1)
    h, dh = _switch_down(H[down], m[down])
    assert abs(h / HK + 0.5) <= dh / HK  # h_sw(45°) = 0.5
    assert r.loop_area_J_per_m3 > 0


@pytest.mark.nojit
def test_kinetic_side_by_side_pair_switches_early_by_the_dipolar_field():
    from atomspin.sar.kinetic import kinetic_loop

    r_cc = 1.2 * D
    shift = MS * (math.pi * D ** 3 / 6) / (4 * math.pi * r_cc ** 3)  # Ms V / (4π r³), A/m
    pos = np.array([[0.0, 0.0, 0.0], [r_cc, 0.0, 0.0]])
    r = kinetic_loop(1e5, 1.5 * HK, [D, D], Ms=MS, K=K, T=0.0, axes="aligned", positions=pos, method="kmc",
                     n_cycles=2, steps_per_cycle=800, keep_particle_loops=True)
    H, m = r.H_A_per_m, r.particle_m.mean(axis=0)
    k0 = int(np.argmax(H))
    order = np.r_[k0:len(H), 0:k0]
    H, m = H[order], m[order]
    down = slice(0, int(np.argmin(H)) + 1)
    h, dh = _switch_down(H[down], m[down])
    assert abs(-h - (HK - shift)) <= dh, (h, HK - shift, shift / HK)


@pytest.mark.nojit
def test_quasistatic_pair_and_llg_energy_balance():
    from atomspin.sar.llg import interacting_llg, quasistatic_loop

    # two identical particles, axes at 45° to the field in the xz plane, side by side along y: in the
    # coherent state the partner's field −Ms V n/(4π r³) is parallel to n (no torque), so the pair
    # switches at the single-particle h_sw(45°) = 0.5 whatever the distance
    axis = [math.sqrt(0.5), 0.0, math.sqrt(0.5)]
    Hv = np.linspace(0.7 * HK, -0.7 * HK, 48)  # no grid point at ±0.5 H_K
    for pos in (None, np.array([[0.0, 0.0, 0.0], [0.0, 1.2 * D, 0.0]])):
        n = 1 if pos is None else 2
        m = quasistatic_loop(Hv, [D] * n, axis, positions=pos, Ms=MS, K=K, tol=1e-6).mean(axis=1)
        h, dh = _switch_down(Hv, m)
        assert abs(h / HK + 0.5) <= dh / HK
    # T = 0 LLG of one particle: over the last cycle the work of the field equals the heat dissipated
    # by damping and the loop area (energy balance of a periodic state)
    r = interacting_llg(2e8, 1.5 * HK, [D], axis, Ms=MS, K=K, alpha=0.5, n_cycles=2, n_record=32,
                        allow_nonclinical=True)  # a GHz-scale drive: the energy balance, not a clinical case
    assert r.work_area_J_per_m3 == pytest.approx(r.heat_per_volume_J_per_m3, rel=1e-3)
    assert r.global_area_J_per_m3 == pytest.approx(r.heat_per_volume_J_per_m3, rel=0.05)
    assert r.global_area_J_per_m3 > 0


@pytest.mark.nojit
def test_sw_energy_helpers_in_zero_and_weak_field():
    """e(θ) = sin²θ − 2h cos(θ − ψ): at h = 0 the wells are θ = 0, π (e = 0) and the saddle e = 1; g = e′
    agrees with central differences."""
    from atomspin.sar._wells import _e, _g, _wells

    out = np.empty(6)
    _wells(0.0, 0.7, out)
    assert out[0] == 2 and out[5] == pytest.approx(1.0, abs=1e-12)
    assert math.cos(out[1]) == pytest.approx(1.0, abs=1e-9) and math.cos(out[3]) == pytest.approx(-1.0, abs=1e-9)
    assert out[2] == pytest.approx(0.0, abs=1e-12) and out[4] == pytest.approx(0.0, abs=1e-12)
    eps = 1e-5
    for th, h, psi in ((0.3, 0.2, 0.5), (2.0, 0.7, 1.1)):
        assert _g(th, h, psi) == pytest.approx((_e(th + eps, h, psi) - _e(th - eps, h, psi)) / (2 * eps), rel=1e-8)
