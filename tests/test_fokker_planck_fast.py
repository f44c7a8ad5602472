"""The fast field-node solves of atomspin.sar.fokker_planck against a plain dense reference (tests/naive.py).

The adiabatic SAR solves Brown's Galerkin generator K(ξ) = K0 + ξ K_h at many reduced fields ξ per field direction.
The zero-field factorisation is shared by every direction, and a batch of ≥ PATH_MIN_NODES fields goes on the
Hessenberg form of the field pencil (:class:`atomspin.sar.fokker_planck._FieldPath`) instead of a dense LU each.
Both must give the numbers of three plain ``numpy.linalg.solve`` calls per node to rounding, and the SAR must not
depend on which route a node took.
"""
import math

import numpy as np
import pytest

import atomspin.sar.fokker_planck as fp
from atomspin import macrospin as ms
from atomspin import sar
from atomspin.units import K_B, MU_0

from naive import naive_fp_lag

V = math.pi / 6 * (12.1e-9) ** 3
T = 310.0
KT = K_B * T
MS = 4.8e5


def random_particle(seed, range_kT=4.0, degree=4, alpha=0.1):
    """A particle whose surface is a random even harmonic expansion spanning ``range_kT`` k_BT over the sphere."""
    rng = np.random.default_rng(seed)
    ex = ms.HarmonicExpansion.basis_exponents(degree, "even")
    c = rng.standard_normal(len(ex))
    e = ms.EnergySurface([ms.HarmonicExpansion(ex, c)]).energy(ms.fibonacci_sphere(2000))
    c *= range_kT * KT / V / float(np.ptp(e))
    return sar.Particle(Ms_A_per_m=MS, volume_m3=V, T_K=T, alpha=alpha,
                        landscape=ms.EnergySurface([ms.HarmonicExpansion(ex, c)]))


def unit(v):
    v = np.asarray(v, float)
    return v / np.linalg.norm(v)


def assert_equal_to_plain_solves(op, d, xis, got_per_xi, rel):
    """Each node's (τ_eff/(2τ_D), χ, m_eq) equals three plain dense solves of K(ξ) (tests/naive.py) to ``rel``."""
    Kh = op.field_matrix(d)
    for xi, got in zip(xis, got_per_xi):
        ref = naive_fp_lag(op.K0, Kh, op.moment, d, xi)
        assert got[0] == pytest.approx(ref[0], rel=rel)
        assert got[1] == pytest.approx(ref[1], rel=rel)
        assert got[2] == pytest.approx(ref[2], rel=rel, abs=1e-12)


@pytest.mark.nojit
@pytest.mark.parametrize("seed", [1, 2])
def test_hessenberg_path_and_shared_zero_field_lu_equal_plain_solves(seed):
    """Every node of a batch of Chebyshev fields (the path) and the zero-field node (the shared LU) equal three
    plain dense solves of K(ξ) to 1e-10 relative, in two directions of one operator (the path is rebuilt). Marked
    nojit: it reaches the Hessenberg kernels (atomspin.sar._hessenberg) at a size plain Python runs in seconds."""
    op = fp.brown_operator(random_particle(seed), xi_max=6.0, l_max=12)
    xis = [6.0 * math.cos(j * math.pi / 32) for j in range(1, 32)]  # 31 fields; j = 16 is ≈ 4e-16 ξ0, not 0
    for d in (unit([0.3, -0.5, 0.81]), unit([-0.7, 0.1, 0.2])):
        op._lag_cache.clear()
        built = []
        orig = fp._FieldPath.__init__

        def spy(self, *a, **k):
            built.append(1)
            orig(self, *a, **k)

        fp._FieldPath.__init__ = spy
        try:
            fast = fp._lags(op, xis, d)
        finally:
            fp._FieldPath.__init__ = orig
        assert built == [1]  # the batch went on the Hessenberg form
        Kh = op.field_matrix(d)
        assert_equal_to_plain_solves(op, d, xis, fast, rel=1e-10)
        # a lone node (LU of K(ξ)) and the cached batch agree
        op._lag_cache.clear()
        assert fp._lag(op, xis[3], d) == pytest.approx(fast[3], rel=1e-10)
        # the exact zero field goes on the zero-field LU every direction shares
        zero, ref = fp._lag(op, 0.0, d), naive_fp_lag(op.K0, Kh, op.moment, d, 0.0)
        assert zero[:2] == pytest.approx(ref[:2], rel=1e-10)
        assert zero[2] == pytest.approx(ref[2], abs=1e-12)


def test_hessenberg_path_keeps_its_accuracy_at_a_higher_barrier():
    """The path goes through the inverse of the zero-field generator, whose condition number grows with the slowest
    relaxation time (the barrier), so its rounding error grows with it; at a 10 k_BT surface range (cond ≈ 1e4, above
    the 6 k_BT up to which the sar step uses Fokker–Planck) it stays within 1e-8 of plain dense solves."""
    op = fp.brown_operator(random_particle(5, range_kT=10.0), xi_max=6.0, l_max=12)
    xis = [6.0 * math.cos(j * math.pi / 16) for j in range(1, 16) if j != 8]
    d = unit([0.3, -0.5, 0.81])
    op._lag_cache.clear()
    assert_equal_to_plain_solves(op, d, xis, fp._lags(op, xis, d), rel=1e-8)


def test_sar_does_not_depend_on_the_route_of_the_nodes(monkeypatch):
    """A low-barrier particle in a strong field (ξ = 8: the nested field rule goes past 31 nodes) on a surface drawn
    from a covariance (batch.steps.sar.draw_surfaces, as the sar step's landscape draws): the SAR and the loop with
    every node on a dense LU (PATH_MIN_NODES out of reach) equal those with the Hessenberg path, immobilised and in
    water, to 1e-10."""
    from atomspin.batch.steps.sar import draw_surfaces

    base = random_particle(7, range_kT=3.0)
    term = base.landscape.terms[0]
    cov = np.diag((0.05 * np.abs(term.coefficients) * V) ** 2)
    drawn = draw_surfaces(base.landscape, cov, V, 2, seed=3)[1]
    p = base.replace(landscape=drawn)
    H0 = 8.0 * KT / (MU_0 * MS * V)
    axes = np.array([unit([0.2, 0.4, 0.9]), unit([0.9, -0.3, 0.1])])
    out = {}
    for route, n_min in (("path", fp.PATH_MIN_NODES), ("lu", 10**9)):
        monkeypatch.setattr(fp, "PATH_MIN_NODES", n_min)
        fp._OPERATOR_CACHE.clear()
        out[route] = [fp.fokker_planck_sar(p, 1e5, H0, medium=m, axes=axes, l_max=14)
                      for m in (None, sar.Medium.water())]
    for a, b in zip(out["path"], out["lu"]):
        assert a.params["solution"] == "adiabatic"
        assert a.sar_W_per_g == pytest.approx(b.sar_W_per_g, rel=1e-10)
        assert np.allclose(a.M_over_Ms, b.M_over_Ms, rtol=1e-10, atol=1e-12)
