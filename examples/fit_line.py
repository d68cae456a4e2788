"""Gradient descent with an emitted gradient: fit y = a*x + b to noisy data.

The per-point squared error (a*x + b - y)**2 is compiled for the numpy target;
its gradient w.r.t. a and b, averaged over the data, drives plain gradient descent.
"""
import numpy as np

import compiler
from sources import LINE_FIT

g = compiler.compile(LINE_FIT, wrt="a,b", target="numpy")
print(g.source)

rng = np.random.default_rng(42)
x = rng.uniform(-2, 2, 1000)
y = 3.0 * x - 0.5 + rng.normal(0.0, 0.1, x.size)

a, b, lr = 0.0, 0.0, 0.1
for step in range(200):
    loss, (da, db) = g(a=a, x=x, b=b, y=y)
    a -= lr * da.mean()
    b -= lr * db.mean()
    if step % 50 == 0:
        print(f"step {step:3d}  loss {loss.mean():.5f}  a {a:.4f}  b {b:.4f}")
print(f"fitted a = {a:.4f} (true 3.0), b = {b:.4f} (true -0.5)")
assert abs(a - 3.0) < 0.02 and abs(b + 0.5) < 0.02
