"""The tracker on SQLite: logging metric points, and querying 10,000 runs (issue 6).

Logging: one run logs 200,000 points (``loss`` and ``accuracy`` over 100,000 steps) into a
fresh file on the checkout's disk (so commits pay a real ``fsync``). Each side runs in a fresh
child in its venv (``python -m benchmarks.tracker log SIDE DB POINTS``), times after its
imports and set-up, includes whatever makes the points durable (``finish()``, ``end_run()``,
``COMMIT``), then counts the rows in the file. The raw tables have the new ato's ``metrics``
shape. Sides that commit every point log 2,000 points; rates are points per second.

Queries: one project of 10,000 runs x 50 points, each run with a JSON config and one of 100
structural hashes, written with ``sqlite3`` ``executemany`` into tables made by each library
(one ``SQLLogger`` run in a project of its own: both ato versions' public way to make them),
since logging 500,000 points through ato 2.2.1 would take minutes. Each library queries its own
database from a child (``query``): one untimed call, then timed calls of ``find_best_run`` and
``find_similar_runs``, whose results are checked. ato 2.2.1's SQL is also run through ``sqlite3``.

Not pyperf: a logging run takes seconds and needs a fresh process and a fresh file, and the
sides live in three venvs and take turns.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import Context, Side, ato_version, call, fail_missing, interleave, meta, table

KEYS = ("loss", "accuracy")
TIMESTAMP = "2026-01-01 00:00:00.000000"  # how SQLAlchemy stores a DateTime in SQLite
METRICS_DDL = """CREATE TABLE metrics (id INTEGER NOT NULL PRIMARY KEY, run_id INTEGER NOT NULL,
    "key" VARCHAR NOT NULL, value FLOAT NOT NULL, step INTEGER NOT NULL, timestamp DATETIME);"""
METRICS_INDEXES = """CREATE INDEX ix_metrics_run_id ON metrics (run_id);
CREATE INDEX ix_metrics_key ON metrics ("key");
CREATE INDEX ix_metrics_key_value ON metrics ("key", value);
CREATE INDEX ix_metrics_run_key_step ON metrics (run_id, "key", step);"""
INSERT = 'INSERT INTO metrics (run_id, "key", value, step, timestamp) VALUES (?, ?, ?, ?, ?)'
MLFLOW_ENV = {"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}  # no network while timing
PROJECT, KEY, OTHER = "bench", "val_accuracy", "loss"
RAW_BEST = ("SELECT experiments.* FROM experiments JOIN metrics ON experiments.id = metrics.run_id "
            'WHERE experiments.project_id = ? AND metrics."key" = ? ORDER BY metrics.value DESC LIMIT 1')
RAW_HASH = "SELECT structural_hash FROM experiments WHERE id = ?"
RAW_SIMILAR = "SELECT * FROM experiments WHERE structural_hash = ? AND id != ?"


# ---------------------------------------------------------------------- child commands
def _tracker(side: str) -> tuple[Any, Any, Any]:
    """(ADict, SQLLogger, SQLFinder): ato 2.2.1 keeps them where its venv has them."""
    from ato.adict import ADict

    if side == "ato2":
        from ato.db_routers.sql.manager import SQLFinder, SQLLogger
    else:
        from ato.tracker import SQLFinder, SQLLogger
    return ADict, SQLLogger, SQLFinder


def _config(adict: Any, url: str, project: str) -> Any:
    return adict(experiment=adict(project_name=project, sql=adict(db_path=url)), lr=0.001, batch_size=32,
                 model="resnet50")


def _log(side: str, db: Path, steps: int) -> dict[str, float]:
    loss, acc = [1 / (1 + 0.001 * s) for s in range(steps)], [s / steps for s in range(steps)]
    vals = {"loss": loss, "accuracy": acc}
    points = [(k, vals[k][s], s) for s in range(steps) for k in KEYS]  # what the user has in hand
    t0 = time.perf_counter()
    if side.startswith("raw"):
        t1 = t0
        con = sqlite3.connect(db)
        con.executescript(METRICS_DDL + ("" if side == "raw-batch-bare" else METRICS_INDEXES))
        rows = [(1, k, v, s, TIMESTAMP) for k, v, s in points]
        t2 = time.perf_counter()
        if side == "raw-commit":
            for row in rows:
                con.execute(INSERT, row)
                con.commit()
        else:
            con.executemany(INSERT, rows)  # sqlite3 opens one transaction for it
        t3 = time.perf_counter()
        con.commit()
        t4 = time.perf_counter()
        con.close()
    elif side.startswith("mlflow"):
        import mlflow
        from mlflow import MlflowClient
        from mlflow.entities import Metric

        t1 = time.perf_counter()
        logging.getLogger("mlflow").setLevel(logging.WARNING)
        logging.getLogger("alembic").setLevel(logging.WARNING)
        mlflow.set_tracking_uri(f"sqlite:///{db}")
        exp = mlflow.create_experiment("bench", artifact_location=(db.parent / "mlartifacts").as_uri())
        run = mlflow.start_run(experiment_id=exp)
        t2 = time.perf_counter()
        if side == "mlflow-batch":
            client = MlflowClient()
            for i in range(0, len(points), 1000):  # MLflow's limit of metrics per call
                ts = int(time.time() * 1000)
                batch = [Metric(k, v, ts, s) for k, v, s in points[i:i + 1000]]
                client.log_batch(run.info.run_id, metrics=batch)
        else:
            for s in range(steps):
                mlflow.log_metric("loss", loss[s], step=s)
                mlflow.log_metric("accuracy", acc[s], step=s)
        t3 = time.perf_counter()
        mlflow.end_run()
        t4 = time.perf_counter()
    else:
        adict, logger_cls, _ = _tracker(side)
        t1 = time.perf_counter()
        logger = logger_cls(_config(adict, f"sqlite:///{db}", "bench"))
        logger.run(tags=["bench"])
        t2 = time.perf_counter()
        if side == "ato-batch":
            for s in range(steps):
                logger.log_metrics({"loss": loss[s], "accuracy": acc[s]}, s)
        else:
            log_metric = logger.log_metric
            for s in range(steps):
                log_metric("loss", loss[s], s)
                log_metric("accuracy", acc[s], s)
        t3 = time.perf_counter()
        logger.finish(status="completed")
        t4 = time.perf_counter()
    return {"import_s": t1 - t0, "setup_s": t2 - t1, "log_s": t3 - t2, "finish_s": t4 - t3}


def _child(command: str, side: str, *args: str) -> dict[str, Any]:
    if command == "log":
        db = Path(args[0])
        out: dict[str, Any] = _log(side, db, int(args[1]) // len(KEYS))
        with sqlite3.connect(db) as con:
            out["rows"] = con.execute("SELECT COUNT(*) FROM metrics").fetchone()[0]
            out["journal"] = con.execute("PRAGMA journal_mode").fetchone()[0]
        return out
    t0 = time.perf_counter()
    adict, logger_cls, finder_cls = _tracker(side)
    t1 = time.perf_counter()
    if command == "schema":
        logger = logger_cls(_config(adict, args[0], "_schema_bootstrap"))
        logger.run(tags=["schema"])
        logger.finish(status="completed")
        return {}
    url, run_id, calls = args[0], int(args[1]), int(args[2])
    finder = finder_cls(_config(adict, url, PROJECT))
    t2 = time.perf_counter()
    best, similar = finder.find_best_run(PROJECT, KEY, "max"), finder.find_similar_runs(run_id)  # warm-up
    best_ms, similar_ms = [], []
    for _ in range(calls):
        s = time.perf_counter()
        best = finder.find_best_run(PROJECT, KEY, "max")
        best_ms.append((time.perf_counter() - s) * 1000)
    for _ in range(calls):
        s = time.perf_counter()
        similar = finder.find_similar_runs(run_id)
        similar_ms.append((time.perf_counter() - s) * 1000)
    try:  # DESIGN section 6: the config stays readable after the finder's session closed
        config_ok = isinstance(best.config["lr"], float)
    except Exception:
        config_ok = False
    return {"import_s": t1 - t0, "setup_s": t2 - t1, "best_ms": best_ms, "similar_ms": similar_ms,
            "best_id": getattr(best, "id", None), "config_ok": config_ok,
            "similar_ids": sorted(int(r.id) for r in similar)}


# ---------------------------------------------------------------------- logging
LOG_SIDES = [  # key, label, env, which point count
    ("raw-batch", "raw sqlite3 `executemany`, one transaction (the limit)", "main", "points"),
    ("raw-batch-bare", "raw sqlite3 `executemany`, one transaction, no secondary index", "main", "points"),
    ("raw-commit", "raw sqlite3, one `COMMIT` per point", "main", "slow"),
    ("ato2", "ato 2.2.1 `log_metric` (a commit per point)", "ato2", "slow"),
    ("mlflow", "MLflow `log_metric` per point", "mlflow", "slow"),
    ("mlflow-batch", "MLflow `log_batch`, 1000 a call", "mlflow", "points"),
    ("ato", "**ato `log_metric` per point + `finish()`**", "main", "points"),
    ("ato-batch", "ato `log_metrics` (both keys per step) + `finish()`", "main", "points"),
]


def run_logging(ctx: Context) -> str:
    rounds, counts = 5, {"points": 200_000, "slow": 2_000}
    if ctx.quick:
        rounds, counts = 1, {"points": 20_000, "slow": 200}
    sides = [Side(k, label, env, counts[n]) for k, label, env, n in LOG_SIDES]
    fail_missing(sides, ctx)
    with tempfile.TemporaryDirectory(prefix="ato-tracker-log-") as tmp:
        def once(side: Side) -> dict[str, Any]:
            work = Path(tempfile.mkdtemp(dir=tmp))
            out = call(ctx.env(side.env), "tracker", "log", side.key, str(work / "bench.db"), str(side.arg),
                       timeout=1800, cwd=work, extra_env=MLFLOW_ENV)
            out["total"] = out["log_s"] + out["finish_s"]
            return out

        interleave(sides, rounds, once, ctx)
    by = {s.key: s for s in sides if s.ok}
    rate = {k: s.arg / statistics.median(r["total"] for r in s.runs) for k, s in by.items()}
    rows = []
    for s in sides:
        cells = [s.label, ctx.env(s.env).label, f"{s.arg:,}"]
        if not s.ok:
            rows.append([*cells, s.problem])
            continue
        bad = [r["rows"] for r in s.runs if r["rows"] != s.arg]

        def med(what: str, s: Side = s) -> str:
            x = statistics.median(r[what] for r in s.runs)
            return f"{x:,.3f}" if x < 10 else f"{x:,.1f}"

        rows.append([*cells, f"**{bad[0]:,} of {s.arg:,}**" if bad else "all",
                     "/".join(sorted({r["journal"] for r in s.runs})), med("import_s"), med("setup_s"),
                     f"{min(r['total'] for r in s.runs):,.3f}", med("total"), med("finish_s"),
                     f"{rate[s.key]:,.0f}", f"{s.arg / min(r['total'] for r in s.runs):,.0f}",
                     f"{rate[s.key] / rate['ato2']:,.1f}x" if "ato2" in rate else "n/a",
                     f"{rate['raw-batch'] / rate[s.key]:,.2f}" if "raw-batch" in rate else "n/a"])
    if all(k in rate for k in ("ato", "ato2", "raw-batch", "ato-batch")):
        va, vr = rate["ato"] / rate["ato2"], rate["raw-batch"] / rate["ato"]
        verdict = (
            f"{'MET' if va >= 100 and vr <= 3 else 'NOT MET'}: `log_metric` per point, `finish()` included, "
            f"logs {rate['ato']:,.0f} points/s, {va:,.0f}x ato 2.2.1 ({'met' if va >= 100 else 'not met'}) "
            f"and 1/{vr:.2f} of raw `executemany` ({'met' if vr <= 3 else 'not met'}); the aim of half the "
            f"raw rate is {'met' if vr <= 2 else 'not yet met'}. `log_metrics`: {rate['ato-batch']:,.0f} "
            f"points/s, 1/{rate['raw-batch'] / rate['ato-batch']:.2f} of raw."
        )
    else:
        verdict = "NOT MEASURED (" + "; ".join(f"{s.key}: {s.problem}" for s in sides if not s.ok) + ")."
    main, ato2, ml = ctx.env("main"), ctx.env("ato2"), ctx.env("mlflow")
    return "\n".join([
        "## Tracker logging (issue 6)",
        "",
        f"One run logs {counts['points']:,} metric points (`loss` and `accuracy` over",
        f"{counts['points'] // 2:,} steps) into a fresh SQLite file on the checkout's disk. Each side",
        "runs in its own child process and venv, times in-process after its imports and set-up (both",
        "shown apart), and the time includes what makes the points durable (`finish()`, `end_run()`,",
        f"`COMMIT`); the rows are then counted in the file. {rounds} rounds, the sides taking turns in",
        "a rotating order; seconds are logging + finish, min and median. The sides that commit every",
        f"point log {counts['slow']:,} points (see the Points column); rates are points/s of the",
        "median run, and ratios are of those rates. The raw tables have the new",
        "ato's `metrics` shape (six columns; indexes on `run_id`, `key`, `(key, value)`,",
        "`(run_id, key, step)`), except the bare one (primary key only); rows are prebuilt.",
        "",
        *meta("tracker-logging", ctx, ["main", "ato2", "mlflow"],
              f"{ato_version(ctx)} (SQLAlchemy {main.v('SQLAlchemy')}), ato {ato2.v('ato')} (SQLAlchemy "
              f"{ato2.v('SQLAlchemy')}), mlflow-skinny {ml.v('mlflow-skinny')} (SQLAlchemy "
              f"{ml.v('SQLAlchemy')}, alembic {ml.v('alembic')}), SQLite {sqlite3.sqlite_version}"),
        "",
        table(["Side", "Venv", "Points", "Rows in file", "Journal", "Import s", "Setup s", "min s",
               "median s", "of which finish s", "points/s (median)", "points/s (best)", "x ato 2.2.1",
               "raw executemany / this"], rows, "llrllrrrrrrrrr"),
        "",
        "**Verdict:** target \"the new ato's `log_metric` at least 100x ato 2.2.1 (points/s) and within 3x "
        f'of raw `executemany`" {verdict}',
    ]) + "\n"


# ---------------------------------------------------------------------- queries
def _ts(seconds: float) -> str:
    return (dt.datetime(2026, 1, 1) + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S.%f")


def _data(runs: int, points: int, structures: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Experiments (config, hash, tags, status, start, end) and metrics (run index, key, value, step)."""
    rng = random.Random(6)
    experiments, metrics = [], []
    for i in range(runs):
        g = i % structures
        config = {"experiment": {"project_name": PROJECT, "sql": {"db_path": "sqlite:///experiments.db"}},
                  "lr": round(10 ** rng.uniform(-5, -1), 8), "batch_size": rng.choice((32, 64, 128, 256)),
                  "model": rng.choice(("resnet18", "resnet50", "vit_b16", "convnext_t")),
                  f"arch_{g}": {"depth": rng.randint(2, 50), "width": rng.choice((64, 128, 256))}}
        structure = hashlib.sha256(f"structure-{g}".encode()).hexdigest()
        tags = json.dumps(["sweep", config["model"]])
        experiments.append((json.dumps(config), structure, tags, "completed", _ts(i * 60), _ts(i * 60 + 55)))
        top, steps = rng.uniform(0.5, 0.98), points // 2
        for s in range(steps):
            best = i == runs * 7 // 10 and s == steps - 1  # the one highest val_accuracy
            metrics.append((i, KEY, 0.995 if best else top * (s + 1) / steps, s))
            metrics.append((i, OTHER, rng.uniform(0.05, 3.0), s))
    return experiments, metrics


