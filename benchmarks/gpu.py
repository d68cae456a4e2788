"""F1-F5 and the reduced case on a GPU: bpc's cuda target against JAX and PyTorch on the same
GPU, and against a device-to-device copy of the same bytes (the bandwidth roofline).

    python benchmarks/gpu.py [--sizes 1e7,1e8] [--rounds 7]   # writes benchmarks/results/gpu.{json,md}
    python benchmarks/gpu.py --smoke    # tiny sizes in Numba's CUDA simulator: checks the script, times nothing

Every variant reads GPU arrays and writes GPU arrays (no host transfer is timed); each is
validated against bpc's numpy target on the host before it is timed. Times are medians over
rounds, interleaved, each synchronised on the device. "bandwidth" is the bytes a variant must
move at the least (k inputs read, k + 1 outputs written, 8 bytes each; the reduced case reads
its two arrays) divided by its time, compared with the copy's measured bandwidth.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

SMOKE = "--smoke" in sys.argv
if SMOKE:
    os.environ["NUMBA_ENABLE_CUDASIM"] = "1"       # before numba is imported

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import numba  # noqa: E402
from numba import cuda  # noqa: E402

import compiler  # noqa: E402
import formulas  # noqa: E402
from kernels import jax, jnp, lambdified, torch  # noqa: E402  (JAX with float64 enabled; optional)

RESULTS = HERE / "results"
OSCILLATOR = "(A*exp(-b*t)*cos(w*t + phi) - y)**2"
PARAMS = {"A": 2.0, "b": 0.3, "w": 3.0, "phi": 0.5}
FUNCTIONS = ("sigmoid", "exp", "sin", "cos", "tanh", "log")


def synchronize():
    cuda.synchronize()
    if torch is not None and not SMOKE:
        torch.cuda.synchronize()


def timed(fn, rounds_out: list):
    synchronize()
    t0 = time.perf_counter()
    fn()
    synchronize()
    rounds_out.append(time.perf_counter() - t0)


def copy_bandwidth(nbytes: int, rounds: int) -> float:
    """GB/s of a device-to-device copy of nbytes (it reads and writes them: 2 * nbytes moved)."""
    src = cuda.to_device(np.ones(max(nbytes // 8, 1)))
    dst = cuda.device_array_like(src)
    times = []
    for _ in range(rounds + 1):
        timed(lambda: dst.copy_to_device(src), times)
    return 2 * src.nbytes / statistics.median(times[1:]) / 1e9


def to_host(a) -> np.ndarray:
    if hasattr(a, "copy_to_host"):
        return a.copy_to_host()
    if hasattr(a, "detach"):
        return a.detach().cpu().numpy()
    return np.asarray(a)


def worst_difference(result, reference) -> float:
    f, grads = result
    pairs = [(f, reference[0])] + list(zip(grads, reference[1]))
    worst = 0.0
    for a, b in pairs:
        a, b = to_host(a).reshape(-1), np.asarray(b).reshape(-1)
        worst = max(worst, float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1.0))))
    return worst


def pointwise_variants(text, g, data_gpu, big):
    k = len(data_gpu)
    out = g(*data_gpu)
    variants = {"bpc cuda (out=)": lambda: g(*data_gpu, out=out), "bpc cuda": lambda: g(*data_gpu)}
    gn = compiler.compile(text, target="numpy")
    if jax is not None:
        fn = lambdified(gn, {name: getattr(jax.nn if name == "sigmoid" else jnp, name) for name in FUNCTIONS})
        vg = jax.jit(jax.vmap(jax.value_and_grad(fn, argnums=tuple(range(k)))))
        jdata = [jnp.asarray(to_host(a)) for a in data_gpu]

        def run_jax():
            value, grads = vg(*jdata)
            jax.block_until_ready((value, grads))
            return value, grads
        variants["JAX jit(vmap(value_and_grad))"] = run_jax
    if torch is not None and not big:            # eager PyTorch keeps every F5 intermediate: tens of GB
        tf = lambdified(gn, {name: getattr(torch, name) for name in FUNCTIONS})
        device = "cpu" if SMOKE else "cuda"
        tdata = [torch.as_tensor(to_host(a), device=device) for a in data_gpu]

        def run_torch():
            ts = [t.detach().requires_grad_(True) for t in tdata]
            value = tf(*ts)
            value.backward(torch.ones_like(value))
            return value.detach(), tuple(t.grad for t in ts)
        variants["PyTorch eager"] = run_torch
    return variants


def bench(label, variants, reference, nbytes, rounds):
    rows, times = {}, {name: [] for name in variants}
    for name, fn in variants.items():
        t0 = time.perf_counter()
        result = fn()
        synchronize()
        rows[name] = {"first_call_s": time.perf_counter() - t0, "max_diff": worst_difference(result, reference)}
        rows[name]["valid"] = rows[name]["max_diff"] <= 1e-12
        del result
    for _ in range(rounds):
        for name, fn in variants.items():
            timed(fn, times[name])
    for name in variants:
        med = statistics.median(times[name])
        rows[name].update({"median_s": med, "bandwidth_GBps": nbytes / med / 1e9, "times_s": times[name]})
    print(f"  {label}: " + ", ".join(f"{name} {r['median_s'] * 1e3:.3f} ms" for name, r in rows.items()))
    return rows


def run(sizes, rounds):
    report = {"device": "CUDA simulator" if SMOKE else cuda.get_current_device().name.decode(),
              "versions": {"numba": numba.__version__, "numpy": np.__version__,
                           "jax": getattr(jax, "__version__", None), "torch": getattr(torch, "__version__", None),
                           "python": platform.python_version()},
              "rounds": rounds, "cases": []}
    sources = {"F1": formulas.F1, "F2": formulas.F2, "F3": formulas.F3, "F4": formulas.F4, "F5": formulas.f5()}
    rng = np.random.default_rng(0)
    for n in sizes:
        for name, text in sources.items():
            g = compiler.compile(text, target="cuda")
            host = [rng.uniform(-1, 1, n) for _ in g.inputs]
            reference = compiler.compile(text, target="numpy")(*host)
            data_gpu = [cuda.to_device(a) for a in host]
            k = len(host)
            nbytes = (2 * k + 1) * 8 * n
            variants = pointwise_variants(text, g, data_gpu, big=name == "F5" and n > 10**7)
            rows = bench(f"{name} N={n:.0e}", variants, reference, nbytes, rounds)
            report["cases"].append({"case": name, "n": n, "bytes": nbytes, "copy_GBps": copy_bandwidth(nbytes // 2, rounds),
                                    "rows": rows})
            del data_gpu, variants
        report["cases"].append(bench_reduced(n, rounds))
    return report


def bench_reduced(n, rounds):
    params = list(PARAMS)
    t = np.linspace(0, 10, n)
    y = 2.0 * np.exp(-0.3 * t) * np.cos(3.0 * t + 0.5) + np.random.default_rng(1).normal(0, 0.1, n)
    g = compiler.compile(OSCILLATOR, target="cuda", params=params, reduce="mean", wrt=params)
    f, grads = compiler.compile(OSCILLATOR, target="numpy", params=params, reduce="mean", wrt=params)(**PARAMS, t=t, y=y)
    reference = (np.array([f]), tuple(np.array([d]) for d in grads))
    td, yd = cuda.to_device(t), cuda.to_device(y)

    def bpc():
        value, grads = g(**PARAMS, t=td, y=yd)
        return np.array([value]), tuple(np.array([d]) for d in grads)
    variants = {"bpc cuda reduce='mean'": bpc}
    if jax is not None:
        jt, jy = jnp.asarray(t), jnp.asarray(y)

        def loss(A, b, w, phi):
            return jnp.mean((A * jnp.exp(-b * jt) * jnp.cos(w * jt + phi) - jy) ** 2)
        vg = jax.jit(jax.value_and_grad(loss, argnums=(0, 1, 2, 3)))

        def run_jax():
            value, grads = vg(*PARAMS.values())
            return np.array([float(value)]), tuple(np.array([float(d)]) for d in grads)
        variants["JAX jit(value_and_grad)"] = run_jax
    if torch is not None:
        device = "cpu" if SMOKE else "cuda"
        tt, ty = torch.as_tensor(t, device=device), torch.as_tensor(y, device=device)

        def run_torch():
            ps = [torch.tensor(v, dtype=torch.float64, device=device, requires_grad=True) for v in PARAMS.values()]
            A, b, w, phi = ps
            value = torch.mean((A * torch.exp(-b * tt) * torch.cos(w * tt + phi) - ty) ** 2)
            value.backward()
            return np.array([value.item()]), tuple(np.array([p.grad.item()]) for p in ps)
        variants["PyTorch eager"] = run_torch
    rows = bench(f"reduced N={n:.0e}", variants, reference, 16 * n, rounds)
    return {"case": "reduced (oscillator, mean, 4 params)", "n": n, "bytes": 16 * n,
            "copy_GBps": copy_bandwidth(8 * n, rounds), "rows": rows}


def markdown(report) -> str:
    lines = [f"# GPU benchmark: {report['device']}", "",
             f"Medians of {report['rounds']} interleaved rounds; versions {report['versions']}.",
             "bandwidth = least bytes moved / time; copy = device-to-device copy of the same bytes.", "",
             "| case | N | variant | ms | GB/s | of copy | vs bpc | valid |", "|---|---|---|---|---|---|---|---|"]
    for case in report["cases"]:
        rows = case["rows"]
        ours = next(r for name, r in rows.items() if name.startswith("bpc cuda"))
        for name, r in rows.items():
            lines.append(f"| {case['case']} | {case['n']:.0e} | {name} | {r['median_s'] * 1e3:.3f} | "
                         f"{r['bandwidth_GBps']:.0f} | {r['bandwidth_GBps'] / case['copy_GBps']:.2f} | "
                         f"{r['median_s'] / ours['median_s']:.2f} | {'yes' if r['valid'] else 'NO'} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1e7,1e8")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    sizes = [256] if args.smoke else [int(float(s)) for s in args.sizes.split(",")]
    if not args.smoke and not cuda.is_available():
        sys.exit("no CUDA GPU: run with --smoke to check the script in the simulator")
    report = run(sizes, 1 if args.smoke else args.rounds)
    if args.smoke:
        print(markdown(report))
        return
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "gpu.json").write_text(json.dumps(report, indent=1))
    (RESULTS / "gpu.md").write_text(markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
