"""Standard errors of quantities derived non-linearly from Monte Carlo averages (parametric bootstrap).

The measurements give every Monte Carlo average with its autocorrelation-aware standard error
(:func:`atomspin.engine.statistics.mean_error`). A quantity that is a non-linear function of several such
averages — the escape barrier from a Fourier fit of constrained torques, the temperature of the
susceptibility maximum — gets its error here by resampling the averages within their errors (independent
normal deviates, the same analysis applied to each resample) and taking the standard deviation of the
results (Efron & Tibshirani, *An Introduction to the Bootstrap*, Chapman & Hall (1993), ch. 6: the
parametric bootstrap). For a linear analysis this equals first-order error propagation (tested).
"""
from __future__ import annotations

import numpy as np

from atomspin.validation import check_int, check_seed

__all__ = ["barrier_error", "tc_chi_peak_error", "DEFAULT_RESAMPLES"]

#: resamples per error estimate: the relative error of a bootstrap standard deviation is ≈ 1/√(2n) = 5 %
DEFAULT_RESAMPLES = 200


def _barrier_meV(theta, minus_tau, tau_err, theta_max, n_harmonics):
    """Escape barrier (meV) of fitted torque profiles, the analysis of
    :func:`atomspin.measure.anisotropy.effective_anisotropy` (fit, F on a fine grid, lowest escape)."""
    from atomspin.measure.anisotropy import escape_barrier, fit_torque, free_energy_series

    fits = [fit_torque(theta, minus_tau[p], tau_err[p], n_harmonics=n_harmonics, cosine=True)
            for p in range(minus_tau.shape[0])]
    fine = np.linspace(0.0, theta_max, 721)
    F = np.array([free_energy_series(fine, f[0], f[1]) for f in fits])
    periodic = bool(np.isclose(theta_max, np.pi))
    fglob = F.min()
    return float(min(escape_barrier(fine, row, periodic) + (row.min() - fglob) for row in F))


def barrier_error(result, n_resamples=DEFAULT_RESAMPLES, seed=0):
    """Standard error (meV) of the escape barrier of an
    :class:`~atomspin.measure.EffectiveAnisotropyResult`, by resampling its torques within their errors.

    Parameters
    ----------
    result : EffectiveAnisotropyResult
        Uses ``theta`` (rad), ``torque_meV`` and ``torque_err_meV`` ((planes, angles), meV).
    n_resamples : int ≥ 10
    seed : int

    Returns
    -------
    float
        σ of ``barrier_meV`` in meV; nan when a torque error is not finite (runs too short to estimate it).
        The resampling width of each plane is its torque errors times √max(χ²/dof, 1) of its Fourier fit, the
        convention of the fit's own parameter errors.
    """
    n = check_int("n_resamples", n_resamples, 10, 100_000)
    rng = np.random.default_rng(check_seed(seed))
    theta = np.asarray(result.theta, dtype=np.float64)
    tau = np.atleast_2d(np.asarray(result.torque_meV, dtype=np.float64))
    err = np.atleast_2d(np.asarray(result.torque_err_meV, dtype=np.float64))
    if tau.shape != err.shape or tau.shape[-1] != theta.size:
        raise ValueError(f"result: torque_meV {tau.shape} and torque_err_meV {err.shape} do not match theta "
                         f"({theta.size} angles)")
    if not np.all(np.isfinite(err)):
        return float("nan")
    n_h = max(1, min(3, (theta.size - 1) // 4))  # as effective_anisotropy
    theta_max = float(theta[-1])
    scale = _misfit_scale(theta, -tau, err, n_h)
    b = [_barrier_meV(theta, -(tau + scale * err * rng.standard_normal(tau.shape)), err, theta_max, n_h)
         for _ in range(n)]
    return float(np.std(b, ddof=1))


def _misfit_scale(theta, minus_tau, err, n_h):
    """(planes, 1) factor √max(χ²/dof, 1) of the Fourier fit of each plane: torques that scatter about the fit
    more than their errors allow (harmonics beyond the fit, underestimated errors) widen the resampling, as
    they widen the fit's own parameter errors (:func:`atomspin.measure.anisotropy.fit_torque`)."""
    from atomspin.measure.anisotropy import fit_torque

    out = np.ones((minus_tau.shape[0], 1))
    for p in range(minus_tau.shape[0]):
        a, b, _, _ = fit_torque(theta, minus_tau[p], err[p], n_harmonics=n_h, cosine=True)
        model = sum(a[l] * np.sin(2 * (l + 1) * theta) + b[l] * np.cos(2 * (l + 1) * theta) for l in range(n_h))
        dof = theta.size - 2 * n_h
        if dof > 0 and np.all(err[p] > 0):
            chi2 = float(np.sum(((model - minus_tau[p]) / err[p]) ** 2)) / dof
            out[p, 0] = np.sqrt(max(chi2, 1.0))
    return out


def tc_chi_peak_error(T, chi, chi_err, n_resamples=DEFAULT_RESAMPLES, seed=0):
    """Standard error (K) of :func:`~atomspin.measure.tc_chi_peak` from the errors of χ(T).

    Parameters
    ----------
    T : (K,) temperatures, K; chi : (K,) susceptibility; chi_err : (K,) its standard errors (same unit).
    n_resamples : int ≥ 10
    seed : int

    Returns
    -------
    float
        σ of the peak temperature in K, from resampling χ within its errors; it does not include the grid:
        a maximum at either end of the scan is not a peak (the caller reports it as not resolved). nan when
        an error is not finite.
    """
    from atomspin.measure.thermo import tc_chi_peak

    n = check_int("n_resamples", n_resamples, 10, 100_000)
    rng = np.random.default_rng(check_seed(seed))
    T, chi, e = (np.asarray(a, dtype=np.float64) for a in (T, chi, chi_err))
    if not (T.shape == chi.shape == e.shape) or T.ndim != 1 or T.size < 3:
        raise ValueError("T, chi, chi_err: need three equal-length 1-D arrays with at least 3 temperatures")
    if not np.all(np.isfinite(e)):
        return float("nan")
    tc = [tc_chi_peak(T, chi + e * rng.standard_normal(chi.shape)) for _ in range(n)]
    return float(np.std(tc, ddof=1))
