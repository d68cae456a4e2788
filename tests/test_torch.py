"""g.torch(): the emitted forward and backward as a torch.library custom op.

The oracles are PyTorch's own: gradcheck (finite differences in float64), autograd through the
same formula written with torch ops, and opcheck (schema, fake tensors, autograd registration).
"""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch not installed (pip install 'bpc[torch]')")

import compiler  # noqa: E402
from conftest import example_sources  # noqa: E402

SOURCES = example_sources()
MLP_D2L, MLP_D2L_SHAPES, OSCILLATOR = SOURCES.MLP_D2L, SOURCES.MLP_D2L_SHAPES, SOURCES.OSCILLATOR

F64 = torch.float64

SCALAR = [
    # (formula, the same in torch, input shapes: broadcasting included)
    ("(x + sigmoid(y)) / (sigmoid(x) + (x + y)**2)",
     lambda x, y: (x + torch.sigmoid(y)) / (torch.sigmoid(x) + (x + y) ** 2), [(4, 3), (3,)]),
    ("sin(x)*exp(-x**2)", lambda x: torch.sin(x) * torch.exp(-x ** 2), [(5,)]),
    ("log(1 + exp(a*x)) - b*x", lambda a, x, b: torch.nn.functional.softplus(a * x) - b * x, [(), (6,), (2, 1)]),
    ("sqrt(x**2 + y**2) * tanh(x*y)", lambda x, y: torch.sqrt(x ** 2 + y ** 2) * torch.tanh(x * y), [(3, 1), (1, 4)]),
]


