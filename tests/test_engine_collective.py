"""Tests of the collective (rigid rotation) Monte Carlo move of atomspin.engine.Simulation.

Exact references: ΔE against two full model.energy evaluations; a pure-Python transcription of the
move consuming the same xoshiro256+ numbers; the Langevin function and the exact macrospin
Boltzmann average of ⟨cos²θ⟩ for exchange-stiff clusters; single-spin-only long runs.
"""
import math

import numpy as np
import pytest
from scipy.integrate import quad as integrate

from naive import ref_collective_run, rodrigues
from toy_models import complete_cluster, random_model
from toy_models import csr_from_pairs as _csr_from_pairs
from toy_models import random_unit as _random_unit

from atomspin.engine import ConstrainedSimulation, Simulation, collective_energy_change
from atomspin.model.core import SpinModel
from atomspin.units import K_B_MEV_PER_K, MU_B_MEV_PER_T


def random_rotation(rng):
    u = _random_unit(rng, 1)[0]
    return rodrigues(u, rng.uniform(-math.pi, math.pi))


def langevin(x):
    return 1.0 / math.tanh(x) - 1.0 / x


# ----------------------------------------------------------------------------- ΔE
@pytest.mark.nojit
@pytest.mark.parametrize("dipolar", [False, True])
def test_collective_delta_e_equals_full_recomputation(dipolar):
    rng = np.random.default_rng(11)
    for trial in range(6):
        model = random_model(n=14, n_pairs=30, seed=trial, dipolar=dipolar, cells=4)
        spins = _random_unit(rng, model.n)
        for sites in (None, np.array([0, 2, 3, 7, 11]), np.arange(5, 14)):
            rot = random_rotation(rng)
            idx = np.arange(model.n) if sites is None else sites
            new = spins.copy()
            new[idx] = spins[idx] @ rot.T
            ref = model.energy(new) - model.energy(spins)
            got = collective_energy_change(model, rot, sites=sites, spins=spins)
            assert abs(got - ref) <= 1e-10 * max(abs(ref), 1e-3), (trial, sites, got, ref)


@pytest.mark.nojit
def test_global_rotation_leaves_exchange_invariant():
    model = random_model(n=10, n_pairs=20, seed=5, quad=False, cubic=False, field=(0, 0, 0))
    rot = random_rotation(np.random.default_rng(0))
    assert abs(collective_energy_change(model, rot)) < 1e-12
    # ... but not a rotation of a subset with bonds leaving it
    assert abs(collective_energy_change(model, rot, sites=[0, 1, 2])) > 1e-3


# ----------------------------------------------------------------------------- kernel vs reference
@pytest.mark.nojit
@pytest.mark.parametrize("dipolar", [False, True])
def test_collective_kernel_matches_reference(dipolar):
    model = random_model(n=8, n_pairs=12, seed=3, dipolar=dipolar)
    labels = np.array([0, 0, 1, -1, 1, 0, 1, 0])  # two groups with bonds leaving them, one excluded site
    sim = Simulation(model, T=60.0, seed=9, threads=1, adapt_moves=20, collective_every=2,
                     collective_groups=labels)
    sim.run(70, observe_every=7)
    s_ref, w_ref, n_acc = ref_collective_run(model, 60.0, 9, 70, 2, labels)
    assert sim.collective_width == pytest.approx(w_ref, rel=1e-12, abs=0)
    assert w_ref != 0.1  # the width adaptation was exercised (70 attempts ≥ 10)
    assert sim.collective_acceptance == pytest.approx(n_acc / 70)
    assert 0 < n_acc < 70
    assert np.allclose(sim.spins, s_ref, rtol=0, atol=1e-10)


def test_split_run_equals_whole_and_determinism_parallel():
    model = random_model(n=30, n_pairs=50, seed=6)
    a = Simulation(model, T=40.0, seed=2, threads=2, parallel=True, collective_every=3)
    a.run(11, observe_every=11)
    b = Simulation(model, T=40.0, seed=2, threads=2, parallel=True, collective_every=3)
    b.run(4)
    b.run(7, observe_every=2)
    assert np.array_equal(a.spins, b.spins) and a.collective_width == b.collective_width
    c = Simulation(model, T=40.0, seed=2, threads=2, parallel=True)
    c.run(11)
    assert not np.array_equal(a.spins, c.spins)  # the collective move did act
    d = Simulation(model, T=40.0, seed=2, threads=2, parallel=True)
    d.run(2)
    d.collective_every = 3  # settable later
    d.run(9)  # attempts after global sweeps 3, 6, 9: the same schedule as a
    assert np.array_equal(a.spins, d.spins) and d._collective.tried == 3


