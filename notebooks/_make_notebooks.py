"""Regenerate the four user notebooks (stored without outputs).

Run from anywhere: ``python notebooks/_make_notebooks.py``. Each notebook reads ``ATOMSPIN_NB_SIZE``
("ci" default: 3–4 nm particles and short runs, numbers not converged; "full": 4–12 nm particles and
proper sweeps). The cells only
call the atomspin API; no physics is defined in them, and no result is written into the markdown.
"""
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

HEADER = '''\
import os
import time

import numpy as np
import matplotlib.pyplot as plt

from atomspin import SpinModel, sar
from atomspin import measure as M
from atomspin import structures as S
from atomspin.engine import Simulation
from atomspin.units import K_B

SIZE = os.environ.get("ATOMSPIN_NB_SIZE", "ci").strip().lower()
if SIZE not in ("ci", "full"):
    raise ValueError(f"ATOMSPIN_NB_SIZE: {SIZE!r} is not one of 'ci', 'full'")
FULL = SIZE == "full"
plt.rcParams["figure.max_open_warning"] = 0
_T_START = time.perf_counter()
print(f"ATOMSPIN_NB_SIZE = {SIZE!r}")


def verdict(diff, err):
    """Words for a difference and its standard error. Only a full-size run calls a difference resolved: at CI
    size the particles are too small and the runs too short for any number to be converged."""
    if not (np.isfinite(diff) and np.isfinite(err)):
        return "no error estimate"
    beyond = abs(diff) > 2 * err
    if not FULL:
        return ("beyond" if beyond else "within") + " 2σ of its CI-size standard error; CI size: not converged"
    return "resolved (> 2σ)" if beyond else "not resolved (< 2σ)"'''

FOOTER = 'print(f"notebook run time: {time.perf_counter() - _T_START:.1f} s (size setting {SIZE!r})")'

SIZE_MD = ("**Size.** `ATOMSPIN_NB_SIZE=ci` (default) runs 3–4 nm particles with very short Monte Carlo runs so "
           "that the notebook executes in about a minute (that is how CI runs it): its numbers show that the "
           "pipeline works and are **not converged** — neither in particle size nor in run length — and the "
           "notebook says so next to every comparison instead of calling a difference resolved. "
           "`ATOMSPIN_NB_SIZE=full` runs the sizes and sweep counts a study needs (hours on a workstation); only "
           "there is a difference beyond twice its standard error called *resolved*.")

# Conventions shared by all notebooks (stated, not results)
CONVENTIONS_MD = ("Conventions (see `atomspin.units`, `atomspin.model.core`): positions Å, temperatures K, "
                  "fields μ0H in tesla at the Monte Carlo API and H in A/m for SAR, model energies meV, unit spins, "
                  "E = −Σ_{i<j} J_ij ŝi·ŝj − Σ ŝᵀQŝ + cubic − Σ m μB B·ŝ + dipolar. Default parameters are the cited "
                  "sets shipped with the package (`atomspin/model/params/magnetite.toml`).")

DEFAULTS_MD = ("**Model defaults** (`SpinModel.from_atoms`; each parameter has its source in "
               "`atomspin/model/params/magnetite.toml` and on the parameters page of the docs): "
               "(i) the point-dipole interaction (`dipolar=\"auto\"`: exact pair sum up to 1000 spins, lattice FFT "
               "above; none in a periodic box); (ii) Néel pair anisotropy on every cation whose bonds differ from "
               "the bulk shell — surface, vacancy neighbours, APB sites — found from the geometry "
               "(`neel_ks_meV=\"default\"`: k_s = 0.0304 meV per bond, converted through the exact {111} facet sum "
               "from the measured surface constant K_s = 2.9e-5 J/m² of Fe3−xO4, Pérez et al., Nanotechnology 19, "
               "475704 (2008); documented range 1e-5–1e-4 J/m², either sign); (iii) Evans temperature rescaling "
               "(`temperature_rescaling=\"default\"`: α = 2.31, Tc = 858 K, Evans et al., PRB 91, 144425 (2015)), "
               "so that Ms(T) follows the measured curve (300 K is simulated at 75.6 K); (iv) averaged B-site moments "
               "(`b_valence=\"averaged\"`: every B-site Fe carries the particle's mean B moment, 4.5 μB in "
               "stoichiometric magnetite — above the Verwey transition, ≈ 120 K, the B sites have no Fe²⁺/Fe³⁺ "
               "order; `\"as_built\"` keeps the builder's Verwey order). `structures.add_vacancies` removes random "
               "B-site Fe of either valence by default (`removal=\"random\"`, for the same reason).")

KREF_MD = (" The models are built with `anisotropy_reference=K_REF_T` (300 K, the CLI default): the shipped K1, K2 are "
           "room-temperature values, and the per-site cubic constants are scaled so that Monte Carlo at 300 K "
           "reproduces them (docs/validation.md §3b: barrier of the periodic bulk 1047 ± 42 J/m³ against 1020 J/m³).")

LANDSCAPE_MD = ("**Landscape → heating.** `measure.anisotropy_landscape` holds the total moment along 26 "
                "quasi-uniform directions (constrained Monte Carlo, Asselin, Evans & Chantrell, PRB 82, 054415 "
                "(2010)) and integrates the measured torques into the free energy F(n̂) of the moment direction: its "
                "minima, every first-order saddle and the lowest escape barrier out of the global minimum with its "
                "standard error (`barrier_J`; `LandscapeResult`; χ²/dof ≫ 1 or `n_eff_min` < 25 say that the runs are too short for the error "
                "bars, and `refresh_windows_min` < 4 that the errors may miss the slow part of the frozen dipolar "
                "field). `sar.particle_from_measurements(landscape=r)` turns it into a `sar.Particle` (anisotropy = "
                "the whole surface F/V, Ms = ⟨|M|⟩ of the constrained runs, the model's volume and T), and "
                "`sar.sar_from_particle(particle, f=, H0=, medium=)` computes the SAR with the model valid for the "
                "particle, chosen from its barriers, ωτ and the medium (`sar.heating.choose_regime`): Brown's "
                "Fokker–Planck equation for the whole landscape (exact at any field) below "
                "`sar.heating.FP_SIGMA_MAX` k_BT, the master equation with escape rates over every saddle "
                "(Langer/Brown: no attempt time τ0) above, stochastic LLG where neither applies; each report "
                "says which model it used (`model`) and why (`regime['reason']`), printed with each single SAR below. "
                "That choice uses the lowest barrier out of *any* minimum, which is below `barrier_J` when the surface has shallow local minima: the two "
                "printed barriers can differ. `medium=None`: immobilised particles; "
                "`sar.Medium.water()`: Brownian rotation in water at 37 °C as well. The SAR error bar propagates "
                "the measured uncertainties of the barrier and of Ms (linearised: the SAR of the landscape scaled by "
                "1 ± σ_B/B and at Ms ± σ_Ms, same seed) and the sampling error of a stochastic model, in quadrature.")

SAR_HELPER = '''\
from atomspin import macrospin as ms


def scaled_particle(p, factor):
    """The same particle with its anisotropy landscape multiplied by ``factor`` (every barrier × factor)."""
    terms = []
    for t in p.landscape.terms:
        if not isinstance(t, ms.HarmonicExpansion):
            raise TypeError(f"expected the harmonic expansion of a measured landscape, got {t!r}")
        terms.append(ms.HarmonicExpansion(t.exponents, t.coefficients * factor))
    return p.replace(landscape=ms.EnergySurface(terms))


def sar_with_error(p, land, f, H0, medium=None, seed=SEED, **kw):
    """SAR report of particle ``p`` (built from landscape ``land``) and its standard error (W/g): the model's
    sampling error and the SAR changes for barrier ± σ and Ms ± σ (linearised, same seed), in quadrature."""
    rep = sar.sar_from_particle(p, f=f, H0=H0, medium=medium, seed=seed, allow_nonclinical=True, **kw)
    # the perturbed particles use the same model as the central value (a derivative, not a change of model)
    run = lambda q: sar.sar_from_particle(q, f=f, H0=H0, medium=medium, seed=seed, allow_nonclinical=True,
                                          **dict(kw, model=rep.model))
    parts = [rep.sar_err_W_per_g]
    rb = land.barrier_err_J / land.barrier_J if land.barrier_J > 0 else 0.0
    if 0.0 < rb < 1.0:
        parts.append(0.5 * (run(scaled_particle(p, 1 + rb)).sar_W_per_g - run(scaled_particle(p, 1 - rb)).sar_W_per_g))
    dm = land.Ms_err_A_per_m
    if 0.0 < dm < p.Ms_A_per_m:
        parts.append(0.5 * (run(p.replace(Ms_A_per_m=p.Ms_A_per_m + dm)).sar_W_per_g
                            - run(p.replace(Ms_A_per_m=p.Ms_A_per_m - dm)).sar_W_per_g))
    return rep, float(np.sqrt(np.sum(np.square(parts))))


def ratio_with_error(a, ea, b, eb):
    """a/b and its standard error (independent errors, first order)."""
    r = a / b
    return r, abs(r) * float(np.hypot(ea / a if a else 0.0, eb / b))'''


