"""The special functions, written once in the subset of Python that Numba compiles for the CPU
(``numba.njit``) and for CUDA (``numba.cuda.jit(device=True, inline="always")``).

Nothing here is called directly by user code: ``compiler.special`` (pure Python),
``compiler.special.cpu`` (njit) and ``compiler.special.gpu`` (CUDA device functions) each make
their own copy of every function of this module with ``compiler.special._build.build``, which
rebinds the module-level names the functions call (the helpers, ``math``, ``float``) to that
target's versions. So the rules for code in this module are:

* scalars only; constant tables are module-level float64 NumPy arrays (Numba freezes them as
  constants on both targets); loops and branches are fine, exceptions, lists and dicts are not;
* every public function starts with ``x = np.float64(x)``: float32 and integer arguments are
  computed in float64 and the result is float64 (Numba types ``float(x)`` of a float32 as
  float32, so ``float`` would not do);
* only ``math`` functions that both Numba targets support (exp, log, sqrt, sin, cos, pow,
  floor, frexp, ldexp, copysign, lgamma, gamma) and never ``math.floor`` of a non-finite or
  huge value (Numba's returns an integer): use ``_floor``;
* the algorithms never rely on an exception or a warning: special values (nan, +-inf, +-0,
  poles, arguments outside the domain) are tested first and give what SciPy gives.

Sources (Cephes Math Library Release 2.8, Stephen L. Moshier, as distributed with SciPy in
``scipy/special/cephes`` and now ``scipy/xsf/include/xsf/cephes``; Boost.Math for the digamma
rational approximation on [1, 2], as in Cephes' ``psi.c`` of SciPy):

=========================  ==============================================================
function                   algorithm
=========================  ==============================================================
digamma                    psi.c (Boost ``digamma_imp_1_2`` on [1, 2], recurrence,
                           asymptotic series for x >= 10, reflection for x < 0) plus a
                           Taylor series about the first negative zero (as SciPy's xsf
                           ``digamma``), coefficients psi^(k)(x0)/k! from mpmath
zeta (Hurwitz)             zeta.c (Euler-Maclaurin), compensating the rounding of q + k;
                           asymptotic series for q > 1e8 (DLMF 25.11.43, as xsf); for q < 0
                           and integer s the reflection
                           zeta(s,q) = zeta(s,f) + (-1)^s (zeta(s,1-f) - zeta(s,1-q)),
                           f = q - floor(q), instead of Cephes' O(|q|) direct sum
polygamma                  (-1)^(n+1) n! zeta(n+1, x), as scipy.special.polygamma
erfinv, erfcinv            ndtri.c (rational approximations in y - 1/2 and in
                           sqrt(-2 log y)), with the arguments passed so that 1 +- y is
                           never formed where it would round (erfcinv(1e-300) is exact)
j0, y0                     j0.c (rational on [0, 5], Hankel asymptotic form beyond, in
                           xsf's form with cos(x), sin(x), here from x = 5 on); the first
                           zero of j0 split in two doubles so j0 keeps its relative
                           accuracy there
j1, y1                     j1.c (same structure)
i0, i0e                    i0.c (Chebyshev series on [0, 8] and in 32/x beyond; chbevl.c)
i1, i1e                    i1.c
gammaln                    the C library's lgamma (Numba's math.lgamma), CUDA libdevice's
rgamma                     1/Gamma with the C library's tgamma, the reflection and
                           duplication formulas outside (-160, 171)
sinc                       sin(pi x)/(pi x) with an exact reduction of x modulo 1/2
cbrt                       frexp scaling, pow seed, one Newton step with an exact
                           (Dekker) residual: correctly rounded but for rare ties
=========================  ==============================================================
"""
import math

import numpy as np

_INF = float("inf")
_NAN = float("nan")
_TWO52 = 4503599627370496.0  # 2**52: every double at least this large is an integer

_PI = 3.141592653589793
_SQRTPI = 1.772453850905516
_HALF_SQRTPI = 0.886226925452758  # sqrt(pi)/2
_SQRT1_2 = 0.7071067811865476
_TWO_OVER_PI = 0.6366197723675814
_SQ2OPI = 0.7978845608028654  # sqrt(2/pi)
_SQRT1OPI = 0.5641895835477563  # 1/sqrt(pi)
_EULER = 0.5772156649015329
_LN2 = 0.6931471805599453
_EXPM2 = 0.1353352832366127  # exp(-2): ndtri's switch between its central and tail forms


def _a(*values):
    return np.array(values, dtype=np.float64)


# -- helpers -----------------------------------------------------------------------------------

def _polevl(x, coef):
    """coef[0]*x**N + ... + coef[N] (Cephes polevl.h), highest degree first."""
    ans = coef[0]
    for i in range(1, len(coef)):
        ans = ans * x + coef[i]
    return ans


def _p1evl(x, coef):
    """Like _polevl with an implicit leading coefficient 1 (Cephes p1evl)."""
    ans = x + coef[0]
    for i in range(1, len(coef)):
        ans = ans * x + coef[i]
    return ans


def _chbevl(x, coef):
    """Chebyshev series sum' coef[i] T_i(x/2), zero-order term last (Cephes chbevl.c)."""
    b0 = coef[0]
    b1 = 0.0
    b2 = 0.0
    for i in range(1, len(coef)):
        b2 = b1
        b1 = b0
        b0 = x * b1 - b2 + coef[i]
    return 0.5 * (b0 - b2)


