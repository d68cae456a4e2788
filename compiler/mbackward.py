"""The reverse sweep for matrix programs: forward statements, then gradient statements.

Order: stages are visited in the reverse of a depth-first post-order from the output that
looks at a stage's operands right to left. That is a valid reverse-mode order (every stage
after all of its users), and for a program written in the order of d2l's equations it
follows the loss before the regulariser, so the emitted lines read like the text:
``do``, ``dW2 = do @ h.T``, ``dh = W2.T @ do``, ``dz``, ``dW1 = dz @ x.T``.

Two tidy-ups keep the code readable and change no value:
- scalar gradients of scalar stages (``dJ``, ``dL``, ``ds`` ... the seed and its copies) and
  cheap scalar forward stages (``lam/2``) are substituted into the lines that use them, so
  the weight-decay term reads ``dW2 += lam*W2``;
- a ``+=`` into an input's gradient that needs nothing computed after the gradient's
  previous line moves up to just after it (``dW2 = do @ h.T`` then ``dW2 += lam*W2``).
"""
from __future__ import annotations

import sympy as sp

from .backward import Stmt
from .errors import BpcError
from .mparse import MProgram
from .mrules import MATRIX_RULES, NOT_DIFFERENTIABLE, Reduce, forward_expr, vjp

_CHEAP = ("add", "sub", "mul", "div", "neg", "powi", "copy")


def symbol(operand):
    return sp.Symbol(operand) if isinstance(operand, str) else sp.sympify(operand)


def forward(program: MProgram) -> list[Stmt]:
    return [Stmt(s.name, forward_expr(s.op, [symbol(a) for a in s.args], s.axis, s), False, s.name)
            for s in program.stages]


def _order(program: MProgram) -> list:
    """Reverse of a right-to-left depth-first post-order from the output (iterative)."""
    by_name = {s.name: s for s in program.stages}
    post, seen, stack = [], set(), [(program.output, False)]
    while stack:
        name, done = stack.pop()
        if done:
            post.append(by_name[name])
            continue
        if name in seen or name not in by_name:
            continue
        seen.add(name)
        stack.append((name, True))
        for a in by_name[name].args:            # pushed left to right, so popped right to left
            if isinstance(a, str):
                stack.append((a, False))
    return list(reversed(post))


def grad_names(program: MProgram) -> dict:
    taken = set(program.inputs) | {s.name for s in program.stages}
    names = {}
    for name in [*program.inputs, *(s.name for s in program.stages)]:
        g = "d" + name
        while g in taken:
            g += "_"
        names[name] = g
        taken.add(g)
    return names


def backward(program: MProgram, wrt: tuple[str, ...]) -> tuple[list[Stmt], dict]:
    """Statements computing the gradients of ``wrt``, and the shape of every gradient name."""
    shapes = {**program.shapes, **{s.name: s.shape for s in program.stages}}
    names = grad_names(program)
    order = _order(program)
    needed = set(wrt)                            # stages on a path from a wrt input to the output
    for stage in reversed(order):
        if any(isinstance(a, str) and a in needed for a in stage.args):
            needed.add(stage.name)
    stmts, defined = [], set()
    seed = {sp.Symbol(names[program.output]): sp.Integer(1)}
    for stage in order:
        if stage.name not in needed:
            continue
        g = sp.Symbol(names[stage.name]).xreplace(seed)
        args = [symbol(a) for a in stage.args]
        contributions = vjp(stage.op, args, sp.Symbol(stage.name), g, [shapes.get(a, ()) for a in stage.args],
                            stage.axis, stage)
        for k, (arg, contribution) in enumerate(zip(stage.args, contributions)):
            if not isinstance(arg, str) or arg not in needed:
                continue
            if contribution is None:
                raise BpcError(f"cannot differentiate through stage {stage.name!r} ({stage.text}) with respect to "
                               f"{arg!r}: {NOT_DIFFERENTIABLE.get((stage.op, k), 'no gradient')}")
            if stage.op not in MATRIX_RULES:       # elementwise: sum over the axes broadcasting added
                contribution = _unbroadcast(contribution, stage.shape, shapes[arg], sp.Symbol(arg))
            target = names[arg]
            stmts.append(Stmt(target, contribution, target in defined, stage.name))
            defined.add(target)
    for name in wrt:
        if names[name] not in defined:           # the output does not depend on it
            stmts.append(Stmt(names[name], sp.Integer(0) * sp.Symbol(name), False, None))
    wrt_grads = {names[w] for w in wrt}
    stmts = _hoist(_inline(stmts, program, shapes, names, wrt_grads), wrt_grads, program)
    grad_shapes = {names[n]: shapes[n] for n in shapes}
    return stmts, grad_shapes


def _unbroadcast(expr, out_shape, arg_shape, arg):
    """Sum a gradient of the stage's shape over the axes broadcasting added to the operand."""
    if tuple(out_shape) == tuple(arg_shape):
        return expr
    lead = len(out_shape) - len(arg_shape)
    axes = [k for k in range(len(out_shape))
            if k < lead or (arg_shape[k - lead] == 1 and out_shape[k] != 1)]
    return Reduce(expr, arg, sp.Tuple(*axes))


def _inline(stmts, program, shapes, names, wrt_grads):
    """Substitute scalar gradients of scalar stages and cheap scalar forward stages into their uses."""
    owner = {g: n for n, g in names.items()}
    cheap = {}
    for stage in program.stages:
        if stage.shape == () and stage.op in _CHEAP:
            expr = forward_expr(stage.op, [symbol(a) for a in stage.args], stage.axis, stage)
            cheap[sp.Symbol(stage.name)] = expr.xreplace(cheap).doit() if hasattr(expr, "doit") else expr
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
        out.append(Stmt(s.target, expr, s.accumulate, s.stage))
    return out


def _hoist(stmts, wrt_grads, program):
    """Move ``dW += e`` up to just after dW's previous line when e needs nothing computed in between."""
    stmts = list(stmts)
    forward_names = set(program.inputs) | {s.name for s in program.stages}
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
