"""compiler.vecmath: accuracy on a subset of benchmarks/vecmath_accuracy.py's points (against
mpmath), the C99 special values bit for bit, float32 code free of float64, and vectorisation
(packed AVX2/AVX-512 instructions in the assembly of a prange kernel).

The full measurement (1e6 points per function) is benchmarks/vecmath_accuracy.py, whose
results are in docs/vecmath.md.
"""
import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import vecmath_accuracy as acc  # noqa: E402

POINTS = 1500
FMTS = {"float64": acc.F64, "float32": acc.F32}


def _target(name, fmt):
    return (acc.TARGET_F64 if fmt.p == 53 else acc.TARGET_F32)[name]


@pytest.mark.parametrize("prec", ["float64", "float32"])
@pytest.mark.parametrize("name", acc.FUNCS)
def test_accuracy_and_special_values(name, prec):
    fmt = FMTS[prec]
    r = acc.measure(name, fmt, POINTS, pool=None, seed=1)
    assert not r["special_failures"], r["special_failures"]
    assert r["max_ulp"] <= _target(name, fmt), (r["max_ulp"], r["worst_input"])
    assert r["reference_check_ulp"] < 1e-3
    if name == "logaddexp":
        # where max(a, b) and log1p(e**-|a - b|) cancel (|result| < 2**-10; reported apart)
        c = r["cancellation"]
        assert c["points"] > 100 and c["max_ulp"] <= _target(name, fmt), c


# logaddexp where it cancels: pairs (a, b) with e**a + e**b within 2**-65 .. 2**-75 (float64) or
# 2**-39 .. 2**-44 (float32) of 1, relative to 1 - e**max(a, b): the closest of a search over
# 4e6 values of a = -x in each of three ranges of x (log-uniform in [2**-1000, 2**-10.5] (float32:
# [2**-140, 2**-10.5]) and [2**-10.5, 0.72], uniform in [0.3, 0.72]) with b the float nearest to
# log(-expm1(a)) or one of its two neighbours on either side
LOGADDEXP_HARD_F64 = [
    ("-0x1.058cdb258e780p-344", "-0x1.dcd7a5119f73bp+7"), ("-0x1.c42fa641ec976p-14", "-0x1.24538abb2cc05p+3"),
    ("-0x1.3b2d3d8455b3ap-127", "-0x1.5f4975214f806p+6"), ("-0x1.d8dd15b74a187p-27", "-0x1.219f1b3a18405p+4"),
    ("-0x1.02e8dcd89e151p-456", "-0x1.3c10560813187p+8"), ("-0x1.d075bb512f005p-180", "-0x1.f0aee4d12a29ep+6"),
    ("-0x1.1a6b8f4f55887p-20", "-0x1.b878a20b7fd6fp+3"), ("-0x1.f87e3da7015c5p-95", "-0x1.04aeb32d2ba96p+6"),
    ("-0x1.1109222dce8f2p-1", "-0x1.c45f01d512453p-1"), ("-0x1.3295bbb3a2c10p-3", "-0x1.f9192f4ba8b47p+0"),
    ("-0x1.bb5e77c8ac0e5p-5", "-0x1.78c2f8111fbc7p+1"), ("-0x1.0ad0aefd06f75p-2", "-0x1.78ed308fa0da9p+0"),
    ("-0x1.0389304bd23dcp-4", "-0x1.652b5a2654e84p+1"), ("-0x1.6480684732024p-7", "-0x1.21aef65e4f9aap+2"),
    ("-0x1.0873117b9bd64p-1", "-0x1.d0cfb8ebf28c9p-1"), ("-0x1.b6bd968ccea87p-8", "-0x1.40a06ed0d7647p+2"),
    ("-0x1.56bfe41c2f3a2p-1", "-0x1.6f53fd342c94cp-1"), ("-0x1.32e565a32b64cp-1", "-0x1.97db05368d5f5p-1"),
    ("-0x1.207cd2fbd998ap-1", "-0x1.af3587056da7fp-1"), ("-0x1.a67e6084fc09ap-2", "-0x1.15a274eea2c4dp+0"),
    ("-0x1.40bf7887ecb30p-2", "-0x1.50377dce294dep+0"), ("-0x1.1328a535f8a2ap-1", "-0x1.c15f5f670cc97p-1"),
    ("-0x1.ce4215017b178p-2", "-0x1.0338af9f2ae69p+0"), ("-0x1.b1f752fbd65a3p-2", "-0x1.101c38974b3c2p+0")]
