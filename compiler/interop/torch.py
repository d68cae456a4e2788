"""``g.torch()``: a compiled function as one PyTorch op with its own autograd formula.

The op is a ``torch.library`` custom op (``bpc::bpc_<key>``, one per emitted module), so autograd,
``torch.compile`` and ``torch.library.opcheck`` treat it like any other op:

- forward: the emitted module, called once; it returns the value and every gradient, and the
  op returns them all (``register_fake`` gives their shapes without running anything);
- backward: the saved gradients times the upstream gradient, summed back to each input's shape
  (inputs broadcast together, parameters shared by points), cast to the input's dtype.

CPU tensors reach the module as NumPy views of the same memory (``Tensor.numpy()``) and its
results come back the same way (``torch.from_numpy``): no copies. Functions compiled for the
``xp`` target (the array API emission) take the tensors themselves, on any device; array programs
compiled for another target are recompiled for ``xp`` when their tensors are on a GPU. Scalar
programs' CUDA tensors go to a ``cuda`` target module through ``__cuda_array_interface__``. Inputs not in ``g.wrt`` (labels, data) get
no gradient. The backward is not itself differentiable (no second derivatives through the op).
"""
from __future__ import annotations

import numpy as np

from ..errors import BpcError
from ..runtime.calling import bind
from . import first_order as _first_order, require
from .shapes import plan, sum_to

_OPS: dict = {}          # module name -> its custom op (registering a name twice is an error in torch)


def wrap(g):
    """A function of ``g``'s inputs (tensors, NumPy arrays or numbers; positional or keyword)
    returning the value as a tensor, differentiable by autograd with respect to ``g.wrt``."""
    torch = require("torch", "torch", "g.torch()")
    _first_order(g, "g.torch()")
    op = _op(g, torch)

    def fn(*args, **kwargs):
        values = bind(g.inputs, args, kwargs)
        return op(*(_as_tensor(torch, v) for v in values))[0]

    fn.__name__ = g._module.ENTRY
    fn.__doc__ = f"{g!r} as a PyTorch op ({op}): returns the value; autograd gives d/d{', d/d'.join(g.wrt)}."
    fn.op = op
    fn.inputs, fn.wrt = g.inputs, g.wrt
    return fn


def _as_tensor(torch, value):
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value)
    if isinstance(value, (bool, int, np.integer)):
        return torch.tensor(int(value), dtype=torch.int64)
    return torch.tensor(float(value), dtype=torch.float64)      # numbers are float64, as in bpc


def _op(g, torch):
    name = g._module.__name__
    if name in _OPS:
        return _OPS[name]
    count = 1 + len(g.wrt)
    args = ", ".join(f"Tensor x{i}" for i in range(len(g.inputs)))
    results = "Tensor" if count == 1 else f"({', '.join(['Tensor'] * count)})"

    def impl(*xs):
        if g.target == "xp" or (g.shapes is not None and any(x.device.type != "cpu" for x in xs)):
            return _tensors(_xp(g), torch, xs)
        if any(x.device.type != "cpu" for x in xs):
            return _on_device(g, torch, xs)
        values = [x.detach().numpy() for x in xs]           # views of the tensors' memory
        value, grads = g(*values)
        p = plan(g, [x.shape for x in xs])
        outs = []
        for result, shape in zip((value, *grads), p.shapes()):
            outs.append(torch.from_numpy(_owned(result, shape, p.dtype, values, outs)))
        return tuple(outs) if count > 1 else outs[0]

    op = torch.library.custom_op(f"bpc::{name}", impl, mutates_args=(), schema=f"({args}) -> {results}")

    @op.register_fake
    def _(*xs):
        p = plan(g, [x.shape for x in xs], torch.broadcast_shapes)
        dtype = getattr(torch, p.dtype)
        outs = tuple(xs[0].new_empty(shape, dtype=dtype) for shape in p.shapes())
        return outs if count > 1 else outs[0]

    index = [g.inputs.index(w) for w in g.wrt]

    def setup_context(ctx, inputs, output):
        ctx.inputs = [(x.shape, x.dtype) for x in inputs]
        ctx.save_for_backward(*(output[1:] if count > 1 else ()))

    def backward(ctx, grad_value, *_):
        result = [None] * len(ctx.inputs)
        for i, grad in zip(index, ctx.saved_tensors):
            shape, dtype = ctx.inputs[i]
            if not ctx.needs_input_grad[i]:
                continue
            view, axes, _ = sum_to(tuple(grad.shape), tuple(grad_value.shape), tuple(shape))
            d = grad_value.reshape(view) * grad
            if axes:
                d = d.sum(dim=axes, keepdim=True)
            result[i] = d.reshape(shape).to(dtype)
        return tuple(result)

    op.register_autograd(backward, setup_context=setup_context)
    _OPS[name] = op
    return op


