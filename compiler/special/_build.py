"""Copies of the functions of ``compiler.special.scalar`` for one target.

``build(decorate, module_name, ...)`` clones every function of ``scalar`` (same code object) with
a fresh globals dict in which each function name refers to the decorated clone, so that, e.g.,
``digamma`` compiled by Numba calls the compiled ``_polevl``. The same dict can replace ``math``
and ``float`` and override whole functions (libdevice on CUDA).

For plain Python (``python_build``), ``math`` is replaced by ``_IEEEMath`` and ``float`` by
``numpy.float64``: Python's own float arithmetic and ``math`` raise on 1/0, overflow and
domain errors where Numba (error_model="numpy"), CUDA and C return inf or nan. With float64
scalars under ``numpy.errstate(all="ignore")`` the arithmetic is IEEE arithmetic, silent, and
rounds exactly as the compiled code does; ``_IEEEMath`` calls the same C library functions as
Numba's CPU target (``math.exp`` etc. wrap libm; ``lgamma``/``tgamma`` through ctypes, since
CPython's ``math.lgamma``/``math.gamma`` are its own approximations), so the pure-Python results
equal the ``compiler.special.cpu`` results bit for bit on the same machine.
"""
import ctypes
import ctypes.util
import functools
import inspect
import math
import types

import numpy as np

from . import scalar

_f64 = np.float64
_INF = float("inf")
_NAN = float("nan")


def _libm_function(name):
    try:
        path = ctypes.util.find_library("m")
        lib = ctypes.CDLL(path) if path else ctypes.CDLL(None)
        fn = getattr(lib, name)
    except (OSError, AttributeError):  # no C library to load: CPython's approximation
        return None
    fn.restype = ctypes.c_double
    fn.argtypes = [ctypes.c_double]
    return fn


_LGAMMA = _libm_function("lgamma")
_TGAMMA = _libm_function("tgamma")


class _IEEEMath:
    """The ``math`` functions scalar.py uses, with C's results instead of exceptions."""

    pi = math.pi

    @staticmethod
    def exp(x):
        try:
            return _f64(math.exp(x))
        except OverflowError:
            return _f64(_INF)

    @staticmethod
    def log(x):
        if x == 0.0:
            return _f64(-_INF)
        if x < 0.0:
            return _f64(_NAN)
        return _f64(math.log(x))

    @staticmethod
    def sqrt(x):
        if x < 0.0:
            return _f64(_NAN)
        return _f64(math.sqrt(x))

    @staticmethod
    def sin(x):
        if x in (_INF, -_INF):
            return _f64(_NAN)
        return _f64(math.sin(x))

    @staticmethod
    def cos(x):
        if x in (_INF, -_INF):
            return _f64(_NAN)
        return _f64(math.cos(x))

    @staticmethod
    def pow(x, y):
        try:
            return _f64(math.pow(x, y))
        except OverflowError:
            odd = y == math.floor(y) and math.fmod(y, 2.0) != 0.0
            return _f64(-_INF if (x < 0.0 and odd) else _INF)
        except ValueError:
            if x == 0.0:  # 0 ** negative
                odd = y == math.floor(y) and math.fmod(y, 2.0) != 0.0
                return _f64(math.copysign(_INF, x) if odd else _INF)
            return _f64(_NAN)  # negative ** non-integer

    @staticmethod
    def floor(x):
        return math.floor(x)

    @staticmethod
    def frexp(x):
        m, e = math.frexp(x)
        return _f64(m), e

    @staticmethod
    def ldexp(x, i):
        try:
            return _f64(math.ldexp(x, i))
        except OverflowError:
            return _f64(math.copysign(_INF, x))

    @staticmethod
    def copysign(x, y):
        return _f64(math.copysign(x, y))

    @staticmethod
    def lgamma(x):
        if _LGAMMA is not None:
            return _f64(_LGAMMA(x))
        try:
            return _f64(math.lgamma(x))
        except (ValueError, OverflowError):
            return _f64(_NAN if x != x else _INF)

    @staticmethod
    def gamma(x):
        if _TGAMMA is not None:
            return _f64(_TGAMMA(x))
        try:
            return _f64(math.gamma(x))
        except OverflowError:
            return _f64(_INF)
        except ValueError:
            return _f64(_NAN)


def scalar_functions():
    """name -> function for every function defined in compiler.special.scalar."""
    return {
        name: obj
        for name, obj in vars(scalar).items()
        if inspect.isfunction(obj) and obj.__module__ == scalar.__name__
    }


def build(decorate, module_name, globals_overrides=None, function_overrides=None):
    """Clone scalar's functions into one globals dict, decorate each; return name -> function.

    function_overrides (name -> callable) replace the clone of that name both in the result and
    for the other clones that call it."""
    namespace = dict(vars(scalar))
    namespace["__name__"] = module_name
    if globals_overrides:
        namespace.update(globals_overrides)
    result = {}
    for name, f in scalar_functions().items():
        clone = types.FunctionType(f.__code__, namespace, f.__name__, f.__defaults__, f.__closure__)
        clone.__qualname__ = f.__qualname__
        clone.__doc__ = f.__doc__
        clone.__module__ = module_name
        result[name] = namespace[name] = decorate(clone)
    if function_overrides:
        namespace.update(function_overrides)
        result.update(function_overrides)
    return result


def _quiet(fn):
    """fn under numpy.errstate(all='ignore'), returning a numpy.float64."""

    @functools.wraps(fn)
    def wrapper(*args):
        with np.errstate(all="ignore"):
            return _f64(fn(*args))

    return wrapper


def python_build(module_name):
    """The pure-Python versions: IEEE semantics, no exceptions, no warnings."""
    return build(
        lambda f: f,
        module_name,
        globals_overrides={"math": _IEEEMath, "float": _f64},
        function_overrides=None,
    )


def quiet_public(functions):
    """The public functions of a python_build, each wrapped by _quiet."""
    return {name: _quiet(functions[name]) for name in scalar.__all__}
