"""Sums over sites in a fixed order (atomspin.model.sums): exact against plain loops, and bit-identical for any
BLAS thread count (a BLAS ``moments @ spins`` of 3·10⁵ sites is not: validation §3b's 169 005-spin cube)."""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from atomspin.model.sums import site_gram, site_sum


def _loops(w, s):
    tot = [0.0, 0.0, 0.0]
    gram = [[0.0] * 3 for _ in range(3)]
    for wi, si in zip(w.tolist(), s.tolist()):
        for a in range(3):
            tot[a] += wi * si[a]
            for b in range(3):
                gram[a][b] += si[a] * si[b]
    return np.array(tot), np.array(gram)


def test_site_sums_equal_plain_loops_and_accept_stacks():
    rng = np.random.default_rng(3)
    w = rng.uniform(-5.0, 5.0, 2000)
    s = rng.normal(size=(2000, 3))
    tot, gram = _loops(w, s)
    assert site_sum(w, s) == pytest.approx(tot, rel=1e-12, abs=1e-9)
    assert site_gram(s) == pytest.approx(gram, rel=1e-12, abs=1e-9)
    assert site_gram(s, 2.0 * s) == pytest.approx(2.0 * gram, rel=1e-12, abs=1e-9)
    stack = np.stack([s, -s, 0.5 * s])
    assert site_sum(w, stack) == pytest.approx(np.array([tot, -tot, 0.5 * tot]), rel=1e-12, abs=1e-9)
    assert site_sum(w[:0], s[:0]).tolist() == [0.0, 0.0, 0.0]  # no sites: a zero moment


def test_site_sums_reject_mismatched_shapes():
    with pytest.raises(ValueError, match="vectors"):
        site_sum(np.ones(4), np.ones((5, 3)))
    with pytest.raises(ValueError, match="vectors"):
        site_sum(np.ones((4, 1)), np.ones((4, 3)))
    with pytest.raises(ValueError, match="a, b"):
        site_gram(np.ones((4, 3)), np.ones((5, 3)))
    with pytest.raises(ValueError, match="a, b"):
        site_gram(np.ones(4))


def test_model_magnetisation_is_the_fixed_order_sum(magnetite_sphere):
    model = magnetite_sphere(3.0)
    s = np.random.default_rng(1).normal(size=(model.n, 3))
    s /= np.linalg.norm(s, axis=1, keepdims=True)
    got = model.magnetisation(s)
    assert [float(x).hex() for x in got] == [float(x).hex() for x in site_sum(model.moments, s)]


_PROBE = textwrap.dedent("""
    import json, numpy as np
    from atomspin.model.sums import site_gram, site_sum
    rng = np.random.default_rng(7)
    n = 300_000
    w = rng.uniform(3.5, 5.5, n)
    s = rng.normal(size=(n, 3))
    s /= np.linalg.norm(s, axis=1)[:, None]
    print(json.dumps({"sum": [float(x).hex() for x in site_sum(w, s)],
                      "gram": [float(x).hex() for x in site_gram(s).ravel()],
                      "blas": [float(x).hex() for x in w @ s]}))
""")


def test_site_sums_do_not_depend_on_the_blas_thread_count():
    """The same 3·10⁵-site sums under one and two BLAS threads give the same bits (OpenBLAS splits ``w @ s`` over
    its threads at this size; on this project's 2-core machines its last bits changed: the ``blas`` entry, printed,
    not asserted, as it depends on the BLAS build)."""
    out = {}
    for threads in ("1", "2"):
        env = dict(os.environ, OPENBLAS_NUM_THREADS=threads, OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads)
        r = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        out[threads] = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["1"]["sum"] == out["2"]["sum"]
    assert out["1"]["gram"] == out["2"]["gram"]
    print("BLAS w @ s, 1 vs 2 threads:", out["1"]["blas"], out["2"]["blas"])


def test_no_blas_site_sums_left_in_the_package():
    """The convention of docs/architecture.md: a sum over sites goes through atomspin.model.sums. The pattern catches
    every product the change replaced (moments/weights/signed moments @ per-site vectors, Gram matrices ``s.T @ s``,
    the T = 0 projection ``Q.T @ w``: 30 lines in the package before it); a product that looks alike but contracts
    no site index carries the comment ``# not a site sum``."""
    import pathlib
    import re

    import atomspin

    pat = re.compile(r"moments(\[[^]]*\])? @|\b(wst|w|mom|q|sig)\b(\[[^]]*\])? @ |\b(s|s_int|s0|spins|c)\.T @ |"
                     r"\) @ s\b|\bQ\.T @ w")
    root = pathlib.Path(atomspin.__file__).parent
    hits = [f"{p.relative_to(root)}:{i}" for p in root.rglob("*.py") if p.name != "sums.py"
            for i, line in enumerate(p.read_text().splitlines(), 1)
            if pat.search(line.split("#")[0]) and "# not a site sum" not in line]
    assert not hits, hits
    for old in ("m = a.moments @ spins", "return self.wst @ s_int - self.S0", "axis = np.linalg.eigh(s_int.T @ s_int)",
                "L = (sigma * w) @ s", "M = mom @ s", "d[:, l] += -0.5 * (q @ h)", "return w - Q @ (Q.T @ w)",
                "u, _, vt = np.linalg.svd(self.s0.T @ s)", "vals, vecs = np.linalg.eigh(c.T @ c)"):
        assert pat.search(old), old  # the pattern would catch the replaced products
