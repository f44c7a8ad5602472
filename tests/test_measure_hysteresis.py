"""Hysteresis loops: loop analysis against exact Stoner–Wohlfarth loops, Monte Carlo loops of a
small stiff uniaxial cluster at T → 0 against H_K (aligned) and 0.48 H_K / Mr = 0.5 (random axes),
determinism, bad input."""
import numpy as np
import pytest

from atomspin.measure import (analyse_loop, anisotropy_field_T, fibonacci_directions, hysteresis_loop, loop_fields,
                              random_axes_loop, stoner_wohlfarth_loop, switching_field, uniaxial_cluster)
from atomspin.units import MU_0, MU_B


def test_switching_field_astroid():
    assert switching_field(0.0) == pytest.approx(1.0)
    assert switching_field(np.pi / 4) == pytest.approx(0.5)
    assert switching_field(np.pi / 2) == pytest.approx(1.0)


def test_loop_analysis_on_exact_sw_loops():
    """Aligned: Hc = H_K, Mr = 1, area 4 μ0H_K Ms; random: Hc = 0.48 H_K, Mr = 0.5, area 0.988
    (physics.md §4; Stoner & Wohlfarth 1948). Field step 0.0025 H_K."""
    h = loop_fields(1.5, 600)
    a = analyse_loop(h, stoner_wohlfarth_loop(h, 0.0)[:, 0])
    assert a["Bc_T"] == pytest.approx(1.0, abs=0.003)
    assert a["Mr"] == pytest.approx(1.0)
    assert a["area"] == pytest.approx(4.0, abs=0.01)
    assert a["closure"] == pytest.approx(0.0, abs=1e-12)
    r = analyse_loop(h, random_axes_loop(h, 400))
    assert r["Bc_T"] == pytest.approx(0.48, rel=0.01)
    assert r["Mr"] == pytest.approx(0.5, abs=1e-3)
    assert r["area"] == pytest.approx(0.988, abs=0.005)
    assert r["Bc_down_T"] == pytest.approx(-r["Bc_up_T"])


def test_loop_analysis_linear_loop_slope_and_area():
    # a sheared rectangle: m = ±1 + 0.1 B, switching at ∓0.5: area = height 2 × width 1 = 2
    # (the trapezoid rule loses at most one field step 0.01 × height 2 at each jump)
    f = loop_fields(2.0, 400)
    down = np.where(f > -0.5, 1.0, -1.0) + 0.1 * f
    up = np.where(f < 0.5, -1.0, 1.0) + 0.1 * f
    d = np.sign(np.diff(f, prepend=f[0] + 1))
    m = np.where(d < 0, down, up)
    a = analyse_loop(f, m)
    assert a["high_field_slope"] == pytest.approx(0.1, rel=1e-9)
    assert a["area"] == pytest.approx(2.0, abs=0.041)
    assert a["Bc_T"] == pytest.approx(0.5, abs=0.01)


def _sw_cluster():
    # 2×2×2 simple-cubic cluster, J/K = 5: the coherent mode is the softest one
    return uniaxial_cluster((2, 2, 2), J_meV=5.0, K_meV=1.0, moment_muB=5.0)


@pytest.mark.slow
def test_mc_loop_aligned_reproduces_stoner_wohlfarth(full_scale):
    """T = 0.01 K (k_BT = 1e-4 ΣK): MC loop of a stiff uniaxial cluster switches at H_K within 5 %,
    remanence 1, area 4 μ0H_K Ms; the loop is closed and symmetric."""
    m = _sw_cluster()
    BK = anisotropy_field_T(m)
    assert BK == pytest.approx(2 * 8 * 1.0 / (40 * 0.0578838), rel=1e-5)
    n = 60 if full_scale else 40
    sweeps = 10000 if full_scale else 5000
    f = loop_fields(1.2 * BK, n)
    r = hysteresis_loop(m, 0.01, f, sweeps_per_point=sweeps, observe_every=50, seed=3)
    assert r.Bc_T == pytest.approx(BK, rel=0.05)
    assert r.Bc_down_T == pytest.approx(-r.Bc_up_T, rel=0.05)
    assert r.Mr == pytest.approx(1.0, abs=0.01)
    assert r.closure == pytest.approx(0.0, abs=0.01)
    area_reduced = r.loop_area_J / (BK * 40 * MU_B)
    assert area_reduced == pytest.approx(4.0, rel=0.08)
    assert r.loop_area_J_per_m3 == pytest.approx(r.loop_area_J / m.volume_m3)
    assert r.Hc_A_per_m == pytest.approx(r.Bc_T / MU_0)


