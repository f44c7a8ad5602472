"""Generate ``docs/parameters.md``: every physical default of atomspin with value, unit, source and status.

Run from the repository root::

    python docs/make_parameters.py            # rewrite docs/parameters.md
    python docs/make_parameters.py --check    # exit 1 when the committed page is stale

The **values** are read from the package at generation time (the parameter files
``atomspin/model/params/*.toml`` and the constants of :mod:`atomspin.units`, :mod:`atomspin.structures.data`
and :mod:`atomspin.sar._common`), and the conversions into atomspin's unit-spin convention are computed by the
package's own :class:`atomspin.model.parameters.ParameterSet`, so the page cannot disagree with the code.
The **provenance** (primary source, status tag, conversion note) lives in the tables below, one entry per value.
``tests/test_docs_parameters.py`` fails when the committed page differs from this script's output, when a
value of the package has no provenance entry here, or when an entry names a value that no longer exists:
after changing a parameter, edit its entry here and rerun the script.
"""
from __future__ import annotations

import ast
import importlib
import sys
import tomllib

import numpy as np
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "parameters.md"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TAGS = {
    "C": "confirmed: the value was read in the named source (paper, crystallographic record, standard table)",
    "D": "derived: computed from other values of this page or by a stated calculation or simulation (the "
         "note says how)",
    "U": "unconfirmed: quoted from secondary literature, or a modelling assumption stated in the note; the "
         "primary source was not read. Treat it as an input to vary, not as a validated number",
}


@dataclass(frozen=True)
class Src:
    """Provenance of one value: primary source, status tag, note (conversion, assumption, check)."""

    source: str
    status: str
    note: str = ""
    unit: str = ""


# ------------------------------------------------------------------------------------------------ references
US95 = "Uhl & Siberchicot, J. Phys.: Condens. Matter 7, 4227 (1995)"
KB99 = ("Kodama & Berkowitz, Phys. Rev. B 59, 6321 (1999), as re-used by Iglesias & Labarta, "
        "Phys. Rev. B 63, 184416 (2001)")
TC_CHECK = ("validated as a set: bulk Monte Carlo Tc = 858 ± 15 K against the experimental 858 K "
            "(tests/test_tc.py, docs/validation.md §2)")
GK_RULE = ("ASSUMPTION (no numerical value in the literature read): McKenna et al., Nat. Commun. 5, 5740 (2014) "
           "and Gilks et al., J. Phys.: Condens. Matter 25, 485004 (2013) state that 180° Fe_B–O–Fe_B across "
           "an APB is strongly antiferromagnetic; by the Goodenough–Kanamori rule it is taken equal to the "
           "strongest bulk path, A–O–B")
COS2_RULE = ("ASSUMPTION: σ superexchange ∝ cos²θ of the cation–O–cation angle, scaled from A–O–B (123.7°) to "
             "A–O–A (107.4°): J_AB · cos²107.4°/cos²123.7° = 0.290 J_AB")
COS2_180 = ("no numerical DFT/experimental value found (McKenna et al., Nat. Commun. 5, 5740 (2014) and Gilks "
            "et al., J. Phys.: Condens. Matter 25, 485004 (2013): 'strongly antiferromagnetic'); σ superexchange "
            "∝ cos²θ scaled from A–O–B (123.7°) to 180°: J_AB/cos²123.7° = −2.92/0.3078 = −9.49 meV. The one "
            "public APB code (MCS3P, its hysteresis script) uses 3.78 × J_AB = −11.04 meV (upper end of the range)")
WINDOW_RULE = ("ASSUMPTION ('same geometry, same coupling', the rule of interface.toml): a path of a twin, "
               "stacking-fault or grain boundary takes the coupling of the bulk path with the same angle window")
SW_MOMENTS = "spin-only moments m = g S μB with g = 2 and S from Hund's rules for high-spin 3d ions"

# ------------------------------------------------------------------------------- parameter files (TOML)
#: pair class → words (geometry of atomspin.model.geometry)
PAIR_WORDS = {
    "AA": "A–A, no shared O (3.64 Å)", "AB": "A–O–B ≈ 124°", "BB": "B–O–B ≈ 92°",
    "BB180": "B–O–B ≈ 180° (across an APB)", "AA_bridged": "A–O–A ≈ 107° (across an APB)",
    "AB90": "A–O–B < 108° (boundary window)", "AB180": "A–O–B ≥ 150° (boundary window)",
    "BB125": "B–O–B 108–135° (boundary window)", "AA180": "A–O–A ≥ 135° (boundary window)",
    "RR1": "R–O–R 90° (rock-salt nearest neighbours)", "RR2": "R–O–R 180° (rock-salt next-nearest)",
    "RA": "R–O–A ≈ 125° (FeO/spinel interface)", "RA_direct": "R–A, no shared O (interface)",
    "RB": "R–O–B ≈ 90° (interface)", "RB180": "R–O–B ≈ 180° (interface)",
}
#: pair class → the two site families it joins (for the unit-spin conversion)
PAIR_FAMILIES = {"AA": "AA", "AB": "AB", "BB": "BB", "BB180": "BB", "AA_bridged": "AA", "AB90": "AB",
                 "AB180": "AB", "BB125": "BB", "AA180": "AA", "RR1": "RR", "RR2": "RR", "RA": "RA",
                 "RA_direct": "RA", "RB": "RB", "RB180": "RB"}
#: default site moments (μB) used to show the converted couplings, per parameter file
SET_MOMENTS = {
    "magnetite": ({"A": 5.0, "B": 4.5}, "A Fe³⁺ 5 μB, B averaged Fe²·⁵⁺ 4.5 μB (explicit Verwey B sites: "
                                        "4 or 5 μB, converted with their own spin lengths)"),
    "maghemite": ({"A": 5.0, "B": 5.0}, "A and B Fe³⁺ 5 μB"),
    "maghemite_kodama": ({"A": 5.0, "B": 5.0}, "A and B Fe³⁺ 5 μB"),
    "feo": ({"R": 4.0}, "R Fe²⁺ 4 μB (unit spins: the moments do not enter)"),
    "interface": ({"A": 5.0, "B": 4.5, "R": 4.0}, "A Fe³⁺ 5 μB, B 4.5 μB (averaged), R Fe²⁺ 4 μB"),
}

