"""Brown's Fokker–Planck equation of a macrospin, solved exactly: the uniaxial axial problem in Legendre polynomials
(relaxation times) and any landscape in a field in spherical harmonics (relaxation, AC response, SAR).

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

Any landscape (:func:`brown_operator`, :func:`ac_response`, :func:`fokker_planck_sar`): the full equation on the
sphere, with precession, for the anisotropy surface of a :class:`atomspin.sar.Particle` and a field along any
direction, in real spherical harmonics (the derivation is in the comment block below). One cohesive solver, hence
the module's length.
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


# ---------------------------------------------------------------------------------------------- any landscape
# Brown's equation for a macrospin with any anisotropy surface E(û) (J) and a field H along ĥ, in the reduced time
# t' = t/(2τ_D) (Brown, Phys. Rev. 130, 1677 (1963), from the LLG equation with γ' = γ/(1 + α²); the same form as
# Coffey & Kalmykov, "The Langevin Equation", World Scientific; derived again and checked against the LLG drift of
# atomspin's convention in tests/test_sar_fokker_planck.py):
#
#     ∂W/∂t' = ∇²W + ∇·(W ∇βE) − α⁻¹ û·(∇βE × ∇W),   βE = βE_a(û) − ξ(t') ĥ·û,  ξ = μ0MsVH/(k_BT),
#
# ∇ the tangential gradient on the unit sphere. In an orthonormal basis of real spherical harmonics φ_n (degree
# ≤ l_max), W = Σ a_n φ_n, the Galerkin generator is (integration by parts on the closed sphere)
#
#     K_mn = −∫∇φ_m·∇φ_n − ∫ φ_n ∇φ_m·∇βE − α⁻¹ ∫ φ_m ∇φ_n·(û × ∇βE),
#
# linear in ∇βE, so K(ξ) = K_0 + ξ K_h with K_h = −Σ_i ĥ_i B_i, B_i the field part for ∇(û_i). The integrals are
# exact by Gauss–Legendre (cos θ) × uniform (φ) quadrature for polynomial surfaces (every atomspin surface is one,
# :func:`atomspin.sar.rates.polynomial_of`). φ_0 = 1/√(4π) is conserved (row 0 of K vanishes): normalisation.


class BrownOperator:
    """Brown's Fokker–Planck generator of one particle, in real spherical harmonics up to ``l_max``.

    Build with :func:`brown_operator`. Units: rates in 1/(2τ_D) (multiply by 1/(2τ_D), τ_D = :func:`debye_time`,
    to get s⁻¹); ξ = μ0 Ms V H/(k_BT) is the reduced field.

    Attributes
    ----------
    l_max : int
    K0 : (N, N) zero-field generator; B : (3, N, N) its field parts (K(ξ, ĥ) = K0 − ξ Σ_i ĥ_i B_i)
    moment : (3, N) ∫ û_i φ_n (⟨û⟩ = moment @ a)
    tau_D_s : free-diffusion time, s
    """

    def __init__(self, K0, B, moment, tau_D_s, l_max, energy_range_kT):
        self.K0, self.B, self.moment = K0, B, moment
        self.tau_D_s, self.l_max, self.energy_range_kT = float(tau_D_s), int(l_max), float(energy_range_kT)
        self.a0 = 1.0 / math.sqrt(4.0 * math.pi)
        self._field_cache, self._lag_cache = {}, {}

    @property
    def size(self):
        return self.K0.shape[0]

    def field_matrix(self, direction):
        """K_h = −Σ_i ĥ_i B_i, the generator's part per unit ξ along the unit vector ``direction`` (cached)."""
        d = np.asarray(direction, float)
        key = d.tobytes()
        Kh = self._field_cache.get(key)
        if Kh is None:
            self._field_cache.clear()  # one direction at a time: the orientation loop finishes each one
            Kh = self._field_cache[key] = -(d[0] * self.B[0] + d[1] * self.B[1] + d[2] * self.B[2])
        return Kh

    def generator(self, xi, direction):
        """K(ξ) for a reduced field ξ along the unit vector ``direction`` (body frame)."""
        return self.K0 + xi * self.field_matrix(direction)

    def equilibrium(self, xi=0.0, direction=(0.0, 0.0, 1.0)):
        """Stationary coefficients a (N,) at a static reduced field ξ along ``direction``."""
        K = self.generator(xi, direction)
        a = np.empty(self.size)
        a[0] = self.a0
        a[1:] = np.linalg.solve(K[1:, 1:], -K[1:, 0] * self.a0)
        return a

    def integral_relaxation_time(self, direction, xi=0.0):
        """Integral relaxation time of ⟨û·ĥ⟩ at a static field ξ along ĥ = ``direction``, s.

        τ_int = ∫₀^∞ C(t)/C(0) dt of the equilibrium correlation function of û·ĥ (exact; equals 1/λ₁ when one
        mode dominates, and gives the exact low-frequency limit of the linear AC loss, χ'' → χ ωτ_int).
        """
        d = np.asarray(direction, float)
        d = d / np.linalg.norm(d)
        tau, _, _ = _lag(self, xi, d)
        return tau * 2.0 * self.tau_D_s


