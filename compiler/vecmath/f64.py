"""float64 vector math functions: branch-free scalar code that LLVM vectorises inside loops.

Every public function takes and returns float64 (its arguments are converted to float64). All
functions here, public and private, are ``numba.njit(forceinline=True, fastmath=False)``: each is
compiled once per signature on its own, without fast-math flags, and LLVM inlines it
(``alwaysinline``) into the caller, whose loop body stays one basic block (selects instead of
branches, no libm calls), so LLVM's loop vectoriser can widen it.

Sources of the algorithms and coefficients, named again at each function:

* SLEEF 3.x, ``src/libm/sleefsimddp.c`` (Naoki Shibata and contributors, Boost Software License
  1.0): the polynomial coefficients and the structure of exp, expm1, log, log1p, exp2, log2, pow,
  the sin/cos kernel, atan/atan2 and erf/erfc (the "u10"/"u1" variants, the 1.0-ulp ones).
* The double-double helpers of ``_dd.py`` (Dekker, Knuth, SLEEF ``dd.h``).
* Own constructions, with the reasoning in comments: tanh via expm1, sigmoid, softplus and
  logaddexp via a double-double exp and log (and logaddexp's accurate path where its two terms
  cancel, e**a + e**b - 1 in triple-double: ``_td.py``), the sin/cos argument reduction
  (``_tables.py``), the C99 special cases, and the handling of subnormal results (scaling once,
  at the end).
"""

import numpy as np

from ..jitcache import njit_cached
from . import _dd as dd
from . import _td as td
from ._intrin import copysign, div, f2i, fabs, fma, i2f64, rint, select, toi32
from ._tables import F64_KMAX, F64_LMAX, F64_LMIN, PIO2_TABLE_F64

__all__ = ["exp", "expm1", "log", "log1p", "exp2", "log2", "pow", "tanh", "sigmoid", "softplus",
           "logaddexp", "sin", "cos", "atan", "atan2", "erf", "erfc"]

_jit = njit_cached(forceinline=True, error_model="numpy", fastmath=False, boundscheck=False)

INF = np.inf
NAN = np.nan
_SIGN = np.int64(-0x8000000000000000)          # the sign bit of a float64 as an int64
_BITS_075 = np.int64(0x3FE8000000000000)       # the bits of 0.75

# ln 2 split for Cody-Waite reduction (SLEEF misc.h: L2U has trailing zero bits, so q*L2U is
# exact for |q| < 2**11) and 1/ln 2.
R_LN2 = 1.442695040888963407359924681001892137426645954152985934135449406931
L2U = 0.69314718055966295651160180568695068359375
L2L = 0.28235290563031577122588448175013436025525412068e-12
LN2_H, LN2_L = 0.693147180559945286226764, 2.319046813846299558417771e-17
PIO2_H, PIO2_L = 1.570796326794896557998982, 6.12323399573676603586882e-17
# exp(x) is finite up to this double (SLEEF LOG_DBL_MAX = 0x1.62e42fefa39efp+9).
LOG_DBL_MAX = 709.782712893383996732223
DBL_MIN = 2.2250738585072014e-308


# ---------------------------------------------------------------------------------------------
# Bit-level helpers.

@_jit
def _pow2i(q):
    """2**q for an integer q in [-1022, 1023], built from its exponent field."""
    return i2f64((q + 1023) << 52)


@_jit
def _ldexp2(d, q):
    """d * 2**q for |q| <= 2098 (SLEEF vldexp2): the first product is exact, the second rounds
    once, so results in the subnormal range are correctly scaled."""
    h = q >> 1
    return d * _pow2i(h) * _pow2i(q - h)


@_jit
def _ldexp3(d, q):
    """d * 2**q by adding q to the exponent field: d normal and the result normal (SLEEF
    vldexp3)."""
    return i2f64(f2i(d) + (q << 52))


@_jit
def _mulsign(x, y):
    """x with its sign flipped when y's sign bit is set (SLEEF vmulsign)."""
    return i2f64(f2i(x) ^ (f2i(y) & _SIGN))


@_jit
def _signbit(x):
    return f2i(x) < 0


@_jit
def _isinf(x):
    return fabs(x) == INF


@_jit
def _isnan(x):
    return x != x


@_jit
def _clamp(x, lo, hi):
    """min(max(x, lo), hi), with nan going to lo."""
    x = select(x > lo, x, lo)
    return select(x < hi, x, hi)


@_jit
def _exponent_075(d):
    """e such that d * 2**-e lies in [0.75, 1.5), for a positive normal d, from the bits
    (no product d / 0.75 that could overflow)."""
    return (f2i(d) - _BITS_075) >> 52


# ---------------------------------------------------------------------------------------------
# exp and its double-double relatives.

@_jit
def exp(d):
    """e**d, max error < 1 ulp. SLEEF xexp: Cody-Waite reduction d = q ln2 + s (two-part ln 2),
    a degree-12 polynomial for e**s evaluated with FMA, then 2**q applied in two steps."""
    d = np.float64(d)
    x = _clamp(d, -1000.0, 1000.0)
    qf = rint(x * R_LN2)
    q = toi32(qf)
    s = fma(qf, -L2U, x)
    s = fma(qf, -L2L, s)
    u = 0.2081276378237164457e-8
    u = fma(u, s, 0.2511210703042288022e-7)
    u = fma(u, s, 0.2755762628169491192e-6)
    u = fma(u, s, 0.2755723402025388239e-5)
    u = fma(u, s, 0.2480158687479686264e-4)
    u = fma(u, s, 0.1984126989855865850e-3)
    u = fma(u, s, 0.1388888888914497797e-2)
    u = fma(u, s, 0.8333333333314938210e-2)
    u = fma(u, s, 0.4166666666666602598e-1)
    u = fma(u, s, 0.1666666666666669072e+0)
    u = fma(u, s, 0.5)
    u = fma(u, s, 1.0)
    u = fma(u, s, 1.0)
    u = _ldexp2(u, q)
    u = select(d > LOG_DBL_MAX, INF, u)
    return select(_isnan(d), d, u)


@_jit
def _expk2u(dh, dl):
    """e**(dh + dl) as (th, tl, q) with the value (th + tl) * 2**q, th in [0.7, 1.5]
    (SLEEF expk2 without its final scaling, so that callers can scale once at the end).
    The caller keeps dh within [-1000, 1000]."""
    qf = rint((dh + dl) * R_LN2)
    q = toi32(qf)
    sh, sl = dd.add_d(dh, dl, qf * -L2U)
    sh, sl = dd.add_d(sh, sl, qf * -L2L)
    s2h, s2l = dd.sqr(sh, sl)
    s4h, s4l = dd.sqr(s2h, s2l)
    u = 0.1602472219709932072e-9
    u = fma(u, sh, 0.2092255183563157007e-8)
    u = fma(u, sh, 0.2505230023782644465e-7)
    u = fma(u, sh, 0.2755724800902135303e-6)
    u = fma(u, sh, 0.2755731892386044373e-5)
    u = fma(u, sh, 0.2480158735605815065e-4)
    u = fma(u, sh, 0.1984126984148071858e-3)
    u = fma(u, sh, 0.1388888888886763255e-2)
    u = fma(u, sh, 0.8333333333333347095e-2)
    u = fma(u, sh, 0.4166666666666669905e-1)
    th, tl = dd.mul_d(sh, sl, 0.1666666666666666574e+0)
    th, tl = dd.d_add_fast(0.5, th, tl)
    th, tl = dd.mul(th, tl, sh, sl)
    th, tl = dd.d_add_fast(1.0, th, tl)
    th, tl = dd.mul(th, tl, sh, sl)
    th, tl = dd.d_add_fast(1.0, th, tl)
    ph, pl = dd.mul_d(s4h, s4l, u)
    th, tl = dd.add_fast(th, tl, ph, pl)
    return th, tl, q


