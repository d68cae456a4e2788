"""The scalar rows: every elementwise primitive bpc differentiates, one row each.

Partials are written with the inputs ``a, b`` and the saved forward output
``out``; the chain rule is written once, in ``autodiff.py``. Integer constant
powers (``powi``) are their own row, so ``x**2`` never evaluates ``log(x)``.
Points where a primitive is not differentiable follow PyTorch: relu'(0) = 0,
abs'(0) = 0, max/min split a tie evenly, for ``a**b`` the base gradient is 0
where b == 0 and the exponent gradient is 0 where a == 0 and b >= 0.

A row names its target spellings only where the default does not fit: NumPy's
``np.<name>`` on the python, numpy and numba targets and ``math.<name>``
(libdevice) in CUDA kernels. Spellings that are printer callables take the
printer and the expression (see ``targets/printer.py`` for what a printer offers).
"""
from __future__ import annotations

import sympy as sp
from sympy.codegen.cfunctions import expm1, hypot, log1p
from sympy.printing.precedence import PRECEDENCE, precedence

from .table import function_class, row

W = (-3.0, 3.0)           # a wide, harmless test interval
POS = (0.1, 3.0)          # strictly positive
_2_SQRTPI = 2 / sp.sqrt(sp.pi)


# -- bpc-only functions and the helpers their partials use -----------------------------------------

sigmoid = function_class("sigmoid", 1, doc="Logistic function 1 / (1 + exp(-a)).")
relu = function_class("relu", 1, doc="max(a, 0); derivative 0 at a = 0 (PyTorch's convention).")
softplus = function_class("softplus", 1, doc="log(1 + exp(a)), computed without overflow.")
logaddexp = function_class("logaddexp", 2, doc="log(exp(a) + exp(b)), shifted by the larger input.")
step = function_class("step", 1, doc="Derivative helper: 1 where a > 0, else 0 (relu'(0) = 0).")
tie_step = function_class("tie_step", 2, doc="Derivative helper for max(a, b) w.r.t. a: 1 where a > b, "
                                               "1/2 at a tie (PyTorch splits ties evenly), else 0.")


class pow_dbase(sp.Function):
    """Derivative of out = a**b w.r.t. a: b*a**(b - 1), taken as 0 where b == 0
    (PyTorch's convention, so 0**0 has a finite base gradient)."""

    nargs = 2

    @classmethod
    def eval(cls, a, b):
        if b.is_number and b != 0:      # a nonzero constant exponent needs no guard
            return b * a ** (b - 1)
        return None


class pow_dexp(sp.Function):
    """Derivative of out = a**b w.r.t. b: out*log(a), taken as 0 where a == 0 and b >= 0
    (PyTorch's convention, so 0**2 has a finite exponent gradient)."""

    nargs = 3

    @classmethod
    def eval(cls, a, b, out):
        if a.is_number and a != 0:      # a nonzero constant base needs no guard
            return out * sp.log(a)
        return None


# -- spellings that are not one function call ------------------------------------------------------

def _sigmoid(p, e):
    # 1/(1 + inf) = 0 and 1/(1 + 0) = 1: no overflow trouble on either side
    return p.wrap(e, f"1/(1 + {p.fn('exp')}({p.neg(e.args[0])}))")


def _relu_kernel(p, e):
    a = p.arg(e, 0)
    zero = p.literal("0.0")          # NumPy: maximum(-0.0, 0.0) is 0.0
    return p.wrap(e, f"{a} if ({a} > 0.0 or {a} != {a}) else {zero}")


def _extremum(cmp):
    def spell(p, e):
        # ties (0.0 vs -0.0) and nan resolve as NumPy's maximum/minimum do
        # (Numba's own np.maximum returns the other zero)
        a, b = (p.branch(x) for x in e.args)
        return p.wrap(e, f"{a} if ({a} {cmp} {b} or {a} != {a}) else {b}")
    return spell


def _softplus_cuda(p, e):
    # logaddexp(0, a) of NumPy, bit for bit: log1p(exp(0)) is log(2) at a == 0
    a = p.arg(e, 0)
    return p.wrap(e, f"({a} if {a} > 0.0 else 0.0) + {p.fn('log1p')}({p.fn('exp')}(-abs({a})))")


def _logaddexp_cuda(p, e):
    # NumPy's logaddexp: a + log(2) on ties (so inf stays inf), else max + log1p(exp(-|a - b|))
    a, b = (p.branch(x) for x in e.args)
    big = f"({a} if ({a} > {b} or {a} != {a}) else {b})"
    return p.wrap(e, f"{a} + 0.6931471805599453 if {a} == {b} else "
                     f"{big} + {p.fn('log1p')}({p.fn('exp')}(-abs({a} - {b})))")


