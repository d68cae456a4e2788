"""Emit: printed statements in a target's Jinja template -> module source text.

The target plugin gives the printer and the template; this module fills the template's
variables (names, printed lines with their comments, the kernel's arguments) and renders it.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import jinja2

from . import __version__
from .autodiff import grad_shapes
from .ir import Graph, Stmt, fmt
from .naming import entry_name
from .resources import templates_dir
from .targets import get
from .targets.cuda import SIMULATOR_MATH


@dataclass(frozen=True)
class Options:
    """How to emit: the target, shared parameters and reduction, and Numba's switches."""

    target: str = "python"
    params: tuple[str, ...] = ()     # identifiers of inputs shared by every point (scalars)
    reduce: str | None = None        # None | "sum" | "mean" over points
    fastmath: bool = False           # numba and cuda
    parallel: bool = True            # numba only
    dtype: str = "float64"           # numba and cuda: "float64" | "float32"


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


def entry_of(graph: Graph) -> str:
    taken = set(graph.idents) | {s.name for s in graph.stages} | set(graph.grad_names.values())
    return entry_name(graph.output, taken)


def emit(graph: Graph, forward: list[Stmt], backward: list[Stmt], wrt: tuple[str, ...],
         options: Options | str = Options()) -> str:
    """Render the module. ``wrt`` and ``options.params`` hold identifiers from ``graph.idents``."""
    if isinstance(options, str):
        options = Options(target=options)
    if graph.arrays:
        return _emit_arrays(graph, forward, backward, wrt, options.target)
    target = get(options.target)
    printer = target.printer_for(graph)
    grads = [graph.grad_names[name] for name in wrt]
    printer.prepare(forward + backward, [graph.output, *grads])
    stage_text = {stage.name: str(stage) for stage in graph.stages}
    forward_code = [printer.stmt(s) for s in forward]
    # where the target spells a stage differently (sigmoid, softplus...), say what it computes
    forward_notes = [str(stage).split(" = ", 1)[1] if str(stage) != code else None
                     for stage, code in zip(graph.stages, forward_code)]
    backward_code = [printer.stmt(s) for s in backward]
    user = dict(zip(graph.idents, graph.inputs))
    owner = {g: name for name, g in graph.grad_names.items()}
    notes = [stage_text.get(s.stage) if s.stage else f"{user[owner[s.target]]} does not reach {graph.output}"
             for s in backward]
    wrt_users = tuple(user[w] for w in wrt)
    params = [p for p in graph.idents if p in options.params]
    points = [p for p in graph.idents if p not in options.params]
    # which results are summed over points: the value and the parameters' gradients
    reduced = [bool(options.reduce)] + [bool(options.reduce) and w in params for w in wrt]
    results = [graph.output, *grads]
    kernel_args, kernel_types = _kernel_args(points, params, reduced, options)
    template = environment().get_template(target.template)
    return template.render(
        title=f"Value of {graph.output} and its gradient with respect to {', '.join(wrt_users) or 'nothing'}.",
        version=__version__,
        imports=sorted(printer.imports),
        helpers=[printer.helpers[k] for k in sorted(printer.helpers)],
        inputs=repr(tuple(graph.inputs)),
        wrt=repr(wrt_users),
        params=repr(tuple(user[p] for p in params)),
        reduce=repr(options.reduce),
        entry=entry_of(graph),
        signature=", ".join(graph.idents),
        args=list(graph.idents),
        param_args=params,
        point_args=points,
        doc=f"Return {graph.output} and the tuple ({', '.join(grads)}) at the given inputs.",
        forward=_aligned(forward_code, forward_notes),
        backward=_aligned(backward_code, notes),
        output=graph.output,
        grads=grads,
        results=list(zip(results, reduced)),
        mean=options.reduce == "mean",
        fastmath=options.fastmath,
        parallel=options.parallel,
        dtype=options.dtype,
        point_inputs=repr(tuple(user[p] for p in points)),
        sums=sum(reduced),
        kernel_args=kernel_args,
        signature_types=f"void({', '.join(kernel_types)})",
        simulator_math=[f"{name[5:]}={SIMULATOR_MATH[name]}" for name in sorted(getattr(printer, "math", ()))],
    )


def _kernel_args(points, params, reduced, options: Options):
    """The compiled kernel's arguments and their Numba types (numba and cuda templates)."""
    array, scalar = f"{options.dtype}[::1]", options.dtype
    args = [(f"_a{i}", array) for i in range(len(points))] + [(p, scalar) for p in params]
    args += [(f"_o{i}", array) for i in range(reduced.count(False))]
    if any(reduced) and options.target == "cuda":
        args.append(("_sums", "float64[::1]"))
    args.append(("_n", "int64"))
    if options.reduce == "mean":
        args.append(("_scale", "float64"))
    return [a for a, _ in args], [t for _, t in args]


def _emit_arrays(graph: Graph, forward: list[Stmt], backward: list[Stmt], wrt: tuple[str, ...], target_name: str) -> str:
    """Render an array program's module (numpy or numba): shapes in the comments."""
    target = get(target_name)
    shapes = {**graph.all_shapes(), **grad_shapes(graph)}
    printer = target.printer_for(graph, shapes)
    grads = [graph.grad_names[w] for w in wrt]
    printer.prepare(forward + backward, [graph.output, *grads])
    stage = {s.name: s for s in graph.stages}
    forward_code = [printer.stmt(s) for s in forward]
    forward_notes = [fmt(stage[s.target].shape) for s in forward]
    backward_code = [printer.stmt(s) for s in backward]
    notes = [f"{fmt(shapes[s.target])}  " + (str(stage[s.stage]) if s.stage else "does not reach the output")
             for s in backward]
    user = dict(zip(graph.idents, graph.inputs))
    numba = target_name == "numba"
    template = environment().get_template(target.array_template)
    return template.render(
        title=f"Value of {graph.output} and its gradient with respect to {', '.join(user[w] for w in wrt) or 'nothing'}.",
        version=__version__,
        target=target_name,
        numba=numba,
        shapes_doc=", ".join(f"{n} {fmt(graph.shapes[i])}" for n, i in zip(graph.inputs, graph.idents)),
        inputs=repr(tuple(graph.inputs)),
        wrt=repr(tuple(user[w] for w in wrt)),
        shapes=repr({n: graph.shapes[i] for n, i in zip(graph.inputs, graph.idents)}),
        labels=repr(tuple(sorted(user[i] for i in graph.labels))),
        entry=entry_of(graph),
        helpers=[printer.helpers[k] for k in sorted(printer.helpers)],
        args=list(graph.idents),
        doc=f"Return {graph.output} and the tuple ({', '.join(grads)}) at the given arrays.",
        forward=_aligned(forward_code, forward_notes),
        backward=_aligned(backward_code, notes),
        output=graph.output,
        grads=grads,
    )
