"""Study step ``sar``: SAR (W/g) and ILP at the drive (f, H0) from the measured particle, at the measurement
temperature ``protocol.T_K``.

Two paths, chosen by the steps that ran:

* **with the ``landscape`` step** (heating from the measured landscape, no fixed τ0): the particle is
  ``sar.particle_from_measurements(landscape=...)`` — the measured free-energy surface F(n̂)/V, its zero-field
  Ms(T) and volume — and ``sar.sar_from_particle(particle, f=, H0=, medium=...)`` picks the valid regime
  (escape rates over every saddle + master equation, the exact Fokker–Planck equation of the macrospin below
  6 k_BT, stochastic LLG) and says why (``sar_model``, ``sar_reason``). Every medium of
  ``protocol.sar.media`` is evaluated on the same landscape: immobilised (Néel only) and water at 37 °C
  (Néel + Brownian rotation of the hydrodynamic sphere). With one medium the row has ``SAR_W_per_g`` and
  ``ILP_nHm2_per_kg``; with several, ``SAR_<medium>_W_per_g`` and ``ILP_<medium>_nHm2_per_kg`` per medium.
  Errors (``<key>_err``): the landscape's error as an error of its overall scale (the surface scaled by
  1 ± σ_barrier/ΔF, ΔF its range, :func:`surface_scale_error`: every barrier and curvature moves with it; the
  difference is taken over at most ±:data:`SCALE_STEP_MAX` and scaled to the error) and the Ms error, propagated
  to second order (slope and curvature of two-sided differences) through the same
  model (:func:`atomspin.batch.errors.propagate`) — for a sampled model (stochastic LLG, or the master
  equation with Brownian rotation in water) through the deterministic adiabatic model of the same medium, as a
  relative error (:data:`STOCHASTIC_PROPAGATION_MODEL`) — in quadrature with the model's own stochastic error;
  the report's average over seeds takes the larger of this and the seed-to-seed spread. With
  ``protocol.sar.landscape_draws`` = n ≥ 2 the landscape's error is instead the standard deviation of the SAR over n
  surfaces drawn from the landscape fit's covariance (which carries the fit's χ²/dof, :func:`draw_surfaces`): it samples the
  landscape's shape (the curvature at a minimum, the anisotropy field), which a saturated drive follows and a scale
  error does not; rows stored without the covariance keep the scale error (``sar_note`` says so).
* **without it** (``loop``/``kv`` only): the fixed-τ0 literature models on the uniaxial K with the measured
  barrier (``tau0_s``), immobilised, as before.

Which anisotropy number a SAR model may use, and whether it is usable at all, is decided by
:mod:`atomspin.sar`; when it refuses the measured particle (e.g. a barrier that is not positive), the row
records SAR = NaN and the reason in ``sar_note``.
"""
from __future__ import annotations

import functools

import numpy as np

from atomspin.batch.fields import Field as F
from atomspin.batch.fields import RecipeError

