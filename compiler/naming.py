"""Readable, unique identifiers for inputs, stages and gradients: ``ir.Program`` -> ``ir.Graph``.

User names are kept exactly unless Python or the emitted module needs them
(keywords, builtins, ``np``/``math``...), in which case a ``_`` is appended.
Unnamed stages get names from their structure in the CS231n style (``sigy``,
``xpy``, ``xpysqr``, ``invden``), the operands of a division ``num``/``den``,
the output ``f``; a name longer than ``MAX_LEN`` falls back to ``t1, t2, ...``.
Gradients are ``d`` + name, or ``d_`` + name when that is taken.
"""
from __future__ import annotations

import re

import sympy as sp

from .ir import Const, Graph, In, Program, Ref, Stage
from .rules import RULES
from .targets.base import PYTHON_NAMES

MAX_LEN = 10
_SCAFFOLD_PATTERN = re.compile(r"_[aogs]\d+")  # kernel arrays and sums: _a0, _o1, _s2; array point loops: _g0


class Names:
    """Hands out identifiers, never the same one twice and never a reserved one (Python's own
    names and the names the target's modules use: ``Target.reserved()``)."""

    def __init__(self, reserved: frozenset = PYTHON_NAMES):
        self.taken: set[str] = set()
        self.reserved = reserved

    def free(self, name: str) -> bool:
        return (name.isidentifier() and name not in self.reserved and name not in self.taken
                and not _SCAFFOLD_PATTERN.fullmatch(name))

    def claim(self, name: str) -> str:
        self.taken.add(name)
        return name

    def user(self, name: str) -> str:
        """Keep a user's name, adding ``_`` only if Python or the scaffolding needs it."""
        candidate = name
        while not self.free(candidate):
            candidate += "_"
        return self.claim(candidate)

    def numbered(self, stem: str, start: int = 2) -> str:
        if self.free(stem):
            return self.claim(stem)
        n = start
        while not self.free(f"{stem}_{n}"):
            n += 1
        return self.claim(f"{stem}_{n}")

    def gradient(self, name: str) -> str:
        for candidate in ("d" + name, "d_" + name):
            if self.free(candidate):
                return self.claim(candidate)
        return self.numbered("d_" + name)


def _label(operand, node_names) -> str | None:
    if isinstance(operand, In):
        return operand.name
    if isinstance(operand, Ref):
        return node_names[operand.index]
    if isinstance(operand, Const):
        if operand.value == "pi":
            return "pi"
        if isinstance(operand.value, int) and operand.value >= 0:
            return str(operand.value)
    return None


def _structural(node, node_names) -> str | None:
    labels = [_label(a, node_names) for a in node.args]
    if node.op == "powi":
        n = node.args[1].value
        if n == 2:
            return f"{labels[0]}sqr" if labels[0] else None
        if n == 3:
            return f"{labels[0]}cube" if labels[0] else None
    if any(label is None for label in labels):
        return None
    return RULES[node.op].stem.format(*labels)


def assign(program: Program, reserved: frozenset = PYTHON_NAMES) -> tuple[dict[str, str], list[str], dict[str, str]]:
    """Return (input name -> identifier, identifier per node, identifier -> gradient identifier)."""
    names = Names(reserved)
    inputs = {name: names.user(name) for name in program.inputs}
    node_names: list[str | None] = [None] * len(program.nodes)
    for i, node in enumerate(program.nodes):
        if node.name is not None:
            node_names[i] = names.user(node.name)
    counter = 0
    for i, node in enumerate(program.nodes):
        if node_names[i] is not None:
            continue
        if i == program.output:
            node_names[i] = names.numbered(program.output_hint or "f")
            continue
        if node.role is not None and names.free(node.role):
            node_names[i] = names.claim(node.role)
            continue
        candidate = _structural(node, node_names)
        if candidate and len(candidate) <= MAX_LEN and names.free(candidate):
            node_names[i] = names.claim(candidate)
            continue
        counter += 1
        while not names.free(f"t{counter}"):
            counter += 1
        node_names[i] = names.claim(f"t{counter}")
    grads = {ident: names.gradient(ident) for ident in list(inputs.values()) + node_names}
    return inputs, node_names, grads


def entry_name(output: str, taken) -> str:
    """Name of the emitted function: ``<output>_and_grad`` (``taken``: every name the module uses)."""
    name = f"{output}_and_grad"
    while name in taken:
        name += "_"
    return name


def _constant(value):
    if value == "pi":
        return sp.pi
    if isinstance(value, int):
        return sp.Integer(value)
    return sp.Float(value)


def build(program: Program, reserved: frozenset = PYTHON_NAMES) -> Graph:
    """Name every node and turn operands into SymPy symbols and numbers; no name is in ``reserved``."""
    input_ids, node_names, grads = assign(program, reserved)

    def operand(a):
        if isinstance(a, In):
            return sp.Symbol(input_ids[a.name])
        if isinstance(a, Ref):
            return sp.Symbol(node_names[a.index])
        return _constant(a.value)

    arrays = program.shapes is not None
    stages = tuple(Stage(node_names[i], node.op, tuple(operand(a) for a in node.args), node.line, node.shape,
                         node.attrs) for i, node in enumerate(program.nodes))
    shapes = {input_ids[n]: s for n, s in program.shapes.items()} if arrays else None
    return Graph(tuple(program.inputs), tuple(input_ids[n] for n in program.inputs), stages,
                 node_names[program.output], grads, program.kind, shapes,
                 frozenset(input_ids[n] for n in program.labels), reserved)
