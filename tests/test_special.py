"""compiler.special: digamma, polygamma, zeta, erfinv, erfcinv, Bessel functions, gammaln, rgamma,
sinc, cbrt, written once (compiler/special/scalar.py) for plain Python, Numba njit and CUDA.

Checked here: values against mpmath at 50 digits (a few hundred points per function plus edge
points, tolerances in units of eps = 2**-52 as measured by benchmarks/special_accuracy.py, with
headroom), SciPy's special values and SciPy's results, njit == plain Python bit for bit,
float32 and integer arguments, the derivative table of docs/special.md against mpmath.diff, a
cache=True kernel reloaded in a second process, PTX without .extern functions (compiled in a
process of its own, without the simulator, started first so it runs alongside the other
tests), and the same kernels under the CUDA simulator.
"""
import json
import math
import os
import re
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import mpmath
import numpy as np
import pytest
import scipy.special as sc

import compiler.special as py
import compiler.special.cpu as cpu
from compiler.special import scalar
from conftest import ROOT, SIMULATED_CUDA

sys.path.insert(0, str(ROOT / "benchmarks"))
import special_accuracy as acc  # noqa: E402  (the mpmath references)

EPS = 2.0**-52
INF, NAN = math.inf, math.nan
TESTS = Path(__file__).resolve().parent
FUNCTIONS = scalar.__all__
ONE_ARG = [f for f in FUNCTIONS if f not in ("polygamma", "zeta")]


def _without_simulator():
    env = dict(os.environ)
    env["NUMBA_ENABLE_CUDASIM"] = "0"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


@pytest.fixture(scope="module", autouse=True)
def ptx_worker():
    """Start compiling the PTX at once, in its own process (about 15 s of CPU)."""
    proc = subprocess.Popen([sys.executable, str(TESTS / "special_ptx_worker.py")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_without_simulator())
    yield proc
    if proc.poll() is None:
        proc.kill()
        proc.communicate()


# -- points -------------------------------------------------------------------------------------

EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 5.0, 8.0, 10.0, 1e-300, -1e-300, 5e-324, 1e-10,
         1e300, -1e300, 1.7e308, INF, -INF, NAN]


def sample(name, n=300, seed=0):
    """Points over the function's domain (plus EDGES, where the reference is finite)."""
    rng = np.random.default_rng(seed + sum(map(ord, name)))
    u, lu = rng.uniform, lambda a, b, k: np.exp(rng.uniform(math.log(a), math.log(b), k))
    k = n // 3
    if name == "digamma":
        pts = [u(0, 30, k), -lu(1e-3, 30, k), lu(1e-300, 1e300, k), u(-0.604, -0.404, 30), [1.4616321449683623]]
    elif name in ("erfinv",):
        pts = [u(-1, 1, k), 1 - lu(1.2e-16, 1, k), -lu(1e-300, 1, k)]
    elif name == "erfcinv":
        pts = [u(0, 2, k), lu(5e-324, 1, k), 2 - lu(2.3e-16, 1, k)]
    elif name in ("j0", "j1", "y0", "y1"):
        pts = [u(0, 30, k), lu(1e-10, 1e15, k), u(0, 5, k)] + ([-u(0, 30, 30)] if name[0] == "j" else [])
    elif name in ("i0", "i1"):
        pts = [u(-700, 700, k), u(-10, 10, k), lu(1e-300, 700, k)]
    elif name in ("i0e", "i1e"):
        pts = [u(-50, 50, k), lu(1e-300, 1e300, k), -lu(1e-3, 1e3, k)]
    elif name == "gammaln":
        pts = [u(0, 30, k), u(-30, 0, k), lu(1e-300, 1e300, k)]
    elif name == "rgamma":
        pts = [u(-170, 180, k), u(-10, 10, k), u(-200, -160, 30)]
    elif name == "sinc":
        pts = [u(-10, 10, k), lu(1e-300, 1e300, k) * rng.choice([-1, 1], k),
               np.round(u(-1e6, 1e6, k)) + lu(1e-12, 1e-2, k)]
    elif name == "cbrt":
        pts = [lu(5e-324, 1.7e308, 3 * k) * rng.choice([-1, 1], 3 * k)]
    x = np.concatenate([np.asarray(p, dtype=float) for p in pts])
    return x[x != np.floor(x)] if name in ("digamma", "gammaln", "rgamma") else x


