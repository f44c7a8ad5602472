"""The sign of K_s at 12.1 nm (issue #15; docs/validation.md §8e): the recipes are the 12.1 nm study's particle,
model, protocol, drive and media (structures/recipes/defects_heating_12nm_today.toml, §8c) with only K_s changed, at
minus the documented constants; the committed summary (docs/figures/defects_heating/sens_12nm.json) is what
docs/make_defects_heating_sens12.py makes of its stored rows and of the 12.1 nm summary; §8e prints its tables."""
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = ROOT / "docs" / "figures" / "defects_heating" / "sens_12nm.json"
VARIANTS = ["defect-free", "APB-two", "APB-centre", "vacancies-random-0.10"]


def _recipe(name):
    from atomspin.batch.recipe import load_recipe

    return load_recipe(ROOT / "structures" / "recipes" / f"{name}.toml")


def _tasks(name):
    from atomspin.batch import expand

    return expand(_recipe(name))


def _without(recipe, model_keys):
    r = json.loads(json.dumps(recipe))
    r.pop("meta", None)
    for k in model_keys:
        r["model"].pop(k, None)
    return r


def _script():
    spec = importlib.util.spec_from_file_location("make_defects_heating_sens12",
                                                  ROOT / "docs" / "make_defects_heating_sens12.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("name", ["defects_heating_12nm_sens_kssign", "defects_heating_12nm_sens_kssign_probe",
                                  "defects_heating_12nm_sens_kssign_small", "defects_heating_12nm_sens_kssign_small_seeds34"])
def test_sens12_kssign_recipe_is_the_12nm_study_but_k_s(name):
    """Every task resolves to the 12.1 nm study's task of the same variant and seed except K_s (switch and value):
    same structure, defects, model otherwise, protocol, drive and media."""
    keys = ("surface_anisotropy", "neel_ks_meV")
    main = {(t["variant"], t["seed"]): t["recipe"] for t in _tasks("defects_heating_12nm_today")}
    for t in _tasks(name):
        ref = main[(t["variant"], t["seed"])]
        assert _without(t["recipe"], keys) == _without(ref, keys), (name, t["variant"], t["seed"])
        assert t["recipe"]["model"]["surface_anisotropy"] == "given" and t["recipe"]["model"]["neel_ks_meV"] < 0


def test_sens12_kssign_recipe_sits_at_minus_the_documented_constants():
    """k_s = −(the default K_s) and −(the upper end of magnetite.toml's K_s range) on the {111} facet, in that order;
    the four variants, seeds 1-2, 16 tasks; the probe's one task is the full recipe's first (same hash, so the full
    invocation skips it); apart from the sign and the added one-APB variant the recipe is §8e's K_s recipe."""
    from atomspin.model.anisotropy import neel_facet_constant_J_per_m2, neel_ks_from_surface_constant
    from atomspin.model.parameters import load_parameter_set, parameter_ranges

    lo, default, hi = parameter_ranges("magnetite")["K_s_J_per_m2"]
    assert default == load_parameter_set("magnetite").extra["surface_anisotropy"]["K_s_J_per_m2"]
    want = [neel_ks_from_surface_constant(-default), neel_ks_from_surface_constant(-hi)]
    rec = _recipe("defects_heating_12nm_sens_kssign")
    assert list(rec["sweep"]["axes"]["model.neel_ks_meV"]) == pytest.approx(want, rel=1e-5)
    tasks = _tasks("defects_heating_12nm_sens_kssign")
    assert len(tasks) == 16 and sorted({t["seed"] for t in tasks}) == [1, 2]
    assert list(dict.fromkeys(t["variant"] for t in tasks)) == VARIANTS
    probe = _tasks("defects_heating_12nm_sens_kssign_probe")
    assert len(probe) == 1 and probe[0]["hash"] == tasks[0]["hash"]
    assert (probe[0]["variant"], probe[0]["seed"]) == ("defect-free", 1)
    assert probe[0]["recipe"]["model"]["neel_ks_meV"] == pytest.approx(want[0], rel=1e-5)
    ks = {(t["variant"], t["seed"]): t["recipe"] for t in _tasks("defects_heating_12nm_sens_ks")}
    for t in tasks:
        if t["variant"] == "APB-centre":
            continue
        assert _without(t["recipe"], ("neel_ks_meV",)) == _without(ks[(t["variant"], t["seed"])], ("neel_ks_meV",))
    assert neel_facet_constant_J_per_m2(want[1], (1, 1, 1)) == pytest.approx(-hi, rel=1e-5)


