"""The xp target: one emitted module on NumPy, array-api-strict and PyTorch tensors.

The stated acceptance compares two bpc targets: the xp module's value and gradients on each array
library equal the numpy target's (itself checked against finite differences and torch elsewhere)
to 1e-12, returned as the caller's kind of array. The d2l MLP is also checked against torch autograd.
"""
import re
import sys

import numpy as np
import pytest

pytest.importorskip("array_api_compat", reason="array-api-compat not installed (pip install 'bpc[xp]')")

import compiler  # noqa: E402
from conftest import example_sources  # noqa: E402

SOURCES = example_sources()


def _libraries():
    """(name, convert, array type) for each array library installed here."""
    found = [("numpy", lambda a: a, np.ndarray)]
    try:
        import array_api_strict as strict

        found.append(("array-api-strict", strict.asarray, type(strict.asarray(1.0))))
    except ImportError:
        pass
    try:
        import torch

        found.append(("torch", torch.from_numpy, torch.Tensor))
    except ImportError:
        pass
    try:
        import jax

        jax.config.update("jax_enable_x64", True)       # float64, as bpc computes (this test process)
        found.append(("jax", jax.numpy.asarray, jax.Array))
    except ImportError:
        pass
    return found


LIBRARIES = _libraries()
IDS = [name for name, _, _ in LIBRARIES]


def _close(got, expected, kind):
    assert isinstance(got, kind) or (kind is np.ndarray and np.ndim(got) == 0), type(got)
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-12, atol=1e-14)


def _mlp_data(seed=0, points=None):
    rng = np.random.default_rng(seed)
    lead = () if points is None else (points,)
    return dict(W1=rng.normal(0, 0.5, (8, 5)), x=rng.normal(size=(*lead, 5, 20)), W2=rng.normal(0, 0.5, (3, 8)),
                y=rng.integers(0, 3, (*lead, 20)), lam=0.01)


@pytest.mark.parametrize("name, convert, kind", LIBRARIES, ids=IDS)
def test_d2l_mlp_equals_numpy_target(name, convert, kind):
    xp_g = compiler.compile(SOURCES.MLP_D2L, target="xp", shapes=SOURCES.MLP_D2L_SHAPES, wrt="W1,x,W2")
    np_g = compiler.compile(SOURCES.MLP_D2L, target="numpy", shapes=SOURCES.MLP_D2L_SHAPES, wrt="W1,x,W2")
    data = _mlp_data()
    expected_value, expected_grads = np_g(**data)
    value, grads = xp_g(**{k: convert(v) if isinstance(v, np.ndarray) else v for k, v in data.items()})
    _close(value, expected_value, kind)
    for got, expected in zip(grads, expected_grads):
        _close(got, expected, kind)


