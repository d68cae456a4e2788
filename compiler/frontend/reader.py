"""Source text -> ``ir.Program``: formulas, staged programs and ``def`` functions, scalar or array.

User text is read with Python's ``ast`` and checked against a whitelist of node types and
function names; it is never passed to ``eval``, ``exec``, ``sympify`` or ``parse_expr``.
Traversals are iterative, so deep input meets a documented limit instead of a
``RecursionError``.

With ``shapes`` (input name -> shape) the program is an array program: every node gets its
shape as it is made, ``@``, ``.T`` and the array functions (``sum``, ``softmax``,
``cross_entropy`` ...) are allowed, and a shape that does not fit is an error naming the
stage and the shapes.
"""
from __future__ import annotations

import ast
import difflib
import io
import math
import tokenize
import warnings

from ..errors import BpcError, LimitError, ParseError
from ..ir import Const, In, Node, Operand, Program, Ref, fmt
from ..rules import ARRAY_FUNCTIONS, FUNCTIONS, RULES
from ..rules import scalar as _core
from ..rules.array import DEFAULT_AXIS, elementwise_shape
from .limits import Limits

_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow", ast.BitXor: "pow",
           ast.MatMult: "matmul"}
_SYMBOLS = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
            ast.BitOr: "|", ast.BitAnd: "&"}
_FORBIDDEN = {
    ast.Attribute: "attribute access", ast.Subscript: "subscripts", ast.Lambda: "lambda expressions",
    ast.ListComp: "comprehensions", ast.SetComp: "comprehensions", ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions", ast.Compare: "comparisons", ast.BoolOp: "'and'/'or'",
    ast.IfExp: "conditional expressions", ast.NamedExpr: "':=' assignments", ast.Await: "await expressions",
    ast.Yield: "yield expressions", ast.YieldFrom: "yield expressions", ast.List: "lists", ast.Tuple: "tuples", ast.Dict: "dicts",
    ast.Set: "sets", ast.JoinedStr: "strings", ast.Starred: "starred arguments", ast.Slice: "slices",
    ast.Import: "import statements", ast.ImportFrom: "import statements", ast.AugAssign: "augmented assignment (+= etc.)",
    ast.AnnAssign: "annotated assignment", ast.For: "loops", ast.While: "loops", ast.If: "if statements",
    ast.With: "with statements", ast.Try: "try statements", ast.ClassDef: "class definitions",
    ast.Delete: "del statements", ast.Global: "global statements", ast.Nonlocal: "nonlocal statements", ast.Raise: "raise statements",
    ast.Assert: "assert statements", ast.Pass: "pass statements", ast.AsyncFunctionDef: "async functions",
}
MAX_EXACT_INT = 2**53
# names that are always functions: the elementary ones, and the array functions of array programs
_HARD_NAMES = frozenset(n for r in _core.ROWS for n in r.names) | frozenset(ARRAY_FUNCTIONS)


