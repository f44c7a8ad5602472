"""Figures of docs/validation.md §3b from the JSON rows written by docs/landscape_study.py."""
import json

import numpy as np

# Published K_eff(D) (energy barrier per volume from blocking, uniaxial interpretation E_B = K_eff V):
# Pisane, Singh & Seehra, arXiv:1702.08378 (2017), γ-Fe2O3 2.5–15 nm (abstract): K_eff = K_b + 6 K_s/D +
# K_sh[(1 − 2d/D)^−3 − 1], K_b = 1.9e5 erg/cm³ = 1.9e4 J/m³, K_s = 0.035 erg/cm² = 3.5e-5 J/m²,
# K_sh = 1.057e4 erg/cm³ = 1.057e3 J/m³, d = 1.1 nm.
PISANE = dict(Kb=1.9e4, Ks=3.5e-5, Ksh=1.057e3, d=1.1)


def pisane_keff(D_nm):
    D = np.asarray(D_nm, dtype=float)
    p = PISANE
    return p["Kb"] + 6 * p["Ks"] / (D * 1e-9) + p["Ksh"] * ((1 - 2 * p["d"] / D) ** -3 - 1)


def barriers_from_row(r, Ku_shape=0.0):
    """(escape, reversal) barrier densities (J/m³) of a stored landscape (coefficients) plus an optional uniaxial
    shape term Ku_shape (1 − n_z²)."""
    from atomspin import macrospin as ms
    from atomspin.measure import _sphere_fit as sf
    from atomspin.measure.landscape import reversal_saddle

    terms = [ms.HarmonicExpansion(np.array(sf.exponents(r["degree"])), np.array(r["coefficients_J"]) / r["V_m3"])]
    if Ku_shape:
        terms.append(ms.UniaxialAnisotropy(Ku_shape, (0, 0, 1)))
    cp = ms.critical_points(ms.EnergySurface(terms))
    g = cp.global_minimum
    esc = float(ms.barriers(cp)[g])
    j = reversal_saddle(cp)
    rev = float(cp.e_saddles[j] - cp.e_minima[g]) if j is not None else float("nan")
    return esc, rev


def harmonic(r):
    """The stored landscape of a row as a macrospin term (J/m³)."""
    from atomspin import macrospin as ms
    from atomspin.measure import _sphere_fit as sf

    return ms.HarmonicExpansion(np.array(sf.exponents(r["degree"])), np.array(r["coefficients_J"]) / r["V_m3"])


def l2_tensor(r):
    """Traceless Q (3, 3), J/m³, of the degree-2 spherical-harmonic part of a stored landscape f(n̂) (f ⊃ n̂ᵀQn̂;
    :func:`atomspin.measure._sphere_fit.l2_projector`, exact for the fitted polynomial). l = 0 and l ≥ 4 parts are
    orthogonal to it, so f − n̂ᵀQn̂ has no l = 2."""
    from atomspin.measure import _sphere_fit as sf

    return np.einsum("ijp,p->ij", sf.l2_projector(r["degree"]), np.asarray(r["coefficients_J"]) / r["V_m3"])


def barriers_of(terms):
    """(lowest escape, reversal) barrier (J/m³) of a list of macrospin terms."""
    from atomspin import macrospin as ms
    from atomspin.measure.landscape import reversal_saddle

    cp = ms.critical_points(ms.EnergySurface(list(terms)))
    g = cp.global_minimum
    j = reversal_saddle(cp)
    rev = float(cp.e_saddles[j] - cp.e_minima[g]) if j is not None else float("nan")
    return float(ms.barriers(cp)[g]), rev


def barrier_points(terms):
    """(reversal barrier J/m³, global minimum n̂, reversal saddle n̂) of a list of macrospin terms (points None
    when there is no reversal saddle)."""
    from atomspin import macrospin as ms
    from atomspin.measure.landscape import reversal_saddle

    cp = ms.critical_points(ms.EnergySurface(list(terms)))
    g = cp.global_minimum
    j = reversal_saddle(cp)
    if j is None:
        return float("nan"), None, None
    return float(cp.e_saddles[j] - cp.e_minima[g]), cp.minima[g], cp.saddles[j]


def _basis_without_l2(x, degree):
    """(m, K) values at x of the monomials of ``degree`` with their degree-2 harmonic part removed
    (φ_p − x̂ᵀQ(φ_p)x̂, the linear map behind the magnetocrystalline part)."""
    from atomspin.measure import _sphere_fit as sf

    Qp = np.moveaxis(sf.l2_projector(degree), 2, 0)  # (K, 3, 3): the degree-2 tensor of each monomial
    x = np.atleast_2d(x)
    return sf.values(x, degree) - np.einsum("mi,pij,mj->mp", x, Qp, x)


def measured_dipolar(r):
    """The measured dipolar share of a row (``dipolar_coefficients_J`` and covariances: rows measured since the
    dipolar torque is sampled, docs/validation.md §3b "The parts from the measured dipolar torque") as the
    ``dip`` argument of :func:`parts_with_errors`, or None."""
    if r is None or "dipolar_coefficients_J" not in r:
        return None
    return dict(coefficients_J=np.asarray(r["dipolar_coefficients_J"], dtype=float), V_m3=r["V_m3"],
                degree=r["degree"], covariance_J2=np.asarray(r["dipolar_covariance_J2"], dtype=float),
                cross_covariance_J2=np.asarray(r["dipolar_cross_covariance_J2"], dtype=float))


def fit_ku(r, dipolar=None):
    """(Ku, error, meaning) of a study row's term-fit Ku (``Ku``, ``Ku_err``: ``LandscapeResult.fit.Ku_J_per_m3``,
    J/m³). It is the remainder beyond the shape term the fit held, so its meaning depends on the row
    (``atomspin.measure._sphere_fit.ku_meaning``): "onsite" (rows with the measured dipolar share, ``shape_source``
    "measured dipolar torque"), "beyond_rigid" (earlier rows of a dipolar model: rigid × m² held) or "total" (no
    dipolar term). ``dipolar``: whether the row's model had a dipolar term, read from the row's ``dipolar`` field
    when not given (rows written before that field existed need it: size.json and defects_nodipolar.json are
    dipolar-off series)."""
    from atomspin.measure._sphere_fit import ku_meaning

    if dipolar is None and "dipolar" in r:
        dipolar = r["dipolar"] is not None
    src = r.get("shape_source") or ("measured dipolar torque" if "dipolar_coefficients_J" in r else None)
    return float(r["Ku"]), float(r["Ku_err"]), ku_meaning(src, dipolar)


def ku_along(r, which, u):
    """(Ku, error) along u (J/m³, Ku (1 − (n̂·û)²) convention) of a row's degree-2 share: ``which`` "total",
    "dipolar" or "onsite" (total − dipolar; rows with the measured dipolar share), errors from the stored
    covariances (the on-site one with the cross-covariance). Unlike the fit's Ku (:func:`fit_ku`) this means the
    same in every row."""
    from atomspin.measure import _sphere_fit as sf

    u = np.asarray(u, dtype=np.float64)
    a = -1.5 * np.einsum("i,ijp,j->p", u, sf.l2_projector(r["degree"]), u) / r["V_m3"]
    c = np.asarray(r["coefficients_J"], float)
    C = np.asarray(r["covariance_J2"], float)
    if which == "total":
        return float(a @ c), float(np.sqrt(max(a @ C @ a, 0.0)))
    d = np.asarray(r["dipolar_coefficients_J"], float)
    Cd = np.asarray(r["dipolar_covariance_J2"], float)
    if which == "dipolar":
        return float(a @ d), float(np.sqrt(max(a @ Cd @ a, 0.0)))
    X = np.asarray(r["dipolar_cross_covariance_J2"], float)
    return float(a @ (c - d)), float(np.sqrt(max(a @ (C + Cd - X - X.T) @ a, 0.0)))