def _floor(x):
    """floor(x) as a float; x itself when it is nan, infinite or at least 2**52 in magnitude."""
    if not (abs(x) < _TWO52):
        return x
    return float(math.floor(x))


def _pi_reduce(x):
    """x = r + q/2 (mod 2) with |r| <= 1/4 exactly and q in {0, 1, 2, 3}; |x| < 2**52.

    n is the integer nearest to 2x (2x is exact, so is its fractional part), and
    r = x - n/2 is exact by Sterbenz's lemma: n/2 is within 1/4 of x and of the same sign."""
    t = 2.0 * x
    n = _floor(t)
    if t - n > 0.5:
        n = n + 1.0
    r = x - 0.5 * n
    q = n - 4.0 * _floor(0.25 * n)
    return r, q


def _sinpi(x):
    """sin(pi x), accurate to a few ulp for every x (no rounding of pi x for large x)."""
    if not (abs(x) < _TWO52):
        return 0.0 * x  # an integer: +-0; nan for +-inf and nan
    r, q = _pi_reduce(x)
    if r == 0.0 and (q == 0.0 or q == 2.0):
        return 0.0 * x  # sin(pi k) = +0 for k > 0, -0 for k < 0 (IEEE 754 sinPi)
    a = _PI * r
    if q == 0.0:
        return math.sin(a)
    if q == 1.0:
        return math.cos(a)
    if q == 2.0:
        return -math.sin(a)
    return -math.cos(a)


def _cotpi(x):
    """cot(pi x) for a non-integer |x| < 2**52."""
    r, q = _pi_reduce(x)
    a = _PI * r
    if q == 0.0 or q == 2.0:
        return math.cos(a) / math.sin(a)
    return -math.sin(a) / math.cos(a)


# -- digamma (Cephes psi.c, Boost digamma_imp_1_2, xsf digamma) ----------------------------------

_PSI_A = _a(
    8.33333333333333333333E-2,
    -2.10927960927960927961E-2,
    7.57575757575757575758E-3,
    -4.16666666666666666667E-3,
    3.96825396825396825397E-3,
    -8.33333333333333333333E-3,
    8.33333333333333333333E-2,
)
# Boost.Math digamma_imp_1_2 (John Maddock 2006, Boost Software License), as in Cephes psi.c:
# digamma(x) = (x - root) * (Y + P(x-1)/Q(x-1)) on [1, 2], the root in three parts.
_PSI_Y = 0.9955816268920898  # the float 0.99558162689208984f
_PSI_ROOT1 = 1569415565.0 / 1073741824.0
_PSI_ROOT2 = (381566830.0 / 1073741824.0) / 1073741824.0
_PSI_ROOT3 = 0.9016312093258695918615325266959189453125e-19
_PSI_P = _a(
    -0.0020713321167745952,
    -0.045251321448739056,
    -0.28919126444774784,
    -0.65031853770896507,
    -0.32555031186804491,
    0.25479851061131551,
)
_PSI_Q = _a(
    -0.55789841321675513e-6,
    0.0021284987017821144,
    0.054151797245674225,
    0.43593529692665969,
    1.4606242909763515,
    2.0767117023730469,
    1.0,
)
# Taylor series of digamma about x0 = -0.5040830082644554 (the double nearest its zero in
# (-1, 0)), coefficients psi^(k)(x0)/k! = (-1)^(k+1) zeta(k+1, x0) for k >= 1, psi(x0) for k = 0,
# computed with mpmath at 60 digits (tests/test_special.py recomputes them); highest degree first.
# Used for |x - x0| < 0.1, where the reflection formula cancels; the terms shrink like 0.2^k.
_NEGROOT = -0.5040830082644554
_NEGROOT_WINDOW = 0.1
_NEGROOT_TAYLOR = _a(
    551481251.85854488212,
    -59721085.411294179481,
    137373435.87411496055,
    -13807481.997263859731,
    34228316.695801115088,
    -3172131.3155744699023,
    8530604.8785439821788,
    -723318.88618042908376,
    2126602.372596875001,
    -163451.79342700220716,
    530280.39124201758978,
    -36529.945969485572493,
    132262.95480834588724,
    -8051.818155363481274,
    32997.785655255046136,
    -1743.3646088673593435,
    8234.6670992030683667,
    -368.57835038321839231,
    2055.5357119463315436,
    -75.37700066344616014,
    513.27046295628616427,
    -14.706721735530331464,
    128.27342343090902246,
    -2.7610116487908228751,
    32.258572064915505787,
    -0.8093454625306499135,
    8.9397985587921344841,
    7.2897639029768949445e-17,
)


def _digamma_1_2(x):
    g = x - _PSI_ROOT1
    g = g - _PSI_ROOT2
    g = g - _PSI_ROOT3
    r = _polevl(x - 1.0, _PSI_P) / _polevl(x - 1.0, _PSI_Q)
    return g * _PSI_Y + g * r


def _psi_asy(x):
    if x < 1.0e17:
        z = 1.0 / (x * x)
        y = z * _polevl(z, _PSI_A)
    else:
        y = 0.0
    return math.log(x) - (0.5 / x) - y


