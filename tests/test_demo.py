"""Issue 15 main job: the ``landscape`` study step, the SAR from the measured landscape (no fixed τ0), and the
ratio-to-reference rows of the report with their 2σ verdicts (the demo end to end is tests/test_cli.py::test_demo)."""
import math
import os

import numpy as np
import pytest

from atomspin.batch import expand, run_task, validate_recipe
from atomspin.batch.defaults import DEMO_RECIPE, QUICK_OVERRIDES, demo_recipe
from atomspin.batch.fields import RecipeError
from atomspin.batch.report import Study, format_comparison, ratio, ratio_cell
from atomspin.batch.tasks import available_steps
from atomspin.units import K_B

needs_layers = pytest.mark.skipif(not {"structure", "landscape", "sar"} <= set(available_steps()),
                                  reason="structure/measure/sar layers not available")


def _tiny(**sar):
    """A 3 nm (vertex to vertex) truncated octahedron, the shortest landscape runs the step accepts."""
    r = {"structure": {"shape": "truncated_octahedron", "diameter_nm": 3.0},
         "protocol": {"steps": ["structure", "landscape", "sar"], "T_K": 310.0,
                      "landscape": {"n_directions": 26, "sweeps": 10, "equilibration_sweeps": 2,
                                    "thermalisation_sweeps": 10, "observe_every": 1},
                      "sar": {"n_orientations": 8, **sar}}}
    return expand(r)[0]


# ------------------------------------------------------------------------------------------ recipe checks
def test_landscape_and_sar_recipe_checks():
    base = {"protocol": {"steps": ["structure", "landscape", "sar"]}}
    validate_recipe(base)
    with pytest.raises(RecipeError, match=r"^protocol.steps: 'kv' and 'landscape' both measure the escape barrier"):
        validate_recipe({"protocol": {"steps": ["structure", "kv", "landscape"]}})
    with pytest.raises(RecipeError, match=r"^protocol.T_K: the landscape step needs T_K > 0"), \
            pytest.warns(UserWarning, match="usual range"):
        validate_recipe({"protocol": {"steps": ["structure", "landscape"], "T_K": 0.0}})
    with pytest.raises(RecipeError, match=r"^protocol.sar.model: 'lrt' is a fixed-τ0 uniaxial model"):
        validate_recipe({"protocol": {"steps": ["structure", "landscape", "sar"], "sar": {"model": "lrt"}}})
    with pytest.raises(RecipeError, match=r"^protocol.sar.model: 'master' is a landscape model"):
        validate_recipe({"protocol": {"steps": ["structure", "kv", "sar"], "sar": {"model": "master"}}})
    with pytest.raises(RecipeError, match=r"^protocol.sar.media: a liquid medium needs the 'landscape' step"):
        validate_recipe({"protocol": {"steps": ["structure", "kv", "sar"], "sar": {"media": ["water"]}}})
    with pytest.raises(RecipeError, match=r"^protocol.sar.media: contains duplicates"):
        validate_recipe({"protocol": {"steps": ["structure", "landscape", "sar"], "sar": {"media": ["water", "water"]}}})
    with pytest.raises(RecipeError, match=r"^protocol.landscape.n_directions: 20 is outside \[26, 2000\]"):
        validate_recipe({"protocol": {"steps": ["structure", "landscape"], "landscape": {"n_directions": 20}}})
    with pytest.raises(RecipeError, match=r"^protocol.sar.media\[0\]: 'oil' is not one of immobilised, water"):
        validate_recipe({"protocol": {"steps": ["structure", "landscape", "sar"], "sar": {"media": ["oil"]}}})


