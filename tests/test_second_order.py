"""Second order: JVPs, Hessian-vector products and full Hessians on every target.

References come from independent oracles, never from bpc: sympy.hessian / sympy.diff of the
formula written with SymPy's own functions, evaluated with mpmath at 50 digits; PyTorch's
torch.func (float64) where a subgradient convention applies (relu, abs, max at a tie), since
SymPy has no convention there.
"""
import math
import random
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import compiler
from compiler import tangent
from compiler.errors import BpcError
from compiler.pipeline import build_graph, resolve, statements
from compiler.request import Request
from conftest import ROOT, TARGETS, compile_for, example_sources

sys.path.insert(0, str(ROOT / "benchmarks"))
from formulas import FORMULAS, random_expression  # noqa: E402

DIGITS = 50
TOL = 1e-10
SOURCES = example_sources()
_SIGMOID = sp.Lambda(sp.Symbol("a"), 1 / (1 + sp.exp(-sp.Symbol("a"))))


def reference(text: str, inputs):
    """The formula as a SymPy expression over SymPy's own functions (test-controlled text only)."""
    syms = {n: sp.Symbol(n, real=True) for n in inputs}
    expr = sp.sympify(text, locals={**syms, "sigmoid": _SIGMOID, "log1p": lambda a: sp.log(1 + a)})
    return expr, [syms[n] for n in inputs]


def evaluate(expr, point):
    v = sp.N(expr.subs(point), DIGITS)
    return float(v)


_ORACLE: dict = {}


def oracle(text, inputs, wrt, point):
    """(value, gradient, Hessian) at ``point`` ({name: float}), from SymPy at 50 digits; computed once
    per formula and point (the targets of a case share it)."""
    key = (text, tuple(inputs), tuple(wrt), tuple(sorted(point.items())))
    if key not in _ORACLE:
        _ORACLE[key] = _oracle(text, inputs, wrt, point)
    value, grad, hess = _ORACLE[key]
    return value, grad.copy(), hess.copy()


def _oracle(text, inputs, wrt, point):
    expr, syms = reference(text, inputs)
    at = {s: sp.Float(repr(float(point[s.name])), DIGITS) for s in syms}
    w = [s for s in syms if s.name in wrt]
    grad = [evaluate(sp.diff(expr, s), at) for s in w]
    hess = [[evaluate(e, at) for e in row] for row in sp.hessian(expr, w).tolist()]
    return evaluate(expr, at), np.array(grad), np.array(hess)


def close(got, want, what, scale=None):
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    # relative to each entry; an entry that is 0 up to cancellation is compared with the largest
    floor = 1e-300 if scale is None else scale
    err = np.abs(got - want) / np.maximum(np.abs(want), floor)
    assert np.all(err <= TOL), (what, got, want, err)


GENERATED = {f"R{k}": random_expression(24, 100 + k) for k in range(3)}
CASES = {**FORMULAS, "line_fit": SOURCES.LINE_FIT, "oscillator": SOURCES.OSCILLATOR, **GENERATED,
         "stable": "log(1 + exp(x))*y + log(sigmoid(y))*x"}


def points(inputs, rng, k=2):
    return [{n: rng.uniform(-1.0, 1.0) for n in inputs} for _ in range(k)]


def _inputs(text):
    return compiler.compile(text, target="python").inputs


@pytest.mark.parametrize("name,target", [pytest.param(name, target, id=f"{name}-{target}@second-order-{name}")
                                         for name in sorted(CASES) for target in TARGETS])
