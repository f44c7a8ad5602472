"""Landscape study of docs/validation.md §3b (issue 13): size series, defects, temperature rescaling, dead layer.

Each part writes JSON rows to docs/figures/landscape/<part>.json (appending, one row per run, skipping rows
already there) so that long parts can be split over several invocations; ``plot`` draws the figures.

    python docs/landscape_study.py rescaling            # Ms(T), K(T) and an 8 nm landscape ± rescaling
    python docs/landscape_study.py size SHAPE D [D ...]  # SHAPE: sphere | truncated_octahedron | cube | ellipsoid
                                                         # (dipolar on: size_dipolar.json; VARIANTS=full,no_neel;
                                                         # SEEDS=1,2,3: realisations = Monte Carlo streams of the
                                                         # same perfect particle, keys "SHAPE-D-full[-sSEED]")
    python docs/landscape_study.py size_nodip SHAPE D …  # the earlier protocol without the dipolar term (size.json)
    python docs/landscape_study.py defects KIND SEED     # KIND: perfect | vac05r | vac10r | vac20r | apb1 | apb2 |
                                                         #   feo | perfect_classical | vac05 | vac10 | vac20 (Fe2+
                                                         #   first); comma lists run seed by seed (defects.json)
    python docs/landscape_study.py defects_no_neel KIND SEED  # the same rows with the Néel term off
                                                         # (defects_no_neel.json: the Néel / thermal dipolar split)
    python docs/landscape_study.py defects_dipolar KIND SEED  # the same rows rerun measuring their dipolar share
                                                         # (defects_dipolar.json: the shape part as measured)
    python docs/landscape_study.py heating_parts DB VARIANT[,…]  # parts of a heating study's stored landscapes
                                                         # (no Monte Carlo; heating_parts.json)
    python docs/landscape_study.py heating_no_neel DB VARIANT[,…] SEED[,…]  # those rows rerun with the Néel term off
    python docs/landscape_study.py heating_dipolar DB VARIANT[,…] SEED[,…]  # those rows rerun as stored, measuring
                                                         # their dipolar share (the shape part as measured)
    python docs/landscape_study.py sensitivity NAME      # NAME: ks_lo | ks_hi | ks_neg | japb_lo | japb_hi
    python docs/landscape_study.py deadlayer
    python docs/landscape_study.py shapetensors [SHAPE D ...]  # rigid point-dipole tensors (J/m³)
    python docs/landscape_study.py crosscheck SHAPE D [D ...]  # thermal point-dipole tensors: rigid × m², sublattice-
                                                         # and local-order-weighted (crosscheck.json)
    python docs/landscape_study.py plot

Protocol: 300 K, default model (Néel surface term from K_s = 2.9e-5 J/m², averaged B valence, Evans temperature
rescaling, atomistic point-dipole term ``dipolar="auto"``: exact pairs up to 1000 spins, lattice FFT above, the
engine's default refresh policy) with anisotropy_reference = 300 K, one realisation (seed 1) per size, or more
(SEEDS: Monte Carlo streams of the same perfect particle; ``landscape_plots.size_realisations``). The size
series runs the default model ("full"; VARIANTS=full,no_neel adds a Néel-off run as a cross-check) and splits the
reversal barrier of the measured landscape into parts (docs/landscape_plots.py, ``size_table_dipolar``):
magnetocrystalline = barrier without the degree-2 harmonics (the on-site cubic term has none), shape = + the
term the landscape fit holds (the degree-2 part of the measured dipolar share of the torque for rows that sampled
it, ``dipolar_coefficients_J``; the rigid-rotation point-dipole term n̂ᵀDn̂·m² for earlier rows), surface = the rest
of degree 2 (with the measured share: the on-site, i.e. Néel, term).
``shapetensors SHAPE D …`` computes that rigid term for particles of the earlier series without the dipolar term
(size.json, ``size_nodip``; shape added there as the continuum ½μ0Ms²ΔN), whose landscape + the term is the
labelled estimate / cross-check. The defect series (``defects``, defects.json) runs the same protocol on the 8 nm sphere, seed s
placing the defect and driving the Monte Carlo stream; docs/landscape_defects.py makes its table (parts, mean ±
max(s.e.m., fit error/√n), ratio and 2σ verdict), the error calibration and the figure. Environment: WORKERS (processes per landscape, default 1; with WORKERS > 1 set
NUMBA_NUM_THREADS=1, see docs/validation.md §3b), VARIANTS, SWEEPS=sampled,equilibration (overrides the size
rule), RERUN_OLD=1 (recompute landscape rows measured before today's engine, those without refresh_windows_min),
RERUN_SPLIT=1 (recompute rows measured without the dipolar share of the torque, so that their parts use the
measured shape term; the replaced row's totals are kept in the new row's ``previous``), SEEDS (size series),
SIZE_PART (size series: write to SIZE_PART.json, e.g. size_dipolar_check.json for a rerun that keeps the stored row).
"""
import hashlib
import os
import json
import pathlib
import sys
import time

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent / "figures" / "landscape"
T = 300.0


def _sweeps(n_spins):
    """Sampled / equilibration sweeps per direction: fewer for large particles, whose torque is larger.

    The constrained dipolar sweeper (engine/sweepers/constrained_dipolar.py) re-anchors the frozen field at the
    window-averaged state every refresh_every sweeps ("auto": 48–100 sweeps for the particles of this series,
    never shorter than one refresh costs, 12–37 sweeps here); after the rigid-rotation start of each direction the
    windows are max(refresh_every/8, refresh cost), then doubling up to refresh_every. Each rule below leaves ≥ 4
    windows in the sampled run, so every direction's error includes the batch means over windows
    (``refresh_windows_min`` 4–15 in the rows measured with these rules). The torque's τ_int is ≈ 5–10 samples
    in the median direction, so the median n_eff was 15–36 (min over the 52 gradient components 5–11): n_eff ≥ 25
    in every direction is not affordable here (26 × 350 sweeps of a 170,000-spin particle already cost 17 CPU-min);
    docs/validation.md §3b gives n_eff per row."""
    if n_spins < 8000:
        return 1200, 200
    if n_spins < 30000:
        return 800, 100
    if n_spins < 80000:
        return 500, 50
    return 300, 50


