"""Front end for matrix programs: staged program text with array inputs -> ``MProgram``.

Like ``parse.py``, user text is read with Python's ``ast`` against a whitelist and never
evaluated. A matrix program is a short staged program (``name = expression`` per line, the
last assignment or a final ``return`` is the output) over inputs whose shapes are given at
compile time, e.g. ``shapes={"W1": ("h", "d"), "x": ("d", "n")}``: sizes are integers or
names bound when the compiled function is called; inputs without a shape are scalars.

Each operation becomes one ``MStage`` with its inferred shape; a shape that does not fit
(``W1 @ W2`` with different inner sizes) is an error naming the stage and the shapes.
Operations: ``@``, ``.T``, elementwise ``+ - * / **`` with NumPy broadcasting, every scalar
function of the rules table applied elementwise, ``sum(a)``, ``sum(a, axis=k)``, ``mean``
(same forms), ``frob2(a)`` (squared Frobenius norm), ``softmax(a, axis=k)``,
``log_softmax(a, axis=k)`` and ``cross_entropy(o, y, axis=k)`` (mean over examples; ``y``
integer labels, or one-hot rows/columns of ``o``'s shape; classes along ``axis``, default 0).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .errors import BpcError, LimitError, ParseError
from .naming import RESERVED
from .parse import Limits
from .rules import FUNCTIONS, RULES

Dim = "int | str"
# functions that are not elementwise: name -> (min args, max args, takes axis=)
MATRIX_FUNCTIONS = {"sum": (1, 1, True), "mean": (1, 1, True), "frob2": (1, 1, False),
                    "softmax": (1, 1, True), "log_softmax": (1, 1, True), "cross_entropy": (2, 2, True)}
_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow", ast.MatMult: "matmul"}


@dataclass(frozen=True)
class MStage:
    name: str
    op: str
    args: tuple            # names (str) of inputs or earlier stages, or numbers (float/int)
    shape: tuple           # of Dim; () for a scalar
    line: int
    axis: int | None = None
    text: str = ""         # the operation as the user would write it, for comments and errors
    labels: int = 0        # cross_entropy: 1 when y holds integer class labels, 0 when one-hot

    def __str__(self) -> str:
        return f"{self.name} = {self.text}"


@dataclass
class MProgram:
    inputs: tuple[str, ...]
    shapes: dict            # input -> shape
    stages: list[MStage]
    output: str
    text: str = ""
    labels: set = field(default_factory=set)   # inputs used as integer class labels

    def shape_of(self, name) -> tuple:
        if not isinstance(name, str):
            return ()
        if name in self.shapes:
            return self.shapes[name]
        return next(s.shape for s in self.stages if s.name == name)


def fmt(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def broadcast(a: tuple, b: tuple):
    """NumPy's broadcasting on shapes with named sizes; None where they do not fit."""
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        else:
            return None
    return tuple(reversed(out))


def check_shapes(shapes) -> dict:
    checked = {}
    for name, shape in (shapes or {}).items():
        shape = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
        for d in shape:
            if not ((isinstance(d, int) and not isinstance(d, bool) and d >= 1) or (isinstance(d, str) and d.isidentifier())):
                raise BpcError(f"shape of {name!r}: sizes are positive integers or names, got {d!r}")
        if len(shape) > 2:
            raise BpcError(f"shape of {name!r}: matrix programs take scalars, vectors and matrices, got {fmt(shape)}")
        checked[str(name)] = shape
    return checked


