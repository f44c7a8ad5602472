"""MPI from a measured particle (atomspin.imaging.mpi_particle) against exact limits and slow references."""
import math

import numpy as np
import pytest

import naive
from atomspin import imaging, sar
from atomspin.imaging import LANGEVIN_FWHM_XI, EquilibriumCurve, mpi_from_particle, mpi_psf, mpi_signal
from atomspin.units import K_B, MU_0

MS = 4.8e5  # A/m, bulk magnetite at room temperature
T = 310.0
K = 1.0e4  # J/m³


def particle(sigma=None, d_nm=None, K=K, **kw):
    """A uniaxial particle with barrier σ = KV/k_BT (or diameter d)."""
    V = sigma * K_B * T / K if sigma is not None else math.pi / 6 * (d_nm * 1e-9) ** 3
    return sar.Particle(Ms_A_per_m=MS, volume_m3=V, T_K=T, K_uniaxial_J_per_m3=K, **kw)


def xi_per_field(p):
    return MU_0 * p.Ms_A_per_m * p.volume_m3 / (K_B * p.T_K)


# ---------------------------------------------------------------- the equilibrium curve
def test_equilibrium_curve_without_anisotropy_is_langevin():
    p = particle(d_nm=20, K=1e-3)  # σ = 1e-6: the anisotropy is invisible
    c = EquilibriumCurve(p, "random", 8)
    k = xi_per_field(p)
    H = np.linspace(-60.0, 60.0, 37) / k
    m0 = MS * p.volume_m3
    ref = np.array([naive.langevin_scalar(k * h) for h in H])
    dref = np.array([naive.langevin_derivative_scalar(k * h) for h in H])
    np.testing.assert_allclose(c.moment(H), m0 * ref, rtol=1e-9, atol=1e-15 * m0)
    np.testing.assert_allclose(c.psf(H), m0 * k * dref, rtol=1e-8, atol=1e-14 * m0 * k)
    assert c.fwhm() == pytest.approx(LANGEVIN_FWHM_XI / k, rel=1e-8)


@pytest.mark.parametrize("sigma, xis, psi", [(20.0, (0.3, -2.0, 8.0, 150.0), 0.0),
                                             (60.0, (1.0, 40.0), 0.0),
                                             (8.0, (0.5, -3.0, 20.0), 1.1)])
def test_equilibrium_curve_uniaxial_matches_double_integral(sigma, xis, psi):
    """Uniaxial axis at ψ to the field: the Gauss–Legendre/trapezoid average equals plain nested quad."""
    p = particle(sigma)
    axis = np.array([[math.sin(psi), 0.0, math.cos(psi)]])  # body-frame field direction, easy axis = ẑ
    c = EquilibriumCurve(p, axes=axis, xi_max=max(xis) + 1)
    k = xi_per_field(p)
    for xi in xis:
        mean, var = naive.naive_uniaxial_equilibrium(sigma, xi, psi)
        assert c.moment(np.array([xi / k]))[0] == pytest.approx(MS * p.volume_m3 * mean, rel=1e-9, abs=1e-12 * MS * p.volume_m3)
        assert c.psf(np.array([xi / k]))[0] == pytest.approx(MS * p.volume_m3 * k * var, rel=1e-7)


def test_equilibrium_curve_of_a_cubic_landscape_matches_double_integral():
    """A landscape particle (magnetite-like cubic K1 < 0 + a weak uniaxial term, as a measured surface would be):
    the polynomial form used for speed gives the same Boltzmann average as the surface itself under plain quad."""
    from atomspin import macrospin

    surface = macrospin.EnergySurface([macrospin.CubicAnisotropy(-1.1e4, -0.28e4),
                                       macrospin.UniaxialAnisotropy(3e3, (0.0, 0.6, 0.8))])
    d_nm = 18.0
    p = sar.Particle(Ms_A_per_m=MS, volume_m3=math.pi / 6 * (d_nm * 1e-9) ** 3, T_K=T, landscape=surface)
    d = np.array([0.3, -0.5, 0.81])
    d /= np.linalg.norm(d)
    c = EquilibriumCurve(p, axes=d[None, :], xi_max=30.0)
    k = xi_per_field(p)
    bv = p.volume_m3 / (K_B * T)
    u = np.array([0.0, 0.6, 0.8])

    def e_over_kT(n):  # the contract's formulas: K1(a²b² + b²c² + c²a²) + K2 a²b²c² + Ku (1 − (n̂·û)²)
        a2, b2, c2 = n[0] ** 2, n[1] ** 2, n[2] ** 2
        return bv * (-1.1e4 * (a2 * b2 + b2 * c2 + c2 * a2) - 0.28e4 * a2 * b2 * c2 + 3e3 * (1 - (n @ u) ** 2))

    for xi in (0.7, -4.0, 25.0):
        mean, var = naive.naive_surface_equilibrium(e_over_kT, xi, d)
        assert c.moment(np.array([xi / k]))[0] == pytest.approx(MS * p.volume_m3 * mean, rel=1e-8)
        assert c.psf(np.array([xi / k]))[0] == pytest.approx(MS * p.volume_m3 * k * var, rel=1e-7)


