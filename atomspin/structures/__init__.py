"""Structure builders: labelled ``ase.Atoms`` of Fe3O4, γ-Fe2O3 and FeO bulk cells and nanoparticles.

Labels follow Contract 1 of docs/architecture.md (per-atom ``arrays``: sublattice, valence, moment_muB,
region, defect_zone, grain, surface, depth_nm, missing_cation, missing_O, and the alias apb_zone;
``info``: phase, recipe, seed, defects, lattice_a_A, counts). Builders and defect operations are plain functions returning new Atoms::

    from atomspin import structures as S
    p = S.build_particle("Fe3O4", shape="sphere", diameter_nm=8.0, seed=1)
    d = S.insert_apb(S.add_vacancies(p, delta=0.1, seed=1), plane=(1, 1, 0))
    S.describe(d)
"""
from atomspin.structures.analysis import count_bob_links, describe, min_distance_A, net_moment_muB
from atomspin.structures.bulk import build_bulk
from atomspin.structures.apb import insert_apb
from atomspin.structures.core_shell import core_shell, dope
from atomspin.structures.io import read_structure, write_cifs, write_structure
from atomspin.structures.labels import defect_records, plane_defects, relabel
from atomspin.structures.plotting import plot_cross_section, plot_particle
from atomspin.structures.point_defects import add_vacancies
from atomspin.structures.surface import label_surface
from atomspin.structures.particle import build_particle

__all__ = [
    "build_bulk", "build_particle", "describe", "add_vacancies", "insert_apb", "core_shell", "dope",
    "label_surface", "write_structure", "read_structure", "write_cifs", "plot_particle",
    "count_bob_links", "min_distance_A", "net_moment_muB", "relabel", "defect_records", "plane_defects",
    "plot_cross_section",
]
