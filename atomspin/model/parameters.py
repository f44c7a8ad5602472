"""Exchange and anisotropy parameter sets (TOML data files in ``atomspin/model/params``).

Each set stores the literature values **in the literature's own convention** plus that convention, and
this module converts them into atomspin's (see :mod:`atomspin.model.core`)::

    E = − Σ_{i<j} J_ij ŝ_i·ŝ_j          (unit spins, each pair once, J > 0 ferromagnetic, meV)

A set quoted as pair energy ``−c J S_i·S_j`` (``form = "-J"``: c = 1, ``form = "-2J"``: c = 2) with spin
lengths S (``spin_length``: ``"classical"`` S = m/2 from the site moment m in μB (spin-only, g = 2),
``"quantum"`` √(S(S+1)) with S = m/2, ``"unit"`` S = 1) in ``unit`` (``"meV"`` or ``"K"`` for J/k_B)
becomes::

    J_ij = c · J_lit · S_i · S_j        [× k_B in meV/K when unit = "K"]

The spin lengths come from the site moments, so explicit Fe²⁺/Fe³⁺ B sites, averaged 4.5 μB B sites and
magnetic dopants are all converted consistently.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Union

import numpy as np

from atomspin.units import K_B_MEV_PER_K

PARAM_DIR = Path(__file__).resolve().parent / "params"

_FORMS = {"-J": 1.0, "-2J": 2.0}
_SPIN_LENGTHS = ("classical", "quantum", "unit")
_UNITS = {"meV": 1.0, "K": K_B_MEV_PER_K}


@dataclass
class ParameterSet:
    """One parameter set: literature exchange values, their convention, cubic anisotropy.

    Attributes
    ----------
    name : str
    form : str
        ``"-J"`` or ``"-2J"``: pair energy of the literature Hamiltonian, each pair once.
    spin_length : str
        ``"classical"`` (S = m/2), ``"quantum"`` (√(S(S+1)), S = m/2) or ``"unit"`` (S = 1).
    unit : str
        ``"meV"`` or ``"K"`` (J/k_B).
    exchange : dict
        Pair class → literature J (in ``unit``); see :data:`atomspin.model.geometry.PAIR_CLASSES`.
    anisotropy : dict
        ``K1_J_per_m3``, ``K2_J_per_m3`` (J/m³), ``cell_a_A`` (Å), ``magnetic_sites_per_cell``,
        ``oxygen_per_cell``.
    anisotropy_reference : dict
        ``T_K``, ``m_A``, ``m_B``: reduced bulk sublattice magnetisations of the model vs T (see
        :meth:`reduced_magnetisation`); empty when the set gives none.
    phase : str
    source : str
        File the set was read from (or ``"<mapping>"``).
    """

    name: str
    form: str
    spin_length: str
    unit: str
    exchange: dict
    anisotropy: dict = field(default_factory=dict)
    phase: str = ""
    source: str = "<mapping>"
    anisotropy_reference: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.form not in _FORMS:
            raise ValueError(f"params[{self.name!r}].convention.form: {self.form!r} is not one of {sorted(_FORMS)}")
        if self.spin_length not in _SPIN_LENGTHS:
            raise ValueError(f"params[{self.name!r}].convention.spin_length: {self.spin_length!r} is not one of "
                             f"{list(_SPIN_LENGTHS)}")
        if self.unit not in _UNITS:
            raise ValueError(f"params[{self.name!r}].convention.unit: {self.unit!r} is not one of {sorted(_UNITS)}")
        for k, v in self.exchange.items():
            if not np.isfinite(float(v)):
                raise ValueError(f"params[{self.name!r}].exchange.{k}: {v} is not finite")

    def spin_lengths(self, moments_muB) -> np.ndarray:
        """Literature spin length S of sites with moments ``moments_muB`` (μB)."""
        m = np.asarray(moments_muB, dtype=np.float64)
        s = m / 2.0
        if self.spin_length == "classical":
            return s
        if self.spin_length == "quantum":
            return np.sqrt(s * (s + 1.0))
        return np.ones_like(s)

    def unit_coupling(self, cls: str, m_i, m_j) -> np.ndarray:
        """J_ij in meV for unit spins of pair class ``cls`` between sites with moments m_i, m_j (μB)."""
        if cls not in self.exchange:
            raise ValueError(f"params: set {self.name!r} has no exchange value for pair class {cls!r} "
                             f"(has {sorted(self.exchange)})")
        c = _FORMS[self.form] * _UNITS[self.unit] * float(self.exchange[cls])
        return c * self.spin_lengths(m_i) * self.spin_lengths(m_j)

    def site_volume_A3(self) -> float:
        """Volume per magnetic site of the ideal bulk phase in Å³ (a³ / n_mag)."""
        a = float(self.anisotropy.get("cell_a_A", np.nan))
        n = float(self.anisotropy.get("magnetic_sites_per_cell", np.nan))
        return a ** 3 / n

    def oxygen_volume_A3(self) -> float:
        """Volume per oxygen of the ideal bulk phase in Å³ (a³ / n_O; NaN when ``oxygen_per_cell`` is absent).

        Spinel: 32 O per cubic cell (AB2O4, Z = 8); rock salt: 4 O per cell. The O sublattice is complete in
        vacancy-bearing (Fe3−δO4, γ-Fe2O3) and doped particles, so the O count measures the particle volume.
        """
        a = float(self.anisotropy.get("cell_a_A", np.nan))
        n = float(self.anisotropy.get("oxygen_per_cell", np.nan))
        return a ** 3 / n

    def reduced_magnetisation(self, T_K: float):
        """(m_A, m_B): reduced bulk sublattice magnetisations at ``T_K`` (K), linear in the set's table.

        Raises ValueError when the set has no ``[anisotropy_reference]`` table or T is outside it.
        """
        ref = self.anisotropy_reference
        if not ref or "T_K" not in ref:
            raise ValueError(f"anisotropy_reference: parameter set {self.name!r} has no [anisotropy_reference] "
                             "table (T_K, m_A, m_B); use anisotropy_reference='T0'")
        T = np.asarray(ref["T_K"], dtype=np.float64)
        if not (T[0] <= T_K <= T[-1]):
            raise ValueError(f"anisotropy_reference: {T_K} K is outside [{T[0]}, {T[-1]}] K "
                             f"(the table of set {self.name!r})")
        return (float(np.interp(T_K, T, np.asarray(ref["m_A"], dtype=np.float64))),
                float(np.interp(T_K, T, np.asarray(ref["m_B"], dtype=np.float64))))

    def cubic_per_site_meV(self):
        """(k1, k2) per magnetic site in meV: K · a³ / n_mag (K in J/m³)."""
        from atomspin.units import ANGSTROM, MEV

        K1 = float(self.anisotropy.get("K1_J_per_m3", 0.0))
        K2 = float(self.anisotropy.get("K2_J_per_m3", 0.0))
        if K1 == 0.0 and K2 == 0.0:
            return 0.0, 0.0
        v = self.site_volume_A3()
        if not np.isfinite(v) or v <= 0:
            raise ValueError(f"params[{self.name!r}].anisotropy: K1/K2 given but cell_a_A and "
                             "magnetic_sites_per_cell (needed for K per site) are missing or invalid")
        return K1 * v * ANGSTROM ** 3 / MEV, K2 * v * ANGSTROM ** 3 / MEV


def available_parameter_sets() -> list[str]:
    """Names of the shipped parameter sets."""
    return sorted(p.stem for p in PARAM_DIR.glob("*.toml"))


def _with_lattice(anisotropy: Mapping, phase) -> dict:
    """The set's anisotropy table with the lattice data of its phase filled in where absent
    (``cell_a_A``, ``magnetic_sites_per_cell``, ``oxygen_per_cell`` from the one lattice table,
    :data:`atomspin.structures.data.LATTICES`, which the structure builders use too)."""
    from atomspin.structures import data

    out = dict(anisotropy)
    try:
        lat = data.lattice(phase)
    except ValueError:  # no phase or an unknown one: the set must carry its own lattice data
        return out
    out.setdefault("cell_a_A", lat.a_A)
    out.setdefault("magnetic_sites_per_cell", lat.magnetic_sites_per_cell)
    out.setdefault("oxygen_per_cell", lat.oxygen_per_cell)
    return out


def _from_mapping(d: Mapping, name: str, source: str) -> ParameterSet:
    conv = d.get("convention", {})
    if "exchange" not in d:
        raise ValueError(f"params: set {name!r} has no [exchange] table")
    return ParameterSet(name=str(d.get("name", name)), form=str(conv.get("form", "-J")),
                        spin_length=str(conv.get("spin_length", "unit")), unit=str(conv.get("unit", "meV")),
                        exchange={str(k): float(v) for k, v in d["exchange"].items()},
                        anisotropy=_with_lattice(d.get("anisotropy", {}), d.get("phase", "")),
                        phase=str(d.get("phase", "")), source=source,
                        anisotropy_reference=dict(d.get("anisotropy_reference", {})))


def load_parameter_set(params: Union[str, Path, Mapping, ParameterSet]) -> ParameterSet:
    """Load a parameter set.

    Parameters
    ----------
    params : str, Path, mapping or ParameterSet
        A shipped set name (see :func:`available_parameter_sets`), a path to a TOML file, or a mapping with
        the TOML layout (``convention``, ``exchange``, ``anisotropy`` tables).

    Raises
    ------
    ValueError
        Unknown set name, unreadable file, or an invalid convention.
    """
    if isinstance(params, ParameterSet):
        return params
    if isinstance(params, Mapping):
        return _from_mapping(params, str(params.get("name", "custom")), "<mapping>")
    if isinstance(params, (str, Path)):
        p = Path(params)
        if p.suffix == ".toml" and p.exists():
            path = p
        else:
            key = str(params).strip().lower()
            key = _SET_ALIASES.get(key, key)
            path = PARAM_DIR / f"{key}.toml"
            if not path.exists():
                raise ValueError(f"params: unknown parameter set {params!r}; available: "
                                 f"{available_parameter_sets()} or a path to a .toml file")
        with open(path, "rb") as fh:
            try:
                d = tomllib.load(fh)
            except tomllib.TOMLDecodeError as exc:
                raise ValueError(f"params: cannot parse {path}: {exc}") from None
        return _from_mapping(d, path.stem, str(path))
    raise ValueError(f"params: expected a set name, a .toml path or a mapping, got {type(params).__name__}")


#: Former set names → current file names ("maghemite_uhl" became the γ-Fe2O3 default "maghemite";
#: the former Kodama–Berkowitz default is "maghemite_kodama").
_SET_ALIASES = {"maghemite_uhl": "maghemite"}

_PHASE_ALIASES = {
    "fe3o4": "magnetite", "magnetite": "magnetite",
    "gamma-fe2o3": "maghemite", "γ-fe2o3": "maghemite", "fe2o3": "maghemite", "maghemite": "maghemite",
    "g-fe2o3": "maghemite", "gamma_fe2o3": "maghemite",
    "feo": "feo", "wustite": "feo", "wüstite": "feo", "fe1-xo": "feo",
}


def default_set_for_phase(phase) -> str:
    """Name of the default spinel parameter set for ``atoms.info['phase']`` (magnetite when absent).

    γ-Fe2O3 → ``"maghemite"`` (magnetite exchange integrals on the maghemite lattice; Tc ≈ 860–884 K in MC vs
    ≈ 918 K experiment). The Kodama–Berkowitz set is available as ``params="maghemite_kodama"``.

    Rock-salt (FeO) structures and FeO/spinel core–shell phases get ``"magnetite"`` for their spinel
    pairs; the rock-salt pairs always come from the ``feo`` set.
    """
    if phase is None or str(phase).strip() == "":
        return "magnetite"
    key = str(phase).strip().lower()
    if key in _PHASE_ALIASES:
        name = _PHASE_ALIASES[key]
        return "magnetite" if name == "feo" else name
    # composite phases such as "FeO/Fe3O4", "FeO@Fe3O4"
    for sep in ("/", "@", "+", "-core-", ","):
        if sep in key:
            names = [_PHASE_ALIASES.get(p.strip()) for p in key.split(sep)]
            spinel = [n for n in names if n in ("magnetite", "maghemite")]
            if spinel and all(n is not None for n in names):
                return spinel[0]
    raise ValueError(f"atoms.info['phase']: {phase!r} is not a known phase (known: "
                     f"{sorted(set(_PHASE_ALIASES))}); pass params= explicitly")
