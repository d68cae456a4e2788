"""Runtime: cache emitted modules on disk under a content hash, load them, call them.

    cache.py      the content-hash disk cache (checksummed, atomic writes) and module loading
    function.py   GradFunction, the thin callable a user gets
    calling.py    argument binding and the python target's loop over points

The cache key is computed from the request (bpc's own code, the source text, target, wrt,
limits...), so a module already in the cache is loaded without parsing, generating or even
importing SymPy.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import BpcError, LimitError
from ..progress import step
from . import cache
from .function import GradFunction

_loaded: dict[tuple[str, str], GradFunction] = {}


def generate(*args, **kwargs):
    """The pipeline without the cache: (module text, graph); see ``compiler.pipeline.generate``."""
    from ..pipeline import generate as run

    return run(*args, **kwargs)


def compile(source, wrt=None, target="python", cache_dir=None, limits=None, params=(), reduce=None,  # noqa: A001
            fastmath=False, parallel=True, dtype="float64", stable=True, shapes=None, inputs=None,
            math=None, jvp=False, hvp=False, order=1) -> GradFunction:
    """Compile ``source`` (formula text, staged program, def function or SymPy expression).

    ``wrt``: input names to differentiate with respect to (default: every input,
    in order of first appearance). ``target``: ``"python"``, ``"numpy"``, ``"numba"`` or
    ``"cuda"``. ``params``: inputs that are scalars shared by every point;
    ``reduce``: ``"sum"`` or ``"mean"`` makes the value and the parameters'
    gradients totals over the points. ``fastmath``, ``parallel``, ``dtype``:
    Numba options. ``stable``: apply the numerically stable rewrites
    (``log(1 + exp(x))`` -> ``softplus(x)`` ...; ``False`` keeps the literal
    translation). ``cache_dir``: where emitted modules are kept (else
    ``$BPC_CACHE_DIR``, else the per-user cache directory). ``limits``: a
    ``compiler.Limits``. ``shapes``: makes ``source`` an array program whose inputs have these
    shapes (``{"W": ("h", "d"), "x": ("d", "n")}``; inputs not named are scalars). ``inputs``: the
    order the compiled function takes its inputs in (default: order of first appearance, or a
    ``def``'s parameters). ``dtype``: float64 (default) or float32, a string or a NumPy dtype.
    ``math``: the numba target's math library, ``"vecmath"`` (compiler.vecmath, which LLVM
    vectorises), ``"libm"`` (the C library's scalar functions) or ``"auto"`` (the default: vecmath
    for kernels of up to 128 stages, libm for bigger ones).
    Second order (see docs/second-order.md): ``jvp=True`` compiles ``f, df = j(*inputs, v=...)``,
    the directional derivative along ``v`` (one direction per ``wrt`` input, shaped like it);
    ``hvp=True`` compiles ``f, grads, Hv = h(*inputs, v=...)``; ``order=2`` compiles
    ``f, grads, H = g(*inputs)`` with ``H[i][j]`` the second derivative w.r.t. ``wrt[i]`` and ``wrt[j]``.
    """
    from ..request import Request, describe, second_mode

    try:
        if shapes is None and _is_matrix_sympy(source):
            from ..frontend import matrix_program

            source, shapes = matrix_program(source)
        request = Request.make(target, wrt, params, reduce, fastmath, parallel, dtype, stable, shapes, inputs, math,
                               second_mode(jvp, hvp, order))
        kind, text = describe(source)
        return _compile(source, kind, text, request, cache_dir, limits)
    except RecursionError:
        # bpc's own traversals are iterative; SymPy's are not (a SymPy expression thousands deep)
        raise LimitError("expression is nested too deeply to process",
                         hint="pass it as formula text or a staged program") from None


def _is_matrix_sympy(source) -> bool:
    if isinstance(source, (str, bytes)) or not hasattr(source, "atoms"):
        return False
    from ..frontend import is_matrix

    return is_matrix(source)


def _compile(source, kind, text, request, cache_dir, limits) -> GradFunction:
    key = cache.key([request.target, kind, text, repr(request.wrt), repr(limits), *request.key()[2:]])
    requested = Path(cache_dir) if cache_dir is not None else cache.default_cache_dir()
    memo_key = (str(requested), key)
    if memo_key in _loaded:          # already loaded in this process: no file system work at all
        return _loaded[memo_key]
    directory = cache.writable_dir(requested)
    name = f"bpc_{key}"
    path = directory / f"{name}.py" if directory is not None else None
    module_text = cache.read(path) if path is not None else None
    graph = None
    if module_text is None:
        module_text, graph = generate(source, limits=limits, request=request)
        file_text = cache.with_checksum(module_text)
        if path is not None and not cache.write_atomic(path, file_text):
            import warnings

            warnings.warn(f"bpc: could not write {path}; using the module from memory", RuntimeWarning, stacklevel=3)
            path = None
        if path is not None:         # only writes evict: a cache hit never scans the directory
            cache.evict_after_write(directory, cache.size_limit(), name, len(file_text.encode("utf-8")))
    with step("load the module"):
        try:
            module = cache.load(module_text, str(path) if path is not None else f"<bpc {name}>", name)
        except Exception:
            if path is None or path.exists():
                raise
            # another process evicted the file while Numba was setting up its cache beside it
            path = None
            module = cache.load(module_text, f"<bpc {name}>", name)
    result = GradFunction(module, source, request, path, limits, graph)
    _loaded[memo_key] = result
    return result


__all__ = ["compile", "generate", "GradFunction", "BpcError"]
