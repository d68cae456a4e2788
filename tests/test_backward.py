"""The staged backward pass: CS231n's sequence, fan-out with +=, values against oracles."""
import re

import pytest
import sympy as sp

import compiler
from conftest import CS231N
from compiler.autodiff import backward
from compiler.frontend import parse
from compiler.naming import build
from compiler.rules.scalar import sigmoid
from oracle import fd, gradient, rel_err

X, Y = sp.symbols("x y", real=True)
F1 = (X + sigmoid(Y)) / (sigmoid(X) + (X + Y) ** 2)


def assignments(source: str) -> list[str]:
    body = source.split("# backward pass")[1].split("\n", 1)[1].split("    return")[0]
    return [" ".join(line.split()[:2]) for line in body.strip().splitlines() if line.strip()]


@pytest.mark.parametrize("target", ["python", "numpy"])
def test_cs231n_staged_program_sequence_and_values(target):
    g = compiler.compile(CS231N, target=target)
    assert assignments(g.source) == [
        "dnum =", "dinvden =", "dden =", "dsigx =", "dxpysqr =", "dxpy =",
        "dx =", "dy =", "dx +=", "dx +=", "dsigy =", "dy +=",
    ]
    assert g.inputs == ("y", "x")          # order of first appearance
    f, (dy, dx) = g(x=3.0, y=-4.0)
    point = {X: 3.0, Y: -4.0}
    for symbol, got in zip((X, Y), (dx, dy)):
        assert rel_err(float(got), fd(F1, symbol, point)) <= 1e-9
    assert max(rel_err(float(a), b) for a, b in zip((dx, dy), gradient(F1, (X, Y), point))) <= 1e-13


def test_plain_formula_gets_cs231n_names():
    g = compiler.compile("(x + sigmoid(y)) / (sigmoid(x) + (x + y)**2)")
    names = [s.name for s in g.graph.stages]
    assert names == ["sigy", "num", "sigx", "xpy", "xpysqr", "den", "f"]


def test_local_gradients_reuse_saved_forward_values():
    src = compiler.compile("sigmoid(x) + exp(y) + tanh(z)").source
    backward_text = src.split("# backward pass")[1]
    assert "(sigx*(1 - sigx))" in backward_text
    assert "dy = expy*dexpy" in backward_text
    assert "np.exp" not in backward_text          # exp's gradient is its saved output
    assert "(1 - (tanhz*tanhz))" in backward_text


def test_variable_used_three_times_gets_one_definition_and_two_accumulations():
    g = compiler.compile("sin(x) + x*y + exp(x)")
    lines = assignments(g.source)
    assert lines.count("dx =") == 1
    assert lines.count("dx +=") == 2
    assert lines.index("dx =") < lines.index("dx +=")


def test_unreached_input_gets_explicit_zero_and_only_wrt_is_returned():
    def fn(x, y, z):
        return x * y

    g = compiler.compile(fn, wrt=["z", "x"])
    assert g.wrt == ("z", "x")
    assert "dz = 0.0" in g.source
    assert "dy" not in g.source.split("# backward pass")[1]   # y is not in wrt: nothing computed
    assert g(2.0, 3.0, 4.0) == (6.0, (0.0, 3.0))


def test_constant_output():
    g = compiler.compile("3")
    assert g.inputs == ()
    assert g() == (3.0, ())


def test_output_is_an_input():
    g = compiler.compile("x", target="numpy")
    import numpy as np

    x = np.array([1.0, 2.0])
    f, (dx,) = g(x)
    assert f.tolist() == [1.0, 2.0] and dx.tolist() == [1.0, 1.0]
    f[0] = 99.0
    assert x[0] == 1.0     # the output is a new array, not the input


def test_every_backward_line_names_its_forward_stage():
    src = compiler.compile(CS231N).source
    body = src.split("# backward pass")[1].split("\n", 1)[1].split("    return")[0].strip().splitlines()
    stages = {line.strip().split(" = ")[0]: line.strip() for line in
              src.split("# forward pass")[1].split("# backward pass")[0].strip().splitlines()}
    for line in body:
        code, comment = line.split("  # ")
        stage_name = comment.split(" = ")[0]
        assert stage_name in stages, line


def test_stmts_object_is_printable():
    graph = build(parse(CS231N))
    stmts = backward(graph, graph.idents)
    assert str(stmts[0]) == "dnum = invden"
    assert stmts[8].accumulate and stmts[8].target == "dx"


def test_statement_count_is_linear_in_forward_stages():
    import random

    rng = random.Random(1)
    terms = []
    for i in range(300):
        a, b = rng.choice("xyzw"), rng.choice("xyzw")
        terms.append(f"{rng.choice(['sin', 'exp', 'tanh', 'sigmoid'])}({a}*{b} + {i})")
    graph = build(parse(" + ".join(terms)))
    stmts = backward(graph, graph.idents)
    assert (len(graph.stages) + len(stmts)) <= 3.5 * len(graph.stages)
