"""Embedded defaults of ``atomspin demo`` (``structures/recipes/demo.toml`` must equal them; tested).

The question (issue 15; Lak et al., Adv. Sci. 8, 2002682 (2021); Lappas et al., PRX 9, 041044 (2019)): for a
magnetite particle that heats, do vacancies or an antiphase boundary raise or lower the heating, and is the
change resolved? Every default below carries its source:

* particle: Fe3O4 truncated octahedron ({111} + {100} facets, the habit of magnetite nanocrystals), vertex-to-
  vertex size 18.5 nm = equivalent-sphere diameter 12.1 nm (derived from the volume of the shape; issue 15:
  ≥ 12 nm, the low end of the 12–25 nm of hyperthermia particles): the smallest particle the issue allows,
  because the landscape of ~39 500 spins must fit the 5-minute budget (docs/quickstart.md gives the cost).
* variants: defect-free; Fe-deficient, random B-site vacancies δ = 0.1 in Fe₃₋δO₄ (derived: a partly oxidised
  magnetite, 30 % of the way to maghemite, δ = 1/3 = Fe₈[Fe₄₀/₃□₈/₃]O₃₂, whose vacancies sit on B sites; random
  B Fe of either valence, ``removal = "random"``: above the Verwey temperature the B sites carry no Fe²⁺ order);
  one {110} antiphase boundary through the centre (McKenna et al., Nat. Commun. 5, 5740 (2014): {110} APBs are
  the stable ones). An FeO core is left out (its two phases double the cost; the study notebook has it).
* T = 310 K (body temperature, 37 °C); two realisations (seeds) per variant: SAR, ILP and the ratios carry
  the larger of the seed-to-seed spread and the propagated landscape errors (atomspin.batch.quantities).
* landscape: 26 directions (the fewest the degree-6 fit allows) × 50 sampled constrained sweeps after 12
  discarded, from one state thermalised for 60 sweeps (≈ 1 670 sweeps of 39 500 spins per task, ≈ 0.03 CPU s
  per sweep on an idle core; measured 2026-11-29 cold on a quiet 2-core machine: 278 s wall, 535 CPU s in all
  processes, tasks 56–113 s — within the 5-minute goal). These runs are short (≈ 5 independent torque samples
  per direction): the fit's χ²/dof is ≫ 1, so the barrier error is inflated by √(χ²/dof) (landscape step) and
  the spread over the seeds is the check.
* drive: f = 100 kHz, H0 = 15 kA/m, the clinical glioblastoma thermotherapy of Maier-Hauff et al., J. Neurooncol.
  103(2), 317–324 (2011; online 16 Sep 2010), doi:10.1007/s11060-010-0389-0, PMC3097345 (confirmed, abstract
  read: a single-arm two-centre study, 66 patients of whom 59 with recurrent glioblastoma, intratumoral aqueous
  dispersion of magnetite nanoparticles heated in an alternating magnetic field, with a median 30 Gy of
  stereotactic radiotherapy). NOT confirmed: the values 100 kHz and 2.5–18 kA/m, which the abstract does not
  give; the methods section was not found in the sources searched (2026-11-30), so they stay [U] (treat them as
  the usually quoted drive of that applicator, not as a read number). H0·f = 1.5e9 A m⁻¹ s⁻¹ is above the
  Brezovich limit 4.85e8 (Brezovich, Med. Phys. Monogr. 16, 82 (1988), primary not read; the value as quoted by
  Faílde et al., arXiv:2405.20756, abstract read) and below the Hergt–Dutz 5e9 (Hergt & Dutz, J. Magn. Magn.
  Mater. 311, 187 (2007), not read; [U]); every row reports both checks.
* media: immobilised (cells, tissue: Néel only) and water at 37 °C (0.69 mPa s) with the hydrodynamic diameter
  equal to the magnetic equivalent-sphere diameter (derived: an uncoated particle, the smallest d_H; a coating
  only slows Brownian rotation further). Orientation quadrature: 12 field directions (measured on the defect-
  free landscape: 1.1 % from the 24-direction value, far below the seed spread).
"""
from __future__ import annotations

import copy

__all__ = ["DEMO_RECIPE", "QUICK_OVERRIDES", "demo_recipe", "to_toml"]

#: vertex-to-vertex size of the truncated octahedron, nm (derived: equivalent-sphere diameter 12.1 nm, issue 15's
#: lower bound of 12 nm for particles that heat; truncation 2/3, the build_particle default)
DEMO_SIZE_NM = 18.5
#: vacancy parameter δ of Fe₃₋δO₄, random B vacancies (derived: 30 % of the way from magnetite to maghemite δ = 1/3)
DEMO_DELTA = 0.1
#: which B Fe a vacancy removes (derived: at 310 K, above the Verwey temperature ≈ 120 K (IUPAC Gold Book,
#: "Verwey transition"), B-site Fe²⁺/Fe³⁺ are not ordered, so vacancies go to random B sites; "fe2_first" would
#: put them on the builder's Verwey-ordered Fe²⁺ layers, an order that adds a uniaxial Néel term of its own: the 12 nm study, validation §8a, shows the two differ)
DEMO_VACANCY_REMOVAL = "random"
#: body temperature, K (37 °C)
DEMO_T_K = 310.0
#: drive frequency, Hz, and amplitude, A/m (Maier-Hauff et al., J. Neurooncol. 103, 317 (2011): the trial is
#: confirmed, these values are not; see the module docstring)
DEMO_F_HZ = 100e3
DEMO_H0_A_PER_M = 15e3
#: hydrodynamic diameter in water, nm; 0 = the magnetic equivalent-sphere diameter (derived: uncoated, the smallest)
DEMO_HYDRODYNAMIC_DIAMETER_NM = 0.0

