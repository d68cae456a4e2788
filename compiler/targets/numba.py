"""The numba target: one fused ``@njit(parallel=True)`` kernel whose ``prange`` loop body is the
staged statements (scalar programs), or one ``@njit`` function of whole-array statements (array
programs; BLAS through ``@``, softmax and cross-entropy as loop helpers)."""
from __future__ import annotations

from .numpy import ArrayPrinter
from .python import PythonPrinter


class NumbaPrinter(PythonPrinter):
    """Scalar code inside a Numba kernel loop: the lines the python target prints, except
    where a row spells kernel code its own way (max/min/relu as ternaries that resolve ties
    and nan as NumPy does, ``math.erf``), and C's pow for powers."""

    target = "numba"
    families = ("numba", "kernel", "numpy")
    power = "np.power"           # C's pow in Numba; np.float_power is not supported there


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


class NumbaArrayPrinter(ArrayPrinter):
    """The numpy target's whole-array lines inside ``@njit``: the helpers work on classes along
    axis 0 of a 2-D array, so other layouts are transposed or reshaped to it."""

    target = "numba"
    helper_table = NUMBA_HELPERS

    def _columns(self, arg, axis) -> str:
        text, shape = self._print(arg), self.shape(arg)
        if len(shape) == 1:
            return f"{self.operand(arg)}.reshape(-1, 1)"
        return text if int(axis) == 0 else f"np.ascontiguousarray({self.operand(arg)}.T)"

    def _back(self, text, arg, axis) -> str:
        shape = self.shape(arg)
        if len(shape) == 1:
            return f"{text}.reshape(-1)"
        return text if int(axis) == 0 else f"{text}.T"

    def array_helper(self, name, expr) -> str:
        self.define(name)
        a, axis = expr.args[0], expr.args[1] if name in ("softmax", "log_softmax") else expr.args[2]
        if name in ("softmax", "log_softmax"):
            return self._back(f"{name}0({self._columns(a, axis)})", a, axis)
        y, labels = expr.args[1], int(expr.args[3])
        if labels:
            ycols = f"{self.operand(y)}.reshape(-1, 1)" if self.shape(y) else f"np.full((1, 1), {self._print(y)})"
        else:
            ycols = self._columns(y, axis)
        call = f"{name}0({self._columns(a, axis)}, {ycols}, {labels})"
        return call if name == "cross_entropy" else self._back(call, a, axis)

