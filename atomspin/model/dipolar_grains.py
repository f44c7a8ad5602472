"""Point-dipole sums for particles whose sites lie on several crystal lattices (grains, nanoflower cores).

E_dip = −½ Σ_{i≠j} μ_iᵀ W_ij μ_j as in :mod:`atomspin.model.dipolar`, split by grain::

    H_i = Σ_{j∈g(i), j≠i} W_ij μ_j  +  Σ_{j∉g(i)} W_ij μ_j
          (intra-grain: exact)          (inter-grain: exact near field + multipole far field)

* **Intra-grain pairs, exact**: one :class:`~atomspin.model.dipolar_lattice.LatticeDipolar` per grain,
  built on the grain's own crystal grid. A grain's laboratory positions are r = o_g + R_g x (x on the
  crystal's fine grid, ``atoms.info["grains"]`` of :mod:`atomspin.structures.polycrystal`), so the sites
  x = R_gᵀ(r − o_g) lie on one orthogonal grid; moments enter as R_gᵀμ and fields return as R_g h
  (W_lab = R W_crystal Rᵀ). Boundary-zone sites off their grain's grid are summed pairwise by the
  lattice method (exact as well).
* **Inter-grain pairs**: an octree per grain in its crystal frame (leaves: cubes of ``leaf_A``, one
  spinel unit cell by default; level l: cubes of 2^l leaves; ρ: a node's radius about its centroid c).
  A dual traversal pairs target nodes T with source nodes B of other grains: when
  ρ_B ≤ θ (d − ρ_T) and ρ_T ≤ θ_T (d − ρ_B) (d = |c_T − c_B|; θ_T = θ for leaves, :data:`THETA_TARGET` θ
  above), B acts on T through its multipole expansion about c_B — dipole M_B = Σμ_j, first and second
  moments S_B = Σ δ_j ⊗ μ_j, Q_B = Σ δ_j ⊗ δ_j ⊗ μ_j (the field to second order in ρ_B/d) — evaluated at
  each site of a leaf T, and for larger T at 15 points around c_T, whose least-squares quadratic is T's
  local expansion (interpolation error (ρ_T/d)³, the same order) summed onto its sites; else the larger
  node is opened, and leaf pairs that never pass are summed exactly pair by pair. The approximation is the
  truncation of the two expansions, relative error ~ θ³ per far pair at the closest; the near field is
  exact, so the result converges to the pair sum as θ → 0 (tests/test_dipolar_grains.py; the accuracy
  against the pair sum is in docs/validation.md §9 and at :data:`THETA`).

The kernels are in :mod:`atomspin.model.dipolar_grains_kernels`.
Unlike the former macrocells (:func:`atomspin.model.dipolar.build_macrocells`), no intra-cell term is
dropped: only the far inter-grain field is expanded, and a node's first moment keeps the ferrimagnetic
sublattices' offsets. The interaction lists are built once (O(N log N)); one evaluation costs the grains'
FFTs, one multipole evaluation per far (site, node) pair of the leaves and 15 per far node pair above,
O(N log N) local-expansion terms and the exact near pairs across the boundaries.
"""

from __future__ import annotations

import json

import numpy as np

from atomspin.model.dipolar_grains_kernels import far_stencil, multipoles, near_and_local

#: opening angle of the inter-grain multipole (far) interactions: a node of radius ρ_B acts through its
#: expansion when ρ_B ≤ θ (d − ρ_T) (derived, measured against the pair sum on a 4 × 3 nm flower with
#: random core orientations: rms field error 5.7e-5, energy 1.7e-4 and anisotropic shape tensor 2.9e-4 at
#: θ = 0.2, against 1.9e-4 / 1.0e-3 / 1.3e-3 at 0.25; 3–7-core flowers in docs/validation.md §9)
THETA = 0.2
#: root pairs per chunk of the interaction-list traversal (bounds its temporary arrays; derived)
ROOT_CHUNK = 16
#: points (units of the target node's radius h) at which each far node's field is evaluated: the centre, the six
#: axis points and the eight cube corners on the unit sphere (symmetric, so that odd third-order terms do not
#: bias the fit); the least-squares quadratic through them (basis 1, u, u_a u_b) is the local expansion about
#: the target node's centroid (interpolation error (h/d)³, the order of the source expansion)
_STENCIL = np.vstack([np.zeros((1, 3)), np.vstack([np.eye(3), -np.eye(3)]),
                      np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)]) / np.sqrt(3.0)])