NAME = "sar"
#: the landscape SAR models of atomspin.sar.sar_from_particle (no τ0)
LANDSCAPE_MODELS = ("master", "fokker_planck", "linear", "adiabatic", "llg")
#: relative Ms error below which its propagation into the SAR error is skipped (see _run_landscape)
MS_REL_NEGLIGIBLE = 1e-3
#: media of protocol.sar.media
MEDIA = ("immobilised", "water")
#: largest relative step of the landscape scale in the SAR error's two-sided difference (derived: a step ≥ 1 turns
#: the surface over; 0.2 keeps every barrier and curvature within 20 % of its value, so the difference gives the
#: local slope and curvature, which second-order propagation scales to the error; the scale errors σ_barrier/ΔF of
#: the studies are 0.3–40 %, surface_scale_error)
SCALE_STEP_MAX = 0.2
#: the deterministic model through which the landscape errors of a stochastic SAR (LLG; master equation with
#: Brownian rotation) are propagated, as a relative error (derived: it carries the same dependence on the barrier
#: through τ_N and on Ms as the sampled model, without sampling noise; see _run_landscape)
STOCHASTIC_PROPAGATION_MODEL = "adiabatic"
DOC = "SAR and ILP of the measured particle at the drive (f, H0), at the measurement temperature protocol.T_K"
SCHEMA = {
    # Clinical field: 100 kHz, 2.5-18 kA/m as usually quoted for the glioblastoma trial of Maier-Hauff et al.,
    # J. Neurooncol. 103, 317 (2011), PMC3097345: the trial is confirmed (abstract read: 66 patients, magnetite
    # nanoparticles heated in an alternating magnetic field), the two drive values are NOT (not in the abstract,
    # methods not read) [U]. H0*f = 1.5e9 A m^-1 s^-1: above the Brezovich limit 4.85e8 (Brezovich, Med. Phys.
    # Monogr. 16, 82 (1988), not read; value as quoted by Faílde et al., arXiv:2405.20756, abstract read) [U],
    # below the Hergt-Dutz 5e9 (Hergt & Dutz, J. Magn. Magn. Mater. 311, 187 (2007), not read) [U];
    # sar_from_particle reports both checks with every row (sar_safety_*).
    "f_Hz": F("float", 100e3, "drive frequency in Hz (clinical: Maier-Hauff et al., J. Neurooncol. 103, 317 "
              "(2011); the trial is confirmed, its 100 kHz is not)", lo=0.0, hi=1e8, lo_open=True, usual=(1e4, 1e7),
              usual_hint="hyperthermia drives run at 10 kHz-10 MHz, and f is in Hz: 100 kHz is 1e5"),
    "H0_A_per_m": F("float", 15e3, "drive amplitude H0 in A/m (clinical 2.5–18 kA/m as quoted for Maier-Hauff et "
                    "al. 2011, not confirmed; H0·f = 1.5e9 A/(m s) exceeds the Brezovich limit 4.85e8)", lo=0.0, hi=1e6,
                    lo_open=True, usual=(1e2, 2e5), usual_hint="H0 is in A/m: 15 kA/m is 15000"),
    "tau0_s": F("float", 1e-9, "Néel attempt time in s (1e-9 s, the common choice of Rosensweig-type "
                "models; 1e-9 to 1e-11 s is the usual range)", lo=1e-14, hi=1e-6),
    "model": F("str", "auto", "SAR model of atomspin.sar.sar_from_particle: 'auto' picks the valid one; with the "
               "landscape step 'master', 'fokker_planck', 'linear', 'adiabatic', 'llg' force a landscape model, without it 'lrt', "
               "'sw', 'kinetic' force a fixed-τ0 model", choices=("auto", "lrt", "sw", "kinetic") + LANDSCAPE_MODELS),
    # media: immobilised = cells/tissue (Néel only); water = 0.69 mPa s at 37 °C (atomspin.sar.Medium.water)
    "media": F("list[str]", ["immobilised"], "media the SAR is evaluated in, on the same measured particle "
               "(immobilised: Néel relaxation only; water: water at 37 °C, Néel + Brownian rotation; needs the "
               "landscape step)", choices=MEDIA, min_len=1),
    # default 0 = the magnetic equivalent-sphere diameter (derived: an uncoated particle, the smallest d_H it can
    # have; a coating or a protein corona only makes it larger)
    "n_orientations": F("int", 48, "field directions in the particle frame of the orientation quadrature "
                        "(immobilised particles, random axes; the adiabatic model uses at most 24), landscape step only",
                        lo=4, hi=2000),
    # default 0 (derived: the scale rule needs no covariance, which rows stored before 2026-11-30 lack, and costs
    # nothing; draws cost one SAR evaluation each per medium)
    "landscape_draws": F("int", 0, "surfaces drawn from the landscape fit's covariance (χ²-inflated) for the "
                         "SAR's landscape error, which then samples the landscape's shape as well as its scale; 0 = "
                         "the scale error σ_barrier/ΔF alone (each draw costs one SAR evaluation per medium)",
                         lo=0, hi=1000, hash_neutral=True),
    "hydrodynamic_diameter_nm": F("float", 0.0, "hydrodynamic diameter d_H for Brownian rotation in a liquid, nm; "
                                  "0 = the magnetic equivalent-sphere diameter (uncoated particle, the smallest d_H)",
                                  lo=0.0, hi=10_000.0),
}
API = ("atomspin.sar:sar_from_particle", "atomspin.sar:particle_from_measurements", "atomspin.sar:Medium",
       "atomspin.measure:saturation_magnetisation")