def _lag(op, xi, d):
    """(τ_eff/(2τ_D), χ, m_eq) at reduced field ξ along d: the equilibrium ⟨û·d⟩ = m_eq, χ = ∂m_eq/∂ξ = var(û·d)
    and the first-order lag
    δ⟨û·d⟩ = −τ_eff χ dξ/dt of a slowly swept field (the adiabatic response; exact as ωτ → 0). Cached on the
    operator (the media of one particle share it: the Brownian channel is added outside)."""
    return _lags(op, [xi], d)[0]


PATH_MIN_NODES = 7
"""Fewest new non-zero field nodes of one direction solved together for which :func:`_lags` reduces the field
pencil to Hessenberg form (:class:`_FieldPath`) instead of factorising K(ξ) at each node (derived: measured on the
19.7 nm defect-free row, N = 1295, one thread, the reduction costs ≈ 11 dense LU factorisations of K(ξ) and a node on
it ≈ 0.1 of one; the adiabatic loss of a direction needs at least two nested Chebyshev levels, 7 + 8 non-zero
nodes, and the sweeps' rows 31–127, so its first level, 7 nodes — one of them ξ0 cos(π/2) ≈ 1e-16 ξ0 — already goes
on the reduction; a lone node — the zero-field τ of each direction, an integral relaxation time — stays on LU)."""


def _lags(op, xis, d):
    """:func:`_lag` at several reduced fields ξ along one direction d, in order (cached on the operator).

    ξ = 0 solves with the zero-field generator, whose LU factorisation every direction shares; a batch of
    ≥ :data:`PATH_MIN_NODES` new non-zero fields goes on the Hessenberg form of the field pencil of d
    (:class:`_FieldPath`: one O(N³) reduction, then O(N²) per field); fewer are solved by a dense LU of K(ξ) each.
    The three give the same numbers to rounding (tests/test_fokker_planck_fast.py); the path's rounding error grows
    with the condition number of the zero-field generator, i.e. with the barrier (≈ 1e-13 relative at a 4 k_BT
    surface range, ≈ 5e-11 at 10 k_BT, where a dense LU stays at ≈ 5e-13; the sar step uses Fokker–Planck below
    6 k_BT)."""
    d = np.asarray(d, float)
    db = d.tobytes()
    out, todo = [None] * len(xis), []
    for i, xi in enumerate(xis):
        hit = op._lag_cache.get((float(xi), db))
        if hit is None:
            todo.append(i)
        else:
            out[i] = hit
    new = list(dict.fromkeys(float(xis[i]) for i in todo))
    on_path = [xi for xi in new if xi != 0.0] if sum(xi != 0.0 for xi in new) >= PATH_MIN_NODES else []
    solved = dict(zip(on_path, _field_path(op, d).lags(on_path))) if on_path else {}
    for xi in new:
        if xi not in solved:
            solved[xi] = _lag_lu(op, xi, d)
    if len(op._lag_cache) + len(solved) > 20000:
        op._lag_cache.clear()
    for xi, hit in solved.items():
        op._lag_cache[(xi, db)] = hit
    for i in todo:
        out[i] = solved[float(xis[i])]
    return out


def _lag_lu(op, xi, d):
    """One field node of :func:`_lag` by a dense LU factorisation of K(ξ) (at ξ = 0 the shared one of K0)."""
    Kh = op.field_matrix(d)
    if xi == 0.0:
        K, lu = op.K0, _k0_lu(op)
    else:
        K = op.K0 + xi * Kh
        lu = _lu(K[1:, 1:])
    W = _lu_solve(lu, -K[1:, 0] * op.a0)
    dW = _lu_solve(lu, -(Kh[1:, 0] * op.a0 + Kh[1:, 1:] @ W))  # ∂W/∂ξ (the zero mode does not move)
    c = d @ op.moment[:, 1:]
    chi = float(c @ dW)
    g = float(c @ _lu_solve(lu, dW))  # δm = g dξ/dt' (t' = t/2τ_D)
    return (-g / chi if chi > 0 else 0.0), chi, float(c @ W)


# One operator's zero-field factorisation and one direction's Hessenberg form at a time (the orientation loop of
# fokker_planck_sar finishes each direction; the media then find every node in the operator's _lag_cache). Held
# here rather than on the operator so that the kept operators (_OPERATOR_CACHE) do not grow by 4 N² each.
_SOLVER_SLOT = {"op": None, "lu": None, "dir": None, "path": None}


