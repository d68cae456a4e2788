"""Accuracy of compiler.special against mpmath at 50 digits, over each function's domain.

    nice -n 10 python benchmarks/special_accuracy.py [--scale F] [--quick]
    # writes benchmarks/results/special_accuracy.json and docs/special.md

The values measured are those of compiler.special.cpu (Numba njit), which equal the plain-Python
build bit for bit (tests/test_special.py checks that); the references are mpmath at 50 digits
evaluated at the exact double arguments. For each function and sub-domain:

* ``rel``: the largest |value - ref| / |ref| (ref finite and nonzero);
* ``rel_away``: the same over the points away from the function's zeros, for the functions that
  have zeros inside the domain (Bessel functions, digamma and gammaln on the negative axis,
  polygamma of even order): there the relative error is unbounded however good the absolute
  error, since the rounding of the last bits of the computed terms is of the size of the terms;
  "away" means |ref| >= 0.1 * scale, with scale as for ``mixed``;
* ``mixed``: the largest |value - ref| / max(|ref|, scale(x)): scale is the envelope
  min(1, sqrt(2/(pi |x|))) for the Bessel functions of the first and second kind, 1 for gammaln
  on the negative axis (Cephes's "relative error, absolute where |f| < 1"), the size
  |pi cot(pi x)| + log(1 + |x|) of the reflection terms for digamma at x < 0, and for
  polygamma of even order and zeta at negative arguments the largest term n! |x - k|^-(n+1) of
  the series, of which the function is a difference near the half-integers;
* ``abs``: the largest |value - ref|.

Errors are also given in units of eps = 2**-52 = 2.22e-16 (the spacing of doubles at 1).
``--markdown`` rewrites docs/special.md from the saved JSON without measuring again.
"""
from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import time
from pathlib import Path

import mpmath
import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import compiler.special.cpu as cpu  # noqa: E402

EPS = 2.0**-52
DPS = 50


# -- references ---------------------------------------------------------------------------------

def mpf(x):
    return mpmath.mpf(float(x))


def at_dps(fn):
    """fn evaluated with DPS digits (without changing mpmath's global precision)."""
    def wrapper(*args):
        with mpmath.workdps(DPS):
            return fn(*args)

    wrapper.__name__ = getattr(fn, "__name__", "reference")
    return wrapper


def ref_erfcinv(y):
    """x with erfc(x) = y, by Newton's method at 50 digits from a double start."""
    y = mpf(y)
    if y == 1:
        return mpmath.mpf(0)
    x = mpmath.mpf(cpu.erfcinv(float(y)))
    for _ in range(50):
        step = (mpmath.erfc(x) - y) / (-2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-x * x))
        x -= step
        if abs(step) < abs(x) * mpmath.mpf(10) ** -40:
            break
    return x


def ref_cbrt(x):
    x = mpf(x)
    return mpmath.sign(x) * mpmath.cbrt(abs(x))


def ref_gammaln(x):
    return mpmath.log(abs(mpmath.gamma(mpf(x))))


REF = {  # wrapped by at_dps below
    "digamma": lambda x: mpmath.digamma(mpf(x)),
    "erfinv": lambda x: mpmath.erfinv(mpf(x)),
    "erfcinv": ref_erfcinv,
    "j0": lambda x: mpmath.besselj(0, mpf(x)),
    "j1": lambda x: mpmath.besselj(1, mpf(x)),
    "y0": lambda x: mpmath.bessely(0, mpf(x)),
    "y1": lambda x: mpmath.bessely(1, mpf(x)),
    "i0": lambda x: mpmath.besseli(0, mpf(x)),
    "i1": lambda x: mpmath.besseli(1, mpf(x)),
    "i0e": lambda x: mpmath.besseli(0, mpf(x)) * mpmath.exp(-abs(mpf(x))),
    "i1e": lambda x: mpmath.besseli(1, mpf(x)) * mpmath.exp(-abs(mpf(x))),
    "gammaln": ref_gammaln,
    "rgamma": lambda x: mpmath.rgamma(mpf(x)),
    "sinc": lambda x: mpmath.sinpi(mpf(x)) / (mpmath.pi * mpf(x)),
    "cbrt": ref_cbrt,
}


