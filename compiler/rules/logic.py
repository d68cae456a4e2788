"""Rows for choices and whole numbers: comparisons, where, and/or/not, clamp, rounding, the
remainders, the sign.

No gradient flows into a condition: comparisons and logical operators have derivative 0, and
``where(c, a, b)`` passes its upstream gradient to ``a`` where ``c`` holds and to ``b`` elsewhere
(never ``0 * inf``: the reverse sweep writes ``where(c, g, 0)``, not ``where(c, 1, 0) * g``).
floor, ceil, round, trunc and sign have derivative 0 (PyTorch's choice); frac' = 1; ``a % b``
(floor-mod, as Python) has derivatives 1 and ``-floor(a/b)``, ``fmod(a, b)`` 1 and ``-trunc(a/b)``.
"""
from __future__ import annotations

import sympy as sp

from .table import function_class, row

W = (-3.0, 3.0)
_INF = float("inf")

# -- SymPy classes --------------------------------------------------------------------------------

gt = function_class("gt", 2, doc="a > b")
ge = function_class("ge", 2, doc="a >= b")
lt = function_class("lt", 2, doc="a < b")
le = function_class("le", 2, doc="a <= b")
eq = function_class("eq", 2, doc="a == b")
ne = function_class("ne", 2, doc="a != b")
logical_and = function_class("logical_and", 2, doc="a and b")
logical_or = function_class("logical_or", 2, doc="a or b")
logical_not = function_class("logical_not", 1, doc="not a")
where = function_class("where", 3, doc="a where c holds, else b")
clamp = function_class("clamp", 3, doc="a limited to [lo, hi]")
floor = function_class("floor", 1)
ceil = function_class("ceil", 1)
trunc = function_class("trunc", 1)
rint = function_class("round", 1)
frac = function_class("frac", 1)
mod = function_class("mod", 2, doc="a - floor(a/b)*b")
fmod = function_class("fmod", 2, doc="a - trunc(a/b)*b")


# -- spellings ------------------------------------------------------------------------------------

def _compare(symbol):
    def spell(p, e):
        return p.wrap(e, f"{p.relational(e.args[0])} {symbol} {p.relational(e.args[1])}")
    return spell


def _where_numpy(p, e):
    """Integer branches print as floats: np.where(c, 1, 0) would be an int64 array, and a later
    ``da += 0.5*x`` into it fails."""
    c, a, b = (repr(float(x)) if k and x.is_Integer else p.arg(e, k) for k, x in enumerate(e.args))
    return f"np.where({c}, {a}, {b})"


def _where_scalar(p, e):
    c, a, b = e.args
    return p.wrap(e, f"{p.branch(a)} if {p.arg(e, 0)} else {p.branch(b)}")


def _logic(numpy_name, word):
    def numpy(p, e):
        return p.call(f"np.{numpy_name}", e)

    def scalar(p, e):
        if word == "not":
            return p.wrap(e, f"not {p.truth(e.args[0])}")
        return p.wrap(e, f"{p.truth(e.args[0])} {word} {p.truth(e.args[1])}")
    return numpy, scalar


_and = _logic("logical_and", "and")
_or = _logic("logical_or", "or")
_not = _logic("logical_not", "not")


def _clamp_numpy(p, e):
    a, lo, hi = (p.arg(e, k) for k in range(3))
    return f"np.minimum(np.maximum({a}, {lo}), {hi})"


def _clamp_kernel(p, e):
    # NumPy's order: maximum then minimum; a nan stays nan
    a, lo, hi = (p.branch(x) for x in e.args)
    low = f"({a} if ({a} > {lo} or {a} != {a}) else {lo})"
    return p.wrap(e, f"{low} if ({low} < {hi} or {low} != {low}) else {hi}")


def _frac(p, e):
    a = p.operand(e.args[0])
    return p.wrap(e, f"{a} - {p.fn('trunc')}({p.arg(e, 0)})")


def _mod_operator(p, e):
    return p.wrap(e, f"{p.operand(e.args[0])} % {p.operand(e.args[1])}")


# -- the rows ---------------------------------------------------------------------------------------

def _zero2(a, b, out):
    return (0, 0)


