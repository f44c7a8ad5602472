"""Spin disorder and magnetisation at plane defects: one particle with and without a boundary.

:func:`compare_boundaries` runs the same Monte Carlo protocol on several variants of a particle (e.g.
the defect-free particle, the same particle with a {111} twin, with an APB) and measures, for each,

* the local canting (against the neighbour reference, :func:`~atomspin.measure.disorder.local_canting_angles`)
  of core sites (deeper than ``core_depth_nm``) versus their distance from one reference plane — the
  boundary's plane, measured in the control particle too, so that the profiles compare like with like;
* the reduced moment m(B) = ⟨M·ĥ⟩/Σm_i at high fields (:func:`~atomspin.measure.hysteresis.hysteresis_loop`)
  next to the collinear Néel moment of the structure (A antiparallel to B, T = 0) divided by Σm_i:
  a boundary that keeps the ferrimagnetic order across it changes m only through the cations it
  removes (m/m_Néel unchanged); one that frustrates it (the AF 180° links of an APB) lowers m below;
* the angle between the magnetisations of the two grains of a twin or grain boundary.

Twins in magnetite: the Fe–O–Fe superexchange across the (111) twin is of the bulk kind (Gilks et al.,
Sci. Rep. 6, 20943 (2016) [C, abstract]); APBs couple their two sides antiferromagnetically (McKenna et al.,
Nat. Commun. 5, 5740 (2014)) and lower M at high field (Nedelkoski et al., Sci. Rep. 7, 45997 (2017)).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from atomspin.measure.results import ResultBase, check_finite_scalar


@dataclass
class BoundaryComparison(ResultBase):
    """Variants of one particle compared across a plane defect (see the module docstring).

    Attributes
    ----------
    names : variant names.
    distance_bins_nm : (B,) bin centres (nm) of the distance from the reference plane.
    canting_deg, canting_sem, canting_count : (V, B) local canting of core sites, its standard error
        and the number of sites per bin.
    fields_T : (F,) fields (tesla) of the m(B) points.
    m, m_err : (V, F) reduced moment along the field and its standard error.
    m_neel : (V,) collinear Néel moment / Σm_i of each structure (T = 0 bookkeeping).
    grain_angle_deg : (V,) angle between the two grains' magnetisations at zero field (NaN: one grain).
    n_spins : (V,) spins per variant. T_K, sweeps, seed.
    """

    names: list
    distance_bins_nm: np.ndarray
    canting_deg: np.ndarray
    canting_sem: np.ndarray
    canting_count: np.ndarray
    fields_T: np.ndarray
    m: np.ndarray
    m_err: np.ndarray
    m_neel: np.ndarray
    grain_angle_deg: np.ndarray
    n_spins: np.ndarray
    T_K: float
    sweeps: int
    seed: int
    plane: dict = field(repr=False, default=None)

    def excess_canting_deg(self, near_bins=1):
        """(V,) mean canting of the first ``near_bins`` bins minus that of the farther bins."""
        c, n = self.canting_deg, self.canting_count
        near = np.nansum(c[:, :near_bins] * n[:, :near_bins], axis=1) / n[:, :near_bins].sum(axis=1)
        far = np.nansum(c[:, near_bins:] * n[:, near_bins:], axis=1) / np.maximum(n[:, near_bins:].sum(axis=1), 1)
        return near - far

    def plot(self, ax=None, **kwargs):
        """Two panels: canting versus distance from the plane, and m/m_Néel versus field."""
        import matplotlib.pyplot as plt

        if ax is None:
            fig, ax = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
        ax0, ax1 = (ax if np.ndim(ax) else (ax, None))
        for k, name in enumerate(self.names):
            ok = self.canting_count[k] > 0
            ax0.errorbar(self.distance_bins_nm[ok], self.canting_deg[k, ok], yerr=self.canting_sem[k, ok], fmt="o-",
                         capsize=2, label=name, **kwargs)
        ax0.set_xlabel("distance from the boundary plane (nm), sites > core depth")
        ax0.set_ylabel("local canting angle (°)")
        ax0.legend(fontsize=8)
        if ax1 is not None:
            for k, name in enumerate(self.names):
                ax1.errorbar(self.fields_T, self.m[k] / self.m_neel[k], yerr=self.m_err[k] / self.m_neel[k], fmt="s-",
                             capsize=2, label=f"{name} (m_Néel = {self.m_neel[k]:.3f})")
            ax1.set_xlabel("μ0H (T)")
            ax1.set_ylabel("m / m_Néel (moment / collinear T = 0 moment)")
            ax1.legend(fontsize=8)
            ax1.set_title(f"T = {self.T_K:g} K", fontsize=9)
        return ax


def neel_fraction(atoms):
    """Collinear Néel moment of a structure (A antiparallel to B, rock salt type-II AF) divided by
    the summed moment magnitudes Σm_i: the reduced moment of the ideal ferrimagnet."""
    from atomspin.structures import net_moment_muB

    return abs(net_moment_muB(atoms)) / float(np.sum(atoms.arrays["moment_muB"]))


def compare_boundaries(variants, plane, *, T=10.0, fields_T=(5.0, 3.0, 1.0), sweeps=2000, sweeps_per_point=400,
                       bins_nm=(0.0, 0.5, 1.0, 1.5), core_depth_nm=1.0, seed=1):
    """Compare particles with and without a plane defect (see the module docstring).

    Parameters
    ----------
    variants : dict name → labelled ase.Atoms (e.g. {"no twin": p, "twin": insert_twin(p)}).
    plane : a plane-defect record (``structures.plane_defects(atoms)[k]``): the reference plane of the
        distance profile, used for every variant.
    T : float ≥ 0, K.
    fields_T : field values (tesla) of the m(B) points, from high to low.
    sweeps : Monte Carlo sweeps at zero field from the ideal ferrimagnet for the canting profile.
    sweeps_per_point : sweeps per field point of m(B).
    bins_nm : increasing bin edges (nm) of the distance from the plane.
    core_depth_nm : only sites deeper than this below the surface enter the profile (nm).
    seed : Monte Carlo seed (the same for every variant).
    """
    from atomspin.engine import Simulation
    from atomspin.measure.disorder import binned_profile, distance_to_plane_nm, local_canting_angles
    from atomspin.measure.hysteresis import hysteresis_loop
    from atomspin.model import SpinModel
    from atomspin.structures.plotting import grain_moments
    from atomspin.validation import check_int, check_seed

    if not isinstance(variants, dict) or not variants:
        raise ValueError("variants: need a non-empty dict name → ase.Atoms")
    if not isinstance(plane, dict) or "point_A" not in plane:
        raise ValueError("plane: need a plane-defect record (structures.plane_defects(atoms)[k])")
    T = check_finite_scalar("T", T, 0.0, np.inf)
    sweeps = check_int("sweeps", sweeps, 1)
    spp = check_int("sweeps_per_point", sweeps_per_point, 1)
    core = check_finite_scalar("core_depth_nm", core_depth_nm, 0.0, np.inf)
    seed = check_seed(seed)
    fields = np.asarray(fields_T, dtype=float)
    if fields.ndim != 1 or len(fields) < 3 or not np.all(np.isfinite(fields)):
        raise ValueError("fields_T: need at least 3 finite fields (tesla)")
    edges = np.asarray(bins_nm, dtype=float)
    names = list(variants)
    nb, nf, nv = len(edges) - 1, len(fields), len(names)
    out = {k: np.full((nv, nb), np.nan) for k in ("c", "e")}
    cnt = np.zeros((nv, nb), int)
    m = np.zeros((nv, nf))
    me = np.zeros((nv, nf))
    neel = np.zeros(nv)
    gang = np.full(nv, np.nan)
    nsp = np.zeros(nv, int)
    for k, name in enumerate(names):
        at = variants[name]
        model = SpinModel.from_atoms(at)
        nsp[k] = model.n
        sim = Simulation(model, T, seed=seed)
        sim.run(sweeps, observe_every=sweeps)
        s = sim.spins
        th = local_canting_angles(model, s)
        depth = np.asarray(at.arrays["depth_nm"])[model.atom_index]
        dist = distance_to_plane_nm(model.positions, plane)
        deep = (depth > core) & np.isfinite(th)
        _, out["c"][k], out["e"][k], cnt[k] = binned_profile(dist[deep], th[deep], edges)
        h = hysteresis_loop(model, T, fields, sweeps_per_point=spp, seed=seed)
        m[k], me[k] = h.m, h.m_err
        neel[k] = neel_fraction(at)
        gm = grain_moments(at, s, model.atom_index)
        if len(gm) == 2:
            (a, _), (b, _) = gm.values()
            gang[k] = float(np.degrees(np.arccos(np.clip(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)), -1, 1))))
    return BoundaryComparison(names=names, distance_bins_nm=0.5 * (edges[1:] + edges[:-1]), canting_deg=out["c"],
                              canting_sem=out["e"], canting_count=cnt, fields_T=fields, m=m, m_err=me, m_neel=neel,
                              grain_angle_deg=gang, n_spins=nsp, T_K=float(T), sweeps=sweeps, seed=seed, plane=plane)


def _grain_of_spins(model, atoms):
    """Per-spin grain labels (``atoms.arrays["grain"]`` through ``model.atom_index``), validated."""
    if "grain" not in getattr(atoms, "arrays", {}):
        raise ValueError("atoms: needs the per-atom 'grain' label (structures.build_multicore / build_bicrystal)")
    if model.atom_index is None or len(model.atom_index) != model.n or \
            (model.n and int(np.max(model.atom_index)) >= len(atoms)):
        raise ValueError("atoms: the model was not compiled from these atoms (atom_index does not match)")
    return np.asarray(atoms.arrays["grain"], dtype=np.int64)[model.atom_index]


def decouple_grains(model, atoms):
    """A copy of ``model`` with every exchange pair between spins of different grains set to J = 0.

    The "same cores without inter-core exchange" control of a multi-core particle: the structure, the
    intra-grain exchange, the anisotropy (including the Néel term of the boundary sites, whose bonds are
    those of the real interface) and the dipolar interaction (between cores too) are unchanged; only the
    Fe–O–Fe superexchange across the grain boundaries is cut. The CSR pattern is kept (the pairs stay,
    with J = 0), so every kernel runs unchanged.

    Parameters
    ----------
    model : SpinModel compiled from ``atoms`` (``SpinModel.from_atoms(atoms)``).
    atoms : ase.Atoms with the per-atom ``grain`` label.

    Returns
    -------
    SpinModel: ``info["decoupled_grains"]`` = {"pairs_cut": number of pairs (each counted once),
    "J_cut_meV": their summed coupling Σ J (meV, each pair once)}.
    """
    import dataclasses

    g = _grain_of_spins(model, atoms)
    row = np.repeat(np.arange(model.n), np.diff(model.indptr))
    cross = g[row] != g[model.indices]
    J = model.J.copy()
    cut = dict(pairs_cut=int(np.sum(cross)) // 2, J_cut_meV=float(np.sum(J[cross])) / 2.0)
    J[cross] = 0.0
    info = dict(model.info)
    info["decoupled_grains"] = cut
    return dataclasses.replace(model, J=J, spins=model.spins.copy(), info=info)


@dataclass
class GrainAlignment(ResultBase):
    """How collectively the grains (cores) of a multi-core particle magnetise (:func:`grain_alignment`).

    Attributes
    ----------
    start : "aligned" (the collinear ferrimagnet, one direction for every core) or "random" (each core's
        spins rotated rigidly by its own random rotation).
    grains : (G,) grain labels; grain_spins (G,) spins per grain.
    angle_to_total_deg, angle_to_total_err_deg : spin-weighted root-mean-square angle between each core's moment
        M_g and the total moment M = Σ M_g over the sampled second half of the run, and its standard error
        over the samples (blocking into 4 blocks).
    pair_angle_deg : (G, G) mean angle between the moments of two cores (second half).
    coherence, coherence_err : |Σ M_g| / Σ |M_g| averaged over the second half (1 = one macrospin;
        ≈ 1/√G for independent random cores), and its standard error.
    chi_ratio : ⟨|M|²⟩ / (Σ_g |M_g|)² — the zero-field equilibrium susceptibility μ0⟨|M|²⟩/(3k_BT V) relative
        to that of one rigid macrospin of the same moment (1 collective; 1/G for equal independent cores).
    angle_independent_deg : the same rms angle for independent isotropic cores (:func:`independent_angle_deg`).
    regime : "collective", "intermediate" or "independent" (:func:`regime_of`).
    angle_trace_deg : (S,) the rms angle per sample (whole run), sweeps : (S,) sweep of each sample.
    T_K, n_sweeps, seed. ``final_spins`` (attribute, not in ``to_dict``): the end state (N, 3), model order.
    """

    start: str
    grains: np.ndarray
    grain_spins: np.ndarray
    angle_to_total_deg: float
    angle_to_total_err_deg: float
    pair_angle_deg: np.ndarray
    coherence: float
    coherence_err: float
    chi_ratio: float
    angle_independent_deg: float
    regime: str
    angle_trace_deg: np.ndarray
    sweeps: np.ndarray
    T_K: float
    n_sweeps: int
    seed: int

    def plot(self, ax=None, **kwargs):
        """rms angle of the cores' moments to the total moment against Monte Carlo sweeps."""
        ax = self._axes(ax)
        ax.plot(self.sweeps, self.angle_trace_deg, label=kwargs.pop("label", f"start: {self.start}"), **kwargs)
        ax.set_xlabel("Monte Carlo sweeps")
        ax.set_ylabel("rms angle core moment – total moment (°)")
        ax.legend(fontsize=8)
        return ax


