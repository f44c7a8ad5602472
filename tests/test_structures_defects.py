"""Defect operations of atomspin.structures: vacancies, APBs, core–shell, substitution, surface, I/O."""
import json
import math

import numpy as np
import pytest
from scipy.spatial import cKDTree

from atomspin import structures as S

A_MAG = 8.396


@pytest.fixture(scope="module")
def sphere8():
    return S.build_particle("Fe3O4", "sphere", 8.0, seed=1)


# ----------------------------------------------------------------------------------- vacancies
@pytest.mark.parametrize("delta", [0.05, 0.1, 0.2, 1 / 3])
@pytest.mark.parametrize("removal", ["fe2_first", "random"])
def test_vacancies_bulk_charge_and_moment(delta, removal):
    bulk = S.build_bulk("Fe3O4", repeat=3)
    v = S.add_vacancies(bulk, delta, removal=removal, seed=4)
    d = S.describe(v)
    n = round(delta * 216)  # 216 formula units (432 B sites / 2)
    assert d["counts"]["B"] == 432 - n and d["counts"]["A"] == 216 and d["counts"]["O"] == 864
    assert d["charge_e"] == pytest.approx(0.0, abs=1e-9)
    # Fe_{3-δ}O4, Fe2+ all oxidised or removed: (1−3δ) Fe2+ and (1+2δ) Fe3+ on B → 4 − 2δ μB per 4 O
    de = n / 216
    assert d["moment_per_fu_muB"] == pytest.approx(4 - 2 * de, abs=1e-12)
    assert d["counts_valence"].get("B:Fe:+2", 0) == 216 - 3 * n
    assert d["vacancy_fraction"] == pytest.approx(n / 432)


def test_vacancies_delta_one_third_is_maghemite():
    v = S.add_vacancies(S.build_bulk("Fe3O4", repeat=3, b_valence="averaged"), 1 / 3, seed=1)
    d = S.describe(v)
    assert d["moment_per_fu_muB"] * 3 / 4 == pytest.approx(2.5)  # per Fe2O3 (3 O)
    assert set(d["counts_valence"]) == {"A:Fe:+3", "B:Fe:+3", "O:O:-2"}


def test_vacancies_radial_profile(sphere8):
    shell = 1.0
    v = S.add_vacancies(sphere8, 0.2, mode="radial", shell_nm=shell, seed=2)
    orig_b = sphere8.positions[sphere8.arrays["sublattice"] == "B"]
    new_b = v.positions[v.arrays["sublattice"] == "B"]
    d, _ = cKDTree(new_b).query(orig_b)
    removed_depth = sphere8.arrays["depth_nm"][sphere8.arrays["sublattice"] == "B"][d > 0.1]
    assert len(removed_depth) > 0 and np.all(removed_depth < shell)
    # stoichiometric core: valences below the shell untouched
    core_old = (sphere8.arrays["depth_nm"] >= shell) & (sphere8.arrays["sublattice"] == "B")
    core_new = (v.arrays["depth_nm"] >= shell) & (v.arrays["sublattice"] == "B")
    assert np.sum(sphere8.arrays["valence"][core_old] == 2) == np.sum(v.arrays["valence"][core_new] == 2)
    assert S.describe(v)["charge_e"] == pytest.approx(S.describe(sphere8)["charge_e"])


def test_vacancies_clustered_are_closer_than_random(sphere8):
    def mean_nn(v):
        b0 = sphere8.positions[sphere8.arrays["sublattice"] == "B"]
        d, _ = cKDTree(v.positions[v.arrays["sublattice"] == "B"]).query(b0)
        vac = b0[d > 0.1]
        dd, _ = cKDTree(vac).query(vac, k=2)
        return dd[:, 1].mean()
    r = S.add_vacancies(sphere8, 0.1, seed=3)
    c = S.add_vacancies(sphere8, 0.1, mode="clustered", n_clusters=5, seed=3)
    assert mean_nn(c) < 0.8 * mean_nn(r)


def test_vacancies_seeded():
    p = S.build_particle("Fe3O4", "cube", 4.0)
    a, b, c = (S.add_vacancies(p, 0.2, seed=s) for s in (1, 1, 2))
    assert np.array_equal(a.positions, b.positions) and np.array_equal(a.arrays["valence"], b.arrays["valence"])
    assert not np.array_equal(a.arrays["valence"], c.arrays["valence"]) or len(a) != len(c)


