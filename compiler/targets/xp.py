"""The xp target: the numpy target's code written against the Python array API standard.

Every call goes to ``xp``, the namespace of the caller's arrays (found by ``array-api-compat``
when the module is called), so one emitted module runs on NumPy, CuPy, PyTorch (CPU and CUDA),
``array-api-strict`` ... and returns the caller's kind of array, on the caller's device.

The printers are the numpy target's, with the NumPy spellings translated: ``np.float_power`` is
``xp.pow``, ``a.copy()`` is ``xp.asarray(a, copy=True)``, a 0/1 step is ``xp.astype(a > 0, ...)``
(the standard has no bool-float arithmetic), ``a.size`` is ``_size(a)`` (a method on PyTorch
tensors), NumPy constants are ``math``'s. A row the standard cannot spell (SciPy's special
functions, ``erf``) is a clear error at compile time that names it.
"""
from __future__ import annotations

import re

import sympy as sp
from sympy.printing.precedence import PRECEDENCE

from ..errors import BpcError
from ..rules import BY_CLASS
from .numpy import ArrayPrinter, NumPyPrinter

# NumPy name -> array API name, where they differ; names in STANDARD are the same in both
RENAMED = {"float_power": "pow", "power": "pow", "arctan": "atan", "arcsin": "asin", "arccos": "acos",
           "arctan2": "atan2", "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh", "absolute": "abs",
           "rint": "round", "amax": "max", "amin": "min"}
STANDARD = frozenset("""abs acos acosh add asin asinh atan atan2 atanh ceil clip copysign cos cosh divide equal exp
expm1 expand_dims floor floor_divide greater greater_equal hypot isfinite isinf isnan less less_equal log log1p
log2 log10 logaddexp logical_and logical_not logical_or logical_xor max maximum mean min minimum multiply
negative not_equal ones_like positive pow prod reciprocal remainder reshape round sign signbit sin sinh sqrt
square subtract sum tan tanh trunc where zeros_like matmul""".split())
CONSTANTS = {"pi": "math.pi", "e": "math.e", "inf": "math.inf", "nan": "math.nan"}
_NP = re.compile(r"(?<![\w.])np\.(\w+)")
_FOREIGN = re.compile(r"(?<![\w.])(scipy\.special|math|_sp)\.(\w+)")


def _step(p, e):
    return f"xp.astype({p.arg(e, 0)} > 0, xp.float64)"


def _tie_step(p, e):
    a, b = p.arg(e, 0), p.arg(e, 1)
    return f"(xp.astype({a} > {b}, xp.float64) + 0.5*xp.astype({a} == {b}, xp.float64))"


def _float(text: str) -> str:
    """A comparison's truth as 0.0/1.0 (the standard has no arithmetic on booleans)."""
    return f"xp.astype({text}, xp.float64)"


def _compare(symbol):
    return lambda p, e: _float(f"{p.relational(e.args[0])} {symbol} {p.relational(e.args[1])}")


def _logic(name):
    return lambda p, e: _float(f"xp.{name}({', '.join(f'{p._print(a)} != 0' for a in e.args)})")


def _where(p, e):
    p.need("from compiler.host.xp import where as _xp_where")
    return f"_xp_where(xp, {', '.join(p._print(a) for a in e.args)})"


def _pow_dbase(p, e):
    a, b = (p.paren(x, PRECEDENCE["Pow"]) for x in e.args)
    return p.wrap(e, f"{b}*{a}**({b} - 1 + {_float(f'{b} == 0')})")


def _pow_dexp(p, e):
    a, b, out = e.args
    pa, pb, pout = p.arg(e, 0), p.arg(e, 1), p.paren(out, PRECEDENCE["Mul"])
    return p.wrap(e, f"{pout}*xp.log({pa} + {_float(f'({pa} == 0) & ({pb} >= 0)')})")


def _helper(name):
    """A NumPy function the standard lacks, written with its functions in ``compiler.host.xp``."""
    def spell(p, e):
        p.need(f"from compiler.host.xp import {name} as _xp_{name}")
        return f"_xp_{name}(xp, {', '.join(p._print(a) for a in e.args)})"
    return spell


def _unspellable(p, e):
    name = BY_CLASS[type(e)].op
    raise BpcError(f"{name} has no array API spelling (the standard has no {name} function), so the xp target "
                   f"cannot compute it", hint="use target='numpy' for this formula")


def _transpose(p, e):
    arg = e.args[0]
    return f"{p.operand(arg)}.T" if len(p.shape(arg)) == 2 else p._print(arg)


def _outer(p, e):
    return p.wrap(e, f"xp.reshape({p.arg(e, 0)}, (-1, 1)) * xp.reshape({p.arg(e, 1)}, (1, -1))")


# rows spelled here (op -> spelling), before the numpy spellings are translated
OWN = {"step": _step, "tie_step": _tie_step, "T": _transpose, "Outer": _outer, "where": _where,
       "pow_dbase": _pow_dbase, "pow_dexp": _pow_dexp, "erf": _unspellable,
       **{op: _helper(op) for op in ("exp2", "logaddexp2", "sinc", "cbrt", "fmod")},
       **{op: _compare(symbol) for op, symbol in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<="),
                                                  ("eq", "=="), ("ne", "!="))},
       **{op: _logic(op) for op in ("logical_and", "logical_or", "logical_not")},
       "Size": lambda p, e: p.need("from compiler.host.xp import size as _size") or f"_size({p.arg(e, 0)})"}


