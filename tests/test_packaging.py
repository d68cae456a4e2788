"""A non-editable install, used from another directory, finds its templates and works."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_non_editable_install_runs_from_elsewhere(tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                    str(ROOT)], check=True, capture_output=True, timeout=600)
    assert (target / "compiler" / "templates" / "python.py.j2").is_file()
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = dict(os.environ, PYTHONPATH=str(target), BPC_CACHE_DIR=str(tmp_path / "cache"))
    code = ("import json, compiler; g = compiler.compile('x*exp(y)', target='numpy');"
            "v, (dx, dy) = g(2.0, 0.0); print(json.dumps([compiler.__file__, float(v), float(dx), float(dy)]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=work, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    path, v, dx, dy = json.loads(out.stdout)
    assert path.startswith(str(target))
    assert (v, dx, dy) == (2.0, 1.0, 2.0)


def test_wheel_built_from_the_sdist_passes_the_installed_package_tests(tmp_path):
    """The sdist carries generated/, docs/ and the examples; a wheel built from it, installed on its
    own (the unpacked source's compiler/ removed), passes the tests that read those files."""
    import tarfile

    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--sdist", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    (sdist,) = dist.glob("bpc-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
        archive.extractall(tmp_path / "src", filter="data")
    for wanted in ("generated/mlp_d2l_numpy.py", "docs/functions.md", "LICENSE", "examples/sources.py"):
        assert any(n.endswith(wanted) for n in names), wanted
    (source,) = (tmp_path / "src").iterdir()
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(source)],
                   check=True, capture_output=True, timeout=600)
    (wheel,) = dist.glob("bpc-*.whl")
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=600)
    import shutil

    shutil.rmtree(source / "compiler")               # the tests must use the installed package
    env = dict(os.environ, PYTHONPATH=str(site), BPC_CACHE_DIR=str(tmp_path / "cache"))
    tests = ["tests/test_generated.py", "tests/test_reference.py", "tests/test_structure.py", "tests/test_targets.py"]
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", *tests, "-k",
                           "not test_no_import_cycles"],
                          cwd=source, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "passed" in done.stdout
