"""The typing contract: the never-run programs in typing_tests/ type-check as they declare.

``scope_ok.py`` must pass ``mypy --strict``. In ``scope_errors.py`` each line that ends
with ``# E: <code>`` must be reported with that code, and no other line may be. Both run
twice: against the installed package (its inline types and py.typed, which is what users
get) and against stubs/ via MYPYPATH, so that the two cannot type the same program apart.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = ROOT / "typing_tests"

# mypy's one-line error form, e.g. `typing_tests/x.py:12: error: ...  [arg-type]`.
_ERROR = re.compile(r"^(?P<file>.+?):(?P<line>\d+): error: .*\[(?P<code>[a-z0-9-]+)\]$")
_EXPECTED = re.compile(r"#\s*E:\s*(?P<code>[a-z0-9-]+)\s*$")

# Where `ato.scope` is read from in each mode; checked so that a run can never quietly
# type-check the other source (mypy's -v log names each file it parses).
_ORIGIN = {
    "package": ROOT / "src" / "ato" / "scope" / "__init__.py",
    "stubs": ROOT / "stubs" / "ato" / "scope" / "__init__.pyi",
}


def _mypy(program: str, mode: str) -> tuple[int, list[str]]:
    """Run mypy --strict on one program; returns the exit status and its output lines."""
    env = {key: value for key, value in os.environ.items() if key != "MYPYPATH"}
    if mode == "stubs":
        env["MYPYPATH"] = str(ROOT / "stubs")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "-v",
         str(Path("typing_tests") / program)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    assert f"Parsing {_ORIGIN[mode]} (ato.scope)" in result.stderr, result.stdout + result.stderr[-2000:]
    return result.returncode, result.stdout.splitlines()


def _reported(lines: list[str]) -> set[tuple[str, int, str]]:
    found = set()
    for text in lines:
        match = _ERROR.match(text)
        if match:
            found.add((Path(match["file"]).as_posix(), int(match["line"]), match["code"]))
    return found


def _declared(program: str) -> set[tuple[str, int, str]]:
    source = (PROGRAMS / program).read_text(encoding="utf-8").splitlines()
    return {
        (f"typing_tests/{program}", number, match["code"])
        for number, text in enumerate(source, start=1)
        if (match := _EXPECTED.search(text))
    }


@pytest.mark.parametrize("mode", ["package", "stubs"])
def test_correct_program_has_no_errors(mode: str) -> None:
    """typing_tests/scope_ok.py passes mypy --strict with no error at all."""
    status, lines = _mypy("scope_ok.py", mode)
    assert status == 0, "\n".join(lines)
    assert not [text for text in lines if ": error:" in text]


@pytest.mark.parametrize("mode", ["package", "stubs"])
def test_bad_program_reports_exactly_the_declared_errors(mode: str) -> None:
    """mypy's (line, code) pairs for typing_tests/scope_errors.py equal its `# E:` comments."""
    declared = _declared("scope_errors.py")
    assert declared, "scope_errors.py declares no expected error"
    status, lines = _mypy("scope_errors.py", mode)
    assert status == 1, "\n".join(lines)
    assert _reported(lines) == declared, "\n".join(lines)


def test_readme_typed_example_passes_strict() -> None:
    """The README's typed Scope example (examples/typed_train.py) is clean under mypy --strict."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "examples/typed_train.py"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
