"""SAR estimators: particle properties → specific absorption rate (W/g) and ILP (nH m² kg⁻¹).

Every model takes a :class:`Particle` (the typed hand-off from :mod:`atomspin.measure`, built from
results by :func:`particle_from_measurements`) and a drive (f, H0) checked by :func:`check_drive`;
SI inside (H in A/m):

1. :func:`linear_response_sar` — Rosensweig (2002) linear response (Néel: Brown or Arrhenius form; Brown).
2. :func:`sw_ensemble_loop`, :func:`sw_dynamic_sar` — Stoner–Wohlfarth at T = 0 and Carrey et al. (2011).
3. :func:`kinetic_loop` — two-state Néel–Arrhenius master equation / kinetic MC for ensembles.
4. :func:`interacting_llg` — dipolar-coupled macrospins by LLG with the heat of each particle.
5. Heating from the whole landscape (no τ0): :func:`relaxation_time`, :func:`escape_rates` (Langer/Brown),
   :func:`landscape_loop` (master equation over every minimum and saddle, immobilised or rotating in a
   liquid), :func:`fokker_planck_sar` (Brown's Fokker–Planck equation, exact for any landscape and field; the
   default below 6 k_BT), :func:`llg_sar` (stochastic LLG), :func:`exact_linear_response`, :func:`adiabatic_sar`,
   :func:`ensemble_sar` (size/shape dispersion, realisations, dipolar coupling, error bars).
6. :func:`sar_from_particle` (picks the valid regime and says why), :func:`sar_map`, :func:`size_sweep`,
   :func:`size_series_sar` and figures — the bridge.
"""
from ._common import (
    ALPHA_DEFAULT,
    BREZOVICH_LIMIT,
    C_B_MAGNETITE,
    HERGT_DUTZ_LIMIT,
    K_MAGNETITE_EFF,
    K_MAGNETITE_UNIAXIAL,
    MS_MAGNETITE_300K,
    RHO_MAGHEMITE,
    RHO_MAGNETITE,
    TAU0_S,
    VISCOSITY_WATER_37C,
    NONCLINICAL_HF,
    anisotropy_field,
    check_drive,
    field_safety,
    ilp,
    sar_from_area,
)
from .particle import Medium, Particle, particle_from_measurements
from .ensembles import arrangement, lognormal_diameters, random_axes
from .bridge import (
    SARReport,
    SizeSeriesSAR,
    size_series_sar,
    plot_sar_map,
    plot_size_sweep,
    sar_from_particle,
    sar_map,
    size_sweep,
)
from .kinetic import KineticResult, kinetic_loop
from .linear_response import (
    LRTResult,
    brown_time,
    effective_time,
    equilibrium_susceptibility,
    linear_response_sar,
    neel_time,
    optimum_diameter,
)
from .llg import LLGResult, interacting_llg, quasistatic_loop
from .rates import SIGMA_CROSSOVER, escape_rates, relaxation_time
from .heating import (
    EnsembleResult,
    HeatingResult,
    adiabatic_sar,
    choose_regime,
    ensemble_sar,
    exact_linear_response,
    landscape_loop,
    llg_sar,
)
from .macrospin_llg import first_passage_times
from .fokker_planck import brown_operator, fokker_planck_sar
from .stoner_wohlfarth import (
    SWDynamicResult,
    SWLoop,
    carrey_kappa,
    regime,
    sw_dynamic_sar,
    sw_ensemble_loop,
    sw_loop,
    switching_field,
)

# The SAR models, their result types and the bridge from measurements. Material constants, field limits and
# helpers (Langevin function, random axes and arrangements) stay importable from their modules / by name.
__all__ = [
    "sar_from_particle", "SARReport", "sar_map", "size_sweep", "plot_sar_map", "plot_size_sweep",
    "sar_from_area", "field_safety", "ilp", "anisotropy_field",
    "linear_response_sar", "LRTResult", "neel_time", "brown_time", "effective_time", "equilibrium_susceptibility",
    "optimum_diameter", "kinetic_loop", "KineticResult", "lognormal_diameters", "interacting_llg", "LLGResult",
    "quasistatic_loop", "sw_dynamic_sar", "SWDynamicResult", "sw_loop", "SWLoop", "sw_ensemble_loop",
    "carrey_kappa", "regime", "switching_field",
    "Particle", "Medium", "particle_from_measurements", "check_drive", "size_series_sar", "SizeSeriesSAR",
    "escape_rates", "relaxation_time", "first_passage_times", "landscape_loop", "llg_sar", "exact_linear_response",
    "adiabatic_sar", "ensemble_sar", "choose_regime", "HeatingResult", "EnsembleResult", "fokker_planck_sar",
    "brown_operator",
]
