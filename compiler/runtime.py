"""Runtime: cache emitted modules on disk under a content hash, load them, call them.

The cache key is computed from the request (bpc's own code, the source text,
target, wrt, limits), so a module already in the cache is loaded without
parsing or generating anything. Files are written atomically (temporary file
+ rename) and end with a checksum line; a file whose checksum does not match
is never executed, but regenerated.
"""
from __future__ import annotations

import builtins
import hashlib
import os
import sys
import tempfile
import types
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import __version__
from .errors import BpcError

TARGETS = ("python", "numpy", "numba", "cuda")
REDUCTIONS = (None, "sum", "mean")
_CHECKSUM_PREFIX = "# bpc-sha256: "
_loaded: dict[tuple[str, str], "GradFunction"] = {}


class GradFunction:
    """A compiled formula: ``value, grads = g(*inputs)``, grads ordered like ``g.wrt``."""

    def __init__(self, module, source_obj, target, path, limits, graph=None, reduce=None, stable=True):
        self._module = module
        self._fn = getattr(module, module.ENTRY)
        self.inputs: tuple[str, ...] = tuple(module.INPUTS)
        self.wrt: tuple[str, ...] = tuple(module.WRT)
        self.params: tuple[str, ...] = tuple(module.PARAMS)
        self.reduce = reduce
        self.stable = stable
        self.target = target
        self.path = path
        self._source_obj = source_obj
        self._limits = limits
        self._graph = graph

    @property
    def source(self) -> str:
        """The emitted module, as text."""
        return self._module.__bpc_source__

    shapes = None        # matrix programs: the input shapes given to compile()

    def memory(self, **sizes):
        """Matrix programs: bytes for prediction vs training at these sizes (see ``compiler.memory``)."""
        from .memory import report

        if self.shapes is None:
            raise BpcError("memory() is for matrix programs (compiled with shapes=)")
        return report(self.graph, self.wrt, sizes)

    @property
    def graph(self):
        """The staged forward graph (rebuilt from the source when loaded from the cache)."""
        if self._graph is None and self.shapes is not None:
            from .mparse import parse_matrix

            self._graph = parse_matrix(self._source_obj, self.shapes, self._limits)
        if self._graph is None:
            self._graph = build_graph(self._source_obj, self._limits, self.stable)
        return self._graph

    def explain(self, at: dict):
        """CS231n's walk through the backward pass at ``at``: see ``compiler.explain``."""
        from .explain import explain

        return explain(self, at)

    @property
    def source_map(self) -> list[dict]:
        """Each backward line of ``source``: its line number, the forward stage it comes from and,
        for staged programs, the user's line that defined that stage."""
        from .backward import backward

        graph = self.graph
        stages = {s.name: s for s in graph.stages}
        idents = tuple(graph.ident(n) for n in self.wrt)
        lines = self.source.splitlines()
        start = next(i for i, line in enumerate(lines) if line.strip().startswith("# backward pass"))
        entries, cursor = [], start
        for stmt in backward(graph, idents):
            op = "+=" if stmt.accumulate else "="
            while not lines[cursor].strip().startswith(f"{stmt.target} {op} "):
                cursor += 1
            stage = stages.get(stmt.stage)
            entries.append({"line": cursor + 1, "target": stmt.target, "accumulate": stmt.accumulate,
                            "stage": str(stage) if stage else None,
                            "user_line": stage.line if stage is not None and graph.kind != "formula" else None})
            cursor += 1
        return entries

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
        """The Numba dispatcher (numba and cuda targets), e.g. for ``g.kernel.stats``."""
        return getattr(self._module, "_kernel", None)

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
        text, _ = cuda.compile_ptx(module._kernel.py_func, module.SIGNATURE, cc=tuple(cc), fastmath=module.FASTMATH)
        return text

    def __call__(self, *args, out=None, **kwargs):
        values = self._bind(args, kwargs)
        for name, value in zip(self.inputs, values):
            if name in self.params and np.ndim(value) != 0:
                raise BpcError(f"parameter {name!r} must be a scalar shared by every point "
                               f"(got shape {np.shape(value)})")
        if self.shapes is not None:            # a matrix program: whole arrays, no out=
            if out is not None:
                raise BpcError("out= is not an option of matrix programs")
            return self._fn(*values)
        if self.target == "cuda":
            _require_gpu()
        if self.target in ("numba", "cuda"):
            return self._fn(*values, out=out)
        if out is not None:
            raise BpcError(f"out= is supported by the numba and cuda targets, not {self.target!r}")
        if self.target == "python":
            if self.reduce:
                return self._loop(values)
            for name, value in zip(self.inputs, values):
                if np.ndim(value) != 0:
                    raise BpcError(f"input {name!r} must be a scalar on the python target "
                                   f"(got shape {np.shape(value)})", hint="use target='numpy' for arrays")
        return self._fn(*values)

    def _loop(self, values):
        """python target with reduce=: call the scalar function point by point and sum."""
        points = [i for i, name in enumerate(self.inputs) if name not in self.params]
        shape = np.broadcast_shapes(*(np.shape(values[i]) for i in points)) if points else ()
        columns = {i: np.broadcast_to(np.asarray(values[i], dtype=np.float64), shape).reshape(-1) for i in points}
        n = int(np.prod(shape)) if shape else 1
        per_point = [name not in self.params for name in self.wrt]
        total, grad_totals = 0.0, [0.0] * len(self.wrt)
        grad_arrays = [np.empty(n) for _ in self.wrt]
        for k in range(n):
            point = [columns[i][k] if i in columns else values[i] for i in range(len(values))]
            f, grads = self._fn(*point)
            total += f
            for j, d in enumerate(grads):
                grad_totals[j] += d
                grad_arrays[j][k] = d
        scale = 1.0 / n if self.reduce == "mean" else 1.0
        grads = tuple((grad_arrays[j].reshape(shape) * scale)[()] if per_point[j] else grad_totals[j] * scale
                      for j in range(len(self.wrt)))
        return total * scale, grads

    def _bind(self, args, kwargs) -> list:
        if len(args) > len(self.inputs):
            raise TypeError(f"takes {len(self.inputs)} inputs ({', '.join(self.inputs)}), got {len(args)}")
        values = dict(zip(self.inputs, args))
        for name, value in kwargs.items():
            if name not in self.inputs:
                raise TypeError(f"unknown input {name!r} (inputs: {', '.join(self.inputs)})")
            if name in values:
                raise TypeError(f"input {name!r} given twice")
            values[name] = value
        missing = [n for n in self.inputs if n not in values]
        if missing:
            raise TypeError(f"missing value for input {missing[0]!r} (inputs: {', '.join(self.inputs)})")
        return [values[n] for n in self.inputs]

    def __repr__(self) -> str:
        return f"<bpc {self.target} gradient of {self._module.ENTRY[:-len('_and_grad')]} w.r.t. {', '.join(self.wrt)}>"


