"""Where the vacancies sit, at 16 nm (issue #15; docs/validation.md §8f, "Vacancy placement"): the ordered (P4_332)
and radial-gradient δ = 0.10 variants of the 12.1 nm study (§8d) appended to the 16 nm recipe, run as one-task stage
recipes, merged into the committed summary ``docs/figures/defects_heating/sweep_16nm.json``; the placement table of
§8f is what ``docs/make_defects_heating_16nm.py`` makes of that summary, and each placement trend §8f states is
read back from it (sign and resolution at 2σ).
"""
import importlib.util
import json
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RECIPES = ROOT / "structures" / "recipes"
SUMMARY = ROOT / "docs" / "figures" / "defects_heating" / "sweep_16nm.json"

#: `atomspin validate structures/recipes/defects_heating_16nm.toml` before the placements were appended (commit
#: 7fbacac, 28 tasks): the task hashes of the stored rows, which appending must leave unchanged
HASHES_BEFORE = {
    ("defect-free", 1): "1f2aaa672cbd20bf", ("defect-free", 2): "0b2b129cff2f0826",
    ("defect-free", 3): "60d527046ad584ef", ("defect-free", 4): "0304005a9c280134",
    ("APB-two", 1): "956ba4543829ab6c", ("APB-two", 2): "5b1e531ab95e3614",
    ("APB-two", 3): "a2a8ff5422700e0a", ("APB-two", 4): "b64535a5283c1ced",
    ("FeO-core", 1): "ab3378ddb01bed73", ("FeO-core", 2): "e4d3ebe8c0b67fe0",
    ("FeO-core", 3): "5f23c251b8b59370", ("FeO-core", 4): "a63064ee72688216",
    ("vacancies-random-0.10", 1): "ea6f0cacb653ce57", ("vacancies-random-0.10", 2): "2b52c13c4b1db611",
    ("vacancies-random-0.10", 3): "5ecb231d1572d6b3", ("vacancies-random-0.10", 4): "51f5ec720f7f3083",
    ("APB-centre", 1): "f8612f257deb86f2", ("APB-centre", 2): "65d3314474b2f439",
    ("APB-centre", 3): "6cd37cf6f0b7b0f2", ("APB-centre", 4): "47742b7435e5734f",
    ("Zn-0.20", 1): "61ecce9c818e8408", ("Zn-0.20", 2): "b7bddbd9bde4ee75",
    ("Zn-0.20", 3): "a0c4cee6fc75b243", ("Zn-0.20", 4): "60123fdf3d5ef6a1",
    ("vacancies-random-0.20", 1): "315fbefd0b0afba3", ("vacancies-random-0.20", 2): "06ee43df2f68c249",
    ("vacancies-random-0.20", 3): "583d7a5f104be0f7", ("vacancies-random-0.20", 4): "90f04f31eebe927e",
}


def _recipe(name):
    return tomllib.loads((RECIPES / f"{name}.toml").read_text())


