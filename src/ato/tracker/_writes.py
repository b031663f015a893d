"""The logger's database writes, each the body of one ``_engine.write`` transaction.

Every function here may run more than once (``write`` retries a transaction the database
reported locked), so each does all its work inside the transaction it is given and keeps
no state of its own between attempts.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from typing import Any, NamedTuple

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ato.tracker._models import Artifact, Experiment, Fingerprint, Metric, Project, utcnow

__all__ = ["NewRun", "Point", "Trace", "add_artifact", "encode_points", "recorded_traces", "write_batch"]

Point = tuple[str, float, int, float]  # key, value, step, wall-clock time (time.time())
Trace = tuple[str, str, str]  # trace_id, trace_type, fingerprint

# Columns named as the ORM model names them; SQLite's driver takes the tuples as they are.
_SQLITE_INSERT = 'INSERT INTO metrics (run_id, "key", value, step, timestamp) VALUES (?, ?, ?, ?, ?)'


class NewRun(NamedTuple):
    """Everything a new run row holds, computed before its transaction starts."""

    project_name: str
    config: dict[str, Any]
    structural_hash: str
    tags: Any
    traces: list[Trace]

    def create(self, conn: Connection) -> int:
        """Insert the run (and its project, if new) with its fingerprints; return its id."""
        now = utcnow()
        with Session(bind=conn) as session:
            run = Experiment(
                project_id=_project_id(session, self.project_name),
                config=self.config,
                structural_hash=self.structural_hash,
                tags=self.tags,
                status="running",
                start_time=now,
                heartbeat_at=now,
                hostname=socket.gethostname()[:255],
                pid=os.getpid(),
            )
            run.fingerprints = [
                Fingerprint(trace_id=t, trace_type=k, fingerprint=f) for t, k, f in self.traces
            ]
            session.add(run)
            session.flush()
            return run.id


def write_batch(
    conn: Connection,
    run_id: int,
    rows: list[Any],
    traces: list[Trace],
    status: str | None,
    *,
    end: bool,
) -> None:
    """One batch: metric rows, new fingerprints, the heartbeat and optionally a status.

    Args:
        conn: A connection inside a write transaction.
        run_id: The run the batch belongs to.
        rows: What :func:`encode_points` made of the buffered points.
        traces: Fingerprints not stored for this run yet.
        status: A new status, or None to leave it.
        end: With a status, also set the end time (the run is closed).
    """
    if rows:
        if conn.dialect.name == "sqlite":
            # The driver's executemany on ready tuples: no per-row work left in Python.
            conn.exec_driver_sql(_SQLITE_INSERT, rows)
        else:
            conn.execute(insert(Metric), rows)
    if traces:
        conn.execute(
            insert(Fingerprint),
            [{"run_id": run_id, "trace_id": t, "trace_type": k, "fingerprint": f} for t, k, f in traces],
        )
    now = utcnow()
    values: dict[str, Any] = {"heartbeat_at": now}
    if status is not None:
        values["status"] = status
        if end:
            values["end_time"] = now
    conn.execute(update(Experiment).where(Experiment.id == run_id).values(**values))


def add_artifact(conn: Connection, row: dict[str, Any]) -> int:
    """Insert one artifact row; return its id.

    Raises:
        ValueError: The run ``row['run_id']`` does not exist.
    """
    if conn.scalar(select(Experiment.id).where(Experiment.id == row["run_id"])) is None:
        raise ValueError(f"log_artifact: no run with id {row['run_id']!r}")
    key = conn.execute(insert(Artifact).values(**row)).inserted_primary_key
    assert key is not None
    return int(key[0])


def encode_points(run_id: int, points: list[Point], *, sqlite: bool) -> list[Any]:
    """Rows for one batch: for SQLite, tuples in its stored text form; else dicts for Core.

    The SQLite form is the one SQLAlchemy stores a ``DATETIME`` in (UTC,
    ``YYYY-MM-DD HH:MM:SS.ffffff``); the date part is formatted once per second, leaving
    one small f-string per point.
    """
    if sqlite:
        rows: list[Any] = []
        last_sec = -1
        prefix = ""
        gmtime, strftime = time.gmtime, time.strftime
        for key, value, step, ts in points:
            sec = int(ts)
            if sec != last_sec:
                last_sec = sec
                prefix = strftime("%Y-%m-%d %H:%M:%S", gmtime(sec))
            rows.append((run_id, key, value, step, f"{prefix}.{int((ts - sec) * 1e6):06d}"))
        return rows
    from datetime import UTC, datetime

    fromts = datetime.fromtimestamp
    return [
        {"run_id": run_id, "key": k, "value": v, "step": s, "timestamp": fromts(t, UTC).replace(tzinfo=None)}
        for k, v, s, t in points
    ]


def recorded_traces() -> list[Trace]:
    """Fingerprints ``ato.trace`` recorded in this process so far.

    Read through ``sys.modules``: a program that never imported ``ato.trace`` has
    recorded nothing, and the tracker does not import it for them.
    """
    trace = sys.modules.get("ato.trace")
    recorded = getattr(trace, "recorded", None)
    return list(recorded()) if callable(recorded) else []


def _project_id(session: Session, name: str) -> int:
    """The project's id, created if absent; safe when another writer creates it too."""
    found = session.scalar(select(Project.id).where(Project.name == name))
    if found is not None:
        return found
    try:
        with session.begin_nested():  # a savepoint: a lost race must not undo the run
            project = Project(name=name, created_at=utcnow())
            session.add(project)
        return project.id
    except IntegrityError:
        return session.scalars(select(Project.id).where(Project.name == name)).one()
