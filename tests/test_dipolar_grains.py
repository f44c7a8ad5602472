"""GrainDipolar (atomspin.model.dipolar_grains): the point-dipole sum of multi-grain particles against the exact
pair sum — exact within grains, the far inter-grain multipoles within 1e-3, exact as θ → 0 — and its
dispatch through make_dipolar / SpinModel.from_atoms, and the engine's dipolar sweepers with it."""
import json

import numpy as np
import pytest

from atomspin import structures as S
from atomspin.model import SpinModel
from atomspin.model import dipolar as D
from atomspin.model.dipolar import ExactDipolar, make_dipolar
from atomspin.model.dipolar_grains import GrainDipolar, grain_dipolar_from_info

from naive import dipolar_energy_all_pairs, dipolar_fields_all_pairs, dipolar_fields_double_loop


def _flower(n_cores, d_nm, mis, seed=1):
    fl = S.build_multicore(n_cores=n_cores, core_diameter_nm=d_nm, overlap=0.2, misorientation_deg=mis,
                           size_dispersion=0.0, seed=seed)
    m = SpinModel.from_atoms(fl, dipolar=False)
    return fl, m, np.asarray(fl.arrays["grain"])[m.atom_index]


@pytest.fixture(scope="module")
def flowers():
    """3 cores of 4 nm (σ = 5°: grains on the lattice FFT) and 4 random cores of 3 nm (mixed intra methods)."""
    return {"oa": _flower(3, 4.0, 5.0), "random": _flower(4, 3.0, None, seed=2)}


def _rms_rel(a, b):
    return float(np.sqrt(np.mean(np.sum((a - b) ** 2, axis=1)) / np.mean(np.sum(b ** 2, axis=1))))


def _aniso(d):
    return d - np.trace(d) / 3.0 * np.eye(3)


@pytest.mark.parametrize("kind", ["oa", "random"])
def test_fields_energy_and_shape_tensor_against_the_pair_sum(flowers, kind):
    """rms relative field error ≤ 1e-3 for a random (thermal-like) and the collinear Néel state, energies
    and the anisotropic part of the shape tensor within 1e-3 relative, the sweepers' refresh data too."""
    fl, m, grain = flowers[kind]
    gd = grain_dipolar_from_info(m.positions, grain, fl.info)
    assert gd.n_grains > 1 and gd.n_far_terms > 0 and gd.n_near_pairs > 0
    if kind == "oa":
        assert any(d.method == "lattice" for d in gd.intra)
    ex = ExactDipolar(m.positions)
    rng = np.random.default_rng(5)
    s = rng.normal(size=(m.n, 3))
    s /= np.linalg.norm(s, axis=1)[:, None]
    for st in (s, m.spins):
        assert _rms_rel(gd.fields_meV(st, m.moments), ex.fields_meV(st, m.moments)) < 1e-3
        e_ex = ex.energy_meV(st, m.moments)
        assert gd.energy_meV(st, m.moments) == pytest.approx(e_ex, rel=1e-3)
    dg, de = gd.shape_tensor_meV(m.spins, m.moments), ex.shape_tensor_meV(m.spins, m.moments)
    assert np.linalg.norm(_aniso(dg) - _aniso(de)) < 1e-3 * np.linalg.norm(_aniso(de))
    axis = np.array([0.3, -0.5, 0.8]) / np.linalg.norm([0.3, -0.5, 0.8])
    hg, dgx = gd.fields_and_axis_shape_tensor_meV(s, m.moments, axis)
    he, dex = ex.fields_and_axis_shape_tensor_meV(s, m.moments, axis)
    assert _rms_rel(hg, he) < 1e-3 and np.linalg.norm(dgx - dex) < 1e-3 * np.linalg.norm(dex)
    tg, te = gd.rotation_tensor_meV(s, m.moments), ex.rotation_tensor_meV(s, m.moments)
    assert np.linalg.norm(tg - te) < 1e-3 * np.linalg.norm(te)


