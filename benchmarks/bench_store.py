"""Cost of the store's guarantees: write time per row (checksum, one transaction) and the time a sweep spends
at its start reading and verifying every row (ResultStore.done_hashes) — with and without verification.

    python benchmarks/bench_store.py            # 200 rows of an 8 nm magnetite particle (11000 spins)
    python benchmarks/bench_store.py --rows 1000
"""
import argparse
import os
import tempfile
import time

import numpy as np
from ase import Atoms

from atomspin.batch import ResultStore


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200)
    ap.add_argument("--spins", type=int, default=11000)
    a = ap.parse_args()
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "bench.db")
    st = ResultStore(path)
    rng = np.random.default_rng(0)
    atoms = Atoms("Fe" * 100, positions=rng.random((100, 3)) * 10)
    t0 = time.perf_counter()
    for i in range(a.rows):
        st.write({"hash": f"{i:016x}", "kvp": {"seed": i, "x": float(i)}, "atoms": atoms, "recipe": {},
                  "data": {"final_state": {"spins": rng.random((a.spins, 3)), "atom_index": np.arange(a.spins)}}})
    tw = time.perf_counter() - t0
    t0 = time.perf_counter()
    ResultStore(path).done_hashes()
    tv = time.perf_counter() - t0
    t0 = time.perf_counter()
    ResultStore(path).done_hashes(verify=False)
    tn = time.perf_counter() - t0
    print(f"{a.rows} rows of {a.spins} spins ({os.path.getsize(path) / 1e6:.0f} MB): write {tw / a.rows * 1e3:.1f} ms/row; "
          f"start of a sweep (read + verify every row) {tv:.2f} s = {tv / a.rows * 1e3:.1f} ms/row "
          f"(without verification {tn:.2f} s)")


if __name__ == "__main__":
    main()
