"""Point-dipole fields between macrospins (shared by the kinetic and LLG models)."""
import math

from numba import njit


@njit(cache=True)
def add_dipole_fields(pos, vec, weight, out):
    """out[i] += Σ_{j≠i} weight_j (3 r̂(r̂·v_j) − v_j)/(4π r³), r = pos_i − pos_j.

    With v_j the unit moment direction and weight_j = Ms V_j (A m²), the result is the dipolar field
    in A/m (positions in m). Allocation-free; O(N²).
    """
    n = pos.shape[0]
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            rx = pos[i, 0] - pos[j, 0]
            ry = pos[i, 1] - pos[j, 1]
            rz = pos[i, 2] - pos[j, 2]
            r2 = rx * rx + ry * ry + rz * rz
            r = math.sqrt(r2)
            rx /= r
            ry /= r
            rz /= r
            vr = rx * vec[j, 0] + ry * vec[j, 1] + rz * vec[j, 2]
            pre = weight[j] / (4.0 * math.pi * r2 * r)
            out[i, 0] += pre * (3.0 * rx * vr - vec[j, 0])
            out[i, 1] += pre * (3.0 * ry * vr - vec[j, 1])
            out[i, 2] += pre * (3.0 * rz * vr - vec[j, 2])


@njit(cache=True)
def dipolar_fields_into(pos, mom, unit_weight, Hd):
    """Hd[i] = Σ_j (3 r̂(r̂·μ_j) − μ_j)/(4π r³), μ_j = Ms V_j n_j (A m²) → A/m; unit_weight = ones(N)."""
    for i in range(pos.shape[0]):
        Hd[i, 0] = 0.0
        Hd[i, 1] = 0.0
        Hd[i, 2] = 0.0
    add_dipole_fields(pos, mom, unit_weight, Hd)
