import numpy as np
import pytest

from atomspin import units
from atomspin.model.core import SpinModel, quad_from_matrix, quad_to_matrix


def test_constants_against_codata():
    assert units.MU_B_MEV_PER_T == pytest.approx(5.7883818060e-2, rel=1e-9)
    assert units.K_B_MEV_PER_K == pytest.approx(8.617333262e-2, rel=1e-9)


def _two_spin(J=1.5, K=0.3, k1=-0.2, B=(0.0, 0.0, 2.0)):
    e = np.array([0.0, 0.0, 1.0])
    q = quad_from_matrix(np.stack([K * np.outer(e, e)] * 2))
    return SpinModel(positions=np.zeros((2, 3)), spins=np.tile(e, (2, 1)), moments=np.array([5.0, 4.0]),
                     indptr=np.array([0, 1, 2]), indices=np.array([1, 0]), J=np.array([J, J]),
                     quad=q, k1=np.array([k1, k1]), k2=np.zeros(2), field=np.array(B))


def test_energy_convention_two_spins_by_hand():
    m = _two_spin()
    s = np.array([[1.0, 0.0, 0.0], [np.sqrt(0.5), np.sqrt(0.5), 0.0]])
    c = np.sqrt(0.5)
    expected = (-1.5 * c  # exchange, pair counted once
                - 0.0  # uniaxial along z: both spins in the xy plane
                + (-0.2) * (0.0) + (-0.2) * (0.25)  # cubic: s1 along x gives 0; s2 gives x²y² = 1/4
                - 0.0)  # field along z
    assert m.energy(s) == pytest.approx(expected, rel=1e-12)
    up = np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    expected_up = -1.5 - 2 * 0.3 - (5.0 + 4.0) * units.MU_B_MEV_PER_T * 2.0
    assert m.energy(up) == pytest.approx(expected_up, rel=1e-12)


def test_quad_pack_roundtrip():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4, 3, 3))
    a = a + np.swapaxes(a, 1, 2)
    assert np.allclose(quad_to_matrix(quad_from_matrix(a)), a)


def test_model_rejects_bad_arrays():
    with pytest.raises(ValueError, match="field"):
        _two_spin(B=(np.nan, 0, 0))
