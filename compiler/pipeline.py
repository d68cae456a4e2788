"""The pipeline in one place: a request's options checked, then source -> program -> graph ->
statements -> module text, without touching the cache (``runtime`` adds that).

    frontend.read      source -> ir.Program (stable rewrites applied)
    naming.build       ir.Program -> ir.Graph (every name given)
    autodiff           ir.Graph -> forward and backward ir.Stmt lists
    emit               statements -> module text through the target's template
"""
from __future__ import annotations

from . import autodiff, frontend, naming
from .emit import Options, emit
from .errors import BpcError
from .ir import Graph, Stmt
from .progress import step
from .request import Request
from .targets import get

def build_graph(source, limits=None, stable=True, shapes=None, target="python", inputs=None) -> Graph:
    """parse -> (stable rewrites) -> named staged graph, its names clear of the target's own;
    ``inputs``: the order the compiled function takes its inputs in (default: first appearance)."""
    with step("parse"):
        program = frontend.order_inputs(frontend.read(source, limits, shapes, stable), inputs)
    with step("name the stages"):
        return naming.build(program, get(target).reserved())


def resolve(graph: Graph, request: Request) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The identifiers of ``wrt`` (default: every input; array programs: all but cross-entropy's
    targets) and of ``params``, checked against the inputs."""
    wrt = request.wrt
    if wrt is None:
        data = {s.args[1].name for s in graph.stages if s.op == "cross_entropy" and hasattr(s.args[1], "name")}
        wrt = tuple(n for n in graph.inputs if graph.ident(n) not in data)
    for what, names in (("wrt", wrt), ("params", request.params)):
        for name in names:
            if name not in graph.inputs:
                raise BpcError(f"{what} names {name!r}, which is not an input",
                               hint=f"inputs are: {', '.join(graph.inputs) or '(none)'}")
    if len(set(wrt)) != len(wrt):
        raise BpcError(f"wrt lists a name twice: {', '.join(wrt)}")
    return tuple(graph.ident(n) for n in wrt), tuple(graph.ident(p) for p in request.params)


def statements(graph: Graph, wrt_idents: tuple[str, ...]) -> tuple[list[Stmt], list[Stmt]]:
    """The forward and backward statements of ``graph`` for the gradient w.r.t. ``wrt_idents``."""
    return autodiff.forward(graph), autodiff.backward(graph, wrt_idents)


def generate(source, wrt=None, target="python", limits=None, params=(), reduce=None,
             fastmath=False, parallel=True, dtype="float64", stable=True, shapes=None, inputs=None, math=None,
             request=None, second=None):
    """Run the pipeline without touching the cache: returns (module text, graph); ``second``:
    "jvp", "hvp" or "hessian" adds that tangent sweep (see ``compiler.tangent``)."""
    request = request or Request.make(target, wrt, params, reduce, fastmath, parallel, dtype, stable, shapes, inputs,
                                      math, second)
    graph = build_graph(source, limits, request.stable, request.shapes, request.target, request.inputs)
    wrt_idents, param_idents = resolve(graph, request)
    with step("reverse sweep"):
        fwd, bwd = statements(graph, wrt_idents)
    sweep = None
    if request.second is not None:
        from . import tangent

        with step("tangent sweep"):
            sweep = tangent.build(request.second, graph, fwd, bwd, wrt_idents)
    options = Options(request.target, param_idents, request.reduce, request.fastmath, request.parallel, request.dtype,
                      request.math)
    with step(f"emit the {request.target} module"):
        return emit(graph, fwd, bwd, wrt_idents, options, sweep), graph