@_jit
def _expk2(dh, dl):
    """e**(dh + dl) as a double-double (SLEEF expk2), dh within [-1000, 1000]."""
    th, tl, q = _expk2u(dh, dl)
    return _ldexp2(th, q), _ldexp2(tl, q)


@_jit
def expm1(a):
    """e**a - 1, max error < 1 ulp. SLEEF xexpm1: the double-double exp minus 1."""
    a = np.float64(a)
    x = _clamp(a, -45.0, 710.0)              # expm1(-45) rounds to -1
    eh, el = _expk2(x, 0.0)
    eh, el = dd.add_d(eh, el, -1.0)
    r = eh + el
    r = select(a > LOG_DBL_MAX, INF, r)
    r = select(a == 0.0, a, r)               # keeps the sign of zero
    return select(_isnan(a), a, r)


@_jit
def _expk(dh, dl):
    """e**(dh + dl) rounded to one double (SLEEF expk), dh within [-1000, 1000]."""
    qf = rint((dh + dl) * R_LN2)
    q = toi32(qf)
    sh, sl = dd.add_d(dh, dl, qf * -L2U)
    sh, sl = dd.add_d(sh, sl, qf * -L2L)
    sh, sl = dd.normalize(sh, sl)
    u = 2.51069683420950419527139e-08
    u = fma(u, sh, 2.76286166770270649116855e-07)
    u = fma(u, sh, 2.75572496725023574143864e-06)
    u = fma(u, sh, 2.48014973989819794114153e-05)
    u = fma(u, sh, 0.000198412698809069797676111)
    u = fma(u, sh, 0.0013888888939977128960529)
    u = fma(u, sh, 0.00833333333332371417601081)
    u = fma(u, sh, 0.0416666666665409524128449)
    u = fma(u, sh, 0.166666666666666740681535)
    u = fma(u, sh, 0.500000000000000999200722)
    th, tl = dd.d_add_fast(1.0, sh, sl)
    ph, pl = dd.sqr(sh, sl)
    ph, pl = dd.mul_d(ph, pl, u)
    th, tl = dd.add_fast(th, tl, ph, pl)
    return _ldexp2(th + tl, q)


@_jit
def exp2(d):
    """2**d, max error < 1 ulp. SLEEF xexp2: d = q + s with q = rint(d), a degree-12
    polynomial for 2**s."""
    d = np.float64(d)
    x = _clamp(d, -2000.0, 1100.0)
    qf = rint(x)
    q = toi32(qf)
    s = x - qf
    u = 0.4434359082926529454e-9
    u = fma(u, s, 0.7073164598085707425e-8)
    u = fma(u, s, 0.1017819260921760451e-6)
    u = fma(u, s, 0.1321543872511327615e-5)
    u = fma(u, s, 0.1525273353517584730e-4)
    u = fma(u, s, 0.1540353045101147808e-3)
    u = fma(u, s, 0.1333355814670499073e-2)
    u = fma(u, s, 0.9618129107597600536e-2)
    u = fma(u, s, 0.5550410866482046596e-1)
    u = fma(u, s, 0.2402265069591012214e+0)
    u = fma(u, s, 0.6931471805599452862e+0)
    u = fma(u, s, 1.0)
    u = _ldexp2(u, q)
    u = select(d >= 1024.0, INF, u)
    return select(_isnan(d), d, u)


# ---------------------------------------------------------------------------------------------
# log and its relatives. All reduce d = m * 2**e with m in [0.75, 1.5) and use
# log m = 2 atanh(x), x = (m - 1) / (m + 1), |x| <= 0.2, with x in double-double.

@_jit
def _reduce_075(d):
    """(m, e) with d = m * 2**e, m in [0.75, 1.5), for a positive d (subnormals scaled first)."""
    tiny = d < DBL_MIN
    d = select(tiny, d * 18446744073709551616.0, d)     # 2**64
    e = _exponent_075(d)
    m = _ldexp3(d, -e)
    e = select(tiny, e - 64, e)
    return m, e


@_jit
def _log_specials(d, r):
    r = select(d == INF, INF, r)
    r = select((d < 0.0) | _isnan(d), NAN, r)
    return select(d == 0.0, -INF, r)


@_jit
def log(d):
    """Natural logarithm, max error < 1 ulp. SLEEF xlog_u1: log d = e ln2 + 2x + x**3 P(x**2)
    with x = (m - 1) / (m + 1) as a double-double quotient and P of degree 6 in x**2."""
    d = np.float64(d)
    m, e = _reduce_075(d)
    nh, nl = dd.two_sum(m, -1.0)
    dh, dl = dd.two_sum(m, 1.0)
    xh, xl = dd.div2(nh, nl, dh, dl, 1.0)
    x2 = xh * xh
    t = 0.1532076988502701353e+0
    t = fma(t, x2, 0.1525629051003428716e+0)
    t = fma(t, x2, 0.1818605932937785996e+0)
    t = fma(t, x2, 0.2222214519839380009e+0)
    t = fma(t, x2, 0.2857142932794299317e+0)
    t = fma(t, x2, 0.3999999999635251990e+0)
    t = fma(t, x2, 0.6666666666667333541e+0)
    sh, sl = dd.mul_d(LN2_H, LN2_L, np.float64(e))
    sh, sl = dd.add_fast(sh, sl, xh + xh, xl + xl)
    sh, sl = dd.add_d_fast(sh, sl, x2 * xh * t)
    return _log_specials(d, sh + sl)


@_jit
def log2(d):
    """Base-2 logarithm, max error < 1 ulp. SLEEF xlog2: as log, with 2/ln 2 in double-double."""
    d = np.float64(d)
    m, e = _reduce_075(d)
    nh, nl = dd.two_sum(m, -1.0)
    dh, dl = dd.two_sum(m, 1.0)
    xh, xl = dd.div2(nh, nl, dh, dl, 1.0)
    x2 = xh * xh
    t = 0.2211941750456081490e+0
    t = fma(t, x2, 0.2200768693152277689e+0)
    t = fma(t, x2, 0.2623708057488514656e+0)
    t = fma(t, x2, 0.3205977477944495502e+0)
    t = fma(t, x2, 0.4121985945485324709e+0)
    t = fma(t, x2, 0.5770780162997058982e+0)
    t = fma(t, x2, 0.96179669392608091449)
    sh, sl = dd.mul(xh, xl, 2.885390081777926774, 6.0561604995516736434e-18)
    sh, sl = dd.add_d(sh, sl, np.float64(e))
    sh, sl = dd.add_d(sh, sl, x2 * xh * t)
    return _log_specials(d, sh + sl)