def parts_with_errors(r, S=None, dip="row"):
    """The reversal barrier of a stored landscape and its parts (J/m³; ``size_table_dipolar``'s definitions) with
    errors propagated linearly from the fit covariance (``covariance_J2``, rows measured since the covariance is
    stored; envelope theorem: each barrier moves by (φ(saddle) − φ(minimum))·δc at its fixed critical points, as
    for the landscape's own barrier error). Returns a dict of values and ``*_err``; errors nan without covariance.

    The held shape term: the measured dipolar share's degree-2 tensor when ``dip`` gives one (default "row": the
    row's own, :func:`measured_dipolar`; a dict of another run of the same particle, e.g. a rerun that measured
    it; None: not used), its covariance (and, for the row's own, its covariance with the total's coefficients)
    entering the shape and surface parts' errors; else ``S`` (the rigid-rotation tensor × m², as earlier rows
    hold it). ``shape_source`` in the result says which."""
    from atomspin import macrospin as ms
    from atomspin.measure import _sphere_fit as sf

    h = harmonic(r)
    Q2 = l2_tensor(r)
    L = r["degree"]
    d = measured_dipolar(r) if isinstance(dip, str) and dip == "row" else dip
    if d is not None:
        S = sf.l2_of(d["coefficients_J"], d["degree"]) / d["V_m3"]
    tot, m3, s3 = barrier_points([h])
    mc, m1, s1 = barrier_points([h, ms.QuadraticAnisotropy(-Q2)])
    out = dict(total=tot, mc=mc, shape_source="measured dipolar torque" if d is not None else
               ("held tensor" if S is not None else None))
    g = dict(total=None if s3 is None else sf.values(s3, L)[0] - sf.values(m3, L)[0],
             mc=None if s1 is None else _basis_without_l2(s1, L)[0] - _basis_without_l2(m1, L)[0])
    gd = {}  # gradients with respect to the dipolar share's coefficients
    if S is not None:
        ws, m2, s2 = barrier_points([h, ms.QuadraticAnisotropy(-Q2), ms.QuadraticAnisotropy(S)])
        out.update(with_shape=ws, shape_part=ws - mc, surface=tot - ws, S=S)
        gws = None if s2 is None else _basis_without_l2(s2, L)[0] - _basis_without_l2(m2, L)[0]
        g.update(shape_part=None if gws is None or g["mc"] is None else gws - g["mc"],
                 surface=None if gws is None or g["total"] is None else g["total"] - gws)
        if d is not None and s2 is not None:
            Ld = d["degree"]
            l2v = lambda x: sf.values(x, Ld)[0] - _basis_without_l2(x, Ld)[0]  # noqa: E731
            gd = dict(shape_part=(l2v(s2) - l2v(m2)) * r["V_m3"] / d["V_m3"])
            gd["surface"] = -gd["shape_part"]
    C = np.asarray(r["covariance_J2"]) if "covariance_J2" in r else None
    for k, v in g.items():
        if C is None or v is None:
            out[k + "_err"] = float("nan")
            continue
        var = v @ C @ v
        if k in gd:
            b = gd[k]
            var += b @ d["covariance_J2"] @ b
            if dip == "row" or d.get("same_run"):
                var += 2 * v @ d["cross_covariance_J2"] @ b
        out[k + "_err"] = float(np.sqrt(max(var, 0.0))) / r["V_m3"]
    return out


def uniaxial_of(Q):
    """(Ku, axis) of the uniaxial part of a traceless Q, Ku (1 − (n̂·û)²) convention (Ku > 0: easy axis û)."""
    from atomspin.measure._sphere_fit import uniaxial_part

    Ku, axis, _ = uniaxial_part(np.asarray(Q))
    return float(Ku), np.asarray(axis)


def _rows(out, part):
    f = out / f"{part}.json"
    return json.loads(f.read_text()) if f.exists() else []


def _fig(*a, **k):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(*a, **k)


def plot_rescaling(out):
    rows = {r["key"]: r for r in _rows(out, "rescaling")}
    if "curves" not in rows:
        return
    fig, axs = _fig(1, 3, figsize=(13, 3.8))
    c = rows["curves"]
    ax = axs[0]
    ax.plot(c["T"], c["m_classical"], "-", label="classical MC (this model)")
    ax.plot(c["T"], c["m_rescaled"], "-", label=f"rescaled, α = {c['alpha']:.2f}")
    ax.errorbar([300], [0.945], yerr=[[0.011], [0.012]], fmt="ks", label="measured Ms(300 K)/Ms(0)")
    ax.set_xlabel("temperature T (K)")
    ax.set_ylabel("bulk Ms(T) / Ms(0)")
    ax.set_title("net moment of bulk magnetite", fontsize=9)
    ax.legend(fontsize=7)
    ax = axs[1]
    for resc, mk, lab in ((False, "o", "classical"), (True, "s", "rescaled")):
        pts = sorted([r for r in rows.values() if r["key"].startswith("bulkK-") and r["rescaled"] == resc],
                     key=lambda r: r["T"])
        ax.errorbar([r["T"] for r in pts], [-r["K1"] / 1e3 for r in pts], yerr=[r["K1_err"] / 1e3 for r in pts],
                    fmt=mk + "-", label=f"landscape fit, {lab}")
    ax.plot([300], [11.0], "k*", ms=10, label="|K1(300 K)| (reference of the model)")
    ax.axvline(130, color="gray", ls=":", lw=1)
    ax.text(0.2, 0.06, "measured K1 = 0 at ≈ 130 K\n(isotropic point; not in the model)", fontsize=7,
            transform=ax.transAxes)
    ax.set_xlabel("temperature T (K)")
    ax.set_ylabel("−K1 (kJ/m³)")
    ax.set_title("bulk K1(T), anisotropy_reference = 300 K", fontsize=9)
    ax.legend(fontsize=7)
    ax = axs[2]
    labels, bar, err, ms = [], [], [], []
    for key, lab in (("sphere8-None", "classical"), ("sphere8-default", "rescaled")):
        if key in rows:
            r = rows[key]
            labels.append(lab)
            bar.append(r["barrier_J_per_m3"])
            err.append(r["barrier_err_J_per_m3"])
            ms.append(r["Ms_A_per_m"] / 1e3)
    x = np.arange(len(labels))
    ax.bar(x - 0.2, bar, 0.4, yerr=err, label="barrier / V (J/m³)")
    ax2 = ax.twinx()
    ax2.bar(x + 0.2, ms, 0.4, color="C1", label="Ms (kA/m)")
    ax2.axhline(480, color="C1", ls="--", lw=1, label="bulk Ms(300 K) = 480 kA/m")
    ax.set_xticks(x, labels)
    ax.set_ylabel("barrier / V (J/m³)")
    ax2.set_ylabel("Ms at 300 K (kA/m)")
    ax.set_ylim(0, 1.6 * max(b + e for b, e in zip(bar, err)))
    ax2.set_ylim(0, 800)
    ax.set_title("8 nm sphere at 300 K", fontsize=9)
    ax.legend(loc="upper left", fontsize=7)
    ax2.legend(loc="upper right", fontsize=7)
    fig.tight_layout()
    fig.savefig(out.parent / "landscape_rescaling.png", dpi=130)


def size_table(out):
    """Per (shape, D): reversal barriers (J/m³) of the magnetocrystalline (Néel off), Néel-on and total (+ shape)
    landscapes, and their parts; errors from the landscapes' barrier errors in quadrature."""
    rows = _rows(out, "size")
    table = []
    for shape in ("sphere", "truncated_octahedron", "cube", "ellipsoid", "sphere@A", "truncated_octahedron@A",
                  "cube@A"):
        for D in sorted({r["D_nm"] for r in rows if r["shape"] == shape}):
            f = next((r for r in rows if r["shape"] == shape and r["D_nm"] == D and r["variant"] == "full"), None)
            m = next((r for r in rows if r["shape"] == shape and r["D_nm"] == D and r["variant"] == "no_neel"), None)
            if f is None or m is None:
                continue
            ks = f.get("Ku_shape_J_per_m3", 0.0)
            mc = barriers_from_row(m)[1]
            fn = barriers_from_row(f)
            tot = barriers_from_row(f, ks) if ks else fn
            fe, me = f["barrier_err_J_per_m3"], m["barrier_err_J_per_m3"]
            table.append(dict(shape=shape, D=D, n=f["n_spins"], d_eq=(6 * f["V_m3"] / np.pi) ** (1 / 3) * 1e9, mc=mc, mc_err=me, full=fn[1], full_esc=fn[0],
                              full_err=fe, surface=fn[1] - mc, surface_err=float(np.hypot(fe, me)),
                              shape_part=tot[1] - fn[1], total=tot[1], total_esc=tot[0], total_err=fe, Ku_shape=ks,
                              Ms=f["Ms_A_per_m"], K1=f["K1"], K1_err=f["K1_err"],
                              **dict(zip(("Ku", "Ku_err", "Ku_meaning"), fit_ku(f, dipolar=False))),
                              axis=f["axis"]))  # size.json: the no-dipolar protocol, so Ku is the whole degree 2
    return table


