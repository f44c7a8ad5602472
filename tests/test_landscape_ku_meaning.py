"""What a landscape fit's Ku is, in every stored row (issue 13): ``landscape_fit_Ku_J_per_m3`` is the term fit's
remainder beyond the shape term it held, so it changed meaning when the dipolar share of the torque began to be
measured. Readers decide by the row's own fields (``steps.landscape.stored_uniaxial``, the docs scripts'
``landscape_plots.fit_ku``); the uniaxial part of the whole degree-2 landscape, rebuilt from the stored
coefficients, means the same in every row. Exact: synthetic rows whose landscape is a known uniaxial term."""
import importlib.util
import pathlib
import sys

import numpy as np
import pytest

from atomspin.batch.steps.landscape import stored_uniaxial
from atomspin.measure import _sphere_fit as sf

DOCS = pathlib.Path(__file__).resolve().parents[1] / "docs"
L, V = 6, 2.0e-24  # degree of the stored potential; volume (m³) of an ≈ 16 nm particle
U = np.array([1.0, 1.0, 0.0]) / np.sqrt(2)  # the APB normal [110]


def _coefficients(K, u=U):
    """Monomial coefficients (J) of the degree-L potential F = V·K (1 − (n̂·û)²), by exact least squares."""
    n = sf.fibonacci_sphere(400)
    A = sf.values(n, L)
    c, *_ = np.linalg.lstsq(A, V * K * (1 - (n @ u) ** 2), rcond=None)
    return c


def _kvp(fit_ku, source=None):
    k = dict(landscape_fit_Ku_J_per_m3=fit_ku, landscape_fit_Ku_err_J_per_m3=10.0, landscape_degree=L,
             landscape_volume_m3=V)
    if source is not None:
        k["landscape_fit_shape_source"] = source
    return k


def test_old_row_new_row_and_no_dipolar_row():
    """One row of each kind, landscape = dipolar 5000 + on-site −1200 J/m³ along [110] (total 3800):
    * before the dipolar share was measured (no ``landscape_fit_shape_source``, dipolar model): the stored Ku is the
      remainder beyond rigid × m² ("beyond_rigid"), here 300 (rigid × m² was 3500);
    * after (``"measured dipolar torque"`` and the dipolar coefficients): the on-site remainder, −1200, which the
      stored shares reproduce exactly;
    * a model without a dipolar term (old row, ``dipolar=False``; or a new one, ``shape_source`` "none …"): the
      whole degree-2 uniaxial part.
    The whole degree-2 Ku (3800 along [110]) is the same number in every row."""
    total, dip = _coefficients(3800.0), _coefficients(5000.0)
    old = stored_uniaxial(_kvp(300.0), {"landscape": {"coefficients_J": total}}, dipolar=True)
    assert old["fit_Ku_meaning"] == "beyond_rigid" and old["fit_Ku_J_per_m3"] == 300.0
    assert "thermal deviation" in old["fit_Ku_meaning_text"]
    assert old["Ku_onsite_J_per_m3"] is None and old["Ku_dipolar_J_per_m3"] is None
    new = stored_uniaxial(_kvp(-1200.0, "measured dipolar torque"),
                          {"landscape": {"coefficients_J": total, "dipolar_coefficients_J": dip}})
    assert new["fit_Ku_meaning"] == "onsite"
    assert new["Ku_dipolar_J_per_m3"] == pytest.approx(5000.0, rel=1e-9)
    # the on-site share is hard along [110]: its uniaxial part is an easy plane, Ku = −1200 along ±[110]
    assert new["Ku_onsite_J_per_m3"] == pytest.approx(-1200.0, rel=1e-9)
    assert abs(new["axis_onsite"] @ U) == pytest.approx(1.0, abs=1e-9)
    for row in (old, new):
        assert row["Ku_l2_J_per_m3"] == pytest.approx(3800.0, rel=1e-9)
        assert abs(row["axis_l2"] @ U) == pytest.approx(1.0, abs=1e-9)
    nodip_old = stored_uniaxial(_kvp(3800.0), {"landscape": {"coefficients_J": total}}, dipolar=False)
    nodip_new = stored_uniaxial(_kvp(3800.0, sf.NO_SHAPE), {"landscape": {"coefficients_J": total}})
    for row in (nodip_old, nodip_new):
        assert row["fit_Ku_meaning"] == "total"
        assert row["fit_Ku_J_per_m3"] == pytest.approx(row["Ku_l2_J_per_m3"], rel=1e-9)


