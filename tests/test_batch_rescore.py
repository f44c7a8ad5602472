"""`atomspin rescore`: the SAR columns of stored rows recomputed from their stored landscapes, rows updated in place.

One tiny landscape + SAR sweep (CI-size sphere, 2 seeds) is stored at 100 kHz, 15 kA/m, immobilised and in water,
and the same tasks at 300 kHz, 8 kA/m, immobilised only, into a second database. Rescoring the first at the second
drive must give, row by row, exactly the numbers the second sweep's SAR step wrote (same landscape Monte Carlo,
same seed), and what ``sar_from_particle`` gives for the stored landscape at that drive.
"""
import json
import shutil

import numpy as np
import pytest
from ase import Atoms

from atomspin.batch import ResultStore, expand, run_tasks
from atomspin.batch.context import derived_seed
from atomspin.batch.recipe import parse_recipe
from atomspin.batch.rescoring import SAR_KEY_PREFIXES, rescore
from atomspin.batch.steps import landscape as land_step
from atomspin.batch.steps.sar import code_version
from atomspin.batch.tasks import available_steps

from _batch_helpers import run_cli

pytestmark = pytest.mark.skipif("landscape" not in available_steps() or "sar" not in available_steps(),
                                reason="the landscape and sar steps are not available")

RECIPE = """
[meta]
name = "rescore-tiny"
[structure]
phase = "Fe3O4"
diameter_nm = 3.0
[protocol]
T_K = 310.0
steps = ["structure", "landscape", "sar"]
[protocol.landscape]
n_directions = 26
sweeps = 20
equilibration_sweeps = 5
thermalisation_sweeps = 20
[protocol.sar]
f_Hz = 100e3
H0_A_per_m = 15e3
media = ["immobilised", "water"]
n_orientations = 12
[sweep]
seeds = [1, 2]
"""
#: the second drive: 300 kHz, 8 kA/m, immobilised only
DRIVE_B = dict(f_Hz=300e3, H0_A_per_m=8e3, media=["immobilised"])
RECIPE_B = RECIPE.replace("f_Hz = 100e3", "f_Hz = 300e3").replace("H0_A_per_m = 15e3", "H0_A_per_m = 8e3").replace(
    'media = ["immobilised", "water"]', 'media = ["immobilised"]')


def _sweep(text, db):
    tasks = expand(parse_recipe(text))
    s = run_tasks(tasks, ResultStore(db), client=None)
    assert s["written"] == len(tasks) and not s["failed"], s
    return tasks


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """(folder, recipe A path, pristine db A, db B swept directly at drive B)."""
    d = tmp_path_factory.mktemp("rescore")
    (d / "a.toml").write_text(RECIPE)
    (d / "b.toml").write_text(RECIPE_B)
    _sweep(RECIPE, d / "a.db")
    _sweep(RECIPE_B, d / "b.db")
    return d


def _copy(stored, tmp_path, name="a", to=None):
    db = tmp_path / f"{to or name}.db"
    shutil.copy(stored / f"{name}.db", db)
    return db


def _rows(db):
    """The rows by seed (databases A and B hold the same two Monte Carlo tasks under different task hashes: their
    protocol.sar differs)."""
    st = ResultStore(db, mode="r")
    rows = {int(r.seed): r for r in st.rows()}
    assert not st.corrupted, st.corrupted
    return rows


def _sar_kvp(r):
    return {k: v for k, v in r.key_value_pairs.items() if k.startswith(SAR_KEY_PREFIXES) or k == "Ms_source"}


