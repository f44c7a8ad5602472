"""EnergySurface: a sum of terms, with tangential gradient and Riemannian Hessian on the sphere."""
from __future__ import annotations

import numpy as np

from atomspin.macrospin._sphere import _unit, fibonacci_sphere, tangent_basis
from atomspin.macrospin.terms import Term, Zeeman
from atomspin.units import MU_0
from atomspin.validation import check_positive


class EnergySurface:
    """A sum of :class:`Term` objects: the energy density e(n̂) of a macrospin, J/m³.

    Examples
    --------
    >>> s = EnergySurface([CubicAnisotropy(-1.1e4, -0.28e4), UniaxialAnisotropy(5e3, (0, 0, 1))])
    >>> cp = critical_points(s); barriers(cp)   # J/m³, one per minimum
    """

    def __init__(self, terms=()):
        if isinstance(terms, Term):
            terms = [terms]
        terms = list(terms)
        for t in terms:
            if not isinstance(t, Term):
                raise TypeError(f"terms: {t!r} is not an atomspin.macrospin term")
        self.terms = tuple(terms)

    def __repr__(self):
        return "EnergySurface(" + ", ".join(map(repr, self.terms)) + ")"

    def __add__(self, other):
        if isinstance(other, Term):
            return EnergySurface(self.terms + (other,))
        if isinstance(other, EnergySurface):
            return EnergySurface(self.terms + other.terms)
        return NotImplemented

    __radd__ = __add__

    @property
    def even(self):
        """True if e(−n̂) = e(n̂) (no Zeeman or other odd term)."""
        return all(t.even for t in self.terms)

    def anisotropy(self):
        """The surface without its Zeeman terms."""
        return EnergySurface([t for t in self.terms if not isinstance(t, Zeeman)])

    def with_field(self, H_A_per_m, Ms_A_per_m):
        """This surface's anisotropy plus the Zeeman term of field H (A/m) on magnetisation Ms (A/m)."""
        return EnergySurface(self.anisotropy().terms + (Zeeman(H_A_per_m, Ms_A_per_m),))

    def rotated(self, R):
        """The surface of the same particle rotated by R (anisotropy terms turn; an applied field does not)."""
        return EnergySurface([t.rotated(R) for t in self.terms])

    def scale(self):
        """Typical magnitude (J/m³) of the terms, for tolerances (≥ tiny)."""
        return max(sum(t.scale() for t in self.terms), 1e-300)

    # -- values
    def energy(self, n):
        """e(n̂), J/m³, shape (...)."""
        n = _unit(n)
        e = np.zeros(n.shape[:-1])
        for t in self.terms:
            e = e + t.energy(n)
        return e

    def euclidean_gradient(self, n):
        n = _unit(n)
        g = np.zeros(n.shape)
        for t in self.terms:
            g = g + t.grad(n)
        return g

    def euclidean_hessian(self, n):
        n = _unit(n)
        h = np.zeros(n.shape + (3,))
        for t in self.terms:
            h = h + t.hess(n)
        return h

    def gradient(self, n):
        """Tangential gradient (I − n̂n̂ᵀ)∇e, (..., 3), J/m³ per radian."""
        n = _unit(n)
        g = self.euclidean_gradient(n)
        return g - np.sum(g * n, axis=-1, keepdims=True) * n

    tangent_basis = staticmethod(tangent_basis)

    def hessian(self, n):
        """Riemannian Hessian in the basis :func:`tangent_basis` (t1, t2): (..., 2, 2), J/m³ per rad²."""
        n = _unit(n)
        t1, t2 = tangent_basis(n)
        T = np.stack([t1, t2], axis=-1)  # (..., 3, 2)
        H = self.euclidean_hessian(n)
        radial = np.sum(self.euclidean_gradient(n) * n, axis=-1)
        out = np.einsum("...ia,...ij,...jb->...ab", T, H, T)
        out[..., 0, 0] -= radial
        out[..., 1, 1] -= radial
        return out

    def polynomial(self):
        """The surface as one polynomial on the sphere, e(n̂) = Σ_k c_k x^{a_k} y^{b_k} z^{c_k}.

        For compiled (numba) dynamics: evaluate with the exponents and coefficients only. Exact on the
        sphere (a least-squares projection of every term onto the spanning monomials; residual ≲ 1e-12 of
        the surface scale).

        Returns
        -------
        exponents : (m, 3) int64
        coefficients : (m,) float64, J/m³
        """
        from atomspin.macrospin.terms import HarmonicExpansion

        deg = max([t.degree for t in self.terms] + [1])
        parity = "even" if self.even else "all"
        d = fibonacci_sphere(max(400, 4 * (deg + 1) ** 2))
        fit, resid, _ = HarmonicExpansion.fit(d, self.energy(d), degree=deg, parity=parity, smoothing=0.0)
        if np.max(np.abs(resid), initial=0.0) > 1e-9 * self.scale():
            raise RuntimeError("EnergySurface.polynomial: projection residual too large; a term's degree is wrong")
        return fit.exponents.copy(), fit.coefficients.copy()

    def effective_field(self, n, Ms_A_per_m):
        """H_eff = −(1/μ0Ms) ∂e/∂n̂ projected on the tangent plane, A/m."""
        return -self.gradient(n) / (MU_0 * check_positive("Ms_A_per_m", Ms_A_per_m))


