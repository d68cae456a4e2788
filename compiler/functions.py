"""SymPy functions that SymPy lacks: the primitives ``sigmoid``, ``relu``, ``softplus``
and three helpers that only appear in local derivatives.

Each class has a ``reference`` form written with SymPy's own functions: tests
differentiate that form with ``sympy.diff`` as an independent oracle. The
derivative SymPy uses for the primitives (``fdiff``) comes from the rules table.
"""
from __future__ import annotations

import sympy as sp


class _Primitive(sp.Function):
    """A bpc primitive; ``sympy.diff`` takes its partials from ``rules.RULES``."""

    op = ""

    def fdiff(self, argindex=1):
        from .rules import RULES

        return RULES[self.op].partials(*self.args, self)[argindex - 1]


class sigmoid(_Primitive):
    """Logistic function 1 / (1 + exp(-a))."""

    nargs = 1
    op = "sigmoid"

    @staticmethod
    def reference(a):
        return 1 / (1 + sp.exp(-a))


class relu(_Primitive):
    """max(a, 0); derivative 0 at a = 0 (PyTorch's convention)."""

    nargs = 1
    op = "relu"

    @staticmethod
    def reference(a):
        return sp.Piecewise((a, a > 0), (0, True))


class softplus(_Primitive):
    """log(1 + exp(a)), computed without overflow."""

    nargs = 1
    op = "softplus"

    @staticmethod
    def reference(a):
        return sp.log(1 + sp.exp(a))


class logaddexp(_Primitive):
    """log(exp(a) + exp(b)), computed without overflow (shifted by the larger input)."""

    nargs = 2
    op = "logaddexp"

    @staticmethod
    def reference(a, b):
        return sp.log(sp.exp(a) + sp.exp(b))


class step(sp.Function):
    """Derivative helper: 1 where a > 0, else 0 (relu'(0) = 0)."""

    nargs = 1

    @staticmethod
    def reference(a):
        return sp.Piecewise((1, a > 0), (0, True))


class tie_step(sp.Function):
    """Derivative helper for max(a, b) w.r.t. a: 1 where a > b, 1/2 at a tie, else 0.

    PyTorch splits the gradient of ``maximum`` evenly between tied inputs.
    """

    nargs = 2

    @staticmethod
    def reference(a, b):
        return sp.Piecewise((1, a > b), (sp.S.Half, sp.Eq(a, b)), (0, True))


class pow_dbase(sp.Function):
    """Derivative of out = a**b w.r.t. a: b*a**(b - 1), taken as 0 where b == 0
    (PyTorch's convention, so 0**0 has a finite base gradient)."""

    nargs = 2

    @classmethod
    def eval(cls, a, b):
        if b.is_number and b != 0:      # a nonzero constant exponent needs no guard
            return b * a ** (b - 1)
        return None

    @staticmethod
    def reference(a, b):
        return b * a ** (b - 1)


class pow_dexp(sp.Function):
    """Derivative of out = a**b w.r.t. b: out*log(a), taken as 0 where a == 0 and b >= 0
    (PyTorch's convention, so 0**2 has a finite exponent gradient)."""

    nargs = 3

    @classmethod
    def eval(cls, a, b, out):
        if a.is_number and a != 0:      # a nonzero constant base needs no guard
            return out * sp.log(a)
        return None

    @staticmethod
    def reference(a, b, out):
        return out * sp.log(a)


# SymPy-native spellings of every bpc-only function, for oracles in tests.
REFERENCE = {cls: cls.reference for cls in (sigmoid, relu, softplus, logaddexp, step, tie_step, pow_dbase, pow_dexp)}


def to_reference(expr: sp.Expr) -> sp.Expr:
    """Rewrite bpc-only functions into SymPy's own, so ``sympy.diff`` needs no bpc rule."""
    from sympy.codegen.cfunctions import hypot

    for cls, ref in {**REFERENCE, hypot: lambda a, b: sp.sqrt(a**2 + b**2)}.items():
        expr = expr.replace(cls, ref)
    return expr
