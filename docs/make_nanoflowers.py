"""Nanoflower study (issue #17; docs/validation.md section 9, notebook 06).

Does a multi-core magnetite "nanoflower" behave as one macrospin (collective) or as a set of independent cores,
and what does that do to its anisotropy landscape, susceptibility and heating? Each point is one particle:

* ``flower``    — ``structures.build_multicore(n_cores, core_diameter_nm, misorientation_deg=σ)``, the default
  model (``SpinModel.from_atoms``: exchange from the actual Fe–O–Fe geometry across the grain boundaries, dipolar
  "auto", Néel surface/interface anisotropy, temperature rescaling);
* ``decoupled`` — the same structure and model with the exchange across every grain boundary set to zero
  (:func:`atomspin.measure.decouple_grains`; dipolar between the cores and the Néel term of the interface sites
  kept): the "same cores without inter-core exchange" control;
* ``single``    — a single-crystal magnetite sphere with the magnetic volume of the flower of the same seed;
* ``core``      — one isolated core (sphere of ``core_diameter_nm``): the reference for "independent cores".

For each point at body temperature (310 K): the landscape (:func:`atomspin.measure.anisotropy_landscape`, 26
directions: barrier/k_BT, minima, saddles, Ms), the collective-vs-independent test
(:func:`atomspin.measure.grain_alignment`: free Monte Carlo from random and from aligned core directions, the rms
angle between the cores' moments and the total moment, the coherence |ΣM_g|/Σ|M_g| and the susceptibility ratio
⟨|M|²⟩/(Σ|M_g|)²), then through the bridge (``sar.particle_from_measurements(landscape=r)`` →
``sar.sar_from_particle(p, f=100 kHz, H0=15 kA/m, medium=None)``, immobilised) the SAR, the zero-field Néel time
and the zero-field susceptibility χ0 = μ0Ms²V/(3k_BT) of the particle as one macrospin (random axes), with the
measured ratio ⟨|M|²⟩/(Σ|M_g|)² giving the susceptibility of the actual (possibly non-collective) flower.

    python docs/make_nanoflowers.py run KIND N_CORES SPREAD SEED [CORE_NM]  # one point (skipped if stored)
    python docs/make_nanoflowers.py plan NAME                      # a named list of points (PLANS); cores8:
                                                                   # 7 cores of 8 nm, rows in landscapes_cores8.json
    python docs/make_nanoflowers.py analyse cores8                 # its SAR etc. → results_cores8.json
    python docs/make_nanoflowers.py scan                           # regime test only, 3 cores of 2.5, 3, 5 nm
    python docs/make_nanoflowers.py scan-n                         # regime test only, 13 cores of 4 nm
    python docs/make_nanoflowers.py analyse                        # SAR, χ, regimes → results.json
    python docs/make_nanoflowers.py table [cores8]                 # validation §9's table from results[_cores8].json
    python docs/make_nanoflowers.py plot                           # figures from results.json

SPREAD: "oa" (oriented attachment, misorientation σ = 5°) or "random" (uniformly random core orientations).
Rows are stored in ``docs/figures/nanoflowers/landscapes.json`` (keyed; a stored point is skipped).

Reduced size (stated in every figure and in docs/validation.md): cores of 4 nm (not the ≈ 10 nm of the
experiments) — with randomly rotated cores the sites lie on no common lattice, so the dipolar sum is the exact
O(N²) pair sum (``dipolar="auto"``), which sets the cost.
"""
import json
import pathlib
import sys
import time

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent / "figures" / "nanoflowers"
LANDSCAPES = OUT / "landscapes.json"
RESULTS = OUT / "results.json"
T_BODY = 310.0  # K, body temperature
CORE_D_NM = 4.0  # reduced core size (see the module docstring)
SPREADS = {"oa": 5.0, "random": None, "perfect": 0.0}  # misorientation σ (degrees): oriented attachment (5°),
# random orientations (None), and its limit σ = 0 (one continuous crystal with sintered necks; scan reference)
F_HZ, H0_A_PER_M = 100e3, 15e3  # the package's clinical default drive (as docs/make_defects_heating.py pair B)
KINDS = ("flower", "decoupled", "single", "core")
ALIGN_SWEEPS, ALIGN_EVERY = 4000, 20


def protocol(n_spins):
    """Constrained-MC sweeps (sampled, equilibration, thermalisation) per direction (as docs/make_defects_heating.py;
    the torque grows ∝ N against thermal noise ∝ √N, so large particles need fewer sweeps)."""
    if n_spins < 2500:
        return 600, 150, 300
    if n_spins < 6000:
        return 400, 100, 200
    return 200, 50, 100


def point_key(kind, n_cores, spread, seed, core_d=CORE_D_NM):
    return f"{kind}-n{int(n_cores)}-{spread}-d{float(core_d):g}-s{int(seed)}"


def load_rows(path=LANDSCAPES):
    path = pathlib.Path(path)
    return json.loads(path.read_text()) if path.exists() else []


def _save(row, path=LANDSCAPES):
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [r for r in load_rows(path) if r["key"] != row["key"]] + [row]
    tmp = path.with_suffix(f".{time.time_ns()}.tmp")
    tmp.write_text(json.dumps(rows, indent=1))
    tmp.replace(path)


def build_flower(n_cores, spread, seed, core_d=CORE_D_NM):
    """The multi-core particle of a point: equal cores (no size dispersion, so that "independent cores" has one
    reference core), 20 % interpenetration, orientations from SPREADS."""
    from atomspin import structures as S

    return S.build_multicore(n_cores=int(n_cores), core_diameter_nm=float(core_d), size_dispersion=0.0, overlap=0.2,
                             misorientation_deg=SPREADS[spread], seed=int(seed))


