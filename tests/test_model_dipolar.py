"""Dipolar interaction: exact pairwise and macrocells against a naive double loop and continuum magnetostatics."""
import numpy as np
import pytest

from atomspin.model import SpinModel
from atomspin.model.reference_lattices import spinel_sphere
from atomspin.model.core import DipolarCells
from atomspin.model.dipolar import DIP_PREFACTOR_MEV_A3, build_macrocells
from atomspin.units import ANGSTROM, MEV, MU_0, MU_B


def _naive_dipolar(pos, mom, s):
    """Σ_{i<j} (μ0/4π r³)[m_i·m_j − 3(m_i·r̂)(m_j·r̂)] in meV; positions Å, moments μB (double loop)."""
    e = 0.0
    for i in range(len(pos)):
        for j in range(i + 1, len(pos)):
            r = (pos[j] - pos[i]) * ANGSTROM
            d = np.linalg.norm(r)
            u = r / d
            mi, mj = mom[i] * MU_B * s[i], mom[j] * MU_B * s[j]
            e += MU_0 / (4 * np.pi * d ** 3) * (mi @ mj - 3 * (mi @ u) * (mj @ u))
    return e / MEV


def _dip_only(model, s):
    """Dipolar part of the model energy (model energy minus the same model without dipolar)."""
    d = model.dipolar
    model.dipolar = None
    e0 = model.energy(s)
    model.dipolar = d
    return model.energy(s) - e0


def test_prefactor():
    # μ0 μB² / (4π Å³) = 1e−7 · (9.274e−24)² / 1e−30 J = 8.601e−24 J = 0.05368 meV
    assert DIP_PREFACTOR_MEV_A3 == pytest.approx(0.053686, rel=1e-4)


@pytest.mark.parametrize("mode", ["exact", 0.05])  # 0.05 nm cells hold one spin each
def test_exact_and_one_spin_cells_match_double_loop(mode):
    p = spinel_sphere(12.0)
    m = SpinModel.from_atoms(p, dipolar=mode)
    assert m.dipolar.n_cells == m.n
    rng = np.random.default_rng(2)
    s = rng.normal(size=(m.n, 3))
    s /= np.linalg.norm(s, axis=1)[:, None]
    ref = _naive_dipolar(m.positions, m.moments, s)
    assert _dip_only(m, s) == pytest.approx(ref, rel=1e-10)


def _aharoni_dz(a, b, c):
    """Demagnetising factor D_z of a rectangular prism 2a × 2b × 2c (Aharoni, J. Appl. Phys. 83, 3432 (1998))."""
    r = np.sqrt(a * a + b * b + c * c)
    ab, bc, ac = np.sqrt(a * a + b * b), np.sqrt(b * b + c * c), np.sqrt(a * a + c * c)
    t = ((b * b - c * c) / (2 * b * c) * np.log((r - a) / (r + a))
         + (a * a - c * c) / (2 * a * c) * np.log((r - b) / (r + b))
         + b / (2 * c) * np.log((ab + a) / (ab - a)) + a / (2 * c) * np.log((ab + b) / (ab - b))
         + c / (2 * a) * np.log((bc - b) / (bc + b)) + c / (2 * b) * np.log((ac - a) / (ac + a))
         + 2 * np.arctan(a * b / (c * r)) + (a ** 3 + b ** 3 - 2 * c ** 3) / (3 * a * b * c)
         + (a * a + b * b - 2 * c * c) / (3 * a * b * c) * r + c / (a * b) * (ac + bc)
         - (ab ** 3 + bc ** 3 + ac ** 3) / (3 * a * b * c))
    return t / np.pi


def test_aharoni_formula_sanity():
    assert _aharoni_dz(1, 1, 1) == pytest.approx(1 / 3, rel=1e-12)
    assert _aharoni_dz(2, 3, 0.5) + _aharoni_dz(3, 0.5, 2) + _aharoni_dz(0.5, 2, 3) == pytest.approx(1.0, rel=1e-12)


