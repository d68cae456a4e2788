"""The one error type bpc raises for bad input, with an optional source position."""
from __future__ import annotations


class BpcError(ValueError):
    """Bad input to bpc: a formula it cannot parse, an unknown function, a bad option.

    ``str(err)`` is one line: what is wrong, where (``line:col``, both 1-based,
    when the problem has a place in the source) and, when possible, what to do.
    """

    def __init__(self, message: str, line: int | None = None, col: int | None = None,
                 hint: str | None = None):
        self.message = message
        self.line = line
        self.col = col
        self.hint = hint
        text = message
        if line is not None and col is not None:
            text += f" at {line}:{col}"
        if hint:
            text += f" — {hint}"
        super().__init__(text)


class ParseError(BpcError):
    """The source text is not a formula bpc accepts."""


class LimitError(ParseError):
    """The source is larger or deeper than the configured limits allow."""