def digamma(x):
    """psi(x) = d/dx log Gamma(x).

    SciPy's values: digamma(+0) = -inf, digamma(-0) = +inf (the limit from that side),
    nan at the negative integers and at -inf, +inf at +inf."""
    x = np.float64(x)
    if x != x or x == _INF:
        return x
    if x == -_INF:
        return _NAN
    if x == 0.0:
        return math.copysign(_INF, -x)
    y = 0.0
    if x < 0.0:
        if x == _floor(x):
            return _NAN
        t = x - _NEGROOT  # exact (Sterbenz) in the window
        if abs(t) < _NEGROOT_WINDOW:
            return _polevl(t, _NEGROOT_TAYLOR)
        # reflection psi(x) = psi(1 - x) - pi cot(pi x), cot with an exact reduction of x
        y = -_PI * _cotpi(x)
        x = 1.0 - x
    if x <= 10.0 and x == _floor(x):
        n = int(x)
        for i in range(1, n):
            y += 1.0 / i
        return y - _EULER
    if x < 1.0:
        y -= 1.0 / x
        x += 1.0
    elif x < 10.0:
        while x > 2.0:
            x -= 1.0
            y += 1.0 / x
    if 1.0 <= x and x <= 2.0:
        return y + _digamma_1_2(x)
    return y + _psi_asy(x)


# -- Hurwitz zeta and polygamma (Cephes zeta.c) --------------------------------------------------

# (2k)! / B_2k, the Euler-Maclaurin coefficients of Cephes zeta.c
_ZETA_A = _a(
    12.0,
    -720.0,
    30240.0,
    -1209600.0,
    47900160.0,
    -1.8924375803183791606e9,
    7.47242496e10,
    -2.950130727918164224e12,
    1.1646782814350067249e14,
    -4.5979787224074726105e15,
    1.8152105401943546773e17,
    -7.1661652561756670113e18,
)
_MACHEP = 1.11022302462515654042E-16

_FACTORIALS = np.array([float(math.factorial(k)) for k in range(171)], dtype=np.float64)


def _zeta_pos(s, q):
    """Hurwitz zeta for s > 1 (finite) and q > 0 (possibly +inf): Cephes zeta.c, with the
    rounding of q + k compensated.

    Cephes sums (q + k)^-s for k <= N, N >= 9 and q + N > 9, then adds the Euler-Maclaurin
    tail at w = q + N. But q + k rounds whenever it has a larger exponent than q, and an error
    d in q + k becomes s*d/(q + k) in its power: 16 eps at s = 36, q = 2047.7 (SciPy too). So the
    exact error e of each q + k is kept (TwoSum, additions only, so fused multiply-adds cannot
    spoil it), each term is multiplied by (1 + e/a)^-s = 1 - s e/a, and the tail R(w) by
    1 - (s - 1) e/w (R'(w) = -(s - 1) R(w)/w for its leading term w^(1-s)/(s-1)). The sum also
    stops early only when the whole rest is negligible, not just the last term."""
    if q > 1e8:
        # DLMF 25.11.43 (as xsf), with the q**-2 term so that s up to ~40 stays exact
        return (1.0 / (s - 1.0) + 1.0 / (2.0 * q) + s / (12.0 * q * q)) * math.pow(q, 1.0 - s)
    total = math.pow(q, -s)
    a = q
    e = 0.0
    i = 0
    b = 0.0
    while i < 9 or a <= 9.0:
        i += 1
        k = float(i)
        a = q + k
        v = a - q
        e = (q - (a - v)) + (k - v)  # q + k = a + e exactly
        b = math.pow(a, -s)
        term = b - s * b * (e / a)
        total += term
        # stop when the rest, ~ term * a / (s - 1), is negligible (Cephes stops when the term is,
        # which drops ~1/9 for s = 2 when total is 1e16, i.e. q ~ 1e-8: 4 eps)
        if term == 0.0 or term * (1.0 + a / (s - 1.0)) < 0.25 * _MACHEP * total:
            return total
    w = a
    tail = b * w / (s - 1.0) - 0.5 * b
    c = 1.0
    kk = 0.0
    for j in range(12):
        c *= s + kk
        b /= w
        t = c * b / _ZETA_A[j]
        tail = tail + t
        if abs(t / (total + tail)) < _MACHEP:
            break
        kk += 1.0
        c *= s + kk
        b /= w
        kk += 1.0
    return total + tail * (1.0 - (s - 1.0) * (e / w))


def zeta(s, q):
    """Hurwitz zeta function sum_{k>=0} (k + q)**-s (scipy.special.zeta(s, q)).

    SciPy's values: nan for s < 1, +inf for s = 1, +inf at q = 0, -1, -2, ... (and q = -inf),
    nan for q < 0 unless s is an integer (then the sum, a polygamma value). s = +inf gives the
    limit (0 for q > 1, 1 for q = 1, inf for 0 < q < 1) where SciPy gives nan for q > 1."""
    s = np.float64(s)
    q = np.float64(q)
    if s != s or q != q:
        return _NAN
    if s == 1.0:
        return _INF
    if s < 1.0:
        return _NAN
    extra = 0.0
    q0 = q
    count = 1
    w1 = 0.0
    q1 = 0.0
    q2 = 0.0
    if q <= 0.0:
        if q == _floor(q):
            return _INF
        if s != _floor(s):
            return _NAN
        if s == _INF:
            return _INF  # the terms with |k + q| < 1 are infinite
        if q > -1.0:
            extra = math.pow(q, -s)  # q**-s with a negative q and an integer s
            q0 = q + 1.0
        else:
            # sum over all integers minus the terms k < 0:
            # zeta(s, q) = zeta(s, f) + (-1)^s (zeta(s, 1 - f) - zeta(s, 1 - q))
            f = q - _floor(q)  # exact for q <= -1
            q0 = f
            q1 = 1.0 - f
            q2 = 1.0 - q
            w1 = 1.0 if s - 2.0 * _floor(0.5 * s) == 0.0 else -1.0
            count = 3
    elif s == _INF:
        if q > 1.0:
            return 0.0
        return 1.0 if q == 1.0 else _INF
    total = extra
    # one call site, so that an inlining compiler makes one copy of the summation
    for k in range(count):
        if k == 0:
            qq = q0
            ww = 1.0
        elif k == 1:
            qq = q1
            ww = w1
        else:
            qq = q2
            ww = -w1
        total += ww * _zeta_pos(s, qq)
    return total


