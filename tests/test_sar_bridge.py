"""Bridge: measured/typed particle properties → SAR, maps, size sweeps, figures, limits."""
import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest

from atomspin import sar

MU0 = 1.25663706212e-6


def test_auto_uses_lrt_in_its_regime_and_matches_direct_call():
    # tau0 given: the fixed-τ0 literature models and their old automatic choice
    r = sar.sar_from_particle(f=3e5, H0=500.0, Ms=4.8e5, K_eff=1e4, d=10e-9, T=300.0, tau0=1e-9)
    assert r.model == "lrt" and r.regime["regime"] == "LRT"
    direct = sar.linear_response_sar(3e5, 500.0, Ms=4.8e5, K=1e4, d=10e-9, T=300.0, warn=False)
    assert r.sar_W_per_g == pytest.approx(float(direct.sar_W_per_g), rel=1e-12)
    assert r.ilp_nHm2_per_kg == pytest.approx(r.sar_W_per_g * 1e3 / (3e5 * 500.0**2) * 1e9, rel=1e-12)
    rt = sar.sar_from_particle(f=3e5, B0_T=500.0 * MU0, Ms=4.8e5, K_eff=1e4, d=10e-9, T=300.0, tau0=1e-9)
    assert rt.H0_A_per_m == pytest.approx(500.0, rel=1e-12) and rt.sar_W_per_g == pytest.approx(r.sar_W_per_g)
    with pytest.raises(ValueError, match="H0, B0_T"):
        sar.sar_from_particle(f=3e5, H0=500.0, B0_T=1e-3, Ms=4.8e5, K_eff=1e4, d=10e-9)


def test_auto_uses_sw_for_blocked_particles_and_kinetic_between():
    r = sar.sar_from_particle(f=1e5, H0=3e4, Ms=4.8e5, K_eff=1e4, d=30e-9, tau0=1e-9)
    assert r.model == "sw"
    direct = sar.sw_dynamic_sar(1e5, 3e4, d=30e-9, warn=False)
    assert r.sar_W_per_g == pytest.approx(direct.sar_W_per_g, rel=1e-12)
    r = sar.sar_from_particle(f=3e5, H0=1e4, Ms=4.8e5, K_eff=1e4, d=16e-9, compare=True, tau0=1e-9)
    assert r.model == "kinetic" and set(r.all_models) == {"lrt", "sw", "kinetic"}
    assert r.sar_W_per_g > 0


def result(cls, **values):
    """A measurement result of type ``cls`` with the given fields (the others filled with NaN)."""
    kw = {f.name: float("nan") for f in dataclasses.fields(cls) if f.default is dataclasses.MISSING
          and f.default_factory is dataclasses.MISSING}
    kw.update(values)
    return cls(**kw)


def anisotropy_result(**values):
    from atomspin.measure.anisotropy import EffectiveAnisotropyResult

    return result(EffectiveAnisotropyResult, **values)


