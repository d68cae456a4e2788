"""The rules table: every primitive bpc differentiates, one row each.

A row gives the primitive's SymPy form (``forward``), its local partial
derivatives written with the inputs ``a, b`` and the saved forward output
``out`` (``partials``), the interval its tests sample for each input
(``domain``), and how a derived stage name is spelled (``stem``; ``{0}`` and
``{1}`` are the operand names). The chain rule is written once, in
``backward.py``; nothing here knows about it.

Integer constant powers (``powi``) are their own row, so ``x**2`` never
evaluates ``log(x)``. Points where a primitive is not differentiable follow
PyTorch: relu'(0) = 0, abs'(0) = 0, max/min split a tie evenly, for ``a**b``
the base gradient is 0 where b == 0 and the exponent gradient is 0 where
a == 0 and b >= 0.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Callable

import sympy as sp
from sympy.codegen.cfunctions import expm1, hypot, log1p

from .functions import logaddexp, pow_dbase, pow_dexp, relu, sigmoid, softplus, step, tie_step


@dataclass(frozen=True)
class Rule:
    op: str
    arity: int
    forward: Callable[..., sp.Expr]
    partials: Callable[..., tuple]
    domain: tuple[tuple[float, float], ...]
    stem: str

    def forward_expr(self, *args) -> sp.Expr:
        """The stage's SymPy expression, unevaluated so it reads as written (x - x stays)."""
        with sp.evaluate(False):
            return self.forward(*args)


def _row(op, forward, partials, domain, stem) -> Rule:
    arity = len(inspect.signature(forward).parameters)
    n_partial_args = len(inspect.signature(partials).parameters)
    if n_partial_args != arity + 1:
        raise TypeError(f"rule {op!r}: partials take the {arity} inputs and out, got {n_partial_args} arguments")
    if len(domain) != arity:
        raise TypeError(f"rule {op!r}: needs one test interval per input ({arity}), got {len(domain)}")
    symbols = sp.symbols(f"a0:{arity + 1}")
    got = partials(*symbols)
    if len(got) != arity:
        raise TypeError(f"rule {op!r}: returns {len(got)} partials for {arity} inputs")
    return Rule(op, arity, forward, partials, tuple(domain), stem)


W = (-3.0, 3.0)           # a wide, harmless test interval
POS = (0.1, 3.0)          # strictly positive
_2_SQRTPI = 2 / sp.sqrt(sp.pi)

