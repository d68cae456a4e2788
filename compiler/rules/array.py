"""The array rows: operations on whole arrays, one row each, with their vector-Jacobian products.

A row's ``vjp`` gives, for the upstream gradient ``g`` (an array of the stage's shape), what
each input receives: for ``D = W @ X`` that is CS231n's ``dW = dD @ X.T`` and ``dX = W.T @ dD``.
Elementwise operations on arrays are the scalar rows (``scalar.py``) applied elementwise, so
every scalar primitive works on arrays with no second copy of its derivative; the sum over
broadcast axes (a bias gradient) is added by the reverse sweep.

Expressions are SymPy expressions over ``Symbol``s that stand for whole arrays: elementwise
arithmetic is commutative scalar algebra, so SymPy may simplify it (``2*W*(lam/2)`` is
``lam*W``), and the operations that are not elementwise are the opaque functions below, which
the array printers spell as NumPy code. Helper rows (``Spread``, ``Reduce`` ...) only appear in
gradients: they are printable, not callable from a program.
"""
from __future__ import annotations

import sympy as sp

from .table import Rule, check

_ANY = (-1.0, 1.0)


class _Op(sp.Function):
    """An array operation SymPy must not evaluate or reorder."""

    @classmethod
    def eval(cls, *args):
        return None

    is_commutative = False


def _op(name: str, nargs: int, scalar: bool = False, doc: str = "") -> type:
    return type(name, (_Op,), {"nargs": nargs, "__doc__": doc, "__module__": __name__,
                               **({"is_commutative": True} if scalar else {})})


MatMul = _op("MatMul", 2, doc="a @ b")
Transpose = _op("Transpose", 1, doc="a.T")
Outer = _op("Outer", 2, doc="np.outer(a, b)")
SumAll = _op("SumAll", 1, scalar=True, doc="np.sum(a)")
SumAxis = _op("SumAxis", 2, doc="np.sum(a, axis=k)")
SumKeep = _op("SumKeep", 2, doc="np.sum(a, axis=k) with the axis kept (size 1)")
Size = _op("Size", 1, scalar=True, doc="a.size")
Length = _op("Length", 2, scalar=True, doc="a.shape[k]")
Spread = _op("Spread", 2, doc="a new array of a's shape filled with g")
SpreadAxis = _op("SpreadAxis", 3, doc="g repeated along axis k to a's shape")
Reduce = _op("Reduce", 3, doc="g summed over the axes broadcasting added, back to a's shape")
Softmax = _op("Softmax", 2)
LogSoftmax = _op("LogSoftmax", 2)
CrossEntropy = _op("CrossEntropy", 4, scalar=True, doc="mean over examples of -log softmax(o)[y]")
CrossEntropyGrad = _op("CrossEntropyGrad", 4, doc="(softmax(o) - onehot(y)) / examples")
Frob2 = _op("Frob2", 1, scalar=True, doc="np.sum(a*a)")
ZerosLike = _op("ZerosLike", 1, doc="an array of zeros of a's shape (the gradient of an input that does not reach the output)")


def _k(axis) -> sp.Integer:
    return sp.Integer(axis)


# -- shapes ----------------------------------------------------------------------------------------

def fmt(shape) -> str:
    """A shape as Python writes a tuple: ``(h, n)``, ``(n,)``, ``()``."""
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def broadcast(a: tuple, b: tuple):
    """NumPy's broadcasting on shapes with named sizes; None where they do not fit."""
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        else:
            return None
    return tuple(reversed(out))


def elementwise_shape(shapes, attrs, fail) -> tuple:
    out = shapes[0]
    for s in shapes[1:]:
        out = broadcast(out, s)
        if out is None:
            raise fail("cannot broadcast")
    return out


def axis_index(axis, shape, fail) -> int:
    if not shape or not -len(shape) <= axis < len(shape):
        raise fail(f"axis {axis} is out of range")
    return axis % len(shape)