def build_point(kind, n_cores, spread, seed, core_d=CORE_D_NM):
    """(atoms, model, extra) of one point (see the module docstring for the kinds)."""
    from atomspin import structures as S
    from atomspin.measure import decouple_grains
    from atomspin.model import SpinModel

    if kind == "core":
        at = S.build_particle("Fe3O4", "sphere", float(core_d), seed=int(seed))
        return at, SpinModel.from_atoms(at), {}
    fl = build_flower(n_cores, spread, seed, core_d)
    mf = SpinModel.from_atoms(fl)
    if kind == "flower":
        return fl, mf, {}
    if kind == "decoupled":
        m = decouple_grains(mf, fl)
        return fl, m, dict(m.info["decoupled_grains"])
    if kind == "single":  # a sphere of the flower's magnetic (oxygen-count) volume
        d = (6.0 * mf.volume_m3 / np.pi) ** (1 / 3) * 1e9
        at = S.build_particle("Fe3O4", "sphere", float(d), seed=int(seed))
        return at, SpinModel.from_atoms(at), dict(equal_volume_of_m3=float(mf.volume_m3), sphere_diameter_nm=float(d))
    raise ValueError(f"kind: {kind!r} is not one of {KINDS}")


ALIGN_VERSION = 3  # 3: rigid per-grain rotation moves, 4000 sweeps, model without dipolar terms (alignment_row)


def alignment_row(atoms, m, key, T, seed, align_sweeps=ALIGN_SWEEPS):
    """The collective-vs-independent test of one multi-core point (:func:`atomspin.measure.grain_alignment`,
    random and aligned starts, rigid per-grain rotations every 2 sweeps) and the boundary bookkeeping.

    The test runs on the model without its dipolar term: each collective attempt would cost two O(N²) exact
    dipolar energies (≈ 1 s for 8500 spins), and the dipolar coupling between two cores is bounded separately,
    ``dipolar_pair_max_kT`` (:func:`atomspin.measure.boundaries.core_dipolar_coupling`); the landscape keeps
    the full model."""
    import dataclasses

    from atomspin.measure import grain_alignment
    from atomspin.measure.boundaries import core_dipolar_coupling
    from atomspin.structures import plane_defects

    gb = [d for d in plane_defects(atoms) if d.get("kind") == "grain_boundary"]
    out = dict(n_boundaries=len(gb), misorientations_deg=[float(d["misorientation_deg"]) for d in gb],
               boundary_area_nm2=float(sum(d["area_nm2"] for d in gb)),
               dipolar_pair_max_kT=core_dipolar_coupling(m, atoms, T), alignment_version=ALIGN_VERSION)
    m0 = dataclasses.replace(m, dipolar=None, spins=m.spins.copy())
    t1 = time.perf_counter()
    al = {}
    for start in ("random", "aligned"):
        g = grain_alignment(m0, atoms, T, sweeps=align_sweeps, observe_every=ALIGN_EVERY, start=start,
                            collective_every=2, seed=int(seed))
        al[start] = dict(angle_deg=g.angle_to_total_deg, angle_err_deg=g.angle_to_total_err_deg,
                         angle_independent_deg=g.angle_independent_deg, regime=g.regime,
                         coherence=g.coherence, coherence_err=g.coherence_err, chi_ratio=g.chi_ratio,
                         pair_angle_deg=np.asarray(g.pair_angle_deg).tolist(),
                         trace_deg=np.asarray(g.angle_trace_deg).tolist(), sweeps=np.asarray(g.sweeps).tolist())
        if start == "random" and int(seed) == 1:
            OUT.mkdir(parents=True, exist_ok=True)
            np.savez_compressed(OUT / f"spins_{key}.npz", spins=np.asarray(g.final_spins, np.float32),
                                atom_index=m.atom_index)
    out.update(alignment=al, alignment_s=float(time.perf_counter() - t1))
    return out


