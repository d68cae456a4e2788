"""Every row of the rules table against sympy.diff and high-precision finite differences."""
import random

import numpy as np
import pytest
import sympy as sp

import compiler
from compiler import rules
from compiler.rules.scalar import relu, sigmoid, softplus
from conftest import TARGETS, compile_for
from oracle import fd, gradient, rel_err, value

A, B = sp.symbols("a b", real=True)
W = (-3.0, 3.0)
# the rows a formula can call, with partials: every one is tested here
SCALAR_ROWS = [r for r in rules.RULES.values() if r.partials is not None]

# Constant exponents each power row is tested with.
EXPONENTS = {"powi": [-3, -1, 0, 1, 2, 3, 7], "powc": [0.5, -0.5, 1.5, 2.75]}


def cases():
    for rule in SCALAR_ROWS:
        if rule.op in EXPONENTS:
            for c in EXPONENTS[rule.op]:
                yield pytest.param(rule, c, id=f"{rule.op}-{c}")
        else:
            yield pytest.param(rule, None, id=rule.op)


def sample(rule, rng):
    point = {}
    for sym, (lo, hi) in zip((A, B), rule.domain):
        point[sym] = rng.uniform(lo, hi)
    return point


@pytest.mark.parametrize("rule,const", list(cases()))
def test_partials_match_sympy_diff_and_finite_differences(rule, const):
    rng = random.Random(rule.op)
    args = (A, sp.Integer(const) if isinstance(const, int) else sp.Float(const)) if const is not None else (A, B)[:rule.arity]
    fwd = rule.forward(*args)
    partials = rule.partials(*args, fwd)
    variables = [s for s in args if isinstance(s, sp.Symbol)]
    for _ in range(5):
        point = {s: v for s, v in sample(rule, rng).items() if s in variables}
        if rule.op == "powi" and const < 0:
            point[A] = rng.choice([-1, 1]) * rng.uniform(0.3, 3)   # keep away from the pole
        expected = gradient(fwd, variables, point)
        got = [value(sp.sympify(p), point) for p, s in zip(partials, args) if isinstance(s, sp.Symbol)]
        for s, g, e in zip(variables, got, expected):
            assert rel_err(g, e) <= 1e-12, (rule.op, s, point, g, e)
            assert rel_err(g, fd(fwd, s, point)) <= 1e-12, (rule.op, s, point)


# One formula per row, as a user would write it.
FORMULAS = {
    "add": "a + b", "sub": "a - b", "mul": "a * b", "div": "a / b", "neg": "-a", "recip": "1 / a",
    "copy": "a", "powi": "a**3", "powc": "a**0.5", "pow": "a**b", "sqrt": "sqrt(a)", "exp": "exp(a)",
    "expm1": "expm1(a)", "log": "log(a)", "log1p": "log1p(a)", "sin": "sin(a)", "cos": "cos(a)",
    "tan": "tan(a)", "asin": "asin(a)", "acos": "acos(a)", "atan": "atan(a)", "atan2": "atan2(a, b)",
    "sinh": "sinh(a)", "cosh": "cosh(a)", "tanh": "tanh(a)", "erf": "erf(a)", "abs": "abs(a)",
    "max": "max(a, b)", "min": "min(a, b)", "sigmoid": "sigmoid(a)", "relu": "relu(a)",
    "softplus": "softplus(a)", "logaddexp": "logaddexp(a, b)", "hypot": "hypot(a, b)",
}
REFERENCE = {
    "a + b": A + B, "a - b": A - B, "a * b": A * B, "a / b": A / B, "-a": -A, "1 / a": 1 / A, "a": A,
    "a**3": A**3, "a**0.5": A**sp.Rational(1, 2), "a**b": A**B, "sqrt(a)": sp.sqrt(A), "exp(a)": sp.exp(A),
    "expm1(a)": sp.exp(A) - 1, "log(a)": sp.log(A), "log1p(a)": sp.log(1 + A), "sin(a)": sp.sin(A),
    "cos(a)": sp.cos(A), "tan(a)": sp.tan(A), "asin(a)": sp.asin(A), "acos(a)": sp.acos(A),
    "atan(a)": sp.atan(A), "atan2(a, b)": sp.atan2(A, B), "sinh(a)": sp.sinh(A), "cosh(a)": sp.cosh(A),
    "tanh(a)": sp.tanh(A), "erf(a)": sp.erf(A), "abs(a)": sp.Abs(A), "max(a, b)": sp.Max(A, B),
    "min(a, b)": sp.Min(A, B), "sigmoid(a)": sigmoid(A), "relu(a)": relu(A), "softplus(a)": softplus(A),
    "logaddexp(a, b)": sp.log(sp.exp(A) + sp.exp(B)), "hypot(a, b)": sp.sqrt(A**2 + B**2),
}


def test_every_row_has_a_formula():
    assert set(FORMULAS) == {r.op for r in SCALAR_ROWS}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("op", sorted(FORMULAS))
def test_each_row_compiles_and_matches_sympy(op, target):
    """The printed forward and backward code of every row, on every target, against SymPy."""
    rule = rules.RULES[op]
    text = FORMULAS[op]
    g = compile_for(text, target)
    rng = random.Random(op)
    ref = REFERENCE[text]
    syms = {"a": A, "b": B}
    for _ in range(5):
        point = {name: rng.uniform(*rule.domain[i]) for i, name in enumerate(g.inputs)}
        subs = {syms[k]: v for k, v in point.items()}
        f, grads = g(**point)
        assert rel_err(float(f), value(ref, subs)) <= 1e-13
        expected = gradient(ref, [syms[n] for n in g.wrt], subs)
        for got, want in zip(grads, expected):
            assert rel_err(float(got), want) <= 1e-12, (op, target, point, got, want)
        if target != "python":     # the same statements as the python target: equal to 1e-12
            fp, grads_p = compiler.compile(text, target="python")(**point)
            for got, want in zip((f, *grads), (fp, *grads_p)):
                assert rel_err(float(got), want) <= 1e-12, (op, target, point, got, want)


def test_malformed_rule_fails_at_definition():
    with pytest.raises(TypeError, match="partials"):
        rules.row("bad", lambda a, b: a + b, lambda a, out: (1,), (W, W), "{0}")
    with pytest.raises(TypeError, match="returns 1 partials for 2 inputs"):
        rules.row("bad", lambda a, b: a + b, lambda a, b, out: (1,), (W, W), "{0}")
    with pytest.raises(TypeError, match="test interval"):
        rules.row("bad", lambda a: a, lambda a, out: (1,), (), "{0}")


def test_missing_rule_is_an_error_naming_the_function():
    x = sp.Symbol("x")
    with pytest.raises(compiler.BpcError, match="gamma"):
        compiler.compile(sp.gamma(x))


def test_integer_power_never_takes_log():
    """x**2 at x = -1: the powi row must not evaluate log(x) (CasADi's old NaN bug)."""
    for target in TARGETS:
        g = compile_for("x**2", target)
        assert "log" not in g.source.split("# backward pass")[1]
        f, (dx,) = g(-1.0)
        assert (float(f), float(dx)) == (1.0, -2.0)
