"""Front end: formula text, staged programs, ``def`` functions, SymPy expressions and SymPy matrix
expressions -> one ``ir.Program``, with the numerically stable rewrites applied.

    reader.py     source text (and ``def`` functions) -> Program, scalar or array (``shapes=``); Python's
                  reassignment, ``+=``, ``a if c else b``, comparisons, and/or/not, ``%`` and ``//``
                  lowered to single assignment (versions ``h``, ``h_2`` ...)
    aliases.py    names from NumPy, SciPy, PyTorch, JAX and ``math`` (module prefixes, keywords) -> rows
    sympy_in.py   SymPy expressions -> Program; SymPy matrix expressions -> program text and shapes
    stable.py     log(1 + exp(x)) -> softplus(x) and the other stable rewrites
    limits.py     the bounds every input is checked against
"""
from __future__ import annotations

import inspect
import textwrap

from ..errors import BpcError, ParseError
from ..ir import Program
from ..request import check_shapes
from .limits import Limits
from .reader import Reader
from .stable import stabilize
from .sympy_in import from_sympy, is_matrix, matrix_program

__all__ = ["Limits", "parse", "read", "check_shapes", "is_matrix", "matrix_program"]


def parse(source, limits: Limits | None = None, shapes: dict | None = None) -> Program:
    """Read a formula, a staged program, a ``def`` (text or function object) or a SymPy expression."""
    limits = limits or Limits()
    shapes = check_shapes(shapes)
    if callable(source) and not isinstance(source, type) and hasattr(source, "__code__"):
        try:
            text = textwrap.dedent(inspect.getsource(source))
        except (OSError, TypeError) as err:
            raise ParseError(f"cannot read the source of {source!r}: {err}") from None
        if source.__name__ == "<lambda>":
            raise ParseError("lambda functions cannot be read back as source", hint="write a def function or a formula string")
        return Reader(text, limits, shapes).parse()
    if isinstance(source, str):
        return Reader(source, limits, shapes).parse()
    import sympy

    if isinstance(source, sympy.Basic):
        if is_matrix(source):
            text, matrix_shapes = matrix_program(source)
            return Reader(text, limits, matrix_shapes).parse()
        if shapes is not None:
            raise BpcError("shapes= is for program text or SymPy matrix expressions, not scalar SymPy expressions")
        return from_sympy(source, limits)
    raise ParseError(f"cannot compile an object of type {type(source).__name__}",
                     hint="pass a formula string, a def function or a SymPy expression")


def order_inputs(program: Program, inputs) -> Program:
    """``program`` with its inputs in the order ``inputs`` gives (every input, once each)."""
    if inputs is None:
        return program
    inputs = tuple(inputs)
    if sorted(inputs) != sorted(program.inputs) or len(set(inputs)) != len(inputs):
        missing = [n for n in program.inputs if n not in inputs]
        extra = [n for n in inputs if n not in program.inputs]
        why = f"missing {', '.join(missing)}" if missing else f"not inputs: {', '.join(extra)}" if extra else "a name twice"
        raise BpcError(f"inputs= must list every input once ({why})",
                       hint=f"the inputs are: {', '.join(program.inputs) or '(none)'}")
    program.inputs = inputs
    return program


def read(source, limits: Limits | None = None, shapes: dict | None = None, stable: bool = True) -> Program:
    """``parse``, then the stable rewrites (unless ``stable=False``)."""
    program = parse(source, limits, shapes)
    return stabilize(program) if stable else program
