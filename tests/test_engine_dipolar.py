"""The dipolar-aware sweeper: ΔE local = ΔE full for the sampled Hamiltonian, exactness for rigid rotations,
the per-move policy, shape-anisotropy sampling against the exact macrospin average, bad input."""
import numpy as np
import pytest

from atomspin.engine import Simulation
from atomspin.engine.arrays import ModelArrays
from atomspin.engine.kernels import _delta_e
from atomspin.engine.statistics import mean_error
from atomspin.engine.sweepers import get_sweeper
from atomspin.engine.sweepers.dipolar import DipolarSweeper, _dip_delta
from atomspin.model import SpinModel
from atomspin.model.core import quad_from_matrix
from atomspin.model.dipolar import ExactDipolar
from atomspin.model.dipolar_lattice import LatticeDipolar
from atomspin.units import K_B_MEV_PER_K


def _csr(n, pairs, J):
    rows = [[] for _ in range(n)]
    for i, j in pairs:
        rows[i].append(j)
        rows[j].append(i)
    indptr = np.zeros(n + 1, dtype=np.int64)
    idx = []
    for i, r in enumerate(rows):
        r.sort()
        indptr[i + 1] = indptr[i] + len(r)
        idx += r
    return indptr, np.array(idx, dtype=np.int64), np.full(len(idx), float(J))


def sc_cluster(shape=(3, 3, 6), a=3.0, J=50.0, moment=5.0, dipolar="exact", quad=0.0, seed=0):
    """Ferromagnetic simple-cubic cluster (nearest-neighbour J meV, moments μB, spacing a Å) with a
    dipolar object; optional random quadratic anisotropy of scale ``quad`` meV."""
    g = np.stack(np.meshgrid(*[np.arange(k) for k in shape], indexing="ij"), -1).reshape(-1, 3)
    n = len(g)
    index = {tuple(p): k for k, p in enumerate(g)}
    pairs = [(index[tuple(p)], index[tuple(p + e)]) for p in g for e in np.eye(3, dtype=int)
             if tuple(p + e) in index]
    indptr, indices, Jv = _csr(n, pairs, J)
    pos = g * a
    dip = ExactDipolar(pos) if dipolar == "exact" else LatticeDipolar(pos, precision="double")
    rng = np.random.default_rng(seed)
    q = rng.normal(scale=quad, size=(n, 3, 3)) if quad else np.zeros((n, 3, 3))
    q = 0.5 * (q + np.swapaxes(q, 1, 2))
    s = np.tile([0.0, 0.0, 1.0], (n, 1))
    return SpinModel(positions=pos, spins=s, moments=np.full(n, moment), indptr=indptr, indices=indices, J=Jv,
                     quad=quad_from_matrix(q), k1=np.zeros(n), k2=np.zeros(n), field=np.array([0.0, 0.02, 0.05]),
                     dipolar=dip)


def _random_unit(rng, n):
    v = rng.normal(size=(n, 3))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _sweeper(model, **opt):
    a = ModelArrays(model)
    sw = DipolarSweeper(a, model, threads=1, **opt)
    return sw


@pytest.mark.nojit
@pytest.mark.parametrize("method", ["exact", "lattice"])
def test_local_delta_e_equals_full_change_of_the_sampled_hamiltonian(method):
    """After a refresh at a random state, a chain of accepted single-spin changes: the kernel's ΔE (exchange,
    anisotropy, Zeeman + frozen field + collective term at the current ΔS) equals the change of the full
    energy of the sampled Hamiltonian (Simulation arrays: kernel energy + FrozenDipolar.energy_meV)."""
    m = sc_cluster((3, 3, 4), J=7.0, dipolar=method, quad=0.3)
    rng = np.random.default_rng(4)
    sw = _sweeper(m, refresh_every=5)
    a = sw.arrays
    s = _random_unit(rng, m.n)
    sw.prepare_state(s)
    f = sw.frozen
    assert np.abs(f.K).max() > 0  # the collective term is active
    e_old = a.energy(s)
    ds = f.delta_s(s)
    worst = 0.0
    for step in range(60):
        i = int(rng.integers(m.n))
        new = _random_unit(rng, 1)[0]
        de = _delta_e(i, new[0], new[1], new[2], *a.model_args(s)[:13], False, a.cell_of, a.W, a.Hc)
        dd, ax, ay, az = _dip_delta(i, *(new - s[i]), f.hd, f.wst, f.K, *ds)
        s[i] = new
        ds = ds + np.array([ax, ay, az])
        e_new = a.energy(s)
        worst = max(worst, abs((de + dd) - (e_new - e_old)) / max(abs(e_new - e_old), 1e-3))
        e_old = e_new
    assert np.allclose(ds, f.delta_s(s), rtol=1e-12, atol=1e-12)
    assert worst < 1e-9


