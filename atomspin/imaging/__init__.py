"""Imaging figures of merit from the same particles: MPI tracers and MRI contrast agents.

MPI (:mod:`atomspin.imaging.mpi`, :mod:`atomspin.imaging.mpi_signal`): the point-spread function dm/dH of
ideal superparamagnets with its FWHM and resolution, blurred by Debye relaxation (:func:`mpi_psf`); the signal
of an ensemble under a sinusoidal drive, its harmonic spectrum and x-space PSF, from the Langevin law, any
equilibrium curve m(H) or sampled dynamics m(t) (:func:`mpi_signal`).

MRI (:mod:`atomspin.imaging.mri`): transverse relaxivities r2 and r2* in the motional-averaging,
static-dephasing and partial-refocusing regimes (:func:`mri_relaxivity`, :func:`mri_size_sweep`).

Layer: beside :mod:`atomspin.sar` (imports only sar, units and validation).
"""
from .mpi import AMPLITUDE_T, F_DRIVE_HZ, GRADIENT_T_PER_M, LANGEVIN_FWHM_XI, MPIPSFResult, mpi_psf
from .mpi_signal import MPISignalResult, mpi_signal
from .mri import (RelaxivityResult, RelaxivitySweep, mri_relaxivity, mri_size_sweep, r2_motional_averaging,
                  r2_partial_refocusing, r2star_static_dephasing)

__all__ = ["AMPLITUDE_T", "F_DRIVE_HZ", "GRADIENT_T_PER_M", "LANGEVIN_FWHM_XI", "MPIPSFResult", "mpi_psf",
           "MPISignalResult", "mpi_signal", "RelaxivityResult", "RelaxivitySweep", "mri_relaxivity",
           "mri_size_sweep", "r2_motional_averaging", "r2_partial_refocusing", "r2star_static_dephasing"]