def sample2(name, seed=0):
    """(first argument, x) pairs for polygamma and zeta."""
    rng = np.random.default_rng(seed + 7 if name == "zeta" else seed + 8)
    if name == "polygamma":
        n = rng.integers(1, 12, 240)
        x = np.concatenate([rng.uniform(0, 30, 80), np.exp(rng.uniform(-18, 28, 80)), rng.uniform(-30, 0, 80)])
    else:
        n = np.concatenate([rng.uniform(1.001, 40, 120), rng.integers(2, 20, 120)])
        x = np.concatenate([np.exp(rng.uniform(-11, 23, 160)), rng.uniform(-40, 0, 80)])
        n[160:] = np.round(n[160:])  # q < 0 needs an integer s
    keep = x != np.floor(x)
    return list(zip(n[keep].astype(float), x[keep]))


# -- tolerances: |value - ref| <= tol * eps * max(|ref|, scale) -----------------------------------

def envelope(x):
    return min(1.0, math.sqrt(2.0 / (math.pi * abs(x)))) if x != 0 else 1.0


def largest_term(order, x):
    d = abs(x - round(x))
    return max(1.0, math.factorial(int(order)) * d ** -(order + 1.0)) if x < 0 else 0.0


TOL = {  # (eps units, scale(x) for the functions with zeros in their domain)
    "digamma": (16, lambda x: 1.0 if x < 0 else 0.0),
    "erfinv": (6, None),
    "erfcinv": (6, None),
    "j0": (12, envelope),
    "j1": (12, envelope),
    "y0": (32, envelope),  # Cephes' y0 on (4, 5): ~15 eps of the envelope (as SciPy)
    "y1": (32, envelope),
    "i0": (8, None),
    "i1": (16, None),
    "i0e": (8, None),
    "i1e": (8, None),
    "gammaln": (8, lambda x: 1.0),
    "rgamma": (12, None),
    "sinc": (6, None),
    "cbrt": (0.5000001, None),  # correctly rounded: half an ulp of the result, <= 2**-53 relative
}


def within(value, ref, tol, scale=0.0):
    """value == ref to tol eps of max(|ref|, scale), or both the same non-finite value."""
    if not mpmath.isfinite(ref) or not math.isfinite(value):
        return (math.isnan(value) and mpmath.isnan(ref)) or value == float(ref)
    if ref == 0:
        return value == 0
    bound = tol * EPS * max(abs(float(ref)), scale)
    if abs(float(ref)) < 2.2250738585072014e-308:  # subnormal result: absolute
        bound = max(bound, 2.0**-1074)
    return float(abs(mpmath.mpf(float(value)) - ref)) <= bound


@pytest.mark.parametrize("name", ONE_ARG)
def test_matches_mpmath(name):
    tol, scale = TOL[name]
    xs = list(sample(name, n=150 if name[0] == "y" else 300)) + [x for x in EDGES if math.isfinite(x) and x != 0]
    bad = []
    for x in xs:
        if name in ("y0", "y1") and x < 0 or name == "erfinv" and abs(x) > 1 or name == "erfcinv" and not 0 < x < 2:
            continue
        if name in ("digamma", "gammaln", "rgamma") and x == math.floor(x) and x <= 0:
            continue
        if name in ("i0", "i1") and abs(x) > 709:
            continue  # overflows (inf, as SciPy)
        if name[0] == "y" and 1e15 < x < 1e308:
            continue  # mpmath's bessely takes seconds there
        ref = acc.REF[name](x)
        value = getattr(py, name)(x)
        if not within(value, ref, tol, scale(x) if scale else 0.0):
            bad.append((x, float(value), mpmath.nstr(ref, 20)))
    assert not bad, bad[:10]


