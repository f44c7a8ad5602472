"""The recipe schema, written as data, and its single validator.

A recipe is a TOML document (read with :mod:`tomllib`) with the sections ``meta``, ``structure``,
``defects``, ``model``, ``protocol`` and ``sweep``. :data:`SCHEMA` maps every key to a :class:`Field`
(type, allowed range or choices, default, doc). :func:`validate_recipe` checks a whole recipe *before any
work starts* and raises :class:`RecipeError` — a ``ValueError`` whose one-line message starts with the key
path, e.g. ``defects.vacancies.delta: 0.5 is outside [0, 1/3]``.

Units follow :mod:`atomspin.units`: sizes in nm (key suffix ``_nm``), temperatures in K (``_K``), fields
as μ0H in tesla (``_T``), SAR drive amplitude H0 in A/m (``_A_per_m``), frequencies in Hz.
"""
from __future__ import annotations

import copy
import functools
import math
from typing import Any

__all__ = ["Field", "SCHEMA", "RecipeError", "validate_recipe", "resolve", "get_path", "set_path",
           "field_at", "STEPS", "schema_doc"]

from atomspin.batch.steps import REGISTRY, STEPS  # noqa: E402 - the study steps, in execution order


from atomspin.batch.fields import Field, RecipeError, RecipeWarning, _num  # noqa: F401 - re-exported

