"""Emit: wrap printed statements in a target's Jinja template -> module source text."""
from __future__ import annotations

from functools import lru_cache
import jinja2

from . import __version__
from .backward import Stmt
from .graph import Graph
from .naming import entry_name
from .printers import PRINTERS
from .runtime import templates_dir

TARGETS = ("python", "numpy")


@lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


def _aligned(code: list[str], comments: list[str | None]) -> list[str]:
    """Code with trailing comments lined up in one column (capped, so one long line cannot push all)."""
    width = min(max((len(c) for c in code), default=0), 48)
    return [c if not note else f"{c.ljust(width)}  # {note}" for c, note in zip(code, comments)]


def emit(graph: Graph, forward: list[Stmt], backward: list[Stmt], wrt: tuple[str, ...], target: str) -> str:
    """Render the module for ``target``. ``wrt`` holds identifiers from ``graph.params``."""
    if target not in PRINTERS:
        raise ValueError(f"unknown target {target!r}")
    printer = PRINTERS[target]()
    grads = [graph.grad_names[name] for name in wrt]
    printer.prepare(forward + backward, [graph.output, *grads])
    stage_text = {stage.name: str(stage) for stage in graph.stages}
    forward_code = [printer.stmt(s) for s in forward]
    # where the target spells a stage differently (sigmoid, softplus...), say what it computes
    forward_notes = [str(stage).split(" = ", 1)[1] if str(stage) != code else None
                     for stage, code in zip(graph.stages, forward_code)]
    backward_code = [printer.stmt(s) for s in backward]
    user = dict(zip(graph.params, graph.inputs))
    notes = [stage_text.get(s.stage) if s.stage else f"{user[_grad_owner(graph, s.target)]} does not reach {graph.output}"
             for s in backward]
    entry = entry_of(graph)
    wrt_users = tuple(user[w] for w in wrt)
    template = environment().get_template(f"{target}.py.j2")
    return template.render(
        title=f"Value of {graph.output} and its gradient with respect to {', '.join(wrt_users) or 'nothing'}.",
        version=__version__,
        imports=sorted(printer.imports),
        helpers=[printer.helpers[k] for k in sorted(printer.helpers)],
        inputs=repr(tuple(graph.inputs)),
        wrt=repr(wrt_users),
        entry=entry,
        params=", ".join(graph.params),
        param_list=list(graph.params),
        doc=f"Return {graph.output} and the tuple ({', '.join(grads)}) at the given inputs.",
        forward=_aligned(forward_code, forward_notes),
        backward=_aligned(backward_code, notes),
        output=graph.output,
        grads=grads,
    )


def _grad_owner(graph: Graph, grad: str) -> str:
    return next(name for name, g in graph.grad_names.items() if g == grad)


def entry_of(graph: Graph) -> str:
    taken = set(graph.params) | {s.name for s in graph.stages} | set(graph.grad_names.values())
    return entry_name(graph.output, taken)
