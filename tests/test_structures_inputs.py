"""Bad input raises ValueError naming the argument (property-based), and label bookkeeping invariants."""
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atomspin import structures as S
from atomspin.structures.labels import update_coordination

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def small():
    return S.build_particle("Fe3O4", "sphere", 2.5, seed=1)


@SETTINGS
@given(d=st.one_of(st.floats(max_value=0.0, allow_nan=False), st.floats(min_value=60.0001, max_value=1e6),
                   st.just(float("nan")), st.just(float("inf"))))
def test_bad_size(d):
    with pytest.raises(ValueError, match="diameter_nm"):
        S.build_particle("Fe3O4", "sphere", d)


@SETTINGS
@given(delta=st.one_of(st.floats(max_value=-1e-12, allow_nan=False),
                       st.floats(min_value=1 / 3 + 1e-9, max_value=1e9), st.just(float("nan"))))
def test_bad_delta(small, delta):
    with pytest.raises(ValueError, match=r"delta: .* is outside \[0, 1/3\]"):
        S.add_vacancies(small, delta)


@SETTINGS
@given(phase=st.text(max_size=12).filter(lambda s: s.strip().lower() not in
                                        {"fe3o4", "magnetite", "gamma-fe2o3", "γ-fe2o3", "fe2o3", "maghemite",
                                         "g-fe2o3", "feo", "wustite", "wüstite"}))
def test_bad_phase(phase):
    with pytest.raises(ValueError, match="phase"):
        S.build_bulk(phase)
    with pytest.raises(ValueError, match="phase"):
        S.build_particle(phase)


@SETTINGS
@given(shape=st.text(max_size=20).filter(lambda s: s not in
                                        {"sphere", "cube", "octahedron", "truncated_octahedron", "ellipsoid"}))
def test_bad_shape(shape):
    with pytest.raises(ValueError, match="shape"):
        S.build_particle("Fe3O4", shape, 3.0)


def test_zero_plane(small):
    with pytest.raises(ValueError, match=r"plane: \(0, 0, 0\)"):
        S.insert_apb(small, (0, 0, 0))
    with pytest.raises(ValueError, match="plane"):
        S.insert_apb(small, (1.5, 1, 0))
    with pytest.raises(ValueError, match="shift"):
        S.insert_apb(small, (1, 1, 0), shift=(0.5, 0, 0))


@SETTINGS
@given(x=st.one_of(st.floats(min_value=1.0 + 1e-9, max_value=1e9), st.floats(max_value=-1e-12, allow_nan=False)))
def test_bad_dopant_fraction(small, x):
    with pytest.raises(ValueError, match=r"fraction: .* is outside \[0, 1\]"):
        S.dope(small, "Zn", x)


def test_other_bad_arguments(small):
    cases = [
        (lambda: S.build_bulk("Fe3O4", repeat=0), "repeat"),
        (lambda: S.build_bulk("Fe3O4", b_valence="x"), "b_valence"),
        (lambda: S.build_bulk("FeO", fe_deficiency=0.5), "fe_deficiency"),
        (lambda: S.build_bulk("Fe3O4", fe_deficiency=0.1), "fe_deficiency"),
        (lambda: S.build_bulk("Fe3O4", seed=-1), "seed"),
        (lambda: S.build_particle("Fe3O4", "ellipsoid", 3.0, aspect=0), "aspect"),
        (lambda: S.build_particle("Fe3O4", "truncated_octahedron", 3.0, truncation=0.2), "truncation"),
        (lambda: S.build_particle("Fe3O4", "sphere", 3.0, center="X"), "center"),
        (lambda: S.build_particle("FeO", "sphere", 3.0, center="A"), "center"),
        (lambda: S.add_vacancies(small, 0.1, mode="x"), "mode"),
        (lambda: S.add_vacancies(small, 0.1, mode="radial", shell_nm=0), "shell_nm"),
        (lambda: S.dope(small, "Cu", 0.1), "element"),
        (lambda: S.dope(small, "Zn", 0.1, inversion=2), "inversion"),
        (lambda: S.label_surface(small), "thickness_nm"),
        (lambda: S.label_surface(small, -1.0), "thickness_nm"),
        (lambda: S.core_shell(small, 0.0), "core_diameter_nm"),
        (lambda: S.core_shell(small, 10.0), "core_diameter_nm"),
        (lambda: S.insert_apb(S.build_bulk("Fe3O4"), (1, 1, 0)), "atoms"),
        (lambda: S.plot_particle(small, "x"), "color_by"),
    ]
    for fn, name in cases:
        with pytest.raises(ValueError, match=name):
            fn()


def _labels_equal_full(atoms):
    ref = atoms.copy()
    update_coordination(ref)
    return (np.array_equal(atoms.arrays["missing_cation"], ref.arrays["missing_cation"])
            and np.array_equal(atoms.arrays["missing_O"], ref.arrays["missing_O"]))


@pytest.mark.parametrize("phase,kw", [("Fe3O4", {}), ("gamma-Fe2O3", {}), ("gamma-Fe2O3", {"vacancies": "ordered"}),
                                      ("FeO", {"fe_deficiency": 0.1})])
@pytest.mark.parametrize("shape", ["sphere", "cube", "octahedron", "truncated_octahedron", "ellipsoid"])
def test_fast_lattice_labels_equal_full_neighbour_search(phase, kw, shape):
    p = S.build_particle(phase, shape, 3.3, aspect=1.4, center="O", seed=2, **kw)
    assert _labels_equal_full(p)


def test_incremental_labels_after_defects_equal_full():
    p = S.build_particle("Fe3O4", "octahedron", 6.0, seed=1)
    a = S.add_vacancies(p, 0.2, seed=1)
    assert _labels_equal_full(a)
    b = S.insert_apb(a, (1, 1, 0), shift=(0.25, -0.25, 0))
    assert _labels_equal_full(b)
    c = S.insert_apb(b, (1, 1, 1), point=np.array(json.loads(b.info["shape"])["center_A"]) + 5)
    assert _labels_equal_full(c)
    assert _labels_equal_full(S.add_vacancies(S.build_bulk("Fe3O4", repeat=3), 0.3, seed=2))


@SETTINGS
@given(seed=st.integers(0, 2 ** 31), delta=st.floats(0, 1 / 3))
def test_vacancy_bookkeeping_invariants(seed, delta):
    b = S.build_bulk("Fe3O4", repeat=2, seed=seed)
    v = S.add_vacancies(b, delta, seed=seed)
    d = S.describe(v)
    assert d["charge_e"] == pytest.approx(0.0, abs=1e-9)
    assert d["counts"]["A"] == 64 and d["counts"]["O"] == 256
    assert S.min_distance_A(v) > 1.7