@lru_cache(maxsize=None)
def _gpu_or_simulator() -> bool:
    from numba import config, cuda

    return bool(config.ENABLE_CUDASIM) or cuda.is_available()


def _require_gpu() -> None:
    if not _gpu_or_simulator():
        raise BpcError("the cuda target found no usable CUDA GPU (driver and device)",
                       hint="NUMBA_ENABLE_CUDASIM=1 runs the kernel in Numba's CUDA simulator; g.ptx() needs no GPU")


def templates_dir() -> Path:
    """Installed: ``compiler/templates``; source checkout: ``templates/`` beside ``compiler/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bpc templates not found next to {here}")


@lru_cache(maxsize=None)
def _code_fingerprint() -> str:
    """Hash of bpc's own code and templates: a changed compiler never reuses old modules."""
    digest = hashlib.sha256(__version__.encode())
    files = sorted(Path(__file__).resolve().parent.glob("*.py")) + sorted(templates_dir().glob("*.j2"))
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _source_text(source) -> tuple[str, str]:
    if isinstance(source, str):
        return "text", source
    if callable(source) and hasattr(source, "__code__"):
        import inspect

        try:
            return "function", inspect.getsource(source)
        except (OSError, TypeError):
            return "function", repr(source)   # parse() reports the real problem
    import sympy

    if isinstance(source, sympy.Basic):
        return "sympy", sympy.srepr(source)
    raise BpcError(f"cannot compile an object of type {type(source).__name__}",
                   hint="pass a formula string, a def function or a SymPy expression")