def test_shape_anisotropy_of_a_plate():
    """Uniformly magnetised plate of point dipoles (simple-cubic lattice, 16×16×4 sites): the energy of
    out-of-plane minus in-plane magnetisation equals the continuum shape anisotropy
    (μ0/2) M² V (D_z − D_x) (the isotropic Lorentz term cancels in the difference). Exact pairwise and
    macrocells (2×2×2 sites) are both compared with it."""
    a = 3.0  # Å
    nx, nz = 16, 4
    g = np.arange(nx) * a
    pos = np.stack(np.meshgrid(g, g, np.arange(nz) * a, indexing="ij"), -1).reshape(-1, 3)
    n = len(pos)
    mom = np.full(n, 2.0)
    msat = 2.0 * MU_B / (a * ANGSTROM) ** 3
    vol = n * (a * ANGSTROM) ** 3
    half = np.array([nx, nx, nz]) * a / 2
    dz = _aharoni_dz(*half)
    dx = _aharoni_dz(half[1], half[2], half[0])
    continuum = 0.5 * MU_0 * msat ** 2 * vol * (dz - dx) / MEV

    def energy(cells: DipolarCells, d):
        mc = np.zeros((cells.n_cells, 3))
        np.add.at(mc, cells.cell_of, mom[:, None] * np.asarray(d, float))
        return -0.5 * np.einsum("ci,cdij,dj->", mc, cells.tensor, mc)

    exact = build_macrocells(pos, "exact")
    macro = build_macrocells(pos, 0.6)  # 6 Å cells = 2×2×2 sites
    assert macro.n_cells == n // 8
    d_exact = energy(exact, (0, 0, 1)) - energy(exact, (1, 0, 0))
    d_macro = energy(macro, (0, 0, 1)) - energy(macro, (1, 0, 0))
    assert d_exact == pytest.approx(continuum, rel=0.05)
    assert d_macro == pytest.approx(d_exact, rel=0.05)  # measured: exact 1.031, macro 1.061 × continuum


def test_dipolar_switch_and_errors():
    p = spinel_sphere(12.0)
    assert SpinModel.from_atoms(p).dipolar is None
    assert SpinModel.from_atoms(p, dipolar=True).dipolar.n_cells >= 1
    with pytest.raises(ValueError, match="dipolar"):
        SpinModel.from_atoms(p, dipolar=-1.0)
    with pytest.raises(ValueError, match="dipolar"):
        SpinModel.from_atoms(p, dipolar="ewald")
    from atomspin.model.reference_lattices import spinel_box

    with pytest.raises(ValueError, match="periodic"):
        SpinModel.from_atoms(spinel_box(2), dipolar=True)


def _ellipsoid(semi_A):
    """Open aspect-2 magnetite ellipsoid (semi-axes ``semi_A`` in Å, long axis z) cut from the ideal spinel."""
    from atomspin.model.reference_lattices import spinel_box

    box = spinel_box(int(np.ceil(2 * max(semi_A) / 8.396)) + 1)
    c = box.cell.sum(axis=0) / 2
    keep = np.sum(((box.positions - c) / np.asarray(semi_A)) ** 2, axis=1) <= 1.0
    p = box[keep]
    p.pbc = False
    p.cell = np.zeros((3, 3))
    p.positions -= c
    return p


def _naive_dipolar_vec(pos, mom, s):
    """Vectorised form of :func:`_naive_dipolar` (same formula, all pairs i < j at once), meV."""
    i, j = np.triu_indices(len(pos), 1)
    r = (pos[j] - pos[i]) * ANGSTROM
    d = np.linalg.norm(r, axis=1)
    u = r / d[:, None]
    mi, mj = (mom[i] * MU_B)[:, None] * s[i], (mom[j] * MU_B)[:, None] * s[j]
    e = MU_0 / (4 * np.pi * d ** 3) * (np.sum(mi * mj, 1) - 3 * np.sum(mi * u, 1) * np.sum(mj * u, 1))
    return float(np.sum(e)) / MEV