def test_a_row_that_cannot_say_is_refused():
    """An old row (no shape source) read without saying whether its model had a dipolar term: one clear error;
    a row with no landscape fit: one clear error."""
    with pytest.raises(ValueError, match="dipolar"):
        stored_uniaxial(_kvp(300.0), {"landscape": {"coefficients_J": _coefficients(1.0)}})
    with pytest.raises(ValueError, match="landscape_fit_Ku_J_per_m3"):
        stored_uniaxial({}, {})


def test_docs_readers_follow_the_row():
    """The docs scripts' reader of the study rows' ``Ku``: a row of the size series before the dipolar share
    (``dipolar`` "LatticeDipolar", no shape source) is "beyond_rigid", a rerun with the share "onsite", a row of the
    no-dipolar series "total"; the Néel-off check's error of an "onsite" row comes from the covariances."""
    sys.path.insert(0, str(DOCS))
    spec = importlib.util.spec_from_file_location("landscape_plots", DOCS / "landscape_plots.py")
    lp = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lp)
    total, dip = _coefficients(3800.0), _coefficients(5000.0)
    base = dict(Ku=300.0, Ku_err=10.0, coefficients_J=total.tolist(), degree=L, V_m3=V)
    assert lp.fit_ku(dict(base, dipolar="LatticeDipolar"))[2] == "beyond_rigid"
    assert lp.fit_ku(dict(base), dipolar=False)[2] == "total"
    k = len(total)
    C = np.diag(np.full(k, (1e-3 * V * 100) ** 2))
    new = dict(base, Ku=-1200.0, dipolar="LatticeDipolar", shape_source="measured dipolar torque",
               dipolar_coefficients_J=dip.tolist(), covariance_J2=C.tolist(), dipolar_covariance_J2=C.tolist(),
               dipolar_cross_covariance_J2=np.zeros((k, k)).tolist())
    assert lp.fit_ku(new)[2] == "onsite"
    ku, err = lp.ku_along(new, "onsite", U)
    assert ku == pytest.approx(-1200.0, rel=1e-9)
    Sn = sf.l2_of(dip, L) / V
    assert lp._check_ku_err(new, Sn) == pytest.approx(err, rel=1e-9) and err > 0
    assert lp._check_ku_err(dict(base, dipolar="LatticeDipolar"), Sn) == 10.0


def test_heating_summaries_carry_the_meaning():
    """``docs/make_defects_heating.py`` (the reader of ``landscape_fit_Ku_J_per_m3`` behind the committed
    sweep summaries): an old row's Ku keeps its number and is labelled "beyond_rigid", a new row's "onsite" with its
    on-site and dipolar parts; both carry the whole degree-2 Ku."""
    sys.path.insert(0, str(DOCS))
    spec = importlib.util.spec_from_file_location("make_defects_heating", DOCS / "make_defects_heating.py")
    mdh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mdh)
    total, dip = _coefficients(3800.0), _coefficients(5000.0)
    old = mdh._uniaxial_cells(_kvp(300.0), {"coefficients_J": total}, dipolar=True)
    assert old["Ku_J_per_m3"] == 300.0 and old["Ku_meaning"] == "beyond_rigid" and "Ku_onsite_J_per_m3" not in old
    new = mdh._uniaxial_cells(_kvp(-1200.0, "measured dipolar torque"),
                              {"coefficients_J": total, "dipolar_coefficients_J": dip}, dipolar=True)
    assert new["Ku_meaning"] == "onsite" and new["Ku_onsite_J_per_m3"] == pytest.approx(-1200.0, rel=1e-9)
    for row in (old, new):
        assert row["Ku_l2_J_per_m3"] == pytest.approx(3800.0, rel=1e-9)


def _write(path, part, rows):
    import json

    (path / f"{part}.json").write_text(json.dumps(rows))


