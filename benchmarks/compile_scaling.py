"""Compile time against formula size: how long bpc takes to turn a formula into code, and how
long Numba then takes to compile that code.

Two series, each on seeded random formulas, every compile in a fresh cache directory (so no
emitted module or kernel is loaded from bpc's or Numba's cache; bpc's own Numba functions, the
math of compiler.vecmath and compiler.special, are loaded from their cache on disk, as in every
process after bpc's first: compiler/jitcache.py):

* terms: a sum of 30, 100, 300 and 1000 terms ``f(a*b + c)`` over 10 inputs, ``f`` one of
  sin, cos, exp, tanh, sigmoid. For the numba target it records bpc's own work (parse, name,
  reverse sweep, emit: "generate"), the import of the emitted module, and Numba's JIT (the first
  call minus a second call, on 1000 points) separately; for the python and numpy targets the
  whole ``compiler.compile()``. The numba target uses its default math library ("auto":
  compiler.vecmath for kernels of up to 128 stages, libm above), which is recorded per row.
* ops: one random bracketing of 10 to 16,000 operations (python target only, bpc's generate
  time): the emitted size relative to the forward stages, and the time per stage.

For each series and each timing the growth exponent k of ``time ~ size**k`` is fitted by least
squares on log-log axes and written with the tables.

    python benchmarks/compile_scaling.py            # writes benchmarks/results/compile_scaling.{json,md}
    python benchmarks/compile_scaling.py --quick    # 30 and 100 terms only; prints, writes nothing
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import sympy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import compiler  # noqa: E402
from compiler.emit import VECMATH_MAX_STAGES  # noqa: E402
from compiler.pipeline import generate  # noqa: E402
from machine import cpu_model  # noqa: E402

TERMS = [30, 100, 300, 1000]
OPS = [10, 30, 100, 300, 1000, 3000, 10000, 16000]
INPUTS = [f"x{i}" for i in range(10)]
UNARY = ["sin", "cos", "exp", "tanh", "sigmoid"]
BINARY = ["+", "-", "*", "/"]
POINTS = 1000
# CPU seconds of this process, not wall time: the machines these runs are made on are shared, and
# another job's load stretches wall time far more than it changes the work done. (The warm call of a
# parallel kernel adds its threads' CPU time; it is a small figure either way.)
CLOCK = time.process_time
REPEATS = 3           # the cheap timings are the best of this many runs; Numba's JIT runs once per size


# -- formulas ----------------------------------------------------------------------------------

def terms_formula(n_terms: int, seed: int) -> str:
    """A sum of ``n_terms`` terms f(a*b + c) over the 10 inputs (about four stages per term)."""
    rng = random.Random(seed)
    terms = []
    for _ in range(n_terms):
        a, b, c = rng.sample(INPUTS, 3)
        terms.append(f"{rng.choice(UNARY)}({a}*{b} + {c})")
    return " + ".join(terms)


def random_formula(n_ops: int, seed: int) -> str:
    """Random bracketing of leaves: depth grows like log(n), so Python's parser copes at any size."""
    rng = random.Random(seed)
    # each merge adds one binary operation and, half the time, one function call: ~1.5 ops per leaf
    items = [rng.choice("xyzw") for _ in range(int(n_ops / 1.5) + 1)]
    while len(items) > 1:
        i = rng.randrange(len(items) - 1)
        a, b = items[i], items[i + 1]
        if rng.random() < 0.5:
            a = f"{rng.choice(UNARY)}({a})"
        items[i:i + 2] = [f"({a} {rng.choice(BINARY)} {b})"]
    return items[0]


# -- timing ------------------------------------------------------------------------------------

