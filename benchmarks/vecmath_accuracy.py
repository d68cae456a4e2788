"""Accuracy of compiler.vecmath against mpmath: max and mean error in ulp of every function in
float64 and float32, on random points spread over each function's domain, on the neighbourhoods
of its thresholds, and on its special values (which must match C99 bit for bit).

    python benchmarks/vecmath_accuracy.py [--points N] [--processes 2] [--only exp,log] [--quick]

writes benchmarks/results/vecmath_accuracy.json and docs/vecmath.md (unless --no-write).
N defaults to 1_000_000 random points per function and precision.

Method. The reference value r of each point is computed by mpmath from the exact input (a float
converts to an mpf without rounding) at 80 bits for float64 and 64 bits for float32, which is
11 to 40 bits more than needed: the error |y - r| / ulp(r) is then known to better than 2**-24 ulp.
ulp(r) = 2**(max(floor(log2 |r|), emin) - p + 1) with p = 53 / 24 and emin = -1022 / -126, so
subnormal results are measured in units of the smallest subnormal. Results that must overflow
(|r| >= the overflow threshold) count as exact when y is inf and as an infinite error otherwise;
an expected nan must be nan. Composite functions take their reference from mpmath expressions
without cancellation (sigmoid 1 / (1 + e**-x), softplus log1p(e**x)); logaddexp, whose result
can cancel (max + log1p(e**-|a - b|) near 0), is evaluated at 320 bits.
The vecmath results are computed in a plain (non-parallel) @njit loop over the points; mpmath
runs in --processes worker processes.
"""
from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

FUNCS = ["exp", "expm1", "log", "log1p", "exp2", "log2", "pow", "tanh", "sigmoid", "softplus",
         "logaddexp", "sin", "cos", "atan", "atan2", "erf", "erfc"]
ARITY = {"pow": 2, "logaddexp": 2, "atan2": 2}

# the targets of issue #15: max error in ulp
TARGET_F64 = {f: (1.0 if f in ("exp", "expm1", "log", "log1p", "exp2", "log2") else 2.0) for f in FUNCS}
TARGET_F32 = {f: 1.0 for f in FUNCS}

PREC = {"float64": 80, "float32": 64}


class Fmt:
    """The parameters of a float format."""

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)
        self.name = self.dtype.name
        fi = np.finfo(self.dtype)
        self.p = fi.nmant + 1                   # 53 / 24
        self.emin = int(fi.minexp)              # -1022 / -126
        self.emax = int(fi.maxexp)              # 1024 / 128
        self.sub = self.emin - self.p + 1       # -1074 / -149
        self.max = float(fi.max)
        self.tiny = float(fi.tiny)


F64, F32 = Fmt(np.float64), Fmt(np.float32)


# ---------------------------------------------------------------------------------------------
# References (run in the worker processes).

def _reference(name, args, mp):
    """mpmath's value of name(*args) for float args, as an mpf, or None when the result is nan."""
    import mpmath

    if any(a != a for a in args):
        return None
    x = [mpmath.mpf(a) for a in args]
    a = x[0]
    if name in ("sin", "cos", "tanh", "atan", "erf", "erfc", "exp", "expm1", "sigmoid", "softplus",
                "exp2") and mpmath.isinf(a):
        inf = mpmath.inf
        return {"sin": None, "cos": None, "tanh": mpmath.sign(a), "atan": mpmath.sign(a) * mp.pi / 2,
                "erf": mpmath.sign(a), "erfc": 1 - mpmath.sign(a), "exp": inf if a > 0 else 0,
                "expm1": inf if a > 0 else -1, "sigmoid": 1 if a > 0 else 0,
                "softplus": inf if a > 0 else 0, "exp2": inf if a > 0 else 0}[name]
    if name == "exp":
        return mp.exp(a)
    if name == "expm1":
        return mp.expm1(a)
    if name == "exp2":
        return mp.power(2, a)
    if name in ("log", "log2"):
        if a < 0:
            return None
        if a == 0:
            return -mpmath.inf
        if mpmath.isinf(a):
            return mpmath.inf
        return mp.log(a) if name == "log" else mp.log(a, 2)
    if name == "log1p":
        if a < -1:
            return None
        if a == -1:
            return -mpmath.inf
        if mpmath.isinf(a):
            return mpmath.inf
        return mp.log1p(a)
    if name == "tanh":
        return mp.tanh(a)
    if name == "sigmoid":
        return 1 / (1 + mp.exp(-a))
    if name == "softplus":
        return mp.log1p(mp.exp(a))
    if name == "sin":
        return mp.sin(a)
    if name == "cos":
        return mp.cos(a)
    if name == "atan":
        return mp.atan(a)
    if name == "erf":
        return mp.erf(a)
    if name == "erfc":
        return mp.erfc(a)
    b = x[1]
    finite = all(math.isfinite(v) for v in args)
    if name == "pow":
        if not finite or args[0] == 0 or args[1] == 0:
            with np.errstate(all="ignore"):
                return _from_float(np.power(np.float64(args[0]), np.float64(args[1])))
        if a < 0 and b != int(b):
            return None
        with mpmath.workprec(mp.prec + 64):     # mpmath's power keeps few guard bits
            return mp.power(a, b)
    if name == "atan2":
        if not finite or args[0] == 0 or args[1] == 0:
            with np.errstate(all="ignore"):
                return _from_float(np.arctan2(np.float64(args[0]), np.float64(args[1])), mp)
        return mp.atan2(a, b)
    if name == "logaddexp":
        if not finite:
            with np.errstate(all="ignore"):
                return _from_float(np.logaddexp(np.float64(args[0]), np.float64(args[1])))
        with mpmath.workprec(320):
            r = max(a, b) + mpmath.log1p(mpmath.exp(-abs(a - b)))
        return r
    raise ValueError(name)


def _from_float(v, mp=None):
    """An exact special value from numpy (nan -> None); multiples of pi recomputed in mpmath."""
    import mpmath

    v = float(v)
    if v != v:
        return None
    if mp is not None and v != 0 and math.isfinite(v):
        # atan2's special results are multiples of pi/4
        k = round(v / (math.pi / 4))
        return k * mp.pi / 4
    return mpmath.mpf(v)


def _ulp_errors(task):
    """Worker: (the error in ulp of each y against the reference, |reference| as a float (inf for
    nan and infinite results), the largest difference in ulp between the reference and the same
    reference at 100 more bits, on every 64th point). mpmath's precision is restored afterwards
    (the tests call this in their own process)."""
    import mpmath

    with mpmath.workprec(PREC[task[1]]):
        return _ulp_errors_at_precision(task)