REF = {name: at_dps(fn) for name, fn in REF.items()}


def hurwitz(s, q):
    """sum_{k>=0} (q + k)**-s at 60 digits for s > 1 and q > 0 or, for integer s, any
    non-integer q: the terms up to q + N >= 2 s + 40 summed directly, the rest by the
    Euler-Maclaurin formula with 40 Bernoulli terms (mpmath.zeta(s, q) itself loses digits for
    large s and q, e.g. 1e-9 relative at s = 37.7, q = 481 with 50 digits)."""
    with mpmath.workdps(60):
        s, q = mpf(s), mpf(q)
        n = max(0, int(mpmath.ceil(2 * s + 40 - q)))
        total = mpmath.fsum((q + k) ** -s for k in range(n))
        w = q + n
        tail = w ** (1 - s) / (s - 1) + w ** -s / 2
        rising = s
        for j in range(1, 41):
            tail += mpmath.bernoulli(2 * j) / mpmath.factorial(2 * j) * rising * w ** (-s - 2 * j + 1)
            rising *= (s + 2 * j - 1) * (s + 2 * j)
        return +(total + tail)


@at_dps
def ref_polygamma(n, x):
    n = int(n)
    return (-1) ** (n + 1) * mpmath.factorial(n) * hurwitz(n + 1, x)


@at_dps
def ref_zeta(s, q):
    return +hurwitz(s, q)


# -- sampling -----------------------------------------------------------------------------------

def uniform(rng, a, b, n):
    return rng.uniform(a, b, n)


def logu(rng, lo, hi, n, sign=1.0):
    """n points log-uniform in [lo, hi] (lo > 0), times sign."""
    return sign * np.exp(rng.uniform(math.log(lo), math.log(hi), n))


def near(rng, x0, width, n):
    """n points within width of x0, concentrated at x0 (log-uniform distance, both sides)."""
    d = np.exp(rng.uniform(math.log(width * 1e-12), math.log(width), n))
    return x0 + d * rng.choice([-1.0, 1.0], n)


def non_integer(x):
    return x[x != np.floor(x)]


def bessel_env(x):
    ax = np.abs(x)
    with np.errstate(divide="ignore"):
        return np.minimum(1.0, np.sqrt(2.0 / (np.pi * ax)))


def one(x):
    return np.ones_like(x)


def reflection_terms(x):
    """For digamma at x < 0: the size of the terms of psi(x) = psi(1 - x) - pi cot(pi x), which
    cancel near the zeros (and everywhere for large |x|, where psi is extremely ill-conditioned:
    an ulp of x moves it by more than itself)."""
    with np.errstate(divide="ignore"):
        return np.maximum(1.0, np.abs(np.pi / np.tan(np.pi * x)) + np.log1p(np.abs(x)))


def largest_term(order):
    """For psi^(n) (order = n) or zeta(s, .) (order = s - 1) at x < 0: the size of the largest term
    n! |x - k|^-(n+1) of the series, the scale of the rounding errors of any method that sums
    them (the function itself is the difference of such terms near half-integers)."""
    def scale(x):
        d = np.abs(x - np.round(x))
        return np.maximum(1.0, math.factorial(order) * d ** -(order + 1.0))
    return scale


def zeta_term(points):
    s = np.array([p[0] for p in points])
    q = np.array([p[1] for p in points])
    d = np.abs(q - np.round(q))
    return np.maximum(1.0, d**-s)


