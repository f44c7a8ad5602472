"""Packing a :class:`~atomspin.model.core.SpinModel` into the flat arrays the kernels read.

:class:`ModelArrays` validates the model once and holds the "model arrays" of
:mod:`atomspin.engine.kernels` (exchange as uint8/uint16 codes into a table of distinct values,
quadratic and cubic anisotropy, Zeeman prefactors, the macrocell dipolar tensor and its running
cell moments/fields). It also evaluates the energy and local fields of a state with the kernels,
adding a dipolar object that is not a macrocell one (contract: ``energy_meV(spins, moments)``,
``fields_meV(spins, moments)``) outside them.
"""

from __future__ import annotations

import numpy as np

from atomspin.engine.kernels import _dip_refresh, local_fields, total_energy
from atomspin.units import MU_B_MEV_PER_T
from atomspin.validation import check_field_T, check_real

_MODEL_ATTRS = ("moments", "spins", "indptr", "indices", "J", "quad", "k1", "k2", "field", "dipolar")


def check_model(model, name="model"):
    """TypeError unless ``model`` has the arrays of a SpinModel (it is not copied)."""
    missing = [a for a in _MODEL_ATTRS if not hasattr(model, a)]
    if missing:
        raise TypeError(f"{name}: expected a SpinModel (atomspin.model.SpinModel), got "
                        f"{type(model).__name__} (no {', '.join(missing[:3])})")
    return model


def check_T(T):
    """Temperature in K, finite and ≥ 0."""
    return check_real("T", T, 0.0)


def check_field(B, name="field"):
    """Applied μ0H (3-vector, tesla); always a copy (set_field must not write into model.field)."""
    return check_field_T(name, B)


def check_spins(spins, n, name="spins"):
    """(n, 3) float64 unit vectors (|ŝ| within 1e-8 of 1, renormalised exactly); a new array."""
    try:
        s = np.array(spins, dtype=np.float64, order="C")
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected an ({n}, 3) array of unit vectors") from None
    if s.shape != (n, 3):
        raise ValueError(f"{name}: expected shape ({n}, 3), got {s.shape}")
    if not np.all(np.isfinite(s)):
        raise ValueError(f"{name}: contains NaN/inf")
    nrm = np.linalg.norm(s, axis=1)
    if n and not np.allclose(nrm, 1.0, atol=1e-8):
        raise ValueError(f"{name}: must be unit vectors (|ŝ| within 1e-8 of 1), got norms in "
                         f"[{nrm.min():.3g}, {nrm.max():.3g}]")
    if n:
        s /= nrm[:, None]  # remove the allowed 1e-8 slack so that it cannot accumulate
    return s


def is_macrocell(dipolar):
    """True for a macrocell dipolar object (``cell_of`` (N,), ``tensor`` (C, C, 3, 3)): the kernels
    evaluate it incrementally. Any other dipolar object is evaluated through its own methods."""
    return dipolar is not None and hasattr(dipolar, "cell_of") and hasattr(dipolar, "tensor")


def compress_couplings(J):
    """(distinct values Jv, code per pair Jc) with ``Jv[Jc] == J`` exactly; the smallest code dtype."""
    Jv, Jc = np.unique(J, return_inverse=True)
    dt = np.uint8 if len(Jv) <= 256 else np.uint16 if len(Jv) <= 65536 else np.int32
    return np.ascontiguousarray(Jv, dtype=np.float64), np.ascontiguousarray(Jc.reshape(-1), dtype=dt)


