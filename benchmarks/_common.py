"""Helpers shared by the benchmark scripts in this folder (standard library only).

The scripts are run as ``python benchmarks/<script>.py``, which puts this folder first on
``sys.path``, so they import this module as ``_common``. It holds what describes the machine and
the checkout in a results section, and the code that puts a section into ``RESULTS.md``.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS_PATH = BENCH_DIR / "RESULTS.md"
RESULTS_HEADER = """# Benchmark results

All figures are measured by the scripts in `benchmarks/` on this project's 2-core machines.
Absolute times vary from machine to machine and run to run, so every comparison is a ratio
measured side by side in one run; see `benchmarks/README.md` for what each script measures.
"""


def git_rev() -> str:
    """The checkout as ``" (git <short HEAD>)"``, or ``" (git <short HEAD>, src modified)"``.

    "src modified" means ``git status`` lists changes under ``src/``. The leading space is part of
    the result, so it goes straight after a version number; ``""`` when git is missing or fails.
    """
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""
    return f" (git {rev}{', src modified' if dirty else ''})"


def cpu_model() -> str:
    """The first ``model name`` in ``/proc/cpuinfo``; else ``platform.processor()``, else "unknown CPU"."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def nproc() -> int:
    """The CPUs this process may run on, as ``nproc`` prints it (``os.cpu_count()``, else 0, off Linux)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 0


def date_line() -> str:
    """The section's ``- Date: YYYY-MM-DD HH:MM UTC`` line, for now."""
    return f"- Date: {_dt.datetime.now(_dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}"


def machine_line() -> str:
    """The section's ``- Machine: <platform>, <CPU model>, nproc = <n>`` line."""
    return f"- Machine: {platform.platform()}, {cpu_model()}, nproc = {nproc()}"


def reproduce_command(script: str, argv: Sequence[str], *flags: str) -> str:
    """``python benchmarks/<script> <argv...>``, then each of ``flags`` not already in ``argv``, in order.

    ``argv`` is the script's command line as given; ``flags`` are those (such as ``--write``) that a
    reader must add to reproduce the section, so the command shown always includes them.
    """
    cmd = " ".join([f"python benchmarks/{script}", *argv])
    for flag in flags:
        if flag not in argv:
            cmd += f" {flag}"
    return cmd


def write_results(section: str, text: str, path: Path = RESULTS_PATH) -> None:
    """Put ``text`` in ``path`` as the section headed ``section``, leaving every other section intact.

    ``section`` is the heading line (``## ...``) and ``text`` the whole section, starting with that
    heading. The old section, from its heading up to the next line starting ``## `` (or the end),
    is replaced; if there is none, ``text`` is appended after one blank line. A missing ``path``
    starts as :data:`RESULTS_HEADER`. The file is written as UTF-8, ending in exactly one newline,
    and then ``wrote '<section>' to <path>`` is printed on stderr.
    """
    old = path.read_text(encoding="utf-8") if path.exists() else RESULTS_HEADER
    pattern = re.compile(rf"^{re.escape(section)}[ \t]*\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(old):
        new = pattern.sub(lambda _m: text + "\n", old, count=1)
    else:
        new = old.rstrip("\n") + "\n\n" + text
    new = new.rstrip("\n") + "\n"
    path.write_text(new, encoding="utf-8")
    print(f"wrote {section!r} to {path}", file=sys.stderr)
