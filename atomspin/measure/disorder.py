"""Spin disorder: canting against the ideal ferrimagnetic reference, profiles, correlations, dead layer.

Reference state
---------------
The ideal ferrimagnetic reference has A spins antiparallel to B spins, with the net moment along
the axis **n**. Each site gets a sign σ_i from its sublattice (default σ_A = −1, σ_B = +1, so for
magnetite/maghemite, where the B moment dominates, n is the net-moment direction). n is the
direction of the staggered moment L = Σ σ_i m_i ŝ_i over the signed sites. The canting angle of a
signed site is θ_i = arccos(σ_i ŝ_i·n) ∈ [0°, 180°]. Sites whose sublattice has no sign (e.g. the
rock-salt "R" cations of an antiferromagnetic FeO core) are measured against the collinear axis:
θ_i = arccos(|ŝ_i·n|) ∈ [0°, 90°]. With no signed sites at all, n is the principal axis of
Σ m_i ŝ_i ŝ_iᵀ (oriented along the net moment).

Depth below the surface comes from ``atoms.arrays['depth_nm']`` (structures contract) when
``atoms`` is given, else from the ``depth_nm`` argument, else it is estimated for an open particle
as R_max − |r − centroid| (exact for a sphere).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from atomspin.measure.results import ResultBase, check_direction, check_finite_scalar
from atomspin.model.sums import site_sum

DEFAULT_SIGNS = {"A": -1.0, "B": 1.0}  # derived: Néel ferrimagnet of the spinel, A antiparallel to B


def _site_arrays(model, spins):
    s = model.spins if spins is None else np.asarray(spins, dtype=np.float64)
    if s.shape != (model.n, 3):
        raise ValueError(f"spins: expected shape ({model.n}, 3), got {s.shape}")
    if not np.all(np.isfinite(s)):
        raise ValueError("spins: must be finite")
    return s


def reference_axis(model, spins=None, signs=None):
    """Axis n of the ideal ferrimagnetic reference and the per-site signs σ_i.

    Returns
    -------
    n : (3,) unit vector
    sigma : (N,) float, +1/−1 for signed sites, 0 for sites measured against the axis only.
    """
    s = _site_arrays(model, spins)
    signs = DEFAULT_SIGNS if signs is None else signs
    sigma = np.zeros(model.n)
    if model.sublattice is not None:
        lab = np.asarray(model.sublattice).astype(str)
        for key, val in signs.items():
            sigma[lab == key] = float(val)
    else:
        sigma[:] = 1.0  # unlabelled model: ferromagnetic reference
    w = model.moments
    if np.any(sigma != 0):
        L = site_sum(sigma * w, s)
        if np.linalg.norm(L) > 1e-12 * max(w.sum(), 1.0):
            return L / np.linalg.norm(L), sigma
    T = np.einsum("i,ij,ik->jk", w, s, s)
    vals, vecs = np.linalg.eigh(T)
    n = vecs[:, -1]
    M = site_sum(w, s)
    if M @ n < 0:
        n = -n
    return n, sigma


def canting_angles(model, spins=None, signs=None):
    """Per-site canting angle (degrees) from the ideal ferrimagnetic reference (see module doc)."""
    s = _site_arrays(model, spins)
    n, sigma = reference_axis(model, s, signs)
    proj = s @ n
    c = np.where(sigma != 0, sigma * proj, np.abs(proj))
    return np.degrees(np.arccos(np.clip(c, -1.0, 1.0))), n, sigma


def local_canting_angles(model, spins=None, signs=None):
    """Per-site angle (degrees) between σ_i ŝ_i and the local reference direction
    Σ_{j ∈ exchange neighbours} m_j σ_j ŝ_j (the ideal-ferrimagnet direction seen by site i).

    Unlike :func:`canting_angles` this does not need one global axis, so it isolates local
    non-collinearity (surface, APB, vacancies) from a uniform rotation of whole domains. Unsigned
    sites use σ = +1 and the folded angle arccos|·|; sites without neighbours get NaN.
    """
    s = _site_arrays(model, spins)
    _, sigma = reference_axis(model, s, signs)
    unsigned = sigma == 0
    sg = np.where(unsigned, 1.0, sigma)
    row = np.repeat(np.arange(model.n), np.diff(model.indptr))
    ref = np.zeros((model.n, 3))
    np.add.at(ref, row, (model.moments * sg)[model.indices, None] * s[model.indices])
    nr = np.linalg.norm(ref, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.einsum("ij,ij->i", sg[:, None] * s, ref) / nr
    c = np.where(unsigned, np.abs(c), c)
    out = np.degrees(np.arccos(np.clip(c, -1.0, 1.0)))
    out[nr == 0] = np.nan
    return out


def depth_below_surface_nm(model, atoms=None, depth_nm=None):
    """Depth (nm) of each spin below the particle surface; see module docstring for the source."""
    if depth_nm is not None:
        d = np.asarray(depth_nm, dtype=np.float64)
        if d.shape != (model.n,):
            raise ValueError(f"depth_nm: expected shape ({model.n},), got {d.shape}")
        return d
    if atoms is not None and "depth_nm" in atoms.arrays:
        idx = model.atom_index if model.atom_index is not None else np.arange(model.n)
        return np.asarray(atoms.arrays["depth_nm"], dtype=np.float64)[idx]
    if any(model.pbc):
        return None
    r = np.linalg.norm(model.positions - model.positions.mean(axis=0), axis=1)
    return (r.max() - r) / 10.0


def distance_to_plane_nm(positions_A, normal, point_A=None):
    """Unsigned distance (nm) of positions (Å) from a plane.

    ``normal`` and ``point_A``: the plane through ``point_A`` (Å) with that normal; or ``normal`` is a
    recorded plane defect (a record of :func:`atomspin.structures.plane_defects`: APB, twin, stacking
    fault, grain boundary; its ``normal`` and ``point_A`` are used) or a list of them (distance to the
    nearest plane). For bounded boundaries between two grains use :func:`defect_distance_nm`.
    """
    if isinstance(normal, dict) or (isinstance(normal, (list, tuple)) and normal and isinstance(normal[0], dict)):
        recs = [normal] if isinstance(normal, dict) else list(normal)
        d = np.full(len(np.asarray(positions_A).reshape(-1, 3)), np.inf)
        for r in recs:
            nvec = r.get("normal", r.get("plane"))
            if nvec is None or "point_A" not in r:
                raise ValueError("normal: a plane-defect record needs 'normal' (or 'plane') and 'point_A'")
            d = np.minimum(d, distance_to_plane_nm(positions_A, nvec, r["point_A"]))
        return d
    if point_A is None:
        raise ValueError("point_A: a point of the plane (Å) is required with a normal vector")
    n = check_direction("normal", normal)
    p = np.asarray(point_A, dtype=np.float64).reshape(3)
    return np.abs((np.asarray(positions_A) - p) @ n) / 10.0


def distance_to_points_nm(positions_A, points_A):
    """Distance (nm) from each position (Å) to the nearest of ``points_A`` (e.g. vacancy sites)."""
    from scipy.spatial import cKDTree

    pts = np.asarray(points_A, dtype=np.float64).reshape(-1, 3)
    if len(pts) == 0:
        raise ValueError("points_A: need at least one point")
    d, _ = cKDTree(pts).query(np.asarray(positions_A, dtype=np.float64))
    return d / 10.0


def binned_profile(x, y, bins):
    """Mean, standard error and count of ``y`` in bins of ``x``.

    Returns (centres, mean, sem, count); empty bins give NaN; NaN values of ``y`` are skipped.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    edges = np.asarray(bins, dtype=np.float64)
    if edges.ndim != 1 or len(edges) < 2 or np.any(np.diff(edges) <= 0):
        raise ValueError("bins: must be an increasing sequence of at least 2 edges")
    k = np.digitize(x, edges) - 1
    ok = (k >= 0) & (k < len(edges) - 1) & np.isfinite(y)
    nb = len(edges) - 1
    cnt = np.bincount(k[ok], minlength=nb).astype(float)
    s1 = np.bincount(k[ok], weights=y[ok], minlength=nb)
    s2 = np.bincount(k[ok], weights=y[ok] ** 2, minlength=nb)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s1 / cnt
        var = np.where(cnt > 1, (s2 - cnt * mean ** 2) / np.maximum(cnt - 1, 1), np.nan)
        sem = np.sqrt(np.clip(var, 0, None) / cnt)
    mean[cnt == 0] = np.nan
    return 0.5 * (edges[1:] + edges[:-1]), mean, sem, cnt.astype(int)