F = Field
# ---------------------------------------------------------------------------------------------------------
# The schema. Physical defaults carry their source in the doc string.
# ---------------------------------------------------------------------------------------------------------
SCHEMA: dict = {
    "meta": {
        "name": F("str", "study", "study name; labels rows and the report"),
        "description": F("str", "", "free text"),
    },
    "structure": {
        "phase": F("str", "Fe3O4", "crystal phase of the particle", choices=("Fe3O4", "gamma-Fe2O3", "FeO")),
        "shape": F("str", "sphere", "particle shape", choices=("sphere", "cube", "octahedron",
                                                                          "truncated_octahedron")),
        "diameter_nm": F("float", 8.0, "particle diameter (edge for cubes, vertex to vertex for a truncated "
                         "octahedron) in nm (derived bound: a 25 nm equivalent-sphere truncated octahedron, the top of "
                         "the 10–25 nm heating range, is 38.1 nm vertex to vertex)", lo=1.0, hi=40.0),
        "surface_depth_nm": F("float", 0.5, "thickness of the labelled surface shell in nm (surface anisotropy "
                              "acts there; derived: about half a spinel cell, a = 0.8396 nm)",
                              lo=0.0, hi=5.0, lo_open=True),
        "kind": F("str", "particle", "particle = one crystal of structure.shape and structure.diameter_nm "
                  "(build_particle); multicore = a nanoflower of structure.multicore.n_cores spherical crystallites "
                  "joined by grain boundaries (build_multicore; structure.shape and structure.diameter_nm are then "
                  "not used: the row's diameter_nm is the aggregate's envelope)", choices=("particle", "multicore")),
        "multicore": {
            "n_cores": F("int", 7, "cores of the multi-core particle (nanoflowers: a few to tens of crystallites, "
                         "Lartigue et al., ACS Nano 6, 10935 (2012): multi-core maghemite particles, abstract read; the "
                         "number of cores is not in it [U])", lo=3, hi=30),
            "core_diameter_nm": F("float", 8.0, "median core diameter in nm", lo=1.0, hi=30.0),
            "size_dispersion": F("float", 0.1, "log-normal sigma of the core diameters (0 = equal cores)",
                                 lo=0.0, hi=1.0),
            "overlap": F("float", 0.2, "fractional interpenetration of touching cores (sintered necks): centre "
                         "distance (r_i + r_j)(1 - overlap)", lo=0.0, hi=0.5),
            "misorientation_deg": F("float", 5.0, "sigma of the core misorientation about random axes, degrees "
                                    "(small: oriented attachment; 0: one continuous crystal); ignored when "
                                    "random_orientations = true", lo=0.0, hi=180.0),
            "random_orientations": F("bool", False, "uniformly random core orientations instead of "
                                     "misorientation_deg"),
            "decouple": F("bool", False, "cut the exchange across every grain boundary (J = 0 between spins of "
                          "different cores; dipolar and anisotropy kept: atomspin.measure.decouple_grains), the "
                          "independent-core control"),
        },
    },
    "defects": {
        "vacancies": {
            "delta": F("float", 0.0, "cation-vacancy parameter δ of Fe(3-δ)O4: 0 = magnetite, "
                       "1/3 = maghemite ((Fe3+)8[Fe3+(40/3)□(8/3)]O32 per spinel cell)",
                       lo=0.0, hi=1.0 / 3.0 + 1e-12, hi_text="1/3"),
            "mode": F("str", "random", "where the B-site vacancies go: random, radial (a vacancy-rich shell, "
                      "Lappas et al., PRX 9, 041044 (2019)), clustered, ordered (random sites of the cubic "
                      "maghemite vacancy sublattice, P4_332 Wyckoff 4b: van Oosterhout & Rooijmans, Nature 181, 44 "
                      "(1958)) or gradient (density ∝ exp(−depth/shell_nm), rising toward the surface): "
                      "structures.add_vacancies", choices=("random", "radial", "clustered", "ordered", "gradient")),
            "shell_nm": F("float", 1.0, "shell thickness for mode = radial, e-folding depth for mode = gradient, nm "
                          "(default: the 1 nm vacancy-rich shell of Lappas et al. 2019)", lo=0.0, hi=15.0,
                          lo_open=True),
            # the default is the Python API's (structures.add_vacancies): random B Fe — above the Verwey temperature
            # (≈ 120 K) B-site Fe2+/Fe3+ are not ordered, so a vacancy has no valence to prefer; fe2_first puts the
            # vacancies on the builder's Verwey-ordered Fe2+ layers, a low-temperature (< 120 K) order
            "removal": F("str", "random", "which B Fe a vacancy removes: random (B Fe of either valence: no order, "
                         "the choice above the Verwey temperature ≈ 120 K, Walz, J. Phys.: Condens. Matter 14, R285 "
                         "(2002)) or fe2_first (the Fe2+ of the builder's Verwey-ordered B sites: the vacancies "
                         "inherit that layered order, a low-temperature choice)",
                         choices=("random", "fe2_first")),
        },
        "apb": {
            "enabled": F("bool", False, "insert one antiphase boundary through the particle"),
            "plane": F("list[int]", [1, 1, 0], "Miller indices of the APB plane "
                       "({110}: McKenna et al., Nat. Commun. 5, 5740 (2014))", lo=-4, hi=4, length=3),
            "offset_nm": F("float", 0.0, "distance of the APB plane from the particle centre in nm (with count "
                           "= 2: of the midplane between the two APBs)", lo=-15.0, hi=15.0),
            "count": F("int", 1, "number of parallel APBs of defects.apb.plane inserted when defects.apb.enabled "
                       "(0 = none, as enabled = false; 2 = two parallel boundaries defects.apb.spacing_nm apart, "
                       "each with the default shift of insert_apb)", lo=0, hi=2),
            "spacing_nm": F("float", 6.0, "distance between the two APBs of count = 2, in nm, centred on "
                            "defects.apb.offset_nm (derived: half the 12.1 nm equivalent diameter of the demo "
                            "particle, i.e. three slabs of similar thickness; at least 1 nm, about two "
                            "insert_apb zones of 0.5 nm, so that the two disturbed zones do not overlap)",
                            lo=1.0, hi=30.0),
        },
        "core_shell": {
            "enabled": F("bool", False, "replace the centre of the spinel particle by a rock-salt core "
                         "(atomspin.structures.core_shell: cube-on-cube on the shared O sublattice, the interface "
                         "cations removed and charge-compensated): the Fe(1-x)O/Fe(3-δ)O4 core-shell particles of "
                         "thermal-decomposition syntheses (Lappas et al., PRX 9, 041044 (2019); Lak et al., "
                         "Adv. Sci. 8, 2002682 (2021))"),
            "core_phase": F("str", "FeO", "phase of the core (the builder supports wüstite only)", choices=("FeO",)),
            "core_diameter_nm": F("float", 4.0, "core size in nm on the scale of structure.diameter_nm (the "
                                  "particle's own shape scaled by core_diameter_nm / diameter_nm about its centre, "
                                  "so the particle keeps its size; below diameter_nm) (derived: half the default "
                                  "8 nm particle, core volume fraction 1/8)", lo=0.0, hi=30.0, lo_open=True),
        },
        "dopant": {
            "element": F("str", "Zn", "2+ ion substituted for Fe (atomspin.structures.dope; spin-only moments "
                         "Zn 0, Mn 5, Co 3, Ni 2 μB)", choices=("Zn", "Mn", "Co", "Ni")),
            "fraction": F("float", 0.0, "x of M_x Fe(3-x) O4: dopants per formula unit (0 = undoped; Zn-substituted "
                          "magnetite for hyperthermia: x = 0-0.4, Hadadian et al., Sci. Rep. 9, 18048 (2019))",
                          lo=0.0, hi=1.0),
            "site": F("str", "default", "sublattice of the dopants: default = the builder's per element "
                      "(Zn -> tetrahedral A: ZnFe2O4 is an almost normal spinel, inversion 0.02 ± 0.02 quenched from "
                      "500 °C by XRD, O'Neill, Eur. J. Mineral. 4, 571 (1992); Co, Ni -> B (inverse ferrites); Mn -> "
                      "81 % A, Hastings & Corliss, Phys. Rev. 104, 328 (1956)), or A or B for all of them",
                      choices=("default", "A", "B")),
        },
    },
    "model": {
        "params": F("str", "auto", "parameter set shipped in atomspin/model/params (magnetite, maghemite, "
                    "…), or auto = the default set of the phase (SpinModel.from_atoms)"),
        "dipolar": F("bool", True, "include the magnetostatic point-dipole interaction (exact: pair sum up to "
                     "1000 spins, lattice FFT above; SpinModel.from_atoms)"),
        "anisotropy_reference_K": F("float", 300.0, "temperature in K at which the model's bulk anisotropy "
                                    "equals the set's K1, K2 (derived: the shipped K1 are room-temperature "
                                    "values, and classical MC reduces single-ion cubic anisotropy as m^10, "
                                    "Callen-Callen); 0 = use K1, K2 as T = 0 per-site constants",
                                    lo=0.0, hi=500.0),
        "surface_anisotropy": F("str", "default", "Néel pair anisotropy on every cation whose bonds differ from "
                                "the bulk ones (surfaces, vacancy neighbours, APBs, interfaces): default = the "
                                "parameter set's measured surface constant K_s (magnetite: [surface_anisotropy] of "
                                "atomspin/model/params/magnetite.toml, with its sources), as SpinModel.from_atoms; "
                                "given = model.neel_ks_meV per bond; off = none",
                                choices=("default", "given", "off")),
        "neel_ks_meV": F("float", 0.0, "Néel pair constant per changed bond in meV, used when "
                         "model.surface_anisotropy = given (derived: K_s = k_s b / 2 on a facet of b bonds per Å², "
                         "atomspin.model.anisotropy.neel_ks_from_surface_constant)", lo=-10.0, hi=10.0),
        "apb_exchange": F("str", "default", "180° B–O–B coupling across antiphase boundaries (pair class BB180): "
                          "default = the parameter set's value (magnetite: −9.49 meV, derived by the cos² rule from "
                          "J_AB, documented range [−11.04, −2.92] meV in atomspin/model/params/magnetite.toml with "
                          "its sources), given = model.J_BB180_meV (the sensitivity sweep of that range)",
                          choices=("default", "given")),
        "J_BB180_meV": F("float", -9.49, "J of the BB180 class in meV in the parameter set's literature convention "
                         "(−2J, classical S: SpinModel.from_atoms(exchange=...)), used when model.apb_exchange = "
                         "given (default: magnetite.toml's value, derived there)", lo=-30.0, hi=30.0),
        # FeO/spinel interface couplings: no measured or DFT value exists; atomspin/model/params/interface.toml
        # derives the defaults and documents the ranges (the sensitivity sweep of issue 15); keys added after
        # databases were stored, so hash-neutral at their defaults
        "interface_exchange": F("str", "default", "couplings of the FeO/spinel interface links (pair classes RB180, "
                                "RB, RA of atomspin/model/params/interface.toml): default = that set's values "
                                "(derived there; no measured value exists, documented ranges RB180 [−9.49, −1.4775], "
                                "RB [0, 0.24], RA [−2.92, −1.46] meV), given = model.J_RB180_meV, model.J_RB_meV, "
                                "model.J_RA_meV", choices=("default", "given"), hash_neutral=True),
        "J_RB180_meV": F("float", -1.4775, "J of the R–O–B 180° interface class in meV (interface.toml's convention: "
                         "−2J, classical S), used when model.interface_exchange = given (default: the FeO J2 per "
                         "spin product, derived in interface.toml)", lo=-30.0, hi=30.0, hash_neutral=True),
        "J_RB_meV": F("float", 0.0, "J of the R–O–B 90° interface class in meV (−2J, classical S), used when "
                      "model.interface_exchange = given (default: the FeO J1, derived in interface.toml)",
                      lo=-30.0, hi=30.0, hash_neutral=True),
        "J_RA_meV": F("float", -2.92, "J of the R–O–A (~125°) interface class in meV (−2J, classical S), used when "
                      "model.interface_exchange = given (default: the spinel A–O–B value, Uhl & Siberchicot 1995, "
                      "as interface.toml)", lo=-30.0, hi=30.0, hash_neutral=True),
    },
    "protocol": {
        "steps": F("list[str]", ["structure"], "steps to run, executed in the order "
                   + " → ".join(STEPS), choices=STEPS, min_len=1),
        "T_K": F("float", 300.0, "temperature of the disorder, loop, kv and sar steps in K (derived: room / "
                 "body temperature); the sar step needs it above 0", lo=0.0, hi=2000.0, usual=(100.0, 2000.0),
                 usual_hint="temperatures are in kelvin: 27 °C is 300 K"),
        # one table per study step, declared by the step (atomspin.batch.steps.<name>.SCHEMA)
        **{name: dict(st.schema) for name, st in REGISTRY.items() if st.schema},
    },
    "sweep": {
        "seeds": F("list[int]", [1], "one task per seed (and per variant and axis point)",
                   lo=0, hi=2**32 - 1, min_len=1),
        # "axes" (table: key path -> list of values) and "variants" (array of tables) are validated below
    },
}
del F

