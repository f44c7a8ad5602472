"""Nanoflowers (issue #17): inter-core exchange cut, collective vs independent cores, the batch multicore step.

Reduced size (3 cores of 2.5 nm, ~900 spins, short runs; each test well under 30 s on one core). The study at
4 nm cores is docs/make_nanoflowers.py; its numbers are in docs/validation.md section 9.
"""
import dataclasses

import numpy as np
import pytest

from atomspin import structures as S
from atomspin.measure import decouple_grains, grain_alignment
from atomspin.measure.boundaries import (COLLECTIVE_MAX_RATIO, INDEPENDENT_MIN_RATIO, core_dipolar_coupling,
                                         independent_angle_deg, regime_of)
from atomspin.model import SpinModel


@pytest.fixture(scope="module")
def flower():
    """3 equal 2.5 nm cores, oriented attachment (σ = 5°), and its model without dipolar terms (the alignment
    test runs on that model; the dipolar bound is checked separately)."""
    at = S.build_multicore(n_cores=3, core_diameter_nm=2.5, size_dispersion=0.0, misorientation_deg=5.0, seed=1)
    m = SpinModel.from_atoms(at, dipolar=False)
    return at, m


def _exchange_meV(m, spins):
    row = np.repeat(np.arange(m.n), np.diff(m.indptr))
    return -0.5 * float(np.sum(m.J * np.einsum("ij,ij->i", spins[row], spins[m.indices])))


def test_decouple_cuts_exactly_the_pairs_across_grain_boundaries(flower):
    at, m = flower
    d = decouple_grains(m, at)
    g = at.arrays["grain"][m.atom_index]
    row = np.repeat(np.arange(m.n), np.diff(m.indptr))
    cross = g[row] != g[m.indices]
    assert cross.sum() > 0
    np.testing.assert_array_equal(d.J[cross], 0.0)
    np.testing.assert_array_equal(d.J[~cross], m.J[~cross])  # intra-grain exchange untouched
    np.testing.assert_array_equal(d.indices, m.indices)  # CSR pattern kept
    cut = d.info["decoupled_grains"]
    assert cut["pairs_cut"] == cross.sum() // 2
    np.testing.assert_allclose(cut["J_cut_meV"], m.J[cross].sum() / 2)
    # exact: E_ex(decoupled) − E_ex(full) = + Σ_cut J ŝ_i·ŝ_j (each pair once), for any state
    s = np.random.default_rng(0).normal(size=(m.n, 3))
    s /= np.linalg.norm(s, axis=1)[:, None]
    want = 0.5 * float(np.sum(m.J[cross] * np.einsum("ij,ij->i", s[row[cross]], s[m.indices[cross]])))
    np.testing.assert_allclose(_exchange_meV(d, s) - _exchange_meV(m, s), want, rtol=1e-12, atol=1e-9)
    # the anisotropy (Néel term of the interface sites included) and the model's other arrays are unchanged
    np.testing.assert_array_equal(d.quad, m.quad)
    assert m.info.get("decoupled_grains") is None  # the input model is not modified


def test_decouple_and_alignment_refuse_bad_input(flower):
    at, m = flower
    single = S.build_particle("Fe3O4", "sphere", 2.5, seed=1)
    ms = SpinModel.from_atoms(single, dipolar=False)
    del single.arrays["grain"]
    with pytest.raises(ValueError, match="atoms: needs the per-atom 'grain'"):
        decouple_grains(ms, single)
    with pytest.raises(ValueError, match="atoms: the model was not compiled"):
        decouple_grains(m, at[:10])
    with pytest.raises(ValueError, match="start"):
        grain_alignment(m, at, 310, sweeps=40, start="sideways")
    with pytest.raises(ValueError, match="sweeps"):
        grain_alignment(m, at, 310, sweeps=10, observe_every=10)
    with pytest.raises(ValueError, match="grain_spins"):
        independent_angle_deg([5])
    with pytest.raises(ValueError, match="independent_deg"):
        regime_of(30.0, 0.0)


def test_independent_angle_two_equal_cores_exact():
    # two equal isotropic moments at angle θ (p(θ) = sin θ / 2): each is θ/2 from the sum, ⟨θ²⟩ = (π² − 4)/2
    exact = np.degrees(0.5 * np.sqrt((np.pi ** 2 - 4) / 2))  # 49.08°
    assert independent_angle_deg([1, 1], n_samples=100_000) == pytest.approx(exact, abs=0.3)
    # a rigid macrospin is collective, independent cores are independent
    assert regime_of(0.0, exact) == "collective" and regime_of(exact, exact) == "independent"
    assert regime_of(0.6 * exact, exact) == "intermediate"