@pytest.mark.parametrize("name", ["polygamma", "zeta"])
def test_two_argument_functions_match_mpmath(name):
    ref_fn = acc.ref_polygamma if name == "polygamma" else acc.ref_zeta
    bad = []
    for a, x in sample2(name):
        ref = ref_fn(a, x)
        value = getattr(py, name)(a, x)
        if x > 0:
            ok = within(value, ref, 8)
        else:  # near half-integers the value is a difference of terms as large as `scale`
            order = a if name == "polygamma" else a - 1
            scale = largest_term(order, x) / (math.factorial(int(order)) if name == "zeta" else 1)
            ok = within(value, ref, 16, scale)
        if not ok:
            bad.append((a, x, float(value), mpmath.nstr(ref, 20)))
    assert not bad, bad[:10]


def test_digamma_taylor_table_is_psi_derivatives_at_the_root():
    """The coefficients of the series about the first negative zero are psi^(k)(x0)/k!."""
    x0 = mpmath.mpf(scalar._NEGROOT)
    table = scalar._NEGROOT_TAYLOR[::-1]
    with mpmath.workdps(40):
        for k, c in enumerate(table):
            exact = mpmath.psi(k, x0) / mpmath.factorial(k)
            assert abs(c - exact) <= 2 * EPS * abs(exact), k
        # the first omitted term is below an ulp of psi everywhere in the window
        k = len(table)
        w = scalar._NEGROOT_WINDOW
        tail = abs(mpmath.psi(k, x0) / mpmath.factorial(k)) * w**k
        assert tail < EPS * abs(mpmath.psi(0, x0 + w)) / 4


# -- special values -----------------------------------------------------------------------------

