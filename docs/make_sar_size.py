"""SAR against size from atomistic landscapes (issue #14; docs/validation.md section 7, "SAR against size from
atomistic landscapes"; figure docs/figures/sar_size.png).

Each measured point: magnetite particle (``structures.build_particle``) → ``SpinModel.from_atoms`` (the defaults:
lattice dipolar sum, Néel surface anisotropy, temperature rescaling) → ``measure.anisotropy_landscape`` at body
temperature (310 K) → ``sar.particle_from_measurements`` → ``sar.sar_from_particle`` (regime chosen per point by
``sar.choose_regime`` and recorded). Landscapes (the costly part) are stored, one row per (shape, size, seed), in
``docs/figures/sar_size/landscapes.json``; a stored row is never recomputed, so the study resumes where it stopped.
SAR values are stored in ``docs/figures/sar_size/sar.json`` (keyed per point; also resumable).

Sizes are equivalent-sphere diameters D = (6V/π)^(1/3) (V = N_Fe × the bulk volume per Fe of the builder). Sizes
larger than the largest measured one are *extrapolated*: the energy surface per volume F/V (J/m³) and Ms of the
largest measured particle of that shape, at the new volume. The uncertainty of that step is the change of the
surface between the measured sizes (printed by ``analyse`` and quoted in the docs).

    python docs/make_sar_size.py run SHAPE D [D ...]   # measure landscapes (SHAPE: to | ell12), seed 1
    python docs/make_sar_size.py analyse               # SAR of every point → sar.json, table on stdout
    python docs/make_sar_size.py plot                  # docs/figures/sar_size.png from sar.json
"""
import json
import pathlib
import sys
import time

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent / "figures" / "sar_size"
LANDSCAPES = OUT / "landscapes.json"
SARS = OUT / "sar.json"
FIGURE = OUT.parent / "sar_size.png"
T_BODY = 310.0  # K, body temperature
# Builder size parameter per equivalent-sphere diameter (derived: N_Fe of the builder's shapes at diameter_nm = 10,
# seed 1: sphere 21291, truncated octahedron (truncation 2/3) 5603, ellipsoid aspect 1.2 25463 ⇒ D_eq/d = 0.6407
# and 1.2^(1/3) = 1.0627).
SHAPES = {
    "to": dict(shape="truncated_octahedron", kw={}, d_per_Deq=1 / 0.6407, label="truncated octahedron"),
    "ell12": dict(shape="ellipsoid", kw=dict(aspect=1.2), d_per_Deq=1 / 1.2 ** (1 / 3), label="ellipsoid, aspect 1.2"),
}
EXTRAPOLATED_NM = (16.0, 20.0, 25.0)  # nm: sizes beyond the measured landscapes
FREQS_HZ = (1.0e5, 3.0e5, 5.0e5)
FIELDS_A_PER_M = (1.0e4, 2.5e4)


def protocol(n_spins):
    """Constrained-MC sweeps (sampled, equilibration, thermalisation) per direction: fewer for large particles, whose
    torque (∝ N) is larger relative to its thermal noise (∝ √N). Same protocol as docs/make_defects_heating.py."""
    if n_spins < 8000:
        return 600, 150, 300
    if n_spins < 30000:
        return 300, 75, 200
    return 200, 50, 150


def load(path):
    path = pathlib.Path(path)
    return json.loads(path.read_text()) if path.exists() else {}


def save(path, data):
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{time.time_ns()}.tmp")
    tmp.write_text(json.dumps(data, indent=1))
    tmp.replace(path)


def _locked(fn):
    import fcntl

    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "lock", "w") as lock:  # several run processes may write the same file
        fcntl.flock(lock, fcntl.LOCK_EX)
        return fn()


def key_of(shape, D, seed=1):
    return f"{shape}-{float(D):g}nm-s{int(seed)}"