def _ulp_errors_at_precision(task):
    import mpmath

    name, fmtname, args, y = task
    fmt = F64 if fmtname == "float64" else F32
    mp = mpmath.mp
    thresh = mpmath.mpf(2) ** fmt.emax * (1 - mpmath.mpf(2) ** (-fmt.p - 1))   # rounds to inf
    out = np.empty(len(y))
    absref = np.full(len(y), np.inf)
    refcheck = 0.0
    for i in range(len(y)):
        point = tuple(float(a[i]) for a in args)
        r = _reference(name, point, mp)
        yi = float(y[i])
        if r is not None:
            absref[i] = float(abs(r)) if not mpmath.isinf(r) else math.inf
        if r is None:
            out[i] = 0.0 if yi != yi else math.inf
            continue
        if yi != yi:
            out[i] = math.inf
            continue
        if mpmath.isinf(r) or abs(r) >= thresh:
            out[i] = 0.0 if (math.isinf(yi) and (yi > 0) == (r > 0)) else math.inf
            continue
        if math.isinf(yi):
            out[i] = math.inf
            continue
        if r == 0:
            out[i] = abs(yi) / 2.0 ** fmt.sub
            continue
        _, e = mpmath.frexp(r)                  # |r| in [2**(e-1), 2**e)
        ulp = mpmath.ldexp(1, max(int(e) - 1, fmt.emin) - fmt.p + 1)
        out[i] = float(abs(mpmath.mpf(yi) - r) / ulp)
        if i % 64 == 0:
            with mpmath.workprec(mp.prec + 100):
                r2 = _reference(name, point, mpmath.mp)
            refcheck = max(refcheck, float(abs(r2 - r) / ulp))
    return out, absref, refcheck


# ---------------------------------------------------------------------------------------------
# Points.

def _loguniform(rng, n, lo, hi, signed=True):
    x = np.exp2(rng.uniform(lo, hi, n))
    if signed:
        x = x * rng.choice([-1.0, 1.0], n)
    return x


def _mix(rng, n, parts):
    """parts: list of (weight, callable(rng, k) -> array)."""
    total = sum(w for w, _ in parts)
    chunks, left = [], n
    for j, (w, f) in enumerate(parts):
        k = left if j == len(parts) - 1 else int(round(n * w / total))
        k = min(k, left)
        left -= k
        chunks.append(f(rng, k))
    return np.concatenate(chunks)


def _finite(x, fmt):
    """Cast to the format, dropping points that overflowed."""
    with np.errstate(over="ignore", invalid="ignore"):
        x = np.asarray(x, dtype=np.float64).astype(fmt.dtype)
    return x


def sample(name, fmt, n, seed=0):
    """n random inputs for name in format fmt, spread over the whole domain: uniform over the
    interesting range, log-uniform in magnitude over the whole exponent range, and extra points
    where the function is delicate."""
    rng = np.random.default_rng([seed, FUNCS.index(name), fmt.p])
    d64 = fmt.p == 53
    sub, emax = fmt.sub, fmt.emax
    over = 709.79 if d64 else 88.73          # exp overflow
    under = -745.2 if d64 else -103.98       # exp underflows to 0
    big = lambda lo=sub, hi=emax, signed=True: (lambda r, k: _loguniform(r, k, lo, hi - 1e-9, signed))
    uni = lambda a, b: (lambda r, k: r.uniform(a, b, k))
    if name in ("exp", "sigmoid"):
        lo = under if name == "exp" else under - 2
        hi = over if name == "exp" else 40.0
        x = _mix(rng, n, [(4, uni(lo, hi)), (4, big(sub, 10.5)), (2, uni(-1, 1))])
    elif name == "expm1":
        x = _mix(rng, n, [(3, uni(-40, over)), (5, big(sub, 10.5)), (2, uni(-1, 1))])
    elif name == "exp2":
        x = _mix(rng, n, [(4, uni(sub - 1, emax)), (4, big(sub, 11)), (2, uni(-1, 1))])
    elif name in ("log", "log2"):
        x = _mix(rng, n, [(6, big(sub, emax, False)), (2, uni(0.5, 2)),
                          (1, lambda r, k: 1 + _loguniform(r, k, -fmt.p - 2, -1)), (1, uni(0, 100))])
    elif name == "log1p":
        x = _mix(rng, n, [(4, big(sub, emax, False)), (2, lambda r, k: -_loguniform(r, k, sub, 0, False)),
                          (2, uni(-1, 1)), (1, lambda r, k: -1 + _loguniform(r, k, -fmt.p, -1, False)),
                          (1, uni(-1, 10))])
    elif name == "tanh":
        sat = 20.0 if d64 else 9.5
        x = _mix(rng, n, [(4, uni(-sat, sat)), (4, big(sub, 10)), (2, uni(-1, 1))])
    elif name == "softplus":
        x = _mix(rng, n, [(3, uni(under - 2, 40)), (3, big(sub, emax)), (4, uni(-40, 40))])
    elif name in ("sin", "cos"):
        def near_pio2(r, k):
            m = np.floor(_loguniform(r, k, 0, 30 if d64 else 16, False))
            return m * (np.pi / 2) * (1 + r.uniform(-1, 1, k) * 2.0 ** -fmt.p) * r.choice([-1, 1], k)
        x = _mix(rng, n, [(4, big(sub, emax)), (2, uni(-10, 10)), (2, uni(-1e6, 1e6)),
                          (1, near_pio2), (1, uni(-0.8, 0.8))])
    elif name == "atan":
        x = _mix(rng, n, [(5, big(sub, emax)), (3, uni(-10, 10)), (2, uni(-1, 1))])
    elif name == "erf":
        x = _mix(rng, n, [(5, uni(-6.5, 6.5) if d64 else uni(-4.5, 4.5)), (3, big(sub, 4)), (2, uni(-1, 1))])
    elif name == "erfc":
        hi = 27.5 if d64 else 10.2
        x = _mix(rng, n, [(5, uni(-6, hi)), (3, big(sub, 5)), (2, uni(-1, 3))])
    elif name == "pow":
        def by_result(r, k):              # |y log2 x| up to beyond the overflow/underflow limits
            x = _loguniform(r, k, sub, emax, False)
            t = r.uniform(sub - 5, emax + 5, k)
            return np.stack([x, t / np.log2(x)])

        def small_range(r, k):
            return np.stack([r.uniform(0, 4, k), r.uniform(-50, 50, k)])

        def negative_int(r, k):
            x = -_loguniform(r, k, -20, 20, False)
            lim = np.floor((emax - 1) / np.abs(np.log2(-x)))
            return np.stack([x, np.round(r.uniform(-1, 1, k) * np.minimum(lim, 2.0 ** 40))])

        def near_one(r, k):
            x = 1 + _loguniform(r, k, -fmt.p, -1)
            return np.stack([x, _loguniform(r, k, 0, 60 if d64 else 30)])

        xy = _mix2(rng, n, [(4, by_result), (2, small_range), (2, negative_int), (2, near_one)])
        return tuple(_finite(v, fmt) for v in xy)
    elif name == "atan2":
        def both(r, k):
            return np.stack([_loguniform(r, k, sub, emax), _loguniform(r, k, sub, emax)])

        def box(r, k):
            return np.stack([r.uniform(-10, 10, k), r.uniform(-10, 10, k)])

        def ratio(r, k):
            x = _loguniform(r, k, sub + 60, emax - 60)
            return np.stack([x * _loguniform(r, k, -60, 60), x])

        xy = _mix2(rng, n, [(4, both), (3, box), (3, ratio)])
        return tuple(_finite(v, fmt) for v in xy)
    elif name == "logaddexp":
        def near(r, k):
            a = r.uniform(under - 50, -under + 50, k)
            return np.stack([a, a + _loguniform(r, k, -60 if d64 else -30, 10)])

        def box(r, k):
            return np.stack([r.uniform(-50, 50, k), r.uniform(-50, 50, k)])

        def wide(r, k):
            return np.stack([_loguniform(r, k, sub, emax), _loguniform(r, k, sub, emax)])

        def cancel(r, k):                 # e**a + e**b close to 1: the result is close to 0
            a = -_loguniform(r, k, -30, 5, False)
            with np.errstate(divide="ignore"):
                b = np.log(-np.expm1(a)) * (1 + r.uniform(-1, 1, k) * 2.0 ** -r.uniform(10, 60, k))
            return np.stack([a, b])

        xy = _mix2(rng, n, [(4, near), (3, box), (1.5, wide), (1.5, cancel)])
        return tuple(_finite(v, fmt) for v in xy)
    else:
        raise ValueError(name)
    return (_finite(x, fmt),)