def region_sublattice_table(model, spins=None, signs=None):
    """Magnetisation per (region, sublattice).

    Returns a list of dicts with keys ``region``, ``sublattice``, ``n_sites``, ``moment_muB`` (Σ m_i),
    ``m_parallel`` = σ Σ m_i ŝ_i·n / Σ m_i (1 for the ideal reference) and ``m_abs`` = |Σ m_i ŝ_i| / Σ m_i.
    """
    s = _site_arrays(model, spins)
    n, sigma = reference_axis(model, s, signs)
    reg = np.asarray(model.region).astype(str) if model.region is not None else np.full(model.n, "all")
    sub = np.asarray(model.sublattice).astype(str) if model.sublattice is not None else np.full(model.n, "-")
    rows = []
    for r in ["all"] + sorted(set(reg.tolist()) - {"all"}):
        for sl in sorted(set(sub.tolist())):
            mask = (sub == sl) & ((reg == r) if r != "all" else True)
            if not np.any(mask):
                continue
            w = model.moments[mask]
            M = site_sum(w, s[mask])
            sg = sigma[mask][0] if sigma[mask][0] != 0 else (1.0 if M @ n >= 0 else -1.0)
            rows.append(dict(region=r, sublattice=sl, n_sites=int(mask.sum()), moment_muB=float(w.sum()),
                             m_parallel=float(sg * (M @ n) / w.sum()), m_abs=float(np.linalg.norm(M) / w.sum())))
    return rows


