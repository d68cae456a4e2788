"""The README's first code block is what CI runs, and its excerpts of emitted code are what bpc emits
(the other blocks are run by tests/test_docs.py)."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def first_block() -> list[str]:
    block = re.search(r"^```\w*\n(.*?)^```", README, re.S | re.M).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_first_block_holds_exactly_two_commands_and_ci_runs_them():
    commands = first_block()
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    for command in commands:
        assert command in ci
    assert "pytest" in commands[1]


@pytest.mark.parametrize("first_line,golden", [("        # forward pass", "cs231n_formula_python.py"),
                                               ("    do = cross_entropy_grad", "mlp_d2l_numpy.py")])
def test_readme_excerpts_are_the_emitted_code(first_line, golden):
    sample = re.search(r"```python\n(" + re.escape(first_line) + r".*?)```", README, re.S).group(1)
    assert sample in (ROOT / "generated" / golden).read_text()
