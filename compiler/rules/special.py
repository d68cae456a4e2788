"""Rows for the special functions: gamma and its relatives, the error function's inverses and
complement, Bessel functions of order 0 and 1, sinc, cbrt, logit, xlogy, the base-2 and base-10
exponentials and logarithms, and the inverse hyperbolic functions.

Spellings: the python and numpy targets call SciPy (``scipy.special``) or NumPy; the numba target
calls ``compiler.special.cpu`` (Cephes and Boost algorithms written for Numba) where ``math`` has
nothing; the cuda target calls ``compiler.special.gpu`` (the same code, inlined into the kernel, or
libdevice) and ``math`` (libdevice). Every partial is written with rows, so the table stays closed
under differentiation: j1' = j0 - j1/x is ``where(a == 0, 1/2, ...)`` at its removable singularity.
"""
from __future__ import annotations

import sympy as sp

from .logic import eq, lt, ne, where
from .table import function_class, row

W = (-3.0, 3.0)
POS = (0.1, 3.0)
_SQRTPI = sp.sqrt(sp.pi)
_LN2, _LN10 = sp.log(2), sp.log(10)


def _f(name, arity, doc=""):
    return function_class(name, arity, doc=doc)


digamma = _f("digamma", 1)
polygamma = _f("polygamma", 2)
gammaln = _f("gammaln", 1)
rgamma = _f("rgamma", 1)
beta = _f("beta", 2)
betaln = _f("betaln", 2)
erfc = _f("erfc", 1)
erfinv = _f("erfinv", 1)
erfcinv = _f("erfcinv", 1)
j0, j1, y0, y1 = (_f(n, 1) for n in ("j0", "j1", "y0", "y1"))
i0, i1, i0e, i1e = (_f(n, 1) for n in ("i0", "i1", "i0e", "i1e"))
sinc = _f("sinc", 1)
cbrt = _f("cbrt", 1)
logit = _f("logit", 1)
xlogy = _f("xlogy", 2)
exp2 = _f("exp2", 1)
log2 = _f("log2", 1)
log10 = _f("log10", 1)
logaddexp2 = _f("logaddexp2", 2)
rsqrt = _f("rsqrt", 1)


def _special(name, kernel=True):
    """SciPy on python/numpy; compiler.special on numba and cuda (``kernel``)."""
    spell = {"numpy": f"scipy.special.{name}"}
    if kernel:
        spell["kernel"] = f"_sp.{name}"
    return spell


def _sinc_d_series(a):
    """sinc'(a) = sum_k (-1)**k 2k pi**2k a**(2k-1)/(2k+1)!, k = 1..4 (|a| < 0.01)."""
    return sum((-1)**k * 2 * k * sp.pi**(2 * k) * a**(2 * k - 1) / sp.factorial(2 * k + 1) for k in range(1, 5))


def _expand(formula):
    """Spell a row as a formula of other rows, printed by the target's printer."""
    return lambda p, e: p.wrap(e, p._print(formula(*e.args)))


def _guard(a, at_zero, elsewhere):
    """``elsewhere`` but ``at_zero`` at a == 0 (a removable singularity)."""
    return where(eq(a, 0), at_zero, elsewhere)