def _random(shapes, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return [torch.randn(s, dtype=F64, generator=gen).requires_grad_() for s in shapes]


@pytest.mark.parametrize("formula, reference, shapes", SCALAR, ids=[s[0] for s in SCALAR])
def test_gradcheck_scalar_programs(formula, reference, shapes):
    f = compiler.compile(formula, target="numpy").torch()
    xs = _random(shapes)
    assert torch.autograd.gradcheck(f, xs)
    # and the same numbers as autograd through torch's own ops, for a non-trivial upstream gradient
    (value := f(*xs)).pow(2).sum().backward()
    got = [x.grad.clone() for x in xs]
    for x in xs:
        x.grad = None
    expected = reference(*xs)
    expected.pow(2).sum().backward()
    torch.testing.assert_close(value, expected, rtol=1e-12, atol=1e-12)
    for a, x in zip(got, xs):
        torch.testing.assert_close(a, x.grad, rtol=1e-12, atol=1e-12)


def test_only_wrt_gets_gradients_and_keywords_work():
    f = compiler.compile("(a*x + b - y)**2", target="numpy", wrt="a,b").torch()
    a, b = _random([(), ()])
    x, y = torch.randn(10, dtype=F64), torch.randn(10, dtype=F64)
    assert torch.autograd.gradcheck(lambda a, b: f(a=a, b=b, x=x, y=y), (a, b))


def test_gradcheck_params_and_reduce():
    g = compiler.compile(OSCILLATOR, target="numpy", params="A,b,w,phi", reduce="mean", wrt="A,b,w,phi,t")
    f = g.torch()
    t = torch.linspace(0, 3, 9, dtype=F64, requires_grad=True)
    y = torch.randn(9, dtype=F64)
    params = [torch.tensor(v, dtype=F64, requires_grad=True) for v in (2.0, 0.3, 3.0, 0.5)]
    assert torch.autograd.gradcheck(lambda A, b, w, phi, t: f(A=A, b=b, w=w, phi=phi, t=t, y=y), (*params, t))
    assert f(*params[:2], t, *params[2:], y).shape == ()     # inputs in order: A, b, t, w, phi, y


def test_gradcheck_numba_target():
    f = compiler.compile("x*exp(-y) + y**2", target="numba", parallel=False).torch()
    assert torch.autograd.gradcheck(f, _random([(7,), (7,)]))


def test_gradcheck_d2l_mlp():
    g = compiler.compile(MLP_D2L, target="numpy", shapes=MLP_D2L_SHAPES, wrt="W1,W2")
    f = g.torch()
    gen = torch.Generator().manual_seed(1)
    W1 = torch.randn(8, 5, dtype=F64, generator=gen, requires_grad=True)
    W2 = torch.randn(3, 8, dtype=F64, generator=gen, requires_grad=True)
    x, y = torch.randn(5, 20, dtype=F64, generator=gen), torch.randint(0, 3, (20,), generator=gen)
    assert torch.autograd.gradcheck(lambda W1, W2: f(W1, x, W2, y, 0.01), (W1, W2))
    # against the same objective in torch
    J = f(W1, x, W2, y, 0.01)
    J.backward()
    W1r, W2r = W1.detach().clone().requires_grad_(), W2.detach().clone().requires_grad_()
    o = W2r @ torch.relu(W1r @ x)
    Jr = torch.nn.functional.cross_entropy(o.T, y) + 0.01 / 2 * ((W1r ** 2).sum() + (W2r ** 2).sum())
    Jr.backward()
    torch.testing.assert_close(J, Jr, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(W1.grad, W1r.grad, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(W2.grad, W2r.grad, rtol=1e-12, atol=1e-12)


def test_opcheck():
    f = compiler.compile("(x + sigmoid(y)) / (sigmoid(x) + (x + y)**2)", target="numpy").torch()
    x, y = torch.randn(4, 3, dtype=F64), torch.randn(3, dtype=F64)
    result = torch.library.opcheck(f.op, (x, y))
    assert set(result.values()) == {"SUCCESS"}, result


def test_cpu_tensors_share_memory_with_numpy(monkeypatch):
    g = compiler.compile("x*y", target="numpy")
    f = g.torch()
    x, y = torch.randn(5, dtype=F64), torch.randn(5, dtype=F64)
    seen = []
    module = g._module
    entry = getattr(module, module.ENTRY)

    def spy(*arrays):
        seen.extend(arrays)
        return entry(*arrays)

    monkeypatch.setattr(g, "_fn", spy)
    f(x, y)
    assert np.shares_memory(seen[0], x.numpy()) and np.shares_memory(seen[1], y.numpy())


def test_torch_compile_cpu():
    """Under torch.compile with the op inside a bigger graph. backend="aot_eager" runs Dynamo and
    AOTAutograd (the op's fake and autograd registrations) without Inductor's C++ compile, which
    takes about a minute on this project's 2-core machines (it passes too)."""
    f = compiler.compile("(x + sigmoid(y)) / (sigmoid(x) + (x + y)**2)", target="numpy").torch()

    def model(x, y):
        return (f(torch.tanh(x), y) ** 2).sum()

    x, y = _random([(4, 3), (3,)], seed=3)
    eager = model(x, y)
    eager.backward()
    expected = [x.grad.clone(), y.grad.clone()]
    x.grad = y.grad = None
    compiled = torch.compile(model, backend="aot_eager", fullgraph=True)
    value = compiled(x, y)
    value.backward()
    torch.testing.assert_close(value, eager, rtol=1e-12, atol=0)
    torch.testing.assert_close([x.grad, y.grad], expected, rtol=1e-12, atol=0)


def test_float32_tensors_get_float32_gradients():
    f = compiler.compile("x*exp(y)", target="numpy").torch()
    x = torch.ones(3, dtype=torch.float32, requires_grad=True)
    y = torch.zeros(3, dtype=torch.float32, requires_grad=True)
    f(x, y).sum().backward()
    assert x.grad.dtype == torch.float32 and torch.equal(x.grad, torch.ones(3))


def test_missing_torch_names_the_extra(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "torch", None)     # import torch now fails
    g = compiler.compile("x*y", target="numpy")
    with pytest.raises(compiler.BpcError, match=r"needs torch.*pip install 'bpc\[torch\]'"):
        g.torch()


def test_second_order_modules_are_refused():
    g = compiler.compile("x*sin(y)", target="numpy", hvp=True)
    with pytest.raises(compiler.BpcError, match="takes a gradient function, not a hvp module"):
        g.torch()
