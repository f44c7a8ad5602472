"""Defects and heating study (issue #15; docs/validation.md "Defects and heating", notebook 05).

Which defects raise or lower the SAR of magnetite particles that heat, by how much, and why. Each point is one
particle realisation: structure (defect builders of :mod:`atomspin.structures`) → ``SpinModel.from_atoms`` (the
defaults: dipolar, Néel surface/defect anisotropy, temperature rescaling) → ``measure.anisotropy_landscape`` at
body temperature → ``sar.particle_from_measurements`` → ``sar.sar_from_particle``. The landscapes (the costly
part) are stored, with the fitted surface coefficients and their covariance, in
``docs/figures/defects_heating/landscapes.json`` (one row per point, keyed; a point already there is skipped, so
that the study can be split over several invocations and resumed); everything after it (SAR, ratios,
decomposition, sensitivity, maps, figures) is recomputed from the stored rows in seconds.

    python docs/make_defects_heating.py run D KIND SEED [VARIANT [SHAPE]]   # one landscape point (SHAPE: to)
    python docs/make_defects_heating.py plan NAME [i/n]             # a named list of points (see PLANS)
    python docs/make_defects_heating.py db [DB]                     # the CLI sweep's ase.db → sweep_12nm.json
    python docs/make_defects_heating.py analyse                     # SAR, ratios, decomposition → results.json
    python docs/make_defects_heating.py plot                        # figures from results.json
    python docs/make_defects_heating.py table [A|B|C] [MEDIUM] [SHAPE]   # the markdown table of validation §8
    python docs/make_defects_heating.py draws DB [COMMITTED]        # SAR errors by the scale rule and by surfaces
                                                                    # drawn from the stored fit covariance (§8j)

The 12 nm slice at the `atomspin demo` particle (a truncated octahedron, TO, 18.5 nm vertex to vertex = 12.1 nm
equivalent sphere) runs as one CLI Dask sweep of ``structures/recipes/defects_heating_12nm.toml``
(``atomspin sweep … --db results/defects_heating_12nm.db --workers 2``); ``db`` extracts its landscapes and SAR
into the committed ``docs/figures/defects_heating/sweep_12nm.json`` (the database itself is not committed), which
``analyse`` reads with the driver's own rows. Recipe variants → kinds: vacf05/vacf10/vacf20 (random B sites,
Fe²⁺ removed first: the add_vacancies default the batch step uses), vacshell10f, apb1c (through the centre).
``plan to12`` adds TO variants (two APBs, FeO core, Zn) with its protocol, one process per point; the recipe schema
now expresses them, and ``structures/recipes/defects_heating_12nm_more.toml`` runs them (with random-site
vacancies and both media) as one CLI sweep, summarised by ``docs/make_defects_heating_more.py``.

KIND: perfect | vac10 (random δ = 0.10 B-site vacancies, charge-compensated) | vac20 | vacord10 (Fe2+ removed
first, i.e. on the ordered Verwey Fe2+ sublattice of the builder) | vacshell10 (δ = 0.10 in a 1 nm surface shell,
Lappas et al. 2019) | apb1 (one (110) APB near the centre) | apb2 (two parallel (110) APBs) | feo (FeO core of
0.4 D) | zn10 (Zn0.1Fe2.9O4 on A sites).
VARIANT (sensitivity): default | ks_lo | ks_hi (surface constant K_s over the documented range) | japb_lo |
japb_hi (J across APBs, BB180, over the documented range); damping α is a SAR-level parameter (analyse).
"""
import json
import pathlib
import sys
import time

import numpy as np

from atomspin.units import K_B

OUT = pathlib.Path(__file__).resolve().parent / "figures" / "defects_heating"
LANDSCAPES = OUT / "landscapes.json"
RESULTS = OUT / "results.json"
T_BODY = 310.0  # K, body temperature
ROOT = pathlib.Path(__file__).resolve().parents[1]
#: the 12 nm slice as one CLI Dask sweep (atomspin sweep RECIPE_12NM --db SWEEP_DB --workers 2); the database is
#: not committed (*.db is ignored), its summary SWEEP_SUMMARY is (`python docs/make_defects_heating.py db`)
RECIPE_12NM = ROOT / "structures" / "recipes" / "defects_heating_12nm.toml"
SWEEP_DB = ROOT / "results" / "defects_heating_12nm.db"
SWEEP_SUMMARY = OUT / "sweep_12nm.json"
#: the demo particle (atomspin/batch/defaults.py): truncated octahedron, 18.5 nm vertex to vertex; its equivalent-
#: sphere diameter 12.1 nm (derived there from the volume of the shape) is the D_nm of its rows
TO_VERTEX_NM = 18.5
TO_EQUIVALENT_NM = 12.1
#: recipe variant → study kind (random B-site vacancies in the recipe remove Fe²⁺ first, the add_vacancies default)
SWEEP_KINDS = {"defect-free": "perfect", "vacancies-0.05": "vacf05", "vacancies-0.10": "vacf10",
               "vacancies-0.20": "vacf20", "vacancy-shell-0.10": "vacshell10f", "APB-centre": "apb1c"}


def protocol(n_spins):
    """Constrained-MC sweeps (sampled, equilibration, thermalisation) per direction: fewer for large particles,
    whose torque (∝ N) is larger relative to its thermal noise (∝ √N)."""
    if n_spins < 8000:
        return 600, 150, 300
    if n_spins < 30000:
        return 300, 75, 200
    return 200, 50, 150


def load_rows(path=LANDSCAPES):
    path = pathlib.Path(path)
    return json.loads(path.read_text()) if path.exists() else []


def _save(row, path=LANDSCAPES):
    import fcntl

    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:  # several plan processes may write the same file
        fcntl.flock(lock, fcntl.LOCK_EX)
        rows = [r for r in load_rows(path) if r["key"] != row["key"]] + [row]
        tmp = path.with_suffix(f".{time.time_ns()}.tmp")
        tmp.write_text(json.dumps(rows, indent=1))
        tmp.replace(path)


def point_key(D, kind, seed, variant="default", shape="sphere"):
    """The row key of one point: ``shape`` "sphere" (no prefix), "to" (the truncated octahedron) or any other
    builder shape name (its own prefix)."""
    pre = {"sphere": "", "to": "to-", "truncated_octahedron": "to-"}.get(shape, f"{shape}-")
    return f"{pre}{kind}-{float(D):g}nm-{variant}-s{int(seed)}"


def to_equivalent_diameter_nm(vertex_nm, truncation=2.0 / 3.0):
    """Equivalent-sphere diameter (nm) of the truncated octahedron of ``vertex_nm`` vertex to vertex (derived:
    from the shape's volume, atomspin.structures.shapes.volume_A3; 18.5 → 12.1 nm, 24.4 → 16.0 nm)."""
    from atomspin.structures.shapes import volume_A3

    v = volume_A3({"kind": "truncated_octahedron", "vertex_A": 5.0 * vertex_nm, "half_A": 5.0 * truncation * vertex_nm})
    return float((6.0 * v / np.pi) ** (1.0 / 3.0) / 10.0)


def row_geometry(structure, V_m3):
    """(key shape, shape name, size_nm, D_nm) of a sweep row from its recipe's ``structure`` table: a truncated
    octahedron is keyed "to" with its equivalent diameter from the shape (one decimal, as the studies label it);
    any other shape keeps its own name, with the equivalent diameter of its magnetic volume ``V_m3`` (m³)."""
    shape = structure.get("shape", "sphere")
    size = float(structure["diameter_nm"])
    if shape == "truncated_octahedron":
        return "to", shape, size, round(to_equivalent_diameter_nm(size), 1)
    if shape == "sphere":
        return "sphere", shape, size, size
    return shape, shape, size, round(float((6.0 * V_m3 / np.pi) ** (1.0 / 3.0) * 1e9), 2)


def build_structure(D, kind, seed, shape="sphere"):
    """The particle of one point: a magnetite sphere of diameter D (nm), or (shape "to") the demo's truncated
    octahedron of D nm vertex to vertex, with the defect KIND (seeded). Defect geometry (APB offsets, FeO core)
    scales with the equivalent-sphere diameter."""
    from atomspin import structures as S

    seed = int(seed)
    if shape == "sphere":
        p = S.build_particle("Fe3O4", "sphere", diameter_nm=float(D), seed=seed)
    elif shape == "to":
        p = S.build_particle("Fe3O4", "truncated_octahedron", diameter_nm=float(D), seed=seed)
        D = TO_EQUIVALENT_NM * float(D) / TO_VERTEX_NM
    else:
        raise ValueError(f"shape: {shape!r} is not 'sphere' or 'to'")
    c = np.asarray(json.loads(p.info["shape"])["center_A"])
    n110 = np.array([1.0, 1.0, 0.0]) / np.sqrt(2.0)
    rng = np.random.default_rng(seed)
    if kind == "perfect":
        return p
    if kind in ("vac10", "vac20"):
        return S.add_vacancies(p, delta=int(kind[3:]) / 100, removal="random", seed=seed)
    if kind in ("vacf05", "vacf10", "vacf20"):  # the batch recipe's vacancies (Fe²⁺ first, random sites)
        return S.add_vacancies(p, delta=int(kind[4:]) / 100, removal="fe2_first", seed=seed)
    if kind == "vacord10":
        return S.add_vacancies(p, delta=0.10, removal="fe2_first", seed=seed)
    if kind == "vacshell10":
        return S.add_vacancies(p, delta=0.10, mode="radial", shell_nm=1.0, removal="random", seed=seed)
    if kind == "apb1":  # plane within ±D/8 of the centre
        off = rng.uniform(-1.0, 1.0) * 10 * D / 8
        return S.insert_apb(p, plane=(1, 1, 0), point=c + off * n110, seed=seed)
    if kind == "apb2":  # two parallel planes at ±D/4 (± D/16)
        for off in (-10 * D / 4 + rng.uniform(-1, 1) * 10 * D / 16, 10 * D / 4 + rng.uniform(-1, 1) * 10 * D / 16):
            p = S.insert_apb(p, plane=(1, 1, 0), point=c + off * n110, seed=seed)
        return p
    if kind == "feo":
        return S.core_shell(p, 0.4 * float(D), seed=seed)
    if kind == "zn10":
        return S.dope(p, "Zn", 0.10, site="A", seed=seed)
    raise ValueError(f"kind: unknown defect kind {kind!r}")


