"""Every feature on array programs, on the d2l MLP: the disk cache, source_map, explain, graph()
pictures and notebook display, check(), memory(), params=, reduce= and out=, and the python target.

References: PyTorch autograd for values and gradients (tests/test_matrix.py), the batched
program for the per-example one (the same objective summed another way), finite differences.
"""
import json
import subprocess
import sys

import numpy as np
import pytest

import compiler
from conftest import ROOT, compile_for, example_sources

SOURCES = example_sources()
TARGETS = ("python", "numpy", "numba")
SIZES = {"h": 6, "d": 5, "q": 3, "n": 40}
# the same objective written for one example: x a vector, y one label
PER_EXAMPLE = {"W1": ("h", "d"), "W2": ("q", "h"), "x": ("d",), "y": ()}


def _data(seed=0):
    rng = np.random.default_rng(seed)
    h, d, q, n = (SIZES[k] for k in "hdqn")
    return {"W1": rng.normal(size=(h, d)), "W2": rng.normal(size=(q, h)), "x": rng.normal(size=(d, n)),
            "y": rng.integers(0, q, n), "lam": 0.1}


def _batched(wrt="W1,W2"):
    return compiler.compile(SOURCES.MLP_D2L, target="numpy", shapes=SOURCES.MLP_D2L_SHAPES, wrt=wrt)


