"""Speed of compiler.vecmath inside Numba prange kernels: for each function, a
@njit(parallel=True) kernel over 1e6 and 1e7 float64 points calling (a) the vecmath function,
(b) the libm / NumPy-scalar equivalent inside Numba (what a kernel calls without vecmath), and
(c) NumPy's (or SciPy's) ufunc on the whole array as an anchor; plus a sigmoid-gradient kernel
(s = sigmoid(x); out = s * (1 - s)).

    python benchmarks/vecmath_speed.py [--quick] [--rounds 7] [--threads 0,1]

writes benchmarks/results/vecmath_speed.json and benchmarks/results/vecmath_speed.md.

All variants run in one process, interleaved (round r times every variant once before round
r + 1 starts), after a warm-up call; reported: the median over the rounds, in ns per point, and
ratios to vecmath (> 1: vecmath is faster). Outputs are preallocated and written in place
(out=) by every variant. Each vecmath output is checked against NumPy before timing.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import numba  # noqa: E402
import scipy.special as sc  # noqa: E402

from compiler.vecmath import f64  # noqa: E402
from machine import cpu_model  # noqa: E402

# ---------------------------------------------------------------------------------------------
# the libm / NumPy-scalar versions a Numba kernel uses without vecmath


@numba.njit
def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


@numba.njit
def _softplus(x):
    return max(x, 0.0) + np.log1p(np.exp(-abs(x)))


@numba.njit
def _pow(x, y):
    return math.pow(x, y)


@numba.njit
def _atan2(y, x):
    return math.atan2(y, x)


@numba.njit
def _logaddexp(a, b):
    return np.logaddexp(a, b)


# name: (libm equivalent inside Numba, its description, NumPy/SciPy anchor, anchor description,
#        input generator)
def _u(a, b):
    return lambda rng, n: (rng.uniform(a, b, n),)


def _u2(a, b, c, d):
    return lambda rng, n: (rng.uniform(a, b, n), rng.uniform(c, d, n))


CASES = {
    "exp": (np.exp, "np.exp", lambda x, o: np.exp(x, out=o), "np.exp", _u(-50, 50)),
    "expm1": (np.expm1, "np.expm1", lambda x, o: np.expm1(x, out=o), "np.expm1", _u(-5, 5)),
    "log": (np.log, "np.log", lambda x, o: np.log(x, out=o), "np.log", lambda r, n: (np.exp(r.uniform(-7, 7, n)),)),
    "log1p": (np.log1p, "np.log1p", lambda x, o: np.log1p(x, out=o), "np.log1p", _u(-0.9, 10)),
    "exp2": (np.exp2, "np.exp2", lambda x, o: np.exp2(x, out=o), "np.exp2", _u(-60, 60)),
    "log2": (np.log2, "np.log2", lambda x, o: np.log2(x, out=o), "np.log2", lambda r, n: (np.exp(r.uniform(-7, 7, n)),)),
    "pow": (_pow, "math.pow", lambda x, y, o: np.power(x, y, out=o), "np.power", _u2(0.1, 10, -10, 10)),
    "tanh": (np.tanh, "np.tanh", lambda x, o: np.tanh(x, out=o), "np.tanh", _u(-10, 10)),
    "sigmoid": (_sigmoid, "1/(1+np.exp(-x))", lambda x, o: sc.expit(x, out=o), "scipy.special.expit", _u(-20, 20)),
    "softplus": (_softplus, "max(x,0)+np.log1p(np.exp(-|x|))", lambda x, o: np.logaddexp(0.0, x, out=o),
                 "np.logaddexp(0, x)", _u(-20, 20)),
    "logaddexp": (_logaddexp, "np.logaddexp", lambda a, b, o: np.logaddexp(a, b, out=o), "np.logaddexp",
                  _u2(-20, 20, -20, 20)),
    "sin": (np.sin, "np.sin", lambda x, o: np.sin(x, out=o), "np.sin", _u(-100, 100)),
    "cos": (np.cos, "np.cos", lambda x, o: np.cos(x, out=o), "np.cos", _u(-100, 100)),
    "atan": (np.arctan, "np.arctan", lambda x, o: np.arctan(x, out=o), "np.arctan", _u(-10, 10)),
    "atan2": (_atan2, "math.atan2", lambda y, x, o: np.arctan2(y, x, out=o), "np.arctan2", _u2(-10, 10, -10, 10)),
    "erf": (math.erf, "math.erf", lambda x, o: sc.erf(x, out=o), "scipy.special.erf", _u(-4, 4)),
    "erfc": (math.erfc, "math.erfc", lambda x, o: sc.erfc(x, out=o), "scipy.special.erfc", _u(-2, 8)),
}


def _kernel1(f):
    @numba.njit(parallel=True)
    def k(x, out):
        for i in numba.prange(x.size):
            out[i] = f(x[i])
    return k


def _kernel2(f):
    @numba.njit(parallel=True)
    def k(x, y, out):
        for i in numba.prange(x.size):
            out[i] = f(x[i], y[i])
    return k


@numba.njit(parallel=True)
def _grad_vecmath(x, out):
    for i in numba.prange(x.size):
        s = f64.sigmoid(x[i])
        out[i] = s * (1.0 - s)


@numba.njit(parallel=True)
def _grad_libm(x, out):
    for i in numba.prange(x.size):
        s = 1.0 / (1.0 + np.exp(-x[i]))
        out[i] = s * (1.0 - s)


def _grad_numpy(x, out):
    s = sc.expit(x)
    np.multiply(s, 1.0 - s, out=out)


def variants(name):
    """[(label, callable(args, out))] for one function: vecmath, libm in Numba, NumPy anchor."""
    if name == "sigmoid_grad":
        return [("vecmath", lambda a, o: _grad_vecmath(*a, o)),
                ("libm in Numba: 1/(1+np.exp(-x))", lambda a, o: _grad_libm(*a, o)),
                ("NumPy: expit(x), s*(1-s)", lambda a, o: _grad_numpy(*a, o))]
    libm, libm_name, anchor, anchor_name, _ = CASES[name]
    mk = _kernel2 if name in ("pow", "logaddexp", "atan2") else _kernel1
    kv, kl = mk(getattr(f64, name)), mk(libm)
    return [("vecmath", lambda a, o: kv(*a, o)),
            (f"libm in Numba: {libm_name}", lambda a, o: kl(*a, o)),
            (f"NumPy: {anchor_name}", lambda a, o: anchor(*a, o))]


def inputs(name, n, seed=0):
    rng = np.random.default_rng(seed)
    if name == "sigmoid_grad":
        return (rng.uniform(-20, 20, n),)
    return CASES[name][4](rng, n)


def bench(name, n, rounds):
    args = inputs(name, n)
    vs = variants(name)
    outs = [np.empty(n) for _ in vs]
    for (label, f), o in zip(vs, outs):          # warm-up (compiles) and check
        f(args, o)
    ref = outs[2]
    if name == "sigmoid_grad":            # s (1 - s) cancels for s near 1: compare in max norm
        rel = float(np.max(np.abs(outs[0] - ref)) / np.max(np.abs(ref)))
    else:
        rel = float(np.max(np.abs(outs[0] - ref) / np.maximum(np.abs(ref), np.finfo(float).tiny)))
    assert rel < 1e-9, (name, rel)
    times = {label: [] for label, _ in vs}
    for _ in range(rounds):
        for (label, f), o in zip(vs, outs):
            t = time.perf_counter()
            f(args, o)
            times[label].append(time.perf_counter() - t)
    med = {label: statistics.median(ts) / n * 1e9 for label, ts in times.items()}
    base = med["vecmath"]
    return {"ns_per_point": med, "ratio_to_vecmath": {k: v / base for k, v in med.items()},
            "max_rel_diff_vs_numpy": rel}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="N = 1e5 and 1e6, 3 rounds, nothing written")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--threads", default="0,1",
                    help="comma-separated numba thread counts to run with (0: all), default 0,1")
    ap.add_argument("--only", default="")
    ap.add_argument("--md-only", action="store_true", help="only rewrite the .md from the .json")
    args = ap.parse_args(argv)
    if args.md_only:
        data = json.loads((HERE / "results" / "vecmath_speed.json").read_text())
        (HERE / "results" / "vecmath_speed.md").write_text(_markdown(data["results"], data["meta"]))
        return
    sizes = [10 ** 5, 10 ** 6] if args.quick else [10 ** 6, 10 ** 7]
    rounds = 3 if args.quick else args.rounds
    names = [f for f in args.only.split(",") if f] or list(CASES) + ["sigmoid_grad"]
    load_before = os.getloadavg()
    t0 = time.time()
    res = {}
    all_threads = numba.config.NUMBA_NUM_THREADS
    for t in [int(v) for v in args.threads.split(",")]:
        nthreads = t or all_threads
        numba.set_num_threads(nthreads)
        res[str(nthreads)] = {}
        for n in sizes:
            res[str(nthreads)][str(n)] = {}
            for name in names:
                r = bench(name, n, rounds)
                res[str(nthreads)][str(n)][name] = r
                ns = r["ns_per_point"]
                labels = list(ns)
                print(f"threads={nthreads} N={n:.0e} {name:12s} "
                      + "  ".join(f"{lab.split(':')[0]} {ns[lab]:7.2f} ns" for lab in labels)
                      + f"  libm/vecmath {r['ratio_to_vecmath'][labels[1]]:5.2f}  numpy/vecmath "
                      f"{r['ratio_to_vecmath'][labels[2]]:5.2f}", flush=True)
    meta = {"cpu": cpu_model(), "numba_threads": sorted(int(k) for k in res), "cores": os.cpu_count(),
            "python": platform.python_version(), "numba": numba.__version__, "numpy": np.__version__,
            "rounds": rounds, "load_average_before": load_before, "load_average_after": os.getloadavg(),
            "seconds": round(time.time() - t0), "date": time.strftime("%Y-%m-%d %H:%M")}
    if args.quick or args.only:
        return
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "vecmath_speed.json").write_text(json.dumps({"meta": meta, "results": res}, indent=1) + "\n")
    (out / "vecmath_speed.md").write_text(_markdown(res, meta))
    print("wrote", out / "vecmath_speed.json", out / "vecmath_speed.md")


def _markdown(res, meta):
    threads = ", ".join(str(t) for t in meta["numba_threads"])
    lines = ["# compiler.vecmath: speed", "",
             f"{meta['cpu']}, {meta['cores']} cores; Python {meta['python']}; numba {meta['numba']} "
             f"(run with {threads} threads: `numba.set_num_threads`); NumPy {meta['numpy']}; {meta['date']}. "
             f"Load average before / after: {meta['load_average_before'][0]:.2f} / "
             f"{meta['load_average_after'][0]:.2f}: other processes shared the machine, so the numbers "
             "are noisy. The single-thread tables are the cleaner measure of the work per point; with "
             "another process busy on one of the two cores, the 2-thread kernels spend much of their "
             "time waiting for the second core (see the 2-thread N = 1e6 times, far above the "
             "1-thread ones).", "",
             "Each function in a `@njit(parallel=True)` prange kernel over float64 points, output "
             "preallocated: **vecmath** calls `compiler.vecmath.f64.<name>` (the loop vectorises: "
             "AVX-512 here); **libm** calls the scalar NumPy/math function inside the same kind of kernel "
             "(Numba lowers it to a libm call: the loop stays scalar); **NumPy** is the ufunc on the whole "
             "array (single-threaded, whatever the thread count; NumPy has its own SIMD loops for some "
             f"functions, e.g. exp and log). Median of {meta['rounds']} interleaved rounds after a warm-up; "
             "ns per point; the ratios are variant / vecmath, so > 1 means vecmath is faster. Produced by "
             "`benchmarks/vecmath_speed.py`.", ""]
    for t, by_n in res.items():
        for n, rows in by_n.items():
            lines += [f"## {t} thread{'s' if t != '1' else ''}, N = {int(n):.0e}", "",
                      "| function | vecmath ns | libm in Numba ns | NumPy ns | libm / vecmath | NumPy / vecmath | libm variant | NumPy variant |",
                      "|---|---:|---:|---:|---:|---:|---|---|"]
            for name, r in rows.items():
                labels = list(r["ns_per_point"])
                ns, ra = r["ns_per_point"], r["ratio_to_vecmath"]
                cell = lambda lab: "`" + lab.split(": ", 1)[1].replace("|", "\\|") + "`"
                lines.append(f"| {name} | {ns[labels[0]]:.2f} | {ns[labels[1]]:.2f} | {ns[labels[2]]:.2f} | "
                             f"{ra[labels[1]]:.2f}x | {ra[labels[2]]:.2f}x | {cell(labels[1])} | {cell(labels[2])} |")
            lines.append("")
    lines += ["Inputs: exp U(-50, 50); expm1 U(-5, 5); log, log2 e**U(-7, 7); log1p U(-0.9, 10); exp2 "
              "U(-60, 60); pow x U(0.1, 10), y U(-10, 10); tanh U(-10, 10); sigmoid, softplus, "
              "sigmoid_grad U(-20, 20); logaddexp a, b U(-20, 20); sin, cos U(-100, 100); atan U(-10, 10); "
              "atan2 y, x U(-10, 10); erf U(-4, 4); erfc U(-2, 8). The vecmath functions are branch-free, "
              "so their time does not depend on the inputs (libm's sin/cos slow down for huge arguments). "
              "sigmoid_grad: s = sigmoid(x); out = s * (1 - s) in one kernel (NumPy: expit, then s * (1 - s)).",
              ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
