"""The 16 nm sensitivity recipes (issue #15; docs/validation.md §8k): each is the 16 nm study's particle, model,
protocol, drive and media (structures/recipes/defects_heating_16nm.toml, §8f) with only the swept model keys, the
seeds and the variants changed, and each swept key sits at the ends of its documented range (the [ranges] tables of
atomspin/model/params/*.toml), as the 12 nm sensitivity recipes of §8e do."""
import json
from pathlib import Path

import numpy as np
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
SENS["defects_heating_16nm_sens_kssign_seeds34"] = SENS["defects_heating_16nm_sens_ks"]
SENS["defects_heating_16nm_sens_kssign_seeds34_large"] = SENS["defects_heating_16nm_sens_ks"]
SENS["defects_heating_16nm_sens_kssign_small_seeds34"] = SENS["defects_heating_16nm_sens_ks"]
#: the seeds of each recipe (realisations 3-4 at −2.9e-5, −1e-4 and −1e-5 J/m² in their own recipes; every other:
#: 1-2)
SEEDS = {"defects_heating_16nm_sens_kssign_seeds34": [3, 4], "defects_heating_16nm_sens_kssign_seeds34_large": [3, 4],
         "defects_heating_16nm_sens_kssign_small_seeds34": [3, 4]}


def _permutation_p(a, b):
    """Exact two-sided permutation p of the difference of the means of ``a`` and ``b`` (every relabelling)."""
    import itertools

    pooled, n = list(a) + list(b), len(a)
    obs = abs(np.mean(a) - np.mean(b))
    ps = [abs(np.mean([pooled[i] for i in c]) - np.mean([pooled[i] for i in range(len(pooled)) if i not in c]))
          >= obs * (1 - 1e-12) for c in itertools.combinations(range(len(pooled)), n)]
    return sum(ps) / len(ps)


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
    media); seeds [1, 2] (SEEDS: [3, 4] for the seeds-3-4 recipe); the variants named in SENS, in that order."""
    keys, variants = SENS[name]
    main = {(t["variant"], t["seed"]): t["recipe"] for t in _tasks("defects_heating_16nm")}
    tasks = _tasks(name)
    assert sorted({t["seed"] for t in tasks}) == SEEDS.get(name, [1, 2])
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


#: the task hashes of realisations 3-4 at K_s = −2.9e-5 J/m² as they were run (atomspin validate, 2026-12-01): the
#: stored rows of results/defects_heating_16nm_sens_kssign_seeds34.db carry them; a change of the recipe or of the
#: task hash fails here
SEEDS34_HASHES = {("defect-free", 3): "09479300cfd115d3", ("defect-free", 4): "af8937c8a86b5e7d",
                  ("APB-two", 3): "9d5e49f5f1ec0469", ("APB-two", 4): "98e7d2c1cccc8212",
                  ("APB-centre", 3): "65b5fe106a0eb507", ("APB-centre", 4): "a771a6b5a8d118cc",
                  ("vacancies-random-0.10", 3): "6ad7a4024637af5e", ("vacancies-random-0.10", 4): "8ccf41f043fcc376"}


SEEDS34_LARGE_HASHES = {("defect-free", 3): "3caa4a073c9052c0", ("defect-free", 4): "eed89164b720891b",
                        ("APB-two", 3): "d328039f5b377d75", ("APB-two", 4): "19cbf68f69c7c66c",
                        ("APB-centre", 3): "eec301348cffc555", ("APB-centre", 4): "f5a48d0499516fc3",
                        ("vacancies-random-0.10", 3): "a247c48141f1c860",
                        ("vacancies-random-0.10", 4): "b306a692e5368935"}


#: the same at K_s = −1e-5 J/m² (results/defects_heating_16nm_sens_kssign_small_seeds34.db, 2026-12-01)
SEEDS34_SMALL_HASHES = {("defect-free", 3): "8539ad42b4d9b8bf", ("defect-free", 4): "45c8a39307efd20e",
                        ("APB-two", 3): "9af9e495a725ef5a", ("APB-two", 4): "9836974c6c41a823",
                        ("APB-centre", 3): "ed5b53f3bf4858fd", ("APB-centre", 4): "b64814bc9954498c",
                        ("vacancies-random-0.10", 3): "c2f2df8fc69f7528",
                        ("vacancies-random-0.10", 4): "bd5adcdb83f0528c"}


@pytest.mark.parametrize("name,end,hashes,base", [
    ("defects_heating_16nm_sens_kssign_seeds34", 1, SEEDS34_HASHES, "defects_heating_16nm_sens_kssign"),
    ("defects_heating_16nm_sens_kssign_seeds34_large", 2, SEEDS34_LARGE_HASHES, "defects_heating_16nm_sens_kssign"),
    ("defects_heating_16nm_sens_kssign_small_seeds34", 0, SEEDS34_SMALL_HASHES,
     "defects_heating_16nm_sens_kssign_small")])
def test_sens16_kssign_seeds34_recipe_is_the_kssign_recipe_with_seeds_3_4(name, end, hashes, base):
    """Realisations 3-4 at K_s = −2.9e-5 J/m² (k_s = −(the default K_s of magnetite.toml)), at −1e-4 J/m²
    (−(the upper end of its range)) and at −1e-5 J/m² (−(the lower end)), on the {111} facet, one K_s per recipe,
    surface_anisotropy "given", the K_s recipe's four variants, seeds 3-4; every task is the task the sign-of-K_s
    recipe of that K_s (``base``) would run with its seeds extended to [1, 2, 3, 4] (same resolved recipe, same hash,
    so its rows are more realisations of the same point), and the hashes are the ones run."""
    from atomspin.batch import expand
    from atomspin.model.anisotropy import neel_facet_constant_J_per_m2, neel_ks_from_surface_constant
    from atomspin.model.parameters import parameter_ranges

    ks_J = parameter_ranges("magnetite")["K_s_J_per_m2"][end]
    tasks = _tasks(name)
    assert len(tasks) == 8 and all(t["recipe"]["model"]["surface_anisotropy"] == "given" for t in tasks)
    (k,) = {t["recipe"]["model"]["neel_ks_meV"] for t in tasks}
    assert k == pytest.approx(neel_ks_from_surface_constant(-ks_J), rel=1e-5)
    assert neel_facet_constant_J_per_m2(k, (1, 1, 1)) == pytest.approx(-ks_J, rel=1e-5)
    assert {(t["variant"], t["seed"]): t["hash"] for t in tasks} == hashes
    full = _recipe(base)
    full["sweep"]["seeds"] = [1, 2, 3, 4]
    extended = {(t["variant"], t["seed"], t["recipe"]["model"]["neel_ks_meV"]): t for t in expand(full)}
    for t in tasks:
        e = extended[(t["variant"], t["seed"], k)]
        assert t["hash"] == e["hash"], (t["variant"], t["seed"])
        assert _without(t["recipe"], ()) == _without(e["recipe"], ())
    # and seeds 1-2 of the extended recipe are the stored sign-of-K_s tasks (their hashes unchanged by the extension)
    stored = {t["hash"] for t in _tasks(base)}
    assert stored <= {t["hash"] for t in extended.values()}


#: k_s (meV per bond) of K_s = −2.9e-5 J/m² on the {111} facet, the axis value of the four-realisation point
KS_DEFAULT_NEG = -0.0303876
#: and of K_s = −1e-4 J/m² (minus the upper end of the range)
KS_LARGE_NEG = -0.104785
#: and of K_s = −1e-5 J/m² (minus the lower end of the range)
KS_SMALL_NEG = -0.0104785


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
    # the sign of K_s: four realisations of every K_s-sweep variant at each negative K_s measured (−2.9e-5, −1e-4
    # and −1e-5 J/m²), seeds 3-4 from their own runs, which the rows name
    neg = {}
    runs = {KS_DEFAULT_NEG: "sens_kssign_seeds34", KS_LARGE_NEG: "sens_kssign_seeds34_large",
            KS_SMALL_NEG: "sens_kssign_small_seeds34"}
    for r in data["rows"]:
        if r["axis_parameter"] == "neel_ks_meV" and r["axis_value"] < 0:
            neg.setdefault((r["recipe_variant"], r["axis_value"]), []).append(r["seed"])
            assert r.get("run", r["study"]) == (runs[r["axis_value"]] if r["seed"] > 2 else r["study"])
    assert neg and all(sorted(v) == [1, 2, 3, 4] for v in neg.values())
    assert {k for _, k in neg} == set(runs)
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


def _point(value, seeds=None):
    """Group stats of every variant at k_s = ``value`` (meV per bond) from the stored rows of sens_16nm.json, the
    realisations ``seeds`` only when given (the script's group_stats: error = the larger of the seed standard error
    and the propagated per-realisation error/√n), and the script module."""
    mod = _script()
    by = {}
    for r in json.loads(mod.OUT.read_text())["rows"]:
        if r["axis_parameter"] == "neel_ks_meV" and r["axis_value"] == value and (seeds is None or r["seed"] in seeds):
            by.setdefault(r["recipe_variant"], []).append(r)
    return {v: mod.T.group_stats(sorted(m, key=lambda r: r["seed"])) for v, m in by.items()}, mod


def _direction(mod, s, ref, path):
    """'higher', 'lower' (resolved beyond 2σ) or 'n.r.' of the ratio s/ref of ``path``."""
    return mod.T._direction(mod.T.ratio_entry(s, ref, path))


#: §8k's verdicts at K_s = −2.9e-5 J/m² (ratio to the defect-free particle at the same K_s; one APB ÷ two APBs), as
#: stated for the two realisations of the first run (seeds 1-2) and for all four (seeds 1-4)
VERDICTS_KS_NEG = {("APB-two", "defect-free", "sar_sweep.sar"): "higher",
                   ("APB-two", "defect-free", "sar_sweep_water.sar"): "higher",
                   ("APB-centre", "defect-free", "sar_sweep.sar"): "higher",
                   ("APB-centre", "defect-free", "sar_sweep_water.sar"): "higher",
                   ("vacancies-random-0.10", "defect-free", "sar_sweep.sar"): "n.r.",
                   ("vacancies-random-0.10", "defect-free", "sar_sweep_water.sar"): "n.r.",
                   ("APB-centre", "APB-two", "sar_sweep.sar"): "higher",
                   ("APB-centre", "APB-two", "sar_sweep_water.sar"): "lower"}


@pytest.mark.parametrize("seeds", [(1, 2), (3, 4), (1, 2, 3, 4)])
def test_sens16_kssign_verdicts_at_minus_default_survive_four_realisations(seeds):
    """§8k: at K_s = −2.9e-5 J/m² two APBs and one APB raise the SAR in both media, one APB heats more than two
    immobilised and less in water, random δ = 0.10 is not resolved, each by the 2σ rule from the stored rows, with
    seeds 1-2 (the first run), seeds 3-4 alone and all four: every verdict survives the two added realisations."""
    st, mod = _point(KS_DEFAULT_NEG, seeds)
    assert all(st[v]["seeds"] == list(seeds) for v in st) and len(st) == 4
    for (v, ref, p), want in VERDICTS_KS_NEG.items():
        assert _direction(mod, st[v], st[ref], p) == want, (seeds, v, ref, p)


def test_sens16_kssign_minus_default_numbers_as_stated():
    """The four-realisation factors §8k quotes at K_s = −2.9e-5 J/m² (to its rounding), from the stored rows: two
    APBs × 6.8 ± 1.0 immobilised and × 447 ± 20 in water, one APB × 263 ± 32 and × 278 ± 26, random δ = 0.10
    × 1.053 ± 0.030, one ÷ two × 39 ± 7 and × 0.62 ± 0.06, the reference 0.384 ± 0.007 W/g; the two-APB barrier
    falls between its −1e-4 and −1e-5 J/m² values (monotonic in K_s)."""
    st, mod = _point(KS_DEFAULT_NEG)

    def r(v, ref, p):
        e = mod.T.ratio_entry(st[v], st[ref], p)
        return e["ratio"], e["err"]
    for (v, ref, p), (want, err) in {("APB-two", "defect-free", "sar_sweep.sar"): (6.8, 1.0),
                                     ("APB-two", "defect-free", "sar_sweep_water.sar"): (447, 20),
                                     ("APB-centre", "defect-free", "sar_sweep.sar"): (263, 32),
                                     ("APB-centre", "defect-free", "sar_sweep_water.sar"): (278, 26),
                                     ("vacancies-random-0.10", "defect-free", "sar_sweep.sar"): (1.053, 0.030),
                                     ("APB-centre", "APB-two", "sar_sweep.sar"): (39, 7),
                                     ("APB-centre", "APB-two", "sar_sweep_water.sar"): (0.62, 0.06)}.items():
        got, got_err = r(v, ref, p)
        assert got == pytest.approx(want, rel=0.02), (v, ref, p)
        assert got_err == pytest.approx(err, rel=0.1), (v, ref, p)
    assert st["defect-free"]["sar_sweep.sar"]["mean"] == pytest.approx(0.384, abs=0.001)
    b = {k: _point(k)[0]["APB-two"]["barrier_over_kT"]["mean"] for k in (-0.104785, KS_DEFAULT_NEG, -0.0104785)}
    assert b[-0.104785] > b[KS_DEFAULT_NEG] > b[-0.0104785]


def test_sens16_kssign_minus_default_seed_separation():
    """§8k's per-realisation evidence at −2.9e-5 J/m² (four against four): every two-APB and one-APB realisation lies
    above every defect-free one in both SARs and the barrier (exact two-sided permutation p = 2/70, the smallest
    possible); random δ = 0.10 overlaps the reference (p = 8/70). Computed here from the stored rows, not read from
    the summary, and the summary's ``separation`` entries agree."""
    st, mod = _point(KS_DEFAULT_NEG)
    perm = _permutation_p
    ref = st["defect-free"]
    for v in ("APB-two", "APB-centre"):
        for p in ("sar_sweep.sar", "sar_sweep_water.sar", "barrier_over_kT"):
            a, b = st[v][p]["per_seed"], ref[p]["per_seed"]
            assert len(a) == len(b) == 4 and min(a) > max(b), (v, p)
            assert perm(a, b) == pytest.approx(2 / 70), (v, p)
    for p in ("sar_sweep.sar", "sar_sweep_water.sar"):
        a, b = st["vacancies-random-0.10"][p]["per_seed"], ref[p]["per_seed"]
        assert not (min(a) > max(b) or max(a) < min(b))
        assert perm(a, b) == pytest.approx(8 / 70), p
    S = json.loads(mod.OUT.read_text())["summary"]["sensitivity"]
    for e in S:
        if e["parameter"] == "neel_ks_meV" and e["value"] == KS_DEFAULT_NEG:
            for p, d in e["stats"]["separation"].items():
                assert d["permutation_p"] == pytest.approx(perm(d["per_seed"], d["reference_per_seed"])), (e, p)