# ----------------------------------------------------------------------------- equilibrium
N_STIFF, J_STIFF, MOM, T_STIFF = 8, 200.0, 5.0, 10.0  # J/k_BT ≈ 230: internal disorder < 0.1 %


def test_stiff_cluster_follows_langevin_of_total_moment():
    kt = K_B_MEV_PER_K * T_STIFF
    mu = N_STIFF * MOM * MU_B_MEV_PER_T  # meV/T
    # x = μ_tot B / k_BT; x ≥ 3 keeps the sampling error of ⟨cos θ⟩ (40k samples, τ ≈ 1) below 0.5 %
    for x in (3.0, 6.0):
        model = complete_cluster(N_STIFF, J_STIFF, MOM, field=(0, 0, x * kt / mu))
        sim = Simulation(model, T=T_STIFF, seed=4, threads=1, collective_every=1)
        sim.run(2000)
        sim.freeze_cone()
        obs = sim.run(40000, observe_every=1)
        mz = np.mean(obs.magnetisation[:, 2]) / obs.m_sat
        print(f"x = {x}: <M_z>/M_sat = {mz:.4f}, L(x) = {langevin(x):.4f}, "
              f"acceptance {obs.collective_acceptance:.2f}, width {sim.collective_width:.3f} rad")
        assert mz == pytest.approx(langevin(x), rel=0.02), (x, mz, langevin(x))
        assert 0.2 < obs.collective_acceptance < 0.8


def test_stiff_uniaxial_cluster_cos2_matches_macrospin():
    kt = K_B_MEV_PER_K * T_STIFF
    ktot = 3.0 * kt  # K_tot / k_BT = 3
    model = complete_cluster(N_STIFF, J_STIFF, MOM, K=ktot / N_STIFF)
    a = ktot / kt
    exact = (integrate(lambda u: u * u * math.exp(a * u * u), 0, 1)[0]
             / integrate(lambda u: math.exp(a * u * u), 0, 1)[0])
    sim = Simulation(model, T=T_STIFF, seed=8, threads=1, collective_every=1)
    sim.run(2000)
    sim.freeze_cone()
    obs = sim.run(60000)
    m = obs.magnetisation
    cos2 = np.mean(m[:, 2] ** 2 / np.sum(m * m, axis=1))
    print(f"<cos^2> = {cos2:.4f}, exact macrospin {exact:.4f}")
    assert cos2 == pytest.approx(exact, rel=0.02), (cos2, exact)
    assert exact > 1 / 3 + 0.2  # the anisotropy matters (isotropic value 1/3)


@pytest.mark.slow
def test_single_spin_only_long_run_agrees(full_scale):
    """Moderately stiff 4-spin cluster (J/k_BT ≈ 12) in a field: a very long run with single-spin
    moves only samples the same ⟨M_z⟩ as a run with collective moves (block-average errors)."""
    n, J, T = 4, 10.0, 10.0
    kt = K_B_MEV_PER_K * T
    model = complete_cluster(n, J, MOM, field=(0, 0, 2.0 * kt / (n * MOM * MU_B_MEV_PER_T)))
    f = 4 if full_scale else 1
    res = []
    for every, sweeps, oe in ((0, f * 4_000_000, 50), (1, f * 200_000, 5)):
        sim = Simulation(model, T=T, seed=21, threads=1, collective_every=every)
        sim.run(5000)
        sim.freeze_cone()
        mz = sim.run(sweeps, observe_every=oe).magnetisation[:, 2] / (n * MOM)
        blocks = mz.reshape(40, -1).mean(axis=1)
        res.append((mz.mean(), blocks.std(ddof=1) / np.sqrt(40)))
    (a, ea), (b, eb) = res
    print(f"<M_z>/M_sat single-spin only {a:.4f} ± {ea:.4f}, collective {b:.4f} ± {eb:.4f}, L(2) = "
          f"{langevin(2.0):.4f}")
    assert max(ea, eb) < 0.01 * b  # the comparison has power: both means known to < 1 %
    assert abs(a - b) < 4 * math.hypot(ea, eb), res
    assert abs(a - b) < (0.02 if full_scale else 0.03) * b, res
    assert b == pytest.approx(langevin(2.0), rel=0.06)  # near the rigid-macrospin limit L(2)