def _basis(u):
    """Quadratic basis (10,) at the offsets u (…, 3): 1, ux, uy, uz, ux², uy², uz², uxuy, uxuz, uyuz."""
    x, y, z = u[..., 0], u[..., 1], u[..., 2]
    return np.stack([np.ones_like(x), x, y, z, x * x, y * y, z * z, x * y, x * z, y * z], axis=-1)


_STENCIL_INV = np.linalg.pinv(_basis(_STENCIL))  # coefficients (10,) = _STENCIL_INV @ values at the points
_VOIGT = np.array([[0, 3, 4], [3, 1, 5], [4, 5, 2]])  # (xx, yy, zz, xy, xz, yz) index of tensor entry (a, b)
#: opening angle of target nodes above the leaves relative to θ (their local expansion: ρ_T ≤ f θ (d − ρ_B);
#: derived: see THETA)
THETA_TARGET = 0.7
#: leaf cube edge (Å) when the lattice constant is not given (derived: one magnetite unit cell, 8.396 Å)
LEAF_A = 8.4


def _shaped(name, value, shape):
    from atomspin.validation import check_array

    a = check_array(name, value)
    if a.ndim != len(shape) or any(w is not None and w != v for w, v in zip(shape, a.shape)):
        want = "(" + ", ".join("n" if w is None else str(w) for w in shape) + ")"
        raise ValueError(f"{name}: expected shape {want}, got {a.shape}")
    return np.ascontiguousarray(a)


