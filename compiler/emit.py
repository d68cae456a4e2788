"""Emit: printed statements in a target's Jinja template -> module source text.

The target plugin gives the printer and the template (a leaf of ``templates/base.py.j2``);
this module prints the statements, lines up their comments (the forward stage each backward
line comes from) and fills the template's variables. Templates hold only scaffolding.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import jinja2

from .version import __version__
from .autodiff import grad_shapes
from .ir import Graph, Stmt, fmt
from .naming import entry_name
from .resources import templates_dir
from .targets import get
from .targets.cuda import simulator_lines

_STDLIB = {"math", "os", "types", "warnings"}
# math="auto": compiler.vecmath for kernels of up to this many stages, libm beyond. Measured on an
# AVX-512 EPYC (benchmarks/results/kernels.md): vecmath kernels of up to ~170 stages run 2-3x faster
# than libm's, but a bigger one compiled in the same process ran 2.5x slower than libm (F5, 263
# stages: 1313 vs 516 ns/point) while the same kernel loaded from Numba's cache in a new process
# ran 2.3x faster (225 ns/point): LLVM did not inline the vector functions into the big loop.
VECMATH_MAX_STAGES = 128


def _auto_math(graph: Graph, options) -> str:
    """math="auto": compiler.vecmath where LLVM vectorises the loop, else libm. vecmath pays off only
    in vector code (branch-free, it computes every path); a loop that sums over points without
    fastmath stays scalar (float sums must keep their order), and beyond about 128 stages LLVM
    stops inlining the vecmath calls into the parallel loop (F5: 1313 vs 516 ns per point; the
    reduced oscillator: 65 vs 28 ns per point, and 11 with fastmath=True)."""
    if options.reduce and not options.fastmath:
        return "libm"
    return "vecmath" if len(graph.stages) <= VECMATH_MAX_STAGES else "libm"


@dataclass(frozen=True)
class Options:
    """How to emit: the target, shared parameters and reduction, and Numba's switches."""

    target: str = "python"
    params: tuple[str, ...] = ()     # identifiers of inputs shared by every point (scalars)
    reduce: str | None = None        # None | "sum" | "mean" over points
    fastmath: bool = False           # numba and cuda
    parallel: bool = True            # numba only
    dtype: str = "float64"           # "float64" | "float32"
    math: str = "libm"               # numba kernels: "vecmath" (compiler.vecmath) | "libm" | "auto"


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


def import_block(lines) -> str:
    """Import lines grouped as PEP 8 asks (standard library, third party, bpc), ``from`` imports of
    one module merged, each group sorted."""
    plain, froms = set(), {}
    for line in lines:
        if line.startswith("from "):
            module, _, names = line[5:].partition(" import ")
            froms.setdefault(module, set()).update(n.strip() for n in names.split(","))
        else:
            plain.add(line)
    merged = list(plain) + [_from(m, sorted(ns, key=lambda n: n.split(" as ")[0])) for m, ns in froms.items()]

    def group(line):
        top = line.split()[1].split(".")[0]
        return 0 if top in _STDLIB else 2 if top == "compiler" else 1

    groups = [sorted((ln for ln in merged if group(ln) == k), key=lambda ln: (ln.startswith("from"), ln.split()[1]))
              for k in range(3)]
    return "\n\n".join("\n".join(g) for g in groups if g)


def _from(module: str, names: list[str], width: int = 100) -> str:
    """``from module import a, b`` on one line, or wrapped in parentheses past ``width`` characters."""
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= width:
        return line
    rows, row = [], "   "
    for name in names:
        if len(row) + len(name) + 2 > width:
            rows.append(row)
            row = "   "
        row += f" {name},"
    return f"from {module} import (\n" + "\n".join(rows + [row]) + "\n)"


def entry_of(graph: Graph) -> str:
    taken = set(graph.idents) | {s.name for s in graph.stages} | set(graph.grad_names.values()) | graph.reserved
    return entry_name(graph.output, taken)


