"""numpy target, scalar programs: inputs broadcast together; results as full arrays or totals."""
from __future__ import annotations

import math

import numpy as np


def inputs(*values):
    """The inputs as float64 arrays of one broadcast shape (NumPy scalars when all are scalars)."""
    arrays = [np.asarray(v, dtype=np.float64) for v in values]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    if shape == ():
        return shape, [np.float64(a) for a in arrays]
    return shape, np.broadcast_arrays(*arrays)


def full(value, shape):
    """``value`` as a new float64 array of ``shape`` (a NumPy scalar for shape ())."""
    if shape == ():
        return np.float64(value)
    value = np.asarray(value, dtype=np.float64)
    return value if value.shape == shape else np.broadcast_to(value, shape).copy()


def total(value, shape, mean: bool = False):
    """The sum (or mean) over points of ``value`` broadcast to ``shape``."""
    return np.float64((np.mean if mean else np.sum)(full(value, shape)))


# NumPy has no erf ufunc
erf = np.vectorize(math.erf, otypes=[np.float64])