_MAG_EX = {
    "AA": Src(US95, "U", "J_AA; values as quoted in atomistic papers, primary paper not read; " + TC_CHECK),
    "AB": Src(US95, "U", "J_AB; as quoted, primary paper not read; " + TC_CHECK),
    "BB": Src(US95, "U", "J_BB as quoted (primary paper not read); +0.24 meV chosen over the +0.63 meV of several atomistic papers because it "
                         "reproduces Tc (0.63 meV gives ≈ 910–920 K, +7 %); " + TC_CHECK),
    "BB180": Src("McKenna et al. 2014; Gilks et al. 2013 (qualitative); Anderson / Goodenough–Kanamori angle rule",
                 "D", COS2_180 + "; range [−11.04, −2.92] meV (magnetite.toml [ranges]); sweep with "
                 "from_atoms(exchange={'BB180': ...})"),
    "AA_bridged": Src("Anderson / Goodenough–Kanamori superexchange (angle rule)", "U", COS2_RULE),
    "AB90": Src("= BB (92° path)", "U", WINDOW_RULE),
    "AB180": Src("= BB180 (180° path)", "U", WINDOW_RULE),
    "BB125": Src("= AB (124° path)", "U", WINDOW_RULE),
    "AA180": Src("= BB180 (180° path)", "U", WINDOW_RULE),
}
_MAGH_EX = {k: Src(v.source, v.status, v.note.replace(TC_CHECK, "").rstrip("; ") +
                   ("; ASSUMPTION: the spinel Fe–O–Fe integrals of magnetite are transferable to maghemite "
                    "(same lattice, 1 % smaller a; only the spin lengths change); set Tc in Monte Carlo "
                    "860–884 K vs ≈ 918 K experiment (−4…−6 %, tests/test_tc.py)" if k in ("AA", "AB", "BB") else ""))
            for k, v in _MAG_EX.items()}
_KOD_EX = {
    "AA": Src(KB99, "U", "J_TT (tetrahedral–tetrahedral); as quoted, primary paper not read. Classical Monte Carlo with this "
                         "set orders at 639–666 K, −28 % vs experiment (tests/test_tc.py): not the default. Note: the "
                         "related maghemite Monte Carlo of Iglesias & Labarta ('Finite size effects in small particle "
                         "systems', arXiv:cond-mat/0008312, abstract read) represents the Fe³⁺ moments by Ising spins, "
                         "so the set was not tuned for the classical Heisenberg model used here"),
    "AB": Src(KB99, "U", "J_TO; as quoted, primary paper not read"),
    "BB": Src(KB99, "U", "J_OO; as quoted, primary paper not read"),
    "BB180": Src("= J_TO", "U", GK_RULE),
    "AA_bridged": Src("Anderson / Goodenough–Kanamori superexchange (angle rule)", "U",
                      COS2_RULE.replace("J_AB", "J_TO")),
    "AB90": Src("= BB (92° path)", "U", WINDOW_RULE),
    "AB180": Src("= BB180 (180° path)", "U", WINDOW_RULE),
    "BB125": Src("= AB (124° path)", "U", WINDOW_RULE),
    "AA180": Src("= BB180 (180° path)", "U", WINDOW_RULE),
}
_SPINEL_K1 = ("K1 ≈ −1×10⁴ J/m³ (−1×10⁵ erg/cm³) at room temperature is confirmed in 'Shape distribution of "
              "magnetite powders' (J. Appl. Phys., abstract); the value −1.1×10⁴ is Bickford, Phys. Rev. 78, 449 "
              "(1950) as quoted, not read. Room-temperature value used as the T = 0 per-site constant unless "
              "from_atoms(anisotropy_reference=T) rescales it (docs/validation.md §2)")
_MREF = Src("this package: bulk Monte Carlo of the set (periodic 5×5×5 cells, cubic term off, 3000 + 10000 "
            "sweeps per T)", "D", "reduced sublattice magnetisations used by anisotropy_reference=T; "
                                  "statistical error < 0.001")

PEREZ08 = "Pérez et al., Nanotechnology 19, 475704 (2008)"
PISANE17 = "Pisane, Singh & Seehra, arXiv:1702.08378 (2017)"
EVANS15 = "Evans et al., Phys. Rev. B 91, 144425 (2015)"
_NEEL_FACET = Src("Néel pair model; this package's exact facet sum (atomspin.model.anisotropy.facet_b)", "D",
                  "facet whose cut-averaged pair sum converts K_s into k_s per bond: K_s = k_s b/2, b(111) = "
                  "0.1191 Å⁻² (b(100) = 0.1109 Å⁻²); magnetite nanocrystals are {111}-faceted")
_RESC = Src(EVANS15 + " (mapping T_sim = Tc (T/Tc)^α, also in VAMPIRE's public source)", "D",
            "anchor of the α fit to this set's classical m(T) (atomspin.model.thermal.fit_alpha)")


def _ranges_src(note):
    return Src("documented uncertainty range [low, default, high]", "D", note)