class Steps(logging.Handler):
    """Collects the durations bpc logs for each step of the pipeline (compiler.progress)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.seconds: dict[str, float] = {}

    def emit(self, record):
        if hasattr(record, "bpc_step"):
            self.seconds[record.bpc_step] = self.seconds.get(record.bpc_step, 0.0) + record.bpc_seconds


def timed_compile(text: str, target: str) -> tuple[object, float, dict[str, float]]:
    """compiler.compile() in a fresh cache directory: (function, seconds, the logged steps)."""
    steps = Steps()
    log = logging.getLogger("bpc")
    log.addHandler(steps)
    log.setLevel(logging.INFO)
    try:
        with tempfile.TemporaryDirectory() as cache:
            t0 = CLOCK()
            g = compiler.compile(text, target=target, cache_dir=cache)
            seconds = CLOCK() - t0
            return g, seconds, dict(steps.seconds)
    finally:
        log.removeHandler(steps)


GENERATE = ("parse", "name the stages", "reverse sweep")


def measure_terms(n_terms: int, numba: bool = True) -> dict:
    text = terms_formula(n_terms, seed=n_terms)
    row: dict = {"terms": n_terms, "chars": len(text)}
    for target in ("python", "numpy"):
        row[f"{target}_compile_s"] = round(min(timed_compile(text, target)[1] for _ in range(REPEATS)), 4)
    if not numba:
        return row
    graph_stages = _stages(text)
    row["forward_stages"] = graph_stages
    row["numba_math"] = "vecmath" if graph_stages <= VECMATH_MAX_STAGES else "libm"
    # bpc's own work for the numba target, best of REPEATS (cheap next to Numba's JIT, which runs once)
    row["numba_generate_s"] = round(min(numba_generate(text) for _ in range(REPEATS)), 4)
    try:
        _, compile_s, jit_s, warm_s = numba_times(text)
        row.update({
            "numba_compile_call_s": round(compile_s, 4),      # generate + write + import the module
            "numba_jit_s": round(jit_s, 3),                   # first call minus a warm call
            "numba_warm_call_s": round(warm_s, 5),
        })
        # the JIT time with libm at every size, for a fit that does not mix the two math libraries
        row["numba_libm_jit_s"] = row["numba_jit_s"] if row["numba_math"] == "libm" else \
            round(numba_times(text, math="libm")[2], 3)
    except RecursionError as err:      # Numba's parfor pass recurses once per link of a chain of sums
        row["numba_error"] = f"parallel=True: RecursionError in Numba's parfor pass on the first call ({err})"
    # parallel=False skips Numba's parfor pass (one thread)
    _, compile_s, jit_s, warm_s = numba_times(text, math="libm", parallel=False)
    row.setdefault("numba_compile_call_s", round(compile_s, 4))
    row["numba_serial_jit_s"] = round(jit_s, 3)
    return row


def numba_times(text: str, math: str | None = None, parallel: bool = True) -> tuple[float, float, float, float]:
    """(bpc generate, compile(), Numba JIT, warm call) seconds for the numba target."""
    steps = Steps()
    log = logging.getLogger("bpc")
    log.addHandler(steps)
    log.setLevel(logging.INFO)
    rng = np.random.default_rng(0)
    values = {name: rng.uniform(-1, 1, POINTS) for name in INPUTS}
    try:
        with tempfile.TemporaryDirectory() as cache:   # bpc's cache and, next to the module, Numba's
            t0 = CLOCK()
            g = compiler.compile(text, target="numba", cache_dir=cache, math=math, parallel=parallel)
            t1 = CLOCK()
            args = [values[name] for name in g.inputs]
            g(*args)
            t2 = CLOCK()
            g(*args)
            t3 = CLOCK()
    finally:
        log.removeHandler(steps)
    generate_s = sum(s for name, s in steps.seconds.items() if name in GENERATE or name.startswith("emit the"))
    return generate_s, t1 - t0, (t2 - t1) - (t3 - t2), t3 - t2


def numba_generate(text: str) -> float:
    """Seconds for bpc's pipeline to produce the numba module (no cache, no import, no JIT)."""
    t0 = CLOCK()
    generate(text, target="numba")
    return CLOCK() - t0


