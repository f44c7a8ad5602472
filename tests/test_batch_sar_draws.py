"""The SAR's landscape error from surfaces drawn from the landscape fit's covariance (``protocol.sar.landscape_draws``).

Checks against exact statements: draws follow the Gaussian they are drawn from; a covariance along the surface's own
scale alone gives the error of the scale rule (second-order propagation is exact for a quadratic and the SAR is
smooth in the scale); with a shape component the error is the spread over exactly the drawn surfaces; the recipe
refuses what cannot work, by name; the step writes the draws' columns and the same seed gives the same row.
"""
import numpy as np
import pytest

from atomspin.batch import expand, run_task, validate_recipe
from atomspin.batch.fields import RecipeError
from atomspin.batch.tasks import available_steps

needs_layers = pytest.mark.skipif(not {"structure", "landscape", "sar"} <= set(available_steps()),
                                  reason="the landscape and sar steps are not available")

V = np.pi / 6 * (12e-9) ** 3  # a 12 nm sphere, m³
KU = 1.2e4  # J/m³ (KV/k_BT ≈ 2.5 at 310 K)


def _uniaxial(ku=KU):
    """Ku (x² + y²) = Ku (1 − z²) on the sphere, as the harmonic expansion a measured landscape is."""
    from atomspin import macrospin as ms
    from atomspin.measure import _sphere_fit as sf

    exps = np.array(sf.exponents(2))
    c = np.array([ku if tuple(e) in ((2, 0, 0), (0, 2, 0)) else 0.0 for e in exps])
    return ms.EnergySurface([ms.HarmonicExpansion(exps, c)]), exps, c


def test_draws_follow_the_covariance_and_bad_covariances_are_named():
    from atomspin.batch.steps.sar import draw_surfaces

    surf, exps, c = _uniaxial()
    rng = np.random.default_rng(3)
    A = rng.normal(size=(c.size, c.size))
    cov_J2 = (A @ A.T) * (50.0 * V) ** 2  # J²: coefficient errors of order 50 J/m³
    draws = draw_surfaces(surf, cov_J2, V, 4000, seed=11)
    d = np.array([s.terms[0].coefficients for s in draws])
    cov = cov_J2 / V ** 2
    assert np.all(np.abs(d.mean(axis=0) - c) < 5 * np.sqrt(np.diag(cov) / len(d)))
    assert np.allclose(np.cov(d.T), cov, rtol=0, atol=0.12 * np.abs(cov).max())
    again = draw_surfaces(surf, cov_J2, V, 4000, seed=11)
    assert np.array_equal(d, np.array([s.terms[0].coefficients for s in again]))
    with pytest.raises(ValueError, match=r"covariance_J2: shape \(3, 3\)"):
        draw_surfaces(surf, np.eye(3), V, 2, seed=1)
    with pytest.raises(ValueError, match="volume_m3"):
        draw_surfaces(surf, cov_J2, 0.0, 2, seed=1)


@needs_layers
def test_a_scale_only_covariance_gives_the_scale_rule():
    """Coefficients c·(1 + ε), ε ~ N(0, s²): the draws' SAR spread is the scale rule's error with relative scale
    error s (barrier error s·KV on a uniaxial surface, whose range is its barrier), within 3σ of the sampling error
    of a standard deviation over the draws (1/√(2n)). The particle is at 8.4 k_BT (master equation, smooth in the
    scale: 2 % moves ln SAR by 0.12, where second-order propagation and the draws' spread agree to ≈ 1 %)."""
    from atomspin import sar
    from atomspin.batch.steps.sar import landscape_sar

    ku, s, n = 4.0e4, 0.02, 150
    surf, exps, c = _uniaxial(ku)
    p = sar.Particle(Ms_A_per_m=3.6e5, volume_m3=V, T_K=310.0, landscape=surf)
    kw = dict(f=1e5, H0=15e3, media=["immobilised"], model="master", n_orientations=12, seed=5, Ms_err_A_per_m=0.0)
    rule, _ = landscape_sar(p, barrier_err_J=s * ku * V, **kw)
    drawn, _ = landscape_sar(p, covariance_J2=s ** 2 * np.outer(c * V, c * V), n_draws=n, **kw)
    assert rule["SAR_W_per_g"] == drawn["SAR_W_per_g"]  # the nominal SAR does not depend on the error rule
    assert rule["sar_scale_rel_err"] == pytest.approx(s, rel=1e-6)
    assert drawn["SAR_W_per_g_err"] == pytest.approx(rule["SAR_W_per_g_err"], rel=3 / np.sqrt(2 * n))
    assert drawn["sar_draws"] == n and drawn["sar_draws_refused"] == 0
    assert drawn["sar_error_source"].startswith(f"the landscape's: standard deviation over {n} surfaces")


