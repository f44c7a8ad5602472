"""MRI relaxivity (atomspin.imaging.mri): closed forms re-derived, regimes, crossover, inputs."""
import json
import math

import numpy as np
import pytest

import naive
from atomspin.imaging import (mri_relaxivity, mri_size_sweep, r2_motional_averaging, r2_partial_refocusing,
                              r2star_static_dephasing)
from atomspin.imaging import mri
from atomspin.imaging._common import FE_DENSITY_MAGNETITE, GAMMA_PROTON, N_AVOGADRO, water_self_diffusion
from atomspin.units import MU_0

MS = 4.8e5
SAT = dict(B0_T=30.0, viscosity_Pa_s=1e3)  # saturated moments (L → 1 − kT/mB0) and immobile particles


def test_motional_averaging_coefficient_is_the_outer_sphere_integral():
    assert mri.MAR_COEFFICIENT == pytest.approx(naive.motional_averaging_coefficient(), rel=1e-8)


def test_static_dephasing_coefficient_is_the_long_time_dephasing_integral():
    assert mri.SDR_COEFFICIENT == pytest.approx(naive.static_dephasing_coefficient(1e9), rel=1e-8)
    assert mri.X_CROSSOVER == pytest.approx(2 * math.pi / (3 * math.sqrt(3)) * 45 / 16, rel=1e-15)


def _hand(d, coating=0.0, T=310.0, fe_mM=1.0, B0=30.0):
    """Brooks et al. (2001) with Δω = γ μ0 M/3 (bare sphere), M = Ms L(m B0/kT), coating as a larger
    impermeable sphere."""
    a = d / 2
    r = a + coating
    D = water_self_diffusion(T)
    V = math.pi / 6 * d**3
    x = MS * V * B0 / (1.380649e-23 * T)
    dw = GAMMA_PROTON * MU_0 * MS * (1 / math.tanh(x) - 1 / x) / 3 * (a / r) ** 3
    n = fe_mM * N_AVOGADRO / (FE_DENSITY_MAGNETITE * V)
    f = n * 4 * math.pi / 3 * r**3
    return dict(f=f, tau=r * r / D, dw=dw)


def test_motional_averaging_regime_closed_form():
    res = mri_relaxivity(MS, 8e-9, **SAT)
    h = _hand(8e-9)
    assert res.regime_r2 == res.regime_r2star == "motional averaging"
    ref = 16 / 45 * h["f"] * h["tau"] * h["dw"] ** 2
    L = 1 / math.tanh(res.moment_Am2 * 30 / (1.380649e-23 * 310)) - 1.380649e-23 * 310 / (res.moment_Am2 * 30)
    assert res.r2_per_mM_per_s == pytest.approx(ref, rel=1e-7)
    assert res.r2star_per_mM_per_s == res.r2_per_mM_per_s
    # Vuong et al.: r2 = (256π²γ²/405) V* Ms² r²/D in CGS = (16/405) f γ² μ0² Ms² r²/D in SI
    V_star = 1 / FE_DENSITY_MAGNETITE * N_AVOGADRO  # m³ of oxide per mol Fe
    vuong = 16 / 405 * V_star * GAMMA_PROTON**2 * MU_0**2 * MS**2 * (4e-9) ** 2 / water_self_diffusion(310)
    assert res.r2_per_mM_per_s == pytest.approx(vuong * L**2, rel=1e-7)


def test_coating_reduces_motional_averaging_r2_by_r_over_r_plus_L():
    bare = mri_relaxivity(MS, 10e-9, **SAT)
    for L in (1e-9, 3e-9, 10e-9):
        coated = mri_relaxivity(MS, 10e-9, coating_m=L, **SAT)
        assert coated.r2_per_mM_per_s / bare.r2_per_mM_per_s == pytest.approx(5e-9 / (5e-9 + L), rel=1e-6)
        assert coated.closest_approach_m == pytest.approx(5e-9 + L)


def test_static_dephasing_regime_closed_form_and_plateau():
    vals = []
    for d in (60e-9, 100e-9, 150e-9):
        res = mri_relaxivity(MS, d, **SAT)
        assert res.regime_r2star == "static dephasing"
        h = _hand(d)
        assert res.r2star_per_mM_per_s == pytest.approx(2 * math.pi / (3 * math.sqrt(3)) * h["f"] * h["dw"], rel=1e-7)
        vals.append(res.r2star_per_mM_per_s)
    # R2* = (2π/3√3) f Δω depends on the moment density only: the same for every size and coating
    np.testing.assert_allclose(vals, vals[0], rtol=1e-5)  # up to L(mB0/kT) = 1 − 2.6e-6 at 60 nm
    coated = mri_relaxivity(MS, 100e-9, coating_m=20e-9, **SAT)
    assert coated.r2star_per_mM_per_s == pytest.approx(vals[1], rel=1e-7)


def test_partial_refocusing_regime_for_large_spheres():
    res = mri_relaxivity(MS, 2e-6, **SAT)
    assert res.regime_r2 == "partial refocusing" and res.regime_r2star == "static dephasing"
    h = _hand(2e-6)
    x = 2 / math.sqrt(5) * h["dw"] * res.tau_CP_s
    ref = 1.8 * h["f"] / h["tau"] * x ** (1 / 3) * (1.52 + h["f"] * x) ** (5 / 3)
    assert res.r2_per_mM_per_s == pytest.approx(ref, rel=1e-6)
    assert res.r2_per_mM_per_s < res.r2star_per_mM_per_s
    assert any("Gillis" in n for n in res.notes)
    # longer echo spacing refocuses less: r2 grows with TE
    assert mri_relaxivity(MS, 2e-6, echo_time_s=40e-3, **SAT).r2_per_mM_per_s > res.r2_per_mM_per_s