def row_of(r, m, atoms, shape, D, seed, sw, t_model, t_land):
    term = r.surface.terms[0]
    return dict(key=key_of(shape, D, seed), shape=shape, D_nm=float(D), seed=int(seed), n_spins=int(m.n),
                builder_diameter_nm=float(D * SHAPES[shape]["d_per_Deq"]), T_K=float(r.T_K), V_m3=float(r.volume_m3),
                D_eq_nm=float((6 * r.volume_m3 / np.pi) ** (1 / 3) * 1e9),
                Ms_A_per_m=float(r.Ms_A_per_m), Ms_err_A_per_m=float(r.Ms_err_A_per_m),
                barrier_J=float(r.barrier_J), barrier_err_J=float(r.barrier_err_J),
                barrier_over_kT=float(r.barrier_over_kT), n_minima=int(len(r.minima)), n_saddles=int(len(r.saddles)),
                minima=np.asarray(r.minima).tolist(), K1_J_per_m3=float(r.fit.K1_J_per_m3),
                K1_err_J_per_m3=float(r.fit.K1_err_J_per_m3), Ku_J_per_m3=float(r.fit.Ku_J_per_m3),
                Ku_err_J_per_m3=float(r.fit.Ku_err_J_per_m3), Ku_meaning=r.fit.Ku_meaning, chi2_per_dof=float(r.chi2_per_dof),
                degree=int(r.degree), exponents=np.asarray(term.exponents).tolist(),
                coefficients_J_per_m3=np.asarray(term.coefficients).tolist(),
                covariance_J2=None if r.covariance_J2 is None else np.asarray(r.covariance_J2).tolist(),
                sweeps=list(sw), model_s=float(t_model), landscape_s=float(t_land))


def run_point(shape, D, seed=1):
    """Measure and store one landscape (skipped if stored). Returns the row."""
    from atomspin import structures as S
    from atomspin.measure import anisotropy_landscape
    from atomspin.model import SpinModel

    key = key_of(shape, D, seed)
    if key in load(LANDSCAPES):
        return load(LANDSCAPES)[key]
    spec = SHAPES[shape]
    t0 = time.perf_counter()
    atoms = S.build_particle("Fe3O4", spec["shape"], diameter_nm=float(D) * spec["d_per_Deq"], seed=int(seed),
                             **spec["kw"])
    m = SpinModel.from_atoms(atoms)
    t_model = time.perf_counter() - t0
    sw = protocol(m.n)
    r = anisotropy_landscape(m, T_BODY, sweeps=sw[0], equilibration_sweeps=sw[1], thermalisation_sweeps=sw[2],
                             seed=int(seed))
    row = row_of(r, m, atoms, shape, D, seed, sw, t_model, time.perf_counter() - t0 - t_model)

    def put():
        data = load(LANDSCAPES)
        data[key] = row
        save(LANDSCAPES, data)

    _locked(put)
    print(key, f"N={row['n_spins']} D_eq={row['D_eq_nm']:.2f} nm Ms={row['Ms_A_per_m']:.4g} A/m",
          f"barrier/kT={row['barrier_over_kT']:.3f}±{row['barrier_err_J'] / (1.380649e-23 * T_BODY):.3f}",
          f"minima={row['n_minima']} {row['model_s'] + row['landscape_s']:.0f} s", flush=True)
    return row


# ---------------------------------------------------------------------------------------------------- analysis
STUDY_SPHERES = OUT / "study_spheres.json"
"""Defect-free 8 and 12 nm sphere landscapes measured by docs/make_defects_heating.py (same model defaults, 310 K,
same protocol; rows copied with their provenance so that this study does not measure them again)."""
N_ORIENTATIONS, N_PARTICLES = 12, 16  # quadrature points (master) and members (stochastic models) per SAR point


N_DRAWS = 4  # surfaces drawn from the fit covariance per measured landscape (fit-error propagation)
DRAW_DRIVE = (3.0e5, 1.0e4)  # Hz, A/m: the drive at which the fit error is propagated (relative, applied to all)