def _matmul_shape(shapes, attrs, fail):
    a, b = shapes
    if not a or not b:
        raise fail("@ needs vectors or matrices")
    inner_a, inner_b = a[-1], b[0] if len(b) == 1 else b[-2]
    if inner_a != inner_b:
        raise fail(f"inner sizes {inner_a} and {inner_b} differ")
    return a[:-1] + (b[1:] if len(b) == 2 else ())


def _reduce_shape(shapes, attrs, fail):
    axis = dict(attrs).get("axis")
    if axis is None:
        return ()
    k = axis_index(axis, shapes[0], fail)
    return tuple(d for j, d in enumerate(shapes[0]) if j != k)


def _same_shape(shapes, attrs, fail):
    axis_index(dict(attrs)["axis"], shapes[0], fail)
    return shapes[0]


def label_shape(o: tuple, attrs, fail) -> tuple:
    """The shape integer labels for ``cross_entropy(o, y, axis)`` have: o's without the class axis."""
    k = axis_index(dict(attrs)["axis"], o, fail)
    return tuple(d for j, d in enumerate(o) if j != k)


def _cross_entropy_shape(shapes, attrs, fail):
    o, y = shapes
    labels = label_shape(o, attrs, fail)
    if y != labels and y != o:
        raise fail(f"y must be integer labels of shape {fmt(labels)} or one-hot of shape {fmt(o)}")
    return ()


# -- vector-Jacobian products ------------------------------------------------------------------------

def _matmul_vjp(args, out, g, shapes, attrs):
    (a, b), (sa, sb) = args, shapes
    if len(sa) == 2 and len(sb) == 2:
        return MatMul(g, Transpose(b)), MatMul(Transpose(a), g)
    if len(sa) == 2:                        # (m, k) @ (k,) -> (m,)
        return Outer(g, b), MatMul(Transpose(a), g)
    if len(sb) == 2:                        # (k,) @ (k, n) -> (n,)
        return MatMul(b, g), Outer(a, g)
    return g * b, g * a                     # (k,) @ (k,) -> ()


def _axis(attrs):
    return dict(attrs).get("axis")


def _sum_forward(a, attrs):
    k = _axis(attrs)
    return SumAll(a) if k is None else SumAxis(a, _k(k))


def _mean_forward(a, attrs):
    k = _axis(attrs)
    return SumAll(a) / Size(a) if k is None else SumAxis(a, _k(k)) / Length(a, _k(k))


def _sum_vjp(args, out, g, shapes, attrs):
    k = _axis(attrs)
    return (Spread(g, args[0]) if k is None else SpreadAxis(g, args[0], _k(k)),)


def _mean_vjp(args, out, g, shapes, attrs):
    a, k = args[0], _axis(attrs)
    return (Spread(g / Size(a), a) if k is None else SpreadAxis(g / Length(a, _k(k)), a, _k(k)),)


def _softmax_vjp(args, out, g, shapes, attrs):
    return (out * (g - SumKeep(g * out, _k(_axis(attrs)))),)


def _log_softmax_vjp(args, out, g, shapes, attrs):
    return (g - sp.exp(out) * SumKeep(g, _k(_axis(attrs))),)


def _labels(attrs) -> sp.Integer:
    return sp.Integer(dict(attrs).get("labels", 0))


def _cross_entropy_vjp(args, out, g, shapes, attrs):
    o, y = args
    return g * CrossEntropyGrad(o, y, _k(_axis(attrs)), _labels(attrs)), None


# -- Jacobian-vector products (the tangent sweep: JVPs, and HVPs over the backward statements) ----------
# (args, tangents, out) -> the tangent of the result; a tangent of 0 is an input that does not move.

def _sum_of(*terms):
    return sp.Add(*(t for t in terms if t != 0))


def _bilinear(op):
    return lambda args, t, out: _sum_of(op(t[0], args[1]) if t[0] != 0 else 0, op(args[0], t[1]) if t[1] != 0 else 0)


