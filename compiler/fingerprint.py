"""A hash of bpc's own code: every ``.py`` file of the package and every template.

Two caches are keyed by it, so that a changed compiler never reuses what an older one wrote:
the emitted modules (``compiler.runtime.cache``) and the machine code of bpc's own Numba
functions (``compiler.jitcache``).
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from .resources import templates_dir
from .version import __version__

PACKAGE = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def code_fingerprint() -> str:
    """Hash of bpc's own code and templates (about 5 ms, once per process)."""
    digest = hashlib.sha256(__version__.encode())
    files = sorted(PACKAGE.rglob("*.py")) + sorted(templates_dir().glob("*.j2"))
    for path in files:
        digest.update(str(path.relative_to(path.parents[1])).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
