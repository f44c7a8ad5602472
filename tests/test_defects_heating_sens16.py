"""The 16 nm sensitivity recipes (issue #15; docs/validation.md §8k): each is the 16 nm study's particle, model,
protocol, drive and media (structures/recipes/defects_heating_16nm.toml, §8f) with only the swept model keys, the
seeds and the variants changed, and each swept key sits at the ends of its documented range (the [ranges] tables of
atomspin/model/params/*.toml), as the 12 nm sensitivity recipes of §8e do."""
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: per sensitivity recipe: the model keys it may change (the switch and the swept values), and its variant → the
#: variant of the 16 nm recipe whose particle it is
SENS = {
    "defects_heating_16nm_sens_ks": (("surface_anisotropy", "neel_ks_meV"),
                                     {"defect-free": "defect-free", "APB-two": "APB-two", "APB-centre": "APB-centre",
                                      "vacancies-random-0.10": "vacancies-random-0.10"}),
    "defects_heating_16nm_sens_japb": (("apb_exchange", "J_BB180_meV"),
                                       {"APB-two": "APB-two", "APB-centre": "APB-centre"}),
    "defects_heating_16nm_sens_interface": (("interface_exchange", "J_RB180_meV", "J_RB_meV", "J_RA_meV"),
                                            {"FeO-core-RB180-strong": "FeO-core", "FeO-core-RB-ferro": "FeO-core",
                                             "FeO-core-RA-weak": "FeO-core"}),
}
#: the sign of K_s (the full recipe and its first stage, the −default point alone): the K_s recipe's variants
SENS["defects_heating_16nm_sens_kssign"] = SENS["defects_heating_16nm_sens_ks"]
SENS["defects_heating_16nm_sens_kssign_default"] = SENS["defects_heating_16nm_sens_ks"]
SENS["defects_heating_16nm_sens_kssign_small"] = SENS["defects_heating_16nm_sens_ks"]


def _recipe(name):
    from atomspin.batch.recipe import load_recipe

    return load_recipe(ROOT / "structures" / "recipes" / f"{name}.toml")


def _tasks(name):
    from atomspin.batch import expand

    return expand(_recipe(name))


def _without(recipe, model_keys):
    """The resolved recipe without its name and the given model keys (a deep copy)."""
    r = json.loads(json.dumps(recipe))
    r.pop("meta", None)
    for k in model_keys:
        r["model"].pop(k, None)
    return r


@pytest.mark.parametrize("name", sorted(SENS))
def test_sens16_recipe_is_the_16nm_recipe_but_the_swept_keys(name):
    """Every task of a 16 nm sensitivity recipe resolves to the 16 nm study's task of the same particle (variant) and
    seed, except for the swept model keys: same structure, defects, model otherwise, protocol (landscape, SAR drive,
    media); seeds [1, 2]; the variants named in SENS, in that order."""
    keys, variants = SENS[name]
    main = {(t["variant"], t["seed"]): t["recipe"] for t in _tasks("defects_heating_16nm")}
    tasks = _tasks(name)
    assert sorted({t["seed"] for t in tasks}) == [1, 2]
    assert list(dict.fromkeys(t["variant"] for t in tasks)) == list(variants)
    n_points = len({json.dumps(t["point"], sort_keys=True) for t in tasks})
    assert len(tasks) == 2 * len(variants) * n_points
    for t in tasks:
        ref = main[(variants[t["variant"]], t["seed"])]
        assert _without(t["recipe"], keys) == _without(ref, keys), (name, t["variant"], t["seed"])
        # and the swept keys really differ from the 16 nm study's (it ran every model default)
        assert any(t["recipe"]["model"][k] != ref["model"][k] for k in keys), (name, t["variant"])