@dataclass
class PairCorrelation(ResultBase):
    """Spin-pair correlation C(r) = ⟨σ_iσ_j ŝ_i·ŝ_j⟩ over pairs at distance r (1 = ideal reference).

    Attributes: r_A (bin centres, Å), C, count (pairs per bin).
    """

    r_A: np.ndarray
    C: np.ndarray
    count: np.ndarray

    def plot(self, ax=None, **kwargs):
        ax = self._axes(ax)
        ok = self.count > 0
        ax.plot(self.r_A[ok], self.C[ok], "o-", **kwargs)
        ax.set_xlabel("r (Å)")
        ax.set_ylabel("⟨σ_iσ_j ŝ_i·ŝ_j⟩")
        return ax


def spin_pair_correlation(model, spins=None, r_max_A=10.0, bin_width_A=0.25, signs=None):
    """Spin-pair correlation versus distance, relative to the ideal ferrimagnetic reference.

    Parameters
    ----------
    r_max_A : float
        Largest pair distance (Å).
    bin_width_A : float
        Bin width (Å).
    signs : dict, optional
        Sublattice signs (default A −1, B +1); unsigned sites count with σ = +1.
    """
    from scipy.spatial import cKDTree

    s = _site_arrays(model, spins)
    r_max_A = check_finite_scalar("r_max_A", r_max_A, 0.0, np.inf, lo_open=True)
    bin_width_A = check_finite_scalar("bin_width_A", bin_width_A, 0.0, r_max_A, lo_open=True)
    _, sigma = reference_axis(model, s, signs)
    sigma = np.where(sigma == 0, 1.0, sigma)
    pairs = cKDTree(model.positions).query_pairs(r_max_A, output_type="ndarray")
    edges = np.arange(0.0, r_max_A + bin_width_A, bin_width_A)
    if len(pairs) == 0:
        c = 0.5 * (edges[1:] + edges[:-1])
        return PairCorrelation(c, np.full(len(c), np.nan), np.zeros(len(c), dtype=int))
    i, j = pairs[:, 0], pairs[:, 1]
    r = np.linalg.norm(model.positions[i] - model.positions[j], axis=1)
    val = sigma[i] * sigma[j] * np.einsum("ij,ij->i", s[i], s[j])
    centres, mean, _, cnt = binned_profile(r, val, edges)
    return PairCorrelation(centres, mean, cnt)


