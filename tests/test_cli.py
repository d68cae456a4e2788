"""The bpc command: compile, eval, check; errors as one line on stderr with a non-zero status."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.cli import main

F1 = "(x + sigmoid(y)) / (sigmoid(x) + (x + y)**2)"


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "compiler", *args], capture_output=True, text=True, input=stdin)


def test_compile_prints_a_module(capsys):
    assert main(["compile", F1]) == 0
    out = capsys.readouterr().out
    assert "def f_and_grad(x, y):" in out and "dnum = 1/den" in out and "dx += " in out
    compile(out, "<emitted>", "exec")


def test_compile_to_file_with_wrt_and_target(tmp_path):
    dest = tmp_path / "m.py"
    assert main(["compile", F1, "--wrt", "y", "--target", "numpy", "-o", str(dest)]) == 0
    text = dest.read_text()
    assert "WRT = ('y',)" in text and "(target: numpy)" in text


def test_eval_json(capsys):
    assert main(["eval", F1, "--at", "x=3,y=-4", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["value"] == pytest.approx(1.5456448841066441, rel=1e-15)
    assert set(result["grad"]) == {"x", "y"}
    assert result["grad"]["x"] == pytest.approx(2.0595697955721652, rel=1e-15)


def test_eval_plain_and_non_finite_json(capsys):
    assert main(["eval", "log(x)", "--at", "x=0", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"value": "-inf", "grad": {"x": "inf"}}
    assert main(["eval", "x*y", "--at", "x=2,y=5"]) == 0
    assert capsys.readouterr().out.splitlines() == ["value = 10.0", "d/dx = 5.0", "d/dy = 2.0"]


def test_eval_points_file(tmp_path, capsys):
    points = tmp_path / "p.json"
    points.write_text(json.dumps([{"x": 1, "y": 2}, {"x": 3, "y": 4}]))
    assert main(["eval", "x*y", "--points", str(points), "--json", "--target", "numpy"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"value": 2.0, "grad": {"x": 2.0, "y": 1.0}}, {"value": 12.0, "grad": {"x": 4.0, "y": 3.0}}]


def test_source_from_file_and_stdin(tmp_path):
    prog = tmp_path / "prog.bpc"
    prog.write_text("a = x * y\nf = sin(a)\n")
    out = run("eval", f"@{prog}", "--at", "x=0,y=1", "--json")
    assert json.loads(out.stdout) == {"value": 0.0, "grad": {"x": 1.0, "y": 0.0}}
    out = run("eval", "-", "--at", "x=2", "--json", stdin="x**3")
    assert json.loads(out.stdout) == {"value": 8.0, "grad": {"x": 12.0}}


def test_check_passes_and_prints_a_table(capsys):
    assert main(["check", F1, "--points", "4", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["point", "x", "y", "wrt", "analytic", "numeric", "rel.", "error"]
    assert len(out.splitlines()) == 1 + 8 + 1
    assert out.splitlines()[-1].startswith("OK: max relative error")


def test_check_fails_with_exit_1_when_tolerance_is_impossible(capsys):
    assert main(["check", "sin(x)*exp(y)", "--tol", "1e-18", "-q"]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_check_skips_points_outside_the_domain(capsys):
    assert main(["check", "log(x)", "--points", "3"]) == 0
    assert "skipped" in capsys.readouterr().out


@pytest.mark.parametrize("args,fragment", [
    (["compile", "x + sigmod(y)"], "unknown function 'sigmod' at 1:5 — did you mean 'sigmoid'?"),
    (["compile", "__import__('os').system('id')"], "attribute access is not allowed at 1:1"),
    (["compile", "(lambda: 0)()"], "only named functions can be called"),
    (["compile", "[x for x in y]"], "comprehensions are not allowed"),
    (["compile", "'a'*3"], "strings are not allowed"),
    (["compile", "x[0]"], "subscripts are not allowed"),
    (["compile", "exp(x=1)"], "exp() takes no keyword argument 'x'"),
    (["compile", "2**10**10*x"], "does not fit in float64"),
    (["compile", "(" * 10000 + "x" + ")" * 10000], "nested too deeply"),
    (["eval", "x*y", "--at", "x=1"], "no value given for input 'y'"),
    (["eval", "x*y", "--at", "x=1,y=two"], "'two' is not a number"),
    (["eval", "x*y", "--at", "x=1,y=2,z=3"], "unknown input 'z'"),
    (["eval", "x*y"], "give exactly one of --at"),
    (["compile", "x*y", "--wrt", "q"], "wrt names 'q', which is not an input"),
])
def test_errors_are_one_line_with_nonzero_exit(args, fragment):
    out = run(*args)
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bpc: error: ") and fragment in lines[0], out.stderr


def test_ten_megabyte_source_from_stdin_is_refused():
    out = run("compile", "-", stdin="x+" * 5_000_000 + "x")
    assert out.returncode == 2 and "more than 1000000 characters" in out.stderr


def test_eval_on_the_numba_target(capsys):
    assert main(["eval", F1, "--at", "x=3,y=-4", "--json", "--target", "numba"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["grad"]["y"] == pytest.approx(1.5922327514838093, rel=1e-15)
