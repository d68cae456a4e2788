"""The cuda target under Numba's CUDA simulator (a real GPU when there is one), and its PTX.

The simulator runs the kernel as Python threads, so these tests check what the kernel computes
(the staged statements, the grid-stride loop, the block reduction, the host wrapper); the PTX
tests compile every kernel with Numba's real CUDA compiler, which type-checks what the simulator
does not.
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import compiler
from conftest import CS231N, ROOT, SIMULATED_CUDA, example_sources

cuda = pytest.importorskip("numba.cuda")
SOURCES = example_sources()
F1 = SOURCES.CS231N_FORMULA


def rel(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300))


# -- results ----------------------------------------------------------------------------------

def test_grid_stride_loop_covers_every_point():
    """More points than threads: each thread takes several, none is skipped or done twice."""
    g = compiler.compile(F1, target="cuda")
    rng = np.random.default_rng(1)
    x, y = rng.uniform(-3, 3, 1000), rng.uniform(-3, 3, 1000)
    f, grads = g(x, y)
    fp, gp = compiler.compile(F1, target="python")(3.0, -4.0)
    f0, g0 = g(3.0, -4.0)
    assert isinstance(f0, np.float64) and rel(f0, fp) <= 1e-15 and rel(g0, gp) <= 1e-15
    fn, gn = compiler.compile(F1, target="numpy")(x, y)
    assert f.shape == (1000,) and rel(f, fn) <= 1e-12
    assert all(rel(a, b) <= 1e-12 for a, b in zip(grads, gn))


def test_broadcasting_and_shapes_follow_numpy():
    g = compiler.compile("x*y + sin(x)", target="cuda")
    f, (dx, dy) = g(np.array([[0.0], [1.0]]), np.array([1.0, 2.0, 3.0]))
    assert f.shape == dx.shape == dy.shape == (2, 3)
    assert np.array_equal(dy, [[0.0] * 3, [1.0] * 3])


def test_reduction_over_many_blocks_matches_a_float64_sum():
    """Block partial sums plus one atomic add per block: the total equals NumPy's, to rounding."""
    g = compiler.compile("(w*x + b - y)**2", wrt="w,b", target="cuda", params=("w", "b"), reduce="sum")
    rng = np.random.default_rng(2)
    x, y = rng.uniform(-1, 1, 3000), rng.uniform(-1, 1, 3000)
    f, (dw, db) = g(x=x, w=0.7, b=-0.2, y=y)
    r = 0.7 * x - 0.2 - y
    assert rel(f, np.sum(r**2)) <= 1e-12
    assert rel(dw, np.sum(2 * r * x)) <= 1e-12 and rel(db, np.sum(2 * r)) <= 1e-12


def test_float32_option():
    g = compiler.compile(F1, target="cuda", dtype="float32")
    x = np.linspace(-2, 2, 300)
    f, grads = g(x, x[::-1])
    assert f.dtype == np.float32 and all(a.dtype == np.float32 for a in grads)
    fn, gn = compiler.compile(F1, target="numpy")(x, x[::-1])
    # float32 has 24 bits (6e-8 relative); a few dozen roundings and some cancellation
    assert rel(f, fn) <= 2e-5 and all(rel(a, b) <= 2e-5 for a, b in zip(grads, gn))


def test_out_reuses_an_earlier_host_result():
    g = compiler.compile(F1, target="cuda")
    x = np.linspace(-1, 1, 50)
    first = g(x, x)
    again = g(x + 1, x, out=first)
    assert again[0] is first[0] and again[1][0] is first[1][0]
    assert rel(first[0], compiler.compile(F1, target="numpy")(x + 1, x)[0]) <= 1e-12
    with pytest.raises(ValueError, match="earlier result"):
        g(x, x, out=(first[0], ()))


# -- GPU arrays in, GPU arrays out ------------------------------------------------------------

def refuse_host_copies(monkeypatch):
    """From here on, fail on any copy between host and GPU (simulated arrays, or real ones)."""
    def refuse(*args, **kwargs):
        raise AssertionError("host copy")

    monkeypatch.setattr(cuda, "to_device", refuse)
    if SIMULATED_CUDA:
        from numba.cuda.simulator.cudadrv.devicearray import FakeCUDAArray as DeviceArray
    else:
        from numba.cuda.cudadrv.devicearray import DeviceNDArray as DeviceArray
    monkeypatch.setattr(DeviceArray, "copy_to_host", refuse)


