"""Landscape study of docs/validation.md §3b (issue 13): size series, defects, temperature rescaling, dead layer.

Each part writes JSON rows to docs/figures/landscape/<part>.json (appending, one row per run, skipping rows
already there) so that long parts can be split over several invocations; ``plot`` draws the figures.

    python docs/landscape_study.py rescaling            # Ms(T), K(T) and an 8 nm landscape ± rescaling
    python docs/landscape_study.py size SHAPE D [D ...]  # SHAPE: sphere | truncated_octahedron | cube | ellipsoid
    python docs/landscape_study.py defects KIND SEED     # KIND: perfect | vac05 | vac10 | vac20 | vac10r | vac20r |
                                                         #       apb1 | apb2 | feo | perfect_classical
    python docs/landscape_study.py sensitivity NAME      # NAME: ks_lo | ks_hi | ks_neg | japb_lo | japb_hi
    python docs/landscape_study.py deadlayer
    python docs/landscape_study.py plot

Protocol: 300 K, default model (Néel surface term from K_s = 2.9e-5 J/m², averaged B valence, Evans temperature
rescaling) with anisotropy_reference = 300 K; no atomistic dipolar term (the shape term of non-cubic particles is
added as the rigid-rotation magnetostatic energy of the ideal shape, ½μ0Ms(300 K)²ΔN, with the measured Ms).
"""
import json
import pathlib
import sys
import time

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent / "figures" / "landscape"
T = 300.0


def _sweeps(n_spins):
    """Sampled / equilibration sweeps per direction: fewer for large particles, whose torque is larger."""
    if n_spins < 8000:
        return 1200, 200
    if n_spins < 30000:
        return 600, 100
    return 250, 50


def _save(part, row):
    OUT.mkdir(parents=True, exist_ok=True)
    f = OUT / f"{part}.json"
    rows = json.loads(f.read_text()) if f.exists() else []
    rows = [r for r in rows if r.get("key") != row["key"]] + [row]
    f.write_text(json.dumps(rows, indent=1))


def _done(part, key):
    f = OUT / f"{part}.json"
    return f.exists() and any(r.get("key") == key for r in json.loads(f.read_text()))


def spheroid_N(aspect):
    """Demagnetising factors (N_perp, N_par) of a prolate spheroid c/a = aspect > 1 (Osborn 1945)."""
    if aspect == 1:
        return 1 / 3, 1 / 3
    e = np.sqrt(1 - 1 / aspect ** 2)
    nz = (1 - e ** 2) / e ** 3 * (np.arctanh(e) - e)
    return (1 - nz) / 2, nz


def landscape_row(model, key, seed=1, shape_aspect=None, extra=None):
    from atomspin import macrospin as ms
    from atomspin.measure import anisotropy_landscape
    from atomspin.units import MU_0

    sw, eq = _sweeps(model.n)
    t0 = time.perf_counter()
    r = anisotropy_landscape(model, T, sweeps=sw, equilibration_sweeps=eq, thermalisation_sweeps=300, seed=seed)
    row = dict(key=key, n_spins=int(model.n), V_m3=r.volume_m3, barrier_J=r.barrier_J, barrier_err_J=r.barrier_err_J,
               barrier_J_per_m3=r.barrier_J / r.volume_m3, barrier_err_J_per_m3=r.barrier_err_J / r.volume_m3,
               barrier_over_kT=r.barrier_over_kT, reversal_J_per_m3=r.reversal_barrier_J / r.volume_m3, Ms_A_per_m=r.Ms_A_per_m, Ms_err_A_per_m=r.Ms_err_A_per_m,
               m_reduced=r.m_reduced,
               K1=r.fit.K1_J_per_m3, K1_err=r.fit.K1_err_J_per_m3, K2=r.fit.K2_J_per_m3, Ku=r.fit.Ku_J_per_m3,
               Ku_err=r.fit.Ku_err_J_per_m3, axis=r.fit.axis.tolist(), chi2_per_dof=r.chi2_per_dof,
               fit_residual_rms=r.fit.residual_rms_J_per_m3, n_minima=len(r.minima), n_saddles=len(r.saddles),
               n_eff_min=r.n_eff_min,
               minima=r.minima.tolist(), sweeps=sw, equilibration=eq, elapsed_s=time.perf_counter() - t0,
               coefficients_J=r.coefficients_J.tolist(), degree=r.degree, seed=seed)
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


def part_size(shape, sizes):
    """Size series; SHAPE may end in '@A' for particles centred on an A (8a, Td) site instead of the default B
    (16d, D3d) site: the centring sets the terminations, hence the first-order surface term."""
    from atomspin import structures as S

    shape, _, centre = shape.partition("@")
    for D in sizes:
        D = float(D)
        kw = dict(aspect=1.2) if shape == "ellipsoid" else {}
        if centre:
            kw["center"] = centre
        atoms = S.build_particle("Fe3O4", shape, diameter_nm=D, seed=1, **kw)
        for variant, mkw in (("full", {}), ("no_neel", dict(neel_ks_meV=0.0))):
            key = f"{shape}{'@' + centre if centre else ''}-{D:g}-{variant}"
            if _done("size", key):
                continue
            m = _model(atoms, **mkw)
            row = landscape_row(m, key, shape_aspect=1.2 if shape == "ellipsoid" else None,
                                extra=dict(shape=shape + ("@" + centre if centre else ""), D_nm=D, variant=variant))
            _save("size", row)
            print(key, f"{row['barrier_J_per_m3']:.0f} ± {row['barrier_err_J_per_m3']:.0f} J/m3",
                  f"{row['elapsed_s']:.0f} s", flush=True)


