"""The disk cache: emitted modules under a content hash, written atomically with a checksum line.

A file whose checksum does not match is never executed. The key hashes bpc's own code and
templates, so a changed compiler never reuses an old module. A checksum is not authentication,
so a directory is used only if nobody else could have put files in it: it must be owned by the
current user and not writable by group or others (pip's and OpenSSH's rule; see ``unsafe``).

Size: after writing a new module the directory is kept under ``size_limit()`` bytes (500 MB,
or ``$BPC_CACHE_LIMIT``) by removing the least recently used modules with their Numba files.
A cache hit records its use by setting the module's access time (never its modification time:
Numba's index is stamped with it), so a hit never scans the directory. A write scans it only
when due (``evict_after_write``): a process's first write, then whenever what it wrote since its
last scan may have passed the limit, and at least every ``RESCAN_WRITES`` writes.
Only files named like bpc's own are ever removed: ``bpc_<32 hex>.py`` and, in ``__pycache__``,
the Numba files whose names start with ``bpc_<32 hex>.``.
"""
from __future__ import annotations

import builtins
import hashlib
import os
import re
import stat
import sys
import tempfile
import time
import types
import warnings
from pathlib import Path
from typing import NamedTuple

from ..fingerprint import code_fingerprint

CHECKSUM_PREFIX = "# bpc-sha256: "
DEFAULT_LIMIT = 500 * 10**6          # bytes; BPC_CACHE_LIMIT overrides, "0"/"none" turns eviction off
MODULE_NAME = re.compile(r"bpc_[0-9a-f]{32}")
NUMBA_FILE = re.compile(r"(bpc_[0-9a-f]{32})\..+")       # __pycache__/bpc_<key>.<function>-<line>.pyXY.nbi|nbc
NUMBA_TMP_GRACE_NS = 3600 * 10**9    # Numba writes "<file>.tmp.<hex>" then renames: leave young ones alone
RESCAN_WRITES = 32                   # a process's writes between two scans, at most (evict_after_write)


def key(request_parts: list[str]) -> str:
    return hashlib.sha256("\0".join([code_fingerprint(), *request_parts]).encode("utf-8")).hexdigest()[:32]


# ---------------------------------------------------------------- where the cache is

def default_cache_dir() -> Path:
    """``$BPC_CACHE_DIR``, else the platform's per-user cache directory (platformdirs:
    ``~/.cache/bpc`` or ``$XDG_CACHE_HOME/bpc``, ``~/Library/Caches/bpc``, ``%LOCALAPPDATA%\\bpc\\Cache``)."""
    if os.environ.get("BPC_CACHE_DIR"):
        return Path(os.environ["BPC_CACHE_DIR"])
    return Path(_platform_cache_dir())


def _platform_cache_dir() -> str:
    import platformdirs            # here, not at import: a cache hit with cache_dir= never needs it

    return platformdirs.user_cache_dir("bpc", appauthor=False)


def _uid() -> int | None:
    """The effective user id (it owns the files this process creates); None on Windows."""
    return os.geteuid() if hasattr(os, "geteuid") else None


def fallback_dir() -> Path:
    """The per-user temporary cache directory used when the preferred one cannot be used."""
    uid = _uid()
    return Path(tempfile.gettempdir()) / f"bpc-cache-{uid if uid is not None else 'user'}"


def unsafe(directory: Path, allow_symlink: bool = True) -> str | None:
    """Why another local user could plant files in ``directory``, or None if they cannot.

    Like pip and OpenSSH: the directory (``lstat``, so a symbolic link is judged by its own
    owner, then by its target's) must be owned by the current user and not writable by group
    or others. ``allow_symlink=False`` refuses any symbolic link (the fallback under /tmp,
    which bpc always creates itself). ACLs are not examined. Windows has no uid and its mode
    bits do not describe ACLs, so there only the symbolic link rule applies (its temporary
    directory is per user).
    """
    uid = _uid()
    st = os.lstat(directory)
    if stat.S_ISLNK(st.st_mode):
        if not allow_symlink:
            return "it is a symbolic link"
        if uid is not None and st.st_uid != uid:
            return f"it is a symbolic link owned by uid {st.st_uid}, not {uid}"
        st = os.stat(directory)
    if not stat.S_ISDIR(st.st_mode):
        return "it is not a directory"
    if uid is None:
        return None
    if st.st_uid != uid:
        return f"it is owned by uid {st.st_uid}, not {uid}"
    if st.st_mode & 0o022:
        return f"it is writable by group or others (mode {stat.S_IMODE(st.st_mode):o}; chmod go-w fixes that)"
    return None


