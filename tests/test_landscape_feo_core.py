"""The FeO-core row of the defect landscape study (docs/validation.md §3b, "Defects with the dipolar term") at
reduced size.

What §3b states for the FeO core (8 nm sphere, a 4 nm FeO core cube-on-cube, four realisations, classical
statistics for both it and its defect-free reference, since a model with rock-salt sites runs without temperature
rescaling): **the core does not change the barrier beyond 2σ** (× 0.91 ± 0.07, "not resolved"; on the measured split
neither the magnetocrystalline, the shape nor the surface + defect part moves beyond 2σ) **and it lowers Ms, resolved**
(× 0.87 ± 0.00). Those are the two claims tested here, on the 5 nm sphere of the same series (core D/2 = 2.5 nm,
``docs/landscape_study.py`` ``defect_particle("feo" | "perfect_classical", 1, diameter_nm=5)``) with the protocol of
the 5 nm APB tests of tests/test_measure_landscape_series.py (200 + 50 sweeps per direction, 100 thermalisation
sweeps, 300 K, seed 1). Nothing here reads the study's stored output.

Honest limits at this size (measured, seed 1): the 5 nm barriers are small and their fit errors large — defect-free
(classical) 813 ± 444 J/m³, FeO core 1963 ± 843 J/m³, Δ = +1150 ± 953 (1.2σ; with 600 sweeps 770 ± 422 and
1373 ± 817, 0.7σ; at 6 nm −1094 ± 1092, 1.0σ): the "not resolved" verdict holds at every reduced size tried, but
with an error near the reference barrier the test can only exclude a change of more than about twice the reference
barrier (e.g. the × 5.7 and × 7.8 of the APBs, which the same protocol resolves at 5 nm). The Ms claim is sharp:
× 0.886 at 5 nm (× 0.873 at 6 nm) against × 0.87 at 8 nm, errors < 0.2 %.
"""
import numpy as np
import pytest

from atomspin.measure import anisotropy_landscape
from atomspin.model import SpinModel

pytest.importorskip("atomspin.structures")


def _study():
    """docs/landscape_study.py as a module (its defect_particle builds the particles of the series)."""
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).resolve().parents[1] / "docs" / "landscape_study.py"
    spec = importlib.util.spec_from_file_location("landscape_study", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def feo_landscapes_5nm():
    """5 nm sphere with an FeO core of D/2 and its classical defect-free reference (≈ 2650 spins each, ≈ 6 CPU s
    per landscape after compilation)."""
    ls = _study()
    out = {}
    for kind in ("perfect_classical", "feo"):
        p, kw = ls.defect_particle(kind, 1, diameter_nm=5.0)
        m = SpinModel.from_atoms(p, anisotropy_reference=300.0, **kw)
        assert m.info["temperature_rescaling"] is None  # both classical: the FeO row's reference
        out[kind] = (m, anisotropy_landscape(m, 300.0, sweeps=200, equilibration_sweeps=50, thermalisation_sweeps=100,
                                             seed=1))
    return out


def test_feo_core_lowers_ms_resolved_at_5nm(feo_landscapes_5nm):
    """§3b: "Every defect lowers Ms … FeO × 0.87, all resolved". At 5 nm the core (R sites in an antiferromagnetic
    rock-salt order, no net moment) lowers the landscape's Ms beyond 2σ, by the factor a moment-free core of 1/8 of
    the volume predicts, 7/8, within 0.03 (measured 0.886; the spinel shell's own Ms unchanged), and the particle
    does hold rock-salt sites."""
    (mf, f), (_, r) = feo_landscapes_5nm["feo"], feo_landscapes_5nm["perfect_classical"]
    assert np.sum(mf.sublattice == "R") > 300
    d = r.Ms_A_per_m - f.Ms_A_per_m
    assert d > 2 * np.hypot(r.Ms_err_A_per_m, f.Ms_err_A_per_m), (r.Ms_A_per_m, f.Ms_A_per_m)
    assert abs(f.Ms_A_per_m / r.Ms_A_per_m - 7.0 / 8.0) < 0.03, f.Ms_A_per_m / r.Ms_A_per_m


def test_feo_core_does_not_change_the_barrier_beyond_2_sigma_at_5nm(feo_landscapes_5nm):
    """§3b: "The FeO core does not change the barrier beyond 2σ" (8 nm: × 0.91 ± 0.07). At 5 nm the lowest escape
    barrier per volume of the FeO particle differs from its classical defect-free reference by less than 2σ
    (combined fit errors; measured +1150 ± 953 J/m³). So that the null result is not merely an error without bound,
    the reference barrier must be measured to better than its own size (813 ± 444 J/m³) and both barriers be
    positive. Its power is the next test (a 0.5 meV easy axis on the rock-salt sites fails this check; 0.05 meV,
    measured −755 ± 911 J/m³, would not)."""
    f, r = feo_landscapes_5nm["feo"][1], feo_landscapes_5nm["perfect_classical"][1]
    bf, br = f.barrier_J / f.volume_m3, r.barrier_J / r.volume_m3
    ef, er = f.barrier_err_J / f.volume_m3, r.barrier_err_J / r.volume_m3
    sigma = np.hypot(ef, er)
    assert br > 0 and bf > 0, (br, bf)
    assert er < br, (er, br)
    assert abs(bf - br) < 2 * sigma, (bf, ef, br, er)


def test_feo_barrier_check_detects_a_core_that_changes_the_landscape(feo_landscapes_5nm):
    """The power of the 2σ check above, run rather than stated: an easy axis of 0.5 meV along z on the rock-salt sites
    of the same particle (E = −K (ŝ·ẑ)², a core that does change the landscape) moves the barrier per volume far
    beyond 2σ of the defect-free reference (measured ≈ 2.9·10⁴ ± 2.7·10³ J/m³ against 813 ± 444), so the null
    result above is not a check that cannot fail."""
    import dataclasses

    (mf, _), (_, r) = feo_landscapes_5nm["feo"], feo_landscapes_5nm["perfect_classical"]
    quad = mf.quad.copy()
    quad[mf.sublattice == "R", 2] += 0.5  # zz component of K e eᵀ, meV
    m = dataclasses.replace(mf, quad=quad, spins=mf.spins.copy())
    f = anisotropy_landscape(m, 300.0, sweeps=200, equilibration_sweeps=50, thermalisation_sweeps=100, seed=1)
    bf, br = f.barrier_J / f.volume_m3, r.barrier_J / r.volume_m3
    sigma = np.hypot(f.barrier_err_J / f.volume_m3, r.barrier_err_J / r.volume_m3)
    assert abs(bf - br) > 2 * sigma, (bf, br, sigma)
    assert bf > 10 * br, (bf, br)
