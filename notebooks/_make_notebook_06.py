"""Generate notebooks/06_twins_and_nanoflowers.ipynb (stored without outputs).

Run from anywhere: ``python notebooks/_make_notebook_06.py``. Same conventions as ``_make_notebooks.py``:
``ATOMSPIN_NB_SIZE`` "ci" (default: 4 nm twinned sphere, 3 × 2.5 nm-core flower, very short Monte Carlo, numbers
not converged) or "full" (reads the study written by ``docs/make_nanoflowers.py``: 3- and 7-core flowers of 4 nm
cores, and, if given, the ase.db of the CLI sweep of ``structures/recipes/nanoflowers.toml``). No number is
written into the markdown.
"""
from pathlib import Path

import nbformat

from _make_notebooks import FOOTER, HEADER, _nb

HERE = Path(__file__).resolve().parent

INTRO = """# 6 · Twins and nanoflowers: planar defects and multi-core particles

Lak et al., *Adv. Sci.* **8**, 2002682 (2021) review twin boundaries, stacking faults and grain boundaries next to
antiphase boundaries (APBs), and multi-core "nanoflowers" — dense aggregates of iron-oxide crystallites joined by
sintered, nearly oriented interfaces — among the best magnetic-hyperthermia heaters (Lartigue et al.,
*ACS Nano* **6**, 10935 (2012); Bender et al., *J. Phys. Chem. C* (2018), doi:10.1021/acs.jpcc.7b11255). Their
cores are coupled
by exchange across imperfect interfaces and by dipolar fields ("superferromagnetic" coupling: Bender et al.,
*Appl. Phys. Lett.* **115**, 132406 (2019)).

atomspin computes the exchange across every boundary from the actual Fe–O–Fe geometry (the same rules as in the
bulk), so the boundary couplings are not hand-set. This notebook:

1. builds a spinel-law (111) twin (`structures.insert_twin`) and lists the exchange pairs across it
   (`model.boundary_pair_classes`): Fe–O–Fe paths of the bulk kind, unlike the 180° B–O–B links of an APB;
2. compares spin disorder and the high-field moment with and without the twin and with an APB
   (`measure.compare_boundaries`);
3. builds a nanoflower (`structures.build_multicore`, per-atom `grain` label) and asks whether its cores act as
   **one macrospin** (collective) or **independently**: free Monte Carlo with rigid per-core rotations
   (`measure.grain_alignment`) for the flower and for the same cores with the exchange across their boundaries
   cut (`measure.decouple_grains`, dipolar kept), with a picture of the per-grain moments
   (`structures.plot_grain_moments`);
4. measures the landscape (`measure.anisotropy_landscape`, T = 310 K) of the flower, of the decoupled cores and
   of a single crystal of the same magnetic volume, and their SAR through the bridge
   (`sar.particle_from_measurements(landscape=r)` → `sar.sar_from_particle(p, f=100 kHz, H0=15 kA/m)`,
   immobilised)."""

SIZE_MD = ("**Size.** `ATOMSPIN_NB_SIZE=ci` (default) runs a 4 nm twinned sphere and a flower of three 2.5 nm "
           "cores with very short Monte Carlo runs so that the notebook executes in a minute or two (that is how "
           "CI runs it): the numbers show that the pipeline works and are **not converged** — these particles are "
           "far smaller than real nanoflowers (cores ≈ 10 nm) and do not heat. `ATOMSPIN_NB_SIZE=full` reads the "
           "stored study (`docs/figures/nanoflowers/results.json`, made by `python docs/make_nanoflowers.py plan "
           "main` then `analyse` and `plot`: 3- and 7-core flowers of 4 nm cores; about an hour on 2 cores) and, "
           "when `ATOMSPIN_FLOWERS_DB` names the ase.db of `atomspin sweep structures/recipes/nanoflowers.toml`, "
           "its rows. Only there is a difference beyond twice its standard error called *resolved*.")