class GrainDipolar:
    """Point-dipole energy and fields of a multi-grain particle: exact within grains, multipole-accelerated
    across them (module docstring).

    Parameters
    ----------
    positions_A : (N, 3) float, Å
        Magnetic-site positions in the laboratory frame (model order).
    grain : (N,) int
        Grain index of each site, 0 … G−1.
    rotations : (G, 3, 3) float
        Rotation of each grain's crystal frame into the laboratory (r = o_g + R_g x).
    origins_A : (G, 3) float, Å, optional
        Lattice origin o_g of each grain (default 0: the grid is then found from the positions).
    lattice_a_A : float, Å, optional
        Cubic lattice constant: fine grid a/8 (spinel cations), else found from the positions.
    theta : float
        Opening angle of the far-field expansion, (0, 1) (default :data:`THETA`).
    leaf_A : float, Å
        Leaf cube edge (default the lattice constant, else :data:`LEAF_A`).
    """

    method = "grains"

    def __init__(self, positions_A, grain, rotations, origins_A=None, lattice_a_A=None, theta=THETA, leaf_A=None,
                 max_bytes=None):
        from atomspin.model.dipolar import AUTO_EXACT_MAX_SPINS, DIP_PREFACTOR_MEV_A3, ExactDipolar
        from atomspin.model.dipolar_lattice import LatticeDipolar, find_fine_grid
        from atomspin.validation import check_positive, check_real

        pos = _shaped("positions_A", positions_A, (None, 3))
        n = len(pos)
        gr = np.asarray(grain)
        if gr.shape != (n,) or (n and not np.issubdtype(gr.dtype, np.integer)):
            raise ValueError(f"grain: expected {n} integer grain labels, got shape {gr.shape} dtype {gr.dtype}")
        R = _shaped("rotations", rotations, (None, 3, 3))
        ng = len(R)
        for g in range(ng):
            if not np.allclose(R[g] @ R[g].T, np.eye(3), atol=1e-8):
                raise ValueError(f"rotations: entry {g} is not an orthogonal 3×3 matrix (R Rᵀ ≠ 1)")
        if n and (ng == 0 or gr.min() < 0 or gr.max() >= ng):
            raise ValueError(f"grain: labels must lie in [0, {ng - 1}] (one rotation per grain), got "
                             f"[{gr.min()}, {gr.max()}]")
        o = np.zeros((ng, 3)) if origins_A is None else _shaped("origins_A", origins_A, (ng, 3))
        self.theta = check_real("theta", theta, 1e-3, 0.9)
        a = None if lattice_a_A is None else check_positive("lattice_a_A", lattice_a_A)
        self.leaf = check_positive("leaf_A", leaf_A if leaf_A is not None else (a if a is not None else LEAF_A))
        self.pref = DIP_PREFACTOR_MEV_A3
        self.positions, self.n, self.grain, self.R, self.n_grains = pos, n, gr.astype(np.int64), R, ng
        self.members = [np.flatnonzero(self.grain == g) for g in range(ng)]
        self.intra = []
        local = np.empty_like(pos)
        for g, idx in enumerate(self.members):
            x = (pos[idx] - o[g]) @ R[g]  # Rᵀ (r − o) row-wise
            local[idx] = x
            if len(idx) == 0:
                self.intra.append(None)
            elif len(idx) <= AUTO_EXACT_MAX_SPINS:
                self.intra.append(ExactDipolar(x))
            else:
                sp = org = None
                if a is not None:  # the crystal's own grid when it holds ≥ 90 % of the sites
                    for q in (8, 4, 2, 1):
                        f = x / (a / q)
                        if np.mean(np.all(np.abs(f - np.round(f)) <= 1e-6, axis=1)) >= 0.9:
                            sp, org = np.full(3, a / q), np.zeros(3)
                            break
                if sp is None and find_fine_grid(x)[0] is None:
                    raise ValueError(f"grain: the sites of grain {g} lie on no grid in its crystal frame "
                                     "(check rotations/origins_A); use dipolar='exact'")
                self.intra.append(LatticeDipolar(x, spacing_A=sp, origin_A=org, max_bytes=max_bytes))
        self._build_tree(local)
        self.memory_estimate = int(sum(getattr(d, "memory_estimate", 0) for d in self.intra if d is not None)
                                   + self._far_idx.nbytes + self._near_idx.nbytes + 200 * self.n_nodes)

    # ------------------------------------------------------------------ set-up
    def _build_tree(self, local):
        """Octree nodes per grain (crystal frame) and the far/near interaction lists of every leaf."""
        n, leaf = self.n, self.leaf
        keys = np.floor(local / leaf).astype(np.int64) if n else np.zeros((0, 3), np.int64)
        ext = np.ptp(keys, axis=0).max() + 1 if n else 1
        nlev = max(1, int(np.ceil(np.log2(max(ext, 1)))) + 1)
        node_of = np.empty((n, nlev), dtype=np.int64)
        starts, parents, levels, grains = [], [], [], []
        tot = 0
        for lev in range(nlev):
            k = np.floor_divide(keys, 2 ** lev)
            code = np.column_stack([self.grain, k - k.min(axis=0)]) if n else np.zeros((0, 4), np.int64)
            uniq, inv = np.unique(code, axis=0, return_inverse=True)
            node_of[:, lev] = inv.ravel() + tot
            starts.append(tot)
            levels.append(np.full(len(uniq), lev))
            grains.append(uniq[:, 0])
            tot += len(uniq)
        self.n_nodes, self.nlev = tot, nlev
        level = np.concatenate(levels)
        ngrain = np.concatenate(grains)
        cnt = np.bincount(node_of.ravel(), minlength=tot).astype(np.float64)
        cen = np.zeros((tot, 3))
        for c in range(3):
            cen[:, c] = np.bincount(node_of.ravel(), np.repeat(self.positions[:, c], nlev), minlength=tot)
        cen /= np.maximum(cnt, 1)[:, None]
        rad = np.zeros(tot)
        np.maximum.at(rad, node_of.ravel(), np.linalg.norm(np.repeat(self.positions, nlev, axis=0)
                                                           - cen[node_of.ravel()], axis=1))
        self._cen, self._rad, self._node_of = cen, rad, np.ascontiguousarray(node_of)
        # children of each node (level ≥ 1) as CSR over the nodes one level below
        par = np.full(tot, -1, dtype=np.int64)
        for lev in range(nlev - 1):
            par[node_of[:, lev]] = node_of[:, lev + 1]
        kids = np.flatnonzero(par >= 0)
        kids = kids[np.argsort(par[kids], kind="stable")]
        cptr = np.zeros(tot + 1, dtype=np.int64)
        np.add.at(cptr, par[kids] + 1, 1)
        cptr = np.cumsum(cptr)
        # leaves: sites sorted by leaf
        nleaf = starts[1] if nlev > 1 else tot
        order = np.argsort(node_of[:, 0], kind="stable")
        lptr = np.zeros(nleaf + 1, dtype=np.int64)
        lptr[1:] = np.cumsum(np.bincount(node_of[:, 0], minlength=nleaf))
        self._leaf_sites, self._leaf_ptr, self.n_leaves = order.astype(np.int64), lptr, nleaf
        # dual traversal (target node T, source node B of another grain) from the pairs of roots, in chunks
        roots = np.flatnonzero(level == nlev - 1)
        rt, rb = np.repeat(roots, len(roots)), np.tile(roots, len(roots))
        keep = ngrain[rt] != ngrain[rb]
        rt, rb = rt[keep], rb[keep]
        th = self.theta
        far_t, far_b, near_t, near_b = ([np.zeros(0, np.int64)] for _ in range(4))
        for c0 in range(0, len(rt), ROOT_CHUNK):
            tl, tb = rt[c0:c0 + ROOT_CHUNK], rb[c0:c0 + ROOT_CHUNK]
            while len(tl):
                d = np.linalg.norm(cen[tl] - cen[tb], axis=1)
                tt = np.where(level[tl] > 0, THETA_TARGET * th, th)
                far = (rad[tb] <= th * (d - rad[tl])) & (rad[tl] <= tt * (d - rad[tb]))
                far_t.append(tl[far])
                far_b.append(tb[far])
                tl, tb = tl[~far], tb[~far]
                both = (level[tl] == 0) & (level[tb] == 0)
                near_t.append(tl[both])
                near_b.append(tb[both])
                tl, tb = tl[~both], tb[~both]
                split_t = (level[tl] > 0) & ((rad[tl] >= rad[tb]) | (level[tb] == 0))
                parent = np.where(split_t, tl, tb)
                nk = cptr[parent + 1] - cptr[parent]
                first = np.repeat(cptr[parent], nk)
                off = np.arange(int(nk.sum())) - np.repeat(np.cumsum(nk) - nk, nk)
                child = kids[first + off]
                st = np.repeat(split_t, nk)
                tl, tb = np.where(st, child, np.repeat(tl, nk)), np.where(st, np.repeat(tb, nk), child)

        def csr(t, b, size):
            t, b = np.concatenate(t), np.concatenate(b).astype(np.int32)
            o = np.argsort(t, kind="stable")
            ptr = np.zeros(size + 1, dtype=np.int64)
            ptr[1:] = np.cumsum(np.bincount(t, minlength=size))
            return ptr, np.ascontiguousarray(b[o])

        self._far_ptr, self._far_idx = csr(far_t, far_b, tot)
        self._near_ptr, self._near_idx = csr(near_t, near_b, nleaf)
        self._h = np.maximum(rad, 0.5)  # stencil scale of the local expansion at each target node, Å
        self.n_far = len(self._far_idx)
        self.n_near_pairs = int(np.sum(np.diff(lptr)[np.repeat(np.arange(nleaf), np.diff(self._near_ptr))]
                                       * np.diff(lptr)[self._near_idx])) if len(self._near_idx) else 0
        nl = self._far_ptr[nleaf]  # far pairs with a leaf target: evaluated at each site
        self.n_far_terms = int(len(_STENCIL) * (self.n_far - nl)
                               + np.sum(np.diff(lptr) * np.diff(self._far_ptr[:nleaf + 1])))

    def describe(self):
        """One-line summary: grains, intra methods, interaction counts, memory."""
        kinds = [d.method for d in self.intra if d is not None]
        return (f"grains: {self.n_grains} grains ({kinds.count('lattice')} lattice FFT, {kinds.count('exact')} "
                f"exact pairwise) + inter-grain multipoles θ = {self.theta:g} on {self.leaf:.3g} Å leaves "
                f"({self.n_far} far node pairs, {self.n_near_pairs} exact pairs), "
                f"≈ {self.memory_estimate / 2**20:.1f} MiB")

    def work_estimate(self):
        """Estimated cost of one evaluation in the lattice FFT's work units (1.5 ns each; derived: an exact
        pair costs as in :meth:`ExactDipolar.work_estimate`, a second-order multipole evaluation ≈ 3 pairs)."""
        w = sum(d.work_estimate() for d in self.intra if d is not None)
        return float(w + 6.5 * self.n_near_pairs + 20.0 * self.n_far_terms + 50.0 * self.n * self.nlev)

    # ------------------------------------------------------------------ evaluation
    def _inter(self, src, charges=False):
        """Inter-grain fields (K, N, 3) meV/μB of K source sets ``src`` (K, N, 3) μB. ``charges``: the sets
        1, 2, 3 are q e_x, q e_y, q e_z (one scalar q): their exact near pairs are summed once, as the tensor
        Σ_j q_j W_ij."""
        src = np.ascontiguousarray(src, dtype=np.float64)
        out = np.zeros_like(src)
        if self.n_grains < 2 or self.n == 0:
            return out
        M = np.zeros((src.shape[0], self.n_nodes, 3))
        S = np.zeros((src.shape[0], self.n_nodes, 3, 3))
        Q = np.zeros((src.shape[0], self.n_nodes, 3, 3, 3))
        multipoles(self.positions, src, self._node_of, self._cen, M, S, Q)
        loc = np.zeros((src.shape[0], self.n_nodes, len(_STENCIL), 3))
        far_stencil(self._far_ptr, self._far_idx, self._cen, self._h, _STENCIL, M, S, Q, self.pref, loc,
                     self.n_leaves)
        coef = np.ascontiguousarray(np.einsum("qp,knpc->knqc", _STENCIL_INV, loc))
        q = np.ascontiguousarray(src[1, :, 0] if charges else np.zeros(0))
        g = np.zeros((self.n if charges else 0, 6))
        near_and_local(self.positions, src, q, self._leaf_ptr, self._leaf_sites, self._near_ptr, self._near_idx,
                        self._node_of, self._far_ptr, self._far_idx, self._cen, self._h, M, S, Q, coef, self.pref,
                        out, g)
        if charges:
            for l in range(3):
                for c in range(3):
                    out[1 + l, :, c] += g[:, _VOIGT[c, l]]
        return out

    def _lab(self, g, spins_or_mu):
        """Rows of grain g rotated into its crystal frame (Rᵀ v)."""
        return np.ascontiguousarray(spins_or_mu[self.members[g]] @ self.R[g])

    def field_per_moment(self, mu):
        """H_i = Σ_{j≠i} W_ij μ_j (N, 3) in meV/μB."""
        mu = np.ascontiguousarray(mu, dtype=np.float64).reshape(self.n, 3)
        out = self._inter(mu[None])[0]
        for g, d in enumerate(self.intra):
            if d is not None:
                out[self.members[g]] += d.field_per_moment(self._lab(g, mu)) @ self.R[g].T
        return out

    def fields_meV(self, spins, moments):
        """−∂E_dip/∂ŝ_i (N, 3) in meV."""
        from atomspin.model.dipolar import _check_state

        s, m = _check_state(spins, moments, self.n)
        return m[:, None] * self.field_per_moment(m[:, None] * s)

    def energy_meV(self, spins, moments):
        """E_dip in meV (intra-grain exact, inter-grain −½ Σ μ_i·H_i^inter)."""
        from atomspin.model.dipolar import _check_state

        s, m = _check_state(spins, moments, self.n)
        mu = m[:, None] * s
        e = 0.0
        for g, d in enumerate(self.intra):
            if d is not None:
                e += d.energy_meV(self._lab(g, s), m[self.members[g]])
        return float(e - 0.5 * np.sum(mu * self._inter(mu[None])[0]))

    def rotation_tensor_meV(self, spins, moments):
        """T (3, 3, 3, 3) meV with E_dip(R ŝ) = −½ Σ R_kα R_lβ T_klαβ (T_klαβ = Σ_{i≠j} μ_iα W_ij,kl μ_jβ)."""
        from atomspin.model.dipolar import _check_state

        s, m = _check_state(spins, moments, self.n)
        mu = m[:, None] * s
        src = np.zeros((9, self.n, 3))
        for l in range(3):
            for be in range(3):
                src[3 * l + be, :, l] = mu[:, be]
        h = self._inter(src)  # (lβ, i, k)
        t = np.einsum("ia,lbik->klab", mu, h.reshape(3, 3, self.n, 3))
        for g, d in enumerate(self.intra):
            if d is not None:
                R = self.R[g]
                tl = d.rotation_tensor_meV(self._lab(g, s), m[self.members[g]])
                t += np.einsum("kw,lx,ay,bz,wxyz->klab", R, R, R, R, tl)
        return t

    def fields_and_rotation_tensor_meV(self, spins, moments):
        """(fields (N, 3) meV, rotation tensor (3, 3, 3, 3) meV)."""
        return self.fields_meV(spins, moments), self.rotation_tensor_meV(spins, moments)

    def fields_and_axis_shape_tensor_meV(self, spins, moments, axis):
        """(fields (N, 3) meV, D (3, 3) meV of the charges q_i = μ_i·n̂ along the unit vector ``axis``): the
        refresh data of the dipolar sweepers (one transform per grain, four inter-grain source sets)."""
        from atomspin.model.dipolar import _check_state

        s, m = _check_state(spins, moments, self.n)
        mu = m[:, None] * s
        nh = np.asarray(axis, dtype=np.float64).reshape(3)
        q = mu @ nh
        src = np.zeros((4, self.n, 3))
        src[0] = mu
        for l in range(3):
            src[1 + l, :, l] = q
        h = self._inter(src, charges=True)
        d = -0.5 * np.einsum("i,lik->kl", q, h[1:])
        out = m[:, None] * h[0]
        for g, dg in enumerate(self.intra):
            if dg is None:
                continue
            R, idx = self.R[g], self.members[g]
            hg, dl = dg.fields_and_axis_shape_tensor_meV(self._lab(g, s), m[idx], R.T @ nh)
            out[idx] += hg @ R.T
            d += R @ dl @ R.T
        return out, 0.5 * (d + d.T)

    def charge_shape_tensor_meV(self, q):
        """D (3, 3) meV = −½ Σ_{i≠j} q_i q_j W_ij for signed moments q (N,) μB along one axis."""
        q = np.asarray(q, dtype=np.float64).reshape(self.n)
        src = np.zeros((3, self.n, 3))
        for l in range(3):
            src[l, :, l] = q
        d = -0.5 * np.einsum("i,lik->kl", q, self._inter(src))
        for g, dg in enumerate(self.intra):
            if dg is not None:
                d += self.R[g] @ dg.charge_shape_tensor_meV(q[self.members[g]]) @ self.R[g].T
        return 0.5 * (d + d.T)

    def shape_tensor_meV(self, spins, moments):
        """D (3, 3) meV with E_dip(R ŝ) = (R n̂)ᵀ D (R n̂) for the collinear state ``spins``."""
        from atomspin.model.dipolar import _collinear_charges

        return self.charge_shape_tensor_meV(_collinear_charges(spins, moments))


