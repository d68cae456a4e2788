"""Every code example in README.md and docs/*.md runs, as written, in the tests.

The blocks are read from the documents themselves (no copies here):

* ```python blocks of one document run in order, in one namespace, in a fresh Python process whose
  working directory is a new temporary directory. A block written with ``>>>`` prompts is a
  doctest: its printed output is compared too.
* ```bash and ```sh blocks run with ``bash -e`` in a new temporary directory each (so each block
  stands on its own), with ``bpc`` and ``python`` on PATH meaning this installation's. They must
  exit with status 0.
* ```console blocks hold ``$ command`` lines, each followed by its expected output, which is
  compared with what the command prints (stdout and stderr, without the progress lines bpc prints
  for slow steps); a line ``...`` stands for any number of lines. The exit status is not checked,
  so a console block can show an error.

A block preceded by ``<!-- not run: reason -->`` is skipped; the reason must say why (it needs a
GPU, it would run the test suite inside itself...). Other languages (```text, ```json, bare ```)
are never run.

The cache: every process inherits the test session's ``BPC_CACHE_DIR`` (tests/conftest.py), so a
formula compiled by one block is loaded from the cache by the next.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
RUN = {"python": "python", "bash": "shell", "sh": "shell", "console": "console"}
FENCE = re.compile(r"^```(\S*)[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
NOT_RUN = re.compile(r"<!--\s*not run:\s*(.*?)\s*-->\s*$")
PROGRESS = re.compile(r"^bpc: .* \.\.\.( \d+ s)?$")


@dataclass
class Block:
    path: Path
    line: int            # line of the block's first code line in the document
    kind: str            # python, shell, console (or the fence's language when never run)
    code: str
    skip: str | None     # the reason given in <!-- not run: ... -->, if any

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        before = text[:match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = NOT_RUN.search(before)
        line = text.count("\n", 0, match.start(2)) + 1
        found.append(Block(path, line, RUN.get(match.group(1), match.group(1)), match.group(2),
                           marker.group(1) if marker else None))
    return found


ALL = [b for path in DOCUMENTS for b in blocks(path)]


def _env(tmp_path: Path) -> dict:
    """PATH with this installation's ``bpc`` and ``python`` first; the repository importable."""
    shims = tmp_path / ".bin"
    shims.mkdir(exist_ok=True)
    scripts = Path(sys.executable).parent
    for name, command in (("python", f'exec "{sys.executable}" "$@"'),
                          ("bpc", f'exec "{scripts / "bpc"}" "$@"' if (scripts / "bpc").exists()
                           else f'exec "{sys.executable}" -m compiler "$@"')):
        shim = shims / name
        shim.write_text(f"#!/bin/sh\n{command}\n")
        shim.chmod(0o755)
    env = dict(os.environ)
    env["PATH"] = f"{shims}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env.setdefault("NUMBA_ENABLE_CUDASIM", "1" if not os.path.exists("/dev/nvidia0") else "0")
    return env


# -- what the blocks are ------------------------------------------------------------------------

def test_documents_are_found_and_hold_runnable_blocks():
    names = {p.name for p in DOCUMENTS}
    assert {"README.md", "guide.md", "cli.md", "design.md"} <= names
    kinds = {b.kind for b in ALL if b.path.name == "README.md"}
    assert {"python", "shell"} <= kinds


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.name for p in DOCUMENTS])
def test_skipped_blocks_say_why_and_are_few(path):
    skipped = [b for b in blocks(path) if b.kind in ("python", "shell", "console") and b.skip is not None]
    for b in skipped:
        assert len(b.skip.split()) >= 3, f"{b.where}: say why the block is not run"
    assert len(skipped) <= 5, [b.where for b in skipped]


def test_readme_first_block_is_not_run_here():
    """It is what CI runs: installing bpc and running this test suite (which would run it again)."""
    first = blocks(ROOT / "README.md")[0]
    assert first.kind == "shell" and first.skip


# -- running them ---------------------------------------------------------------------------------

RUNNER = textwrap.dedent("""
    import doctest, json, sys
    blocks = json.load(sys.stdin)
    namespace = {"__name__": "__main__"}
    for path, line, code in blocks:
        if code.lstrip().startswith(">>>"):
            test = doctest.DocTestParser().get_doctest(code, namespace, path, path, line - 1)
            runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
            runner.run(test, clear_globs=False)
            namespace.update(test.globs)
            if runner.failures:
                sys.exit(f"doctest failed: {path}:{line}")
        else:
            exec(compile("\\n" * (line - 1) + code, path, "exec"), namespace)
""")

PY_DOCS = [p for p in DOCUMENTS if any(b.kind == "python" and not b.skip for b in blocks(p))]


