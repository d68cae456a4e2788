"""Rows for the activation functions of neural networks, with PyTorch's conventions at their kinks
(the derivative PyTorch's backward gives at the point where the two pieces meet).

Each is spelled as a formula of other rows (``_expand``), so every target computes it the same way
and every partial is written with rows.
"""
from __future__ import annotations

import sympy as sp
from sympy.codegen.cfunctions import expm1

from .logic import gt, logical_and, lt, where
from .scalar import sigmoid, softplus
from .special import erfc
from .table import function_class, row

W = (-3.0, 3.0)
_SQRT2, _SQRT2PI = sp.sqrt(2), sp.sqrt(2 * sp.pi)
_GELU_C = sp.sqrt(2 / sp.pi)           # the tanh form's constants
_GELU_K = sp.Float(0.044715)
_SELU_ALPHA = sp.Float(1.6732632423543772848170429916717)
_SELU_SCALE = sp.Float(1.0507009873554804934193349852946)


def _expand(formula):
    return lambda p, e: p.wrap(e, p._print(formula(*e.args)))


def _f(name, arity):
    return function_class(name, arity)


leaky_relu = _f("leaky_relu", 2)
elu = _f("elu", 2)
celu = _f("celu", 2)
selu = _f("selu", 1)
gelu = _f("gelu", 1)
gelu_tanh = _f("gelu_tanh", 1)
silu = _f("silu", 1)
mish = _f("mish", 1)
hardtanh = _f("hardtanh", 3)
relu6 = _f("relu6", 1)
hardsigmoid = _f("hardsigmoid", 1)
hardswish = _f("hardswish", 1)
softsign = _f("softsign", 1)
logsigmoid = _f("logsigmoid", 1)
tanhshrink = _f("tanhshrink", 1)


def _gelu(a):
    return a / 2 * erfc(-a / _SQRT2)


def _gelu_tanh(a):
    return a / 2 * (1 + sp.tanh(_GELU_C * (a + _GELU_K * a**3)))


def _gelu_tanh_partial(a):
    inner = _GELU_C * (a + _GELU_K * a**3)
    t = sp.tanh(inner)
    return (1 + t) / 2 + a / 2 * (1 - t**2) * _GELU_C * (1 + 3 * _GELU_K * a**2)


def _clamp(a, lo, hi):
    return sp.Min(sp.Max(a, lo), hi)


