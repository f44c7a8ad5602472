"""Compile a labelled ``ase.Atoms`` (docs/architecture.md, Contract 1) into a :class:`SpinModel`."""

from __future__ import annotations

from typing import Mapping, Optional

import numpy as np

from atomspin.model.core import SpinModel, quad_from_matrix
from atomspin.model.geometry import PAIR_CLASSES, classify_pairs
from atomspin.model import anisotropy as _an
from atomspin.model.parameters import default_set_for_phase, load_parameter_set
from atomspin.units import ANGSTROM, MEV
from atomspin.validation import check_field_T, check_real

_SPINEL = ("AA", "AB", "BB", "BB180", "AA_bridged", "AA180", "AB90", "AB180", "BB125")
_ROCKSALT = ("RR1", "RR2")
_INTERFACE = ("RA", "RA_direct", "RB", "RB180")
_MAGNETIC_FAMILIES = ("A", "B", "R")


def _require(atoms, key):
    if key not in atoms.arrays:
        raise ValueError(f"atoms.arrays[{key!r}]: missing label (see docs/architecture.md, Contract 1); "
                         f"present: {sorted(atoms.arrays)}")
    return atoms.arrays[key]


def _check_field(field):
    return check_field_T("field", (0.0, 0.0, 0.0) if field is None else field)


def _finite_scalar(name, v, lo=-np.inf, hi=np.inf):
    return check_real(name, v, None if lo == -np.inf else lo, None if hi == np.inf else hi)


def _particle_volume_A3(atoms, sub, oxy, spinel, rock, v_site):
    """(volume in Å³, how): N_O · (a³/n_O) of the phase of each O's nearest cation, else Σ a³/n_mag.

    The O sublattice is complete in vacancy-bearing and doped particles, so counting O (not Fe) keeps B
    vacancies and zero-moment dopants from shrinking the volume.
    """
    vo_sp, vo_rs = spinel.oxygen_volume_A3(), rock.oxygen_volume_A3()
    cat = np.isin(sub, _MAGNETIC_FAMILIES)
    if np.any(oxy) and np.any(cat):
        if np.any(sub == "R"):
            from scipy.spatial import cKDTree

            _, near = cKDTree(atoms.positions[cat]).query(atoms.positions[oxy])
            is_r = sub[cat][near] == "R"
        else:
            is_r = np.zeros(int(np.sum(oxy)), dtype=bool)
        v = np.where(is_r, vo_rs, vo_sp)
        if np.all(np.isfinite(v) & (v > 0)):
            return float(np.sum(v)), "oxygen count (a^3/32 per O spinel, a^3/4 per O rock salt)"
    return float(np.sum(v_site)), "magnetic-site count (a^3/n_mag per site; no O or no oxygen_per_cell)"


def _resolve_rescaling(spec, spinel, has_rocksalt):
    """(TemperatureRescaling or None, note) for from_atoms(temperature_rescaling=spec)."""
    from atomspin.model.thermal import TemperatureRescaling, rescaling_from_set

    if spec is None or (isinstance(spec, str) and spec in ("off", "none")):
        return None, "off"
    if isinstance(spec, TemperatureRescaling):
        return spec, "given"
    if isinstance(spec, str):
        if spec != "default":
            raise ValueError(f"temperature_rescaling: {spec!r} is not 'default', None or (alpha, Tc_K)")
        if has_rocksalt:
            return None, "off by default: the model has rock-salt (FeO) sites (one mapping per model)"
        r = rescaling_from_set(spinel)
        return r, ("set " + spinel.name + " has no [temperature_rescaling] table") if r is None else r.source
    try:
        alpha, tc = spec
    except (TypeError, ValueError):
        raise ValueError("temperature_rescaling: expected 'default', None, (alpha, Tc_K) or a "
                         "TemperatureRescaling") from None
    return TemperatureRescaling(float(alpha), float(tc), "given (alpha, Tc_K)"), "given"


