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


NUMPY_HELPERS = {
    "softmax": '''def softmax(a, axis):
    """exp(a) / sum(exp(a)) along axis, shifted by the maximum so exp never overflows."""
    e = np.exp(a - np.max(a, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)''',
    "log_softmax": '''def log_softmax(a, axis):
    """a - log(sum(exp(a))) along axis, with the log-sum-exp shifted by the maximum."""
    shifted = a - np.max(a, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))''',
    "cross_entropy": '''def cross_entropy(o, y, axis, labels):
    """Mean over examples of -log softmax(o)[y]: y integer labels, or one-hot (labels=0)."""
    logp = log_softmax(o, axis)
    if labels:
        return -np.mean(np.take_along_axis(logp, np.expand_dims(y, axis), axis))
    return -np.sum(y * logp) / (o.size // o.shape[axis])''',
    "cross_entropy_grad": '''def cross_entropy_grad(o, y, axis, labels):
    """Gradient of cross_entropy with respect to o: (softmax(o) - onehot(y)) / examples."""
    p = softmax(o, axis)
    if labels:
        index = np.expand_dims(y, axis)
        np.put_along_axis(p, index, np.take_along_axis(p, index, axis) - 1.0, axis)
    else:
        p = p - y
    return p / (o.size // o.shape[axis])''',
}
HELPER_NEEDS = {"cross_entropy": "log_softmax", "cross_entropy_grad": "softmax"}


class ArrayPrinter(NumPyPrinter):
    """Whole-array code for an array program: elementwise parts print as on the numpy target,
    array operations as NumPy calls, softmax and cross-entropy as helper functions."""

    families = ("array", "numpy")
    helper_table = NUMPY_HELPERS

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
        for k in sorted((int(k) for k in axes), reverse=True):
            text = f"np.sum({text}, axis={k})"
        return f"{text}.reshape({self._print(a)}.shape)"

    def define(self, name: str) -> None:
        """Put a helper (and the one it calls) in the module; keys order them: callees first."""
        if name in HELPER_NEEDS:
            self.define(HELPER_NEEDS[name])
        self.helpers[f"{'1' if name in HELPER_NEEDS else '0'}{name}"] = self.helper_table[name]

    def array_helper(self, name: str, expr) -> str:
        self.define(name)
        args = [self._print(a) for a in expr.args[:2 if len(expr.args) > 2 else 1]]
        return f"{name}({', '.join(args + [str(a) for a in expr.args[len(args):]])})"

