"""Golden files: generated/ holds the emitted modules of the shipped examples, byte for byte.

They guard against unreviewed changes to emitted code; correctness is checked
elsewhere against independent oracles. To accept a reviewed change:
``BPC_UPDATE_GOLDEN=1 python -m pytest tests/test_generated.py``.
"""
import importlib.util
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from compiler.runtime import generate
from conftest import example_sources

ROOT = Path(__file__).resolve().parent.parent
sources = example_sources()


@pytest.mark.parametrize("name", sorted(sources.GENERATED))
def test_generated_module_is_byte_identical(name):
    source, wrt, target, *options = sources.GENERATED[name]
    text, _ = generate(source, wrt=wrt, target=target, **(options[0] if options else {}))
    path = ROOT / "generated" / f"{name}.py"
    if os.environ.get("BPC_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8", newline="\n")
    assert path.read_bytes() == text.encode("utf-8"), f"{path} differs from the emitted module"


def test_no_stale_golden_files():
    on_disk = {p.stem for p in (ROOT / "generated").glob("*.py")}
    assert on_disk == set(sources.GENERATED)


@pytest.mark.parametrize("name", sorted(sources.GENERATED))
def test_generated_module_runs(name, tmp_path, monkeypatch):
    """The committed file itself imports and runs (it needs only bpc's host helpers, compiler.host); it is copied
    first so that Numba's cache lands in a temporary directory, not in the checkout."""
    path = tmp_path / f"golden_{name}.py"
    path.write_bytes((ROOT / "generated" / f"{name}.py").read_bytes())
    spec = importlib.util.spec_from_file_location(f"golden_{name}", path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    fn = getattr(module, module.ENTRY)
    if hasattr(module, "SHAPES"):        # a matrix program: arrays of its shapes, named sizes 3
        rng = np.random.default_rng(0)
        args = [rng.integers(0, 3, [3 if isinstance(d, str) else d for d in module.SHAPES[n]]) if n in module.LABELS
                else rng.uniform(-1, 1, [3 if isinstance(d, str) else d for d in module.SHAPES[n]])
                for n in module.INPUTS]
    else:
        args = [0.5] * len(module.INPUTS)
    if getattr(module, "MODE", None):    # a second-order module: a direction too, a third result
        value, grads, *_ = fn(*args, *[0.5] * len(module.DIRECTIONS))
    else:
        value, grads = fn(*args)
    assert len(grads) == len(module.WRT)
    assert np.isfinite(value) and all(np.all(np.isfinite(d)) for d in grads)
