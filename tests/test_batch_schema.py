"""Recipe schema, validation messages, task expansion and identity, shipped recipes, fuzzing."""
import copy
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atomspin.batch import RecipeError, expand, validate_recipe
from atomspin.batch.defaults import DEMO_RECIPE, demo_recipe, to_toml
from atomspin.batch.tasks import task_hash
from atomspin.batch.recipe import load_recipe, parse_recipe
from atomspin.batch.schema import SCHEMA, Field, field_at, get_path
from atomspin.batch.tasks import derived_seed

ROOT = Path(__file__).resolve().parents[1]
RECIPES = sorted((ROOT / "structures" / "recipes").glob("*.toml"))
# one line, starting with a key path (dotted names, [i] indices) or a file name, then ": "
ONE_LINE = re.compile(r"^([A-Za-z0-9_./\-\[\]]|'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")+: [^\n]+$")


def _err(recipe) -> str:
    with pytest.raises(RecipeError) as info:
        validate_recipe(recipe)
    msg = str(info.value)
    assert "\n" not in msg
    return msg


# --- exact messages ----------------------------------------------------------------------------------------
def test_issue_example_message():
    assert _err({"defects": {"vacancies": {"delta": 0.5}}}) == "defects.vacancies.delta: 0.5 is outside [0, 1/3]"


@pytest.mark.parametrize("recipe, expected", [
    ({"structure": {"colour": "red"}},
     "structure.colour: unknown key (allowed: diameter_nm, kind, multicore, phase, shape, surface_depth_nm)"),
    ({"structure": {"diameter_nm": "8"}}, "structure.diameter_nm: expected a number, got string '8'"),
    ({"structure": {"diameter_nm": True}}, "structure.diameter_nm: expected a number, got boolean True"),
    ({"structure": {"diameter_nm": 0.5}}, "structure.diameter_nm: 0.5 is outside [1, 40]"),
    ({"structure": {"phase": "Fe2O3"}}, "structure.phase: 'Fe2O3' is not one of Fe3O4, gamma-Fe2O3, FeO"),
    ({"protocol": {"loop": {"n_fields": 4.0}}}, "protocol.loop.n_fields: expected an integer, got float 4.0"),
    ({"protocol": {"loop": {"B_max_T": 0.0}}}, "protocol.loop.B_max_T: 0 is outside (0, 50]"),
    ({"protocol": {"steps": ["structure", "tea"]}},
     "protocol.steps[1]: 'tea' is not one of structure, tc, disorder, loop, kv, landscape, sar, mpi, mri"),
    ({"defects": {"apb": {"plane": [1, 1]}}}, "defects.apb.plane: expected 3 values, got 2"),
    ({"defects": "none"}, "defects: expected a table, got string 'none'"),
    ({"sweep": {"seeds": [1, -1]}}, "sweep.seeds[1]: -1 is outside [0, 4294967295]"),
    ({"sweep": {"axes": {"structure.size": [1.0]}}},
     "sweep.axes.structure.size: unknown key (allowed in structure: diameter_nm, kind, multicore, phase, shape, surface_depth_nm)"),
    ({"sweep": {"axes": {"defects.vacancies.delta": [0.1, 0.4]}}},
     "sweep.axes.defects.vacancies.delta[1]: 0.4 is outside [0, 1/3]"),
    ({"sweep": {"variants": [{"name": "a", "defects": {"vacancies": {"delta": -0.1}}}]}},
     "sweep.variants[0].defects.vacancies.delta: -0.1 is outside [0, 1/3]"),
    ({"protocol": {"tc": {"T_min_K": 900.0, "T_max_K": 800.0}}},
     "protocol.tc.T_max_K: 800 must be above protocol.tc.T_min_K = 900"),
    ({"protocol": {"kv": {"plane_normal": [0.0, 0.0, 1.0]}}},
     "protocol.kv.plane_normal: [0.0, 0.0, 1.0] is not perpendicular to kv.easy_axis [1.0, 1.0, 1.0]"),
    ({"structure": {"phase": "FeO"}, "defects": {"apb": {"enabled": True}}},
     "defects.apb.enabled: an APB needs a spinel phase (structure.phase is FeO)"),
    ({"protocol": {"steps": ["loop"]}},
     "protocol.steps: 'structure' is needed: every other step works on the particle"),
    ({"protocol": {"steps": ["structure", "sar"]}}, "protocol.steps: 'sar' needs 'loop' or 'kv' or 'landscape' in the steps"),
    ({"protocol": {"kv": {"easy_axis": [0, 0, 0]}}}, "protocol.kv.easy_axis: [0, 0, 0] is not a direction"),
    ({"structure": {"diameter_nm": 1.0}, "protocol": {"T_K": math.inf}},
     "protocol.T_K: inf is not a finite number"),
])
def test_messages(recipe, expected):
    assert _err(recipe) == expected


