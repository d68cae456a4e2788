"""The benchmark formulas F1-F5 of ../shared/BENCHMARKS.md, as bpc source text."""
import random

import numpy as np

F1 = "(x + sigmoid(y)) / (sigmoid(x) + (x + y)**2)"
F2 = "sigmoid(w0*x0 + w1*x1 + w2)"
F3 = "sin(x*y)*exp(-z**2) + log(1 + x**2 + y**2)*tanh(z)"
F4 = "(1 - x)**2 + 100*(y - x**2)**2"


def random_expression(n_ops: int, seed: int) -> str:
    """A random expression over x, y, z, w with + - * / sin cos exp tanh sigmoid.

    Divisions divide by (2 + cos(...)) and exp takes a tanh, so the value stays
    finite on [-1, 1]^4; those guards count toward the operations.
    """
    rng = random.Random(seed)
    items = [rng.choice("xyzw") for _ in range(n_ops // 3)]
    ops = 0
    while len(items) > 1:
        i = rng.randrange(len(items) - 1)
        a, b = items[i], items[i + 1]
        u = rng.random()
        if u < 0.15:
            a = f"sin({a})"
        elif u < 0.3:
            a = f"cos({a})"
        elif u < 0.4:
            a = f"exp(tanh({a}))"
            ops += 1
        elif u < 0.5:
            a = f"tanh({a})"
        elif u < 0.6:
            a = f"sigmoid({a})"
        if u < 0.6:
            ops += 1
        op = rng.choice("+-*/")
        if op == "/":
            items[i:i + 2] = [f"({a} / (2 + cos({b})))"]
            ops += 3
        else:
            items[i:i + 2] = [f"({a} {op} {b})"]
            ops += 1
    return items[0]


def f5(target_ops: int = 250, seed: int = 5) -> str:
    """F5: the first seeded random expression of about 250 operations that is finite on [-1, 1]^4."""
    import compiler

    for s in range(seed, seed + 1000):
        text = random_expression(int(target_ops * 1.8), s)
        g = compiler.compile(text, target="numpy")
        stages = len(g.graph.stages)
        if not 225 <= stages <= 275:
            continue
        rng = np.random.default_rng(0)
        pts = [rng.uniform(-1, 1, 20_000) for _ in g.inputs]
        value, grads = g(*pts)
        if len(g.inputs) == 4 and np.all(np.isfinite(value)) and all(np.all(np.isfinite(d)) for d in grads):
            return text
    raise RuntimeError("no finite F5 found")


FORMULAS = {"F1": F1, "F2": F2, "F3": F3, "F4": F4}