def _mix2(rng, n, parts):
    total = sum(w for w, _ in parts)
    chunks, left = [], n
    for j, (w, f) in enumerate(parts):
        k = left if j == len(parts) - 1 else min(left, int(round(n * w / total)))
        left -= k
        chunks.append(f(rng, k))
    return np.concatenate(chunks, axis=1)


def _around(center, fmt, k=16):
    """2k + 1 consecutive floats of the format centred on center."""
    c = fmt.dtype.type(center)
    out = [c]
    lo = hi = c
    with np.errstate(over="ignore"):
        for _ in range(k):
            lo = np.nextafter(lo, fmt.dtype.type(-np.inf))
            hi = np.nextafter(hi, fmt.dtype.type(np.inf))
            out += [lo, hi]
    return out


def edges(name, fmt):
    """Inputs around the thresholds of name: overflow, underflow, the start of the subnormal
    range, saturation, the ends of the intervals of the approximations."""
    d64 = fmt.p == 53
    ln = math.log
    mx, tiny, sub = fmt.max, fmt.tiny, 2.0 ** fmt.sub
    C = {
        "exp": [ln(mx), ln(tiny), ln(sub), ln(sub) - ln(2), 0.0, 1.0, -1.0],
        "expm1": [ln(mx), -36.7368005696771 if d64 else -16.635532, 0.0, 1e-8, -1e-8],
        "exp2": [fmt.emax, fmt.emin, fmt.sub, fmt.sub - 1, 0.0, 0.5],
        "log": [1.0, tiny, sub, mx, 0.75, 1.5],
        "log2": [1.0, tiny, sub, mx, 0.75, 1.5, 2.0],
        "log1p": [0.0, -1 + 2.0 ** -fmt.p, mx, 1e-8, -1e-8, 0.5, -0.25],
        "tanh": [19.06 if d64 else 9.01, 0.0, 1e-8, 0.55],
        "sigmoid": [ln(tiny), ln(sub), ln(sub) - ln(2), 36.7 if d64 else 16.6, 0.0],
        "softplus": [ln(tiny), ln(sub), ln(sub) - ln(2), 40.0, 36.7 if d64 else 16.6, 0.0, ln(mx)],
        "sin": [math.pi / 4, math.pi / 2, math.pi, 1e22 if d64 else 1e9, 2.0 ** (fmt.emax - 1), 0.0,
                6381956970095103.0 * 2.0 ** 797 if d64 else 7.729178919452902e+28],
        "cos": [math.pi / 4, math.pi / 2, math.pi, 1e22 if d64 else 1e9, 2.0 ** (fmt.emax - 1), 0.0,
                6381956970095103.0 * 2.0 ** 797 if d64 else 7.729178919452902e+28],
        "atan": [1.0, 0.0, 2.0 ** (fmt.p + 1), 1e-8],
        "erf": [2.5, 6.0 if d64 else 4.0, 1e-8, 0.0, 1.0],
        "erfc": [1.0, 2.2, 4.2 if d64 else 4.3, 26.55 if d64 else 9.2, 27.2 if d64 else 10.05, 0.0],
    }
    if name in C:
        pts = [v for c in C[name] for v in _around(c, fmt)]
        pts += [-v for v in pts]
        return (np.array(pts, dtype=fmt.dtype),)
    if name == "pow":
        xs, ys = [], []
        for y in _around(fmt.emax - 1e-7 if d64 else fmt.emax - 1e-3, fmt) + _around(fmt.sub, fmt) + \
                _around(fmt.emin, fmt):
            xs.append(2.0)
            ys.append(y)
        for x in _around(1.0, fmt):
            xs.append(x)
            ys.append(1e15 if d64 else 1e6)
        return (np.array(xs, fmt.dtype), np.array(ys, fmt.dtype))
    if name == "atan2":
        xs = _around(5.5626846462680083984e-309 if d64 else 2.9387372783541830947e-39, fmt)
        return (np.array([1.0] * len(xs) + [1e-300 if d64 else 1e-30] * len(xs), fmt.dtype),
                np.array(xs + xs, fmt.dtype))
    if name == "logaddexp":
        a = _around(0.0, fmt) + _around(700.0, fmt)
        return (np.array(a, fmt.dtype), np.array([0.0] * 33 + [700.0] * 33, fmt.dtype))
    raise ValueError(name)


# ---------------------------------------------------------------------------------------------
# Special values: (args, expected), expected exact (bit for bit, nan for any nan). A string
# expected "pi*k" means k * pi rounded to the format.

INF, NAN = math.inf, math.nan

