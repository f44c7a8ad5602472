"""Energy surfaces of a single-domain particle (a macrospin): e(n̂) in J/m³ on the unit sphere.

One owner for the macrospin energy landscape used by measurements (the fitted free-energy surface of an
atomistic particle, Stoner–Wohlfarth reference loops) and by the SAR models (escape rates over saddles,
Langevin dynamics). Like :mod:`atomspin.units` it imports only numpy/scipy and is importable from every layer.

Conventions
-----------
* ``n`` is the unit direction of the particle moment; arrays of directions have shape (..., 3).
* Energies are **densities in J/m³** (multiply by the magnetic volume V for J). Fields are H in A/m,
  magnetisations in A/m; the Zeeman density is −μ0 Ms H·n̂.
* Every term is a polynomial in the Cartesian components of n̂, so its Euclidean gradient and Hessian are
  exact. :meth:`EnergySurface.gradient` is the tangential gradient (J/m³ per radian) and
  :meth:`EnergySurface.hessian` the intrinsic (Riemannian) Hessian of e on the sphere in the orthonormal
  tangent basis :meth:`EnergySurface.tangent_basis` (J/m³ per rad²):
  H_R = Tᵀ∇²e T − (n̂·∇e) 1 (Absil, Mahony & Trumbull, *Optimization Algorithms on Matrix Manifolds*, 2008,
  §5.5), independent of how e is extended off the sphere.

Terms
-----
==========================  =========================================================================
:class:`CubicAnisotropy`    e = K1(a²b² + b²c² + c²a²) + K2 a²b²c² (a, b, c: direction cosines on the rows of
                            ``axes``). K1 < 0: ⟨111⟩ easy, barrier over ⟨110⟩ = −K1/12 − K2/27 (magnetite at
                            room temperature); K1 > 0: ⟨100⟩ easy, barrier K1/4.
:class:`UniaxialAnisotropy` e = Ku(1 − (n̂·û)²): Ku > 0 easy axis û, barrier Ku.
:class:`QuadraticAnisotropy` e = n̂ᵀQn̂ (Q symmetric); :func:`shape_anisotropy` gives ½μ0Ms² n̂ᵀNn̂.
:class:`Zeeman`             e = −μ0 Ms H·n̂.
:class:`HarmonicExpansion`  a smooth tabulated surface: homogeneous polynomials restricted to the sphere,
                            i.e. real spherical harmonics up to ``degree`` (fitted to data by :meth:`fit`).
==========================  =========================================================================

:func:`critical_points` finds all minima, first-order saddles and maxima of a surface (dense quasi-uniform
grid, discrete Morse classification of every grid point by the sign changes of e around it, Newton refinement
on the sphere, classification by the Hessian) and which two minima each saddle joins (steepest descent along
the unstable direction). :func:`barriers` gives each minimum's lowest escape barrier.
:func:`stoner_wohlfarth_loop` is the T = 0 quasi-static loop: the moment follows its local minimum, and a
state left at a maximum or saddle by symmetry (zero torque but unstable) is pushed off along its unstable
direction, as any physical perturbation would.
"""
from __future__ import annotations

from atomspin.macrospin._sphere import fibonacci_sphere, tangent_basis
from atomspin.macrospin.critical import (CriticalPoints, SWLoopResult, barriers, critical_points, local_minimum,
                                         stoner_wohlfarth_loop)
from atomspin.macrospin.surface import EnergySurface
from atomspin.macrospin.terms import (CubicAnisotropy, HarmonicExpansion, QuadraticAnisotropy, Term,
                                      UniaxialAnisotropy, Zeeman, shape_anisotropy)

__all__ = ["Term", "CubicAnisotropy", "UniaxialAnisotropy", "QuadraticAnisotropy", "Zeeman", "HarmonicExpansion",
           "shape_anisotropy", "EnergySurface", "CriticalPoints", "critical_points", "barriers",
           "local_minimum", "stoner_wohlfarth_loop", "SWLoopResult", "fibonacci_sphere", "tangent_basis"]
