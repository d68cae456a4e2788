"""float32 vector math functions: branch-free scalar code that LLVM vectorises inside loops.

The float32 twins of ``f64.py``, compiled the same way (``njit(forceinline=True,
fastmath=False)``, inlined by LLVM). Every public function takes and returns float32 (its
arguments are converted to float32) and computes in float32 only: float-float pairs where more
precision is needed, and every constant a float32 (``F(c)``), so that Numba's type inference
never promotes to float64. The one exception is logaddexp, which computes in float64 and rounds
once (where its two terms cancel, float32 arithmetic would need four-float sums). Integer
work on the bits is done in int32 or int64 and truncated back to 32 bits.

Sources, named again at each function: SLEEF 3.x ``src/libm/sleefsimdsp.c`` (Naoki Shibata and
contributors, Boost Software License 1.0) for the algorithms and coefficients of exp, expm1, log,
log1p, exp2, log2, pow, the sin/cos kernel, atan/atan2, erf and erfc; own constructions (with the
same reasoning as in f64.py) for tanh, sigmoid, softplus, the sin/cos argument reduction and
the single final scaling of subnormal results.
"""

import numpy as np

from ..jitcache import njit_cached
from . import _dd as dd
from . import f64 as _f64
from ._intrin import copysign, div, f2i, fabs, fma, i2f32, rint, select, toi32
from ._tables import F32_KMAX, F32_LMAX, F32_LMIN, PIO2_TABLE_F32

__all__ = ["exp", "expm1", "log", "log1p", "exp2", "log2", "pow", "tanh", "sigmoid", "softplus",
           "logaddexp", "sin", "cos", "atan", "atan2", "erf", "erfc"]

_jit = njit_cached(forceinline=True, error_model="numpy", fastmath=False, boundscheck=False)

F = np.float32          # F(c) in the code below: a float32 constant (folded by LLVM)


def _ff(c):
    """A float-float constant (hi, lo) from a Python float (SLEEF vcast_vf2_d)."""
    hi = np.float32(c)
    return hi, np.float32(c - float(hi))


INF = np.float32(np.inf)
NAN = np.float32(np.nan)
ZERO = np.float32(0.0)
ONE = np.float32(1.0)
_SIGN = np.int32(-0x80000000)
_BITS_075 = np.int32(0x3F400000)            # the bits of 0.75f
FLT_MIN = np.float32(1.1754943508222875e-38)

R_LN2 = F(1.442695040888963407359924681001892137426645954152985934135449406931)
L2U = F(0.693145751953125)                  # SLEEF L2Uf: 16 significant bits
L2L = F(1.428606765330187045e-06)
LN2_H, LN2_L = F(0.69314718246459960938), F(-1.904654323148236017e-09)
PIO2_H, PIO2_L = F(1.5707963705062866211), F(-4.3711388286737928865e-08)
PI = F(3.1415927410125732422)
LOG_FLT_MAX = F(88.72283935546875)


# ---------------------------------------------------------------------------------------------
# Bit-level helpers (see f64.py).

@_jit
def _pow2i(q):
    return i2f32((q + 127) << 23)


@_jit
def _ldexp2(d, q):
    h = q >> 1
    return d * _pow2i(h) * _pow2i(q - h)


@_jit
def _ldexp3(d, q):
    return i2f32(f2i(d) + (q << 23))


@_jit
def _mulsign(x, y):
    return i2f32(f2i(x) ^ (f2i(y) & _SIGN))


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
    x = select(x > lo, x, lo)
    return select(x < hi, x, hi)


@_jit
def _exponent_075(d):
    return (f2i(d) - _BITS_075) >> 23


# ---------------------------------------------------------------------------------------------
# exp family.

@_jit
def exp(d):
    """e**d, max error < 1 ulp. SLEEF xexpf: Cody-Waite reduction with a two-part ln 2 and a
    degree-7 polynomial; 2**q applied in two steps (correct subnormal results)."""
    d = np.float32(d)
    x = _clamp(d, F(-110.0), F(100.0))
    qf = rint(x * R_LN2)
    q = toi32(qf)
    s = fma(qf, -L2U, x)
    s = fma(qf, -L2L, s)
    u = F(0.000198527617612853646278381)
    u = fma(u, s, F(0.00139304355252534151077271))
    u = fma(u, s, F(0.00833336077630519866943359))
    u = fma(u, s, F(0.0416664853692054748535156))
    u = fma(u, s, F(0.166666671633720397949219))
    u = fma(u, s, F(0.5))
    u = ONE + fma(s * s, u, s)
    u = _ldexp2(u, q)
    return select(_isnan(d), d, u)


