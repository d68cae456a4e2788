"""Printers for matrix programs: NumPy array code (``numpy``) and the same code for ``@njit``
(``numba``), which has no ``keepdims`` and needs loops for softmax and cross-entropy.

Elementwise parts print exactly as on the numpy target (``np.maximum(z, 0.0)``, ``1.0*(z > 0)``);
the array operations of ``mrules.py`` print as NumPy calls, and softmax, log-softmax and
cross-entropy as small helper functions defined in the emitted module.
"""
from __future__ import annotations

from sympy.printing.precedence import PRECEDENCE

from .printers import NumPyPrinter

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

# Numba: classes along axis 0 of a 2-D array (other layouts are transposed or reshaped to it)
NUMBA_HELPERS = {
    "softmax": '''@njit(cache=_CACHE)
def softmax0(a):
    """softmax down each column, shifted by the column's maximum."""
    out = np.empty(a.shape)
    for j in range(a.shape[1]):
        m = a[0, j]
        for i in range(1, a.shape[0]):
            m = max(m, a[i, j])
        total = 0.0
        for i in range(a.shape[0]):
            out[i, j] = np.exp(a[i, j] - m)
            total += out[i, j]
        for i in range(a.shape[0]):
            out[i, j] /= total
    return out''',
    "log_softmax": '''@njit(cache=_CACHE)
def log_softmax0(a):
    """log-softmax down each column, with a shifted log-sum-exp."""
    out = np.empty(a.shape)
    for j in range(a.shape[1]):
        m = a[0, j]
        for i in range(1, a.shape[0]):
            m = max(m, a[i, j])
        total = 0.0
        for i in range(a.shape[0]):
            total += np.exp(a[i, j] - m)
        lse = m + np.log(total)
        for i in range(a.shape[0]):
            out[i, j] = a[i, j] - lse
    return out''',
    "cross_entropy": '''@njit(cache=_CACHE)
def cross_entropy0(o, y, labels):
    """Mean over columns of -log softmax(o)[y]: y integer labels (labels=1) or one-hot columns."""
    logp = log_softmax0(o)
    total = 0.0
    for j in range(o.shape[1]):
        if labels:
            total -= logp[int(y[j, 0]), j]
        else:
            for i in range(o.shape[0]):
                total -= y[i, j] * logp[i, j]
    return total / o.shape[1]''',
    "cross_entropy_grad": '''@njit(cache=_CACHE)
def cross_entropy_grad0(o, y, labels):
    """(softmax(o) - onehot(y)) / columns."""
    p = softmax0(o)
    for j in range(o.shape[1]):
        for i in range(o.shape[0]):
            target = (1.0 if int(y[j, 0]) == i else 0.0) if labels else y[i, j]
            p[i, j] = (p[i, j] - target) / o.shape[1]
    return p''',
}


