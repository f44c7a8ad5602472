"""Time the structure builders.

* a magnetite sphere with vacancies and one APB (acceptance: 20 nm < 15 s);
* a {111} twin and a {111} stacking fault in an 8 nm sphere;
* a multicore nanoflower of ~300k Fe (acceptance of issue 17: ≤ 30 s), and its envelope size.

Usage: python benchmarks/bench_structures.py [--only sphere|twin|flower] [diameter_nm ...]   (default 20)
Prints one line per stage and the total wall time.
"""
import sys
import time

from atomspin import structures as S


def run(diameter_nm=20.0, seed=1):
    t0 = time.perf_counter()
    stages = []
    p = S.build_particle("Fe3O4", "sphere", diameter_nm, seed=seed)
    stages.append(("build_particle (cut + labels)", time.perf_counter() - t0, len(p)))
    t = time.perf_counter()
    v = S.add_vacancies(p, 0.1, seed=seed)
    stages.append(("add_vacancies delta=0.1", time.perf_counter() - t, len(v)))
    t = time.perf_counter()
    a = S.insert_apb(v, (1, 1, 0))
    stages.append(("insert_apb (110)", time.perf_counter() - t, len(a)))
    total = time.perf_counter() - t0
    for name, dt, n in stages:
        print(f"  {name:32s} {dt:7.2f} s   {n:9d} atoms")
    rec = S.defect_records(a)[-1]
    print(f"{diameter_nm:g} nm sphere: {len(a)} atoms ({a.info['n_Fe']} Fe), total {total:.2f} s; "
          f"APB links {rec['links_180_created']} = {rec['link_density_per_nm2']:.2f} /nm^2")
    return total


def run_twin(diameter_nm=8.0, seed=1):
    p = S.build_particle("Fe3O4", "sphere", diameter_nm, seed=seed)
    for name, fn in (("insert_twin (111)", S.insert_twin), ("insert_stacking_fault (111)", S.insert_stacking_fault)):
        t = time.perf_counter()
        q = fn(p, (1, 1, 1), seed=seed)
        dt = time.perf_counter() - t
        r = S.plane_defects(q)[-1]
        print(f"  {name:32s} {dt:7.2f} s   {len(q):9d} atoms; removed {r['n_removed']} cations "
              f"({r['charge_removed_e']:+.0f} e), area {r['area_nm2']:.1f} nm^2")


def run_flower(seed=1, n_cores=12, core_diameter_nm=11.0, overlap=0.3):
    t = time.perf_counter()
    m = S.build_multicore(n_cores=n_cores, core_diameter_nm=core_diameter_nm, overlap=overlap,
                          misorientation_deg=5.0, seed=seed)
    dt = time.perf_counter() - t
    gbs = S.plane_defects(m)
    print(f"  build_multicore {n_cores} x {core_diameter_nm:g} nm  {dt:7.2f} s   {len(m):9d} atoms, "
          f"{m.info['n_Fe']} Fe, envelope {m.info['size_nm']:.1f} nm, {len(gbs)} boundaries, "
          f"{sum(r['n_removed'] for r in gbs)} atoms removed")
    return dt


if __name__ == "__main__":
    args = sys.argv[1:]
    only = None
    if args[:1] == ["--only"]:
        only, args = args[1], args[2:]
    sizes = [float(x) for x in args] or [20.0]
    if only in (None, "sphere"):
        for d in sizes:
            run(d)
    if only in (None, "twin"):
        run_twin()
    if only in (None, "flower"):
        run_flower()