def test_vacancies_need_fe2():
    with pytest.raises(ValueError, match="delta"):
        S.add_vacancies(S.build_bulk("gamma-Fe2O3", repeat=2, seed=1), 0.1)


# ----------------------------------------------------------------------------------------- APB
def _periodic_bicrystal(shift_frac, m=4, offset_A=0.7):
    """Reference APB on the ideal lattice: orthogonal periodic cell x‖[110], y‖[-110], z‖[001]; the
    half x ≥ L/2 is replaced by the crystal translated by shift·a (two boundaries per cell, area
    √2·a² each); near-coincident O (the O sublattice is invariant) are merged."""
    a = A_MAG
    big = S.build_bulk("Fe3O4", repeat=(m + 4, m + 4, 3))
    R = np.array([[1, 1, 0], [-1, 1, 0], [0, 0, math.sqrt(2)]]) / math.sqrt(2)
    L = np.array([m * a / math.sqrt(2), a * math.sqrt(2), a])
    pos = (big.positions - a * np.array([2, 1, 1])) @ R.T
    f = pos / L + 1e-7
    cell = big[np.flatnonzero(np.all((f >= 0) & (f < 1), axis=1))]
    cell.positions = (cell.positions - a * np.array([2, 1, 1])) @ R.T
    cell.positions = np.mod(cell.positions - [offset_A, 0, 0], L)
    cell.cell, cell.pbc = np.diag(L), True
    sh = cell.copy()
    sh.positions = np.mod(sh.positions + (np.array(shift_frac) * a) @ R.T, L)
    x, xs = cell.positions[:, 0], sh.positions[:, 0]
    out = cell[x < L[0] / 2] + sh[xs >= L[0] / 2]
    out.positions = np.mod(out.positions, L) % L
    pairs = cKDTree(out.positions, boxsize=L).query_pairs(1.0, output_type="ndarray")
    keep = np.ones(len(out), bool)
    keep[pairs[:, 1]] = False
    return out[keep], 2 * L[1] * L[2] / 100.0


@pytest.mark.parametrize("shift", [(0.25, 0.25, 0.0), (0.25, -0.25, 0.0)])
def test_apb_link_density_ideal_lattice(shift):
    at, area = _periodic_bicrystal(shift)
    n = S.count_bob_links(at)
    assert n == 16  # exactly 8 links per √2·a² of each boundary
    assert n / area == pytest.approx(7.4, rel=0.10)


def _slow_links(atoms):
    """Reference link count: loops over O and pairs of B neighbours."""
    pos, sub = atoms.positions, atoms.arrays["sublattice"]
    b = np.flatnonzero(sub == "B")
    count = 0
    for o in np.flatnonzero(sub == "O"):
        d = np.linalg.norm(pos[b] - pos[o], axis=1)
        nb = b[d < 2.3]
        for i in range(len(nb)):
            for j in range(i + 1, len(nb)):
                v1, v2 = pos[nb[i]] - pos[o], pos[nb[j]] - pos[o]
                ang = math.degrees(math.acos(np.clip(v1 @ v2 / np.linalg.norm(v1) / np.linalg.norm(v2), -1, 1)))
                count += ang > 160
    return count


def test_apb_particle_density_and_distances():
    p = S.build_particle("Fe3O4", "sphere", 10.0)
    q = S.insert_apb(p, (1, 1, 0))
    rec = S.defect_records(q)[-1]
    assert rec["type"] == "apb" and rec["shift_a"] == [0.25, 0.25, 0.0]
    assert rec["area_nm2"] == pytest.approx(math.pi * 25, rel=0.01)
    assert rec["link_density_per_nm2"] == pytest.approx(7.4, rel=0.10)
    assert rec["n_removed_cations"] == 0  # perpendicular shift: no cation overlaps
    assert S.min_distance_A(q) > 1.7
    zone = np.abs((q.positions - rec["point_A"]) @ (np.array([1, 1, 0]) / math.sqrt(2))) <= 5.0
    assert np.array_equal(q.arrays["apb_zone"], zone)
    assert np.all(q.arrays["region"][zone] == "apb")


