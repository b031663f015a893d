"""Runs whose process vanished: still ``running``, but their heartbeat stopped.

A live :class:`~ato.tracker.SQLLogger` refreshes ``experiments.heartbeat_at`` at every
flush and at least every ``heartbeat_interval`` seconds (10 by default). A process killed
by SIGKILL, the OOM killer or a power loss cannot mark its run, so the run stays
``running`` with a heartbeat that no longer moves; these functions find and close such
runs. Choose ``older_than`` well past the heartbeat interval (minutes, not seconds), or a
busy but live run may be taken for a dead one. Runs written by ato 2.x have no heartbeat:
their start time stands in for it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from ato.tracker._models import Experiment, utcnow

__all__ = ["mark_stale", "stale_runs"]


def stale_runs(session: Session, older_than: dt.datetime) -> list[Experiment]:
    """Runs still marked ``running`` whose last heartbeat is older than ``older_than``.

    Args:
        session: An open session on the tracker's database.
        older_than: The cut-off; naive datetimes are taken as UTC (the stored form),
            aware ones are converted.

    Returns:
        The stale runs, oldest heartbeat first.
    """
    stmt = (
        select(Experiment)
        .where(_is_stale(_as_naive_utc(older_than)))
        .order_by(_last_seen(), Experiment.id)
    )
    return list(session.scalars(stmt))


def mark_stale(session: Session, older_than: dt.datetime, status: str = "killed") -> int:
    """Close every stale run: set its status and its end time (its last heartbeat).

    The update is executed in ``session``'s transaction and not committed: the caller
    commits (``with Session(engine) as s, s.begin(): mark_stale(s, cut)``). One UPDATE
    with the staleness test in its WHERE clause, so a run whose logger writes a heartbeat
    meanwhile is either seen fresh or marked, never half-updated.

    Args:
        session: An open session on the tracker's database.
        older_than: The cut-off, as for :func:`stale_runs`.
        status: The status to record; ``killed`` says the process died without a word.

    Returns:
        How many runs were marked.
    """
    stmt = (
        update(Experiment)
        .where(_is_stale(_as_naive_utc(older_than)))
        .values(status=status, end_time=func.coalesce(Experiment.heartbeat_at, utcnow()))
        .execution_options(synchronize_session=False)
    )
    result = session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)


def _last_seen() -> ColumnElement[dt.datetime | None]:
    return func.coalesce(Experiment.heartbeat_at, Experiment.start_time)


def _is_stale(cut: dt.datetime) -> ColumnElement[bool]:
    return (Experiment.status == "running") & (_last_seen() < cut)


def _as_naive_utc(when: dt.datetime) -> dt.datetime:
    if when.tzinfo is None:
        return when
    return when.astimezone(dt.UTC).replace(tzinfo=None)
