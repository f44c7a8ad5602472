"""Small runs of every numba kernel of the landscape models (also run with NUMBA_DISABLE_JIT=1: marked nojit)."""
import math

import numpy as np
import pytest

from atomspin import macrospin as M
from atomspin import sar
from atomspin.sar.macrospin_llg import _sllg, _polynomial

MU0 = 1.25663706212e-6
KB = 1.380649e-23
MS, K, T = 4.8e5, 1e4, 300.0


@pytest.mark.nojit
def test_llg_kernel_relaxes_to_the_easy_axis_and_turns_the_body():
    """T = 0, no field: a tilted moment relaxes to the easy axis (energy decreases); in a liquid the body turns
    towards the moment (the reaction torque), so that the easy axis ends closer to the initial moment."""
    p = sar.Particle(Ms_A_per_m=MS, volume_m3=1e-24, T_K=T, K_uniaxial_J_per_m3=K, alpha=1.0)
    exps, coefs = _polynomial(p)
    for zeta in (0.0, 1e-27):
        m = np.array([[math.sin(0.6), 0.0, math.cos(0.6)]])
        R = np.ascontiguousarray(np.eye(3)[None, :, :].copy())
        rec = np.zeros((41, 1))
        h = np.zeros(41)
        _sllg(m, R, exps, coefs, MS, np.array([1e-24]), 1.0, 0.0, 0.0, 0.0, np.array([0.0, 0.0, 1.0]), 2e-12, 400, 10,
              1, np.array([zeta]), np.zeros((1, 3)), False, rec, h)
        assert np.all(np.diff(rec[:, 0]) >= -1e-12) and rec[-1, 0] > 0.99  # m_z → 1
        axis = R[0] @ np.array([0.0, 0.0, 1.0])
        if zeta == 0.0:
            assert np.allclose(axis, [0, 0, 1])
        else:
            assert axis[0] > 1e-3  # the easy axis turned towards +x, where the moment started
        assert abs(np.linalg.norm(m[0]) - 1) < 1e-12


@pytest.mark.nojit
def test_first_passage_kernels_run_and_count():
    p = sar.Particle(Ms_A_per_m=MS, volume_m3=1.0 * KB * T / K, T_K=T, K_uniaxial_J_per_m3=K, alpha=1.0)
    for measure in ("hops", "boundary"):
        r = sar.first_passage_times(p, seed=1, n_particles=4, max_steps=3000, measure=measure)
        assert r["transitions"].sum() > 0 and np.all(np.isfinite(r["mean_time_s"][r["transitions"] > 0]))


@pytest.mark.nojit
def test_liquid_hybrid_and_llg_sar_run():
    """Two members, a few steps: the Néel + Brown hybrid and the coupled LLG give finite loops of the right sign."""
    p = sar.Particle(Ms_A_per_m=MS, volume_m3=6 * KB * T / K, T_K=T, K_uniaxial_J_per_m3=K, alpha=1.0,
                     hydrodynamic_diameter_m=30e-9)
    r = sar.landscape_loop(p, 1e5, 0.6 * p.H_K_A_per_m, medium=sar.Medium.water(), n_orientations=2,
                           steps_per_cycle=40, n_cycles=3, seed=1)
    assert r.method == "master+brownian" and np.isfinite(r.loop_area_J_per_m3)
    ll = sar.llg_sar(p, 5e8, 0.5 * p.H_K_A_per_m, medium=sar.Medium.water(), n_particles=2, n_cycles=2, n_record=20,
                     seed=1, allow_nonclinical=True)
    assert np.isfinite(ll.loop_area_J_per_m3) and ll.H_A_per_m.size == 20


@pytest.mark.nojit
def test_rate_kernels_small_and_large_bessel_arguments():
    from atomspin.sar.rates import i0e, kramers_factor
    from scipy.special import i0e as ref

    for x in (0.0, 0.5, 3.7, 3.8, 40.0):
        assert i0e(x) == pytest.approx(ref(x), rel=3e-7)
    assert kramers_factor(30.0, 0.0) == pytest.approx(1 - 1 / 30 - 1.04 / 900)
    assert kramers_factor(8.0, 1.0) == pytest.approx(1 / (1 + 1 / 16))
