"""Slow, obvious reference implementations that the fast paths of atomspin are tested against (as stumpy's
tests/naive.py).

One function per reference; each says what it computes and by which plain method: written out from the papers
and the Hamiltonian of atomspin.model.core with Python integers, loops and full energy recomputations, never
from the code it checks. Where a path is stochastic the reference consumes the same random numbers.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.integrate import quad
from scipy.linalg import solve_banded
from scipy.special import gammaincinv, sici

from atomspin.units import K_B_MEV_PER_K, MU_B_MEV_PER_T

M64 = (1 << 64) - 1


# ---------------------------------------------------------------- imaging: MPI
def langevin_scalar(x):
    """L(x) = coth x − 1/x for one float (Taylor series below |x| = 1e-2)."""
    if abs(x) < 1e-2:
        return x / 3.0 - x**3 / 45.0 + 2.0 * x**5 / 945.0
    return 1.0 / math.tanh(x) - 1.0 / x


def langevin_derivative_scalar(x):
    """L'(x) = 1/x² − 1/sinh² x for one float (series below |x| = 1e-2, 0 beyond |x| = 300)."""
    if abs(x) < 1e-2:
        return 1.0 / 3.0 - x * x / 15.0 + 2.0 * x**4 / 189.0
    if abs(x) > 300.0:
        return 1.0 / (x * x)
    return 1.0 / (x * x) - 1.0 / math.sinh(x) ** 2


def langevin_harmonic(xi, n, xi_offset=0.0):
    """Amplitude of the n-th cosine harmonic of L(ξ_off + ξ cos θ): (2/π) ∫_0^π L(ξ_off + ξ cos θ) cos nθ dθ
    (the function is even in θ, so there is no sine part), by adaptive quadrature."""
    val, _ = quad(lambda th: langevin_scalar(xi_offset + xi * math.cos(th)) * math.cos(n * th), 0.0, math.pi,
                  limit=500, epsabs=1e-15, epsrel=1e-13)
    return 2.0 / math.pi * val


def langevin_psf_fwhm_xi():
    """FWHM of L'(ξ) in units of ξ: twice the root of L'(ξ) = 1/6, by bisection."""
    lo, hi = 1.0, 4.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if langevin_derivative_scalar(mid) > 1.0 / 6.0:
            lo = mid
        else:
            hi = mid
    return lo + hi


def debye_relaxed_psf(H, moment, k, a):
    """Equilibrium PSF m k L'(kH) convolved with the causal kernel e^{−u/a}/a at the field H (A/m):
    ∫_0^∞ m k L'(k(H − a s)) e^{−s} ds by adaptive quadrature."""
    val, _ = quad(lambda s: moment * k * langevin_derivative_scalar(k * (H - a * s)) * math.exp(-s),
                  0.0, np.inf, limit=1000, epsabs=0.0, epsrel=1e-12)
    return val


def debye_relaxed_harmonics(xi, omega_tau, n_max, xi_offset=0.0, n_theta=256):
    """Complex harmonics c_n (n = 0 … n_max) of the Debye-lagged response to L(ξ_off + ξ cos θ), θ = ωt.

    The lagged response in the periodic steady state is the periodic convolution
    m(θ) = ∫_0^∞ L(ξ_off + ξ cos(θ − φ)) e^{−φ/ωτ} dφ/ωτ = [∫_0^{2π} … dφ/ωτ] / (1 − e^{−2π/ωτ}),
    evaluated by quadrature at ``n_theta`` phases; c_n = (1/N) Σ_k m(θ_k) e^{−inθ_k} by a plain sum.
    """
    thetas = 2.0 * math.pi * np.arange(n_theta) / n_theta
    norm = 1.0 / (omega_tau * (1.0 - math.exp(-2.0 * math.pi / omega_tau)))
    m = []
    for th in thetas:
        val, _ = quad(lambda p: langevin_scalar(xi_offset + xi * math.cos(th - p)) * math.exp(-p / omega_tau),
                      0.0, 2.0 * math.pi, limit=500, epsabs=1e-15, epsrel=1e-13)
        m.append(val * norm)
    c = []
    for n in range(n_max + 1):
        s = sum(mk * complex(math.cos(n * th), -math.sin(n * th)) for mk, th in zip(m, thetas))
        c.append(s / n_theta)
    return np.array(c)


# ---------------------------------------------------------------- imaging: MRI
def motional_averaging_coefficient(n_grid=20000):
    """c in R2 = c f τ_D Δω² from the outer-sphere zero-frequency correlation integral, solved numerically.

    R2 = ∫_0^∞ ⟨ω(0) ω(t)⟩ dt = n ∫ ω ψ d³r with −D∇²ψ = ω outside a reflecting sphere (∂ψ/∂r = 0 at r = a),
    ω = Δω (a/r)³ (3cos²θ − 1) = 2Δω (a/r)³ P2(cos θ). With a = Δω = D = 1 and ψ = g(r) P2, u = 1/r:
    u² g'' − 6g = −2u on (0, 1], g(0) = 0, g'(1) = 0 (finite differences), and
    R2/f = (3/(4π)) (4π/5) ∫_0^1 2 g(u)/u du.
    """
    u = np.linspace(0.0, 1.0, n_grid + 1)
    h = u[1] - u[0]
    N = n_grid  # unknowns g_1 … g_N (g_0 = 0); tridiagonal system in banded storage
    c = u[1:] ** 2 / h**2
    ab = np.zeros((3, N))
    ab[1] = -2.0 * c - 6.0  # diagonal
    ab[0, 1:] = c[:-1]  # super-diagonal (row i couples to g_{i+1})
    ab[2, :-1] = c[1:]  # sub-diagonal (row i couples to g_{i-1})
    ab[2, N - 2] = 2.0 * c[-1]  # Neumann at u = 1: ghost node g_{N+1} = g_{N-1}
    b = -2.0 * u[1:]
    g = np.concatenate([[0.0], solve_banded((1, 1), ab, b)])
    integrand = np.empty_like(u)
    integrand[1:] = 2.0 * g[1:] / u[1:]
    integrand[0] = 2.0 * (g[1] - g[0]) / h  # g/u → g'(0)
    integral = h * (integrand.sum() - 0.5 * (integrand[0] + integrand[-1]))
    return 3.0 / (4.0 * math.pi) * 4.0 * math.pi / 5.0 * integral


def static_dephasing_coefficient(t=1e7):
    """c in R2* = c f Δω from the static-dephasing integral of random dipolar spheres at time t (in 1/Δω).

    −ln s(t) = n ∫ (1 − cos ω(r) t) d³r over r > a, ω = Δω (a/r)³ (3μ² − 1). With a = Δω = 1 the radial integral
    is (t|P|/3) J(t|P|), J(V) = ∫_0^V (1 − cos v)/v² dv = Si(V) + (cos V − 1)/V, P = 3μ² − 1; the rate
    −ln s / t divided by f = n 4π/3 is returned (→ the long-time slope as t → ∞).
    """
    def integrand(mu):
        P = abs(3.0 * mu * mu - 1.0)
        V = t * P
        if V == 0.0:
            return 0.0
        J = sici(V)[0] + (math.cos(V) - 1.0) / V
        return P / 3.0 * J

    root = 1.0 / math.sqrt(3.0)
    val = 0.0
    for lo, hi in ((-1.0, -root), (-root, root), (root, 1.0)):
        v, _ = quad(integrand, lo, hi, limit=500, epsabs=0.0, epsrel=1e-12)
        val += v
    return 3.0 / (4.0 * math.pi) * 2.0 * math.pi * val