def test_apb_110_keeps_every_atom_and_the_charge(sphere8):
    """Review finding: a plane through the split (110) O layer (±0.057 Å, x = 0.2548) used to
    duplicate one half and empty the other (8 nm: O 14356 → 14154, +404 e)."""
    q = S.insert_apb(sphere8, (1, 1, 0))
    d0, d1 = S.describe(sphere8), S.describe(q)
    assert d1["counts"] == d0["counts"]  # A, B and O all kept (8 nm sphere, B-centred)
    assert d1["charge_e"] == d0["charge_e"]
    rec = S.defect_records(q)[-1]
    assert rec["n_removed"] == 0 and rec["charge_removed_e"] == 0
    assert rec["link_density_per_nm2"] == pytest.approx(7.4, rel=0.10)
    # the plane was moved into a gap between layers: no atom within 0.3 Å of it
    n = np.array([1, 1, 0]) / math.sqrt(2)
    assert np.abs((sphere8.positions - rec["point_A"]) @ n).min() > 0.3


@pytest.mark.parametrize("plane", [(1, 1, 0), (1, -1, 0), (1, 0, 0), (0, 0, 1), (1, 1, 1)])
@pytest.mark.parametrize("offset_A", [0.0, 0.057, 0.7])
def test_apb_never_changes_the_o_count(plane, offset_A):
    """The ideal O sublattice is invariant under ¼⟨110⟩: exactly the same number of O for any plane
    position, including a plane placed on an O half-layer."""
    p = S.build_particle("Fe3O4", "sphere", 6.0)
    c = np.array(json.loads(p.info["shape"])["center_A"])
    n = np.array(plane) / np.linalg.norm(plane)
    q = S.insert_apb(p, plane, point=c + offset_A * n)
    assert S.describe(q)["counts"]["O"] == S.describe(p)["counts"]["O"]
    assert S.min_distance_A(q) > 1.7
    rec = S.defect_records(q)[-1]
    # removed atoms are cations only, and the recorded charge is what the structure lost
    assert rec["n_removed"] == rec["n_removed_cations"]
    if plane in [(1, 1, 0), (1, -1, 0)]:
        assert rec["n_removed"] == 0


def test_apb_rejects_rock_salt():
    with pytest.raises(ValueError, match="atoms: insert_apb needs a spinel"):
        S.insert_apb(S.build_particle("FeO", "sphere", 3.0), (1, 1, 0))


def test_apb_fast_count_matches_slow_reference():
    q = S.insert_apb(S.build_particle("Fe3O4", "sphere", 4.0), (1, 1, 0))
    assert S.count_bob_links(q) == _slow_links(q) > 0


@pytest.mark.parametrize("plane", [(1, 0, 0), (0, 0, 1), (1, 1, 1), (1, -1, 0)])
def test_apb_other_planes_no_overlaps(plane):
    q = S.insert_apb(S.build_particle("Fe3O4", "sphere", 5.0), plane)
    assert S.min_distance_A(q) > 1.7
    cat = q.positions[q.numbers != 8]
    d, _ = cKDTree(cat).query(cat, k=2)
    assert d[:, 1].min() >= 2.5


def test_several_apbs_compose(sphere8):
    q = S.insert_apb(sphere8, (1, 1, 0), point=np.array(json.loads(sphere8.info["shape"])["center_A"]) + [10, 0, 0])
    q = S.insert_apb(q, (1, -1, 0))
    q = S.insert_apb(q, (0, 0, 1))
    recs = [r for r in S.defect_records(q) if r["type"] == "apb"]
    assert len(recs) == 3 and S.min_distance_A(q) > 1.7
    assert all(r["links_180_created"] > 0 for r in recs)


# --------------------------------------------------------------------------------- core–shell
def test_core_shell_feo_in_magnetite():
    p = S.build_particle("Fe3O4", "sphere", 8.0)
    c = S.core_shell(p, 5.0)
    sub = c.arrays["sublattice"]
    # O sublattice shared and unchanged
    assert np.array_equal(np.sort(c.positions[sub == "O"], axis=0), np.sort(p.positions[p.arrays["sublattice"] == "O"], axis=0))
    # rock-salt density: 32 cations per spinel cell (a_FeO = a/2) in the core sphere, ±5 %
    n_r = (sub == "R").sum()
    assert n_r == pytest.approx(32 / A_MAG ** 3 * 4 / 3 * math.pi * 25 ** 3, rel=0.05)
    assert S.min_distance_A(c) > 1.7
    r = c.positions[sub == "R"]
    d, _ = cKDTree(c.positions[sub == "O"]).query(r, k=6)
    assert np.all(np.abs(d - A_MAG / 4) < 0.1)  # six O at ≈ a_spinel/4 = a_FeO/2
    assert c.arrays["depth_nm"][sub == "R"].min() >= 1.5 - 1e-6  # core radius 2.5 nm in a 4 nm sphere
    inner = (sub == "R") & (c.arrays["depth_nm"] > 2.0)
    assert inner.any() and np.all(c.arrays["missing_cation"][inner] == 0)
    assert np.all(c.arrays["missing_O"][inner] == 0)
    assert set(c.arrays["region"]) == {"FeO", "spinel"}
    assert S.defect_records(c)[-1]["type"] == "core_shell"


