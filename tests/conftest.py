"""Shared fixtures: run a small user program in a real subprocess, as a user would."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

Runner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_program(tmp_path: Path) -> Runner:
    """Write ``source`` to ``train.py`` in a temp dir and run it with the given arguments."""

    def run(source: str, *args: str, name: str = "train.py") -> subprocess.CompletedProcess[str]:
        path = tmp_path / name
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        return subprocess.run(
            [sys.executable, name, *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )

    return run
