"""Second-order modules (jvp, hvp, hessian): their flat results arranged as the API returns them."""
from __future__ import annotations

import numpy as np


def _copy(a):
    """A new array (or scalar) with ``a``'s values, of the same kind (NumPy, or a GPU array)."""
    if hasattr(a, "copy"):
        return a.copy()
    if hasattr(a, "clone"):                      # PyTorch
        return a.clone()
    if hasattr(a, "copy_to_host"):               # Numba device array
        from numba import cuda

        return cuda.to_device(a.copy_to_host())
    return a


def _fill(into, a):
    """Write ``a``'s values into the array ``into`` (an ``out=`` array)."""
    if isinstance(into, np.ndarray):
        np.copyto(into, np.asarray(a))
    elif hasattr(into, "copy_"):                 # PyTorch
        into.copy_(a)
    elif hasattr(into, "copy_to_device"):
        into.copy_to_device(a)
    else:
        into[...] = a
    return into


def hessian(flat, n, out=None):
    """The upper triangle (i <= j, row by row) -> a tuple of ``n`` rows; ``H[j][i]`` holds the values
    of ``H[i][j]`` in an array of its own (never an alias), written into ``out``'s when given."""
    upper = iter(flat)
    rows = [[None] * n for _ in range(n)]
    for i in range(n):
        for j in range(i, n):
            rows[i][j] = next(upper)
    given = out[2] if out is not None else None
    for i in range(n):
        for j in range(i):
            mirror = rows[j][i]
            if given is not None and np.ndim(given[i][j]) > 0:
                rows[i][j] = _fill(given[i][j], mirror)
            else:
                rows[i][j] = _copy(mirror)
    return tuple(tuple(row) for row in rows)


def flat_out(out, mode):
    """An earlier result (value, ...) as the flat module function's ``out=``: (value, flat results)."""
    if out is None:
        return None
    if mode == "jvp":
        value, derivative = out
        return value, (derivative,)
    if mode == "hvp":
        value, grads, hv = out
        return value, (*grads, *hv)
    value, grads, h = out
    n = len(grads)
    return value, (*grads, *(h[i][j] for i in range(n) for j in range(i, n)))
