"""numpy target, scalar programs: inputs broadcast together; results as full arrays or totals."""
from __future__ import annotations

import math

import numpy as np


def inputs(dtype, *values):
    """The inputs as ``dtype`` arrays of one broadcast shape (NumPy scalars when all are scalars)."""
    arrays = [np.asarray(v, dtype=dtype) for v in values]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    if shape == ():
        return shape, [dtype(a) for a in arrays]
    return shape, np.broadcast_arrays(*arrays)


def full(value, shape, dtype=np.float64):
    """``value`` as a new ``dtype`` array of ``shape`` (a NumPy scalar for shape ())."""
    if shape == ():
        return dtype(value)
    value = np.asarray(value, dtype=dtype)
    return value if value.shape == shape else np.broadcast_to(value, shape).copy()


def total(value, shape, dtype=np.float64, mean: bool = False):
    """The sum (or mean) over points of ``value`` broadcast to ``shape``, accumulated in float64."""
    return dtype((np.mean if mean else np.sum)(full(value, shape, np.float64)))


# NumPy has no erf ufunc
erf = np.vectorize(math.erf, otypes=[np.float64])