def test_sens16_current_sar_code_reproduces_the_stored_kssign_rows():
    """Seeds 3-4 at −2.9e-5 J/m² carry a newer SAR code than the stored seeds 1-2 they are averaged with; the stored
    check (``codecheck``: the current code on every stored seeds 1-2 row at that K_s) must give the stored SAR back
    in both media, and its current code must be the code of the seeds 3-4 rows."""
    data = json.loads(_script().OUT.read_text())
    cc = data["code_check"]
    assert {k.rsplit(" ", 1)[0] for k in cc} == set(SENS["defects_heating_16nm_sens_ks"][1])
    assert {k.rsplit(" ", 1)[1] for k in cc} == {"s1", "s2"}
    new = {r["sar_code_version"] for r in data["rows"] if r.get("run") == "sens_kssign_seeds34"}
    old = {r["sar_code_version"] for r in data["rows"] if r["study"] == "sens_kssign" and "run" not in r
           and r["axis_value"] == KS_DEFAULT_NEG}
    assert len(new) == 1 and len(old) == 1
    for k, v in cc.items():
        assert {v["current_code"]} == new and {v["stored_code"]} == old, k
        for c in ("sar_sweep", "sar_sweep_water"):
            assert v[c]["new_over_stored"] == pytest.approx(1.0, abs=1e-6), (k, c)


