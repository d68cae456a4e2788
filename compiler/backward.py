"""The reverse sweep: statements for the forward stages, then their gradients.

Stages are visited in reverse. Each local partial from the rules table is
multiplied by the stage's upstream gradient; the first contribution to a
gradient defines it (``dx = ...``), later ones accumulate (``dx += ...``). The
output's own gradient is the seed 1, so it never appears as a statement.
Only stages that lie on a path from a ``wrt`` input to the output are swept.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .graph import Graph
from .rules import RULES


@dataclass(frozen=True)
class Stmt:
    """``target = expr`` or, with ``accumulate``, ``target += expr``."""

    target: str
    expr: sp.Expr
    accumulate: bool = False
    stage: str | None = None      # the forward stage this line comes from
    local: sp.Expr | None = None  # backward lines: the local gradient ...
    upstream: sp.Expr | None = None  # ... times this upstream gradient is ``expr``

    def __str__(self) -> str:
        from sympy.printing.str import StrPrinter

        op = "+=" if self.accumulate else "="
        return f"{self.target} {op} {StrPrinter({'order': 'none'}).doprint(self.expr)}"


def forward(graph: Graph) -> list[Stmt]:
    return [Stmt(stage.name, stage.expr, False, stage.name) for stage in graph.stages]


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
    """local gradient times upstream gradient, kept in that order as CS231n writes it."""
    if upstream == 1:
        return local
    if local == 1:
        return upstream
    if local == -1:
        return -upstream
    with sp.evaluate(False):
        return sp.Mul(local, upstream)


def backward(graph: Graph, wrt: tuple[str, ...]) -> list[Stmt]:
    """Backward statements for the gradient of ``graph.output`` w.r.t. the identifiers ``wrt``."""
    active = _active(graph, wrt)
    upstream: dict[str, sp.Expr] = {graph.output: sp.Integer(1)}
    stmts: list[Stmt] = []
    for stage in reversed(graph.stages):
        if stage.name not in active or stage.name not in upstream:
            continue
        partials = RULES[stage.op].partials(*stage.args, stage.symbol)
        for arg, partial in zip(stage.args, partials):
            if not isinstance(arg, sp.Symbol) or arg.name not in active:
                continue
            if partial == 0:
                continue
            local = sp.sympify(partial)
            contribution = _chain(local, upstream[stage.name])
            target = graph.grad_names[arg.name]
            stmts.append(Stmt(target, contribution, arg.name in upstream, stage.name, local, upstream[stage.name]))
            upstream[arg.name] = sp.Symbol(target)
    for name in wrt:
        if name not in upstream:
            stmts.append(Stmt(graph.grad_names[name], sp.Float(0.0), False, None))
    return stmts
