"""Every row of the rules table against sympy.diff and high-precision finite differences."""
import math
import random
import re

import numpy as np
import pytest
import sympy as sp

import compiler
from compiler import rules
from conftest import TARGETS, compile_for
from oracle import fd, gradient, rel_err, value
from test_primitives import weighted_program

A, B, C = sp.symbols("a b c", real=True)
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


def arguments(rule):
    """The row's arguments: symbols a, b, c, and for arguments that must be constants the low end
    of their test interval."""
    symbols = iter((A, B, C))
    return [sp.sympify(rule.domain[k][0]) if k in rule.constant_args else next(symbols) for k in range(rule.arity)]


def sample(rule, rng, args):
    return {s: rng.uniform(*rule.domain[k]) for k, s in enumerate(args) if isinstance(s, sp.Symbol)}


def _gradient(ref, symbols, point):
    """sympy.diff evaluated at 30 digits; where SymPy cannot evaluate it (floor, mod ...), mpmath's
    high-precision finite difference of the reference."""
    return [g if math.isfinite(g) else fd(ref, s, point) for g, s in zip(gradient(ref, symbols, point), symbols)]


@pytest.mark.parametrize("rule,const", list(cases()))
def test_partials_match_sympy_diff_and_finite_differences(rule, const):
    rng = random.Random(rule.op)
    args = (A, sp.Integer(const) if isinstance(const, int) else sp.Float(const)) if const is not None else arguments(rule)
    fwd = rule.forward(*args)
    partials = rule.partials(*args, fwd)
    variables = [s for s in args if isinstance(s, sp.Symbol)]
    for _ in range(5):
        point = sample(rule, rng, args)
        if rule.op == "powi" and const < 0:
            point[A] = rng.choice([-1, 1]) * rng.uniform(0.3, 3)   # keep away from the pole
        expected = _gradient(fwd, variables, point)
        got = [value(sp.sympify(p), point) for p, s in zip(partials, args) if isinstance(s, sp.Symbol)]
        for s, g, e in zip(variables, got, expected):
            assert rel_err(g, e) <= 1e-12, (rule.op, s, point, g, e)
            assert rel_err(g, fd(fwd, s, point)) <= 1e-12, (rule.op, s, point)


COMPARISONS = ("gt", "ge", "lt", "le", "eq", "ne")
# One formula per row, as a user would write it: operators here, every named row from its names.
OPERATORS = {
    "add": ("a + b", A + B), "sub": ("a - b", A - B), "mul": ("a * b", A * B), "div": ("a / b", A / B),
    "neg": ("-a", -A), "recip": ("1 / a", 1 / A), "copy": ("a", A), "powi": ("a**3", A**3),
    "powc": ("a**0.5", A**sp.Rational(1, 2)), "pow": ("a**b", A**B),
}


def _formula(rule):
    """(formula text, SymPy reference) for a row: operators above, functions by their first name;
    arguments that must be constants take the low end of their test interval."""
    if rule.op in OPERATORS:
        return OPERATORS[rule.op]
    args = arguments(rule)
    text = f"{rule.names[0]}({', '.join(str(a) for a in args)})"
    return text, (rule.reference or rule.forward)(*args)


FORMULAS = {rule.op: _formula(rule) for rule in SCALAR_ROWS if rule.names or rule.op in OPERATORS}


def test_every_row_has_a_formula():
    """Every row a formula can call, or an operator; comparisons are tested through where; the
    helpers that only appear inside derivatives (step, sign, pow_dbase ...) are tested above."""
    helpers = {r.op for r in rules.scalar.HELPERS}
    assert all(rule.names or rule.op in OPERATORS or rule.op in COMPARISONS or rule.op in helpers
               for rule in SCALAR_ROWS)


# One program per group of rows and target (as tests/test_primitives.py groups its cases): row r is
# a stage of its own over its own variables, weighted by an input w<r> that is 1 at every call, so
# d/dw<r> is the row's value and d/da<r> its partial, as a program of that row alone computes them.
ROW_GROUP = 25
ROW_GROUPS = [sorted(FORMULAS)[i:i + ROW_GROUP] for i in range(0, len(FORMULAS), ROW_GROUP)]
ROW_GROUP_OF = {op: gi for gi, ops in enumerate(ROW_GROUPS) for op in ops}
SYMBOLS = {"a": A, "b": B, "c": C}


