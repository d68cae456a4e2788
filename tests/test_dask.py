"""Compiled functions on Dask arrays: chunk-wise kernels, tree-reduced totals, a real cluster.

The oracle is the in-memory NumPy call of the same compiled function (the stated acceptance:
Dask must not change the numbers), to 1e-12 relative for totals, exactly for elementwise results.
"""
import os

import numpy as np
import pytest

da = pytest.importorskip("dask.array", reason="Dask not installed (pip install 'bpc[dask]')")
import dask  # noqa: E402

import compiler  # noqa: E402
from compiler.interop import dask as bpc_dask  # noqa: E402
from conftest import example_sources  # noqa: E402

OSCILLATOR = example_sources().OSCILLATOR
PARAMS = dict(A=2.0, b=0.3, w=3.0, phi=0.5)


def _data(n, seed=0):
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, 10.0, n)
    return t, 2.0 * np.exp(-0.3 * t) * np.cos(3.0 * t + 0.5) + rng.normal(0.0, 0.1, n)


def _relative(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b)) / np.maximum(np.abs(np.asarray(b)), 1e-300)))


@pytest.mark.parametrize("reduce", ["sum", "mean"])
def test_reduce_matches_in_memory(reduce):
    g = compiler.compile(OSCILLATOR, target="numpy", params="A,b,w,phi", reduce=reduce, wrt="A,b,w,phi,t")
    t, y = _data(20_000)
    value, grads = g(t=da.from_array(t, chunks=3_000), y=da.from_array(y, chunks=3_000), **PARAMS)
    assert isinstance(value, da.Array) and value.shape == () and all(isinstance(d, da.Array) for d in grads)
    assert grads[-1].shape == t.shape and grads[-1].chunks == ((3_000,) * 6 + (2_000,),)
    value, *grads = dask.compute(value, *grads, scheduler="synchronous")
    expected_value, expected_grads = g(t=t, y=y, **PARAMS)
    assert _relative(value, expected_value) < 1e-12
    for got, expected in zip(grads, expected_grads):
        assert _relative(got, expected) < 1e-12


def test_elementwise_broadcast_and_chunks_equal_in_memory():
    g = compiler.compile("(x + sigmoid(y)) / (sigmoid(x) + (x + y)**2)", target="numpy")
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(200, 30)), rng.normal(size=30)
    value, grads = g(da.from_array(x, chunks=(70, 12)), y)      # a NumPy argument joins the Dask one
    assert value.shape == x.shape and value.chunks == ((70, 70, 60), (12, 12, 6))
    got = dask.compute(value, *grads, scheduler="synchronous")
    expected_value, expected_grads = g(x, y)
    for a, b in zip(got, (expected_value, *expected_grads)):
        np.testing.assert_array_equal(a, b)


def test_each_chunk_runs_once(monkeypatch):
    calls = []
    load = bpc_dask.load
    monkeypatch.setattr(bpc_dask, "load", lambda kernel: calls.append(1) or load(kernel))
    g = compiler.compile(OSCILLATOR, target="numpy", params="A,b,w,phi", reduce="sum", wrt="A,b,w,phi,t")
    t, y = _data(1_000)
    value, grads = g(t=da.from_array(t, chunks=100), y=y, **PARAMS)
    dask.compute(value, *grads, scheduler="synchronous")
    assert len(calls) == 10


def test_errors_are_one_line():
    g = compiler.compile(OSCILLATOR, target="numpy", params="A,b,w,phi", reduce="sum")
    t = da.zeros(10, chunks=5)
    with pytest.raises(compiler.BpcError, match="parameter 'A' must be a number"):
        g(t=t, y=t, A=t, b=0.3, w=3.0, phi=0.5)
    with pytest.raises(compiler.BpcError, match="out= is not supported"):
        g(t=t, y=t, out=object(), **PARAMS)


def test_missing_dask_names_the_extra(monkeypatch):
    import sys

    g = compiler.compile("x*y", target="numpy")
    x = da.ones(4, chunks=2)
    monkeypatch.setitem(sys.modules, "dask.array", None)            # import dask.array now fails
    with pytest.raises(compiler.BpcError, match=r"needs dask.*pip install 'bpc\[dask\]'"):
        g(x, 2.0)


def test_local_cluster_two_worker_processes(tmp_path, _cache_dir):
    """1e6 points in 10 chunks on a LocalCluster of 2 worker processes whose BPC_CACHE_DIR is not the
    client's; the client's copy of the module is removed before computing, so nothing can read it."""
    distributed = pytest.importorskip("distributed", reason="dask.distributed not installed (pip install 'bpc[dask]')")
    workers_cache = tmp_path / "workers-cache"
    g = compiler.compile(OSCILLATOR, target="numpy", params="A,b,w,phi", reduce="sum", wrt="A,b,w,phi")
    elementwise = compiler.compile(OSCILLATOR, target="numpy", wrt="A,t")
    client_files = [f.path for f in (g, elementwise)]
    assert all(p is not None and p.parent == _cache_dir for p in client_files)
    for path in client_files:
        path.unlink()
    T = da.linspace(0.0, 10.0, 1_000_000, chunks=100_000)         # made on the workers, not shipped
    Y = 2.0 * da.exp(-0.3 * T) * da.cos(3.0 * T + 0.5) + da.random.default_rng(0).normal(0.0, 0.1, T.shape,
                                                                                          chunks=T.chunks)
    t, y = dask.compute(T, Y, scheduler="synchronous")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  env={"BPC_CACHE_DIR": str(workers_cache)}) as cluster, \
            distributed.Client(cluster) as client:
        dirs = client.run(bpc_dask.worker_cache_dir)
        assert len(dirs) == 2 and all(d == workers_cache for d in dirs.values())
        value, grads = g(t=T, y=Y, **PARAMS)
        value, *grads = dask.compute(value, *grads)
        ew_value, ew_grads = elementwise(t=T, y=Y, **PARAMS)
        ew = dask.compute(ew_value, *ew_grads)
        assert client.run(lambda: os.getpid()) and len(client.scheduler_info()["workers"]) == 2
    expected_value, expected_grads = g(t=t, y=y, **PARAMS)
    assert _relative(value, expected_value) < 1e-12
    for got, expected in zip(grads, expected_grads):
        assert _relative(got, expected) < 1e-12
    ew_expected = elementwise(t=t, y=y, **PARAMS)
    for a, b in zip(ew, (ew_expected[0], *ew_expected[1])):
        np.testing.assert_array_equal(a, b)
    assert {p.name for p in workers_cache.glob("bpc_*.py")} == {p.name for p in client_files}
    assert not any(p.exists() for p in client_files)
