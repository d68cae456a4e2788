"""Edge inputs: IEEE results (inf, nan), never an exception or a warning, on every target.

Expected values are written out by hand from IEEE 754 arithmetic and the
conventions in the README (relu'(0) = 0, abs'(0) = 0, max ties split).
"""
import math
import warnings

import numpy as np
import pytest

import compiler
from conftest import TARGETS, compile_for

inf, nan = math.inf, math.nan

#  formula            inputs           value          gradient
EDGES = [
    ("exp(x)",        (710.0,),        inf,           (inf,)),
    ("exp(x)",        (-inf,),         0.0,           (0.0,)),
    ("exp(x)",        (nan,),          nan,           (nan,)),
    ("log(x)",        (0.0,),          -inf,          (inf,)),
    ("log(x)",        (-1.0,),         nan,           (-1.0,)),
    ("log(x)",        (inf,),          inf,           (0.0,)),
    ("1/x",           (0.0,),          inf,           (-inf,)),
    ("x/y",           (1.0, 0.0),      inf,           (inf, -inf)),
    ("x/y",           (0.0, 0.0),      nan,           (inf, nan)),
    ("sigmoid(x)",    (710.0,),        1.0,           (0.0,)),
    ("sigmoid(x)",    (-710.0,),       0.0,           (0.0,)),
    ("sigmoid(x)",    (inf,),          1.0,           (0.0,)),
    ("sigmoid(x)",    (-inf,),         0.0,           (0.0,)),
    ("softplus(x)",   (710.0,),        710.0,         (1.0,)),
    ("softplus(x)",   (1e308,),        1e308,         (1.0,)),
    ("softplus(x)",   (-inf,),         0.0,           (0.0,)),
    ("x**2",          (1e308,),        inf,           (inf,)),
    ("x**2",          (-1e308,),       inf,           (-inf,)),
    ("x**2",          (-1.0,),         1.0,           (-2.0,)),
    ("x**3",          (0.0,),          0.0,           (0.0,)),
    ("x**-1",         (0.0,),          inf,           (-inf,)),
    ("x**0.5",        (-1.0,),         nan,           (nan,)),
    ("x**y",          (0.0, 2.0),      0.0,           (0.0, 0.0)),
    ("x**y",          (0.0, 0.0),      1.0,           (0.0, 0.0)),
    ("x**y",          (-8.0, 1/3),     nan,           (nan, nan)),
    ("sqrt(x)",       (0.0,),          0.0,           (inf,)),
    ("sqrt(x)",       (-1.0,),         nan,           (nan,)),
    ("tanh(x)",       (710.0,),        1.0,           (0.0,)),
    ("cosh(x)",       (711.0,),        inf,           (inf,)),
    ("sinh(x)",       (-711.0,),       -inf,          (inf,)),
    ("expm1(x)",      (710.0,),        inf,           (inf,)),
    ("log1p(x)",      (-1.0,),         -inf,          (inf,)),
    ("asin(x)",       (2.0,),          nan,           (nan,)),
    ("sin(x)",        (inf,),          nan,           (nan,)),
    ("atan(x)",       (inf,),          math.pi / 2,   (0.0,)),
    ("erf(x)",        (inf,),          1.0,           (0.0,)),
    ("relu(x)",       (0.0,),          0.0,           (0.0,)),
    ("abs(x)",        (0.0,),          0.0,           (0.0,)),
    ("max(x, y)",     (1.0, 1.0),      1.0,           (0.5, 0.5)),
    ("min(x, y)",     (2.0, 2.0),      2.0,           (0.5, 0.5)),
    ("x*y",           (0.0, inf),      nan,           (inf, 0.0)),
    ("x - x",         (inf,),          nan,           (0.0,)),
]


def same(a, b) -> bool:
    a, b = float(a), float(b)
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("formula,inputs,value,grad", EDGES, ids=[f"{e[0]}@{e[1]}" for e in EDGES])
def test_edge_inputs(formula, inputs, value, grad, target):
    g = compile_for(formula, target)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f, grads = g(*inputs)
    assert same(f, value), (f, value)
    assert all(same(a, b) for a, b in zip(grads, grad)), (grads, grad)


