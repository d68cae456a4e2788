"""Names: readable, unique, never shadowing Python or the emitted module; output deterministic."""
import ast
import builtins
import keyword
import os
import subprocess
import sys

import pytest

import compiler
from compiler.frontend import parse
from compiler.naming import build


def identifiers(source: str) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}


def test_user_names_kept_exactly():
    g = build(parse("hidden = w*x\nact = tanh(hidden)\nloss = act**2"))
    assert [s.name for s in g.stages] == ["hidden", "act", "loss"]


def test_x_and_dx_both_inputs():
    g = compiler.compile("x*dx + x")
    assert g.inputs == ("x", "dx")
    tree_names = identifiers(g.source)
    assert {"x", "dx", "d_x", "ddx"} <= tree_names
    f, (gx, gdx) = g(2.0, 5.0)
    assert (f, gx, gdx) == (12.0, 6.0, 2.0)


@pytest.mark.parametrize("name", ["id", "sum", "np", "math", "len", "print", "float", "INPUTS", "_full", "match"])
def test_reserved_input_names_are_renamed_in_code_but_not_in_the_api(name):
    g = compiler.compile(f"{name}*2 + 1", target="numpy")
    assert g.inputs == (name,)
    assert f"{name}_" in identifiers(g.source)
    f, (d,) = g(**{name: 3.0})
    assert (float(f), float(d)) == (7.0, 2.0)


def test_gradient_name_never_a_keyword_or_builtin():
    # d + "el" = "del" (keyword), d + "ir" = "dir" (builtin), d + "ivmod" = "divmod" (builtin)
    g = compiler.compile("el*ir + ivmod")
    names = identifiers(g.source)
    for bad in ("del", "dir", "divmod"):
        assert bad not in names
    assert not any(keyword.iskeyword(n) for n in names)
    assert g(2.0, 3.0, 1.0) == (7.0, (3.0, 2.0, 1.0))


def test_derived_names_never_collide_with_user_names():
    g = compiler.compile("xpy = 1 + z\nf = (x + y) * xpy")
    names = [s.name for s in g.graph.stages]
    assert len(names) == len(set(names))
    assert g(x=1.0, y=2.0, z=3.0)[0] == 12.0


def test_long_derived_names_fall_back_to_numbers():
    g = build(parse("exp(sin(cos(tanh(x))))"))
    assert all(len(s.name) <= 10 for s in g.stages)


def test_output_is_byte_identical_across_processes_with_different_hash_seeds():
    formula = "(x + sigmoid(y)) / (sigmoid(x) + (x + y)**2) + max(a, b)*c - atan2(c, x)"
    code = (
        "import sys; from compiler.runtime import generate\n"
        f"sys.stdout.write(generate({formula!r}, target='python')[0] + generate({formula!r}, target='numpy')[0])"
    )
    outputs = set()
    for seed in ("0", "1", "12345", "random"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        outputs.add(out.stdout)
    assert len(outputs) == 1