def from_atoms(atoms, params=None, field=(0.0, 0.0, 0.0), dipolar="auto", *, overrides: Optional[Mapping] = None,
               rocksalt_params="feo", interface_params="interface", cubic=True,
               uniaxial=None, neel_ks_meV="default", radial_ks_meV=0.0, surface_sites=None,
               r_bond=None, r_nn=None, r_far=None, seed=None, initial="ground", anisotropy_reference="T0",
               b_valence="averaged", temperature_rescaling="default", exchange=None, surface_K_s_J_per_m2=None):
    """Compile the classical Heisenberg model of the magnetic cations of a labelled structure.

    Parameters
    ----------
    atoms : ase.Atoms
        Labelled structure; needs ``arrays['sublattice']`` ("A", "B", "R", "O") and ``arrays['moment_muB']``
        (μB); ``arrays['surface']`` (bool) for the radial surface term only. Positions in Å; periodic
        directions from ``atoms.pbc``.
    params : str, path, mapping or ParameterSet, optional
        Spinel parameter set (A/B pairs and A/B cubic anisotropy): a name from
        :func:`atomspin.model.parameters.available_parameter_sets`. Default from ``atoms.info['phase']``
        (``magnetite`` for Fe3O4 and when no phase is given, ``maghemite`` for γ-Fe2O3 = the magnetite
        integrals on the maghemite lattice; the Kodama–Berkowitz set is ``"maghemite_kodama"``).
    field : 3-vector, tesla
        Applied μ0H.
    dipolar : bool, "auto", "lattice", "exact", "grains" or float
        Magnetostatic point-dipole interaction (:mod:`atomspin.model.dipolar`). "auto"/True: for an open
        particle the exact pair sum (≤ 1000 spins) or the lattice FFT (exact for every site on the crystal
        grid, O(N log N)); for misoriented grains (no common grid) the exact pair sum up to 10,000 spins and
        "grains" above; none for a periodic box, whose dipolar sum depends on the sample shape (stated
        in :mod:`atomspin.model.dipolar`). "lattice"/"exact"/"grains": that method (ValueError on a
        periodic box; "grains" needs ``atoms.arrays["grain"]`` and ``atoms.info["grains"]``).
        A float: the former macrocell approximation with that edge in nm (inaccurate for the
        ferrimagnetic spinel; kept to compare). False: none. ``info['dipolar']`` says which was used.
    exchange : mapping, optional
        Pair class → J in the **literature convention of the set that holds the class** (e.g.
        ``{"BB180": -11.04}`` in magnetite.toml's −2J, classical-S meV), replacing the set's value before the usual
        conversion with the actual spin lengths: the way to sweep a documented range
        (:func:`atomspin.model.parameters.parameter_ranges`).
    surface_K_s_J_per_m2 : float, J/m², optional
        Néel surface constant of the set's conversion facet, replacing its ``[surface_anisotropy]`` K_s (signed:
        > 0 surface spins prefer the facet plane); converted to k_s per bond by
        :func:`atomspin.model.anisotropy.neel_ks_from_surface_constant`. Only with ``neel_ks_meV="default"``.
    overrides : mapping, optional
        Pair class → J in **meV for unit spins** (atomspin convention, J > 0 ferromagnetic), replacing the
        converted literature value for every pair of that class (e.g. ``{"BB180": -40.0}``).
    rocksalt_params, interface_params : str, path or mapping
        Sets for rock-salt (R–R) pairs and anisotropy, and for R–spinel interface pairs.
    cubic : bool
        Include the bulk cubic anisotropy K1, K2 of each site's phase (k = K · a³/n_mag per site).
    uniaxial : (axis, K_J_per_m3), optional
        Uniaxial anisotropy on every site: E_i = −K v_i (ŝ_i·ê)², K in J/m³, v_i the bulk volume per site.
    neel_ks_meV : "default", float (meV) or 0
        Néel pair anisotropy constant per exchange pair, applied to **every** cation whose bonds differ
        from its ideal bulk shell (surface, neighbours of cation and O vacancies, APB and FeO/spinel interface
        sites; fully coordinated sites get exactly zero), derived from the actual geometry, no label needed
        (:func:`atomspin.model.anisotropy.neel_local_quad`). "default": the spinel set's
        ``[surface_anisotropy]`` K_s (magnetite 2.9e-5 J/m², Pérez et al., Nanotechnology 19, 475704 (2008))
        converted through the exact {111} facet sum: k_s = 0.0304 meV (see the set's TOML); a set without
        that table gives 0 (recorded in ``info["neel"]``). 0 switches it off.
    radial_ks_meV : float, meV
        Radial single-ion surface anisotropy on surface sites (> 0: radial easy axis). Default 0 (off).
    surface_sites : (N_atoms,) bool, optional
        Restricts the Néel term to these atoms (default: all; the geometry decides). The radial term acts on
        this mask, default ``atoms.arrays['surface']``.
    r_bond, r_nn, r_far : float, Å, optional
        Geometry cutoffs (defaults in :mod:`atomspin.model.geometry`).
    seed : int, optional
        Only used for ``initial="random"``.
    anisotropy_reference : "T0" or float, K
        Temperature at which the bulk K1, K2 of the parameter sets hold **in this classical model**. "T0"
        (default): the per-site constants are K·a³/n_mag at all T, so MC at temperature T measures the thermally
        reduced K(T) ≈ m(T)^10 K1 (Callen–Callen, classical cubic single-ion; at 300 K the classical MC sublattice
        magnetisations m_A ≈ 0.90, m_B ≈ 0.84 give ≈ 0.2–0.35 K1, measured 0.22 K1; with the default temperature
        rescaling 300 K is sampled at 75.6 K, m ≈ 0.97, ≈ 0.7 K1). A float T_ref: the
        spinel A and B constants k1, k2 are divided by m_A(T_ref)^10, m_B(T_ref)^10, with m(T_ref) the reduced
        bulk sublattice magnetisation of this model from the set's ``[anisotropy_reference]`` table, so that
        MC at T_ref reproduces the bulk K (use it with the room-temperature K1 and T_ref = 300; measured with
        constrained MC at 300 K on a 3×3×3-cell box: dF/dθ = 1.04–1.14 × the bulk K1/4 + K2/16). k2 gets the
        same exponent: its harmonic sx²sy²sz² mixes l = 4 and l = 6, and the pure l = 6 exponent 21 would
        multiply the unconfirmed K2 by ≈ 40. Rock-salt (R) constants are never rescaled.
    b_valence : "averaged" or "as_built"
        "averaged" (default): every spinel B-site Fe carries the mean moment of the particle's B-site Fe
        (4.5 μB in stoichiometric magnetite) — magnetite above the Verwey transition (≈ 120 K) has no
        Fe²⁺/Fe³⁺ order on the B sites, and the exchange set is calibrated on averaged 4.5 μB B sites
        (magnetite.toml). The total moment is unchanged; the converted couplings (∝ spin lengths) use the
        averaged moments. "as_built": the moments of ``atoms`` (Verwey order, for T below ≈ 120 K).
    temperature_rescaling : "default", None, (alpha, Tc_K) or TemperatureRescaling
        Evans et al. (PRB 91, 144425 (2015)) mapping of the physical T onto the simulation temperature,
        applied by the engine (:mod:`atomspin.model.thermal`). "default": the spinel set's
        ``[temperature_rescaling]`` (magnetite: α = 2.31, Tc = 858 K, fitted to Ms(300 K)/Ms(0) = 0.945),
        except for models with rock-salt (R) sites, which stay unscaled (one mapping per model; FeO's
        T_N = 198 K would be mapped with the spinel Tc). None: classical statistics. With rescaling,
        ``anisotropy_reference`` looks up m(T_sim(T_ref)).
    initial : "ground", "random" or "z"
        Initial spins: "ground" = Néel state along z (A along −z, B and R along +z; the rock-salt type-II
        order is not imposed); "random" (seeded by ``seed``); "z" = all along +z.

    Returns
    -------
    SpinModel
        ``info`` records the sets used, the pair counts per class, the mean converted J per class and the
        bulk volume per site; ``pair_class`` gives the class of every CSR entry.

    Notes
    -----
    Spins are the cations labelled A, B or R with ``moment_muB`` > 0 (Zn²⁺ and other zero-moment dopants
    carry no spin). A magnetic dopant couples with the J of its site class, converted with its own spin
    length m/2. ``atom_index`` maps each spin back to its ``ase.Atoms`` index.

    ``volume_m3`` is the cell volume for a fully periodic box, else the **oxygen-count volume**
    N_O · a³/32 (spinel) or a³/4 (rock salt; each O takes the phase of its nearest cation), so that B
    vacancies and Zn dopants do not shrink the particle (falls back to Σ a³/n_mag per magnetic site when the
    structure has no O). The cubic constants are **per Fe**: k = K·a³/n_mag of the ideal bulk phase on every
    magnetic site, so a vacancy-bearing or diluted particle has a total cubic energy reduced in proportion
    to its Fe count (no re-normalisation to the volume is made; e.g. Fe3−δO4 with δ = 1/3 and magnetite K1
    gives K_eff ≈ 0.89 K1 at T = 0). ``info['volume_source']`` says which volume was used.
    """
    from ase import Atoms

    if not isinstance(atoms, Atoms):
        raise ValueError(f"atoms: expected ase.Atoms, got {type(atoms).__name__}")
    b = _check_field(field)
    sub = np.asarray(_require(atoms, "sublattice")).astype(str)
    mom = np.asarray(_require(atoms, "moment_muB"), dtype=np.float64)
    if np.any(~np.isfinite(mom)) or np.any(mom < 0):
        raise ValueError("atoms.arrays['moment_muB']: moments must be finite and ≥ 0 μB")
    unknown = ~np.isin(sub, list(_MAGNETIC_FAMILIES) + ["O"])
    if np.any(unknown & (mom > 0)):
        bad = sorted(set(sub[unknown & (mom > 0)]))
        raise ValueError(f"atoms.arrays['sublattice']: magnetic atoms labelled {bad}; "
                         "allowed 'A', 'B', 'R' (and 'O' for oxygen)")
    mag = np.isin(sub, _MAGNETIC_FAMILIES) & (mom > 0)
    oxy = sub == "O"
    if not np.any(mag):
        raise ValueError("atoms: no magnetic cations (sublattice A/B/R with moment_muB > 0)")
    if initial not in ("ground", "random", "z"):
        raise ValueError(f"initial: {initial!r} is not one of 'ground', 'random', 'z'")
    if not (isinstance(neel_ks_meV, str) and neel_ks_meV == "default"):
        if isinstance(neel_ks_meV, str):
            raise ValueError(f"neel_ks_meV: {neel_ks_meV!r} is not 'default' or a number (meV)")
        _finite_scalar("neel_ks_meV", neel_ks_meV)
    radial = _finite_scalar("radial_ks_meV", radial_ks_meV)
    if b_valence not in ("averaged", "as_built"):
        raise ValueError(f"b_valence: {b_valence!r} is not one of 'averaged', 'as_built'")

    phase = atoms.info.get("phase")
    spinel = load_parameter_set(params if params is not None else default_set_for_phase(phase))
    rock = load_parameter_set(rocksalt_params)
    inter = load_parameter_set(interface_params)
    if exchange:
        import dataclasses

        sets = {"spinel": spinel, "rock": rock, "inter": inter}
        for k, v in dict(exchange).items():
            if k not in PAIR_CLASSES:
                raise ValueError(f"exchange: unknown pair class {k!r}; allowed {list(PAIR_CLASSES)}")
            _finite_scalar(f"exchange[{k!r}]", v)
            key = "spinel" if k in _SPINEL else "rock" if k in _ROCKSALT else "inter"
            sets[key] = dataclasses.replace(sets[key], exchange={**sets[key].exchange, k: float(v)},
                                            name=sets[key].name + "*")
        spinel, rock, inter = sets["spinel"], sets["rock"], sets["inter"]
    if surface_K_s_J_per_m2 is not None:
        if not (isinstance(neel_ks_meV, str) and neel_ks_meV == "default"):
            raise ValueError("surface_K_s_J_per_m2: give either it or neel_ks_meV, not both")
        import dataclasses

        tab = dict(spinel.extra.get("surface_anisotropy") or {"facet": [1, 1, 1]})
        tab["K_s_J_per_m2"] = _finite_scalar("surface_K_s_J_per_m2", surface_K_s_J_per_m2)
        spinel = dataclasses.replace(spinel, extra={**spinel.extra, "surface_anisotropy": tab})
    overrides = dict(overrides or {})
    for k, v in overrides.items():
        if k not in PAIR_CLASSES:
            raise ValueError(f"overrides: unknown pair class {k!r}; allowed {list(PAIR_CLASSES)}")
        _finite_scalar(f"overrides[{k!r}]", v)

    from atomspin.model.neighbours import check_build_memory

    check_build_memory(int(np.count_nonzero(mag)))
    atom_index = np.flatnonzero(mag).astype(np.int64)
    pos = atoms.positions[mag]
    fam = sub[mag]
    m = mom[mag].copy()
    n = len(m)
    b_fe = (fam == "B") & (atoms.numbers[mag] == 26)
    if b_valence == "averaged" and np.any(b_fe):
        m[b_fe] = float(np.mean(m[b_fe]))
    neel, neel_source = _an.resolve_neel_ks(neel_ks_meV, spinel)
    rescale, rescale_note = _resolve_rescaling(temperature_rescaling, spinel, np.any(fam == "R"))
    pbc = tuple(bool(x) for x in atoms.pbc)
    cell = np.array(atoms.cell) if any(pbc) else None
    kw = {k: v for k, v in (("r_bond", r_bond), ("r_nn", r_nn), ("r_far", r_far)) if v is not None}
    pairs = classify_pairs(pos, fam, atoms.positions[oxy], cell=cell, pbc=pbc, **kw)

    # exchange per pair, converted into the unit-spin convention
    Jp = np.zeros(len(pairs.i))
    used = {}
    for k, name in enumerate(PAIR_CLASSES):
        sel = pairs.cls == k
        if not np.any(sel):
            continue
        if name in overrides:
            Jp[sel] = float(overrides[name])
            used[name] = "override"
            continue
        pset = spinel if name in _SPINEL else rock if name in _ROCKSALT else inter
        Jp[sel] = pset.unit_coupling(name, m[pairs.i[sel]], m[pairs.j[sel]])
        used[name] = pset.name
    from atomspin.model.neighbours import symmetric_csr

    indptr, cols, vals, cls2 = symmetric_csr(n, pairs.i, pairs.j, Jp, pairs.cls, keep=Jp != 0.0)

    # per-site volume and cubic anisotropy of the site's phase
    is_r = fam == "R"
    v_site = np.where(is_r, rock.site_volume_A3(), spinel.site_volume_A3())
    k1 = np.zeros(n)
    k2 = np.zeros(n)
    if cubic:
        s1, s2 = spinel.cubic_per_site_meV()
        r1, r2 = rock.cubic_per_site_meV()
        k1 = np.where(is_r, r1, s1)
        k2 = np.where(is_r, r2, s2)
    aref = anisotropy_reference
    if isinstance(aref, str):
        if aref != "T0":
            raise ValueError(f"anisotropy_reference: {aref!r} is not 'T0' or a temperature in K")
    else:
        t_ref = _finite_scalar("anisotropy_reference", aref, 0.0, np.inf)
        m_a, m_b = spinel.reduced_magnetisation(t_ref if rescale is None else rescale.simulation_temperature(t_ref))
        for lab, mr in (("A", m_a), ("B", m_b)):
            sel = fam == lab
            k1 = np.where(sel, k1 / mr ** 10, k1)
            k2 = np.where(sel, k2 / mr ** 10, k2)

    q = 0.0  # (n, 3, 3) once a quadratic term is added (72 B/spin saved without one)
    if uniaxial is not None:
        try:
            axis, K_u = uniaxial
        except (TypeError, ValueError):
            raise ValueError("uniaxial: expected (axis, K_J_per_m3)") from None
        K_u = _finite_scalar("uniaxial K_J_per_m3", K_u)
        if not np.all(np.isfinite(v_site)):
            raise ValueError("uniaxial: the parameter sets give no volume per site "
                             "(anisotropy.cell_a_A, magnetic_sites_per_cell)")
        q += _an.uniaxial_quad(n, axis, K_u * v_site * ANGSTROM ** 3 / MEV)
    smask = None
    if surface_sites is not None:
        smask_all = np.asarray(surface_sites, dtype=bool)
        if smask_all.shape != (len(atoms),):
            raise ValueError(f"surface_sites: expected {len(atoms)} booleans, got shape {smask_all.shape}")
        smask = smask_all[mag]
    neel_sites = 0
    if neel != 0.0:
        qn = _an.neel_local_quad(n, pairs.i, pairs.j, pairs.vector, fam, neel, smask, **kw)
        neel_sites = int(np.count_nonzero(np.any(qn != 0.0, axis=(1, 2))))
        q += qn
    if radial != 0.0:
        if smask is None:
            smask = np.asarray(_require(atoms, "surface"), dtype=bool)[mag]
        if any(pbc):
            raise ValueError("radial_ks_meV: radial surface anisotropy needs an open (non-periodic) particle")
        q += _an.radial_quad(pos, pos.mean(axis=0), radial, smask)

    # initial state
    if initial == "random":
        rng = np.random.default_rng(seed)
        s = rng.normal(size=(n, 3))
        s /= np.linalg.norm(s, axis=1)[:, None]
    else:
        s = np.zeros((n, 3))
        s[:, 2] = 1.0
        if initial == "ground":
            s[fam == "A", 2] = -1.0  # A antiparallel to B (J_AB < 0 in every shipped set)

    from atomspin.model.dipolar import make_dipolar

    dip, dip_desc = make_dipolar(pos, dipolar, pbc, atoms.info,
                                 grain=np.asarray(atoms.arrays["grain"])[mag] if "grain" in atoms.arrays else None)

    vol_m3, vol_source = _particle_volume_A3(atoms, sub, oxy, spinel, rock, v_site)
    vol_m3 *= ANGSTROM ** 3
    if any(pbc) and all(pbc):
        vol_m3 = float(abs(np.linalg.det(np.array(atoms.cell)))) * ANGSTROM ** 3
        vol_source = "periodic cell"
    info = {
        "params": spinel.name, "rocksalt_params": rock.name, "interface_params": inter.name,
        "pair_class_names": list(PAIR_CLASSES), "pair_counts": pairs.counts(), "class_source": used,
        "phase": phase, "n_oxygen": int(np.sum(oxy)),
        "site_volume_A3": {"spinel": spinel.site_volume_A3(), "rocksalt": rock.site_volume_A3()},
        "volume_source": vol_source,
        "anisotropy_reference": aref if isinstance(aref, str) else float(aref),
        "dipolar": dip_desc,
        "neel": {"k_s_meV": float(neel), "source": neel_source, "sites": neel_sites},
        "b_valence": b_valence,
        "temperature_rescaling": None if rescale is None else rescale.to_dict(),
        "temperature_rescaling_note": rescale_note,
        "mean_J_meV": {k: float(np.mean(Jp[pairs.cls == PAIR_CLASSES.index(k)])) for k in used},
        "convention": "E = -sum_{i<j} J_ij si.sj (unit spins, meV, J>0 FM); see atomspin.model.core",
    }
    model = SpinModel(positions=pos, spins=s, moments=m, indptr=indptr, indices=cols, J=vals,
                      quad=(quad_from_matrix(q) if np.ndim(q) else np.zeros((n, 6))), k1=k1, k2=k2, field=b, sublattice=fam.copy(),
                      region=(np.asarray(atoms.arrays["region"]).astype(str)[mag] if "region" in atoms.arrays
                              else None),
                      atom_index=atom_index, dipolar=dip, cell=(np.array(atoms.cell) if any(pbc) else None),
                      pbc=pbc, volume_m3=vol_m3, info=info, pair_class=cls2)
    return model