def test_hessian_hvp_jvp_match_sympy(name, target):
    text = CASES[name]
    inputs = _inputs(text)
    wrt = inputs
    g = compile_for(text, target, order=2)
    h = compile_for(text, target, hvp=True)
    j = compile_for(text, target, jvp=True)
    rng = random.Random(name)
    pts = points(inputs, rng)
    if name == "stable":                    # where the stable rewrite (softplus, log-sigmoid) matters
        pts.append({"x": -40.0, "y": -35.0})
    for point in pts:
        f0, g0, h0 = oracle(text, inputs, wrt, point)
        v = np.array([rng.uniform(-1, 1) for _ in wrt])
        scale = 1e-6 * np.max(np.abs(h0))
        f, grads, H = g(**point)
        close(f, f0, "value")
        close(grads, g0, "gradient")
        assert all(len(row) == len(wrt) for row in H) and len(H) == len(wrt)
        close([[float(e) for e in row] for row in H], h0, (name, target, "H", point), scale)
        f, grads, hv = h(**point, v=tuple(v))
        close(grads, g0, "gradient")
        close(hv, h0 @ v, (name, target, "Hv", point), scale * np.max(np.abs(v)) * len(v))
        f, df = j(**point, v=tuple(v))
        close(f, f0, "value")
        close(df, g0 @ v, (name, target, "jvp", point), 1e-6 * np.max(np.abs(g0)))


def test_positional_keyword_and_dict_directions_agree():
    h = compiler.compile(FORMULAS["F1"], hvp=True)
    a = h(3.0, -4.0, v=(1.0, 2.0))
    b = h(y=-4.0, x=3.0, v={"y": 2.0, "x": 1.0})
    assert np.allclose(a[2], b[2], rtol=0, atol=0)
    with pytest.raises(BpcError, match="direction"):
        h(3.0, -4.0)
    with pytest.raises(BpcError, match="one direction per wrt"):
        h(3.0, -4.0, v=(1.0,))


@pytest.mark.parametrize("target", ["numpy", "numba", "cuda"])
def test_broadcasting_and_out(target):
    """Arrays broadcast as for the gradient; out= (numba, cuda) overwrites an earlier result."""
    text = FORMULAS["F3"]
    g = compile_for(text, target, order=2)
    h = compile_for(text, target, hvp=True)
    rng = np.random.default_rng(0)
    x, y, z = rng.uniform(-1, 1, (3, 1)), rng.uniform(-1, 1, 4), 0.3
    f, grads, H = g(x, y, z)
    assert f.shape == (3, 4) and all(e.shape == (3, 4) for row in H for e in row)
    assert H[1][0] is not H[0][1] and np.array_equal(H[1][0], H[0][1])
    point = {"x": float(x[2, 0]), "y": float(y[1]), "z": z}
    _, _, h0 = oracle(text, ("x", "y", "z"), ("x", "y", "z"), point)
    close([[e[2, 1] for e in row] for row in H], h0, "H", 1e-6 * np.max(np.abs(h0)))
    v = (np.ones((3, 1)), 0.5, -1.0)
    f, grads, hv = h(x, y, z, v=v)
    assert all(a.shape == (3, 4) for a in hv)
    close([a[2, 1] for a in hv], h0 @ np.array([1.0, 0.5, -1.0]), "Hv", 1e-6)
    if target in ("numba", "cuda"):
        first = g(x, y, z)
        again = g(-x, y, z, out=first)
        assert again[2][1][0] is first[2][1][0]                  # the mirror entry is written in place
        assert np.array_equal(first[2][1][0], first[2][0][1])


def _torch_case(fn, point, v):
    torch = pytest.importorskip("torch")
    from torch.func import grad, hessian, jvp

    args = tuple(torch.tensor(p, dtype=torch.float64) for p in point)
    argnums = tuple(range(len(args)))
    H = [[float(e) for e in row] for row in hessian(lambda *a: fn(torch, *a), argnums=argnums)(*args)]
    # the HVP as JAX and torch.func write it: forward over reverse, jvp(grad(f))
    _, hv = jvp(grad(lambda *a: fn(torch, *a), argnums=argnums), args,
                tuple(torch.tensor(t, dtype=torch.float64) for t in v))
    return np.array(H), np.array([float(t) for t in hv])


