"""GNEB and the effective field it uses, against exact macrospin barriers and an independent
numpy derivative of SpinModel.energy."""
import numpy as np
import pytest
from naive import numeric_fields
from toy_models import random_model

from atomspin.measure import anisotropy_field_T, geodesic_distance, geodesic_path, gneb, relax, uniaxial_cluster
from atomspin.engine import effective_field as kernel_effective_field
from atomspin.measure.anisotropy import zero_temperature_barrier
from atomspin.model.hamiltonian import Hamiltonian, effective_field
from atomspin.units import MEV


def test_effective_field_is_minus_gradient_of_energy():
    """Reference: central finite differences of SpinModel.energy (the slow, obvious implementation)."""
    m = random_model(n=7, n_pairs=10, seed=0)
    s = m.spins
    h = effective_field(m, s)
    num = numeric_fields(m.energy, s, eps=1e-6)
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
    m = random_model(n=7, n_pairs=10, seed=2)
    rng = np.random.default_rng(5)
    band = rng.normal(size=(4, m.n, 3))
    band /= np.linalg.norm(band, axis=2, keepdims=True)
    e, h = Hamiltonian(m).energy_and_fields(band)  # the evaluator GNEB uses
    for p in range(4):
        assert e[p] == pytest.approx(m.energy(band[p]), rel=1e-12, abs=1e-12)
        assert np.allclose(h[p], kernel_effective_field(m, band[p]), atol=1e-12)


# ---- magnetite particle: cubic K1 < 0, exchange/anisotropy field ratio ≈ 10⁵ -------------------------------

def _rigid_cubic_barrier(m):
    """Exact barrier of the rigidly rotating collinear Néel state from ⟨111⟩ over ⟨110⟩, from the per-site
    k1, k2: E_c(u) = Σ_i k1_i (ux²uy² + uy²uz² + uz²ux²) + k2_i ux²uy²uz², the same for ±u on every site."""
    def e_cubic(u):
        x2, y2, z2 = (np.asarray(u, dtype=float) / np.linalg.norm(u)) ** 2
        return np.sum(m.k1 * (x2 * y2 + y2 * z2 + z2 * x2) + m.k2 * x2 * y2 * z2)

    barrier = e_cubic([1, 1, 0]) - e_cubic([1, 1, 1])
    assert barrier == pytest.approx(-m.k1.sum() / 12 - m.k2.sum() / 27, rel=1e-12)  # 1/4 − 1/3, 0 − 1/27
    return barrier


def _neel(m, u):
    """The model's collinear Néel state (A antiparallel to B) turned rigidly to the direction u."""
    u = np.asarray(u, dtype=float) / np.linalg.norm(u)
    return np.sign(m.spins[:, 2])[:, None] * u


def _rot(axis, angle):
    k = np.asarray(axis, dtype=float) / np.linalg.norm(axis)
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(angle) * K + (1 - np.cos(angle)) * K @ K


def test_rigid_component_is_the_orthogonal_projection_on_global_rotations():
    """Reference: least squares over the explicit 3N × 3 matrix of rigid-rotation generators e_k × ŝ_i."""
    from atomspin.measure.gneb import _project, _rigid_component

    rng = np.random.default_rng(3)
    s = rng.normal(size=(2, 9, 3))
    s /= np.linalg.norm(s, axis=2, keepdims=True)
    f = _project(rng.normal(size=s.shape), s)
    r = _rigid_component(f, s)
    for p in range(2):
        G = np.stack([np.cross(np.eye(3)[k], s[p]).ravel() for k in range(3)], axis=1)
        coef = np.linalg.lstsq(G, f[p].ravel(), rcond=None)[0]
        assert np.allclose(r[p].ravel(), G @ coef, atol=1e-12)
    assert np.allclose(_rigid_component(r, s), r, atol=1e-12)  # idempotent
    # a collinear state: the rotation about its own axis moves nothing and is dropped, no division by zero
    c = np.repeat(np.array([[[0.0, 0.0, 1.0]]]), 4, axis=1) * np.array([1, -1, 1, -1])[None, :, None]
    fc = np.zeros_like(c)
    fc[0, :, 0] = [1.0, -1.0, 1.0, -1.0]  # exactly a rotation about y
    assert np.allclose(_rigid_component(fc, c), fc)


def test_relax_turns_magnetite_sphere_to_111_easy_axis(magnetite_sphere):
    """From 15° off [001] (near the hard axis), the preconditioned descent reaches the ⟨111⟩ minimum, which
    the plain quick-min (time step set by the exchange) does not approach in the same number of steps."""
    m = magnetite_sphere(2.5)
    start = _neel(m, [0.3, 0.2, 1.0])
    sig = np.sign(m.spins[:, 2])[:, None]
    e111 = np.ones(3) / np.sqrt(3)
    r = relax(m, start, max_iter=3000)
    net = np.mean(sig * r, axis=0)
    assert np.linalg.norm(net / np.linalg.norm(net) - e111) < 1e-3
    assert m.energy(r) == pytest.approx(m.energy(_neel(m, e111)), abs=1e-6)
    slow = relax(m, start, max_iter=3000, precondition=False)
    net = np.mean(sig * slow, axis=0)
    assert np.linalg.norm(net / np.linalg.norm(net) - e111) > 0.3


