"""Special functions for the targets that have no library for them (issue #13).

The python and numpy targets get digamma, polygamma, erfinv, the Bessel functions, ... from
``scipy.special``. Numba has none of them (it has ``math.gamma``, ``math.lgamma``,
``math.erf``, ``math.erfc``), and CUDA's libdevice lacks digamma, polygamma, the Hurwitz zeta
function and the modified Bessel functions. So they are written once, in
``compiler/special/scalar.py``, in the subset of Python that Numba compiles for both the CPU and
CUDA, from published algorithms: Cephes (Stephen L. Moshier; ``psi.c``, ``zeta.c``,
``ndtri.c``, ``j0.c``, ``j1.c``, ``i0.c``, ``i1.c``, ``chbevl.c``, as distributed with SciPy)
and Boost.Math (the digamma rational approximation on [1, 2]); see scalar.py's docstring for the
function-by-function sources and the few changes made for accuracy.

Three builds of the same code, imported from one place each:

* ``compiler.special`` (this module): plain Python, float64 in and out (numpy.float64), IEEE
  semantics without exceptions or warnings; the reference the compiled versions are tested
  against, and what the CUDA simulator runs;
* ``compiler.special.cpu``: ``numba.njit`` functions, to call from ``@njit`` kernels;
* ``compiler.special.gpu``: ``numba.cuda.jit(device=True, inline="always")`` functions, to call
  from CUDA kernels (libdevice's ``cbrt`` and ``lgamma``); plain Python under the simulator.

Functions (all scalar, float64 result; float32 and integer arguments are accepted and computed
in float64): ``digamma(x)``, ``polygamma(n, x)``, ``zeta(s, q)`` (Hurwitz), ``erfinv(x)``,
``erfcinv(x)``, ``j0``, ``j1``, ``y0``, ``y1``, ``i0``, ``i0e``, ``i1``, ``i1e``,
``gammaln``, ``rgamma``, ``sinc``, ``cbrt``. Special values follow SciPy (numpy for sinc); the
docstrings say where they differ.

Accuracy against mpmath at 50 digits, and the first and second derivatives of each function in
terms of these functions: ``docs/special.md`` (measured by ``benchmarks/special_accuracy.py``,
raw numbers in ``benchmarks/results/special_accuracy.json``).
"""
from ._build import python_build as _python_build
from ._build import quiet_public as _quiet_public
from .scalar import __all__

_functions = _quiet_public(_python_build(__name__ + ".python"))

globals().update({name: _functions[name] for name in __all__})   # digamma, polygamma, ... erfinv, j0 ...
del _functions