def test_default_dipolar_shape_anisotropy_of_ellipsoid():
    """dipolar=True on a 3 nm × 6 nm magnetite ellipsoid in the Néel state: ΔE = E(M ∥ x) − E(M ∥ z) from the
    model must have the sign (long axis easy) and the magnitude (±15 %) of an independent pair sum. The former
    default (2 nm macrocells) gave the wrong sign for this particle (review: −2.15 vs +1.65 meV at 3 nm)."""
    p = _ellipsoid((15.0, 15.0, 30.0))
    m = SpinModel.from_atoms(p, dipolar=True, cubic=False)
    assert m.n <= 3000 and m.info["dipolar"] == "exact"
    sgn = np.where(m.sublattice == "A", -1.0, 1.0)[:, None]
    sx, sz = sgn * np.array([1.0, 0, 0]), sgn * np.array([0, 0, 1.0])
    ref = _naive_dipolar_vec(m.positions, m.moments, sx) - _naive_dipolar_vec(m.positions, m.moments, sz)
    got = _dip_only(m, sx) - _dip_only(m, sz)
    assert ref > 0
    assert got == pytest.approx(ref, rel=0.15)
    # measured: pair sum 1.653 meV; 0.5 / 1 / 2 nm macrocells 2.25 / 5.12 / −2.15 meV (1151 spins)
    assert ref == pytest.approx(1.653, abs=0.01)
    old = SpinModel.from_atoms(p, dipolar=2.0, cubic=False)
    assert _dip_only(old, sx) - _dip_only(old, sz) < 0  # the former default fails the sign test


def test_large_particle_default_uses_1nm_macrocells():
    from atomspin.model import build

    p = spinel_sphere(12.0)
    old = build.DIPOLAR_EXACT_MAX_SPINS
    try:
        build.DIPOLAR_EXACT_MAX_SPINS = 10
        m = SpinModel.from_atoms(p, dipolar=True)
    finally:
        build.DIPOLAR_EXACT_MAX_SPINS = old
    assert m.info["dipolar"] == "macrocells 1.0 nm"
    ref = build_macrocells(m.positions, 1.0)
    assert np.array_equal(m.dipolar.cell_of, ref.cell_of)


def _pair_sum_collinear(pos, mu, d, chunk=500):
    """Σ_{i<j} μ_i μ_j (μ0/4π r³)[1 − 3(d̂·r̂)²] in meV for signed moments μ (μB) all along ±d̂ (chunked)."""
    e = 0.0
    n = len(pos)
    for a in range(0, n, chunk):
        idx = np.arange(a, min(a + chunk, n))
        r = (pos[None, :, :] - pos[idx, None, :]) * ANGSTROM
        mask = np.arange(n)[None, :] > idx[:, None]
        dist = np.where(mask, np.linalg.norm(r, axis=2), 1.0)
        c = (r @ d) / dist
        e += np.sum(np.where(mask, mu[idx, None] * mu[None, :] * MU_B ** 2 * MU_0 / (4 * np.pi * dist ** 3)
                             * (1 - 3 * c ** 2), 0.0))
    return e / MEV


@pytest.mark.slow
def test_default_macrocells_above_threshold_within_15_percent(full_scale):
    """Above DIPOLAR_EXACT_MAX_SPINS the default is 1 nm macrocells: on a 5 × 10 nm magnetite ellipsoid
    (5327 spins) ΔE(x − z) must match the exact pair sum within 15 % (measured: 18.54 vs 16.45 meV,
    +13 %; 2 nm cells gave 6.66 meV)."""
    p = _ellipsoid((25.0, 25.0, 50.0))
    m = SpinModel.from_atoms(p, dipolar=True, cubic=False)
    assert m.n > 3000 and m.info["dipolar"] == "macrocells 1.0 nm"
    sgn = np.where(m.sublattice == "A", -1.0, 1.0)
    ex, ez = np.array([1.0, 0, 0]), np.array([0, 0, 1.0])
    ref = _pair_sum_collinear(m.positions, sgn * m.moments, ex) - _pair_sum_collinear(m.positions, sgn * m.moments, ez)
    got = _dip_only(m, sgn[:, None] * ex) - _dip_only(m, sgn[:, None] * ez)
    assert ref > 0
    assert got == pytest.approx(ref, rel=0.15)
