"""``GradFunction``: a thin callable over a loaded module and the pipeline's parts.

Calling it binds the arguments (``calling.py``) and calls the module's entry function; every
other attribute (the graph, the source map, explain, pictures, memory, PTX) is computed on
demand from the same request, so a module loaded from the cache costs nothing until asked.
"""
from __future__ import annotations

from ..errors import BpcError
from ..progress import step
from . import calling


def _has_dask(args, kwargs) -> bool:
    """Whether any argument is a Dask collection (looked up by module, so Dask is never imported here)."""
    return any(type(a).__module__.split(".")[0] == "dask" for a in (*args, *kwargs.values()))


def _deep(run, depth=100_000, stack=1 << 29):
    """``run()`` on a thread with a 512 MB stack and a raised recursion limit. Numba's parfor pass
    recurses once per link of a long ``+`` chain: a 1000-term sum overflows Python's default limit
    on the first call (measured: compiles in about 110 CPU seconds with this room)."""
    import sys
    import threading

    box: dict = {}

    def target():
        try:
            box["result"] = run()
        except BaseException as err:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = err

    old_limit, old_stack = sys.getrecursionlimit(), threading.stack_size()
    sys.setrecursionlimit(max(old_limit, depth))
    try:
        threading.stack_size(stack)
        thread = threading.Thread(target=target, name="bpc-deep-compile")
        thread.start()
    finally:
        threading.stack_size(old_stack)
    thread.join()
    sys.setrecursionlimit(old_limit)
    if "error" in box:
        raise box["error"]
    return box["result"]


