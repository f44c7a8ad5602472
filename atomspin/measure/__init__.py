"""Measurements on a :class:`~atomspin.model.core.SpinModel`: spin disorder, M(T)/Tc, hysteresis,
anisotropy barriers (constrained Monte Carlo torques and GNEB), the anisotropy landscape F(n̂) of a particle,
defect comparisons.

Every measurement returns a result dataclass of numpy arrays + metadata with ``.plot()`` and
``.to_dict()``. Units at the API: fields μ0H in tesla (and A/m), temperatures K, energies meV in
the model with ``*_J`` conversions, loop areas J/m³ (``model.volume_m3``).
"""
from atomspin.measure.anisotropy import (anisotropy_temperature_series, callen_callen_fit, CallenCallenResult,
                                         effective_anisotropy, EffectiveAnisotropyResult, escape_barrier,
                                         free_energy_series, internal_torque, zero_temperature_barrier)
from atomspin.measure.boundaries import (BoundaryComparison, GrainAlignment, compare_boundaries, decouple_grains,
                                         grain_alignment)
from atomspin.measure.compare import (compare_variants, ComparisonResult, standard_protocol)
from atomspin.measure.disorder import (apb_distance_nm, binned_profile, canting_angles, dead_layer_fit,
                                       DeadLayerResult, defect_distance_nm, depth_below_surface_nm,
                                       distance_to_plane_nm, distance_to_points_nm, local_canting_angles, PairCorrelation,
                                       plot_cross_section, reference_axis, region_sublattice_table, spin_disorder,
                                       spin_pair_correlation, SpinDisorderResult)
from atomspin.measure.gneb import (geodesic_distance, geodesic_path, gneb, GNEBResult, relax)
from atomspin.measure.landscape import (anisotropy_landscape, constrained_minimum, LandscapeResult)
from atomspin.measure.hysteresis import (analyse_loop, hysteresis_loop, HysteresisResult, loop_fields, zfc_fc,
                                         ZFCFCResult)
from atomspin.measure.magnetisation import (MsEstimate, saturation_magnetisation)
from atomspin.measure.results import (fibonacci_directions)
from atomspin.measure.spinview import (view_spins)
from atomspin.measure.stoner_wohlfarth import (random_axes_loop, stoner_wohlfarth_loop, switching_field)
from atomspin.measure.thermo import (binder_cumulant, size_series, SizeSeriesResult, tc_binder_crossing, tc_chi_peak,
                                     temperature_sweep, TemperatureSweepResult)
from atomspin.measure.toymodels import (anisotropy_field_T, uniaxial_cluster)

# The drivers and their result types. Helpers (distances, canting angles, binning, torque fits, GNEB paths,
# toy models) stay importable by name or from their modules; figure scripts live in measure.figures.
__all__ = [
    "spin_disorder", "SpinDisorderResult", "spin_pair_correlation", "PairCorrelation", "dead_layer_fit",
    "DeadLayerResult", "compare_boundaries", "BoundaryComparison", "decouple_grains", "grain_alignment",
    "GrainAlignment", "temperature_sweep", "TemperatureSweepResult",
    "tc_binder_crossing", "tc_chi_peak", "size_series", "SizeSeriesResult", "hysteresis_loop", "HysteresisResult",
    "loop_fields", "analyse_loop", "zfc_fc", "ZFCFCResult", "stoner_wohlfarth_loop", "random_axes_loop",
    "switching_field", "effective_anisotropy", "EffectiveAnisotropyResult", "escape_barrier",
    "zero_temperature_barrier", "free_energy_series", "anisotropy_temperature_series", "callen_callen_fit",
    "CallenCallenResult", "gneb", "GNEBResult", "compare_variants", "standard_protocol", "ComparisonResult",
    "saturation_magnetisation", "MsEstimate", "view_spins", "anisotropy_landscape", "LandscapeResult",
]