class StoredLandscape:
    """The fields of a stored landscape row that :func:`atomspin.sar.particle_from_measurements` reads
    (``surface`` F/V in J/m³, ``volume_m3``, ``Ms_A_per_m``, ``T_K``), optionally at another volume."""

    def __init__(self, row, D_nm=None, coefficients=None):
        from atomspin import macrospin as ms

        self.row = row
        c = np.asarray(row["coefficients_J_per_m3"]) if coefficients is None else np.asarray(coefficients)
        self.surface = ms.EnergySurface([ms.HarmonicExpansion(np.asarray(row["exponents"]), c)])
        self.T_K = float(row["T_K"])
        self.Ms_A_per_m = float(row["Ms_A_per_m"])
        self.volume_m3 = float(row["V_m3"]) if D_nm is None else float(np.pi / 6 * (D_nm * 1e-9) ** 3)


def families():
    """Landscape families: name → (label, {D_eq nm: row}) of measured rows (dipolar on, 310 K)."""
    out = {}
    sph = {r["D_nm"]: r for r in load(STUDY_SPHERES).values()}
    if sph:
        out["sphere"] = ("sphere", sph)
    rows = load(LANDSCAPES)
    for shape, spec in SHAPES.items():
        got = {r["D_nm"]: r for r in rows.values() if r["shape"] == shape}
        if got:
            out[shape] = (spec["label"], got)
    return out


def plan(measured):
    """(D, source D, measured?) for every point: each measured size with its own landscape; 16, 20 and 25 nm
    from the largest measured landscape at the new volume (extrapolated) and, for the spread of that step, from
    the smallest measured one too."""
    pts = [(D, D, True) for D in sorted(measured)]
    for S in sorted({max(measured), min(measured)}, reverse=True):
        pts += [(D, S, False) for D in EXTRAPOLATED_NM if D > max(measured)]
    return pts


def sar_point(row, D, medium_name, measured=True):
    """SAR of one (row, size, medium) at every drive of FREQS_HZ × FIELDS_A_PER_M through sar.size_series_sar."""
    from atomspin import sar

    medium = None if medium_name == "immobilised" else sar.Medium.water()
    t0 = time.perf_counter()
    res = sar.size_series_sar([sar.particle_from_measurements(landscape=StoredLandscape(row, None if measured else D))], FREQS_HZ,
                              FIELDS_A_PER_M, medium=medium, n_orientations=N_ORIENTATIONS,
                              n_particles=N_PARTICLES, seed=1, allow_nonclinical=True)
    return dict(sar_W_per_g=res.sar_W_per_g[0].tolist(), sar_err_W_per_g=res.sar_err_W_per_g[0].tolist(),
                models=res.models[0].tolist(), reasons=res.reasons[0].tolist(), wall_s=time.perf_counter() - t0)


def fit_error(row, seed=7):
    """Relative standard deviation of the SAR (immobilised, at DRAW_DRIVE) over N_DRAWS surfaces drawn from the
    Gaussian fit covariance of the measured coefficients (covariance in J², coefficients in J/m³)."""
    from atomspin import sar

    cov = np.asarray(row["covariance_J2"]) / row["V_m3"] ** 2
    draws = np.random.default_rng(seed).multivariate_normal(np.asarray(row["coefficients_J_per_m3"]), cov,
                                                            size=N_DRAWS, method="eigh")
    t0, vals, models = time.perf_counter(), [], []
    for c in draws:
        p = sar.particle_from_measurements(landscape=StoredLandscape(row, coefficients=c))
        r = sar.sar_from_particle(p, f=DRAW_DRIVE[0], H0=DRAW_DRIVE[1], n_orientations=N_ORIENTATIONS,
                                  n_particles=N_PARTICLES, seed=1, allow_nonclinical=True)
        vals.append(r.sar_W_per_g)
        models.append(r.model)
    v = np.asarray(vals)
    return dict(values=v.tolist(), models=models, rel_std=float(v.std(ddof=1) / v.mean()),
                wall_s=time.perf_counter() - t0)