def _k0_lu(op):
    """LU factorisation of the reduced zero-field generator K0[1:, 1:] of ``op`` (kept for one operator)."""
    slot = _SOLVER_SLOT
    if slot["op"] is not op or slot["lu"] is None:
        slot = {"op": op, "lu": _lu(op.K0[1:, 1:]), "dir": None, "path": None}
        globals()["_SOLVER_SLOT"] = slot
    return slot["lu"]


def _field_path(op, d):
    """:class:`_FieldPath` of ``op`` along the unit vector ``d`` (kept for one direction)."""
    lu = _k0_lu(op)
    slot = _SOLVER_SLOT
    key = np.asarray(d, float).tobytes()
    if slot["dir"] != key or slot["path"] is None or slot["op"] is not op:
        path = _FieldPath(op, np.asarray(d, float), lu)
        slot = dict(slot, op=op, lu=lu, dir=key, path=path)
        globals()["_SOLVER_SLOT"] = slot
    return slot["path"]


class _FieldPath:
    """The field pencil K(ξ) = K0 + ξ K_h of one operator and direction in Hessenberg form, for many ξ.

    With the reduced blocks L = K0[1:, 1:] (LU-factorised) and K_h[1:, 1:], K(ξ) = (I + ξ M) L, M = K_h[1:, 1:] L⁻¹,
    and M = Q H Qᵀ with Q orthogonal and H upper Hessenberg (Householder reduction: backward stable; the classical
    route to a transfer function at many frequencies, Laub, IEEE Trans. Autom. Control 26, 407 (1981), not read
    here). Then
    K(ξ)⁻¹ = L⁻¹ Q (I + ξH)⁻¹ Qᵀ, and I + ξH, Hessenberg, is factorised in O(N²) (:mod:`atomspin.sar._hessenberg`).
    With ŝ = (I + ξH)⁻¹ Qᵀ r0 (r0 the right-hand side of the stationary state, K(ξ) W = r0) and
    ĉ = Qᵀ L⁻ᵀ c (c the moment along d): W = L⁻¹ Q ŝ, m_eq = ĉ·ŝ; K_h W = Q H ŝ, so ∂W/∂ξ = L⁻¹ Q t̂ with
    t̂ = −(I + ξH)⁻¹ (a0 Qᵀ K_h[1:, 0] + H ŝ), χ = ĉ·t̂; and c·K⁻¹ ∂W/∂ξ = ĉ·(I + ξH)⁻¹ Qᵀ L⁻¹ Q t̂.
    The same quantities as :func:`_lag_lu` (to rounding: tests/test_fokker_planck_fast.py); :meth:`lags` solves a
    batch of fields.
    """

    def __init__(self, op, d, lu):
        import scipy.linalg

        Kh = op.field_matrix(d)
        n = op.size - 1
        # M = K_h,r L⁻¹: Lᵀ Mᵀ = K_h,rᵀ
        M = scipy.linalg.lu_solve(lu, Kh[1:, 1:].T, trans=1, check_finite=False).T
        H, Q = scipy.linalg.hessenberg(M, calc_q=True, overwrite_a=True, check_finite=False)
        del M
        self.lu, self.H, self.Q, self.a0, self.n = lu, H, Q, op.a0, n
        c = d @ op.moment[:, 1:]
        self.chat = Q.T @ scipy.linalg.lu_solve(lu, c, trans=1, check_finite=False)
        self.k0, self.kh = Q.T @ op.K0[1:, 0], Q.T @ Kh[1:, 0]

    def lags(self, xis):
        """[(τ_eff/(2τ_D), χ, m_eq)] at the non-zero reduced fields ``xis``, as :func:`_lag_lu` at each.

        Per field: the LU factorisation of the Hessenberg I + ξH in O(N²) (:mod:`atomspin.sar._hessenberg`), and ŝ,
        t̂ and ẑ = (I + ξH)⁻ᵀ ĉ by its solves (H ŝ by a product: (r̂0 − ŝ)/ξ would lose digits at the node
        ξ = ξ0 cos(π/2) ≈ 1e-16 ξ0); then for all fields together (matrix products) c·K⁻¹ ∂W = (Q ẑ)·L⁻¹ (Q t̂)."""
        import scipy.linalg
        from scipy.linalg import solve_triangular

        from ._hessenberg import hessenberg_lower, hessenberg_lu

        n = self.n
        U, swap, mult = np.zeros((n, n)), np.zeros(n, dtype=np.bool_), np.zeros(n)
        out, T, Z = [], np.empty((n, len(xis))), np.empty((n, len(xis)))

        def solve(b, trans=False):
            if trans:
                return hessenberg_lower(swap, mult, solve_triangular(U, b, trans=1, check_finite=False), True)
            return solve_triangular(U, hessenberg_lower(swap, mult, b.copy(), False), check_finite=False)

        for i, xi in enumerate(xis):
            xi = float(xi)
            if not hessenberg_lu(self.H, xi, U, swap, mult) > 0.0:
                raise np.linalg.LinAlgError(f"I + ξH is singular at ξ = {xi:.6g}")
            s = solve(-self.a0 * (self.k0 + xi * self.kh))
            T[:, i] = solve(-(self.a0 * self.kh + self.H @ s))
            Z[:, i] = solve(self.chat, trans=True)
            out.append((float(self.chat @ T[:, i]), float(self.chat @ s)))
        X = scipy.linalg.lu_solve(self.lu, self.Q @ T, check_finite=False)
        g = np.einsum("ij,ij->j", self.Q @ Z, X)
        return [((-float(gi) / chi if chi > 0 else 0.0), chi, m) for gi, (chi, m) in zip(g, out)]