def build_model(atoms, variant="default"):
    """SpinModel.from_atoms with the defaults, or one uncertain parameter at an end of its documented range
    (:func:`atomspin.model.parameters.parameter_ranges`)."""
    from atomspin.model import SpinModel
    from atomspin.model.anisotropy import neel_ks_from_surface_constant
    from atomspin.model.parameters import load_parameter_set, parameter_ranges

    rng = parameter_ranges("magnetite")
    kw, value = {}, None
    if variant in ("ks_lo", "ks_hi"):
        value = rng["K_s_J_per_m2"][0 if variant == "ks_lo" else 2]
        kw["neel_ks_meV"] = neel_ks_from_surface_constant(value)
    elif variant in ("japb_lo", "japb_hi"):
        lo, mid, hi = rng["BB180"]
        value = lo if variant == "japb_lo" else hi  # literature convention, meV (strongest, weakest AFM)
        pset = load_parameter_set("magnetite")
        J = float(pset.unit_coupling("BB180", np.array([4.5]), np.array([4.5]))[0]) * value / pset.exchange["BB180"]
        kw["overrides"] = {"BB180": J}
    elif variant != "default":
        raise ValueError(f"variant: unknown {variant!r}")
    return SpinModel.from_atoms(atoms, **kw), value


def recipe_protocol(recipe=RECIPE_12NM):
    """(sampled, equilibration, thermalisation) sweeps and the landscape options of the 12 nm recipe: the study's
    truncated-octahedron points outside the recipe (two APBs, FeO core, Zn) run with exactly its protocol."""
    import tomllib

    s = tomllib.loads(pathlib.Path(recipe).read_text())["protocol"]["landscape"]
    return (s["sweeps"], s["equilibration_sweeps"], s["thermalisation_sweeps"]), dict(
        n_directions=s["n_directions"], observe_every=s["observe_every"])


def run_point(D, kind, seed, variant="default", path=LANDSCAPES, sweeps=None, T=T_BODY, shape="sphere"):
    """Measure one landscape point and store it (skipped if its key is already stored). Returns the row.
    ``shape`` "to": the demo's truncated octahedron of D nm vertex to vertex, with the 12 nm recipe's protocol."""
    from atomspin.measure import anisotropy_landscape

    key = point_key(D, kind, seed, variant, shape)
    for r in load_rows(path):
        if r["key"] == key:
            return r
    t0 = time.perf_counter()
    atoms = build_structure(D, kind, seed, shape)
    m, value = build_model(atoms, variant)
    t_model = time.perf_counter() - t0
    opts = {}
    if shape == "to" and sweeps is None:
        sweeps, opts = recipe_protocol()
    sw, eq, th = protocol(m.n) if sweeps is None else sweeps
    r = anisotropy_landscape(m, T, sweeps=sw, equilibration_sweeps=eq, thermalisation_sweeps=th, seed=int(seed),
                             **opts)
    term = r.surface.terms[0]
    birge = max(1.0, float(np.sqrt(r.chi2_per_dof))) if np.isfinite(r.chi2_per_dof) else 1.0
    D_row = float(D) if shape == "sphere" else round(TO_EQUIVALENT_NM * float(D) / TO_VERTEX_NM, 3)
    row = dict(key=key, D_nm=D_row, shape="sphere" if shape == "sphere" else "truncated_octahedron",
               size_nm=float(D), kind=kind, seed=int(seed), variant=variant, variant_value=value,
               n_spins=int(m.n), n_fe=int(sum(1 for s in atoms.get_chemical_symbols() if s == "Fe")),
               T_K=float(r.T_K), V_m3=float(r.volume_m3), Ms_A_per_m=float(r.Ms_A_per_m),
               Ms_err_A_per_m=float(r.Ms_err_A_per_m), m_reduced=float(r.m_reduced),
               barrier_J=float(r.barrier_J),
               # the fit's error: its covariance carries max(χ²/dof, 1) already (rows written before 2026-11-30
               # 15:00 UTC multiplied truncated octahedra's by the Birge ratio a second time)
               barrier_err_J=float(r.barrier_err_J),
               barrier_err_fit_J=float(r.barrier_err_J), birge=birge,
               barrier_over_kT=float(r.barrier_over_kT), n_minima=int(len(r.minima)), n_saddles=int(len(r.saddles)),
               minima=np.asarray(r.minima).tolist(),
               K1_J_per_m3=float(r.fit.K1_J_per_m3), K1_err_J_per_m3=float(r.fit.K1_err_J_per_m3),
               Ku_J_per_m3=float(r.fit.Ku_J_per_m3), Ku_err_J_per_m3=float(r.fit.Ku_err_J_per_m3),
               Ku_meaning=r.fit.Ku_meaning,  # what the fit's Ku is (measure._sphere_fit.KU_MEANINGS)
               chi2_per_dof=float(r.chi2_per_dof), n_eff_min=float(r.n_eff_min), degree=int(r.degree),
               exponents=np.asarray(term.exponents).tolist(),
               coefficients_J_per_m3=np.asarray(term.coefficients).tolist(),
               covariance_J2=None if r.covariance_J2 is None else np.asarray(r.covariance_J2).tolist(),
               sweeps=[sw, eq, th], model_s=t_model, landscape_s=float(time.perf_counter() - t0 - t_model),
               elapsed_s=float(time.perf_counter() - t0))
    _save(row, path)
    print(key, f"Ms={row['Ms_A_per_m']:.4g} A/m", f"ΔE/kT={row['barrier_over_kT']:.3f}",
          f"minima={row['n_minima']}", f"{row['elapsed_s']:.0f} s", flush=True)
    return row



def _sar_cell(k, medium, suffix):
    """The SAR the sweep's sar step computed for one medium (row keys of one medium or of several)."""
    tag = "" if suffix is None else f"{suffix}_"
    sar = k.get(f"SAR_{tag}W_per_g")
    if sar is None:
        return None
    model = k.get("sar_model")
    if suffix is not None and isinstance(model, str) and f"{suffix}:" in model:  # "immobilised: x; water: y"
        model = model.split(f"{suffix}:")[1].split(";")[0].strip()
    return dict(f_Hz=float(k["sar_f_Hz"]), H0_A_per_m=float(k["sar_H0_A_per_m"]), medium=medium, sar=float(sar),
                err=float(k.get(f"SAR_{tag}W_per_g_err", float("nan"))), model=model, reason=k.get("sar_reason"),
                ilp=float(k.get(f"ILP_{tag}nHm2_per_kg", float("nan"))),
                ilp_err=float(k.get(f"ILP_{tag}nHm2_per_kg_err", float("nan"))))


def _uniaxial_cells(k, data, dipolar):
    """Uniaxial fields of a summary row from a database row (``steps.landscape.stored_uniaxial``): ``Ku_J_per_m3``
    / ``Ku_err_J_per_m3`` the fit's remainder as stored and ``Ku_meaning`` what it is ("onsite" for rows with the
    measured dipolar share, "beyond_rigid" for earlier rows of a dipolar model, "total" without a dipolar term);
    ``Ku_l2_J_per_m3`` / ``Ku_l2_axis`` the uniaxial part of the whole degree-2 landscape (every row, same meaning);
    ``Ku_onsite_J_per_m3`` / ``Ku_dipolar_J_per_m3`` where the dipolar share was measured."""
    from atomspin.batch.steps.landscape import stored_uniaxial

    u = stored_uniaxial(k, {"landscape": data}, dipolar=bool(dipolar))
    out = dict(Ku_J_per_m3=u["fit_Ku_J_per_m3"], Ku_err_J_per_m3=u["fit_Ku_err_J_per_m3"], Ku_meaning=u["fit_Ku_meaning"])
    if u["Ku_l2_J_per_m3"] is not None:
        out.update(Ku_l2_J_per_m3=u["Ku_l2_J_per_m3"], Ku_l2_axis=np.asarray(u["axis_l2"]).tolist())
    if u["Ku_onsite_J_per_m3"] is not None:
        out.update(Ku_onsite_J_per_m3=u["Ku_onsite_J_per_m3"], Ku_dipolar_J_per_m3=u["Ku_dipolar_J_per_m3"])
    return out


def db_row(store, r, kinds=None):
    """One row of a CLI sweep's database (landscape + sar steps) in the format of landscapes.json, or None
    (no landscape). ``sar_sweep``: the SAR the sweep computed immobilised (one medium: ``SAR_W_per_g``; several:
    ``SAR_immobilised_W_per_g``); ``sar_sweep_water``: in water, when the recipe had that medium."""
    from atomspin.measure import _sphere_fit as sf

    k = r.key_value_pairs
    if "landscape_barrier_J" not in k:
        return None
    data = store.arrays(r).get("landscape", {})
    V = float(k["landscape_volume_m3"])
    kind = (SWEEP_KINDS if kinds is None else kinds).get(k["variant"], k["variant"])
    imm = _sar_cell(k, "immobilised", None) or _sar_cell(k, "immobilised", "immobilised")
    water = _sar_cell(k, "water", "water")
    recipe = json.loads(r.data["recipe_json"])
    key_shape, shape, size_nm, D_nm = row_geometry(recipe["structure"], V)
    row = dict(key=point_key(size_nm, kind, k["seed"], shape=key_shape), D_nm=D_nm,
               shape=shape, size_nm=size_nm, kind=kind, seed=int(k["seed"]),
               variant="default", variant_value=None, source="sweep", recipe_variant=k["variant"],
               n_spins=int(k["landscape_n_spins"]), n_fe=int(k["n_magnetic"]), T_K=float(k["T_K"]), V_m3=V,
               Ms_A_per_m=float(k["landscape_Ms_A_per_m"]), Ms_err_A_per_m=float(k["landscape_Ms_err_A_per_m"]),
               m_reduced=float(k["landscape_m_reduced"]), barrier_J=float(k["barrier_J"]),
               # the fit's own error (its covariance carries χ²/dof): a database row written before 2026-11-30
               # 15:00 UTC stored barrier_J_err with the Birge ratio applied once more
               barrier_err_J=float(k["landscape_barrier_err_J"]),
               barrier_err_fit_J=float(k["landscape_barrier_err_J"]),
               birge=float(k["landscape_barrier_err_birge"]), barrier_over_kT=float(k["barrier_over_kT"]),
               barrier_over_kT_err=float(k["landscape_barrier_err_J"]) / (K_B * float(k["T_K"])),
               n_minima=int(k["n_minima"]), n_saddles=int(k["n_saddles"]),
               K1_J_per_m3=float(k["landscape_fit_K1_J_per_m3"]),
               K1_err_J_per_m3=float(k["landscape_fit_K1_err_J_per_m3"]),
               # the fit's Ku as stored, with what it is (its meaning changed when the dipolar share began to be
               # measured), and the uniaxial part of the whole degree-2 landscape, which means the same in every row
               **_uniaxial_cells(k, data, recipe["model"]["dipolar"]),
               chi2_per_dof=float(k["landscape_chi2_per_dof"]), n_eff_min=float(k["landscape_n_eff_min"]),
               degree=int(k["landscape_degree"]),
               exponents=np.asarray(sf.exponents(int(k["landscape_degree"]))).tolist(),
               coefficients_J_per_m3=(np.asarray(data["coefficients_J"]) / V).tolist(),
               # the fit covariance of coefficients_J (J², already × max(χ²/dof, 1)), rows stored since it is kept
               covariance_J2=(np.asarray(data["covariance_J2"]).tolist() if data.get("covariance_J2") is not None
                              else None),
               F_J=np.asarray(data["F_J"]).tolist(), F_err_J=np.asarray(data["F_err_J"]).tolist(),
               sweeps=[int(k["landscape_sweeps"]), int(k["landscape_equilibration_sweeps"]),
                       int(recipe["protocol"]["landscape"]["thermalisation_sweeps"])],
               elapsed_s=float(k["walltime_s"]), net_moment_T0_muB=float(k.get("s_net_moment_muB", float("nan"))),
               sar_sweep=imm)
    if water is not None:
        row["sar_sweep_water"] = water
    return row


