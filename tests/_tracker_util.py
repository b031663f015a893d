"""Helpers for the tracker tests: configs, raw reads of the database, child processes."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ato.adict import ADict

SRC = str(Path(__file__).resolve().parents[1] / "src")
PG_ENV = "ATO_TEST_POSTGRES_URL"


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


def make_config(url: str, project: str = "image_classification", **values: Any) -> ADict:
    """An ADict config as the spec writes it, with the given hyperparameters."""
    return ADict(experiment=ADict(project_name=project, sql=ADict(db_path=url)), **values)


@contextlib.contextmanager
def raw(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection (no ato, no SQLAlchemy), closed afterwards."""
    conn = sqlite3.connect(path, timeout=30)
    try:
        yield conn
    finally:
        conn.close()


def query(path: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """All rows of ``sql`` run on the SQLite file at ``path``."""
    with raw(path) as conn:
        return conn.execute(sql, params).fetchall()


def spawn(script: str, *args: str, cwd: Path) -> subprocess.Popen[str]:
    """Start ``script`` (dedented) in a fresh interpreter, stdout/stderr piped."""
    path = cwd / "child.py"
    path.write_text(textwrap.dedent(script), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen(
        [sys.executable, str(path), *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def wait_for_line(proc: subprocess.Popen[str], expected: str, timeout: float = 60.0) -> str:
    """Read the child's stdout until a line equal to ``expected`` (fails on exit/timeout)."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if line.strip() == expected:
            return line
    proc.kill()
    _, err = proc.communicate()
    raise AssertionError(f"child never printed {expected!r}; stdout={seen!r} stderr={err}")


def poll(check: Any, timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Call ``check`` until it returns something truthy; return that (or the last value)."""
    deadline = time.monotonic() + timeout
    value = check()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = check()
    return value