def _save(part, row):
    OUT.mkdir(parents=True, exist_ok=True)
    f = OUT / f"{part}.json"
    rows = json.loads(f.read_text()) if f.exists() else []
    rows = [r for r in rows if r.get("key") != row["key"]] + [row]
    f.write_text(rows_json(rows))


def rows_json(rows):
    """The rows as JSON, one row per line (compact, and a diff shows which rows changed)."""
    return "[\n" + ",\n".join(json.dumps(r) for r in rows) + "\n]\n"


def _stored(part, key):
    """The stored row ``key`` of ``part``, or None."""
    f = OUT / f"{part}.json"
    return next((r for r in json.loads(f.read_text()) if r.get("key") == key), None) if f.exists() else None


def _done(part, key):
    """Whether the row ``key`` exists; with RERUN_OLD=1 in the environment a landscape row measured before today's
    engine (no ``refresh_windows_min``: the snapshot reference of the frozen dipolar field) counts as not done, and
    with RERUN_SPLIT=1 one measured without the dipolar share of the torque (no ``dipolar_coefficients_J``: its
    parts can only use the rigid × m² shape term)."""
    r = _stored(part, key)
    if r is None:
        return False
    if os.environ.get("RERUN_OLD") == "1" and "barrier_J" in r and "refresh_windows_min" not in r:
        return False
    if os.environ.get("RERUN_SPLIT") == "1" and "barrier_J" in r and "dipolar_coefficients_J" not in r:
        return False
    return True


def _previous(part, key):
    """Fields of the stored row ``key`` that a rerun replaces, kept in the new row as ``previous`` (its total
    coefficients, barrier, commit and date): a rerun with the same seed and engine reproduces them bit for bit."""
    r = _stored(part, key)
    if r is None or "coefficients_J" not in r:
        return {}
    return dict(previous=dict(coefficients_J=r["coefficients_J"], reversal_J_per_m3=r.get("reversal_J_per_m3"),
                              barrier_J_per_m3=r.get("barrier_J_per_m3"), commit=r.get("commit"),
                              date=r.get("date")))


def spheroid_N(aspect):
    """Demagnetising factors (N_perp, N_par) of a prolate spheroid c/a = aspect > 1 (Osborn 1945)."""
    if aspect == 1:
        return 1 / 3, 1 / 3
    e = np.sqrt(1 - 1 / aspect ** 2)
    nz = (1 - e ** 2) / e ** 3 * (np.arctanh(e) - e)
    return (1 - nz) / 2, nz


def _commit():
    """The git commit of this checkout (with "+dirty" when tracked files other than the study's own output,
    docs/figures, differ from it), or None."""
    import subprocess

    try:
        here = pathlib.Path(__file__).resolve().parent
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=here, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ":/",
                                ":(exclude,top)docs/figures"], cwd=here, capture_output=True, text=True,
                               check=True).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return None


def _cpu_s():
    """CPU seconds (user + system) of this process and its finished children (the landscape's workers)."""
    import resource

    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def _g4(a):
    return [[float(f"{x:.4g}") for x in c] for c in np.asarray(a)]


def dipolar_share(r):
    """Row fields of a landscape's measured dipolar share (the shape term as measured, issue 13 parts): its
    coefficients (J), covariance and covariance with the total's (J², 4 significant digits), what the held shape
    term is and the rigid-rotation tensor × m_reduced² it replaced (traceless, J/m³)."""
    out = dict(shape_source=getattr(r.fit, "shape_source", "rigid point-dipole tensor x m_reduced^2"))
    if getattr(r.fit, "shape_Q_rigid_m2_J_per_m3", None) is not None:
        out["shape_Q_rigid_m2_J_per_m3"] = np.asarray(r.fit.shape_Q_rigid_m2_J_per_m3).tolist()
    if getattr(r, "dipolar_coefficients_J", None) is not None:
        out.update(dipolar_coefficients_J=np.asarray(r.dipolar_coefficients_J).tolist(),
                   dipolar_covariance_J2=_g4(r.dipolar_covariance_J2),
                   dipolar_cross_covariance_J2=_g4(r.dipolar_cross_covariance_J2))
    return out


def landscape_row(model, key, seed=1, shape_aspect=None, extra=None):
    from atomspin import macrospin as ms
    from atomspin.measure import anisotropy_landscape
    from atomspin.units import MU_0

    sw, eq = _sweeps(model.n)
    if os.environ.get("SWEEPS"):  # SWEEPS=sampled,equilibration overrides the size rule
        sw, eq = (int(x) for x in os.environ["SWEEPS"].split(","))
    workers = int(os.environ.get("WORKERS", "1"))
    commit, t0, c0 = _commit(), time.perf_counter(), _cpu_s()  # the code that runs, not the code at the end
    r = anisotropy_landscape(model, T, sweeps=sw, equilibration_sweeps=eq, thermalisation_sweeps=300, seed=seed,
                             workers=workers)
    wall, cpu = time.perf_counter() - t0, _cpu_s() - c0
    n_eff = (sw // 2) / (2 * np.maximum(np.asarray(r.tau_int), 0.5))  # per direction and component (observe_every 2)
    row = dict(key=key, n_spins=int(model.n), V_m3=r.volume_m3, barrier_J=r.barrier_J, barrier_err_J=r.barrier_err_J,
               barrier_J_per_m3=r.barrier_J / r.volume_m3, barrier_err_J_per_m3=r.barrier_err_J / r.volume_m3,
               barrier_over_kT=r.barrier_over_kT, reversal_J_per_m3=r.reversal_barrier_J / r.volume_m3,
               reversal_err_J_per_m3=r.reversal_barrier_err_J / r.volume_m3,
               Ms_A_per_m=r.Ms_A_per_m, Ms_err_A_per_m=r.Ms_err_A_per_m, m_reduced=r.m_reduced,
               K1=r.fit.K1_J_per_m3, K1_err=r.fit.K1_err_J_per_m3, K2=r.fit.K2_J_per_m3, Ku=r.fit.Ku_J_per_m3,
               Ku_err=r.fit.Ku_err_J_per_m3, axis=r.fit.axis.tolist(), chi2_per_dof=r.chi2_per_dof,
               fit_residual_rms=r.fit.residual_rms_J_per_m3, n_minima=len(r.minima), n_saddles=len(r.saddles),
               n_eff_min=r.n_eff_min, n_eff_median=float(np.median(n_eff)),
               refresh_windows_min=r.refresh_windows_min,
               minima=r.minima.tolist(), sweeps=sw, equilibration=eq, elapsed_s=wall, wall_s=wall, cpu_s=cpu,
               workers=workers, numba_threads=os.environ.get("NUMBA_NUM_THREADS"),
               # BLAS threads: OpenBLAS splits long reductions over its threads (ddot above 10,000 elements, the
               # (N,) @ (N, 3) products of the constrained dipolar sweeper above ≈ 153,000 spins), so a rerun
               # reproduces a row bit for bit only with the same count (docs/validation.md §3b); None: the variable
               # was unset, so OpenBLAS used its default (the machine's core count)
               blas_threads=os.environ.get("OPENBLAS_NUM_THREADS"), commit=commit,
               date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), load_avg=os.getloadavg()[0],
               tau_int=np.asarray(r.tau_int).tolist(), gradient_err_meV=np.asarray(r.gradient_err_meV).tolist(),
               coefficients_J=r.coefficients_J.tolist(), degree=r.degree, seed=seed,
               # the fit covariance (J², 4 significant digits): the parts' errors by parametric bootstrap
               covariance_J2=[[float(f"{x:.4g}") for x in c] for c in np.asarray(r.covariance_J2)],
               dipolar=type(model.dipolar).__name__ if model.dipolar is not None else None,
               shape_Q_J_per_m3=np.asarray(r.fit.shape_Q_J_per_m3).tolist(), Q_J_per_m3=np.asarray(r.fit.Q_J_per_m3).tolist(),
               **dipolar_share(r))
    if shape_aspect is not None and shape_aspect != 1:
        nx, nz = spheroid_N(shape_aspect)
        Ku_shape = 0.5 * MU_0 * r.Ms_A_per_m ** 2 * (nx - nz)
        surf = r.surface + ms.UniaxialAnisotropy(Ku_shape, (0, 0, 1))
        cp = ms.critical_points(surf)
        row.update(Ku_shape_J_per_m3=Ku_shape, barrier_with_shape_J_per_m3=float(ms.barriers(cp)[cp.global_minimum]))
    row.update(extra or {})
    return row


