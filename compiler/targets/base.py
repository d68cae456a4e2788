"""What a target declares: its printers, its templates and their imports, the options it takes,
whether it takes ``out=``, and the names its printers may bring into a module. The names its
templates use are read from the templates themselves, so the naming pass can keep every user
name clear of them. The declarations are light (printers are named, and imported only when code
is printed), so checking a request or loading a cached module imports no SymPy."""
from __future__ import annotations

import builtins
import importlib
import keyword
import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..resources import templates_dir

# Python's own names: never a user's identifier in emitted code
PYTHON_NAMES = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))
_JINJA = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
_QUOTED = re.compile(r'"""[\s\S]*?"""|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|#[^\n]*')
_NAME = re.compile(r"(?<![\w.])[A-Za-z_]\w*")      # a name, not an attribute
_ABOUT = re.compile(r"{%\s*block about\s*%}.*?{%\s*endblock\s*%}", re.S)   # docstring prose


@dataclass(frozen=True)
class Target:
    name: str
    printer: str                            # "module:Class" under compiler.targets: prints scalar programs
    template: str                           # the Jinja template of scalar programs
    array_printer: str | None = None        # prints array programs (None: array programs are refused)
    array_template: str | None = None
    imports: tuple[str, ...] = ()           # what the template's scaffolding imports
    array_imports: tuple[str, ...] = ()
    brings: tuple[str, ...] = ()            # names the printers may import (math, erf, softmax ...)
    options: frozenset = field(default_factory=frozenset)   # of "fastmath", "parallel", "dtype"
    out: bool = False                       # takes out= (an earlier result's arrays) when called
    about: str = ""

    def printer_for(self, graph, shapes=None, options=None):
        """A fresh printer for ``graph`` (array programs get the array printer, with every shape);
        ``options``: the emit options (numba reads its math library and dtype from them)."""
        if graph.arrays:
            return _load(self.array_printer)(shapes=shapes, options=options)
        return _load(self.printer)(options=options)

    def reserved(self) -> frozenset:
        """Every name a module of this target may use for itself."""
        return _reserved(self)


def _load(spec: str) -> type:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(f"compiler.targets.{module}"), name)


def template_names(name: str) -> set[str]:
    """The identifiers a template's Python code uses as names (Jinja tags, docstring prose, strings,
    comments and attribute names left out), and those of the templates it extends."""
    text = (templates_dir() / name).read_text(encoding="utf-8")
    names = set()
    parent = re.search(r'{%\s*extends\s+"([^"]+)"', text)
    if parent:
        names |= template_names(parent.group(1))
    code = _JINJA.sub(" ", _ABOUT.sub(" ", text))
    code = _QUOTED.sub(" ", code)
    return names | set(_NAME.findall(code))


def import_names(lines) -> set[str]:
    """The names import lines bind (``from a import b as c`` binds c; ``import numpy as np``, np)."""
    names = set()
    for line in lines:
        if line.startswith("from "):
            bound = line.split(" import ", 1)[1].split(",")
        else:
            bound = [line[len("import "):]]
        for item in bound:
            item = item.strip()
            names.add(item.split(" as ")[1] if " as " in item else item.split(".")[0])
    return names


@lru_cache(maxsize=None)
def _reserved(target: Target) -> frozenset:
    names = set(PYTHON_NAMES) | set(target.brings) | import_names(target.imports + target.array_imports)
    for name in filter(None, (target.template, target.array_template)):
        names |= template_names(name)
    return frozenset(names)
