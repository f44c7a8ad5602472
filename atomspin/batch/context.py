"""What the study steps of one task share (:class:`Context`), and how a result object becomes row values."""
from __future__ import annotations

import json
import zlib

import numpy as np

__all__ = ["Context", "StepUnavailable", "derived_seed", "scalar_items", "absorb"]


class StepUnavailable(RuntimeError):
    """A study step needs a layer function that this installation does not provide."""

    deterministic = True  # the same installation raises it again: never retried


def derived_seed(seed: int, name: str) -> int:
    """Independent, reproducible 32-bit seed for one stochastic step of a task."""
    ss = np.random.SeedSequence([int(seed), zlib.crc32(name.encode())])
    return int(ss.generate_state(1, dtype=np.uint32)[0])


class Context:
    """What the steps of one task share: recipe, seed, the structure and model, and the outputs.

    Attributes
    ----------
    recipe : dict
        The fully resolved recipe of the task.
    atoms : ase.Atoms or None
        The structure (set by the ``structure`` step).
    results : dict
        Result object of each step that ran, by step name.
    kvp, data : dict
        Key-value pairs and arrays of the row (see :func:`absorb`).
    spins : ndarray or None
        Last equilibrated spin state, stored with the final structure.
    """

    def __init__(self, task: dict):
        self.task = task
        self.recipe = task["recipe"]
        self.seed = int(task["seed"])
        self.atoms = None
        self._model = None
        self.results: dict = {}
        self.timings: dict = {}  # wall-clock seconds per step (not part of the stored row)
        self.spins = None
        self.kvp: dict = {}
        self.data: dict = {}

    def seed_for(self, name: str) -> int:
        return derived_seed(self.seed, name)

    @property
    def model(self):
        """SpinModel of the current structure, built once per task from ``recipe["model"]``."""
        if self._model is None:
            if self.atoms is None:
                raise StepUnavailable("a model step needs the 'structure' step first")
            from atomspin.model import SpinModel
            m = self.recipe["model"]
            self._model = SpinModel.from_atoms(self.atoms, params=None if m["params"] == "auto" else m["params"],
                                               dipolar=m["dipolar"],
                                               neel_ks_meV={"default": "default", "off": 0.0}.get(
                                                   m["surface_anisotropy"], m["neel_ks_meV"]),
                                               anisotropy_reference=(m["anisotropy_reference_K"]
                                                                     if m["anisotropy_reference_K"] > 0 else "T0"),
                                               exchange=_exchange(m) or None,
                                               seed=self.seed_for("model"))
        return self._model

    def apb_plane(self):
        """(unit normal, point in Å) of the recipe's APB plane: through the particle centre + offset."""
        apb = self.recipe["defects"]["apb"]
        n = np.asarray(apb["plane"], dtype=float)
        n /= np.linalg.norm(n)
        centre = np.asarray(json.loads(self.atoms.info["shape"])["center_A"], dtype=float)
        return n, centre + 10.0 * apb["offset_nm"] * n

    def absorb(self, name: str, res) -> None:
        """Store a step's result object in the row: see :func:`absorb`."""
        absorb(self, name, res)


def _exchange(m: dict) -> dict:
    """Pair class → J (the literature convention of the set holding the class) that ``recipe["model"]`` sets."""
    out = {}
    if m.get("apb_exchange", "default") == "given":
        out["BB180"] = m["J_BB180_meV"]
    if m.get("interface_exchange", "default") == "given":
        out.update(RB180=m["J_RB180_meV"], RB=m["J_RB_meV"], RA=m["J_RA_meV"])
    return out


def scalar_items(d: dict, prefix: str = "") -> dict:
    """Flatten a describe()-like dict to ase.db-storable scalars (keys made identifier-safe)."""
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        key = "".join(c if (c.isalnum() or c == "_") else "_" for c in str(key))
        if isinstance(v, dict):
            out.update(scalar_items(v, key + "_"))
        elif isinstance(v, (bool, np.bool_)):
            out[key] = bool(v)
        elif isinstance(v, (int, np.integer)):
            out[key] = int(v)
        elif isinstance(v, (float, np.floating)):
            out[key] = float(v)
        elif isinstance(v, str) and len(v) <= 200:
            out[key] = v
    return out


def absorb(ctx: Context, name: str, res) -> None:
    """Scalars of a result go to key-value pairs ``<name>_<key>``; 1-D numeric arrays to ``data[name]``.

    Wall-clock fields (``elapsed*``) are left out so that the same seed gives identical rows.
    """
    d = res.to_dict() if hasattr(res, "to_dict") else (res if isinstance(res, dict) else {"value": res})
    if not isinstance(d, dict):
        return
    d = {k: v for k, v in d.items() if "elapsed" not in str(k)}
    arrays = {}
    for k, v in d.items():
        a = v
        if isinstance(v, (list, tuple)) and v and all(isinstance(x, (int, float)) and not isinstance(x, bool)
                                                       for x in v):
            a = np.asarray(v, dtype=float)
        if isinstance(a, np.ndarray) and a.ndim >= 1 and a.size and np.issubdtype(a.dtype, np.number):
            arrays[k] = a
    ctx.kvp.update({f"{name}_{k}": v for k, v in scalar_items(
        {k: v for k, v in d.items() if k not in arrays}).items()})
    if arrays:
        ctx.data[name] = arrays
