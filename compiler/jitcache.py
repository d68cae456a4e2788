"""``njit`` for bpc's own Numba functions, their machine code kept in Numba's disk cache and
stamped with a hash of all of bpc's code.

    from compiler.jitcache import njit_cached

    @njit_cached(forceinline=True, error_model="numpy")
    def exp(x): ...

The functions of ``compiler.vecmath``, ``compiler.special.cpu`` and ``compiler.host.arrays_njit``
take 0.1 to 5 s each to compile, and a kernel compiles those it calls in every new process
(about 10 s for a kernel over twenty primitives). Cached, a later process loads them instead;
LLVM still inlines them into the kernel, from the bitcode Numba keeps beside the machine code.

Numba's own ``cache=True`` decides whether a cached function is stale from its own source file
only. These functions call functions of other files (``f64.exp`` calls ``_dd.two_sum``; the
special functions are clones of ``scalar.py``'s code, each calling the others through a dict),
so a change there would go unnoticed. Here the stamp is ``code_fingerprint()`` instead: any
change to bpc recompiles them. Where the cache is, is Numba's choice, as for ``cache=True``:
``$NUMBA_CACHE_DIR`` if set, else ``__pycache__`` beside the source file if it is writable, else
Numba's per-user cache directory; where none is writable, the functions compile in every process
(Numba's own ``cache=True`` would fail the import there). (Numba's index also records Numba's
version, the function's bytecode and the CPU, and recompiles if any differs.)
"""
from __future__ import annotations

import numba
from numba.core.caching import (CompileResultCacheImpl, FunctionCache, InTreeCacheLocator,
                                 UserProvidedCacheLocator, UserWideCacheLocator)

from .fingerprint import code_fingerprint


class _Stamped:
    def get_source_stamp(self):
        return code_fingerprint()


class _UserProvided(_Stamped, UserProvidedCacheLocator):
    pass


class _InTree(_Stamped, InTreeCacheLocator):
    pass


class _UserWide(_Stamped, UserWideCacheLocator):
    pass


class _Impl(CompileResultCacheImpl):
    _locator_classes = [_UserProvided, _InTree, _UserWide]    # Numba's order, bpc's stamp


class _Cache(FunctionCache):
    _impl_class = _Impl


def njit_cached(**options):
    """``numba.njit(**options)``, cached as the module docstring says."""
    jit = numba.njit(**options)

    def decorate(func):
        dispatcher = jit(func)
        try:
            dispatcher._cache = _Cache(dispatcher.py_func)  # what cache=True does, with bpc's stamp
        except RuntimeError:    # no writable place for a cache: compile in every process, as without one
            pass
        return dispatcher

    return decorate
