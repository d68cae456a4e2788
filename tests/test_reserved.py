"""Reserved names: user names drawn from every target's own names (read from its templates and
imports), Python's builtins and soft keywords, and the kernels' numbered arrays, on every target.

Each program is compiled twice, once with the reserved names and once with plain ones (v0, v1,
...); the results must be equal, so a name that collided with scaffolding (a grid-stride counter,
a cast, a helper) would show up as a wrong value or an error. The cuda target runs under the
simulator here and its kernels are compiled to PTX in a process without it.
"""
import builtins
import json
import keyword
import os
import subprocess
import sys

import numpy as np
import pytest

import compiler
from compiler.rules import FUNCTIONS
from compiler.targets import TARGETS
from conftest import ROOT, SIMULATED_CUDA, TARGETS as TARGET_NAMES, compile_for


def _usable(name: str) -> bool:
    """A name a user can write for a variable: an identifier, not a keyword, a function or pi."""
    return name.isidentifier() and not keyword.iskeyword(name) and name not in FUNCTIONS and name != "pi"


TEMPLATE_NAMES = sorted({n for t in TARGETS.values() for n in t.reserved() if _usable(n)} - set(dir(builtins)))
EXTRA = ["_a0", "_a1", "_o0", "_s0", "_s1", "sum", "len", "print", "float", "id", "type", "match", "case", "_",
         "object", "range", "min_", "np_", "__name__", "__file__"]
NAMES = TEMPLATE_NAMES + [n for n in EXTRA if _usable(n) and n not in TEMPLATE_NAMES]
SIZE = 12          # names per program: 5 inputs, 7 stages


def _program(names) -> str:
    a, b, c, d, e, s1, s2, s3, s4, s5, s6, s7 = names
    return (f"def f({a}, {b}, {c}, {d}, {e}):\n"
            f"    {s1} = {a}*{b} + sin({c})\n"
            f"    {s2} = {s1}*{d} - exp({e}/4)\n"
            f"    {s3} = {s2} + {e}*{s1}\n"
            f"    {s4} = tanh({s3}) * {a}\n"
            f"    {s5} = {s4}/(2 + cos({b}))\n"
            f"    {s6} = {s5} + {s1}*{s1}\n"
            f"    {s7} = {s6} - {c}\n"
            f"    return {s7}*{a} + {s2}\n")


def _groups():
    names = list(NAMES)
    names += [f"v{i}" for i in range(-len(names) % SIZE)]
    return [names[i:i + SIZE] for i in range(0, len(names), SIZE)]


GROUPS = _groups()
PLAIN = _program([f"v{i}" for i in range(SIZE)])
POINT = np.array([0.3, -0.7, 0.4, 1.1, -0.2])


def test_the_names_cover_every_target():
    for target in TARGETS.values():
        own = {n for n in target.reserved() if _usable(n) and n not in dir(builtins)}
        assert own <= set(NAMES), target.name
    assert {"_stride", "float64", "_kernel", "_points", "np", "math", "cuda", "out", "_i", "_n"} <= set(NAMES)


@pytest.mark.parametrize("target", TARGET_NAMES)
@pytest.mark.parametrize("group", range(len(GROUPS)))
def test_reserved_names_compute_the_same_as_plain_names(group, target):
    source = _program(GROUPS[group])
    g = compile_for(source, target)
    plain = compile_for(PLAIN, target)
    assert g.inputs == tuple(GROUPS[group][:5])
    args = [np.full(3, v) for v in POINT] if target != "python" else list(POINT)
    f, grads = g(*args)
    fp, gp = plain(*args)
    np.testing.assert_allclose(f, fp, rtol=1e-14)
    for got, want in zip(grads, gp):
        np.testing.assert_allclose(got, want, rtol=1e-14)