def _sign_cuda(p, e):
    a = p.arg(e, 0)   # NumPy: sign(nan) = nan, sign(-0.0) = 0.0
    one, minus_one, zero = (p.literal(c) for c in ("1.0", "-1.0", "0.0"))
    return p.wrap(e, f"{one} if {a} > 0 else ({minus_one} if {a} < 0 else ({a} if {a} != {a} else {zero}))")


def _erf_python(p, e):
    p.need("import math")
    # math.erf returns a Python float, and Python floats raise on 1/0.0: keep it a NumPy scalar
    return f"np.float64({p.call('math.erf', e)})"


def _erf_numpy(p, e):
    p.need("from compiler.host.broadcast import erf")   # NumPy has no erf ufunc: math.erf, vectorized
    return p.call("erf", e)


def _pow_dbase(p, e):
    a, b = (p.paren(x, PRECEDENCE["Pow"]) for x in e.args)
    # adding (b == 0) to the exponent turns b*a**(b - 1) into 0*a**0 = 0 where b == 0
    return p.wrap(e, f"{b}*{a}**({b} - 1 + ({b} == 0))")


def _pow_dexp(p, e):
    a, b, out = e.args
    pa, pb, pout = p.arg(e, 0), p.arg(e, 1), p.paren(out, precedence(sp.Mul(2, 3, evaluate=False)))
    # log(a + 1) = 0 exactly where a == 0 and b >= 0 (PyTorch's zero there)
    return p.wrap(e, f"{pout}*{p.fn('log')}({pa} + (({pa} == 0) & ({pb} >= 0)))")


def _step(p, e):
    return p.wrap(e, f"1.0*({p.arg(e, 0)} > 0)")


def _tie_step(p, e):
    a, b = p.arg(e, 0), p.arg(e, 1)
    return f"(({a} > {b}) + 0.5*({a} == {b}))"


# -- the table -----------------------------------------------------------------------------------