def polygamma(n, x):
    """psi^(n)(x) = (-1)^(n+1) n! zeta(n+1, x) for an integer n >= 0; digamma for n = 0.

    n may be an int or an integral float; nan for a negative or non-integral n (SciPy).
    At the poles x = 0, -1, -2, ...: +inf for odd n, -inf for even n >= 2 (SciPy's
    (-1)^(n+1) n! * inf), nan for n = 0 except digamma(+-0) = -+inf. For x < 0 this is the
    value of the analytic function (SciPy sums the series directly, which takes O(|x|) time)."""
    n = np.float64(n)
    x = np.float64(x)
    if n != n or x != x:
        return _NAN
    if n < 0.0 or n == _INF or n != _floor(n):
        return _NAN
    if n == 0.0:
        return digamma(x)
    z = zeta(n + 1.0, x)
    fact = _FACTORIALS[int(n)] if n <= 170.0 else _INF
    sign = -1.0 if n - 2.0 * _floor(0.5 * n) == 0.0 else 1.0
    return sign * fact * z


# -- erfinv, erfcinv (Cephes ndtri.c) -----------------------------------------------------------

# approximation for 0 <= |y - 0.5| <= 3/8
_NDTRI_P0 = _a(
    -5.99633501014107895267E1,
    9.80010754185999661536E1,
    -5.66762857469070293439E1,
    1.39312609387279679503E1,
    -1.23916583867381258016E0,
)
_NDTRI_Q0 = _a(
    1.95448858338141759834E0,
    4.67627912898881538453E0,
    8.63602421390890590575E1,
    -2.25462687854119370527E2,
    2.00260212380060660359E2,
    -8.20372256168333339912E1,
    1.59056225126211695515E1,
    -1.18331621121330003142E0,
)
# z = sqrt(-2 log y) between 2 and 8
_NDTRI_P1 = _a(
    4.05544892305962419923E0,
    3.15251094599893866154E1,
    5.71628192246421288162E1,
    4.40805073893200834700E1,
    1.46849561928858024014E1,
    2.18663306850790267539E0,
    -1.40256079171354495875E-1,
    -3.50424626827848203418E-2,
    -8.57456785154685413611E-4,
)
_NDTRI_Q1 = _a(
    1.57799883256466749731E1,
    4.53907635128879210584E1,
    4.13172038254672030440E1,
    1.50425385692907503408E1,
    2.50464946208309415979E0,
    -1.42182922854787788574E-1,
    -3.80806407691578277194E-2,
    -9.33259480895457427372E-4,
)
# z between 8 and 64
_NDTRI_P2 = _a(
    3.23774891776946035970E0,
    6.91522889068984211695E0,
    3.93881025292474443415E0,
    1.33303460815807542389E0,
    2.01485389549179081538E-1,
    1.23716634817820021358E-2,
    3.01581553508235416007E-4,
    2.65806974686737550832E-6,
    6.23974539184983293730E-9,
)
_NDTRI_Q2 = _a(
    6.02427039364742014255E0,
    3.67983563856160859403E0,
    1.37702099489081330271E0,
    2.16236993594496635890E-1,
    1.34204006088543189037E-2,
    3.28014464682127739104E-4,
    2.89247864745380683936E-6,
    6.79019408009981274425E-9,
)
_ERF_CENTRAL = 0.7293294335267746  # 1 - 2 exp(-2): |erf argument| of ndtri's central form


def _erfinv_central(u):
    """erfinv(u) for |u| <= 1 - 2 exp(-2): ndtri(1/2 + u/2) / sqrt(2), never forming 1/2 + u/2."""
    t = 0.5 * u
    t2 = t * t
    return (u + u * (t2 * _polevl(t2, _NDTRI_P0) / _p1evl(t2, _NDTRI_Q0))) * _HALF_SQRTPI


def _erfinv_tail(logq):
    """erfcinv(2 q) = -ndtri(q) / sqrt(2) > 0 for 0 < q < exp(-2), given log(q)."""
    x = math.sqrt(-2.0 * logq)
    x0 = x - math.log(x) / x
    z = 1.0 / x
    if x < 8.0:
        x1 = z * _polevl(z, _NDTRI_P1) / _p1evl(z, _NDTRI_Q1)
    else:
        x1 = z * _polevl(z, _NDTRI_P2) / _p1evl(z, _NDTRI_Q2)
    return (x0 - x1) * _SQRT1_2