#: the task hashes of the −1e-5 J/m² point as they were run (atomspin validate, 2026-12-01): a change of the recipe
#: or of the task hash fails here
SMALL_HASHES = {("defect-free", 1): "7066a88d7c99688e", ("defect-free", 2): "2dde5cd21b6a0836",
                ("APB-two", 1): "e8f108b85c9e6d30", ("APB-two", 2): "a4e05562e14c196e",
                ("APB-centre", 1): "55d3db46d087a786", ("APB-centre", 2): "91e2bb1d1fac1e10",
                ("vacancies-random-0.10", 1): "7e8d3812a2f0a6a4", ("vacancies-random-0.10", 2): "ccd1aa6da35326a6"}


def test_sens12_kssign_small_recipe_sits_at_minus_the_lower_end():
    """The small-|K_s| sign recipe at 12.1 nm: k_s = −(the lower end of magnetite.toml's K_s range) alone, on the
    {111} facet, surface_anisotropy "given"; the four variants, seeds 1-2, 8 tasks; every task is the one the
    sign-of-K_s recipe would run with this value appended to its axis (same resolved recipe, same hash), that
    recipe's stored tasks keep their hashes, and the hashes are the ones run (SMALL_HASHES)."""
    from atomspin.batch import expand
    from atomspin.model.anisotropy import neel_facet_constant_J_per_m2, neel_ks_from_surface_constant
    from atomspin.model.parameters import parameter_ranges

    lo = parameter_ranges("magnetite")["K_s_J_per_m2"][0]
    tasks = _tasks("defects_heating_12nm_sens_kssign_small")
    assert len(tasks) == 8 and all(t["recipe"]["model"]["surface_anisotropy"] == "given" for t in tasks)
    assert list(dict.fromkeys(t["variant"] for t in tasks)) == VARIANTS
    (k,) = {t["recipe"]["model"]["neel_ks_meV"] for t in tasks}
    assert k == pytest.approx(neel_ks_from_surface_constant(-lo), rel=1e-5)
    assert neel_facet_constant_J_per_m2(k, (1, 1, 1)) == pytest.approx(-lo, rel=1e-5)
    assert {(t["variant"], t["seed"]): t["hash"] for t in tasks} == SMALL_HASHES
    full = _recipe("defects_heating_12nm_sens_kssign")
    stored = {t["hash"] for t in expand(full)}
    full["sweep"]["axes"]["model.neel_ks_meV"] = list(full["sweep"]["axes"]["model.neel_ks_meV"]) + [k]
    appended = {(t["variant"], t["seed"], t["recipe"]["model"]["neel_ks_meV"]): t for t in expand(full)}
    assert stored <= {t["hash"] for t in appended.values()}
    for t in tasks:
        e = appended[(t["variant"], t["seed"], k)]
        assert t["hash"] == e["hash"] and _without(t["recipe"], ()) == _without(e["recipe"], ()), t["variant"]


#: the task hashes of realisations 3-4 at −1e-5 J/m² as they were run (atomspin validate, 2026-12-01; the stored rows
#: of run sens_kssign_small_seeds34 carry them)
SMALL_SEEDS34_HASHES = {("defect-free", 3): "5e1892dca8cc55e7", ("defect-free", 4): "836a25f3a0f0efb0",
                        ("APB-two", 3): "f3fa537927170a1f", ("APB-two", 4): "cb9f364d3c4ae33e",
                        ("APB-centre", 3): "ae422e3841e78abc", ("APB-centre", 4): "5ef2adb7823f4cf6",
                        ("vacancies-random-0.10", 3): "6fafc28fe343250c",
                        ("vacancies-random-0.10", 4): "719d41b937299f4c"}


def test_sens12_kssign_small_seeds34_recipe_is_the_small_recipe_with_seeds_3_4():
    """Realisations 3-4 at K_s = −1e-5 J/m²: the small-|K_s| recipe with seeds 3-4 only; every task is the task that
    recipe would run with its seeds extended to [1, 2, 3, 4] (same resolved recipe, same hash, so its rows are more
    realisations of the same point), whose seeds 1-2 keep the hashes run (SMALL_HASHES); the hashes are the ones run
    (SMALL_SEEDS34_HASHES) and the stored rows of that run carry them."""
    from atomspin.batch import expand

    tasks = _tasks("defects_heating_12nm_sens_kssign_small_seeds34")
    assert len(tasks) == 8 and sorted({t["seed"] for t in tasks}) == [3, 4]
    assert list(dict.fromkeys(t["variant"] for t in tasks)) == VARIANTS
    full = _recipe("defects_heating_12nm_sens_kssign_small")
    full["sweep"]["seeds"] = [1, 2, 3, 4]
    extended = {(t["variant"], t["seed"]): t for t in expand(full)}
    assert {k: t["hash"] for k, t in extended.items() if k[1] <= 2} == SMALL_HASHES
    for t in tasks:
        e = extended[(t["variant"], t["seed"])]
        assert t["hash"] == e["hash"] and _without(t["recipe"], ()) == _without(e["recipe"], ()), t["variant"]
    assert not set(SMALL_HASHES.values()) & {t["hash"] for t in tasks}
    assert {(t["variant"], t["seed"]): t["hash"] for t in tasks} == SMALL_SEEDS34_HASHES
    rows = [r for r in json.loads(SUMMARY.read_text())["rows"] if r.get("run") == "sens_kssign_small_seeds34"]
    assert {(r["recipe_variant"], r["seed"]): r["task_hash"] for r in rows} == SMALL_SEEDS34_HASHES
    assert len(rows) == len(SMALL_SEEDS34_HASHES)