def _sweeps(forward_code, forward_notes, backward_code, backward_notes, arrays: bool, extra=(), backward=True) -> str:
    """The forward and backward statements with their comments, as the templates place them;
    ``extra``: further sections (header, code, comments), the tangent sweeps of second order."""
    header = "# backward pass" + (" (local gradient * upstream gradient)" if backward_code and not arrays else "")
    lines = ["# forward pass", *_aligned(forward_code, forward_notes)]
    if backward:
        lines += ["", header, *_aligned(backward_code, backward_notes)]
    for title, code, notes in extra:
        lines += ["", title, *_aligned(code, notes)]
    return "\n".join(lines)


def emit(graph: Graph, forward: list[Stmt], backward: list[Stmt], wrt: tuple[str, ...],
         options: Options | str = Options(), second=None) -> str:
    """Render the module. ``wrt`` and ``options.params`` hold identifiers from ``graph.idents``;
    ``second``: a ``tangent.Second`` (jvp, hvp, hessian) whose sweeps and results the module adds."""
    if isinstance(options, str):
        options = Options(target=options)
    if options.math == "auto":
        options = replace(options, math=_auto_math(graph, options))
    target = get(options.target)
    shapes = {**graph.all_shapes(), **grad_shapes(graph), **(second.shapes if second else {})} \
        if graph.arrays else None
    printer = target.printer_for(graph, shapes, options)
    grads = [graph.grad_names[name] for name in wrt]
    if second is not None:
        grads = list(second.results)            # the flat results after the value
        if second.mode == "jvp":
            backward = []
    extra_stmts = second.statements if second is not None else []
    printer.prepare(forward + backward + extra_stmts, [graph.output, *grads])
    forward_code = [printer.stmt(s) for s in forward]
    backward_code = [printer.stmt(s) for s in backward]
    extra = [(title, [printer.stmt(s) for s in stmts], notes) for title, stmts, notes in second.sections] \
        if second is not None else []
    user = dict(zip(graph.idents, graph.inputs))
    owner = {g: name for name, g in graph.grad_names.items()}
    stage_text = {stage.name: str(stage) for stage in graph.stages}
    if graph.arrays:
        forward_notes = [fmt(stage.shape) for stage in graph.stages]
        notes = [f"{fmt(shapes[s.target])}  " + (stage_text[s.stage] if s.stage else "does not reach the output")
                 for s in backward]
    else:
        # where the target spells a stage differently (sigmoid, softplus...), say what it computes
        forward_notes = [stage_text[stage.name].split(" = ", 1)[1] if stage_text[stage.name] != code else None
                         for stage, code in zip(graph.stages, forward_code)]
        notes = [stage_text.get(s.stage) if s.stage else f"{user[owner[s.target]]} does not reach {graph.output}"
                 for s in backward]
    wrt_users = tuple(user[w] for w in wrt)
    idents = list(graph.idents)
    shared = set(options.params)
    if second is not None:                     # the direction's inputs follow the user's
        idents += list(second.directions)
        shared |= {d for w, d in zip(wrt, second.directions) if w in options.params}
    params = [p for p in idents if p in shared]
    points = [p for p in idents if p not in shared]
    # which results are summed over points: the value and the parameters' gradients
    reduced = [bool(options.reduce)] + [bool(options.reduce) and w in params for w in wrt]
    if second is not None:
        reduced = [bool(options.reduce)] + _second_reduced(second, wrt, params, bool(options.reduce))
    kernel_args, kernel_types = _kernel_args(points, params, reduced, options)
    template = environment().get_template(target.array_template if graph.arrays else target.template)
    static = target.array_imports if graph.arrays else target.imports
    if second is not None:
        static += ("from compiler.host.second import " + ("flat_out as _flat_out, " if target.out or graph.arrays else "")
                   + "hessian as _hessian",) if second.mode == "hessian" or target.out or graph.arrays else ()
    if graph.arrays and (options.params or options.reduce):       # the loop over points
        static += _point_loop_imports(target.name)
    entry = entry_of(graph)
    public = entry
    if second is not None:
        taken = {*idents, *(s.name for s in graph.stages), *graph.grad_names.values(), *graph.reserved,
                 *(s.target for s in extra_stmts)}
        public = _free(f"{graph.output}_{second.mode}", taken)
        entry = _free(f"{public}_flat", taken | {public})
        user.update({d: d for d in second.directions})
    return template.render(
        title=_title(graph.output, wrt_users, second),
        version=__version__,
        target=target.name,
        arrays=graph.arrays,
        numba=target.name == "numba",
        imports=import_block([*static, *printer.imports]),
        inputs=repr(tuple(graph.inputs)),
        wrt=repr(wrt_users),
        params=repr(tuple(user[p] for p in params if p in graph.idents)),
        reduce=repr(options.reduce),
        entry=entry,
        public=public,
        signature=", ".join(idents),
        args=idents,
        param_args=params,
        point_args=points,
        doc=f"Return {graph.output} and the tuple ({', '.join(grads)}) at the given "
            f"{'arrays' if graph.arrays else 'inputs'}.",
        sweeps=_sweeps(forward_code, forward_notes, backward_code, notes, graph.arrays, extra,
                       second is None or second.mode != "jvp"),
        output=graph.output,
        grads=grads,
        results=list(zip([graph.output, *grads], reduced)),
        reduced=repr(tuple(reduced)),
        mean=options.reduce == "mean",
        fastmath=options.fastmath,
        parallel=options.parallel,
        dtype=options.dtype,
        point_inputs=repr(tuple(user[p] for p in points)),
        sums=sum(reduced),
        kernel_args=kernel_args,
        signature_types=f"void({', '.join(kernel_types)})",
        simulator=simulator_lines(getattr(printer, "math", ())),
        shapes_doc=", ".join(f"{n} {fmt(graph.shapes[i])}" for n, i in zip(graph.inputs, graph.idents))
        if graph.arrays else "",
        shapes=repr({**{n: graph.shapes[i] for n, i in zip(graph.inputs, graph.idents)},
                     **({d: shapes[d] for d in second.directions} if second else {})}) if graph.arrays else "",
        labels=repr(_label_classes(graph, user)),
        points=bool(options.params or options.reduce),
        **(_point_loop(_flat_owners(second, wrt, graph), reduced, graph, user) if graph.arrays else {}),
        **_second_vars(second, graph, wrt, user, public, entry, reduced, target),
    )


