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


def direction(mode, wrt, v) -> list:
    """``v=`` (one value per ``wrt`` input, as a sequence in ``wrt`` order or a dict by name) -> a list."""
    if mode == "hessian":
        if v is not None:
            raise BpcError("v= is the direction of a JVP or HVP; order=2 returns the whole Hessian")
        return []
    if v is None:
        raise BpcError(f"a {mode.upper()} needs a direction: v=(one value per wrt input: {', '.join(wrt)})")
    if isinstance(v, dict):
        unknown = [k for k in v if k not in wrt]
        if unknown:
            raise BpcError(f"v= names {unknown[0]!r}, which is not a wrt input ({', '.join(wrt)})")
        v = [v.get(w, 0.0) for w in wrt]
    elif not isinstance(v, (list, tuple)) and len(wrt) == 1:
        v = [v]
    v = list(v)
    if len(v) != len(wrt):
        raise BpcError(f"v= takes one direction per wrt input ({', '.join(wrt)}): got {len(v)}")
    return v


def call(g, values: list, out=None, names=None, shared=None):
    """Call ``g``'s module entry with bound ``values`` as its target expects (``names``, ``shared``:
    the inputs and shared parameters of a second-order module, directions included)."""
    names = names if names is not None else g.inputs
    shared = shared if shared is not None else g.params
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
        if g.reduce and g.mode is not None:
            module = g._module
            flat = getattr(module, module.FLAT)
            value, results = loop_flat(flat, names, shared, module.FLAT_REDUCED, g.reduce, values,
                                       np.dtype(g.request.dtype).type)
            return module._arrange(value, results)
        if g.reduce:
            return loop_points(fn, g.inputs, g.params, g.wrt, g.reduce, values, np.dtype(g.request.dtype).type)
        for name, value in zip(names, values):
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


def loop_flat(fn, inputs, params, reduced, reduce, values, dtype=np.float64):
    """python target with reduce=, second-order modules: call the flat function point by point; the
    results ``reduced`` marks (value first) are summed (in float64), the others kept per point."""
    points = [i for i, name in enumerate(inputs) if name not in params]
    shape = np.broadcast_shapes(*(np.shape(values[i]) for i in points)) if points else ()
    columns = {i: np.broadcast_to(np.asarray(values[i], dtype=dtype), shape).reshape(-1) for i in points}
    n = int(np.prod(shape)) if shape else 1
    count = len(reduced) - 1
    totals, arrays = [0.0] * (count + 1), [np.empty(n) for _ in range(count)]
    for k in range(n):
        point = [columns[i][k] if i in columns else values[i] for i in range(len(values))]
        f, results = fn(*point)
        totals[0] += f
        for j, d in enumerate(results):
            totals[j + 1] += d
            arrays[j][k] = d
    scale = 1.0 / n if reduce == "mean" else 1.0
    results = tuple(dtype(totals[j + 1] * scale) if reduced[j + 1] else (arrays[j].reshape(shape) * scale).astype(dtype)[()]
                    for j in range(count))
    return dtype(totals[0] * scale), results


@lru_cache(maxsize=None)
def _gpu_or_simulator() -> bool:
    from numba import config, cuda

    return bool(config.ENABLE_CUDASIM) or cuda.is_available()


def require_gpu() -> None:
    if not _gpu_or_simulator():
        raise BpcError("the cuda target found no usable CUDA GPU (driver and device)",
                       hint="NUMBA_ENABLE_CUDASIM=1 runs the kernel in Numba's CUDA simulator; g.ptx() needs no GPU")