SHAPES = ("sphere", "truncated_octahedron", "cube", "ellipsoid")


def shape_Q_of(r, out, measured=True):
    """The held shape term of a row (traceless, J/m³): the degree-2 part of the measured dipolar share (rows that
    sampled the dipolar torque; ``measured=False`` skips it), else the rigid-rotation point-dipole tensor ×
    m_reduced² stored by the landscape run, or computed afterwards (shape_tensor.json, ``landscape_study.py
    shapetensors``)."""
    d = measured_dipolar(r) if measured else None
    if d is not None:
        from atomspin.measure import _sphere_fit as sf

        return sf.l2_of(d["coefficients_J"], d["degree"]) / d["V_m3"]
    if "shape_Q_rigid_m2_J_per_m3" in r:
        return np.asarray(r["shape_Q_rigid_m2_J_per_m3"])
    if "shape_Q_J_per_m3" in r:
        return np.asarray(r["shape_Q_J_per_m3"])
    t = {x["key"]: x for x in _rows(out, "shape_tensor")}.get(r["key"])
    if t is None:
        return None
    return np.asarray(t["D_rigid_J_per_m3"]) * r["m_reduced"] ** 2


def size_realisations(out, shape, D, rows=None):
    """The rows of one particle of the dipolar size series (variant "full"), one per Monte Carlo seed: keys
    SHAPE-D-full (seed 1) and SHAPE-D-full-sS of size_dipolar.json; for the 8 nm sphere also the defect-free rows
    of the defect series rerun with the dipolar share (defects_dipolar.json "perfect-S": ``defect_particle
    ("perfect", S)`` is the same 8 nm sphere, built with seed 1, the same model and protocol, Monte Carlo seed S),
    taken where the size series has no row of that seed with the dipolar share, and only if they have the size
    row's spins, volume and sweeps (seed 1 of both is one run: bit-identical coefficients)."""
    rows = _rows(out, "size_dipolar") if rows is None else rows
    by_seed = {}
    for r in rows:
        if r["shape"] == shape and r["D_nm"] == D and r["variant"] == "full":
            by_seed[int(r.get("seed", 1))] = r
    if shape == "sphere" and float(D) == 8.0 and by_seed:
        ref = next(iter(by_seed.values()))
        for r in _rows(out, "defects_dipolar"):
            if r.get("kind") != "perfect" or "dipolar_coefficients_J" not in r:
                continue
            if (r["n_spins"], r["V_m3"], r["sweeps"], r["equilibration"]) != (
                    ref["n_spins"], ref["V_m3"], ref["sweeps"], ref["equilibration"]):
                continue
            s = int(r["seed"])
            if s not in by_seed or "dipolar_coefficients_J" not in by_seed[s]:
                by_seed[s] = dict(r, shape=shape, D_nm=D, variant="full")
    return [by_seed[s] for s in sorted(by_seed)]


_TABLE_CACHE = {}


def size_table_dipolar(out):
    """Cached per state of the JSON files (critical points cost ≈ 1 s per surface); see _size_table_dipolar."""
    key = (str(out),) + tuple((f.name, f.stat().st_mtime_ns) for f in sorted(out.glob("*.json")))
    if key not in _TABLE_CACHE:
        _TABLE_CACHE[key] = _size_table_dipolar(out)
    return [dict(t) for t in _TABLE_CACHE[key]]


def _size_table_dipolar(out):
    """Per (shape, D) of the dipolar series (size_dipolar.json): the reversal barrier (J/m³) of the default landscape
    and its parts, from the measured landscape f(n̂) alone:

    * magnetocrystalline = barrier of f without its degree-2 harmonics (the cubic on-site term and the cubic-symmetric
      second-order surface term have none);
    * shape = barrier of (that + the rigid-rotation point-dipole term n̂ᵀ D n̂ · m²) − magnetocrystalline;
    * surface = barrier of f − barrier of (magnetocrystalline + shape): the rest of the degree-2 part, i.e. the
      first-order (uniaxial) Néel term (plus any thermal correction to the rigid dipolar term).

    Where a Néel-off run of the same particle exists, its degree-2 part minus the rigid shape term checks the split
    (``check_Ku``: the uniaxial remainder, should be 0 within its error) and its barrier gives the surface part
    directly (``surface_run`` = Néel on − off)."""
    from atomspin import macrospin as ms

    from landscape_defects import combine

    rows = _rows(out, "size_dipolar")
    table = []
    for shape in SHAPES:
        for D in sorted({r["D_nm"] for r in rows if r["shape"] == shape}):
            reals = size_realisations(out, shape, D, rows)
            if not reals:
                continue
            # the measured split over every realisation that sampled the dipolar torque; else the one earlier row
            # (seed 1) on the rigid × m² split
            meas = [r for r in reals if "dipolar_coefficients_J" in r]
            use = meas if meas else [next((r for r in reals if int(r.get("seed", 1)) == 1), reals[0])]
            f = next((r for r in use if int(r.get("seed", 1)) == 1), use[0])
            S = shape_Q_of(f, out)
            Q2 = l2_tensor(f)
            per = [parts_with_errors(r, shape_Q_of(r, out)) for r in use]
            pw = {}
            for k in ("total", "mc", "shape_part", "surface"):
                if not all(k in x for x in per):
                    continue
                if k == "total":  # the reversal barrier's own error (rows since it is stored), else the escape one's
                    errs = [x["total_err"] if np.isfinite(x["total_err"]) else r.get(
                        "reversal_err_J_per_m3", r["barrier_err_J_per_m3"]) for x, r in zip(per, use)]
                else:
                    errs = [x[k + "_err"] for x in per]
                mean, err = (combine([x[k] for x in per], errs)[:2] if len(use) > 1 else (per[0][k], errs[0]))
                pw.update({k: mean, k + "_err": err if len(use) > 1 or np.isfinite(errs[0]) else float("nan"),
                           k + "_sd": float(np.std([x[k] for x in per], ddof=1)) if len(use) > 1 else float("nan"),
                           k + "_fit_rms": float(np.sqrt(np.mean(np.square(errs))))})
            err = pw["total_err"]
            mean_of = lambda k, d=np.nan: float(np.mean([r.get(k, d) for r in use]))  # noqa: E731
            row = dict(shape=shape, D=D, n=f["n_spins"], d_eq=(6 * f["V_m3"] / np.pi) ** (1 / 3) * 1e9,
                       mc=pw["mc"], mc_err=pw["mc_err"], total=pw["total"], total_esc=mean_of("barrier_J_per_m3"),
                       err=err, Ms=mean_of("Ms_A_per_m"), m_reduced=mean_of("m_reduced"), K1=f["K1"],
                       K1_err=f["K1_err"], Ku_l2=uniaxial_of(Q2)[0], elapsed_s=f["elapsed_s"], sweeps=f["sweeps"],
                       n_eff_min=float(np.min([r.get("n_eff_min", np.nan) for r in use])),
                       n_eff_median=mean_of("n_eff_median"),
                       windows=float(np.min([r.get("refresh_windows_min", np.nan) for r in use])),
                       cpu_s=mean_of("cpu_s"), chi2=mean_of("chi2_per_dof"), new="refresh_windows_min" in f,
                       commit=f.get("commit"), commits=sorted({str(r.get("commit")) for r in use}),
                       realisations=len(use), seeds=[int(r.get("seed", 1)) for r in use],
                       split="measured" if meas else "rigid", total_sd=pw["total_sd"],
                       total_fit_rms=pw["total_fit_rms"],
                       Ku_rigid_m2=float(np.mean([uniaxial_of(shape_Q_of(r, out, measured=False))[0]
                                                  if shape_Q_of(r, out, measured=False) is not None else np.nan
                                                  for r in use])))
            if S is not None:
                row.update(shape_part=pw["shape_part"], shape_part_err=pw["shape_part_err"],
                           surface=pw["surface"], surface_err=pw["surface_err"],
                           Ku_shape=float(np.mean([uniaxial_of(shape_Q_of(r, out))[0] for r in use])),
                           Ku_surface=uniaxial_of(Q2 - S)[0],
                           **{k + "_" + x: pw[k + "_" + x] for k in ("mc", "shape_part", "surface")
                              for x in ("sd", "fit_rms")})
            o = next((r for r in _rows(out, "size") if r["shape"] == shape and r["D_nm"] == D
                      and r["variant"] == "full"), None)
            S_r = shape_Q_of(f, out, measured=False)
            if o is not None and S_r is not None:
                # the earlier no-dipolar landscape of the same particle + the same rigid point-dipole term (× its m²)
                S_o = S_r / f["m_reduced"] ** 2 * o["m_reduced"] ** 2
                row.update(composite=barriers_of([harmonic(o), ms.QuadraticAnisotropy(S_o)])[1],
                           composite_err=o["barrier_err_J_per_m3"], nodip=barriers_of([harmonic(o)])[1])
            n = next((r for r in rows if r["shape"] == shape and r["D_nm"] == D and r["variant"] == "no_neel"), None)
            if n is not None:
                Sn = shape_Q_of(n, out)
                row.update(no_neel=barriers_of([harmonic(n)])[1], no_neel_err=n["barrier_err_J_per_m3"],
                           surface_run=pw["total"] - barriers_of([harmonic(n)])[1],
                           check_Ku=uniaxial_of(l2_tensor(n) - Sn)[0] if Sn is not None else float("nan"),
                           check_Ku_err=_check_ku_err(n, Sn), mc_no_neel=barriers_of([harmonic(n),
                                                                             ms.QuadraticAnisotropy(-l2_tensor(n))])[1])
            table.append(row)
    # particles of the earlier no-dipolar series without a dipolar run: estimate = that landscape + the rigid
    # point-dipole term × its m² (labelled; parts: magnetocrystalline = Néel-off, surface = Néel on − off runs)
    tens = {x["key"]: x for x in _rows(out, "shape_tensor")}
    done = {(t["shape"], t["D"]) for t in table}
    for t in size_table(out):
        key = f"{t['shape']}-{t['D']:g}"
        if (t["shape"], t["D"]) in done or key not in tens:
            continue
        o = next(r for r in _rows(out, "size") if r["shape"] == t["shape"] and r["D_nm"] == t["D"]
                 and r["variant"] == "full")
        S_o = np.asarray(tens[key]["D_rigid_J_per_m3"]) * o["m_reduced"] ** 2
        comp = barriers_of([harmonic(o), ms.QuadraticAnisotropy(S_o)])
        table.append(dict(shape=t["shape"], D=t["D"], n=t["n"], d_eq=t["d_eq"], estimate=True, total=comp[1],
                          total_esc=comp[0], err=t["full_err"], mc=t["mc"], surface=t["surface"],
                          shape_part=comp[1] - t["full"], Ku_shape=uniaxial_of(S_o)[0], Ms=t["Ms"],
                          m_reduced=o["m_reduced"], composite=comp[1], composite_err=t["full_err"],
                          nodip=t["full"]))
    order = {s: k for k, s in enumerate(SHAPES)}
    table.sort(key=lambda t: (order.get(t["shape"], 99), t["D"]))
    return table


