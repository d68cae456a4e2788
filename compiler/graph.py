"""The staged graph: one named stage per operation, in evaluation order."""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from . import naming
from .parse import Const, In, Program, Ref
from .rules import RULES


@dataclass(frozen=True)
class Stage:
    """``name = op(args)``; ``args`` are SymPy symbols (inputs, earlier stages) or numbers."""

    name: str
    op: str
    args: tuple
    line: int | None = None

    @property
    def symbol(self) -> sp.Symbol:
        return sp.Symbol(self.name)

    @property
    def expr(self) -> sp.Expr:
        return RULES[self.op].forward_expr(*self.args)

    def __str__(self) -> str:
        return f"{self.name} = {_plain(self.expr)}"


@dataclass(frozen=True)
class Graph:
    inputs: tuple[str, ...]       # the user's input names, in call order
    idents: tuple[str, ...]       # their identifiers in emitted code (same order)
    stages: tuple[Stage, ...]
    output: str                   # identifier of the stage whose value is returned
    grad_names: dict              # identifier -> gradient identifier
    kind: str = "formula"

    def __str__(self) -> str:
        return "\n".join(str(stage) for stage in self.stages)

    def ident(self, user_name: str) -> str:
        return self.idents[self.inputs.index(user_name)]

    def __call__(self, at: dict | None = None, local: bool = False, max_stages: int = 200, wrt=None):
        """A CS231n-style picture of the graph; with ``at`` (input name -> number), forward values
        in green and gradients in red on every edge (``local``: local gradients too)."""
        from .explain import trace
        from .picture import Picture, to_dot

        text, hidden = to_dot(self, trace(self, at, wrt) if at is not None else None, local, max_stages)
        return Picture(text, hidden)


def _plain(expr) -> str:
    from sympy.printing.str import StrPrinter

    return StrPrinter({"order": "none"}).doprint(expr)


def _constant(value):
    if value == "pi":
        return sp.pi
    if isinstance(value, int):
        return sp.Integer(value)
    return sp.Float(value)


def build(program: Program) -> Graph:
    """Name every node and turn operands into SymPy symbols and numbers."""
    input_ids, node_names, grads = naming.assign(program)

    def operand(a):
        if isinstance(a, In):
            return sp.Symbol(input_ids[a.name])
        if isinstance(a, Ref):
            return sp.Symbol(node_names[a.index])
        return _constant(a.value)

    stages = tuple(Stage(node_names[i], node.op, tuple(operand(a) for a in node.args), node.line)
                   for i, node in enumerate(program.nodes))
    return Graph(tuple(program.inputs), tuple(input_ids[n] for n in program.inputs), stages,
                 node_names[program.output], grads, program.kind)
