"""The special functions as CUDA device functions, for ``numba.cuda.jit`` kernels.

    from compiler.special.gpu import digamma, j0

    @cuda.jit
    def kernel(x, out):
        i = cuda.grid(1)
        if i < x.size:
            out[i] = digamma(x[i]) + j0(x[i])

Every function is a ``numba.cuda.jit(device=True, inline="always")`` device function: inlined
into the caller's Numba IR, so a kernel and everything it calls form one module, which NVVM
compiles to PTX with no ``.extern`` calls. (A kernel calling a non-inlined device function
needs the CUDA driver's linker, so ``numba.cuda.compile_ptx`` fails on a machine without a GPU
driver.) Inlining copies the function into each caller: a kernel calling polygamma, digamma and
zeta gets three copies of the summations. Compile time grows accordingly, and faster than
linearly (Numba's inliner deep-copies the callee's IR block by block, and SSA reconstruction
walks every block for every reassigned variable): on this project's 2-core machine a kernel
calling one of j0, i0, erfinv, sinc compiles in about a second, digamma or zeta in 2-3 s,
polygamma (digamma + zeta) in ~9 s, and one kernel calling all seventeen functions took about two
minutes (tests/special_ptx_worker.py spreads them over six kernels, ~15 s in all).

Where each comes from on the GPU:

============================================  ==============================================
digamma, polygamma, zeta, erfinv, erfcinv,    compiler/special/scalar.py (Cephes/Boost, the
j0, j1, y0, y1, i0, i0e, i1, i1e, sinc,       same code as on the CPU)
rgamma
gammaln                                       scalar.py's wrapper of math.lgamma, which Numba
                                              lowers to libdevice's __nv_lgamma
rgamma's Gamma                                math.gamma, i.e. libdevice's __nv_tgamma
cbrt                                          libdevice's __nv_cbrt (scalar.py's cbrt needs
                                              exact products that FMA contraction spoils)
============================================  ==============================================

libdevice also has j0, j1, y0, y1, erfinv and erfcinv. They are not used, so that a GPU computes
what the CPU and SciPy compute, special values included (libdevice follows C, where
j0(+-inf) = 0; SciPy, and this package, give nan), and because the CUDA Programming Guide
states only an absolute error bound (of order 1e-12) for its j0, j1, y0, y1 at |x| >= 8, where
these are within a few eps of the envelope (docs/special.md). Neither could be measured here:
this was written and tested without a GPU (PTX compilation and the simulator only). Results on
a GPU differ from the CPU's in the last bits anyway: NVVM contracts a*b + c into fused
multiply-adds.

Under Numba's CUDA simulator (NUMBA_ENABLE_CUDASIM=1 when numba is first imported), libdevice
does not exist: every function here is then the plain-Python build of ``compiler.special``
(cbrt included), wrapped by the simulator's ``cuda.jit(device=True)``, so simulated kernels
compute the same values as ``compiler.special`` and ``compiler.special.cpu``.
"""
from numba import config, cuda

from ._build import build as _build
from ._build import python_build as _python_build
from ._build import quiet_public as _quiet_public
from .scalar import __all__

SIMULATED = bool(config.ENABLE_CUDASIM)

if SIMULATED:
    _functions = {
        name: cuda.jit(device=True)(f)
        for name, f in _quiet_public(_python_build(__name__ + ".python")).items()
    }
else:
    import numpy as np
    from numba.cuda import libdevice as _libdevice

    _device = cuda.jit(device=True, inline="always")

    @_device
    def _cbrt_libdevice(x):
        return _libdevice.cbrt(np.float64(x))

    _functions = _build(_device, __name__, function_overrides={"cbrt": _cbrt_libdevice})

globals().update({name: _functions[name] for name in __all__})   # digamma, polygamma, ... erfinv, j0 ...
del _functions
