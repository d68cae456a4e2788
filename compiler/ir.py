"""The intermediate representation: one staged program for scalars and arrays alike.

Two printable forms, one per side of naming:

- ``Program``: what the front end reads — a flat list of single-operation ``Node``s in
  evaluation order, whose operands are ``In`` (an input), ``Ref`` (an earlier node) or
  ``Const``; each node has a shape (``()`` for a scalar; array sizes are integers or names
  bound when the compiled function is called).
- ``Graph``: the same program with every input, stage and gradient named — ``name = op(args)``
  stages whose arguments are SymPy symbols and numbers. The reverse sweep reads it and writes
  ``Stmt``s: ``dv = ...`` for the first contribution to a gradient, ``dv += ...`` after.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

import sympy as sp
from sympy.printing.str import StrPrinter

from .rules import RULES, forward_expr
from .rules.array import fmt

__all__ = ["In", "Ref", "Const", "Operand", "Node", "Program", "Stage", "Graph", "Stmt", "fmt", "plain"]


# -- the parsed program ----------------------------------------------------------------------------

@dataclass(frozen=True)
class In:
    name: str


@dataclass(frozen=True)
class Ref:
    index: int


@dataclass(frozen=True)
class Const:
    value: Union[int, float, str]   # "pi" for the constant pi


Operand = Union[In, Ref, Const]


@dataclass
class Node:
    op: str
    args: tuple
    name: str | None = None      # given by the user (staged programs, functions)
    line: int | None = None
    role: str | None = None      # naming hint: "num", "den"
    shape: tuple = ()
    attrs: tuple = ()            # array rows: (("axis", 0), ("labels", 1))


@dataclass
class Program:
    inputs: tuple[str, ...]
    nodes: list[Node]
    output: int                   # index of the node whose value is returned
    output_hint: str | None = None  # e.g. the function's name
    kind: str = "formula"         # "formula" | "program" | "function" | "sympy"
    text: str = ""                # the source text, as given
    shapes: dict | None = None    # array programs: input -> shape (inputs not named are scalars)
    labels: frozenset = frozenset()   # inputs holding integer class labels (cross_entropy)

    def __str__(self) -> str:
        def show(a):
            return a.name if isinstance(a, In) else f"%{a.index}" if isinstance(a, Ref) else repr(a.value)
        return "\n".join(f"%{i} = {n.op}({', '.join(show(a) for a in n.args)})" for i, n in enumerate(self.nodes))


# -- the staged program --------------------------------------------------------------------------

class _Plain(StrPrinter):
    """How a stage reads in comments: as written (no reordering), numbers as Python writes them,
    functions by the name a formula calls them (``max``, ``abs``, not SymPy's ``Max``, ``Abs``)."""

    _default_settings = {**StrPrinter._default_settings, "order": "none"}

    def _print_Float(self, expr) -> str:
        return repr(float(expr))

    def _print_Max(self, expr) -> str:
        return f"max({', '.join(self._print(a) for a in expr.args)})"

    def _print_Min(self, expr) -> str:
        return f"min({', '.join(self._print(a) for a in expr.args)})"

    def _print_Abs(self, expr) -> str:
        return f"abs({self._print(expr.args[0])})"


def plain(expr) -> str:
    """A SymPy expression as written (no reordering): ``xpy**2``, ``num/den``, ``max(x, 0.5)``."""
    return _Plain().doprint(expr)


@dataclass(frozen=True)
class Stage:
    """``name = op(args)``; ``args`` are SymPy symbols (inputs, earlier stages) or numbers."""

    name: str
    op: str
    args: tuple
    line: int | None = None
    shape: tuple = ()
    attrs: tuple = ()

    @property
    def symbol(self) -> sp.Symbol:
        return sp.Symbol(self.name)

    @property
    def expr(self) -> sp.Expr:
        return forward_expr(self.op, self.args, self.attrs)

    @property
    def rule(self):
        return RULES[self.op]

    @property
    def display(self) -> str:
        """The operation as a user writes it: ``xpy**2``, ``W1 @ x``, ``cross_entropy(o, y, axis=0)``."""
        rule = self.rule
        if rule.shows is None:
            return plain(self.expr)
        text = rule.shows.format(*(plain(a) for a in self.args))
        axis = dict(self.attrs).get("axis")
        return f"{text[:-1]}, axis={axis})" if rule.axis and axis is not None else text

    def __str__(self) -> str:
        return f"{self.name} = {self.display}"


@dataclass(frozen=True)
class Graph:
    inputs: tuple[str, ...]       # the user's input names, in call order
    idents: tuple[str, ...]       # their identifiers in emitted code (same order)
    stages: tuple[Stage, ...]
    output: str                   # identifier of the stage whose value is returned
    grad_names: dict              # identifier -> gradient identifier
    kind: str = "formula"
    shapes: dict | None = None    # array programs: input identifier -> shape
    labels: frozenset = frozenset()   # input identifiers holding integer class labels
    reserved: frozenset = frozenset()  # names the target's module uses, which no identifier here takes

    def __str__(self) -> str:
        return "\n".join(str(stage) for stage in self.stages)

    def ident(self, user_name: str) -> str:
        return self.idents[self.inputs.index(user_name)]

    @property
    def arrays(self) -> bool:
        """An array program (compiled with shapes): its shapes are meaningful and its stages whole arrays."""
        return self.shapes is not None

    def shape_of(self, name: str) -> tuple:
        if self.shapes is not None and name in self.shapes:
            return self.shapes[name]
        for stage in self.stages:
            if stage.name == name:
                return stage.shape
        return ()

    def all_shapes(self) -> dict:
        """Identifier -> shape, for inputs and stages."""
        return {**{i: () for i in self.idents}, **(self.shapes or {}), **{s.name: s.shape for s in self.stages}}


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
        op = "+=" if self.accumulate else "="
        return f"{self.target} {op} {plain(self.expr)}"

