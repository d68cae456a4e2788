"""Triple-double arithmetic and a triple-double e**x, for the accurate path of f64.logaddexp
(and the same e**x in double-double, for float32 logaddexp, at the end).

A triple-double number is three float64 (h, m, l) whose unevaluated sum carries about 159 bits;
normalised, |m| <= ulp(h) and |l| <= ulp(m) (roughly: the operations below keep that up to a
factor of 2, which costs nothing in accuracy because every product that is dropped is bounded
accordingly). The building blocks are the error-free transformations of ``_dd.py`` (TwoSum,
FastTwoSum, TwoProduct with an FMA); the operations follow the scheme of C. Lauter, "Basic
building blocks for a triple-double intermediate format" (INRIA RR-5702, 2005): exact leading
products and sums, the terms below 2**-106 of the result summed in one float, then a
renormalisation. The code is our own.

Error bounds used by the callers (relative to the result, for normalised inputs):
mul33 and mul3d: <= 2**-155 (the dropped products xm*yl, xl*ym, xl*yl are below 2**-157 and the
low-order sum rounds at 2**-159); add33: <= 2**-155 of the larger operand (exact leading
two_sums; only the sum of the terms of order 2**-106 rounds), so the sum of two nearly opposite
numbers is accurate to 2**-155 of the operands, not of the result.

Everything here is ``@njit(forceinline=True, fastmath=False)`` like the rest of the package and
free of branches; the only memory access is the table of 2**(j/512).
"""

from fractions import Fraction
from math import factorial, isqrt

import numpy as np

from ..jitcache import njit_cached
from . import _dd as dd
from ._intrin import fma, rint, toi32

_jit = njit_cached(forceinline=True, error_model="numpy", fastmath=False, boundscheck=False)


# ---------------------------------------------------------------------------------------------
# Constants, computed exactly with integers when the module is imported.

def _split(x, n, bits=53):
    """x (a Fraction) as n floats, each the remainder of the previous ones rounded to nearest
    (to `bits` significant bits: with bits < 53, products with integers of 53 - bits bits are
    exact)."""
    out = []
    for _ in range(n):
        if x == 0:
            out.append(0.0)
            continue
        ax = abs(x)
        e = ax.numerator.bit_length() - ax.denominator.bit_length()   # 2**e <= |x| < 2**(e+2)
        if Fraction(2) ** e > ax:
            e -= 1
        if Fraction(2) ** (e + 1) <= ax:
            e += 1
        scale = Fraction(2) ** (bits - 1 - e)                          # |x| scale in [2**(bits-1), 2**bits)
        f = float(Fraction(round(x * scale)) / scale)
        out.append(f)
        x -= Fraction(f)
    return out


_P = 240                                    # bits of the fixed-point computations below


def _ln2_fixed():
    """floor(ln 2 * 2**_P) - (a few units): ln 2 = 2 atanh(1/3) = sum 2 / ((2k+1) 3**(2k+1))."""
    one = 1 << (_P + 16)
    total, k = 0, 0
    while True:
        term = 2 * one // ((2 * k + 1) * 3 ** (2 * k + 1))
        if term == 0:
            break
        total += term
        k += 1
    return Fraction(total >> 16, 1 << _P)


def _exp2_fixed(j, n, bits):
    """floor(2**(j/n) 2**bits) for n a power of two, by repeated integer square roots
    (floor(sqrt(floor(sqrt(A)))) = floor(A**(1/4))): exact, and about 5 ms for n = 512."""
    v = (1 << j) << (bits * n)              # 2**j * 2**(bits n): its n-th root is 2**(j/n) 2**bits
    m = n
    while m > 1:
        v = isqrt(v)
        m //= 2
    return v


_GUARD = 64


def _exp2_fracs(n):
    """[floor(2**(j/n) 2**_P) / 2**_P for j in range(n)], n <= 512, as Fractions: products of
    2**(1/n) in fixed point with _GUARD more bits, 500 times faster than _exp2_fixed per entry.
    Every rounding is down, so the product is below 2**(j/n) 2**(_P + _GUARD) by less than
    3 / (2**(1/n) - 1) < 3 n / ln 2 < 4096 units (each step adds under 3 and multiplies the
    error so far by 2**(1/n)); its top _P bits are the exact floor unless its low
    _GUARD bits are within 4096 of a carry, and then that entry is computed exactly instead (this
    happens for no entry of n = 512; tests/test_vecmath.py compares the table with the exact one)."""
    q = _P + _GUARD
    base = _exp2_fixed(1, n, q)
    out, v = [], 1 << q
    for j in range(n):
        if j:
            v = v * base >> q
        exact = v >> _GUARD if v & ((1 << _GUARD) - 1) < (1 << _GUARD) - 4096 else _exp2_fixed(j, n, _P)
        out.append(Fraction(exact, 1 << _P))
    return out