def size_spread(out, quantities=("total", "mc", "shape_part", "surface")):
    """The realisation spread of the size series against its fit errors: per particle with ≥ 2 realisations on the
    measured split and per quantity, the seed s.d. over realisations, the rms fit error and their ratio with its
    95 % interval (χ² with n − 1 degrees of freedom); then the same pooled over all those particles ("pooled")."""
    from scipy.stats import chi2

    rows, ss, dof, fe = [], {q: 0.0 for q in quantities}, {q: 0 for q in quantities}, {q: [] for q in quantities}
    parts = {q: 0 for q in quantities}
    for t in size_table_dipolar(out):
        if t.get("realisations", 1) < 2:
            continue
        n = t["realisations"]
        for q in quantities:
            sd, fit = t.get(q + "_sd" if q != "total" else "total_sd"), t.get(q + "_fit_rms" if q != "total"
                                                                               else "total_fit_rms")
            if sd is None or not (np.isfinite(sd) and np.isfinite(fit) and fit > 0):
                continue
            lo, hi = (sd * np.sqrt((n - 1) / chi2.ppf(p, n - 1)) / fit for p in (0.975, 0.025))
            rows.append(dict(particle=f"{t['shape'].replace('_', ' ')} {t['D']:g} nm", n=n, quantity=q, sd=sd,
                             fit=fit, ratio=sd / fit, lo=lo, hi=hi))
            ss[q] += sd ** 2 * (n - 1)
            dof[q] += n - 1
            parts[q] += 1
            fe[q] += [fit] * n
    for q in quantities:
        if dof[q] < 2:
            continue
        sd, fit = np.sqrt(ss[q] / dof[q]), float(np.sqrt(np.mean(np.square(fe[q]))))
        lo, hi = (sd * np.sqrt(dof[q] / chi2.ppf(p, dof[q])) / fit for p in (0.975, 0.025))
        rows.append(dict(particle=f"pooled over {parts[q]} particles ({dof[q]} dof)", n=len(fe[q]), quantity=q,
                         sd=sd, fit=fit, ratio=sd / fit, lo=lo, hi=hi))
    return rows


def model_surface_constant():
    """The model's default surface constant K_s (J/m², the Néel term's input; atomspin/model/params/magnetite.toml
    [surface_anisotropy], from Pérez et al. 2008)."""
    from atomspin.model.parameters import load_parameter_set

    return float(load_parameter_set("magnetite").extra["surface_anisotropy"]["K_s_J_per_m2"])


def spheroid_neel_ku(aspect, D_m, Ks_J_per_m2, n=2000):
    """Continuum first-order Néel anisotropy of a smooth prolate spheroid (long axis z, c/a = ``aspect`` ≥ 1,
    volume-equivalent diameter ``D_m``): E(ŝ) = K_s ∮ (ŝ·ν̂)² dA, so Ku = [E(x̂) − E(ẑ)]/V = K_s ∮ (ν_x² − ν_z²) dA / V
    (J/m³; > 0: long axis easy for K_s > 0; 0 for a sphere). Midpoint rule in the polar angle (the azimuth is
    exact: ⟨cos²φ⟩ = 1/2). The T = 0, smooth-surface value of the term the size series' ellipsoids measure as their
    surface part (their facets are stepped, and K_s renormalises at 300 K)."""
    a, c = 1.0, float(aspect)
    th = (np.arange(n) + 0.5) * np.pi / n
    st, ct = np.sin(th), np.cos(th)
    g2 = (st / a) ** 2 + (ct / c) ** 2  # the squared (unnormalised) normal (x/a², y/a², z/c²) on the surface
    dA = 2 * np.pi * a * st * np.sqrt((c * st) ** 2 + (a * ct) ** 2) * np.pi / n
    integral = np.sum((0.5 * (st / a) ** 2 - (ct / c) ** 2) / g2 * dA)
    V = 4 / 3 * np.pi * a * a * c
    d = (6 * V / np.pi) ** (1 / 3)
    return float(Ks_J_per_m2 * integral / V * d / D_m)  # integral/V scales as 1/length: rescale to D_m


