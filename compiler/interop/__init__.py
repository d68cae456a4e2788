"""bpc inside other people's frameworks and engines. Each module imports its library only when used.

    torch.py   ``g.torch()``: a ``torch.library`` custom op whose autograd formula is the emitted backward
    jax.py     ``g.jax()``: a ``jax.custom_vjp`` function over the emitted kernels (``jax.pure_callback``)
    dask.py    a compiled function called with Dask arrays: chunk-wise kernels, tree-reduced totals
    shapes.py  what a call returns (the value's and each gradient's shape), and the VJP of a result

The rule all three share: a compiled function returns its value and its gradients in one call, so
the frameworks' forward saves the gradients, and their backward multiplies them by the upstream
gradient (summed back to each input's shape where inputs were broadcast, or shared by points).
"""
from __future__ import annotations

import importlib

from ..errors import BpcError


def require(module: str, extra: str, what: str):
    """Import ``module``, or raise a one-line BpcError naming the pip extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise BpcError(f"{what} needs {module.split('.')[0]}, which is not installed",
                       hint=f"pip install 'bpc[{extra}]'") from None


def first_order(g, what: str) -> None:
    """Frameworks take gradient functions: their own autograd makes the second derivatives."""
    if getattr(g, "mode", None) is not None:
        raise BpcError(f"{what} takes a gradient function, not a {g.mode} module",
                       hint="compile without jvp=/hvp=/order=2; the framework's autograd differentiates further")
