"""The numba target on compiler.vecmath (the default): its kernels are vectorised, they agree
with libm's to a few ulp, and math="libm" keeps the C library's scalar functions."""
import re

import numpy as np
import pytest

import compiler
from conftest import example_sources
from test_vecmath import _vector_isa

F3 = "sin(x*y)*exp(-z**2) + log(1 + x**2 + y**2)*tanh(z)"
SOURCES = example_sources()


def _asm(g):
    kernel = g.kernel
    return kernel.inspect_asm(kernel.signatures[0])


def test_a_bpc_kernel_is_vectorised():
    avx512, avx2 = _vector_isa()
    if not (avx512 or avx2):
        pytest.skip("this CPU has neither AVX2 nor AVX-512: nothing to look for in the assembly")
    g = compiler.compile(F3, target="numba", parallel=False)
    assert "_vm.sin(" in g.source and "from compiler.vecmath import f64 as _vm" in g.source
    x = np.linspace(-1, 1, 64)
    g(x, x, x)
    asm = _asm(g)
    packed = re.findall(r"\bv\w+pd\b[^\n]*%[zy]mm", asm)
    assert len(packed) > 100, len(packed)
    assert not re.search(r"call\w*\s+\S*\b(exp|sin|log|tanh)\b", asm)
    libm = compiler.compile(F3, target="numba", parallel=False, math="libm")
    libm(x, x, x)
    assert "np.sin(" in libm.source and re.search(r"\b(sin|exp)\b", _asm(libm))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_vecmath_and_libm_kernels_agree(dtype):
    rng = np.random.default_rng(0)
    args = [rng.uniform(-2, 2, 1000) for _ in range(3)]
    tol = 1e-13 if dtype == "float64" else 1e-5
    for source in (F3, SOURCES.CS231N_FORMULA, "softplus(x) + logaddexp(y, z) + erf(x*y) + atan2(y, 2 + z) + x**abs(y)"):
        a = compiler.compile(source, target="numba", dtype=dtype)(*args[:3 if "z" in source else 2])
        b = compiler.compile(source, target="numba", dtype=dtype, math="libm")(*args[:3 if "z" in source else 2])
        for u, v in zip((a[0], *a[1]), (b[0], *b[1])):
            assert u.dtype == np.dtype(dtype)
            np.testing.assert_allclose(u, v, rtol=tol, atol=tol)


def test_auto_takes_vecmath_for_small_kernels_and_libm_for_big_ones():
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from formulas import random_expression

    from compiler.pipeline import generate

    small, _ = generate(F3, target="numba")
    big, graph = generate(random_expression(300, 4), target="numba")
    assert "_vm." in small
    assert len(graph.stages) > 128 and "_vm." not in big and "np.sin(" in big
    forced, _ = generate(random_expression(300, 4), target="numba", math="vecmath")
    assert "_vm.sin(" in forced


def test_math_is_an_option_of_the_numba_target_only():
    with pytest.raises(compiler.BpcError, match="math='vecmath' is an option of the numba target"):
        compiler.compile("x", target="numpy", math="vecmath")
    with pytest.raises(compiler.BpcError, match="unknown math"):
        compiler.compile("x", target="numba", math="svml")
    assert "_vm" not in compiler.compile("exp(x)", target="cuda").source


def test_auto_takes_libm_for_sums_over_points_unless_fastmath():
    """A loop that sums over points stays scalar without fastmath (float sums keep their order), and
    branch-free vecmath is slower than libm in scalar code: auto takes libm there."""
    from compiler.pipeline import generate

    text, params = "(A*exp(-b*t)*cos(w*t + phi) - y)**2", ("A", "b", "w", "phi")
    summed, _ = generate(text, target="numba", params=params, reduce="mean", wrt=params)
    fast, _ = generate(text, target="numba", params=params, reduce="mean", wrt=params, fastmath=True)
    points, _ = generate(text, target="numba")
    assert "_vm." not in summed and "np.exp(" in summed
    assert "_vm.exp(" in fast and "_vm.exp(" in points