def _variables(text):
    return [n for n in "abc" if re.search(rf"\b{n}\b", text)]


def _row_points(op):
    """Five points of the row's test interval: [{symbol: value}]."""
    rule = rules.RULES[op]
    rng = random.Random(op)
    used = {SYMBOLS[n] for n in _variables(FORMULAS[op][0])}
    args = arguments(rule) if op not in OPERATORS else [A, B][:rule.arity]
    if op in OPERATORS:
        return [{s: rng.uniform(*rule.domain[k]) for k, s in enumerate((A, B)) if s in used} for _ in range(5)]
    return [sample(rule, rng, args) for _ in range(5)]


_ROW_RESULTS: dict = {}


def row_group_results(gi, target):
    """{op: [(point, value, partials in a, b, c order)]} for the group's program on the target."""
    if (gi, target) not in _ROW_RESULTS:
        stages, columns = [], {}
        for r, op in enumerate(ROW_GROUPS[gi]):
            text, points = FORMULAS[op][0], _row_points(op)
            stages.append((re.sub(r"\b([abc])\b", lambda m: m.group(1) + str(r), text),
                           [f"{n}{r}" for n in _variables(text)]))
            columns[f"w{r}"] = np.ones(5)
            for n in _variables(text):
                columns[f"{n}{r}"] = np.array([p[SYMBOLS[n]] for p in points])
        source, inputs = weighted_program("rows", stages)
        g = compile_for(source, target)
        assert g.wrt == inputs
        if target == "python":
            grads = list(zip(*[[float(d) for d in g(*(columns[n][i] for n in inputs))[1]] for i in range(5)]))
        else:
            grads = [np.broadcast_to(np.asarray(d, dtype=np.float64), (5,)) for d in g(*(columns[n] for n in inputs))[1]]
        column = dict(zip(inputs, grads))
        _ROW_RESULTS[gi, target] = {
            op: [(point, float(column[f"w{r}"][i]), [float(column[f"{n}{r}"][i]) for n in _variables(FORMULAS[op][0])])
                 for i, point in enumerate(_row_points(op))]
            for r, op in enumerate(ROW_GROUPS[gi])}
    return _ROW_RESULTS[gi, target]


_SYMPY: dict = {}


def sympy_reference(op):
    """[(value, [partial per variable])] of the row's SymPy form at its points, computed once per row."""
    if op not in _SYMPY:
        text, ref = FORMULAS[op]
        syms = [SYMBOLS[n] for n in _variables(text)]
        _SYMPY[op] = [(value(ref, subs), _gradient(ref, syms, subs)) for subs in _row_points(op)]
    return _SYMPY[op]


@pytest.mark.parametrize("op,target", [
    pytest.param(op, target, id=f"{op}-{target}@rows-{ROW_GROUP_OF[op]}")
    for op in sorted(FORMULAS) for target in TARGETS])
def test_each_row_compiles_and_matches_sympy(op, target):
    """The printed forward and backward code of every row, on every target, against SymPy."""
    results = row_group_results(ROW_GROUP_OF[op], target)[op]
    python = row_group_results(ROW_GROUP_OF[op], "python")[op]
    for (subs, f, grads), (_, fp, grads_p), (want_f, expected) in zip(results, python, sympy_reference(op)):
        point = {s.name: v for s, v in subs.items()}
        assert rel_err(f, want_f) <= 1e-13, (op, target, point, f)
        for got, want in zip(grads, expected):
            assert rel_err(got, want) <= 1e-12, (op, target, point, got, want)
        # the same statements as the python target: equal to 1e-12
        for got, want in zip((f, *grads), (fp, *grads_p)):
            assert rel_err(got, want) <= 1e-12, (op, target, point, got, want)