@_jit
def log1p(d):
    """log(1 + d), max error < 1 ulp. SLEEF xlog1p: m = (1 + d) * 2**-e - 1 computed as
    d * 2**-e + (2**-e - 1) (the product is exact), then x = m / (2 + m). Unlike SLEEF, which
    switches to log() above 1e307, the scaling here is an exponent-field change, so it is valid up
    to the largest double."""
    d = np.float64(d)
    dp1 = d + 1.0
    e = _exponent_075(dp1)
    t = _pow2i(select(e < 1022, -e, -1022))
    m = _ldexp3(d, -e) + (t - 1.0)
    dh, dl = dd.fast_two_sum(2.0, m)
    xh, xl = dd.div2(m, 0.0, dh, dl, 1.0)
    x2 = xh * xh
    u = 0.1532076988502701353e+0
    u = fma(u, x2, 0.1525629051003428716e+0)
    u = fma(u, x2, 0.1818605932937785996e+0)
    u = fma(u, x2, 0.2222214519839380009e+0)
    u = fma(u, x2, 0.2857142932794299317e+0)
    u = fma(u, x2, 0.3999999999635251990e+0)
    u = fma(u, x2, 0.6666666666667333541e+0)
    sh, sl = dd.mul_d(LN2_H, LN2_L, np.float64(e))
    sh, sl = dd.add_fast(sh, sl, xh + xh, xl + xl)
    sh, sl = dd.add_d_fast(sh, sl, x2 * xh * u)
    r = sh + sl
    r = select(fabs(d) < 1e-18, d, r)        # log1p(d) rounds to d; keeps -0 and subnormals
    r = select(d == INF, INF, r)
    r = select((d < -1.0) | _isnan(d), NAN, r)
    return select(d == -1.0, -INF, r)


@_jit
def _logk(d):
    """log d as a double-double for d > 0 (SLEEF logk: degree-9 polynomial, double-double
    evaluation of the first terms), used by pow."""
    m, e = _reduce_075(d)
    nh, nl = dd.two_sum(m, -1.0)
    dh, dl = dd.two_sum(m, 1.0)
    xh, xl = dd.div2(nh, nl, dh, dl, 1.0)
    x2h, x2l = dd.sqr(xh, xl)
    t = 0.116255524079935043668677
    t = fma(t, x2h, 0.103239680901072952701192)
    t = fma(t, x2h, 0.117754809412463995466069)
    t = fma(t, x2h, 0.13332981086846273921509)
    t = fma(t, x2h, 0.153846227114512262845736)
    t = fma(t, x2h, 0.181818180850050775676507)
    t = fma(t, x2h, 0.222222222230083560345903)
    t = fma(t, x2h, 0.285714285714249172087875)
    t = fma(t, x2h, 0.400000000000000077715612)
    sh, sl = dd.mul_d(LN2_H, LN2_L, np.float64(e))
    sh, sl = dd.add_fast(sh, sl, xh + xh, xl + xl)
    x3h, x3l = dd.mul(x2h, x2l, xh, xl)
    ph, pl = dd.mul(x3h, x3l, 0.666666666666666629659233, 3.80554962542412056336616e-17)
    sh, sl = dd.add_fast(sh, sl, ph, pl)
    x5h, x5l = dd.mul(x2h, x2l, x3h, x3l)
    ph, pl = dd.mul_d(x5h, x5l, t)
    return dd.add_fast(sh, sl, ph, pl)


@_jit
def pow(x, y):
    """x**y, max error < 1 ulp in the main path. SLEEF xpow: exp(y log|x|) with a double-double
    log and exp; the C99 (Annex F.10.4.4) special cases are applied with selects in SLEEF's order."""
    x = np.float64(x)
    y = np.float64(y)
    yisint = rint(y) == y
    yisodd = (rint(y * 0.5) != y * 0.5) & yisint
    lh, ll = _logk(fabs(x))
    dh, dl = dd.mul_d(lh, ll, y)
    big = dh > LOG_DBL_MAX
    inrange = fabs(dh) < 1000.0
    dh = select(inrange, dh, -1000.0)
    dl = select(inrange, dl, 0.0)
    r = _expk(dh, dl)
    r = select(big, INF, r)
    r = r * select(x > 0.0, 1.0, select(yisint, select(yisodd, -1.0, 1.0), NAN))
    efx = _mulsign(fabs(x) - 1.0, y)
    r = select(_isinf(y), select(efx < 0.0, 0.0, select(efx == 0.0, 1.0, INF)), r)
    r = select(_isinf(x) | (x == 0.0),
               _mulsign(select(_signbit(y) ^ (x == 0.0), 0.0, INF), select(yisodd, x, 1.0)), r)
    r = select(_isnan(x) | _isnan(y), NAN, r)
    return select((y == 0.0) | (x == 1.0), 1.0, r)


# ---------------------------------------------------------------------------------------------
# Functions of e**x built from the double-double exp (own constructions).

@_jit
def tanh(x):
    """Hyperbolic tangent, max error < 1 ulp in measurements (target 2). tanh|x| = E / (E + 2)
    with E = expm1(2|x|) in double-double, so that small |x| keeps full relative accuracy;
    |x| >= 20 gives 1 (1 - tanh 20 < 2**-55)."""
    x = np.float64(x)
    y = _clamp(fabs(x), 0.0, 20.0)
    eh, el = _expk2(y + y, 0.0)
    eh, el = dd.add_d(eh, el, -1.0)
    eh, el = dd.normalize(eh, el)
    dh, dl = dd.add_d(eh, el, 2.0)
    rh, rl = dd.div2(eh, el, dh, dl, 1.0)
    r = copysign(rh + rl, x)
    return select(_isnan(x), x, r)


@_jit
def sigmoid(x):
    """1 / (1 + e**-x), max error < 1 ulp in measurements (target 2). With E = e**-|x| in
    double-double (no overflow): 1 / (1 + E) for x >= 0 and E / (1 + E) for x < 0, one
    double-double division. For x < 0 the numerator is E unscaled, E = (th + tl) 2**q, and 2**q
    is applied after the division, so that results in the subnormal range (x < -708) are rounded
    once."""
    x = np.float64(x)
    ax = _clamp(fabs(x), 0.0, 800.0)
    th, tl, q = _expk2u(-ax, 0.0)
    dh, dl = dd.d_add_fast(1.0, _ldexp2(th, q), _ldexp2(tl, q))
    neg = x < 0.0
    nh = select(neg, th, 1.0)
    nl = select(neg, tl, 0.0)
    rh, rl = dd.div2(nh, nl, dh, dl, 1.0)
    r = _ldexp2(rh + rl, select(neg, q, 0))
    return select(_isnan(x), x, r)


