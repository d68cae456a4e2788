"""Fit a damped oscillator A*exp(-b*t)*cos(w*t + phi) to a million noisy samples.

bpc compiles the squared error with the four parameters shared by every point
and reduce="mean": one fused Numba pass returns the mean loss and its gradient
w.r.t. (A, b, w, phi), without any per-point gradient array. A small BFGS with
a backtracking line search uses it to recover the true parameters.
"""
import time

import numpy as np

import compiler
from sources import OSCILLATOR

PARAMS = ["A", "b", "w", "phi"]
TRUE = np.array([2.0, 0.3, 3.0, 0.5])

rng = np.random.default_rng(7)
t = np.linspace(0.0, 10.0, 1_000_000)
y = TRUE[0] * np.exp(-TRUE[1] * t) * np.cos(TRUE[2] * t + TRUE[3]) + rng.normal(0.0, 0.1, t.size)

g = compiler.compile(OSCILLATOR, target="numba", params=PARAMS, reduce="mean", wrt=PARAMS)


def loss_and_grad(p):
    value, grads = g(A=p[0], b=p[1], w=p[2], phi=p[3], t=t, y=y)
    return float(value), np.array(grads, dtype=float)


def bfgs(fun, x, iters=100, tol=1e-7):
    f, gr = fun(x)
    h = np.eye(x.size)
    for k in range(iters):
        step = -h @ gr
        a = 1.0
        while True:
            f_new, g_new = fun(x + a * step)
            if f_new <= f + 1e-4 * a * (gr @ step) or a < 1e-12:
                break
            a *= 0.5
        s, dg = a * step, g_new - gr
        converged = np.linalg.norm(gr) < tol or f - f_new <= 1e-15 * abs(f)
        x, f, gr = x + s, f_new, g_new
        if converged:
            break
        if s @ dg > 1e-16:
            rho = 1.0 / (s @ dg)
            i = np.eye(x.size)
            h = (i - rho * np.outer(s, dg)) @ h @ (i - rho * np.outer(dg, s)) + rho * np.outer(s, s)
    return x, f, k + 1


start = np.array([1.5, 0.2, 2.8, 0.2])
loss_and_grad(start)                                   # compile (or load from bpc's cache)
t0 = time.perf_counter()
for _ in range(10):
    loss_and_grad(start)
per_eval = (time.perf_counter() - t0) / 10
fit, loss, iterations = bfgs(loss_and_grad, start)
print(f"{t.size} points, {per_eval * 1e3:.2f} ms per loss + gradient evaluation")
print(f"BFGS: {iterations} iterations, mean squared error {loss:.6f} (noise variance 0.01)")
for name, true, got in zip(PARAMS, TRUE, fit):
    print(f"  {name:3s} true {true:.4f}  fitted {got:.4f}")
assert np.allclose(fit, TRUE, atol=2e-3), fit