def erfinv(x):
    """Inverse of erf on [-1, 1]: +-inf at +-1, nan outside, +0 at -0 (SciPy)."""
    x = np.float64(x)
    if x != x:
        return x
    if x == 0.0:
        return 0.0
    a = abs(x)
    if a <= _ERF_CENTRAL:
        return _erfinv_central(x)
    if a < 1.0:
        r = _erfinv_tail(math.log(0.5 * (1.0 - a)))  # 1 - a is exact for a >= 1/2
        return r if x > 0.0 else -r
    if a == 1.0:
        return math.copysign(_INF, x)
    return _NAN


def erfcinv(y):
    """Inverse of erfc on [0, 2]: +inf at 0 (also -0), -inf at 2, -0 at 1, nan outside (SciPy).

    Accurate down to the smallest subnormal: erfcinv(1e-300) = 26.209469960516124."""
    y = np.float64(y)
    if y != y:
        return y
    if y < 0.0 or y > 2.0:
        return _NAN
    if y == 0.0:
        return _INF
    if y == 2.0:
        return -_INF
    if y == 1.0:
        return -0.0  # SciPy's -ndtri(1/2)/sqrt(2)
    u = 1.0 - y  # exact for y >= 1/2; for y in (0.27, 0.5) its rounding is harmless
    if abs(u) <= _ERF_CENTRAL:
        return _erfinv_central(u)
    if y < 1.0:
        if y > 1e-300:
            logq = math.log(0.5 * y)
        else:
            logq = math.log(y) - _LN2  # y/2 may be subnormal or zero
        return _erfinv_tail(logq)
    return -_erfinv_tail(math.log(0.5 * (2.0 - y)))  # 2 - y exact for y >= 1


# -- Bessel functions of the first and second kind (Cephes j0.c, j1.c; xsf j0.h, j1.h) ---------

_J0_PP = _a(
    7.96936729297347051624E-4,
    8.28352392107440799803E-2,
    1.23953371646414299388E0,
    5.44725003058768775090E0,
    8.74716500199817011941E0,
    5.30324038235394892183E0,
    9.99999999999999997821E-1,
)
_J0_PQ = _a(
    9.24408810558863637013E-4,
    8.56288474354474431428E-2,
    1.25352743901058953537E0,
    5.47097740330417105182E0,
    8.76190883237069594232E0,
    5.30605288235394617618E0,
    1.00000000000000000218E0,
)
_J0_QP = _a(
    -1.13663838898469149931E-2,
    -1.28252718670509318512E0,
    -1.95539544257735972385E1,
    -9.32060152123768231369E1,
    -1.77681167980488050595E2,
    -1.47077505154951170175E2,
    -5.14105326766599330220E1,
    -6.05014350600728481186E0,
)
_J0_QQ = _a(
    6.43178256118178023184E1,
    8.56430025976980587198E2,
    3.88240183605401609683E3,
    7.24046774195652478189E3,
    5.93072701187316984827E3,
    2.06209331660327847417E3,
    2.42005740240291393179E2,
)
_J0_YP = _a(
    1.55924367855235737965E4,
    -1.46639295903971606143E7,
    5.43526477051876500413E9,
    -9.82136065717911466409E11,
    8.75906394395366999549E13,
    -3.46628303384729719441E15,
    4.42733268572569800351E16,
    -1.84950800436986690637E16,
)
_J0_YQ = _a(
    1.04128353664259848412E3,
    6.26107330137134956842E5,
    2.68919633393814121987E8,
    8.64002487103935000337E10,
    2.02979612750105546709E13,
    3.17157752842975028269E15,
    2.50596256172653059228E17,
)
_J0_DR2 = 3.04712623436620863991E1  # second zero of j0, squared
_J0_RP = _a(
    -4.79443220978201773821E9,
    1.95617491946556577543E12,
    -2.49248344360967716204E14,
    9.70862251047306323952E15,
)
_J0_RQ = _a(
    4.99563147152651017219E2,
    1.73785401676374683123E5,
    4.84409658339962045305E7,
    1.11855537045356834862E10,
    2.11277520115489217587E12,
    3.10518229857422583814E14,
    3.18121955943204943306E16,
    1.71086294081043136091E18,
)
# first zeros of j0 and j1 as hi + lo (mpmath), for (z - r^2) = ((x - hi) - lo) (x + hi)
_J0_Z1_HI = 2.404825557695773
_J0_Z1_LO = -1.176691651530894e-16
_J1_Z1_HI = 3.8317059702075125
_J1_Z1_LO = -1.5269184090088067e-16

