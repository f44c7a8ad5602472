"""M(T), susceptibility, Binder cumulant and the ordering temperature Tc.

Protocol: the system is cooled through ``temperatures`` (highest first; results are returned in
ascending T). At each T, ``equilibration_sweeps`` are discarded and ``sweeps`` are sampled every
``observe_every`` sweeps. The order parameter is the net moment M = Σ m_i ŝ_i (ferrimagnets) or
the staggered moment L = Σ_s σ_s M_s over sublattices (``order="staggered"``, σ_A = −1, σ_B = +1,
others from ``signs``; use it for antiferromagnets such as FeO).

Estimators (per sample X = |order| / Σ m_i):
  m = ⟨X⟩; U4 = 1 − ⟨X⁴⟩/(3⟨X²⟩²) (→ 2/3 ordered, 4/9 disordered for 3-vectors);
  χ = Σm_i (⟨X²⟩ − ⟨X⟩²) / (k_B T) in 1/meV per μB (finite-size |X| estimator; its peak marks Tc);
  C = (⟨E²⟩ − ⟨E⟩²) / (k_B T² N) in k_B per spin.
Error bars account for the autocorrelation of successive samples (:mod:`atomspin.engine.statistics`):
m_err = σ_X √(2τ_int/n) with τ_int of the X series (Sokal's windowed estimator); U4 and χ, being
nonlinear in the moments, get a jackknife error over ≥ 4 blocks of ≥ 10 τ_int samples each (blocks
that long are nearly independent; nan when the run is shorter than 40 τ_int).
Tc: Binder-cumulant crossing of two sizes (:func:`tc_binder_crossing`) or the χ peak
(:func:`tc_chi_peak`, a parabola through the largest point and its neighbours).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from atomspin.validation import check_seed
from atomspin.measure.results import ResultBase, advance, check_finite_scalar, check_int
from atomspin.units import K_B_MEV_PER_K


@dataclass
class TemperatureSweepResult(ResultBase):
    """M(T) and fluctuation observables, ascending in T.

    Attributes
    ----------
    T : (K,) temperatures (K).
    m, m_err : reduced order parameter ⟨X⟩ and its standard error σ_X √(2τ_int/n) (autocorrelation
        taken into account; see module doc).
    binder, binder_err : Binder cumulant U4 and its block-jackknife standard error (nan: run too short).
    chi, chi_err : susceptibility of X (1/meV, scaled by Σm_i; see module doc) and its block-jackknife
        standard error.
    tau_int : (K,) integrated autocorrelation time of X in sweeps (τ_int in samples × observe_every;
        convention var(mean) = 2τ_int σ²/n, 1/2·observe_every for uncorrelated samples).
    n_eff : (K,) effective number of independent samples n/(2τ_int); below ≈ 25 the run is too short
        for its own error bars to be reliable (they are then usually too small).
    energy_meV : ⟨E⟩ per spin (meV); heat_capacity_kB : C per spin in k_B.
    m_sublattice : dict label → (K,) ⟨|M_label|⟩ / Σ_{i∈label} m_i.
    order, n_spins, m_sat_muB, sweeps, equilibration_sweeps, seed, volume_m3, Ms_A_per_m (K,)
    (⟨|M|⟩ μB / V, net moment).
    """

    T: np.ndarray
    m: np.ndarray
    m_err: np.ndarray
    binder: np.ndarray
    chi: np.ndarray
    energy_meV: np.ndarray
    heat_capacity_kB: np.ndarray
    m_sublattice: dict
    Ms_A_per_m: np.ndarray
    order: str
    n_spins: int
    m_sat_muB: float
    sweeps: int
    equilibration_sweeps: int
    seed: int
    volume_m3: float
    elapsed_s: float = float("nan")
    tau_int: np.ndarray = None
    n_eff: np.ndarray = None
    binder_err: np.ndarray = None
    chi_err: np.ndarray = None

    @property
    def tc_chi_peak(self):
        """Tc (K) from the susceptibility peak; see :func:`tc_chi_peak`."""
        return tc_chi_peak(self.T, self.chi)

    def plot(self, ax=None, quantity="m", **kwargs):
        """``quantity``: "m", "binder", "chi" or "heat_capacity_kB" versus T."""
        ax = self._axes(ax)
        if quantity not in ("m", "binder", "chi", "heat_capacity_kB"):
            raise ValueError(f"quantity: {quantity!r} is not one of 'm', 'binder', 'chi', 'heat_capacity_kB'")
        y = getattr(self, quantity)
        yerr = {"m": self.m_err, "binder": self.binder_err, "chi": self.chi_err}.get(quantity)
        if yerr is not None:
            ax.errorbar(self.T, y, yerr=yerr, fmt="o-", ms=3, **kwargs)
        else:
            ax.plot(self.T, y, "o-", ms=3, **kwargs)
        ax.set_xlabel("T (K)")
        ax.set_ylabel({"m": "M/Ms", "binder": "U4", "chi": "χ (1/meV)", "heat_capacity_kB": "C (k_B/spin)"}[quantity])
        return ax


def _order_samples(obs, order, signs):
    if order == "net":
        return obs.magnetisation
    L = np.zeros_like(obs.magnetisation)
    if not obs.sublattice_magnetisation:
        raise ValueError("order: 'staggered' needs a model with sublattice labels")
    for lab, arr in obs.sublattice_magnetisation.items():
        L += signs.get(lab, 1.0) * arr
    return L


def binder_cumulant(X):
    """U4 = 1 − ⟨X⁴⟩ / (3⟨X²⟩²) of scalar magnitudes X (or of vectors, using |X|)."""
    X = np.asarray(X, dtype=np.float64)
    x2 = np.sum(X * X, axis=-1) if X.ndim == 2 else X * X
    return float(1.0 - np.mean(x2 * x2) / (3.0 * np.mean(x2) ** 2))


def _block_jackknife_errors(X, msat, kT, tau):
    """Jackknife standard errors of U4 and χ from ≥ 4 blocks of ≥ 10 τ samples (nan if too short)."""
    n = len(X)
    L = max(1, int(np.ceil(10.0 * tau))) if np.isfinite(tau) else n
    nb = min(n // L, 100)
    if nb < 4:
        return float("nan"), float("nan")
    x2 = X * X
    parts = np.array_split(np.arange(n), nb)
    cnt = np.array([len(p) for p in parts], dtype=np.float64)
    s1 = np.array([X[p].sum() for p in parts])
    s2 = np.array([x2[p].sum() for p in parts])
    s4 = np.array([(x2[p] * x2[p]).sum() for p in parts])
    c, m1, m2, m4 = n - cnt, (s1.sum() - s1), (s2.sum() - s2), (s4.sum() - s4)
    m1, m2, m4 = m1 / c, m2 / c, m4 / c
    u = 1.0 - m4 / (3.0 * m2 * m2)
    ch = msat * (m2 - m1 * m1) / kT
    f = (nb - 1.0) / nb
    return float(np.sqrt(f * np.sum((u - u.mean()) ** 2))), float(np.sqrt(f * np.sum((ch - ch.mean()) ** 2)))


def temperature_sweep(model, temperatures, sweeps=2000, equilibration_sweeps=1000, observe_every=1, seed=0,
                      order="net", signs=None, move=None, threads=None, progress=False, engine=None):
    """Monte Carlo M(T), U4(T), χ(T), C(T) of a model by cooling through ``temperatures``.

    Parameters
    ----------
    model : SpinModel
    temperatures : (K,) temperatures (K), all > 0, at least 1.
    sweeps : int
        Sampled sweeps per temperature (≥ 10).
    equilibration_sweeps : int
        Discarded sweeps per temperature (≥ 0).
    observe_every : int
        Sampling interval (sweeps).
    seed : int
    order : {"net", "staggered"}
    signs : dict, optional
        Sublattice signs for ``order="staggered"`` (default A −1, B +1, others +1).
    progress : bool
        Print one line per temperature to stderr.
    engine : dict, optional
        Engine options (:class:`atomspin.engine.EngineOptions`: move, threads, sweeper, collective_every,
        …); ``move`` and ``threads`` are shorthands for the same keys.

    Returns
    -------
    TemperatureSweepResult
        With autocorrelation-aware error bars (``m_err``, ``binder_err``, ``chi_err``) and the
        integrated autocorrelation time ``tau_int`` (sweeps) and ``n_eff`` per temperature.
    """
    import sys

    from atomspin.engine import EngineOptions
    from atomspin.engine.statistics import integrated_autocorrelation_time, mean_error

    T = np.atleast_1d(np.asarray(temperatures, dtype=np.float64))
    if T.ndim != 1 or T.size == 0:
        raise ValueError("temperatures: need at least one temperature (K)")
    if not np.all(np.isfinite(T)) or np.any(T <= 0):
        bad = T[~(np.isfinite(T) & (T > 0))][0]
        raise ValueError(f"temperatures: {bad} is outside (0, inf) K")
    sweeps = check_int("sweeps", sweeps, 10)
    equilibration_sweeps = check_int("equilibration_sweeps", equilibration_sweeps, 0)
    observe_every = check_int("observe_every", observe_every, 1, sweeps)
    seed = check_seed(seed)
    if order not in ("net", "staggered"):
        raise ValueError(f"order: {order!r} is not one of 'net', 'staggered'")
    signs = {"A": -1.0, "B": 1.0} if signs is None else dict(signs)
    opts = EngineOptions(engine, move=move, threads=threads)
    Tdesc = np.sort(T)[::-1]
    sim = opts.simulation(model, float(Tdesc[0]), seed)
    msat = float(np.sum(model.moments))
    res = {k: [] for k in ("m", "m_err", "binder", "chi", "E", "C", "Ms", "tau", "neff", "berr", "cerr")}
    subs = {}
    t0 = time.perf_counter()
    for k, t in enumerate(Tdesc):
        sim.set_temperature(float(t))
        advance(sim, equilibration_sweeps)
        obs = sim.run(sweeps, observe_every=observe_every)
        X = np.linalg.norm(_order_samples(obs, order, signs), axis=1) / msat
        m_mean, m_err, tau, n_eff = mean_error(X)
        res["m"].append(m_mean)
        res["m_err"].append(m_err)
        res["tau"].append(tau * observe_every)
        res["neff"].append(n_eff)
        res["binder"].append(binder_cumulant(X))
        res["chi"].append(msat * (np.mean(X * X) - X.mean() ** 2) / (K_B_MEV_PER_K * t))
        tau_blk = max(tau, integrated_autocorrelation_time(X * X)) if len(X) > 1 else np.nan
        be, ce = _block_jackknife_errors(X, msat, K_B_MEV_PER_K * t, tau_blk)
        res["berr"].append(be)
        res["cerr"].append(ce)
        res["E"].append(obs.energy.mean() / model.n)
        res["C"].append(np.var(obs.energy) / (K_B_MEV_PER_K * t) ** 2 / model.n)
        res["Ms"].append(obs.abs_m.mean())
        for lab, arr in obs.sublattice_magnetisation.items():
            msub = float(np.sum(model.moments[np.asarray(model.sublattice).astype(str) == lab]))
            subs.setdefault(lab, []).append(np.linalg.norm(arr, axis=1).mean() / msub)
        if progress:
            el = time.perf_counter() - t0
            sys.stderr.write(f"[atomspin] T = {t:g} K ({k + 1}/{len(Tdesc)}): m = {res['m'][-1]:.4f} "
                             f"± {res['m_err'][-1]:.2g}, U4 = {res['binder'][-1]:.4f}, "
                             f"τ_int = {res['tau'][-1]:.3g} sweeps, {el:.1f}s elapsed\n")
    o = np.argsort(Tdesc)
    V = float(model.volume_m3)
    from atomspin.units import MU_B

    Ms = np.array(res["Ms"])[o] * MU_B / V if (np.isfinite(V) and V > 0) else np.full(len(T), np.nan)
    return TemperatureSweepResult(
        T=Tdesc[o], m=np.array(res["m"])[o], m_err=np.array(res["m_err"])[o], binder=np.array(res["binder"])[o],
        chi=np.array(res["chi"])[o], energy_meV=np.array(res["E"])[o], heat_capacity_kB=np.array(res["C"])[o],
        m_sublattice={k: np.array(v)[o] for k, v in subs.items()}, Ms_A_per_m=Ms, order=order,
        n_spins=model.n, m_sat_muB=msat, sweeps=sweeps, equilibration_sweeps=equilibration_sweeps, seed=seed,
        volume_m3=V, elapsed_s=time.perf_counter() - t0, tau_int=np.array(res["tau"])[o],
        n_eff=np.array(res["neff"])[o], binder_err=np.array(res["berr"])[o], chi_err=np.array(res["cerr"])[o])


def tc_chi_peak(T, chi):
    """Temperature (K) of the susceptibility maximum: vertex of the parabola through the largest
    point and its two neighbours (the grid point itself at the ends of the range)."""
    T = np.asarray(T, dtype=np.float64)
    chi = np.asarray(chi, dtype=np.float64)
    if T.shape != chi.shape or T.size < 1:
        raise ValueError("T, chi: need equal-length non-empty arrays")
    o = np.argsort(T)
    T, chi = T[o], chi[o]
    k = int(np.nanargmax(chi))
    if k == 0 or k == len(T) - 1:
        return float(T[k])
    x, y = T[k - 1:k + 2], chi[k - 1:k + 2]
    a, b, _ = np.polyfit(x, y, 2)
    if a >= 0:
        return float(T[k])
    return float(np.clip(-b / (2 * a), x[0], x[-1]))


def tc_binder_crossing(T1, U1, T2, U2):
    """Crossing temperature (K) of two Binder-cumulant curves U1(T), U2(T) (two system sizes).

    Both curves are linearly interpolated on the union of their temperature grids within the
    common range; the first sign change of U1 − U2 (scanning upward in T) is returned, nan if none.
    """
    T1, U1, T2, U2 = (np.asarray(a, dtype=np.float64) for a in (T1, U1, T2, U2))
    if T1.shape != U1.shape or T2.shape != U2.shape or T1.size < 2 or T2.size < 2:
        raise ValueError("T1, U1, T2, U2: need two curves with ≥ 2 points each")
    o1, o2 = np.argsort(T1), np.argsort(T2)
    T1, U1, T2, U2 = T1[o1], U1[o1], T2[o2], U2[o2]
    lo, hi = max(T1[0], T2[0]), min(T1[-1], T2[-1])
    grid = np.unique(np.concatenate([T1, T2]))
    grid = grid[(grid >= lo) & (grid <= hi)]
    if len(grid) < 2:
        return float("nan")
    d = np.interp(grid, T1, U1) - np.interp(grid, T2, U2)
    for k in range(len(grid) - 1):
        if d[k] == 0:
            return float(grid[k])
        if d[k] * d[k + 1] < 0:
            return float(grid[k] - d[k] * (grid[k + 1] - grid[k]) / (d[k + 1] - d[k]))
    return float(grid[-1]) if d[-1] == 0 else float("nan")


@dataclass
class SizeSeriesResult(ResultBase):
    """Tc and Ms versus particle size.

    Attributes: diameters_nm, tc_K (χ peak per size), Ms_A_per_m (at ``T_ms``), m_reduced (at T_ms), T_ms.
    """

    diameters_nm: np.ndarray
    tc_K: np.ndarray
    Ms_A_per_m: np.ndarray
    m_reduced: np.ndarray
    T_ms: float

    def plot(self, ax=None, **kwargs):
        ax = self._axes(ax)
        ax.plot(self.diameters_nm, self.tc_K, "o-", label="Tc (χ peak)", **kwargs)
        ax.set_xlabel("diameter (nm)")
        ax.set_ylabel("Tc (K)")
        ax2 = ax.twinx()
        ax2.plot(self.diameters_nm, self.m_reduced, "s--", color="C1", label=f"M/Ms at {self.T_ms:g} K")
        ax2.set_ylabel(f"M/Ms at {self.T_ms:g} K")
        return ax


def size_series(results, diameters_nm, T_ms):
    """Collect Tc (χ peak) and reduced / SI magnetisation at ``T_ms`` from temperature sweeps of a size series."""
    T_ms = check_finite_scalar("T_ms", T_ms, 0.0, np.inf, lo_open=True)
    D = np.asarray(diameters_nm, dtype=np.float64)
    if len(D) != len(results) or len(D) == 0:
        raise ValueError("diameters_nm: need one diameter per result")
    tc = np.array([r.tc_chi_peak for r in results])
    mr = np.array([float(np.interp(T_ms, r.T, r.m)) for r in results])
    ms = np.array([float(np.interp(T_ms, r.T, r.Ms_A_per_m)) for r in results])
    o = np.argsort(D)
    return SizeSeriesResult(diameters_nm=D[o], tc_K=tc[o], Ms_A_per_m=ms[o], m_reduced=mr[o], T_ms=T_ms)