def test_equilibrium_curve_node_count_converged():
    """Twice the polar nodes change m and dm/dH by < 1e-9 (random axes, σ = 40, ξ up to 120)."""
    p = particle(40.0)
    k = xi_per_field(p)
    H = np.linspace(-120.0, 120.0, 61) / k
    a = EquilibriumCurve(p, "random", 12, xi_max=120.0)
    b = EquilibriumCurve(p, "random", 12, xi_max=120.0)
    x, w = np.polynomial.legendre.leggauss(2 * a.n_polar)
    b.n_polar, b.x = 2 * a.n_polar, x
    from atomspin.sar.rates import anisotropy_surface

    surface = anisotropy_surface(p)
    bv = p.volume_m3 / (K_B * T)
    phi = 2 * np.pi * np.arange(256) / 256
    s = np.sqrt(1 - x**2)
    lw = []
    for d in b.dirs:  # the same construction with 2× polar and 2× azimuthal nodes
        e1 = np.cross(d, [1.0, 0, 0] if abs(d[0]) < 0.9 else [0, 1.0, 0])
        e1 /= np.linalg.norm(e1)
        e2 = np.cross(d, e1)
        n = x[:, None, None] * d + s[:, None, None] * (np.cos(phi)[None, :, None] * e1 + np.sin(phi)[None, :, None] * e2)
        e = surface.energy(n.reshape(-1, 3)).reshape(len(x), len(phi))
        z = -bv * (e - e.min())
        zm = z.max(axis=1)
        lw.append(zm + np.log(np.exp(z - zm[:, None]).sum(axis=1)) + np.log(w))
    b.logw = np.ascontiguousarray(lw)
    m0 = MS * p.volume_m3
    np.testing.assert_allclose(a.moment(H), b.moment(H), rtol=1e-9, atol=1e-12 * m0)
    np.testing.assert_allclose(a.psf(H), b.psf(H), rtol=1e-8, atol=1e-12 * m0 * k)


def test_equilibrium_curve_bad_input():
    with pytest.raises(ValueError, match="particle"):
        EquilibriumCurve("magnetite")
    with pytest.raises(ValueError, match="n_orientations"):
        EquilibriumCurve(particle(5.0), "random", 0)
    with pytest.raises(ValueError, match="T_K"):
        EquilibriumCurve(particle(5.0).replace(T_K=0.0))


# ---------------------------------------------------------------- periodic samples into mpi_signal
def test_one_period_of_samples_is_periodic_and_exact():
    """The step midpoints t_k = (k + ½)/(Nf) of one period reproduce the analytic Langevin harmonics."""
    m = MS * math.pi / 6 * (15e-9) ** 3
    f, B = 25e3, 12e-3
    N = 512
    t = (np.arange(N) + 0.5) / (N * f)
    k = MU_0 * m / (K_B * T)
    mt = m * np.array([naive.langevin_scalar(k * B / MU_0 * math.cos(2 * math.pi * f * tt)) for tt in t])
    r = mpi_signal(t_s=t, m_Am2=mt, f_Hz=f, amplitude_T=B)
    for n in (1, 3, 5, 7, 9):
        ref = m * abs(naive.langevin_harmonic(k * B / MU_0, n))
        assert r.moment_harmonics_Am2[n - 1] == pytest.approx(ref, rel=1e-10, abs=1e-13 * m)
        assert abs(r.moment_harmonic_phases_rad[n - 1]) < 1e-9 or abs(abs(r.moment_harmonic_phases_rad[n - 1]) - math.pi) < 1e-9
    assert r.even_to_odd_ratio < 1e-12
    assert "periodic" in " ".join(r.notes)
    with pytest.raises(ValueError, match="t_s"):  # less than a period and not a whole period of samples
        mpi_signal(t_s=t[:300], m_Am2=mt[:300], f_Hz=f, amplitude_T=B)