def _put(key, value):
    """Store one SAR entry (merged under the lock: several analyse processes may run at once)."""
    def put():
        data = load(SARS)
        data[key] = value
        save(SARS, data)

    _locked(put)


def analyse(only=None):
    """SAR of every family × size × medium (stored per point in sar.json, resumable), then the table."""
    data = load(SARS)
    for fam, (label, measured) in families().items():
        if only and fam not in only:
            continue
        for D, S, is_meas in plan(measured):
            dkey = f"{fam}|{D:g}|draws"
            if is_meas and dkey not in load(SARS) and measured[D].get("covariance_J2") is not None:
                data[dkey] = dict(fit_error(measured[D]), family=fam, D_nm=D)
                _put(dkey, data[dkey])
                print(dkey, f"relative SAR error from the fit covariance {data[dkey]['rel_std']:.2f}",
                      data[dkey]["models"], f"{data[dkey]['wall_s']:.0f} s", flush=True)
            for med in ("immobilised", "water"):
                key = f"{fam}|{D:g}|{med}|src{S:g}"
                if key in data or key in load(SARS):  # another analyse process may have stored it
                    continue
                pt = sar_point(measured[S], D, med, is_meas)
                pt.update(family=fam, D_nm=D, source_D_nm=float(S), measured=is_meas, medium=med)
                data[key] = pt
                _put(key, pt)
                print(key, np.round(pt["sar_W_per_g"], 2).tolist(), sorted(set(sum(pt["models"], []))),
                      f"{pt['wall_s']:.0f} s", flush=True)
    table(load(SARS))


SHORT = {"linear": "L", "adiabatic": "A", "master": "M", "llg": "G"}
FAMILY_LABEL = {"sphere": "sphere", "to": "truncated octahedron", "ell12": "ellipsoid 1.2"}


def combined(data):
    """One row per (family, D, medium): measured sizes with their own landscape; extrapolated sizes from the
    largest measured landscape and, as the extrapolation spread (``alt_sar``), from the smallest one at the same
    volume. ``err``: statistical error and the relative fit error of the source landscape in quadrature."""
    fams = families()
    out = []
    for fam, (label, measured) in fams.items():
        hi, lo = max(measured), min(measured)
        for key, pt in data.items():
            if key.endswith("|draws") or pt["family"] != fam:
                continue
            D, S = pt["D_nm"], pt["source_D_nm"]
            if not (pt["measured"] and D in measured) and not (not pt["measured"] and S == hi and D > hi):
                continue
            s, e = np.asarray(pt["sar_W_per_g"]), np.asarray(pt["sar_err_W_per_g"])
            alt = None if pt["measured"] or lo == hi else data.get(f"{fam}|{D:g}|{pt['medium']}|src{lo:g}")
            spread = np.abs(np.asarray(alt["sar_W_per_g"]) - s) if alt else np.zeros_like(s)
            dr = data.get(f"{fam}|{S:g}|draws")
            fit = (dr["rel_std"] if dr else 0.0) * s  # fit error of the (source) landscape, relative
            out.append(dict(family=fam, D=D, medium=pt["medium"], measured=pt["measured"], source_D=S, sar=s,
                            err=np.sqrt(e ** 2 + fit ** 2), stat=e, spread=spread, fit=fit,
                            alt_sar=None if alt is None else np.asarray(alt["sar_W_per_g"]),
                            alt_err=None if alt is None else np.hypot(np.asarray(alt["sar_err_W_per_g"]),
                                                                      (dr["rel_std"] if dr else 0.0) * np.asarray(alt["sar_W_per_g"])),
                            alt_models=None if alt is None else alt["models"], alt_source=lo,
                            models=pt["models"], wall_s=pt["wall_s"], alt=alt is not None))
    out.sort(key=lambda r: (list(FAMILY_LABEL).index(r["family"]), r["D"], r["medium"]))
    return out