@pytest.mark.parametrize("seeds,want", [((1, 2), "n.r."), ((3, 4), "lower"), ((1, 2, 3, 4), "lower")])
def test_sens16_two_apbs_immobilised_reverse_at_minus_upper_end(seeds, want):
    """§8k at K_s = −1e-4 J/m², from the stored rows: the immobilised two-APB ratio is not resolved with the first two
    realisations (× 0.82 ± 0.10), resolved lower with seeds 3-4 alone (one SAR code; × 0.48 ± 0.05) and with all
    four (× 0.65 ± 0.11), every two-APB realisation below every defect-free one (exact permutation p = 2/70); in water
    two APBs raise the SAR with every set (× 350 ± 16 with four)."""
    st, mod = _point(KS_LARGE_NEG, seeds)
    two, ref = st["APB-two"], st["defect-free"]
    assert two["seeds"] == ref["seeds"] == list(seeds)
    assert _direction(mod, two, ref, "sar_sweep.sar") == want
    assert _direction(mod, two, ref, "sar_sweep_water.sar") == "higher"
    if len(seeds) == 4:
        r = mod.T.ratio_entry(two, ref, "sar_sweep.sar")
        assert r["ratio"] == pytest.approx(0.652, abs=0.005) and r["err"] == pytest.approx(0.107, abs=0.005)
        w = mod.T.ratio_entry(two, ref, "sar_sweep_water.sar")
        assert w["ratio"] == pytest.approx(350, rel=0.01) and w["err"] == pytest.approx(16, rel=0.1)
        a, b = two["sar_sweep.sar"]["per_seed"], ref["sar_sweep.sar"]["per_seed"]
        assert max(a) < min(b)
        assert _permutation_p(a, b) == pytest.approx(2 / 70)
        # one APB (four realisations too) still raises it, and heats more than two immobilised
        one = st["APB-centre"]
        assert one["seeds"] == [1, 2, 3, 4]
        assert _direction(mod, one, ref, "sar_sweep.sar") == "higher"
        assert _direction(mod, one, two, "sar_sweep.sar") == "higher"