def grain_dipolar_from_info(positions_A, grain, info, **kw):
    """:class:`GrainDipolar` from a builder's ``atoms.info`` (``grains`` records with ``id``, ``rotation``,
    ``origin_A``; ``lattice_a_A``) and the magnetic sites' grain labels (ValueError naming ``grain`` or
    ``atoms.info['grains']`` when they are missing or inconsistent)."""
    if grain is None:
        raise ValueError("grain: dipolar='grains' needs the per-site grain labels (atoms.arrays['grain'])")
    rec = None if info is None else info.get("grains")
    if not rec:
        raise ValueError("atoms.info['grains']: dipolar='grains' needs the grains' rotations (a polycrystal "
                         "builder's records: structures.build_multicore, build_bicrystal)")
    rec = json.loads(rec) if isinstance(rec, str) else list(rec)
    ids = [int(r["id"]) for r in rec]
    if sorted(ids) != list(range(len(rec))):
        raise ValueError(f"atoms.info['grains']: ids must be 0 … {len(rec) - 1}, got {sorted(ids)}")
    rec = sorted(rec, key=lambda r: int(r["id"]))
    R = np.array([r["rotation"] for r in rec], dtype=np.float64)
    o = np.array([r.get("origin_A", [0.0, 0.0, 0.0]) for r in rec], dtype=np.float64)
    a = info.get("lattice_a_A")
    return GrainDipolar(positions_A, np.asarray(grain).astype(np.int64), R, o,
                        lattice_a_A=None if a is None else float(a), **kw)