@pytest.mark.parametrize("compensate", [True, False])
def test_core_shell_charge_bookkeeping(sphere8, compensate):
    """Review finding: removed shell A cations (Fe3+, face-sharing with core octahedra) changed the
    charge silently (8 nm / 5 nm: 561 → 160 e)."""
    c = S.core_shell(sphere8, 5.0, compensate=compensate)
    rec = S.defect_records(c)[-1]
    gone = S.describe(sphere8)["counts"]["A"] - S.describe(c)["counts"]["A"]
    # only A sites are removed outside the core, all Fe3+: 3 e each
    assert rec["n_removed_shell_cations"] > 0
    assert rec["charge_removed_shell_e"] == 3.0 * rec["n_removed_shell_cations"]
    assert gone >= rec["n_removed_shell_cations"]
    q0, q1 = S.describe(sphere8)["charge_e"], S.describe(c)["charge_e"]
    assert rec["charge_before_e"] == q0 and rec["charge_after_e"] == q1
    n_r = int((c.arrays["sublattice"] == "R").sum())
    n_r3 = int(((c.arrays["sublattice"] == "R") & (c.arrays["valence"] == 3.0)).sum())
    if compensate:  # one core Fe2+ → Fe3+ per e removed from the shell
        assert n_r3 == rec["charge_removed_shell_e"] and rec["charge_uncompensated_e"] == 0
        assert q1 - q0 == rec["charge_core_change_e"]
        assert S.describe(c)["charge_uncompensated_e"] == 0
    else:
        assert n_r3 == 0
        assert q1 - q0 == rec["charge_core_change_e"] - rec["charge_removed_shell_e"]
        assert S.describe(c)["charge_uncompensated_e"] == -rec["charge_removed_shell_e"]
    assert n_r > 0


# ------------------------------------------------------------------------------- substitution
def test_zn_on_a_sites_moment():
    z = S.dope(S.build_bulk("Fe3O4", repeat=2), "Zn", 0.5, seed=1)
    d = S.describe(z)
    # Zn0.5Fe2.5O4: A (Zn0.5Fe0.5), B Fe2+0.5 Fe3+1.5 → 0.5·4 + 1.5·5 − 0.5·5 = 7.0 μB per f.u.
    assert d["counts_valence"]["A:Zn:+2"] == 32 and d["moment_per_fu_muB"] == pytest.approx(7.0)
    assert d["charge_e"] == pytest.approx(0.0)


def test_co_ferrite_and_inversion():
    c = S.dope(S.build_bulk("Fe3O4", repeat=2), "Co", 1.0, seed=1)
    assert S.describe(c)["moment_per_fu_muB"] == pytest.approx(3.0)  # Fe[CoFe]O4, spin-only Co2+
    m = S.dope(S.build_bulk("Fe3O4", repeat=2), "Mn", 1.0, inversion=0.25, seed=1)
    d = S.describe(m)
    assert d["counts_valence"]["B:Mn:+2"] == 16 and d["counts_valence"]["A:Mn:+2"] == 48
    assert d["charge_e"] == pytest.approx(0.0) and d["moment_per_fu_muB"] == pytest.approx(5.0)


def test_mn_default_is_mostly_normal_spinel():
    """MnFe2O4: 81 % of the Mn on A (Hastings & Corliss 1956): 64 f.u. → round(0.19·64) = 12 on B."""
    m = S.dope(S.build_bulk("Fe3O4", repeat=2), "Mn", 1.0, seed=1)
    d = S.describe(m)
    assert d["counts_valence"]["A:Mn:+2"] == 52 and d["counts_valence"]["B:Mn:+2"] == 12
    assert d["charge_e"] == pytest.approx(0.0)
    # all Fe3+ left: A 52 Mn(5) + 12 Fe(5) antiparallel to B 12 Mn(5) + 116 Fe(5): 5 μB per f.u.
    assert d["moment_per_fu_muB"] == pytest.approx(5.0)
    a = S.dope(S.build_bulk("Fe3O4", repeat=2), "Mn", 0.5, site="A", seed=1)
    assert S.describe(a)["counts_valence"]["A:Mn:+2"] == 32


