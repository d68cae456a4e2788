"""The xp target's host code: the caller's array namespace (array-api-compat), inputs checked
against their shapes in it, the loop over points, and softmax, log-softmax and cross-entropy
written against the array API standard (shifted by the maximum, as in ``compiler.host.arrays``).

Nothing here moves data between devices: arrays stay in the caller's library and on its device.
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import BpcError
from .arrays import fit_shape


def namespace(values):
    """(xp, device) of the arrays among ``values``; NumPy's when none is an array."""
    try:
        from array_api_compat import array_namespace, device, is_array_api_obj
    except ImportError:
        raise BpcError("the xp target needs array-api-compat, which is not installed",
                       hint="pip install 'bpc[xp]'") from None
    arrays = [v for v in values if is_array_api_obj(v) and not isinstance(v, np.generic)]
    if not arrays:
        arrays = [np.empty(0)]
    try:
        xp = array_namespace(*arrays)
    except TypeError as err:
        raise ValueError(f"inputs come from different array libraries: {err}") from None
    return xp, device(arrays[0])


def check(values, inputs, shapes, labels, points=()):
    """(xp, arrays): the inputs as float64 arrays (labels int64) of the caller's namespace and
    device, checked against ``shapes`` as ``compiler.host.arrays.check`` does; named sizes bound."""
    xp, device = namespace(values)
    sizes, arrays, n = {}, [], None
    for name, value in zip(inputs, values):
        a = _labels(xp, device, name, value) if name in labels else _floats(xp, device, value)
        n = fit_shape(name, a.shape, shapes[name], name in points, sizes, n)
        arrays.append(a)
    for name, classes in labels.items():
        count = sizes[classes][0] if isinstance(classes, str) else classes
        a = arrays[inputs.index(name)]
        if math.prod(a.shape) and (_known(xp.min(a) < 0) or _known(xp.max(a) >= count)):
            bad = xp.min(a) if _known(xp.min(a) < 0) else xp.max(a)
            raise ValueError(f"input {name!r} holds class labels, which must be in [0, {count}) "
                             f"({classes!r} classes), got {int(bad)}")
    return xp, arrays


def _is_array(value) -> bool:
    from array_api_compat import is_array_api_obj

    return is_array_api_obj(value) and not isinstance(value, np.generic)


def _plain(value):
    """A NumPy scalar as a Python number (other namespaces do not take NumPy's scalars)."""
    return value.item() if isinstance(value, np.generic) else value


def _floats(xp, device, value):
    if _is_array(value):
        return value if value.dtype == xp.float64 else xp.astype(value, xp.float64)
    return xp.asarray(_plain(value), dtype=xp.float64, device=device)


def _labels(xp, device, name, value):
    """Integer class labels as int64; a value that is not a whole number is an error."""
    a = value if _is_array(value) else xp.asarray(_plain(value), device=device)
    if xp.isdtype(a.dtype, "integral"):
        return xp.astype(a, xp.int64)
    if not xp.isdtype(a.dtype, "real floating"):
        raise ValueError(f"input {name!r} holds class labels: integers, got {a.dtype}")
    if _known(xp.all(xp.isfinite(a) & (a == xp.floor(a)))) is False:
        raise ValueError(f"input {name!r} holds class labels, which must be whole numbers")
    return xp.astype(a, xp.int64)


def xp_is_numpy(xp) -> bool:
    from array_api_compat import is_numpy_namespace

    return is_numpy_namespace(xp)


def _known(truth) -> bool | None:
    """``bool(truth)``, or None where the value is not known yet (JAX tracing under jit)."""
    try:
        return bool(truth)
    except Exception as err:            # jax.errors.TracerBoolConversionError and kin
        if "Tracer" in type(err).__name__ or "Concretization" in type(err).__name__:
            return None
        raise


def where(xp, condition, a, b):
    """``xp.where`` with a 0/1 (or boolean) condition and numbers allowed for both branches."""
    if not xp.isdtype(condition.dtype, "bool"):
        condition = condition != 0
    if not _is_array(a) and not _is_array(b):
        a = xp.asarray(a, dtype=xp.float64, device=_device(condition))
    return xp.where(condition, a, b)


# NumPy functions the standard lacks, from its own functions
def exp2(xp, a):
    return xp.pow(2.0, a)


def logaddexp2(xp, a, b):
    """log2(2**a + 2**b), as NumPy's: through logaddexp on a*ln 2 and b*ln 2."""
    return xp.logaddexp(a * math.log(2.0), b * math.log(2.0)) / math.log(2.0)


def sinc(xp, a):
    """sin(pi a)/(pi a), 1 at 0 (NumPy's formula)."""
    y = math.pi * xp.where(a == 0, 1.0e-20, a)
    return xp.sin(y) / y


def cbrt(xp, a):
    return xp.copysign(xp.pow(xp.abs(a), 1.0 / 3.0), a)


def fmod(xp, a, b):
    """C's fmod: the sign of a, |a| mod |b| (the standard's remainder takes the sign of b)."""
    return xp.copysign(xp.remainder(xp.abs(a), xp.abs(b)), a)


def size(a) -> int:
    """The number of elements of an array, or of a shape (``a.size`` is a method on PyTorch tensors)."""
    return math.prod(a if isinstance(a, tuple) else a.shape)


