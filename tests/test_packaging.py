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
