"""Bulk Curie temperature with the default parameter sets: the test that proves the J conversion.

Method: periodic bulk boxes of L×L×L cubic cells (ideal lattice, averaged 4.5 μB B sites for magnetite;
random 1/6 B vacancies for maghemite), sequential single-spin Metropolis (atomspin.engine, adaptive cone),
heating through a temperature grid; at each T ``n_eq`` equilibration and ``n_meas`` measurement sweeps.
Tc = crossing of the Binder cumulants U4 = 1 − ⟨M⁴⟩/(3⟨M²⟩²) of two box sizes (linear interpolation of
U4(L_big) − U4(L_small) between grid points) for the staggered order parameter M_B − M_A (the total moment
of a ferrimagnet is a small difference and its U4 is too noisy for L ≤ 5); the total-moment crossing and the
susceptibility peak of the larger box are printed / checked as cross-checks.

Measured (2000 + 6000 sweeps per T, 20–30 K grid; the spread between seeds, ≈ ±15 K, is the error):

* magnetite, default set: staggered crossing L = 4/6: 849 / 861 K (two engine versions/seeds), 6/8: 851 K;
  total-moment crossing 4/6: 866–869 K, 6/8: 863 K; χ peak L = 6, 8 at 860–880 K (20 K grid)
  → Tc = 858 ± 15 K vs. 858 K experiment.
  Reduced test (L = 3/5, 1000 + 4000 sweeps): staggered 848 K (seeds: 844–860 K), total 866 K.
* magnetite from ``structures.build_bulk`` (Verwey-ordered Fe²⁺ 4 μB / Fe³⁺ 5 μB B sites): total-moment
  crossing L = 4/6 866–872 K, staggered 866 K; reduced (L = 3/4) staggered 846 K.
* the literal unit-spin reading (J_BB = 0.63 meV): L = 3/4 79–83 K; an independent VAMPIRE 7.0 run of the same couplings gave 82 ± 2 K.
* maghemite, default γ-Fe2O3 set ``params="maghemite"`` (Uhl–Siberchicot integrals on the maghemite lattice;
  formerly ``maghemite_uhl``, still accepted as an alias): crossing L = 4/6 860–884 K (−4…−6 % vs. 918 K);
  reduced staggered 851 K.
* maghemite, Kodama–Berkowitz set (``params="maghemite_kodama"``, the former default): crossing L = 4/6
  639–666 K, χ peak ≈ 670 K (−29 % vs. ≈ 918 K experiment); reduced staggered 634 K.
"""
import numpy as np
import pytest

from atomspin.model import SpinModel
from atomspin.model.reference_lattices import spinel_box

TC_MAGNETITE_EXP = 858.0  # K, ~585 °C (Dunlop & Özdemir, Rock Magnetism, CUP (1997): 580-585 °C)
TC_MAGHEMITE_EXP = 918.0  # K, ~645 °C, Dunlop & Özdemir 1997 (590-675 °C); ~950 K Grau-Crespo et al. 2010


def binder_crossing(T, u_small, u_large):
    """Temperature where U4(L_large) − U4(L_small) changes sign from + to − (linear interpolation), K."""
    d = np.asarray(u_large) - np.asarray(u_small)
    for k in range(len(T) - 1):
        if d[k] > 0 >= d[k + 1]:
            return T[k] + (T[k + 1] - T[k]) * d[k] / (d[k] - d[k + 1])
    raise AssertionError(f"no Binder crossing in {T[0]}–{T[-1]} K: ΔU = {np.round(d, 4)}")


def test_binder_crossing_helper():
    assert binder_crossing([1.0, 2.0, 3.0], [0.5, 0.5, 0.5], [0.6, 0.55, 0.45]) == pytest.approx(2.5)
    with pytest.raises(AssertionError):
        binder_crossing([1.0, 2.0], [0.5, 0.5], [0.4, 0.3])


