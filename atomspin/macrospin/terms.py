"""Energy-density terms e(n̂) in J/m³ of a macrospin (each a polynomial in the components of n̂)."""
from __future__ import annotations

from itertools import combinations_with_replacement

import numpy as np

from atomspin.macrospin._sphere import _rotation_matrix, _unit, fibonacci_sphere
from atomspin.units import MU_0
from atomspin.validation import check_array, check_direction, check_int, check_positive, check_real


class Term:
    """One polynomial energy-density term e(n̂) (J/m³); subclasses give e, ∇e and ∇²e in a body frame."""

    #: True when e(−n̂) = e(n̂) (anisotropy); False for Zeeman-like odd terms
    even = True
    #: polynomial degree in the components of n̂
    degree = 2

    def energy(self, n):
        """e(n̂) in J/m³, shape (...)."""
        raise NotImplementedError

    def grad(self, n):
        """Euclidean gradient ∂e/∂n of the polynomial, (..., 3), J/m³."""
        raise NotImplementedError

    def hess(self, n):
        """Euclidean Hessian ∂²e/∂n², (..., 3, 3), J/m³."""
        raise NotImplementedError

    def rotated(self, R):
        """The same term carried by a particle rotated by the rotation matrix R (lab = R · body)."""
        raise NotImplementedError

    def scale(self):
        """A typical magnitude of the term (J/m³), for tolerances."""
        raise NotImplementedError


class CubicAnisotropy(Term):
    """Cubic magnetocrystalline anisotropy, e = K1(a²b²+b²c²+c²a²) + K2 a²b²c² in J/m³.

    Parameters
    ----------
    K1_J_per_m3, K2_J_per_m3 : float
        First and second cubic constants, J/m³ (magnetite at 300 K: K1 ≈ −1.1e4 … −1.35e4 J/m³,
        Bickford, Phys. Rev. 78, 449 (1950)).
    axes : (3, 3) rotation matrix, optional
        Rows are the cubic crystal axes in the lab frame (default: x, y, z).
    """

    def __init__(self, K1_J_per_m3, K2_J_per_m3=0.0, axes=None):
        self.K1 = check_real("K1_J_per_m3", K1_J_per_m3)
        self.K2 = check_real("K2_J_per_m3", K2_J_per_m3)
        self.axes = np.eye(3) if axes is None else _rotation_matrix(axes, "axes")
        self.degree = 6 if self.K2 != 0 else 4

    def __repr__(self):
        return f"CubicAnisotropy(K1={self.K1:g}, K2={self.K2:g} J/m³)"

    def energy(self, n):
        u = n @ self.axes.T
        a2, b2, c2 = u[..., 0] ** 2, u[..., 1] ** 2, u[..., 2] ** 2
        return self.K1 * (a2 * b2 + b2 * c2 + c2 * a2) + self.K2 * a2 * b2 * c2

    def grad(self, n):
        u = n @ self.axes.T
        a, b, c = u[..., 0], u[..., 1], u[..., 2]
        a2, b2, c2 = a * a, b * b, c * c
        g = np.stack([2 * a * (self.K1 * (b2 + c2) + self.K2 * b2 * c2),
                      2 * b * (self.K1 * (a2 + c2) + self.K2 * a2 * c2),
                      2 * c * (self.K1 * (a2 + b2) + self.K2 * a2 * b2)], axis=-1)
        return g @ self.axes

    def hess(self, n):
        u = n @ self.axes.T
        a, b, c = u[..., 0], u[..., 1], u[..., 2]
        a2, b2, c2 = a * a, b * b, c * c
        K1, K2 = self.K1, self.K2
        h = np.empty(u.shape + (3,))
        h[..., 0, 0] = 2 * (K1 * (b2 + c2) + K2 * b2 * c2)
        h[..., 1, 1] = 2 * (K1 * (a2 + c2) + K2 * a2 * c2)
        h[..., 2, 2] = 2 * (K1 * (a2 + b2) + K2 * a2 * b2)
        h[..., 0, 1] = h[..., 1, 0] = 4 * a * b * (K1 + K2 * c2)
        h[..., 0, 2] = h[..., 2, 0] = 4 * a * c * (K1 + K2 * b2)
        h[..., 1, 2] = h[..., 2, 1] = 4 * b * c * (K1 + K2 * a2)
        return self.axes.T @ h @ self.axes

    def rotated(self, R):
        return CubicAnisotropy(self.K1, self.K2, self.axes @ _rotation_matrix(R).T)

    def scale(self):
        return abs(self.K1) + abs(self.K2) / 9.0


