"""What the finder returns: plain, detached snapshots of rows, readable anywhere.

Contract: a :class:`RunRecord` holds everything read for one run when the query ran; it
never touches the database again, so it stays usable after the query's session and
connection are closed, pickles, and can be changed without any effect on the database.
``run.config`` is an ``ADict`` (built on first read, then kept); ``run.project`` is a
:class:`ProjectRecord`; ``run.metrics``, ``run.artifacts`` and ``run.fingerprints`` are
lists of small named tuples in logging order. The attribute names are those of ato 2.x's
ORM objects, so code written against 2.x reads them unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple

from ato.adict import ADict

__all__ = [
    "RUN_COLUMNS", "ArtifactRecord", "FingerprintRecord", "MetricRecord", "ProjectRecord", "RunRecord",
]


class ProjectRecord(NamedTuple):
    """A project row."""

    id: int
    name: str
    description: str | None
    created_at: dt.datetime | None


class MetricRecord(NamedTuple):
    """One logged metric point."""

    id: int
    run_id: int
    key: str
    value: float
    step: int
    timestamp: dt.datetime | None


class ArtifactRecord(NamedTuple):
    """A file a run produced; ``data_info`` is the metadata given to ``log_artifact``."""

    id: int
    run_id: int
    path: str
    data_type: str | None
    data_info: Any


class FingerprintRecord(NamedTuple):
    """A code fingerprint stored with a run (``trace_type`` is ``static`` or ``runtime``)."""

    id: int
    run_id: int
    trace_id: str
    trace_type: str
    fingerprint: str


# The ``experiments`` columns a RunRecord is built from, in this order.
RUN_COLUMNS = (
    "id", "project_id", "config", "structural_hash", "tags", "status", "start_time",
    "end_time", "heartbeat_at", "hostname", "pid",
)


class RunRecord:
    """One run (an ``experiments`` row) with its project, metrics, artifacts, fingerprints.

    Scalar attributes mirror the table's columns: ``id``, ``project_id``,
    ``structural_hash``, ``status``, ``start_time``, ``end_time``, ``heartbeat_at``,
    ``hostname``, ``pid``; ``config`` and ``tags`` are decoded from their JSON text on
    first read (a listing of thousands of runs never pays for configs nobody reads).

    Args:
        row: The values of :data:`RUN_COLUMNS`, in order; ``config`` and ``tags`` as JSON
            text or already decoded.
        project: The run's project.
    """

    __slots__ = (
        "_config", "_raw_config", "_raw_tags", "_tags", "artifacts", "end_time", "fingerprints",
        "heartbeat_at", "hostname", "id", "metrics", "pid", "project", "project_id",
        "start_time", "status", "structural_hash",
    )

    def __init__(self, row: Sequence[Any], project: ProjectRecord) -> None:
        (self.id, self.project_id, self._raw_config, self.structural_hash, self._raw_tags,
         self.status, self.start_time, self.end_time, self.heartbeat_at, self.hostname,
         self.pid) = row
        self.project = project
        self._config: ADict | None = None
        self._tags: list[Any] | None = None
        self.metrics: list[MetricRecord] = []
        self.artifacts: list[ArtifactRecord] = []
        self.fingerprints: list[FingerprintRecord] = []

    id: int
    project_id: int
    structural_hash: str | None
    status: str | None
    start_time: dt.datetime | None
    end_time: dt.datetime | None
    heartbeat_at: dt.datetime | None
    hostname: str | None
    pid: int | None

    @property
    def config(self) -> ADict:
        """The run's config as an ``ADict`` (``run.config.model``); a copy, safe to change."""
        if self._config is None:
            self._config = ADict(_decoded(self._raw_config) or {})
        return self._config

    @property
    def tags(self) -> list[Any]:
        """The tags given to ``SQLLogger.run``."""
        if self._tags is None:
            self._tags = list(_decoded(self._raw_tags) or [])
        return self._tags

    def latest_metrics(self) -> dict[str, float]:
        """The last value of each metric key (highest step, then last logged), by key."""
        latest: dict[str, tuple[int, int, float]] = {}
        for m in self.metrics:
            seen = latest.get(m.key)
            if seen is None or (m.step, m.id) >= seen[:2]:
                latest[m.key] = (m.step, m.id, m.value)
        return {key: value for key, (_, _, value) in sorted(latest.items())}

    def __repr__(self) -> str:
        return (f"RunRecord(id={self.id}, project={self.project.name!r}, status={self.status!r}, "
                f"metrics={len(self.metrics)})")


def _decoded(raw: Any) -> Any:
    """A JSON column's value: text from SQLite, maybe already decoded by another driver."""
    if isinstance(raw, str | bytes):
        import json

        return json.loads(raw)
    return raw
