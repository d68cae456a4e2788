"""bpc: formulas -> staged, readable backprop code for Python, NumPy (and more targets).

    import compiler
    g = compiler.compile("(x + sigmoid(y)) / (sigmoid(x) + (x + y)**2)")
    value, (dx, dy) = g(3.0, -4.0)

Importing this package is cheap: SymPy and the code generator load only when
a formula has to be compiled (not when its module is already in the cache).
"""
from .errors import BpcError, LimitError, ParseError

from .version import __version__
__all__ = ["compile", "BpcError", "ParseError", "LimitError", "Limits", "__version__"]


def compile(source, wrt=None, target="python", cache_dir=None, limits=None, params=(), reduce=None,  # noqa: A001
            fastmath=False, parallel=True, dtype="float64", stable=True, shapes=None, inputs=None, math=None,
            jvp=False, hvp=False, order=1):
    """Compile ``source`` to a callable returning ``(value, grads)`` (``jvp=True``: ``(value, df)``;
    ``hvp=True``: ``(value, grads, Hv)``; ``order=2``: ``(value, grads, H)``); see ``runtime.compile``."""
    from .runtime import compile as _compile

    return _compile(source, wrt=wrt, target=target, cache_dir=cache_dir, limits=limits, params=params,
                    reduce=reduce, fastmath=fastmath, parallel=parallel, dtype=dtype, stable=stable,
                    shapes=shapes, inputs=inputs, math=math, jvp=jvp, hvp=hvp, order=order)


def __getattr__(name):
    if name == "Limits":
        from .frontend.limits import Limits

        return Limits
    raise AttributeError(name)