def test_demo_defaults_answer_the_question():
    """The defaults the issue asks for: ≥ 12 nm (equivalent sphere) magnetite truncated octahedron, the three
    variants, body temperature, both media, the clinical drive, ≥ 2 realisations; --quick changes sizes and run
    lengths only."""
    from atomspin.structures import build_particle
    from atomspin.structures.shapes import get_shape, volume_A3

    r = DEMO_RECIPE
    assert r["structure"] == {"phase": "Fe3O4", "shape": "truncated_octahedron", "diameter_nm": 18.5}
    shape = get_shape(build_particle("Fe3O4", "truncated_octahedron", 4.0))  # the shape at 4 nm, scaled
    d_eq = (6 * volume_A3(shape) / math.pi) ** (1 / 3) / 10 * 18.5 / 4.0
    assert 12.0 <= d_eq < 12.3  # equivalent-sphere diameter, nm
    assert r["protocol"]["T_K"] == 310.0 and r["protocol"]["steps"] == ["structure", "landscape", "sar"]
    assert r["protocol"]["sar"]["media"] == ["immobilised", "water"]
    assert (r["protocol"]["sar"]["f_Hz"], r["protocol"]["sar"]["H0_A_per_m"]) == (1e5, 15e3)
    assert len(r["sweep"]["seeds"]) >= 2
    names = [v["name"] for v in r["sweep"]["variants"]]
    assert names == ["defect-free", "Fe-deficient", "APB"]
    quick = demo_recipe(quick=True)
    assert set(QUICK_OVERRIDES) <= {"structure.diameter_nm"} | {f"protocol.landscape.{k}" for k in
                                                                r["protocol"]["landscape"]}
    assert quick["sweep"] == r["sweep"] and quick["protocol"]["sar"] == r["protocol"]["sar"]
    assert len(expand(demo_recipe())) == 6


# ------------------------------------------------------------------------------------------ the steps
@needs_layers
def test_landscape_step_and_sar_from_landscape():
    """The landscape step stores what anisotropy_landscape measured (same seed, same numbers); the sar step's
    SAR is sar_from_particle(particle_from_measurements(landscape=...)) in each medium, called directly."""
    from atomspin.batch.context import Context
    from atomspin.batch.steps import step
    from atomspin.measure import anisotropy_landscape
    from atomspin import sar

    task = _tiny(media=["immobilised", "water"], hydrodynamic_diameter_nm=20.0)
    ctx = Context(task)
    for name in ("structure", "landscape", "sar"):
        step(name).run(ctx)
    kv = ctx.kvp
    p = task["recipe"]["protocol"]["landscape"]
    direct = anisotropy_landscape(ctx.model, 310.0, n_directions=26, sweeps=p["sweeps"],
                                  equilibration_sweeps=p["equilibration_sweeps"],
                                  thermalisation_sweeps=p["thermalisation_sweeps"], observe_every=1,
                                  seed=ctx.seed_for("landscape"))
    assert kv["barrier_J"] == direct.barrier_J
    assert kv["barrier_over_kT"] == pytest.approx(direct.barrier_J / (K_B * 310.0), rel=1e-12)
    birge = max(1.0, math.sqrt(direct.chi2_per_dof))
    # the fit's covariance carries χ²/dof already: the step must not apply the Birge ratio a second time
    assert kv["barrier_J_err"] == pytest.approx(direct.barrier_err_J, rel=1e-12)
    assert kv["landscape_barrier_err_birge"] == pytest.approx(birge, rel=1e-12)
    assert kv["barrier_over_kT_err"] == pytest.approx(kv["barrier_J_err"] / (K_B * 310.0), rel=1e-12)
    assert kv["n_minima"] == len(direct.minima) >= 2 and kv["n_saddles"] == len(direct.saddles)
    assert kv["Ms_zero_field_A_per_m"] == direct.Ms_A_per_m and kv["Ms_zero_field_A_per_m_err"] == direct.Ms_err_A_per_m
    particle = sar.particle_from_measurements(landscape=direct, hydrodynamic_diameter_m=20e-9)
    for name, medium in (("immobilised", sar.Medium.solid()), ("water", sar.Medium.water())):
        rep = sar.sar_from_particle(particle, f=1e5, H0=15e3, medium=medium, seed=ctx.seed_for("sar"),
                                    n_orientations=8, allow_nonclinical=True)
        assert kv[f"SAR_{name}_W_per_g"] == rep.sar_W_per_g > 0
        assert kv[f"ILP_{name}_nHm2_per_kg"] == rep.ilp_nHm2_per_kg
        err = kv[f"SAR_{name}_W_per_g_err"]
        assert np.isfinite(err) and err > 0  # the barrier error propagates
        assert kv[f"ILP_{name}_nHm2_per_kg_err"] == pytest.approx(err * rep.ilp_nHm2_per_kg / rep.sar_W_per_g)
    assert "SAR_W_per_g" not in kv  # several media: one key per medium, no ambiguous SAR_W_per_g
    assert "d_H = 20 nm" in kv["sar_medium"] and kv["sar_hydrodynamic_diameter_nm"] == pytest.approx(20.0)