SPECIAL_CASES = {
    "exp": [((0.0,), 1.0), ((-0.0,), 1.0), ((INF,), INF), ((-INF,), 0.0), ((NAN,), NAN),
            ((1000.0,), INF), ((-1000.0,), 0.0)],
    "expm1": [((0.0,), 0.0), ((-0.0,), -0.0), ((INF,), INF), ((-INF,), -1.0), ((NAN,), NAN),
              ((1000.0,), INF), ((-1000.0,), -1.0)],
    "log": [((1.0,), 0.0), ((0.0,), -INF), ((-0.0,), -INF), ((-1.0,), NAN), ((-INF,), NAN),
            ((INF,), INF), ((NAN,), NAN)],
    "log1p": [((0.0,), 0.0), ((-0.0,), -0.0), ((-1.0,), -INF), ((-2.0,), NAN), ((INF,), INF),
              ((-INF,), NAN), ((NAN,), NAN)],
    "exp2": [((0.0,), 1.0), ((-0.0,), 1.0), ((INF,), INF), ((-INF,), 0.0), ((NAN,), NAN),
             ((1.0,), 2.0), ((-1.0,), 0.5), ((10.0,), 1024.0), ((5000.0,), INF), ((-5000.0,), 0.0)],
    "log2": [((1.0,), 0.0), ((0.0,), -INF), ((-0.0,), -INF), ((-1.0,), NAN), ((INF,), INF),
             ((-INF,), NAN), ((NAN,), NAN), ((2.0,), 1.0), ((0.5,), -1.0), ((1024.0,), 10.0)],
    "pow": [((NAN, 0.0), 1.0), ((NAN, -0.0), 1.0), ((INF, 0.0), 1.0), ((-INF, -0.0), 1.0),
            ((0.0, 0.0), 1.0), ((-2.0, 0.0), 1.0), ((1.0, NAN), 1.0), ((1.0, INF), 1.0),
            ((1.0, -INF), 1.0), ((1.0, 3.7), 1.0), ((-1.0, INF), 1.0), ((-1.0, -INF), 1.0),
            ((0.0, -3.0), INF), ((-0.0, -3.0), -INF), ((-0.0, -1.0), -INF), ((0.0, -INF), INF),
            ((-0.0, -INF), INF), ((0.0, -2.0), INF), ((-0.0, -2.0), INF), ((-0.0, -0.5), INF),
            ((-0.0, 3.0), -0.0), ((0.0, 3.0), 0.0), ((-0.0, 2.0), 0.0), ((-0.0, 0.5), 0.0),
            ((-0.0, INF), 0.0), ((0.0, INF), 0.0), ((-2.0, 0.5), NAN), ((-8.0, 1.0 / 3.0), NAN),
            ((0.5, -INF), INF), ((-0.5, -INF), INF), ((2.0, -INF), 0.0), ((-2.0, -INF), 0.0),
            ((0.5, INF), 0.0), ((-0.5, INF), 0.0), ((2.0, INF), INF), ((-2.0, INF), INF),
            ((-INF, -3.0), -0.0), ((-INF, -2.0), 0.0), ((-INF, -0.5), 0.0), ((-INF, 3.0), -INF),
            ((-INF, 2.0), INF), ((-INF, 0.5), INF), ((INF, -1.0), 0.0), ((INF, -0.5), 0.0),
            ((INF, 0.5), INF), ((INF, 3.0), INF), ((NAN, 1.0), NAN), ((2.0, NAN), NAN),
            ((NAN, NAN), NAN), ((-2.0, 3.0), -8.0), ((-2.0, 2.0), 4.0), ((-2.0, -1.0), -0.5),
            ((-0.5, 2.0), 0.25), ((2.0, 5000.0), INF), ((2.0, -5000.0), 0.0),
            ((-2.0, 5001.0), -INF), ((-2.0, -5001.0), -0.0), ((3.0, 2.0), 9.0), ((4.0, 0.5), 2.0)],
    "tanh": [((0.0,), 0.0), ((-0.0,), -0.0), ((INF,), 1.0), ((-INF,), -1.0), ((NAN,), NAN),
             ((50.0,), 1.0), ((-50.0,), -1.0)],
    "sigmoid": [((0.0,), 0.5), ((-0.0,), 0.5), ((INF,), 1.0), ((-INF,), 0.0), ((NAN,), NAN),
                ((1000.0,), 1.0), ((-1000.0,), 0.0)],
    "softplus": [((INF,), INF), ((-INF,), 0.0), ((NAN,), NAN), ((-1000.0,), 0.0), ((1e30,), 1e30)],
    "logaddexp": [((-INF, -INF), -INF), ((INF, INF), INF), ((INF, -INF), INF), ((-INF, INF), INF),
                  ((1.5, -INF), 1.5), ((-INF, 2.0), 2.0), ((-0.0, -INF), 0.0), ((NAN, 1.0), NAN),
                  ((1.0, NAN), NAN), ((INF, NAN), NAN), ((NAN, -INF), NAN), ((INF, 3.0), INF),
                  ((-3.0, INF), INF), ((1e30, 1e30), 1e30)],
    "sin": [((0.0,), 0.0), ((-0.0,), -0.0), ((INF,), NAN), ((-INF,), NAN), ((NAN,), NAN)],
    "cos": [((0.0,), 1.0), ((-0.0,), 1.0), ((INF,), NAN), ((-INF,), NAN), ((NAN,), NAN)],
    "atan": [((0.0,), 0.0), ((-0.0,), -0.0), ((INF,), "pi*0.5"), ((-INF,), "pi*-0.5"),
             ((NAN,), NAN)],
    "atan2": [((0.0, -0.0), "pi*1"), ((-0.0, -0.0), "pi*-1"), ((0.0, 0.0), 0.0),
              ((-0.0, 0.0), -0.0), ((0.0, -1.0), "pi*1"), ((-0.0, -1.0), "pi*-1"),
              ((0.0, 1.0), 0.0), ((-0.0, 1.0), -0.0), ((-1.0, 0.0), "pi*-0.5"),
              ((-1.0, -0.0), "pi*-0.5"), ((1.0, 0.0), "pi*0.5"), ((1.0, -0.0), "pi*0.5"),
              ((1.0, -INF), "pi*1"), ((-1.0, -INF), "pi*-1"), ((1.0, INF), 0.0),
              ((-1.0, INF), -0.0), ((INF, 1.0), "pi*0.5"), ((-INF, 1.0), "pi*-0.5"),
              ((INF, -1.0), "pi*0.5"), ((INF, -INF), "pi*0.75"), ((-INF, -INF), "pi*-0.75"),
              ((INF, INF), "pi*0.25"), ((-INF, INF), "pi*-0.25"), ((0.0, -INF), "pi*1"),
              ((-0.0, INF), -0.0), ((NAN, 1.0), NAN), ((1.0, NAN), NAN), ((NAN, NAN), NAN),
              ((INF, NAN), NAN)],
    "erf": [((0.0,), 0.0), ((-0.0,), -0.0), ((INF,), 1.0), ((-INF,), -1.0), ((NAN,), NAN),
            ((10.0,), 1.0), ((-10.0,), -1.0)],
    "erfc": [((0.0,), 1.0), ((-0.0,), 1.0), ((INF,), 0.0), ((-INF,), 2.0), ((NAN,), NAN),
             ((30.0,), 0.0), ((-30.0,), 2.0)],
}

# format-specific special values (thresholds)
SPECIAL_CASES_F64 = {
    "exp": [((709.79,), INF), ((-745.14,), 0.0), ((-745.13,), 5e-324), ((-744.44,), 5e-324)],
    "exp2": [((1024.0,), INF), ((-1074.0,), 5e-324), ((-1075.0,), 0.0), ((-1022.0,), 2.0 ** -1022),
             ((1023.0,), 2.0 ** 1023)],
    "log2": [((5e-324,), -1074.0), ((2.0 ** -1022,), -1022.0), ((2.0 ** 1023,), 1023.0)],
    "pow": [((2.0, 1024.0), INF), ((2.0, -1074.0), 5e-324), ((2.0, -1075.0), 0.0),
            ((-2.0, 1025.0), -INF), ((-2.0, -1075.0), -0.0), ((2.0, 1023.0), 2.0 ** 1023)],
    "expm1": [((709.79,), INF)],
}
SPECIAL_CASES_F32 = {
    "exp": [((88.73,), INF), ((-104.0,), 0.0)],
    "exp2": [((128.0,), INF), ((-149.0,), 2.0 ** -149), ((-150.0,), 0.0), ((-126.0,), 2.0 ** -126),
             ((127.0,), 2.0 ** 127)],
    "log2": [((2.0 ** -149,), -149.0), ((2.0 ** -126,), -126.0), ((2.0 ** 127,), 127.0)],
    "pow": [((2.0, 128.0), INF), ((2.0, -149.0), 2.0 ** -149), ((2.0, -150.0), 0.0),
            ((-2.0, 129.0), -INF), ((-2.0, -151.0), -0.0), ((2.0, 127.0), 2.0 ** 127)],
    "expm1": [((88.73,), INF)],
}