def test_device_arrays_come_back_as_device_arrays_without_host_copies(monkeypatch):
    g = compiler.compile(F1, target="cuda")
    x, y = np.linspace(-2, 2, 200).reshape(2, 100), np.linspace(1, -3, 200).reshape(2, 100)
    x_in, y_in = cuda.to_device(x), cuda.to_device(y)
    refuse_host_copies(monkeypatch)
    f, (dx, dy) = g(x_in, y_in)
    for a in (f, dx, dy):
        assert type(a) is type(x_in) and a.shape == (2, 100)
    again = g(x_in, y_in, out=(f, (dx, dy)))       # out= reuses the GPU arrays
    assert again[0] is f and again[1][1] is dy
    monkeypatch.undo()
    fn, gn = compiler.compile(F1, target="numpy")(x, y)
    assert rel(f.copy_to_host(), fn) <= 1e-12
    assert all(rel(a.copy_to_host(), b) <= 1e-12 for a, b in zip((dx, dy), gn))


def test_device_reduction_returns_totals_and_device_per_point_gradients():
    g = compiler.compile("(w*x - y)**2", target="cuda", params=("w",), reduce="mean")
    x, y = np.linspace(-1, 1, 400), np.linspace(0, 2, 400)
    f, (dw, dx, dy) = g(x=cuda.to_device(x), w=1.5, y=cuda.to_device(y))
    r = 1.5 * x - y
    assert rel(f, np.mean(r**2)) <= 1e-12 and rel(dw, np.mean(2 * r * x)) <= 1e-12
    assert type(dx).__name__ != "ndarray" and rel(dx.copy_to_host(), 2 * r * 1.5 / 400) <= 1e-12


def test_mixed_and_malformed_device_inputs_are_refused():
    g = compiler.compile("x*y", target="cuda")
    with pytest.raises(ValueError, match="inputs y are on the host"):
        g(cuda.to_device(np.ones(4)), np.ones(4))
    with pytest.raises(ValueError, match="GPU input 'y' must be a C-contiguous float64 array of shape"):
        g(cuda.to_device(np.ones(4)), cuda.to_device(np.ones(5)))
    with pytest.raises(ValueError, match="float64"):
        g(cuda.to_device(np.ones(4)), cuda.to_device(np.ones(4, dtype=np.float32)))


# -- the emitted module -----------------------------------------------------------------------

def test_kernel_has_the_staged_statements_and_no_device_functions():
    g = compiler.compile(CS231N, target="cuda")
    src = g.source
    assert "while _i < _n:" in src and "_i += _stride" in src
    body = src.split("def _kernel(")[1].split("\ndef ")[0]
    for line in ("dinvden = num ", "dden = (-(invden*invden))*dinvden", "dx += dnum", "dy += (sigy*(1 - sigy))*dsigy"):
        assert line in body
    assert "np." not in body            # NumPy ufuncs are not all available in CUDA kernels
    assert "@cuda.jit(device" not in src


def test_simulator_math_is_used_only_under_the_simulator():
    src = compiler.compile("exp(x) + log(x) + erf(x) + x**0.3", target="cuda").source
    assert ("math = SimpleNamespace(erf=lambda v, erf=math.erf: np.float64(erf(v)), exp=np.exp, log=np.log, "
            "pi=math.pi, pow=np.float_power, sqrt=np.sqrt)") in src        # erf' = 2/sqrt(pi)*exp(-x**2)
    assert src.index("math = SimpleNamespace") > src.index("if config.ENABLE_CUDASIM:")


def test_cuda_only_options_are_checked():
    with pytest.raises(compiler.BpcError, match="parallel= is an option of the numba target"):
        compiler.compile("x", target="cuda", parallel=False)
    with pytest.raises(compiler.BpcError, match="ptx\\(\\) is for the cuda target"):
        compiler.compile("x", target="numpy").ptx()
    if SIMULATED_CUDA:
        with pytest.raises(compiler.BpcError, match="simulator is on"):
            compiler.compile("x", target="cuda").ptx()


# -- PTX from Numba's real CUDA compiler, in a process without the simulator -------------------

def _all_primitives() -> str:
    """Every row in one kernel, except the special functions (compiler.special), whose inlined
    series and expansions take NVVM minutes in one kernel (284 s with them, measured): their
    device code is compiled to PTX, function by function, by tests/test_special.py."""
    from test_rules import FORMULAS

    from compiler.rules import special

    skip = {rule.op for rule in special.ROWS}
    return " + ".join(f"({text})" for text in sorted(text for op, (text, _) in FORMULAS.items() if op not in skip))


def _special_rows() -> list:
    """A case per special-function row whose kernel compiles in under two seconds alone (one kernel
    of them all takes 23 s; digamma 5.7 s, polygamma 6.9, beta 5.2, betaln 4.0, y0 2.6, y1 3.5 are
    left to test_special, which compiles their device code)."""
    from test_rules import FORMULAS

    from compiler.rules import special

    slow = {"digamma", "polygamma", "beta", "betaln", "y0", "y1"}
    ops = sorted(rule.op for rule in special.ROWS if rule.op in FORMULAS and rule.op not in slow)
    return [(f"special_{op}", FORMULAS[op][0], {}) for op in ops]


