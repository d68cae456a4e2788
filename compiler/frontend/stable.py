"""Numerically stable rewrites, applied to the parsed program before naming (``stable=True``).

Each pattern replaces a literal formula that overflows or cancels in float64
by an equivalent primitive that does not; the gradient then comes from that
primitive's row in the rules table:

    log(1 + exp(a))          -> softplus(a)            (log(1 + exp(800)) is inf literally)
    log(sigmoid(a))          -> -softplus(-a)          (log(sigmoid(-800)) is -inf literally)
    log(exp(a) + exp(b) ...) -> logaddexp(a, b, ...)   (shifted log-sum-exp)
    log(1 + a)               -> log1p(a)               (log(1 + 1e-20) is 0 literally)
    exp(a) - 1               -> expm1(a)               (exp(1e-20) - 1 is 0 literally)
    sqrt(a**2 + b**2)        -> hypot(a, b)            (1e200**2 is inf literally)

``compiler.compile(..., stable=False)`` keeps the literal translation.
"""
from __future__ import annotations

from ..ir import Const, Node, Program, Ref


def stabilize(program: Program) -> Program:
    old = program.nodes
    new: list[Node] = []
    where: dict[int, object] = {}

    def mapped(operand):
        return where[operand.index] if isinstance(operand, Ref) else operand

    def node(operand, op=None):
        """The old node behind ``operand`` (optionally only if it is an ``op``)."""
        if isinstance(operand, Ref) and (op is None or old[operand.index].op == op):
            return old[operand.index]
        return None

    def one(operand) -> bool:
        return isinstance(operand, Const) and operand.value == 1

    def emit(op, *args, shape=()):
        new.append(Node(op, tuple(args), shape=shape))
        return Ref(len(new) - 1)

    def exp_leaves(operand):
        """Arguments of exp(...) terms if ``operand`` is a sum made only of them, else None."""
        n = node(operand)
        if n is None:
            return None
        if n.op == "exp":
            return [n.args[0]]
        if n.op == "add":
            left, right = exp_leaves(n.args[0]), exp_leaves(n.args[1])
            if left is not None and right is not None:
                return left + right
        return None

    def rewrite(n: Node):
        """(op, new args) of a stable replacement for old node ``n``, or None."""
        if n.op == "log":
            inner = node(n.args[0])
            if inner is not None and inner.op == "add":
                a, b = inner.args
                for c, e in ((a, b), (b, a)):
                    if one(c) and node(e, "exp") is not None:
                        return "softplus", (mapped(node(e).args[0]),)
                terms = exp_leaves(n.args[0])
                if terms is not None and len(terms) >= 2:
                    value = mapped(terms[0])
                    for t in terms[1:-1]:
                        value = emit("logaddexp", value, mapped(t), shape=n.shape)
                    return "logaddexp", (value, mapped(terms[-1]))
                for c, other in ((a, b), (b, a)):
                    if one(c):
                        return "log1p", (mapped(other),)
            if inner is not None and inner.op == "sigmoid":
                neg = emit("neg", mapped(inner.args[0]), shape=n.shape)
                return "neg", (emit("softplus", neg, shape=n.shape),)
        if n.op == "sub" and one(n.args[1]) and node(n.args[0], "exp") is not None:
            return "expm1", (mapped(node(n.args[0]).args[0]),)
        if n.op == "sqrt":
            inner = node(n.args[0], "add")
            if inner is not None:
                squares = [node(a, "powi") for a in inner.args]
                if all(s is not None and s.args[1] == Const(2) for s in squares):
                    return "hypot", (mapped(squares[0].args[0]), mapped(squares[1].args[0]))
        return None

    for i, n in enumerate(old):
        replacement = rewrite(n)
        op, args = replacement if replacement is not None else (n.op, tuple(mapped(a) for a in n.args))
        new.append(Node(op, args, n.name, n.line, n.role, n.shape, n.attrs))
        where[i] = Ref(len(new) - 1)
    return _prune(Program(program.inputs, new, where[program.output].index, program.output_hint,
                          program.kind, program.text, program.shapes, program.labels))


def _prune(program: Program) -> Program:
    """Drop unnamed nodes the output no longer uses (e.g. the exp inside a rewritten softplus)."""
    nodes = program.nodes
    live = {program.output}
    for i in range(len(nodes) - 1, -1, -1):
        if i in live or nodes[i].name is not None:
            live.add(i)
            live.update(a.index for a in nodes[i].args if isinstance(a, Ref))
    index: dict[int, int] = {}
    kept: list[Node] = []
    for i, n in enumerate(nodes):
        if i in live:
            index[i] = len(kept)
            kept.append(Node(n.op, tuple(Ref(index[a.index]) if isinstance(a, Ref) else a for a in n.args),
                             n.name, n.line, n.role, n.shape, n.attrs))
    return Program(program.inputs, kept, index[program.output], program.output_hint, program.kind, program.text,
                   program.shapes, program.labels)