def domains(rng, scale):
    """(function, label, points (or (n, x) pairs), scale(x) or None, note)."""
    def N(k):
        return max(50, int(k * scale))

    out = []
    add = out.append
    # digamma
    add(("digamma", "(0, 30)", uniform(rng, 0, 30, N(20000)), None, ""))
    add(("digamma", "[1e-300, 1e300] log-uniform", logu(rng, 1e-300, 1e300, N(10000)), None, ""))
    add(("digamma", "1.4616 +- 1e-2 (positive zero)", near(rng, 1.4616321449683623, 1e-2, N(5000)), None, ""))
    add(("digamma", "-0.5041 +- 0.3 (first negative zero)", near(rng, -0.5040830082644554, 0.3, N(10000)), reflection_terms, ""))
    add(("digamma", "(-30, 0)", non_integer(uniform(rng, -30, 0, N(20000))), reflection_terms, ""))
    add(("digamma", "[-1e15, -30] log-uniform", non_integer(logu(rng, 30, 1e15, N(5000), -1.0)), reflection_terms, ""))
    # polygamma, zeta
    for n in (1, 2, 3, 4, 6, 10):
        pts = np.concatenate([uniform(rng, 0, 30, N(2500)), logu(rng, 1e-8, 1e12, N(1500))])
        add((f"polygamma", f"n={n}, x in (0, 30) and [1e-8, 1e12]", [(n, x) for x in pts], None, ""))
        neg = non_integer(uniform(rng, -30, 0, N(1500)))
        add((f"polygamma", f"n={n}, x in (-30, 0)", [(n, x) for x in neg], None if n % 2 else largest_term(n), ""))
    svals = np.concatenate([uniform(rng, 1.0001, 40, N(3000)), rng.integers(2, 30, N(2000)).astype(float)])
    qvals = logu(rng, 1e-5, 1e10, svals.size)
    add(("zeta", "s in (1, 40), q in [1e-5, 1e10]", list(zip(svals, qvals)), None, ""))
    sint = rng.integers(2, 20, N(2000)).astype(float)
    qneg = non_integer(uniform(rng, -50, 0, sint.size))
    add(("zeta", "integer s in [2, 20), q in (-50, 0)", list(zip(sint[: qneg.size], qneg)), zeta_term, ""))
    # erfinv, erfcinv
    add(("erfinv", "(-1, 1)", uniform(rng, -1, 1, N(20000)), None, ""))
    add(("erfinv", "1 - [1e-16, 1] log-uniform", 1.0 - logu(rng, 1.2e-16, 1.0, N(10000)), None, ""))
    add(("erfinv", "[1e-300, 1] log-uniform", logu(rng, 1e-300, 1.0, N(5000)), None, ""))
    add(("erfcinv", "(0, 2)", uniform(rng, 0, 2, N(20000)), None, ""))
    add(("erfcinv", "[5e-324, 1] log-uniform", logu(rng, 5e-324, 1.0, N(10000)), None, ""))
    add(("erfcinv", "2 - [1e-16, 1] log-uniform", 2.0 - logu(rng, 2.3e-16, 1.0, N(5000)), None, ""))
    # Bessel functions of the first and second kind
    for f in ("j0", "j1", "y0", "y1"):
        add((f, "(0, 30)", uniform(rng, 0, 30, N(20000)), bessel_env, ""))
        big = N(10000) if f[0] == "j" else N(2000)  # mpmath's bessely: ~0.13 s a point there
        add((f, "[1e-10, 1e15] log-uniform", logu(rng, 1e-10, 1e15, big), bessel_env, ""))
        if f in ("j0", "j1"):
            add((f, "(-30, 0)", uniform(rng, -30, 0, N(3000)), bessel_env, ""))
    add(("j0", "2.4048 +- 1e-2 (first zero)", near(rng, 2.404825557695773, 1e-2, N(3000)), bessel_env, ""))
    add(("j1", "3.8317 +- 1e-2 (first zero)", near(rng, 3.8317059702075125, 1e-2, N(3000)), bessel_env, ""))
    # modified Bessel functions
    for f in ("i0", "i1"):
        add((f, "(-700, 700)", uniform(rng, -700, 700, N(10000)), None, ""))
        add((f, "(-10, 10)", uniform(rng, -10, 10, N(10000)), None, ""))
        add((f, "[1e-300, 700] log-uniform", logu(rng, 1e-300, 700, N(5000)), None, ""))
    for f in ("i0e", "i1e"):
        add((f, "(-50, 50)", uniform(rng, -50, 50, N(10000)), None, ""))
        add((f, "[1e-300, 1e300] log-uniform", logu(rng, 1e-300, 1e300, N(5000)), None, ""))
    # gamma family, sinc, cbrt
    add(("gammaln", "(0, 30)", uniform(rng, 0, 30, N(10000)), None, ""))
    add(("gammaln", "[1e-300, 1e300] log-uniform", logu(rng, 1e-300, 1e300, N(5000)), None, ""))
    add(("gammaln", "(-30, 0)", non_integer(uniform(rng, -30, 0, N(10000))), one, ""))
    add(("rgamma", "(-170, 180)", non_integer(uniform(rng, -170, 180, N(10000))), None, ""))
    add(("rgamma", "(-10, 10)", non_integer(uniform(rng, -10, 10, N(10000))), None, ""))
    add(("rgamma", "(-200, -160)", non_integer(uniform(rng, -200, -160, N(3000))), None, ""))
    add(("sinc", "(-10, 10)", uniform(rng, -10, 10, N(10000)), None, ""))
    add(("sinc", "[1e-300, 1e300] log-uniform, both signs", logu(rng, 1e-300, 1e300, N(5000)) * rng.choice([-1.0, 1.0], N(5000)), None, ""))
    add(("sinc", "k + [1e-12, 1e-2], |k| <= 1e6", np.round(rng.uniform(-1e6, 1e6, N(3000))) + logu(rng, 1e-12, 1e-2, N(3000)), None, ""))
    add(("cbrt", "[5e-324, 1.8e308] log-uniform, both signs", logu(rng, 5e-324, 1.7e308, N(30000)) * rng.choice([-1.0, 1.0], N(30000)), None, ""))
    return out