def _nb(cells):
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    out = []
    for k, (kind, src) in enumerate(cells):
        cell = new_markdown_cell(src) if kind == "md" else new_code_cell(src)
        cell.id = f"cell-{k:02d}"  # deterministic ids: regenerating gives identical files
        out.append(cell)
    nb.cells = out
    return nb


# --------------------------------------------------------------------------------------------------------------
NB1 = [
    ("md", "# 01 · Defected versus defect-free magnetite nanoparticles\n\n"
           "The central question of atomspin: what do Fe vacancies and an antiphase boundary (APB) do to a "
           "magnetite particle compared with a perfect one? The same protocol runs on each variant: structure "
           "pictures → spin disorder maps and profiles at body temperature → M(T) → hysteresis loop → "
           "anisotropy landscape (free energy of the moment direction: minima, saddles, barrier) → SAR from that "
           "landscape, immobilised and in water, versus field amplitude. The *Comparison* section at the end "
           "states the comparison from the numbers computed here.\n\n" + SIZE_MD + "\n\n" + DEFAULTS_MD + "\n\n" + CONVENTIONS_MD),
    ("code", HEADER),
    ("md", "## Parameters\nStudy variables (chosen, not physical constants) and run lengths for each size setting."),
    ("code", '''\
SEED = 1                 # every stochastic call below takes this seed: same seed → same numbers
T_BODY = 310.0           # K, 37 °C (derived: 273.15 K + 37 K, rounded)
K_REF_T = 300.0          # K: the shipped K1, K2 are room-temperature values; anisotropy_reference=300 makes
#                          Monte Carlo at 300 K reproduce them (docs/validation.md §3b; the CLI default)
F_HZ = 300e3             # Hz, field frequency studied (study variable)
DELTA = 0.1              # Fe vacancies per formula unit, Fe(3−δ)O4 (study variable, allowed [0, 1/3])
APB_PLANE = (1, 1, 0)    # {110} APBs are the stable ones (McKenna et al., Nat. Commun. 5, 5740 (2014))

CFG = {
    "ci": dict(d_nm=3.0, eq_sweeps=500, temps=[310.0, 600.0, 900.0], ts_sweeps=150, ts_eq=100,
               B_max=3.0, n_branch=12, loop_sweeps=50, ls_sweeps=100, n_orient=12),
    "full": dict(d_nm=8.0, eq_sweeps=5000, temps=sorted({*np.arange(100.0, 1001.0, 50.0), 310.0}),
                 ts_sweeps=2000, ts_eq=1000, B_max=3.0, n_branch=30, loop_sweeps=2000, ls_sweeps=1200, n_orient=48),
}[SIZE]
# ls_sweeps: constrained sweeps per landscape direction (docs/landscape_study.py uses 1200 below 8000 spins and
#   800 up to 30,000; the 8 nm spheres have ≈ 11,000 spins, so 1200 is on the long side);
# n_orient: orientation quadrature points of the SAR master equation (sar_from_particle's default is 48)
H0_VALUES = np.linspace(2e3, 30e3, 15) if FULL else np.array([4e3, 10e3, 16e3])   # A/m, SAR-versus-field axis
# realisations (structure seeds) for the mean ± standard-error table at the end
CFG.update({"ci": dict(n_real=2, cmp_n_branch=12, cmp_sweeps=20),
            "full": dict(n_real=4, cmp_n_branch=20, cmp_sweeps=300)}[SIZE])
CFG'''),
    ("md", "## Structures\nA perfect sphere, the same sphere with vacancies on random B sites (B-site Fe of "
           "either valence removed, `removal=\"random\"`, the default; the charge is compensated by oxidising "
           "Fe²⁺ → Fe³⁺ of the particle), and the same sphere with one APB through its centre."),
    ("code", '''\
perfect = S.build_particle("Fe3O4", shape="sphere", diameter_nm=CFG["d_nm"], seed=SEED)
structures = {
    "defect-free": perfect,
    f"vacancies δ={DELTA}": S.add_vacancies(perfect, DELTA, seed=SEED),
    "APB (110)": S.insert_apb(perfect, plane=APB_PLANE, seed=SEED),
}
NAMES = list(structures)
REF = NAMES[0]
for name, atoms in structures.items():
    d = S.describe(atoms)
    print(f"{name:<18s} {d['formula_per_fu']:<12s} atoms {d['n_atoms']:6d}  vacancy fraction {d['vacancy_fraction']:.3f}"
          f"  T=0 moment {d['moment_per_fu_muB']:.3f} μB/f.u.  180° B–O–B links {S.count_bob_links(atoms)}")'''),
    ("code", '''\
fig, axs = plt.subplots(1, len(structures), figsize=(5 * len(structures), 5))
for ax, (name, atoms) in zip(axs, structures.items()):
    S.plot_particle(atoms, color_by="defect", include_oxygen=False, ax=ax)
    ax.set_title(name)
fig.tight_layout()'''),
    ("md", "Distances used for the disorder profiles: from each spin to the nearest vacant site (sites of the "
           "perfect particle that are empty in the vacancy variant) and to the APB plane recorded by "
           "`insert_apb`."),
    ("code", '''\
models = {name: SpinModel.from_atoms(atoms, anisotropy_reference=K_REF_T) for name, atoms in structures.items()}
for name, model in models.items():
    print(f"{name:<18s} spins {model.n:6d}  pairs {model.info['pair_counts']}  V = {model.volume_m3:.3e} m³")

cation = np.isin(perfect.arrays["sublattice"], ["A", "B"])
vac = structures[NAMES[1]]
vacant_sites = perfect.positions[cation][M.distance_to_points_nm(perfect.positions[cation], vac.positions) > 0.01]
apb_record = [r for r in S.defect_records(structures["APB (110)"]) if r["type"] == "apb"][0]
distance = {
    REF: None,
    NAMES[1]: M.distance_to_points_nm(models[NAMES[1]].positions, vacant_sites),
    "APB (110)": M.distance_to_plane_nm(models["APB (110)"].positions, apb_record["plane"], apb_record["point_A"]),
}
print(f"{len(vacant_sites)} vacant sites; APB plane {apb_record['plane']} through {apb_record['point_A']} Å, "
      f"{apb_record['links_180_created']} new 180° B–O–B links")'''),
    ("md", f"## Spin disorder at body temperature\nEach model is equilibrated at T_BODY in zero field "
           "(`eq_sweeps` Metropolis sweeps from the ideal Néel state); the canting of every spin from the ideal "
           "ferrimagnetic reference is then mapped in a cross-section and binned by depth below the surface "
           "and by distance from the defect."),
    ("code", '''\
disorder = {}
for name, model in models.items():
    sim = Simulation(model, T=T_BODY, seed=SEED)
    sim.run(CFG["eq_sweeps"])
    disorder[name] = M.spin_disorder(model, sim.spins, atoms=structures[name], distance_nm=distance[name])
    r = disorder[name]
    line = f"{name:<18s} mean canting {r.mean_canting_deg:6.2f}°  order parameter {r.order_parameter:.4f}"
    if distance[name] is not None:
        near = r.distance_nm <= 0.5
        line += (f"  canting ≤0.5 nm from defect {np.mean(r.canting_deg[near]):6.2f}° ({near.sum()} spins), "
                 f"beyond {np.mean(r.canting_deg[~near]):6.2f}°")
    print(line)'''),
    ("code", '''\
fig, axs = plt.subplots(1, len(models), figsize=(5.5 * len(models), 5))
for ax, name in zip(axs, models):
    disorder[name].plot(kind="cross_section", ax=ax)
    ax.set_title(f"{name}: z-slab through the centre")
fig.tight_layout()

fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4))
for name in models:
    disorder[name].plot(kind="depth", ax=ax0, label=name)
    if distance[name] is not None:
        disorder[name].plot(kind="distance", ax=ax1, label=name)
ax0.legend(); ax1.legend()
ax0.set_title(f"T = {T_BODY:g} K"); ax1.set_title("distance from vacancy / APB plane")
fig.tight_layout()'''),
    ("md", "## M(T)\nCooling runs (`measure.temperature_sweep`): reduced net moment, Ms in A/m (net moment over "
           "the particle volume) and the susceptibility peak."),
    ("code", '''\
tsweep = {name: M.temperature_sweep(model, CFG["temps"], sweeps=CFG["ts_sweeps"], equilibration_sweeps=CFG["ts_eq"],
                                    seed=SEED) for name, model in models.items()}
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4))
for name, r in tsweep.items():
    ax0.errorbar(r.T, r.Ms_A_per_m / 1e3, yerr=r.m_err * r.Ms_A_per_m / r.m / 1e3, fmt="o-", ms=3, label=name)
    r.plot(ax=ax1, quantity="chi", label=name)
ax0.set_xlabel("T (K)"); ax0.set_ylabel("Ms (kA/m)"); ax0.legend(); ax1.legend()
fig.tight_layout()

def ms_at(r, T):
    """Ms (A/m) and its standard error at a temperature of the sweep grid."""
    k = int(np.argmin(np.abs(r.T - T)))
    return r.Ms_A_per_m[k], r.m_err[k] * r.Ms_A_per_m[k] / r.m[k]

for name, r in tsweep.items():
    ms, err = ms_at(r, T_BODY)
    print(f"{name:<18s} Ms({T_BODY:g} K) = {ms / 1e3:7.1f} ± {err / 1e3:.1f} kA/m   "
          f"Tc (χ peak on this grid) = {r.tc_chi_peak:6.0f} K   {r.elapsed_s:.1f} s")'''),
    ("md", "## Hysteresis loops\nField along [001], +B_max → −B_max → +B_max, at T_BODY. Single-spin moves "
           "rotate the total moment of an exchange-stiff particle very slowly, so without help a Monte Carlo loop "
           "shows a coercivity set by the number of sweeps, not by physics. As the CLI does by default "
           "(`protocol.loop.collective_every = 1`), one collective rigid rotation per sweep (`collective_every=1`, "
           "an equilibrium-sampling move) is added, so the loop approaches equilibrium M(H): where the landscape "
           "barrier printed in the next section is below k_BT (`barrier_over_kT` < 1) the particle is "
           "superparamagnetic and the loop should close; an open loop then measures the run length, not a "
           "coercivity. At CI size the loops are far from converged (an open or negative area is sampling "
           "noise)."),
    ("code", '''\
fields = M.loop_fields(CFG["B_max"], CFG["n_branch"])
loops = {name: M.hysteresis_loop(model, T_BODY, fields, sweeps_per_point=CFG["loop_sweeps"], seed=SEED,
                                 collective_every=1)
         for name, model in models.items()}
fig, ax = plt.subplots(figsize=(6, 4.5))
for name, lp in loops.items():
    ax.plot(lp.fields_T, lp.M_A_per_m / 1e3, "o-", ms=3, label=name)
ax.set_xlabel("μ0H (T)"); ax.set_ylabel("M·ĥ (kA/m)"); ax.legend(); ax.set_title(f"T = {T_BODY:g} K")

def m_at_bmax(lp):
    """M (A/m) at +B_max: mean of the first and last point of the loop, and their half-difference."""
    return 0.5 * (lp.M_A_per_m[0] + lp.M_A_per_m[-1]), 0.5 * abs(lp.M_A_per_m[0] - lp.M_A_per_m[-1])

for name, lp in loops.items():
    mb, db = m_at_bmax(lp)
    print(f"{name:<18s} M({CFG['B_max']:g} T) = {mb / 1e3:7.1f} ± {db / 1e3:.1f} kA/m  μ0Hc = {lp.Bc_T * 1e3:8.2f} mT  "
          f"Mr/Msat = {lp.Mr:+.4f}  area = {lp.loop_area_J_per_m3:9.3g} J/m³  χ_hf = {lp.chi_high_field:.3g}")
    if not np.isfinite(lp.Bc_T):
        print(f"{'':<18s} the moment did not reverse during the loop (no zero crossing of M) even with "
              f"collective moves: {CFG['loop_sweeps']} sweeps per field step are too few")'''),
    ("md", "## Anisotropy landscape\n" + LANDSCAPE_MD + KREF_MD + " Each variant's map below shows F(n̂)/V over "
           "the sphere with the measured directions, minima (▼), saddles (×) and maxima (▲)."),
    ("code", '''\
lands = {name: M.anisotropy_landscape(model, T_BODY, n_directions=26, sweeps=CFG["ls_sweeps"], seed=SEED)
         for name, model in models.items()}
for name, r in lands.items():
    ax = r.plot()
    ax.set_title(f"{name}: " + ax.get_title(), fontsize=7)
for name, r in lands.items():
    print(f"{name:<18s} barrier = {r.barrier_J:.3e} ± {r.barrier_err_J:.1e} J = {r.barrier_over_kT:.3g} k_BT "
          f"({r.barrier_J_per_m3:.4g} J/m³); {len(r.minima)} minima, {len(r.saddles)} saddles; "
          f"Ms = {r.Ms_A_per_m / 1e3:.1f} ± {r.Ms_err_A_per_m / 1e3:.1f} kA/m; χ²/dof = {r.chi2_per_dof:.3g}, "
          f"n_eff_min = {r.n_eff_min:.3g}"
          + ("" if np.isnan(r.refresh_windows_min) else f", refresh windows ≥ {r.refresh_windows_min:.3g}")
          + f"; {r.elapsed_s:.1f} s")'''),
    ("md", "## SAR versus field amplitude\nEach landscape becomes a `sar.Particle` "
           "(`sar.particle_from_measurements(landscape=r)`; its `source` says where each number came from) and "
           "`sar.sar_from_particle` computes the SAR at `F_HZ` over `H0_VALUES`, immobilised and in water, with "
           "the model its `regime['reason']` names. The error bars of the curves are the models' own sampling "
           "errors; the design point (the largest H0 within the Hergt–Dutz limit) gets the full error bar "
           "described above."),
    ("code", SAR_HELPER + '''

particles = {name: sar.particle_from_measurements(landscape=r) for name, r in lands.items()}
print("particle sources:", particles[REF].source)
MEDIA = {"immobilised": None, "water": sar.Medium.water()}
curves = {(name, med): [sar.sar_from_particle(p, f=F_HZ, H0=h, medium=MEDIA[med], seed=SEED, allow_nonclinical=True,
                                              n_orientations=CFG["n_orient"])
                        for h in H0_VALUES]
          for name, p in particles.items() for med in MEDIA}
fig, ax = plt.subplots(figsize=(6.5, 4.5))
for (name, med), reps in curves.items():
    ax.errorbar(H0_VALUES / 1e3, [r.sar_W_per_g for r in reps], yerr=[r.sar_err_W_per_g for r in reps],
                fmt="o-" if med == "immobilised" else "s--", ms=3, label=f"{name}, {med}")
ax.axvline(sar.HERGT_DUTZ_LIMIT / F_HZ / 1e3, color="r", ls="-", label="Hergt–Dutz H·f limit")
ax.axvline(sar.BREZOVICH_LIMIT / F_HZ / 1e3, color="k", ls="--", label="Brezovich H·f limit")
ax.set_xlabel("H0 (kA/m)"); ax.set_ylabel("SAR (W per g of oxide)"); ax.set_yscale("log"); ax.legend(fontsize=7)
ax.set_title(f"f = {F_HZ / 1e3:g} kHz, T = {T_BODY:g} K, D = {CFG['d_nm']:g} nm" + ("" if FULL else " (CI size: not converged)"))

safe = [k for k, h in enumerate(H0_VALUES) if sar.field_safety(F_HZ, h)["hergt_dutz_ok"]]
H_DESIGN = float(H0_VALUES[safe[-1] if safe else 0])
design = {(name, med): sar_with_error(particles[name], lands[name], F_HZ, H_DESIGN, medium=MEDIA[med],
                                      n_orientations=CFG["n_orient"])
          for name in particles for med in MEDIA}
for (name, med), (rep, err) in design.items():
    print(f"{name:<18s} {med:<11s} H0 = {H_DESIGN / 1e3:.1f} kA/m: SAR = {rep.sar_W_per_g:.4g} ± {err:.2g} W/g, "
          f"ILP = {rep.ilp_nHm2_per_kg:.4g} nH m²/kg; model {rep.model}: {rep.regime['reason']}")'''),
    ("md", "## Realisations\nThe structures above are one realisation each. `measure.compare_variants` repeats a "
           "shorter protocol (`measure.standard_protocol`: loop at T_BODY, then canting at the largest field) on "
           "`n_real` structure seeds per variant (vacancy positions and the APB's offset change with the seed) and "
           "tabulates mean ± standard error and the difference from the defect-free particle. Its `Ms_A_per_m` is "
           "M at the largest loop field (B_max), not the zero-field Ms(T) of the M(T) section."),
    ("code", '''\
def particle(seed):
    return S.build_particle("Fe3O4", shape="sphere", diameter_nm=CFG["d_nm"], seed=seed)

builders = {
    REF: lambda seed: SpinModel.from_atoms(particle(seed), anisotropy_reference=K_REF_T),
    NAMES[1]: lambda seed: SpinModel.from_atoms(S.add_vacancies(particle(seed), DELTA, seed=seed),
                                                anisotropy_reference=K_REF_T),
    "APB (110)": lambda seed: SpinModel.from_atoms(S.insert_apb(particle(seed), plane=APB_PLANE, seed=seed),
                                                   anisotropy_reference=K_REF_T),
}
protocol = M.standard_protocol(T_BODY, M.loop_fields(CFG["B_max"], CFG["cmp_n_branch"]),
                               sweeps_per_point=CFG["cmp_sweeps"], collective_every=1)
cmp = M.compare_variants(builders, protocol, n_realisations=CFG["n_real"], seed=SEED, reference=REF)
print(cmp.to_text())'''),
    ("md", "## Comparison\nEvery statement below is computed from the numbers above. A difference is called "
           "resolved only in a full-size run and only when it exceeds twice its standard error; at CI size each "
           "statement says that it is not converged."),
    ("code", '''\
if not FULL:
    print(f"CI size (D = {CFG['d_nm']:g} nm, short runs): the numbers below are NOT converged; run with "
          "ATOMSPIN_NB_SIZE=full for results.")
ms_ref, ms_ref_err = ms_at(tsweep[REF], T_BODY)
mb_ref, mb_ref_err = m_at_bmax(loops[REF])
for name in NAMES[1:]:
    ms_, ms_err = ms_at(tsweep[name], T_BODY)
    mb, mb_err = m_at_bmax(loops[name])
    d_can = disorder[name].mean_canting_deg - disorder[REF].mean_canting_deg
    d_b = lands[name].barrier_J - lands[REF].barrier_J
    b_err = np.hypot(lands[name].barrier_err_J, lands[REF].barrier_err_J)
    print(f"— {name} versus {REF} (D = {CFG['d_nm']:g} nm, T = {T_BODY:g} K):")
    print(f"   Ms changes by {ms_ / ms_ref - 1:+.1%} ({verdict(ms_ - ms_ref, np.hypot(ms_err, ms_ref_err))})")
    print(f"   M({CFG['B_max']:g} T) changes by {mb / mb_ref - 1:+.1%} ({verdict(mb - mb_ref, np.hypot(mb_err, mb_ref_err))})")
    print(f"   mean canting changes by {d_can:+.2f}°; Tc (χ peak, {np.diff(CFG['temps']).max():g} K grid) by "
          f"{tsweep[name].tc_chi_peak - tsweep[REF].tc_chi_peak:+.0f} K")
    print(f"   landscape barrier changes by {d_b:+.3g} ± {b_err:.2g} J ({verdict(d_b, b_err)}); "
          f"{len(lands[name].minima)} vs {len(lands[REF].minima)} minima")
    for med in MEDIA:
        (rep, err), (rep0, err0) = design[(name, med)], design[(REF, med)]
        ratio, rerr = ratio_with_error(rep.sar_W_per_g, err, rep0.sar_W_per_g, err0)
        print(f"   SAR {med} at {H_DESIGN / 1e3:.1f} kA/m, {F_HZ / 1e3:g} kHz: × {ratio:.3g} ± {rerr:.2g} "
              f"({verdict(ratio - 1.0, rerr)})")
    v = cmp.variants.index(name)
    for metric in ("Ms_A_per_m", "mean_canting_deg", "Bc_T"):
        k = cmp.metrics.index(metric)
        what = f"{metric} (M at {CFG['B_max']:g} T)" if metric == "Ms_A_per_m" else metric
        print(f"   over {cmp.n_realisations} realisations: Δ{what} = {cmp.delta[v, k]:+.4g} ± {cmp.delta_sem[v, k]:.2g} "
              f"({verdict(cmp.delta[v, k], cmp.delta_sem[v, k])})")'''),
    ("code", FOOTER),
]