def _model(atoms, **kw):
    from atomspin.model import SpinModel

    return SpinModel.from_atoms(atoms, anisotropy_reference=300.0, **kw)


def part_size(shape, sizes, dipolar=True):
    """Size series; SHAPE may end in '@A' for particles centred on an A (8a, Td) site instead of the default B
    (16d, D3d) site: the centring sets the terminations, hence the first-order surface term. ``dipolar=True`` (the
    default model) writes size_dipolar.json; False the earlier no-dipolar protocol (size.json, continuum shape)."""
    from atomspin import structures as S

    # SIZE_PART=NAME writes the rows to NAME.json instead (a check that must not replace a stored row, e.g. a
    # seed-1 rerun on today's engine: size_dipolar_check.json)
    part = os.environ.get("SIZE_PART") or ("size_dipolar" if dipolar else "size")
    variants = os.environ.get("VARIANTS", "full").split(",")
    seeds = [int(x) for x in os.environ.get("SEEDS", "1").split(",")]

    shape, _, centre = shape.partition("@")
    for D in sizes:
        D = float(D)
        kw = dict(aspect=1.2) if shape == "ellipsoid" else {}
        if centre:
            kw["center"] = centre
        atoms = S.build_particle("Fe3O4", shape, diameter_nm=D, seed=1, **kw)
        for seed in seeds:  # realisations: the same perfect particle, Monte Carlo stream ``seed``
            for variant, mkw in (("full", {}), ("no_neel", dict(neel_ks_meV=0.0))):
                key = size_key(shape + ("@" + centre if centre else ""), D, variant, seed)
                if variant not in variants or _done(part, key):
                    continue
                if not dipolar:
                    mkw = dict(mkw, dipolar=False)
                m = _model(atoms, **mkw)
                row = landscape_row(m, key, seed=seed,
                                    shape_aspect=1.2 if shape == "ellipsoid" and not dipolar else None,
                                    extra=dict(shape=shape + ("@" + centre if centre else ""), D_nm=D,
                                               variant=variant, **_previous(part, key)))
                _save(part, row)
                print(key, f"{row['reversal_J_per_m3']:.0f} ± {row['reversal_err_J_per_m3']:.0f} J/m3",
                      f"{row['cpu_s']:.0f} CPU s", f"{row['elapsed_s']:.0f} s", flush=True)


def size_key(shape, D, variant, seed=1):
    """Row key of the size series: "SHAPE-D-VARIANT" for seed 1 (the rows before realisations were added),
    "SHAPE-D-VARIANT-sSEED" for the others."""
    return f"{shape}-{float(D):g}-{variant}" + (f"-s{int(seed)}" if int(seed) != 1 else "")


def defect_particle(kind, seed, diameter_nm=8.0):
    """(atoms, SpinModel.from_atoms keywords) of one realisation of the defect series: a magnetite sphere (built
    with seed 1) with the defect ``kind`` placed by ``seed`` (the Monte Carlo seed of the row is the same number).
    Random B vacancies: ``vacNNr``; Fe²⁺-first (the builder's Verwey-ordered Fe²⁺ sites): ``vacNN``; one (110) APB
    within ±5 Å of the centre: ``apb1``; two at ±(12 ± 3) Å: ``apb2``; a core of half the diameter of FeO
    (classical statistics, as the model has rock-salt sites): ``feo``; ``perfect`` and ``perfect_classical``."""
    from atomspin import structures as S

    seed = int(seed)
    p = S.build_particle("Fe3O4", "sphere", diameter_nm=diameter_nm, seed=1)
    mkw = {}
    if kind.startswith("vac") and kind.endswith("r"):  # random B Fe of either valence
        p = S.add_vacancies(p, delta=int(kind[3:-1]) / 100, removal="random", seed=seed)
    elif kind.startswith("vac"):  # Fe2+ first (the builder's Verwey Fe2+ sites: an ordered arrangement)
        p = S.add_vacancies(p, delta=int(kind[3:]) / 100, removal="fe2_first", seed=seed)
    elif kind == "apb1":
        off = np.random.default_rng(seed).uniform(-5, 5)
        c = np.asarray(json.loads(p.info["shape"])["center_A"])
        p = S.insert_apb(p, plane=(1, 1, 0), point=c + off * np.array([1, 1, 0]) / np.sqrt(2), seed=seed)
    elif kind == "apb2":
        rng = np.random.default_rng(seed)
        c = np.asarray(json.loads(p.info["shape"])["center_A"])
        n = np.array([1, 1, 0]) / np.sqrt(2)
        for off in (-12 + rng.uniform(-3, 3), 12 + rng.uniform(-3, 3)):
            p = S.insert_apb(p, plane=(1, 1, 0), point=c + off * n, seed=seed)
    elif kind == "feo":
        p = S.core_shell(p, diameter_nm / 2, seed=seed)
        mkw = dict(temperature_rescaling=None)
    elif kind == "perfect_classical":
        mkw = dict(temperature_rescaling=None)
    elif kind != "perfect":
        raise ValueError(f"kind: unknown defect kind {kind!r}")
    return p, mkw


