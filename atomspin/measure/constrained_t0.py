"""T = 0 constrained energy minima and the rigid-rotation shape tensor (used by :mod:`atomspin.measure.landscape`).

:func:`constrained_minimum` is the T → 0 limit of constrained Monte Carlo: the lowest-energy spin state whose total
moment points along a given direction (exact energies, no sampling). :func:`rigid_shape_tensor_meV` is the
magnetostatic energy of the rigidly rotated collinear state as a quadratic form.
"""
from __future__ import annotations

import numpy as np

from atomspin.measure import _sphere_fit as sf
from atomspin.model.sums import site_gram, site_sum


def constrained_minimum(model, direction, spins=None, gtol=1e-9, max_outer=6):
    """Spin state of lowest energy with the total moment M = Σ m_i ŝ_i along ``direction`` (T = 0).

    The start state (default ``model.spins``) is rigidly rotated so that M ∥ ê, then relaxed by L-BFGS in the
    two tangent coordinates (u_i, v_i) of every spin, ŝ_i = ŝ⁰_i √(1 − u² − v²) + u e1_i + v e2_i, with the
    linearised constraint Σ m_i (u_i e1_i + v_i e2_i)⊥ = 0 imposed exactly by projection; after each relaxation
    the state is re-aligned (M ∥ ê) and re-linearised until the energy changes by less than 1e-12 relative.

    Returns
    -------
    spins : (N, 3), energy : float (meV), torque : (3,) Σ ŝ × h (meV)
    """
    from scipy.optimize import minimize

    from atomspin.engine.sweepers.constrained import rotation_to
    from atomspin.model.hamiltonian import Hamiltonian

    e = np.asarray(direction, dtype=np.float64)
    e = e / np.linalg.norm(e)
    s = np.array(model.spins if spins is None else spins, dtype=np.float64)
    mom = model.moments
    H = Hamiltonian(model)

    def align(s):
        M = site_sum(mom, s)
        if np.linalg.norm(M) < 1e-9 * np.sum(mom):
            return np.tile(e, (len(s), 1))
        s = s @ rotation_to(M / np.linalg.norm(M), e).T
        return s / np.linalg.norm(s, axis=1, keepdims=True)

    s = align(s)
    E = H.energy(s)
    for _ in range(max_outer):
        t = sf.tangent_basis(s)  # (N, 2, 3)
        e1, e2 = t[:, 0], t[:, 1]
        # constraint rows: m_i (e_{1,2})⊥ for the two directions ⊥ ê
        p = sf.tangent_basis(e)[0]
        C = np.stack([np.concatenate([mom * (e1 @ q), mom * (e2 @ q)]) for q in p])  # (2, 2N)
        Q, _ = np.linalg.qr(C.T)  # (2N, 2) orthonormal basis of the constraint normals

        def proj(w):
            return w - Q @ site_gram(Q, w[:, None])[:, 0]

        s0 = s.copy()
        E0 = H.energy(s0)  # subtracted: L-BFGS's relative stopping rule then acts on the energy change

        def state(w):
            w = proj(w)
            u, v = w[:len(s0)], w[len(s0):]
            r2 = np.clip(u * u + v * v, 0.0, 0.999)
            c = np.sqrt(1.0 - r2)
            return s0 * c[:, None] + u[:, None] * e1 + v[:, None] * e2, u, v, c

        def fun(w):
            st, u, v, c = state(w)
            e_st, h = H.energy_and_fields(st)
            ds_du = e1 - (u / c)[:, None] * s0
            ds_dv = e2 - (v / c)[:, None] * s0
            g = -np.concatenate([np.sum(h * ds_du, axis=1), np.sum(h * ds_dv, axis=1)])
            return e_st - E0, proj(g)

        res = minimize(fun, np.zeros(2 * len(s0)), jac=True, method="L-BFGS-B",
                       options={"gtol": gtol, "ftol": 1e-15, "maxiter": 5000, "maxcor": 30})
        s = align(state(res.x)[0])
        E_new = H.energy(s)
        done = abs(E_new - E) <= 1e-12 * max(abs(E), 1.0)
        E = E_new
        if done:
            break
    h = H.fields(s)
    return s, float(E), np.cross(s, h).sum(axis=0)


def _zero_t_run(model, direction):
    s, E, tau = constrained_minimum(model, direction)
    e = np.asarray(direction, dtype=np.float64)
    t = sf.tangent_basis(e)[0]
    g = t @ np.cross(e, tau)
    M = float(np.linalg.norm(site_sum(model.moments, s)))
    sub = {}
    if model.sublattice is not None:
        for k in np.unique(model.sublattice):
            sel = model.sublattice == k
            sub[str(k)] = float(np.linalg.norm(site_sum(model.moments[sel], s[sel])))
    out = dict(g=g, err=np.zeros(2), tau_int=np.zeros(2), torque=tau, M=M, sub=sub, acceptance=float("nan"),
               energy=E)
    from atomspin.engine.arrays import is_macrocell
    from atomspin.engine.constrained import macrocell_torque

    dip = getattr(model, "dipolar", None)
    if dip is not None and (is_macrocell(dip) or hasattr(dip, "fields_meV")):
        # the dipolar term's share of the exact torque (landscape parts: the shape term as measured)
        tau_d = (macrocell_torque(s, np.asarray(model.moments, dtype=np.float64), dip.cell_of, dip.tensor)
                 if is_macrocell(dip) else np.sum(np.cross(s, np.asarray(dip.fields_meV(s, model.moments))), axis=0))
        out.update(g_dip=t @ np.cross(e, tau_d), err_dip=np.zeros(2), cov_g_dip=np.zeros(2))
    return out


# ----------------------------------------------------------------------------------------------- shape
def rigid_shape_tensor_meV(model, spins=None):
    """(3, 3) D (meV) with E_dip(σ_i n̂) = n̂ᵀ D n̂ for the rigid rotation of the collinear state.

    σ_i = sign of ŝ_i·M̂ in ``spins`` (default ``model.spins``): the Néel state of a ferrimagnet. Evaluated from
    the model's own dipolar term (its ``energy_meV(spins, moments)`` when it provides one, else the macrocell
    tensor) at six collinear states; zero without dipolar terms.
    """
    dip = getattr(model, "dipolar", None)
    if dip is None:
        return np.zeros((3, 3))
    s = np.asarray(model.spins if spins is None else spins, dtype=np.float64)
    M = site_sum(model.moments, s)
    sig = np.sign(s @ (M / np.linalg.norm(M))) if np.linalg.norm(M) > 0 else np.ones(len(s))
    sig[sig == 0] = 1.0

    def E(n):
        n = np.asarray(n, dtype=np.float64) / np.linalg.norm(n)
        st = sig[:, None] * n[None, :]
        if hasattr(dip, "energy_meV"):
            return float(dip.energy_meV(st, model.moments))
        nc = dip.n_cells
        mc = np.zeros((nc, 3))
        np.add.at(mc, dip.cell_of, model.moments[:, None] * st)
        return float(-0.5 * np.einsum("ci,cdij,dj->", mc, dip.tensor, mc))

    D = np.diag([E((1, 0, 0)), E((0, 1, 0)), E((0, 0, 1))])
    for (i, j) in ((0, 1), (0, 2), (1, 2)):
        v = np.zeros(3)
        v[i] = v[j] = 1.0
        D[i, j] = D[j, i] = E(v) - 0.5 * (D[i, i] + D[j, j])
    return D