def sweep_rows(db):
    """(row, key-value pairs, recipe) of every landscape row of a CLI sweep's database ``db``: :func:`db_row` (recipe
    variant names as kinds) with the fields every study summary adds — the recipe's vacancy mode, the landscape's
    refresh windows, the sar step's reason and code version, the write time (Unix s) and the task hash."""
    from ase.db.core import T2000, YEAR

    from atomspin.batch.store import ResultStore

    store = ResultStore(str(db), mode="r")
    for r in store.rows():  # checksum-verified rows; large arrays live in the store's side .npz files
        row = db_row(store, r, kinds={})
        if row is None:
            continue
        k = r.key_value_pairs
        rec = json.loads(r.data["recipe_json"])
        row.update(vacancy_mode=rec["defects"]["vacancies"]["mode"],
                   refresh_windows_min=float(k.get("landscape_refresh_windows_min", float("nan"))),
                   sar_reason=k.get("sar_reason"), written_unix_s=T2000 + YEAR * float(r.ctime),
                   sar_code_version=k.get("sar_code_version"), task_hash=store.task_hash(r))
        yield row, k, rec


def extract_db(db=SWEEP_DB, out=SWEEP_SUMMARY, log=None):
    """The small, committed summary of the CLI sweep's ase.db: one landscape row per task in the format of
    landscapes.json (surface coefficients rebuilt from the stored ``coefficients_J``; the row keeps no covariance,
    so the barrier error is the step's Birge-inflated fit error), the SAR the sweep computed (immobilised, the
    recipe's drive, the model ``sar_from_particle`` picked) and the sweep's task count and wall time (from the
    log the sweep wrote, ``results/sweep12.log``, if there)."""
    import re

    from atomspin.batch.store import ResultStore

    rows = []
    store = ResultStore(str(db), mode="r")
    for r in store.rows():  # checksum-verified rows; large arrays live in the store's side .npz files
        row = db_row(store, r)
        if row is not None:
            rows.append(row)
    rows.sort(key=lambda r: r["key"])
    meta = dict(recipe=str(RECIPE_12NM.relative_to(ROOT)), n_tasks=len(rows),
                command=f"atomspin sweep {RECIPE_12NM.relative_to(ROOT)} --db {pathlib.Path(db).name} --workers 2")
    log = pathlib.Path(log) if log else ROOT / "results" / "sweep12.log"
    if log.exists():
        txt = log.read_text()
        m = re.search(r"(\d+) written, (\d+) already done, (\d+) failed in ([\d.]+) s", txt)
        if m:
            meta.update(written=int(m[1]), already_done=int(m[2]), failed=int(m[3]), sweep_wall_s=float(m[4]))
        for lab, pat in (("user_cpu_s", r"User time \(seconds\): ([\d.]+)"),
                         ("system_cpu_s", r"System time \(seconds\): ([\d.]+)"),
                         ("max_rss_kB", r"Maximum resident set size \(kbytes\): (\d+)")):
            m = re.search(pat, txt)
            if m:
                meta[lab] = float(m[1])
    meta["task_walltime_s"] = [r["elapsed_s"] for r in rows]
    _write(out, dict(meta=meta, rows=rows))
    return meta, rows


def load_sweep_rows(path=SWEEP_SUMMARY):
    path = pathlib.Path(path)
    return json.loads(path.read_text())["rows"] if path.exists() else []


# ---------------------------------------------------------------------------------------------------- analysis
PAIRS = (
    # (label, f Hz, H0 A/m, why). B is the package's clinical default drive (protocol.sar of the batch schema; its
    # source, Maier-Hauff et al., J. Neurooncol. 103, 317 (2011): trial confirmed, its 100 kHz / 2.5-18 kA/m not); H·f limits of
    # Brezovich (4.85e8 A m⁻¹ s⁻¹) and Hergt & Dutz (5e9) as atomspin.sar.BREZOVICH_LIMIT / HERGT_DUTZ_LIMIT.
    ("A", 1.0e5, 4.0e3, "100 kHz, 4 kA/m: H·f = 4.0e8, below the Brezovich limit"),
    ("B", 1.0e5, 15.0e3, "100 kHz, 15 kA/m: H·f = 1.5e9, the package's clinical default, below Hergt–Dutz"),
    ("C", 3.0e5, 15.0e3, "300 kHz, 15 kA/m: H·f = 4.5e9, just below the Hergt–Dutz limit"),
)
ALPHAS = (0.03, 0.1, 0.5)  # Gilbert damping inside the range of atomspin.sar.ALPHA_DEFAULT's docstring (0.01 film –
# 0.76 NP); 0.01 is left out for cost only (the stochastic-LLG τ costs ∝ 1/α at low barriers)
N_DRAWS = 8  # surfaces drawn from the fit covariance per realisation (fit-error propagation)


def surface_of(row, scale=1.0):
    """The measured anisotropy surface F/V (J/m³) of a stored row (optionally scaled)."""
    from atomspin import macrospin as ms

    return ms.EnergySurface([ms.HarmonicExpansion(np.asarray(row["exponents"]),
                                                  scale * np.asarray(row["coefficients_J_per_m3"]))])


def surface_draws(row, n, seed=0):
    """n surfaces F/V (J/m³) drawn from the row's Gaussian fit covariance (``covariance_J2``, J², rows stored since
    it is kept) with the sar step's own function (``batch.steps.sar.draw_surfaces``); [] without a covariance."""
    from atomspin.batch.steps.sar import draw_surfaces

    if row.get("covariance_J2") is None or n == 0:
        return []
    return draw_surfaces(surface_of(row), row["covariance_J2"], row["V_m3"], n, seed)


def particle(row, *, Ms=None, V=None, surface=None, alpha=None, D_nm=None):
    """sar.Particle of a row (measured Ms, volume, surface at T_BODY), with optional swaps; ``D_nm`` rescales the
    volume to a sphere of that diameter keeping the energy densities (size extrapolation)."""
    from atomspin import sar

    if D_nm is not None:
        V = np.pi / 6 * (D_nm * 1e-9) ** 3
    kw = {} if alpha is None else dict(alpha=alpha)
    return sar.Particle(Ms_A_per_m=row["Ms_A_per_m"] if Ms is None else Ms, volume_m3=row["V_m3"] if V is None else V,
                        T_K=row["T_K"], landscape=surface_of(row) if surface is None else surface, **kw)


def sar_of(p, f, H0, medium=None, model="auto", seed=1):
    """SAR (W/g) of a Particle from :func:`atomspin.sar.sar_from_particle`, its standard error and the model."""
    from atomspin import sar

    r = sar.sar_from_particle(p, f=f, H0=H0, medium=medium, model=model, seed=seed, n_orientations=12,
                              n_particles=16, allow_nonclinical=True)
    return float(r.sar_W_per_g), float(getattr(r, "sar_err_W_per_g", 0.0) or 0.0), r.model


TAU_PARTICLES = 64  # stochastic-LLG members of the zero-field relaxation time (as sar.exact_linear_response)


def tau_neel(p, seed=1):
    """Zero-field Néel relaxation time (s) and its standard error: :func:`atomspin.sar.relaxation_time` (Langer/Brown
    rates for barriers ≥ 4 k_BT, else stochastic LLG of the macrospin with TAU_PARTICLES members, seeded: the
    swapped particles of the decomposition use the same seed, so that their differences are correlated)."""
    from atomspin.sar.macrospin_llg import llg_relaxation_time
    from atomspin.sar.rates import SIGMA_CROSSOVER, check_landscape, rates_relaxation_time

    _, t = check_landscape(p)
    sig = float(np.min(t.barriers_J(p.volume_m3))) / p.kT_J if t.nsad else np.inf
    if sig >= SIGMA_CROSSOVER:
        return float(rates_relaxation_time(p)), 0.0
    tau, err = llg_relaxation_time(p, seed=seed, n_particles=TAU_PARTICLES)
    return float(tau), float(err)


def linear_sar(p, tauN, f, H0, medium=None):
    """SAR (W/g) of the exact linear response for random easy axes, given τ_N (the formula of
    :func:`atomspin.sar.heating.exact_linear_response`: χ'' = (μ0Ms²V/3k_BT) ωτ/(1+ω²τ²), τ⁻¹ = τ_N⁻¹ + τ_B⁻¹,
    P = μ0 π f χ'' H0², SAR = P/ρ); valid for ξ = μ0MsH0V/k_BT ≲ 1."""
    tauB = np.inf if medium is None else medium.brown_time_s(p)
    tau = 1.0 / (1.0 / tauN + 1.0 / tauB)
    chi = 4e-7 * np.pi * p.Ms_A_per_m ** 2 * p.volume_m3 / p.kT_J / 3.0
    wt = 2 * np.pi * f * tau
    power = 4e-7 * np.pi * np.pi * chi * H0 ** 2 * f * wt / (1 + wt * wt)
    return float(power / p.density_kg_per_m3 / 1000.0)  # W/kg → W/g


def _mean_err(values, errs):
    """Mean over realisations and its error: the larger of the standard error of the mean (n ≥ 2) and the
    propagated per-realisation error divided by √n."""
    v, e = np.asarray(values, float), np.asarray(errs, float)
    n = len(v)
    prop = np.sqrt(np.sum(e ** 2)) / n
    sem = v.std(ddof=1) / np.sqrt(n) if n > 1 else 0.0
    return float(v.mean()), float(max(prop, sem))


