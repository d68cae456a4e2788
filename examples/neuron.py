"""CS231n's sigmoid neuron: f = sigmoid(w0*x0 + w1*x1 + w2), at the notes' point."""
import numpy as np

import compiler
from sources import NEURON

g = compiler.compile(NEURON, target="numpy")
print(g.source)
w = [2.0, -3.0, -3.0]
x = [-1.0, -2.0]
value, grads = g(w0=w[0], x0=x[0], w1=w[1], x1=x[1], w2=w[2])
print("f =", round(float(value), 5))
for name, d in zip(g.wrt, grads):
    print(f"df/d{name} = {float(d):+.5f}")
# CS231n: dx = [0.39, -0.59], dw = [-0.2, -0.39, 0.2]
expected = {"w0": -0.19661, "x0": 0.39322, "w1": -0.39322, "x1": -0.58983, "w2": 0.19661}
assert all(abs(float(d) - expected[n]) < 1e-5 for n, d in zip(g.wrt, grads))

# The same kernel over a batch of 100,000 points at once.
rng = np.random.default_rng(0)
batch = {name: rng.uniform(-1, 1, 100_000) for name in g.inputs}
value, grads = g(**batch)
print("batch of", value.shape[0], "points: mean f =", float(value.mean()).__round__(6))