SPECIAL = [  # function, arguments, expected (SciPy's value unless the note says otherwise)
    ("digamma", (0.0,), -INF), ("digamma", (-0.0,), INF), ("digamma", (-1.0,), NAN),
    ("digamma", (-1e300,), NAN), ("digamma", (INF,), INF), ("digamma", (-INF,), NAN), ("digamma", (NAN,), NAN),
    ("digamma", (1.0,), -0.5772156649015329), ("digamma", (1e-300,), -9.999999999999999e299),
    ("polygamma", (1, 0.0), INF), ("polygamma", (2, 0.0), -INF), ("polygamma", (2, -0.0), -INF),
    ("polygamma", (3, -3.0), INF), ("polygamma", (4, -3.0), -INF), ("polygamma", (0, -2.0), NAN),
    ("polygamma", (0, -0.0), INF), ("polygamma", (1, INF), 0.0), ("polygamma", (2, INF), -0.0),
    ("polygamma", (1, -INF), INF), ("polygamma", (2, -INF), -INF), ("polygamma", (1.5, 2.0), NAN),
    ("polygamma", (-1, 2.0), NAN), ("polygamma", (NAN, 1.0), NAN), ("polygamma", (1, NAN), NAN),
    ("polygamma", (1, 1e300), 1e-300),
    ("zeta", (1.0, 2.0), INF), ("zeta", (0.5, 2.0), NAN), ("zeta", (-1.0, 2.0), NAN), ("zeta", (2.0, 0.0), INF),
    ("zeta", (2.0, -3.0), INF), ("zeta", (2.0, -INF), INF), ("zeta", (2.5, -1.5), NAN), ("zeta", (2.0, INF), 0.0),
    ("zeta", (INF, 1.0), 1.0), ("zeta", (INF, 0.5), INF), ("zeta", (NAN, 1.0), NAN), ("zeta", (2.0, NAN), NAN),
    ("zeta", (2.0, 1e300), 1e-300),
    ("erfinv", (1.0,), INF), ("erfinv", (-1.0,), -INF), ("erfinv", (1.5,), NAN), ("erfinv", (-1.5,), NAN),
    ("erfinv", (0.0,), 0.0), ("erfinv", (-0.0,), 0.0), ("erfinv", (NAN,), NAN), ("erfinv", (INF,), NAN),
    ("erfcinv", (0.0,), INF), ("erfcinv", (-0.0,), INF), ("erfcinv", (2.0,), -INF), ("erfcinv", (1.0,), -0.0),
    ("erfcinv", (2.5,), NAN), ("erfcinv", (-1.0,), NAN), ("erfcinv", (NAN,), NAN),
    ("erfcinv", (1e-300,), 26.209469960516124),
    ("j0", (0.0,), 1.0), ("j0", (-0.0,), 1.0), ("j0", (INF,), NAN), ("j0", (-INF,), NAN), ("j0", (NAN,), NAN),
    ("j1", (0.0,), 0.0), ("j1", (-0.0,), -0.0), ("j1", (INF,), NAN), ("j1", (-INF,), NAN), ("j1", (1e-300,), 5e-301),
    ("y0", (0.0,), -INF), ("y0", (-0.0,), -INF), ("y0", (-1.0,), NAN), ("y0", (INF,), NAN), ("y0", (-INF,), NAN),
    ("y1", (0.0,), -INF), ("y1", (-0.0,), -INF), ("y1", (-1.0,), NAN), ("y1", (INF,), NAN), ("y1", (NAN,), NAN),
    ("i0", (0.0,), 1.0), ("i0", (INF,), NAN), ("i0", (-INF,), NAN), ("i0", (710.0,), INF), ("i0", (NAN,), NAN),
    ("i1", (0.0,), 0.0), ("i1", (-0.0,), 0.0), ("i1", (INF,), NAN), ("i1", (-710.0,), -INF),
    ("i0e", (INF,), 0.0), ("i0e", (-INF,), 0.0), ("i0e", (0.0,), 1.0),
    ("i1e", (INF,), 0.0), ("i1e", (-INF,), -0.0), ("i1e", (-0.0,), 0.0),
    ("gammaln", (0.0,), INF), ("gammaln", (-0.0,), INF), ("gammaln", (-1.0,), INF), ("gammaln", (-INF,), -INF),
    ("gammaln", (INF,), INF), ("gammaln", (1.0,), 0.0), ("gammaln", (2.0,), 0.0), ("gammaln", (NAN,), NAN),
    ("rgamma", (0.0,), 0.0), ("rgamma", (-0.0,), -0.0), ("rgamma", (-1.0,), 0.0), ("rgamma", (-1e300,), 0.0),
    ("rgamma", (INF,), 0.0), ("rgamma", (-INF,), 0.0), ("rgamma", (NAN,), NAN), ("rgamma", (1.0,), 1.0),
    ("rgamma", (200.0,), 0.0), ("rgamma", (-200.5,), -INF),
    ("sinc", (0.0,), 1.0), ("sinc", (-0.0,), 1.0), ("sinc", (INF,), NAN), ("sinc", (-INF,), NAN),
    ("sinc", (NAN,), NAN), ("sinc", (1.0,), 0.0), ("sinc", (0.5,), 2 / math.pi),
    ("cbrt", (0.0,), 0.0), ("cbrt", (-0.0,), -0.0), ("cbrt", (INF,), INF), ("cbrt", (-INF,), -INF),
    ("cbrt", (NAN,), NAN), ("cbrt", (-8.0,), -2.0), ("cbrt", (27.0,), 3.0), ("cbrt", (5e-324,), 1.7031839360032603e-108),
]
def same(a, b):
    """Equal as IEEE values, nan == nan, and the sign of a zero counts."""
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1, a) == math.copysign(1, b)


def scipy_value(name, args):
    fn = {"sinc": np.sinc, "gammaln": sc.gammaln}.get(name) or getattr(sc, name)
    with np.errstate(all="ignore"):
        return fn(*args)


@pytest.mark.parametrize("case", SPECIAL, ids=lambda c: f"{c[0]}{c[1]}")
def test_special_values(case):
    name, args, expected = case
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = getattr(py, name)(*args)
        compiled = getattr(cpu, name)(*args)
    assert same(value, expected), (value, expected)
    assert same(compiled, expected), (compiled, expected)
    if name == "sinc" and args[0] == 1.0:
        return  # numpy.sinc(1) = 3.9e-17 (pi x rounded); exactly 0 here
    theirs = scipy_value(name, args)
    if math.isfinite(expected) and expected != 0:  # e.g. j1(1e-300): SciPy's is 1 ulp off x/2
        assert abs(theirs - expected) <= 4 * EPS * abs(expected), ("SciPy gives", theirs)
    else:
        assert same(theirs, expected), ("SciPy gives", theirs)


