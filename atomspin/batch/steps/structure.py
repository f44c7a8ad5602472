"""Study step ``structure``: build the particle, add vacancies and the APB, label the surface, describe it.

Its settings are the recipe's ``[structure]`` and ``[defects]`` tables (every other step works on this
particle), so it adds nothing under ``[protocol]``.
"""
from __future__ import annotations

import numpy as np

NAME = "structure"
DOC = "build the particle (phase, shape, size), add vacancies and the APB, label the surface shell"
SCHEMA: dict = {}
API = ("atomspin.structures:build_particle", "atomspin.structures:describe", "atomspin.structures:add_vacancies",
       "atomspin.structures:insert_apb", "atomspin.structures:label_surface")
PREFIX = "s_"
RESULT_KEYS = {  # exact properties of the built structure: no error; in the tables, not in the figures
    "n_magnetic": (0, "magnetic atoms (moment > 0; exact)", "magnetic atoms", False),
    "s_net_moment_muB": (20, "net moment of the T = 0 ferrimagnetic arrangement (exact), μB",
                         "net moment at T = 0 (μB)", False),
    "s_vacancy_fraction": (21, "fraction of cation sites left empty (exact)", "vacant cation sites (fraction)",
                           False),
}


def run(ctx) -> None:
    from atomspin.batch.context import scalar_items
    from atomspin.structures import add_vacancies, build_particle, describe, insert_apb, label_surface

    st, de = ctx.recipe["structure"], ctx.recipe["defects"]
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