def _stages(text: str) -> int:
    _, graph = generate(text, target="numba")
    return len(graph.stages)


def measure_ops(n_ops: int) -> dict:
    text = random_formula(n_ops, seed=n_ops)
    best = None
    for _ in range(REPEATS):
        t0 = CLOCK()
        module, graph = generate(text, target="python")
        seconds = CLOCK() - t0
        best = seconds if best is None else min(best, seconds)
    t1 = CLOCK()
    namespace: dict = {}
    exec(compile(module, "<bench>", "exec"), namespace)  # noqa: S102 - bpc-generated code
    t2 = CLOCK()
    stages = len(graph.stages)
    backward = module.split("# backward pass", 1)[1].split("return ", 1)[0].splitlines()[1:]
    backward_lines = sum(1 for line in backward if line.strip() and not line.strip().startswith("#"))
    return {
        "ops_requested": n_ops,
        "forward_stages": stages,
        "backward_statements": backward_lines,
        "ratio_emitted_to_forward": round((stages + backward_lines) / stages, 3),
        "generate_s": round(best, 4),
        "python_compile_exec_s": round(t2 - t1, 4),
        "us_per_stage": round(1e6 * best / stages, 1),
    }


def exponent(sizes, seconds) -> float:
    """k of seconds ~ c * size**k, least squares on log-log axes."""
    xs, ys = np.log(np.asarray(sizes, float)), np.log(np.asarray(seconds, float))
    return float(np.polyfit(xs, ys, 1)[0])


# -- report ------------------------------------------------------------------------------------

