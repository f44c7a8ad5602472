"""Regenerate notebook 07 (imaging: MPI tracers and MRI agents beside their SAR), stored without outputs.

Run from anywhere: ``python notebooks/_make_notebook_07.py``. The notebook reads ``ATOMSPIN_NB_SIZE`` ("ci"
default: 3 nm particles and short runs; "full": 8 nm particles and proper sweeps). The cells only call the
atomspin API; no physics is defined in them, and no number is written into the markdown (the same rules as
``notebooks/_make_notebooks.py``, whose helpers it reuses).
"""
from pathlib import Path

import nbformat

import importlib.util

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("_make_notebooks", HERE / "_make_notebooks.py")
_base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_base)

HEADER = _base.HEADER.replace("from atomspin import SpinModel, sar\n",
                              "from atomspin import SpinModel, imaging, sar\n").replace(
    "from atomspin.units import K_B\n", "from atomspin.units import AMU, K_B, MU_0\n")

SIZE_MD = ("**Size.** `ATOMSPIN_NB_SIZE=ci` (default) runs 3 nm particles, two realisations per variant and very "
           "short Monte Carlo runs so that the notebook executes in a minute or two (that is how CI runs it): its "
           "numbers show that the pipeline works and are **not converged** — neither in particle size nor in run "
           "length — and the notebook says so next to every comparison instead of calling a difference resolved. "
           "`ATOMSPIN_NB_SIZE=full` runs 8 nm particles, four realisations and the sweep counts a study needs (an "
           "hour or more on a workstation); only there is a difference beyond twice its standard error called "
           "*resolved*.")