DEMO_RECIPE = {
    "meta": {"name": "demo", "description": "Fe3O4 truncated octahedron, 12.1 nm equivalent sphere (18.5 nm vertex "
                                            "to vertex): defect-free vs Fe-deficient (δ = 0.1) vs one (110) APB, "
                                            "310 K, immobilised and in water, 100 kHz, 15 kA/m"},
    "structure": {"phase": "Fe3O4", "shape": "truncated_octahedron", "diameter_nm": DEMO_SIZE_NM},
    "model": {"params": "auto", "dipolar": True},
    "protocol": {
        "steps": ["structure", "landscape", "sar"],
        "T_K": DEMO_T_K,
        "landscape": {"n_directions": 26, "sweeps": 50, "equilibration_sweeps": 12, "thermalisation_sweeps": 60,
                      "observe_every": 1},
        "sar": {"f_Hz": DEMO_F_HZ, "H0_A_per_m": DEMO_H0_A_PER_M, "media": ["immobilised", "water"],
                "hydrodynamic_diameter_nm": DEMO_HYDRODYNAMIC_DIAMETER_NM, "n_orientations": 12},
    },
    "sweep": {
        "seeds": [1, 2],
        "variants": [
            {"name": "defect-free"},
            {"name": "Fe-deficient", "defects": {"vacancies": {"delta": DEMO_DELTA, "removal": DEMO_VACANCY_REMOVAL}}},
            {"name": "APB", "defects": {"apb": {"enabled": True, "plane": [1, 1, 0], "offset_nm": 0.0}}},
        ],
    },
}

#: ``atomspin demo --quick`` (CI): a 4 nm (vertex to vertex) particle and short runs, same comparison
QUICK_OVERRIDES = {
    "structure.diameter_nm": 4.0,
    "protocol.landscape.sweeps": 20,
    "protocol.landscape.equilibration_sweeps": 5,
    "protocol.landscape.thermalisation_sweeps": 20,
}


def demo_recipe(quick: bool = False, steps=None) -> dict:
    """A copy of the demo recipe; ``quick`` applies :data:`QUICK_OVERRIDES`; ``steps`` restricts the
    protocol steps (e.g. to those available in this installation)."""
    from atomspin.batch.schema import set_path

    r = copy.deepcopy(DEMO_RECIPE)
    if quick:
        r["meta"]["name"] = "demo-quick"
        r["meta"]["description"] = (f"{QUICK_OVERRIDES['structure.diameter_nm']:g} nm (vertex to vertex) Fe3O4 "
                                    "truncated octahedron, quick size and runs (not converged): defect-free vs "
                                    "Fe-deficient vs APB, 310 K")
        for path, value in QUICK_OVERRIDES.items():
            set_path(r, path, value)
    if steps is not None:
        r["protocol"]["steps"] = [s for s in r["protocol"]["steps"] if s in steps]
    return r


# ---------------------------------------------------------------------------------------------------------
def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        r = repr(v)
        return r if ("." in r or "e" in r or "n" in r) else r + ".0"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def to_toml(d: dict) -> str:
    """Write a recipe-shaped dict (tables, arrays of tables, scalars, arrays) as TOML."""
    lines: list = []

    def table(prefix, node, header):
        scalars = {k: v for k, v in node.items() if not isinstance(v, dict)
                   and not (isinstance(v, list) and v and all(isinstance(x, dict) for x in v))}
        if header and (scalars or not node):
            lines.append(header)
        for k, v in scalars.items():
            lines.append(f"{_key(k)} = {_toml_value(v)}")
        for k, v in node.items():
            path = f"{prefix}.{_key(k)}" if prefix else _key(k)
            if isinstance(v, dict):
                if lines and lines[-1] != "":
                    lines.append("")
                table(path, v, f"[{path}]")
            elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
                for item in v:
                    if lines and lines[-1] != "":
                        lines.append("")
                    table_array(path, item)

    def table_array(path, item):
        lines.append(f"[[{path}]]")
        flat = {}

        def rec(p, n):
            for k, v in n.items():
                q = f"{p}.{_key(k)}" if p else _key(k)
                if isinstance(v, dict):
                    rec(q, v)
                else:
                    flat[q] = v

        rec("", item)
        for k, v in flat.items():
            lines.append(f"{k} = {_toml_value(v)}")

    table("", d, None)
    return "\n".join(lines).strip() + "\n"


def _key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() else _toml_value(k)
