"""Trends claimed by notebook 05 and docs/validation.md "Defects and heating", at reduced size.

Each test checks the sign of a change and that it is resolved (beyond 2σ of its own error), on particles small
enough to run in seconds (the landscape-level trends are ``slow``: reduced 5 nm, ``ATOMSPIN_TEST_SCALE=full``
8 nm, the size of the study's realisations). The study itself (12 nm, all variants) is
``docs/make_defects_heating.py``; nothing here reads its stored output.
"""
import math

import numpy as np
import pytest

from atomspin import macrospin as ms
from atomspin import sar
from atomspin import structures as S
from atomspin.model import SpinModel
from atomspin.units import K_B, MU_B

T_BODY = 310.0


def _Ms(atoms, seed=3, sweeps=600):
    """Ms at 310 K (A/m) = ⟨|M|⟩/V from an unconstrained run, and its error (τ_int-aware)."""
    from atomspin.engine import Simulation
    from atomspin.engine.statistics import mean_error

    m = SpinModel.from_atoms(atoms)
    sim = Simulation(m, T_BODY, seed=seed)
    sim.run(200, observe_every=200)
    obs = sim.run(sweeps, observe_every=2)
    mu, err, _, _ = mean_error(obs.abs_m)
    return mu * MU_B / m.volume_m3, err * MU_B / m.volume_m3


@pytest.fixture(scope="module")
def ms_4nm():
    p = S.build_particle("Fe3O4", "sphere", diameter_nm=4.0, seed=1)
    return {"perfect": _Ms(p),
            "vac20": _Ms(S.add_vacancies(p, delta=0.20, removal="random", seed=1)),
            "apb1": _Ms(S.insert_apb(p, plane=(1, 1, 0), seed=1))}


@pytest.mark.parametrize("kind", ["vac20", "apb1"])
def test_defect_lowers_Ms_resolved(ms_4nm, kind):
    """Random B-site vacancies and a (110) APB lower Ms(310 K) beyond 2σ (the ΔMs term of the decomposition)."""
    (m0, e0), (m1, e1) = ms_4nm["perfect"], ms_4nm[kind]
    assert m1 < m0 - 2 * math.hypot(e0, e1), (kind, m0, e0, m1, e1)


def test_Ms_enters_low_barrier_SAR_cubed():
    """Why ΔMs dominates ΔSAR of a low-barrier particle: in the slow-drive limit (ωτ ≪ 1) of the exact linear
    response with a negligible barrier, χ'' = χ0 ωτ_D with χ0 ∝ Ms² and the Brown free-diffusion time τ_D ∝ Ms, so
    SAR ∝ Ms³ — the ratio for a 10 % lower Ms is 0.9³ = 0.729."""
    surf = ms.EnergySurface([ms.CubicAnisotropy(-100.0)])  # ΔE = 100/12 J/m³ · V ≪ k_BT
    V = math.pi / 6 * (10e-9) ** 3
    s = [sar.sar_from_particle(sar.Particle(Ms_A_per_m=Ms, volume_m3=V, T_K=T_BODY, landscape=surf), f=1e5, H0=2e3,
                               model="linear").sar_W_per_g for Ms in (4.7e5, 0.9 * 4.7e5)]
    assert s[1] / s[0] == pytest.approx(0.9 ** 3, rel=0.01)


def test_barrier_raises_low_barrier_SAR():
    """Why a higher barrier raises the SAR of a particle with ωτ ≪ 1 (every 8–12 nm variant at 100 kHz): τ grows
    with the barrier while χ0 does not, so χ'' = χ0 ωτ/(1+ω²τ²) rises; it must fall again past ωτ = 1."""
    V = math.pi / 6 * (12e-9) ** 3
    kT = K_B * T_BODY
    out = []
    for sigma in (0.5, 2.0, 5.0, 30.0):
        surf = ms.EnergySurface([ms.UniaxialAnisotropy(sigma * kT / V, (0, 0, 1))])
        p = sar.Particle(Ms_A_per_m=4.7e5, volume_m3=V, T_K=T_BODY, landscape=surf)
        out.append(sar.sar_from_particle(p, f=1e5, H0=2e3, model="linear").sar_W_per_g)
    assert out[0] < out[1] < out[2], out
    assert out[3] < out[2], out  # ωτ ≫ 1 at 30 k_BT: the Debye peak has been passed


