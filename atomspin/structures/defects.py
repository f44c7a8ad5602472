"""Defect operations on labelled structures (one import place for all of them).

Each operation is seeded and composable, appends a JSON record to ``atoms.info["defects"]`` and
returns a new ``ase.Atoms`` (the input is not modified). They live by concern in:

* :mod:`atomspin.structures.point_defects` — vacancies (:func:`add_vacancies`);
* :mod:`atomspin.structures.planes` — the machinery shared by every plane defect, and the plane
  defects themselves: :mod:`~atomspin.structures.apb` (:func:`insert_apb`),
  :mod:`~atomspin.structures.twin` (:func:`insert_twin`, :func:`insert_stacking_fault`);
* :mod:`atomspin.structures.core_shell` — FeO/spinel core–shell (:func:`core_shell`) and dopants
  (:func:`dope`);
* :mod:`atomspin.structures.surface` — surface labelling (:func:`label_surface`).
"""
from atomspin.structures.apb import insert_apb
from atomspin.structures.core_shell import DEFAULT_INVERSION, DOPANTS, core_shell, dope
from atomspin.structures.point_defects import VACANCY_MODES, VACANCY_REMOVAL, add_vacancies
from atomspin.structures.surface import label_surface

__all__ = ["add_vacancies", "insert_apb", "core_shell", "dope", "label_surface", "VACANCY_MODES",
           "VACANCY_REMOVAL", "DOPANTS", "DEFAULT_INVERSION"]