class UniaxialAnisotropy(Term):
    """Uniaxial anisotropy e = Ku(1 − (n̂·û)²) in J/m³ (Ku > 0: easy axis û; Ku < 0: easy plane).

    Parameters
    ----------
    Ku_J_per_m3 : float
        Uniaxial constant, J/m³.
    axis : 3-vector
        Anisotropy axis û (normalised here).
    """

    def __init__(self, Ku_J_per_m3, axis=(0.0, 0.0, 1.0)):
        self.Ku = check_real("Ku_J_per_m3", Ku_J_per_m3)
        self.axis = check_direction("axis", axis)

    def __repr__(self):
        return f"UniaxialAnisotropy(Ku={self.Ku:g} J/m³, axis={np.round(self.axis, 4).tolist()})"

    def energy(self, n):
        return self.Ku * (1.0 - (n @ self.axis) ** 2)

    def grad(self, n):
        return -2.0 * self.Ku * (n @ self.axis)[..., None] * self.axis

    def hess(self, n):
        h = -2.0 * self.Ku * np.outer(self.axis, self.axis)
        return np.broadcast_to(h, np.shape(n)[:-1] + (3, 3)).copy()

    def rotated(self, R):
        return UniaxialAnisotropy(self.Ku, _rotation_matrix(R) @ self.axis)

    def scale(self):
        return abs(self.Ku)


class QuadraticAnisotropy(Term):
    """General second-order anisotropy e = n̂ᵀQn̂ in J/m³ (Q symmetric, e.g. a shape term)."""

    def __init__(self, matrix_J_per_m3):
        q = np.asarray(matrix_J_per_m3, dtype=np.float64)
        if q.shape != (3, 3) or not np.all(np.isfinite(q)):
            raise ValueError(f"matrix_J_per_m3: expected a finite 3×3 matrix (J/m³), got shape {q.shape}")
        if not np.allclose(q, q.T, rtol=1e-10, atol=1e-12 * max(1.0, np.abs(q).max())):
            raise ValueError("matrix_J_per_m3: must be symmetric")
        self.Q = 0.5 * (q + q.T)

    def __repr__(self):
        return f"QuadraticAnisotropy(eigenvalues={np.round(np.linalg.eigvalsh(self.Q), 6).tolist()} J/m³)"

    def energy(self, n):
        return np.einsum("...i,ij,...j->...", n, self.Q, n)

    def grad(self, n):
        return 2.0 * n @ self.Q

    def hess(self, n):
        return np.broadcast_to(2.0 * self.Q, np.shape(n)[:-1] + (3, 3)).copy()

    def rotated(self, R):
        R = _rotation_matrix(R)
        return QuadraticAnisotropy(R @ self.Q @ R.T)

    def scale(self):
        w = np.linalg.eigvalsh(self.Q)
        return float(w.max() - w.min())


def shape_anisotropy(N, Ms_A_per_m):
    """Magnetostatic (shape) anisotropy of a uniformly magnetised body: e = ½ μ0 Ms² n̂ᵀNn̂ (J/m³).

    Parameters
    ----------
    N : (3, 3) or (3,) demagnetising tensor (or its diagonal), trace 1 in SI
    Ms_A_per_m : float, saturation magnetisation in A/m
    """
    Ms = check_positive("Ms_A_per_m", Ms_A_per_m)
    N = np.asarray(N, dtype=np.float64)
    if N.shape == (3,):
        N = np.diag(N)
    if N.shape != (3, 3) or not np.all(np.isfinite(N)):
        raise ValueError(f"N: expected a finite 3×3 demagnetising tensor or its diagonal, got shape {N.shape}")
    return QuadraticAnisotropy(0.5 * MU_0 * Ms * Ms * N)