@dataclass
class SpinDisorderResult(ResultBase):
    """Spin disorder of one spin configuration.

    Attributes
    ----------
    axis : (3,) reference axis n.
    canting_deg : (N,) per-site canting angle (degrees), against the ``reference`` ("global"/"local").
    sigma : (N,) reference sign per site (0: measured against the axis only).
    mean_canting_deg : moment-weighted mean canting (degrees).
    order_parameter : Σ m_i σ_i ŝ_i·n / Σ m_i (signed sites; 1 = ideal).
    depth_bins_nm, depth_canting_deg, depth_canting_sem, depth_count : radial profile by depth.
    distance_bins_nm, distance_canting_deg, distance_canting_sem, distance_count : profile versus
        a user distance (from a plane defect or vacancies), or empty arrays.
    table : rows of :func:`region_sublattice_table`.
    positions_A, spins, sublattice, region, depth_nm, distance_nm : per-site data (for plots).
    """

    axis: np.ndarray
    canting_deg: np.ndarray
    sigma: np.ndarray
    mean_canting_deg: float
    order_parameter: float
    depth_bins_nm: np.ndarray
    depth_canting_deg: np.ndarray
    depth_canting_sem: np.ndarray
    depth_count: np.ndarray
    distance_bins_nm: np.ndarray
    distance_canting_deg: np.ndarray
    distance_canting_sem: np.ndarray
    distance_count: np.ndarray
    table: list
    reference: str = "global"
    positions_A: np.ndarray = field(repr=False, default=None)
    spins: np.ndarray = field(repr=False, default=None)
    sublattice: Optional[np.ndarray] = field(repr=False, default=None)
    region: Optional[np.ndarray] = field(repr=False, default=None)
    depth_nm: Optional[np.ndarray] = field(repr=False, default=None)
    distance_nm: Optional[np.ndarray] = field(repr=False, default=None)

    _PER_SITE = ("canting_deg", "sigma", "positions_A", "spins", "sublattice", "region", "depth_nm", "distance_nm")

    def to_dict(self, per_site=False):
        """Summary (and per-site arrays if ``per_site``) as plain Python objects."""
        d = super().to_dict()
        if not per_site:
            for k in self._PER_SITE:
                d.pop(k, None)
        return d

    def plot(self, ax=None, kind="depth", **kwargs):
        """``kind``: "depth" (canting vs depth), "distance" (vs plane-defect/vacancy distance) or
        "cross_section" (keyword arguments of :func:`plot_cross_section`, e.g. ``atoms``)."""
        if kind == "cross_section":
            kwargs.setdefault("values", self.canting_deg)
            return plot_cross_section(self.positions_A, self.spins, self.axis, self.sigma, ax=ax, **kwargs)
        ax = self._axes(ax)
        if kind == "depth":
            x, y, e = self.depth_bins_nm, self.depth_canting_deg, self.depth_canting_sem
            ax.set_xlabel("depth below surface (nm)")
        elif kind == "distance":
            x, y, e = self.distance_bins_nm, self.distance_canting_deg, self.distance_canting_sem
            ax.set_xlabel("distance from defect (nm)")
        else:
            raise ValueError(f"kind: {kind!r} is not one of 'depth', 'distance', 'cross_section'")
        ok = np.isfinite(y)
        ax.errorbar(x[ok], y[ok], yerr=np.nan_to_num(e[ok]), fmt="o-", capsize=2, **kwargs)
        ax.set_ylabel("mean canting angle (°)")
        return ax


