"""The numba target: parallel kernels equal to the python target, out=, options, and the disk cache."""
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import compiler
from compiler.runtime import cache

ROOT = Path(__file__).resolve().parent.parent
FORMULAS = {
    "F1": "(x + sigmoid(y)) / (sigmoid(x) + (x + y)**2)",
    "F2": "sigmoid(w0*x0 + w1*x1 + w2)",
    "F3": "sin(x*y)*exp(-z**2) + log(1 + x**2 + y**2)*tanh(z)",
    "F4": "(1 - x)**2 + 100*(y - x**2)**2",
}


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_parallel_kernel_equals_python_target(name):
    gb = compiler.compile(FORMULAS[name], target="numba")
    gp = compiler.compile(FORMULAS[name], target="python")
    rng = np.random.default_rng(1)
    arrays = [rng.uniform(-1, 1, 1000) for _ in gb.inputs]
    f, grads = gb(*arrays)
    for i in range(0, 1000, 37):
        fp, gradsp = gp(*[a[i] for a in arrays])
        assert abs(f[i] - fp) <= 1e-12 * abs(fp)
        for a, b in zip(grads, gradsp):
            assert abs(a[i] - b) <= 1e-12 * abs(b)


def test_outputs_are_new_distinct_arrays_and_out_reuses_them():
    g = compiler.compile("x + y", target="numba")
    x, y = np.arange(5.0), np.ones(5)
    first = g(x, y)
    f, (dx, dy) = first
    for a, b in [(f, dx), (dx, dy), (f, x), (dx, y)]:
        assert not np.shares_memory(a, b)
    again = g(x * 2, y, out=first)
    assert np.shares_memory(again[0], f) and np.shares_memory(again[1][0], dx)
    assert f.tolist() == [1.0, 3.0, 5.0, 7.0, 9.0]


def test_out_allocates_nothing_per_call():
    g = compiler.compile("sin(x)*y", target="numba")
    x, y = np.linspace(0, 1, 200_000), np.ones(200_000)
    out = g(x, y)
    tracemalloc.start()
    for _ in range(3):
        g(x, y, out=out)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 200_000 * 8 / 10          # far below one output array


def test_out_must_match():
    g = compiler.compile("x*y", target="numba")
    res = g(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="shape"):
        g(np.ones(4), np.ones(4), out=res)


def test_scalars_broadcast_and_single_points():
    g = compiler.compile("x*y + sin(x)", target="numba")
    f, (dx, dy) = g(2.0, 3.0)
    assert np.ndim(f) == 0 and float(dy) == 2.0
    f, (dx, dy) = g(np.array([[0.0], [1.0]]), np.array([1.0, 2.0, 3.0]))
    assert f.shape == dx.shape == (2, 3)
    assert dy.tolist() == [[0.0] * 3, [1.0] * 3]


def test_float32_and_fastmath_options():
    g32 = compiler.compile(FORMULAS["F1"], target="numba", dtype="float32")
    g64 = compiler.compile(FORMULAS["F1"], target="numba")
    x = np.linspace(-1, 1, 101)
    f32, grads32 = g32(x, 0.5)
    f64, grads64 = g64(x, 0.5)
    assert f32.dtype == np.float32 and grads32[0].dtype == np.float32
    # float32 storage: about 7 significant digits
    assert np.allclose(f32, f64, rtol=1e-5, atol=1e-6) and np.allclose(grads32[0], grads64[0], rtol=1e-5, atol=1e-6)
    gf = compiler.compile(FORMULAS["F1"], target="numba", fastmath=True)
    assert "fastmath=True" in gf.source
    assert np.allclose(gf(x, 0.5)[1][0], grads64[0], rtol=1e-12)
    with pytest.raises(compiler.BpcError, match="fastmath= is an option of the numba and cuda targets"):
        compiler.compile("x", target="numpy", fastmath=True)


def test_second_process_loads_kernel_from_numba_cache(tmp_path):
    """Evidence from Numba itself: the second process has a cache hit and no compile."""
    code = (
        "import compiler, json\n"
        f"g = compiler.compile({FORMULAS['F1']!r}, target='numba', cache_dir={str(tmp_path)!r})\n"
        "g(3.0, -4.0)\n"
        "s = g.kernel.stats\n"
        "print(json.dumps([sum(s.cache_hits.values()), sum(s.cache_misses.values())]))\n"
    )
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT) for _ in range(2)]
    for r in runs:
        assert r.returncode == 0, r.stderr
    assert runs[0].stdout.strip() == "[0, 1]"      # first process: compiled and saved
    assert runs[1].stdout.strip() == "[1, 0]"      # second: loaded from the index, not compiled
    assert list(tmp_path.glob("__pycache__/*.nbi"))


def test_in_memory_module_compiles_without_numba_cache(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setattr(cache.tempfile, "gettempdir", lambda: str(blocker))
    with pytest.warns(RuntimeWarning):
        g = compiler.compile("x*7", target="numba", cache_dir=blocker / "cache", parallel=False)
    assert g.path is None
    assert float(g(1.0)[1][0]) == 7.0