def test_small_opening_angle_is_the_exact_pair_sum(flowers):
    """θ → 0: every inter-grain pair is summed exactly (near lists complete, no pair twice) — equal to the
    naive double loop to 1e-10; a coarse θ is measurably worse (the test can fail both ways)."""
    fl, m, grain = flowers["random"]
    rng = np.random.default_rng(1)
    s = rng.normal(size=(m.n, 3))
    s /= np.linalg.norm(s, axis=1)[:, None]
    ref = dipolar_fields_all_pairs(m.positions, m.moments, s)
    exact = grain_dipolar_from_info(m.positions, grain, fl.info, theta=1e-3)
    assert exact.n_near_pairs > 0.9 * (m.n ** 2 - sum(np.bincount(grain) ** 2))  # far only: one-site nodes
    assert _rms_rel(exact.fields_meV(s, m.moments), ref) < 1e-10
    assert exact.energy_meV(s, m.moments) == pytest.approx(dipolar_energy_all_pairs(m.positions, m.moments, s),
                                                           rel=1e-10)
    coarse = grain_dipolar_from_info(m.positions, grain, fl.info, theta=0.6)
    fine = grain_dipolar_from_info(m.positions, grain, fl.info, theta=0.2)
    e_coarse = _rms_rel(coarse.fields_meV(s, m.moments), ref)
    e_fine = _rms_rel(fine.fields_meV(s, m.moments), ref)
    assert 1e-9 < e_fine < e_coarse / 4  # the expansion error falls steeply (≈ θ⁴) with θ


@pytest.mark.nojit
def test_far_node_expansion_is_second_order():
    """One compact cluster of dipoles seen from a single far site: the multipole field's error against the pair
    sum falls as d⁻⁶ (relative (ρ/d)³: dipole, first and second moments exact)."""
    rng = np.random.default_rng(0)
    a = 8.4
    src = rng.uniform(0.0, a, size=(20, 3))
    errs = []
    for dist in (60.0, 120.0):
        pos = np.vstack([src, [[a / 2 + dist, a / 2, a / 2]]])
        grain = np.r_[np.zeros(20, int), 1]
        R = np.stack([np.eye(3), np.eye(3)])
        gd = GrainDipolar(pos, grain, R, theta=0.5, leaf_A=a)
        assert gd.n_far_terms >= 1
        mu = rng.normal(size=(21, 3))
        ref = dipolar_fields_double_loop(pos, np.ones(21), mu)
        h = gd.fields_meV(mu, np.ones(21))
        errs.append(np.linalg.norm(h[-1] - ref[-1]))
    assert errs[1] < errs[0] / 30  # (1/2)⁶ = 1/64 at leading order; 1/8 would be a missing second moment


def test_single_grain_equals_the_lattice_and_exact_sums(flowers):
    """One grain of a misoriented flower, alone: its crystal-frame lattice FFT (rotated moments in, rotated
    fields out) equals the exact pair sum in the laboratory frame to 1e-10."""
    fl, m, grain = flowers["oa"]
    rec = json.loads(fl.info["grains"])
    sel = np.flatnonzero(grain == 1)
    R = np.array(rec[1]["rotation"])[None]
    gd = GrainDipolar(m.positions[sel], np.zeros(len(sel), int), R, np.array(rec[1]["origin_A"])[None],
                      lattice_a_A=fl.info["lattice_a_A"])
    assert gd.intra[0].method == "lattice" and gd.n_far_terms == 0
    ex = ExactDipolar(m.positions[sel])
    rng = np.random.default_rng(3)
    s = rng.normal(size=(len(sel), 3))
    s /= np.linalg.norm(s, axis=1)[:, None]
    mm = m.moments[sel]
    assert _rms_rel(gd.fields_meV(s, mm), ex.fields_meV(s, mm)) < 1e-10
    assert gd.energy_meV(s, mm) == pytest.approx(ex.energy_meV(s, mm), rel=1e-10)
    np.testing.assert_allclose(gd.rotation_tensor_meV(s, mm), ex.rotation_tensor_meV(s, mm), rtol=0,
                               atol=1e-10 * np.abs(ex.rotation_tensor_meV(s, mm)).max())
    axis = np.array([0.0, 0.6, 0.8])
    np.testing.assert_allclose(gd.fields_and_axis_shape_tensor_meV(s, mm, axis)[1],
                               ex.fields_and_axis_shape_tensor_meV(s, mm, axis)[1], rtol=1e-10, atol=1e-12)