class Zeeman(Term):
    """Zeeman energy density e = −μ0 Ms H·n̂ (J/m³), H in A/m, Ms in A/m."""

    even = False
    degree = 1

    def __init__(self, H_A_per_m, Ms_A_per_m):
        self.H = check_array("H_A_per_m", H_A_per_m)
        if self.H.shape != (3,):
            raise ValueError(f"H_A_per_m: expected a 3-vector in A/m, got shape {self.H.shape}")
        self.Ms = check_positive("Ms_A_per_m", Ms_A_per_m)
        self._c = MU_0 * self.Ms * self.H

    def __repr__(self):
        return f"Zeeman(H={self.H.tolist()} A/m, Ms={self.Ms:g} A/m)"

    def energy(self, n):
        return -(n @ self._c)

    def grad(self, n):
        return np.broadcast_to(-self._c, np.shape(n)).copy()

    def hess(self, n):
        return np.zeros(np.shape(n)[:-1] + (3, 3))

    def rotated(self, R):  # the applied field is fixed in the lab
        return self

    def scale(self):
        return float(np.linalg.norm(self._c))


def _monomial_exponents(degree):
    """Exponents (m, 3) of all monomials x^a y^b z^c with a + b + c = degree."""
    out = []
    for combo in combinations_with_replacement(range(3), degree):
        e = [0, 0, 0]
        for k in combo:
            e[k] += 1
        out.append(e)
    return np.array(out, dtype=np.int64).reshape(-1, 3)


