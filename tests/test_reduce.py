"""params= and reduce=: the summed (or mean) loss and its parameter gradients, on every target,
against finite differences of the summed loss computed from an independent SymPy reference."""
import numpy as np
import pytest
import sympy as sp

import compiler
from compiler.check import finite_difference
from conftest import TARGETS, compile_for

A, B, W, PHI, T, Y = sp.symbols("A b w phi t y")
LOSS = (A * sp.exp(-B * T) * sp.cos(W * T + PHI) - Y) ** 2
TEXT = "(A*exp(-b*t)*cos(w*t + phi) - y)**2"
PARAMS = {"A": 1.3, "b": 0.2, "w": 2.1, "phi": 0.4}


def reference_total(reduce, t, y):
    per_point = sp.lambdify((A, B, W, PHI, T, Y), LOSS, "numpy")

    def total(p):
        values = per_point(*p, t, y)
        return float(values.sum() if reduce == "sum" else values.mean())
    return total


@pytest.mark.parametrize("reduce", ["sum", "mean"])
@pytest.mark.parametrize("target", TARGETS)
def test_reduced_parameter_gradients_match_finite_differences(target, reduce):
    rng = np.random.default_rng(3)
    t = np.linspace(0, 5, 257)
    y = np.cos(2 * t) * np.exp(-0.1 * t) + rng.normal(0, 0.05, t.size)
    g = compile_for(TEXT, target, params=list(PARAMS), reduce=reduce, wrt=[*PARAMS, "t"])
    assert g.params == tuple(PARAMS)
    value, grads = g(**PARAMS, t=t, y=y)
    total = reference_total(reduce, t, y)
    p0 = list(PARAMS.values())
    assert np.ndim(value) == 0 and float(value) == pytest.approx(total(p0), rel=1e-13)
    for i, name in enumerate(PARAMS):
        assert np.ndim(grads[i]) == 0, name
        numeric = finite_difference(total, p0, i)
        assert float(grads[i]) == pytest.approx(numeric, rel=1e-8), name
    # per-point input t: d(total)/dt_k is the k-th point's own derivative (scaled by 1/N for mean)
    dt = grads[-1]
    assert dt.shape == t.shape
    k = 100
    point = sp.lambdify(T, sp.diff(LOSS, T).subs({A: 1.3, B: 0.2, W: 2.1, PHI: 0.4, Y: y[k]}))
    expected = point(t[k]) / (t.size if reduce == "mean" else 1)
    assert float(dt[k]) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("target", TARGETS)
def test_params_without_reduce_give_per_point_gradients(target):
    g = compile_for("w*x + b", target, params=["w", "b"])
    x = np.array([1.0, 2.0, 3.0])
    if target == "python":
        value, (dw, dx, db) = g(w=2.0, x=1.5, b=1.0)
        assert (value, dw, dx, db) == (4.0, 1.5, 2.0, 1.0)
        return
    value, (dw, dx, db) = g(w=2.0, x=x, b=1.0)
    assert value.tolist() == [3.0, 5.0, 7.0] and dw.tolist() == [1.0, 2.0, 3.0] and db.tolist() == [1.0] * 3


def test_params_must_be_scalars():
    g = compiler.compile("w*x", target="numpy", params=["w"], reduce="sum")
    with pytest.raises(compiler.BpcError, match="parameter 'w' must be a scalar"):
        g(w=np.ones(3), x=np.ones(3))
    with pytest.raises(compiler.BpcError, match="params names 'q'"):
        compiler.compile("w*x", params=["q"])
    with pytest.raises(compiler.BpcError, match="unknown reduce"):
        compiler.compile("w*x", reduce="max")


def test_numba_reduction_is_in_the_kernel_without_parameter_arrays():
    g = compiler.compile(TEXT, target="numba", params=list(PARAMS), reduce="sum")
    kernel = g.source.split("def _kernel(")[1].split("\ndef ")[0]
    assert kernel.count("+= ") >= 5                     # value and four parameter gradients summed
    assert "_o" in kernel                                # t and y gradients are per point
    assert all(f"_o{k}" not in kernel for k in range(3, 9))   # only dt and dy are arrays