TOML_SOURCES = {
    "magnetite": {
        "surface_anisotropy": {
            "K_s_J_per_m2": Src(PEREZ08, "C", "K_s = 2.9e-2 erg/cm² = 2.9e-5 J/m² of Fe(3−x)O4 (4.9 nm, relaxation "
                                "master curve; abstract read); k_s = 2K_s/b(111) = 0.0304 meV per bond; sign not "
                                "fixed by K_eff(D) fits (default: surface spins prefer the facet plane)", "J/m²"),
            "facet": _NEEL_FACET,
        },
        "temperature_rescaling": {
            "Tc_K": Src("experiment (Curie point ≈ 585 °C) = this model's Monte Carlo Tc (tests/test_tc.py)", "C",
                        "secondary sources read: Huggett & Chaudron, Compt. Rend. 184, 199 (1927), as abstracted in "
                        "Chem. Abs. 21, 1218 (1927): Fe3O4 transformation at 570–590 °C (843–863 K); 858 K in "
                        "encyclopaedic summaries; the modern primary measurement was not read",
                        "K"),
            "T_K": _RESC,
            "m_measured": Src("Ms(300 K) = 480 kA/m (Pullaiah et al., EPSL 28, 133 (1975), as quoted) over Ms(0) = "
                              "4.05 μB/f.u. = 507.7 kA/m (textbook, not read)", "U",
                              "m(300 K) = 0.945 → α = 2.31 (T = 300 K simulated at 75.6 K)"),
            "m_measured_range": Src("Ms(0) = 4.0–4.1 μB/f.u. (501–514 kA/m; textbook range, not read; Weiss & "
                                    "Forrer, Ann. Physik 12, 279 (1929), as quoted in a Chem. Abs. 24, 2345 (1930) "
                                    "abstract: 10.10 Weiss magnetons per ferric Fe = 4.07 μB/f.u., derived)", "U",
                                    "→ α = 2.13–2.55"),
        },
        "ranges": {
            "BB180": _ranges_src("from J_BB180 = J_AB (old assumption) to 3.78 J_AB (MCS3P)"),
            "AA_bridged": _ranges_src("from the full A–O–B value to a cancelling ferromagnetic 90°-type part"),
            "K_s_J_per_m2": _ranges_src("1e-5–1e-4 J/m² in magnitude, either sign (confirmed values 2.9e-5, "
                                        "3.5e-5 J/m²; the upper end is the spread quoted for FMR/Mössbauer, "
                                        "not read)"),
            "temperature_rescaling_alpha": _ranges_src("α over the Ms(0) range 4.0–4.1 μB/f.u."),
        },
        "exchange": _MAG_EX,
        "anisotropy": {
            "K1_J_per_m3": Src("Bickford, Phys. Rev. 78, 449 (1950)", "U", _SPINEL_K1),
            "K2_J_per_m3": Src("Bickford, Phys. Rev. 78, 449 (1950)", "U", "as quoted in the literature, not read"),
        },
        "anisotropy_reference": {"T_K": _MREF, "m_A": _MREF, "m_B": _MREF},
    },
    "maghemite": {
        "surface_anisotropy": {
            "K_s_J_per_m2": Src(PISANE17, "C", "K_s = 0.035 erg/cm² = 3.5e-5 J/m² of γ-Fe2O3 2.5–15 nm (K_eff = K_b + "
                                "6K_s/D + shell term; abstract read)", "J/m²"),
            "facet": _NEEL_FACET,
        },
        "temperature_rescaling": {
            "Tc_K": Src("this set's Monte Carlo Curie point 860–884 K (tests/test_tc.py), midpoint", "D", "", "K"),
            "T_K": _RESC,
            "m_measured": Src("Ms(300 K) = 380 kA/m (Dunlop & Özdemir 1997 via IRM MagWiki) over 2.5 μB per Fe2O3 "
                              "(Grau-Crespo et al., J. Phys.: Condens. Matter 22, 255401 (2010), abstract) = 426 "
                              "kA/m", "C", "m(300 K) = 0.891 → α = 1.56"),
            "moments_A_B": Src("maghemite cubic cell: 8 A × 5 μB, 40/3 B × 5 μB", "D", "net-moment weights", "μB"),
        },
        "ranges": {
            "BB180": _ranges_src("as magnetite.toml"),
            "AA_bridged": _ranges_src("as magnetite.toml"),
            "K_s_J_per_m2": _ranges_src("as magnetite.toml"),
        },
        "exchange": _MAGH_EX,
        "anisotropy": {
            "K1_J_per_m3": Src("Dunlop & Özdemir, Rock Magnetism (Cambridge, 1997), via the IRM MagWiki", "C",
                               "cubic K of maghemite at room temperature"),
            "K2_J_per_m3": Src("not known", "U", "ASSUMPTION: 0"),
        },
        "anisotropy_reference": {"T_K": _MREF, "m_A": _MREF, "m_B": _MREF},
    },
    "maghemite_kodama": {
        "surface_anisotropy": {
            "K_s_J_per_m2": Src(PISANE17, "C", "as maghemite.toml", "J/m²"),
            "facet": _NEEL_FACET,
        },
        "exchange": _KOD_EX,
        "anisotropy": {
            "K1_J_per_m3": Src("Dunlop & Özdemir, Rock Magnetism (Cambridge, 1997), via the IRM MagWiki", "C",
                               "cubic K of maghemite at room temperature"),
            "K2_J_per_m3": Src("not known", "U", "ASSUMPTION: 0"),
        },
    },
    "feo": {
        "exchange": {
            "RR1": Src("no value read", "U", "ASSUMPTION: 0 (frustrated on the fcc lattice, does not enter T_N of "
                                             "the type-II state in mean field); override with {'RR1': ...}"),
            "RR2": Src("T_N ≈ 198 K of FeO; Peczak, Ferrenberg & Landau, Phys. Rev. B 43, 6087 (1991)", "D",
                       "the J2 network is four simple-cubic lattices; classical Heisenberg simple cubic orders at "
                       "k_B T_c = 1.443 |J| (K_c = 0.6929): |J2| = 0.0861733 meV/K · 198 K / 1.443 = 11.82 meV, AF "
                       "(T_N itself from an encyclopedic source)"),
        },
        "anisotropy": {
            "K1_J_per_m3": Src("not modelled", "U", "ASSUMPTION: 0 (the trigonal anisotropy of FeO below T_N is "
                                                    "not modelled)"),
            "K2_J_per_m3": Src("not modelled", "U", "ASSUMPTION: 0"),
        },
    },
    "interface": {
        "ranges": {
            "RB180": _ranges_src("from the FeO J2 per S_iS_j (default) to the spinel 180° value −9.49 meV"),
            "RB": _ranges_src("from FeO J1 = 0 (default, an assumption) to the spinel 90° B–O–B +0.24 meV"),
            "RA": _ranges_src("down to half the spinel A–O–B value it copies"),
        },
        "exchange": {
            "RA": Src("= magnetite A–O–B (" + US95 + ")", "U", "ASSUMPTION: no rock-salt analogue of R–O–A; the "
                                                             "spinel 124° path is used"),
            "RA_direct": Src("= magnetite A–A (" + US95 + ")", "U", "ASSUMPTION: as the unbridged spinel A–A"),
            "RB": Src("= FeO J1 per classical spin product", "U", "ASSUMPTION: R–O–B 90° as R–O–R 90°: "
                                                                  "J1_FeO/(2 S_R S_R) = 0"),
            "RB180": Src("= FeO J2 per classical spin product", "U",
                         "ASSUMPTION: R–O–B 180° as R–O–R 180°: J2_FeO/(2 S_R S_R) = −11.82 meV/8 = −1.4775 meV, "
                         "so that two 4 μB cations couple with −11.82 meV either way"),
        },
    },
}