_SWEEP_SPECIAL = ("axes", "variants")


# ---------------------------------------------------------------------------------------------------------
def hash_neutral_paths() -> dict:
    """``{dotted path: default}`` of the keys marked ``hash_neutral`` (left out of the task hash at their
    default: :func:`atomspin.batch.tasks.task_hash`)."""
    out = {}

    def walk(table, prefix):
        for k, v in table.items():
            if isinstance(v, Field):
                if v.hash_neutral:
                    out[prefix + k] = v.default
            elif isinstance(v, dict):
                walk(v, prefix + k + ".")

    walk(SCHEMA, "")
    return out


def field_at(path: str) -> Field:
    """The :class:`Field` at a dotted key path, or :class:`RecipeError` if there is none."""
    node: Any = SCHEMA
    parts = path.split(".")
    for i, p in enumerate(parts):
        if not isinstance(node, dict) or p not in node:
            where = ".".join(parts[:i]) or "recipe"
            allowed = ", ".join(sorted(node)) if isinstance(node, dict) else "none"
            raise RecipeError(path, f"unknown key (allowed in {where}: {allowed})")
        node = node[p]
    if not isinstance(node, Field):
        raise RecipeError(path, "is a table, not a value")
    return node


def get_path(d: dict, path: str):
    for p in path.split("."):
        d = d[p]
    return d


