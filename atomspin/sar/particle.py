"""The typed hand-off from :mod:`atomspin.measure` to the SAR models: :class:`Particle` and :class:`Medium`.

A :class:`Particle` is one validated value object: saturation magnetisation Ms(T), magnetic volume,
temperature, Gilbert damping, and the anisotropy as **either** a uniaxial constant
``K_uniaxial_J_per_m3`` (with ``easy_axis``) **or** a full energy ``landscape`` (an
:class:`atomspin.macrospin.EnergySurface` of the anisotropy energy density in J/m³, no Zeeman term),
plus its hydrodynamic size, its density and a ``source`` record saying where each number came from.
Every SAR model of :mod:`atomspin.sar` takes a Particle; the validation happens once, here.

:func:`particle_from_measurements` is the one function that builds a Particle from measurement
results. It reads each result by the field names of its type (no guessing among alternatives):

=====================  ======================================  =====================================
role (keyword)         result type                             fields read
=====================  ======================================  =====================================
``anisotropy``         ``EffectiveAnisotropyResult``            ``barrier_J`` (→ K = ΔE/V), else the
                       (or ``GNEBResult``: ``barrier_J``)       2θ torque amplitude
                                                               ``torque_amplitude_2theta_J_per_m3``;
                                                               ``volume_m3``, ``T``
``landscape``          ``LandscapeResult``                      ``surface``, ``volume_m3``, ``T_K``,
                                                               ``Ms_A_per_m``, ``barrier_J``
``magnetisation``      ``TemperatureSweepResult``               ``T``, ``Ms_A_per_m`` (interpolated
                                                               at the particle temperature)
``loop``               ``HysteresisResult``                     ``loop_area_J_per_m3`` (recorded as
                                                               the quasi-static atomistic loop)
=====================  ======================================  =====================================

The uniaxial SAR models need the *effective uniaxial constant with the same Néel barrier*,
K = ΔE/V; that is why a measured barrier wins over the 2θ torque amplitude: for a cubic particle
(magnetite, K1 < 0) the torque has almost no 2θ harmonic while the barrier between ⟨111⟩ easy axes
over ⟨110⟩ is |K1|V/12. The amplitude equals K·V only for a uniaxial particle (its source says so).
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from atomspin.units import K_B, MU_0
from atomspin.validation import check_bool, check_direction, check_real

from ._common import ALPHA_DEFAULT, RHO_MAGNETITE, VISCOSITY_WATER_37C, sphere_diameter, sphere_volume

MS_MAX_A_PER_M = 5.0e6
"""Upper bound accepted for Ms (A/m): above the largest known saturation magnetisation
(Fe65Co35, ≈ 1.95 MA/m) by more than a factor 2 — a larger value is a unit error."""

DENSITY_RANGE_KG_PER_M3 = (500.0, 30000.0)
"""Densities accepted (kg/m³): every solid magnetic material lies inside (iron oxides 4.9–5.8e3,
osmium 2.26e4); ρ outside is a unit error (ρ = 1e-300 gave SAR = 4.6e303 W/g)."""

ALPHA_MAX = 10.0
"""Largest Gilbert damping accepted; α of magnetic nanoparticles lies in 0.001–1 (see ALPHA_DEFAULT)."""

T_MAX_K = 2000.0
"""Largest temperature accepted (K): above the Curie point of every magnetic oxide (magnetite 858 K)."""

VOLUME_RANGE_M3 = (1.0e-30, 1.0e-15)
"""Magnetic volumes accepted (m³), derived: 1e-30 m³ is below the volume of one Fe site (a³/24 ≈ 2.5e-29 m³ in
magnetite), 1e-15 m³ a 12 μm sphere, far above the single-domain size of iron oxides (≈ 0.1 μm); outside is a
unit error (V = 1e300 gave τ = 0/0)."""

K_MAX_J_PER_M3 = 1.0e8
"""Largest uniaxial constant accepted (J/m³), derived: 6× the largest known magnetocrystalline anisotropy
(SmCo5, K1 ≈ 1.7e7 J/m³); a larger value is a unit error."""

VISCOSITY_MAX_PA_S = 1.0e3
"""Largest viscosity accepted (Pa s): above glycerol (1.4 Pa s) and honey (~10 Pa s) by 100×."""


def check_material(Ms_A_per_m=None, T_K=None, alpha=None, density_kg_per_m3=None, K_uniaxial_J_per_m3=None,
                   names=None, thermal=False):
    """The one validator of particle numbers (used by :class:`Particle` and by the array paths of the models).

    Returns a dict of the given (not None) values as floats. ``names`` maps a field to the argument name
    used in the message (e.g. ``{"Ms_A_per_m": "Ms"}`` for a function whose argument is called ``Ms``).
    """
    names = names or {}
    spec = {"Ms_A_per_m": (0.0, MS_MAX_A_PER_M, True), "T_K": (0.0, T_MAX_K, False),
            "alpha": (0.0, ALPHA_MAX, True), "density_kg_per_m3": (*DENSITY_RANGE_KG_PER_M3, False),
            "K_uniaxial_J_per_m3": (0.0, K_MAX_J_PER_M3, True)}
    out = {}
    for key, value in (("Ms_A_per_m", Ms_A_per_m), ("T_K", T_K), ("alpha", alpha),
                       ("density_kg_per_m3", density_kg_per_m3), ("K_uniaxial_J_per_m3", K_uniaxial_J_per_m3)):
        if value is not None:
            lo, hi, lo_open = spec[key]
            out[key] = check_real(names.get(key, key), value, lo, hi, lo_open=lo_open)
    return out


def _landscape_type():
    try:
        from atomspin.macrospin import EnergySurface
    except ImportError:  # the macrospin module has not landed yet
        return None
    return EnergySurface


@dataclass(frozen=True)
class Particle:
    """A single-domain magnetic particle as the SAR models see it (SI units, validated on construction).

    Parameters
    ----------
    Ms_A_per_m : float
        Saturation magnetisation at ``T_K``, A/m, in (0, 5e6].
    volume_m3 : float
        Magnetic volume, m³ (> 0).
    T_K : float
        Temperature, K, in [0, 2000] (0: the athermal Stoner–Wohlfarth limit).
    alpha : float
        Gilbert damping, in (0, 10]. Default :data:`atomspin.sar.ALPHA_DEFAULT` (its docstring gives
        the source and the range).
    K_uniaxial_J_per_m3 : float, optional
        Uniaxial anisotropy constant K > 0, J/m³ (e = K sin²θ about ``easy_axis``). Give this **or**
        ``landscape``.
    easy_axis : (3,) array, optional
        Easy axis of the uniaxial particle (normalised and stored as a tuple; default +z). Only with
        ``K_uniaxial_J_per_m3``.
    landscape : atomspin.macrospin.EnergySurface, optional
        Anisotropy energy density e(n̂) in J/m³ (no Zeeman term). Give this **or**
        ``K_uniaxial_J_per_m3``.
    hydrodynamic_diameter_m : float, optional
        Hydrodynamic diameter (core + coating), m; default the magnetic diameter. Must not be smaller
        than the magnetic diameter.
    density_kg_per_m3 : float
        Density of the magnetic material, kg/m³ (SAR per gram). Default magnetite, 5197.
    quasistatic_loop_area_J_per_m3 : float, optional
        Area of a measured quasi-static (Monte Carlo) loop, J/m³, when one was measured.
    source : dict
        Where each number came from (``{"Ms_A_per_m": "TemperatureSweepResult.Ms_A_per_m at 310 K", ...}``);
        fields not named are recorded as ``"argument"``.
    """

    Ms_A_per_m: float
    volume_m3: float
    T_K: float
    alpha: float = ALPHA_DEFAULT
    K_uniaxial_J_per_m3: float | None = None
    easy_axis: tuple | None = None
    landscape: object = None
    hydrodynamic_diameter_m: float | None = None
    density_kg_per_m3: float = RHO_MAGNETITE
    quasistatic_loop_area_J_per_m3: float | None = None
    source: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        put = object.__setattr__
        for name in ("Ms_A_per_m", "volume_m3", "T_K", "alpha", "density_kg_per_m3"):
            if getattr(self, name) is None:
                raise ValueError(f"{name}: None is not a number; every Particle needs it")
        for name, value in check_material(Ms_A_per_m=self.Ms_A_per_m, T_K=self.T_K, alpha=self.alpha,
                                          density_kg_per_m3=self.density_kg_per_m3).items():
            put(self, name, value)
        put(self, "volume_m3", check_real("volume_m3", self.volume_m3, *VOLUME_RANGE_M3))
        if (self.K_uniaxial_J_per_m3 is None) == (self.landscape is None):
            raise ValueError("K_uniaxial_J_per_m3, landscape: give exactly one anisotropy (a uniaxial constant "
                             "K > 0 in J/m³ or an atomspin.macrospin.EnergySurface)")
        if self.K_uniaxial_J_per_m3 is not None:
            put(self, "K_uniaxial_J_per_m3", check_real("K_uniaxial_J_per_m3", self.K_uniaxial_J_per_m3, 0.0,
                                                        K_MAX_J_PER_M3, lo_open=True))
            axis = (0.0, 0.0, 1.0) if self.easy_axis is None else self.easy_axis
            put(self, "easy_axis", tuple(float(x) for x in check_direction("easy_axis", axis)))
        else:
            if self.easy_axis is not None:
                raise ValueError("easy_axis: only with K_uniaxial_J_per_m3 (a landscape carries its own axes)")
            cls = _landscape_type()
            if cls is not None and not isinstance(self.landscape, cls):
                raise ValueError(f"landscape: {type(self.landscape).__name__} is not an "
                                 "atomspin.macrospin.EnergySurface")
            from atomspin import macrospin

            if any(isinstance(t, macrospin.Zeeman) for t in self.landscape.terms):
                raise ValueError("landscape: contains a Zeeman term; give the anisotropy only (the models add the "
                                 "applied field)")
        d = float(sphere_diameter(self.volume_m3))
        if self.hydrodynamic_diameter_m is not None:
            dh = check_real("hydrodynamic_diameter_m", self.hydrodynamic_diameter_m, d * (1 - 1e-9), None)
            put(self, "hydrodynamic_diameter_m", dh)
        if self.quasistatic_loop_area_J_per_m3 is not None:
            put(self, "quasistatic_loop_area_J_per_m3",
                check_real("quasistatic_loop_area_J_per_m3", self.quasistatic_loop_area_J_per_m3))
        if self.landscape is not None:
            from .rates import check_landscape  # a surface without an isolated minimum has no Néel physics

            check_landscape(self)
        src = {k: "argument" for k in ("Ms_A_per_m", "volume_m3", "T_K", "alpha")}
        src["anisotropy"] = "argument"
        src.update(dict(self.source or {}))
        put(self, "source", src)

    # ------------------------------------------------------------------ derived quantities
    @property
    def diameter_m(self) -> float:
        """Diameter of the sphere with the magnetic volume, m."""
        return float(sphere_diameter(self.volume_m3))

    @property
    def hydrodynamic_volume_m3(self) -> float:
        """Hydrodynamic volume, m³ (sphere of ``hydrodynamic_diameter_m``; the magnetic one by default)."""
        d = self.diameter_m if self.hydrodynamic_diameter_m is None else self.hydrodynamic_diameter_m
        return float(sphere_volume(d))

    @property
    def is_uniaxial(self) -> bool:
        """True when the anisotropy is a uniaxial constant (not a landscape)."""
        return self.K_uniaxial_J_per_m3 is not None

    @property
    def H_K_A_per_m(self) -> float:
        """Uniaxial anisotropy field H_K = 2K/(μ0 Ms), A/m (uniaxial particles only)."""
        if not self.is_uniaxial:
            raise ValueError("H_K_A_per_m: defined for a uniaxial particle; a landscape has one per direction")
        return 2.0 * self.K_uniaxial_J_per_m3 / (MU_0 * self.Ms_A_per_m)

    @property
    def kT_J(self) -> float:
        """Thermal energy k_B T, J."""
        return K_B * self.T_K

    @property
    def moment_A_m2(self) -> float:
        """Magnetic moment Ms V, A m²."""
        return self.Ms_A_per_m * self.volume_m3

    def replace(self, **changes) -> "Particle":
        """A copy with some fields changed (validated again)."""
        if "K_uniaxial_J_per_m3" in changes and changes["K_uniaxial_J_per_m3"] is not None:
            changes.setdefault("landscape", None)
        if "landscape" in changes and changes["landscape"] is not None:
            changes.setdefault("K_uniaxial_J_per_m3", None)
            changes.setdefault("easy_axis", None)
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Medium:
    """Where the particles are: immobilised (cells, tissue, a solid matrix) or in a liquid.

    Parameters
    ----------
    viscosity_Pa_s : float, optional
        Dynamic viscosity of the carrier liquid, Pa s, in (0, 1e3]. ``None`` (default): immobilised,
        the particle cannot rotate (Néel relaxation only).
    name : str
        A label for reports.
    """

    viscosity_Pa_s: float | None = None
    name: str = ""

    def __post_init__(self):
        if self.viscosity_Pa_s is not None:
            object.__setattr__(self, "viscosity_Pa_s", check_real("viscosity", self.viscosity_Pa_s, 0.0,
                                                                  VISCOSITY_MAX_PA_S, lo_open=True))
        if not self.name:
            object.__setattr__(self, "name", "immobilised" if self.viscosity_Pa_s is None
                               else f"liquid, {self.viscosity_Pa_s:.3g} Pa s")

    @property
    def immobilised(self) -> bool:
        """True when the particles cannot rotate."""
        return self.viscosity_Pa_s is None

    @classmethod
    def water(cls, viscosity_Pa_s=VISCOSITY_WATER_37C):
        """Water at body temperature (0.69 mPa s at 37 °C, standard tables)."""
        return cls(viscosity_Pa_s, name="water, 37 °C")

    @classmethod
    def solid(cls):
        """Immobilised particles (tissue, cells, a solid matrix)."""
        return cls(None, name="immobilised")

    @classmethod
    def from_legacy(cls, immobilised=True, viscosity=None):
        """The medium of the old ``immobilised=…, viscosity=…`` keywords (validated)."""
        if not check_bool("immobilised", immobilised):
            return cls.water() if viscosity is None else cls(viscosity)
        return cls.solid()

    def brown_time_s(self, particle: Particle) -> float:
        """Brownian rotational relaxation time τ_B = 3ηV_H/(k_BT) of ``particle``, s (inf if immobilised)."""
        if self.immobilised:
            return math.inf
        if particle.T_K <= 0:
            raise ValueError("T_K: Brownian rotation needs T_K > 0")
        return 3.0 * self.viscosity_Pa_s * particle.hydrodynamic_volume_m3 / particle.kT_J


# ---------------------------------------------------------------------------- builder from measurements
def _field(obj, role, name):
    """The field ``name`` of a measurement result, or a clear error naming the role and the type."""
    if not hasattr(obj, name):
        raise ValueError(f"{role}: a {type(obj).__name__} has no field {name!r}")
    return getattr(obj, name)


def _interp_at(role, T, Ts, values, name):
    Ts = np.asarray(Ts, dtype=float).ravel()
    values = np.asarray(values, dtype=float).ravel()
    if Ts.shape != values.shape or Ts.size == 0:
        raise ValueError(f"{role}: {name} and T have different lengths")
    o = np.argsort(Ts)
    if not Ts[o][0] - 1e-9 <= T <= Ts[o][-1] + 1e-9:
        raise ValueError(f"T_K: {T} is outside the measured range [{Ts[o][0]}, {Ts[o][-1]}] of {role}.{name}(T)")
    return float(np.interp(T, Ts[o], values[o]))


def _role_of(obj):
    """Role of a positional measurement result, from its type (the classes of atomspin.measure)."""
    from atomspin import measure

    table = [("EffectiveAnisotropyResult", "anisotropy"), ("GNEBResult", "anisotropy"),
             ("LandscapeResult", "landscape"), ("TemperatureSweepResult", "magnetisation"),
             ("HysteresisResult", "loop")]
    for cls_name, role in table:
        cls = getattr(measure, cls_name, None)
        if cls is not None and isinstance(obj, cls):
            return role
    raise ValueError(f"results: a {type(obj).__name__} is not a measurement result the SAR bridge reads; pass it by "
                     "role: particle_from_measurements(anisotropy=..., landscape=..., magnetisation=..., loop=...)")


def particle_from_measurements(*results, anisotropy=None, landscape=None, magnetisation=None, loop=None, T_K=None,
                               alpha=ALPHA_DEFAULT, Ms_A_per_m=None, volume_m3=None, diameter_m=None,
                               K_uniaxial_J_per_m3=None, easy_axis=None, surface=None,
                               hydrodynamic_diameter_m=None, density_kg_per_m3=RHO_MAGNETITE) -> Particle:
    """Build a :class:`Particle` from measurement results (the one measure → sar hand-off).

    Parameters
    ----------
    *results : measurement results
        Results of :mod:`atomspin.measure`, each assigned to its role by its type
        (``EffectiveAnisotropyResult``/``GNEBResult`` → anisotropy, ``LandscapeResult`` → landscape,
        ``TemperatureSweepResult`` → magnetisation, ``HysteresisResult`` → loop).
    anisotropy, landscape, magnetisation, loop : result objects, optional
        The same by role (any object with the fields of the module table).
    T_K : float, optional
        Temperature, K. Default: the temperature of the anisotropy or landscape result.
    alpha : float
        Gilbert damping (not measured by the Monte Carlo; default :data:`ALPHA_DEFAULT`).
    Ms_A_per_m, volume_m3, diameter_m, K_uniaxial_J_per_m3, easy_axis, surface : optional
        Values that override (or complete) the measured ones; ``surface`` is an EnergySurface
        (anisotropy only, J/m³).
    hydrodynamic_diameter_m, density_kg_per_m3 : float, optional
        See :class:`Particle`.

    Returns
    -------
    Particle
        With ``source`` naming the result type and field each number came from.
    """
    roles = {"anisotropy": anisotropy, "landscape": landscape, "magnetisation": magnetisation, "loop": loop}
    for r in results:
        role = _role_of(r)
        if roles[role] is not None:
            raise ValueError(f"results: two results for the role {role!r}")
        roles[role] = r
    aniso, land, mag, lp = roles["anisotropy"], roles["landscape"], roles["magnetisation"], roles["loop"]
    src = {}
    if diameter_m is not None and volume_m3 is not None:
        raise ValueError("volume_m3, diameter_m: give at most one")
    if diameter_m is not None:
        volume_m3 = float(sphere_volume(check_real("diameter_m", diameter_m, 0.0, None, lo_open=True)))
        src["volume_m3"] = "argument diameter_m"
    # --- temperature
    if T_K is None:
        for obj, role, name in ((land, "landscape", "T_K"), (aniso, "anisotropy", "T"), (lp, "loop", "T")):
            if obj is not None and hasattr(obj, name) and np.ndim(getattr(obj, name)) == 0:
                T_K = float(getattr(obj, name))
                src["T_K"] = f"{type(obj).__name__}.{name}"
                break
        else:
            raise ValueError("T_K: not given and no anisotropy, landscape or loop result carries a temperature")
    T_K = check_real("T_K", T_K, 0.0, T_MAX_K)
    # --- volume
    if volume_m3 is None:
        for obj, role in ((land, "landscape"), (aniso, "anisotropy"), (lp, "loop")):
            if obj is not None and hasattr(obj, "volume_m3"):
                v = float(obj.volume_m3)
                if np.isfinite(v) and v > 0:
                    volume_m3 = v
                    src["volume_m3"] = f"{type(obj).__name__}.volume_m3"
                    break
    if volume_m3 is None:
        raise ValueError("volume_m3: not given and not found on the anisotropy, landscape or loop result")
    # --- Ms(T)
    if Ms_A_per_m is None:
        if mag is not None:
            Ms_A_per_m = _interp_at("magnetisation", T_K, _field(mag, "magnetisation", "T"),
                                    _field(mag, "magnetisation", "Ms_A_per_m"), "Ms_A_per_m")
            src["Ms_A_per_m"] = f"{type(mag).__name__}.Ms_A_per_m at {T_K:g} K"
        elif land is not None:
            Ms_A_per_m = float(_field(land, "landscape", "Ms_A_per_m"))
            src["Ms_A_per_m"] = f"{type(land).__name__}.Ms_A_per_m"
        else:
            raise ValueError("Ms_A_per_m: not given and no magnetisation (TemperatureSweepResult) or landscape result")
    # --- anisotropy
    if surface is not None or land is not None:
        if K_uniaxial_J_per_m3 is not None:
            raise ValueError("K_uniaxial_J_per_m3, landscape: give one anisotropy, not both")
        if surface is None:
            surface = _field(land, "landscape", "surface")
            src["anisotropy"] = f"{type(land).__name__}.surface"
    elif K_uniaxial_J_per_m3 is None:
        if aniso is None:
            raise ValueError("K_uniaxial_J_per_m3: not given and no anisotropy or landscape result")
        barrier = float(_field(aniso, "anisotropy", "barrier_J"))
        if np.isfinite(barrier) and barrier > 0:
            K_uniaxial_J_per_m3 = barrier / volume_m3
            src["anisotropy"] = f"{type(aniso).__name__}.barrier_J / volume_m3 (uniaxial K with the measured barrier)"
        else:
            name = "torque_amplitude_2theta_J_per_m3" if hasattr(aniso, "torque_amplitude_2theta_J_per_m3") else None
            if name is None:
                raise ValueError(f"anisotropy: the barrier {barrier:g} J is not positive and the "
                                 f"{type(aniso).__name__} has no 2θ torque amplitude")
            K_uniaxial_J_per_m3 = float(getattr(aniso, name))
            src["anisotropy"] = (f"{type(aniso).__name__}.{name} (2θ torque amplitude: equals K only for a "
                                 "uniaxial particle)")
    else:
        src.setdefault("anisotropy", "argument")
    area = None
    if lp is not None:
        area = float(_field(lp, "loop", "loop_area_J_per_m3"))
        src["quasistatic_loop_area_J_per_m3"] = f"{type(lp).__name__}.loop_area_J_per_m3"
    return Particle(Ms_A_per_m=Ms_A_per_m, volume_m3=volume_m3, T_K=T_K, alpha=alpha,
                    K_uniaxial_J_per_m3=K_uniaxial_J_per_m3, easy_axis=easy_axis if surface is None else None,
                    landscape=surface, hydrodynamic_diameter_m=hydrodynamic_diameter_m,
                    density_kg_per_m3=density_kg_per_m3, quasistatic_loop_area_J_per_m3=area, source=src)


LEGACY_NAMES = {"Ms_A_per_m": "Ms", "T_K": "T", "density_kg_per_m3": "rho", "K_uniaxial_J_per_m3": "K"}
"""Argument names of the models' plain-number keywords (``Ms``, ``K``, ``T``, ``rho``) in messages."""


