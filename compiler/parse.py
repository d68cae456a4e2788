"""Front end: source text, a Python function or a SymPy expression -> ``Program``.

User text is read with Python's ``ast`` and checked against a whitelist of node
types and function names; it is never passed to ``eval``, ``exec``,
``sympify`` or ``parse_expr``. Traversals are iterative, so deep input meets a
documented limit instead of a ``RecursionError``.

A ``Program`` is a flat list of single-operation ``Node``s in evaluation
order. Operands are ``In`` (an input), ``Ref`` (an earlier node) or ``Const``.
Names are given to nodes later (``naming.py``).
"""
from __future__ import annotations

import ast
import difflib
import inspect
import io
import math
import textwrap
import tokenize
import warnings
from dataclasses import dataclass
from typing import Union

from .errors import LimitError, ParseError
from .rules import FUNCTIONS, RULES


@dataclass(frozen=True)
class Limits:
    """Bounds on what the front end accepts; every one is checked before work grows."""

    max_chars: int = 1_000_000     # source length
    max_nodes: int = 200_000       # syntax-tree nodes (roughly: operations + operands)
    max_depth: int = 500           # nesting of calls, parentheses, unary ops, right operands

    @property
    def described(self) -> str:
        return f"{self.max_chars} characters, {self.max_nodes} nodes, nesting depth {self.max_depth}"


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


@dataclass
class Program:
    inputs: tuple[str, ...]
    nodes: list[Node]
    output: int                   # index of the node whose value is returned
    output_hint: str | None = None  # e.g. the function's name
    kind: str = "formula"         # "formula" | "program" | "function" | "sympy"
    text: str = ""                # the source text, as given


_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow", ast.BitXor: "pow"}
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
_MAX_EXACT_INT = 2**53


def parse(source, limits: Limits | None = None) -> Program:
    """Read a formula, a staged program, a ``def`` (text or function object) or a SymPy expression."""
    limits = limits or Limits()
    if callable(source) and not isinstance(source, type) and hasattr(source, "__code__"):
        try:
            text = textwrap.dedent(inspect.getsource(source))
        except (OSError, TypeError) as err:
            raise ParseError(f"cannot read the source of {source!r}: {err}") from None
        if source.__name__ == "<lambda>":
            raise ParseError("lambda functions cannot be read back as source", hint="write a def function or a formula string")
        return _TextParser(text, limits).parse()
    if isinstance(source, str):
        return _TextParser(source, limits).parse()
    import sympy

    if isinstance(source, sympy.Basic):
        return _from_sympy(source, limits)
    raise ParseError(f"cannot compile an object of type {type(source).__name__}",
                     hint="pass a formula string, a def function or a SymPy expression")


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


