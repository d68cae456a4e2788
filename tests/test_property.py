"""Property-based: random expressions over every primitive, every target, against sympy.diff.

Hypothesis builds an expression twice: as formula text (what bpc compiles) and
as a SymPy expression (the oracle, never seen by bpc). Functions with a
restricted domain get an argument that stays inside it (log(a**2 + 0.5), ...).
"""
import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import compiler
from conftest import compile_for
from oracle import gradient, value

NAMES = ("x", "y", "z")
SYM = {n: sp.Symbol(n, real=True) for n in NAMES}
HALF = sp.Rational(1, 2)


def sig(e):
    return 1 / (1 + sp.exp(-e))


# name -> (text template, SymPy builder)
UNARY = {
    "neg": ("-({0})", lambda a: -a),
    "exp": ("exp({0})", sp.exp),
    "expm1": ("expm1({0})", lambda a: sp.exp(a) - 1),
    "log": ("log(({0})**2 + 0.5)", lambda a: sp.log(a**2 + HALF)),
    "log1p": ("log1p(({0})^2)", lambda a: sp.log(1 + a**2)),
    "sqrt": ("sqrt(({0})**2 + 0.5)", lambda a: sp.sqrt(a**2 + HALF)),
    "sin": ("sin({0})", sp.sin),
    "cos": ("cos({0})", sp.cos),
    "tan": ("tan(tanh({0}))", lambda a: sp.tan(sp.tanh(a))),
    "asin": ("asin(0.9*tanh({0}))", lambda a: sp.asin(sp.Rational(9, 10) * sp.tanh(a))),
    "acos": ("acos(0.9*tanh({0}))", lambda a: sp.acos(sp.Rational(9, 10) * sp.tanh(a))),
    "atan": ("atan({0})", sp.atan),
    "sinh": ("sinh({0})", sp.sinh),
    "cosh": ("cosh({0})", sp.cosh),
    "tanh": ("tanh({0})", sp.tanh),
    "erf": ("erf({0})", sp.erf),
    "abs": ("abs({0})", sp.Abs),
    "sigmoid": ("sigmoid({0})", sig),
    "relu": ("relu({0})", lambda a: sp.Max(a, 0)),
    "softplus": ("softplus({0})", lambda a: sp.log(1 + sp.exp(a))),
    "sq": ("({0})**2", lambda a: a**2),
    "cube": ("({0})^3", lambda a: a**3),
    "powc": ("(({0})**2 + 0.5)**1.5", lambda a: (a**2 + HALF) ** sp.Rational(3, 2)),
    "recip": ("1/(({0})**2 + 0.5)", lambda a: 1 / (a**2 + HALF)),
}
BINARY = {
    "add": ("({0}) + ({1})", lambda a, b: a + b),
    "sub": ("({0}) - ({1})", lambda a, b: a - b),
    "mul": ("({0}) * ({1})", lambda a, b: a * b),
    "div": ("({0}) / (({1})**2 + 0.5)", lambda a, b: a / (b**2 + HALF)),
    "pow": ("(({0})**2 + 0.5)**({1})", lambda a, b: (a**2 + HALF) ** b),
    "atan2": ("atan2({0}, ({1})**2 + 0.5)", lambda a, b: sp.atan2(a, b**2 + HALF)),
    "max": ("max({0}, {1})", sp.Max),
    "min": ("min({0}, {1})", sp.Min),
}

# Where a function has a kink: the derivative jumps where this expression is 0.
KINKS = {"abs": lambda a: a, "relu": lambda a: a, "max": lambda a, b: a - b, "min": lambda a, b: a - b}

# An expression is (text, SymPy oracle, kink expressions). The kinks are recorded while
# building, because SymPy may simplify a kink away (Max(x, Min(x, y)) -> x) and hide it.
leaves = st.one_of(
    st.sampled_from(NAMES).map(lambda n: (n, SYM[n], ())),
    st.sampled_from([("2", sp.Integer(2), ()), ("0.5", HALF, ()), ("3", sp.Integer(3), ()), ("pi", sp.pi, ())]),
)


def _unary(t):
    name, (text, expr, kinks) = t
    new = (KINKS[name](expr),) if name in KINKS else ()
    return UNARY[name][0].format(text), UNARY[name][1](expr), kinks + new


def _binary(t):
    name, (ta, ea, ka), (tb, eb, kb) = t
    new = (KINKS[name](ea, eb),) if name in KINKS else ()
    return BINARY[name][0].format(ta, tb), BINARY[name][1](ea, eb), ka + kb + new