def groups(rows, variant="default"):
    out = {}
    for r in rows:
        if r["variant"] == variant:
            out.setdefault((r["D_nm"], r["kind"]), []).append(r)
    return {k: sorted(v, key=lambda r: r["seed"]) for k, v in sorted(out.items())}


def _cached(cache, key, fn):
    if key not in cache:
        t0 = time.perf_counter()
        cache[key] = fn()
        cache[key + "|wall_s"] = time.perf_counter() - t0
    return cache[key]


def realisation_taus(row, cache, alpha=None):
    """τ_N of a realisation (s, ± stat. error) and τ_N with the surface raised by its 1σ barrier error (same seed):
    the fit error of the barrier, propagated."""
    def run():
        p = particle(row, alpha=alpha)
        t, te = tau_neel(p)
        rel = row["barrier_err_J"] / row["barrier_J"] if row["barrier_J"] > 0 else 0.0
        t_up, _ = tau_neel(particle(row, surface=surface_of(row, 1 + rel), alpha=alpha))
        return [t, te, t_up]
    return _cached(cache, f"tau|{row['key']}|{alpha}", run)


def realisation_sar(row, f, H0, medium, cache, model="linear"):
    """SAR (W/g) of one realisation and its error (τ statistics ⊕ fit-propagated barrier error ⊕ 3 δMs/Ms)."""
    t, te, t_up = realisation_taus(row, cache)
    p = particle(row)
    s = linear_sar(p, t, f, H0, medium)
    s_up = linear_sar(p, t_up, f, H0, medium)
    s_te = linear_sar(p, t + te, f, H0, medium)
    rel = np.sqrt(((s_up - s) / s) ** 2 + ((s_te - s) / s) ** 2 + (2 * row["Ms_err_A_per_m"] / row["Ms_A_per_m"]) ** 2)
    out = dict(sar=s, err=float(rel * s), model="linear", fit_rel_err=float(abs(s_up - s) / s),
               xi=4e-7 * np.pi * p.Ms_A_per_m * H0 * p.volume_m3 / p.kT_J)
    sw = row.get("sar_sweep") or {}
    if model == "auto" and medium is None and sw.get("f_Hz") == f and sw.get("H0_A_per_m") == H0:
        # computed by the CLI sweep's sar step (same model choice; its error: barrier and Ms errors propagated)
        out.update(sar=sw["sar"], err=sw["err"], model=sw["model"])
    elif model == "auto":  # the nonlinear model sar_from_particle picks; its error scaled from the linear one
        key = f"auto|{row['key']}|{f:g}|{H0:g}|{'water' if medium is not None else 'immobilised'}"
        sa, se, used = _cached(cache, key, lambda: list(sar_of(p, f, H0, medium, "auto")))
        out.update(sar=sa, err=float(np.hypot(se, rel * sa)), model=used)
    return out


def exact_sar(p, f, H0):
    """SAR (W/g), immobilised, random axes, from the model ``atomspin.sar`` picks for the particle: the exact
    Fokker–Planck solution below 6 k_BT, the master equation over the minima above (validation §7)."""
    from atomspin import sar

    return float(sar.sar_from_particle(p, f=f, H0=H0, seed=1, allow_nonclinical=True).sar_W_per_g)


def decompose(row, ref_rows, f, H0, cache):
    """ΔSAR of a defect realisation relative to the defect-free reference: the
    landscape of ``ref_rows[0]`` (its first realisation) at the mean Ms of ``ref_rows`` (a path needs one
    landscape; the reference's own seed spread is not in the result). Split along the path
    reference → (Ms of the defect) → (barrier height of the defect, reference landscape shape) → (the defect's own
    landscape), each step with the SAR model ``atomspin.sar`` picks (:func:`exact_sar`, immobilised; until
    2026-11-30 the exact linear response, which overstates low-barrier SARs). Also: the dead-layer representation
    (the defect's moment carried by a smaller core at the reference Ms, same total barrier energy). Returns W/g
    contributions."""
    Ms0 = float(np.mean([r["Ms_A_per_m"] for r in ref_rows]))
    ref = ref_rows[0]
    bd = row["barrier_J"] / row["V_m3"]
    scale = bd / (ref["barrier_J"] / ref["V_m3"]) if ref["barrier_J"] > 0 else 1.0
    frac = row["Ms_A_per_m"] / Ms0  # moment fraction kept

    def s(p, tag, key=None):
        return _cached(cache, f"dec-exact|{key or row['key']}|{ref['key']}|{tag}|{f:g}|{H0:g}",
                       lambda: exact_sar(p, f, H0))

    s0 = s(particle(ref, Ms=Ms0), "ref")
    s_ms = s(particle(ref, Ms=row["Ms_A_per_m"]), "ms")
    s_bar = s(particle(ref, Ms=row["Ms_A_per_m"], surface=surface_of(ref, scale)), "barrier")
    s_d = s(particle(row), "defect")
    s_dead = s(particle(row, Ms=Ms0, V=row["V_m3"] * frac, surface=surface_of(row, 1 / frac)), "dead")
    d_eff = 0.5 * row["D_nm"] * (1 - frac ** (1 / 3))
    return dict(sar_ref=s0, sar_defect=s_d, dMs=s_ms - s0, dBarrier=s_bar - s_ms, dShape=s_d - s_bar,
                dead_layer_nm=d_eff, dDeadLayer=s_dead - s_d, barrier_ref_J_per_m3=ref["barrier_J"] / ref["V_m3"],
                barrier_J_per_m3=bd, n_minima_ref=ref["n_minima"], n_minima=row["n_minima"])


def analyse(path=LANDSCAPES, out=RESULTS, headline_pair="B", auto_min_D=12.0, decompose_seeds=(1,),
            sweep_path=SWEEP_SUMMARY, water_auto_shapes=("sphere",), auto_pairs_to=("B",)):
    """SAR, ratios, verdicts, decomposition, sensitivity and maps from the stored landscapes (the driver's own
    rows and those extracted from the CLI sweep's database) → results.json.

    Every realisation gets the exact linear response at the three drives (immobilised and in water); realisations
    of D ≥ ``auto_min_D`` also get the model :func:`atomspin.sar.sar_from_particle` picks (nonlinear where
    ξ > 1) at the headline drive, immobilised (rows of the sweep: the value its sar step stored) and, for the
    shapes in ``water_auto_shapes``, in water."""
    from atomspin import sar

    t_start = time.perf_counter()
    rows = load_rows(path) + load_sweep_rows(sweep_path)
    prev = json.loads(pathlib.Path(out).read_text()) if pathlib.Path(out).exists() else {}
    cache = prev.get("cache", {})
    media = {"immobilised": None, "water": sar.Medium.water()}
    G = groups(rows)
    table = []
    for (D, kind), rs in G.items():
        ent = dict(D_nm=D, kind=kind, n_real=len(rs), n_spins=rs[0]["n_spins"], shape=rs[0].get("shape", "sphere"),
                   source=rs[0].get("source", "driver"), seeds=[r["seed"] for r in rs],
                   landscape_wall_s=[r["elapsed_s"] for r in rs], chi2_per_dof=[r["chi2_per_dof"] for r in rs],
                   barrier_over_kT_each=[r["barrier_over_kT"] for r in rs],
                   Ms_each_A_per_m=[r["Ms_A_per_m"] for r in rs])
        ent["Ms_A_per_m"], ent["Ms_err_A_per_m"] = _mean_err([r["Ms_A_per_m"] for r in rs],
                                                             [r["Ms_err_A_per_m"] for r in rs])
        kT = 1.380649e-23 * rs[0]["T_K"]
        ent["barrier_over_kT"], ent["barrier_err_over_kT"] = _mean_err([r["barrier_J"] / kT for r in rs],
                                                                       [r["barrier_err_J"] / kT for r in rs])
        ent["n_minima"] = [r["n_minima"] for r in rs]
        ent["tau_N_s"] = [realisation_taus(r, cache)[0] for r in rs]
        ent["K1_J_per_m3"], ent["K1_err_J_per_m3"] = _mean_err([r["K1_J_per_m3"] for r in rs],
                                                               [r["K1_err_J_per_m3"] for r in rs])
        for label, f, H0, _ in PAIRS:
            for mname, med in media.items():
                for model in ("linear", "auto"):
                    is_to = rs[0].get("shape", "sphere") != "sphere"
                    if model == "auto" and not ((label == headline_pair or (is_to and label in auto_pairs_to))
                                                and D >= auto_min_D):
                        continue
                    if model == "auto" and mname == "water" and rs[0].get("shape", "sphere") not in water_auto_shapes:
                        continue
                    vals = [realisation_sar(r, f, H0, med, cache, model) for r in rs]
                    m, e = _mean_err([v["sar"] for v in vals], [v["err"] for v in vals])
                    ent[f"sar_{label}_{mname}" + ("_auto" if model == "auto" else "")] = dict(
                        sar=m, err=e, models=sorted({v["model"] for v in vals}), values=[v["sar"] for v in vals],
                        xi=float(np.mean([v["xi"] for v in vals])))
        table.append(ent)
        _write(out, dict(prev, cache=cache))
        print("analysed", D, kind, flush=True)
    # ratios to defect-free at the same size
    byk = {(e["D_nm"], e["kind"]): e for e in table}
    for e in table:
        ref = byk.get((e["D_nm"], "perfect"))
        for k in [k for k in e if k.startswith("sar_")]:
            if ref is None or k not in ref or e["kind"] == "perfect":
                continue
            a, b = e[k], ref[k]
            r = a["sar"] / b["sar"]
            err = r * np.hypot(a["err"] / a["sar"], b["err"] / b["sar"])
            a.update(ratio=r, ratio_err=err, resolved=bool(abs(r - 1) > 2 * err),
                     verdict=("raises" if r > 1 else "lowers") if abs(r - 1) > 2 * err else "not resolved at 2σ")
    # decomposition (drive A, exact linear response, immobilised)
    dec = []
    fA, HA = PAIRS[0][1], PAIRS[0][2]
    for (D, kind), rs in G.items():
        if kind == "perfect" or (D, "perfect") not in G:
            continue
        parts = [decompose(r, G[(D, "perfect")], fA, HA, cache) for r in rs if r["seed"] in decompose_seeds]
        if not parts:
            continue
        row = dict(D_nm=D, kind=kind, n_real=len(parts))
        for k in parts[0]:
            v = [p[k] for p in parts]
            row[k] = float(np.mean(v))
            row[k + "_sem"] = float(np.std(v, ddof=1) / np.sqrt(len(v))) if len(v) > 1 else None
        dec.append(row)
        _write(out, dict(prev, cache=cache))
        print("decomposed", D, kind, flush=True)
    # sensitivity: the defect/defect-free SAR ratio (drive A, immobilised, linear) at each end of a parameter range
    sens = []
    for variant in ("ks_lo", "ks_hi", "japb_lo", "japb_hi"):
        Gv = groups(rows, variant)
        for (D, kind), rs in Gv.items():
            if kind == "perfect":
                continue
            # reference: the defect-free particle at the same parameter value where measured, else the default
            # one (J_BB180 has no bond in a perfect spinel; the Néel term leaves a sphere's barrier unchanged within
            # errors at 6–12 nm, validation §3b) — recorded as reference_variant
            ref_rs = Gv.get((D, "perfect")) or G.get((D, "perfect"))
            if not ref_rs:
                continue
            s = linear_sar(particle(rs[0]), realisation_taus(rs[0], cache)[0], fA, HA)
            s0 = linear_sar(particle(ref_rs[0]), realisation_taus(ref_rs[0], cache)[0], fA, HA)
            sens.append(dict(parameter=variant, value=rs[0]["variant_value"], D_nm=D, kind=kind, ratio=s / s0,
                             barrier_over_kT=rs[0]["barrier_over_kT"], barrier_ref_over_kT=ref_rs[0]["barrier_over_kT"],
                             Ms=rs[0]["Ms_A_per_m"], Ms_ref=ref_rs[0]["Ms_A_per_m"],
                             reference_variant=ref_rs[0]["variant"]))
    for a in ALPHAS:
        for (D, kind), rs in G.items():
            if D != 8.0 or kind not in ("apb1", "vac10") or (D, "perfect") not in G:
                continue
            r, r0 = rs[0], G[(D, "perfect")][0]
            t = _cached(cache, f"alpha|{r['key']}|{a}", lambda: tau_neel(particle(r, alpha=a))[0])
            t0 = _cached(cache, f"alpha|{r0['key']}|{a}", lambda: tau_neel(particle(r0, alpha=a))[0])
            s = linear_sar(particle(r, alpha=a), t, fA, HA)
            s0 = linear_sar(particle(r0, alpha=a), t0, fA, HA)
            sens.append(dict(parameter="alpha", value=a, D_nm=D, kind=kind, ratio=float(s / s0)))
            _write(out, dict(prev, cache=cache))
    # maps: SAR(kind, D) per drive, exact linear response, energy densities of the largest measured size
    sizes = [8.0, 10.0, 12.0, 15.0, 20.0, 25.0]
    largest = {}
    for (D, kind), rs in G.items():
        if rs[0].get("shape", "sphere") == "sphere" and D >= largest.get(kind, (0, None))[0]:
            largest[kind] = (D, rs)
    kinds = sorted(largest, key=lambda k: (k != "perfect", k))
    taus = {}
    for k in kinds:
        r = largest[k][1][0]
        for D in sizes:
            taus[(k, D)] = _cached(cache, f"map|{r['key']}|{D:g}", lambda: tau_neel(particle(r, D_nm=D))[0])
        _write(out, dict(prev, cache=cache))
    maps = {}
    for label, f, H0, why in PAIRS:
        M = np.zeros((len(sizes), len(kinds)))
        XI = np.zeros_like(M)
        for j, k in enumerate(kinds):
            r = largest[k][1][0]
            for i, D in enumerate(sizes):
                p = particle(r, D_nm=D)
                M[i, j] = linear_sar(p, taus[(k, D)], f, H0)
                XI[i, j] = 4e-7 * np.pi * p.Ms_A_per_m * H0 * p.volume_m3 / p.kT_J
        maps[label] = dict(f_Hz=f, H0_A_per_m=H0, why=why, Hf=f * H0, sizes_nm=sizes, kinds=kinds,
                           source_D_nm=[largest[k][0] for k in kinds], sar=M.tolist(), xi=XI.tolist())
    res = dict(pairs=[dict(label=l, f_Hz=f, H0_A_per_m=h, why=w) for l, f, h, w in PAIRS], T_K=T_BODY,
               headline_pair=headline_pair, table=table, decomposition=dec, sensitivity=sens, maps=maps,
               analyse_wall_s=time.perf_counter() - t_start, cache=cache)
    _write(out, res)
    return res