def test_unknown_parameter_set():
    from atomspin.model.parameters import available_parameter_sets
    assert _err({"model": {"params": "hematite"}}) == (
        "model.params: 'hematite' is not one of auto, " + ", ".join(available_parameter_sets()))
    validate_recipe({"model": {"params": available_parameter_sets()[0]}})


def test_cross_check_inside_sweep_names_variant():
    msg = _err({"structure": {"diameter_nm": 4.0},
                "sweep": {"variants": [{"name": "off", "defects.apb.enabled": True, "defects.apb.offset_nm": 3.0}]}})
    assert msg.startswith("defects.apb.offset_nm: sweep (variant 'off'): 3 nm puts the plane outside")


def test_delta_one_third_allowed():
    validate_recipe({"defects": {"vacancies": {"delta": 1 / 3}}})
    validate_recipe({"defects": {"vacancies": {"delta": 0}}})  # int accepted for float fields


def test_defaults_fill_every_key_and_ints_become_floats():
    v = validate_recipe({"structure": {"diameter_nm": 5}})
    assert v["base"]["structure"]["diameter_nm"] == 5.0 and isinstance(v["base"]["structure"]["diameter_nm"], float)

    def walk(schema, prefix=""):
        for k, f in schema.items():
            p = f"{prefix}.{k}" if prefix else k
            if isinstance(f, dict):
                yield from walk(f, p)
            else:
                yield p, f
    for path, f in walk({k: v for k, v in SCHEMA.items() if k != "sweep"}):
        value = get_path(v["base"], path)
        if path != "structure.diameter_nm":
            assert value == f.default, path


def test_every_field_documented_and_defaults_valid():
    def walk(schema, prefix=""):
        for k, f in schema.items():
            p = f"{prefix}.{k}" if prefix else k
            if isinstance(f, dict):
                yield from walk(f, p)
            else:
                yield p, f
    for path, f in walk(SCHEMA):
        assert isinstance(f, Field) and f.doc, path
        assert field_at(path) is f


# --- the defect keys of issue #15: a second APB, an FeO core, dopants ----------------------------------------
@pytest.mark.parametrize("recipe, expected", [
    ({"defects": {"apb": {"count": 3}}}, "defects.apb.count: 3 is outside [0, 2]"),
    ({"defects": {"apb": {"count": 1.0}}}, "defects.apb.count: expected an integer, got float 1.0"),
    ({"defects": {"apb": {"spacing_nm": 0.5}}}, "defects.apb.spacing_nm: 0.5 is outside [1, 30]"),
    ({"structure": {"diameter_nm": 8.0}, "defects": {"apb": {"enabled": True, "count": 2, "spacing_nm": 6.0,
                                                             "offset_nm": 1.5}}},
     "defects.apb.spacing_nm: 6 nm puts an APB outside the particle (|offset_nm| + spacing_nm/2 = 4.5 must be "
     "below diameter_nm/2 = 4)"),
    ({"defects": {"apb": {"enabled": True, "count": 2, "spacing_nm": 2.0}},
      "protocol": {"steps": ["structure", "disorder"]}},
     "defects.apb.count: 2 is not supported with the disorder step (its canting profile is measured about one APB "
     "plane): use count = 1 or drop 'disorder'"),
    ({"defects": {"core_shell": {"core_phase": "Fe"}}}, "defects.core_shell.core_phase: 'Fe' is not one of FeO"),
    ({"defects": {"core_shell": {"core_diameter_nm": 0.0}}}, "defects.core_shell.core_diameter_nm: 0 is outside (0, 30]"),
    ({"structure": {"diameter_nm": 8.0}, "defects": {"core_shell": {"enabled": True, "core_diameter_nm": 8.0}}},
     "defects.core_shell.core_diameter_nm: 8 nm is outside (0, 8): the core must be smaller than the particle "
     "(structure.diameter_nm; a particle of the core phase alone is structure.phase = FeO)"),
    ({"structure": {"phase": "FeO"}, "defects": {"core_shell": {"enabled": True}}},
     "defects.core_shell.enabled: a core-shell particle needs a spinel shell (structure.phase is FeO; allowed: "
     "Fe3O4, gamma-Fe2O3)"),
    ({"structure": {"kind": "multicore"}, "model": {"dipolar": False}, "defects": {"core_shell": {"enabled": True}}},
     "defects.core_shell.enabled: a core-shell multi-core particle is not supported (structure.kind is multicore); "
     "set it false"),
    ({"defects": {"dopant": {"element": "Cu"}}}, "defects.dopant.element: 'Cu' is not one of Zn, Mn, Co, Ni"),
    ({"defects": {"dopant": {"fraction": 1.5}}}, "defects.dopant.fraction: 1.5 is outside [0, 1]"),
    ({"defects": {"dopant": {"fraction": -0.1}}}, "defects.dopant.fraction: -0.1 is outside [0, 1]"),
    ({"defects": {"dopant": {"site": "C"}}}, "defects.dopant.site: 'C' is not one of default, A, B"),
    ({"structure": {"phase": "FeO"}, "defects": {"dopant": {"fraction": 0.2}}},
     "defects.dopant.fraction: dopants substitute on the spinel A/B sites (structure.phase is FeO; allowed: Fe3O4, "
     "gamma-Fe2O3)"),
    ({"structure": {"kind": "multicore"}, "model": {"dipolar": False}, "defects": {"dopant": {"fraction": 0.2}}},
     "defects.dopant.fraction: a doped multi-core particle is not supported (structure.kind is multicore); set it 0"),
])
def test_defect_key_messages(recipe, expected):
    assert _err(recipe) == expected