def test_malformed_rule_fails_at_definition():
    with pytest.raises(TypeError, match="partials"):
        rules.row("bad", lambda a, b: a + b, lambda a, out: (1,), (W, W), "{0}")
    with pytest.raises(TypeError, match="returns 1 partials for 2 inputs"):
        rules.row("bad", lambda a, b: a + b, lambda a, b, out: (1,), (W, W), "{0}")
    with pytest.raises(TypeError, match="test interval"):
        rules.row("bad", lambda a: a, lambda a, out: (1,), (), "{0}")


def test_missing_rule_is_an_error_naming_the_function():
    x = sp.Symbol("x")
    with pytest.raises(compiler.BpcError, match="fresnels"):
        compiler.compile(sp.fresnels(x))


def test_integer_power_never_takes_log():
    """x**2 at x = -1: the powi row must not evaluate log(x) (CasADi's old NaN bug)."""
    for target in TARGETS:
        g = compile_for("x**2", target)
        assert "log" not in g.source.split("# backward pass")[1]
        f, (dx,) = g(-1.0)
        assert (float(f), float(dx)) == (1.0, -2.0)


# -- the table is closed under differentiation -----------------------------------------------------

from compiler.rules import calculus  # noqa: E402


def _only_rows(expr):
    """Every function in ``expr`` is a row's (no Derivative, DiracDelta, Subs or unknown function)."""
    assert not expr.has(sp.Derivative, sp.Subs, sp.DiracDelta), expr
    for f in expr.atoms(sp.Function):
        assert type(f) in rules.BY_CLASS, (type(f).__name__, expr)


def _second(ref, s, t, point):
    """d2(ref)/(ds dt) from sympy.diff at 30 digits, else mpmath's finite difference of sympy.diff."""
    ref = rules.to_reference(ref)
    got = math.nan
    try:
        got = value(sp.diff(ref, s, t), point)
    except (RecursionError, KeyError, ValueError, TypeError, AttributeError):
        pass
    if math.isfinite(got):
        return got
    first = sp.diff(ref, s)
    return fd(first, t, point) if not first.has(sp.Derivative) else math.nan


@pytest.mark.parametrize("rule,const", list(cases()))
def test_partials_differentiate_twice_into_rows(rule, const):
    """Each row's partials, differentiated twice through the table (``rules.calculus``), are built
    from rows only, and the second derivatives equal sympy.diff of the row's reference (or mpmath's
    finite differences of its first derivative) at random points of the row's test interval."""
    rng = random.Random("second-" + rule.op)
    args = (A, sp.Integer(const) if isinstance(const, int) else sp.Float(const)) if const is not None else arguments(rule)
    fwd = rule.forward_expr(*args)
    variables = [s for s in args if isinstance(s, sp.Symbol)]
    firsts = {s: calculus.diff(fwd, s) for s in variables}
    seconds = {}
    for s in variables:
        _only_rows(firsts[s])
        for t in variables:
            seconds[s, t] = calculus.diff(firsts[s], t)
            _only_rows(seconds[s, t])
            _only_rows(calculus.diff(seconds[s, t], s))       # and a third time
    reference = (rule.reference or rule.forward)(*args) if rule.sympy is not None else fwd
    for _ in range(3):
        point = sample(rule, rng, args)
        if rule.op == "powi" and const < 0:
            point[A] = rng.choice([-1, 1]) * rng.uniform(0.3, 3)
        for (s, t), d2 in seconds.items():
            want = _second(reference, s, t, point)
            if not math.isfinite(want):
                continue
            got = value(d2, point)
            assert rel_err(got, want) <= 1e-9 or abs(got - want) <= 1e-12, (rule.op, s, t, point, got, want)


def test_sympy_diff_of_bpc_functions_uses_the_rows():
    """sympy.diff of a bpc-only function takes its partials from its row: no Derivative."""
    a = sp.Symbol("a")
    for cls in (rules.function("sigmoid"), rules.function("step"), rules.function("relu")):
        assert not sp.diff(cls(a), a, 2).has(sp.Derivative)


def test_a_function_without_a_row_is_an_error():
    x = sp.Symbol("x")
    with pytest.raises(compiler.BpcError, match="fresnels"):
        calculus.diff(sp.fresnels(x), x)
