"""The special functions as ``numba.njit`` functions, for ``@njit`` kernels.

    from compiler.special.cpu import digamma, j0

    @njit(cache=True)
    def kernel(x, out):
        for i in range(x.size):
            out[i] = digamma(x[i]) + j0(x[i])

Each is a separate Numba dispatcher compiled (lazily, for the argument types it meets) with
``error_model="numpy"`` (1/0 gives inf, not ZeroDivisionError), without ``inline="always"``: the
bigger ones (digamma, zeta, polygamma, the Bessel functions) would be copied into every caller's
Numba IR, which costs compile time for no speed (LLVM still inlines the small ones it likes).
A caller compiled with ``cache=True`` caches fine: the callees' machine code is linked into the
caller's cache entry (tests/test_special.py reloads one in a second process). Like any Numba
cache, that entry is not invalidated when this package changes; clear the cache after upgrading.

Compilation happens at the first call for each argument type (float64 and float32 compile
separately; the body always computes in float64): about 12 s for all seventeen functions, 1-2 s
for the larger ones. The machine code goes to Numba's disk cache, stamped with a hash of bpc's
code (``compiler/jitcache.py``), so later processes load it. They are pure functions, safe in
``prange`` loops (the C library's lgamma also writes the global ``signgam``, a harmless race).

Results equal ``compiler.special``'s (the plain-Python build) bit for bit: same code, same C
library calls, no fused multiply-adds. gammaln is the C library's lgamma (Numba's math.lgamma),
rgamma uses its tgamma.
"""
from ..jitcache import njit_cached
from ._build import build as _build
from .scalar import __all__

_functions = _build(njit_cached(error_model="numpy"), __name__)

globals().update({name: _functions[name] for name in __all__})   # digamma, polygamma, ... erfinv, j0 ...
del _functions
