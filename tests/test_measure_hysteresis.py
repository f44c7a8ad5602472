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
    (Stoner & Wohlfarth, Phil. Trans. R. Soc. A 240, 599 (1948)). Field step 0.0025 H_K."""
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


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
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


def _paramagnet(n, moment):
    from atomspin.model.core import SpinModel

    return SpinModel(positions=np.arange(3 * n, dtype=float).reshape(n, 3), spins=np.tile([0, 0, 1.0], (n, 1)),
                     moments=np.full(n, moment), indptr=np.zeros(n + 1, dtype=np.int64),
                     indices=np.zeros(0, dtype=np.int64), J=np.zeros(0), quad=np.zeros((n, 6)), k1=np.zeros(n),
                     k2=np.zeros(n), volume_m3=1e-27)


def test_zfc_fc_of_free_spins_is_the_langevin_function():
    """Independent classical moments: ZFC = FC = L(x) = coth x − 1/x, x = m μB B / k_BT (exact)."""
    from atomspin.measure import zfc_fc
    from atomspin.units import K_B_MEV_PER_K, MU_B_MEV_PER_T

    m = _paramagnet(200, 5.0)
    Ts = np.array([2.0, 5.0, 10.0])
    r = zfc_fc(m, Ts, 2.0, sweeps_per_point=400, seed=1)
    x = 5.0 * MU_B_MEV_PER_T * 2.0 / (K_B_MEV_PER_K * Ts)
    L = 1 / np.tanh(x) - 1 / x
    assert np.allclose(r.m_zfc, L, atol=0.02)
    assert np.allclose(r.m_fc, L, atol=0.02)
    assert r.T_peak_zfc == 2.0


def test_zfc_fc_blocked_cluster_is_irreversible_and_bad_input():
    """A stiff uniaxial cluster (ΣK = 8 meV ≫ k_BT at 1 K) cooled in zero field stays blocked in its
    random start direction: ZFC ≪ FC at low T; the two meet at high T (k_BT ≫ ΣK)."""
    from atomspin.measure import zfc_fc

    m = uniaxial_cluster((2, 2, 2), J_meV=20.0, K_meV=1.0)
    r = zfc_fc(m, [1.0, 3.0, 600.0], 0.5, n_orientations=6, sweeps_per_point=300, seed=2)
    assert r.m_fc[0] - r.m_zfc[0] > 0.2  # measured 0.29 vs 0.00
    assert abs(r.m_fc[-1] - r.m_zfc[-1]) < 0.12  # paramagnetic 8-spin cluster: sampling noise ≈ 0.04
    with pytest.raises(ValueError, match="temperatures"):
        zfc_fc(m, [1.0], 0.5)
    with pytest.raises(ValueError, match="B_T"):
        zfc_fc(m, [1.0, 2.0], 0.0)


def test_unreversed_loop_warns_and_reports_nan_coercivity():
    # |B| far below the anisotropy field B_K ≈ 6.9 T at T → 0: the moment cannot reverse
    m = uniaxial_cluster((2, 2, 1), J_meV=5.0, K_meV=1.0)
    with pytest.warns(RuntimeWarning, match="never crossed"):
        r = hysteresis_loop(m, 0.01, loop_fields(1.0, 3), sweeps_per_point=20, seed=1)
    assert np.isnan(r.Bc_T) and np.all(r.m > 0.99)


def test_superparamagnetic_loop_reverses_with_collective_moves():
    """A 3 nm magnetite particle at 300 K (KV/k_BT ≈ 0.03: superparamagnetic) has a reversible, odd M(H):
    with collective moves the loop is closed and M(−B) = −M(B); with single-spin moves only, the same
    protocol does not reverse (coherent rotation by local moves is slow)."""
    from atomspin import structures
    from atomspin.model import SpinModel

    model = SpinModel.from_atoms(structures.build_particle("Fe3O4", "sphere", diameter_nm=3.0, seed=1))
    fields = loop_fields(2.0, 2)  # 2, 0, −2, 0, 2 T
    res = hysteresis_loop(model, 300.0, fields, sweeps_per_point=600, seed=1, threads=1, collective_every=1)
    m = res.m
    assert m[0] > 0.05 and m[2] < -0.05 and m[4] > 0.05
    assert abs(m[0] + m[2]) < 0.04 and abs(m[4] + m[2]) < 0.04  # odd in B
    assert abs(m[1]) < 0.03 and abs(m[3]) < 0.03  # no remanence
    assert np.isfinite(res.Bc_crossing_T) and abs(res.Bc_crossing_T) < 0.5  # the noisy zero crossings
    # the loop is not open (area within 2σ of 0): a superparamagnet has no coercive field (issue #16)
    assert abs(res.loop_area_J_per_m3) < 2 * res.loop_area_err_J_per_m3
    assert np.isnan(res.Bc_T) and np.isnan(res.Hc_A_per_m) and "not open" in res.coercivity_note
    with pytest.warns(RuntimeWarning, match="never crossed"):
        stuck = hysteresis_loop(model, 300.0, fields, sweeps_per_point=600, seed=1, threads=1)
    assert stuck.m[2] > 0


def test_collective_every_rejects_negative():
    from atomspin.measure import uniaxial_cluster
    m = uniaxial_cluster(n=(2, 1, 1))
    with pytest.raises(ValueError, match="collective_every"):
        hysteresis_loop(m, 1.0, loop_fields(1.0, 2), sweeps_per_point=4, collective_every=-1)


def test_high_field_slope_includes_points_exactly_at_the_fraction():
    # loop_fields(3.0, 10): |B| = 2.4 T is exactly 0.8·B_max, which floating point puts at 2.4000000000000004
    f = loop_fields(3.0, 10)
    m = 0.5 + 0.01 * f  # straight line through the high-field points: slope 0.01 per T
    a = analyse_loop(f, np.where(f >= 0, m, -0.5 + 0.01 * f))
    assert a["high_field_slope"] == pytest.approx(0.01, rel=1e-9)