KINKS = [
    # bpc text, the same with torch, points where a convention applies (relu'(0), abs'(0), max ties)
    ("relu(x*y) + abs(x - y)*x + max(x, y)**2",
     lambda t, x, y: t.relu(x * y) + t.abs(x - y) * x + t.maximum(x, y) ** 2,
     [(0.0, 0.7), (0.5, 0.5), (-0.3, 0.4)]),
    ("where(x > 0, x**3, sin(y)*x) + min(x*x, y)",
     lambda t, x, y: t.where(x > 0, x**3, t.sin(y) * x) + t.minimum(x * x, y),
     [(0.0, 0.2), (0.5, 0.25), (-0.4, 1.0)]),
]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", range(len(KINKS)))
def test_subgradient_conventions_match_torch(case, target):
    text, fn, pts = KINKS[case]
    g = compile_for(text, target, order=2)
    h = compile_for(text, target, hvp=True)
    for point in pts:
        v = (0.3, -0.8)
        H0, hv0 = _torch_case(fn, point, v)
        _, _, H = g(*point)
        close([[float(e) for e in row] for row in H], H0, (text, point, "H"), 1e-12)
        _, _, hv = h(*point, v=v)
        close([float(a) for a in hv], hv0, (text, point, "Hv"), 1e-12)


# -- params= and reduce=: the Hessian of a summed loss w.r.t. the shared parameters ------------------

@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("reduce", ["sum", "mean"])
def test_parameter_hessian_of_a_summed_loss(target, reduce):
    text = "(a*x + b - y)**2 + exp(a*b*x)/10"
    g = compile_for(text, target, wrt="a,b", params=("a", "b"), reduce=reduce, order=2)
    h = compile_for(text, target, wrt="a,b", params=("a", "b"), reduce=reduce, hvp=True)
    rng = np.random.default_rng(3)
    x, y = rng.uniform(-1, 1, 7), rng.uniform(-1, 1, 7)
    a, b = 0.4, -0.3
    total = np.zeros((2, 2))
    grad = np.zeros(2)
    for xi, yi in zip(x, y):
        _, gi, hi = oracle(text, ("a", "x", "b", "y"), ("a", "b"), {"a": a, "b": b, "x": xi, "y": yi})
        total += hi
        grad += gi
    if reduce == "mean":
        total, grad = total / len(x), grad / len(x)
    f, grads, H = g(a=a, b=b, x=x, y=y)
    close(grads, grad, "gradient")
    close([[float(e) for e in row] for row in H], total, "H")
    v = (0.7, -1.1)
    f, grads, hv = h(a=a, b=b, x=x, y=y, v=v)
    close(hv, total @ np.array(v), "Hv")


def test_mixed_parameter_and_point_hessian_entries():
    """wrt a shared parameter and a per-point input: the mixed entries stay per point."""
    text = "sin(a*x)*x"
    g = compiler.compile(text, target="numpy", wrt="a,x", params=("a",), reduce="sum", order=2)
    x = np.array([0.1, 0.5, -0.7])
    f, grads, H = g(a=0.9, x=x)
    assert np.ndim(H[0][0]) == 0 and np.shape(H[0][1]) == (3,) and np.shape(H[1][1]) == (3,)
    for k, xi in enumerate(x):
        _, _, h0 = oracle(text, ("a", "x"), ("a", "x"), {"a": 0.9, "x": xi})
        close([H[0][1][k], H[1][1][k]], [h0[0, 1], h0[1, 1]], "per point")


# -- structure ---------------------------------------------------------------------------------------

def _sweeps(text, mode):
    request = Request.make("python")
    graph = build_graph(text)
    wrt, _ = resolve(graph, request)
    fwd, bwd = statements(graph, wrt)
    return fwd, bwd, tangent.build(mode, graph, fwd, bwd, wrt)


def nested(depth: int) -> str:
    fns = ["sin", "exp", "tanh", "sigmoid", "cos", "log1p"]
    e = "x"
    for k in range(depth):
        f = fns[k % len(fns)]
        inner = f"({e})**2" if f == "log1p" else e
        e = f"{f}({inner} * y + {k % 3 + 1})" if k % 2 else f"{f}({inner} + z*{k})"
    return e


