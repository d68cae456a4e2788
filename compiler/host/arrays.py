"""Array programs on NumPy: the inputs checked against their declared shapes (named sizes bound
from the arrays), and softmax, log-softmax and cross-entropy shifted so nothing overflows."""
from __future__ import annotations

import numpy as np


def check(values, inputs, shapes, labels):
    """The inputs as float64 arrays (labels int64), checked against ``shapes``; named sizes bound."""
    sizes, arrays = {}, []
    for name, value in zip(inputs, values):
        a = np.asarray(value, dtype=np.int64 if name in labels else np.float64)
        want = shapes[name]
        if a.ndim != len(want):
            raise ValueError(f"input {name!r} must have shape {want}, got {a.shape}")
        for size, got in zip(want, a.shape):
            expected = sizes.setdefault(size, (got, name))[0] if isinstance(size, str) else size
            if got != expected:
                source = f" (from {sizes[size][1]!r})" if isinstance(size, str) else ""
                raise ValueError(f"input {name!r} has shape {a.shape}, but its size {size!r} is {expected}{source}")
        arrays.append(np.ascontiguousarray(a) if a.ndim else a[()])
    return arrays


def softmax(a, axis):
    """exp(a) / sum(exp(a)) along axis, shifted by the maximum so exp never overflows."""
    e = np.exp(a - np.max(a, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(a, axis):
    """a - log(sum(exp(a))) along axis, with the log-sum-exp shifted by the maximum."""
    shifted = a - np.max(a, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def cross_entropy(o, y, axis, labels):
    """Mean over examples of -log softmax(o)[y]: y integer labels, or one-hot (labels=0)."""
    logp = log_softmax(o, axis)
    if labels:
        return -np.mean(np.take_along_axis(logp, np.expand_dims(y, axis), axis))
    return -np.sum(y * logp) / (o.size // o.shape[axis])


def cross_entropy_grad(o, y, axis, labels):
    """Gradient of cross_entropy with respect to o: (softmax(o) - onehot(y)) / examples."""
    p = softmax(o, axis)
    if labels:
        index = np.expand_dims(y, axis)
        np.put_along_axis(p, index, np.take_along_axis(p, index, axis) - 1.0, axis)
    else:
        p = p - y
    return p / (o.size // o.shape[axis])