# ----------------------------------------------------------------------------- efficiency
def ferrimagnetic_cluster(L=10, J=-60.0, K=0.01, B=-3.0, mA=5.0, mB=3.0):
    """L³ simple-cubic open cluster, two sublattices (mA, mB in μB, NaCl order) coupled by J < 0 (meV),
    uniaxial K (meV) per spin; starts saturated with the net moment along +z."""
    n = L ** 3
    idx = np.arange(n).reshape(L, L, L)
    pairs = []
    for ax in range(3):
        lo = [slice(None)] * 3
        hi = [slice(None)] * 3
        lo[ax], hi[ax] = slice(0, L - 1), slice(1, L)
        pairs += list(zip(idx[tuple(lo)].ravel(), idx[tuple(hi)].ravel()))
    indptr, indices, Jv = _csr_from_pairs(n, pairs, [J] * len(pairs))
    par = np.sum(np.unravel_index(np.arange(n), (L, L, L)), axis=0) % 2
    spins = np.zeros((n, 3))
    spins[:, 2] = np.where(par == 0, 1.0, -1.0)
    quad = np.zeros((n, 6))
    quad[:, 2] = K
    return SpinModel(positions=np.zeros((n, 3)), spins=spins, moments=np.where(par == 0, mA, mB),
                     indptr=indptr, indices=indices, J=Jv, quad=quad, k1=np.zeros(n), k2=np.zeros(n),
                     field=np.array([0.0, 0.0, B]), sublattice=np.where(par == 0, "A", "B"))


def test_collective_move_reverses_ferrimagnetic_cluster():
    model = ferrimagnetic_cluster()
    m0 = float(model.moments @ model.spins[:, 2])  # initial net moment, μB (+1000)
    out = {}
    for every in (0, 1):
        sim = Simulation(model, T=300.0, seed=5, threads=1, collective_every=every)
        obs = sim.run(200, observe_every=10)
        out[every] = obs.magnetisation[-10:, 2].mean() / m0  # mean over sweeps 110…200
    print(f"m_z/m_z(0) after 200 sweeps at -3 T, 300 K: single-spin {out[0]:.3f}, collective {out[1]:.3f}")
    assert out[1] < -0.5, out
    assert out[0] > 0.5, out


# ----------------------------------------------------------------------------- threads, bad input
def test_threads_one_is_sequential_even_for_large_n():
    n = 5000
    model = SpinModel(positions=np.zeros((n, 3)), spins=np.tile([0.0, 0.0, 1.0], (n, 1)),
                      moments=np.ones(n), indptr=np.zeros(n + 1, dtype=np.int64),
                      indices=np.zeros(0, dtype=np.int64), J=np.zeros(0), quad=np.zeros((n, 6)),
                      k1=np.zeros(n), k2=np.zeros(n))
    assert Simulation(model, T=1.0, seed=0, threads=1).parallel is False
    assert Simulation(model, T=1.0, seed=0, threads=2).parallel is True


@pytest.mark.nojit
def test_collective_bad_input():
    model = random_model(n=6, n_pairs=6, seed=0)
    with pytest.raises(ValueError, match="collective_every"):
        Simulation(model, T=1.0, seed=0, collective_every=-1)
    sim = Simulation(model, T=1.0, seed=0, threads=1)
    with pytest.raises(ValueError, match="collective_every"):
        sim.collective_every = 1.5
    with pytest.raises(ValueError, match="collective_width"):
        Simulation(model, T=1.0, seed=0, collective_width=4.0)
    with pytest.raises(ValueError, match="collective_groups"):
        Simulation(model, T=1.0, seed=0, collective_groups="particles")
    with pytest.raises(ValueError, match="collective_groups"):
        Simulation(model, T=1.0, seed=0, collective_groups=np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match="rotation"):
        collective_energy_change(model, np.diag([1.0, 1.0, -1.0]))
    with pytest.raises(ValueError, match="sites"):
        collective_energy_change(model, np.eye(3), sites=[0, 9])
    c = ConstrainedSimulation(model, T=1.0, direction=[0, 0, 1], seed=0)
    with pytest.raises(ValueError, match="collective_every"):
        c.collective_every = 1


