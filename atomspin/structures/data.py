"""Crystallographic and magnetic data of the phases, each value with its source.

Tags as in docs/parameters.md (generated from this module): [C] read in the cited source, [D] derived (how is
stated), [U] unconfirmed.
"""
from __future__ import annotations

# --- lattices -----------------------------------------------------------------------------------
#: Magnetite Fe3O4, Fd-3m (No. 227) origin choice 2: A 8a (1/8,1/8,1/8), B 16d (1/2,1/2,1/2),
#: O 32e (x,x,x). a = 8.396 Å, x = 0.2548: Hamilton, Phys. Rev. 110, 1050 (1958).
MAGNETITE_A = 8.396  # Å
MAGNETITE_X = 0.2548
#: Maghemite γ-Fe2O3, cubic spinel cell with 5/6 of the B sites occupied,
#: (Fe3+)8[Fe3+_{40/3} □_{8/3}]O32 (vacancies on B) [C, chemeurope / Braun, Nature 181, 1044 (1958)].
#: a = 8.34 Å: cubic a0 = 8.337 Å (Dunlop & Özdemir 1997 via IRM MagWiki) and a = 8.3460 Å (Rietveld,
#: J. Korean Chem. Soc.) [C]. The oxygen parameter is taken equal to magnetite's (assumption, stated).
MAGHEMITE_A = 8.34  # Å
MAGHEMITE_X = MAGNETITE_X
#: Vacancy-ordered tetragonal maghemite P4_12_12 / P4_32_12 (c ≈ 3a): a = 8.3460 Å, c = 25.034 Å,
#: Rietveld refinement, J. Korean Chem. Soc. ("An Study on the Structure of Maghemite I") [C];
#: the ordered form is the stable one (Grau-Crespo et al., J. Phys.: Condens. Matter 22, 255401 (2010)) [C].
#: Atoms sit on the ideal (unrelaxed) spinel positions scaled to this cell.
MAGHEMITE_TET_A = 8.3460  # Å
MAGHEMITE_TET_C = 25.034  # Å
#: Wüstite FeO rock salt, Fm-3m (No. 225), Fe 4a, O 4b; a = 4.30 Å for Fe0.902O:
#: Yamamoto, Acta Cryst. B38, 1451 (1982) [C].
WUSTITE_A = 4.30  # Å


class Lattice(dict):
    """Lattice data of one phase (a plain dict with attribute access): ``a_A`` (Å, cubic cell edge),
    ``c_A`` (Å, tetragonal c or None), ``x_O`` (O parameter, spinels), ``magnetic_sites_per_cell``,
    ``oxygen_per_cell`` (of the cubic cell) and ``density_kg_per_m3``."""

    __getattr__ = dict.__getitem__


#: The one table of lattice data; the model's parameter sets (volume per O, K per site) and the SAR
#: densities read it (``atomspin.model.parameters``, ``atomspin.sar``).
#: Densities [D]: Z formula units of molar mass M in a³: ρ = Z·M / (N_A a³), with M from IUPAC standard
#: atomic weights (Fe 55.845, O 15.9994 g/mol): Fe3O4 8 × 231.533 g/mol in (8.396 Å)³ → 5196.8 ≈ 5197
#: kg/m³ (measured 5.17–5.18 g/cm³ for natural magnetite); γ-Fe2O3 as Fe8/3O4, 8 × 212.918 g/mol in
#: (8.34 Å)³ → 4876 kg/m³; Fe0.902O (Yamamoto 1982), 4 × 66.372 g/mol in (4.30 Å)³ → 5545 kg/m³.
#: The stated values are rounded to 4 digits (tests/test_structures.py checks the derivation).
LATTICES = {
    "Fe3O4": Lattice(a_A=MAGNETITE_A, c_A=None, x_O=MAGNETITE_X, magnetic_sites_per_cell=24.0,
                     oxygen_per_cell=32.0, density_kg_per_m3=5197.0),
    "gamma-Fe2O3": Lattice(a_A=MAGHEMITE_A, c_A=None, x_O=MAGHEMITE_X, magnetic_sites_per_cell=64.0 / 3.0,
                           oxygen_per_cell=32.0, density_kg_per_m3=4876.0),
    "FeO": Lattice(a_A=WUSTITE_A, c_A=None, x_O=None, magnetic_sites_per_cell=4.0, oxygen_per_cell=4.0,
                   density_kg_per_m3=5545.0),
}


