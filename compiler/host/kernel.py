"""numba target, scalar programs: flat input arrays for the kernel, out= arrays, results gathered."""
from __future__ import annotations

import numpy as np


def points(dtype, *values):
    """Per-point inputs as flat, contiguous ``dtype`` arrays of one broadcast shape."""
    arrays = [np.asarray(v, dtype=dtype) for v in values]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    flat = [np.ascontiguousarray(a if a.shape == shape else np.broadcast_to(a, shape)).reshape(-1) for a in arrays]
    return shape, flat


def outputs(out, shape, count, dtype):
    """New arrays, or the arrays of an earlier result passed back as ``out=`` (no allocation)."""
    size = 1
    for k in shape:
        size *= k
    if out is None:
        return [np.empty(size, dtype=dtype) for _ in range(count)]
    value, grads = out
    arrays = [a for a in (value, *grads) if isinstance(a, np.ndarray) and a.ndim > 0]
    if len(arrays) != count:
        raise ValueError(f"out= must be an earlier result of this function: expected {count} arrays, got {len(arrays)}")
    for a in arrays:
        if a.shape != shape or a.dtype != dtype or not a.flags.c_contiguous or not a.flags.writeable:
            raise ValueError(f"out= arrays must be writable, C-contiguous {np.dtype(dtype).name} of shape {shape}, "
                             f"got {a.dtype} {a.shape}")
    return [a.reshape(-1) for a in arrays]


def results(reduced, outs, sums, shape, n, mean, dtype):
    """(value, grads) from the kernel's per-point arrays and its sums, in the order of ``reduced``
    (True: a total over points, divided by ``n`` for a mean; False: a per-point array)."""
    arrays, totals = iter(outs), iter(sums)
    values = [dtype(next(totals) / n if mean else next(totals)) if r else next(arrays).reshape(shape)[()]
              for r in reduced]
    return values[0], tuple(values[1:])