ROWS = [
    row("gt", lambda a, b: gt(a, b), _zero2, (W, W), "{0}gt{1}", sympy=gt, spell={"*": _compare(">")},
        reference=lambda a, b: sp.Piecewise((1, a > b), (0, True)), doc="a > b (no gradient)"),
    row("ge", lambda a, b: ge(a, b), _zero2, (W, W), "{0}ge{1}", sympy=ge, spell={"*": _compare(">=")},
        reference=lambda a, b: sp.Piecewise((1, a >= b), (0, True)), doc="a >= b (no gradient)"),
    row("lt", lambda a, b: lt(a, b), _zero2, (W, W), "{0}lt{1}", sympy=lt, spell={"*": _compare("<")},
        reference=lambda a, b: sp.Piecewise((1, a < b), (0, True)), doc="a < b (no gradient)"),
    row("le", lambda a, b: le(a, b), _zero2, (W, W), "{0}le{1}", sympy=le, spell={"*": _compare("<=")},
        reference=lambda a, b: sp.Piecewise((1, a <= b), (0, True)), doc="a <= b (no gradient)"),
    row("eq", lambda a, b: eq(a, b), _zero2, (W, W), "{0}eq{1}", sympy=eq, spell={"*": _compare("==")},
        reference=lambda a, b: sp.Piecewise((1, sp.Eq(a, b)), (0, True)), doc="a == b (no gradient)"),
    row("ne", lambda a, b: ne(a, b), _zero2, (W, W), "{0}ne{1}", sympy=ne, spell={"*": _compare("!=")},
        reference=lambda a, b: sp.Piecewise((1, sp.Ne(a, b)), (0, True)), doc="a != b (no gradient)"),
    row("logical_and", lambda a, b: logical_and(a, b), _zero2, (W, W), "{0}and{1}", names=("logical_and",),
        sympy=logical_and, spell={"numpy": _and[0], "cuda": _and[1]},
        reference=lambda a, b: sp.Piecewise((1, sp.And(sp.Ne(a, 0), sp.Ne(b, 0))), (0, True)), doc="a & b on conditions"),
    row("logical_or", lambda a, b: logical_or(a, b), _zero2, (W, W), "{0}or{1}", names=("logical_or",),
        sympy=logical_or, spell={"numpy": _or[0], "cuda": _or[1]},
        reference=lambda a, b: sp.Piecewise((1, sp.Or(sp.Ne(a, 0), sp.Ne(b, 0))), (0, True)), doc="a | b on conditions"),
    row("logical_not", lambda a: logical_not(a), lambda a, out: (0,), (W,), "not{0}", names=("logical_not",),
        sympy=logical_not, spell={"numpy": _not[0], "cuda": _not[1]},
        reference=lambda a: sp.Piecewise((1, sp.Eq(a, 0)), (0, True)), doc="~a on conditions"),
    # a where c holds, else b: d/da = where(c, 1, 0), d/db = where(c, 0, 1) (the sweep folds them into
    # where(c, g, 0), so an inf or nan in the branch not taken never reaches the gradient)
    row("where", lambda c, a, b: where(c, a, b), lambda c, a, b, out: (0, where(c, 1, 0), where(c, 0, 1)),
        (W, W, W), "where{1}{2}", names=("where",), sympy=where, keywords=("condition", "x", "y"),
        spell={"numpy": _where_numpy, "kernel": _where_scalar, "python": _where_scalar},
        reference=lambda c, a, b: sp.Piecewise((a, sp.Ne(c, 0)), (b, True)),
        doc="a where the condition holds, else b; a if c else b is the same"),
    # PyTorch: the gradient passes to a where lo <= a <= hi (at a bound too), to lo where a < lo, to hi
    # where a > hi
    row("clamp", lambda a, lo, hi: clamp(a, lo, hi),
        lambda a, lo, hi, out: (logical_and(ge(a, lo), le(a, hi)), lt(a, lo), gt(a, hi)),
        (W, (-1.0, -0.5), (0.5, 1.0)), "clamp{0}", names=("clamp", "clip"), sympy=clamp, keywords=("a", "min", "max"),
        defaults=(-_INF, _INF), spell={"numpy": _clamp_numpy, "kernel": _clamp_kernel},
        reference=lambda a, lo, hi: sp.Min(sp.Max(a, lo), hi),
        doc="min(max(a, lo), hi); d/da is 1 where lo <= a <= hi (at a bound too, as PyTorch)"),
    row("floor", lambda a: floor(a), lambda a, out: (0,), (W,), "floor{0}", names=("floor",), sympy=floor,
        reference=sp.floor, doc="derivative 0"),
    row("ceil", lambda a: ceil(a), lambda a, out: (0,), (W,), "ceil{0}", names=("ceil",), sympy=ceil,
        reference=sp.ceiling, doc="derivative 0"),
    row("trunc", lambda a: trunc(a), lambda a, out: (0,), (W,), "trunc{0}", names=("trunc", "fix"), sympy=trunc,
        reference=lambda a: sp.sign(a) * sp.floor(sp.Abs(a)), doc="derivative 0"),
    # round half to even, as NumPy, PyTorch and Python's round
    row("round", lambda a: rint(a), lambda a, out: (0,), (W,), "round{0}", names=("round", "rint", "around"),
        sympy=rint, numpy="rint", spell={"cuda": "libdevice.rint"}, reference=lambda a: sp.floor(a + sp.S.Half),
        doc="half to even; derivative 0"),
    row("frac", lambda a: frac(a), lambda a, out: (1,), (W,), "frac{0}", names=("frac",), sympy=frac,
        spell={"*": _frac}, reference=lambda a: a - sp.sign(a) * sp.floor(sp.Abs(a)), doc="a - trunc(a); frac' = 1"),
    row("mod", lambda a, b: mod(a, b), lambda a, b, out: (1, -floor(a / b)), (W, (0.5, 3.0)), "{0}mod{1}",
        names=("mod", "remainder"), sympy=mod, spell={"*": _mod_operator},
        reference=lambda a, b: a - sp.floor(a / b) * b, doc="a % b, floor-mod as Python (the sign of b)"),
    row("fmod", lambda a, b: fmod(a, b), lambda a, b, out: (1, -trunc(a / b)), (W, (0.5, 3.0)), "{0}fmod{1}",
        names=("fmod",), sympy=fmod,
        reference=lambda a, b: a - sp.sign(a / b) * sp.floor(sp.Abs(a / b)) * b, doc="C's fmod (the sign of a)"),
]