def _lu(A):
    import scipy.linalg

    return scipy.linalg.lu_factor(A, check_finite=False)


def _lu_solve(lu, b):
    import scipy.linalg

    return scipy.linalg.lu_solve(lu, b, check_finite=False)


_BASIS_CACHE = {}


def _sphere_basis(l_max, degree):
    """Quadrature nodes (Q, 3), weights (Q,), real spherical harmonics (Q, N) and their tangential gradients
    (Q, N, 3) up to ``l_max``; the rule integrates polynomials of degree 2 l_max + ``degree`` + 1 exactly."""
    from scipy.special import sph_harm_y

    key = (l_max, degree)
    if key in _BASIS_CACHE:
        return _BASIS_CACHE[key]
    P = 2 * l_max + degree + 1
    nt, nphi = P // 2 + 1, P + 1
    x, wx = legendre.leggauss(nt)
    th = np.arccos(x)
    ph = 2.0 * np.pi * np.arange(nphi) / nphi
    T, F = np.meshgrid(th, ph, indexing="ij")
    T, F = T.ravel(), F.ravel()
    w = np.repeat(wx, nphi) * (2.0 * np.pi / nphi)
    st, ct, sp, cp = np.sin(T), np.cos(T), np.sin(F), np.cos(F)
    u = np.stack([st * cp, st * sp, ct], axis=1)
    e_t = np.stack([ct * cp, ct * sp, -st], axis=1)
    e_p = np.stack([-sp, cp, np.zeros_like(sp)], axis=1)
    ls, ms = [], []
    for l in range(l_max + 1):
        for m in range(-l, l + 1):
            ls.append(l)
            ms.append(m)
    ls, ms = np.array(ls), np.array(ms)
    am = np.abs(ms)
    # the product grid: normalised Legendre functions on the θ nodes (Y_l^|m| at φ = 0) times cos/sin(|m|φ);
    # real harmonics √2 P̄ cos(|m|φ) (m > 0), √2 P̄ sin(|m|φ) (m < 0), P̄ (m = 0)
    y, dy = sph_harm_y(ls[:, None], am[:, None], th[None, :], 0.0, diff_n=1)
    Pl, dPl = y.real, dy[..., 0].real  # (N, nt)
    fac = np.where(ms == 0, 1.0, math.sqrt(2.0))[:, None]
    mph = am[:, None] * ph[None, :]
    trig = np.where((ms < 0)[:, None], np.sin(mph), np.cos(mph)) * fac  # (N, nphi)
    dtrig = np.where((ms < 0)[:, None], np.cos(mph), -np.sin(mph)) * fac * am[:, None]
    Y = (Pl[:, :, None] * trig[:, None, :]).reshape(len(ls), -1)
    dth = (dPl[:, :, None] * trig[:, None, :]).reshape(len(ls), -1)
    dph = (Pl[:, :, None] * dtrig[:, None, :]).reshape(len(ls), -1) / st[None, :]
    G = dth[..., None] * e_t[None, :, :] + dph[..., None] * e_p[None, :, :]  # (N, Q, 3)
    out = (u, w, np.ascontiguousarray(Y.T), np.ascontiguousarray(G.transpose(1, 0, 2)))
    if len(_BASIS_CACHE) > 8:
        _BASIS_CACHE.clear()
    _BASIS_CACHE[key] = out
    return out


def _field_parts(u, w, Y, G, grad):
    """(P, R) with −∫ φ_n ∇φ_m·g − α⁻¹ ∫ φ_m ∇φ_n·(û × g) = P − R/α, for a tangential field g at the nodes (Q, 3)."""
    Gg = np.einsum("qmi,qi->qm", G, grad)
    Gu = np.einsum("qni,qi->qn", G, np.cross(u, grad))
    return -(Gg * w[:, None]).T @ Y, (Y * w[:, None]).T @ Gu


