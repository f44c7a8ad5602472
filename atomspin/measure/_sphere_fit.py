"""Smooth even functions on the unit sphere fitted to their tangential gradients (torques).

An even function of degree ≤ L on the sphere (L even) is exactly a homogeneous polynomial of degree L in
(x, y, z) restricted to the unit sphere: the (L+1)(L+2)/2 monomials x^a y^b z^c (a+b+c = L) span the even
spherical harmonics of degree 0, 2, …, L and are linearly independent there. Its tangential gradient is
(1 − n̂n̂ᵀ)∇p; the constant (x² + y² + z²)^{L/2} has none, so a gradient fit determines the function up to
that constant, which is fixed afterwards (F − F_min). This is the "integration" of a measured torque field:
a weighted least-squares potential whose gradient matches −⟨τ⟩ everywhere at once; its χ² per degree of
freedom measures how far the data are from a gradient field of degree ≤ L (noise, or too low a degree).

Physical terms (:func:`fit_terms`): F/V = c + K1 (a²b² + b²c² + c²a²) + K2 a²b²c² + n̂ᵀ Q n̂ with Q traceless,
split into a uniaxial part Ku (1 − (n̂·û)²) and a biaxial remainder (energy densities, J/m³).
"""
from __future__ import annotations

from dataclasses import dataclass
import numpy as np


def exponents(L):
    """Monomial exponents (a, b, c), a + b + c = L, in a fixed order."""
    return [(a, b, L - a - b) for a in range(L, -1, -1) for b in range(L - a, -1, -1)]


def _pow(x, k):
    return np.ones_like(x) if k == 0 else x ** k


def values(n, L):
    """(m, K) monomial values at unit vectors n (m, 3)."""
    n = np.atleast_2d(n)
    x, y, z = n[:, 0], n[:, 1], n[:, 2]
    return np.stack([_pow(x, a) * _pow(y, b) * _pow(z, c) for a, b, c in exponents(L)], axis=1)


def gradients(n, L):
    """(m, K, 3) Cartesian gradients of the monomials at n (not yet projected)."""
    n = np.atleast_2d(n)
    x, y, z = n[:, 0], n[:, 1], n[:, 2]
    out = np.zeros((len(n), len(exponents(L)), 3))
    for k, (a, b, c) in enumerate(exponents(L)):
        if a:
            out[:, k, 0] = a * _pow(x, a - 1) * _pow(y, b) * _pow(z, c)
        if b:
            out[:, k, 1] = b * _pow(x, a) * _pow(y, b - 1) * _pow(z, c)
        if c:
            out[:, k, 2] = c * _pow(x, a) * _pow(y, b) * _pow(z, c - 1)
    return out


def tangent_basis(n):
    """(m, 2, 3) orthonormal tangent vectors (t1, t2) at unit vectors n, t1 ⟂ the least-aligned axis."""
    n = np.atleast_2d(n)
    ax = np.eye(3)[np.argmin(np.abs(n), axis=1)]
    t1 = ax - np.sum(ax * n, axis=1)[:, None] * n
    t1 /= np.linalg.norm(t1, axis=1)[:, None]
    t2 = np.cross(n, t1)
    return np.stack([t1, t2], axis=1)


def tangential_design(n, grads):
    """(2m, K) design matrix: components of the tangential gradients along (t1, t2) at each n."""
    t = tangent_basis(n)
    A = np.einsum("mkd,mjd->mjk", grads, t)  # (m, 2, K): t_j · ∇p_k (the normal part drops out)
    return A.reshape(2 * len(n), -1), t


@dataclass
class GradientFit:
    """Least-squares potential of degree ``L`` fitted to tangential gradients.

    Attributes: L, coef (K,), cov (K, K) (scaled by max(χ²/dof, 1)), chi2, dof.
    """

    L: int
    coef: np.ndarray
    cov: np.ndarray
    chi2: float
    dof: int

    def value(self, n):
        return values(n, self.L) @ self.coef

    def value_cov(self, n):
        """(m, m) covariance of the values at n."""
        P = values(n, self.L)
        return P @ self.cov @ P.T

    def sample(self, rng, size):
        """(size, K) coefficient vectors drawn from N(coef, cov)."""
        w, v = np.linalg.eigh(0.5 * (self.cov + self.cov.T))
        w = np.clip(w, 0.0, None)
        return self.coef + (rng.standard_normal((size, len(w))) * np.sqrt(w)) @ v.T


