"""Logistic regression fitted by Newton's method (IRLS) with an emitted parameter Hessian.

The per-point loss softplus(z) - y*z (the negative log-likelihood, with z = w0 + w1*x1 + w2*x2)
is compiled with ``params=`` (the weights, shared by every point), ``reduce="sum"`` and
``order=2``: one call returns the total loss, its gradient and its 3x3 Hessian with respect to the
weights, summed over the points in the same pass. Newton's step solves H p = -g. The fit is
checked against SciPy's trust-region Newton fit on a hand-written NumPy loss, gradient and Hessian.
"""
import numpy as np
from scipy.optimize import minimize

import compiler

LOSS = "softplus(w0 + w1*x1 + w2*x2) - y*(w0 + w1*x1 + w2*x2)"

g = compiler.compile(LOSS, wrt="w0,w1,w2", params=("w0", "w1", "w2"), reduce="sum", target="numpy", order=2)
print(g.source)

rng = np.random.default_rng(7)
n = 2000
x1, x2 = rng.normal(size=n), rng.normal(size=n)
p = 1 / (1 + np.exp(-(0.5 + 1.5 * x1 - 2.0 * x2)))
y = (rng.uniform(size=n) < p).astype(float)

w = np.zeros(3)
for step in range(25):
    loss, grad, H = g(w0=w[0], w1=w[1], w2=w[2], x1=x1, x2=x2, y=y)
    grad, H = np.array(grad, dtype=float), np.array(H, dtype=float)
    print(f"step {step:2d}  loss {float(loss):.10f}  |grad| {np.linalg.norm(grad):.3e}  w {w}")
    if np.linalg.norm(grad) < 1e-10:
        break
    w = w - np.linalg.solve(H, grad)

# the reference: SciPy's trust-region Newton on the same loss written by hand in NumPy
X = np.column_stack([np.ones(n), x1, x2])


def nll(b):
    z = X @ b
    return np.sum(np.logaddexp(0.0, z) - y * z)


def nll_grad(b):
    return X.T @ (1 / (1 + np.exp(-(X @ b))) - y)


def nll_hess(b):
    s = 1 / (1 + np.exp(-(X @ b)))
    return X.T @ (X * (s * (1 - s))[:, None])


ref = minimize(nll, np.zeros(3), jac=nll_grad, hess=nll_hess, method="trust-exact", options={"gtol": 1e-12})
print(f"Newton with bpc's Hessian: {w} in {step} steps")
print(f"SciPy (trust-exact):       {ref.x}")
assert step <= 12
assert np.max(np.abs(w - ref.x) / np.abs(ref.x)) <= 1e-8
