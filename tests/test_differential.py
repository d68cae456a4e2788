"""Differential testing: random expressions at random and edge inputs (0, ±0, ±inf, nan, subnormals,
±1e308, ±710) give the same results on every target. 150 expressions per run, a new seed each run
unless BPC_DIFF_SEED is set; a failure names the seed, the expression and the first point that differs.
The 15 expressions of a chunk are compiled as one program per target, each a stage over inputs of
its own (chunk_program), so each target compiles 10 programs per run instead of 150.

Every comparison is strict: identical nan and inf pattern (signs of infinities included) and finite
values within 1e-12 relative (1e-300 absolute). What is compared with what follows which math
library computes the elementary functions, because the same statements on two libraries differ by
an ulp now and then, and ill-conditioned expressions (acos of a tanh that saturates near 1) turn an
ulp into any difference at all:

- python and numpy run NumPy's functions: compared directly;
- cuda (in Numba's CUDA simulator) runs NumPy's ufuncs too, but spells ``logaddexp``/``softplus``
  out with ``exp`` and ``log1p`` (CUDA kernels have no such function), where ``np.logaddexp``
  calls libm's exp and log1p inside: it is compared with the python target's module run with
  ``np.logaddexp`` spelled the same way;
- numba calls compiler.vecmath by default (math="vecmath"): compared with the python target's own
  module run with its NumPy functions (and math.erf) replaced by the same vecmath functions (and
  its softplus, ``np.logaddexp(0.0, a)``, by vecmath's softplus, as the numba target spells it); with
  math="libm" it calls the C math library: compared with the python module run on the same libm
  functions (through ctypes). Either way the two differ only in what bpc emitted for each target —
  the ternaries for max/min/relu, C pow, the reductions. Even chunks test vecmath, odd ones libm.
How much libm, vecmath and NumPy differ from each other is tested elsewhere (tests/test_vecmath.py).
"""
import ctypes
import ctypes.util
import math
import os
import random
import re
import types
import warnings

import numpy as np
import pytest

import compiler
from conftest import compile_for
from test_primitives import weighted_program

UNARY = ["exp", "log", "log1p", "expm1", "sqrt", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh",
         "tanh", "erf", "abs", "sigmoid", "relu", "softplus"]
BINARY = ["+", "-", "*", "/", "**", "atan2", "max", "min", "hypot", "logaddexp"]
EDGES = [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, -2.2e-308, 1e308, -1e308, 710.0, -710.0, 1.0, -1.0, 0.5]
SEED = int(os.environ.get("BPC_DIFF_SEED", random.SystemRandom().randrange(2**32)))
CHUNKS, PER_CHUNK = 10, 15


def expression(rng: random.Random, depth: int) -> str:
    if depth == 0 or rng.random() < 0.2:
        return rng.choice(["x", "y", "x", "y", "2", "0.5", "3"])
    if rng.random() < 0.45:
        return f"{rng.choice(UNARY)}({expression(rng, depth - 1)})"
    op = rng.choice(BINARY)
    a, b = expression(rng, depth - 1), expression(rng, depth - 1)
    if op in ("atan2", "max", "min", "hypot", "logaddexp"):
        return f"{op}({a}, {b})"
    if op == "**":
        return f"({a})**{rng.choice(['2', '3', '-1', '0.5', '(' + b + ')'])}"
    return f"({a}) {op} ({b})"


# -- the python target on libm -------------------------------------------------------------------

_libm = ctypes.CDLL(ctypes.util.find_library("m"))


def _c(name: str, arity: int = 1):
    fn = getattr(_libm, name)
    fn.restype, fn.argtypes = ctypes.c_double, [ctypes.c_double] * arity
    return lambda *args: np.float64(fn(*args))


def _logaddexp(x, y):
    """NumPy's npy_logaddexp (which Numba compiles too) on libm's log1p and exp."""
    if x == y:
        return x + math.log(2.0)
    tmp = x - y
    if tmp > 0:
        return x + LIBM.log1p(LIBM.exp(-tmp))
    if tmp <= 0:
        return y + LIBM.log1p(LIBM.exp(tmp))
    return tmp


LIBM = types.SimpleNamespace(
    exp=_c("exp"), log=_c("log"), log1p=_c("log1p"), expm1=_c("expm1"), sin=_c("sin"), cos=_c("cos"),
    tan=_c("tan"), arcsin=_c("asin"), arccos=_c("acos"), arctan=_c("atan"), arctan2=_c("atan2", 2),
    sinh=_c("sinh"), cosh=_c("cosh"), tanh=_c("tanh"), hypot=_c("hypot", 2), float_power=_c("pow", 2),
    logaddexp=_logaddexp)


def _logaddexp_spelled(a, b):
    """The cuda target's spelling of logaddexp, on NumPy's exp and log1p ufuncs."""
    if a == b:
        return a + math.log(2.0)
    big = a if (a > b or a != a) else b
    return big + np.log1p(np.exp(-abs(a - b)))


SIMULATOR = types.SimpleNamespace(logaddexp=_logaddexp_spelled)


def _vm(name):
    from compiler.vecmath import f64

    fn = getattr(f64, name)
    return lambda *args: np.float64(fn(*args))        # the python module works on NumPy scalars


# vecmath's functions, and libm's for the rest (numba calls libm for sinh, hypot, ...)
VECMATH = types.SimpleNamespace(**{
    **vars(LIBM),
    **dict(exp=_vm("exp"), log=_vm("log"), log1p=_vm("log1p"), expm1=_vm("expm1"), sin=_vm("sin"), cos=_vm("cos"),
           arctan=_vm("atan"), arctan2=_vm("atan2"), tanh=_vm("tanh"), logaddexp=_vm("logaddexp"),
           softplus=_vm("softplus"), float_power=_vm("pow"))})