@needs_layers
def test_draws_error_is_the_spread_over_the_drawn_surfaces_and_refusals_are_named():
    """With a shape component (an xz tilt and a biaxial x² term), the landscape error is the standard deviation of
    sar_from_particle over exactly the surfaces draw_surfaces gives for the step's draw seed; with an Ms error it
    adds in quadrature to that error propagated alone."""
    from atomspin import sar
    from atomspin.batch.steps.sar import derived_draw_seed, draw_surfaces, landscape_sar

    ku = 4.0e4
    surf, exps, c = _uniaxial(ku)
    p = sar.Particle(Ms_A_per_m=3.6e5, volume_m3=V, T_K=310.0, landscape=surf)
    cov = 0.02 ** 2 * np.outer(c * V, c * V)
    for e in ((1, 0, 1), (2, 0, 0)):
        k = [i for i, x in enumerate(exps) if tuple(x) == e][0]
        cov[k, k] += (0.03 * ku * V) ** 2
    kw = dict(f=1e5, H0=15e3, media=["immobilised"], model="master", n_orientations=12, seed=5)
    got, _ = landscape_sar(p, covariance_J2=cov, n_draws=6, Ms_err_A_per_m=0.0, **kw)
    by_hand = [sar.sar_from_particle(p.replace(landscape=d), f=1e5, H0=15e3, model="master", n_orientations=12,
                                     seed=5, allow_nonclinical=True).sar_W_per_g
               for d in draw_surfaces(surf, cov, V, 6, derived_draw_seed(5))]
    assert got["SAR_W_per_g_draws_sd"] == pytest.approx(np.std(by_hand, ddof=1), rel=1e-12)
    assert got["SAR_W_per_g_err"] == pytest.approx(got["SAR_W_per_g_draws_sd"], rel=1e-12)
    with_ms, _ = landscape_sar(p, covariance_J2=cov, n_draws=6, Ms_err_A_per_m=0.05 * 3.6e5, **kw)
    ms_only, _ = landscape_sar(p, barrier_err_J=0.0, Ms_err_A_per_m=0.05 * 3.6e5, **kw)
    assert with_ms["SAR_W_per_g_err"] == pytest.approx(np.hypot(got["SAR_W_per_g_draws_sd"],
                                                                 ms_only["SAR_W_per_g_err"]), rel=1e-9)
    with pytest.raises(ValueError, match="n_draws: 1"):
        landscape_sar(p, covariance_J2=cov, n_draws=1, Ms_err_A_per_m=0.0, **kw)
    with pytest.raises(ValueError, match="covariance_J2: needed"):
        landscape_sar(p, n_draws=4, Ms_err_A_per_m=0.0, **kw)


def test_recipe_refuses_draws_it_cannot_make():
    with pytest.raises(RecipeError, match=r"^protocol.sar.landscape_draws: draws are of a measured landscape"):
        validate_recipe({"protocol": {"steps": ["structure", "kv", "sar"], "sar": {"landscape_draws": 4}}})
    with pytest.raises(RecipeError, match=r"^protocol.sar.landscape_draws: 1 draw gives no standard deviation"):
        validate_recipe({"protocol": {"steps": ["structure", "landscape", "sar"], "sar": {"landscape_draws": 1}}})
    with pytest.raises(RecipeError, match=r"protocol.sar.landscape_draws"):
        validate_recipe({"protocol": {"steps": ["structure", "landscape", "sar"], "sar": {"landscape_draws": -2}}})


def test_draws_key_is_hash_neutral():
    """Recipes that do not set landscape_draws keep their task identities (stored sweeps resume); setting it
    changes the identity."""
    r = {"structure": {"diameter_nm": 3.0}, "protocol": {"steps": ["structure", "landscape", "sar"], "T_K": 310.0}}
    plain = expand(r)[0]["hash"]
    assert expand({**r, "protocol": {**r["protocol"], "sar": {"landscape_draws": 0}}})[0]["hash"] == plain
    assert expand({**r, "protocol": {**r["protocol"], "sar": {"landscape_draws": 4}}})[0]["hash"] != plain


@needs_layers
def test_step_with_draws_writes_their_columns_and_same_seed_same_row():
    r = {"structure": {"shape": "truncated_octahedron", "diameter_nm": 3.0},
         "protocol": {"steps": ["structure", "landscape", "sar"], "T_K": 310.0,
                      "landscape": {"n_directions": 26, "sweeps": 10, "equilibration_sweeps": 2,
                                    "thermalisation_sweeps": 10, "observe_every": 1},
                      "sar": {"n_orientations": 8, "landscape_draws": 3}}}
    from atomspin import sar
    from atomspin.batch.context import derived_seed
    from atomspin.batch.steps import landscape as land_step
    from atomspin.batch.steps.sar import landscape_sar

    task = expand(r)[0]
    a, b = run_task(task), run_task(task)
    kv = a["kvp"]
    assert kv["sar_draws"] == 3 and kv["sar_error_source"].startswith("the landscape's: standard deviation")
    assert a["kvp"] == b["kvp"]
    # the step draws from the stored fit covariance as it is (it carries χ²/dof already: no second Birge factor)
    # and propagates the barrier error of the landscape itself
    land = land_step.restore(kv, a["data"])
    assert land.covariance_J2 is not None and kv["barrier_J_err"] == land.barrier_err_J
    p = sar.particle_from_measurements(landscape=land, T_K=310.0)
    again, _ = landscape_sar(p, f=kv["sar_f_Hz"], H0=kv["sar_H0_A_per_m"], media=["immobilised"], n_orientations=8,
                             seed=derived_seed(task["seed"], "sar"), barrier_err_J=land.barrier_err_J,
                             Ms_err_A_per_m=land.Ms_err_A_per_m, covariance_J2=land.covariance_J2, n_draws=3)
    assert again["SAR_W_per_g_draws_sd"] == pytest.approx(kv["SAR_W_per_g_draws_sd"], rel=1e-12)
    assert again["SAR_W_per_g_err"] == pytest.approx(kv["SAR_W_per_g_err"], rel=1e-12)
