"""Callen–Callen scaling of the anisotropy: K(T)/K(0) against the (sublattice) magnetisations.

K(T) comes from the constrained-MC torque at θ = π/4 (:func:`atomspin.measure.anisotropy.effective_anisotropy`'s
machinery), m_s(T) from unconstrained Monte Carlo; for a ferrimagnet each sublattice's single-ion anisotropy
follows its own m_s (Callen & Callen, J. Phys. Chem. Solids 27, 1271 (1966)).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from atomspin.measure.results import ResultBase, advance, check_direction, check_int
from atomspin.model.hamiltonian import effective_field
from atomspin.validation import check_seed
from atomspin.model.sums import site_sum

MIN_SWEEPS = 10


@dataclass
class CallenCallenResult(ResultBase):
    """K(T)/K(0) versus reduced magnetisation, and the fitted exponent n of K ∝ mⁿ.

    For a ferrimagnet the single-ion anisotropy of each sublattice s follows its own magnetisation,
    K(T)/K(0) = Σ_s w_s m_s(T)ⁿ with w_s = K_s(0)/K(0) (Callen & Callen 1966 per sublattice); with one
    sublattice (or none given) this is K/K0 = mⁿ.

    Attributes: T, m (Σ_s w_s m_s: the anisotropy-weighted reduced magnetisation; = m for one sublattice),
    K_ratio, K_err_ratio, exponent, exponent_err, expected_exponent, max_deviation (largest
    absolute value of K_ratio / Σ_s w_s m_s^expected − 1), m_sublattice (name → (k,) reduced sublattice magnetisations),
    weights (name → w_s), m_net (⟨|M|⟩ / |M| of the collinear state, the particle's reduced net moment).
    """

    T: np.ndarray
    m: np.ndarray
    K_ratio: np.ndarray
    K_err_ratio: np.ndarray
    exponent: float
    exponent_err: float
    expected_exponent: float
    max_deviation: float
    m_sublattice: dict = None
    weights: dict = None
    m_net: np.ndarray = None

    def plot(self, ax=None, **kwargs):
        ax = self._axes(ax)
        ax.errorbar(self.m, self.K_ratio, yerr=self.K_err_ratio, fmt="o", label="constrained MC", **kwargs)
        mm = np.linspace(self.m.min(), 1.0, 100)
        ax.plot(mm, mm ** self.expected_exponent, "-", label=f"m^{self.expected_exponent:g}")
        ax.set_xlabel("m(T) (anisotropy-weighted sublattice magnetisation)")
        ax.set_ylabel("K(T)/K(0)")
        ax.legend()
        return ax


def callen_callen_fit(T, m, K, K_err=None, K0=None, expected_exponent=3.0, m_sublattice=None, weights=None):
    """Fit K(T)/K(0) = mⁿ, or Σ_s w_s m_sⁿ for sublattices (Callen & Callen, J. Phys. Chem. Solids 27, 1271
    (1966): n = l(l+1)/2, 3 for uniaxial single-ion anisotropy, 10 for cubic).

    Parameters
    ----------
    T : (k,) K; m : (k,) reduced magnetisation (used when ``m_sublattice`` is None); K : (k,) anisotropy
    (any unit); K_err optional.
    K0 : K at T = 0 (default: K at the lowest T).
    m_sublattice : dict name → (k,) reduced sublattice magnetisations in (0, 1], optional.
    weights : dict name → w_s (normalised to sum 1 here; a sublattice of opposite anisotropy has w_s < 0),
        required with ``m_sublattice``.
    """
    from scipy.optimize import minimize_scalar

    T, K = (np.asarray(a, dtype=np.float64) for a in (T, K))
    if m_sublattice is None:
        m = np.asarray(m, dtype=np.float64)
        subs, w = {"all": m}, {"all": 1.0}
    else:
        if not weights or set(weights) != set(m_sublattice):
            raise ValueError("weights: need one weight per entry of m_sublattice")
        subs = {k: np.asarray(v, dtype=np.float64) for k, v in m_sublattice.items()}
        tot = float(sum(weights.values()))
        if not np.isfinite(tot) or tot == 0:
            raise ValueError("weights: must be finite with a non-zero sum (sublattice shares of K(0))")
        w = {k: float(v) / tot for k, v in weights.items()}
    if T.size < 2 or any(v.shape != T.shape for v in subs.values()) or K.shape != T.shape:
        raise ValueError("T, m, K: need equal-length arrays with ≥ 2 points")
    for v in subs.values():
        if np.any((v <= 0) | (v > 1)):
            raise ValueError("m: reduced magnetisation must be in (0, 1]")
    m_eff = sum(w[k] * subs[k] for k in subs)
    K0 = float(K[np.argmin(T)]) if K0 is None else float(K0)
    ratio = K / K0
    err = np.zeros_like(ratio) if K_err is None else np.asarray(K_err, dtype=np.float64) / abs(K0)

    def model(n):
        return sum(w[k] * subs[k] ** n for k in subs)

    ok = (ratio > 0) & (m_eff < 1)
    if np.sum(ok) >= 1:
        y = np.log(ratio[ok])

        def cost(n):
            return float(np.sum((np.log(model(n)[ok]) - y) ** 2))

        n_fit = float(minimize_scalar(cost, bounds=(0.0, 60.0), method="bounded", options={"xatol": 1e-12}).x)
        # error from the local curvature of the log residuals (one parameter)
        h = 1e-4
        d = (np.log(model(n_fit + h)[ok]) - np.log(model(n_fit - h)[ok])) / (2 * h)
        res = np.log(model(n_fit)[ok]) - y
        n_err = float(np.sqrt(np.sum(res ** 2) / max(ok.sum() - 1, 1) / max(np.sum(d ** 2), 1e-300)))
    else:
        n_fit, n_err = float("nan"), float("nan")
    dev = float(np.max(np.abs(ratio / model(expected_exponent) - 1)))
    return CallenCallenResult(T=T, m=m_eff, K_ratio=ratio, K_err_ratio=err, exponent=n_fit, exponent_err=n_err,
                              expected_exponent=float(expected_exponent), max_deviation=dev,
                              m_sublattice=None if m_sublattice is None else subs, weights=w)


def _sublattice_weights(model, u, n_axis):
    """w_s: share of each sublattice in the T = 0 anisotropy torque n·τ at direction u (collinear state)."""
    from atomspin.measure.landscape import _collinear

    sig = _collinear(model)
    s = sig[:, None] * u[None, :]
    h = effective_field(model, s)
    tq = np.cross(s, h) @ n_axis  # per site; exchange torques vanish site by site in a collinear state
    labels = np.asarray(model.sublattice) if model.sublattice is not None else np.full(model.n, "all")
    out = {str(k): float(np.sum(tq[labels == k])) for k in np.unique(labels)}
    tot = sum(out.values())
    if not np.isfinite(tot) or tot == 0:
        raise ValueError("model: no anisotropy torque at the probe direction; nothing to fit")
    return {k: v / tot for k, v in out.items()}, labels


def anisotropy_temperature_series(model, temperatures, easy_axis=(0.0, 0.0, 1.0), sweeps=2000,
                                  equilibration_sweeps=1000, observe_every=10, seed=0, K0_meV=None,
                                  expected_exponent=3.0, progress=False, engine=None):
    """K(T) from the constrained torque at θ = π/4 (= a₁ = K V for uniaxial) and the sublattice
    magnetisations m_s(T) from unconstrained Monte Carlo at each T, fitted to Callen–Callen
    K(T)/K(0) = Σ_s w_s m_sⁿ (:func:`callen_callen_fit`; w_s from each sublattice's share of the T = 0 torque).

    For a ferrimagnet the net ⟨|M|⟩ divided by Σ m_i is not a reduced magnetisation (magnetite: 0.29 at
    T → 0); each sublattice's anisotropy follows its own m_s. ``m_net`` reports ⟨|M|⟩ over the moment of the
    collinear state.

    Parameters
    ----------
    temperatures : (k,) K, > 0.
    K0_meV : optional K(0)·V in meV (e.g. Σ K_i); default: the value at the lowest T.
    easy_axis, sweeps, equilibration_sweeps, observe_every, seed, expected_exponent, progress, engine
        As in :func:`effective_anisotropy`; ``engine`` serves the constrained and the free runs.
    """
    from atomspin.engine import EngineOptions
    from atomspin.measure.anisotropy import _constrained_torque, _perpendicular
    from atomspin.measure.landscape import _collinear

    e = check_direction("easy_axis", easy_axis)
    Ts = np.atleast_1d(np.asarray(temperatures, dtype=np.float64))
    if Ts.size < 2 or not np.all(np.isfinite(Ts)) or np.any(Ts <= 0):
        raise ValueError("temperatures: need ≥ 2 finite temperatures, all > 0 K")
    sweeps = check_int("sweeps", sweeps, MIN_SWEEPS)
    equilibration_sweeps = check_int("equilibration_sweeps", equilibration_sweeps, 0)
    observe_every = check_int("observe_every", observe_every, 1, sweeps)
    seed = check_seed(seed)
    opts = EngineOptions(engine)
    seeds = np.random.SeedSequence(seed).generate_state(2 * len(Ts), dtype=np.uint64)
    p = _perpendicular(e)
    n_axis = np.cross(e, p)
    u = (e + p) / np.sqrt(2.0)
    weights, labels = _sublattice_weights(model, u, n_axis)
    msat = {k: float(np.sum(model.moments[labels == k])) for k in weights}
    m0 = float(abs(site_sum(model.moments, _collinear(model)[:, None])[0]))
    K, Kerr, msub, mnet = [], [], {k: [] for k in weights}, []
    for k, t in enumerate(Ts):
        tq, te, _ = _constrained_torque(model, float(t), u, n_axis, int(seeds[2 * k]), sweeps,
                                        equilibration_sweeps, observe_every, opts)
        K.append(-tq)
        Kerr.append(te)
        sim = opts.simulation(model, float(t), int(seeds[2 * k + 1]))
        advance(sim, equilibration_sweeps)
        obs = sim.run(sweeps, observe_every=observe_every)
        sub = obs.sublattice_magnetisation
        for name in weights:
            M_s = sub[name] if name in sub else obs.magnetisation
            msub[name].append(float(np.mean(np.linalg.norm(M_s, axis=1))) / msat[name])
        mnet.append(obs.mean_abs_m / m0)
        if progress:
            import sys

            sys.stderr.write(f"[atomspin] T = {t:g} K: K V = {K[-1]:.4g} meV, "
                             + ", ".join(f"m_{n} = {v[-1]:.4f}" for n, v in msub.items()) + "\n")
    msub = {k: np.array(v) for k, v in msub.items()}
    r = callen_callen_fit(Ts, None, np.array(K), np.array(Kerr), K0=K0_meV, expected_exponent=expected_exponent,
                          m_sublattice=msub, weights=weights)
    r.m_net = np.array(mnet)
    return r