def test_particle_from_measurement_results():
    from atomspin.measure.hysteresis import HysteresisResult
    from atomspin.measure.thermo import TemperatureSweepResult

    keff = anisotropy_result(torque_amplitude_2theta_J_per_m3=1.2e4, volume_m3=2e-24, barrier_J=9e-20, T=200.0)
    sweep = result(TemperatureSweepResult, T=np.array([100.0, 300.0, 500.0]), Ms_A_per_m=np.array([5e5, 4.6e5, 3e5]))
    loop = result(HysteresisResult, loop_area_J_per_m3=5e3)
    r = sar.sar_from_particle(keff, sweep, loop, f=3e5, H0=2e3, T=200.0, model="lrt")
    assert r.Ms_A_per_m == pytest.approx(4.8e5)  # interpolated Ms(T)
    # the measured barrier wins over the torque amplitude: K = ΔE / V = 9e-20 / 2e-24
    assert r.K_uniaxial_J_per_m3 == pytest.approx(4.5e4) and r.volume_m3 == 2e-24
    assert r.quasistatic_sar_W_per_g == pytest.approx(5e3 * 3e5 / 5197 / 1e3)
    assert r.sources["Ms_A_per_m"] == "TemperatureSweepResult.Ms_A_per_m at 200 K"
    assert r.sources["volume_m3"] == "EffectiveAnisotropyResult.volume_m3"
    assert r.sources["anisotropy"].startswith("EffectiveAnisotropyResult.barrier_J / volume_m3")
    assert r.sources["quasistatic_loop_area_J_per_m3"] == "HysteresisResult.loop_area_J_per_m3"
    direct = sar.linear_response_sar(3e5, 2e3, Ms=4.8e5, K=4.5e4, V=2e-24, T=200.0, warn=False)
    assert r.sar_W_per_g == pytest.approx(float(direct.sar_W_per_g), rel=1e-12)
    # the same particle by role, and the temperature of the anisotropy result when T is not given
    p = sar.particle_from_measurements(anisotropy=keff, magnetisation=sweep, loop=loop)
    assert p.T_K == 200.0 and p == r.particle
    # without a positive barrier, the 2θ torque amplitude (exact for uniaxial particles) is used
    only_k = anisotropy_result(torque_amplitude_2theta_J_per_m3=1.2e4, volume_m3=2e-24, barrier_J=float("nan"), T=300.0)
    r = sar.sar_from_particle(only_k, f=3e5, H0=2e3, Ms=4e5, model="lrt")
    assert r.K_uniaxial_J_per_m3 == 1.2e4 and r.sources["anisotropy"].startswith("EffectiveAnisotropyResult.torque_amplitude_2theta_J_per_m3")
    only_barrier = anisotropy_result(barrier_J=2e-20, volume_m3=2e-24, T=300.0)
    r = sar.sar_from_particle(only_barrier, f=3e5, H0=2e3, Ms=4e5, model="lrt")
    assert r.K_uniaxial_J_per_m3 == pytest.approx(1e4)
    r = sar.sar_from_particle(keff, sweep, f=3e5, H0=2e3, T=300.0, K_eff=8e3, model="lrt")
    assert r.K_uniaxial_J_per_m3 == 8e3 and r.sources["anisotropy"] == "argument"
    # objects that are not measurement results are refused by name, never guessed at
    with pytest.raises(ValueError, match="SimpleNamespace"):
        sar.sar_from_particle(SimpleNamespace(barrier_J=1e-20, volume_m3=1e-24), f=3e5, H0=2e3, Ms=4e5)
    with pytest.raises(ValueError, match="anisotropy: a SimpleNamespace has no field 'barrier_J'"):
        sar.particle_from_measurements(anisotropy=SimpleNamespace(volume_m3=1e-24), Ms_A_per_m=4e5, T_K=300.0)


def test_bridge_reads_the_measure_result_names():
    """Contract with atomspin.measure: the field names the builder reads exist on its results."""
    anis = pytest.importorskip("atomspin.measure.anisotropy")
    thermo = pytest.importorskip("atomspin.measure.thermo")
    hyst = pytest.importorskip("atomspin.measure.hysteresis")

    def names(cls):
        return {f.name for f in dataclasses.fields(cls)}

    # the bridge reads the barrier (contract 3: the 2θ torque amplitude is named as such, never K_eff)
    assert {"barrier_J", "volume_m3", "T", "torque_amplitude_2theta_J_per_m3"} <= names(anis.EffectiveAnisotropyResult)
    assert "K_eff_J_per_m3" not in names(anis.EffectiveAnisotropyResult)
    assert {"Ms_A_per_m", "T"} <= names(thermo.TemperatureSweepResult)
    assert "loop_area_J_per_m3" in names(hyst.HysteresisResult)