def test_defect_table_takes_the_measured_split_only_where_every_realisation_has_it(tmp_path):
    """docs/landscape_defects.defect_table (the 8 nm defect table): a kind whose every realisation was rerun with the
    dipolar share sampled gets the measured split (shape = the dipolar share's degree-2 tensor, surface + defect =
    the on-site rest), exactly the barrier increments of the synthetic terms; a kind with a realisation missing
    keeps the rigid × m² split for all of them; a rerun whose total differs from its stored row is refused.
    Synthetic landscape (J/m³): bulk cubic K1 = −11000 + dipolar uniaxial 6000 along [111] + on-site −500 along [111];
    the rigid × m² tensor held 7000 along [111]."""
    from atomspin import macrospin as ms

    sys.path.insert(0, str(DOCS))
    for name in ("landscape_plots", "landscape_defects"):
        sys.modules.pop(name, None)
    import landscape_defects as ld

    u = np.ones(3) / np.sqrt(3)
    n = sf.fibonacci_sphere(600)
    A = sf.values(n, L)
    cub = -11000.0 * (n[:, 0] ** 2 * n[:, 1] ** 2 + n[:, 1] ** 2 * n[:, 2] ** 2 + n[:, 2] ** 2 * n[:, 0] ** 2)
    fit = lambda f: np.linalg.lstsq(A, V * f, rcond=None)[0]  # noqa: E731
    total = fit(cub + 5500.0 * (1 - (n @ u) ** 2))
    dip = fit(6000.0 * (1 - (n @ u) ** 2))
    rigid_Q = -7000.0 * (np.outer(u, u) - np.eye(3) / 3)  # Ku (1 − (n̂·û)²) = −Ku (ûûᵀ − I/3) + const
    k = len(total)
    Z = np.zeros((k, k)).tolist()

    def row(kind, seed, coef=total):
        return dict(key=f"{kind}-{seed}", kind=kind, seed=seed, n_minima=2, n_spins=100, cpu_s=1.0, wall_s=1.0,
                    n_eff_min=10.0, chi2_per_dof=1.0, neel_sites=10, refresh_windows_min=9, degree=L, V_m3=V,
                    coefficients_J=np.asarray(coef).tolist(), covariance_J2=Z, barrier_J_per_m3=1.0,
                    barrier_err_J_per_m3=0.0, Ms_A_per_m=4.8e5, Ms_err_A_per_m=0.0,
                    shape_Q_rigid_m2_J_per_m3=rigid_Q.tolist())

    def rerun(kind, seed, coef=total):
        return dict(row(kind, seed, coef), dipolar_coefficients_J=dip.tolist(), dipolar_covariance_J2=Z,
                    dipolar_cross_covariance_J2=Z, shape_source="measured dipolar torque")

    _write(tmp_path, "defects", [row(kd, s) for kd in ("perfect", "apb1") for s in (1, 2)])
    _write(tmp_path, "defects_dipolar", [rerun("perfect", 1), rerun("perfect", 2), rerun("apb1", 1)])
    t = {x["kind"]: x for x in ld.defect_table(tmp_path)}
    from landscape_plots import barriers_of

    cubic = ms.CubicAnisotropy(-11000.0)
    rev = lambda *terms: barriers_of(terms)[1]  # noqa: E731  (reversal barrier, J/m³)
    mc = rev(cubic)
    assert t["perfect"]["split"] == "measured" and t["apb1"]["split"] == "rigid"
    assert t["perfect"]["shape_part"]["mean"] == pytest.approx(rev(cubic, ms.UniaxialAnisotropy(6000.0, u)) - mc,
                                                               rel=1e-6)
    assert t["perfect"]["surface"]["mean"] == pytest.approx(
        rev(cubic, ms.UniaxialAnisotropy(5500.0, u)) - rev(cubic, ms.UniaxialAnisotropy(6000.0, u)), rel=1e-5)
    assert t["apb1"]["shape_part"]["mean"] == pytest.approx(rev(cubic, ms.UniaxialAnisotropy(7000.0, u)) - mc,
                                                            rel=1e-6)
    assert t["apb1"]["diff_split"] == "rigid" and t["apb1"]["shape_part"]["diff"] == pytest.approx(0.0, abs=1e-6)
    _write(tmp_path, "defects_dipolar", [rerun("perfect", 1), rerun("perfect", 2, 1.001 * total)])
    with pytest.raises(ValueError, match="does not reproduce"):
        ld.defect_table(tmp_path)