@pytest.mark.parametrize("target", ["numpy", "numba", "cuda"])
def test_edge_arrays_match_python_pointwise(target):
    """Bit for bit, signed zeros and nan included; numba (on compiler.vecmath) against the python
    module run on the same vecmath functions (tests/test_differential.py explains why)."""
    from test_differential import VECMATH, VECMATH_MATH, python_on

    special = np.array([0.0, -0.0, inf, -inf, nan, 1e308, -1e308, 710.0, -710.0, 5e-324, 1.0, -1.0])
    x, y = np.meshgrid(special, special)
    x, y = x.ravel(), y.ravel()
    for formula in ("(x + sigmoid(y)) / (sigmoid(x) + (x + y)**2)", "softplus(x) * tanh(y) - exp(x - y)",
                    "sqrt(x**2 + y**2) + atan2(y, x) + max(x, y) + relu(y) + abs(x)"):
        gn = compiler.compile(formula, target=target)
        gp = compiler.compile(formula, target="python")
        if target == "numba":
            gp = python_on(gp, VECMATH, VECMATH_MATH)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            f, grads = gn(x, y)
            for i in range(len(x)):
                fp, gradsp = gp(x[i], y[i])
                assert same(f[i], fp), (formula, x[i], y[i])
                for a, b in zip(grads, gradsp):
                    assert same(a[i], b), (formula, x[i], y[i], a[i], b)


# Disagreements between targets found by tests/fuzz/differential_targets.py, now regression tests:
# every target must give the same bits, signed zeros included.
#  formula        inputs
REGRESSIONS = [
    ("x**0.5",    (-np.inf,)),          # NumPy arrays took sqrt (nan), scalars pow (inf)
    ("x**0.5",    (-0.0,)),             # sqrt(-0.0) = -0.0, pow(-0.0, 0.5) = 0.0
    ("x**y",      (-np.inf, 0.5)),      # a run-time exponent of 0.5: NumPy's power switched to sqrt
    ("x**y",      (-0.0, 0.5)),
    ("max(x, y)", (0.0, -0.0)),         # Numba's np.maximum returned the other zero
    ("max(x, y)", (-0.0, 0.0)),
    ("min(x, y)", (0.0, -0.0)),
    ("relu(x)",   (-0.0,)),             # Numba's np.maximum(-0.0, 0.0) gave -0.0
    # Python floats raise on 1/0.0 and on overflow: no target may leave a value a Python float
    ("1/erf(x)",  (0.0,)),              # math.erf returned a Python float on python (and the simulator)
    ("2.5/relu(x)", (-1.0,)),           # the ternary's 0.0 in the CUDA simulator
    ("1/max(x, 0)", (-1.0,)),
    ("1/abs(x)", (0.0,)),               # abs' is sign: its 0.0 branch
    ("1/(x - softplus(x))", (-np.inf,)),
    # x**3 was x*x*x in Numba (two roundings) and C's pow on NumPy scalars, and x**2 was C's pow
    # on NumPy scalars but x*x elsewhere: found as exact cancellations (0.0 vs -8.5e-22) by the
    # differential test; now pow for n >= 3 and x*x for squares everywhere
    ("x**3 - x**2*x", (-1.3275170599102342,)),
    ("x**3 - x**2*x", (-1.849539948621794,)),
    # x/(2 - 2) is x/0; its partial 1/0 was SymPy's zoo, printed as a name that does not exist
    ("x/(2 - 2)", (1.0,)),
    ("atan(y/(0.5 - 0.5) - x)", (1.0, -2.0)),
]


def bits(v) -> tuple:
    v = float(v)
    return ("nan",) if math.isnan(v) else (v, math.copysign(1.0, v))


@pytest.mark.parametrize("formula,inputs", REGRESSIONS, ids=[f"{f}@{i}" for f, i in REGRESSIONS])
def test_targets_give_the_same_bits(formula, inputs):
    results = []
    for target in TARGETS:
        g = compile_for(formula, target)
        args = inputs if target == "python" else [np.array([v, v]) for v in inputs]
        f, grads = g(*args)
        results.append([bits(np.ravel(v)[0]) for v in (f, *grads)])
    assert all(r == results[0] for r in results), dict(zip(TARGETS, results))
