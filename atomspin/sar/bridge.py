"""Bridge: a :class:`~atomspin.sar.Particle` (measured or typed in) and a drive → SAR and ILP.

:func:`sar_from_particle` takes a Particle, or measurement results that
:func:`~atomspin.sar.particle_from_measurements` turns into one (the one measure → sar hand-off; the
fields it reads are listed there), or plain numbers (``Ms``, ``K_uniaxial_J_per_m3``, ``d``/``V``, ``T``).
Explicit keyword arguments complete or override values read from results.

The uniaxial SAR models (LRT, Carrey–SW, two-state kinetic) use the *effective uniaxial constant
with the same Néel barrier*, K = ΔE/V: for a cubic particle the 2θ torque amplitude is not that
number (see :mod:`atomspin.sar.particle`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from atomspin.units import MU_0
from atomspin.validation import check_choice, check_real

from ._common import (
    BREZOVICH_LIMIT,
    HERGT_DUTZ_LIMIT,
    TAU0_S,
    check_array,
    check_drive,
    check_tau0,
    field_safety,
    ilp,
)
from .kinetic import kinetic_loop
from .linear_response import linear_response_sar
from .particle import Medium, Particle, particle_from_measurements
from .stoner_wohlfarth import regime as _regime
from .stoner_wohlfarth import sw_dynamic_sar

MODELS = ("auto", "lrt", "sw", "kinetic")


def resolve_particle(inputs, T=None, Ms=None, K_uniaxial_J_per_m3=None, K_eff=None, V=None, d=None, alpha=None,
                     d_hydro=None, rho=None, T_default=300.0):
    """The Particle of a bridge call: one Particle, or results + numbers through particle_from_measurements.

    ``K_eff`` is the old name of ``K_uniaxial_J_per_m3`` (the uniaxial constant with the measured
    barrier), still accepted. Without results, T defaults to ``T_default`` (300 K).
    """
    if K_eff is not None:
        if K_uniaxial_J_per_m3 is not None:
            raise ValueError("K_eff, K_uniaxial_J_per_m3: K_eff is the old name of K_uniaxial_J_per_m3; give one")
        K_uniaxial_J_per_m3 = K_eff
    numbers = {"T": T, "Ms": Ms, "K_uniaxial_J_per_m3": K_uniaxial_J_per_m3, "V": V, "d": d, "alpha": alpha,
               "d_hydro": d_hydro, "rho": rho}
    if len(inputs) == 1 and isinstance(inputs[0], Particle):
        given = [k for k, v in numbers.items() if v is not None]
        if given:
            raise ValueError(f"{', '.join(given)}: a Particle carries these; use particle.replace(...) to change them")
        return inputs[0]
    if any(isinstance(x, Particle) for x in inputs):
        raise ValueError("inputs: give one Particle alone, or measurement results")
    if not inputs and T is None:
        T = T_default
    kw = {}
    if alpha is not None:
        kw["alpha"] = alpha
    if rho is not None:
        kw["density_kg_per_m3"] = rho
    return particle_from_measurements(*inputs, T_K=T, Ms_A_per_m=Ms, K_uniaxial_J_per_m3=K_uniaxial_J_per_m3,
                                      volume_m3=V, diameter_m=d, hydrodynamic_diameter_m=d_hydro, **kw)


@dataclass
class SARReport:
    """SAR estimate at one (f, H0).

    Attributes
    ----------
    sar_W_per_g, sar_err_W_per_g, ilp_nHm2_per_kg : the chosen model's values (error: standard error of a
        stochastic model; for the linear and adiabatic responses below 4 k_BT, that of their stochastic-LLG τ_N;
        0 for a deterministic one)
    model : the model used: "master", "llg", "linear" (landscape models, no τ0) or "lrt", "sw", "kinetic"
        (the fixed-τ0 literature models, with ``tau0``)
    regime : dict with ``regime``, ``reason`` (why this model), ``barrier_over_kT`` (lowest zero-field
        barrier), ``xi`` (μ0MsH0V/k_BT), and for the literature models the ratios of :func:`atomspin.sar.regime`
    f_Hz, H0_A_per_m, Ms_A_per_m, K_uniaxial_J_per_m3 (None for a landscape), volume_m3, diameter_m, T_K
    quasistatic_sar_W_per_g : A_measured f/ρ from a measured (atomistic) loop area, if given
    all_models : dict model → SAR W/g for each model evaluated
    safety : dict from :func:`field_safety`; sources : where each input came from (``particle.source``)
    warnings : validity warnings of the chosen model
    particle, medium : the inputs; result : the HeatingResult of a landscape model (loop, per-member areas)
    """

    sar_W_per_g: float
    ilp_nHm2_per_kg: float
    model: str
    regime: dict
    f_Hz: float
    H0_A_per_m: float
    Ms_A_per_m: float
    K_uniaxial_J_per_m3: float | None
    volume_m3: float
    diameter_m: float
    T_K: float
    quasistatic_sar_W_per_g: float | None
    all_models: dict
    safety: dict
    sources: dict
    warnings: list = field(default_factory=list)
    particle: Particle | None = field(default=None, repr=False)
    medium: Medium | None = None
    sar_err_W_per_g: float = 0.0
    result: object = field(default=None, repr=False)

    def to_record(self):
        """Flat dict of numbers and strings for a results store (keys say what each number is)."""
        rec = {"SAR_W_per_g": float(self.sar_W_per_g), "SAR_err_W_per_g": float(self.sar_err_W_per_g),
               "ILP_nHm2_per_kg": float(self.ilp_nHm2_per_kg), "sar_model": self.model,
               "sar_reason": str(self.regime.get("reason", "")), "f_Hz": self.f_Hz, "H0_A_per_m": self.H0_A_per_m,
               "T_K": self.T_K, "Ms_A_per_m": self.Ms_A_per_m, "volume_m3": self.volume_m3,
               "medium": self.medium.name if self.medium is not None else "immobilised",
               "Hf_A_per_m_s": float(self.safety["Hf"]), "brezovich_ok": bool(self.safety["brezovich_ok"]),
               "hergt_dutz_ok": bool(self.safety["hergt_dutz_ok"])}
        if "barrier_over_kT" in self.regime:
            rec["barrier_over_kT"] = float(self.regime["barrier_over_kT"])
        if self.quasistatic_sar_W_per_g is not None:
            rec["quasistatic_SAR_W_per_g"] = float(self.quasistatic_sar_W_per_g)
        return rec


def _one(model, p, f, H0, tau0, orientation, medium, seed):
    if model == "lrt":
        r = linear_response_sar(f, H0, particle=p, medium=medium, tau0=tau0, warn=False, allow_nonclinical=True)
        return float(r.sar_W_per_g), r.warnings
    if not medium.immobilised:
        raise ValueError(f"medium: the fixed-τ0 model {model!r} is for immobilised particles; for a liquid use "
                         "model='auto' (the landscape models rotate the particles)")
    if model == "sw":
        r = sw_dynamic_sar(f, H0, particle=p, tau0=tau0, orientation=orientation, warn=False, allow_nonclinical=True)
        return float(r.sar_W_per_g), r.warnings
    # kinetic: two-state master equation, deterministic axis quadrature
    n = 64
    if orientation == "aligned":
        ax = np.tile([0.0, 0.0, 1.0], (1, 1))
        n = 1
    else:
        u = (np.arange(n) + 0.5) / n
        ax = np.stack([np.sqrt(1 - u**2), np.zeros(n), u], axis=1)
    r = kinetic_loop(f, H0, np.full(n, p.diameter_m), particle=p, tau0=tau0, axes=ax, method="master", seed=seed,
                     allow_nonclinical=True)
    return float(r.sar_W_per_g), []


def sar_from_particle(*inputs, f, H0=None, B0_T=None, medium=None, model="auto", orientation="random",
                      tau0=None, compare=False, seed=0, allow_nonclinical=False, n_orientations=48, n_particles=64,
                      T=None, Ms=None, K_uniaxial_J_per_m3=None, K_eff=None, V=None, d=None, alpha=None,
                      d_hydro=None, rho=None, immobilised=True, viscosity=None):
    """SAR (W/g) and ILP of a particle, with the model that is valid for it (and why).

    Parameters
    ----------
    *inputs : Particle, or measurement results
        One :class:`Particle` (uniaxial or with a measured landscape), or results of :mod:`atomspin.measure`
        turned into one by :func:`~atomspin.sar.particle_from_measurements`, or nothing (plain numbers below).
    f : float
        Frequency, Hz (> 0).
    H0 : float
        Field amplitude H0, A/m (> 0). Alternatively ``B0_T`` = μ0H0 in tesla (give one).
    medium : Medium, optional
        Immobilised (default) or a liquid (:meth:`Medium.water`): Brownian rotation in every model.
    model : str
        ``"auto"`` (default): :func:`atomspin.sar.heating.choose_regime` picks "master" (escape rates over
        every saddle, barriers ≥ 4 k_BT), "linear" (linear response with the exact relaxation time),
        "adiabatic" (nonlinear, first order in ωτ) or "llg" (stochastic LLG) and says why in
        ``regime["reason"]``; a recipe can force one of them. With ``tau0``
        the fixed-τ0 literature models: "auto" then picks "lrt", "sw" or "kinetic" by
        :func:`atomspin.sar.regime` (old behaviour), or one of them is forced.
    orientation : {"random", "aligned"}
        Easy-axis distribution.
    tau0 : float, optional
        Attempt time (s) of the fixed-τ0 models. ``None`` (default): the landscape models (no τ0) for
        ``model="auto"``; a forced literature model ("lrt", "sw", "kinetic") then uses τ0 = 1e-9 s.
    compare : bool
        Also evaluate the other models of the same family (``all_models``; never the costly "llg").
    seed : int
        Seed of the stochastic models.
    allow_nonclinical : bool
        Accept H0·f far outside any clinical range (see :func:`atomspin.sar.check_drive`).
    n_orientations, n_particles : quadrature points (master, immobilised) and members (stochastic models).
    T, Ms, K_uniaxial_J_per_m3, V, d, alpha, d_hydro, rho : float, optional
        Plain numbers (K, J/m³; V, m³; d, m; T, K; Ms, A/m; ρ, kg/m³) that complete or override the
        measured ones (not with a Particle). ``K_eff`` is the old name of ``K_uniaxial_J_per_m3``.
        Without results T defaults to 300 K.
    immobilised, viscosity : optional
        Old form of ``medium`` (``immobilised=False`` with ``viscosity`` in Pa s, default water).
    """
    from .heating import REGIMES, particle_sar

    if (H0 is None) == (B0_T is None):
        raise ValueError("H0, B0_T: give exactly one field amplitude (H0 in A/m or B0_T = μ0H0 in T)")
    H0 = H0 if B0_T is None else check_real("B0_T", B0_T, 0.0, None, lo_open=True) / MU_0
    for name, value in (("f", f), ("H0", H0)):
        if np.ndim(value) != 0:
            raise ValueError(f"{name}: one number is needed here (got shape {np.shape(value)}); sar_map and "
                             "size_sweep take arrays")
    f, H0 = check_drive(f, H0, allow_nonclinical)
    legacy = tau0 is not None or model in ("lrt", "sw", "kinetic")
    tau0 = check_tau0(TAU0_S if tau0 is None else tau0) if legacy else None
    new_models = ("auto", "master", "fokker_planck", "llg", "linear", "adiabatic")
    check_choice("model", model, MODELS if legacy else new_models + ("lrt", "sw", "kinetic"))
    check_choice("orientation", orientation, ("random", "aligned"))
    if medium is None:
        medium = Medium.from_legacy(immobilised, viscosity)
    elif not isinstance(medium, Medium):
        raise ValueError(f"medium: a {type(medium).__name__} is not an atomspin.sar.Medium")
    p = resolve_particle(inputs, T=T, Ms=Ms, K_uniaxial_J_per_m3=K_uniaxial_J_per_m3, K_eff=K_eff, V=V, d=d,
                         alpha=alpha, d_hydro=d_hydro, rho=rho)
    if p.T_K <= 0:
        raise ValueError(f"T_K: {p.T_K} is outside (0, 2000] (the SAR models need k_BT > 0)")
    allm = {}
    msgs = []
    result = None
    err = 0.0
    if legacy:
        if not p.is_uniaxial:
            raise ValueError("particle: the fixed-τ0 models are uniaxial; a landscape particle needs tau0=None")
        K, Ms_, V_, T_ = p.K_uniaxial_J_per_m3, p.Ms_A_per_m, p.volume_m3, p.T_K
        reg = _regime(H0, K, Ms_, V_, T_)
        chosen = {"LRT": "lrt", "SW": "sw"}.get(reg["regime"], "kinetic") if model == "auto" else model
        reg = dict(reg, reason=(f"fixed-τ0 literature model chosen by atomspin.sar.regime ({reg['regime']})"
                                if model == "auto" else f"forced: model={model!r}"))
        models = ("lrt", "sw", "kinetic") if compare else (chosen,)
        for m in models:
            s_, w = _one(m, p, f, H0, tau0, orientation, medium, seed)
            allm[m] = s_
            if m == chosen:
                msgs.extend(w)
        sar = allm[chosen]
    else:
        wanted = {"auto": "auto", "master": "master", "fokker_planck": "fokker_planck", "llg": "llg", "linear": "lrt",
                  "adiabatic": "adiabatic"}[model]
        r, chosen, reason = particle_sar(p, f, H0, medium, wanted, orientation, n_orientations, n_particles,
                                         seed=seed, allow_nonclinical=True)
        chosen = "linear" if chosen == "lrt" else chosen
        from .rates import check_landscape

        _, t0 = check_landscape(p)
        sig = float(np.min(t0.barriers_J(p.volume_m3))) / p.kT_J if t0.nsad else float("inf")
        reg = {"regime": chosen, "reason": reason, "barrier_over_kT": sig,
               "xi": MU_0 * p.Ms_A_per_m * H0 * p.volume_m3 / p.kT_J}
        sar, err, result = r.sar_W_per_g, r.sar_err_W_per_g, r
        allm[chosen] = sar
        if compare:
            for other in ("master", "lrt"):
                name = "linear" if other == "lrt" else other
                if name not in allm:
                    allm[name] = particle_sar(p, f, H0, medium, other, orientation, n_orientations, n_particles,
                                              seed=seed, allow_nonclinical=True)[0].sar_W_per_g
    area = p.quasistatic_loop_area_J_per_m3
    qs = None if area is None else float(area * f / p.density_kg_per_m3 * 1e-3)
    return SARReport(sar_W_per_g=sar, ilp_nHm2_per_kg=float(ilp(sar, f, H0)), model=chosen, regime=reg, f_Hz=f,
                     H0_A_per_m=H0, Ms_A_per_m=p.Ms_A_per_m, K_uniaxial_J_per_m3=p.K_uniaxial_J_per_m3,
                     volume_m3=p.volume_m3, diameter_m=p.diameter_m, T_K=p.T_K, quasistatic_sar_W_per_g=qs,
                     all_models=allm, safety=field_safety(f, H0), sources=dict(p.source), warnings=msgs, particle=p,
                     medium=medium, sar_err_W_per_g=float(err), result=result)


def sar_map(f_values, H0_values, *inputs, model="lrt", **kwargs):
    """SAR (W/g) on a grid: returns an array of shape (len(H0_values), len(f_values)).

    ``inputs``, ``model`` and ``kwargs`` as in :func:`sar_from_particle` (default LRT: fast and smooth).
    """
    fv = check_array("f_values", f_values, positive=True, nonempty=True).ravel()
    hv = check_array("H0_values", H0_values, positive=True, nonempty=True).ravel()
    check_drive(fv.max(), hv.max(), kwargs.get("allow_nonclinical", False))
    out = np.empty((hv.size, fv.size))
    for i, h in enumerate(hv):
        for j, fr in enumerate(fv):
            out[i, j] = sar_from_particle(*inputs, f=float(fr), H0=float(h), model=model, **kwargs).sar_W_per_g
    return out


def size_sweep(f, H0, diameters, *inputs, model="lrt", **kwargs):
    """SAR (W/g) versus diameter at fixed (f, H0) and the best diameter on the grid.

    Parameters
    ----------
    f : float
        Frequency, Hz.
    H0 : float
        Amplitude, A/m.
    diameters : array
        Magnetic diameters, m.
    *inputs : Particle, optional
        A particle whose volume is replaced by each diameter's (its other properties are kept).
    model, kwargs : as in :func:`sar_from_particle` (without a Particle: Ms, K_uniaxial_J_per_m3, T,
        … as numbers).

    Returns
    -------
    (diameters, sar, d_best) : ndarray, ndarray, float
    """
    d = check_array("diameters", diameters, positive=True, nonempty=True).ravel()
    if len(inputs) == 1 and isinstance(inputs[0], Particle):
        p0 = inputs[0]
        sar = np.array([sar_from_particle(p0.replace(volume_m3=float(np.pi / 6 * x**3), hydrodynamic_diameter_m=None),
                                          f=f, H0=H0, model=model, **kwargs).sar_W_per_g for x in d])
    elif inputs:
        raise ValueError("inputs: size_sweep takes one Particle (or plain numbers)")
    else:
        sar = np.array([sar_from_particle(f=f, H0=H0, d=float(x), model=model, **kwargs).sar_W_per_g for x in d])
    return d, sar, float(d[int(np.argmax(sar))])


def plot_sar_map(f_values, H0_values, sar, ax=None, levels=20):
    """Filled contour map of SAR(f, H0) with the Brezovich and Hergt–Dutz H·f limits.

    Parameters
    ----------
    f_values : (nf,) array, Hz;  H0_values : (nh,) array, A/m;  sar : (nh, nf) array, W/g.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    fv = np.asarray(f_values, dtype=float)
    hv = np.asarray(H0_values, dtype=float)
    sar = np.asarray(sar, dtype=float)
    if sar.shape != (hv.size, fv.size):
        raise ValueError(f"sar: shape {sar.shape} is not ({hv.size}, {fv.size})")
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 4.5))
    else:
        fig = ax.figure
    cs = ax.contourf(fv / 1e3, hv / 1e3, sar, levels=levels, cmap="viridis")
    fig.colorbar(cs, ax=ax, label="SAR (W/g)")
    ff = np.linspace(fv.min(), fv.max(), 200)
    for lim, name, style in ((BREZOVICH_LIMIT, "Brezovich 4.85e8 A/(m s)", "w--"),
                             (HERGT_DUTZ_LIMIT, "Hergt–Dutz 5e9 A/(m s)", "r-")):
        ax.plot(ff / 1e3, lim / ff / 1e3, style, lw=1.5, label=name)
    ax.set_ylim(hv.min() / 1e3, hv.max() / 1e3)
    ax.set_xlim(fv.min() / 1e3, fv.max() / 1e3)
    ax.set_xlabel("f (kHz)")
    ax.set_ylabel("H0 (kA/m)")
    ax.legend(loc="upper right", fontsize=8)
    return fig