def test_sens16_holds_records_the_two_apb_reversal():
    """The stored ``holds`` of two APBs, immobilised, says the sign reverses over the parameter settings (higher at the
    defaults and every other K_s, lower at −1e-4 J/m²), and in water that it holds."""
    S = json.loads(_script().OUT.read_text())["summary"]["holds"]["APB-two"]
    im = S["sar_sweep.sar"]
    assert im["neel_ks_meV=-0.104785"] == "lower" and im["holds"].startswith("SIGN REVERSES")
    assert all(v == "higher" for k, v in im.items() if k not in ("holds", "neel_ks_meV=-0.104785"))
    assert S["sar_sweep_water.sar"]["holds"] == "holds (higher)"


#: §8k's verdicts at K_s = −1e-4 J/m² for one APB through the centre, random δ = 0.10 and one ÷ two APBs, with seeds
#: 1-2 (the first run), seeds 3-4 alone (one SAR code) and all four
VERDICTS_KS_LARGE_NEG = {
    (1, 2): {("APB-centre", "defect-free", "sar_sweep.sar"): "higher",
             ("APB-centre", "defect-free", "sar_sweep_water.sar"): "higher",
             ("vacancies-random-0.10", "defect-free", "sar_sweep.sar"): "n.r.",
             ("vacancies-random-0.10", "defect-free", "sar_sweep_water.sar"): "n.r.",
             ("APB-centre", "APB-two", "sar_sweep.sar"): "higher",
             ("APB-centre", "APB-two", "sar_sweep_water.sar"): "n.r."},
    (3, 4): {("APB-centre", "defect-free", "sar_sweep.sar"): "higher",
             ("APB-centre", "defect-free", "sar_sweep_water.sar"): "higher",
             ("vacancies-random-0.10", "defect-free", "sar_sweep.sar"): "n.r.",
             ("vacancies-random-0.10", "defect-free", "sar_sweep_water.sar"): "n.r.",
             ("APB-centre", "APB-two", "sar_sweep.sar"): "higher",
             ("APB-centre", "APB-two", "sar_sweep_water.sar"): "n.r."},
    (1, 2, 3, 4): {("APB-centre", "defect-free", "sar_sweep.sar"): "higher",
                   ("APB-centre", "defect-free", "sar_sweep_water.sar"): "higher",
                   ("vacancies-random-0.10", "defect-free", "sar_sweep.sar"): "n.r.",
                   ("vacancies-random-0.10", "defect-free", "sar_sweep_water.sar"): "n.r.",
                   ("APB-centre", "APB-two", "sar_sweep.sar"): "higher",
                   ("APB-centre", "APB-two", "sar_sweep_water.sar"): "lower"}}


