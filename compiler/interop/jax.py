"""``g.jax()``: a compiled function as a JAX function with a ``custom_vjp`` over the emitted kernels.

The emitted module runs on the host through ``jax.pure_callback``, told the result shapes and
dtypes in advance (``jax.ShapeDtypeStruct``, from ``compiler.interop.shapes``), so the function
works under ``jit``, ``grad`` and ``vmap``:

- forward: one callback returns the value and every gradient; the value is the result;
- backward (``custom_vjp``): the saved gradients times the cotangent, summed back to each input's
  shape, as jax.numpy operations (so they batch and jit like any other).

``vmap``: a scalar program without ``params=`` or ``reduce=`` is elementwise, so a batch is just
more points: its inputs are broadcast to one shape and the callback is called once on the
whole batch (``vmap_method="expand_dims"``). Anything else (totals over points, shared
parameters, array programs) is called once per batch element (``vmap_method="sequential"``).

Results are float64 when JAX has 64-bit types enabled (``jax.config.update("jax_enable_x64",
True)``), else float32 (computed in the module's dtype, then cast). Inputs not in ``g.wrt`` get a
zero cotangent. The backward is not itself differentiable by JAX (no second derivatives).
"""
from __future__ import annotations

import numpy as np

from ..runtime.calling import bind
from . import first_order as _first_order, require
from .shapes import plan, sum_to


def wrap(g):
    """A JAX function of ``g``'s inputs (positional or keyword) returning the value, with a
    ``custom_vjp`` whose backward is the emitted gradient."""
    jax = require("jax", "jax", "g.jax()")
    _first_order(g, "g.jax()")
    jnp = jax.numpy
    elementwise = g.shapes is None and not g.reduce and not g.params
    index = {g.inputs.index(w): j for j, w in enumerate(g.wrt)}

    def dtype():
        return jax.dtypes.canonicalize_dtype(np.dtype(g.request.dtype if g.shapes is None else "float64"))

    def host(*arrays):
        """The emitted module on NumPy arrays, results in the declared shapes and dtype."""
        arrays = [np.asarray(a) for a in arrays]
        value, grads = g(*arrays)
        p = plan(g, [a.shape for a in arrays])
        results = [np.asarray(r, dtype=dtype()) for r in (value, *grads)]
        return tuple(r if r.shape == s else np.broadcast_to(r, s).copy() for r, s in zip(results, p.shapes()))

    def kernel(*xs):
        if elementwise:             # one shape for all, so a vmapped batch axis lines up in every input
            shape = jnp.broadcast_shapes(*(x.shape for x in xs))
            xs = [jnp.broadcast_to(x, shape) for x in xs]
        p = plan(g, [x.shape for x in xs])
        specs = tuple(jax.ShapeDtypeStruct(s, dtype()) for s in p.shapes())
        return jax.pure_callback(host, specs, *xs, vmap_method="expand_dims" if elementwise else "sequential")

    @jax.custom_vjp
    def fn(*xs):
        return kernel(*xs)[0]

    def forward(*xs):
        value, *grads = kernel(*xs)
        return value, (tuple(grads), xs)

    def backward(saved, cotangent):
        grads, xs = saved
        result = []
        for i, x in enumerate(xs):
            if i not in index:
                result.append(_zero(jax, x))
                continue
            grad = grads[index[i]]
            view, axes, shape = sum_to(grad.shape, cotangent.shape, x.shape)
            d = jnp.reshape(cotangent, view) * grad
            if axes:
                d = jnp.sum(d, axis=axes, keepdims=True)
            result.append(jnp.reshape(d, shape).astype(x.dtype))
        return tuple(result)

    fn.defvjp(forward, backward)

    def call(*args, **kwargs):
        values = bind(g.inputs, args, kwargs)
        return fn(*(jnp.asarray(v) for v in values))

    call.__name__ = g._module.ENTRY
    call.__doc__ = f"{g!r} as a JAX function (custom_vjp over jax.pure_callback): returns the value."
    call.inputs, call.wrt = g.inputs, g.wrt
    return call


def _zero(jax, x):
    """The cotangent of an input with no gradient: zeros, of JAX's float0 type for integer inputs."""
    if jax.numpy.issubdtype(x.dtype, jax.numpy.inexact):
        return jax.numpy.zeros_like(x)
    return np.zeros(x.shape, dtype=jax.dtypes.float0)