def test_where_scipy_differs():
    """The documented departures from SciPy's values, each for a reason."""
    # zeta(s=inf, q>1): the limit 0; SciPy's Euler-Maclaurin sum computes inf*0
    assert py.zeta(INF, 2.0) == 0.0 and math.isnan(sc.zeta(INF, 2.0))
    # erfcinv of the smallest subnormal: SciPy halves it to 0 and returns inf
    assert py.erfcinv(5e-324) == 27.21329321081295 and sc.erfcinv(5e-324) == INF
    # polygamma(inf, x): no limit (the sign alternates with n); SciPy computes (-1)**inf * inf! * 1
    assert math.isnan(py.polygamma(INF, 1.0)) and sc.polygamma(INF, 1.0) == INF
    # gammaln of a subnormal: SciPy overflows to inf
    assert py.gammaln(1e-310) == pytest.approx(713.8013788281542, rel=1e-15) and sc.gammaln(1e-310) == INF
    # polygamma for x < 0 costs O(1) here; SciPy sums |x| terms (polygamma(1, -1e15 + 0.5) does not return)
    assert py.polygamma(1, -1e15 + 0.5) == pytest.approx(math.pi**2, rel=1e-15)
    # sinc near large integers: numpy.sinc rounds pi x
    x = 1e6 + 1e-6
    exact = float(mpmath.sinpi(x) / (mpmath.pi * x))
    assert py.sinc(x) == pytest.approx(exact, rel=4 * EPS) and abs(np.sinc(x) / exact - 1) > 1e-11