#: compiles the SAR kernels on a small synthetic particle (a sweep on a local cluster runs it on a second worker)
WARMUP = "atomspin.sar.warmup:compile_kernels"
REQUIRES = ("structure",)
REQUIRES_ANY = ("loop", "kv", "landscape")
PREFIX = "sar_"
RESULT_KEYS = {"SAR_W_per_g": (8, "specific absorption rate at (f, H0), W per g of oxide", "SAR (W/g)"),
               "ILP_nHm2_per_kg": (8.5, "intrinsic loss power SAR/(f H0²), nH m²/kg", "ILP (nH m²/kg)"),
               "SAR_immobilised_W_per_g": (8.1, "specific absorption rate at (f, H0), immobilised particles (Néel "
                                           "only), W per g of oxide", "SAR immobilised (W/g)"),
               "SAR_water_W_per_g": (8.2, "specific absorption rate at (f, H0), particles in water at 37 °C (Néel + "
                                     "Brownian), W per g of oxide", "SAR in water (W/g)"),
               "ILP_immobilised_nHm2_per_kg": (8.6, "intrinsic loss power SAR/(f H0²), immobilised, nH m²/kg",
                                               "ILP immobilised (nH m²/kg)"),
               "ILP_water_nHm2_per_kg": (8.7, "intrinsic loss power SAR/(f H0²), in water, nH m²/kg",
                                         "ILP in water (nH m²/kg)")}
#: the conditions of the SAR, written with every row (``sar_medium``: how the particles are held)
CONDITIONS = {"sar_f_Hz": "drive frequency f, Hz", "sar_H0_A_per_m": "drive amplitude H0, A/m",
              "sar_medium": "medium", "sar_model": "SAR model"}
#: the medium of each name in protocol.sar.media (words for the reports)
MEDIUM_WORDS = {"immobilised": "immobilised (Néel relaxation only, no Brownian rotation)",
                "water": "water at 37 °C, 0.69 mPa s (Néel + Brownian rotation)"}
MEDIUM = "immobilised (Néel relaxation only, no Brownian rotation), random easy axes"


#: the source, relative to the package, that the SAR columns of a row depend on (:func:`code_version`)
CODE_PATHS = ("sar", "macrospin", "batch/steps/sar.py", "batch/errors.py", "units.py")


def _code_text(source: str) -> str:
    """The code of a module without its comments and docstrings (module, class, function and attribute
    docstrings: every statement that is a bare string), as ``ast.dump`` writes it: documentation edits leave it
    unchanged, every change to what the module computes changes it."""
    import ast

    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            kept = [st for st in body if not (isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant)
                                              and isinstance(st.value.value, str))]
            node.body = kept or [ast.Pass()]
    return ast.dump(tree, include_attributes=False)


@functools.lru_cache(maxsize=None)
def code_version() -> str:
    """``"atomspin <version>, sar <12 hex digits>"``: the package version and a SHA-256 over the code of the
    source files of :data:`CODE_PATHS` (every ``.py`` file, by path and by its code without comments and docstrings,
    :func:`_code_text`). Written with every row as ``sar_code_version``: it changes exactly when the code that
    computes the SAR columns changes (not when only their documentation does), so ``atomspin rescore`` can tell rows
    computed by other code (stale) from current ones."""
    import hashlib
    from pathlib import Path

    import atomspin

    root = Path(atomspin.__file__).resolve().parent
    h = hashlib.sha256()
    for rel in CODE_PATHS:
        p = root / rel
        for f in sorted(p.rglob("*.py")) if p.is_dir() else [p]:
            h.update(str(f.relative_to(root)).encode() + b"\0")
            h.update(_code_text(f.read_text(encoding="utf-8")).encode() if f.is_file() else b"missing")
    return f"atomspin {atomspin.__version__}, sar {h.hexdigest()[:12]}"


def check(r: dict) -> None:
    steps = r["protocol"]["steps"]
    if "sar" not in steps:
        return
    if not r["protocol"]["T_K"] > 0:
        raise RecipeError("protocol.T_K", "the sar step needs the measurement temperature above 0 K (Néel "
                          "relaxation is thermal; Ms and K are measured at protocol.T_K)")
    sp = r["protocol"][NAME]
    landscape = "landscape" in steps
    if sp["model"] in LANDSCAPE_MODELS and not landscape:
        raise RecipeError("protocol.sar.model", f"{sp['model']!r} is a landscape model: it needs the 'landscape' "
                          "step in protocol.steps (without it: 'auto', 'lrt', 'sw' or 'kinetic')")
    if landscape and sp["model"] in ("lrt", "sw", "kinetic"):
        raise RecipeError("protocol.sar.model", f"{sp['model']!r} is a fixed-τ0 uniaxial model; with the landscape "
                          "step use 'auto', 'master', 'fokker_planck', 'linear', 'adiabatic' or 'llg'")
    if sp["landscape_draws"] and not landscape:
        raise RecipeError("protocol.sar.landscape_draws", "draws are of a measured landscape: they need the "
                          "'landscape' step in protocol.steps (without it leave landscape_draws at 0)")
    if sp["landscape_draws"] == 1:
        raise RecipeError("protocol.sar.landscape_draws", "1 draw gives no standard deviation: 0 (the scale "
                          "error) or ≥ 2")
    if not landscape and list(sp["media"]) != ["immobilised"]:
        raise RecipeError("protocol.sar.media", "a liquid medium needs the 'landscape' step (the fixed-τ0 models "
                          "are for immobilised particles)")


