"""Exact relaxation of a uniaxial macrospin: the Fokker–Planck equation of Brown (1963) in Legendre polynomials.

For a uniaxial particle with the field along its easy axis the probability density W(z, t) of z = cos θ obeys
(Brown, Phys. Rev. 130, 1677 (1963))

    2τ_D ∂W/∂t = ∂/∂z [(1 − z²)(∂W/∂z + W ∂U/∂z)],   U(z) = −σ(z² + 2hz),

σ = KV/(k_BT), h = μ0MsH/(2K), and the free-diffusion (Debye) time τ_D = (1 + α²) Ms V/(2αγ k_BT) (γ the
gyromagnetic ratio; precession drops out of this axially symmetric problem). W is expanded in Legendre
polynomials P_0 … P_{N−1}; the Galerkin matrices are integrated exactly by Gauss–Legendre quadrature and
the eigenvalues λ_k of the generator are the relaxation rates (λ_0 = 0: equilibrium). The slowest non-zero
one, λ_1, sets the longitudinal (Néel) relaxation time τ = 1/λ_1 (Coffey, Crothers, Kalmykov, Massawe &
Waldron, PRE 49, 1869 (1994) solve the same problem by continued fractions). Limits (tests): τ → τ_D as
σ → 0 and τ → τ_D (√π/2) σ^{−3/2} e^σ /(1 − 1/σ) for σ ≫ 1 (Brown's asymptote with its first correction).
"""
from __future__ import annotations

import math

import numpy as np
from numpy.polynomial import legendre

from atomspin.units import GAMMA_E, K_B
from atomspin.validation import check_int, check_real


def debye_time(Ms_A_per_m, volume_m3, T_K, alpha):
    """Free-diffusion time τ_D = (1 + α²) Ms V / (2 α γ k_B T), s (γ = 1.76e11 rad s⁻¹ T⁻¹)."""
    return (1.0 + alpha**2) * Ms_A_per_m * volume_m3 / (2.0 * alpha * GAMMA_E * K_B * T_K)


def uniaxial_rates(sigma, h=0.0, n_terms=None):
    """Relaxation rates λ_k τ_D (ascending, λ_0 = 0) of the uniaxial Fokker–Planck operator.

    Parameters
    ----------
    sigma : float
        Reduced barrier KV/(k_BT), in [0, 25] (above, λ_1 ~ e^{−σ} is lost in the rounding of the largest
        rates; use the high-barrier asymptote).
    h : float
        Reduced field μ0MsH/(2K) along the easy axis.
    n_terms : int, optional
        Legendre polynomials kept; default 40 + 4σ (converged: doubling it changes λ_1 by < 1e-9, tests).
    """
    sigma = check_real("sigma", sigma, 0.0, 25.0)
    h = check_real("h", h, -1e3, 1e3)
    n = check_int("n_terms", 40 + int(4 * sigma) if n_terms is None else n_terms, 4, 2000)
    z, w = legendre.leggauss(n + 8)
    eye = np.eye(n)
    norm = np.sqrt((2.0 * np.arange(n) + 1.0) / 2.0)[:, None]  # orthonormal Legendre polynomials
    P = norm * np.array([legendre.legval(z, eye[k]) for k in range(n)])
    dP = norm * np.array([legendre.legval(z, legendre.legder(eye[k])) for k in range(n)])
    dU = -2.0 * sigma * (z + h)
    # symmetrised generator: W = e^{−U/2} φ turns the operator into
    # −∫ (1 − z²)(φ_m' + U'φ_m/2)(φ_n' + U'φ_n/2) dz (symmetric, ≤ 0), in units of 1/(2τ_D)
    D = dP + 0.5 * dU[None, :] * P
    A = -np.einsum("mq,q,nq->mn", D, w * (1.0 - z * z), D)
    lam = np.sort(-0.5 * np.linalg.eigvalsh(A))
    return lam


def uniaxial_relaxation_time(sigma, h=0.0):
    """τ/τ_D = 1/(λ_1 τ_D) of the uniaxial particle (zero field when h = 0)."""
    return 1.0 / uniaxial_rates(sigma, h)[1]


def brown_asymptote(sigma):
    """Brown's high-barrier relaxation time with its first correction, τ/τ_D = (√π/2) σ^{−3/2} e^σ /(1 − 1/σ)."""
    return 0.5 * math.sqrt(math.pi) * sigma**-1.5 * math.exp(sigma) / (1.0 - 1.0 / sigma)
