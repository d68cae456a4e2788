"""A compiled function called with Dask arrays: Dask arrays out, computed chunk by chunk.

``g(t=t, y=y, A=2.0, ...)`` with ``t`` and ``y`` Dask arrays builds a graph and computes nothing:

- one task per chunk (``blockwise`` over the inputs, broadcast to one shape and chunking) calls
  the emitted module on that chunk's NumPy blocks; it holds the chunk's value and gradients;
- per-point results (the value without ``reduce=``, gradients of per-point inputs) are Dask
  arrays with the inputs' chunks, read from those tasks;
- with ``reduce="sum"|"mean"`` the value and the gradients of the ``params=`` are 0-d Dask arrays:
  each chunk's totals (one small vector per chunk) are added up by Dask's tree reduction
  (``sum(split_every=...)``), and a mean is the sum divided by the number of points.

So a fit over any number of points holds one chunk per worker thread in memory. Compute the
value and gradients together (``dask.compute(value, *grads)``) so each chunk's kernel runs once.

Workers never read the client's cache directory: each task carries the emitted module's text
(with its name and the compile request), and each worker process writes it to *its own* bpc
cache (``$BPC_CACHE_DIR`` of the worker, checksummed as usual), imports it once and keeps it for
the tasks that follow; a Numba kernel is compiled (or loaded from Numba's cache beside that
file) once per worker process. Workers need bpc installed, not SymPy work: nothing is re-derived.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from ..errors import BpcError
from ..runtime.calling import bind, call as call_module
from . import require

SPLIT_EVERY = 8          # chunks added per step of the tree reduction


@dataclass(frozen=True)
class Kernel:
    """What a worker needs to run a compiled function: the module's text, its name, the request."""

    name: str
    text: str
    request: object

    def __repr__(self) -> str:                 # short in Dask's task names and error messages
        return f"Kernel({self.name})"


_kernels: dict = {}          # in each process: module name -> GradFunction


def load(kernel: Kernel):
    """The kernel's entry function in this process, called as ``compiler.runtime.calling`` calls
    it: its module written to this process's bpc cache (unless already there), imported once.
    Runs on the workers."""
    if kernel.name in _kernels:
        return _kernels[kernel.name]
    from ..runtime.cache import default_cache_dir, load as load_module, read, with_checksum, write_atomic, writable_dir

    directory = writable_dir(default_cache_dir())
    path = directory / f"{kernel.name}.py" if directory is not None else None
    if path is not None and read(path) != kernel.text and not write_atomic(path, with_checksum(kernel.text)):
        path = None
    module = load_module(kernel.text, str(path) if path is not None else f"<bpc {kernel.name}>", kernel.name)
    request = kernel.request
    g = SimpleNamespace(_fn=getattr(module, module.ENTRY), inputs=tuple(module.INPUTS), wrt=tuple(module.WRT),
                        params=tuple(module.PARAMS), reduce=request.reduce, target=request.target,
                        shapes=request.shapes, request=request, path=path)
    _kernels[kernel.name] = g
    return g


def _chunk(*blocks, kernel, slots, params):
    """One chunk: the module on the chunk's blocks (and the shared parameters); its results and
    its number of points."""
    g = load(kernel)
    blocks = iter(blocks)
    values = [params[name] if name in params else next(blocks) for name in slots]
    value, grads = call_module(g, values)
    shape = np.broadcast_shapes(*(np.shape(v) for n, v in zip(slots, values) if n not in params))
    return (value, *grads), int(np.prod(shape))


def _per_point(part, j, scale, dtype):
    """Result ``j`` of a chunk, as an array (a mean's per-point gradients rescaled to the whole)."""
    results, n = part
    r = np.asarray(results[j], dtype=dtype)
    return r * (n * scale) if scale is not None else r


def _totals(part, which, mean, ndim):
    """A chunk's totals (the reduced results, ``which``), one vector with ``ndim`` leading axes of 1."""
    results, n = part
    vector = np.array([float(results[j]) * (n if mean else 1) for j in which], dtype=np.float64)
    return vector.reshape((1,) * ndim + (len(which),))


def call(g, args, kwargs, out=None):
    """``g(*args, **kwargs)`` where some arguments are Dask arrays: lazy (value, grads) Dask arrays."""
    da = require("dask.array", "dask", "calling a compiled function with Dask arrays")
    if out is not None:
        raise BpcError("out= is not supported with Dask arrays (the results are new Dask arrays)")
    if g.shapes is not None:
        raise BpcError("Dask arrays are for scalar programs (the points are chunked); array programs take "
                       "NumPy arrays", hint="call it on each block, e.g. with dask.array.map_blocks")
    values = bind(g.inputs, args, kwargs)
    params, points = {}, []
    for name, value in zip(g.inputs, values):
        if name in g.params:
            if _is_dask(value) or np.ndim(value) != 0:
                raise BpcError(f"parameter {name!r} must be a number shared by every point, not an array")
            params[name] = value
        else:
            points.append(name)
    if not points:
        raise BpcError("calling with Dask arrays needs at least one per-point input")
    arrays = da.broadcast_arrays(*(da.asarray(values[g.inputs.index(n)]) for n in points))
    dtype = np.dtype(g.request.dtype)
    ndim = arrays[0].ndim
    index = tuple(range(ndim))
    kernel = Kernel(g._module.__name__, g.source, g.request)
    parts = da.blockwise(_chunk, index, *(x for a in arrays for x in (a, index)),
                         kernel=kernel, slots=g.inputs, params=params,
                         dtype=object, meta=np.empty((0,) * ndim, dtype=object),
                         name=f"bpc-{kernel.name[4:12]}-chunk")
    reduced = [bool(g.reduce)] + [bool(g.reduce) and w in g.params for w in g.wrt]
    mean = g.reduce == "mean"
    n_total = int(np.prod(arrays[0].shape))
    meta = np.empty((0,) * ndim, dtype=dtype)
    results = [None] * len(reduced)
    for j, r in enumerate(reduced):
        if not r:
            results[j] = parts.map_blocks(_per_point, j, 1.0 / n_total if mean else None, dtype,
                                          dtype=dtype, meta=meta, name=f"bpc-{kernel.name[4:12]}-result{j}")
    which = [j for j, r in enumerate(reduced) if r]
    if which:
        vectors = parts.map_blocks(_totals, which, mean, ndim, new_axis=ndim,
                                   chunks=tuple((1,) * len(c) for c in parts.chunks) + ((len(which),),),
                                   dtype=np.float64, meta=np.empty((0,) * (ndim + 1)),
                                   name=f"bpc-{kernel.name[4:12]}-totals")
        sums = vectors.sum(axis=index, split_every=SPLIT_EVERY)
        if mean:
            sums = sums / max(n_total, 1)
        for k, j in enumerate(which):
            results[j] = sums[k].astype(dtype)
    return results[0], tuple(results[1:])


def _is_dask(value) -> bool:
    return type(value).__module__.split(".")[0] == "dask"


def worker_cache_dir() -> Path | None:
    """The bpc cache directory of the process this runs in (e.g. ``client.run(worker_cache_dir)``)."""
    from ..runtime.cache import default_cache_dir, writable_dir

    return writable_dir(default_cache_dir())