def run_point(kind, n_cores, spread, seed, core_d=CORE_D_NM, path=LANDSCAPES, sweeps=None, T=T_BODY,
              align_sweeps=ALIGN_SWEEPS):
    """Measure one point and store it (skipped if its key is stored). Returns the row."""
    from atomspin.measure import anisotropy_landscape

    key = point_key(kind, n_cores, spread, seed, core_d)
    old = {r["key"]: r for r in load_rows(path)}.get(key)
    if old is not None and (kind in ("single", "core") or old.get("alignment_version") == ALIGN_VERSION):
        return old
    t0 = time.perf_counter()
    atoms, m, extra = build_point(kind, n_cores, spread, seed, core_d)
    t_model = time.perf_counter() - t0
    row = dict(key=key, kind=kind, n_cores=int(n_cores) if kind != "core" else 1, spread=spread, core_d_nm=float(core_d),
               seed=int(seed), n_spins=int(m.n), dipolar=str(m.info.get("dipolar")), **extra)
    if "grain" in atoms.arrays and len(np.unique(atoms.arrays["grain"])) > 1:
        row.update(alignment_row(atoms, m, key, T, seed, align_sweeps))
    if old is not None:  # the landscape is stored: only the alignment test was redone
        old.update(row)
        _save(old, path)
        print(key, "alignment redone:", {k: round(v["angle_deg"], 1) for k, v in old["alignment"].items()}, flush=True)
        return old
    t2 = time.perf_counter()
    sw, eq, th = protocol(m.n) if sweeps is None else sweeps
    r = anisotropy_landscape(m, T, sweeps=sw, equilibration_sweeps=eq, thermalisation_sweeps=th, seed=int(seed))
    term = r.surface.terms[0]
    row.update(T_K=float(r.T_K), V_m3=float(r.volume_m3), Ms_A_per_m=float(r.Ms_A_per_m),
               Ms_err_A_per_m=float(r.Ms_err_A_per_m), m_reduced=float(r.m_reduced),
               barrier_J=float(r.barrier_J), barrier_err_J=float(r.barrier_err_J),
               barrier_over_kT=float(r.barrier_over_kT), n_minima=int(len(r.minima)), n_saddles=int(len(r.saddles)),
               minima=np.asarray(r.minima).tolist(), saddles=np.asarray(r.saddles).tolist(),
               K1_J_per_m3=float(r.fit.K1_J_per_m3), K1_err_J_per_m3=float(r.fit.K1_err_J_per_m3),
               Ku_J_per_m3=float(r.fit.Ku_J_per_m3), Ku_err_J_per_m3=float(r.fit.Ku_err_J_per_m3),
               Ku_meaning=r.fit.Ku_meaning,  # what the fit's Ku is (measure._sphere_fit.KU_MEANINGS)
               chi2_per_dof=float(r.chi2_per_dof), n_eff_min=float(r.n_eff_min), degree=int(r.degree),
               exponents=np.asarray(term.exponents).tolist(),
               coefficients_J_per_m3=np.asarray(term.coefficients).tolist(),
               covariance_J2=None if r.covariance_J2 is None else np.asarray(r.covariance_J2).tolist(),
               sweeps=[sw, eq, th], model_s=t_model, landscape_s=float(time.perf_counter() - t2),
               elapsed_s=float(time.perf_counter() - t0))
    _save(row, path)
    a = row.get("alignment", {}).get("random", {})
    print(key, f"N={m.n}", f"Ms={row['Ms_A_per_m']:.4g} A/m", f"ΔE/kT={row['barrier_over_kT']:.3f}",
          f"minima={row['n_minima']}", f"angle(random start)={a.get('angle_deg', float('nan')):.1f}°",
          f"{row['elapsed_s']:.0f} s", flush=True)
    return row


PLANS = {
    # the core reference and the 3- and 7-core points (one seed), then second seeds where the budget allows
    "main": [("core", 1, "oa", 1), ("flower", 3, "oa", 1), ("decoupled", 3, "oa", 1), ("flower", 3, "random", 1),
             ("decoupled", 3, "random", 1), ("single", 3, "oa", 1), ("flower", 7, "oa", 1),
             ("decoupled", 7, "oa", 1), ("flower", 7, "random", 1), ("decoupled", 7, "random", 1),
             ("single", 7, "oa", 1)],
    "seeds": [("core", 1, "oa", 2), ("flower", 3, "oa", 2), ("flower", 3, "random", 2), ("decoupled", 3, "random", 2),
              ("single", 3, "oa", 2)],
    "big": [("flower", 13, "oa", 1), ("decoupled", 13, "oa", 1)],
    # cores of the experiments' size class (8 nm; the grain dipolar method makes misoriented cores affordable)
    "cores8": [("core", 1, "oa", 1, 8.0), ("flower", 7, "oa", 1, 8.0), ("decoupled", 7, "oa", 1, 8.0),
               ("single", 7, "oa", 1, 8.0), ("flower", 7, "random", 1, 8.0)],
}


SIZE_SCAN = OUT / "size_scan.json"
SCAN_DIAMETERS = (2.5, 3.0, 5.0)  # nm, core diameters of the regime scan (4 nm: the landscape points)
SCAN_SWEEPS = 2000  # sweeps of the scan's alignment runs (both starts agree within errors at 2000-4000)


def size_scan(n_cores=3, diameters=SCAN_DIAMETERS, seeds=(1,), T=T_BODY, path=SIZE_SCAN, spreads=("oa", "random")):
    """The collective-vs-independent test alone (no landscape: cheap) against core diameter, for oriented
    attachment and random orientations, with and without the inter-core exchange. Rows keyed like the points."""
    from atomspin.measure import decouple_grains
    from atomspin.model import SpinModel

    path = pathlib.Path(path)
    rows = json.loads(path.read_text()) if path.exists() else []
    done = {r["key"] for r in rows}
    for d in diameters:
        for spread in spreads:
            for seed in seeds:
                for kind in ("flower", "decoupled"):
                    key = point_key(kind, n_cores, spread, seed, d)
                    if key in done:
                        continue
                    t0 = time.perf_counter()
                    fl = build_flower(n_cores, spread, seed, d)
                    m = SpinModel.from_atoms(fl, dipolar=False)
                    if kind == "decoupled":
                        m = decouple_grains(m, fl)
                    row = dict(key=key, kind=kind, n_cores=n_cores, spread=spread, core_d_nm=float(d), seed=int(seed),
                               n_spins=int(m.n))
                    row.update(alignment_row(fl, m, f"scan-{key}", T, 100 + int(seed), SCAN_SWEEPS))
                    from atomspin.measure.boundaries import core_dipolar_coupling
                    # the dipolar bound with the T = 0 moments (the dipolar term itself is not needed for it)
                    row["dipolar_pair_max_kT"] = core_dipolar_coupling(m, fl, T)
                    row["elapsed_s"] = float(time.perf_counter() - t0)
                    rows.append(row)
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(json.dumps(rows, indent=1))
                    a = row["alignment"]
                    print(key, {k: round(v["angle_deg"] / v["angle_independent_deg"], 3) for k, v in a.items()},
                          f"{row['elapsed_s']:.0f} s", flush=True)
    return rows


