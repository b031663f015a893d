"""Whole-process start-up: a hello-world training entry point with one override (issue 4).

Every program in ``benchmarks/startup/`` declares the same config (``epochs``, ``batch_size``,
``model``, ``seed`` and a nested ``optim`` with ``lr``: five fields, one of them nested), takes
ONE command-line override of the nested ``lr`` (to 0.01) and prints ``cfg.optim.lr`` once:

* ``bare.py``: bare Python printing the constant, the floor;
* ``pydantic_argparse.py``: pydantic v2 models and argparse (``--optim.lr 0.01``);
* ``hydra_structured.py``: Hydra with dataclasses in the ConfigStore (``optim.lr=0.01``);
* ``ato2_untyped.py``: the original library, ato 2.2.1, without a schema;
* ``ato_typed.py``: this repository's ato with a pydantic schema (DESIGN section 4);
* ``ato_untyped.py``: this repository's ato without a schema (same code as ``ato2_untyped.py``).

The new ato and pydantic + argparse run in the interpreter that runs this script (the project's
venv, or ``--python``). Hydra and ato 2.2.1 need venvs of their own, made by ``--setup`` under
``benchmarks/.venvs/`` (``pip install hydra-core`` and ``pip install ato==2.2.1``, from the same
base interpreter); without ``--setup`` a missing venv is reported in its row.

Method: each program is first run once with its output captured, to check that it prints 0.01
(a program that fails is reported as "not runnable" with the reason, and left out), then twice
more as warm-up, which also leaves its bytecode caches written. Then each is run ``-n`` (20)
times as a whole process, ``subprocess.run([python, program, *args], cwd=<temp dir>)`` with its
output discarded, the runs interleaved round-robin across programs (the starting program rotates
each round) so that drift on the machine hits all alike. Children get this environment minus
every ``PYTHON*`` variable (``PYTHONDONTWRITEBYTECODE`` in particular would make every run
recompile its imports, which no user's machine does). Reported: min and median wall-clock ms per
run, and the ratio of medians to pydantic + argparse and to Hydra. Hydra is given
``hydra.run.dir=. hydra.output_subdir=null hydra/job_logging=disabled hydra/hydra_logging=disabled``
so that it writes no file; the script checks that nothing was written to the temp dir.

Also reported: what ``python -X importtime -c "import ato.scope"`` imports, checked for
SQLAlchemy, NumPy, PyYAML, toml, torch and pydantic (DESIGN section 2 allows none of them).

Run ``python benchmarks/bench_startup.py --setup`` to print a Markdown section; add ``--write`` to
replace (or insert) the section ``## Start-up (issue 4)`` in ``benchmarks/RESULTS.md``.
Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from _common import REPO, date_line, git_rev, machine_line, reproduce_command, write_results

SECTION = "## Start-up (issue 4)"
HERE = Path(__file__).resolve().parent
PROGRAMS_DIR = HERE / "startup"
VENVS_DIR = HERE / ".venvs"

EXPECTED_LR = 0.01
TARGET_VS_PYDANTIC = 1.2  # issue 4: typed ato at most 1.2x pydantic + argparse ...
TARGET_VS_HYDRA = 0.5  # ... and under half of Hydra
AIM_VS_PYDANTIC = 1.05  # DESIGN section 8: within 5% of pydantic + argparse ...
AIM_VS_HYDRA = 1 / 3  # ... and a third of Hydra
HEAVY_MODULES = ("sqlalchemy", "numpy", "yaml", "toml", "torch", "pydantic")
HYDRA_QUIET = (
    "hydra.run.dir=.",
    "hydra.output_subdir=null",
    "hydra/job_logging=disabled",
    "hydra/hydra_logging=disabled",
)
CALL_TIMEOUT = 120  # seconds; one start-up takes well under one


# ---------------------------------------------------------------------- environments
@dataclass
class Env:
    key: str
    label: str
    requirements: tuple[str, ...] = ()  # what --setup pip-installs; empty: the running venv
    dists: tuple[str, ...] = ()  # distributions whose versions are reported
    python: Path = Path()
    ready: bool = False
    problem: str = ""
    versions: dict[str, str] = field(default_factory=dict)
    python_version: str = ""

    @property
    def managed(self) -> bool:
        return bool(self.requirements)


def _make_envs(main_python: Path) -> dict[str, Env]:
    envs = {
        "main": Env("main", "project venv", dists=("ato", "pydantic")),
        "hydra": Env(
            "hydra", "`.venvs/hydra`", requirements=("hydra-core",), dists=("hydra-core", "omegaconf")
        ),
        "ato2": Env("ato2", "`.venvs/ato2`", requirements=("ato==2.2.1",), dists=("ato",)),
    }
    envs["main"].python = main_python
    for env in envs.values():
        if env.managed:
            env.python = VENVS_DIR / env.key / "bin" / "python"
    return envs


_QUERY = (
    "import importlib.metadata as m, json, platform, sys\n"
    "v = {}\n"
    "for d in sys.argv[1:]:\n"
    "    try:\n"
    "        v[d] = m.version(d)\n"
    "    except m.PackageNotFoundError:\n"
    "        v[d] = ''\n"
    "print(json.dumps({'python': platform.python_implementation() + ' ' + platform.python_version(),"
    " 'versions': v}))\n"
)


def _query(env: Env) -> None:
    """Fill in the env's Python and package versions; mark it ready if its packages are there."""
    env.ready, env.problem = False, ""
    if not env.python.exists():
        env.problem = f"no interpreter at {_rel(env.python)}"
        return
    proc = subprocess.run(
        [str(env.python), "-c", _QUERY, *env.dists],
        capture_output=True,
        text=True,
        timeout=CALL_TIMEOUT,
        check=False,
    )
    if proc.returncode != 0:
        env.problem = _first_error_line(proc.stderr) or f"exit status {proc.returncode}"
        return
    info = json.loads(proc.stdout)
    env.python_version, env.versions = info["python"], info["versions"]
    missing = [d for d in env.dists if not env.versions.get(d)]
    if missing:
        env.problem = f"{', '.join(missing)} not installed"
        return
    env.ready = True


