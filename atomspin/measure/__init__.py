"""Measurements on a :class:`~atomspin.model.core.SpinModel`: spin disorder, M(T)/Tc, hysteresis,
effective anisotropy K_eff·V (constrained Monte Carlo torques and GNEB), defect comparisons.

Every measurement returns a result dataclass of numpy arrays + metadata with ``.plot()`` and
``.to_dict()``. Units at the API: fields μ0H in tesla (and A/m), temperatures K, energies meV in
the model with ``*_J`` conversions, loop areas J/m³ (``model.volume_m3``).
"""
from atomspin.measure.anisotropy import (anisotropy_temperature_series, callen_callen_fit, CallenCallenResult,
                                         effective_anisotropy, EffectiveAnisotropyResult, escape_barrier, fit_torque,
                                         free_energy_series, internal_torque, zero_temperature_barrier)
from atomspin.measure.compare import (compare_variants, ComparisonResult, standard_protocol)
from atomspin.measure.disorder import (apb_distance_nm, binned_profile, canting_angles, dead_layer_fit,
                                       DeadLayerResult, defect_distance_nm, depth_below_surface_nm,
                                       distance_to_plane_nm, distance_to_points_nm, local_canting_angles, PairCorrelation,
                                       plot_cross_section, reference_axis, region_sublattice_table, spin_disorder,
                                       spin_pair_correlation, SpinDisorderResult)
from atomspin.measure.figures import (trend_figures)
from atomspin.measure.gneb import (geodesic_distance, geodesic_path, gneb, GNEBResult, relax)
from atomspin.measure.hysteresis import (analyse_loop, hysteresis_loop, HysteresisResult, loop_fields, zfc_fc,
                                         ZFCFCResult)
from atomspin.measure.results import (fibonacci_directions)
from atomspin.measure.stoner_wohlfarth import (random_axes_loop, stoner_wohlfarth_loop, switching_field)
from atomspin.measure.thermo import (binder_cumulant, size_series, SizeSeriesResult, tc_binder_crossing, tc_chi_peak,
                                     temperature_sweep, TemperatureSweepResult)
from atomspin.measure.toymodels import (anisotropy_field_T, uniaxial_cluster)

__all__ = [
    "spin_disorder", "SpinDisorderResult", "canting_angles", "local_canting_angles", "reference_axis",
    "region_sublattice_table", "spin_pair_correlation", "PairCorrelation", "binned_profile",
    "depth_below_surface_nm", "distance_to_plane_nm", "distance_to_points_nm", "apb_distance_nm", "defect_distance_nm",
    "plot_cross_section", "dead_layer_fit", "DeadLayerResult", "temperature_sweep", "TemperatureSweepResult",
    "binder_cumulant", "tc_binder_crossing", "tc_chi_peak", "size_series", "SizeSeriesResult", "hysteresis_loop",
    "HysteresisResult", "loop_fields", "zfc_fc", "ZFCFCResult", "analyse_loop", "fibonacci_directions",
    "stoner_wohlfarth_loop", "random_axes_loop", "switching_field", "effective_anisotropy", "escape_barrier",
    "EffectiveAnisotropyResult", "internal_torque", "fit_torque", "free_energy_series", "zero_temperature_barrier",
    "callen_callen_fit", "anisotropy_temperature_series", "CallenCallenResult", "gneb", "GNEBResult",
    "geodesic_path", "geodesic_distance", "relax", "compare_variants", "standard_protocol", "ComparisonResult",
    "uniaxial_cluster", "anisotropy_field_T", "trend_figures",
]
