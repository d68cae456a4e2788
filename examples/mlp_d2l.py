"""d2l's one-hidden-layer MLP objective with weight decay, compiled to staged NumPy code.

J = cross_entropy(W2 relu(W1 x), y) + lam/2 (|W1|^2 + |W2|^2). bpc emits the backward pass in
the order of d2l's equations (dW2 = do @ h.T, dW2 += lam*W2, dh = W2.T @ do, dz = dh * relu'(z),
dW1 = dz @ x.T, dW1 += lam*W1); this prints it, checks it against finite differences, prints
the memory report (training keeps z, h and o for the backward pass), and takes a few steps of
gradient descent on random data.
"""
import numpy as np

import compiler
from sources import MLP_D2L, MLP_D2L_SHAPES

g = compiler.compile(MLP_D2L, target="numpy", shapes=MLP_D2L_SHAPES, wrt="W1,W2")
print(g.source.split("# backward pass")[1].split("return")[0].rstrip())

rng = np.random.default_rng(0)
d, h, q, n = 5, 8, 3, 20
W1, W2 = rng.normal(0, 0.5, (h, d)), rng.normal(0, 0.5, (q, h))
x, y, lam = rng.normal(size=(d, n)), rng.integers(0, q, n), 1e-2

# central differences of the value, for a few entries of each weight matrix
J, (dW1, dW2) = g(W1, x, W2, y, lam)
worst = 0.0
for W, dW, name in ((W1, dW1, "W1"), (W2, dW2, "W2")):
    for index in [(0, 0), (1, 2), (2, 1)]:
        step = np.zeros_like(W)
        step[index] = 1e-6
        args = {"W1": W1, "W2": W2, "x": x, "y": y, "lam": lam}
        up = g(**{**args, name: W + step})[0]
        down = g(**{**args, name: W - step})[0]
        worst = max(worst, abs((up - down) / 2e-6 - dW[index]) / max(abs(dW[index]), 1e-8))
print(f"largest relative difference from central differences: {worst:.1e}")
assert worst < 1e-6

print(g.memory(h=256, d=784, q=10, n=256))

for step in range(51):
    J, (dW1, dW2) = g(W1, x, W2, y, lam)
    if step % 10 == 0:
        print(f"step {step:2d}  J = {J:.4f}")
    W1 -= 0.5 * dW1
    W2 -= 0.5 * dW2
assert J < 0.8