@_jit
def _log1p_exp_neg(dh, dl, far_from):
    """log(1 + e**-d) as a double-double for d = dh + dl >= 0 (dh <= 1000). With E = e**-d in
    (0, 1] (double-double), log(1 + E) = k ln2 + 2 atanh(z), z = (E - k) / (E + 2 + k), k = 1
    when E >= 1/2 (then 1 + E = 2 m with m in [0.75, 1]) else 0, so |z| <= 1/5 and z keeps its
    relative accuracy for tiny E. Polynomial: SLEEF logk2. For d > far_from (softplus: 40, where
    log(1 + E) = E (1 - E/2) and E/2 < 2**-58; logaddexp: 708) the result is E rounded to one
    double, scaled from the unscaled double-double in one rounding (E is subnormal for d > 708);
    below, a double-double of relative error about 2**-60."""
    th, tl, q = _expk2u(-dh, -dl)
    eh = _ldexp2(th, q)
    el = _ldexp2(tl, q)
    k = select(eh >= 0.5, 1.0, 0.0)
    nh, nl = dd.add_d(eh, el, -k)
    wh, wl = dd.add_d(eh, el, 2.0 + k)
    zh, zl = dd.div2(nh, nl, wh, wl, 1.0)
    z2h, z2l = dd.sqr(zh, zl)
    t = 0.13860436390467167910856
    t = fma(t, z2h, 0.131699838841615374240845)
    t = fma(t, z2h, 0.153914168346271945653214)
    t = fma(t, z2h, 0.181816523941564611721589)
    t = fma(t, z2h, 0.22222224632662035403996)
    t = fma(t, z2h, 0.285714285511134091777308)
    t = fma(t, z2h, 0.400000000000914013309483)
    t = fma(t, z2h, 0.666666666666664853302393)
    sh, sl = dd.mul_d(LN2_H, LN2_L, k)
    sh, sl = dd.add(sh, sl, zh + zh, zl + zl)
    ph, pl = dd.mul(z2h, z2l, zh, zl)
    ph, pl = dd.mul_d(ph, pl, t)
    sh, sl = dd.add(sh, sl, ph, pl)
    far = dh > far_from
    return select(far, _ldexp2(th + tl, q), sh), select(far, 0.0, sl)


@_jit
def softplus(x):
    """log(1 + e**x) without overflow, max error < 1 ulp in measurements (target 2):
    max(x, 0) + log(1 + e**-|x|), the second term in double-double."""
    x = np.float64(x)
    ax = _clamp(fabs(x), 0.0, 1000.0)
    lh, ll = _log1p_exp_neg(ax, 0.0, 40.0)
    rh, rl = dd.add_d(lh, ll, select(x > 0.0, x, 0.0))
    r = rh + rl
    r = select(x == INF, INF, r)
    return select(_isnan(x), x, r)


@_jit
def _logaddexp_u(mx, mn):
    """u = e**mx + e**mn - 1 as (k2, wh, wm, wl), u = 2**k2 (wh + wm + wl), and log1p(u) =
    log(e**mx + e**mn), for mn <= mx < 0 where the result is small against mx (the caller
    selects it where |result| < |mx| / 32), accurate where the fast path of logaddexp cancels.

    With E1 = 1 - e**mx and E2 = e**mn (both within 5 % of each other here), the result is
    log1p(u), u = E2 - E1 = e**mn + (e**mx - 1), |u| < 2**-5.4. u is computed in triple-double
    (_td.py): e**mn = 2**k2 T2 (1 + V2) and e**mx - 1 = (2**k1 T1 - 1) + 2**k1 T1 V1 from
    _td.exp_parts, whose error is below 2**-151 relative to e**mn and to e**mx - 1 (the latter
    also for tiny mx: then k1 = 0, T1 = 1 and it is V1 = expm1(mx) itself; below 2**-500 it is mx).
    The sum is formed scaled by 2**-k2 (no underflow: w = u 2**-k2 is of order 1 or less), so u
    has an absolute error below about 2**-149 E1. Then log1p(u) = u (1 + q),
    q = -u/2 + u**2/3 - ... (to u**11/12, which is below 2**-60 for |u| < 2**-5.4), q in double:
    relative error below 2**-58 before the final rounding, which is done once on w (1 + q) before
    scaling by 2**k2 (exact unless the result is subnormal: then one more rounding, <= 1 ulp in
    all).

    So the result is within 0.5 + 2**-5 + 2**-149 E1 / (|u| 2**-53) ulp, i.e. within 2 ulp
    whenever |u| >= 2**-95 E1, that is whenever e**a + e**b is not closer to 1 than 2**-95 times
    1 - e**max(a, b). For given mx the nearest doubles mn to the exact cancellation leave |u| / E1
    about 2**-53 |mn| (one ulp of mn, times a uniform fraction): smaller values need mn within
    2**-42 ulp of the cancellation point, a probability of about 2**-42 per mx."""
    x1 = _clamp(mx, -1.0, 0.0)               # (the clamps keep the table index in range on
    x2 = _clamp(mn, -760.0, 0.0)             # the lanes that do not use this result)
    k1, t1h, t1m, t1l, v1h, v1m, v1l = td.exp_parts(x1)
    k2, t2h, t2m, t2l, v2h, v2m, v2l = td.exp_parts(x2)
    # e**mx - 1 = (2**k1 T1 - 1) + 2**k1 T1 V1, k1 in {-2, -1, 0}
    # (sums that only feed further sums are left unnormalised: add33_raw)
    c1 = _pow2i(k1)
    bh, bl = dd.two_sum(t1h * c1, -1.0)
    bm, g = dd.two_sum(bl, t1m * c1)
    ph, pm, pl = td.mul33(t1h, t1m, t1l, v1h, v1m, v1l)
    xh, xm, xl = td.add33_raw(bh, bm, g + t1l * c1, ph * c1, pm * c1, pl * c1)
    tiny = fabs(mx) < 3.054936363499605e-151           # 2**-500: e**mx - 1 = mx (1 + mx/2 ...)
    xh = select(tiny, mx, xh)
    xm = select(tiny, 0.0, xm)
    xl = select(tiny, 0.0, xl)
    # w = u 2**-k2 = T2 + (e**mx - 1) 2**-k2 + T2 V2, 2**-k2 in two factors (k2 >= -1100)
    sa = _pow2i((-k2) >> 1)
    sb = _pow2i(-k2 - ((-k2) >> 1))
    xh = xh * sa * sb
    xm = xm * sa * sb
    xl = xl * sa * sb
    wh, wm, wl = td.add33_raw(t2h, t2m, t2l, xh, xm, xl)
    ph, pm, pl = td.mul33(t2h, t2m, t2l, v2h, v2m, v2l)
    wh, wm, wl = td.add33(wh, wm, wl, ph, pm, pl)
    return k2, wh, wm, wl