@_jit
def _expk2u(dh, dl):
    """e**(dh + dl) as (th, tl, q), value (th + tl) 2**q (SLEEF expk2f without its final
    scaling); |dh| <= 150."""
    qf = rint((dh + dl) * R_LN2)
    q = toi32(qf)
    sh, sl = dd.add_d(dh, dl, qf * -L2U)
    sh, sl = dd.add_d(sh, sl, qf * -L2L)
    u = F(+0.1980960224e-3)
    u = fma(u, sh, F(+0.1394256484e-2))
    u = fma(u, sh, F(+0.8333456703e-2))
    u = fma(u, sh, F(+0.4166637361e-1))
    th, tl = dd.mul_d(sh, sl, u)
    th, tl = dd.add_d(th, tl, F(+0.166666659414234244790680580464e+0))
    th, tl = dd.mul(sh, sl, th, tl)
    th, tl = dd.add_d(th, tl, F(0.5))
    ph, pl = dd.sqr(sh, sl)
    ph, pl = dd.mul(ph, pl, th, tl)
    th, tl = dd.add(sh, sl, ph, pl)
    th, tl = dd.d_add_fast(ONE, th, tl)
    return th, tl, q


@_jit
def _expk2(dh, dl):
    th, tl, q = _expk2u(dh, dl)
    return _ldexp2(th, q), _ldexp2(tl, q)


@_jit
def expm1(a):
    """e**a - 1, max error < 1 ulp. SLEEF xexpm1f: the float-float exp minus 1."""
    a = np.float32(a)
    x = _clamp(a, F(-20.0), F(90.0))         # expm1(-20) rounds to -1
    eh, el = _expk2(x, ZERO)
    eh, el = dd.add_d(eh, el, F(-1.0))
    r = eh + el
    r = select(a > F(88.72283172607421875), INF, r)
    r = select(a == ZERO, a, r)
    return select(_isnan(a), a, r)


@_jit
def _expk(dh, dl):
    """e**(dh + dl) rounded to one float (SLEEF expkf), |dh| <= 150."""
    qf = rint((dh + dl) * R_LN2)
    q = toi32(qf)
    sh, sl = dd.add_d(dh, dl, qf * -L2U)
    sh, sl = dd.add_d(sh, sl, qf * -L2L)
    sh, sl = dd.normalize(sh, sl)
    u = F(0.00136324646882712841033936)
    u = fma(u, sh, F(0.00836596917361021041870117))
    u = fma(u, sh, F(0.0416710823774337768554688))
    u = fma(u, sh, F(0.166665524244308471679688))
    u = fma(u, sh, F(0.499999850988388061523438))
    ph, pl = dd.sqr(sh, sl)
    ph, pl = dd.mul_d(ph, pl, u)
    th, tl = dd.add_fast(sh, sl, ph, pl)
    th, tl = dd.d_add_fast(ONE, th, tl)
    return _ldexp2(th + tl, q)


@_jit
def exp2(d):
    """2**d, max error < 1 ulp. SLEEF xexp2f: d = q + s, degree-7 polynomial for 2**s."""
    d = np.float32(d)
    x = _clamp(d, F(-160.0), F(130.0))
    qf = rint(x)
    q = toi32(qf)
    s = x - qf
    u = F(+0.1535920892e-3)
    u = fma(u, s, F(+0.1339262701e-2))
    u = fma(u, s, F(+0.9618384764e-2))
    u = fma(u, s, F(+0.5550347269e-1))
    u = fma(u, s, F(+0.2402264476e+0))
    u = fma(u, s, F(+0.6931471825e+0))
    u = fma(u, s, ONE)
    u = _ldexp2(u, q)
    u = select(d >= F(128.0), INF, u)
    return select(_isnan(d), d, u)


# ---------------------------------------------------------------------------------------------
# log family: d = m 2**e, m in [0.75, 1.5), log m = 2 atanh((m - 1) / (m + 1)).

