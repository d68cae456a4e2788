"""Printers: a SymPy expression or a statement -> one line of target code.

One class per target, SymPy-style: methods are found by expression class name
(``_print_sigmoid``), and a table maps functions to their target spelling.
Targets differ by small overrides, not forks.
"""
from __future__ import annotations

import sympy as sp
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.str import StrPrinter

from .backward import Stmt

# SymPy class name -> NumPy function. NumPy's ufuncs follow IEEE 754 and never raise.
NUMPY_FUNCTIONS = {
    "exp": "np.exp", "log": "np.log", "log1p": "np.log1p", "expm1": "np.expm1",
    "sin": "np.sin", "cos": "np.cos", "tan": "np.tan", "asin": "np.arcsin", "acos": "np.arccos",
    "atan": "np.arctan", "atan2": "np.arctan2", "sinh": "np.sinh", "cosh": "np.cosh", "tanh": "np.tanh",
    "Abs": "np.abs", "sign": "np.sign", "Max": "np.maximum", "Min": "np.minimum",
    "logaddexp": "np.logaddexp", "hypot": "np.hypot",
}


class PythonPrinter(StrPrinter):
    """Scalar code over NumPy float64 scalars: Python operators, NumPy functions.

    Values are ``np.float64``, so ``1/0`` gives ``inf`` and ``exp(1000)`` gives
    ``inf`` instead of raising, as on every other target.
    """

    target = "python"
    functions = NUMPY_FUNCTIONS
    # C's pow for non-integer exponents: ** and np.power switch to sqrt when the exponent is a
    # scalar 0.5, which differs at -inf and -0.0; np.float_power never does
    power = "np.float_power"
    sqrt = "np.sqrt"
    _default_settings = {**StrPrinter._default_settings, "order": "none"}

    def __init__(self, settings=None):
        super().__init__(settings)
        self.imports: set[str] = {"import numpy as np"}
        self.helpers: dict[str, str] = {}
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

    # -- atoms ----------------------------------------------------------------------------
    def _print_Float(self, expr) -> str:
        return repr(float(expr))

    def _print_Pi(self, expr) -> str:
        return "np.pi"

    # SymPy's own infinities and nan, e.g. the partial 1/b of x/(2 - 2) = x/0 is zoo: IEEE's 1/0.0
    infinity, not_a_number = "np.inf", "np.nan"

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
            return self._wrap(expr, f"{name}*{name}")
        if isinstance(base, sp.Symbol) and int(exponent) == -1:
            return self._wrap(expr, f"1/{self._print(base)}")
        return super()._print_Pow(expr, rational)

    def _call(self, name: str, expr) -> str:
        return f"{name}({', '.join(self._print(a) for a in expr.args)})"

    def _wrap(self, expr, text: str) -> str:
        """Parenthesise a function printed as an operator expression, unless it stands alone."""
        return text if expr is self._top else f"({text})"

    def _neg(self, arg) -> str:
        return self.parenthesize(-arg, PRECEDENCE["Mul"]) if not isinstance(arg, sp.Symbol) else f"-{arg.name}"

    # -- bpc's own functions ----------------------------------------------------------------
    def _print_sigmoid(self, expr) -> str:
        # 1/(1 + inf) = 0 and 1/(1 + 0) = 1: no overflow trouble on either side
        return self._wrap(expr, f"1/(1 + {self.functions['exp']}({self._neg(expr.args[0])}))")

    def _print_relu(self, expr) -> str:
        return f"np.maximum({self._print(expr.args[0])}, 0.0)"

    def _print_softplus(self, expr) -> str:
        return f"np.logaddexp(0.0, {self._print(expr.args[0])})"

    def _print_step(self, expr) -> str:
        return self._wrap(expr, f"1.0*({self._print(expr.args[0])} > 0)")

    def _print_tie_step(self, expr) -> str:
        a, b = (self._print(x) for x in expr.args)
        return f"(({a} > {b}) + 0.5*({a} == {b}))"

    def _print_pow_dbase(self, expr) -> str:
        a, b = (self.parenthesize(x, PRECEDENCE["Pow"]) for x in expr.args)
        # adding (b == 0) to the exponent turns b*a**(b - 1) into 0*a**0 = 0 where b == 0
        return self._wrap(expr, f"{b}*{a}**({b} - 1 + ({b} == 0))")

    def _print_pow_dexp(self, expr) -> str:
        a, b, out = expr.args
        pa, pb, pout = self._print(a), self._print(b), self.parenthesize(out, precedence(sp.Mul(2, 3, evaluate=False)))
        # log(a + 1) = 0 exactly where a == 0 and b >= 0 (PyTorch's zero there)
        return self._wrap(expr, f"{pout}*{self.functions['log']}({pa} + (({pa} == 0) & ({pb} >= 0)))")

    def _print_erf(self, expr) -> str:
        self.imports.add("import math")
        # math.erf returns a Python float, and Python floats raise on 1/0.0: keep it a NumPy scalar
        return f"np.float64({self._call('math.erf', expr)})"


