"""Escape rates between the minima of a macrospin energy landscape (Langer/Brown theory), and relaxation times.

Rate out of minimum i over a first-order saddle s (energy densities e in J/m³, particle volume V, βV = V/k_BT):

    Γ_{i→s} = κ(σ) · λ₊ · (Z_s^⊥ / Z_i) / √(2π βV |c_u|) · e^{−σ},          σ = βV (e_s − e_i)

* Z_i = 2π / (βV √(c₁c₂)): Gaussian well, c₁, c₂ the Hessian eigenvalues of e at the minimum.
* λ₊ = (A/2)[−α(c_u + c_s) + √(α²(c_u − c_s)² − 4 c_u c_s)], A = γ/(Ms(1 + α²)): the growth rate of the
  linearised Landau–Lifshitz–Gilbert motion at the saddle (c_u < 0 ≤ c_s its curvatures). This is the
  damping-dependent prefactor of Langer's theory for a magnetic moment in the intermediate-to-high damping
  (IHD) regime: Langer, Ann. Phys. 54, 258 (1969); Brown, IEEE Trans. Magn. 15, 1196 (1979); Coffey &
  Kalmykov, *The Langevin Equation* (World Scientific), chapter on magnetic relaxation, and J. Appl. Phys.
  112, 121301 (2012). There is no attempt time τ0: the prefactor follows from α, γ, Ms and the curvatures.
* Z_s^⊥ = 2πR e^{−x} I₀(x), x = βV c_s R²: the Boltzmann integral along the ridge through the saddle, taken
  as a circle of radius R = min |n̂_s × n̂_{i,j}|. For x ≫ 1 it is the Gaussian √(2π/(βV c_s)) of Langer's
  formula; for c_s → 0 (a uniaxial particle with the field along its axis: a ring of saddles) it is the ring
  length 2πR, and the rate becomes Brown's axially symmetric one, Γ = (1/2τ_D) sinθ_m √(βV|c_u|/2π) βV c_well
  e^{−σ} (uniaxial, zero field: Γ = σ^{3/2} e^{−σ}/(√π τ_D)). The Bessel form bridges the two (the same
  structure as the crossover formulas of Garanin, Kennedy, Crothers & Coffey, PRE 60, 6499 (1999)).
* κ: the finite-barrier correction. For a ring of saddles (axial symmetry) κ_ring(σ) = τ_asymptote/τ_exact, the
  exact axially symmetric result of Brown's Fokker–Planck equation (Legendre solution, tabulated; for σ ≫ 1 it
  is Brown's corrected asymptote 1 − 1/σ, Coffey et al., PRE 49, 1869 (1994): the bare asymptote is 14 % short
  of the exact relaxation time at σ = 8); for an isolated saddle κ = 1/(1 + 1/(2σ)), the leading
  non-Gaussian correction of the well population (the part that stays when the ring geometry is absent);
  between the two the weight q = 1 − e^{−x} I₀(x) of the isolated form (q → 0 for a ring, → 1 for x ≫ 1;
  analytic in the field, so that the linear response stays linear). The same weight blends Langer's λ₊
  (isolated saddle) with αA|c_u| (a ring, where precession along the ridge does not speed the escape):
  without it the precessional enhancement ∝ c_s/α² would make the rates of a nearly axial particle jump
  ∝ |H|. κ is evaluated at the geometric mean of the saddle's two barriers, so that both directions share it
  (detailed balance with the Gaussian well populations; in zero field both barriers are equal). Checked:
  escape rates of uniaxial and cubic (K1 < 0) particles against stochastic-LLG residence times over
  σ = 2–8 (tests, docs/validation.md); the uniaxial zero-field relaxation time is exact by construction.
* The rate is never below the free-diffusion bound e^{−σ}/(2τ_D), τ_D = (1 + α²) Ms V/(2αγk_BT): a barrier
  that a field lowers to ≲ 1 k_BT empties in a few τ_D, which is what this bound says.

Validity: barriers ≳ 4 k_BT at zero field (the crossover rule of :func:`atomspin.sar.sar_from_particle`:
the uniaxial relaxation time from these rates is within 5 % of the exact Fokker–Planck one for σ ≥ 4, tests),
and α in the IHD range (αS ≳ 1, S the action of the saddle orbit in units of k_BT; for α ≥ 0.1 and
σ ≥ 4 this holds). :func:`relaxation_time` uses the exact Fokker–Planck result for uniaxial particles.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from atomspin.units import GAMMA_E, K_B, MU_0
from atomspin.validation import check_choice, check_int, check_seed, check_vector

from ._landscape import KMAX, SMAX, find_critical
from .particle import Particle

SIGMA_CROSSOVER = 4.0
"""Lowest zero-field barrier (in k_BT) for which the escape-rate (master-equation) model is used; below it
linear response, the first-order (adiabatic) response or stochastic LLG of the same macrospin. Derived: the
Gaussian-well equilibrium of the master equation gives the low-field susceptibility of a uniaxial particle
within 4 % of the exact one at σ = 8 and 7 % at σ = 5.5 (worse below); with the analytic ring factor 1 − 1/σ
the uniaxial relaxation time would be within 5 % only for σ ≥ 4 (21 % off at 3)."""


@njit(cache=True)
def i0e(x):
    """e^{−x} I₀(x) for x ≥ 0 (Abramowitz & Stegun 9.8.1–9.8.2, relative error < 2e-7)."""
    if x < 3.75:
        t = (x / 3.75) ** 2
        i0 = 1.0 + t * (3.5156229 + t * (3.0899424 + t * (1.2067492 + t * (0.2659732 + t * (0.0360768 + t * 0.0045813)))))
        return i0 * math.exp(-x)
    t = 3.75 / x
    p = (0.39894228 + t * (0.01328592 + t * (0.00225319 + t * (-0.00157565 + t * (0.00916281 + t * (
        -0.02057706 + t * (0.02635537 + t * (-0.01647633 + t * 0.00392377))))))))
    return p / math.sqrt(x)


_RING_SIGMA = np.array([0.25, 0.280505, 0.314731, 0.353134, 0.396223, 0.44457, 0.498816, 0.55968, 0.627972, 0.704596,
                        0.790569, 0.887033, 0.995268, 1.116709, 1.252968, 1.405853, 1.577393, 1.769864, 1.985821,
                        2.228127, 2.5, 2.805046, 3.147314, 3.531344, 3.962233, 4.445699, 4.988156, 5.596803, 6.279716,
                        7.045957, 7.905694, 8.870335, 9.952679, 11.16709, 12.529681, 14.058533, 15.773934, 17.698645,
                        19.858206, 22.281273, 25.0])
_RING_KAPPA = np.array([8.22414749, 7.04466931, 6.04718853, 5.20326187, 4.4889467, 3.88408952, 3.3717274, 2.93758458,
                        2.56964906, 2.2578167, 1.99359201, 1.76983669, 1.58055847, 1.4207337, 1.28615827, 1.17332226,
                        1.07930403, 1.00168022, 0.93844785, 0.88795532, 0.8488383, 0.81995692, 0.80033042, 0.78906639,
                        0.78528434, 0.78803881, 0.79625526, 0.80870082, 0.82401476, 0.84081039, 0.85782916, 0.87409263,
                        0.88898793, 0.90225424, 0.91389065, 0.9240392, 0.93289058, 0.94062978, 0.94741956, 0.95342255,
                        0.95834137])
"""κ_ring(σ) = τ_Brown,bare(σ)/τ_exact(σ) of the uniaxial particle in zero field, τ_exact = 1/λ₁ of
:func:`atomspin.sar.fokker_planck.uniaxial_relaxation_time` (tabulated; tests/test_sar_landscape.py regenerates
it); above σ = 25: 1 − 1/σ − 1.04/σ² (Brown's correction, matched at 25)."""


@njit(cache=True)
def kramers_factor(sigma, q):
    """κ = (1 − q) κ_ring(σ) + q/(1 + 1/(2σ)): the exact axially symmetric factor (q = 0) and the
    isolated-saddle well correction (q = 1)."""
    if sigma >= 25.0:
        ring = 1.0 - 1.0 / sigma - 1.04 / (sigma * sigma)
    elif sigma <= 0.25:
        ring = _RING_KAPPA[0]
    else:
        ring = np.interp(math.log(sigma), np.log(_RING_SIGMA), _RING_KAPPA)
    iso = 1.0 / (1.0 + 0.5 / max(sigma, 1e-300))
    return (1.0 - q) * ring + q * iso


@njit(cache=True)
def escape_rate(e_i, c1, c2, n_i, e_s, cu, cs, n_s, n_j, bV, A, alpha, tauD, sigma_k):
    """Rate (1/s) out of minimum i over saddle s (see the module docstring); κ is taken at ``sigma_k``."""
    sigma = bV * (e_s - e_i)
    if sigma < 0.0:
        sigma = 0.0
    floor = math.exp(-sigma) / (2.0 * tauD)
    if c1 <= 0.0 or c2 <= 0.0:
        return floor
    if cs < 0.0:
        cs = 0.0
    lam = 0.5 * A * (-alpha * (cu + cs) + math.sqrt(alpha * alpha * (cu - cs) ** 2 - 4.0 * cu * cs))
    ri = math.sqrt(max(1.0 - (n_s[0] * n_i[0] + n_s[1] * n_i[1] + n_s[2] * n_i[2]) ** 2, 0.0))
    rj = math.sqrt(max(1.0 - (n_s[0] * n_j[0] + n_s[1] * n_j[1] + n_s[2] * n_j[2]) ** 2, 0.0))
    R = min(ri, rj)
    x = bV * cs * R * R
    if R > 0.0:
        ridge = 2.0 * math.pi * R * i0e(x)
        q = 1.0 - i0e(x)
    else:
        ridge = math.sqrt(2.0 * math.pi / max(bV * cs, 1e-300))
        q = 1.0
    # Langer's precession-enhanced λ₊ applies to an isolated saddle; on a ring (q → 0) the motion across the
    # ridge is plain damped descent, λ = αA|c_u| (Brown's axially symmetric prefactor)
    lam = (1.0 - q) * alpha * A * abs(cu) + q * lam
    zwell = 2.0 * math.pi / (bV * math.sqrt(c1 * c2))
    rate = kramers_factor(sigma_k, q) * lam * ridge / zwell / math.sqrt(2.0 * math.pi * bV * abs(cu)) * math.exp(-sigma)
    return max(rate, floor)


@njit(cache=True)
def rate_matrix(nmin, mins, e_min, c_min, nsad, sads, e_sad, c_sad, pair, bV, A, alpha, tauD, W):
    """Generator W (nmin × nmin): W[j, i] = Σ_s Γ_{i→j via s} for i ≠ j, W[i, i] = −Σ_j W[j, i]."""
    for a in range(nmin):
        for b in range(nmin):
            W[a, b] = 0.0
    for s in range(nsad):
        i, j = pair[s, 0], pair[s, 1]
        if i < 0 or j < 0 or i == j:
            continue
        # κ at the geometric mean of the two barriers of the saddle: the same factor both ways keeps
        # detailed balance with the Gaussian well populations
        sk = math.sqrt(max(bV * (e_sad[s] - e_min[i]), 0.0) * max(bV * (e_sad[s] - e_min[j]), 0.0))
        W[j, i] += escape_rate(e_min[i], c_min[i, 0], c_min[i, 1], mins[i], e_sad[s], c_sad[s, 0], c_sad[s, 1],
                               sads[s], mins[j], bV, A, alpha, tauD, sk)
        W[i, j] += escape_rate(e_min[j], c_min[j, 0], c_min[j, 1], mins[j], e_sad[s], c_sad[s, 0], c_sad[s, 1],
                               sads[s], mins[i], bV, A, alpha, tauD, sk)
    for i in range(nmin):
        out = 0.0
        for j in range(nmin):
            if j != i:
                out += W[j, i]
        W[i, i] = -out


# ---------------------------------------------------------------------------------------------- Python side
class Landscape:
    """The anisotropy of a particle prepared for the kernels: polynomial, search grid, grid energies.

    Parameters
    ----------
    particle : Particle
    n_grid : int
        Quasi-uniform search grid (default 1000 directions, ≈ 6.4° apart; critical points closer than that are
        still found from the previous field's points when a field is followed).
    """

    _GRIDS = {}

    def __init__(self, particle, n_grid=1000, extra=None):
        from atomspin import macrospin

        if not isinstance(particle, Particle):
            raise ValueError(f"particle: a {type(particle).__name__} is not an atomspin.sar.Particle")
        self.particle = particle
        surface = anisotropy_surface(particle)
        if extra is not None:
            surface = surface + extra
        self.surface = surface
        exps, coefs = polynomial_of(surface)
        self.exps = np.ascontiguousarray(exps, dtype=np.int64)
        self.coefs = np.ascontiguousarray(coefs, dtype=np.float64)
        self.scale = float(surface.scale())
        self.grid, self.nb = self.search_grid(check_int("n_grid", n_grid, 200, 100000))
        self.e_grid = np.ascontiguousarray(surface.energy(self.grid))

    @classmethod
    def search_grid(cls, n):
        """Fibonacci grid of n directions and its 8 nearest neighbours sorted by angle around each point."""
        if n not in cls._GRIDS:
            from scipy.spatial import cKDTree

            from atomspin.macrospin import fibonacci_sphere, tangent_basis

            g = fibonacci_sphere(n)
            _, idx = cKDTree(g).query(g, k=9)
            nb = idx[:, 1:]
            t1, t2 = tangent_basis(g)
            d = g[nb] - g[:, None, :]
            ang = np.arctan2(np.sum(d * t2[:, None, :], -1), np.sum(d * t1[:, None, :], -1))
            nb = np.take_along_axis(nb, np.argsort(ang, axis=1), axis=1)
            cls._GRIDS[n] = (np.ascontiguousarray(g), np.ascontiguousarray(nb, dtype=np.int64))
        return cls._GRIDS[n]

    def critical(self, H_A_per_m, seeds=None):
        """Minima and saddles in the field H (A/m, particle frame): a :class:`CriticalTable`."""
        z = MU_0 * self.particle.Ms_A_per_m * np.asarray(H_A_per_m, dtype=float)
        t = CriticalTable.empty()
        sd = np.zeros((0, 3)) if seeds is None else np.ascontiguousarray(seeds, dtype=float)
        t.nmin, t.nsad = find_critical(self.exps, self.coefs, z, self.scale, self.grid, self.e_grid, self.nb,
                                       sd if len(sd) else np.zeros((1, 3)), len(sd), t.mins, t.e_min, t.c_min,
                                       t.sads, t.e_sad, t.c_sad, t.u_sad, t.pair, t.ring)
        return t


class CriticalTable:
    """Critical points of one landscape in one field (arrays sized KMAX/SMAX, the first nmin/nsad used)."""

    def __init__(self):
        self.nmin = self.nsad = 0

    @classmethod
    def empty(cls):
        t = cls()
        t.mins = np.zeros((KMAX, 3))
        t.e_min = np.zeros(KMAX)
        t.c_min = np.zeros((KMAX, 2))
        t.sads = np.zeros((SMAX, 3))
        t.e_sad = np.zeros(SMAX)
        t.c_sad = np.zeros((SMAX, 2))
        t.u_sad = np.zeros((SMAX, 3))
        t.pair = np.full((SMAX, 2), -1, dtype=np.int64)
        t.ring = np.zeros(SMAX, dtype=np.int64)
        return t

    @property
    def minima(self):
        return self.mins[:self.nmin]

    @property
    def saddles(self):
        return self.sads[:self.nsad]

    def rate_matrix(self, particle, volume_m3=None):
        """Generator W (1/s) of the master equation dp/dt = W p over the minima."""
        V = particle.volume_m3 if volume_m3 is None else volume_m3
        kT = K_B * particle.T_K
        A = GAMMA_E / (particle.Ms_A_per_m * (1.0 + particle.alpha**2))
        tauD = (1.0 + particle.alpha**2) * particle.Ms_A_per_m * V / (2.0 * particle.alpha * GAMMA_E * kT)
        W = np.zeros((self.nmin, self.nmin))
        rate_matrix(self.nmin, self.mins, self.e_min, self.c_min, self.nsad, self.sads, self.e_sad, self.c_sad,
                    self.pair, V / kT, A, particle.alpha, tauD, W)
        return W

    def barriers_J(self, volume_m3):
        """Lowest escape barrier of each minimum, J (inf for a minimum no saddle touches)."""
        out = np.full(self.nmin, np.inf)
        for s in range(self.nsad):
            for i in self.pair[s]:
                if i >= 0:
                    out[i] = min(out[i], (self.e_sad[s] - self.e_min[i]) * volume_m3)
        return out


def _uniaxial_polynomial(K, u):
    """K(1 − (n̂·û)²) = K(n̂·n̂) − K(û·n̂)² as degree-2 monomials (exact on the sphere)."""
    u = np.asarray(u, dtype=float)
    exps, coefs = [], []
    for a in range(3):
        for b in range(a, 3):
            e = [0, 0, 0]
            e[a] += 1
            e[b] += 1
            exps.append(e)
            coefs.append(-K * u[a] * u[b] * (1.0 if a == b else 2.0) + (K if a == b else 0.0))
    return np.array(exps, dtype=np.int64), np.array(coefs)


def polynomial_of(surface, particle=None):
    """(exponents, coefficients) of an anisotropy surface on the sphere, term by term.

    Uniaxial terms are written directly (exact); other terms through
    :meth:`atomspin.macrospin.EnergySurface.polynomial`, cached per term object (members of an ensemble that
    share the crystal landscape and differ by a shape term reuse it).
    """
    from atomspin import macrospin

    if surface is None:
        surface = anisotropy_surface(particle)
    parts = []
    for term in surface.terms:
        if isinstance(term, macrospin.Zeeman):
            continue
        if isinstance(term, macrospin.UniaxialAnisotropy):
            parts.append(_uniaxial_polynomial(term.Ku, term.axis))
            continue
        hit = _POLY_CACHE.get(id(term))
        if hit is None or hit[0] is not term:
            if len(_POLY_CACHE) > 256:
                _POLY_CACHE.clear()
            e, c = macrospin.EnergySurface([term]).polynomial()
            hit = _POLY_CACHE[id(term)] = (term, e, c)
        parts.append((hit[1], hit[2]))
    if not parts:
        return np.zeros((1, 3), dtype=np.int64), np.zeros(1)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


_POLY_CACHE = {}


def anisotropy_surface(particle):
    """The anisotropy EnergySurface of a particle (its landscape, or the uniaxial term of K and the axis)."""
    from atomspin import macrospin

    if particle.is_uniaxial:
        return macrospin.EnergySurface([macrospin.UniaxialAnisotropy(particle.K_uniaxial_J_per_m3,
                                                                      particle.easy_axis)])
    return particle.landscape


def check_landscape(particle, n_grid=1000):
    """Landscape of a particle with its zero-field critical points; ValueError for a surface without minima."""
    land = Landscape(particle, n_grid)
    t = land.critical(np.zeros(3))
    if t.nmin == 0:
        raise ValueError("landscape: the surface has no isolated minimum (flat or a ring of minima); "
                         "a macrospin without an easy direction has no Néel barrier")
    return land, t


def escape_rates(particle, H_A_per_m=(0.0, 0.0, 0.0)):
    """Minima, saddles and the rate matrix of a particle in a static field (particle frame).

    Returns
    -------
    dict with ``minima`` (k, 3), ``saddles`` (s, 3), ``saddle_minima`` (s, 2), ``barriers_J`` (k,),
    ``barrier_over_kT`` (k,), ``rates`` (k, k) with rates[j, i] = Γ_{i→j} in 1/s (diagonal: −Σ out),
    ``escape_rate`` (k,) = Σ_j Γ_{i→j}.
    """
    if not isinstance(particle, Particle):
        raise ValueError(f"particle: a {type(particle).__name__} is not an atomspin.sar.Particle")
    if particle.T_K <= 0:
        raise ValueError(f"T_K: {particle.T_K} is outside (0, 2000] (escape rates need k_BT > 0)")
    H = check_vector("H_A_per_m", H_A_per_m, allow_zero=True, unit="A/m")
    land, _ = check_landscape(particle)
    t = land.critical(H)
    W = t.rate_matrix(particle)
    b = t.barriers_J(particle.volume_m3)
    return {"minima": t.minima.copy(), "saddles": t.saddles.copy(), "saddle_minima": t.pair[:t.nsad].copy(),
            "barriers_J": b, "barrier_over_kT": b / (K_B * particle.T_K), "rates": W,
            "escape_rate": -np.diag(W).copy()}


def rates_relaxation_time(particle):
    """1/λ of the slowest non-zero mode of the zero-field master equation over the minima, s."""
    W = escape_rates(particle)["rates"]
    lam = np.sort(-np.linalg.eigvals(W).real)
    if lam.size < 2:
        return np.inf
    return 1.0 / lam[1]


_TAU_CACHE = {}
_KEY_DIRECTIONS = None


def relaxation_time(particle, method="auto", seed=0, n_particles=400):
    """Zero-field Néel relaxation time of a particle, s (the particle cannot rotate); with its statistical error:
    :func:`relaxation_time_and_error`.

    Parameters
    ----------
    particle : Particle
    method : {"auto", "fokker_planck", "rates", "llg"}
        ``"fokker_planck"``: exact (uniaxial particles, σ = KV/k_BT ≤ 25): 1/λ₁ of Brown's Fokker–Planck
        equation (:mod:`atomspin.sar.fokker_planck`). ``"rates"``: slowest mode of the master equation with the
        Langer/Brown escape rates (any landscape; valid for barriers ≳ 4 k_BT). ``"llg"``: stochastic LLG of
        the same macrospin (any barrier; a statistical estimate, seeded). ``"auto"``: Fokker–Planck for a
        uniaxial particle with σ ≤ 25, else the rates where the lowest barrier is ≥ 4 k_BT, else LLG.
    seed, n_particles : for ``"llg"``.
    """
    return relaxation_time_and_error(particle, method, seed, n_particles)[0]


def relaxation_time_and_error(particle, method="auto", seed=0, n_particles=400):
    """(τ, σ_τ) in s: :func:`relaxation_time` (same arguments) and its statistical error — the batch-means error of
    the seeded stochastic-LLG estimate (:func:`atomspin.sar.macrospin_llg.llg_relaxation_time`); 0 for the
    deterministic methods ("fokker_planck", "rates"), whose error is that of the landscape, propagated by the
    caller."""
    from .fokker_planck import debye_time, uniaxial_relaxation_time

    if not isinstance(particle, Particle):
        raise ValueError(f"particle: a {type(particle).__name__} is not an atomspin.sar.Particle")
    check_choice("method", method, ("auto", "fokker_planck", "rates", "llg"))
    if particle.T_K <= 0:
        raise ValueError(f"T_K: {particle.T_K} is outside (0, 2000] (relaxation needs k_BT > 0)")
    seed = check_seed(seed)
    tauD = debye_time(particle.Ms_A_per_m, particle.volume_m3, particle.T_K, particle.alpha)
    if method == "auto":
        if particle.is_uniaxial and particle.K_uniaxial_J_per_m3 * particle.volume_m3 / particle.kT_J <= 25.0:
            method = "fokker_planck"
        else:
            _, t = check_landscape(particle)
            sig = np.min(t.barriers_J(particle.volume_m3)) / particle.kT_J
            method = "rates" if sig >= SIGMA_CROSSOVER else "llg"
    if method == "fokker_planck":
        if not particle.is_uniaxial:
            raise ValueError("method: 'fokker_planck' is implemented for uniaxial particles; use 'rates' or 'llg'")
        sigma = particle.K_uniaxial_J_per_m3 * particle.volume_m3 / particle.kT_J
        if sigma > 25.0:
            raise ValueError(f"method: 'fokker_planck' needs σ = KV/k_BT ≤ 25 (here {sigma:.3g}); use 'rates'")
        return tauD * uniaxial_relaxation_time(sigma), 0.0
    if method == "rates":
        return rates_relaxation_time(particle), 0.0
    from .macrospin_llg import llg_relaxation_time

    key = _tau_key(particle, seed, n_particles)
    hit = _TAU_CACHE.get(key)
    if hit is not None:
        return hit
    tau, err = llg_relaxation_time(particle, seed=seed, n_particles=n_particles)
    if len(_TAU_CACHE) > 256:
        _TAU_CACHE.clear()
    _TAU_CACHE[key] = (float(tau), float(err))
    return _TAU_CACHE[key]


def _tau_key(particle, seed, n_particles):
    """What the seeded LLG relaxation time depends on: Ms, V, T, α and the anisotropy surface (its energy at 64
    fixed directions, which fixes a polynomial surface of degree ≤ 6 uniquely), so that equal particles built
    separately (the same landscape for two media, a copy scaled by 1) share one LLG run."""
    from atomspin.macrospin import fibonacci_sphere

    global _KEY_DIRECTIONS
    if _KEY_DIRECTIONS is None:
        _KEY_DIRECTIONS = fibonacci_sphere(64)
    e = np.asarray(anisotropy_surface(particle).energy(_KEY_DIRECTIONS), dtype=float)
    return (float(particle.Ms_A_per_m), float(particle.volume_m3), float(particle.T_K), float(particle.alpha),
            e.tobytes(), int(seed), int(n_particles))
