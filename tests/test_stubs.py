"""stubs/ agrees with the package: stubtest compares them, mypy checks the stubs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MYPYPATH": str(ROOT / "stubs")}
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_stubtest_finds_no_drift() -> None:
    """mypy.stubtest reports no difference between stubs/ato and the runtime package."""
    result = _run("mypy.stubtest", "ato", "--allowlist", str(ROOT / "stubs" / "stubtest-allowlist.txt"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_stubs_are_strictly_typed() -> None:
    """The .pyi files themselves pass mypy --strict."""
    result = _run("mypy", "--strict", "--no-incremental", str(ROOT / "stubs" / "ato"))
    assert result.returncode == 0, result.stdout + result.stderr