def _flat_owners(second, wrt, graph) -> list[str]:
    """The input (or, for a JVP, the output) each flat result is shaped like."""
    if second is None:
        return list(wrt)
    if second.mode == "jvp":
        return [graph.output]
    return list(wrt) * 2 if second.mode == "hvp" else list(wrt) + [wrt[j] for _, j in second.pairs]


def _free(name: str, taken) -> str:
    while name in taken:
        name += "_"
    return name


def _title(output, wrt_users, second) -> str:
    about = ", ".join(wrt_users) or "nothing"
    if second is None:
        return f"Value of {output} and its gradient with respect to {about}."
    return {"jvp": f"Value of {output} and its directional derivative along a direction in {about}.",
            "hvp": f"Value of {output}, its gradient and a Hessian-vector product with respect to {about}.",
            "hessian": f"Value of {output}, its gradient and its Hessian with respect to {about}."}[second.mode]


def _second_reduced(second, wrt, params, reduce: bool) -> list[bool]:
    """Which flat results of a second sweep are totals over points: what depends on parameters only."""
    shared = [w in params for w in wrt]
    if second.mode == "jvp":
        return [reduce]
    grads = [reduce and p for p in shared]
    if second.mode == "hvp":
        return grads + grads
    return grads + [reduce and shared[i] and shared[j] for i, j in second.pairs]


