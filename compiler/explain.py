"""See the backward pass: evaluate every staged line at a point, and walk it line by line.

``trace`` runs the forward and backward statements one at a time (printed as the python or
numpy target prints them, evaluated over NumPy float64 values) and keeps every value;
``explain`` turns that into CS231n's walk-through: for each backward line, the forward stage it
differentiates, the local gradient, the upstream gradient, their product, and the running total
of ``+=`` gradients, then each final gradient beside a finite-difference estimate. Array values
are shown by their shape and Frobenius norm, and an array input's gradient is checked along a
random direction.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .autodiff import backward, forward, grad_shapes
from .check import finite_difference, relative_error
from .ir import Graph
from .targets.numpy import ArrayPrinter
from .targets.python import PythonPrinter


@dataclass
class Trace:
    graph: Graph
    forward: list
    backward: list
    values: dict                  # identifier -> value after the whole sweep
    contributions: list           # per backward line: (contribution, local value, upstream value, running total)


def _namespace() -> dict:
    """What printed statements may call: NumPy, math, and bpc's host helpers."""
    from .host import arrays, broadcast

    helpers = {name: getattr(arrays, name) for name in ("softmax", "log_softmax", "cross_entropy", "cross_entropy_grad")}
    return {"np": np, "math": math, "erf": broadcast.erf, **helpers, "__builtins__": {}}


def _printer(graph: Graph):
    if graph.arrays:
        return ArrayPrinter(shapes={**graph.all_shapes(), **grad_shapes(graph)})
    return PythonPrinter()


def _code(printer, expr):
    # bpc-generated code only: identifiers and numbers from the parsed graph, NumPy functions
    return compile(printer.expr(expr), "<bpc trace>", "eval")


def _run(code, env: dict, names: dict):
    value = eval(code, names, env)  # noqa: S307 - bpc's own printed statement (_code)
    return np.float64(value) if np.ndim(value) == 0 else np.asarray(value, dtype=np.float64)


def _evaluate(printer, expr, env: dict, names: dict):
    return _run(_code(printer, expr), env, names)


def inputs_env(graph: Graph, point: dict) -> dict:
    """Identifier -> value: float64 (integer class labels stay integers)."""
    env = {}
    for name, value in point.items():
        ident = graph.ident(name)
        if ident in graph.labels:
            env[ident] = np.asarray(value, dtype=np.int64)
        else:
            env[ident] = np.float64(value) if np.ndim(value) == 0 else np.asarray(value, dtype=np.float64)
    return env


def forward_program(graph: Graph):
    """A function from a point to every forward value there, its statements printed and compiled
    once (a finite difference runs the forward pass dozens of times)."""
    printer, names = _printer(graph), _namespace()
    steps = [(stmt.target, _code(printer, stmt.expr)) for stmt in forward(graph)]

    def run(point: dict) -> dict:
        env = inputs_env(graph, point)
        with np.errstate(all="ignore"):
            for target, code in steps:
                env[target] = _run(code, env, names)
        return env
    return run


def trace(graph: Graph, point: dict, wrt=None) -> Trace:
    """Run every statement at ``point`` (user input names -> numbers or arrays)."""
    idents = tuple(graph.ident(n) for n in (wrt if wrt is not None else graph.inputs))
    fwd, bwd = forward(graph), backward(graph, idents)
    printer, names = _printer(graph), _namespace()
    env = inputs_env(graph, point)
    rows = []
    with np.errstate(all="ignore"):
        for stmt in fwd:
            env[stmt.target] = _evaluate(printer, stmt.expr, env, names)
        for stmt in bwd:
            value = _evaluate(printer, stmt.expr, env, names)
            local = _evaluate(printer, stmt.local, env, names) if stmt.local is not None else None
            upstream = _evaluate(printer, stmt.upstream, env, names) if stmt.upstream is not None else None
            env[stmt.target] = env[stmt.target] + value if stmt.accumulate else value
            rows.append((value, local, upstream, env[stmt.target]))
    return Trace(graph, fwd, bwd, env, rows)


