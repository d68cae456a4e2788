"""A 30-second run (BPC_FUZZ_SECONDS for longer) of the front-end fuzzer (tests/fuzz/fuzz_frontend.py) as part of the suite."""
import importlib.util
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("bpc_fuzz_frontend", HERE / "fuzz_frontend.py")
fuzzer = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fuzzer)


def test_fuzz_front_end_for_a_minute():
    seconds = float(os.environ.get("BPC_FUZZ_SECONDS", "30"))
    result = fuzzer.fuzz(seconds=seconds, seed=int(os.environ.get("BPC_FUZZ_SEED", "0")))
    assert result["inputs"] > 1000
    assert result["compiled"] > 100 and result["rejected"] > 100
    assert result["findings"] == []
    assert result["slowest_s"] < 5.0


def test_canary_is_live():
    """The canary really fires: a payload that reached Python would be seen."""
    canary = fuzzer.plant_canary()
    exec("import fuzz_canary; fuzz_canary.hit()")  # noqa: S102 - the test's own code, not user input
    assert canary.hits == 1
