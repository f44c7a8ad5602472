"""Protocol steps of one task, wired to the other layers (tiny particles, short runs)."""
import json
import types

import numpy as np
import pytest

from atomspin.batch import expand, run_task
from atomspin.batch.tasks import Context, available_steps, step_sar
from atomspin.units import MU_B

pytestmark = pytest.mark.skipif(not {"structure", "disorder", "loop"} <= set(available_steps()),
                                reason="structure/model/engine/measure layers not available")


def _task(**protocol):
    r = {"structure": {"diameter_nm": 2.5}, "defects": {"apb": {"enabled": True}},
         "protocol": {"steps": ["structure", "disorder", "loop"], "T_K": 300.0,
                      "disorder": {"sweeps": 20}, "loop": {"B_max_T": 0.5, "n_fields": 4, "sweeps": 4},
                      **protocol}}
    return expand(r)[0]


def test_structure_disorder_loop_task():
    t = _task()
    res = run_task(t)
    kv, data = res["kvp"], res["data"]
    atoms = res["atoms"]
    n_mag = int(np.sum(atoms.arrays["moment_muB"] > 0))
    assert kv["n_magnetic"] == n_mag == len(data["final_state"]["atom_index"])
    assert kv["apb"] is True and kv["apb_plane"] == "(110)" and kv["task_hash"] == t["hash"]
    assert data["loop"]["fields_T"].shape == (2 * 4 + 1,)  # +B → −B → +B, 4 steps per branch
    assert data["loop"]["fields_T"][0] == data["loop"]["fields_T"][-1] == 0.5
    # the loop's Ms(300 K) estimate cannot exceed the T = 0 ferrimagnetic moment density
    ms0 = kv["s_net_moment_muB"] * MU_B / kv["loop_volume_m3"]
    assert 0 < kv["Ms_A_per_m"] <= 1.02 * ms0
    spins = data["final_state"]["spins"]
    np.testing.assert_allclose(np.linalg.norm(spins, axis=1), 1.0, atol=1e-9)
    assert 0 <= kv["mean_canting_deg"] <= 180
    assert "distance_canting_deg" in data["disorder"]  # APB: profile versus distance from the plane
    assert not any("elapsed" in k for k in kv)
    again = run_task(t)  # same seed -> same numbers
    assert again["kvp"].keys() == kv.keys()
    for k, v in kv.items():
        w = again["kvp"][k]
        assert w == v or (isinstance(v, float) and np.isnan(v) and np.isnan(w)), k
    np.testing.assert_array_equal(again["data"]["final_state"]["spins"], spins)


def _ctx_with(kv_meV, err_meV):
    ctx = Context(_task())
    ctx._model = types.SimpleNamespace(volume_m3=1e-25, moments=np.ones(10))
    ctx.results["loop"] = types.SimpleNamespace(M_A_per_m=np.array([-3e5, 0.0, 3e5]), loop_area_J_per_m3=0.0)
    ctx.results["kv"] = types.SimpleNamespace(torque_amplitude_2theta_J_per_m3=kv_meV * 1.602176634e-22 / 1e-25,
                                              torque_amplitude_2theta_meV=kv_meV,
                                              torque_amplitude_2theta_err_meV=err_meV,
                                              barrier_J=kv_meV * 1.602176634e-22)
    ctx.recipe["protocol"]["steps"] = ["structure", "loop", "kv", "sar"]
    return ctx


def test_sar_not_computed_without_a_positive_barrier():
    for kv_meV, err in ((-5.0, 1.0), (0.0, 2.0), (float("nan"), 1.0)):
        ctx = _ctx_with(kv_meV, err)
        step_sar(ctx)
        assert np.isnan(ctx.kvp["SAR_W_per_g"]) and ctx.kvp["sar_note"].startswith("not computed")


