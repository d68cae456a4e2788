"""The disk cache's safety and upkeep (issue #17): directories another user could write are not
used, the default directory comes from platformdirs, and the cache stays under a size limit by
evicting least recently used modules (with their Numba files, never anything not bpc's).

Ownership by someone else is real when the tests run as root (CI does): the directory is
chowned to nobody. Otherwise the process pretends to be another uid.
"""
import json
import os
import stat
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

import compiler
from compiler import runtime
from compiler.runtime import cache

ROOT = Path(__file__).resolve().parent.parent
posix_only = pytest.mark.skipif(not hasattr(os, "geteuid"), reason="uid and mode checks are POSIX only")


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    """No module memoized from another test; no limit unless a test sets one."""
    runtime._loaded.clear()
    cache._TALLY.clear()
    monkeypatch.delenv("BPC_CACHE_LIMIT", raising=False)
    yield
    runtime._loaded.clear()
    cache._TALLY.clear()


@pytest.fixture
def tmpdir_for_fallback(tmp_path, monkeypatch):
    """A private stand-in for /tmp, so the per-user fallback is this test's own."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(cache.tempfile, "gettempdir", lambda: str(tmp))
    return tmp


@pytest.fixture
def foreign(monkeypatch):
    """(the uid bpc will see, a function that makes a path belong to another user)."""
    if os.geteuid() == 0:
        return 0, lambda path: os.chown(path, 65534, 65534, follow_symlinks=False)
    fake = os.geteuid() + 1

    def pretend(path):                     # from now on everything this process owns looks foreign
        monkeypatch.setattr(os, "geteuid", lambda: fake)
        monkeypatch.setattr(os, "getuid", lambda: fake)
    return fake, pretend


def blocked(tmp_path) -> Path:
    """A preferred cache directory that cannot be created (its parent is a file)."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    return blocker / "cache"


def plant(directory: Path, formula: str, canary: Path) -> Path:
    """An attacker's module with a valid checksum where bpc will look for ``formula``'s module."""
    honest = compiler.compile(formula, cache_dir=directory.parent / "honest")
    runtime._loaded.clear()
    directory.mkdir(exist_ok=True)
    text = honest.source.replace("import numpy as np", f"import numpy as np\nopen({str(canary)!r}, 'w')")
    assert text != honest.source
    path = directory / honest.path.name
    path.write_text(cache.with_checksum(text))
    return path


