"""The typed hand-off (sar.Particle, sar.Medium), the one drive validator, and the input defects it closes."""
import math

import numpy as np
import pytest

from atomspin import sar

MU0 = 1.25663706212e-6
KB = 1.380649e-23


def magnetite(**kw):
    base = dict(Ms_A_per_m=4.8e5, volume_m3=math.pi / 6 * (15e-9) ** 3, K_uniaxial_J_per_m3=1e4, alpha=0.1, T_K=300.0)
    base.update(kw)
    return sar.Particle(**base)


def test_particle_fields_and_derived_quantities():
    p = magnetite(easy_axis=[0, 0, 2.0], hydrodynamic_diameter_m=25e-9)
    assert p.easy_axis == (0.0, 0.0, 1.0) and p.is_uniaxial
    assert p.diameter_m == pytest.approx(15e-9, rel=1e-12)
    assert p.H_K_A_per_m == pytest.approx(2e4 / (MU0 * 4.8e5), rel=1e-12)
    assert p.hydrodynamic_volume_m3 == pytest.approx(math.pi / 6 * (25e-9) ** 3, rel=1e-12)
    assert p.density_kg_per_m3 == sar.RHO_MAGNETITE and p.source["Ms_A_per_m"] == "argument"
    q = p.replace(volume_m3=2e-24)
    assert q.volume_m3 == 2e-24 and q.K_uniaxial_J_per_m3 == 1e4 and p.volume_m3 != 2e-24
    assert hash(p.easy_axis) == hash((0.0, 0.0, 1.0))


@pytest.mark.parametrize("kw, match", [
    (dict(Ms_A_per_m=0.0), "Ms_A_per_m"), (dict(Ms_A_per_m=float("nan")), "Ms_A_per_m"),
    (dict(Ms_A_per_m=4.8e8), "Ms_A_per_m"), (dict(volume_m3=-1e-24), "volume_m3"), (dict(T_K=-1.0), "T_K"),
    (dict(alpha=0.0), "alpha"), (dict(alpha=-0.1), "alpha"), (dict(alpha=float("inf")), "alpha"),
    (dict(K_uniaxial_J_per_m3=0.0), "K_uniaxial_J_per_m3"), (dict(K_uniaxial_J_per_m3=None), "give exactly one"),
    (dict(density_kg_per_m3=1e-300), "density_kg_per_m3"), (dict(easy_axis=[0, 0, 0]), "easy_axis"),
    (dict(hydrodynamic_diameter_m=10e-9), "hydrodynamic_diameter_m"),
])
def test_particle_bad_input_names_the_parameter(kw, match):
    with pytest.raises(ValueError, match=match):
        magnetite(**kw)


def test_medium():
    assert sar.Medium().immobilised and sar.Medium.solid().immobilised
    w = sar.Medium.water()
    assert not w.immobilised and w.viscosity_Pa_s == sar.VISCOSITY_WATER_37C
    p = magnetite(hydrodynamic_diameter_m=30e-9)
    assert w.brown_time_s(p) == pytest.approx(3 * 6.9e-4 * math.pi / 6 * (30e-9) ** 3 / (KB * 300.0), rel=1e-12)
    assert sar.Medium().brown_time_s(p) == math.inf
    for bad in (-1e-3, 0.0, float("nan")):
        with pytest.raises(ValueError, match="viscosity"):
            sar.Medium(bad)


def test_check_drive():
    assert sar.check_drive(1e5, 1e4) == (1e5, 1e4)
    with pytest.raises(ValueError, match="H0"):
        sar.check_drive(1e5, 0.0)  # SAR and ILP need a field that is on (ILP = SAR/(f H0²))
    with pytest.raises(ValueError, match="f"):
        sar.check_drive(float("nan"), 1e4)
    with pytest.raises(ValueError, match="H0, f: .*clinical"):
        sar.check_drive(1e8, 3e4)  # 3e12 A/(m s)
    assert sar.check_drive(1e8, 3e4, allow_nonclinical=True) == (1e8, 3e4)