def test_neel_check_compares_the_measured_onsite_part_with_the_neel_off_rerun(tmp_path):
    """docs/landscape_parts.neel_check_table (issue 13: the Néel-off reruns as an independent check of the measured
    split's on-site part). Synthetic landscape (J/m³): bulk cubic K1 = −11000 + dipolar uniaxial along [110] + on-site
    −500 along [110]. When the Néel-off run's landscape is the Néel-on run's cubic + dipolar terms, Néel on − off
    equals the measured surface + defect part (difference 0) and the degree-2 Ku on − off equals the on-site Ku;
    when the Néel term also moved the dipolar term (off run: 6300 instead of 6000) the difference is that move.
    Differences are taken against each kind's own reference (the FeO core's: the classical defect-free particle),
    in neel_check_table and in landscape_defects.neel_split_table."""
    from atomspin import macrospin as ms

    sys.path.insert(0, str(DOCS))
    for name in ("landscape_plots", "landscape_defects", "landscape_parts"):
        sys.modules.pop(name, None)
    import landscape_defects as ld
    import landscape_parts as lp
    from landscape_plots import barriers_of

    n = sf.fibonacci_sphere(600)
    A = sf.values(n, L)
    cub = -11000.0 * (n[:, 0] ** 2 * n[:, 1] ** 2 + n[:, 1] ** 2 * n[:, 2] ** 2 + n[:, 2] ** 2 * n[:, 0] ** 2)
    fit = lambda f: np.linalg.lstsq(A, V * f, rcond=None)[0]  # noqa: E731
    uni = lambda K: K * (1 - (n @ U) ** 2)  # noqa: E731
    k = len(fit(cub))
    C = (np.eye(k) * (1e-4 * V) ** 2).tolist()  # small fit covariance (J²): finite errors
    Z = np.zeros((k, k)).tolist()
    rigid_Q = -6000.0 * (np.outer(U, U) - np.eye(3) / 3)

    def row(kind, seed, coef, dip=None):
        r = dict(key=f"{kind}-{seed}", kind=kind, seed=seed, n_minima=2, n_spins=100, cpu_s=1.0, wall_s=1.0,
                 load_avg=1.0, neel_apb_sites=0, n_eff_min=10.0, chi2_per_dof=1.0, neel_sites=10,
                 refresh_windows_min=9, degree=L, V_m3=V, coefficients_J=np.asarray(coef).tolist(), covariance_J2=C,
                 barrier_J_per_m3=1.0, barrier_err_J_per_m3=0.0, Ms_A_per_m=4.8e5, Ms_err_A_per_m=0.0,
                 shape_Q_rigid_m2_J_per_m3=rigid_Q.tolist(), neel_rigid_J_per_m3=np.zeros((3, 3)).tolist(),
                 neel_rigid_apb_J_per_m3=np.zeros((3, 3)).tolist())
        if dip is not None:
            r.update(dipolar_coefficients_J=np.asarray(dip).tolist(), dipolar_covariance_J2=C,
                     dipolar_cross_covariance_J2=Z, shape_source="measured dipolar torque")
        return r

    # kind → (dipolar Ku of the Néel-on run, dipolar Ku of the Néel-off run)
    kinds = {"perfect": (6000.0, 6000.0), "perfect_classical": (3000.0, 3000.0), "feo": (3500.0, 3500.0),
             "vac10": (9000.0, 9300.0)}
    on, dip, off = [], [], []
    for kd, (d_on, d_off) in kinds.items():
        for s in (1, 2):
            on.append(row(kd, s, fit(cub + uni(d_on - 500.0))))
            dip.append(row(kd, s, fit(cub + uni(d_on - 500.0)), dip=fit(uni(d_on))))
            off.append(row(kd, s, fit(cub + uni(d_off)), dip=fit(uni(d_off))))
    _write(tmp_path, "defects", on)
    _write(tmp_path, "defects_dipolar", dip)
    _write(tmp_path, "defects_no_neel", off)
    t = {x["kind"]: x for x in lp.neel_check_table(tmp_path)}
    rev = lambda K: barriers_of([ms.CubicAnisotropy(-11000.0), ms.UniaxialAnisotropy(K, U)])[1]  # noqa: E731
    for kd in ("perfect", "perfect_classical", "feo"):
        d_on = kinds[kd][0]
        assert t[kd]["surface"]["mean"] == pytest.approx(rev(d_on - 500.0) - rev(d_on), abs=1e-3)
        assert t[kd]["diff"]["mean"] == pytest.approx(0.0, abs=1e-3) and abs(t[kd]["z"]) < 1e-3
        assert t[kd]["ku_onsite"]["mean"] == pytest.approx(-500.0, abs=1e-3)
        assert t[kd]["ku_on_off"]["mean"] == pytest.approx(-500.0, abs=1e-3)
        assert t[kd]["ku_onsite_off"]["mean"] == pytest.approx(0.0, abs=1e-3)
    assert t["vac10"]["diff"]["mean"] == pytest.approx(rev(9000.0) - rev(9300.0), abs=1e-3)
    assert t["vac10"]["ku_diff"]["mean"] == pytest.approx(-300.0, abs=1e-3)
    assert t["vac10"]["ku_on_off"]["mean"] == pytest.approx(-800.0, abs=1e-3)
    assert t["feo"]["reference"] == "perfect_classical" and t["vac10"]["reference"] == "perfect"
    assert t["feo"]["surface"]["diff"] == pytest.approx(
        (rev(3000.0) - rev(3500.0)) - (rev(2500.0) - rev(3000.0)), abs=1e-3)
    assert "reference" not in t["perfect_classical"]
    s = {x["kind"]: x for x in ld.neel_split_table(tmp_path)}
    assert s["feo"]["reference"] == "perfect_classical"
    assert s["feo"]["total"]["diff"] == pytest.approx(rev(3000.0) - rev(2500.0), abs=1e-3)
    assert s["vac10"]["total"]["diff"] == pytest.approx(rev(8500.0) - rev(5500.0), abs=1e-3)
