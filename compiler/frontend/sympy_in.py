"""SymPy input: a SymPy expression -> ``ir.Program``; a SymPy matrix expression -> program text and shapes.

Expressions are flattened iteratively into single-operation nodes, shared subtrees once;
functions are found by their SymPy class in the rules table.
"""
from __future__ import annotations

from ..errors import BpcError, LimitError, ParseError
from ..ir import Const, In, Node, Operand, Program, Ref
from ..rules import BY_CLASS, FUNCTIONS, RULES
from .limits import Limits
from .reader import MAX_EXACT_INT


def from_sympy(expr, limits: Limits) -> Program:
    """Flatten a SymPy expression into single-operation nodes (iteratively; shared subtrees once)."""
    import sympy as sp

    by_class = {cls: rule for cls, rule in BY_CLASS.items() if rule.names and rule.elementwise}
    native = _native_table()
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
            return Const(int(e)) if abs(int(e)) <= MAX_EXACT_INT else Const(float(e))
        if isinstance(e, (sp.Float, sp.Rational)):
            return Const(float(e))
        if e is sp.E:
            return make("exp", (Const(1),))
        if e is sp.true or e is sp.false:
            return Const(int(bool(e)))
        if isinstance(e, sp.Number) or isinstance(e, sp.NumberSymbol) or (e.is_Atom and not isinstance(e, sp.Expr)):
            raise ParseError(f"unsupported SymPy atom {e!r}")
        if not isinstance(e, (sp.Expr, sp.logic.boolalg.Boolean)):
            raise ParseError(f"unsupported SymPy object {type(e).__name__}")
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
            stack.extend((arg, False) for arg in reversed(_operands(e)) if arg not in done)
            continue
        args = [done[a] for a in _operands(e)]
        if isinstance(e, sp.Add):
            value = args[0]
            for term, operand in zip(e.args[1:], args[1:]):
                coeff, rest = term.as_coeff_Mul()
                if coeff.is_negative and isinstance(term, sp.Mul):
                    value = make("sub", (value, done.get(-term) or _negated(-term, done, make, leaf)))
                else:
                    value = make("add", (value, operand))
        elif isinstance(e, sp.Mul):
            num, den, negate = [], [], False
            for factor, operand in zip(e.args, args):
                if factor == -1:
                    negate = not negate
                elif isinstance(factor, sp.Pow) and factor.exp.is_Integer and factor.exp < 0:
                    den.append(_power(factor.base, -factor.exp, done, make))
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
            value = _power(e.base, e.exp, done, make)
        elif type(e) in native or isinstance(e, sp.Piecewise):
            value = _native(e, args, make)
        elif type(e) in by_class:
            rule = by_class[type(e)]
            if rule.variadic and len(args) > 2:
                value = args[0]
                for arg in args[1:]:
                    value = make(rule.op, (value, arg))
            else:
                if len(args) != rule.arity:
                    raise ParseError(f"{type(e).__name__} with {len(args)} arguments is not supported")
                value = make(rule.op, tuple(args))
        else:
            supported = sorted(name for name, op in FUNCTIONS.items() if RULES[op].elementwise)
            raise ParseError(f"no rule for the SymPy function {type(e).__name__!r}", hint=f"supported: {', '.join(supported)}")
        done[e] = value
    out = done[expr]
    if not isinstance(out, Ref):
        nodes.append(Node("copy", (out,)))
        out = Ref(len(nodes) - 1)
    return Program(tuple(inputs), nodes, out.index, None, "sympy", sp.srepr(expr))


def _operands(e):
    """The operands a node is built from: a Piecewise's values and conditions (not the final True)."""
    import sympy as sp

    if isinstance(e, sp.Piecewise):
        flat = []
        for k, (value, cond) in enumerate(e.args):
            flat.append(value)
            if k < len(e.args) - 1 or cond is not sp.true:
                flat.append(cond)
        return flat
    return e.args


def _native_table():
    """SymPy's own classes for bpc's rows that have classes of their own (floor, Mod, relationals...)."""
    import sympy as sp

    return {sp.floor: "floor", sp.ceiling: "ceil", sp.Mod: "mod", sp.sign: "sign", sp.erfc: "erfc",
            sp.erfinv: "erfinv", sp.erfcinv: "erfcinv", sp.loggamma: "gammaln", sp.digamma: "digamma",
            sp.polygamma: "polygamma", sp.beta: "beta", sp.StrictGreaterThan: "gt", sp.GreaterThan: "ge",
            sp.StrictLessThan: "lt", sp.LessThan: "le", sp.Equality: "eq", sp.Unequality: "ne",
            sp.And: "logical_and", sp.Or: "logical_or", sp.Not: "logical_not", sp.besselj: "j", sp.bessely: "y",
            sp.besseli: "i", sp.frac: "frac", sp.sinc: "sinc"}


def _native(e, args, make) -> Operand:
    import sympy as sp

    if isinstance(e, sp.Piecewise):           # the last piece first: where(c1, v1, where(c2, v2, ... vn))
        pieces = [(args[k], args[k + 1]) for k in range(0, len(args) - 1, 2)]
        if len(args) % 2 == 0:
            raise ParseError("a Piecewise needs a last piece with condition True", hint="add (value, True)")
        value = args[-1]
        for v, c in reversed(pieces):
            value = make("where", (c, v, value))
        return value
    op = _native_table()[type(e)]
    if op in ("j", "y", "i"):                 # besselj(0, x) -> j0(x)
        order = e.args[0]
        if order not in (0, 1):
            raise ParseError(f"{type(e).__name__} of order {order} is not supported", hint="orders 0 and 1")
        return make(f"{op}{int(order)}", (args[1],))
    if op == "frac":                          # SymPy's frac is a - floor(a) (bpc's frac is a - trunc(a))
        return make("sub", (args[0], make("floor", (args[0],))))
    if op == "sinc":                          # SymPy's sinc is sin(a)/a; bpc's (NumPy's) sin(pi a)/(pi a)
        return make("sinc", (make("div", (args[0], Const("pi"))),))
    if op in ("logical_and", "logical_or") and len(args) > 2:
        value = args[0]
        for arg in args[1:]:
            value = make(op, (value, arg))
        return value
    return make(op, tuple(args))


def _negated(term, done, make, leaf):
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


def _power(base, exponent, done, make) -> Operand:
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


def is_matrix(source) -> bool:
    """A SymPy expression with ``MatrixSymbol``s in it (an array program)."""
    if not hasattr(source, "atoms") or isinstance(source, str):
        return False
    import sympy

    return isinstance(source, sympy.Basic) and bool(source.atoms(sympy.MatrixSymbol))


def matrix_program(expr) -> tuple[str, dict]:
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
        elif isinstance(e, (sp.MatAdd, sp.Add)):
            text = " + ".join(walk(a) for a in e.args)
        elif isinstance(e, (sp.Mul, sp.HadamardProduct)):
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