class GradFunction:
    """A compiled formula: ``value, grads = g(*inputs)``, grads ordered like ``g.wrt``."""

    def __init__(self, module, source_obj, request, path, limits, graph=None):
        self._module = module
        self._fn = getattr(module, module.ENTRY)
        self.inputs: tuple[str, ...] = tuple(module.INPUTS)
        self.wrt: tuple[str, ...] = tuple(module.WRT)
        self.params: tuple[str, ...] = tuple(module.PARAMS)
        self.request = request
        self.reduce = request.reduce
        self.stable = request.stable
        self.target = request.target
        self.shapes = request.shapes        # array programs: the input shapes given to compile()
        self.path = path
        self._source_obj = source_obj
        self._limits = limits
        self._graph = graph
        self._called = False
        # second order: "jvp" | "hvp" | "hessian" (None: a gradient module); the direction's inputs
        self.mode = getattr(module, "MODE", None)
        self.directions: tuple[str, ...] = tuple(getattr(module, "DIRECTIONS", ()))

    @property
    def source(self) -> str:
        """The emitted module, as text."""
        return self._module.__bpc_source__

    def _staged(self):
        """The ``ir.Graph`` (rebuilt from the source when the module came from the cache)."""
        if self._graph is None:
            from ..pipeline import build_graph

            self._graph = build_graph(self._source_obj, self._limits, self.stable, self.shapes, self.target,
                                      self.request.inputs)
        return self._graph

    @property
    def graph(self):
        """The staged forward graph; call it for a picture: ``g.graph(at={"x": 3, "y": -4}).save("graph.svg")``."""
        from ..picture import Drawable

        return Drawable(self._staged(), self.wrt)

    def memory(self, **sizes):
        """Bytes for prediction vs training (see ``compiler.memory``): array programs at their named
        sizes (``g.memory(h=256, n=128)``), scalar programs at ``points`` values per stage."""
        from ..memory import report

        return report(self._staged(), self.wrt, sizes)

    def explain(self, at: dict):
        """CS231n's walk through the backward pass at ``at``: see ``compiler.explain``."""
        from ..explain import explain

        return explain(self, at)

    @property
    def source_map(self) -> list[dict]:
        """Each backward line of ``source``: its line number, the forward stage it comes from and,
        for staged programs, the user's line that defined that stage."""
        from ..autodiff import backward
        from ..emit import source_map

        graph = self._staged()
        return source_map(self.source, graph, backward(graph, tuple(graph.ident(n) for n in self.wrt)))

    def _repr_html_(self) -> str:
        """Jupyter: the emitted source, highlighted when Pygments is installed, and the graph."""
        import html

        try:
            from pygments import highlight
            from pygments.formatters import HtmlFormatter
            from pygments.lexers import PythonLexer

            code = highlight(self.source, PythonLexer(), HtmlFormatter(noclasses=True))
        except ImportError:
            code = f"<pre>{html.escape(self.source)}</pre>"
        return f"<div><b>{html.escape(repr(self))}</b>{code}{self.graph()._repr_html_()}</div>"

    @property
    def kernel(self):
        """The Numba dispatcher (numba and cuda targets), e.g. for ``g.kernel.stats``; for an array
        program on numba, the @njit function of one point's statements."""
        if self.target == "numba" and self.shapes is not None:
            return self._module._body
        return getattr(self._module, "_kernel", None)

    def check(self, points: int = 5, seed: int = 0, low: float = -1.0, high: float = 1.0, tol: float = 1e-6,
              sizes: dict | None = None):
        """The gradient against central finite differences at random points (see ``compiler.check``);
        array programs: random arrays of the declared shapes, named sizes from ``sizes`` (default 3)."""
        from ..check import gradient_check

        return gradient_check(self, points=points, seed=seed, low=low, high=high, tol=tol, sizes=sizes)

    def ptx(self, cc=(8, 0)) -> str:
        """The CUDA kernel compiled to PTX for compute capability ``cc`` (cuda target; needs the
        CUDA compiler libraries, e.g. ``pip install numba-cuda[cu12]``, but no GPU)."""
        if self.target != "cuda":
            raise BpcError(f"ptx() is for the cuda target, not {self.target!r}")
        from numba import config, cuda

        if config.ENABLE_CUDASIM:
            raise BpcError("PTX needs Numba's CUDA compiler, but the CUDA simulator is on",
                           hint="unset NUMBA_ENABLE_CUDASIM in a fresh process")
        module = self._module
        try:
            text, _ = cuda.compile_ptx(module._kernel.py_func, module.SIGNATURE, cc=tuple(cc),
                                       fastmath=module.FASTMATH)
        except ImportError as err:      # numba-cuda's CudaSupportError, NvvmSupportError, NvrtcSupportError
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise BpcError(f"PTX needs the CUDA compiler libraries (NVVM, NVRTC), which were not found: {first}",
                           hint="pip install 'bpc[cuda]'") from None
        return text

    def torch(self):
        """This function as a PyTorch op: forward is the emitted forward, backward the emitted
        staged backward (see ``compiler.interop.torch``; needs ``pip install 'bpc[torch]'``)."""
        from ..interop.torch import wrap

        return wrap(self)

    def jax(self):
        """This function as a JAX function with a ``custom_vjp`` over the emitted kernels (see
        ``compiler.interop.jax``; needs ``pip install 'bpc[jax]'``)."""
        from ..interop.jax import wrap

        return wrap(self)

    def __call__(self, *args, out=None, **kwargs):
        if self.mode is not None:
            # jvp, hvp: v= is the direction (an input named v is then given by position)
            return self._second(args, kwargs, out, kwargs.pop("v", None) if self.mode != "hessian" else None)
        if "v" in kwargs and "v" not in self.inputs:
            raise BpcError("v= is the direction of a JVP or HVP: compile with jvp=True or hvp=True to pass one")
        if _has_dask(args, kwargs):     # Dask arrays in, Dask arrays out (compiler.interop.dask)
            from ..interop.dask import call

            return call(self, args, kwargs, out)
        values = calling.bind(self.inputs, args, kwargs)
        if self.shapes is None:
            calling.check_params(self.inputs, self.params, values)
        return self._call(lambda: calling.call(self, values, out))

    def _second(self, args, kwargs, out, v):
        """Second order: the inputs, then the direction's (jvp, hvp), through the module's entry."""
        values = calling.bind(self.inputs, args, kwargs)
        values += calling.direction(self.mode, self.wrt, v)
        names = self.inputs + self.directions
        shared = self.params + tuple(d for w, d in zip(self.wrt, self.directions) if w in self.params)
        if self.shapes is None:
            calling.check_params(names, shared, values)
        return self._call(lambda: calling.call(self, values, out, names, shared))

    def _call(self, run):
        """The first call on numba and cuda compiles the kernel (or loads it from Numba's cache): say
        so, and give Numba's recursive passes room on very long kernels (see ``_deep``)."""
        if self._called or self.target not in ("numba", "cuda"):
            return run()
        with step(f"{self.target}: first call (Numba compiles the kernel, or loads it from its cache)"):
            try:
                result = run()
            except RecursionError:
                result = _deep(run)
        self._called = True
        return result

    def __repr__(self) -> str:
        if self.mode is not None:
            what = {"jvp": "directional derivative", "hvp": "Hessian-vector product", "hessian": "Hessian"}[self.mode]
            return f"<bpc {self.target} {what} of {self._module.ENTRY.rsplit('_', 1)[0]} w.r.t. {', '.join(self.wrt)}>"
        return f"<bpc {self.target} gradient of {self._module.ENTRY[:-len('_and_grad')]} w.r.t. {', '.join(self.wrt)}>"
