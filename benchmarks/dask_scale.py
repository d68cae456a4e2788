"""Time per point of a compiled loss + parameter gradients on a Dask LocalCluster vs one in-memory call.

The oscillator's squared error (examples/sources.py: OSCILLATOR) with params= A, b, w, phi and
reduce="sum", over N points in C chunks:

- in memory: one call of the compiled function on NumPy arrays held by this process;
- LocalCluster: the same function called with Dask arrays that live on 2 worker processes (one
  thread each; the data made there and persisted, so the timing is the kernels and the tree
  reduction, not moving data), value and gradients computed together;
- Dask threads: the same graph on Dask's local threaded scheduler (no cluster), for scale.

Each variant's value and gradients are checked against the in-memory call (1e-12 relative) before
timing; the first cluster call (workers write and import the module) is timed separately.

    python benchmarks/dask_scale.py [--points 1e6] [--chunks 10] [--targets numpy,numba] [--rounds 5]

writes benchmarks/results/dask_scale.{json,md}.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "examples"))

import dask  # noqa: E402
import dask.array as da  # noqa: E402
import distributed  # noqa: E402

import compiler  # noqa: E402
from machine import cpu_model  # noqa: E402
from sources import OSCILLATOR  # noqa: E402

PARAMS = dict(A=2.0, b=0.3, w=3.0, phi=0.5)


def timed(fn, rounds):
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def relative(got, expected) -> float:
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    return float(np.max(np.abs(got - expected) / np.maximum(np.abs(expected), 1e-300)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=float, default=1e6)
    parser.add_argument("--chunks", type=int, default=10)
    parser.add_argument("--targets", default="numpy,numba")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    n, chunks = int(args.points), args.chunks
    size = -(-n // chunks)
    rows = []
    with tempfile.TemporaryDirectory() as workers_cache, \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                     env={"BPC_CACHE_DIR": workers_cache, "NUMBA_NUM_THREADS": "1"}) as cluster, \
            distributed.Client(cluster) as client:
        T = da.linspace(0.0, 10.0, n, chunks=size)
        Y = 2.0 * da.exp(-0.3 * T) * da.cos(3.0 * T + 0.5) + da.random.default_rng(0).normal(0.0, 0.1, n, chunks=size)
        t, y = dask.compute(T, Y, scheduler="threads")
        T, Y = client.persist([T, Y])
        distributed.wait([T, Y])
        for target in args.targets.split(","):
            g = compiler.compile(OSCILLATOR, target=target, params=list(PARAMS), reduce="sum", wrt=list(PARAMS))
            g(t=t[:10], y=y[:10], **PARAMS)                     # compile / load here before timing
            memory, expected = timed(lambda: g(t=t, y=y, **PARAMS), args.rounds)
            expected = [expected[0], *expected[1]]

            def on_cluster():
                value, grads = g(t=T, y=Y, **PARAMS)
                return client.gather(client.compute([value, *grads]))

            def on_threads():
                value, grads = g(t=da.from_array(t, chunks=size), y=da.from_array(y, chunks=size), **PARAMS)
                return dask.compute(value, *grads, scheduler="threads")

            first, got = timed(on_cluster, 1)
            worst = max(relative(a, b) for a, b in zip(got, expected))
            cluster_time, got = timed(on_cluster, args.rounds)
            worst = max(worst, *(relative(a, b) for a, b in zip(got, expected)))
            threads_time, got = timed(on_threads, args.rounds)
            worst_threads = max(relative(a, b) for a, b in zip(got, expected))
            rows.append({"target": target, "points": n, "chunks": chunks,
                         "in_memory_s": memory, "cluster_s": cluster_time, "cluster_first_call_s": first,
                         "threads_s": threads_time,
                         "in_memory_ns_per_point": memory / n * 1e9, "cluster_ns_per_point": cluster_time / n * 1e9,
                         "threads_ns_per_point": threads_time / n * 1e9,
                         "cluster_over_in_memory": cluster_time / memory,
                         "max_relative_difference_cluster": worst, "max_relative_difference_threads": worst_threads})
            print(json.dumps(rows[-1]))
            assert worst < 1e-12 and worst_threads < 1e-12, (worst, worst_threads)
    machine = {"cpu": cpu_model(), "cores": os.cpu_count(), "python": platform.python_version(),
               "numpy": np.__version__, "dask": dask.__version__, "distributed": distributed.__version__,
               "note": "2 worker processes x 1 thread; the machine's 2 cores were shared with other processes"}
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "dask_scale.json").write_text(json.dumps({"machine": machine, "rounds": args.rounds, "rows": rows},
                                                    indent=2) + "\n")
    lines = ["# Dask scaling benchmark (CPU)", "",
             f"{machine['cpu']}, {machine['cores']} cores; numpy {machine['numpy']}, dask {machine['dask']}, "
             f"distributed {machine['distributed']}. {machine['note']}. Medians of {args.rounds} rounds.", "",
             "Oscillator squared error, params= A, b, w, phi, reduce=\"sum\": value and 4 parameter gradients. "
             "In memory: one call on NumPy arrays. LocalCluster: 2 worker processes, 1 thread each, data "
             "persisted on the workers. Dask threads: local threaded scheduler, NumPy data chunked.", "",
             "| target | points | chunks | in memory ns/pt | LocalCluster ns/pt | cluster / in memory "
             "| first cluster call s | Dask threads ns/pt | max rel. diff |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['target']} | {r['points']:.0e} | {r['chunks']} | {r['in_memory_ns_per_point']:.1f} | "
                     f"{r['cluster_ns_per_point']:.1f} | {r['cluster_over_in_memory']:.2f} | "
                     f"{r['cluster_first_call_s']:.2f} | {r['threads_ns_per_point']:.1f} | "
                     f"{max(r['max_relative_difference_cluster'], r['max_relative_difference_threads']):.1e} |")
    (out / "dask_scale.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
