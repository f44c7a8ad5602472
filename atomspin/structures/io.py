"""Structure I/O (extxyz with every label, shipped CIFs) and cross-section pictures."""
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
    return atoms


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


def _fmt(vec):
    """Direction as [h k l] text (integers when the direction is a lattice direction)."""
    v = np.asarray(vec, float)
    k = v / np.abs(v[np.abs(v) > 1e-9]).min()
    if np.allclose(k, np.round(k), atol=1e-6) and np.abs(k).max() < 10:
        return "[" + " ".join(str(int(x)) for x in np.round(k)) + "]"
    return "[" + " ".join(f"{x:.2f}" for x in v) + "]"


_COLORS = {
    "sublattice": {"A": "tab:red", "B": "tab:blue", "O": "tab:green", "R": "tab:purple"},
    "region": {"core": "tab:blue", "shell": "tab:orange", "apb": "tab:red", "FeO": "tab:purple",
               "spinel": "tab:cyan", "bulk": "tab:gray"},
}


def plot_particle(atoms, color_by="sublattice", *, normal=(0, 0, 1), slab_nm=0.4, include_oxygen=True,
                  path=None, ax=None, point_size=None):
    """Cross-section picture: atoms within ±slab_nm/2 of the plane through the centre, projected.

    Parameters
    ----------
    color_by : {'sublattice', 'region', 'defect'}
        'defect' colours APB-zone atoms red, surface atoms orange, atoms missing neighbours gold,
        others grey.
    normal : 3 floats, slab normal (crystal axes); default (0, 0, 1).
    slab_nm : float > 0, nm, slab thickness.
    include_oxygen : bool.
    path : str or Path, optional; the figure is saved there as PNG.
    ax : matplotlib Axes, optional.

    Returns the matplotlib Figure. APB planes (from ``info["defects"]``) are drawn as dashed lines.
    """
    from matplotlib import pyplot as plt

    from atomspin.validation import check_choice, check_real, check_vector
    from atomspin.structures.labels import defect_records
    from atomspin.structures.shapes import get_shape

    check_choice("color_by", color_by, ("sublattice", "region", "defect"))
    n = check_vector("normal", normal)
    n = n / np.linalg.norm(n)
    slab = check_real("slab_nm", slab_nm, 0.0, None, lo_open=True) * 10.0
    shape = get_shape(atoms)
    c = np.asarray(shape["center_A"]) if shape else atoms.positions.mean(axis=0)
    ref = np.array([0.0, 1.0, 0.0]) if abs(n[1]) < 0.9 else np.array([0.0, 0.0, 1.0])
    u = np.cross(ref, n)
    u /= np.linalg.norm(u)  # n = [001] gives u = [100], v = [010]
    v = np.cross(n, u)
    rel = atoms.positions - c
    sel = np.abs(rel @ n) <= slab / 2
    if not include_oxygen:
        sel &= atoms.numbers != 8
    xy = np.stack([rel[sel] @ u, rel[sel] @ v], axis=1) / 10.0
    if color_by == "defect":
        col = np.full(sel.sum(), "lightgray", dtype=object)
        miss = (atoms.arrays["missing_cation"] > 0) | (atoms.arrays["missing_O"] > 0)
        col[miss[sel]] = "gold"
        col[atoms.arrays["surface"][sel]] = "tab:orange"
        col[atoms.arrays["apb_zone"][sel]] = "tab:red"
        legend = {"bulk-like": "lightgray", "missing neighbours": "gold", "surface": "tab:orange",
                  "APB zone": "tab:red"}
    else:
        cmap = _COLORS[color_by]
        lab = atoms.arrays[color_by][sel]
        col = np.array([cmap.get(s, "black") for s in lab], dtype=object)
        legend = {k: cmap.get(k, "black") for k in sorted(set(lab))}
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.5, 6), layout="constrained")
    else:
        fig = ax.figure
    s = point_size if point_size is not None else max(1.0, 4000.0 / max(len(xy), 1) ** 0.75)
    ax.scatter(xy[:, 0], xy[:, 1], c=list(col), s=s, linewidths=0)
    for rec in defect_records(atoms):
        if rec.get("type") != "apb":
            continue
        pn = np.asarray(rec["plane"], float)
        pn /= np.linalg.norm(pn)
        line = np.cross(pn, n)  # direction of the plane's trace in the slab
        if np.linalg.norm(line) < 1e-8:
            continue
        line /= np.linalg.norm(line)
        p0 = np.asarray(rec["point_A"]) - c
        p0 = p0 - (p0 @ n) * n
        ext = np.abs(xy).max() * 10.0 * 1.1 if len(xy) else 10.0
        pts = np.array([p0 - ext * line, p0 + ext * line])
        ax.plot(pts @ u / 10.0, pts @ v / 10.0, "k--", lw=1.2, label="APB")
    for k, colr in legend.items():
        ax.scatter([], [], c=colr, label=k, s=20)
    ax.set_aspect("equal")
    ax.set_xlabel(f"nm along {_fmt(u)}")
    ax.set_ylabel(f"nm along {_fmt(v)}")
    lim = np.abs(xy).max() * 1.05 if len(xy) else 1.0
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, markerscale=1.0)
    ax.set_title(f"{atoms.info.get('phase', '')} cross-section ⊥ {_fmt(n)}, "
                 f"{slab / 10:.2g} nm slab, by {color_by}", fontsize=9)
    if path is not None:
        fig.savefig(str(path), dpi=150)
    return fig
