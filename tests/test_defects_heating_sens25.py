"""The 25 nm sensitivity study (validation §8h; docs/make_defects_heating_sens25.py): its recipes are the 25 nm
study's protocol with one parameter at a range end, its one-task stages carry the recipes' task hashes, and the
verdicts the section states follow from the committed rows."""
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIG = ROOT / "docs" / "figures" / "defects_heating"

#: the task hashes of the two sensitivity recipes (``atomspin validate``), frozen when they were first run
#: (2026-12-01): a change of the schema or the hashing would orphan the stored rows
HASHES = {
    "defects_heating_25nm_sens_ks": {
        ("defect-free", 1, 0.104785): "13f65c17271d742a", ("defect-free", 2, 0.104785): "2e4778d24eab8c5b",
        ("defect-free", 1, 0.0104785): "5c6a953f1478cb19", ("defect-free", 2, 0.0104785): "6bfadbde7f90d990",
        ("APB-two", 1, 0.104785): "95fc21197a671f9d", ("APB-two", 2, 0.104785): "2505233aa6bea122",
        ("APB-two", 1, 0.0104785): "760ab2cc9d6d8b47", ("APB-two", 2, 0.0104785): "a34dbff3c708ddd8",
        ("APB-centre", 1, 0.104785): "693c76b4da07cfef", ("APB-centre", 2, 0.104785): "05935625692784d8",
        ("APB-centre", 1, 0.0104785): "c97d09e4d43593f5", ("APB-centre", 2, 0.0104785): "1d71bc1c4052f140",
        ("vacancies-random-0.10", 1, 0.104785): "420e2d9bda5ee816",
        ("vacancies-random-0.10", 2, 0.104785): "acd5ca6a5ec05886",
        ("vacancies-random-0.10", 1, 0.0104785): "0e16ae3825264f56",
        ("vacancies-random-0.10", 2, 0.0104785): "4c6a7d72afbbb373"},
    "defects_heating_25nm_sens_japb": {
        ("APB-two", 1, -2.92): "4ef0da2d6eff464f", ("APB-two", 2, -2.92): "484171ded4f99151",
        ("APB-two", 1, -11.04): "a3d5ab2a6029ef5e", ("APB-two", 2, -11.04): "820b51d2b85899ee",
        ("APB-centre", 1, -2.92): "231c54137ff1d897", ("APB-centre", 2, -2.92): "eb13f95434bb7e1b",
        ("APB-centre", 1, -11.04): "3bf28f9e82243979", ("APB-centre", 2, -11.04): "07c604cf530a53c2"},
}
#: the one-task stages of each recipe, in the order they ran: (variant, seed, parameter value)
STAGES = {
    "defects_heating_25nm_sens_ks": {f"K{i}": (v, s, 0.104785) for i, (v, s) in enumerate(
        [(v, s) for v in ("defect-free", "APB-centre", "vacancies-random-0.10", "APB-two") for s in (1, 2)], 1)},
    "defects_heating_25nm_sens_japb": {f"J{i}": (v, s, -2.92) for i, (v, s) in enumerate(
        [(v, s) for v in ("APB-two", "APB-centre") for s in (1, 2)], 1)},
}


def _recipe(name):
    from atomspin.batch.recipe import load_recipe

    return load_recipe(ROOT / "structures" / "recipes" / f"{name}.toml")


def _tasks(name):
    from atomspin.batch import expand

    return {(t["variant"], t["seed"], next(iter(t["point"].values()))): t["hash"] for t in expand(_recipe(name))}


def _docs_module(name):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "docs" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("name", sorted(HASHES))
def test_25nm_sensitivity_recipes_keep_their_task_hashes_and_stages_are_subsets(name):
    assert _tasks(name) == HASHES[name]
    for stage, key in STAGES[name].items():
        assert _tasks(f"{name}_stage{stage}") == {key: HASHES[name][key]}, stage


