"""atomspin.macrospin: energy surfaces, critical points and Stoner–Wohlfarth against exact results."""
import numpy as np
import pytest

from atomspin import macrospin as M
from atomspin.units import MU_0

RNG = np.random.default_rng(7)


def _random_dirs(k):
    v = RNG.normal(size=(k, 3))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _random_rotation():
    q, r = np.linalg.qr(RNG.normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    return q if np.linalg.det(q) > 0 else -q


TERMS = [
    M.CubicAnisotropy(-1.1e4, -2.8e3),
    M.CubicAnisotropy(2e4, 5e3, axes=_random_rotation()),
    M.UniaxialAnisotropy(3e3, (1, 2, 3)),
    M.shape_anisotropy(np.diag([0.4, 0.3, 0.3]), 4.8e5),
    M.Zeeman([1e3, -2e3, 5e3], 4.8e5),
    M.HarmonicExpansion(M.HarmonicExpansion.basis_exponents(4, "all"),
                        RNG.normal(size=len(M.HarmonicExpansion.basis_exponents(4, "all")))).rotated(_random_rotation()),
]


@pytest.mark.parametrize("term", TERMS, ids=lambda t: type(t).__name__)
def test_term_derivatives_match_finite_differences(term):
    n = _random_dirs(5)
    h = 1e-6
    for k in range(3):
        d = np.zeros(3)
        d[k] = h
        fd = (term.energy(n + d) - term.energy(n - d)) / (2 * h)
        assert np.allclose(term.grad(n)[:, k], fd, rtol=1e-6, atol=1e-6 * term.scale())
        fdg = (term.grad(n + d) - term.grad(n - d)) / (2 * h)
        assert np.allclose(term.hess(n)[:, :, k], fdg, rtol=1e-5, atol=1e-5 * term.scale())


def test_riemannian_hessian_matches_second_derivative_along_geodesics():
    s = M.EnergySurface(TERMS[:4])
    n = _random_dirs(4)
    t1, t2 = M.tangent_basis(n)
    H = s.hessian(n)
    h = 1e-4
    for a, ta in enumerate((t1, t2)):
        def along(x):
            return s.energy(np.cos(x) * n + np.sin(x) * ta)
        d2 = (along(h) - 2 * along(0.0) + along(-h)) / h**2
        assert np.allclose(H[:, a, a], d2, rtol=1e-4, atol=1e-4 * s.scale())


def test_cubic_negative_k1_minima_saddles_and_barrier_are_exact():
    K1, K2 = -1.1e4, -2.8e3
    cp = M.critical_points(M.EnergySurface([M.CubicAnisotropy(K1, K2)]))
    assert len(cp.minima) == 8 and len(cp.saddles) == 12 and len(cp.maxima) == 6
    assert np.allclose(np.abs(cp.minima), 1 / np.sqrt(3), atol=1e-8)
    assert np.allclose(np.sort(np.abs(cp.saddles), axis=1), [[0, 1 / np.sqrt(2), 1 / np.sqrt(2)]] * 12, atol=1e-8)
    assert np.allclose(M.barriers(cp), -K1 / 12 - K2 / 27, rtol=1e-9)
    assert np.all(cp.saddle_minima >= 0) and not np.any(cp.degenerate_saddles)
    # each ⟨110⟩ saddle joins the two ⟨111⟩ minima on either side of it
    for j, (a, b) in enumerate(cp.saddle_minima):
        assert a != b and np.isclose(cp.minima[a] @ cp.minima[b], 1 / 3)


def test_cubic_positive_k1_curvature_at_minimum_is_2k1():
    K1 = 2e4
    cp = M.critical_points(M.EnergySurface([M.CubicAnisotropy(K1)]))
    assert len(cp.minima) == 6 and len(cp.saddles) == 12
    assert np.allclose(cp.curvature_minima, 2 * K1, rtol=1e-9)
    assert np.allclose(M.barriers(cp), K1 / 4, rtol=1e-9)
    # at the ⟨110⟩ saddle: e(θ) along the (1-10) circle; curvatures −K1 (towards ⟨111⟩... ) and +K1 (to ⟨100⟩)
    assert np.allclose(np.sort(cp.curvature_saddles, axis=1)[:, 1] > 0, True)
    assert np.all(cp.curvature_saddles[:, 0] < 0)


def test_uniaxial_has_two_minima_and_a_degenerate_equatorial_ring():
    Ku = 1e4
    axis = np.array([1.0, 1.0, 0.0]) / np.sqrt(2)
    cp = M.critical_points(M.EnergySurface([M.UniaxialAnisotropy(Ku, axis)]))
    assert len(cp.minima) == 2 and np.allclose(np.abs(cp.minima @ axis), 1, atol=1e-8)
    assert np.allclose(cp.curvature_minima, 2 * Ku, rtol=1e-9)
    assert len(cp.saddles) >= 1 and np.all(cp.degenerate_saddles)
    assert np.allclose(cp.saddles @ axis, 0, atol=1e-7)
    assert np.allclose(M.barriers(cp), Ku, rtol=1e-9)


def test_tilted_field_gives_isolated_saddle_and_lower_barrier():
    Ku, Ms = 1e4, 4e5
    HK = 2 * Ku / (MU_0 * Ms)
    s = M.EnergySurface([M.UniaxialAnisotropy(Ku)]).with_field(0.2 * HK * np.array([np.sin(0.5), 0, np.cos(0.5)]), Ms)
    cp = M.critical_points(s)
    assert len(cp.minima) == 2 and len(cp.saddles) >= 1 and not np.any(cp.degenerate_saddles)
    b = M.barriers(cp)
    assert b.min() < Ku < b.max()


def test_flat_surface_has_no_critical_points():
    cp = M.critical_points(M.EnergySurface([M.shape_anisotropy(np.eye(3) / 3, 4e5)]))
    assert cp.flat and len(cp.minima) == 0
    assert M.barriers(cp).shape == (0,)


def test_harmonic_fit_reproduces_cubic_plus_uniaxial_and_its_critical_points():
    s = M.EnergySurface([M.CubicAnisotropy(-1.1e4, -2.8e3), M.UniaxialAnisotropy(2e3, (0, 0, 1))])
    d = M.fibonacci_sphere(120)
    fit, resid, _ = M.HarmonicExpansion.fit(d, s.energy(d), degree=6)
    assert np.max(np.abs(resid)) < 1e-6 * s.scale()
    test = _random_dirs(50)
    assert np.allclose(fit.energy(test), s.energy(test), atol=1e-6 * s.scale())
    fs = M.EnergySurface([fit])
    assert np.allclose(fs.hessian(test), s.hessian(test), atol=1e-5 * s.scale())
    a, b = M.critical_points(s), M.critical_points(fs)
    assert np.allclose(np.sort(M.barriers(a)), np.sort(M.barriers(b)), rtol=1e-6)


def test_harmonic_fit_with_few_noisy_points_is_regularised():
    s = M.EnergySurface([M.CubicAnisotropy(-1.1e4)])
    d = M.fibonacci_sphere(26)
    err = np.full(26, 100.0)
    fit, resid, chi2 = M.HarmonicExpansion.fit(d, s.energy(d) + RNG.normal(0, 100.0, 26), errors=err, degree=4)
    assert np.isfinite(chi2)
    test = _random_dirs(200)
    assert np.sqrt(np.mean((fit.energy(test) - s.energy(test) - np.mean(fit.energy(test) - s.energy(test))) ** 2)) < 400


def test_stoner_wohlfarth_aligned_switches_exactly_at_hk_even_with_the_field_on_the_axis():
    Ku, Ms = 1e4, 4e5
    HK = 2 * Ku / (MU_0 * Ms)
    h = np.linspace(1.5, -1.5, 61)
    loop = M.stoner_wohlfarth_loop(M.EnergySurface([M.UniaxialAnisotropy(Ku)]), Ms,
                                   np.outer(h * HK, [0, 0, 1.0]))
    switched = h[loop.m_parallel < 0]
    assert switched.max() < -1.0 + 1e-9 and switched.max() > -1.0 - 0.051  # first step past −H_K
    assert np.all(loop.m_parallel[h > -1.0] > 0.999)


def test_stoner_wohlfarth_45_degrees_switches_at_half_hk():
    Ku, Ms = 1e4, 4e5
    HK = 2 * Ku / (MU_0 * Ms)
    psi = np.radians(45.0)
    hd = np.array([np.sin(psi), 0, np.cos(psi)])
    h = np.linspace(1.0, -1.0, 401)
    loop = M.stoner_wohlfarth_loop(M.EnergySurface([M.UniaxialAnisotropy(Ku)]), Ms, np.outer(h * HK, hd))
    jump = np.argmax(np.abs(np.diff(loop.m_parallel)))
    assert np.isclose(-h[jump + 1], 0.5, atol=0.006)  # h_sw = (cos^2/3 + sin^2/3)^(-3/2) = 0.5 at 45°


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="Ku_J_per_m3"):
        M.UniaxialAnisotropy(float("nan"))
    with pytest.raises(ValueError, match="axis"):
        M.UniaxialAnisotropy(1.0, (0, 0, 0))
    with pytest.raises(ValueError, match="Ms_A_per_m"):
        M.shape_anisotropy(np.eye(3) / 3, -1)
    with pytest.raises(ValueError, match="axes"):
        M.CubicAnisotropy(1.0, axes=np.diag([1, 1, -1]))
    with pytest.raises(TypeError, match="surface"):
        M.critical_points("cubic")
    with pytest.raises(ValueError, match="n_grid"):
        M.critical_points(M.EnergySurface([M.CubicAnisotropy(1.0)]), n_grid=10)