def _binder(v):
    """U4 of an (S, 3) order-parameter sample."""
    m2 = np.sum(np.asarray(v) ** 2, axis=1)
    return float(1.0 - np.mean(m2 * m2) / (3.0 * np.mean(m2) ** 2))


def _scan(model_of_L, Ls, Ts, n_eq, n_meas, seed=11):
    """Heat each box through Ts; per L return U4 of the total moment, U4 of the staggered (B − A)
    sublattice moment, and χ of the total moment."""
    eng = pytest.importorskip("atomspin.engine")
    out = {}
    for L in Ls:
        m = model_of_L(L)
        sim = eng.Simulation(m, T=Ts[0], seed=seed + L, threads=1, parallel=False)
        u, us, chi = [], [], []
        for T in Ts:
            sim.set_temperature(T)
            sim.run(n_eq)
            o = sim.run(n_meas, observe_every=2)
            sub = o.sublattice_magnetisation
            u.append(o.binder)
            us.append(_binder(sub["B"] - sub["A"]))
            chi.append(o.susceptibility)
        out[L] = {"U": np.array(u), "U_stag": np.array(us), "chi": np.array(chi)}
    return out


def _crossings(Ts, res, Ls):
    """(staggered, total) Binder crossings; the total one is None when the small boxes do not resolve it."""
    tc = binder_crossing(Ts, res[Ls[0]]["U_stag"], res[Ls[1]]["U_stag"])
    try:
        tc_tot = binder_crossing(Ts, res[Ls[0]]["U"], res[Ls[1]]["U"])
    except AssertionError:
        tc_tot = None
    return tc, tc_tot


@pytest.mark.slow
def test_magnetite_bulk_tc(full_scale):
    """Default magnetite set (Uhl & Siberchicot, −2J S·S, classical S = m/2): Tc = 858 K ± 5 % from the
    Binder crossing of the staggered (B − A) order parameter; χ peak of the larger box as a cross-check."""
    if full_scale:
        Ls, Ts, n_eq, n_meas = (4, 6), [800.0, 820.0, 840.0, 860.0, 880.0, 900.0], 2000, 6000
    else:
        Ls, Ts, n_eq, n_meas = (3, 5), [800.0, 840.0, 880.0, 920.0], 1000, 4000
    res = _scan(lambda L: SpinModel.from_atoms(spinel_box(L)), Ls, Ts, n_eq, n_meas)
    tc, tc_tot = _crossings(Ts, res, Ls)
    chi = res[Ls[1]]["chi"]
    print(f"magnetite Binder crossing L={Ls}: staggered {tc:.1f} K, total {tc_tot} K; chi = {np.round(chi, 1)}")
    assert tc == pytest.approx(TC_MAGNETITE_EXP, rel=0.05)
    t_peak = Ts[int(np.argmax(chi))]
    assert t_peak == pytest.approx(TC_MAGNETITE_EXP, rel=0.06 if full_scale else 0.08)


@pytest.mark.slow
def test_magnetite_literal_reading_orders_near_82K(full_scale):
    """The literal unit-spin reading of the same numbers (J_BB = 0.63) orders ~10× lower (82 ± 2 K in an
    independent VAMPIRE 7.0 run of the same couplings) — the convention matters."""
    lit = {"name": "literal", "convention": {"form": "-J", "spin_length": "unit", "unit": "meV"},
           "exchange": {"AA": -0.11, "AB": -2.92, "BB": 0.63, "BB180": -2.92},
           "anisotropy": {"cell_a_A": 8.396, "magnetic_sites_per_cell": 24}}
    Ls = (3, 4)
    Ts = [70.0, 78.0, 86.0, 94.0]
    n_eq, n_meas = (1500, 6000) if full_scale else (1000, 4000)
    res = _scan(lambda L: SpinModel.from_atoms(spinel_box(L), params=lit), Ls, Ts, n_eq, n_meas)
    tc, tc_tot = _crossings(Ts, res, Ls)
    print(f"literal reading Binder crossing: staggered {tc:.1f} K, total {tc_tot} K")
    assert tc == pytest.approx(82.0, rel=0.08)


