"""Targets as plugins: one row per target below; its printers live in its module.

    python.py   scalar code over NumPy float64 scalars, one point per call
    numpy.py    array code (broadcast points, or whole-array programs)
    numba.py    one fused Numba kernel (prange), or one @njit function for array programs
    cuda.py     one numba.cuda kernel with a grid-stride loop
"""
from __future__ import annotations

from ..errors import BpcError
from .base import Target

_KERNEL = frozenset({"fastmath", "dtype"})

TARGETS: dict[str, Target] = {t.name: t for t in (
    Target("python", "python:PythonPrinter", "python.py.j2",
           about="scalar code, one point per call"),
    Target("numpy", "numpy:NumPyPrinter", "numpy.py.j2", "numpy:ArrayPrinter", "matrix.py.j2",
           about="array code over broadcast inputs; outputs never alias each other or the inputs"),
    Target("numba", "numba:NumbaPrinter", "numba.py.j2", "numba:NumbaArrayPrinter", "matrix.py.j2",
           options=_KERNEL | {"parallel"}, out=True,
           about="one fused @njit(parallel=True) kernel: a prange loop over the points"),
    Target("cuda", "cuda:CudaPrinter", "cuda.py.j2", options=_KERNEL, out=True,
           about="one numba.cuda kernel with a grid-stride loop; NumPy or GPU arrays in and out"),
)}


def get(name: str) -> Target:
    if name not in TARGETS:
        raise BpcError(f"unknown target {name!r}", hint=f"choose one of: {', '.join(TARGETS)}")
    return TARGETS[name]


__all__ = ["TARGETS", "Target", "get"]
