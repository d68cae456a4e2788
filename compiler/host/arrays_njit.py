"""Softmax, log-softmax and cross-entropy for array programs inside ``@njit``: classes along axis 0
of a 2-D array (the printer transposes or reshapes other layouts to it); and a 2-D array's sums
along an axis and the outer product of two vectors, which NumPy's functions give too, but which
Numba compiles in every new process (about 4 s for np.sum with axis= and np.outer) where these
are loaded from Numba's cache (``compiler/jitcache.py``); and what the loop over points of an
array program with ``params=``/``reduce=`` adds and copies."""
from __future__ import annotations

import numba
import numpy as np

from ..jitcache import njit_cached


@njit_cached()
def _column_max(a, j):
    m = a[0, j]
    for i in range(1, a.shape[0]):
        m = max(m, a[i, j])
    return m


@njit_cached()
def softmax0(a):
    """softmax down each column, shifted by the column's maximum."""
    out = np.empty(a.shape)
    for j in range(a.shape[1]):
        m = _column_max(a, j)
        total = 0.0
        for i in range(a.shape[0]):
            out[i, j] = np.exp(a[i, j] - m)
            total += out[i, j]
        for i in range(a.shape[0]):
            out[i, j] /= total
    return out


@njit_cached()
def log_softmax0(a):
    """log-softmax down each column, with a shifted log-sum-exp."""
    out = np.empty(a.shape)
    for j in range(a.shape[1]):
        m = _column_max(a, j)
        total = 0.0
        for i in range(a.shape[0]):
            total += np.exp(a[i, j] - m)
        lse = m + np.log(total)
        for i in range(a.shape[0]):
            out[i, j] = a[i, j] - lse
    return out


@njit_cached()
def cross_entropy0(o, y, labels):
    """Mean over columns of -log softmax(o)[y]: y integer labels (labels=1) or one-hot columns."""
    logp = log_softmax0(o)
    total = 0.0
    for j in range(o.shape[1]):
        if labels:
            total -= logp[int(y[j, 0]), j]
        else:
            for i in range(o.shape[0]):
                total -= y[i, j] * logp[i, j]
    return total / o.shape[1]


@njit_cached()
def cross_entropy_grad0(o, y, labels):
    """(softmax(o) - onehot(y)) / columns."""
    p = softmax0(o)
    for j in range(o.shape[1]):
        for i in range(o.shape[0]):
            target = (1.0 if int(y[j, 0]) == i else 0.0) if labels else y[i, j]
            p[i, j] = (p[i, j] - target) / o.shape[1]
    return p


@njit_cached()
def sum_axis0(a):
    """np.sum(a, axis=0) of a 2-D array, added in the same order (row by row)."""
    out = np.zeros(a.shape[1], dtype=a.dtype)
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[j] += a[i, j]
    return out


@njit_cached()
def sum_axis1(a):
    """np.sum(a, axis=1) of a 2-D array, added in the same order (along each row)."""
    out = np.zeros(a.shape[0], dtype=a.dtype)
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[i] += a[i, j]
    return out


@njit_cached()
def outer(a, b):
    """np.outer(a, b) of two float64 vectors (array programs compute in float64)."""
    out = np.empty((a.shape[0], b.shape[0]))
    for i in range(a.shape[0]):
        for j in range(b.shape[0]):
            out[i, j] = a[i] * b[j]
    return out


def chunk_count(n):
    """How many chunks an array program's loop over ``n`` points is cut into: one per Numba thread
    (numba.get_num_threads()), at most ``n``, at least 1."""
    return max(1, min(n, numba.get_num_threads()))


@njit_cached()
def add_into(total, a):
    """total += a element by element, in C order (total: a row of a C-contiguous buffer). Numba
    compiles NumPy's in-place add of arrays inside a prange loop as a parallel array reduction,
    which took 10-15 s to compile for a two-layer MLP; this loop takes a fraction of a second."""
    t = total.reshape(-1)
    for i, v in enumerate(a.flat):
        t[i] += v


@njit_cached()
def copy_into(row, a):
    """row[...] = a element by element, in C order (row: a row of a C-contiguous buffer), without
    NumPy's broadcasting assignment, whose shape-mismatch error Numba compiles slowly."""
    r = row.reshape(-1)
    for i, v in enumerate(a.flat):
        r[i] = v
