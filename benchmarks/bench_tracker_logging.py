"""Tracker logging: metric points per second into a fresh SQLite file (issue 6).

One run logs ``--points`` (200,000) metric points, two keys (``loss``, ``accuracy``) over
100,000 steps, into a fresh SQLite file in a temporary directory (on the same disk as the
checkout, so commits pay a real ``fsync``). The sides:

* raw ``sqlite3`` ``executemany`` of the prebuilt rows in ONE transaction into a table of the
  same shape as the new ato's ``metrics`` (its six columns and four secondary indexes): the
  limit; and the same into the bare table (no secondary index), for context;
* raw ``sqlite3`` with one ``COMMIT`` per point, into the same table: what ato 2.2.1 does;
* ato 2.2.1's ``SQLLogger.log_metric`` (a commit per point), in ``benchmarks/.venvs/ato2``;
* MLflow with a SQLite backend store (``mlflow.set_tracking_uri("sqlite:///...")``), in
  ``benchmarks/.venvs/mlflow`` (``mlflow-skinny`` with SQLAlchemy, alembic and sqlparse, which
  its SQL store needs): ``mlflow.log_metric`` per point, and ``MlflowClient.log_batch`` of 1000
  ``Metric`` objects a call;
* the new ato's ``SQLLogger.log_metric`` per point (buffered) and ``log_metrics`` (one mapping of
  both keys per step), each followed by ``finish()``, whose flush is part of the time.

The sides that commit every point (raw per-commit, ato 2.2.1, MLflow ``log_metric``) log
``--slow-points`` (2,000) points instead; the count is stated in every row, and rates are
points per second. The venvs are made by ``--setup`` as ``bench_startup.py`` makes its own.

Method: every side runs in a fresh child process (``_tracker_worker.py log``), in its venv, on a
fresh file; it imports its library, sets up (engine, logger, run; reported separately), then
times the logging calls and the call that makes the points durable (``finish()``,
``end_run()``, ``COMMIT``). Afterwards it counts the rows in ``metrics`` on a new connection,
which must equal the points logged. ``--repeat`` (5) rounds, the sides taking turns in an
order that rotates each round. Reported: min and median seconds (logging + finish), points/s
of the median, ratios to ato 2.2.1 and to raw ``executemany``. A side whose child fails is
reported as "not runnable: <reason>".

Targets (issue 6): the new ato's ``log_metric`` at least 100x ato 2.2.1 (points/s), and within
3x of raw ``executemany``; DESIGN section 8 aims at half the raw rate.

Run ``python benchmarks/bench_tracker_logging.py --setup`` to print a Markdown section; add
``--write`` to replace (or insert) ``## Tracker logging (issue 6)`` in ``benchmarks/RESULTS.md``.
Standard library only.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import date_line, git_rev, machine_line, reproduce_command, write_results
from bench_startup import VENVS_DIR, Env, _child_env, _first_error_line, prepare_envs

SECTION = "## Tracker logging (issue 6)"
HERE = Path(__file__).resolve().parent
WORKER = HERE / "_tracker_worker.py"
TARGET_VS_ATO2 = 100.0  # issue 6: the new ato at least 100x ato 2.2.1 (points/s) ...
TARGET_VS_RAW = 3.0  # ... and within 3x of raw executemany
AIM_VS_RAW = 2.0  # DESIGN section 8: logging at half the raw executemany rate
CALL_TIMEOUT = 1800  # seconds for one child; MLflow's log_batch of 200k points takes ~40 s
MLFLOW_REQUIREMENTS = ("mlflow-skinny", "sqlalchemy", "alembic", "sqlparse")


def make_envs(main_python: Path, mlflow: bool = True) -> dict[str, Env]:
    envs = {
        "main": Env("main", "project venv", dists=("ato", "SQLAlchemy")),
        "ato2": Env("ato2", "`.venvs/ato2`", requirements=("ato==2.2.1",), dists=("ato", "SQLAlchemy")),
    }
    if mlflow:
        envs["mlflow"] = Env(
            "mlflow",
            "`.venvs/mlflow`",
            requirements=MLFLOW_REQUIREMENTS,
            dists=("mlflow-skinny", "SQLAlchemy", "alembic"),
        )
    envs["main"].python = main_python
    for env in envs.values():
        if env.managed:
            env.python = VENVS_DIR / env.key / "bin" / "python"
    return envs


@dataclass
class Side:
    key: str  # the worker's side name
    label: str
    env: str
    points: int
    status: str = "ok"
    runs: list[dict[str, Any]] = field(default_factory=list)
    bad_rows: list[int] = field(default_factory=list)  # row counts that were not `points`

    @property
    def runnable(self) -> bool:
        return self.status == "ok"

    def median(self, what: str) -> float:
        return statistics.median(r[what] for r in self.runs)

    @property
    def totals(self) -> list[float]:
        return [r["log_s"] + r["finish_s"] for r in self.runs]

    @property
    def rate(self) -> float:
        """Points per second of the median run."""
        return self.points / statistics.median(self.totals)

    @property
    def best_rate(self) -> float:
        return self.points / min(self.totals)


def make_sides(points: int, slow: int, mlflow_batch: int) -> list[Side]:
    return [
        Side("raw-batch", "raw sqlite3 `executemany`, one transaction (the limit)", "main", points),
        Side("raw-batch-bare", "raw sqlite3 `executemany`, one transaction, no secondary index",
             "main", points),
        Side("raw-commit", "raw sqlite3, one `COMMIT` per point", "main", slow),
        Side("ato2", "ato 2.2.1 `log_metric` (a commit per point)", "ato2", slow),
        Side("mlflow", "MLflow `log_metric` per point", "mlflow", slow),
        Side("mlflow-batch", "MLflow `log_batch`, 1000 a call", "mlflow", mlflow_batch),
        Side("ato", "**ato `log_metric` per point + `finish()`**", "main", points),
        Side("ato-batch", "ato `log_metrics` (both keys per step) + `finish()`", "main", points),
    ]


def worker_env(side: Side) -> dict[str, str]:
    env = _child_env()
    if side.env == "mlflow":
        # No network use by MLflow's usage telemetry during the timing.
        env["MLFLOW_DISABLE_TELEMETRY"] = "true"
        env["DO_NOT_TRACK"] = "true"
    return env


def run_once(side: Side, env: Env, tmp_root: Path, index: int) -> None:
    work = tmp_root / f"{side.key}-{index}"
    work.mkdir()
    db = work / "bench.db"
    try:
        proc = subprocess.run(
            [str(env.python), str(WORKER), "log", side.key, str(db), str(side.points)],
            cwd=work,
            env=worker_env(side),
            capture_output=True,
            text=True,
            timeout=CALL_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        side.status = f"not runnable: no exit within {CALL_TIMEOUT} s"
        side.runs.clear()
        return
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if proc.returncode != 0:
        why = _first_error_line(proc.stderr) or f"exit status {proc.returncode}"
        side.status = f"not runnable: {why}" if not side.runs else f"failed in run {index + 1}: {why}"
        side.runs.clear()
        return
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    result = json.loads(lines[-1])
    side.runs.append(result)
    if result["rows"] != side.points:
        side.bad_rows.append(result["rows"])


def measure(sides: list[Side], envs: dict[str, Env], repeat: int, verbose: bool) -> None:
    for side in sides:
        env = envs.get(side.env)
        if env is None:
            side.status = "skipped (--no-mlflow)"
        elif not env.ready:
            side.status = env.problem if env.managed else f"not runnable: {env.problem}"
    with tempfile.TemporaryDirectory(prefix="ato-tracker-log-") as tmp:
        for r in range(repeat):
            live = [s for s in sides if s.runnable]
            if not live:
                break
            start = r % len(live)
            for side in live[start:] + live[:start]:
                run_once(side, envs[side.env], Path(tmp), r)
                if verbose:
                    shown = (
                        f"{side.points / (side.runs[-1]['log_s'] + side.runs[-1]['finish_s']):,.0f} points/s"
                        if side.runnable
                        else side.status
                    )
                    print(f"  round {r + 1}/{repeat} {side.key}: {shown}", file=sys.stderr)


# ---------------------------------------------------------------------- report
def _s(x: float) -> str:
    return f"{x:,.3f}" if x < 10 else f"{x:,.1f}"


def _rate(x: float) -> str:
    return f"{x:,.0f}"


def table(sides: list[Side], envs: dict[str, Env]) -> str:
    by = {s.key: s for s in sides if s.runnable and s.runs}
    lines = [
        "| Side | Venv | Points | Rows in file | Journal | Import s | Setup s | min s | median s "
        "| of which finish s | points/s (median) | points/s (best) | x ato 2.2.1 | raw executemany / this |",
        "|---|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for side in sides:
        venv = envs[side.env].label if side.env in envs else side.env
        if side.key not in by:
            lines.append(f"| {side.label} | {venv} | {side.points:,} | {side.status} |" + " |" * 10)
            continue
        rows = "all" if not side.bad_rows else f"**{side.bad_rows[0]:,} of {side.points:,}**"
        journal = "/".join(sorted({r.get("journal", "?") for r in side.runs}))
        vs_ato2 = f"{side.rate / by['ato2'].rate:,.1f}x" if "ato2" in by else "n/a"
        vs_raw = f"{by['raw-batch'].rate / side.rate:,.2f}" if "raw-batch" in by else "n/a"
        lines.append(
            f"| {side.label} | {venv} | {side.points:,} | {rows} | {journal} "
            f"| {_s(side.median('import_s'))} | {_s(side.median('setup_s'))} "
            f"| {_s(min(side.totals))} | {_s(statistics.median(side.totals))} "
            f"| {_s(side.median('finish_s'))} | {_rate(side.rate)} | {_rate(side.best_rate)} "
            f"| {vs_ato2} | {vs_raw} |"
        )
    return "\n".join(lines)


def verdict(sides: list[Side]) -> tuple[list[str], dict[str, float]]:
    by = {s.key: s for s in sides if s.runnable and s.runs and not s.bad_rows}
    status = {s.key: s.status if not s.runnable else ("row count wrong" if s.bad_rows else "not timed")
              for s in sides}
    ratios: dict[str, float] = {}
    for a, b in (("ato", "ato2"), ("ato-batch", "ato2"), ("raw-batch", "ato"), ("raw-batch", "ato-batch"),
                 ("ato", "mlflow-batch"), ("raw-batch", "ato2"), ("raw-commit", "ato2")):
        if a in by and b in by:
            ratios[f"{a}/{b}"] = by[a].rate / by[b].rate
    target = (
        f'target "the new ato\'s `log_metric` at least {TARGET_VS_ATO2:g}x ato 2.2.1 (points/s) and within '
        f'{TARGET_VS_RAW:g}x of raw `executemany`"'
    )
    if "ato/ato2" in ratios and "raw-batch/ato" in ratios:
        va, vr = ratios["ato/ato2"], ratios["raw-batch/ato"]
        met = va >= TARGET_VS_ATO2 and vr <= TARGET_VS_RAW
        text = (
            f"**Verdict:** {target} {'MET' if met else 'NOT MET'}: `log_metric` per point, `finish()` "
            f"included, logs {by['ato'].rate:,.0f} points/s, {va:,.0f}x ato 2.2.1 "
            f"({'met' if va >= TARGET_VS_ATO2 else 'not met'}) and 1/{vr:.2f} of raw `executemany` "
            f"({'met' if vr <= TARGET_VS_RAW else 'not met'}); the aim of half the raw rate is "
            f"{'met' if vr <= AIM_VS_RAW else 'not yet met'}."
        )
        if "raw-batch/ato-batch" in ratios:
            text += (
                f" `log_metrics`: {by['ato-batch'].rate:,.0f} points/s, 1/{ratios['raw-batch/ato-batch']:.2f}"
                " of raw."
            )
    else:
        missing = [k for k in ("ato", "ato2", "raw-batch") if k not in by]
        text = (
            f"**Verdict:** {target} NOT MEASURED ("
            + "; ".join(f"{k}: {status[k]}" for k in missing)
            + ")."
        )
    return [text], ratios


def _v(env: Env | None, dist: str) -> str:
    if env is None:
        return "not used"
    return env.versions.get(dist) or "not installed"


def section(
    sides: list[Side], envs: dict[str, Env], argv: list[str], repeat: int
) -> tuple[str, dict[str, float]]:
    by = {s.key: s for s in sides}
    main_env, ato2, ml = envs["main"], envs["ato2"], envs.get("mlflow")
    verdict_lines, ratios = verdict(sides)
    pythons = {e.python_version for e in envs.values() if e.python_version}
    cmd = reproduce_command("bench_tracker_logging.py", argv, "--setup", "--write")
    lines = [
        SECTION,
        "",
        f"One run logs {by['ato'].points:,} metric points (`loss` and `accuracy` over",
        f"{by['ato'].points // 2:,} steps) into a fresh SQLite file on the checkout's disk. Each side",
        "runs in its own child process and venv, times in-process after its imports and set-up (both",
        "shown apart), and the time includes what makes the points durable (`finish()`, `end_run()`,",
        f"`COMMIT`); the rows are then counted in the file. {repeat} rounds, the sides taking turns in",
        "a rotating order; seconds are logging + finish, min and median. The sides that commit every",
        f"point log {by['ato2'].points:,} points (see the Points column); rates are points/s of the",
        "median run, and ratios are of those rates. The raw tables have the new",
        "ato's `metrics` shape (six columns; indexes on `run_id`, `key`, `(key, value)`,",
        "`(run_id, key, step)`), except the bare one (primary key only); rows are prebuilt.",
        "",
        date_line(),
        f"- Python: {', '.join(sorted(pythons)) or platform.python_version()} "
        f"(every venv made from the same base interpreter), SQLite {sqlite3.sqlite_version}",
        machine_line(),
        f"- Versions: ato {_v(main_env, 'ato')}{git_rev()} (SQLAlchemy {_v(main_env, 'SQLAlchemy')}), "
        f"ato {_v(ato2, 'ato')} (SQLAlchemy {_v(ato2, 'SQLAlchemy')}), mlflow-skinny "
        f"{_v(ml, 'mlflow-skinny')} (SQLAlchemy {_v(ml, 'SQLAlchemy')}, alembic {_v(ml, 'alembic')})",
        f"- Reproduce: `pip install -e .` then `{cmd}` (`--setup` makes `benchmarks/.venvs/ato2` "
        f"and `benchmarks/.venvs/mlflow` (`pip install {' '.join(MLFLOW_REQUIREMENTS)}`) if missing)",
        "",
        table(sides, envs),
        "",
        *verdict_lines,
    ]
    return "\n".join(lines) + "\n", ratios


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"update {SECTION!r} in RESULTS.md")
    parser.add_argument(
        "--setup", action="store_true", help="create the missing venvs under benchmarks/.venvs/"
    )
    parser.add_argument("--points", type=int, default=200_000, help="points per run (200000)")
    parser.add_argument(
        "--slow-points", type=int, default=2_000,
        help="points for the sides that commit every point (2000)",
    )
    parser.add_argument(
        "--mlflow-batch-points", type=int, default=None, help="points for MLflow log_batch (--points)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="rounds (5)")
    parser.add_argument("--no-mlflow", action="store_true", help="leave MLflow out")
    parser.add_argument(
        "--python", type=Path, default=Path(sys.executable),
        help="interpreter with the new ato (default: the one running this script)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    counts = (args.points, args.slow_points, args.mlflow_batch_points or args.points)
    if args.repeat < 1 or any(c < 2 or c % 2 for c in counts):
        parser.error("--repeat must be at least 1 and every point count an even number >= 2")
    verbose = not args.quiet

    envs = make_envs(args.python, mlflow=not args.no_mlflow)
    prepare_envs(envs, args.setup, verbose)
    sides = make_sides(*counts)
    measure(sides, envs, args.repeat, verbose)

    kept = [a for a in argv if a not in {"--write", "-q", "--quiet", "--setup"}]
    text, ratios = section(sides, envs, kept, args.repeat)
    print(text)
    if ratios:
        print("Exact ratios (of median rates): " + ", ".join(f"{k} = {v:.4f}" for k, v in ratios.items()))
    if args.write:
        write_results(SECTION, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