LN2 = _ln2_fixed()
TABLE_BITS = 9
TABLE_N = 1 << TABLE_BITS                   # 512 entries: e**x = 2**k 2**(j/512) e**s
# 2**(j/512), j = 0 .. 511, as triple-doubles (h, m, l), flattened; relative error < 2**-160
EXP2_TABLE = np.array([v for f in _exp2_fracs(TABLE_N) for v in _split(f, 3)], dtype=np.float64)
R_LN2_N = float(TABLE_N / LN2)              # 512 / ln 2 (only used to choose N)
# ln2 / 512 = C1 + C2 + C3 + C4 to 2**-180: C1, C2 of 33 bits (N C1, N C2 exact for
# |N| < 2**20), C3 and C4 full doubles (N C3 as an exact TwoProduct)
C1, C2 = _split(LN2 / TABLE_N, 2, bits=33)
C3, C4 = _split(LN2 / TABLE_N - Fraction(C1) - Fraction(C2), 2)


def _inv_fact(n, parts):
    return _split(Fraction(1, factorial(n)), parts)


F3H, F3M, F3L = _inv_fact(3, 3)             # 1/3!, 1/4!: triple-double
F4H, F4M, F4L = _inv_fact(4, 3)
F5H, F5L = _inv_fact(5, 2)                  # 1/5! .. 1/8!: double-double
F6H, F6L = _inv_fact(6, 2)
F7H, F7L = _inv_fact(7, 2)
F8H, F8L = _inv_fact(8, 2)
F9, F10, F11, F12 = (float(Fraction(1, factorial(n))) for n in (9, 10, 11, 12))


# ---------------------------------------------------------------------------------------------
# Operations.

@_jit
def renorm_fast(a, b, c):
    """(a, b, c) -> (h, m, l), same sum exactly, for |a| >= |b| >= |c| (or zeros)."""
    b, c = dd.fast_two_sum(b, c)
    a, b = dd.fast_two_sum(a, b)
    return a, b, c


@_jit
def renorm(a, b, c):
    """(a, b, c) -> (h, m, l), same sum exactly, any magnitudes (three TwoSums)."""
    b, c = dd.two_sum(b, c)
    a, b = dd.two_sum(a, b)
    b, c = dd.two_sum(b, c)
    return a, b, c


@_jit
def add33(xh, xm, xl, yh, ym, yl):
    """x + y, any magnitudes and signs; error <= 2**-155 max(|x|, |y|)."""
    s, e = dd.two_sum(xh, yh)
    t, f = dd.two_sum(xm, ym)
    t, g = dd.two_sum(e, t)
    lo = (xl + yl) + (f + g)
    return renorm(s, t, lo)


@_jit
def add33_raw(xh, xm, xl, yh, ym, yl):
    """add33 without the final renormalisation: (s, t, lo) with the same error bound, s the
    rounded sum of the leading parts and t, lo the exactly carried remainders (|t| may exceed
    ulp(s) after a cancellation): enough as an operand of add33 (which pairs the components with
    TwoSums), not of a product."""
    s, e = dd.two_sum(xh, yh)
    t, f = dd.two_sum(xm, ym)
    t, g = dd.two_sum(e, t)
    return s, t, (xl + yl) + (f + g)


@_jit
def add33_fast_raw(xh, xm, xl, yh, ym, yl):
    """x + y for |x| >= 2 |y| (no cancellation of the leading parts), error <= 2**-155 |x|,
    not renormalised: |m| <= ~2 ulp(h), |l| <= ~2**-104 |h|, enough as an operand of mul3d_raw,
    mul3d and mul33 (which take the three parts as they are, exactly for the two leading
    ones)."""
    s, e = dd.fast_two_sum(xh, yh)
    t, f = dd.two_sum(xm, ym)
    t, g = dd.two_sum(e, t)
    return s, t, (xl + yl) + (f + g)