# ------------------------------------------------------------------------------------ module constants
#: module → {attribute path: Src}; the path is an attribute name, optionally followed by [key] or .field
MODULE_SOURCES = {
    "atomspin.units": {
        "MU_B": Src("CODATA 2018", "C", "Bohr magneton", "J/T"),
        "K_B": Src("SI 2019 (exact)", "C", "Boltzmann constant", "J/K"),
        "E_CHARGE": Src("SI 2019 (exact)", "C", "elementary charge", "C"),
        "MU_0": Src("CODATA 2018", "C", "vacuum permeability", "N/A²"),
        "AMU": Src("CODATA 2018", "C", "atomic mass unit", "kg"),
        "GAMMA_E": Src("CODATA 2018", "C", "electron gyromagnetic ratio (magnitude)", "rad s⁻¹ T⁻¹"),
        "MEV": Src("= 1e-3 · E_CHARGE", "D", "joules per meV", "J"),
        "MU_B_MEV_PER_T": Src("= MU_B / MEV", "D", "Zeeman energy of 1 μB in 1 T", "meV/T"),
        "K_B_MEV_PER_K": Src("= K_B / MEV", "D", "k_B in model units", "meV/K"),
    },
    "atomspin.structures.data": {
        "MAGNETITE_A": Src("Hamilton, Phys. Rev. 110, 1050 (1958)", "C",
                           "Fd-3m origin 2 (mincryst record); cubic cell edge", "Å"),
        "MAGNETITE_X": Src("Hamilton, Phys. Rev. 110, 1050 (1958)", "C", "O 32e parameter (x, x, x)", ""),
        "MAGHEMITE_A": Src("Dunlop & Özdemir 1997 (a0 = 8.337 Å, via IRM MagWiki); Rietveld refinement, "
                           "J. Korean Chem. Soc. (a = 8.3460 Å)", "C", "8.34 Å lies between the two values", "Å"),
        "MAGHEMITE_X": Src("= MAGNETITE_X", "U", "ASSUMPTION: the O parameter of magnetite", ""),
        "MAGHEMITE_TET_A": Src("Rietveld refinement of vacancy-ordered maghemite, J. Korean Chem. Soc.", "C",
                               "P4₁2₁2 cell (the stable ordered form: Grau-Crespo et al., J. Phys.: Condens. "
                               "Matter 22, 255401 (2010))", "Å"),
        "MAGHEMITE_TET_C": Src("Rietveld refinement of vacancy-ordered maghemite, J. Korean Chem. Soc.", "C",
                               "c ≈ 3a", "Å"),
        "WUSTITE_A": Src("Yamamoto, Acta Cryst. B38, 1451 (1982)", "C", "Fe0.902O rock salt", "Å"),
        "LATTICES[Fe3O4].density_kg_per_m3": Src("a and the IUPAC atomic weights (Fe 55.845, O 15.9994)", "D",
                                                 "ρ = 8 · 231.533 g/mol / (N_A a³) = 5196.8 kg/m³ (measured "
                                                 "5.17–5.18 g/cm³)", "kg/m³"),
        "LATTICES[gamma-Fe2O3].density_kg_per_m3": Src("a and the IUPAC atomic weights", "D",
                                                       "Fe8/3O4: 8 · 212.918 g/mol / (N_A a³)", "kg/m³"),
        "LATTICES[FeO].density_kg_per_m3": Src("a and the IUPAC atomic weights", "D",
                                               "Fe0.902O: 4 · 66.372 g/mol / (N_A a³)", "kg/m³"),
        "LATTICES[Fe3O4].magnetic_sites_per_cell": Src("Fe3O4, Z = 8", "D", "8 A + 16 B", ""),
        "LATTICES[gamma-Fe2O3].magnetic_sites_per_cell": Src("(Fe³⁺)8[Fe³⁺40/3 □8/3]O32 (Braun, Nature 181, "
                                                             "1044 (1958))", "D", "8 + 40/3 Fe per cell", ""),
        "LATTICES[FeO].magnetic_sites_per_cell": Src("rock salt, Z = 4", "D",
                                                     "ideal FeO (the Fe deficit of Fe0.902O is not built in)", ""),
        "LATTICES[Fe3O4].oxygen_per_cell": Src("spinel AB2O4, Z = 8", "D", "O count measures particle volume", ""),
        "LATTICES[gamma-Fe2O3].oxygen_per_cell": Src("spinel, Z = 8", "D", "complete O sublattice", ""),
        "LATTICES[FeO].oxygen_per_cell": Src("rock salt, Z = 4", "D", "", ""),
        "MOMENT_MUB[('Fe', 3.0)]": Src(SW_MOMENTS, "D", "Fe³⁺ d⁵, S = 5/2", "μB"),
        "MOMENT_MUB[('Fe', 2.0)]": Src(SW_MOMENTS, "D", "Fe²⁺ d⁶, S = 2", "μB"),
        "MOMENT_MUB[('Fe', 2.5)]": Src("mean of Fe²⁺ and Fe³⁺", "D", "averaged magnetite B site", "μB"),
        "MOMENT_MUB[('Mn', 2.0)]": Src(SW_MOMENTS, "D", "Mn²⁺ d⁵, S = 5/2", "μB"),
        "MOMENT_MUB[('Co', 2.0)]": Src(SW_MOMENTS, "D", "Co²⁺ d⁷ high spin, S = 3/2 (orbital moment ignored)", "μB"),
        "MOMENT_MUB[('Zn', 2.0)]": Src(SW_MOMENTS, "D", "Zn²⁺ d¹⁰", "μB"),
        "MOMENT_MUB[('O', -2.0)]": Src("closed shell", "D", "O²⁻", "μB"),
        "IDEAL_CATIONS['A']": Src("ideal spinel geometry", "D", "cations within CATION_CUTOFF: 4 A + 12 B", ""),
        "IDEAL_CATIONS['B']": Src("ideal spinel geometry", "D", "6 B + 6 A", ""),
        "IDEAL_CATIONS['R']": Src("ideal rock-salt geometry", "D", "12 R", ""),
        "IDEAL_O['A']": Src("ideal spinel geometry", "D", "tetrahedral: 4 O within BOND_CUTOFF", ""),
        "IDEAL_O['B']": Src("ideal spinel geometry", "D", "octahedral: 6 O", ""),
        "IDEAL_O['R']": Src("ideal rock-salt geometry", "D", "octahedral: 6 O", ""),
        "IDEAL_O_CATIONS['spinel']": Src("ideal spinel geometry", "D", "cations around an O: 1 A + 3 B", ""),
        "IDEAL_O_CATIONS['rocksalt']": Src("ideal rock-salt geometry", "D", "6 R", ""),
        "O_PER_FU['Fe3O4']": Src("formula", "D", "O per formula unit, for per-f.u. figures", ""),
        "O_PER_FU['gamma-Fe2O3']": Src("formula", "D", "Fe2O3", ""),
        "O_PER_FU['FeO']": Src("formula", "D", "FeO", ""),
        "CATION_CUTOFF": Src("ideal lattice geometry", "D", "above A–A 3.64 Å, below the next cation shell "
                                                           "(≥ 4.2 Å): neighbour counts of the labels", "Å"),
        "BOND_CUTOFF": Src("ideal lattice geometry", "D", "above R–O 2.15 Å, below the second cation–O shell "
                                                         "(≥ 3.4 Å)", "Å"),
    },
    "atomspin.sar._common": {
        "TAU0_S": Src("Rosensweig, J. Magn. Magn. Mater. 252, 370 (2002)", "U",
                      "as quoted (paper not read); attempt time of the Néel law τ_N = τ0 exp(KV/k_BT); the literature "
                      "range is 1e-9–1e-11 s",
                      "s"),
        "RHO_MAGNETITE": Src("= LATTICES[Fe3O4].density_kg_per_m3", "D", "SAR per gram of oxide", "kg/m³"),
        "RHO_MAGHEMITE": Src("= LATTICES[gamma-Fe2O3].density_kg_per_m3", "D", "", "kg/m³"),
        "MS_MAGNETITE_300K": Src("Dourbes rock-magnetism glossary (480 kA/m, 92 A m²/kg)", "C",
                                 "room-temperature saturation magnetisation of bulk magnetite", "A/m"),
        "K_MAGNETITE_EFF": Src("'Shape distribution of magnetite powders' (J. Appl. Phys., abstract)", "C",
                               "|K1| ≈ 1×10⁴ J/m³ at room temperature, used as an effective uniaxial K when a "
                               "measured barrier is not resolved (a modelling choice)", "J/m³"),
        "VISCOSITY_WATER_37C": Src("International Critical Tables (1928–29), water at 37 °C: 0.6925 cP", "C",
                                   "carrier viscosity of the Brownian time τ_B = 3ηV_H/k_BT", "Pa s"),
        "C_B_MAGNETITE": Src("value used by Muñoz-Menendez et al., Phys. Rev. B 102, 214412 (2020)", "U",
                             "as quoted, paper not read; = 670 J kg⁻¹ K⁻¹ × 5197 kg/m³ (derived check); C_p(298 K) ≈ 151 J mol⁻¹ K⁻¹ would "
                             "give 3.38e6", "J m⁻³ K⁻¹"),
        "ALPHA_DEFAULT": Src("usual macrospin choice (range 0.01–1)", "U", "Gilbert damping", ""),
        "BREZOVICH_LIMIT": Src("Brezovich, Med. Phys. Monogr. 16, 82 (1988), as quoted by Faílde, "
                               "Ocampo-Zalvide, Serantes & Iglesias, arXiv:2405.20756 (2024)", "U",
                               "field-safety product H·f; the value 4.85·10⁸ A/(m·s) read in the abstract of the "
                               "secondary source; primary monograph not read", "A m⁻¹ s⁻¹"),
        "HERGT_DUTZ_LIMIT": Src("Hergt & Dutz, J. Magn. Magn. Mater. 311, 187 (2007)", "U",
                                "widely quoted H·f < 5×10⁹; primary paper not read, and no source read states the "
                                "number (Ferrero, Vicentini & Manzin, Nanoscale Adv. 2024, doi:10.1039/d3na00709j, "
                                "abstract: names the 'Hergt–Dutz limit' only)", "A m⁻¹ s⁻¹"),
        "K_MAGNETITE_UNIAXIAL": Src("the same value as K_MAGNETITE_EFF (its name says what it is)", "C",
                                    "|K1| ≈ 1×10⁴ J/m³ used as a uniaxial K in the literature models", "J/m³"),
        "NONCLINICAL_HF": Src("derived: 20 × the Hergt–Dutz limit", "D",
                              "H·f above which SAR drivers refuse a drive unless allow_nonclinical=True "
                              "(published hyperthermia design maps stop near 1 MHz × 30 kA/m = 3×10¹⁰)",
                              "A m⁻¹ s⁻¹"),
    },
    "atomspin.imaging._common": {
        "RHO_MAGNETITE": Src("= atomspin.sar._common.RHO_MAGNETITE", "D", "re-export: density for iron per volume",
                             "kg/m³"),
        "N_AVOGADRO": Src("SI 2019 (exact)", "C", "Avogadro constant", "mol⁻¹"),
        "GAMMA_PROTON": Src("CODATA 2018", "C", "proton gyromagnetic ratio γ_p (MRI frequency shifts)",
                            "rad s⁻¹ T⁻¹"),
        "M_FE_KG_PER_MOL": Src("IUPAC standard atomic weight of Fe (55.845)", "C", "molar mass of iron", "kg/mol"),
        "M_MAGNETITE_KG_PER_MOL": Src("IUPAC atomic weights", "D", "Fe3O4: 3 × 55.845 + 4 × 15.999 g/mol", "kg/mol"),
        "FE_DENSITY_MAGNETITE": Src("RHO_MAGNETITE, M_MAGNETITE_KG_PER_MOL", "D",
                                    "3 Fe per Fe3O4: iron atoms per m³ of magnetite (relaxivity and MPI per unit "
                                    "iron when the structure's own Fe count is not given)", "m⁻³"),
    },
    "atomspin.imaging.mpi": {
        "F_DRIVE_HZ": Src("OpenMPIData documentation, 'Sequences' (Knopp et al.; Bruker preclinical MPI scanner)",
                          "C", "1-D sequence drive frequency 2.5 MHz/102 = 24.51 kHz (x channel)", "Hz"),
        "AMPLITUDE_T": Src("OpenMPIData documentation, 'Sequences'", "C", "1-D sequence drive amplitude 12 mT",
                           "T"),
        "GRADIENT_T_PER_M": Src("OpenMPIData documentation, 'Sequences'", "C",
                                "selection-field gradient along x, magnitude (listed as −1.0 T/m)", "T/m"),
        "T_BODY_K": Src("body temperature 37 °C", "D", "310.15 K rounded", "K"),
        "PSF_WINDOW": Src("numerical choice", "D", "x-space PSF read where |cos ωt| ≤ 0.95 (drive speed ≥ 31 % "
                          "of its peak; near the turning points s/(dH/dt) is ill-conditioned)", ""),
        "LANGEVIN_FWHM_XI": Src("exact root of L'(ξ) = L'(0)/2, doubled", "D",
                                "FWHM of the Langevin PSF in units of k_BT/(μ0 m) (the literature's ≈ 4.16)", ""),
    },
    "atomspin.imaging.mri": {
        "VISCOSITY_WATER_37C": Src("= atomspin.sar._common.VISCOSITY_WATER_37C", "D", "re-export: Stokes–Einstein "
                                   "diffusion of the particle", "Pa s"),
        "FE_DENSITY_MAGNETITE": Src("= atomspin.imaging._common.FE_DENSITY_MAGNETITE", "D", "re-export", "m⁻³"),
        "GAMMA_PROTON": Src("= atomspin.imaging._common.GAMMA_PROTON", "D", "re-export", "rad s⁻¹ T⁻¹"),
        "N_AVOGADRO": Src("= atomspin.imaging._common.N_AVOGADRO", "D", "re-export", "mol⁻¹"),
        "B0_T": Src("common clinical scanner field", "U", "ASSUMPTION: a usual choice, not a literature constant; "
                    "r2 depends on it only through the Langevin m_z", "T"),
        "ECHO_TIME_S": Src("typical multi-echo CPMG spacing for T2 mapping", "U", "ASSUMPTION: a choice; matters only "
                           "in the partial-refocusing regime (τ_CP = TE/2)", "s"),
        "FE_MM": Src("evaluation concentration", "U", "ASSUMPTION: 1 mM Fe; only the partial-refocusing law depends "
                     "on it", "mM"),
        "MAR_COEFFICIENT": Src("Gillis & Koenig, Magn. Reson. Med. 5, 323 (1987); Brooks, Moiny & Gillis, Magn. "
                               "Reson. Med. 45, 1014 (2001)", "D", "16/45 of R2 = (16/45) f τ_D Δω², re-derived in "
                               "tests/test_imaging_mri.py from the outer-sphere correlation integral", ""),
        "SDR_COEFFICIENT": Src("Yablonskiy & Haacke, Magn. Reson. Med. 32, 749 (1994)", "D",
                               "2π/(3√3) of R2* = (2π/(3√3)) f Δω, re-derived in tests/test_imaging_mri.py from the "
                               "static-dephasing integral of random dipoles", ""),
        "X_CROSSOVER": Src("SDR_COEFFICIENT / MAR_COEFFICIENT", "D", "Δω τ_D where the two laws meet (3.40)", ""),
        "PRM_A": Src("Gillis, Moiny & Brooks, Magn. Reson. Med. 47, 257 (2002)", "U",
                     "as quoted: 1.8 of the partial-refocusing law; the paper's definitions of Δω_r (rms surface "
                     "shift) and τ_CP (half echo spacing) were read in its text, the constants not (not read)", ""),
        "PRM_B": Src("Gillis, Moiny & Brooks, Magn. Reson. Med. 47, 257 (2002)", "U",
                     "as quoted: 1.52 of the partial-refocusing law; constants not read (see PRM_A)", ""),
        "RMS_OVER_EQUATORIAL": Src("rms of (3cos²θ − 1) over the sphere", "D", "Δω_r/Δω = 2/√5", ""),
    },
    "atomspin.batch.defaults": {
        "DEMO_SIZE_NM": Src("issue 15 (≥ 12 nm for particles that heat); shape volume of atomspin.structures", "D",
                            "truncated octahedron 18.5 nm vertex to vertex (truncation 2/3) = 12.1 nm equivalent "
                            "sphere, ≈ 39 500 magnetic sites; magnetite nanocrystals are {111}/{100}-faceted", "nm"),
        "DEMO_DELTA": Src("maghemite Fe₈[Fe₄₀/₃□₈/₃]O₃₂ = Fe₃₋δO₄ with δ = 1/3 (Braun, Nature 181, 1044 (1958))", "D",
                          "δ = 0.1: a partly oxidised magnetite, 30 % of the way to maghemite; random B vacancies", ""),
        "DEMO_VACANCY_REMOVAL": Src("Verwey transition T_V ≈ 120 K (IUPAC Gold Book, 'Verwey transition', term "
                                    "V06612, read; Verwey, Nature 144, 327 (1939), not read); B-site Fe²⁺/Fe³⁺ "
                                    "disordered above it", "D", "random B Fe of either valence at 310 K: no Fe²⁺ "
                                    "order for the vacancies to inherit", ""),
        "DEMO_T_K": Src("body temperature 37 °C", "C", "", "K"),
        "DEMO_F_HZ": Src("Maier-Hauff et al., J. Neurooncol. 103(2), 317–324 (2011), doi:10.1007/s11060-010-0389-0, "
                         "PMC3097345", "U",
                         "glioblastoma thermotherapy trial (confirmed, abstract read: single arm, two centres, 66 "
                         "patients of whom 59 with recurrent glioblastoma, aqueous magnetite nanoparticles heated in an "
                         "alternating magnetic field, median 30 Gy radiotherapy); the frequency 100 kHz is not in the "
                         "abstract and the methods were not found in the sources searched (full text not read)",
                         "Hz"),
        "DEMO_H0_A_PER_M": Src("Maier-Hauff et al., J. Neurooncol. 103(2), 317–324 (2011), PMC3097345", "U",
                               "within the 2.5–18 kA/m quoted for the trial (not in the abstract, full text not read); "
                               "H0·f = 1.5e9 A m⁻¹ s⁻¹: above the Brezovich, below the Hergt–Dutz limit", "A/m"),
        "DEMO_HYDRODYNAMIC_DIAMETER_NM": Src("derived", "D", "0 = the magnetic equivalent-sphere diameter: an "
                                             "uncoated particle, the smallest d_H (fastest Brownian rotation)", "nm"),
        "DEMO_RECIPE[structure].diameter_nm": Src("= DEMO_SIZE_NM", "D", "", "nm"),
        "DEMO_RECIPE[protocol].T_K": Src("= DEMO_T_K", "D", "", "K"),
        "QUICK_OVERRIDES['structure.diameter_nm']": Src("CI size (not physics)", "D", "`atomspin demo --quick`: "
                                                        "≈ 380 spins, seconds; numbers not converged", "nm"),
        "QUICK_OVERRIDES['protocol.landscape.sweeps']": Src("CI run length (not physics)", "D", "", "sweeps"),
        "QUICK_OVERRIDES['protocol.landscape.equilibration_sweeps']": Src("CI run length (not physics)", "D", "",
                                                                          "sweeps"),
        "QUICK_OVERRIDES['protocol.landscape.thermalisation_sweeps']": Src("CI run length (not physics)", "D", "",
                                                                           "sweeps"),
    },
    "atomspin.batch.steps.sar": {
        "MS_REL_NEGLIGIBLE": Src("derived", "D", "relative Ms error below which its propagation into the SAR error is "
                                 "skipped: SAR varies at most as Ms³ (χ0 ∝ Ms², τ_D ∝ Ms), so < 0.3 % of the SAR", ""),
        "SCALE_STEP_MAX": Src("derived", "D", "largest relative step of the landscape scale in the SAR error's "
                              "two-sided difference: a step ≥ 100 % turns the surface over; ±0.2 keeps every barrier "
                              "within 20 %, so slope and curvature are local (second-order propagation, scaled to the "
                              "error). Scale errors σ_barrier/ΔF of the studies: 0.3–40 %", ""),
    },
}
MODULE_TITLES = {
    "atomspin.units": "Physical constants (`atomspin/units.py`)",
    "atomspin.structures.data": "Crystal structures and ionic moments (`atomspin/structures/data.py`)",
    "atomspin.sar._common": "SAR defaults (`atomspin/sar/_common.py`)",
    "atomspin.imaging._common": "Imaging constants (`atomspin/imaging/_common.py`)",
    "atomspin.imaging.mpi": "MPI defaults (`atomspin/imaging/mpi.py`)",
    "atomspin.imaging.mri": "MRI defaults (`atomspin/imaging/mri.py`)",
    "atomspin.batch.defaults": "`atomspin demo` defaults (`atomspin/batch/defaults.py`)",
    "atomspin.batch.steps.sar": "SAR study step (`atomspin/batch/steps/sar.py`)",
}


