"""Array programs on NumPy: the inputs checked against their declared shapes (named sizes bound
from the arrays), the loop over points (``params=``/``reduce=``), ``out=``, and softmax,
log-softmax and cross-entropy shifted so nothing overflows."""
from __future__ import annotations

import numpy as np


def check(values, inputs, shapes, labels, points=()):
    """The inputs as float64 arrays (labels int64), checked against ``shapes``; named sizes bound.

    Inputs named in ``points`` hold one array per point: a leading axis, the same length for all.
    ``labels``: input -> the number of classes (an integer or a named size): its values must be
    whole numbers in [0, classes), checked in one pass before anything reads memory with them."""
    sizes, arrays, n = {}, [], None
    for name, value in zip(inputs, values):
        a = _labels(name, value) if name in labels else np.asarray(value, dtype=np.float64)
        n = fit_shape(name, a.shape, shapes[name], name in points, sizes, n)
        arrays.append(np.ascontiguousarray(a) if a.ndim else a[()])
    for name, classes in labels.items():
        count = sizes[classes][0] if isinstance(classes, str) else classes
        a = np.asarray(arrays[inputs.index(name)])
        if a.size and (a.min() < 0 or a.max() >= count):
            bad = a.min() if a.min() < 0 else a.max()
            raise ValueError(f"input {name!r} holds class labels, which must be in [0, {count}) "
                             f"({classes!r} classes), got {bad}")
    return arrays


def fit_shape(name, shape, want, per_point, sizes, n):
    """Check one input's shape against its declared shape ``want``, binding named sizes in
    ``sizes`` (size -> (value, input that set it)); a per-point input has a leading axis of points,
    the same length for all: ``n`` is (that length, the input that set it) or None. Returns ``n``."""
    shape = dims = tuple(shape)
    if per_point:
        if len(shape) != len(want) + 1:
            raise ValueError(f"input {name!r} holds one array of shape {want} per point: it must have "
                             f"{len(want) + 1} dimensions, the first counting the points, got {shape}")
        if n is not None and shape[0] != n[0]:
            raise ValueError(f"input {name!r} has {shape[0]} points, but {n[1]!r} has {n[0]}")
        n = n or (shape[0], name)
        dims = shape[1:]
    elif len(shape) != len(want):
        raise ValueError(f"input {name!r} must have shape {want}, got {shape}")
    for size, got in zip(want, dims):
        expected = sizes.setdefault(size, (got, name))[0] if isinstance(size, str) else size
        if got != expected:
            source = f" (from {sizes[size][1]!r})" if isinstance(size, str) else ""
            raise ValueError(f"input {name!r} has shape {shape}, but its size {size!r} is {expected}{source}")
    return n


def _labels(name, value):
    """Integer class labels as int64; a value that is not a whole number is an error."""
    a = np.asarray(value)
    if a.dtype.kind in "iu":
        return a.astype(np.int64)
    if a.dtype.kind == "b" or a.dtype.kind not in "f":
        raise ValueError(f"input {name!r} holds class labels: integers, got {a.dtype}")
    whole = np.isfinite(a) & (a == np.floor(a))
    if not np.all(whole):
        raise ValueError(f"input {name!r} holds class labels, which must be whole numbers, got {a[~whole].flat[0]}")
    return a.astype(np.int64)


def count(arrays, inputs, points) -> int:
    """How many points the inputs named in ``points`` hold."""
    return arrays[inputs.index(points[0])].shape[0] if points else 1


def loop(body, arrays, inputs, points, reduced):
    """Call ``body`` (one point's value and gradients) for every point; sum the results flagged in
    ``reduced`` (the value, then each gradient) and stack the others, one row per point."""
    n = count(arrays, inputs, points)
    index = {inputs.index(p) for p in points}
    totals, rows = None, None
    for k in range(n):
        value, grads = body(*[a[k] if i in index else a for i, a in enumerate(arrays)])
        results = [value, *grads]
        if totals is None:
            totals = [np.zeros_like(np.asarray(r, dtype=np.float64)) for r in results]
            rows = [np.empty((n, *np.shape(r))) for r in results]
        for j, r in enumerate(results):
            if reduced[j]:
                totals[j] += r
            else:
                rows[j][k] = r
    if totals is None:               # no points: nothing summed, nothing stacked
        return 0.0, tuple(np.zeros(0) for _ in reduced[1:])
    results = [totals[j][()] if reduced[j] else rows[j] for j in range(len(reduced))]
    return results[0], tuple(results[1:])


def buffers(values, inputs, points, reduced, shaped_like, n, chunks):
    """The arrays the numba target's loop over points fills, one per result (the value, then each
    gradient): for a total over points (``reduced``), one row per chunk of points, each chunk adding
    its points into its own row; for the others, one row per point. ``shaped_like``: the input whose
    shape (at one point) each result has, None for a number."""
    out = []
    for total, like in zip(reduced, shaped_like):
        shape = () if like is None else np.shape(values[inputs.index(like)])[1 if like in points else 0:]
        out.append(np.zeros((chunks, *shape)) if total else np.empty((n, *shape)))
    return out


def totals(buffers, reduced):
    """(value, gradients) from the filled ``buffers``: the chunks' rows added up where ``reduced``."""
    results = [b.sum(axis=0) if total else b for b, total in zip(buffers, reduced)]
    return results[0], tuple(results[1:])


def finish(value, grads, n, mean, out=None):
    """The results as returned: divided by the number of points for a mean, the value a float
    when it is one number, and written into the arrays of ``out`` (an earlier result) when given."""
    if mean:
        value, grads = value / n, tuple(g / n for g in grads)
    value = np.float64(value) if np.ndim(value) == 0 else value
    if out is None:
        return value, tuple(grads)
    old_value, old_grads = out
    if len(old_grads) != len(grads):
        raise ValueError(f"out= must be an earlier result of this function: expected {len(grads)} gradients, "
                         f"got {len(old_grads)}")
    for old, new in zip((old_value, *old_grads), (value, *grads)):
        if np.ndim(new) == 0:
            continue
        if not isinstance(old, np.ndarray) or old.shape != np.shape(new) or old.dtype != np.float64 \
                or not old.flags.writeable:
            raise ValueError(f"out= arrays must be writable float64 arrays of the result's shapes: got "
                             f"{getattr(old, 'dtype', type(old).__name__)} {np.shape(old)}, need {np.shape(new)}")
        np.copyto(old, new)
    return (old_value if np.ndim(value) else value), tuple(old if np.ndim(new) else new
                                                          for old, new in zip(old_grads, grads))


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
