"""The tangent (forward-mode) sweep: directional derivatives as staged statements.

Given statements ``target = expr`` / ``target += expr`` (the forward stages, and for second order
the staged backward statements too) and the tangents of some inputs, each statement gets one
tangent statement, written with the rules table's partials (``rules.calculus.jvp``):

    xpy = x + y              ->   t_xpy = t_x + t_y
    xpysqr = xpy**2          ->   t_xpysqr = 2*xpy*t_xpy
    dxpy = 2*xpy*dxpysqr     ->   t_dxpy = 2*xpy*t_dxpysqr + 2*dxpysqr*t_xpy

A tangent is named ``t_<name>``: the tangent of ``xpy`` is ``t_xpy``, of the gradient ``dxpy``
``t_dxpy``. Fan-out keeps its shape: a gradient built with ``dx = ...`` then ``dx += ...`` has a
tangent built with ``t_dx = ...`` then ``t_dx += ...``. A tangent that is 0 (the statement does
not depend on the direction) gets no line, and its uses drop out.

- JVP: the sweep over the forward statements, with ``t_<w>`` given for each ``wrt`` input;
  ``t_<output>`` is the directional derivative.
- HVP (forward over reverse): the sweep over the forward *and* backward statements; ``t_d<w>``
  is the Hessian-vector product ``H v`` (the tangent of the gradient along ``v``).
- Hessian: one sweep per ``wrt`` input along its unit vector, with the 1s and 0s folded in;
  tangents along input ``x`` are named ``t_x_<name>``. Row ``i`` keeps only what
  ``H[i][j]`` for ``j >= i`` needs, so each symmetric entry is computed once.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from .errors import BpcError
from .ir import Graph, Stmt, plain
from .rules.calculus import jvp

MODES = ("jvp", "hvp", "hessian")


@dataclass(frozen=True)
class Second:
    """What a second sweep adds to a module: direction inputs, tangent sections, flat results.

    ``directions``: the identifiers of the direction's inputs (jvp, hvp), one per ``wrt`` input;
    ``sections``: (header, statements, comments) in emitted order; ``results``: the flat results
    after the value (gradients first for hvp and hessian); ``pairs``: for the Hessian, (i, j) of
    each entry after the gradients."""

    mode: str
    directions: tuple[str, ...] = ()
    sections: tuple = ()
    results: tuple[str, ...] = ()
    pairs: tuple = ()
    wrt: tuple[str, ...] = ()
    shapes: dict = field(default_factory=dict)     # array programs: tangent identifier -> shape

    @property
    def statements(self) -> list[Stmt]:
        return [s for _, stmts, _ in self.sections for s in stmts]


class Names:
    """Tangent names, ``<prefix><name>``, clear of every other name in the module."""

    def __init__(self, taken, prefix="t_"):
        self.taken = set(taken)
        self.prefix = prefix
        self.given: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        if name not in self.given:
            candidate = f"{self.prefix}{name}"
            while candidate in self.taken:
                candidate += "_"
            self.taken.add(candidate)
            self.given[name] = candidate
        return self.given[name]


def taken_names(graph: Graph) -> set[str]:
    return set(graph.idents) | {s.name for s in graph.stages} | set(graph.grad_names.values()) | set(graph.reserved)


def _describe(stmt: Stmt, stages: dict) -> str:
    """How a tangent line's comment names the statement it differentiates."""
    if stmt.target in stages:
        return str(stages[stmt.target])
    try:
        return str(stmt)
    except (AttributeError, TypeError):       # array operations print as code only
        op = "+=" if stmt.accumulate else "="
        stage = stages.get(stmt.stage)
        return f"{stmt.target} {op} ...  from {stage}" if stage is not None else f"{stmt.target} {op} ..."


def sweep(stmts: list[Stmt], tangents: dict, names: Names, forward, stages=None) -> tuple[list[Stmt], list[str]]:
    """The tangent statement of each statement (none where it is 0), and each one's comment.

    ``tangents``: {Symbol: tangent expression} of the inputs, updated with each target's tangent;
    ``forward``: the targets that are forward stages (their value is ``out`` for the row's partials)."""
    out: list[Stmt] = []
    notes: list[str] = []
    defined: set[str] = set()
    for stmt in stmts:
        target = sp.Symbol(stmt.target)
        if isinstance(stmt.expr, sp.Float) and stmt.expr == 0:     # a gradient that is 0 stays 0
            continue
        t = jvp(stmt.expr, tangents, out=target if stmt.target in forward else None)
        if t == 0:
            continue
        if stmt.accumulate and stmt.target not in defined and target in tangents:
            t = tangents[target] + t           # a constant folded in so far (unit directions)
        if t.is_Number and stmt.target not in defined:
            tangents[target] = t               # a constant tangent is folded into its uses, not stored
            continue
        name = names(stmt.target)
        out.append(Stmt(name, t, stmt.target in defined, stmt.stage))
        notes.append(_describe(stmt, stages or {}))
        defined.add(stmt.target)
        tangents[target] = sp.Symbol(name)
    return out, notes


def _prune(stmts: list[Stmt], notes: list[str], keep: set[str]) -> tuple[list[Stmt], list[str]]:
    """Only the statements the names in ``keep`` need (walked backward)."""
    need = set(keep)
    kept = []
    for stmt, note in zip(reversed(stmts), reversed(notes)):
        if stmt.target in need:
            kept.append((stmt, note))
            need |= {s.name for s in stmt.expr.free_symbols}
    kept.reverse()
    return [s for s, _ in kept], [n for _, n in kept]