@pytest.mark.parametrize("path", PY_DOCS, ids=[p.name for p in PY_DOCS])
def test_python_blocks_run(path, tmp_path):
    # the document's absolute path as file name: tracebacks point into it, and inspect.getsource
    # (which bpc uses to read a def) finds a def's lines there
    todo = [(str(b.path), b.line, b.code) for b in blocks(path) if b.kind == "python" and not b.skip]
    out = subprocess.run([sys.executable, "-c", RUNNER], input=json.dumps(todo), capture_output=True, text=True,
                         cwd=tmp_path, env=_env(tmp_path), timeout=600)
    assert out.returncode == 0, f"{path.name}:\n{out.stdout[-4000:]}\n{out.stderr[-4000:]}"


SHELL = [b for b in ALL if b.kind == "shell" and not b.skip]


@pytest.mark.parametrize("block", SHELL, ids=[b.where for b in SHELL])
def test_shell_blocks_run(block, tmp_path):
    out = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", block.code], capture_output=True, text=True,
                         cwd=tmp_path, env=_env(tmp_path), timeout=600)
    assert out.returncode == 0, f"{block.where}:\n{out.stdout[-4000:]}\n{out.stderr[-4000:]}"


def console_steps(code: str) -> list[tuple[str, list[str]]]:
    """``$ command`` lines and the output lines after each."""
    steps: list[tuple[str, list[str]]] = []
    for line in code.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line.rstrip())
        elif line.strip():
            raise AssertionError(f"a console block starts with '$ command', not {line!r}")
    return steps


def matches(expected: list[str], actual: list[str]) -> bool:
    """Line by line; an expected line ``...`` stands for any number of lines."""
    pattern = "".join(r"(?:[^\n]*\n)*?" if line == "..." else re.escape(line + "\n") for line in expected)
    return re.fullmatch(pattern, "".join(line + "\n" for line in actual)) is not None


CONSOLE = [b for b in ALL if b.kind == "console" and not b.skip]


@pytest.mark.parametrize("block", CONSOLE, ids=[b.where for b in CONSOLE])
def test_console_blocks_print_what_they_show(block, tmp_path):
    env = _env(tmp_path)
    for command, expected in console_steps(block.code):
        out = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, cwd=tmp_path,
                             env=env, timeout=600)
        actual = [line.rstrip() for line in (out.stdout + out.stderr).splitlines() if not PROGRESS.match(line)]
        while expected and not expected[-1]:
            expected = expected[:-1]
        assert matches(expected, actual), f"{block.where}: $ {command}\n" + "\n".join(actual)


def test_console_matching():
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "...", "b"], ["a", "b"])
    assert not matches(["a", "d"], ["a", "b", "d"])


# -- docs/cli.md: the help of every subcommand, generated from the parser ---------------------------

CLI_DOC = ROOT / "docs" / "cli.md"
HELP_MARKER = "<!-- generated: bpc {} --help -->"


def subcommands() -> dict:
    """name -> its argparse parser, in the order ``bpc --help`` lists them."""
    import argparse

    from compiler.cli import build_parser

    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {"": parser, **action.choices}


def help_text(name: str, parser) -> str:
    """``bpc NAME --help`` at 88 columns, without the epilog (the list of functions, which every
    command's help repeats and docs/functions.md holds)."""
    parser.epilog = None
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "88"
    try:
        return parser.format_help()
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old


def help_sections() -> dict[str, str]:
    return {name: help_text(name, p) for name, p in subcommands().items()}


def _help_block(name: str, text: str) -> str:
    return f"{HELP_MARKER.format(name).replace('bpc  --help', 'bpc --help')}\n```text\n{text}```\n<!-- end generated -->"


def _help_pattern(name: str):
    marker = re.escape(HELP_MARKER.format(name).replace("bpc  --help", "bpc --help"))
    return re.compile(marker + r"\n```text\n(.*?)```\n<!-- end generated -->", re.S)


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="argparse's layout differs between Python versions; "
                                                            "the options are compared on every version below")
def test_cli_doc_shows_the_help_of_every_command():
    """To accept changed help texts: BPC_UPDATE_DOCS=1 pytest tests/test_docs.py -k cli_doc"""
    text = CLI_DOC.read_text(encoding="utf-8")
    sections = help_sections()
    if os.environ.get("BPC_UPDATE_DOCS"):
        for name, help_ in sections.items():
            text = _help_pattern(name).sub(lambda m: _help_block(name, help_), text)
        CLI_DOC.write_text(text, encoding="utf-8")
    for name, help_ in sections.items():
        found = _help_pattern(name).search(text)
        assert found, f"docs/cli.md has no section {HELP_MARKER.format(name)}"
        assert found.group(1) == help_, f"bpc {name} --help changed: BPC_UPDATE_DOCS=1 pytest tests/test_docs.py"


def test_cli_doc_names_every_option_and_only_real_ones():
    text = CLI_DOC.read_text(encoding="utf-8")
    for name, parser in subcommands().items():
        options = {s for a in parser._actions for s in a.option_strings}
        section = text.split(f"## bpc {name}".rstrip(), 1)[1].split("\n## ", 1)[0] if name else text
        for option in options:
            assert option in section, f"docs/cli.md does not mention {option} of bpc {name}"
    every = {s for p in subcommands().values() for a in p._actions for s in a.option_strings}
    mentioned = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", text))
    assert mentioned <= every, mentioned - every