# ---------------------------------------------------------------------------------------------------- analysis
def surface_of(row):
    """The measured anisotropy surface F/V (J/m³) of a stored row."""
    from atomspin import macrospin as ms

    return ms.EnergySurface([ms.HarmonicExpansion(np.asarray(row["exponents"]), np.asarray(row["coefficients_J_per_m3"]))])


def particle(row, scale=1.0):
    """The sar.Particle of a row: the measured Ms, magnetic volume and landscape at T_BODY (the stored equivalent
    of ``sar.particle_from_measurements(landscape=r)``, which uses the same three fields of the result); ``scale``
    multiplies the surface (error propagation)."""
    from atomspin import macrospin as ms
    from atomspin import sar

    surf = ms.EnergySurface([ms.HarmonicExpansion(np.asarray(row["exponents"]),
                                                  scale * np.asarray(row["coefficients_J_per_m3"]))])
    return sar.Particle(Ms_A_per_m=row["Ms_A_per_m"], volume_m3=row["V_m3"], T_K=row["T_K"], landscape=surf)


def _tau(p, seed=1):
    """Zero-field Néel time (s) and its standard error: Langer/Brown rates at barriers ≥ 4 k_BT, else stochastic
    LLG of the macrospin with 64 members (as :func:`atomspin.sar.relaxation_time`)."""
    from atomspin.sar.macrospin_llg import llg_relaxation_time
    from atomspin.sar.rates import SIGMA_CROSSOVER, check_landscape, rates_relaxation_time

    _, t = check_landscape(p)
    sig = float(np.min(t.barriers_J(p.volume_m3))) / p.kT_J if t.nsad else np.inf
    if sig >= SIGMA_CROSSOVER:
        return float(rates_relaxation_time(p)), 0.0
    tau, err = llg_relaxation_time(p, seed=seed, n_particles=64)
    return float(tau), float(err)


def analyse_row(row, seed=1):
    """SAR through the bridge (immobilised), the Néel time and susceptibilities of one row."""
    from atomspin import sar
    from atomspin.measure.boundaries import regime_of
    from atomspin.units import K_B, MU_0

    p = particle(row)
    t0 = time.perf_counter()
    rep = sar.sar_from_particle(p, f=F_HZ, H0=H0_A_PER_M, medium=None, seed=seed, n_orientations=12, n_particles=16)
    lr = sar.exact_linear_response(p, F_HZ, H0_A_PER_M, seed=seed)
    tau = float(lr.params["tau_N_s"]) if hasattr(lr, "params") else float("nan")
    chi0 = MU_0 * row["Ms_A_per_m"] ** 2 * row["V_m3"] / (3.0 * K_B * row["T_K"])  # SI, one macrospin, random axes
    wt = 2 * np.pi * F_HZ * tau
    # errors (the linear model is deterministic given τ): in the linear regime at ωτ ≪ 1, SAR ∝ Ms²V τ, so
    # δSAR/SAR = δτ/τ (64-member stochastic-LLG statistics) ⊕ Δτ/τ from the surface raised by its barrier error
    # (the fit error propagated, its covariance already carrying max(χ²/dof, 1)) ⊕ 2 δMs/Ms
    t1, t1_err = _tau(p, seed)
    rel_b = row["barrier_err_J"] / max(row["barrier_J"], 1e-30)
    t_up, _ = _tau(particle(row, scale=1.0 + min(rel_b, 10.0)), seed)
    rel = float(np.sqrt((t1_err / t1) ** 2 + ((t_up - t1) / t1) ** 2 + (2 * row["Ms_err_A_per_m"] / row["Ms_A_per_m"]) ** 2))
    sar_err = float(np.hypot(rep.sar_err_W_per_g, rel * rep.sar_W_per_g))
    out = dict(key=row["key"], sar_W_per_g=float(rep.sar_W_per_g), sar_err_W_per_g=sar_err, sar_rel_err=rel,
               sar_model=rep.model, xi=float(rep.regime.get("xi", np.nan)), tau_N_s=tau, chi0_macrospin=float(chi0),
               chi2_macrospin_100kHz=float(chi0 * wt / (1 + wt * wt)), sar_s=float(time.perf_counter() - t0))
    al = row.get("alignment")
    ms_rel = 2 * row["Ms_err_A_per_m"] / row["Ms_A_per_m"]
    out["chi0_macrospin_err"] = float(chi0 * ms_rel)
    if al:
        cr = 0.5 * (al["random"]["chi_ratio"] + al["aligned"]["chi_ratio"])
        cr_err = 0.5 * abs(al["random"]["chi_ratio"] - al["aligned"]["chi_ratio"])
        out["chi_ratio"] = float(cr)
        out["chi0_measured"] = float(chi0 * cr)
        out["chi0_measured_err"] = float(chi0 * cr * np.hypot(ms_rel, cr_err / cr))
        out["regime"] = regime_of(0.5 * (al["random"]["angle_deg"] + al["aligned"]["angle_deg"]),
                                  al["random"]["angle_independent_deg"])
    else:
        out["chi_ratio"] = 1.0
        out["chi0_measured"] = float(chi0)
        out["chi0_measured_err"] = float(chi0 * ms_rel)
        out["regime"] = "single crystal"
    return out


