"""The anisotropy landscape of a particle as a measurement: free energy F(n̂) of the moment direction.

Method
------
Constrained Monte Carlo (Asselin et al., PRB 82, 054415 (2010); :class:`atomspin.engine.ConstrainedSimulation`)
holds the total moment M along each of ``n_directions`` quasi-uniform directions ê_k of the upper hemisphere
while every other degree of freedom equilibrates at T. The mean internal torque τ = ⟨Σ ŝ_i × h_i⟩ is the
tangential gradient of the free energy, ∇F(ê) = ê × ⟨τ⟩ (rotating ê by dφ about n̂ changes F by −n̂·⟨τ⟩ dφ).
The torque field is integrated exactly in the least-squares sense: F is the even polynomial potential of degree
L (spherical harmonics 0, 2, …, L) whose tangential gradient matches the 2·n_directions measured components,
weighted by their autocorrelation-aware errors (:func:`atomspin.engine.statistics.mean_error`; with a frozen
dipolar field, the larger of that and the batch-means error over its refresh windows, :func:`window_batch_error`,
when a direction's run holds ≥ MIN_WINDOWS windows) (:mod:`atomspin.measure._sphere_fit`). F(−n̂) = F(n̂) holds exactly in zero field (every term of the
Hamiltonian is even in the spins), so the hemisphere covers the sphere. χ²/dof of that fit says whether the
data are a gradient field of degree ≤ L within their errors.

From the fitted surface (``surface``: :class:`atomspin.macrospin.EnergySurface` of F/V in J/m³) come the minima,
all first-order saddles, the saddle connectivity and the lowest escape barrier out of the global minimum
(:func:`atomspin.macrospin.critical_points`, :func:`~atomspin.macrospin.barriers`); its error propagates the fit
covariance to the energies at the (stationary, hence fixed to first order) minimum and saddle, or optionally is
the spread over surfaces drawn from that covariance (parametric bootstrap). ``fit`` decomposes F/V into
cubic K1, K2 (crystal axes), a shape term held at the dipolar interaction's share of F *as measured*, and a
uniaxial Ku, û (+ biaxial remainder) for the rest of the l = 2 part (surface and defect anisotropy of
non-symmetric particles), with residuals.

The shape term as measured: isotropic exchange exerts no net torque (Σ_ij J_ij ŝ_i × ŝ_j = 0), so the sampled
torque is exactly the sum of the dipolar term's torque τ_dip = Σ ŝ_i × h_dip,i (sampled in the same chain,
:attr:`atomspin.engine.ConstrainedSimulation.sample_dipolar_torque`) and the on-site terms' (cubic, Néel). The
dipolar share of ∇F is fitted with the weights of the total's fit, so the two shares' potentials add up to F
exactly (``dipolar_coefficients_J``, with their covariance and their covariance with the total's); its degree-2
part is the held shape term. The earlier estimate, the rigid-rotation tensor of the collinear state × ⟨|M|⟩²/M0²
(``fit.shape_Q_rigid_m2_J_per_m3``), is the mean-field value for uniform thermal disorder and is kept for
comparison (and held when the dipolar torque is not measured): it misses the dipolar
anisotropy of particles whose moment is reduced by structure rather than by temperature (antiphase boundaries:
docs/validation.md §3b, "The parts from the measured dipolar torque").

At T = 0 (``T=0``) no Monte Carlo is run: at each ê the state is relaxed to its constrained energy minimum
(:func:`constrained_minimum`) and τ is its exact torque, so the landscape is E₀(n̂) (the T → 0 limit; a GNEB
saddle must agree with it).

Units: the model's meV inside, ``*_J`` and J/m³ (``model.volume_m3``) at the edge; temperatures are physical
(with a temperature-rescaled model the engine samples at T_sim, :mod:`atomspin.model.thermal`).

Cost (``benchmarks/bench_landscape.py``): one constrained MC run per direction, sequential; ``workers``
processes run directions in parallel with the same numbers (each direction has its own seed).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import numpy as np

from atomspin.measure import _sphere_fit as sf
from atomspin.measure._rigid_reference import RIGID_MIN_DIRECTIONS, RigidReferenceDipolar
from atomspin.measure.constrained_t0 import _zero_t_run, constrained_minimum, rigid_shape_tensor_meV  # noqa: F401
from atomspin.measure.results import ResultBase, advance, check_finite_scalar, check_int
from atomspin.model.sums import site_sum
from atomspin.units import K_B, MEV, MU_B
from atomspin.validation import check_choice, check_seed

#: fewest directions accepted (issue 13: ≥ 26; derived: the degree-6 even potential has 27 coefficients, one
#: of them the undetermined constant, so 26 directions give 52 gradient components for 27 unknowns)
MIN_DIRECTIONS = 26
MIN_SWEEPS = 10
#: fewest refresh windows of the frozen dipolar field in a direction's sampled run for the batch-means error
#: over windows (:func:`window_batch_error`) to enter the torque error (derived: a batch-means variance from
#: B batches has B − 1 degrees of freedom; below 4 it is itself uncertain by more than ±80 %)
MIN_WINDOWS = 4


def _default_degree(n):
    return 8 if n >= 60 else 6


def landscape_directions(n):
    """(n, 3) quasi-uniform directions on the upper hemisphere z > 0 (Fibonacci lattice)."""
    from atomspin.measure.results import fibonacci_directions

    return fibonacci_directions(n, hemisphere=True)


# ----------------------------------------------------------------------------------------------- workers
def _constrained_run(model, T, direction, seed, sweeps, equilibration_sweeps, observe_every, engine):
    """One constrained-MC run: gradient components along the tangent basis (mean, error) and ⟨|M|⟩ (μB)."""
    from atomspin.engine import EngineOptions
    from atomspin.engine.statistics import mean_error

    sim = EngineOptions(engine).constrained(model, T, direction, int(seed))
    sim.sample_dipolar_torque = separable_dipolar(model)  # the dipolar share of the torque (same chain)
    advance(sim, equilibration_sweeps)
    sw = sim.sweeper
    s0 = getattr(sw, "sweeps_done", None)
    obs = sim.run(sweeps, observe_every=observe_every, sample_energy=False)  # F comes from the torque alone
    e = np.asarray(direction, dtype=np.float64)
    t = sf.tangent_basis(e)[0]
    g = np.cross(e, obs.torque) @ t.T  # (S, 2): ∇F samples along t1, t2 (meV/rad)
    windowed = s0 is not None and getattr(sw, "frozen", None) is not None and not getattr(sw, "per_move", False)
    bounds = np.array([b - s0 for b in sw.refresh_sweeps if s0 < b < s0 + sweeps], dtype=np.int64) \
        if windowed else None
    sample_sweeps = (np.arange(len(g)) + 1) * observe_every

    def stats(x):  # mean, error (τ_int, or the batch means over refresh windows when larger), τ_int, windows
        out = [mean_error(x[:, k]) for k in range(2)]
        m, er, ti = (np.array([o[j] for o in out]) for j in range(3))
        nw = float("nan")  # no frozen dipolar field
        if windowed:
            berr, nw = window_batch_error(x, sample_sweeps, bounds)
            if nw >= MIN_WINDOWS:
                er = np.maximum(er, berr)
        return m, er, ti, nw

    mean, err, tau, windows = stats(g)
    sub = {k: float(np.mean(np.linalg.norm(v, axis=1))) for k, v in obs.sublattice_magnetisation.items()}
    res = dict(g=mean, err=err, tau_int=tau, torque=obs.mean_torque, M=float(obs.mean_abs_m), sub=sub,
               acceptance=float(obs.acceptance), windows=windows)
    if obs.dipolar_torque is not None:
        gd = np.cross(e, obs.dipolar_torque) @ t.T  # the dipolar term's share of ∇F
        md, ed = stats(gd)[:2]
        eo = stats(g - gd)[1]  # the on-site share's error: var(g − gd) gives the covariance of g and gd
        res.update(g_dip=md, err_dip=ed, cov_g_dip=0.5 * (err ** 2 + ed ** 2 - eo ** 2))
    return res


def separable_dipolar(model):
    """True when the model has a dipolar term whose share of the torque the sampler can measure (a macrocell
    term, or an object with ``fields_meV``)."""
    from atomspin.engine.arrays import is_macrocell

    dip = getattr(model, "dipolar", None)
    return dip is not None and (is_macrocell(dip) or hasattr(dip, "fields_meV"))


def window_batch_error(x, sample_sweeps, boundaries):
    """Batch-means error of the mean of ``x`` with the batches = refresh windows of a frozen dipolar field.

    Between refreshes the sampled Hamiltonian holds one reference field; its quenched (static within a window)
    part shifts a window's mean torque, an offset the autocorrelation time of the samples cannot see. Each
    window b (n_b samples, mean x̄_b) is one batch: err² = B/(B − 1) · Σ n_b² (x̄_b − x̄)² / (Σ n_b)², the
    batch-means estimator for unequal batches (x̄ the overall mean).

    Parameters
    ----------
    x : (S,) or (S, k) samples.
    sample_sweeps : (S,) int, sweep count of each sample since the start of the run.
    boundaries : (W − 1,) int, sweep counts of the refreshes inside the run (increasing).

    Returns
    -------
    err : (k,) or scalar, nan when fewer than 2 windows hold samples.
    windows : int, number of windows that hold samples.
    """
    x = np.asarray(x, dtype=np.float64)
    flat = x.ndim == 1
    x2 = x[:, None] if flat else x
    wid = np.searchsorted(np.asarray(boundaries), np.asarray(sample_sweeps), side="left")
    ids = np.unique(wid)
    B = len(ids)
    if B < 2:
        err = np.full(x2.shape[1], np.nan)
    else:
        nb = np.array([np.sum(wid == b) for b in ids], dtype=np.float64)
        xb = np.array([x2[wid == b].mean(axis=0) for b in ids])
        mu = nb @ xb / nb.sum()
        err = np.sqrt(B / (B - 1) * np.sum(nb[:, None] ** 2 * (xb - mu) ** 2, axis=0) / nb.sum() ** 2)
    return (float(err[0]) if flat else err), int(B)


_WORKER_MODEL = None


def _init_worker(model):
    global _WORKER_MODEL
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    _WORKER_MODEL = model


def _worker(args):
    return _constrained_run(_WORKER_MODEL, *args)


def _thermalised(model, T, sweeps, seed, engine):
    """A copy of ``model`` whose spins are an unconstrained equilibrium state at T (parallel plain sweeps, the
    fast path of the engine). Constrained runs start from it rigidly rotated (M ∥ ê): the exchange-driven part of
    the disorder (spin waves, frustrated surface canting) is invariant under a global rotation, so only the
    direction-dependent part is left to equilibrate under the constraint."""
    import dataclasses

    from atomspin.engine import EngineOptions

    opts = {k: v for k, v in EngineOptions(engine).to_dict().items() if k not in ("constrained_sweeper",)}
    sim = EngineOptions(opts).simulation(model, T, seed)
    advance(sim, sweeps)
    return dataclasses.replace(model, spins=np.ascontiguousarray(sim.spins))


# ----------------------------------------------------------------------------------------------- result
@dataclass
class LandscapeResult(ResultBase):
    """Free-energy landscape F(n̂) of a particle's moment direction at temperature T.

    Attributes
    ----------
    directions : (n, 3) measured directions ê (upper hemisphere; F(−n̂) = F(n̂)).
    F_J, F_err_J : (n,) F(ê) − F at the global minimum, and its standard error (J), from the fitted potential.
    gradient_meV, gradient_err_meV : (n, 2) measured ∇F = ê × ⟨τ⟩ along the tangent basis (meV/rad).
    torque_meV : (n, 3) ⟨τ⟩ per direction.
    tau_int : (n, 2) integrated autocorrelation times of the two gradient series (samples).
    n_eff_min : smallest effective number of independent torque samples over the directions, samples/(2 τ_int);
        below ≈ 25 (runs shorter than ≈ 50 τ_int) the error bars are themselves unreliable (too small): run longer.
    refresh_windows_min : fewest refresh windows of the frozen dipolar field over the directions' sampled runs (nan
        without a frozen field: no dipolar object, or per-move exact fields). With ≥ MIN_WINDOWS (4) windows a
        direction's gradient error is the larger of the τ_int error and the batch-means error over windows
        (:func:`window_batch_error`), which sees the quenched part of the reference field; below 4 it is the τ_int
        error alone and may miss that part (docs/validation.md §6, "Monte Carlo with dipolar terms"): run more sweeps
        or pass a shorter ``engine={"sweeper_options": {"refresh_every": k}}``.
    minima, saddles, maxima : (k, 3) critical points of the fitted surface (± pairs both listed).
    e_minima_J, e_saddles_J : (k,) F − F_min at them (J); saddle_minima (s, 2) the minima each saddle joins.
    barrier_J, barrier_err_J, barrier_over_kT : lowest escape barrier out of the global minimum.
    reversal_barrier_J, reversal_barrier_err_J : lowest barrier on a path from the global minimum to its antipode
        (through other minima if need be; :func:`reversal_saddle`): the barrier of moment reversal. It equals
        ``barrier_J`` for uniaxial and cubic particles; it is larger when the global minimum has shallow
        neighbours on its own side (e.g. minima tilted about a shape easy axis).
    surface : atomspin.macrospin.EnergySurface of F/V (J/m³; anisotropy only).
    fit : :class:`atomspin.measure._sphere_fit.TermFit` (K1, K2, Ku, axis, shape, residuals; ``fit.shape_source``
        says whether the held shape term is measured).
    coefficients_J, covariance_J2 : the fitted potential's monomial coefficients (F in J) and their covariance.
    dipolar_coefficients_J, dipolar_covariance_J2, dipolar_cross_covariance_J2 : the dipolar term's share of F
        (same basis and weights; F − it is the on-site terms' share), its covariance and its covariance with
        ``coefficients_J``; None without a dipolar term.
    degree : int, spherical-harmonic degree of the fitted potential; chi2_per_dof of that fit.
    volume_m3, T_K, Ms_A_per_m, Ms_err_A_per_m : ⟨|M|⟩ μB / V over the constrained runs (spread as error).
    m_reduced : ⟨|M|⟩ / |M| of the collinear state; sublattice_m : reduced sublattice magnetisations.
    n_spins, sweeps, equilibration_sweeps, seed, elapsed_s, method ("constrained MC" or "T = 0 minimum").
    """

    directions: np.ndarray
    F_J: np.ndarray
    F_err_J: np.ndarray
    gradient_meV: np.ndarray
    gradient_err_meV: np.ndarray
    torque_meV: np.ndarray
    tau_int: np.ndarray
    minima: np.ndarray
    e_minima_J: np.ndarray
    saddles: np.ndarray
    e_saddles_J: np.ndarray
    saddle_minima: np.ndarray
    maxima: np.ndarray
    barrier_J: float
    barrier_err_J: float
    barrier_over_kT: float
    reversal_barrier_J: float
    reversal_barrier_err_J: float
    surface: object = field(repr=False)
    fit: object = None
    degree: int = 6
    chi2_per_dof: float = float("nan")
    volume_m3: float = float("nan")
    T_K: float = float("nan")
    Ms_A_per_m: float = float("nan")
    Ms_err_A_per_m: float = float("nan")
    m_reduced: float = float("nan")
    sublattice_m: dict = field(default_factory=dict)
    n_spins: int = 0
    sweeps: int = 0
    equilibration_sweeps: int = 0
    seed: int = 0
    elapsed_s: float = float("nan")
    method: str = "constrained MC"
    n_eff_min: float = float("nan")
    refresh_windows_min: float = float("nan")
    coefficients_J: np.ndarray = field(default=None, repr=False)
    covariance_J2: np.ndarray = field(default=None, repr=False)
    dipolar_coefficients_J: np.ndarray = field(default=None, repr=False)
    dipolar_covariance_J2: np.ndarray = field(default=None, repr=False)
    dipolar_cross_covariance_J2: np.ndarray = field(default=None, repr=False)

    @property
    def barrier_J_per_m3(self):
        """Barrier per volume (J/m³)."""
        return self.barrier_J / self.volume_m3

    def uniaxial_along(self, axis):
        """Uniaxial constant of the landscape along a fixed axis û, with its standard error (J/m³).

        The degree-2 spherical-harmonic part of F/V is a traceless n̂ᵀQn̂ (:func:`~atomspin.measure._sphere_fit.
        l2_projector`); ``Ku = −(3/2) ûᵀQû`` is linear in the fitted coefficients, so its error follows from
        their covariance without sampling. For a pure uniaxial term Ku (1 − (n̂·û)²) it returns Ku (> 0: û is an
        easy axis, < 0: û is a hard axis / easy plane); cubic terms (degree 4, 6) give 0. Unlike the barrier,
        which is a minimum-to-saddle difference and jumps when the landscape's minima change, this is a smooth
        linear observable: the one to compare between particles whose barrier is ≪ k_BT.

        Parameters
        ----------
        axis : (3,) direction û in the model's frame (normalised here).

        Returns
        -------
        (Ku_J_per_m3, Ku_err_J_per_m3) : floats.
        """
        from atomspin.validation import check_direction

        u = check_direction("axis", axis)
        if self.coefficients_J is None:
            raise ValueError("uniaxial_along needs the fitted coefficients (coefficients_J): this result has none")
        a = -1.5 * np.einsum("i,ijk,j->k", u, sf.l2_projector(self.degree), u) / self.volume_m3
        c = np.asarray(self.coefficients_J, dtype=np.float64)
        cov = np.asarray(self.covariance_J2, dtype=np.float64)
        return float(a @ c), float(np.sqrt(max(a @ cov @ a, 0.0)))

    def to_dict(self):
        d = super().to_dict()
        d["surface"] = repr(self.surface)
        d["fit"] = None if self.fit is None else {k: (v.tolist() if isinstance(v, np.ndarray) else v)
                                                  for k, v in vars(self.fit).items()}
        return d

    def plot(self, ax=None, **kwargs):
        """Map of F(n̂) − F_min (J/m³) over the sphere (equal-area Hammer–Aitoff projection) with the measured
        directions, minima (▼), saddles (×) and maxima (▲)."""
        import matplotlib.pyplot as plt

        if ax is None:
            fig = plt.figure(figsize=(7.0, 4.0))
            ax = fig.add_subplot(111, projection="hammer")
        lon = np.linspace(-np.pi, np.pi, 181)
        lat = np.linspace(-np.pi / 2, np.pi / 2, 91)
        LO, LA = np.meshgrid(lon, lat)
        n = np.stack([np.cos(LA) * np.cos(LO), np.cos(LA) * np.sin(LO), np.sin(LA)], axis=-1).reshape(-1, 3)
        e = self.surface.energy(n).reshape(LA.shape)
        e = e - e.min()
        cs = ax.pcolormesh(LO, LA, e, shading="auto", cmap="viridis")
        plt.colorbar(cs, ax=ax, orientation="horizontal", pad=0.08, shrink=0.7,
                     label="F(n̂)/V − min (J/m³)")

        def ll(p):
            p = np.atleast_2d(p)
            return np.arctan2(p[:, 1], p[:, 0]), np.arcsin(np.clip(p[:, 2], -1, 1))

        for pts, mk, lab in ((self.directions, ".", "measured ê"), (self.minima, "v", "minima"),
                             (self.saddles, "x", "saddles"), (self.maxima, "^", "maxima")):
            if len(pts):
                a, b = ll(pts)
                ax.plot(a, b, mk, color="w" if mk == "." else "r", ms=4 if mk == "." else 7, label=lab,
                        ls="none")
        ax.grid(True, alpha=0.3)
        ax.set_xticklabels([])
        ax.set_yticklabels([])
        kt = f" = {self.barrier_over_kT:.3g} k_BT" if self.T_K > 0 else ""
        ax.set_title(f"T = {self.T_K:g} K: barrier {self.barrier_J:.3g} ± {self.barrier_err_J:.2g} J{kt} "
                     f"({self.barrier_J_per_m3:.3g} J/m³); longitude atan2(y, x), latitude asin z", fontsize=8,
                     pad=12)
        ax.legend(fontsize=6, loc="lower right", bbox_to_anchor=(1.05, -0.05))
        return ax


# ----------------------------------------------------------------------------------------------- driver
def _check_model(model, periodic):
    if any(getattr(model, "pbc", (False,) * 3)):
        if periodic is None:
            raise ValueError("periodic: the model is a periodic bulk box, which has no surface and no shape; pass "
                             "periodic='magnetocrystalline' to measure its bulk (magnetocrystalline) anisotropy")
        check_choice("periodic", periodic, ("magnetocrystalline",))
    elif periodic is not None:
        raise ValueError("periodic: only for periodic bulk boxes (this model has open boundaries); leave it None")
    b = np.asarray(getattr(model, "field", np.zeros(3)), dtype=np.float64)
    if np.any(b != 0.0):
        raise ValueError(f"model.field: the landscape is anisotropy only (F(-n) = F(n) is used); got {b} T, "
                         "set it to zero")
    V = float(model.volume_m3)
    if not (np.isfinite(V) and V > 0):
        raise ValueError(f"model.volume_m3: need a finite positive volume, got {V}")
    return V


def anisotropy_landscape(model, T, n_directions=26, sweeps=1000, seed=0, *, equilibration_sweeps=None,
                         thermalisation_sweeps=None, observe_every=2, degree=None, workers=1, engine=None,
                         periodic=None, bootstrap=0, progress=False):
    """Free-energy landscape F(n̂) of the moment direction, its minima, saddles, barriers and a term fit.

    Parameters
    ----------
    model : SpinModel
        Zero applied field. Dipolar terms (shape anisotropy) are included when the model has them.
    T : float, K (≥ 0)
        Physical temperature; 0 gives the T = 0 landscape from constrained energy minima (no sweeps).
    n_directions : int ≥ 26
        Constrained directions on the upper hemisphere (quasi-uniform).
    sweeps : int ≥ 10
        Sampled constrained-MC sweeps per direction.
    seed : int
        Each direction uses its own seed from ``numpy.random.SeedSequence(seed)``.
    equilibration_sweeps : int, optional
        Discarded constrained sweeps per direction (default sweeps // 4).
    thermalisation_sweeps : int, optional
        Unconstrained sweeps (fast parallel engine path) that thermalise one state at T before the directions;
        each constrained run starts from it rotated rigidly (default: sweeps; 0 starts from ``model.spins``).
    observe_every : int
        Torque sampling interval in sweeps (a torque costs ≈ 0.1 sweep; error bars from τ_int of the samples).
    degree : even int in [4, 12], optional
        Degree of the fitted potential (default 6; 8 from 60 directions).
    workers : int ≥ 1
        Processes running directions in parallel (same numbers for any count).
    engine : dict or EngineOptions, optional
        Engine options (:class:`atomspin.engine.EngineOptions`; the constrained keys are used, e.g.
        ``{"sigma": 0.1}``).
    periodic : None or "magnetocrystalline"
        Required for a periodic bulk box: what its landscape means (bulk anisotropy, no surface or shape).
    bootstrap : int ≥ 0
        0 (default): ``barrier_err_J`` by linear propagation of the fit covariance to the energies at the fixed
        minimum and saddle (exact to first order: both are stationary points). k > 0: the standard deviation of
        the barrier over k surfaces drawn from the covariance instead (slower; checks the linear estimate).
    progress : bool
        One line per direction on stderr.

    Returns
    -------
    LandscapeResult
    """
    import sys

    from atomspin import macrospin as ms

    T = check_finite_scalar("T", T, 0.0, np.inf)
    n_directions = check_int("n_directions", n_directions, MIN_DIRECTIONS)
    sweeps = check_int("sweeps", sweeps, MIN_SWEEPS)
    equilibration_sweeps = sweeps // 4 if equilibration_sweeps is None else check_int(
        "equilibration_sweeps", equilibration_sweeps, 0)
    thermalisation_sweeps = sweeps if thermalisation_sweeps is None else check_int(
        "thermalisation_sweeps", thermalisation_sweeps, 0)
    observe_every = check_int("observe_every", observe_every, 1, sweeps)
    seed = check_seed(seed)
    L = _default_degree(n_directions) if degree is None else check_int("degree", degree, 4, 12)
    if L % 2:
        raise ValueError(f"degree: {degree!r} must be even (the landscape is even in n)")
    if (L + 1) * (L + 2) // 2 - 1 > 2 * n_directions - 1:
        raise ValueError(f"degree: {L} needs more than {n_directions} directions (n_directions ≥ "
                         f"{((L + 1) * (L + 2) // 2) // 2 + 1})")
    workers = check_int("workers", workers, 1, 256)
    bootstrap = check_int("bootstrap", bootstrap, 0, 10_000)
    from atomspin.engine import EngineOptions

    engine = EngineOptions(engine).to_dict()  # validated here, before any work; plain dict for the workers
    V = _check_model(model, periodic)
    dirs = landscape_directions(n_directions)
    t0 = time.perf_counter()
    if T == 0:
        runs = [_zero_t_run(model, d) for d in dirs]
        method = "T = 0 minimum"
    else:
        seeds = np.random.SeedSequence(seed).generate_state(n_directions + 1, dtype=np.uint64)
        start = _thermalised(model, T, thermalisation_sweeps, int(seeds[-1]), engine) if thermalisation_sweeps \
            else model
        if getattr(start, "dipolar", None) is not None and hasattr(start.dipolar, "fields_and_axis_shape_tensor_meV") \
                and n_directions >= RIGID_MIN_DIRECTIONS:
            # every direction starts from a rigid rotation of this state: its frozen dipolar field comes from nine
            # precomputed source sets instead of a full evaluation per direction (measure/_rigid_reference.py)
            import dataclasses

            start = dataclasses.replace(start, dipolar=RigidReferenceDipolar(start.dipolar, start.spins, start.moments))
        args = [(T, d, int(s), sweeps, equilibration_sweeps, observe_every, engine) for d, s in zip(dirs, seeds)]
        if workers == 1:
            runs = []
            for k, a in enumerate(args):
                runs.append(_constrained_run(start, *a))
                if progress:
                    sys.stderr.write(f"[atomspin] landscape direction {k + 1}/{n_directions}: "
                                     f"{time.perf_counter() - t0:.1f}s\n")
        else:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor

            # the spawned workers must see NUMBA_NUM_THREADS=1 before they import numba: numba reads it at import
            # and refuses a different value once its threads run ("Cannot set NUMBA_NUM_THREADS ..."), so it goes
            # into the environment they inherit; the workers start inside the submit loop (spawn context), the
            # parent's own setting is restored right after
            saved = os.environ.get("NUMBA_NUM_THREADS")
            os.environ["NUMBA_NUM_THREADS"] = "1"
            try:
                pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"),
                                           initializer=_init_worker, initargs=(start,))
                futures = [pool.submit(_worker, a) for a in args]
            finally:
                if saved is None:
                    os.environ.pop("NUMBA_NUM_THREADS", None)
                else:
                    os.environ["NUMBA_NUM_THREADS"] = saved
            with pool:
                runs = [f.result() for f in futures]
        method = "constrained MC"
    g = np.array([r["g"] for r in runs])
    err = np.array([r["err"] for r in runs])
    wins = np.array([r.get("windows", float("nan")) for r in runs], dtype=np.float64)
    if T == 0:
        floor = 1e-9 * max(np.abs(g).max(), 1e-12)
        err = np.full_like(g, floor)
    else:
        bad = ~(np.isfinite(err) & (err > 0))
        if np.any(bad):
            err[bad] = np.nanmax(np.where(bad, np.nan, err)) if np.any(~bad) else 1e-12
    gfit = sf.fit_gradient(dirs, g, err, L)
    to_J = MEV
    dense = sf.fibonacci_sphere(4000)
    exps = np.array(sf.exponents(L))
    surface = ms.EnergySurface([ms.HarmonicExpansion(exps, gfit.coef * to_J / V)])
    cp = ms.critical_points(surface)
    emin = float(cp.e_minima.min()) if len(cp.e_minima) else float(surface.energy(dense).min())
    bars = ms.barriers(cp) if len(cp.e_minima) else np.array([np.inf])
    barrier = float(bars[cp.global_minimum]) * V if len(cp.e_minima) else 0.0
    # F at the measured directions relative to the global minimum, and its error
    n_min = cp.minima[cp.global_minimum] if len(cp.minima) else dense[np.argmin(surface.energy(dense))]
    P = sf.values(dirs, L) - sf.values(n_min, L)
    F_meV = P @ gfit.coef
    F_err_meV = np.sqrt(np.clip(np.einsum("ik,kl,il->i", P, gfit.cov, P), 0.0, None))
    # barrier error. Envelope theorem: the minimum and the saddle are stationary points, so to first order a
    # change δc of the coefficients moves the barrier by (φ(n_s) − φ(n_min))·δc at the fixed points.
    barrier_err = float("nan")
    if np.isfinite(barrier) and len(cp.saddles):
        js = [j for j, ab in enumerate(cp.saddle_minima) if cp.global_minimum in tuple(ab)]
        if js:
            j = js[int(np.argmin(cp.e_saddles[js]))]
            dphi = sf.values(cp.saddles[j], L)[0] - sf.values(n_min, L)[0]
            barrier_err = float(np.sqrt(max(dphi @ gfit.cov @ dphi, 0.0))) * to_J
    jr = reversal_saddle(cp)
    reversal, reversal_err = float("nan"), float("nan")
    if jr is not None:
        reversal = float(cp.e_saddles[jr] - cp.e_minima[cp.global_minimum]) * V
        dphi = sf.values(cp.saddles[jr], L)[0] - sf.values(n_min, L)[0]
        reversal_err = float(np.sqrt(max(dphi @ gfit.cov @ dphi, 0.0))) * to_J
    if bootstrap and np.isfinite(barrier) and barrier > 0:  # optional check of the linear estimate
        rng = np.random.default_rng(seed)
        vals = []
        for c in gfit.sample(rng, bootstrap):
            s_b = ms.EnergySurface([ms.HarmonicExpansion(exps, c * to_J / V)])
            cpb = ms.critical_points(s_b, n_grid=1500)
            if len(cpb.e_minima):
                vals.append(float(ms.barriers(cpb)[cpb.global_minimum]) * V)
        vals = np.array([v for v in vals if np.isfinite(v)])
        if len(vals) > 1:
            barrier_err = float(np.std(vals, ddof=1))
    # magnetisation
    Mz = np.array([r["M"] for r in runs])
    M0 = float(abs(site_sum(model.moments, _collinear(model)[:, None])[0]))  # moment of the collinear (Néel) state, μB
    Ms = float(np.mean(Mz)) * MU_B / V
    Ms_err = float(np.std(Mz, ddof=1) / np.sqrt(len(Mz))) * MU_B / V if len(Mz) > 1 else 0.0
    m_red = float(np.mean(Mz)) / M0 if M0 > 0 else float("nan")
    sub_m = {}
    if runs[0]["sub"] and model.sublattice is not None:
        for k in runs[0]["sub"]:
            tot = float(np.sum(model.moments[model.sublattice == k]))
            sub_m[k] = float(np.mean([r["sub"][k] for r in runs])) / tot if tot > 0 else float("nan")
    # the dipolar term's share of F: its torque share fitted with the total's weights (the shares add up exactly)
    dip_coef = dip_cov = dip_cross = None
    if all("g_dip" in r for r in runs):
        gd = np.array([r["g_dip"] for r in runs])
        ed = np.array([r["err_dip"] for r in runs])
        cd = np.array([r["cov_g_dip"] for r in runs])
        if np.all(np.isfinite(gd)):
            ed = np.where(np.isfinite(ed), ed, 0.0)
            cd = np.where(np.isfinite(cd), cd, 0.0)
            scale = max(gfit.chi2 / gfit.dof, 1.0) if T > 0 else 1.0
            dip_coef, dip_cov, dip_cross = (x * f for x, f in zip(
                sf.fit_gradient_share(dirs, gd, err, L, ed, cd, scale), (to_J, to_J ** 2, to_J ** 2)))
    # term fit: cubic + K2 + shape (held) + uniaxial/biaxial
    rigid_Q = rigid_shape_tensor_meV(model) * to_J / V * (m_red ** 2 if np.isfinite(m_red) else 1.0)
    rigid_Q = rigid_Q - np.trace(rigid_Q) / 3 * np.eye(3)
    if dip_coef is not None:  # the shape term as measured: the degree-2 part of the dipolar share of F
        shape_Q, shape_source = sf.l2_of(dip_coef, L) / V, sf.MEASURED_SHAPE
    elif getattr(model, "dipolar", None) is None:  # nothing to hold: Ku is the whole degree-2 uniaxial part
        shape_Q, shape_source = rigid_Q, sf.NO_SHAPE
    else:
        shape_Q, shape_source = rigid_Q, "rigid point-dipole tensor x m_reduced^2"
    terms = sf.fit_terms(dirs, g, err, V / to_J, shape_Q=shape_Q)
    terms.shape_source = shape_source
    terms.shape_Q_rigid_m2_J_per_m3 = rigid_Q
    e_h = surface.energy(dense)
    e_t = terms.energy_density(dense)
    terms.residual_rms_J_per_m3 = float(np.std((e_h - e_h.mean()) - (e_t - e_t.mean())))
    kT = K_B * T
    return LandscapeResult(
        directions=dirs, F_J=F_meV * to_J, F_err_J=F_err_meV * to_J, gradient_meV=g, gradient_err_meV=err,
        torque_meV=np.array([r["torque"] for r in runs]), tau_int=np.array([r["tau_int"] for r in runs]),
        minima=cp.minima, e_minima_J=(cp.e_minima - emin) * V, saddles=cp.saddles,
        e_saddles_J=(cp.e_saddles - emin) * V, saddle_minima=cp.saddle_minima, maxima=cp.maxima,
        barrier_J=barrier, barrier_err_J=barrier_err, barrier_over_kT=barrier / kT if kT > 0 else float("inf"),
        reversal_barrier_J=reversal, reversal_barrier_err_J=reversal_err,
        surface=surface, fit=terms, degree=L, chi2_per_dof=(gfit.chi2 / gfit.dof if T > 0 else float("nan")),
        volume_m3=V, T_K=T,
        Ms_A_per_m=Ms, Ms_err_A_per_m=Ms_err, m_reduced=m_red, sublattice_m=sub_m, n_spins=int(model.n),
        sweeps=0 if T == 0 else sweeps, equilibration_sweeps=0 if T == 0 else equilibration_sweeps, seed=seed,
        elapsed_s=time.perf_counter() - t0, method=method,
        refresh_windows_min=(float(np.nanmin(wins)) if T > 0 and np.any(np.isfinite(wins)) else float("nan")),
        n_eff_min=(float(np.min((sweeps // observe_every) / (2 * np.maximum(np.array([r["tau_int"] for r in runs]),
                                                                            0.5)))) if T > 0 else float("nan")), coefficients_J=gfit.coef * to_J,
        covariance_J2=gfit.cov * to_J ** 2, dipolar_coefficients_J=dip_coef, dipolar_covariance_J2=dip_cov,
        dipolar_cross_covariance_J2=dip_cross)


def reversal_saddle(cp):
    """Index of the saddle that bounds the lowest path from the global minimum to its antipode, or None.

    The path may pass other minima: its height is set by its highest saddle, and the lowest such bottleneck is
    found by joining minima through saddles in order of energy (union–find) until the two minima connect.
    """
    if len(cp.minima) < 2 or len(cp.saddles) == 0:
        return None
    g = cp.global_minimum
    anti = int(np.argmin(np.linalg.norm(cp.minima + cp.minima[g], axis=1)))
    if anti == g:
        return None
    parent = list(range(len(cp.minima)))

    def root(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for j in np.argsort(cp.e_saddles):
        a, b = (int(x) for x in cp.saddle_minima[j])
        if a < 0 or b < 0:
            continue
        parent[root(a)] = root(b)
        if root(g) == root(anti):
            return int(j)
    return None


def _net_axis(model):
    M = site_sum(model.moments, model.spins)
    nrm = np.linalg.norm(M)
    return M / nrm if nrm > 0 else np.array([0.0, 0.0, 1.0])


def _collinear(model):
    """(N,) σ_i = ±1: the collinear (Néel) arrangement of ``model.spins`` along its net moment."""
    sig = np.sign(np.asarray(model.spins) @ _net_axis(model))
    sig[sig == 0] = 1.0
    return sig