LABELS = {"perfect": "defect-free", "vac10": "vacancies δ=0.10 (random)", "vac20": "vacancies δ=0.20 (random)",
          "vacord10": "vacancies δ=0.10 (Fe²⁺ first)", "vacshell10": "vacancy-rich 1 nm shell (δ=0.10)",
          "apb1": "one (110) APB", "apb2": "two (110) APBs", "feo": "FeO core (0.4 D)", "zn10": "Zn₀.₁Fe₂.₉O₄ (A site)",
          "vacf05": "vacancies δ=0.05 (Fe²⁺ first)", "vacf10": "vacancies δ=0.10 (Fe²⁺ first)",
          "vacf20": "vacancies δ=0.20 (Fe²⁺ first)", "vacshell10f": "vacancy-rich 1 nm shell (δ=0.10, Fe²⁺ first)",
          "apb1c": "one (110) APB (centre)"}
#: columns of the measured SAR(defect content, size) map: kinds of the same defect content at different sizes
#: (the truncated octahedra of the CLI sweep remove Fe²⁺ first, the 8 nm spheres random B Fe; the 12.1 nm APB is
#: through the centre, the 8/12 nm sphere APBs within ±D/8 of it)
FAMILIES = (("defect-free", ("perfect",)), ("vacancies\nδ = 0.05", ("vacf05",)),
            ("vacancies\nδ = 0.10", ("vac10", "vacf10")), ("vacancies\nδ = 0.20", ("vac20", "vacf20")),
            ("vacancy-rich\n1 nm shell", ("vacshell10", "vacshell10f")), ("one (110)\nAPB", ("apb1", "apb1c")),
            ("two (110)\nAPBs", ("apb2",)), ("FeO core\n0.4 D", ("feo",)), ("Zn₀.₁Fe₂.₉O₄", ("zn10",)))


def size_label(e):
    return f"{e['D_nm']:g} nm TO" if e.get("shape", "sphere") != "sphere" else f"{e['D_nm']:g} nm sphere"


def measured_sar(e, drive, headline):
    """(SAR, err, ratio, ratio_err, verdict, model) of a table entry at a drive, immobilised: at the headline drive
    the model sar_from_particle picks (valid where ξ > 1) where it was computed, else the exact linear response."""
    v = e.get(f"sar_{drive}_immobilised_auto") if drive == headline else None
    v = v or e.get(f"sar_{drive}_immobilised")
    if v is None:
        return None
    return (v["sar"], v["err"], v.get("ratio", 1.0), v.get("ratio_err", 0.0), v.get("verdict", "reference"),
            "/".join(v["models"]))