def spin_disorder(model, spins=None, atoms=None, depth_nm=None, distance_nm=None, depth_bin_nm=0.25,
                  distance_bin_nm=0.25, signs=None, reference="global"):
    """Canting against the ideal ferrimagnetic reference, with radial and defect-distance profiles.

    Parameters
    ----------
    model : SpinModel
    spins : (N, 3), optional
        Spin state (default ``model.spins``); e.g. ``Simulation.spins`` after equilibration, or a
        snapshot average.
    atoms : ase.Atoms, optional
        Labelled structure the model was built from (for ``depth_nm``).
    depth_nm : (N,), optional
        Depth below the surface per spin (nm), overriding ``atoms``.
    distance_nm : (N,), optional
        Distance of each spin from a defect (nm), e.g. :func:`defect_distance_nm` for recorded plane
        defects (APB, twin, stacking fault, grain boundary) or :func:`distance_to_points_nm` for
        vacancies; gives the ``distance_*`` profile.
    depth_bin_nm, distance_bin_nm : float
        Bin widths (nm).
    signs : dict, optional
        Sublattice → ±1 (default {"A": −1, "B": +1}).
    reference : {"global", "local"}
        Canting against the one global ferrimagnetic axis (:func:`canting_angles`) or against the
        neighbour-weighted local reference (:func:`local_canting_angles`); the latter separates
        local disorder from rotations of whole domains (e.g. the two sides of an APB or the grains of
        a multicore particle).

    Returns
    -------
    SpinDisorderResult
    """
    s = _site_arrays(model, spins)
    # bins below 0.001 nm (a hundredth of an interatomic distance) resolve nothing and can exhaust memory
    depth_bin_nm = check_finite_scalar("depth_bin_nm", depth_bin_nm, 1e-3, np.inf)
    distance_bin_nm = check_finite_scalar("distance_bin_nm", distance_bin_nm, 1e-3, np.inf)
    if reference not in ("global", "local"):
        raise ValueError(f"reference: {reference!r} is not one of 'global', 'local'")
    theta, n, sigma = canting_angles(model, s, signs)
    if reference == "local":
        theta = local_canting_angles(model, s, signs)
    w = model.moments
    signed = sigma != 0
    op = float((w[signed] * sigma[signed] * (s[signed] @ n)).sum() / w[signed].sum()) if np.any(signed) else np.nan
    depth = depth_below_surface_nm(model, atoms, depth_nm)
    empty = np.zeros(0)
    prof = (empty, empty, empty, np.zeros(0, dtype=int))
    if depth is not None:
        top = max(float(np.max(depth)), depth_bin_nm) + depth_bin_nm
        prof = binned_profile(depth, theta, np.arange(0.0, top, depth_bin_nm))
    dprof = (empty, empty, empty, np.zeros(0, dtype=int))
    if distance_nm is not None:
        distance_nm = np.asarray(distance_nm, dtype=np.float64)
        if distance_nm.shape != (model.n,) or not np.all(np.isfinite(distance_nm)):
            raise ValueError(f"distance_nm: expected a finite array of shape ({model.n},)")
        top = max(float(np.max(distance_nm)), distance_bin_nm) + distance_bin_nm
        dprof = binned_profile(distance_nm, theta, np.arange(0.0, top, distance_bin_nm))
    return SpinDisorderResult(axis=n, canting_deg=theta, sigma=sigma,
                              mean_canting_deg=float(np.nansum(w * theta) / w[np.isfinite(theta)].sum()),
                              order_parameter=op, reference=reference,
                              depth_bins_nm=prof[0], depth_canting_deg=prof[1], depth_canting_sem=prof[2],
                              depth_count=prof[3], distance_bins_nm=dprof[0], distance_canting_deg=dprof[1],
                              distance_canting_sem=dprof[2], distance_count=dprof[3],
                              table=region_sublattice_table(model, s, signs), positions_A=model.positions.copy(),
                              spins=s.copy(), sublattice=model.sublattice, region=model.region,
                              depth_nm=depth, distance_nm=distance_nm)


def plot_cross_section(positions_A, spins, axis=None, sigma=None, normal=(0.0, 0.0, 1.0), offset_A=None,
                       thickness_A=3.0, ax=None, cmap=None, values=None, atoms=None):
    """Spins of a slab as arrows (in-plane components), coloured by σ_i ŝ_i·n or by ``values`` per site
    (e.g. canting angles in degrees; ``SpinDisorderResult.plot`` passes them). Drawn by the one
    cross-section plotter, :func:`atomspin.structures.plot_cross_section` (axes in nm, colour bar,
    legend); with ``atoms`` (the labelled structure of the spins, positions identical) the atoms,
    recorded vacancies and plane-defect traces are drawn underneath.

    Parameters
    ----------
    positions_A, spins : (N, 3)
    axis : (3,) reference axis n (default: net direction of the spins).
    sigma : (N,) reference signs (0 → +1).
    normal : (3,) slab normal; offset_A: slab centre along it (Å, default: the median); thickness_A (Å).
    atoms : ase.Atoms, optional.

    Returns the matplotlib Axes.
    """
    from atomspin.structures.plotting import plot_cross_section as _plot

    nrm = check_direction("normal", normal)
    thickness_A = check_finite_scalar("thickness_A", thickness_A, 0.0, np.inf, lo_open=True)
    pos = np.asarray(positions_A, dtype=np.float64)
    h = pos @ nrm
    off = float(np.median(h)) if offset_A is None else float(offset_A)
    centre = pos.mean(axis=0)
    centre = centre + (off - centre @ nrm) * nrm
    kw = dict(spins=spins, spin_positions_A=pos, axis=axis, sigma=sigma, normal=nrm, slab_nm=thickness_A / 10.0,
              center_A=centre, ax=ax, cmap=cmap, values=values)
    if atoms is not None:
        kw["color_by"] = "defect"
    fig = _plot(atoms, **kw)
    return ax if ax is not None else fig.axes[0]