#: regime thresholds on θ/θ_ind, the rms core–total angle of :func:`grain_alignment` over that of independent
#: isotropic cores of the same sizes (:func:`independent_angle_deg`). Derived conventions: a rigid macrospin gives
#: 0; below 1/3 the cores' moments stay within ~20° of the total (collective, one macrospin); above 0.85 the
#: angle is that of independent cores within the ≈ 5 % statistical error of a 4000-sweep run (independent).
COLLECTIVE_MAX_RATIO = 1.0 / 3.0
INDEPENDENT_MIN_RATIO = 0.85


def independent_angle_deg(grain_spins, n_samples=20000, seed=0):
    """rms angle (degrees) between each core's moment and the total moment for independent, isotropically
    distributed core moments with magnitudes ∝ ``grain_spins`` (spin-weighted as in :func:`grain_alignment`):
    the independent-core reference, by sampling (seeded; ≈ 0.2° sampling error at the default size). Three
    equal cores: 61°; seven: 75°."""
    from atomspin.validation import check_int, check_seed

    w = np.asarray(grain_spins, dtype=float)
    if w.ndim != 1 or len(w) < 2 or not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise ValueError(f"grain_spins: need ≥ 2 positive counts, got {np.asarray(grain_spins).tolist()}")
    n_samples = check_int("n_samples", n_samples, 100)
    rng = np.random.default_rng(check_seed(seed))
    u = rng.normal(size=(n_samples, len(w), 3))
    u /= np.linalg.norm(u, axis=2)[..., None]
    M = w[None, :, None] * u
    tot = M.sum(axis=1)
    c = np.einsum("skx,sx->sk", u, tot) / np.maximum(np.linalg.norm(tot, axis=1)[:, None], 1e-300)
    a = np.degrees(np.arccos(np.clip(c, -1.0, 1.0)))
    return float(np.sqrt(np.mean((a ** 2 * w).sum(axis=1) / w.sum())))