def run(ctx) -> None:
    import dataclasses

    from atomspin.measure import saturation_magnetisation
    from atomspin.sar import particle_from_measurements, sar_from_particle

    p = ctx.recipe["protocol"]
    sp = p[NAME]
    ctx.kvp["sar_code_version"] = code_version()
    if "landscape" in ctx.results:
        return _run_landscape(ctx, ctx.results["landscape"], p, sp)
    est = saturation_magnetisation(loop=ctx.results.get("loop"), anisotropy=ctx.results.get("kv"), model=ctx.model)
    ctx.kvp["Ms_source"] = est.source
    ctx.kvp.setdefault("Ms_A_per_m", est.Ms_A_per_m)
    ctx.kvp.setdefault("Ms_A_per_m_err", est.Ms_err_A_per_m)
    ctx.kvp.update(sar_f_Hz=float(sp["f_Hz"]), sar_H0_A_per_m=float(sp["H0_A_per_m"]), sar_medium=MEDIUM)
    note = _torque_note(ctx.results.get("kv"))

    def sar(particle):
        return sar_from_particle(particle, f=sp["f_Hz"], H0=sp["H0_A_per_m"], tau0=sp["tau0_s"], model=sp["model"],
                                 seed=ctx.seed_for(NAME), allow_nonclinical=True)

    try:  # the typed hand-off: the measured results by role, Ms and V as measured here
        particle = particle_from_measurements(anisotropy=ctx.results.get("kv"), loop=ctx.results.get("loop"),
                                              T_K=p["T_K"], Ms_A_per_m=est.Ms_A_per_m,
                                              volume_m3=float(ctx.model.volume_m3))
        res = sar(particle)
    except ValueError as err:  # the sar layer refuses the measured particle: say why in the row
        ctx.kvp.update(SAR_W_per_g=float("nan"), ILP_nHm2_per_kg=float("nan"),
                       sar_note=f"not computed: {str(err).splitlines()[0]}; increase protocol.kv.sweeps")
        return
    ctx.results[NAME] = res
    ctx.absorb(NAME, res)
    ctx.kvp.update(SAR_W_per_g=float(res.sar_W_per_g), ILP_nHm2_per_kg=float(res.ilp_nHm2_per_kg),
                   sar_model=str(res.model))
    from_barrier = "barrier" in str(particle.source.get("anisotropy", ""))
    if note and from_barrier:
        ctx.kvp["sar_note"] = note
    _errors(ctx, particle, from_barrier,
            lambda **kw: sar(dataclasses.replace(particle, source=dict(particle.source), **kw)))


def _errors(ctx, particle, from_barrier, sar):
    """SAR and ILP errors from those of Ms and of the anisotropy (the barrier or the 2θ amplitude, whichever
    the SAR used), by central differences through the same SAR model (:func:`atomspin.batch.errors.propagate`)."""
    from atomspin.batch.errors import propagate

    V = float(particle.volume_m3)
    k_err = (ctx.kvp.get("barrier_J_err", float("nan")) / V if from_barrier
             else ctx.kvp.get("torque_amplitude_2theta_J_per_m3_err", float("nan")))
    err = propagate(lambda Ms, K: (lambda r: {"SAR_W_per_g": r.sar_W_per_g, "ILP_nHm2_per_kg": r.ilp_nHm2_per_kg})(
        sar(Ms_A_per_m=Ms, K_uniaxial_J_per_m3=K)),
        {"Ms": float(particle.Ms_A_per_m), "K": float(particle.K_uniaxial_J_per_m3)},
        {"Ms": ctx.kvp.get("Ms_A_per_m_err", float("nan")), "K": k_err})
    ctx.kvp.update({f"{k}_err": v for k, v in err.items()})