ROWS = [
    # op         forward                          partials (inputs..., out)                                      test interval per input   derived name
    row("add",   lambda a, b: a + b,              lambda a, b, out: (1, 1),                                     (W, W),                   "{0}p{1}"),
    row("sub",   lambda a, b: a - b,              lambda a, b, out: (1, -1),                                    (W, W),                   "{0}m{1}"),
    row("mul",   lambda a, b: a * b,              lambda a, b, out: (b, a),                                     (W, W),                   "{0}{1}"),
    row("div",   lambda a, b: a / b,              lambda a, b, out: (1 / b, -out / b),                          (W, (0.5, 3.0)),          "{0}over{1}"),
    row("neg",   lambda a: -a,                    lambda a, out: (-1,),                                         (W,),                     "neg{0}"),
    row("recip", lambda a: 1 / a,                 lambda a, out: (-out**2,),                                    ((0.5, 3.0),),            "inv{0}"),
    row("copy",  lambda a: a,                     lambda a, out: (1,),                                          (W,),                     "{0}"),
    # a**n with n an integer constant: never log(a)
    row("powi",  lambda a, n: a**n,               lambda a, n, out: (n * a**(n - 1), out * sp.log(a)),          (W, (2, 2)),              "{0}pow{1}", constant_args=(1,), doc="n an integer constant: never evaluates log(a)"),
    # a**c with c a real constant
    row("powc",  lambda a, c: a**c,               lambda a, c, out: (c * a**(c - 1), out * sp.log(a)),          (POS, (0.5, 0.5)),        "{0}pow", constant_args=(1,), doc="c a real constant; C's pow (a**0.5 is sqrt)"),
    # a**b with both inputs variable
    row("pow",   lambda a, b: a**b,               lambda a, b, out: (pow_dbase(a, b), pow_dexp(a, b, out)),     (POS, (-2.0, 2.0)),       "{0}pow{1}", doc="d/da is 0 where b == 0; d/db is 0 where a == 0 and b >= 0 (PyTorch)"),
    row("sqrt",  lambda a: sp.sqrt(a),            lambda a, out: (1 / (2 * out),),                              (POS,),                   "sqrt{0}", names=("sqrt",)),
    row("exp",   lambda a: sp.exp(a),             lambda a, out: (out,),                                        ((-5.0, 5.0),),           "exp{0}", names=("exp",), sympy=sp.exp),
    row("expm1", lambda a: expm1(a),              lambda a, out: (out + 1,),                                    ((-5.0, 5.0),),           "expm1{0}", names=("expm1",), sympy=expm1, doc="exp(a) - 1, accurate near 0"),
    row("log",   lambda a: sp.log(a),             lambda a, out: (1 / a,),                                      (POS,),                   "log{0}", names=("log",), sympy=sp.log),
    row("log1p", lambda a: log1p(a),              lambda a, out: (1 / (1 + a),),                                ((-0.9, 3.0),),           "log1p{0}", names=("log1p",), sympy=log1p, doc="log(1 + a), accurate near 0"),
    row("sin",   lambda a: sp.sin(a),             lambda a, out: (sp.cos(a),),                                  (W,),                     "sin{0}", names=("sin",), sympy=sp.sin),
    row("cos",   lambda a: sp.cos(a),             lambda a, out: (-sp.sin(a),),                                 (W,),                     "cos{0}", names=("cos",), sympy=sp.cos),
    row("tan",   lambda a: sp.tan(a),             lambda a, out: (1 + out**2,),                                 ((-1.4, 1.4),),           "tan{0}", names=("tan",), sympy=sp.tan),
    row("asin",  lambda a: sp.asin(a),            lambda a, out: (1 / sp.sqrt(1 - a**2),),                      ((-0.95, 0.95),),         "asin{0}", names=("asin",), sympy=sp.asin, numpy="arcsin"),
    row("acos",  lambda a: sp.acos(a),            lambda a, out: (-1 / sp.sqrt(1 - a**2),),                     ((-0.95, 0.95),),         "acos{0}", names=("acos",), sympy=sp.acos, numpy="arccos"),
    row("atan",  lambda a: sp.atan(a),            lambda a, out: (1 / (1 + a**2),),                             ((-5.0, 5.0),),           "atan{0}", names=("atan",), sympy=sp.atan, numpy="arctan"),
    row("atan2", lambda a, b: sp.atan2(a, b),     lambda a, b, out: (b / (a**2 + b**2), -a / (a**2 + b**2)),    (W, POS),                 "atan2{0}{1}", names=("atan2",), sympy=sp.atan2, numpy="arctan2", doc="atan2(y, x), the angle of the point (x, y)"),
    row("sinh",  lambda a: sp.sinh(a),            lambda a, out: (sp.cosh(a),),                                 (W,),                     "sinh{0}", names=("sinh",), sympy=sp.sinh),
    row("cosh",  lambda a: sp.cosh(a),            lambda a, out: (sp.sinh(a),),                                 (W,),                     "cosh{0}", names=("cosh",), sympy=sp.cosh),
    row("tanh",  lambda a: sp.tanh(a),            lambda a, out: (1 - out**2,),                                 (W,),                     "tanh{0}", names=("tanh",), sympy=sp.tanh),
    row("asinh", lambda a: sp.asinh(a),           lambda a, out: (1 / sp.sqrt(1 + a**2),),                     (W,),                     "asinh{0}", names=("asinh",), sympy=sp.asinh, numpy="arcsinh"),
    row("erf",   lambda a: sp.erf(a),             lambda a, out: (_2_SQRTPI * sp.exp(-a**2),),                  (W,),                     "erf{0}", names=("erf",), sympy=sp.erf,
        spell={"python": _erf_python, "numpy": _erf_numpy, "kernel": "math.erf",
               "simulator": "lambda v, erf=math.erf: np.float64(erf(v))"}),
    row("abs",   lambda a: sp.Abs(a),             lambda a, out: (sp.sign(a),),                                 (W,),                     "abs{0}", names=("abs",), sympy=sp.Abs, spell={"cuda": "abs"}, doc="abs'(0) = 0 (PyTorch)"),
    row("max",   lambda a, b: sp.Max(a, b),       lambda a, b, out: (tie_step(a, b), tie_step(b, a)),           (W, W),                   "max{0}{1}", names=("max",), sympy=sp.Max, numpy="maximum",
        variadic=True, spell={"kernel": _extremum(">")}, doc="a tie splits the gradient evenly (PyTorch)"),
    row("min",   lambda a, b: sp.Min(a, b),       lambda a, b, out: (tie_step(b, a), tie_step(a, b)),           (W, W),                   "min{0}{1}", names=("min",), sympy=sp.Min, numpy="minimum",
        variadic=True, spell={"kernel": _extremum("<")}, doc="a tie splits the gradient evenly (PyTorch)"),
    # CS231n's "gate compression": the local gradient reuses the saved output
    row("sigmoid", lambda a: sigmoid(a),          lambda a, out: (out * (1 - out),),                            ((-10.0, 10.0),),         "sig{0}", names=("sigmoid",), sympy=sigmoid,
        reference=lambda a: 1 / (1 + sp.exp(-a)), spell={"*": _sigmoid}, doc="1/(1 + exp(-a)), exact and overflow-free",
        tangent=lambda a, out: (out * sigmoid(-a),)),
    row("relu",  lambda a: relu(a),               lambda a, out: (step(a),),                                    (W,),                     "relu{0}", names=("relu",), sympy=relu,
        reference=lambda a: sp.Piecewise((a, a > 0), (0, True)), doc="max(a, 0); relu'(0) = 0 (PyTorch)",
        spell={"numpy": lambda p, e: f"np.maximum({p.arg(e, 0)}, 0.0)", "kernel": _relu_kernel}),
    row("softplus", lambda a: softplus(a),        lambda a, out: (sigmoid(a),),                                 ((-10.0, 10.0),),         "sp{0}", names=("softplus",), sympy=softplus,
        reference=lambda a: sp.log(1 + sp.exp(a)), doc="log(1 + exp(a)) without overflow",
        spell={"numpy": lambda p, e: f"{p.fn('logaddexp')}(0.0, {p.arg(e, 0)})", "cuda": _softplus_cuda}),
    # log(exp(a) + exp(b)) without overflow; the partials are softmax weights
    row("logaddexp", lambda a, b: logaddexp(a, b), lambda a, b, out: (sp.exp(a - out), sp.exp(b - out)),       (W, W),                   "lse{0}{1}", names=("logaddexp",), sympy=logaddexp,
        reference=lambda a, b: sp.log(sp.exp(a) + sp.exp(b)), spell={"cuda": _logaddexp_cuda},
        doc="log(exp(a) + exp(b)), shifted by the larger input"),
    # sqrt(a**2 + b**2) without overflow
    row("hypot", lambda a, b: hypot(a, b),        lambda a, b, out: (a / out, b / out),                         ((0.5, 3.0), W),          "hypot{0}{1}", names=("hypot",), sympy=hypot,
        reference=lambda a, b: sp.sqrt(a**2 + b**2), doc="sqrt(a**2 + b**2) without overflow"),
]