LOGADDEXP_HARD_F32 = [
    ("-0x1.4c2306p-15", "-0x1.446124p+3"), ("-0x1.af5f7cp-43", "-0x1.d4895ap+4"), ("-0x1.bcc208p-96", "-0x1.07f588p+6"),
    ("-0x1.0bc4d2p-44", "-0x1.e741a8p+4"), ("-0x1.c8166ap-75", "-0x1.9b44acp+5"), ("-0x1.128650p-81", "-0x1.c099b8p+5"),
    ("-0x1.76532ep-10", "-0x1.a357e2p+2"), ("-0x1.1be27cp-1", "-0x1.b55b1cp-1"), ("-0x1.40fcf6p-1", "-0x1.873324p-1"),
    ("-0x1.03569cp-2", "-0x1.7f4ee0p+0"), ("-0x1.38f89ep-1", "-0x1.908d66p-1"), ("-0x1.4a198ep-2", "-0x1.49f774p+0"),
    ("-0x1.6ccb42p-1", "-0x1.592d38p-1"), ("-0x1.14ff64p-1", "-0x1.beccacp-1"), ("-0x1.368604p-1", "-0x1.9378cep-1"),
    ("-0x1.44e756p-1", "-0x1.82beccp-1")]   # the closest of all (--scan-f32-logaddexp): |u| = 2**-55.8 (1 - e**a)


@pytest.mark.parametrize("prec", ["float64", "float32"])
def test_logaddexp_where_it_cancels(prec):
    """logaddexp(a, b) near 0 (e**a + e**b close to 1) against mpmath: a = log p, b = log1p(-p)
    rounded, over p from 2**-1070 (float32: 2**-140) to 1/2, their perturbations by a few ulp,
    both argument orders, results down to the subnormal range, and the hard pairs above."""
    mpmath = pytest.importorskip("mpmath")
    fmt = FMTS[prec]
    dt = fmt.dtype.type
    rng = np.random.default_rng(3)
    p = np.exp2(rng.uniform(-1070 if fmt.p == 53 else -140, -1, 300))
    a = np.log(p)
    with np.errstate(divide="ignore"):
        b = np.log1p(-p)
    a, b = a.astype(fmt.dtype), b.astype(fmt.dtype)
    bump = rng.integers(-3, 4, a.size)          # b moved by up to 3 ulp
    for i in range(a.size):
        for _ in range(abs(int(bump[i]))):
            b[i] = np.nextafter(b[i], dt(np.inf) if bump[i] > 0 else dt(-np.inf))
    hard = LOGADDEXP_HARD_F64 if fmt.p == 53 else LOGADDEXP_HARD_F32
    ha = np.array([float.fromhex(x) for x, _ in hard], fmt.dtype)
    hb = np.array([float.fromhex(y) for _, y in hard], fmt.dtype)
    a, b = np.concatenate([a, b, ha, hb]), np.concatenate([b, a, hb, ha])
    y = acc.kernel("logaddexp", fmt)(a, b)
    worst, small = 0.0, 1.0
    with mpmath.workprec(400):
        for ai, bi, yi in zip(a, b, y):
            x1, x2 = mpmath.mpf(float(ai)), mpmath.mpf(float(bi))
            if mpmath.isinf(x1) or mpmath.isinf(x2):
                continue
            # e**a + e**b - 1 = e**min + expm1(max): both accurate to 400 bits relative, so
            # their sum is accurate to at least 400 - 140 bits (|result| >= 2**-140 (1 - e**max))
            u = mpmath.exp(min(x1, x2)) + mpmath.expm1(max(x1, x2))
            r = mpmath.log1p(u)
            if r == 0:
                assert yi == 0
                continue
            e = max(int(mpmath.floor(mpmath.log(abs(r), 2))), fmt.emin) - fmt.p + 1
            err = float(abs(mpmath.mpf(float(yi)) - r) / mpmath.ldexp(1, e))
            worst = max(worst, err)
            small = min(small, abs(float(r)))
    assert worst <= _target("logaddexp", fmt), worst
    assert small < (1e-300 if fmt.p == 53 else 1e-40)          # down to subnormal results


def _u_parts(which):
    """A Numba loop writing (k, the parts of u) of f64._logaddexp_u (triple-double) or
    f64._logaddexp_u_dd (double-double) for each pair of arguments."""
    import numba

    from compiler.vecmath import f64

    if which == "triple-double":
        @numba.njit
        def parts(a, b, out):
            for i in range(a.size):
                k, h, m, l = f64._logaddexp_u(a[i], b[i])
                out[i, 0], out[i, 1], out[i, 2], out[i, 3] = k, h, m, l
        return parts, 4

    @numba.njit
    def parts(a, b, out):
        for i in range(a.size):
            k, h, l = f64._logaddexp_u_dd(a[i], b[i])
            out[i, 0], out[i, 1], out[i, 2] = k, h, l
    return parts, 3