@pytest.mark.nojit
def test_components_groups_rotate_particles_independently():
    # two disconnected stiff pairs: "components" makes two groups, no bonds leave a group
    two = SpinModel(positions=np.zeros((4, 3)), spins=np.tile([0.0, 0.0, 1.0], (4, 1)),
                    moments=np.full(4, 4.0), indptr=np.array([0, 1, 2, 3, 4]),
                    indices=np.array([1, 0, 3, 2]), J=np.full(4, 50.0), quad=np.zeros((4, 6)),
                    k1=np.zeros(4), k2=np.zeros(4))
    sim = Simulation(two, T=5.0, seed=3, threads=1, collective_every=1, collective_groups="components")
    gp, gs, bp = sim._collective.groups[:3]
    assert list(gp) == [0, 2, 4] and sorted(gs[:2]) == [0, 1] and bp[-1] == 0
    sim.run(300)
    assert sim._collective.tried == 600
    s = sim.spins  # each pair stays parallel, the two pairs decorrelate
    assert np.all(np.sum(s[0::2] * s[1::2], axis=1) > 0.9)
    assert abs(np.dot(s[0], s[2])) < 0.999


def test_collective_move_reverses_small_magnetite_particle(magnetite_sphere):
    """3 nm Fe3O4 sphere (atomspin.structures + SpinModel.from_atoms) at 310 K in −3 T from +z.

    583 spins: the reversed moment fluctuates strongly (μ_tot B/k_BT ≈ 3 with the thermally reduced
    |M| ≈ 0.65 M(0), so Langevin gives ⟨m_z⟩ ≈ −0.65·L(3) ≈ −0.43; measured −0.26…−0.56 over seeds
    1–8 for sweeps 105–200), hence the reversal criterion −0.2 here; single-spin runs stay at +0.64."""
    model = magnetite_sphere(3.0, seed=1, field=(0.0, 0.0, -3.0))
    m0 = model.moments @ model.spins
    assert m0[2] > 0.5 * np.linalg.norm(m0)  # starts magnetised along +z
    out = {}
    for every in (0, 1):
        sim = Simulation(model, T=310.0, seed=2, threads=1, collective_every=every)
        obs = sim.run(200, observe_every=5)
        out[every] = obs.magnetisation[-20:, 2].mean() / m0[2]  # mean over sweeps 105…200
    print(f"3 nm Fe3O4 ({model.n} spins), 310 K, -3 T, 200 sweeps: m_z/m_z(0) single-spin {out[0]:.3f}, "
          f"collective {out[1]:.3f}")
    assert out[1] < -0.2, out
    assert out[0] > 0.5, out


@pytest.mark.slow
def test_8nm_magnetite_field_sweep_is_reversible_with_collective_moves(full_scale, magnetite_sphere):
    """8 nm Fe3O4 sphere (10,967 Fe) at 300 K, KV/k_BT < 1: superparamagnetic, so the equilibrium
    M(H) is reversible. With collective moves m_z follows the field within 200 sweeps per field
    (+0.5 T → 0 → −0.5 T); with single-spin moves only, it stays at its +z value."""
    model = magnetite_sphere(8.0, seed=1, field=(0.0, 0.0, 0.5))
    m0 = (model.moments @ model.spins)[2]
    sweeps = 1000 if full_scale else 200
    res = {}
    for every in (0, 1):
        sim = Simulation(model, T=300.0, seed=3, threads=1, collective_every=every)
        sim.run(100)
        res[every] = []
        for b in (0.5, 0.0, -0.5):
            sim.set_field([0.0, 0.0, b])
            obs = sim.run(sweeps, observe_every=10)
            res[every].append(obs.magnetisation[-10:, 2].mean() / m0)
    print(f"8 nm Fe3O4, 300 K, m_z/m_z(0) at +0.5/0/-0.5 T: single-spin {np.round(res[0], 3)}, "
          f"collective {np.round(res[1], 3)}")
    up, zero, down = res[1]
    assert up > 0.5 and down < -0.5 and abs(up + down) < 0.1 and abs(zero) < 0.4, res
    assert min(res[0]) > 0.6, res  # single-spin moves: no reversal in the same number of sweeps