# Rows that only appear inside local derivatives: printable, not callable from a formula. Each has
# partials of its own, so the table is closed under differentiation (second order never meets an
# unknown function): the step-like helpers have derivative 0 (PyTorch's choice for sign and for a
# step's kink), and the power helpers differentiate into each other.


def _pow_dbase_partials(a, b, out):
    # d/da b*a**(b - 1) = b*(b - 1)*a**(b - 2), 0 where b == 0 or b == 1 (the guard carries over);
    # d/db = a**(b - 1) + b*a**(b - 1)*log(a)
    below = a ** (b - 1)
    return b * pow_dbase(a, b - 1), below + b * pow_dexp(a, b - 1, below)


HELPERS = [
    row("sign",  lambda a: sp.sign(a),            lambda a, out: (0,),                                          (W,),                     "sign{0}", sympy=sp.sign, spell={"cuda": _sign_cuda},
        doc="-1, 0 or 1 (nan for nan); derivative 0"),
    row("step",  lambda a: step(a),               lambda a, out: (0,),                                          (W,),                     "step{0}", sympy=step,
        reference=lambda a: sp.Piecewise((1, a > 0), (0, True)), spell={"*": _step}, doc="1 where a > 0, else 0; derivative 0"),
    row("tie_step", lambda a, b: tie_step(a, b),  lambda a, b, out: (0, 0),                                     (W, W),                   "tie{0}{1}", sympy=tie_step,
        reference=lambda a, b: sp.Piecewise((1, a > b), (sp.S.Half, sp.Eq(a, b)), (0, True)), spell={"*": _tie_step},
        doc="1 where a > b, 1/2 where a == b, else 0; derivative 0"),
    row("pow_dbase", lambda a, b: pow_dbase(a, b), _pow_dbase_partials,                                         (POS, W),                 "dpow{0}", sympy=pow_dbase,
        reference=lambda a, b: b * a ** (b - 1), spell={"*": _pow_dbase}, doc="b*a**(b - 1), 0 where b == 0"),
    row("pow_dexp", lambda a, b, out: pow_dexp(a, b, out), lambda a, b, out, o: (out / a, 0, pow_dexp(a, b, 1)), (POS, W, W),   "dpow{0}", sympy=pow_dexp,
        reference=lambda a, b, out: out * sp.log(a), spell={"*": _pow_dexp},
        doc="out*log(a), 0 where a == 0 and b >= 0"),
]
