"""Structure I/O: extxyz with every label, and the shipped CIFs. (Pictures: :mod:`atomspin.structures.plotting`.)"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import ase.io

from atomspin.structures.labels import ARRAY_DTYPES, STR_ARRAYS, set_array
from atomspin.validation import check_array

#: top-level ``structures/`` folder of the repository (shipped CIFs)
CIF_DIR = Path(__file__).resolve().parents[2] / "structures"
#: shipped cells: file name -> build_bulk keyword arguments
SHIPPED_CIFS = {
    "Fe3O4.cif": dict(phase="Fe3O4"),
    "gamma-Fe2O3_P41212.cif": dict(phase="gamma-Fe2O3", vacancies="ordered"),
    "FeO.cif": dict(phase="FeO"),
}


#: per-atom vector columns that carry a spin state in an extxyz file (see :func:`write_structure`)
SPIN_ARRAYS = ("spins", "dipoles", "initial_magmoms")
_UNIT_TOL = 1e-6  # |ŝ| = 1 within this (spins pass through text with 8 decimals)


def write_structure(atoms, path, spins=None, model=None):
    """Write a labelled structure to extended XYZ (all per-atom labels and info survive), optionally with a
    spin configuration that OVITO and ASE's GUI show in 3-D.

    With ``spins`` or ``model`` three per-atom vector columns are added (zero rows on atoms without a spin,
    e.g. O and Zn²⁺):

    - ``spins``: unit spin vectors ŝ_i (dimensionless), the state itself;
    - ``dipoles``: moment vectors m_i ŝ_i in μB. OVITO maps this column to its standard property
      *Dipole Orientation* and draws it as arrows;
    - ``initial_magmoms``: the same vectors in μB. ASE reads them as ``atoms.get_initial_magnetic_moments()``
      and ``ase gui`` draws them (View → Show magnetic moments).

    Parameters
    ----------
    atoms : ase.Atoms
        Labelled structure (``atoms`` itself is not modified).
    path : str or path-like
        Output file (extended XYZ, e.g. ``particle.extxyz``).
    spins : array_like, optional
        Unit spin vectors. With ``model``: shape (model.n, 3) in the model's site order (default
        ``model.spins``, the model's current state). Without ``model``: shape (len(atoms), 3), a unit vector
        on every atom with ``moment_muB`` > 0 and a zero row on every other atom.
    model : SpinModel, optional
        The model compiled from ``atoms`` (``SpinModel.from_atoms(atoms)``); its ``atom_index`` places the
        spins on the atoms and its ``moments`` (μB) scale them. Its positions must be those of ``atoms``.

    Raises
    ------
    ValueError
        Spins of the wrong shape, not unit vectors, non-zero on an atom without a moment, or a model that was
        not compiled from ``atoms``.
    """
    if spins is not None or model is not None:
        atoms = atoms.copy()
        s, m = _spin_columns(atoms, spins, model)
        atoms.arrays.pop("initial_magmoms", None)  # set_array keeps an old dtype/shape otherwise
        atoms.set_array("spins", s)
        atoms.set_array("dipoles", s * m[:, None])
        atoms.set_array("initial_magmoms", s * m[:, None])
    ase.io.write(str(path), atoms, format="extxyz")


def _spin_columns(atoms, spins, model):
    """(len(atoms), 3) unit spins (zero rows without a spin) and (len(atoms),) moments in μB."""
    n_atoms = len(atoms)
    if model is not None:
        idx = _model_index(atoms, model)
        s_model = model.spins if spins is None else spins
        s_model = check_array("spins", s_model, ndim=2)
        if s_model.shape != (len(idx), 3):
            raise ValueError(f"spins: expected shape ({len(idx)}, 3) in the model's site order, got "
                             f"{s_model.shape}")
        _check_unit("spins", s_model)
        s = np.zeros((n_atoms, 3))
        s[idx] = s_model
        m = np.zeros(n_atoms)
        m[idx] = np.asarray(model.moments, dtype=np.float64)
        return s, m
    s = check_array("spins", spins, ndim=2)
    if s.shape != (n_atoms, 3):
        raise ValueError(f"spins: expected shape ({n_atoms}, 3), one row per atom (or pass model= for the "
                         f"model's site order), got {s.shape}")
    if "moment_muB" not in atoms.arrays:
        raise ValueError("atoms.arrays['moment_muB']: missing label; needed to scale spins to moments")
    m = np.asarray(atoms.arrays["moment_muB"], dtype=np.float64)
    has = m > 0
    _check_unit("spins", s[has])
    if np.any(s[~has] != 0.0):
        bad = int(np.flatnonzero(~has & np.any(s != 0.0, axis=1))[0])
        raise ValueError(f"spins: atom {bad} has moment_muB = 0 but a non-zero spin row; give zero rows on "
                         "atoms without a moment")
    return s, np.where(has, m, 0.0)


def _check_unit(name, s):
    if s.size:
        norm = np.linalg.norm(s, axis=1)
        k = int(np.argmax(np.abs(norm - 1.0)))
        if abs(norm[k] - 1.0) > _UNIT_TOL:
            raise ValueError(f"{name}: row {k} has length {norm[k]:.6g}; spins must be unit vectors "
                             f"(|ŝ| = 1 within {_UNIT_TOL:g})")


def spins_from_atoms(atoms, model):
    """The spin state stored on ``atoms`` (``atoms.arrays['spins']``, e.g. from :func:`read_structure`) in the
    site order of ``model``: an (model.n, 3) array of unit vectors to assign to ``model.spins`` or to start a
    simulation from.

    Raises ValueError when the atoms carry no spins or the model was not compiled from these atoms.
    """
    if "spins" not in atoms.arrays:
        raise ValueError("atoms.arrays['spins']: no spin state stored (write one with write_structure(atoms, "
                         "path, model=model))")
    idx = _model_index(atoms, model)
    out = np.asarray(atoms.arrays["spins"], dtype=np.float64)[idx]
    _check_unit("atoms.arrays['spins']", out)
    return np.ascontiguousarray(out / np.linalg.norm(out, axis=1)[:, None])  # undo the 8-decimal rounding


def _model_index(atoms, model):
    """``model.atom_index`` checked against ``atoms`` (same positions)."""
    idx = getattr(model, "atom_index", None)
    if idx is None:
        raise ValueError("model: has no atom_index (build it with SpinModel.from_atoms(atoms))")
    idx = np.asarray(idx, dtype=np.int64)
    ok = idx.size == 0 or (idx.min() >= 0 and idx.max() < len(atoms)
                           and np.allclose(atoms.positions[idx], model.positions, atol=1e-6))
    if not ok:
        raise ValueError(f"model: was not compiled from these atoms (its {len(idx)} sites do not sit on atoms "
                         f"of this {len(atoms)}-atom structure)")
    return idx


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