def rigid_neel_tensors(atoms, **mkw):
    """Rigid-rotation Néel tensors (traceless, J/m³, e = n̂ᵀNn̂) of a particle's default model at T = 0: the Néel
    pair term is the model's only on-site quadratic term (E = −Σ ŝ_iᵀQ_iŝ_i), so a rigid rotation ŝ_i = σ_i n̂ of the
    collinear state costs n̂ᵀ(−Σ_i Q_i)n̂. Returns {"all", "apb", "rest"}: every site, the sites labelled
    ``apb_zone`` by the APB builder (zeros without APB) and the others (surface, vacancy neighbours)."""
    from atomspin.model.core import quad_to_matrix
    from atomspin.units import MEV

    m = _model(atoms, dipolar=False, **mkw)
    q = -quad_to_matrix(m.quad) * MEV / m.volume_m3
    zone = (np.asarray(atoms.arrays["apb_zone"], bool)[np.asarray(m.atom_index)] if "apb_zone" in atoms.arrays
            else np.zeros(m.n, bool))

    def tl(t):
        return t - np.trace(t) / 3 * np.eye(3)

    return {"all": tl(q.sum(axis=0)), "apb": tl(q[zone].sum(axis=0)), "rest": tl(q[~zone].sum(axis=0)),
            "apb_sites": int(np.count_nonzero(zone & np.any(q != 0, axis=(1, 2))))}


def part_defects(kind, seed, variant="full"):
    """One realisation of the defect series: ``variant`` "full" (default model, defects.json) or "no_neel" (the
    same particle and Monte Carlo seed with the Néel term off, defects_no_neel.json: its degree-2 remainder is the
    thermal dipolar part alone, so Néel = full − no_neel per realisation) or "dipolar" (the "full" row rerun, same
    particle and seed, with its dipolar share of the torque measured: the shape part as measured; defects_dipolar.json)."""
    seed = int(seed)
    part = {"full": "defects", "no_neel": "defects_no_neel", "dipolar": "defects_dipolar"}.get(variant, "?")
    key = f"{kind}-{seed}"
    if _done(part, key):
        return
    p, mkw = defect_particle(kind, seed)
    nt = rigid_neel_tensors(p, **mkw)
    if variant == "no_neel":
        mkw = dict(mkw, neel_ks_meV=0.0)
    elif variant not in ("full", "dipolar"):
        raise ValueError(f"variant: {variant!r} is not 'full', 'no_neel' or 'dipolar'")
    m = _model(p, **mkw)
    row = landscape_row(m, key, seed=seed, extra=dict(
        kind=kind, seed=seed, variant=variant, neel_sites=m.info["neel"]["sites"],
        rescaled=m.info["temperature_rescaling"] is not None,
        neel_rigid_J_per_m3=nt["all"].tolist(), neel_rigid_apb_J_per_m3=nt["apb"].tolist(),
        neel_rigid_rest_J_per_m3=nt["rest"].tolist(), neel_apb_sites=nt["apb_sites"]))
    _save(part, row)
    print(key, f"{row['barrier_J_per_m3']:.0f} ± {row['barrier_err_J_per_m3']:.0f} J/m3", f"{row['elapsed_s']:.0f} s",
          flush=True)


def part_sensitivity(name):
    from atomspin import structures as S
    from atomspin.model.anisotropy import neel_ks_from_surface_constant
    from atomspin.model.parameters import load_parameter_set

    if _done("sensitivity", name):
        return
    if name.startswith("ks"):
        atoms = S.build_particle("Fe3O4", "ellipsoid", diameter_nm=8.0, aspect=1.2, seed=1)
        Ks = {"ks_lo": 1e-5, "ks_def": 2.9e-5, "ks_hi": 1e-4, "ks_neg": -2.9e-5}[name]
        m = _model(atoms, neel_ks_meV=neel_ks_from_surface_constant(Ks))
        extra = dict(K_s_J_per_m2=Ks)
    else:
        atoms = S.insert_apb(S.build_particle("Fe3O4", "sphere", diameter_nm=8.0, seed=1), plane=(1, 1, 0), seed=1)
        jlit = {"japb_lo": -2.92, "japb_def": -9.49, "japb_hi": -11.04}[name]
        pset = load_parameter_set("magnetite")
        J = float(pset.unit_coupling("BB180", np.array([4.5]), np.array([4.5]))[0]) * jlit / pset.exchange["BB180"]
        m = _model(atoms, overrides={"BB180": J})
        extra = dict(J_BB180_lit_meV=jlit)
    row = landscape_row(m, name, extra=extra)
    _save("sensitivity", row)
    print(name, f"{row['barrier_J_per_m3']:.0f} ± {row['barrier_err_J_per_m3']:.0f} J/m3", flush=True)


