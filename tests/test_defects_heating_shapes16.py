"""Defects in other shapes at 16 nm (issue #15; docs/validation.md §8m): the sphere and cube recipes are the 16 nm
study's recipe (structures/recipes/defects_heating_16nm.toml, §8f) with only the particle's shape and size (and the
FeO core, which scales with the particle) changed, their particles have the study particle's volume, the stage
recipes the run used have the recipes' task hashes, and §8m prints what the script makes of the committed summary."""
import importlib.util
import json
import re
import math
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHAPES = ("sphere", "cube")
#: the variants of §8m in priority order (a subset of the 16 nm study's, same names and definitions)
VARIANTS = ["defect-free", "APB-two", "FeO-core", "APB-centre", "vacancies-random-0.10"]


def _recipe(name):
    from atomspin.batch.recipe import load_recipe

    return load_recipe(ROOT / "structures" / "recipes" / f"{name}.toml")


def _tasks(name):
    from atomspin.batch import expand

    return expand(_recipe(name))


def _script():
    spec = importlib.util.spec_from_file_location("make_defects_heating_shapes16",
                                                  ROOT / "docs" / "make_defects_heating_shapes16.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _without_particle(recipe):
    """The resolved recipe without its name, the particle's shape and size and the FeO core's size (a deep copy)."""
    r = json.loads(json.dumps(recipe))
    r.pop("meta", None)
    r["structure"].pop("shape")
    r["structure"].pop("diameter_nm")
    r["defects"]["core_shell"].pop("core_diameter_nm")
    return r


@pytest.mark.parametrize("shape", SHAPES)
def test_shapes16_recipe_is_the_16nm_study_but_the_particle(shape):
    """Every task resolves to the 16 nm study's task of the same variant and seed except for the shape, its size
    and the FeO core's size; the core keeps the study's size ratio (12.2 / 24.4 nm: 1/8 of the volume); variants in
    §8m's priority order, seeds [1, 2, 3, 4] (the study's)."""
    main = {(t["variant"], t["seed"]): t["recipe"] for t in _tasks("defects_heating_16nm")}
    tasks = _tasks(f"defects_heating_16nm_shapes_{shape}")
    assert list(dict.fromkeys(t["variant"] for t in tasks)) == VARIANTS
    assert sorted({t["seed"] for t in tasks}) == [1, 2, 3, 4]
    assert len(tasks) == 4 * len(VARIANTS)
    ratio = lambda r: r["defects"]["core_shell"]["core_diameter_nm"] / r["structure"]["diameter_nm"]  # noqa: E731
    for t in tasks:
        ref = main[(t["variant"], t["seed"])]
        assert t["recipe"]["structure"]["shape"] == shape
        assert _without_particle(t["recipe"]) == _without_particle(ref), (shape, t["variant"], t["seed"])
        if t["variant"] == "FeO-core":
            assert ratio(t["recipe"]) == pytest.approx(ratio(ref), rel=1e-3)
            assert ratio(ref) == pytest.approx(0.5)
    # and the particle did change
    assert {t["recipe"]["structure"]["shape"] for t in tasks} != {"truncated_octahedron"}


def test_shapes16_nominal_volumes_are_the_study_particles():
    """The analytic volumes of the recipes' shapes (atomspin.structures.shapes.volume_A3) equal the study TO's
    within 1 % (sphere 16.0 nm, cube edge D_eq (π/6)^(1/3) with D_eq = 0.6565 × 24.4 nm)."""
    from atomspin.structures.shapes import volume_A3

    st = {s: _recipe(f"defects_heating_16nm_shapes_{s}")["structure"] for s in SHAPES}
    d_to = _recipe("defects_heating_16nm")["structure"]["diameter_nm"]
    v_to = volume_A3({"kind": "truncated_octahedron", "vertex_A": 5.0 * d_to, "half_A": 5.0 * d_to * 2 / 3})
    d_eq = (6 * v_to / math.pi) ** (1 / 3) / 10
    assert d_eq / d_to == pytest.approx(0.6565, abs=5e-5)
    v = {"sphere": volume_A3({"kind": "sphere", "radius_A": 5.0 * st["sphere"]["diameter_nm"]}),
         "cube": volume_A3({"kind": "cube", "half_A": 5.0 * st["cube"]["diameter_nm"]})}
    for s in SHAPES:
        assert abs(v[s] / v_to - 1) < 0.01, (s, v[s] / v_to)
    assert st["cube"]["diameter_nm"] == pytest.approx(d_eq * (math.pi / 6) ** (1 / 3), abs=0.005)


def _n_oxygen(shape, d):
    from atomspin import structures as S

    p = S.build_particle("Fe3O4", shape, diameter_nm=d, seed=1)
    return int(np.sum(p.numbers == 8)), p


def test_shapes16_built_particles_have_the_study_volume_and_core_fraction():
    """Built (a few s each), the particles' N_O a³/32 volume — the volume the landscape step uses — is the TO's
    within 1 % for the sphere; the cube (whole {100} layers) is 1.5 % below, within 2 %, and no edge within
    ± 0.4 nm of the recipe's (one layer step either way) comes closer. The FeO core holds 1/8 of the O within
    ± 0.015 in each shape (the study's TO: 0.136)."""
    from atomspin.structures.core_shell import core_shell

    st = {s: _recipe(f"defects_heating_16nm_shapes_{s}") for s in SHAPES}
    main = _recipe("defects_heating_16nm")
    n_to, p_to = _n_oxygen("truncated_octahedron", main["structure"]["diameter_nm"])
    parts = {"truncated_octahedron": (p_to, main)}
    dev = {}
    for s in SHAPES:
        n, p = _n_oxygen(s, st[s]["structure"]["diameter_nm"])
        dev[s] = n / n_to - 1
        parts[s] = (p, st[s])
    assert abs(dev["sphere"]) < 0.01, dev
    assert abs(dev["cube"]) < 0.02, dev
    edge = st["cube"]["structure"]["diameter_nm"]
    for e in (edge - 0.4, edge - 0.2, edge + 0.2, edge + 0.4):
        assert abs(_n_oxygen("cube", e)[0] / n_to - 1) >= abs(dev["cube"]) - 1e-12, e
    for s, (p, rec) in parts.items():
        cs = rec["sweep"]["variants"][[v["name"] for v in rec["sweep"]["variants"]].index("FeO-core")]
        core = cs["defects"]["core_shell"]["core_diameter_nm"]
        q = core_shell(p, core)
        q = q[0] if isinstance(q, tuple) else q
        o = q.numbers == 8
        frac = float(np.mean(q.arrays["region"][o] == "FeO"))
        assert abs(frac - 1 / 8) < 0.015, (s, frac)


def test_shapes16_stage_recipes_have_the_recipes_task_hashes(tmp_path):
    """The stage recipes the run used (``make_defects_heating_shapes16.py stages``) together hold exactly the
    recipes' tasks (same hashes), so the full recipe resumes on their databases."""
    from atomspin.batch import expand
    from atomspin.batch.recipe import load_recipe

    mod = _script()
    for s in SHAPES:
        want = {t["hash"]: (t["variant"], t["seed"]) for t in _tasks(f"defects_heating_16nm_shapes_{s}")}
        got = {}
        for stage in mod.STAGE_VARIANTS:
            f = tmp_path / f"stage_{s}_{stage}.toml"
            f.write_text(mod.stage_text(s, stage))
            got.update({t["hash"]: (t["variant"], t["seed"]) for t in expand(load_recipe(f))})
        assert got == want, s


def test_validation_section_8m_tables_are_the_generated_ones():
    """docs/validation.md §8m prints exactly what ``make_defects_heating_shapes16.py table`` makes of the committed
    summary (a table edited by hand, or a summary changed without the table, fails), and the summary holds every
    variant's defect-free reference per shape that it reports."""
    mod = _script()
    text = (ROOT / "docs" / "validation.md").read_text()
    a = text.index("<!-- 8m tables -->") + len("<!-- 8m tables -->")
    assert text[a:text.index("<!-- /8m tables -->")].strip() == mod.table()
    S = json.loads(mod.OUT.read_text())["summary"]
    for s in SHAPES:
        parts = S["particles"].get(s, {})
        assert not parts or "defect-free" in parts
        for v, st in parts.items():
            if v != "defect-free":
                assert set(st["ratio"]) >= {"sar_sweep.sar", "sar_sweep_water.sar"}, (s, v)


@pytest.mark.parametrize("shape", SHAPES)
def test_shapes16_seed_list_extension_keeps_the_first_runs_task_hashes(shape, tmp_path):
    """Seeds 3–4 were added to the recipes after the first run (seeds [1, 2]): the recipe with its seed list cut
    back to [1, 2] has exactly the 4-seed recipe's seed 1–2 tasks (same hashes), so the first run's rows are the
    same tasks; and the one-task stage recipes of the second run each hold the recipe's task of that variant and
    seed, with its hash."""
    from atomspin.batch import expand
    from atomspin.batch.recipe import load_recipe

    mod = _script()
    full = mod.task_hashes(shape)
    assert len(full) == 4 * len(VARIANTS)
    text = mod.recipe_path(shape).read_text()
    assert text.count("seeds = [1, 2, 3, 4]") == 1
    f = tmp_path / "first_run.toml"
    f.write_text(text.replace("seeds = [1, 2, 3, 4]", "seeds = [1, 2]"))
    first = {(t["variant"], t["seed"]): t["hash"] for t in expand(load_recipe(f))}
    assert first == {k: h for k, h in full.items() if k[1] in (1, 2)}
    for v, seed in (("FeO-core", 2), ("defect-free", 3), ("vacancies-random-0.10", 4)):
        g = tmp_path / f"{mod.task_stage_name(shape, v, seed)}.toml"
        g.write_text(mod.task_stage_text(shape, v, seed))
        assert [(t["hash"], t["variant"], t["seed"]) for t in expand(load_recipe(g))] == [(full[(v, seed)], v, seed)]


def _row(shape, variant, seed, sar, h=None):
    """A minimal row for merge_rows (only what it reads, and a marker)."""
    r = dict(study=shape, recipe_variant=variant, seed=seed, sar=sar)
    if h:
        r["task_hash"] = h
    return r


def test_shapes16_merge_rows_adds_and_replaces_by_task_hash_and_keeps_the_rest():
    """merge_rows: a database row replaces the stored row of the same task (matched by hash, also where the stored
    row has no ``task_hash`` and gets it from the recipe's (variant, seed)); a new task is added; a stored row whose
    task is not in the database is kept."""
    mod = _script()
    hashes = {("defect-free", 1): "h1", ("defect-free", 2): "h2", ("FeO-core", 1): "f1", ("FeO-core", 2): "f2"}
    stored = [_row("cube", "defect-free", 1, 1.0), _row("cube", "defect-free", 2, 2.0, "h2"),
              _row("cube", "FeO-core", 1, 3.0)]
    new = [_row("cube", "FeO-core", 1, 30.0, "f1"), _row("cube", "FeO-core", 2, 40.0, "f2")]
    got = {r["task_hash"]: r["sar"] for r in mod.merge_rows(stored, new, hashes)}
    assert got == {"h1": 1.0, "h2": 2.0, "f1": 30.0, "f2": 40.0}
    assert len(mod.merge_rows(stored, [], hashes)) == 3
    with pytest.raises(ValueError, match="two task hashes"):  # one realisation under two hashes: a changed recipe
        mod.merge_rows(stored, [_row("cube", "defect-free", 1, 5.0, "h1-changed")], hashes)
    with pytest.raises(KeyError):  # a stored row that names no task of the recipe is an error, not dropped
        mod.merge_rows([_row("cube", "Zn-0.20", 1, 1.0)], [], hashes)


def test_shapes16_extract_merges_a_database_into_the_stored_summary(tmp_path, monkeypatch):
    """extract() on a summary whose cube has 3 stored tasks and a cube 'database' (a stand-in for its rows, copies of
    committed rows with a changed SAR and a new seed) holding one of them again and one new task: the cube keeps
    the stored task the database lacks, takes the database's row for the repeated task, adds the new one; the
    sphere (no database) keeps its stored rows; the summary's statistics are recomputed from the merged rows."""
    import copy

    mod = _script()
    committed = json.loads(mod.OUT.read_text())
    hashes = mod.task_hashes("cube")
    cube = [r for r in committed["rows"] if r["study"] == "cube"]
    sphere = [r for r in committed["rows"] if r["study"] == "sphere"]
    pick = {(r["recipe_variant"], r["seed"]): r for r in cube}
    keep = [pick[("defect-free", 1)], pick[("defect-free", 2)], pick[("APB-two", 1)]]
    for r in keep:
        r.pop("task_hash", None)  # as the first run's summary stored them
    prev = dict(meta=dict(stages={}, skipped={}, sphere=committed["meta"]["sphere"], cube=committed["meta"]["cube"]),
                rows=keep + sphere)
    out = tmp_path / "shapes.json"
    out.write_text(json.dumps(prev))
    again = copy.deepcopy(pick[("APB-two", 1)])
    again["sar_sweep"]["sar"] *= 2.0
    again.update(task_hash=hashes[("APB-two", 1)], marker="db")
    new = copy.deepcopy(pick[("APB-two", 2)])
    new.update(seed=3, task_hash=hashes[("APB-two", 3)], marker="db")
    db = tmp_path / "cube.db"
    db.write_text("")
    monkeypatch.setattr(mod, "db_path", lambda s: db if s == "cube" else tmp_path / "absent.db")
    monkeypatch.setattr(mod, "_rows_of_db", lambda s: [copy.deepcopy(again), copy.deepcopy(new)])
    monkeypatch.setattr(mod, "_samples", lambda *a: [])
    monkeypatch.setattr(mod, "_skipped", lambda: {})
    monkeypatch.setattr(mod, "_stage_names", lambda s: [])
    data = mod.extract(out)
    got = {(r["recipe_variant"], r["seed"]): r for r in data["rows"] if r["study"] == "cube"}
    assert sorted(got) == [("APB-two", 1), ("APB-two", 3), ("defect-free", 1), ("defect-free", 2)]
    assert got[("APB-two", 1)].get("marker") == "db" and got[("APB-two", 3)].get("marker") == "db"
    assert "marker" not in got[("defect-free", 1)]
    assert {r["task_hash"] for r in got.values()} == {hashes[k] for k in got}
    assert data["meta"]["cube"]["n_rows"] == 4
    assert [r for r in data["rows"] if r["study"] == "sphere"] == sphere
    apb = data["summary"]["particles"]["cube"]["APB-two"]
    assert apb["n"] == 2 and apb["seeds"] == [1, 3]
    assert apb["sar_sweep.sar"]["per_seed"] == pytest.approx([2 * pick[("APB-two", 1)]["sar_sweep"]["sar"],
                                                              pick[("APB-two", 2)]["sar_sweep"]["sar"]])
    assert json.loads(out.read_text())["meta"]["cube"]["n_rows"] == 4


#: the factors §8m's text quotes, as written there: (particle, variant, medium) → ("factor ± error", verdict,
#: realisations with the defect, realisations without). Particles: sphere, cube, to_s12 (TO seeds 1–2), to_all.
IMM, WAT = "sar_sweep.sar", "sar_sweep_water.sar"
QUOTED = {
    ("sphere", "APB-two", IMM): ("14.9 ± 3.0", "higher", 4, 4),
    ("sphere", "APB-two", WAT): ("262 ± 11", "higher", 4, 4),
    ("to_all", "APB-two", WAT): ("541 ± 24", "higher", 4, 4),
    ("to_s12", "APB-two", IMM): ("21 ± 2", "higher", 2, 2),
    ("to_all", "APB-two", IMM): ("29 ± 4", "higher", 4, 4),
    ("cube", "APB-two", IMM): ("0.0067 ± 0.0014", "lower", 4, 4),
    ("cube", "APB-two", WAT): ("0.96 ± 0.05", "not resolved", 4, 4),
    ("sphere", "APB-centre", IMM): ("260 ± 15", "higher", 4, 4),
    ("sphere", "APB-centre", WAT): ("201 ± 13", "higher", 4, 4),
    ("to_s12", "APB-centre", IMM): ("112 ± 7", "higher", 2, 2),
    ("to_s12", "APB-centre", WAT): ("206 ± 16", "higher", 2, 2),
    ("cube", "APB-centre", IMM): ("0.013 ± 0.004", "lower", 4, 4),
    ("cube", "APB-centre", WAT): ("0.97 ± 0.05", "not resolved", 4, 4),
    ("sphere", "FeO-core", IMM): ("0.46 ± 0.02", "lower", 4, 4),
    ("to_all", "FeO-core", IMM): ("0.52 ± 0.02", "lower", 4, 4),
    ("to_s12", "FeO-core", IMM): ("0.55 ± 0.03", "lower", 2, 2),
    ("cube", "FeO-core", IMM): ("0.028 ± 0.002", "lower", 4, 4),
    ("cube", "FeO-core", WAT): ("0.049 ± 0.011", "lower", 4, 4),
    ("sphere", "vacancies-random-0.10", IMM): ("0.915 ± 0.042", "lower", 4, 4),
    ("sphere", "vacancies-random-0.10", WAT): ("0.914 ± 0.041", "lower", 4, 4),
    ("to_s12", "vacancies-random-0.10", IMM): ("1.06 ± 0.03", "not resolved", 2, 2),
    ("cube", "vacancies-random-0.10", IMM): ("0.918 ± 0.015", "lower", 4, 4),
    ("cube", "vacancies-random-0.10", WAT): ("0.878 ± 0.047", "lower", 4, 4),
}
#: §8m's verdicts on the sign of each factor over the shapes (sphere, cube, TO seeds 1–2): how the words begin
HOLDS = {
    ("APB-two", IMM): "SIGN REVERSES", ("APB-two", WAT): "higher where resolved; not resolved in cube",
    ("FeO-core", IMM): "holds (lower)", ("FeO-core", WAT): "holds (lower)",
    ("APB-centre", IMM): "SIGN REVERSES", ("APB-centre", WAT): "higher where resolved; not resolved in cube",
    ("vacancies-random-0.10", IMM): "lower where resolved; not resolved in TO",
    ("vacancies-random-0.10", WAT): "lower where resolved; not resolved in TO",
}
#: barrier differences (k_BT, defect − defect-free of the same particle) the text quotes: (value, error, verdict)
BARRIERS = {("cube", "FeO-core"): ("-7.22", "0.14", "lower"), ("cube", "vacancies-random-0.10"): ("-0.96", "0.19", "lower"),
            ("sphere", "vacancies-random-0.10"): ("+0.16", "0.38", "not resolved")}


def _half_unit(txt):
    """Half a unit of the last digit written in ``txt``."""
    dec = len(txt.split(".")[1]) if "." in txt else 0
    return 0.5 * 10.0 ** -dec


def _section_8m():
    text = (ROOT / "docs" / "validation.md").read_text()
    a = text.index("### 8m.")
    return text[a:text.index("\n## ", a)]


def _close(stored, quoted):
    return abs(stored - float(quoted)) <= _half_unit(quoted) * (1 + 1e-9)


def _close_err(stored, quoted):
    """An error as written: rounded to nearest or up (never below the stored error by more than rounding)."""
    return _close(stored, quoted) or 0 <= float(quoted) - stored < 2 * _half_unit(quoted)


def test_shapes16_text_factors_and_verdicts_are_the_stored_ones():
    """Drift: every factor §8m's prose quotes is the committed summary's, rounded as written (factor and error), with
    the stored verdict at 2σ and the stored numbers of realisations, and appears in §8m as written; the sign-over-shapes
    verdicts and the quoted barrier differences are the stored ones."""
    mod = _script()
    P = json.loads(mod.OUT.read_text())["summary"]
    sec = _section_8m()
    for (k, v, p), (txt, verdict, n, nref) in QUOTED.items():
        r = P["particles"][k][v]["ratio"][p]
        q, e = txt.split(" ± ")
        assert _close(r["ratio"], q) and _close_err(r["err"], e), (k, v, p, r["ratio"], r["err"], txt)
        assert r["verdict"].endswith(verdict) if verdict != "not resolved" else r["verdict"].startswith("not"), \
            (k, v, p, r["verdict"])
        assert (P["particles"][k][v]["n"], P["particles"][k]["defect-free"]["n"]) == (n, nref), (k, v)
        # as a whole number, not the tail of another ("21 ± 2" must not match "121 ± 2")
        assert re.search(r"(?<![\d.])" + re.escape(txt) + r"(?![\d])", sec), (k, v, p, txt)
    for (v, p), words in HOLDS.items():
        assert P["holds"][v][p]["words"].startswith(words), (v, p, P["holds"][v][p]["words"])
    for (k, v), (d, e, verdict) in BARRIERS.items():
        b = P["particles"][k][v]["barrier_diff_kT"]
        assert _close(b["diff"], d) and _close_err(b["err"], e), (k, v, b)
        assert verdict in b["verdict"], (k, v, b["verdict"])


def test_shapes16_sphere_vacancies_lower_at_the_edge_of_the_rule_without_separating():
    """§8m: with its fourth realisation (seed 4, the one task the third session skipped) the sphere's δ = 0.10 factor
    is resolved lower by the rule only just (2.05σ immobilised, 2.07σ in water), while the realisations do not
    separate: seed 1 heats more than every defect-free sphere, seeds 2-4 less than every one, and the exact
    permutation p of the four against the four is 10/70 in both media."""
    import itertools

    import numpy as np

    mod = _script()
    data = json.loads(mod.OUT.read_text())
    S = data["summary"]["particles"]["sphere"]
    v, ref = S["vacancies-random-0.10"], S["defect-free"]
    assert v["n"] == ref["n"] == 4 and v["seeds"] == [1, 2, 3, 4]
    row = [r for r in data["rows"] if r["study"] == "sphere" and r["recipe_variant"] == "vacancies-random-0.10"
           and r["seed"] == 4]
    assert len(row) == 1 and row[0]["task_hash"] == mod.task_hashes("sphere")[("vacancies-random-0.10", 4)]
    assert data["meta"]["stages"]["sphere_vacancies-random-0.10_s4"]["rows_written"] == 1
    assert "sphere_vacancies-random-0.10_s4" not in data["meta"].get("skipped", {})
    for q, sig in ((IMM, 2.05), (WAT, 2.07)):
        r = v["ratio"][q]
        assert r["verdict"] == "resolved at 2σ, lower" and round((1 - r["ratio"]) / r["err"], 2) == sig, (q, r)
        x, y = v[q]["per_seed"], ref[q]["per_seed"]
        assert x[0] > max(y) and max(x[1:]) < min(y), q
        pooled = list(x) + list(y)
        obs = abs(np.mean(x) - np.mean(y))
        hits = [abs(np.mean([pooled[i] for i in c]) - np.mean([pooled[i] for i in range(8) if i not in c]))
                >= obs * (1 - 1e-9) for c in itertools.combinations(range(8), 4)]
        assert sum(hits) == 10, (q, sum(hits))