def _second_vars(second, graph, wrt, user, public, entry, reduced, target) -> dict:
    """The template variables of a second-order module (none for a gradient module)."""
    if second is None:
        return {"mode": None}
    n = len(wrt)
    if second.mode == "jvp":
        arranged, shape = "_value, _flat[0]", "(value, directional derivative)"
    elif second.mode == "hvp":
        arranged, shape = f"_value, _flat[:{n}], _flat[{n}:]", "(value, gradients, Hessian-vector product)"
    else:
        arranged, shape = f"_value, _flat[:{n}], _hessian(_flat[{n}:], {n}, out)", \
            "(value, gradients, Hessian as a tuple of rows)"
    directions = tuple(second.directions)
    return {
        "mode": second.mode,
        "mode_shape": shape,
        "arranged": arranged,
        "directions": repr(directions),
        "direction_doc": ", ".join(f"{d} for {user[w]}" for w, d in zip(wrt, directions)),
        "flat_reduced": repr(tuple(reduced)),
        "pairs": repr(tuple(second.pairs)),
        "takes_out": target.out or graph.arrays,
    }


def _label_classes(graph: Graph, user: dict) -> dict:
    """Each input holding integer class labels -> its number of classes (cross_entropy's class axis)."""
    every = graph.all_shapes()
    classes = {}
    for stage in graph.stages:
        if stage.op == "cross_entropy" and dict(stage.attrs).get("labels"):
            o, y = stage.args
            if y.name in user:
                classes[user[y.name]] = every[o.name][dict(stage.attrs)["axis"]]
    return dict(sorted(classes.items()))


def _point_loop_imports(target: str) -> tuple:
    """What an array program's loop over points imports: the numba target fills arrays in an @njit
    loop (compiler.host.arrays.buffers), the others call compiler.host.arrays.loop."""
    if target == "numba":
        return ("from compiler.host.arrays import buffers as _buffers, count as _count, totals as _totals",
                "from compiler.host.arrays_njit import add_into, chunk_count as _chunk_count, copy_into")
    return ("from compiler.host.arrays import count as _count" + ("" if target == "xp" else ", loop as _loop"),)


def _point_loop(owners: list[str], reduced: list[bool], graph: Graph, user: dict) -> dict:
    """The numba target's loop over points of an array program: for each result (the value, then
    each gradient) the statement that stores one point's result in its buffer (row _k of a chunk's
    total, or row _p of a per-point result), and the input whose shape it has (None: a number)."""
    stores, like = [], []
    for j, (owner, total) in enumerate(zip([None, *owners], reduced)):
        buffer, got = ("_v", "_value") if j == 0 else (f"_g{j - 1}", f"_grads[{j - 1}]")
        row = f"{buffer}[{'_k' if total else '_p'}]"
        if owner is not None and graph.shapes.get(owner, ()) != ():
            stores.append(f"{'add_into' if total else 'copy_into'}({row}, {got})")
            like.append(user.get(owner, owner))
        else:
            stores.append(f"{row} {'+=' if total else '='} {got}")
            like.append(None)
    return {"point_stores": stores, "shaped_like": repr(tuple(like)),
            "buffers": [f"_g{j}" for j in range(len(owners))]}


def source_map(text: str, graph: Graph, backward: list[Stmt]) -> list[dict]:
    """Each backward line of an emitted module: its line number (1-based), the forward stage it comes
    from and, for staged programs and functions, the user's line that defined that stage."""
    stages = {s.name: s for s in graph.stages}
    lines = text.splitlines()
    cursor = next((i for i, line in enumerate(lines) if line.strip().startswith("# backward pass")), None)
    if cursor is None:              # a JVP module: no backward pass
        return []
    entries = []
    for stmt in backward:
        op = "+=" if stmt.accumulate else "="
        while not lines[cursor].strip().startswith(f"{stmt.target} {op} "):
            cursor += 1
        stage = stages.get(stmt.stage)
        entries.append({"line": cursor + 1, "target": stmt.target, "accumulate": stmt.accumulate,
                        "stage": str(stage) if stage else None,
                        "user_line": stage.line if stage is not None and graph.kind != "formula" else None})
        cursor += 1
    return entries


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