def test_no_warnings_or_exceptions_anywhere():
    """Every function at every edge point (and pairs of them): a float, no exception, no warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in ONE_ARG:
            for x in EDGES:
                assert isinstance(getattr(py, name)(x), np.float64)
                getattr(cpu, name)(x)
        for name in ("polygamma", "zeta"):
            for a in (0.0, 1.0, 2.0, 3.0, 2.5, -1.0, 200.0, INF, NAN):
                for x in EDGES + [-2.5, -0.3, -1e6 + 0.5]:
                    assert isinstance(getattr(py, name)(a, x), np.float64)
                    getattr(cpu, name)(a, x)


# -- the compiled versions ----------------------------------------------------------------------

def bits(values):
    return np.asarray(values, dtype=np.float64).view(np.int64)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_njit_equals_python_bit_for_bit(name):
    if name in ("polygamma", "zeta"):
        pts = sample2(name)[:120] + [(a, x) for a in (1.0, 2.0) for x in EDGES]
        a = [getattr(py, name)(*p) for p in pts]
        b = [getattr(cpu, name)(*p) for p in pts]
    else:
        xs = list(sample(name)) + EDGES
        a = [getattr(py, name)(x) for x in xs]
        b = [getattr(cpu, name)(x) for x in xs]
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    assert np.array_equal(nan_a, nan_b)
    assert np.array_equal(bits(a)[~nan_a], bits(b)[~nan_b])


def test_float32_and_integer_arguments():
    """float32 and int arguments are computed in float64, inside njit kernels too."""
    from numba import njit

    x32 = np.array([0.3, 1.7, -2.25, 4.5, 0.999], dtype=np.float32)

    @njit
    def kernel(x, out):
        for i in range(x.size):
            out[i, 0] = cpu.digamma(x[i])
            out[i, 1] = cpu.j1(x[i])
            out[i, 2] = cpu.polygamma(1, x[i])

    out = np.empty((x32.size, 3))
    kernel(x32, out)
    for i, v in enumerate(x32.astype(np.float64)):
        assert same(out[i, 0], py.digamma(v)) and same(out[i, 1], py.j1(v))
        assert same(out[i, 2], py.polygamma(1.0, v))
    assert cpu.polygamma(2, 1.5) == cpu.polygamma(2.0, 1.5) == py.polygamma(np.int64(2), 1.5)
    assert cpu.cbrt(np.float32(-8)) == -2.0 and cpu.cbrt(np.float32(0.1)) == py.cbrt(float(np.float32(0.1)))
    assert py.j0(np.float32(0.1)) == py.j0(float(np.float32(0.1))) and py.j0(3) == py.j0(3.0)


def test_cached_njit_kernel_reloads_in_a_second_process(tmp_path):
    """A cache=True kernel in another module, calling compiler.special.cpu, is cached and reloaded."""
    (tmp_path / "special_user.py").write_text(textwrap.dedent("""
        from numba import njit
        from compiler.special.cpu import digamma, j0

        @njit(cache=True)
        def kernel(x):
            return digamma(x) + j0(x)
    """))
    script = ("import special_user as m; v = m.kernel(2.5); "
              "print(v, m.kernel.stats.cache_hits.get(m.kernel.signatures[0], 0))")
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"),
               PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]))
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
            for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stderr[-2000:]
    (v1, hits1), (v2, hits2) = (run.stdout.split() for run in runs)
    assert float(v1) == float(v2) == py.digamma(2.5) + py.j0(2.5)
    assert int(hits1) == 0 and int(hits2) == 1


# -- SciPy agreement and derivatives ------------------------------------------------------------

SCIPY_TOL = {"y0": 40, "y1": 40, "i1": 16, "digamma": 16, "rgamma": 16, "gammaln": 16}


@pytest.mark.parametrize("name", ONE_ARG)
def test_agrees_with_scipy(name):
    """Within the sum of both errors: SciPy's j0, j1, y0, y1 lose ~|x| eps of the envelope (they
    round x - pi/4), its digamma ~eps |pi cot(pi x)| for x < 0 (tan of a rounded pi x), numpy's
    sinc ~eps absolutely (pi x rounded); the subnormal ranges where SciPy underflows (erfcinv,
    rgamma) are left out (test_where_scipy_differs)."""
    xs = sample(name, n=150, seed=5)
    fn = {"sinc": np.sinc}.get(name) or getattr(sc, name)
    tol = SCIPY_TOL.get(name, 8)
    for x in xs:
        if (name == "erfcinv" and x < 1e-300 or name == "rgamma" and x > 171
                or name == "gammaln" and 0 < abs(x) < 1e-300):
            continue
        ours, theirs = float(getattr(py, name)(x)), float(fn(x))
        scale, slack = 0.0, 0.0
        if name[0] in "jy":
            scale = envelope(x)
            slack = 2 * abs(x) * EPS * scale
        elif name in ("gammaln", "sinc"):
            scale = 1.0
        elif name == "digamma" and x < 0:  # SciPy's pi/tan(pi x): d(pi x) = eps |pi x|
            slack = 2 * EPS * math.pi**2 * abs(x) / math.sin(math.pi * x) ** 2
        assert abs(ours - theirs) <= tol * EPS * max(abs(theirs), scale) + slack or ours == theirs, (x, ours, theirs)


def test_polygamma_and_zeta_agree_with_scipy():
    for n, x in sample2("polygamma")[:150]:
        if x < -10:
            continue  # SciPy sums |x| terms
        ours, theirs = py.polygamma(n, x), sc.polygamma(int(n), x)
        scale = largest_term(n, x) if x < 0 and n % 2 == 0 else 0.0
        assert abs(ours - theirs) <= 24 * EPS * max(abs(theirs), scale), (n, x, ours, theirs)
    for s, q in sample2("zeta")[:150]:
        if q < 0:
            continue  # SciPy: an O(|q|) sum
        # SciPy's zeta rounds q + k: up to ~s/2 eps (17 eps at s = 36, q = 2047.7)
        assert py.zeta(s, q) == pytest.approx(sc.zeta(s, q), rel=(4 + s / 2) * EPS), (s, q)


def _dj1(x):
    return py.j0(x) - py.j1(x) / x


def _dy1(x):
    return py.y0(x) - py.y1(x) / x


def _di1(x):
    return py.i0(x) - py.i1(x) / x


def _sgn(x):
    return math.copysign(1.0, x)


def _dsinc(x):
    return (math.cos(math.pi * x) - py.sinc(x)) / x


DERIVATIVES = {  # name: (mpmath function, f', f'', points)
    "digamma": (mpmath.digamma, lambda x: py.polygamma(1, x), lambda x: py.polygamma(2, x), [0.3, 1.4, 7.5, -2.7]),
    "polygamma3": (lambda x: mpmath.polygamma(3, x), lambda x: py.polygamma(4, x), lambda x: py.polygamma(5, x),
                   [0.5, 3.0, -1.3]),
    "zeta2.5": (lambda q: mpmath.zeta(2.5, q), lambda q: -2.5 * py.zeta(3.5, q), lambda q: 2.5 * 3.5 * py.zeta(4.5, q),
                [0.4, 2.0, 9.0]),
    "gammaln": (lambda x: mpmath.log(abs(mpmath.gamma(x))), py.digamma, lambda x: py.polygamma(1, x), [0.2, 3.3, -2.6]),
    "rgamma": (mpmath.rgamma, lambda x: -py.digamma(x) * py.rgamma(x),
               lambda x: py.rgamma(x) * (py.digamma(x) ** 2 - py.polygamma(1, x)), [0.7, 4.2, -1.5]),
    "erfinv": (mpmath.erfinv, lambda x: math.sqrt(math.pi) / 2 * math.exp(py.erfinv(x) ** 2),
               lambda x: math.pi / 2 * py.erfinv(x) * math.exp(2 * py.erfinv(x) ** 2), [-0.9, 0.1, 0.6]),
    "erfcinv": (lambda y: mpmath.erfinv(1 - y), lambda y: -math.sqrt(math.pi) / 2 * math.exp(py.erfcinv(y) ** 2),
                lambda y: math.pi / 2 * py.erfcinv(y) * math.exp(2 * py.erfcinv(y) ** 2), [0.05, 0.8, 1.7]),
    "j0": (lambda x: mpmath.besselj(0, x), lambda x: -py.j1(x), lambda x: py.j1(x) / x - py.j0(x), [0.5, 2.4, 11.0]),
    "j1": (lambda x: mpmath.besselj(1, x), _dj1,
           lambda x: -py.j1(x) - py.j0(x) / x + 2 * py.j1(x) / x**2, [0.5, 3.0, -7.0]),
    "y0": (lambda x: mpmath.bessely(0, x), lambda x: -py.y1(x), lambda x: py.y1(x) / x - py.y0(x), [0.5, 3.0, 12.0]),
    "y1": (lambda x: mpmath.bessely(1, x), _dy1,
           lambda x: -py.y1(x) - py.y0(x) / x + 2 * py.y1(x) / x**2, [0.7, 3.0, 12.0]),
    "i0": (lambda x: mpmath.besseli(0, x), py.i1, lambda x: py.i0(x) - py.i1(x) / x, [0.5, -3.0, 12.0]),
    "i1": (lambda x: mpmath.besseli(1, x), _di1, lambda x: py.i1(x) - py.i0(x) / x + 2 * py.i1(x) / x**2,
           [0.5, -3.0, 12.0]),
    "i0e": (lambda x: mpmath.besseli(0, x) * mpmath.exp(-abs(x)), lambda x: py.i1e(x) - _sgn(x) * py.i0e(x),
            lambda x: 2 * py.i0e(x) - py.i1e(x) / x - 2 * _sgn(x) * py.i1e(x), [0.5, -3.0, 12.0]),
    "i1e": (lambda x: mpmath.besseli(1, x) * mpmath.exp(-abs(x)),
            lambda x: py.i0e(x) - py.i1e(x) / x - _sgn(x) * py.i1e(x),
            lambda x: (2 * py.i1e(x) - 2 * _sgn(x) * py.i0e(x) + 2 * _sgn(x) * py.i1e(x) / x - py.i0e(x) / x
                       + 2 * py.i1e(x) / x**2), [0.5, -3.0, 12.0]),
    "sinc": (lambda x: mpmath.sinpi(x) / (mpmath.pi * x), _dsinc,
             lambda x: -math.pi**2 * py.sinc(x) - 2 * _dsinc(x) / x, [0.3, -1.7, 4.25]),
    "cbrt": (lambda x: mpmath.sign(x) * mpmath.cbrt(abs(x)), lambda x: 1 / (3 * py.cbrt(x) ** 2),
             lambda x: -2 / (9 * py.cbrt(x) ** 5), [0.2, 5.0, -3.0]),
}


@pytest.mark.parametrize("name", sorted(DERIVATIVES))
def test_derivative_table(name):
    """docs/special.md's derivatives against mpmath.diff (and the limits at 0 where stated)."""
    f, d1, d2 = DERIVATIVES[name][:3]
    with mpmath.workdps(40):
        for x in DERIVATIVES[name][3]:
            for order, ours in ((1, d1(x)), (2, d2(x))):
                exact = mpmath.diff(f, mpmath.mpf(x), order)
                assert abs(ours - exact) <= 1e-13 * max(1.0, abs(exact)), (name, x, order, ours, exact)