def test_defect_keys_defaults_and_sweepable():
    d = validate_recipe({})["base"]["defects"]
    assert d["apb"]["count"] == 1 and d["apb"]["spacing_nm"] == 6.0
    assert d["core_shell"] == {"enabled": False, "core_phase": "FeO", "core_diameter_nm": 4.0}
    assert d["dopant"] == {"element": "Zn", "fraction": 0.0, "site": "default"}
    tasks = expand({"defects": {"apb": {"enabled": True}},
                    "sweep": {"axes": {"defects.apb.count": [0, 1, 2], "defects.dopant.fraction": [0, 0.1]}}})
    assert len(tasks) == 6
    # each combination is checked: the two planes must lie inside the particle
    msg = _err({"structure": {"diameter_nm": 5.0}, "defects": {"apb": {"enabled": True}},
                "sweep": {"axes": {"defects.apb.count": [1, 2]}}})
    assert msg.startswith("defects.apb.spacing_nm: sweep (variant 'study', defects.apb.count=2): 6 nm puts an APB")


def _structure(defects, D=6.0, seed=3):
    from atomspin.batch.tasks import run_task
    r = {"structure": {"phase": "Fe3O4", "shape": "truncated_octahedron", "diameter_nm": D}, "defects": defects,
         "protocol": {"steps": ["structure"]}, "sweep": {"seeds": [seed]}}
    res = run_task(expand(r)[0])
    return res["kvp"], res["atoms"]


def _records(atoms):
    import json
    recs = atoms.info.get("defects", [])
    recs = json.loads(recs) if isinstance(recs, str) else recs
    return [r["type"] for r in recs]


