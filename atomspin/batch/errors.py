"""Standard errors of numbers the study steps derive from measured inputs, by first-order propagation.

A step that turns measured values x_i ± σ_i (Ms, a barrier, …) into further numbers y_k (SAR, an MPI PSF
width, a relaxivity) with a function of another layer gets the errors of the y_k from central differences,
σ_y² = Σ_i [(y(x_i + h_i) − y(x_i − h_i)) / 2 · σ_i/h_i]², with the step h_i = σ_i unless a smaller one is given
(independent inputs; one-sided where the function refuses one side, e.g. a barrier pushed below zero). A smaller
step keeps the difference the local slope where σ_i is large (a landscape scaled by 1 ± σ with σ ≥ 1 would turn
over). The function itself is called, never re-implemented here.

With ``second_order=True`` the curvature of each input's difference is added: for y ≈ y0 + aε + ½bε² with
Gaussian ε of standard deviation σ, Var y = a²σ² + ½b²σ⁴ (exact for a quadratic map), with bσ² from the same two
sides, (y(x + h) + y(x − h) − 2y0)·(σ/h)². This keeps an output whose input sits near one of its extrema (a
SAR that peaks at the measured landscape scale: the central difference vanishes there) from getting a zero error.
"""
from __future__ import annotations

import math

__all__ = ["propagate"]


def _finite(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def propagate(fn, values: dict, errors: dict, steps: dict | None = None, second_order: bool = False) -> dict:
    """Errors of the numeric outputs of ``fn(**values)`` (a dict) from the input errors ``errors``.

    Parameters
    ----------
    fn : callable
        ``fn(**values) -> {name: number}``; may raise ValueError for inputs it refuses.
    values : dict
        Nominal inputs.
    errors : dict
        ``{input name: standard error}``; missing, zero or non-finite errors are left out.
    steps : dict, optional
        ``{input name: difference step}`` (same units as the input; 0 < step): where given and smaller than the
        error, the difference over ±step is scaled by error/step (first-order propagation with the local slope).
    second_order : bool
        Add the curvature term ½(bσ²)² of each input where both sides were evaluated (module docstring).

    Returns
    -------
    dict
        ``{output name: standard error}`` for every finite numeric output of the nominal call; nan for an
        output when an input error is not known (not finite) or neither side of a difference can be
        evaluated; 0 when no input has an error.
    """
    y0 = {k: v for k, v in fn(**values).items() if _finite(v)}
    var = {k: 0.0 for k in y0}
    unknown = any(not _finite(errors.get(k, 0.0)) for k in errors)
    for name, sigma in errors.items():
        if not _finite(sigma) or sigma == 0 or name not in values:
            continue
        h = (steps or {}).get(name, sigma)
        if not (_finite(h) and h > 0):
            raise ValueError(f"steps[{name!r}]: {h!r} is not a finite number > 0")
        h = min(h, sigma)
        sides = []
        for sign in (1.0, -1.0):
            try:
                sides.append(fn(**{**values, name: values[name] + sign * h}))
            except ValueError:
                sides.append(None)
        for k in y0:
            up, down = (None if s is None else s.get(k) for s in sides)
            c = 0.0
            if _finite(up) and _finite(down):
                d = 0.5 * (up - down)
                if second_order:
                    c = (up + down - 2.0 * y0[k]) * (sigma / h) ** 2
            elif _finite(up):
                d = up - y0[k]
            elif _finite(down):
                d = y0[k] - down
            else:
                d = float("nan")
            d *= sigma / h
            var[k] += d * d + 0.5 * c * c
    return {k: (float("nan") if unknown else math.sqrt(v)) for k, v in var.items()}