def test_derivative_limits_at_zero():
    t = 1e-5
    assert _dj1(t) == pytest.approx(0.5, abs=1e-9) and _di1(t) == pytest.approx(0.5, abs=1e-9)
    assert py.j1(t) / t - py.j0(t) == pytest.approx(-0.5, abs=1e-9)
    assert -py.j1(t) - py.j0(t) / t + 2 * py.j1(t) / t**2 == pytest.approx(0.0, abs=1e-5)
    assert 2 * py.i0e(t) - py.i1e(t) / t - 2 * py.i1e(t) == pytest.approx(1.5, abs=1e-4)
    assert py.i0e(t) - py.i1e(t) / t - py.i1e(t) == pytest.approx(0.5, abs=1e-4)
    assert _dsinc(1e-4) == pytest.approx(0.0, abs=1e-3)
    assert -math.pi**2 * py.sinc(1e-4) - 2 * _dsinc(1e-4) / 1e-4 == pytest.approx(-math.pi**2 / 3, rel=1e-6)
    assert -py.digamma(1e-9 - 2) * py.rgamma(1e-9 - 2) == pytest.approx(2.0, rel=1e-6)  # (-1)^k k! at -k


# -- CUDA: PTX and the simulator ----------------------------------------------------------------

def _kernels():
    import special_ptx_worker

    return special_ptx_worker


