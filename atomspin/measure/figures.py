"""Figures of the physical trends (issue 4 acceptance), reproducible from a seed.

``trend_figures(outdir)`` writes four PNGs for magnetite particles built with
:func:`atomspin.structures.build_particle` / :func:`~atomspin.structures.insert_apb` and the default
:meth:`SpinModel.from_atoms` parameters:

1. ``disorder_profiles.png`` — local canting versus depth (with / without APB) and versus distance
   from the APB for core sites (> 1 nm deep);
2. ``apb_cross_section.png`` — spin directions in a slab through the APB particle;
3. ``apb_magnetisation.png`` — M at 1–5 T with and without an APB;
4. ``size_series.png`` — M(T) per diameter with Tc (χ peak) and Ms(300 K) versus size.

``scale="reduced"`` (default, minutes on 2 cores) uses 5 nm particles and 3 / 5 nm for the size
series; ``scale="full"`` uses 8 nm and 3 / 5 / 7 nm with more sweeps.
"""
from __future__ import annotations

import os

import numpy as np


def trend_figures(outdir, scale="reduced", seed=1, T_disorder=10.0, progress=False, engine=None):
    """Run the trend measurements and write the PNG figures to ``outdir``.

    Parameters
    ----------
    outdir : str or path, created if missing.
    scale : {"reduced", "full"}
    seed : int, structure and Monte Carlo seed.
    T_disorder : float, temperature (K) of the disorder and M(H) runs.
    engine : dict, optional, engine options of every Monte Carlo run (:class:`atomspin.engine.EngineOptions`).

    Returns
    -------
    dict of the numbers shown (JSON-friendly) and the figure paths.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from atomspin import structures
    from atomspin.engine import EngineOptions
    from atomspin.measure.disorder import apb_distance_nm, binned_profile, spin_disorder
    from atomspin.measure.hysteresis import hysteresis_loop
    from atomspin.measure.thermo import size_series, temperature_sweep
    from atomspin.model import SpinModel

    if scale not in ("reduced", "full"):
        raise ValueError(f"scale: {scale!r} is not one of 'reduced', 'full'")
    full = scale == "full"
    opts = EngineOptions(engine)
    os.makedirs(outdir, exist_ok=True)
    D = 8.0 if full else 5.0
    p = structures.build_particle("Fe3O4", diameter_nm=D, seed=seed)
    a = structures.insert_apb(p, plane=(1, 1, 0), seed=seed)
    out = {"diameter_nm": D, "T_disorder_K": T_disorder}
    # 1–2: disorder
    fig, axs = plt.subplots(1, 2, figsize=(10, 3.8))
    dis = {}
    for name, at in (("defect-free", p), ("APB", a)):
        m = SpinModel.from_atoms(at)
        sim = opts.simulation(m, T_disorder, seed)
        n = 4000 if full else 2000
        sim.run(n, observe_every=n)
        res = spin_disorder(m, sim.spins, atoms=at, reference="local", depth_bin_nm=0.5,
                            distance_nm=apb_distance_nm(m, a), distance_bin_nm=0.5)
        dis[name] = (m, res)
        res.plot(ax=axs[0], kind="depth", label=name)
        deep = res.depth_nm > 1.0
        c, mean, sem, cnt = binned_profile(res.distance_nm[deep], res.canting_deg[deep],
                                           np.arange(0.0, D / 2 + 0.5, 0.5))
        ok = cnt > 0
        axs[1].errorbar(c[ok], mean[ok], yerr=np.nan_to_num(sem[ok]), fmt="o-", capsize=2, label=name)
        out[f"depth_profile_{name}"] = dict(depth_nm=res.depth_bins_nm.tolist(),
                                            canting_deg=res.depth_canting_deg.tolist())
        out[f"apb_profile_{name}"] = dict(distance_nm=c[ok].tolist(), canting_deg=mean[ok].tolist())
    axs[0].legend()
    axs[0].set_title(f"{D:g} nm Fe3O4, T = {T_disorder:g} K")
    axs[1].set_xlabel("distance from the APB plane (nm), sites > 1 nm deep")
    axs[1].set_ylabel("mean local canting (°)")
    axs[1].legend()
    fig.tight_layout()
    f1 = os.path.join(outdir, "disorder_profiles.png")
    fig.savefig(f1, dpi=120)
    plt.close(fig)
    m, res = dis["APB"]
    fig, ax = plt.subplots(figsize=(5.5, 5))
    res.plot(ax=ax, kind="cross_section", normal=(0, 0, 1), thickness_A=3.0)
    ax.set_title("APB particle, slab through the centre: local canting")
    f2 = os.path.join(outdir, "apb_cross_section.png")
    fig.savefig(f2, dpi=120)
    plt.close(fig)
    # 3: M at 1–5 T
    fields = [5.0, 4.0, 3.0, 2.0, 1.0]
    sw = 1000 if full else 400
    mh = {}
    for name, at in (("defect-free", p), ("APB", a)):
        r = hysteresis_loop(SpinModel.from_atoms(at), T_disorder, fields, sweeps_per_point=sw, seed=seed,
                            engine=opts)
        mh[name] = r.M_A_per_m
    fig, ax = plt.subplots(figsize=(5, 3.6))
    for name, v in mh.items():
        ax.plot(fields, np.asarray(v) / 1e3, "o-", label=name)
    ax.set_xlabel("μ0H (T)")
    ax.set_ylabel("M (kA/m)")
    ax.set_title(f"{D:g} nm Fe3O4, T = {T_disorder:g} K, {sw} sweeps/point")
    ax.legend()
    f3 = os.path.join(outdir, "apb_magnetisation.png")
    fig.tight_layout()
    fig.savefig(f3, dpi=120)
    plt.close(fig)
    out["M_kA_per_m_at"] = {"fields_T": fields, **{k: (np.asarray(v) / 1e3).tolist() for k, v in mh.items()}}
    # 4: size series
    Ds = [3.0, 5.0, 7.0] if full else [3.0, 5.0]
    if full:  # finer grid near Tc: the χ peak of a 3–7 nm particle is broad
        Ts = np.array([300.0, 600.0, 650.0, 700.0, 725.0, 750.0, 775.0, 800.0, 825.0, 850.0, 900.0])
    else:
        Ts = np.array([300.0, 500.0, 600.0, 700.0, 800.0, 900.0, 1000.0])
    res_T = []
    for d in Ds:
        mm = SpinModel.from_atoms(structures.build_particle("Fe3O4", diameter_nm=d, seed=seed))
        res_T.append(temperature_sweep(mm, Ts, sweeps=1500 if full else 600,
                                       equilibration_sweeps=500 if full else 300, seed=seed,
                                       progress=progress, engine=opts))
    ss = size_series(res_T, Ds, T_ms=300.0)
    fig, axs = plt.subplots(1, 2, figsize=(10, 3.8))
    for d, r in zip(Ds, res_T):
        r.plot(ax=axs[0], quantity="m", label=f"{d:g} nm")
    axs[0].legend()
    ss.plot(ax=axs[1])
    fig.tight_layout()
    f4 = os.path.join(outdir, "size_series.png")
    fig.savefig(f4, dpi=120)
    plt.close(fig)
    out["size_series"] = ss.to_dict()
    out["figures"] = [f1, f2, f3, f4]
    return out