def test_defects_found_in_the_old_drivers_are_refused():
    """immobilised=nan was accepted, rho=1e-300 gave SAR = 4.6e303 W/g, linear_response_sar(H0=0) a NaN ILP."""
    with pytest.raises(ValueError, match="immobilised"):
        sar.sar_from_particle(f=3e5, H0=1e3, Ms=4.8e5, K_eff=1e4, d=10e-9, immobilised=float("nan"))
    with pytest.raises(ValueError, match="immobilised"):
        sar.linear_response_sar(3e5, 1e3, d=10e-9, immobilised=float("nan"))
    with pytest.raises(ValueError, match="rho"):
        sar.kinetic_loop(3e5, 1e4, 15e-9, rho=1e-300)
    with pytest.raises(ValueError, match="rho"):
        sar.linear_response_sar(3e5, 1e3, d=10e-9, rho=1e-300)
    with pytest.raises(ValueError, match="H0"):
        sar.linear_response_sar(3e5, 0.0, d=10e-9)
    with pytest.raises(ValueError, match="H0"):
        sar.kinetic_loop(3e5, 0.0, 15e-9)


def test_every_model_takes_a_particle():
    p = magnetite(volume_m3=math.pi / 6 * (16e-9) ** 3)
    f, H0 = 3e5, 1e4
    lrt = sar.linear_response_sar(f, H0, particle=p, warn=False)
    old = sar.linear_response_sar(f, H0, Ms=4.8e5, K=1e4, d=16e-9, T=300.0, warn=False)
    assert float(lrt.sar_W_per_g) == pytest.approx(float(old.sar_W_per_g), rel=1e-12)
    fluid = sar.linear_response_sar(f, H0, particle=p.replace(hydrodynamic_diameter_m=30e-9), medium=sar.Medium.water(),
                                    warn=False)
    old = sar.linear_response_sar(f, H0, d=16e-9, d_hydro=30e-9, immobilised=False, warn=False)
    assert float(fluid.sar_W_per_g) == pytest.approx(float(old.sar_W_per_g), rel=1e-12)
    sw = sar.sw_dynamic_sar(f, H0, particle=p, warn=False)
    assert sw.sar_W_per_g == pytest.approx(sar.sw_dynamic_sar(f, H0, d=16e-9, warn=False).sar_W_per_g, rel=1e-12)
    kin = sar.kinetic_loop(f, H0, particle=p, axes="aligned", steps_per_cycle=500, n_cycles=3)
    ref = sar.kinetic_loop(f, H0, 16e-9, axes="aligned", steps_per_cycle=500, n_cycles=3)
    assert kin.sar_W_per_g == pytest.approx(ref.sar_W_per_g, rel=1e-12)
    rep = sar.sar_from_particle(p, f=f, H0=H0, model="lrt")
    assert rep.sar_W_per_g == pytest.approx(float(lrt.sar_W_per_g), rel=1e-12) and rep.particle is p
    with pytest.raises(ValueError, match="Ms"):
        sar.sar_from_particle(p, f=f, H0=H0, Ms=4e5)  # a Particle carries Ms: no silent override
    with pytest.raises(ValueError, match="particle"):
        sar.linear_response_sar(f, H0, particle="magnetite")


@pytest.mark.nojit
def test_quasistatic_loop_switches_with_the_easy_axis_along_the_field():
    """T = 0, easy axis exactly along the field: the moment must switch at h = −1 (it stayed at +1 before:
    an unstable equilibrium with zero torque was returned as a minimum)."""
    HK = 2 * 1e4 / (MU0 * 4.8e5)
    h = np.array([1.5, 0.5, -0.5, -0.9, -1.1, -1.2, -0.5, 0.5, 1.1, 1.2]) * HK
    m = sar.quasistatic_loop(h, [20e-9], [0, 0, 1.0])[:, 0]
    assert np.allclose(m, [1, 1, 1, 1, -1, -1, -1, -1, 1, 1], atol=1e-6)
    m = sar.quasistatic_loop(h, particle=magnetite(volume_m3=math.pi / 6 * (20e-9) ** 3))[:, 0]
    assert m[5] == pytest.approx(-1.0, abs=1e-6)


def test_llg_switches_with_the_easy_axis_along_the_field():
    HK = 2 * 1e4 / (MU0 * 4.8e5)
    r = sar.interacting_llg(1e5, 1.5 * HK, [20e-9], [0, 0, 1.0], alpha=1.0, n_cycles=1, n_record=400)
    assert r.m.min() < -0.99 and r.m.max() > 0.99  # it switches both ways
    # the dynamic loop is wider than the SW one (4 μ0 H_K Ms) by the switching delay only
    assert 4.0 < r.global_area_J_per_m3 / (MU0 * HK * 4.8e5) < 4.6
