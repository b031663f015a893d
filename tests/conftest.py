"""Shared fixtures: run a small user program in a real subprocess, as a user would."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
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


@pytest.fixture(autouse=True)
def _restore_process_state() -> Iterator[None]:
    """Whatever a test registers process-wide (the argparse bridge, fingerprints) is undone after it."""
    import argparse

    from ato import trace
    from ato.scope import _argparse

    parse_args = argparse.ArgumentParser.parse_args
    scopes, captures = _argparse.scopes(), list(_argparse._captured)
    fingerprints = trace.recorded()
    yield
    argparse.ArgumentParser.parse_args = parse_args  # type: ignore[method-assign]
    _argparse.reset()
    _argparse._scopes.extend(scopes)
    _argparse._captured.extend(captures)
    trace.clear()
    for record in fingerprints:
        trace.record(*record)
