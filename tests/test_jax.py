"""g.jax(): custom_vjp over the emitted kernels (jax.pure_callback), under jit, grad and vmap.

The oracle is jax.grad of the same formula written in jax.numpy, to 1e-12 relative, in float64.
"""
import numpy as np
import pytest

jax = pytest.importorskip("jax", reason="JAX not installed (pip install 'bpc[jax]')")
jax.config.update("jax_enable_x64", True)       # this test process only: float64 oracles

import jax.numpy as jnp  # noqa: E402

import compiler  # noqa: E402
from conftest import example_sources  # noqa: E402

SOURCES = example_sources()
TOL = dict(rtol=1e-12, atol=1e-14)

SCALAR = [
    ("(x + sigmoid(y)) / (sigmoid(x) + (x + y)**2)",
     lambda x, y: (x + jax.nn.sigmoid(y)) / (jax.nn.sigmoid(x) + (x + y) ** 2), [(4, 3), (3,)]),
    ("sin(x)*exp(-x**2) + log(1 + y**2)", lambda x, y: jnp.sin(x) * jnp.exp(-x ** 2) + jnp.log(1 + y ** 2), [(5,), ()]),
    ("sqrt(x**2 + y**2) * tanh(x*y)", lambda x, y: jnp.sqrt(x ** 2 + y ** 2) * jnp.tanh(x * y), [(3, 1), (1, 4)]),
]


def _random(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [jnp.asarray(rng.normal(size=s)) for s in shapes]


def _close(a, b):
    for u, v in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)):
        np.testing.assert_allclose(np.asarray(u), np.asarray(v), **TOL)


@pytest.mark.parametrize("formula, reference, shapes", SCALAR, ids=[s[0] for s in SCALAR])
def test_grad_jit_vmap_scalar_programs(formula, reference, shapes):
    f = compiler.compile(formula, target="numpy").jax()
    xs = _random(shapes)
    argnums = tuple(range(len(xs)))

    def loss(fn):
        return lambda *xs: jnp.sum(jnp.cos(fn(*xs)))      # a non-trivial cotangent

    expected = jax.grad(loss(reference), argnums)(*xs)
    _close(f(*xs), reference(*xs))
    _close(jax.grad(loss(f), argnums)(*xs), expected)
    _close(jax.jit(jax.grad(loss(f), argnums))(*xs), expected)
    # vmap over a batch of the first input (the others shared), under jit
    batch = jnp.stack([xs[0], 2 * xs[0], -xs[0]])
    in_axes = (0,) + (None,) * (len(xs) - 1)
    got = jax.jit(jax.vmap(jax.grad(loss(f), argnums), in_axes))(batch, *xs[1:])
    _close(got, jax.vmap(jax.grad(loss(reference), argnums), in_axes)(batch, *xs[1:]))
    _close(jax.vmap(f, in_axes)(batch, *xs[1:]), jax.vmap(reference, in_axes)(batch, *xs[1:]))


def test_params_and_reduce_under_jit_and_vmap():
    g = compiler.compile(SOURCES.OSCILLATOR, target="numpy", params="A,b,w,phi", reduce="sum", wrt="A,b,w,phi,t")
    f = g.jax()
    t = jnp.linspace(0.0, 3.0, 50)
    y = jnp.sin(t)

    def ours(p, t):
        return f(A=p[0], b=p[1], w=p[2], phi=p[3], t=t, y=y)

    def reference(p, t):
        return jnp.sum((p[0] * jnp.exp(-p[1] * t) * jnp.cos(p[2] * t + p[3]) - y) ** 2)

    p = jnp.array([2.0, 0.3, 3.0, 0.5])
    _close(jax.jit(jax.grad(ours, (0, 1)))(p, t), jax.grad(reference, (0, 1))(p, t))
    batch = jnp.stack([p, 1.1 * p, 0.9 * p])
    _close(jax.jit(jax.vmap(jax.grad(ours, (0, 1)), (0, None)))(batch, t),
           jax.vmap(jax.grad(reference, (0, 1)), (0, None))(batch, t))


def test_d2l_mlp():
    g = compiler.compile(SOURCES.MLP_D2L, target="numpy", shapes=SOURCES.MLP_D2L_SHAPES, wrt="W1,x,W2")
    f = g.jax()
    rng = np.random.default_rng(0)
    W1, W2, x = (jnp.asarray(rng.normal(size=s)) for s in ((8, 5), (3, 8), (5, 20)))
    y = jnp.asarray(rng.integers(0, 3, 20))

    def reference(W1, x, W2):
        o = W2 @ jax.nn.relu(W1 @ x)
        logp = jax.nn.log_softmax(o, axis=0)
        return -jnp.mean(jnp.take_along_axis(logp, y[None], 0)) + 0.01 / 2 * (jnp.sum(W1 ** 2) + jnp.sum(W2 ** 2))

    ours = jax.jit(jax.grad(lambda W1, x, W2: f(W1, x, W2, y, 0.01), (0, 1, 2)))
    _close(ours(W1, x, W2), jax.grad(reference, (0, 1, 2))(W1, x, W2))
    # vmap over a batch of first-layer weights
    batch = jnp.stack([W1, 0.5 * W1])
    got = jax.vmap(jax.grad(lambda W1: f(W1, x, W2, y, 0.01)))(batch)
    _close(got, jax.vmap(jax.grad(lambda W1: reference(W1, x, W2)))(batch))


def test_inputs_not_in_wrt_get_zero_cotangents():
    f = compiler.compile("(a*x + b - y)**2", target="numpy", wrt="a,b").jax()
    x, y = _random([(6,), (6,)])
    da, dx = jax.grad(lambda a, x: jnp.sum(f(a, x, 0.5, y)), (0, 1))(1.5, x)
    np.testing.assert_allclose(da, jnp.sum(2 * (1.5 * x + 0.5 - y) * x), **TOL)
    assert not np.any(np.asarray(dx))


def test_missing_jax_names_the_extra(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "jax", None)       # import jax now fails
    g = compiler.compile("x*y", target="numpy")
    with pytest.raises(compiler.BpcError, match=r"needs jax.*pip install 'bpc\[jax\]'"):
        g.jax()


def test_second_order_modules_are_refused():
    g = compiler.compile("x*sin(y)", target="numpy", hvp=True)
    with pytest.raises(compiler.BpcError, match="takes a gradient function, not a hvp module"):
        g.jax()
