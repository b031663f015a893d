"""Tracker queries: ``find_best_run`` and ``find_similar_runs`` over 10,000 runs (issue 6).

Two SQLite databases hold the same data: one project of ``--runs`` (10,000) runs with
``--points-per-run`` (50) metric points each (``val_accuracy`` and ``loss``, 25 steps each;
500,000 rows), every run with a JSON config and one of ``--structures`` (100) structural
hashes, so that ``find_similar_runs`` finds 99 runs. One database has the new ato's tables,
made by ``ato.tracker._engine.ensure_schema(get_engine(url))`` (or, while that is missing, by one
``SQLLogger`` run in a project of its own); the other has ato 2.2.1's, made by its
``Base.metadata.create_all`` in ``benchmarks/.venvs/ato2`` (``--setup`` makes it, as
``bench_startup.py`` does). Both are then filled by this script with ``sqlite3``
``executemany`` (the same rows, in run order), since logging 500,000 points through ato 2.2.1
would take minutes.

Method: for each library a child process (``_tracker_worker.py query``, in its venv) makes
``SQLFinder(config)``, calls each query once untimed, then ``--calls`` (20) times
``find_best_run('bench', 'val_accuracy', 'max')`` and ``--calls`` times
``find_similar_runs(run_id)``, timing each call. ``--rounds`` (3) rounds, the two taking turns;
min and median ms over all timed calls. Each result is checked: the best run is the one whose
``val_accuracy`` was made the highest, the similar runs are exactly the other runs of its
structure, and ``run.config`` reads after the query returned. For scale, the same SQL as ato
2.2.1's two queries is also timed in this process with ``sqlite3`` on each database.

Target (issue 6): both queries under 50 ms for the new ato; DESIGN section 8 aims at
single-digit milliseconds for best-run queries.

Run ``python benchmarks/bench_tracker_queries.py --setup`` to print a Markdown section; add
``--write`` to replace (or insert) ``## Tracker queries (issue 6)`` in ``benchmarks/RESULTS.md``.
Standard library only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import date_line, git_rev, machine_line, reproduce_command, write_results
from bench_startup import _child_env, _first_error_line, prepare_envs
from bench_tracker_logging import make_envs

SECTION = "## Tracker queries (issue 6)"
HERE = Path(__file__).resolve().parent
WORKER = HERE / "_tracker_worker.py"
PROJECT = "bench"
KEY = "val_accuracy"
OTHER_KEY = "loss"
TARGET_MS = 50.0  # issue 6: both queries under 50 ms for the new ato
AIM_MS = 10.0  # DESIGN section 8: best-run queries in single-digit milliseconds
CALL_TIMEOUT = 900
EPOCH = dt.datetime(2026, 1, 1)

# ato 2.2.1's two queries, as SQLAlchemy emits them in substance (the ORM selects every column).
RAW_BEST = (
    "SELECT experiments.* FROM experiments JOIN metrics ON experiments.id = metrics.run_id "
    'WHERE experiments.project_id = ? AND metrics."key" = ? ORDER BY metrics.value DESC LIMIT 1'
)
RAW_SIMILAR_HASH = "SELECT structural_hash FROM experiments WHERE id = ?"
RAW_SIMILAR = "SELECT * FROM experiments WHERE structural_hash = ? AND id != ?"


# ---------------------------------------------------------------------- data
@dataclass
class Data:
    runs: int
    points_per_run: int
    structures: int
    best_index: int
    similar_index: int
    experiments: list[dict[str, Any]]
    metrics: list[tuple[int, str, float, int]]  # (run index, key, value, step)


def _ts(seconds: float) -> str:
    return (EPOCH + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S.%f")


def make_data(runs: int, points_per_run: int, structures: int, seed: int = 6) -> Data:
    rng = random.Random(seed)
    steps = points_per_run // 2
    best_index, similar_index = runs * 7 // 10, runs // 3
    models = ("resnet18", "resnet50", "vit_b16", "convnext_t")
    experiments, metrics = [], []
    for i in range(runs):
        g = i % structures
        config = {
            "experiment": {"project_name": PROJECT, "sql": {"db_path": "sqlite:///experiments.db"}},
            "lr": round(10 ** rng.uniform(-5, -1), 8),
            "batch_size": rng.choice((32, 64, 128, 256)),
            "model": rng.choice(models),
            f"arch_{g}": {"depth": rng.randint(2, 50), "width": rng.choice((64, 128, 256))},
        }
        experiments.append(
            {
                "config": json.dumps(config),
                "structural_hash": hashlib.sha256(f"structure-{g}".encode()).hexdigest(),
                "tags": json.dumps(["sweep", config["model"]]),
                "status": "completed",
                "start_time": _ts(i * 60),
                "end_time": _ts(i * 60 + 55),
            }
        )
        top = rng.uniform(0.5, 0.98)
        for s in range(steps):
            acc = top * (s + 1) / steps
            if i == best_index and s == steps - 1:
                acc = 0.995  # the one highest val_accuracy
            metrics.append((i, KEY, acc, s))
            metrics.append((i, OTHER_KEY, rng.uniform(0.05, 3.0), s))
    return Data(runs, points_per_run, structures, best_index, similar_index, experiments, metrics)


def _columns(con: sqlite3.Connection, table: str) -> dict[str, tuple[bool, bool]]:
    """``{column: (required, primary key)}``; required: NOT NULL without a default."""
    out = {}
    for _cid, name, _type, notnull, default, pk in con.execute(f"PRAGMA table_info({table})"):
        out[name] = (bool(notnull) and default is None and not pk, bool(pk))
    if not out:
        raise RuntimeError(f"no table {table!r}")
    return out


def _insert(con: sqlite3.Connection, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    have = _columns(con, table)
    unknown = [c for c in columns if c not in have]
    missing = [c for c, (required, _pk) in have.items() if required and c not in columns]
    if unknown or missing:
        raise RuntimeError(
            f"cannot fill {table!r}: columns unknown here {unknown}, required but not filled {missing}"
        )
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    con.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


@dataclass
class Database:
    key: str  # "ato" or "ato2": whose schema
    path: Path
    schema_how: str = ""
    problem: str = ""
    project_id: int = 0
    run_ids: list[int] = field(default_factory=list)
    fill_s: float = 0.0

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def expected_best(self, data: Data) -> int:
        return self.run_ids[data.best_index]

    def expected_similar(self, data: Data) -> list[int]:
        g = data.similar_index % data.structures
        return sorted(
            self.run_ids[i] for i in range(data.runs) if i % data.structures == g and i != data.similar_index
        )


def fill(db: Database, data: Data) -> None:
    start = time.perf_counter()
    con = sqlite3.connect(db.path)
    try:
        with con:
            cur = con.execute(
                "INSERT INTO projects (name, created_at) VALUES (?, ?)", (PROJECT, _ts(0))
            )
            db.project_id = int(cur.lastrowid or 0)
            base = con.execute("SELECT COALESCE(MAX(id), 0) FROM experiments").fetchone()[0]
            db.run_ids = [base + 1 + i for i in range(data.runs)]
            cols = list(data.experiments[0])
            _insert(
                con,
                "experiments",
                ["id", "project_id", *cols],
                [
                    (db.run_ids[i], db.project_id, *(e[c] for c in cols))
                    for i, e in enumerate(data.experiments)
                ],
            )
            _insert(
                con,
                "metrics",
                ["run_id", "key", "value", "step", "timestamp"],
                [(db.run_ids[i], k, v, s, _ts(i * 60 + s)) for i, k, v, s in data.metrics],
            )
    finally:
        con.close()
    db.fill_s = time.perf_counter() - start


def make_schema(db: Database, python: Path) -> None:
    proc = subprocess.run(
        [str(python), str(WORKER), "schema", db.key, db.url],
        cwd=db.path.parent,
        env=_child_env(),
        capture_output=True,
        text=True,
        timeout=CALL_TIMEOUT,
        check=False,
    )
    if proc.returncode != 0:
        db.problem = f"not runnable: {_first_error_line(proc.stderr) or f'exit status {proc.returncode}'}"
        return
    db.schema_how = json.loads(proc.stdout.splitlines()[-1])["how"]


# ---------------------------------------------------------------------- timing
@dataclass
class Side:
    key: str
    label: str
    db: Database
    status: str = "ok"
    best_ms: list[float] = field(default_factory=list)
    similar_ms: list[float] = field(default_factory=list)
    import_s: list[float] = field(default_factory=list)
    setup_s: list[float] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)  # what was wrong in a result, if anything

    @property
    def timed(self) -> bool:
        return self.status == "ok" and bool(self.best_ms)


def query_once(side: Side, python: Path, data: Data, calls: int) -> None:
    db = side.db
    run_id = db.run_ids[data.similar_index]
    try:
        proc = subprocess.run(
            [str(python), str(WORKER), "query", side.key, db.url, PROJECT, KEY, str(run_id), str(calls)],
            cwd=db.path.parent,
            env=_child_env(),
            capture_output=True,
            text=True,
            timeout=CALL_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        side.status = f"not runnable: no exit within {CALL_TIMEOUT} s"
        return
    if proc.returncode != 0:
        why = _first_error_line(proc.stderr) or f"exit status {proc.returncode}"
        side.status = f"not runnable: {why}"
        return
    out = json.loads(proc.stdout.splitlines()[-1])
    side.best_ms += out["best_ms"]
    side.similar_ms += out["similar_ms"]
    side.import_s.append(out["import_s"])
    side.setup_s.append(out["setup_s"])
    if out["best_id"] != db.expected_best(data):
        side.checks.append(f"best run {out['best_id']!r}, expected {db.expected_best(data)}")
    if not out["best_config_ok"]:
        side.checks.append("`run.config.lr` does not read on the returned run")
    expected = db.expected_similar(data)
    if out["similar_ids"] != expected:
        side.checks.append(f"{len(out['similar_ids'])} similar runs, expected {len(expected)}")


def raw_once(side: Side, data: Data, calls: int) -> None:
    db = side.db
    run_id = db.run_ids[data.similar_index]
    con = sqlite3.connect(db.path)
    try:
        best = con.execute(RAW_BEST, (db.project_id, KEY)).fetchone()  # warm-up
        for _ in range(calls):
            s = time.perf_counter()
            best = con.execute(RAW_BEST, (db.project_id, KEY)).fetchone()
            side.best_ms.append((time.perf_counter() - s) * 1000)
        similar: list[Any] = []
        for _ in range(calls + 1):
            s = time.perf_counter()
            (h,) = con.execute(RAW_SIMILAR_HASH, (run_id,)).fetchone()
            similar = con.execute(RAW_SIMILAR, (h, run_id)).fetchall()
            side.similar_ms.append((time.perf_counter() - s) * 1000)
        side.similar_ms.pop(-calls - 1)  # the first, a warm-up
    finally:
        con.close()
    if best[0] != db.expected_best(data):
        side.checks.append(f"best run {best[0]}, expected {db.expected_best(data)}")
    if sorted(r[0] for r in similar) != db.expected_similar(data):
        side.checks.append(f"{len(similar)} similar runs")


def measure(sides: list[Side], pythons: dict[str, Path], data: Data, rounds: int, calls: int,
            verbose: bool) -> None:
    for r in range(rounds):
        live = [s for s in sides if s.status == "ok"]
        if not live:
            return
        start = r % len(live)
        for side in live[start:] + live[:start]:
            if side.key.startswith("raw"):
                raw_once(side, data, calls)
            else:
                query_once(side, pythons[side.key], data, calls)
            if verbose:
                shown = (
                    f"best {statistics.median(side.best_ms):,.2f} ms, "
                    f"similar {statistics.median(side.similar_ms):,.2f} ms"
                    if side.timed
                    else side.status
                )
                print(f"  round {r + 1}/{rounds} {side.key}: {shown}", file=sys.stderr)


# ---------------------------------------------------------------------- report
def _ms(x: float) -> str:
    return f"{x:,.3f}" if x < 1 else f"{x:,.2f}" if x < 100 else f"{x:,.0f}"


def table(sides: list[Side]) -> str:
    lines = [
        "| Side | Schema | Import s | Setup ms | find_best_run min ms | median ms "
        "| find_similar_runs min ms | median ms | Results right |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for side in sides:
        schema = "new ato" if side.db.key == "ato" else "ato 2.2.1"
        if not side.timed:
            lines.append(f"| {side.label} | {schema} | | | | | | | {side.status} |")
            continue
        imp = _ms(statistics.median(side.import_s)) if side.import_s else "-"
        setup = _ms(statistics.median(side.setup_s) * 1000) if side.setup_s else "-"
        right = "yes" if not side.checks else "**NO**: " + "; ".join(sorted(set(side.checks)))
        lines.append(
            f"| {side.label} | {schema} | {imp} | {setup} | {_ms(min(side.best_ms))} "
            f"| {_ms(statistics.median(side.best_ms))} | {_ms(min(side.similar_ms))} "
            f"| {_ms(statistics.median(side.similar_ms))} | {right} |"
        )
    return "\n".join(lines)


def _versus(ratio: float) -> str:
    """``ratio`` = ato 2.2.1's median / the new ato's, as "N.Nx faster" or "N.Nx slower"."""
    return f"{ratio:,.1f}x faster" if ratio >= 1 else f"{1 / ratio:,.1f}x slower"


def verdict(sides: dict[str, Side]) -> tuple[list[str], dict[str, float]]:
    ato, ato2 = sides["ato"], sides["ato2"]
    ratios: dict[str, float] = {}
    if ato.timed and ato2.timed:
        ratios["ato2/ato best"] = statistics.median(ato2.best_ms) / statistics.median(ato.best_ms)
        ratios["ato2/ato similar"] = statistics.median(ato2.similar_ms) / statistics.median(ato.similar_ms)
    target = f'target "find_best_run and find_similar_runs each under {TARGET_MS:g} ms for the new ato"'
    if not ato.timed:
        return [f"**Verdict:** {target} NOT MEASURED (ato: {ato.status})."], ratios
    best, similar = statistics.median(ato.best_ms), statistics.median(ato.similar_ms)
    met = best < TARGET_MS and similar < TARGET_MS and not ato.checks
    text = (
        f"**Verdict:** {target} {'MET' if met else 'NOT MET'}: medians {_ms(best)} ms and "
        f"{_ms(similar)} ms"
    )
    if ratios:
        text += (
            f" ({_versus(ratios['ato2/ato best'])} and {_versus(ratios['ato2/ato similar'])} than ato 2.2.1"
            " on its own schema)"
        )
    else:
        text += f" (ato 2.2.1: {ato2.status})"
    text += (
        f"; the aim of single-digit ms for best-run queries is {'met' if best < AIM_MS else 'not yet met'}."
    )
    if ato.checks:
        text += " Results were wrong: " + "; ".join(sorted(set(ato.checks))) + "."
    return [text], ratios


def section(sides: list[Side], envs: dict[str, Any], data: Data, dbs: dict[str, Database], argv: list[str],
            rounds: int, calls: int) -> tuple[str, dict[str, float]]:
    by = {s.key: s for s in sides}
    verdict_lines, ratios = verdict(by)
    main_env, ato2_env = envs["main"], envs["ato2"]
    pythons = {e.python_version for e in envs.values() if e.python_version}
    cmd = reproduce_command("bench_tracker_queries.py", argv, "--setup", "--write")
    per_structure = data.runs // data.structures
    made = "; ".join(
        f"{'new ato' if k == 'ato' else 'ato 2.2.1'}: "
        + (f"tables by {db.schema_how}, filled in {db.fill_s:,.1f} s" if not db.problem else db.problem)
        for k, db in dbs.items()
    )
    lines = [
        SECTION,
        "",
        f"One project of {data.runs:,} runs x {data.points_per_run} metric points (`{KEY}` and",
        f"`{OTHER_KEY}`, {data.points_per_run // 2} steps each: {len(data.metrics):,} rows), each run with a",
        f"JSON config and one of {data.structures} structural hashes ({per_structure} runs each), in",
        "SQLite: the same rows in a database with the new ato's tables and in one with ato 2.2.1's,",
        "filled with `sqlite3` `executemany`. Each library queries its own database from a child",
        f"process in its venv: `find_best_run('{PROJECT}', '{KEY}', 'max')` and",
        f"`find_similar_runs(run_id)` ({per_structure - 1} runs found), one untimed call each, then",
        f"{calls} timed calls each; {rounds} rounds taken in turn; min and median ms over all calls.",
        "Results are checked (the planted best run, the exact similar runs, `run.config` readable).",
        "The raw rows run ato 2.2.1's SQL through `sqlite3` in the parent process, for scale.",
        "",
        date_line(),
        f"- Python: {', '.join(sorted(pythons)) or platform.python_version()}, SQLite "
        f"{sqlite3.sqlite_version}",
        machine_line(),
        f"- Versions: ato {main_env.versions.get('ato', '?')}{git_rev()} (SQLAlchemy "
        f"{main_env.versions.get('SQLAlchemy', '?')}), ato {ato2_env.versions.get('ato') or 'not installed'} "
        f"(SQLAlchemy {ato2_env.versions.get('SQLAlchemy') or '?'})",
        f"- Databases: {made}",
        f"- Reproduce: `pip install -e .` then `{cmd}` (`--setup` makes `benchmarks/.venvs/ato2` if missing)",
        "",
        table(sides),
        "",
        *verdict_lines,
    ]
    return "\n".join(lines) + "\n", ratios


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"update {SECTION!r} in RESULTS.md")
    parser.add_argument("--setup", action="store_true", help="create benchmarks/.venvs/ato2 if missing")
    parser.add_argument("--runs", type=int, default=10_000, help="runs in the project (10000)")
    parser.add_argument("--points-per-run", type=int, default=50, help="metric points per run (50)")
    parser.add_argument("--structures", type=int, default=100, help="distinct structural hashes (100)")
    parser.add_argument("--calls", type=int, default=20, help="timed calls per query and round (20)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (3)")
    parser.add_argument(
        "--python", type=Path, default=Path(sys.executable),
        help="interpreter with the new ato (default: the one running this script)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    if (args.runs < 10 or args.points_per_run < 2 or args.points_per_run % 2 or args.calls < 1
            or args.rounds < 1 or not 2 <= args.structures <= args.runs // 2):
        parser.error("need --runs >= 10, an even --points-per-run, 2 <= --structures <= runs / 2, "
                     "--calls and --rounds >= 1")
    verbose = not args.quiet

    envs = make_envs(args.python, mlflow=False)
    prepare_envs(envs, args.setup, verbose)
    data = make_data(args.runs, args.points_per_run, args.structures)
    with tempfile.TemporaryDirectory(prefix="ato-tracker-query-") as tmp:
        dbs: dict[str, Database] = {}
        for key in ("ato", "ato2"):
            folder = Path(tmp) / key
            folder.mkdir()
            db = dbs[key] = Database(key, folder / "tracker.db")
            env = envs["main" if key == "ato" else "ato2"]
            if not env.ready:
                db.problem = env.problem if env.managed else f"not runnable: {env.problem}"
                continue
            make_schema(db, env.python)
            if not db.problem:
                try:
                    fill(db, data)
                except (RuntimeError, sqlite3.Error) as exc:
                    db.problem = f"not runnable: could not fill the tables: {exc}"
            if verbose:
                print(f"{key} database: {db.problem or f'{db.schema_how}, filled in {db.fill_s:.1f} s'}",
                      file=sys.stderr)
        sides = [
            Side("ato", "**ato `SQLFinder`**", dbs["ato"]),
            Side("ato2", "ato 2.2.1 `SQLFinder`", dbs["ato2"]),
            Side("raw-ato", "raw sqlite3, ato 2.2.1's SQL", dbs["ato"]),
            Side("raw-ato2", "raw sqlite3, ato 2.2.1's SQL", dbs["ato2"]),
        ]
        for side in sides:
            if side.db.problem:
                side.status = side.db.problem
        pythons = {"ato": envs["main"].python, "ato2": envs["ato2"].python}
        measure(sides, pythons, data, args.rounds, args.calls, verbose)

    kept = [a for a in argv if a not in {"--write", "-q", "--quiet", "--setup"}]
    text, ratios = section(sides, envs, data, dbs, kept, args.rounds, args.calls)
    print(text)
    if ratios:
        print("Exact ratios (of medians): " + ", ".join(f"{k} = {v:.4f}" for k, v in ratios.items()))
    if args.write:
        write_results(SECTION, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
