"""What every benchmark here shares: venvs, child processes, interleaving and Markdown.

This module is imported in every venv a benchmark uses (the workers run as
``python -m benchmarks.<module>`` there), so it uses the standard library only.

* Venvs. "main" is the interpreter running ``python -m benchmarks`` (the project's venv); the
  peers live in ``benchmarks/.venvs/<name>`` (git-ignored) and are made on first use from the
  same base interpreter, so that the libraries are the only difference between sides. Children
  of "main" get ``PYTHONPATH=<checkout>/src``, so that they measure this checkout even where the
  venv has another ato installed (a second worktree, an editable install of another folder).
* Children. ``call`` runs a command that prints one JSON line; ``Worker`` is a long-lived child
  answering JSON lines, for sides that must time in-process and still take turns.
* Interleaving. ``interleave`` runs rounds in which every side takes a turn, the first side
  rotating from round to round, so that drift on the machine hits every side alike; sections
  report the minimum and the median over rounds.
* Reporting. ``table``, ``meta`` and ``write_section`` (one section of RESULTS.md at a time).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
VENVS = BENCH / ".venvs"
RESULTS = BENCH / "RESULTS.md"
# Packages of the `bench` extra that the project interpreter lacks go here (pip --target)
# rather than into the user's environment; children of "main" see it on PYTHONPATH.
EXTRA_SITE = VENVS / "main-extra"

# name -> (pip install steps, distributions whose versions the sections report)
PEERS: dict[str, tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]] = {
    "hydra": ((("hydra-core",),), ("hydra-core", "omegaconf")),
    "ato2": ((("ato==2.2.1",),), ("ato", "SQLAlchemy")),
    "mlflow": ((("mlflow-skinny", "sqlalchemy", "alembic", "sqlparse"),),
               ("mlflow-skinny", "SQLAlchemy", "alembic")),
    "optuna": ((("optuna",),), ("optuna",)),
    # mmdet is wanted for the configs in its wheel only; its own dependencies need CUDA.
    "mmengine": ((("mmengine-lite==0.10.7", "packaging"), ("--no-deps", "mmdet==3.3.0")),
                 ("mmengine-lite", "mmdet")),
}
PIP = ("-m", "pip", "install", "--quiet", "--disable-pip-version-check")
MAIN_DISTS = ("ato", "pydantic", "SQLAlchemy", "omegaconf", "pyperf")

_QUERY = """
import importlib.metadata as m, json, platform, sys
v = {}
for d in sys.argv[1:]:
    try:
        v[d] = m.version(d)
    except m.PackageNotFoundError:
        pass
print(json.dumps([platform.python_version(), v]))
"""


class ChildError(RuntimeError):
    """A child process failed; the message is the line of stderr that says why."""


def why(stderr: str, returncode: int) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    # A traceback's first line says nothing; its last line names the exception.
    return (lines[-1] if lines[0].startswith("Traceback") else lines[0]) if lines else f"exit {returncode}"


@dataclass
class Env:
    name: str
    python: Path
    versions: dict[str, str] = field(default_factory=dict)
    python_version: str = ""
    problem: str = ""

    @property
    def label(self) -> str:
        return "project venv" if self.name == "main" else f"`.venvs/{self.name}`"

    def v(self, dist: str) -> str:
        return self.versions.get(dist, "not installed")

    def environ(self, *, worker: bool = True) -> dict[str, str]:
        """Our environment less every ``PYTHON*`` variable (``PYTHONDONTWRITEBYTECODE`` would make
        each start-up recompile), plus the paths that this env's children need."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        paths = [str(REPO / "src")] if self.name == "main" else []
        if worker:
            paths += [str(EXTRA_SITE)] if self.name == "main" and EXTRA_SITE.exists() else []
            paths.append(str(REPO))
        if paths:
            env["PYTHONPATH"] = os.pathsep.join(paths)
        return env

    def query(self) -> None:
        dists = PEERS[self.name][1] if self.name in PEERS else MAIN_DISTS
        self.problem = ""
        if not self.python.exists():
            self.problem = f"no venv at benchmarks/.venvs/{self.name}"
            return
        proc = subprocess.run([str(self.python), "-c", _QUERY, *dists], capture_output=True, text=True,
                              env=self.environ(), check=False)
        if proc.returncode:
            self.problem = why(proc.stderr, proc.returncode)
            return
        self.python_version, self.versions = json.loads(proc.stdout)
        missing = [d for d in dists if d not in self.versions]
        if missing and self.name != "main":
            self.problem = f"{', '.join(missing)} not installed in benchmarks/.venvs/{self.name}"

    def make(self) -> None:
        """Create the peer venv from the base interpreter and pip-install its packages."""
        base = getattr(sys, "_base_executable", "") or sys.executable
        if not self.python.exists():
            subprocess.run([base, "-m", "venv", str(VENVS / self.name)], check=True)
        for step in PEERS[self.name][0]:
            subprocess.run([str(self.python), *PIP, *step], check=True)


