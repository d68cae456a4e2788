"""Emit: wrap printed statements in a target's Jinja template -> module source text."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import jinja2

from . import __version__
from .backward import Stmt
from .graph import Graph
from .naming import entry_name
from .printers import PRINTERS, SIMULATOR_MATH
from .runtime import templates_dir

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


def emit(graph: Graph, forward: list[Stmt], backward: list[Stmt], wrt: tuple[str, ...],
         options: Options | str = Options()) -> str:
    """Render the module. ``wrt`` and ``options.params`` hold identifiers from ``graph.idents``."""
    if isinstance(options, str):
        options = Options(target=options)
    if options.target not in PRINTERS:
        raise ValueError(f"unknown target {options.target!r}")
    printer = PRINTERS[options.target]()
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
    template = environment().get_template(f"{options.target}.py.j2")
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


def entry_of(graph: Graph) -> str:
    taken = set(graph.idents) | {s.name for s in graph.stages} | set(graph.grad_names.values())
    return entry_name(graph.output, taken)


def emit_matrix(program, forward: list[Stmt], backward: list[Stmt], grad_shapes: dict, wrt: tuple[str, ...],
                target: str) -> str:
    """Render a matrix program's module (numpy or numba): shapes in the comments."""
    from .mbackward import grad_names
    from .mparse import fmt
    from .mprinters import MATRIX_PRINTERS

    if target not in MATRIX_PRINTERS:
        raise ValueError(f"unknown matrix target {target!r}")
    shapes = {**program.shapes, **{s.name: s.shape for s in program.stages}, **grad_shapes}
    printer = MATRIX_PRINTERS[target](shapes)
    names = grad_names(program)
    grads = [names[w] for w in wrt]
    printer.prepare(forward + backward, [program.output, *grads])
    stage = {s.name: s for s in program.stages}
    forward_code = [printer.stmt(s) for s in forward]
    forward_notes = [fmt(stage[s.target].shape) for s in forward]
    backward_code = [printer.stmt(s) for s in backward]
    notes = [f"{fmt(shapes[s.target])}  " + (str(stage[s.stage]) if s.stage else "does not reach the output")
             for s in backward]
    taken = set(program.inputs) | set(stage) | set(names.values())
    from .naming import entry_name

    template = environment().get_template("matrix.py.j2")
    return template.render(
        title=f"Value of {program.output} and its gradient with respect to {', '.join(wrt) or 'nothing'}.",
        version=__version__,
        target=target,
        numba=target == "numba",
        shapes_doc=", ".join(f"{n} {fmt(program.shapes[n])}" for n in program.inputs),
        inputs=repr(tuple(program.inputs)),
        wrt=repr(tuple(wrt)),
        shapes=repr({n: program.shapes[n] for n in program.inputs}),
        labels=repr(tuple(sorted(program.labels))),
        entry=entry_name(program.output, taken),
        helpers=[printer.helpers[k] for k in sorted(printer.helpers)],
        args=list(program.inputs),
        doc=f"Return {program.output} and the tuple ({', '.join(grads)}) at the given arrays.",
        forward=_aligned(forward_code, forward_notes),
        backward=_aligned(backward_code, notes),
        output=program.output,
        grads=grads,
    )