def test_dispatch_auto_and_explicit(flowers, monkeypatch):
    """"auto" keeps the exact pair sum below AUTO_GRAINS_MIN_SPINS and picks "grains" above for a misoriented
    flower; "grains" is explicit too; misorientation 0 stays on the one-lattice FFT."""
    fl, m, grain = flowers["oa"]
    assert SpinModel.from_atoms(fl).dipolar.method == "exact"
    monkeypatch.setattr(D, "AUTO_GRAINS_MIN_SPINS", 1000)
    m2 = SpinModel.from_atoms(fl)
    assert m2.dipolar.method == "grains" and m2.info["dipolar"].startswith("grains")
    assert SpinModel.from_atoms(fl, dipolar="grains").dipolar.method == "grains"
    aligned = S.build_multicore(n_cores=3, core_diameter_nm=3.0, overlap=0.2, misorientation_deg=0.0, seed=1)
    pos = aligned.positions[np.flatnonzero(aligned.arrays["sublattice"] != "O")]
    assert make_dipolar(pos, "auto", info=aligned.info, grain=aligned.arrays["grain"][
        aligned.arrays["sublattice"] != "O"])[0].method == "lattice"


def test_bad_input_names_the_argument(flowers):
    fl, m, grain = flowers["oa"]
    info = dict(fl.info)
    with pytest.raises(ValueError, match="grain"):
        make_dipolar(m.positions, "grains", info=info, grain=None)
    with pytest.raises(ValueError, match=r"atoms.info\['grains'\]"):
        make_dipolar(m.positions, "grains", info={k: v for k, v in info.items() if k != "grains"}, grain=grain)
    with pytest.raises(ValueError, match="rotations"):
        GrainDipolar(m.positions, grain, np.ones((3, 3, 3)))
    with pytest.raises(ValueError, match="grain"):
        GrainDipolar(m.positions, grain + 5, np.stack([np.eye(3)] * 3))
    with pytest.raises(ValueError, match="theta"):
        grain_dipolar_from_info(m.positions, grain, info, theta=0.0)
    with pytest.raises(ValueError, match="dipolar"):
        make_dipolar(m.positions, "grain", info=info, grain=grain)
    with pytest.raises(ValueError, match="periodic"):
        make_dipolar(m.positions, "grains", pbc=(True, True, True), info=info, grain=grain)


def test_dipolar_sweepers_run_with_grains(flowers):
    """The frozen-field sweeper refreshes from GrainDipolar (fields and axis shape tensor in one call) and the
    constrained sweeper keeps M along ê; energies agree with the exact pair sum of the same state."""
    from atomspin.engine import ConstrainedSimulation, Simulation

    fl, m, grain = flowers["random"]
    m.dipolar = grain_dipolar_from_info(m.positions, grain, fl.info)
    sim = Simulation(m, T=300.0, seed=3, sweeper="dipolar", sweeper_options={"refresh_every": 2})
    sim.run(4, observe_every=2)
    assert sim._sweeper.refreshes >= 2
    ex = ExactDipolar(m.positions)
    s = sim.spins
    assert m.dipolar.energy_meV(s, m.moments) == pytest.approx(ex.energy_meV(s, m.moments), rel=1e-3)
    e = np.array([0.0, 0.6, 0.8])
    cs = ConstrainedSimulation(m, T=300.0, direction=e, seed=4)
    assert cs.sweeper.name == "constrained_dipolar"
    obs = cs.run(4, observe_every=2)
    mhat = obs.magnetisation / np.linalg.norm(obs.magnetisation, axis=1)[:, None]
    assert np.allclose(mhat, e, atol=1e-9)
