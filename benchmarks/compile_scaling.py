"""Compile time and emitted size for random formulas of 10 to 10,000 operations.

For each size: a seeded random formula over x, y, z, w with + - * / and
sin cos exp tanh sigmoid, compiled for the python target without the cache.
Records the forward stages, the backward statements, their ratio
(emitted statements / forward stages, goal <= 3.5), and the time for
parse + graph + backward + emit ("generate") and for exec of the module.

    python benchmarks/compile_scaling.py            # writes benchmarks/results/compile_scaling.{json,md}
"""
from __future__ import annotations

import json
import platform
import random
import sys
import time
from pathlib import Path

import sympy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import compiler  # noqa: E402
from machine import cpu_model  # noqa: E402
from compiler.autodiff import backward, forward  # noqa: E402
from compiler.emit import emit  # noqa: E402
from compiler.naming import build  # noqa: E402
from compiler.frontend import parse  # noqa: E402

SIZES = [10, 30, 100, 300, 1000, 3000, 10000, 16000]
UNARY = ["sin", "cos", "exp", "tanh", "sigmoid"]
BINARY = ["+", "-", "*", "/"]


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


def measure(n_ops: int) -> dict:
    text = random_formula(n_ops, seed=n_ops)
    t0 = time.perf_counter()
    graph = build(parse(text))
    t1 = time.perf_counter()
    fwd = forward(graph)
    bwd = backward(graph, graph.idents)
    t2 = time.perf_counter()
    module = emit(graph, fwd, bwd, graph.idents, "python")
    t3 = time.perf_counter()
    code = compile(module, "<bench>", "exec")
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 - bpc-generated code
    t4 = time.perf_counter()
    stages = len(graph.stages)
    return {
        "ops_requested": n_ops,
        "forward_stages": stages,
        "backward_statements": len(bwd),
        "emitted_statements": stages + len(bwd),
        "ratio_emitted_to_forward": round((stages + len(bwd)) / stages, 3),
        "parse_graph_s": round(t1 - t0, 4),
        "backward_s": round(t2 - t1, 4),
        "emit_s": round(t3 - t2, 4),
        "generate_s": round(t3 - t0, 4),
        "python_compile_exec_s": round(t4 - t3, 4),
        "us_per_stage": round(1e6 * (t3 - t0) / stages, 1),
    }


def main() -> None:
    measure(SIZES[0])                     # warm-up: first use of SymPy's and Jinja's caches
    rows = [measure(n) for n in SIZES]
    meta = {"cpu": cpu_model(), "python": platform.python_version(), "sympy": sympy.__version__, "bpc": compiler.__version__,
            "machine": platform.machine(), "processor": platform.processor() or platform.machine()}
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "compile_scaling.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")
    lines = ["| ops asked | forward stages | backward stmts | emitted / forward | generate (s) | µs per stage | exec (s) |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['ops_requested']} | {r['forward_stages']} | {r['backward_statements']} | "
                     f"{r['ratio_emitted_to_forward']} | {r['generate_s']} | {r['us_per_stage']} | "
                     f"{r['python_compile_exec_s']} |")
    table = "\n".join(lines)
    (out / "compile_scaling.md").write_text(
        f"# Compile scaling\n\n{meta['cpu']}; Python {meta['python']}, SymPy {meta['sympy']}, bpc {meta['bpc']}; "
        "python target; one run of `python benchmarks/compile_scaling.py`.\n\n" + table + "\n")
    print(table)


if __name__ == "__main__":
    main()
