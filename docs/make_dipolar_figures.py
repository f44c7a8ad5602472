"""Figures and numbers of the magnetostatics section of docs/validation.md.

Usage: PYTHONPATH=. python docs/make_dipolar_figures.py [--quick] [--policy]

1. dipolar_osborn.png — simple-cubic ferromagnet (1 μB per 27 Å³), prolate ellipsoids of aspect 1.2, 1.5, 2:
   the point-dipole shape anisotropy E(M ∥ x) − E(M ∥ z) over the continuum ½ μ0 Ms² V (N_x − N_z) with
   Osborn's demagnetising factors, against the equatorial radius.
2. dipolar_magnetite.png — magnetite particles (Néel state, T = 0 moments, B sites averaged 4.5 μB) 5–25 nm:
   (a) ellipsoids, the same ratio; (b) spheres, cubes and truncated octahedra, whose continuum shape
   anisotropy is zero by symmetry: the anisotropy of the point-dipole shape tensor, (λ_max − λ_min)/V in
   J/m³, against the size, with the continuum ½ μ0 Ms² ΔN of an aspect-1.2 ellipsoid for scale, and the
   sphere with Verwey-ordered B moments (layered Fe²⁺ 4 μB / Fe³⁺ 5 μB, the builder's default).
Every shape tensor is the exact point-dipole sum (lattice FFT, equal to the pair sum to 1e-9; tests).
"""
import argparse
import json
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy.special import elliprd  # noqa: E402

from atomspin import structures  # noqa: E402
from atomspin.model.dipolar import build_dipolar  # noqa: E402
from atomspin.units import ANGSTROM, MEV, MU_0, MU_B  # noqa: E402


def demag(a, b, c):
    """Osborn's demagnetising factors (N_a, N_b, N_c) of semi-axes a, b, c: N_c = (abc/3) R_D(a², b², c²)."""
    return np.array([a * b * c / 3 * elliprd(b * b, c * c, a * a), a * b * c / 3 * elliprd(a * a, c * c, b * b),
                     a * b * c / 3 * elliprd(a * a, b * b, c * c)])


def sc_ratio(R, aspect, a=3.0):
    r = int(np.ceil(aspect * R)) + 1
    g = np.arange(-r, r + 1)
    pts = np.stack(np.meshgrid(g, g, g, indexing="ij"), -1).reshape(-1, 3).astype(float)
    keep = (pts[:, 0] / R) ** 2 + (pts[:, 1] / R) ** 2 + (pts[:, 2] / (aspect * R)) ** 2 <= 1.0
    pos = pts[keep] * a
    n = len(pos)
    d = build_dipolar(pos, "lattice").charge_shape_tensor_meV(np.ones(n))
    ms = MU_B / (a * ANGSTROM) ** 3
    nf = demag(R, R, aspect * R)
    return (d[0, 0] - d[2, 2]) / (0.5 * MU_0 * ms ** 2 * n * (a * ANGSTROM) ** 3 * (nf[0] - nf[2]) / MEV), n


