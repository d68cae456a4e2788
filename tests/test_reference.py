"""The README's list of functions, docs/functions.md and `bpc functions` are generated from the
rules table and agree with it. To accept a changed table: BPC_UPDATE_DOCS=1 pytest tests/test_reference.py"""
import os
import re
from pathlib import Path

import pytest

from compiler import reference
from compiler.cli import main
from compiler.frontend.aliases import ALIASES
from compiler.rules import FUNCTIONS

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = [("README.md", "<!-- generated: bpc functions -->", lambda: f"`{reference.names_line()}`\n"),
            ("docs/functions.md", "<!-- generated: bpc functions --markdown -->", reference.markdown)]


@pytest.mark.parametrize("path,marker,make", SECTIONS, ids=[s[0] for s in SECTIONS])
def test_generated_sections_match_the_table(path, marker, make):
    file = ROOT / path
    text = file.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(marker) + r"\n(.*?)<!-- end generated -->", re.S)
    found = pattern.search(text)
    assert found, f"{path} has no section {marker}"
    if os.environ.get("BPC_UPDATE_DOCS"):
        text = pattern.sub(lambda m: marker + "\n" + make() + "<!-- end generated -->", text)
        file.write_text(text, encoding="utf-8")
        found = pattern.search(text)
    assert found.group(1) == make()


def test_every_callable_name_is_listed_once(capsys):
    assert main(["functions"]) == 0
    listed = capsys.readouterr().out.split()
    assert listed == sorted(set(FUNCTIONS) | set(ALIASES))
    assert main(["functions", "--markdown"]) == 0
    table = capsys.readouterr().out
    for name in [*FUNCTIONS, *ALIASES]:
        assert f"`{name}(" in table, name