@pytest.mark.parametrize("seeds", sorted(VERDICTS_KS_LARGE_NEG))
def test_sens16_kssign_minus_upper_end_one_apb_and_vacancies(seeds):
    """§8k at K_s = −1e-4 J/m² (k_s = −0.104785 meV), from the stored rows, with seeds 1-2, seeds 3-4 alone and all
    four: one APB through the centre raises the SAR in both media and heats more than two APBs immobilised with
    every set; random δ = 0.10 is not resolved with any; in water one APB ÷ two APBs is not resolved with two
    realisations and resolved lower (two APBs heat more) with four, at 2.1σ only."""
    st, mod = _point(KS_LARGE_NEG, seeds)
    assert all(st[v]["seeds"] == list(seeds) for v in st) and len(st) == 4
    for (v, ref, p), want in VERDICTS_KS_LARGE_NEG[seeds].items():
        assert _direction(mod, st[v], st[ref], p) == want, (seeds, v, ref, p)


def test_sens16_kssign_minus_upper_end_numbers_and_separation_as_stated():
    """The four-realisation numbers §8k quotes at K_s = −1e-4 J/m² (to its rounding), from the stored rows: one APB
    × 405 ± 22 immobilised and × 312 ± 14 in water, every realisation above every defect-free one in both media and
    the barrier (exact permutation p = 2/70); random δ = 0.10 × 1.033 ± 0.034 in both media, its realisations
    overlapping the reference's (p = 24/70), its barrier change +0.26 ± 0.12 k_BT (resolved at 2σ, p = 6/70 on the
    barrier); one ÷ two × 620 ± 110 immobilised (p = 2/70) and × 0.89 ± 0.05 in water (p = 6/70: the realisations
    overlap)."""
    st, mod = _point(KS_LARGE_NEG)
    perm = _permutation_p
    for (v, ref, p), (want, err, p_want, sep) in {
            ("APB-centre", "defect-free", "sar_sweep.sar"): (405, 22, 2 / 70, "above"),
            ("APB-centre", "defect-free", "sar_sweep_water.sar"): (312, 14, 2 / 70, "above"),
            ("APB-centre", "defect-free", "barrier_over_kT"): (None, None, 2 / 70, "above"),
            ("vacancies-random-0.10", "defect-free", "sar_sweep.sar"): (1.033, 0.034, 24 / 70, "no"),
            ("vacancies-random-0.10", "defect-free", "sar_sweep_water.sar"): (1.033, 0.034, 24 / 70, "no"),
            ("vacancies-random-0.10", "defect-free", "barrier_over_kT"): (None, None, 6 / 70, "no"),
            ("APB-centre", "APB-two", "sar_sweep.sar"): (620, 106, 2 / 70, "above"),
            ("APB-centre", "APB-two", "sar_sweep_water.sar"): (0.891, 0.052, 6 / 70, "no")}.items():
        if want is not None:
            e = mod.T.ratio_entry(st[v], st[ref], p)
            assert e["ratio"] == pytest.approx(want, rel=0.01), (v, ref, p)
            assert e["err"] == pytest.approx(err, rel=0.05), (v, ref, p)
        a, b = st[v][p]["per_seed"], st[ref][p]["per_seed"]
        assert len(a) == len(b) == 4
        got = "above" if min(a) > max(b) else ("below" if max(a) < min(b) else "no")
        assert got == sep, (v, ref, p)
        assert perm(a, b) == pytest.approx(p_want), (v, ref, p)
    d = mod.M16.barrier_difference(st["vacancies-random-0.10"], st["defect-free"])
    assert d["diff"] == pytest.approx(0.255, abs=0.005) and d["err"] == pytest.approx(0.119, abs=0.005)
    assert d["verdict"] == "resolved at 2σ, higher"
    # with two realisations the vacancy barrier change was not resolved
    st2, _ = _point(KS_LARGE_NEG, (1, 2))
    assert mod.M16.barrier_difference(st2["vacancies-random-0.10"], st2["defect-free"])["verdict"] == \
        "not resolved at 2σ"
    # and the summary's separation entries at this K_s agree with the permutation computed here
    for e in json.loads(mod.OUT.read_text())["summary"]["sensitivity"]:
        if e["parameter"] == "neel_ks_meV" and e["value"] == KS_LARGE_NEG:
            assert e["stats"]["n"] == e["reference_n"] == 4, e["variant"]
            for p, d in e["stats"]["separation"].items():
                assert d["permutation_p"] == pytest.approx(perm(d["per_seed"], d["reference_per_seed"])), (e, p)


