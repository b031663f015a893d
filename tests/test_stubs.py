"""stubs/ agrees with the package: generated from its annotations, compared by stubtest.

stubtest compares runtime signatures (names, kinds, defaults), not annotations, so a stub's
return type could be wrong with stubtest green. ``stubs/generate.py --check`` closes that
gap: it regenerates the stubs from src/ato's annotations and fails on any difference.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "stubs" / "generate.py"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MYPYPATH": str(ROOT / "stubs")}
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def _generate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(GENERATOR), *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_stubtest_finds_no_drift() -> None:
    """mypy.stubtest reports no difference between stubs/ato and the runtime package."""
    result = _run("mypy.stubtest", "ato", "--allowlist", str(ROOT / "stubs" / "stubtest-allowlist.txt"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_stubs_are_strictly_typed() -> None:
    """The .pyi files themselves pass mypy --strict."""
    result = _run("mypy", "--strict", "--no-incremental", str(ROOT / "stubs" / "ato"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_stubs_read_no_module_of_the_package() -> None:
    """Checking against stubs/ parses ato's modules from stubs/ only, never a private .py."""
    result = _run("mypy", "--strict", "--no-incremental", "-v", str(ROOT / "stubs" / "ato"))
    parsed = re.findall(r"Parsing (\S+) \((ato(?:\.[\w.]+)?)\)", result.stderr)
    outside = [(path, module) for path, module in parsed
               if not Path(path).resolve().is_relative_to(ROOT / "stubs")]
    assert parsed, result.stderr[-2000:]
    assert not outside, outside


def test_stubs_are_what_the_generator_writes() -> None:
    """stubs/ato is exactly what stubs/generate.py writes from src/ato (run it after a change)."""
    result = _generate("--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_fails_when_a_stub_return_type_is_changed(tmp_path: Path) -> None:
    """The two drifts of issue 11, which stubtest lets through, fail the check with a diff."""
    copy = tmp_path / "stubs"
    shutil.copytree(ROOT / "stubs" / "ato", copy / "ato")
    edits = {
        "ato/adict/__init__.pyi": (
            "def to_dict(self) -> dict[str, Any]: ...",
            "def to_dict(self) -> list[int]: ...",
        ),
        "ato/tracker/__init__.pyi": (
            'def find_best_run(self, project_name: str, metric_key: str, mode: str = "max") '
            "-> _RunRecord | None: ...",
            'def find_best_run(self, project_name: str, metric_key: str, mode: str = "max") -> int: ...',
        ),
    }
    for stub, (generated, drifted) in edits.items():
        text = (copy / stub).read_text(encoding="utf-8")
        assert text.count(generated) == 1, f"{stub} no longer holds {generated!r}"
        (copy / stub).write_text(text.replace(generated, drifted), encoding="utf-8")

    result = _generate("--check", "--stubs", str(copy))

    assert result.returncode == 1, result.stdout + result.stderr
    for stub, (generated, drifted) in edits.items():
        assert f"--- {stub} (committed)" in result.stdout
        assert f"\n-    {drifted}\n" in result.stdout
        assert f"\n+    {generated}\n" in result.stdout
    assert "run `python stubs/generate.py`" in result.stderr
