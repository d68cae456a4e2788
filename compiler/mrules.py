"""The rules table for matrix programs: one row per array operation.

A row gives the stage's forward expression and its vector-Jacobian products: given the
upstream gradient ``g`` (an array of the stage's shape), the gradient each input receives.
For ``D = W @ X`` that is CS231n's ``dW = dD @ X.T`` and ``dX = W.T @ dD``. Elementwise
operations take their local partials from the scalar table (``rules.py``) and multiply, so
every scalar primitive works elementwise with no second copy of its derivative; the sum over
broadcast axes (a bias gradient) is added by ``mbackward.py``.

Expressions are SymPy expressions over ``Symbol``s that stand for whole arrays: elementwise
arithmetic is commutative scalar algebra, so SymPy may simplify it (``2*W*(lam/2)`` is
``lam*W``), and the operations that are not elementwise are the opaque functions below,
which the matrix printers spell as NumPy code.
"""
from __future__ import annotations

import sympy as sp

from .rules import RULES


class _Op(sp.Function):
    """An array operation SymPy must not evaluate or reorder."""

    @classmethod
    def eval(cls, *args):
        return None

    is_commutative = False


class MatMul(_Op):          # a @ b
    nargs = 2


class Transpose(_Op):       # a.T
    nargs = 1


class Outer(_Op):           # np.outer(a, b)
    nargs = 2


class SumAll(_Op):          # np.sum(a)
    nargs = 1


class SumAxis(_Op):         # np.sum(a, axis=k)
    nargs = 2


class SumKeep(_Op):         # np.sum(a, axis=k) with the axis kept (size 1)
    nargs = 2


class Size(_Op):            # a.size
    nargs = 1


class Length(_Op):          # a.shape[k]
    nargs = 2


class Spread(_Op):          # a new array of a's shape filled with g: np.zeros_like(a) + g
    nargs = 2


class SpreadAxis(_Op):      # g repeated along axis k to a's shape
    nargs = 3


class Reduce(_Op):          # g summed over the axes broadcasting added, back to a's shape
    nargs = 3               # (g, a, axes as a Tuple)


class Softmax(_Op):
    nargs = 2


class LogSoftmax(_Op):
    nargs = 2


class CrossEntropy(_Op):    # mean over examples of -log softmax(o)[y]; y labels or one-hot
    nargs = 4               # (o, y, axis, labels: 1 or 0)


class CrossEntropyGrad(_Op):  # (softmax(o) - onehot(y)) / examples
    nargs = 4


class Frob2(_Op):           # np.sum(a*a)
    nargs = 1


for _cls in (Size, Length, SumAll, Frob2, CrossEntropy):
    _cls.is_commutative = True      # scalars: they multiply like numbers


def _k(axis) -> sp.Integer:
    return sp.Integer(axis)


def _matmul_vjp(a, b, out, g, sa, sb):
    if len(sa) == 2 and len(sb) == 2:
        return MatMul(g, Transpose(b)), MatMul(Transpose(a), g)
    if len(sa) == 2:                        # (m, k) @ (k,) -> (m,)
        return Outer(g, b), MatMul(Transpose(a), g)
    if len(sb) == 2:                        # (k,) @ (k, n) -> (n,)
        return MatMul(b, g), Outer(a, g)
    return g * b, g * a                     # (k,) @ (k,) -> ()


# op -> (forward(args, axis, stage), vjp(args, out, g, shapes, axis, stage)); args are SymPy
# symbols or numbers, ``stage`` is the MStage (for label information)
MATRIX_RULES = {
    "matmul": (lambda a, ax, st: MatMul(*a), lambda a, out, g, s, ax, st: _matmul_vjp(*a, out, g, *s)),
    "T": (lambda a, ax, st: Transpose(a[0]), lambda a, out, g, s, ax, st: (Transpose(g),)),
    "sum": (lambda a, ax, st: SumAll(a[0]) if ax is None else SumAxis(a[0], _k(ax)),
            lambda a, out, g, s, ax, st: (Spread(g, a[0]) if ax is None else SpreadAxis(g, a[0], _k(ax)),)),
    "mean": (lambda a, ax, st: SumAll(a[0]) / Size(a[0]) if ax is None else SumAxis(a[0], _k(ax)) / Length(a[0], _k(ax)),
             lambda a, out, g, s, ax, st: (Spread(g / Size(a[0]), a[0]) if ax is None
                                           else SpreadAxis(g / Length(a[0], _k(ax)), a[0], _k(ax)),)),
    "frob2": (lambda a, ax, st: Frob2(a[0]), lambda a, out, g, s, ax, st: (2 * a[0] * g,)),
    "softmax": (lambda a, ax, st: Softmax(a[0], _k(ax)),
                lambda a, out, g, s, ax, st: (out * (g - SumKeep(g * out, _k(ax))),)),
    "log_softmax": (lambda a, ax, st: LogSoftmax(a[0], _k(ax)),
                    lambda a, out, g, s, ax, st: (g - sp.exp(out) * SumKeep(g, _k(ax)),)),
    "cross_entropy": (lambda a, ax, st: CrossEntropy(a[0], a[1], _k(ax), sp.Integer(st.labels)),
                      lambda a, out, g, s, ax, st: (g * CrossEntropyGrad(a[0], a[1], _k(ax), sp.Integer(st.labels)),
                                                    None)),
    "copy": (lambda a, ax, st: a[0], lambda a, out, g, s, ax, st: (g,)),
}
NOT_DIFFERENTIABLE = {("cross_entropy", 1): "the targets y of cross_entropy are data; they have no gradient here"}


def forward_expr(op, args, axis, stage) -> sp.Expr:
    if op in MATRIX_RULES:
        return MATRIX_RULES[op][0](args, axis, stage)
    return RULES[op].forward_expr(*args)


def vjp(op, args, out, g, shapes, axis, stage) -> tuple:
    """The gradient each input receives (before the sum over broadcast axes); None: none."""
    if op in MATRIX_RULES:
        return MATRIX_RULES[op][1](args, out, g, shapes, axis, stage)
    return tuple(p * g for p in RULES[op].partials(*args, out))