@_jit
def _log1p_q(u):
    """q with log1p(u) = u (1 + q), for the small u of the cancellation paths below: the series
    -u/2 + u**2/3 - ... - u**11/12."""
    q = -0.08333333333333333
    q = fma(q, u, 0.09090909090909091)
    q = fma(q, u, -0.1)
    q = fma(q, u, 0.1111111111111111)
    q = fma(q, u, -0.125)
    q = fma(q, u, 0.14285714285714285)
    q = fma(q, u, -0.16666666666666666)
    q = fma(q, u, 0.2)
    q = fma(q, u, -0.25)
    q = fma(q, u, 0.3333333333333333)
    q = fma(q, u, -0.5)
    q = q * u
    return q


@_jit
def _logaddexp_cancel(mx, mn):
    """log(e**mx + e**mn) = log1p(u) from _logaddexp_u (see there)."""
    k2, wh, wm, wl = _logaddexp_u(mx, mn)
    # log1p(u) = u (1 + q)
    q = _log1p_q(_ldexp2(wh, k2))
    c = fma(wh, q, wm + wl)
    return _ldexp2(wh + c, k2)


@_jit
def _logaddexp_u_dd(mx, mn):
    """_logaddexp_u in double-double instead of triple-double: (k2, wh, wl), for float32
    arguments (exact in float64; the float32 logaddexp rounds the result to float32): u =
    e**mn + (e**mx - 1) from _td.exp_parts_dd, error below about 2**-102 (1 - e**mx) (measured:
    2**-103.6), so the float64 result of _logaddexp_cancel_dd is within 2**-25 relative, and the
    float32 one within 1 ulp, wherever |u| >= 2**-77 (1 - e**mx). For float32 a and b it is never
    smaller than 2**-55.8 (1 - e**mx): benchmarks/vecmath_accuracy.py --scan-f32-logaddexp ran every
    float32 max(a, b) in [-0.72, 0) with the three float32 min(a, b) nearest the cancellation
    point (farther ones leave |u| above about 2**-26 (1 - e**mx))."""
    x1 = _clamp(mx, -1.0, 0.0)
    x2 = _clamp(mn, -200.0, 0.0)
    k1, t1h, t1l, v1h, v1l, t1x = td.exp_parts_dd(x1)
    k2, t2h, t2l, v2h, v2l, t2x = td.exp_parts_dd(x2)
    # e**mx - 1 = (2**k1 T1 - 1) + 2**k1 T1 V1; 2**k1 T1 - 1 (>= 2**-10 unless it is 0) from the
    # three parts of T1, so that its error is 2**-106 of itself, not of T1
    c1 = _pow2i(k1)
    bh, bl = dd.two_sum(t1h * c1, -1.0)
    bm, g = dd.two_sum(bl, t1l * c1)
    bh, bm = dd.fast_two_sum(bh, bm)
    ph, pl = dd.mul(t1h, t1l + t1x, v1h, v1l)
    xh, xl = dd.add(bh, bm + (g + t1x * c1), ph * c1, pl * c1)
    sc = _pow2i(-k2)                                         # k2 >= -290
    wh, wl = dd.add(t2h, t2l + t2x, xh * sc, xl * sc)
    ph, pl = dd.mul(t2h, t2l + t2x, v2h, v2l)
    wh, wl = dd.add(wh, wl, ph, pl)
    return k2, wh, wl


@_jit
def _logaddexp_cancel_dd(mx, mn):
    """log1p(u) for u from _logaddexp_u_dd, as in _logaddexp_cancel."""
    k2, wh, wl = _logaddexp_u_dd(mx, mn)
    q = _log1p_q(_ldexp2(wh, k2))
    return _ldexp2(wh + fma(wh, q, wl), k2)


@_jit
def _logaddexp_fast(a, b):
    """The fast path of logaddexp: (r, mx, mn, cancel), r = max + log1p(e**-|a - b|) before the
    special values, cancel where r must be replaced by the accurate path."""
    mx = select(a > b, a, b)
    mn = select(a > b, b, a)
    dh, dl = dd.two_sum(a, -b)
    neg = dh < 0.0
    dh = select(neg, -dh, dh)
    dl = select(neg, -dl, dl)
    ok = dh < 1000.0                         # also false for nan (a = b = +-inf)
    dh = select(ok, dh, 1000.0)
    dl = select(ok, dl, 0.0)
    lh, ll = _log1p_exp_neg(dh, dl, 708.0)
    rh, rl = dd.add_d(lh, ll, mx)
    r = rh + rl
    return r, mx, mn, (mx < 0.0) & (fabs(r) < 0.03125 * fabs(mx))


@_jit
def _logaddexp_specials(a, b, mx, r):
    r = select(mx == INF, INF, r)
    r = select((a == b) & _isinf(a), a, r)
    return select(_isnan(a) | _isnan(b), a + b, r)


@_jit
def _logaddexp_f32(a, b):
    """logaddexp for float32 arguments given as float64, in float64 (f32.logaddexp rounds it):
    the fast path, and _logaddexp_cancel_dd where it cancels."""
    r, mx, mn, cancel = _logaddexp_fast(a, b)
    r = select(cancel, _logaddexp_cancel_dd(mx, mn), r)
    return _logaddexp_specials(a, b, mx, r)


@_jit
def logaddexp(a, b):
    """log(e**a + e**b), max error < 1 ulp in measurements (target 2), also where the two terms
    cancel. Fast path: max(a, b) + log(1 + e**-|a - b|), with a - b as an exact double-double and
    the second term a double-double of relative error about 2**-60 (_log1p_exp_neg). Its error is
    below 2**-59 |max(a, b)| + 0.5 ulp, enough wherever |result| >= |max(a, b)| / 32. Below that
    (only for -0.72 < max(a, b) < 0, e**a + e**b close to 1, e.g. a = log p, b = log1p(-p)) the
    result of _logaddexp_cancel is selected: log1p(e**a + e**b - 1) with e**a + e**b - 1 in
    triple-double; see its docstring for why that is within 2 ulp (it is, unless
    e**a + e**b - 1 is below 2**-95 of 1 - e**max(a, b)). Both paths are always computed
    (branch-free), which makes this function several times slower than the fast path alone."""
    a = np.float64(a)
    b = np.float64(b)
    r, mx, mn, cancel = _logaddexp_fast(a, b)
    r = select(cancel, _logaddexp_cancel(mx, mn), r)
    return _logaddexp_specials(a, b, mx, r)


# ---------------------------------------------------------------------------------------------
# sin and cos.

