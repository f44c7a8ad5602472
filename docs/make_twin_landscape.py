"""The (111) twin's change of Ms and of the landscape at body temperature (issue 17; docs/validation.md §9, "Twin:
magnetisation and anisotropy change at 310 K").

Spheres with and without ``structures.insert_twin(p, plane=(1, 1, 1))`` through the centre, the default model
(lattice dipolar term, Néel surface and interface term, temperature rescaling), and
``measure.anisotropy_landscape(m, T=310, n_directions=26, sweeps=400, equilibration_sweeps=100,
thermalisation_sweeps=200, seed=s, workers=2)`` per seed. Rows go to docs/figures/nanoflowers/twin_landscape.json.

    python docs/make_twin_landscape.py [DIAMETER_NM SEED ...]    # default: 6 nm seeds 1-4, 8 nm seeds 1-2
"""
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "figures" / "nanoflowers" / "twin_landscape.json"
T_BODY = 310.0  # K (derived: 37 °C)
PROTOCOL = dict(n_directions=26, sweeps=400, equilibration_sweeps=100, thermalisation_sweeps=200)


def row(diameter_nm, seed, twinned, workers=2):
    """One landscape: Ms, barrier energy density and their errors, minima, spins."""
    from atomspin import measure
    from atomspin import structures as S
    from atomspin.model import SpinModel

    p = S.build_particle("Fe3O4", "sphere", diameter_nm=diameter_nm, seed=seed)
    if twinned:
        p = S.insert_twin(p, plane=(1, 1, 1))
    m = SpinModel.from_atoms(p)
    r = measure.anisotropy_landscape(m, T=T_BODY, seed=seed, workers=workers, **PROTOCOL)
    return dict(diameter_nm=diameter_nm, seed=seed, twin=twinned, spins=int(m.n),
                Ms_A_per_m=float(r.Ms_A_per_m), Ms_err_A_per_m=float(r.Ms_err_A_per_m),
                barrier_J_per_m3=float(r.barrier_J / r.volume_m3), barrier_err_J_per_m3=float(r.barrier_err_J / r.volume_m3),
                barrier_over_kT=float(r.barrier_over_kT), minima=int(len(r.minima)))


def main(argv):
    pairs = [(float(argv[i]), int(argv[i + 1])) for i in range(0, len(argv), 2)] if argv else \
        [(6.0, 1), (6.0, 2), (6.0, 3), (6.0, 4), (8.0, 1), (8.0, 2)]
    rows = json.loads(OUT.read_text()) if OUT.exists() else []
    for d, s in pairs:
        for tw in (False, True):
            rows = [x for x in rows if (x["diameter_nm"], x["seed"], x["twin"]) != (d, s, tw)]
            rows.append(row(d, s, tw))
            print(rows[-1], flush=True)
            OUT.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