def _base_python() -> str:
    # A venv made from inside another venv must start from the base interpreter.
    base = getattr(sys, "_base_executable", "") or sys.executable
    return base if Path(base).exists() else sys.executable


def setup_env(env: Env, verbose: bool) -> None:
    target = VENVS_DIR / env.key
    if verbose:
        print(f"setting up {_rel(target)}: pip install {' '.join(env.requirements)}", file=sys.stderr)
    if not env.python.exists():
        subprocess.run([_base_python(), "-m", "venv", str(target)], check=True)
    subprocess.run(
        [
            str(env.python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *env.requirements,
        ],
        check=True,
    )


def prepare_envs(envs: dict[str, Env], setup: bool, verbose: bool) -> None:
    for env in envs.values():
        _query(env)
        if env.ready or not env.managed:
            continue
        if setup:
            try:
                setup_env(env, verbose)
            except (OSError, subprocess.CalledProcessError) as exc:
                env.problem = f"--setup failed: {exc}"
                continue
            _query(env)
            if not env.ready:
                env.problem = f"--setup did not produce a working venv: {env.problem}"
        else:
            env.problem = (
                f"not set up: run this script with `--setup` (makes `{_rel(VENVS_DIR / env.key)}`, "
                f"`pip install {' '.join(env.requirements)}`)"
            )


# ---------------------------------------------------------------------- programs
@dataclass
class Program:
    key: str
    label: str
    file: str
    env: str
    args: tuple[str, ...]
    shown_args: str = ""  # how the command line is shown in the table, if not the args
    status: str = "ok"
    printed: str = ""
    verified: bool = False
    failures: int = 0  # timed runs that exited non-zero
    times_ms: list[float] = field(default_factory=list)

    @property
    def runnable(self) -> bool:
        return self.status == "ok"

    @property
    def minimum(self) -> float:
        return min(self.times_ms)

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    def command(self, envs: dict[str, Env]) -> list[str]:
        return [str(envs[self.env].python), str(PROGRAMS_DIR / self.file), *self.args]


def _programs() -> list[Program]:
    return [
        Program("bare", "bare Python (floor)", "bare.py", "main", ()),
        Program("pydantic", "pydantic + argparse", "pydantic_argparse.py", "main", ("--optim.lr", "0.01")),
        Program("floor", "pydantic alone (floor of a typed program)", "pydantic_floor.py", "main",
                ("optim.lr=0.01",)),
        Program(
            "hydra",
            "Hydra, structured config",
            "hydra_structured.py",
            "hydra",
            ("optim.lr=0.01", *HYDRA_QUIET),
            shown_args="optim.lr=0.01 (+ no-output flags)",
        ),
        Program("ato2", "ato 2.2.1, untyped", "ato2_untyped.py", "ato2", ("optim.lr=0.01",)),
        Program("ato_typed", "ato, typed (schema)", "ato_typed.py", "main", ("optim.lr=0.01",)),
        Program("ato_untyped", "ato, untyped", "ato_untyped.py", "main", ("optim.lr=0.01",)),
    ]


def _child_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}


