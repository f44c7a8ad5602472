"""Imaging figures of merit from the same particles: MPI tracers and MRI contrast agents.

MPI (:mod:`atomspin.imaging.mpi`, :mod:`atomspin.imaging.mpi_signal`): the point-spread function dm/dH of
ideal superparamagnets with its FWHM and resolution, blurred by Debye relaxation (:func:`mpi_psf`); the signal
of an ensemble under a sinusoidal drive, its harmonic spectrum and x-space PSF, from the Langevin law, any
equilibrium curve m(H) or sampled dynamics m(t) (:func:`mpi_signal`); a measured particle
(:class:`atomspin.sar.Particle`) as a tracer from its own equilibrium curve and dynamics
(:func:`mpi_from_particle`, :mod:`atomspin.imaging.mpi_particle`).

MRI (:mod:`atomspin.imaging.mri`): transverse relaxivities r2 and r2* in the motional-averaging,
static-dephasing and partial-refocusing regimes (:func:`mri_relaxivity`, :func:`mri_size_sweep`).

Layer: beside :mod:`atomspin.sar` (imports only sar, units and validation).
"""
from .mpi import AMPLITUDE_T, F_DRIVE_HZ, GRADIENT_T_PER_M, LANGEVIN_FWHM_XI, MPIPSFResult, mpi_psf
from .mpi_signal import MPISignalResult, mpi_signal
from .mpi_particle import EquilibriumCurve, MPIParticleResult, mpi_from_particle
from .mri import (RelaxivityResult, RelaxivitySweep, mri_relaxivity, mri_size_sweep, r2_motional_averaging,
                  r2_partial_refocusing, r2star_static_dephasing)

__all__ = [  # drivers and result types; scanner defaults (AMPLITUDE_T, ...) stay importable by name
    "mpi_psf", "MPIPSFResult", "mpi_signal", "MPISignalResult", "mpi_from_particle", "MPIParticleResult",
    "EquilibriumCurve", "mri_relaxivity", "RelaxivityResult",
    "mri_size_sweep", "RelaxivitySweep", "r2_motional_averaging", "r2_partial_refocusing",
    "r2star_static_dephasing",
]