def test_sens12_summary_is_the_stored_rows_summarised():
    """The committed summary is the script's summary of its own stored rows and the committed 12.1 nm summary (a
    summary edited by hand, or rows changed without it, fails); two realisations of every variant at −1e-4 and
    −2.9e-5 J/m², four at −1e-5 J/m² (seeds 3-4 from their own run, which the rows name); one SAR code for every
    row."""
    mod = _script()
    data = json.loads(SUMMARY.read_text())
    rows = data["rows"]
    assert len(rows) == 32 and {len({r["sar_code_version"] for r in rows})} == {1}
    got = {}
    for r in rows:
        got.setdefault((r["recipe_variant"], r["axis_value"]), []).append(r["seed"])
        assert r["study"] == ("sens_kssign_small" if r["axis_value"] == -0.0104785 else "sens_kssign")
        assert r.get("run", r["study"]) == ("sens_kssign_small_seeds34" if r["seed"] > 2 else r["study"])
    assert sorted(got) == sorted((v, k) for v in VARIANTS for k in (-0.0303876, -0.104785, -0.0104785))
    assert all(sorted(s) == ([1, 2, 3, 4] if k == -0.0104785 else [1, 2]) for (_, k), s in got.items())
    fresh = json.loads(json.dumps(mod.summarise(rows), default=float))

    def close(a, b, path=""):
        if isinstance(a, dict):
            assert set(a) == set(b), path
            for k in a:
                close(a[k], b[k], f"{path}.{k}")
        elif isinstance(a, list):
            assert len(a) == len(b), path
            for i, (x, y) in enumerate(zip(a, b)):
                close(x, y, f"{path}[{i}]")
        elif isinstance(a, float):
            assert a == pytest.approx(b, rel=1e-9, nan_ok=True), path
        else:
            assert a == b, path
    close(fresh, data["summary"])


def test_sens12_verdicts_follow_the_ratios():
    """Every stored verdict is the 2σ rule on its own ratio and error; the axis holds six K_s values (−1e-4, −2.9e-5,
    −1e-5, +1e-5, +2.9e-5, +1e-4 J/m²) for two APBs and random δ = 0.10 and four (−1e-4, −2.9e-5, −1e-5, +2.9e-5)
    for one APB."""
    S = json.loads(SUMMARY.read_text())["summary"]
    for e in S["sensitivity"] + S["axis"]:
        for p, r in e["stats"]["ratio"].items():
            resolved = abs(r["ratio"] - 1) > 2 * r["err"]
            assert r["verdict"] == (("resolved at 2σ, " + ("higher" if r["ratio"] > 1 else "lower")) if resolved
                                    else "not resolved at 2σ"), (e["variant"], e["value"], p)
    keys = {v: sorted(float(k) for k in S["holds"][v]["sar_sweep.sar"] if k != "holds") for v in S["holds"]}
    assert keys["APB-two"] == keys["vacancies-random-0.10"] == pytest.approx([-1e-4, -2.9e-5, -1e-5, 1e-5, 2.9e-5,
                                                                              1e-4])
    assert keys["APB-centre"] == pytest.approx([-1e-4, -2.9e-5, -1e-5, 2.9e-5])


def test_validation_section_8e_sign_tables_are_the_generated_ones():
    """docs/validation.md §8e prints exactly what ``make_defects_heating_sens12.py table`` makes of the committed
    summary, and its figure exists."""
    mod = _script()
    text = (ROOT / "docs" / "validation.md").read_text()
    a = text.index("<!-- 8e sign tables -->") + len("<!-- 8e sign tables -->")
    assert text[a:text.index("<!-- /8e sign tables -->")].strip() == mod.table()
    assert (ROOT / "docs" / "figures" / "defects_heating" / "sens_12nm.png").exists()
    assert "figures/defects_heating/sens_12nm.png" in text