def test_sens16_holds_over_the_sign_of_ks_with_four_realisations_at_minus_upper_end():
    """The stored ``holds`` with four realisations at −1e-4 J/m²: one APB raises the SAR at every setting in both
    media; random δ = 0.10 is not resolved at −1e-4 J/m² (resolved, by the 2σ rule only, at −1e-5 J/m², four
    realisations; test_sens16_kssign_minus_lower_end_numbers_and_separation_as_stated)."""
    H = json.loads(_script().OUT.read_text())["summary"]["holds"]
    for p in ("sar_sweep.sar", "sar_sweep_water.sar"):
        assert H["APB-centre"][p]["holds"] == "holds (higher)"
        v = H["vacancies-random-0.10"][p]
        assert v["neel_ks_meV=-0.104785"] == "n.r." and v["neel_ks_meV=-0.0104785"] == "higher"
        assert [k for k, x in v.items() if x == "higher"] == ["neel_ks_meV=-0.0104785"]


def test_sens16_current_sar_code_reproduces_the_stored_kssign_rows_at_minus_upper_end():
    """The same check at −1e-4 J/m² (``codecheck_large``, stored as ``code_check_large``): the current code on every
    stored seeds 1-2 row at that K_s gives the stored SAR back in both media, and it is the code of the seeds 3-4
    rows (run sens_kssign_seeds34_large), so the four realisations there are scored alike; the −2.9e-5 J/m² check is
    kept beside it."""
    data = json.loads(_script().OUT.read_text())
    cc = data["code_check_large"]
    assert {k.rsplit(" ", 1)[0] for k in cc} == set(SENS["defects_heating_16nm_sens_ks"][1])
    assert {k.rsplit(" ", 1)[1] for k in cc} == {"s1", "s2"}
    assert {v["neel_ks_meV"] for v in cc.values()} == {KS_LARGE_NEG}
    assert {v["neel_ks_meV"] for v in data["code_check"].values()} == {KS_DEFAULT_NEG}
    new = {r["sar_code_version"] for r in data["rows"] if r.get("run") == "sens_kssign_seeds34_large"}
    old = {r["sar_code_version"] for r in data["rows"] if r["study"] == "sens_kssign" and "run" not in r
           and r["axis_value"] == KS_LARGE_NEG}
    assert len(new) == 1 and len(old) == 1
    for k, v in cc.items():
        assert {v["current_code"]} == new and {v["stored_code"]} == old, k
        for c in ("sar_sweep", "sar_sweep_water"):
            assert v[c]["new_over_stored"] == pytest.approx(1.0, abs=1e-6), (k, c)


@pytest.mark.parametrize("run,hashes", [("sens_kssign_seeds34", SEEDS34_HASHES),
                                        ("sens_kssign_seeds34_large", SEEDS34_LARGE_HASHES),
                                        ("sens_kssign_small_seeds34", SEEDS34_SMALL_HASHES)])