@pytest.mark.parametrize("target", ["numba", "cuda"])
def test_reserved_names_in_a_reduction(target):
    """params= and reduce= bring the kernels' sums, scale and (cuda) shared-memory names."""
    names = ["_sums", "_scale", "_t", "_w", "_shared", "_stride", "THREADS", "REDUCED", "_values", "_given",
             "float64", "_results"]
    source, plain = _program(names), PLAIN
    options = dict(params=(names[0], names[1]), reduce="mean")
    g = compile_for(source, target, **options)
    p = compile_for(plain, target, params=("v0", "v1"), reduce="mean")
    rng = np.random.default_rng(0)
    data = [rng.uniform(-1, 1, 50) for _ in range(3)]
    f, grads = g(0.3, -0.7, *data)
    fp, gp = p(0.3, -0.7, *data)
    np.testing.assert_allclose(f, fp, rtol=1e-13)
    for got, want in zip(grads, gp):
        np.testing.assert_allclose(got, want, rtol=1e-13)


def test_the_issue_example_on_cuda():
    g = compiler.compile("def f(x, _stride):\n    float64 = x*_stride\n    return float64*float64\n", target="cuda")
    f, (dx, ds) = g(np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0]))
    assert f.tolist() == [4.0, 16.0, 36.0] and dx.tolist() == [8.0, 16.0, 24.0] and ds.tolist() == [4.0, 16.0, 36.0]


@pytest.mark.parametrize("target", ["numpy", "numba"])
def test_reserved_names_in_array_programs(target):
    source = ("def J(W, x, y, _value):\n"
              "    _arrays = W @ x\n"
              "    _body = relu(_arrays)\n"
              "    SHAPES = cross_entropy(_body, y)\n"
              "    return SHAPES + _value * frob2(W)\n")
    plain = ("def J(W, x, y, lam):\n    a = W @ x\n    b = relu(a)\n    c = cross_entropy(b, y)\n"
             "    return c + lam * frob2(W)\n")
    shapes = {"W": (3, 4), "x": (4, "n"), "y": ("n",)}
    rng = np.random.default_rng(1)
    W, x, y = rng.normal(size=(3, 4)), rng.normal(size=(4, 5)), np.array([0, 2, 1, 1, 0])
    g = compiler.compile(source, target=target, shapes=shapes)
    p = compiler.compile(plain, target=target, shapes=shapes)
    f, grads = g(W, x, y, 0.1)
    fp, gp = p(W, x, y, 0.1)
    assert f == pytest.approx(fp, rel=1e-14)
    for got, want in zip(grads, gp):
        np.testing.assert_allclose(got, want, rtol=1e-13)



@pytest.mark.parametrize("target", ["numpy", "numba"])
def test_loop_over_points_names_as_inputs(target):
    """The names of the numba target's loop over points (its buffers _v, _g0 ..., chunk _k, _chunks)
    as inputs of an array program with params and reduce: J_p = sum(_g0 * x_p) + _v k_p c_p, so
    dJ/d_g0 = sum_p x_p, dx_p = _g0, d_v = sum_p k_p c_p, dk_p = _v c_p, dc_p = _v k_p (exact)."""
    shapes = {"_g0": (3,), "x": (3,), "_v": (), "_k": (), "_chunks": ()}
    g = compile_for("J = sum(_g0 * x) + _v*_k*_chunks", target, shapes=shapes, params=["_g0", "_v"], reduce="sum")
    x, k, c = np.arange(12.0).reshape(4, 3), np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 1.0, 2.0, 1.0])
    J, (d_g0, dx, d_v, dk, dc) = g(np.ones(3), x, 2.0, k, c)
    assert J == 66.0 + 2.0 * 13.0
    assert d_g0.tolist() == [18.0, 22.0, 26.0] and dx.tolist() == [[1.0] * 3] * 4 and d_v == 13.0
    assert dk.tolist() == (2.0 * c).tolist() and dc.tolist() == (2.0 * k).tolist()

@pytest.mark.skipif(not SIMULATED_CUDA, reason="the PTX worker runs without the simulator; on a GPU the kernels ran above")
def test_reserved_name_kernels_compile_to_ptx():
    cases = [[f"group{k}", _program(names), {}] for k, names in enumerate(GROUPS)]
    cases.append(["reduction", _program(["_sums", "_scale", "_t", "_w", "_shared", "_stride", "THREADS", "REDUCED",
                                         "_values", "_given", "float64", "_results"]),
                  {"params": ["_sums", "_scale"], "reduce": "sum"}])
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="0")
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "ptx_worker.py")], input=json.dumps(cases),
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout)
    for name, result in results.items():
        assert "ptx" in result, (name, result.get("error"))
        assert ".entry" in result["ptx"]
