"""Structure I/O: extxyz with every label, and the shipped CIFs. (Pictures: :mod:`atomspin.structures.plotting`.)"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import ase.io

from atomspin.structures.labels import ARRAY_DTYPES, STR_ARRAYS, set_array

#: top-level ``structures/`` folder of the repository (shipped CIFs)
CIF_DIR = Path(__file__).resolve().parents[2] / "structures"
#: shipped cells: file name -> build_bulk keyword arguments
SHIPPED_CIFS = {
    "Fe3O4.cif": dict(phase="Fe3O4"),
    "gamma-Fe2O3_P41212.cif": dict(phase="gamma-Fe2O3", vacancies="ordered"),
    "FeO.cif": dict(phase="FeO"),
}


def write_structure(atoms, path):
    """Write a labelled structure to extended XYZ (all per-atom labels and info survive)."""
    ase.io.write(str(path), atoms, format="extxyz")


def read_structure(path):
    """Read a structure written by :func:`write_structure`, restoring the Contract-1 dtypes."""
    atoms = ase.io.read(str(path), format="extxyz")
    for name in list(atoms.arrays):
        if name in ARRAY_DTYPES and name in STR_ARRAYS:
            set_array(atoms, name, atoms.arrays[name].astype(str))
        elif name in ARRAY_DTYPES:
            set_array(atoms, name, atoms.arrays[name])
    for k, v in list(atoms.info.items()):
        if isinstance(v, np.generic):
            atoms.info[k] = v.item()
    if "apb_zone" in atoms.arrays and "defect_zone" not in atoms.arrays:
        _legacy_defect_zone(atoms)
    return atoms


def _legacy_defect_zone(atoms):
    """Files written before ``defect_zone`` existed: the atoms of their ``apb_zone`` get the id of
    the nearest recorded APB (−1 elsewhere)."""
    from atomspin.structures.labels import plane_defects
    from atomspin.structures.planes import distance_to_defect_A

    zone = np.full(len(atoms), -1)
    flag = np.asarray(atoms.arrays["apb_zone"], bool)
    recs = plane_defects(atoms, "apb")
    if recs and flag.any():
        idx = np.flatnonzero(flag)
        d = np.stack([distance_to_defect_A(atoms, r, idx) for r in recs])
        zone[idx] = np.asarray([r["id"] for r in recs])[np.argmin(d, axis=0)]
    set_array(atoms, "defect_zone", zone)
    if "grain" not in atoms.arrays:
        set_array(atoms, "grain", np.zeros(len(atoms)))


def write_cifs(directory=None):
    """(Re)generate the shipped CIF files of the three phases from :func:`build_bulk`.

    Returns the list of written paths. The CIFs hold the plain crystal structures (element and
    positions in the conventional cell); labels are not part of CIF.
    """
    import io as _io

    from ase.io.cif import write_cif

    from atomspin.structures.bulk import build_bulk
    d = Path(directory) if directory is not None else CIF_DIR
    d.mkdir(parents=True, exist_ok=True)
    out = []
    for name, kw in SHIPPED_CIFS.items():
        at = build_bulk(**kw)
        plain = at.__class__(numbers=at.numbers, positions=at.positions, cell=at.cell, pbc=True)
        sub = at.arrays["sublattice"]
        labels = [f"{s}{i + 1}" for i, s in enumerate(sub)]  # site family + index: A1, B9, O25, R1
        buf = _io.BytesIO()
        write_cif(buf, [plain], labels=[labels])
        p = d / name
        p.write_text(_CIF_HEADER[name] + buf.getvalue().decode())
        out.append(p)
    return out


_COMMON = ("# Written by atomspin.structures.write_cifs() from the cited crystallographic data\n"
           "# (not copied from a database). Site labels: A = tetrahedral 8a, B = octahedral 16d,\n"
           "# O = 32e, R = rock-salt cation. Regenerate: python -c 'import atomspin.structures as s;"
           " s.write_cifs()'\n")
_CIF_HEADER = {
    "Fe3O4.cif": "# Magnetite Fe3O4, Fd-3m (227) origin 2, a = 8.396 A, O x = 0.2548:\n"
                 "# Hamilton, Phys. Rev. 110, 1050 (1958). Written in P1 (56 sites).\n" + _COMMON,
    "gamma-Fe2O3_P41212.cif": "# Maghemite gamma-Fe2O3, vacancy-ordered tetragonal P4_12_12 (92), a = 8.3460 A,"
                              " c = 25.034 A\n# (Rietveld, J. Korean Chem. Soc.), ideal spinel positions,"
                              " vacancy set derived in atomspin.structures.bulk.\n"
                              "# Written in P1 (160 sites, Fe64O96).\n" + _COMMON,
    "FeO.cif": "# Wustite FeO, rock salt Fm-3m (225), a = 4.30 A: Yamamoto, Acta Cryst. B38, 1451 (1982).\n"
               "# Written in P1 (8 sites).\n" + _COMMON,
}