def _fill(path: Path, experiments: list[Any], metrics: list[Any]) -> tuple[int, list[int]]:
    """Insert the rows; checks first that the library's tables take them. Returns (project id, run ids)."""
    con = sqlite3.connect(path)
    with con:
        ecols = ["id", "project_id", "config", "structural_hash", "tags", "status", "start_time", "end_time"]
        mcols = ["run_id", "key", "value", "step", "timestamp"]
        for t, cols in (("experiments", ecols), ("metrics", mcols)):
            have = {r[1]: r[3] and r[4] is None and not r[5] for r in con.execute(f"PRAGMA table_info({t})")}
            if set(cols) - set(have) or {c for c, required in have.items() if required} - set(cols):
                raise sqlite3.Error(f"{t}: columns {sorted(have)} do not take {cols}")
        project = con.execute("INSERT INTO projects (name, created_at) VALUES (?, ?)",
                              (PROJECT, _ts(0))).lastrowid
        first = con.execute("SELECT COALESCE(MAX(id), 0) FROM experiments").fetchone()[0] + 1
        ids = list(range(first, first + len(experiments)))
        marks = ", ".join("?" * len(ecols))
        con.executemany(f"INSERT INTO experiments ({', '.join(ecols)}) VALUES ({marks})",
                        [(ids[i], project, *e) for i, e in enumerate(experiments)])
        con.executemany(INSERT, [(ids[i], k, v, s, _ts(i * 60 + s)) for i, k, v, s in metrics])
    con.close()
    return int(project or 0), ids