@pytest.mark.parametrize("reduce", ["sum", "mean"])
@pytest.mark.parametrize("target", TARGETS)
def test_params_and_reduce_equal_the_batched_objective(target, reduce):
    """Per-example program with shared W1, W2, lam, reduced over the examples, against the batched
    d2l program: per example J_i = CE_i + lam/2 (|W1|^2 + |W2|^2), and the batched J is the mean
    cross-entropy plus the same decay, so sum_i J_i = n J and mean_i J_i = J."""
    v = _data()
    n = SIZES["n"]
    # numba: the parallel reduction over examples for sum, the serial loop for mean (conftest.compile_for)
    g = compile_for(SOURCES.MLP_D2L, target, shapes=PER_EXAMPLE, wrt="W1,W2,x", params=("W1", "W2", "lam"),
                    reduce=reduce, **({"parallel": True} if target == "numba" and reduce == "sum" else {}))
    J, (dW1, dW2, dx) = g(v["W1"], v["x"].T, v["W2"], v["y"], v["lam"])
    Jb, (bW1, bW2, bx) = _batched("W1,W2,x")(**v)
    scale = n if reduce == "sum" else 1.0
    assert isinstance(J, float) and J == pytest.approx(Jb * scale, rel=1e-12)
    np.testing.assert_allclose(dW1, bW1 * scale, rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(dW2, bW2 * scale, rtol=1e-11, atol=1e-14)
    # per-example inputs keep one gradient per example: the batched one times n (sum) or itself (mean)
    assert dx.shape == (n, SIZES["d"])
    np.testing.assert_allclose(dx, bx.T * scale, rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("target", TARGETS)
def test_params_without_reduce_give_one_result_per_point(target):
    v = _data(1)
    g = compile_for(SOURCES.MLP_D2L, target, shapes=PER_EXAMPLE, wrt="W1,W2", params=("W1", "W2", "lam"))
    J, (dW1, dW2) = g(v["W1"], v["x"].T, v["W2"], v["y"], v["lam"])
    one = compiler.compile(SOURCES.MLP_D2L, target="numpy", shapes=PER_EXAMPLE, wrt="W1,W2")
    assert J.shape == (SIZES["n"],) and dW1.shape == (SIZES["n"], *v["W1"].shape)
    for k in (0, 17, 39):
        Jk, (g1, g2) = one(v["W1"], v["x"][:, k], v["W2"], v["y"][k], v["lam"])
        assert J[k] == pytest.approx(Jk, rel=1e-13)
        np.testing.assert_allclose(dW1[k], g1, rtol=1e-12)
        np.testing.assert_allclose(dW2[k], g2, rtol=1e-12)


@pytest.mark.parametrize("target", TARGETS)
def test_out_overwrites_an_earlier_result(target):
    v = _data(2)
    g = compile_for(SOURCES.MLP_D2L, target, shapes=SOURCES.MLP_D2L_SHAPES, wrt="W1,W2")
    first = g(**v)
    w = dict(v, W1=v["W1"] * 0.5)
    again = g(**w, out=first)
    assert again[1][0] is first[1][0] and again[1][1] is first[1][1]
    fresh = g(**w)
    np.testing.assert_array_equal(again[1][0], fresh[1][0])
    assert again[0] == fresh[0]
    with pytest.raises(ValueError, match="out= arrays"):
        g(**v, out=(0.0, (np.zeros((2, 2)), first[1][1])))


def test_python_target_runs_array_programs_like_numpy():
    v = _data(3)
    gp = compiler.compile(SOURCES.MLP_D2L, target="python", shapes=SOURCES.MLP_D2L_SHAPES, wrt="W1,W2")
    fn, gn = _batched()(**v)
    fp, gpp = gp(**v)
    assert fp == fn and all(np.array_equal(a, b) for a, b in zip(gpp, gn))


def test_array_program_is_cached_on_disk_and_loads_in_a_new_process(tmp_path):
    """The first process generates, writes and compiles; a second gets its first result from the
    cache: no generation (generate would raise), no SymPy, Numba's cached machine code."""
    code = (
        "import json, sys, time\n"
        "t0 = time.perf_counter()\n"
        "import numpy as np, compiler, compiler.runtime as r\n"
        "if sys.argv[1] == 'again':\n"
        "    r.generate = lambda *a, **k: sys.exit('generated again')\n"
        f"g = compiler.compile({SOURCES.MLP_D2L!r}, target='numba', shapes={SOURCES.MLP_D2L_SHAPES!r},"
        f" cache_dir={str(tmp_path)!r})\n"
        "rng = np.random.default_rng(0)\n"
        "J, grads = g(rng.normal(size=(6, 5)), rng.normal(size=(5, 8)), rng.normal(size=(3, 6)),"
        " rng.integers(0, 3, 8), 0.1)\n"
        "s = g.kernel.stats\n"
        "print(json.dumps([time.perf_counter() - t0, 'sympy' in sys.modules, sum(s.cache_hits.values()), J]))\n"
    )
    runs = [subprocess.run([sys.executable, "-c", code, arg], capture_output=True, text=True, cwd=ROOT)
            for arg in ("first", "again")]
    for r in runs:
        assert r.returncode == 0, r.stderr
    (t_first, sympy_first, hits_first, J1), (t_again, sympy_again, hits_again, J2) = \
        (json.loads(r.stdout) for r in runs)
    assert sympy_first and not sympy_again
    assert hits_first == 0 and hits_again >= 1
    assert J1 == J2
    assert len(list(tmp_path.glob("bpc_*.py"))) == 1


def test_source_map_explain_and_pictures():
    v = _data(4)
    g = compile_for(SOURCES.MLP_D2L, "numba", shapes=SOURCES.MLP_D2L_SHAPES, wrt="W1,W2")
    lines = g.source.splitlines()
    entries = g.source_map
    assert [e["target"] for e in entries] == ["do", "dW2", "dW2", "dh", "dz", "dW1", "dW1"]
    for e in entries:
        code = lines[e["line"] - 1].strip()
        assert code.startswith(f"{e['target']} {'+=' if e['accumulate'] else '='} ")
        assert code.endswith(e["stage"])
    assert entries[0]["stage"] == "L = cross_entropy(o, y, axis=0)" and entries[0]["user_line"] == 4
    table = g.explain(v)
    assert len(table.rows) == 7 and table.rows[4].local == "1.0*(z > 0)"
    assert table.rows[2].upstream == "lam/2"
    assert all(err < 1e-7 for _, _, _, err in table.final)
    dot = g.graph(at=v).dot
    assert '"v:W1"' in dot and "peripheries=2" in dot and "|" in dot
    assert "J_and_grad" in g._repr_html_()


@pytest.mark.parametrize("target", TARGETS)
def test_check_on_array_programs(target):
    g = compile_for(SOURCES.MLP_D2L, target, shapes=SOURCES.MLP_D2L_SHAPES, wrt="W1,W2,x")
    result = g.check(points=3, sizes={"h": 4, "d": 3, "q": 3, "n": 5})
    assert result.ok and len(result.rows) == 9, result.table()
    per = compile_for(SOURCES.MLP_D2L, target, shapes=PER_EXAMPLE, wrt="W1,W2,x", params=("W1", "W2", "lam"),
                      reduce="mean")
    assert per.check(points=2, sizes={"h": 4, "d": 3, "q": 3}).ok


def test_a_wrong_gradient_fails_the_check():
    """The array check can fail: the same program with its gradient scaled by hand."""
    g = compiler.compile("J = sum(A*A)", target="numpy", shapes={"A": (2, 3)})
    result = g.check(points=2)
    assert result.ok
    original = g._fn
    g._fn = lambda *a, out=None: (original(*a)[0], tuple(1.01 * d for d in original(*a)[1]))
    try:
        assert not g.check(points=2).ok
    finally:
        g._fn = original


def test_memory_on_scalar_programs():
    g = compiler.compile(SOURCES.CS231N_FORMULA, target="numpy")
    report = g.memory(points=1000)
    assert [name for name, _, _ in report.saved] == ["sigy", "sigx", "xpy", "den", "f"]
    assert all(size == 8000 for _, _, size in report.saved)
    assert report.training_bytes > report.prediction_bytes


def test_refusals_name_the_reason():
    with pytest.raises(compiler.BpcError, match="array programs compile for the python, numpy, numba and xp targets"):
        compiler.compile("J = frob2(A)", target="cuda", shapes={"A": (2, 2)})
    with pytest.raises(compiler.BpcError, match="dtype= is not an option of array programs"):
        compiler.compile("J = frob2(A)", target="numba", shapes={"A": (2, 2)}, dtype="float32")
    g = compiler.compile("J = frob2(A) * c", target="numpy", shapes={"A": (2, 2)}, params=("c",), reduce="sum")
    with pytest.raises(ValueError, match="holds one array of shape"):
        g(np.ones((2, 2)), 1.0)


def test_numba_point_loop_gives_the_same_bits_in_parallel_and_serially():
    """The numba target cuts the points into one chunk per thread whether or not the chunks run in
    parallel, so parallel=True and parallel=False add in the same order (docs/guide.md); both equal
    the numpy target to rounding."""
    source, shapes = "J = sum(W * x) * lam", {"W": (4,), "x": (4,), "lam": ()}
    rng = np.random.default_rng(3)
    W, x, lam = rng.normal(size=4), rng.normal(size=(1001, 4)), rng.normal(size=1001)
    results = [compiler.compile(source, target=t, shapes=shapes, params=["W"], reduce="sum", **o)(W, x, lam)
               for t, o in (("numba", {"parallel": True}), ("numba", {"parallel": False}), ("numpy", {}))]
    (J, (dW, dx, dlam)), (Js, (dWs, dxs, dlams)), (Jn, (dWn, dxn, dlamn)) = results
    assert J == Js and dW.tobytes() == dWs.tobytes() and dx.tobytes() == dxs.tobytes() and dlam.tobytes() == dlams.tobytes()
    assert J == pytest.approx(Jn, rel=1e-12)
    np.testing.assert_allclose(dW, dWn, rtol=1e-12)
    np.testing.assert_allclose(dx, dxn, rtol=1e-13)
    np.testing.assert_allclose(dlam, dlamn, rtol=1e-13)