def test_d2l_mlp_on_tensors_against_torch_autograd():
    torch = pytest.importorskip("torch", reason="PyTorch not installed (pip install 'bpc[torch]')")
    g = compiler.compile(SOURCES.MLP_D2L, target="xp", shapes=SOURCES.MLP_D2L_SHAPES, wrt="W1,W2")
    data = {k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v for k, v in _mlp_data(3).items()}
    J, (dW1, dW2) = g(**data)
    W1, W2 = data["W1"].clone().requires_grad_(), data["W2"].clone().requires_grad_()
    o = W2 @ torch.relu(W1 @ data["x"])
    reference = torch.nn.functional.cross_entropy(o.T, data["y"]) + 0.005 * ((W1 ** 2).sum() + (W2 ** 2).sum())
    reference.backward()
    torch.testing.assert_close(J, reference.detach(), rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(dW1, W1.grad, rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(dW2, W2.grad, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name, convert, kind", LIBRARIES, ids=IDS)
def test_array_program_over_points_equals_numpy_target(name, convert, kind):
    options = dict(shapes=SOURCES.MLP_D2L_SHAPES, wrt="W1,W2", params="W1,W2,lam", reduce="mean")
    xp_g = compiler.compile(SOURCES.MLP_D2L, target="xp", **options)
    np_g = compiler.compile(SOURCES.MLP_D2L, target="numpy", **options)
    data = _mlp_data(1, points=4)
    expected_value, expected_grads = np_g(**data)
    value, grads = xp_g(**{k: convert(v) if isinstance(v, np.ndarray) else v for k, v in data.items()})
    _close(value, expected_value, kind)
    for got, expected in zip(grads, expected_grads):
        _close(got, expected, kind)


SCALAR = [
    ("(x + sigmoid(y)) / (sigmoid(x) + (x + y)**2)", {}),
    ("x**3 + atan2(x, y) + pi*y - relu(x - y)", {}),
    ("sqrt(x**2 + y**2) * tanh(x*y) + log(1 + exp(x))", {}),
    ("(A*exp(-b*t)*cos(w*t + phi) - y)**2", {"params": "A,b,w,phi", "reduce": "mean"}),
    ("abs(x)**y + sqrt(pi)*x", {}),
    ("where((x > 0.5) & (y < 0), x*y, 2.0) + clip(x, -1, 1)*y", {}),
    ("(x > y)*x + (x <= y)*y*y + (x == y) + (x != y)*x - (x >= y)*(x < y)", {}),
]


@pytest.mark.parametrize("formula, options", SCALAR, ids=[s[0] for s in SCALAR])
@pytest.mark.parametrize("name, convert, kind", LIBRARIES, ids=IDS)
def test_scalar_programs_equal_numpy_target(formula, options, name, convert, kind):
    xp_g = compiler.compile(formula, target="xp", **options)
    np_g = compiler.compile(formula, target="numpy", **options)
    rng = np.random.default_rng(2)
    values = [rng.normal() if n in xp_g.params else rng.normal(size=(4, 3)) for n in xp_g.inputs]
    if "x" in xp_g.inputs and not xp_g.params:
        values[xp_g.inputs.index("x")] = rng.normal(size=3)        # broadcast against (4, 3)
    expected_value, expected_grads = np_g(*values)
    value, grads = xp_g(*[v if np.ndim(v) == 0 else convert(v) for v in values])
    scalar_kind = kind if not xp_g.reduce or kind is not np.ndarray else np.float64
    _close(value, expected_value, scalar_kind if xp_g.reduce else kind)
    for got, expected, w in zip(grads, expected_grads, xp_g.wrt):
        _close(got, expected, scalar_kind if xp_g.reduce and w in xp_g.params else kind)


def test_emitted_module_calls_only_xp():
    g = compiler.compile(SOURCES.MLP_D2L, target="xp", shapes=SOURCES.MLP_D2L_SHAPES, wrt="W1,W2")
    body = g.source.split("def _body", 1)[1]
    assert "np." not in g.source and "import numpy" not in g.source
    assert re.search(r"xp\.astype\(z > 0, xp\.float64\)\*dh", body)        # relu' without bool arithmetic
    assert "cross_entropy_grad(xp, o, y, 0, 1)" in body


def test_unspellable_function_is_a_clear_error():
    with pytest.raises(compiler.BpcError, match=r"gamma.*no array API spelling.*target='numpy'"):
        compiler.compile("gamma(x) + x", target="xp")


def test_torch_op_runs_the_xp_module_on_tensors():
    torch = pytest.importorskip("torch", reason="PyTorch not installed (pip install 'bpc[torch]')")
    g = compiler.compile(SOURCES.MLP_D2L, target="xp", shapes=SOURCES.MLP_D2L_SHAPES, wrt="W1,W2")
    f = g.torch()
    gen = torch.Generator().manual_seed(0)
    W1 = torch.randn(8, 5, dtype=torch.float64, generator=gen, requires_grad=True)
    W2 = torch.randn(3, 8, dtype=torch.float64, generator=gen, requires_grad=True)
    x, y = torch.randn(5, 20, dtype=torch.float64, generator=gen), torch.randint(0, 3, (20,), generator=gen)
    assert torch.autograd.gradcheck(lambda W1, W2: f(W1, x, W2, y, 0.01), (W1, W2))
    h = compiler.compile("(x + sigmoid(y)) / (sigmoid(x) + (x + y)**2)", target="xp").torch()
    a = torch.randn(4, 3, dtype=torch.float64, generator=gen, requires_grad=True)
    b = torch.randn(3, dtype=torch.float64, generator=gen, requires_grad=True)
    assert torch.autograd.gradcheck(h, (a, b))


def test_missing_array_api_compat_names_the_extra(monkeypatch):
    g = compiler.compile("x*y", target="xp")
    monkeypatch.setitem(sys.modules, "array_api_compat", None)
    with pytest.raises(compiler.BpcError, match=r"needs array-api-compat.*pip install 'bpc\[xp\]'"):
        g(np.ones(3), 2.0)


EDGES = (0.0, 1.0, -1.0, 1e300, -1e300, 1e-300, -1e-300, float("inf"), -float("inf"), float("nan"))


def _row_cases():
    """(op, formula, input names, points) for every elementwise row of the rules table that a
    formula can call: random points in the row's test domain, and each input at the edges."""
    from compiler.rules import RULES

    rng = np.random.default_rng(5)
    for rule in RULES.values():
        if not (rule.elementwise and rule.names):
            continue
        domain = [tuple(float(v) for v in d) for d in rule.domain]
        names = [n for n, (lo, hi) in zip("abc", domain) if lo != hi]
        args = [n if lo != hi else repr(lo) for n, (lo, hi) in zip("abc", domain)]
        varying = [(lo, hi) for lo, hi in domain if lo != hi]
        points = [[rng.uniform(lo, hi) for lo, hi in varying] for _ in range(12)]
        middle = [(lo + hi) / 2 for lo, hi in varying]
        for k in range(len(varying)):
            for edge in EDGES:
                points.append([edge if j == k else m for j, m in enumerate(middle)])
        yield rule.op, f"{rule.names[0]}({', '.join(args)})", tuple(names), points


def test_every_primitive_on_array_api_strict_equals_numpy_target():
    """Each elementwise row of the rules table at random points of its test domain and at edges
    (inf and nan included), on array-api-strict, the strictest namespace: the same numbers as the
    numpy target, or a one-line error at compile time naming a function the standard cannot spell."""
    strict = pytest.importorskip("array_api_strict", reason="array-api-strict not installed")

    unspellable, compared = [], 0
    for op, formula, names, points in _row_cases():
        try:
            xp_g = compiler.compile(formula, target="xp", inputs=names)
        except compiler.BpcError as err:
            assert "no array API spelling" in str(err) and "target='numpy'" in str(err), (op, err)
            unspellable.append(op)
            continue
        np_g = compiler.compile(formula, target="numpy", inputs=names)
        columns = [np.array(c, dtype=np.float64) for c in zip(*points)]
        with np.errstate(all="ignore"):
            expected_value, expected_grads = np_g(*columns)
            value, grads = xp_g(*[strict.asarray(c) for c in columns])
        for got, expected in zip((value, *grads), (expected_value, *expected_grads)):
            assert isinstance(got, type(strict.asarray(1.0)))
            np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-12, atol=1e-300, err_msg=formula)
        compared += 1
    assert compared >= 60, compared
    # erf and SciPy's special functions have no array API spelling; everything else runs
    special = {"erf", "erfc", "erfinv", "erfcinv", "gamma", "gammaln", "rgamma", "digamma", "polygamma", "beta",
               "betaln", "j0", "j1", "y0", "y1", "i0", "i1", "i0e", "i1e", "logit", "xlogy", "gelu", "zeta"}
    assert set(unspellable) <= special, set(unspellable) - special


def test_jit_of_an_xp_module_on_jax_arrays():
    """JAX arrays are immutable and jit traces them: the xp module still runs, traced once."""
    jax = pytest.importorskip("jax", reason="JAX not installed (pip install 'bpc[jax]')")
    jax.config.update("jax_enable_x64", True)
    xp_g = compiler.compile(SOURCES.MLP_D2L, target="xp", shapes=SOURCES.MLP_D2L_SHAPES, wrt="W1,W2")
    np_g = compiler.compile(SOURCES.MLP_D2L, target="numpy", shapes=SOURCES.MLP_D2L_SHAPES, wrt="W1,W2")
    data = _mlp_data(4)
    expected_value, expected_grads = np_g(**data)
    value, grads = jax.jit(lambda **a: xp_g(**a))(**{k: jax.numpy.asarray(v) for k, v in data.items()})
    _close(value, expected_value, jax.Array)
    for got, expected in zip(grads, expected_grads):
        _close(got, expected, jax.Array)
