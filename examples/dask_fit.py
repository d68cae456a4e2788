"""Fit the damped oscillator of fit_oscillator.py to samples on disk, chunk by chunk, on a Dask cluster.

The samples (2 million by default; BPC_DASK_FIT_POINTS sets how many) are written to disk as
one .npy file per chunk and read back lazily, so no process ever holds more than a chunk or two. bpc's compiled loss (params= A, b, w,
phi shared by every point, reduce="mean") is called with the Dask arrays: each chunk's kernel
runs on a worker, and the mean loss and its four gradients are added up by Dask's tree
reduction. SciPy's BFGS drives the fit. The workers import the emitted module from their own
bpc cache, written from the module text that travels with the tasks.
Needs Dask and dask.distributed (pip install 'bpc[dask]').
"""
import os
import sys
import tempfile
import time

import numpy as np
from scipy.optimize import minimize

import compiler
from sources import OSCILLATOR

try:
    import dask
    import dask.array as da
    from distributed import Client, LocalCluster, progress
except ImportError:
    print("Dask is not installed (pip install 'bpc[dask]'): nothing to fit")
    sys.exit(0)

N = int(os.environ.get("BPC_DASK_FIT_POINTS", 2_000_000))
CHUNK = N // 16
PARAMS = ["A", "b", "w", "phi"]
TRUE = np.array([2.0, 0.3, 3.0, 0.5])



def save(t, y, directory, block_id=None):
    """Write one chunk of samples as ``<directory>/<chunk>.npy`` (t and y stacked); its length."""
    os.makedirs(directory, exist_ok=True)
    np.save(os.path.join(directory, f"{block_id[0]}.npy"), np.stack([t, y]))
    return np.array([t.size])


if __name__ == "__main__":
    g = compiler.compile(OSCILLATOR, target="numpy", params=PARAMS, reduce="mean", wrt=PARAMS)
    with tempfile.TemporaryDirectory() as data, \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                         env={"BPC_CACHE_DIR": os.path.join(data, "worker-cache")}) as cluster, \
            Client(cluster) as client:
        # the data set, made on the workers and written to disk chunk by chunk
        t = da.linspace(0.0, 10.0, N, chunks=CHUNK)
        noise = da.random.default_rng(7).normal(0.0, 0.1, N, chunks=CHUNK)
        y = TRUE[0] * da.exp(-TRUE[1] * t) * da.cos(TRUE[2] * t + TRUE[3]) + noise
        sizes = da.map_blocks(save, t, y, os.path.join(data, "samples"), dtype=int, chunks=((1,) * t.numblocks[0],))
        print(f"writing {N} samples ({16 * N / 1e6:.0f} MB) to disk in {t.numblocks[0]} chunks:")
        future = client.compute(sizes)
        progress(future)
        print()
        counts = future.result()
        del future
        # and read back lazily: each task maps one chunk's file
        parts = [da.from_delayed(dask.delayed(np.load)(os.path.join(data, "samples", f"{i}.npy"), mmap_mode="r"),
                                 (2, int(n)), dtype=np.float64) for i, n in enumerate(counts)]
        samples = da.concatenate(parts, axis=1)
        t, y = samples[0], samples[1]

        evaluations = []

        def loss_and_grad(p):
            value, grads = g(t=t, y=y, **dict(zip(PARAMS, p)))
            futures = client.compute([value, *grads])
            if not evaluations:
                print("first loss + gradient evaluation over the chunks:")
                progress(futures)
                print()
            start = time.perf_counter()
            value, *grads = client.gather(futures)
            evaluations.append(time.perf_counter() - start)
            return float(value), np.array(grads, dtype=float)

        start = np.array([1.5, 0.2, 2.8, 0.2])
        fit = minimize(loss_and_grad, start, jac=True, method="BFGS", options={"gtol": 1e-8})
        workers = client.run(lambda: sorted(os.listdir(os.environ["BPC_CACHE_DIR"])))
    print(f"{N} points in {N // CHUNK} chunks on 2 worker processes: {len(evaluations)} evaluations, "
          f"median {np.median(evaluations):.3f} s each")
    print(f"BFGS: mean squared error {fit.fun:.6f} (noise variance 0.01)")
    for name, true, got in zip(PARAMS, TRUE, fit.x):
        print(f"  {name:3s} true {true:.4f}  fitted {got:.4f}")
    print(f"each worker's own bpc cache holds {g.path.name}:",
          all(g.path.name in files for files in workers.values()))
    assert np.allclose(fit.x, TRUE, atol=2e-3), fit.x
    assert abs(fit.fun - 0.01) < 1e-3