def analyse(path=LANDSCAPES, out=RESULTS):
    rows = load_rows(path)
    res = [dict(analyse_row(r), **{k: r[k] for k in ("kind", "n_cores", "spread", "seed", "n_spins", "V_m3",
                                                    "Ms_A_per_m", "Ms_err_A_per_m", "barrier_J", "barrier_err_J",
                                                    "barrier_over_kT", "n_minima", "n_saddles", "m_reduced")},
                alignment={k: {q: v[q] for q in ("angle_deg", "angle_err_deg", "coherence", "coherence_err",
                                                 "chi_ratio", "angle_independent_deg")}
                           for k, v in r.get("alignment", {}).items()},
                dipolar_pair_max_kT=r.get("dipolar_pair_max_kT"))
           for r in rows]
    for q, r in zip(res, rows):  # the fit's error: its covariance already carries the Birge ratio √(χ²/dof) when > 1
        q["barrier_err_fit_J"] = r["barrier_err_J"]
        q["birge_ratio"] = float(np.sqrt(max(1.0, r["chi2_per_dof"])))
    core = [r for r in rows if r["kind"] == "core"]
    if core:
        b = np.array([r["barrier_J"] for r in core])
        for q in res:  # independent-core reference: n × (barrier of one core)
            q["sum_core_barriers_J"] = float(q["n_cores"] * b.mean())
            q["barrier_over_sum_cores"] = float(q["barrier_J"] / (q["n_cores"] * b.mean()))
    out = pathlib.Path(out)
    out.write_text(json.dumps(res, indent=1))
    for q in sorted(res, key=lambda q: (q["n_cores"], q["spread"], q["kind"], q["seed"])):
        a = q["alignment"].get("random", {})
        print(f"{q['kind']:9s} n={q['n_cores']:2d} {q['spread']:6s} s{q['seed']} N={q['n_spins']:5d} "
              f"Ms={q['Ms_A_per_m'] / 1e3:6.1f}±{q['Ms_err_A_per_m'] / 1e3:.1f} kA/m  ΔE/kT={q['barrier_over_kT']:6.2f}"
              f"±{q['barrier_err_J'] / (1.380649e-23 * 310):.2f}  min={q['n_minima']:2d}  "
              f"angle={a.get('angle_deg', np.nan):5.1f}±{a.get('angle_err_deg', np.nan):4.1f}°  "
              f"χ0={q['chi0_measured']:.3g}  τN={q['tau_N_s']:.3g} s  SAR={q['sar_W_per_g']:.3g}±"
              f"{q['sar_err_W_per_g']:.2g} W/g ({q['sar_model']})  {q['regime']}")
    return res


# ---------------------------------------------------------------------------------------------------- tables
def _pm(v, e, sig=2):
    """'v ± e' with e to ``sig`` significant digits and v to the same decimal place (e ≤ 0: v to 3 digits)."""
    if not np.isfinite(e) or e <= 0:
        return f"{v:.3g}"
    d = max(0, sig - 1 - int(np.floor(np.log10(e))))
    return f"{v:.{d}f} ± {e:.{d}f}"


def _label(q, core_d):
    """The row label of a results row in validation §9."""
    n, sp = q["n_cores"], q["spread"]
    if q["kind"] == "core":
        return f"one {core_d:g} nm core"
    if q["kind"] == "single":
        return f"{n}-core volume single crystal, same V"
    spread = "σ = 5°" if sp == "oa" else sp
    if q["kind"] == "flower":
        return f"{n} × {core_d:g} nm flower {spread}"
    return f"{n} × {core_d:g} nm cores, exchange cut {spread}"


def _sphere_diameter_nm(row):
    """Diameter (nm) of a "single" row's equal-volume sphere: the stored ``sphere_diameter_nm``, else from the stored
    volume ``equal_volume_of_m3``; a row with neither is refused (it would print a wrong size)."""
    if "sphere_diameter_nm" in row:
        return float(row["sphere_diameter_nm"])
    if "equal_volume_of_m3" in row:
        return float((6.0 * row["equal_volume_of_m3"] / np.pi) ** (1 / 3) * 1e9)
    raise KeyError(f"row {row.get('key')!r}: neither sphere_diameter_nm nor equal_volume_of_m3 is stored")


def _regime_cell(q):
    al = q.get("alignment") or {}
    if "random" not in al:
        return "—"
    r, a = al["random"], al["aligned"]
    return (f"{r['angle_deg'] / r['angle_independent_deg']:.2f} / {a['angle_deg'] / a['angle_independent_deg']:.2f}"
            f" → {q['regime']}")


def _models_note(res):
    models = sorted({q["sar_model"] for q in res})
    return (f"SAR model chosen by the bridge (`sar_model`): {', '.join(f'`{m}`' for m in models)}"
            f"{' for every row' if len(models) == 1 else ''}.")