# which -> (argument float type, log2 of the smallest |max(a, b)|, largest log2 of the relative
# offset of min(a, b) from the cancellation point, seed, error bound 2**-bits, mpmath bits)
U_BOUNDS = {"triple-double": (np.float64, -1074, 60, 5, 149, 500),     # f64.logaddexp
            "double-double": (np.float32, -149, 30, 6, 101, 300)}      # f32.logaddexp (in float64)


@pytest.mark.parametrize("which", sorted(U_BOUNDS))
def test_logaddexp_accurate_path_error_bound(which):
    """u = e**mx + e**mn - 1 of the accurate path (f64._logaddexp_u in triple-double for float64
    logaddexp, f64._logaddexp_u_dd in double-double for float32 values) against mpmath: error
    below 2**-bits max(1 - e**mx, e**mn), the bound its docstring uses."""
    mpmath = pytest.importorskip("mpmath")
    dtype, emin, spread, seed, bits, prec = U_BOUNDS[which]
    parts, width = _u_parts(which)
    rng = np.random.default_rng(seed)
    n = 600
    x = np.concatenate([np.exp2(rng.uniform(emin, -1, n // 3)), np.exp2(rng.uniform(-12, np.log2(0.72), n // 3)),
                        rng.uniform(0.3, 0.72, n - 2 * (n // 3))]).astype(dtype)
    mx = -x.astype(np.float64)
    mn = np.log(-np.expm1(mx)) * (1 + rng.uniform(-1, 1, n) * 2.0 ** -rng.uniform(5, spread, n))
    mn = np.minimum(mn.astype(dtype).astype(np.float64), mx)
    out = np.empty((n, width))
    parts(mx, mn, out)
    worst = 0.0
    with mpmath.workprec(prec):
        for i in range(n):
            a, b = mpmath.mpf(mx[i]), mpmath.mpf(mn[i])
            u = mpmath.exp(b) + mpmath.expm1(a)
            w = mpmath.ldexp(sum(mpmath.mpf(v) for v in out[i, 1:]), int(out[i, 0]))
            worst = max(worst, float(abs(w - u) / max(-mpmath.expm1(a), mpmath.exp(b)) * mpmath.mpf(2) ** bits))
    assert worst <= 1.0, (which, worst)


def _libm():
    import ctypes
    import ctypes.util

    path = ctypes.util.find_library("m")
    if not path:
        pytest.skip("no C math library to compare the special-value table with")
    lib = ctypes.CDLL(path)
    for fn in ("pow", "atan2", "expm1", "log1p", "sin", "cos", "tanh", "exp", "log", "atan", "exp2",
               "log2", "erf", "erfc"):
        f = getattr(lib, fn)
        f.restype = ctypes.c_double
        f.argtypes = [ctypes.c_double] * (2 if fn in ("pow", "atan2") else 1)
    return lib


def test_special_values_are_c99():
    """The special-value table of vecmath_accuracy.py against the C library's functions (C99
    Annex F), so that the table itself is right."""
    lib = _libm()
    for name in ("pow", "atan2", "expm1", "log1p", "sin", "cos", "tanh", "exp", "log", "atan", "exp2",
                 "log2", "erf", "erfc"):
        for args, want in acc.SPECIAL_CASES[name] + acc.SPECIAL_CASES_F64.get(name, []):
            if isinstance(want, str):
                want = float(want.split("*")[1]) * math.pi
            got = getattr(lib, name)(*args)
            assert acc.same(np.float64(got), np.float64(want)), (name, args, got, want)


def test_callable_from_python():
    from compiler.vecmath import f32, f64

    assert f64.exp(1.0) == math.e
    assert f64.sigmoid(0.0) == 0.5
    assert math.copysign(1.0, f64.sin(-0.0)) == -1.0
    y = f32.exp(np.float32(1.0))
    assert np.float32(y) == np.float32(math.e)


def test_float32_code_has_no_float64():
    """The float32 functions compute in float32: the LLVM IR of a loop calling them (all inlined)
    has no double outside the Python-object wrapper."""
    for name in acc.FUNCS:
        if name == "logaddexp":
            continue            # the one exception: float32 logaddexp computes in float64
        k = acc.kernel(name, acc.F32)
        args = [np.ones(2, np.float32)] * acc.ARITY.get(name, 1)
        k(*args)
        disp = k.dispatcher
        llvm = disp.inspect_llvm(disp.signatures[0])
        body = [line for line in llvm.splitlines()
                if "double" in line and "PyFloat" not in line and "cpython" not in line]
        assert not body, (name, body[:3])


def test_reduction_table_matches_mpmath():
    mpmath = pytest.importorskip("mpmath")
    from compiler.vecmath import _tables

    with mpmath.workprec(1500):
        want = int(mpmath.floor(2 / mpmath.pi * mpmath.mpf(2) ** _tables.TWO_OVER_PI_BITS))
    assert int(_tables.TWO_OVER_PI_HEX, 16) == want


@pytest.mark.parametrize("n,guard", [(512, None), (64, 13)], ids=["table", "exact-fallback"])
def test_exp2_table_is_the_floor_of_2_to_the_j_over_n(monkeypatch, n, guard):
    """The fixed-point 2**(j/n) behind logaddexp's triple-double e**x (compiler.vecmath._td), against
    mpmath at 600 bits; with 13 guard bits (error bound 4096 units of 2**-13) about half the entries
    take the exact fallback, so both paths are checked."""
    mpmath = pytest.importorskip("mpmath")
    from fractions import Fraction

    from compiler.vecmath import _td

    exact = []
    if guard is not None:
        monkeypatch.setattr(_td, "_GUARD", guard)
        fixed = _td._exp2_fixed
        monkeypatch.setattr(_td, "_exp2_fixed", lambda j, n, bits: exact.append(j) or fixed(j, n, bits))
    got = _td._exp2_fracs(n)
    if guard is not None:
        assert 10 < len(exact) - 1 < n - 10          # the base 2**(1/n) is one call
    with mpmath.workprec(600):
        want = [Fraction(int(mpmath.floor(mpmath.mpf(2) ** (mpmath.mpf(j) / n + _td._P))), 1 << _td._P)
                for j in range(n)]
    assert got == want
    if guard is None:
        table = np.array([v for f in want for v in _td._split(f, 3)], dtype=np.float64)
        assert table.tobytes() == _td.EXP2_TABLE.tobytes()


def _vector_isa():
    flags = set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    except OSError:
        import llvmlite.binding as llvm

        flags = {f[1:] for f in llvm.get_host_cpu_features().flatten().split(",") if f.startswith("+")}
    return ("avx512f" in flags), ("avx2" in flags)


def test_prange_kernel_is_vectorised():
    avx512, avx2 = _vector_isa()
    if not (avx512 or avx2):
        pytest.skip("this CPU has neither AVX2 nor AVX-512: nothing to look for in the assembly")
    import numba

    from compiler.vecmath import f32, f64

    @numba.njit(parallel=True)
    def k64(x, out):
        for i in numba.prange(x.size):
            out[i] = f64.exp(x[i]) + f64.sin(x[i]) * f64.sigmoid(x[i])

    @numba.njit(parallel=True)
    def k32(x, out):
        for i in numba.prange(x.size):
            out[i] = f32.tanh(x[i]) + f32.log(x[i])

    x = np.linspace(0.1, 3.0, 1000)
    out = np.empty_like(x)
    k64(x, out)
    assert np.allclose(out, np.exp(x) + np.sin(x) / (1 + np.exp(-x)), rtol=1e-14)
    x32 = x.astype(np.float32)
    out32 = np.empty_like(x32)
    k32(x32, out32)
    assert np.allclose(out32, np.tanh(x32) + np.log(x32), rtol=1e-6, atol=1e-6)
    reg = r"%[zy]mm"
    for k, suffix in ((k64, "pd"), (k32, "ps")):
        asm = k.inspect_asm(k.signatures[0])
        packed_fma = re.findall(r"\bvfn?m(?:add|sub)\w*%s\b[^\n]*%s" % (suffix, reg), asm)
        packed_mul = re.findall(r"\bvmul%s\b[^\n]*%s" % (suffix, reg), asm)
        assert len(packed_fma) >= 20 and packed_mul, (k.__name__, len(packed_fma), len(packed_mul))
        # and no scalar math library call is left in the loop
        assert not re.search(r"call\w*\s+\S*\b(exp|expf|sin|sinf|log|logf|tanh|tanhf)\b", asm)


def test_fastmath_caller_does_not_change_the_results():
    """The functions are compiled on their own with fastmath=False and inlined by LLVM
    (forceinline), so a kernel compiled with fastmath=True gets the same bits from them."""
    import numba

    from compiler.vecmath import f32, f64

    def body(x, out):
        for i in range(x.size):
            out[0, i] = f64.sin(x[i])
            out[1, i] = f64.log1p(x[i])
            out[2, i] = f64.pow(x[i], 0.75)
            out[3, i] = f64.erfc(x[i])
            out[4, i] = f32.tanh(np.float32(x[i]))

    fast = numba.njit(fastmath=True)(body)
    exact = numba.njit(body)
    x = np.concatenate([np.linspace(-5.0, 30.0, 351), [1e22, 6381956970095103.0 * 2.0 ** 797, np.inf, np.nan]])
    a, b = np.empty((5, x.size)), np.empty((5, x.size))
    fast(x, a)
    exact(x, b)
    assert a.tobytes() == b.tobytes()