def magnetite(shape, d_nm, aspect=1.0, b_valence="averaged"):
    """(N spins, V m³, Ms A/m, D (3, 3) J) of a magnetite particle in the Néel state (T = 0 moments; B sites
    averaged Fe2.5+ 4.5 μB by default — the state above the Verwey transition)."""
    kw = dict(aspect=aspect) if shape == "ellipsoid" else {}
    p = structures.build_particle("Fe3O4", shape, d_nm, seed=1, b_valence=b_valence, **kw)
    sub = p.arrays["sublattice"]
    mag = np.isin(sub, ["A", "B"]) & (p.arrays["moment_muB"] > 0)
    q = np.where(sub[mag] == "A", -1.0, 1.0) * p.arrays["moment_muB"][mag]
    a = float(p.info["lattice_a_A"])
    vol = np.sum(sub == "O") * (a * ANGSTROM) ** 3 / 32  # oxygen-count volume, as SpinModel.volume_m3
    ms = abs(q.sum()) * MU_B / vol
    d = build_dipolar(p.positions[mag], "lattice").charge_shape_tensor_meV(q) * MEV
    return len(q), vol, ms, d


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="small sizes only (a minute)")
    ap.add_argument("--out", default="docs/figures")
    ap.add_argument("--policy", action="store_true", help="only the Monte Carlo field-update policy errors")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    if args.policy:
        policy_errors()
        print(f"done in {time.perf_counter() - t0:.0f} s")
        return
    rows = {}
    # 1. simple-cubic ellipsoids vs Osborn
    radii = (4, 8, 12) if args.quick else (4, 8, 12, 16, 24, 32)
    sc = {}
    for asp in (1.2, 1.5, 2.0):
        sc[asp] = [sc_ratio(R, asp) for R in radii]
        print(f"sc ellipsoid aspect {asp}: " + ", ".join(f"R={R}a {r:.4f} ({n} sites)" for R, (r, n) in
                                                        zip(radii, sc[asp])), flush=True)
    rows["sc_osborn"] = {str(k): [(R, r, n) for R, (r, n) in zip(radii, v)] for k, v in sc.items()}
    fig, ax = plt.subplots(figsize=(5.2, 3.6))
    for asp, v in sc.items():
        ax.plot(radii, [r for r, _ in v], "o-", label=f"aspect {asp}")
    ax.axhline(1.0, color="k", lw=0.8)
    ax.fill_between([0, max(radii) * 1.05], 0.98, 1.02, color="0.9", label="±2 %")
    ax.set_xlim(0, max(radii) * 1.05)
    ax.set_xlabel("equatorial radius R (lattice constants a)")
    ax.set_ylabel("point-dipole ΔE(x−z) / ½μ0Ms²V(Nx−Nz)")
    ax.set_title("simple-cubic ferromagnet, prolate ellipsoids")
    ax.legend()
    fig.tight_layout()
    fig.savefig(f"{args.out}/dipolar_osborn.png", dpi=150)
    plt.close(fig)
    # 2. magnetite
    sizes = (5.0, 7.5, 10.0) if args.quick else (5.0, 7.5, 10.0, 12.5, 15.0, 20.0, 25.0)
    ell = {}
    for asp in (1.2, 1.5, 2.0):
        out = []
        for dnm in sizes:
            n, vol, ms, d = magnetite("ellipsoid", dnm, asp)
            nf = demag(1.0, 1.0, asp)
            cont = 0.5 * MU_0 * ms ** 2 * vol * (nf[0] - nf[2])
            r = (0.5 * (d[0, 0] + d[1, 1]) - d[2, 2]) / cont
            out.append((dnm, r, n, ms, (0.5 * (d[0, 0] + d[1, 1]) - d[2, 2]) / vol))
            print(f"magnetite ellipsoid {dnm:g} nm aspect {asp}: {n} spins, Ms {ms / 1e3:.1f} kA/m, "
                  f"ΔE/V {out[-1][4]:.0f} J/m3, ratio to continuum {r:.3f}", flush=True)
        ell[asp] = out
    rows["magnetite_ellipsoids"] = {str(k): v for k, v in ell.items()}
    cub = {}
    for shape, bv in (("sphere", "averaged"), ("cube", "averaged"), ("truncated_octahedron", "averaged"),
                      ("sphere", "verwey")):
        out = []
        for dnm in sizes:
            n, vol, ms, d = magnetite(shape, dnm, b_valence=bv)
            w = np.linalg.eigvalsh(d)
            out.append((dnm, (w[-1] - w[0]) / vol, n, ms, float(np.trace(d)) / vol))
            print(f"magnetite {shape} ({bv} B) {dnm:g} nm: {n} spins, Ms {ms / 1e3:.1f} kA/m, anisotropy of D "
                  f"(λmax−λmin)/V {out[-1][1]:.1f} J/m3, tr D/V {out[-1][4]:.2e}", flush=True)
        cub[f"{shape} ({bv} B)"] = out
    rows["magnetite_cubic_shapes"] = cub
    fig, axs = plt.subplots(1, 2, figsize=(10, 3.8))
    for asp, v in ell.items():
        axs[0].plot([x[0] for x in v], [x[1] for x in v], "o-", label=f"ellipsoid, aspect {asp}")
    axs[0].axhline(1.0, color="k", lw=0.8, label="continuum ½μ0Ms²ΔN V")
    axs[0].set_xlabel("equatorial diameter (nm)")
    axs[0].set_ylabel("point-dipole ΔE(⊥−∥) / continuum")
    axs[0].set_ylim(0, 1.1)
    axs[0].set_title("magnetite ellipsoids (Néel state, T = 0, B 4.5 μB)")
    axs[0].legend(fontsize=8)
    for shape, v in cub.items():
        axs[1].plot([x[0] for x in v], [x[1] for x in v], "s--" if "verwey" in shape else "o-",
                    label=shape.replace("_", " ").replace("averaged", "4.5 μB").replace("verwey", "Verwey 4/5 μB"))
    ms_ref = np.mean([x[3] for x in ell[1.2]])
    nf = demag(1.0, 1.0, 1.2)
    axs[1].axhline(0.5 * MU_0 * ms_ref ** 2 * (nf[0] - nf[2]), color="k", ls="--", lw=0.8,
                   label="continuum, ellipsoid aspect 1.2")
    axs[1].set_yscale("log")
    axs[1].set_xlabel("size (nm): diameter, edge, vertex distance")
    axs[1].set_ylabel("(λmax − λmin)/V of D (J/m³)")
    axs[1].set_title("cubic shapes: continuum shape anisotropy 0")
    axs[1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(f"{args.out}/dipolar_magnetite.png", dpi=150)
    plt.close(fig)
    with open(f"{args.out}/dipolar_numbers.json", "w") as f:
        json.dump(rows, f, indent=1)
    print(f"done in {time.perf_counter() - t0:.0f} s")



def policy_errors(sweeps=3000, seeds=(1, 2)):
    """Field update policies of the dipolar sweeper against the exact per-move policy: 3 and 4 nm magnetite
    spheres and a 3 × 6 nm ellipsoid at 300 K, one collective rotation per sweep. Prints ⟨|M|⟩, ⟨E_dip⟩ (exact,
    on the sampled states), ⟨E_MC − E_dip⟩ (the error of the sampled Hamiltonian) and ⟨(M̂·ẑ)²⟩ per policy."""
    from atomspin.engine import Simulation, mean_error
    from atomspin.model import SpinModel

    cases = [("sphere 3 nm", dict(shape="sphere", diameter_nm=3.0)),
             ("sphere 4 nm", dict(shape="sphere", diameter_nm=4.0)),
             ("ellipsoid 3 × 6 nm", dict(shape="ellipsoid", diameter_nm=3.0, aspect=2.0))]
    out = {}
    for name, kw in cases:
        p = structures.build_particle("Fe3O4", seed=1, b_valence="averaged", **kw)
        m = SpinModel.from_atoms(p, dipolar="exact", anisotropy_reference=300)
        for pol in (0, 1, 10, "auto"):
            res = []
            for seed in seeds:
                sim = Simulation(m, 300.0, seed, threads=1, collective_every=1, sweeper="dipolar",
                                 sweeper_options={"refresh_every": pol})
                sim.run(300, observe_every=300)
                ms, ed, bias, uz = [], [], [], []
                t0 = time.perf_counter()
                for _ in range(sweeps // 10):
                    sim.run(10, observe_every=10)
                    s = sim.spins
                    mv = m.moments @ s
                    ms.append(np.linalg.norm(mv))
                    e_exact = m.dipolar.energy_meV(s, m.moments)
                    ed.append(e_exact)
                    bias.append(sim.sweeper.arrays.dipolar.energy_meV(s) - e_exact)
                    uz.append((mv[2] / np.linalg.norm(mv)) ** 2)
                res.append([mean_error(np.array(x))[:2] for x in (ms, ed, bias, uz)] + [time.perf_counter() - t0])
            agg = []
            for k in range(4):
                v = np.array([r[k][0] for r in res])
                e = np.array([r[k][1] for r in res])
                agg.append((float(v.mean()), float(np.sqrt(np.sum(e ** 2)) / len(e))))
            out[(name, str(pol))] = agg
            print(f"{name:20s} policy {str(pol):>4s} (every {sim.sweeper.refresh_every}): |M| {agg[0][0]:.1f}±{agg[0][1]:.1f} μB, "
                  f"E_dip {agg[1][0]:.3f}±{agg[1][1]:.3f} meV, E_MC−E_dip {agg[2][0]:.4f}±{agg[2][1]:.4f} meV, "
                  f"<uz²> {agg[3][0]:.3f}±{agg[3][1]:.3f}, {np.mean([r[4] for r in res]):.1f} s/run", flush=True)
    return out


if __name__ == "__main__":
    main()