@_jit
def _rem_pio2(a):
    """(xh, xl, q): a = (4k + q) pi/2 + x with |x| <= pi/4 (+ a rounding), x a double-double,
    for finite a (own construction after Payne and Hanek, see _tables.py).

    The four products of a with 53-bit windows of 2/pi are exact double-doubles (TwoProduct).
    Their integer parts are removed exactly with rint (the quadrant is kept mod 4); the
    remaining fraction s in [-1/2, 1/2] and the small terms are summed with TwoSum so that the
    rounding errors stay below 2**-150 in units of pi/2, which keeps full double-double accuracy
    even for the worst-case arguments (|x| ~ 2**-61).
    """
    bits = f2i(a)
    L = ((bits >> 52) & 0x7FF) - 1023
    row = select(L > F64_LMIN, L, F64_LMIN)
    row = select(row < F64_LMAX, row, F64_LMAX) - F64_LMIN
    a = _ldexp3(a, -select(L > F64_KMAX, L - F64_KMAX, 0))
    i = row * 4
    h0, l0 = dd.two_prod(a, PIO2_TABLE_F64[i])
    h1, l1 = dd.two_prod(a, PIO2_TABLE_F64[i + 1])
    h2, l2 = dd.two_prod(a, PIO2_TABLE_F64[i + 2])
    h3 = a * PIO2_TABLE_F64[i + 3]
    n0 = rint(h0)
    f0 = h0 - n0
    n0 = n0 - 4.0 * rint(n0 * 0.25)          # n0 < 2**55 is exact; keep it mod 4
    n1 = rint(l0)
    f1 = l0 - n1
    n2 = rint(h1)
    f2 = h1 - n2
    s, e1 = dd.two_sum(f0, f1)
    n3 = rint(s)
    s = s - n3
    s, e2 = dd.two_sum(s, f2)
    n4 = rint(s)
    s = s - n4
    t, c1 = dd.two_sum(h2, l1)
    t, c2 = dd.two_sum(t, e1)
    t, c3 = dd.two_sum(t, e2)
    lo = c1 + c2 + c3 + l2 + h3
    rh, c4 = dd.two_sum(s, t)
    rh, rl = dd.fast_two_sum(rh, c4 + lo)
    xh, xl = dd.mul(rh, rl, PIO2_H, PIO2_L)
    q = toi32(n0 + n1 + n2 + n3 + n4) & 3
    return xh, xl, q


@_jit
def _sincos(a):
    """(sin a, cos a) for finite a before the sign-of-zero fix (SLEEF xsincos_u1 kernel on the
    reduced double-double argument: sin x = x + x**3 P(x**2), cos x = 1 + x**2 Q(x**2))."""
    small = fabs(a) < 0.78                   # |a| < pi/4: no reduction
    rxh, rxl, rq = _rem_pio2(a)
    xh = select(small, a, rxh)
    xl = select(small, 0.0, rxl)
    q = select(small, 0, rq)
    s = dd.sqr_to_d(xh, xl)
    u = 1.58938307283228937328511e-10
    u = fma(u, s, -2.50506943502539773349318e-08)
    u = fma(u, s, 2.75573131776846360512547e-06)
    u = fma(u, s, -0.000198412698278911770864914)
    u = fma(u, s, 0.0083333333333191845961746)
    u = fma(u, s, -0.166666666666666130709393)
    u = u * (s * xh)
    ph, pl = dd.add_d_fast(xh, xl, u)
    rs = ph + pl
    u = -1.13615350239097429531523e-11
    u = fma(u, s, 2.08757471207040055479366e-09)
    u = fma(u, s, -2.75573144028847567498567e-07)
    u = fma(u, s, 2.48015872890001867311915e-05)
    u = fma(u, s, -0.00138888888888714019282329)
    u = fma(u, s, 0.0416666666666665519592062)
    u = fma(u, s, -0.5)
    ph, pl = dd.two_prod(s, u)
    ph, pl = dd.d_add_fast(1.0, ph, pl)
    rc = ph + pl
    odd = (q & 1) != 0
    sn = select(odd, rc, rs)
    cs = select(odd, rs, rc)
    sn = select((q & 2) != 0, -sn, sn)
    cs = select(((q + 1) & 2) != 0, -cs, cs)
    return sn, cs


@_jit
def sin(a):
    """Sine over the whole double range, max error < 1 ulp in measurements (target 2): own
    argument reduction (_rem_pio2), SLEEF's sincos_u1 kernel polynomials."""
    a = np.float64(a)
    finite = fabs(a) < INF
    sn, cs = _sincos(select(finite, a, 0.0))
    sn = select(a == 0.0, a, sn)
    return select(finite, sn, a - a)


@_jit
def cos(a):
    """Cosine over the whole double range, max error < 1 ulp in measurements (target 2): own
    argument reduction (_rem_pio2), SLEEF's sincos_u1 kernel polynomials."""
    a = np.float64(a)
    finite = fabs(a) < INF
    sn, cs = _sincos(select(finite, a, 0.0))
    return select(finite, cs, a - a)


# ---------------------------------------------------------------------------------------------
# atan and atan2.

@_jit
def _atan2k(yh, yl, xh, xl):
    """atan2(y, x) for y >= 0 as a double-double (SLEEF atan2k_u1): reduce to s = -x/y or y/x
    with |s| <= 1 in double-double, atan s = s + s**3 P(s**2) with P of degree 19."""
    neg = xh < 0.0
    qf = select(neg, -2.0, 0.0)
    xh = select(neg, -xh, xh)
    xl = select(neg, -xl, xl)
    p = xh < yh
    qf = select(p, qf + 1.0, qf)
    sh = select(p, -xh, yh)
    sl = select(p, -xl, yl)
    th = select(p, yh, xh)
    tl = select(p, yl, xl)
    sh, sl = dd.div2(sh, sl, th, tl, 1.0)
    th, tl = dd.sqr(sh, sl)
    th, tl = dd.normalize(th, tl)
    u = 1.06298484191448746607415e-05
    u = fma(u, th, -0.000125620649967286867384336)
    u = fma(u, th, 0.00070557664296393412389774)
    u = fma(u, th, -0.00251865614498713360352999)
    u = fma(u, th, 0.00646262899036991172313504)
    u = fma(u, th, -0.0128281333663399031014274)
    u = fma(u, th, 0.0208024799924145797902497)
    u = fma(u, th, -0.0289002344784740315686289)
    u = fma(u, th, 0.0359785005035104590853656)
    u = fma(u, th, -0.041848579703592507506027)
    u = fma(u, th, 0.0470843011653283988193763)
    u = fma(u, th, -0.0524914210588448421068719)
    u = fma(u, th, 0.0587946590969581003860434)
    u = fma(u, th, -0.0666620884778795497194182)
    u = fma(u, th, 0.0769225330296203768654095)
    u = fma(u, th, -0.0909090442773387574781907)
    u = fma(u, th, 0.111111108376896236538123)
    u = fma(u, th, -0.142857142756268568062339)
    u = fma(u, th, 0.199999999997977351284817)
    u = fma(u, th, -0.333333333333317605173818)
    ph, pl = dd.mul(sh, sl, th, tl)
    ph, pl = dd.mul_d(ph, pl, u)
    th, tl = dd.add_fast(sh, sl, ph, pl)
    qh, ql = dd.mul_d(PIO2_H, PIO2_L, qf)
    return dd.add_fast(qh, ql, th, tl)