@_jit
def _reduce_075(d):
    tiny = d < FLT_MIN
    d = select(tiny, d * F(18446744073709551616.0), d)     # 2**64
    e = _exponent_075(d)
    m = _ldexp3(d, -e)
    e = select(tiny, e - 64, e)
    return m, e


@_jit
def _log_specials(d, r):
    r = select(d == INF, INF, r)
    r = select((d < ZERO) | _isnan(d), NAN, r)
    return select(d == ZERO, -INF, r)


@_jit
def log(d):
    """Natural logarithm, max error < 1 ulp. SLEEF xlogf_u1."""
    d = np.float32(d)
    m, e = _reduce_075(d)
    nh, nl = dd.two_sum(m, F(-1.0))
    wh, wl = dd.two_sum(m, ONE)
    xh, xl = dd.div2(nh, nl, wh, wl, ONE)
    x2 = xh * xh
    t = F(+0.3027294874e+0)
    t = fma(t, x2, F(+0.3996108174e+0))
    t = fma(t, x2, F(+0.6666694880e+0))
    sh, sl = dd.mul_d(LN2_H, LN2_L, F(e))
    sh, sl = dd.add_fast(sh, sl, xh + xh, xl + xl)
    sh, sl = dd.add_d_fast(sh, sl, x2 * xh * t)
    return _log_specials(d, sh + sl)


@_jit
def log2(d):
    """Base-2 logarithm, max error < 1 ulp. SLEEF xlog2f."""
    d = np.float32(d)
    m, e = _reduce_075(d)
    nh, nl = dd.two_sum(m, F(-1.0))
    wh, wl = dd.two_sum(m, ONE)
    xh, xl = dd.div2(nh, nl, wh, wl, ONE)
    x2 = xh * xh
    t = F(+0.4374550283e+0)
    t = fma(t, x2, F(+0.5764790177e+0))
    t = fma(t, x2, F(+0.9618012905120))
    sh, sl = dd.mul(xh, xl, F(2.8853900432586669922), F(3.2734474483568488616e-08))
    sh, sl = dd.add_d(sh, sl, F(e))
    sh, sl = dd.add_d(sh, sl, x2 * xh * t)
    return _log_specials(d, sh + sl)


@_jit
def log1p(d):
    """log(1 + d), max error < 1 ulp. SLEEF xlog1pf with the exponent-field reduction of
    f64.log1p (valid up to the largest float)."""
    d = np.float32(d)
    dp1 = d + ONE
    e = _exponent_075(dp1)
    t = _pow2i(select(e < 126, -e, -126))
    m = _ldexp3(d, -e) + (t - ONE)
    wh, wl = dd.fast_two_sum(F(2.0), m)
    xh, xl = dd.div2(m, ZERO, wh, wl, ONE)
    x2 = xh * xh
    u = F(+0.3027294874e+0)
    u = fma(u, x2, F(+0.3996108174e+0))
    u = fma(u, x2, F(+0.6666694880e+0))
    sh, sl = dd.mul_d(LN2_H, LN2_L, F(e))
    sh, sl = dd.add_fast(sh, sl, xh + xh, xl + xl)
    sh, sl = dd.add_d_fast(sh, sl, x2 * xh * u)
    r = sh + sl
    r = select(fabs(d) < F(1e-9), d, r)     # log1p(d) rounds to d
    r = select(d == INF, INF, r)
    r = select((d < F(-1.0)) | _isnan(d), NAN, r)
    return select(d == F(-1.0), -INF, r)


@_jit
def _logk(d):
    """log d as a float-float, d > 0 (SLEEF logkf), used by pow."""
    m, e = _reduce_075(d)
    nh, nl = dd.two_sum(m, F(-1.0))
    wh, wl = dd.two_sum(m, ONE)
    xh, xl = dd.div2(nh, nl, wh, wl, ONE)
    x2h, x2l = dd.sqr(xh, xl)
    t = F(0.240320354700088500976562)
    t = fma(t, x2h, F(0.285112679004669189453125))
    t = fma(t, x2h, F(0.400007992982864379882812))
    sh, sl = dd.mul_d(LN2_H, LN2_L, F(e))
    sh, sl = dd.add_fast(sh, sl, xh + xh, xl + xl)
    ch, cl = dd.mul_d(x2h, x2l, t)
    ch, cl = dd.add(ch, cl, F(0.66666662693023681640625), F(3.69183861259614332084311e-09))
    ph, pl = dd.mul(x2h, x2l, xh, xl)
    ph, pl = dd.mul(ph, pl, ch, cl)
    return dd.add_fast(sh, sl, ph, pl)