@pytest.mark.slow
def test_mc_loop_orientation_average_reproduces_048_HK(full_scale):
    """Field over 8 (reduced) / 20 (full) Fibonacci hemisphere directions: μ0Hc = 0.48 μ0H_K and
    Mr = 0.5 within 5 %, and the same as the exact SW average over those very directions."""
    m = _sw_cluster()
    BK = anisotropy_field_T(m)
    nd = 20 if full_scale else 8
    f = loop_fields(1.2 * BK, 30)
    r = hysteresis_loop(m, 0.01, f, n_orientations=nd, sweeps_per_point=3000, observe_every=50, seed=4)
    assert r.Bc_T / BK == pytest.approx(0.48, rel=0.05)
    assert r.Mr == pytest.approx(0.5, rel=0.05)
    psi = np.arccos(fibonacci_directions(nd, hemisphere=True)[:, 2])
    exact = analyse_loop(f / BK, stoner_wohlfarth_loop(f / BK, psi).mean(axis=1))
    assert r.Bc_T / BK == pytest.approx(exact["Bc_T"], rel=0.05)
    assert r.closure == pytest.approx(0.0, abs=0.02)


def test_mc_loop_is_deterministic_and_reports_components(capsys):
    m = uniaxial_cluster((2, 2, 1), J_meV=5.0, K_meV=1.0, sublattices=True, moment_muB=(5.0, 4.0))
    m.region = np.array(["shell", "core", "core", "shell"])
    f = loop_fields(10.0, 4)
    a = hysteresis_loop(m, 1.0, f, sweeps_per_point=40, seed=7, progress=True)
    b = hysteresis_loop(m, 1.0, f, sweeps_per_point=40, seed=7)
    assert np.array_equal(a.m, b.m)
    assert "field step" in capsys.readouterr().err
    assert set(a.m_sublattice) == {"A", "B"} and set(a.m_region) == {"core", "shell"}
    assert np.allclose(a.m_sublattice["A"] + a.m_sublattice["B"], a.m, atol=1e-12)
    d = a.to_dict()
    assert d["type"] == "HysteresisResult" and len(d["m"]) == len(f)
    import matplotlib.pyplot as plt

    assert a.plot(components=True).get_xlabel() == "μ0H (T)"
    plt.close("all")


def test_hysteresis_bad_input():
    m = uniaxial_cluster((2, 1, 1))
    f = loop_fields(1.0, 3)
    with pytest.raises(ValueError, match="fields_T: empty"):
        hysteresis_loop(m, 1.0, [])
    with pytest.raises(ValueError, match="fields_T"):
        hysteresis_loop(m, 1.0, [1.0, -1.0, 1.0, -1.0, 1.0])  # not a sweep (3 reversals)
    with pytest.raises(ValueError, match="fields_T"):
        hysteresis_loop(m, 1.0, [1.0, 1.0, 0.0])
    with pytest.raises(ValueError, match=r"T: -1.0 is outside \[0"):
        hysteresis_loop(m, -1.0, f)
    with pytest.raises(ValueError, match="direction"):
        hysteresis_loop(m, 1.0, f, direction=(0, 0, 0))
    with pytest.raises(ValueError, match="sweeps_per_point"):
        hysteresis_loop(m, 1.0, f, sweeps_per_point=1)
    with pytest.raises(ValueError, match="equilibration_fraction"):
        hysteresis_loop(m, 1.0, f, equilibration_fraction=1.0)
    with pytest.raises(ValueError, match="n_per_branch"):
        loop_fields(1.0, 1)