_FIELD_CACHE = {}


def _basis_operators(l_max, degree):
    """The particle-independent parts on a basis: −∫∇φ_m·∇φ_n and (P_i, R_i) of the field along each axis i."""
    key = (l_max, degree)
    if key not in _FIELD_CACHE:
        u, w, Y, G = _sphere_basis(l_max, degree)
        A1 = -sum((G[:, :, i] * w[:, None]).T @ G[:, :, i] for i in range(3))
        parts = []
        for i in range(3):
            gi = -u[:, i:i + 1] * u
            gi[:, i] += 1.0  # ∇û_i = e_i − (e_i·û)û
            parts.append(_field_parts(u, w, Y, G, gi))
        if len(_FIELD_CACHE) > 8:
            _FIELD_CACHE.clear()
        _FIELD_CACHE[key] = (A1, np.array([p[0] for p in parts]), np.array([p[1] for p in parts]),
                             (u * w[:, None]).T @ Y)
    return _FIELD_CACHE[key]


L_MAX_CAP = 48
"""Largest spherical-harmonic degree of the Fokker–Planck basis (derived: (48 + 1)² = 2401 unknowns, a dense LU of
≈ 0.5–1 s; the default rule :func:`default_l_max` reaches it at a well curvature κ ≈ 75)."""


def default_l_max(curvature_kT):
    """Basis degree for wells of reduced curvature κ = β V ∂²e/∂θ² (largest Hessian eigenvalue near the minima, plus
    the Zeeman ξ0): l_max = 4 + 5√κ, capped at :data:`L_MAX_CAP` (derived: a well e^{−κθ²/2} has harmonics
    falling as e^{−l²/(2κ)}; measured: a uniaxial σ = 4, ξ = 2 particle (κ = 10) converges to 1e-4 relative at
    l_max = 14, a cubic K1 < 0 one with κ = 49 needs l_max ≈ 34; tests/test_sar_fokker_planck.py checks the rule
    against l_max + 8)."""
    return int(min(L_MAX_CAP, math.ceil(4.0 + 5.0 * math.sqrt(max(curvature_kT, 0.0)))))


def well_curvature(surface, volume_m3, kT_J, xi_max=0.0):
    """κ = largest Hessian eigenvalue of βVe(n̂) within 3 k_BT of the lowest minimum (Fibonacci grid of 3000
    directions), + ξ_max: the reduced stiffness that sets the Fokker–Planck basis (:func:`default_l_max`)."""
    from atomspin.macrospin import fibonacci_sphere

    g = fibonacci_sphere(3000)
    bV = volume_m3 / kT_J
    e = surface.energy(g) * bV
    near = e <= e.min() + 3.0
    h = np.linalg.eigvalsh(surface.hessian(g[near]) * bV)
    return float(max(h.max(), 0.0)) + float(xi_max)


def brown_operator(particle, xi_max=0.0, l_max=None):
    """Brown's Fokker–Planck generator of a :class:`atomspin.sar.Particle` (uniaxial or any landscape).

    Parameters
    ----------
    particle : Particle (Ms, V, T > 0, α and the anisotropy surface are used)
    xi_max : float
        Largest reduced field ξ = μ0MsVH/(k_BT) the operator will be used at (sets the default basis size with
        the wells' curvature, :func:`well_curvature`).
    l_max : int, optional
        Spherical-harmonic degree of the basis (default :func:`default_l_max`); at most :data:`L_MAX_CAP`.
    """
    from .rates import anisotropy_surface, polynomial_of

    if particle.T_K <= 0:
        raise ValueError(f"T_K: {particle.T_K} is outside (0, 2000] (the Fokker–Planck equation needs k_BT > 0)")
    xi_max = check_real("xi_max", xi_max, 0.0, 1e3)
    surface = anisotropy_surface(particle)
    exps, coefs = polynomial_of(surface, particle)
    # one operator per particle and field: the media of a particle (and the mean's error propagation) reuse it
    key = (np.ascontiguousarray(exps).tobytes(), np.ascontiguousarray(coefs, float).tobytes(),
           float(particle.Ms_A_per_m), float(particle.volume_m3), float(particle.T_K), float(particle.alpha),
           float(xi_max), l_max)
    hit = _OPERATOR_CACHE.get(key)
    if hit is not None:
        return hit
    degree = int(exps.sum(axis=1).max(initial=0))
    bV = particle.volume_m3 / particle.kT_J
    from atomspin.macrospin import fibonacci_sphere

    rng = float(np.ptp(surface.energy(fibonacci_sphere(2000)) * bV)) + 2.0 * xi_max
    if l_max is None:
        kappa = well_curvature(surface, particle.volume_m3, particle.kT_J, xi_max)
        l_max = default_l_max(kappa)
        if 4.0 + 5.0 * math.sqrt(kappa) > L_MAX_CAP:
            raise ValueError(f"particle: its wells' reduced curvature κ = {kappa:.3g} (anisotropy + ξ) needs a basis "
                             f"above l_max = {L_MAX_CAP}; use the master equation (barriers ≳ 4 k_BT) or stochastic LLG")
    l_max = check_int("l_max", l_max, 2, L_MAX_CAP)
    u, w, Y, G = _sphere_basis(l_max, degree)
    A1, P, R, moment = _basis_operators(l_max, degree)
    Pa, Ra = _field_parts(u, w, Y, G, surface.gradient(u) * bV)
    K0 = A1 + Pa - Ra / particle.alpha
    B = P - R / particle.alpha
    op = BrownOperator(K0, B, moment, debye_time(particle.Ms_A_per_m, particle.volume_m3, particle.T_K,
                                                 particle.alpha), l_max, rng)
    while _OPERATOR_CACHE and (len(_OPERATOR_CACHE) >= OPERATOR_CACHE_SIZE or
                               sum(o.K0.nbytes * 5 for o in _OPERATOR_CACHE.values()) + 5 * K0.nbytes
                               > OPERATOR_CACHE_BYTES):
        _OPERATOR_CACHE.pop(next(iter(_OPERATOR_CACHE)))
    _OPERATOR_CACHE[key] = op
    return op


