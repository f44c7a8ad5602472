"""Temperature rescaling of the classical spin model (Evans et al., Phys. Rev. B 91, 144425 (2015)).

Classical Heisenberg statistics put too many spin waves into a magnet at low temperature: the magnetite
model of this package (Tc = 858 K, as measured) has Ms(300 K)/Ms(0) = 0.77 in Monte Carlo against ≈ 0.94–0.96
measured. Evans et al. map the experimental temperature T onto a lower simulation temperature

    T_sim = Tc (T / Tc)^α     for T < Tc,      T_sim = T above,

with one exponent α fitted so that the classical m(T_sim) follows the measured m(T) (their Curie–Bloch fit
m = (1 − (T/Tc)^α)^β; α = 2.876 for Fe, 2.322 Ni, 2.369 Co, 1.278 Gd in that paper). The same mapping is
what VAMPIRE's ``temperature-rescaling-exponent`` / ``-curie-temperature`` apply to the Monte Carlo
acceptance (read in its public source: rescaled_temperature = Tc·pow(T/Tc, alpha) below Tc). Tc is unchanged.

In atomspin the rescaling is a property of the compiled model (``model.info["temperature_rescaling"]``, set
by :func:`atomspin.model.build.from_atoms`) and the engine applies it in one place, the Boltzmann factor
(:func:`simulation_temperature`); measurements keep reporting the physical T (k_BT of a barrier uses it).

α for magnetite is *derived here* from measured anchors and this model's own classical m(T)
(:func:`fit_alpha`, data in ``params/magnetite.toml [temperature_rescaling]``): Ms(300 K) = 480 kA/m and
Ms(0) = 4.0–4.1 μB per formula unit (501–514 kA/m) give m(300 K) = 0.934–0.957, α = 2.14–2.54, default
2.31 for 4.05 μB. One rescaled temperature holds for the whole model: in an FeO/spinel particle the rock-salt
part (T_N = 198 K) would be mapped with the spinel Tc, so :func:`atomspin.model.build.from_atoms` leaves
models with rock-salt sites unscaled by default.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from atomspin.validation import check_real

#: magnetic moments per formula unit used to combine sublattice magnetisations into the net moment of a
#: spinel AB2O4 (A: 5 μB Fe³⁺; B: 2 × 4.5 μB averaged Fe^2.5+ for magnetite)
SPINEL_MOMENTS_PER_FU = {"A": 5.0, "B": 9.0}


@dataclass(frozen=True)
class TemperatureRescaling:
    """T_sim = Tc (T/Tc)^α below Tc (Evans et al. 2015).

    Attributes
    ----------
    alpha : float > 0
        Rescaling exponent (1 = no rescaling).
    Tc_K : float > 0, K
        Curie temperature of the model (and of the material).
    source : str
        Where α comes from.
    """

    alpha: float
    Tc_K: float
    source: str = ""

    def __post_init__(self):
        check_real("temperature_rescaling alpha", self.alpha, 0.0, 20.0, lo_open=True)
        check_real("temperature_rescaling Tc_K", self.Tc_K, 0.0, None, lo_open=True)

    def simulation_temperature(self, T):
        """Simulation temperature (K) for physical temperature(s) ``T`` (K, ≥ 0)."""
        t = np.asarray(T, dtype=np.float64)
        out = np.where(t < self.Tc_K, self.Tc_K * np.power(np.clip(t, 0.0, None) / self.Tc_K, self.alpha), t)
        return float(out) if out.ndim == 0 else out

    def physical_temperature(self, T_sim):
        """Inverse map: physical temperature (K) whose simulation temperature is ``T_sim``."""
        t = np.asarray(T_sim, dtype=np.float64)
        out = np.where(t < self.Tc_K, self.Tc_K * np.power(np.clip(t, 0.0, None) / self.Tc_K, 1.0 / self.alpha),
                       t)
        return float(out) if out.ndim == 0 else out

    def to_dict(self):
        return asdict(self)


def rescaling_of(model):
    """The :class:`TemperatureRescaling` of a compiled model, or None."""
    info = getattr(model, "info", None) or {}
    d = info.get("temperature_rescaling")
    if not d:
        return None
    return TemperatureRescaling(alpha=float(d["alpha"]), Tc_K=float(d["Tc_K"]), source=str(d.get("source", "")))


def simulation_temperature(model, T):
    """The temperature (K) the Boltzmann factor of ``model`` uses at physical temperature ``T`` (K).

    Identity for models without ``info["temperature_rescaling"]``. This is the one place the engine asks.
    """
    r = rescaling_of(model)
    return float(T) if r is None else r.simulation_temperature(float(T))


def classical_net_magnetisation(pset, T_K):
    """Reduced net moment m(T) = (M_B m_B − M_A m_A)/(M_B − M_A) of the bulk classical spinel model.

    m_A, m_B from the parameter set's ``[anisotropy_reference]`` table (this model's own bulk Monte Carlo),
    linear interpolation in T; M_A, M_B from ``[temperature_rescaling] moments_A_B`` when given, else
    :data:`SPINEL_MOMENTS_PER_FU` (magnetite).
    """
    ref = pset.anisotropy_reference
    if not ref or "T_K" not in ref:
        raise ValueError(f"params: set {pset.name!r} has no [anisotropy_reference] table (T_K, m_A, m_B)")
    T = np.asarray(ref["T_K"], dtype=np.float64)
    ma = np.interp(T_K, T, np.asarray(ref["m_A"], dtype=np.float64))
    mb = np.interp(T_K, T, np.asarray(ref["m_B"], dtype=np.float64))
    tab = (getattr(pset, "extra", None) or {}).get("temperature_rescaling") or {}
    MA, MB = tab.get("moments_A_B", (SPINEL_MOMENTS_PER_FU["A"], SPINEL_MOMENTS_PER_FU["B"]))
    return (MB * mb - MA * ma) / (MB - MA)


def fit_alpha(T_K, m_measured, m_classical, Tc_K):
    """Exponent α such that m_classical(Tc (T/Tc)^α) matches the measured reduced magnetisation.

    Parameters
    ----------
    T_K : (k,) K, in (0, Tc)
        Temperatures of the measured points.
    m_measured : (k,) in (0, 1)
        Measured Ms(T)/Ms(0).
    m_classical : callable
        m(T_sim) of the classical model (decreasing in T_sim).
    Tc_K : float, K

    Returns
    -------
    float
        Least-squares α over the points (exact for one point).
    """
    from scipy.optimize import minimize_scalar

    T = np.atleast_1d(np.asarray(T_K, dtype=np.float64))
    m = np.atleast_1d(np.asarray(m_measured, dtype=np.float64))
    if T.shape != m.shape or T.size == 0:
        raise ValueError("T_K, m_measured: need equal-length non-empty arrays")
    if np.any((T <= 0) | (T >= Tc_K)):
        raise ValueError(f"T_K: every temperature must lie in (0, Tc = {Tc_K} K)")
    if np.any((m <= 0) | (m >= 1)):
        raise ValueError("m_measured: reduced magnetisations must lie in (0, 1)")

    def cost(a):
        return float(np.sum((np.array([m_classical(Tc_K * (t / Tc_K) ** a) for t in T]) - m) ** 2))

    res = minimize_scalar(cost, bounds=(0.2, 10.0), method="bounded", options={"xatol": 1e-8})
    return float(res.x)


def rescaling_from_set(pset):
    """The set's :class:`TemperatureRescaling` from its ``[temperature_rescaling]`` table, or None.

    The table gives the measured anchors (``T_K``, ``m_measured``) and ``Tc_K``; α is fitted to the set's own
    classical m(T) (:func:`fit_alpha`, :func:`classical_net_magnetisation`), so it follows the exchange set.
    An explicit ``alpha`` in the table overrides the fit.
    """
    tab = (getattr(pset, "extra", None) or {}).get("temperature_rescaling")
    if not tab:
        return None
    Tc = float(tab["Tc_K"])
    if "alpha" in tab:
        return TemperatureRescaling(float(tab["alpha"]), Tc, f"params {pset.name}: alpha given")
    a = fit_alpha(tab["T_K"], tab["m_measured"], lambda t: classical_net_magnetisation(pset, t), Tc)
    return TemperatureRescaling(a, Tc, f"params {pset.name}: alpha fitted to m({tab['T_K']} K) = "
                                       f"{tab['m_measured']} (Evans et al., PRB 91, 144425 (2015))")