def surface_vs_keff(out):
    """The surface part of the size series against the 1/D surface term of the measured K_eff(D) (issue 13: where
    the model agrees with published K_eff(D) and where not): per particle of :func:`size_table_dipolar` on the
    measured split (the surface part is then the on-site, i.e. Néel, term), at its volume-equivalent diameter d:

    * ``keff_surface`` = 6 K_s/d of the γ-Fe2O3 fit (:data:`PISANE`, J/m³) and ``ratio`` = surface part / that,
      with the surface part's error (the curve's own error is not given in the source);
    * ``Ks_eq`` = surface part × d / 6 (J/m²): the surface constant that the K_eff = K_V + 6 K_s/D reading
      would assign to the measured part, against the fit's K_s and the model's input K_s
      (:func:`model_surface_constant`), ``Ks_eq_over_input`` their ratio;
    * ``D_times_surface`` = d × surface part (J/m³·nm): constant if the part falls as 1/D;
    * ``neel_continuum``: for the aspect-1.2 ellipsoids the continuum Néel term of a smooth spheroid with the model's
      K_s (:func:`spheroid_neel_ku`, J/m³), and ``over_continuum`` = surface part / that (nan for other shapes).

    Rows in the table's order (shape, then D)."""
    ks_in = model_surface_constant()
    rows = []
    for t in size_table_dipolar(out):
        if t.get("estimate") or t.get("split") != "measured" or "surface" not in t:
            continue
        d = float(t["d_eq"])
        term = 6 * PISANE["Ks"] / (d * 1e-9)
        err = float(t.get("surface_err", np.nan))
        ks_eq = t["surface"] * d * 1e-9 / 6
        rows.append(dict(shape=t["shape"], D=t["D"], d_eq=d, realisations=t["realisations"], surface=t["surface"],
                         surface_err=err, keff_surface=term, ratio=t["surface"] / term, ratio_err=err / term,
                         Ks_eq=ks_eq, Ks_eq_err=err * d * 1e-9 / 6, Ks_eq_over_input=ks_eq / ks_in,
                         Ks_input=ks_in, Ks_fit=PISANE["Ks"], D_times_surface=t["surface"] * d,
                         D_times_surface_err=err * d))
        cont = spheroid_neel_ku(1.2, d * 1e-9, ks_in) if t["shape"] == "ellipsoid" else float("nan")
        rows[-1].update(neel_continuum=cont, over_continuum=t["surface"] / cont, over_continuum_err=err / cont)
    return rows


def _check_ku_err(n, Sn):
    """Error of the uniaxial remainder of a Néel-off row beyond its held shape term ``Sn`` (``shape_Q_of``: the
    term its fit held, so the fit's ``Ku_err`` is that remainder's error in the "beyond_rigid" and "total"
    meanings); with the measured dipolar share ("onsite") the held term has an error of its own, so the error comes
    from the covariances along the remainder's axis."""
    if Sn is None:
        return float("nan")
    if fit_ku(n)[2] == "onsite" and "covariance_J2" in n:
        return ku_along(n, "onsite", uniaxial_of(l2_tensor(n) - Sn)[1])[1]
    return float(n["Ku_err"])


def _l2_along(r, u):
    """(Ku, error) of the degree-2 part of a stored landscape along the axis u (Ku (1 − (n̂·û)²) convention, J/m³):
    linear in the coefficients, so its error is exact from ``covariance_J2`` (rows since it is stored), else the
    term fit's Ku error."""
    from atomspin.measure import _sphere_fit as sf

    u = np.asarray(u, dtype=np.float64)
    a = -1.5 * np.einsum("i,ijp,j->p", u, sf.l2_projector(r["degree"]), u) / r["V_m3"]  # Ku per coefficient (J → J/m³)
    ku = float(a @ np.asarray(r["coefficients_J"]))
    if "covariance_J2" in r:
        return ku, float(np.sqrt(max(a @ np.asarray(r["covariance_J2"]) @ a, 0.0)))
    # rows before the covariance was stored: the fit's Ku error, the error of the whole degree-2 part only when
    # the held term had none (rigid × m² or nothing; those rows predate the measured dipolar share)
    if "dipolar_coefficients_J" in r or r.get("shape_source") == "measured dipolar torque":  # "onsite" Ku
        raise ValueError(f"{r.get('key')}: a row with the measured dipolar share and no covariance_J2")
    return ku, float(r["Ku_err"])


def crosscheck_table(out):
    """The dipolar-on landscape against "no-dipolar landscape + a dipolar term", per particle of crosscheck.json:
    the measured thermal dipolar anisotropy along the rigid tensor's axis u, Ku_dip = Ku_l2(dipolar on) −
    Ku_l2(dipolar off) (degree-2 parts; the Néel first-order term is in both), against the rigid tensor × m² and
    the local-order-weighted tensor (docs/landscape_study.py ``thermal_dipolar_tensors``), in J/m³ and in σ."""
    cc = _rows(out, "crosscheck")
    dip = {r["key"]: r for r in _rows(out, "size_dipolar")}
    nod = {r["key"]: r for r in _rows(out, "size")}
    table = []
    for c in cc:
        f, o = dip.get(c["key"] + "-full"), nod.get(c["key"] + "-full")
        if f is None or o is None:
            continue
        from atomspin import macrospin as ms

        total = barriers_of([harmonic(f)])[1]
        comp_local = barriers_of([harmonic(o), ms.QuadraticAnisotropy(np.asarray(c["local"]))])[1]
        comp_rigid = barriers_of([harmonic(o), ms.QuadraticAnisotropy(np.asarray(f["shape_Q_J_per_m3"]))])[1]
        terr = f.get("reversal_err_J_per_m3", f["barrier_err_J_per_m3"])
        kf, ef = _l2_along(f, c["axis"])
        ko, eo = _l2_along(o, c["axis"])
        meas, err = kf - ko, float(np.hypot(ef, eo))
        table.append(dict(key=c["key"], shape=c["shape"], D=c["D_nm"], measured=meas, err=err,
                          rigid_m2=c["Ku_rigid_m2"], local=c["Ku_local"], local_err=c["Ku_local_err"],
                          sigma_rigid=(meas - c["Ku_rigid_m2"]) / err,
                          sigma_local=(meas - c["Ku_local"]) / float(np.hypot(err, c["Ku_local_err"])),
                          new="refresh_windows_min" in f, m=c["m_reduced"], m_sub=c["m_sub"], total=total,
                          total_err=terr, composite_rigid=comp_rigid, composite_local=comp_local,
                          composite_err=o["barrier_err_J_per_m3"],
                          order_core=c.get("order_core"), order_surface=c.get("order_surface")))
    return table