@_jit
def atan(d):
    """Arc tangent, max error < 1 ulp in measurements (target 2). SLEEF xatan_u1."""
    d = np.float64(d)
    rh, rl = _atan2k(fabs(d), 0.0, 1.0, 0.0)
    r = select(_isinf(d), PIO2_H, rh + rl)
    return _mulsign(r, d)


@_jit
def _visinf2(d, m):
    """SLEEF visinf2: copysign(m, d) where d is infinite, else 0."""
    return select(_isinf(d), _mulsign(fabs(m), d), 0.0)


@_jit
def atan2(y, x):
    """atan2(y, x), max error < 1 ulp in measurements (target 2). SLEEF xatan2_u1, with its
    special cases (C99 F.9.1.4) as selects."""
    y = np.float64(y)
    x = np.float64(x)
    o = fabs(x) < 5.5626846462680083984e-309   # scale tiny x (and y) by 2**53
    x = select(o, x * 9007199254740992.0, x)
    y = select(o, y * 9007199254740992.0, y)
    rh, rl = _atan2k(fabs(y), 0.0, x, 0.0)
    r = _mulsign(rh + rl, x)
    # own addition: for x > 0 and |y| < 2**-27 x, atan(|y|/x) = |y|/x (1 - t**2/3 ...) rounds
    # like the correctly rounded quotient (within 0.66 ulp); the double-double quotient above
    # loses its low part to underflow when |y|/x approaches the subnormal range
    r = select((x > 0.0) & (fabs(y) < x * 7.450580596923828e-09), div(fabs(y), x), r)
    r = select(_isinf(x) | (x == 0.0), PIO2_H - _visinf2(x, _mulsign(PIO2_H, x)), r)
    r = select(_isinf(y), PIO2_H - _visinf2(x, _mulsign(PIO2_H * 0.5, x)), r)
    r = select(y == 0.0, select(_signbit(x), 3.141592653589793116, 0.0), r)
    r = _mulsign(r, y)
    return select(_isnan(x) | _isnan(y), NAN, r)


# ---------------------------------------------------------------------------------------------
# erf and erfc (SLEEF xerf_u1 and xerfc_u15, with selects in place of their branches).

@_jit
def erf(a):
    """Error function, max error < 1 ulp in measurements (target 2). SLEEF xerf_u1: for
    |a| <= 2.5, 1 - (1 + a P(a))**-16 (Abramowitz and Stegun 7.1.28 form, SLEEF's refit); for
    2.5 < |a| < 6, 1 - exp(Q(a)); both with double-double final steps."""
    a = np.float64(a)
    x = _clamp(fabs(a), 0.0, 6.0)
    o = x <= 2.5
    t = select(o, -0.2083271002525222097e-14, -0.4024015130752621932e-18)
    t = fma(t, x, select(o, +0.7151909970790897009e-13, +0.3847193332817048172e-16))
    t = fma(t, x, select(o, -0.1162238220110999364e-11, -0.1749316241455644088e-14))
    t = fma(t, x, select(o, +0.1186474230821585259e-10, +0.5029618322872872715e-13))
    t = fma(t, x, select(o, -0.8499973178354613440e-10, -0.1025221466851463164e-11))
    t = fma(t, x, select(o, +0.4507647462598841629e-9, +0.1573695559331945583e-10))
    t = fma(t, x, select(o, -0.1808044474288848915e-8, -0.1884658558040203709e-9))
    t = fma(t, x, select(o, +0.5435081826716212389e-8, +0.1798167853032159309e-8))
    t = fma(t, x, select(o, -0.1143939895758628484e-7, -0.1380745342355033142e-7))
    t = fma(t, x, select(o, +0.1215442362680889243e-7, +0.8525705726469103499e-7))
    t = fma(t, x, select(o, +0.1669878756181250355e-7, -0.4160448058101303405e-6))
    t = fma(t, x, select(o, -0.9808074602255194288e-7, +0.1517272660008588485e-5))
    t = fma(t, x, select(o, +0.1389000557865837204e-6, -0.3341634127317201697e-5))
    t = fma(t, x, select(o, +0.2945514529987331866e-6, -0.2515023395879724513e-5))
    t = fma(t, x, select(o, -0.1842918273003998283e-5, +0.6539731269664907554e-4))
    t = fma(t, x, select(o, +0.3417987836115362136e-5, -0.3551065097428388658e-3))
    t = fma(t, x, select(o, +0.3860236356493129101e-5, +0.1210736097958368864e-2))
    t = fma(t, x, select(o, -0.3309403072749947546e-4, -0.2605566912579998680e-2))
    t = fma(t, x, select(o, +0.1060862922597579532e-3, +0.1252823202436093193e-2))
    t = fma(t, x, select(o, +0.2323253155213076174e-3, +0.1820191395263313222e-1))
    t = fma(t, x, select(o, +0.1490149719145544729e-3, -0.1021557155453465954e+0))
    # poly4dd(x, t, c2, c1, c0) = (c0 + c1 x) + x**2 (c2 + t x), the c's double-double
    ph, pl = dd.two_prod(t, x)
    ah, al = dd.add_fast(select(o, 0.0092877958392275604405, -0.63691044383641748361),
                         select(o, 7.9287559463961107493e-19, -2.4249477526539431839e-17), ph, pl)
    ph, pl = dd.mul_d(select(o, 0.042275531758784692937, -1.1282926061803961737),
                      select(o, 1.3785226620501016138e-19, -6.2970338860410996505e-17), x)
    bh, bl = dd.add_fast(select(o, 0.07052369794346953491, -1.2261313785184804967e-05),
                         select(o, 9.5846628070792092842e-19, -5.5329707514490107044e-22), ph, pl)
    ph, pl = dd.mul_d(ah, al, x * x)
    th, tl = dd.add_fast(bh, bl, ph, pl)
    # |x| <= 2.5: (1 + x t2)**-16
    ph, pl = dd.mul_d(th, tl, x)
    sh, sl = dd.d_add_fast(1.0, ph, pl)
    sh, sl = dd.sqr(sh, sl)
    sh, sl = dd.sqr(sh, sl)
    sh, sl = dd.sqr(sh, sl)
    sh, sl = dd.sqr(sh, sl)
    sh, sl = dd.rec(sh, sl, 1.0)
    # 2.5 < |x| < 6: exp(t2)
    eh = _expk(select(o, 0.0, th), select(o, 0.0, tl))
    th = select(o, sh, eh)
    tl = select(o, sl, 0.0)
    th, tl = dd.add_d(th, tl, -1.0)
    z = -(th + tl)
    z = select(x < 1e-8, fabs(a) * 1.12837916709551262756245475959, z)
    z = select(fabs(a) >= 6.0, 1.0, z)
    z = select(a == 0.0, 0.0, z)
    z = _mulsign(z, a)
    return select(_isnan(a), a, z)