class _TextParser:
    def __init__(self, text: str, limits: Limits):
        self.original = text
        self.limits = limits
        self.nodes: list[Node] = []
        self.memo: dict[tuple, int] = {}
        self.inputs: dict[str, tuple[int, int]] = {}   # name -> where first used
        self.defined: dict[str, tuple[Operand, int]] = {}  # name -> (operand, line)
        self.fn_params: tuple[str, ...] | None = None

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
            return self.function(body[0])
        return self.statements(body, kind="formula" if len(body) == 1 and isinstance(body[0], ast.Expr) else "program")

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
        self.nodes.append(Node("copy", (value,), name, line))
        return Ref(len(self.nodes) - 1)

    def check_name(self, name: str, node) -> None:
        if name in FUNCTIONS:
            raise self.error(f"{name!r} is a function name and cannot be used as a variable", node)
        if name == "pi":
            raise self.error("'pi' is the constant pi and cannot be assigned or used as a parameter", node)

    # -- expressions -----------------------------------------------------------------------
    def children(self, node) -> list[tuple[ast.AST, bool]]:
        """Validate one expression node; list its operands as (child, counts_toward_depth)."""
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _BINOPS:
                sym = _SYMBOLS.get(type(node.op), type(node.op).__name__)
                raise self.error(f"operator '{sym}' is not supported", node,
                                 hint="use + - * / ** (or ^ for powers)")
            # a long left-leaning chain such as a + b + c + ... does not count as nesting
            return [(node.left, False), (node.right, True)]
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise self.error(f"unary operator '{type(node.op).__name__}' is not supported", node)
            return [(node.operand, True)]
        if isinstance(node, ast.Call):
            return [(arg, True) for arg in self.call_args(node)]
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
                known = func.attr in FUNCTIONS
                raise self.error("attribute access is not allowed", func,
                                 hint=f"write {func.attr}(...) without a module prefix" if known else None)
            raise self.error("only named functions can be called", func)
        name = func.id
        if name not in FUNCTIONS:
            close = difflib.get_close_matches(name, sorted(FUNCTIONS), n=1)
            raise self.error(f"unknown function {name!r}", func,
                             hint=f"did you mean {close[0]!r}?" if close else "see 'bpc --help' for the supported functions")
        if node.keywords:
            raise self.error("keyword arguments are not allowed", node.keywords[0] if hasattr(node.keywords[0], "lineno") else node)
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.error("starred arguments are not allowed", arg)
        arity = RULES[FUNCTIONS[name]].arity
        n = len(node.args)
        if name in ("max", "min"):
            if n < 2:
                raise self.error(f"{name} takes at least 2 arguments, got {n}", node)
        elif n != arity:
            plural = "s" if arity != 1 else ""
            raise self.error(f"{name} takes {arity} argument{plural}, got {n}", node)
        return node.args

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
            else:  # ast.Call
                n = len(node.args)
                args = tuple(results[len(results) - n:])
                del results[len(results) - n:]
                op = FUNCTIONS[node.func.id]
                if op in ("max", "min"):
                    value = args[0]
                    for arg in args[1:]:
                        value = self.make(op, (value, arg), node)
                    results.append(value)
                else:
                    results.append(self.make(op, args, node))
        return results[0]

    def name(self, node: ast.Name) -> Operand:
        name = node.id
        if name in FUNCTIONS:
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
            if abs(value) <= _MAX_EXACT_INT:
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

    def make(self, op: str, args: tuple, node) -> Operand:
        if all(isinstance(a, Const) and a.value != "pi" for a in args) and op in _FOLD:
            return self.fold(op, [a.value for a in args], node)
        key = (op, args)
        if key in self.memo:
            return Ref(self.memo[key])
        self.nodes.append(Node(op, args, None, getattr(node, "lineno", None)))
        self.memo[key] = len(self.nodes) - 1
        return Ref(len(self.nodes) - 1)

    def fold(self, op: str, values: list, node) -> Const:
        """Arithmetic on two literal numbers, done in float64 (ints stay exact when small)."""
        try:
            result = _FOLD[op](*values)
            if isinstance(result, int) and abs(result) > _MAX_EXACT_INT:
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


# -- SymPy expressions ------------------------------------------------------------------------