def show(value) -> str:
    """A number as ``.6g``; an array as its shape and Frobenius norm."""
    if value is None:
        return "-"
    if np.ndim(value):
        return f"{'x'.join(map(str, np.shape(value)))} |{float(np.linalg.norm(value)):.4g}|"
    return f"{float(value):.6g}"


@dataclass
class ExplainRow:
    target: str
    accumulate: bool
    stage: str            # the forward stage, as ``name = expression``
    local: str            # the local gradient, as an expression ("vector-Jacobian product" for array rows)
    local_value: object
    upstream: str         # the upstream gradient's name (or 1 for the output)
    upstream_value: object
    contribution: object
    total: object         # the gradient's value after this line


@dataclass
class Explanation:
    rows: list
    final: list = field(default_factory=list)   # (input, gradient, finite difference, relative error)

    def table(self) -> str:
        head = ["#", "line", "from stage", "local gradient", "local", "upstream", "contribution", "total"]
        body = []
        for k, r in enumerate(self.rows, 1):
            op = "+=" if r.accumulate else "="
            body.append([str(k), f"{r.target} {op}", r.stage, r.local, show(r.local_value),
                         f"{r.upstream} = {show(r.upstream_value)}", show(r.contribution), show(r.total)])
        widths = [max(len(h), *(len(b[c]) for b in body)) if body else len(h) for c, h in enumerate(head)]
        lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths)).rstrip()]
        lines += ["  ".join(v.ljust(w) for v, w in zip(b, widths)).rstrip() for b in body]
        lines.append("")
        lines.append("gradient   bpc                  finite difference    rel. error")
        for name, grad, numeric, err in self.final:
            lines.append(f"d/d{name:<7} {grad:<20.12g} {numeric:<20.12g} {err:.2e}")
        if any(np.ndim(r.total) for r in self.rows):
            lines.append("(arrays: shape |Frobenius norm|; an array input's gradient is checked along a random "
                         "direction u, as sum(gradient * u))")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def explain(g, point: dict) -> Explanation:
    """CS231n's walk through the backward pass of ``g`` (a compiled formula) at ``point``."""
    graph = g._staged()
    tr = trace(graph, point, g.wrt)
    printer = _printer(graph)
    stage_text = {s.name: str(s) for s in graph.stages}
    rows = []
    for stmt, (value, local, upstream, total) in zip(tr.backward, tr.contributions):
        if stmt.stage is None:      # an input the output does not depend on
            rows.append(ExplainRow(stmt.target, False, "(does not reach the output)", "0", 0.0, "-", 0.0, 0.0, 0.0))
            continue
        local_text = printer.expr(stmt.local) if stmt.local is not None else "vector-Jacobian product"
        rows.append(ExplainRow(stmt.target, stmt.accumulate, stage_text[stmt.stage], local_text, local,
                               printer.expr(stmt.upstream), upstream, value, total))
    return Explanation(rows, _final(graph, point, g.wrt, tr))


def _final(graph: Graph, point: dict, wrt, tr: Trace) -> list:
    """Each gradient beside a central finite difference of the traced value (along a random
    direction for arrays)."""
    rng = np.random.default_rng(0)
    forward_at = forward_program(graph)
    final = []
    for name in wrt:
        x0 = np.asarray(point[name], dtype=np.float64)
        grad = tr.values[graph.grad_names[graph.ident(name)]]
        u = rng.standard_normal(x0.shape) if x0.ndim else np.float64(1.0)

        def value(t, name=name, x0=x0, u=u):
            return float(forward_at({**point, name: x0 + t[0] * u})[graph.output])

        numeric = finite_difference(value, [0.0], 0) if x0.ndim else \
            finite_difference(lambda xs, name=name: float(forward_at({**point, name: xs[0]})[graph.output]),
                              [float(x0)], 0)
        analytic = float(np.sum(np.asarray(grad) * u))
        final.append((name, analytic, numeric, relative_error(analytic, numeric)))
    return final
