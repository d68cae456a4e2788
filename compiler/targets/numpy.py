"""The numpy target: array code over broadcast inputs (scalar programs), or whole-array code
(array programs: ``@``, reductions, softmax and cross-entropy as NumPy calls)."""
from __future__ import annotations

import sympy as sp

from ..ir import Stmt
from .python import PythonPrinter


class NumPyPrinter(PythonPrinter):
    """Array code: the same lines as ``python``, made safe for in-place ``+=`` on arrays.

    A line whose right side is a bare name copies it (``dx = dxpy.copy()``) when the
    name is later accumulated into or returned, so ``dx += ...`` can never change
    ``dxpy``, and no returned array is an input or another returned array;
    a line whose right side is a bare number makes it a NumPy scalar, so every
    value has ``.copy()``.
    """

    target = "numpy"
    families = ("numpy",)

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


class ArrayPrinter(NumPyPrinter):
    """Whole-array code for an array program: elementwise parts print as on the numpy target,
    array operations as NumPy calls, softmax and cross-entropy as calls to ``compiler.host.arrays``."""

    families = ("array", "numpy")

    def rhs(self, stmt) -> str:
        text = super().rhs(stmt)
        if text.endswith(".copy()") and self.shape(stmt.expr) == ():
            return text[:-len(".copy()")]          # scalars are values: nothing to alias
        return text

    def shape(self, expr) -> tuple:
        return self.shapes.get(str(expr), ())

    def unbroadcast(self, expr) -> str:
        g, a, axes = expr.args
        text = self._print(g)
        if not self.shape(a):
            return f"np.sum({text})"
        ndim = len(self.shape(g))
        for k in sorted((int(k) for k in axes), reverse=True):
            text = self.axis_sum(text, ndim, k)
            ndim -= 1
        return f"{text}.reshape({self._print(a)}.shape)"

    def axis_sum(self, text: str, ndim: int, k: int) -> str:
        """``np.sum(text, axis=k)`` of an ``ndim``-dimensional array."""
        return f"np.sum({text}, axis={k})"

    def outer(self, expr) -> str:
        return self.call("np.outer", expr)

    def array_helper(self, name: str, expr) -> str:
        self.need(f"from compiler.host.arrays import {name}")
        args = [self._print(a) for a in expr.args[:2 if len(expr.args) > 2 else 1]]
        return f"{name}({', '.join(args + [str(a) for a in expr.args[len(args):]])})"

