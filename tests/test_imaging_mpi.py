"""MPI figures of merit (atomspin.imaging.mpi, mpi_signal) against exact results and slow references."""
import json
import math

import numpy as np
import pytest

import naive
from atomspin import imaging
from atomspin.imaging import LANGEVIN_FWHM_XI, mpi_psf, mpi_signal
from atomspin.units import K_B, MU_0

MS = 4.8e5  # A/m
T = 310.0


def moment(d_nm):
    return MS * math.pi / 6.0 * (d_nm * 1e-9) ** 3


def field_scale(m, T=T):
    return K_B * T / (MU_0 * m)


# ---------------------------------------------------------------- point-spread function
def test_psf_fwhm_acceptance_call_langevin_limit():
    m = moment(20)
    H = np.linspace(-2e4, 2e4, 41)
    res = imaging.mpi_psf(moment_Am2=m, T_K=T, H_A_per_m=H)
    w = field_scale(m)
    assert res.fwhm_A_per_m == pytest.approx(4.16 * w, rel=2e-3)  # the "≈ 4.16 k_BT/(μ0 m)"
    assert res.fwhm_A_per_m == pytest.approx(naive.langevin_psf_fwhm_xi() * w, rel=1e-12)
    assert LANGEVIN_FWHM_XI == pytest.approx(naive.langevin_psf_fwhm_xi(), rel=1e-13)
    # the PSF itself is m dL/dH, and the resolution is μ0 FWHM / gradient
    k = 1.0 / w
    ref = [m * k * naive.langevin_derivative_scalar(k * h) for h in H]
    np.testing.assert_allclose(res.psf_m3, ref, rtol=1e-10)
    assert res.resolution_m == pytest.approx(MU_0 * res.fwhm_A_per_m / res.gradient_T_per_m, rel=1e-14)
    assert res.peak_shift_A_per_m == 0.0 and res.fwhm_ratio == 1.0


def test_psf_fwhm_does_not_depend_on_the_requested_grid():
    m = moment(15)
    a = mpi_psf(m, T, np.linspace(-1, 1, 3)).fwhm_A_per_m
    b = mpi_psf(m, T, np.linspace(-1e5, 1e5, 2001)).fwhm_A_per_m
    assert a == b


def test_psf_ensemble_fwhm_is_the_exact_half_width_of_the_mixture():
    ms = np.array([moment(12), moment(18), moment(25)])
    wts = np.array([0.5, 0.3, 0.2])
    res = mpi_psf(ms, T, weights=wts)
    ks = 1.0 / field_scale(ms)

    def h(H):
        return sum(wi * mi * ki * naive.langevin_derivative_scalar(ki * H) for wi, mi, ki in zip(wts, ms, ks))

    half = 0.5 * h(0.0)
    lo, hi = 0.0, 1e6
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if h(mid) > half else (lo, mid)
    assert res.fwhm_A_per_m == pytest.approx(2 * lo, rel=1e-10)


@pytest.mark.nojit
@pytest.mark.parametrize("a_over_w", [0.005, 0.02, 0.05, 0.5, 5.0, 50.0])
def test_debye_psf_is_the_exponential_convolution(a_over_w):
    m = moment(20)
    w = field_scale(m)
    v = 2 * math.pi * imaging.F_DRIVE_HZ * imaging.AMPLITUDE_T / MU_0
    tau = a_over_w * w / v
    H = np.linspace(-6 * w, 6 * w + 3 * a_over_w * w, 9)
    res = mpi_psf(m, T, H, tau_s=tau)
    assert res.lag_A_per_m == pytest.approx(a_over_w * w, rel=1e-14)
    ref = np.array([naive.debye_relaxed_psf(h, m, 1 / w, res.lag_A_per_m) for h in H])
    np.testing.assert_allclose(res.psf_m3, ref, rtol=0, atol=1e-9 * ref.max())
    # relaxation delays and broadens the PSF, and never changes its area (the moment swing 2m)
    assert res.peak_shift_A_per_m > 0 and res.fwhm_ratio > 1
    eq = mpi_psf(m, T)
    assert res.fwhm_langevin_A_per_m == eq.fwhm_A_per_m