@_jit
def pow(x, y):
    """x**y, max error < 1 ulp. SLEEF xpowf: exp(y log|x|) in float-float; the C99 special
    cases as in f64.pow."""
    x = np.float32(x)
    y = np.float32(y)
    yisint = rint(y) == y
    yisodd = (rint(y * F(0.5)) != y * F(0.5)) & yisint
    lh, ll = _logk(fabs(x))
    dh, dl = dd.mul_d(lh, ll, y)
    big = dh > LOG_FLT_MAX
    inrange = fabs(dh) < F(150.0)
    dh = select(inrange, dh, F(-150.0))
    dl = select(inrange, dl, ZERO)
    r = _expk(dh, dl)
    r = select(big, INF, r)
    r = r * select(x > ZERO, ONE, select(yisint, select(yisodd, F(-1.0), ONE), NAN))
    efx = _mulsign(fabs(x) - ONE, y)
    r = select(_isinf(y), select(efx < ZERO, ZERO, select(efx == ZERO, ONE, INF)), r)
    r = select(_isinf(x) | (x == ZERO),
               _mulsign(select(_signbit(y) ^ (x == ZERO), ZERO, INF), select(yisodd, x, ONE)), r)
    r = select(_isnan(x) | _isnan(y), NAN, r)
    return select((y == ZERO) | (x == ONE), ONE, r)


# ---------------------------------------------------------------------------------------------
# tanh, sigmoid, softplus, logaddexp (own constructions, see f64.py).

@_jit
def tanh(x):
    """Hyperbolic tangent (own construction, as f64.tanh): E / (E + 2) with E = expm1(2|x|) in
    float-float from SLEEF's expk2f; |x| >= 10 gives 1."""
    x = np.float32(x)
    y = _clamp(fabs(x), ZERO, F(10.0))
    eh, el = _expk2(y + y, ZERO)
    eh, el = dd.add_d(eh, el, F(-1.0))
    eh, el = dd.normalize(eh, el)
    wh, wl = dd.add_d(eh, el, F(2.0))
    rh, rl = dd.div2(eh, el, wh, wl, ONE)
    r = copysign(rh + rl, x)
    return select(_isnan(x), x, r)


@_jit
def sigmoid(x):
    """1 / (1 + e**-x) (own construction, as f64.sigmoid): 1 / (1 + E) or E / (1 + E) with
    E = e**-|x| in float-float, scaled once at the end (subnormal results for x < -87)."""
    x = np.float32(x)
    ax = _clamp(fabs(x), ZERO, F(120.0))
    th, tl, q = _expk2u(-ax, ZERO)
    dh, dl = dd.d_add_fast(ONE, _ldexp2(th, q), _ldexp2(tl, q))
    neg = x < ZERO
    nh = select(neg, th, ONE)
    nl = select(neg, tl, ZERO)
    rh, rl = dd.div2(nh, nl, dh, dl, ONE)
    r = _ldexp2(rh + rl, select(neg, q, 0))
    return select(_isnan(x), x, r)


@_jit
def _log1p_exp_neg(dh, dl):
    """log(1 + e**-d) as a float-float for d >= 0 (dh <= 150); see f64._log1p_exp_neg. The
    polynomial is SLEEF's logk2f; for d > 20, log(1 + E) = E to within E/2 < 2**-29."""
    th, tl, q = _expk2u(-dh, -dl)
    eh = _ldexp2(th, q)
    el = _ldexp2(tl, q)
    k = select(eh >= F(0.5), ONE, ZERO)
    nh, nl = dd.add_d(eh, el, -k)
    wh, wl = dd.add_d(eh, el, F(2.0) + k)
    zh, zl = dd.div2(nh, nl, wh, wl, ONE)
    z2h, z2l = dd.sqr(zh, zl)
    t = F(0.2392828464508056640625)
    t = fma(t, z2h, F(0.28518211841583251953125))
    t = fma(t, z2h, F(0.400005877017974853515625))
    t = fma(t, z2h, F(0.666666686534881591796875))
    sh, sl = dd.mul_d(LN2_H, LN2_L, k)
    sh, sl = dd.add(sh, sl, zh + zh, zl + zl)
    ph, pl = dd.mul(z2h, z2l, zh, zl)
    ph, pl = dd.mul_d(ph, pl, t)
    sh, sl = dd.add(sh, sl, ph, pl)
    far = dh > F(20.0)
    return select(far, _ldexp2(th + tl, q), sh), select(far, ZERO, sl)


