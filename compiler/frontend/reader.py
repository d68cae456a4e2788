"""Source text -> ``ir.Program``: formulas, staged programs and ``def`` functions, scalar or array.

User text is read with Python's ``ast`` and checked against a whitelist of node types and
function names; it is never passed to ``eval``, ``exec``, ``sympify`` or ``parse_expr``.
Traversals are iterative, so deep input meets a documented limit instead of a
``RecursionError``.

Python's own constructs are lowered here to single assignment: a name assigned again (or with
``+=``, ``*=`` ...) gets a new stage named ``name_2``, ``name_3`` ... (never a name the source uses);
``a if c else b`` is ``where(c, a, b)``; comparisons (chained too), ``and``/``or``/``not`` and
``&``/``|``/``~`` on conditions are the rows gt ... logical_not; ``a % b`` is ``mod``, ``a // b`` is
``floor(a / b)``. Calls may carry a module prefix (``np.``, ``torch.nn.functional.`` ...), keyword
arguments, or be methods (``x.exp()``); ``aliases.py`` maps the names to rows.

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
from . import aliases as _aliases
from .limits import Limits

_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow", ast.BitXor: "pow",
           ast.MatMult: "matmul", ast.Mod: "mod", ast.FloorDiv: "floordiv", ast.BitAnd: "logical_and",
           ast.BitOr: "logical_or"}
_SYMBOLS = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
            ast.BitOr: "|", ast.BitAnd: "&"}
_COMPARE = {ast.Gt: "gt", ast.GtE: "ge", ast.Lt: "lt", ast.LtE: "le", ast.Eq: "eq", ast.NotEq: "ne"}
_COMPARE_SYMBOLS = {ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}
# rows whose value is a condition (1 or 0): what and/or/not, &, | and ~ combine
CONDITIONS = frozenset(("gt", "ge", "lt", "le", "eq", "ne", "logical_and", "logical_or", "logical_not"))
_FORBIDDEN = {
    ast.Attribute: "attribute access", ast.Subscript: "subscripts", ast.Lambda: "lambda expressions",
    ast.ListComp: "comprehensions", ast.SetComp: "comprehensions", ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions", ast.NamedExpr: "':=' assignments", ast.Await: "await expressions",
    ast.Yield: "yield expressions", ast.YieldFrom: "yield expressions", ast.List: "lists", ast.Tuple: "tuples", ast.Dict: "dicts",
    ast.Set: "sets", ast.JoinedStr: "strings", ast.Starred: "starred arguments", ast.Slice: "slices",
    ast.Import: "import statements", ast.ImportFrom: "import statements", ast.For: "loops", ast.While: "loops", ast.If: "if statements",
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
        self.versions: dict[str, int] = {}  # name -> how many values it has had (reassignment)
        self.generated: set[str] = set()    # version names handed out (h_2, h_3 ...)
        self.source_names: set[str] = set()  # every identifier the source uses (versions avoid them)
        self.called: dict[str, int] = {}    # bare names called as functions -> first line
        self.plans: dict[int, _Plan] = {}   # id(ast.Call) -> its resolved call

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
        self.source_names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | \
            {n.arg for n in ast.walk(tree) if isinstance(n, ast.arg)}
        body = tree.body
        if not body:
            raise ParseError("empty source: nothing to compile")
        if any(isinstance(stmt, ast.FunctionDef) for stmt in body):
            body = self.skip_imports(body)      # import numpy as np, then a def
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
        body = self.skip_imports(body)
        if not body or not isinstance(body[-1], ast.Return) or body[-1].value is None:
            raise self.error(f"function {fn.name!r} must end with 'return <expression>'", fn)
        program = self.statements(body, kind="function")
        program.output_hint = fn.name
        return program

    def skip_imports(self, body: list) -> list:
        """Drop ``import numpy as np`` and the like (they bind a module prefix bpc already reads);
        any other import is an error."""
        kept = []
        for stmt in body:
            if isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    bound = alias.asname or alias.name
                    if (alias.name, bound) not in _aliases.IMPORTS and (alias.asname or alias.name not in
                                                                        _aliases.PREFIXES):
                        raise self.error(f"import of {alias.name!r}" + (f" as {alias.asname!r}" if alias.asname else "")
                                         + " is not supported", stmt, hint=_IMPORT_HINT)
            elif isinstance(stmt, ast.ImportFrom):
                module = stmt.module or ""
                for alias in stmt.names:
                    full = f"{module}.{alias.name}"
                    bound = alias.asname or alias.name
                    known = self.known_callable(alias.name) and bound == alias.name and module in _MODULES
                    if stmt.level or ((full, bound) not in _aliases.IMPORTS and not known):
                        raise self.error(f"'from {'.' * stmt.level}{module} import {alias.name}' is not supported",
                                         stmt, hint=_IMPORT_HINT)
            else:
                kept.append(stmt)
        return kept

    def statements(self, body, kind: str) -> Program:
        output: Operand | None = None
        last_line = None
        body = self.skip_imports(body)
        if not body:
            raise ParseError("nothing to compile: the source only imports modules")
        for i, stmt in enumerate(body):
            is_last = i == len(body) - 1
            if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                if isinstance(stmt, ast.Assign) and len(stmt.targets) != 1:
                    raise self.error("assign to one plain name per line (name = expression)", stmt)
                target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
                if not isinstance(target, ast.Name):
                    raise self.error("assign to one plain name per line (name = expression)", stmt)
                if isinstance(stmt, ast.AnnAssign) and stmt.value is None:
                    raise self.error("an annotation needs a value (name: type = expression)", stmt)
                name = target.id
                self.check_name(name, target)
                self.target = name
                if isinstance(stmt, ast.AugAssign):
                    if type(stmt.op) not in _BINOPS or type(stmt.op) in (ast.BitAnd, ast.BitOr) or \
                            (isinstance(stmt.op, ast.MatMult) and not self.arrays):
                        sym = _SYMBOLS.get(type(stmt.op), type(stmt.op).__name__)
                        raise self.error(f"operator '{sym}=' is not supported", stmt,
                                         hint="use += -= *= /= **= %= //=")
                    current = self.name(target)
                    value = self.expr(stmt.value)
                    value = self.binop(_BINOPS[type(stmt.op)], current, value, stmt)
                else:
                    value = self.expr(stmt.value)
                operand = self.bind(value, self.version(name), stmt.lineno)
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
                                 "are not allowed", stmt, hint=_STATEMENT_HINTS.get(type(stmt)))
        assert output is not None
        if not isinstance(output, Ref):
            output = self.bind(output, None, last_line, force=True)
        inputs = self.fn_params if self.fn_params is not None else tuple(self.inputs)
        return Program(inputs, self.nodes, output.index, None, kind, self.original)

    def version(self, name: str) -> str:
        """The stage name of an assignment to ``name``: ``name`` the first time, then ``name_2``,
        ``name_3`` ... (a parameter or an input is version 1, so its first assignment is ``name_2``).
        A number whose name the source uses itself is skipped, so versions never meet user names."""
        count = self.versions.get(name, 1 if name in self.inputs else 0)
        while True:
            count += 1
            candidate = name if count == 1 else f"{name}_{count}"
            if count == 1 or (candidate not in self.source_names and candidate not in self.generated):
                break
        self.versions[name] = count
        self.generated.add(candidate)
        return candidate

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

    def known_callable(self, name: str) -> bool:
        return self.is_function(name) or name in _aliases.ALIASES

    def is_reserved(self, name: str) -> bool:
        """``name`` cannot be a variable: the elementary functions. Other function names (gamma,
        beta, round, where ...) are functions when called and variables otherwise, as in Python."""
        return self.is_function(name) and name in _HARD_NAMES

    def check_name(self, name: str, node) -> None:
        if self.is_reserved(name):
            raise self.error(f"{name!r} is a function name and cannot be used as a variable", node)
        if name == "pi":
            raise self.error("'pi' is the constant pi and cannot be assigned or used as a parameter", node)
        if name in self.called:
            line = self.called[name]
            raise self.error(f"{name!r} is called as a function (line {line}) and cannot also be a variable", node,
                             hint="give the variable another name")

    # -- expressions -----------------------------------------------------------------------
    def children(self, node) -> list[tuple[ast.AST, bool]]:
        """Validate one expression node; list its operands as (child, counts_toward_depth)."""
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _BINOPS or (isinstance(node.op, ast.MatMult) and not self.arrays):
                sym = _SYMBOLS.get(type(node.op), type(node.op).__name__)
                raise self.error(f"operator '{sym}' is not supported", node,
                                 hint="use + - * / ** (or ^ for powers) % //" + ("; @ needs shapes=" if sym == "@" else ""))
            # a long left-leaning chain such as a + b + c + ... does not count as nesting
            return [(node.left, False), (node.right, True)]
        if isinstance(node, ast.UnaryOp):
            return [(node.operand, True)]
        if isinstance(node, ast.Call):
            return [(arg, True) for arg in self.call_plan(node).children]
        if isinstance(node, ast.Compare):
            for op in node.ops:
                if type(op) not in _COMPARE:
                    raise self.error(f"'{_COMPARE_SYMBOLS.get(type(op), type(op).__name__)}' is not supported", node,
                                     hint="compare numbers with < <= > >= == !=")
            return [(node.left, True)] + [(c, True) for c in node.comparators]
        if isinstance(node, ast.BoolOp):
            return [(v, True) for v in node.values]
        if isinstance(node, ast.IfExp):
            return [(node.test, True), (node.body, True), (node.orelse, True)]
        if isinstance(node, ast.Attribute) and self.arrays and node.attr == "T":
            return [(node.value, True)]
        if isinstance(node, ast.Attribute) and self.module_constant(node) is not None:
            return []
        if isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            if dotted is not None and dotted.rsplit(".", 1)[0] in _aliases.PREFIXES \
                    and self.known_callable(node.attr):
                raise self.error(f"{dotted} is a function; call it as {dotted}(...)", node)
            variable = dotted is not None and (dotted.split(".")[0] in self.defined or dotted.split(".")[0] in self.inputs)
            if dotted is not None and dotted.rsplit(".", 1)[0] in _aliases.PREFIXES and not variable:
                raise self.error(f"{dotted} is not a constant or function bpc knows", node,
                                 hint="module constants: " + ", ".join(f"np.{c}" for c in _aliases.CONSTANTS))
            raise self.error("attribute access is not allowed", node,
                             hint="only .T (transpose) is, in array programs" if self.arrays else None)
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

    def module_constant(self, node: ast.Attribute) -> Const | None:
        """``np.pi``, ``math.e``, ``math.tau``, ``np.inf`` ... as constants (a prefix that is a variable
        here is not a module)."""
        dotted = _dotted(node)
        if dotted is None or "." not in dotted:
            return None
        prefix, name = dotted.rsplit(".", 1)
        head = prefix.split(".")[0]
        if prefix not in _aliases.PREFIXES or name not in _aliases.CONSTANTS or head in self.defined \
                or head in self.inputs:
            return None
        return Const(_aliases.CONSTANTS[name])

    def callee(self, func) -> tuple[str | None, str]:
        """(module prefix or None, function name) of a call; ``""`` as the prefix for a method call
        ``x.exp()`` (a known function, its receiver the first argument). Anything else is an error."""
        if isinstance(func, ast.Name):
            return None, func.id
        if not isinstance(func, ast.Attribute):
            raise self.error("only named functions can be called", func)
        dotted = _dotted(func)
        name = func.attr
        if dotted is not None:
            prefix = dotted.rsplit(".", 1)[0]
            head = prefix.split(".")[0]
            variable = head in self.defined or head in self.inputs
            if prefix in _aliases.PREFIXES and not variable:
                return prefix, name
            if head in _ROOTS and not variable and "." in prefix:
                raise self.error(f"module prefix '{prefix}.' is not supported", func,
                                 hint="write " + (f"{name}(...) without a prefix, or " if self.known_callable(name)
                                                  else "") + "use one of " + ", ".join(p + "." for p in _aliases.PREFIXES))
        if self.known_callable(name) and (name, None) not in _METHOD_REFUSED:
            return "", name                      # x.exp(), (x + y).clamp(min=0), h.pow(2)
        if dotted is None:
            raise self.error("attribute access is not allowed", func)
        raise self.error(f"{dotted}() is not supported: {name!r} is not a function bpc knows", func,
                         hint="see 'bpc functions'; module prefixes: " + ", ".join(p + "." for p in _aliases.PREFIXES))

    def call_plan(self, node: ast.Call) -> "_Plan":
        """Resolve a call once: which row or alias it means, and its arguments bound to parameters."""
        plan = self.plans.get(id(node))
        if plan is not None:
            return plan
        original = node
        prefix, name = self.callee(node.func)
        shown = f"{prefix}.{name}" if prefix else name
        if prefix == "":                             # a method: its receiver is the first argument
            shown = f"{name} (called as a method, its receiver the first argument)"
            node = ast.copy_location(ast.Call(func=node.func, args=[node.func.value, *node.args],
                                              keywords=node.keywords), node)
        if prefix is None and (name in self.defined or name in self.inputs):
            where = self.defined[name][1] if name in self.defined else self.inputs[name][0]
            raise self.error(f"{name!r} is a variable here (line {where}) and cannot be called", node.func,
                             hint="give the variable another name")
        listed = len(node.args) == 1 and isinstance(node.args[0], (ast.List, ast.Tuple)) and not node.keywords
        if listed and self.variadic(prefix or None, name):   # logsumexp([a, b, c]), max((a, b))
            node = ast.copy_location(ast.Call(func=node.func, args=list(node.args[0].elts), keywords=[]), node)
        refused = _aliases.REFUSED.get((prefix or None, name)) if not listed else None
        if refused is not None:
            raise self.error(refused[0], node.func, hint=refused[1])
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.error("starred arguments are not allowed", arg)
        for kw in node.keywords:
            if kw.arg is None:
                raise self.error("**keyword arguments are not allowed", kw.value)
        alias = _aliases.lookup(prefix or None, name)
        if alias is not None and (self.arrays or name not in ARRAY_FUNCTIONS):
            plan = self.bind_alias(alias, node, shown)
        elif self.is_function(name):
            plan = self.bind_row(RULES[FUNCTIONS[name]], node, shown)
        else:
            known = sorted(n for n in _aliases.all_names() if self.known_callable(n))
            close = difflib.get_close_matches(name, known, n=1)
            raise self.error(f"unknown function {shown!r}", node.func,
                             hint=f"did you mean {close[0]!r}?" if close else "see 'bpc functions' for the supported functions")
        if prefix is None:
            self.called.setdefault(name, node.lineno)
        self.plans[id(original)] = plan
        return plan

    def variadic(self, prefix, name) -> bool:
        """``name`` takes two or more arguments (max, min, logsumexp): a list of them reads the same."""
        alias = _aliases.lookup(prefix, name)
        if alias is not None:
            return alias.variadic
        return self.is_function(name) and RULES[FUNCTIONS[name]].variadic

    def bind_args(self, name: str, params: tuple, defaults: tuple, node: ast.Call, literal=(), synonyms=None,
                  arity_text: str | None = None) -> list:
        """Positional and keyword arguments -> one entry per parameter: an ``ast`` node to evaluate,
        a literal (``_Lit``) or a default (``_Lit``)."""
        synonyms = synonyms or {}
        if len(node.args) > len(params):
            n = len(params)
            raise self.error(f"{name} takes {arity_text or n} argument{'s' if n != 1 else ''}, got {len(node.args)}",
                             node)
        bound: list = list(node.args) + [_MISSING] * (len(params) - len(node.args))
        for kw in node.keywords:
            key = synonyms.get(kw.arg, kw.arg)
            if kw.arg == "inplace" and _literal(kw.value) is False:
                continue                     # PyTorch's inplace=False changes nothing here
            if key not in params:
                accepted = ", ".join(p for p in params if not p.startswith("_"))
                raise self.error(f"{name}() takes no keyword argument {kw.arg!r}", kw,
                                 hint=f"its keywords: {accepted}" if accepted else "pass its arguments by position")
            k = params.index(key)
            if bound[k] is not _MISSING:
                raise self.error(f"{name}() got argument {kw.arg!r} twice", kw)
            bound[k] = kw.value
        first_default = len(params) - len(defaults)
        for k, item in enumerate(bound):
            if item is _MISSING:
                if k < first_default:
                    n = first_default
                    raise self.error(f"{name} takes {arity_text or n} argument{'s' if n != 1 else ''}, "
                                     f"got {len(node.args) + len(node.keywords)} (missing {params[k]!r})", node)
                bound[k] = _Lit(defaults[k - first_default])
            elif params[k] in literal:
                value = _literal(item)
                if value is _MISSING:
                    raise self.error(f"{name}(): {params[k]}= takes a literal such as 'tanh' or True", item)
                bound[k] = _Lit(value)
        return bound

    def bind_row(self, rule, node: ast.Call, name: str) -> "_Plan":
        if rule.variadic:
            if node.keywords:
                raise self.error(f"{name}() takes no keyword argument {node.keywords[0].arg!r}", node.keywords[0])
            if len(node.args) < 2:
                raise self.error(f"{name} takes at least 2 arguments, got {len(node.args)}", node)
            return _Plan(rule.op, None, list(node.args), None, name)
        if not rule.elementwise:          # array rows: positional arguments and axis=
            for kw in node.keywords:
                if kw.arg != "axis" or not rule.axis:
                    raise self.error(f"{name}() takes no keyword {kw.arg!r}", kw)
            if len(node.args) != rule.arity:
                plural = "s" if rule.arity != 1 else ""
                raise self.error(f"{name} takes {rule.arity} argument{plural}, got {len(node.args)}", node)
            return _Plan(rule.op, None, list(node.args), None, name)
        params = rule.keywords or tuple(f"_{k}" for k in range(rule.arity))
        bound = self.bind_args(name, params, rule.defaults, node, synonyms=_aliases.SYNONYMS.get(rule.op))
        constant = tuple(params[k] for k in rule.constant_args)
        return _Plan(rule.op, None, bound, constant, name, params)

    def bind_alias(self, alias, node: ast.Call, name: str) -> "_Plan":
        if alias.variadic:
            if node.keywords:
                raise self.error(f"{name}() takes no keyword argument {node.keywords[0].arg!r}", node.keywords[0])
            if len(node.args) < 2:
                raise self.error(f"{name} takes at least 2 arguments, got {len(node.args)}", node)
            return _Plan(None, alias, list(node.args), (), name)
        bound = self.bind_args(name, alias.params, alias.defaults, node, literal=alias.literal)
        return _Plan(None, alias, bound, alias.constant, name, alias.params)

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
                results.append(self.unary(node, results.pop()))
            elif isinstance(node, ast.BinOp):
                right, left = results.pop(), results.pop()
                results.append(self.binop(_BINOPS[type(node.op)], left, right, node))
            elif isinstance(node, ast.Attribute):     # np.pi, math.e ..., or .T
                constant = self.module_constant(node)
                results.append(constant if constant is not None else self.make("T", (results.pop(),), node))
            elif isinstance(node, ast.Compare):
                values = _take(results, 1 + len(node.comparators))
                tests = [self.make(_COMPARE[type(op)], (a, b), node) for op, a, b in zip(node.ops, values, values[1:])]
                results.append(self.fold_logic("logical_and", tests, node))
            elif isinstance(node, ast.BoolOp):
                values = _take(results, len(node.values))
                op = "logical_and" if isinstance(node.op, ast.And) else "logical_or"
                word = "and" if op == "logical_and" else "or"
                for v, child in zip(values, node.values):
                    self.require_condition(v, child, f"'{word}'")
                results.append(self.fold_logic(op, values, node))
            elif isinstance(node, ast.IfExp):
                test, body, orelse = _take(results, 3)
                if isinstance(test, Const) and test.value != "pi":
                    results.append(body if test.value else orelse)
                else:
                    results.append(self.make("where", (test, body, orelse), node))
            else:  # ast.Call
                results.append(self.call(node, _take(results, len(self.call_plan(node).children))))
        return results[0]

    def call(self, node: ast.Call, values: list) -> Operand:
        plan = self.call_plan(node)
        values = iter(values)
        args = []
        for item in plan.bound:
            if isinstance(item, _Lit):
                value = item.value
                args.append(Const(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value)
            else:
                args.append(next(values))
        for k, param in enumerate(plan.params or ()):
            if param in (plan.constant or ()) and args[k] is not None and not isinstance(args[k], Const):
                label = repr(param) if not param.startswith("_") else str(k + 1)
                raise self.error(f"{plan.name}(): argument {label} must be a constant number", node,
                                 hint="write a number there (it is not differentiated)")
        if plan.alias is not None:
            return plan.alias.lower(_aliases.Builder(self, node), args, plan.name)
        op, rule = plan.op, RULES[plan.op]
        if rule.variadic:
            value = args[0]
            for arg in args[1:]:
                value = self.make(op, (value, arg), node)
            return value
        if not rule.elementwise:
            return self.make(op, tuple(args), node, (("axis", self.axis(node, op)),))
        for k, arg in enumerate(args):
            if not isinstance(arg, (In, Ref, Const)):
                raise self.error(f"{plan.name}(): argument {k + 1} must be a number, not {arg!r}", node)
        return self.make(op, tuple(args), node)

    def unary(self, node: ast.UnaryOp, operand: Operand) -> Operand:
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(node.op, ast.USub):
            return self.make("neg", (operand,), node)
        word = "not" if isinstance(node.op, ast.Not) else "~"
        self.require_condition(operand, node.operand, f"'{word}'")
        return self.make("logical_not", (operand,), node)

    def require_condition(self, operand: Operand, node, what: str) -> None:
        """and/or/not, &, | and ~ combine conditions (comparisons and their combinations) only."""
        if isinstance(operand, Ref) and self.nodes[operand.index].op in CONDITIONS:
            return
        raise self.error(f"{what} combines conditions (comparisons such as x > 0), not numbers", node,
                         hint="compare first, e.g. (x > 0) & (y > 0); for numbers use max/min or where")

    def fold_logic(self, op: str, values: list, node) -> Operand:
        value = values[0]
        for v in values[1:]:
            value = self.make(op, (value, v), node)
        return value

    def name(self, node: ast.Name) -> Operand:
        name = node.id
        if self.is_reserved(name):
            raise self.error(f"{name!r} is a function; call it as {name}(...)", node)
        if name == "pi":
            return Const("pi")
        if name in self.defined:
            return self.defined[name][0]
        if name in self.called:
            raise self.error(f"{name!r} is called as a function (line {self.called[name]}) and cannot also be a "
                             "variable", node, hint="give the variable another name")
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
        if op == "floordiv":            # a // b = floor(a/b)
            if isinstance(left, Const) and isinstance(right, Const) and "pi" not in (left.value, right.value):
                return self.fold("floordiv", [left.value, right.value], node)
            return self.make("floor", (self.binop("div", left, right, node),), node)
        if op in ("logical_and", "logical_or"):     # & and | on conditions
            for operand, child in ((left, node.left), (right, node.right)) if isinstance(node, ast.BinOp) else ():
                self.require_condition(operand, child, "'&'" if op == "logical_and" else "'|'")
        if op == "pow":
            if isinstance(right, Const) and not isinstance(left, Const):
                op = "powi" if isinstance(right.value, int) else "powc"
            elif isinstance(left, Const) and left.value != "pi" and left.value < 0 and not isinstance(right, Const):
                # a negative constant base: its stage keeps log(base) out of SymPy's hands (SymPy
                # would write log(-2) as log(2) + I*pi); the exponent's gradient is then nan, as PyTorch's
                left = self.bind(left, None, getattr(node, "lineno", None), force=True)
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
        if isinstance(result, float) and not math.isfinite(result) and all(math.isfinite(v) for v in values):
            raise self.error("constant expression overflows float64", node)     # (-np.inf is fine)
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
    "mod": lambda a, b: a % b,            # Python's floor-mod: the sign of b
    "floordiv": lambda a, b: a // b,
}
_IMPORT_HINT = ("imports are not needed: np., numpy., math., scipy.special., torch., F., jnp., jax.nn. ... "
                "prefixes are read as they are")
_STATEMENT_HINTS = {ast.If: "write a if cond else b, or where(cond, a, b)", ast.For: "bpc reads straight-line code",
                    ast.While: "bpc reads straight-line code"}
_MODULES = {"numpy", "math", "scipy.special", "torch", "torch.special", "torch.nn.functional", "jax.numpy", "jax.nn",
            "jax.scipy.special"}
_MISSING = object()
_ROOTS = frozenset(p.split(".")[0] for p in _aliases.PREFIXES)
_METHOD_REFUSED: frozenset = frozenset()


class _Lit:
    """A literal argument (a default, a string such as approximate='tanh', True/False)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


class _Plan:
    """A resolved call: a row (``op``) or an alias, its arguments bound to parameters."""

    def __init__(self, op, alias, bound, constant, name, params=None):
        self.op, self.alias, self.bound, self.constant, self.name, self.params = op, alias, bound, constant, name, params
        self.children = [item for item in bound if not isinstance(item, _Lit)]


def _dotted(node) -> str | None:
    """``a.b.c`` as a string, or None if it is not a chain of names."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _take(results: list, n: int) -> list:
    values = results[len(results) - n:]
    del results[len(results) - n:]
    return values


def _literal(node):
    """A string, True/False or None written in the call, else ``_MISSING``."""
    if isinstance(node, ast.Constant) and (isinstance(node.value, (str, bool)) or node.value is None):
        return node.value
    return _MISSING