def _caret_to_pow(text: str):
    """Replace ``^`` operator tokens with ``**`` (Python reads ``^`` as xor, with the wrong precedence).

    Returns the new text and, per line, the columns in the new text after which one
    character was inserted, so positions can be reported in the user's own text.
    """
    if "^" not in text:
        return text, {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return text, {}   # ast.parse reports the real error with its position
    carets = [tok.start for tok in tokens if tok.type == tokenize.OP and tok.string == "^"]
    lines = text.splitlines(keepends=True)
    shifts: dict[int, list[int]] = {}
    for row, col in reversed(carets):
        line = lines[row - 1]
        lines[row - 1] = line[:col] + "**" + line[col + 1:]
    for row, col in carets:
        shifts.setdefault(row, [])
        shifts[row].append(col + len(shifts[row]))
    return "".join(lines), shifts


class Reader:
    def __init__(self, text: str, limits: Limits, shapes: dict | None = None):
        self.original = text
        self.limits = limits
        self.shapes = shapes              # None: a scalar program
        self.nodes: list[Node] = []
        self.memo: dict[tuple, int] = {}
        self.sources: dict[int, ast.AST] = {}          # node index -> the syntax it came from (messages)
        self.inputs: dict[str, tuple[int, int]] = {}   # name -> where first used
        self.defined: dict[str, tuple[Operand, int]] = {}  # name -> (operand, line)
        self.labels: set[str] = set()
        self.fn_params: tuple[str, ...] | None = None
        self.target: str | None = None    # the name being assigned (shape errors name it)

    @property
    def arrays(self) -> bool:
        return self.shapes is not None

    # -- positions -------------------------------------------------------------------------
    def where(self, node) -> tuple[int | None, int | None]:
        line = getattr(node, "lineno", None)
        byte_col = getattr(node, "col_offset", None)
        if line is None or byte_col is None:
            return None, None
        src_line = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        col = len(src_line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))
        col -= sum(1 for s in self.shifts.get(line, ()) if s < col)
        return line, col + 1

    def error(self, message: str, node=None, hint: str | None = None, cls=ParseError):
        line, col = self.where(node) if node is not None else (None, None)
        return cls(message, line, col, hint)

    # -- entry -------------------------------------------------------------------------
    def parse(self) -> Program:
        text = self.original
        if len(text) > self.limits.max_chars:
            raise LimitError(f"source is {len(text)} characters, more than the limit of {self.limits.max_chars}")
        if "\x00" in text:
            raise ParseError("source contains a NUL character")
        text, self.shifts = _caret_to_pow(text)
        self.lines = text.splitlines()
        try:
            with warnings.catch_warnings():      # e.g. "invalid decimal literal": we report errors ourselves
                warnings.simplefilter("ignore", SyntaxWarning)
                warnings.simplefilter("ignore", DeprecationWarning)   # invalid escapes, Python 3.11
                tree = ast.parse(text, mode="exec")
        except SyntaxError as err:
            msg = (err.msg or "invalid syntax").split(" (")[0]
            if "too many nested parentheses" in msg:
                raise LimitError("formula is nested too deeply (more than 200 parentheses)", err.lineno, err.offset) from None
            col = err.offset
            if err.lineno and col:
                col -= sum(1 for s in self.shifts.get(err.lineno, ()) if s < col - 1)
            raise ParseError(f"syntax error: {msg}", err.lineno, col) from None
        except (RecursionError, MemoryError):
            raise LimitError(f"formula is nested too deeply for Python's parser (limits: {self.limits.described})") from None
        count = 0
        for _ in ast.walk(tree):
            count += 1
            if count > self.limits.max_nodes:
                raise LimitError(f"formula has more than {self.limits.max_nodes} syntax nodes")
        body = tree.body
        if not body:
            raise ParseError("empty source: nothing to compile")
        if len(body) == 1 and isinstance(body[0], ast.FunctionDef):
            program = self.function(body[0])
        else:
            program = self.statements(body, kind="formula" if len(body) == 1 and isinstance(body[0], ast.Expr) else "program")
        return self.finish(program)

    def finish(self, program: Program) -> Program:
        """Array programs: the output must be a scalar, and every shape must name an input."""
        if not self.arrays:
            return program
        out = program.nodes[program.output]
        if out.shape != ():
            name = out.name or "the output"
            raise BpcError(f"the output {name!r} has shape {fmt(out.shape)}; a gradient needs a scalar output",
                           hint="reduce it, e.g. sum(...), mean(...) or frob2(...)")
        unused = [n for n in self.shapes if n not in program.inputs]
        if unused:
            raise BpcError(f"shapes names {unused[0]!r}, which the program does not use")
        program.shapes = {n: self.shapes.get(n, ()) for n in program.inputs}
        program.labels = frozenset(self.labels)
        return program

    def function(self, fn: ast.FunctionDef) -> Program:
        a = fn.args
        if fn.decorator_list:
            raise self.error("decorators are not allowed", fn.decorator_list[0])
        if a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs or a.defaults or a.kw_defaults:
            raise self.error("function parameters must be plain names (no defaults, *args or **kwargs)", fn)
        names = [arg.arg for arg in a.args]
        for arg in a.args:
            self.check_name(arg.arg, arg)
            if names.count(arg.arg) > 1:
                raise self.error(f"parameter {arg.arg!r} appears twice", arg)
            self.inputs.setdefault(arg.arg, self.where(arg))
        self.fn_params = tuple(names)
        body = list(fn.body)
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            body = body[1:]   # docstring
        if not body or not isinstance(body[-1], ast.Return) or body[-1].value is None:
            raise self.error(f"function {fn.name!r} must end with 'return <expression>'", fn)
        program = self.statements(body, kind="function")
        program.output_hint = fn.name
        return program

    def statements(self, body, kind: str) -> Program:
        output: Operand | None = None
        last_line = None
        for i, stmt in enumerate(body):
            is_last = i == len(body) - 1
            if isinstance(stmt, ast.Assign):
                if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
                    raise self.error("assign to one plain name per line (name = expression)", stmt)
                target = stmt.targets[0]
                name = target.id
                self.check_name(name, target)
                if name in self.defined:
                    first = self.defined[name][1]
                    raise self.error(f"name {name!r} is assigned twice (first on line {first})", target,
                                     hint="give each stage its own name")
                if name in self.inputs:
                    raise self.error(f"name {name!r} is an input (used at {self.inputs[name][0]}:{self.inputs[name][1]}) "
                                     "and cannot be assigned", target)
                self.target = name
                value = self.expr(stmt.value)
                operand = self.bind(value, name, stmt.lineno)
                self.defined[name] = (operand, stmt.lineno)
                output, last_line = operand, stmt.lineno
            elif isinstance(stmt, (ast.Expr, ast.Return)):
                if not is_last:
                    what = "return" if isinstance(stmt, ast.Return) else "a bare expression"
                    raise self.error(f"{what} must be the last statement", stmt)
                if stmt.value is None:
                    raise self.error("'return' needs an expression", stmt)
                self.target = "return"
                output, last_line = self.expr(stmt.value), stmt.lineno
            elif isinstance(stmt, ast.FunctionDef):
                raise self.error("a function definition must be the whole source", stmt)
            else:
                raise self.error(f"{_FORBIDDEN.get(type(stmt), type(stmt).__name__ + ' statements')} "
                                 "are not allowed", stmt)
        assert output is not None
        if not isinstance(output, Ref):
            output = self.bind(output, None, last_line, force=True)
        inputs = self.fn_params if self.fn_params is not None else tuple(self.inputs)
        return Program(inputs, self.nodes, output.index, None, kind, self.original)

    def bind(self, value: Operand, name: str | None, line, force: bool = False) -> Operand:
        """Give the value of an assignment its user name, adding a copy stage when needed."""
        if isinstance(value, Ref) and self.nodes[value.index].name is None:
            node = self.nodes[value.index]
            node.name, node.line = name, line
            return value
        if name is None and not force:
            return value
        self.nodes.append(Node("copy", (value,), name, line, shape=self.shape(value)))
        return Ref(len(self.nodes) - 1)

    def is_function(self, name: str) -> bool:
        """``name(...)`` calls a row."""
        return name in FUNCTIONS and (self.arrays or name not in ARRAY_FUNCTIONS)

    def is_reserved(self, name: str) -> bool:
        """``name`` cannot be a variable: the elementary functions. Other function names (gamma,
        beta, round, where ...) are functions when called and variables otherwise, as in Python."""
        return self.is_function(name) and name in _HARD_NAMES

    def check_name(self, name: str, node) -> None:
        if self.is_reserved(name):
            raise self.error(f"{name!r} is a function name and cannot be used as a variable", node)
        if name == "pi":
            raise self.error("'pi' is the constant pi and cannot be assigned or used as a parameter", node)

    # -- expressions -----------------------------------------------------------------------
    def children(self, node) -> list[tuple[ast.AST, bool]]:
        """Validate one expression node; list its operands as (child, counts_toward_depth)."""
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _BINOPS or (isinstance(node.op, ast.MatMult) and not self.arrays):
                sym = _SYMBOLS.get(type(node.op), type(node.op).__name__)
                raise self.error(f"operator '{sym}' is not supported", node,
                                 hint="use + - * / ** (or ^ for powers)" + ("; @ needs shapes=" if sym == "@" else ""))
            # a long left-leaning chain such as a + b + c + ... does not count as nesting
            return [(node.left, False), (node.right, True)]
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise self.error(f"unary operator '{type(node.op).__name__}' is not supported", node)
            return [(node.operand, True)]
        if isinstance(node, ast.Call):
            return [(arg, True) for arg in self.call_args(node)]
        if isinstance(node, ast.Attribute) and self.arrays:
            if node.attr != "T":
                raise self.error(f"attribute .{node.attr} is not allowed", node, hint="only .T (transpose) is")
            return [(node.value, True)]
        if isinstance(node, ast.Name):
            return []
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or value is None or value is Ellipsis:
                raise self.error(f"{value!r} is not a number", node)
            if isinstance(value, (str, bytes)):
                raise self.error("strings are not allowed", node)
            if isinstance(value, complex):
                raise self.error("complex numbers are not supported", node)
            return []
        what = _FORBIDDEN.get(type(node), type(node).__name__)
        raise self.error(f"{what} are not allowed" if not what.endswith("access") else f"{what} is not allowed", node)

    def call_args(self, node: ast.Call) -> list:
        func = node.func
        if not isinstance(func, ast.Name):
            if isinstance(func, ast.Attribute):
                known = self.is_function(func.attr)
                raise self.error("attribute access is not allowed", func,
                                 hint=f"write {func.attr}(...) without a module prefix" if known else None)
            raise self.error("only named functions can be called", func)
        name = func.id
        if not self.is_function(name):
            known = sorted(n for n in FUNCTIONS if self.is_function(n))
            close = difflib.get_close_matches(name, known, n=1)
            raise self.error(f"unknown function {name!r}", func,
                             hint=f"did you mean {close[0]!r}?" if close else "see 'bpc --help' for the supported functions")
        rule = RULES[FUNCTIONS[name]]
        for kw in node.keywords:
            if kw.arg != "axis" or not rule.axis:
                if not rule.axis and not self.arrays:
                    raise self.error("keyword arguments are not allowed", kw if hasattr(kw, "lineno") else node)
                raise self.error(f"{name}() takes no keyword {kw.arg!r}", kw)
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.error("starred arguments are not allowed", arg)
        n = len(node.args)
        if rule.variadic:
            if n < 2:
                raise self.error(f"{name} takes at least 2 arguments, got {n}", node)
        elif n != rule.arity:
            plural = "s" if rule.arity != 1 else ""
            raise self.error(f"{name} takes {rule.arity} argument{plural}, got {n}", node)
        return node.args

    def axis(self, node: ast.Call, op: str):
        """The axis= of an array function (an integer literal), or its default."""
        for kw in node.keywords:
            value, sign = kw.value, 1
            if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub):
                sign, value = -1, value.operand
            if not (isinstance(value, ast.Constant) and isinstance(value.value, int) and not isinstance(value.value, bool)):
                raise self.error("axis= takes an integer", kw)
            return sign * value.value
        return DEFAULT_AXIS.get(op)

    def expr(self, root) -> Operand:
        """Post-order walk with an explicit stack: no recursion, whatever the depth."""
        max_depth = self.limits.max_depth
        results: list[Operand] = []
        stack: list[tuple[ast.AST, int, bool]] = [(root, 0, False)]
        while stack:
            node, depth, done = stack.pop()
            if not done:
                if depth > max_depth:
                    raise self.error(f"formula is nested more than {max_depth} levels deep", node, cls=LimitError)
                kids = self.children(node)
                stack.append((node, depth, True))
                for child, deeper in reversed(kids):
                    stack.append((child, depth + 1 if deeper else depth, False))
                continue
            if isinstance(node, ast.Name):
                results.append(self.name(node))
            elif isinstance(node, ast.Constant):
                results.append(self.number(node.value, node))
            elif isinstance(node, ast.UnaryOp):
                operand = results.pop()
                results.append(operand if isinstance(node.op, ast.UAdd) else self.make("neg", (operand,), node))
            elif isinstance(node, ast.BinOp):
                right, left = results.pop(), results.pop()
                results.append(self.binop(_BINOPS[type(node.op)], left, right, node))
            elif isinstance(node, ast.Attribute):     # .T
                results.append(self.make("T", (results.pop(),), node))
            else:  # ast.Call
                n = len(node.args)
                args = tuple(results[len(results) - n:])
                del results[len(results) - n:]
                op = FUNCTIONS[node.func.id]
                if RULES[op].variadic:
                    value = args[0]
                    for arg in args[1:]:
                        value = self.make(op, (value, arg), node)
                    results.append(value)
                elif not RULES[op].elementwise:
                    results.append(self.make(op, args, node, (("axis", self.axis(node, op)),)))
                else:
                    results.append(self.make(op, args, node))
        return results[0]

    def name(self, node: ast.Name) -> Operand:
        name = node.id
        if self.is_reserved(name):
            raise self.error(f"{name!r} is a function; call it as {name}(...)", node)
        if name == "pi":
            return Const("pi")
        if name in self.defined:
            return self.defined[name][0]
        if self.fn_params is not None and name not in self.fn_params:
            raise self.error(f"name {name!r} is not defined (not a parameter or an earlier assignment)", node)
        self.inputs.setdefault(name, self.where(node))
        return In(name)

    def number(self, value, node) -> Const:
        if isinstance(value, int):
            if abs(value) <= MAX_EXACT_INT:
                return Const(value)
            try:
                value = float(value)
            except OverflowError:
                raise self.error("number is too large for float64", node) from None
        if not math.isfinite(value):
            raise self.error("number is too large for float64", node)
        return Const(value)

    def binop(self, op: str, left: Operand, right: Operand, node) -> Operand:
        if op == "pow":
            if isinstance(right, Const) and not isinstance(left, Const):
                op = "powi" if isinstance(right.value, int) else "powc"
        elif op == "div":
            if isinstance(left, Const) and left.value == 1 and not isinstance(right, Const):
                return self.make("recip", (right,), node)
            for operand, role in ((left, "num"), (right, "den")):
                if isinstance(operand, Ref) and self.nodes[operand.index].role is None:
                    self.nodes[operand.index].role = role
        return self.make(op, (left, right), node)

    # -- shapes ----------------------------------------------------------------------------
    def shape(self, operand: Operand) -> tuple:
        if isinstance(operand, Ref):
            return self.nodes[operand.index].shape
        if isinstance(operand, In) and self.arrays:
            return tuple(self.shapes.get(operand.name, ()))
        return ()

    def show(self, operand: Operand) -> str:
        """An operand as the user wrote it, for messages."""
        if isinstance(operand, In):
            return operand.name
        if isinstance(operand, Const):
            return str(operand.value)
        node = self.nodes[operand.index]
        return node.name or ast.unparse(self.sources[operand.index])

    def infer(self, op: str, args: tuple, attrs: tuple, node) -> tuple:
        """The shape of ``op(args)``; a shape that does not fit names the stage and the operands' shapes."""
        if not self.arrays:
            return ()
        shapes = [self.shape(a) for a in args]

        def fail(why):
            described = ", ".join(f"{self.show(a)} is {fmt(s)}" for a, s in zip(args, shapes) if not isinstance(a, Const))
            return self.error(f"stage {self.target!r} ({ast.unparse(node)}): {why}: {described}", node)

        rule = RULES[op]
        if rule.elementwise:
            return elementwise_shape(shapes, attrs, fail)
        return rule.infer(shapes, attrs, fail)

    def make(self, op: str, args: tuple, node, attrs: tuple = ()) -> Operand:
        if all(isinstance(a, Const) and a.value != "pi" for a in args) and op in _FOLD:
            return self.fold(op, [a.value for a in args], node)
        if op == "cross_entropy":       # y: integer labels (o's shape without the class axis) or one-hot
            labels = int(self.shape(args[1]) != self.shape(args[0]))
            attrs += (("labels", labels),)
            if labels and isinstance(args[1], In):
                self.labels.add(args[1].name)
        key = (op, args, attrs)
        if key in self.memo:
            return Ref(self.memo[key])
        shape = self.infer(op, args, attrs, node)
        self.nodes.append(Node(op, args, None, getattr(node, "lineno", None), shape=shape, attrs=attrs))
        self.memo[key] = len(self.nodes) - 1
        self.sources[len(self.nodes) - 1] = node
        return Ref(len(self.nodes) - 1)

    def fold(self, op: str, values: list, node) -> Const:
        """Arithmetic on two literal numbers, done in float64 (ints stay exact when small)."""
        try:
            result = _FOLD[op](*values)
            if isinstance(result, int) and abs(result) > MAX_EXACT_INT:
                result = float(result)      # 2**1024 is an exact int but no float64: OverflowError
        except ZeroDivisionError:
            raise self.error("division by zero in a constant expression", node) from None
        except (OverflowError, ValueError):
            raise self.error("constant expression does not fit in float64 (overflow or not real)", node) from None
        if isinstance(result, complex):
            raise self.error("constant expression is not real", node)
        if isinstance(result, float) and not math.isfinite(result):
            raise self.error("constant expression overflows float64", node)
        return Const(result)


def _fold_pow(base, exponent):
    if isinstance(base, int) and isinstance(exponent, int) and exponent >= 0:
        if abs(base) > 1 and exponent * math.log2(abs(base)) > 1024:
            raise OverflowError
        return base**exponent
    return math.pow(base, exponent)


_FOLD = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "neg": lambda a: -a,
    "pow": _fold_pow,
}