def writable_dir(preferred: Path) -> Path | None:
    """The cache directory to use: ``preferred``, else the per-user temporary one, else None
    (modules are kept in memory), each step with a warning that says why.

    A directory is used only if it is safe (``unsafe``) and writable; both are created with
    mode 0700. A preferred directory that is unsafe is skipped for the temporary one, which is
    safe on its own terms if it passes the same check.
    """
    fallback = fallback_dir()
    for i, candidate in enumerate((preferred, fallback)):
        nxt = f"using {fallback}" if i == 0 else "keeping generated modules in memory"
        try:
            if i == 0:
                candidate.mkdir(mode=0o700, parents=True, exist_ok=True)
            else:
                try:
                    os.mkdir(candidate, 0o700)   # not exist_ok blindly: who made it is checked below
                except FileExistsError:
                    pass
            reason = unsafe(candidate, allow_symlink=(i == 0))
            if reason is None:
                probe = tempfile.NamedTemporaryFile(dir=candidate, prefix=".probe-", delete=True)
                probe.close()
        except OSError as err:
            warnings.warn(f"bpc: cache directory {candidate} is not writable ({err.strerror}); {nxt}",
                          RuntimeWarning, stacklevel=4)
            continue
        if reason is not None:
            warnings.warn(f"bpc: cache directory {candidate} is not safe to use ({reason}; another user "
                          f"could plant code in it); {nxt}", RuntimeWarning, stacklevel=4)
            continue
        return candidate
    return None


def resolve_dir(cache_dir=None) -> Path | None:
    """The directory ``compile(cache_dir=...)`` would use (None: in memory), as ``bpc cache`` shows it."""
    return writable_dir(Path(cache_dir) if cache_dir is not None else default_cache_dir())


# ---------------------------------------------------------------- one module

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
    """The verified module text at ``path``, its use recorded; None if there is none (not yet
    written, or just evicted by another process), None with a warning if it is damaged."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = handle.read()
            _mark_used(handle.fileno(), path)
        text = verified(data)
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        text = None
    if text is None:
        warnings.warn(f"bpc: cached module {path} is damaged or was edited; regenerating it",
                      RuntimeWarning, stacklevel=4)
    return text


def _mark_used(fd: int, path: Path) -> None:
    """Set the access time to now, keep the modification time (Numba's index is stamped with
    it): eviction is least recently used even where the file system does not record reads."""
    try:
        mtime = os.fstat(fd).st_mtime_ns
        os.utime(fd if os.utime in os.supports_fd else path, ns=(time.time_ns(), mtime))
    except OSError:
        pass


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


# ---------------------------------------------------------------- size, eviction, bpc cache path|size|clear

class CacheInfo(NamedTuple):
    path: Path
    modules: int        # bpc_<key>.py files
    bytes: int          # those plus their Numba files in __pycache__


class _Entry:
    """One module key: its .py (if still there) and its Numba files."""
    __slots__ = ("module", "module_used", "files", "size", "last_used")

    def __init__(self):
        self.module: Path | None = None
        self.module_used = 0        # ns: the module's own last use, as scanned
        self.files: list[Path] = []
        self.size = 0
        self.last_used = 0          # ns: the newest access or modification time of its files


def _entries(directory: Path) -> dict[str, _Entry]:
    """bpc's files in ``directory`` by module key; files vanishing meanwhile are skipped."""
    entries: dict[str, _Entry] = {}
    now = time.time_ns()

    def add(name: str, entry_path: os.DirEntry, is_module: bool) -> None:
        try:
            if not entry_path.is_file(follow_symlinks=False):
                return
            st = entry_path.stat(follow_symlinks=False)
        except FileNotFoundError:
            return
        if ".tmp." in entry_path.name and now - st.st_mtime_ns < NUMBA_TMP_GRACE_NS:
            return                  # Numba may be about to rename it into place
        entry = entries.setdefault(name, _Entry())
        path = Path(entry_path.path)
        used = max(st.st_atime_ns, st.st_mtime_ns)
        if is_module:
            entry.module, entry.module_used = path, used
        entry.files.append(path)
        entry.size += st.st_size
        entry.last_used = max(entry.last_used, used)

    for item in _scandir(directory):
        if item.name.endswith(".py") and MODULE_NAME.fullmatch(item.name[:-3]):
            add(item.name[:-3], item, True)
    pycache = directory / "__pycache__"
    if not pycache.is_symlink():
        for item in _scandir(pycache):
            match = NUMBA_FILE.fullmatch(item.name)
            if match:
                add(match.group(1), item, False)
    return entries


