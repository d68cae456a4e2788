"""Gradient of d2l's MLP objective (examples/sources.py: MLP_D2L) for a batch of 256, sizes
784 -> 256 -> 10 and 64 -> 128 -> 10: bpc's numpy and numba targets against PyTorch eager and
JAX jit(grad) on the CPU, side by side in one process, interleaved, medians over rounds.

    python benchmarks/mlp.py [--rounds 200]    # writes benchmarks/results/mlp.{json,md}

Each variant returns J and (dW1, dW2); all are checked against bpc numpy to 1e-10 relative
before timing. PyTorch and JAX are optional: skipped with a message when absent.
OMP_WAIT_POLICY=PASSIVE is set (see below) unless the environment sets it.
"""
from __future__ import annotations

import os

# Interleaving calls of libraries with their own thread pools: PyTorch's OpenMP threads spin after
# each call by default and slow the next library's BLAS several-fold. Passive waiting measures each
# on its own merits (set before torch is imported).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import gc
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "examples"))

import numba  # noqa: E402

import compiler  # noqa: E402
from machine import cpu_model  # noqa: E402
from sources import MLP_D2L, MLP_D2L_SHAPES  # noqa: E402

from kernels import jax, jnp, torch  # noqa: E402  (optional anchors; JAX with float64)

LAM = 1e-3
SIZES = [(784, 256, 10), (64, 128, 10)]


def variants(d, h, q, n):
    rng = np.random.default_rng(0)
    W1, W2 = rng.normal(0, 0.05, (h, d)), rng.normal(0, 0.1, (q, h))
    x, y = rng.normal(size=(d, n)), rng.integers(0, q, n)
    v = {}
    for target in ("numpy", "numba"):
        g = compiler.compile(MLP_D2L, target=target, shapes=MLP_D2L_SHAPES, wrt="W1,W2")
        v[f"bpc {target}"] = (lambda g=g: g(W1, x, W2, y, LAM))
    if torch is not None:
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)
        tW1, tW2 = torch.from_numpy(W1.copy()), torch.from_numpy(W2.copy())

        def run_torch():
            a, b = tW1.detach().requires_grad_(True), tW2.detach().requires_grad_(True)
            o = b @ torch.relu(a @ tx)
            J = torch.nn.functional.cross_entropy(o.T, ty) + LAM / 2 * ((a * a).sum() + (b * b).sum())
            J.backward()
            return J.item(), (a.grad, b.grad)
        v["PyTorch eager"] = run_torch
    if jax is not None:
        jx, jy, jW1, jW2 = jnp.asarray(x), jnp.asarray(y), jnp.asarray(W1), jnp.asarray(W2)

        def objective(a, b):
            o = b @ jax.nn.relu(a @ jx)
            logp = jax.nn.log_softmax(o, axis=0)
            ce = -jnp.mean(jnp.take_along_axis(logp, jy[None, :], axis=0))
            return ce + LAM / 2 * (jnp.sum(a * a) + jnp.sum(b * b))
        vg = jax.jit(jax.value_and_grad(objective, argnums=(0, 1)))

        def run_jax():
            J, grads = vg(jW1, jW2)
            jax.block_until_ready(grads)
            return float(J), grads
        v["JAX jit(value_and_grad)"] = run_jax
    return v


def agreement(result, reference) -> float:
    J, grads = result
    worst = abs(J - reference[0]) / abs(reference[0])
    for a, b in zip(grads, reference[1]):
        a = np.asarray(a.numpy() if hasattr(a, "numpy") else a)
        worst = max(worst, float(np.max(np.abs(a - b)) / np.max(np.abs(b))))
    return worst


def bench(d, h, q, n, rounds):
    vs = variants(d, h, q, n)
    reference = vs["bpc numpy"]()
    rows, times = {}, {k: [] for k in vs}
    for name, fn in vs.items():
        t0 = time.perf_counter()
        result = fn()
        rows[name] = {"first_call_s": time.perf_counter() - t0, "max_rel_diff": agreement(result, reference)}
        rows[name]["valid"] = rows[name]["max_rel_diff"] <= 1e-10
    for _ in range(5):                                   # warm-up
        for fn in vs.values():
            fn()
    gc.collect()
    for _ in range(rounds):
        for name, fn in vs.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    for name, fn in vs.items():                          # then each alone: no other thread pool in between
        block = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            fn()
            block.append(time.perf_counter() - t0)
        rows[name]["median_ms"] = statistics.median(times[name]) * 1e3
        rows[name]["alone_median_ms"] = statistics.median(block) * 1e3
    for key, suffix in (("median_ms", ""), ("alone_median_ms", "_alone")):
        base = {k: rows[k][key] for k in rows}
        for name in rows:
            rows[name]["vs_torch" + suffix] = rows[name][key] / base["PyTorch eager"] if "PyTorch eager" in base else None
            rows[name]["vs_jax" + suffix] = (rows[name][key] / base["JAX jit(value_and_grad)"]
                                             if "JAX jit(value_and_grad)" in base else None)
    return {"sizes": f"{d} -> {h} -> {q}, batch {n}", "rows": rows}


def markdown(report) -> str:
    lines = ["# MLP gradient benchmark (CPU)", "",
             f"{report['cpu']}; OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}; numba threads {report['numba_threads']}, torch threads {report['torch_threads']}; "
             f"versions {report['versions']}. Medians of {report['rounds']} interleaved rounds.", "",
             "Interleaved: one call of each variant per round (the protocol). Alone: then each variant's",
             "rounds back to back, so no other library's thread pool runs in between.", "",
             "| sizes | variant | ms interleaved | / PyTorch | / JAX | ms alone | / PyTorch | / JAX | valid |",
             "|---|---|---|---|---|---|---|---|---|"]
    for case in report["cases"]:
        for name, r in case["rows"].items():
            ratio = lambda v: "" if v is None else f"{v:.2f}"  # noqa: E731
            lines.append(f"| {case['sizes']} | {name} | {r['median_ms']:.3f} | {ratio(r['vs_torch'])} | "
                         f"{ratio(r['vs_jax'])} | {r['alone_median_ms']:.3f} | {ratio(r['vs_torch_alone'])} | "
                         f"{ratio(r['vs_jax_alone'])} | {'yes' if r['valid'] else 'NO'} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    report = {"cpu": cpu_model(), "numba_threads": numba.get_num_threads(),
              "torch_threads": torch.get_num_threads() if torch else None,
              "versions": {"numpy": np.__version__, "numba": numba.__version__,
                           "torch": getattr(torch, "__version__", None), "jax": getattr(jax, "__version__", None),
                           "python": platform.python_version()},
              "rounds": args.rounds, "cases": [bench(d, h, q, 256, args.rounds) for d, h, q in SIZES]}
    out = HERE / "results"
    (out / "mlp.json").write_text(json.dumps(report, indent=1))
    (out / "mlp.md").write_text(markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
