"""Names people paste from NumPy, SciPy, PyTorch, JAX and ``math``, lowered to the rules table's rows.

The rules table (``compiler/rules``) holds one row per primitive, with the names a formula calls
it by. This module adds what is spelling, not mathematics:

    ALIASES    name -> Alias: another name for a row (``arcsin`` -> ``asin``), an operator
               (``multiply(a, b)`` -> ``a * b``), or a short lowering to rows
               (``lerp(a, b, w)`` -> ``a + w*(b - a)``, ``fmax`` -> ``where``...)
    PREFIXES   the module prefixes a call may carry (``np.exp``, ``torch.nn.functional.relu``)
    SYNONYMS   extra keyword names for rows (``np.clip(x, a_min=0)``, ``torch.where(c, input=...)``)

A few names mean different things in different libraries; the prefix decides where it matters:
``jax.nn.gelu`` defaults to the tanh form (``approximate=True``), ``math.remainder`` is IEEE's
remainder (refused: bpc has floor-mod ``%`` and ``fmod``), and ``torch.logsumexp(x, dim)`` reduces
an array (refused: bare ``logsumexp(a, b, ...)`` is the n-ary scalar form).

An alias whose name is also a row's name (``gelu``, ``softplus``, ``log``, ``round`` ...) extends
that row with the extra parameters the libraries have (``approximate=``, ``beta=``, a base, ...);
any other alias yields to a row of the same name, so a row added later wins.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from ..ir import Const
from ..rules import FUNCTIONS, RULES

# Module prefixes a call may carry: the attribute chain before the function's name.
PREFIXES = ("np", "numpy", "math", "scipy.special", "special", "torch", "torch.special", "torch.nn.functional",
            "F", "jnp", "jax.nn", "jax.numpy", "jax.scipy.special")
# ``import M`` / ``import M as A`` / ``from M import A`` lines that bind one of the prefixes above to
# the module it stands for: accepted and ignored (they change nothing bpc reads).
IMPORTS = {("numpy", "np"), ("numpy", "numpy"), ("math", "math"), ("scipy.special", "special"),
           ("scipy.special", "scipy.special"), ("torch", "torch"), ("torch.nn.functional", "F"),
           ("torch.nn.functional", "torch.nn.functional"), ("torch.special", "torch.special"),
           ("jax.numpy", "jnp"), ("jax.numpy", "jax.numpy"), ("jax.nn", "jax.nn"), ("jax.scipy.special", "special"),
           ("jax.scipy.special", "jax.scipy.special"), ("jax", "jax"), ("scipy", "scipy")}

# Module constants: np.pi, math.e, math.tau, np.inf ... ("pi" is the IR's exact pi)
CONSTANTS = {"pi": "pi", "e": math.e, "tau": 2 * math.pi, "inf": math.inf, "euler_gamma": 0.5772156649015329}

# Extra keyword names for rows: op -> {library's name: the row's keyword}
SYNONYMS = {
    "clamp": {"input": "a", "x": "a", "a_min": "min", "a_max": "max"},
    "where": {"input": "x", "other": "y"},
    "leaky_relu": {"x": "input"},
    "elu": {"x": "input"},
    "celu": {"x": "input"},
    "hardtanh": {"x": "input"},
}


class Builder:
    """What a lowering may build: rows by op name and the arithmetic operators (the reader's own
    ``make`` and ``binop``, so constant folding, common subexpressions and ``powi`` apply)."""

    def __init__(self, reader, node):
        self.reader, self.node = reader, node

    def op(self, op: str, *args):
        return self.reader.make(op, tuple(args), self.node)

    def bin(self, op: str, a, b):
        return self.reader.binop(op, a, b, self.node)

    def fail(self, message: str, hint: str | None = None):
        return self.reader.error(message, self.node, hint=hint)


@dataclass(frozen=True)
class Alias:
    name: str
    params: tuple[str, ...]        # argument names, in order (keyword calls bind by these)
    lower: Callable                # (builder, args, name) -> Operand; args in params order
    means: str                     # the bpc spelling it stands for (docs)
    defaults: tuple = ()           # defaults of the last params (numbers, strings, None, booleans)
    literal: tuple[str, ...] = ()  # params that take a literal (a string or True/False), not an expression
    constant: tuple[str, ...] = () # params that must be constant numbers
    variadic: bool = False         # two or more positional arguments (params name the first two)
    extends: bool = False          # extends the row of the same name with more parameters

    def describe(self) -> str:
        args = ", ".join(self.params) + (", ..." if self.variadic else "")
        return f"{self.name}({args})"


_INF = float("inf")


def _row(op: str):
    """Another name for a row: the row's own arity, no extra parameters."""
    def lower(b, args, name):
        return b.op(op, *args)
    return lower