def _owned(result, shape, dtype, inputs, earlier):
    """``result`` as a writable array of ``shape`` that shares memory with no input and no other
    output (a custom op's outputs must not alias); a copy only where that does not already hold."""
    a = np.asarray(result, dtype=dtype)
    if a.shape != tuple(shape):
        return np.broadcast_to(a, shape).copy()
    if not a.flags.writeable or any(np.may_share_memory(a, b) for b in inputs) \
            or any(np.may_share_memory(a, t.numpy()) for t in earlier):
        return a.copy()
    return a


def _xp(g):
    """``g`` on the xp target (the array API emission), compiled from the same source and options."""
    if g.target == "xp":
        return g
    from .. import compile

    return compile(g._source_obj, wrt=g.wrt, target="xp", limits=g._limits, params=g.params, reduce=g.reduce,
                   stable=g.stable, shapes=g.shapes, inputs=g.inputs)


def _tensors(g, torch, xs):
    """The xp target's module on the tensors themselves (any device): results are tensors there.
    Outputs are made to own their memory (a custom op's outputs may not alias its inputs)."""
    value, grads = g(*xs)
    p = plan(g, [x.shape for x in xs], torch.broadcast_shapes)
    dtype, device = getattr(torch, p.dtype), xs[0].device
    outs, storages = [], {x.untyped_storage().data_ptr() for x in xs}
    for r, shape in zip((value, *grads), p.shapes()):
        t = torch.as_tensor(r, dtype=dtype, device=device)
        if tuple(t.shape) != tuple(shape):
            t = t.expand(shape)
        if t.untyped_storage().data_ptr() in storages or any(st == 0 and n > 1 for st, n in zip(t.stride(), t.shape)):
            t = t.clone(memory_format=torch.contiguous_format)
        storages.add(t.untyped_storage().data_ptr())
        outs.append(t)
    return tuple(outs) if len(outs) > 1 else outs[0]


def _on_device(g, torch, xs):
    """CUDA tensors: scalar programs on the cuda target take them in place (``__cuda_array_interface__``)."""
    device = next(x.device for x in xs if x.device.type != "cpu")
    if g.target != "cuda":
        raise BpcError(f"tensors on {device} need a function compiled with target='xp' or target='cuda'",
                       hint="compile with target='xp' (array API) or 'cuda', or move the tensors to the CPU")
    p = plan(g, [x.shape for x in xs], torch.broadcast_shapes)
    dtype = getattr(torch, p.dtype)
    points = [n not in g.params for n in g.inputs]
    shape = torch.broadcast_shapes(*(x.shape for x, pt in zip(xs, points) if pt))
    values = [x.to(device=device, dtype=dtype).expand(shape).contiguous() if pt else x.item()
              for x, pt in zip(xs, points)]
    value, grads = g(*values)
    outs = tuple(torch.as_tensor(r, device=device, dtype=dtype).reshape(s).clone()
                 if not isinstance(r, torch.Tensor) else r.reshape(s) for r, s in zip((value, *grads), p.shapes()))
    return outs if len(outs) > 1 else outs[0]