# -- measurement --------------------------------------------------------------------------------

def evaluate(name, points):
    """(x values, computed values, mpmath references, printable arguments) for the points."""
    f = getattr(cpu, name)
    if name in ("polygamma", "zeta"):
        ref = ref_polygamma if name == "polygamma" else ref_zeta
        xs = np.array([float(p[1]) for p in points])
        vals = np.array([f(a, b) for a, b in points])
        refs = [ref(a, b) for a, b in points]
        return xs, vals, refs, [f"({float(a):g}, {float(b)!r})" for a, b in points]
    xs = np.asarray(points, dtype=np.float64)
    vals = np.array([f(x) for x in xs])
    refs = [REF[name](x) for x in xs]
    return xs, vals, refs, [repr(float(x)) for x in xs]


def as_double(r):
    """An mpmath value as a double (+-inf beyond the double range, nan for nan)."""
    if mpmath.isnan(r):
        return math.nan
    return float(r)


def error(v, r):
    """|v - r| computed in mpmath; 0 when both are the same non-finite value, inf otherwise."""
    if math.isfinite(v) and mpmath.isfinite(r):
        return float(abs(mpmath.mpf(float(v)) - r))
    same = (math.isnan(v) and mpmath.isnan(r)) or v == as_double(r)
    return 0.0 if same else math.inf


def measure(name, label, points, scale_fn):
    xs, vals, refs, args = evaluate(name, points)
    refd = np.array([as_double(r) for r in refs])
    err = np.array([error(v, r) for v, r in zip(vals, refs)])
    absref = np.abs(refd)
    finite = np.isfinite(refd) & (absref >= 2.2250738585072014e-308)  # normal, nonzero results
    rel = np.where(finite, err / np.where(finite, absref, 1.0), 0.0)
    i = int(np.argmax(rel))
    result = {
        "function": name,
        "domain": label,
        "points": int(len(xs)),
        "rel": float(rel[i]),
        "rel_eps": float(rel[i] / EPS),
        "rel_at": args[i],
        "abs": float(np.max(np.where(np.isfinite(err), err, 0.0))),
        "nonfinite_mismatch": int(np.sum(~np.isfinite(err))),
    }
    if scale_fn is not None:
        s = scale_fn(points) if scale_fn is zeta_term else scale_fn(xs)
        mixed = err / np.maximum(absref, s)
        j = int(np.argmax(np.where(np.isfinite(mixed), mixed, 0.0)))
        away = finite & (absref >= 0.1 * s)
        rel_away = np.where(away, rel, 0.0)
        k = int(np.argmax(rel_away))
        result.update({
            "mixed": float(mixed[j]),
            "mixed_eps": float(mixed[j] / EPS),
            "mixed_at": args[j],
            "rel_away": float(rel_away[k]),
            "rel_away_eps": float(rel_away[k] / EPS),
            "rel_away_at": args[k],
            "away_points": int(np.sum(away)),
        })
    return result


# -- report -------------------------------------------------------------------------------------