def test_cut_cores_are_independent_and_exchange_correlates_them(flower):
    """At 310 K the 2.5 nm cores without inter-core exchange turn independently (θ ≈ θ_ind from both starts),
    while the exchange across the sintered necks keeps them measurably closer (the flower's θ/θ_ind is lower)."""
    at, m = flower
    d = decouple_grains(m, at)
    kw = dict(sweeps=1200, observe_every=20, collective_every=2, seed=3)
    res = {(name, start): grain_alignment(mod, at, 310.0, start=start, **kw)
           for name, mod in (("flower", m), ("cut", d)) for start in ("random", "aligned")}
    ind = res["cut", "random"].angle_independent_deg
    for start in ("random", "aligned"):
        r = res["cut", start]
        assert r.angle_to_total_deg / ind > INDEPENDENT_MIN_RATIO - 2 * r.angle_to_total_err_deg / ind, start
        assert r.chi_ratio < 0.6  # ⟨|M|²⟩/(Σ|M_g|)²: 1/3 for three independent equal cores, 1 for one macrospin
    flower_ratio = 0.5 * (res["flower", "random"].angle_to_total_deg + res["flower", "aligned"].angle_to_total_deg) / ind
    cut_ratio = 0.5 * (res["cut", "random"].angle_to_total_deg + res["cut", "aligned"].angle_to_total_deg) / ind
    assert flower_ratio < cut_ratio - 0.15
    # 2.5 nm cores: collective within its statistics (measured θ/θ_ind 0.22–0.32 over 2 structures × 2 seeds)
    assert flower_ratio < 0.45
    assert res["flower", "random"].chi_ratio > 0.8  # ≈ one macrospin: χ near μ0⟨|M|²⟩ of a rigid moment
    assert res["flower", "random"].coherence > res["cut", "random"].coherence


def test_dipolar_coupling_between_small_cores_is_below_kT(flower):
    """The bound the alignment test relies on when it leaves the dipolar term out: two touching 2.5 nm magnetite
    cores couple by ≪ k_BT at 310 K; it scales as 1/T."""
    at, m = flower
    e310 = core_dipolar_coupling(m, at, 310.0)
    assert 0 < e310 < 0.2
    assert core_dipolar_coupling(m, at, 155.0) == pytest.approx(2 * e310)


def test_rigid_rotation_of_a_cut_core_costs_no_exchange(flower):
    """Exact limit: in the decoupled model, rotating one core rigidly leaves the exchange energy unchanged."""
    at, m = flower
    d = decouple_grains(m, at)
    g = at.arrays["grain"][m.atom_index]
    from atomspin.structures.grains import rotation_about

    s = m.spins.copy()
    R = rotation_about((1.0, 2.0, 0.5), 77.0)
    s[g == 1] = s[g == 1] @ R.T
    np.testing.assert_allclose(_exchange_meV(d, s), _exchange_meV(d, m.spins), rtol=1e-12)
    assert abs(_exchange_meV(m, s) - _exchange_meV(m, m.spins)) > 1.0  # coupled: a domain wall at the boundary


# ------------------------------------------------------------------------------------------------- batch step
def _recipe(**mc):
    return {"structure": {"kind": "multicore", "multicore": {"n_cores": 3, "core_diameter_nm": 2.5,
                                                             "size_dispersion": 0.0, **mc}},
            "protocol": {"steps": ["structure"]}}


def test_recipe_multicore_validation():
    from atomspin.batch.schema import RecipeError, validate_recipe

    r = validate_recipe(_recipe())["base"]
    assert r["structure"]["multicore"]["misorientation_deg"] == 5.0 and r["structure"]["kind"] == "multicore"
    with pytest.raises(RecipeError, match=r"^structure.multicore.n_cores: 2 is outside \[3, 30\]"):
        validate_recipe(_recipe(n_cores=2))
    with pytest.raises(RecipeError, match=r"^structure.multicore.overlap"):
        validate_recipe(_recipe(overlap=0.7))
    with pytest.raises(RecipeError, match=r"^structure.kind"):
        validate_recipe({"structure": {"kind": "flower"}})
    bad = _recipe()
    bad["defects"] = {"apb": {"enabled": True}}
    with pytest.raises(RecipeError, match=r"^defects.apb.enabled: an APB through a multi-core"):
        validate_recipe(bad)
    # misoriented cores beyond the exact pair sum's 20,000 spins: the grain dipolar method takes them
    assert validate_recipe(_recipe(n_cores=20, core_diameter_nm=8.0))
    big_aligned = _recipe(n_cores=20, core_diameter_nm=8.0, misorientation_deg=0.0)
    assert validate_recipe(big_aligned)  # one continuous crystal: the lattice FFT takes it
    nodip = _recipe(n_cores=20, core_diameter_nm=8.0)
    nodip["model"] = {"dipolar": False}
    assert validate_recipe(nodip)