def _first(op):
    """Linear in the first argument, the others fixed (axes, shapes): the same op on its tangent."""
    return lambda args, t, out: op(t[0], *args[1:])


def _softmax_jvp(args, t, out):
    s = out if out is not None else Softmax(*args)
    return s * (t[0] - SumKeep(s * t[0], args[1]))


def _log_softmax_jvp(args, t, out):
    s = sp.exp(out) if out is not None else Softmax(*args)
    return t[0] - SumKeep(s * t[0], args[1])


def _cross_entropy_jvp(args, t, out):
    return SumAll(CrossEntropyGrad(*args) * t[0])


def _cross_entropy_grad_jvp(args, t, out):
    # (softmax(o) - onehot(y)) / examples moves with softmax(o) only; examples = size / classes
    o, _, axis, _ = args
    s = Softmax(o, axis)
    return s * (t[0] - SumKeep(s * t[0], axis)) * Length(o, axis) / Size(o)


JVP = {
    "matmul": _bilinear(MatMul),
    "T": _first(Transpose),
    "Outer": _bilinear(Outer),
    "SumAll": _first(SumAll),
    "SumAxis": _first(SumAxis),
    "SumKeep": _first(SumKeep),
    "Spread": _first(Spread),
    "SpreadAxis": _first(SpreadAxis),
    "Reduce": _first(Reduce),
    "Size": lambda args, t, out: sp.Integer(0),
    "Length": lambda args, t, out: sp.Integer(0),
    "ZerosLike": lambda args, t, out: sp.Integer(0),
    "frob2": lambda args, t, out: 2 * SumAll(args[0] * t[0]),
    "softmax": _softmax_jvp,
    "log_softmax": _log_softmax_jvp,
    "cross_entropy": _cross_entropy_jvp,
    "CrossEntropyGrad": _cross_entropy_grad_jvp,
}


# -- spellings (array printers: numpy and numba) ---------------------------------------------------

def _infix(symbol):
    return lambda p, e: p.wrap(e, f"{p.operand(e.args[0])} {symbol} {p.operand(e.args[1])}")


def _np(name):
    return lambda p, e: p.call(f"np.{name}", e)


def _helper(name):
    return lambda p, e: p.array_helper(name, e)


SPELL = {
    "matmul": _infix("@"),
    "T": lambda p, e: f"{p.operand(e.args[0])}.T",
    "Outer": lambda p, e: p.outer(e),
    "SumAll": _np("sum"),
    "SumAxis": lambda p, e: p.axis_sum(p.arg(e, 0), len(p.shape(e.args[0])), int(e.args[1])),
    "SumKeep": lambda p, e: f"np.expand_dims({p.axis_sum(p.arg(e, 0), len(p.shape(e.args[0])), int(e.args[1]))}, "
                            f"{e.args[1]})",
    "Size": lambda p, e: f"{p.operand(e.args[0])}.size",
    "Length": lambda p, e: f"{p.operand(e.args[0])}.shape[{e.args[1]}]",
    "Spread": lambda p, e: p.wrap(e, f"np.zeros_like({p.arg(e, 1)}) + {p.operand(e.args[0])}"),
    "SpreadAxis": lambda p, e: p.wrap(e, f"np.zeros_like({p.arg(e, 1)}) + np.expand_dims({p.arg(e, 0)}, {e.args[2]})"),
    "Reduce": lambda p, e: p.unbroadcast(e),
    "ZerosLike": _np("zeros_like"),
    "frob2": lambda p, e: f"np.sum({p.operand(e.args[0])}**2)",
    "softmax": _helper("softmax"),
    "log_softmax": _helper("log_softmax"),
    "cross_entropy": _helper("cross_entropy"),
    "CrossEntropyGrad": _helper("cross_entropy_grad"),
}


