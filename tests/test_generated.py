"""Golden files: generated/ holds the emitted modules of the shipped examples, byte for byte.

They guard against unreviewed changes to emitted code; correctness is checked
elsewhere against independent oracles. To accept a reviewed change:
``BPC_UPDATE_GOLDEN=1 python -m pytest tests/test_generated.py``.
"""
import importlib.util
import os
from pathlib import Path

import pytest

from compiler.runtime import generate

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("bpc_example_sources", ROOT / "examples" / "sources.py")
sources = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sources)


@pytest.mark.parametrize("name", sorted(sources.GENERATED))
def test_generated_module_is_byte_identical(name):
    source, wrt, target = sources.GENERATED[name]
    text, _ = generate(source, wrt=wrt, target=target)
    path = ROOT / "generated" / f"{name}.py"
    if os.environ.get("BPC_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8", newline="\n")
    assert path.read_bytes() == text.encode("utf-8"), f"{path} differs from the emitted module"


def test_no_stale_golden_files():
    on_disk = {p.stem for p in (ROOT / "generated").glob("*.py")}
    assert on_disk == set(sources.GENERATED)


@pytest.mark.parametrize("name", sorted(sources.GENERATED))
def test_generated_module_runs(name):
    """The committed file itself imports and runs (it is plain Python, no bpc needed)."""
    path = ROOT / "generated" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"golden_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fn = getattr(module, module.ENTRY)
    value, grads = fn(*[0.5] * len(module.INPUTS))
    assert len(grads) == len(module.WRT)
