"""What ``compile()`` was asked for, checked before any work: the target and its options, ``wrt``,
``params``, ``reduce``, ``shapes``. Light on purpose (no SymPy): a module found in the cache is
loaded with nothing but this and the cache key."""
from __future__ import annotations

import inspect
from dataclasses import dataclass

from .errors import BpcError
from .targets import get

REDUCTIONS = (None, "sum", "mean")
SECOND = (None, "jvp", "hvp", "hessian")
MATH = ("auto", "vecmath", "libm")
DTYPES = ("float64", "float32")


def names_list(value) -> tuple[str, ...] | None:
    """``"x, y"`` or ``["x", "y"]`` -> ``("x", "y")``; None stays None."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [w.strip() for w in value.split(",") if w.strip()]
    return tuple(value)


def dtype_name(dtype) -> str:
    """``"float32"``, ``np.float32`` or ``np.dtype("float32")`` -> ``"float32"`` (float64 and float32 only)."""
    import numpy as np

    try:
        name = np.dtype(dtype).name
    except TypeError:
        name = None
    if name not in DTYPES:
        raise BpcError(f"unknown dtype {dtype!r}", hint="choose float64 or float32 (a string or a NumPy dtype)")
    return name


def check_shapes(shapes) -> dict | None:
    """``shapes=`` as given by a user -> {input: tuple of sizes}; sizes are positive integers or names."""
    if shapes is None:
        return None
    if not isinstance(shapes, dict):
        raise BpcError("shapes= takes a dict: input name -> tuple of sizes")
    checked = {}
    for name, shape in shapes.items():
        shape = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
        for d in shape:
            if not ((isinstance(d, int) and not isinstance(d, bool) and d >= 1) or (isinstance(d, str) and d.isidentifier())):
                raise BpcError(f"shape of {name!r}: sizes are positive integers or names, got {d!r}")
        if len(shape) > 2:
            raise BpcError(f"shape of {name!r}: array programs take scalars, vectors and matrices, got "
                           f"({', '.join(map(str, shape))})")
        checked[str(name)] = shape
    return checked


def describe(source) -> tuple[str, str]:
    """(kind, text) of a source, for the cache key: its text as given, without parsing it."""
    if isinstance(source, str):
        return "text", source
    if callable(source) and hasattr(source, "__code__"):
        try:
            return "function", inspect.getsource(source)
        except (OSError, TypeError):
            return "function", repr(source)   # parse() reports the real problem
    import sympy

    if isinstance(source, sympy.Basic):
        return "sympy", sympy.srepr(source)
    raise BpcError(f"cannot compile an object of type {type(source).__name__}",
                   hint="pass a formula string, a def function or a SymPy expression")


def second_mode(jvp=False, hvp=False, order=1) -> str | None:
    """``jvp=True``, ``hvp=True`` or ``order=2`` -> "jvp", "hvp" or "hessian" (None: the gradient)."""
    if order not in (1, 2) or isinstance(order, bool):
        raise BpcError(f"order={order!r}: bpc compiles first (order=1, the gradient) and second (order=2, the "
                       f"Hessian) derivatives")
    asked = [m for m, on in (("jvp", jvp), ("hvp", hvp), ("hessian", order == 2)) if on]
    if len(asked) > 1:
        raise BpcError(f"choose one of jvp=True, hvp=True and order=2 (got {', '.join(asked)})",
                       hint="hvp=True returns the value and the gradient too")
    return asked[0] if asked else None


@dataclass(frozen=True)
class Request:
    """Everything ``compile()`` was asked for, checked: what the cache key is made of."""

    target: str = "python"
    wrt: tuple[str, ...] | None = None
    params: tuple[str, ...] = ()
    reduce: str | None = None
    fastmath: bool = False
    parallel: bool = True
    dtype: str = "float64"
    stable: bool = True
    shapes: dict | None = None
    inputs: tuple[str, ...] | None = None
    math: str = "libm"
    second: str | None = None       # None (the gradient) | "jvp" | "hvp" | "hessian"

    @classmethod
    def make(cls, target="python", wrt=None, params=(), reduce=None, fastmath=False, parallel=True,
             dtype="float64", stable=True, shapes=None, inputs=None, math=None, second=None) -> "Request":
        plugin = get(target)
        if math is None:
            math = "auto" if "math" in plugin.options else "libm"
        if math not in MATH:
            raise BpcError(f"unknown math {math!r}", hint="choose 'auto', 'vecmath' or 'libm'")
        if math != "libm" and "math" not in plugin.options:
            raise BpcError(f"math={math!r} is an option of the numba target (the others use NumPy, math or libdevice)")
        if reduce not in REDUCTIONS:
            raise BpcError(f"unknown reduce {reduce!r}", hint="choose None, 'sum' or 'mean'")
        dtype = dtype_name(dtype)
        if "fastmath" not in plugin.options and fastmath:
            raise BpcError("fastmath= is an option of the numba and cuda targets")
        if "parallel" not in plugin.options and not parallel:
            raise BpcError("parallel= is an option of the numba target")
        shapes = check_shapes(shapes)
        params = names_list(params) or ()
        if shapes is not None:
            if plugin.array_printer is None:
                raise BpcError(f"array programs compile for the python, numpy, numba and xp targets, not {target!r}",
                               hint="the cuda target runs scalar programs; run an array program on numba or numpy, or on GPU arrays with target='xp'")
            if dtype != "float64":
                raise BpcError("dtype= is not an option of array programs: they compute in float64")
            if second == "hessian":
                raise BpcError("a full Hessian (order=2) is for scalar programs: an array program's Hessian has "
                               "as many entries as its parameters squared",
                               hint="use hvp=True for Hessian-vector products (or jvp=True for directional derivatives)")
        if second not in SECOND:
            raise BpcError(f"unknown second-order mode {second!r}")
        return cls(target, names_list(wrt), params, reduce, fastmath, parallel, dtype, stable, shapes,
                   names_list(inputs), math, second)

    def key(self) -> list[str]:
        """The request's part of the cache key (the source and bpc's own code are the rest)."""
        return [self.target, repr(self.wrt), repr(self.params), repr(self.reduce), repr(self.fastmath),
                repr(self.parallel), self.dtype, repr(self.stable), repr(self.inputs), self.math] + \
               ([repr(sorted(self.shapes.items()))] if self.shapes else []) + \
               ([f"second={self.second}"] if self.second else [])