@dataclass
class DeadLayerResult(ResultBase):
    """Fit of Ms(D) = Ms_bulk (1 − d/r)³, r = D/2.

    Attributes: d_nm, d_err_nm, Ms_bulk, Ms_bulk_err (units of the input Ms), diameters_nm, Ms.
    """

    d_nm: float
    d_err_nm: float
    Ms_bulk: float
    Ms_bulk_err: float
    diameters_nm: np.ndarray
    Ms: np.ndarray

    def model_curve(self, diameters_nm):
        r = np.asarray(diameters_nm, dtype=np.float64) / 2
        return self.Ms_bulk * np.clip(1 - self.d_nm / r, 0, None) ** 3

    def plot(self, ax=None, **kwargs):
        ax = self._axes(ax)
        ax.plot(self.diameters_nm, self.Ms, "o", label="simulation", **kwargs)
        x = np.linspace(max(2 * self.d_nm, 1e-3), self.diameters_nm.max() * 1.1, 200)
        ax.plot(x, self.model_curve(x), "-", label=f"fit: d = {self.d_nm:.3g} nm")
        ax.set_xlabel("diameter D (nm)")
        ax.set_ylabel("Ms")
        ax.legend()
        return ax


def dead_layer_fit(diameters_nm, Ms, Ms_err=None):
    """Magnetically dead layer thickness from a size series, Ms(D) = Ms_bulk (1 − 2d/D)³.

    Parameters
    ----------
    diameters_nm : (k,) particle diameters (nm), k ≥ 2, all > 0.
    Ms : (k,) saturation magnetisation (any unit; Ms_bulk comes out in the same unit).
    Ms_err : (k,), optional, standard errors for a weighted fit.
    """
    from scipy.optimize import curve_fit

    D = np.asarray(diameters_nm, dtype=np.float64)
    M = np.asarray(Ms, dtype=np.float64)
    if D.ndim != 1 or len(D) < 2 or D.shape != M.shape:
        raise ValueError("diameters_nm, Ms: need two 1-D arrays of equal length ≥ 2")
    if not np.all(np.isfinite(D)) or np.any(D <= 0):
        raise ValueError("diameters_nm: all values must be finite and > 0")
    if not np.all(np.isfinite(M)):
        raise ValueError("Ms: all values must be finite")
    sig = None if Ms_err is None else np.asarray(Ms_err, dtype=np.float64)
    if sig is not None and (sig.shape != M.shape or not np.all(np.isfinite(sig)) or np.any(sig <= 0)):
        raise ValueError(f"Ms_err: need {len(M)} finite standard errors > 0, got {np.ravel(sig)[:5]}")

    def f(d, ms, dl):
        return ms * (1 - 2 * dl / d) ** 3

    # initial guess from the cube root: Ms^(1/3) is linear in 1/D
    y = np.cbrt(np.clip(M, 1e-300, None))
    slope, icpt = np.polyfit(1.0 / D, y, 1)
    p0 = (max(icpt, 1e-12) ** 3, max(-slope / (2 * icpt), 0.0) if icpt > 0 else 0.0)
    popt, pcov = curve_fit(f, D, M, p0=p0, sigma=sig, absolute_sigma=sig is not None, maxfev=20000)
    err = np.sqrt(np.diag(pcov)) if np.all(np.isfinite(pcov)) else np.array([np.nan, np.nan])
    return DeadLayerResult(d_nm=float(popt[1]), d_err_nm=float(err[1]), Ms_bulk=float(popt[0]),
                           Ms_bulk_err=float(err[0]), diameters_nm=D, Ms=M)


def defect_distance_nm(model, atoms, kinds=None):
    """Distance (nm) of each spin from the nearest plane defect recorded in ``atoms``.

    Reads the plane-defect records (:func:`atomspin.structures.plane_defects`: APBs, twins, stacking
    faults, grain boundaries; ``kinds`` selects some, e.g. ``"twin"``). Planes are in the cubic
    crystal axes, which are the Cartesian axes of the particle; bounded boundaries between two grains
    of a multicore particle are measured to the other grain's nearest atom. Raises ``ValueError`` if
    the structure records none.
    """
    from atomspin.structures.planes import distance_to_defects_A

    idx = model.atom_index if model.atom_index is not None else np.arange(model.n)
    if len(atoms) <= int(np.max(idx, initial=-1)):
        raise ValueError(f"atoms: {len(atoms)} atoms but the model refers to atom {int(np.max(idx))}")
    return distance_to_defects_A(atoms, kinds, index=idx, positions_A=model.positions) / 10.0


def apb_distance_nm(model, atoms):
    """Distance (nm) of each spin from the nearest antiphase boundary recorded in ``atoms``
    (:func:`defect_distance_nm` for kind ``"apb"``; records of :func:`atomspin.structures.insert_apb`).
    Raises ``ValueError`` if there is none."""
    return defect_distance_nm(model, atoms, "apb")
