"""Bridge: particle properties (typed in or measured by :mod:`atomspin.measure`) → SAR and ILP.

:func:`sar_from_particle` accepts plain numbers and/or any objects with attributes (duck typing,
``getattr``); the attribute names read, in order of preference, are:

========================  ==================================================================
quantity                  attribute names (first found wins)
========================  ==================================================================
Ms (A/m)                  ``Ms_A_per_m`` (array → interpolated at T over ``T``/``T_K``),
                          ``Ms``, ``M_s_A_per_m``
K_eff (J/m³)              ``barrier_J`` / volume (preferred: the measured escape barrier ΔE),
                          then ``K_eff_J_per_m3``, ``K_eff``, then ``KV_J`` / volume
volume (m³)               ``volume_m3``, ``V_m3``; diameter ``diameter_m`` or ``diameter_nm``
loop area (J/m³)          ``loop_area_J_per_m3``  (quasi-static atomistic loop, reported apart)
========================  ==================================================================

Explicit keyword arguments always override values read from objects.

The SAR models are uniaxial macrospin models: their K_eff is the *effective uniaxial constant with the
same Néel barrier*, K_eff = ΔE/V. That is why a measured barrier wins over the 2θ torque amplitude
``K_eff_J_per_m3``: for a cubic particle (magnetite, K1 < 0) the torque has almost no 2θ harmonic while
the barrier between ⟨111⟩ easy axes over ⟨110⟩ is |K1|V/12.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from atomspin.units import MU_0

from ._common import (
    BREZOVICH_LIMIT,
    HERGT_DUTZ_LIMIT,
    RHO_MAGNETITE,
    TAU0_S,
    check_array,
    check_positive,
    field_safety,
    ilp,
    sphere_diameter,
    sphere_volume,
)
from .kinetic import kinetic_loop
from .linear_response import linear_response_sar
from .stoner_wohlfarth import regime as _regime
from .stoner_wohlfarth import sw_dynamic_sar

MS_NAMES = ("Ms_A_per_m", "Ms", "M_s_A_per_m")
K_NAMES = ("K_eff_J_per_m3", "K_eff")
KV_NAMES = ("KV_J",)
V_NAMES = ("volume_m3", "V_m3")
AREA_NAMES = ("loop_area_J_per_m3",)
T_NAMES = ("T", "T_K")
MODELS = ("auto", "lrt", "sw", "kinetic")


def _lookup(objs, names):
    for o in objs:
        for nm in names:
            v = getattr(o, nm, None)
            if v is not None:
                return v, o, nm
    return None, None, None


def _scalar_at_T(value, owner, T):
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return float(arr)
    Ts, _, _ = _lookup([owner], T_NAMES)
    Ts = None if Ts is None else np.asarray(Ts, dtype=float)
    if Ts is None or Ts.shape != arr.shape:
        raise ValueError("Ms: an array value needs a matching temperature array (T or T_K) on its object")
    o = np.argsort(Ts)
    if not Ts[o][0] <= T <= Ts[o][-1]:
        raise ValueError(f"T: {T} is outside the measured range [{Ts[o][0]}, {Ts[o][-1]}] of Ms(T)")
    return float(np.interp(T, Ts[o], arr[o]))


def particle_parameters(*results, Ms=None, K_eff=None, V=None, d=None, T=300.0):
    """Resolve (Ms A/m, K_eff J/m³, V m³, loop area J/m³ or None, sources dict) from inputs.

    See the module docstring for the attribute names read from ``results``.
    """
    T = check_positive("T", T)
    src = {}
    if Ms is None:
        v, o, nm = _lookup(results, MS_NAMES)
        if v is not None:
            Ms = _scalar_at_T(v, o, T)
            src["Ms"] = f"{type(o).__name__}.{nm}"
    else:
        src["Ms"] = "argument"
    if V is None and d is not None:
        V = float(sphere_volume(check_positive("d", d)))
        src["V"] = "argument d"
    if V is None:
        v, o, nm = _lookup(results, V_NAMES)
        if v is not None:
            V = float(v)
            src["V"] = f"{type(o).__name__}.{nm}"
        else:
            v, o, nm = _lookup(results, ("diameter_m", "diameter_nm"))
            if v is not None:
                V = float(sphere_volume(float(v) * (1e-9 if nm == "diameter_nm" else 1.0)))
                src["V"] = f"{type(o).__name__}.{nm}"
    elif "V" not in src:
        src["V"] = "argument"
    if K_eff is None:
        v, o, nm = _lookup(results, ("barrier_J",))
        if v is not None and V is not None and np.isfinite(float(v)) and float(v) > 0:
            K_eff = float(v) / V
            src["K_eff"] = f"{type(o).__name__}.{nm} / V"
            v = None
        else:
            v, o, nm = _lookup(results, K_NAMES)
        if v is not None:
            K_eff = float(v)
            src["K_eff"] = f"{type(o).__name__}.{nm}"
        elif K_eff is None:
            v, o, nm = _lookup(results, KV_NAMES)
            if v is not None:
                if V is None:
                    raise ValueError("V: a volume is needed to turn K·V (J) into K_eff (J/m³)")
                K_eff = float(v) / V
                src["K_eff"] = f"{type(o).__name__}.{nm} / V"
    else:
        src["K_eff"] = "argument"
    area, o, nm = _lookup(results, AREA_NAMES)
    if area is not None:
        area = float(area)
        src["loop_area"] = f"{type(o).__name__}.{nm}"
    missing = [n for n, v in (("Ms", Ms), ("K_eff", K_eff), ("V", V)) if v is None]
    if missing:
        raise ValueError(f"{', '.join(missing)}: not given and not found on the result objects")
    return check_positive("Ms", Ms), check_positive("K_eff", K_eff), check_positive("V", V), area, src


@dataclass
class SARReport:
    """SAR estimate at one (f, H0).

    Attributes
    ----------
    sar_W_per_g, ilp_nHm2_per_kg : the chosen model's values
    model : "lrt", "sw" or "kinetic"; regime : dict from :func:`atomspin.sar.regime`
    f_Hz, H0_A_per_m, Ms_A_per_m, K_eff_J_per_m3, volume_m3, diameter_m, T_K
    quasistatic_sar_W_per_g : A_measured f/ρ from a measured (atomistic) loop area, if given
    all_models : dict model → SAR W/g for each model evaluated
    safety : dict from :func:`field_safety`; sources : where each input came from; warnings
    """

    sar_W_per_g: float
    ilp_nHm2_per_kg: float
    model: str
    regime: dict
    f_Hz: float
    H0_A_per_m: float
    Ms_A_per_m: float
    K_eff_J_per_m3: float
    volume_m3: float
    diameter_m: float
    T_K: float
    quasistatic_sar_W_per_g: float | None
    all_models: dict
    safety: dict
    sources: dict
    warnings: list = field(default_factory=list)


def _one(model, f, H0, Ms, K, V, T, tau0, rho, orientation, immobilised, viscosity, d_hydro, seed):
    if model == "lrt":
        kw = {} if viscosity is None else {"viscosity": viscosity}
        r = linear_response_sar(f, H0, Ms=Ms, K=K, V=V, T=T, tau0=tau0, immobilised=immobilised, d_hydro=d_hydro,
                                rho=rho, warn=False, **kw)
        return float(r.sar_W_per_g), r.warnings
    if model == "sw":
        r = sw_dynamic_sar(f, H0, Ms=Ms, K=K, V=V, T=T, tau0=tau0, orientation=orientation, rho=rho, warn=False)
        return float(r.sar_W_per_g), r.warnings
    # kinetic: two-state master equation, deterministic axis quadrature
    n = 64
    if orientation == "aligned":
        ax = np.tile([0.0, 0.0, 1.0], (1, 1))
        n = 1
    else:
        u = (np.arange(n) + 0.5) / n
        ax = np.stack([np.sqrt(1 - u**2), np.zeros(n), u], axis=1)
    d = float(sphere_diameter(V))
    r = kinetic_loop(f, H0, np.full(n, d), Ms=Ms, K=K, T=T, tau0=tau0, axes=ax, method="master", seed=seed,
                     rho=rho)
    return float(r.sar_W_per_g), []


def sar_from_particle(*results, f, H0=None, B0_T=None, Ms=None, K_eff=None, V=None, d=None, T=300.0, model="auto",
                      orientation="random", immobilised=True, viscosity=None, d_hydro=None, tau0=TAU0_S,
                      rho=RHO_MAGNETITE, compare=False, seed=0):
    """SAR (W/g) and ILP of a particle from measured or typed-in properties.

    Parameters
    ----------
    *results : objects
        Measurement results read by attribute name (module docstring), e.g. an
        ``EffectiveAnisotropyResult`` (K_eff, volume), a ``TemperatureSweepResult`` (Ms(T)) and a
        ``HysteresisResult`` (loop area).
    f : float
        Frequency, Hz (> 0).
    H0 : float
        Field amplitude H0, A/m (> 0). Alternatively ``B0_T`` = μ0H0 in tesla (give one).
    B0_T : float, optional
        Field amplitude as μ0H0 in tesla.
    Ms, K_eff, V, d : float, optional
        Saturation magnetisation (A/m), effective anisotropy (J/m³), volume (m³) or diameter (m);
        override the values read from ``results``.
    T : float
        Temperature, K.
    model : {"auto", "lrt", "sw", "kinetic"}
        ``"auto"`` uses LRT or SW where :func:`atomspin.sar.regime` says they apply and the kinetic
        (master-equation) model in between.
    orientation : {"random", "aligned"}
        Easy-axis distribution (SW and kinetic models).
    immobilised : bool
        LRT without (True) or with Brownian relaxation.
    viscosity, d_hydro : float, optional
        Carrier viscosity (Pa s) and hydrodynamic diameter (m) for the fluid LRT case.
    tau0 : float
        Attempt time, s.
    rho : float
        Oxide density, kg/m³.
    compare : bool
        Also evaluate the other models (``all_models``).
    seed : int
        Seed (the kinetic model is deterministic in master-equation mode; kept for uniformity).
    """
    f = check_positive("f", f)
    if (H0 is None) == (B0_T is None):
        raise ValueError("H0, B0_T: give exactly one field amplitude (H0 in A/m or B0_T = μ0H0 in T)")
    H0 = check_positive("H0", H0) if B0_T is None else check_positive("B0_T", B0_T) / MU_0
    tau0 = check_positive("tau0", tau0)
    if model not in MODELS:
        raise ValueError(f"model: {model!r} is not one of {MODELS}")
    if orientation not in ("random", "aligned"):
        raise ValueError(f"orientation: {orientation!r} is not 'random' or 'aligned'")
    if viscosity is not None and viscosity < 0:
        raise ValueError(f"viscosity: {viscosity} is outside [0, inf)")
    Ms, K, V, area, src = particle_parameters(*results, Ms=Ms, K_eff=K_eff, V=V, d=d, T=T)
    reg = _regime(H0, K, Ms, V, T)
    chosen = {"LRT": "lrt", "SW": "sw"}.get(reg["regime"], "kinetic") if model == "auto" else model
    models = ("lrt", "sw", "kinetic") if compare else (chosen,)
    allm = {}
    msgs = []
    for m in models:
        s, w = _one(m, f, H0, Ms, K, V, T, tau0, rho, orientation, immobilised, viscosity, d_hydro, seed)
        allm[m] = s
        if m == chosen:
            msgs.extend(w)
    sar = allm[chosen]
    qs = None if area is None else float(area * f / rho * 1e-3)
    return SARReport(sar_W_per_g=sar, ilp_nHm2_per_kg=float(ilp(sar, f, H0)), model=chosen, regime=reg, f_Hz=f,
                     H0_A_per_m=H0, Ms_A_per_m=Ms, K_eff_J_per_m3=K, volume_m3=V,
                     diameter_m=float(sphere_diameter(V)), T_K=T, quasistatic_sar_W_per_g=qs, all_models=allm,
                     safety=field_safety(f, H0), sources=src, warnings=msgs)


def sar_map(f_values, H0_values, *results, model="lrt", **kwargs):
    """SAR (W/g) on a grid: returns an array of shape (len(H0_values), len(f_values)).

    ``model`` and ``kwargs`` as in :func:`sar_from_particle` (default LRT: fast and smooth).
    """
    fv = check_array("f_values", f_values, positive=True).ravel()
    hv = check_array("H0_values", H0_values, positive=True).ravel()
    out = np.empty((hv.size, fv.size))
    for i, h in enumerate(hv):
        for j, fr in enumerate(fv):
            out[i, j] = sar_from_particle(*results, f=float(fr), H0=float(h), model=model, **kwargs).sar_W_per_g
    return out


def size_sweep(f, H0, diameters, model="lrt", **kwargs):
    """SAR (W/g) versus diameter at fixed (f, H0) and the best diameter on the grid.

    Parameters
    ----------
    f : float
        Frequency, Hz.
    H0 : float
        Amplitude, A/m.
    diameters : array
        Magnetic diameters, m.
    model, kwargs : as in :func:`sar_from_particle` (Ms, K_eff, T, … must be given as numbers).

    Returns
    -------
    (diameters, sar, d_best) : ndarray, ndarray, float
    """
    d = check_array("diameters", diameters, positive=True).ravel()
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