def fit_gradient(n, g, err, L):
    """Fit an even polynomial potential of degree L to tangential gradient data.

    Parameters
    ----------
    n : (m, 3) unit vectors
    g : (m, 2) gradient components along :func:`tangent_basis` (any unit per radian)
    err : (m, 2) standard errors (> 0)
    L : even int

    Returns
    -------
    GradientFit (values in the unit of g · rad)
    """
    A, _ = tangential_design(n, gradients(n, L))
    y = np.asarray(g, dtype=np.float64).reshape(-1)
    w = 1.0 / np.asarray(err, dtype=np.float64).reshape(-1)
    Aw = A * w[:, None]
    U, s, Vt = np.linalg.svd(Aw, full_matrices=False)
    tol = s.max() * max(Aw.shape) * 1e-12 if s.size else 0.0
    keep = s > tol
    coef = Vt[keep].T @ ((U[:, keep].T @ (y * w)) / s[keep])
    r = Aw @ coef - y * w
    dof = max(len(y) - int(keep.sum()), 1)
    chi2 = float(r @ r)
    cov = (Vt[keep].T / s[keep] ** 2) @ Vt[keep] * max(chi2 / dof, 1.0)
    return GradientFit(L=int(L), coef=coef, cov=cov, chi2=chi2, dof=dof)


def fit_gradient_share(n, g_share, err, L, err_share, cov_total_share=None, chi2_scale=1.0):
    """The potential of a share of the gradient data (e.g. the dipolar term's part of the torque), fitted with the
    weights 1/``err`` of the total's fit (:func:`fit_gradient`), so that the coefficients of the shares add up to
    the total's exactly (the fit is linear in the data).

    Parameters
    ----------
    g_share, err_share : (m, 2) the share's gradient components and their standard errors.
    err : (m, 2) the errors of the total's fit (its weights).
    cov_total_share : (m, 2), optional, covariance of each total component with the share's.
    chi2_scale : float ≥ 1, the total fit's max(χ²/dof, 1), applied to the covariances as there.

    Returns
    -------
    coef (K,), cov (K, K) of the share's coefficients (sandwich: C = B diag(err_share²) Bᵀ with B the fit's
    linear map from data to coefficients), and cross (K, K) = B diag(cov_total_share) Bᵀ, its covariance with the
    total's coefficients (zeros when ``cov_total_share`` is None).
    """
    A, _ = tangential_design(n, gradients(n, L))
    w = 1.0 / np.asarray(err, dtype=np.float64).reshape(-1)
    Aw = A * w[:, None]
    U, s, Vt = np.linalg.svd(Aw, full_matrices=False)
    tol = s.max() * max(Aw.shape) * 1e-12 if s.size else 0.0
    keep = s > tol
    B = (Vt[keep].T / s[keep]) @ U[:, keep].T * w[None, :]  # coefficients = B @ data
    coef = B @ np.asarray(g_share, dtype=np.float64).reshape(-1)
    v = np.asarray(err_share, dtype=np.float64).reshape(-1) ** 2
    cov = (B * v[None, :]) @ B.T * chi2_scale
    c = np.zeros_like(v) if cov_total_share is None else np.asarray(cov_total_share, dtype=np.float64).reshape(-1)
    cross = (B * c[None, :]) @ B.T * chi2_scale
    return coef, cov, cross


def l2_of(coef, L):
    """Traceless Q (3, 3) of the degree-2 part n̂ᵀQn̂ of the potential with coefficients ``coef`` (same unit)."""
    return np.einsum("ijk,k->ij", l2_projector(L), np.asarray(coef, dtype=np.float64))


# ------------------------------------------------------------------------------------------ named terms
def cubic_f(n):
    a, b, c = n[:, 0], n[:, 1], n[:, 2]
    return a * a * b * b + b * b * c * c + c * c * a * a


def _cubic_grad(n):
    a, b, c = n[:, 0], n[:, 1], n[:, 2]
    return np.stack([2 * a * (b * b + c * c), 2 * b * (a * a + c * c), 2 * c * (a * a + b * b)], axis=1)