def test_structure_step_two_apbs_core_and_dopant_in_order():
    """The recipe keys reach the builders (core_shell, dope, add_vacancies, insert_apb, in that order), with the
    counts the builders' exact bookkeeping gives."""
    import numpy as np

    kvp0, a0 = _structure({})
    assert kvp0["s_n_apb"] == 0 and "apb" not in _records(a0)
    # APB count: 0 with enabled = true is the defect-free particle; 2 = two apb records, planes spacing apart
    kvp, a = _structure({"apb": {"enabled": True, "count": 0}})
    assert kvp["s_n_apb"] == 0 and np.array_equal(a.numbers, a0.numbers) and np.allclose(a.positions, a0.positions)
    kvp1, a1 = _structure({"apb": {"enabled": True, "count": 1}})
    kvp2, a2 = _structure({"apb": {"enabled": True, "count": 2, "spacing_nm": 2.0}})
    assert kvp1["s_n_apb"] == 1 and _records(a1).count("apb") == 1
    assert kvp2["s_n_apb"] == 2 and _records(a2).count("apb") == 2
    assert a2.arrays["apb_zone"].sum() > a1.arrays["apb_zone"].sum()
    # FeO core: rock-salt (R) Fe2+ sites inside a core of core_diameter_nm / diameter_nm of the particle
    kvp, a = _structure({"core_shell": {"enabled": True, "core_diameter_nm": 3.0}})
    R = a.arrays["sublattice"] == "R"
    assert R.sum() > 0 and _records(a)[0] == "core_shell"
    import json
    centre = np.asarray(json.loads(a.info["shape"])["center_A"])
    assert np.max(np.linalg.norm(a.positions[R] - centre, axis=1)) <= 0.5 * 10 * 3.0 + 1e-6  # inside the core
    # Zn on A: n = round(x N_A), none on B (O'Neill 1992: ZnFe2O4 normal), moment 0
    x = 0.2
    kvp, a = _structure({"dopant": {"fraction": x}})
    zn = a.numbers == 30
    n_A = int(np.sum(a0.arrays["sublattice"] == "A"))
    assert zn.sum() == round(x * n_A) and set(a.arrays["sublattice"][zn]) == {"A"}
    assert np.all(a.arrays["moment_muB"][zn] == 0)
    kvp, a = _structure({"dopant": {"fraction": x, "site": "B"}})
    assert set(a.arrays["sublattice"][a.numbers == 30]) == {"B"}
    # all of them: the step's order (core, dopant, vacancies, APBs); no vacancy and no dopant in the FeO core
    kvp, a = _structure({"core_shell": {"enabled": True, "core_diameter_nm": 3.0}, "dopant": {"fraction": x},
                         "vacancies": {"delta": 0.1, "removal": "random"},
                         "apb": {"enabled": True, "count": 2, "spacing_nm": 2.0}})
    assert _records(a)[:5] == ["core_shell", "substitution", "vacancies", "apb", "apb"]
    assert not np.any((a.numbers == 30) & (a.arrays["sublattice"] == "R"))


# --- task expansion and identity -----------------------------------------------------------------------------
def test_expand_grid_variants_seeds():
    r = {"sweep": {"seeds": [1, 2, 3], "axes": {"structure.diameter_nm": [3.0, 4.0],
                                                 "defects": {"vacancies": {"delta": [0.0, 0.1]}}},
                   "variants": [{"name": "sphere"}, {"name": "cube", "structure": {"shape": "cube"}}]}}
    tasks = expand(r)
    assert len(tasks) == 2 * 2 * 2 * 3
    assert len({t["hash"] for t in tasks}) == len(tasks)
    cube = [t for t in tasks if t["variant"] == "cube"]
    assert all(t["recipe"]["structure"]["shape"] == "cube" for t in cube)
    assert {(t["recipe"]["structure"]["diameter_nm"], t["recipe"]["defects"]["vacancies"]["delta"], t["seed"])
            for t in cube} == {(d, x, s) for d in (3.0, 4.0) for x in (0.0, 0.1) for s in (1, 2, 3)}


def test_duplicate_tasks_collapse():
    r = {"sweep": {"variants": [{"name": "a"}, {"name": "b", "structure.diameter_nm": 8.0}]}}  # 8.0 = default
    assert len(expand(r)) == 1


def test_hash_identity():
    base = validate_recipe({})["base"]
    h = task_hash(base, 1)
    assert re.fullmatch(r"[0-9a-f]{16}", h)
    renamed = copy.deepcopy(base)
    renamed["meta"]["name"] = "other"
    assert task_hash(renamed, 1) == h  # meta is not part of the identity
    reordered = {k: base[k] for k in reversed(list(base))}
    assert task_hash(reordered, 1) == h
    assert task_hash(base, 2) != h
    changed = copy.deepcopy(base)
    changed["structure"]["diameter_nm"] += 1
    assert task_hash(changed, 1) != h
    # a step's table is part of the identity only when the recipe runs that step
    unused = copy.deepcopy(base)
    unused["protocol"]["loop"]["sweeps"] += 1
    assert "loop" not in base["protocol"]["steps"] and task_hash(unused, 1) == h
    looped = copy.deepcopy(base)
    looped["protocol"]["steps"] = ["structure", "loop"]
    looped2 = copy.deepcopy(looped)
    looped2["protocol"]["loop"]["sweeps"] += 1
    assert task_hash(looped2, 1) != task_hash(looped, 1)