def set_path(d: dict, path: str, value) -> None:
    parts = path.split(".")
    for p in parts[:-1]:
        d = d.setdefault(p, {})
    d[parts[-1]] = value


_BARE = __import__("re").compile(r"^[A-Za-z0-9_-]+$")
_BARE_DOTTED = __import__("re").compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$")


def _k(key) -> str:
    """A key as it appears in a key path: bare if TOML allows it bare, else quoted."""
    key = str(key)
    return key if _BARE.fullmatch(key) else repr(key if len(key) <= 30 else key[:27] + "...")


def _kp(path) -> str:
    """A dotted path (from sweep tables) as it appears in a message."""
    path = str(path)
    return path if _BARE_DOTTED.fullmatch(path) else repr(path if len(path) <= 30 else path[:27] + "...")


def _short(v) -> str:
    if isinstance(v, str) and len(v) > 37:
        return repr(v[:34] + "...")
    s = repr(v)
    return s if len(s) <= 40 else s[:37] + "..."


def _type_name(v) -> str:
    return {bool: "boolean", int: "integer", float: "float", str: "string", list: "array",
            dict: "table"}.get(type(v), type(v).__name__)


def _check_number(path: str, f: Field, v, kind: str):
    if kind == "int":
        if isinstance(v, bool) or not isinstance(v, int):
            raise RecipeError(path, f"expected an integer, got {_type_name(v)} {_short(v)}")
    else:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise RecipeError(path, f"expected a number, got {_type_name(v)} {_short(v)}")
        if not math.isfinite(v):
            raise RecipeError(path, f"{_short(v)} is not a finite number")
        v = float(v)
    bad = ((f.lo is not None and (v < f.lo or (f.lo_open and v == f.lo)))
           or (f.hi is not None and (v > f.hi or (f.hi_open and v == f.hi))))
    if bad:
        raise RecipeError(path, f"{_num(v)} is outside {f.range_text()}")
    return v


