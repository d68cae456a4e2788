"""Bounds on what the front end accepts; every one is checked before work grows."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Bounds on what the front end accepts; every one is checked before work grows."""

    max_chars: int = 1_000_000     # source length
    max_nodes: int = 200_000       # syntax-tree nodes (roughly: operations + operands)
    max_depth: int = 500           # nesting of calls, parentheses, unary ops, right operands

    @property
    def described(self) -> str:
        return f"{self.max_chars} characters, {self.max_nodes} nodes, nesting depth {self.max_depth}"
