"""What a compiled function returns, as shapes and dtypes, from its inputs' shapes alone.

Frameworks need this before anything runs (``torch.library.register_fake``, JAX's
``ShapeDtypeStruct``). The rules are the emitted modules' own:

- scalar programs broadcast their inputs; the value and every gradient have that shape, except
  with ``reduce=``: the value and the shared parameters' gradients are then totals, shape ();
- array programs return a scalar value and gradients shaped like their inputs; with ``params=``
  or ``reduce=`` the inputs not in ``params`` hold one array per point along a new first axis, the
  value is one number per point (``(n,)``) unless reduced, and a parameter's gradient not reduced
  has one row per point (``(n, *shape)``).

``vjp_shape`` is the other half of the rule: upstream gradient of the value (shape V) times a
gradient (shape G, V a prefix of G), summed back to the input's shape.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Plan:
    value: tuple               # the value's shape
    grads: tuple               # each gradient's shape, ordered like g.wrt
    dtype: str                 # the results' dtype name

    def shapes(self) -> tuple:
        return (self.value, *self.grads)


def plan(g, shapes, broadcast=np.broadcast_shapes) -> Plan:
    """The result shapes of ``g`` called with inputs of ``shapes`` (ordered like ``g.inputs``);
    ``broadcast``: the framework's own broadcast rule (symbolic sizes under ``torch.compile``)."""
    shapes = [tuple(s) for s in shapes]
    of = dict(zip(g.inputs, shapes))
    reduce, params = g.reduce, set(g.params)
    if g.shapes is None:
        dtype = g.request.dtype
        points = broadcast(*(s for s, name in zip(shapes, g.inputs) if name not in params)) if shapes else ()
        value = () if reduce else tuple(points)
        grads = tuple(() if reduce and w in params else tuple(points) for w in g.wrt)
        return Plan(value, grads, dtype)
    if not (reduce or params):
        return Plan((), tuple(of[w] for w in g.wrt), "float64")
    per_point = [n for n in g.inputs if n not in params]
    n = of[per_point[0]][0] if per_point and of[per_point[0]] else 1
    value = () if reduce else (n,)
    grads = tuple(of[w] if (reduce and w in params) or w not in params else (n, *of[w]) for w in g.wrt)
    return Plan(value, grads, "float64")


def sum_to(grad_shape: tuple, value_shape: tuple, input_shape: tuple):
    """How to turn ``upstream * gradient`` into the input's gradient: (the shape the upstream
    gradient is viewed as, the axes to sum, the shape after summing)."""
    view = tuple(value_shape) + (1,) * (len(grad_shape) - len(value_shape))
    lead = len(grad_shape) - len(input_shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, (a, b) in enumerate(zip(input_shape, grad_shape[lead:]))
                                      if a == 1 and b != 1)
    return view, axes, tuple(input_shape)