def plot_size_dipolar(out):
    """barrier/V vs D with the dipolar term: total and parts per shape, the no-dipolar totals for comparison."""
    table = size_table_dipolar(out)
    if not table:
        return
    shapes = [s for s in SHAPES if any(t["shape"] == s for t in table)]
    ncol = 2 if len(shapes) > 1 else 1
    nrow = (len(shapes) + 1) // 2
    fig, axs = _fig(nrow, ncol, figsize=(5.2 * ncol, 4.0 * nrow + 1.3), squeeze=False)
    for ax in axs.flat[len(shapes):]:
        ax.set_visible(False)
    for ax, shape in zip(axs.flat, shapes):
        t = [x for x in table if x["shape"] == shape and not x.get("estimate")]
        e = [x for x in table if x["shape"] == shape and x.get("estimate")]
        if e:
            ax.errorbar([x["d_eq"] for x in e], [x["total"] for x in e], yerr=[x["err"] for x in e], fmt="P--",
                        color="k", mfc="none", ms=7,
                        label="total, estimate: no-dipolar landscape\n+ rigid point-dipole term (not run with dipolar)")
            for k, mk in (("mc", "o"), ("shape_part", "^"), ("surface", "s")):
                ax.plot([x["d_eq"] for x in e], [x[k] for x in e], mk, color={"mc": "C0", "shape_part": "C1",
                        "surface": "C2"}[k], ms=4, alpha=0.5,
                        label="faded markers: the parts of the estimates\n(Néel-off run, Néel on − off, "
                              "+ rigid term)" if k == "mc" else None)
        D = np.array([x["d_eq"] for x in t])
        g = lambda k: np.array([x.get(k, np.nan) for x in t])  # noqa: E731
        err = g("err")
        # part errors: propagated from the fit covariance where the row stores it, else the total's error
        pe = lambda k: np.where(np.isfinite(g(k + "_err")), g(k + "_err"), err)  # noqa: E731
        ax.errorbar(D, g("total"), yerr=err, fmt="k-", lw=1)
        new = g("new").astype(bool) if len(t) else np.zeros(0, bool)
        for sel, mfc, lab in ((new, "k", "total (reversal barrier), today's engine"),
                              (~new, "none", "total, earlier engine (snapshot reference)")):
            if sel.any():
                ax.plot(D[sel], g("total")[sel], "*", color="k", mfc=mfc, ms=10, label=lab)
        meas = np.array([x.get("split") == "measured" for x in t], bool)
        for k, mk, c, lab in (("mc", "o", "C0", "magnetocrystalline (degree ≥ 4 part)"),
                              ("shape_part", "^", "C1", "shape part, signed (dipolar degree-2 term)"),
                              ("surface", "s", "C2", "surface part, signed (rest of degree 2;\nmeasured split: the on-site Néel term)")):
            ax.errorbar(D, g(k), yerr=pe(k), fmt=mk + "-", color=c, mfc="none", capsize=2, label=lab)
            if meas.any():
                ax.plot(D[meas], g(k)[meas], mk, color=c, ms=6,
                        label="filled: measured split (dipolar share sampled),\nmean of its realisations; hollow "
                              "only: rigid × m² shape term" if k == "mc" else None)
        c = [x for x in t if "composite" in x and not x.get("estimate")]
        if c:
            ax.errorbar([x["d_eq"] for x in c], [x["composite"] for x in c], yerr=[x["composite_err"] for x in c],
                        fmt="D:", ms=4, color="gray", mfc="none",
                        label="no-dipolar landscape + rigid point-dipole term\n(earlier runs; cross-check)")
        dmax = max([22.0] + [x["d_eq"] + 1.5 for x in table])  # one x range for every panel
        Dc = np.linspace(3.0, dmax - 1.0, 100)
        ax.plot(Dc, pisane_keff(Dc), "r--", lw=1, label="measured K_eff(D), γ-Fe2O3\n(Pisane et al. 2017 fit)")
        ax.plot(Dc, 6 * PISANE["Ks"] / (Dc * 1e-9), "r:", lw=1.2,
                label="its surface term 6K_s/D\n(compare with the surface part)")
        ax.axhline(1.1e4 / 12 + 0.28e4 / 27, color="gray", ls="-.", lw=1, label="bulk abs(K1)/12 + abs(K2)/27")
        if shape == "ellipsoid":  # the first-order Néel term of the elongation, smooth surface, T = 0
            ks_in = model_surface_constant()
            ax.plot(Dc, [spheroid_neel_ku(1.2, x * 1e-9, ks_in) for x in Dc], ":", color="C2", lw=1.2,
                    label="continuum Néel term of a smooth\naspect-1.2 spheroid (model K_s, T = 0)")
        # symlog: the parts are signed (a term can lower the barrier); linear within ±1e3 J/m³, log beyond
        ax.set_yscale("symlog", linthresh=1e3, linscale=0.8)
        ax.set_ylim(-1.5e4, 2e5)
        ax.set_yticks([-1e4, -1e3, 0, 1e3, 1e4, 1e5], ["−10⁴", "−10³", "0", "10³", "10⁴", "10⁵"])
        ax.minorticks_off()
        ax.grid(True, axis="y", alpha=0.25)
        ax.axhline(0, color="k", lw=0.5)
        ax.set_xlabel("volume-equivalent diameter (nm)")
        ax.set_ylabel("barrier / V at 300 K (J/m³; symlog)")
        ax.set_title(f"{shape.replace('_', ' ')}" + (", aspect 1.2" if shape == "ellipsoid" else "")
                     + " (dipolar + Néel on, 300 K)", fontsize=9)
        ax.set_xlim(3.5, dmax)
    handles, labels = [], []
    for ax in axs.flat:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=7, frameon=False)
    fig.tight_layout(rect=(0, 1.3 / (4.0 * nrow + 1.3), 1, 1))
    fig.savefig(out.parent / "landscape_size_series.png", dpi=130)


def plot_size(out):
    table = size_table(out)
    if not table:
        return
    shapes = [s for s in ("sphere", "truncated_octahedron", "cube", "ellipsoid") if any(t["shape"] == s for t in table)]
    fig, axs = _fig(1, len(shapes), figsize=(4.2 * len(shapes), 4.0), squeeze=False)
    for ax, shape in zip(axs[0], shapes):
        t = [x for x in table if x["shape"] == shape]
        D = np.array([x["d_eq"] for x in t])
        g = lambda k: np.array([x[k] for x in t])  # noqa: E731
        ax.errorbar(D, g("mc"), yerr=g("mc_err"), fmt="o-", label="magnetocrystalline (Néel off)")
        ax.errorbar(D, np.abs(g("surface")), yerr=g("surface_err"), fmt="s-", mfc="none",
                    label="abs(surface part) (Néel on − off)")
        if shape == "ellipsoid":
            ax.errorbar(D, g("shape_part"), yerr=g("total_err"), fmt="^-", label="shape part (½μ0Ms²ΔN, aspect 1.2)")
        ax.errorbar(D, g("total"), yerr=g("total_err"), fmt="k*-", ms=9, label="total (reversal barrier)")
        ax.plot(D, g("total_esc"), "k:", lw=1, label="lowest escape barrier (if lower)")
        Dc = np.linspace(3.0, 21.0, 100)
        ax.plot(Dc, pisane_keff(Dc), "r--", lw=1, label="measured K_eff(D), γ-Fe2O3\n(Pisane et al. 2017 fit)")
        ax.axhline(1.1e4 / 12 + 0.28e4 / 27, color="gray", ls=":", lw=1, label="bulk abs(K1)/12 + abs(K2)/27")
        ax.set_yscale("log")
        ax.set_ylim(30, 1e5)
        ax.set_xlabel("volume-equivalent diameter (nm)")
        ax.set_ylabel("barrier / V at 300 K (J/m³)")
        ax.set_title(shape.replace("_", " ") + (" (no shape term: cubic symmetry)" if shape != "ellipsoid" else ""),
                     fontsize=8)
        ax.legend(fontsize=6, loc="upper right")
    fig.tight_layout()
    fig.savefig(out.parent / "landscape_size_series_nodipolar.png", dpi=130)


def plot_defects(out):
    """The defect series (docs/landscape_defects.py: realisations, means, verdicts, parts, Ms)."""
    from landscape_defects import plot_defects as _plot

    _plot(out)


# Measured dead / canted shell thicknesses of iron-oxide nanoparticles (nm), the numbers confirmed from each
# abstract: polarized SANS, ~9 nm iron-oxide spheres 0.3(1), ~8.5 nm cubes 0.5(1) ("Quantitative spatial
# magnetization distribution in iron oxide nanocubes and nanospheres by polarized small-angle neutron
# scattering"; title and abstract confirmed, authors and journal not); Ms(D) core–shell fit of dextran-coated
# Fe3O4 3–19 nm, t = 6.8 Å (arXiv:2303.14654); Ms(D) of γ-Fe2O3 2.5–15 nm, d = 1.1 nm (Pisane, Singh & Seehra,
# arXiv:1702.08378); a canted (not dead) shell 1.0–1.5 nm thick in 9 nm Fe3O4 at 1.2 T that vanishes in zero
# field, polarized SANS (Krycka et al., PRL 104, 207203 (2010)).
SHELLS = ((0.3, "0.3(1) nm, polarized SANS, ~9 nm spheres", "g", "--"),
          (0.5, "0.5(1) nm, polarized SANS, ~8.5 nm cubes", "c", "--"),
          (0.68, "0.68 nm, Ms(D), dextran-Fe3O4 (arXiv:2303.14654)", "m", "-."),
          (1.1, "1.1 nm, Ms(D), γ-Fe2O3 (Pisane 2017)", "r", "-."),
          (1.25, "1.0–1.5 nm canted shell in 1.2 T, PSANS (Krycka 2010)", "orange", ":"))