# ------------------------------------------------------------------------------------ surface
def test_label_surface(sphere8):
    s = S.label_surface(sphere8, 0.5)
    assert np.array_equal(s.arrays["surface"], sphere8.arrays["depth_nm"] < 0.5)
    assert np.all(s.arrays["region"][s.arrays["surface"]] == "shell")
    c = S.label_surface(sphere8, min_missing=1)
    assert c.arrays["surface"].sum() > 0
    assert np.all(c.arrays["depth_nm"][c.arrays["surface"]] < 0.6)


def test_label_surface_by_coordination_ignores_inner_vacancies():
    """Review finding: O next to B vacancies deep inside γ-Fe2O3 were labelled surface."""
    g = S.build_particle("gamma-Fe2O3", "sphere", 6.0, seed=1)
    s = S.label_surface(g, min_missing=1)
    surf, depth = s.arrays["surface"], s.arrays["depth_nm"]
    assert surf.any() and not np.any(surf & (depth >= 0.26))
    # every atom within the cutoff that lacks a bond is labelled: same set as vacancy-free Fe3O4
    f = S.build_particle("Fe3O4", "sphere", 6.0)
    fs = S.label_surface(f, min_missing=1)
    is_o = f.arrays["sublattice"] == "O"
    miss = np.where(is_o, f.arrays["missing_cation"], f.arrays["missing_O"])
    assert np.array_equal(fs.arrays["surface"], miss >= 1)  # no vacancies: surface atoms only


# --------------------------------------------------------------------------- composition / I/O
def test_compose_all_and_extxyz_round_trip(tmp_path):
    p = S.build_particle("Fe3O4", "truncated_octahedron", 7.0, seed=3)
    q = S.core_shell(p, 3.0)
    q = S.add_vacancies(q, 0.1, mode="radial", shell_nm=1.0, seed=3)
    q = S.insert_apb(q, (1, 1, 0))
    q = S.dope(q, "Zn", 0.1, seed=3)
    q = S.label_surface(q, 0.4)
    assert [r["type"] for r in S.defect_records(q)] == ["core_shell", "vacancies", "apb", "substitution", "surface"]
    assert S.min_distance_A(q) > 1.7
    S.write_structure(q, tmp_path / "q.extxyz")
    r = S.read_structure(tmp_path / "q.extxyz")
    for k, v in q.arrays.items():
        assert r.arrays[k].dtype == v.dtype, k
        if v.dtype.kind == "f":
            np.testing.assert_allclose(r.arrays[k], v, rtol=0, atol=1e-7)  # extxyz: 8 decimals
        else:
            assert np.array_equal(r.arrays[k], v), k
    assert r.info == q.info
    assert S.describe(r) == S.describe(q)


def test_shipped_cifs_match_builders(tmp_path):
    import ase.io
    from atomspin.structures.io import CIF_DIR, SHIPPED_CIFS
    for name, kw in SHIPPED_CIFS.items():
        cif = ase.io.read(CIF_DIR / name)
        ref = S.build_bulk(**kw)
        assert cif.get_chemical_formula() == ref.get_chemical_formula()
        np.testing.assert_allclose(cif.cell[:], ref.cell[:], atol=1e-6)
        d, _ = cKDTree(np.mod(ref.positions, np.diag(ref.cell[:])), boxsize=np.diag(ref.cell[:])).query(
            np.mod(cif.positions, np.diag(cif.cell[:])) % np.diag(cif.cell[:]))
        assert d.max() < 1e-3
    regenerated = S.write_cifs(tmp_path)
    for p in regenerated:
        assert p.read_text() == (CIF_DIR / p.name).read_text()


@pytest.mark.parametrize("color_by", ["sublattice", "region", "defect"])
def test_plot_particle_png(tmp_path, color_by):
    q = S.insert_apb(S.build_particle("Fe3O4", "sphere", 4.0), (1, 1, 0))
    f = S.plot_particle(q, color_by, path=tmp_path / "x.png")
    assert (tmp_path / "x.png").stat().st_size > 10000
    assert any(line.get_label() == "APB" for line in f.axes[0].lines)
    import matplotlib.pyplot as plt
    plt.close(f)
