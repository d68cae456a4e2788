"""Differentiation through the rules table: the table is closed under it.

``jvp(expr, tangents)`` is the directional derivative of a SymPy expression built from rows:
``sum over symbols s of d(expr)/ds * tangents[s]``, taken node by node with each row's own
partials (written with the inputs and ``out``), so every derivative is again built from rows and
a second (or third) derivative never meets an unknown function. SymPy's ``diff`` is not used: it
knows nothing of PyTorch's conventions (``sign'`` is ``2*DiracDelta`` there, ``Abs'`` of a symbol
not declared real is a ``Derivative`` of ``re``), and those would reach a printer.

``diff(expr, symbol)`` is ``jvp`` with the one tangent 1. A function with no row is a ``BpcError``
naming it, never a silent zero.
"""
from __future__ import annotations

import sympy as sp

from ..errors import BpcError

_where = None      # rules.logic.where, looked up once (logic imports nothing from here)


def _where_class():
    global _where
    if _where is None:
        from .logic import where

        _where = where
    return _where


def times(local, tangent):
    """``local * tangent``; a local derivative that selects (``where(c, 1, 0)``) selects the tangent
    instead of multiplying it, so an inf or nan in the branch not taken never turns into nan."""
    where = _where_class()
    if isinstance(local, where) and set(local.args[1:]) <= {0, 1} and local.args[1] != local.args[2]:
        c, a, b = local.args
        return where(c, tangent if a == 1 else 0, tangent if b == 1 else 0)
    if local == 1:
        return tangent
    if tangent == 1:
        return local
    return local * tangent


def _active(expr, keys) -> bool:
    return bool(expr.free_symbols & keys)


def jvp(expr, tangents: dict, out=None):
    """The directional derivative of ``expr`` along ``tangents`` ({Symbol: tangent expression});
    symbols not in ``tangents`` are constants. ``out``: a symbol holding ``expr``'s value, which a
    row's partials may use in place of recomputing it (``exp(a)``' = ``out``)."""
    keys = frozenset(tangents)
    memo: dict = {}

    def go(e, top=False):
        if e in memo:
            return memo[e]
        if isinstance(e, sp.Symbol):
            result = tangents.get(e, sp.Integer(0))
        elif not _active(e, keys):
            result = sp.Integer(0)
        elif isinstance(e, sp.Add):
            result = sp.Add(*(go(a) for a in e.args))
        elif isinstance(e, sp.Mul):
            terms = []
            for k, a in enumerate(e.args):
                t = go(a)
                if t != 0:
                    others = sp.Mul(*(b for j, b in enumerate(e.args) if j != k))
                    terms.append(times(others, t))
            result = sp.Add(*terms)
        elif isinstance(e, sp.Pow):
            result = _pow(e, go, keys, out if top else None)
        else:
            result = _function(e, go, out if top else None)
        memo[e] = result
        return result

    return go(sp.sympify(expr), top=True)


def _pow(e, go, keys, out):
    base, exponent = e.args
    terms = []
    if _active(base, keys):
        if not _active(exponent, keys):
            local = exponent * base ** (exponent - 1)       # integer and constant powers: never log(base)
        else:
            from .scalar import pow_dbase

            local = pow_dbase(base, exponent)
        terms.append(times(local, go(base)))
    if _active(exponent, keys):
        from .scalar import pow_dexp

        terms.append(times(pow_dexp(base, exponent, out if out is not None else e), go(exponent)))
    return sp.Add(*terms)


def _function(e, go, out):
    from . import BY_CLASS

    rule = BY_CLASS.get(type(e))
    if rule is not None and rule.jvp is not None:      # array operations: their own JVP
        tangents = [go(a) if isinstance(a, sp.Basic) else sp.Integer(0) for a in e.args]
        if all(t == 0 for t in tangents):
            return sp.Integer(0)
        return sp.sympify(rule.jvp(e.args, tangents, out))
    if rule is None or rule.partials is None:   # (a row's ``tangent`` partials, where given, are preferred)
        name = getattr(type(e), "__name__", str(type(e)))
        raise BpcError(f"no derivative rule for {name!r} (in {e})",
                       hint="every function bpc differentiates needs a row with partials in compiler/rules")
    args = e.args
    if rule.variadic and len(args) > rule.arity:       # max(a, b, c) = max(max(a, b), c), as stages fold
        with sp.evaluate(False):
            inner = type(e)(*args[:-1])
        args = (inner, args[-1])
        with sp.evaluate(False):
            e = type(e)(*args)
    value = out if out is not None else e
    terms = []
    for arg, partial in zip(args, (rule.tangent or rule.partials)(*args, value)):
        partial = sp.sympify(partial)
        if partial == 0:
            continue
        t = go(arg)
        if t != 0:
            terms.append(times(partial, t))
    return sp.Add(*terms)


def diff(expr, symbol, out=None):
    """d(expr)/d(symbol) through the rules table (see ``jvp``)."""
    return jvp(expr, {symbol: sp.Integer(1)}, out)


__all__ = ["jvp", "diff", "times"]