# --------------------------------------------------------------------------------------------------------------
NB2 = [
    ("md", "# 02 · Spin disorder at antiphase boundaries\n\n"
           "How do the number and the orientation of APBs change the spin disorder and the magnetisation, and "
           "how does an applied field act on them? Each APB is a ¼a⟨110⟩ shift of one side of a plane "
           "(`structures.insert_apb`); 180° Fe_B–O–Fe_B links across it are coupled with the `BB180` exchange of "
           "the parameter set. A particle without APB is the control; for it the distances are measured from the "
           "same central (110) plane.\n\n" + SIZE_MD + "\n\n" + DEFAULTS_MD + " Here the Néel term acts on the "
           "APB sites too (their bonds differ from the bulk shell), and the dipolar interaction couples the two "
           "sides of a boundary. The bulk K1, K2 are used as T = 0 constants (`anisotropy_reference=\"T0\"`, the "
           "default), appropriate at the low temperature studied first; the 310 K rows of the full run keep "
           "them, so there the cubic anisotropy is thermally reduced (≈ 0.7 K1 at 300 K with the temperature "
           "rescaling, `SpinModel.from_atoms` docstring) instead of the room-temperature K1 that notebooks 01, 03 "
           "and 04 reproduce with `anisotropy_reference=300`. The B moments are averaged (the default, item iv) "
           "at 10 K as well: the runs compare the APB variants on one model, without the Verwey charge order of "
           "real magnetite below ≈ 120 K (`b_valence=\"as_built\"` would add it).\n\n" + CONVENTIONS_MD),
    ("code", HEADER),
    ("code", '''\
SEED = 1
ZONE_NM = 0.5            # nm, "near the APB" = within this distance of a boundary plane (study variable)
FIELD_DIR = np.array([0.0, 0.0, 1.0])

CFG = {
    "ci": dict(d_nm=3.0, temps=[10.0], fields_T=[3.0, 1.0, 0.0], sweeps=600),
    "full": dict(d_nm=10.0, temps=[10.0, 310.0], fields_T=[7.0, 5.0, 3.0, 2.0, 1.0, 0.5, 0.2, 0.0], sweeps=4000),
}[SIZE]
CFG'''),
    ("md", "## Variants\nOne APB on (110), (100) and (111) through the centre, and two parallel (110) APBs at "
           "±D/6 from the centre."),
    ("code", '''\
perfect = S.build_particle("Fe3O4", shape="sphere", diameter_nm=CFG["d_nm"], seed=SEED)
centre = np.array(S.defect_records(S.insert_apb(perfect, plane=(1, 1, 0)))[-1]["point_A"])
n110 = np.array([1.0, 1.0, 0.0]) / np.sqrt(2.0)
offset_A = CFG["d_nm"] * 10.0 / 6.0
structures = {
    "no APB": perfect,
    "1 APB (110)": S.insert_apb(perfect, plane=(1, 1, 0), seed=SEED),
    "1 APB (100)": S.insert_apb(perfect, plane=(1, 0, 0), seed=SEED),
    "1 APB (111)": S.insert_apb(perfect, plane=(1, 1, 1), seed=SEED),
    "2 APB (110)": S.insert_apb(S.insert_apb(perfect, plane=(1, 1, 0), point=centre - offset_A * n110, seed=SEED),
                                plane=(1, 1, 0), point=centre + offset_A * n110, seed=SEED),
}
NAMES = list(structures)
models = {name: SpinModel.from_atoms(a) for name, a in structures.items()}

def apb_planes(atoms):
    return [(r["plane"], r["point_A"]) for r in S.defect_records(atoms) if r["type"] == "apb"]

distance = {}
m_neel = {}   # reduced T = 0 collinear Néel moment (A antiparallel to B) of each structure: the ideal value of m
for name, atoms in structures.items():
    planes = apb_planes(atoms) or [((1, 1, 0), centre)]     # control: the central (110) plane
    distance[name] = np.min([M.distance_to_plane_nm(models[name].positions, n, p) for n, p in planes], axis=0)
    m_neel[name] = S.net_moment_muB(atoms) / models[name].moments.sum()
    print(f"{name:<12s} spins {models[name].n:6d}  BB180 pairs {models[name].info['pair_counts'].get('BB180', 0):5d}  "
          f"180° B–O–B links {S.count_bob_links(atoms):4d}  spins ≤{ZONE_NM} nm from a plane "
          f"{int(np.sum(distance[name] <= ZONE_NM)):5d}  collinear Néel m = {m_neel[name]:.5f}")'''),
    ("code", '''\
fig, axs = plt.subplots(1, len(structures), figsize=(4.2 * len(structures), 4.2))
for ax, (name, atoms) in zip(axs, structures.items()):
    S.plot_particle(atoms, color_by="defect", include_oxygen=False, ax=ax)
    ax.set_title(name)
fig.tight_layout()'''),
    ("md", "## Field dependence\nFor each temperature and variant, one simulation starts from the ideal Néel "
           "state and steps the field along [001] down through `fields_T`; at each field half of the sweeps "
           "equilibrate and half are sampled. Recorded: reduced moment along the field (1 = all spins parallel), "
           "order parameter and canting near / far from the APB planes of the final state."),
    ("code", '''\
rows = []
final = {}
final_spins = {}   # (T, variant) → spins at the last field, for the 3-D view below
for T in CFG["temps"]:
    for name, model in models.items():
        sim = Simulation(model, T=T, seed=SEED)
        msat = model.moments.sum()
        for B in CFG["fields_T"]:
            sim.set_field(B * FIELD_DIR)
            sim.run(CFG["sweeps"] // 2)
            obs = sim.run(CFG["sweeps"] - CFG["sweeps"] // 2)
            proj = obs.magnetisation @ FIELD_DIR / msat
            dis = M.spin_disorder(model, sim.spins, atoms=structures[name], distance_nm=distance[name])
            near = distance[name] <= ZONE_NM
            rows.append(dict(T=T, variant=name, B=B, m=proj.mean(), m_err=proj.std(ddof=1) / np.sqrt(len(proj)),
                             order=dis.order_parameter, canting=dis.mean_canting_deg,
                             near=np.mean(dis.canting_deg[near]), far=np.mean(dis.canting_deg[~near])))
            final[(T, name, B)] = dis
        final_spins[(T, name)] = sim.spins.copy()
print(f"{'T (K)':>6s} {'variant':<12s} {'μ0H (T)':>8s} {'m':>9s} {'± err':>8s} {'order':>7s} "
      f"{'canting°':>9s} {'near°':>7s} {'far°':>7s}")
for r in rows:
    print(f"{r['T']:6.0f} {r['variant']:<12s} {r['B']:8.2f} {r['m']:9.5f} {r['m_err']:8.5f} {r['order']:7.4f} "
          f"{r['canting']:9.2f} {r['near']:7.2f} {r['far']:7.2f}")'''),
    ("code", '''\
def series(T, name, key):
    sel = [r for r in rows if r["T"] == T and r["variant"] == name]
    return np.array([r["B"] for r in sel]), np.array([r[key] for r in sel])

fig, axs = plt.subplots(len(CFG["temps"]), 2, figsize=(11, 4 * len(CFG["temps"])), squeeze=False)
for row, T in zip(axs, CFG["temps"]):
    for name in NAMES:
        B, m = series(T, name, "m")
        row[0].plot(B, m, "o-", ms=3, label=name)
        B, c = series(T, name, "near")
        row[1].plot(B, c, "o-", ms=3, label=name)
    row[0].set_xlabel("μ0H (T)"); row[0].set_ylabel("M·ĥ / Σm"); row[0].set_title(f"T = {T:g} K")
    row[1].set_xlabel("μ0H (T)"); row[1].set_ylabel(f"mean canting ≤ {ZONE_NM} nm from plane (°)")
    row[0].legend(fontsize=8)
fig.tight_layout()'''),
    ("code", '''\
T0, B0 = CFG["temps"][0], CFG["fields_T"][-1]
fig, axs = plt.subplots(1, 2, figsize=(12, 4.5))
for name in NAMES:
    final[(T0, name, B0)].plot(kind="distance", ax=axs[0], label=name)
axs[0].set_title(f"canting vs distance from the (nearest) plane, T = {T0:g} K, μ0H = {B0:g} T")
axs[0].legend(fontsize=8)
final[(T0, "1 APB (110)", B0)].plot(kind="cross_section", ax=axs[1])
axs[1].set_title("1 APB (110): z-slab through the centre")
fig.tight_layout()'''),
    ("md", "## The spins in 3-D\n"
           "Every arrow is one spin of the final state of the 1 APB (110) particle (lowest temperature, last "
           "field), coloured by its local canting angle: the angle to the direction its exchange neighbours favour "
           "(`measure.local_canting_angles`), so the canting at the boundary stands out from a uniform rotation. "
           "Only the spins within 1 nm of the APB plane are shown (`mask=`); drop the mask to see the whole "
           "particle. With plotly installed (`pip install \"atomspin[notebooks]\"`) the figure is interactive: "
           "drag to turn it, scroll to zoom, click a legend entry to hide a class. Without plotly a static "
           "matplotlib view is drawn.\n\n"
           "`structures.write_structure(atoms, path, model=model, spins=state)` writes the same state as extended "
           "XYZ: OVITO draws its `dipoles` column as arrows, `ase gui` shows its `initial_magmoms` (View → Show "
           "magnetic moments)."),
    ("code", '''\
name = "1 APB (110)"
T0, B0 = CFG["temps"][0], CFG["fields_T"][-1]
state = final_spins[(T0, name)]
near_apb = distance[name] <= 1.0
fig3d = M.view_spins(models[name], state, mask=near_apb,
                     title=f"{name}: {int(near_apb.sum())} spins within 1 nm of the APB, T = {T0:g} K, μ0H = {B0:g} T")
if M.spinview.plotly_available():
    fig3d.show()   # interactive; the matplotlib fallback is shown by the inline backend
S.write_structure(structures[name], "apb_spins.extxyz", model=models[name], spins=state)
print("wrote apb_spins.extxyz (open with `ase gui apb_spins.extxyz` or in OVITO)")'''),
    ("md", "## Comparison\nComputed from the table above (differences of the sampled moment are compared with "
           "their standard errors)."),
    ("code", '''\
def row(T, name, B):
    return next(r for r in rows if r["T"] == T and r["variant"] == name and r["B"] == B)

B_hi, B_lo = CFG["fields_T"][0], CFG["fields_T"][-1]
if not FULL:
    print(f"CI size (D = {CFG['d_nm']:g} nm, {CFG['sweeps']} sweeps per field): the numbers below are NOT converged.")
for T in CFG["temps"]:
    print(f"T = {T:g} K")
    ref_hi = row(T, "no APB", B_hi)
    ranking = []
    for name in NAMES[1:]:
        r = row(T, name, B_hi)
        d = r["m"] - ref_hi["m"]
        err = np.hypot(r["m_err"], ref_hi["m_err"])
        ranking.append((d, name))
        flag = verdict(d, err)
        r0 = row(T, name, B_lo)
        print(f"  {name}: M({B_hi:g} T) {d / ref_hi['m']:+.1%} vs no APB ({flag}), of which the collinear Néel "
              f"moment of the structure (atoms removed at the boundary) accounts for {m_neel[name] / m_neel['no APB'] - 1:+.1%}; "
              f"M({B_hi:g} T) is {r['m'] / m_neel[name] - 1:+.2%} from its own collinear value "
              f"(no APB: {ref_hi['m'] / m_neel['no APB'] - 1:+.2%})")
        print(f"     at {B_lo:g} T canting "
              f"≤{ZONE_NM} nm from the APB {r0['near']:.2f}° vs {r0['far']:.2f}° farther away "
              f"(control particle near the same plane: {row(T, 'no APB', B_lo)['near']:.2f}°); "
              f"field {B_lo:g}→{B_hi:g} T changes the near-APB canting by {r['near'] - r0['near']:+.2f}°")
    ranking.sort()
    print("  M at the highest field, lowest first:", " < ".join(n for _, n in ranking))
    dis_rank = sorted((row(T, n, B_lo)["m"] / m_neel[n] - 1, n) for n in NAMES)
    print(f"  M({B_lo:g} T) relative to the collinear value, lowest first:",
          " < ".join(f"{n} ({v:+.1%})" for v, n in dis_rank))'''),
    ("code", FOOTER),
]

