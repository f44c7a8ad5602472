"""Surface labelling: the ``surface`` flag and region "shell" by depth or by missing neighbours."""
from __future__ import annotations

import numpy as np

from atomspin.structures import data
from atomspin.structures.charge import require_labels
from atomspin.structures.labels import add_defect_record, relabel, set_array
from atomspin.validation import check_real

# -------------------------------------------------------------------------------------- surface
def label_surface(atoms, thickness_nm=None, *, min_missing=None):
    """Label a surface shell: ``surface`` True and region "shell" (where the region was "core"/"bulk").

    Parameters
    ----------
    thickness_nm : float > 0, nm, optional
        Atoms with depth_nm < thickness_nm.
    min_missing : int ≥ 1, optional
        Or by coordination: cations missing at least this many O neighbours (O atoms: missing at
        least this many cation neighbours), counted only within one neighbour cutoff of the
        surface (depth < data.BOND_CUTOFF = 2.6 Å for both: the O-neighbour shell of a cation
        and the cation shell of an O), where a missing neighbour can be a site outside the
        particle. Deeper atoms only miss neighbours to vacancies or defects and are not surface
        (before this rule, 796 of 1878 O deeper than 1 nm of a 6 nm γ-Fe2O3 sphere were labelled
        surface because of their B vacancies). Exactly one of the two must be given.
    """
    require_labels(atoms, ("sublattice", "region", "depth_nm", "missing_O", "missing_cation"))
    if (thickness_nm is None) == (min_missing is None):
        raise ValueError("thickness_nm: give exactly one of thickness_nm (nm, > 0) or min_missing (int ≥ 1)")
    out = atoms.copy()
    if thickness_nm is not None:
        th = check_real("thickness_nm", thickness_nm, 0.0, None, lo_open=True)
        surf = out.arrays["depth_nm"] < th
        rec = dict(type="surface", thickness_nm=th)
    else:
        if isinstance(min_missing, bool) or not isinstance(min_missing, (int, np.integer)) or min_missing < 1:
            raise ValueError(f"min_missing: {min_missing!r} must be an integer ≥ 1")
        is_o = out.arrays["sublattice"] == "O"
        surf = np.where(is_o, out.arrays["missing_cation"], out.arrays["missing_O"]) >= min_missing
        surf &= out.arrays["depth_nm"] < data.BOND_CUTOFF / 10.0
        rec = dict(type="surface", min_missing=int(min_missing))
    s = out.arrays["surface"] | surf
    set_array(out, "surface", s)
    reg = out.arrays["region"].copy()
    reg[surf & np.isin(reg, ["core", "bulk"])] = "shell"
    set_array(out, "region", reg)
    rec["n_surface"] = int(np.sum(s))
    add_defect_record(out, rec)
    return relabel(out, coordination=False)
