"""The README's first code block is what CI runs, and its code sample is what bpc emits."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def first_block() -> list[str]:
    block = re.search(r"```\n(.*?)```", README, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_first_block_holds_exactly_two_commands_and_ci_runs_them():
    commands = first_block()
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    for command in commands:
        assert command in ci
    assert "pytest" in commands[1]


def test_readme_sample_is_the_emitted_code():
    sample = re.search(r"```python\n(        # forward pass.*?)```", README, re.S).group(1)
    golden = (ROOT / "generated" / "cs231n_formula_python.py").read_text()
    assert sample in golden