def report(meta: dict, terms: list[dict], ops: list[dict], fits: dict, steps: dict) -> str:
    t = ["| terms | forward stages | numba math | numba: bpc generate (s) | numba: compile() (s) | "
         "numba: JIT (s) | numba: JIT with libm (s) | numba: JIT, parallel=False, libm (s) | "
         "numba: warm call, 1000 points (s) | python: compile() (s) | numpy: compile() (s) |",
         "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in terms:
        failed = "fails (a)" if "numba_error" in r else None
        t.append(f"| {r['terms']} | {r['forward_stages']} | {r['numba_math']} | {r['numba_generate_s']} | "
                 f"{r['numba_compile_call_s']} | {failed or r['numba_jit_s']} | {failed or r['numba_libm_jit_s']} | "
                 f"{r['numba_serial_jit_s']} | {failed or r['numba_warm_call_s']} | "
                 f"{r['python_compile_s']} | {r['numpy_compile_s']} |")
    errors = [f"(a) {r['terms']} terms, {r['numba_error']}" for r in terms if "numba_error" in r]
    o = ["| ops asked | forward stages | backward stmts | emitted / forward | generate (s) | µs per stage | exec (s) |",
         "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in ops:
        o.append(f"| {r['ops_requested']} | {r['forward_stages']} | {r['backward_statements']} | "
                 f"{r['ratio_emitted_to_forward']} | {r['generate_s']} | {r['us_per_stage']} | "
                 f"{r['python_compile_exec_s']} |")
    f = [f"- {name}: time ~ size^{k:.2f}" + (f" (between successive sizes: {', '.join(f'{x:.2f}' for x in steps[name])})"
                                                  if steps.get(name) else "") for name, k in fits.items()]
    return (
        "# Compile scaling\n\n"
        f"{meta['cpu']} ({meta['cores']} cores); Python {meta['python']}, SymPy {meta['sympy']}, "
        f"Numba {meta['numba']}, bpc {meta['bpc']}; one run of `python benchmarks/compile_scaling.py` "
        f"({meta['date']}, {meta['wall_minutes']} minutes; load average before / after: {meta['load']}). Other jobs sharing the machine "
        "(the load averages say whether they did) put single figures off by tens of percent; the exponents are the robust part. Times are CPU seconds of the "
        "benchmark's process (`time.process_time`), which another job's load stretches far less than wall time.\n\n"
        "## Sums of terms: bpc and Numba\n\n"
        "A sum of N terms `f(a*b + c)` over 10 inputs, each compile in a fresh cache directory. bpc's "
        f"own timings and the python and numpy targets' are the best of {REPEATS} runs; each Numba JIT runs once. "
        "\"bpc generate\" is parse + naming + reverse sweep + emit; \"compile()\" adds writing and "
        "importing the module; \"JIT\" is Numba compiling the kernel on the first call (first call "
        "minus a warm one; bpc's math functions come from their cache on disk, compiler/jitcache.py). The numba target's default math library is vecmath up to 128 stages and "
        "libm above (here: vecmath for " + (", ".join(str(r["terms"]) for r in terms if r["numba_math"] == "vecmath")
        or "none") + " terms); the column \"JIT with libm\" times the same "
        "kernels with `math=\"libm\"` throughout, for a fit that does not mix the two.\n\n"
        + "\n".join(t) + "\n\n" + ("\n".join(errors) + "\n\n" if errors else "") +
        "Growth, fitted as time ~ size^k by least squares on log-log axes over the rows above (and, in brackets, "
        "k between each pair of successive sizes):\n\n" + "\n".join(f) + "\n\n"
        "## Random formulas: emitted size and time per stage (python target)\n\n"
        "One random bracketing of N operations over x, y, z, w (+ - * / and sin cos exp tanh "
        "sigmoid); \"generate\" is bpc's whole pipeline, \"exec\" compiling and running the "
        "emitted module's text in Python.\n\n"
        + "\n".join(o) + "\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="30 and 100 terms only; print, write nothing")
    quick = parser.parse_args().quick
    import numba

    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    measure_terms(10, numba=False)            # warm-up: imports, SymPy's and Jinja's caches
    numba_times(terms_formula(10, seed=10))   # and Numba itself
    sizes = TERMS[:2] if quick else TERMS
    terms = []
    for n in sizes:
        terms.append(measure_terms(n))
        print(json.dumps(terms[-1]), flush=True)
    ops = [] if quick else [measure_ops(n) for n in OPS]
    steps: dict[str, list[float]] = {}

    def fit(key, name, rows=terms, size="terms"):
        rows = [r for r in rows if key in r]
        xs, ys = [r[size] for r in rows], [r[key] for r in rows]
        steps[name] = [exponent(xs[i:i + 2], ys[i:i + 2]) for i in range(len(xs) - 1)]
        return exponent(xs, ys) if len(rows) >= 2 else float("nan")

    names = {"numba_generate_s": "numba, bpc generate",
             "numba_jit_s": "numba, Numba JIT (parallel, default math; sizes where it compiles)",
             "numba_libm_jit_s": "numba, Numba JIT (parallel, libm; sizes where it compiles)",
             "numba_serial_jit_s": "numba, Numba JIT (parallel=False, libm)",
             "python_compile_s": "python, compile()",
             "numpy_compile_s": "numpy, compile()"}
    fits = {name: fit(key, name) for key, name in names.items()}
    if ops:
        name = "python, generate, random formulas (ops)"
        fits[name] = fit("generate_s", name, ops, "ops_requested")
    meta = {"cpu": cpu_model(), "cores": os.cpu_count(), "python": platform.python_version(),
            "sympy": sympy.__version__, "numba": numba.__version__, "bpc": compiler.__version__,
            "date": time.strftime("%Y-%m-%d", time.gmtime()),
            "load": f"{load_before:.2f} / {os.getloadavg()[0]:.2f}",
            "wall_minutes": round((time.perf_counter() - started) / 60, 1)}
    text = report(meta, terms, ops, fits, steps)
    print(text)
    if quick:
        return
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "compile_scaling.json").write_text(json.dumps({"meta": meta, "terms": terms, "ops": ops,
                                                          "exponents": fits, "successive_exponents": steps}, indent=2) + "\n")
    (out / "compile_scaling.md").write_text(text)


if __name__ == "__main__":
    main()