@pytest.mark.nojit
@pytest.mark.parametrize("method", ["exact", "lattice"])
def test_sampled_hamiltonian_is_exact_for_rigid_rotations_of_a_collinear_state(method):
    """E_MC(R ŝ⁰) = E_dip(R ŝ⁰) for every rotation R when ŝ⁰ is collinear (ferrimagnetic signs): the
    linear term plus ΔSᵀKΔS is the exact shape energy n̂ᵀDn̂; the energy and the fields at the anchor are
    the exact ones."""
    m = sc_cluster((3, 4, 5), dipolar=method)
    sig = np.where(np.arange(m.n) % 3 == 0, -1.0, 1.0)  # a ferrimagnetic sign pattern
    s0 = sig[:, None] * np.array([0.3, -0.5, 0.81]) / np.linalg.norm([0.3, -0.5, 0.81])
    sw = _sweeper(m, refresh_every=3)
    sw.prepare_state(s0.copy())
    f = sw.frozen
    assert f.energy_meV(s0) == pytest.approx(m.dipolar.energy_meV(s0, m.moments), rel=1e-12)
    assert np.allclose(f.fields_meV(s0), m.dipolar.fields_meV(s0, m.moments), rtol=1e-12, atol=1e-14)
    rng = np.random.default_rng(7)
    for _ in range(8):
        q, _r = np.linalg.qr(rng.normal(size=(3, 3)))
        q *= np.sign(np.linalg.det(q))
        t = s0 @ q.T
        assert f.energy_meV(t) == pytest.approx(m.dipolar.energy_meV(t, m.moments), rel=1e-9, abs=1e-12)
    # without the collective term the frozen field alone misses the shape energy: the test can fail
    f.K[:] = 0.0
    errs = [abs(f.energy_meV(s0 @ np.array([[1, 0, 0], [0, 0, -1], [0, 1, 0]]).T)
                - m.dipolar.energy_meV(s0 @ np.array([[1, 0, 0], [0, 0, -1], [0, 1, 0]]).T, m.moments))]
    assert errs[0] > 1e-3


@pytest.mark.nojit
def test_per_move_policy_keeps_the_exact_fields():
    """refresh_every=0: after sweeps the fields the kernel used are the exact fields of the final state (every
    accepted move updated all of them), so its ΔE is the exact ΔE of the dipolar energy."""
    m = sc_cluster((3, 3, 3), J=2.0)
    sim = Simulation(m, T=20.0, seed=3, threads=1, sweeper="dipolar", sweeper_options={"refresh_every": 0})
    sim.run(20, observe_every=20)
    sw = sim._sweeper
    assert sw.per_move
    exact = m.dipolar.fields_meV(sim.spins, m.moments)
    assert np.allclose(sw.frozen.hd, exact, rtol=1e-10, atol=1e-13)
    assert sim.energy() == pytest.approx(m.energy(sim.spins), rel=1e-12)


class _ZeroDipolar:
    def energy_meV(self, spins, moments):
        return 0.0

    def fields_meV(self, spins, moments):
        return np.zeros((len(moments), 3))


@pytest.mark.nojit
def test_zero_dipolar_object_reproduces_the_sequential_sweeper():
    """With a dipolar object that is identically zero the sweep is the engine's sequential sweep, bit for bit
    (same proposals, same acceptance tests, same stream)."""
    m = sc_cluster((3, 3, 3), J=5.0, quad=0.2)
    m0 = sc_cluster((3, 3, 3), J=5.0, quad=0.2)
    m0.dipolar = None
    m.dipolar = _ZeroDipolar()
    a = Simulation(m, T=40.0, seed=11, threads=1)
    b = Simulation(m0, T=40.0, seed=11, sweeper="sequential")
    assert a._sweeper.name == "dipolar"
    a.run(30)
    b.run(30)
    assert np.array_equal(a.spins, b.spins)


