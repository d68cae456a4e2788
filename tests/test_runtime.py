"""The on-disk cache: reuse across calls and processes, atomic files, damage detection, fallbacks."""
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import compiler
from compiler import runtime
from compiler.runtime import cache

ROOT = Path(__file__).resolve().parent.parent


def cached_files(directory: Path):
    return sorted(p for p in directory.glob("bpc_*.py"))


def test_module_is_written_once_and_reused(tmp_path):
    g1 = compiler.compile("x*sin(y)", cache_dir=tmp_path)
    g2 = compiler.compile("x*sin(y)", cache_dir=tmp_path)
    assert g1 is g2
    (path,) = cached_files(tmp_path)
    assert g1.path == path
    text = path.read_text()
    assert text.startswith('"""Value of f') and text.splitlines()[-1].startswith("# bpc-sha256: ")
    assert not list(tmp_path.glob(".tmp-*"))      # no temporary files left behind


def test_new_process_loads_from_cache_without_generating(tmp_path):
    compiler.compile("x*sin(y)", cache_dir=tmp_path)
    (path,) = cached_files(tmp_path)
    mtime = path.stat().st_mtime_ns
    code = (
        "import sys, compiler, compiler.runtime as r\n"
        "def boom(*a, **k): raise SystemExit('generated again')\n"
        "r.generate = boom\n"
        f"g = compiler.compile('x*sin(y)', cache_dir={str(tmp_path)!r})\n"
        "print(g(2.0, 0.0))\n"
        "print('sympy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [repr((0.0, (0.0, 2.0))).replace("0.0", "np.float64(0.0)")
                                       .replace("2.0", "np.float64(2.0)"), "False"]   # no SymPy import needed
    assert path.stat().st_mtime_ns == mtime


def test_damaged_or_edited_module_is_regenerated_not_executed(tmp_path):
    g = compiler.compile("x + 1", cache_dir=tmp_path)
    (path,) = cached_files(tmp_path)
    canary = tmp_path / "canary"
    text = path.read_text()
    path.write_text(text.replace("import numpy as np", f"import numpy as np\nopen({str(canary)!r}, 'w')"))
    runtime._loaded.clear()
    with pytest.warns(RuntimeWarning, match="damaged or was edited"):
        g = compiler.compile("x + 1", cache_dir=tmp_path)
    assert not canary.exists()
    assert g(1.0) == (2.0, (1.0,))
    assert path.read_text() == text                 # rewritten whole
    path.write_text(text[: len(text) // 2])          # truncated
    runtime._loaded.clear()
    with pytest.warns(RuntimeWarning, match="damaged"):
        assert compiler.compile("x + 1", cache_dir=tmp_path)(2.0) == (3.0, (1.0,))


def test_cache_path_that_is_a_file_falls_back_with_warning(tmp_path):
    """Works as root too: a cache 'directory' that is really a file cannot be written."""
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.warns(RuntimeWarning, match="not writable"):
        g = compiler.compile("x*4", cache_dir=blocker / "cache")
    assert g(1.0) == (4.0, (4.0,))
    assert g.path is not None and blocker not in g.path.parents


def test_in_memory_when_nothing_is_writable(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setattr(cache.tempfile, "gettempdir", lambda: str(blocker))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        g = compiler.compile("x*5", cache_dir=blocker / "cache")
    assert any("in memory" in str(w.message) for w in caught)
    assert g.path is None and g(1.0) == (5.0, (5.0,))


def test_cache_dir_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("BPC_CACHE_DIR", str(tmp_path / "env"))
    g = compiler.compile("x*6")
    assert g.path.parent == tmp_path / "env"


def test_default_cache_dir_is_per_user_not_site_packages(monkeypatch):
    monkeypatch.delenv("BPC_CACHE_DIR", raising=False)
    path = cache.default_cache_dir()
    assert "site-packages" not in str(path)
    assert str(path).startswith(str(Path.home())) or "XDG_CACHE_HOME" in os.environ


def test_graph_available_after_cache_load(tmp_path):
    compiler.compile("x*y + 1", cache_dir=tmp_path)
    runtime._loaded.clear()
    g = compiler.compile("x*y + 1", cache_dir=tmp_path)
    assert [s.name for s in g.graph.stages] == ["xy", "f"]
    assert "bpc numpy" not in repr(g) and "x, y" in repr(g)


def test_second_compile_in_a_process_touches_no_files(tmp_path, monkeypatch):
    g = compiler.compile("x*11", cache_dir=tmp_path)
    monkeypatch.setattr(cache, "writable_dir", lambda *a: pytest.fail("probed the cache directory again"))
    assert compiler.compile("x*11", cache_dir=tmp_path) is g


def test_first_numba_call_retries_a_recursion_error_with_room():
    """Numba's parfor pass recurses once per link of a long + chain (a 1000-term sum overflows the
    default limit): the first call is retried on a thread with a big stack and a raised limit."""
    import sys
    from types import SimpleNamespace

    from compiler.runtime.function import GradFunction

    def deep(k):
        return 0 if k == 0 else 1 + deep(k - 1)

    calls = []

    def run():
        calls.append(1)
        return deep(20_000)

    fake = SimpleNamespace(_called=False, target="numba")
    limit = sys.getrecursionlimit()
    assert GradFunction._call(fake, run) == 20_000
    assert len(calls) == 2 and fake._called and sys.getrecursionlimit() == limit
    with pytest.raises(ZeroDivisionError):          # other errors pass through unchanged
        GradFunction._call(SimpleNamespace(_called=False, target="numba"), lambda: 1 / 0)