@pytest.mark.parametrize("name", ["F5", "nested12"])
def test_hvp_sweep_is_linear_in_the_program(name):
    """The HVP's tangent sweep has at most 3x the statements of the gradient's backward sweep."""
    if name == "F5":
        from formulas import f5

        text = f5()
    else:
        text = nested(12)
    _, bwd, second = _sweeps(text, "hvp")
    assert tangent.count(second) <= 3 * len(bwd), (tangent.count(second), len(bwd))


def test_nested12_values():
    text = nested(12)
    h = compiler.compile(text, target="numpy", hvp=True)
    point = {"x": 0.3, "y": -0.4, "z": 0.2}
    v = np.array([0.5, -1.0, 0.25])
    _, g0, h0 = oracle(text, ("x", "z", "y"), ("x", "z", "y"), point) if h.inputs == ("x", "z", "y") else \
        oracle(text, h.inputs, h.inputs, point)
    _, _, hv = h(**point, v=tuple(v))
    close(hv, h0 @ v, "Hv", 1e-6 * np.max(np.abs(h0)))


def test_tangent_lines_read_like_the_gradient():
    """Tangents are t_<name>, one line per stage, commented with what they differentiate; fan-out
    into a tangent is t_dx = ... then t_dx += ..."""
    g = compiler.compile(FORMULAS["F1"], hvp=True)
    src = g.source
    assert "def f_hvp(x, y, t_x, t_y):" in src
    assert "t_xpy = t_x + t_y" in src and "# xpy = x + y" in src
    assert src.count("t_dx = ") == 1 and src.count("t_dx += ") == 2
    assert "# tangent of the backward pass" in src and "# backward pass" in src
    j = compiler.compile(FORMULAS["F1"], jvp=True)
    assert "# backward pass" not in j.source and "t_f = " in j.source


def test_full_hessian_of_an_array_program_is_refused():
    with pytest.raises(BpcError, match="hvp=True"):
        compiler.compile(SOURCES.MLP_D2L, shapes=SOURCES.MLP_D2L_SHAPES, target="numpy", order=2)


def test_gradient_modules_unchanged_by_second_order():
    """A gradient module has no second-order constants."""
    g = compiler.compile(FORMULAS["F1"])
    assert "MODE" not in g.source and g.mode is None
    with pytest.raises(BpcError, match="jvp=True or hvp=True"):
        g(1.0, 2.0, v=(1.0, 1.0))


def test_one_mode_at_a_time():
    with pytest.raises(BpcError, match="choose one"):
        compiler.compile("x*y", hvp=True, order=2)
    with pytest.raises(BpcError, match="order=3"):
        compiler.compile("x*y", order=3)


def test_hessian_and_hvp_compile_to_ptx():
    import json
    import os
    import subprocess

    pytest.importorskip("numba.cuda")
    cases = [["F1-hessian", FORMULAS["F1"], {"order": 2}], ["F3-hvp", FORMULAS["F3"], {"hvp": True}],
             ["F2-jvp", FORMULAS["F2"], {"jvp": True}],
             ["fit-hessian", "(a*x + b - y)**2", {"order": 2, "wrt": "a,b", "params": ["a", "b"], "reduce": "sum"}]]
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("ptx_worker.py"))], input=json.dumps(cases),
                          capture_output=True, text=True, env=env, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout)
    for name, *_ in cases:
        if "error" in results[name] and ("NVVM" in results[name]["error"] or "CUDA compiler" in results[name]["error"]):
            pytest.skip(results[name]["error"])
        assert "error" not in results[name], results[name]
        assert ".visible .entry" in results[name]["ptx"]
        assert ".extern .func" not in results[name]["ptx"]          # one kernel: no device functions to link


# -- CLI and check -------------------------------------------------------------------------------

def test_cli_compile_and_check_second_order(capsys):
    from compiler.cli import main

    assert main(["compile", "x*y + sin(x)", "--hvp"]) == 0
    out = capsys.readouterr().out
    assert "def f_hvp(x, y, t_x, t_y):" in out and "t_dx" in out
    assert main(["compile", "x*y + sin(x)", "--order", "2", "--target", "numpy"]) == 0
    assert "def f_hessian(x, y):" in capsys.readouterr().out
    assert main(["compile", "x*y + sin(x)", "--jvp"]) == 0
    assert "def f_jvp(x, y, t_x, t_y):" in capsys.readouterr().out
    for flag in (["--order", "2"], ["--hvp"], ["--jvp"]):
        assert main(["check", FORMULAS["F3"], "--points", "2", *flag]) == 0
        out = capsys.readouterr().out
        assert out.strip().splitlines()[-1].startswith("OK")