class _Reader:
    def __init__(self, text: str, shapes: dict, limits: Limits):
        self.text, self.shapes, self.limits = text, shapes, limits
        self.stages: list[MStage] = []
        self.names: dict[str, tuple] = {}       # name -> shape, inputs and stages
        self.inputs: list[str] = []
        self.labels: set[str] = set()
        self.line = 0

    def error(self, message, node=None, hint=None):
        line = getattr(node, "lineno", None) or self.line or None
        col = getattr(node, "col_offset", None)
        return ParseError(message, line=line, col=None if col is None else col + 1, hint=hint)

    # -- statements --------------------------------------------------------------------------
    def read(self) -> MProgram:
        if len(self.text) > self.limits.max_chars:
            raise LimitError(f"source is longer than {self.limits.max_chars} characters")
        try:
            tree = ast.parse(self.text)
        except SyntaxError as err:
            raise ParseError(f"invalid syntax: {err.msg}", line=err.lineno, col=err.offset) from None
        except (RecursionError, MemoryError):
            raise LimitError("expression is nested too deeply") from None
        if sum(1 for _ in ast.walk(tree)) > self.limits.max_nodes:
            raise LimitError(f"source has more than {self.limits.max_nodes} syntax nodes")
        body = tree.body
        if not body:
            raise ParseError("empty program")
        self.reserved = {t.id for stmt in body if isinstance(stmt, ast.Assign) for t in stmt.targets
                         if isinstance(t, ast.Name)}
        output = None
        for k, stmt in enumerate(body):
            self.line = stmt.lineno
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                name = stmt.targets[0].id
                if name in self.names:
                    raise self.error(f"{name!r} is assigned twice", stmt.targets[0])
                output = self.assign(name, stmt.value)
            elif isinstance(stmt, (ast.Return, ast.Expr)) and k == len(body) - 1 and stmt.value is not None:
                self.target = "return"
                output = self.operand(stmt.value)
                if not isinstance(output, str) or output in self.inputs:
                    raise self.error("return an expression of the inputs, not an input or a number", stmt)
            else:
                raise self.error("a matrix program is 'name = expression' lines and an optional final return", stmt)
        if self.names.get(output, None) != ():
            raise BpcError(f"the output {output!r} has shape {fmt(self.names.get(output, ()))}; a gradient needs a "
                           f"scalar output", hint="reduce it, e.g. sum(...), mean(...) or frob2(...)")
        unused = [n for n in self.shapes if n not in self.inputs]
        if unused:
            raise BpcError(f"shapes names {unused[0]!r}, which the program does not use")
        return MProgram(tuple(self.inputs), {n: self.names[n] for n in self.inputs}, self.stages, output,
                        self.text, self.labels)

    def assign(self, name: str, value: ast.AST) -> str:
        if name in FUNCTIONS or name in MATRIX_FUNCTIONS or name in RESERVED or name.startswith("_"):
            raise self.error(f"{name!r} cannot be assigned (a function, a Python name, or a leading underscore)")
        before = len(self.stages)
        self.target = name
        result = self.operand(value)
        if len(self.stages) > before and result == self.stages[-1].name:
            last = self.stages[-1]              # the stage that computes the whole right side: give it the name
            self.stages[-1] = MStage(name, last.op, last.args, last.shape, last.line, last.axis, last.text, last.labels)
            self.names[name] = self.names.pop(last.name)
            return name
        self.stages.append(MStage(name, "copy", (result,), self.shape(result), self.line, None, self.show(result)))
        self.names[name] = self.shape(result)
        return name

    # -- expressions -------------------------------------------------------------------------
    def shape(self, operand) -> tuple:
        return self.names[operand] if isinstance(operand, str) else ()

    def show(self, operand) -> str:
        return operand if isinstance(operand, str) else repr(operand)

    def operand(self, node: ast.AST):
        """Stages for ``node`` (depth first); returns a name or a number."""
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return float(node.value) if isinstance(node.value, float) else node.value
        if isinstance(node, ast.Name):
            name = node.id
            if name in self.names:
                return name
            if name in FUNCTIONS or name in MATRIX_FUNCTIONS:
                raise self.error(f"{name!r} is a function; call it", node)
            if name in self.reserved:
                raise self.error(f"{name!r} is used before it is assigned", node)
            if name in RESERVED or name.startswith("_"):
                raise self.error(f"{name!r} cannot be an input name in a matrix program", node)
            self.inputs.append(name)
            self.names[name] = self.shapes.get(name, ())
            return name
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            a = self.operand(node.operand)
            if isinstance(node.op, ast.UAdd):
                return a
            if not isinstance(a, str):
                return -a
            return self.stage("neg", (a,), node, text=f"-{a}")
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            a, b = self.operand(node.left), self.operand(node.right)
            op = _BINOPS[type(node.op)]
            if not isinstance(a, str) and not isinstance(b, str):
                raise self.error("constant arithmetic: write the number", node)
            if op == "pow" and not isinstance(b, str):
                op = "powi" if float(b).is_integer() else "powc"
            return self.stage(op, (a, b), node)
        if isinstance(node, ast.Attribute):
            if node.attr != "T":
                raise self.error(f"attribute .{node.attr} is not allowed", node, hint="only .T (transpose) is")
            a = self.operand(node.value)
            return self.stage("T", (a,), node, text=f"{self.show(a)}.T")
        if isinstance(node, ast.Call):
            return self.call(node)
        raise self.error(f"{type(node).__name__} is not allowed in a matrix program", node)

    def call(self, node: ast.Call):
        if not isinstance(node.func, ast.Name):
            raise self.error("only named functions can be called", node)
        fname = node.func.id
        axis = None
        for kw in node.keywords:
            if kw.arg != "axis" or fname not in MATRIX_FUNCTIONS or not MATRIX_FUNCTIONS[fname][2]:
                raise self.error(f"{fname}() takes no keyword {kw.arg!r}", kw)
            value = kw.value
            sign = 1
            if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub):
                sign, value = -1, value.operand
            if not (isinstance(value, ast.Constant) and isinstance(value.value, int) and not isinstance(value.value, bool)):
                raise self.error("axis= takes an integer", kw)
            axis = sign * value.value
        args = [self.operand(a) for a in node.args]
        if fname in MATRIX_FUNCTIONS:
            low, high, _ = MATRIX_FUNCTIONS[fname]
            if not low <= len(args) <= high:
                raise self.error(f"{fname}() takes {low} argument{'s' if low > 1 else ''}, got {len(args)}", node)
            if fname == "cross_entropy" and axis is None:
                axis = 0
            if fname in ("softmax", "log_softmax") and axis is None:
                axis = 0
            return self.stage(fname, tuple(args), node, axis=axis)
        if fname not in FUNCTIONS:
            raise self.error(f"unknown function {fname!r}", node)
        op = FUNCTIONS[fname]
        if len(args) != RULES[op].arity:
            raise self.error(f"{fname}() takes {RULES[op].arity} argument(s), got {len(args)}", node)
        if not any(isinstance(a, str) for a in args):
            raise self.error(f"{fname}() of constants: write the number", node)
        return self.stage(op, tuple(args), node)

    def stage(self, op, args, node, axis=None, text=None) -> str:
        text = text or _text(op, [self.show(a) for a in args], axis)
        shape = self.infer(op, args, axis, text, node)
        name = self.fresh(op, args)
        labels = int(op == "cross_entropy" and self.shape(args[1]) != self.shape(args[0]))
        self.stages.append(MStage(name, op, tuple(args), shape, self.line, axis, text, labels))
        self.names[name] = shape
        return name

    def fresh(self, op, args) -> str:
        parts = [a if isinstance(a, str) else (str(int(a)) if float(a).is_integer() and abs(a) < 1000 else "")
                 for a in args]
        stem = {"matmul": "{0}{1}", "T": "{0}T", "sum": "sum{0}", "mean": "mean{0}", "frob2": "sq{0}",
                "softmax": "sm{0}", "log_softmax": "lsm{0}", "cross_entropy": "ce{0}"}.get(op) or RULES[op].stem
        name = stem.format(*parts, "", "")
        taken = self.names.keys() | self.reserved | set(self.shapes)
        if not name.isidentifier() or len(name) > 12 or name in taken or name in RESERVED:
            k = 1
            while f"t{k}" in taken:
                k += 1
            name = f"t{k}"
        return name

    # -- shapes ------------------------------------------------------------------------------
    def infer(self, op, args, axis, text, node) -> tuple:
        shapes = [self.shape(a) for a in args]

        def bad(why):
            described = ", ".join(f"{self.show(a)} is {fmt(s)}" for a, s in zip(args, shapes) if isinstance(a, str))
            return self.error(f"stage {self.target!r} ({text}): {why}: {described}", node)

        if op == "matmul":
            a, b = shapes
            if not a or not b:
                raise bad("@ needs vectors or matrices")
            inner_a, inner_b = a[-1], b[0] if len(b) == 1 else b[-2]
            if inner_a != inner_b:
                raise bad(f"inner sizes {inner_a} and {inner_b} differ")
            return a[:-1] + (b[1:] if len(b) == 2 else ())
        if op == "T":
            return tuple(reversed(shapes[0]))
        if op in ("sum", "mean"):
            if axis is None:
                return ()
            return tuple(d for k, d in enumerate(shapes[0]) if k != self.axis(axis, shapes[0], bad))
        if op == "frob2":
            return ()
        if op in ("softmax", "log_softmax"):
            self.axis(axis, shapes[0], bad)
            return shapes[0]
        if op == "cross_entropy":
            o, y = shapes
            k = self.axis(axis, o, bad)
            labels = tuple(d for j, d in enumerate(o) if j != k)
            if y == labels:
                if isinstance(args[1], str):
                    self.labels.add(args[1])
            elif y != o:
                raise bad(f"y must be integer labels of shape {fmt(labels)} or one-hot of shape {fmt(o)}")
            return ()
        out = shapes[0]
        for s in shapes[1:]:
            out = broadcast(out, s)
            if out is None:
                raise bad("cannot broadcast")
        return out

    @staticmethod
    def axis(axis, shape, bad) -> int:
        if not shape or not -len(shape) <= axis < len(shape):
            raise bad(f"axis {axis} is out of range")
        return axis % len(shape)


