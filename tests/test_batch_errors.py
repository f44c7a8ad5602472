"""atomspin.batch.errors.propagate: first-order propagation by central differences (exact for linear maps)."""
import math

import pytest

from atomspin.batch.errors import propagate


def test_linear_map_is_exact_for_any_step():
    fn = lambda x, y: {"z": 3.0 * x - 2.0 * y}  # noqa: E731
    for steps in (None, {"x": 1e-3}, {"x": 10.0, "y": 0.5}):
        err = propagate(fn, {"x": 1.0, "y": 4.0}, {"x": 2.0, "y": 0.25}, steps=steps)
        assert err["z"] == pytest.approx(math.hypot(6.0, 0.5), rel=1e-12)


def test_small_step_gives_the_local_slope_times_the_error():
    """y = x³ at x = 1, σ = 1.5: the ±σ difference gives (2.5³ + 0.5³)/2 = 7.875; the local slope 3 × 1.5 = 4.5
    needs a small step (the landscape-scale case of the SAR step, whose ±σ would turn the surface over)."""
    fn = lambda x: {"y": x**3}  # noqa: E731
    assert propagate(fn, {"x": 1.0}, {"x": 1.5})["y"] == pytest.approx(7.875)
    assert propagate(fn, {"x": 1.0}, {"x": 1.5}, steps={"x": 1e-4})["y"] == pytest.approx(4.5, rel=1e-6)


def test_a_refused_side_falls_back_to_one_side():
    def fn(x):
        if x < 0.5:
            raise ValueError("x: below 0.5")
        return {"y": 2.0 * x}

    assert propagate(fn, {"x": 1.0}, {"x": 0.8})["y"] == pytest.approx(1.6)


def test_bad_step_is_refused_by_name():
    with pytest.raises(ValueError, match=r"steps\['x'\]"):
        propagate(lambda x: {"y": x}, {"x": 1.0}, {"x": 0.1}, steps={"x": 0.0})
