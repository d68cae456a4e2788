"""python vs numpy: same numbers; numpy arrays never alias each other or the inputs."""
import numpy as np
import pytest

import compiler

FORMULAS = [
    "(x + sigmoid(y)) / (sigmoid(x) + (x + y)**2)",
    "sigmoid(w0*x0 + w1*x1 + w2)",
    "sin(x*y)*exp(-z**2) + log(1 + x**2 + y**2)*tanh(z)",
    "(1 - x)**2 + 100*(y - x**2)**2",
    "x + y",            # dx and dy are both the seed: the worst case for aliasing
    "x",
]


@pytest.mark.parametrize("formula", FORMULAS)
def test_numpy_matches_python_pointwise(formula):
    gp = compiler.compile(formula, target="python")
    gn = compiler.compile(formula, target="numpy")
    rng = np.random.default_rng(0)
    arrays = [rng.uniform(-1, 1, 50) for _ in gn.inputs]
    f, grads = gn(*arrays)
    for i in range(50):
        fp, gradsp = gp(*[a[i] for a in arrays])
        assert f[i] == pytest.approx(fp, rel=1e-15, abs=1e-300)
        for a, b in zip(grads, gradsp):
            assert a[i] == pytest.approx(b, rel=1e-15, abs=1e-300)


@pytest.mark.parametrize("formula", FORMULAS)
def test_numpy_outputs_are_distinct_new_arrays(formula):
    g = compiler.compile(formula, target="numpy")
    inputs = [np.linspace(-1, 1, 7) + i for i in range(len(g.inputs))]
    saved = [a.copy() for a in inputs]
    f, grads = g(*inputs)
    outputs = [f, *grads]
    for i, a in enumerate(outputs):
        assert isinstance(a, np.ndarray) and a.dtype == np.float64 and a.shape == (7,)
        for b in outputs[i + 1:] + inputs:
            assert not np.shares_memory(a, b)
    before = [o.copy() for o in outputs]
    for o in outputs:
        o += 1000.0                      # writing to one output changes nothing else
    for o, b in zip(outputs, before):
        assert np.array_equal(o, b + 1000.0)
    for a, s in zip(inputs, saved):
        assert np.array_equal(a, s)


def test_numpy_source_copies_before_accumulating():
    src = compiler.compile("(x + sigmoid(y)) / (sigmoid(x) + (x + y)**2)", target="numpy").source
    assert "dx = dxpy.copy()" in src and "dy = dxpy.copy()" in src
    assert "dsigx = dden " in src          # never accumulated into nor returned: no copy needed


def test_numpy_broadcasting_and_scalars():
    g = compiler.compile("x*y + sin(x)", target="numpy")
    f, (dx, dy) = g(np.array([[0.0], [1.0]]), np.array([1.0, 2.0, 3.0]))
    assert f.shape == dx.shape == dy.shape == (2, 3)
    assert np.allclose(dy, [[0.0] * 3, [1.0] * 3])
    f, (dx, dy) = g(2.0, 3.0)
    assert isinstance(f, np.float64) and isinstance(dx, np.float64)
    f, (dx, dy) = g([1.0, 2.0], 3.0)               # lists are fine
    assert dy.tolist() == [1.0, 2.0]


def test_numpy_constant_gradient_is_broadcast():
    g = compiler.compile("2*x + y**2", target="numpy")
    f, (dx, dy) = g(np.zeros(4), np.arange(4.0))
    assert dx.tolist() == [2.0] * 4 and dy.tolist() == [0.0, 2.0, 4.0, 6.0]


def test_python_target_takes_scalars_only():
    g = compiler.compile("x*y")
    with pytest.raises(compiler.BpcError, match="must be a scalar on the python target"):
        g(np.ones(3), 1.0)
    f, grads = g(2, 3)                              # ints are fine
    assert (f, grads) == (6.0, (3.0, 2.0)) and type(f) is np.float64 and isinstance(f, float)


def test_call_errors():
    g = compiler.compile("x*y")
    with pytest.raises(TypeError, match="missing value for input 'y'"):
        g(1.0)
    with pytest.raises(TypeError, match="unknown input 'z'"):
        g(1.0, z=2.0)
    with pytest.raises(TypeError, match="takes 2 inputs"):
        g(1.0, 2.0, 3.0)
    with pytest.raises(TypeError, match="given twice"):
        g(1.0, x=2.0)
    with pytest.raises(compiler.BpcError, match="wrt names 'q', which is not an input"):
        compiler.compile("x*y", wrt="q")
    with pytest.raises(compiler.BpcError, match="unknown target 'fortran'"):
        compiler.compile("x*y", target="fortran")