@pytest.mark.skipif("sar" not in available_steps(), reason="atomspin.sar not available")
def test_sar_from_barrier_with_note_when_torque_amplitude_unresolved():
    ctx = _ctx_with(3.0, 2.0)  # barrier 3 meV > 0, 2θ amplitude 3 ± 2 meV not resolved
    step_sar(ctx)
    assert np.isfinite(ctx.kvp["SAR_W_per_g"]) and ctx.kvp["SAR_W_per_g"] > 0
    assert "not resolved" in ctx.kvp["sar_note"]


@pytest.mark.skipif("sar" not in available_steps(), reason="atomspin.sar not available")
def test_sar_uses_measured_ms_keff_volume():
    from atomspin.sar import sar_from_particle
    ctx = _ctx_with(50.0, 1.0)
    step_sar(ctx)
    p = ctx.recipe["protocol"]["sar"]
    direct = sar_from_particle(f=p["f_Hz"], H0=p["H0_A_per_m"], T=300.0, Ms=3e5, K_eff=50.0 * 1.602176634e-22 / 1e-25,
                               V=1e-25, tau0=p["tau0_s"], model=p["model"])
    assert ctx.kvp["SAR_W_per_g"] == pytest.approx(direct.sar_W_per_g, rel=1e-12)


def test_hash_neutral_keys_keep_stored_task_identities():
    """Keys marked hash_neutral (added after databases were stored: the FeO/spinel interface couplings) are left
    out of the task hash at their default, so stored sweeps resume without recomputing; set, they change it. The
    demo's first task keeps the identity it had before these keys existed (e956fa52c43f1057, 2026-11-30)."""
    from atomspin.batch.defaults import demo_recipe
    from atomspin.batch.schema import hash_neutral_paths
    from atomspin.batch.tasks import task_hash

    neutral = hash_neutral_paths()
    assert {"model.interface_exchange", "model.J_RB180_meV", "model.J_RB_meV", "model.J_RA_meV"} <= set(neutral)
    first = expand(demo_recipe(quick=False))[0]
    assert (first["variant"], first["seed"], first["hash"]) == ("defect-free", 1, "e956fa52c43f1057")
    without = json.loads(json.dumps(first["recipe"]))
    for path in neutral:
        *head, last = path.split(".")
        table = without
        for h in head:
            table = table[h]
        table.pop(last)
    assert task_hash(without, 1) == first["hash"]
    given = json.loads(json.dumps(first["recipe"]))
    given["model"]["interface_exchange"] = "given"
    assert task_hash(given, 1) != first["hash"]


def test_recipe_interface_couplings_reach_the_model():
    """model.interface_exchange = "given" sets the FeO/spinel interface couplings RB180, RB, RA (interface.toml's
    literature convention), which the model converts like the set's own values: the mean unit-spin J of class RB180
    scales by J_given / J_default at the end of its documented range."""
    from atomspin.batch.context import Context
    from atomspin.batch.steps import structure
    from atomspin.model.parameters import parameter_ranges

    base = {"meta": {"name": "j"}, "structure": {"phase": "Fe3O4", "shape": "sphere", "diameter_nm": 4.0},
            "defects": {"core_shell": {"enabled": True, "core_phase": "FeO", "core_diameter_nm": 2.4}},
            "model": {"dipolar": False}, "protocol": {"steps": ["structure"]}}
    lo, mid, hi = parameter_ranges("interface")["RB180"]
    J = {}
    for label, extra in (("default", {}), ("given", {"interface_exchange": "given", "J_RB180_meV": lo})):
        rec = json.loads(json.dumps(base))
        rec["model"].update(extra)
        ctx = Context(expand(rec)[0])
        structure.run(ctx)
        J[label] = ctx.model.info["mean_J_meV"]
    assert J["default"]["RB180"] < 0 and J["given"]["RB180"] == pytest.approx(J["default"]["RB180"] * lo / mid,
                                                                              rel=1e-9)
    assert J["given"]["RA"] == pytest.approx(J["default"]["RA"], rel=1e-12)  # left at its default value