def test_rescore_at_another_drive_equals_the_sar_step(stored, tmp_path):
    """Rescored at drive B, each row holds exactly what the SAR step of a sweep at drive B wrote (values, errors,
    model, conditions), the columns drive B does not produce (water, per-medium names) are gone, identity, structure
    and landscape columns are unchanged, and the SAR equals sar_from_particle on the stored landscape."""
    from atomspin import sar

    db = _copy(stored, tmp_path)
    before = _rows(db)
    s = rescore(stored / "a.toml", db, **DRIVE_B)
    assert (s["tasks"], s["rows"], s["rescored"], s["up_to_date"], s["missing"]) == (2, 2, 2, 0, 0)
    assert not (s["failed"] or s["no_landscape"] or s["corrupted"]) and s["cpu_s"] > 0
    after, direct = _rows(db), _rows(stored / "b.db")
    assert len(ResultStore(db, mode="r").ids()) == 2  # updated in place, no row added
    for h, r in after.items():
        old, b = before[h], direct[h]
        assert r.id == old.id and r.unique_id == old.unique_id and r.task_hash == old.task_hash
        # the Monte Carlo is the same in both sweeps (same seed): the landscape columns agree
        assert r.barrier_J == b.barrier_J and r.landscape_Ms_A_per_m == b.landscape_Ms_A_per_m
        new = _sar_kvp(r)
        for k in ("sar_rescored_utc", "sar_rescore_key", "sar_settings_json"):
            assert new.pop(k)
        assert new == _sar_kvp(b), h
        assert r.sar_f_Hz == 300e3 and r.sar_H0_A_per_m == 8e3 and r.SAR_W_per_g_err > 0
        assert "SAR_water_W_per_g" not in r and "SAR_immobilised_W_per_g" not in r
        assert "SAR_water_W_per_g" in old and old.sar_f_Hz == 100e3
        assert r.SAR_W_per_g != old.SAR_immobilised_W_per_g  # the drive changed the number
        assert json.loads(r.sar_settings_json)["f_Hz"] == 300e3 and r.sar_code_version == code_version()
        # everything outside the SAR columns is untouched
        rest = {k: v for k, v in r.key_value_pairs.items() if k not in _sar_kvp(r)}
        assert rest == {k: v for k, v in old.key_value_pairs.items() if k not in _sar_kvp(old)}
        np.testing.assert_array_equal(r.positions, old.positions)
        assert r.data["recipe_json"] == old.data["recipe_json"]
        # the SAR model itself, on the stored landscape, at drive B
        st = ResultStore(db, mode="r")
        land = land_step.restore(dict(r.key_value_pairs), st.arrays(r))
        particle = sar.particle_from_measurements(landscape=land, T_K=310.0)
        rep = sar.sar_from_particle(particle, f=300e3, H0=8e3, medium=sar.Medium.solid(), model="auto",
                                    seed=derived_seed(int(r.seed), "sar"), allow_nonclinical=True, n_orientations=12)
        assert r.SAR_W_per_g == rep.sar_W_per_g and r.sar_model == rep.model


def test_stored_landscape_is_the_measured_one(stored):
    """The surface rebuilt from a row is the one the landscape step measured: its barrier (from the fitted
    surface's critical points) is the stored barrier."""
    from atomspin import macrospin as ms

    st = ResultStore(stored / "a.db", mode="r")
    for r in st.rows():
        land = land_step.restore(dict(r.key_value_pairs), st.arrays(r))
        cp = ms.critical_points(land.surface)
        barrier = float(ms.barriers(cp)[cp.global_minimum]) * land.volume_m3
        assert barrier == pytest.approx(r.barrier_J, rel=1e-9)
        assert land.Ms_A_per_m == r.Ms_zero_field_A_per_m and land.T_K == 310.0


def test_stored_covariance_is_the_fit_covariance(stored):
    """The row keeps the fit covariance of its coefficients (2-D, symmetric, positive semi-definite, J²), and the
    barrier error propagated linearly through it at the stored minimum and saddle is the step's fit error
    (``landscape_barrier_err_J``) — the covariance is the one the barrier error came from."""
    from atomspin import macrospin as ms
    from atomspin.measure import _sphere_fit as sf

    st = ResultStore(stored / "a.db", mode="r")
    for r in st.rows():
        arrays = st.arrays(r)
        land = land_step.restore(dict(r.key_value_pairs), arrays)
        C = land.covariance_J2
        m = len(sf.exponents(land.degree))
        assert C.shape == (m, m) and np.allclose(C, C.T, rtol=0, atol=1e-12 * np.abs(C).max())
        assert np.linalg.eigvalsh(C).min() > -1e-9 * np.abs(C).max()
        assert np.asarray(arrays["landscape"]["directions"]).shape == (26, 3)
        cp = ms.critical_points(land.surface)
        i = cp.global_minimum
        # the lowest saddle adjacent to the global minimum (the escape the barrier is over)
        js = [j for j, ab in enumerate(cp.saddle_minima) if i in tuple(ab)]
        j = js[int(np.argmin(np.asarray(cp.e_saddles)[js]))]
        g = sf.values(cp.saddles[j], land.degree)[0] - sf.values(cp.minima[i], land.degree)[0]
        assert float(np.sqrt(g @ C @ g)) == pytest.approx(r.landscape_barrier_err_J, rel=1e-6)


