"""The README's derivative conventions table, row by row, on every target: values and gradients at the points where calculus
does not decide. Expected values are exact and written by hand (PyTorch's documented choices), not
taken from bpc."""
import math

import numpy as np
import pytest

from conftest import TARGETS, compile_for

NAN, INF = math.nan, math.inf

# (convention, formula, points: [(inputs...)], expected: [(value, (gradient per input...))])
CASES = [
    ("0**y: d/dy = 0 for y > 0", "x**y", [(0.0, 2.0), (0.0, 0.5), (0.0, 3.0)],
     [(0.0, (0.0, 0.0)), (0.0, (INF, 0.0)), (0.0, (0.0, 0.0))]),
    ("0**y with a constant zero base", "0**y", [(2.0,), (0.5,)], [(0.0, (0.0,)), (0.0, (0.0,))]),
    ("x**0: d/dx = 0, also at 0", "x**0 + x**y", [(0.0, 0.0), (2.0, 0.0)], [(2.0, (0.0, 0.0)), (2.0, (0.0, math.log(2.0)))]),
    ("negative base, non-integer constant power: nan", "x**0.5", [(-2.0,), (4.0,)], [(NAN, (NAN,)), (2.0, (0.25,))]),
    ("negative base, x**2.5: nan", "x**2.5", [(-2.0,), (4.0,)], [(NAN, (NAN,)), (32.0, (20.0,))]),
    ("negative base, x**(1/3): nan", "x**(1/3)", [(-8.0,)], [(NAN, (NAN,))]),
    ("negative constant base: real at integer powers, d/dy nan", "(-2)**y", [(2.0,), (3.0,), (0.5,)],
     [(4.0, (NAN,)), (-8.0, (NAN,)), (NAN, (NAN,))]),
    ("integer power of a negative base: never log", "x**2 + x**3", [(-1.0,)], [(0.0, (1.0,))]),
    ("floor, ceil, round, trunc, sign: derivative 0", "floor(x) + ceil(x) + round(x) + trunc(x) + sign(x)",
     [(1.5,), (-2.5,), (2.0,), (0.0,), (-0.7,)],
     [(1 + 2 + 2 + 1 + 1, (0.0,)), (-3 - 2 - 2 - 2 - 1, (0.0,)), (2 + 2 + 2 + 2 + 1, (0.0,)), (0.0, (0.0,)),
      (-1 + 0 - 1 + 0 - 1, (0.0,))]),
    ("frac' = 1", "frac(x)", [(-1.5,), (2.25,), (3.0,)], [(-0.5, (1.0,)), (0.25, (1.0,)), (0.0, (1.0,))]),
    ("a % b: floor-mod, derivatives 1 and -floor(a/b)", "x % y", [(5.5, -2.0), (-5.5, 2.0), (7.0, 2.0), (-1.0, 3.0)],
     [(5.5 % -2.0, (1.0, 3.0)), (-5.5 % 2.0, (1.0, 3.0)), (1.0, (1.0, -3.0)), (2.0, (1.0, 1.0))]),
    ("fmod: the sign of a, derivatives 1 and -trunc(a/b)", "fmod(x, y)", [(5.5, -2.0), (-5.5, 2.0)],
     [(math.fmod(5.5, -2.0), (1.0, 2.0)), (math.fmod(-5.5, 2.0), (1.0, 2.0))]),
    ("a // b = floor(a/b), derivative 0", "x // y", [(7.0, 2.0), (-7.0, 2.0)], [(3.0, (0.0, 0.0)), (-4.0, (0.0, 0.0))]),
    ("clamp inside, at the bounds (gradient passes) and outside", "clamp(x, lo, hi)",
     [(0.5, 0.0, 1.0), (0.0, 0.0, 1.0), (1.0, 0.0, 1.0), (-1.0, 0.0, 1.0), (2.0, 0.0, 1.0)],
     [(0.5, (1.0, 0.0, 0.0)), (0.0, (1.0, 0.0, 0.0)), (1.0, (1.0, 0.0, 0.0)), (0.0, (0.0, 1.0, 0.0)),
      (1.0, (0.0, 0.0, 1.0))]),
    ("hardtanh: strictly inside only", "hardtanh(x)", [(1.0,), (-1.0,), (0.5,), (2.0,)],
     [(1.0, (0.0,)), (-1.0, (0.0,)), (0.5, (1.0,)), (1.0, (0.0,))]),
    ("abs'(0) = 0", "abs(x)", [(0.0,), (-2.0,)], [(0.0, (0.0,)), (2.0, (-1.0,))]),
    ("relu'(0) = 0", "relu(x)", [(0.0,), (2.0,)], [(0.0, (0.0,)), (2.0, (1.0,))]),
    ("leaky_relu and elu at 0: the left slope", "leaky_relu(x, 0.1) + elu(y, 0.5)", [(0.0, 0.0)],
     [(0.0, (0.1, 0.5))]),
    ("max/min at a tie: split evenly", "max(x, y) + 3*min(x, y)", [(1.0, 1.0), (2.0, 1.0)],
     [(4.0, (2.0, 2.0)), (5.0, (1.0, 3.0))]),
    ("fmax/fmin: nan ignored, tie to a", "fmax(x, y) + 3*fmin(x, y)", [(1.0, 1.0), (NAN, 2.0), (2.0, NAN)],
     [(4.0, (4.0, 0.0)), (8.0, (0.0, 4.0)), (8.0, (4.0, 0.0))]),
    ("no gradient into a condition; where routes the gradient", "x*y if x > y else y**2",
     [(3.0, 2.0), (1.0, 2.0)], [(6.0, (2.0, 3.0)), (4.0, (0.0, 4.0))]),
    # as in PyTorch and JAX, a branch not taken whose own derivative is inf or nan still poisons the
    # gradient (sqrt'(0) * 0 = nan); the 'double where' keeps it out
    ("a branch not taken with an infinite derivative: nan", "where(x > 0, sqrt(x), 0)", [(0.0,), (-1.0,), (4.0,)],
     [(0.0, (NAN,)), (0.0, (NAN,)), (2.0, (0.25,))]),
    ("the double where", "where(x > 0, sqrt(where(x > 0, x, 1)), 0)", [(0.0,), (-1.0,), (4.0,)],
     [(0.0, (0.0,)), (0.0, (0.0,)), (2.0, (0.25,))]),
]


def same(got, want) -> bool:
    got = float(got)
    if math.isnan(want):
        return math.isnan(got)
    return got == want or abs(got - want) <= 1e-15 * abs(want)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_convention_holds(case, target):
    name, formula, points, expected = case
    g = compile_for(formula, target)
    columns = list(zip(*points))
    if target == "python":
        results = [g(*point) for point in points]
    else:                       # one call over every point
        f, grads = g(*[np.array(c, dtype=np.float64) for c in columns])
        results = [(f[k], tuple(gr[k] for gr in grads)) for k in range(len(points))]
    for point, (f, grads), (want_f, want_grads) in zip(points, results, expected):
        assert same(f, want_f), (target, formula, point, float(f), want_f)
        for got, want in zip(grads, want_grads):
            assert same(got, want), (target, formula, point, [float(x) for x in grads], want_grads)


def test_no_complex_number_reaches_emitted_code():
    for target in TARGETS:
        for formula in ("x**0.5", "x**2.5", "(-2)**y", "x**(1/3)", "(-0.5)**y + x**y"):
            source = compile_for(formula, target).source
            assert "I" not in source.replace("INPUTS", "").replace("Inputs", "").split("# forward pass")[1], \
                (target, formula)