def _torque_note(kv):
    """A note when the 2θ torque amplitude a ± σ of the kv step is not resolved (|a| ≤ 2σ)."""
    if kv is None:
        return None
    a, err = float(kv.torque_amplitude_2theta_meV), float(kv.torque_amplitude_2theta_err_meV)
    if a > 2 * err:
        return None
    return (f"K_eff for SAR = barrier/V; the 2-theta torque amplitude {a:.3g} +- {err:.2g} meV is not resolved "
            "(cubic particles have little 2-theta torque)")


# ------------------------------------------------------------------------------------ from the landscape
def _medium(name, sar_mod):
    return sar_mod.Medium.solid() if name == "immobilised" else sar_mod.Medium.water()


def _scaled_particle(particle, scale, Ms):
    """The particle with its anisotropy energy density multiplied by ``scale`` (every barrier and curvature of
    the landscape scales with it) and Ms replaced."""
    from atomspin import macrospin as ms

    terms = [ms.HarmonicExpansion(t.exponents, np.asarray(t.coefficients) * scale) for t in particle.landscape.terms]
    return particle.replace(landscape=ms.EnergySurface(terms), Ms_A_per_m=Ms)


def surface_scale_error(surface, volume_m3, barrier_err_J):
    """Relative standard error of the overall scale of a measured landscape: σ_barrier / ΔF.

    The barrier's error σ_barrier (J; the landscape step's, χ²-inflated) is the error of a difference of two
    values of the measured surface F(n̂). The landscape is known to that absolute error, so its overall scale is
    known to σ_barrier / ΔF, where ΔF = V (max − min of F/V over the sphere) is the surface's largest difference:
    scaling the surface by 1 ± σ_barrier/ΔF moves that difference by ± σ_barrier. For a surface whose escape
    barrier spans its whole range (a uniaxial or two-minimum particle, every barrier ≥ 4 k_BT of the studies)
    this is σ_barrier / barrier; for a particle whose barrier is a small part of its surface (a sub-k_BT barrier
    on a surface several k_BT deep) it does not mistake the barrier's large relative error for one of the whole
    surface (that rule gave 80–300 % scale errors to the 16–19.7 nm defect-free particles, whose SAR varies by 2–5 %
    between Monte Carlo realisations).

    Parameters
    ----------
    surface : atomspin.macrospin.EnergySurface
        F/V in J/m³.
    volume_m3 : float
        Particle volume V, m³.
    barrier_err_J : float
        Standard error of the escape barrier, J.

    Returns
    -------
    float
        σ_barrier / ΔF (nan when the error is not finite or the surface is flat).
    """
    from atomspin import macrospin as ms

    if not (np.isfinite(volume_m3) and volume_m3 > 0):
        raise ValueError(f"volume_m3: {volume_m3!r}; must be a finite volume > 0 m³")
    cp = ms.critical_points(surface)
    grid = surface.energy(ms.fibonacci_sphere(2000))
    hi = max([float(grid.max())] + [float(e) for e in cp.e_maxima] + [float(e) for e in cp.e_saddles])
    lo = min([float(grid.min())] + [float(e) for e in cp.e_minima])
    span = (hi - lo) * float(volume_m3)
    if not (np.isfinite(barrier_err_J) and span > 0):
        return float("nan")
    return float(barrier_err_J) / span


def derived_draw_seed(seed):
    """The seed of the landscape draws of a SAR evaluated with ``seed`` (a stream of its own: the draws do not
    share random numbers with a sampled SAR model)."""
    return int(np.random.SeedSequence([int(seed), 0x5A5D]).generate_state(1)[0])


def draw_surfaces(surface, covariance_J2, volume_m3, n, seed):
    """Surfaces F/V drawn from the Gaussian fit covariance of a measured landscape (parametric bootstrap).

    Parameters
    ----------
    surface : atomspin.macrospin.EnergySurface
        The measured F/V (J/m³): one harmonic expansion, as :func:`atomspin.measure.anisotropy_landscape` builds it.
    covariance_J2 : (m, m) array_like
        Covariance of the m coefficients of F = V·(F/V), J² (the landscape's ``covariance_J2``, which already
        carries the fit's max(χ²/dof, 1): do not inflate it again).
    volume_m3 : float
        Particle volume V, m³.
    n : int
        Number of surfaces.
    seed : int
        Seed of the draws.

    Returns
    -------
    list of atomspin.macrospin.EnergySurface
        n surfaces F/V (J/m³) with coefficients ~ N(measured, covariance_J2 / V²).
    """
    from atomspin import macrospin as ms

    terms = list(surface.terms)
    if len(terms) != 1 or not hasattr(terms[0], "exponents"):
        raise ValueError("surface: draws need the one harmonic expansion a measured landscape has")
    c = np.asarray(terms[0].coefficients, dtype=np.float64)
    cov = np.asarray(covariance_J2, dtype=np.float64)
    if cov.shape != (c.size, c.size) or not np.all(np.isfinite(cov)):
        raise ValueError(f"covariance_J2: shape {cov.shape}; must be a finite ({c.size}, {c.size}) matrix (one row "
                         "and column per coefficient of the surface)")
    if not (np.isfinite(volume_m3) and volume_m3 > 0):
        raise ValueError(f"volume_m3: {volume_m3!r}; must be a finite volume > 0 m³")
    # eigen-decomposition of the symmetrised covariance; eigenvalues below 0 (rounding of a positive semi-definite
    # fit covariance: the constant direction, which no torque constrains) are set to 0
    w, U = np.linalg.eigh(0.5 * (cov + cov.T) / float(volume_m3) ** 2)
    z = np.random.default_rng(int(seed)).standard_normal((int(n), c.size))
    draws = c + (z * np.sqrt(np.clip(w, 0.0, None))) @ U.T
    return [ms.EnergySurface([ms.HarmonicExpansion(terms[0].exponents, d)]) for d in draws]