NB6 = [
    ("md", INTRO),
    ("md", SIZE_MD),
    ("code", HEADER + '''
import dataclasses
import json
from pathlib import Path

from atomspin.model import boundary_pair_classes

T_BODY = 310.0  # K (body temperature)
F_HZ, H0 = 100e3, 15e3  # the package's clinical default drive (protocol.sar of the batch schema)
D_TWIN = 4.0 if not FULL else 6.0  # nm
CORE_D = 2.5 if not FULL else 4.0  # nm'''),
    ("md", "## 1 · A (111) twin: what couples across it\n\n"
           "The twin keeps the O close-packed stacking across the plane; the cations on either side keep Fe–O–Fe "
           "paths of the bulk kind. The census counts, per boundary, the exchange pairs crossing it by class "
           "(A–O–B ~125°, B–O–B 90°, B–O–B 180°, …) with their mean coupling; compare with an APB, whose "
           "crossing pairs include antiferromagnetic 180° B–O–B links."),
    ("code", '''p = S.build_particle("Fe3O4", "sphere", D_TWIN, seed=1)
twin = S.insert_twin(p, (1, 1, 1), seed=1)
apb = S.insert_apb(p, (1, 1, 0), seed=1)
for name, at in (("(111) twin", twin), ("(110) APB", apb)):
    census = boundary_pair_classes(SpinModel.from_atoms(at, dipolar=False), at)
    for b in census:
        across = {k: v for k, v in b["across"].items() if v}
        mean_J = {k: round(v, 2) for k, v in b["J_across_meV"].items() if b["across"].get(k)}
        print(f"{name}: pairs across the plane by class: {across}; mean J (meV): {mean_J}")'''),
    ("md", "## 2 · Spin disorder and high-field moment: no defect, twin, APB\n\n"
           "Local canting of core sites against the distance from the boundary plane, and m/m_Néel at high field "
           "(T = 10 K). A twin that keeps the ferrimagnetic order leaves both near the defect-free values; an APB "
           "frustrates its neighbourhood."),
    ("code", '''sw = 300 if not FULL else 2000
cmp_twin = M.compare_boundaries({"no defect": p, "twin (111)": twin}, S.plane_defects(twin)[0], T=10.0,
                                sweeps=sw, sweeps_per_point=sw // 4, seed=1)
cmp_apb = M.compare_boundaries({"APB (110)": apb}, S.plane_defects(apb)[0], T=10.0, sweeps=sw,
                               sweeps_per_point=sw // 4, seed=1)
ex_t, ex_a = cmp_twin.excess_canting_deg(), cmp_apb.excess_canting_deg()
for name, e in zip(cmp_twin.names + cmp_apb.names, list(ex_t) + list(ex_a)):
    print(f"{name:11s} excess canting next to the plane: {e:6.2f}°" + ("" if FULL else "  (CI size: not converged)"))
fig, ax = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
cmp_twin.plot(ax=ax)
for k, name in enumerate(cmp_apb.names):
    ok = cmp_apb.canting_count[k] > 0
    ax[0].errorbar(cmp_apb.distance_bins_nm[ok], cmp_apb.canting_deg[k, ok], yerr=cmp_apb.canting_sem[k, ok],
                   fmt="s--", capsize=2, label=name)
    ax[1].errorbar(cmp_apb.fields_T, cmp_apb.m[k] / cmp_apb.m_neel[k], yerr=cmp_apb.m_err[k] / cmp_apb.m_neel[k],
                   fmt="s--", capsize=2, label=name)
ax[0].legend(fontsize=8); ax[1].legend(fontsize=8)
ax[0].set_title(f"{D_TWIN:g} nm Fe3O4, 10 K, {sw} sweeps" + ("" if FULL else " — CI size, not converged"), fontsize=9)
plt.show()'''),
    ("md", "## 2b · The twin's anisotropy: the twin plane becomes an easy plane\n\n"
           "The half-turn keeps the threefold axis along the twin normal, so the degree-2 part the twin adds to the "
           "landscape is uniaxial along [111]: `LandscapeResult.uniaxial_along((1, 1, 1))` gives it as Ku[111] "
           "(> 0 easy axis, < 0 hard axis / easy plane), linear in the fitted landscape, unlike the barrier. The "
           "boundary loses mostly tetrahedral Fe, a sheet of excess moment, whose magnetostatic energy is lowest "
           "with the moment in the sheet. The rigid T = 0 point-dipole tensor (exact, seconds) shows the term; "
           "full mode reads the measured 310 K landscapes (`python docs/make_twin_landscape.py`, 4–7 seeds per "
           "row, mean ± standard error over seeds; docs/validation.md §9)."),
    ("code", '''from atomspin.measure.constrained_t0 import rigid_shape_tensor_meV
from atomspin.units import MEV

u = np.ones(3) / np.sqrt(3)
for name, at in (("no defect", p), ("(111) twin", twin)):
    m = SpinModel.from_atoms(at, neel_ks_meV=0.0)
    D = rigid_shape_tensor_meV(m)
    ku = -1.5 * u @ (D - np.trace(D) / 3 * np.eye(3)) @ u * MEV / m.volume_m3
    print(f"{D_TWIN:g} nm, {name:10s}: rigid T = 0 dipolar Ku[111] = {ku:9.0f} J/m³")
if FULL:
    import importlib.util
    docs = Path(sar.__file__).resolve().parents[2] / "docs"
    spec = importlib.util.spec_from_file_location("make_twin_landscape", docs / "make_twin_landscape.py")
    tw = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tw)
    print(f"{'sphere':>6s} {'twin':>5s} {'seeds':>5s} {'Ms (kA/m)':>16s} {'Ku[111] (J/m³)':>20s} "
          f"{'barrier/V (J/m³)':>20s}")
    for (d, t), q in tw.summary().items():
        print(f"{d:4g} nm {('yes' if t else 'no'):>5s} {q['n']:5d} {q['Ms_A_per_m'] / 1e3:8.2f} ± "
              f"{q['Ms_A_per_m_sem'] / 1e3:5.2f} {q['Ku111_J_per_m3']:10.0f} ± {q['Ku111_J_per_m3_sem']:6.0f} "
              f"{q['barrier_J_per_m3']:10.0f} ± {q['barrier_J_per_m3_sem']:6.0f}")'''),
    ("md", "## 3 · A nanoflower: one macrospin or independent cores?\n\n"
           "Three equal cores, oriented attachment (misorientation σ = 5°), 20 % interpenetration. The test runs "
           "free Monte Carlo at 310 K with rigid rotations of each core (Metropolis on the exact energy change) "
           "from random core directions and from the collinear state; both must end in the same spread. θ is the "
           "rms angle between each core's moment and the total; θ_ind is its value for independent isotropic "
           "cores (61° for three equal cores). The dipolar coupling between cores is bounded separately (in "
           "k_BT), because the test runs without the dipolar term (its O(N²) energy would dominate the cost)."),
    ("code", '''flower = S.build_multicore(n_cores=3, core_diameter_nm=CORE_D, size_dispersion=0.0, misorientation_deg=5.0, seed=1)
gb = [d for d in S.plane_defects(flower) if d.get("kind") == "grain_boundary"]
print(f"{len(flower)} atoms, {len(gb)} grain boundaries, misorientations "
      f"{[round(d['misorientation_deg'], 1) for d in gb]}°, contact areas {[round(d['area_nm2'], 2) for d in gb]} nm²")
m_flower = SpinModel.from_atoms(flower)
print(f"dipolar coupling between two cores ≤ {M.boundaries.core_dipolar_coupling(m_flower, flower, T_BODY):.3f} k_BT at {T_BODY:g} K")
m0 = dataclasses.replace(m_flower, dipolar=None, spins=m_flower.spins.copy())
m_cut = M.decouple_grains(m0, flower)
print(f"exchange pairs cut across the boundaries: {m_cut.info['decoupled_grains']['pairs_cut']}")
SW = 600 if not FULL else 4000
align = {(name, start): M.grain_alignment(mod, flower, T_BODY, sweeps=SW, observe_every=20, start=start, seed=1)
         for name, mod in (("flower", m0), ("cut", m_cut)) for start in ("random", "aligned")}
for (name, start), g in align.items():
    print(f"{name:6s} start {start:7s}: θ = {g.angle_to_total_deg:5.1f} ± {g.angle_to_total_err_deg:4.1f}° "
          f"(θ_ind = {g.angle_independent_deg:.1f}°), coherence |ΣM_g|/Σ|M_g| = {g.coherence:.3f}, "
          f"χ/χ_macrospin = {g.chi_ratio:.2f} → {g.regime}" + ("" if FULL else "  (CI size: not converged)"))
fig, ax = plt.subplots(figsize=(6, 3.6), layout="constrained")
for (name, start), g in align.items():
    g.plot(ax=ax, label=f"{name}, start {start}")
ax.axhline(align["cut", "random"].angle_independent_deg, color="k", ls=":", label="independent cores θ_ind")
ax.legend(fontsize=7)
plt.show()'''),
    ("md", "Per-grain magnetisation at the end of the random-start runs: arrows are the in-plane parts of each "
           "core's moment, ⊙/⊗ the out-of-plane part."),
    ("code", '''fig, ax = plt.subplots(1, 2, figsize=(13, 7), layout="constrained")
for a, name, title in zip(ax, ("flower", "cut"), ("with the exchange across the boundaries",
                                                   "inter-core exchange cut (dipolar kept in the landscape)")):
    S.plot_grain_moments(flower, align[name, "random"].final_spins, m0.atom_index, normal=(1, 0, 0), ax=a,
                         title=f"{title}, {T_BODY:g} K, {SW} sweeps from random core directions")
plt.show()'''),
    ("md", "## 4 · Landscape, Ms, susceptibility and SAR: flower vs decoupled cores vs single crystal\n\n"
           "The single crystal is a sphere of the flower's magnetic (oxygen-count) volume. χ0 = μ0Ms²V/(3k_BT) is "
           "the zero-field susceptibility of the particle as one macrospin (random axes); the measured "
           "χ/χ_macrospin of section 3 scales it to the actual (partly independent) cores. In full mode the "
           "stored study (4 nm cores, 3 and 7 cores, oriented and random; 7 cores of 8 nm) is shown instead."),
    ("code", '''kT = K_B * T_BODY
rows = []
if not FULL:
    d_eq = (6 * m_flower.volume_m3 / np.pi) ** (1 / 3) * 1e9
    single = S.build_particle("Fe3O4", "sphere", d_eq, seed=1)
    variants = {"flower": (m_flower, align["flower", "random"].chi_ratio),
                "decoupled cores": (M.decouple_grains(m_flower, flower), align["cut", "random"].chi_ratio),
                f"single crystal {d_eq:.2f} nm": (SpinModel.from_atoms(single), 1.0)}
    for name, (model, chi_ratio) in variants.items():
        r = M.anisotropy_landscape(model, T_BODY, sweeps=60, equilibration_sweeps=15, thermalisation_sweeps=30, seed=1)
        part = sar.particle_from_measurements(landscape=r)
        rep = sar.sar_from_particle(part, f=F_HZ, H0=H0, medium=None, n_orientations=12, n_particles=16)
        chi0 = 4e-7 * np.pi * r.Ms_A_per_m ** 2 * r.volume_m3 / (3 * kT)
        rows.append(dict(name=name, N=model.n, Ms=r.Ms_A_per_m, Ms_err=r.Ms_err_A_per_m, b=r.barrier_over_kT,
                         b_err=r.barrier_err_J / kT, minima=len(r.minima), chi0=chi0 * chi_ratio,
                         sar=rep.sar_W_per_g, sar_err=rep.sar_err_W_per_g, model=rep.model, core_nm=CORE_D))
else:
    figs = Path(sar.__file__).resolve().parents[2] / "docs" / "figures" / "nanoflowers"
    stored = [(4, q) for q in json.loads((figs / "results.json").read_text())]
    if (figs / "results_cores8.json").exists():  # 7 cores of 8 nm (python docs/make_nanoflowers.py plan cores8)
        stored += [(8, q) for q in json.loads((figs / "results_cores8.json").read_text())]
    for core_nm, q in stored:
        rows.append(dict(name=f"{q['kind']} n={q['n_cores']}×{core_nm}nm {q['spread']} s{q['seed']}", N=q["n_spins"],
                         Ms=q["Ms_A_per_m"], Ms_err=q["Ms_err_A_per_m"], b=q["barrier_over_kT"],
                         b_err=q["barrier_err_J"] / kT, minima=q["n_minima"], chi0=q["chi0_measured"],
                         sar=q["sar_W_per_g"], sar_err=q["sar_err_W_per_g"], model=q["sar_model"], core_nm=core_nm))
for q in rows:
    print(f"{q['name']:28s} N = {q['N']:5d}  Ms = {q['Ms'] / 1e3:6.1f} ± {q['Ms_err'] / 1e3:.1f} kA/m  "
          f"ΔE/k_BT = {q['b']:.3f} ± {q['b_err']:.3f}  minima {q['minima']}  χ0 = {q['chi0']:.3g}  "
          f"SAR = {q['sar']:.3g} ± {q['sar_err']:.2g} W/g ({q['model']})")
for q in rows:  # each barrier against the first row of the same core size (its reference particle)
    ref = next(r for r in rows if r["core_nm"] == q["core_nm"])
    if q is not ref:
        d, e = q["b"] - ref["b"], np.hypot(q["b_err"], ref["b_err"])
        print(f"barrier {q['name']} − {ref['name']}: {d:+.3f} ± {e:.3f} k_BT: {verdict(d, e)}")'''),
    ("code", '''if FULL:
    from IPython.display import Image, display
    figdir = Path(sar.__file__).resolve().parents[2] / "docs" / "figures" / "nanoflowers"
    for png in sorted(figdir.glob("nanoflower*.png")):
        display(Image(filename=str(png)))
    db = os.environ.get("ATOMSPIN_FLOWERS_DB")
    if db:
        import ase.db
        print(f"{'variant':24s} {'seed':>4s} {'cores':>5s} {'misor. (deg)':>12s} {'Ms (kA/m)':>14s} "
              f"{'barrier/k_BT':>16s} {'SAR (W/g)':>20s}  medium")
        with ase.db.connect(db) as con:
            for row in sorted(con.select(), key=lambda r: (r.get("variant_index", 0), r.get("seed", 0))):
                kv = row.key_value_pairs
                print(f"{kv.get('variant', '?'):24s} {kv.get('seed', -1):4d} {kv.get('s_n_cores', 1):5d} "
                      f"{kv.get('s_mean_misorientation_deg', 0.0):12.1f} "
                      f"{kv['landscape_Ms_A_per_m'] / 1e3:7.1f} ± {kv['landscape_Ms_err_A_per_m'] / 1e3:4.1f} "
                      f"{kv['barrier_over_kT']:7.3f} ± {kv['barrier_over_kT_err']:6.3f} "
                      f"{kv['SAR_W_per_g']:9.3g} ± {kv['SAR_W_per_g_err']:8.2g}  {kv.get('sar_medium', '?')}")
else:
    print("CI size: the stored study (docs/make_nanoflowers.py) is shown in full mode (ATOMSPIN_NB_SIZE=full); "
          "these numbers are not converged.")'''),
    ("code", FOOTER),
]


def main():
    nb = _nb(NB6)
    nbformat.validate(nb)
    nbformat.write(nb, HERE / "06_twins_and_nanoflowers.ipynb")
    print("wrote", HERE / "06_twins_and_nanoflowers.ipynb")


if __name__ == "__main__":
    main()
