"""The disk cache: emitted modules under a content hash, written atomically with a checksum line.

A file whose checksum does not match is never executed. The key hashes bpc's own code and
templates, so a changed compiler never reuses an old module.
"""
from __future__ import annotations

import builtins
import hashlib
import os
import sys
import tempfile
import types
import warnings
from functools import lru_cache
from pathlib import Path

from ..version import __version__
from ..resources import templates_dir

CHECKSUM_PREFIX = "# bpc-sha256: "
PACKAGE = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=None)
def code_fingerprint() -> str:
    """Hash of bpc's own code and templates: a changed compiler never reuses old modules."""
    digest = hashlib.sha256(__version__.encode())
    files = sorted(PACKAGE.rglob("*.py")) + sorted(templates_dir().glob("*.j2"))
    for path in files:
        digest.update(str(path.relative_to(path.parents[1])).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def key(request_parts: list[str]) -> str:
    return hashlib.sha256("\0".join([code_fingerprint(), *request_parts]).encode("utf-8")).hexdigest()[:32]


def default_cache_dir() -> Path:
    if os.environ.get("BPC_CACHE_DIR"):
        return Path(os.environ["BPC_CACHE_DIR"])
    home = Path.home()
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "bpc"
    if os.name == "nt":
        return Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local")) / "bpc" / "cache"
    return Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache") / "bpc"


def writable_dir(preferred: Path) -> Path | None:
    """The cache directory, or a per-user temporary one (with a warning), or None (in memory)."""
    fallback = Path(tempfile.gettempdir()) / f"bpc-cache-{getattr(os, 'getuid', lambda: 'user')()}"
    for i, candidate in enumerate((preferred, fallback)):
        try:
            candidate.mkdir(parents=True, exist_ok=True)
            probe = tempfile.NamedTemporaryFile(dir=candidate, prefix=".probe-", delete=True)
            probe.close()
        except OSError as err:
            nxt = f"using {fallback}" if i == 0 else "keeping generated modules in memory"
            warnings.warn(f"bpc: cache directory {candidate} is not writable ({err.strerror}); {nxt}",
                          RuntimeWarning, stacklevel=4)
            continue
        return candidate
    return None


def with_checksum(text: str) -> str:
    return text + CHECKSUM_PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest() + "\n"


def verified(data: str) -> str | None:
    """The module text if its checksum line matches, else None."""
    body, sep, last = data.rstrip("\n").rpartition("\n")
    if not sep or not last.startswith(CHECKSUM_PREFIX):
        return None
    body += "\n"
    if hashlib.sha256(body.encode("utf-8")).hexdigest() != last[len(CHECKSUM_PREFIX):]:
        return None
    return body


def read(path: Path) -> str | None:
    """The verified module text at ``path``; None (with a warning if the file exists) otherwise."""
    if not path.exists():
        return None
    try:
        text = verified(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        text = None
    if text is None:
        warnings.warn(f"bpc: cached module {path} is damaged or was edited; regenerating it",
                      RuntimeWarning, stacklevel=4)
    return text


def write_atomic(path: Path, text: str) -> bool:
    try:
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".py", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
        return True
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False


def load(text: str, path: str, name: str) -> types.ModuleType:
    """Execute bpc-generated module text (already checksum-verified) as a fresh module."""
    module = types.ModuleType(name)
    module.__file__ = path
    module.__bpc_source__ = text
    code = builtins.compile(text, path, "exec", dont_inherit=True)
    sys.modules[name] = module      # before exec: Numba's cache looks the module up by name
    try:
        exec(code, module.__dict__)  # noqa: S102 - only bpc's own generated, verified code
    except BaseException:
        del sys.modules[name]
        raise
    return module