def landscape_sar(particle, *, f, H0, media, model="auto", n_orientations=48, seed=0, barrier_err_J=float("nan"),
                  Ms_err_A_per_m=float("nan"), covariance_J2=None, n_draws=0):
    """SAR and ILP, with errors, of a measured particle in each medium (the landscape path of the step).

    Parameters
    ----------
    particle : atomspin.sar.Particle
        From ``sar.particle_from_measurements(landscape=...)``.
    f : float
        Drive frequency, Hz.
    H0 : float
        Drive amplitude, A/m.
    media : sequence of str
        Names of :data:`MEDIA`.
    model : str
        ``"auto"`` or one of :data:`LANDSCAPE_MODELS`.
    n_orientations : int
        Field directions of the orientation quadrature.
    seed : int
        Seed of a sampled model.
    barrier_err_J : float
        Standard error of the escape barrier, J (:func:`surface_scale_error`).
    Ms_err_A_per_m : float
        Standard error of Ms, A/m.
    covariance_J2 : (m, m) array_like, optional
        Covariance of the landscape's coefficients (J²; the fit's, which carries χ²/dof); needed for ``n_draws``.
    n_draws : int
        0: the landscape error is the scale error σ_barrier/ΔF (:func:`surface_scale_error`), propagated to second
        order. n ≥ 2: it is the standard deviation of the SAR over n surfaces drawn from ``covariance_J2``
        (:func:`draw_surfaces`, seeded from ``seed``), which samples the landscape's shape as well as its scale; the
        Ms error is still propagated. Draws the SAR model refuses (e.g. a surface without a minimum) are left out
        and counted.

    Returns
    -------
    values : dict
        The row's columns: ``SAR[_<medium>]_W_per_g``, ``ILP[_<medium>]_nHm2_per_kg``, their ``_err``,
        ``sar_model``, ``sar_reason``, ``sar_scale_rel_err``, ``sar_error_source``; with draws also
        ``SAR[_<medium>]_W_per_g_draws_sd`` (the draws' standard deviation, W/g), ``sar_draws`` (draws made),
        ``sar_draws_refused`` (the most any medium's model refused) and, when more than a quarter were refused,
        ``sar_note``.
    reports : dict
        ``{medium: SARReport}``.
    """
    from atomspin import sar as sar_mod
    from atomspin.batch.errors import propagate

    media = list(media)
    bad = [m for m in media if m not in MEDIA]
    if not media or bad:
        raise ValueError(f"media: {media!r}; each must be one of {MEDIA} (at least one)")
    if model != "auto" and model not in LANDSCAPE_MODELS:
        raise ValueError(f"model: {model!r}; must be 'auto' or one of {LANDSCAPE_MODELS}")
    n_draws = int(n_draws)
    if n_draws < 0 or n_draws == 1:
        raise ValueError(f"n_draws: {n_draws}; must be 0 (scale error) or ≥ 2 (a standard deviation over draws)")
    if n_draws and covariance_J2 is None:
        raise ValueError("covariance_J2: needed for n_draws > 0 (rows stored before the landscape step kept its "
                         "covariance have none: use n_draws = 0)")
    multi = len(media) > 1
    rel = surface_scale_error(particle.landscape, particle.volume_m3, barrier_err_J)
    values, reports, models, reasons = {"sar_scale_rel_err": rel}, {}, [], []
    surfaces = draw_surfaces(particle.landscape, covariance_J2, particle.volume_m3, n_draws,
                             derived_draw_seed(seed)) if n_draws else []
    refused = 0
    for m in media:
        medium = _medium(m, sar_mod)
        sk, ik = _keys(m, multi)
        rep = sar_mod.sar_from_particle(particle, f=f, H0=H0, medium=medium, model=model, seed=seed,
                                        allow_nonclinical=True, n_orientations=n_orientations)
        reports[m] = rep
        values.update({sk: float(rep.sar_W_per_g), ik: float(rep.ilp_nHm2_per_kg)})
        models.append(f"{m}: {rep.model}")
        reasons.append(f"{m}: {rep.regime.get('reason', '')}")
        used = rep.model if model == "auto" else model

        # a stochastic model (members sampled: LLG, or the master equation with Brownian rotation in a liquid)
        # propagates the landscape errors through the deterministic adiabatic model of the same medium, as a
        # relative error: its own finite differences would be differences of two sampled runs, whose sampling
        # noise (≈ 0.7 of its stochastic error) would swamp the sensitivity and cost two more runs each
        stochastic = used == "llg" or (used == "master" and not medium.immobilised)
        prop_model = STOCHASTIC_PROPAGATION_MODEL if stochastic else used

        def fn(Ms, scale, medium=medium, prop_model=prop_model, sk=sk, ik=ik, on=None):
            base = particle if on is None else particle.replace(landscape=on)
            r = sar_mod.sar_from_particle(_scaled_particle(base, scale, Ms), f=f, H0=H0, medium=medium,
                                          model=prop_model, seed=seed, allow_nonclinical=True,
                                          n_orientations=n_orientations)
            return {sk: r.sar_W_per_g, ik: r.ilp_nHm2_per_kg}

        Ms = float(particle.Ms_A_per_m)
        # an Ms error below MS_REL_NEGLIGIBLE is left out (two SAR evaluations per medium saved): SAR varies at
        # most as Ms³ (χ0 ∝ Ms², τ_D ∝ Ms), so it moves the SAR by < 3·MS_REL_NEGLIGIBLE relative
        small = np.isfinite(Ms_err_A_per_m) and Ms_err_A_per_m < MS_REL_NEGLIGIBLE * Ms
        errs = {} if small else {"Ms": Ms_err_A_per_m}
        if not surfaces:
            errs["scale"] = rel
        # second order: a SAR that peaks near the measured scale (a saturated drive) has no first-order error
        err = propagate(fn, {"Ms": Ms, "scale": 1.0}, errs, steps={"scale": SCALE_STEP_MAX}, second_order=True)
        if surfaces:  # the landscape's error: the spread of the SAR over the drawn surfaces, through the same model
            drawn = []
            for surf in surfaces:
                try:
                    drawn.append(fn(Ms, 1.0, on=surf)[sk])
                except (ValueError, np.linalg.LinAlgError):  # e.g. a drawn surface without a minimum
                    drawn.append(float("nan"))
            drawn = np.asarray(drawn, dtype=np.float64)
            refused = max(refused, int(np.count_nonzero(~np.isfinite(drawn))))  # the most of any medium
            drawn = drawn[np.isfinite(drawn)]
            sd = float(np.std(drawn, ddof=1)) if drawn.size >= 2 else float("nan")
            values[f"{sk}_draws_sd"] = sd
            err = {**err, sk: float(np.hypot(err.get(sk, 0.0), sd))}
        if stochastic:  # the adiabatic model's relative error, applied to the sampled SAR
            ref = fn(Ms, 1.0)[sk]
            err = {sk: abs(err.get(sk, float("nan")) / ref * rep.sar_W_per_g) if ref else float("nan")}
        s_err = float(np.hypot(err.get(sk, float("nan")), float(rep.sar_err_W_per_g)))
        ilp_err = s_err * (rep.ilp_nHm2_per_kg / rep.sar_W_per_g) if rep.sar_W_per_g else err.get(ik, float("nan"))
        values.update({f"{sk}_err": s_err, f"{ik}_err": float(ilp_err)})
    values["sar_model"] = models[0].split(": ", 1)[1] if not multi else "; ".join(models)
    values["sar_reason"] = "; ".join(reasons)[:200]
    if surfaces:
        values.update(sar_draws=n_draws, sar_draws_refused=refused)  # refused: the most of any medium
        if refused > n_draws // 4:  # the refused draws are the extreme ones: the spread of the rest is low
            values["sar_note"] = (f"{refused} of {n_draws} drawn landscapes refused by the SAR model (no minimum or "
                                  "no solution): the landscape error is the spread of the others, biased low")
        values["sar_error_source"] = (f"the landscape's: standard deviation over {n_draws} surfaces drawn from the fit "
                                      "covariance (χ²-inflated); Ms propagated to second order (when above "
                                      f"{MS_REL_NEGLIGIBLE:g} relative; for a sampled model as the relative error of "
                                      f"the {STOCHASTIC_PROPAGATION_MODEL} model); in quadrature with the model's "
                                      "stochastic error")
        return values, reports
    values["sar_error_source"] = ("propagated to second order: the landscape's scale (relative error σ_barrier/ΔF, "
                                  "ΔF the surface's range) and Ms (when above "
                                  f"{MS_REL_NEGLIGIBLE:g} relative; for a sampled model as the relative error of the "
                                  f"{STOCHASTIC_PROPAGATION_MODEL} model), in quadrature with the model's stochastic "
                                  "error")
    return values, reports