_J1_RP = _a(
    -8.99971225705559398224E8,
    4.52228297998194034323E11,
    -7.27494245221818276015E13,
    3.68295732863852883286E15,
)
_J1_RQ = _a(
    6.20836478118054335476E2,
    2.56987256757748830383E5,
    8.35146791431949253037E7,
    2.21511595479792499675E10,
    4.74914122079991414898E12,
    7.84369607876235854894E14,
    8.95222336184627338078E16,
    5.32278620332680085395E18,
)
_J1_PP = _a(
    7.62125616208173112003E-4,
    7.31397056940917570436E-2,
    1.12719608129684925192E0,
    5.11207951146807644818E0,
    8.42404590141772420927E0,
    5.21451598682361504063E0,
    1.00000000000000000254E0,
)
_J1_PQ = _a(
    5.71323128072548699714E-4,
    6.88455908754495404082E-2,
    1.10514232634061696926E0,
    5.07386386128601488557E0,
    8.39985554327604159757E0,
    5.20982848682361821619E0,
    9.99999999999999997461E-1,
)
_J1_QP = _a(
    5.10862594750176621635E-2,
    4.98213872951233449420E0,
    7.58238284132545283818E1,
    3.66779609360150777800E2,
    7.10856304998926107277E2,
    5.97489612400613639965E2,
    2.11688757100572135698E2,
    2.52070205858023719784E1,
)
_J1_QQ = _a(
    7.42373277035675149943E1,
    1.05644886038262816351E3,
    4.98641058337653607651E3,
    9.56231892404756170795E3,
    7.99704160447350683650E3,
    2.82619278517639096600E3,
    3.36093607810698293419E2,
)
_J1_YP = _a(
    1.26320474790178026440E9,
    -6.47355876379160291031E11,
    1.14509511541823727583E14,
    -8.12770255501325109621E15,
    2.02439475713594898196E17,
    -7.78877196265950026825E17,
)
_J1_YQ = _a(
    5.94301592346128195359E2,
    2.35564092943068577943E5,
    7.34811944459721705660E7,
    1.87601316108706159478E10,
    3.88231277496238566008E12,
    6.20557727146953693363E14,
    6.87141087355300489866E16,
    3.97270608116560655612E18,
)
_J1_Z2 = 4.92184563216946036703E1  # second zero of j1, squared


def j0(x):
    """Bessel function of the first kind of order 0. nan at +-inf (SciPy; the limit is 0)."""
    x = np.float64(x)
    if x < 0.0:
        x = -x
    if x <= 5.0:
        z = x * x
        if x < 1.0e-5:
            return 1.0 - z / 4.0
        p = ((x - _J0_Z1_HI) - _J0_Z1_LO) * (x + _J0_Z1_HI) * (z - _J0_DR2)
        return p * _polevl(z, _J0_RP) / _p1evl(z, _J0_RQ)
    w = 5.0 / x
    q = 25.0 / (x * x)
    p = _polevl(q, _J0_PP) / _polevl(q, _J0_PQ)
    q = _polevl(q, _J0_QP) / _p1evl(q, _J0_QQ)
    # P cos(x - pi/4) - (5/x) Q sin(x - pi/4), expanded (xsf does so for x >= 10; from 5 on it
    # halves the error, 2.5 eps of the envelope instead of 4.7: x - pi/4 is not rounded)
    p = (p + w * q) * math.cos(x) + (p - w * q) * math.sin(x)
    return p * _SQRT1OPI / math.sqrt(x)


def y0(x):
    """Bessel function of the second kind of order 0: -inf at +-0, nan for x < 0 and +inf."""
    x = np.float64(x)
    if x <= 5.0:
        if x == 0.0:
            return -_INF
        if x < 0.0:
            return _NAN
        z = x * x
        w = _polevl(z, _J0_YP) / _p1evl(z, _J0_YQ)
        return w + _TWO_OVER_PI * math.log(x) * j0(x)
    w = 5.0 / x
    z = 25.0 / (x * x)
    p = _polevl(z, _J0_PP) / _polevl(z, _J0_PQ)
    q = _polevl(z, _J0_QP) / _p1evl(z, _J0_QQ)
    p = (w * q - p) * math.cos(x) + (p + w * q) * math.sin(x)  # as j0
    return p * _SQRT1OPI / math.sqrt(x)


def j1(x):
    """Bessel function of the first kind of order 1 (odd; j1(-0) = -0). nan at +-inf (SciPy)."""
    x = np.float64(x)
    a = abs(x)  # (Cephes recurses for x < 0; an inlining compiler cannot)
    if a < 1.490116119384765625e-8:
        return 0.5 * x
    if a <= 5.0:
        z = a * a
        w = _polevl(z, _J1_RP) / _p1evl(z, _J1_RQ)
        r = w * a * (((a - _J1_Z1_HI) - _J1_Z1_LO) * (a + _J1_Z1_HI)) * (z - _J1_Z2)
    else:
        w = 5.0 / a
        z = w * w
        p = _polevl(z, _J1_PP) / _polevl(z, _J1_PQ)
        q = _polevl(z, _J1_QP) / _p1evl(z, _J1_QQ)
        c = _SQRT1_2 * (w * q - p)  # P cos(x - 3pi/4) - (5/x) Q sin(x - 3pi/4), expanded
        b = _SQRT1_2 * (p + w * q)
        r = (c * math.cos(a) + b * math.sin(a)) * _SQ2OPI / math.sqrt(a)
    return -r if x < 0.0 else r


def y1(x):
    """Bessel function of the second kind of order 1: -inf at +-0, nan for x < 0 and +inf."""
    x = np.float64(x)
    if x <= 5.0:
        if x == 0.0:
            return -_INF
        if x < 0.0:
            return _NAN
        z = x * x
        w = x * (_polevl(z, _J1_YP) / _p1evl(z, _J1_YQ))
        return w + _TWO_OVER_PI * (j1(x) * math.log(x) - 1.0 / x)
    w = 5.0 / x
    z = w * w
    p = _polevl(z, _J1_PP) / _polevl(z, _J1_PQ)
    q = _polevl(z, _J1_QP) / _p1evl(z, _J1_QQ)
    p = (w * q - p) * math.sin(x) - (p + w * q) * math.cos(x)  # as j1
    return p * _SQRT1OPI / math.sqrt(x)


# -- modified Bessel functions (Cephes i0.c, i1.c) ----------------------------------------------