def test_rescore_twice_and_resume(stored, tmp_path, monkeypatch):
    """A second rescore finds every row up to date and changes nothing; --force recomputes the same numbers; a
    rescore interrupted after one row, rerun, does only the other one (no duplicate rows)."""
    import atomspin.batch.rescoring as R

    db = _copy(stored, tmp_path)
    rescore(stored / "a.toml", db, **DRIVE_B)
    first = _rows(db)
    s = rescore(stored / "a.toml", db, **DRIVE_B)
    assert (s["rescored"], s["up_to_date"]) == (0, 2)
    again = _rows(db)
    for h, r in first.items():
        assert again[h].key_value_pairs == r.key_value_pairs and again[h].data["checksum"] == r.data["checksum"]
    s = rescore(stored / "a.toml", db, force=True, **DRIVE_B)
    assert (s["rescored"], s["up_to_date"]) == (2, 0)
    forced = _rows(db)
    for h, r in first.items():
        a = {k: v for k, v in forced[h].key_value_pairs.items() if k != "sar_rescored_utc"}
        assert a == {k: v for k, v in r.key_value_pairs.items() if k != "sar_rescored_utc"}

    # interrupted: the second row's SAR step is killed (Ctrl-C); the first row is stored
    db2 = _copy(stored, tmp_path, "a", to="resume")
    real, calls = R.rescore_row, []

    def interrupted(job):
        calls.append(job["row_id"])
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(job)

    monkeypatch.setattr(R, "rescore_row", interrupted)
    with pytest.raises(KeyboardInterrupt):
        rescore(stored / "a.toml", db2, **DRIVE_B)
    monkeypatch.setattr(R, "rescore_row", real)
    s = rescore(stored / "a.toml", db2, **DRIVE_B)
    assert (s["rescored"], s["up_to_date"]) == (1, 1)
    resumed = _rows(db2)
    assert len(ResultStore(db2, mode="r").ids()) == 2
    for h, r in resumed.items():
        assert {k: v for k, v in r.key_value_pairs.items() if k != "sar_rescored_utc"} == \
            {k: v for k, v in first[h].key_value_pairs.items() if k != "sar_rescored_utc"}


def test_fresh_sweep_is_up_to_date_and_recipe_settings_apply(stored, tmp_path):
    """Rows a sweep of this code wrote with the recipe's SAR settings are up to date; rescoring database A with
    recipe B (its [protocol.sar] edited) selects the same rows and scores them at drive B."""
    db = _copy(stored, tmp_path, "b")
    s = rescore(stored / "b.toml", db)
    assert (s["rows"], s["rescored"], s["up_to_date"]) == (2, 0, 2)
    db = _copy(stored, tmp_path, "a")
    s = rescore(stored / "b.toml", db)
    assert (s["rows"], s["rescored"]) == (2, 2)
    direct = _rows(stored / "b.db")
    for h, r in _rows(db).items():
        assert r.SAR_W_per_g == direct[h].SAR_W_per_g and r.SAR_W_per_g_err == direct[h].SAR_W_per_g_err


def test_cli_rescore(stored, tmp_path):
    """`atomspin rescore` prints old -> new per row and a summary line; a rerun is up to date."""
    db = _copy(stored, tmp_path)
    rc, out, err = run_cli("rescore", stored / "a.toml", "--db", db, "--f-Hz", "3e5", "--H0-A-per-m", "8000",
                           "--medium", "immobilised", "--no-progress")
    assert rc == 0, err
    assert out.count("SAR_immobilised_W_per_g: ") == 2 and " -> " in out
    assert "2 rows of 2 tasks: 2 rescored, 0 up to date, 0 without a landscape, 0 failed" in out
    rc, out, err = run_cli("rescore", stored / "a.toml", "--db", db, "--f-Hz", "3e5", "--H0-A-per-m", "8000",
                           "--medium", "immobilised", "--no-progress")
    assert rc == 0 and "0 rescored, 2 up to date" in out


def test_row_without_landscape_gets_a_message(stored, tmp_path):
    """A row of a task of the recipe that holds no landscape is named with what is missing, not a traceback."""
    tasks = expand(parse_recipe(RECIPE))
    db = tmp_path / "nolandscape.db"
    st = ResultStore(db)
    t = tasks[0]
    st.write({"hash": t["hash"], "kvp": {"seed": t["seed"], "variant": t["variant"], "SAR_W_per_g": 1.0},
              "data": {}, "atoms": Atoms("Fe"), "recipe": t["recipe"]})
    msgs = []
    s = rescore(stored / "a.toml", db, log=msgs.append)
    assert (s["rows"], s["rescored"], s["missing"]) == (1, 0, 1) and len(s["no_landscape"]) == 1
    assert "no stored landscape (missing landscape_degree" in s["no_landscape"][0][1] and msgs
    rc, out, err = run_cli("rescore", stored / "a.toml", "--db", db, "--no-progress")
    assert rc == 0 and "no stored landscape" in err and "Traceback" not in err
    assert "1 without a landscape" in out