def _run_landscape(ctx, land, p, sp) -> None:
    """SAR and ILP in every medium of ``protocol.sar.media`` from the measured landscape (module docstring)."""
    from atomspin import sar as sar_mod

    d_h = float(sp["hydrodynamic_diameter_nm"])
    f, H0, seed = float(sp["f_Hz"]), float(sp["H0_A_per_m"]), ctx.seed_for(NAME)
    media = list(sp["media"])
    multi = len(media) > 1
    ctx.kvp.update(sar_f_Hz=f, sar_H0_A_per_m=H0, Ms_source="landscape: ⟨|M|⟩/V of the constrained runs")
    try:
        particle = sar_mod.particle_from_measurements(landscape=land, T_K=p["T_K"],
                                                      hydrodynamic_diameter_m=d_h * 1e-9 if d_h > 0 else None)
    except ValueError as err:  # the sar layer refuses the measured particle (e.g. a landscape without minima)
        for m in media:
            sk, ik = _keys(m, multi)
            ctx.kvp.update({sk: float("nan"), ik: float("nan")})
        msg = str(err).splitlines()[0]
        hint = "" if msg.startswith("hydrodynamic") else "; increase protocol.landscape.sweeps"
        ctx.kvp["sar_note"] = f"not computed: {msg}{hint}"
        ctx.kvp["sar_medium"] = "; ".join(MEDIUM_WORDS[m] for m in media)
        return
    dh_used = particle.hydrodynamic_diameter_m or particle.diameter_m
    words = [MEDIUM_WORDS[m] + (f", d_H = {dh_used * 1e9:.3g} nm" if m == "water" else "") for m in media]
    ctx.kvp["sar_medium"] = "; ".join(words)
    ctx.kvp["sar_hydrodynamic_diameter_nm"] = float(dh_used * 1e9)
    ctx.kvp["sar_magnetic_diameter_nm"] = float(particle.diameter_m * 1e9)
    # the barrier error propagated from the fit's covariance (which carries χ²/dof): the measured landscape's own
    # (a rescored row's landscape_barrier_err_J; its barrier_J_err, if written before 2026-11-30 15:00 UTC, carries
    # the Birge ratio twice)
    b_err = float(land.barrier_err_J)
    n_draws = int(sp.get("landscape_draws", 0))
    cov = getattr(land, "covariance_J2", None)
    if n_draws and cov is None:
        ctx.kvp["sar_note"] = ("protocol.sar.landscape_draws ignored: the stored landscape has no fit covariance "
                               "(a row stored before it was kept); the scale error was used")
        n_draws = 0
    values, reports = landscape_sar(particle, f=f, H0=H0, media=media, model=sp["model"],
                                    n_orientations=int(sp["n_orientations"]), seed=seed, barrier_err_J=b_err,
                                    Ms_err_A_per_m=float(land.Ms_err_A_per_m),
                                    # the fit's covariance, already × max(χ²/dof, 1) (fit_gradient)
                                    covariance_J2=None if not n_draws else np.asarray(cov),
                                    n_draws=n_draws)
    ctx.kvp.update(values)
    for m, rep in reports.items():
        ctx.results[f"{NAME}_{m}"] = rep
    if not multi:
        ctx.results[NAME] = reports[media[0]]


def _keys(medium, multi):
    return (f"SAR_{medium}_W_per_g", f"ILP_{medium}_nHm2_per_kg") if multi else ("SAR_W_per_g", "ILP_nHm2_per_kg")