def _normalize_wrt(wrt):
    if wrt is None:
        return None
    if isinstance(wrt, str):
        wrt = [w.strip() for w in wrt.split(",") if w.strip()]
    return tuple(wrt)


def default_cache_dir() -> Path:
    if os.environ.get("BPC_CACHE_DIR"):
        return Path(os.environ["BPC_CACHE_DIR"])
    home = Path.home()
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "bpc"
    if os.name == "nt":
        return Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local")) / "bpc" / "cache"
    return Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache") / "bpc"


def _writable_dir(preferred: Path) -> Path | None:
    """The cache directory, or a per-user temporary one (with a warning), or None (in memory)."""
    fallback = Path(tempfile.gettempdir()) / f"bpc-cache-{getattr(os, 'getuid', lambda: 'user')()}"
    for i, candidate in enumerate((preferred, fallback)):
        try:
            candidate.mkdir(parents=True, exist_ok=True)
            probe = tempfile.NamedTemporaryFile(dir=candidate, prefix=".probe-", delete=True)
            probe.close()
        except OSError as err:
            nxt = f"using {fallback}" if i == 0 else "keeping generated modules in memory"
            warnings.warn(f"bpc: cache directory {candidate} is not writable ({err.strerror}); {nxt}",
                          RuntimeWarning, stacklevel=4)
            continue
        return candidate
    return None


def _with_checksum(text: str) -> str:
    return text + _CHECKSUM_PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest() + "\n"


def _verified(data: str) -> str | None:
    """The module text if its checksum line matches, else None."""
    body, sep, last = data.rstrip("\n").rpartition("\n")
    if not sep or not last.startswith(_CHECKSUM_PREFIX):
        return None
    body += "\n"
    if hashlib.sha256(body.encode("utf-8")).hexdigest() != last[len(_CHECKSUM_PREFIX):]:
        return None
    return body


def _write_atomic(path: Path, text: str) -> bool:
    try:
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".py", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
        return True
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False


def _load(text: str, path: str, name: str) -> types.ModuleType:
    """Execute bpc-generated module text (already checksum-verified) as a fresh module."""
    module = types.ModuleType(name)
    module.__file__ = path
    module.__bpc_source__ = text
    code = builtins.compile(text, path, "exec", dont_inherit=True)
    sys.modules[name] = module      # before exec: Numba's cache looks the module up by name
    try:
        exec(code, module.__dict__)  # noqa: S102 - only bpc's own generated, verified code
    except BaseException:
        del sys.modules[name]
        raise
    return module


def build_graph(source, limits=None, stable=True):
    """parse -> (stable rewrites) -> staged graph."""
    from .graph import build
    from .parse import parse
    from .rewrite import stabilize

    program = parse(source, limits)
    return build(stabilize(program) if stable else program)


