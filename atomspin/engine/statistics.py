"""Error bars of Monte Carlo averages over correlated samples.

Successive Monte Carlo samples are correlated, so the naive standard error σ/√n of their mean is
too small. With the normalised autocorrelation function ρ(t) of a stationary series and the
*integrated autocorrelation time*

    τ_int = 1/2 + Σ_{t≥1} ρ(t)          (convention of Sokal 1997; white noise: τ_int = 1/2)

the variance of the mean of n samples is, for n ≫ τ_int,

    var(x̄) = 2 τ_int σ² / n = σ² / n_eff,      n_eff = n / (2 τ_int).

τ_int is in units of the sampling interval (multiply by ``observe_every`` for sweeps).

:func:`integrated_autocorrelation_time` estimates τ_int from the FFT autocorrelation with Sokal's
automatic window; :func:`mean_error` turns it into the error of the mean; :func:`blocking_error`
is the independent Flyvbjerg–Petersen blocking estimate (with the automatic choice of the
blocking level of Jonsson 2018) as a cross-check.

Reliability: the estimate of τ_int has relative statistical error ≈ √(2(2M+1)/n) (M the window,
≈ c τ_int) and is biased low when the series is not much longer than τ_int (the subtracted sample
mean removes the slowest fluctuations). Error bars are trustworthy for n_eff ≳ 25, i.e. runs longer
than ≈ 50 τ_int (the rule of thumb of emcee, Foreman-Mackey et al. 2013); a smaller n_eff says the run
is too short to know its own error well.

References
----------
A. D. Sokal, "Monte Carlo methods in statistical mechanics: foundations and new algorithms",
in *Functional Integration* (Cargèse 1996), NATO ASI Series B 361, Plenum (1997), pp. 131–192,
§3 (τ_int, var(x̄), the automatic window M ≥ c τ_int(M), c ≈ 4–6 for nearly exponential decay).
N. Madras and A. D. Sokal, J. Stat. Phys. 50, 109 (1988) (the windowed estimator and its variance).
H. Flyvbjerg and H. G. Petersen, J. Chem. Phys. 91, 461 (1989) (blocking).
M. Jonsson, Phys. Rev. E 98, 043304 (2018) (automatic choice of the blocking level).
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["autocorrelation", "integrated_autocorrelation_time", "mean_error", "blocking_error"]

#: Runs with fewer effective samples than this have poorly determined error bars (n ≳ 50 τ_int).
MIN_RELIABLE_N_EFF = 25.0


def _series(x, name="x"):
    """1-D float64 copy of ``x``; ValueError naming ``name`` if not 1-D or not finite."""
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != 1:
        raise ValueError(f"{name}: need a 1-D series, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name}: contains NaN or inf; need finite values")
    return a


def autocorrelation(x):
    """Normalised autocorrelation ρ(t), t = 0 … n−1, of a 1-D series (FFT, zero-padded).

    ρ(t) = C(t)/C(0) with the standard (biased, 1/n) estimator
    C(t) = (1/n) Σ_{i=0}^{n−1−t} (x_i − x̄)(x_{i+t} − x̄), as in Sokal (1997) §3.
    A constant series gives ρ = (1, 0, 0, …).

    Parameters
    ----------
    x : (n,) array_like, finite, n ≥ 1.

    Returns
    -------
    (n,) ndarray, dimensionless.
    """
    a = _series(x)
    n = a.size
    if n == 0:
        raise ValueError("x: need at least one sample")
    d = a - a.mean()
    c0 = float(d @ d) / n
    if c0 <= 0.0 or a.max() == a.min():
        r = np.zeros(n)
        r[0] = 1.0
        return r
    m = 1 << int(2 * n - 1).bit_length()  # ≥ 2n: no circular wrap-around
    f = np.fft.rfft(d, m)
    c = np.fft.irfft(f * np.conj(f), m)[:n] / n
    return c / c[0]


def integrated_autocorrelation_time(x, c=5.0):
    """Integrated autocorrelation time τ_int of a 1-D series, in units of the sampling interval.

    τ_int(M) = 1/2 + Σ_{t=1}^{M} ρ(t) with the FFT autocorrelation ρ (:func:`autocorrelation`);
    the window is Sokal's automatic one, the smallest M ≥ 1 with M ≥ c·τ_int(M). Convention:
    var(x̄) = 2 τ_int σ²/n, so uncorrelated samples have τ_int = 1/2.

    Parameters
    ----------
    x : (n,) array_like
        Finite samples, taken at equal intervals after equilibration.
    c : float
        Window constant (> 0). Sokal (1997) recommends c ≈ 4–6 for autocorrelations that decay
        roughly exponentially (default 5, also emcee's); larger c reduces the truncation bias
        e^{−c} for slowly decaying tails at the cost of more noise.

    Returns
    -------
    float
        τ_int (sampling intervals); nan for n < 2, 1/2 for a constant series. A strongly
        anticorrelated series can give values below 1/2 (never below 0).

    Raises
    ------
    ValueError
        ``x`` not 1-D or not finite; ``c`` not a finite positive number.

    References
    ----------
    Sokal (1997) §3; Madras & Sokal, J. Stat. Phys. 50, 109 (1988).
    """
    try:
        cv = float(c)
    except (TypeError, ValueError):
        raise ValueError(f"c: {c!r} is not a real number in (0, inf)") from None
    if not math.isfinite(cv) or cv <= 0:
        raise ValueError(f"c: {c!r} is outside (0, inf)")
    a = _series(x)
    if a.size < 2:
        return float("nan")
    rho = autocorrelation(a)
    tau = 0.5 + np.cumsum(rho[1:])  # tau[M-1] = τ_int(M), M = 1 … n−1
    M = np.arange(1, a.size)
    ok = M >= cv * tau
    k = int(np.argmax(ok)) if np.any(ok) else a.size - 2
    return float(max(tau[k], 0.0))


def mean_error(x, c=5.0, tau_min=0.5):
    """Mean of a correlated series and its standard error from τ_int.

    err = σ √(2 τ/n) with σ² the sample variance (ddof = 1) and τ = max(τ_int, ``tau_min``);
    n_eff = n / (2τ).

    Parameters
    ----------
    x : (n,) array_like
        Finite samples at equal intervals (sampling interval = unit of τ).
    c : float
        Window constant of :func:`integrated_autocorrelation_time` (> 0).
    tau_min : float
        Lower bound (≥ 0) applied to τ_int before it enters the error. The default 1/2 never
        reports an error below the naive σ/√n (an anticorrelated estimate below 1/2 is usually
        noise in Metropolis data); 0 uses the estimate as it is.

    Returns
    -------
    mean : float
    err : float
        Standard error of the mean (same unit as x); 0 for a constant series, nan for n < 2.
    tau : float
        τ used (sampling intervals), nan for n < 2.
    n_eff : float
        Effective number of independent samples n/(2τ); n_eff ≲ 25 (run shorter than ≈ 50 τ)
        means τ and the error are themselves poorly determined (usually underestimated).

    Raises
    ------
    ValueError
        ``x`` not 1-D, contains NaN/inf; ``tau_min`` negative or not finite.
    """
    try:
        tm = float(tau_min)
    except (TypeError, ValueError):
        raise ValueError(f"tau_min: {tau_min!r} is not a real number in [0, inf)") from None
    if not math.isfinite(tm) or tm < 0:
        raise ValueError(f"tau_min: {tau_min!r} is outside [0, inf)")
    a = _series(x)
    n = a.size
    if n == 0:
        return float("nan"), float("nan"), float("nan"), 0.0
    mean = float(a.mean())
    if n < 2:
        return mean, float("nan"), float("nan"), float(n)
    tau = max(integrated_autocorrelation_time(a, c), tm)
    sd = 0.0 if a.max() == a.min() else float(a.std(ddof=1))  # exact 0 despite rounding in the mean
    if sd == 0.0 or tau == 0.0:
        return mean, 0.0, tau, (n / (2.0 * tau) if tau > 0 else float("inf"))
    return mean, sd * math.sqrt(2.0 * tau / n), tau, n / (2.0 * tau)


def _chi2_quantile_99(k):
    """0.99 quantile of χ²(k) (Wilson–Hilferty; within 0.6 % of the exact value for k ≥ 1)."""
    z = 2.3263478740408408
    h = 2.0 / (9.0 * k)
    return k * (1.0 - h + z * math.sqrt(h)) ** 3


def blocking_error(x):
    """Standard error of the mean by Flyvbjerg–Petersen blocking, level chosen automatically.

    The series is repeatedly halved by averaging neighbouring pairs (a trailing odd sample is
    dropped). At level j with n_j blocks, biased variance s_j and lag-1 autocovariance γ_j, the
    estimate of var(x̄) is s_j / (n_j − 1) (Flyvbjerg & Petersen 1989, eq. 27); the first level at which the
    blocks are uncorrelated is the smallest j with M_j = Σ_{i≥j} n_i (γ_i/s_i)² below the 0.99
    quantile of χ²(levels − j) (Jonsson 2018).

    Parameters
    ----------
    x : (n,) array_like, finite.

    Returns
    -------
    err : float
        Standard error of the mean; 0 for a constant series, nan for n < 4 or when no level
        passes the test (too few samples for the correlation time).
    block_size : int
        Samples per block at the chosen level (0 when err is nan).

    References
    ----------
    Flyvbjerg & Petersen, J. Chem. Phys. 91, 461 (1989); Jonsson, Phys. Rev. E 98, 043304 (2018).
    """
    a = _series(x)
    if a.size < 4:
        return float("nan"), 0
    if a.max() == a.min():
        return 0.0, 1
    s, g, nb = [], [], []
    b = a
    while b.size >= 2:
        n = b.size
        d = b - b.mean()
        s.append(float(d @ d) / n)
        g.append(float(d[:-1] @ d[1:]) / n)
        nb.append(n)
        m = n - (n % 2)
        b = 0.5 * (b[0:m:2] + b[1:m:2])
    s, g, nb = np.array(s), np.array(g), np.array(nb, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(s > 0, nb * (g / s) ** 2, 0.0)
    M = np.cumsum(terms[::-1])[::-1]
    L = len(s)
    for j in range(L - 1):  # the last level (2 blocks) cannot be tested
        if M[j] < _chi2_quantile_99(L - j):
            return float(math.sqrt(s[j] / (nb[j] - 1.0))), int(2 ** j)
    return float("nan"), 0