# exp(-x) I0(x) on [0, 8]
_I0_A = _a(
    -4.41534164647933937950E-18,
    3.33079451882223809783E-17,
    -2.43127984654795469359E-16,
    1.71539128555513303061E-15,
    -1.16853328779934516808E-14,
    7.67618549860493561688E-14,
    -4.85644678311192946090E-13,
    2.95505266312963983461E-12,
    -1.72682629144155570723E-11,
    9.67580903537323691224E-11,
    -5.18979560163526290666E-10,
    2.65982372468238665035E-9,
    -1.30002500998624804212E-8,
    6.04699502254191894932E-8,
    -2.67079385394061173391E-7,
    1.11738753912010371815E-6,
    -4.41673835845875056359E-6,
    1.64484480707288970893E-5,
    -5.75419501008210370398E-5,
    1.88502885095841655729E-4,
    -5.76375574538582365885E-4,
    1.63947561694133579842E-3,
    -4.32430999505057594430E-3,
    1.05464603945949983183E-2,
    -2.37374148058994688156E-2,
    4.93052842396707084878E-2,
    -9.49010970480476444210E-2,
    1.71620901522208775349E-1,
    -3.04682672343198398683E-1,
    6.76795274409476084995E-1,
)
# exp(-x) sqrt(x) I0(x) on [8, inf), in 32/x - 2
_I0_B = _a(
    -7.23318048787475395456E-18,
    -4.83050448594418207126E-18,
    4.46562142029675999901E-17,
    3.46122286769746109310E-17,
    -2.82762398051658348494E-16,
    -3.42548561967721913462E-16,
    1.77256013305652638360E-15,
    3.81168066935262242075E-15,
    -9.55484669882830764870E-15,
    -4.15056934728722208663E-14,
    1.54008621752140982691E-14,
    3.85277838274214270114E-13,
    7.18012445138366623367E-13,
    -1.79417853150680611778E-12,
    -1.32158118404477131188E-11,
    -3.14991652796324136454E-11,
    1.18891471078464383424E-11,
    4.94060238822496958910E-10,
    3.39623202570838634515E-9,
    2.26666899049817806459E-8,
    2.04891858946906374183E-7,
    2.89137052083475648297E-6,
    6.88975834691682398426E-5,
    3.36911647825569408990E-3,
    8.04490411014108831608E-1,
)
# exp(-x) I1(x) / x on [0, 8]
_I1_A = _a(
    2.77791411276104639959E-18,
    -2.11142121435816608115E-17,
    1.55363195773620046921E-16,
    -1.10559694773538630805E-15,
    7.60068429473540693410E-15,
    -5.04218550472791168711E-14,
    3.22379336594557470981E-13,
    -1.98397439776494371520E-12,
    1.17361862988909016308E-11,
    -6.66348972350202774223E-11,
    3.62559028155211703701E-10,
    -1.88724975172282928790E-9,
    9.38153738649577178388E-9,
    -4.44505912879632808065E-8,
    2.00329475355213526229E-7,
    -8.56872026469545474066E-7,
    3.47025130813767847674E-6,
    -1.32731636560394358279E-5,
    4.78156510755005422638E-5,
    -1.61760815825896745588E-4,
    5.12285956168575772895E-4,
    -1.51357245063125314899E-3,
    4.15642294431288815669E-3,
    -1.05640848946261981558E-2,
    2.47264490306265168283E-2,
    -5.29459812080949914269E-2,
    1.02643658689847095384E-1,
    -1.76416518357834055153E-1,
    2.52587186443633654823E-1,
)
# exp(-x) sqrt(x) I1(x) on [8, inf), in 32/x - 2
_I1_B = _a(
    7.51729631084210481353E-18,
    4.41434832307170791151E-18,
    -4.65030536848935832153E-17,
    -3.20952592199342395980E-17,
    2.96262899764595013876E-16,
    3.30820231092092828324E-16,
    -1.88035477551078244854E-15,
    -3.81440307243700780478E-15,
    1.04202769841288027642E-14,
    4.27244001671195135429E-14,
    -2.10154184277266431302E-14,
    -4.08355111109219731823E-13,
    -7.19855177624590851209E-13,
    2.03562854414708950722E-12,
    1.41258074366137813316E-11,
    3.25260358301548823856E-11,
    -1.89749581235054123450E-11,
    -5.58974346219658380687E-10,
    -3.83538038596423702205E-9,
    -2.63146884688951950684E-8,
    -2.51223623787020892529E-7,
    -3.88256480887769039346E-6,
    -1.10588938762623716291E-4,
    -9.76109749136146840777E-3,
    7.78576235018280120474E-1,
)


def i0(x):
    """Modified Bessel function of the first kind of order 0.

    As SciPy (Cephes computes exp(x) * c / sqrt(x)): inf for 709.78 < |x| < inf, nan at
    +-inf (the limit is +inf)."""
    x = np.float64(x)
    if x < 0.0:
        x = -x
    if x <= 8.0:
        return math.exp(x) * _chbevl(x / 2.0 - 2.0, _I0_A)
    return math.exp(x) * _chbevl(32.0 / x - 2.0, _I0_B) / math.sqrt(x)


def i0e(x):
    """exp(-|x|) i0(x); 0 at +-inf."""
    x = np.float64(x)
    if x < 0.0:
        x = -x
    if x <= 8.0:
        return _chbevl(x / 2.0 - 2.0, _I0_A)
    return _chbevl(32.0 / x - 2.0, _I0_B) / math.sqrt(x)