def _macrospin_uz2(beta, d_perp_minus_par):
    """⟨n_z²⟩ of a macrospin with E(n) = n̂ᵀDn̂, D = diag(d, d, d_z): weight exp(βΔ u²), Δ = d − d_z."""
    u = np.linspace(-1.0, 1.0, 20001)
    w = np.exp(beta * d_perp_minus_par * (u * u - 1.0))
    return float(np.trapezoid(u * u * w, u) / np.trapezoid(w, u))


@pytest.mark.parametrize("refresh", [1, 25])
def test_collective_moves_sample_the_exact_shape_anisotropy(refresh, full_scale):
    """A stiff ferromagnetic 3×3×6 cluster (J = 50 meV, 54 × 5 μB) at T with (D_xx − D_zz) = 2 k_BT: with one
    collective rotation per sweep, ⟨n_z²⟩ of the moment direction equals the exact macrospin average
    ∫ n_z² e^{−βn̂ᵀDn̂} / ∫ e^{−βn̂ᵀDn̂} (D the exact point-dipole shape tensor) within 3σ + 1 %."""
    m = sc_cluster((3, 3, 6), J=50.0, dipolar="exact")
    m.field = np.zeros(3)
    d = m.dipolar.shape_tensor_meV(m.spins, m.moments)
    delta = d[0, 0] - d[2, 2]
    assert delta > 0 and abs(d[0, 0] - d[1, 1]) < 1e-12 * abs(delta)
    T = delta / (2.0 * K_B_MEV_PER_K)
    exact = _macrospin_uz2(2.0 / delta * 1.0, delta)
    n_sweeps = 12000 if full_scale else 4000
    sim = Simulation(m, T=T, seed=5 + refresh, sweeper="dipolar", sweeper_options={"refresh_every": refresh},
                     collective_every=1)
    sim.run(300, observe_every=300)
    obs = sim.run(n_sweeps, observe_every=2)
    mhat = obs.magnetisation / np.linalg.norm(obs.magnetisation, axis=1)[:, None]
    uz2 = mhat[:, 2] ** 2
    mean, err = mean_error(uz2)[:2]
    assert abs(mean - exact) < 3 * err + 0.01 * exact, (mean, err, exact)
    assert abs(exact - 1.0 / 3.0) > 6 * err  # the anisotropy is resolved: an isotropic sampler fails


def test_bad_sweeper_options():
    m = sc_cluster((2, 2, 3))
    with pytest.raises(ValueError, match="refresh_every"):
        Simulation(m, T=10.0, seed=1, sweeper="dipolar", sweeper_options={"refresh_every": -1})
    with pytest.raises(ValueError, match="refresh_every"):
        Simulation(m, T=10.0, seed=1, sweeper="dipolar", sweeper_options={"refresh_every": 1.5})
    with pytest.raises(ValueError, match="sweeper_options"):
        Simulation(m, T=10.0, seed=1, sweeper="dipolar", sweeper_options={"refresh": 3})
    assert get_sweeper("dipolar") is DipolarSweeper


def test_same_seed_same_numbers_and_auto_choice():
    m = sc_cluster((3, 3, 4), J=4.0, dipolar="lattice")
    a = Simulation(m, T=30.0, seed=9, threads=2, collective_every=2)
    b = Simulation(m, T=30.0, seed=9, threads=2, collective_every=2)
    assert a._sweeper.name == "dipolar"  # sweeper="auto" picks the dipolar sweeper for a dipolar object
    oa, ob = a.run(40, observe_every=5), b.run(40, observe_every=5)
    assert np.array_equal(a.spins, b.spins) and np.array_equal(oa.energy, ob.energy)