@needs_layers
@pytest.mark.skipif(os.environ.get("NUMBA_DISABLE_JIT") == "1", reason="nothing is compiled without the JIT")
def test_sar_warmup_compiles_every_signature_the_measured_hand_off_calls():
    """atomspin.sar.warmup.compile_kernels (what a sweep's second worker runs first) compiles each SAR kernel with
    the argument types of the real path measured landscape → particle_from_measurements → each compiled model:
    calling that path afterwards adds no signature (so nothing is compiled again, here or from the disk cache)."""
    from atomspin import sar
    from atomspin.batch.context import Context
    from atomspin.batch.steps import step
    from atomspin.sar import _landscape, fluid, macrospin_llg, master
    from atomspin.sar.warmup import compile_kernels

    kernels = {"hybrid": fluid._hybrid, "tables": master._tables, "cycle": master._cycle,
               "critical points": _landscape.find_critical, "stochastic LLG": macrospin_llg._sllg}
    compile_kernels()
    before = {k: set(d.signatures) for k, d in kernels.items()}
    assert all(before.values())
    ctx = Context(_tiny())
    for name in ("structure", "landscape"):
        step(name).run(ctx)
    particle = sar.particle_from_measurements(landscape=ctx.results["landscape"], hydrodynamic_diameter_m=20e-9)
    for medium in (sar.Medium.solid(), sar.Medium.water()):
        sar.sar_from_particle(particle, f=1e5, H0=15e3, medium=medium, model="master", n_orientations=2,
                              n_particles=2, allow_nonclinical=True)
    macrospin_llg.llg_relaxation_time(particle, n_particles=8, run_taus=2.0)
    assert {k: set(d.signatures) for k, d in kernels.items()} == before


@needs_layers
def test_scaled_landscape_scales_every_barrier():
    """The SAR error propagates the barrier error by scaling the measured surface: an exact property (every
    critical point stays, every energy difference scales) that this checks on a cubic + uniaxial surface."""
    from atomspin import macrospin as ms
    from atomspin import sar
    from atomspin.batch.steps.sar import _scaled_particle

    d = ms.fibonacci_sphere(400)
    e = ms.EnergySurface([ms.CubicAnisotropy(-1.1e4), ms.UniaxialAnisotropy(3e3, (0.0, 0.0, 1.0))]).energy(d)
    fit = ms.HarmonicExpansion.fit(d, e, degree=6)
    term = fit[0] if isinstance(fit, tuple) else fit
    p = sar.Particle(Ms_A_per_m=4.5e5, volume_m3=1e-24, T_K=310.0, landscape=ms.EnergySurface([term]))
    b0 = ms.barriers(ms.critical_points(p.landscape))
    for s in (0.8, 1.25):
        q = _scaled_particle(p, s, 4.0e5)
        assert q.Ms_A_per_m == 4.0e5
        np.testing.assert_allclose(ms.barriers(ms.critical_points(q.landscape)), s * b0, rtol=1e-6)


@needs_layers
def test_scale_error_is_the_barrier_error_over_the_surface_range():
    """σ_barrier/ΔF by hand: a uniaxial surface's range is its barrier K V (so the rule is σ/barrier there); a
    cubic K1 < 0 surface spans |K1|/3 (⟨111⟩ → ⟨100⟩) while its barrier is |K1|/12 (⟨111⟩ → ⟨110⟩)."""
    from atomspin import macrospin as ms
    from atomspin.batch.steps.sar import surface_scale_error

    V, sigma = 2e-24, 3e-22
    uni = ms.EnergySurface([ms.UniaxialAnisotropy(1.2e4, (0.0, 0.0, 1.0))])
    assert surface_scale_error(uni, V, sigma) == pytest.approx(sigma / (1.2e4 * V), rel=1e-6)
    cub = ms.EnergySurface([ms.CubicAnisotropy(-1.1e4)])
    assert surface_scale_error(cub, V, sigma) == pytest.approx(sigma / (1.1e4 / 3 * V), rel=1e-6)
    b = ms.barriers(ms.critical_points(cub)).min() * V
    assert b == pytest.approx(1.1e4 / 12 * V, rel=1e-6)
    assert np.isnan(surface_scale_error(cub, V, float("nan")))
    with pytest.raises(ValueError, match="volume_m3"):
        surface_scale_error(cub, -V, sigma)


