"""Bulk Curie temperature with the default parameter sets: the test that proves the J conversion.

Method: periodic bulk boxes of L×L×L cubic cells (ideal lattice, averaged 4.5 μB B sites for magnetite;
random 1/6 B vacancies for maghemite), sequential single-spin Metropolis (atomspin.engine, adaptive cone),
heating through a temperature grid; at each T ``n_eq`` equilibration and ``n_meas`` measurement sweeps.
Tc = crossing of the Binder cumulants U4 = 1 − ⟨M⁴⟩/(3⟨M²⟩²) of two box sizes (linear interpolation of
U4(L_big) − U4(L_small) between grid points), cross-checked by the susceptibility peak of the larger box.

Measured (this code, 2000 + 6000 sweeps per T, 20–30 K grid, heating; two independent seeds per entry
where given — their spread, ≈ ±15 K, is the statistical error):

* magnetite, default set: Binder crossing of the total moment L = 4/6: 869 / 866 K, 6/8: 863 K, 4/8: 867 K;
  staggered (B − A) order parameter 4/6: 849 K, 6/8: 851 K; χ peak L = 6 and 8 at 860 K (20 K grid).
  → Tc = 860 ± 15 K, experiment 858 K. Reduced test (L = 3/4): 873 K.
* magnetite from ``structures.build_bulk`` (Verwey-ordered Fe²⁺ 4 μB / Fe³⁺ 5 μB B sites): L = 4/6
  866 / 868 K. Reduced: 855 K.
* the literal unit-spin reading (J_BB = 0.63 meV): L = 3/4: 83 / 80.5 K; physics.md §2: 82 ± 2 K.
* maghemite, Kodama–Berkowitz set (default for γ-Fe2O3): L = 4/6 ≈ 650 / 666 K, χ peak ≈ 670 K
  (−28 % vs. ≈ 918 K experiment). Reduced (L = 3/4): 704 K.
* maghemite, Uhl–Siberchicot integrals (``params="maghemite_uhl"``): L = 4/6 ≈ 860 / 884 K (−4…−6 % vs.
  918 K). Reduced: 909 K.
"""
import numpy as np
import pytest

from atomspin.model import SpinModel
from atomspin.model._testing import spinel_box

TC_MAGNETITE_EXP = 858.0  # K, physics.md §1 [C]
TC_MAGHEMITE_EXP = 918.0  # K, ~645 °C, IRM MagWiki (physics.md §2 [C]); ~950 K Grau-Crespo et al. 2010


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


def _scan(model_of_L, Ls, Ts, n_eq, n_meas, seed=11):
    eng = pytest.importorskip("atomspin.engine")
    out = {}
    for L in Ls:
        m = model_of_L(L)
        sim = eng.Simulation(m, T=Ts[0], seed=seed + L, threads=1, parallel=False)
        u, chi = [], []
        for T in Ts:
            sim.set_temperature(T)
            sim.run(n_eq)
            o = sim.run(n_meas, observe_every=2)
            u.append(o.binder)
            chi.append(o.susceptibility)
        out[L] = (np.array(u), np.array(chi))
    return out


@pytest.mark.slow
def test_magnetite_bulk_tc(full_scale):
    """Default magnetite set (Uhl & Siberchicot, −2J S·S, classical S = m/2): Tc = 858 K ± 5 %."""
    if full_scale:
        Ls, Ts, n_eq, n_meas = (4, 6), [800.0, 820.0, 840.0, 860.0, 880.0, 900.0], 2000, 6000
    else:
        Ls, Ts, n_eq, n_meas = (3, 4), [790.0, 830.0, 870.0, 910.0], 1000, 3000
    res = _scan(lambda L: SpinModel.from_atoms(spinel_box(L)), Ls, Ts, n_eq, n_meas)
    tc = binder_crossing(Ts, res[Ls[0]][0], res[Ls[1]][0])
    print(f"magnetite Binder crossing L={Ls}: {tc:.1f} K; chi(L={Ls[1]}) = {np.round(res[Ls[1]][1], 1)}")
    assert tc == pytest.approx(TC_MAGNETITE_EXP, rel=0.05)
    t_peak = Ts[int(np.argmax(res[Ls[1]][1]))]
    assert t_peak == pytest.approx(TC_MAGNETITE_EXP, rel=0.06 if full_scale else 0.08)