class MatrixPrinter(NumPyPrinter):
    """Array code for a matrix program on the numpy target."""

    target = "numpy"

    def __init__(self, shapes: dict, settings=None):
        super().__init__(settings)
        self.shapes = shapes

    def rhs(self, stmt) -> str:
        text = super().rhs(stmt)
        if text.endswith(".copy()") and self.shape(stmt.expr) == ():
            return text[:-len(".copy()")]          # scalars are values: nothing to alias
        return text

    def shape(self, expr) -> tuple:
        return self.shapes.get(str(expr), ())

    def _p(self, expr) -> str:
        return self.parenthesize(expr, PRECEDENCE["Mul"] + 1)

    def _print_MatMul(self, expr) -> str:
        a, b = expr.args
        return self._wrap(expr, f"{self._p(a)} @ {self._p(b)}")

    def _print_Transpose(self, expr) -> str:
        return f"{self._p(expr.args[0])}.T"

    def _print_Outer(self, expr) -> str:
        return self._call("np.outer", expr)

    def _print_SumAll(self, expr) -> str:
        return self._call("np.sum", expr)

    def _print_SumAxis(self, expr) -> str:
        return f"np.sum({self._print(expr.args[0])}, axis={expr.args[1]})"

    def _print_SumKeep(self, expr) -> str:
        k = expr.args[1]
        return f"np.expand_dims(np.sum({self._print(expr.args[0])}, axis={k}), {k})"

    def _print_Size(self, expr) -> str:
        return f"{self._p(expr.args[0])}.size"

    def _print_Length(self, expr) -> str:
        return f"{self._p(expr.args[0])}.shape[{expr.args[1]}]"

    def _print_Spread(self, expr) -> str:
        g, a = expr.args
        return self._wrap(expr, f"np.zeros_like({self._print(a)}) + {self._p(g)}")

    def _print_SpreadAxis(self, expr) -> str:
        g, a, k = expr.args
        return self._wrap(expr, f"np.zeros_like({self._print(a)}) + np.expand_dims({self._print(g)}, {k})")

    def _print_Reduce(self, expr) -> str:
        g, a, axes = expr.args
        text = self._print(g)
        shape = self.shape(a)
        if not shape:
            return f"np.sum({text})"
        for k in sorted((int(k) for k in axes), reverse=True):
            text = f"np.sum({text}, axis={k})"
        return f"{text}.reshape({self._print(a)}.shape)"

    def _print_Frob2(self, expr) -> str:
        return f"np.sum({self._p(expr.args[0])}**2)"

    def _define(self, name: str, table: dict) -> None:
        """Put a helper (and the one it calls) in the module; keys order them: callees first."""
        if name in HELPER_NEEDS:
            self._define(HELPER_NEEDS[name], table)
        self.helpers[f"{'1' if name in HELPER_NEEDS else '0'}{name}"] = table[name]

    def _helper(self, name: str, expr) -> str:
        self._define(name, NUMPY_HELPERS)
        args = [self._print(a) for a in expr.args[:2 if len(expr.args) > 2 else 1]]
        return f"{name}({', '.join(args + [str(a) for a in expr.args[len(args):]])})"

    def _print_Softmax(self, expr) -> str:
        return self._helper("softmax", expr)

    def _print_LogSoftmax(self, expr) -> str:
        return self._helper("log_softmax", expr)

    def _print_CrossEntropy(self, expr) -> str:
        return self._helper("cross_entropy", expr)

    def _print_CrossEntropyGrad(self, expr) -> str:
        return self._helper("cross_entropy_grad", expr)


class MatrixNumbaPrinter(MatrixPrinter):
    """The same lines inside ``@njit``: helpers work on classes along axis 0 of a 2-D array."""

    target = "numba"

    def _columns(self, arg, axis) -> str:
        text, shape = self._print(arg), self.shape(arg)
        if len(shape) == 1:
            return f"{self._p(arg)}.reshape(-1, 1)"
        return text if int(axis) == 0 else f"np.ascontiguousarray({self._p(arg)}.T)"

    def _back(self, text, arg, axis) -> str:
        shape = self.shape(arg)
        if len(shape) == 1:
            return f"{text}.reshape(-1)"
        return text if int(axis) == 0 else f"{text}.T"

    def _helper(self, name, expr) -> str:
        self._define(name, NUMBA_HELPERS)
        a, axis = expr.args[0], expr.args[1] if name in ("softmax", "log_softmax") else expr.args[2]
        if name in ("softmax", "log_softmax"):
            return self._back(f"{name}0({self._columns(a, axis)})", a, axis)
        y, labels = expr.args[1], int(expr.args[3])
        if labels:
            ycols = f"{self._p(y)}.reshape(-1, 1)" if self.shape(y) else f"np.full((1, 1), {self._print(y)})"
        else:
            ycols = self._columns(y, axis)
        call = f"{name}0({self._columns(a, axis)}, {ycols}, {labels})"
        return call if name == "cross_entropy" else self._back(call, a, axis)


MATRIX_PRINTERS = {"numpy": MatrixPrinter, "numba": MatrixNumbaPrinter}