# ---------------------------------------------------------------- the particle as a tracer
def test_low_barrier_particle_reproduces_langevin_harmonics_and_psf():
    """σ → 0: the particle's harmonics are the Langevin ones times the Debye factor 1/|1 + inωτ| of its own
    τ (sar.relaxation_time), and its PSF is mpi_psf(moment = Ms V, tau_s = τ)."""
    p = particle(d_nm=20, K=1e-3)
    r = mpi_from_particle(p, n_orientations=4)
    assert r.method == "equilibrium" and r.barrier_over_kT < 1e-5
    tau = sar.relaxation_time(p)
    assert r.tau_s == pytest.approx(tau, rel=1e-12)
    m0 = MS * p.volume_m3
    k = xi_per_field(p)
    xi_d = k * r.amplitude_T / MU_0
    omega = 2 * math.pi * r.f_Hz
    for n in (1, 3, 5, 7):
        ref = m0 * abs(naive.langevin_harmonic(xi_d, n)) / abs(1 + 1j * n * omega * tau)
        assert r.signal.moment_harmonics_Am2[n - 1] == pytest.approx(ref, rel=1e-8)
    assert r.psf_fwhm_equilibrium_A_per_m == pytest.approx(LANGEVIN_FWHM_XI / k, rel=1e-8)
    debye = mpi_psf(moment_Am2=m0, T_K=T, tau_s=tau)  # the acceptance call with the particle's τ
    assert r.psf_fwhm_A_per_m == pytest.approx(debye.fwhm_A_per_m, rel=1e-7)
    assert r.psf_peak_shift_A_per_m == pytest.approx(debye.peak_shift_A_per_m, rel=1e-5)
    assert r.psf_fwhm_A_per_m > r.psf_fwhm_equilibrium_A_per_m  # relaxation broadens
    # per unit iron: stoichiometric magnetite by default
    fe = imaging._common.FE_DENSITY_MAGNETITE * p.volume_m3 * 55.845e-3 / 6.02214076e23
    assert r.iron_mass_kg == pytest.approx(fe, rel=1e-12)
    assert r.harmonic3_Am2_per_kg_Fe == pytest.approx(r.signal.moment_harmonics_Am2[2] / fe, rel=1e-14)
    d = r.to_dict()
    assert d["signal"]["type"] == "MPISignalResult" and d["method"] == "equilibrium"
    assert set(r.summary()) >= {"harmonic3_Am2_per_kg_Fe", "psf_fwhm_A_per_m", "tau_s"}


def _aligned(p, f, amplitude_T, method, **kw):
    return mpi_from_particle(p, f_Hz=f, amplitude_T=amplitude_T, axes="aligned", method=method, **kw)


def test_master_equation_quasistatic_limit_is_the_equilibrium_curve():
    """High barrier, ωτ = 1e-3: the master equation's steady state follows the Boltzmann curve; its harmonic
    (intrawell) approximation is exact to O(1/σ²): the difference is < 3/σ² and shrinks ≈ (20/14)² ≈ 2× from
    σ = 14 to 20 (K = 100 kJ/m³ keeps τ short enough for a drive above the 1 mHz floor of the sar layer; the
    result depends on σ, ξ and ωτ only)."""
    errs = []
    for sigma in (14.0, 20.0):
        p = particle(sigma, K=1e5)
        tau = sar.relaxation_time(p, method="rates")
        f = 1e-3 / (2 * math.pi * tau)
        B = MU_0 * 2.0 / xi_per_field(p)  # ξ_d = 2: nonlinear, odd harmonics up to 5 well above round-off
        rm = _aligned(p, f, B, "master", steps_per_cycle=256)
        re = _aligned(p, f, B, "equilibrium", tau_N_s=1e-30)
        assert rm.method == "master"
        rel = rm.signal.moment_harmonics_Am2[[0, 2, 4]] / re.signal.moment_harmonics_Am2[[0, 2, 4]] - 1
        assert np.all(np.abs(rel) < 3.0 / sigma**2), (sigma, rel)
        errs.append(np.abs(rel))
    assert np.all(errs[1] < errs[0] / 1.6)