def _check_usual(path: str, f: Field, v) -> None:
    """Warn (:class:`RecipeWarning`) about a legal value outside the range studies normally use."""
    if f.usual is None:
        return
    lo, hi = f.usual
    if not (lo <= v <= hi):
        import warnings

        hint = f"; {f.usual_hint}" if f.usual_hint else ""
        warnings.warn(RecipeWarning(f"{path}: {_num(v)} is outside the usual range [{_num(lo)}, {_num(hi)}]"
                                    f"{hint} (a unit slip?)"), stacklevel=3)


def check_value(path: str, f: Field, v):
    """Check one value against its field; return it normalised (ints become floats for float fields)."""
    if f.kind in ("float", "int"):
        v = _check_number(path, f, v, f.kind)
        _check_usual(path, f, v)
        return v
    if f.kind == "bool":
        if not isinstance(v, bool):
            raise RecipeError(path, f"expected true or false, got {_type_name(v)} {_short(v)}")
        return v
    if f.kind == "str":
        if not isinstance(v, str):
            raise RecipeError(path, f"expected a string, got {_type_name(v)} {_short(v)}")
        if f.choices is not None and v not in f.choices:
            raise RecipeError(path, f"{v!r} is not one of {', '.join(map(str, f.choices))}")
        if f.choices is None and (len(v) > 200 or any(ord(c) < 32 for c in v)):
            raise RecipeError(path, "must be one line of at most 200 characters")
        return v
    if f.kind.startswith("list["):
        item = f.kind[5:-1]
        if not isinstance(v, list):
            raise RecipeError(path, f"expected an array of {item}s, got {_type_name(v)} {_short(v)}")
        if f.length is not None and len(v) != f.length:
            raise RecipeError(path, f"expected {f.length} values, got {len(v)}")
        if len(v) < f.min_len:
            raise RecipeError(path, f"expected at least {f.min_len} value(s), got {len(v)}")
        out = []
        for i, x in enumerate(v):
            p = f"{path}[{i}]"
            if item == "str":
                if not isinstance(x, str):
                    raise RecipeError(p, f"expected a string, got {_type_name(x)} {_short(x)}")
                if f.choices is not None and x not in f.choices:
                    raise RecipeError(p, f"{x!r} is not one of {', '.join(f.choices)}")
                out.append(x)
            else:
                out.append(_check_number(p, f, x, item))
        if item == "str" and len(set(out)) != len(out):
            raise RecipeError(path, "contains duplicates")
        return out
    raise AssertionError(f"schema kind {f.kind}")  # pragma: no cover - schema is static


def _check_table(prefix: str, schema: dict, data, out: dict) -> None:
    if not isinstance(data, dict):
        raise RecipeError(prefix or "recipe", f"expected a table, got {_type_name(data)} {_short(data)}")
    for key, value in data.items():
        path = f"{prefix}.{_k(key)}" if prefix else _k(key)
        if prefix == "sweep" and key in _SWEEP_SPECIAL:
            continue
        if key not in schema:
            allowed = ", ".join(sorted(list(schema) + (list(_SWEEP_SPECIAL) if prefix == "sweep" else [])))
            raise RecipeError(path, f"unknown key (allowed: {allowed})")
        sub = schema[key]
        if isinstance(sub, dict):
            _check_table(path, sub, value, out.setdefault(key, {}))
        else:
            out[key] = check_value(path, sub, value)


