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
DIAMETERS_NM = (8.0, 10.0, 12.0, 14.0, 16.0, 18.0, 20.0, 22.0, 25.0)
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
                Ku_err_J_per_m3=float(r.fit.Ku_err_J_per_m3), chi2_per_dof=float(r.chi2_per_dof),
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


class StoredLandscape:
    """The fields of a stored landscape row that :func:`atomspin.sar.particle_from_measurements` reads
    (``surface`` F/V in J/m³, ``volume_m3``, ``Ms_A_per_m``, ``T_K``), optionally at another volume."""

    def __init__(self, row, D_nm=None):
        from atomspin import macrospin as ms

        self.row = row
        self.surface = ms.EnergySurface([ms.HarmonicExpansion(np.asarray(row["exponents"]),
                                                              np.asarray(row["coefficients_J_per_m3"]))])
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
    """(D, source row D, measured?) for every diameter: a measured size uses its own row, a larger one the
    largest measured row at its volume (extrapolated), a smaller unmeasured one is skipped."""
    Dmax = max(measured)
    pts = [(D, D, True) for D in sorted(measured)]
    pts += [(D, Dmax, False) for D in DIAMETERS_NM if D > Dmax and D not in measured and D in (16.0, 20.0, 25.0)]
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


def analyse(only=None):
    """SAR of every family × size × medium (stored per point in sar.json, resumable), then the table."""
    data = load(SARS)
    for fam, (label, measured) in families().items():
        if only and fam not in only:
            continue
        for D, Dsrc, is_meas in plan(measured):
            for med in ("immobilised", "water"):
                jobs = [(f"{fam}|{D:g}|{med}", measured[Dsrc], False)]
                if not is_meas and len(measured) > 1:  # extrapolation spread: the smallest measured surface too
                    jobs.append((f"{fam}|{D:g}|{med}|alt", measured[min(measured)], True))
                for key, row, alt in jobs:
                    if key in data:
                        continue
                    pt = sar_point(row, D, med, is_meas)
                    pt.update(family=fam, D_nm=D, source_D_nm=float(row["D_nm"]), measured=is_meas, medium=med)
                    data[key] = pt
                    save(SARS, data)
                    print(key, np.round(pt["sar_W_per_g"], 2).tolist(), sorted(set(sum(pt["models"], []))),
                          f"{pt['wall_s']:.0f} s", flush=True)
    table(data)


def table(data):
    pass


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