OPERATOR_CACHE_SIZE = 16
"""Operators kept by :func:`brown_operator` (derived: a row's SAR step builds 5 — the particle, its surface scaled
±, its Ms ±, for the error propagation — or, with landscape draws (``protocol.sar.landscape_draws``; 6 in the
19.7 nm calibration), the particle, its Ms ± and one per draw (the scale pair is not needed), and every medium
reuses them: with 6 kept, the water medium rebuilt and re-solved the first operators of a row with draws.
:data:`OPERATOR_CACHE_BYTES` still bounds the memory: at 25 nm (≈ 150 MB each) it keeps ≈ 6, so there the water
medium of a row with draws still rebuilds them; the module's solver slot holds one more operator's factorisations
outside that bound)."""
OPERATOR_CACHE_BYTES = 1.0e9
"""Memory the kept operators may hold, bytes (derived: one holds K0, B and one field matrix, 5 N² doubles: 25 MB at
l_max = 27 (16 nm), 150 MB at l_max = 43 (25 nm), 230 MB at the cap l_max = 48; 1 GB keeps a 25 nm row's five)."""
_OPERATOR_CACHE = {}


def ac_response(op, direction, xi0, omega_tau_D, n_harmonics=None, tol=1e-5):
    """Periodic steady state of ⟨û·ĥ⟩ under ξ(t) = ξ0 cos ωt along ĥ = ``direction``: exact (harmonic balance).

    W(t') = Σ_k a_k e^{ikω't'} (ω' = 2τ_D ω) solved by matrix continued fractions (Risken, "The Fokker–Planck
    Equation", 2nd ed., Springer (1989), ch. 9), truncated at ``n_harmonics``
    (default: from 6 + 2ξ0, grown by half until the out-of-phase part of the first harmonic, which sets the
    loss, changes by < ``tol`` relative; at most 256).

    Returns
    -------
    (m_k, n) : complex Fourier amplitudes m_k of ⟨û·ĥ⟩(t) = m_0 + 2 Re Σ_{k≥1} m_k e^{ikωt} (k = 0 … n), and n.
        The loss per cycle and volume is −2π μ0 Ms H0 Im m_1.
    """
    from atomspin.validation import check_direction

    d = check_direction("direction", direction)
    xi0 = check_real("xi0", xi0, 0.0, 1e3)
    omega_tau_D = check_real("omega_tau_D", omega_tau_D, 0.0, 1e6, lo_open=True)
    w = 2.0 * omega_tau_D
    Kh = op.field_matrix(d)
    K0r, Khr = op.K0[1:, 1:], Kh[1:, 1:]
    c = d @ op.moment[:, 1:]
    half = 0.5 * xi0 * Khr
    eye = np.eye(K0r.shape[0])

    def solve(n):
        S = np.zeros_like(K0r, dtype=complex)
        Ss = [None] * (n + 2)
        for k in range(n, 1, -1):
            S = np.linalg.solve(1j * k * w * eye - K0r - half @ S, half)
            Ss[k] = S
        M1 = 1j * w * eye - K0r - half @ S
        S1 = np.linalg.solve(M1, np.concatenate([half, (0.5 * xi0 * Kh[1:, 0] * op.a0)[:, None]], axis=1))
        S1, t1 = S1[:, :-1], S1[:, -1]
        a0 = np.linalg.solve(K0r + xi0 * Khr @ S1.real, -(op.K0[1:, 0] * op.a0 + xi0 * Khr @ t1.real))
        a = [a0.astype(complex), S1 @ a0 + t1]
        for k in range(2, n + 1):
            a.append(Ss[k] @ a[-1])
        return np.array([c @ ak for ak in a])

    if n_harmonics is not None:
        n = check_int("n_harmonics", n_harmonics, 1, 4096)
        return solve(n), n
    n, prev = 6 + int(math.ceil(2.0 * xi0)), None
    while True:
        m = solve(n)
        if prev is not None and abs(m[1].imag - prev[1].imag) <= tol * max(abs(m[1].imag), 1e-300):
            return m, n
        if n >= 256:
            raise RuntimeError(f"ac_response: the harmonic series did not converge (ξ0 = {xi0:.3g})")
        prev, n = m, n + max(4, n // 2)


FP_ADIABATIC_OMEGA_TAU = 0.05
"""Largest ωτ_int at which :func:`fokker_planck_sar` uses the first-order (adiabatic) solution instead of the
harmonic balance (derived: the neglected terms are O((ωτ)²) relative, ≤ 0.3 % here; tests compare both)."""

N_CHEBYSHEV = 7
"""Field nodes of the adiabatic loss integral over a half cycle at the first level (Gauss–Chebyshev of the second
kind, nested: 7, 15, 31, … nodes until the loss changes by < :data:`CHEBYSHEV_RTOL`; derived: at ξ ≈ 2 the loss
is converged to 1e-5 with 16 nodes; at ξ ≈ 8 a 3.2 k_BT particle, whose barrier vanishes near the field peaks,
needs ≈ 60; tests)."""

CHEBYSHEV_RTOL = 1e-3
"""Relative change of the adiabatic loss at which the nested field quadrature stops (derived: the change between
two levels bounds the error of the coarser one, and the finer one is kept, whose error is far smaller for this
smooth, exponentially converging integrand; 1e-3 is below the ≤ 3e-3 accuracy of the first-order solution itself
and halves the cost against 1e-4: 7 → 15 nodes instead of 15 → 31 at ξ ≈ 2)."""


def _adiabatic_loss(op, d, xi0, tauB, tD2):
    """∫₀^π G(ξ0 cos φ) sin²φ dφ with G = τ_eff χ (τ_eff in s, Brownian channel in parallel), by nested
    Gauss–Chebyshev rules; returns (integral, φ nodes, m_eq, τ_eff χ) at the nodes of the last rule."""
    vals = {}

    def node(j, n):  # φ_j = jπ/(n + 1); nested: rule 2n + 1 contains rule n at the even indices
        return vals[round(j / (n + 1), 14)]

    def level(n):  # the new nodes of rule n, solved together (one field direction: _lags)
        keys = [k for k in dict.fromkeys(round(j / (n + 1), 14) for j in range(1, n + 1)) if k not in vals]
        for key, (t_, chi, m_eq) in zip(keys, _lags(op, [xi0 * math.cos(k * math.pi) for k in keys], d)):
            t_ *= tD2
            t_ = 1.0 / (1.0 / t_ + 1.0 / tauB) if t_ > 0 else 0.0
            vals[key] = (t_ * chi, m_eq)

    n, prev = N_CHEBYSHEV, None
    while True:
        level(n)
        phis = np.arange(1, n + 1) * math.pi / (n + 1)
        g = np.array([node(j, n)[0] for j in range(1, n + 1)])
        total = float(math.pi / (n + 1) * np.sum(g * np.sin(phis) ** 2))
        if prev is not None and abs(total - prev) <= CHEBYSHEV_RTOL * abs(total) or n >= 1023:
            m_eq = np.array([node(j, n)[1] for j in range(1, n + 1)])
            return total, phis, m_eq, g
        prev, n = total, 2 * n + 1


class LiquidHarmonicError(ValueError):
    """A liquid whose exact relaxation is too slow for the adiabatic solution (ωτ above
    :data:`FP_ADIABATIC_OMEGA_TAU` with Brownian rotation in parallel): the harmonic balance has no rotational
    channel. :func:`atomspin.sar.heating.particle_sar` (model "auto") then falls back to the master equation or
    stochastic LLG."""


def fokker_planck_sar(particle, f, H0, medium=None, axes="random", n_orientations=24, method="auto", l_max=None):
    """SAR of a macrospin from Brown's Fokker–Planck equation: exact for any landscape, barrier and field.

    For each field direction of the orientation quadrature the periodic steady state of the Fokker–Planck
    equation under H0 cos ωt is found either exactly (``method="harmonic"``: harmonic balance,
    :func:`ac_response`) or to first order in ωτ (``method="adiabatic"``: W = W_eq(H(t)) + lag, the lag from
    the generator at the instantaneous field, so the field-dependent relaxation — a field that lowers the
    barrier speeds it — is exact; loss A = μ0 (μ0Ms²V/k_BT) ∮ τ_eff(H) var(û·ĥ)|_H Ḣ² dt). ``"auto"``:
    adiabatic where ωτ_int ≤ :data:`FP_ADIABATIC_OMEGA_TAU` (τ_int the zero-field integral relaxation time),
    else harmonic. The particle is immobilised; in a liquid the Brownian rotation is added as a parallel
    channel, 1/τ = 1/τ_eff(H) + 1/τ_B with the zero-field τ_B (adiabatic only; exact when one channel
    dominates).

    Returns a :class:`atomspin.sar.HeatingResult` (method "fokker_planck"; deterministic: error 0).
    """
    from atomspin.units import MU_0
    from atomspin.validation import check_choice

    from ._common import check_drive
    from .heating import _medium, _result, _thermal, orientations

    particle = _thermal(particle)
    f, H0 = check_drive(f, H0, True)
    medium = _medium(medium)
    check_choice("method", method, ("auto", "adiabatic", "harmonic"))
    xi0 = MU_0 * particle.Ms_A_per_m * H0 * particle.volume_m3 / particle.kT_J
    op = brown_operator(particle, xi0, l_max)
    dirs, wts = orientations(particle, axes, n_orientations)
    tauB = medium.brown_time_s(particle)
    omega = 2.0 * math.pi * f
    Ms = particle.Ms_A_per_m
    area, taus, used = 0.0, [], set()
    n_draw = 64  # the loop drawn: 2 × 64 phases, H = H0 cos φ
    ph_half = (np.arange(n_draw) + 0.5) * math.pi / n_draw
    ph = np.concatenate([ph_half, 2.0 * math.pi - ph_half[::-1]])
    M = np.zeros(len(ph))
    dxi = MU_0 * Ms * particle.volume_m3 / particle.kT_J * H0 * omega  # |dξ/dt| / sin φ
    for d, wi in zip(dirs, wts):
        tau0 = _lag(op, 0.0, d)[0] * 2.0 * op.tau_D_s
        taus.append(tau0)
        m_ = method
        if m_ == "auto":
            # the relaxation the drive sees: Néel (exact, slowest mode along d) and Brownian rotation in parallel
            tau_c = tau0 if math.isinf(tauB) or tau0 <= 0.0 else 1.0 / (1.0 / tau0 + 1.0 / tauB)
            m_ = "adiabatic" if omega * tau_c <= FP_ADIABATIC_OMEGA_TAU else "harmonic"
        if m_ == "harmonic" and not medium.immobilised:
            raise LiquidHarmonicError(
                f"method: the harmonic balance is for immobilised particles (here ωτ = {omega * tau0:.3g} with the "
                f"exact Néel time, above the adiabatic limit {FP_ADIABATIC_OMEGA_TAU:g} also with Brownian rotation "
                "in parallel); in a liquid use method='adiabatic' (ωτ small), the master equation or stochastic LLG "
                "(particle_sar's model='auto' falls back to them)")
        used.add(m_)
        if m_ == "adiabatic":
            # ∮ G(ξ(t)) Ḣ² dt = 2 H0² ω ∫₀^π G(ξ0 cos φ) sin²φ dφ (Gauss–Chebyshev, second kind, nested)
            G, phis, m_eq, tc = _adiabatic_loss(op, d, xi0, tauB, 2.0 * op.tau_D_s)
            a = MU_0 * MU_0 * Ms * Ms * particle.volume_m3 / particle.kT_J * 2.0 * H0 * H0 * omega * G
            m_d = np.interp(ph_half, phis, m_eq)
            lag = np.interp(ph_half, phis, tc) * dxi * np.sin(ph_half)
            M += wi * np.concatenate([m_d + lag, (m_d - lag)[::-1]])
        else:
            mk, _ = ac_response(op, d, xi0, omega * op.tau_D_s)
            a = -2.0 * math.pi * MU_0 * Ms * H0 * mk[1].imag
            M += wi * (mk[0].real + 2.0 * np.real(np.exp(1j * np.outer(ph, np.arange(1, len(mk)))) @ mk[1:]))
        area += wi * a
    return _result(f, H0, H0 * np.cos(ph), M, area, 0.0, np.array([area]), "fokker_planck", particle,
                   {"l_max": op.l_max, "xi": xi0, "tau_N_s": float(np.average(taus, weights=wts)),
                    "tau_B_s": tauB, "solution": "+".join(sorted(used)),
                    "energy_range_kT": op.energy_range_kT})