ROWS = [
    row("digamma", lambda a: digamma(a), lambda a, out: (polygamma(1, a),), (POS,), "psi{0}",
        names=("digamma", "psi"), sympy=digamma, spell=_special("digamma"), reference=sp.digamma,
        doc="nan at 0, -1, -2 ... (SciPy)"),
    row("polygamma", lambda n, a: polygamma(n, a), lambda n, a, out: (0, polygamma(n + 1, a)), ((1, 1), POS),
        "psi{0}{1}", names=("polygamma",), sympy=polygamma, constant_args=(0,), spell=_special("polygamma"),
        reference=sp.polygamma, doc="n a constant integer >= 0; polygamma(0, a) is digamma"),
    row("gamma", lambda a: sp.gamma(a), lambda a, out: (out * digamma(a),), (POS,), "gamma{0}", names=("gamma",),
        sympy=sp.gamma, spell={"numpy": "scipy.special.gamma", "kernel": "math.gamma"}),
    row("gammaln", lambda a: gammaln(a), lambda a, out: (digamma(a),), (POS,), "lgamma{0}",
        names=("gammaln", "lgamma", "loggamma"), sympy=gammaln, spell={"numpy": "scipy.special.gammaln",
                                                                    "kernel": "math.lgamma"},
        reference=lambda a: sp.log(sp.Abs(sp.gamma(a))), doc="log|gamma(a)|"),
    row("rgamma", lambda a: rgamma(a), lambda a, out: (-digamma(a) * out,), (POS,), "rgamma{0}", names=("rgamma",),
        sympy=rgamma, spell=_special("rgamma"), reference=lambda a: 1 / sp.gamma(a),
        doc="1/gamma(a), 0 at the poles (its derivative there is not computed: nan)"),
    row("beta", lambda a, b: beta(a, b),
        lambda a, b, out: (out * (digamma(a) - digamma(a + b)), out * (digamma(b) - digamma(a + b))), (POS, POS),
        "beta{0}{1}", names=("beta",), sympy=beta,
        spell={"numpy": "scipy.special.beta", "kernel": _expand(lambda a, b: sp.gamma(a) * sp.gamma(b) * rgamma(a + b))},
        reference=sp.beta, doc="numba and cuda: gamma(a)*gamma(b)*rgamma(a + b), which overflows past about 171"),
    row("betaln", lambda a, b: betaln(a, b),
        lambda a, b, out: (digamma(a) - digamma(a + b), digamma(b) - digamma(a + b)), (POS, POS), "betaln{0}{1}",
        names=("betaln",), sympy=betaln,
        spell={"numpy": "scipy.special.betaln", "kernel": _expand(lambda a, b: gammaln(a) + gammaln(b) - gammaln(a + b))},
        reference=lambda a, b: sp.log(sp.Abs(sp.beta(a, b))), doc="log|beta(a, b)|"),
    row("erfc", lambda a: erfc(a), lambda a, out: (-2 * sp.exp(-a**2) / _SQRTPI,), (W,), "erfc{0}", names=("erfc",),
        sympy=erfc, spell={"numpy": "scipy.special.erfc", "kernel": "math.erfc"}, reference=sp.erfc),
    row("erfinv", lambda a: erfinv(a), lambda a, out: (_SQRTPI / 2 * sp.exp(out**2),), ((-0.95, 0.95),), "erfinv{0}",
        names=("erfinv",), sympy=erfinv, spell=_special("erfinv"), reference=sp.erfinv),
    row("erfcinv", lambda a: erfcinv(a), lambda a, out: (-_SQRTPI / 2 * sp.exp(out**2),), ((0.05, 1.95),),
        "erfcinv{0}", names=("erfcinv",), sympy=erfcinv, spell=_special("erfcinv"), reference=lambda a: sp.erfinv(1 - a)),
    row("j0", lambda a: j0(a), lambda a, out: (-j1(a),), ((0.1, 2.3),), "j0{0}", names=("j0",), sympy=j0,
        spell=_special("j0"), reference=lambda a: sp.besselj(0, a)),
    row("j1", lambda a: j1(a), lambda a, out: (_guard(a, sp.S.Half, j0(a) - j1(a) / a),), ((0.1, 3.5),), "j1{0}",
        names=("j1",), sympy=j1, spell=_special("j1"), reference=lambda a: sp.besselj(1, a)),
    row("y0", lambda a: y0(a), lambda a, out: (-y1(a),), ((1.0, 3.5),), "y0{0}", names=("y0",), sympy=y0,
        spell=_special("y0"), reference=lambda a: sp.bessely(0, a)),
    row("y1", lambda a: y1(a), lambda a, out: (y0(a) - y1(a) / a,), ((2.5, 5.0),), "y1{0}", names=("y1",), sympy=y1,
        spell=_special("y1"), reference=lambda a: sp.bessely(1, a)),
    row("i0", lambda a: i0(a), lambda a, out: (i1(a),), (W,), "i0{0}", names=("i0",), sympy=i0,
        spell=_special("i0"), reference=lambda a: sp.besseli(0, a)),
    row("i1", lambda a: i1(a), lambda a, out: (_guard(a, sp.S.Half, i0(a) - i1(a) / a),), (W,), "i1{0}",
        names=("i1",), sympy=i1, spell=_special("i1"), reference=lambda a: sp.besseli(1, a)),
    row("i0e", lambda a: i0e(a), lambda a, out: (i1e(a) - sp.sign(a) * out,), (W,), "i0e{0}", names=("i0e",),
        sympy=i0e, spell=_special("i0e"), reference=lambda a: sp.besseli(0, a) * sp.exp(-sp.Abs(a)),
        doc="exp(-|a|) i0(a)"),
    row("i1e", lambda a: i1e(a), lambda a, out: (_guard(a, sp.S.Half, i0e(a) - out * (sp.sign(a) + 1 / a)),), (W,),
        "i1e{0}", names=("i1e",), sympy=i1e, spell=_special("i1e"),
        reference=lambda a: sp.besseli(1, a) * sp.exp(-sp.Abs(a)), doc="exp(-|a|) i1(a)"),
    # normalised, as NumPy: sin(pi a)/(pi a)
    # sinc' = (cos(pi a) - sinc(a))/a cancels as a -> 0 (and its own derivative is 0/0 below 1e-154):
    # for |a| < 0.01 its Taylor series, exact to rounding there (the next term is 7e-19 relative),
    # which also gives sinc''(0) = -pi**2/3
    row("sinc", lambda a: sinc(a), lambda a, out: (where(lt(a**2, sp.Rational(1, 10000)), _sinc_d_series(a),
                                                         (sp.cos(sp.pi * a) - out) / a),), (W,), "sinc{0}",
        names=("sinc",), sympy=sinc, spell={"kernel": "_sp.sinc"},
        reference=lambda a: sp.sin(sp.pi * a) / (sp.pi * a), doc="sin(pi a)/(pi a), 1 at 0 (NumPy's)"),
    row("cbrt", lambda a: cbrt(a), lambda a, out: (1 / (3 * out**2),), (W,), "cbrt{0}", names=("cbrt",), sympy=cbrt,
        spell={"cuda": "_sp.cbrt"}, reference=lambda a: sp.sign(a) * sp.Abs(a)**sp.Rational(1, 3),
        doc="the real cube root"),
    row("logit", lambda a: logit(a), lambda a, out: (1 / (a * (1 - a)),), ((0.05, 0.95),), "logit{0}",
        names=("logit",), sympy=logit, spell={"numpy": "scipy.special.logit",
                                              "kernel": _expand(lambda a: sp.log(a / (1 - a)))},
        reference=lambda a: sp.log(a / (1 - a)), doc="log(a/(1 - a))"),
    # xlogy(0, b) = 0, and its derivative in a is 0 there too (PyTorch's xlogy(a != 0, b))
    row("xlogy", lambda a, b: xlogy(a, b), lambda a, b, out: (where(ne(a, 0), sp.log(b), 0), a / b), (W, POS),
        "{0}logy{1}", names=("xlogy",), sympy=xlogy,
        spell={"numpy": "scipy.special.xlogy", "kernel": _expand(lambda a, b: where(eq(a, 0), 0, a * sp.log(b)))},
        reference=lambda a, b: a * sp.log(b), doc="a*log(b), 0 where a == 0"),
    row("exp2", lambda a: exp2(a), lambda a, out: (out * _LN2,), ((-5.0, 5.0),), "exp2{0}", names=("exp2",),
        sympy=exp2, reference=lambda a: 2**a),
    row("log2", lambda a: log2(a), lambda a, out: (1 / (a * _LN2),), (POS,), "log2{0}", names=("log2",), sympy=log2,
        reference=lambda a: sp.log(a, 2)),
    row("log10", lambda a: log10(a), lambda a, out: (1 / (a * _LN10),), (POS,), "log10{0}", names=("log10",),
        sympy=log10, reference=lambda a: sp.log(a, 10)),
    row("logaddexp2", lambda a, b: logaddexp2(a, b),
        lambda a, b, out: (exp2(a - out), exp2(b - out)), (W, W), "lse2{0}{1}", names=("logaddexp2",),
        sympy=logaddexp2, spell={"cuda": _expand(lambda a, b: sp.Max(a, b) + log2(1 + exp2(-sp.Abs(a - b))))},
        reference=lambda a, b: sp.log(2**a + 2**b, 2), doc="log2(2**a + 2**b), shifted by the larger input"),
    row("rsqrt", lambda a: rsqrt(a), lambda a, out: (-out**3 / 2,), (POS,), "rsqrt{0}", names=("rsqrt",),
        sympy=rsqrt, spell={"*": _expand(lambda a: 1 / sp.sqrt(a))}, reference=lambda a: 1 / sp.sqrt(a),
        doc="1/sqrt(a)"),
    row("acosh", lambda a: sp.acosh(a), lambda a, out: (1 / sp.sqrt(a**2 - 1),), ((1.1, 3.0),), "acosh{0}",
        names=("acosh", "arccosh"), sympy=sp.acosh, numpy="arccosh"),
    row("atanh", lambda a: sp.atanh(a), lambda a, out: (1 / (1 - a**2),), ((-0.9, 0.9),), "atanh{0}",
        names=("atanh", "arctanh"), sympy=sp.atanh, numpy="arctanh"),
    row("deg2rad", lambda a: a * (sp.pi / 180), lambda a, out: (sp.pi / 180,), (W,), "rad{0}",
        names=("deg2rad", "radians"), doc="a*pi/180"),
    row("rad2deg", lambda a: a * (180 / sp.pi), lambda a, out: (180 / sp.pi,), (W,), "deg{0}",
        names=("rad2deg", "degrees"), doc="a*180/pi"),
]