def test_hash_stable_across_processes():
    code = ("from atomspin.batch import expand; from atomspin.batch.defaults import DEMO_RECIPE; "
            "print(' '.join(t['hash'] for t in expand(DEMO_RECIPE)))")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": "123", "PATH": ""}).stdout.split()
    assert other == [t["hash"] for t in expand(DEMO_RECIPE)]


def test_derived_seed():
    assert derived_seed(1, "loop") == derived_seed(1, "loop")
    seeds = {derived_seed(s, n) for s in range(20) for n in ("structure", "loop", "kv", "disorder")}
    assert len(seeds) == 80


# --- shipped recipes --------------------------------------------------------------------------------------------
def test_recipes_shipped():
    names = {p.stem for p in RECIPES}
    assert {"demo", "vacancy_sweep", "apb_disorder", "sar_design_map", "size_tc"} <= names


@pytest.mark.parametrize("path", RECIPES, ids=lambda p: p.name)
def test_shipped_recipe_valid(path):
    tasks = expand(load_recipe(path))
    assert tasks


def test_demo_toml_equals_embedded_defaults():
    assert load_recipe(ROOT / "structures" / "recipes" / "demo.toml") == DEMO_RECIPE
    assert len(expand(DEMO_RECIPE)) == 6  # 3 variants x 2 seeds
    quick = expand(demo_recipe(quick=True))
    assert [t["variant"] for t in quick] == ["defect-free"] * 2 + ["Fe-deficient"] * 2 + ["APB"] * 2
    assert all(t["recipe"]["structure"]["diameter_nm"] == 4.0 for t in quick)


def test_to_toml_round_trip():
    for path in RECIPES:
        r = load_recipe(path)
        assert parse_recipe(to_toml(r)) == r


def test_toml_errors_one_line(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text("[structure\nphase = 1\n")
    with pytest.raises(RecipeError) as info:
        load_recipe(p)
    assert str(info.value).startswith(f"{p}: invalid TOML") and "\n" not in str(info.value)
    with pytest.raises(RecipeError, match="cannot read recipe"):
        load_recipe(tmp_path / "missing.toml")
    p.write_bytes(b"\xff\xfe")
    with pytest.raises(RecipeError, match="not UTF-8"):
        load_recipe(p)


# --- fuzzing: >= 500 malformed recipes, 0 tracebacks ------------------------------------------------------------
def _leaves(schema, prefix=""):
    for k, f in schema.items():
        p = f"{prefix}.{k}" if prefix else k
        if isinstance(f, dict):
            yield from _leaves(f, p)
        else:
            yield p, f


LEAVES = list(_leaves(SCHEMA))
TABLES = ["", "meta", "structure", "defects", "defects.vacancies", "defects.apb", "defects.core_shell",
          "defects.dopant", "model", "protocol",
          "protocol.tc", "protocol.loop", "protocol.kv", "protocol.disorder", "protocol.sar", "sweep"]
junk = st.one_of(st.text(max_size=8), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                 st.booleans(), st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3),
                                                                                     st.integers(), max_size=2))


def _wrong_type(f: Field):
    """Values of a type the field does not accept."""
    by_kind = {
        "float": st.one_of(st.text(max_size=5), st.booleans(), st.lists(st.floats(), max_size=2),
                           st.dictionaries(st.text(max_size=2), st.integers(), max_size=1)),
        "int": st.one_of(st.floats(allow_nan=False), st.text(max_size=5), st.booleans(),
                         st.lists(st.integers(), max_size=2)),
        "bool": st.one_of(st.integers(), st.text(max_size=5), st.floats(), st.lists(st.booleans(), max_size=2)),
        "str": st.one_of(st.integers(), st.floats(), st.booleans(), st.lists(st.text(), max_size=2)),
    }
    if f.kind.startswith("list["):
        return st.one_of(st.integers(), st.text(max_size=5), st.floats(), st.booleans(),
                         st.lists(st.one_of(st.dictionaries(st.text(max_size=2), st.integers(), min_size=1),
                                            st.lists(st.integers(), min_size=1)), min_size=1, max_size=3))
    return by_kind[f.kind]