@pytest.mark.parametrize("a_over_w", [0.03, 1.0, 30.0])
def test_debye_psf_tails_on_a_very_wide_grid(a_over_w):
    m = moment(20)
    w = field_scale(m)
    H = np.concatenate([-np.geomspace(1e7 * w, w, 12), np.geomspace(w, 1e7 * w, 12)])
    res = mpi_psf(m, T, H, tau_s=a_over_w * w / 1e9, sweep_rate_A_per_m_per_s=1e9)
    ref = np.array([naive.debye_relaxed_psf(h, m, 1 / w, res.lag_A_per_m) for h in H])
    np.testing.assert_allclose(res.psf_m3, ref, rtol=1e-9)  # pointwise, down to the 1/H² tails


def test_debye_psf_fwhm_and_peak_against_reference():
    m = moment(20)
    w = field_scale(m)
    res = mpi_psf(m, T, tau_s=1e-6)
    a = res.lag_A_per_m
    f = lambda h: naive.debye_relaxed_psf(h, m, 1 / w, a)  # noqa: E731
    # peak: golden section on the reference; half-maximum points by bisection
    lo, hi = 0.0, 3 * a + 3 * w
    g = (math.sqrt(5) - 1) / 2
    for _ in range(80):
        c, d = hi - g * (hi - lo), lo + g * (hi - lo)
        lo, hi = (lo, d) if f(c) > f(d) else (c, hi)
    Hp = 0.5 * (lo + hi)
    half = 0.5 * f(Hp)

    def cross(x0, x1):
        for _ in range(100):
            mid = 0.5 * (x0 + x1)
            if (f(mid) - half) * (f(x0) - half) > 0:
                x0 = mid
            else:
                x1 = mid
        return 0.5 * (x0 + x1)

    fwhm = cross(Hp, Hp + 40 * (a + w)) - cross(Hp - 40 * (a + w), Hp)
    assert res.peak_shift_A_per_m == pytest.approx(Hp, rel=1e-6)
    assert res.fwhm_A_per_m == pytest.approx(fwhm, rel=1e-8)
    area = np.trapezoid(res.psf_m3, res.H_A_per_m)
    assert res.fwhm_ratio > 1.0 and area < 2 * m


def test_debye_psf_tends_to_equilibrium_as_tau_vanishes():
    m = moment(20)
    eq = mpi_psf(m, T)
    res = mpi_psf(m, T, tau_s=1e-15)
    assert res.fwhm_A_per_m == pytest.approx(eq.fwhm_A_per_m, rel=1e-8)
    np.testing.assert_allclose(res.psf_m3, eq.psf_m3, rtol=0, atol=1e-6 * eq.psf_m3.max())


# ---------------------------------------------------------------- signal and harmonics
@pytest.mark.parametrize("d_nm,offset_mT", [(10, 0.0), (20, 0.0), (30, 0.0), (20, 3.0)])
def test_langevin_harmonics_equal_the_fourier_coefficients(d_nm, offset_mT):
    m = moment(d_nm)
    res = mpi_signal(moment_Am2=m, T_K=T, offset_T=offset_mT * 1e-3, n_harmonics=12)
    xi = MU_0 * m * (imaging.AMPLITUDE_T / MU_0) / (K_B * T)
    xi_off = MU_0 * m * (offset_mT * 1e-3 / MU_0) / (K_B * T)
    ref = np.array([abs(naive.langevin_harmonic(xi, n, xi_off)) for n in range(1, 13)])
    got = res.moment_harmonics_Am2 / m
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-12)
    big = ref > 1e-6
    np.testing.assert_allclose(got[big], ref[big], rtol=1e-9)
    omega = 2 * math.pi * res.f_Hz
    np.testing.assert_allclose(res.voltage_harmonics_V, res.harmonic_numbers * omega * res.moment_harmonics_Am2,
                               rtol=1e-14)
    if offset_mT == 0:
        assert np.all(got[1::2] < 1e-14)  # only odd harmonics
        assert res.even_to_odd_ratio < 1e-12
        odd = res.voltage_harmonics_V[2::2]  # n = 3, 5, 7, ...
        assert np.all(np.diff(odd[odd > 1e-10 * odd[0]]) < 0)  # decaying with order
    else:
        assert got[1] > 1e-3  # an offset (a position off the field-free point) adds even harmonics


