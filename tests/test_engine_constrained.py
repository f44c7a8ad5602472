"""Constrained Monte Carlo (Asselin et al., PRB 82, 054415 (2010)) against exact results."""
import math

import numpy as np
import pytest
from scipy.integrate import quad as integrate

from atomspin.engine import ConstrainedSimulation
from atomspin.model.core import SpinModel
from atomspin.units import K_B_MEV_PER_K


def _pair(J, moments):
    n = 2
    return SpinModel(positions=np.zeros((n, 3)), spins=np.tile([0.0, 0.0, 1.0], (n, 1)),
                     moments=np.array(moments, dtype=float), indptr=np.array([0, 1, 2]),
                     indices=np.array([1, 0]), J=np.array([J, J], dtype=float), quad=np.zeros((n, 6)),
                     k1=np.zeros(n), k2=np.zeros(n))


def _stiff_cluster(L=3, J=20.0, K=0.5):
    """Open L³ simple-cubic cluster, ferromagnetic J (meV), uniaxial K (meV) along z on every site."""
    n = L ** 3
    idx = np.arange(n).reshape(L, L, L)
    rows = [[] for _ in range(n)]
    for ax in range(3):
        a = np.take(idx, range(L - 1), axis=ax).ravel()
        b = np.take(idx, range(1, L), axis=ax).ravel()
        for i, j in zip(a, b):
            rows[i].append(j)
            rows[j].append(i)
    indptr = np.cumsum([0] + [len(r) for r in rows])
    indices = np.concatenate([sorted(r) for r in rows])
    q = np.zeros((n, 6))
    q[:, 2] = K
    return SpinModel(positions=np.zeros((n, 3)), spins=np.tile([0.0, 0.0, 1.0], (n, 1)),
                     moments=np.full(n, 4.5), indptr=indptr, indices=indices,
                     J=np.full(len(indices), J), quad=q, k1=np.zeros(n), k2=np.zeros(n))


@pytest.mark.parametrize("J_over_kT,moments", [(0.0, (1.0, 1.0)), (2.0, (5.0, 4.0))])
def test_constrained_magnitude_equals_unconstrained_modulus(J_over_kT, moments):
    """For an isotropic Hamiltonian the constrained ensemble (weight |M|² δ²(M⊥) e^{−βE}) gives
    ⟨M∥⟩_constrained = ⟨|M|⟩_free. Two spins: |M| = √(m1² + m2² + 2 m1 m2 c), c = ŝ1·ŝ2 with
    density ∝ exp(K c) on [−1, 1]. Without the (M'/M)² and |s_j∥|/|s_j'∥| factors this fails."""
    T = 20.0
    J = J_over_kT * K_B_MEV_PER_K * T
    m1, m2 = moments
    modulus = lambda c: math.sqrt(m1 * m1 + m2 * m2 + 2 * m1 * m2 * c)  # noqa: E731
    w = lambda c: math.exp(J_over_kT * c)  # noqa: E731
    exact = integrate(lambda c: modulus(c) * w(c), -1, 1)[0] / integrate(w, -1, 1)[0]
    sim = ConstrainedSimulation(_pair(J, moments), T, direction=[0.3, -1.0, 0.5], seed=4)
    sim.run(2000)
    obs = sim.run(150_000, observe_every=10)
    mpar = obs.magnetisation @ sim.direction
    assert np.max(np.linalg.norm(obs.magnetisation - np.outer(mpar, sim.direction), axis=1)) < 1e-10
    assert mpar.mean() == pytest.approx(exact, rel=0.01)


@pytest.mark.slow
def test_torque_of_stiff_uniaxial_cluster(full_scale):
    """dF/dθ = −ŷ·⟨Σ ŝ_i × h_i⟩ = (Σ K_i) sin 2θ for a stiff cluster at low T (2 % tolerance)."""
    K, L = 0.5, 3
    model = _stiff_cluster(L=L, J=20.0, K=K)
    amplitude = K * L ** 3
    thetas = [10, 20, 30, 45, 60, 70, 80] if full_scale else [20, 45, 70]
    sweeps = 4000 if full_scale else 800
    for deg in thetas:
        th = math.radians(deg)
        e = np.array([math.sin(th), 0.0, math.cos(th)])
        sim = ConstrainedSimulation(model, T=2.0, direction=e, seed=deg)
        sim.run(200)
        obs = sim.run(sweeps, observe_every=2)
        dfdth, err = obs.free_energy_derivative([0.0, 1.0, 0.0])
        expected = amplitude * math.sin(2 * th)
        assert dfdth == pytest.approx(expected, rel=0.02), (deg, dfdth, err, expected)
        # no torque about ê itself or about the third axis (x-z plane symmetry): |τ_⊥| small
        assert abs(obs.mean_torque @ e) < 0.02 * amplitude
        mpar = obs.magnetisation @ e
        assert np.all(mpar > 0.9 * model.moments.sum())