@_jit
def softplus(x):
    """log(1 + e**x) without overflow (own construction, as f64.softplus): max(x, 0) +
    log(1 + e**-|x|) in float-float."""
    x = np.float32(x)
    ax = _clamp(fabs(x), ZERO, F(150.0))
    lh, ll = _log1p_exp_neg(ax, ZERO)
    rh, rl = dd.add_d(lh, ll, select(x > ZERO, x, ZERO))
    r = rh + rl
    r = select(x == INF, INF, r)
    return select(_isnan(x), x, r)


@_jit
def logaddexp(a, b):
    """log(e**a + e**b), computed in float64 and rounded once to float32 (the one float32
    function that computes in float64): f64.logaddexp's fast path (max(a, b) + log1p(e**-|a - b|),
    double-double, within 2**-59 |max(a, b)| + 0.5 ulp of float64), and where that cancels
    (|result| < |max(a, b)| / 32) the same accurate path in double-double instead of
    triple-double (f64._logaddexp_u_dd: enough for float32 inputs, see there). The float64 value
    is within 2**-25 of the result, so the float32 one is within 1 ulp, subnormal results
    included (one rounding to the float32 grid). In float32 arithmetic alone the cancelling case
    would need four-float sums. The special values are float64's (C99 style), which are the same
    for float32 inputs."""
    return np.float32(_f64._logaddexp_f32(np.float64(np.float32(a)), np.float64(np.float32(b))))


# ---------------------------------------------------------------------------------------------
# sin and cos.

@_jit
def _rem_pio2(a):
    """(xh, xl, q) with a = (4k + q) pi/2 + x, x a float-float; the algorithm of
    f64._rem_pio2 with 24-bit windows of 2/pi (table PIO2_TABLE_F32)."""
    bits = f2i(a)
    L = ((bits >> 23) & 0xFF) - 127
    row = select(L > F32_LMIN, L, F32_LMIN)
    row = select(row < F32_LMAX, row, F32_LMAX) - F32_LMIN
    a = _ldexp3(a, -select(L > F32_KMAX, L - F32_KMAX, 0))
    i = row * 4
    h0, l0 = dd.two_prod(a, PIO2_TABLE_F32[i])
    h1, l1 = dd.two_prod(a, PIO2_TABLE_F32[i + 1])
    h2, l2 = dd.two_prod(a, PIO2_TABLE_F32[i + 2])
    h3 = a * PIO2_TABLE_F32[i + 3]
    n0 = rint(h0)
    f0 = h0 - n0
    n0 = n0 - F(4.0) * rint(n0 * F(0.25))
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
    """(sin a, cos a) for finite a (SLEEF xsincosf_u1 kernel on the reduced argument)."""
    small = fabs(a) < F(0.78)
    rxh, rxl, rq = _rem_pio2(a)
    xh = select(small, a, rxh)
    xl = select(small, ZERO, rxl)
    q = select(small, 0, rq)
    s = dd.sqr_to_d(xh, xl)
    u = F(-0.000195169282960705459117889)
    u = fma(u, s, F(0.00833215750753879547119141))
    u = fma(u, s, F(-0.166666537523269653320312))
    u = u * (s * xh)
    ph, pl = dd.add_d_fast(xh, xl, u)
    rs = ph + pl
    u = F(-2.71811842367242206819355e-07)
    u = fma(u, s, F(2.47990446951007470488548e-05))
    u = fma(u, s, F(-0.00138888787478208541870117))
    u = fma(u, s, F(0.0416666641831398010253906))
    u = fma(u, s, F(-0.5))
    ph, pl = dd.two_prod(s, u)
    ph, pl = dd.d_add_fast(ONE, ph, pl)
    rc = ph + pl
    odd = (q & 1) != 0
    sn = select(odd, rc, rs)
    cs = select(odd, rs, rc)
    sn = select((q & 2) != 0, -sn, sn)
    cs = select(((q + 1) & 2) != 0, -cs, cs)
    return sn, cs