def test_constrained_mc_with_a_dipolar_object():
    """ConstrainedSimulation picks the dipolar pair-move sweeper for a dipolar model; M stays along ê; the
    torque is that of the sampled Hamiltonian. A stiff uniaxial shape cluster (D_xx − D_zz = Δ) at T → 0:
    dF/dθ at θ (ê in the xz plane) equals the rigid value Δ sin 2θ within 3 %."""
    from atomspin.engine import ConstrainedSimulation

    m = sc_cluster((3, 3, 6), J=50.0, dipolar="exact")
    m.field = np.zeros(3)
    d = m.dipolar.shape_tensor_meV(m.spins, m.moments)
    delta = d[0, 0] - d[2, 2]
    th = 0.6
    e = np.array([np.sin(th), 0.0, np.cos(th)])
    sim = ConstrainedSimulation(m, T=0.05, direction=e, seed=2)
    assert sim.sweeper.name == "constrained_dipolar"
    sim.run(100, observe_every=100)
    obs = sim.run(200, observe_every=10)
    mhat = obs.magnetisation / np.linalg.norm(obs.magnetisation, axis=1)[:, None]
    assert np.allclose(mhat, e, atol=1e-9)
    val, err = obs.free_energy_derivative((0.0, 1.0, 0.0))
    # E(θ) = Δ sin²θ + const for a rigid rotation in the xz plane: dF/dθ = Δ sin 2θ
    assert val == pytest.approx(delta * np.sin(2 * th), rel=0.03)


@pytest.mark.nojit
def test_constrained_dipolar_pair_moves_keep_the_direction_and_the_sampled_energy():
    """A few constrained sweeps on a small cluster with a dipolar object: M stays along ê, and the energy the
    Simulation reports is the kernel arrays' energy with the sampled dipolar term (the same Hamiltonian)."""
    from atomspin.engine import ConstrainedSimulation

    m = sc_cluster((2, 2, 3), J=3.0, dipolar="exact", quad=0.2)
    e = np.array([0.3, -0.4, 0.866])
    sim = ConstrainedSimulation(m, T=30.0, direction=e, seed=4, sweeper_options={"refresh_every": 2})
    assert sim.sweeper.name == "constrained_dipolar"
    obs = sim.run(5, observe_every=5)
    mhat = obs.magnetisation[-1] / np.linalg.norm(obs.magnetisation[-1])
    assert np.allclose(mhat, e / np.linalg.norm(e), atol=1e-9)
    a = sim.sweeper.arrays
    assert obs.energy[-1] == pytest.approx(a.energy(sim._spins), rel=1e-12)


@pytest.mark.nojit
@pytest.mark.parametrize("method", ["exact", "lattice"])
def test_averaged_reference_is_exact_for_rigid_rotations_of_a_shortened_collinear_state(method):
    """reference="average" anchors E_MC at a window-averaged state r with |r_i| < 1: with σ_i the signs of r_i,
    S⁰ = Σ σ_i m_i r_i and D the shape tensor of the charges m_i r_i·n̂, E_MC(R r) = E_dip(R r) for every
    rotation R of a collinear r (the collective term stays exact with a non-unit reference)."""
    m = sc_cluster((3, 4, 5), dipolar=method)
    rng = np.random.default_rng(3)
    sig = np.where(np.arange(m.n) % 3 == 0, -1.0, 1.0)
    c = rng.uniform(0.4, 0.95, m.n)  # thermal shortening of the averaged moments
    nh = np.array([0.3, -0.5, 0.81]) / np.linalg.norm([0.3, -0.5, 0.81])
    r0 = (sig * c)[:, None] * nh
    sw = _sweeper(m, refresh_every=3)
    sw.refresh(r0.copy())
    f = sw.frozen
    assert f.energy_meV(r0) == pytest.approx(m.dipolar.energy_meV(r0, m.moments), rel=1e-12)
    for _ in range(8):
        q, _r = np.linalg.qr(rng.normal(size=(3, 3)))
        q *= np.sign(np.linalg.det(q))
        t = r0 @ q.T
        assert f.energy_meV(t) == pytest.approx(m.dipolar.energy_meV(t, m.moments), rel=1e-9, abs=1e-12)
    # the unit-length rule (S⁰ and D of the unit state ŝ = σ n̂) would be wrong for the shortened state
    sw.refresh(sig[:, None] * nh)
    t = r0 @ np.array([[1, 0, 0], [0, 0, -1], [0, 1, 0]]).T
    assert abs(sw.frozen.energy_meV(t) - sw.frozen.energy_meV(r0)
               - (m.dipolar.energy_meV(t, m.moments) - m.dipolar.energy_meV(r0, m.moments))) > 1e-4