def k2_g(n):
    return n[:, 0] ** 2 * n[:, 1] ** 2 * n[:, 2] ** 2


def _k2_grad(n):
    a, b, c = n[:, 0], n[:, 1], n[:, 2]
    return np.stack([2 * a * b * b * c * c, 2 * b * a * a * c * c, 2 * c * a * a * b * b], axis=1)


#: traceless symmetric basis matrices of the quadratic part
_QBASIS = np.array([np.diag([1.0, -1.0, 0.0]), np.diag([1.0, 1.0, -2.0]) / np.sqrt(3.0),
                    [[0, 1, 0], [1, 0, 0], [0, 0, 0]], [[0, 0, 1], [0, 0, 0], [1, 0, 0]],
                    [[0, 0, 0], [0, 0, 1], [0, 1, 0]]], dtype=np.float64)


def _term_grads(n, cubic, k2):
    cols = []
    if cubic:
        cols.append(_cubic_grad(n))
    if k2:
        cols.append(_k2_grad(n))
    for Q in _QBASIS:
        cols.append(2.0 * n @ Q)
    return np.stack(cols, axis=1)  # (m, P, 3)


def _term_values(n, cubic, k2):
    cols = []
    if cubic:
        cols.append(cubic_f(n))
    if k2:
        cols.append(k2_g(n))
    for Q in _QBASIS:
        cols.append(np.einsum("mi,ij,mj->m", n, Q, n))
    return np.stack(cols, axis=1)


@dataclass
class TermFit:
    """Cubic + quadratic energy-density fit (J/m³) of a landscape.

    Attributes
    ----------
    K1_J_per_m3, K2_J_per_m3 : cubic constants (crystal axes x, y, z) and their standard errors ``*_err``.
    Q_J_per_m3 : (3, 3) fitted traceless quadratic tensor beyond the known shape term (e = n̂ᵀQn̂).
    Ku_J_per_m3, Ku_err_J_per_m3, axis : uniaxial part Ku (1 − (n̂·û)²) of Q (Ku > 0: easy axis û). It is the
        remainder beyond the held shape term, so what it means depends on that term (:func:`ku_meaning`,
        :data:`KU_MEANINGS`): the on-site (Néel surface and defect) term when the dipolar share was measured; the
        on-site term plus the thermal deviation of the dipolar term from rigid × m² when rigid × m² was held (every
        landscape measured before the dipolar torque was sampled); the whole degree-2 uniaxial part without a
        dipolar term. Its error treats the held term as exact.
    biaxial_J_per_m3 : half the splitting of the two other eigenvalues of Q (0 for pure uniaxial).
    shape_Q_J_per_m3 : (3, 3) the shape (magnetostatic) term that was held fixed: as measured (the degree-2 part of
        the dipolar share of F, from the dipolar torque) or, where that is not measured, the rigid-rotation tensor.
    chi2_per_dof : of the term fit against the torque data.
    residual_rms_J_per_m3 : rms over the sphere of (fitted harmonic landscape − term fit), constants removed.
    shape_source : what ``shape_Q_J_per_m3`` is ("measured dipolar torque", "rigid point-dipole tensor x
        m_reduced^2", or :data:`NO_SHAPE` for a model without a dipolar term).
    shape_Q_rigid_m2_J_per_m3 : (3, 3) the rigid-rotation point-dipole tensor × m_reduced² (traceless), for
        comparison.
    """

    K1_J_per_m3: float
    K1_err_J_per_m3: float
    K2_J_per_m3: float
    K2_err_J_per_m3: float
    Q_J_per_m3: np.ndarray
    Ku_J_per_m3: float
    Ku_err_J_per_m3: float
    axis: np.ndarray
    biaxial_J_per_m3: float
    shape_Q_J_per_m3: np.ndarray
    chi2_per_dof: float
    residual_rms_J_per_m3: float = float("nan")
    shape_source: str = "given"
    shape_Q_rigid_m2_J_per_m3: np.ndarray = None

    @property
    def Ku_meaning(self):
        """What ``Ku_J_per_m3`` is: a key of :data:`KU_MEANINGS` ("onsite", "beyond_rigid", "total"), from
        ``shape_source`` (a fit of :func:`fit_terms` called directly, ``shape_source`` "given": "total" when the
        given term is zero, else "beyond_given")."""
        if self.shape_source == "given":
            return "total" if not np.any(self.shape_Q_J_per_m3) else "beyond_given"
        return ku_meaning(self.shape_source, dipolar=True)

    def energy_density(self, n):
        """Fitted e(n̂) in J/m³ (cubic + K2 + Q + shape), unit vectors (m, 3)."""
        n = np.atleast_2d(n)
        return (self.K1_J_per_m3 * cubic_f(n) + self.K2_J_per_m3 * k2_g(n)
                + np.einsum("mi,ij,mj->m", n, self.Q_J_per_m3 + self.shape_Q_J_per_m3, n))