def lattice(phase):
    """Lattice data (:class:`Lattice`) of a phase (any alias of :func:`canonical_phase`)."""
    return LATTICES[canonical_phase(phase)]

# --- moments ------------------------------------------------------------------------------------
# Spin-only moments m = g S μB with g = 2 (high-spin 3d ions; derived: S from Hund's rules):
#   Fe3+ d5 S=5/2 -> 5 μB ; Fe2+ d6 S=2 -> 4 μB ; Mn2+ d5 S=5/2 -> 5 μB ; Co2+ d7 S=3/2 -> 3 μB ;
#   Zn2+ d10 -> 0 μB.  Averaged magnetite B site (Fe2.5+): (4 + 5)/2 = 4.5 μB [D].
#   These give 4.0 μB per Fe3O4 (measured 4.05-4.1 [U, textbook range]; Weiss & Forrer, Ann. Physik 12, 279
#   (1929), as abstracted in Chem. Abs. 24, 2345 (1930), read: 10.10 Weiss magnetons "for ferric Fe in
#   magnetite" = 2 × 10.10 × 1125.6 emu/mol per Fe3O4 = 4.07 μB per Fe3O4 [D from that secondary abstract,
#   N_A μB = 5585 emu/mol]) and 2.5 μB per Fe2O3 (Grau-Crespo et al. 2010 [C]).
MOMENT_MUB = {
    ("Fe", 3.0): 5.0,
    ("Fe", 2.0): 4.0,
    ("Fe", 2.5): 4.5,
    ("Mn", 2.0): 5.0,
    ("Co", 2.0): 3.0,
    ("Zn", 2.0): 0.0,
    ("O", -2.0): 0.0,
}


def fe_moment(valence):
    """Moment (μB) of an Fe ion of (possibly averaged) formal valence in [2, 3]: 4 + (v − 2) [D: linear
    interpolation between the spin-only Fe2+ (4 μB) and Fe3+ (5 μB) values]."""
    return 4.0 + (valence - 2.0)


# --- phases -------------------------------------------------------------------------------------
PHASE_ALIASES = {
    "fe3o4": "Fe3O4", "magnetite": "Fe3O4",
    "gamma-fe2o3": "gamma-Fe2O3", "γ-fe2o3": "gamma-Fe2O3", "fe2o3": "gamma-Fe2O3",
    "maghemite": "gamma-Fe2O3", "g-fe2o3": "gamma-Fe2O3",
    "feo": "FeO", "wustite": "FeO", "wüstite": "FeO",
}
PHASES = ("Fe3O4", "gamma-Fe2O3", "FeO")
#: oxygens per formula unit, used for "per formula unit" figures
O_PER_FU = {"Fe3O4": 4, "gamma-Fe2O3": 3, "FeO": 1}

#: ideal neighbour counts per site family: (cations within CATION_CUTOFF, O within BOND_CUTOFF).
#: Spinel A: 4 A (3.64 Å) + 12 B (3.48 Å), 4 O; B: 6 B (2.97 Å) + 6 A (3.48 Å), 6 O;
#: rock salt R: 12 R, 6 O; O: 1 A + 3 B cations (spinel) or 6 R (rock salt) [D: ideal lattice geometry].
IDEAL_CATIONS = {"A": 16, "B": 12, "R": 12}
IDEAL_O = {"A": 4, "B": 6, "R": 6}
IDEAL_O_CATIONS = {"spinel": 4, "rocksalt": 6}
#: cation–cation shell cutoff (Å): above A–A 3.64 Å, below the next cation shell (≥ 4.2 Å) [D]
CATION_CUTOFF = 3.75
#: cation–O bond cutoff (Å): above R–O 2.15 Å, below the second cation–O shell (≥ 3.4 Å) [D]
BOND_CUTOFF = 2.6


def canonical_phase(phase):
    """Canonical phase name ('Fe3O4', 'gamma-Fe2O3', 'FeO') or ValueError."""
    if isinstance(phase, str):
        key = phase.strip().lower()
        if key in PHASE_ALIASES:
            return PHASE_ALIASES[key]
    raise ValueError(f"phase: {phase!r} is not one of {list(PHASES)} (aliases: {sorted(PHASE_ALIASES)})")
