"""Calling a compiled module: arguments bound to inputs, options checked, the python target's loop
over points when it reduces. Plain functions over plain values, tested on their own."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..errors import BpcError


def bind(inputs: tuple[str, ...], args, kwargs) -> list:
    """Positional and keyword arguments -> one value per input, in ``inputs`` order."""
    if len(args) > len(inputs):
        raise TypeError(f"takes {len(inputs)} inputs ({', '.join(inputs)}), got {len(args)}")
    values = dict(zip(inputs, args))
    for name, value in kwargs.items():
        if name not in inputs:
            raise TypeError(f"unknown input {name!r} (inputs: {', '.join(inputs)})")
        if name in values:
            raise TypeError(f"input {name!r} given twice")
        values[name] = value
    missing = [n for n in inputs if n not in values]
    if missing:
        raise TypeError(f"missing value for input {missing[0]!r} (inputs: {', '.join(inputs)})")
    return [values[n] for n in inputs]


def check_params(inputs, params, values) -> None:
    for name, value in zip(inputs, values):
        if name in params and np.ndim(value) != 0:
            raise BpcError(f"parameter {name!r} must be a scalar shared by every point "
                           f"(got shape {np.shape(value)})")


def call(g, values: list, out=None):
    """Call ``g``'s module entry with bound ``values`` as its target expects."""
    fn = g._fn
    if g.shapes is not None:            # an array program: its module checks shapes, loops over points
        return fn(*values, out=out)
    if g.target == "cuda":
        require_gpu()
    if g.target in ("numba", "cuda"):
        return fn(*values, out=out)
    if out is not None:
        raise BpcError(f"out= is supported by the numba and cuda targets, not {g.target!r}")
    if g.target == "python":
        if g.reduce:
            return loop_points(fn, g.inputs, g.params, g.wrt, g.reduce, values, np.dtype(g.request.dtype).type)
        for name, value in zip(g.inputs, values):
            if np.ndim(value) != 0:
                raise BpcError(f"input {name!r} must be a scalar on the python target "
                               f"(got shape {np.shape(value)})", hint="use target='numpy' for arrays")
    return fn(*values)


def loop_points(fn, inputs, params, wrt, reduce, values, dtype=np.float64):
    """python target with reduce=: call the scalar function point by point and sum (in float64)."""
    points = [i for i, name in enumerate(inputs) if name not in params]
    shape = np.broadcast_shapes(*(np.shape(values[i]) for i in points)) if points else ()
    columns = {i: np.broadcast_to(np.asarray(values[i], dtype=dtype), shape).reshape(-1) for i in points}
    n = int(np.prod(shape)) if shape else 1
    per_point = [name not in params for name in wrt]
    total, grad_totals = 0.0, [0.0] * len(wrt)
    grad_arrays = [np.empty(n) for _ in wrt]
    for k in range(n):
        point = [columns[i][k] if i in columns else values[i] for i in range(len(values))]
        f, grads = fn(*point)
        total += f
        for j, d in enumerate(grads):
            grad_totals[j] += d
            grad_arrays[j][k] = d
    scale = 1.0 / n if reduce == "mean" else 1.0
    grads = tuple((grad_arrays[j].reshape(shape) * scale).astype(dtype)[()] if per_point[j] else
                  dtype(grad_totals[j] * scale) for j in range(len(wrt)))
    return dtype(total * scale), grads


@lru_cache(maxsize=None)
def _gpu_or_simulator() -> bool:
    from numba import config, cuda

    return bool(config.ENABLE_CUDASIM) or cuda.is_available()


def require_gpu() -> None:
    if not _gpu_or_simulator():
        raise BpcError("the cuda target found no usable CUDA GPU (driver and device)",
                       hint="NUMBA_ENABLE_CUDASIM=1 runs the kernel in Numba's CUDA simulator; g.ptx() needs no GPU")