SOURCES = {
    "digamma": "Cephes psi.c + Boost digamma_imp_1_2 on [1, 2]; Taylor series at the first negative zero",
    "polygamma": "(-1)^(n+1) n! zeta(n+1, x); reflection for x < 0",
    "zeta": "Cephes zeta.c (Euler-Maclaurin), DLMF 25.11.43 for q > 1e8, reflection for q < 0",
    "erfinv": "Cephes ndtri.c, argument passed without forming (1 + x)/2",
    "erfcinv": "Cephes ndtri.c, tail in log(y/2)",
    "j0": "Cephes j0.c (xsf cos x, sin x form for x > 5), first zero split",
    "j1": "Cephes j1.c (xsf cos x, sin x form for x > 5), first zero split",
    "y0": "Cephes j0.c (y0)",
    "y1": "Cephes j1.c (y1)",
    "i0": "Cephes i0.c (Chebyshev)",
    "i1": "Cephes i1.c (Chebyshev)",
    "i0e": "Cephes i0.c (i0e)",
    "i1e": "Cephes i1.c (i1e)",
    "gammaln": "C library lgamma (Numba math.lgamma)",
    "rgamma": "1/tgamma; reflection + duplication outside (-160, 171)",
    "sinc": "sin(pi r)/(pi x), exact reduction x = r + k/2",
    "cbrt": "frexp, pow seed, Newton step with exact residual",
}

NOTES = {
    "digamma": "Relative error is unbounded at the zeros of psi on the negative axis (one in each (-k-1, -k)) except the first, where a Taylor series keeps it; there the error is a few eps of the reflection terms psi(1-x) and pi cot(pi x). For large negative x psi is extremely ill-conditioned (an ulp of x changes it by more than its size); the value is that of the double x.",
    "polygamma": "Odd n: no zeros, relative accuracy everywhere. Even n has zeros on the negative axis (as digamma).",
    "zeta": "For q < 0 the value is a polygamma value (integer s); near its zeros the error is absolute.",
    "erfcinv": "Reference by Newton's method on mpmath's erfc at 50 digits.",
    "j0": "Zeros: for x > 5 the last bits of the two asymptotic terms are of the size of the envelope, so near each zero the error is absolute, ~eps times sqrt(2/(pi x)); 'mixed' is relative to the envelope.",
    "j1": "As j0.",
    "y0": "As j0; on (0, 5) also the zeros 0.894 and 3.958 (Cephes' rational form R(x) + 2/pi log(x) j0(x) cancels there, and R, fitted for absolute error, is worst, ~18 eps of the envelope, on (4, 5); SciPy has the same).",
    "y1": "As y0 (zero at 2.197 in (0, 5)).",
    "i0": "inf for |x| > 709.78 (exp overflows, as SciPy).",
    "i1": "As i0.",
    "gammaln": "Zeros at 1, 2 and one in each (-k-1, -k) for k >= 2: near the negative ones only absolute accuracy (as every lgamma).",
    "rgamma": "Accuracy of the C library's tgamma (a few ulp); below -160 and above 171 through duplication.",
    "sinc": "Relative accuracy also next to the zeros (the integers).",
    "cbrt": "Errors in ulps of the result: correctly rounded.",
}


# functions whose values stay below ~30 in magnitude over the domains: absolute errors meaningful
BOUNDED = {"erfinv", "erfcinv", "i0e", "i1e", "sinc"}

SUMMARY = """In short: relative errors of at most 4.2 eps (9.3e-16) for digamma (x > 0, and around
its first negative zero), polygamma and zeta at positive arguments (odd-order polygamma
everywhere), erfinv and erfcinv (down to erfcinv(5e-324)), i0, i0e, gammaln, rgamma and sinc;
cbrt is correctly rounded (0.5 ulp); i1 and i1e within 9.3 eps. j0 and j1 are within 3.2 eps
of their envelope min(1, sqrt(2/(pi x))) for every x up to 1e15, and within 8.1 eps (1.8e-15)
relative away from their zeros (|f| >= 0.1 envelope); y0 and y1 within 18 and 13 eps of the
envelope, the worst on (4, 5), where Cephes' rational forms (fitted for absolute error; SciPy
uses the same) are weakest: away from the zeros at most 2.1e-14 relative there. At the zeros
themselves relative error is unbounded for any method working in double precision, except at
the first zeros of j0, j1 and digamma, built into the formulas (2.5 eps there). Functions with
zeros on the negative axis (digamma, even-order polygamma, zeta with odd s, gammaln) are within
a few eps of the terms that cancel there (column 'mixed')."""