def test_sens16_recipes_sit_at_the_documented_range_ends():
    """K_s: the two ends of magnetite.toml's K_s range as the per-bond k_s of the {111} facet; J_BB180: the two ends
    of its BB180 range, APB exchange "given"; the interface couplings: each at the end of interface.toml's range that
    is not its default, the other two at their defaults, interface exchange "given". A changed range fails here."""
    from atomspin.model.anisotropy import neel_ks_from_surface_constant
    from atomspin.model.parameters import parameter_ranges

    mag, itf = parameter_ranges("magnetite"), parameter_ranges("interface")
    tk = _tasks("defects_heating_16nm_sens_ks")
    assert all(t["recipe"]["model"]["surface_anisotropy"] == "given" for t in tk)
    ks = sorted({t["recipe"]["model"]["neel_ks_meV"] for t in tk})
    assert ks == pytest.approx(sorted(neel_ks_from_surface_constant(mag["K_s_J_per_m2"][i]) for i in (0, 2)), rel=1e-5)
    tj = _tasks("defects_heating_16nm_sens_japb")
    assert all(t["recipe"]["model"]["apb_exchange"] == "given" for t in tj)
    assert sorted({t["recipe"]["model"]["J_BB180_meV"] for t in tj}) == [mag["BB180"][0], mag["BB180"][2]]
    counts = {t["variant"]: t["recipe"]["defects"]["apb"]["count"] for t in tj}
    assert counts == {"APB-two": 2, "APB-centre": 1}
    ti = _tasks("defects_heating_16nm_sens_interface")
    assert all(t["recipe"]["model"]["interface_exchange"] == "given" for t in ti)
    ends = {}
    for t in ti:
        m = t["recipe"]["model"]
        off = {k: m[f"J_{k}_meV"] for k in ("RB180", "RB", "RA") if m[f"J_{k}_meV"] != itf[k][1]}
        assert len(off) == 1, (t["variant"], off)  # one coupling at a time, the others at their defaults
        (k, v), = off.items()
        lo, mid, hi = itf[k]
        assert v == (lo if mid == hi else hi), (t["variant"], k, v)  # the end that is not the default
        ends[t["variant"]] = k
    assert ends == {"FeO-core-RB180-strong": "RB180", "FeO-core-RB-ferro": "RB", "FeO-core-RA-weak": "RA"}


def test_sens16_kssign_recipe_sits_at_minus_the_documented_constants():
    """The sign-of-K_s recipe sweeps k_s = −(the default K_s) and −(the upper end of the K_s range) of magnetite.toml,
    converted on the {111} facet, in that order, with surface_anisotropy "given"; its first stage holds the −default
    point alone and its tasks are the full recipe's (same hashes, so the second invocation skips them); apart from
    the sign, the recipe is the K_s recipe (same variants, seeds, base); and a negative k_s really is a negative
    facet constant (E/A = const + K_s (ŝ·ν̂)², easy normal) on the {111} and {100} facets."""
    from atomspin.model.anisotropy import neel_facet_constant_J_per_m2, neel_ks_from_surface_constant
    from atomspin.model.parameters import load_parameter_set, parameter_ranges

    lo, default, hi = parameter_ranges("magnetite")["K_s_J_per_m2"]
    assert default == load_parameter_set("magnetite").extra["surface_anisotropy"]["K_s_J_per_m2"]
    want = [neel_ks_from_surface_constant(-default), neel_ks_from_surface_constant(-hi)]
    rec = _recipe("defects_heating_16nm_sens_kssign")
    assert list(rec["sweep"]["axes"]["model.neel_ks_meV"]) == pytest.approx(want, rel=1e-5)
    tasks = _tasks("defects_heating_16nm_sens_kssign")
    assert all(t["recipe"]["model"]["surface_anisotropy"] == "given" for t in tasks)
    assert sorted({t["recipe"]["model"]["neel_ks_meV"] for t in tasks}) == pytest.approx(sorted(want), rel=1e-5)
    stage = _tasks("defects_heating_16nm_sens_kssign_default")
    assert sorted({t["recipe"]["model"]["neel_ks_meV"] for t in stage}) == pytest.approx([want[0]], rel=1e-5)
    first = {t["hash"] for t in tasks if t["recipe"]["model"]["neel_ks_meV"] == pytest.approx(want[0], rel=1e-5)}
    assert {t["hash"] for t in stage} == first and len(first) == 8
    ks = {(t["variant"], t["seed"]): t["recipe"] for t in _tasks("defects_heating_16nm_sens_ks")}
    assert {(t["variant"], t["seed"]) for t in tasks} == set(ks)
    for t in tasks:
        assert _without(t["recipe"], ("neel_ks_meV",)) == _without(ks[(t["variant"], t["seed"])], ("neel_ks_meV",))
    for normal in ((1, 1, 1), (1, 0, 0)):
        assert neel_facet_constant_J_per_m2(want[0], normal) < 0
    assert neel_facet_constant_J_per_m2(want[0], (1, 1, 1)) == pytest.approx(-default, rel=1e-5)