def _text(op, args, axis) -> str:
    symbols = {"add": "+", "sub": "-", "mul": "*", "div": "/", "powi": "**", "powc": "**", "pow": "**", "matmul": "@"}
    if op in symbols:
        return f"{args[0]} {symbols[op]} {args[1]}"
    if op == "neg":
        return f"-{args[0]}"
    suffix = f", axis={axis}" if axis is not None else ""
    return f"{op}({', '.join(args)}{suffix})"


def parse_matrix(text: str, shapes: dict, limits: Limits | None = None) -> MProgram:
    if not isinstance(text, str):
        raise ParseError("a matrix program is given as text", hint="write the staged program as a string")
    return _Reader(text, check_shapes(shapes), limits or Limits()).read()


def from_sympy(expr) -> tuple[str, dict]:
    """A SymPy matrix expression (``MatrixSymbol``s with ``*``, ``+``, ``.T``, Hadamard products and
    scalar factors) -> (staged program text, shapes). A 1x1 result is the scalar output."""
    import sympy as sp

    shapes, lines, seen = {}, [], {}

    def size(d):
        if d.is_Integer:
            return int(d)
        if d.is_Symbol:
            return d.name
        raise BpcError(f"matrix size {d} must be an integer or a symbol")

    def walk(e) -> str:
        if e in seen:
            return seen[e]
        if isinstance(e, sp.MatrixSymbol):
            shapes[e.name] = (size(e.shape[0]), size(e.shape[1]))
            text = e.name
        elif e.is_Symbol:
            text = e.name
        elif e.is_Number:
            text = repr(float(e)) if not e.is_Integer else str(int(e))
        elif isinstance(e, sp.MatMul):
            parts = [walk(a) for a in e.args]
            scalars = [p for a, p in zip(e.args, parts) if not a.is_Matrix]
            matrices = [p for a, p in zip(e.args, parts) if a.is_Matrix]
            text = " * ".join(scalars + [" @ ".join(matrices)]) if scalars else " @ ".join(matrices)
        elif isinstance(e, sp.MatAdd) or isinstance(e, sp.Add):
            text = " + ".join(walk(a) for a in e.args)
        elif isinstance(e, sp.Mul):
            text = " * ".join(walk(a) for a in e.args)
        elif isinstance(e, sp.HadamardProduct):
            text = " * ".join(walk(a) for a in e.args)
        elif isinstance(e, sp.Transpose):
            text = f"{walk(e.arg)}.T"
        else:
            raise BpcError(f"{type(e).__name__} is not supported in a SymPy matrix expression",
                           hint="use MatrixSymbol with *, +, .T, hadamard_product and scalar factors, "
                                "or write a staged matrix program")
        if isinstance(e, (sp.MatrixSymbol, sp.Symbol)) or e.is_Number:
            return text
        name = f"t{len(lines) + 1}"
        lines.append(f"{name} = {text}")
        seen[e] = name
        return name

    if not getattr(expr, "is_Matrix", False) or tuple(expr.shape) != (1, 1):
        raise BpcError("a SymPy matrix expression must have a 1x1 value to differentiate",
                       hint="e.g. (W*x - y).T*(W*x - y)")
    out = walk(expr)
    lines.append(f"f = sum({out})")
    return "\n".join(lines) + "\n", shapes
