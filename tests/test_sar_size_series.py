"""SAR against size from atomistic landscapes (issue #14; docs/make_sar_size.py, docs/validation.md §7).

The pipeline of the size study at tiny sizes: build_particle → SpinModel.from_atoms (defaults: dipolar, Néel
surface term, temperature rescaling) → measure.anisotropy_landscape → sar.size_series_sar. Checks: finite SAR with
finite non-negative errors at every (size, f, H0), the regime of each point is the one sar.choose_regime states for
it (with its reason), and the exact limits the regimes must obey.
"""
import math

import numpy as np
import pytest

from atomspin import sar
from atomspin.measure import anisotropy_landscape
from atomspin.model import SpinModel
from atomspin.structures import build_particle

REGIMES = {"lrt": "linear", "master": "master", "adiabatic": "adiabatic", "llg": "llg", "fokker_planck": "fokker_planck"}


@pytest.fixture(scope="module")
def landscapes():
    out = []
    for D, seed in ((2.5, 1), (3.0, 2)):
        m = SpinModel.from_atoms(build_particle("Fe3O4", "sphere", diameter_nm=D, seed=seed))
        out.append(anisotropy_landscape(m, 310.0, sweeps=40, seed=seed))
    return out


def test_size_series_from_measured_landscapes(landscapes):
    f, H = [1e5, 5e5], [1e4, 2.5e4]
    res = sar.size_series_sar(landscapes, f, H, n_orientations=6, n_particles=8, seed=3, allow_nonclinical=True)
    assert res.sar_W_per_g.shape == (2, 2, 2)
    assert np.all(np.isfinite(res.sar_W_per_g)) and np.all(res.sar_W_per_g > 0)
    assert np.all(np.isfinite(res.sar_err_W_per_g)) and np.all(res.sar_err_W_per_g >= 0)
    # sorted by volume; diameters are the measured volumes' equivalent spheres
    vols = [r.volume_m3 for r in landscapes]
    assert np.allclose(np.sort(res.diameters_nm), np.sort([(6 * v / math.pi) ** (1 / 3) * 1e9 for v in vols]))
    # the regime of each point is the one choose_regime gives for that particle and drive, with its reason
    parts = sorted((sar.particle_from_measurements(landscape=r) for r in landscapes), key=lambda p: p.volume_m3)
    for i, p in enumerate(parts):
        for j, fj in enumerate(f):
            for k, hk in enumerate(H):
                name, reason = sar.heating.choose_regime(p, fj, hk)
                assert res.models[i, j, k] == REGIMES[name]
                assert res.reasons[i, j, k] == reason
                assert ("k_BT" in reason) and (name != "master" or "≥ 4 k_BT" in reason)
    # tiny particles: barriers far below 4 k_BT, so never the escape-rate master equation
    assert "master" not in set(res.models.ravel())


def test_linear_regime_scales_as_H0_squared_and_water_adds_brown(landscapes):
    """Exact limits of the linear regime (here the Fokker–Planck solution at ξ ≈ 1e-3): SAR ∝ H0² at fixed f (the
    first nonlinear correction is O(ξ²)); a liquid adds a parallel Brownian channel, 1/τ = 1/τ_N + 1/τ_B, so the
    water SAR of a particle with τ_N ≪ τ_B equals the immobilised one within 1 %."""
    r = landscapes[0]
    p = sar.particle_from_measurements(landscape=r)
    a = sar.sar_from_particle(p, f=1e5, H0=1e3, seed=1)
    b = sar.sar_from_particle(p, f=1e5, H0=2e3, seed=1)
    assert a.model == b.model == "fokker_planck"
    assert b.sar_W_per_g / a.sar_W_per_g == pytest.approx(4.0, rel=1e-5)
    w = sar.sar_from_particle(p, f=1e5, H0=1e3, medium=sar.Medium.water(), seed=1)
    assert w.sar_W_per_g == pytest.approx(a.sar_W_per_g, rel=1e-2)