def plot_measured_map(res, out):
    """SAR(defect content, size) from the measured landscapes only (no extrapolation), immobilised, at each drive:
    colour = SAR, text = SAR and the ratio to the defect-free particle of the same size with its error."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.colors
    import matplotlib.pyplot as plt

    from atomspin import sar

    table = res["table"]
    sizes = sorted({(e["D_nm"], e.get("shape", "sphere")) for e in table})
    fig, axs = plt.subplots(len(res["pairs"]), 1, figsize=(12, 3.0 * len(res["pairs"]) + 0.6))
    for ax, pair in zip(np.atleast_1d(axs), res["pairs"]):
        lab = pair["label"]
        M = np.full((len(sizes), len(FAMILIES)), np.nan)
        txt = {}
        for i, (D, shape) in enumerate(sizes):
            for j, (_, kinds) in enumerate(FAMILIES):
                es = [e for e in table if e["D_nm"] == D and e.get("shape", "sphere") == shape and e["kind"] in kinds]
                if not es:
                    continue
                es.sort(key=lambda e: -e["n_real"])  # the study's realisations, not a one-realisation control
                v = measured_sar(es[0], lab, res["headline_pair"])
                if v is None:
                    continue
                M[i, j] = v[0]
                rt = "" if es[0]["kind"] == "perfect" else f"\n×{v[2]:.2g}±{v[3]:.1g}" + (
                    "" if v[4].startswith("not") else (" ↑" if v[2] > 1 else " ↓"))
                txt[(i, j)] = f"{v[0]:.2g}±{v[1]:.1g}{rt}\n(n={es[0]['n_real']})"
        ok = M[np.isfinite(M)]
        im = ax.imshow(np.ma.masked_invalid(M), aspect="auto", cmap="viridis", origin="lower",
                       norm=matplotlib.colors.LogNorm(vmin=max(ok.min(), 1e-4), vmax=ok.max()))
        for (i, j), s in txt.items():
            ax.text(j, i, s, ha="center", va="center", fontsize=6.5, color="w" if M[i, j] < np.sqrt(ok.min() * ok.max())
                    else "k")
        ax.set_xticks(range(len(FAMILIES)))
        ax.set_xticklabels([f[0] for f in FAMILIES], fontsize=7)
        ax.set_yticks(range(len(sizes)))
        ax.set_yticklabels([size_label(dict(D_nm=D, shape=s)) for D, s in sizes], fontsize=8)
        fig.colorbar(im, ax=ax, label="SAR (W/g), immobilised", pad=0.01)
        hf = pair["f_Hz"] * pair["H0_A_per_m"]
        lim = ("below the Brezovich limit" if hf <= sar.BREZOVICH_LIMIT else
               "above Brezovich, below Hergt–Dutz" if hf <= sar.HERGT_DUTZ_LIMIT else "above Hergt–Dutz")
        model = ("the model sar_from_particle picks where computed (≥ 12 nm), else the exact linear response"
                 if lab == res["headline_pair"] else "exact linear response")
        ax.set_title(f"drive {lab}: {pair['f_Hz'] / 1e3:g} kHz, {pair['H0_A_per_m'] / 1e3:g} kA/m, H0·f = {hf:.2g} "
                     f"A/(m s) ({lim}); {model}", fontsize=8)
    fig.suptitle("Measured SAR(defect content, size) at 310 K: SAR ± error, ×ratio to defect-free of the same size "
                 "± error, ↑/↓ resolved at 2σ, n realisations (blank: not measured)\nTO vacancies: random B sites, Fe²⁺ "
                 "removed first (ordered); sphere vacancies: random B Fe; TO APB through the centre", fontsize=9)
    fig.tight_layout()
    f = pathlib.Path(out) / "sar_measured_map.png"
    fig.savefig(f, dpi=110)
    plt.close(fig)
    return f


def _sl(D):
    return f"{D:g} nm TO" if D == TO_EQUIVALENT_NM else f"{D:g} nm sphere"


def plot(res=None, out=OUT, sweep_path=SWEEP_SUMMARY):
    """Figures of docs/validation.md "Defects and heating" from results.json (no recomputation)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.patches
    import matplotlib.pyplot as plt

    from atomspin import sar

    res = json.loads(RESULTS.read_text()) if res is None else res
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    table = res["table"]
    pair = {p["label"]: p for p in res["pairs"]}
    hp = res["headline_pair"]
    files = []

    # 1. Ms and barrier per variant and size
    fig, axs = plt.subplots(1, 2, figsize=(11, 4.2))
    kinds = sorted({e["kind"] for e in table}, key=lambda k: (k != "perfect", k))
    sizes = sorted({e["D_nm"] for e in table})
    w = 0.8 / len(sizes)
    for i, D in enumerate(sizes):
        es = {e["kind"]: e for e in table if e["D_nm"] == D}
        x = [j + (i - (len(sizes) - 1) / 2) * w for j, k in enumerate(kinds) if k in es]
        ks = [k for k in kinds if k in es]
        n = [es[k]["n_real"] for k in ks]
        axs[0].errorbar(x, [es[k]["Ms_A_per_m"] / 1e3 for k in ks], yerr=[es[k]["Ms_err_A_per_m"] / 1e3 for k in ks],
                        fmt="o", capsize=3, label=f"{_sl(D)} (realisations: {min(n)}–{max(n)})")
        axs[1].errorbar(x, [es[k]["barrier_over_kT"] for k in ks], yerr=[es[k]["barrier_err_over_kT"] for k in ks],
                        fmt="o", capsize=3, label=_sl(D))
    for ax, yl in zip(axs, ("saturation magnetisation Ms at 310 K (kA/m)", "lowest escape barrier ΔE / k_BT at 310 K")):
        ax.set_xticks(range(len(kinds)))
        ax.set_xticklabels([LABELS.get(k, k) for k in kinds], rotation=35, ha="right", fontsize=8)
        ax.set_ylabel(yl)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    axs[1].set_yscale("log")
    fig.suptitle("Magnetite spheres and the 12.1 nm truncated octahedron (TO) at 310 K: what each defect does to Ms and to the barrier (mean ± error)")
    fig.tight_layout()
    files.append(out / "ms_barrier.png")
    fig.savefig(files[-1], dpi=110)
    plt.close(fig)

    # 2. SAR ratio to defect-free
    fig, axs = plt.subplots(1, 2, figsize=(11, 4.4), sharey=True)
    for ax, (lab, medium) in zip(axs, (("A", "immobilised"), (hp, "immobilised"))):
        for i, D in enumerate(sizes):
            es = [e for e in table if e["D_nm"] == D and e["kind"] != "perfect" and "ratio" in e.get(f"sar_{lab}_{medium}", {})]
            for m_i, med in enumerate(("immobilised", "water")):
                key = f"sar_{lab}_{med}"
                xs = [kinds.index(e["kind"]) + (i - (len(sizes) - 1) / 2) * w + (m_i - 0.5) * w / 2.5 for e in es if key in e]
                ys = [e[key]["ratio"] for e in es if key in e]
                yerr = [e[key]["ratio_err"] for e in es if key in e]
                if xs:
                    ax.errorbar(xs, ys, yerr=yerr, fmt="o" if med == "immobilised" else "s", capsize=3,
                                mfc="none" if med == "water" else None, label=f"{_sl(D)}, {med}")
        ax.axhline(1.0, color="k", lw=0.8)
        ax.set_xticks(range(len(kinds)))
        ax.set_xticklabels([LABELS.get(k, k) for k in kinds], rotation=35, ha="right", fontsize=8)
        ax.set_yscale("log")
        ax.grid(alpha=0.3, which="both")
        p = pair[lab]
        ax.set_title(f"f = {p['f_Hz'] / 1e3:g} kHz, H0 = {p['H0_A_per_m'] / 1e3:g} kA/m", fontsize=10)
        ax.legend(fontsize=7)
    axs[0].set_ylabel("SAR / SAR(defect-free, same size)  (± 1σ)")
    fig.suptitle("Do defects raise or lower heating? Ratio to the defect-free particle at 310 K")
    fig.tight_layout()
    files.append(out / "sar_ratio.png")
    fig.savefig(files[-1], dpi=110)
    plt.close(fig)

    # 3. decomposition
    dec = res["decomposition"]
    if dec:
        fig, ax = plt.subplots(figsize=(10, 4.4))
        labels = [f"{LABELS.get(d['kind'], d['kind'])}\n{d['D_nm']:g} nm" for d in dec]
        x = np.arange(len(dec))
        parts = (("dMs", "ΔMs (reference landscape)"), ("dBarrier", "barrier height (reference shape)"),
                 ("dShape", "landscape shape (minima, anisotropy field)"))
        pos, neg = np.zeros(len(dec)), np.zeros(len(dec))
        for key, lab in parts:
            v = np.array([100 * d[key] / d["sar_ref"] for d in dec])
            e = np.array([100 * (d[key + "_sem"] or 0) / d["sar_ref"] for d in dec])
            bottom = np.where(v >= 0, pos, neg)
            ax.bar(x, v, 0.6, bottom=bottom, label=lab, yerr=e, capsize=2)
            pos, neg = pos + np.clip(v, 0, None), neg + np.clip(v, None, 0)
        tot = np.array([100 * (d["sar_defect"] / d["sar_ref"] - 1) for d in dec])
        ax.plot(x, tot, "k*", ms=10, label="total ΔSAR")
        dl = np.array([100 * d["dDeadLayer"] / d["sar_ref"] for d in dec])
        ax.plot(x, tot + dl, "rx", ms=8, label="total if the lost moment were a dead shell")
        ax.set_yscale("symlog", linthresh=10)
        ax.axhline(0, color="k", lw=0.8)
        ax.set_xticks(x)
        ax.set_xticklabels(labels, fontsize=7, rotation=30, ha="right")
        p = pair["A"]
        ax.set_ylabel("ΔSAR relative to defect-free (%)")
        ax.set_title(f"Decomposition of ΔSAR (exact linear response, immobilised, {p['f_Hz'] / 1e3:g} kHz, "
                     f"{p['H0_A_per_m'] / 1e3:g} kA/m, 310 K)", fontsize=10)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        files.append(out / "decomposition.png")
        fig.savefig(files[-1], dpi=110)
        plt.close(fig)

    # 4. SAR(kind, D) maps at the three drives
    maps = res["maps"]
    fig, axs = plt.subplots(1, len(maps), figsize=(5.2 * len(maps), 4.6))
    for ax, (lab, mp) in zip(np.atleast_1d(axs), maps.items()):
        M = np.asarray(mp["sar"])
        XI = np.asarray(mp["xi"])
        im = ax.pcolormesh(np.arange(len(mp["kinds"]) + 1) - 0.5, _edges(mp["sizes_nm"]), M,
                           norm=matplotlib.colors.LogNorm(vmin=max(M.min(), 1e-3), vmax=M.max()), cmap="inferno")
        ye = _edges(mp["sizes_nm"])
        for i in range(XI.shape[0]):
            for j in range(XI.shape[1]):
                if XI[i, j] > 1:
                    ax.add_patch(matplotlib.patches.Rectangle((j - 0.5, ye[i]), 1.0, ye[i + 1] - ye[i], fill=False,
                                                              hatch="//", lw=0, color="0.6"))
        fig.colorbar(im, ax=ax, label="SAR (W/g of magnetite)")
        ax.set_xticks(range(len(mp["kinds"])))
        ax.set_xticklabels([LABELS.get(k, k) for k in mp["kinds"]], rotation=40, ha="right", fontsize=7)
        ax.set_ylabel("particle diameter (nm)")
        lim = ("below Brezovich" if mp["Hf"] <= sar.BREZOVICH_LIMIT else
               "above Brezovich, below Hergt–Dutz" if mp["Hf"] <= sar.HERGT_DUTZ_LIMIT else "above Hergt–Dutz")
        ax.set_title(f"{mp['f_Hz'] / 1e3:g} kHz, {mp['H0_A_per_m'] / 1e3:g} kA/m (H·f = {mp['Hf']:.2g}: {lim})",
                     fontsize=9)
    fig.suptitle("SAR(defect, size), immobilised, exact linear response with the measured landscapes (energy "
                 "densities of the largest measured size, volume scaled); hatched: ξ = μ0MsH0V/k_BT > 1 (linear "
                 "response not valid); black: SAR < 1e-3 W/g (blocked, ωτ ≫ 1)", fontsize=8)
    fig.tight_layout()
    files.append(out / "sar_defect_size_map.png")
    fig.savefig(files[-1], dpi=110)
    plt.close(fig)

    files.append(plot_measured_map(res, out))

    # 5. SAR(f, H0) of the largest defect-free particle with the limits and the three drives
    ref = [e for e in table if e["kind"] == "perfect"]
    if ref:
        D = max(e["D_nm"] for e in ref)
        row = [r for r in load_rows() + load_sweep_rows(sweep_path)
               if r["kind"] == "perfect" and r["D_nm"] == D and r["variant"] == "default"][0]
        fv, hv = np.geomspace(5e4, 1e6, 14), np.geomspace(2e3, 3e4, 12)
        p0 = particle(row)
        tau = res["cache"].get(f"tau|{row['key']}|None", [tau_neel(p0)[0]])[0]  # τ_N does not depend on the drive
        S = np.array([[linear_sar(p0, tau, f, h) for f in fv] for h in hv])
        fig = sar.plot_sar_map(fv, hv, S)
        ax = fig.axes[0]
        for p in res["pairs"]:
            ax.plot(p["f_Hz"] / 1e3, p["H0_A_per_m"] / 1e3, "c*", ms=14, mec="k")  # the helper's axes: kHz, kA/m
            ax.annotate(p["label"], (p["f_Hz"] / 1e3, p["H0_A_per_m"] / 1e3), xytext=(6, 6), textcoords="offset points",
                        color="c", fontsize=12)
        H1 = 1.380649e-23 * p0.T_K / (4e-7 * np.pi * p0.Ms_A_per_m * p0.volume_m3)  # ξ = 1
        ax.axhline(H1 / 1e3, color="w", ls=":", lw=1)
        ax.set_title(f"Defect-free {_sl(D)}, 310 K, immobilised, exact linear response (valid below the dotted "
                     f"line, ξ = 1 at {H1 / 1e3:.1f} kA/m); drives A–C", fontsize=8)
        files.append(out / "sar_fH_map.png")
        fig.savefig(files[-1], dpi=110)
        plt.close(fig)

    # 6. sensitivity
    sens = res["sensitivity"]
    if sens:
        fig, ax = plt.subplots(figsize=(8, 4))
        names = sorted({(s["parameter"], s["kind"], s["D_nm"]) for s in sens})
        base = {(e["kind"], e["D_nm"]): e.get("sar_A_immobilised", {}).get("ratio") for e in table}
        for i, (par, kind, D) in enumerate(names):
            ss = [s for s in sens if (s["parameter"], s["kind"], s["D_nm"]) == (par, kind, D)]
            ax.plot([i] * len(ss), [s["ratio"] for s in ss], "o", color="C0")
            for s in ss:
                ax.annotate(f"{s['value']:g}", (i, s["ratio"]), xytext=(5, 0), textcoords="offset points", fontsize=6)
            if base.get((kind, D)):
                ax.plot(i, base[(kind, D)], "k_", ms=14)
        ax.axhline(1, color="k", lw=0.8)
        ax.set_yscale("log")
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels([f"{p}\n{LABELS.get(k, k)} {D:g} nm" for p, k, D in names], fontsize=6, rotation=30,
                           ha="right")
        ax.set_ylabel("SAR / SAR(defect-free)  (drive A, immobilised)")
        ax.set_title("Sensitivity of the ratio to K_s, J across APBs (BB180) and damping α (— : default)", fontsize=9)
        ax.grid(alpha=0.3, which="both")
        fig.tight_layout()
        files.append(out / "sensitivity.png")
        fig.savefig(files[-1], dpi=110)
        plt.close(fig)
    return files