def plot_deadlayer(out):
    rows = {r["key"]: r for r in _rows(out, "deadlayer")}
    ms = sorted([r for r in rows.values() if r["key"].startswith("Ms-")], key=lambda r: r["D_nm"])
    if not ms:
        return
    fig, axs = _fig(1, 2, figsize=(12, 4.4))
    ax = axs[0]
    D = np.array([r["D_nm"] for r in ms])
    ax.errorbar(D, [r["Ms"] / 1e3 for r in ms], yerr=[r["Ms_err"] / 1e3 for r in ms], fmt="o",
                label="MC, default model, 300 K")
    if "Ms0" in ms[0]:
        ax.plot(D, [r["Ms0"] / 1e3 for r in ms], "x", color="gray", label="collinear (T = 0) moment / V")
    x2 = np.linspace(2.5, D.max() * 1.1, 100)
    if "fit" in rows:
        f = rows["fit"]
        ax.plot(x2, f["Ms_bulk"] / 1e3 * np.clip(1 - 2 * f["d_nm"] / x2, 0, None) ** 3, "-",
                label=f"(1 − 2d/D)³ fit: d = {f['d_nm']:.3f} ± {f['d_err_nm']:.3f} nm")
        for d, lab, c, ls in SHELLS[2:4]:
            ax.plot(x2, f["Ms_bulk"] / 1e3 * np.clip(1 - 2 * d / x2, 0, None) ** 3, color=c, ls=ls, lw=1,
                    label=f"same Ms_bulk, d = {lab}")
    ax.set_xlabel("sphere diameter D (nm)")
    ax.set_ylabel("Ms at 300 K (kA/m)")
    ax.set_ylim(0, 600)
    ax.set_title("Ms(D) of magnetite spheres (neutralised), 300 K", fontsize=9)
    ax.legend(fontsize=6, loc="lower right")
    ax = axs[1]
    for key, lab in (("canting-8-default", "rescaled (default)"), ("canting-8-None", "classical")):
        if key in rows:
            r = rows[key]
            extra = (f": moment-equivalent d = {r['d_moment_nm']:.3f} ± {r['d_moment_err_nm']:.3f} nm"
                     if "d_moment_nm" in r else "")
            ax.errorbar(r["depth_nm"], r["canting_deg"], yerr=r["canting_err_deg"], fmt="o-", ms=3,
                        label=lab + extra)
    for d, lab, c, ls in SHELLS:
        if d == 1.25:
            ax.axvspan(1.0, 1.5, color=c, alpha=0.15, label=lab)
        else:
            ax.axvline(d, color=c, ls=ls, lw=1, label=lab)
    ax.set_xlabel("depth below the surface (nm)")
    ax.set_ylabel("local canting angle at 300 K (degrees)")
    ax.set_ylim(0, 45)
    ax.set_title("radial canting profile, 8 nm sphere (10 snapshots, mean ± s.e.m.)", fontsize=9)
    ax.legend(fontsize=6, loc="upper right")
    fig.tight_layout()
    fig.savefig(out.parent / "landscape_dead_layer.png", dpi=130)


def plot_map(out):
    """The fitted landscape of one particle (8 nm sphere, default model) on the sphere."""
    from atomspin import macrospin as ms
    from atomspin.measure import _sphere_fit as sf

    rows = {r["key"]: r for r in _rows(out, "defects")}
    r = rows.get("perfect-1") or rows.get("apb1-1")
    if r is None:
        return
    surf = ms.EnergySurface([ms.HarmonicExpansion(np.array(sf.exponents(r["degree"])),
                                                  np.array(r["coefficients_J"]) / r["V_m3"])])
    cp = ms.critical_points(surf)
    fig, ax = _fig(figsize=(7, 4.2), subplot_kw=dict(projection="hammer"))
    lon = np.linspace(-np.pi, np.pi, 181)
    lat = np.linspace(-np.pi / 2, np.pi / 2, 91)
    LO, LA = np.meshgrid(lon, lat)
    n = np.stack([np.cos(LA) * np.cos(LO), np.cos(LA) * np.sin(LO), np.sin(LA)], axis=-1).reshape(-1, 3)
    e = surf.energy(n).reshape(LA.shape)
    cs = ax.pcolormesh(LO, LA, e - e.min(), shading="auto")
    fig.colorbar(cs, ax=ax, orientation="horizontal", pad=0.08, shrink=0.7, label="F(n̂)/V − min (J/m³)")
    for pts, mk, lab in ((cp.minima, "v", "minima"), (cp.saddles, "x", "saddles"), (cp.maxima, "^", "maxima")):
        if len(pts):
            ax.plot(np.arctan2(pts[:, 1], pts[:, 0]), np.arcsin(np.clip(pts[:, 2], -1, 1)), mk, color="r", ls="none",
                    label=lab)
    ax.grid(True, alpha=0.3)
    ax.set_xticklabels([])
    ax.set_yticklabels([])
    ax.set_title(f"8 nm magnetite sphere, 300 K (longitude atan2(y, x), latitude asin z): barrier {r['barrier_J_per_m3']:.0f} ± "
                 f"{r['barrier_err_J_per_m3']:.0f} J/m³", fontsize=8, pad=12)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(out.parent / "landscape_map.png", dpi=130)


def plot_sensitivity(out):
    rows = {r["key"]: r for r in _rows(out, "sensitivity")}
    if not rows:
        return
    fig, axs = _fig(1, 2, figsize=(10, 3.6))
    ks = [r for r in rows.values() if "K_s_J_per_m2" in r]
    ks.sort(key=lambda r: r["K_s_J_per_m2"])
    axs[0].errorbar([r["K_s_J_per_m2"] * 1e5 for r in ks], [r["barrier_J_per_m3"] for r in ks],
                    yerr=[r["barrier_err_J_per_m3"] for r in ks], fmt="o-")
    axs[0].set_xlabel("surface constant K_s (1e-5 J/m²), signed")
    axs[0].set_ylabel("barrier / V (J/m³), no shape term")
    axs[0].set_title("8 nm ellipsoid, aspect 1.2, 300 K", fontsize=9)
    ja = [r for r in rows.values() if "J_BB180_lit_meV" in r]
    ja.sort(key=lambda r: r["J_BB180_lit_meV"])
    axs[1].errorbar([r["J_BB180_lit_meV"] for r in ja], [r["barrier_J_per_m3"] for r in ja],
                    yerr=[r["barrier_err_J_per_m3"] for r in ja], fmt="o-")
    axs[1].set_xlabel("J_BB180 (meV, −2J convention)")
    axs[1].set_ylabel("barrier / V (J/m³)")
    axs[1].set_title("8 nm sphere with one (110) APB, 300 K", fontsize=9)
    fig.tight_layout()
    fig.savefig(out.parent / "landscape_sensitivity.png", dpi=130)


def plot_all(out):
    from landscape_defects import plot_defect_parts

    for f in (plot_rescaling, plot_size, plot_size_dipolar, plot_defects, plot_defect_parts, plot_deadlayer, plot_map,
              plot_sensitivity):
        f(out)