def test_voltage_is_minus_sensitivity_times_dm_dt():
    m = moment(20)
    res = mpi_signal(moment_Am2=m, T_K=T, coil_sensitivity_T_per_A=2e-3, n_particles=1e12)
    # dm/dt from the closed form: m k L'(kH) dH/dt
    k = 1 / field_scale(m)
    w = 2 * math.pi * res.f_Hz
    Hd = res.amplitude_T / MU_0
    dmdt = np.array([m * k * naive.langevin_derivative_scalar(k * Hd * math.cos(w * t)) * (-Hd * w * math.sin(w * t))
                     for t in res.t_s])
    np.testing.assert_allclose(res.dm_dt_Am2_per_s, dmdt, rtol=0, atol=1e-10 * np.abs(dmdt).max())
    np.testing.assert_allclose(res.voltage_V, -2e-3 * 1e12 * res.dm_dt_Am2_per_s, rtol=1e-15)


@pytest.mark.parametrize("omega_tau,offset", [(0.05, 0.0), (0.3, 0.0), (2.0, 0.0), (0.3, 1.5)])
def test_debye_harmonics_equal_the_time_domain_convolution(omega_tau, offset):
    m = moment(20)
    f = imaging.F_DRIVE_HZ
    tau = omega_tau / (2 * math.pi * f)
    k = 1 / field_scale(m)
    xi = k * imaging.AMPLITUDE_T / MU_0
    res = mpi_signal(moment_Am2=m, T_K=T, tau_s=tau, offset_T=offset * MU_0 / k, n_harmonics=7)
    c = naive.debye_relaxed_harmonics(xi, omega_tau, 7, xi_offset=offset, n_theta=128)
    np.testing.assert_allclose(res.moment_harmonics_Am2 / m, 2 * np.abs(c[1:]), rtol=0, atol=1e-10)
    np.testing.assert_allclose(res.moment_harmonics_Am2 / m, 2 * np.abs(c[1:]) / 1, rtol=1e-8, atol=1e-13)


def test_xspace_psf_from_the_signal_is_the_langevin_psf():
    m = moment(25)
    res = mpi_signal(moment_Am2=m, T_K=T)
    k = 1 / field_scale(m)
    for H, psf in ((res.psf_rising_H_A_per_m, res.psf_rising_m3), (res.psf_falling_H_A_per_m, res.psf_falling_m3)):
        ref = np.array([m * k * naive.langevin_derivative_scalar(k * h) for h in H])
        np.testing.assert_allclose(psf, ref, rtol=0, atol=1e-10 * ref.max())
    assert res.psf_fwhm_A_per_m == pytest.approx(LANGEVIN_FWHM_XI / k, rel=1e-9)
    assert abs(res.psf_peak_shift_A_per_m) < 1e-9 / k


def test_xspace_psf_of_a_debye_particle_is_delayed_and_broadened():
    m = moment(25)
    eq = mpi_signal(moment_Am2=m, T_K=T)
    rel = mpi_signal(moment_Am2=m, T_K=T, tau_s=2e-6)
    assert rel.psf_peak_shift_A_per_m > 0
    assert rel.psf_fwhm_A_per_m > eq.psf_fwhm_A_per_m
    # near the field-free point the drive is almost a ramp: the signal PSF is close to the ramp convolution
    ramp = mpi_psf(m, T, tau_s=2e-6)
    assert rel.psf_fwhm_A_per_m == pytest.approx(ramp.fwhm_A_per_m, rel=0.1)
    assert rel.psf_peak_shift_A_per_m == pytest.approx(ramp.peak_shift_A_per_m, rel=0.15)


def test_curve_and_sampled_sources_reproduce_the_langevin_source():
    m = moment(20)
    k = 1 / field_scale(m)
    ref = mpi_signal(moment_Am2=m, T_K=T, n_samples=4096, tau_s=5e-7)
    from atomspin.imaging._common import langevin

    cur = mpi_signal(curve=lambda H: m * langevin(k * H), n_samples=4096, tau_s=5e-7)
    np.testing.assert_allclose(cur.moment_harmonics_Am2, ref.moment_harmonics_Am2, rtol=1e-12, atol=1e-30)
    # sampled over 2.5 periods with an arbitrary start, uniform grid of 3000 points per period
    f = ref.f_Hz
    t = np.linspace(0.3 / f, 2.8 / f, 7501)
    Hd = ref.amplitude_T / MU_0
    ms = m * langevin(k * Hd * np.cos(2 * math.pi * f * t))
    smp = mpi_signal(t_s=t, m_Am2=ms, tau_s=5e-7, n_samples=4096)
    np.testing.assert_allclose(smp.moment_harmonics_Am2[:9], ref.moment_harmonics_Am2[:9], rtol=2e-5,
                               atol=1e-6 * m)
    assert smp.notes and smp.source == "samples"


