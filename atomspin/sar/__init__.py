"""SAR estimators: particle properties → specific absorption rate (W/g) and ILP (nH m² kg⁻¹).

Models 1–4 use only numpy/scipy/numba and :mod:`atomspin.units`; SI inside (H in A/m):

1. :func:`linear_response_sar` — Rosensweig (2002) linear response (Néel: Brown or Arrhenius form; Brown).
2. :func:`sw_ensemble_loop`, :func:`sw_dynamic_sar` — Stoner–Wohlfarth at T = 0 and Carrey et al. (2011).
3. :func:`kinetic_loop` — two-state Néel–Arrhenius master equation / kinetic MC for ensembles.
4. :func:`interacting_llg` — dipolar-coupled macrospins by LLG with the heat of each particle.
5. :func:`sar_from_particle`, :func:`sar_map`, :func:`size_sweep` and figures — the bridge.
"""
from ._common import (
    ALPHA_DEFAULT,
    BREZOVICH_LIMIT,
    C_B_MAGNETITE,
    HERGT_DUTZ_LIMIT,
    K_MAGNETITE_EFF,
    MS_MAGNETITE_300K,
    RHO_MAGHEMITE,
    RHO_MAGNETITE,
    TAU0_S,
    VISCOSITY_WATER_37C,
    anisotropy_field,
    field_safety,
    ilp,
    sar_from_area,
)
from .bridge import (
    SARReport,
    particle_parameters,
    plot_sar_map,
    plot_size_sweep,
    sar_from_particle,
    sar_map,
    size_sweep,
)
from .kinetic import KineticResult, arrangement, kinetic_loop, lognormal_diameters, random_axes
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
    "particle_parameters", "sar_from_area", "field_safety", "ilp", "anisotropy_field",
    "linear_response_sar", "LRTResult", "neel_time", "brown_time", "effective_time", "equilibrium_susceptibility",
    "optimum_diameter", "kinetic_loop", "KineticResult", "lognormal_diameters", "interacting_llg", "LLGResult",
    "quasistatic_loop", "sw_dynamic_sar", "SWDynamicResult", "sw_loop", "SWLoop", "sw_ensemble_loop",
    "carrey_kappa", "regime", "switching_field",
]