# --------------------------------------------------------------------------------------------------------------
NB3 = [
    ("md", "# 03 · Size, dead layer and surface anisotropy\n\n"
           "Ms and Tc versus particle diameter from Monte Carlo M(T), a periodic bulk cell as the D → ∞ "
           "reference, the magnetically dead layer from Ms(D) = Ms_bulk (1 − 2d/D)³ (`measure.dead_layer_fit`), "
           "the canting profile versus depth, and what the Néel surface anisotropy — on by default — does to "
           "them and to the anisotropy landscape.\n\n"
           "**Surface constant and its source.** `SpinModel.from_atoms` puts a Néel pair anisotropy on every "
           "cation whose bonds differ from the bulk shell (`neel_ks_meV=\"default\"`): k_s = 0.0304 meV per bond, "
           "converted through the exact {111} facet sum (`atomspin.model.anisotropy.facet_b`) from the measured "
           "surface constant K_s = 2.9e-5 J/m² of 4.9 nm Fe3−xO4 particles (Pérez et al., Nanotechnology 19, "
           "475704 (2008), magnetic relaxation; `[surface_anisotropy]` of `atomspin/model/params/magnetite.toml`). "
           "The documented range is 1e-5–1e-4 J/m² in magnitude, either sign (γ-Fe2O3: 3.5e-5 J/m², Pisane, "
           "Singh & Seehra 2017). This notebook compares three settings: Néel term off (`neel_ks_meV=0`), the "
           "default, and the upper end of the range (`surface_K_s_J_per_m2=1e-4`); the full run adds the opposite "
           "sign. Such K_s values come from fits K_eff(D) = K_V + 6K_s/D to relaxation data; the last section "
           "compares that phenomenological form with the barrier the landscape measures.\n\n" + SIZE_MD + "\n\n"
           + DEFAULTS_MD + "\n\n" + CONVENTIONS_MD),
    ("code", HEADER),
    ("code", '''\
from atomspin.model.parameters import load_parameter_set

SEED = 1
T_BODY = 310.0           # K, 37 °C (derived: 273.15 K + 37 K, rounded); Ms(D) and the landscapes are read here
K_REF_T = 300.0          # K: anisotropy_reference (room-temperature K1, K2 at 300 K; the CLI default)
MAGNETITE = load_parameter_set("magnetite")   # atomspin/model/params/magnetite.toml, each value with its source
# the default surface constant (Pérez et al., Nanotechnology 19, 475704 (2008)) and its documented range
# (1e-5–1e-4 J/m² in magnitude, either sign), J/m²
K_S = MAGNETITE.extra["surface_anisotropy"]["K_s_J_per_m2"]
K_S_RANGE = MAGNETITE.extra["ranges"]["K_s_J_per_m2"]
# Néel surface settings: keyword arguments of SpinModel.from_atoms
DEFAULT = f"K_s = {K_S:g} J/m² (default)"
SURFACE = {
    "Néel off": dict(neel_ks_meV=0.0),
    DEFAULT: dict(),
    f"K_s = {max(K_S_RANGE):g} J/m² (upper end)": dict(surface_K_s_J_per_m2=max(K_S_RANGE)),
}
CFG = {
    "ci": dict(sizes=[3.0, 3.5, 4.0], temps=[310.0, 500.0, 700.0, 800.0, 900.0, 1000.0], sweeps=150, eq=80,
               bulk_repeat=3, eq_sweeps=400, ls_sizes=[4.0], ls_sweeps=100),
    "full": dict(sizes=[4.0, 6.0, 8.0, 10.0, 12.0], temps=sorted({*np.arange(100.0, 1001.0, 50.0), 310.0}),
                 sweeps=2000, eq=1000, bulk_repeat=6, eq_sweeps=5000, ls_sizes=[4.0, 6.0, 8.0, 10.0], ls_sweeps=1200),
}[SIZE]
if FULL:
    SURFACE[f"K_s = {-K_S:g} J/m² (opposite sign)"] = dict(surface_K_s_J_per_m2=-K_S)
CFG'''),
    ("md", "## M(T) for each size, surface setting and the periodic bulk\nThe periodic bulk has no surface (no "
           "Néel term) and no dipolar sum (its value depends on the sample shape)."),
    ("code", '''\
particles = {D: S.build_particle("Fe3O4", shape="sphere", diameter_nm=D, seed=SEED) for D in CFG["sizes"]}
pmodels = {(s, D): SpinModel.from_atoms(a, anisotropy_reference=K_REF_T, **kw)
           for s, kw in SURFACE.items() for D, a in particles.items()}
for s in SURFACE:
    neel = pmodels[(s, CFG["sizes"][-1])].info["neel"]
    print(f"{s:<36s} k_s = {neel['k_s_meV']:.4f} meV per bond on {neel['sites']} sites of the "
          f"{CFG['sizes'][-1]:g} nm particle ({neel['source']})")
bulk_model = SpinModel.from_atoms(S.build_bulk("Fe3O4", repeat=(CFG["bulk_repeat"],) * 3, seed=SEED),
                                  anisotropy_reference=K_REF_T)
sweep_kw = dict(sweeps=CFG["sweeps"], equilibration_sweeps=CFG["eq"], seed=SEED)
ts = {key: M.temperature_sweep(m, CFG["temps"], **sweep_kw) for key, m in pmodels.items()}
ts_bulk = M.temperature_sweep(bulk_model, CFG["temps"], **sweep_kw)
print(f"bulk {CFG['bulk_repeat']}³ cells: {bulk_model.n} spins; particles: "
      + ", ".join(f"{D:g} nm {pmodels[(DEFAULT, D)].n} spins" for D in CFG["sizes"]))

fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4))
for D in CFG["sizes"]:
    r = ts[(DEFAULT, D)]
    ax0.errorbar(r.T, r.Ms_A_per_m / 1e3, yerr=r.m_err * r.Ms_A_per_m / r.m / 1e3, fmt="o-", ms=3, label=f"{D:g} nm")
    r.plot(ax=ax1, quantity="chi", label=f"{D:g} nm")
ax0.plot(ts_bulk.T, ts_bulk.Ms_A_per_m / 1e3, "k--", label="bulk (periodic)")
ax0.set_xlabel("T (K)"); ax0.set_ylabel("Ms (kA/m)"); ax0.set_title(DEFAULT); ax0.legend(); ax1.legend()
fig.tight_layout()'''),
    ("md", "## Ms(D), Tc(D) and the dead layer for each surface setting"),
    ("code", '''\
def ms_body(r):
    """Ms (A/m) and its standard error at T_BODY (a grid temperature)."""
    k = int(np.argmin(np.abs(r.T - T_BODY)))
    return r.Ms_A_per_m[k], r.m_err[k] * r.Ms_A_per_m[k] / r.m[k]

tc_bulk = ts_bulk.tc_chi_peak
ms_bulk_sim = ms_body(ts_bulk)[0]
dls, ss = {}, {}
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4))
for s in SURFACE:
    ss[s] = M.size_series([ts[(s, D)] for D in CFG["sizes"]], CFG["sizes"], T_ms=T_BODY)
    ms_err = np.array([ms_body(ts[(s, D)])[1] for D in ss[s].diameters_nm])
    dls[s] = M.dead_layer_fit(ss[s].diameters_nm, ss[s].Ms_A_per_m, Ms_err=ms_err)
    line = ax0.errorbar(ss[s].diameters_nm, ss[s].Ms_A_per_m / 1e3, yerr=ms_err / 1e3, fmt="o", label=s)
    dd = np.linspace(min(CFG["sizes"]), max(CFG["sizes"]), 50)
    ax0.plot(dd, dls[s].Ms_bulk * (1 - 2 * dls[s].d_nm / dd) ** 3 / 1e3, "-", color=line[0].get_color())
    ax1.plot(ss[s].diameters_nm, ss[s].tc_K, "o-", label=s)
    print(f"{s:<36s} dead layer d = {dls[s].d_nm:.3f} ± {dls[s].d_err_nm:.3f} nm, fitted Ms_bulk = "
          f"{dls[s].Ms_bulk / 1e3:.1f} ± {dls[s].Ms_bulk_err / 1e3:.1f} kA/m")
    for D, tc, ms_, e in zip(ss[s].diameters_nm, ss[s].tc_K, ss[s].Ms_A_per_m, ms_err):
        print(f"    D = {D:4.1f} nm: Ms({T_BODY:g} K) = {ms_ / 1e3:6.1f} ± {e / 1e3:.1f} kA/m ({ms_ / ms_bulk_sim:.3f} of "
              f"bulk), Tc(χ peak) = {tc:5.0f} K")
ax0.axhline(ms_bulk_sim / 1e3, color="k", ls=":", label="periodic bulk")
ax0.set_xlabel("D (nm)"); ax0.set_ylabel(f"Ms({T_BODY:g} K) (kA/m)"); ax0.legend(fontsize=7)
ax0.set_title("lines: Ms_bulk (1 − 2d/D)³ fits")
ax1.axhline(tc_bulk, color="k", ls=":", label="periodic bulk")
ax1.set_xlabel("D (nm)"); ax1.set_ylabel(f"Tc from the χ peak (K; grid {np.diff(CFG['temps']).max():g} K)"); ax1.legend(fontsize=7)
fig.tight_layout()
print(f"bulk (periodic): Tc(χ peak) = {tc_bulk:.0f} K, Ms({T_BODY:g} K) = {ms_bulk_sim / 1e3:.1f} kA/m; "
      f"experiment: Ms(300 K) = {sar.MS_MAGNETITE_300K / 1e3:.0f} kA/m (sar.MS_MAGNETITE_300K)")'''),
    ("md", "## Canting versus depth at body temperature\nThe largest particle of the series, equilibrated at "
           "T_BODY in zero field for each surface setting; the moment-weighted canting per depth bin is "
           "compared with the fitted dead-layer thickness of the default setting. Surface spins are the cations "
           "missing at least one O neighbour (`label_surface(min_missing=1)`); the ± of a mean canting is the "
           "standard error over the spins of one equilibrated state (spin–spin correlations make it a lower "
           "bound)."),
    ("code", '''\
D_MAX = CFG["sizes"][-1]
surf = S.label_surface(particles[D_MAX], min_missing=1).arrays["surface"]
fig, ax = plt.subplots(figsize=(6.5, 4.2))
prof = {}
for s in SURFACE:
    model = pmodels[(s, D_MAX)]
    sim = Simulation(model, T=T_BODY, seed=SEED)
    sim.run(CFG["eq_sweeps"])
    r = M.spin_disorder(model, sim.spins, atoms=particles[D_MAX])
    r.plot(kind="depth", ax=ax, label=s)
    shell = surf[model.atom_index]
    c = r.canting_deg
    prof[s] = dict(shell=c[shell].mean(), shell_err=c[shell].std(ddof=1) / np.sqrt(shell.sum()),
                   core=c[~shell].mean(), core_err=c[~shell].std(ddof=1) / np.sqrt((~shell).sum()),
                   order=r.order_parameter)
    print(f"{s:<36s} canting: surface {prof[s]['shell']:6.2f} ± {prof[s]['shell_err']:.2f}° ({shell.sum()} spins), "
          f"core {prof[s]['core']:6.2f} ± {prof[s]['core_err']:.2f}°, order parameter {r.order_parameter:.4f}")
ax.axvline(dls[DEFAULT].d_nm, color="k", ls=":", label=f"fitted dead layer (default) {dls[DEFAULT].d_nm:.2f} nm")
ax.set_title(f"D = {D_MAX:g} nm, T = {T_BODY:g} K"); ax.legend(fontsize=7)
fig.tight_layout()'''),
    ("md", "## Surface anisotropy in the landscape\nThe anisotropy landscape (constrained Monte Carlo, "
           "`measure.anisotropy_landscape`, Asselin et al., PRB 82, 054415 (2010)) of particles with the Néel "
           "term off and on, at T_BODY: barrier per volume with its standard error, against the phenomenological "
           "K_V + 6K_s/D with K_V the bulk barrier |K1|/12 + |K2|/27 (printed below; room-temperature K1, K2 of "
           "magnetite.toml). For a sphere the first-order Néel terms of the facets largely cancel (Garanin & "
           "Kachkachi, PRL 90, 065504 (2003)), so the measured surface contribution is expected far below 6K_s/D; "
           "the error bars say whether it is seen at all. Both settings keep the dipolar term (the default), so "
           "the barrier itself also holds the magnetostatic shape anisotropy of the faceted particle and of its "
           "thermal disorder (docs/validation.md §3b, §6), which is not part of K_V + 6K_s/D: the Néel term's "
           "share is the difference between the two settings, which the summary compares with 6K_s/D."),
    ("code", '''\
K1, K2 = MAGNETITE.anisotropy["K1_J_per_m3"], MAGNETITE.anisotropy["K2_J_per_m3"]
assert K1 < 0 and K2 <= 0, "the bulk barrier below is that of easy <111> axes (K1 < 0, K2 ≤ 0)"
K_V = abs(K1) / 12 + abs(K2) / 27   # J/m³: bulk cubic barrier <111> → <110> → <111> of the room-temperature K1, K2
print(f"K_V = |K1|/12 + |K2|/27 = {K_V:.4g} J/m³ (K1 = {K1:g}, K2 = {K2:g} J/m³); K_s = {K_S:g} J/m²")
ls_rows = []
for D in CFG["ls_sizes"]:
    atoms = particles.get(D) or S.build_particle("Fe3O4", shape="sphere", diameter_nm=D, seed=SEED)
    for s in ("Néel off", DEFAULT):
        model = pmodels.get((s, D)) or SpinModel.from_atoms(atoms, anisotropy_reference=K_REF_T, **SURFACE[s])
        r = M.anisotropy_landscape(model, T_BODY, n_directions=26, sweeps=CFG["ls_sweeps"], seed=SEED)
        ls_rows.append(dict(D=D, s=s, b=r.barrier_J_per_m3, e=r.barrier_err_J / r.volume_m3, n_min=len(r.minima),
                            chi2=r.chi2_per_dof, n_eff=r.n_eff_min))
        print(f"D = {D:4.1f} nm, {s:<30s} barrier/V = {r.barrier_J_per_m3:8.4g} ± {r.barrier_err_J / r.volume_m3:.2g} "
              f"J/m³ ({r.barrier_over_kT:.3g} k_BT), {len(r.minima)} minima, χ²/dof {r.chi2_per_dof:.3g}, "
              f"n_eff_min {r.n_eff_min:.3g}; 6K_s/D = {6 * K_S / (D * 1e-9):.3g} J/m³")
fig, ax = plt.subplots(figsize=(6, 4))
for s in ("Néel off", DEFAULT):
    rows = [r for r in ls_rows if r["s"] == s]
    ax.errorbar([r["D"] for r in rows], [r["b"] for r in rows], yerr=[r["e"] for r in rows], fmt="o", capsize=3,
                label=f"landscape barrier/V, {s}")
dd = np.linspace(min(CFG["ls_sizes"]) * 0.9, max(CFG["ls_sizes"]) * 1.1, 50)
ax.plot(dd, K_V + 6 * K_S / (dd * 1e-9), "k--", label=f"K_V + 6K_s/D (K_s = {K_S:g} J/m²)")
ax.axhline(K_V, color="0.5", ls=":", label="bulk barrier |K1|/12 + |K2|/27")
ax.set_xlabel("D (nm)"); ax.set_ylabel("barrier / V (J/m³)"); ax.set_yscale("log"); ax.legend(fontsize=7)
ax.set_title(f"T = {T_BODY:g} K" + ("" if FULL else " (CI size: not converged)"))
fig.tight_layout()'''),
    ("md", "## Summary\nComputed from the numbers above (at CI size: not converged, see Size)."),
    ("code", '''\
if not FULL:
    print(f"CI size ({CFG['sizes'][0]:g}–{CFG['sizes'][-1]:g} nm, short runs): the numbers below are NOT converged.")
sd = ss[DEFAULT]
print(f"Default model, from {sd.diameters_nm[-1]:g} nm to {sd.diameters_nm[0]:g} nm: Tc changes by "
      f"{sd.tc_K[0] - sd.tc_K[-1]:+.0f} K (χ-peak grid {np.diff(CFG['temps']).max():g} K), Ms({T_BODY:g} K) by "
      f"{sd.Ms_A_per_m[0] / sd.Ms_A_per_m[-1] - 1:+.1%}.")
off = "Néel off"
for s in SURFACE:
    d, e = dls[s].d_nm, dls[s].d_err_nm
    line = f"{s:<36s} dead layer {d:.3f} ± {e:.3f} nm"
    if s != off:
        dd_, de = d - dls[off].d_nm, np.hypot(e, dls[off].d_err_nm)
        dc, dce = prof[s]["shell"] - prof[off]["shell"], np.hypot(prof[s]["shell_err"], prof[off]["shell_err"])
        line += (f"; vs Néel off: Δd = {dd_:+.3f} ± {de:.3f} nm ({verdict(dd_, de)}), surface canting at "
                 f"{D_MAX:g} nm {dc:+.2f} ± {dce:.2f}° ({verdict(dc, dce)})")
    print(line)
for D in CFG["ls_sizes"]:
    a, b = [next(r for r in ls_rows if r["D"] == D and r["s"] == s) for s in (off, DEFAULT)]
    diff, err = b["b"] - a["b"], np.hypot(a["e"], b["e"])
    print(f"D = {D:g} nm: the default Néel term changes the barrier/V by {diff:+.4g} ± {err:.2g} J/m³ "
          f"({verdict(diff, err)}); the 6K_s/D form would add {6 * K_S / (D * 1e-9):.3g} J/m³")'''),
    ("code", FOOTER),
]

