"""Matrix programs: every array rule against finite differences of a NumPy reference written
here, the examples against PyTorch autograd, the d2l equation order, shapes and memory."""
import numpy as np
import pytest

import compiler
from conftest import compile_for, example_sources

SOURCES = example_sources()
MATRIX_TARGETS = ("python", "numpy", "numba")


def _softmax(a, axis):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _ce(o, y, axis):
    logp = np.log(_softmax(o, axis))
    if y.dtype.kind == "i":
        return -np.mean(np.take_along_axis(logp, np.expand_dims(y, axis), axis))
    return -np.sum(y * logp) / (o.size // o.shape[axis])


LABELS = np.array([0, 2, 1, 2])
ONEHOT = np.eye(3)[LABELS].T                     # (3, 4): classes down axis 0
#  name             program                                       shapes                                   reference (inputs dict -> value)
CASES = [
    ("matmul",       "J = sum((A @ B) * R)",                       {"A": (2, 3), "B": (3, 4), "R": (2, 4)},   lambda v: np.sum((v["A"] @ v["B"]) * v["R"])),
    ("matvec",       "J = sum((A @ b) * r)",                       {"A": (2, 3), "b": (3,), "r": (2,)},       lambda v: np.sum((v["A"] @ v["b"]) * v["r"])),
    ("vecmat",       "J = sum((a @ B) * r)",                       {"a": (2,), "B": (2, 3), "r": (3,)},       lambda v: np.sum((v["a"] @ v["B"]) * v["r"])),
    ("dot",          "J = a @ b",                                  {"a": (3,), "b": (3,)},                    lambda v: v["a"] @ v["b"]),
    ("transpose",    "J = sum(A.T * R)",                           {"A": (2, 3), "R": (3, 2)},                lambda v: np.sum(v["A"].T * v["R"])),
    ("sum_axis0",    "J = sum(sum(A, axis=0) * r)",                {"A": (2, 3), "r": (3,)},                  lambda v: np.sum(v["A"].sum(axis=0) * v["r"])),
    ("sum_axis1",    "J = sum(sum(A, axis=-1) * r)",               {"A": (2, 3), "r": (2,)},                  lambda v: np.sum(v["A"].sum(axis=1) * v["r"])),
    ("mean",         "J = mean(A * A)",                            {"A": (2, 3)},                             lambda v: np.mean(v["A"] ** 2)),
    ("mean_axis",    "J = sum(mean(A, axis=1) * r)",               {"A": (2, 3), "r": (2,)},                  lambda v: np.sum(v["A"].mean(axis=1) * v["r"])),
    ("frob2",        "J = frob2(A) * c",                           {"A": (2, 3)},                             lambda v: np.sum(v["A"] ** 2) * v["c"]),
    ("softmax0",     "J = sum(softmax(A, axis=0) * R)",            {"A": (3, 4), "R": (3, 4)},                lambda v: np.sum(_softmax(v["A"], 0) * v["R"])),
    ("softmax1",     "J = sum(softmax(A, axis=1) * R)",            {"A": (3, 4), "R": (3, 4)},                lambda v: np.sum(_softmax(v["A"], 1) * v["R"])),
    ("log_softmax",  "J = sum(log_softmax(A, axis=0) * R)",        {"A": (3, 4), "R": (3, 4)},                lambda v: np.sum(np.log(_softmax(v["A"], 0)) * v["R"])),
    ("ce_labels",    "J = cross_entropy(O, y)",                    {"O": (3, 4), "y": (4,)},                  lambda v: _ce(v["O"], v["y"], 0)),
    ("ce_rows",      "J = cross_entropy(O, y, axis=1)",            {"O": (4, 3), "y": (4,)},                  lambda v: _ce(v["O"], v["y"], 1)),
    ("ce_onehot",    "J = cross_entropy(O, Y)",                    {"O": (3, 4), "Y": (3, 4)},                lambda v: _ce(v["O"], v["Y"], 0)),
    ("bias_column",  "J = sum(tanh(W @ x + b) * R)",               {"W": (3, 2), "x": (2, 4), "b": (3, 1), "R": (3, 4)},
     lambda v: np.sum(np.tanh(v["W"] @ v["x"] + v["b"]) * v["R"])),
    ("bias_row",     "J = sum(sigmoid(x @ W + b) * R)",            {"W": (2, 3), "x": (4, 2), "b": (3,), "R": (4, 3)},
     lambda v: np.sum(1 / (1 + np.exp(-(v["x"] @ v["W"] + v["b"]))) * v["R"])),
    ("scalar_bcast", "J = sum(exp(A * c) - relu(A) + A / 2)",      {"A": (2, 3)},                             lambda v: np.sum(np.exp(v["A"] * v["c"]) - np.maximum(v["A"], 0) + v["A"] / 2)),
    ("elementwise",  "J = sum(log(1 + A**2) * sin(B) + softplus(A) * B**3)", {"A": (2, 2), "B": (2, 2)},
     lambda v: np.sum(np.log(1 + v["A"] ** 2) * np.sin(v["B"]) + np.logaddexp(0, v["A"]) * v["B"] ** 3)),
]


def _values(g, shapes, rng):
    values = {}
    for name in g.inputs:
        shape = shapes.get(name, ())
        if name == "y":
            values[name] = LABELS
        elif name == "Y":
            values[name] = ONEHOT
        else:
            values[name] = rng.uniform(-1, 1, shape) if shape else float(rng.uniform(0.5, 1.5))
    return values


def _fd(reference, values, name, h=1e-6):
    """Central differences of the NumPy reference, element by element."""
    base = np.array(values[name], dtype=float)
    grad = np.zeros_like(base)
    for index in np.ndindex(base.shape):
        up, down = base.copy(), base.copy()
        up[index] += h
        down[index] -= h
        grad[index] = (reference({**values, name: up}) - reference({**values, name: down})) / (2 * h)
    return grad


@pytest.mark.parametrize("target", MATRIX_TARGETS)
@pytest.mark.parametrize("name,program,shapes,reference", CASES, ids=[c[0] for c in CASES])
def test_rule_matches_finite_differences(name, program, shapes, reference, target):
    g = compile_for(program, target, shapes=shapes)      # numba serially; the examples below run in parallel
    values = _values(g, shapes, np.random.default_rng(abs(hash(name)) % 2**32))
    value, grads = g(**values)
    assert value == pytest.approx(reference(values), rel=1e-12, abs=1e-14)
    for w, grad in zip(g.wrt, grads):
        expected = _fd(reference, values, w)
        assert np.shape(grad) == np.shape(expected), (w, np.shape(grad))
        assert np.allclose(grad, expected, rtol=1e-6, atol=1e-8), (name, w, grad, expected)


# -- the examples against PyTorch ------------------------------------------------------------

def _torch_grads(program_fn, values, wrt):
    torch = pytest.importorskip("torch")
    tensors = {k: torch.tensor(v, dtype=torch.float64 if np.asarray(v).dtype.kind == "f" else torch.int64,
                               requires_grad=k in wrt) for k, v in values.items()}
    value = program_fn(torch, tensors)
    value.backward()
    return value.item(), [tensors[w].grad.numpy() for w in wrt]


def _torch_ce(torch, o, y):          # classes down axis 0, mean over columns
    return torch.nn.functional.cross_entropy(o.T, y)


TORCH_EXAMPLES = {
    "d2l": (SOURCES.MLP_D2L, SOURCES.MLP_D2L_SHAPES, {"h": 6, "d": 5, "q": 3, "n": 8},
            lambda t, v: _torch_ce(t, v["W2"] @ t.relu(v["W1"] @ v["x"]), v["y"])
            + v["lam"] / 2 * ((v["W1"] ** 2).sum() + (v["W2"] ** 2).sum())),
    "3layer": (SOURCES.MLP_3LAYER, SOURCES.MLP_3LAYER_SHAPES, {"n": 16},
               lambda t, v: _torch_ce(t, t.sigmoid(v["W3"] @ t.relu(v["W2"] @ t.relu(v["W1"] @ v["x"] + v["b1"])
                                                                       + v["b2"]) + v["b3"]), v["y"])),
    "digits": (SOURCES.MLP_DIGITS, SOURCES.MLP_DIGITS_SHAPES, {"h": 7, "n": 12},
               lambda t, v: _torch_ce(t, v["W2"] @ t.tanh(v["W1"] @ v["x"] + v["b1"]) + v["b2"], v["y"])
               + v["lam"] / 2 * ((v["W1"] ** 2).sum() + (v["W2"] ** 2).sum())),
}


def _example_values(g, shapes, sizes, classes, rng):
    values = {}
    for name in g.inputs:
        shape = tuple(sizes[d] if isinstance(d, str) else d for d in shapes.get(name, ()))
        if name == "y":
            values[name] = rng.integers(0, classes, shape)
        else:
            values[name] = rng.normal(0, 0.7, shape) if shape else 0.05
    return values


@pytest.mark.parametrize("target", MATRIX_TARGETS)
@pytest.mark.parametrize("example", sorted(TORCH_EXAMPLES))
def test_examples_match_pytorch_autograd(example, target):
    program, shapes, sizes, torch_fn = TORCH_EXAMPLES[example]
    g = compiler.compile(program, target=target, shapes=shapes)
    classes = {"d2l": sizes.get("q"), "3layer": 5, "digits": 10}[example]
    values = _example_values(g, shapes, sizes, classes, np.random.default_rng(3))
    value, grads = g(**values)
    want_value, want = _torch_grads(torch_fn, values, g.wrt)
    assert value == pytest.approx(want_value, rel=1e-10)
    for w, got, expected in zip(g.wrt, grads, want):
        err = np.max(np.abs(got - expected)) / np.max(np.abs(expected))
        assert err <= 1e-10, (example, w, err)


# -- the d2l equations, shapes, memory -------------------------------------------------------

def test_d2l_backward_follows_the_equations():
    g = compiler.compile(SOURCES.MLP_D2L, target="numpy", shapes=SOURCES.MLP_D2L_SHAPES, wrt="W1,W2")
    body = g.source.split("# backward pass")[1].split("return")[0]
    lines = [line.split("#")[0].strip() for line in body.strip().splitlines()]
    assert lines == ["do = cross_entropy_grad(o, y, 0, 1)", "dW2 = do @ h.T", "dW2 += W2*lam", "dh = W2.T @ do",
                     "dz = (1.0*(z > 0))*dh", "dW1 = dz @ x.T", "dW1 += W1*lam"]


def test_bias_gradient_sums_over_examples():
    g = compiler.compile(SOURCES.MLP_3LAYER, target="numpy", shapes=SOURCES.MLP_3LAYER_SHAPES)
    assert "db1 = np.sum(dz1, axis=1).reshape(b1.shape)" in g.source


def test_shape_errors_name_the_stage_and_the_shapes():
    with pytest.raises(compiler.BpcError, match=r"stage 'z' \(W1 @ W2\): inner sizes d and q differ: "
                                                r"W1 is \(h, d\), W2 is \(q, h\)"):
        compiler.compile("z = W1 @ W2\nJ = sum(z)", target="numpy", shapes={"W1": ("h", "d"), "W2": ("q", "h")})
    with pytest.raises(compiler.BpcError, match=r"stage 'z' \(W @ x \+ b\): cannot broadcast: W @ x is \(h, n\), b is \(d, 1\) at 1:5"):
        compiler.compile("z = W @ x + b\nJ = sum(z)", target="numpy",
                         shapes={"W": ("h", "d"), "x": ("d", "n"), "b": ("d", 1)})
    with pytest.raises(compiler.BpcError, match="needs a scalar output"):
        compiler.compile("z = W @ x", target="numpy", shapes={"W": (2, 3), "x": (3, 4)})
    g = compiler.compile(SOURCES.MLP_D2L, target="numpy", shapes=SOURCES.MLP_D2L_SHAPES)
    W1, W2, x, y = np.ones((4, 5)), np.ones((3, 4)), np.ones((6, 8)), np.zeros(8, dtype=int)
    with pytest.raises(ValueError, match=r"input 'x' has shape \(6, 8\), but its size 'd' is 5 \(from 'W1'\)"):
        g(W1=W1, W2=W2, x=x, y=y, lam=0.1)
    with pytest.raises(ValueError, match=r"input 'y' must have shape \('n',\), got \(8, 1\)"):
        g(W1=W1, W2=W2, x=np.ones((5, 8)), y=y.reshape(8, 1), lam=0.1)


def test_matrix_options_are_checked():
    with pytest.raises(compiler.BpcError, match="python, numpy, numba and xp targets"):
        compiler.compile("J = frob2(A)", target="cuda", shapes={"A": (2, 2)})
    with pytest.raises(compiler.BpcError, match="shapes names 'B'"):
        compiler.compile("J = frob2(A)", target="numpy", shapes={"A": (2, 2), "B": (1,)})
    with pytest.raises(compiler.BpcError, match="attribute access is not allowed .* only .T"):
        compiler.compile("J = sum(A.shape)", target="numpy", shapes={"A": (2, 2)})
    with pytest.raises(compiler.BpcError, match="targets y of cross_entropy are data"):
        compiler.compile("J = cross_entropy(O, Y)", target="numpy", shapes={"O": (3, 4), "Y": (3, 4)}, wrt="Y")


def test_memory_report_counts_saved_intermediates():
    g = compiler.compile(SOURCES.MLP_D2L, target="numpy", shapes=SOURCES.MLP_D2L_SHAPES, wrt="W1,W2")
    report = g.memory(h=256, d=784, q=10, n=128)
    zh, o = 256 * 128 * 8, 10 * 128 * 8
    assert [(name, size) for name, _, size in report.saved] == [("z", zh), ("h", zh), ("o", o)]
    assert report.prediction_bytes == 2 * zh          # z and h live together while h is computed
    assert report.training_bytes > report.prediction_bytes + o
    assert "saved for the backward pass" in str(report)
    with pytest.raises(compiler.BpcError, match="give the size 'n'"):
        g.memory(h=256, d=784, q=10)


def test_cli_compiles_matrix_programs_and_reports_memory(tmp_path, capsys):
    from compiler.cli import main

    source = tmp_path / "mlp.txt"
    source.write_text(SOURCES.MLP_D2L)
    shapes = '{"W1": ["h", "d"], "W2": ["q", "h"], "x": ["d", "n"], "y": ["n"]}'
    assert main(["compile", f"@{source}", "--target", "numpy", "--shapes", shapes, "--wrt", "W1,W2"]) == 0
    assert "dW2 = do @ h.T" in capsys.readouterr().out
    assert main(["compile", f"@{source}", "--target", "numpy", "--shapes", shapes, "--wrt", "W1,W2",
                 "--memory", "h=256,d=784,q=10,n=128"]) == 0
    out = capsys.readouterr().out
    assert f"z            (h, n)           {256 * 128 * 8:>14,d} bytes" in out
    assert main(["compile", f"@{source}", "--shapes", "[1, 2]"]) == 2


def test_sympy_matrix_expression():
    sp = pytest.importorskip("sympy")
    n, d = sp.symbols("n d")
    W, x, y = sp.MatrixSymbol("W", n, d), sp.MatrixSymbol("x", d, 1), sp.MatrixSymbol("y", n, 1)
    r = W * x - y
    g = compiler.compile(r.T * r, target="numpy")
    rng = np.random.default_rng(4)
    values = {"W": rng.normal(size=(3, 2)), "x": rng.normal(size=(2, 1)), "y": rng.normal(size=(3, 1))}
    value, grads = g(**values)
    res = values["W"] @ values["x"] - values["y"]
    assert value == pytest.approx(float((res.T @ res)[0, 0]), rel=1e-13)
    expected = {"W": 2 * res @ values["x"].T, "x": 2 * values["W"].T @ res, "y": -2 * res}
    for w, grad in zip(g.wrt, grads):
        assert np.allclose(grad, expected[w], rtol=1e-13), w
    with pytest.raises(compiler.BpcError, match="1x1 value"):
        compiler.compile(W * x, target="numpy")


@pytest.mark.parametrize("example", sorted(TORCH_EXAMPLES))
def test_examples_match_finite_differences(example):
    """The same example gradients against central differences of the emitted value (small sizes)."""
    program, shapes, sizes, _ = TORCH_EXAMPLES[example]
    g = compiler.compile(program, target="numpy", shapes=shapes)
    classes = {"d2l": sizes.get("q"), "3layer": 5, "digits": 10}[example]
    values = _example_values(g, shapes, sizes, classes, np.random.default_rng(5))
    value, grads = g(**values)
    for w, grad in zip(g.wrt, grads):
        if w == "x" and example == "digits":
            continue                      # 64 x 12 entries: the weights cover the same rules
        expected = _fd(lambda v: g(**v)[0], values, w)
        assert np.allclose(grad, expected, rtol=1e-6, atol=1e-9), (example, w)


def test_njit_axis_sums_and_outer_equal_numpys():
    """compiler.host.arrays_njit's sums along an axis and outer product, which the numba target
    calls inside @njit, against NumPy's: bitwise equal (the same additions in the same order),
    on C and Fortran layouts, transposed views, empty arrays, infinities and nan."""
    from compiler.host.arrays_njit import outer, sum_axis0, sum_axis1

    rng = np.random.default_rng(5)
    arrays = [rng.normal(size=(7, 5)) * 10.0 ** rng.integers(-8, 8, (7, 5)), np.zeros((0, 3)), np.zeros((3, 0)),
              np.array([[1.0, np.inf], [-np.inf, np.nan], [2.0, -0.0]])]
    arrays += [np.asfortranarray(a) for a in arrays] + [a.T for a in arrays]
    for a in arrays:
        assert sum_axis0(a).tobytes() == np.sum(a, axis=0).tobytes(), a
        assert sum_axis1(a).tobytes() == np.sum(a, axis=1).tobytes(), a
    u, v = rng.normal(size=4), rng.normal(size=6)[::2]
    assert outer(u, v).tobytes() == np.outer(u, v).tobytes()
    assert outer(u, np.zeros(0)).shape == (4, 0)


def test_point_loop_helpers_add_copy_and_size_the_buffers():
    """What the numba target's loop over points uses: add_into and copy_into (element by element, in
    C order, from any layout) against NumPy's own += and assignment, bitwise; buffers' shapes (a row
    per chunk for totals, a row per point for the rest) and totals (the rows added up)."""
    import numba

    from compiler.host.arrays import buffers, totals
    from compiler.host.arrays_njit import add_into, chunk_count, copy_into

    rng = np.random.default_rng(6)
    a = rng.normal(size=(4, 6))
    for src in (a, a.T, np.asfortranarray(a), a[:, ::2], a[1], np.zeros((0, 3))):
        total = rng.normal(size=(2, *src.shape))
        want = total.copy()
        want[1] += src
        add_into(total[1], src)
        assert total.tobytes() == want.tobytes()
        rows = np.zeros((3, *src.shape))
        copy_into(rows[2], src)
        assert rows[2].tobytes() == np.ascontiguousarray(src).tobytes() and not rows[:2].any()

    assert chunk_count(0) == 1 and chunk_count(1) == 1 and chunk_count(10**6) == numba.get_num_threads()
    # W a parameter (2, 5), x 7 points of 3, lam a number: the value, dW and dlam summed, dx per point
    values = [np.ones((2, 5)), np.ones((7, 3)), 0.5]
    made = buffers(values, ("W", "x", "lam"), ("x",), (True, True, False, True), (None, "W", "x", None), 7, 3)
    assert [b.shape for b in made] == [(3,), (3, 2, 5), (7, 3), (3,)]
    assert all(not b.any() for k, b in enumerate(made) if k != 2)
    made[0][:] = [1.0, 2.0, 4.0]
    made[1][2] = 3.0
    value, grads = totals(made, (True, True, False, True))
    assert value == 7.0 and (grads[0] == 3.0).all() and grads[1] is made[2] and grads[2] == 0.0
