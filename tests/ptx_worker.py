"""Compile cuda-target kernels to PTX in a process of their own (tests/test_cuda_ptx.py runs it).

The test process runs the cuda target under Numba's CUDA simulator, which has no compiler; PTX
needs Numba's real CUDA target, chosen when numba is first imported, so it happens here.
Reads a JSON list of cases [name, source, options] on stdin, writes {name: {"ptx"|"error": ...}}.
"""
import json
import os
import sys
from pathlib import Path

assert os.environ.get("NUMBA_ENABLE_CUDASIM", "0") == "0", "run without the CUDA simulator"
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import compiler  # noqa: E402


def main() -> None:
    cases = json.load(sys.stdin)
    results = {}
    for name, source, options in cases:
        cc = tuple(options.pop("cc", (9, 0)))
        if source == "F5":
            from formulas import f5

            source = f5()
        try:
            g = compiler.compile(source, target="cuda", **options)
            results[name] = {"ptx": g.ptx(cc=cc), "sums": g.reduce is not None}
        except Exception as exc:  # reported to the test, which fails naming the case
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
