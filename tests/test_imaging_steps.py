"""The ``mpi`` and ``mri`` study steps through the CLI at tiny size, and their numbers against the imaging layer
called directly with the same measured particle."""
import math

import numpy as np
import pytest

from _batch_helpers import run_cli

RECIPE = """
[meta]
name = "imaging-tiny"
[structure]
phase = "Fe3O4"
diameter_nm = 2.5
[protocol]
steps = ["structure", "loop", "kv", "mpi", "mri"]
T_K = 300.0
[protocol.loop]
n_fields = 5
sweeps = 20
B_max_T = 2.0
[protocol.kv]
sweeps = 40
n_angles = 5
[protocol.mpi]
n_orientations = 4
[protocol.mri]
coating_nm = 1.0
[sweep]
seeds = [1]
[[sweep.variants]]
name = "clean"
[[sweep.variants]]
name = "vac"
defects.vacancies.delta = 0.2
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("imaging_steps")
    p = tmp / "r.toml"
    p.write_text(RECIPE)
    rc, out, err = run_cli("run", p, "--db", tmp / "r.db", "--no-progress", "-o", tmp / "report")
    assert rc == 0, err
    return tmp, out


def test_mpi_and_mri_steps_write_their_keys_with_errors(store):
    from atomspin.batch import ResultStore

    tmp, out = store
    rows = list(ResultStore(tmp / "r.db", mode="r").rows())
    assert len(rows) == 2
    for r in rows:
        kv = r.key_value_pairs
        for key in ("mpi_harmonic3_Am2_per_kg_Fe", "mpi_harmonic3_over_langevin", "mpi_psf_fwhm_mT",
                    "mpi_resolution_mm", "r2_per_mM_per_s", "r2star_per_mM_per_s"):
            assert key in kv and math.isfinite(kv[key]) and kv[key] > 0, (key, kv.get(key))
            assert f"{key}_err" in kv, key
        assert kv["mpi_method"] in ("equilibrium", "master")
        d = r.data["mpi"]
        assert kv["mri_regime_r2"] == "motional averaging"  # a 2.5 nm particle: Δω τ_D ≪ 3.4
        assert kv["mpi_f_Hz"] == pytest.approx(2.5e6 / 102) and kv["mpi_amplitude_T"] == 0.012
        # |m3| over the ideal Langevin tracer of the measured moment (anisotropy can raise or lower it)
        assert kv["mpi_harmonic3_over_langevin"] == pytest.approx(
            kv["mpi_harmonic3_Am2_per_kg_Fe"] / d["langevin_harmonic_Am2_per_kg_Fe"][1], rel=1e-12)
        assert np.all(np.asarray(d["harmonic_n"]) % 2 == 1)
        assert np.asarray(d["psf_normalised"]).max() == pytest.approx(1.0)
        assert np.asarray(d["harmonic_over_first_log10"])[0] == 0.0
    # the report names the new columns and draws the spectrum and PSF
    assert "r2_per_mM_per_s" in out and "mpi_harmonic3_Am2_per_kg_Fe" in out
    figs = {p.name for p in (tmp / "report").rglob("*.png")}
    assert {"mpi_spectrum.png", "mpi_psf.png"} <= figs, figs


def test_mri_step_is_the_imaging_layer_with_the_measured_particle(store):
    """r2 of the row = mri_relaxivity(Ms of the loop, d of the model volume, Fe counted in the structure)."""
    from atomspin.batch import ResultStore
    from atomspin.imaging import mri_relaxivity

    tmp, _ = store
    for r in ResultStore(tmp / "r.db", mode="r").rows():
        kv = r.key_value_pairs
        n_fe = sum(1 for s in r.toatoms().get_chemical_symbols() if s == "Fe")
        V = kv["mri_volume_m3"] if "mri_volume_m3" in kv else None
        d = kv["mri_d_magnetic_m"]
        ref = mri_relaxivity(kv["Ms_A_per_m"], d, coating_m=1e-9, T_K=300.0, fe_per_particle=n_fe)
        assert kv["r2_per_mM_per_s"] == pytest.approx(ref.r2_per_mM_per_s, rel=1e-12)
        assert kv["mri_fe_per_particle"] == n_fe
        assert V is None or V > 0


def test_mpi_step_refuses_zero_temperature():
    from atomspin.batch import validate_recipe
    from atomspin.batch.fields import RecipeError

    with pytest.raises(RecipeError, match=r"^protocol.T_K: the mpi step needs"):
        validate_recipe({"protocol": {"steps": ["structure", "loop", "mpi"], "T_K": 0.0}})
    with pytest.raises(RecipeError, match=r"'mri' needs 'loop' or 'kv'"):
        validate_recipe({"protocol": {"steps": ["structure", "mri"]}})


def test_mpi_and_mri_steps_read_a_landscape_when_one_was_measured():
    """With ctx.results["landscape"] (what the landscape step stores) the mpi step uses the whole measured surface
    and its zero-field Ms; the numbers are mpi_from_particle of particle_from_measurements(landscape=...)."""
    import types

    from atomspin import measure, sar, structures
    from atomspin.batch.context import absorb
    from atomspin.batch.schema import validate_recipe
    from atomspin.batch.steps import mpi as step_mpi
    from atomspin.batch.steps import mri as step_mri
    from atomspin.imaging import mpi_from_particle
    from atomspin.model import SpinModel
    from atomspin.units import AMU

    atoms = structures.build_particle("Fe3O4", shape="sphere", diameter_nm=2.5, seed=1)
    model = SpinModel.from_atoms(atoms)
    land = measure.anisotropy_landscape(model, 300.0, n_directions=26, sweeps=20, seed=3)
    recipe = validate_recipe({"protocol": {"steps": ["structure", "loop", "mpi", "mri"], "T_K": 300.0,
                                           "mpi": {"n_orientations": 4}}})["base"]
    ctx = types.SimpleNamespace(recipe=recipe, model=model, atoms=atoms, results={"landscape": land},
                                kvp={"Ms_zero_field_A_per_m_err": float(land.Ms_err_A_per_m)}, data={},
                                seed_for=lambda name: 7)
    ctx.absorb = lambda name, res: absorb(ctx, name, res)
    step_mpi.run(ctx)
    step_mri.run(ctx)
    assert ctx.kvp["mpi_particle"] == "landscape" and ctx.kvp["mri_Ms_source"] == "landscape"
    p = sar.particle_from_measurements(landscape=land, volume_m3=model.volume_m3, T_K=300.0)
    n_fe = sum(1 for s in atoms.get_chemical_symbols() if s == "Fe")
    ref = mpi_from_particle(p, n_orientations=4, iron_mass_kg=n_fe * 55.845 * AMU, seed=7)
    assert ctx.kvp["mpi_harmonic3_Am2_per_kg_Fe"] == pytest.approx(ref.harmonic3_Am2_per_kg_Fe, rel=1e-12)
    assert ctx.kvp["mpi_psf_fwhm_mT"] == pytest.approx(ref.psf_fwhm_mT, rel=1e-12)
    assert math.isfinite(ctx.kvp["mpi_harmonic3_Am2_per_kg_Fe_err"]) and ctx.kvp["mpi_harmonic3_Am2_per_kg_Fe_err"] > 0
    assert math.isfinite(ctx.kvp["r2_per_mM_per_s"]) and ctx.kvp["r2_per_mM_per_s_err"] > 0
