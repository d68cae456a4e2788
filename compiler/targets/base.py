"""What a target declares: its printers, its templates, the options it takes, whether it takes
``out=``. The declarations are light (printers are named, and imported only when code is
printed), so checking a request or loading a cached module imports no SymPy."""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Target:
    name: str
    printer: str                            # "module:Class" under compiler.targets: prints scalar programs
    template: str                           # the Jinja template of scalar programs
    array_printer: str | None = None        # prints array programs (None: array programs are refused)
    array_template: str | None = None
    options: frozenset = field(default_factory=frozenset)   # of "fastmath", "parallel", "dtype"
    out: bool = False                       # takes out= (an earlier result's arrays) when called
    about: str = ""

    def printer_for(self, graph, shapes=None):
        """A fresh printer for ``graph`` (array programs get the array printer, with every shape)."""
        if graph.arrays:
            return _load(self.array_printer)(shapes=shapes)
        return _load(self.printer)()


def _load(spec: str) -> type:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(f"compiler.targets.{module}"), name)