@_jit
def sin(a):
    """Sine over the whole float range: own reduction (_rem_pio2), SLEEF's sincosf_u1 kernel."""
    a = np.float32(a)
    finite = fabs(a) < INF
    sn, cs = _sincos(select(finite, a, ZERO))
    sn = select(a == ZERO, a, sn)
    return select(finite, sn, a - a)


@_jit
def cos(a):
    """Cosine over the whole float range: own reduction (_rem_pio2), SLEEF's sincosf_u1 kernel."""
    a = np.float32(a)
    finite = fabs(a) < INF
    sn, cs = _sincos(select(finite, a, ZERO))
    return select(finite, cs, a - a)


# ---------------------------------------------------------------------------------------------
# atan and atan2.

@_jit
def _atan2k(yh, yl, xh, xl):
    """atan2(y, x) for y >= 0 as a float-float (SLEEF atan2kf_u1)."""
    neg = xh < ZERO
    qf = select(neg, F(-2.0), ZERO)
    xh = select(neg, -xh, xh)
    xl = select(neg, -xl, xl)
    p = xh < yh
    qf = select(p, qf + ONE, qf)
    sh = select(p, -xh, yh)
    sl = select(p, -xl, yl)
    th = select(p, yh, xh)
    tl = select(p, yl, xl)
    sh, sl = dd.div2(sh, sl, th, tl, ONE)
    th, tl = dd.sqr(sh, sl)
    th, tl = dd.normalize(th, tl)
    u = F(-0.00176397908944636583328247)
    u = fma(u, th, F(0.0107900900766253471374512))
    u = fma(u, th, F(-0.0309564601629972457885742))
    u = fma(u, th, F(0.0577365085482597351074219))
    u = fma(u, th, F(-0.0838950723409652709960938))
    u = fma(u, th, F(0.109463557600975036621094))
    u = fma(u, th, F(-0.142626821994781494140625))
    u = fma(u, th, F(0.199983194470405578613281))
    ph, pl = dd.d_add_fast(F(-0.333332866430282592773438), u * th, ZERO)
    th, tl = dd.mul(th, tl, ph, pl)
    ph, pl = dd.d_add_fast(ONE, th, tl)
    th, tl = dd.mul(sh, sl, ph, pl)
    qh, ql = dd.mul_d(PIO2_H, PIO2_L, qf)
    return dd.add_fast(qh, ql, th, tl)


@_jit
def atan(d):
    """Arc tangent (SLEEF xatanf_u1)."""
    d = np.float32(d)
    rh, rl = _atan2k(fabs(d), ZERO, ONE, ZERO)
    r = select(_isinf(d), PIO2_H, rh + rl)
    return _mulsign(r, d)


@_jit
def _visinf2(d, m):
    return select(_isinf(d), _mulsign(fabs(m), d), ZERO)


@_jit
def atan2(y, x):
    """atan2(y, x) (SLEEF xatan2f_u1 with its special cases as selects; own: tiny |y|/x)."""
    y = np.float32(y)
    x = np.float32(x)
    o = fabs(x) < F(2.9387372783541830947e-39)
    x = select(o, x * F(16777216.0), x)
    y = select(o, y * F(16777216.0), y)
    rh, rl = _atan2k(fabs(y), ZERO, x, ZERO)
    r = _mulsign(rh + rl, x)
    # for x > 0 and |y| < 2**-13 x the correctly rounded |y|/x is within 0.6 ulp (see f64.atan2)
    r = select((x > ZERO) & (fabs(y) < x * F(1.220703125e-04)), div(fabs(y), x), r)
    r = select(_isinf(x) | (x == ZERO), PIO2_H - _visinf2(x, _mulsign(PIO2_H, x)), r)
    r = select(_isinf(y), PIO2_H - _visinf2(x, _mulsign(F(0.78539816339744830962), x)), r)
    r = select(y == ZERO, select(_signbit(x), PI, ZERO), r)
    r = _mulsign(r, y)
    return select(_isnan(x) | _isnan(y), NAN, r)


