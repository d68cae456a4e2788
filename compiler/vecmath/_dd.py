"""Double-word arithmetic (double-double for float64, float-float for float32).

A double-word number is a pair ``(hi, lo)`` of floats whose unevaluated sum carries about twice
the working precision. The error-free transformations are the classical ones: TwoSum (Knuth,
TAOCP vol. 2, 4.2.2), FastTwoSum (Dekker 1971) and TwoProduct with a fused multiply-add. The
composite operations follow SLEEF's ``src/common/dd.h`` (Naoki Shibata, Boost Software License
1.0), the FMA variants; they are re-expressed here as scalar Numba functions.

Every function is generic in the float type: it uses no float literals (the constant 1 is passed
in as ``one`` where needed), so the same code serves float64 and float32 without promotion.
All are ``inline="always"`` so that they disappear into the caller's loop body.
"""

from ..jitcache import njit_cached
from ._intrin import div, fma

_jit = njit_cached(forceinline=True, error_model="numpy", fastmath=False, boundscheck=False)


@_jit
def two_sum(a, b):
    """s + e == a + b exactly (any magnitudes)."""
    s = a + b
    v = s - a
    e = (a - (s - v)) + (b - v)
    return s, e


@_jit
def fast_two_sum(a, b):
    """s + e == a + b exactly, provided |a| >= |b| (or a == 0)."""
    s = a + b
    e = b - (s - a)
    return s, e


@_jit
def two_prod(a, b):
    """p + e == a * b exactly (barring underflow)."""
    p = a * b
    return p, fma(a, b, -p)


@_jit
def normalize(h, l):
    s = h + l
    return s, (h - s) + l


@_jit
def scale(h, l, s):
    return h * s, l * s


@_jit
def add_fast(xh, xl, yh, yl):
    """x + y for |x| >= |y| (SLEEF ddadd_vd2_vd2_vd2)."""
    s = xh + yh
    return s, (xh - s) + yh + xl + yl


@_jit
def add(xh, xl, yh, yl):
    """x + y, any magnitudes (SLEEF ddadd2_vd2_vd2_vd2)."""
    s, e = two_sum(xh, yh)
    return s, e + (xl + yl)


@_jit
def add_d(xh, xl, y):
    """x + y with a single float y, any magnitudes (SLEEF ddadd2_vd2_vd2_vd)."""
    s, e = two_sum(xh, y)
    return s, e + xl


@_jit
def add_d_fast(xh, xl, y):
    """x + y with a single float y, |x| >= |y| (SLEEF ddadd_vd2_vd2_vd)."""
    s = xh + y
    return s, (xh - s) + y + xl


@_jit
def d_add_fast(x, yh, yl):
    """x + y with a single float x, |x| >= |y| (SLEEF ddadd_vd2_vd_vd2)."""
    s = x + yh
    return s, (x - s) + yh + yl


@_jit
def mul(xh, xl, yh, yl):
    s = xh * yh
    return s, fma(xh, yl, fma(xl, yh, fma(xh, yh, -s)))


@_jit
def mul_d(xh, xl, y):
    s = xh * y
    return s, fma(xl, y, fma(xh, y, -s))


@_jit
def mul_to_d(xh, xl, yh, yl):
    """x * y rounded to one float."""
    return fma(xh, yh, fma(xl, yh, xh * yl))


@_jit
def sqr(xh, xl):
    s = xh * xh
    return s, fma(xh + xh, xl, fma(xh, xh, -s))


@_jit
def sqr_to_d(xh, xl):
    return fma(xh, xh, xh * xl + xh * xl)


@_jit
def div2(nh, nl, dh, dl, one):
    """n / d (SLEEF dddiv_vd2_vd2_vd2, FMA variant)."""
    t = div(one, dh)
    s = nh * t
    u = fma(t, nh, -s)
    v = fma(-dl, t, fma(-dh, t, one))
    return s, fma(s, v, fma(nl, t, u))


@_jit
def rec(dh, dl, one):
    """1 / d (SLEEF ddrec_vd2_vd2, FMA variant)."""
    s = div(one, dh)
    return s, s * fma(-dl, s, fma(-dh, s, one))


@_jit
def rec_d(d, one):
    """1 / d for a single float d, as a double-word number."""
    s = div(one, d)
    return s, s * fma(-d, s, one)
