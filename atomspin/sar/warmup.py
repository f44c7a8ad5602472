"""Compile the numba kernels of the SAR models ahead of the work.

Numba compiles a kernel in each process that first calls it; with ``cache=True`` the machine code goes to the
on-disk cache, and a process that calls the kernel *later* loads it from there instead of compiling it again.
The workers of a local Dask sweep all start at once, so with a cold cache every worker compiled every kernel:
measured on the demo (one task in one process, fresh cache, 2026-11-30), 73 CPU s of compilation per worker, of
which 45 CPU s are the SAR kernels (master equation tables and cycle 21 s, Néel + Brownian hybrid 16 s, critical
points 6 s, stochastic LLG 3 s) and 28 CPU s the Monte Carlo and dipolar kernels.

:func:`compile_kernels` runs every compiled SAR path once on a small synthetic particle (a cubic + uniaxial
surface fitted by the same harmonic expansion as a measured landscape, so every kernel gets the argument types of
the real calls). :func:`atomspin.batch.runner.run_tasks` has one worker run it while another starts the first task,
so each kernel is compiled once per sweep.
"""
from __future__ import annotations

import time

import numpy as np

#: the synthetic particle (derived: a 12 nm magnetite sphere at 310 K with a barrier of ≈ 7 k_BT — high enough that
#: the master equation and the Néel + Brownian hybrid are the valid regimes — and the same surface scaled by
#: LOW_BARRIER_SCALE, ≈ 2 k_BT, for the stochastic-LLG relaxation time)
WARMUP_DIAMETER_M = 12e-9
WARMUP_KU_J_PER_M3 = 3.0e4
WARMUP_K1_J_PER_M3 = -1.1e4
LOW_BARRIER_SCALE = 0.3


def _particle(scale):
    from atomspin import macrospin as ms

    from .particle import Particle

    surface = ms.EnergySurface([ms.CubicAnisotropy(WARMUP_K1_J_PER_M3 * scale),
                                ms.UniaxialAnisotropy(WARMUP_KU_J_PER_M3 * scale, (0.0, 0.0, 1.0))])
    n = ms.fibonacci_sphere(26)
    term, _, _ = ms.HarmonicExpansion.fit(n, np.array([surface.energy(d) for d in n]), degree=6)
    return Particle(Ms_A_per_m=4.8e5, volume_m3=np.pi / 6 * WARMUP_DIAMETER_M ** 3, T_K=310.0,
                    landscape=ms.EnergySurface([term]))


def compile_kernels() -> float:
    """Run each numba-compiled SAR path once, small: the immobilised master equation, the Néel + Brownian hybrid
    in water, and the stochastic-LLG relaxation time. Returns the CPU seconds it took (≈ 45 s with a cold cache,
    ≈ 1 s with a warm one)."""
    from .bridge import sar_from_particle
    from .macrospin_llg import llg_relaxation_time
    from .particle import Medium

    t0 = time.process_time()
    high = _particle(1.0)
    for medium in (Medium.solid(), Medium.water()):
        sar_from_particle(high, f=1e5, H0=15e3, medium=medium, model="master", n_orientations=2, n_particles=2,
                          allow_nonclinical=True)
    llg_relaxation_time(_particle(LOW_BARRIER_SCALE), n_particles=8, run_taus=2.0)
    return time.process_time() - t0
