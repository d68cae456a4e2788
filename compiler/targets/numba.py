"""The numba target: one fused ``@njit(parallel=True)`` kernel whose ``prange`` loop body is the
staged statements (scalar programs), or one ``@njit`` function of whole-array statements (array
programs; BLAS through ``@``, softmax and cross-entropy as loop helpers)."""
from __future__ import annotations

from .numpy import ArrayPrinter
from .python import PythonPrinter


# compiler.vecmath's functions (each in f64 and f32): the rows with these math names are spelled
# _vm.<name> in kernels with math="vecmath". sigmoid is spelled through exp, as on every target, so
# that the targets compute the same formula; softplus is _vm.softplus, not logaddexp(0.0, a) as on
# the numpy target: vecmath's logaddexp pays for the double- and triple-double path that keeps it
# accurate where its result cancels (6x the time), which softplus never needs
VECMATH = ("exp", "expm1", "log", "log1p", "exp2", "log2", "pow", "tanh", "sigmoid", "softplus", "logaddexp",
           "sin", "cos", "atan", "atan2", "erf", "erfc")
SPELLED = frozenset(VECMATH) - {"sigmoid"}


class NumbaPrinter(PythonPrinter):
    """Scalar code inside a Numba kernel loop: the lines the python target prints, except
    where a row spells kernel code its own way (max/min/relu as ternaries that resolve ties
    and nan as NumPy does), C's pow for powers, and, with ``math="vecmath"`` (the default),
    ``compiler.vecmath``'s branch-free functions, which LLVM vectorises, in place of libm's."""

    target = "numba"
    families = ("numba", "kernel", "numpy")
    power = "np.power"           # C's pow in Numba; np.float_power is not supported there
    prefixes = {**PythonPrinter.prefixes, "_sp.": "from compiler.special import cpu as _sp"}

    def __init__(self, settings=None, shapes=None, options=None):
        super().__init__(settings, shapes, options)
        self.vecmath = getattr(options, "math", "libm") == "vecmath" and type(self) is NumbaPrinter
        if self.vecmath:
            self.power = "_vm.pow"
            self.precision = "f32" if getattr(options, "dtype", "float64") == "float32" else "f64"

    def spelling(self, rule):
        if self.vecmath and rule.math_name in SPELLED:
            return f"_vm.{rule.math_name}"
        return super().spelling(rule)

    def doprint(self, expr):
        text = super().doprint(expr)
        if self.vecmath and "_vm." in text:
            self.need(f"from compiler.vecmath import {self.precision} as _vm")
        return text


class NumbaArrayPrinter(ArrayPrinter):
    """The numpy target's whole-array lines inside ``@njit``: the helpers of
    ``compiler.host.arrays_njit`` work on classes along axis 0 of a 2-D array, so other layouts
    are transposed or reshaped to it."""

    target = "numba"

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

    def axis_sum(self, text, ndim, k) -> str:
        """A 2-D array's sum along an axis as a helper cached on disk by Numba (np.sum with axis=
        costs every process about 2.5 s of compilation; the helper adds in the same order)."""
        if ndim != 2:
            return super().axis_sum(text, ndim, k)
        k %= 2
        self.need(f"from compiler.host.arrays_njit import sum_axis{k}")
        return f"sum_axis{k}({text})"

    def outer(self, expr) -> str:
        """The outer product of two vectors as a helper cached on disk (np.outer: about 1.5 s of
        compilation per process)."""
        if any(len(self.shape(a)) != 1 for a in expr.args):
            return super().outer(expr)
        self.need("from compiler.host.arrays_njit import outer")
        return self.call("outer", expr)

    def array_helper(self, name, expr) -> str:
        self.need(f"from compiler.host.arrays_njit import {name}0")
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

