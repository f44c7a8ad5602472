"""Hysteresis loops M(H) and ZFC/FC curves by Monte Carlo field sweeps.

Protocol (documented because Monte Carlo time is not physical time)
------------------------------------------------------------------
The field μ0H = B·ĥ is stepped through ``fields_T``. At each step the simulation runs
``sweeps_per_point`` Metropolis sweeps (one sweep = N attempted single-spin moves): the first
``equilibration_fraction`` of them are discarded, the rest are sampled every ``observe_every``
sweeps. The sweep count per field step is the time proxy (the effective field rate is
ΔB / sweeps_per_point); the coercive field of a thermally activated particle grows with it.
For T → 0 Stoner–Wohlfarth checks use a temperature well below the barrier at the switching
field (k_B T ≪ ΣK) with the engine's adaptive cone move, so spins switch by coherent rotation.
Validated protocol (tests/test_measure_hysteresis.py): 2×2×2 cluster, J = 5 meV, K = 1 meV/site,
T = 0.01 K (k_BT ≈ 1e-4 ΣK), field step 0.03–0.06 B_K, 3000–10000 sweeps per step → μ0Hc = B_K
within 2 % (aligned) and 0.48 B_K, Mr = 0.5 (8–20 directions). With single-spin moves the
coherent-rotation rate per sweep scales as (torque per spin)/(z J), so stiff particles need many
sweeps per step: a 4 nm magnetite particle at 300 K does not reverse within 200 sweeps per step at
±2 T. Check ``closure`` and the branch coercive fields (NaN = the branch never crossed zero).
``collective_every=k`` adds the engine's collective move (a rigid rotation of all spins, accepted on the
exact anisotropy + Zeeman + dipolar ΔE) after every k-th sweep: it samples the particle's equilibrium
M(H) (superparamagnets, T ≳ T_B: reversible loops, Hc → 0) at the cost of making the sweep count a
poorer proxy for time. Use it for equilibrium/finite-T loops; leave it at 0 for the SW-like
single-spin protocol above.

Orientation average: the field direction (not the particle) is rotated over quasi-uniform
directions on the upper hemisphere (Fibonacci lattice); loops are odd in the field, so the
hemisphere is enough. Each direction gets its own seed from ``numpy.random.SeedSequence(seed)``.

Outputs: M projected on ĥ (total, per sublattice, per region), coercive field, remanence, loop
area μ0∮M dH in J/m³ (using ``model.volume_m3``) and in J per particle, high-field slope, each with its
standard error (the autocorrelation-aware errors of M at every field step, propagated to first order).
A loop is *open* when its area exceeds twice its error; a loop that is not open (reversible within the
noise, or running backwards) has no coercive field: ``Bc_T`` is nan and ``coercivity_note`` says why.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

import numpy as np

from atomspin.validation import check_array, check_seed
from atomspin.measure.results import (ResultBase, advance, check_direction, check_finite_scalar, check_int,
                                      fibonacci_directions)
from atomspin.units import MU_0, MU_B
from atomspin.model.sums import site_sum

MIN_SWEEPS_PER_POINT = 2  # one equilibration + one sampled sweep at least


def loop_fields(B_max_T, n_per_branch=50):
    """Field list (tesla) for a full loop: +B_max → −B_max → +B_max with ``n_per_branch`` steps each.

    Returns 2·n_per_branch + 1 values; the first and last are +B_max.
    """
    B = check_finite_scalar("B_max_T", B_max_T, 0.0, np.inf, lo_open=True)
    n = check_int("n_per_branch", n_per_branch, 2)
    down = np.linspace(B, -B, n + 1)
    return np.concatenate([down, down[::-1][1:]])


def _check_fields(fields_T):
    f = check_array("fields_T", fields_T)
    if f.ndim != 1 or f.size == 0:
        raise ValueError("fields_T: empty; need a 1-D field sweep with at least 3 values (tesla)")
    if f.size < 3:
        raise ValueError(f"fields_T: {f.size} values is too few; need at least 3 (tesla)")
    if not np.all(np.isfinite(f)):
        raise ValueError("fields_T: all values must be finite (tesla)")
    d = np.diff(f)
    if np.any(d == 0):
        raise ValueError("fields_T: consecutive values must differ (not a sweep)")
    reversals = int(np.sum(np.sign(d[1:]) != np.sign(d[:-1])))
    if reversals > 2:
        raise ValueError(f"fields_T: not a sweep ({reversals} reversals; allowed: monotone branches with at "
                         f"most 2 turning points, e.g. +Bmax → −Bmax → +Bmax)")
    return f


def _branches(f):
    """Index ranges (start, stop inclusive) of the monotone branches of a field list."""
    d = np.sign(np.diff(f))
    cuts = [0] + [k + 1 for k in range(len(d) - 1) if d[k] != d[k + 1]] + [len(f) - 1]
    return [(cuts[k], cuts[k + 1]) for k in range(len(cuts) - 1)]


def _zero_crossing(x, y):
    """x where y changes sign first (linear interpolation); nan if it never does."""
    s = np.sign(y)
    for k in range(len(y) - 1):
        if s[k] == 0:
            return float(x[k])
        if s[k] * s[k + 1] < 0:
            return float(x[k] - y[k] * (x[k + 1] - x[k]) / (y[k + 1] - y[k]))
    return float(x[-1]) if s[-1] == 0 else float("nan")


def _value_at(x, y, x0):
    o = np.argsort(x)
    xs, ys = x[o], y[o]
    if x0 < xs[0] or x0 > xs[-1]:
        return float("nan")
    return float(np.interp(x0, xs, ys))


def _crossing_error(x, y, err):
    """Standard error of the first zero crossing of y(x) (linear interpolation, first-order propagation of
    independent errors ``err`` of the two bracketing points); nan without a crossing or errors."""
    s = np.sign(y)
    for k in range(len(y) - 1):
        if s[k] == 0:
            return float(err[k] * abs((x[k + 1] - x[k]) / (y[k + 1] - y[k]))) if y[k + 1] != y[k] else np.nan
        if s[k] * s[k + 1] < 0:
            dx, dy = x[k + 1] - x[k], y[k + 1] - y[k]
            return float(abs(dx) / dy ** 2 * np.hypot(y[k + 1] * err[k], y[k] * err[k + 1]))
    return float("nan")


def _value_error_at(x, y_err, x0):
    """Standard error of the linear interpolant at x0 (independent errors of the bracketing points)."""
    o = np.argsort(x)
    xs, es = x[o], y_err[o]
    if x0 < xs[0] or x0 > xs[-1]:
        return float("nan")
    k = int(np.clip(np.searchsorted(xs, x0) - 1, 0, len(xs) - 2))
    t = (x0 - xs[k]) / (xs[k + 1] - xs[k]) if xs[k + 1] != xs[k] else 0.0
    return float(np.hypot((1.0 - t) * es[k], t * es[k + 1]))


def analyse_loop(fields_T, m, high_field_fraction=0.8, m_err=None):
    """Coercive field, remanence, loop area and high-field slope of a loop m(B), with standard errors.

    Parameters
    ----------
    fields_T : (F,) field sweep (tesla) along the measuring axis, e.g. from :func:`loop_fields`.
    m : (F,) moment along the axis, any unit (results in the same unit).
    high_field_fraction : float in (0, 1): the slope is fitted over |B| ≥ fraction·max|B|.
    m_err : (F,) standard errors of m (same unit), optional; propagated to first order (independent points)
        into ``*_err``, and used to decide whether the loop is open.

    Returns
    -------
    dict: ``Bc_down_T``, ``Bc_up_T`` (zero crossings of the descending / ascending branch),
    ``Bc_crossing_T`` = (|Bc_down| + |Bc_up|)/2, ``Bc_T`` the coercive field: ``Bc_crossing_T`` when the loop is
    open (``area`` > 2 ``area_err``; without errors ``area`` > 0), else nan — a reversible
    (superparamagnetic) loop or one that runs backwards (negative area, a lag artefact) has no coercive
    field, whatever its noisy zero crossings; ``Mr_down``, ``Mr_up`` (m at B = 0),
    ``Mr`` = (Mr_down − Mr_up)/2, ``area`` = −∮ m dB over the whole history (unit of m × tesla; positive for
    a loss), ``open`` (bool), ``m_high`` = mean |m| at the largest |B| (the points of the sweep at ±max|B|),
    ``high_field_slope`` (unit of m per tesla), ``closure`` = m(last) − m(first); and the standard errors
    ``Bc_err_T``, ``Bc_down_err_T``, ``Bc_up_err_T``, ``Mr_err``, ``area_err``, ``m_high_err`` (nan without
    ``m_err``).
    """
    f = np.asarray(fields_T, dtype=np.float64)
    m = np.asarray(m, dtype=np.float64)
    hf = check_finite_scalar("high_field_fraction", high_field_fraction, 0.0, 1.0, lo_open=True, hi_open=True)
    if m_err is None:
        e = np.full_like(m, np.nan)
    else:
        e = np.asarray(m_err, dtype=np.float64)
        if e.shape != m.shape:
            raise ValueError(f"m_err: expected shape {m.shape}, got {e.shape}")
    out = dict(Bc_down_T=np.nan, Bc_up_T=np.nan, Mr_down=np.nan, Mr_up=np.nan, Bc_down_err_T=np.nan,
               Bc_up_err_T=np.nan, Mr_down_err=np.nan, Mr_up_err=np.nan)
    for a, b in _branches(f):
        x, y, ye = f[a:b + 1], m[a:b + 1], e[a:b + 1]
        key = "down" if x[-1] < x[0] else "up"
        if np.isnan(out[f"Bc_{key}_T"]):
            out[f"Bc_{key}_T"] = _zero_crossing(x, y)
            out[f"Bc_{key}_err_T"] = _crossing_error(x, y, ye)
            out[f"Mr_{key}"] = _value_at(x, y, 0.0)
            out[f"Mr_{key}_err"] = _value_error_at(x, ye, 0.0)
    out["Bc_crossing_T"] = 0.5 * (abs(out["Bc_down_T"]) + abs(out["Bc_up_T"]))
    out["Mr"] = 0.5 * (out["Mr_down"] - out["Mr_up"])
    out["Mr_err"] = 0.5 * float(np.hypot(out["Mr_down_err"], out["Mr_up_err"]))
    df = np.diff(f)
    out["area"] = float(-np.sum(0.5 * (m[1:] + m[:-1]) * df))
    w = 0.5 * (np.concatenate([[0.0], df]) + np.concatenate([df, [0.0]]))  # ∂area/∂m_k = −w_k
    out["area_err"] = float(np.sqrt(np.sum((w * e) ** 2)))
    known = np.isfinite(out["area_err"])
    out["open"] = bool(out["area"] > 2.0 * out["area_err"]) if known else bool(out["area"] > 0.0)
    if out["open"]:
        out["Bc_T"] = out["Bc_crossing_T"]
        out["Bc_err_T"] = 0.5 * float(np.hypot(out["Bc_down_err_T"], out["Bc_up_err_T"]))
    else:
        out["Bc_T"] = out["Bc_err_T"] = float("nan")
    bmax = np.max(np.abs(f))
    top = np.abs(f) >= bmax * (1.0 - 1e-9)
    out["m_high"] = float(np.mean(np.abs(m[top])))
    prop = float(np.sqrt(np.sum(e[top] ** 2)) / top.sum())
    spread = float(np.std(np.abs(m[top]), ddof=1) / np.sqrt(top.sum())) if top.sum() > 1 else 0.0
    out["m_high_err"] = max(prop, spread) if np.isfinite(prop) else float("nan")
    sel = np.abs(f) >= hf * bmax * (1.0 - 1e-12)  # 0.8·3.0 = 2.4000000000000004 must select 2.4
    slope = np.nan
    if np.sum(sel) >= 2:
        slopes = []
        for sign in (1, -1):
            s2 = sel & (np.sign(f) == sign)
            if np.sum(s2) >= 2 and np.ptp(f[s2]) > 0:
                slopes.append(np.polyfit(f[s2], m[s2], 1)[0])
        slope = float(np.mean(slopes)) if slopes else np.nan
    out["high_field_slope"] = slope
    out["closure"] = float(m[-1] - m[0])
    return out


@dataclass
class HysteresisResult(ResultBase):
    """A hysteresis loop.

    Attributes
    ----------
    fields_T : (F,) μ0H along the measuring direction (tesla); ``fields_A_per_m`` the same as H (A/m).
    m : (F,) reduced moment along the field, ⟨M·ĥ⟩ / Σm_i (1 = saturated, all spins parallel).
    m_err : (F,) standard error of m from the sampled part of each field step, σ √(2τ_int/n) with the
        integrated autocorrelation time of the samples (:func:`atomspin.engine.statistics.mean_error`);
        orientation averages add the spread between directions. It does not cover the systematic
        lag of m behind the field (finite sweeps per point).
    m_sublattice : dict label → (F,) ⟨M_label·ĥ⟩ / Σm_i (sampled averages; contributions sum to m).
    m_region : dict label → (F,) M_region·ĥ / Σm_i from the state at the end of each field step.
    M_A_per_m : (F,) magnetisation along the field (A/m) = m Σm_i μB / V; M_err_A_per_m its standard error.
    Bc_T, Hc_A_per_m : coercive field, nan when the loop is not open (area not above twice its error: a
        reversible, superparamagnetic loop, or one that runs backwards); Bc_down_T, Bc_up_T per branch
        (zero crossings, whatever the area); Bc_crossing_T their mean |value|; Bc_err_T, Hc_err_A_per_m.
    Mr : remanence reduced by Σm_i (as ``m``); Mr_A_per_m; Mr_err (reduced).
    Ms_A_per_m, Ms_err_A_per_m : |M| at the largest field, mean over the points at ±max|B| (the ferrimagnetic
        |Σ m_i ŝ_i| μB / V there: Ms(T) when the loop saturates, a lower bound otherwise).
    Mr_over_Ms, Mr_over_Ms_err : remanence over that Ms (the conventional Mr/Ms of a ferrimagnet).
    loop_area_J_per_m3, loop_area_err_J_per_m3 : μ0∮M dH (J/m³); loop_area_J : per particle (J).
    coercivity_note : why Hc is nan ("" when it is a number).
    high_field_slope_per_T : dm/dB at high field (1/T); chi_high_field : μ0 dM/dB (SI, dimensionless).
    directions : (D, 3) field directions (one for an aligned loop).
    T, sweeps_per_point, equilibration_fraction, seed, m_sat_muB, volume_m3, elapsed_s.
    """

    fields_T: np.ndarray
    fields_A_per_m: np.ndarray
    m: np.ndarray
    m_err: np.ndarray
    m_sublattice: dict
    m_region: dict
    M_A_per_m: np.ndarray
    Bc_T: float
    Bc_down_T: float
    Bc_up_T: float
    Hc_A_per_m: float
    Mr: float
    Mr_A_per_m: float
    loop_area_J_per_m3: float
    loop_area_J: float
    high_field_slope_per_T: float
    chi_high_field: float
    closure: float
    directions: np.ndarray
    T: float
    sweeps_per_point: int
    equilibration_fraction: float
    seed: int
    m_sat_muB: float
    volume_m3: float
    elapsed_s: float = float("nan")
    m_per_direction: np.ndarray = field(default=None, repr=False)
    M_err_A_per_m: np.ndarray = None
    Bc_crossing_T: float = float("nan")
    Bc_err_T: float = float("nan")
    Hc_err_A_per_m: float = float("nan")
    Mr_err: float = float("nan")
    Ms_A_per_m: float = float("nan")
    Ms_err_A_per_m: float = float("nan")
    Mr_over_Ms: float = float("nan")
    Mr_over_Ms_err: float = float("nan")
    loop_area_err_J_per_m3: float = float("nan")
    coercivity_note: str = ""

    def plot(self, ax=None, components=False, **kwargs):
        """M·ĥ (kA/m) against μ0H (T) with error bars, descending and ascending branches told apart; with
        ``components=True`` also the sublattice contributions."""
        ax = self._axes(ax)
        B = np.asarray(self.fields_T)
        M = np.asarray(self.M_A_per_m) * 1e-3
        err = None if self.M_err_A_per_m is None else np.asarray(self.M_err_A_per_m) * 1e-3
        scale = (M / np.asarray(self.m))[np.nonzero(self.m)[0][0]] if np.any(self.m) else 0.0
        for k, (a, b) in enumerate(_branches(np.asarray(self.fields_T))):
            down = self.fields_T[b] < self.fields_T[a]
            sl = slice(a, b + 1)
            ax.errorbar(B[sl], M[sl], yerr=None if err is None else err[sl], fmt="v-" if down else "^--", ms=3,
                        capsize=2, color=kwargs.get("color", "C0"),
                        label=("descending" if down else "ascending") + " branch" if k < 2 else None)
        if components:
            for k, v in self.m_sublattice.items():
                ax.plot(B, np.asarray(v) * scale, ":", label=f"sublattice {k}")
        ax.axhline(0, color="0.7", lw=0.5)
        ax.axvline(0, color="0.7", lw=0.5)
        ax.set_xlabel("μ0H (T)")
        ax.set_ylabel("magnetisation along the field M (kA/m)")
        hc = (f"μ0Hc = {self.Bc_T * 1e3:.3g} ± {self.Bc_err_T * 1e3:.2g} mT" if np.isfinite(self.Bc_T)
              else "no coercive field (loop not open)")
        ax.set_title(f"T = {self.T:g} K, {hc}, Mr/Ms = {self.Mr_over_Ms:.3g} ± {self.Mr_over_Ms_err:.2g}",
                     fontsize=9)
        ax.legend(fontsize=7)
        return ax


def _progress(done, total, t0, enabled, label):
    if not enabled:
        return
    el = time.perf_counter() - t0
    eta = el / done * (total - done) if done else float("nan")
    sys.stderr.write(f"\r[atomspin] {label} {done}/{total}  {el:.1f}s elapsed, ~{eta:.1f}s left")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _run_branch(model, T, fields, direction, sweeps, eq_frac, observe_every, seed, opts, initial,
                progress, label, groups):
    """Run one field history along one direction; returns projected reduced m, err, per-group m."""
    from atomspin.engine.statistics import mean_error

    sim = opts.simulation(model, T, seed)
    msat = float(np.sum(model.moments))
    if initial == "saturated":
        s0 = np.tile(direction, (model.n, 1))
        if model.sublattice is not None:
            # ideal ferrimagnet: flip the sublattice(s) whose moment opposes the net of the model state
            lab = np.asarray(model.sublattice).astype(str)
            s_model = model.spins
            net = site_sum(model.moments, s_model)
            for L in np.unique(lab):
                msk = lab == L
                sub = site_sum(model.moments[msk], s_model[msk])
                if np.linalg.norm(net) > 0 and sub @ net < 0:
                    s0[msk] *= -1.0
        sim.spins = s0
    n_eq = int(round(eq_frac * sweeps))
    n_eq = min(max(n_eq, 1), sweeps - 1)
    n_meas = sweeps - n_eq
    obs_every = min(observe_every, n_meas)
    F = len(fields)
    m = np.empty(F)
    err = np.empty(F)
    gm = {k: np.empty(F) for k in groups}
    t0 = time.perf_counter()
    for k, b in enumerate(fields):
        sim.set_field(b * direction)
        advance(sim, n_eq)
        obs = sim.run(n_meas, observe_every=obs_every)
        proj = obs.magnetisation @ direction / msat
        m[k] = proj.mean()
        err[k] = mean_error(proj)[1]  # autocorrelation-aware (τ_int); nan for < 2 samples
        snap = None
        for key, mask in groups.items():
            sub = obs.sublattice_magnetisation.get(key[4:]) if key.startswith("sub:") else None
            if sub is not None and len(sub):
                gm[key][k] = float(np.mean(sub @ direction)) / msat
            else:  # regions: snapshot at the end of the step
                snap = sim.spins if snap is None else snap
                gm[key][k] = float(site_sum(model.moments[mask], snap[mask]) @ direction) / msat
        _progress(k + 1, F, t0, progress, label)
    return m, err, gm


def hysteresis_loop(model, T, fields_T, direction=(0.0, 0.0, 1.0), n_orientations=None, sweeps_per_point=500,
                    equilibration_fraction=0.5, observe_every=1, seed=0, move=None, threads=None,
                    initial="saturated", progress=False, collective_every=None, engine=None):
    """Monte Carlo hysteresis loop at temperature T along one direction or orientation-averaged.

    Parameters
    ----------
    model : SpinModel
    T : float
        Temperature (K), ≥ 0.
    fields_T : (F,) array
        Field history μ0H along the direction (tesla), a sweep with ≥ 3 points and at most two
        turning points, e.g. :func:`loop_fields` (+B_max → −B_max → +B_max).
    direction : 3-vector
        Field direction (ignored when ``n_orientations`` is given).
    n_orientations : int, optional
        Average over this many field directions on the upper hemisphere (Fibonacci lattice),
        i.e. a random-orientation ensemble of identical particles.
    sweeps_per_point : int
        Monte Carlo sweeps per field step (≥ 2): the time proxy (see module docstring).
    equilibration_fraction : float in [0, 1)
        Fraction of the sweeps at each step discarded before sampling.
    observe_every : int
        Sampling interval (sweeps) within the measured part.
    seed : int
        Seed; same seed → same loop.
    move : str
        Engine move ("adaptive" cone by default).
    initial : {"saturated", "model"}
        Start from the saturated state along +ĥ (sublattices antiparallel as in the model state) or
        from ``model.spins``.
    progress : bool
        Print progress (field steps done, elapsed time, ETA) to stderr.
    collective_every : int
        0 (default): single-spin moves only. k ≥ 1: one collective rigid-rotation attempt after every
        k-th sweep (equilibrium sampling of the particle moment; see the module docstring).
    engine : dict, optional
        Engine options (:class:`atomspin.engine.EngineOptions`: sweeper, threads, …); ``move``,
        ``threads`` and ``collective_every`` are shorthands for the same keys.

    Returns
    -------
    HysteresisResult
    """
    T = check_finite_scalar("T", T, 0.0, np.inf)
    f = _check_fields(fields_T)
    sweeps = check_int("sweeps_per_point", sweeps_per_point, MIN_SWEEPS_PER_POINT)
    eq = check_finite_scalar("equilibration_fraction", equilibration_fraction, 0.0, 1.0, hi_open=True)
    observe_every = check_int("observe_every", observe_every, 1)
    seed = check_seed(seed)
    from atomspin.engine import EngineOptions

    opts = EngineOptions(engine, move=move, threads=threads, collective_every=collective_every)
    if initial not in ("saturated", "model"):
        raise ValueError(f"initial: {initial!r} is not one of 'saturated', 'model'")
    if n_orientations is None:
        dirs = check_direction("direction", direction)[None, :]
    else:
        dirs = fibonacci_directions(check_int("n_orientations", n_orientations, 1), hemisphere=True)
    groups = {}
    if model.sublattice is not None:
        lab = np.asarray(model.sublattice).astype(str)
        groups.update({f"sub:{u}": lab == u for u in np.unique(lab)})
    if model.region is not None:
        reg = np.asarray(model.region).astype(str)
        groups.update({f"reg:{u}": reg == u for u in np.unique(reg)})
    seeds = np.random.SeedSequence(seed).generate_state(len(dirs), dtype=np.uint64)
    t0 = time.perf_counter()
    ms, errs, gms = [], [], []
    for k, d in enumerate(dirs):
        label = "field step" if len(dirs) == 1 else f"direction {k + 1}/{len(dirs)}, field step"
        m, e, g = _run_branch(model, T, f, d, sweeps, eq, observe_every, int(seeds[k]), opts, initial,
                              progress, label, groups)
        ms.append(m)
        errs.append(e)
        gms.append(g)
    elapsed = time.perf_counter() - t0
    m_all = np.array(ms)
    m = m_all.mean(axis=0)
    err = np.sqrt(np.sum(np.array(errs) ** 2, axis=0)) / len(dirs)
    if len(dirs) > 1:
        err = np.sqrt(err ** 2 + m_all.var(axis=0, ddof=1) / len(dirs))
    gm = {k: np.mean([g[k] for g in gms], axis=0) for k in groups}
    msat = float(np.sum(model.moments))
    V = float(model.volume_m3)
    M_SI = m * msat * MU_B / V if np.isfinite(V) and V > 0 else np.full_like(m, np.nan)
    a = analyse_loop(f, m, m_err=err)
    if np.min(f) < 0 < np.max(f) and (np.isnan(a["Bc_down_T"]) or np.isnan(a["Bc_up_T"])):
        import warnings

        warnings.warn("hysteresis_loop: a branch never crossed m = 0 (coercive field NaN): the moment did not "
                      "reverse within the field range and sweeps_per_point; Monte Carlo rotation of a stiff "
                      "particle needs more sweeps per field step (see the module docstring)", RuntimeWarning,
                      stacklevel=2)
    area_J = a["area"] * msat * MU_B  # μB·T = J; −∮ m dB × Σm μB
    to_SI = msat * MU_B / V if V > 0 else np.nan  # reduced m → A/m
    note = ""
    if not np.isfinite(a["Bc_T"]):
        if not (np.isfinite(a["Bc_down_T"]) and np.isfinite(a["Bc_up_T"])):
            note = "a branch never crossed M = 0 (not reversed within the sweep)"
        else:
            sign = ("negative (the loop runs backwards)" if a["area"] < -2.0 * a["area_err"]
                    else "not resolved (|area| < 2σ)" if np.isfinite(a["area_err"]) else "not positive")
            note = (f"loop area {a['area'] * to_SI:.3g} ± {a['area_err'] * to_SI:.2g} J/m³ is {sign}: the loop is not "
                    "open, so it has no coercive field")
    mh, mh_err = a["m_high"], a["m_high_err"]
    ratio = a["Mr"] / mh if mh > 0 else np.nan
    ratio_err = float(np.hypot(a["Mr_err"] / mh, a["Mr"] * mh_err / mh ** 2)) if mh > 0 else np.nan
    return HysteresisResult(
        fields_T=f, fields_A_per_m=f / MU_0, m=m, m_err=err,
        m_sublattice={k[4:]: v for k, v in gm.items() if k.startswith("sub:")},
        m_region={k[4:]: v for k, v in gm.items() if k.startswith("reg:")},
        M_A_per_m=M_SI, Bc_T=a["Bc_T"], Bc_down_T=a["Bc_down_T"], Bc_up_T=a["Bc_up_T"],
        Hc_A_per_m=a["Bc_T"] / MU_0, Mr=a["Mr"], Mr_A_per_m=a["Mr"] * msat * MU_B / V if V > 0 else np.nan,
        loop_area_J_per_m3=area_J / V if V > 0 else np.nan, loop_area_J=area_J,
        high_field_slope_per_T=a["high_field_slope"],
        chi_high_field=a["high_field_slope"] * msat * MU_B / V * MU_0 if V > 0 else np.nan,
        closure=a["closure"], directions=dirs, T=T, sweeps_per_point=sweeps, equilibration_fraction=eq,
        seed=seed, m_sat_muB=msat, volume_m3=V, elapsed_s=elapsed, m_per_direction=m_all,
        M_err_A_per_m=err * to_SI, Bc_crossing_T=a["Bc_crossing_T"], Bc_err_T=a["Bc_err_T"],
        Hc_err_A_per_m=a["Bc_err_T"] / MU_0, Mr_err=a["Mr_err"], Ms_A_per_m=mh * to_SI, Ms_err_A_per_m=mh_err * to_SI,
        Mr_over_Ms=ratio, Mr_over_Ms_err=ratio_err, loop_area_err_J_per_m3=a["area_err"] * to_SI,
        coercivity_note=note)


@dataclass
class ZFCFCResult(ResultBase):
    """Zero-field-cooled and field-cooled magnetisation versus temperature.

    Attributes
    ----------
    T : (K,) measuring temperatures, ascending (K).
    m_zfc, m_fc : (K,) reduced moment along the field, ⟨M·ĥ⟩ / Σm_i (orientation-averaged).
    B_T : measuring field (tesla); T_max : start temperature (K); T_peak_zfc : T of the ZFC maximum (K).
    directions, sweeps_per_point, seed.
    """

    T: np.ndarray
    m_zfc: np.ndarray
    m_fc: np.ndarray
    B_T: float
    T_max: float
    T_peak_zfc: float
    directions: np.ndarray
    sweeps_per_point: int
    seed: int

    def plot(self, ax=None, **kwargs):
        ax = self._axes(ax)
        ax.plot(self.T, self.m_zfc, "o-", ms=3, label="ZFC", **kwargs)
        ax.plot(self.T, self.m_fc, "s-", ms=3, label="FC")
        ax.set_xlabel("T (K)")
        ax.set_ylabel("M·ĥ / Ms")
        ax.set_title(f"μ0H = {self.B_T * 1e3:g} mT")
        ax.legend()
        return ax


def zfc_fc(model, temperatures, B_T, direction=(0.0, 0.0, 1.0), n_orientations=None, sweeps_per_point=500,
           equilibration_fraction=0.5, observe_every=1, seed=0, threads=None, progress=False, engine=None):
    """ZFC/FC curves by Monte Carlo.

    Protocol: (ZFC) random spins at T_max = max(temperatures), cooled through the temperature list in
    zero field, then the field B is applied at the lowest T and the system is warmed back through the
    list, measuring at each T; (FC) random spins at T_max in field B, cooled through the list,
    measuring at each T. ``sweeps_per_point`` sweeps per temperature step (the time proxy; the first
    ``equilibration_fraction`` discarded). With ``n_orientations`` the field direction is averaged
    over the upper hemisphere as for loops.

    Parameters
    ----------
    model : SpinModel
    temperatures : (K,) temperatures (K), ≥ 2 values, all ≥ 0.
    B_T : float
        Measuring field μ0H (tesla), > 0.
    direction, n_orientations, sweeps_per_point, equilibration_fraction, observe_every, seed, threads, progress, engine
        As in :func:`hysteresis_loop`.

    Returns
    -------
    ZFCFCResult
    """
    from atomspin.engine import EngineOptions

    Ts = np.sort(np.atleast_1d(check_array("temperatures", temperatures)))
    if Ts.ndim != 1 or Ts.size < 2 or not np.all(np.isfinite(Ts)) or np.any(Ts < 0):
        raise ValueError("temperatures: need ≥ 2 finite temperatures, all in [0, inf) K")
    B = check_finite_scalar("B_T", B_T, 0.0, np.inf, lo_open=True)
    sweeps = check_int("sweeps_per_point", sweeps_per_point, MIN_SWEEPS_PER_POINT)
    eq = check_finite_scalar("equilibration_fraction", equilibration_fraction, 0.0, 1.0, hi_open=True)
    observe_every = check_int("observe_every", observe_every, 1)
    seed = check_seed(seed)
    if n_orientations is None:
        dirs = check_direction("direction", direction)[None, :]
    else:
        dirs = fibonacci_directions(check_int("n_orientations", n_orientations, 1), hemisphere=True)
    seeds = np.random.SeedSequence(seed).generate_state(2 * len(dirs), dtype=np.uint64)
    msat = float(np.sum(model.moments))
    n_eq = min(max(int(round(eq * sweeps)), 1), sweeps - 1)
    n_meas = sweeps - n_eq
    opts = EngineOptions(engine, threads=threads)
    zfc = np.zeros((len(dirs), len(Ts)))
    fc = np.zeros((len(dirs), len(Ts)))
    t0 = time.perf_counter()
    total = len(dirs) * 3 * len(Ts)
    done = 0

    def measure(sim, d):
        advance(sim, n_eq)
        obs = sim.run(n_meas, observe_every=min(observe_every, n_meas))
        return float(np.mean(obs.magnetisation @ d)) / msat

    for k, d in enumerate(dirs):
        rng = np.random.default_rng(int(seeds[2 * k]))
        for mode in ("zfc", "fc"):
            s0 = rng.normal(size=(model.n, 3))
            s0 /= np.linalg.norm(s0, axis=1, keepdims=True)
            sim = opts.simulation(model, float(Ts[-1]), int(seeds[2 * k + (mode == "fc")]))
            sim.spins = s0
            if mode == "zfc":
                sim.set_field(np.zeros(3))
                for t in Ts[::-1]:
                    sim.set_temperature(float(t))
                    advance(sim, sweeps)
                    done += 1
                    _progress(done, total, t0, progress, "ZFC/FC step")
                sim.set_field(B * d)
                for j, t in enumerate(Ts):
                    sim.set_temperature(float(t))
                    zfc[k, j] = measure(sim, d)
                    done += 1
                    _progress(done, total, t0, progress, "ZFC/FC step")
            else:
                sim.set_field(B * d)
                for j in range(len(Ts) - 1, -1, -1):
                    sim.set_temperature(float(Ts[j]))
                    fc[k, j] = measure(sim, d)
                    done += 1
                    _progress(done, total, t0, progress, "ZFC/FC step")
    mz, mf = zfc.mean(axis=0), fc.mean(axis=0)
    return ZFCFCResult(T=Ts, m_zfc=mz, m_fc=mf, B_T=B, T_max=float(Ts[-1]), T_peak_zfc=float(Ts[int(np.argmax(mz))]),
                       directions=dirs, sweeps_per_point=sweeps, seed=seed)
