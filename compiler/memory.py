"""Memory report: why training needs more memory than prediction.

d2l's point: prediction can drop each intermediate as soon as the next stages have read it;
training keeps every intermediate the backward pass reads until that pass has used it. This
walks the emitted statements in order with concrete sizes and counts live bytes (float64;
inputs and parameters are not counted, since both cases hold them). Array programs take their
named sizes; a scalar program on arrays of points (numpy target) takes ``points``, the number of
points every stage holds one value for.
"""
from __future__ import annotations

from dataclasses import dataclass

from .autodiff import backward, forward, grad_shapes
from .errors import BpcError
from .ir import fmt


@dataclass
class MemoryReport:
    saved: list            # (name, shape, bytes) of intermediates the backward pass reads
    prediction_bytes: int  # peak of live intermediates, forward pass only
    training_bytes: int    # peak of live intermediates and gradients, forward + backward

    def __str__(self) -> str:
        lines = ["intermediates saved for the backward pass:"]
        lines += [f"  {name:12s} {fmt(shape):16s} {size:>14,d} bytes" for name, shape, size in self.saved]
        lines.append(f"prediction (forward only), peak: {self.prediction_bytes:>14,d} bytes")
        lines.append(f"training (forward + backward), peak: {self.training_bytes:>10,d} bytes")
        return "\n".join(lines)


def _bytes(shape, sizes) -> int:
    n = 8
    for d in shape:
        if isinstance(d, str):
            if d not in sizes:
                raise BpcError(f"memory(): give the size {d!r}", hint=f"e.g. memory({d}=256)")
            n *= int(sizes[d])
        else:
            n *= d
    return n


def _peak(stmts, size_of, keep) -> int:
    """Walk statements; a name lives from its first assignment to its last read (``keep``: to the end)."""
    last = {}
    for i, s in enumerate(stmts):
        for sym in s.expr.free_symbols:
            last[str(sym)] = i
    live, peak = {}, 0
    for i, s in enumerate(stmts):
        if s.target not in live and s.target in size_of:
            live[s.target] = size_of[s.target]
        peak = max(peak, sum(live.values()))
        for name in [n for n in live if last.get(n, -1) <= i and n not in keep]:
            del live[name]
    return peak


def report(graph, wrt, sizes) -> MemoryReport:
    """``wrt``: the user's input names; ``sizes``: named sizes (array programs) or ``points``."""
    idents = tuple(graph.ident(w) for w in wrt)
    fwd = forward(graph)
    bwd = backward(graph, idents)
    shapes = {**{s.name: s.shape for s in graph.stages}, **grad_shapes(graph)}
    if not graph.arrays:           # a scalar program: every stage holds one value per point
        unknown = sorted(set(sizes) - {"points"})
        if unknown:
            raise BpcError(f"memory(): {unknown[0]!r} is not a size of this scalar program",
                           hint="give points=N, the number of points each stage holds a value for")
        shapes = {name: ("points",) for name in shapes}
        sizes = {"points": sizes.get("points", 1)}
    size_of = {name: _bytes(shape, sizes) for name, shape in shapes.items() if name not in graph.idents}
    read_back = {str(sym) for s in bwd for sym in s.expr.free_symbols}
    saved = [(s.name, shapes[s.name], size_of[s.name]) for s in graph.stages if s.name in read_back]
    outputs = {graph.output} | {graph.grad_names[i] for i in idents}
    prediction = _peak(fwd, size_of, {graph.output})
    training = _peak(fwd + bwd, size_of, outputs)
    return MemoryReport(saved, prediction, training)