class ModelArrays:
    """Flat kernel arrays of a SpinModel (validated once).

    Attributes
    ----------
    n : int
    moments, zp, indptr, indices, J, Jv, Jc, quad, k1, k2, b, has_quad, has_cubic : kernel arrays
    has_dip, cell_of, W, Mc, Hc : macrocell dipolar arrays (placeholders of size 1 without them)
    dipolar : the model's dipolar object when it is *not* a macrocell one (else None)
    perm : None, or (N,) int: internal site k is model site ``perm[k]`` (see :meth:`permuted`)
    """

    def __init__(self, model, field=None):
        check_model(model)
        n = len(model.moments)
        self.n = n
        self.perm = None
        self.moments = np.ascontiguousarray(model.moments, dtype=np.float64)
        if self.moments.shape != (n,) or not np.all(np.isfinite(self.moments)):
            raise ValueError("model.moments: must be N finite values in μB")
        self.zp = self.moments * MU_B_MEV_PER_T
        self.indptr = np.ascontiguousarray(model.indptr, dtype=np.int64)
        self.indices = np.ascontiguousarray(model.indices, dtype=np.int32)
        self.J = np.ascontiguousarray(model.J, dtype=np.float64)
        nnz = self.indices.shape[0]
        if self.indptr[0] != 0 or self.indptr[-1] != nnz or np.any(np.diff(self.indptr) < 0):
            raise ValueError(f"model.indptr: must rise from 0 to nnz = {nnz}")
        if nnz and (self.indices.min() < 0 or self.indices.max() >= n):
            raise ValueError(f"model.indices: values must be in [0, {n - 1}]")
        row = np.repeat(np.arange(n), np.diff(self.indptr))
        if np.any(row == self.indices):
            raise ValueError("model.indices: self-coupling (i in row i) is not allowed; "
                             "put single-site terms into quad")
        if not np.all(np.isfinite(self.J)):
            raise ValueError("model.J: must be finite (meV)")
        self.Jv, self.Jc = compress_couplings(self.J)
        self.quad = np.ascontiguousarray(model.quad, dtype=np.float64).reshape(n, 6)
        self.k1 = np.ascontiguousarray(model.k1, dtype=np.float64)
        self.k2 = np.ascontiguousarray(model.k2, dtype=np.float64)
        for nm in ("quad", "k1", "k2"):
            if not np.all(np.isfinite(getattr(self, nm))):
                raise ValueError(f"model.{nm}: must be finite (meV)")
        self.has_quad = bool(np.any(self.quad != 0))
        self.has_cubic = bool(np.any(self.k1 != 0) or np.any(self.k2 != 0))
        self.b = check_field(model.field if field is None else field)
        dip = model.dipolar
        self.has_dip = is_macrocell(dip)
        self.dipolar = None
        if self.has_dip:
            self.cell_of = np.ascontiguousarray(dip.cell_of, dtype=np.int64)
            self.W = np.ascontiguousarray(dip.tensor, dtype=np.float64)
            nc = self.W.shape[0]
            if self.W.shape != (nc, nc, 3, 3):
                raise ValueError(f"model.dipolar.tensor: expected (C, C, 3, 3), got {self.W.shape}")
            if self.cell_of.shape != (n,) or (n and (self.cell_of.min() < 0 or self.cell_of.max() >= nc)):
                raise ValueError(f"model.dipolar.cell_of: must be N values in [0, {nc - 1}]")
            if not np.allclose(self.W, np.transpose(self.W, (1, 0, 3, 2)), rtol=1e-10, atol=1e-14):
                raise ValueError("model.dipolar.tensor: must satisfy W_cd = W_dcᵀ")
        else:  # never indexed without dipolar terms (every use is guarded by has_dip): no N-array
            if dip is not None:
                if not (callable(getattr(dip, "energy_meV", None)) and callable(getattr(dip, "fields_meV", None))):
                    raise TypeError(f"model.dipolar: {type(dip).__name__} provides neither macrocell arrays "
                                    "(cell_of, tensor) nor energy_meV(spins, moments) and fields_meV(spins, moments)")
                self.dipolar = dip
            self.cell_of = np.zeros(1, dtype=np.int64)
            self.W = np.zeros((1, 1, 3, 3))
        self.Mc = np.zeros((self.W.shape[0], 3))
        self.Hc = np.zeros((self.W.shape[0], 3))

    def permuted(self, perm):
        """Copy with sites renumbered: new site k is old site ``perm[k]`` (CSR relabelled)."""
        new = object.__new__(ModelArrays)
        new.__dict__.update(self.__dict__)
        new.perm = perm if self.perm is None else self.perm[perm]
        inv = np.empty_like(perm)
        inv[perm] = np.arange(len(perm))
        for name in ("moments", "zp", "quad", "k1", "k2") + (("cell_of",) if self.has_dip else ()):
            setattr(new, name, np.ascontiguousarray(getattr(self, name)[perm]))
        lens = np.diff(self.indptr)[perm]
        new.indptr = np.zeros(self.n + 1, dtype=np.int64)
        np.cumsum(lens, out=new.indptr[1:])
        gather = np.repeat(self.indptr[perm] - new.indptr[:-1], lens) + np.arange(new.indptr[-1])
        new.indices = np.ascontiguousarray(inv[self.indices[gather]], dtype=np.int32)
        new.J = np.ascontiguousarray(self.J[gather])
        new.Jc = np.ascontiguousarray(self.Jc[gather])
        return new

    def to_internal(self, per_site):
        """Per-site array in the model's numbering → this numbering."""
        return per_site if self.perm is None else np.ascontiguousarray(per_site[self.perm])

    def to_model(self, per_site):
        """Per-site array in this numbering → the model's numbering (a new array)."""
        if self.perm is None:
            return per_site.copy()
        out = np.empty_like(per_site)
        out[self.perm] = per_site
        return out

    def model_args(self, spins):
        """The kernels' leading arguments for state ``spins`` (this numbering)."""
        return (spins, self.moments, self.zp, self.indptr, self.indices, self.Jc, self.Jv, self.quad,
                self.k1, self.k2, self.b, self.has_quad, self.has_cubic, self.has_dip,
                self.cell_of, self.W, self.Mc, self.Hc)

    def refresh(self, spins):
        """Recompute the macrocell moments Mc and fields Hc from ``spins`` (no-op without them)."""
        if self.has_dip:
            _dip_refresh(spins, self.moments, self.cell_of, self.W, self.Mc, self.Hc)

    def _model_moments(self):
        return self.to_model(self.moments)

    def energy(self, spins):
        """Total energy (meV) of ``spins`` (this numbering); refreshes Mc/Hc."""
        e = float(total_energy(*self.model_args(spins)))
        if self.dipolar is not None:
            e += float(self.dipolar.energy_meV(self.to_model(spins), self._model_moments()))
        return e

    def fields(self, spins):
        """(N, 3) −∂E/∂ŝ_i (meV) of ``spins`` (this numbering); refreshes Mc/Hc."""
        out = np.empty((self.n, 3))
        local_fields(*self.model_args(spins), out)
        if self.dipolar is not None:
            out += self.to_internal(np.asarray(self.dipolar.fields_meV(self.to_model(spins),
                                                                        self._model_moments())))
        return out