def table(name=None):
    """Markdown of validation §9's results table from the results json: ``None`` → results.json (4 nm cores, one
    row per point and seed), ``"cores8"`` → results_cores8.json (7 cores of 8 nm). Errors: ΔE the landscape fit's
    own error (its covariance carries max(χ²/dof, 1)); Ms the standard error of ⟨|M|⟩ over the directions; χ0 and
    SAR as :func:`analyse_row` propagates them."""
    kT = 1.380649e-23 * T_BODY
    kind_order = {"core": 0, "flower": 1, "decoupled": 2, "single": 3}
    if name is None:
        res = json.loads(RESULTS.read_text())
        res.sort(key=lambda q: (q["n_cores"], kind_order[q["kind"]], q["spread"] != "oa", q["seed"]))
        lines = ["| particle | seed | spins | Ms (kA/m) | ΔE/k_BT | minima/saddles | θ/θ_ind (random / aligned start) → "
                 "regime | χ0 macrospin | χ0 measured | τ_N (ns) | SAR (mW/g) |", "|" + "---|" * 11]
        for q in res:
            lines.append(" | ".join([
                f"| {_label(q, CORE_D_NM)}", str(q["seed"]), str(q["n_spins"]),
                _pm(q["Ms_A_per_m"] / 1e3, q["Ms_err_A_per_m"] / 1e3),
                _pm(q["barrier_over_kT"], q["barrier_err_J"] / kT), f"{q['n_minima']}/{q['n_saddles']}",
                _regime_cell(q), _pm(q["chi0_macrospin"], q["chi0_macrospin_err"]),
                _pm(q["chi0_measured"], q["chi0_measured_err"]), f"{q['tau_N_s'] * 1e9:.2f}",
                _pm(q["sar_W_per_g"] * 1e3, q["sar_err_W_per_g"] * 1e3)]) + " |")
        return "\n".join(lines + ["", _models_note(res)])
    res = json.loads((OUT / f"results_{name}.json").read_text())
    land = {r["key"]: r for r in load_rows(OUT / f"landscapes_{name}.json")}
    order = {("core", "oa"): 0, ("single", "oa"): 1, ("flower", "oa"): 2, ("decoupled", "oa"): 3,
             ("flower", "random"): 4, ("decoupled", "random"): 5}
    res.sort(key=lambda q: (order[q["kind"], q["spread"]], q["seed"]))
    lines = ["| particle | spins | Ms (kA/m) | ΔE/k_BT | minima | θ/θ_ind (random / aligned start) → regime | SAR (W/g) |",
             "|" + "---|" * 7]
    for q in res:
        d = land[q["key"]]["core_d_nm"]
        lab = {("core", "oa"): f"one {d:g} nm core",
               ("single", "oa"): None,
               ("flower", "oa"): "flower, oriented attachment (σ = 5°)",
               ("decoupled", "oa"): "same cores, no inter-core exchange",
               ("flower", "random"): "flower, random core orientations",
               ("decoupled", "random"): "same cores (random), no inter-core exchange"}[q["kind"], q["spread"]]
        if lab is None:  # the equal-volume sphere's size, only for that row
            lab = f"single crystal of equal volume ({_sphere_diameter_nm(land[q['key']]):.1f} nm sphere)"
        lines.append(" | ".join([f"| {lab}", str(q["n_spins"]), _pm(q["Ms_A_per_m"] / 1e3, q["Ms_err_A_per_m"] / 1e3),
                                 _pm(q["barrier_over_kT"], q["barrier_err_J"] / kT), str(q["n_minima"]),
                                 _regime_cell(q), _pm(q["sar_W_per_g"], q["sar_err_W_per_g"])]) + " |")
    return "\n".join(lines + ["", _models_note(res)])


# ---------------------------------------------------------------------------------------------------- figures
def _groups(res):
    out = {}
    for q in res:
        out.setdefault((q["kind"], q["spread"], q["n_cores"]), []).append(q)
    return out


def _mean_err(v, e):
    v, e = np.asarray(v, float), np.asarray(e, float)
    sem = v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else 0.0
    return float(v.mean()), float(max(np.sqrt(np.sum(e ** 2)) / len(v), sem))


def _angle_ratio(q):
    """θ/θ_ind (mean of the random- and aligned-start runs) and its error (half their difference ⊕ the block
    errors), NaN for single crystals."""
    al = q.get("alignment") or {}
    if "random" not in al:
        return np.nan, np.nan
    a, b = al["random"], al["aligned"]
    ind = a["angle_independent_deg"]
    m = 0.5 * (a["angle_deg"] + b["angle_deg"])
    e = np.sqrt((0.5 * (a["angle_deg"] - b["angle_deg"])) ** 2 + 0.25 * (a["angle_err_deg"] ** 2 + b["angle_err_deg"] ** 2))
    return m / ind, e / ind


def plot(out=RESULTS):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res = json.loads(pathlib.Path(out).read_text())
    gr = _groups(res)
    kT = 1.380649e-23 * T_BODY
    styles = {("flower", "oa"): ("C0", "o-", "flower, oriented attachment (σ = 5°)"),
              ("flower", "random"): ("C1", "s-", "flower, random core orientations"),
              ("decoupled", "oa"): ("C0", "o--", "same cores, no inter-core exchange (σ = 5°)"),
              ("decoupled", "random"): ("C1", "s--", "same cores, no inter-core exchange (random)"),
              ("single", "oa"): ("k", "D-", "single crystal of equal magnetic volume")}
    fig, ax = plt.subplots(2, 2, figsize=(12, 9), layout="constrained")
    panels = [(ax[0, 0], lambda q: (q["barrier_over_kT"], q["barrier_err_J"] / kT), "zero-field barrier ΔE / k_BT"),
              (ax[0, 1], lambda q: (q["Ms_A_per_m"] / 1e3, q["Ms_err_A_per_m"] / 1e3), "Ms at 310 K (kA/m)"),
              (ax[1, 0], _angle_ratio,
               "θ / θ_independent: rms angle core moment – total moment\nover its value for independent cores"),
              (ax[1, 1], lambda q: (q["sar_W_per_g"], q["sar_err_W_per_g"]),
               f"SAR (W/g), f = {F_HZ / 1e3:g} kHz, H0 = {H0_A_PER_M / 1e3:g} kA/m, immobilised\n"
               f"(whole particle as one macrospin; model: {', '.join(sorted({q['sar_model'] for q in res}))})")]
    for a, fn, lab in panels:
        for (kind, spread), (c, fmt, name) in styles.items():
            pts = sorted((n, qs) for (k, s, n), qs in gr.items() if k == kind and s == spread)
            if not pts:
                continue
            xs, ys, es = [], [], []
            for n, qs in pts:
                v = [fn(q) for q in qs]
                m, e = _mean_err([x[0] for x in v], [x[1] for x in v])
                xs.append(n + (0.08 if spread == "random" else 0) + (0.16 if kind == "decoupled" else 0))
                ys.append(m)
                es.append(e)
            a.errorbar(xs, ys, yerr=es, fmt=fmt, color=c, capsize=3, label=name, mfc="none" if kind == "decoupled" else c)
        a.set_xlabel("number of cores (4 nm cores; single crystal: same magnetic volume)")
        a.set_ylabel(lab)
        a.grid(alpha=0.3)
    core = [q for q in res if q["kind"] == "core"]
    if core:
        b, e = _mean_err([q["barrier_over_kT"] for q in core], [q["barrier_err_J"] / kT for q in core])
        ax[0, 0].axhline(b, color="grey", ls=":", label=f"one isolated 4 nm core ({b:.2f} ± {e:.2f})")
        ns = np.array([3, 7])
        ax[0, 0].plot(ns, b * ns, color="grey", ls="-.", label="n × (one core): independent-core sum")
    from atomspin.measure.boundaries import COLLECTIVE_MAX_RATIO, INDEPENDENT_MIN_RATIO

    ax[1, 0].axhspan(0, COLLECTIVE_MAX_RATIO, color="C2", alpha=0.12, label="collective (one macrospin)")
    ax[1, 0].axhspan(INDEPENDENT_MIN_RATIO, 1.15, color="C3", alpha=0.10, label="independent cores")
    for a in ax.flat:
        a.legend(fontsize=7)
    fig.suptitle(f"Magnetite nanoflowers at {T_BODY:g} K (reduced size: 4 nm cores; mean ± s.e. over seeds)",
                 fontsize=10)
    f1 = OUT / "nanoflowers.png"
    fig.savefig(f1, dpi=150)
    plt.close(fig)
    paths = [str(f1)]
    f2 = grain_picture()
    if f2:
        paths.append(str(f2))
    f3 = regime_figure()
    if f3:
        paths.append(str(f3))
    return paths