def test_multicore_structure_step_builds_labels_and_decouples():
    from atomspin.batch import expand, run_task
    from atomspin.batch.context import Context
    from atomspin.batch.steps import REGISTRY

    t = expand(_recipe(random_orientations=True))[0]
    res = run_task(t)
    kv, at = res["kvp"], res["atoms"]
    assert kv["s_n_cores"] == 3 and sorted(set(at.arrays["grain"].tolist())) == [0, 1, 2]
    assert kv["s_n_boundaries"] >= 2 and kv["s_mean_misorientation_deg"] > 10  # random orientations
    assert kv["diameter_nm"] == pytest.approx(at.info["size_nm"])  # the aggregate's envelope
    assert kv["n_magnetic"] == int(np.sum(at.arrays["moment_muB"] > 0))
    # same seed, same particle
    np.testing.assert_array_equal(run_task(t)["atoms"].positions, at.positions)
    # decouple: the step compiles the model and cuts its inter-grain exchange for every later step
    t2 = expand({**_recipe(decouple=True), "model": {"dipolar": False}})[0]
    ctx = Context(t2)
    REGISTRY["structure"].run(ctx)
    assert ctx.kvp["s_exchange_pairs_cut"] == ctx.model.info["decoupled_grains"]["pairs_cut"] > 0
    g = ctx.atoms.arrays["grain"][ctx.model.atom_index]
    row = np.repeat(np.arange(ctx.model.n), np.diff(ctx.model.indptr))
    assert np.all(ctx.model.J[g[row] != g[ctx.model.indices]] == 0.0)


def test_grain_alignment_is_reproducible(flower):
    at, m = flower
    a = grain_alignment(m, at, 310.0, sweeps=80, observe_every=20, seed=5)
    b = grain_alignment(m, at, 310.0, sweeps=80, observe_every=20, seed=5)
    np.testing.assert_array_equal(a.angle_trace_deg, b.angle_trace_deg)
    np.testing.assert_array_equal(a.final_spins, b.final_spins)
    assert a.to_dict()["regime"] in ("collective", "intermediate", "independent")
    assert dataclasses.is_dataclass(a) and "final_spins" not in a.to_dict()


def test_larger_cores_are_less_collective():
    """Core anisotropy (∝ core volume, with the Néel surface term) outgrows the exchange through the sintered neck
    (∝ neck radius): 3 cores of 4 nm at 310 K are less collective than 3 cores of 2.5 nm (study: θ/θ_ind ≈ 0.74
    against 0.22–0.32). Aligned start, 1000 sweeps with rigid core rotations, no dipolar term (bounded ≪ k_BT)."""
    ratio = {}
    for d in (2.5, 4.0):
        at = S.build_multicore(n_cores=3, core_diameter_nm=d, size_dispersion=0.0, misorientation_deg=5.0, seed=1)
        m = SpinModel.from_atoms(at, dipolar=False)
        g = grain_alignment(m, at, 310.0, sweeps=1000, observe_every=20, start="aligned", seed=2)
        ratio[d] = g.angle_to_total_deg / g.angle_independent_deg
    assert ratio[4.0] > ratio[2.5] + 0.2, ratio


def _make_nanoflowers():
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).resolve().parents[1] / "docs" / "make_nanoflowers.py"
    spec = importlib.util.spec_from_file_location("make_nanoflowers", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("plan", [None, "cores8"])
def test_validation_section_9_tables_are_the_generated_ones(plan):
    """docs/validation.md §9 prints exactly what ``make_nanoflowers.py table [PLAN]`` makes of the committed results
    (a table edited by hand, or results changed without the table, fails)."""
    mod = _make_nanoflowers()
    text = (mod.OUT.parents[1] / "validation.md").read_text()
    table = mod.table(plan)
    assert table.count("\n") > 3
    assert table in text, f"§9 table for plan {plan!r} differs from `python docs/make_nanoflowers.py table {plan or ''}`"


def test_single_crystal_label_takes_its_size_from_the_row():
    """The equal-volume sphere's diameter is the stored one, else follows from the stored volume; a row with
    neither is refused instead of being printed as 0.0 nm."""
    mod = _make_nanoflowers()
    d = 14.81389230428706
    v = np.pi * (d * 1e-9) ** 3 / 6.0
    assert mod._sphere_diameter_nm({"sphere_diameter_nm": d}) == d
    assert abs(mod._sphere_diameter_nm({"equal_volume_of_m3": v}) - d) < 1e-9
    with pytest.raises(KeyError, match="equal_volume_of_m3"):
        mod._sphere_diameter_nm({"key": "single-n7-oa-d8-s1"})