def _binop(op: str):
    def lower(b, args, name):
        return b.bin(op, args[0], args[1])
    return lower


def _scaled(op: str):
    """torch.add/sub(input, other, alpha=1): input op alpha*other."""
    def lower(b, args, name):
        a, other, alpha = args
        if not (isinstance(alpha, Const) and alpha.value == 1):
            other = b.bin("mul", alpha, other)
        return b.bin(op, a, other)
    return lower


def _fold(op: str):
    def lower(b, args, name):
        value = args[0]
        for arg in args[1:]:
            value = b.op(op, value, arg)
        return value
    return lower


def _lerp(b, args, name):
    a, end, w = args
    return b.bin("add", a, b.bin("mul", w, b.bin("sub", end, a)))


def _fmax(cmp: str):
    # PyTorch's fmax/fmin: a where a >= b (a <= b) or b is nan, else b; the gradient goes all to
    # the chosen input (a at a tie), as PyTorch's derivative for fmax/fmin does
    def lower(b, args, name):
        a, c = args
        return b.op("where", b.op("logical_or", b.op(cmp, a, c), b.op("ne", c, c)), a, c)
    return lower


def _floor_divide(b, args, name):
    return b.op("floor", b.bin("div", args[0], args[1]))


def _div(b, args, name):
    a, c, mode = args
    q = b.bin("div", a, c)
    if mode is None:
        return q
    if mode in ("trunc", "floor"):
        return b.op(mode, q)
    raise b.fail(f"{name}(): rounding_mode must be None, 'trunc' or 'floor', not {mode!r}")


def _gelu_default(default):
    def lower(b, args, name):
        a, approximate = args
        if approximate in ("none", False):
            return b.op("gelu", a)
        if approximate in ("tanh", True):
            return b.op("gelu_tanh", a)
        raise b.fail(f"{name}(): approximate must be 'none' or 'tanh' (or False/True), not {approximate!r}")
    return lower


def _softplus(b, args, name):
    a, beta, threshold = args
    if isinstance(beta, Const) and beta.value == 1:
        return b.op("softplus", a)
    return b.bin("div", b.op("softplus", b.bin("mul", beta, a)), beta)


def _log(b, args, name):
    a, base = args
    if base is None:
        return b.op("log", a)
    if isinstance(base, Const) and base.value in (2, 10):
        return b.op(f"log{int(base.value)}", a)
    return b.bin("div", b.op("log", a), b.op("log", base))


def _round(b, args, name):
    a, digits = args
    if digits is not None and not (isinstance(digits, Const) and digits.value == 0):
        raise b.fail(f"{name}() with a number of decimals is not supported",
                     hint="round(a) rounds to an integer; scale first, e.g. round(a*100)/100")
    return b.op("round", a)


def _logit(b, args, name):
    a, eps = args
    if eps is None:
        return b.op("logit", a)
    # PyTorch: logit(clamp(a, eps, 1 - eps)); the gradient is 0 outside [eps, 1 - eps]
    return b.op("logit", b.op("clamp", a, eps, b.bin("sub", Const(1), eps)))


def _ndtr(b, args, name):
    # the standard normal CDF, erfc(-a/sqrt(2))/2: accurate in the lower tail too
    return b.bin("div", b.op("erfc", b.bin("div", b.op("neg", args[0]), Const(math.sqrt(2.0)))), Const(2))


def _exp10(b, args, name):
    return b.bin("pow", Const(10), args[0])