# --------------------------------------------------------------------------------------------------------------
NB4 = [
    ("md", "# 04 · SAR design map\n\n"
           "Magnetic hyperthermia design with atomistic inputs: the anisotropy landscape and Ms at T_BODY are "
           "measured on a perfect and on a defect-engineered particle (vacancies + one APB); each becomes a "
           "`sar.Particle` whose SAR is computed over diameters 8–50 nm at a clinical design point, on a SAR(f, H0) "
           "map with the Brezovich and Hergt–Dutz H·f limits.\n\n"
           "Assumption of this notebook (a method, not a result): the free-energy density F(n̂)/V and Ms measured "
           "on the simulated diameter are used unchanged for the 8–50 nm design range (`sar.size_sweep` replaces "
           "only the volume, so every barrier scales with V). The size dependence of the landscape itself (surface "
           "and defect terms ∝ 1/D) is measured in notebooks 03 and 05. Dipolar coupling *between* particles is "
           "not covered: it needs stochastic LLG (`sar.ensemble_sar(..., volume_fraction=...)`, `sar.llg_sar(..., "
           "positions=...)`), whose time step for these anisotropy fields (≈ 0.3 ps) means ≈ 10⁷ steps per "
           "300 kHz cycle, beyond a notebook run.\n\n" + SIZE_MD + "\n\n" + DEFAULTS_MD
           + "\n\n" + CONVENTIONS_MD),
    ("code", HEADER),
    ("code", '''\
SEED = 1
T_BODY = 310.0           # K, 37 °C (derived: 273.15 K + 37 K, rounded)
K_REF_T = 300.0          # K: anisotropy_reference (room-temperature K1, K2 at 300 K; the CLI default)
DELTA = 0.1              # Fe vacancies per formula unit of the defect-engineered particle (study variable)
F0 = 300e3               # Hz, design frequency (study variable)
# largest amplitude within the Hergt–Dutz limit H·f ≤ 5e9 A m⁻¹ s⁻¹ (sar.HERGT_DUTZ_LIMIT), rounded down to 100 A/m
H0_DESIGN = np.floor(sar.HERGT_DUTZ_LIMIT / F0 / 100.0) * 100.0

CFG = {
    "ci": dict(d_nm=3.0, ls_sweeps=100, n_orient=8, diameters_nm=[8.0, 20.0, 50.0],
               f_map=[100e3, 300e3, 600e3], h_map=[4e3, 12e3, 20e3]),
    "full": dict(d_nm=8.0, ls_sweeps=1200, n_orient=48, diameters_nm=list(np.arange(8.0, 50.1, 1.0)),
                 f_map=list(np.linspace(50e3, 1e6, 12)), h_map=list(np.linspace(2e3, 30e3, 10))),
}[SIZE]
# ls_sweeps: constrained sweeps per landscape direction; n_orient: orientation quadrature points of the SAR
# master equation (sar_from_particle's default is 48).
# The CI grid is three diameters (8, 20, 50 nm) across the design range: the barrier grows with the volume (its
# value in k_BT at each is printed below); the model sar_from_particle picks is printed at the optimum. The full
# run covers 8–50 nm in 1 nm steps.
DIAMETERS = np.array(CFG["diameters_nm"]) * 1e-9   # m, design range 8–50 nm
F_MAP, H_MAP = np.array(CFG["f_map"]), np.array(CFG["h_map"])   # Hz, A/m
print(f"design point: f = {F0 / 1e3:g} kHz, H0 = {H0_DESIGN / 1e3:.1f} kA/m, safety {sar.field_safety(F0, H0_DESIGN)}")'''),
    ("md", "## Atomistic inputs\n" + LANDSCAPE_MD + KREF_MD),
    ("code", '''\
perfect = S.build_particle("Fe3O4", shape="sphere", diameter_nm=CFG["d_nm"], seed=SEED)
structures = {
    "perfect": perfect,
    f"vacancies δ={DELTA} + APB (110)": S.insert_apb(S.add_vacancies(perfect, DELTA, seed=SEED), plane=(1, 1, 0),
                                                     seed=SEED),
}
NAMES = list(structures)
models = {n: SpinModel.from_atoms(a, anisotropy_reference=K_REF_T) for n, a in structures.items()}
''' + SAR_HELPER + '''


lands = {name: M.anisotropy_landscape(model, T_BODY, n_directions=26, sweeps=CFG["ls_sweeps"], seed=SEED)
         for name, model in models.items()}
particles = {name: sar.particle_from_measurements(landscape=r) for name, r in lands.items()}
for name, r in lands.items():
    print(f"{name:<28s} Ms({T_BODY:g} K) = {r.Ms_A_per_m / 1e3:6.1f} ± {r.Ms_err_A_per_m / 1e3:.1f} kA/m; barrier/V = "
          f"{r.barrier_J_per_m3:.4g} ± {r.barrier_err_J / r.volume_m3:.2g} J/m³ ({len(r.minima)} minima, "
          f"{len(r.saddles)} saddles; χ²/dof {r.chi2_per_dof:.3g}, n_eff_min {r.n_eff_min:.3g}"
          + ("" if np.isnan(r.refresh_windows_min) else f", refresh windows ≥ {r.refresh_windows_min:.3g}") + ")")
print("particle sources:", particles[NAMES[0]].source)'''),
    ("md", "## SAR versus diameter at the design point\n`sar.size_sweep` with each landscape particle at every "
           "diameter of `DIAMETERS` (8–50 nm), immobilised, with the landscape model `sar_from_particle` picks per "
           "diameter (Brown's Fokker–Planck equation where the lowest zero-field barrier out of any minimum is "
           "below `sar.heating.FP_SIGMA_MAX` k_BT, the escape-rate master equation over the minima above; the "
           "model and the reason are printed at the optimum)."),
    ("code", '''\
best = {}
shown = DIAMETERS if len(DIAMETERS) <= 5 else DIAMETERS[[0, len(DIAMETERS) // 2, -1]]
for name, r in lands.items():   # the landscape F/V is kept, so every barrier scales with the volume
    print(f"{name:<28s} barrier_J / k_BT (out of the global minimum) at D = " + ", ".join(
        f"{x * 1e9:g} nm: {r.barrier_J_per_m3 * np.pi / 6 * x ** 3 / (K_B * T_BODY):.3g}" for x in shown)
          + f"; immobilised, sar_from_particle uses the Fokker–Planck equation below {sar.heating.FP_SIGMA_MAX:g} k_BT "
          "out of any minimum, the escape-rate master equation above")
fig, ax = plt.subplots(figsize=(6.5, 4.2))
for name, p in particles.items():
    d, s, d_best = sar.size_sweep(F0, H0_DESIGN, DIAMETERS, p, model="auto", seed=SEED, n_orientations=CFG["n_orient"])
    best[name] = (d_best, float(s.max()))
    blocked = s < 1e-12   # blocked at this field: no loop opens, SAR zero to rounding (not drawn on the log axis)
    if blocked.any():
        print(f"{name:<28s} SAR < 1e-12 W/g (blocked: no escape over the barrier within a cycle at this field) at D = "
              + ", ".join(f"{x * 1e9:g}" for x in d[blocked]) + " nm")
    ax.plot(d * 1e9, np.where(blocked, np.nan, s), "o-", ms=3, label=name)
    ax.axvline(d_best * 1e9, color=ax.lines[-1].get_color(), ls=":", lw=1)
ax.set_xlabel("diameter (nm)"); ax.set_ylabel("SAR (W per g of oxide)"); ax.set_yscale("log"); ax.legend(fontsize=8)
ax.set_title(f"f = {F0 / 1e3:g} kHz, H0 = {H0_DESIGN / 1e3:.1f} kA/m, T = {T_BODY:g} K, immobilised"
             + ("" if FULL else " (CI size: not converged)"), fontsize=9)
opt = {}
for name, p in particles.items():
    d_best, _ = best[name]
    q = p.replace(volume_m3=float(np.pi / 6 * d_best ** 3))
    rep, err = sar_with_error(q, lands[name], F0, H0_DESIGN, n_orientations=CFG["n_orient"])
    opt[name] = (q, rep, err)
    line = (f"{name:<28s} optimum D = {d_best * 1e9:.1f} nm on the grid: SAR = {rep.sar_W_per_g:.4g} ± {err:.2g} W/g, "
            f"ILP = {rep.ilp_nHm2_per_kg:.3g} nH m²/kg; model {rep.model}: {rep.regime['reason']}")
    if d_best in (DIAMETERS[0], DIAMETERS[-1]):
        line += " [optimum at the edge of the diameter grid]"
    print(line)'''),
    ("md", "## SAR(f, H0) map with safety limits\nAt the optimum diameter of the defect-engineered particle, "
           "for both landscapes (immobilised; the model of each point chosen as above)."),
    ("code", '''\
D_MAP = best[NAMES[1]][0]
maps = {name: sar.sar_map(F_MAP, H_MAP, p.replace(volume_m3=float(np.pi / 6 * D_MAP ** 3)), model="auto", seed=SEED,
                          n_orientations=CFG["n_orient"], allow_nonclinical=True)
        for name, p in particles.items()}
safe = np.array([[sar.field_safety(f, h)["hergt_dutz_ok"] for f in F_MAP] for h in H_MAP])
safe_brez = np.array([[sar.field_safety(f, h)["brezovich_ok"] for f in F_MAP] for h in H_MAP])
for name, m in maps.items():
    fig = sar.plot_sar_map(F_MAP, H_MAP, m)
    fig.axes[0].set_title(f"{name}, D = {D_MAP * 1e9:.1f} nm" + ("" if FULL else " (CI grid, not converged)"), fontsize=9)
    for label, mask in (("Hergt–Dutz", safe), ("Brezovich", safe_brez)):
        if not mask.any():
            print(f"{name:<28s} no grid point within the {label} limit")
            continue
        k = np.unravel_index(np.argmax(np.where(mask, m, -np.inf)), m.shape)
        print(f"{name:<28s} best within {label:<11s}: SAR = {m[k]:.4g} W/g at f = {F_MAP[k[1]] / 1e3:.0f} kHz, "
              f"H0 = {H_MAP[k[0]] / 1e3:.1f} kA/m")'''),
    ("md", "## Summary\nComputed from the numbers above (at CI size: not converged, see Size)."),
    ("code", '''\
if not FULL:
    print(f"CI size (landscapes of {CFG['d_nm']:g} nm particles, short runs): the numbers below are NOT converged.")
(qp, rp, ep), (qd, rd, ed) = opt[NAMES[0]], opt[NAMES[1]]
print(f"At f = {F0 / 1e3:g} kHz, H0 = {H0_DESIGN / 1e3:.1f} kA/m (Hergt–Dutz limit): optimum diameter "
      f"{best[NAMES[0]][0] * 1e9:.1f} nm (perfect) vs {best[NAMES[1]][0] * 1e9:.1f} nm (defect-engineered) on the grid.")
ratio, rerr = ratio_with_error(rd.sar_W_per_g, ed, rp.sar_W_per_g, ep)
print(f"Best SAR defect-engineered / perfect = {ratio:.3g} ± {rerr:.2g} ({verdict(ratio - 1.0, rerr)}).")
a, b = lands[NAMES[1]], lands[NAMES[0]]
dMs, eMs = a.Ms_A_per_m - b.Ms_A_per_m, np.hypot(a.Ms_err_A_per_m, b.Ms_err_A_per_m)
dB, eB = a.barrier_J_per_m3 - b.barrier_J_per_m3, np.hypot(a.barrier_err_J / a.volume_m3, b.barrier_err_J / b.volume_m3)
print(f"Ms({T_BODY:g} K) of the defect-engineered particle differs by {dMs / b.Ms_A_per_m:+.1%} ({verdict(dMs, eMs)}); "
      f"its barrier/V by {dB:+.4g} ± {eB:.2g} J/m³ ({verdict(dB, eB)}).")'''),
    ("code", FOOTER),
]


def main():
    for fname, cells in (("01_defected_vs_defect_free.ipynb", NB1), ("02_apb_spin_disorder.ipynb", NB2),
                         ("03_size_and_dead_layer.ipynb", NB3), ("04_sar_design_map.ipynb", NB4)):
        nb = _nb(cells)
        nbformat.validate(nb)
        nbformat.write(nb, HERE / fname)
        print("wrote", HERE / fname)


if __name__ == "__main__":
    main()