# ---------------------------------------------------------------------------------------------
# erf and erfc (SLEEF xerff_u1 and xerfcf_u15 with selects in place of branches).

# float-float coefficients of the erf polynomial, (hi, lo), for |a| <= 2.5 and above
_ERF_C2 = ((F(0.0092883445322513580322), F(-2.7863745897025330755e-11)),
           (F(-0.11064319312572479248), F(3.7050452777225283007e-09)))
_ERF_C1 = ((F(0.042275499552488327026), F(1.3461399289988106057e-09)),
           (F(-0.63192230463027954102), F(-2.0200432585073177859e-08)))
_ERF_C0 = ((F(0.070523701608180999756), F(-3.6616309318707365163e-09)),
           (F(-1.1296638250350952148), F(2.5515120196453259252e-08)))
_ERF_SMALL = F(-1.1283792257308959961), F(5.8635383422197591097e-08)


@_jit
def erf(a):
    """Error function. SLEEF xerff_u1: |a| <= 2.5: 1 - (1 + a P(a))**-16; 2.5 < |a|:
    1 - exp(a P(a)); |a| < 1e-4: 2a/sqrt(pi) in float-float."""
    a = np.float32(a)
    x = _clamp(fabs(a), ZERO, F(6.0))
    o = x <= F(2.5)
    t = select(o, F(-0.4360447008e-6), F(-0.1130012848e-6))
    t = fma(t, x, select(o, F(+0.6867515367e-5), F(+0.4115272986e-5)))
    t = fma(t, x, select(o, F(-0.3045156700e-4), F(-0.6928304356e-4)))
    t = fma(t, x, select(o, F(+0.9808536561e-4), F(+0.7172692567e-3)))
    t = fma(t, x, select(o, F(+0.2395523916e-3), F(-0.5131045356e-2)))
    t = fma(t, x, select(o, F(+0.1459901541e-3), F(+0.2708637156e-1)))
    ph, pl = dd.two_prod(t, x)
    ah, al = dd.add_fast(select(o, _ERF_C2[0][0], _ERF_C2[1][0]), select(o, _ERF_C2[0][1], _ERF_C2[1][1]),
                         ph, pl)
    ph, pl = dd.mul_d(select(o, _ERF_C1[0][0], _ERF_C1[1][0]), select(o, _ERF_C1[0][1], _ERF_C1[1][1]), x)
    bh, bl = dd.add_fast(select(o, _ERF_C0[0][0], _ERF_C0[1][0]), select(o, _ERF_C0[0][1], _ERF_C0[1][1]),
                         ph, pl)
    ph, pl = dd.mul_d(ah, al, x * x)
    th, tl = dd.add_fast(bh, bl, ph, pl)
    th, tl = dd.mul_d(th, tl, x)
    sh, sl = dd.d_add_fast(ONE, th, tl)
    sh, sl = dd.sqr(sh, sl)
    sh, sl = dd.sqr(sh, sl)
    sh, sl = dd.sqr(sh, sl)
    sh, sl = dd.sqr(sh, sl)
    sh, sl = dd.rec(sh, sl, ONE)
    eh = _expk(select(o, ZERO, th), select(o, ZERO, tl))
    th = select(o, sh, eh)
    tl = select(o, sl, ZERO)
    th, tl = dd.add_d(th, tl, F(-1.0))
    # |a| < 1e-4: -2a/sqrt(pi) in float-float, on a scaled by 2**24 so that the low part of the
    # product does not underflow for tiny a (own change); scaled back after the rounding
    ph, pl = dd.mul_d(_ERF_SMALL[0], _ERF_SMALL[1], x * F(16777216.0))
    tiny = x < F(1e-4)
    th = select(tiny, ph, th)
    tl = select(tiny, pl, tl)
    z = -(th + tl) * select(tiny, F(5.9604644775390625e-08), ONE)
    z = select(fabs(a) >= F(6.0), ONE, z)
    z = select(a == ZERO, ZERO, z)
    z = _mulsign(z, a)
    return select(_isnan(a), a, z)


def _ff4(*cs):
    """Four float-float constants as ((hi0, hi1, hi2, hi3), (lo0, lo1, lo2, lo3))."""
    pairs = [_ff(c) for c in cs]
    return tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)