def _function_printer(cls_name):
    def _print(self, expr):
        return self._call(self.functions[cls_name], expr)
    return _print


for _cls in NUMPY_FUNCTIONS:
    setattr(PythonPrinter, f"_print_{_cls}", _function_printer(_cls))


class NumPyPrinter(PythonPrinter):
    """Array code: the same lines as ``python``, made safe for in-place ``+=`` on arrays.

    A line whose right side is a bare name copies it (``dx = dxpy.copy()``) when the
    name is later accumulated into or returned, so ``dx += ...`` can never change
    ``dxpy``, and no returned array is an input or another returned array;
    a line whose right side is a bare number makes it a NumPy scalar, so every
    value has ``.copy()``.
    """

    target = "numpy"

    def prepare(self, stmts: list[Stmt], returned) -> None:
        """Note which names must own their array: those accumulated into, and those returned."""
        self.owners = set(returned) | {s.target for s in stmts if s.accumulate}

    def rhs(self, stmt: Stmt) -> str:
        text = self.expr(stmt.expr)
        if isinstance(stmt.expr, sp.Symbol) and not stmt.accumulate and stmt.target in self.owners:
            return f"{text}.copy()"
        if not stmt.expr.free_symbols:
            return f"np.float64({text})"
        return text

    def _print_erf(self, expr) -> str:
        self.imports.add("import math")
        self.helpers["erf"] = "erf = np.vectorize(math.erf, otypes=[np.float64])  # NumPy has no erf ufunc"
        return self._call("erf", expr)


class NumbaPrinter(PythonPrinter):
    """Scalar code inside a Numba kernel loop: the lines the python target prints, except max/min,
    spelled out so that ties (0.0 vs -0.0) and nan resolve as NumPy's maximum/minimum do
    (Numba's own np.maximum returns the other zero)."""

    target = "numba"
    power = "np.power"           # C's pow in Numba; np.float_power is not supported there

    def _literal(self, text: str) -> str:
        """A number that is a value of its own (a branch of a conditional, a constant statement)."""
        return text

    def _branch(self, expr) -> str:
        return self._literal(self._print(expr)) if expr.is_Number else self._print(expr)

    def _extremum(self, expr, cmp: str) -> str:
        a, b = (self._branch(x) for x in expr.args)
        return self._wrap(expr, f"{a} if ({a} {cmp} {b} or {a} != {a}) else {b}")

    def _print_Max(self, expr) -> str:
        return self._extremum(expr, ">")

    def _print_Min(self, expr) -> str:
        return self._extremum(expr, "<")

    def _print_relu(self, expr) -> str:
        a = self._print(expr.args[0])
        zero = self._literal("0.0")          # NumPy: maximum(-0.0, 0.0) is 0.0
        return self._wrap(expr, f"{a} if ({a} > 0.0 or {a} != {a}) else {zero}")

    def _print_erf(self, expr) -> str:
        self.imports.add("import math")
        return self._call("math.erf", expr)