# ----------------------------------------------------------------------------- Hamiltonian
def naive_energy_terms(model, spins, field=None):
    """Per-term energy (meV) by loops over pairs and sites, as written in atomspin.model.core."""
    s = np.asarray(spins, dtype=float)
    b = np.asarray(model.field if field is None else field, dtype=float)
    e = dict(exchange=0.0, quadratic=0.0, cubic=0.0, zeeman=0.0, dipolar=0.0)
    for i in range(model.n):
        for p in range(model.indptr[i], model.indptr[i + 1]):
            j = int(model.indices[p])
            if j > i:  # each pair once
                e["exchange"] -= model.J[p] * float(s[i] @ s[j])
        xx, yy, zz, xy, xz, yz = model.quad[i]
        q = np.array([[xx, xy, xz], [xy, yy, yz], [xz, yz, zz]])
        e["quadratic"] -= float(s[i] @ q @ s[i])
        x2, y2, z2 = s[i] ** 2
        e["cubic"] += model.k1[i] * (x2 * y2 + y2 * z2 + z2 * x2) + model.k2[i] * x2 * y2 * z2
        e["zeeman"] -= model.moments[i] * MU_B_MEV_PER_T * float(b @ s[i])
    dip = model.dipolar
    if dip is not None and hasattr(dip, "cell_of"):  # macrocells: −½ Σ_cd M_c·W_cd M_d written out
        mc = np.zeros((dip.tensor.shape[0], 3))
        for i in range(model.n):
            mc[dip.cell_of[i]] += model.moments[i] * s[i]
        for c in range(len(mc)):
            for d in range(len(mc)):
                e["dipolar"] -= 0.5 * float(mc[c] @ dip.tensor[c, d] @ mc[d])
    elif dip is not None:
        e["dipolar"] = float(dip.energy_meV(s, model.moments))
    return e


def naive_energy(model, spins, field=None):
    return sum(naive_energy_terms(model, spins, field).values())


def numeric_fields(energy, spins, eps=1e-5):
    """h = −∂E/∂ŝ by central differences of the function ``energy(spins)`` (every term of the Hamiltonian is
    a polynomial of degree ≤ 4 in the Cartesian spin components: the error is O(eps²), tiny coefficients)."""
    s = np.asarray(spins, dtype=float)
    h = np.empty_like(s)
    for i in range(len(s)):
        for k in range(3):
            sp, sm = s.copy(), s.copy()
            sp[i, k] += eps
            sm[i, k] -= eps
            h[i, k] = -(energy(sp) - energy(sm)) / (2 * eps)
    return h


def naive_fields(model, spins, field=None, eps=1e-5, terms=None):
    """h = −∂E/∂ŝ (meV) of :func:`naive_energy_terms` (``terms``: only those) by central differences."""
    def energy(x):
        t = naive_energy_terms(model, x, field)
        return sum(v for k, v in t.items() if terms is None or k in terms)

    return numeric_fields(energy, spins, eps)


# ----------------------------------------------------------------------------- pure-Python RNG
CHI3_TABLE_SIZE = 4096
_U = np.arange(CHI3_TABLE_SIZE + 1) / CHI3_TABLE_SIZE
_U[-1] = 1.0 - 0.5 / CHI3_TABLE_SIZE
CHI3_TABLE = np.sqrt(2.0 * gammaincinv(1.5, _U))  # inverse CDF of |g|, g a 3-D standard normal (engine.rng)


def py_splitmix(x):
    x = (x + 0x9E3779B97F4A7C15) & M64
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return x, z ^ (z >> 31)


class PyXoshiro:
    """Straight transcription of xoshiro256+ (Blackman & Vigna) with Python integers."""

    JUMP = (0x180EC6D33CFD0ABA, 0xD5A61266F0C9392C, 0xA9582618E03FC9AA, 0x39ABDC4529B1661C)

    def __init__(self, seed, jumps=0):
        x, s = seed, []
        for _ in range(4):
            x, z = py_splitmix(x)
            s.append(z)
        self.s = s
        for _ in range(jumps):
            self.jump()

    def next(self):
        s0, s1, s2, s3 = self.s
        r = (s0 + s3) & M64
        t = (s1 << 17) & M64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = ((s3 << 45) | (s3 >> 19)) & M64
        self.s = [s0, s1, s2, s3]
        return r

    def jump(self):
        acc = [0, 0, 0, 0]
        for word in self.JUMP:
            for b in range(64):
                if (word >> b) & 1:
                    acc = [a ^ s for a, s in zip(acc, self.s)]
                self.next()
        self.s = acc

    def uniform(self):
        return (self.next() >> 11) * 2.0 ** -53

    def gauss3(self):
        """r·ŵ: ŵ uniform on the sphere, r by linear interpolation in the χ₃ inverse-CDF table."""
        w = self.sphere()
        tab, n = CHI3_TABLE, CHI3_TABLE_SIZE
        x = self.uniform() * n
        k = int(x)
        return w * (tab[k] + (x - k) * (tab[k + 1] - tab[k]))

    def sphere(self):
        while True:
            u, v = 2 * self.uniform() - 1, 2 * self.uniform() - 1
            s = u * u + v * v
            if s < 1:
                break
        f = 2 * math.sqrt(1 - s)
        return np.array([u * f, v * f, 1 - 2 * s])


def ref_move(r, move, s, sigma):
    if move == "uniform":
        return r.sphere()
    if move == "hinzke-nowak":
        c = r.uniform()
        if c < 1 / 3:
            return -s
        if c < 2 / 3:
            return r.sphere()
    v = s + sigma * r.gauss3()
    return v / np.linalg.norm(v)


def ref_metropolis(model, s, i, r, move, sigma, beta):
    """One move of site i with ΔE from two full energy evaluations (model.energy)."""
    new = ref_move(r, move, s[i], sigma)
    trial = s.copy()
    trial[i] = new
    de = model.energy(trial) - model.energy(s)
    if de <= 0 or r.uniform() < math.exp(-beta * de):
        s[i] = new
        return 1
    return 0


class RefCone:
    """σ ← clip(σ·clip(A/0.5, 1/2, 2), 1e-4, 60) once ≥ window moves are pooled."""

    def __init__(self, sigma, window):
        self.sigma, self.window, self.acc, self.tried = sigma, window, 0, 0

    def end_sweep(self, acc, n):
        self.acc += acc
        self.tried += n
        if self.tried >= self.window:
            a = self.acc / self.tried
            self.sigma = min(max(self.sigma * min(max(a / 0.5, 0.5), 2.0), 1e-4), 60.0)
            self.acc = self.tried = 0


def ref_colour_classes(model):
    colour = [None] * model.n
    for i in range(model.n):  # greedy colouring written out
        used = {colour[j] for j in model.indices[model.indptr[i]:model.indptr[i + 1]]}
        colour[i] = min(c for c in range(model.n + 1) if c not in used)
    return [[i for i in range(model.n) if colour[i] == c] for c in range(max(colour) + 1)]


