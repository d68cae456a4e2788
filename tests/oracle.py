"""Independent reference values: SymPy's own differentiation, evaluated at 30 digits."""
import math

import mpmath
import sympy as sp

from compiler.rules import to_reference

DIGITS = 30


def value(expr, point: dict) -> float:
    """``expr`` (bpc functions rewritten to SymPy's) at ``point`` ({Symbol: float})."""
    ref = to_reference(expr)
    if ref.has(sp.Derivative):      # sympy.diff could not differentiate it (floor, round ...): evalf
        return math.nan             # would spend up to a second failing to evaluate it
    try:
        v = ref.evalf(DIGITS, subs=point)
    except (ValueError, TypeError, AttributeError):   # e.g. SymPy cannot decide Max(x, exp(x) - 1) at x = 0
        v = None
    if v is None or not v.is_number:  # floor and friends: substitute first, then evaluate
        try:
            v = ref.subs({k: sp.Float(x, DIGITS) for k, x in point.items()}).evalf(DIGITS)
        except (ValueError, TypeError):
            return math.nan
    if not v.is_real:
        return math.nan
    return float(v)


def gradient(expr, symbols, point: dict) -> list[float]:
    """sympy.diff at ``point``, nan where SymPy cannot differentiate or evaluate it (floor, mod ...)."""
    ref = to_reference(expr)
    out = []
    for s in symbols:
        try:
            out.append(value(sp.diff(ref, s), point))
        except (RecursionError, KeyError, ValueError, TypeError, AttributeError):
            out.append(math.nan)
    return out


def fd(expr, symbol, point: dict) -> float:
    """Finite difference computed by mpmath at high precision (no float64 rounding)."""
    ref = to_reference(expr)
    others = {k: v for k, v in point.items() if k != symbol}
    f = sp.lambdify(symbol, ref.subs(others), modules="mpmath")
    with mpmath.workdps(DIGITS):
        return float(mpmath.diff(f, mpmath.mpf(point[symbol])))


def rel_err(a: float, n: float) -> float:
    if a == n:
        return 0.0
    return abs(a - n) / max(abs(a), abs(n))
