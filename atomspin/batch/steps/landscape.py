"""Study step ``landscape``: the free-energy landscape F(n̂) of the particle moment at ``protocol.T_K``
(:func:`atomspin.measure.anisotropy_landscape`: constrained Monte Carlo torques on quasi-uniform directions,
integrated into an even spherical-harmonic potential) — its lowest escape barrier, its minima and first-order
saddles, and the zero-field magnetisation of the particle. The ``sar`` step turns this landscape into heating
(escape rates over every saddle, no fixed attempt time) when both run.

Errors: ``barrier_J_err`` propagates the covariance of the torque fit (autocorrelation-aware torque errors) to
the barrier (first order at the fixed minimum and saddle: both are stationary points); that covariance is already
multiplied by χ²/dof of the fit when it exceeds 1 (the torques scatter more about the degree-L potential than their
error bars say: short runs, or structure beyond degree L; the standard inflation of a fit error), so the error is the
Birge-inflated one (``landscape_barrier_err_birge`` = √(χ²/dof) is written for reference; rows written before
2026-11-30 15:00 UTC applied it a second time);
``Ms_zero_field_A_per_m_err``
is the standard error of ⟨|M|⟩ over the directions. With short runs (``landscape_n_eff_min`` below ≈ 25
independent samples) these errors are themselves uncertain: the spread over seeds (realisations) is the check,
and the report's average over seeds takes the larger of the two.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from atomspin.batch.fields import Field as F
from atomspin.batch.fields import RecipeError

NAME = "landscape"
DOC = ("free-energy landscape F(n̂) of the particle moment at protocol.T_K (constrained Monte Carlo): lowest "
       "escape barrier, minima, saddles, zero-field Ms")
SCHEMA = {
    "n_directions": F("int", 26, "constrained directions on the upper hemisphere (≥ 26: the degree-6 even "
                      "potential has 27 coefficients, F(−n̂) = F(n̂) in zero field)", lo=26, hi=2000),
    "sweeps": F("int", 1000, "sampled constrained Monte Carlo sweeps per direction", lo=10, hi=10_000_000),
    "equilibration_sweeps": F("int", 250, "discarded constrained sweeps per direction (each starts from one "
                              "thermalised state rotated rigidly onto the direction)", lo=0, hi=10_000_000),
    "thermalisation_sweeps": F("int", 1000, "unconstrained sweeps that thermalise the state the directions "
                               "start from", lo=0, hi=10_000_000),
    "observe_every": F("int", 2, "torque sampling interval in sweeps (errors from the autocorrelation of the "
                       "samples)", lo=1, hi=10_000),
    "workers": F("int", 1, "processes running directions in parallel (same numbers for any count; 1 inside a "
                 "Dask sweep, whose workers already use the cores)", lo=1, hi=64),
}
API = ("atomspin.model:SpinModel.from_atoms", "atomspin.measure:anisotropy_landscape")
REQUIRES = ("structure",)
PREFIX = "landscape_"
RESULT_KEYS = {
    "Ms_zero_field_A_per_m": (4.5, "zero-field magnetisation of the particle ⟨|M|⟩/V over the constrained runs "
                              "(the Ms(T) the SAR uses with the landscape), A/m", "Ms in zero field (kA/m)", True,
                              1e-3),
    "barrier_J": (6, "lowest escape barrier of the particle moment, J", "escape barrier ΔE (J)"),
    "barrier_over_kT": (7, "barrier_J / k_B T at protocol.T_K", "escape barrier ΔE / k_BT"),
    "n_minima": (7.2, "minima of F(n̂) on the sphere (each ± pair counted twice; exact count of the fitted "
                 "surface)", "minima of F(n̂)", False),
    "n_saddles": (7.3, "first-order saddles of F(n̂) on the sphere (exact count of the fitted surface)",
                  "saddles of F(n̂)", False),
}


def WORK(r: dict) -> int:
    s = r["protocol"][NAME]
    return s["n_directions"] * (s["sweeps"] + s["equilibration_sweeps"]) + s["thermalisation_sweeps"]


def check(r: dict) -> None:
    steps = r["protocol"]["steps"]
    if NAME not in steps:
        return
    if "kv" in steps:
        raise RecipeError("protocol.steps", "'kv' and 'landscape' both measure the escape barrier (barrier_J); "
                          "keep one (landscape: the whole F(n̂), which the sar step then uses)")
    if not r["protocol"]["T_K"] > 0:
        raise RecipeError("protocol.T_K", "the landscape step needs T_K > 0 (a thermal free energy; the T = 0 "
                          "landscape is measure.anisotropy_landscape(model, 0))")
    s = r["protocol"][NAME]
    if s["observe_every"] > s["sweeps"]:
        raise RecipeError(f"protocol.{NAME}.observe_every", f"{s['observe_every']} is more than the "
                          f"{s['sweeps']} sampled sweeps")


#: 2-D arrays of the landscape result stored with the row (``data["landscape"]``): the fit covariance of
#: ``coefficients_J`` (J²), the dipolar share's covariance and its cross-covariance with the total's (J²), and the
#: measured directions (unit vectors)
MATRIX_KEYS = ("covariance_J2", "dipolar_covariance_J2", "dipolar_cross_covariance_J2", "directions")


def run(ctx) -> None:
    import numpy as np

    from atomspin.measure import anisotropy_landscape
    from atomspin.units import energy_over_kT

    p = ctx.recipe["protocol"]
    s = p[NAME]
    res = anisotropy_landscape(ctx.model, p["T_K"], n_directions=s["n_directions"], sweeps=s["sweeps"],
                               seed=ctx.seed_for(NAME), equilibration_sweeps=s["equilibration_sweeps"],
                               thermalisation_sweeps=s["thermalisation_sweeps"], observe_every=s["observe_every"],
                               workers=s["workers"])
    ctx.results[NAME] = res
    ctx.absorb(NAME, res)
    # the 2-D arrays absorb leaves out: the fit covariance (what a later error estimate draws surfaces from,
    # sar step ``landscape_draws``), the dipolar share's covariances and the measured directions
    stored = ctx.data.setdefault(NAME, {})
    for k in MATRIX_KEYS:
        v = getattr(res, k, None)
        if v is not None:
            stored[k] = np.asarray(v, dtype=np.float64)
    T = p["T_K"]
    chi2 = float(res.chi2_per_dof)
    birge = max(1.0, math.sqrt(chi2)) if math.isfinite(chi2) else 1.0
    # the fit's covariance already carries max(χ²/dof, 1) (measure._sphere_fit.fit_gradient), so the barrier error
    # propagated from it is the Birge-inflated one; rows written before 2026-11-30 15:00 UTC multiplied it by the
    # Birge ratio a second time (their barrier_J_err is × birge too large; landscape_barrier_err_J is right)
    b_err = float(res.barrier_err_J)
    ctx.kvp["landscape_barrier_err_birge"] = birge
    ctx.kvp.update(
        Ms_zero_field_A_per_m=float(res.Ms_A_per_m), Ms_zero_field_A_per_m_err=float(res.Ms_err_A_per_m),
        barrier_J=float(res.barrier_J), barrier_J_err=b_err,
        barrier_over_kT=float(energy_over_kT(float(res.barrier_J), T)),
        barrier_over_kT_err=float(energy_over_kT(b_err, T)),
        n_minima=int(len(res.minima)), n_saddles=int(len(res.saddles)))


# ------------------------------------------------------------------------------------ the stored landscape
@dataclass(frozen=True)
class StoredLandscape:
    """The landscape of a stored row, as the later steps read it (``atomspin rescore``): the fitted surface F/V
    (J/m³) rebuilt from the row's ``coefficients_J`` and ``landscape_degree`` exactly as
    :func:`atomspin.measure.anisotropy_landscape` built it, the volume, the temperature, the zero-field Ms with its
    error, the barrier with the fit's error (``landscape_barrier_err_J``: propagated from a covariance that carries
    χ²/dof; a row's ``barrier_J_err`` written before 2026-11-30 15:00 UTC carries the Birge ratio twice) and, for rows
    stored since it is kept, the fit covariance of the coefficients (J²)."""

    surface: object
    volume_m3: float
    T_K: float
    Ms_A_per_m: float
    Ms_err_A_per_m: float
    barrier_J: float
    barrier_err_J: float
    degree: int
    covariance_J2: object = None  # (m, m) fit covariance of the coefficients (J²); None for rows stored without it


#: row keys :func:`restore` reads (with ``data["landscape"]["coefficients_J"]``)
STORED_KEYS = ("landscape_degree", "landscape_volume_m3", "landscape_T_K", "landscape_Ms_A_per_m",
               "landscape_Ms_err_A_per_m", "landscape_barrier_J", "landscape_barrier_err_J")


def restore(kvp: dict, arrays: dict) -> StoredLandscape:
    """The :class:`StoredLandscape` of a row from its key-value pairs and arrays (``ResultStore.arrays``).

    Raises
    ------
    ValueError
        One line when the row holds no landscape (no landscape step, or a row of a version that kept no
        coefficients), naming what is missing.
    """
    import numpy as np

    from atomspin import macrospin as ms
    from atomspin.measure import _sphere_fit as sf

    missing = [k for k in STORED_KEYS if k not in kvp]
    coef = (arrays.get(NAME) or {}).get("coefficients_J") if isinstance(arrays, dict) else None
    if missing or coef is None:
        what = ", ".join(missing + ([] if coef is not None else [f"data[{NAME!r}]['coefficients_J']"]))
        raise ValueError(f"no stored landscape (missing {what}): the row was not measured with the "
                         f"'{NAME}' step; rerun the sweep with it")
    degree = int(kvp["landscape_degree"])
    V = float(kvp["landscape_volume_m3"])
    coef = np.asarray(coef, dtype=np.float64)
    exps = np.array(sf.exponents(degree))
    if coef.shape != (len(exps),):
        raise ValueError(f"stored landscape: {coef.size} coefficients for degree {degree} (expected {len(exps)})")
    surface = ms.EnergySurface([ms.HarmonicExpansion(exps, coef / V)])  # as anisotropy_landscape builds it
    cov = arrays[NAME].get("covariance_J2")
    if cov is not None:
        cov = np.asarray(cov, dtype=np.float64)
        if cov.shape != (len(exps), len(exps)):
            raise ValueError(f"stored landscape: covariance_J2 of shape {cov.shape} for {len(exps)} coefficients")
    return StoredLandscape(covariance_J2=cov, surface=surface, volume_m3=V, T_K=float(kvp["landscape_T_K"]),
                           Ms_A_per_m=float(kvp["landscape_Ms_A_per_m"]),
                           Ms_err_A_per_m=float(kvp["landscape_Ms_err_A_per_m"]),
                           barrier_J=float(kvp["landscape_barrier_J"]),
                           barrier_err_J=float(kvp["landscape_barrier_err_J"]), degree=degree)


def stored_uniaxial(kvp: dict, arrays: dict, dipolar=None) -> dict:
    """The uniaxial numbers of a stored landscape row, each saying what it is (J/m³, Ku (1 − (n̂·û)²) convention,
    Ku > 0: û easy).

    ``landscape_fit_Ku_J_per_m3`` is the term fit's remainder beyond the shape term it held, so its meaning changed
    when the landscape began to measure the dipolar share of the torque: rows with
    ``landscape_fit_shape_source = "measured dipolar torque"`` (and ``data["landscape"]["dipolar_coefficients_J"]``)
    hold the on-site (Néel surface and defect) remainder; earlier rows, which have no ``landscape_fit_shape_source``,
    held the rigid point-dipole tensor × m_reduced² whenever the model had a dipolar term, so theirs is the on-site
    term plus the thermal deviation of the dipolar term from rigid × m²; without a dipolar term it is the whole
    degree-2 uniaxial part (:data:`atomspin.measure._sphere_fit.KU_MEANINGS`). The whole degree-2 part, rebuilt from
    the stored ``coefficients_J``, means the same in every row.

    Parameters
    ----------
    kvp, arrays : the row's key-value pairs and arrays (``ResultStore.arrays``).
    dipolar : bool or None
        Whether the row's model had a dipolar term (its recipe's ``model.dipolar``); needed only for rows without
        ``landscape_fit_shape_source``.

    Returns
    -------
    dict with ``fit_Ku_J_per_m3``, ``fit_Ku_err_J_per_m3`` (as stored), ``fit_Ku_meaning`` (a key of
    ``KU_MEANINGS``) and ``fit_Ku_meaning_text``; ``Ku_l2_J_per_m3``, ``axis_l2`` (the uniaxial part of the whole
    degree-2 landscape, every row); ``Ku_dipolar_J_per_m3`` and ``Ku_onsite_J_per_m3`` with their axes (the
    uniaxial parts of the measured dipolar share's degree-2 tensor and of the rest), None for rows without the
    measured share.

    Raises
    ------
    ValueError
        One line when the row holds no landscape fit, or when ``dipolar`` is needed and not given.
    """
    import numpy as np

    from atomspin.measure import _sphere_fit as sf

    if "landscape_fit_Ku_J_per_m3" not in kvp:
        raise ValueError("no stored landscape fit (missing landscape_fit_Ku_J_per_m3): the row was not measured "
                         f"with the '{NAME}' step")
    data = (arrays.get(NAME) or {}) if isinstance(arrays, dict) else {}
    dip = data.get("dipolar_coefficients_J")
    source = kvp.get("landscape_fit_shape_source")
    if source is None and dip is not None:
        source = sf.MEASURED_SHAPE
    meaning = sf.ku_meaning(source, dipolar)
    out = dict(fit_Ku_J_per_m3=float(kvp["landscape_fit_Ku_J_per_m3"]),
               fit_Ku_err_J_per_m3=float(kvp.get("landscape_fit_Ku_err_J_per_m3", float("nan"))),
               fit_Ku_meaning=meaning, fit_Ku_meaning_text=sf.KU_MEANINGS[meaning],
               Ku_l2_J_per_m3=None, axis_l2=None, Ku_dipolar_J_per_m3=None, axis_dipolar=None,
               Ku_onsite_J_per_m3=None, axis_onsite=None)
    coef = data.get("coefficients_J")
    if coef is None or "landscape_degree" not in kvp or "landscape_volume_m3" not in kvp:
        return out
    L, V = int(kvp["landscape_degree"]), float(kvp["landscape_volume_m3"])
    Q = sf.l2_of(np.asarray(coef, dtype=np.float64), L) / V
    ku, ax, _ = sf.uniaxial_part(Q)
    out.update(Ku_l2_J_per_m3=ku, axis_l2=ax)
    if dip is not None:
        Qd = sf.l2_of(np.asarray(dip, dtype=np.float64), L) / V
        kd, axd, _ = sf.uniaxial_part(Qd)
        ko, axo, _ = sf.uniaxial_part(Q - Qd)
        out.update(Ku_dipolar_J_per_m3=kd, axis_dipolar=axd, Ku_onsite_J_per_m3=ko, axis_onsite=axo)
    return out