VECMATH_MATH = types.SimpleNamespace(erf=_vm("erf"))


class _NumPyWith:
    """``np`` for an emitted python module: some functions replaced, NumPy for the rest."""

    def __init__(self, replaced):
        self.replaced = replaced

    def __getattr__(self, name):
        return getattr(self.replaced, name, None) or getattr(np, name)


def python_on(g, functions, math_functions=None):
    """The python target's emitted module, loaded again with ``np``'s ``functions`` (and ``math``'s
    ``math_functions``) replaced; where ``functions`` has a softplus, the softplus rows' spelling
    ``np.logaddexp(0.0, a)`` calls it (the numba target's vecmath spelling)."""
    namespace = {"__name__": "bpc_python_on"}
    source = g.source
    if hasattr(functions, "softplus"):
        source = source.replace("np.logaddexp(0.0, ", "np.softplus(")
    exec(compile(source, "<bpc python target>", "exec"), namespace)   # bpc's own emitted code
    namespace["np"] = _NumPyWith(functions)
    if math_functions is not None:
        namespace["math"] = types.SimpleNamespace(**{**vars(math), **vars(math_functions)})
    return namespace[namespace["ENTRY"]]


# -- comparing -----------------------------------------------------------------------------------

def first_difference(a, b):
    """Index of the first entry where a and b differ (nan/inf pattern, or > 1e-12 relative), else None."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    with np.errstate(all="ignore"):
        close = np.abs(a - b) <= 1e-12 * np.maximum(np.abs(a), np.abs(b)) + 1e-300
    ok = (np.isnan(a) & np.isnan(b)) | (a == b) | (np.isfinite(a) & np.isfinite(b) & close)
    bad = np.flatnonzero(~ok)
    return int(bad[0]) if bad.size else None


def pointwise(fn, call, n):
    """A scalar entry point called at each point: [value array, gradient arrays...]."""
    rows = [fn(**{k: v[i] for k, v in call.items()}) for i in range(n)]
    return [np.array([float(r[0]) for r in rows])] + [np.array([float(r[1][j]) for r in rows])
                                                       for j in range(len(rows[0][1]))]


def chunk_expressions(rng: random.Random) -> list[str]:
    """PER_CHUNK random expressions the python target compiles (bpc refuses some, e.g. 2/(2 - 2),
    with a documented error: those are not disagreements), each with at least one input."""
    texts = []
    while len(texts) < PER_CHUNK:
        text = expression(rng, 4)
        try:
            gp = compiler.compile(text, target="python")
        except compiler.BpcError:
            continue
        texts.append(text if gp.inputs else f"({text}) * x")
    return texts


def chunk_program(texts):
    """One program of a chunk's expressions (as tests/test_primitives.py groups its cases): stage k
    is expression k over its own inputs x<k>, y<k>, weighted by an input w<k> that is 1 at every
    call, so d/dw<k> is expression k's value and d/dx<k>, d/dy<k> its gradient. Returns (source,
    its inputs in order, per input (k, what it is: "value", "dx", "dy"))."""
    stages, what = [], {}
    for k, text in enumerate(texts):
        variables = [n for n in ("x", "y") if re.search(rf"\b{n}\b", text)]
        stages.append((re.sub(r"\b([xy])\b", rf"\g<1>{k}", text), [f"{n}{k}" for n in variables]))
        what.update({f"w{k}": (k, "value"), **{f"{n}{k}": (k, f"d{n}") for n in variables}})
    source, inputs = weighted_program("differential", stages)
    return source, inputs, what


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_targets_agree(chunk):
    rng = random.Random(f"{SEED}-{chunk}")
    libm = chunk % 2 == 1                 # numba on libm in odd chunks, on compiler.vecmath in even ones
    xs = np.array(EDGES + [rng.uniform(-3, 3) for _ in range(6)])
    x, y = (a.ravel() for a in np.meshgrid(xs, xs))
    texts = chunk_expressions(rng)
    source, inputs, what = chunk_program(texts)
    gp = compiler.compile(source, target="python")
    assert gp.wrt == inputs, (gp.wrt, inputs)
    call = {n: np.ones(len(x)) if n.startswith("w") else {"x": x, "y": y}[n[0]] for n in inputs}
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # no target may warn, raise, or print
        numba_reference = python_on(gp, LIBM) if libm else python_on(gp, VECMATH, VECMATH_MATH)
        results = {"python": pointwise(gp, call, len(x)),
                   "python on the same math": pointwise(numba_reference, call, len(x))}
        # the cuda target's reference differs from the python target's only where it calls logaddexp
        results["python, logaddexp spelled out"] = (pointwise(python_on(gp, SIMULATOR), call, len(x))
                                                    if "logaddexp" in gp.source else results["python"])
        for target in ("numpy", "numba", "cuda"):
            options = {"math": "libm" if libm else "vecmath"} if target == "numba" else {}
            value, grads = compile_for(source, target, **options)(**call)
            results[target] = [value, *grads]
    for target, reference in (("numpy", "python"), ("cuda", "python, logaddexp spelled out"),
                              ("numba", "python on the same math")):
        # [1:]: each expression's value is its d/dw (the total, their sum, is not compared)
        for name, a, b in zip(inputs, results[target][1:], results[reference][1:]):
            i = first_difference(a, b)
            k, quantity = what[name]
            assert i is None, (f"seed {SEED}-{chunk}: {texts[k]}: {target} and {reference} differ in {quantity} at "
                               f"{ {n: v for n, v in (('x', x[i]), ('y', y[i])) if f'{n}{k}' in what} }: "
                               f"{a[i]!r} vs {b[i]!r}")
