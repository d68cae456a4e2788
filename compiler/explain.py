"""See the backward pass: evaluate every staged line at a point, and walk it line by line.

``trace`` runs the forward and backward statements one at a time (the python
target's own printed code, evaluated over NumPy float64 scalars) and keeps
every value; ``explain`` turns that into CS231n's walk-through: for each
backward line, the forward stage it differentiates, the local gradient, the
upstream gradient, their product, and the running total of ``+=`` gradients.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .autodiff import backward, forward
from .check import finite_difference, relative_error
from .ir import Graph
from .targets.python import PythonPrinter


@dataclass
class Trace:
    graph: Graph
    forward: list
    backward: list
    values: dict                  # identifier -> value after the whole sweep
    contributions: list           # per backward line: (contribution, local value, upstream value, running total)


def _evaluate(printer: PythonPrinter, expr, env: dict) -> np.float64:
    code = printer.expr(expr)
    # bpc-generated code only: identifiers and numbers from the parsed graph, NumPy functions
    return np.float64(eval(compile(code, "<bpc trace>", "eval"), {"np": np, "math": math, "__builtins__": {}}, env))  # noqa: S307


def trace(graph: Graph, point: dict, wrt=None) -> Trace:
    """Run every statement at ``point`` (user input names -> numbers)."""
    idents = tuple(graph.ident(n) for n in (wrt if wrt is not None else graph.inputs))
    fwd, bwd = forward(graph), backward(graph, idents)
    printer = PythonPrinter()
    env = {graph.ident(name): np.float64(value) for name, value in point.items()}
    rows = []
    with np.errstate(all="ignore"):
        for stmt in fwd:
            env[stmt.target] = _evaluate(printer, stmt.expr, env)
        for stmt in bwd:
            value = _evaluate(printer, stmt.expr, env)
            local = _evaluate(printer, stmt.local, env) if stmt.local is not None else None
            upstream = _evaluate(printer, stmt.upstream, env) if stmt.upstream is not None else None
            env[stmt.target] = env[stmt.target] + value if stmt.accumulate else value
            rows.append((value, local, upstream, env[stmt.target]))
    return Trace(graph, fwd, bwd, env, rows)


@dataclass
class ExplainRow:
    target: str
    accumulate: bool
    stage: str            # the forward stage, as ``name = expression``
    local: str            # the local gradient, as an expression
    local_value: float
    upstream: str         # the upstream gradient's name (or 1 for the output)
    upstream_value: float
    contribution: float
    total: float          # the gradient's value after this line


@dataclass
class Explanation:
    rows: list
    final: list = field(default_factory=list)   # (input, gradient, finite difference, relative error)

    def table(self) -> str:
        head = ["#", "line", "from stage", "local gradient", "local", "upstream", "contribution", "total"]
        body = []
        for k, r in enumerate(self.rows, 1):
            op = "+=" if r.accumulate else "="
            body.append([str(k), f"{r.target} {op}", r.stage, r.local, f"{r.local_value:.6g}",
                         f"{r.upstream} = {r.upstream_value:.6g}", f"{r.contribution:.6g}", f"{r.total:.6g}"])
        widths = [max(len(h), *(len(b[c]) for b in body)) if body else len(h) for c, h in enumerate(head)]
        lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths)).rstrip()]
        lines += ["  ".join(v.ljust(w) for v, w in zip(b, widths)).rstrip() for b in body]
        lines.append("")
        lines.append("gradient   bpc                  finite difference    rel. error")
        for name, grad, numeric, err in self.final:
            lines.append(f"d/d{name:<7} {grad:<20.12g} {numeric:<20.12g} {err:.2e}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def explain(g, point: dict) -> Explanation:
    """CS231n's walk through the backward pass of ``g`` (a compiled formula) at ``point``."""
    graph = g._staged()
    tr = trace(graph, point, g.wrt)
    printer = PythonPrinter()
    stage_text = {s.name: str(s) for s in graph.stages}
    rows = []
    for stmt, (value, local, upstream, total) in zip(tr.backward, tr.contributions):
        if stmt.stage is None:      # an input the output does not depend on
            rows.append(ExplainRow(stmt.target, False, "(does not reach the output)", "0", 0.0, "-", 0.0, 0.0, 0.0))
            continue
        up = stmt.upstream
        rows.append(ExplainRow(stmt.target, stmt.accumulate, stage_text[stmt.stage], printer.expr(stmt.local),
                               float(local), printer.expr(up), float(upstream), float(value), float(total)))
    names = list(g.inputs)
    x0 = [float(point[n]) for n in names]

    def value(xs):
        return float(g(**dict(zip(names, xs)))[0])

    final = []
    for name in g.wrt:
        grad = float(tr.values[graph.grad_names[graph.ident(name)]])
        numeric = finite_difference(value, x0, names.index(name))
        final.append((name, grad, numeric, relative_error(grad, numeric)))
    return Explanation(rows, final)
