"""The reverse sweep: statements for the forward stages, then their gradients, for scalars and arrays.

Stages are visited in reverse. An elementwise stage multiplies each local partial from the rules
table by its upstream gradient (CS231n's "local gradient * upstream gradient"); an array stage
applies its row's vector-Jacobian product; an elementwise stage on broadcast arrays sums the
contribution back to the operand's shape. The first contribution to a gradient defines it
(``dx = ...``), later ones accumulate (``dx += ...``). The output's own gradient is the seed 1,
so it never appears as a statement. Only stages on a path from a ``wrt`` input to the output
are swept.

Visit order: a scalar program is swept in the reverse of its written order (CS231n's order);
an array program in the reverse of a depth-first post-order from the output that takes operands
right to left — also a valid reverse-mode order, and for a program written in the order of
d2l's equations it follows the loss before the regulariser, so the lines read like the text:
``do``, ``dW2 = do @ h.T``, ``dh = W2.T @ do``, ``dz``, ``dW1 = dz @ x.T``.

Two tidy-ups keep array programs readable and change no value:
- scalar gradients of scalar stages (the seed and its copies ``dJ``, ``dL``, ``ds``) and cheap
  scalar forward stages (``lam/2``) are substituted into the lines that use them, so the
  weight-decay term reads ``dW2 += lam*W2``;
- a ``+=`` into an input's gradient that needs nothing computed after the gradient's previous
  line moves up to just after it (``dW2 = do @ h.T`` then ``dW2 += lam*W2``).
"""
from __future__ import annotations

import sympy as sp

from .errors import BpcError
from .ir import Graph, Stage, Stmt
from .rules import RULES
from .rules.array import NOT_DIFFERENTIABLE, Reduce, ZerosLike

_WHERE = RULES["where"].sympy

_CHEAP = ("add", "sub", "mul", "div", "neg", "powi", "copy")


def forward(graph: Graph) -> list[Stmt]:
    return [Stmt(stage.name, stage.expr, False, stage.name) for stage in graph.stages]


def _order(graph: Graph) -> list[Stage]:
    """The stages in the order the reverse sweep visits them."""
    if not graph.arrays:
        return list(reversed(graph.stages))
    by_name = {s.name: s for s in graph.stages}
    post, seen, stack = [], set(), [(graph.output, False)]
    while stack:                                 # iterative: no recursion, whatever the depth
        name, done = stack.pop()
        if done:
            post.append(by_name[name])
            continue
        if name in seen or name not in by_name:
            continue
        seen.add(name)
        stack.append((name, True))
        for a in by_name[name].args:            # pushed left to right, so popped right to left
            if isinstance(a, sp.Symbol):
                stack.append((a.name, False))
    return list(reversed(post))


def _active(graph: Graph, wrt: tuple[str, ...]) -> set[str]:
    """Identifiers that depend on a ``wrt`` input and that the output depends on."""
    depends = set(wrt)
    for stage in graph.stages:
        if any(isinstance(a, sp.Symbol) and a.name in depends for a in stage.args):
            depends.add(stage.name)
    reaches = {graph.output}
    for stage in reversed(graph.stages):
        if stage.name in reaches:
            reaches.update(a.name for a in stage.args if isinstance(a, sp.Symbol))
    return depends & reaches


def _chain(local: sp.Expr, upstream: sp.Expr) -> sp.Expr:
    """local gradient times upstream gradient, kept in that order as CS231n writes it; a local
    gradient that selects (where(c, 1, 0)) selects the upstream gradient instead of multiplying it,
    so an inf or nan in the branch not taken never turns into nan."""
    if isinstance(local, _WHERE) and set(local.args[1:]) == {0, 1}:
        c, a, b = local.args
        return _WHERE(c, upstream if a == 1 else 0, upstream if b == 1 else 0)
    if upstream == 1:
        return local
    if local == 1:
        return upstream
    if local == -1:
        return -upstream
    with sp.evaluate(False):
        return sp.Mul(local, upstream)


def _unbroadcast(expr, out_shape, arg_shape, arg):
    """Sum a gradient of the stage's shape over the axes broadcasting added to the operand."""
    if tuple(out_shape) == tuple(arg_shape):
        return expr
    lead = len(out_shape) - len(arg_shape)
    axes = [k for k in range(len(out_shape))
            if k < lead or (arg_shape[k - lead] == 1 and out_shape[k] != 1)]
    return Reduce(expr, arg, sp.Tuple(*axes))


