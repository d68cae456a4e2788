"""Differential testing: random expressions at random and edge inputs (0, ±inf, nan, subnormals,
±1e308, ±710) give the same results on every target. 500 expressions per run, a new seed each
run unless BPC_DIFF_SEED is set; a failure prints the seed and the expression.

- python and numpy run the same NumPy ufuncs: identical non-finite pattern, values within 1e-12
  relative, everywhere.
- numba calls the C math library instead of NumPy's SIMD loops. The two differ by an ulp now and
  then, and an ill-conditioned expression (cos near a zero, a gradient sum that cancels, cos(x**2)
  at x = 710) turns that ulp into much more than 1e-12 of its result. So numba must show the
  identical non-finite pattern everywhere, and its finite values must agree within 1e-12 relative
  plus the python target's own change under a relative input perturbation of 4 ulps (its
  sensitivity), plus 1e-15 absolute for results that cancel to about zero.
"""
import os
import random
import warnings

import numpy as np
import pytest

import compiler

UNARY = ["exp", "log", "log1p", "expm1", "sqrt", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh",
         "tanh", "erf", "abs", "sigmoid", "relu", "softplus"]
BINARY = ["+", "-", "*", "/", "**", "atan2", "max", "min"]
EDGES = [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, -2.2e-308, 1e308, -1e308, 710.0, -710.0, 1.0, -1.0, 0.5]
SEED = int(os.environ.get("BPC_DIFF_SEED", random.SystemRandom().randrange(2**32)))


def expression(rng: random.Random, depth: int) -> str:
    if depth == 0 or rng.random() < 0.2:
        return rng.choice(["x", "y", "x", "y", "2", "0.5", "3"])
    if rng.random() < 0.45:
        return f"{rng.choice(UNARY)}({expression(rng, depth - 1)})"
    op = rng.choice(BINARY)
    a, b = expression(rng, depth - 1), expression(rng, depth - 1)
    if op in ("atan2", "max", "min"):
        return f"{op}({a}, {b})"
    if op == "**":
        return f"({a})**{rng.choice(['2', '3', '-1', '0.5', '(' + b + ')'])}"
    return f"({a}) {op} ({b})"


def same(a, b, slack=None) -> bool:
    """Same nan/inf pattern; finite entries within 1e-12 relative (plus ``slack`` where given)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        return False
    fin = np.isfinite(a) & np.isfinite(b)
    if not np.array_equal(np.isfinite(a), np.isfinite(b)) or not np.array_equal(a[np.isinf(a)], b[np.isinf(b)]):
        return False
    allowed = 1e-12 * np.maximum(np.abs(a), np.abs(b))
    if slack is not None:
        allowed = allowed + np.where(np.isfinite(slack), slack, np.inf)
    return bool(np.all(np.abs(a[fin] - b[fin]) <= allowed[fin]))


def python_values(gp, call, n):
    rows = [gp(**{k: v[i] for k, v in call.items()}) for i in range(n)]
    return [np.array([r[0] for r in rows])] + [np.array([r[1][j] for r in rows]) for j in range(len(gp.wrt))]


@pytest.mark.parametrize("chunk", range(10))
def test_targets_agree(chunk):
    rng = random.Random(f"{SEED}-{chunk}")
    xs = np.array(EDGES + [rng.uniform(-3, 3) for _ in range(10)])
    x, y = (a.ravel() for a in np.meshgrid(xs, xs))
    for _ in range(50):
        text = expression(rng, 4)
        try:
            gp = compiler.compile(text, target="python")
        except compiler.BpcError:       # e.g. 2/(2 - 2): a documented refusal, not a disagreement
            continue
        if not gp.inputs:
            text = f"({text}) * x"
            gp = compiler.compile(text, target="python")
        gn = compiler.compile(text, target="numpy")
        gb = compiler.compile(text, target="numba", parallel=False)
        args = {"x": x, "y": y}
        call = {n: args[n] for n in gp.inputs}
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fn, gradn = gn(**call)
            fb, gradb = gb(**call)
            exact = python_values(gp, call, len(x))
            up = python_values(gp, {k: v * (1 + 2.0**-50) for k, v in call.items()}, len(x))
            down = python_values(gp, {k: v * (1 - 2.0**-50) for k, v in call.items()}, len(x))
        context = f"seed {SEED}-{chunk}: {text}"
        for k, (a, b, c) in enumerate(zip([fn, *gradn], [fb, *gradb], exact)):
            with np.errstate(all="ignore"):
                sensitivity = np.maximum(np.abs(up[k] - c), np.abs(down[k] - c))
            assert same(a, c), (context, k)
            assert same(b, c, 8 * sensitivity + 1e-15), (context, k)
