"""Issue 6: graph pictures (checked by parsing SVG/DOT), the explain table, notebook display, source map."""
import random
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import compiler
from conftest import CS231N
from compiler import picture
from compiler.explain import trace
from compiler.cli import main

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz 'dot' is not installed (.ci/run installs it)")


def svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return [el.text for el in root.iter() if el.tag.endswith("text") and el.text]


def cs231n_values():
    g = compiler.compile(CS231N)
    tr = trace(g.graph, {"x": 3.0, "y": -4.0})
    return g, tr


@needs_dot
def test_svg_shows_every_stage_value_and_gradient():
    g, tr = cs231n_values()
    texts = svg_texts(g.graph(at={"x": 3.0, "y": -4.0}).svg())
    for stage in g.graph.stages:
        assert stage.name in texts
        assert f"{float(tr.values[stage.name]):.3g}" in texts
    for name, grad in g.graph.grad_names.items():
        if grad in tr.values:
            assert f"{float(tr.values[grad]):.3g}" in texts, name
    # CS231n's printed numbers at (3, -4)
    for expected in ["2.06", "1.59", "0.953", "0.512", "-0.792", "1.55"]:
        assert expected in texts


def test_dot_edges_carry_value_and_gradient_in_colour():
    g, tr = cs231n_values()
    dot = g.graph(at={"x": 3.0, "y": -4.0}, local=True).dot
    edge = next(line for line in dot.splitlines() if line.strip().startswith('"v:xpy" -> "op:xpysqr"'))
    assert 'color="darkgreen">-1<' in edge and 'color="red3">1.58<' in edge and "local -2" in edge
    assert dot.count('"v:x" -> ') == 3              # x fans out to three stages: three separate edges
    assert 'peripheries=2' in dot                    # the output


def test_dot_works_and_svg_says_how_to_get_graphviz_when_dot_is_missing(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(picture.shutil, "which", lambda name: None)
    assert main(["graph", "x*y", "--at", "x=1,y=2", "-o", str(tmp_path / "g.dot")]) == 0
    assert (tmp_path / "g.dot").read_text().startswith("digraph")
    assert main(["graph", "x*y", "--at", "x=1,y=2", "-o", str(tmp_path / "g.svg")]) == 2
    err = capsys.readouterr().err
    assert "needs Graphviz's 'dot' program" in err and "apt-get install graphviz" in err
    g = compiler.compile("x*y")
    assert "<pre>" in g.graph()._repr_html_()      # notebook display still works


def test_500_stages_are_collapsed_and_say_so(tmp_path):
    formula = " + ".join(f"sin(x*{i})" for i in range(1, 168))
    out = subprocess.run([sys.executable, "-m", "compiler", "graph", formula, "--at", "x=0.5",
                          "-o", str(tmp_path / "big.dot")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "showing the 200 nearest the output" in out.stderr
    dot = (tmp_path / "big.dot").read_text()
    assert dot.count('shape=circle') == 200 and "earlier stages not shown" in dot


@needs_dot
def test_unicode_names_render():
    g = compiler.compile("θ*α + sin(θ)")
    texts = svg_texts(g.graph(at={"θ": 0.5, "α": 2.0}).svg())
    assert "θ" in texts and "α" in texts and "θα" in texts


@needs_dot
def test_png_and_cli(tmp_path):
    assert main(["graph", CS231N, "--at", "x=3,y=-4", "-o", str(tmp_path / "g.png")]) == 0
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_explain_contributions_sum_to_the_gradient():
    rng = random.Random(0)
    funcs = ["sin", "exp", "tanh", "sigmoid", "softplus", "atan"]
    for _ in range(40):
        terms = [f"{rng.choice(funcs)}({rng.choice('xyz')}*{rng.choice('xyz')} + {rng.randint(1, 3)})"
                 for _ in range(rng.randint(2, 5))]
        formula = " * ".join(terms[:2]) + " + " + " - ".join(terms[2:] or ["x"])
        g = compiler.compile(formula)
        point = {n: rng.uniform(-1, 1) for n in g.inputs}
        _, grads = g(**point)
        table = g.explain(point)
        for name, grad in zip(g.wrt, grads):
            target = g.graph.grad_names[g.graph.ident(name)]
            total = sum(r.contribution for r in table.rows if r.target == target)
            assert total == pytest.approx(grad, rel=1e-12, abs=1e-15), (formula, name)
        for name, grad, numeric, err in table.final:
            assert err < 1e-6


def test_explain_cli_table(capsys):
    assert main(["explain", CS231N, "--at", "x=3,y=-4"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["#", "line", "from"]
    assert out[1].split()[1:3] == ["dnum", "="] and out[9].split()[1:3] == ["dx", "+="]
    assert out[-2].startswith("d/dy") and out[-1].startswith("d/dx")


def test_notebook_display_without_optional_packages(monkeypatch):
    monkeypatch.setitem(sys.modules, "pygments", None)
    monkeypatch.setattr(picture.shutil, "which", lambda name: None)
    html = compiler.compile("x*y")._repr_html_()
    assert "def f_and_grad" in html and "digraph" in html


def test_source_map_links_backward_lines_to_stages_and_user_lines():
    g = compiler.compile(CS231N)
    lines = g.source.splitlines()
    entries = g.source_map
    assert [e["target"] for e in entries][:3] == ["dnum", "dinvden", "dden"]
    for e in entries:
        code = lines[e["line"] - 1]
        assert code.strip().startswith(e["target"])
        assert code.endswith("# " + e["stage"])         # the emitted comment is the same link
    user = CS231N.splitlines()
    dden = next(e for e in entries if e["target"] == "dden")
    assert user[dden["user_line"] - 1].startswith("invden = 1 / den")


def test_docs_picture_is_current():
    """docs/cs231n_graph.png is rendered from docs/cs231n_graph.dot; the DOT must match what bpc draws now."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    dot = compiler.compile(CS231N).graph(at={"x": 3.0, "y": -4.0}).dot
    assert (root / "docs" / "cs231n_graph.dot").read_text(encoding="utf-8") == dot
    assert (root / "docs" / "cs231n_graph.png").read_bytes()[:4] == b"\x89PNG"