def _defaults(schema: dict) -> dict:
    return {k: (_defaults(v) if isinstance(v, dict) else copy.deepcopy(v.default)) for k, v in schema.items()}


def _cross_checks(r: dict, prefix: str = "") -> None:
    """Constraints between keys (checked on a fully resolved recipe)."""
    p = prefix
    if r["defects"]["apb"]["enabled"]:
        if r["structure"]["phase"] == "FeO":
            raise RecipeError(f"{p}defects.apb.enabled", "an APB needs a spinel phase "
                              "(structure.phase is FeO)")
        if all(h == 0 for h in r["defects"]["apb"]["plane"]):
            raise RecipeError(f"{p}defects.apb.plane", "[0, 0, 0] is not a plane")
        if abs(r["defects"]["apb"]["offset_nm"]) >= r["structure"]["diameter_nm"] / 2:
            raise RecipeError(f"{p}defects.apb.offset_nm", f"{_num(r['defects']['apb']['offset_nm'])} nm puts "
                              f"the plane outside the particle (|offset| < diameter_nm/2 = "
                              f"{_num(r['structure']['diameter_nm'] / 2)})")
    _defect_checks(r, p)
    if r["structure"]["kind"] == "multicore":
        _multicore_checks(r, p)
    if r["defects"]["vacancies"]["delta"] > 0 and r["structure"]["phase"] == "gamma-Fe2O3":
        raise RecipeError(f"{p}defects.vacancies.delta", "maghemite already has δ = 1/3; "
                          "use structure.phase = Fe3O4 to add vacancies")
    params = r["model"]["params"]
    if params != "auto":
        names = _parameter_sets()
        if names is not None and params not in names:
            raise RecipeError(f"{p}model.params", f"{params!r} is not one of auto, {', '.join(names)}")
    if r["model"]["dipolar"]:
        problem = _dipolar_problem(r)
        if problem:
            raise RecipeError(f"{p}model.dipolar", problem)
    for st in REGISTRY.values():  # each study step's own constraints
        if st.check is not None:
            try:
                st.check(r)
            except RecipeError as err:
                raise RecipeError(f"{p}{err.path}", str(err).split(": ", 1)[1]) from None
    steps = r["protocol"]["steps"]
    if "structure" not in steps:
        raise RecipeError(f"{p}protocol.steps", "'structure' is needed: every other step works on the particle")
    for name in steps:
        st = REGISTRY[name]
        missing = [q for q in st.requires if q not in steps]
        if missing:
            raise RecipeError(f"{p}protocol.steps", f"{name!r} needs {' and '.join(map(repr, missing))} in the steps")
        if st.requires_any and not any(q in steps for q in st.requires_any):
            raise RecipeError(f"{p}protocol.steps",
                              f"{name!r} needs {' or '.join(map(repr, st.requires_any))} in the steps")


def _defect_checks(r: dict, p: str) -> None:
    """Constraints of the second APB, the core-shell and the dopant keys (before any work)."""
    st, de = r["structure"], r["defects"]
    apb, cs, dop = de["apb"], de["core_shell"], de["dopant"]
    half = st["diameter_nm"] / 2
    if apb["enabled"] and apb["count"] == 2:
        outer = abs(apb["offset_nm"]) + apb["spacing_nm"] / 2
        if outer >= half:
            raise RecipeError(f"{p}defects.apb.spacing_nm", f"{_num(apb['spacing_nm'])} nm puts an APB outside the "
                              f"particle (|offset_nm| + spacing_nm/2 = {_num(outer)} must be below diameter_nm/2 = "
                              f"{_num(half)})")
        if "disorder" in r["protocol"]["steps"]:
            raise RecipeError(f"{p}defects.apb.count", "2 is not supported with the disorder step (its canting "
                              "profile is measured about one APB plane): use count = 1 or drop 'disorder'")
    spinel = st["phase"] in ("Fe3O4", "gamma-Fe2O3")
    if cs["enabled"]:
        if not spinel:
            raise RecipeError(f"{p}defects.core_shell.enabled", f"a core-shell particle needs a spinel shell "
                              f"(structure.phase is {st['phase']}; allowed: Fe3O4, gamma-Fe2O3)")
        if st["kind"] == "multicore":
            raise RecipeError(f"{p}defects.core_shell.enabled", "a core-shell multi-core particle is not supported "
                              "(structure.kind is multicore); set it false")
        if cs["core_diameter_nm"] >= st["diameter_nm"]:
            raise RecipeError(f"{p}defects.core_shell.core_diameter_nm", f"{_num(cs['core_diameter_nm'])} nm is "
                              f"outside (0, {_num(st['diameter_nm'])}): the core must be smaller than the particle "
                              f"(structure.diameter_nm; a particle of the core phase alone is structure.phase = FeO)")
    if dop["fraction"] > 0:
        if not spinel:
            raise RecipeError(f"{p}defects.dopant.fraction", f"dopants substitute on the spinel A/B sites "
                              f"(structure.phase is {st['phase']}; allowed: Fe3O4, gamma-Fe2O3)")
        if st["kind"] == "multicore":
            raise RecipeError(f"{p}defects.dopant.fraction", "a doped multi-core particle is not supported "
                              "(structure.kind is multicore); set it 0")