@dataclass
class Context:
    """Options of one ``python -m benchmarks`` run, and the venvs it has prepared."""

    quick: bool = False
    setup: bool = True
    verbose: bool = True
    python: Path = field(default_factory=lambda: Path(sys.executable))
    envs: dict[str, Env] = field(default_factory=dict)

    def log(self, message: str) -> None:
        if self.verbose:
            print(f"  {message}", file=sys.stderr, flush=True)

    def env(self, name: str) -> Env:
        """The env ``name``, queried once; a missing peer venv is made unless ``--no-setup``."""
        if name in self.envs:
            return self.envs[name]
        env = self.envs[name] = Env(name, self.python if name == "main" else VENVS / name / "bin" / "python")
        env.query()
        if env.problem and name in PEERS:
            if not self.setup:
                env.problem = f"not set up ({env.problem}); run without --no-setup to make it"
                return env
            self.log(f"making benchmarks/.venvs/{name}: {' then '.join(map(' '.join, PEERS[name][0]))}")
            try:
                env.make()
            except (OSError, subprocess.CalledProcessError) as exc:
                env.problem = f"making the venv failed: {exc}"
                return env
            env.query()
        return env

    def need(self, module: str, requirement: str) -> None:
        """Make ``module`` importable by "main": a package of the `bench` extra, if it is missing."""
        env = self.env("main")
        if subprocess.run([str(env.python), "-c", f"import {module}"], env=env.environ(),
                          capture_output=True, check=False).returncode == 0:
            return
        if not self.setup:
            raise ChildError(f"{module} is not installed: pip install -e '.[bench]'")
        self.log(f"{module} missing: pip install --target {EXTRA_SITE.relative_to(REPO)} {requirement}")
        subprocess.run([str(env.python), *PIP, "--target", str(EXTRA_SITE), requirement], check=True)
        env.query()


