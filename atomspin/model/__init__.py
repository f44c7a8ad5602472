"""Classical Heisenberg model compiled from labelled structures (see :mod:`atomspin.model.core`).

``SpinModel.from_atoms(atoms, params=..., field=..., dipolar=...)`` classifies every magnetic-cation pair by
its Fe–O–Fe path (:mod:`atomspin.model.geometry`), converts the literature exchange set named by ``params``
into the unit-spin convention (:mod:`atomspin.model.parameters`, data in ``model/params/*.toml``), and adds
cubic / uniaxial / surface anisotropy, Zeeman field (tesla) and the magnetostatic point-dipole interaction
(on by default: the exact pair sum or the exact lattice FFT, :mod:`atomspin.model.dipolar`;
:func:`shape_tensor_J` gives the shape tensor of a collinear state).
"""
from atomspin.model.boundaries import boundary_pair_classes
from atomspin.model.core import DipolarCells, SpinModel
from atomspin.model.dipolar import ExactDipolar, shape_tensor_J
from atomspin.model.dipolar_lattice import LatticeDipolar
from atomspin.model.geometry import PAIR_CLASSES, classify_pairs
from atomspin.model.meanfield import mean_field_tc
from atomspin.model.parameters import available_parameter_sets, load_parameter_set

__all__ = [  # the model and its parameter sets; pair classification stays in model.geometry / model.boundaries
    "SpinModel", "DipolarCells", "LatticeDipolar", "ExactDipolar", "shape_tensor_J", "mean_field_tc",
    "available_parameter_sets", "load_parameter_set",
]