# SymPy class name -> Python math function; in a CUDA kernel these are libdevice's IEEE functions
MATH_FUNCTIONS = {
    "exp": "math.exp", "log": "math.log", "log1p": "math.log1p", "expm1": "math.expm1",
    "sin": "math.sin", "cos": "math.cos", "tan": "math.tan", "asin": "math.asin", "acos": "math.acos",
    "atan": "math.atan", "atan2": "math.atan2", "sinh": "math.sinh", "cosh": "math.cosh", "tanh": "math.tanh",
    "hypot": "math.hypot", "erf": "math.erf", "sqrt": "math.sqrt", "pow": "math.pow",
}
# What the CUDA simulator runs in their place: it executes kernels as Python, where math.exp(1000.0)
# raises OverflowError and math.log(0.0) ValueError; NumPy's functions return inf/nan as the GPU does.
SIMULATOR_MATH = {
    "math.exp": "np.exp", "math.log": "np.log", "math.log1p": "np.log1p", "math.expm1": "np.expm1",
    "math.sin": "np.sin", "math.cos": "np.cos", "math.tan": "np.tan", "math.asin": "np.arcsin",
    "math.acos": "np.arccos", "math.atan": "np.arctan", "math.atan2": "np.arctan2", "math.sinh": "np.sinh",
    "math.cosh": "np.cosh", "math.tanh": "np.tanh", "math.hypot": "np.hypot",
    "math.erf": "lambda v, erf=math.erf: np.float64(erf(v))",
    "math.sqrt": "np.sqrt", "math.pow": "np.float_power", "math.pi": "math.pi", "math.e": "math.e",
    "math.inf": "np.inf", "math.nan": "np.nan",
}


class CudaPrinter(NumbaPrinter):
    """Scalar code inside a CUDA kernel: ``math`` functions (libdevice on the GPU) and operators only,
    no calls to device functions, so every kernel compiles to PTX without a GPU.

    NumPy's ufuncs are not all available in CUDA kernels (``np.exp`` is not), so functions that
    NumPy provides as one call (``logaddexp``, ``sign``) are spelled out with the same branches
    and the same results. ``self.math`` collects the names used, for the simulator's stand-ins.
    """

    target = "cuda"
    functions = MATH_FUNCTIONS
    power = "math.pow"
    sqrt = "math.sqrt"
    infinity, not_a_number = "math.inf", "math.nan"

    def __init__(self, settings=None):
        super().__init__(settings)
        self.imports = {"import math"}
        self.math: set[str] = set()

    def doprint(self, expr):
        text = super().doprint(expr)
        self.math.update(name for name in SIMULATOR_MATH if name + "(" in text or name == text
                         or (name in ("math.inf", "math.nan") and name in text))
        return text

    def _print_Pi(self, expr) -> str:
        self.math.add("math.pi")
        return "math.pi"

    def _print_Exp1(self, expr) -> str:
        self.math.add("math.e")
        return "math.e"

    def _literal(self, text: str) -> str:
        # float64(c) is a cast on the GPU; in the simulator it makes a NumPy scalar, where a Python
        # float would raise on 1/0.0 or overflow
        return f"float64({text})"

    def rhs(self, stmt: Stmt) -> str:
        text = self.expr(stmt.expr)
        return self._literal(text) if not stmt.expr.free_symbols else text

    def _print_Abs(self, expr) -> str:
        return self._call("abs", expr)

    def _print_sign(self, expr) -> str:
        a = self._print(expr.args[0])   # NumPy: sign(nan) = nan, sign(-0.0) = 0.0
        one, minus_one, zero = (self._literal(c) for c in ("1.0", "-1.0", "0.0"))
        return self._wrap(expr, f"{one} if {a} > 0 else ({minus_one} if {a} < 0 else ({a} if {a} != {a} else {zero}))")

    def _print_logaddexp(self, expr) -> str:
        # NumPy's logaddexp: a + log(2) on ties (so inf stays inf), else max + log1p(exp(-|a - b|))
        a, b = (self._branch(x) for x in expr.args)
        big = f"({a} if ({a} > {b} or {a} != {a}) else {b})"
        return self._wrap(expr, f"{a} + 0.6931471805599453 if {a} == {b} else "
                                f"{big} + math.log1p(math.exp(-abs({a} - {b})))")

    def _print_softplus(self, expr) -> str:
        # logaddexp(0, a) of NumPy, bit for bit: log1p(exp(0)) is log(2) at a == 0
        a = self._print(expr.args[0])
        return self._wrap(expr, f"({a} if {a} > 0.0 else 0.0) + math.log1p(math.exp(-abs({a})))")


PRINTERS = {"python": PythonPrinter, "numpy": NumPyPrinter, "numba": NumbaPrinter, "cuda": CudaPrinter}
