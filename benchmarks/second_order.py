"""Second order on the numba target: HVP and full Hessian against value+gradient and JAX.

    python benchmarks/second_order.py [--quick] [--sizes 1000000,10000000]
    # writes benchmarks/results/second_order.{json,md}

Measured, side by side in one process, interleaved (best of several repeats):
- F1-F5 at each N: bpc's HVP kernel (hvp=True: value, gradient and H v in one fused pass) against
  bpc's value+gradient kernel; the target is HVP <= 3x value+gradient;
- F3 (3 inputs) at each N: bpc's full Hessian (order=2) against JAX jit(vmap(hessian));
  the target is bpc >= 2x faster;
- F1-F4 at each N: bpc's HVP against JAX jit(vmap(hvp)), the HVP written as jvp(grad(f));
  the target is bpc >= 2x faster.
Every figure is recorded, met or missed. bpc's results are validated against JAX's (1e-11
relative to the largest entry) before anything is timed. ``--quick`` runs N = 1e4 only (a smoke test).
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import compiler  # noqa: E402
import formulas  # noqa: E402
from machine import cpu_model  # noqa: E402

RESULTS = HERE / "results"
try:
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
except ImportError:  # pragma: no cover - optional anchor
    jax = None
    print("JAX not installed: skipping its anchors (pip install jax jaxlib)")


def best(fn, repeats: int) -> float:
    fn()                                            # warm: compile, caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def jax_function(g):
    """The formula as a JAX function of its inputs, from bpc's stages (kernels.py's lambdify)."""
    from kernels import lambdified

    return lambdified(g, {"sigmoid": jax.nn.sigmoid, "exp": jnp.exp, "sin": jnp.sin, "cos": jnp.cos,
                          "tanh": jnp.tanh, "log": jnp.log})


def rel(a, b) -> float:
    """Largest difference relative to the reference's largest magnitude (as kernels.py validates):
    pointwise relative errors blow up where an entry of H v crosses zero among 1e6 random points
    (F1: 6e-9 there, from the last bits of exp and sigmoid)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(b))), 1e-300))


def run(sizes, repeats: int, quick: bool) -> dict:
    sources = dict(formulas.FORMULAS)
    sources["F5"] = formulas.f5()
    rows = []
    for name, text in sources.items():
        grad = compiler.compile(text, target="numba")
        hvp = compiler.compile(text, target="numba", hvp=True)
        hess = compiler.compile(text, target="numba", order=2) if name == "F3" else None
        k = len(grad.inputs)
        for n in sizes:
            rng = np.random.default_rng(0)
            data = [rng.uniform(-1, 1, n) for _ in range(k)]
            v = tuple(rng.uniform(-1, 1, n) for _ in range(k))
            out_g = grad(*data)
            out_h = hvp(*data, v=v)
            row = {"formula": name, "n": n,
                   "value+grad s": best(lambda: grad(*data, out=out_g), repeats),
                   "hvp s": best(lambda: hvp(*data, v=v, out=out_h), repeats)}
            row["hvp / value+grad"] = row["hvp s"] / row["value+grad s"]
            row["hvp <= 3x value+grad"] = row["hvp / value+grad"] <= 3
            if jax is not None and name != "F5":
                fn = jax_function(grad)
                argnums = tuple(range(k))
                jhvp = jax.jit(jax.vmap(lambda *a: jax.jvp(jax.grad(fn, argnums=argnums), a[:k], a[k:])[1]))
                jdata, jv = [jnp.asarray(a) for a in data], [jnp.asarray(a) for a in v]
                want = jhvp(*jdata, *jv)
                err = max(rel(a, b) for a, b in zip(out_h[2], want))
                assert err <= 1e-11, (name, "hvp vs JAX", err)

                def run_jax_hvp():
                    for a in jhvp(*jdata, *jv):
                        a.block_until_ready()
                row["JAX jit(vmap(hvp)) s"] = best(run_jax_hvp, repeats)
                row["JAX hvp / bpc hvp"] = row["JAX jit(vmap(hvp)) s"] / row["hvp s"]
                row["bpc hvp >= 2x faster than JAX"] = row["JAX hvp / bpc hvp"] >= 2
                if hess is not None:
                    out_H = hess(*data)
                    jhess = jax.jit(jax.vmap(jax.hessian(fn, argnums=argnums)))
                    want = jhess(*jdata)
                    err = max(rel(out_H[2][i][j], want[i][j]) for i in range(k) for j in range(k))
                    assert err <= 1e-11, (name, "hessian vs JAX", err)

                    def run_jax_hessian():
                        for r in jhess(*jdata):
                            for a in r:
                                a.block_until_ready()
                    row["hessian s"] = best(lambda: hess(*data, out=out_H), repeats)
                    row["JAX jit(vmap(hessian)) s"] = best(run_jax_hessian, repeats)
                    row["JAX hessian / bpc hessian"] = row["JAX jit(vmap(hessian)) s"] / row["hessian s"]
                    row["bpc hessian >= 2x faster than JAX"] = row["JAX hessian / bpc hessian"] >= 2
            print(json.dumps(row))
            rows.append(row)
    return {"machine": {"cpu": cpu_model(), "python": platform.python_version(), "numpy": np.__version__,
                        "jax": getattr(jax, "__version__", None), "quick": quick},
            "rows": rows}


def markdown(result: dict) -> str:
    lines = [f"# Second order on numba (machine: {result['machine']['cpu']}{', quick run' if result['machine']['quick'] else ''})",
             "", "Seconds per call (best of repeats) and ratios; targets: HVP <= 3x value+grad, bpc >= 2x faster "
             "than JAX. Every figure is recorded, met or missed.", "",
             "| formula | N | value+grad s | hvp s | hvp/(value+grad) | JAX hvp s | JAX/bpc hvp | hessian s | "
             "JAX hessian s | JAX/bpc hessian |", "|---|---|---|---|---|---|---|---|---|---|"]

    def f(row, key, fmt="{:.4g}"):
        return fmt.format(row[key]) if key in row else "-"
    for row in result["rows"]:
        lines.append(f"| {row['formula']} | {row['n']:.0e} | {f(row, 'value+grad s')} | {f(row, 'hvp s')} | "
                     f"{f(row, 'hvp / value+grad', '{:.2f}')} | {f(row, 'JAX jit(vmap(hvp)) s')} | "
                     f"{f(row, 'JAX hvp / bpc hvp', '{:.2f}')} | {f(row, 'hessian s')} | "
                     f"{f(row, 'JAX jit(vmap(hessian)) s')} | {f(row, 'JAX hessian / bpc hessian', '{:.2f}')} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 1e4 only, a smoke test")
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", default=str(RESULTS / "second_order"), help="results path, without extension")
    args = parser.parse_args(argv)
    sizes = [10_000] if args.quick else [int(float(s)) for s in args.sizes.split(",")]
    result = run(sizes, 2 if args.quick else args.repeats, args.quick)
    Path(args.out + ".json").write_text(json.dumps(result, indent=1) + "\n")
    Path(args.out + ".md").write_text(markdown(result))
    print(markdown(result))


if __name__ == "__main__":
    main()