def _contributions(stage: Stage, upstream: sp.Expr, shapes: dict, arrays: bool):
    """(argument index, local gradient or None, contribution) for each input of ``stage``."""
    rule = stage.rule
    if rule.elementwise:
        partials = rule.partials(*stage.args, stage.symbol)
        for k, (arg, partial) in enumerate(zip(stage.args, partials)):
            if partial == 0:
                continue
            local = sp.sympify(partial)
            contribution = _chain(local, upstream)
            if arrays and isinstance(arg, sp.Symbol):
                contribution = _unbroadcast(contribution, stage.shape, shapes[arg.name], arg)
            yield k, local, contribution
        return
    arg_shapes = [shapes.get(a.name, ()) if isinstance(a, sp.Symbol) else () for a in stage.args]
    for k, contribution in enumerate(rule.vjp(stage.args, stage.symbol, upstream, arg_shapes, stage.attrs)):
        yield k, None, contribution


def backward(graph: Graph, wrt: tuple[str, ...]) -> list[Stmt]:
    """Backward statements for the gradient of ``graph.output`` w.r.t. the identifiers ``wrt``."""
    active = _active(graph, wrt)
    shapes = graph.all_shapes()
    upstream: dict[str, sp.Expr] = {graph.output: sp.Integer(1)}
    stmts: list[Stmt] = []
    for stage in _order(graph):
        if stage.name not in active or stage.name not in upstream:
            continue
        for k, local, contribution in _contributions(stage, upstream[stage.name], shapes, graph.arrays):
            arg = stage.args[k]
            if not isinstance(arg, sp.Symbol) or arg.name not in active:
                continue
            if contribution is None:
                raise BpcError(f"cannot differentiate through stage {stage.name!r} ({stage.display}) with respect to "
                               f"{arg.name!r}: {NOT_DIFFERENTIABLE.get((stage.op, k), 'no gradient')}")
            target = graph.grad_names[arg.name]
            stmts.append(Stmt(target, contribution, arg.name in upstream, stage.name, local, upstream[stage.name]))
            upstream[arg.name] = sp.Symbol(target)
    for name in wrt:
        if name not in upstream:
            zero = ZerosLike(sp.Symbol(name)) if shapes.get(name, ()) != () else sp.Float(0.0)
            stmts.append(Stmt(graph.grad_names[name], zero, False, None))
    if graph.arrays:
        wrt_grads = {graph.grad_names[w] for w in wrt}
        stmts = _hoist(_inline(stmts, graph, shapes, wrt_grads), wrt_grads, graph)
    return stmts


def grad_shapes(graph: Graph) -> dict:
    """Gradient identifier -> shape (a gradient has the shape of what it differentiates)."""
    return {graph.grad_names[name]: shape for name, shape in graph.all_shapes().items()}


def _inline(stmts, graph, shapes, wrt_grads):
    """Substitute scalar gradients of scalar stages and cheap scalar forward stages into their uses."""
    owner = {g: n for n, g in graph.grad_names.items()}
    cheap = {}
    for stage in graph.stages:
        if stage.shape == () and stage.op in _CHEAP:
            expr = stage.expr
            cheap[stage.symbol] = expr.xreplace(cheap).doit() if hasattr(expr, "doit") else expr
    out, subs = [], {}
    assigned = {}
    for s in stmts:
        assigned[s.target] = assigned.get(s.target, 0) + 1
    for s in stmts:
        expr = s.expr.xreplace(subs).xreplace(cheap)     # rebuilding lets SymPy fold 2*W*(lam/2) to lam*W
        scalar = shapes.get(owner.get(s.target), None) == ()
        if scalar and assigned[s.target] == 1 and s.target not in wrt_grads:
            subs[sp.Symbol(s.target)] = expr
            continue
        upstream = s.upstream.xreplace(subs).xreplace(cheap) if s.upstream is not None else None
        out.append(Stmt(s.target, expr, s.accumulate, s.stage, s.local, upstream))
    return out


def _hoist(stmts, wrt_grads, graph):
    """Move ``dW += e`` up to just after dW's previous line when e needs nothing computed in between."""
    stmts = list(stmts)
    forward_names = set(graph.idents) | {s.name for s in graph.stages}
    for i in range(len(stmts)):
        s = stmts[i]
        if not (s.accumulate and s.target in wrt_grads):
            continue
        previous = max(j for j in range(i) if stmts[j].target == s.target)
        needs = {str(x) for x in s.expr.free_symbols} - forward_names
        if any(stmts[j].target in needs for j in range(previous + 1, i)):
            continue
        stmts.insert(previous + 1, stmts.pop(i))
    return stmts