@_jit
def mul3d(xh, xm, xl, d):
    """x * d for a float d; error <= 2**-155 |x d|."""
    p0, e0 = dd.two_prod(xh, d)
    p1, e1 = dd.two_prod(xm, d)
    m, g = dd.two_sum(e0, p1)
    lo = fma(xl, d, e1) + g
    return renorm_fast(p0, m, lo)


@_jit
def mul3d_raw(xh, xm, xl, d):
    """mul3d without the final renormalisation: (h, m, l) with |m| <= ~2**-52 |h| and
    |l| <= ~2**-104 |h|, as add33_fast_raw takes it."""
    p0, e0 = dd.two_prod(xh, d)
    p1, e1 = dd.two_prod(xm, d)
    m, g = dd.two_sum(e0, p1)
    return p0, m, fma(xl, d, e1) + g


@_jit
def mul33(xh, xm, xl, yh, ym, yl):
    """x * y; error <= 2**-154 |x y|."""
    p0, e0 = dd.two_prod(xh, yh)
    p1, e1 = dd.two_prod(xh, ym)
    p2, e2 = dd.two_prod(xm, yh)
    m, f = dd.two_sum(p1, p2)
    m, g = dd.two_sum(e0, m)
    lo = fma(xh, yl, fma(xl, yh, fma(xm, ym, (e1 + e2) + (f + g))))
    return renorm_fast(p0, m, lo)


# ---------------------------------------------------------------------------------------------
# e**x.

@_jit
def expm1_small(s):
    """e**s - 1 for a float |s| <= 2**-10.5, as a triple-double with relative error below
    2**-152. Taylor series s R(s), R = sum_{n>=0} s**n / (n+1)!, by Horner's rule:
    R = Q_0, Q_n = 1/(n+1)! + s Q_{n+1}. Q_n multiplies s**n, so its error may be 2**(10.5 n)
    times larger than R's (2**-152): Q_8 = 1/9! + ... + s**3/12! in double (the next term,
    s**4/13!, is below 2**-74, Q_8's budget 2**-68), Q_7 .. Q_4 in double-double, Q_3 .. Q_0
    and the final product in triple-double (Q_3 = 1/4! + s Q_4 with the product in
    double-double: it is below 2**-17, its budget 2**-120). The series is cut after s**12/12!
    (the rest is below 2**-158 relative)."""
    q = fma(fma(fma(F12, s, F11), s, F10), s, F9)          # Q_8
    ph, pl = dd.two_prod(q, s)
    qh, ql = dd.add_fast(F8H, F8L, ph, pl)                  # Q_7
    ph, pl = dd.mul_d(qh, ql, s)
    qh, ql = dd.add_fast(F7H, F7L, ph, pl)                  # Q_6
    ph, pl = dd.mul_d(qh, ql, s)
    qh, ql = dd.add_fast(F6H, F6L, ph, pl)                  # Q_5
    ph, pl = dd.mul_d(qh, ql, s)
    qh, ql = dd.add_fast(F5H, F5L, ph, pl)                  # Q_4
    ph, pl = dd.mul_d(qh, ql, s)
    th, tm, tl = add33_fast_raw(F4H, F4M, F4L, ph, pl, 0.0)     # Q_3 = 1/4! + s Q_4
    ph, pm, pl = mul3d_raw(th, tm, tl, s)
    th, tm, tl = add33_fast_raw(F3H, F3M, F3L, ph, pm, pl)      # Q_2
    ph, pm, pl = mul3d_raw(th, tm, tl, s)
    th, tm, tl = add33_fast_raw(0.5, 0.0, 0.0, ph, pm, pl)      # Q_1
    ph, pm, pl = mul3d_raw(th, tm, tl, s)
    th, tm, tl = add33_fast_raw(1.0, 0.0, 0.0, ph, pm, pl)      # R = Q_0
    return mul3d(th, tm, tl, s)