# ------------------------------------------------------------------------------------------ value access
def resolve(module, path):
    """Value of ``path`` (``NAME``, ``NAME[key]``, ``NAME[key].field``) in an imported module."""
    name, _, rest = path.partition("[")
    value = getattr(module, name)
    if rest:
        key, _, field = rest.partition("]")
        try:
            key = ast.literal_eval(key)
        except (ValueError, SyntaxError):
            pass  # a bare word: a string key
        value = value[key]
        if field.startswith("."):
            value = value[field[1:]]
    return value


#: upper-case numbers that are unit definitions, not physical parameters
UNIT_DEFINITIONS = {"ANGSTROM", "NM"}


def module_constant_paths(module):
    """Every numeric constant the package exposes in ``module``: upper-case names bound to an int/float, and
    the numeric fields of its upper-case dict tables (``LATTICES``, ``MOMENT_MUB``). Re-exports of
    :mod:`atomspin.units` constants count in that module only."""
    units = importlib.import_module("atomspin.units")
    out = []
    for name, value in vars(module).items():
        if not name.isupper() or name.startswith("_") or name in UNIT_DEFINITIONS:
            continue
        if module is not units and getattr(units, name, None) is value:
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out.append(name)
        elif isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            for key, row in value.items():
                out += [f"{name}[{key}].{f}" for f, v in row.items()
                        if isinstance(v, (int, float)) and not isinstance(v, bool) and f not in ("a_A", "c_A", "x_O")]
        elif isinstance(value, dict) and value and all(isinstance(v, (int, float)) for v in value.values()):
            out += [f"{name}[{key!r}]" for key in value]
    return out


