"""The (111) twin's change of Ms and of the landscape at body temperature (issue 17; docs/validation.md §9, "Twin:
magnetisation and anisotropy change at 310 K").

Spheres with and without ``structures.insert_twin(p, plane=(1, 1, 1))`` through the centre, the default model
(lattice dipolar term, Néel surface and interface term, temperature rescaling), and
``measure.anisotropy_landscape(m, T=310, n_directions=26, sweeps=400, equilibration_sweeps=100,
thermalisation_sweeps=200, seed=s, workers=WORKERS)`` per seed. Each seed is an independent Monte Carlo stream (the
geometry of a bare sphere does not depend on the seed). Besides Ms and the barrier, every row stores the uniaxial
constant of the landscape along the twin normal [111] (``LandscapeResult.uniaxial_along``): the twin's half-turn
keeps the threefold axis along its normal, so the degree-2 part it adds is uniaxial along [111]; unlike the barrier
(a minimum-to-saddle difference of a landscape ≪ k_BT, which jumps when its minima change), it is linear in the
fitted landscape. ``summary`` gives the mean over seeds with the standard error from their spread.
Rows go to docs/figures/nanoflowers/twin_landscape.json.

    python docs/make_twin_landscape.py [DIAMETER_NM SEED ...]    # default: 6 nm seeds 1-8, 8 nm seeds 1-4
    python docs/make_twin_landscape.py mechanism    # 6 nm, seed 1: Néel term off / dipolar term off
    python docs/make_twin_landscape.py summary
"""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(os.environ.get("TWIN_ROWS", Path(__file__).resolve().parent / "figures" / "nanoflowers" /
                          "twin_landscape.json"))
T_BODY = 310.0  # K (derived: 37 °C)
PROTOCOL = dict(n_directions=26, sweeps=400, equilibration_sweeps=100, thermalisation_sweeps=200)


NORMAL = (1.0, 1.0, 1.0)  # the twin plane's normal in the crystal (= model) frame


MECHANISM = {"no_neel": dict(neel_ks_meV=0.0), "no_dipolar": dict(dipolar=False)}  # one term off at a time


def row(diameter_nm, seed, twinned, workers=int(os.environ.get("WORKERS", "1")), model="default"):
    """One landscape: Ms, barrier energy density, Ku along [111] and their errors, minima, spins. ``model``:
    "default" or a key of MECHANISM (the same particle with one term of the model switched off)."""
    from atomspin import measure
    from atomspin import structures as S
    from atomspin.model import SpinModel

    p = S.build_particle("Fe3O4", "sphere", diameter_nm=diameter_nm, seed=seed)
    if twinned:
        p = S.insert_twin(p, plane=(1, 1, 1))
    m = SpinModel.from_atoms(p, **MECHANISM.get(model, {}))
    t0, c0 = time.time(), time.process_time()
    r = measure.anisotropy_landscape(m, T=T_BODY, seed=seed, workers=workers, **PROTOCOL)
    ku, ku_err = r.uniaxial_along(NORMAL)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parent).stdout.strip()
    return dict(Ku111_J_per_m3=ku, Ku111_err_J_per_m3=ku_err, chi2_per_dof=float(r.chi2_per_dof),
                n_eff_min=float(r.n_eff_min), refresh_windows_min=float(r.refresh_windows_min),
                wall_s=time.time() - t0, cpu_s_main=time.process_time() - c0, commit=commit, workers=workers,
                numba_threads=os.environ.get("NUMBA_NUM_THREADS", "default"), **PROTOCOL,
                diameter_nm=diameter_nm, seed=seed, twin=twinned, spins=int(m.n), model=model,
                Ms_A_per_m=float(r.Ms_A_per_m), Ms_err_A_per_m=float(r.Ms_err_A_per_m),
                barrier_J_per_m3=float(r.barrier_J / r.volume_m3), barrier_err_J_per_m3=float(r.barrier_err_J / r.volume_m3),
                barrier_over_kT=float(r.barrier_over_kT), minima=int(len(r.minima)))


def summary(rows=None):
    """Per diameter and twin state: number of seeds, mean Ms, barrier density and Ku along [111], each with the
    standard error of the mean from the spread over seeds (s.d./√n), and the mean of the fit errors."""
    import numpy as np

    rows = json.loads(OUT.read_text()) if rows is None else rows
    out = {}
    for d in sorted({r["diameter_nm"] for r in rows}):
        for tw in (False, True):
            sel = [r for r in rows if r["diameter_nm"] == d and r["twin"] == tw and "Ku111_J_per_m3" in r
                   and r.get("model", "default") == "default"]
            if len(sel) < 2:
                continue
            s = dict(n=len(sel))
            for k in ("Ms_A_per_m", "barrier_J_per_m3", "Ku111_J_per_m3", "barrier_over_kT"):
                x = np.array([r[k] for r in sel])
                s[k] = float(x.mean())
                s[k + "_sem"] = float(x.std(ddof=1) / np.sqrt(len(x)))
            s["Ku111_fit_err_mean"] = float(np.mean([r["Ku111_err_J_per_m3"] for r in sel]))
            out[(d, tw)] = s
    return out


def main(argv):
    if argv[:1] == ["summary"]:
        for (d, tw), s in summary().items():
            print(d, "twin" if tw else "no twin", json.dumps(s))
        return
    if argv[:1] == ["mechanism"]:  # 6 nm, seed 1, twinned, one term off at a time (the untwinned sphere's [111]
        for model in MECHANISM:     # constant is ≈ 0 by its cubic symmetry; measured with the default model)
            for tw in (True,):
                new = row(6.0, 1, tw, model=model)
                print(new, flush=True)
                rows = json.loads(OUT.read_text()) if OUT.exists() else []
                key = (6.0, 1, tw, model)
                rows = [x for x in rows if (x["diameter_nm"], x["seed"], x["twin"], x.get("model", "default")) != key]
                OUT.write_text(json.dumps(rows + [new], indent=1))
        return
    pairs = [(float(argv[i]), int(argv[i + 1])) for i in range(0, len(argv), 2)] if argv else \
        [(6.0, s) for s in range(1, 9)] + [(8.0, s) for s in range(1, 5)]
    for d, s in pairs:
        for tw in (False, True):
            new = row(d, s, tw)
            print(new, flush=True)
            rows = json.loads(OUT.read_text()) if OUT.exists() else []  # re-read: other runs may have added rows
            rows = [x for x in rows if (x["diameter_nm"], x["seed"], x["twin"], x.get("model", "default"))
                    != (d, s, tw, "default")] + [new]
            OUT.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