def test_size_sweep_crossover_maximum_where_the_theory_puts_it():
    d = np.geomspace(3e-9, 3e-6, 601)
    sw = mri_size_sweep(MS, d, **SAT)
    D = water_self_diffusion(310.0)
    dw = GAMMA_PROTON * MU_0 * MS / 3
    d_c = 2 * math.sqrt(mri.X_CROSSOVER * D / dw)  # Δω r²/D = x_c with the saturated Δω
    assert sw.crossover_diameter_m == pytest.approx(d_c, rel=2e-4)  # residual: L(mB0/kT) at 30 T
    r2 = sw.r2_per_mM_per_s
    plateau = 2 * math.pi / (3 * math.sqrt(3)) * _hand(3e-6)["f"] * dw
    assert sw.r2_max_per_mM_per_s == pytest.approx(plateau, rel=1e-6)
    top = r2 >= sw.r2_max_per_mM_per_s * (1 - 1e-9)
    assert d[top].min() >= sw.crossover_diameter_m * (1 - 1e-9)
    assert d[top].max() <= sw.refocusing_diameter_m * (1 + 1e-9)
    below = d < sw.crossover_diameter_m
    assert np.all(np.diff(r2[below]) > 0)  # motional averaging: rising
    small = d < 0.3 * d_c
    xL = MS * np.pi / 6 * d[small] ** 3 * 30.0 / (1.380649e-23 * 310.0)
    L = 1 / np.tanh(xL) - 1 / xL
    ratio = r2[small] / (d[small] ** 2 * L**2)
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-6)  # r2 ∝ d² M², M = Ms L(mB0/kT) (no coating)
    beyond = d > sw.refocusing_diameter_m
    assert np.all(np.diff(r2[beyond]) < 0)  # partial refocusing: falling
    assert set(sw.regime_r2[below]) == {"motional averaging"}
    assert set(sw.regime_r2[beyond]) == {"partial refocusing"}


def test_unsaturated_small_particles_follow_the_langevin_moment():
    res = mri_relaxivity(MS, 4e-9, B0_T=0.5)
    m = res.moment_Am2
    x = m * 0.5 / (1.380649e-23 * 310)
    assert res.moment_along_B0_Am2 == pytest.approx(m * (1 / math.tanh(x) - 1 / x), rel=1e-12)
    assert res.moment_along_B0_Am2 < 0.8 * m


def test_water_diffusion_fit():
    assert water_self_diffusion(298.15) == pytest.approx(2.299e-9, rel=2e-3)  # Holz et al. 2000, 25 °C
    with pytest.raises(ValueError, match="T_K"):
        water_self_diffusion(400.0)


def test_closed_form_functions_validate_and_broadcast():
    f = np.array([1e-5, 2e-5])
    np.testing.assert_allclose(r2_motional_averaging(f, 1e-8, 5e7), 16 / 45 * f * 1e-8 * 2.5e15)
    np.testing.assert_allclose(r2star_static_dephasing(f, 5e7), mri.SDR_COEFFICIENT * f * 5e7)
    assert r2_partial_refocusing(1e-5, 1e-3, 5e7, 5e-3).shape == ()
    with pytest.raises(ValueError, match="tau_D_s"):
        r2_motional_averaging(1e-5, -1.0, 5e7)


def test_result_serialises_and_plots(tmp_path):
    import matplotlib.pyplot as plt

    res = mri_relaxivity(MS, 12e-9, coating_m=2e-9, d_hydro_m=30e-9, fe_per_particle=2.5e4)
    json.dumps(res.to_dict())
    s = res.summary()
    assert s["regime_r2"] == "motional averaging" and "r2_per_mM_per_s" in s
    ax = res.plot()
    ax.figure.savefig(tmp_path / "mri.png")
    sw = mri_size_sweep(MS, np.geomspace(2e-9, 1e-6, 50))
    json.dumps(sw.to_dict())
    sw.plot().figure.savefig(tmp_path / "sweep.png")
    plt.close("all")


@pytest.mark.parametrize("args,kwargs,name", [
    ((-1.0, 1e-8), {}, "Ms_A_per_m"),
    ((MS, 0.0), {}, "d_magnetic_m"),
    ((MS, 1e-8), dict(coating_m=-1e-9), "coating_m"),
    ((MS, 1e-8), dict(d_hydro_m=5e-9), "d_hydro_m"),
    ((MS, 1e-8), dict(B0_T=0.0), "B0_T"),
    ((MS, 1e-8), dict(echo_time_s=float("nan")), "echo_time_s"),
    ((MS, 1e-8), dict(fe_mM=0.0), "fe_mM"),
    ((MS, 1e-8), dict(T_K=500.0), "T_K"),
    ((MS, 1e-8), dict(fe_per_particle=0), "fe_per_particle"),
])
def test_bad_input(args, kwargs, name):
    with pytest.raises(ValueError, match=name):
        mri_relaxivity(*args, **kwargs)


def test_sweep_bad_input():
    with pytest.raises(ValueError, match="diameters_m"):
        mri_size_sweep(MS, [1e-8, -1e-8])
    with pytest.raises(ValueError, match="fe_per_particle"):
        mri_size_sweep(MS, [1e-8], fe_per_particle=100)