@pytest.mark.parametrize("name,parameter", [("defects_heating_25nm_sens_ks", "neel_ks_meV"),
                                            ("defects_heating_25nm_sens_japb", "J_BB180_meV")])
def test_25nm_sensitivity_recipes_are_the_25nm_protocol_with_one_parameter_moved(name, parameter):
    """Structure, protocol and the variants' definitions are those of defects_heating_25nm.toml; the model differs by
    one given parameter, whose axis values are the ends of its documented range (the 12.1 and 16 nm studies' axes)."""
    main, sens = _recipe("defects_heating_25nm"), _recipe(name)
    for key in ("structure", "protocol", "defects"):
        assert sens[key] == main[key], key
    keys = set(sens["model"]) | set(main["model"])
    extra = {k for k in keys if main["model"].get(k, "missing") != sens["model"].get(k, "missing")}
    assert set(extra) == {parameter, {"neel_ks_meV": "surface_anisotropy", "J_BB180_meV": "apb_exchange"}[parameter]}
    defs = {v["name"]: v for v in main["sweep"]["variants"]}
    for v in sens["sweep"]["variants"]:
        assert v == defs[v["name"]], v["name"]
    axis = sens["sweep"]["axes"][f"model.{parameter}"]
    same16 = _recipe(f"defects_heating_16nm_sens_{'ks' if parameter == 'neel_ks_meV' else 'japb'}")
    assert sorted(axis) == sorted(same16["sweep"]["axes"][f"model.{parameter}"])


def test_25nm_sensitivity_rows_are_the_recipes_tasks_and_every_verdict_holds():
    """Validation §8h, "Sensitivity at 25 nm": the committed rows carry the recipes' task hashes (two realisations per
    point); at K_s = 1e-4 J/m² and J_BB180 = −2.92 meV every 25 nm verdict holds — two APBs lower the immobilised SAR
    and raise it in water, one APB raises both, random δ = 0.10 is not resolved — and one APB heats more than two
    immobilised at both settings, every realisation above every one (at 16 nm this order reversed at these ends)."""
    data = json.loads((FIG / "sens_25nm.json").read_text())
    recipe = {"sens_ks": "defects_heating_25nm_sens_ks", "sens_japb": "defects_heating_25nm_sens_japb"}
    for r in data["rows"]:
        key = (r["recipe_variant"], r["seed"], r["axis_value"])
        assert r["task_hash"].lstrip("h") == HASHES[recipe[r["study"]]][key], key
    S = data["summary"]
    points = {(e["variant"], e["parameter"], e["value"]): e for e in S["sensitivity"]}
    ks, jw = ("neel_ks_meV", 0.104785), ("J_BB180_meV", -2.92)
    assert set(points) == {("APB-two", *ks), ("APB-centre", *ks), ("vacancies-random-0.10", *ks), ("APB-two", *jw),
                           ("APB-centre", *jw)}
    assert all(e["stats"]["n"] == 2 for e in points.values())
    assert S["references_same_parameters"]["neel_ks_meV=0.104785"]["n"] == 2
    h = S["holds"]
    assert h["APB-two"]["sar_sweep.sar"]["holds"] == "holds (lower)"
    assert h["APB-two"]["sar_sweep_water.sar"]["holds"] == "holds (higher)"
    for q in ("sar_sweep.sar", "sar_sweep_water.sar"):
        assert h["APB-centre"][q]["holds"] == "holds (higher)"
        assert h["vacancies-random-0.10"][q]["holds"] == "not resolved at any point"
    for pv in (ks, jw):
        one = points[("APB-centre", *pv)]["stats"]["sar_sweep.sar"]["per_seed"]
        two = points[("APB-two", *pv)]["stats"]["sar_sweep.sar"]["per_seed"]
        assert min(one) > 100 * max(two), pv
    # at the weak J_BB180 end the two-APB barrier falls (41.7 → ≈ 32 k_BT) but stays far above the drive's reach
    b = points[("APB-two", *jw)]["stats"]["barrier_over_kT"]["mean"]
    assert 25.0 < b < 40.0