def plot_size_sweep(diameters, sar, d_best=None, ax=None, label=None):
    """SAR versus diameter (nm) with the optimum marked. Returns the matplotlib Figure."""
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 3.5))
    else:
        fig = ax.figure
    d = np.asarray(diameters, dtype=float) * 1e9
    ax.plot(d, sar, "-", label=label)
    if d_best is not None:
        ax.axvline(d_best * 1e9, color="0.5", ls=":", label=f"optimum {d_best * 1e9:.1f} nm")
    ax.set_xlabel("diameter (nm)")
    ax.set_ylabel("SAR (W/g)")
    ax.legend(fontsize=8)
    return fig


@dataclass
class SizeSeriesSAR:
    """SAR of a size series (one particle per size, e.g. measured landscapes) over drives (f, H0).

    Attributes
    ----------
    diameters_nm : (n,) magnetic diameters; f_Hz : (nf,); H0_A_per_m : (nh,)
    sar_W_per_g, sar_err_W_per_g : (n, nf, nh)
    models : (n, nf, nh) model used at each point; reasons : same shape, why
    medium : the medium
    """

    diameters_nm: np.ndarray
    f_Hz: np.ndarray
    H0_A_per_m: np.ndarray
    sar_W_per_g: np.ndarray
    sar_err_W_per_g: np.ndarray
    models: np.ndarray
    reasons: np.ndarray
    medium: str

    def plot(self, ax=None, experiment=None):
        """SAR against diameter, one line per (f, H0), marker by model; drives above the Brezovich limit dashed.

        ``experiment``: optional dict label → (diameters_nm, SAR_W_per_g[, errors]) of published data to overlay.
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4.2))
        markers = {"master": "o", "fokker_planck": "P", "linear": "s", "adiabatic": "^", "llg": "D", "lrt": "v", "sw": "x",
                   "kinetic": "+"}
        for j, f in enumerate(self.f_Hz):
            for k, h in enumerate(self.H0_A_per_m):
                ls = "-" if f * h <= BREZOVICH_LIMIT else ("--" if f * h <= HERGT_DUTZ_LIMIT else ":")
                line = ax.errorbar(self.diameters_nm, self.sar_W_per_g[:, j, k], yerr=self.sar_err_W_per_g[:, j, k],
                                   ls=ls, lw=1, label=f"{f / 1e3:g} kHz, {h / 1e3:g} kA/m")
                c = line[0].get_color()
                for i, d in enumerate(self.diameters_nm):
                    ax.plot(d, self.sar_W_per_g[i, j, k], markers.get(self.models[i, j, k], "o"), color=c, ms=4)
        if experiment:
            for lab, data in experiment.items():
                d, s_ = np.asarray(data[0]), np.asarray(data[1])
                err = np.asarray(data[2]) if len(data) > 2 else None
                ax.errorbar(d, s_, yerr=err, fmt="k*", ms=7, label=lab)
        for name, mk in markers.items():
            if np.any(self.models == name):
                ax.plot([], [], mk, color="0.3", label=f"model: {name}")
        ax.set_xlabel("magnetic diameter (nm)")
        ax.set_ylabel("SAR (W per g of oxide)")
        ax.set_yscale("log")
        ax.set_title(f"{self.medium}; dashed: H·f > Brezovich 4.85e8, dotted: > Hergt–Dutz 5e9 A m⁻¹ s⁻¹",
                     fontsize=8)
        ax.legend(fontsize=6, ncol=2)
        return ax


def size_series_sar(series, f_values, H0_values, medium=None, T_K=None, alpha=None, model="auto", n_orientations=24,
                    n_particles=48, seed=0, allow_nonclinical=False):
    """SAR against size from a series of particles — measured landscapes across sizes, not a typed-in K.

    Parameters
    ----------
    series : list of Particle or of landscape results
        One entry per size: a :class:`Particle`, or a ``LandscapeResult`` of
        ``atomspin.measure.anisotropy_landscape`` (turned into a Particle by
        :func:`~atomspin.sar.particle_from_measurements`: its surface, volume, Ms and temperature).
    f_values, H0_values : drives (Hz, A/m)
    medium : Medium (default immobilised)
    T_K, alpha : override the temperature and the damping of landscape results
    model : "auto" (the regime of each point, recorded) or a forced landscape model

    Returns
    -------
    SizeSeriesSAR
    """
    fv = check_array("f_values", f_values, positive=True, nonempty=True).ravel()
    hv = check_array("H0_values", H0_values, positive=True, nonempty=True).ravel()
    check_drive(fv.max(), hv.max(), allow_nonclinical)
    parts = []
    for item in series:
        if isinstance(item, Particle):
            parts.append(item)
        else:
            kw = {} if alpha is None else {"alpha": alpha}
            parts.append(particle_from_measurements(landscape=item, T_K=T_K, **kw))
    if not parts:
        raise ValueError("series: give at least one particle or landscape result")
    parts.sort(key=lambda p: p.volume_m3)
    n = len(parts)
    sar = np.zeros((n, fv.size, hv.size))
    err = np.zeros_like(sar)
    models = np.empty(sar.shape, dtype=object)
    reasons = np.empty(sar.shape, dtype=object)
    for i, p in enumerate(parts):
        for j, f in enumerate(fv):
            for k, h in enumerate(hv):
                r = sar_from_particle(p, f=float(f), H0=float(h), medium=medium, model=model,
                                      n_orientations=n_orientations, n_particles=n_particles, seed=seed,
                                      allow_nonclinical=True)
                sar[i, j, k], err[i, j, k] = r.sar_W_per_g, r.sar_err_W_per_g
                models[i, j, k], reasons[i, j, k] = r.model, r.regime["reason"]
    med = medium.name if isinstance(medium, Medium) else "immobilised"
    return SizeSeriesSAR(diameters_nm=np.array([p.diameter_m * 1e9 for p in parts]), f_Hz=fv, H0_A_per_m=hv,
                         sar_W_per_g=sar, sar_err_W_per_g=err, models=models, reasons=reasons, medium=med)
