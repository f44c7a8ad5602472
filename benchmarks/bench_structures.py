"""Time building and labelling a magnetite sphere with one APB and vacancies (acceptance: 20 nm < 15 s).

Usage: python benchmarks/bench_structures.py [diameter_nm ...]   (default 20)
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


if __name__ == "__main__":
    sizes = [float(x) for x in sys.argv[1:]] or [20.0]
    for d in sizes:
        run(d)