def i1(x):
    """Modified Bessel function of the first kind of order 1 (odd, but i1(-0) = +0 as SciPy).

    As SciPy: +-inf for 709.78 < |x| < inf, nan at +-inf."""
    x = np.float64(x)
    z = abs(x)
    if z <= 8.0:
        y = (z / 2.0) - 2.0
        z = _chbevl(y, _I1_A) * z * math.exp(z)
    else:
        z = math.exp(z) * _chbevl(32.0 / z - 2.0, _I1_B) / math.sqrt(z)
    if x < 0.0:
        z = -z
    return z


def i1e(x):
    """exp(-|x|) i1(x); +-0 at +-inf."""
    x = np.float64(x)
    z = abs(x)
    if z <= 8.0:
        y = (z / 2.0) - 2.0
        z = _chbevl(y, _I1_A) * z
    else:
        z = _chbevl(32.0 / z - 2.0, _I1_B) / math.sqrt(z)
    if x < 0.0:
        z = -z
    return z


# -- gamma-related, sinc, cbrt ------------------------------------------------------------------

def gammaln(x):
    """log|Gamma(x)| (scipy.special.gammaln): +inf at the poles and +-0, +inf at +inf and
    -inf at -inf (SciPy; C's lgamma gives +inf there). This is math.lgamma, i.e. the C
    library's lgamma under Numba, libdevice's on CUDA."""
    x = np.float64(x)
    if x == -_INF:
        return -_INF
    return math.lgamma(x)


def rgamma(x):
    """1/Gamma(x) (scipy.special.rgamma): 0 at the poles, at +inf and at -inf; +-0 at +-0."""
    x = np.float64(x)
    if x != x:
        return x
    if x == _INF or x == -_INF:
        return 0.0
    if abs(x) < 8.673617379884035e-19:  # 2**-60: 1/Gamma(x) = x (1 + 0.577 x + ...)
        return x
    if x < 0.0 and x == _floor(x):
        return 0.0
    if x > 171.0:
        if x > 180.0:
            return 0.0  # below the smallest subnormal
        # duplication: Gamma(x) = 2^(x-1) Gamma(x/2) Gamma(x/2 + 1/2) / sqrt(pi)
        return _SQRTPI * math.pow(2.0, 1.0 - x) / math.gamma(0.5 * x) / math.gamma(0.5 * x + 0.5)
    if x < -160.0:
        s = _sinpi(x)
        if x < -200.0:
            return math.copysign(_INF, s)  # |1/Gamma(x)| > 1e300 / |x - nearest integer|...
        # reflection 1/Gamma(x) = sin(pi x) Gamma(1 - x) / pi, Gamma(1 - x) by duplication
        z = 1.0 - x
        g = (s / _PI) * math.gamma(0.5 * z)
        g = g * (math.pow(2.0, z - 1.0) / _SQRTPI)
        return g * math.gamma(0.5 * z + 0.5)
    return 1.0 / math.gamma(x)


def sinc(x):
    """sin(pi x)/(pi x), 1 at 0 (numpy.sinc), nan at +-inf (as numpy). Exactly 0 at the
    nonzero integers and accurate near them (numpy.sinc rounds pi x)."""
    x = np.float64(x)
    if x == 0.0:
        return 1.0
    if x != x or x == _INF or x == -_INF:
        return _NAN
    return _sinpi(x) / (_PI * x)


def _two_prod(a, b):
    """a*b = hi + lo exactly (Dekker; Veltkamp splitting, no fused multiply-add)."""
    hi = a * b
    c = 134217729.0 * a
    ah = c - (c - a)
    al = a - ah
    c = 134217729.0 * b
    bh = c - (c - b)
    bl = b - bh
    lo = ((ah * bh - hi) + ah * bl + al * bh) + al * bl
    return hi, lo


def cbrt(x):
    """Real cube root: sign kept, cbrt(+-0) = +-0, cbrt(+-inf) = +-inf, nan -> nan.

    Correctly rounded except when the exact root lies within ~1e-30 relative of a rounding
    boundary (none was found in the tests). Not for CUDA: it relies on exact products that
    FMA contraction would spoil; compiler.special.gpu uses libdevice's cbrt."""
    x = np.float64(x)
    if x == 0.0 or x != x or x == _INF or x == -_INF:
        return x
    m, e = math.frexp(abs(x))  # |x| = m 2^e, m in [1/2, 1)
    r = e % 3
    k = (e - r) // 3
    m = math.ldexp(m, r)  # in [1/2, 4)
    y = math.pow(m, 1.0 / 3.0)  # within a few ulp
    # one Newton step y - (y^3 - m)/(3 y^2) with y^3 - m computed exactly
    y2, y2l = _two_prod(y, y)
    y3, y3l = _two_prod(y2, y)
    res = (y3 - m) + (y3l + y2l * y)
    y = y - res / (3.0 * y2)
    return math.copysign(math.ldexp(y, k), x)


__all__ = [
    "digamma",
    "polygamma",
    "zeta",
    "erfinv",
    "erfcinv",
    "j0",
    "j1",
    "y0",
    "y1",
    "i0",
    "i0e",
    "i1",
    "i1e",
    "gammaln",
    "rgamma",
    "sinc",
    "cbrt",
]