@pytest.mark.parametrize("precondition", [True, False])
def test_gneb_magnetite_sphere_111_to_111_over_110(precondition, magnetite_sphere):
    """Exact: with exchange/anisotropy ≈ 10⁵ the MEP between neighbouring ⟨111⟩ of a 2.5 nm magnetite sphere is
    the rigid rotation of the Néel state over ⟨110⟩ (the collinear state is stationary there), barrier
    −Σk1/12 − Σk2/27. The band starts bowed 0.4 rad out of the (1−10) plane with 0.05 rad site noise."""
    m = magnetite_sphere(2.5)
    exact = _rigid_cubic_barrier(m)
    a, b = _neel(m, [1, 1, 1]), _neel(m, [1, 1, -1])
    rng = np.random.default_rng(7)
    band = geodesic_path(a, b, 11)
    for k in range(1, 10):
        band[k] = band[k] @ _rot([1, 1, 0], 0.4 * np.sin(np.pi * k / 10)).T
        band[k] += rng.normal(scale=0.05, size=band[k].shape)
    r = gneb(m, a, b, n_images=11, initial_path=band, max_iter=1500, precondition=precondition,
             store_images=True)
    if not precondition:  # the plain quick-min cannot resolve the soft rotation within this budget
        assert not r.converged
        return
    assert r.converged and r.iterations < 1500
    assert r.barrier_meV <= exact * (1 + 1e-9)
    assert r.barrier_meV == pytest.approx(exact, rel=1e-4)
    assert r.barrier_reverse_meV == pytest.approx(exact, rel=1e-4)
    sig = np.sign(m.spins[:, 2])[:, None]
    net = np.mean(sig * r.images[r.saddle_index], axis=0)
    assert abs(net @ np.array([1, 1, 0]) / np.linalg.norm(net)) / np.sqrt(2) > 1 - 1e-6


@pytest.mark.slow
@pytest.mark.parametrize("easy_axis", [(1, 1, 1), (0, 0, 1)])
def test_zero_temperature_barrier_magnetite_sphere_reversal(easy_axis, full_scale, magnetite_sphere):
    """Reversal of a magnetite sphere (2.5 nm by default, 4 nm at full scale) by ``zero_temperature_barrier``:
    from [111] the band leaves the starting great circle (whose mirror plane crosses the hard ⟨100⟩) for three
    ⟨111⟩ → ⟨111⟩ hops over ⟨110⟩; from the default [001], the cubic hard axis (a maximum), ``relax`` turns the
    end states off it into ⟨111⟩ minima. Either way the barrier is the exact rigid ⟨110⟩ − ⟨111⟩ difference.
    Measured ([111]): 3 nm (583 spins) 3.5 s, 4 nm (1395 spins) 7.2 s."""
    m = magnetite_sphere(4.0 if full_scale else 2.5)
    exact = _rigid_cubic_barrier(m)
    r = zero_temperature_barrier(m, easy_axis=easy_axis, n_images=12, max_iter=5000)
    assert r.converged
    assert r.barrier_meV == pytest.approx(exact, rel=1e-4)
    assert r.barrier_reverse_meV == pytest.approx(exact, rel=1e-4)


def test_rigid_descent_axis_tells_a_cubic_maximum_from_the_110_saddle(magnetite_sphere):
    """Second-order check of a converged climbing image: on the rigid Néel state of a magnetite sphere
    ⟨100⟩ is a maximum (with the tangent along the (011̄) mirror circle the energy falls on turning about
    [011]), ⟨110⟩ a first-order saddle, ⟨111⟩ a minimum."""
    from atomspin.measure.gneb import _rigid_descent_axis

    m = magnetite_sphere(2.5)
    batch = Hamiltonian(m).energy_and_fields
    sig = np.sign(m.spins[:, 2])[:, None]
    found = []
    for u, t in (([1, 0, 0], [0, 1, 1]), ([1, 1, 0], [0, 0, 1]), ([1, 1, 1], [1, 1, -2])):
        s = _neel(m, u)
        tau = sig * np.asarray(t, dtype=float)
        tau -= np.sum(tau * s, axis=1)[:, None] * s
        found.append(_rigid_descent_axis(batch, s, tau / np.linalg.norm(tau), 1e-6))
    assert abs(found[0] @ np.array([0, 1, 1])) / np.sqrt(2) == pytest.approx(1.0, abs=1e-9)
    assert found[1] is None and found[2] is None