_ROWS = [
    # op         forward                          partials (inputs..., out)                                      test interval per input   derived name
    _row("add",  lambda a, b: a + b,              lambda a, b, out: (1, 1),                                     (W, W),                   "{0}p{1}"),
    _row("sub",  lambda a, b: a - b,              lambda a, b, out: (1, -1),                                    (W, W),                   "{0}m{1}"),
    _row("mul",  lambda a, b: a * b,              lambda a, b, out: (b, a),                                     (W, W),                   "{0}{1}"),
    _row("div",  lambda a, b: a / b,              lambda a, b, out: (1 / b, -out / b),                          (W, (0.5, 3.0)),          "{0}over{1}"),
    _row("neg",  lambda a: -a,                    lambda a, out: (-1,),                                         (W,),                     "neg{0}"),
    _row("recip", lambda a: 1 / a,                lambda a, out: (-out**2,),                                    ((0.5, 3.0),),            "inv{0}"),
    _row("copy", lambda a: a,                     lambda a, out: (1,),                                          (W,),                     "{0}"),
    # a**n with n an integer constant: never log(a)
    _row("powi", lambda a, n: a**n,               lambda a, n, out: (n * a**(n - 1), out * sp.log(a)),          (W, (2, 2)),              "{0}pow{1}"),
    # a**c with c a real constant
    _row("powc", lambda a, c: a**c,               lambda a, c, out: (c * a**(c - 1), out * sp.log(a)),          (POS, (0.5, 0.5)),        "{0}pow"),
    # a**b with both inputs variable
    _row("pow",  lambda a, b: a**b,               lambda a, b, out: (pow_dbase(a, b), pow_dexp(a, b, out)),       (POS, (-2.0, 2.0)),       "{0}pow{1}"),
    _row("sqrt", lambda a: sp.sqrt(a),            lambda a, out: (1 / (2 * out),),                              (POS,),                   "sqrt{0}"),
    _row("exp",  lambda a: sp.exp(a),             lambda a, out: (out,),                                        ((-5.0, 5.0),),           "exp{0}"),
    _row("expm1", lambda a: expm1(a),             lambda a, out: (out + 1,),                                    ((-5.0, 5.0),),           "expm1{0}"),
    _row("log",  lambda a: sp.log(a),             lambda a, out: (1 / a,),                                      (POS,),                   "log{0}"),
    _row("log1p", lambda a: log1p(a),             lambda a, out: (1 / (1 + a),),                                ((-0.9, 3.0),),           "log1p{0}"),
    _row("sin",  lambda a: sp.sin(a),             lambda a, out: (sp.cos(a),),                                  (W,),                     "sin{0}"),
    _row("cos",  lambda a: sp.cos(a),             lambda a, out: (-sp.sin(a),),                                 (W,),                     "cos{0}"),
    _row("tan",  lambda a: sp.tan(a),             lambda a, out: (1 + out**2,),                                 ((-1.4, 1.4),),           "tan{0}"),
    _row("asin", lambda a: sp.asin(a),            lambda a, out: (1 / sp.sqrt(1 - a**2),),                      ((-0.95, 0.95),),         "asin{0}"),
    _row("acos", lambda a: sp.acos(a),            lambda a, out: (-1 / sp.sqrt(1 - a**2),),                     ((-0.95, 0.95),),         "acos{0}"),
    _row("atan", lambda a: sp.atan(a),            lambda a, out: (1 / (1 + a**2),),                             ((-5.0, 5.0),),           "atan{0}"),
    _row("atan2", lambda a, b: sp.atan2(a, b),    lambda a, b, out: (b / (a**2 + b**2), -a / (a**2 + b**2)),    (W, POS),                 "atan2{0}{1}"),
    _row("sinh", lambda a: sp.sinh(a),            lambda a, out: (sp.cosh(a),),                                 (W,),                     "sinh{0}"),
    _row("cosh", lambda a: sp.cosh(a),            lambda a, out: (sp.sinh(a),),                                 (W,),                     "cosh{0}"),
    _row("tanh", lambda a: sp.tanh(a),            lambda a, out: (1 - out**2,),                                 (W,),                     "tanh{0}"),
    _row("erf",  lambda a: sp.erf(a),             lambda a, out: (_2_SQRTPI * sp.exp(-a**2),),                  (W,),                     "erf{0}"),
    _row("abs",  lambda a: sp.Abs(a),             lambda a, out: (sp.sign(a),),                                 (W,),                     "abs{0}"),
    _row("max",  lambda a, b: sp.Max(a, b),       lambda a, b, out: (tie_step(a, b), tie_step(b, a)),           (W, W),                   "max{0}{1}"),
    _row("min",  lambda a, b: sp.Min(a, b),       lambda a, b, out: (tie_step(b, a), tie_step(a, b)),           (W, W),                   "min{0}{1}"),
    # CS231n's "gate compression": the local gradient reuses the saved output
    _row("sigmoid", lambda a: sigmoid(a),         lambda a, out: (out * (1 - out),),                            ((-10.0, 10.0),),         "sig{0}"),
    _row("relu", lambda a: relu(a),               lambda a, out: (step(a),),                                    (W,),                     "relu{0}"),
    _row("softplus", lambda a: softplus(a),       lambda a, out: (sigmoid(a),),                                 ((-10.0, 10.0),),         "sp{0}"),
    # log(exp(a) + exp(b)) without overflow; the partials are softmax weights
    _row("logaddexp", lambda a, b: logaddexp(a, b), lambda a, b, out: (sp.exp(a - out), sp.exp(b - out)),       (W, W),                   "lse{0}{1}"),
    # sqrt(a**2 + b**2) without overflow
    _row("hypot", lambda a, b: hypot(a, b),       lambda a, b, out: (a / out, b / out),                         ((0.5, 3.0), W),          "hypot{0}{1}"),
]

RULES: dict[str, Rule] = {rule.op: rule for rule in _ROWS}

# Functions a formula may call, by the name it uses, with the rule each maps to.
FUNCTIONS: dict[str, str] = {
    name: name for name in (
        "exp", "log", "log1p", "expm1", "sqrt", "sin", "cos", "tan", "asin", "acos", "atan",
        "atan2", "sinh", "cosh", "tanh", "erf", "abs", "max", "min", "sigmoid", "relu", "softplus",
        "logaddexp", "hypot",
    )
}

# Operators whose rows take a constant as their second input.
CONSTANT_EXPONENT = ("powi", "powc")