def _edges(c):
    c = np.asarray(c, float)
    m = (c[1:] + c[:-1]) / 2
    return np.concatenate([[c[0] - (m[0] - c[0])], m, [c[-1] + (c[-1] - m[-1])]])



def markdown_table(res=None, drive=None, medium="immobilised", shape=None):
    """The answer as a markdown table (docs/validation.md): variant, size, realisations, Ms, barrier/k_BT, SAR ± err,
    ratio to defect-free ± err, verdict, at one drive and medium."""
    res = json.loads(RESULTS.read_text()) if res is None else res
    drive = drive or "A"
    lines = ["| variant | particle | n | Ms (kA/m) | ΔE/k_BT | minima | τ_N (ns) | SAR (W/g) | ratio to defect-free | verdict |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for e in sorted(res["table"], key=lambda e: (e["D_nm"], e["kind"] != "perfect", e["kind"])):
        if shape is not None and e.get("shape", "sphere") != shape:
            continue
        for key in (f"sar_{drive}_{medium}", f"sar_{drive}_{medium}_auto"):
            v = e.get(key)
            if v is None:
                continue
            ratio = "1 (reference)" if e["kind"] == "perfect" else f"{v['ratio']:.3g} ± {v['ratio_err']:.2g}"
            lines.append(f"| {LABELS.get(e['kind'], e['kind'])}{' (' + '/'.join(v['models']) + ')' if key.endswith('auto') else ''} "
                         f"| {_sl(e['D_nm'])} | {e['n_real']} | {e['Ms_A_per_m'] / 1e3:.1f} ± {e['Ms_err_A_per_m'] / 1e3:.1f} "
                         f"| {e['barrier_over_kT']:.3g} ± {e['barrier_err_over_kT']:.2g} | {'/'.join(map(str, e['n_minima']))} "
                         f"| {np.mean(e['tau_N_s']) * 1e9:.3g} | {v['sar']:.3g} ± {v['err']:.2g} | {ratio} "
                         f"| {v.get('verdict', '—')} |")
    return "\n".join(lines)


def _write(path, obj):
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(obj, indent=1, default=float))
    tmp.replace(path)



PLANS = {
    # 12 nm: the three headline variants, two realisations each
    "d12": [(12, k, s) for s in (1, 2) for k in ("perfect", "apb1", "vac10")],
    # 8 nm: all defect kinds, then the sensitivity variants
    "d8": ([(8, k, 1) for k in ("perfect", "apb1", "vac10", "apb2", "vacshell10", "feo", "zn10")]
           + [(8, k, 1, v) for k, v in (("apb1", "japb_lo"), ("apb1", "japb_hi"), ("apb1", "ks_lo"), ("apb1", "ks_hi"),
                                        ("perfect", "ks_lo"), ("perfect", "ks_hi"))]
           + [(8, k, s) for s in (2, 3, 4) for k in ("perfect", "apb1", "vac10")]
           + [(8, k, 1) for k in ("vac20", "vacord10")]),
    # the demo particle (12.1 nm truncated octahedron) variants the recipe schema cannot express, 4 seeds, with the
    # protocol of structures/recipes/defects_heating_12nm.toml (seed-major: a cut-short run stays balanced)
    "to12": [dict(D=TO_VERTEX_NM, kind=k, seed=s, shape="to") for s in (1, 2, 3, 4) for k in ("apb2", "feo", "zn10")],
}


# ---------------------------------------------------------------------------------------------------- rescore
def once_inflated_barrier_error(r):
    """Set the row's barrier error (``barrier_err_J``, ``barrier_over_kT_err``) to the landscape fit's own error
    ``barrier_err_fit_J``, whose covariance already carries max(χ²/dof, 1). Rows written before 2026-11-30
    15:00 UTC multiplied it by the Birge ratio once more; their value is kept as ``barrier_err_J_previous``.
    Idempotent; a row without ``barrier_err_fit_J`` is left as it is. Returns the row."""
    fit = r.get("barrier_err_fit_J")
    if fit is None or r.get("barrier_err_J") == fit:
        return r
    r["barrier_err_J_previous"] = r.get("barrier_err_J")
    r["barrier_err_J"] = float(fit)
    r["barrier_over_kT_err"] = float(fit) / (K_B * float(r["T_K"]))
    return r


def with_ku_l2(r):
    """Add to a summary row the uniaxial part of its whole degree-2 landscape, ``Ku_l2_J_per_m3`` (J/m³; the same
    meaning in every row, whatever the fit's remainder ``Ku_J_per_m3`` means) and ``Ku_l2_axis``, from its stored
    coefficients (``coefficients_J_per_m3``, ``degree``): what ``steps.landscape.stored_uniaxial`` gives for a
    database row. Rows that have it, or lack the coefficients, are left as they are. Returns the row."""
    from atomspin.measure import _sphere_fit as sf

    if "Ku_l2_J_per_m3" in r or "coefficients_J_per_m3" not in r or "degree" not in r:
        return r
    ku, ax, _ = sf.uniaxial_part(sf.l2_of(np.asarray(r["coefficients_J_per_m3"], dtype=np.float64), int(r["degree"])))
    r.update(Ku_l2_J_per_m3=float(ku), Ku_l2_axis=np.asarray(ax, dtype=float).tolist())
    return r


def rescore_rows(path, recipe_of):
    """Recompute the sweeps' SAR columns (``sar_sweep``, ``sar_sweep_water``) of every row of the summary json
    ``path`` from its stored landscape with the current code: the sar step's own function
    (``atomspin.batch.steps.sar.landscape_sar``) with the row's measured surface, Ms, volume, errors and the
    step's seed (``derived_seed(seed, "sar")``), and the drive, media, model and orientations of its recipe.
    The committed json is the record of a study (its database is not kept), so a change of the SAR model or its
    error rule is applied here, and the row's barrier error is set to the fit's own
    (:func:`once_inflated_barrier_error`). Rows already at the current ``sar_code_version`` are skipped and the file
    is written after each row (an interrupted run resumes). ``recipe_of(row)`` → the path of the row's recipe."""
    import time

    from atomspin.batch.context import derived_seed
    from atomspin.batch.recipe import load_recipe
    from atomspin.batch.schema import validate_recipe
    from atomspin.batch.steps import sar as step

    data = json.loads(path.read_text())
    version = step.code_version()
    for r in data["rows"]:
        once_inflated_barrier_error(r)  # every row, also those whose SAR columns are current
        with_ku_l2(r)
        if r.get("sar_code_version") == version or "sar_sweep" not in r:
            continue
        sp = validate_recipe(load_recipe(recipe_of(r)))["base"]["protocol"][step.NAME]  # defaults filled
        media = list(sp["media"])
        t0 = time.process_time()
        values, reports = step.landscape_sar(particle(r), f=float(sp["f_Hz"]), H0=float(sp["H0_A_per_m"]),
                                             media=media, model=sp["model"], n_orientations=int(sp["n_orientations"]),
                                             seed=derived_seed(int(r["seed"]), step.NAME),
                                             # the fit's error (its covariance carries χ²/dof); barrier_err_J of
                                             # rows written before 2026-11-30 15:00 UTC carries the Birge ratio twice
                                             barrier_err_J=float(r["barrier_err_fit_J"]),
                                             Ms_err_A_per_m=float(r["Ms_err_A_per_m"]))
        for m, cell in (("immobilised", "sar_sweep"), ("water", "sar_sweep_water")):
            if m not in media:
                continue
            sk, ik = step._keys(m, len(media) > 1)
            old = r.get(cell) or {}
            r[cell] = dict(old, f_Hz=float(sp["f_Hz"]), H0_A_per_m=float(sp["H0_A_per_m"]), medium=m,
                           sar=values[sk], err=values[f"{sk}_err"], model=reports[m].model,
                           reason=values["sar_reason"], ilp=values[ik], ilp_err=values[f"{ik}_err"])
            r[cell]["previous"] = {k: old.get(k) for k in ("sar", "err")}
        r.update(sar_code_version=version, sar_scale_rel_err=values["sar_scale_rel_err"],
                 sar_reason=values["sar_reason"], sar_rescore_cpu_s=time.process_time() - t0)
        print(path.name, r.get("key"), {c: (round(r[c]["sar"], 4), round(r[c]["err"], 4), r[c]["previous"])
                                        for c in ("sar_sweep", "sar_sweep_water") if c in r}, flush=True)
        path.write_text(json.dumps(data, indent=1, default=float))
    path.write_text(json.dumps(data, indent=1, default=float))  # the per-row corrections of current rows too
    return data


# ------------------------------------------------------------------------------ landscape-shape error (draws)
DRAWS_CALIBRATION = OUT / "draws_calibration_20nm.json"
DRAWS_RECIPE_20NM = ROOT / "structures" / "recipes" / "defects_heating_20nm.toml"


