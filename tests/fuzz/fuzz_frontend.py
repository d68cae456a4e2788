"""Mutation fuzzer for bpc's front end and code generator.

Inputs are mutated from the committed corpus (valid formulas, staged programs,
a def, and malicious payloads). Each one goes through parse -> graph ->
backward -> emit and, when that succeeds, the emitted module is compiled and
executed (defining its function) exactly as ``compiler.compile`` does, without
the disk cache. Invariants checked after every input:

- it either compiles or raises ``compiler.BpcError`` with a one-line message;
  any other exception is a finding;
- it takes less than ``--per-input`` seconds (SIGALRM interrupts a hang);
- nothing was executed: the canary module ``fuzz_canary`` was never imported
  or hit, and the canary file was never created.

    python tests/fuzz/fuzz_frontend.py --seconds 60
    python tests/fuzz/fuzz_frontend.py --inputs 1000000 --seed 1
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import tempfile
import time
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

import compiler  # noqa: E402
from compiler import runtime  # noqa: E402

CANARY_FILE = Path(tempfile.gettempdir()) / "bpc_fuzz_canary"
TOKENS = ["x", "y", "z", "θ", "(", ")", "+", "-", "*", "/", "**", "^", ",", "=", "\n", " ", "1", "0", "2.5", "1e308",
          "pi", "exp(", "log(", "sigmoid(", "max(", "atan2(", "sqrt(", "relu(", "abs(", "softplus(", "return ",
          "def f(x):\n    ", "#", "'", '"', '"""', ".", "[", "]", "{", "}", ":", "lambda", "__import__", "@", "%",
          "\\", "\t", "\x00", "ﬁ", "-" * 50, "(" * 40, ")" * 40, "9" * 30, "x" * 40, "import ", "yield ", "1j",
          # the Python constructs the front end lowers (issue 13)
          " > ", " <= ", " == ", " != ", " if ", " else ", " and ", " or ", "not ", " & ", " | ", "~", " % ", " // ",
          " += ", " *= ", " **= ", "np.", "torch.nn.functional.", "F.", "math.", "jax.nn.", "where(", "clamp(",
          "min=", "approximate='tanh'", "lerp(", "logsumexp(", "import numpy as np\n", "x = x * 2\n"]


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


def plant_canary():
    """A module the payloads try to import; importing or calling it is a canary hit."""
    canary = types.ModuleType("fuzz_canary")
    canary.hits = 0

    def hit():
        canary.hits += 1
    canary.hit = hit
    sys.modules["fuzz_canary"] = canary
    if CANARY_FILE.exists():
        CANARY_FILE.unlink()
    return canary


def mutate(rng: random.Random, corpus: list[str]) -> str:
    text = rng.choice(corpus)
    for _ in range(1 if rng.random() < 0.5 else rng.randint(2, 6)):
        kind = rng.random()
        pos = rng.randint(0, len(text))
        if kind < 0.3:
            text = text[:pos] + rng.choice(TOKENS) + text[pos:]
        elif kind < 0.5 and text:
            end = min(len(text), pos + rng.randint(1, 8))
            text = text[:pos] + text[end:]
        elif kind < 0.65 and text:
            text = text[:pos] + chr(rng.randint(32, 0x3000)) + text[pos + 1:]
        elif kind < 0.8:
            other = rng.choice(corpus)
            cut = rng.randint(0, len(other))
            text = text[:pos] + other[cut:cut + rng.randint(1, 40)] + text[pos:]
        else:
            start = rng.randint(0, max(0, len(text) - 1))
            piece = text[start:start + rng.randint(1, 20)]
            text = text[:pos] + piece * rng.randint(2, 30) + text[pos:]
    return text


def run_one(text: str) -> str:
    """'ok', 'error' (a documented BpcError), or raises."""
    try:
        module_text, _ = runtime.generate(text, target=random.choice(("python", "numpy")))
    except compiler.BpcError as err:
        message = str(err)
        if "\n" in message or not message:
            raise AssertionError(f"error message is not one line: {message!r}") from None
        return "error"
    module = types.ModuleType("bpc_fuzz_module")
    module.__file__ = "<bpc fuzz>"
    exec(builtins_compile(module_text, "<bpc fuzz>", "exec"), module.__dict__)  # noqa: S102 - bpc-generated
    getattr(module, module.ENTRY)
    return "ok"


builtins_compile = compile


def fuzz(seconds=None, inputs=None, seed=0, per_input=5.0, report_every=0):
    rng = random.Random(seed)
    corpus = [p.read_text(encoding="utf-8") for p in sorted((HERE / "corpus").glob("*.txt"))]
    canary = plant_canary()
    signal.signal(signal.SIGALRM, _alarm)
    counts = {"ok": 0, "error": 0}
    findings = []
    slowest = (0.0, "")
    started = time.perf_counter()
    n = 0
    while True:
        if inputs is not None and n >= inputs:
            break
        if seconds is not None and time.perf_counter() - started >= seconds:
            break
        text = mutate(rng, corpus) if n >= len(corpus) else corpus[n]
        n += 1
        t0 = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, per_input)
        try:
            counts[run_one(text)] += 1
        except Hang:
            findings.append(("hang", text[:200]))
        except Exception as err:  # noqa: BLE001 - any other exception is a finding
            findings.append((f"{type(err).__name__}: {str(err)[:200]}", text[:200]))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        elapsed = time.perf_counter() - t0
        if elapsed > slowest[0]:
            slowest = (elapsed, text[:80])
        if canary.hits or CANARY_FILE.exists() or sys.modules.get("fuzz_canary") is not canary:
            findings.append(("canary hit", text[:200]))
            canary = plant_canary()
        if report_every and n % report_every == 0:
            print(f"{n} inputs, {counts}, {len(findings)} findings, {time.perf_counter() - started:.0f} s", flush=True)
    return {"inputs": n, "compiled": counts["ok"], "rejected": counts["error"], "findings": findings,
            "seconds": time.perf_counter() - started, "slowest_s": slowest[0], "slowest_input": slowest[1]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--inputs", type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.seconds is None and args.inputs is None:
        args.seconds = 60
    result = fuzz(args.seconds, args.inputs, args.seed, report_every=50_000)
    print({k: v for k, v in result.items() if k != "findings"})
    for finding in result["findings"][:20]:
        print("FINDING", finding)
    sys.exit(1 if result["findings"] else 0)


if __name__ == "__main__":
    main()
