"""Embedded defaults of ``atomspin demo`` (``structures/recipes/demo.toml`` must equal them; tested).

The demo compares an 8 nm defect-free magnetite sphere with the same particle carrying cation vacancies
(δ = 0.1, derived: a partly oxidised magnetite, a third of the way to maghemite δ = 1/3) and with one
{110} antiphase boundary through its centre (McKenna et al., Nat. Commun. 5, 5740 (2014): {110} APBs are
the stable ones). Measurements at 300 K; SAR at the clinical drive f = 100 kHz, H0 = 15 kA/m
(Maier-Hauff et al., J. Neurooncol. 103, 317 (2011): 100 kHz, 2.5–18 kA/m — [U], from memory, not
confirmed in the paper; H0·f = 1.5e9 A/(m s) is above the Brezovich limit 4.85e8 and below the
Hergt–Dutz 5e9: Hergt & Dutz, J. Magn. Magn. Mater. 311, 187 (2007)).
"""
from __future__ import annotations

import copy

__all__ = ["DEMO_RECIPE", "QUICK_OVERRIDES", "demo_recipe", "to_toml"]

DEMO_RECIPE = {
    "meta": {"name": "demo", "description": "8 nm Fe3O4 sphere: defect-free vs vacancies vs APB, 300 K"},
    "structure": {"phase": "Fe3O4", "shape": "sphere", "diameter_nm": 8.0},
    "model": {"params": "auto", "dipolar": True},
    "protocol": {
        "steps": ["structure", "disorder", "loop", "kv", "sar"],
        "T_K": 300.0,
        "disorder": {"sweeps": 1000, "bin_nm": 0.25},
        "loop": {"B_max_T": 0.5, "n_fields": 21, "sweeps": 200},
        "kv": {"sweeps": 800, "n_angles": 13},
        "sar": {"f_Hz": 100000.0, "H0_A_per_m": 15000.0, "tau0_s": 1e-9},
    },
    "sweep": {
        "seeds": [1],
        "variants": [
            {"name": "defect-free"},
            {"name": "vacancies", "defects": {"vacancies": {"delta": 0.1}}},
            {"name": "APB", "defects": {"apb": {"enabled": True, "plane": [1, 1, 0], "offset_nm": 0.0}}},
        ],
    },
}

#: ``atomspin demo --quick`` (CI): a 3 nm particle and short runs, same comparison
QUICK_OVERRIDES = {
    "structure.diameter_nm": 3.0,
    "protocol.disorder.sweeps": 50,
    "protocol.loop.n_fields": 5,
    "protocol.loop.sweeps": 10,
    "protocol.kv.sweeps": 20,
    "protocol.kv.n_angles": 5,
}


def demo_recipe(quick: bool = False, steps=None) -> dict:
    """A copy of the demo recipe; ``quick`` applies :data:`QUICK_OVERRIDES`; ``steps`` restricts the
    protocol steps (e.g. to those available in this installation)."""
    from atomspin.batch.schema import set_path

    r = copy.deepcopy(DEMO_RECIPE)
    if quick:
        r["meta"]["name"] = "demo-quick"
        r["meta"]["description"] = (f"{QUICK_OVERRIDES['structure.diameter_nm']:g} nm Fe3O4 sphere (quick size): "
                                    "defect-free vs vacancies vs APB, 300 K")
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