def part_defects(kind, seed):
    from atomspin import structures as S

    seed = int(seed)
    key = f"{kind}-{seed}"
    if _done("defects", key):
        return
    p = S.build_particle("Fe3O4", "sphere", diameter_nm=8.0, seed=1)
    mkw = {}
    if kind.startswith("vac") and kind.endswith("r"):  # random B Fe of either valence
        p = S.add_vacancies(p, delta=int(kind[3:-1]) / 100, removal="random", seed=seed)
    elif kind.startswith("vac"):  # Fe2+ first (the builder's Verwey Fe2+ sites: an ordered arrangement)
        p = S.add_vacancies(p, delta=int(kind[3:]) / 100, seed=seed)
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
        p = S.core_shell(p, 4.0, seed=seed)
        mkw = dict(temperature_rescaling=None)
    elif kind == "perfect_classical":
        mkw = dict(temperature_rescaling=None)
    elif kind != "perfect":
        raise SystemExit(f"unknown defect kind {kind}")
    m = _model(p, **mkw)
    row = landscape_row(m, key, seed=seed, extra=dict(kind=kind, seed=seed, neel_sites=m.info["neel"]["sites"],
                                                   rescaled=m.info["temperature_rescaling"] is not None))
    _save("defects", row)
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


def part_deadlayer():
    """Ms(D) at 300 K (default model) for 3–10 nm spheres → dead layer d (measure.dead_layer_fit), and the radial
    canting profile of an 8 nm sphere."""
    from atomspin import structures as S
    from atomspin.measure import dead_layer_fit, spin_disorder
    from atomspin.model import SpinModel

    sizes = [3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
    for D in sizes:
        key = f"Ms-{D:g}"
        if _done("deadlayer", key):
            continue
        from atomspin.engine import Simulation

        p = S.build_particle("Fe3O4", "sphere", diameter_nm=D, seed=1, neutralise=True)
        m = SpinModel.from_atoms(p, anisotropy_reference=300.0)
        sim = Simulation(m, T, seed=2, collective_every=1)
        sim.run(1000, observe_every=1000)
        obs = sim.run(2000, observe_every=5)
        from atomspin.engine.statistics import mean_error
        from atomspin.units import MU_B

        mu, err, _, _ = mean_error(obs.abs_m)
        _save("deadlayer", dict(key=key, D_nm=D, Ms=mu * MU_B / m.volume_m3, Ms_err=err * MU_B / m.volume_m3,
                                n_spins=int(m.n)))
        print(key, mu * MU_B / m.volume_m3, flush=True)
    rows = [r for r in json.loads((OUT / "deadlayer.json").read_text()) if r["key"].startswith("Ms-")]
    rows.sort(key=lambda r: r["D_nm"])
    fit = dead_layer_fit([r["D_nm"] for r in rows], [r["Ms"] for r in rows], Ms_err=[r["Ms_err"] for r in rows])
    _save("deadlayer", dict(key="fit", d_nm=fit.d_nm, d_err_nm=fit.d_err_nm, Ms_bulk=fit.Ms_bulk,
                            Ms_bulk_err=fit.Ms_bulk_err))
    print("dead layer", fit.d_nm, fit.d_err_nm, flush=True)
    for resc in ("default", None):
        key = f"canting-8-{resc}"
        if _done("deadlayer", key):
            continue
        from atomspin.engine import Simulation

        p = S.build_particle("Fe3O4", "sphere", diameter_nm=8.0, seed=1)
        m = SpinModel.from_atoms(p, anisotropy_reference=300.0, temperature_rescaling=resc)
        sim = Simulation(m, T, seed=3)
        sim.run(1000, observe_every=1000)
        prof = []
        for _ in range(10):
            sim.run(100, observe_every=100)
            dis = spin_disorder(m, spins=sim.spins, atoms=p, reference="local")
            prof.append(dis.depth_canting_deg)
        prof = np.array(prof)
        _save("deadlayer", dict(key=key, rescaled=resc is not None, depth_nm=dis.depth_bins_nm.tolist(),
                                canting_deg=np.nanmean(prof, axis=0).tolist(),
                                canting_err_deg=(np.nanstd(prof, axis=0, ddof=1) / np.sqrt(len(prof))).tolist()))
        print(key, flush=True)


if __name__ == "__main__":
    part = sys.argv[1]
    if part == "size":
        part_size(sys.argv[2], sys.argv[3:])
    elif part == "defects":
        part_defects(sys.argv[2], sys.argv[3])
    elif part == "sensitivity":
        part_sensitivity(sys.argv[2])
    elif part == "rescaling":
        part_rescaling()
    elif part == "deadlayer":
        part_deadlayer()
    elif part == "plot":
        sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
        from landscape_plots import plot_all  # docs/landscape_plots.py

        plot_all(OUT)
    else:
        raise SystemExit(__doc__)