@_jit
def _sel4(o0, o1, o2, c0, c1, c2, c3):
    return select(o0, c0, select(o1, c1, select(o2, c2, c3)))


@_jit
def erfc(a):
    """Complementary error function, max error < 1 ulp in measurements (SLEEF's bound: 1.5).
    SLEEF xerfc_u15: four intervals with split points 1, 2.2, 4.2 (27.3: underflow); in the
    outer ones erfc x = exp(-x**2 + P(1/x)) / x in double-double. Own change: the exponential is
    kept unscaled and 2**q is applied once at the end, so that subnormal results (x > 26.5) are
    rounded once."""
    a = np.float64(a)
    s = a
    a = _clamp(fabs(a), 0.0, 30.0)
    o0 = a < 1.0
    o1 = a < 2.2
    o2 = a < 4.2
    o3 = a < 27.3
    rh, rl = dd.rec_d(a, 1.0)
    a2h, a2l = dd.two_prod(a, a)
    uh = select(o0, a2h, select(o1, a, rh))
    ul = select(o0, a2l, select(o1, 0.0, rl))
    t = _sel4(o0, o1, o2, +0.6801072401395386139e-20, +0.3438010341362585303e-12, -0.5757819536420710449e+2, +0.2334249729638701319e+5)
    t = fma(t, uh, _sel4(o0, o1, o2, -0.2161766247570055669e-18, -0.1237021188160598264e-10, +0.4669289654498104483e+3, -0.4695661044933107769e+5))
    t = fma(t, uh, _sel4(o0, o1, o2, +0.4695919173301595670e-17, +0.2117985839877627852e-09, -0.1796329879461355858e+4, +0.3173403108748643353e+5))
    t = fma(t, uh, _sel4(o0, o1, o2, -0.9049140419888007122e-16, -0.2290560929177369506e-08, +0.4355892193699575728e+4, +0.3242982786959573787e+4))
    t = fma(t, uh, _sel4(o0, o1, o2, +0.1634018903557410728e-14, +0.1748931621698149538e-07, -0.7456258884965764992e+4, -0.2014717999760347811e+5))
    t = fma(t, uh, _sel4(o0, o1, o2, -0.2783485786333451745e-13, -0.9956602606623249195e-07, +0.9553977358167021521e+4, +0.1554006970967118286e+5))
    t = fma(t, uh, _sel4(o0, o1, o2, +0.4463221276786415752e-12, +0.4330010240640327080e-06, -0.9470019905444229153e+4, -0.6150874190563554293e+4))
    t = fma(t, uh, _sel4(o0, o1, o2, -0.6711366622850136563e-11, -0.1435050600991763331e-05, +0.7387344321849855078e+4, +0.1240047765634815732e+4))
    t = fma(t, uh, _sel4(o0, o1, o2, +0.9422759050232662223e-10, +0.3460139479650695662e-05, -0.4557713054166382790e+4, -0.8210325475752699731e+2))
    t = fma(t, uh, _sel4(o0, o1, o2, -0.1229055530100229098e-08, -0.4988908180632898173e-05, +0.2207866967354055305e+4, +0.3242443880839930870e+2))
    t = fma(t, uh, _sel4(o0, o1, o2, +0.1480719281585086512e-07, -0.1308775976326352012e-05, -0.8217975658621754746e+3, -0.2923418863833160586e+2))
    t = fma(t, uh, _sel4(o0, o1, o2, -0.1636584469123399803e-06, +0.2825086540850310103e-04, +0.2268659483507917400e+3, +0.3457461732814383071e+0))
    t = fma(t, uh, _sel4(o0, o1, o2, +0.1646211436588923575e-05, -0.6393913713069986071e-04, -0.4633361260318560682e+2, +0.5489730155952392998e+1))
    t = fma(t, uh, _sel4(o0, o1, o2, -0.1492565035840623511e-04, -0.2566436514695078926e-04, +0.9557380123733945965e+1, +0.1559934132251294134e-2))
    t = fma(t, uh, _sel4(o0, o1, o2, +0.1205533298178967851e-03, +0.5895792375659440364e-03, -0.2958429331939661289e+1, -0.1541741566831520638e+1))
    t = fma(t, uh, _sel4(o0, o1, o2, -0.8548327023450850081e-03, -0.1695715579163588598e-02, +0.1670329508092765480e+0, +0.2823152230558364186e-5))
    t = fma(t, uh, _sel4(o0, o1, o2, +0.5223977625442187932e-02, +0.2089116434918055149e-03, +0.6096615680115419211e+0, +0.6249999184195342838e+0))
    t = fma(t, uh, _sel4(o0, o1, o2, -0.2686617064513125222e-01, +0.1912855949584917753e-01, +0.1059212443193543585e-2, +0.1741749416408701288e-8))
    dh, dl = dd.mul_d(uh, ul, t)
    dh, dl = dd.add(dh, dl, _sel4(o0, o1, o2, 0.11283791670955126141, -0.10277263343147646779, -0.50005180473999022439, -0.5000000000258444377),
                    _sel4(o0, o1, o2, -4.0175691625932118483e-18, -6.2338714083404900225e-18, 2.6362140569041995803e-17, -4.0074044712386992281e-17))
    dh, dl = dd.mul(dh, dl, uh, ul)
    dh, dl = dd.add(dh, dl, _sel4(o0, o1, o2, -0.37612638903183753802, -0.63661976742916359662, 1.601106273924963368e-06, 2.3761973137523364792e-13),
                    _sel4(o0, o1, o2, 1.3391897206042552387e-17, 7.6321019159085724662e-18, 1.1974001857764476775e-23, -1.1670076950531026582e-29))
    dh, dl = dd.mul(dh, dl, uh, ul)
    dh, dl = dd.add(dh, dl, _sel4(o0, o1, o2, 1.1283791670955125586, -1.1283791674717296161, -0.57236496645145429341, -0.57236494292470108114),
                    _sel4(o0, o1, o2, 1.5335459613165822674e-17, 8.0896847755965377194e-17, 3.0704553245872027258e-17, -2.3984352208056898003e-17))
    xh, xl = dd.mul_d(select(o1, dh, -a), select(o1, dl, 0.0), a)
    yh, yl = dd.add(xh, xl, dh, dl)
    xh = select(o1, xh, yh)
    xl = select(o1, xl, yl)
    # |a| < 1: erfc = 1 - a * P(a**2); otherwise exp(x) (unscaled: (eh + el) * 2**q)
    oh, ol = dd.add(1.0, 0.0, -xh, -xl)
    eh, el, q = _expk2u(select(o0, 0.0, xh), select(o0, 0.0, xl))
    ph, pl = dd.mul(eh, el, uh, ul)
    eh = select(o1, eh, ph)
    el = select(o1, el, pl)
    r = select(o0, oh + ol, _ldexp2(eh + el, q))
    r = select(o3, r, 0.0)
    r = select(_signbit(s), 2.0 - r, r)
    return select(_isnan(s), s, r)