def special_cases(name, fmt):
    extra = (SPECIAL_CASES_F64 if fmt.p == 53 else SPECIAL_CASES_F32).get(name, [])
    out = []
    for args, want in SPECIAL_CASES[name] + extra:
        if isinstance(want, str):
            want = float(fmt.dtype.type(float(want.split("*")[1]) * math.pi))
        out.append((tuple(fmt.dtype.type(a) for a in args), fmt.dtype.type(want)))
    return out


def same(y, want):
    """Bit-for-bit equality, any nan matching any nan."""
    if want != want:
        return y != y
    return np.asarray(y).tobytes() == np.asarray(want).tobytes()


# ---------------------------------------------------------------------------------------------
# The vecmath side.

_KERNELS = {}


class Kernel:
    """A plain @njit loop applying vecmath's name to arrays of fmt; .dispatcher is the njit
    function (its LLVM IR and assembly can be inspected)."""

    def __init__(self, name, fmt):
        import importlib

        import numba

        f = getattr(importlib.import_module("compiler.vecmath." + ("f64" if fmt.p == 53 else "f32")), name)
        self.fmt = fmt
        if ARITY.get(name, 1) == 1:
            @numba.njit
            def k1(x, out):
                for i in range(x.size):
                    out[i] = f(x[i])
            self.dispatcher = k1
        else:
            @numba.njit
            def k2(x, y, out):
                for i in range(x.size):
                    out[i] = f(x[i], y[i])
            self.dispatcher = k2

    def __call__(self, *args):
        out = np.empty(args[0].size, dtype=self.fmt.dtype)
        self.dispatcher(*[np.ascontiguousarray(a, dtype=self.fmt.dtype) for a in args], out)
        return out


def kernel(name, fmt):
    key = (name, fmt.name)
    if key not in _KERNELS:
        _KERNELS[key] = Kernel(name, fmt)
    return _KERNELS[key]


# logaddexp: where |result| < CANCEL, max(a, b) and log1p(e**-|a - b|) cancel; there the error is
# reported as an absolute error (see docs/vecmath.md)
CANCEL = 2.0 ** -10


def _ulp_of(absref, fmt):
    e = np.floor(np.log2(np.maximum(absref, 2.0 ** fmt.sub)))
    return np.exp2(np.maximum(e, fmt.emin) - fmt.p + 1)


