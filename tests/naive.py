"""Slow, obvious reference implementations that the fast paths of atomspin are tested against.

Landscape references (issue 13): the Néel tensors site by site, the gradient-potential fit by finite
differences, the constrained T = 0 minimum by a generic constrained optimiser on spherical angles.
"""
import numpy as np


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
