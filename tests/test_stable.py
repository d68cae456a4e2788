"""Numerically stable rewrites: at inputs where the literal formula overflows or loses every digit,
the rewritten one matches mpmath (50 digits) to 1e-12, value and gradient; stable=False shows the literal
translation failing there, so each test fails without its rewrite."""
import mpmath
import pytest

import compiler
from conftest import TARGETS, compile_for


#  formula,                    point,                        mpmath reference
CASES = [
    ("log(1 + exp(x))",        {"x": 800.0},                 lambda x: mpmath.log(1 + mpmath.exp(x))),
    ("log(1 + exp(x))",        {"x": -40.0},                 lambda x: mpmath.log(1 + mpmath.exp(x))),
    ("log(sigmoid(x))",        {"x": -800.0},                lambda x: mpmath.log(1 / (1 + mpmath.exp(-x)))),
    ("log(exp(x) + exp(y))",   {"x": 1000.0, "y": 999.0},    lambda x, y: mpmath.log(mpmath.exp(x) + mpmath.exp(y))),
    ("log(exp(x) + exp(y) + exp(z))", {"x": -900.0, "y": -901.0, "z": -902.0},
                                                             lambda x, y, z: mpmath.log(mpmath.exp(x) + mpmath.exp(y) + mpmath.exp(z))),
    ("log(1 + x)",             {"x": 1e-20},                 lambda x: mpmath.log(1 + x)),
    ("exp(x) - 1",             {"x": 1e-20},                 lambda x: mpmath.exp(x) - 1),
    ("sqrt(x**2 + y**2)",      {"x": 3e200, "y": 4e200},     lambda x, y: mpmath.sqrt(x**2 + y**2)),
    ("sqrt(x**2 + y**2)",      {"x": 3e-200, "y": 4e-200},   lambda x, y: mpmath.sqrt(x**2 + y**2)),
]


def reference(fn, point):
    """Value and gradient at 50 digits (mpmath's precision is set here, not globally: other tests in
    the same process change it)."""
    with mpmath.workdps(50):
        args = [mpmath.mpf(v) for v in point.values()]
        value = fn(*args)
        grads = [mpmath.diff(lambda t, i=i: fn(*(args[:i] + [t] + args[i + 1:])), args[i],
                             h=(abs(args[i]) or 1) * mpmath.mpf(10) ** -20) for i in range(len(args))]
        return float(value), [float(g) for g in grads]


def accurate(g, point, fn) -> bool:
    value, grads = g(**point)
    want, want_grads = reference(fn, point)
    # 1e-12: exp(x - out) in the log-sum-exp gradient inherits an ulp of out = 1000 (1e-13)
    close = [abs(float(a) - b) <= 1e-12 * abs(b) for a, b in zip((value, *grads), (want, *want_grads))]
    return all(close)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("formula,point,fn", CASES, ids=[f"{c[0]}@{list(c[1].values())[0]:g}" for c in CASES])
def test_stable_rewrite_is_accurate_where_the_literal_form_fails(formula, point, fn, target):
    assert accurate(compile_for(formula, target), point, fn)
    assert not accurate(compile_for(formula, target, stable=False), point, fn)


def test_rewrites_keep_user_names_and_the_literal_form_is_available():
    g = compiler.compile("e = exp(x)\nl = log(1 + e)\nf = l * e")
    names = {s.name: s.op for s in g.graph.stages}
    assert names == {"e": "exp", "l": "softplus", "f": "mul"}
    literal = compiler.compile("log(1 + exp(x))", stable=False)
    assert [s.op for s in literal.graph.stages] == ["exp", "add", "log"]