def summary_dipolar(out):
    """Markdown lines of the dipolar size table and the cross-check table (docs/validation.md §3b)."""
    lines = []
    table = size_table_dipolar(out)
    if table:
        cc = {x["key"]: x for x in _rows(out, "crosscheck")}
        lines += ["", "| shape | D (nm) (d_eq) | spins | realisations (seeds) | split | total: reversal barrier (J/m³) | "
                  "seed s.d. / rms fit error | lowest escape | magnetocrystalline | shape part | surface part | "
                  "measured dipolar Ku | rigid point-dipole Ku·m² | local-order Ku | "
                  "no-dipolar landscape + rigid term | Ms (kA/m) | χ²/dof | refresh windows | n_eff min / median | "
                  "CPU s (1 worker) | engine |", "|" + "---|" * 21]
        for t in table:
            if t.get("estimate"):
                lines.append(f"| {t['shape'].replace('_', ' ')} (estimate) | {t['D']:g} ({t['d_eq']:.1f}) | {t['n']} | "
                             f"– | rigid × m² | {t['total']:.0f} ± {t['err']:.0f} | – | {t['total_esc']:.0f} | "
                             f"{t['mc']:.0f} | {t['shape_part']:+.0f} | {t['surface']:+.0f} | – | {t['Ku_shape']:.0f} | "
                             f"– | = total | {t['Ms'] / 1e3:.0f} | – | – | – | – | – |")
                continue
            pm = lambda k: (f"{t[k]:+.0f} ± {t[k + '_err']:.0f}" if np.isfinite(t.get(k + "_err", np.nan))  # noqa: E731
                            else f"{t.get(k, np.nan):+.0f}")
            comp = f"{t['composite']:.0f} ± {t['composite_err']:.0f}" if "composite" in t else "–"
            c = cc.get(f"{t['shape']}-{t['D']:g}")
            loc = f"{c['Ku_local']:.0f} ± {c['Ku_local_err']:.0f}" if c else "–"
            neff = (f"{t['n_eff_min']:.1f} / {t['n_eff_median']:.0f}" if np.isfinite(t["n_eff_median"])
                    else f"{t['n_eff_min']:.1f} / –")
            win = f"{t['windows']:.0f}" if np.isfinite(t["windows"]) else "–"
            cpu = f"{t['cpu_s']:.0f}" if np.isfinite(t["cpu_s"]) else "–"
            spread = (f"{t['total_sd']:.0f} / {t['total_fit_rms']:.0f}" if np.isfinite(t["total_sd"])
                      else f"– / {t['total_fit_rms']:.0f}")
            kud = f"{t['Ku_shape']:.0f}" if t["split"] == "measured" else "–"
            lines.append(f"| {t['shape'].replace('_', ' ')} | {t['D']:g} ({t['d_eq']:.1f}) | {t['n']} | "
                         f"{t['realisations']} ({','.join(map(str, t['seeds']))}) | "
                         f"{'measured dipolar' if t['split'] == 'measured' else 'rigid × m²'} | "
                         f"{t['total']:.0f} ± {t['err']:.0f} | {spread} | {t['total_esc']:.0f} | "
                         f"{t['mc']:.0f}{' ± %.0f' % t['mc_err'] if np.isfinite(t['mc_err']) else ''} | "
                         f"{pm('shape_part')} | {pm('surface')} | {kud} | {t['Ku_rigid_m2']:.0f} | {loc} | {comp} | "
                         f"{t['Ms'] / 1e3:.0f} | {t['chi2']:.1f} | {win} | {neff} | {cpu} | "
                         f"{'today (' + ', '.join(t['commits']) + ')' if t['new'] else 'earlier (snapshot reference)'} |")
    spread = size_spread(out)
    if spread:
        lines += ["", "| size-series particle | realisations | quantity | seed s.d. (J/m³) | rms fit error | "
                  "s.d. / fit error (95 % interval) |", "|---|---|---|---|---|---|"]
        for x in spread:
            lines.append(f"| {x['particle']} | {x['n']} | {x['quantity']} | {x['sd']:.0f} | {x['fit']:.0f} | "
                         f"{x['ratio']:.2f} ({x['lo']:.2f}–{x['hi']:.2f}) |")
    sk = surface_vs_keff(out)
    if sk:
        lines += ["", "| particle (measured split) | D (nm) (d_eq) | realisations | surface (Néel) part (J/m³) | "
                  "6K_s/d of the K_eff(D) fit (J/m³) | surface part / 6K_s/d | d × surface part (J/m³·nm) | "
                  f"K_s equivalent = surface × d/6 (10⁻⁶ J/m²; fit {sk[0]['Ks_fit'] * 1e6:.0f}, model input "
                  f"{sk[0]['Ks_input'] * 1e6:.0f}) | ÷ model input | continuum Néel Ku of a smooth aspect-1.2 "
                  "spheroid, model K_s, T = 0 (J/m³) | surface part ÷ that |", "|---|---|---|---|---|---|---|---|---|---|---|"]
        for x in sk:
            lines.append(f"| {x['shape'].replace('_', ' ')} | {x['D']:g} ({x['d_eq']:.1f}) | {x['realisations']} | "
                         f"{x['surface']:+.0f} ± {x['surface_err']:.0f} | {x['keff_surface']:.0f} | "
                         f"{x['ratio']:+.3f} ± {x['ratio_err']:.3f} | {x['D_times_surface']:+.0f} ± "
                         f"{x['D_times_surface_err']:.0f} | {x['Ks_eq'] * 1e6:+.2f} ± {x['Ks_eq_err'] * 1e6:.2f} | "
                         f"{x['Ks_eq_over_input']:+.3f} | "
                         + (f"{x['neel_continuum']:.0f} | {x['over_continuum']:.2f} ± {x['over_continuum_err']:.2f} |"
                            if np.isfinite(x["neel_continuum"]) else "– | – |"))
    cct = crosscheck_table(out)
    if cct:
        lines += ["", "| particle | thermal dipolar Ku measured (on − off, J/m³) | rigid × m² | vs measured | "
                  "local-order tensor | vs measured | order core / under-coordinated | total barrier measured | "
                  "no-dipolar + rigid × m² | no-dipolar + local-order tensor | dipolar-on run |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for t in cct:
            lines.append(f"| {t['shape'].replace('_', ' ')} {t['D']:g} nm | {t['measured']:.0f} ± {t['err']:.0f} | "
                         f"{t['rigid_m2']:.0f} | {t['sigma_rigid']:+.1f}σ | {t['local']:.0f} ± {t['local_err']:.0f} | "
                         f"{t['sigma_local']:+.1f}σ | {t['order_core']:.3f} / {t['order_surface']:.3f} | "
                         f"{t['total']:.0f} ± {t['total_err']:.0f} | {t['composite_rigid']:.0f} ± {t['composite_err']:.0f} "
                         f"| {t['composite_local']:.0f} ± {t['composite_err']:.0f} | "
                         f"{'today' if t['new'] else 'earlier engine'} |")
    return lines


def summary(out):
    """Markdown tables of the study's numbers (pasted into docs/validation.md §3b)."""
    lines = []
    table = size_table(out)
    if table:
        lines += ["| shape | D (nm) (d_eq) | spins | magnetocrystalline (Néel off) | Néel on | surface part | shape part | "
                  "total (reversal) | lowest escape | Ms (kA/m) | K1 fit (kJ/m³) | Ku fit (J/m³; no dipolar term: "
                  "the whole degree-2 uniaxial part), axis |",
                  "|" + "---|" * 12]
        for t in table:
            lines.append(f"| {t['shape'].replace('_', ' ')} | {t['D']:g} ({t['d_eq']:.1f}) | {t['n']} | {t['mc']:.0f} ± {t['mc_err']:.0f} | "
                         f"{t['full']:.0f} ± {t['full_err']:.0f} | {t['surface']:+.0f} ± {t['surface_err']:.0f} | "
                         f"{t['shape_part']:.0f} | {t['total']:.0f} ± {t['total_err']:.0f} | {t['total_esc']:.0f} | "
                         f"{t['Ms'] / 1e3:.0f} | {t['K1'] / 1e3:.2f} ± {t['K1_err'] / 1e3:.2f} | {t['Ku']:.0f} ± "
                         f"{t['Ku_err']:.0f} [{', '.join(f'{a:.2f}' for a in t['axis'])}] |")
    lines += summary_dipolar(out)
    from landscape_defects import summary_defects, summary_heating_parts, summary_neel_split

    lines += summary_defects(out) + summary_neel_split(out) + summary_heating_parts(out)
    from landscape_defects import summary_heating_neel_split

    lines += summary_heating_neel_split(out)
    from landscape_parts import summary_dipolar_split, summary_neel_check

    lines += summary_dipolar_split(out) + summary_neel_check(out)
    rows = _rows(out, "defects_nodipolar")  # the earlier engine without the dipolar term (kept for comparison)
    if rows:
        lines += ["", "| 8 nm sphere, no dipolar term, earlier engine | realisations | reversal barrier/V (J/m³), mean ± s.e.m. | vs perfect | "
                  "lowest escape (J/m³) | Ms (kA/m) | Néel sites |", "|---|---|---|---|---|---|---|"]
        ref = {}
        for k in ("perfect", "perfect_classical", "vac05", "vac10", "vac20", "vac10r", "vac20r", "apb1", "apb2",
                  "feo"):
            v = [r for r in rows if r["kind"] == k]
            if not v:
                continue
            b = np.array([barriers_from_row(r)[1] for r in v])
            esc = np.array([r["barrier_J_per_m3"] for r in v])
            ms_ = np.array([r["Ms_A_per_m"] for r in v])
            mean, sem = b.mean(), (b.std(ddof=1) / np.sqrt(len(b)) if len(b) > 1 else np.nan)
            if k in ("perfect", "perfect_classical"):
                ref[k] = (mean, sem)
            base = ref.get("perfect_classical" if k == "feo" else "perfect")
            rel = (f"{mean - base[0]:+.0f} ± {np.hypot(sem, base[1]):.0f} ({(mean / base[0] - 1) * 100:+.0f} %)"
                   if base and k not in ("perfect", "perfect_classical") else "—")
            lines.append(f"| {k} | {len(v)} | {mean:.0f} ± {sem:.0f} | {rel} | {esc.mean():.0f} | "
                         f"{ms_.mean() / 1e3:.0f} | {np.mean([r['neel_sites'] for r in v]):.0f} |")
    print("\n".join(lines))