def test_check_fails_a_wrong_hessian(monkeypatch):
    """The second-order check can fail: a Hessian entry changed by 1e-3 is caught."""
    from compiler import check

    g = compiler.compile(FORMULAS["F4"], order=2)
    real = g.__class__.__call__

    def wrong(self, *a, **k):
        f, grads, H = real(self, *a, **k)
        return f, grads, ((H[0][0] * (1 + 1e-3), H[0][1]), H[1])
    monkeypatch.setattr(g.__class__, "__call__", wrong)
    assert not check.gradient_check(g, points=2).ok


# -- array programs: the d2l MLP ---------------------------------------------------------------------

def _mlp_torch(torch, W1, W2, x, y, lam):
    z = W1 @ x
    h = torch.relu(z)
    o = W2 @ h
    L = torch.nn.functional.cross_entropy(o.T, y)
    return L + lam / 2 * (torch.sum(W1 * W1) + torch.sum(W2 * W2))


def _mlp_data(seed=0, hidden=5, d=4, q=3, n=6):
    rng = np.random.default_rng(seed)
    return {"W1": rng.normal(size=(hidden, d)), "W2": rng.normal(size=(q, hidden)), "x": rng.normal(size=(d, n)),
            "y": rng.integers(0, q, n), "lam": 0.1}


@pytest.mark.parametrize("target", ["python", "numpy", "numba"])
def test_mlp_hvp_and_jvp_match_torch(target):
    torch = pytest.importorskip("torch")
    from torch.func import grad, jvp

    data = _mlp_data()
    rng = np.random.default_rng(1)
    v = (rng.normal(size=data["W1"].shape), rng.normal(size=data["W2"].shape))
    h = compile_for(SOURCES.MLP_D2L, target, shapes=SOURCES.MLP_D2L_SHAPES, wrt="W1,W2", hvp=True)
    j = compile_for(SOURCES.MLP_D2L, target, shapes=SOURCES.MLP_D2L_SHAPES, wrt="W1,W2", jvp=True)
    T = {k: torch.tensor(val) if k == "y" else torch.tensor(val, dtype=torch.float64) for k, val in data.items()}

    def loss(W1, W2):
        return _mlp_torch(torch, W1, W2, T["x"], T["y"], T["lam"])

    primals = (T["W1"], T["W2"])
    tangents = tuple(torch.tensor(a) for a in v)
    f0, df0 = jvp(loss, primals, tangents)
    _, hv0 = jvp(grad(loss, argnums=(0, 1)), primals, tangents)
    f, grads, hv = h(**data, v=v)
    assert abs(float(f) - float(f0)) <= 1e-12 * abs(float(f0))
    for got, want in zip(hv, hv0):
        close(got, want.numpy(), ("Hv", target), 1e-10 * float(torch.max(torch.abs(want))))
    f, df = j(**data, v=v)
    close(df, float(df0), ("jvp", target))


def test_mlp_hvp_with_points_and_reduce():
    """Points along a first axis, W1 and W2 shared (params=), summed: the HVP of the total loss."""
    torch = pytest.importorskip("torch")
    from torch.func import grad, jvp

    data = _mlp_data(2)
    xs = np.random.default_rng(3).normal(size=(3, *data["x"].shape))
    ys = np.random.default_rng(4).integers(0, 3, (3, data["y"].size))
    h = compiler.compile(SOURCES.MLP_D2L, shapes=SOURCES.MLP_D2L_SHAPES, wrt="W1,W2", params=("W1", "W2", "lam"),
                         reduce="sum", target="numpy", hvp=True)
    rng = np.random.default_rng(5)
    v = (rng.normal(size=data["W1"].shape), rng.normal(size=data["W2"].shape))
    _, _, hv = h(W1=data["W1"], W2=data["W2"], x=xs, y=ys, lam=0.1, v=v)

    def loss(W1, W2):
        lam = torch.tensor(0.1, dtype=torch.float64)
        return sum(_mlp_torch(torch, W1, W2, torch.tensor(xs[k]), torch.tensor(ys[k]), lam) for k in range(3))

    _, hv0 = jvp(grad(loss, argnums=(0, 1)), (torch.tensor(data["W1"]), torch.tensor(data["W2"])),
                 tuple(torch.tensor(a) for a in v))
    for got, want in zip(hv, hv0):
        close(got, want.numpy(), "Hv", 1e-10 * float(torch.max(torch.abs(want))))


