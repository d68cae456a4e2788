"""The primitive table for people, made from the rules table: ``bpc functions``, the docs table
(``docs/functions.md``) and the README's list of names all come from here, so they cannot
drift from what the compiler really knows (``tests/test_reference.py`` checks the files)."""
from __future__ import annotations

import sympy as sp

from .frontend import aliases
from .ir import plain
from .rules import RULES, scalar

_A, _B, _C, _OUT = sp.symbols("a b c out")
# operators, as a formula writes them (they have no name to call)
OPERATORS = {"add": "a + b", "sub": "a - b", "mul": "a * b", "div": "a / b", "neg": "-a", "recip": "1 / a",
             "powi": "a**n", "powc": "a**c", "pow": "a**b", "matmul": "a @ b", "T": "a.T"}


def names() -> list[str]:
    """Every name a formula can call, sorted: the rows' names and the front end's aliases."""
    return aliases.all_names()


def names_line() -> str:
    return " ".join(names())


def _interval(domain) -> str:
    return ", ".join(f"[{lo:g}, {hi:g}]" for lo, hi in domain)


def _call(rule) -> str:
    if rule.op in OPERATORS:
        return f"`{OPERATORS[rule.op]}`"
    args = ", ".join("abc"[:rule.arity])
    shown = f"{rule.names[0]}({args}{', ...' if rule.variadic else ''}{', axis=k' if rule.axis else ''})"
    return ", ".join(f"`{call}`" for call in [shown, *(f"{alias}(...)" for alias in rule.names[1:])])


def _partials(rule) -> str:
    args = (_A, _B, _C)[:rule.arity]
    if rule.op in ("powi", "powc"):              # the exponent is a constant: one partial
        args = (_A, sp.Symbol("n" if rule.op == "powi" else "k"))
    got = rule.partials(*args, _OUT)
    return "; ".join(f"`{plain(sp.sympify(p))}`" for i, p in enumerate(got) if i not in rule.constant_args)


def _cell(text: str) -> str:
    """Text for a markdown table cell: a '|' would end the cell."""
    return text.replace("|", "\\|")


def markdown() -> str:
    """The docs table: every primitive, one row each, as the rules table has it."""
    lines = ["| primitive | local derivative(s), with `out` the saved output | tests sample | notes |",
             "|---|---|---|---|"]
    operators = [RULES[op] for op in OPERATORS if RULES[op].elementwise]
    functions = sorted((r for r in RULES.values() if r.elementwise and r.names), key=lambda r: r.names[0])
    for rule in operators + functions:
        lines.append(f"| {_call(rule)} | {_partials(rule)} | {_interval(rule.domain)} | {_cell(rule.doc)} |")
    lines += ["", "Array operations (array programs, `shapes=`), each with its vector-Jacobian product:", "",
              "| operation | notes |", "|---|---|"]
    for rule in sorted((r for r in RULES.values() if not r.elementwise), key=lambda r: r.op):
        lines.append(f"| {_call(rule)} | {_cell(rule.doc)} |")
    lines += ["", "Aliases: other spellings from NumPy, SciPy, PyTorch, JAX and `math`, lowered to the rows above "
              "(`compiler/frontend/aliases.py`). Calls may carry a module prefix: "
              + ", ".join(f"`{p}.`" for p in aliases.PREFIXES) + ".", "",
              "| alias | means |", "|---|---|"]
    for name in sorted(aliases.ALIASES):
        alias = aliases.ALIASES[name]
        lines.append(f"| `{alias.describe()}` | {_cell(alias.means)} |")
    for (prefix, name), alias in sorted(aliases.BY_PREFIX.items()):
        lines.append(f"| `{prefix}.{alias.describe()}` | {_cell(alias.means)} |")
    lines += ["", "Helpers that appear in derivatives only:", "", "| helper | value |", "|---|---|"]
    for rule in sorted(scalar.HELPERS, key=lambda r: r.op):
        args = ", ".join(("a", "b", "out")[:rule.arity])
        lines.append(f"| `{rule.op}({args})` | {_cell(rule.doc)} |")
    return "\n".join(lines) + "\n"