def compile_quietly(formula, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        g = compiler.compile(formula, **kw)
    return g, [str(w.message) for w in caught]


# ---------------------------------------------------------------- who may write the directory

@posix_only
def test_planted_fallback_owned_by_another_user_is_refused(tmp_path, tmpdir_for_fallback, foreign):
    uid, make_foreign = foreign
    canary = tmp_path / "canary"
    fallback = tmpdir_for_fallback / f"bpc-cache-{uid}"
    plant(fallback, "x*3", canary)
    make_foreign(fallback)
    g, messages = compile_quietly("x*3", cache_dir=blocked(tmp_path))
    assert not canary.exists()                          # the planted module never ran
    assert g.path is None and g(2.0)[1] == (3.0,)
    assert any("not safe" in m and "owned by uid" in m and "in memory" in m for m in messages), messages


@posix_only
def test_main_cache_dir_owned_by_another_user_is_not_used(tmp_path, tmpdir_for_fallback, foreign):
    make_foreign = foreign[1]
    canary = tmp_path / "canary"
    main = tmp_path / "main"
    plant(main, "x*3", canary)
    make_foreign(main)
    g, messages = compile_quietly("x*3", cache_dir=main)
    assert not canary.exists()
    assert any("not safe" in m and "owned by uid" in m and "using" in m for m in messages), messages
    if os.geteuid() == 0:                               # really chowned: the temporary one is fine
        assert g.path.parent == cache.fallback_dir()


@posix_only
def test_group_writable_main_dir_falls_back_to_the_private_temporary_one(tmp_path, tmpdir_for_fallback):
    canary = tmp_path / "canary"
    main = tmp_path / "main"
    plant(main, "x*3", canary)
    main.chmod(0o775)
    g, messages = compile_quietly("x*3", cache_dir=main)
    assert not canary.exists()
    assert any("writable by group or others (mode 775" in m for m in messages), messages
    assert g.path.parent == tmpdir_for_fallback / f"bpc-cache-{os.geteuid()}"


@posix_only
def test_world_writable_fallback_means_memory(tmp_path, tmpdir_for_fallback):
    canary = tmp_path / "canary"
    fallback = tmpdir_for_fallback / f"bpc-cache-{os.getuid()}"
    plant(fallback, "x*3", canary)
    fallback.chmod(0o777)
    g, messages = compile_quietly("x*3", cache_dir=blocked(tmp_path))
    assert not canary.exists() and g.path is None
    assert any("writable by group or others" in m and "in memory" in m for m in messages), messages


def test_symlink_planted_at_the_fallback_path_is_refused(tmp_path, tmpdir_for_fallback):
    """Even to a directory of one's own: under /tmp anyone can plant (and later swap) a link."""
    canary = tmp_path / "canary"
    target = tmp_path / "attacker"
    plant(target, "x*3", canary)
    target.chmod(0o700)
    (tmpdir_for_fallback / f"bpc-cache-{os.getuid()}").symlink_to(target, target_is_directory=True)
    g, messages = compile_quietly("x*3", cache_dir=blocked(tmp_path))
    assert not canary.exists() and g.path is None
    assert any("symbolic link" in m and "in memory" in m for m in messages), messages


@posix_only
def test_new_cache_directories_are_created_private(tmp_path, tmpdir_for_fallback):
    old = os.umask(0o002)                               # even with a permissive umask
    try:
        g = compiler.compile("x*3", cache_dir=tmp_path / "a" / "main")
        assert stat.S_IMODE((tmp_path / "a" / "main").stat().st_mode) == 0o700
        runtime._loaded.clear()
        with pytest.warns(RuntimeWarning, match="not writable"):
            g = compiler.compile("x*3", cache_dir=blocked(tmp_path))
    finally:
        os.umask(old)
    fallback = tmpdir_for_fallback / f"bpc-cache-{os.getuid()}"
    assert g.path.parent == fallback and stat.S_IMODE(fallback.stat().st_mode) == 0o700


def test_a_symlinked_main_dir_of_ones_own_is_used(tmp_path):
    """``~/.cache/bpc -> /data/bpc`` keeps working: a link is judged by its owner and its target."""
    target = tmp_path / "data"
    target.mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(target, target_is_directory=True)
    g, messages = compile_quietly("x*3", cache_dir=tmp_path / "link")
    assert not messages and g.path.resolve().parent == target.resolve()


def test_windows_has_no_uid_only_the_symlink_rule(tmp_path, monkeypatch):
    monkeypatch.delattr(os, "geteuid", raising=False)
    loose = tmp_path / "loose"
    loose.mkdir()
    loose.chmod(0o777)                                  # mode bits do not describe Windows ACLs
    assert cache.unsafe(loose) is None
    (tmp_path / "link").symlink_to(loose, target_is_directory=True)
    assert cache.unsafe(tmp_path / "link", allow_symlink=False) == "it is a symbolic link"
    assert cache.fallback_dir().name == "bpc-cache-user"


# ---------------------------------------------------------------- where the cache is by default

def test_default_dir_comes_from_platformdirs_after_env(tmp_path, monkeypatch):
    import platformdirs

    calls = []
    monkeypatch.setattr(platformdirs, "user_cache_dir",
                        lambda *a, **k: calls.append((a, k)) or str(tmp_path / "platform"))
    monkeypatch.delenv("BPC_CACHE_DIR", raising=False)
    assert cache.default_cache_dir() == tmp_path / "platform"
    assert calls == [(("bpc",), {"appauthor": False})]  # no "bpc\bpc" doubling on Windows
    monkeypatch.setenv("BPC_CACHE_DIR", str(tmp_path / "env"))
    assert cache.default_cache_dir() == tmp_path / "env"
    assert compiler.compile("x*3", cache_dir=tmp_path / "arg").path.parent == tmp_path / "arg"


# ---------------------------------------------------------------- use, size, eviction

def make_modules(directory: Path, n: int) -> list[Path]:
    """``n`` real cached modules, oldest first (last used 100 s apart, an hour ago and later)."""
    paths = [compiler.compile(f"x*{k} + 1", cache_dir=directory).path for k in range(2, n + 2)]
    start = time.time() - 3600
    for i, path in enumerate(paths):
        os.utime(path, (start + 100 * i, start + 100 * i))
    return paths


def test_a_hit_records_use_in_the_access_time_and_keeps_the_modification_time(tmp_path, monkeypatch):
    """Set explicitly, so it works on noatime mounts; mtime must stay, it is the stamp in Numba's index."""
    (path,) = make_modules(tmp_path, 1)
    old = time.time() - 2000
    os.utime(path, (old, old))
    runtime._loaded.clear()
    calls = []
    real = os.utime
    monkeypatch.setattr(os, "utime", lambda *a, **k: calls.append(k) or real(*a, **k))
    before = time.time_ns()
    compiler.compile("x*2 + 1", cache_dir=tmp_path)
    st = path.stat()
    assert len(calls) == 1 and calls[0]["ns"][0] >= before   # not left to the file system's atime
    assert st.st_atime_ns >= before and st.st_mtime == pytest.approx(old)


def test_eviction_removes_least_recently_used_first(tmp_path):
    paths = make_modules(tmp_path, 4)
    runtime._loaded.clear()
    compiler.compile("x*2 + 1", cache_dir=tmp_path)     # the oldest is used again: now the newest
    sizes = {p: p.stat().st_size for p in paths}
    assert cache.evict(tmp_path, sizes[paths[0]] + sizes[paths[3]]) == 2
    assert [p.exists() for p in paths] == [True, False, False, True]


def test_eviction_never_removes_the_module_just_written(tmp_path, monkeypatch):
    make_modules(tmp_path, 3)
    monkeypatch.setenv("BPC_CACHE_LIMIT", "1")          # nothing fits
    g = compiler.compile("x*7 + 1", cache_dir=tmp_path)
    assert list(tmp_path.glob("bpc_*.py")) == [g.path]
    assert g(1.0)[1] == (7.0,)


def test_eviction_touches_only_bpc_files(tmp_path):
    (path,) = make_modules(tmp_path, 1)
    name = path.stem
    pycache = tmp_path / "__pycache__"
    pycache.mkdir()
    ours = [pycache / f"{name}._kernel-20.py311.nbi", pycache / f"{name}._kernel-20.py311.1.nbc"]
    theirs = [tmp_path / "notes.py", tmp_path / "bpc_short.py", tmp_path / f"{name}.txt",
              tmp_path / f"x{name}.py", pycache / "mymod._kernel-3.py311.nbi", pycache / f"{name[:-1]}.nbi",
              pycache / f"{name}._kernel-20.py311.nbi.tmp.0123456789abcdef"]   # Numba writing it now
    for p in ours + theirs:
        p.write_bytes(b"\0" * 1000)
    assert cache.info(tmp_path) == (tmp_path, 1, path.stat().st_size + 2000)
    assert cache.evict(tmp_path, 1) == 1
    assert not path.exists() and not any(p.exists() for p in ours)
    assert all(p.exists() for p in theirs)


def test_a_cache_hit_does_not_scan_the_directory(tmp_path, monkeypatch):
    scans = []
    real = cache._scandir
    monkeypatch.setattr(cache, "_scandir", lambda d: scans.append(d) or real(d))
    compiler.compile("x*3", cache_dir=tmp_path)
    assert scans                                        # the write checked the size
    scans.clear()
    runtime._loaded.clear()                             # as in a new process
    compiler.compile("x*3", cache_dir=tmp_path)
    assert scans == []


def _write_module(directory: Path, k: int, size: int = 1000) -> int:
    """A file named like a bpc module, ``size`` bytes; its size."""
    (directory / f"bpc_{k:032x}.py").write_bytes(b"#" * size)
    return size


def _bytes(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.glob("bpc_*.py"))


def test_a_write_scans_the_directory_only_when_eviction_may_be_due(tmp_path, monkeypatch):
    """Far below the limit: a scan at the process's first write, then one every RESCAN_WRITES
    writes. Near it: a scan at every write, and the limit holds after each one."""
    scans = []
    real = cache._entries
    monkeypatch.setattr(cache, "_entries", lambda d: scans.append(d) or real(d))
    far, near = tmp_path / "far", tmp_path / "near"
    far.mkdir(), near.mkdir()
    n = 2 * cache.RESCAN_WRITES + 1
    for k in range(n):
        cache.evict_after_write(far, 10**9, f"bpc_{k:032x}", _write_module(far, k))
    assert len(scans) == 3                       # writes 1, 33 and 65
    assert _bytes(far) == n * 1000
    scans.clear()
    for k in range(20):
        cache.evict_after_write(near, 5000, f"bpc_{k:032x}", _write_module(near, k))
        assert _bytes(near) <= 5000, k
        assert (near / f"bpc_{k:032x}.py").exists()
    assert len(scans) == 1 + (20 - 5)            # the first write; then each from the sixth on


def test_writes_by_other_processes_are_evicted_within_rescan_writes(tmp_path):
    """The running total counts only this process's writes; the periodic scan catches the rest."""
    cache.evict_after_write(tmp_path, 20_000, f"bpc_{0:032x}", _write_module(tmp_path, 0))
    for k in range(1, 40):                       # another process fills the cache past its limit
        _write_module(tmp_path, k)
    assert _bytes(tmp_path) == 40_000
    for k in range(40, 40 + cache.RESCAN_WRITES):
        cache.evict_after_write(tmp_path, 20_000, f"bpc_{k:032x}", _write_module(tmp_path, k, 10))
    assert _bytes(tmp_path) <= 20_000


def test_eviction_keeps_a_module_loaded_meanwhile_and_tolerates_vanished_files(tmp_path, monkeypatch):
    paths = make_modules(tmp_path, 4)
    real = cache._entries

    def racing(directory):
        entries = real(directory)
        cache.read(paths[0])                            # another process loads the oldest...
        paths[1].unlink()                               # ...and another evicts the next one
        return entries

    monkeypatch.setattr(cache, "_entries", racing)
    cache.evict(tmp_path, paths[3].stat().st_size + paths[0].stat().st_size)
    assert [p.exists() for p in paths] == [True, False, False, True]


def test_a_module_that_vanishes_before_reading_is_a_miss_not_damage(tmp_path, monkeypatch):
    monkeypatch.setattr(Path, "exists", lambda self: True)   # it was there a moment ago
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cache.read(tmp_path / ("bpc_" + "0" * 32 + ".py")) is None


def test_a_module_evicted_while_numba_sets_up_its_cache_loads_from_memory(tmp_path, monkeypatch):
    """Numba raises if the file goes between the module's isfile() and its @njit(cache=True)."""
    compiler.compile("x*3", cache_dir=tmp_path)
    runtime._loaded.clear()
    real = cache.load

    def evicted_meanwhile(text, path, name):
        if os.path.exists(path):
            os.unlink(path)
            raise RuntimeError("cannot cache function '_kernel': no locator available for file")
        return real(text, path, name)

    monkeypatch.setattr(cache, "load", evicted_meanwhile)
    g = compiler.compile("x*3", cache_dir=tmp_path)
    assert g.path is None and g(2.0)[1] == (3.0,)


@pytest.mark.parametrize("text, expected", [
    ("500MB", 500 * 10**6), ("1GB", 10**9), ("1.5g", 15 * 10**8), ("200MiB", 200 * 2**20),
    ("64 kib", 65536), ("123456", 123456), ("0", None), ("none", None), ("Unlimited", None), ("0MB", None)])
def test_size_parsing(text, expected):
    assert cache.parse_size(text) == expected


def test_size_limit_from_environment(monkeypatch):
    assert cache.size_limit() == cache.DEFAULT_LIMIT == 500 * 10**6
    monkeypatch.setenv("BPC_CACHE_LIMIT", "2GB")
    assert cache.size_limit() == 2 * 10**9
    monkeypatch.setenv("BPC_CACHE_LIMIT", "off")
    assert cache.size_limit() is None
    monkeypatch.setenv("BPC_CACHE_LIMIT", "lots")
    with pytest.warns(RuntimeWarning, match="BPC_CACHE_LIMIT.*not a size"):
        assert cache.size_limit() == cache.DEFAULT_LIMIT
    for bad in ("-1", "1XB", "MB", ""):
        with pytest.raises(ValueError):
            cache.parse_size(bad)


def test_clear_older_than(tmp_path):
    paths = make_modules(tmp_path, 4)                   # last used 60, 58, 56, 55 minutes ago
    orphan = tmp_path / "__pycache__" / ("bpc_" + "f" * 32 + "._kernel-9.py311.nbi")
    orphan.parent.mkdir()
    orphan.write_bytes(b"\0")
    os.utime(orphan, (time.time() - 7200,) * 2)
    keep = tmp_path / "mine.py"
    keep.write_text("")
    assert cache.clear(tmp_path, older_than_seconds=cache.parse_duration("57m")) == 2
    assert [p.exists() for p in paths] == [False, False, True, True] and not orphan.exists()
    assert cache.clear(tmp_path) == 2
    assert cache.info(tmp_path) == (tmp_path, 0, 0) and keep.exists()
    assert cache.info(tmp_path / "absent") == (tmp_path / "absent", 0, 0)


@pytest.mark.parametrize("text, seconds", [("90", 90), ("90s", 90), ("30m", 1800), ("12h", 43200),
                                           ("7d", 604800), ("2w", 1209600), ("1.5h", 5400)])
def test_duration_parsing(text, seconds):
    assert cache.parse_duration(text) == seconds
    with pytest.raises(ValueError):
        cache.parse_duration("soon")


def test_size_counts_and_clear_removes_numba_cache_files(tmp_path):
    """Against Numba's real file names."""
    g = compiler.compile("x*7", target="numba", cache_dir=tmp_path, parallel=False)
    g(1.0)
    numba_files = list((tmp_path / "__pycache__").iterdir())
    assert numba_files
    assert cache.info(tmp_path).bytes == g.path.stat().st_size + sum(p.stat().st_size for p in numba_files)
    assert cache.clear(tmp_path) == 1
    assert not list((tmp_path / "__pycache__").iterdir())


STRESS = r"""
import json, math, random, sys, warnings
import compiler, compiler.runtime as r
directory, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
bad = 0
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for _ in range(3):
        order = list(range(8))
        rng.shuffle(order)
        for k in order:
            r._loaded.clear()                   # always through the disk, like a new process
            value, _ = compiler.compile(f"sin(x*{k}) + {k}", cache_dir=directory)(0.5)
            bad += int(abs(value - (math.sin(0.5 * k) + k)) > 1e-12)
print(json.dumps({"bad": bad, "warnings": [str(w.message) for w in caught]}))
"""


def test_processes_writing_loading_and_evicting_at_once(tmp_path):
    """Room for about three modules, four processes: constant eviction, yet no error, no wrong
    value, no 'damaged' warning (a module evicted before reading is simply regenerated)."""
    env = {**os.environ, "BPC_CACHE_LIMIT": "3KB"}
    procs = [subprocess.Popen([sys.executable, "-c", STRESS, str(tmp_path), str(seed)], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for seed in range(4)]
    results = [(p.communicate(timeout=120), p.returncode) for p in procs]
    for (out, err), returncode in results:
        assert returncode == 0, err
        assert json.loads(out) == {"bad": 0, "warnings": []}
    assert 1 <= cache.info(tmp_path).modules < 8