def table(data):
    """Markdown table of SAR (W/g) ± error with the regime letter (L linear, A adiabatic, M master, G LLG)."""
    head = "| shape | D (nm) | landscape | medium | " + " | ".join(
        f"{f / 1e3:g} kHz, {h / 1e3:g} kA/m" for f in FREQS_HZ for h in FIELDS_A_PER_M) + " |"
    lines = [head, "|" + "---|" * (4 + len(FREQS_HZ) * len(FIELDS_A_PER_M))]
    for r in combined(data):
        cells = []
        for j in range(len(FREQS_HZ)):
            for k in range(len(FIELDS_A_PER_M)):
                v, e, m = r["sar"][j, k], r["err"][j, k], SHORT[r["models"][j][k]]
                c = f"{v:.3g} ± {e:.2g} {m}"
                if r["alt"]:
                    c += f" / {r['alt_sar'][j, k]:.3g} ± {r['alt_err'][j, k]:.2g} {SHORT[r['alt_models'][j][k]]}"
                cells.append(c)
        src = "measured" if r["measured"] else f"from {r['source_D']:g} nm" + (
            f" / from {r['alt_source']:g} nm" if r["alt"] else "")
        lines.append(f"| {FAMILY_LABEL[r['family']]} | {r['D']:g} | {src} | {r['medium']} | " + " | ".join(cells) + " |")
    print("\n".join(lines))
    tot = sum(pt["wall_s"] for pt in data.values())
    print(f"\nSAR wall time (all points, measured under load): {tot:.0f} s over {len(data)} point groups "
          f"({len(FREQS_HZ) * len(FIELDS_A_PER_M)} drives each)")
    return "\n".join(lines)


EXPERIMENTS = (
    # Confirmed from the abstracts (search tool, corpus "pages"); nothing here is fitted or tuned to.
    # Goya et al., arXiv:1302.6912: Fe3O4, mean sizes 3–26 nm; SPA rises strongly for <d> = 25–30 nm; largest
    # SPA 130 W/g for a bimodal sample (17 and 26 nm). Drive (f, H0) and medium are not in the abstract.
    dict(label="Goya et al. (arXiv:1302.6912): max 130 W/g, bimodal 17+26 nm; f, H0 not in abstract",
         D=(17.0, 26.0), sar=(130.0, 130.0), marker="*"),
    # Shah et al., J. Magn. Magn. Mater. 387, 96 (2015): synthesised iron oxides 8, 11, 13, 18 nm; SAR 3.7–325.9
    # W/g(Fe) over all settings (fields from 15.1 kA/m), highest for 18 nm: 325.9 W/g(Fe) × 0.7236 (Fe mass fraction
    # of Fe3O4) = 236 W/g(Fe3O4), plotted as the upper end at 18 nm.
    dict(label="Shah et al. 2015 (JMMM 387, 96): highest SAR, 18 nm, 236 W/g (326 W/g Fe); H0 ≥ 15.1 kA/m",
         D=(18.0,), sar=(325.9 * 0.7236,), marker="P"),
)


