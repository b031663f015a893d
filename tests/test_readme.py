"""README.md opens with the two commands, and .ci/run runs the same test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _first_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.DOTALL)
    assert block is not None, "README.md has no bash block"
    before = text[: block.start()].strip().splitlines()
    assert len(before) <= 1, "the commands must come first, right after the title"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_starts_with_two_commands() -> None:
    """The first block holds exactly two commands: run the example, run the tests."""
    example, tests = _first_commands()
    assert "pip install ." in example and "examples/" in example
    assert "'.[dev]'" in tests and "pytest" in tests


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run contains the README's test command verbatim."""
    _, tests = _first_commands()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines()


def test_readme_example_exists() -> None:
    """The example the first command runs is in the repository."""
    example, _ = _first_commands()
    script = re.search(r"python (examples/\S+\.py)", example)
    assert script is not None and (ROOT / script.group(1)).is_file()