def _constant(name: str, value) -> Stmt:
    """A result whose tangent is a constant (0 where nothing reaches it)."""
    return Stmt(name, sp.Float(float(value)), False, None)


def _finish(targets, names: Names, tangents: dict, defined: set[str]) -> list[Stmt]:
    """Statements for the results with no statement of their own: their constant tangent, or 0."""
    return [_constant(names(t), tangents.get(sp.Symbol(t), 0)) for t in targets if names(t) not in defined]


def build(mode: str, graph: Graph, forward: list[Stmt], backward: list[Stmt], wrt: tuple[str, ...]) -> Second:
    """The second sweep of ``mode`` ("jvp", "hvp" or "hessian") for the identifiers ``wrt``."""
    if mode not in MODES:
        raise BpcError(f"unknown second-order mode {mode!r}")
    stages = {s.name: s for s in graph.stages}
    stage_names = set(stages)
    taken = taken_names(graph)
    if mode in ("jvp", "hvp"):
        names = Names(taken)
        directions = tuple(names(w) for w in wrt)
        tangents = {sp.Symbol(w): sp.Symbol(d) for w, d in zip(wrt, directions)}
        t_fwd, n_fwd = sweep(forward, tangents, names, stage_names, stages)
        along = ", ".join(directions) or "nothing"
        sections = [(f"# tangent of the forward pass (along {along})", t_fwd, n_fwd)]
        if mode == "jvp":
            zeros = _finish([graph.output], names, tangents, {s.target for s in t_fwd})
            sections[0] = (sections[0][0], t_fwd + zeros, n_fwd + [None] * len(zeros))
            return Second(mode, directions, tuple(sections), (names(graph.output),), wrt=wrt,
                          shapes=_shapes(graph, names))
        t_bwd, n_bwd = sweep(backward, tangents, names, stage_names, stages)
        grads = [graph.grad_names[w] for w in wrt]
        zeros = _finish(grads, names, tangents, {s.target for s in t_fwd + t_bwd})
        sections.append(("# tangent of the backward pass: t_d<w> is the Hessian-vector product",
                         t_bwd + zeros, n_bwd + [None] * len(zeros)))
        return Second(mode, directions, tuple(sections), tuple(grads) + tuple(names(g) for g in grads), wrt=wrt,
                      shapes=_shapes(graph, names))
    # the full Hessian: one sweep per wrt input, along its unit vector
    if graph.arrays:
        raise BpcError("a full Hessian (order=2) is for scalar programs; an array program's Hessian is as big as "
                       "its parameters squared", hint="use hvp=True for Hessian-vector products")
    grads = [graph.grad_names[w] for w in wrt]
    sections, entries, pairs = [], {}, []
    all_taken = set(taken)
    seen: dict = {}                  # expression -> the name that already holds it (every direction)
    for i, w in enumerate(wrt):
        names = Names(all_taken, prefix=f"t_{w}_")
        tangents = {sp.Symbol(w): sp.Integer(1)}
        stmts, notes = sweep(forward + backward, tangents, names, stage_names, stages)
        wanted = {g: names(g) for g in grads[i:]}
        stmts, notes = _prune(stmts, notes, set(wanted.values()))
        stmts, notes = _share(stmts, notes, seen, set(wanted.values()))
        zeros = _finish(grads[i:], names, tangents, {s.target for s in stmts})
        sections.append((f"# second derivatives along {w}: t_{w}_d<v> is d2/d{w}d<v>", stmts + zeros,
                         notes + [None] * len(zeros)))
        all_taken = names.taken
        for j in range(i, len(wrt)):
            entries[i, j] = wanted[grads[j]]
            pairs.append((i, j))
    return Second(mode, (), tuple(sections), tuple(grads) + tuple(entries[p] for p in pairs), tuple(pairs), wrt=wrt)


def _share(stmts, notes, seen: dict, keep: set[str]):
    """Reuse a value an earlier line (of any direction) already computed: a line ``a = e`` whose ``e``
    is already held by ``b`` is dropped and ``a`` replaced by ``b`` in what follows (``t_x_xpysqr =
    2*xpy`` and ``t_y_xpysqr = 2*xpy`` are one line). Lines of results (``keep``) and names
    that are accumulated into are kept."""
    accumulated = {s.target for s in stmts if s.accumulate}
    rename: dict = {}
    out, out_notes = [], []
    for stmt, note in zip(stmts, notes):
        expr = stmt.expr.xreplace(rename) if rename else stmt.expr
        if not stmt.accumulate and stmt.target not in accumulated:
            held = seen.get(expr)
            if held is not None and stmt.target not in keep:
                rename[sp.Symbol(stmt.target)] = sp.Symbol(held)
                continue
            if held is None:
                seen[expr] = stmt.target
        out.append(Stmt(stmt.target, expr, stmt.accumulate, stmt.stage))
        out_notes.append(note)
    return out, out_notes


def _shapes(graph: Graph, names: Names) -> dict:
    """Each tangent's shape: that of what it is the tangent of (array programs; {} for scalars)."""
    if not graph.arrays:
        return {}
    from .autodiff import grad_shapes

    every = {**graph.all_shapes(), **grad_shapes(graph)}
    return {t: every[n] for n, t in names.given.items()}


def count(second: Second) -> int:
    """How many statements the second sweep emits (the linear-size check)."""
    return len(second.statements)


__all__ = ["Second", "build", "sweep", "count", "MODES", "plain"]