class XpMixin:
    """Translates what the numpy printers print into array API calls on ``xp``."""

    namespace = "np"                    # spellings are printed as NumPy's, then translated
    power = "np.float_power"
    infinity, not_a_number = "math.inf", "math.nan"

    def _print_rule(self, expr) -> str:
        if not expr.free_symbols and expr.is_number:
            return self.number(expr)
        rule = BY_CLASS[type(expr)]
        if rule.op in OWN:
            return OWN[rule.op](self, expr)
        return self.translate(super()._print_rule(expr), rule.op)

    def number(self, expr) -> str:
        """A function of numbers only (``sqrt(pi)``), evaluated here: the standard's functions take arrays."""
        value = complex(sp.N(expr, 20))
        self.need("import math")
        if value.imag:
            return self.not_a_number
        return repr(value.real) if value.real == value.real and abs(value.real) != float("inf") else \
            (self.not_a_number if value.real != value.real else f"({'-' if value.real < 0 else ''}math.inf)")

    def _print_Pow(self, expr, rational=False) -> str:
        if not expr.free_symbols and expr.is_number and not expr.is_Rational:
            return self.number(expr)
        return super()._print_Pow(expr, rational)

    def fn(self, op: str) -> str:
        return self.translate(super().fn(op), op)

    def translate(self, text: str, op: str = "") -> str:
        foreign = _FOREIGN.search(text)
        if foreign and not (foreign.group(1) == "math" and foreign.group(2) in CONSTANTS):
            raise BpcError(f"{op or foreign.group(0)} has no array API spelling ({foreign.group(0)}), so the "
                           f"xp target cannot compute it", hint="use target='numpy' for this formula")
        return _NP.sub(self._rename, text)

    def _rename(self, match) -> str:
        name = match.group(1)
        if name in CONSTANTS:
            self.need("import math")
            return CONSTANTS[name]
        if name in RENAMED:
            return f"xp.{RENAMED[name]}"
        if name in STANDARD:
            return f"xp.{name}"
        raise BpcError(f"np.{name} has no array API spelling, so the xp target cannot compute it",
                       hint="use target='numpy' for this formula")

    def rhs(self, stmt) -> str:
        text = super().rhs(stmt)
        if text.endswith(".copy()"):
            return f"xp.asarray({text[:-len('.copy()')]}, copy=True)"
        if text.startswith("np.float64(") and text.endswith(")"):
            return self.constant(text[len("np.float64("):-1])
        return self.translate(text)

    def constant(self, text: str) -> str:
        """A statement whose value is a number."""
        return f"xp.asarray({text}, dtype=xp.float64)"

    def _print_Pi(self, expr) -> str:
        self.need("import math")
        return "math.pi"

    def _print_Exp1(self, expr) -> str:
        self.need("import math")
        return "math.e"

    def _print_Infinity(self, expr) -> str:
        self.need("import math")
        return "math.inf"

    _print_ComplexInfinity = _print_Infinity

    def _print_NegativeInfinity(self, expr) -> str:
        self.need("import math")
        return "(-math.inf)"

    def _print_NaN(self, expr) -> str:
        self.need("import math")
        return "math.nan"


class XpPrinter(XpMixin, NumPyPrinter):
    """Scalar programs: elementwise code over broadcast arrays of the caller's namespace."""

    target = "xp"
    families = ("xp", "numpy")

    def __init__(self, settings=None, shapes=None, options=None):
        super().__init__(settings, shapes, options)
        self.imports = set()

    def constant(self, text: str) -> str:
        """A number as a full array of the points' shape: a gradient that starts as a constant may
        have broadcast arrays added to it in place (a 0-d array could not hold them)."""
        return f"_xp_const(xp, {self.translate(text)}, _shape, DTYPE, _device)"


class XpArrayPrinter(XpMixin, ArrayPrinter):
    """Array programs: ``@``, reductions and softmax/cross-entropy helpers on ``xp``."""

    target = "xp"
    families = ("xp", "array", "numpy")

    def __init__(self, settings=None, shapes=None, options=None):
        super().__init__(settings, shapes, options)
        self.imports = set()

    def unbroadcast(self, expr) -> str:
        g, a, axes = expr.args
        text = self._print(g)
        if not self.shape(a):
            return f"xp.sum({text})"
        for k in sorted((int(k) for k in axes), reverse=True):
            text = f"xp.sum({text}, axis={k})"
        return f"xp.reshape({text}, {self._print(a)}.shape)"

    def array_helper(self, name: str, expr) -> str:
        self.need(f"from compiler.host.xp import {name}")
        args = [self._print(a) for a in expr.args[:2 if len(expr.args) > 2 else 1]]
        return f"{name}({', '.join(['xp'] + args + [str(a) for a in expr.args[len(args):]])})"


for _cls in BY_CLASS:
    for _printer in (XpPrinter, XpArrayPrinter):
        setattr(_printer, f"_print_{_cls.__name__}", XpMixin._print_rule)