def regime_of(angle_deg, independent_deg):
    """"collective" (one macrospin), "independent" (cores on their own) or "intermediate" from the ratio of the
    measured rms core–total angle to the independent-core value (:data:`COLLECTIVE_MAX_RATIO`,
    :data:`INDEPENDENT_MIN_RATIO`)."""
    a = check_finite_scalar("angle_deg", angle_deg, 0.0, 180.0)
    ind = check_finite_scalar("independent_deg", independent_deg, 0.0, 180.0, lo_open=True)
    r = a / ind
    return "collective" if r < COLLECTIVE_MAX_RATIO else ("independent" if r > INDEPENDENT_MIN_RATIO else
                                                          "intermediate")


def _random_rotations(n, rng):
    from atomspin.structures.grains import random_rotation

    return [random_rotation(rng) for _ in range(n)]


def grain_alignment(model, atoms, T, *, sweeps=4000, observe_every=20, start="random", collective_every=2, seed=0):
    """Free (unconstrained) Monte Carlo at zero field that follows the moment of every grain.

    Single-spin sweeps alone cannot turn a whole core within a few hundred sweeps (a core's moment diffuses
    by ~σ²/N rad² per sweep), so every ``collective_every`` sweeps each grain is offered a rigid rotation
    (:class:`atomspin.engine.Simulation` ``collective_groups`` = the grains; Metropolis on the exact ΔE:
    exchange bonds across the boundaries, anisotropy and the model's dipolar term). Equilibrium then does not
    depend on the start: cores joined by boundary exchange stiffer than k_BT align (one macrospin), cores
    that are not turn independently. The check: runs from ``start="random"`` (independent random core
    directions) and ``"aligned"`` (the collinear ferrimagnet) must end in the same spread. With a dipolar
    object each collective attempt costs two dipolar energy evaluations (O(N²) for the exact sum): pass a
    model without dipolar terms for large particles and bound the inter-core dipolar energy separately
    (:func:`core_dipolar_coupling`).

    Parameters
    ----------
    model : SpinModel compiled from ``atoms`` (zero field; e.g. :func:`decouple_grains` output).
    atoms : ase.Atoms with the per-atom ``grain`` label (≥ 2 grains).
    T : float ≥ 0, K (physical; the model's temperature rescaling applies).
    sweeps : int ≥ 2·observe_every; observe_every : int ≥ 1 (sweeps between samples).
    start : "random" or "aligned".
    collective_every : int ≥ 0: sweeps between rigid per-grain rotation attempts (0: single-spin moves only).
    seed : int ≥ 0 (the random core rotations and the Monte Carlo).

    Returns
    -------
    GrainAlignment
    """
    from atomspin.engine import Simulation
    from atomspin.validation import check_choice, check_int, check_seed

    T = check_finite_scalar("T", T, 0.0, np.inf)
    observe_every = check_int("observe_every", observe_every, 1)
    sweeps = check_int("sweeps", sweeps, 2 * observe_every)
    check_choice("start", start, ("random", "aligned"))
    collective_every = check_int("collective_every", collective_every, 0)
    seed = check_seed(seed)
    g = _grain_of_spins(model, atoms)
    labels, gidx = np.unique(g, return_inverse=True)
    G = len(labels)
    if G < 2:
        raise ValueError(f"atoms: needs at least 2 grains, got {G}")
    rng = np.random.default_rng(seed)
    spins = model.spins.copy()
    if start == "random":
        for k, R in enumerate(_random_rotations(G, rng)):
            spins[gidx == k] = spins[gidx == k] @ R.T
    import dataclasses

    m = dataclasses.replace(model, spins=spins)
    sim = Simulation(m, T, seed=int(rng.integers(2**31)), collective_every=collective_every,
                     collective_groups=gidx.astype(np.int64))
    w = model.moments
    S = sweeps // observe_every
    Mg = np.zeros((S, G, 3))
    for s in range(S):
        sim.run(observe_every, observe_every=observe_every)
        mu = w[:, None] * sim.spins
        for k in range(G):
            Mg[s, k] = mu[gidx == k].sum(axis=0)
    tot = Mg.sum(axis=1)
    nrm = np.linalg.norm(Mg, axis=2)
    cos = np.einsum("skx,sx->sk", Mg, tot) / np.maximum(nrm * np.linalg.norm(tot, axis=1)[:, None], 1e-300)
    ang = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
    wts = np.bincount(gidx, minlength=G).astype(float)
    rms = np.sqrt((ang ** 2 * wts).sum(axis=1) / wts.sum())
    coh = np.linalg.norm(tot, axis=1) / nrm.sum(axis=1)
    half = slice(S // 2, S)

    def mean_err(x):
        x = np.asarray(x)[half]
        b = np.array_split(x, 4)
        means = np.array([v.mean() for v in b if len(v)])
        return float(x.mean()), float(means.std(ddof=1) / np.sqrt(len(means))) if len(means) > 1 else float("nan")

    a_mean, a_err = mean_err(rms)
    c_mean, c_err = mean_err(coh)
    u = Mg[half] / np.maximum(nrm[half], 1e-300)[..., None]
    pair = np.degrees(np.arccos(np.clip(np.einsum("skx,slx->skl", u, u), -1, 1))).mean(axis=0)
    chi = float(np.mean(np.sum(tot[half] ** 2, axis=1)) / np.mean(nrm[half].sum(axis=1) ** 2))
    ind = independent_angle_deg(wts)
    res = GrainAlignment(start=start, grains=labels, grain_spins=wts.astype(int), angle_to_total_deg=a_mean,
                         angle_to_total_err_deg=a_err, pair_angle_deg=pair, coherence=c_mean, coherence_err=c_err,
                         chi_ratio=chi, angle_independent_deg=ind, regime=regime_of(a_mean, ind),
                         angle_trace_deg=rms, sweeps=observe_every * np.arange(1, S + 1),
                         T_K=float(T), n_sweeps=int(sweeps), seed=int(seed))
    res.final_spins = sim.spins  # the end state (model order), for pictures; not part of to_dict()
    return res


def core_dipolar_coupling(model, atoms, T):
    """Largest point-dipole coupling between two grains, in units of k_BT: max over pairs of 2μ0 m_i m_j /
    (4π r_ij³) (head-to-tail minus perpendicular scale) with m_g = |Σ_i m_i ŝ_i| of grain g in the model's
    current state (the collinear T = 0 ferrimagnet for a fresh model: an upper bound at T > 0) and r_ij the
    distance between the grains' moment-weighted centres. A bound on how much the dipolar interaction alone
    can correlate the cores (≪ 1: independent cores)."""
    from atomspin.units import K_B, MU_0, MU_B

    T = check_finite_scalar("T", T, 0.0, np.inf, lo_open=True)
    g = _grain_of_spins(model, atoms)
    labels, gidx = np.unique(g, return_inverse=True)
    mu = model.moments[:, None] * model.spins
    mg = np.array([np.linalg.norm(mu[gidx == k].sum(axis=0)) for k in range(len(labels))])
    cen = np.array([np.average(model.positions[gidx == k], axis=0, weights=model.moments[gidx == k])
                    for k in range(len(labels))])
    best = 0.0
    for i in range(len(labels)):
        for j in range(i + 1, len(labels)):
            r = np.linalg.norm(cen[i] - cen[j]) * 1e-10
            e = 2 * MU_0 / (4 * np.pi) * (mg[i] * MU_B) * (mg[j] * MU_B) / r ** 3
            best = max(best, e / (K_B * T))
    return float(best)


def boundary_figures(outdir, scale="reduced", seed=1, T=10.0, parts=("twin", "flower")):
    """Figures of the twin and nanoflower physics (reproducible from the seed), written to ``outdir``:

    1. ``twin_vs_apb.png`` — local canting of core sites versus the distance from the boundary plane
       and m/m_Néel versus field for a magnetite sphere without defect, with a (111) twin and with a
       (110) APB (:func:`compare_boundaries`, T = ``T``);
    2. ``twin_cross_section.png`` — spins of a slab through the twinned particle, coloured by the local
       canting, with the twin plane and its zone;
    3. ``nanoflower_grains.png`` — cross-section by grain and per-grain magnetisation of a 5-core
       nanoflower with random core orientations after Monte Carlo at ``T`` from the collinear
       ferrimagnet: the frustrated boundaries turn the grains' moments apart.

    ``scale``: "reduced" (5 nm sphere, 2.5 nm cores) or "full" (8 nm sphere, 4 nm cores); ``parts``: which
    of "twin" (figures 1, 2) and "flower" (figure 3) to make. Returns a dict of the numbers shown and the
    figure paths.
    """
    import os

    import matplotlib

    matplotlib.use("Agg")

    if scale not in ("reduced", "full"):
        raise ValueError(f"scale: {scale!r} is not one of 'reduced', 'full'")
    os.makedirs(outdir, exist_ok=True)
    D, sweeps, dcore = (5.0, 2000, 2.5) if scale == "reduced" else (8.0, 4000, 4.0)
    out = {}
    if "twin" in parts:
        out.update(_twin_figures(outdir, D, sweeps, seed, T))
    if "flower" in parts:
        out.update(_flower_figure(outdir, dcore, sweeps, seed, T))
    return out


def _twin_figures(outdir, D, sweeps, seed, T):
    import os

    import matplotlib.pyplot as plt

    from atomspin import structures as S
    from atomspin.engine import Simulation
    from atomspin.measure.disorder import local_canting_angles
    from atomspin.model import SpinModel

    p = S.build_particle("Fe3O4", "sphere", D, seed=seed)
    tw = S.insert_twin(p, (1, 1, 1), seed=seed)
    ap = S.insert_apb(p, (1, 1, 0), seed=seed)
    rt = compare_boundaries({"no defect": p, "twin (111)": tw}, S.plane_defects(tw)[0], T=T, sweeps=sweeps, seed=seed)
    ra = compare_boundaries({"APB (110)": ap}, S.plane_defects(ap)[0], T=T, sweeps=sweeps, seed=seed)
    fig, ax = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    rt.plot(ax=ax)
    for k, name in enumerate(ra.names):
        ok = ra.canting_count[k] > 0
        ax[0].errorbar(ra.distance_bins_nm[ok], ra.canting_deg[k, ok], yerr=ra.canting_sem[k, ok], fmt="o--",
                       capsize=2, label=f"{name} (distance from its plane)")
        ax[1].errorbar(ra.fields_T, ra.m[k] / ra.m_neel[k], yerr=ra.m_err[k] / ra.m_neel[k], fmt="s--", capsize=2,
                       label=f"{name} (m_Néel = {ra.m_neel[k]:.3f})")
    ax[0].legend(fontsize=8)
    ax[1].legend(fontsize=8)
    ax[0].set_title(f"{D:g} nm Fe3O4 sphere, T = {T:g} K, {sweeps} sweeps", fontsize=9)
    f1 = os.path.join(outdir, "twin_vs_apb.png")
    fig.savefig(f1, dpi=150)
    plt.close(fig)

    model = SpinModel.from_atoms(tw)
    sim = Simulation(model, T, seed=seed)
    sim.run(sweeps, observe_every=sweeps)
    th = local_canting_angles(model, sim.spins)
    f = S.plot_cross_section(tw, color_by="defect", spins=sim.spins, spin_index=model.atom_index, values=th,
                             value_label="local canting angle (°)", normal=(1, -1, 0), slab_nm=0.3,
                             title=f"(111) twin, {D:g} nm Fe3O4, T = {T:g} K: spins in a slab ⊥ the twin plane")
    f2 = os.path.join(outdir, "twin_cross_section.png")
    f.savefig(f2, dpi=150)
    plt.close(f)
    return dict(twin=rt.to_dict(), apb=ra.to_dict(), excess_canting_twin_deg=float(rt.excess_canting_deg()[1]),
                excess_canting_control_deg=float(rt.excess_canting_deg()[0]),
                excess_canting_apb_deg=float(ra.excess_canting_deg()[0]), figures_twin=[f1, f2])


def _flower_figure(outdir, dcore, sweeps, seed, T):
    import os

    import matplotlib.pyplot as plt

    from atomspin import structures as S
    from atomspin.engine import Simulation
    from atomspin.model import SpinModel
    from atomspin.structures.plotting import grain_moments

    fl = S.build_multicore(n_cores=5, core_diameter_nm=dcore, misorientation_deg=None, seed=seed)
    mf = SpinModel.from_atoms(fl, initial="ground", seed=seed)
    sf = Simulation(mf, T, seed=seed)
    sf.run(sweeps)
    fig, ax = plt.subplots(1, 2, figsize=(13, 6.5), layout="constrained")
    S.plot_cross_section(fl, color_by="grain", slab_nm=0.5, normal=(1, 0, 0), ax=ax[0])
    S.plot_grain_moments(fl, sf.spins, mf.atom_index, normal=(1, 0, 0), ax=ax[1],
                         title=f"5-core nanoflower, {dcore:g} nm cores, random orientations:\n"
                               f"M per grain after {sweeps} sweeps at {T:g} K from the collinear state")
    f3 = os.path.join(outdir, "nanoflower_grains.png")
    fig.savefig(f3, dpi=150)
    plt.close(fig)
    gm = grain_moments(fl, sf.spins, mf.atom_index)
    tot = sum(v for v, _ in gm.values())
    cosang = {k: float(v @ tot / (np.linalg.norm(v) * np.linalg.norm(tot))) for k, (v, _) in gm.items()}
    return dict(grain_cos_to_total=cosang, figures_flower=[f3])