def part_rescaling():
    """Bulk Ms(T) and K(T) with and without rescaling (from the set's own MC table and the mapping), checked by
    constrained MC on a periodic box at 100/200/300 K, and the 8 nm sphere landscape at 300 K ± rescaling."""
    from atomspin import structures as S
    from atomspin.measure import anisotropy_landscape
    from atomspin.model import SpinModel
    from atomspin.model.parameters import load_parameter_set
    from atomspin.model.reference_lattices import spinel_box
    from atomspin.model.thermal import classical_net_magnetisation, rescaling_from_set

    pset = load_parameter_set("magnetite")
    r = rescaling_from_set(pset)
    Ts = np.linspace(0, 500, 51)
    rows = dict(key="curves", T=Ts.tolist(), m_classical=[float(classical_net_magnetisation(pset, t)) for t in Ts],
                m_rescaled=[float(classical_net_magnetisation(pset, r.simulation_temperature(t))) for t in Ts],
                alpha=r.alpha)
    _save("rescaling", rows)
    for resc in (None, "default"):
        for t in (100.0, 200.0, 300.0):
            key = f"bulkK-{resc}-{t:g}"
            if _done("rescaling", key):
                continue
            m = SpinModel.from_atoms(spinel_box(2), anisotropy_reference=300.0, temperature_rescaling=resc)
            lr = anisotropy_landscape(m, t, sweeps=1500, seed=int(t), periodic="magnetocrystalline")
            _save("rescaling", dict(key=key, T=t, rescaled=resc is not None, K1=lr.fit.K1_J_per_m3,
                                    K1_err=lr.fit.K1_err_J_per_m3, barrier=lr.barrier_J / lr.volume_m3,
                                    barrier_err=lr.barrier_err_J / lr.volume_m3, m=lr.m_reduced))
            print(key, lr.fit.K1_J_per_m3, flush=True)
    atoms = S.build_particle("Fe3O4", "sphere", diameter_nm=8.0, seed=1)
    for resc in (None, "default"):
        key = f"sphere8-{resc}"
        if not _done("rescaling", key):
            m = _model(atoms, temperature_rescaling=resc)
            _save("rescaling", landscape_row(m, key, extra=dict(rescaled=resc is not None)))
            print(key, flush=True)


def moment_dead_layer_nm(model, spins, depth_nm, D_nm, core_depth_nm=2.0):
    """Moment-equivalent dead layer (nm) from one state's local canting: the shell thickness d of a sphere of
    diameter D with (1 − 2d/D)³ = m_all / m_core, where m = Σ μ_i σ_i cos θ_i / Σ μ_i σ_i over all sites and over
    the core (depth > ``core_depth_nm``), θ_i the local canting angle (measure.local_canting_angles) and σ_i the
    collinear signs. Canting of the minority (A) sublattice raises m, as it raises the net moment."""
    from atomspin.measure.disorder import local_canting_angles, reference_axis

    th = np.radians(local_canting_angles(model, spins))
    _, sig = reference_axis(model, spins, None)
    ok = np.isfinite(th)
    w = model.moments * sig
    core = ok & (depth_nm > core_depth_nm)
    m_all = np.sum((w * np.cos(th))[ok]) / np.sum(w[ok])
    m_core = np.sum((w * np.cos(th))[core]) / np.sum(w[core])
    return 0.5 * D_nm * (1 - (m_all / m_core) ** (1 / 3)), float(m_all), float(m_core)