def _extend(children):
    unary = st.tuples(st.sampled_from(sorted(UNARY)), children).map(_unary)
    binary = st.tuples(st.sampled_from(sorted(BINARY)), children, children).map(_binary)
    return unary | binary


expressions = st.recursive(leaves, _extend, max_leaves=8).filter(
    lambda e: any(n in e[0] for n in NAMES))
points = st.lists(st.floats(-1.5, 1.5, allow_nan=False), min_size=3, max_size=3)


def close(got: float, want: float, scale: float = 0.0) -> bool:
    """Relative error <= 1e-9; near zero, absolute error <= 1e-12, or <= 1e-14 * ``scale`` (the
    size of the value, for a gradient): a derivative that is nearly 0 is a sum of terms about the
    size of the value that cancel, and keeps their rounding errors (cos(acos(t)) at tiny t is
    cos(fl(pi/2)) = 6e-17, not t; PyTorch's autograd gives the same)."""
    return abs(got - want) <= max(1e-9 * max(abs(want), 1e-3), 1e-14 * scale)


# found by this test (2026-12-02): dz = 6.2e-07 where sympy.diff says -2.3e-303, f = 7.5e9;
# bpc's value is PyTorch autograd's to the last bit (the cos(acos(t)) above)
CANCELS = ("((x) + (expm1(exp(pi)))) / ((sin(acos(0.9*tanh(erf(z)))))**2 + 0.5)",
           (SYM["x"] + sp.exp(sp.exp(sp.pi)) - 1)
           / (sp.sin(sp.acos(sp.Rational(9, 10) * sp.tanh(sp.erf(SYM["z"])))) ** 2 + HALF), ())


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(expressions, points)
@example(CANCELS, [0.21056223194342705, 1.499501272367059, -2.2250738585e-313])
def test_random_expressions_match_sympy_diff(expr, xs):
    text, ref, kinks = expr
    ref = sp.sympify(ref)
    assume(ref.free_symbols)
    point = dict(zip((SYM[n] for n in NAMES), xs))
    gp = compiler.compile(text, target="python")
    args = {n: point[SYM[n]] for n in gp.inputs}
    want_f = value(ref, point)
    assume(math.isfinite(want_f) and abs(want_f) < 1e12)
    want = gradient(ref, [SYM[n] for n in gp.wrt], point)
    assume(all(math.isfinite(w) and abs(w) < 1e12 for w in want))
    # stay away from kinks (abs, relu, max, min) where the derivative jumps
    for kink in kinks:
        assume(abs(value(sp.sympify(kink), point)) > 1e-6)
    # the kernel targets are compiled only for the examples kept
    gn = compiler.compile(text, target="numpy")
    gb = compile_for(text, "numba")
    gc = compile_for(text, "cuda")

    f, grads = gp(**args)
    assert close(f, want_f), (text, args, f, want_f)
    for name, got, w in zip(gp.wrt, grads, want):
        assert close(got, w, abs(want_f)), (text, args, name, got, w)

    # numpy: the same point repeated in an array, plus broadcasting of a scalar input
    arrays = {n: np.full(3, v) for n, v in args.items()}
    if len(arrays) > 1:
        first = next(iter(arrays))
        arrays[first] = args[first]
    # cuda (NumPy's functions in the simulator): the same statements as the python target, equal to
    # it to 1e-12; numba computes them on compiler.vecmath, within an ulp or two of NumPy's functions,
    # which an ill-conditioned expression can magnify: it is held to the oracle, as python is
    fc, gc_grads = gc(**{n: np.full(2, v) for n, v in args.items()})
    for got, ref in zip((fc, *gc_grads), (f, *grads)):
        assert np.all(np.abs(np.asarray(got) - ref) <= 1e-12 * abs(ref)), ("cuda", text, args, got, ref)
    fb, gb_grads = gb(**{n: np.full(2, v) for n, v in args.items()})
    assert all(close(float(v), want_f) for v in fb), ("numba", text, args, fb, want_f)
    for got, w in zip(gb_grads, want):
        assert all(close(float(v), w, abs(want_f)) for v in got), ("numba", text, args, got, w)

    fn, gn_grads = gn(**arrays)
    if not arrays:
        return
    assert fn.shape == (3,)
    assert all(close(float(v), want_f) for v in fn)
    for got, w in zip(gn_grads, want):
        assert got.shape == (3,)
        assert all(close(float(v), w, abs(want_f)) for v in got), (text, args, got, w)