def _multicore_checks(r: dict, p: str) -> None:
    """Constraints of structure.kind = multicore (before any work)."""
    if r["defects"]["apb"]["enabled"]:
        raise RecipeError(f"{p}defects.apb.enabled", "an APB through a multi-core particle is not supported "
                          "(structure.kind is multicore); set it false")
    # misoriented cores lie on no common lattice: the model takes the exact pair sum up to 10,000 spins and the
    # grain method (exact within each core, multipoles between distant cores) above, so no size limit here


def _dipolar_problem(r: dict):
    """Why the model would refuse this recipe's dipolar tensor (before minutes of building), or None."""
    try:
        from atomspin.batch.resources import dipolar_limit_problem
        return dipolar_limit_problem(r)
    except ImportError:  # structure or model layer not importable: the model says so when the step runs
        return None


@functools.lru_cache(maxsize=1)
def _parameter_sets():
    """Names of the shipped parameter sets, or None when the model layer cannot be imported."""
    try:
        from atomspin.model.parameters import available_parameter_sets
        return tuple(available_parameter_sets())
    except Exception:  # noqa: BLE001 - model layer not importable: checked when the step runs
        return None


def resolve(overrides: dict) -> dict:
    """Defaults of :data:`SCHEMA` updated with a validated partial recipe (without ``sweep``)."""
    r = _defaults({k: v for k, v in SCHEMA.items() if k != "sweep"})

    def merge(dst, src):
        for k, v in src.items():
            if isinstance(v, dict) and isinstance(dst.get(k), dict):
                merge(dst[k], v)
            else:
                dst[k] = copy.deepcopy(v)

    merge(r, {k: v for k, v in overrides.items() if k != "sweep"})
    return r