def test_master_equation_small_amplitude_is_a_debye_lag():
    """Linear regime (ξ_d = 0.02), σ = 12: the first harmonic lags by arctan(ωτ) with the master equation's own
    relaxation time (sar.relaxation_time(method='rates')), to O(1/σ²) (the instantaneous intrawell part)."""
    p = particle(12.0)
    tau = sar.relaxation_time(p, method="rates")
    B = MU_0 * 0.02 / xi_per_field(p)
    for wt in (0.3, 1.0):
        r = _aligned(p, wt / (2 * math.pi * tau), B, "master")
        lag = -r.signal.moment_harmonic_phases_rad[0]
        assert math.tan(lag) == pytest.approx(wt, rel=2.0 / 12.0**2)
        assert r.psf_peak_shift_A_per_m is None or r.psf_peak_shift_A_per_m >= 0.0


def test_master_equation_relaxation_delays_the_xspace_psf():
    """A 20 nm magnetite particle with K = 1e4 J/m³ at the OpenMPIData drive: blocked-ish (ωτ ≈ 1): the
    x-space PSF peak is delayed along the sweep and the spectrum falls below the Langevin tracer's."""
    p = particle(d_nm=20)
    r = mpi_from_particle(p, n_orientations=8, steps_per_cycle=256)
    assert r.method == "master" and r.barrier_over_kT > 4.0
    assert r.psf_peak_shift_A_per_m > 0.0
    assert r.harmonic3_Am2 < r.langevin.harmonic3_moment_Am2
    assert r.signal.even_to_odd_ratio < 1e-9  # no offset: an odd response


def test_mpi_from_particle_bad_input():
    p = particle(5.0)
    with pytest.raises(ValueError, match="particle"):
        mpi_from_particle({"Ms": 1})
    with pytest.raises(ValueError, match="method"):
        mpi_from_particle(p, method="llg")
    with pytest.raises(ValueError, match="amplitude_T"):
        mpi_from_particle(p, amplitude_T=-1.0)
    with pytest.raises(ValueError, match="offset_T"):
        mpi_from_particle(particle(d_nm=20), offset_T=1e-3, method="master")
    with pytest.raises(ValueError, match="steps_per_cycle"):
        mpi_from_particle(p, steps_per_cycle=3)
    with pytest.raises(ValueError, match="medium"):
        mpi_from_particle(p, medium="water")


def test_mpi_signal_of_a_sar_loop_is_the_master_path():
    """The call a user makes by hand: one cycle of sar.landscape_loop (M/Ms at the step midpoints) into
    imaging.mpi_signal(t_s=..., m_Am2=M Ms V, ...) gives the master-method harmonics exactly."""
    p = particle(12.0)
    f, B = 25e3, 12e-3
    loop = sar.landscape_loop(p, f, B / MU_0, axes="aligned", steps_per_cycle=256, allow_nonclinical=True)
    N = len(loop.M_over_Ms)
    t = (np.arange(N) + 0.5) / (N * f)
    sig = imaging.mpi_signal(t_s=t, m_Am2=loop.M_over_Ms * MS * p.volume_m3, f_Hz=f, amplitude_T=B)
    r = _aligned(p, f, B, "master", steps_per_cycle=256)
    np.testing.assert_allclose(sig.moment_harmonics_Am2, r.signal.moment_harmonics_Am2, rtol=1e-12,
                               atol=1e-12 * sig.moment_harmonics_Am2[0])


@pytest.mark.nojit
def test_equilibrium_average_without_overflow_or_underflow():
    """σ = 800 with the field across the easy axis and ξ = 1000: the product fast path underflows and the
    max-shifted sum takes over (no NaN); both agree with nested quadrature. Small enough to run without the JIT."""
    sigma, psi = 800.0, 0.5 * math.pi
    p = particle(sigma)
    c = EquilibriumCurve(p, axes=np.array([[1.0, 0.0, 0.0]]), xi_max=40.0)  # field ⟂ easy axis ẑ
    k = xi_per_field(p)
    for xi in (1000.0, 3.0):
        m = c.moment(np.array([xi / k]))[0] / (MS * p.volume_m3)
        v = c.psf(np.array([xi / k]))[0] / (MS * p.volume_m3 * k)
        mean, var = naive.naive_uniaxial_equilibrium(sigma, xi, psi)
        assert np.isfinite(m) and np.isfinite(v)
        assert m == pytest.approx(mean, rel=1e-6, abs=1e-12)
        assert v == pytest.approx(var, rel=1e-4)
