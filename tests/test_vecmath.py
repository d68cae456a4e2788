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
        # where max(a, b) and log1p(e**-|a - b|) cancel (|result| < 2**-10) the target is not met;
        # the absolute error is bounded instead (docs/vecmath.md)
        c = r["cancellation"]
        assert c["max_abs_error"] <= (2.0 ** -60 if fmt.p == 53 else 2.0 ** -30), c


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