def test_kinetic_two_state_loop_feeds_the_signal():
    """A SAR-layer M(t) (two-state Néel master equation) through the (t, m) interface: odd spectrum, lagging PSF."""
    from atomspin.sar import kinetic_loop

    f = imaging.F_DRIVE_HZ
    H0 = imaging.AMPLITUDE_T / MU_0
    d = 18e-9
    kin = kinetic_loop(f, H0, [d], Ms=MS, K=8e3, T=T, axes="aligned", steps_per_cycle=2000, n_cycles=4)
    n = kin.M_over_Ms.size
    t = (np.arange(n) + 0.5) / (n * f)  # samples at the step midpoints of the last cycle
    np.testing.assert_allclose(kin.H_A_per_m, H0 * np.cos(2 * math.pi * f * t), rtol=0, atol=1e-9 * H0)
    m_sat = MS * math.pi / 6 * d**3
    res = mpi_signal(t_s=np.concatenate([t, t + 1 / f]), m_Am2=np.tile(kin.M_over_Ms * m_sat, 2))
    u = res.voltage_harmonics_V
    assert u[2] > 0 and res.even_to_odd_ratio < 0.05
    assert res.psf_peak_shift_A_per_m > 0  # the two-state moment lags the drive


# ---------------------------------------------------------------- results and inputs
def test_results_serialise_and_plot(tmp_path):
    import matplotlib.pyplot as plt

    m = moment(20)
    psf = mpi_psf(m, T, tau_s=1e-6)
    sig = mpi_signal(moment_Am2=m, T_K=T, tau_s=1e-6, iron_mass_kg=1e-18)
    for r in (psf, sig):
        d = r.to_dict()
        json.dumps(d)
        assert json.dumps(r.summary())
    assert "fwhm_A_per_m" in psf.summary() and "harmonic3_voltage_V" in sig.summary()
    np.testing.assert_allclose(sig.moment_harmonics_Am2_per_kg_Fe, sig.moment_harmonics_Am2 / 1e-18)
    ax = psf.plot()
    ax.figure.savefig(tmp_path / "psf.png")
    axes = sig.plot()
    axes[0].figure.savefig(tmp_path / "sig.png")
    plt.close("all")


@pytest.mark.parametrize("kwargs,name", [
    (dict(moment_Am2=-1e-18), "moment_Am2"),
    (dict(moment_Am2=1e-18, T_K=0), "T_K"),
    (dict(moment_Am2=1e-18, tau_s=-1), "tau_s"),
    (dict(moment_Am2=1e-18, H_A_per_m=[0, np.nan]), "H_A_per_m"),
    (dict(moment_Am2=1e-18, H_A_per_m=np.zeros((2, 2))), "H_A_per_m"),
    (dict(moment_Am2=[1e-18, 2e-18], weights=[1.0]), "weights"),
    (dict(moment_Am2=1e-18, gradient_T_per_m=0), "gradient_T_per_m"),
])
def test_psf_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        mpi_psf(**kwargs)


@pytest.mark.parametrize("kwargs,name", [
    (dict(), "exactly one source"),
    (dict(moment_Am2=1e-18, curve=lambda H: H), "exactly one source"),
    (dict(moment_Am2=1e-18, amplitude_T=0), "amplitude_T"),
    (dict(moment_Am2=1e-18, f_Hz=float("inf")), "f_Hz"),
    (dict(moment_Am2=1e-18, n_samples=10), "n_samples"),
    (dict(moment_Am2=1e-18, n_samples=256, n_harmonics=200), "n_harmonics"),
    (dict(curve=3.0), "curve"),
    (dict(curve=lambda H: np.full(3, 1.0)), "curve"),
    (dict(t_s=[0, 1e-6, 2e-6] * 3, m_Am2=[0] * 9), "t_s"),
    (dict(t_s=np.linspace(0, 1e-6, 20), m_Am2=np.zeros(20)), "t_s"),
    (dict(m_Am2=np.zeros(20)), "t_s"),
    (dict(moment_Am2=1e-18, coil_sensitivity_T_per_A=0), "coil_sensitivity_T_per_A"),
])
def test_signal_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        mpi_signal(**kwargs)