class HarmonicExpansion(Term):
    """A smooth surface as a sum of monomials restricted to the sphere: e(n̂) = Σ_k c_k x^{a_k} y^{b_k} z^{c_k}.

    Homogeneous polynomials of degree L restricted to the sphere are linearly independent and span the real
    spherical harmonics of degrees L, L−2, …; the even part uses degree ``degree`` and, when ``odd`` parts are
    present, degree ``degree − 1`` — together every real spherical harmonic up to ``degree``.

    Parameters
    ----------
    exponents : (m, 3) int
    coefficients : (m,) float, J/m³
    """

    def __init__(self, exponents, coefficients):
        e = np.asarray(exponents, dtype=np.int64)
        c = check_array("coefficients", coefficients)
        if e.ndim != 2 or e.shape[1] != 3 or e.shape[0] != c.shape[0] or np.any(e < 0):
            raise ValueError("exponents: expected (m, 3) non-negative integers matching coefficients (m,)")
        self.exponents, self.coefficients = e, c
        self.even = bool(np.all(e.sum(axis=1) % 2 == 0))
        self.degree = int(e.sum(axis=1).max(initial=0))
        self._R = np.eye(3)

    def __repr__(self):
        return f"HarmonicExpansion(degree={int(self.exponents.sum(axis=1).max(initial=0))}, terms={len(self.coefficients)})"

    @staticmethod
    def basis_exponents(degree, parity="even"):
        """Monomial exponents spanning the harmonics up to ``degree`` of the given parity ('even', 'odd', 'all')."""
        degree = check_int("degree", degree, 0, 20)
        if parity not in ("even", "odd", "all"):
            raise ValueError(f"parity: {parity!r} is not one of 'even', 'odd', 'all'")
        parts = []
        top_even = degree - degree % 2
        top_odd = degree - 1 + degree % 2
        if parity in ("even", "all"):
            parts.append(_monomial_exponents(top_even))
        if parity in ("odd", "all") and top_odd >= 1:
            parts.append(_monomial_exponents(top_odd))
        return np.concatenate(parts, axis=0)

    @staticmethod
    def _design(n, exps):
        return np.prod(n[..., None, :] ** exps, axis=-1)

    @classmethod
    def fit(cls, directions, values_J_per_m3, errors=None, degree=6, parity="even", smoothing=None):
        """Least-squares fit to tabulated values.

        Parameters
        ----------
        directions : (n, 3) directions (normalised here)
        values_J_per_m3 : (n,) energy densities, J/m³
        errors : (n,) one-σ errors (J/m³), optional: weights 1/σ²
        degree : int, highest spherical-harmonic degree
        parity : 'even' (anisotropy: e(−n̂) = e(n̂); each direction also informs its antipode), 'odd', 'all'
        smoothing : float ≥ 0, optional
            Tikhonov weight on the mean squared surface gradient (J/m³)²-scaled; default: 1e-8 relative,
            raised automatically when there are fewer directions than basis functions.

        Returns
        -------
        (HarmonicExpansion, residuals (n,) J/m³, chi2_per_dof or nan)
        """
        n = _unit(check_array("directions", directions, ndim=2), "directions")
        v = check_array("values_J_per_m3", values_J_per_m3, ndim=1)
        if n.shape[0] != v.shape[0]:
            raise ValueError(f"values_J_per_m3: {v.shape[0]} values for {n.shape[0]} directions")
        w = np.ones_like(v)
        if errors is not None:
            s = check_array("errors", errors, positive=True, ndim=1)
            if s.shape != v.shape:
                raise ValueError("errors: must have one value per direction")
            w = 1.0 / s
        exps = cls.basis_exponents(degree, parity)
        A = cls._design(n, exps) * w[:, None]
        b = v * w
        m = exps.shape[0]
        # smoothing: ∫|∇_s e|² over the sphere, by quadrature on a fine quasi-uniform grid
        q = fibonacci_sphere(2000)
        G = _tangential_design_gradients(q, exps)  # (nq, m, 3)
        L = np.einsum("qmi,qki->mk", G, G) / len(q)
        scale = np.trace(A.T @ A) / max(np.trace(L), 1e-300)
        lam = (1e-8 if smoothing is None else check_real("smoothing", smoothing, 0.0)) * scale
        if smoothing is None and n.shape[0] < m:
            lam = 1e-3 * scale
        coef = np.linalg.solve(A.T @ A + lam * L + 1e-14 * scale * np.eye(m), A.T @ b)
        term = cls(exps, coef)
        resid = v - term.energy(n)
        dof = n.shape[0] - m
        chi2 = float(np.sum((resid * w) ** 2) / dof) if (errors is not None and dof > 0) else float("nan")
        return term, resid, chi2

    def _body(self, n):
        return n @ self._R

    def energy(self, n):
        return self._design(self._body(n), self.exponents) @ self.coefficients

    def grad(self, n):
        u = self._body(n)
        g = np.zeros(u.shape)
        for k in range(3):
            ek = self.exponents[:, k]
            dexp = self.exponents.copy()
            dexp[:, k] = np.maximum(ek - 1, 0)
            g[..., k] = self._design(u, dexp) @ (self.coefficients * ek)
        return g @ self._R.T

    def hess(self, n):
        u = self._body(n)
        h = np.zeros(u.shape + (3,))
        for k in range(3):
            for j in range(k, 3):
                dexp = self.exponents.copy()
                fac = self.exponents[:, k].astype(np.float64)
                dexp[:, k] = np.maximum(dexp[:, k] - 1, 0)
                fac = fac * dexp[:, j] if j != k else fac * (self.exponents[:, k] - 1).clip(0)
                dexp[:, j] = np.maximum(dexp[:, j] - 1, 0)
                h[..., k, j] = self._design(u, dexp) @ (self.coefficients * fac)
                h[..., j, k] = h[..., k, j]
        return self._R @ h @ self._R.T

    def rotated(self, R):
        out = HarmonicExpansion(self.exponents, self.coefficients)
        out._R = _rotation_matrix(R) @ self._R
        return out

    def scale(self):
        e = self.energy(fibonacci_sphere(500))
        return float(np.ptp(e))


def _tangential_design_gradients(n, exps):
    """Tangential gradients of every basis monomial at directions n: (len(n), m, 3)."""
    g = np.zeros((n.shape[0], exps.shape[0], 3))
    for k in range(3):
        dexp = exps.copy()
        dexp[:, k] = np.maximum(exps[:, k] - 1, 0)
        g[:, :, k] = HarmonicExpansion._design(n, dexp) * exps[:, k]
    radial = np.einsum("qmi,qi->qm", g, n)
    return g - radial[..., None] * n[:, None, :]