def _first_error_line(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    if not lines:
        return ""
    # A traceback's first line says nothing; its last line names the exception.
    return lines[-1] if lines[0].startswith("Traceback") else lines[0]


def verify(prog: Program, envs: dict[str, Env], cwd: str, child_env: dict[str, str]) -> None:
    try:
        proc = subprocess.run(
            prog.command(envs),
            cwd=cwd,
            env=child_env,
            capture_output=True,
            text=True,
            timeout=CALL_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        prog.status = f"not runnable: no exit within {CALL_TIMEOUT} s"
        return
    if proc.returncode != 0:
        why = _first_error_line(proc.stderr) or f"exit status {proc.returncode}, nothing on stderr"
        prog.status = f"not runnable: {why}"
        return
    lines = [ln.strip() for ln in proc.stdout.splitlines() if ln.strip()]
    prog.printed = lines[-1] if lines else ""
    try:
        prog.verified = len(lines) == 1 and float(prog.printed) == EXPECTED_LR
    except ValueError:
        prog.verified = False


def _run_once(cmd: list[str], cwd: str, child_env: dict[str, str]) -> tuple[float, int]:
    start = time.perf_counter_ns()
    proc = subprocess.run(
        cmd, cwd=cwd, env=child_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    return (time.perf_counter_ns() - start) / 1e6, proc.returncode


def run(programs: list[Program], envs: dict[str, Env], runs: int, warmup: int, verbose: bool) -> list[str]:
    """Verify, warm up and time every program; return the files left in the temp dir, if any."""
    child_env = _child_env()
    with tempfile.TemporaryDirectory(prefix="ato-startup-") as cwd:
        for prog in programs:
            env = envs[prog.env]
            if not env.ready:
                prog.status = env.problem if env.managed else f"not runnable: {env.problem}"
                continue
            verify(prog, envs, cwd, child_env)
            if verbose:
                shown = prog.status if not prog.runnable else f"prints {prog.printed!r}"
                print(f"  {prog.key}: {shown}", file=sys.stderr)
        live = [p for p in programs if p.runnable]
        for prog in live:
            for _ in range(warmup):
                _run_once(prog.command(envs), cwd, child_env)
        if verbose:
            print(f"{len(live)} programs x {runs} interleaved runs", file=sys.stderr)
        for r in range(runs):
            start = r % len(live) if live else 0
            for prog in live[start:] + live[:start]:
                ms, rc = _run_once(prog.command(envs), cwd, child_env)
                prog.times_ms.append(ms)
                prog.failures += rc != 0
            if verbose and (r + 1) % 5 == 0:
                print(f"  round {r + 1}/{runs} done", file=sys.stderr)
        return sorted(str(p.relative_to(cwd)) for p in Path(cwd).rglob("*"))


# ---------------------------------------------------------------------- import check
@dataclass
class ImportCheck:
    statement: str
    ok: bool = False
    error: str = ""
    ato_ms: float = 0.0  # cumulative -X importtime of the ato modules imported at top level
    heavy: list[str] = field(default_factory=list)
    probe_error: str = ""  # why ``probe`` failed, when it did


def import_check(python: Path, statement: str, probe: str = "") -> ImportCheck:
    """Run ``statement`` under ``-X importtime``; ``probe`` checks that it imported the real thing.

    ``import ato.scope`` also "succeeds" on a bare directory (a namespace package), hence the probe.
    """
    res = ImportCheck(statement)
    proc = subprocess.run(
        [str(python), "-X", "importtime", "-c", statement],
        cwd=tempfile.gettempdir(),
        env=_child_env(),
        capture_output=True,
        text=True,
        timeout=CALL_TIMEOUT,
        check=False,
    )
    tops: set[str] = set()
    other: list[str] = []
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|( *)(\S+)", line)
        if m is None:
            other.append(line)
            continue
        name = m.group(4)
        tops.add(name.split(".")[0])
        if not m.group(3).removeprefix(" ") and (name == "ato" or name.startswith("ato.")):
            res.ato_ms += int(m.group(2)) / 1000
    res.heavy = [mod for mod in HEAVY_MODULES if mod in tops]
    res.ok = proc.returncode == 0
    if not res.ok:
        res.error = _first_error_line("\n".join(other)) or f"exit status {proc.returncode}"
    elif probe:
        check = subprocess.run(
            [str(python), "-c", probe],
            cwd=tempfile.gettempdir(),
            env=_child_env(),
            capture_output=True,
            text=True,
            timeout=CALL_TIMEOUT,
            check=False,
        )
        if check.returncode != 0:
            res.probe_error = f"`{probe}` fails: `{_first_error_line(check.stderr)}`"
    return res


# ---------------------------------------------------------------------- report
def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(REPO))
    except ValueError:
        return str(path)


def _fmt_ratio(x: float) -> str:
    return f"{x:.2f}x"


def table(programs: list[Program], envs: dict[str, Env]) -> str:
    by = {p.key: p for p in programs if p.runnable and p.times_ms}
    lines = [
        "| Program | Command line | Venv | Prints 0.01 | min ms | median ms "
        "| x pydantic + argparse | x Hydra |",
        "|---|---|---|---|---:|---:|---:|---:|",
    ]
    for prog in programs:
        args = prog.shown_args or " ".join(prog.args)
        cmd = f"`startup/{prog.file}{' ' + args if args else ''}`"
        venv = envs[prog.env].label
        if prog.key not in by:
            lines.append(f"| {prog.label} | {cmd} | {venv} | {prog.status} | | | | |")
            continue
        ok = "yes" if prog.verified else f"**NO** (printed {prog.printed!r})"
        if prog.failures:
            ok += f"; **{prog.failures} timed runs failed**"
        ratios = []
        for base in ("pydantic", "hydra"):
            ratios.append(_fmt_ratio(prog.median / by[base].median) if base in by else "n/a")
        lines.append(
            f"| {prog.label} | {cmd} | {venv} | {ok} | {prog.minimum:,.1f} | {prog.median:,.1f} | "
            f"{ratios[0]} | {ratios[1]} |"
        )
    return "\n".join(lines)


def verdict(programs: list[Program]) -> tuple[list[str], dict[str, float]]:
    by = {p.key: p for p in programs if p.runnable and p.times_ms}
    ratios: dict[str, float] = {}
    for a, b in (
        ("ato_typed", "pydantic"),
        ("ato_typed", "hydra"),
        ("ato_untyped", "ato2"),
        ("ato_untyped", "pydantic"),
        ("pydantic", "bare"),
        ("hydra", "pydantic"),
        ("floor", "hydra"),
        ("ato_typed", "floor"),
    ):
        if a in by and b in by:
            ratios[f"{a}/{b}"] = by[a].median / by[b].median
            ratios[f"{a}/{b} (min)"] = by[a].minimum / by[b].minimum

    target = (
        f'target "ato typed at most {TARGET_VS_PYDANTIC:g}x pydantic + argparse, and under half of Hydra"'
    )
    if "ato_typed/pydantic" in ratios and "ato_typed/hydra" in ratios:
        vp, vh = ratios["ato_typed/pydantic"], ratios["ato_typed/hydra"]
        met = vp <= TARGET_VS_PYDANTIC and vh < TARGET_VS_HYDRA
        aim = vp <= AIM_VS_PYDANTIC and vh <= AIM_VS_HYDRA
        typed = (
            f"**Verdict:** {target} {'MET' if met else 'NOT MET'}: typed ato's median is "
            f"{vp:.2f}x pydantic + argparse and {vh:.2f}x Hydra (the project's aim of "
            f"{AIM_VS_PYDANTIC:g}x and a third of Hydra {'met' if aim else 'not yet met'})."
        )
        if "floor/hydra" in ratios:
            typed += (
                f" Pydantic alone (the same models, no CLI code) takes {ratios['floor/hydra']:.2f}x "
                f"Hydra's median here, so no pydantic-typed program can be under half of Hydra on "
                f"this machine; typed ato adds {ratios.get('ato_typed/floor', float('nan')):.2f}x "
                "over that floor."
            )
    else:
        why = by.get("ato_typed") is None and _status(programs, "ato_typed")
        typed = f"**Verdict:** {target} NOT MEASURED: typed ato {why or 'or a peer was not measured'}."

    aim_text = 'longer aim "untyped ato starts faster than ato 2.2.1"'
    if "ato_untyped/ato2" in ratios:
        r = ratios["ato_untyped/ato2"]
        untyped = (
            f"**Aim:** {aim_text} {'MET' if r < 1 else 'NOT YET MET'}: untyped ato's median is "
            f"{r:.2f}x ato 2.2.1's."
        )
    else:
        missing = [k for k in ("ato_untyped", "ato2") if k not in by]
        why = "; ".join(f"{k}: {_status(programs, k)}" for k in missing)
        untyped = f"**Aim:** {aim_text} NOT MEASURED ({why})."
    return [typed, untyped], ratios


def _status(programs: list[Program], key: str) -> str:
    for p in programs:
        if p.key == key:
            return p.status if not p.runnable else "was not timed"
    return "unknown"


def import_lines(checks: list[ImportCheck]) -> list[str]:
    lines = []
    for c in checks:
        heavy = ", ".join(c.heavy) if c.heavy else "none"
        if c.ok:
            lines.append(
                f'- `python -X importtime -c "{c.statement}"` (project venv): the ato modules take '
                f"{c.ato_ms:,.1f} ms cumulative (as `-X importtime` reports them, which inflates); "
                f"of {', '.join(HEAVY_MODULES)} it imports: **{heavy}** (expected: none)."
            )
            if c.probe_error:
                lines[-1] += f" Not yet the real module: {c.probe_error}."
        else:
            lines.append(
                f'- `python -X importtime -c "{c.statement}"` (project venv): fails '
                f"(`{c.error}`); of {', '.join(HEAVY_MODULES)} it had imported: {heavy}."
            )
    return lines


def _v(env: Env, dist: str) -> str:
    return env.versions.get(dist) or "not installed"


def section(
    programs: list[Program],
    envs: dict[str, Env],
    checks: list[ImportCheck],
    leftovers: list[str],
    argv: list[str],
    *,
    runs: int,
    warmup: int,
) -> tuple[str, dict[str, float]]:
    cmd = reproduce_command("bench_startup.py", argv, "--setup", "--write")
    main, hydra, ato2 = envs["main"], envs["hydra"], envs["ato2"]
    pythons = {e.python_version for e in envs.values() if e.python_version}
    verdict_lines, ratios = verdict(programs)
    lines = [
        SECTION,
        "",
        "A hello-world training entry point (five config fields, one of them a nested `optim` with",
        "`lr`; one command-line override of `optim.lr` to 0.01; prints it once), timed as a whole",
        f"process: wall-clock ms per run, min and median over {runs} runs interleaved round-robin",
        f"across the programs after {warmup} warm-up runs each, from a temporary working directory.",
        f"Ratios are of medians, in the same run. Hydra also gets `{' '.join(HYDRA_QUIET)}`",
        "so that it writes no output directory and no log file.",
        "",
        date_line(),
        f"- Python: {', '.join(sorted(pythons)) or platform.python_version()} "
        "(every venv made from the same base interpreter)",
        machine_line(),
        f"- Versions: ato {_v(main, 'ato')}{git_rev()}, pydantic {_v(main, 'pydantic')}, "
        f"hydra-core {_v(hydra, 'hydra-core')} (omegaconf {_v(hydra, 'omegaconf')}), "
        f"ato {_v(ato2, 'ato')} (the original library)",
        f"- Reproduce: `pip install -e .` then `{cmd}` (`--setup` makes `benchmarks/.venvs/hydra` "
        "and `benchmarks/.venvs/ato2` if they are missing)",
        "",
        table(programs, envs),
        "",
        verdict_lines[0],
        "",
        verdict_lines[1],
        "",
        "Imports of the new package (DESIGN section 2: `import ato.scope` must not import SQLAlchemy,",
        "NumPy, torch, YAML or toml, nor pydantic until a schema is given):",
        "",
        *import_lines(checks),
    ]
    if leftovers:
        lines += ["", f"Note: the programs left files in the working directory: {', '.join(leftovers)}."]
    return "\n".join(lines) + "\n", ratios


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"update {SECTION!r} in RESULTS.md")
    parser.add_argument(
        "--setup", action="store_true", help="create the missing peer venvs under benchmarks/.venvs/"
    )
    parser.add_argument("-n", "--runs", type=int, default=20, help="timed runs per program (20)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs per program first (2)")
    parser.add_argument(
        "--python",
        type=Path,
        default=Path(sys.executable),
        help="interpreter with the new ato and pydantic (default: the one running this script)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    verbose = not args.quiet
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    envs = _make_envs(args.python)
    prepare_envs(envs, args.setup, verbose)
    programs = _programs()
    leftovers = run(programs, envs, args.runs, max(0, args.warmup), verbose)
    checks = [import_check(args.python, "import ato.scope", probe="from ato.scope import Scope")]
    if not checks[0].ok or checks[0].probe_error:
        checks.append(import_check(args.python, "import ato"))

    kept = [a for a in argv if a not in {"--write", "-q", "--quiet", "--setup"}]
    text, ratios = section(
        programs, envs, checks, leftovers, kept, runs=args.runs, warmup=max(0, args.warmup)
    )
    print(text)
    if ratios:
        print(
            "Exact ratios (medians, then minima): " + ", ".join(f"{k} = {v:.4f}" for k, v in ratios.items())
        )
    if args.write:
        write_results(SECTION, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