def measure(name, fmt, points, pool=None, chunk=20000, seed=0):
    """Error statistics of name in fmt: random points, edges, special values."""
    f = kernel(name, fmt)
    args_random = sample(name, fmt, points, seed)
    args_edges = edges(name, fmt)
    y_random = f(*args_random)
    y_edges = f(*args_edges)
    tasks = []
    for args, y in ((args_random, y_random), (args_edges, y_edges)):
        for s in range(0, len(y), chunk):
            tasks.append((name, fmt.name, [a[s:s + chunk] for a in args], y[s:s + chunk]))
    results = list(pool.imap(_ulp_errors, tasks)) if pool else [_ulp_errors(t) for t in tasks]
    refcheck = max(r[2] for r in results)
    n_random_chunks = -(-len(y_random) // chunk)
    err = np.concatenate([r[0] for r in results])
    absref = np.concatenate([r[1] for r in results])
    is_random = np.arange(len(err)) < len(y_random)
    special_fail = []
    for args, want in special_cases(name, fmt):
        got = f(*[np.array([a], fmt.dtype) for a in args])[0]
        if not same(got, want):
            special_fail.append({"args": [repr(float(a)) for a in args], "want": repr(float(want)),
                                 "got": repr(float(got))})
    out = {}
    cancel = (absref < CANCEL) if name == "logaddexp" else np.zeros(len(err), bool)
    if cancel.any():
        abserr = err[cancel] * _ulp_of(absref[cancel], fmt)
        out["cancellation"] = {
            "where": f"|result| < 2**{int(math.log2(CANCEL))}",
            "points": int(cancel.sum()),
            "max_ulp": float(err[cancel].max()),
            "mean_ulp": float(err[cancel].mean()),
            "min_abs_result": float(np.min(absref[cancel][absref[cancel] > 0], initial=np.inf)),
            "worst_input": [repr(float(a[np.flatnonzero(cancel)[np.argmax(err[cancel])]]))
                            for a in [np.concatenate([r, e]) for r, e in zip(args_random, args_edges)]],
            "max_abs_error": float(abserr.max()),
            "max_abs_error_log2": float(np.log2(abserr.max())) if abserr.max() > 0 else -math.inf,
        }
        # the smallest |result| above which every point of the region meets the target
        tgt = (TARGET_F64 if fmt.p == 53 else TARGET_F32)[name]
        order = np.argsort(-absref[cancel])
        bad = np.flatnonzero(err[cancel][order] > tgt)
        out["cancellation"]["target_met_above"] = (float(absref[cancel][order][bad[0]]) if len(bad)
                                                   else 0.0)
    keep = ~cancel
    allerr = err[keep]
    rnd = err[keep & is_random]
    edg = err[keep & ~is_random]
    worst = int(np.flatnonzero(keep)[np.argmax(allerr)])
    args_all = [np.concatenate([a, e]) for a, e in zip(args_random, args_edges)]
    out.update({
        "points": int(len(y_random)),
        "edge_points": int(len(y_edges)),
        "max_ulp": float(allerr.max()),
        "max_ulp_random": float(rnd.max()) if len(rnd) else 0.0,
        "max_ulp_edges": float(edg.max()) if len(edg) else 0.0,
        "mean_ulp": float(rnd.mean()) if len(rnd) else 0.0,
        "worst_input": [repr(float(a[worst])) for a in args_all],
        "reference_check_ulp": refcheck,
        "special_values": len(special_cases(name, fmt)),
        "special_failures": special_fail,
    })
    return out


# ---------------------------------------------------------------------------------------------

def _markdown(res, meta):
    lines = ["# compiler.vecmath: accuracy", "",
             "Branch-free float64 and float32 versions of 17 math functions, written so that LLVM",
             "vectorises loops that call them inside Numba kernels (`compiler/vecmath/`; how to",
             "call them: the docstring of `compiler/vecmath/__init__.py`; speed:",
             "`benchmarks/results/vecmath_speed.md`).", "",
             "## Measured error", "",
             f"Measured by `benchmarks/vecmath_accuracy.py` on {meta['points']:,} random points per "
             f"function and precision (plus {meta['edge_note']}), against mpmath "
             f"{meta['mpmath']}; {meta['date']}. Error in ulp of the exact result (max over all points; "
             "mean over the random points); targets of issue "
             "#15: float64 1 ulp for exp, expm1, log, log1p, exp2, log2 and 2 ulp for the others, "
             "float32 1 ulp for all. The one-argument float32 functions were also run on every float32 "
             "input (`--exhaustive-f32`; reference: the float64 function of the same name, within 1 ulp "
             "of float64, i.e. within 2^-29 ulp of float32). \"special\" counts the special values "
             "(C99 Annex F: signed zeros, infinities, nan, thresholds) that match bit for bit.", "",
             "| function | f64 max ulp | f64 mean ulp | f64 target | f32 max ulp | f32 mean ulp | f32 max ulp, all 2^32 inputs | f32 target | special f64 / f32 |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]

    def mark(x, tgt):
        return (f"{x:.3f}" if x < 1000 else f"{x:.2g}") + ("" if x <= tgt else " **(over)**")

    def sp(r):
        return f"{r['special_values'] - len(r['special_failures'])}/{r['special_values']}"

    for f in FUNCS:
        a, b = res["float64"].get(f), res["float32"].get(f)
        if a is None or b is None:
            continue
        label = f if "cancellation" not in a else f"{f} (\\|result\\| >= 2^-10)"
        exh = (mark(b["exhaustive"]["max_ulp"], TARGET_F32[f]) if "exhaustive" in b
               else "(2 arguments)" if ARITY.get(f, 1) == 2 else "not run")
        lines.append(f"| {label} | {mark(a['max_ulp'], TARGET_F64[f])} | {a['mean_ulp']:.4f} | {TARGET_F64[f]:g} | "
                     f"{mark(b['max_ulp'], TARGET_F32[f])} | {b['mean_ulp']:.4f} | {exh} | {TARGET_F32[f]:g} | "
                     f"{sp(a)} / {sp(b)} |")
        if "cancellation" in a:
            ca, cb = a["cancellation"], b["cancellation"]
            lines.append(f"| {f} (\\|result\\| < 2^-10) | {mark(ca['max_ulp'], TARGET_F64[f])} | "
                         f"{ca['mean_ulp']:.4f} | {TARGET_F64[f]:g} | "
                         f"{mark(cb['max_ulp'], TARGET_F32[f])} | {cb['mean_ulp']:.4f} | (2 arguments) | "
                         f"{TARGET_F32[f]:g} | |")
    lines += ["", "Worst inputs found (the argument giving the max error) are in "
              "`benchmarks/results/vecmath_accuracy.json`. The reference itself was checked on every 64th "
              "point against mpmath at 100 more bits: the largest difference was "
              f"{max(r['reference_check_ulp'] for p in res.values() for r in p.values()):.1e} ulp.", ""]
    if "cancellation" in res["float64"].get("logaddexp", {}):
        ca, cb = res["float64"]["logaddexp"]["cancellation"], res["float32"]["logaddexp"]["cancellation"]
        met64, met32 = ca["max_ulp"] <= TARGET_F64["logaddexp"], cb["max_ulp"] <= TARGET_F32["logaddexp"]
        verdict = ("the target is met there in both precisions" if met64 and met32 else
                   "the target is NOT met there in " + " and ".join(
                       p for p, ok in (("float64", met64), ("float32", met32)) if not ok)
                   + f" (it holds for |result| > {ca['target_met_above']:.3g} in float64, "
                   f"> {cb['target_met_above']:.3g} in float32)")
        lines += ["### logaddexp where it cancels", "",
                  "log(e^a + e^b) = max(a, b) + log1p(e^-|a - b|) is close to 0 when e^a + e^b is close to 1 "
                  "(a, b < 0, e.g. a = log p, b = log(1 - p)): the two terms cancel. The fast path computes "
                  "them in double-double (relative error about 2^-60), which is not enough there; so where "
                  "|result| < |max(a, b)| / 32, logaddexp selects an accurate path: log1p(u) with "
                  "u = e^a + e^b - 1 = e^min + (e^max - 1) in triple-double (`compiler/vecmath/_td.py`, "
                  "error below about 2^-149 (1 - e^max)). That meets the float64 target (2 ulp) wherever "
                  "|u| >= 2^-95 (1 - e^max), i.e. unless b is within about 2^-42 ulp of the exact "
                  "cancellation point for the given a: pairs that close exist (heuristically a fraction "
                  "2^-42 of the nearest pairs) but none was found by random sampling or by a search "
                  "(`tests/test_vecmath.py` has the closest pairs of a search over 1.2e7 values of a, "
                  "|u| down to 2^-75 (1 - e^max)). "
                  "float32 logaddexp computes in float64 (the same fast path; the accurate path in "
                  "double-double, error below about 2^-102 (1 - e^max), enough for float32 inputs) and "
                  "rounds once. Both paths are "
                  "always computed (branch-free), so logaddexp costs about as much as the fast path plus "
                  "two triple-double exponentials (float64: about 6 times the time of the fast path alone; "
                  "float32: about 5 times). Measured on the points "
                  "with |result| < 2^-10 "
                  f"({ca['points']:,} float64, {cb['points']:,} float32, mostly from a sample drawn to hit "
                  "this region: a = -x with x log-uniform in [2^-30, 32], b = log(-expm1(a)) times "
                  "1 + U(-1, 1) 2^-U(10, 60); smallest |result| "
                  f"{ca['min_abs_result']:.3g} in float64, {cb['min_abs_result']:.3g} in float32): max error "
                  f"{ca['max_ulp']:.3f} ulp (float64) and {cb['max_ulp']:.3f} ulp (float32), mean "
                  f"{ca['mean_ulp']:.4f} and {cb['mean_ulp']:.4f}; {verdict}."]
        scan = res["float32"]["logaddexp"].get("cancellation_scan")
        if scan:
            lines[-1] += (f" float32 was also run on every float32 a in [-0.72, -2^-149] with the three "
                          f"float32 b nearest the cancellation point ({scan['pairs']:,} pairs, "
                          f"`--scan-f32-logaddexp`; reference: the float64 function, whose 2-ulp bound "
                          f"holds there since the smallest |result| / (1 - e^a) met is "
                          f"2^{scan['min_result_ratio_log2']:.1f}, far above 2^-95): max error "
                          f"{scan['max_ulp']:.3f} ulp, at a, b = {scan['worst_input'][0]}, {scan['worst_input'][1]}.")
        lines.append("")
    lines.append(METHOD_MD)
    return "\n".join(lines) + "\n"


METHOD_MD = """## Method

* Points: for each function and precision, random inputs mixing a uniform distribution over the
  interesting range (e.g. exp: from the underflow to the overflow threshold), a log-uniform
  distribution of the magnitude over the whole exponent range with both signs (subnormals
  included), and the delicate regions (log near 1, log1p near -1, sin/cos near multiples of
  pi/2 and at huge arguments, pow with |y log2 x| beyond the overflow and underflow limits and
  negative bases with integer exponents, logaddexp where the result cancels to near 0); plus the
  33 consecutive floats around each threshold (overflow, underflow, start of the subnormal
  range, saturation, the interval ends of the approximations, the double closest to a multiple
  of pi/2, 6381956970095103 * 2**797, and the float closest to one, 7.729179e28, found by a scan
  of all floats with the float64 reduction, `--scan-f32-trig`).
* Reference: mpmath at 80 bits (float64) or 64 bits (float32) from the exact input; error
  |y - r| / ulp(r), ulp(r) = 2**(max(floor(log2|r|), emin) - p + 1), so subnormal results are
  measured in units of the smallest subnormal. Overflow must give inf, nan results nan.
* Special values: a fixed list per function (C99 Annex F.9/F.10 for pow and atan2 in full) that
  must match bit for bit, signed zeros included; also run by `tests/test_vecmath.py`.

## Sources

* SLEEF (Naoki Shibata and contributors, Boost Software License 1.0), `src/libm/sleefsimddp.c`
  and `sleefsimdsp.c`: algorithms and polynomial coefficients of exp, expm1, log, log1p, exp2,
  log2, pow, the sin/cos kernel polynomials, atan/atan2, erf and erfc (their 1.0-ulp "u10"/"u1"
  variants and erfc "u15"), and the double-double/float-float operations of `src/common/dd.h`
  and `df.h`. Re-expressed as branch-free scalar Numba code; SLEEF's branches that skip work
  when all vector lanes are in range became selects.
* Own: the sin/cos argument reduction (Payne-Hanek with windows of 2/pi aligned on fixed bit
  positions and a TwoSum-based accumulation, tables built from a 1344-bit value of 2/pi), tanh
  via a double-double expm1, sigmoid, softplus and logaddexp via a double-double exp and a
  double-double log1p (and, where logaddexp cancels, e^a + e^b - 1 in triple-double with a
  table-driven triple-double exp, `compiler/vecmath/_td.py`; float32 logaddexp computes in
  float64 and rounds once), the exponent-field reduction of log1p that is valid up to the largest
  float, the single final scaling of subnormal results (sigmoid, softplus, erfc), and a refit of
  the float32 erfc polynomial on [1, 2.2) in x - 1.5 (`compiler/vecmath/fits.py`, mpmath).
"""


def exhaustive_f32(name, chunk=1 << 22):
    """The max error in ulp of the float32 function over every float32 input (all 2**32 bit
    patterns), against the float64 function of the same name as the reference. The float64
    functions are within 1 ulp of float64 (measured above), that is within 2**-29 ulp of
    float32, so the reference is exact enough; special values are compared as in _ulp_errors
    (nan must give nan, overflow inf). Returns (max_ulp, the input giving it, mean_ulp over
    the finite inputs)."""
    import importlib

    import numba

    from compiler.vecmath import _intrin as ii

    f32f = getattr(importlib.import_module("compiler.vecmath.f32"), name)
    f64f = getattr(importlib.import_module("compiler.vecmath.f64"), name)
    big = float(np.float32(np.finfo(np.float32).max)) * (1 + 2.0 ** -25)   # rounds to inf in float32

    @numba.njit(parallel=True, error_model="numpy")
    def errors(b0, out):
        for i in numba.prange(out.size):
            x = ii.i2f32(b0 + i)
            y = np.float64(f32f(x))
            r = f64f(np.float64(x))
            ar = abs(r)
            e = ((ii.f2i(ar) >> 52) & 0x7FF) - 1023
            e = ii.select(e > -126, e, -126) - 23
            ulp = ii.i2f64((e + 1023) << 52)
            err = abs(y - r) / ulp
            err = ii.select(ar >= big, ii.select(y == r * np.inf, 0.0, np.inf), err)
            err = ii.select(ar == np.inf, ii.select(y == r, 0.0, np.inf), err)
            err = ii.select(r != r, ii.select(y != y, 0.0, np.inf), err)
            err = ii.select((y != y) & (r == r), np.inf, err)
            out[i] = err

    out = np.empty(chunk)
    worst, worst_bits, total, count = -1.0, 0, 0.0, 0
    for b0 in range(-(1 << 31), 1 << 31, chunk):
        errors(b0, out)
        j = int(np.argmax(out))
        if out[j] > worst:
            worst, worst_bits = float(out[j]), b0 + j
        fin = np.isfinite(out)
        total += float(out[fin].sum())
        count += int(fin.sum())
    x = np.array([worst_bits], np.int64).astype(np.int32).view(np.float32)[0]
    return worst, float(x), total / count


def scan_f32_logaddexp(chunk=1 << 25, report=print, bits=None):
    """float32 logaddexp where it cancels, on every float32 a in [-0.72, -2**-149] with each of the
    three float32 b nearest to the cancellation point log(-expm1(a)) (the float32 rounding of the
    float64 value and its two neighbours, kept where b <= a), against the float64 function
    (within 2 ulp of float64 wherever |result| >= 2**-95 (1 - e**a), see f64._logaddexp_u; the
    smallest |result| / (1 - e**a) met is returned too, to show that the reference holds).
    Returns a dict for the results file; about 10 to 20 minutes on 2 cores."""
    import numba

    from compiler.vecmath import f32, f64
    from compiler.vecmath._intrin import f2i, i2f32

    @numba.njit(parallel=True, error_model="numpy")
    def scan(b0, n, out_err, out_bits, out_ratio, out_rbits, out_count):
        nch = out_err.size
        step = (n + nch - 1) // nch
        for c in numba.prange(nch):
            we, wb, mr, rb, cnt = 0.0, 0, 1e300, 0, 0
            for i in range(c * step, min(n, (c + 1) * step)):
                mx = -i2f32(b0 + i)
                y = np.float32(np.log(-np.expm1(np.float64(mx))))
                for d in range(-1, 2):
                    mn = i2f32(f2i(y) + np.int32(d))
                    if not mn <= mx:
                        continue
                    cnt += 1
                    r64 = f64.logaddexp(np.float64(mx), np.float64(mn))
                    ar = abs(r64)
                    if ar == 0.0:
                        continue
                    e = max(np.floor(np.log2(ar)), -126.0)
                    err = abs(np.float64(f32.logaddexp(mx, mn)) - r64) / 2.0 ** (e - 23)
                    if err > we:
                        we, wb = err, (b0 + i) * 4 + d + 1
                    ratio = ar / -np.expm1(np.float64(mx))
                    if ratio < mr:
                        mr, rb = ratio, (b0 + i) * 4 + d + 1
            out_err[c], out_bits[c], out_ratio[c], out_rbits[c], out_count[c] = we, wb, mr, rb, cnt

    lo, hi = bits or (1, int(np.array([0.72], np.float32).view(np.int32)[0]))   # bits of -a
    nch = 256
    E, EB, R, RB, C = np.zeros(nch), np.zeros(nch, np.int64), np.zeros(nch), np.zeros(nch, np.int64), np.zeros(nch, np.int64)
    worst, wcode, mratio, rcode, count = -1.0, 0, 1e300, 0, 0
    t0 = time.time()
    for b in range(lo, hi, chunk):
        scan(np.int32(b), min(chunk, hi - b), E, EB, R, RB, C)
        j, k = int(np.argmax(E)), int(np.argmin(R))
        if E[j] > worst:
            worst, wcode = float(E[j]), int(EB[j])
        if R[k] < mratio:
            mratio, rcode = float(R[k]), int(RB[k])
        count += int(C.sum())
        report(f"  a down to -{np.array([min(b + chunk, hi)], np.int32).view(np.float32)[0]:.3g}: max "
               f"{worst:.4f} ulp, min |result| / (1 - e**a) 2**{np.log2(mratio):.1f} [{time.time() - t0:.0f} s]")

    def pair(code):
        a = -np.array([code // 4], np.int64).astype(np.int32).view(np.float32)[0]
        y = np.float32(np.log(-np.expm1(np.float64(a))))
        b = np.array([y.view(np.int32) + np.int32(code % 4 - 1)], np.int32).view(np.float32)[0]
        return [repr(float(a)), repr(float(b))]

    return {"a_range": "[-0.72, -2**-149], every float32", "b": "the 3 float32 nearest log(-expm1(a))",
            "pairs": count, "max_ulp": worst, "worst_input": pair(wcode),
            "min_result_ratio_log2": float(np.log2(mratio)), "min_ratio_input": pair(rcode),
            "reference": "compiler.vecmath.f64.logaddexp (2 ulp of float64 where |result| >= 2**-95 (1 - e**a))",
            "seconds": round(time.time() - t0)}


def scan_f32_trig_worst():
    """The positive floats x >= 0.75 whose distance to the nearest multiple of pi/2 is smallest
    (the hardest arguments of the float32 sin/cos reduction), by reducing every one of them with
    the float64 reduction (accurate to double-double); about 20 s on 2 cores."""
    import numba

    from compiler.vecmath import f64
    from compiler.vecmath._intrin import i2f32

    @numba.njit(parallel=True)
    def scan(nchunks):
        lo, hi = 0x3F400000, 0x7F800000
        step = (hi - lo + nchunks - 1) // nchunks
        best = np.full(nchunks, 1e300)
        bits = np.zeros(nchunks, np.int64)
        for c in numba.prange(nchunks):
            for b in range(lo + c * step, min(lo + (c + 1) * step, hi)):
                xh, xl, q = f64._rem_pio2(np.float64(i2f32(b)))
                if abs(xh) < best[c]:
                    best[c] = abs(xh)
                    bits[c] = b
        return best, bits

    best, bits = scan(256)
    for i in np.argsort(best)[:5]:
        x = np.array([bits[i]], np.int32).view(np.float32)[0]
        print(f"x = {float(x)!r}: |x mod pi/2| = {best[i]:.4g} = 2**{np.log2(best[i]):.2f}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--only", default="", help="comma-separated function names")
    ap.add_argument("--precision", default="float64,float32")
    ap.add_argument("--quick", action="store_true", help="10,000 points, no files written")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--scan-f32-trig", action="store_true",
                    help="only print the float32 arguments closest to multiples of pi/2")
    ap.add_argument("--docs-only", action="store_true",
                    help="only rewrite docs/vecmath.md from benchmarks/results/vecmath_accuracy.json")
    ap.add_argument("--scan-f32-logaddexp", action="store_true",
                    help="only run float32 logaddexp on every float32 a in [-0.72, 0) with the 3 float32 b "
                         "nearest the cancellation point (reference: the float64 function) and add that "
                         "to the results file")
    ap.add_argument("--exhaustive-f32", action="store_true",
                    help="only measure the one-argument float32 functions on every float32 input "
                         "(reference: the float64 function) and add that to the results file")
    args = ap.parse_args(argv)
    if args.exhaustive_f32:
        names = [f for f in args.only.split(",") if f] or [f for f in FUNCS if ARITY.get(f, 1) == 1]
        path = HERE / "results" / "vecmath_accuracy.json"
        data = json.loads(path.read_text()) if path.exists() else None
        for name in names:
            t0 = time.time()
            worst, x, mean = exhaustive_f32(name)
            print(f"float32 {name:10s} exhaustive: max {worst:.4f} ulp at {x!r}, mean {mean:.4f} "
                  f"[{time.time() - t0:.0f} s]", flush=True)
            if data is not None and not args.no_write:
                data["results"]["float32"].setdefault(name, {})["exhaustive"] = {
                    "inputs": 2 ** 32, "max_ulp": worst, "worst_input": repr(x), "mean_ulp": mean,
                    "reference": "compiler.vecmath.f64 (within 1 ulp of float64)"}
        if data is not None and not args.no_write:
            path.write_text(json.dumps(data, indent=1) + "\n")
            (ROOT / "docs" / "vecmath.md").write_text(_markdown(data["results"], data["meta"]))
        return
    if args.scan_f32_logaddexp:
        path = HERE / "results" / "vecmath_accuracy.json"
        res = scan_f32_logaddexp(report=lambda line: print(line, flush=True))
        print(res)
        if not args.no_write:
            data = json.loads(path.read_text())
            data["results"]["float32"]["logaddexp"]["cancellation_scan"] = res
            path.write_text(json.dumps(data, indent=1) + "\n")
            (ROOT / "docs" / "vecmath.md").write_text(_markdown(data["results"], data["meta"]))
        return
    if args.scan_f32_trig:
        scan_f32_trig_worst()
        return
    if args.docs_only:
        data = json.loads((HERE / "results" / "vecmath_accuracy.json").read_text())
        (ROOT / "docs" / "vecmath.md").write_text(_markdown(data["results"], data["meta"]))
        return
    if args.quick:
        args.points = 10_000
        args.no_write = True
    names = [f for f in args.only.split(",") if f] or FUNCS
    fmts = [F64 if p == "float64" else F32 for p in args.precision.split(",")]
    import mpmath
    import numba

    from machine import cpu_model

    ctx = multiprocessing.get_context("fork")
    pool = ctx.Pool(args.processes) if args.processes > 1 else None
    res = {"float64": {}, "float32": {}}
    out_json = HERE / "results" / "vecmath_accuracy.json"
    if not args.no_write and out_json.exists() and args.only:
        res.update(json.loads(out_json.read_text()).get("results", {}))
    t_all = time.time()
    for fmt in fmts:
        for name in names:
            t0 = time.time()
            r = measure(name, fmt, args.points, pool)
            r["seconds"] = round(time.time() - t0, 1)
            res[fmt.name][name] = r
            tgt = (TARGET_F64 if fmt.p == 53 else TARGET_F32)[name]
            flag = "ok" if r["max_ulp"] <= tgt and not r["special_failures"] else "MISSED"
            print(f"{fmt.name:8s} {name:10s} max {r['max_ulp']:.4f} ulp (random {r['max_ulp_random']:.4f}, "
                  f"edges {r['max_ulp_edges']:.4f}) mean {r['mean_ulp']:.4f}  worst {r['worst_input']}  "
                  f"specials {r['special_values'] - len(r['special_failures'])}/{r['special_values']}  "
                  f"ref {r['reference_check_ulp']:.1e}  "
                  f"{flag}  [{r['seconds']} s]", flush=True)
            for fail in r["special_failures"]:
                print("    special value mismatch:", fail, flush=True)
            if "cancellation" in r:
                c = r["cancellation"]
                print(f"    cancellation region {c['where']}: {c['points']} points, max {c['max_ulp']:.4g} ulp, "
                      f"max absolute error {c['max_abs_error']:.3g} = 2**{c['max_abs_error_log2']:.1f}; "
                      f"target met for |result| > {c['target_met_above']:.3g}", flush=True)
    if pool:
        pool.close()
    meta = {"points": args.points, "mpmath": mpmath.__version__, "numba": numba.__version__,
            "numpy": np.__version__, "cpu": cpu_model(), "processes": args.processes,
            "date": time.strftime("%Y-%m-%d"), "seconds": round(time.time() - t_all),
            "precision_bits": PREC,
            "edge_note": "33 floats around each threshold and the special values"}
    if not args.no_write:
        out_json.parent.mkdir(exist_ok=True)
        out_json.write_text(json.dumps({"meta": meta, "targets": {"float64": TARGET_F64, "float32": TARGET_F32},
                                        "results": res}, indent=1) + "\n")
        if all(f in res["float64"] and f in res["float32"] for f in FUNCS):
            (ROOT / "docs" / "vecmath.md").write_text(_markdown(res, meta))
        print("wrote", out_json)


if __name__ == "__main__":
    main()
