"""Classical Heisenberg model compiled from labelled structures (see :mod:`atomspin.model.core`).

``SpinModel.from_atoms(atoms, params=..., field=..., dipolar=...)`` classifies every magnetic-cation pair by
its Fe–O–Fe path (:mod:`atomspin.model.geometry`), converts the literature exchange set named by ``params``
into the unit-spin convention (:mod:`atomspin.model.parameters`, data in ``model/params/*.toml``), and adds
cubic / uniaxial / surface anisotropy, Zeeman field (tesla) and optional macrocell dipolar interaction.
"""
from atomspin.model.boundaries import boundary_pair_classes
from atomspin.model.core import DipolarCells, SpinModel
from atomspin.model.geometry import PAIR_CLASSES, classify_pairs
from atomspin.model.meanfield import mean_field_tc
from atomspin.model.parameters import available_parameter_sets, load_parameter_set

__all__ = ["SpinModel", "DipolarCells", "PAIR_CLASSES", "classify_pairs", "mean_field_tc",
           "available_parameter_sets", "load_parameter_set", "boundary_pair_classes"]