def draws_errors(db, out=DRAWS_CALIBRATION, recipe=DRAWS_RECIPE_20NM, n_draws=6, committed=None, seeds=None,
                 cov_factor=1.0):
    """The SAR errors of the rows of a sweep database by the scale rule (as the sweep's sar step stored them) and by
    surfaces drawn from the stored fit covariance (``protocol.sar.landscape_draws``; the nominal SAR must come back
    as stored), with the sar step's own function (``landscape_sar``), the row's
    measured surface, Ms, volume and errors, the step's seed and the drive, media and model of ``recipe``. Rows
    whose task is in the ``committed`` summary json (the same recipe, variant and seed) are checked against it: the
    barrier, Ms and SAR must come back as committed (the landscape Monte Carlo is reproducible). Writes ``out``
    (one entry per row, resumable; ``seeds``: only the rows of these seeds; ``cov_factor``: the covariance is
    multiplied by it, recorded per row) and returns it."""
    import time

    from atomspin.batch.context import derived_seed
    from atomspin.batch.recipe import load_recipe
    from atomspin.batch.schema import validate_recipe
    from atomspin.batch.steps import sar as step
    from atomspin.batch.store import ResultStore

    sp = validate_recipe(load_recipe(recipe))["base"]["protocol"][step.NAME]
    media = list(sp["media"])
    old = {(r["recipe_variant"], int(r["seed"])): r for r in (json.loads(pathlib.Path(committed).read_text())["rows"]
                                                               if committed else [])}
    data = json.loads(pathlib.Path(out).read_text()) if pathlib.Path(out).exists() else {"rows": []}
    done = {(r["variant"], r["seed"]) for r in data["rows"]}
    store = ResultStore(str(db), mode="r")
    for dbr in store.rows():
        row = db_row(store, dbr)
        if row is None or (row["recipe_variant"], row["seed"]) in done or (seeds and row["seed"] not in seeds):
            continue
        if row["covariance_J2"] is None:
            raise ValueError(f"{db}: row {row['key']} has no covariance_J2 (stored before it was kept)")
        seed = derived_seed(int(row["seed"]), step.NAME)
        common = dict(f=float(sp["f_Hz"]), H0=float(sp["H0_A_per_m"]), media=media, model=sp["model"],
                      n_orientations=int(sp["n_orientations"]), seed=seed, Ms_err_A_per_m=float(row["Ms_err_A_per_m"]))
        # the scale rule's errors are the row's own (the sweep's sar step, same function and seed)
        cells = {"immobilised": row.get("sar_sweep"), "water": row.get("sar_sweep_water")}
        t1 = time.process_time()
        cov = np.asarray(row["covariance_J2"]) * cov_factor  # the fit's (× χ²/dof already), as the step uses it
        drawn, _ = step.landscape_sar(particle(row), barrier_err_J=float(row["barrier_err_J"]), covariance_J2=cov,
                                      n_draws=n_draws, **common)
        entry = dict(variant=row["recipe_variant"], seed=int(row["seed"]), barrier_J=row["barrier_J"],
                     barrier_over_kT=row["barrier_over_kT"], Ms_A_per_m=row["Ms_A_per_m"], birge=row["birge"],
                     chi2_per_dof=row["chi2_per_dof"], scale_rel_err=drawn["sar_scale_rel_err"], n_draws=n_draws,
                     draws_refused=drawn["sar_draws_refused"], cpu_s_draws=time.process_time() - t1,
                     cov_factor=float(cov_factor))
        # the rule error the sweep (or `atomspin rescore`) stored: with the Birge ratio once if its relative scale
        # error is the one recomputed here from the fit's own barrier error, else twice (SAR steps before
        # 2026-11-30 15:00 UTC; their rows lack sar_scale_rel_err or hold the Birge-inflated one)
        stored_rel = dbr.key_value_pairs.get("sar_scale_rel_err")
        entry["birge_in_rule"] = 1 if stored_rel is not None and np.isclose(
            float(stored_rel), drawn["sar_scale_rel_err"], rtol=1e-6) else 2
        for m in media:
            sk, _ = step._keys(m, len(media) > 1)
            # same code path; rows written before the Fokker–Planck speed-up differ in the last digits (≤ 1e-13)
            if not np.isclose(drawn[sk], cells[m]["sar"], rtol=1e-9, atol=0.0):
                raise RuntimeError(f"{row['key']} {m}: SAR {drawn[sk]!r} here, {cells[m]['sar']!r} in the sweep")
            entry[m] = dict(sar=drawn[sk], err_rule=cells[m]["err"], err_draws=drawn[f"{sk}_err"],
                            draws_sd=drawn[f"{sk}_draws_sd"])
        prev = old.get((row["recipe_variant"], int(row["seed"])))
        if prev is not None:  # reproduction of the committed row
            entry["committed"] = dict(
                barrier_rel_diff=row["barrier_J"] / prev["barrier_J"] - 1,
                Ms_rel_diff=row["Ms_A_per_m"] / prev["Ms_A_per_m"] - 1,
                sar_rel_diff={m: entry[m]["sar"] / prev[c]["sar"] - 1 for m, c in
                              (("immobilised", "sar_sweep"), ("water", "sar_sweep_water")) if m in media and c in prev})
        data["rows"].append(entry)
        data["meta"] = dict(db=pathlib.Path(db).name, recipe=str(pathlib.Path(recipe).relative_to(ROOT)),
                            n_draws=n_draws, sar_code_version=step.code_version())
        _write(out, data)
        print(entry["variant"], entry["seed"], {m: (round(entry[m]["sar"], 4), round(entry[m]["err_rule"], 4),
                                                    round(entry[m]["err_draws"], 4)) for m in media},
              entry.get("committed"), flush=True)
    return data


def draws_calibration_table(path=DRAWS_CALIBRATION, committed=OUT / "sweep_20nm.json", variant="defect-free"):
    """Markdown: per medium, the realisations' SAR seed standard deviation (every ``variant`` row of the
    ``committed`` summary; the reruns reproduce them) ÷ the rms per-row error: the scale rule as the rows store it,
    the scale rule with the barrier error inflated once (stored ÷ Birge ratio: the stored rows applied the ratio on
    top of a covariance that already carries χ²/dof, and the SAR error is near-linear in the scale error), and the
    draws (their standard deviation ÷ √``cov_factor`` of the row: the spread of the SAR is near-linear in the draws'
    amplitude), over the rows that have draws; with the 95 % interval of the seed s.d. over its n − 1 degrees of
    freedom (χ²; the per-row errors' own uncertainty, ± 30 % for 6 draws, is not in it). A row's ``birge_in_rule``
    (default 2: the rows of 2026-11-30 before 15:00 UTC) says how often its stored rule error carries the ratio."""
    from scipy.stats import chi2

    rows = json.loads(pathlib.Path(path).read_text())["rows"]
    ref = [r for r in json.loads(pathlib.Path(committed).read_text())["rows"] if r["recipe_variant"] == variant]
    times = {r.get("birge_in_rule", 2) for r in rows}
    stored = {frozenset({2}): "Birge twice", frozenset({1}): "Birge once"}.get(frozenset(times), "Birge once or twice")
    lines = ["| medium | realisations (rows with draws) | SAR mean (W/g) | seed s.d. | rms error: scale rule as stored "
             f"({stored}) | scale rule, Birge once | draws | s.d. ÷ rule as stored | s.d. ÷ rule, once | "
             "s.d. ÷ draws |", "|---|---|---|---|---|---|---|---|---|---|"]
    for m, cell in (("immobilised", "sar_sweep"), ("water", "sar_sweep_water")):
        have = [r for r in rows if m in r]
        v = np.array([r[cell]["sar"] for r in ref if cell in r])
        if len(v) < 2 or not have:
            continue
        sd, dof = float(np.std(v, ddof=1)), len(v) - 1
        lo, hi = np.sqrt(dof / chi2.ppf(0.975, dof)), np.sqrt(dof / chi2.ppf(0.025, dof))
        errs = [float(np.sqrt(np.mean([r[m]["err_rule"] ** 2 for r in have]))),
                float(np.sqrt(np.mean([(r[m]["err_rule"] / r["birge"] ** (r.get("birge_in_rule", 2) - 1)) ** 2
                                       for r in have]))),
                float(np.sqrt(np.mean([r[m]["draws_sd"] ** 2 / r.get("cov_factor", 1.0) for r in have])))]
        cells = [f"{e:.2g} ({e / v.mean():.1%})" for e in errs]
        band = [f"{sd / e:.2f} ({sd / e * lo:.2f}–{sd / e * hi:.2f})" for e in errs]
        lines.append(f"| {m} | {len(v)} ({len(have)}) | {v.mean():.4g} | {sd:.2g} ({sd / v.mean():.1%}) | "
                     + " | ".join(cells + band) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else "analyse"
    if cmd == "run":
        run_point(float(sys.argv[2]), sys.argv[3], int(sys.argv[4]), *(sys.argv[5:6] or ["default"]),
                  shape=sys.argv[6] if len(sys.argv) > 6 else "sphere")
    elif cmd == "analyse":
        analyse()
    elif cmd == "plot":
        print(*plot(), sep="\n")
    elif cmd == "table":
        print(markdown_table(drive=sys.argv[2] if len(sys.argv) > 2 else "A",
                             medium=sys.argv[3] if len(sys.argv) > 3 else "immobilised",
                             shape=sys.argv[4] if len(sys.argv) > 4 else None))
    elif cmd == "plan":  # plan NAME [i/n]: every n-th point from the i-th (several processes share one plan)
        i, n = map(int, (sys.argv[3] if len(sys.argv) > 3 else "0/1").split("/"))
        for pt in PLANS[sys.argv[2]][i::n]:
            run_point(**pt) if isinstance(pt, dict) else run_point(*pt)
    elif cmd == "db":
        print(json.dumps(extract_db(*sys.argv[2:3])[0], indent=1))
    elif cmd == "ku_l2":  # ku_l2 JSON...: add Ku_l2_J_per_m3 / Ku_l2_axis to the summary rows lacking them
        for f in sys.argv[2:]:
            d = json.loads(pathlib.Path(f).read_text())
            n = sum("Ku_l2_J_per_m3" not in with_ku_l2(r) or 0 for r in d["rows"])
            pathlib.Path(f).write_text(json.dumps(d, indent=1, default=float))
            print(f, len(d["rows"]), "rows", n, "without coefficients")
    elif cmd == "draws":  # draws DB [COMMITTED_JSON]: scale-rule and draws errors of a sweep database's rows
        draws_errors(sys.argv[2], committed=sys.argv[3] if len(sys.argv) > 3 else None)
        print(draws_calibration_table())
    else:
        raise SystemExit(__doc__)
