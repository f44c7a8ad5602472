"""Autocorrelation-aware error bars (atomspin.engine.statistics) against exact results.

AR(1) process x_t = ρ x_{t−1} + ε_t (unit Gaussian ε, stationary start): ρ(t) = ρ^t, so
τ_int = 1/2 + Σ_{t≥1} ρ^t = (1 + ρ) / (2(1 − ρ)) and, exactly for finite n,
var(x̄) = σ²/n [1 + 2 Σ_{t=1}^{n−1} (1 − t/n) ρ^t] with σ² = 1/(1 − ρ²).
"""
import math

import numpy as np
import pytest
from scipy.signal import lfilter

from atomspin.engine.statistics import (autocorrelation, blocking_error, integrated_autocorrelation_time,
                                        mean_error)


def ar1(rho, n, rng, size=None):
    """Stationary AR(1) series (shape (n,) or (size, n))."""
    shape = (n,) if size is None else (size, n)
    e = rng.normal(size=shape)
    x0 = rng.normal(size=shape[:-1] + (1,)) / math.sqrt(1.0 - rho * rho)
    x, _ = lfilter([1.0], [1.0, -rho], e, axis=-1, zi=rho * x0)
    return x


def tau_exact(rho):
    return (1.0 + rho) / (2.0 * (1.0 - rho))


def var_mean_exact(rho, n):
    t = np.arange(1, n)
    return (1.0 + 2.0 * np.sum((1.0 - t / n) * rho ** t)) / (n * (1.0 - rho * rho))


def _tau_reference(x, c=5.0):
    """Slow obvious version: O(n²) autocovariance and the window loop of Sokal (1997) §3."""
    x = np.asarray(x, float)
    n = len(x)
    d = x - x.mean()
    C = np.array([sum(d[i] * d[i + t] for i in range(n - t)) / n for t in range(n)])
    rho = C / C[0]
    tau = 0.5
    for M in range(1, n):
        tau += rho[M]
        if M >= c * tau:
            return rho, tau
    return rho, tau


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9])
def test_ar1_integrated_autocorrelation_time(rho):
    """n = 2·10⁵: statistical error of τ̂ ≈ √(2(2M+1)/n) ≤ 3 %; 10 % tolerance (white noise: τ = 1/2)."""
    x = ar1(rho, 200_000, np.random.default_rng(int(rho * 10) + 1))
    assert integrated_autocorrelation_time(x) == pytest.approx(tau_exact(rho), rel=0.10)
    mean, err, tau, n_eff = mean_error(x)
    assert err == pytest.approx(math.sqrt(var_mean_exact(rho, len(x))), rel=0.06)
    assert n_eff == pytest.approx(len(x) / (2 * tau))


def test_fft_autocorrelation_and_window_match_slow_reference():
    rng = np.random.default_rng(3)
    for x in (ar1(0.7, 300, rng), rng.normal(size=257), np.cumsum(rng.normal(size=64))):
        rho_ref, tau_ref = _tau_reference(x)
        assert np.allclose(autocorrelation(x), rho_ref, atol=1e-12)
        assert integrated_autocorrelation_time(x) == pytest.approx(max(tau_ref, 0.0), abs=1e-10)
    x = ar1(0.7, 300, rng)
    assert integrated_autocorrelation_time(x, c=8.0) == pytest.approx(_tau_reference(x, c=8.0)[1], abs=1e-10)


def test_error_of_the_mean_covers_the_spread_of_independent_runs():
    """400 independent AR(1) series (ρ = 0.8, τ = 4.5, n = 2000): the τ-aware error matches the
    observed spread of the means (±10 %; sampling uncertainty 3.5 %) and the exact finite-n value,
    |x̄| < err holds for 68 ± 6 % of the runs, while the naive σ/√n is 3× too small."""
    rho, n, R = 0.8, 2000, 400
    xs = ar1(rho, n, np.random.default_rng(7), size=R)
    out = np.array([mean_error(x) for x in xs])
    means, errs = out[:, 0], out[:, 1]
    spread = means.std(ddof=1)
    rms = math.sqrt(np.mean(errs ** 2))
    assert rms / spread == pytest.approx(1.0, abs=0.10)
    assert rms == pytest.approx(math.sqrt(var_mean_exact(rho, n)), rel=0.10)
    assert np.mean(np.abs(means) < errs) == pytest.approx(0.683, abs=0.06)
    naive = np.sqrt(np.mean(xs.var(axis=1, ddof=1) / n))
    assert spread / naive > 2.5
    # the blocking estimate is an independent cross-check of the same errors
    blk = np.array([blocking_error(x)[0] for x in xs[:100]])
    assert np.sqrt(np.nanmean(blk ** 2)) / spread == pytest.approx(1.0, abs=0.20)


def test_blocking_error_on_long_ar1():
    x = ar1(0.9, 2 ** 17, np.random.default_rng(11))
    err, block = blocking_error(x)
    assert err == pytest.approx(math.sqrt(var_mean_exact(0.9, len(x))), rel=0.10)
    assert block >= 2 * tau_exact(0.9)
    assert err == pytest.approx(mean_error(x)[1], rel=0.10)
    w, block = blocking_error(np.random.default_rng(2).normal(size=4096))
    assert w == pytest.approx(1 / 64, rel=0.1) and block <= 4


def test_constant_short_and_anticorrelated_series():
    c = np.full(1000, 0.37)
    assert integrated_autocorrelation_time(c) == 0.5
    mean, err, tau, n_eff = mean_error(c)
    assert (mean, err, tau, n_eff) == (pytest.approx(0.37), 0.0, 0.5, 1000.0)
    assert blocking_error(c) == (0.0, 1)
    for x in ([], [1.0]):
        m, e, t, ne = mean_error(x)
        assert math.isnan(e) and math.isnan(t)
        assert math.isnan(integrated_autocorrelation_time(x))
    assert mean_error([2.0])[0] == 2.0
    assert math.isnan(blocking_error([1.0, 2.0, 3.0])[0])
    # alternating series: τ_int ≈ 0, but the error is never reported below the naive one by default
    alt = np.tile([1.0, -1.0], 500)
    assert integrated_autocorrelation_time(alt) < 0.01
    naive = alt.std(ddof=1) / math.sqrt(alt.size)
    assert mean_error(alt)[1] == pytest.approx(naive)
    assert mean_error(alt, tau_min=0.0)[1] < 0.2 * naive


@pytest.mark.nojit
def test_bad_input():
    for bad in ([1.0, np.nan, 2.0], [1.0, np.inf], np.zeros((3, 2))):
        with pytest.raises(ValueError, match="x"):
            mean_error(bad)
        with pytest.raises(ValueError, match="x"):
            integrated_autocorrelation_time(bad)
        with pytest.raises(ValueError, match="x"):
            blocking_error(bad)
    for c in (0.0, -1.0, np.nan, "a"):
        with pytest.raises(ValueError, match="c"):
            integrated_autocorrelation_time(np.ones(10), c=c)
    with pytest.raises(ValueError, match="tau_min"):
        mean_error(np.ones(10), tau_min=-0.1)