def test_sens12_current_sar_code_reproduces_the_stored_12nm_rows():
    """The rows of this sweep carry a newer SAR code than the stored 12.1 nm rows they are compared with along the
    K_s axis; the stored check (``codecheck``: the current code on realisation 1 of each variant at the defaults)
    must give the stored SAR back, so the comparison is like with like."""
    data = json.loads(SUMMARY.read_text())
    cc = data["code_check"]
    assert {k.rsplit(" ", 1)[0] for k in cc} == set(VARIANTS)
    codes = {r["sar_code_version"] for r in data["rows"]}
    for k, v in cc.items():
        assert {v["current_code"]} == codes, k
        for c in ("sar_sweep", "sar_sweep_water"):
            assert v[c]["new_over_stored"] == pytest.approx(1.0, abs=1e-6), (k, c)
            assert np.isfinite(v[c]["current"])


#: k_s (meV per bond) of K_s = −1e-5 J/m² on the {111} facet (the small-|K_s| sign point)
KS_SMALL_NEG = -0.0104785


def _point(value, seeds=None):
    """Group stats of every variant at k_s = ``value`` from the stored rows (the script's group_stats), the
    realisations ``seeds`` only when given, and the script module."""
    mod = _script()
    by = {}
    for r in json.loads(SUMMARY.read_text())["rows"]:
        if r["axis_value"] == value and (seeds is None or r["seed"] in seeds):
            by.setdefault(r["recipe_variant"], []).append(r)
    return {v: mod.T.group_stats(sorted(m, key=lambda r: r["seed"])) for v, m in by.items()}, mod


def test_sens12_kssign_small_verdicts_as_stated():
    """§8e at K_s = −1e-5 J/m² (two realisations), by the 2σ rule from the stored rows: two APBs and one APB raise
    the SAR in both media, two heat more than one in both, random δ = 0.10 lowers it in both, with the factors §8e
    quotes (to its rounding); the one-APB barrier rises monotonically as K_s goes from +2.9e-5 to −1e-4 J/m², the
    two-APB barrier lies between its −2.9e-5 and +2.9e-5 values, and the reference barrier is not resolved from its
    −2.9e-5 value."""
    st, mod = _point(KS_SMALL_NEG, (1, 2))
    assert all(s["seeds"] == [1, 2] for s in st.values()) and set(st) == set(VARIANTS)
    want = {("APB-two", "defect-free", "sar_sweep.sar"): ("higher", 117, 4.3),
            ("APB-two", "defect-free", "sar_sweep_water.sar"): ("higher", 45.7, 5.4),
            ("APB-centre", "defect-free", "sar_sweep.sar"): ("higher", 11.2, 0.8),
            ("APB-centre", "defect-free", "sar_sweep_water.sar"): ("higher", 13.6, 2.9),
            ("APB-centre", "APB-two", "sar_sweep.sar"): ("lower", 0.095, 0.006),
            ("APB-centre", "APB-two", "sar_sweep_water.sar"): ("lower", 0.30, 0.07),
            ("vacancies-random-0.10", "defect-free", "sar_sweep.sar"): ("lower", 0.901, 0.040),
            ("vacancies-random-0.10", "defect-free", "sar_sweep_water.sar"): ("lower", 0.902, 0.040)}
    for (v, ref, p), (d, r, e) in want.items():
        got = mod.T.ratio_entry(st[v], st[ref], p)
        assert mod.T._direction(got) == d, (v, ref, p)
        assert got["ratio"] == pytest.approx(r, rel=0.02) and got["err"] == pytest.approx(e, rel=0.1), (v, ref, p)
    S = json.loads(SUMMARY.read_text())["summary"]
    bar = {(e["variant"], round(e["K_s_J_per_m2"], 7)): e["stats"]["barrier_over_kT"]["mean"] for e in S["axis"]}
    one = [bar[("APB-centre", k)] for k in (2.9e-5, -1e-5, -2.9e-5, -1e-4)]
    assert one == sorted(one)
    assert bar[("APB-two", 2.9e-5)] < bar[("APB-two", -1e-5)] < bar[("APB-two", -2.9e-5)]
    ref = S["references"]
    b1, b2 = ref["-1e-5"]["barrier_over_kT"], ref["-2.9e-5"]["barrier_over_kT"]
    assert abs(b1["mean"] - b2["mean"]) < 2 * np.hypot(b1["err"], b2["err"])