def run_queries(ctx: Context) -> str:
    runs, points, structures, calls, rounds = (1000, 10, 10, 5, 1) if ctx.quick else (10_000, 50, 100, 20, 3)
    experiments, metrics = _data(runs, points, structures)
    best_i, similar_i = runs * 7 // 10, runs // 3
    raw = "raw sqlite3, ato 2.2.1's SQL"
    sides = [Side("ato", "**ato `SQLFinder`**"), Side("ato2", "ato 2.2.1 `SQLFinder`", "ato2"),
             Side("raw-ato", raw), Side("raw-ato2", raw)]
    fail_missing(sides, ctx)
    dbs: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="ato-tracker-query-") as tmp:
        for key in ("ato", "ato2"):
            path, start = Path(tmp) / f"{key}.db", time.perf_counter()
            try:
                call(ctx.env("main" if key == "ato" else key), "tracker", "schema", key, f"sqlite:///{path}")
                project, ids = _fill(path, experiments, metrics)
            except Exception as exc:  # a library whose tables do not take the rows, say
                for s in sides:
                    if s.key.removeprefix("raw-") == key:
                        s.problem = s.problem or f"not runnable: {exc}"
                continue
            group = [ids[i] for i in range(similar_i % structures, runs, structures) if i != similar_i]
            dbs[key] = {"path": path, "project": project, "best": ids[best_i], "run": ids[similar_i],
                        "fill_s": time.perf_counter() - start, "similar": group}

        def once(side: Side) -> dict[str, Any]:
            db = dbs[side.key.removeprefix("raw-")]
            if not side.key.startswith("raw"):
                return call(ctx.env(side.env), "tracker", "query", side.key, f"sqlite:///{db['path']}",
                            str(db["run"]), str(calls), cwd=Path(tmp))
            con, out = sqlite3.connect(db["path"]), {"best_ms": [], "similar_ms": [], "config_ok": True}
            for i in range(2 * calls + 2):  # per query, the first call is a warm-up
                s = time.perf_counter()
                if i <= calls:
                    best = con.execute(RAW_BEST, (db["project"], KEY)).fetchone()
                else:
                    (h,) = con.execute(RAW_HASH, (db["run"],)).fetchone()
                    similar = con.execute(RAW_SIMILAR, (h, db["run"])).fetchall()
                if i not in (0, calls + 1):
                    out["best_ms" if i <= calls else "similar_ms"].append((time.perf_counter() - s) * 1000)
            con.close()
            return {**out, "best_id": best[0], "similar_ids": sorted(r[0] for r in similar)}

        interleave(sides, rounds, once, ctx)

    def ms(x: float) -> str:
        return f"{x:,.3f}" if x < 1 else f"{x:,.2f}" if x < 100 else f"{x:,.0f}"

    rows, med = [], {}
    for s in sides:
        schema = "new ato" if s.key.endswith("-ato") or s.key == "ato" else "ato 2.2.1"
        if not s.ok:
            rows.append([s.label, schema, "", "", "", "", "", "", s.problem])
            continue
        db = dbs[s.key.removeprefix("raw-")]
        best, similar = ([x for r in s.runs for x in r[f"{w}_ms"]] for w in ("best", "similar"))
        med[s.key] = (statistics.median(best), statistics.median(similar))
        wrong = {f"best run {r['best_id']}" for r in s.runs if r["best_id"] != db["best"]}
        wrong |= {f"{len(r['similar_ids'])} similar runs" for r in s.runs
                  if r["similar_ids"] != db["similar"]}
        wrong |= {"`run.config` unreadable" for r in s.runs if not r["config_ok"]}
        s.arg = sorted(wrong)
        is_raw = s.key.startswith("raw")
        imp = "-" if is_raw else f"{statistics.median(r['import_s'] for r in s.runs):,.3f}"
        setup = "-" if is_raw else ms(statistics.median(r["setup_s"] for r in s.runs) * 1000)
        rows.append([s.label, schema, imp, setup, ms(min(best)), ms(med[s.key][0]), ms(min(similar)),
                     ms(med[s.key][1]), "yes" if not wrong else "**NO**: " + "; ".join(wrong)])
    target = 'target "find_best_run and find_similar_runs each under 50 ms for the new ato"'
    if "ato" in med:
        (b, sim), ok = med["ato"], not sides[0].arg
        met = "MET" if b < 50 and sim < 50 and ok else "NOT MET"
        verdict = f"**Verdict:** {target} {met}: medians {ms(b)} ms and {ms(sim)} ms"
        if "ato2" in med:
            verdict += " (" + " and ".join(
                f"{r:,.1f}x faster" if r >= 1 else f"{1 / r:,.1f}x slower"
                for r in (med["ato2"][0] / b, med["ato2"][1] / sim)) + " than ato 2.2.1 on its own schema)"
        verdict += ("; the aim of single-digit ms for best-run queries is "
                    f"{'met' if b < 10 else 'not yet met'}.")
    else:
        verdict = f"**Verdict:** {target} NOT MEASURED (ato: {sides[0].problem})."
    made = "; ".join(f"{'new ato' if k == 'ato' else 'ato 2.2.1'}: filled in {d['fill_s']:,.1f} s"
                     for k, d in dbs.items())
    per = runs // structures
    return "\n".join([
        "## Tracker queries (issue 6)",
        "",
        f"One project of {runs:,} runs x {points} metric points (`{KEY}` and",
        f"`{OTHER}`, {points // 2} steps each: {len(metrics):,} rows), each run with a",
        f"JSON config and one of {structures} structural hashes ({per} runs each), in",
        "SQLite: the same rows in a database whose tables the new ato made and in one ato 2.2.1 made (each",
        "by one `SQLLogger` run in a project of its own), filled with `sqlite3` `executemany`. Each library",
        "queries its own database from a child process in its venv:",
        f"`find_best_run('{PROJECT}', '{KEY}', 'max')` and `find_similar_runs(run_id)` ({per - 1} runs",
        f"found), one untimed call each, then {calls} timed calls each; {rounds} rounds taken in turn; min",
        "and median ms over all calls.",
        "Results are checked (the planted best run, the exact similar runs, `run.config` readable).",
        "The raw rows run ato 2.2.1's SQL through `sqlite3` in the parent process, for scale.",
        "",
        *meta("tracker-queries", ctx, ["main", "ato2"],
              f"{ato_version(ctx)} (SQLAlchemy {ctx.env('main').v('SQLAlchemy')}), ato "
              f"{ctx.env('ato2').v('ato')} (SQLAlchemy {ctx.env('ato2').v('SQLAlchemy')}), SQLite "
              f"{sqlite3.sqlite_version}",
              f"- Databases: {made}"),
        "",
        table(["Side", "Schema", "Import s", "Setup ms", "find_best_run min ms", "median ms",
               "find_similar_runs min ms", "median ms", "Results right"], rows, "llrrrrrrl"),
        "",
        verdict,
    ]) + "\n"


if __name__ == "__main__":
    print(json.dumps(_child(*sys.argv[1:])))
