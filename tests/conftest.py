import os
import re
import sys
from pathlib import Path

import pytest

# The cuda target runs under Numba's CUDA simulator unless this machine has an NVIDIA GPU. Numba
# reads the switch when it is first imported, so it is set here, before any test imports it.
if "NUMBA_ENABLE_CUDASIM" not in os.environ and not os.path.exists("/dev/nvidia0"):
    os.environ["NUMBA_ENABLE_CUDASIM"] = "1"
SIMULATED_CUDA = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist's loadgroup scheduling, with the group taken from the test's id: the tests whose
    parameter id ends in ``@<group>`` (the grouped primitive and second-order checks, which share a
    compiled program and the mpmath references of a case) run in one worker; every other test is
    distributed on its own, as with --dist load. (xdist's own loadgroup appends the xdist_group
    mark's name to the node id, which pytest 9.2 no longer lets it do: pytest-xdist issue #1386.)"""
    if config.getvalue("dist") not in ("load", "loadgroup"):
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByGroupInId(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            group = re.search(r"@([A-Za-z][\w.-]*)\]$", nodeid)
            return group.group(1) if group else nodeid

    return ByGroupInId(config, log)


@pytest.fixture(scope="session", autouse=True)
def _cache_dir(tmp_path_factory):
    """Every test compiles into a fresh cache directory, never the user's: one per test session,
    shared by its pytest-xdist workers (a program one worker compiled, the other loads from the
    cache, as concurrent processes do; tests/test_cache_concurrency.py checks that guarantee)."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        path = tmp_path_factory.getbasetemp().parent / "bpc-cache"     # the session's, not the worker's
        path.mkdir(exist_ok=True)
    else:
        path = tmp_path_factory.mktemp("bpc-cache")
    old = os.environ.get("BPC_CACHE_DIR")
    os.environ["BPC_CACHE_DIR"] = str(path)
    yield path
    if old is None:
        os.environ.pop("BPC_CACHE_DIR", None)
    else:
        os.environ["BPC_CACHE_DIR"] = old


def compile_for(source, target, **options):
    """compile() for a test: the numba target serially, since parallel=True only changes how the
    same loop body is scheduled and costs twice the Numba compile time (tests/test_numba.py
    covers parallel=True)."""
    import compiler

    if target == "numba":
        options.setdefault("parallel", False)
    return compiler.compile(source, target=target, **options)


TARGETS = ("python", "numpy", "numba", "cuda")


def example_sources():
    """examples/sources.py: the formulas of the shipped examples (one copy for tests and examples)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bpc_example_sources", ROOT / "examples" / "sources.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CS231N = example_sources().CS231N_PROGRAM