def _array_row(op, arity, forward, vjp, infer, stem, shows, names=(), axis=False, sympy=None, doc="") -> Rule:
    spell = {"array": SPELL[op]} if op in SPELL else {}
    return check(Rule(op, arity, forward, None, (_ANY,) * arity, stem, names=names, doc=doc, sympy=sympy,
                      spell=spell, vjp=vjp, infer=infer, axis=axis, shows=shows, jvp=JVP.get(op)))


def _helper_row(cls) -> Rule:
    n = cls.nargs if isinstance(cls.nargs, int) else min(cls.nargs)
    return check(Rule(cls.__name__, n, cls, None, (_ANY,) * n, "", doc=cls.__doc__ or "", sympy=cls,
                      spell={"array": SPELL[cls.__name__]}, jvp=JVP.get(cls.__name__)))


ROWS = [
    _array_row("matmul", 2, lambda a, b, attrs=(): MatMul(a, b), _matmul_vjp, _matmul_shape, "{0}{1}", "{0} @ {1}",
               sympy=MatMul, doc="matrix and vector products; dA = g @ B.T, dB = A.T @ g"),
    _array_row("T", 1, lambda a, attrs=(): Transpose(a), lambda args, out, g, s, at: (Transpose(g),),
               lambda shapes, attrs, fail: tuple(reversed(shapes[0])), "{0}T", "{0}.T", sympy=Transpose,
               doc="transpose"),
    _array_row("sum", 1, lambda a, attrs=(): _sum_forward(a, attrs), _sum_vjp, _reduce_shape, "sum{0}", "sum({0})",
               names=("sum",), axis=True, doc="all entries, or along one axis"),
    _array_row("mean", 1, lambda a, attrs=(): _mean_forward(a, attrs), _mean_vjp, _reduce_shape, "mean{0}", "mean({0})",
               names=("mean",), axis=True, doc="all entries, or along one axis"),
    _array_row("frob2", 1, lambda a, attrs=(): Frob2(a), lambda args, out, g, s, at: (2 * args[0] * g,),
               lambda shapes, attrs, fail: (), "sq{0}", "frob2({0})", names=("frob2",), sympy=Frob2,
               doc="squared Frobenius norm, sum(a*a)"),
    _array_row("softmax", 1, lambda a, attrs=(): Softmax(a, _k(_axis(attrs))), _softmax_vjp, _same_shape, "sm{0}",
               "softmax({0})", names=("softmax",), axis=True, sympy=Softmax, doc="shifted by the maximum, so nothing overflows"),
    _array_row("log_softmax", 1, lambda a, attrs=(): LogSoftmax(a, _k(_axis(attrs))), _log_softmax_vjp, _same_shape,
               "lsm{0}", "log_softmax({0})", names=("log_softmax",), axis=True, sympy=LogSoftmax,
               doc="a - log(sum(exp(a))), shifted by the maximum"),
    _array_row("cross_entropy", 2, lambda o, y, attrs=(): CrossEntropy(o, y, _k(_axis(attrs)), _labels(attrs)),
               _cross_entropy_vjp, _cross_entropy_shape, "ce{0}", "cross_entropy({0}, {1})", names=("cross_entropy",),
               axis=True, sympy=CrossEntropy,
               doc="mean over examples of -log softmax(a)[b], classes along axis (default 0); b integer "
                   "labels or one-hot; no gradient flows into b"),
]
HELPERS = [_helper_row(cls) for cls in (Outer, SumAll, SumAxis, SumKeep, Size, Length, Spread, SpreadAxis, Reduce,
                                          CrossEntropyGrad, ZerosLike)]

# Why a gradient cannot flow into an input: (op, argument index) -> reason
NOT_DIFFERENTIABLE = {("cross_entropy", 1): "the targets y of cross_entropy are data; they have no gradient here"}
# Array functions whose axis= defaults to 0 (classes down the columns, as in d2l)
DEFAULT_AXIS = {"softmax": 0, "log_softmax": 0, "cross_entropy": 0}
