"""The rules table: one row per primitive, scalar (``scalar.py``) and array (``array.py``) alike.

    RULES       op -> Rule, every row
    FUNCTIONS   name a formula may call -> op (the rows' ``names``)
    BY_CLASS    SymPy class -> Rule (printers and SymPy input look rows up by class)

Adding a primitive is one row in ``scalar.py`` (or ``array.py``) plus its test interval; the
parser, the printers, the docs table and the CLI read it from here.
"""
from __future__ import annotations

import sympy as sp

from . import activations, array, logic, scalar, special
from .table import Primitive, Rule, row

RULES: dict[str, Rule] = {}
for _rule in [*scalar.ROWS, *logic.ROWS, *special.ROWS, *activations.ROWS, *array.ROWS, *scalar.HELPERS,
              *array.HELPERS]:
    if _rule.op in RULES:
        raise TypeError(f"two rows for {_rule.op!r}")
    RULES[_rule.op] = _rule

FUNCTIONS: dict[str, str] = {name: r.op for r in RULES.values() for name in r.names}

# sympy.diff of a bpc-only function takes its partials from its row
for _rule in RULES.values():
    if _rule.sympy is not None and issubclass(_rule.sympy, Primitive) and _rule.partials is not None:
        _rule.sympy._partials = staticmethod(_rule.partials)
BY_CLASS: dict[type, Rule] = {r.sympy: r for r in RULES.values() if r.sympy is not None}

# Rows a user can call by name that are not elementwise (reductions, softmax, cross-entropy): they
# exist in array programs (compiled with shapes=); elsewhere their names are ordinary names.
ARRAY_FUNCTIONS = {name: op for name, op in FUNCTIONS.items() if not RULES[op].elementwise}


def forward_expr(op: str, args, attrs=()) -> sp.Expr:
    """The SymPy expression of a stage ``op(args)`` (array rows also read ``attrs``: axis, labels)."""
    rule = RULES[op]
    if rule.elementwise:
        return rule.forward_expr(*args)
    return rule.forward(*args, attrs=attrs)


def to_reference(expr: sp.Expr) -> sp.Expr:
    """Rewrite bpc-only functions into SymPy's own, so ``sympy.diff`` needs no bpc rule (test oracles)."""
    for r in RULES.values():
        if r.reference is not None and r.sympy is not None:
            expr = expr.replace(r.sympy, r.reference)
    return expr


def function(op: str) -> type:
    """The SymPy class of a row (``function("sigmoid")(x)``)."""
    return RULES[op].sympy


__all__ = ["RULES", "FUNCTIONS", "BY_CLASS", "ARRAY_FUNCTIONS", "Rule", "Primitive", "row",
           "forward_expr", "to_reference", "function"]