#: what :attr:`TermFit.Ku_J_per_m3` (stored by the batch landscape step as ``landscape_fit_Ku_J_per_m3``) is, by the
#: shape term the fit held (:func:`ku_meaning`)
KU_MEANINGS = {
    "onsite": "on-site remainder: the uniaxial part of the degree-2 landscape beyond the measured dipolar share "
              "(the Neel surface and defect term)",
    "beyond_rigid": "remainder beyond the rigid point-dipole tensor x m_reduced^2: the on-site (Neel) term plus the "
                    "thermal deviation of the dipolar term from rigid x m^2",
    "total": "the whole uniaxial part of the degree-2 landscape (no dipolar term, nothing held)",
    "beyond_given": "remainder beyond the shape term given to fit_terms",
}
#: ``TermFit.shape_source`` of a landscape whose model has no dipolar term
NO_SHAPE = "none (no dipolar term)"
MEASURED_SHAPE = "measured dipolar torque"


def ku_meaning(shape_source=None, dipolar=None):
    """Which :data:`KU_MEANINGS` a landscape fit's Ku has.

    Parameters
    ----------
    shape_source : str or None
        ``TermFit.shape_source`` as stored (``landscape_fit_shape_source`` of a batch row); None for results and
        rows from before it was stored, which held the rigid point-dipole tensor × m_reduced² whenever the model
        had a dipolar term.
    dipolar : bool or None
        Whether the model had a dipolar term (a batch row: its recipe's ``model.dipolar``); None when unknown,
        which is enough only when ``shape_source`` decides.

    Returns
    -------
    "onsite", "beyond_rigid" or "total".
    """
    if shape_source == MEASURED_SHAPE:
        return "onsite"
    if shape_source == NO_SHAPE or dipolar is False:
        return "total"
    if dipolar is None:
        raise ValueError(f"dipolar: needed to read a fit Ku held against shape_source={shape_source!r} (True: the "
                         "model had a dipolar term, so rigid x m_reduced^2 was held; False: nothing was held)")
    return "beyond_rigid"


def uniaxial_part(Q):
    """(Ku, axis, biaxial) of a traceless 3×3 tensor (e = n̂ᵀQn̂): the eigenvalue farthest from the mean
    of the other two is the axis; Ku = −(λ_axis − mean of the others) (e = Ku (1 − (n̂·û)²) + const)."""
    w, v = np.linalg.eigh(0.5 * (Q + Q.T))
    gaps = [abs(w[k] - 0.5 * (w.sum() - w[k])) for k in range(3)]
    k = int(np.argmax(gaps))
    others = [w[j] for j in range(3) if j != k]
    axis = v[:, k] * (1 if v[np.argmax(np.abs(v[:, k])), k] > 0 else -1)
    Ku = -(w[k] - 0.5 * sum(others))
    return float(Ku), axis, float(0.5 * abs(others[0] - others[1]))