def _from_sympy(expr, limits: Limits) -> Program:
    """Flatten a SymPy expression into single-operation nodes (iteratively; shared subtrees once)."""
    import sympy as sp
    from sympy.codegen.cfunctions import expm1, hypot, log1p

    from . import functions as fn

    by_class = {
        sp.exp: "exp", sp.log: "log", log1p: "log1p", expm1: "expm1", sp.sin: "sin", sp.cos: "cos",
        sp.tan: "tan", sp.asin: "asin", sp.acos: "acos", sp.atan: "atan", sp.atan2: "atan2",
        sp.sinh: "sinh", sp.cosh: "cosh", sp.tanh: "tanh", sp.erf: "erf", sp.Abs: "abs",
        sp.Max: "max", sp.Min: "min", fn.sigmoid: "sigmoid", fn.relu: "relu", fn.softplus: "softplus",
        fn.logaddexp: "logaddexp", hypot: "hypot",
    }
    nodes: list[Node] = []
    memo: dict = {}
    inputs: list[str] = []

    def make(op, args) -> Operand:
        key = (op, args)
        if key not in memo:
            nodes.append(Node(op, args))
            memo[key] = Ref(len(nodes) - 1)
        return memo[key]

    def product(factors: list[Operand]) -> Operand | None:
        value = None
        for f in factors:
            value = f if value is None else make("mul", (value, f))
        return value

    def leaf(e) -> Operand | None:
        if isinstance(e, sp.Symbol):
            if e.name not in inputs:
                inputs.append(e.name)
            return In(e.name)
        if e is sp.pi:
            return Const("pi")
        if isinstance(e, sp.Integer):
            return Const(int(e)) if abs(int(e)) <= _MAX_EXACT_INT else Const(float(e))
        if isinstance(e, (sp.Float, sp.Rational)):
            return Const(float(e))
        if e is sp.E:
            return make("exp", (Const(1),))
        if isinstance(e, sp.Number) or isinstance(e, sp.NumberSymbol) or not isinstance(e, sp.Expr):
            raise ParseError(f"unsupported SymPy atom {e!r}")
        return None

    count = 0
    for _ in sp.preorder_traversal(expr):
        count += 1
        if count > limits.max_nodes:
            raise LimitError(f"expression has more than {limits.max_nodes} nodes")

    done: dict = {}
    stack = [(expr, False)]
    while stack:
        e, expanded = stack.pop()
        if e in done:
            continue
        value = leaf(e)
        if value is not None:
            done[e] = value
            continue
        if not expanded:
            stack.append((e, True))
            stack.extend((arg, False) for arg in reversed(e.args) if arg not in done)
            continue
        args = [done[a] for a in e.args]
        if isinstance(e, sp.Add):
            value = args[0]
            for term, operand in zip(e.args[1:], args[1:]):
                coeff, rest = term.as_coeff_Mul()
                if coeff.is_negative and isinstance(term, sp.Mul):
                    value = make("sub", (value, done.get(-term) or _convert_negated(-term, done, make, leaf)))
                else:
                    value = make("add", (value, operand))
        elif isinstance(e, sp.Mul):
            num, den, negate = [], [], False
            for factor, operand in zip(e.args, args):
                if factor == -1:
                    negate = not negate
                elif isinstance(factor, sp.Pow) and factor.exp.is_Integer and factor.exp < 0:
                    den.append(_convert_pow(factor.base, -factor.exp, done, make))
                else:
                    num.append(operand)
            top, bottom = product(num), product(den)
            if bottom is not None:
                value = make("recip", (bottom,)) if top is None else make("div", (top, bottom))
            else:
                value = top if top is not None else Const(1)
            if negate:
                value = make("neg", (value,))
        elif isinstance(e, sp.Pow):
            value = _convert_pow(e.base, e.exp, done, make)
        elif type(e) in by_class:
            op = by_class[type(e)]
            if op in ("max", "min") and len(args) > 2:
                value = args[0]
                for arg in args[1:]:
                    value = make(op, (value, arg))
            else:
                if len(args) != RULES[op].arity:
                    raise ParseError(f"{type(e).__name__} with {len(args)} arguments is not supported")
                value = make(op, tuple(args))
        else:
            raise ParseError(f"no rule for the SymPy function {type(e).__name__!r}",
                             hint=f"supported: {', '.join(sorted(FUNCTIONS))}")
        done[e] = value
    out = done[expr]
    if not isinstance(out, Ref):
        nodes.append(Node("copy", (out,)))
        out = Ref(len(nodes) - 1)
    return Program(tuple(inputs), nodes, out.index, None, "sympy", sp.srepr(expr))


def _convert_negated(term, done, make, leaf):
    """Operand for a term that only appears negated in the SymPy tree (x - y*z holds -y*z)."""
    import sympy as sp

    operands = []
    for factor in sp.Mul.make_args(term):
        if factor in done:
            operands.append(done[factor])
        else:
            value = leaf(factor)
            if value is None:
                raise ParseError(f"cannot convert SymPy term {term!r}")
            operands.append(value)
    value = operands[0]
    for operand in operands[1:]:
        value = make("mul", (value, operand))
    return value


def _convert_pow(base, exponent, done, make) -> Operand:
    import sympy as sp

    a = done[base]
    if exponent.is_Integer:
        n = int(exponent)
        return make("recip", (a,)) if n == -1 else make("powi", (a, Const(n)))
    if exponent == sp.S.Half:
        return make("sqrt", (a,))
    if exponent.is_Number:
        return make("powc", (a, Const(float(exponent))))
    return make("pow", (a, done[exponent]))