def test_constrained_determinism_and_direction():
    model = _stiff_cluster(L=2, J=5.0, K=0.2)
    runs = []
    for seed in (1, 1, 2):
        sim = ConstrainedSimulation(model, T=30.0, direction=[1.0, 1.0, 1.0], seed=seed)
        obs = sim.run(30)
        runs.append((sim.spins, obs.torque))
    assert np.array_equal(runs[0][0], runs[1][0]) and np.array_equal(runs[0][1], runs[1][1])
    assert not np.array_equal(runs[0][0], runs[2][0])
    m = model.moments @ runs[0][0]
    assert np.allclose(m / np.linalg.norm(m), np.ones(3) / math.sqrt(3), atol=1e-12)
    # torque equals Σ ŝ × h computed from the local fields
    sim = ConstrainedSimulation(model, T=30.0, direction=[0, 0, 1.0], seed=3)
    sim.run(5)
    assert np.allclose(sim.torque(), np.cross(sim.spins, sim.local_field()).sum(axis=0))
    # one kernel call for many sweeps == many calls (σ adaptation carried across sweeps)
    a = ConstrainedSimulation(model, T=30.0, direction=[0, 1.0, 0], seed=5, adapt_moves=16)
    a.run(12, observe_every=12)
    b = ConstrainedSimulation(model, T=30.0, direction=[0, 1.0, 0], seed=5, adapt_moves=16)
    b.run(12)
    assert np.array_equal(a.spins, b.spins) and a.cone_width == b.cone_width != 0.3
    # sample_energy=False (the landscape's runs) skips only the energy: same stream, same torque, energy NaN
    a = ConstrainedSimulation(model, T=30.0, direction=[1.0, 0, 1.0], seed=7).run(10)
    b = ConstrainedSimulation(model, T=30.0, direction=[1.0, 0, 1.0], seed=7).run(10, sample_energy=False)
    assert np.array_equal(a.torque, b.torque) and np.array_equal(a.magnetisation, b.magnetisation)
    assert np.all(np.isfinite(a.energy)) and np.all(np.isnan(b.energy))


@pytest.mark.nojit
def test_constrained_bad_input():
    model = _stiff_cluster(L=2)
    with pytest.raises(ValueError, match="direction"):
        ConstrainedSimulation(model, T=10.0, direction=[np.nan, 0, 1], seed=0)
    with pytest.raises(ValueError, match="direction"):
        ConstrainedSimulation(model, T=10.0, direction=[0, 0, 0], seed=0)
    with pytest.raises(ValueError, match="T"):
        ConstrainedSimulation(model, T=-1.0, direction=[0, 0, 1], seed=0)
    one = SpinModel(positions=np.zeros((1, 3)), spins=[[0, 0, 1.0]], moments=[1.0],
                    indptr=[0, 0], indices=np.zeros(0, int), J=np.zeros(0), quad=np.zeros((1, 6)),
                    k1=[0.0], k2=[0.0])
    with pytest.raises(ValueError, match="model"):
        ConstrainedSimulation(one, T=10.0, direction=[0, 0, 1], seed=0)
    sim = ConstrainedSimulation(model, T=10.0, direction=[0, 0, 1], seed=0)
    obs = sim.run(4)
    with pytest.raises(ValueError, match="axis"):
        obs.free_energy_derivative([0, 0, 0])


@pytest.mark.nojit
@pytest.mark.parametrize("dipolar", [False, True])
def test_constrained_kernel_matches_reference(dipolar):
    """Pair moves written out in numpy with ΔE from two full model.energy evaluations, consuming
    the same random numbers as the kernel, give the same spins and cone width."""
    from naive import ref_constrained_sweeps
    from toy_models import random_model

    model = random_model(n=8, n_pairs=12, seed=31, dipolar=dipolar)
    T, seed, sweeps = 60.0, 12, 6
    sim = ConstrainedSimulation(model, T=T, direction=[0.2, 0.5, -1.0], seed=seed, adapt_moves=20)
    s, sigma = ref_constrained_sweeps(model, T, seed, sim.direction, sim.spins, sweeps, sigma=0.3, window=20)
    sim.run(sweeps, observe_every=3)
    assert np.allclose(sim.spins, s, rtol=0, atol=1e-11)
    assert sim.cone_width == pytest.approx(sigma, rel=1e-15) and sigma != 0.3
    assert sim.energy() == pytest.approx(model.energy(s), rel=1e-10)


def test_torque_error_bar_matches_spread_of_independent_runs():
    """The error of dF/dθ accounts for the autocorrelation of the torque samples: over 24 seeded runs
    (8-spin cluster, T = 20 K, θ = 45°, 400 sweeps) their spread matches the reported error
    (±35 %, sampling uncertainty ≈ 15 %) and exceeds the naive σ/√n of the samples by > 2×."""
    model = _stiff_cluster(L=2, J=5.0, K=0.5)
    e = np.array([math.sqrt(0.5), 0.0, math.sqrt(0.5)])
    vals, errs, naive = [], [], []
    for seed in range(24):
        sim = ConstrainedSimulation(model, T=20.0, direction=e, seed=seed)
        sim.run(100)
        obs = sim.run(400)
        v, err = obs.free_energy_derivative([0.0, 1.0, 0.0])
        t = -obs.torque[:, 1]
        assert v == pytest.approx(t.mean(), rel=1e-12)
        vals.append(v)
        errs.append(err)
        naive.append(t.std(ddof=1) / math.sqrt(len(t)))
    spread = np.std(vals, ddof=1)
    assert 0.65 < spread / np.sqrt(np.mean(np.square(errs))) < 1.35
    assert spread > 2.0 * np.sqrt(np.mean(np.square(naive)))
    single = ConstrainedSimulation(model, T=20.0, direction=e, seed=0).run(1)
    assert math.isnan(single.free_energy_derivative([0.0, 1.0, 0.0])[1])
