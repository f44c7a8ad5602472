"""Defect-free versus defected particles: the same protocol on several realisations.

Seed policy: realisation r of every variant uses the structure/model seed ``seed + r`` (so the
reference and the defected variants share the particle seed of each realisation) and the Monte
Carlo seed derived from ``SeedSequence([seed, r])``; the same ``seed`` reproduces the whole table.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from atomspin.validation import check_seed
from atomspin.measure.results import ResultBase, advance, check_int


@dataclass
class ComparisonResult(ResultBase):
    """Per-variant mean ± standard error of each metric, and its difference from the reference.

    Attributes
    ----------
    variants : names, reference first; metrics : metric names.
    mean, sem : (V, M) arrays; delta, delta_sem : (V, M) mean − reference mean and its error.
    values : dict variant → (R, M) raw values per realisation.
    reference : name of the reference variant; n_realisations; seed.
    """

    variants: list
    metrics: list
    mean: np.ndarray
    sem: np.ndarray
    delta: np.ndarray
    delta_sem: np.ndarray
    values: dict
    reference: str
    n_realisations: int
    seed: int

    def table(self):
        """Rows of dicts: variant, metric, mean, sem, delta, delta_sem."""
        rows = []
        for v, name in enumerate(self.variants):
            for k, met in enumerate(self.metrics):
                rows.append(dict(variant=name, metric=met, mean=float(self.mean[v, k]), sem=float(self.sem[v, k]),
                                 delta=float(self.delta[v, k]), delta_sem=float(self.delta_sem[v, k])))
        return rows

    def to_text(self):
        """Plain-text table of mean ± sem and Δ ± error per variant and metric."""
        lines = [f"{'variant':<20s}{'metric':<24s}{'mean ± sem':>28s}{'Δ vs ' + self.reference:>30s}"]
        for r in self.table():
            lines.append(f"{r['variant']:<20s}{r['metric']:<24s}{r['mean']:>16.5g} ± {r['sem']:<9.3g}"
                         f"{r['delta']:>18.5g} ± {r['delta_sem']:<9.3g}")
        return "\n".join(lines)

    def plot(self, ax=None, metric=None, **kwargs):
        """Bar chart of one metric (default: the first) with standard errors."""
        ax = self._axes(ax)
        k = 0 if metric is None else self.metrics.index(metric)
        x = np.arange(len(self.variants))
        ax.bar(x, self.mean[:, k], yerr=self.sem[:, k], capsize=3, **kwargs)
        ax.set_xticks(x, self.variants, rotation=20)
        ax.set_ylabel(self.metrics[k])
        return ax


def compare_variants(builders, protocol, n_realisations=3, seed=0, reference=None):
    """Run ``protocol`` on every variant and realisation and tabulate mean ± standard error.

    Parameters
    ----------
    builders : dict name → callable(seed) → SpinModel
        One entry per variant (e.g. "defect-free", "APB", "vacancies 10 %"); each callable builds
        a model for a structure seed (same size and shape for all variants).
    protocol : callable(model, seed) → dict metric → float
        The measurement (e.g. :func:`standard_protocol`).
    n_realisations : int
        Realisations per variant (≥ 1; ≥ 2 for standard errors).
    seed : int
        Base seed (see module docstring).
    reference : str, optional
        Name of the reference variant (default: the first key).

    Returns
    -------
    ComparisonResult
    """
    if not isinstance(builders, dict) or not builders:
        raise ValueError("builders: need a non-empty dict name → callable(seed) → SpinModel")
    n_realisations = check_int("n_realisations", n_realisations, 1)
    seed = check_seed(seed)
    names = list(builders)
    reference = names[0] if reference is None else reference
    if reference not in builders:
        raise ValueError(f"reference: {reference!r} is not one of {names}")
    names.remove(reference)
    names.insert(0, reference)
    values, metrics = {}, None
    for name in names:
        rows = []
        for r in range(n_realisations):
            model = builders[name](seed + r)
            mc_seed = int(np.random.SeedSequence([seed, r]).generate_state(1, dtype=np.uint64)[0])
            out = protocol(model, mc_seed)
            if metrics is None:
                metrics = list(out)
            rows.append([float(out[m]) for m in metrics])
        values[name] = np.array(rows)
    mean = np.array([values[n].mean(axis=0) for n in names])
    if n_realisations > 1:
        sem = np.array([values[n].std(axis=0, ddof=1) / np.sqrt(n_realisations) for n in names])
    else:
        sem = np.full_like(mean, np.nan)
    delta = mean - mean[0]
    delta_sem = np.sqrt(sem ** 2 + sem[0] ** 2)
    delta_sem[0] = 0.0
    return ComparisonResult(variants=names, metrics=metrics, mean=mean, sem=sem, delta=delta, delta_sem=delta_sem,
                            values=values, reference=reference, n_realisations=n_realisations, seed=seed)


def standard_protocol(T, fields_T, sweeps_per_point=200, anisotropy=False, anisotropy_kwargs=None, engine=None,
                      **loop_kwargs):
    """A protocol for :func:`compare_variants`: loop → Ms (A/m at the largest field), Hc (T), Mr,
    loop area (J/m³), high-field slope; disorder (mean canting at the largest field); optionally the 2θ torque
    amplitude ``torque_amplitude_2theta_J`` of :func:`atomspin.measure.effective_anisotropy` (J; the uniaxial K·V
    only for a uniaxial particle — for a barrier use :func:`atomspin.measure.anisotropy_landscape`).

    ``engine`` (:class:`atomspin.engine.EngineOptions`; ``move``, ``threads``, ``collective_every`` among
    ``loop_kwargs`` are shorthands) serves the loop, the disorder run and the constrained MC alike.
    Returns callable(model, seed) → dict.
    """
    from atomspin.engine import EngineOptions
    from atomspin.measure.disorder import spin_disorder
    from atomspin.measure.hysteresis import hysteresis_loop

    opts = EngineOptions(engine, **{k: loop_kwargs.pop(k) for k in ("move", "threads", "collective_every")
                                    if k in loop_kwargs})

    def run(model, seed):
        loop = hysteresis_loop(model, T, fields_T, sweeps_per_point=sweeps_per_point, seed=seed, engine=opts,
                               **loop_kwargs)
        k = int(np.argmax(loop.fields_T))
        out = {"Ms_A_per_m": float(loop.M_A_per_m[k]), "m_high_field": float(loop.m[k]), "Bc_T": loop.Bc_T,
               "Mr": loop.Mr, "loop_area_J_per_m3": loop.loop_area_J_per_m3,
               "high_field_slope_per_T": loop.high_field_slope_per_T}
        sim = opts.simulation(model, T, seed)
        sim.set_field(float(np.max(fields_T)) * loop.directions[0])
        advance(sim, sweeps_per_point)
        out["mean_canting_deg"] = spin_disorder(model, sim.spins).mean_canting_deg
        if anisotropy:
            from atomspin.measure.anisotropy import effective_anisotropy

            ea = effective_anisotropy(model, T, seed=seed, engine=opts, **(anisotropy_kwargs or {}))
            out["torque_amplitude_2theta_J"] = ea.torque_amplitude_2theta_J
        return out

    return run
