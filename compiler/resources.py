"""Where bpc's Jinja templates are: installed, ``compiler/templates``; in a source checkout,
``templates/`` beside ``compiler/``. Light on purpose: the cache key reads it on every call."""
from __future__ import annotations

from pathlib import Path


def templates_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bpc templates not found next to {here}")
