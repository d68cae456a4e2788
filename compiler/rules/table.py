"""The row type of the rules table, its checks, and the SymPy classes bpc-only rows get.

A row is everything bpc knows about one primitive: how a formula calls it, its
SymPy form, its local partial derivatives (elementwise rows, written with the
inputs and the saved output ``out``) or its vector-Jacobian product (array
rows), the interval its tests sample, how a derived stage name is spelled, and
how each target spells it when the default does not fit. Everything else in
bpc — the parser's function names, the printers, the docs table, the CLI's
list — reads the rows; nothing else lists primitives.

A malformed row fails at import (wrong arity of the partials, a missing test
interval), not in a user's run.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Callable

import sympy as sp


@dataclass(frozen=True)
class Rule:
    op: str                              # the name stages use ("add", "exp", "matmul")
    arity: int
    forward: Callable[..., sp.Expr]      # the stage's SymPy form from its arguments
    partials: Callable | None            # elementwise rows: (inputs..., out) -> one partial per input
    domain: tuple                        # test interval per input
    stem: str                            # derived stage name; {0}, {1} are the operand names
    names: tuple[str, ...] = ()          # how a formula calls it (first: the main name); () for operators
    doc: str = ""                        # one line for the docs table
    numpy: str | None = None             # NumPy's name when it is not ``op`` (asin -> arcsin)
    math: str | None = None              # the math module's name when it is not ``op``
    spell: dict = field(default_factory=dict)   # target family -> spelling (a function name or a printer callable)
    sympy: type | None = None            # the SymPy class of its expressions (printing, SymPy input)
    reference: Callable | None = None    # bpc-only functions: the same in SymPy's own functions (test oracles)
    variadic: bool = False               # max/min: two or more arguments, folded left
    constant_args: tuple[int, ...] = ()  # arguments that must be constants (the exponent of powi/powc)
    keywords: tuple[str, ...] = ()       # the arguments' names, for keyword calls (clamp(x, min=0))
    defaults: tuple = ()                 # defaults of the last arguments, as numbers (leaky_relu's slope)
    # the partials forward mode (JVP, HVP) uses where the reverse sweep's form loses accuracy in a
    # second derivative (sigmoid: out*sigmoid(-a), not out*(1 - out), which cancels as out -> 1)
    tangent: Callable | None = None
    # array rows
    vjp: Callable | None = None          # (args, out, g, shapes, attrs) -> what each input receives (None: no gradient)
    jvp: Callable | None = None          # array rows and helpers: (args, tangents, out) -> the tangent of the result
    infer: Callable | None = None        # (shapes, attrs, fail) -> the stage's shape
    axis: bool = False                   # takes axis=
    shows: str | None = None             # how a stage of it reads in comments, e.g. "{0} @ {1}"

    @property
    def elementwise(self) -> bool:
        return self.vjp is None

    @property
    def numpy_name(self) -> str:
        return self.numpy or self.op

    @property
    def math_name(self) -> str:
        return self.math or self.op

    def forward_expr(self, *args) -> sp.Expr:
        """The stage's SymPy expression, unevaluated so it reads as written (x - x stays)."""
        with sp.evaluate(False):
            return self.forward(*args)


class Primitive(sp.Function):
    """A bpc-only function; ``sympy.diff`` takes its partials from its row."""

    op = ""
    _partials: Callable | None = None

    def fdiff(self, argindex=1):
        return type(self)._partials(*self.args, self)[argindex - 1]


def function_class(op: str, arity: int, doc: str = "") -> type:
    """A SymPy function class for a bpc-only primitive (``sigmoid``, ``relu`` ...); its row sets the partials."""
    return type(op, (Primitive,), {"nargs": arity, "op": op, "__doc__": doc, "__module__": __name__})


def _positional(fn) -> int:
    """How many arguments ``fn`` takes before any with a default (array rows also take ``attrs=``)."""
    return sum(1 for p in inspect.signature(fn).parameters.values() if p.default is inspect.Parameter.empty)


def check(rule: Rule) -> Rule:
    """Fail loudly at import on a malformed row."""
    arity = _positional(rule.forward) if not isinstance(rule.forward, type) else rule.arity
    if arity != rule.arity:
        raise TypeError(f"rule {rule.op!r}: forward takes {arity} inputs, the row says {rule.arity}")
    if rule.partials is not None:
        n_partial_args = len(inspect.signature(rule.partials).parameters)
        if n_partial_args != arity + 1:
            raise TypeError(f"rule {rule.op!r}: partials take the {arity} inputs and out, got {n_partial_args} arguments")
        for what, fn in (("partials", rule.partials), ("tangent partials", rule.tangent)):
            if fn is None:
                continue
            got = fn(*sp.symbols(f"a0:{arity + 1}"))
            if len(got) != arity:
                raise TypeError(f"rule {rule.op!r}: returns {len(got)} {what} for {arity} inputs")
    if len(rule.domain) != arity:
        raise TypeError(f"rule {rule.op!r}: needs one test interval per input ({arity}), got {len(rule.domain)}")
    return rule


def row(op: str, forward, partials, domain, stem: str, **more) -> Rule:
    """One elementwise row (``table.row``); see ``Rule`` for the optional fields."""
    arity = _positional(forward)
    return check(Rule(op, arity, forward, partials, tuple(domain), stem, **more))