def generate(source, wrt=None, target="python", limits=None, params=(), reduce=None,
             fastmath=False, parallel=True, dtype="float64", stable=True, shapes=None):
    """Run the pipeline without touching the cache: returns (module text, graph)."""
    from .backward import backward, forward

    if shapes is not None:
        from .mparse import check_shapes

        _check_matrix_options(source, target, params, reduce, fastmath, parallel, dtype)
        return generate_matrix(source, check_shapes(shapes), wrt, target, limits)
    from .emit import Options, emit

    graph = build_graph(source, limits, stable)
    wrt = _normalize_wrt(wrt)
    if wrt is None:
        wrt = graph.inputs
    for name in wrt:
        if name not in graph.inputs:
            raise BpcError(f"wrt names {name!r}, which is not an input",
                           hint=f"inputs are: {', '.join(graph.inputs) or '(none)'}")
    if len(set(wrt)) != len(wrt):
        raise BpcError(f"wrt lists a name twice: {', '.join(wrt)}")
    params = _normalize_wrt(params) or ()
    for name in params:
        if name not in graph.inputs:
            raise BpcError(f"params names {name!r}, which is not an input",
                           hint=f"inputs are: {', '.join(graph.inputs) or '(none)'}")
    idents = tuple(graph.ident(name) for name in wrt)
    options = Options(target, tuple(graph.ident(p) for p in params), reduce, fastmath, parallel, dtype)
    text = emit(graph, forward(graph), backward(graph, idents), idents, options)
    return text, graph


def _check_options(target, reduce, fastmath, parallel, dtype):
    if target not in TARGETS:
        raise BpcError(f"unknown target {target!r}", hint=f"choose one of: {', '.join(TARGETS)}")
    if reduce not in REDUCTIONS:
        raise BpcError(f"unknown reduce {reduce!r}", hint="choose None, 'sum' or 'mean'")
    if dtype not in ("float64", "float32"):
        raise BpcError(f"unknown dtype {dtype!r}", hint="choose 'float64' or 'float32'")
    if target not in ("numba", "cuda") and (fastmath or dtype != "float64"):
        raise BpcError("fastmath= and dtype= are options of the numba and cuda targets")
    if target != "numba" and not parallel:
        raise BpcError("parallel= is an option of the numba target")


def compile(source, wrt=None, target="python", cache_dir=None, limits=None, params=(), reduce=None,  # noqa: A001
            fastmath=False, parallel=True, dtype="float64", stable=True, shapes=None) -> GradFunction:
    """Compile ``source`` (formula text, staged program, def function or SymPy expression).

    ``wrt``: input names to differentiate with respect to (default: every input,
    in order of first appearance). ``target``: ``"python"``, ``"numpy"`` or
    ``"numba"``. ``params``: inputs that are scalars shared by every point;
    ``reduce``: ``"sum"`` or ``"mean"`` makes the value and the parameters'
    gradients totals over the points. ``fastmath``, ``parallel``, ``dtype``:
    Numba options. ``stable``: apply the numerically stable rewrites
    (``log(1 + exp(x))`` -> ``softplus(x)`` ...; ``False`` keeps the literal
    translation). ``cache_dir``: where emitted modules are kept (else
    ``$BPC_CACHE_DIR``, else the per-user cache directory). ``limits``: a
    ``compiler.Limits``. ``shapes``: makes ``source`` a matrix program whose inputs have these
    shapes (``{"W": ("h", "d"), "x": ("d", "n")}``; inputs not named are scalars); targets
    ``"numpy"`` and ``"numba"``.
    """
    _check_options(target, reduce, fastmath, parallel, dtype)
    if shapes is None and _is_matrix_sympy(source):
        from .mparse import from_sympy

        source, shapes = from_sympy(source)
    if shapes is not None:
        _check_matrix_options(source, target, params, reduce, fastmath, parallel, dtype)
        from .mparse import check_shapes

        shapes = check_shapes(shapes)
    try:
        return _compile(source, wrt, target, cache_dir, limits, params, reduce, fastmath, parallel, dtype, stable,
                        shapes)
    except RecursionError:
        # bpc's own traversals are iterative; SymPy's are not (a SymPy expression thousands deep)
        from .errors import LimitError

        raise LimitError("expression is nested too deeply to process",
                         hint="pass it as formula text or a staged program") from None


