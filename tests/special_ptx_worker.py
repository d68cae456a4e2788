"""CUDA kernels calling every function of compiler.special.gpu; run as a script, it compiles them
to PTX (tests/test_special.py runs it with NUMBA_ENABLE_CUDASIM=0, since the test process runs
CUDA under the simulator, which has no compiler) and prints {kernel name: {"ptx"|"error": ...}}
as JSON. Imported, it gives the same kernels to run under the simulator.

The functions are spread over several kernels instead of one: every call is inlined into the
kernel's Numba IR, and Numba's inlining and SSA passes grow faster than linearly with the size of
the kernel (all seventeen functions in one kernel take about two minutes to compile here, these
kernels together about half a minute).

Each kernel has the signature (float64[::1] x, float64[::1] out, int64 n) and writes
out[WIDTH * i + k] = k-th function of x[i] for i < n (grid-stride loop).
"""
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from numba import cuda, float32  # noqa: E402

from compiler.special.gpu import (  # noqa: E402
    cbrt,
    digamma,
    erfcinv,
    erfinv,
    gammaln,
    i0,
    i0e,
    i1,
    i1e,
    j0,
    j1,
    polygamma,
    rgamma,
    sinc,
    y0,
    y1,
    zeta,
)

SIGNATURE = "void(float64[::1], float64[::1], int64)"
WIDTH = 10


def kernel_psi(x, out, n):
    i = cuda.grid(1)
    while i < n:
        v = x[i]
        out[WIDTH * i + 0] = digamma(v)
        out[WIDTH * i + 1] = zeta(2.5, v)
        i += cuda.gridsize(1)


def kernel_polygamma(x, out, n):
    i = cuda.grid(1)
    while i < n:
        out[WIDTH * i + 0] = polygamma(2, x[i])
        i += cuda.gridsize(1)


def kernel_j(x, out, n):
    i = cuda.grid(1)
    while i < n:
        v = x[i]
        out[WIDTH * i + 0] = j0(v)
        out[WIDTH * i + 1] = j1(v)
        i += cuda.gridsize(1)


def kernel_y(x, out, n):
    i = cuda.grid(1)
    while i < n:
        v = x[i]
        out[WIDTH * i + 0] = y0(v)
        out[WIDTH * i + 1] = y1(v)
        i += cuda.gridsize(1)


def kernel_misc(x, out, n):
    i = cuda.grid(1)
    while i < n:
        v = x[i]
        out[WIDTH * i + 0] = erfinv(v)
        out[WIDTH * i + 1] = erfcinv(v)
        out[WIDTH * i + 2] = i0(v)
        out[WIDTH * i + 3] = i0e(v)
        out[WIDTH * i + 4] = i1(v)
        out[WIDTH * i + 5] = i1e(v)
        out[WIDTH * i + 6] = gammaln(v)
        out[WIDTH * i + 7] = rgamma(v)
        out[WIDTH * i + 8] = sinc(v)
        out[WIDTH * i + 9] = cbrt(v)
        i += cuda.gridsize(1)


def kernel_float32(x, out, n):
    """float32 arguments: computed in float64 all the same."""
    i = cuda.grid(1)
    while i < n:
        v = float32(x[i])
        out[WIDTH * i + 0] = digamma(v)
        out[WIDTH * i + 1] = j1(v)
        out[WIDTH * i + 2] = erfinv(v)
        out[WIDTH * i + 3] = cbrt(v)
        i += cuda.gridsize(1)


# kernel name -> (python function, the gpu.py functions of its columns, as (name, args) where
# args is "x" or a fixed first argument and "x", and whether x is rounded to float32 first)
KERNELS = {
    "psi": (kernel_psi, [("digamma", ()), ("zeta", (2.5,))], False),
    "polygamma": (kernel_polygamma, [("polygamma", (2,))], False),
    "j": (kernel_j, [("j0", ()), ("j1", ())], False),
    "y": (kernel_y, [("y0", ()), ("y1", ())], False),
    "misc": (
        kernel_misc,
        [(name, ()) for name in ("erfinv", "erfcinv", "i0", "i0e", "i1", "i1e", "gammaln", "rgamma", "sinc", "cbrt")],
        False,
    ),
    "float32": (kernel_float32, [("digamma", ()), ("j1", ()), ("erfinv", ()), ("cbrt", ())], True),
}


def main():
    assert os.environ.get("NUMBA_ENABLE_CUDASIM", "0") == "0", "run without the CUDA simulator"
    results = {}
    for name, (fn, _, _) in KERNELS.items():
        try:
            ptx, _ = cuda.compile_ptx(fn, SIGNATURE, cc=(9, 0))
            results[name] = {"ptx": ptx}
        except Exception as exc:  # reported to the test, which fails naming the kernel
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