def uniaxial_particle(particle, *, Ms, K, T, rho, d=None, V=None, alpha=None, thermal=False, volume_required=True):
    """The Particle a uniaxial SAR model works on: ``particle`` itself, or one built from plain numbers.

    Models accept either a :class:`Particle` (``particle=``) or the plain-number keywords of the
    literature formulas (``Ms``, ``K``, ``d``/``V``, ``T``, ``rho``); mixing both is refused. A landscape
    particle is refused here (these models are uniaxial; use the landscape models).
    """
    if particle is not None:
        if not isinstance(particle, Particle):
            raise ValueError(f"particle: a {type(particle).__name__} is not an atomspin.sar.Particle")
        if not particle.is_uniaxial:
            raise ValueError("particle: this model is uniaxial; a landscape particle needs the landscape models "
                             "(atomspin.sar.landscape_loop, atomspin.sar.sar_from_particle)")
        if thermal and particle.T_K <= 0:
            raise ValueError(f"T_K: {particle.T_K} is outside (0, {T_MAX_K:g}] (this model needs k_BT > 0)")
        return particle
    vals = check_material(Ms_A_per_m=Ms, T_K=T, density_kg_per_m3=rho, K_uniaxial_J_per_m3=K, names=LEGACY_NAMES,
                          thermal=thermal)
    if d is not None and V is not None:
        raise ValueError("d, V: give exactly one of the magnetic diameter d (m) or volume V (m³)")
    if d is None and V is None:
        if volume_required:
            raise ValueError("d, V: give exactly one of the magnetic diameter d (m) or volume V (m³)")
        V = 1e-24  # placeholder volume: the caller works with its own per-particle volumes
    elif d is not None:
        V = float(sphere_volume(check_real("d", d, 0.0, None, lo_open=True)))
        check_real("d", V, *VOLUME_RANGE_M3)  # the same bound, through the volume
    else:
        V = check_real("V", V, *VOLUME_RANGE_M3)
    kw = {} if alpha is None else {"alpha": alpha}
    return Particle(Ms_A_per_m=vals["Ms_A_per_m"], volume_m3=V, T_K=vals["T_K"],
                    K_uniaxial_J_per_m3=vals["K_uniaxial_J_per_m3"], density_kg_per_m3=vals["density_kg_per_m3"], **kw)