@pytest.mark.slow
def test_magnetite_literal_reading_orders_near_82K(full_scale):
    """The literal unit-spin reading of the same numbers (J_BB = 0.63) orders ~10× lower (physics.md §2 [D]:
    82 ± 2 K, VAMPIRE and an independent code) — the convention matters."""
    lit = {"name": "literal", "convention": {"form": "-J", "spin_length": "unit", "unit": "meV"},
           "exchange": {"AA": -0.11, "AB": -2.92, "BB": 0.63, "BB180": -2.92},
           "anisotropy": {"cell_a_A": 8.396, "magnetic_sites_per_cell": 24}}
    Ls = (3, 4)
    Ts = [70.0, 78.0, 86.0, 94.0]
    n_eq, n_meas = (1500, 5000) if full_scale else (800, 2500)
    res = _scan(lambda L: SpinModel.from_atoms(spinel_box(L), params=lit), Ls, Ts, n_eq, n_meas)
    tc = binder_crossing(Ts, res[Ls[0]][0], res[Ls[1]][0])
    print(f"literal reading Binder crossing: {tc:.1f} K")
    assert tc == pytest.approx(82.0, rel=0.08)


@pytest.mark.slow
def test_maghemite_bulk_tc_reported(full_scale):
    """Kodama–Berkowitz set (−2J S·S, quantum length √(S(S+1))): classical MC orders below the quantum
    mean-field 905 K; the measured crossing is reported and bracketed (not fitted to experiment)."""
    def box(L):
        return SpinModel.from_atoms(spinel_box(L, phase="gamma-Fe2O3", b_moment=5.0, vacancy_fraction=1 / 6,
                                               seed=L))

    if full_scale:
        Ls, Ts, n_eq, n_meas = (4, 6), [600.0, 630.0, 660.0, 690.0, 720.0], 2000, 6000
    else:
        Ls, Ts, n_eq, n_meas = (3, 4), [580.0, 620.0, 660.0, 700.0, 740.0], 1000, 3000
    res = _scan(box, Ls, Ts, n_eq, n_meas)
    tc = binder_crossing(Ts, res[Ls[0]][0], res[Ls[1]][0])
    print(f"maghemite Binder crossing: {tc:.1f} K (experiment ≈ {TC_MAGHEMITE_EXP} K)")
    assert 0.65 * 905.0 < tc < 0.9 * 905.0


@pytest.mark.slow
def test_maghemite_uhl_bulk_tc(full_scale):
    """Magnetite integrals on the maghemite lattice (params="maghemite_uhl"): Tc within −15 %/+5 % of the
    experimental ≈ 918 K (measured ≈ 860 K at full scale, 909 K in the reduced L = 3/4 form)."""
    def box(L):
        return SpinModel.from_atoms(spinel_box(L, phase="gamma-Fe2O3", b_moment=5.0, vacancy_fraction=1 / 6,
                                               seed=L), params="maghemite_uhl")

    if full_scale:
        Ls, Ts, n_eq, n_meas = (4, 6), [800.0, 830.0, 860.0, 890.0, 920.0], 2000, 6000
    else:
        Ls, Ts, n_eq, n_meas = (3, 4), [780.0, 830.0, 880.0, 930.0], 1000, 3000
    res = _scan(box, Ls, Ts, n_eq, n_meas)
    tc = binder_crossing(Ts, res[Ls[0]][0], res[Ls[1]][0])
    print(f"maghemite (Uhl set) Binder crossing: {tc:.1f} K (experiment ≈ {TC_MAGHEMITE_EXP} K)")
    assert 0.85 * TC_MAGHEMITE_EXP < tc < 1.05 * TC_MAGHEMITE_EXP


@pytest.mark.slow
def test_magnetite_bulk_tc_verwey_labels(full_scale):
    """Same set on ``structures.build_bulk`` boxes (explicit Fe2+/Fe3+ B sites, converted with S = m/2)."""
    st = pytest.importorskip("atomspin.structures")
    if full_scale:
        Ls, Ts, n_eq, n_meas = (4, 6), [820.0, 840.0, 860.0, 880.0, 900.0], 2000, 6000
    else:
        Ls, Ts, n_eq, n_meas = (3, 4), [790.0, 830.0, 870.0, 910.0], 1000, 3000
    res = _scan(lambda L: SpinModel.from_atoms(st.build_bulk("Fe3O4", repeat=L)), Ls, Ts, n_eq, n_meas)
    tc = binder_crossing(Ts, res[Ls[0]][0], res[Ls[1]][0])
    print(f"magnetite (Verwey labels) Binder crossing L={Ls}: {tc:.1f} K")
    assert tc == pytest.approx(TC_MAGNETITE_EXP, rel=0.05)