def toml_files():
    from atomspin.model.parameters import PARAM_DIR

    order = {name: k for k, name in enumerate(SET_MOMENTS)}  # defaults first, then any other set by name
    paths = sorted(PARAM_DIR.glob("*.toml"), key=lambda p: (order.get(p.stem, len(order)), p.stem))
    return {p.stem: tomllib.loads(p.read_text(encoding="utf-8")) for p in paths}


def toml_value_keys(data):
    """(table, key) of every numeric value (or numeric list) of a parameter file."""
    out = []
    for table, body in data.items():
        if not isinstance(body, dict) or table == "convention":
            continue
        for key, v in body.items():
            if isinstance(v, (int, float, list)) and not isinstance(v, bool):
                out.append((table, key))
    return out


def missing_and_orphans():
    """(values without a provenance entry, entries without a value), as readable strings."""
    missing, orphans = [], []
    for stem, data in toml_files().items():
        have = set(toml_value_keys(data))
        want = {(t, k) for t, rows in TOML_SOURCES.get(stem, {}).items() for k in rows}
        missing += [f"atomspin/model/params/{stem}.toml [{t}] {k}" for t, k in sorted(have - want)]
        orphans += [f"TOML_SOURCES[{stem!r}][{t!r}][{k!r}]" for t, k in sorted(want - have)]
    orphans += [f"TOML_SOURCES[{s!r}] (no such file)" for s in TOML_SOURCES if s not in toml_files()]
    for modname, rows in MODULE_SOURCES.items():
        mod = importlib.import_module(modname)
        have = set(module_constant_paths(mod))
        missing += [f"{modname}.{p}" for p in sorted(have - set(rows))]
        for p in rows:
            try:
                resolve(mod, p)
            except (AttributeError, KeyError, TypeError):
                orphans.append(f"MODULE_SOURCES[{modname!r}][{p!r}]")
    return missing, orphans