# ---------------------------------------------------------------------- children
def call(env: Env, module: str, *args: str, timeout: float = 900, cwd: Path | None = None,
         extra_env: dict[str, str] | None = None) -> Any:
    """``python -m benchmarks.<module> ARGS`` in ``env``; its last line of stdout, parsed as JSON."""
    if env.problem:
        raise ChildError(env.problem)
    try:
        proc = subprocess.run([str(env.python), "-m", f"benchmarks.{module}", *args], cwd=cwd or REPO,
                              env={**env.environ(), **(extra_env or {})}, capture_output=True, text=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ChildError(f"no exit within {timeout:g} s") from exc
    if proc.returncode:
        raise ChildError(why(proc.stderr, proc.returncode))
    return json.loads(proc.stdout.strip().splitlines()[-1])


class Worker:
    """A long-lived ``python -m benchmarks.<module> worker ARGS`` that answers JSON lines (see ``serve``)."""

    def __init__(self, env: Env, module: str, *args: str) -> None:
        if env.problem:
            raise ChildError(env.problem)
        self.proc = subprocess.Popen([str(env.python), "-m", f"benchmarks.{module}", "worker", *args],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=env.environ(), cwd=REPO)
        self._read()  # "ready": the worker has imported what it times

    def _read(self) -> Any:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            assert self.proc.stderr is not None
            raise ChildError(why(self.proc.stderr.read(), self.proc.wait()))
        return json.loads(line)

    def ask(self, request: Any) -> Any:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


def serve(handle: Callable[[Any], Any]) -> None:
    """The worker's side of ``Worker``: one JSON answer per JSON request, until stdin closes."""
    print(json.dumps("ready"), flush=True)
    for line in sys.stdin:
        print(json.dumps(handle(json.loads(line))), flush=True)


# ---------------------------------------------------------------------- interleaving
@dataclass
class Side:
    """One thing being timed: ``runs`` holds one result per round; ``problem`` says why it has none."""

    key: str
    label: str
    env: str = "main"
    arg: Any = None
    problem: str = ""
    runs: list[Any] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problem and bool(self.runs)


def interleave(sides: Sequence[Side], rounds: int, step: Callable[[Side], Any], ctx: Context,
               what: str = "round") -> None:
    """``rounds`` times, ``step(side)`` for each side (the first one rotating), into ``side.runs``."""
    for r in range(rounds):
        live = [s for s in sides if not s.problem]
        k = r % len(live) if live else 0
        for side in live[k:] + live[:k]:
            try:
                side.runs.append(step(side))
            except ChildError as exc:
                side.problem = f"failed in round {r + 1}: {exc}" if side.runs else f"not runnable: {exc}"
                side.runs.clear()
        ctx.log(f"{what} {r + 1}/{rounds} done")


def fail_missing(sides: Iterable[Side], ctx: Context) -> None:
    """Mark the sides whose venv could not be had, before any timing."""
    for side in sides:
        problem = ctx.env(side.env).problem
        if problem and not side.problem:
            side.problem = problem


# ---------------------------------------------------------------------- reporting
def table(header: Sequence[str], rows: Iterable[Sequence[Any]], align: str) -> str:
    """A Markdown table; ``align`` has one letter per column, ``l`` or ``r``; short rows are padded."""
    rule = "|".join("---:" if a == "r" else "---" for a in align)
    lines = ["| " + " | ".join(header) + " |", f"|{rule}|"]
    for row in rows:
        cells = [str(c) for c in row] + [""] * (len(header) - len(row))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def git_rev() -> str:
    """`` (git <HEAD>)``, with ``, src modified`` when ``src/`` has changes; empty without git."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True,
                              check=True).stdout.strip()
    try:
        rev, dirty = git("rev-parse", "--short", "HEAD"), git("status", "--porcelain", "--", "src")
    except (OSError, subprocess.CalledProcessError):
        return ""
    return f" (git {rev}{', src modified' if dirty else ''})"


def meta(name: str, ctx: Context, envs: Sequence[str], versions: str, *extra: str) -> list[str]:
    """The lines under a section's description: date, Python, machine, versions, how to re-run."""
    pythons = sorted({ctx.env(e).python_version for e in envs if ctx.env(e).python_version})
    same = " (every venv made from the same base interpreter)" if len(envs) > 1 else ""
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []
    cpu = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")),
               platform.processor() or "unknown CPU")
    return [
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M UTC}",
        f"- Python: {platform.python_implementation()} {', '.join(pythons)}{same}",
        f"- Machine: {platform.platform()}, {cpu}, nproc = {len(os.sched_getaffinity(0))}",
        f"- Versions: {versions}",
        *extra,
        f"- Reproduce: `pip install -e '.[bench]'` then `python -m benchmarks {name}`"
        + (" (makes the peer venvs under `benchmarks/.venvs/` if missing)" if len(envs) > 1 else ""),
    ]


def ato_version(ctx: Context) -> str:
    return f"ato {ctx.env('main').v('ato')}{git_rev()}"


RESULTS_HEADER = """# Benchmark results

All figures are measured by `python -m benchmarks` (see `benchmarks/README.md`) on this project's
2-core machines. Absolute times vary from machine to machine and run to run, so every comparison
is a ratio measured side by side in one run.
"""


def write_section(text: str, path: Path = RESULTS) -> None:
    """Replace the section of ``path`` headed by ``text``'s first line (append it if absent)."""
    title = text.splitlines()[0]
    old = path.read_text(encoding="utf-8") if path.exists() else RESULTS_HEADER
    pattern = re.compile(rf"^{re.escape(title)}[ \t]*\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    new = pattern.sub(lambda _m: text.rstrip("\n") + "\n\n", old, count=1) if pattern.search(old) \
        else old.rstrip("\n") + "\n\n" + text
    path.write_text(new.rstrip("\n") + "\n", encoding="utf-8")
