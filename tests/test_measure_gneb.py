"""GNEB and the effective field it uses, against exact macrospin barriers and an independent
numpy derivative of SpinModel.energy."""
import numpy as np
import pytest

from atomspin.measure import anisotropy_field_T, geodesic_distance, geodesic_path, gneb, uniaxial_cluster
from atomspin.measure._field import effective_field
from atomspin.measure.anisotropy import zero_temperature_barrier
from atomspin.model.core import SpinModel, quad_from_matrix
from atomspin.units import MEV


def _random_model(n=7, seed=0):
    rng = np.random.default_rng(seed)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n) if rng.random() < 0.5]
    rows = [[] for _ in range(n)]
    for (i, j) in pairs:
        jv = rng.uniform(-3, 3)
        rows[i].append((j, jv))
        rows[j].append((i, jv))
    indptr = np.zeros(n + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.array([j for r in rows for j, _ in r], dtype=np.int64)
    J = np.array([v for r in rows for _, v in r])
    q = rng.normal(size=(n, 3, 3))
    q = q + np.swapaxes(q, 1, 2)
    s = rng.normal(size=(n, 3))
    s /= np.linalg.norm(s, axis=1, keepdims=True)
    return SpinModel(positions=rng.normal(size=(n, 3)), spins=s, moments=rng.uniform(4, 5, n), indptr=indptr,
                     indices=indices, J=J, quad=quad_from_matrix(q), k1=rng.uniform(-1, 1, n),
                     k2=rng.uniform(-1, 1, n), field=np.array([0.3, -1.0, 0.5]))


def test_effective_field_is_minus_gradient_of_energy():
    """Reference: central finite differences of SpinModel.energy (the slow, obvious implementation)."""
    m = _random_model()
    s = m.spins
    h = effective_field(m, s)
    eps = 1e-6
    num = np.zeros_like(s)
    for i in range(m.n):
        for a in range(3):
            sp, sm = s.copy(), s.copy()
            sp[i, a] += eps
            sm[i, a] -= eps
            num[i, a] = -(m.energy(sp) - m.energy(sm)) / (2 * eps)
    assert np.allclose(h, num, atol=1e-6)


def test_geodesic_path_and_distance():
    a = np.array([[0.0, 0, 1], [1.0, 0, 0]])
    b = np.array([[0.0, 0, -1], [0.0, 1, 0]])
    p = geodesic_path(a, b, 5)
    assert np.allclose(np.linalg.norm(p, axis=2), 1.0)
    assert geodesic_distance(a, b) == pytest.approx(np.hypot(np.pi, np.pi / 2))
    steps = [geodesic_distance(p[k], p[k + 1]) for k in range(4)]
    assert np.allclose(steps, geodesic_distance(a, b) / 4)


def test_gneb_zero_field_barrier_equals_sum_of_K():
    m = uniaxial_cluster((3, 3, 2), J_meV=20.0, K_meV=0.05)
    r = gneb(m, m.spins, -m.spins, n_images=9)
    assert r.converged
    assert r.barrier_meV == pytest.approx(18 * 0.05, rel=1e-6)
    assert r.barrier_J == pytest.approx(18 * 0.05 * MEV, rel=1e-6)
    assert r.barrier_reverse_meV == pytest.approx(r.barrier_meV, rel=1e-6)


def test_gneb_in_reversing_field_from_a_noisy_band_finds_sw_barrier():
    """Macrospin barrier with field h = B/B_K antiparallel to the start: ΔE = ΣK (1 − h)²."""
    m = uniaxial_cluster((2, 2, 2), J_meV=20.0, K_meV=0.05)
    BK = anisotropy_field_T(m)
    h = 0.3
    m.field = np.array([0.0, 0.0, -h * BK])
    rng = np.random.default_rng(1)
    band = geodesic_path(m.spins, -m.spins, 9) + rng.normal(scale=0.15, size=(9, m.n, 3))
    r = gneb(m, m.spins, -m.spins, n_images=9, initial_path=band, tol_meV=1e-5)
    assert r.converged
    assert r.barrier_meV == pytest.approx(8 * 0.05 * (1 - h) ** 2, rel=1e-4)
    assert r.barrier_reverse_meV == pytest.approx(8 * 0.05 * (1 + h) ** 2, rel=1e-4)
    assert 0 < r.saddle_index < 8


def test_gneb_ferrimagnet_via_zero_temperature_barrier():
    m = uniaxial_cluster((2, 2, 2), J_meV=20.0, K_meV=0.05, sublattices=True, moment_muB=(5.0, 4.0),
                         axis=(1, 1, 0))
    r = zero_temperature_barrier(m, easy_axis=(1, 1, 0), n_images=7)
    assert r.barrier_meV == pytest.approx(8 * 0.05, rel=1e-6)
    d = r.to_dict()
    assert "images" not in d and d["type"] == "GNEBResult"


def test_gneb_bad_input():
    m = uniaxial_cluster((2, 2, 1))
    with pytest.raises(ValueError, match="n_images"):
        gneb(m, m.spins, -m.spins, n_images=2)
    with pytest.raises(ValueError, match="initial"):
        gneb(m, np.zeros((3, 3)), -m.spins)
    with pytest.raises(ValueError, match="final"):
        gneb(m, m.spins, np.zeros_like(m.spins))
    with pytest.raises(ValueError, match="easy_axis"):
        zero_temperature_barrier(m, easy_axis=(0, 0, 0))


def test_batched_band_energy_matches_model_and_engine():
    from atomspin.measure.gneb import _BatchEnergy

    m = _random_model(seed=2)
    rng = np.random.default_rng(5)
    band = rng.normal(size=(4, m.n, 3))
    band /= np.linalg.norm(band, axis=2, keepdims=True)
    e, h = _BatchEnergy(m)(band)
    for p in range(4):
        assert e[p] == pytest.approx(m.energy(band[p]), rel=1e-12, abs=1e-12)
        assert np.allclose(h[p], effective_field(m, band[p]), atol=1e-12)