def _logsumexp(b, args, name):
    return _fold("logaddexp")(b, args, name)


def _bessel(kind, scaled=False):
    """jn/jv/yn/yv/iv/ive(order, a) with order 0 or 1 (a constant): the rows j0, j1, y0, y1, i0, i1, i0e, i1e."""
    def lower(b, args, name):
        order, a = args
        if not (isinstance(order, Const) and order.value in (0, 1)):
            raise b.fail(f"{name}(): only orders 0 and 1 are supported",
                         hint=f"{kind}0(a) or {kind}1(a)" + (" (scaled: i0e, i1e)" if scaled else ""))
        return b.op(f"{kind}{int(order.value)}{'e' if scaled else ''}", a)
    return lower


def _xlog1py(b, args, name):
    # a*log1p(c), 0 where a == 0 (with no gradient there, as PyTorch) unless c is nan
    a, c = args
    zero = b.op("logical_and", b.op("eq", a, Const(0)), b.op("eq", c, c))
    return b.op("where", zero, Const(0.0), b.bin("mul", a, b.op("log1p", c)))


def _ndtri(b, args, name):
    # the inverse of ndtr: -sqrt(2)*erfcinv(2p), accurate for small p too
    return b.bin("mul", Const(-math.sqrt(2.0)), b.op("erfcinv", b.bin("mul", Const(2), args[0])))


def _addc(op):
    """torch.addcmul/addcdiv(input, t1, t2, value=1): input + value*(t1 op t2)."""
    def lower(b, args, name):
        a, t1, t2, value = args
        term = b.bin(op, t1, t2)
        if not (isinstance(value, Const) and value.value == 1):
            term = b.bin("mul", value, term)
        return b.bin("add", a, term)
    return lower


def _shrink(soft):
    """PyTorch's softshrink/hardshrink: the gradient passes only where |a| > lambd."""
    def lower(b, args, name):
        a, lambd = args
        zero = b.bin("mul", a, Const(0))
        if soft:
            return b.op("where", b.op("gt", a, lambd), b.bin("sub", a, lambd),
                        b.op("where", b.op("lt", a, b.op("neg", lambd)), b.bin("add", a, lambd), zero))
        return b.op("where", b.op("gt", b.op("abs", a), lambd), a, zero)
    return lower


def _a(name, params, lower, means, **more):
    return Alias(name, tuple(params), lower, means, **more)


def _same(name, op, means=None):
    """``name`` is another spelling of the row ``op``."""
    rule = RULES[op]
    params = rule.keywords or ("a", "b", "c")[:rule.arity]
    return _a(name, params, _row(op), means or f"{rule.names[0]}({', '.join(params)})",
              defaults=rule.defaults, constant=tuple(params[k] for k in rule.constant_args))