def _study16():
    spec = importlib.util.spec_from_file_location("make_defects_heating_16nm",
                                                  ROOT / "docs" / "make_defects_heating_16nm.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def M():
    return _study16()


@pytest.fixture(scope="module")
def data():
    return json.loads(SUMMARY.read_text())


# ------------------------------------------------------------------------------------------ recipes and hashes
def test_appending_the_placements_keeps_every_stored_task_hash(M):
    """The two placements come last in the 16 nm recipe, so the 28 tasks run before keep their hashes (those
    `atomspin validate` listed before the change) and the recipe's sweep would skip them; the 8 new tasks have
    hashes of their own."""
    from atomspin.batch import expand

    tasks = expand(_recipe("defects_heating_16nm"))
    main = {(t["variant"], t["seed"]): t["hash"] for t in tasks}
    assert {k: main[k] for k in HASHES_BEFORE} == HASHES_BEFORE
    names = list(dict.fromkeys(t["variant"] for t in tasks))
    assert tuple(names[-2:]) == M.PLACEMENTS
    new = {k: h for k, h in main.items() if k not in HASHES_BEFORE}
    assert sorted(new) == sorted((v, s) for v in M.PLACEMENTS for s in (1, 2, 3, 4))
    assert len(set(main.values())) == len(main) == 36


def test_the_placements_are_the_12nm_definitions():
    """The appended variants are defined exactly as in the 12.1 nm vacancy-order recipe (§8d): the same defects, the
    same vacancy removal; only the particle differs."""
    from atomspin.batch import expand

    d16 = {t["variant"]: t["recipe"]["defects"] for t in expand(_recipe("defects_heating_16nm"))}
    d12 = {t["variant"]: t["recipe"]["defects"] for t in expand(_recipe("defects_heating_12nm_vacancy_order"))}
    assert set(d12) == {"vacancies-ordered-0.10", "vacancies-gradient-0.10"}
    for name in d12:
        assert json.loads(json.dumps(d16[name])) == json.loads(json.dumps(d12[name])), name
    assert d16["vacancies-gradient-0.10"]["vacancies"]["mode"] == "gradient"
    assert d16["vacancies-ordered-0.10"]["vacancies"]["mode"] == "ordered"
    assert d16["vacancies-ordered-0.10"]["vacancies"]["delta"] == d16["vacancies-random-0.10"]["vacancies"]["delta"]


def test_stage_p_recipes_are_one_task_subsets_of_the_16nm_recipe(M):
    """Stages P1-P8 (seeds 1-2 of both placements, then 3-4) each run one task with the hash of the same task of the
    main recipe; their particle, model and protocol are the main recipe's (only [meta], the seeds and the variant
    list differ); together they are exactly the appended tasks."""
    from atomspin.batch import expand

    main_recipe = _recipe("defects_heating_16nm")
    main = {(t["variant"], t["seed"]): t["hash"] for t in expand(main_recipe)}
    got = []
    for i, key in enumerate(M.STAGES_P, 1):
        r = _recipe(f"defects_heating_16nm_stageP{i}")
        assert {k: v for k, v in r.items() if k not in ("meta", "sweep")} == \
            {k: v for k, v in main_recipe.items() if k not in ("meta", "sweep")}, i
        tasks = expand(r)
        assert [(t["variant"], t["seed"]) for t in tasks] == [key], i
        assert tasks[0]["hash"] == main[key], (i, key)
        got.append(key)
    assert sorted(got) == sorted(k for k in main if k[0] in M.PLACEMENTS)
    assert [s for _, s in M.STAGES_P[:4]] == [1, 1, 2, 2]  # seeds 1-2 of both first


def test_summary_keeps_the_stored_rows_and_adds_the_placements(M, data):
    """The merge kept the 28 stored rows (7 variants × 4 seeds) and added the placements' rows, each carrying the
    main recipe's task hash."""
    from atomspin.batch import expand

    main = {(t["variant"], t["seed"]): t["hash"] for t in expand(_recipe("defects_heating_16nm"))}
    keys = [(r["recipe_variant"], r["seed"]) for r in data["rows"]]
    assert len(keys) == len(set(keys))
    assert set(HASHES_BEFORE) <= set(keys)
    new = [r for r in data["rows"] if r["recipe_variant"] in M.PLACEMENTS]
    assert len(new) >= 4 and {r["seed"] for r in new} >= {1, 2}
    assert set(M.PLACEMENTS) == {r["recipe_variant"] for r in new}
    for r in new:
        assert r["task_hash"] == main[(r["recipe_variant"], r["seed"])]
        assert r["D_nm"] == 16.0
    assert data["meta"]["n_rows"] == len(data["rows"]) == 28 + len(new)


# ------------------------------------------------------------------------------------------ the §8f text
def test_validation_8f_placement_tables_are_the_generated_ones(M):
    """docs/validation.md §8f prints exactly what ``make_defects_heating_16nm.placement_table`` makes of the committed
    summaries (16 nm and the 12.1 nm one of §8d)."""
    text = (ROOT / "docs" / "validation.md").read_text()
    a = text.index("<!-- 8f placement tables -->") + len("<!-- 8f placement tables -->")
    assert text[a:text.index("<!-- /8f placement tables -->")].strip() == M.placement_table().strip()