ROWS = [
    # PyTorch: at 0 the slope of the left piece
    row("leaky_relu", lambda a, s: leaky_relu(a, s), lambda a, s, out: (where(gt(a, 0), 1, s), 0), (W, (0.01, 0.01)),
        "lrelu{0}", names=("leaky_relu",), sympy=leaky_relu, constant_args=(1,), keywords=("input", "negative_slope"),
        defaults=(0.01,), spell={"*": _expand(lambda a, s: where(gt(a, 0), a, a * s))},
        reference=lambda a, s: sp.Piecewise((a, a > 0), (a * s, True)), doc="a > 0: a, else slope*a (slope 0.01)"),
    row("elu", lambda a, al: elu(a, al), lambda a, al, out: (where(gt(a, 0), 1, out + al), 0), (W, (1.0, 1.0)),
        "elu{0}", names=("elu",), sympy=elu, constant_args=(1,), keywords=("input", "alpha"), defaults=(1.0,),
        spell={"*": _expand(lambda a, al: where(gt(a, 0), a, al * expm1(a)))},
        reference=lambda a, al: sp.Piecewise((a, a > 0), (al * (sp.exp(a) - 1), True)),
        doc="a > 0: a, else alpha*(exp(a) - 1)"),
    row("celu", lambda a, al: celu(a, al), lambda a, al, out: (where(gt(a, 0), 1, sp.exp(a / al)), 0),
        (W, (1.0, 1.0)), "celu{0}", names=("celu",), sympy=celu, constant_args=(1,), keywords=("input", "alpha"),
        defaults=(1.0,), spell={"*": _expand(lambda a, al: where(gt(a, 0), a, al * expm1(a / al)))},
        reference=lambda a, al: sp.Piecewise((a, a > 0), (al * (sp.exp(a / al) - 1), True)),
        doc="a > 0: a, else alpha*(exp(a/alpha) - 1)"),
    row("selu", lambda a: selu(a), lambda a, out: (where(gt(a, 0), _SELU_SCALE, out + _SELU_SCALE * _SELU_ALPHA),),
        (W,), "selu{0}", names=("selu",), sympy=selu,
        spell={"*": _expand(lambda a: _SELU_SCALE * where(gt(a, 0), a, _SELU_ALPHA * expm1(a)))},
        reference=lambda a: _SELU_SCALE * sp.Piecewise((a, a > 0), (_SELU_ALPHA * (sp.exp(a) - 1), True)),
        doc="scale*elu(a, alpha) with PyTorch's constants"),
    # the erf form: a*Phi(a), Phi the standard normal CDF
    row("gelu", lambda a: gelu(a), lambda a, out: (erfc(-a / _SQRT2) / 2 + a * sp.exp(-a**2 / 2) / _SQRT2PI,), (W,),
        "gelu{0}", names=("gelu",), sympy=gelu, spell={"*": _expand(_gelu)}, reference=_gelu,
        doc="a*Phi(a) (erf form); gelu(a, approximate='tanh') is gelu_tanh"),
    row("gelu_tanh", lambda a: gelu_tanh(a), lambda a, out: (_gelu_tanh_partial(a),), (W,), "gelut{0}",
        names=("gelu_tanh",), sympy=gelu_tanh, spell={"*": _expand(_gelu_tanh)}, reference=_gelu_tanh,
        doc="a/2*(1 + tanh(sqrt(2/pi)*(a + 0.044715 a**3)))"),
    row("silu", lambda a: silu(a), lambda a, out: (sigmoid(a) * (1 + a * (1 - sigmoid(a))),), (W,), "silu{0}",
        names=("silu", "swish"), sympy=silu, spell={"*": _expand(lambda a: a * sigmoid(a))},
        reference=lambda a: a / (1 + sp.exp(-a)), doc="a*sigmoid(a)"),
    row("mish", lambda a: mish(a),
        lambda a, out: (sp.tanh(softplus(a)) + a * sigmoid(a) * (1 - sp.tanh(softplus(a))**2),), (W,), "mish{0}",
        names=("mish",), sympy=mish, spell={"*": _expand(lambda a: a * sp.tanh(softplus(a)))},
        reference=lambda a: a * sp.tanh(sp.log(1 + sp.exp(a))), doc="a*tanh(softplus(a))"),
    # PyTorch: the gradient passes strictly inside (lo, hi)
    row("hardtanh", lambda a, lo, hi: hardtanh(a, lo, hi),
        lambda a, lo, hi, out: (logical_and(gt(a, lo), lt(a, hi)), 0, 0), (W, (-1.0, -1.0), (1.0, 1.0)), "htanh{0}",
        names=("hardtanh",), sympy=hardtanh, constant_args=(1, 2), keywords=("input", "min_val", "max_val"),
        defaults=(-1.0, 1.0), spell={"*": _expand(_clamp)}, reference=_clamp,
        doc="clamp(a, -1, 1); d/da is 1 strictly inside (lo, hi) (PyTorch)"),
    row("relu6", lambda a: relu6(a), lambda a, out: (logical_and(gt(a, 0), lt(a, 6)),), ((-2.0, 8.0),), "relu6{0}",
        names=("relu6",), sympy=relu6, spell={"*": _expand(lambda a: _clamp(a, 0, 6))},
        reference=lambda a: _clamp(a, 0, 6), doc="clamp(a, 0, 6)"),
    row("hardsigmoid", lambda a: hardsigmoid(a), lambda a, out: (where(logical_and(gt(a, -3), lt(a, 3)), sp.Rational(1, 6), 0),),
        ((-5.0, 5.0),), "hsig{0}", names=("hardsigmoid",), sympy=hardsigmoid,
        spell={"*": _expand(lambda a: _clamp(a / 6 + sp.S.Half, 0, 1))}, reference=lambda a: _clamp(a / 6 + sp.S.Half, 0, 1),
        doc="clamp(a/6 + 1/2, 0, 1)"),
    row("hardswish", lambda a: hardswish(a),
        lambda a, out: (where(lt(a, -3), 0, where(gt(a, 3), 1, (2 * a + 3) / 6)),), ((-5.0, 5.0),), "hswish{0}",
        names=("hardswish",), sympy=hardswish, spell={"*": _expand(lambda a: a * _clamp(a + 3, 0, 6) / 6)},
        reference=lambda a: a * _clamp(a + 3, 0, 6) / 6, doc="a*clamp(a + 3, 0, 6)/6"),
    row("softsign", lambda a: softsign(a), lambda a, out: (1 / (1 + sp.Abs(a))**2,), (W,), "ssign{0}",
        names=("softsign",), sympy=softsign, spell={"*": _expand(lambda a: a / (1 + sp.Abs(a)))},
        reference=lambda a: a / (1 + sp.Abs(a)), doc="a/(1 + |a|)"),
    row("logsigmoid", lambda a: logsigmoid(a), lambda a, out: (sigmoid(-a),), (W,), "lsig{0}",
        names=("logsigmoid", "log_sigmoid", "log_expit"), sympy=logsigmoid,
        spell={"*": _expand(lambda a: -softplus(-a))}, reference=lambda a: -sp.log(1 + sp.exp(-a)),
        doc="log(sigmoid(a)) = -softplus(-a), without overflow"),
    row("tanhshrink", lambda a: tanhshrink(a), lambda a, out: (sp.tanh(a)**2,), (W,), "tshrink{0}",
        names=("tanhshrink",), sympy=tanhshrink, spell={"*": _expand(lambda a: a - sp.tanh(a))},
        reference=lambda a: a - sp.tanh(a), doc="a - tanh(a)"),
]