# ---------------------------------------------------------------------------------------------- output
def fmt(v):
    """Numbers rounded to 12 significant digits (no float noise), shortest form, lists element-wise."""
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(fmt(x) for x in v) + "]"
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    v = float(f"{float(v):.12g}")
    if v == int(v) and abs(v) < 1e5:
        s = str(int(v))
    elif abs(v) >= 1e5 or abs(v) < 1e-4:
        m, e = np.format_float_scientific(v, unique=True, trim="-").split("e")
        s = f"{m}e{int(e)}"
    else:
        s = repr(v)
    return s.replace("-", "−")


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def _row(*cells):
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _toml_section(stem, data):
    from atomspin.model.parameters import load_parameter_set

    ps = load_parameter_set(stem)
    conv = data.get("convention", {})
    moments, moments_words = SET_MOMENTS.get(stem, ({}, ""))
    unit = conv.get("unit", "meV")
    c = {"-J": "", "-2J": "2 · "}[conv.get("form", "-J")]
    s_words = {"classical": "S = m/2", "quantum": "S = √(s(s+1)), s = m/2", "unit": "S = 1"}[
        conv.get("spin_length", "unit")]
    kb = " · k_B" if unit == "K" else ""
    lines = [f"### `{stem}.toml`" + (f" — phase {data['phase']}" if data.get("phase") else ""), ""]
    lines += [f"Literature convention: pair energy **{conv.get('form', '-J')} S_i·S_j** per pair, spin lengths "
              f"{s_words}, values in {unit}. Converted by `atomspin.model.parameters` into atomspin's "
              f"E = −Σ_{{i<j}} J_ij ŝ_i·ŝ_j: **J_ij = {c}J{kb} · S_i · S_j** "
              f"(shown for {moments_words}).", ""]
    rows = TOML_SOURCES.get(stem, {})
    ex = data.get("exchange", {})
    if ex:
        lines += [_row("pair class", "path", f"value ({unit})", "J_ij (meV, unit spins)", "status", "source",
                       "note"), "|---|---|---|---|---|---|---|"]
        for key, v in ex.items():
            fam = PAIR_FAMILIES.get(key)
            if fam and all(f in moments for f in fam):
                j = float(ps.unit_coupling(key, moments[fam[0]], moments[fam[1]]))
                jtxt = fmt(round(j, 4))
            else:
                jtxt = "—"
            s = rows.get("exchange", {}).get(key, Src("MISSING", "?"))
            lines.append(_row(f"`{key}`", PAIR_WORDS.get(key, ""), fmt(v), jtxt, f"[{s.status}]", s.source,
                              s.note))
        lines.append("")
    an = data.get("anisotropy", {})
    if an:
        k1, k2 = ps.cubic_per_site_meV()
        per_site = {"K1_J_per_m3": k1, "K2_J_per_m3": k2}
        a = ps.anisotropy.get("cell_a_A")
        n = ps.anisotropy.get("magnetic_sites_per_cell")
        lines += [f"Cubic anisotropy per site: k = K · a³ / n_mag with a = {fmt(a)} Å and n_mag = "
                  f"{fmt(round(float(n), 4))} magnetic sites per cubic cell (`atomspin.structures.data`).", ""]
        lines += [_row("key", "value (J/m³)", "per site (meV)", "status", "source", "note"),
                  "|---|---|---|---|---|---|"]
        for key, v in an.items():
            if not isinstance(v, (int, float)):
                continue
            s = rows.get("anisotropy", {}).get(key, Src("MISSING", "?"))
            ps_txt = fmt(float(f"{per_site[key]:.4g}")) if key in per_site else "—"
            lines.append(_row(f"`{key}`", fmt(v), ps_txt, f"[{s.status}]", s.source, s.note))
        lines.append("")
    ref = data.get("anisotropy_reference", {})
    if ref:
        s = rows.get("anisotropy_reference", {}).get("T_K", Src("MISSING", "?"))
        lines += [f"Reference magnetisations `[anisotropy_reference]` [{s.status}] — {s.source}; {s.note}.", ""]
        lines += [_row("T (K)", *[fmt(t) for t in ref["T_K"]]), "|---" * (len(ref["T_K"]) + 1) + "|"]
        for key in ref:
            if key != "T_K":
                lines.append(_row(key, *[fmt(x) for x in ref[key]]))
        lines.append("")
    other = [(t, k, v) for t, body in data.items()
             if isinstance(body, dict) and t not in ("convention", "exchange", "anisotropy", "anisotropy_reference")
             for k, v in body.items() if isinstance(v, (int, float, list)) and not isinstance(v, bool)]
    if other:  # surface anisotropy, temperature rescaling, sweep ranges: every other numeric value of the file
        lines += ["Other values of the file (`[ranges]` rows are [low, default, high] of a sweep):", "",
                  _row("table", "key", "value", "unit", "status", "source", "note"), "|---|---|---|---|---|---|---|"]
        for t, k, v in other:
            s = rows.get(t, {}).get(k, Src("MISSING", "?"))
            lines.append(_row(f"`[{t}]`", f"`{k}`", fmt(v), s.unit, f"[{s.status}]", s.source, s.note))
        lines.append("")
    return lines