def fit_terms(n, g, err, scale, shape_Q=None, cubic=True, k2=True):
    """Fit K1, K2 and a traceless Q (J/m³) to gradient data g (m, 2) in meV/rad with errors err.

    ``scale``: meV per (J/m³) (= V/MEV). ``shape_Q`` (3, 3) J/m³: the known shape term, subtracted first.
    """
    n = np.atleast_2d(n)
    S = np.zeros((3, 3)) if shape_Q is None else np.asarray(shape_Q, dtype=np.float64)
    t = tangent_basis(n)
    gs = 2.0 * n @ S * scale  # gradient of the known term (meV/rad)
    y = (np.asarray(g, dtype=np.float64) - np.einsum("md,mjd->mj", gs, t)).reshape(-1)
    A = np.einsum("mpd,mjd->mjp", _term_grads(n, cubic, k2), t).reshape(2 * len(n), -1) * scale
    w = 1.0 / np.asarray(err, dtype=np.float64).reshape(-1)
    Aw = A * w[:, None]
    coef, *_ = np.linalg.lstsq(Aw, y * w, rcond=None)
    r = Aw @ coef - y * w
    dof = max(len(y) - A.shape[1], 1)
    chi2 = float(r @ r)
    cov = np.linalg.pinv(Aw.T @ Aw) * max(chi2 / dof, 1.0)
    sd = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    k = 0
    K1 = K1e = K2 = K2e = 0.0
    if cubic:
        K1, K1e = float(coef[k]), float(sd[k])
        k += 1
    if k2:
        K2, K2e = float(coef[k]), float(sd[k])
        k += 1
    qc = coef[k:k + 5]
    Q = np.einsum("p,pij->ij", qc, _QBASIS)
    Ku, axis, biax = uniaxial_part(Q)
    # error of Ku: propagate by sampling the quadratic coefficients
    rng = np.random.default_rng(0)
    qcov = cov[k:k + 5, k:k + 5]
    wq, vq = np.linalg.eigh(0.5 * (qcov + qcov.T))
    draws = qc + (rng.standard_normal((200, 5)) * np.sqrt(np.clip(wq, 0, None))) @ vq.T
    ku_s = [uniaxial_part(np.einsum("p,pij->ij", d, _QBASIS))[0] for d in draws]
    return TermFit(K1_J_per_m3=K1, K1_err_J_per_m3=K1e, K2_J_per_m3=K2, K2_err_J_per_m3=K2e, Q_J_per_m3=Q,
                   Ku_J_per_m3=Ku, Ku_err_J_per_m3=float(np.std(ku_s)), axis=axis, biaxial_J_per_m3=biax,
                   shape_Q_J_per_m3=S, chi2_per_dof=chi2 / dof)


def fibonacci_sphere(m):
    """(m, 3) quasi-uniform unit vectors on the whole sphere (dense evaluation grid)."""
    i = np.arange(m) + 0.5
    z = 1.0 - 2.0 * i / m
    phi = np.pi * (1.0 + 5 ** 0.5) * i
    r = np.sqrt(np.clip(1.0 - z * z, 0.0, None))
    return np.stack([r * np.cos(phi), r * np.sin(phi), z], axis=1)


def l2_projector(L):
    """(3, 3, K) linear map from the K monomial coefficients of an even degree-L function f on the sphere to the
    traceless tensor Q of its degree-2 spherical-harmonic part (f ⊃ n̂ᵀQn̂): Q_ij = 15/(8π) ∫ f n_i n_j dΩ minus
    its trace/3 (∫ n_i n_j n_k n_l dΩ = 4π/15 (δ_ij δ_kl + δ_ik δ_jl + δ_il δ_jk) makes this exact for a traceless
    n̂ᵀAn̂; the constant and the degree ≥ 4 harmonics are orthogonal to it). Gauss–Legendre in cos θ × uniform φ,
    exact for the polynomial degree L + 2."""
    n_theta, n_phi = L // 2 + 3, L + 6
    x, w = np.polynomial.legendre.leggauss(n_theta)
    phi = np.arange(n_phi) * 2 * np.pi / n_phi
    ct, ph = np.meshgrid(x, phi, indexing="ij")
    st = np.sqrt(1 - ct ** 2)
    n = np.stack([st * np.cos(ph), st * np.sin(ph), ct], axis=-1).reshape(-1, 3)
    wt = np.repeat(w, n_phi) * (2 * np.pi / n_phi)
    M = 15 / (8 * np.pi) * np.einsum("q,qk,qi,qj->ijk", wt, values(n, L), n, n)
    tr = np.einsum("iik->k", M)
    return M - np.eye(3)[:, :, None] * tr[None, None, :] / 3


__all__ = ["KU_MEANINGS", "NO_SHAPE", "MEASURED_SHAPE", "ku_meaning", "exponents", "l2_projector", "l2_of", "fit_gradient_share", "values", "gradients", "tangent_basis", "fit_gradient", "GradientFit", "fit_terms",
           "TermFit", "uniaxial_part", "cubic_f", "k2_g", "fibonacci_sphere"]