def _out_of_range(f: Field):
    if f.choices is not None:
        return st.text(max_size=10).filter(lambda s: s not in f.choices).map(
            lambda s: [s] if f.kind.startswith("list[") else s)
    if f.kind in ("float", "int", "list[int]", "list[float]") and (f.lo is not None or f.hi is not None):
        below = [] if f.lo is None else [f.lo - 1 if "int" in f.kind else f.lo - 1e-3 * (1 + abs(f.lo))]
        above = [] if f.hi is None else [f.hi + 1 if "int" in f.kind else f.hi + 1e-3 * (1 + abs(f.hi))]
        opts = below + above
        if f.lo_open:
            opts.append(f.lo)
        vals = [int(v) if "int" in f.kind else float(v) for v in opts]
        if f.kind == "float":
            vals += [math.nan, math.inf, -math.inf]
        s = st.sampled_from(vals)
        if f.kind.startswith("list["):
            n = f.length or 1
            s = s.map(lambda v: [v] * n)
        return s
    return None


@st.composite
def malformed_recipes(draw):
    recipe = copy.deepcopy(draw(st.sampled_from([DEMO_RECIPE, {}, {"structure": {"diameter_nm": 4.0}}])))
    kind = draw(st.sampled_from(["unknown_key", "wrong_type", "out_of_range", "table_scalar", "bad_axis",
                                 "bad_variant", "not_table"]))
    if kind == "unknown_key":
        table = draw(st.sampled_from(TABLES))
        node = recipe
        for p in filter(None, table.split(".")):
            node = node.setdefault(p, {})
        allowed = set(get_path(SCHEMA, table)) if table else set(SCHEMA)
        if table == "sweep":
            allowed |= {"axes", "variants"}
        key = draw(st.text(min_size=1, max_size=12).filter(lambda k: k not in allowed))
        node[key] = draw(junk)
    elif kind in ("wrong_type", "out_of_range"):
        candidates = LEAVES if kind == "wrong_type" else [(p, f) for p, f in LEAVES if _out_of_range(f) is not None]
        path, f = draw(st.sampled_from(candidates))
        value = draw(_wrong_type(f) if kind == "wrong_type" else _out_of_range(f))
        node = recipe
        parts = path.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    elif kind == "table_scalar":
        table = draw(st.sampled_from([t for t in TABLES if t]))
        node = recipe
        parts = table.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = draw(st.one_of(st.integers(), st.text(max_size=4), st.lists(st.integers(), max_size=2)))
    elif kind == "bad_axis":
        sweep = recipe.setdefault("sweep", {})
        sweep["axes"] = draw(st.one_of(
            st.integers(), st.text(max_size=4),
            st.fixed_dictionaries({"meta.name": st.lists(st.text(max_size=3), min_size=1, max_size=2)}),
            st.fixed_dictionaries({"structure.diameter_nm": st.one_of(st.just([]), st.floats(1, 30),
                                                                      st.lists(st.text(max_size=2), min_size=1))}),
            st.dictionaries(st.text(min_size=1, max_size=10).filter(lambda k: k not in dict(LEAVES)),
                            st.lists(st.floats(), min_size=1, max_size=2), min_size=1, max_size=2),
        ))
    elif kind == "bad_variant":
        sweep = recipe.setdefault("sweep", {})
        sweep["variants"] = draw(st.one_of(
            st.integers(), st.lists(st.integers(), min_size=1, max_size=2),
            st.just([{"name": "a"}, {"name": "a"}]), st.just([{"name": ""}]), st.just([{"name": 3}]),
            st.lists(st.fixed_dictionaries({"name": st.just("x"), "structure": st.fixed_dictionaries(
                {"diameter_nm": st.one_of(st.text(max_size=2), st.floats(31, 1e9))})}), min_size=1, max_size=1),
            st.just([{"name": "v", "structure.phase": "FeO", "defects.apb.enabled": True}]),
        ))
    else:
        return draw(st.one_of(st.integers(), st.text(max_size=4), st.lists(st.integers(), max_size=2)))
    return recipe


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(malformed_recipes())
def test_fuzz_malformed_recipes_one_line_error(recipe):
    with pytest.raises(RecipeError) as info:
        validate_recipe(recipe)
    msg = str(info.value)
    assert "\n" not in msg and msg.strip() == msg
    assert ONE_LINE.match(msg), msg


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_fuzz_toml_text_never_raises_other(text):
    try:
        validate_recipe(parse_recipe(text, "fuzz.toml"))
    except RecipeError as err:
        assert "\n" not in str(err)