def loop(xp, body, arrays, inputs, points, reduced):
    """``body`` at every point (one index of the leading axis of the inputs in ``points``): sums of
    the results flagged in ``reduced`` (the value, then each gradient), the others stacked."""
    n = arrays[inputs.index(points[0])].shape[0] if points else 1
    index = {inputs.index(p) for p in points}
    totals, rows = None, [[] for _ in reduced]
    for k in range(n):
        value, grads = body(xp, *[a[k, ...] if i in index else a for i, a in enumerate(arrays)])
        results = [value, *grads]
        if totals is None:
            totals = [xp.zeros_like(xp.asarray(r, dtype=xp.float64)) for r in results]
        for j, r in enumerate(results):
            if reduced[j]:
                totals[j] = totals[j] + r
            else:
                rows[j].append(r)
    if totals is None:
        raise ValueError("no points: the inputs holding one array per point are empty")
    results = [totals[j] if reduced[j] else xp.stack(rows[j]) for j in range(len(reduced))]
    return results[0], tuple(results[1:])


def finish(xp, value, grads, n, mean, out=None):
    """The results as returned: a mean divided by the number of points; on NumPy, a one-number
    value as a float64 scalar and ``out=`` as the numpy target takes it."""
    if xp_is_numpy(xp):
        from .arrays import finish as numpy_finish

        return numpy_finish(value, grads, n, mean, out)
    if out is not None:
        raise ValueError("out= takes NumPy arrays on the xp target (other libraries get new arrays)")
    if mean:
        value, grads = value / n, tuple(g / n for g in grads)
    return value, tuple(grads)


def softmax(xp, a, axis):
    """exp(a) / sum(exp(a)) along axis, shifted by the maximum so exp never overflows."""
    e = xp.exp(a - xp.max(a, axis=axis, keepdims=True))
    return e / xp.sum(e, axis=axis, keepdims=True)


def log_softmax(xp, a, axis):
    """a - log(sum(exp(a))) along axis, with the log-sum-exp shifted by the maximum."""
    shifted = a - xp.max(a, axis=axis, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=axis, keepdims=True))


def _onehot(xp, y, like, axis):
    """True where the class axis of ``like`` holds label ``y`` (y's shape is like's without that axis)."""
    classes = xp.arange(like.shape[axis], device=_device(like))
    shape = [1] * like.ndim
    shape[axis] = like.shape[axis]
    return xp.expand_dims(y, axis=axis) == xp.reshape(classes, tuple(shape))


def _device(a):
    from array_api_compat import device

    return device(a)


def cross_entropy(xp, o, y, axis, labels):
    """Mean over examples of -log softmax(o)[y]: y integer labels, or one-hot (labels=0)."""
    logp = log_softmax(xp, o, axis)
    examples = size(o) // o.shape[axis]
    if labels:
        return -xp.sum(xp.where(_onehot(xp, y, o, axis), logp, 0.0)) / examples
    return -xp.sum(y * logp) / examples


def cross_entropy_grad(xp, o, y, axis, labels):
    """Gradient of cross_entropy with respect to o: (softmax(o) - onehot(y)) / examples."""
    p = softmax(xp, o, axis)
    if labels:
        p = p - xp.astype(_onehot(xp, y, o, axis), p.dtype)
    else:
        p = p - y
    return p / (size(o) // o.shape[axis])


# -- scalar programs: inputs broadcast together, results as full arrays or totals -------------------

def inputs(dtype, *values):
    """(xp, shape, device, arrays): the inputs as ``dtype`` arrays of the caller's namespace and
    device, broadcast to one shape."""
    xp, device = namespace(values)
    dt = getattr(xp, dtype)
    arrays = [xp.astype(v, dt) if _is_array(v) and v.dtype != dt else v if _is_array(v) else
              xp.asarray(_plain(v), dtype=dt, device=device) for v in values]
    if not arrays:
        return xp, (), device, arrays
    arrays = list(xp.broadcast_arrays(*arrays)) if len(arrays) > 1 else arrays
    return xp, tuple(arrays[0].shape), device, arrays


def const(xp, value, shape, dtype, device):
    """A number as a new ``dtype`` array of ``shape`` on ``device`` (scalar programs' constant statements)."""
    return xp.full(tuple(shape), value, dtype=getattr(xp, dtype), device=device)


def full(xp, value, shape, dtype):
    """``value`` as a ``dtype`` array of ``shape`` (new where it had to be broadcast); NumPy: a scalar for shape ()."""
    dt = getattr(xp, dtype)
    a = value if _is_array(value) else xp.asarray(value, dtype=dt)
    if a.dtype != dt:
        a = xp.astype(a, dt)
    if tuple(a.shape) != tuple(shape):
        a = xp.asarray(xp.broadcast_to(a, tuple(shape)), copy=True)
    return _scalar(xp, a)


def total(xp, value, shape, dtype, mean: bool = False):
    """The sum (or mean) over points of ``value`` broadcast to ``shape``, accumulated in float64."""
    a = full(xp, value, shape, "float64")
    a = xp.asarray(a) if not _is_array(a) else a
    s = xp.sum(a) if not mean else xp.sum(a) / max(1, size(tuple(shape)))
    return _scalar(xp, xp.astype(s, getattr(xp, dtype)) if s.dtype != getattr(xp, dtype) else s)


def _scalar(xp, a):
    """NumPy's 0-d arrays as NumPy scalars (as the numpy target returns them); others unchanged."""
    if xp_is_numpy(xp) and a.ndim == 0:
        return a[()]
    return a


def quiet(xp):
    """NumPy: no warnings where IEEE results are intended (inf, nan); others: nothing to silence."""
    if xp_is_numpy(xp):
        return np.errstate(all="ignore")
    from contextlib import nullcontext

    return nullcontext()