@needs_layers
def test_landscape_sar_refuses_unknown_media_and_models_by_name():
    from atomspin import macrospin as ms
    from atomspin import sar
    from atomspin.batch.steps.sar import landscape_sar

    p = sar.Particle(Ms_A_per_m=4.5e5, volume_m3=1e-24, T_K=310.0,
                     landscape=ms.EnergySurface([ms.UniaxialAnisotropy(1e4, (0.0, 0.0, 1.0))]))
    with pytest.raises(ValueError, match="media"):
        landscape_sar(p, f=1e5, H0=15e3, media=["honey"])
    with pytest.raises(ValueError, match="media"):
        landscape_sar(p, f=1e5, H0=15e3, media=[])
    with pytest.raises(ValueError, match="model"):
        landscape_sar(p, f=1e5, H0=15e3, media=["immobilised"], model="sw")


@needs_layers
def test_one_medium_keeps_the_sar_keys_and_same_seed_same_row():
    task = _tiny()
    a, b = run_task(task), run_task(task)
    kv = a["kvp"]
    assert kv["SAR_W_per_g"] > 0 and np.isfinite(kv["SAR_W_per_g_err"]) and "SAR_immobilised_W_per_g" not in kv
    assert kv["sar_medium"].startswith("immobilised")
    for k, v in kv.items():
        w = b["kvp"][k]
        assert w == v or (isinstance(v, float) and np.isnan(v) and np.isnan(w)), k


# ------------------------------------------------------------------------------------------ ratio rows
def test_ratio_and_verdict_hand_computed():
    r, e = ratio(2.0, 0.1, 4.0, 0.2)  # 0.5 ± 0.5·√(0.05² + 0.05²)
    assert r == 0.5 and e == pytest.approx(0.5 * math.sqrt(2) * 0.05, rel=1e-12)
    assert ratio_cell(r, e) == "0.500 ± 0.035 lower, resolved at 2σ"
    r, e = ratio(1.1, 0.1, 1.0, 0.05)  # 1.1 ± 1.1·√((1/11)² + 0.05²) = 1.1 ± 0.1141: |0.1| < 2σ
    assert e == pytest.approx(1.1 * math.hypot(0.1 / 1.1, 0.05), rel=1e-12)
    assert ratio_cell(r, e) == "1.10 ± 0.11 not resolved at 2σ"
    r, e = ratio(3.0, 0.3, 2.0, 0.1)  # 1.5 ± 1.5·√(0.1² + 0.05²) = 1.5 ± 0.1677: 0.5 > 2σ
    assert ratio_cell(r, e) == "1.50 ± 0.17 higher, resolved at 2σ"
    assert ratio_cell(*ratio(1.0, 0.1, 0.0, 0.1)) == "n/a"
    assert ratio_cell(*ratio(float("nan"), 0.1, 1.0, 0.1)) == "n/a"
    assert ratio_cell(*ratio(1.2, float("nan"), 1.0, 0.1)) == "1.2 ± ? (no verdict)"


def test_comparison_table_has_ratio_rows():
    """Seed-averaged groups (error = max(spread/√n, propagated/n), atomspin.batch.quantities) divided by the
    defect-free group, by hand."""
    rows, recipes = [], {}
    data = {"defect-free": [(2.0, 0.1), (2.2, 0.1)], "vac": [(1.0, 0.05), (1.2, 0.05)]}
    i = 0
    for vi, (variant, vals) in enumerate(data.items()):
        for seed, (sar_, err) in enumerate(vals, 1):
            i += 1
            rows.append({"id": i, "variant": variant, "variant_index": vi, "seed": seed,
                         "SAR_immobilised_W_per_g": sar_, "SAR_immobilised_W_per_g_err": err})
            recipes[i] = {"defects": {"vacancies": {"delta": 0.1 if variant == "vac" else 0.0}}}
    table = format_comparison(Study(rows, recipes))
    # defect-free: mean 2.1, error max(0.1414/√2 = 0.1, √(0.01+0.01)/2 = 0.0707) = 0.1
    # vac: mean 1.1, error max(0.1, 0.0354) = 0.1; ratio 0.5238 ± 0.5238·√((0.1/1.1)² + (0.1/2.1)²) = 0.0538
    line = next(ln for ln in table.splitlines() if ln.startswith("SAR immobilised ÷ defect-free"))
    assert "1 (reference)" in line and "0.524 ± 0.054 lower, resolved at 2σ" in line
    assert "ratio to defect-free" in table