def test_sens16_kssign_small_recipe_sits_at_minus_the_lower_end():
    """The small-|K_s| sign recipe sweeps k_s = −(the lower end of magnetite.toml's K_s range) alone, on the {111}
    facet, with surface_anisotropy "given"; apart from it, the recipe is the K_s recipe (same variants, seeds, base)."""
    from atomspin.model.anisotropy import neel_facet_constant_J_per_m2, neel_ks_from_surface_constant
    from atomspin.model.parameters import parameter_ranges

    lo = parameter_ranges("magnetite")["K_s_J_per_m2"][0]
    tasks = _tasks("defects_heating_16nm_sens_kssign_small")
    assert len(tasks) == 8 and all(t["recipe"]["model"]["surface_anisotropy"] == "given" for t in tasks)
    (k,) = {t["recipe"]["model"]["neel_ks_meV"] for t in tasks}
    assert k == pytest.approx(neel_ks_from_surface_constant(-lo), rel=1e-5)
    assert neel_facet_constant_J_per_m2(k, (1, 1, 1)) == pytest.approx(-lo, rel=1e-5)
    ks = {(t["variant"], t["seed"]): t["recipe"] for t in _tasks("defects_heating_16nm_sens_ks")}
    assert {(t["variant"], t["seed"]) for t in tasks} == set(ks)
    for t in tasks:
        assert _without(t["recipe"], ("neel_ks_meV",)) == _without(ks[(t["variant"], t["seed"])], ("neel_ks_meV",))


def _script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_defects_heating_sens16",
                                                  ROOT / "docs" / "make_defects_heating_sens16.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_sens16_summary_is_the_stored_rows_summarised():
    """The committed summary (sens_16nm.json) is the script's summary of its own stored rows and the committed 16 nm
    study (a summary edited by hand, or rows changed without it, fails), and every stored verdict is the 2σ rule on
    its own ratio and error."""
    mod = _script()
    data = json.loads(mod.OUT.read_text())
    fresh = json.loads(json.dumps(mod.summarise(data["rows"]), default=float))

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
    for e in data["summary"]["sensitivity"]:
        for p, r in e["stats"]["ratio"].items():
            resolved = abs(r["ratio"] - 1) > 2 * r["err"]
            assert r["verdict"] == (("resolved at 2σ, " + ("higher" if r["ratio"] > 1 else "lower")) if resolved
                                    else "not resolved at 2σ"), (e["variant"], e["value"], p)
    # the sign of K_s: two realisations of every K_s-sweep variant at each negative K_s measured
    neg = {}
    for r in data["rows"]:
        if r["axis_parameter"] == "neel_ks_meV" and r["axis_value"] < 0:
            neg.setdefault((r["recipe_variant"], r["axis_value"]), []).append(r["seed"])
    assert neg and all(sorted(v) == [1, 2] for v in neg.values())
    assert {v for v, _ in neg} == set(SENS["defects_heating_16nm_sens_ks"][1])


def test_sens16_axes_are_those_of_the_12nm_sensitivity_recipes():
    """The 16 nm sensitivity recipes sweep the same keys to the same values as the 12 nm ones (§8e), so the two
    sizes are compared at the same parameters."""
    def swept(name):
        out = set()
        for t in _tasks(name):
            m = t["recipe"]["model"]
            out.add(tuple(sorted((k, m[k]) for k in ("neel_ks_meV", "J_BB180_meV", "J_RB180_meV", "J_RB_meV",
                                                     "J_RA_meV", "surface_anisotropy", "apb_exchange",
                                                     "interface_exchange"))))
        return out

    for s in ("sens_ks", "sens_japb", "sens_interface"):
        assert swept(f"defects_heating_16nm_{s}") == swept(f"defects_heating_12nm_{s}"), s


def test_validation_section_8k_tables_are_the_generated_ones():
    """docs/validation.md §8k prints exactly what ``make_defects_heating_sens16.py table`` makes of the committed
    summary (a table edited by hand, or a summary changed without the table, fails)."""
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("make_defects_heating_sens16", root / "docs" / "make_defects_heating_sens16.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    text = (root / "docs" / "validation.md").read_text()
    a = text.index("<!-- 8k tables -->") + len("<!-- 8k tables -->")
    assert text[a:text.index("<!-- /8k tables -->")].strip() == mod.table()
    assert mod.alpha_table().count("\n") > 4 and mod.alpha_table() in text