def test_missing_and_bad_inputs():
    with pytest.raises(ValueError, match="K_uniaxial_J_per_m3"):
        sar.sar_from_particle(f=3e5, H0=1e3, Ms=4.8e5, d=10e-9)
    with pytest.raises(ValueError, match="f"):
        sar.sar_from_particle(f=0.0, H0=1e3, Ms=4.8e5, K_eff=1e4, d=10e-9)
    with pytest.raises(ValueError, match="H0"):
        sar.sar_from_particle(f=3e5, H0=-1.0, Ms=4.8e5, K_eff=1e4, d=10e-9)
    with pytest.raises(ValueError, match="tau0"):
        sar.sar_from_particle(f=3e5, H0=1e3, Ms=4.8e5, K_eff=1e4, d=10e-9, tau0=0.0)
    with pytest.raises(ValueError, match="viscosity"):
        sar.sar_from_particle(f=3e5, H0=1e3, Ms=4.8e5, K_eff=1e4, d=10e-9, viscosity=-1.0, immobilised=False)
    with pytest.raises(ValueError, match="model"):
        sar.sar_from_particle(f=3e5, H0=1e3, Ms=4.8e5, K_eff=1e4, d=10e-9, model="magic")
    from atomspin.measure.thermo import TemperatureSweepResult

    sweep = result(TemperatureSweepResult, T=np.array([100.0, 300.0]), Ms_A_per_m=np.array([5e5, 4.6e5]))
    with pytest.raises(ValueError, match="T"):
        sar.sar_from_particle(sweep, f=3e5, H0=1e3, K_eff=1e4, d=10e-9, T=400.0)


def test_field_safety_limits():
    s = sar.field_safety(1e5, 4850.0)
    assert s["Hf"] == pytest.approx(4.85e8) and s["brezovich_ok"] and s["hergt_dutz_ok"]
    s = sar.field_safety(1e5, 4851.0)
    assert not s["brezovich_ok"] and s["hergt_dutz_ok"]
    assert not sar.field_safety(3e5, 2e4)["hergt_dutz_ok"]  # 6e9 > 5e9
    assert sar.BREZOVICH_LIMIT == 4.85e8 and sar.HERGT_DUTZ_LIMIT == 5e9


def test_sar_map_and_figure_with_limits():
    fv = np.array([1e5, 3e5, 6e5])
    hv = np.array([1e3, 5e3])
    m = sar.sar_map(fv, hv, Ms=4.8e5, K_eff=1e4, d=14e-9)
    assert m.shape == (2, 3)
    ref = sar.linear_response_sar(fv[None, :], hv[:, None], d=14e-9, warn=False).sar_W_per_g
    assert np.allclose(m, ref, rtol=1e-12)
    fig = sar.plot_sar_map(fv, hv, m)
    ax = fig.axes[0]
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert any("Brezovich" in s for s in labels) and any("Hergt" in s for s in labels)
    for ln in ax.get_lines():
        x, y = ln.get_xdata(), ln.get_ydata()  # kHz, kA/m
        lim = 4.85e8 if "Brezovich" in ln.get_label() else 5e9
        assert np.allclose(x * 1e3 * y * 1e3, lim)
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_size_sweep_finds_the_lrt_optimum():
    d, s, best = sar.size_sweep(3e5, 5e3, np.linspace(8e-9, 24e-9, 161), Ms=4.8e5, K_eff=1e4, model="lrt")
    d_opt, _ = sar.optimum_diameter(3e5, 5e3)
    assert abs(best - d_opt) <= 0.1e-9
    fig = sar.plot_size_sweep(d, s, best)
    assert fig.axes[0].get_xlabel() == "diameter (nm)"
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_sar_from_area_and_ilp_units():
    # 1 J/m³ per cycle at 1 Hz in a material of 1000 kg/m³ → 1 mW/kg = 1e-6 W/g
    assert sar.sar_from_area(1.0, 1.0, 1000.0) == pytest.approx(1e-6)
    # ILP: 1 W/g at f = 1e5 Hz, H0 = 1e4 A/m → 1000 W/kg / 1e13 = 1e-10 → 0.1 nH m² kg⁻¹
    assert sar.ilp(1.0, 1e5, 1e4) == pytest.approx(0.1)
