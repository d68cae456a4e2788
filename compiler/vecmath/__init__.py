"""Vector math for Numba kernels: branch-free exp, log, sin, ... that LLVM vectorises.

Numba from PyPI has no vector math library (llvmlite ships no SVML), so ``math.exp`` or
``np.exp`` inside a ``prange`` loop is a scalar libm call and the loop stays scalar. The
functions here are written in plain arithmetic on floats and on their bits (integer bit casts,
fused multiply-add, ``select`` instead of branches, small constant tables for sin/cos), compiled
by Numba and inlined into the caller, so that LLVM's loop vectoriser turns such a loop into
AVX2/AVX-512 code (``vfmadd...pd zmm``).

Two modules with the same 17 names, one per precision::

    compiler.vecmath.f64   float64 in, float64 out
    compiler.vecmath.f32   float32 in, float32 out (computes in float32, except logaddexp: float64)

    exp expm1 log log1p exp2 log2 pow tanh sigmoid softplus logaddexp
    sin cos atan atan2 erf erfc

    sigmoid(x) = 1 / (1 + e**-x); softplus(x) = log(1 + e**x) without overflow;
    logaddexp(a, b) = log(e**a + e**b); pow, logaddexp and atan2 take two arguments.

Use inside a kernel (the usual way; ``from compiler.vecmath.f64 import exp`` works as well)::

    import numba
    from compiler.vecmath import f64

    @numba.njit(parallel=True)
    def grad(x, out):
        for i in numba.prange(x.size):
            s = f64.sigmoid(x[i])
            out[i] = s * (1.0 - s)

They are ordinary ``numba.njit`` dispatchers, so they can also be called from Python
(``f64.exp(1.0)``), one scalar at a time. Arguments are converted to the module's float type
(an int or a float32 passed to ``f64.exp`` is converted to float64 first).

Accuracy (max error in ulp against mpmath, 1e6 random points per function and precision plus
the threshold neighbourhoods, and every float32 input for the one-argument float32 functions;
table: docs/vecmath.md, script: benchmarks/vecmath_accuracy.py): below 0.9 ulp for every float64
function and below 1 ulp for every float32 function (the largest, 0.99, is float32 exp),
logaddexp included where its two terms cancel (e**a + e**b close to 1, the result close to 0),
which it computes in triple-double (float32: double-double in float64), at about 6x the time of
the other path (f64._logaddexp_u). Special values (signed zeros, infinities, nan, overflow and underflow
thresholds, subnormal results, the C99 special cases of pow and atan2) follow C99 Annex F.

Sources: SLEEF (Naoki Shibata and contributors, Boost Software License 1.0),
``src/libm/sleefsimddp.c`` and ``sleefsimdsp.c``, for the algorithms and coefficients of most
functions; own constructions for the sin/cos argument reduction (_tables.py), tanh, sigmoid,
softplus and logaddexp, and one refit (fits.py). Each function names its source.

Things to know:

* Compilation: every function is ``njit(forceinline=True, fastmath=False, error_model="numpy")``.
  It is compiled once per argument type, on its own, and LLVM inlines it into the caller
  (``alwaysinline``). Because its instructions are compiled without fast-math flags, a caller
  compiled with ``fastmath=True`` gets exactly the same results from it (the double-double
  arithmetic inside would not survive reassociation). The first use of a function costs about
  0.2 to 2 s of compilation (pow, erf/erfc the most; logaddexp about 4.6 s), once per argument
  type: the machine code goes to Numba's disk cache, stamped with a hash of bpc's code
  (``compiler/jitcache.py``), and later processes load it (LLVM still inlines it).
* Error model: divisions are bare ``fdiv`` instructions (no ZeroDivisionError check), so the
  functions behave the same under either error model of the caller.
* ``cache=True`` kernels that call them work across processes (the functions' code is part of
  the kernel's cached object code). Numba does not notice when this package changes: a cached
  kernel keeps the old version until its cache is cleared or its own source changes.
* Vectorisation needs the loop body to be free of other branches and calls too; a loop that
  calls one of these functions and, say, raises an exception or calls a libm function stays
  scalar (the functions still work, at scalar speed).
* The CPU target compiles for the host CPU (Numba's default): AVX-512 where present, else AVX2.
  On the CUDA target (numba-cuda), the functions run under the CUDA simulator; on a real device
  numba-cuda compiles called @njit functions as device functions, which needs the device at
  compile time (PTX cannot be produced without a GPU); this was not tested on a GPU here. On
  CUDA, libdevice's functions are the natural choice anyway.
"""

from . import f32, f64

__all__ = ["f32", "f64"]
