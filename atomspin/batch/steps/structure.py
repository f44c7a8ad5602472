"""Study step ``structure``: build the particle, add its defects, label the surface, describe it.

Order of operations (each one a builder of :mod:`atomspin.structures`, applied to the result of the one before):

1. ``build_particle`` (phase, shape, size) or ``build_multicore``;
2. ``core_shell`` (``defects.core_shell``): the rock-salt core replaces the centre of the spinel particle first,
   so that the later defects act on the spinel shell only (a core made later would overwrite them; the
   vacancy-rich shell around a wüstite core is the Fe(1-x)O/Fe(3-δ)O4 particle of Lappas et al., PRX 9, 041044
   (2019));
3. ``dope`` (``defects.dopant``): substitution is part of the composition the crystal grows with;
4. ``add_vacancies`` (``defects.vacancies``): B-site vacancies of the (doped) spinel, as oxidation makes them
   after growth; the core's rock-salt sites are not B sites and keep no vacancies;
5. ``insert_apb`` (``defects.apb``), once per APB (``count``; two parallel planes ``spacing_nm`` apart about the
   plane at ``offset_nm``): a shift of everything on one side of a plane, which carries the earlier defects
   along;
6. ``label_surface``.

Without the new tables (``core_shell.enabled = false``, ``dopant.fraction = 0``, ``apb.count = 1``) the particle
is the one this step built before they existed.

``structure.kind = "multicore"`` builds a nanoflower instead (:func:`atomspin.structures.build_multicore` with the
``[structure.multicore]`` settings; per-atom ``grain`` labels and one grain-boundary record per contact); with
``structure.multicore.decouple`` the model of every later step has the exchange across the grain boundaries cut
(:func:`atomspin.measure.decouple_grains`).

Its settings are the recipe's ``[structure]`` and ``[defects]`` tables (every other step works on this
particle), so it adds nothing under ``[protocol]``.
"""
from __future__ import annotations

import numpy as np

NAME = "structure"
DOC = ("build the particle (phase, shape, size) or a multi-core nanoflower; add an FeO core, dopants, vacancies "
       "and 0-2 APBs (in that order); label the surface shell")
SCHEMA: dict = {}
API = ("atomspin.structures:build_particle", "atomspin.structures:describe", "atomspin.structures:add_vacancies",
       "atomspin.structures:insert_apb", "atomspin.structures:label_surface", "atomspin.structures:build_multicore",
       "atomspin.measure:decouple_grains", "atomspin.structures:core_shell", "atomspin.structures:dope")
PREFIX = "s_"
RESULT_KEYS = {  # exact properties of the built structure: no error; in the tables, not in the figures
    "n_magnetic": (0, "magnetic atoms (moment > 0; exact)", "magnetic atoms", False),
    "s_net_moment_muB": (20, "net moment of the T = 0 ferrimagnetic arrangement (exact), μB",
                         "net moment at T = 0 (μB)", False),
    "s_vacancy_fraction": (21, "fraction of cation sites left empty (exact)", "vacant cation sites (fraction)",
                           False),
    "s_n_cores": (22, "cores of a multi-core particle (1: one crystal)", "cores", False),
    "s_n_boundaries": (23, "grain boundaries (pairs of touching cores) of a multi-core particle",
                       "grain boundaries", False),
    "s_n_apb": (25, "antiphase boundaries inserted (defects.apb)", "APBs", False),
    "s_mean_misorientation_deg": (24, "mean misorientation across the grain boundaries (disorientation over the "
                                  "cubic symmetry), degrees", "mean misorientation (°)", False),
}


def run(ctx) -> None:
    from atomspin.batch.context import scalar_items
    from atomspin.structures import (add_vacancies, build_particle, core_shell, describe, dope, insert_apb,
                                     label_surface)

    st, de = ctx.recipe["structure"], ctx.recipe["defects"]
    multicore = st.get("kind", "particle") == "multicore"
    if multicore:
        atoms = _multicore(st, ctx.seed_for("structure"))
    else:
        atoms = build_particle(st["phase"], st["shape"], st["diameter_nm"], seed=ctx.seed_for("structure"))
    cs, dop = de["core_shell"], de["dopant"]
    if cs["enabled"]:
        atoms = core_shell(atoms, cs["core_diameter_nm"], core_phase=cs["core_phase"],
                           seed=ctx.seed_for("core_shell"))
    if dop["fraction"] > 0:
        atoms = dope(atoms, dop["element"], dop["fraction"], site=None if dop["site"] == "default" else dop["site"],
                     seed=ctx.seed_for("dopant"))
    vac = de["vacancies"]
    if vac["delta"] > 0:
        atoms = add_vacancies(atoms, vac["delta"], mode=vac["mode"], shell_nm=vac["shell_nm"],
                              removal=vac["removal"], seed=ctx.seed_for("vacancies"))
    ctx.atoms = atoms
    apb = de["apb"]
    n_apb = int(apb["count"]) if apb["enabled"] else 0
    if n_apb:
        n, point = ctx.apb_plane()
        shifts = [0.0] if n_apb == 1 else [-apb["spacing_nm"] / 2, apb["spacing_nm"] / 2]
        for ds in shifts:  # nm along the plane normal, about the plane at offset_nm
            ctx.atoms = insert_apb(ctx.atoms, plane=tuple(apb["plane"]), point=tuple(point + 10.0 * ds * n),
                                   seed=ctx.seed_for("apb"))
    ctx.atoms = label_surface(ctx.atoms, thickness_nm=st["surface_depth_nm"])
    desc = describe(ctx.atoms)
    ctx.results[NAME] = desc
    ctx.kvp.update({f"{PREFIX}{k}": v for k, v in scalar_items(desc).items()})
    ctx.kvp["n_magnetic"] = int(np.sum(ctx.atoms.arrays["moment_muB"] > 0))
    ctx.kvp["s_n_apb"] = n_apb
    if multicore:
        from atomspin.structures import plane_defects

        gb = [d for d in plane_defects(ctx.atoms) if d.get("kind") == "grain_boundary"]
        mc = st["multicore"]
        ctx.kvp.update(s_n_cores=int(mc["n_cores"]), s_n_boundaries=len(gb),
                       s_mean_misorientation_deg=float(np.mean([d["misorientation_deg"] for d in gb])) if gb else 0.0,
                       s_decoupled=bool(mc["decouple"]), diameter_nm=float(ctx.atoms.info["size_nm"]))
        if mc["decouple"]:
            _decouple_model(ctx)
    else:
        ctx.kvp["s_n_cores"] = 1


def _multicore(st, seed):
    from atomspin.structures import build_multicore

    mc = st["multicore"]
    return build_multicore(st["phase"], n_cores=mc["n_cores"], core_diameter_nm=mc["core_diameter_nm"],
                           size_dispersion=mc["size_dispersion"], overlap=mc["overlap"],
                           misorientation_deg=None if mc["random_orientations"] else mc["misorientation_deg"],
                           seed=seed)


def _decouple_model(ctx) -> None:
    """Compile the context's model now and cut its inter-grain exchange (every later step uses ctx.model)."""
    from atomspin.measure import decouple_grains

    m = decouple_grains(ctx.model, ctx.atoms)
    ctx._model = m
    ctx.kvp["s_exchange_pairs_cut"] = int(m.info["decoupled_grains"]["pairs_cut"])
