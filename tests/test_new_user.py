"""What a new user meets: the CLI's options and messages, argument order, result types and dtypes,
bad labels, and the check that never blames the gradient for the finite difference's trouble."""
import json
import logging
import subprocess
import sys

import numpy as np
import pytest

import compiler
from compiler.cli import main
from conftest import ROOT, TARGETS, compile_for, example_sources

SOURCES = example_sources()
F1 = SOURCES.CS231N_FORMULA
D2L = SOURCES.MLP_D2L
D2L_SHAPES = json.dumps({k: list(v) for k, v in SOURCES.MLP_D2L_SHAPES.items()})


def run(*args, stdin=None, env=None):
    return subprocess.run([sys.executable, "-m", "compiler", *args], capture_output=True, text=True, input=stdin,
                          cwd=ROOT, env=env)


# -- the CLI -----------------------------------------------------------------------------------

def test_negative_range_is_a_value_not_an_option(capsys):
    assert main(["check", "log(-x)", "--range", "-2,-1", "--points", "2", "-q"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("OK")


def test_check_does_not_blame_the_gradient_for_overflowing_differences(capsys):
    """exp near its overflow threshold: the old step (1e-3 |x|) overflowed or was far too coarse."""
    assert main(["check", "exp(x)", "--range", "700,709.7", "--points", "6", "-q"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("OK") and "nan" not in out


def test_a_point_with_no_finite_difference_is_not_checkable_not_failed():
    from compiler.check import judge

    row = judge({}, "x", 1.0, float("nan"), float("inf"), 1e-6)
    assert not row.checked and "finite" in row.reason
    wrong = judge({}, "x", 1.0, 2.0, 1e-9, 1e-6)
    assert wrong.checked and wrong.error == 0.5


def test_a_wrong_gradient_still_fails(capsys, monkeypatch):
    g = compiler.compile("sin(x)*exp(y)")
    original = g._fn
    monkeypatch.setattr(g, "_fn", lambda x, y: (original(x, y)[0], (1.001 * original(x, y)[1][0], original(x, y)[1][1])))
    result = g.check(points=2)
    assert result.verdict == "FAIL" and "FAIL" in result.table()


def test_numbers_print_as_numbers(capsys):
    assert main(["eval", "exp(x)", "--at", "x=inf", "-q"]) == 0
    assert capsys.readouterr().out.splitlines() == ["value = inf", "d/dx = inf"]
    assert main(["eval", "log(x)", "--at", "x=0", "--json", "-q"]) == 0
    assert json.loads(capsys.readouterr().out) == {"value": "-inf", "grad": {"x": "inf"}}


def test_a_number_too_large_for_float64_is_an_error(capsys):
    assert main(["eval", "x*2", "--at", "x=1e400", "-q"]) == 2
    err = capsys.readouterr().err
    assert "x=1e400 does not fit in float64" in err and "write inf" in err


def test_a_file_is_read_only_when_asked_and_it_says_so(tmp_path):
    prog = tmp_path / "prog.bpc"
    prog.write_text("a = x * y\nf = sin(a)\n")
    out = run("eval", f"@{prog}", "--at", "x=0,y=1", "--json")
    assert json.loads(out.stdout) == {"value": 0.0, "grad": {"x": 1.0, "y": 0.0}}
    assert f"source read from {prog}" in out.stderr
    out = run("eval", "-f", str(prog), "--at", "x=0,y=1", "--json", "-q")
    assert json.loads(out.stdout)["value"] == 0.0 and out.stderr == ""
    named = tmp_path / "x"
    named.write_text("sin(y)")                      # a file whose name is also a formula
    out = subprocess.run([sys.executable, "-m", "compiler", "eval", "x", "--at", "x=3", "--json"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert json.loads(out.stdout) == {"value": 3.0, "grad": {"x": 1.0}}   # the text, not the file
    assert "write @x" in out.stderr


def test_shapes_on_every_command(tmp_path, capsys):
    rng = np.random.default_rng(0)
    at = (f"W1={json.dumps(rng.normal(size=(3, 2)).tolist())},x={json.dumps(rng.normal(size=(2, 4)).tolist())},"
          f"W2={json.dumps(rng.normal(size=(2, 3)).tolist())},y=[0,1,1,0],lam=0.1")
    common = [f"-f{tmp_path / 'mlp.txt'}", "--shapes", D2L_SHAPES, "--wrt", "W1,W2", "-q"]
    (tmp_path / "mlp.txt").write_text(D2L)
    assert main(["check", *common, "--sizes", "h=3,d=2,q=2,n=4", "--points", "2"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("OK")
    assert main(["eval", *common, "--at", at, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert np.shape(result["grad"]["W1"]) == (3, 2)
    assert main(["explain", *common, "--at", at]) == 0
    assert "cross_entropy" in capsys.readouterr().out
    assert main(["graph", *common, "--at", at]) == 0
    assert capsys.readouterr().out.startswith("digraph")
    assert main(["compile", *common, "--memory", "h=256,d=784,q=10,n=128"]) == 0
    assert "prediction" in capsys.readouterr().out


def test_the_readme_memory_example_works_as_written(capsys):
    """It only worked with --target numpy; the python target runs array programs now."""
    out = run("compile", "-", "--shapes", '{"W": ["h", "d"], "x": ["d", "n"]}', "--memory", "h=256,d=784,n=10",
              stdin="J = frob2(W @ x)")
    assert out.returncode == 0 and "training (forward + backward)" in out.stdout


def test_inputs_order_on_the_api_and_the_cli(capsys):
    g = compiler.compile(SOURCES.CS231N_PROGRAM, inputs=("x", "y"))
    assert g.inputs == ("x", "y") and g.wrt == ("x", "y")
    assert compiler.compile(SOURCES.CS231N_PROGRAM).inputs == ("y", "x")
    f, (dx, dy) = g(3.0, -4.0)
    f2, (dy2, dx2) = compiler.compile(SOURCES.CS231N_PROGRAM)(-4.0, 3.0)
    assert (f, dx, dy) == (f2, dx2, dy2)
    with pytest.raises(compiler.BpcError, match="inputs= must list every input once"):
        compiler.compile(SOURCES.CS231N_PROGRAM, inputs=("x",))
    assert main(["eval", "y*exp(x)", "--inputs", "y,x", "--at", "x=0,y=2", "-q"]) == 0
    assert capsys.readouterr().out.splitlines() == ["value = 2.0", "d/dy = 1.0", "d/dx = 2.0"]


def test_ptx_without_the_cuda_libraries_is_one_line_naming_the_extra():
    code = ("import sys, numba.cuda as c\n"
            "from numba.cuda.cudadrv.error import NvvmSupportError\n"
            "def missing(*a, **k): raise NvvmSupportError('libNVVM cannot be found. Do `conda install cuda-nvcc`.\\nmore')\n"
            "c.compile_ptx = missing\n"
            "from compiler.cli import main\n"
            f"sys.exit(main(['compile', {F1!r}, '--target', 'cuda', '--ptx', '9.0', '-q']))\n")
    env = {k: v for k, v in __import__("os").environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "libNVVM cannot be found" in lines[0] and "pip install 'bpc[cuda]'" in lines[0]


def test_help_shows_the_new_options():
    text = run("--help").stdout
    assert "functions" in text and "cache" in text
    for command, options in {"check": ["--shapes", "--sizes", "--inputs", "--quiet", "-f FILE"],
                             "eval": ["--shapes", "--inputs", "--params"], "graph": ["--shapes"],
                             "explain": ["--shapes"], "compile": ["--memory", "--ptx", "--inputs"],
                             "cache": ["--older-than"]}.items():
        help_text = run(command, "--help").stdout
        for option in options:
            assert option in help_text, (command, option)


def test_progress_is_logged_and_shown_for_long_steps(caplog, capsys):
    with caplog.at_level(logging.INFO, logger="bpc"):
        compiler.compile("x*tanh(y) + 17", target="numpy")
    steps = [r.bpc_step for r in caplog.records if hasattr(r, "bpc_step")]
    assert steps[:4] == ["parse", "name the stages", "reverse sweep", "emit the numpy module"]
    from compiler.cli import Progress

    class Stream:
        text = ""

        def write(self, s):
            Stream.text += s

        def flush(self):
            pass

        def isatty(self):
            return False

    handler = Progress(Stream())
    handler.ANNOUNCE = 0.05
    log = logging.getLogger("bpc")
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    try:
        from compiler.progress import step
        import time

        with step("something slow"):
            time.sleep(0.3)
        with step("something quick"):
            pass
    finally:
        log.removeHandler(handler)
    assert Stream.text == f"bpc: something slow ... {Stream.text.split('... ')[1].split()[0]} s\n"
    assert "quick" not in Stream.text


def test_cache_command(tmp_path, capsys):
    compiler.compile("x*13", cache_dir=tmp_path)
    assert main(["cache", "path", "--cache-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path)
    assert main(["cache", "size", "--cache-dir", str(tmp_path)]) == 0
    assert "1 modules" in capsys.readouterr().out
    assert main(["cache", "clear", "--older-than", "7d", "--cache-dir", str(tmp_path)]) == 0
    assert "removed 0 modules" in capsys.readouterr().out
    assert main(["cache", "clear", "--cache-dir", str(tmp_path)]) == 0
    assert "removed 1 modules" in capsys.readouterr().out
    assert main(["cache", "clear", "--older-than", "soon", "--cache-dir", str(tmp_path)]) == 2


# -- result types and dtypes ---------------------------------------------------------------------

@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("dtype", ["float64", np.float32, np.dtype("float32")])
def test_one_rule_for_result_types(target, dtype):
    """Scalar inputs give NumPy scalars of the dtype (np.float64 is a Python float), arrays give
    arrays of it; float32 computes in float32 on every target."""
    g = compile_for(F1, target, dtype=dtype)
    want = np.dtype(dtype).type
    f, grads = g(3.0, -4.0)
    assert type(f) is want and all(type(d) is want for d in grads)
    if target != "python":
        x = np.linspace(-1, 1, 5, dtype=np.float32)
        f, grads = g(x, x)
        assert f.dtype == want and all(d.dtype == want for d in grads)
    reference = compiler.compile(F1, target="python")
    f64, g64 = reference(3.0, -4.0)
    assert abs(float(g(3.0, -4.0)[0]) - f64) <= (1e-6 if want is np.float32 else 1e-15) * abs(f64)


def test_reduced_results_keep_the_dtype():
    for target in TARGETS:
        g = compile_for("(w*x - y)**2", target, params=("w",), reduce="mean", wrt="w", dtype="float32")
        f, (dw,) = g(np.float32(0.5), x=np.ones(8, dtype=np.float32), y=np.zeros(8, dtype=np.float32))
        assert type(f) is np.float32 and type(dw) is np.float32, target


# -- bad input that would read outside an array ------------------------------------------------

@pytest.mark.parametrize("target", ["python", "numpy", "numba"])
def test_cross_entropy_labels_are_checked(target):
    g = compiler.compile(D2L, target=target, shapes=SOURCES.MLP_D2L_SHAPES)
    rng = np.random.default_rng(0)
    v = dict(W1=rng.normal(size=(4, 3)), x=rng.normal(size=(3, 5)), W2=rng.normal(size=(3, 4)), lam=0.1)
    with pytest.raises(ValueError, match=r"input 'y' holds class labels, which must be in \[0, 3\) .* got 3"):
        g(**v, y=[0, 1, 2, 3, 0])
    with pytest.raises(ValueError, match=r"must be in \[0, 3\) .* got -1"):
        g(**v, y=[0, -1, 2, 1, 0])
    with pytest.raises(ValueError, match="whole numbers, got 2.7"):
        g(**v, y=[0, 1.0, 2.7, 1, 0])
    assert np.isfinite(g(**v, y=[0.0, 1.0, 2.0, 1.0, 0.0])[0])