def test_sens16_stored_seeds34_rows_carry_the_frozen_hashes(run, hashes):
    """Every stored row of realisations 3-4 (at −2.9e-5, −1e-4 and −1e-5 J/m², all eight tasks of each) carries the
    task hash frozen above for its variant and seed: the rows are those of the recipe as it stands."""
    rows = [r for r in json.loads(_script().OUT.read_text())["rows"] if r.get("run") == run]
    assert {(r["recipe_variant"], r["seed"]): r["task_hash"] for r in rows} == hashes
    assert len(rows) == len(hashes)


def test_sens16_summary_is_written_compactly_and_unchanged():
    """The summary is written by ``dump_json``: the same JSON as ``json.dumps(indent=1)`` (it reads back equal, NaN
    included), innermost number lists on one line with bare commas, and the committed file stays under 2 MB
    (2,000,000 bytes)."""
    import math

    M = _script()
    data = {"a": [1.0, -2.5e-21, 3], "b": [[1.0, 2.0], [3.0, 4.0]], "c": {"d": [float("nan"), 1.0]}, "e": []}
    text = M.dump_json(data)
    back = json.loads(text)
    assert back["a"] == data["a"] and back["b"] == data["b"] and back["e"] == []
    assert math.isnan(back["c"]["d"][0]) and back["c"]["d"][1] == 1.0
    assert '"a": [1.0,-2.5e-21,3]' in text and "[1.0,2.0]" in text
    path = ROOT / "docs" / "figures" / "defects_heating" / "sens_16nm.json"
    assert path.stat().st_size < 2_000_000
    assert json.loads(M.dump_json(json.loads(path.read_text()))) == json.loads(path.read_text())


def test_sens16_kssign_small_four_realisations_share_one_sar_code():
    """At K_s = −1e-5 J/m² the stored seeds 1-2 rows (sens_kssign_small) and the seeds 3-4 rows (run
    sens_kssign_small_seeds34) were written by one SAR code (``sar_code_version``), so the four realisations are
    scored alike without a code check (at −2.9e-5 and −1e-4 J/m² the seeds 1-2 rows are older: ``code_check``)."""
    rows = [r for r in json.loads(_script().OUT.read_text())["rows"]
            if r["axis_parameter"] == "neel_ks_meV" and r["axis_value"] == KS_SMALL_NEG]
    old = {r["sar_code_version"] for r in rows if "run" not in r and r["seed"] in (1, 2)}
    new = {r["sar_code_version"] for r in rows if r.get("run") == "sens_kssign_small_seeds34" and r["seed"] in (3, 4)}
    assert len(rows) == 16 and old and old == new and len(old) == 1


#: §8k's verdicts at K_s = −1e-5 J/m² (ratio to the defect-free particle at the same K_s; one APB ÷ two APBs), the
#: same with seeds 1-2 (the first run), seeds 3-4 alone and all four, but random δ = 0.10, which seeds 3-4 alone do
#: not resolve
VERDICTS_KS_SMALL_NEG = {("APB-two", "defect-free", "sar_sweep.sar"): "higher",
                         ("APB-two", "defect-free", "sar_sweep_water.sar"): "higher",
                         ("APB-centre", "defect-free", "sar_sweep.sar"): "higher",
                         ("APB-centre", "defect-free", "sar_sweep_water.sar"): "higher",
                         ("APB-centre", "APB-two", "sar_sweep.sar"): "higher",
                         ("APB-centre", "APB-two", "sar_sweep_water.sar"): "lower"}


@pytest.mark.parametrize("seeds,vacancies", [((1, 2), "higher"), ((3, 4), "n.r."), ((1, 2, 3, 4), "higher")])
def test_sens16_kssign_minus_lower_end_verdicts_with_four_realisations(seeds, vacancies):
    """§8k at K_s = −1e-5 J/m² (k_s = −0.0104785 meV), by the 2σ rule from the stored rows, with seeds 1-2, seeds 3-4
    alone and all four: two APBs and one APB raise the SAR in both media, one APB heats more than two immobilised and
    less in water, with every set; random δ = 0.10 is higher with seeds 1-2 and with all four, not resolved with
    seeds 3-4 alone (in both media)."""
    st, mod = _point(KS_SMALL_NEG, seeds)
    assert all(st[v]["seeds"] == list(seeds) for v in st) and len(st) == 4
    for (v, ref, p), want in VERDICTS_KS_SMALL_NEG.items():
        assert _direction(mod, st[v], st[ref], p) == want, (seeds, v, ref, p)
    for p in ("sar_sweep.sar", "sar_sweep_water.sar"):
        assert _direction(mod, st["vacancies-random-0.10"], st["defect-free"], p) == vacancies, (seeds, p)