def part_deadlayer():
    """Ms(D) at 300 K (default model: Néel, averaged B, rescaling, dipolar) for 3–10 nm spheres → dead layer d
    (measure.dead_layer_fit) from Ms(D) and from the reduced moment m(D) = ⟨|M|⟩/M_collinear(D) (removes the
    size-to-size scatter of the T = 0 moment of the surface cut); and the radial canting profile of an 8 nm sphere
    with its moment-equivalent dead layer (:func:`moment_dead_layer_nm`), rescaled and classical."""
    from atomspin import structures as S
    from atomspin.engine import Simulation
    from atomspin.engine.statistics import mean_error
    from atomspin.measure import dead_layer_fit, spin_disorder
    from atomspin.measure.disorder import depth_below_surface_nm
    from atomspin.model import SpinModel
    from atomspin.units import MU_B

    sizes = [3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
    for D in sizes:
        key = f"Ms-{D:g}"
        if _done("deadlayer", key):
            continue
        t0 = time.perf_counter()
        p = S.build_particle("Fe3O4", "sphere", diameter_nm=D, seed=1, neutralise=True)
        m = SpinModel.from_atoms(p, anisotropy_reference=300.0)
        M0 = float(np.linalg.norm(np.sum(m.moments[:, None] * m.spins, axis=0)))
        sim = Simulation(m, T, seed=2, collective_every=1)
        sim.run(1000, observe_every=1000)
        obs = sim.run(2000, observe_every=5)
        mu, err, _, _ = mean_error(obs.abs_m)
        _save("deadlayer", dict(key=key, D_nm=D, Ms=mu * MU_B / m.volume_m3, Ms_err=err * MU_B / m.volume_m3,
                                Ms0=M0 * MU_B / m.volume_m3, m_reduced=mu / M0, m_reduced_err=err / M0,
                                n_spins=int(m.n), dipolar=type(m.dipolar).__name__ if m.dipolar is not None else None,
                                elapsed_s=time.perf_counter() - t0))
        print(key, mu * MU_B / m.volume_m3, f"{time.perf_counter() - t0:.0f} s", flush=True)
    rows = [r for r in json.loads((OUT / "deadlayer.json").read_text()) if r["key"].startswith("Ms-")]
    rows.sort(key=lambda r: r["D_nm"])
    Dn = [r["D_nm"] for r in rows]
    # unweighted: the scatter about (1 − 2d/D)³ (the surface cut moves the T = 0 moment by ±6 % from size to
    # size) is far larger than the sampling errors, so the error comes from the residuals
    fit = dead_layer_fit(Dn, [r["Ms"] for r in rows])
    fr = dead_layer_fit(Dn, [r["m_reduced"] for r in rows])
    _save("deadlayer", dict(key="fit", d_nm=fit.d_nm, d_err_nm=fit.d_err_nm, Ms_bulk=fit.Ms_bulk,
                            Ms_bulk_err=fit.Ms_bulk_err, d_reduced_nm=fr.d_nm, d_reduced_err_nm=fr.d_err_nm,
                            m_bulk=fr.Ms_bulk, m_bulk_err=fr.Ms_bulk_err))
    print("dead layer", fit.d_nm, fit.d_err_nm, "reduced", fr.d_nm, fr.d_err_nm, flush=True)
    for resc in ("default", None):
        key = f"canting-8-{resc}"
        if _done("deadlayer", key):
            continue
        t0 = time.perf_counter()
        p = S.build_particle("Fe3O4", "sphere", diameter_nm=8.0, seed=1)
        m = SpinModel.from_atoms(p, anisotropy_reference=300.0, temperature_rescaling=resc)
        depth = depth_below_surface_nm(m, p)
        sim = Simulation(m, T, seed=3)
        sim.run(1000, observe_every=1000)
        prof, dl = [], []
        for _ in range(10):
            sim.run(100, observe_every=100)
            dis = spin_disorder(m, spins=sim.spins, atoms=p, reference="local")
            prof.append(dis.depth_canting_deg)
            dl.append(moment_dead_layer_nm(m, sim.spins, depth, 8.0))
        prof = np.array(prof)
        dl = np.array(dl)
        _save("deadlayer", dict(key=key, rescaled=resc is not None, depth_nm=dis.depth_bins_nm.tolist(),
                                canting_deg=np.nanmean(prof, axis=0).tolist(),
                                canting_err_deg=(np.nanstd(prof, axis=0, ddof=1) / np.sqrt(len(prof))).tolist(),
                                d_moment_nm=float(dl[:, 0].mean()),
                                d_moment_err_nm=float(dl[:, 0].std(ddof=1) / np.sqrt(len(dl))),
                                m_all=float(dl[:, 1].mean()), m_core=float(dl[:, 2].mean()),
                                elapsed_s=time.perf_counter() - t0))
        print(key, dl[:, 0].mean(), flush=True)


def part_shapetensors(shape=None, sizes=()):
    """Rigid-rotation point-dipole tensors D (J/m³, traceless, T = 0 Néel state; the plots scale them by
    m_reduced²) into shape_tensor.json: for the dipolar size rows that lack the held shape term, and, given SHAPE
    and sizes, for particles of the no-dipolar series (key "SHAPE-D"), whose landscape + this term is the
    cross-check / estimate labelled "no-dipolar landscape + rigid point-dipole term"."""
    from atomspin import structures as S
    from atomspin.measure.constrained_t0 import rigid_shape_tensor_meV
    from atomspin.units import MEV

    f = OUT / "size_dipolar.json"
    todo = [(r["key"], r["shape"], r["D_nm"]) for r in (json.loads(f.read_text()) if f.exists() else [])
            if "shape_Q_J_per_m3" not in r]
    todo += [(f"{shape}-{float(D):g}", shape, float(D)) for D in sizes]
    for key, shp, D in todo:
        if _done("shape_tensor", key):
            continue
        t0 = time.perf_counter()
        kw = dict(aspect=1.2) if shp == "ellipsoid" else {}
        atoms = S.build_particle("Fe3O4", shp, diameter_nm=D, seed=1, **kw)
        m = _model(atoms, neel_ks_meV=0.0)  # the Néel term does not enter D
        Dm = rigid_shape_tensor_meV(m) * MEV / m.volume_m3
        Dm = Dm - np.trace(Dm) / 3 * np.eye(3)
        _save("shape_tensor", dict(key=key, D_rigid_J_per_m3=Dm.tolist(), elapsed_s=time.perf_counter() - t0))
        print(key, np.round(Dm), flush=True)


def thermal_dipolar_tensors(model, T_K=T, sweeps=400, equilibration=200, directions=((0, 0, 1), (1, 1, 1)), seed=5):
    """The point-dipole anisotropy tensor of a particle at T in three approximations (traceless, J/m³):

    * ``rigid_m2``: the rigid-rotation tensor of the collinear Néel state × m², m = ⟨|M|⟩/M_collinear (the term
      the landscape fit holds, and the "no-dipolar landscape + rigid term" cross-check);
    * ``sublattice``: Σ_ab m_a m_b D_ab with D_ab the rigid tensor of the pairs between sublattices a, b (A, B) and
      m_a the reduced sublattice magnetisations: the rigid term when the sublattices disorder differently;
    * ``local``: the tensor of the site-resolved mean moments q_i = σ_i m_i ⟨ŝ_i·ê⟩ (the mean-field part
      −½ Σ ⟨ŝ_i⟩W⟨ŝ_j⟩ of the thermal dipolar energy; the correlated fluctuations −½ Σ⟨δŝ_i W δŝ_j⟩ are not in
      it): surface and corner sites, which carry the lattice-termination part of the tensor, are less ordered
      than the core.

    The local order comes from constrained Monte Carlo (the landscape's engine) along ``directions``, averaged.
    Returns a dict with the three tensors, m, the sublattice m_a, and the mean local order by depth shell."""
    from atomspin.engine import EngineOptions
    from atomspin.units import MEV

    dip = model.dipolar
    sig = np.sign(model.spins @ (model.moments @ model.spins))
    sig[sig == 0] = 1.0
    q0 = sig * model.moments
    to = MEV / model.volume_m3

    def tens(q):
        d = dip.charge_shape_tensor_meV(q) * to
        return d - np.trace(d) / 3 * np.eye(3)

    blocks = []  # local order per (direction, half of the run): the spread over blocks gives the error
    for k, e in enumerate(directions):
        e = np.asarray(e, dtype=np.float64) / np.linalg.norm(e)
        sim = EngineOptions(None).constrained(model, T_K, e, seed + k)
        sim.run(equilibration, observe_every=equilibration)
        step = 10
        nb = max(sweeps // step // 2, 1)
        for _half in range(2):
            acc = np.zeros(model.n)
            for _ in range(nb):
                sim.run(step, observe_every=step)
                acc += sim.spins @ e
            blocks.append(sig * acc / nb)
    order = np.mean(blocks, axis=0)
    m = float(np.sum(q0 * order) / np.sum(q0))
    D = tens(q0)
    subs = {}
    lab = np.asarray(model.sublattice).astype(str) if model.sublattice is not None else np.full(model.n, "all")
    names = sorted(set(lab))
    for a in names:
        sel = lab == a
        subs[a] = float(np.sum((q0 * order)[sel]) / np.sum(q0[sel]))
    Dsub = np.zeros((3, 3))
    for a in names:
        for b in names:
            qa = np.where(lab == a, q0, 0.0)
            qb = np.where(lab == b, q0, 0.0)
            Dab = 0.5 * (tens(qa + qb) - tens(qa) - tens(qb)) if a != b else tens(qa)
            Dsub += subs[a] * subs[b] * Dab
    return dict(rigid=D, rigid_m2=D * m ** 2, sublattice=Dsub, local=tens(q0 * order), m=m, m_sub=subs,
                order=order, local_blocks=[tens(q0 * b) for b in blocks])


def _order_by_coordination(model, order):
    """Mean local order ⟨σ_i ŝ_i·ê⟩ of the sites with their sublattice's full exchange coordination (core) and of
    the under-coordinated ones (surface, edges, corners), and the share of the latter."""
    z = np.diff(model.indptr)
    lab = np.asarray(model.sublattice).astype(str) if model.sublattice is not None else np.full(model.n, "all")
    full = np.zeros(model.n, bool)
    for a in set(lab):
        sel = lab == a
        full[sel] = z[sel] == z[sel].max()
    return dict(order_core=float(order[full].mean()), order_surface=float(order[~full].mean()),
                surface_fraction=float(np.mean(~full)))


def part_crosscheck(shape, sizes):
    """Why the dipolar-on landscape and "no-dipolar landscape + rigid term" disagree (docs/validation.md §3b):
    the three dipolar tensors of :func:`thermal_dipolar_tensors` for particles of the size series, into
    crosscheck.json (Ku along the rigid tensor's axis, J/m³, Ku (1 − (n̂·û)²) convention)."""
    from atomspin import structures as S
    from atomspin.measure._sphere_fit import uniaxial_part

    for D in sizes:
        D = float(D)
        key = f"{shape}-{D:g}"
        if _done("crosscheck", key):
            continue
        t0, c0 = time.perf_counter(), _cpu_s()
        kw = dict(aspect=1.2) if shape == "ellipsoid" else {}
        atoms = S.build_particle("Fe3O4", shape, diameter_nm=D, seed=1, **kw)
        m = _model(atoms)
        r = thermal_dipolar_tensors(m)
        u = uniaxial_part(r["rigid"])[1]

        def ku(Q):  # uniaxial amplitude along u of a traceless tensor: Q = −Ku (uuᵀ − I/3) + ...
            return float(-1.5 * u @ Q @ u)

        row = dict(key=key, shape=shape, D_nm=D, n_spins=int(m.n), axis=u.tolist(), m_reduced=r["m"],
                   m_sub={str(k): v for k, v in r["m_sub"].items()},
                   Ku_rigid=ku(r["rigid"]), Ku_rigid_m2=ku(r["rigid_m2"]), Ku_sublattice=ku(r["sublattice"]),
                   Ku_local=ku(r["local"]),
                   Ku_local_err=float(np.std([ku(b) for b in r["local_blocks"]], ddof=1) / np.sqrt(len(r["local_blocks"]))),
                   rigid=r["rigid"].tolist(), sublattice=r["sublattice"].tolist(),
                   local=r["local"].tolist(), order_min=float(r["order"].min()),
                   **_order_by_coordination(m, r["order"]),
                   order_mean=float(np.mean(r["order"])), wall_s=time.perf_counter() - t0, cpu_s=_cpu_s() - c0,
                   commit=_commit())
        _save("crosscheck", row)
        print(key, {k: round(v) for k, v in row.items() if k.startswith("Ku_")}, f"m={r['m']:.4f}", row["m_sub"],
              flush=True)


def part_heating_parts(db, variants):
    """The parts split of the stored landscapes of a heating study (an ``atomspin sweep`` database, e.g.
    results/defects_heating_12nm_today.db of structures/recipes/defects_heating_12nm_today.toml: 12.1 nm truncated
    octahedra at 310 K, 26 directions × 50 sweeps) into heating_parts.json, no Monte Carlo: per stored row its
    landscape (coefficients_J, V, degree, m_reduced) with the held shape term of the size series, the rigid
    point-dipole tensor of the row's own structure and model × m_reduced² (as the landscape computes it), and the
    rigid Néel tensors (:func:`rigid_neel_tensors`). The database has no fit covariance, so the parts get their
    error from the spread over realisations only (docs/landscape_defects.py ``heating_parts_table``)."""
    from atomspin.batch.context import Context
    from atomspin.batch.report import row_atoms
    from atomspin.batch.store import ResultStore
    from atomspin.measure.constrained_t0 import rigid_shape_tensor_meV
    from atomspin.units import MEV

    store = ResultStore(db, mode="r")
    cache = {}
    study = pathlib.Path(db).stem
    for variant in variants:
        for row in sorted(store.rows(variant=variant), key=lambda r: r.seed):
            key = f"{study}:{variant}-{row.seed}"
            if _done("heating_parts", key):
                continue
            t0, c0 = time.perf_counter(), _cpu_s()
            kv = row.key_value_pairs
            atoms = row_atoms(store, row)
            ctx = Context(dict(recipe=json.loads(row.data["recipe_json"]), seed=row.seed))
            ctx.atoms = atoms
            V = kv["landscape_volume_m3"]
            same = hashlib.sha1(atoms.numbers.tobytes() + atoms.positions.tobytes()
                                + json.dumps(ctx.recipe["model"], sort_keys=True).encode()).hexdigest()
            if same not in cache:  # realisations of a defect-free particle share their structure
                m = ctx.model
                D = rigid_shape_tensor_meV(m) * MEV / V
                mkw = dict(neel_ks_meV=0.0) if ctx.recipe["model"]["surface_anisotropy"] == "off" else {}
                cache[same] = (D - np.trace(D) / 3 * np.eye(3), rigid_neel_tensors(atoms, **mkw), int(m.n),
                               m.info["neel"]["sites"])
            D, nt, n_spins, neel_sites = cache[same]
            coef = np.asarray(store.arrays(row)["landscape"]["coefficients_J"], dtype=float)
            _save("heating_parts", dict(
                key=key, study=study, variant=variant, seed=int(row.seed), n_spins=n_spins, V_m3=V,
                degree=int(kv["landscape_degree"]), coefficients_J=coef.tolist(), m_reduced=kv["landscape_m_reduced"],
                T_K=kv["landscape_T_K"], diameter_vertex_nm=kv["diameter_nm"], shape=kv["shape"],
                barrier_J_per_m3=kv["landscape_barrier_J"] / V, barrier_err_J_per_m3=kv["landscape_barrier_err_J"] / V,
                reversal_J_per_m3=kv["landscape_reversal_barrier_J"] / V,
                reversal_err_J_per_m3=kv["landscape_reversal_barrier_err_J"] / V, Ms_A_per_m=kv["landscape_Ms_A_per_m"],
                Ms_err_A_per_m=kv.get("landscape_Ms_err_A_per_m"), n_minima=kv.get("n_minima"),
                sweeps=kv.get("landscape_sweeps"), D_rigid_J_per_m3=D.tolist(),
                shape_Q_J_per_m3=(D * kv["landscape_m_reduced"] ** 2).tolist(),
                neel_rigid_J_per_m3=nt["all"].tolist(), neel_rigid_apb_J_per_m3=nt["apb"].tolist(),
                neel_rigid_rest_J_per_m3=nt["rest"].tolist(), neel_apb_sites=nt["apb_sites"],
                neel_sites=neel_sites, cpu_s=_cpu_s() - c0, wall_s=time.perf_counter() - t0,
                commit=_commit()))
            print(key, f"{time.perf_counter() - t0:.0f} s", flush=True)


def part_heating_no_neel(db, variants, seeds, neel=False):
    """The landscapes of a heating study's rows rerun with the Néel term off (the CLI's own structure, model and
    landscape steps, the same task seed, hence the same structure and Monte Carlo seed as the stored row, with
    ``model.surface_anisotropy = "off"``), into heating_parts.json (key "<study>:<variant>-<seed>-no_neel",
    ``neel`` False): paired with the stored rows they split the surface + defect part into Néel and thermal
    dipolar at the heating size, as ``defects_no_neel`` does at 8 nm. ``neel=True`` (part ``heating_dipolar``,
    key "<study>:<variant>-<seed>-dip"): the stored row itself rerun (Néel term as recorded) to measure its
    dipolar share of the torque (:func:`dipolar_share`; the shape part as measured), which the stored row lacks;
    the rerun's barrier is recorded next to the stored one (``stored_reversal_J_per_m3``)."""
    import copy

    from atomspin.batch.context import Context
    from atomspin.batch.report import row_atoms
    from atomspin.batch.steps import REGISTRY
    from atomspin.batch.store import ResultStore
    from atomspin.measure.constrained_t0 import rigid_shape_tensor_meV
    from atomspin.units import MEV

    store = ResultStore(db, mode="r")
    study = pathlib.Path(db).stem
    for seed in seeds:
        for variant in variants:
            row = next(r for r in store.rows(variant=variant) if int(r.seed) == int(seed))
            key = f"{study}:{variant}-{row.seed}-{'dip' if neel else 'no_neel'}"
            if _done("heating_parts", key):
                continue
            t0, c0 = time.perf_counter(), _cpu_s()
            rec = copy.deepcopy(json.loads(row.data["recipe_json"]))
            if not neel:
                rec["model"]["surface_anisotropy"] = "off"
            ctx = Context(dict(recipe=rec, seed=row.seed))
            REGISTRY["structure"].run(ctx)
            ref = row_atoms(store, row)
            if len(ref) != len(ctx.atoms) or not np.allclose(ref.positions, ctx.atoms.positions):
                raise RuntimeError(f"{key}: the rebuilt structure differs from the stored one")
            REGISTRY["landscape"].run(ctx)
            r = ctx.results["landscape"]
            m = ctx.model
            V = r.volume_m3
            D = rigid_shape_tensor_meV(m) * MEV / V
            D = D - np.trace(D) / 3 * np.eye(3)
            _save("heating_parts", dict(
                key=key, study=study, variant=variant, seed=int(row.seed), neel=bool(neel), n_spins=int(m.n), V_m3=V,
                degree=int(r.degree), coefficients_J=np.asarray(r.coefficients_J).tolist(), m_reduced=r.m_reduced,
                T_K=r.T_K, diameter_vertex_nm=row.key_value_pairs["diameter_nm"], shape=row.key_value_pairs["shape"],
                barrier_J_per_m3=r.barrier_J / V, barrier_err_J_per_m3=r.barrier_err_J / V,
                reversal_J_per_m3=r.reversal_barrier_J / V, reversal_err_J_per_m3=r.reversal_barrier_err_J / V,
                Ms_A_per_m=r.Ms_A_per_m, Ms_err_A_per_m=r.Ms_err_A_per_m, n_minima=len(r.minima),
                sweeps=rec["protocol"]["landscape"]["sweeps"], D_rigid_J_per_m3=D.tolist(),
                shape_Q_J_per_m3=(D * r.m_reduced ** 2).tolist(), neel_sites=m.info["neel"]["sites"],
                covariance_J2=[[float(f"{x:.4g}") for x in c] for c in np.asarray(r.covariance_J2)],
                stored_reversal_J_per_m3=row.key_value_pairs["landscape_reversal_barrier_J"] / V, **dipolar_share(r),
                cpu_s=_cpu_s() - c0, wall_s=time.perf_counter() - t0, load_avg=os.getloadavg()[0],
                commit=_commit()))
            print(key, f"{r.reversal_barrier_J / V:.0f} J/m3", f"{time.perf_counter() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    part = sys.argv[1]
    if part == "size":
        part_size(sys.argv[2], sys.argv[3:])
    elif part == "size_nodip":
        part_size(sys.argv[2], sys.argv[3:], dipolar=False)
    elif part in ("defects", "defects_no_neel", "defects_dipolar"):  # KIND[,KIND...] SEED[,SEED...]: every kind
        for sd in sys.argv[3].split(","):                                  # for seed 1, then 2 ...
            for kd in sys.argv[2].split(","):
                part_defects(kd, sd, variant=dict(defects="full", defects_no_neel="no_neel",
                                                  defects_dipolar="dipolar")[part])
    elif part in ("heating_no_neel", "heating_dipolar"):  # DB VARIANT[,VARIANT...] SEED[,SEED...]
        part_heating_no_neel(sys.argv[2], sys.argv[3].split(","), sys.argv[4].split(","),
                             neel=part == "heating_dipolar")
    elif part == "heating_parts":  # DB VARIANT[,VARIANT...]
        part_heating_parts(sys.argv[2], sys.argv[3].split(","))
    elif part == "sensitivity":
        part_sensitivity(sys.argv[2])
    elif part == "rescaling":
        part_rescaling()
    elif part == "deadlayer":
        part_deadlayer()
    elif part == "shapetensors":
        part_shapetensors(*(sys.argv[2:3] + [sys.argv[3:]]))
    elif part == "crosscheck":
        part_crosscheck(sys.argv[2], sys.argv[3:])
    elif part == "plot":
        sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
        from landscape_plots import plot_all  # docs/landscape_plots.py

        plot_all(OUT)
    else:
        raise SystemExit(__doc__)
