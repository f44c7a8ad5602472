"""Study step ``structure``: build the particle, add vacancies and the APB, label the surface, describe it.

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
DOC = ("build the particle (phase, shape, size) or a multi-core nanoflower, add vacancies and the APB, label the "
       "surface shell")
SCHEMA: dict = {}
API = ("atomspin.structures:build_particle", "atomspin.structures:describe", "atomspin.structures:add_vacancies",
       "atomspin.structures:insert_apb", "atomspin.structures:label_surface", "atomspin.structures:build_multicore",
       "atomspin.measure:decouple_grains")
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
    "s_mean_misorientation_deg": (24, "mean misorientation across the grain boundaries (disorientation over the "
                                  "cubic symmetry), degrees", "mean misorientation (°)", False),
}


def run(ctx) -> None:
    from atomspin.batch.context import scalar_items
    from atomspin.structures import add_vacancies, build_particle, describe, insert_apb, label_surface

    st, de = ctx.recipe["structure"], ctx.recipe["defects"]
    multicore = st.get("kind", "particle") == "multicore"
    if multicore:
        atoms = _multicore(st, ctx.seed_for("structure"))
    else:
        atoms = build_particle(st["phase"], st["shape"], st["diameter_nm"], seed=ctx.seed_for("structure"))
    vac = de["vacancies"]
    if vac["delta"] > 0:
        atoms = add_vacancies(atoms, vac["delta"], mode=vac["mode"], shell_nm=vac["shell_nm"],
                              seed=ctx.seed_for("vacancies"))
    ctx.atoms = atoms
    if de["apb"]["enabled"]:
        _, point = ctx.apb_plane()
        ctx.atoms = insert_apb(atoms, plane=tuple(de["apb"]["plane"]), point=tuple(point), seed=ctx.seed_for("apb"))
    ctx.atoms = label_surface(ctx.atoms, thickness_nm=st["surface_depth_nm"])
    desc = describe(ctx.atoms)
    ctx.results[NAME] = desc
    ctx.kvp.update({f"{PREFIX}{k}": v for k, v in scalar_items(desc).items()})
    ctx.kvp["n_magnetic"] = int(np.sum(ctx.atoms.arrays["moment_muB"] > 0))
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