def test_kernels_under_the_simulator_equal_python():
    """The kernels of tests/special_ptx_worker.py, run (under the simulator here), give the
    plain-Python values; on a real GPU to a few ulp (fused multiply-adds, libdevice's cbrt)."""
    from numba import cuda

    worker = _kernels()
    x = np.array([0.3, 1.7, -2.25, 7.5, 0.999, -0.7, 12.0, 1e-3, 40.0, -1.0, 0.0, NAN])
    n = x.size
    for name, (fn, columns, as_float32) in worker.KERNELS.items():
        out = np.full(worker.WIDTH * n, -12345.0)
        cuda.jit(fn)[2, 8](x, out, n)
        for i, v in enumerate(x):
            v = float(np.float32(v)) if as_float32 else float(v)
            for k, (fname, first) in enumerate(columns):
                expected = getattr(py, fname)(*first, v)
                got = out[worker.WIDTH * i + k]
                if SIMULATED_CUDA:
                    assert same(got, expected), (name, fname, v, got, expected)
                else:
                    assert within(got, mpmath.mpf(float(expected)), 64, 1.0), (name, fname, v, got, expected)


def test_kernels_compile_to_ptx_without_extern_functions(ptx_worker):
    """Every gpu.py function inlined: nothing to link, so PTX compiles with no GPU driver."""
    stdout, stderr = ptx_worker.communicate(timeout=900)
    assert ptx_worker.returncode == 0, stderr[-3000:]
    results = json.loads(stdout)
    assert set(results) == set(_kernels().KERNELS)
    used = {f for _, cols, _ in _kernels().KERNELS.values() for f, _ in cols}
    assert used == set(FUNCTIONS)
    for name, result in results.items():
        assert "error" not in result, (name, result.get("error"))
        text = result["ptx"]
        assert ".visible .entry" in text and ".target sm_90" in text
        assert ".extern" not in text, name
        calls = re.findall(r"call\.uni[^,]*,\s*(\w+)", text)
        assert all(c.startswith("__internal_") for c in calls), (name, calls)  # libdevice's slow paths