_TABLE = [
    # NumPy / PyTorch names of the arithmetic operators
    _a("add", ("input", "other", "alpha"), _scaled("add"), "input + alpha*other", defaults=(1,)),
    _a("subtract", ("input", "other", "alpha"), _scaled("sub"), "input - alpha*other", defaults=(1,)),
    _a("sub", ("input", "other", "alpha"), _scaled("sub"), "input - alpha*other", defaults=(1,)),
    _a("multiply", ("a", "b"), _binop("mul"), "a * b"),
    _a("mul", ("a", "b"), _binop("mul"), "a * b"),
    _a("divide", ("a", "b", "rounding_mode"), _div, "a / b (rounding_mode 'trunc': trunc(a/b), 'floor': floor(a/b))",
       defaults=(None,), literal=("rounding_mode",)),
    _a("div", ("a", "b", "rounding_mode"), _div, "a / b (rounding_mode 'trunc': trunc(a/b), 'floor': floor(a/b))",
       defaults=(None,), literal=("rounding_mode",)),
    _a("true_divide", ("a", "b"), _binop("div"), "a / b"),
    _a("floor_divide", ("a", "b"), _floor_divide, "a // b = floor(a/b)"),
    _a("power", ("a", "b"), _binop("pow"), "a ** b"),
    _a("pow", ("a", "b"), _binop("pow"), "a ** b"),
    _a("float_power", ("a", "b"), _binop("pow"), "a ** b"),
    _a("square", ("a",), lambda b, args, name: b.bin("pow", args[0], Const(2)), "a ** 2"),
    _a("reciprocal", ("a",), lambda b, args, name: b.bin("div", Const(1), args[0]), "1 / a"),
    _a("negative", ("a",), lambda b, args, name: b.op("neg", args[0]), "-a"),
    _a("neg", ("a",), lambda b, args, name: b.op("neg", args[0]), "-a"),
    _a("positive", ("a",), lambda b, args, name: args[0], "+a"),
    # other spellings of rows
    _same("absolute", "abs"),
    _same("fabs", "abs"),
    _same("maximum", "max"),
    _same("minimum", "min"),
    _same("expit", "sigmoid"),
    _same("arcsin", "asin"),
    _same("arccos", "acos"),
    _same("arctan", "atan"),
    _same("arctan2", "atan2"),
    _same("arcsinh", "asinh"),
    _same("hard_tanh", "hardtanh"),
    _same("hard_sigmoid", "hardsigmoid"),
    _same("hard_swish", "hardswish"),
    _same("hard_silu", "hardswish"),
    _a("clamp_min", ("input", "min"), lambda b, args, name: b.op("clamp", args[0], args[1], Const(_INF)),
       "clamp(input, min=min)"),
    _a("clamp_max", ("input", "max"), lambda b, args, name: b.op("clamp", args[0], Const(-_INF), args[1]),
       "clamp(input, max=max)"),
    # comparisons by name (the rows are operators: a > b ...); no gradient flows into them
    *(_a(name, ("a", "b"), _row(op), f"a {sym} b") for names, op, sym in [
        (("gt", "greater"), "gt", ">"), (("ge", "greater_equal"), "ge", ">="), (("lt", "less"), "lt", "<"),
        (("le", "less_equal"), "le", "<="), (("eq", "equal"), "eq", "=="), (("ne", "not_equal"), "ne", "!=")]
      for name in names),
    # short lowerings
    _a("fmax", ("a", "b"), _fmax("ge"), "where(a >= b or b != b, a, b): nan only if both are (PyTorch's gradient)"),
    _a("fmin", ("a", "b"), _fmax("le"), "where(a <= b or b != b, a, b): nan only if both are (PyTorch's gradient)"),
    _a("lerp", ("input", "end", "weight"), _lerp, "input + weight*(end - input)"),
    _a("logsumexp", ("a", "b"), _logsumexp, "logaddexp(logaddexp(a, b), c) ...", variadic=True),
    _a("ndtr", ("a",), _ndtr, "erfc(-a/sqrt(2))/2, the standard normal CDF"),
    _a("exp10", ("a",), _exp10, "10 ** a"),
    # the sign row is a helper of the table (no name of its own): -1, 0 or 1, nan for nan, derivative 0
    _a("sign", ("a",), _row("sign"), "-1, 0 or 1 (nan for nan); derivative 0 (PyTorch)"),
    _a("sgn", ("a",), _row("sign"), "sign(a)"),
    # Bessel functions by their general names, orders 0 and 1
    *(_a(name, ("v", "z"), _bessel(kind, scaled), f"{kind}0{'e' if scaled else ''}(z) or "
         f"{kind}1{'e' if scaled else ''}(z) (v = 0 or 1)", constant=("v",))
      for name, kind, scaled in [("jn", "j", False), ("jv", "j", False), ("yn", "y", False), ("yv", "y", False),
                                 ("iv", "i", False), ("ive", "i", True)]),
    *(_same(name, op) for name, op in [("bessel_j0", "j0"), ("bessel_j1", "j1"), ("bessel_y0", "y0"),
                                       ("bessel_y1", "y1"), ("modified_bessel_i0", "i0"),
                                       ("modified_bessel_i1", "i1")]),
    _a("xlog1py", ("a", "b"), _xlog1py, "a*log1p(b), 0 where a == 0 and b is not nan"),
    _a("ndtri", ("p",), _ndtri, "-sqrt(2)*erfcinv(2*p), the inverse of ndtr"),
    _a("addcmul", ("input", "tensor1", "tensor2", "value"), _addc("mul"), "input + value*tensor1*tensor2",
       defaults=(1,)),
    _a("addcdiv", ("input", "tensor1", "tensor2", "value"), _addc("div"), "input + value*tensor1/tensor2",
       defaults=(1,)),
    _a("ldexp", ("a", "b"), lambda b, args, name: b.bin("mul", args[0], b.bin("pow", Const(2), args[1])),
       "a * 2**b, spelled as PyTorch does (ldexp(0, 1e300) is nan)"),
    _a("prelu", ("input", "weight"), lambda b, args, name: b.op("where", b.op("gt", args[0], Const(0)), args[0],
                                                                   b.bin("mul", args[1], args[0])),
       "where(input > 0, input, weight*input)"),
    _a("softshrink", ("input", "lambd"), _shrink(True), "input - lambd above lambd, input + lambd below -lambd, else 0",
       defaults=(0.5,)),
    _a("hardshrink", ("input", "lambd"), _shrink(False), "input where abs(input) > lambd, else 0", defaults=(0.5,)),
    _a("threshold", ("input", "threshold", "value"),
       lambda b, args, name: b.op("where", b.op("gt", args[0], args[1]), args[0], args[2]),
       "where(input > threshold, input, value)"),
    # rows with the extra parameters the libraries have
    _a("gelu", ("input", "approximate"), _gelu_default("none"), "gelu(a); approximate='tanh' (or True): gelu_tanh(a)",
       defaults=("none",), literal=("approximate",), extends=True),
    _a("softplus", ("input", "beta", "threshold"), _softplus,
       "softplus(beta*a)/beta, computed exactly (PyTorch's linear cut-off above threshold is not applied)",
       defaults=(1, 20), constant=("beta", "threshold"), extends=True),
    _a("log", ("x", "base"), _log, "log(x); log(x, base) = log(x)/log(base) (log2, log10 for 2, 10)",
       defaults=(None,), extends=True),
    _a("round", ("input", "decimals"), _round, "round(a), half to even; decimals other than 0 refused",
       defaults=(None,), constant=("decimals",), extends=True),
    _a("logit", ("input", "eps"), _logit, "logit(a); eps: logit(clamp(a, eps, 1 - eps)) (PyTorch)",
       defaults=(None,), constant=("eps",), extends=True),
]
# JAX's gelu defaults to the tanh form
BY_PREFIX = {("jax.nn", "gelu"): _a("gelu", ("x", "approximate"), _gelu_default(True),
                                     "jax.nn.gelu(x) is gelu_tanh(x); approximate=False: gelu(x)",
                                     defaults=(True,), literal=("approximate",), extends=True)}