def _scandir(directory: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(directory) as it:
            return list(it)
    except (FileNotFoundError, NotADirectoryError):
        return []


def _remove(entry: _Entry) -> None:
    """The module first (so no new process starts loading it), then its Numba files."""
    for path in sorted(entry.files, key=lambda p: p != entry.module):
        try:
            os.unlink(path)
        except OSError:             # gone already (another process), or open on Windows
            pass


def _last_use(path: Path) -> int | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return max(st.st_atime_ns, st.st_mtime_ns)


def info(directory: Path) -> CacheInfo:
    """The directory, its number of bpc modules and the bytes they take with their Numba files."""
    directory = Path(directory)
    entries = _entries(directory).values()
    return CacheInfo(directory, sum(e.module is not None for e in entries), sum(e.size for e in entries))


def clear(directory: Path, older_than_seconds: float | None = None) -> int:
    """Remove bpc's modules (with their Numba files) not used for ``older_than_seconds``, or all
    of them; Numba files left without a module go too. The number of modules removed."""
    cutoff = None if older_than_seconds is None else time.time_ns() - int(older_than_seconds * 1e9)
    removed = 0
    for entry in _entries(Path(directory)).values():
        if cutoff is None or entry.last_used < cutoff:
            _remove(entry)
            removed += entry.module is not None
    return removed


def evict(directory: Path, limit: int | None, keep: str | None = None) -> int:
    """Remove least recently used modules until bpc's files in ``directory`` take at most
    ``limit`` bytes (None: no limit); never module ``keep`` (the one just written). Safe with
    other processes writing, loading and evicting: a module whose use time changed since the
    scan (just loaded) is kept, and files that vanish are skipped. The number removed."""
    return _evict(Path(directory), limit, keep)[0]


def _evict(directory: Path, limit: int | None, keep: str | None) -> tuple[int, int]:
    """evict(): (the number of modules removed, the bytes left as scanned)."""
    if limit is None:
        return 0, 0
    entries = _entries(directory)
    total = sum(e.size for e in entries.values())
    removed = 0
    for name, entry in sorted(entries.items(), key=lambda item: item[1].last_used):
        if total <= limit:
            break
        if name == keep:
            continue
        if entry.module is not None and (_last_use(entry.module) or 0) > entry.module_used:
            continue                # loaded by some process since the scan
        _remove(entry)
        total -= entry.size
        removed += entry.module is not None
    return removed, total


# directory -> [its bytes at this process's last scan plus what the process wrote since, writes since]
_TALLY: dict[str, list[int]] = {}


def evict_after_write(directory: Path, limit: int | None, keep: str, written: int) -> int:
    """evict() after this process wrote ``written`` bytes (module ``keep``) into ``directory``,
    when due: at the process's first write there, when the bytes of its last scan plus what it
    wrote since pass ``limit``, and otherwise every ``RESCAN_WRITES`` writes, for what other
    processes and Numba's files (written at a kernel's first call) added meanwhile. A scan stats
    every file, about 10 ms per thousand modules: a cache far below its limit is scanned once per
    RESCAN_WRITES writes, a full one at every write. The number of modules removed."""
    if limit is None:
        return 0
    tally = _TALLY.get(str(directory))
    if tally is not None:
        tally[0] += written
        tally[1] += 1
        if tally[0] <= limit and tally[1] < RESCAN_WRITES:
            return 0
    removed, total = _evict(Path(directory), limit, keep)
    _TALLY[str(directory)] = [total, 0]
    return removed


_UNITS = {"": 1, "b": 1, **{p + suffix: base**i for i, p in enumerate("kmgt", start=1)
                              for suffix, base in (("", 1000), ("b", 1000), ("i", 1024), ("ib", 1024))}}


def parse_size(text: str) -> int | None:
    """Bytes from ``"500MB"``, ``"1.5G"``, ``"200MiB"``, ``"123456"``: k/M/G/T are powers of
    1000, Ki/Mi/Gi/Ti of 1024 (as ccache), case ignored; ``"0"``, ``"none"``, ``"off"``,
    ``"unlimited"`` give None (no limit). ValueError otherwise."""
    s = text.strip().lower()
    if s in ("none", "off", "unlimited"):
        return None
    match = re.fullmatch(r"(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)", s)
    if not match or match.group(2) not in _UNITS:
        raise ValueError(f"not a size: {text!r} (examples: 500MB, 1GB, 200MiB, 1048576, none)")
    n = int(float(match.group(1)) * _UNITS[match.group(2)])
    return n or None


def size_limit() -> int | None:
    """The cache's size limit in bytes: ``$BPC_CACHE_LIMIT`` (see ``parse_size``), else
    ``DEFAULT_LIMIT``; None means no eviction. An unreadable value warns and keeps the default."""
    text = os.environ.get("BPC_CACHE_LIMIT", "").strip()
    if not text:
        return DEFAULT_LIMIT
    try:
        return parse_size(text)
    except ValueError as err:
        warnings.warn(f"bpc: BPC_CACHE_LIMIT: {err}; using {DEFAULT_LIMIT // 10**6} MB", RuntimeWarning, stacklevel=4)
        return DEFAULT_LIMIT


_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str) -> float:
    """Seconds from ``"90s"``, ``"30m"``, ``"12h"``, ``"7d"``, ``"2w"`` or plain seconds
    (for ``bpc cache clear --older-than``). ValueError otherwise."""
    match = re.fullmatch(r"(\d+(?:\.\d*)?|\.\d+)\s*([smhdw]?)", text.strip().lower())
    if not match:
        raise ValueError(f"not a duration: {text!r} (examples: 90s, 30m, 12h, 7d, 2w)")
    return float(match.group(1)) * _SECONDS[match.group(2) or "s"]