@pytest.mark.slow
def test_maghemite_kodama_bulk_tc_reported(full_scale):
    """Kodama–Berkowitz set (params="maghemite_kodama"; −2J S·S, quantum length √(S(S+1))): classical MC
    orders below the quantum mean-field 905 K; the measured crossing is reported and bracketed (not fitted
    to experiment). This is why it is not the γ-Fe2O3 default."""
    def box(L):
        return SpinModel.from_atoms(spinel_box(L, phase="gamma-Fe2O3", b_moment=5.0, vacancy_fraction=1 / 6,
                                               seed=L), params="maghemite_kodama")

    if full_scale:
        Ls, Ts, n_eq, n_meas = (4, 6), [600.0, 630.0, 660.0, 690.0, 720.0], 2000, 6000
    else:
        Ls, Ts, n_eq, n_meas = (3, 4), [580.0, 620.0, 660.0, 700.0, 740.0], 1000, 4000
    res = _scan(box, Ls, Ts, n_eq, n_meas)
    tc, tc_tot = _crossings(Ts, res, Ls)
    print(f"maghemite Binder crossing: staggered {tc:.1f} K, total {tc_tot} K (experiment ≈ {TC_MAGHEMITE_EXP} K)")
    assert 0.65 * 905.0 < tc < 0.9 * 905.0


@pytest.mark.slow
def test_maghemite_default_bulk_tc(full_scale):
    """Default γ-Fe2O3 set (params="maghemite": magnetite integrals on the maghemite lattice, chosen from
    atoms.info['phase']): Tc within −15 %/+5 % of the experimental ≈ 918 K (measured ≈ 860 K at full scale,
    909 K in the reduced L = 3/4 form)."""
    def box(L):
        m = SpinModel.from_atoms(spinel_box(L, phase="gamma-Fe2O3", b_moment=5.0, vacancy_fraction=1 / 6,
                                            seed=L))
        assert m.info["params"] == "maghemite"
        return m

    if full_scale:
        Ls, Ts, n_eq, n_meas = (4, 6), [800.0, 830.0, 860.0, 890.0, 920.0], 2000, 6000
    else:
        Ls, Ts, n_eq, n_meas = (3, 4), [780.0, 830.0, 880.0, 930.0], 1000, 4000
    res = _scan(box, Ls, Ts, n_eq, n_meas)
    tc, tc_tot = _crossings(Ts, res, Ls)
    print(f"maghemite (default set) Binder crossing: staggered {tc:.1f} K, total {tc_tot} K "
          f"(experiment ≈ {TC_MAGHEMITE_EXP} K)")
    assert 0.85 * TC_MAGHEMITE_EXP < tc < 1.05 * TC_MAGHEMITE_EXP


@pytest.mark.slow
def test_magnetite_bulk_tc_verwey_labels(full_scale):
    """Same set on ``structures.build_bulk`` boxes (explicit Fe2+/Fe3+ B sites, converted with S = m/2)."""
    st = pytest.importorskip("atomspin.structures")
    if full_scale:
        Ls, Ts, n_eq, n_meas = (4, 6), [820.0, 840.0, 860.0, 880.0, 900.0], 2000, 6000
    else:
        Ls, Ts, n_eq, n_meas = (3, 4), [800.0, 840.0, 880.0, 920.0], 1000, 4000
    res = _scan(lambda L: SpinModel.from_atoms(st.build_bulk("Fe3O4", repeat=L)), Ls, Ts, n_eq, n_meas)
    tc, tc_tot = _crossings(Ts, res, Ls)
    print(f"magnetite (Verwey labels) Binder crossing L={Ls}: staggered {tc:.1f} K, total {tc_tot} K")
    assert tc == pytest.approx(TC_MAGNETITE_EXP, rel=0.05)