NB7 = [
    ("md", "# 07 · The same particles as MPI tracers, MRI agents and heaters\n\n"
           "Hyperthermia, magnetic particle imaging (MPI) and T2-weighted MRI use the same iron-oxide particles. "
           "This notebook takes the defect variants of notebook 01 — a perfect sphere, the same sphere with "
           "random Fe vacancies, and the same sphere with one (110) antiphase boundary (APB) — through one chain "
           "each and puts the three applications side by side:\n\n"
           "structure → spin model → **measured free-energy landscape** F(n̂) at body temperature "
           "(`measure.anisotropy_landscape`) → `sar.Particle` (its Ms, volume and whole landscape, "
           "`sar.particle_from_measurements`) →\n"
           "* **SAR** at a hyperthermia drive (`sar.sar_from_particle`, the regime it picks is printed);\n"
           "* **MPI**: third harmonic of the moment per kg of iron and the point-spread function (PSF) width at an "
           "MPI drive, from the particle's own equilibrium curve and dynamics (`imaging.mpi_from_particle`), "
           "beside the ideal Langevin tracer of the same moment;\n"
           "* **MRI**: transverse relaxivity r2 per mM of iron in the outer-sphere theory, with its regime "
           "(`imaging.mri_relaxivity`).\n\n"
           "Iron is counted in each built structure (vacancies remove iron), so 'per unit iron' compares the "
           "particles as a chemist would dose them. The particles a notebook can simulate atom by atom are "
           "smaller than the usual MPI tracers, so their PSF is wider than the drive sweeps (the shaded band): "
           "what matters here is how each defect changes the figures of merit of the same particle. Each variant is built and measured for several structure "
           "seeds (realisations): every figure of merit is the mean ± standard error over them.\n\n"
           + SIZE_MD + "\n\n" + _base.DEFAULTS_MD + _base.KREF_MD + "\n\n" + _base.CONVENTIONS_MD),
    ("code", HEADER),
    ("md", "## Parameters\nStudy variables (chosen, not physical constants), the drives with their sources, and "
           "run lengths for each size setting."),
    ("code", '''\
SEED = 1                    # every stochastic call below takes a seed derived from it: same seed → same numbers
T_BODY = 310.0              # K, 37 °C (derived: 273.15 K + 37 K, rounded)
K_REF_T = 300.0             # K: the shipped K1, K2 are room-temperature values; anisotropy_reference=300 makes
#                             Monte Carlo at 300 K reproduce them (docs/validation.md §3b; the CLI default)
DELTA = 0.1                 # Fe vacancies per formula unit, Fe(3−δ)O4 (study variable, allowed [0, 1/3])
APB_PLANE = (1, 1, 0)       # {110} APBs are the stable ones (McKenna et al., Nat. Commun. 5, 5740 (2014))
# hyperthermia drive: the sar study step's default (recipe keys protocol.sar.f_Hz, H0_A_per_m; Maier-Hauff et al.,
# J. Neurooncol. 103, 317 (2011), atomspin/batch/defaults.py)
from atomspin.batch.schema import field_at

F_SAR_HZ, H0_SAR_A_PER_M = field_at("protocol.sar.f_Hz").default, field_at("protocol.sar.H0_A_per_m").default
print(f"hyperthermia drive: f = {F_SAR_HZ / 1e3:g} kHz, H0 = {H0_SAR_A_PER_M / 1e3:g} kA/m")
# MPI drive: the OpenMPIData 1-D sequence of a preclinical scanner (atomspin.imaging.mpi docstring)
F_MPI_HZ, B_MPI_T, GRADIENT_T_PER_M = imaging.F_DRIVE_HZ, imaging.AMPLITUDE_T, imaging.GRADIENT_T_PER_M
# MRI: clinical 1.5 T, spin echo TE = 10 ms (atomspin.imaging.mri defaults), bare particles
B0_T, TE_S = imaging.mri.B0_T, imaging.mri.ECHO_TIME_S
M_FE_KG = 55.845 * AMU      # mass of one iron atom (IUPAC standard atomic weight)

CFG = {
    "ci": dict(d_nm=3.0, n_real=2, n_directions=26, sweeps=150, n_orientations=12),
    "full": dict(d_nm=8.0, n_real=4, n_directions=60, sweeps=2000, n_orientations=24),
}[SIZE]
CFG'''),
    ("md", "## Structures\nOne perfect sphere per realisation seed, and its two defected copies. The iron count of "
           "each structure is what 'per kg of iron' and 'per mM of iron' divide by."),
    ("code", '''\
def variants(seed):
    perfect = S.build_particle("Fe3O4", shape="sphere", diameter_nm=CFG["d_nm"], seed=seed)
    return {"defect-free": perfect,
            f"vacancies δ={DELTA}": S.add_vacancies(perfect, DELTA, seed=seed),
            "APB (110)": S.insert_apb(perfect, plane=APB_PLANE, seed=seed)}

SEEDS = [SEED + k for k in range(CFG["n_real"])]
structures = {seed: variants(seed) for seed in SEEDS}
NAMES = list(structures[SEEDS[0]])
REF = NAMES[0]

def n_iron(atoms):
    return int(np.sum(np.asarray(atoms.get_chemical_symbols()) == "Fe"))

for name in NAMES:
    atoms = structures[SEEDS[0]][name]
    d = S.describe(atoms)
    print(f"{name:<18s} {d['formula_per_fu']:<12s} atoms {d['n_atoms']:6d}  Fe {n_iron(atoms):6d}  "
          f"vacancy fraction {d['vacancy_fraction']:.3f}")'''),
    ("md", "## The measured particle\nFor every variant and realisation: the spin model (the package defaults "
           "above, with `anisotropy_reference=K_REF_T` as in notebooks 01 and 04 and the CLI), its free-energy "
           "landscape at T_BODY by constrained Monte Carlo, and the `sar.Particle` built from it. The lowest "
           "escape barrier in units of k_BT (out of any minimum; the barrier printed below is the one out of the "
           "global minimum, `barrier_J`) decides which dynamics the applications use: for the SAR "
           "(`sar.heating.choose_regime`, immobilised here) Brown's Fokker–Planck equation for the whole landscape "
           "below `sar.heating.FP_SIGMA_MAX` k_BT and the escape-rate master equation over the minima above it, "
           "or the fallback its reason names (the model of each SAR is printed); for MPI `imaging.mpi_from_particle` picks its own method "
           "(printed with ωτ)."),
    ("code", '''\
particles, landscapes = {}, {}
for seed in SEEDS:
    for name, atoms in structures[seed].items():
        model = SpinModel.from_atoms(atoms, anisotropy_reference=K_REF_T)
        land = M.anisotropy_landscape(model, T_BODY, n_directions=CFG["n_directions"], sweeps=CFG["sweeps"],
                                      seed=seed)
        landscapes[name, seed] = land
        particles[name, seed] = sar.particle_from_measurements(landscape=land)
        p = particles[name, seed]
        print(f"{name:<18s} seed {seed}: Ms = {p.Ms_A_per_m / 1e3:6.1f} kA/m, d = {p.diameter_m * 1e9:.2f} nm, "
              f"barrier = {land.barrier_J / p.kT_J:.3g} ± {land.barrier_err_J / p.kT_J:.2g} k_BT")'''),
    ("code", '''\
fig = plt.figure(figsize=(8, 4.6 * len(NAMES)))
for k, name in enumerate(NAMES):
    ax = fig.add_subplot(len(NAMES), 1, k + 1, projection="hammer")
    landscapes[name, SEEDS[0]].plot(ax=ax)
    ax.text(-0.02, 1.0, f"{name}\\n(seed {SEEDS[0]})", transform=ax.transAxes, ha="right", va="top", fontsize=10)
fig.tight_layout()'''),
    ("md", "## Heating, MPI and MRI of each particle\nThe three applications of the same `sar.Particle`. The MPI "
           "result carries the ideal Langevin tracer of the same moment (no anisotropy, no lag) as its reference; "
           "the MRI result says which relaxation regime applies."),
    ("code", '''\
results = {}
for (name, seed), p in particles.items():
    fe_kg = n_iron(structures[seed][name]) * M_FE_KG
    heat = sar.sar_from_particle(p, f=F_SAR_HZ, H0=H0_SAR_A_PER_M, seed=seed)
    mpi = imaging.mpi_from_particle(p, f_Hz=F_MPI_HZ, amplitude_T=B_MPI_T, gradient_T_per_m=GRADIENT_T_PER_M,
                                    n_orientations=CFG["n_orientations"], iron_mass_kg=fe_kg, seed=seed)
    mri = imaging.mri_relaxivity(p.Ms_A_per_m, p.diameter_m, B0_T=B0_T, T_K=T_BODY, echo_time_s=TE_S,
                                 fe_per_particle=n_iron(structures[seed][name]))
    results[name, seed] = dict(heat=heat, mpi=mpi, mri=mri)
    print(f"{name:<18s} seed {seed}: SAR model {heat.model!r}; MPI {mpi.method!r} (ωτ = {mpi.omega_tau:.2g}); "
          f"MRI r2 regime {mri.regime_r2!r}")

FOM = {  # figure of merit → (label with unit, how to read it from one result)
    "SAR (W/g)": lambda r: r["heat"].sar_W_per_g,
    "MPI |m3| per kg Fe (A m²/kg)": lambda r: r["mpi"].harmonic3_Am2_per_kg_Fe,
    "MPI |m3| / ideal Langevin": lambda r: r["mpi"].harmonic3_Am2 / r["mpi"].langevin.harmonic3_moment_Am2,
    "MPI PSF FWHM μ0ΔH (mT)": lambda r: r["mpi"].psf_fwhm_mT,
    "MRI r2 (s⁻¹ mM⁻¹ Fe)": lambda r: r["mri"].r2_per_mM_per_s,
}

def mean_se(name, key):
    v = np.array([FOM[key](results[name, s]) for s in SEEDS], dtype=float)
    return v.mean(), (v.std(ddof=1) / np.sqrt(v.size) if v.size > 1 else np.nan)

table = {name: {key: mean_se(name, key) for key in FOM} for name in NAMES}
print(f"{'':<18s}" + "".join(f"{k:>32s}" for k in FOM))
for name in NAMES:
    print(f"{name:<18s}" + "".join(f"{m:>20.4g} ± {e:<9.2g}" for m, e in table[name].values()))
print(f"mean ± standard error over {len(SEEDS)} realisations (structure seeds)")'''),
    ("code", '''\
fig, axs = plt.subplots(1, len(FOM), figsize=(3.4 * len(FOM), 3.8))
x = np.arange(len(NAMES))
for ax, key in zip(axs, FOM):
    m = [table[n][key][0] for n in NAMES]
    e = [table[n][key][1] for n in NAMES]
    ax.bar(x, m, yerr=e, capsize=4, color=["0.3", "C0", "C3"][:len(NAMES)])
    ax.set_xticks(x, NAMES, rotation=20, fontsize=8)
    ax.set_ylabel(key, fontsize=8)
    ax.grid(alpha=0.3, axis="y")
fig.suptitle(f"{CFG['d_nm']:g} nm particles at {T_BODY:g} K: mean ± standard error over {len(SEEDS)} realisations",
             fontsize=9)
fig.tight_layout()'''),
    ("md", "## MPI spectrum and point-spread function\nOdd harmonics of the moment per kg of iron and the PSF per "
           "kg of iron (first realisation), each beside the ideal Langevin tracer of the same moment (dashed)."),
    ("code", '''\
fig, axs = plt.subplots(len(NAMES), 2, figsize=(10, 3.4 * len(NAMES)))
for row, name in zip(axs, NAMES):
    results[name, SEEDS[0]]["mpi"].plot(axes=row, label=name)
fig.tight_layout()'''),
    ("md", "## What the defects do\nEach defected variant against the defect-free particle, figure of merit by "
           "figure of merit: the difference, its standard error (the two standard errors combined) and whether "
           "it lies beyond twice that error (called *resolved* only at full size; at CI size not converged). "
           "Computed from the table above."),
    ("code", '''\
if not FULL:
    print(f"CI size (D = {CFG['d_nm']:g} nm, {len(SEEDS)} realisations, short runs): the numbers below are NOT "
          "converged; run with ATOMSPIN_NB_SIZE=full for results.")
for name in NAMES[1:]:
    print(f"{name} versus {REF}:")
    for key in FOM:
        (m1, e1), (m0, e0) = table[name][key], table[REF][key]
        diff, err = m1 - m0, float(np.hypot(e1, e0))
        rel = f"{diff / m0:+.1%}" if m0 != 0 and np.isfinite(m0) else "n/a"
        print(f"  {key:<32s} {diff:+.3g} ± {err:.2g} ({rel}): {verdict(diff, err)}")'''),
    ("code", _base.FOOTER),
]


def main():
    nb = _base._nb(NB7)
    nbformat.validate(nb)
    nbformat.write(nb, HERE / "07_imaging.ipynb")
    print("wrote", HERE / "07_imaging.ipynb")


if __name__ == "__main__":
    main()