def _is_matrix_sympy(source) -> bool:
    if not hasattr(source, "atoms") or isinstance(source, str):
        return False
    import sympy

    return isinstance(source, sympy.Basic) and bool(source.atoms(sympy.MatrixSymbol))


def _check_matrix_options(source, target, params, reduce, fastmath, parallel, dtype):
    if not isinstance(source, str):
        raise BpcError("a matrix program (shapes=) is given as staged program text")
    if target not in ("numpy", "numba"):
        raise BpcError(f"matrix programs compile for the numpy and numba targets, not {target!r}",
                       hint="CUDA and python targets for matrix programs are not built")
    if params or reduce or fastmath or not parallel or dtype != "float64":
        raise BpcError("params=, reduce=, fastmath=, parallel= and dtype= are not options of matrix programs")


def generate_matrix(text, shapes, wrt=None, target="numpy", limits=None):
    """The matrix pipeline without the cache: returns (module text, MProgram)."""
    from .emit import emit_matrix
    from .mbackward import backward, forward
    from .mparse import parse_matrix

    program = parse_matrix(text, shapes, limits)
    wrt = _normalize_wrt(wrt)
    if wrt is None:       # every input but the targets of cross_entropy (data, labels or one-hot)
        data = {s.args[1] for s in program.stages if s.op == "cross_entropy"}
        wrt = tuple(n for n in program.inputs if n not in data)
    for name in wrt:
        if name not in program.inputs:
            raise BpcError(f"wrt names {name!r}, which is not an input", hint=f"inputs are: {', '.join(program.inputs)}")
    if len(set(wrt)) != len(wrt):
        raise BpcError(f"wrt lists a name twice: {', '.join(wrt)}")
    stmts, grad_shapes = backward(program, tuple(wrt))
    return emit_matrix(program, forward(program), stmts, grad_shapes, tuple(wrt), target), program


def _compile(source, wrt, target, cache_dir, limits, params, reduce, fastmath, parallel, dtype, stable, shapes=None):
    kind, text = _source_text(source)
    wrt_key = _normalize_wrt(wrt)
    params = _normalize_wrt(params) or ()
    request = [target, kind, text, repr(wrt_key), repr(limits), repr(params), repr(reduce),
               repr(fastmath), repr(parallel), dtype, repr(stable)] + ([repr(sorted(shapes.items()))] if shapes else [])
    key = hashlib.sha256("\0".join([_code_fingerprint(), *request]).encode("utf-8")).hexdigest()[:32]
    requested = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    memo_key = (str(requested), key)
    if memo_key in _loaded:          # already loaded in this process: no file system work at all
        return _loaded[memo_key]
    directory = _writable_dir(requested)
    name = f"bpc_{key}"
    path = directory / f"{name}.py" if directory is not None else None
    module_text = graph = None
    if path is not None and path.exists():
        try:
            module_text = _verified(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            module_text = None
        if module_text is None:
            warnings.warn(f"bpc: cached module {path} is damaged or was edited; regenerating it",
                          RuntimeWarning, stacklevel=2)
    if module_text is None and shapes is not None:
        module_text, graph = generate_matrix(source, shapes, wrt, target, limits)
    elif module_text is None:
        module_text, graph = generate(source, wrt, target, limits, params, reduce, fastmath, parallel, dtype, stable)
        if path is not None and not _write_atomic(path, _with_checksum(module_text)):
            warnings.warn(f"bpc: could not write {path}; using the module from memory", RuntimeWarning, stacklevel=2)
            path = None
    module = _load(module_text, str(path) if path is not None else f"<bpc {name}>", name)
    result = GradFunction(module, source, target, path, limits, graph, reduce, stable)
    result.shapes = shapes
    _loaded[memo_key] = result
    return result
