"""Every example runs to completion (each asserts its own result)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.py") if p.name != "sources.py")
# the same run on fewer points: the Dask fit on 160,000 samples in 16 chunks (its default is 2 million)
SMALLER = {"dask_fit": {"BPC_DASK_FIT_POINTS": "160000"}}


def test_examples_exist():
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(path, tmp_path):
    env = {**os.environ, **SMALLER.get(path.stem, {})}
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, cwd=tmp_path, timeout=300, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip()