@pytest.mark.parametrize("kwargs, message", [
    (dict(f_Hz=-1.0), r"^f_Hz: -1.0 is outside \(0, 1e\+08\]$"),
    (dict(H0_A_per_m=-5e3), r"^H0_A_per_m: -5000.0 is outside \(0, 1e\+06\]$"),
    (dict(H0_A_per_m=float("nan")), r"^H0_A_per_m: nan is outside \(0, 1e\+06\] \(not finite\)$"),
    (dict(media=["blood"]), r"^media: 'blood' is not one of \['immobilised', 'water'\]$"),
    (dict(media=[]), r"^media: empty"),
    (dict(workers=0), r"^workers: 0 is outside \[1, 256\]$"),
])
def test_bad_arguments(tmp_path, kwargs, message):
    """Each bad argument: one ValueError naming it and its range, before the database is opened."""
    (tmp_path / "a.toml").write_text(RECIPE)
    with pytest.raises(ValueError, match=message):
        rescore(tmp_path / "a.toml", tmp_path / "absent.db", **kwargs)
    assert not (tmp_path / "absent.db").exists()


def test_bad_database_and_recipe(tmp_path):
    from atomspin.batch.schema import RecipeError
    from atomspin.batch.store import StoreError

    (tmp_path / "a.toml").write_text(RECIPE)
    with pytest.raises(StoreError, match=r"^db: '.*absent.db' does not exist; rescore updates the rows"):
        rescore(tmp_path / "a.toml", tmp_path / "absent.db")
    assert not (tmp_path / "absent.db").exists()  # never created
    (tmp_path / "s.toml").write_text(RECIPE.replace('steps = ["structure", "landscape", "sar"]',
                                                    'steps = ["structure"]'))
    with pytest.raises(RecipeError, match=r"^protocol.steps: rescore recomputes the sar step .*\(it has structure\)$"):
        rescore(tmp_path / "s.toml", tmp_path / "absent.db")
    rc, _, err = run_cli("rescore", tmp_path / "a.toml", "--db", tmp_path / "absent.db", "--medium", "blood")
    assert rc == 2 and err.strip() == "atomspin: error: media: 'blood' is not one of ['immobilised', 'water']"
    rc, _, err = run_cli("rescore", tmp_path / "a.toml", "--db", tmp_path / "absent.db", "--H0-A-per-m", "-1")
    assert rc == 2 and err.strip() == "atomspin: error: H0_A_per_m: -1.0 is outside (0, 1e+06]"
    rc, _, err = run_cli("rescore", tmp_path / "a.toml", "--db", tmp_path / "absent.db")
    assert rc == 2 and err.count("\n") == 1 and "does not exist" in err
    rc, _, err = run_cli("rescore", tmp_path / "a.toml", "--db", tmp_path / "absent.db", "--workers", "0")
    assert rc == 2 and "--workers: 0 is outside [1, 256]" in err


def test_rescore_on_dask_workers_equals_serial(stored, tmp_path):
    """Two local Dask workers write the same rows as the serial rescore (the driver writes; same seeds)."""
    serial, dask = _copy(stored, tmp_path, to="serial"), _copy(stored, tmp_path, to="dask")
    rescore(stored / "a.toml", serial, **DRIVE_B)
    s = rescore(stored / "a.toml", dask, workers=2, **DRIVE_B)
    assert (s["rescored"], len(s["failed"])) == (2, 0) and s["cpu_s"] > 0
    a, b = _rows(serial), _rows(dask)
    for seed, r in a.items():
        assert {k: v for k, v in b[seed].key_value_pairs.items() if k != "sar_rescored_utc"} == \
            {k: v for k, v in r.key_value_pairs.items() if k != "sar_rescored_utc"}


def test_code_version_ignores_documentation_and_sees_code():
    """Comments and docstrings do not make stored rows stale; a changed expression does."""
    from atomspin.batch.steps.sar import _code_text

    base = 'X = 1.0\n"""X, J (a source)."""\n\n\ndef f(a):\n    """Doc."""\n    return a * X  # comment\n'
    redoc = 'X = 1.0\n"""X, J (another source, read)."""\n\n\ndef f(a):\n    """Doc, longer."""\n    return a * X\n'
    recode = 'X = 1.0\n"""X, J (a source)."""\n\n\ndef f(a):\n    """Doc."""\n    return a * X * 2\n'
    assert _code_text(base) == _code_text(redoc)
    assert _code_text(base) != _code_text(recode)
    assert _code_text('def g():\n    """Only a docstring."""\n') == _code_text("def g():\n    pass\n")