# names refused with a reason: (prefix or None, name) -> (message, hint)
_ARRAY = ("reduces an array, which bpc's scalar formulas do not", "write logsumexp(a, b, ...) or "
          "logsumexp([a, b, ...]) for scalars, or logaddexp(a, b)")
REFUSED = {
    ("math", "remainder"): ("math.remainder is IEEE's remainder (round to nearest), which bpc does not have",
                            "a % b (floor-mod, as np.remainder and torch.remainder) or fmod(a, b)"),
    **{(p, "logsumexp"): (f"{p}.logsumexp {_ARRAY[0]}", _ARRAY[1]) for p in PREFIXES},
}


def _active(alias: Alias) -> bool:
    """An alias yields to a row of the same name unless it extends that row."""
    if alias.extends:
        return alias.name in FUNCTIONS
    return alias.name not in FUNCTIONS


ALIASES: dict[str, Alias] = {a.name: a for a in _TABLE if _active(a)}


def lookup(prefix: str | None, name: str) -> Alias | None:
    """The alias a call ``prefix.name(...)`` (``prefix`` None: a bare name) means, if any."""
    return BY_PREFIX.get((prefix, name)) or ALIASES.get(name)


def all_names() -> list[str]:
    """Every name a formula can call: the rows' names and the aliases', sorted."""
    return sorted(set(FUNCTIONS) | set(ALIASES))