@_jit
def exp_parts(x):
    """e**x = 2**k * T * (1 + V) for a float x in [-760, 1], with T = 2**(j/512) e**sigma (the
    table entry times a factor within 2**-54 of 1) and V = e**sh - 1, |sh| <= ln2/1024, both
    triple-doubles: returns (k, Th, Tm, Tl, Vh, Vm, Vl). T (1 + V) is within 2**-150 of
    e**x 2**-k, and V has a relative error below 2**-152; when j = k = 0 (|x| < ln2/1024),
    T = 1 and V = expm1_small(x) exactly, so that e**x - 1 = V keeps its relative accuracy for
    small x.

    Reduction: N = rint(x 512 / ln 2), k = N >> 9, j = N & 511, s = x - N ln2/512 =
    sh + sm + sl, the leading parts by TwoSums of the exact products N C1, N C2 and N C3
    (TwoProduct), so that |sm| <= 2**-55 and the whole is exact to 2**-160. Then
    e**s = e**sh (1 + sigma), sigma = e**(sm + sl) - 1 = sm + sl + sm**2/2 (the next term is below
    2**-166, and sigma = 0 when N = 0), and T = 2**(j/512) (1 + sigma)."""
    nf = rint(x * R_LN2_N)
    n = toi32(nf)
    k = n >> TABLE_BITS
    j = n & (TABLE_N - 1)
    sh, e0 = dd.two_sum(x, -(nf * C1))
    sh, e1 = dd.two_sum(sh, -(nf * C2))
    a, ae = dd.two_prod(nf, C3)
    sm, g0 = dd.two_sum(e0, e1)
    sm, g1 = dd.two_sum(sm, -a)
    sl = (g0 + g1) - (ae + nf * C4)
    vh, vm, vl = expm1_small(sh)
    gh, gl = dd.fast_two_sum(sm, fma(0.5 * sm, sm, sl))
    i = 3 * j
    th, tm, tl = EXP2_TABLE[i], EXP2_TABLE[i + 1], EXP2_TABLE[i + 2]
    ph, pl = dd.mul(gh, gl, th, tm)                         # T sigma, below 2**-53: 2**-104 of it
    th, tm, tl = add33_fast_raw(th, tm, tl, ph, pl, 0.0)
    return k, th, tm, tl, vh, vm, vl


# ---------------------------------------------------------------------------------------------
# The same e**x in double-double (relative error about 2**-104), for float32 logaddexp.

@_jit
def expm1_small_dd(s):
    """e**s - 1 for a float |s| <= 2**-10.5 as a double-double, relative error below 2**-103:
    s R(s) as in expm1_small, Q_5 = 1/6! + ... + s**3/9! in double (budget 2**-50; the next term
    is below 2**-60), Q_4 .. Q_0 in double-double (constants 1/5!, 1/4!, 1/3! as
    double-doubles)."""
    q = fma(fma(fma(F9, s, F8H), s, F7H), s, F6H)           # Q_5
    ph, pl = dd.two_prod(q, s)
    qh, ql = dd.add_fast(F5H, F5L, ph, pl)                  # Q_4
    ph, pl = dd.mul_d(qh, ql, s)
    qh, ql = dd.add_fast(F4H, F4M, ph, pl)                  # Q_3
    ph, pl = dd.mul_d(qh, ql, s)
    qh, ql = dd.add_fast(F3H, F3M, ph, pl)                  # Q_2
    ph, pl = dd.mul_d(qh, ql, s)
    qh, ql = dd.d_add_fast(0.5, ph, pl)                     # Q_1
    ph, pl = dd.mul_d(qh, ql, s)
    qh, ql = dd.d_add_fast(1.0, ph, pl)                     # R
    return dd.mul_d(qh, ql, s)


@_jit
def exp_parts_dd(x):
    """e**x = 2**k * T * (1 + V) for a float x in [-200, 1], T and V double-doubles (exp_parts
    to double-double precision): T (1 + V) within 2**-103 of e**x 2**-k, V of relative error
    below 2**-103, T = 1 and V = expm1_small_dd(x) when |x| < ln2/1024. Returns
    (k, Th, Tl, Vh, Vl, Tx): T = Th + Tl + Tx to 2**-116 (Tx, from the third part of the table
    entry, for callers that subtract 1 from 2**k T). s = x - N ln2/512 = sh + sl with
    |sl| <= 2**-58 (|N| < 2**18), and e**s = e**sh (1 + sl) to 2**-116."""
    nf = rint(x * R_LN2_N)
    n = toi32(nf)
    k = n >> TABLE_BITS
    j = n & (TABLE_N - 1)
    sh, e0 = dd.two_sum(x, -(nf * C1))
    sh, e1 = dd.two_sum(sh, -(nf * C2))
    sl = (e0 + e1) - nf * C3
    vh, vl = expm1_small_dd(sh)
    i = 3 * j
    th = EXP2_TABLE[i]
    tl = EXP2_TABLE[i + 1]
    tx = fma(th, sl, EXP2_TABLE[i + 2])
    return k, th, tl, vh, vl, tx