def test_stoner_wohlfarth_random_axes_gives_hc_048_and_mr_05():
    """Random 3-D easy axes (Stoner & Wohlfarth 1948): Hc = 0.479 H_K, Mr = Ms/2."""
    Ku, Ms = 1e4, 4e5
    HK = 2 * Ku / (MU_0 * Ms)
    axes = M.fibonacci_sphere(120)
    axes = axes[axes[:, 2] > 0]  # e(n) is even in the axis: the upper hemisphere covers all orientations
    h = np.concatenate([np.linspace(1.2, -1.2, 97), np.linspace(-1.2, 1.2, 97)[1:]])
    m = np.mean([M.stoner_wohlfarth_loop(M.EnergySurface([M.UniaxialAnisotropy(Ku, a)]), Ms,
                                         np.outer(h * HK, [0, 0, 1.0])).m_parallel for a in axes], axis=0)
    down = slice(0, 97)
    hd, md = h[down], m[down]
    k = np.nonzero(md < 0)[0][0]
    hc = -(hd[k - 1] + (hd[k] - hd[k - 1]) * md[k - 1] / (md[k - 1] - md[k]))
    mr = np.interp(0.0, hd[::-1], md[::-1])
    assert abs(hc - 0.479) < 0.02 and abs(mr - 0.5) < 0.01


def test_stoner_wohlfarth_cubic_111_switches_at_4k1_over_3():
    """K1 < 0, field along −[111] from the [111] minimum: the minimum's curvature −4K1/3 sets H_sw."""
    K1, Ms = -1.1e4, 4.8e5
    Hsw = 4 * abs(K1) / (3 * MU_0 * Ms)
    d = np.ones(3) / np.sqrt(3)
    h = np.linspace(0.5, -1.5, 201)
    loop = M.stoner_wohlfarth_loop(M.EnergySurface([M.CubicAnisotropy(K1)]), Ms, np.outer(h * Hsw, d), n0=d)
    first = h[np.nonzero(loop.m_parallel < 0.9)[0][0]]
    assert -1.0 - 0.011 < first <= -1.0 + 1e-9


def test_polynomial_form_reproduces_the_surface_for_compiled_dynamics():
    s = M.EnergySurface(TERMS)
    exps, coef = s.polynomial()
    n = _random_dirs(100)
    e = np.prod(n[:, None, :] ** exps, axis=-1) @ coef
    assert np.allclose(e, s.energy(n), atol=1e-9 * s.scale())