def plot(path=FIGURE):
    """SAR against diameter, one panel per (f, H0): immobilised (filled, solid) and water (open, dashed), regime
    as marker shape, extrapolated sizes on thinner lines, published values for comparison."""
    import matplotlib.pyplot as plt

    data = load(SARS)
    rows = combined(data)
    colors = {"sphere": "C0", "to": "C1", "ell12": "C2"}
    mk = {"linear": "o", "adiabatic": "s", "master": "^", "llg": "D"}
    fig, axes = plt.subplots(len(FIELDS_A_PER_M), len(FREQS_HZ), figsize=(13, 7.5), sharex=True, sharey=True)
    for k, H in enumerate(FIELDS_A_PER_M):
        for j, f in enumerate(FREQS_HZ):
            ax = axes[k, j]
            for fam in FAMILY_LABEL:
                for med, ls, fill in (("immobilised", "-", True), ("water", "--", False)):
                    rr = [r for r in rows if r["family"] == fam and r["medium"] == med]
                    if not rr:
                        continue
                    D = np.array([r["D"] for r in rr])
                    y = np.array([r["sar"][j, k] for r in rr])
                    e = np.array([r["err"][j, k] for r in rr])
                    ax.plot(D, y, ls, color=colors[fam], lw=1.2, alpha=0.8)
                    ra = [r for r in rr if r["alt"]]
                    if ra:  # extrapolation from the smallest measured landscape: the other end of the spread
                        r0 = max((r for r in rr if r["measured"]), key=lambda r: r["D"])
                        Da = [r0["D"]] + [r["D"] for r in ra]
                        ya = [r0["sar"][j, k]] + [r["alt_sar"][j, k] for r in ra]
                        ax.plot(Da, ya, ":", color=colors[fam], lw=1.0, alpha=0.8)
                        ax.errorbar([r["D"] for r in ra], [r["alt_sar"][j, k] for r in ra],
                                    yerr=[min(r["alt_err"][j, k], 0.999 * r["alt_sar"][j, k]) for r in ra], fmt="none", ecolor=colors[fam], capsize=2,
                                    lw=0.6)
                        for r in ra:
                            ax.plot(r["D"], r["alt_sar"][j, k], mk[r["alt_models"][j][k]], ms=6 if fill else 3.5,
                                    color=colors[fam], mfc=colors[fam] if fill else "white", mew=1.0, alpha=0.7)
                    ax.errorbar(D, y, yerr=np.minimum(e, 0.999 * y), fmt="none", ecolor=colors[fam], capsize=2, lw=0.8)
                    for r, d, v in zip(rr, D, y):
                        ax.plot(d, v, mk[r["models"][j][k]], ms=(8 if r["measured"] else 6.5) if fill else 3.5,
                                color=colors[fam], mfc=colors[fam] if fill else "white", mew=1.1)
            for ex in EXPERIMENTS:
                ax.plot(ex["D"], ex["sar"], ex["marker"], color="k", ms=9, mfc="none")
            ax.set_yscale("log")
            ax.set_title(f"f = {f / 1e3:g} kHz, H0 = {H / 1e3:g} kA/m", fontsize=10)
            ax.grid(alpha=0.3, which="both")
            if k == len(FIELDS_A_PER_M) - 1:
                ax.set_xlabel("equivalent-sphere diameter D (nm)")
            if j == 0:
                ax.set_ylabel("SAR (W per g of magnetite)")
            ax.axvspan(12.5, 26, color="0.9", zorder=0)
    from matplotlib.lines import Line2D

    h = [Line2D([], [], color=colors[f], lw=2, label=FAMILY_LABEL[f]) for f in FAMILY_LABEL
         if any(r["family"] == f for r in rows)]
    h += [Line2D([], [], color="k", ls=":", label="sphere above 12 nm from the 8 nm landscape (spread)")]
    h += [Line2D([], [], color="k", ls="-", marker="o", label="immobilised (large, filled)"),
          Line2D([], [], color="k", ls="--", marker="o", ms=3.5, mfc="white", label="water, 37 °C (small, open)")]
    used = {m for r in rows for row in r["models"] + (r["alt_models"] or []) for m in row}
    h += [Line2D([], [], color="k", marker=mk[m], ls="none", label=f"regime: {m}") for m in mk if m in used]
    h += [Line2D([], [], color="k", marker=ex["marker"], mfc="none", ls="none", label=ex["label"]) for ex in EXPERIMENTS]
    fig.legend(handles=h, loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.suptitle("SAR against size from atomistic landscapes (310 K, α = 0.1); grey band: sizes extrapolated from "
                 "the largest measured landscape", fontsize=11)
    fig.tight_layout(rect=(0, 0.13, 1, 0.96))
    fig.savefig(path, dpi=110)
    print("wrote", path)


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else "analyse"
    if cmd == "run":
        for d in sys.argv[3:]:
            run_point(sys.argv[2], float(d))
    elif cmd == "analyse":
        analyse(sys.argv[2:] or None)
    elif cmd == "plot":
        plot()
    else:
        raise SystemExit(__doc__)