# the float-float coefficients of degree 2, 1, 0 for the four intervals (the second: fits.py)
_ERFC_D1 = _ff4(-0.102775359343930288081655368891e+0, -0.03843898985219352,
                -0.482365310333045318680618892669e+0, -0.498961546254537647970305302739e+0)
_ERFC_D2 = _ff4(-0.636619483208481931303752546439e+0, -0.8349818338739008,
                -0.134450203224533979217859332703e-2, -0.471199543422848492080722832666e-4)
_ERFC_D3 = _ff4(-0.112837917790537404939545770596e+1, -2.256328059802906,
                -0.572319781150472949561786101080e+0, -0.572364030327966044425932623525e+0)


@_jit
def _sel4(o0, o1, o2, c0, c1, c2, c3):
    return select(o0, c0, select(o1, c1, select(o2, c2, c3)))


@_jit
def _sel4t(o0, o1, o2, c):
    return _sel4(o0, o1, o2, c[0], c[1], c[2], c[3])


@_jit
def erfc(a):
    """Complementary error function. SLEEF xerfcf_u15: erfc x = exp(x P(x)) for x < 2.2 and
    exp(-x**2 + P(1/x)) / x above, in float-float, four intervals (1, 2.2, 4.3; 10.1:
    underflow). Own changes: on [1, 2.2) P is a refit in v = x - 1.5 (fits.py: SLEEF's fit in x
    loses up to half an ulp to the rounding of its coefficients there, 1.12 ulp in all), and
    2**q is applied once at the end (subnormal results for x > 9.2)."""
    a = np.float32(a)
    s = a
    a = _clamp(fabs(a), ZERO, F(12.0))
    o0 = a < ONE
    o1 = a < F(2.2)
    o2 = a < F(4.3)
    o3 = a < F(10.1)
    rh, rl = dd.rec_d(a, ONE)
    uh = select(o0, a, select(o1, a - F(1.5), rh))     # 1 <= a < 2.2: v = a - 1.5, exact
    ul = select(o1, ZERO, rl)
    t = _sel4(o0, o1, o2, F(-0.8638041618e-4), F(-6.575978257484848e-06), F(-0.3869504035e+0), F(+0.1115344167e+1))
    t = fma(t, uh, _sel4(o0, o1, o2, F(+0.6000166177e-3), F(-7.458829783662608e-06), F(+0.1288077235e+1), F(-0.9454904199e+0)))
    t = fma(t, uh, _sel4(o0, o1, o2, F(-0.1665703603e-2), F(0.00022872381721434636), F(-0.1816803217e+1), F(-0.3667259514e+0)))
    t = fma(t, uh, _sel4(o0, o1, o2, F(+0.1795156277e-3), F(-0.0016023638848036957), F(+0.1249150872e+1), F(+0.7155663371e+0)))
    t = fma(t, uh, _sel4(o0, o1, o2, F(+0.1914106123e-1), F(0.008410076712818192), F(-0.1328857988e+0), F(-0.1262947265e-1)))
    dh, dl = dd.mul_d(uh, ul, t)
    dh, dl = dd.add(dh, dl, _sel4t(o0, o1, o2, _ERFC_D1[0]), _sel4t(o0, o1, o2, _ERFC_D1[1]))
    dh, dl = dd.mul(dh, dl, uh, ul)
    dh, dl = dd.add(dh, dl, _sel4t(o0, o1, o2, _ERFC_D2[0]), _sel4t(o0, o1, o2, _ERFC_D2[1]))
    dh, dl = dd.mul(dh, dl, uh, ul)
    dh, dl = dd.add(dh, dl, _sel4t(o0, o1, o2, _ERFC_D3[0]), _sel4t(o0, o1, o2, _ERFC_D3[1]))
    xh, xl = dd.mul_d(select(o1, dh, -a), select(o1, dl, ZERO), a)
    yh, yl = dd.add(xh, xl, dh, dl)
    xh = select(o1, xh, yh)
    xl = select(o1, xl, yl)
    eh, el, q = _expk2u(xh, xl)
    ph, pl = dd.mul(eh, el, uh, ul)
    eh = select(o1, eh, ph)
    el = select(o1, el, pl)
    r = select(o3, _ldexp2(eh + el, q), ZERO)
    r = select(_signbit(s), F(2.0) - r, r)
    return select(_isnan(s), s, r)