def fmt(x):
    if x is None:
        return ""
    if x == 0:
        return "0"
    return f"{x:.2e}"


def write_markdown(results, meta, path):
    lines = [
        "# Special functions: accuracy and derivatives",
        "",
        "`compiler/special/` implements digamma, polygamma, the Hurwitz zeta function, erfinv,",
        "erfcinv, the Bessel functions j0, j1, y0, y1, i0, i1, i0e, i1e, gammaln, rgamma, sinc and",
        "cbrt once, in plain Python that Numba compiles for the CPU and for CUDA; see",
        "`compiler/special/__init__.py` for the API and `compiler/special/scalar.py` for the",
        "algorithms and their sources (Cephes, Boost.Math).",
        "",
        "## Accuracy",
        "",
        f"Measured by `benchmarks/special_accuracy.py` ({meta['date']}, {meta['machine']}; "
        f"{meta['points']} points in all): `compiler.special.cpu` against mpmath {meta['mpmath']} "
        "at 50 digits, at the exact double arguments. The plain-Python build gives the same bits "
        "(tests/test_special.py); on a GPU the results differ in the last bits (NVVM fuses "
        "multiply-adds; gammaln, rgamma's Gamma and cbrt are libdevice's there).",
        "",
        SUMMARY,
        "",
        "Columns: max relative error (and in units of eps = 2^-52 = 2.2e-16); for functions with",
        "zeros in the domain, the max relative error away from them (points where |f| >= 0.1",
        "scale) and the max error relative to max(|f|, scale) ('mixed'), where scale is the Bessel",
        "envelope min(1, sqrt(2/(pi|x|))), or 1 (gammaln for x < 0: Cephes' 'relative error,",
        "absolute where |f| < 1'), or max(1, |pi cot(pi x)| + log(1 + |x|)), the size of the",
        "reflection terms (digamma for x < 0), or the largest term n!|x - k|^-(n+1) of the series",
        "(polygamma of even order and zeta for x < 0, which near half-integers are differences of",
        "such terms); max absolute error. Subnormal results are left out of the relative columns.",
        "",
        "| function | source algorithm | domain tested | points | max rel err | (eps) | rel, away from zeros | mixed / envelope | max abs err |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    previous = None
    for r in results:
        name = r["function"]
        source = SOURCES[name] if name != previous else "″"
        previous = name
        show_abs = "mixed" in r or name in BOUNDED
        lines.append(
            f"| {name} | {source} | {r['domain']} | {r['points']} | "
            f"{fmt(r['rel'])} | {r['rel_eps']:.1f} | "
            f"{fmt(r.get('rel_away'))} | {fmt(r.get('mixed'))} | {fmt(r['abs']) if show_abs else '-'} |"
        )
    lines += ["", "Notes:", ""]
    for name, note in NOTES.items():
        lines.append(f"* **{name}**: {note}")
    lines += ["", "Worst points (argument of the largest relative error):", ""]
    for r in results:
        lines.append(f"* {r['function']} {r['domain']}: {r['rel_at']}")
    lines += ["", DERIVATIVES_MD]
    path.write_text("\n".join(lines) + "\n")


DERIVATIVES_MD = r"""## Derivatives

First and second derivatives of each function in terms of the functions of this package
(tests/test_special.py checks each against mpmath.diff at a few points). x != 0 unless a limit
is given.

| f | f' | f'' |
|---|---|---|
| digamma(x) | polygamma(1, x) | polygamma(2, x) |
| polygamma(n, x) | polygamma(n+1, x) | polygamma(n+2, x) |
| zeta(s, q) (in q) | -s zeta(s+1, q) | s (s+1) zeta(s+2, q) |
| gammaln(x) | digamma(x) | polygamma(1, x) |
| rgamma(x) | -digamma(x) rgamma(x) (at x = -k, k = 0, 1, ...: (-1)^k k!) | rgamma(x) (digamma(x)^2 - polygamma(1, x)) (at x = -k: (-1)^(k+1) 2 k! digamma(k+1)) |
| erfinv(x) | sqrt(pi)/2 exp(erfinv(x)^2) | pi/2 erfinv(x) exp(2 erfinv(x)^2) |
| erfcinv(x) | -sqrt(pi)/2 exp(erfcinv(x)^2) | pi/2 erfcinv(x) exp(2 erfcinv(x)^2) |
| j0(x) | -j1(x) | j1(x)/x - j0(x) (-1/2 at 0) |
| j1(x) | j0(x) - j1(x)/x (1/2 at 0) | -j1(x) - j0(x)/x + 2 j1(x)/x^2 (0 at 0) |
| y0(x) | -y1(x) | y1(x)/x - y0(x) |
| y1(x) | y0(x) - y1(x)/x | -y1(x) - y0(x)/x + 2 y1(x)/x^2 |
| i0(x) | i1(x) | i0(x) - i1(x)/x (1/2 at 0) |
| i1(x) | i0(x) - i1(x)/x (1/2 at 0) | i1(x) - i0(x)/x + 2 i1(x)/x^2 (0 at 0) |
| i0e(x) | i1e(x) - sign(x) i0e(x) (-+1 at 0+-: a kink) | 2 i0e(x) - i1e(x)/x - 2 sign(x) i1e(x) (3/2 at 0) |
| i1e(x) | i0e(x) - i1e(x)/x - sign(x) i1e(x) (1/2 at 0) | 2 i1e(x) - 2 sign(x) i0e(x) + 2 sign(x) i1e(x)/x - i0e(x)/x + 2 i1e(x)/x^2 (-+1 at 0+-: a jump) |
| sinc(x) | (cos(pi x) - sinc(x))/x (0 at 0) | -pi^2 sinc(x) - 2 sinc'(x)/x (-pi^2/3 at 0) |
| cbrt(x) | 1/(3 cbrt(x)^2) (inf at 0) | -2/(9 cbrt(x)^5) |

Written with the limits at 0, the removable singularities need a branch in generated code
(for example `where(x == 0, 0.5, j0(x) - j1(x)/x)`); close to 0 the quotients lose no accuracy
(j1(x)/x, i1(x)/x, i1e(x)/x are smooth, computed from accurate j1, i1, i1e).
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the point counts")
    ap.add_argument("--quick", action="store_true", help="a twentieth of the points, no files written")
    ap.add_argument("--only", default="", help="comma-separated function names")
    ap.add_argument("--markdown", action="store_true", help="only rewrite docs/special.md from the JSON")
    args = ap.parse_args()
    out = HERE / "results" / "special_accuracy.json"
    if args.markdown:
        saved = json.loads(out.read_text())
        write_markdown(saved["results"], saved["meta"], ROOT / "docs" / "special.md")
        return
    scale = args.scale * (0.05 if args.quick else 1.0)
    rng = np.random.default_rng(20260513)
    only = set(filter(None, args.only.split(",")))
    results = []
    t0 = time.time()
    for name, label, pts, scale_fn, _ in domains(rng, scale):
        if only and name not in only:
            continue
        t = time.time()
        r = measure(name, label, pts, scale_fn)
        results.append(r)
        extra = f" away {r['rel_away']:.2e} mixed {r['mixed']:.2e}" if "mixed" in r else ""
        print(f"{name:10s} {label:45s} n={r['points']:6d} rel {r['rel']:.2e} ({r['rel_eps']:.1f} eps) at {r['rel_at']}"
              f"{extra} abs {r['abs']:.2e} [{time.time() - t:.0f}s]", flush=True)
    meta = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()} {platform.system()}, Python {platform.python_version()}",
        "mpmath": mpmath.__version__,
        "numpy": np.__version__,
        "points": sum(r["points"] for r in results),
        "seconds": round(time.time() - t0),
    }
    if args.quick or only:
        return
    out.write_text(json.dumps({"meta": meta, "results": results}, indent=1) + "\n")
    write_markdown(results, meta, ROOT / "docs" / "special.md")
    print("wrote", out, "and docs/special.md")


if __name__ == "__main__":
    main()