def validate_recipe(recipe) -> dict:
    """Validate a whole recipe and return it normalised.

    Parameters
    ----------
    recipe : dict
        The parsed TOML document.

    Returns
    -------
    dict
        ``{"base": resolved recipe (every key, defaults filled), "seeds": [...],
        "axes": {path: [values]}, "variants": [{"name": str, "overrides": {path: value}}]}``.

    Raises
    ------
    RecipeError
        On the first unknown key, wrong type or out-of-range value; the message names the key path.
    """
    if not isinstance(recipe, dict):
        raise RecipeError("recipe", f"expected a table, got {_type_name(recipe)}")
    checked: dict = {}
    _check_table("", SCHEMA, recipe, checked)
    base = resolve(checked)
    _cross_checks(base)
    sweep = recipe.get("sweep", {})
    seeds = checked.get("sweep", {}).get("seeds", list(SCHEMA["sweep"]["seeds"].default))
    if len(set(seeds)) != len(seeds):
        raise RecipeError("sweep.seeds", "contains duplicates")

    axes: dict = {}
    raw_axes = sweep.get("axes", {})
    if not isinstance(raw_axes, dict):
        raise RecipeError("sweep.axes", f"expected a table of key path = [values], got {_type_name(raw_axes)}")
    for path, values in _flatten(raw_axes, "sweep.axes").items():
        f = _sweepable(f"sweep.axes.{_kp(path)}", path)
        if not isinstance(values, list) or not values:
            raise RecipeError(f"sweep.axes.{path}", "expected a non-empty array of values")
        axes[path] = [check_value(f"sweep.axes.{path}[{i}]", f, v) for i, v in enumerate(values)]
        if len({repr(v) for v in axes[path]}) != len(axes[path]):
            raise RecipeError(f"sweep.axes.{path}", "contains duplicates")

    variants = []
    raw_var = sweep.get("variants", [])
    if not isinstance(raw_var, list) or not all(isinstance(v, dict) for v in raw_var):
        raise RecipeError("sweep.variants", "expected an array of tables ([[sweep.variants]])")
    names = set()
    for i, var in enumerate(raw_var):
        vp = f"sweep.variants[{i}]"
        name = var.get("name", f"variant{i}")
        if not isinstance(name, str) or not name or len(name) > 80 or any(ord(c) < 32 for c in name):
            raise RecipeError(f"{vp}.name", f"expected a one-line string of 1-80 characters, got {_short(name)}")
        if name in names:
            raise RecipeError(f"{vp}.name", f"{name!r} is used twice")
        names.add(name)
        body = {k: v for k, v in var.items() if k != "name"}
        over = {}
        for path, value in _flatten(body, vp).items():
            f = _sweepable(f"{vp}.{_kp(path)}", path)
            if path in axes:
                raise RecipeError(f"{vp}.{path}", "is also a sweep axis")
            over[path] = check_value(f"{vp}.{path}", f, value)
        variants.append({"name": name, "overrides": over})
    if not variants:
        variants = [{"name": base["meta"]["name"], "overrides": {}}]
    # each combination must pass the cross checks too
    for var in variants:
        for point in _grid(axes):
            r = copy.deepcopy(base)
            for path, value in {**var["overrides"], **point}.items():
                set_path(r, path, value)
            where = f"sweep (variant {var['name']!r}{', ' + _point_text(point) if point else ''}): "
            try:
                _cross_checks(r)
            except RecipeError as err:
                raise RecipeError(err.path, where + str(err).split(": ", 1)[1]) from None
    return {"base": base, "seeds": seeds, "axes": axes, "variants": variants}


def _point_text(point: dict) -> str:
    return ", ".join(f"{k}={_num(v)}" for k, v in point.items())


def _grid(axes: dict):
    import itertools
    keys = list(axes)
    for combo in itertools.product(*(axes[k] for k in keys)):
        yield dict(zip(keys, combo))


def _flatten(d: dict, where: str) -> dict:
    """Accept both ``"a.b" = v`` and nested ``[a] b = v`` forms; return {dotted path: leaf}."""
    out = {}

    def rec(prefix, node):
        for k, v in node.items():
            path = f"{prefix}.{k}" if prefix else str(k)
            if isinstance(v, dict):
                if not v:
                    raise RecipeError(f"{where}.{_kp(path)}", "empty table")
                rec(path, v)
            else:
                out[path] = v

    rec("", d)
    return out


def _sweepable(where: str, path: str) -> Field:
    try:
        f = field_at(path)
    except RecipeError as err:
        raise RecipeError(where, str(err).split(": ", 1)[1]) from None
    if path.startswith(("meta.", "sweep.")):
        raise RecipeError(where, "meta and sweep keys cannot be swept")
    return f


def schema_doc() -> str:
    """Human-readable listing of every recipe key with type, range, default and doc."""
    lines = []

    def rec(prefix, node):
        for k, v in node.items():
            path = f"{prefix}.{k}" if prefix else k
            if isinstance(v, dict):
                lines.append(f"[{path}]")
                rec(path, v)
            else:
                rng = ""
                if v.choices:
                    rng = " one of " + ", ".join(v.choices)
                elif v.lo is not None or v.hi is not None:
                    rng = " in " + v.range_text()
                lines.append(f"  {path} ({v.kind}{rng}) = {v.default!r}: {v.doc}")

    rec("", SCHEMA)
    lines.append("  sweep.axes: table of key path = [values]; one task per grid point")
    lines.append("  sweep.variants: array of tables {name = ..., <key path or nested tables> = value}")
    lines.append("study steps (protocol.steps), in the order they run:")
    for name, st in REGISTRY.items():
        lines.append(f"  {name}: {st.doc}")
    return "\n".join(lines)

