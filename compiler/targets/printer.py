"""The base printer: a SymPy expression or a statement -> one line of target code.

SymPy-style: methods are found by expression class name. Operators, numbers and constants
are printed here; every function is printed from its row in the rules table, by the first
spelling the row gives for one of the printer's ``families`` (most specific first), else the
printer's default, ``<namespace>.<name>(args)``. A spelling is a function name or a callable
``(printer, expr) -> text`` that uses the small API below (``arg``, ``call``, ``fn``, ``wrap``,
``neg``, ``literal``, ``branch``, ``paren``, ``operand``, ``need``).
Targets differ by a few class attributes and overrides, not forks.
"""
from __future__ import annotations

import sympy as sp
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from ..errors import BpcError
from ..ir import Stmt
from ..rules import BY_CLASS, RULES


# rows whose spelling binds more loosely than arithmetic: comparisons, and/or/not, conditionals
_LOWER = frozenset({"gt", "ge", "lt", "le", "eq", "ne", "logical_and", "logical_or", "logical_not", "where"})


class CodePrinter(StrPrinter):
    """Scalar code over NumPy float64 scalars: Python operators, NumPy functions."""

    target = ""
    families: tuple[str, ...] = ("numpy",)    # spelling lookup, most specific first
    namespace = "np"                          # default spelling: np.<numpy name> (or math.<math name>)
    # C's pow for non-integer exponents: ** and np.power switch to sqrt when the exponent is a
    # scalar 0.5, which differs at -inf and -0.0; np.float_power never does
    power = "np.float_power"
    sqrt = "np.sqrt"
    # SymPy's own infinities and nan, e.g. the partial 1/b of x/(2 - 2) = x/0 is zoo: IEEE's 1/0.0 infinity
    infinity, not_a_number = "np.inf", "np.nan"
    _default_settings = {**StrPrinter._default_settings, "order": "none"}

    def __init__(self, settings=None, shapes: dict | None = None, options=None):
        super().__init__(settings)
        self.imports: set[str] = {"import numpy as np"}
        self.shapes = shapes            # array programs: name -> shape
        self.options = options          # emit.Options, or None
        self._top = None

    # -- statements -----------------------------------------------------------------------
    def expr(self, expr) -> str:
        self._top = expr
        try:
            return self.doprint(expr)
        finally:
            self._top = None

    def stmt(self, stmt: Stmt) -> str:
        op = "+=" if stmt.accumulate else "="
        return f"{stmt.target} {op} {self.rhs(stmt)}"

    def prepare(self, stmts: list[Stmt], returned) -> None:
        """Look at the whole statement list before printing it (scalars need nothing)."""

    def rhs(self, stmt: Stmt) -> str:
        return self.expr(stmt.expr)

    # -- the API spellings use ------------------------------------------------------------------
    def arg(self, expr, i: int) -> str:
        return self._print(expr.args[i])

    # what a spelling's prefix needs imported (``_sp``: compiler.special for the target, see subclasses)
    prefixes = {"math.": "import math", "scipy.special.": "import scipy.special"}

    def call(self, name: str, expr) -> str:
        for prefix, line in self.prefixes.items():
            if name.startswith(prefix):
                self.need(line)
        return f"{name}({', '.join(self._print(a) for a in expr.args)})"

    def truth(self, expr) -> str:
        """``expr`` as a truth value: a comparison as it is, a number compared with 0."""
        rule = BY_CLASS.get(type(expr))
        if rule is not None and rule.op in _LOWER and rule.op != "where":
            return self.relational(expr)
        return f"({self.operand(expr)} != 0)"

    def relational(self, expr) -> str:
        """An operand of a comparison or of and/or/not: parenthesised if it is one itself."""
        text = self._print(expr)
        rule = BY_CLASS.get(type(expr))
        return f"({text})" if rule is not None and rule.op in _LOWER else text

    def spelling(self, rule):
        for family in (*self.families, "*"):
            if family in rule.spell:
                return rule.spell[family]
        return f"{self.namespace}.{rule.math_name if self.namespace == 'math' else rule.numpy_name}"

    def fn(self, op: str) -> str:
        """The name this target calls a row's function by (``np.exp``, ``math.exp``)."""
        spelled = self.spelling(RULES[op])
        if not isinstance(spelled, str):
            raise BpcError(f"internal: row {op!r} is not one function call on the {self.target} target")
        return spelled

    def wrap(self, expr, text: str) -> str:
        """Parenthesise a function printed as an operator expression, unless it stands alone."""
        return text if expr is self._top else f"({text})"

    def neg(self, arg) -> str:
        return self.parenthesize(-arg, PRECEDENCE["Mul"]) if not isinstance(arg, sp.Symbol) else f"-{arg.name}"

    def literal(self, text: str) -> str:
        """A number that is a value of its own (a branch of a conditional, a constant statement)."""
        return text

    def branch(self, expr) -> str:
        return self.literal(self._print(expr)) if expr.is_Number else self._print(expr)

    def paren(self, expr, level) -> str:
        return self.parenthesize(expr, level)

    def operand(self, expr) -> str:
        """An operand of an operator that binds tighter than ``*`` (``@``, ``.T``, ``.size``)."""
        return self.parenthesize(expr, PRECEDENCE["Mul"] + 1)

    def need(self, line: str) -> None:
        self.imports.add(line)

    def array_helper(self, name: str, expr) -> str:
        raise BpcError(f"{name} works on arrays, which the {self.target} target's scalar code has not got")

    def unbroadcast(self, expr) -> str:
        raise BpcError(f"broadcasting sums are array code, which the {self.target} target's scalar code has not got")

    def _print_rule(self, expr) -> str:
        spelled = self.spelling(BY_CLASS[type(expr)])
        return spelled(self, expr) if callable(spelled) else self.call(spelled, expr)

    # -- atoms ----------------------------------------------------------------------------
    def _print_Float(self, expr) -> str:
        return repr(float(expr))

    def _print_Pi(self, expr) -> str:
        return "np.pi"

    def _print_ComplexInfinity(self, expr) -> str:
        return self.infinity

    def _print_Infinity(self, expr) -> str:
        return self.infinity

    def _print_NegativeInfinity(self, expr) -> str:
        return f"(-{self.infinity})"

    def _print_NaN(self, expr) -> str:
        return self.not_a_number

    def _print_Exp1(self, expr) -> str:
        return "np.e"

    def _print_Pow(self, expr, rational=False) -> str:
        base, exponent = expr.args
        # a**0.5 is always sqrt: NumPy's array power takes that shortcut itself, and pow(-inf, 0.5)
        # (= inf) would otherwise disagree with sqrt(-inf) (= nan) between scalars and arrays
        if exponent.is_Number and float(exponent) == 0.5:
            return f"{self.sqrt}({self._print(base)})"
        if exponent.is_Number and float(exponent) == -0.5:
            return f"1/{self.sqrt}({self._print(base)})"
        if not exponent.is_Integer:
            return f"{self.power}({self._print(base)}, {self._print(exponent)})"
        # x**2 and x**-1 round once on every target; a higher power is x*x*x (two roundings) in
        # Numba, C's pow on NumPy scalars and something else again on NumPy arrays: C's pow everywhere
        if int(exponent) not in (0, 1, 2, -1):
            return f"{self.power}({self._print(base)}, {float(exponent)!r})"
        # NumPy scalars compute x**2 and x**-1 with C's pow too, which is not always correctly
        # rounded; NumPy arrays and Numba multiply and divide: spell those out for every target
        if isinstance(base, sp.Symbol) and int(exponent) == 2:
            name = self._print(base)
            return self.wrap(expr, f"{name}*{name}")
        if isinstance(base, sp.Symbol) and int(exponent) == -1:
            return self.wrap(expr, f"1/{self._print(base)}")
        return super()._print_Pow(expr, rational)


for _cls in BY_CLASS:
    setattr(CodePrinter, f"_print_{_cls.__name__}", CodePrinter._print_rule)