def ref_sequential(model, T, seed, move, n_sweeps, sigma=0.5, window=20, order=None):
    """Sites in ``order`` (default 0…N−1) on one stream; ΔE from full energies."""
    r, s, beta = PyXoshiro(seed), model.spins.copy(), 1 / (K_B_MEV_PER_K * T)
    cone = RefCone(sigma, window)
    order = range(model.n) if order is None else order
    for _ in range(n_sweeps):
        acc = sum(ref_metropolis(model, s, i, r, move, cone.sigma, beta) for i in order)
        cone.end_sweep(acc, model.n)
    return s, cone.sigma


def ref_coloured(model, T, seed, move, n_sweeps, n_chunks, sigma=0.5, window=20):
    cone = RefCone(sigma, window)
    streams = [PyXoshiro(seed, jumps=t) for t in range(n_chunks)]
    s, beta = model.spins.copy(), 1 / (K_B_MEV_PER_K * T)
    classes = ref_colour_classes(model)
    for _ in range(n_sweeps):
        acc = 0
        for cls in classes:
            m = len(cls)
            for t in range(n_chunks):
                for i in cls[m * t // n_chunks: m * (t + 1) // n_chunks]:
                    acc += ref_metropolis(model, s, i, streams[t], move, cone.sigma, beta)
        cone.end_sweep(acc, model.n)
    return s, cone.sigma


def ref_slabs(model, n_blocks):
    """Slabs written out: 2·n_blocks equal-count slabs along the longest (here periodic) axis."""
    n, n_slabs = model.n, 2 * n_blocks
    frac = np.linalg.solve(model.cell.T, model.positions.T).T % 1.0
    ax = int(np.argmax(np.linalg.norm(model.cell, axis=1)))
    ranked = sorted(range(n), key=lambda i: (frac[i, ax], i))
    slab = {i: r * n_slabs // n for r, i in enumerate(ranked)}
    return [[sorted(i for i in range(n) if slab[i] == 2 * t + ph) for t in range(n_blocks)]
            for ph in (0, 1)]


def ref_block_sweeps(model, T, seed, move, n_sweeps, phases, sigma=0.5, window=20):
    """Phases in turn; block t of a phase visited in order with stream t (one stream per block)."""
    cone = RefCone(sigma, window)
    streams = [PyXoshiro(seed, jumps=t) for t in range(max(len(p) for p in phases))]
    s, beta = model.spins.copy(), 1 / (K_B_MEV_PER_K * T)
    for _ in range(n_sweeps):
        acc = 0
        for blocks in phases:
            for t, block in enumerate(blocks):
                for i in block:
                    acc += ref_metropolis(model, s, i, streams[t], move, cone.sigma, beta)
        cone.end_sweep(acc, model.n)
    return s, cone.sigma


# ----------------------------------------------------------------------------- collective move
def rodrigues(u, ang):
    """Rotation matrix by angle ang (rad) about unit axis u, written out from Rodrigues' formula."""
    k = np.array([[0, -u[2], u[1]], [u[2], 0, -u[0]], [-u[1], u[0], 0]])
    return np.eye(3) + math.sin(ang) * k + (1 - math.cos(ang)) * (k @ k)


def ref_collective_run(model, T, seed, n_sweeps, every, labels, sigma=0.5, window=20, width=0.1):
    """Sequential single-spin sweeps (site order 0…N−1) + after every `every`-th sweep one rigid
    rotation per group (labels ascending), all on one PyXoshiro stream; ΔE by full energies."""
    r, s, beta = PyXoshiro(seed), model.spins.copy(), 1 / (K_B_MEV_PER_K * T)
    cone = RefCone(sigma, window)
    w, wacc, wtried = width, 0, 0
    groups = [np.flatnonzero(labels == g) for g in sorted(set(labels.tolist()) - {-1})]
    n_acc = 0
    for sw in range(1, n_sweeps + 1):
        acc = sum(ref_metropolis(model, s, i, r, "adaptive", cone.sigma, beta) for i in range(model.n))
        cone.end_sweep(acc, model.n)
        if sw % every:
            continue
        for idx in groups:
            u = r.sphere()
            rot = rodrigues(u, w * (2 * r.uniform() - 1))
            new = s.copy()
            v = s[idx] @ rot.T
            new[idx] = v / np.linalg.norm(v, axis=1, keepdims=True)
            de = model.energy(new) - model.energy(s)
            ok = de <= 0 or r.uniform() < math.exp(-beta * de)
            if ok:
                s = new
                n_acc += 1
            wacc, wtried = wacc + ok, wtried + 1
            if wtried >= 10:
                w = min(max(w * min(max(wacc / wtried / 0.5, 0.5), 2.0), 1e-4), math.pi)
                wacc = wtried = 0
    return s, w, n_acc


# ----------------------------------------------------------------------------- constrained Monte Carlo
def ref_constrained_sweeps(model, T, seed, direction, spins, n_sweeps, sigma=0.3, window=20):
    """Pair moves of Asselin et al. (PRB 82, 054415 (2010)) written out in numpy, ΔE from two full
    energies, consuming the same random numbers as the kernel; returns (spins, σ)."""
    e, s, m = np.asarray(direction, dtype=float), np.array(spins, dtype=float), model.moments
    r, beta, cone, n = PyXoshiro(seed), 1 / (K_B_MEV_PER_K * T), RefCone(sigma, window), model.n
    for _ in range(n_sweeps):
        acc = 0
        shift = 1 + int(r.uniform() * (n - 1))
        for i in range(n):
            j = (i + shift) % n
            new_i = ref_move(r, "adaptive", s[i], cone.sigma)
            d = m[i] * (new_i - s[i])
            tpar = s[j] @ e
            p = s[j] - tpar * e - (d - (d @ e) * e) / m[j]
            if p @ p > 1:
                continue
            npar = math.copysign(math.sqrt(1 - p @ p), tpar if tpar != 0 else 1.0)
            mpar = (m @ s) @ e
            mpar_new = mpar + d @ e + m[j] * (npar - tpar)
            if mpar_new <= 0:
                continue
            t = s.copy()
            t[i], t[j] = new_i, p + npar * e
            de = model.energy(t) - model.energy(s)
            ratio = (mpar_new / mpar) ** 2 * abs(tpar) / abs(npar) * math.exp(-beta * de)
            if ratio >= 1 or r.uniform() < ratio:
                s = t
                acc += 1
        cone.end_sweep(acc, n)
    return s, cone.sigma


# ---------------------------------------------------------------- model: magnetostatics
def dipolar_energy_double_loop(pos_A, moments_muB, spins):
    """Σ_{i<j} (μ0/4π r³)[μ_i·μ_j − 3(μ_i·r̂)(μ_j·r̂)] in meV by a plain double loop over pairs (SI units
    inside: positions Å → m, moments μB → A m²)."""
    from atomspin.units import ANGSTROM, MEV, MU_0, MU_B

    e = 0.0
    n = len(pos_A)
    for i in range(n):
        for j in range(i + 1, n):
            r = (np.asarray(pos_A[j], float) - np.asarray(pos_A[i], float)) * ANGSTROM
            d = math.sqrt(float(r @ r))
            u = r / d
            mi = moments_muB[i] * MU_B * np.asarray(spins[i], float)
            mj = moments_muB[j] * MU_B * np.asarray(spins[j], float)
            e += MU_0 / (4 * math.pi * d ** 3) * (float(mi @ mj) - 3 * float(mi @ u) * float(mj @ u))
    return e / MEV


def dipolar_energy_all_pairs(pos_A, moments_muB, spins):
    """The same pair sum as :func:`dipolar_energy_double_loop`, written over the array of all pairs i < j
    (numpy, for a few thousand sites)."""
    from atomspin.units import ANGSTROM, MEV, MU_0, MU_B

    pos = np.asarray(pos_A, float)
    i, j = np.triu_indices(len(pos), 1)
    r = (pos[j] - pos[i]) * ANGSTROM
    d = np.linalg.norm(r, axis=1)
    u = r / d[:, None]
    s = np.asarray(spins, float)
    m = np.asarray(moments_muB, float) * MU_B
    mi, mj = m[i, None] * s[i], m[j, None] * s[j]
    e = MU_0 / (4 * np.pi * d ** 3) * (np.sum(mi * mj, 1) - 3 * np.sum(mi * u, 1) * np.sum(mj * u, 1))
    return float(np.sum(e)) / MEV


def dipolar_fields_double_loop(pos_A, moments_muB, spins):
    """−∂E_dip/∂ŝ_i (N, 3) meV by a plain double loop: m_i μB · B_dip(r_i), B_dip the point-dipole field
    μ0/(4π r³)[3 r̂(r̂·μ_j) − μ_j] of every other site."""
    from atomspin.units import ANGSTROM, MEV, MU_0, MU_B

    n = len(pos_A)
    out = np.zeros((n, 3))
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            r = (np.asarray(pos_A[i], float) - np.asarray(pos_A[j], float)) * ANGSTROM
            d = math.sqrt(float(r @ r))
            u = r / d
            mj = moments_muB[j] * MU_B * np.asarray(spins[j], float)
            b = MU_0 / (4 * math.pi * d ** 3) * (3 * u * float(u @ mj) - mj)
            out[i] += moments_muB[i] * MU_B * b / MEV
    return out


def dipolar_fields_all_pairs(pos_A, moments_muB, spins, rows=256):
    """The fields of :func:`dipolar_fields_double_loop` (meV), written over blocks of ``rows`` targets × all
    sources with numpy (SI units inside), for a few thousand sites."""
    from atomspin.units import ANGSTROM, MEV, MU_0, MU_B

    pos = np.asarray(pos_A, float) * ANGSTROM
    mu = np.asarray(moments_muB, float)[:, None] * MU_B * np.asarray(spins, float)
    n = len(pos)
    out = np.zeros((n, 3))
    for a in range(0, n, rows):
        r = pos[a:a + rows, None, :] - pos[None, :, :]
        d = np.linalg.norm(r, axis=2)
        blk = np.arange(a, min(a + rows, n))
        d[blk - a, blk] = np.inf  # no self term
        u = r / np.where(np.isfinite(d), d, 1.0)[:, :, None]
        b = MU_0 / (4 * np.pi * d ** 3)[:, :, None] * (3 * u * np.sum(u * mu[None], axis=2)[:, :, None] - mu[None])
        out[blk] = np.asarray(moments_muB, float)[blk, None] * MU_B * b.sum(axis=1) / MEV
    return out


def demagnetising_factors_ellipsoid(a, b, c):
    """(N_a, N_b, N_c) of the ellipsoid with semi-axes a, b, c (SI, sum 1) by numerical quadrature of
    N_c = (abc/2) ∫_0^∞ dλ / [(c² + λ) √((a² + λ)(b² + λ)(c² + λ))] (Osborn, Phys. Rev. 67, 351 (1945);
    DLMF 19.33.7 with L = 4πN)."""
    def one(x, y, z):
        val, _ = quad(lambda t: 1.0 / ((z * z + t) * math.sqrt((x * x + t) * (y * y + t) * (z * z + t))),
                      0.0, np.inf, limit=500, epsabs=0.0, epsrel=1e-12)
        return 0.5 * x * y * z * val
    return np.array([one(b, c, a), one(a, c, b), one(a, b, c)])


def metropolis_exact_dipolar(pos_A, moments_muB, spins, J_pairs, T_K, n_sweeps, seed, sigma=0.5,
                             collective=False, width=0.3):
    """Single-spin Metropolis (Gaussian cone of width σ, no adaptation) on E = −Σ_pairs J ŝ_i·ŝ_j + E_dip with
    the dipolar field of every site recomputed exactly after every accepted move (the per-move policy), and
    optionally one rigid rotation of all spins per sweep with the exact ΔE; returns (energies per sweep
    (meV), dipolar energies per sweep (meV), magnetisations (n_sweeps, 3) μB). Plain loops."""
    from atomspin.units import K_B_MEV_PER_K
    from scipy.spatial.transform import Rotation

    rng = np.random.default_rng(seed)
    s = np.array(spins, dtype=float)
    n = len(s)
    m = np.asarray(moments_muB, float)
    beta = 1.0 / (K_B_MEV_PER_K * T_K)
    nbr = [[] for _ in range(n)]
    for (i, j, J) in J_pairs:
        nbr[i].append((j, J))
        nbr[j].append((i, J))

    def energy(state):
        e = dipolar_energy_double_loop(pos_A, m, state)
        for (i, j, J) in J_pairs:
            e -= J * float(state[i] @ state[j])
        return e

    h = dipolar_fields_double_loop(pos_A, m, s)
    E, Ed, M = [], [], []
    for _ in range(n_sweeps):
        for i in range(n):
            new = s[i] + sigma * rng.normal(size=3)
            new /= np.linalg.norm(new)
            d = new - s[i]
            de = -float(d @ h[i]) - sum(J * float(d @ s[j]) for j, J in nbr[i])
            if de <= 0 or rng.random() < math.exp(-beta * de):
                s[i] = new
                h = dipolar_fields_double_loop(pos_A, m, s)
        if collective:
            rot = Rotation.from_rotvec(rng.normal(size=3) / math.sqrt(3) * width * rng.random()).as_matrix()
            trial = s @ rot.T
            de = energy(trial) - energy(s)
            if de <= 0 or rng.random() < math.exp(-beta * de):
                s = trial
                h = dipolar_fields_double_loop(pos_A, m, s)
        ed = dipolar_energy_double_loop(pos_A, m, s)
        E.append(energy(s))
        Ed.append(ed)
        M.append(m @ s)
    return np.array(E), np.array(Ed), np.array(M)


# ---------------------------------------------------------------- model: pair classification
def classify_pairs_vectorised(cation_pos, cation_family, oxygen_pos, cell=None, pbc=(False, False, False),
                              r_bond=2.3, r_nn=3.7, r_far=4.6, angle_split=135.0, angle_180=150.0,
                              angle_low=108.0):
    """Find and classify the exchange pairs of magnetic cations.

    Parameters
    ----------
    cation_pos : (N, 3) float, Å
        Magnetic cation positions.
    cation_family : (N,) str
        ``"A"``, ``"B"`` or ``"R"`` per cation.
    oxygen_pos : (M, 3) float, Å
        Oxygen positions (bridging anions).
    cell : (3, 3) float, Å, optional
        Cell vectors; needed when any ``pbc`` is True.
    pbc : 3 bools
        Periodic directions.
    r_bond, r_nn, r_far : float, Å
        Cation–O bond cutoff, nearest-shell cutoff, cutoff for 180° links (see module docstring).
    angle_split, angle_180, angle_low : float, degrees (class windows, see the module docstring)

    The previous vectorised implementation of :func:`atomspin.model.geometry.classify_pairs` (numpy over all
    bonds and pair slots at once), kept as the reference the streaming numba kernel is compared with.

    Returns
    -------
    PairList

    Raises
    ------
    ValueError
        Unknown family label, or a periodic cell so small that a site couples to its own image.
    """
    from atomspin.model.geometry import _FAMILY as _FAM, PAIR_CLASSES as _PC, PairList as _PL, _pair_keys as _pk
    from atomspin.model.geometry import _pairs_within as _pw

    cpos = np.ascontiguousarray(cation_pos, dtype=np.float64).reshape(-1, 3)
    opos = np.ascontiguousarray(oxygen_pos, dtype=np.float64).reshape(-1, 3)
    fam_lab = np.asarray(cation_family).astype(str)
    bad = ~np.isin(fam_lab, list(_FAM))
    if np.any(bad):
        raise ValueError(f"sublattice: magnetic cations must be labelled 'A', 'B' or 'R'; got "
                         f"{sorted(set(fam_lab[bad]))}")
    fam = np.select([fam_lab == "A", fam_lab == "B", fam_lab == "R"], [0, 1, 2]).astype(np.int64)
    n = len(cpos)
    pbc = tuple(bool(p) for p in np.broadcast_to(np.asarray(pbc, dtype=bool), (3,)))
    if any(pbc):
        if cell is None:
            raise ValueError("cell: required for periodic boundaries")
        cell = np.asarray(cell, dtype=np.float64).reshape(3, 3)
        if abs(np.linalg.det(cell)) < 1e-9:
            raise ValueError("cell: periodic boundaries need three non-degenerate cell vectors (Å)")
    empty = _PL(*(np.zeros(0, np.int64),) * 2, np.zeros((0, 3)), np.zeros(0), np.zeros(0),
                     np.zeros(0, np.int64), np.zeros(0, np.int64))
    if n < 2 and not any(pbc):
        return empty

    # 1. cation–O bonds: search cations and O together (one tree / neighbour list)
    allpos = np.concatenate([cpos, opos])
    a, b, D = _pw(allpos, cell, pbc, r_bond)
    isc_a, isc_b = a < n, b < n
    m1 = isc_a & ~isc_b  # cation a, oxygen b: vector O→cation = −D
    m2 = ~isc_a & isc_b  # oxygen a, cation b: vector O→cation = +D
    bond_o = np.concatenate([b[m1] - n, a[m2] - n])
    bond_c = np.concatenate([a[m1], b[m2]])
    bond_v = np.concatenate([-D[m1], D[m2]])  # O → cation

    # 2. bridged pairs: all cation pairs sharing an O
    order = np.argsort(bond_o, kind="stable")
    bond_o, bond_c, bond_v = bond_o[order], bond_c[order], bond_v[order]
    n_o = len(opos)
    deg = np.bincount(bond_o, minlength=n_o)
    kmax = int(deg.max()) if len(deg) else 0
    bi, bj, bv, bang = [], [], [], []
    if kmax >= 2:
        start = np.concatenate([[0], np.cumsum(deg)[:-1]])
        slot = np.arange(len(bond_o)) - start[bond_o]
        table = -np.ones((n_o, kmax), dtype=np.int64)
        table[bond_o, slot] = np.arange(len(bond_o))
        for p in range(kmax):
            for q in range(p + 1, kmax):
                ok = (table[:, p] >= 0) & (table[:, q] >= 0)
                e1, e2 = table[ok, p], table[ok, q]
                v1, v2 = bond_v[e1], bond_v[e2]
                c1, c2 = bond_c[e1], bond_c[e2]
                cosang = np.einsum("ij,ij->i", v1, v2) / (np.linalg.norm(v1, axis=1) * np.linalg.norm(v2, axis=1))
                ang = np.degrees(np.arccos(np.clip(cosang, -1.0, 1.0)))
                vec = v2 - v1  # c1 → c2
                swap = (c1 > c2)
                ci = np.where(swap, c2, c1)
                cj = np.where(swap, c1, c2)
                vec = np.where(swap[:, None], -vec, vec)
                # self-image pairs (ci == cj): orient canonically so ± images merge
                same = ci == cj
                if np.any(same):
                    neg = same & ((vec[:, 0] < 0) | ((vec[:, 0] == 0) & ((vec[:, 1] < 0) |
                                                                        ((vec[:, 1] == 0) & (vec[:, 2] < 0)))))
                    vec = np.where(neg[:, None], -vec, vec)
                bi.append(ci), bj.append(cj), bv.append(vec), bang.append(ang)
    if bi:
        bi, bj, bv, bang = (np.concatenate(x) for x in (bi, bj, bv, bang))
    else:
        bi = bj = np.zeros(0, np.int64)
        bv, bang = np.zeros((0, 3)), np.zeros(0)
    bd = np.linalg.norm(bv, axis=1)
    keepb = (bd <= r_nn) | ((bd <= r_far) & (bang >= angle_180))
    bi, bj, bv, bang = bi[keepb], bj[keepb], bv[keepb], bang[keepb]

    # 3. direct pairs within r_nn (A–A and friends)
    di, dj, dv = _pw(cpos, cell, pbc, r_nn)

    # 4. merge by (i, j, image) key
    cell_inv = np.linalg.inv(cell) if any(pbc) else None
    keys = np.concatenate([_pk(bi, bj, bv, cpos, cell_inv, n), _pk(di, dj, dv, cpos, cell_inv, n)])
    if len(keys) == 0:
        return empty
    uniq, inv = np.unique(keys, return_inverse=True)
    inv = inv.ravel()
    nb = len(bi)
    npair = len(uniq)
    n_bridge = np.bincount(inv[:nb], minlength=npair).astype(np.int64)
    angle = np.full(npair, -np.inf)
    np.maximum.at(angle, inv[:nb], bang)
    angle[n_bridge == 0] = np.nan
    vec = np.zeros((npair, 3))
    allv = np.concatenate([bv, dv])
    vec[inv] = allv  # identical up to rounding for duplicates
    pi, pj = (uniq // 125) // n, (uniq // 125) % n
    if np.any(pi == pj):
        raise ValueError("atoms.cell: the periodic box is too small — a spin would couple to its own image "
                         f"(need every box width > {r_far:.1f} Å, e.g. at least 2×2×2 cells)")
    dist = np.linalg.norm(vec, axis=1)

    # 5. classes
    fi, fj = fam[pi], fam[pj]
    lo, hi = np.minimum(fi, fj), np.maximum(fi, fj)
    bridged = n_bridge > 0
    wide = bridged & (angle >= angle_split)
    cls = np.full(npair, -1, dtype=np.int64)
    A, B, R = 0, 1, 2
    C = {name: k for k, name in enumerate(_PC)}
    low = bridged & (angle < angle_low)
    cls[(lo == A) & (hi == A) & ~bridged & (dist <= r_nn)] = C["AA"]
    cls[(lo == A) & (hi == A) & bridged & ~wide] = C["AA_bridged"]
    cls[(lo == A) & (hi == A) & wide] = C["AA180"]
    cls[(lo == A) & (hi == B) & low] = C["AB90"]
    cls[(lo == A) & (hi == B) & bridged & ~low & (angle < angle_180)] = C["AB"]
    cls[(lo == A) & (hi == B) & bridged & (angle >= angle_180)] = C["AB180"]
    cls[(lo == B) & (hi == B) & low] = C["BB"]
    cls[(lo == B) & (hi == B) & bridged & ~low & ~wide] = C["BB125"]
    cls[(lo == B) & (hi == B) & wide] = C["BB180"]
    cls[(lo == R) & (hi == R) & bridged & ~wide] = C["RR1"]
    cls[(lo == R) & (hi == R) & wide] = C["RR2"]
    cls[(lo == A) & (hi == R) & bridged] = C["RA"]
    cls[(lo == A) & (hi == R) & ~bridged & (dist <= r_nn)] = C["RA_direct"]
    cls[(lo == B) & (hi == R) & bridged & ~wide] = C["RB"]
    cls[(lo == B) & (hi == R) & wide] = C["RB180"]
    k = cls >= 0
    return _PL(i=pi[k].copy(), j=pj[k].copy(), vector=vec[k], distance=dist[k], angle=angle[k],
                    n_bridge=n_bridge[k], cls=cls[k])




# ---------------------------------------------------------------------------- anisotropy landscape (issue 13)
# The Néel tensors site by site, the gradient-potential fit by finite differences, the constrained T = 0 minimum
# by a generic constrained optimiser on spherical angles.
def naive_neel_quad(n, pairs_i, pairs_j, vectors, family, k_s, shells, cos_match=0.995):
    """Q_i = (k_s/2)[Σ_actual êêᵀ − Σ_ideal êêᵀ] one site at a time with explicit loops.

    ``shells``: family → list of (K, 3) ideal unit-vector shells. The ideal shell is the one matching most actual
    bonds (ties averaged); a site whose bonds are exactly an ideal shell gets 0.
    """
    bonds = [[] for _ in range(n)]
    for a, b, v in zip(pairs_i, pairs_j, vectors):
        e = np.asarray(v, float) / np.linalg.norm(v)
        bonds[int(a)].append(e)
        bonds[int(b)].append(-e)
    q = np.zeros((n, 3, 3))
    for i in range(n):
        present = np.zeros((3, 3))
        for e in bonds[i]:
            present += np.outer(e, e)
        scores = []
        for tmpl in shells[str(family[i])]:
            matched = 0
            for e in bonds[i]:
                if any(float(e @ t) > cos_match for t in tmpl):
                    matched += 1
            scores.append(matched)
        best = [k for k, sc in enumerate(scores) if sc == max(scores)]
        exact = any(scores[k] == len(bonds[i]) == len(shells[str(family[i])][k]) for k in best)
        if exact:
            continue
        ideal = np.zeros((3, 3))
        for k in best:
            for t in shells[str(family[i])][k]:
                ideal += np.outer(t, t) / len(best)
        q[i] = 0.5 * k_s * (present - ideal)
    return q


def naive_potential_fit(directions, grad_t, L, h=1e-6):
    """Even polynomial potential of degree L whose tangential gradient best matches ``grad_t`` (m, 2), by
    central finite differences of each monomial along the tangent basis and an unweighted least squares.
    Returns the coefficients (minimum-norm; the constant combination is undetermined)."""
    exps = [(a, b, L - a - b) for a in range(L, -1, -1) for b in range(L - a, -1, -1)]
    rows = []
    for n in np.atleast_2d(directions):
        ax = np.eye(3)[np.argmin(np.abs(n))]
        t1 = ax - (ax @ n) * n
        t1 /= np.linalg.norm(t1)
        t2 = np.cross(n, t1)
        for t in (t1, t2):
            row = []
            for a, b, c in exps:
                def f(p):
                    p = p / np.linalg.norm(p)
                    return p[0] ** a * p[1] ** b * p[2] ** c
                row.append((f(n + h * t) - f(n - h * t)) / (2 * h))
            rows.append(row)
    A = np.array(rows)
    coef, *_ = np.linalg.lstsq(A, np.asarray(grad_t, float).reshape(-1), rcond=None)
    return coef


def naive_constrained_minimum(model, direction, spins0, energy, fields=None):
    """min E subject to Σ m_i ŝ_i ∥ ê, by SLSQP on the 2N spherical angles with the two equality constraints
    M·t1 = M·t2 = 0 (small systems only). ``energy(spins)`` evaluates E; ``fields(spins)`` = −∂E/∂ŝ, optional
    (chain rule to the angles; else SLSQP's finite differences). Returns (spins, E)."""
    from scipy.optimize import minimize

    e = np.asarray(direction, float) / np.linalg.norm(direction)
    ax = np.eye(3)[np.argmin(np.abs(e))]
    t1 = ax - (ax @ e) * e
    t1 /= np.linalg.norm(t1)
    t2 = np.cross(e, t1)
    s0 = np.asarray(spins0, float)
    th0 = np.arccos(np.clip(s0[:, 2], -1, 1))
    ph0 = np.arctan2(s0[:, 1], s0[:, 0])

    def spins(x):
        th, ph = x[:len(s0)], x[len(s0):]
        return np.stack([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)], axis=1)

    def jac(x):
        th, ph = x[:len(s0)], x[len(s0):]
        g = -fields(spins(x))
        dth = np.stack([np.cos(th) * np.cos(ph), np.cos(th) * np.sin(ph), -np.sin(th)], axis=1)
        dph = np.stack([-np.sin(th) * np.sin(ph), np.sin(th) * np.cos(ph), np.zeros_like(th)], axis=1)
        return np.concatenate([np.sum(g * dth, axis=1), np.sum(g * dph, axis=1)])

    cons = [{"type": "eq", "fun": lambda x: model.moments @ spins(x) @ t1},
            {"type": "eq", "fun": lambda x: model.moments @ spins(x) @ t2}]
    res = minimize(lambda x: energy(spins(x)), np.concatenate([th0, ph0]), method="SLSQP", constraints=cons,
                   jac=None if fields is None else jac, options={"ftol": 1e-14, "maxiter": 2000})
    return spins(res.x), float(energy(spins(res.x)))


# ----------------------------------------------------------------------------- sar: relaxation and master equation
def fv_uniaxial_relaxation(sigma, h=0.0, n_cells=2000):
    """τ/τ_D = 1/λ₁ of Brown's uniaxial Fokker–Planck equation by finite volumes in z = cos θ.

    2τ_D ∂W/∂t = ∂z[(1 − z²) e^{−U} ∂z(e^{U} W)], U = −σ(z² + 2hz): n cells on [−1, 1], W = e^{−U} g, fluxes
    through the faces with the face weight (1 − z²) e^{−U} taken at the face; the symmetric generalised
    eigenproblem A g = λ B g (B = diag e^{−U}Δz) is a symmetric tridiagonal one (two lowest eigenvalues). Second order in Δz; two grids are combined
    by Richardson extrapolation (n and 2n cells).
    """
    def lam(n):
        z = -1.0 + (np.arange(n) + 0.5) * 2.0 / n
        dz = 2.0 / n
        zf = -1.0 + np.arange(1, n) * 2.0 / n
        U = lambda x: -sigma * (x * x + 2.0 * h * x)  # noqa: E731
        a = (1.0 - zf * zf) * np.exp(-U(zf)) / dz  # face conductances
        diag = np.zeros(n)
        diag[:-1] += a
        diag[1:] += a
        b = np.exp(-U(z)) * dz
        sb = np.sqrt(b)
        # the same symmetric tridiagonal matrix written as diagonals: S = B^{-1/2} A B^{-1/2}
        from scipy.linalg import eigh_tridiagonal

        ev = eigh_tridiagonal(diag / b, -a / (sb[:-1] * sb[1:]), select="i", select_range=(0, 1))[0]
        return ev[1] / 2.0  # units of 1/τ_D
    l1, l2 = lam(n_cells), lam(2 * n_cells)
    return 1.0 / ((4.0 * l2 - l1) / 3.0)


def ref_escape_rate_langer(e_i, c_i, e_s, c_s, n_i, n_s, n_j, V, T, Ms, alpha, gamma=1.76085963023e11):
    """Langer/Brown IHD rate over one saddle, written out from the formulas of atomspin.sar.rates' docstring.

    c_i = (c1, c2) curvatures at the minimum, c_s = (c_u < 0, c_s) at the saddle (J/m³/rad²). Plain floats.
    """
    kT = 1.380649e-23 * T
    bV = V / kT
    A = gamma / (Ms * (1.0 + alpha * alpha))
    cu, cs = c_s[0], max(c_s[1], 0.0)
    lam_l = 0.5 * A * (-alpha * (cu + cs) + math.sqrt(alpha * alpha * (cu - cs) ** 2 - 4.0 * cu * cs))
    R = min(np.linalg.norm(np.cross(n_s, n_i)), np.linalg.norm(np.cross(n_s, n_j)))
    x = bV * cs * R * R
    from scipy.special import i0e

    q = 1.0 - i0e(x)
    lam = (1.0 - q) * alpha * A * abs(cu) + q * lam_l
    ridge = 2.0 * math.pi * R * i0e(x)
    zwell = 2.0 * math.pi / (bV * math.sqrt(c_i[0] * c_i[1]))
    sig_i = bV * (e_s - e_i)
    return lam * ridge / zwell / math.sqrt(2.0 * math.pi * bV * abs(cu)) * math.exp(-sig_i)


def ref_master_cycles(surface, Ms, V, T, alpha, direction, H0, steps, n_cycles):
    """The master equation over the minima written out step by step: macrospin.critical_points at every step
    field, the Langer rates of :func:`ref_escape_rate_langer` with the κ factor of atomspin.sar.rates,
    macrospin.local_minimum for the hand-over between fields, scipy's expm. Starts from the equilibrium
    of the first field. Returns ⟨n̂·d⟩ at the step midpoints of the last cycle (thermal shortening included).
    """
    from scipy.linalg import expm

    from atomspin import macrospin

    kT = 1.380649e-23 * T
    d = np.asarray(direction, float) / np.linalg.norm(direction)
    f = 1.0
    dt = 1.0 / (f * steps)
    hs = H0 * np.cos(2 * np.pi * (np.arange(steps) + 0.5) / steps)
    tables = []
    for h in hs:
        cp = macrospin.critical_points(surface.with_field(h * d, Ms))
        k = len(cp.minima)
        W = np.zeros((k, k))
        for s_, (i, j) in enumerate(cp.saddle_minima):
            if i < 0 or j < 0 or i == j:
                continue
            si = V / kT * (cp.e_saddles[s_] - cp.e_minima[i])
            sj = V / kT * (cp.e_saddles[s_] - cp.e_minima[j])
            sk = math.sqrt(max(si, 0) * max(sj, 0))
            R = min(np.linalg.norm(np.cross(cp.saddles[s_], cp.minima[i])),
                    np.linalg.norm(np.cross(cp.saddles[s_], cp.minima[j])))
            from scipy.special import i0e

            q = 1.0 - i0e(V / kT * max(cp.curvature_saddles[s_][1], 0) * R * R)
            ring = 1.0 - 1.0 / sk if sk >= 2.0 else 0.5
            kappa = (1 - q) * ring + q / (1.0 + 0.5 / sk)
            tauD = (1 + alpha**2) * Ms * V / (2 * alpha * 1.76085963023e11 * kT)
            for a, b, sa in ((i, j, si), (j, i, sj)):
                r = kappa * ref_escape_rate_langer(cp.e_minima[a], cp.curvature_minima[a], cp.e_saddles[s_],
                                                   cp.curvature_saddles[s_], cp.minima[a], cp.saddles[s_],
                                                   cp.minima[b], V, T, Ms, alpha)
                W[b, a] += max(r, math.exp(-max(sa, 0)) / (2 * tauD))
        W -= np.diag(W.sum(axis=0))
        red = np.clip(1 - 0.5 * kT / V * (1 / cp.curvature_minima[:, 0] + 1 / cp.curvature_minima[:, 1]), 0, 1)
        tables.append((cp, W, red * (cp.minima @ d)))
    cp0, W0, _ = tables[0]
    A = np.vstack([W0, np.ones(len(cp0.minima))])
    b = np.zeros(len(cp0.minima) + 1)
    b[-1] = 1.0
    p = np.linalg.lstsq(A, b, rcond=None)[0]
    out = np.zeros(steps)
    for cyc in range(n_cycles):
        for k in range(steps):
            cp, W, mom = tables[k]
            if cyc == n_cycles - 1:
                out[k] = expm(W * dt / 2) @ p @ mom
            p = expm(W * dt) @ p
            nxt = tables[(k + 1) % steps][0]
            if abs(hs[(k + 1) % steps] - hs[k]) > 0:
                q = np.zeros(len(nxt.minima))
                for a, n_a in enumerate(cp.minima):
                    m = macrospin.local_minimum(surface.with_field(hs[(k + 1) % steps] * d, Ms), n_a)
                    q[int(np.argmax(nxt.minima @ m))] += p[a]
                p = q
    return out


def naive_uniaxial_equilibrium(sigma, xi, psi):
    """(⟨n̂·ĥ⟩, Var n̂·ĥ) of a uniaxial macrospin in equilibrium: weight exp(σ (n̂·û)² + ξ n̂·ĥ) on the sphere,
    the easy axis û at the angle ψ (rad) to the field ĥ. Plain double integral over (cos θ, φ) about ĥ by
    scipy quad, energies shifted by their maximum σ + |ξ| (no overflow)."""
    cp, sp = math.cos(psi), math.sin(psi)
    top = sigma + abs(xi)

    def inner(x, power):
        s = math.sqrt(max(0.0, 1.0 - x * x))

        def g(phi):
            c = x * cp + s * math.cos(phi) * sp  # n̂·û with û = (sin ψ, 0, cos ψ), ĥ = ẑ
            return math.exp(sigma * c * c + xi * x - top)

        return x**power * quad(g, 0.0, 2.0 * math.pi, epsabs=0.0, epsrel=1e-12, limit=200)[0]

    pts = [cp, -cp] if 0.0 < abs(cp) < 1.0 else None
    z = [quad(inner, -1.0, 1.0, args=(k,), epsabs=0.0, epsrel=1e-11, limit=400, points=pts)[0] for k in range(3)]
    mean = z[1] / z[0]
    return mean, z[2] / z[0] - mean * mean


def naive_surface_equilibrium(energy_over_kT, xi, d):
    """(⟨n̂·d̂⟩, Var n̂·d̂) for the weight exp(−E(n̂)/k_BT + ξ n̂·d̂) on the sphere, E/k_BT given as a callable of one
    unit vector (e.g. V × a macrospin surface's energy density / k_BT). Plain nested quad over (n̂·d̂, φ) about d̂."""
    d = np.asarray(d, dtype=float) / np.linalg.norm(d)
    e1 = np.cross(d, [1.0, 0.0, 0.0] if abs(d[0]) < 0.9 else [0.0, 1.0, 0.0])
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(d, e1)
    top = -min(energy_over_kT(v) for v in (d, -d, e1, -e1, e2, -e2)) + abs(xi)

    def inner(x, power):
        s = math.sqrt(max(0.0, 1.0 - x * x))

        def g(phi):
            n = x * d + s * (math.cos(phi) * e1 + math.sin(phi) * e2)
            return math.exp(-energy_over_kT(n) + xi * x - top)

        return x**power * quad(g, 0.0, 2.0 * math.pi, epsabs=0.0, epsrel=1e-11, limit=200)[0]

    z = [quad(inner, -1.0, 1.0, args=(k,), epsabs=0.0, epsrel=1e-10, limit=200)[0] for k in range(3)]
    mean = z[1] / z[0]
    return mean, z[2] / z[0] - mean * mean


def naive_rotation_torque(energy, spins, axis, h=1e-5):
    """n̂·τ of a state from its energy alone: rotating every spin rigidly by φ about the unit axis n̂ changes the
    energy by dE/dφ = −n̂·Σ_i ŝ_i × h_i (h_i = −∂E/∂ŝ_i, dŝ_i/dφ = n̂ × ŝ_i), so n̂·τ = −dE/dφ, here by the central
    difference of ``energy(spins)`` (meV) at ±h rad (Rodrigues' rotation written out)."""
    n = np.asarray(axis, dtype=np.float64)
    n = n / np.linalg.norm(n)
    s = np.asarray(spins, dtype=np.float64)

    def rot(phi):
        c, si = math.cos(phi), math.sin(phi)
        return s * c + np.cross(n, s) * si + np.outer(s @ n, n) * (1.0 - c)

    return -(energy(rot(h)) - energy(rot(-h))) / (2.0 * h)


def fv_uniaxial_ac_moment(sigma, xi0, omega_tau_D, n_cells=800, steps_per_cycle=4000, n_cycles=6):
    """First Fourier amplitude m_1 of ⟨cos θ⟩(t) of a uniaxial macrospin, field ξ0 cos ωt along the easy axis, in
    the periodic steady state: finite volumes in z = cos θ and Crank–Nicolson time steps.

    2τ_D ∂W/∂t = ∂z[(1 − z²) e^{−U} ∂z(e^{U} W)], U = −σz² − ξ(t)z (W per unit z); face fluxes with the face
    weight (1 − z²)e^{−U} evaluated at the face, cell values W_i; the tridiagonal generator is rebuilt each step.
    ⟨cos θ⟩(t) = m_0 + 2 Re Σ m_k e^{ikωt}; m_1 = (1/N) Σ_j m(t_j) e^{−iωt_j} over the last cycle.
    """
    from scipy.linalg import solve_banded

    n = n_cells
    dz = 2.0 / n
    z = -1.0 + (np.arange(n) + 0.5) * dz
    zf = -1.0 + np.arange(1, n) * dz
    period = 2.0 * math.pi / (2.0 * omega_tau_D)  # in t' = t/(2τ_D)
    dt = period / steps_per_cycle

    def generator(xi):
        U = lambda x: -sigma * x * x - xi * x  # noqa: E731
        # flux between cells i and i+1: c_f (e^{U_{i+1}} W_{i+1} − e^{U_i} W_i)/dz, c_f = (1 − z_f²) e^{−U_f}
        c = (1.0 - zf * zf) * np.exp(-U(zf)) / dz
        eu = np.exp(U(z))
        lower = np.zeros(n)  # A[i, i−1]
        upper = np.zeros(n)  # A[i, i+1]
        diag = np.zeros(n)
        # dW_i/dt = (F_{i+1/2} − F_{i−1/2})/dz
        upper[:-1] = c * eu[1:] / dz
        diag[:-1] -= c * eu[:-1] / dz
        lower[1:] = c * eu[:-1] / dz
        diag[1:] -= c * eu[1:] / dz
        return lower, diag, upper

    W = np.full(n, 0.5)
    ms = []
    t = 0.0
    lo, di, up = generator(xi0)
    for step in range(steps_per_cycle * n_cycles):
        lo1, di1, up1 = generator(xi0 * math.cos(2.0 * omega_tau_D * (t + dt)))
        rhs = W + 0.5 * dt * (di * W + np.concatenate([[0.0], lo[1:] * W[:-1]]) + np.concatenate([up[:-1] * W[1:], [0.0]]))
        ab = np.zeros((3, n))
        ab[0, 1:] = -0.5 * dt * up1[:-1]
        ab[1] = 1.0 - 0.5 * dt * di1
        ab[2, :-1] = -0.5 * dt * lo1[1:]
        W = solve_banded((1, 1), ab, rhs)
        lo, di, up = lo1, di1, up1
        t += dt
        if step >= steps_per_cycle * (n_cycles - 1):
            ms.append(np.sum(z * W) * dz)
    ms = np.array(ms)
    ph = 2.0 * omega_tau_D * (dt * (np.arange(len(ms)) + 1 + steps_per_cycle * (n_cycles - 1)))
    return np.mean(ms * np.exp(-1j * ph))


# ---------------------------------------------------------------- sar: one field node of the Fokker–Planck equation
def naive_fp_lag(K0, Kh, moment, d, xi):
    """(τ_eff/(2τ_D), χ, m_eq) of Brown's Galerkin generator K(ξ) = K0 + ξ K_h at one reduced field ξ along d.

    Written out from the definitions, with three independent dense solves of the reduced K(ξ) (rows and columns 1:,
    the conserved zero mode a0 = 1/√(4π) held fixed) by ``numpy.linalg.solve`` — no factorisation kept, no change
    of basis: the stationary state K W = −K[1:, 0] a0, its ξ-derivative K ∂W = −(K_h[1:, 0] a0 + K_h[1:, 1:] W),
    m_eq = c·W, χ = c·∂W, the lag g = c·K⁻¹ ∂W and τ = −g/χ, with c = d·moment[:, 1:] (⟨û·d⟩ = c·W).
    """
    a0 = 1.0 / math.sqrt(4.0 * math.pi)
    K = K0 + xi * Kh
    A = K[1:, 1:]
    W = np.linalg.solve(A, -K[1:, 0] * a0)
    dW = np.linalg.solve(A, -(Kh[1:, 0] * a0 + Kh[1:, 1:] @ W))
    c = np.asarray(d, float) @ moment[:, 1:]
    chi = float(c @ dW)
    g = float(c @ np.linalg.solve(A, dW))
    return (-g / chi if chi > 0 else 0.0), chi, float(c @ W)