CORES8_LABELS = {("core", "oa"): "one 8 nm core", ("single", "oa"): "single crystal,\nequal volume",
                 ("flower", "oa"): "flower,\nσ = 5°", ("decoupled", "oa"): "σ = 5° cores,\nexchange cut",
                 ("flower", "random"): "flower,\nrandom cores", ("decoupled", "random"): "random cores,\nexchange cut"}


def plot_cores8(name="cores8"):
    """Figure of validation §9's 8 nm results (results_<name>.json): per particle the zero-field barrier ΔE/k_BT,
    Ms and the SAR (log axis), each with its error bar (as in :func:`table`), one point per seed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res = json.loads((OUT / f"results_{name}.json").read_text())
    land = {r["key"]: r for r in load_rows(OUT / f"landscapes_{name}.json")}
    kinds = [k for k in CORES8_LABELS if any((q["kind"], q["spread"]) == k for q in res)]
    kT = 1.380649e-23 * T_BODY
    fig, ax = plt.subplots(1, 3, figsize=(15, 5.2), layout="constrained")
    panels = ((lambda q: (q["barrier_over_kT"], q["barrier_err_J"] / kT), "zero-field barrier ΔE / k_BT", False),
              (lambda q: (q["Ms_A_per_m"] / 1e3, q["Ms_err_A_per_m"] / 1e3), f"Ms at {T_BODY:g} K (kA/m)", False),
              (lambda q: (q["sar_W_per_g"], q["sar_err_W_per_g"]),
               f"SAR (W/g), f = {F_HZ / 1e3:g} kHz, H0 = {H0_A_PER_M / 1e3:g} kA/m,\nimmobilised, whole particle as "
               "one macrospin", True))
    for a, (fn, lab, log) in zip(ax, panels):
        for i, k in enumerate(kinds):
            qs = sorted((q for q in res if (q["kind"], q["spread"]) == k), key=lambda q: q["seed"])
            for j, q in enumerate(qs):
                v, e = fn(q)
                a.errorbar(i + 0.1 * j, v, yerr=e, fmt="o", color=f"C{i}", capsize=4,
                           label=f"seed {q['seed']}" if i == 0 else None)
        a.set_xticks(range(len(kinds)), [CORES8_LABELS[k] for k in kinds], fontsize=8)
        a.set_ylabel(lab)
        if log:
            a.set_yscale("log")
        a.grid(alpha=0.3)
    d = [_sphere_diameter_nm(land[q["key"]]) for q in res if q["kind"] == "single"]
    models = ", ".join(sorted({q["sar_model"] for q in res}))
    fig.suptitle(f"Seven-core magnetite nanoflowers of 8 nm cores at {T_BODY:g} K against one core and the single "
                 f"crystal of equal magnetic volume ({d[0]:.1f} nm sphere); seed(s) {sorted({q['seed'] for q in res})}"
                 f"; SAR model: {models};\nerror bars: the landscape fit's error propagated (as in the table of "
                 "validation §9)", fontsize=9)
    f = OUT / f"nanoflowers_{name}.png"
    fig.savefig(f, dpi=130)
    plt.close(fig)
    return f


def regime_figure(path=SIZE_SCAN):
    """θ/θ_ind against core diameter (the scan), 3 cores, flower vs cut exchange, oriented vs random."""
    import matplotlib.pyplot as plt

    from atomspin.measure.boundaries import COLLECTIVE_MAX_RATIO, INDEPENDENT_MIN_RATIO

    path = pathlib.Path(path)
    if not path.exists():
        return None
    rows = json.loads(path.read_text())
    # the 3-core landscape points (4 nm cores, 4000 sweeps, 2 seeds where run) have the same test
    rows += [r for r in load_rows() if r.get("alignment") and r["kind"] in ("flower", "decoupled")
             and r["n_cores"] == 3 and r.get("alignment_version") == ALIGN_VERSION]
    fig, ax = plt.subplots(figsize=(10, 4.8), layout="constrained")
    styles = {("flower", "oa"): ("C0", "o-", "with inter-core exchange, oriented attachment (σ = 5°)"),
              ("flower", "random"): ("C1", "s-", "with inter-core exchange, random orientations"),
              ("decoupled", "oa"): ("C0", "o--", "exchange cut, σ = 5°"),
              ("decoupled", "random"): ("C1", "s--", "exchange cut, random"),
              ("flower", "perfect"): ("C2", "D-", "with inter-core exchange, σ = 0 (one continuous crystal)")}
    rows = [r for r in rows if r["n_cores"] == 3]
    for (kind, spread), (c, fmt, lab) in styles.items():
        ds = sorted({r["core_d_nm"] for r in rows if r["kind"] == kind and r["spread"] == spread})
        ys, es = [], []
        for d in ds:
            v = [_angle_ratio(r) for r in rows if r["kind"] == kind and r["spread"] == spread and r["core_d_nm"] == d]
            m_, e_ = _mean_err([x[0] for x in v], [x[1] for x in v])
            ys.append(m_)
            es.append(e_)
        ax.errorbar(np.array(ds) + (0.04 if spread == "random" else 0), ys, yerr=es, fmt=fmt, color=c, capsize=3,
                    label=lab, mfc="none" if kind == "decoupled" else c)
    ax.axhspan(0, COLLECTIVE_MAX_RATIO, color="C2", alpha=0.12, label="collective (one macrospin)")
    ax.axhspan(INDEPENDENT_MIN_RATIO, 1.15, color="C3", alpha=0.10, label="independent cores")
    dip = max(r["dipolar_pair_max_kT"] for r in rows)
    ax.set_xlabel("core diameter (nm), 3 equal cores, 20 % interpenetration")
    ax.set_ylabel("θ / θ_independent (rms angle core – total moment)")
    ax.set_title(f"Collective vs independent cores at {T_BODY:g} K: free MC with rigid core rotations\n"
                 f"(2000 sweeps; 4 nm: 4000 sweeps, 1–2 seeds; mean of random and aligned starts;\n"
                 f"inter-core dipolar coupling ≤ {dip:.2f} k_BT, left out)", fontsize=8)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # outside: the 4 nm points lie mid-plot
    ax.grid(alpha=0.3)
    f = OUT / "nanoflower_regimes.png"
    fig.savefig(f, dpi=150)
    plt.close(fig)
    return f


def grain_picture(n_cores=7, spread="oa"):
    """Per-grain magnetisation of the flower and of the decoupled cores (seed 1, end of the random-start run)."""
    import matplotlib.pyplot as plt

    from atomspin.structures import plot_grain_moments

    keys = [point_key(k, n_cores, spread, 1) for k in ("flower", "decoupled")]
    files = [OUT / f"spins_{k}.npz" for k in keys]
    if not all(f.exists() for f in files):
        return None
    at = build_flower(n_cores, spread, 1)
    fig, ax = plt.subplots(1, 2, figsize=(14, 8.6), layout="constrained")
    for a, f, title in zip(ax, files, ("with the exchange across the grain boundaries",
                                       "same cores, inter-core exchange cut")):
        d = np.load(f)
        plot_grain_moments(at, d["spins"].astype(float), d["atom_index"], normal=(1, 0, 0), ax=a,
                           title=f"{n_cores} × 4 nm cores ({'σ = 5°' if spread == 'oa' else 'random'}), {T_BODY:g} K, "
                                 f"{ALIGN_SWEEPS} sweeps from random core directions\n(rigid core rotations; "
                                 f"no dipolar term in this test):\n{title}")
    f2 = OUT / f"nanoflower_grain_moments_{n_cores}{spread}.png"
    fig.savefig(f2, dpi=130)
    plt.close(fig)
    return f2


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else "analyse"
    if cmd == "run":
        run_point(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]),
                  *([float(sys.argv[6])] if len(sys.argv) > 6 else []))
    elif cmd == "plan":  # plans other than "main", "seeds" and "big" keep their own files (other core size)
        name = sys.argv[2]
        for pt in PLANS[name]:
            run_point(*pt, **({} if name in ("main", "seeds", "big") else dict(path=OUT / f"landscapes_{name}.json")))
    elif cmd == "scan":
        size_scan()
    elif cmd == "scan-n":  # the regime test against core count at 4 nm (one seed; alignment only)
        size_scan(n_cores=13, diameters=(CORE_D_NM,), seeds=(1,), spreads=("oa",))
    elif cmd == "scan-perfect":  # σ = 0: one continuous crystal with necks (the collective reference)
        size_scan(n_cores=3, diameters=(2.5, 4.0), seeds=(1,), spreads=("perfect",))
    elif cmd == "analyse":  # analyse [PLAN]: a plan with its own files (e.g. cores8)
        if len(sys.argv) > 2:
            analyse(OUT / f"landscapes_{sys.argv[2]}.json", OUT / f"results_{sys.argv[2]}.json")
        else:
            analyse()
    elif cmd == "table":  # table [PLAN]: validation §9's results table (markdown) from results[_PLAN].json
        print(table(sys.argv[2] if len(sys.argv) > 2 else None))
    elif cmd == "plot":  # plot [PLAN]: the 4 nm figures, or the figure of a plan with its own files (cores8)
        print(plot_cores8(sys.argv[2]) if len(sys.argv) > 2 else plot())
    else:
        raise SystemExit(__doc__)