def test_sens16_kssign_minus_lower_end_numbers_and_separation_as_stated():
    """The four-realisation numbers §8k quotes at K_s = −1e-5 J/m² (to its rounding), from the stored rows: the
    reference 0.357 ± 0.005 W/g; two APBs × 9.9 ± 1.0 immobilised and × 481 ± 21 in water, one APB × 213 ± 32 and
    × 255 ± 32, one ÷ two × 21 ± 4 and × 0.53 ± 0.07, each with every realisation beyond every one it is compared
    with (exact permutation p = 2/70, the floor); random δ = 0.10 × 1.056 ± 0.021 in both media (2.6σ by the rule)
    with its realisations overlapping the reference's (p = 4/70, above the floor; its barrier p = 20/70, change
    +0.16 ± 0.13 k_BT, not resolved); the two-APB barrier 17.88 ± 0.11 k_BT and the one-APB 9.39 ± 0.31 k_BT, each
    between its −2.9e-5 and +1e-5 J/m² values."""
    st, mod = _point(KS_SMALL_NEG)
    perm = _permutation_p
    assert st["defect-free"]["sar_sweep.sar"]["mean"] == pytest.approx(0.357, abs=0.001)
    assert st["defect-free"]["sar_sweep.sar"]["err"] == pytest.approx(0.005, abs=0.001)
    for (v, ref, p), (want, err, p_want, sep) in {
            ("APB-two", "defect-free", "sar_sweep.sar"): (9.9, 1.0, 2 / 70, "above"),
            ("APB-two", "defect-free", "sar_sweep_water.sar"): (481, 21, 2 / 70, "above"),
            ("APB-two", "defect-free", "barrier_over_kT"): (None, None, 2 / 70, "above"),
            ("APB-centre", "defect-free", "sar_sweep.sar"): (213, 32, 2 / 70, "above"),
            ("APB-centre", "defect-free", "sar_sweep_water.sar"): (255, 32, 2 / 70, "above"),
            ("APB-centre", "defect-free", "barrier_over_kT"): (None, None, 2 / 70, "above"),
            ("APB-centre", "APB-two", "sar_sweep.sar"): (21.5, 3.9, 2 / 70, "above"),
            ("APB-centre", "APB-two", "sar_sweep_water.sar"): (0.531, 0.070, 2 / 70, "below"),
            ("vacancies-random-0.10", "defect-free", "sar_sweep.sar"): (1.056, 0.021, 4 / 70, "no"),
            ("vacancies-random-0.10", "defect-free", "sar_sweep_water.sar"): (1.056, 0.021, 4 / 70, "no"),
            ("vacancies-random-0.10", "defect-free", "barrier_over_kT"): (None, None, 20 / 70, "no")}.items():
        if want is not None:
            e = mod.T.ratio_entry(st[v], st[ref], p)
            assert e["ratio"] == pytest.approx(want, rel=0.01), (v, ref, p)
            assert e["err"] == pytest.approx(err, rel=0.05), (v, ref, p)
        a, b = st[v][p]["per_seed"], st[ref][p]["per_seed"]
        assert len(a) == len(b) == 4
        got = "above" if min(a) > max(b) else ("below" if max(a) < min(b) else "no")
        assert got == sep, (v, ref, p)
        assert perm(a, b) == pytest.approx(p_want), (v, ref, p)
    d = mod.M16.barrier_difference(st["vacancies-random-0.10"], st["defect-free"])
    assert d["diff"] == pytest.approx(0.16, abs=0.005) and d["err"] == pytest.approx(0.13, abs=0.005)
    assert d["verdict"] == "not resolved at 2σ"
    b = {v: st[v]["barrier_over_kT"] for v in ("APB-two", "APB-centre")}
    assert b["APB-two"]["mean"] == pytest.approx(17.88, abs=0.005) and b["APB-two"]["err"] == pytest.approx(0.11, abs=0.01)
    assert b["APB-centre"]["mean"] == pytest.approx(9.39, abs=0.005) and b["APB-centre"]["err"] == pytest.approx(0.31, abs=0.01)
    for v in ("APB-two", "APB-centre"):
        near = {k: _point(k)[0][v]["barrier_over_kT"]["mean"] for k in (KS_DEFAULT_NEG, 0.0104785)}
        assert near[KS_DEFAULT_NEG] > b[v]["mean"] > near[0.0104785], v
    # and the summary's separation entries at this K_s agree with the permutation computed here
    for e in json.loads(mod.OUT.read_text())["summary"]["sensitivity"]:
        if e["parameter"] == "neel_ks_meV" and e["value"] == KS_SMALL_NEG:
            assert e["stats"]["n"] == e["reference_n"] == 4, e["variant"]
            for p, dd in e["stats"]["separation"].items():
                assert dd["permutation_p"] == pytest.approx(perm(dd["per_seed"], dd["reference_per_seed"])), (e, p)
