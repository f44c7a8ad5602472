"""Regenerate the four user notebooks (stored without outputs).

Run from anywhere: ``python notebooks/_make_notebooks.py``. Each notebook reads ``ATOMSPIN_NB_SIZE``
("ci" default: 3–4 nm particles and short runs; "full": 8–12 nm particles and proper sweeps). The cells only
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
print(f"ATOMSPIN_NB_SIZE = {SIZE!r}")'''

FOOTER = 'print(f"notebook run time: {time.perf_counter() - _T_START:.1f} s (size setting {SIZE!r})")'

SIZE_MD = ("**Size.** `ATOMSPIN_NB_SIZE=ci` (default) runs tiny particles with very short Monte Carlo runs so "
           "that the notebook executes in about a minute (that is how CI runs it): its numbers show that the "
           "pipeline works and are *not* converged. `ATOMSPIN_NB_SIZE=full` runs the sizes and sweep counts a "
           "study needs (hours on a workstation).")

# Conventions shared by all notebooks (stated, not results)
CONVENTIONS_MD = ("Conventions (see `atomspin.units`, `atomspin.model.core`): positions Å, temperatures K, "
                  "fields μ0H in tesla at the Monte Carlo API and H in A/m for SAR, model energies meV, unit spins, "
                  "E = −Σ_{i<j} J_ij ŝi·ŝj − Σ ŝᵀQŝ + cubic − Σ m μB B·ŝ. Default parameters are the cited sets "
                  "shipped with the package (`atomspin/model/params/magnetite.toml`).")

KEFF_RULE_MD = ("**K_eff·V.** `measure.effective_anisotropy` integrates the constrained Monte Carlo torque along "
                "great circles from the trial easy axis [111] (Asselin, Evans & Chantrell, PRB 82, 054415 (2010)). "
                "The free-energy barrier ΔF along the sampled paths is used as K_eff·V for the Néel time "
                "τ_N = τ0 exp(ΔF/k_BT). Rule used below: ΔF counts as *resolved* when it exceeds twice the "
                "standard error of the torque-fit amplitude (`torque_amplitude_2theta_err_meV`); otherwise the SAR uses the package's "
                "cited bulk value `sar.K_MAGNETITE_EFF` and says so.")
KEFF_REF_MD = (" The models are built with `anisotropy_reference=K_REF_T` (300 K): a classical single-ion cubic "
               "term is thermally reduced as m¹⁰, so the per-site constants are scaled up to make Monte Carlo at "
               "300 K reproduce the room-temperature K1, K2 (without it K(300 K) would be only ≈ 22 % of K1).")

KEFF_HELPER = '''\
def keff_for_sar(ea, label):
    """K_eff (J/m³) for the SAR: the measured barrier ΔF/V when resolved, else the cited bulk value."""
    resolved = ea.barrier_meV > 2 * ea.torque_amplitude_2theta_err_meV
    if resolved:
        return ea.barrier_J / ea.volume_m3, "measured ΔF/V"
    print(f"{label}: ΔF = {ea.barrier_meV:.3g} meV is not above 2σ = {2 * ea.torque_amplitude_2theta_err_meV:.3g} meV; "
          f"SAR uses sar.K_MAGNETITE_EFF = {sar.K_MAGNETITE_EFF:g} J/m³")
    return sar.K_MAGNETITE_EFF, "sar.K_MAGNETITE_EFF (not resolved)"'''


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
           "K_eff·V → SAR versus field amplitude. The last cell states the comparison from the numbers computed "
           "here.\n\n" + SIZE_MD + "\n\n" + CONVENTIONS_MD),
    ("code", HEADER),
    ("md", "## Parameters\nStudy variables (chosen, not physical constants) and run lengths for each size setting."),
    ("code", '''\
SEED = 1                 # every stochastic call below takes this seed: same seed → same numbers
T_BODY = 310.0           # K, 37 °C (derived: 273.15 K + 37 K, rounded)
K_REF_T = 300.0          # K: the shipped K1, K2 are room-temperature values; anisotropy_reference=300 makes
#                          Monte Carlo at 300 K reproduce them (docs/validation.md §2; the CLI default)
F_HZ = 300e3             # Hz, field frequency studied (study variable)
DELTA = 0.1              # Fe vacancies per formula unit, Fe(3−δ)O4 (study variable, allowed [0, 1/3])
APB_PLANE = (1, 1, 0)    # {110} APBs are the stable ones (McKenna et al., Nat. Commun. 5, 5740 (2014))
H0_VALUES = np.linspace(2e3, 30e3, 15)   # A/m, SAR-versus-field axis
# "auto" picks LRT, Stoner–Wohlfarth or the kinetic master equation by sar.regime; the kinetic model takes
# seconds per point, so the CI run uses linear response throughout (its regime is printed).
SAR_MODEL = "auto" if FULL else "lrt"

CFG = {
    "ci": dict(d_nm=3.0, eq_sweeps=500, temps=[310.0, 600.0, 900.0], ts_sweeps=150, ts_eq=100,
               B_max=3.0, n_branch=12, loop_sweeps=50, ka_angles=5, ka_planes=1, ka_sweeps=100, ka_eq=50),
    "full": dict(d_nm=8.0, eq_sweeps=5000, temps=sorted({*np.arange(100.0, 1001.0, 50.0), 310.0}),
                 ts_sweeps=2000, ts_eq=1000, B_max=3.0, n_branch=30, loop_sweeps=2000,
                 ka_angles=9, ka_planes=3, ka_sweeps=2000, ka_eq=1000),
}[SIZE]
# realisations (structure seeds) for the mean ± standard-error table at the end
CFG.update({"ci": dict(n_real=2, cmp_n_branch=12, cmp_sweeps=20),
            "full": dict(n_real=4, cmp_n_branch=20, cmp_sweeps=300)}[SIZE])
CFG'''),
    ("md", "## Structures\nA perfect sphere, the same sphere with random B-site vacancies (charge compensated by "
           "Fe²⁺ → Fe³⁺), and the same sphere with one APB through its centre."),
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
           "an equilibrium-sampling move) is added, so the loop approaches equilibrium M(H): for these particles "
           "ΔF/k_BT ≪ 1 (below), i.e. a closed superparamagnetic curve."),
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
    ("md", "## Effective anisotropy K_eff·V\n" + KEFF_RULE_MD + KEFF_REF_MD),
    ("code", '''\
keff = {name: M.effective_anisotropy(model, T_BODY, easy_axis=(1.0, 1.0, 1.0), n_angles=CFG["ka_angles"],
                                     n_planes=CFG["ka_planes"], sweeps=CFG["ka_sweeps"],
                                     equilibration_sweeps=CFG["ka_eq"], seed=SEED)
        for name, model in models.items()}
fig, ax = plt.subplots(figsize=(6, 4))
for name, ea in keff.items():
    p = int(np.argmin(np.ptp(ea.free_energy_meV, axis=1)))
    ax.plot(np.degrees(ea.theta), ea.free_energy_meV[p], "o-", label=name)
ax.set_xlabel("θ from [111] (°)"); ax.set_ylabel("F(θ) − F(0) (meV)"); ax.legend()
for name, ea in keff.items():
    print(f"{name:<18s} ΔF = {ea.barrier_meV:9.4g} meV = {ea.barrier_J:.3e} J   a1 = {ea.torque_amplitude_2theta_meV:9.4g} ± "
          f"{ea.torque_amplitude_2theta_err_meV:.3g} meV   ΔF/k_BT = {ea.barrier_J / (K_B * T_BODY):.3g}")'''),
    ("md", "## SAR versus field amplitude\n`sar.sar_from_particle` with Ms(T_BODY) from the M(T) run, the "
           "particle volume of the model, K_eff from the rule above and `SAR_MODEL` (full run: `\"auto\"`, i.e. "
           "linear response, Stoner–Wohlfarth or the kinetic model as `sar.regime` decides; CI run: linear "
           "response only, with the regime printed). The quasi-static SAR from the "
           "Monte Carlo loop area is printed apart: Monte Carlo time is not physical time."),
    ("code", KEFF_HELPER + '''

K_SAR = {}
for name, ea in keff.items():
    K_SAR[name], src = keff_for_sar(ea, name)
    print(f"{name:<18s} K_eff for SAR = {K_SAR[name]:.4g} J/m³ ({src})")

reports = {name: [sar.sar_from_particle(tsweep[name], loops[name], f=F_HZ, H0=h, K_eff=K_SAR[name], T=T_BODY,
                                        model=SAR_MODEL, seed=SEED) for h in H0_VALUES] for name in models}
fig, ax = plt.subplots(figsize=(6, 4))
for name, reps in reports.items():
    ax.plot(H0_VALUES / 1e3, [r.sar_W_per_g for r in reps], "o-", ms=3, label=name)
ax.axvline(sar.HERGT_DUTZ_LIMIT / F_HZ / 1e3, color="r", ls="-", label="Hergt–Dutz H·f limit")
ax.axvline(sar.BREZOVICH_LIMIT / F_HZ / 1e3, color="k", ls="--", label="Brezovich H·f limit")
ax.set_xlabel("H0 (kA/m)"); ax.set_ylabel("SAR (W/g)"); ax.set_yscale("log"); ax.legend(fontsize=8)
ax.set_title(f"f = {F_HZ / 1e3:g} kHz, T = {T_BODY:g} K, D = {CFG['d_nm']:g} nm")

safe = [k for k, h in enumerate(H0_VALUES) if sar.field_safety(F_HZ, h)["hergt_dutz_ok"]]
K_SAFE = safe[-1] if safe else 0
for name, reps in reports.items():
    r = reps[K_SAFE]
    print(f"{name:<18s} H0 = {r.H0_A_per_m / 1e3:.1f} kA/m: SAR = {r.sar_W_per_g:.4g} W/g ({r.model}, regime "
          f"{r.regime['regime']}), ILP = {r.ilp_nHm2_per_kg:.4g} nH m²/kg; quasi-static MC loop: "
          f"{r.quasistatic_sar_W_per_g:.4g} W/g")'''),
    ("md", "## Realisations\nThe structures above are one realisation each. `measure.compare_variants` repeats a "
           "shorter protocol (`measure.standard_protocol`: loop at T_BODY, then canting at the largest field) on "
           "`n_real` structure seeds per variant (vacancy positions and Fe²⁺/Fe³⁺ arrangement change with the "
           "seed) and tabulates mean ± standard error and the difference from the defect-free particle."),
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
    ("md", "## Comparison\nEvery statement below is computed from the numbers above; a difference is called "
           "resolved only when it exceeds twice its standard error."),
    ("code", '''\
def verdict(diff, err):
    return "resolved" if np.isfinite(err) and abs(diff) > 2 * err else "not resolved (< 2σ)"

ms_ref, ms_ref_err = ms_at(tsweep[REF], T_BODY)
mb_ref, mb_ref_err = m_at_bmax(loops[REF])
sar_ref = reports[REF][K_SAFE].sar_W_per_g
for name in NAMES[1:]:
    ms, ms_err = ms_at(tsweep[name], T_BODY)
    mb, mb_err = m_at_bmax(loops[name])
    d_can = disorder[name].mean_canting_deg - disorder[REF].mean_canting_deg
    d_kv = keff[name].barrier_meV - keff[REF].barrier_meV
    kv_err = np.hypot(keff[name].torque_amplitude_2theta_err_meV, keff[REF].torque_amplitude_2theta_err_meV)
    print(f"— {name} versus {REF} (D = {CFG['d_nm']:g} nm, T = {T_BODY:g} K):")
    print(f"   Ms changes by {ms / ms_ref - 1:+.1%} ({verdict(ms - ms_ref, np.hypot(ms_err, ms_ref_err))})")
    print(f"   M({CFG['B_max']:g} T) changes by {mb / mb_ref - 1:+.1%} "
          f"({verdict(mb - mb_ref, np.hypot(mb_err, mb_ref_err))})")
    print(f"   mean canting changes by {d_can:+.2f}°; Tc (χ peak) {tsweep[name].tc_chi_peak - tsweep[REF].tc_chi_peak:+.0f} K")
    print(f"   K_eff·V barrier changes by {d_kv:+.3g} meV ({verdict(d_kv, kv_err)})")
    print(f"   SAR at {H0_VALUES[K_SAFE] / 1e3:.1f} kA/m, {F_HZ / 1e3:g} kHz: × {reports[name][K_SAFE].sar_W_per_g / sar_ref:.3g}")
    v = cmp.variants.index(name)
    for metric in ("Ms_A_per_m", "mean_canting_deg", "Bc_T"):
        k = cmp.metrics.index(metric)
        print(f"   over {cmp.n_realisations} realisations: Δ{metric} = {cmp.delta[v, k]:+.4g} ± {cmp.delta_sem[v, k]:.2g} "
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
           "same central (110) plane.\n\n" + SIZE_MD + "\n\n" + CONVENTIONS_MD),
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
for T in CFG["temps"]:
    print(f"T = {T:g} K")
    ref_hi = row(T, "no APB", B_hi)
    ranking = []
    for name in NAMES[1:]:
        r = row(T, name, B_hi)
        d = r["m"] - ref_hi["m"]
        err = np.hypot(r["m_err"], ref_hi["m_err"])
        ranking.append((d, name))
        flag = "resolved" if abs(d) > 2 * err else "not resolved (< 2σ)"
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
           "the canting profile versus depth, and the effect of Néel surface anisotropy on the surface canting "
           "and on K_eff·V.\n\n" + SIZE_MD + "\n\n" + CONVENTIONS_MD),
    ("code", HEADER),
    ("code", '''\
SEED = 1
T_BODY = 310.0           # K, 37 °C (derived: 273.15 K + 37 K, rounded); Ms(D) is read here
T_LOW = 10.0             # K, surface-anisotropy study (thermal disorder small)
# Néel pair surface anisotropy per bond (meV). Range quoted in atomspin.model.build.from_atoms:
# k_s ≈ 0.01–1 K per atom ≈ 0.001–0.1 meV, the range of Monte Carlo studies of ferrite particles (unconfirmed,
# [U] in docs/parameters.md terms); scanned across that range.
CFG = {
    "ci": dict(sizes=[3.0, 3.5, 4.0], temps=[310.0, 500.0, 600.0, 700.0, 800.0, 900.0, 1000.0], sweeps=150, eq=80,
               bulk_repeat=3,
               eq_sweeps=500, ks_meV=[0.0, 0.1], ka_angles=5, ka_sweeps=100, ka_eq=50),
    "full": dict(sizes=[4.0, 6.0, 8.0, 10.0, 12.0], temps=sorted({*np.arange(100.0, 1001.0, 50.0), 310.0}),
                 sweeps=2000, eq=1000, bulk_repeat=6, eq_sweeps=5000, ks_meV=[0.0, 0.01, 0.03, 0.1],
                 ka_angles=9, ka_sweeps=2000, ka_eq=1000),
}[SIZE]
CFG'''),
    ("md", "## M(T) for each size and for the periodic bulk"),
    ("code", '''\
particles = {D: S.build_particle("Fe3O4", shape="sphere", diameter_nm=D, seed=SEED) for D in CFG["sizes"]}
pmodels = {D: SpinModel.from_atoms(a) for D, a in particles.items()}
bulk_model = SpinModel.from_atoms(S.build_bulk("Fe3O4", repeat=(CFG["bulk_repeat"],) * 3, seed=SEED))
sweep_kw = dict(sweeps=CFG["sweeps"], equilibration_sweeps=CFG["eq"], seed=SEED)
ts = {D: M.temperature_sweep(m, CFG["temps"], **sweep_kw) for D, m in pmodels.items()}
ts_bulk = M.temperature_sweep(bulk_model, CFG["temps"], **sweep_kw)
for D, r in ts.items():
    print(f"D = {D:5.1f} nm: {pmodels[D].n:6d} spins, {r.elapsed_s:6.1f} s")
print(f"bulk {CFG['bulk_repeat']}³ cells: {bulk_model.n} spins, {ts_bulk.elapsed_s:.1f} s")

fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4))
for D, r in ts.items():
    ax0.plot(r.T, r.Ms_A_per_m / 1e3, "o-", ms=3, label=f"{D:g} nm")
    r.plot(ax=ax1, quantity="chi", label=f"{D:g} nm")
ax0.plot(ts_bulk.T, ts_bulk.Ms_A_per_m / 1e3, "k--", label="bulk (periodic)")
ax0.set_xlabel("T (K)"); ax0.set_ylabel("Ms (kA/m)"); ax0.legend(); ax1.legend()
fig.tight_layout()'''),
    ("md", "## Tc(D), Ms(D) and the dead layer"),
    ("code", '''\
ss = M.size_series([ts[D] for D in CFG["sizes"]], CFG["sizes"], T_ms=T_BODY)
k_body = [int(np.argmin(np.abs(ts[D].T - T_BODY))) for D in ss.diameters_nm]
ms_err = np.array([ts[D].m_err[k] * ts[D].Ms_A_per_m[k] / ts[D].m[k] for D, k in zip(ss.diameters_nm, k_body)])
tc_bulk = ts_bulk.tc_chi_peak
ms_bulk_sim = float(np.interp(T_BODY, ts_bulk.T, ts_bulk.Ms_A_per_m))
for D, tc, ms, e in zip(ss.diameters_nm, ss.tc_K, ss.Ms_A_per_m, ms_err):
    print(f"D = {D:5.1f} nm: Tc(χ peak) = {tc:6.0f} K ({tc / tc_bulk:.3f} of bulk), "
          f"Ms({T_BODY:g} K) = {ms / 1e3:6.1f} ± {e / 1e3:.1f} kA/m ({ms / ms_bulk_sim:.3f} of bulk)")
print(f"bulk (periodic): Tc(χ peak) = {tc_bulk:.0f} K, Ms({T_BODY:g} K) = {ms_bulk_sim / 1e3:.1f} kA/m; "
      f"experiment: Ms(300 K) = {sar.MS_MAGNETITE_300K / 1e3:.0f} kA/m (sar.MS_MAGNETITE_300K)")
print("Tc grid spacing near the peaks:", np.diff(CFG["temps"]).max(), "K")

dl = M.dead_layer_fit(ss.diameters_nm, ss.Ms_A_per_m, Ms_err=ms_err)
print(f"dead layer d = {dl.d_nm:.3f} ± {dl.d_err_nm:.3f} nm; fitted Ms_bulk = {dl.Ms_bulk / 1e3:.1f} ± "
      f"{dl.Ms_bulk_err / 1e3:.1f} kA/m vs periodic bulk {ms_bulk_sim / 1e3:.1f} kA/m "
      f"({dl.Ms_bulk / ms_bulk_sim - 1:+.1%})")
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4))
dl.plot(ax=ax0)
ax0.axhline(ms_bulk_sim, color="k", ls=":", label="periodic bulk")
ax0.set_ylabel(f"Ms({T_BODY:g} K) (A/m)"); ax0.legend()
ss.plot(ax=ax1)
fig.tight_layout()'''),
    ("md", "## Canting versus depth at body temperature\nEach particle is equilibrated at T_BODY in zero "
           "field; the moment-weighted canting per depth bin is compared with the fitted dead-layer thickness."),
    ("code", '''\
fig, ax = plt.subplots(figsize=(6, 4))
for D, model in pmodels.items():
    sim = Simulation(model, T=T_BODY, seed=SEED)
    sim.run(CFG["eq_sweeps"])
    r = M.spin_disorder(model, sim.spins, atoms=particles[D])
    r.plot(kind="depth", ax=ax, label=f"{D:g} nm")
    ok = np.isfinite(r.depth_canting_deg)
    print(f"D = {D:4.1f} nm: canting {r.depth_canting_deg[ok][0]:6.2f}° in the outer bin "
          f"(depth < {r.depth_bins_nm[1] - r.depth_bins_nm[0]:.2f} nm) vs {r.depth_canting_deg[ok][-1]:6.2f}° at the centre")
ax.axvline(dl.d_nm, color="k", ls=":", label=f"fitted dead layer {dl.d_nm:.2f} nm")
ax.legend(fontsize=8)'''),
    ("md", "## Néel surface anisotropy\nSurface sites: cations missing at least one O neighbour "
           "(`label_surface(min_missing=1)`). For each k_s the particle (largest size of the series) is "
           "equilibrated at T_LOW for the canting of surface versus core spins, and K_eff·V is measured at "
           "T_LOW.\n\n" + KEFF_RULE_MD.replace("**K_eff·V.**", "K_eff·V:")),
    ("code", '''\
D_KS = CFG["sizes"][-1]
surf_atoms = S.label_surface(particles[D_KS], min_missing=1)
ks_rows = []
for ks in CFG["ks_meV"]:
    model = SpinModel.from_atoms(surf_atoms, neel_ks_meV=ks)
    sim = Simulation(model, T=T_LOW, seed=SEED)
    sim.run(CFG["eq_sweeps"])
    dis = M.spin_disorder(model, sim.spins, atoms=surf_atoms)
    shell = np.asarray(model.region) == "shell"
    ea = M.effective_anisotropy(model, T_LOW, easy_axis=(1.0, 1.0, 1.0), n_angles=CFG["ka_angles"],
                                sweeps=CFG["ka_sweeps"], equilibration_sweeps=CFG["ka_eq"], seed=SEED)
    ks_rows.append(dict(ks=ks, shell=np.mean(dis.canting_deg[shell]), core=np.mean(dis.canting_deg[~shell]),
                        order=dis.order_parameter, dF=ea.barrier_meV, a1=ea.torque_amplitude_2theta_meV, a1_err=ea.torque_amplitude_2theta_err_meV))
print(f"D = {D_KS:g} nm, {int(shell.sum())} surface spins of {model.n}")
for r in ks_rows:
    print(f"k_s = {r['ks']:6.3f} meV: canting shell {r['shell']:6.2f}°, core {r['core']:6.2f}°, order {r['order']:.4f}, "
          f"ΔF = {r['dF']:.4g} meV, a1 = {r['a1']:.4g} ± {r['a1_err']:.3g} meV")
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4))
ks_arr = np.array([r["ks"] for r in ks_rows])
ax0.plot(ks_arr, [r["shell"] for r in ks_rows], "o-", label="surface"); ax0.plot(ks_arr, [r["core"] for r in ks_rows], "s-", label="core")
ax0.set_xlabel("k_s (meV)"); ax0.set_ylabel(f"mean canting at {T_LOW:g} K (°)"); ax0.legend()
ax1.errorbar(ks_arr, [r["a1"] for r in ks_rows], yerr=[r["a1_err"] for r in ks_rows], fmt="o-", label="a1 (torque fit)")
ax1.plot(ks_arr, [r["dF"] for r in ks_rows], "s--", label="ΔF barrier")
ax1.set_xlabel("k_s (meV)"); ax1.set_ylabel("K_eff·V (meV)"); ax1.legend()
fig.tight_layout()'''),
    ("md", "## Summary\nComputed from the numbers above."),
    ("code", '''\
D_small, D_large = ss.diameters_nm[0], ss.diameters_nm[-1]
print(f"From {D_large:g} nm to {D_small:g} nm: Tc changes by {ss.tc_K[0] - ss.tc_K[-1]:+.0f} K "
      f"(χ-peak grid {np.diff(CFG['temps']).max():g} K), Ms({T_BODY:g} K) by {ss.Ms_A_per_m[0] / ss.Ms_A_per_m[-1] - 1:+.1%}.")
print(f"Dead layer {dl.d_nm:.2f} ± {dl.d_err_nm:.2f} nm, i.e. {2 * dl.d_nm / D_large:.0%} of the radius of the "
      f"{D_large:g} nm particle.")
r0, r1 = ks_rows[0], ks_rows[-1]
err = np.hypot(r0["a1_err"], r1["a1_err"])
flag = "resolved" if abs(r1["a1"] - r0["a1"]) > 2 * err else "not resolved (< 2σ)"
print(f"k_s = {r1['ks']:g} meV versus 0: surface canting {r1['shell'] - r0['shell']:+.2f}°, core canting "
      f"{r1['core'] - r0['core']:+.2f}°, torque amplitude a1 {r1['a1'] - r0['a1']:+.3g} ± {err:.2g} meV ({flag}).")'''),
    ("code", FOOTER),
]

# --------------------------------------------------------------------------------------------------------------
NB4 = [
    ("md", "# 04 · SAR design map\n\n"
           "Magnetic hyperthermia design with atomistic inputs: Ms(T_BODY) and K_eff·V are measured on a perfect "
           "and on a defect-engineered particle (vacancies + one APB); those intensive values feed the SAR models "
           "of `atomspin.sar` for diameters 8–20 nm, a SAR(f, H0) map with the Brezovich and Hergt–Dutz H·f "
           "limits, and a dipolar-coupled pair whose local heat is compared with an isolated particle.\n\n"
           "Assumption of this notebook (a method, not a result): Ms and K_eff per volume measured on the "
           "simulated diameter are used unchanged for the 8–20 nm design range.\n\n" + SIZE_MD + "\n\n"
           + CONVENTIONS_MD),
    ("code", HEADER),
    ("code", '''\
SEED = 1
T_BODY = 310.0           # K, 37 °C (derived: 273.15 K + 37 K, rounded)
K_REF_T = 300.0          # K: the shipped K1, K2 are room-temperature values; anisotropy_reference=300 makes
#                          Monte Carlo at 300 K reproduce them (docs/validation.md §2; the CLI default)
DELTA = 0.1              # Fe vacancies per formula unit of the defect-engineered particle (study variable)
F0 = 300e3               # Hz, design frequency (study variable)
# largest amplitude within the Hergt–Dutz limit H·f ≤ 5e9 A m⁻¹ s⁻¹ (sar.HERGT_DUTZ_LIMIT), rounded down to 100 A/m
H0_DESIGN = np.floor(sar.HERGT_DUTZ_LIMIT / F0 / 100.0) * 100.0
DIAMETERS = np.linspace(8e-9, 50e-9, 169)         # m, design range (0.25 nm steps; the LRT optimum of a
#                                                   cubic-barrier particle, K_eff ≈ 700 J/m³, lies near 40 nm)
F_MAP = np.linspace(50e3, 1e6, 40)                # Hz
H_MAP = np.linspace(1e3, 30e3, 30)                # A/m
PAIR_GAP = 1e-9          # m, surface-to-surface gap of the interacting pair (study variable)

CFG = {
    "ci": dict(d_nm=3.0, ts_sweeps=300, ts_eq=200, ka_angles=5, ka_planes=1, ka_sweeps=100, ka_eq=50, llg_cycles=2),
    "full": dict(d_nm=8.0, ts_sweeps=3000, ts_eq=2000, ka_angles=9, ka_planes=3, ka_sweeps=2000, ka_eq=1000,
                 llg_cycles=20),
}[SIZE]
print(f"design point: f = {F0 / 1e3:g} kHz, H0 = {H0_DESIGN / 1e3:.1f} kA/m, safety {sar.field_safety(F0, H0_DESIGN)}")'''),
    ("md", "## Atomistic inputs\nMs from a Monte Carlo run at T_BODY, K_eff·V from constrained Monte Carlo.\n\n"
           + KEFF_RULE_MD + KEFF_REF_MD),
    ("code", '''\
perfect = S.build_particle("Fe3O4", shape="sphere", diameter_nm=CFG["d_nm"], seed=SEED)
structures = {
    "perfect": perfect,
    f"vacancies δ={DELTA} + APB (110)": S.insert_apb(S.add_vacancies(perfect, DELTA, seed=SEED), plane=(1, 1, 0),
                                                     seed=SEED),
}
NAMES = list(structures)
models = {n: SpinModel.from_atoms(a, anisotropy_reference=K_REF_T) for n, a in structures.items()}
''' + KEFF_HELPER + '''

inputs = {}
for name, model in models.items():
    ts = M.temperature_sweep(model, [T_BODY], sweeps=CFG["ts_sweeps"], equilibration_sweeps=CFG["ts_eq"], seed=SEED)
    ea = M.effective_anisotropy(model, T_BODY, easy_axis=(1.0, 1.0, 1.0), n_angles=CFG["ka_angles"],
                                n_planes=CFG["ka_planes"], sweeps=CFG["ka_sweeps"], equilibration_sweeps=CFG["ka_eq"],
                                seed=SEED)
    K, src = keff_for_sar(ea, name)
    inputs[name] = dict(Ms=float(ts.Ms_A_per_m[0]), Ms_err=float(ts.m_err[0] * ts.Ms_A_per_m[0] / ts.m[0]), K=K, K_src=src,
                        dF_meV=ea.barrier_meV, dF_err=ea.torque_amplitude_2theta_err_meV)
    i = inputs[name]
    print(f"{name:<28s} Ms({T_BODY:g} K) = {i['Ms'] / 1e3:6.1f} ± {i['Ms_err'] / 1e3:.1f} kA/m; "
          f"ΔF = {i['dF_meV']:.3g} meV; K_eff = {K:.4g} J/m³ ({src})")'''),
    ("md", "## SAR versus diameter at the design point\nLinear-response model (Rosensweig 2002, Néel "
           "relaxation, immobilised particles) over the whole range; at the optimum the validity regime is "
           "printed and the Stoner–Wohlfarth estimate (Carrey et al. 2011) given beside it. The kinetic "
           "(master-equation) model, which covers the intermediate regime, is evaluated only in the full run "
           "because it takes seconds per point."),
    ("code", '''\
best = {}
fig, ax = plt.subplots(figsize=(6, 4))
for name, i in inputs.items():
    d, s, d_best = sar.size_sweep(F0, H0_DESIGN, DIAMETERS, model="lrt", Ms=i["Ms"], K_eff=i["K"], T=T_BODY)
    best[name] = (d_best, float(s.max()))
    sar.plot_size_sweep(d, s, d_best, ax=ax, label=name)
ax.set_title(f"f = {F0 / 1e3:g} kHz, H0 = {H0_DESIGN / 1e3:.1f} kA/m, T = {T_BODY:g} K")
for name, i in inputs.items():
    d_best, s_best = best[name]
    rep = sar.sar_from_particle(f=F0, H0=H0_DESIGN, Ms=i["Ms"], K_eff=i["K"], d=d_best, T=T_BODY, model="lrt")
    sw = sar.sar_from_particle(f=F0, H0=H0_DESIGN, Ms=i["Ms"], K_eff=i["K"], d=d_best, T=T_BODY, model="sw")
    line = (f"{name:<28s} optimum D = {d_best * 1e9:.2f} nm on the grid: SAR(LRT) = {s_best:.4g} W/g, "
            f"ILP = {rep.ilp_nHm2_per_kg:.3g} nH m²/kg, regime {rep.regime['regime']} "
            f"(KV/k_BT = {rep.regime['KV_over_kT']:.3g}, H0/H_K = {rep.regime['H_max_over_H_K']:.3g}), SAR(SW) = {sw.sar_W_per_g:.4g} W/g")
    if d_best in (DIAMETERS[0], DIAMETERS[-1]):
        line += " [optimum at the edge of the diameter grid: widen DIAMETERS]"
    if FULL:
        kin = sar.sar_from_particle(f=F0, H0=H0_DESIGN, Ms=i["Ms"], K_eff=i["K"], d=d_best, T=T_BODY, model="kinetic")
        line += f", SAR(kinetic) = {kin.sar_W_per_g:.4g} W/g"
    print(line)'''),
    ("md", "## SAR(f, H0) map with safety limits\nAt the optimum diameter of the defect-engineered particle, "
           "for both parameter sets (LRT)."),
    ("code", '''\
D_MAP = best[NAMES[1]][0]
maps = {name: sar.sar_map(F_MAP, H_MAP, Ms=i["Ms"], K_eff=i["K"], d=D_MAP, T=T_BODY, model="lrt")
        for name, i in inputs.items()}
safe = np.array([[sar.field_safety(f, h)["hergt_dutz_ok"] for f in F_MAP] for h in H_MAP])
safe_brez = np.array([[sar.field_safety(f, h)["brezovich_ok"] for f in F_MAP] for h in H_MAP])
for name, m in maps.items():
    fig = sar.plot_sar_map(F_MAP, H_MAP, m)
    fig.axes[0].set_title(f"{name}, D = {D_MAP * 1e9:.1f} nm")
    for label, mask in (("Hergt–Dutz", safe), ("Brezovich", safe_brez)):
        k = np.unravel_index(np.argmax(np.where(mask, m, -np.inf)), m.shape)
        print(f"{name:<28s} best within {label:<11s}: SAR = {m[k]:.4g} W/g at f = {F_MAP[k[1]] / 1e3:.0f} kHz, "
              f"H0 = {H_MAP[k[0]] / 1e3:.1f} kA/m")'''),
    ("md", "## Interacting pair: local heat\nTwo particles of diameter D_MAP with easy axes along the field, "
           "side by side along the field (chain) or across it, at gap PAIR_GAP, compared with an isolated "
           "particle; stochastic LLG at T_BODY (`sar.interacting_llg`, the last of `llg_cycles` cycles is "
           "analysed), inputs of the defect-engineered particle."),
    ("code", '''\
i = inputs[NAMES[1]]
dd = np.full(2, D_MAP)
axes = np.tile([0.0, 0.0, 1.0], (2, 1))
llg_kw = dict(Ms=i["Ms"], K=i["K"], T=T_BODY, n_cycles=CFG["llg_cycles"], seed=SEED)
pair = {
    "isolated": sar.interacting_llg(F0, H0_DESIGN, dd, axes, positions=None, **llg_kw),
    "pair along H": sar.interacting_llg(F0, H0_DESIGN, dd, axes,
                                        positions=sar.arrangement("chain", dd, gap=PAIR_GAP, axis=(0, 0, 1)), **llg_kw),
    "pair across H": sar.interacting_llg(F0, H0_DESIGN, dd, axes,
                                         positions=sar.arrangement("chain", dd, gap=PAIR_GAP, axis=(1, 0, 0)), **llg_kw),
}
for name, r in pair.items():
    print(f"{name:<14s} heat per particle per cycle = {r.heat_J[0]:.3e}, {r.heat_J[1]:.3e} J; "
          f"ΔT per cycle = {r.delta_T_K[0]:.3g}, {r.delta_T_K[1]:.3g} K; SAR = {r.sar_W_per_g:.4g} W/g")
fig, ax = plt.subplots(figsize=(6, 4))
for name, r in pair.items():
    ax.plot(r.H_A_per_m / 1e3, r.M_over_Ms, label=name)
ax.set_xlabel("H (kA/m)"); ax.set_ylabel("M/Ms (pair mean)"); ax.legend()'''),
    ("md", "## Summary\nComputed from the numbers above."),
    ("code", '''\
(dp, sp), (dd_, sd) = best[NAMES[0]], best[NAMES[1]]
print(f"At f = {F0 / 1e3:g} kHz, H0 = {H0_DESIGN / 1e3:.1f} kA/m (Hergt–Dutz limit): optimum diameter "
      f"{dp * 1e9:.1f} nm (perfect) vs {dd_ * 1e9:.1f} nm (defect-engineered); best SAR ratio "
      f"defect-engineered/perfect = {sd / sp:.3g}.")
dMs = inputs[NAMES[1]]["Ms"] - inputs[NAMES[0]]["Ms"]
eMs = np.hypot(inputs[NAMES[1]]["Ms_err"], inputs[NAMES[0]]["Ms_err"])
print(f"Ms(T_BODY) of the defect-engineered particle differs by {dMs / inputs[NAMES[0]]['Ms']:+.1%} "
      f"({'resolved' if abs(dMs) > 2 * eMs else 'not resolved (< 2σ)'}); K_eff sources: "
      + ", ".join(f"{n}: {inputs[n]['K_src']}" for n in NAMES))
q0 = pair["isolated"].heat_J.mean()
noise = abs(pair["isolated"].heat_J[0] - pair["isolated"].heat_J[1])
print(f"noise scale: the two identical, independent particles of the isolated run differ by {noise:.2e} J per cycle "
      f"({noise / q0 if q0 > 0 else float('inf'):.0%} of their mean)")
for name in ("pair along H", "pair across H"):
    q = pair[name].heat_J.mean()
    ratio = f"{q / q0:.3g} × the isolated particle" if q0 > 0 else "isolated particle releases no heat"
    print(f"{name}: mean heat per particle {q:.3e} J per cycle ({ratio}); the two particles differ by "
          f"{pair[name].heat_J[0] - pair[name].heat_J[1]:+.2e} J ({'above' if abs(pair[name].heat_J[0] - pair[name].heat_J[1]) > 2 * noise else 'within twice'} the noise scale).")'''),
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