# ------------------------------------------------------------------------------- landscape-level trends (slow)
def _landscape(atoms, D, full, seed=1):
    from atomspin.measure import anisotropy_landscape

    m = SpinModel.from_atoms(atoms)
    sw = 300 if full else 200
    return anisotropy_landscape(m, T_BODY, sweeps=sw, equilibration_sweeps=sw // 4, thermalisation_sweeps=sw // 2,
                                seed=seed)


@pytest.fixture(scope="module")
def landscapes(full_scale):
    D = 8.0 if full_scale else 5.0
    p = S.build_particle("Fe3O4", "sphere", diameter_nm=D, seed=1)
    return D, {"perfect": _landscape(p, D, full_scale),
               "apb1": _landscape(S.insert_apb(p, plane=(1, 1, 0), seed=1), D, full_scale),
               "vac10": _landscape(S.add_vacancies(p, delta=0.10, removal="random", seed=1), D, full_scale)}


@pytest.mark.slow
def test_apb_raises_barrier_resolved(landscapes):
    """A (110) APB raises the lowest escape barrier beyond 2σ (the Néel anisotropy of its 180° bonds and the
    frustrated exchange across it add a uniaxial term: 2 minima)."""
    D, L = landscapes
    a, b = L["apb1"], L["perfect"]
    assert a.barrier_J - b.barrier_J > 2 * math.hypot(a.barrier_err_J, b.barrier_err_J), (
        D, a.barrier_over_kT, b.barrier_over_kT)


@pytest.mark.slow
def test_apb_raises_sar_at_low_field_resolved(landscapes):
    """Immobilised, 100 kHz, 4 kA/m (exact linear response): SAR(APB)/SAR(defect-free) > 1 beyond 2σ of the
    fit-propagated errors — the barrier gain outweighs the Ms loss (the study's APB verdict)."""
    D, L = landscapes
    vals = {}
    for k in ("perfect", "apb1"):
        r = L[k]
        term = r.surface.terms[0]
        cov = np.asarray(r.covariance_J2) / r.volume_m3 ** 2
        draws = np.random.default_rng(0).multivariate_normal(term.coefficients, cov, size=16, method="eigh")
        s = [sar.sar_from_particle(sar.Particle(Ms_A_per_m=r.Ms_A_per_m, volume_m3=r.volume_m3, T_K=r.T_K,
                                                landscape=ms.EnergySurface([ms.HarmonicExpansion(term.exponents, d)])),
                                   f=1e5, H0=4e3, model="linear").sar_W_per_g for d in draws]
        vals[k] = (np.mean(s), np.std(s, ddof=1))
    ratio = vals["apb1"][0] / vals["perfect"][0]
    err = ratio * math.hypot(vals["apb1"][1] / vals["apb1"][0], vals["perfect"][1] / vals["perfect"][0])
    assert ratio - 1 > 2 * err, (D, ratio, err)


@pytest.mark.slow
def test_vacancies_lower_Ms_and_sar_resolved(landscapes):
    """Random vacancies (δ = 0.10) lower Ms beyond 2σ; the SAR ratio at 100 kHz, 4 kA/m is below 1."""
    D, L = landscapes
    a, b = L["vac10"], L["perfect"]
    assert a.Ms_A_per_m < b.Ms_A_per_m - 2 * math.hypot(a.Ms_err_A_per_m, b.Ms_err_A_per_m)
    s = [sar.sar_from_particle(sar.particle_from_measurements(landscape=r), f=1e5, H0=4e3, model="linear").sar_W_per_g
         for r in (a, b)]
    assert s[0] < s[1], (D, s)
