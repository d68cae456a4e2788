"""CS231n-style pictures of the staged graph: variables as boxes, operations as circles,
inputs on the left, the output on the right; each edge carries the forward value
(green) and the gradient flowing back along it (red), optionally the local gradient.

The picture is Graphviz DOT text; ``dot`` (Graphviz) renders it to SVG or PNG.
"""
from __future__ import annotations

import html
import shutil
import subprocess

import numpy as np
import sympy as sp

from .errors import BpcError

GREEN, RED, GREY = "darkgreen", "red3", "grey40"
SYMBOL = {"add": "+", "sub": "−", "mul": "×", "div": "÷", "neg": "−x", "recip": "1/x", "copy": "=",
          "powi": "**", "powc": "**", "pow": "**", "abs": "abs"}


def _num(v) -> str:
    """A number as ``.3g``; an array as its shape and Frobenius norm."""
    if np.ndim(v):
        return f"{'x'.join(map(str, np.shape(v)))} |{float(np.linalg.norm(v)):.3g}|"
    return f"{float(v):.3g}"


def _html(*parts) -> str:
    return "<" + "<br/>".join(parts) + ">"


def _font(color: str, text: str) -> str:
    return f'<font color="{color}">{html.escape(text)}</font>'


def to_dot(graph, trace=None, local: bool = False, max_stages: int = 200) -> tuple[str, int]:
    """DOT text for ``graph`` (values and gradients from ``trace`` when given); returns (text, hidden stages)."""
    stages = list(graph.stages)
    hidden = max(0, len(stages) - max_stages)
    shown = stages[hidden:]
    shown_names = {s.name for s in shown}
    values = trace.values if trace is not None else {}
    edge_info: dict[tuple[str, int], tuple] = {}
    if trace is not None:
        per_stage: dict[str, list] = {}
        for stmt, row in zip(trace.backward, trace.contributions):
            if stmt.stage is not None:
                per_stage.setdefault(stmt.stage, []).append((stmt, row))
        for stage in shown:
            items = iter(per_stage.get(stage.name, []))
            current = next(items, None)
            for k, arg in enumerate(stage.args):
                if current is not None and isinstance(arg, sp.Symbol) and \
                        graph.grad_names[arg.name] == current[0].target:
                    edge_info[(stage.name, k)] = current[1]
                    current = next(items, None)

    def box_label(name: str) -> str:
        parts = [html.escape(name)]
        if name in values:
            parts.append(_font(GREEN, _num(values[name])))
        grad = graph.grad_names.get(name)
        if grad in values:
            parts.append(_font(RED, _num(values[grad])))
        elif name == graph.output and values:
            parts.append(_font(RED, "1"))        # the seed: d(output)/d(output)
        return _html(*parts)

    lines = ["digraph bpc {", '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=11];',
             '  edge [fontname="Helvetica", fontsize=10];']
    if hidden:
        lines.append(f'  hidden [shape=note, label="{hidden} earlier stages not shown"];')
    boxes = set()

    def box(name: str, extra: str = "") -> str:
        node = f'"v:{name}"'
        if name not in boxes:
            boxes.add(name)
            lines.append(f"  {node} [shape=box, label={box_label(name)}{extra}];")
        return node

    for name in graph.idents:
        box(name)
    constant = 0
    for stage in shown:
        op_node = f'"op:{stage.name}"'
        symbol = SYMBOL.get(stage.op, stage.op)
        if stage.op == "powi":
            symbol = f"**{stage.args[1]}"
        lines.append(f'  {op_node} [shape=circle, label="{html.escape(symbol)}"];')
        for k, arg in enumerate(stage.args):
            if stage.op in ("powi", "powc") and k == 1:
                continue
            if isinstance(arg, sp.Symbol):
                src = box(arg.name)
                if arg.name not in shown_names and arg.name not in graph.idents and hidden:
                    lines.append(f"  hidden -> {src} [style=dotted];")
            else:
                constant += 1
                src = f'"c:{constant}"'
                lines.append(f'  {src} [shape=plaintext, label="{html.escape(str(arg))}"];')
            label = ""
            info = edge_info.get((stage.name, k))
            if isinstance(arg, sp.Symbol) and arg.name in values:
                parts = [_font(GREEN, _num(values[arg.name]))]
                if info is not None:
                    parts.append(_font(RED, _num(info[0])))
                    if local and info[1] is not None:
                        parts.append(_font(GREY, "local " + _num(info[1])))
                label = f", label={_html(*parts)}"
            lines.append(f"  {src} -> {op_node} [{label.lstrip(', ')}];" if label else f"  {src} -> {op_node};")
        out = box(stage.name, ", peripheries=2" if stage.name == graph.output else "")
        lines.append(f"  {op_node} -> {out};")
    lines.append("}")
    return "\n".join(lines) + "\n", hidden


def render(dot_text: str, fmt: str) -> bytes:
    """Run Graphviz's ``dot`` to make ``svg`` or ``png``."""
    exe = shutil.which("dot")
    if exe is None:
        raise BpcError(f"rendering .{fmt} needs Graphviz's 'dot' program, which is not installed",
                       hint="install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz) "
                            "or write a .dot file")
    done = subprocess.run([exe, f"-T{fmt}"], input=dot_text.encode("utf-8"), capture_output=True, timeout=120)
    if done.returncode != 0:
        raise BpcError(f"Graphviz failed: {done.stderr.decode(errors='replace').strip().splitlines()[-1:]}")
    return done.stdout


class Drawable:
    """A staged graph that draws itself when called: ``g.graph(at={"x": 3, "y": -4}).save("graph.svg")``.

    Attributes are the ``ir.Graph``'s (``stages``, ``inputs``, ``output`` ...)."""

    def __init__(self, graph, wrt=None):
        self.graph = graph
        self._wrt = wrt

    def __getattr__(self, name):
        return getattr(self.graph, name)

    def __str__(self) -> str:
        return str(self.graph)

    def __call__(self, at: dict | None = None, local: bool = False, max_stages: int = 200, wrt=None) -> "Picture":
        """A CS231n-style picture of the graph; with ``at`` (input name -> number), forward values
        in green and gradients in red on every edge (``local``: local gradients too)."""
        from .explain import trace

        wrt = wrt if wrt is not None else self._wrt
        text, hidden = to_dot(self.graph, trace(self.graph, at, wrt) if at is not None else None, local, max_stages)
        return Picture(text, hidden)


class Picture:
    """A rendered-on-demand picture of the graph: ``.dot``, ``.svg()``, ``.png()``, ``.save(path)``."""

    def __init__(self, dot_text: str, hidden: int = 0):
        self.dot = dot_text
        self.hidden = hidden

    def svg(self) -> str:
        return render(self.dot, "svg").decode("utf-8")

    def png(self) -> bytes:
        return render(self.dot, "png")

    def save(self, path) -> None:
        path = str(path)
        fmt = path.rsplit(".", 1)[-1].lower() if "." in path else ""
        if fmt == "dot":
            data = self.dot.encode("utf-8")
        elif fmt in ("svg", "png"):
            data = render(self.dot, fmt)
        else:
            raise BpcError(f"cannot tell the picture format from {path!r}", hint="use a .svg, .png or .dot file name")
        with open(path, "wb") as handle:
            handle.write(data)

    def _repr_html_(self) -> str:
        try:
            return self.svg()
        except BpcError:
            return f"<pre>{html.escape(self.dot)}</pre>"

    def __repr__(self) -> str:
        return f"<bpc graph picture: {self.dot.count(' -> ')} edges{f', {self.hidden} stages hidden' if self.hidden else ''}>"