def _module_section(modname):
    mod = importlib.import_module(modname)
    lines = [f"## {MODULE_TITLES[modname]}", "", _row("name", "value", "unit", "status", "source", "note"),
             "|---|---|---|---|---|---|"]
    for path, s in MODULE_SOURCES[modname].items():
        v = resolve(mod, path)
        v = float(f"{v:.6g}") if isinstance(v, float) and path.startswith(("LATTICES", "RHO")) else v
        lines.append(_row(f"`{path}`", fmt(v), s.unit, f"[{s.status}]", s.source, s.note))
    return lines + [""]


def render():
    """The text of docs/parameters.md."""
    lines = [
        "# Parameters and their sources",
        "",
        "Every physical default atomspin relies on, with its value, unit, primary source, conversion and "
        "status. This page is **generated** by `python docs/make_parameters.py` from the package itself (values "
        "read from the files, conversions computed by the package's own code); `tests/test_docs_parameters.py` "
        "fails when it is out of date or when a value has no source entry.",
        "",
        "**Status tags**",
        "",
    ]
    lines += [f"- **[{k}]** {v}." for k, v in TAGS.items()]
    lines += ["", "Literature values are stored in the parameter files in the literature's own convention; the "
              "conversion into atomspin's Hamiltonian (unit spins, meV, each pair once, J > 0 ferromagnetic) is "
              "stated in `atomspin/model/core.py` and shown per set below. Override any value with "
              "`SpinModel.from_atoms(atoms, overrides={...})` or a TOML file of your own (`params=path`).", ""]
    lines += _module_section("atomspin.units")
    lines += _module_section("atomspin.structures.data")
    lines += ["## Exchange and anisotropy sets (`atomspin/model/params/*.toml`)", "",
              "The default set of a structure follows `atoms.info['phase']`: Fe3O4 → `magnetite`, γ-Fe2O3 → "
              "`maghemite`; rock-salt pairs always come from `feo`, FeO/spinel interface pairs from "
              "`interface`.", ""]
    for stem, data in toml_files().items():
        lines += _toml_section(stem, data)
    lines += _module_section("atomspin.sar._common")
    for modname in ("atomspin.imaging._common", "atomspin.imaging.mpi", "atomspin.imaging.mri"):
        lines += _module_section(modname)
    lines += _module_section("atomspin.batch.defaults")
    lines += _module_section("atomspin.batch.steps.sar")
    return "\n".join(lines).rstrip() + "\n"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    missing, orphans = missing_and_orphans()
    if missing or orphans:
        print("provenance table out of date:\n  missing: " + "\n  missing: ".join(missing or ["-"]) +
              "\n  orphan: " + "\n  orphan: ".join(orphans or ["-"]))
        return 1
    text = render()
    if "--check" in argv:
        ok = PAGE.exists() and PAGE.read_text(encoding="utf-8") == text
        print("docs/parameters.md is " + ("up to date" if ok else "STALE: run python docs/make_parameters.py"))
        return 0 if ok else 1
    PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