PTX_CASES = [
    # name                  source                     options
    ("cs231n_staged",       CS231N,                    {}),
    ("cs231n_formula",      F1,                        {}),
    ("neuron",              SOURCES.NEURON,            {}),
    ("fit_line",            SOURCES.LINE_FIT,          {"wrt": "a,b"}),
    ("oscillator_mean",     SOURCES.OSCILLATOR,        {"wrt": "A,b,w,phi", "params": ["A", "b", "w", "phi"],
                                                        "reduce": "mean"}),
    ("F2",                  "sigmoid(w0*x0 + w1*x1 + w2)", {}),
    ("F3",                  "sin(x*y)*exp(-z**2) + log(1 + x**2 + y**2)*tanh(z)", {}),
    ("F4",                  "(1 - x)**2 + 100*(y - x**2)**2", {}),
    ("F5",                  "F5",                      {}),
    ("F2_reduced",          "sigmoid(w0*x0 + w1*x1 + w2)", {"params": ["w0", "w1", "w2"], "reduce": "sum"}),
    ("F1_float32",          F1,                        {"dtype": "float32"}),
    ("F1_fastmath_sm80",    F1,                        {"fastmath": True, "cc": [8, 0]}),
    ("params_only",         "a*b + exp(a)",            {"params": ["a", "b"], "reduce": "sum"}),
    ("all_primitives",      _all_primitives(),         {}),
    *_special_rows(),
]
REDUCED = {"oscillator_mean": 5, "F2_reduced": 4, "params_only": 3}   # value + parameter gradients


def _without_simulator() -> dict:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


@pytest.fixture(scope="module")
def ptx():
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("ptx_worker.py"))], input=json.dumps(PTX_CASES),
                          capture_output=True, text=True, env=_without_simulator(), timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


# one worker compiles every case (the fixture's one NVVM run, about 20 s): @ptx in the test ids
@pytest.mark.parametrize("name", [c[0] for c in PTX_CASES], ids=[f"{c[0]}@ptx" for c in PTX_CASES])
def test_kernel_compiles_to_ptx(ptx, name):
    result = ptx[name]
    assert "error" not in result, result.get("error")
    text = result["ptx"]
    assert ".visible .entry" in text
    assert ".extern .func" not in text            # nothing to link: no device functions
    calls = re.findall(r"call\.uni[^,]*,\s*(\w+)", text)
    assert all(c.startswith("__internal_") for c in calls), calls   # libdevice's own slow paths only
    atomics = re.findall(r"\b(?:atom|red)\.global\.add\.f64", text)
    if name in REDUCED:
        assert ".shared" in text and "bar.sync" in text
        assert len(atomics) == REDUCED[name], atomics      # one atomic add per sum, per block
    else:
        assert not atomics and ".shared" not in text


@pytest.mark.parametrize("name", ["F1_float32"], ids=["F1_float32@ptx"])     # with the PTX cases above
def test_float32_kernel_loads_and_stores_float32(ptx, name):
    text = ptx[name]["ptx"]
    assert "ld.global.f32" in text and "st.global.f32" in text and ".target sm_90" in text
    assert ".target sm_80" in ptx["F1_fastmath_sm80"]["ptx"]


def test_cli_prints_ptx():
    done = subprocess.run([sys.executable, "-m", "compiler", "compile", "sigmoid(x)*y", "--target", "cuda",
                           "--ptx", "8.6"], capture_output=True, text=True, env=_without_simulator(), timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert ".target sm_86" in done.stdout and ".visible .entry" in done.stdout
    bad = subprocess.run([sys.executable, "-m", "compiler", "compile", "x", "--ptx", "9.0"],
                         capture_output=True, text=True, env=_without_simulator(), timeout=300)
    assert bad.returncode == 2 and "--ptx needs --target cuda" in bad.stderr


@pytest.mark.skipif(os.path.exists("/dev/nvidia0"), reason="this machine has a GPU")
def test_without_gpu_or_simulator_the_error_says_what_to_do():
    done = subprocess.run([sys.executable, "-m", "compiler", "eval", "x*y", "--target", "cuda", "--at", "x=1,y=2", "-q"],
                          capture_output=True, text=True, env=_without_simulator(), timeout=300)
    assert done.returncode == 2
    assert done.stderr.startswith("bpc: error: the cuda target found no usable CUDA GPU")
    assert "NUMBA_ENABLE_CUDASIM=1" in done.stderr and "Traceback" not in done.stderr