def test_constrained_windows_average_the_state_and_double():
    """Constrained sweeper, reference="average": the windows after a state is set are first_window, 2×, 4×, …
    up to refresh_every sweeps, and each refresh anchors the field at the average of the states after each sweep
    of the window just ended (the exact fields of that average)."""
    from atomspin.engine import ConstrainedSimulation

    m = sc_cluster((3, 3, 4), J=3.0, dipolar="exact", quad=0.2)
    sim = ConstrainedSimulation(m, T=40.0, direction=(0.2, 0.3, 0.93), seed=6,
                                sweeper_options={"refresh_every": 8, "first_window": 2})
    sw = sim.sweeper
    assert sw.reference == "average" and sw.refresh_sweeps == [0]
    states = []
    for _ in range(22):
        sim.run(1, observe_every=1)
        states.append(sim.spins.copy())
    assert sw.refresh_sweeps == [0, 2, 6, 14, 22]
    r = np.mean(states[14:22], axis=0)  # the window 14..22
    h = m.dipolar.fields_meV(r, m.moments)
    assert np.allclose(sw.arrays.to_model(sw.frozen.hd), h, rtol=1e-10, atol=1e-13)
    # the snapshot rule anchors at the last state instead
    sim2 = ConstrainedSimulation(m, T=40.0, direction=(0.2, 0.3, 0.93), seed=6,
                                 sweeper_options={"refresh_every": 8, "reference": "snapshot"})
    assert sim2.sweeper.first_window == 8
    sim2.run(8, observe_every=8)
    assert np.allclose(sim2.sweeper.arrays.to_model(sim2.sweeper.frozen.hd),
                       m.dipolar.fields_meV(sim2.spins, m.moments), rtol=1e-10, atol=1e-13)


@pytest.mark.nojit
def test_constrained_per_move_policy_keeps_the_exact_fields_and_energy():
    """refresh_every=0 in constrained MC: after pair-move sweeps the fields the kernel used are the exact fields
    of the final state, and the sampled energy is the exact energy (ΔE of a pair move includes the pair's own
    dipolar coupling, else the fields would drift from the energy: checked against the exact total)."""
    from atomspin.engine import ConstrainedSimulation

    m = sc_cluster((3, 3, 3), J=3.0, dipolar="exact", quad=0.2)
    e = np.array([0.3, -0.4, 0.866])
    sim = ConstrainedSimulation(m, T=30.0, direction=e, seed=4, sweeper_options={"refresh_every": 0})
    e0 = sim.sweeper.arrays.energy(sim._spins)
    obs = sim.run(20, observe_every=20)
    sw = sim.sweeper
    s = sim.spins
    assert sw.per_move
    assert np.allclose(sw.arrays.to_model(sw.frozen.hd), m.dipolar.fields_meV(s, m.moments), rtol=1e-10,
                       atol=1e-13)
    assert obs.energy[-1] == pytest.approx(sw.arrays.energy(sim._spins), rel=1e-12)
    assert abs(obs.energy[-1] - e0) > 1e-3  # the state moved


def test_bad_constrained_dipolar_options():
    from atomspin.engine import ConstrainedSimulation

    m = sc_cluster((2, 2, 3), J=3.0, dipolar="exact")
    with pytest.raises(ValueError, match="reference"):
        ConstrainedSimulation(m, T=10.0, direction=(0, 0, 1), seed=1, sweeper_options={"reference": "mean"})
    with pytest.raises(ValueError, match="first_window"):
        ConstrainedSimulation(m, T=10.0, direction=(0, 0, 1), seed=1,
                              sweeper_options={"refresh_every": 4, "first_window": 5})
    with pytest.raises(ValueError, match="reference"):  # the free sweeper keeps the snapshot (M rotates)
        Simulation(m, T=10.0, seed=1, sweeper="dipolar", sweeper_options={"reference": "average"})
