"""One side of ``bench_tracker_logging.py`` / ``bench_tracker_queries.py``, run as a child process.

Standard library at module level; each side imports its library inside its function, so that
the same file runs in the project venv, in ``benchmarks/.venvs/ato2`` (ato 2.2.1) and in
``benchmarks/.venvs/mlflow``. Every command prints ONE JSON line on stdout (the last line) and
exits; a side that cannot run raises, so the parent sees a non-zero exit and the error.

``python _tracker_worker.py log SIDE DB_FILE POINTS``
    Log POINTS metric points (two keys, ``loss`` and ``accuracy``, over POINTS / 2 steps; the
    values are computed before any timing) into the fresh SQLite file DB_FILE, one run. Sides:
    ``raw-batch`` (sqlite3 ``executemany`` of prebuilt rows, one transaction, into a table of the
    same shape as the new ato's ``metrics``: its six columns and its four secondary indexes),
    ``raw-batch-bare`` (the same, without secondary indexes), ``raw-commit`` (the same table,
    one ``INSERT`` and one ``COMMIT`` per point), ``ato2`` (ato 2.2.1's ``SQLLogger.log_metric``),
    ``ato`` (the new ``SQLLogger.log_metric``), ``ato-batch`` (the new ``SQLLogger.log_metrics``,
    one mapping of both keys per step), ``mlflow`` (``mlflow.log_metric`` per point) and
    ``mlflow-batch`` (``MlflowClient.log_batch`` of ``mlflow.entities.Metric``, 1000 a call).
    Prints ``import_s`` (imports), ``setup_s`` (engine/logger/run creation), ``log_s`` (the
    logging calls), ``finish_s`` (``finish()`` / ``end_run()`` / ``COMMIT``: whatever makes the
    points durable), ``rows`` (``SELECT COUNT(*) FROM metrics`` afterwards, on a new connection)
    and ``journal`` (the file's journal mode afterwards).

``python _tracker_worker.py schema SIDE URL``
    Create the tracker's tables in the SQLite database URL: ``ato2`` with ato 2.2.1's
    ``Base.metadata.create_all``; ``ato`` with ``ato.tracker._engine.ensure_schema(get_engine(URL))``
    or, if that is not there, by one ``SQLLogger`` run in the project ``_schema_bootstrap``.

``python _tracker_worker.py query SIDE URL PROJECT KEY RUN_ID CALLS``
    ``SQLFinder(config)`` of ``ato2`` or ``ato``; one untimed call of each query, then CALLS timed
    calls of ``find_best_run(PROJECT, KEY, 'max')`` and then of ``find_similar_runs(RUN_ID)``.
    Prints the ms of every call and what the last calls returned (the best run's id, the number
    of similar runs), for the parent to check.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

KEYS = ("loss", "accuracy")
MLFLOW_BATCH = 1000  # MLflow's limit of metrics per log_batch call
TIMESTAMP = "2026-01-01 00:00:00.000000"  # how SQLAlchemy stores a DateTime in SQLite

# The new ato's `metrics` table (src/ato/tracker/_models.py): the 2.x columns and indexes plus
# the two composite indexes of schema version 2.
METRICS_DDL = """
CREATE TABLE metrics (
    id INTEGER NOT NULL PRIMARY KEY,
    run_id INTEGER NOT NULL,
    "key" VARCHAR NOT NULL,
    value FLOAT NOT NULL,
    step INTEGER NOT NULL,
    timestamp DATETIME
);
"""
METRICS_INDEXES = """
CREATE INDEX ix_metrics_run_id ON metrics (run_id);
CREATE INDEX ix_metrics_key ON metrics ("key");
CREATE INDEX ix_metrics_key_value ON metrics ("key", value);
CREATE INDEX ix_metrics_run_key_step ON metrics (run_id, "key", step);
"""
INSERT = 'INSERT INTO metrics (run_id, "key", value, step, timestamp) VALUES (?, ?, ?, ?, ?)'


def _values(steps: int) -> dict[str, list[float]]:
    return {
        "loss": [1.0 / (1.0 + 0.001 * s) for s in range(steps)],
        "accuracy": [s / steps for s in range(steps)],
    }


def _config(ADict: Any, url: str, project: str) -> Any:
    return ADict(
        experiment=ADict(project_name=project, sql=ADict(db_path=url)),
        lr=0.001,
        batch_size=32,
        model="resnet50",
    )


# ---------------------------------------------------------------------- log
def _log_raw(db: Path, steps: int, *, batch: bool, indexes: bool) -> dict[str, float]:
    t0 = time.perf_counter()
    con = sqlite3.connect(db)
    con.executescript(METRICS_DDL + (METRICS_INDEXES if indexes else ""))
    vals = _values(steps)
    rows = [(1, key, vals[key][s], s, TIMESTAMP) for s in range(steps) for key in KEYS]
    t1 = time.perf_counter()
    if batch:
        con.executemany(INSERT, rows)  # the sqlite3 module opens ONE transaction for it
        t2 = time.perf_counter()
        con.commit()
    else:
        for row in rows:
            con.execute(INSERT, row)
            con.commit()
        t2 = time.perf_counter()
    t3 = time.perf_counter()
    con.close()
    return {"import_s": 0.0, "setup_s": t1 - t0, "log_s": t2 - t1, "finish_s": t3 - t2}


def _log_ato(db: Path, steps: int, *, batch: bool) -> dict[str, float]:
    vals = _values(steps)
    loss, acc = vals["loss"], vals["accuracy"]
    t0 = time.perf_counter()
    from ato.adict import ADict
    from ato.db_routers.sql.manager import SQLLogger

    t1 = time.perf_counter()
    logger = SQLLogger(_config(ADict, f"sqlite:///{db}", "bench"))
    logger.run(tags=["bench"])
    t2 = time.perf_counter()
    if batch:
        log_metrics = logger.log_metrics
        for s in range(steps):
            log_metrics({"loss": loss[s], "accuracy": acc[s]}, s)
    else:
        log_metric = logger.log_metric
        for s in range(steps):
            log_metric("loss", loss[s], s)
            log_metric("accuracy", acc[s], s)
    t3 = time.perf_counter()
    logger.finish(status="completed")
    t4 = time.perf_counter()
    return {"import_s": t1 - t0, "setup_s": t2 - t1, "log_s": t3 - t2, "finish_s": t4 - t3}


def _log_mlflow(db: Path, steps: int, *, batch: bool) -> dict[str, float]:
    vals = _values(steps)
    loss, acc = vals["loss"], vals["accuracy"]
    points = [(key, vals[key][s], s) for s in range(steps) for key in KEYS]  # the user's values
    t0 = time.perf_counter()
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
    if batch:
        client, run_id = MlflowClient(), run.info.run_id
        for i in range(0, len(points), MLFLOW_BATCH):
            ts = int(time.time() * 1000)
            client.log_batch(
                run_id, metrics=[Metric(k, v, ts, s) for k, v, s in points[i : i + MLFLOW_BATCH]]
            )
    else:
        log_metric = mlflow.log_metric
        for s in range(steps):
            log_metric("loss", loss[s], step=s)
            log_metric("accuracy", acc[s], step=s)
    t3 = time.perf_counter()
    mlflow.end_run()
    t4 = time.perf_counter()
    return {"import_s": t1 - t0, "setup_s": t2 - t1, "log_s": t3 - t2, "finish_s": t4 - t3}


def _log_ato2(db: Path, steps: int) -> dict[str, float]:
    return _log_ato(db, steps, batch=False)  # same calls; the venv decides which ato it is


LOG_SIDES: dict[str, Callable[[Path, int], dict[str, float]]] = {
    "raw-batch": lambda db, n: _log_raw(db, n, batch=True, indexes=True),
    "raw-batch-bare": lambda db, n: _log_raw(db, n, batch=True, indexes=False),
    "raw-commit": lambda db, n: _log_raw(db, n, batch=False, indexes=True),
    "ato2": _log_ato2,
    "ato": lambda db, n: _log_ato(db, n, batch=False),
    "ato-batch": lambda db, n: _log_ato(db, n, batch=True),
    "mlflow": lambda db, n: _log_mlflow(db, n, batch=False),
    "mlflow-batch": lambda db, n: _log_mlflow(db, n, batch=True),
}


def cmd_log(side: str, db_file: str, points: str) -> dict[str, Any]:
    db, n = Path(db_file), int(points)
    if n % len(KEYS):
        raise SystemExit(f"POINTS must be a multiple of {len(KEYS)}")
    out: dict[str, Any] = dict(LOG_SIDES[side](db, n // len(KEYS)))
    con = sqlite3.connect(db)
    try:
        out["rows"] = con.execute("SELECT COUNT(*) FROM metrics").fetchone()[0]
        out["journal"] = con.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        con.close()
    return out


# ---------------------------------------------------------------------- schema / query
def cmd_schema(side: str, url: str) -> dict[str, Any]:
    if side == "ato2":
        from ato.db_routers.sql.schema import Base
        from sqlalchemy import create_engine

        engine = create_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        return {"how": "ato 2.2.1 `Base.metadata.create_all`"}
    try:
        from ato.tracker._engine import ensure_schema, get_engine
    except ImportError:
        pass
    else:
        engine = get_engine(url)
        ensure_schema(engine)
        return {"how": "`ato.tracker._engine.ensure_schema(get_engine(url))`"}
    from ato.adict import ADict
    from ato.db_routers.sql.manager import SQLLogger

    logger = SQLLogger(_config(ADict, url, "_schema_bootstrap"))
    logger.run(tags=["schema"])
    logger.finish(status="completed")
    return {"how": "one `SQLLogger` run in the project `_schema_bootstrap`"}


def cmd_query(side: str, url: str, project: str, key: str, run_id: str, calls: str) -> dict[str, Any]:
    del side  # the venv decides which ato it is
    rid, n = int(run_id), int(calls)
    t0 = time.perf_counter()
    from ato.adict import ADict
    from ato.db_routers.sql.manager import SQLFinder

    t1 = time.perf_counter()
    finder = SQLFinder(_config(ADict, url, project))
    t2 = time.perf_counter()
    first_best = finder.find_best_run(project, key, "max")  # warm-up, untimed
    first_similar = finder.find_similar_runs(rid)
    best_ms, similar_ms = [], []
    best: Any = None
    similar: Any = None
    for _ in range(n):
        s = time.perf_counter()
        best = finder.find_best_run(project, key, "max")
        best_ms.append((time.perf_counter() - s) * 1000)
    for _ in range(n):
        s = time.perf_counter()
        similar = finder.find_similar_runs(rid)
        similar_ms.append((time.perf_counter() - s) * 1000)
    best = best if n else first_best
    similar = similar if n else first_similar
    best_id = getattr(best, "id", None)
    similar_ids = sorted(int(getattr(r, "id", -1)) for r in similar)
    return {
        "import_s": t1 - t0,
        "setup_s": t2 - t1,
        "best_ms": best_ms,
        "similar_ms": similar_ms,
        "best_id": best_id if best_id is not None else repr(best)[:200],
        "best_config_ok": _config_ok(best),
        "similar_ids": similar_ids,
    }


def _config_ok(run: Any) -> bool:
    """Whether ``run.config.lr`` reads after the finder's session closed (DESIGN section 6)."""
    try:
        cfg = run.config
        lr = cfg.lr if hasattr(cfg, "lr") else cfg["lr"]
    except Exception:
        return False
    return isinstance(lr, float)


def main() -> int:
    commands = {"log": cmd_log, "schema": cmd_schema, "query": cmd_query}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        raise SystemExit(f"usage: {Path(__file__).name} {{{'|'.join(commands)}}} ...")
    out = commands[sys.argv[1]](*sys.argv[2:])
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