def test_mlp_second_order_check():
    h = compiler.compile(SOURCES.MLP_D2L, shapes=SOURCES.MLP_D2L_SHAPES, wrt="W1,W2", target="numpy", hvp=True)
    assert h.check(points=2).ok
    j = compiler.compile(SOURCES.MLP_D2L, shapes=SOURCES.MLP_D2L_SHAPES, wrt="W1,W2", target="numpy", jvp=True)
    assert j.check(points=2).ok


def test_every_array_row_has_a_jvp():
    from compiler import rules

    a = sp.Symbol("a")
    for rule in rules.RULES.values():
        if not rule.elementwise or rule.op in {r.op for r in rules.array.HELPERS}:
            if rule.sympy is None:         # sum, mean: written with helper operations, which carry the JVP
                for axis in (None, 0):
                    expr = rule.forward(a, attrs=(("axis", axis),))
                    for f in expr.atoms(sp.Function):
                        assert rules.BY_CLASS[type(f)].jvp is not None, (rule.op, f)
            else:
                assert rule.jvp is not None, rule.op


ARRAY_PROGRAMS = {
    # each array operation in a program whose HVP and JVP are checked against finite differences
    "softmax_T_bias": ("""\
z = W @ x + b
p = softmax(z.T, axis=1)
J = sum(p * c) + mean(z**2)
""", {"W": (3, 4), "x": (4, 5), "b": (3, 1), "c": (5, 3)}, "W,b"),
    "log_softmax_sum_axis": ("""\
z = tanh(W @ x)
l = log_softmax(z, axis=0)
J = sum(sum(l * c, axis=0) ** 2) + frob2(W)
""", {"W": (3, 4), "x": (4, 5), "c": (3, 5)}, "W"),
    "vector_matmul": ("""\
h = sigmoid(W @ u)
J = u @ (W.T @ h) + cross_entropy(W @ x, y)
""", {"W": (3, 4), "u": (4,), "x": (4, 2), "y": (2,)}, "W,u"),
}


@pytest.mark.parametrize("name", sorted(ARRAY_PROGRAMS))
def test_array_operations_second_order_check(name):
    text, shapes, wrt = ARRAY_PROGRAMS[name]
    for mode in ("hvp", "jvp"):
        g = compiler.compile(text, shapes=shapes, wrt=wrt, target="numpy", **{mode: True})
        result = g.check(points=2, tol=1e-7)
        assert result.ok, result.table()


def test_source_map_of_second_order_modules():
    h = compiler.compile(FORMULAS["F1"], hvp=True)
    lines = h.source.splitlines()
    for entry in h.source_map:                      # the backward lines, as for the gradient
        assert lines[entry["line"] - 1].strip().startswith(entry["target"])
    assert compiler.compile(FORMULAS["F1"], jvp=True).source_map == []
    assert "Hessian-vector product" in repr(h)


def test_an_input_named_v():
    """v= is the direction only for jvp/hvp modules; a gradient or Hessian module's input v is an input."""
    assert compiler.compile("u*v")(u=2.0, v=3.0)[1] == (3.0, 2.0)
    assert compiler.compile("u*v", order=2)(u=2.0, v=3.0)[2][0][1] == 1.0
    assert compiler.compile("u*v", hvp=True)(2.0, 3.0, v=(1.0, 0.0))[2] == (0.0, 1.0)
