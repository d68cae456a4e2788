"""Targets as plugins: one row per target below; its printers live in its module.

    python.py   scalar code over NumPy float64 scalars, one point per call
    numpy.py    array code (broadcast points, or whole-array programs)
    numba.py    one fused Numba kernel (prange), or one @njit function for array programs
    cuda.py     one numba.cuda kernel with a grid-stride loop
    xp.py       the numpy target's code on the array API standard: NumPy, CuPy, PyTorch ... arrays

A row names the target's printers and templates, the imports its scaffolding needs, the names
its printers may import, and the options it takes; ``Target.reserved()`` adds the names its
templates use, read from the templates.
"""
from __future__ import annotations

from ..errors import BpcError
from .base import Target

_NP = "import numpy as np"
_KERNEL = frozenset({"fastmath", "dtype"})
_ARRAYS = (_NP, "from compiler.host.arrays import check as _arrays, finish as _finish")
_ARRAY_HELPERS = ("softmax", "log_softmax", "cross_entropy", "cross_entropy_grad")
_XP = "from compiler.host.xp import "

TARGETS: dict[str, Target] = {t.name: t for t in (
    Target("python", "python:PythonPrinter", "python.py.j2", "numpy:ArrayPrinter", "arrays.py.j2",
           imports=(_NP,), array_imports=_ARRAYS, brings=("math", "erf", *_ARRAY_HELPERS),
           about="scalar code, one point per call (array programs: the numpy target's array code)"),
    Target("numpy", "numpy:NumPyPrinter", "numpy.py.j2", "numpy:ArrayPrinter", "arrays.py.j2",
           imports=(_NP, "from compiler.host.broadcast import full as _full, inputs as _inputs, total as _total"),
           array_imports=_ARRAYS, brings=("math", "erf", *_ARRAY_HELPERS),
           about="array code over broadcast inputs; outputs never alias each other or the inputs"),
    Target("numba", "numba:NumbaPrinter", "numba.py.j2", "numba:NumbaArrayPrinter", "arrays.py.j2",
           imports=("import os", _NP, "from numba import njit, prange",
                    "from compiler.host.kernel import outputs as _outputs, points as _points, results as _results"),
           array_imports=("import os", *_ARRAYS, "from numba import njit, prange"),
           brings=("math", "erf", "_vm", *_ARRAY_HELPERS, *(f"{h}0" for h in _ARRAY_HELPERS), "add_into", "copy_into"),
           options=_KERNEL | {"parallel", "math"}, out=True,
           about="one fused @njit(parallel=True) kernel: a prange loop over the points"),
    Target("cuda", "cuda:CudaPrinter", "cuda.py.j2",
           imports=("import math", "import os", "from types import SimpleNamespace", _NP,
                    "from numba import config, cuda, float64",
                    "from compiler.host.device import THREADS, outputs as _outputs, points as _points, "
                    "results as _results, run as _run"),
           brings=("math",), options=_KERNEL, out=True,
           about="one numba.cuda kernel with a grid-stride loop; NumPy or GPU arrays in and out"),
    Target("xp", "xp:XpPrinter", "xp.py.j2", "xp:XpArrayPrinter", "xp.py.j2",
           imports=(_XP + "const as _xp_const, full as _xp_full, inputs as _xp_inputs, quiet as _quiet, size as _size, total as _xp_total",),
           array_imports=(_XP + "check as _xp_arrays, finish as _xp_finish, loop as _xp_loop",),
           brings=("math", "_size", *_ARRAY_HELPERS), options=frozenset({"dtype"}),
           about="the numpy target's code on the array API standard (array-api-compat): runs on NumPy, CuPy, "
                 "PyTorch ... arrays, on their device, and returns the caller's kind of array"),
)}


def get(name: str) -> Target:
    if name not in TARGETS:
        raise BpcError(f"unknown target {name!r}", hint=f"choose one of: {', '.join(TARGETS)}")
    return TARGETS[name]


__all__ = ["TARGETS", "Target", "get"]
