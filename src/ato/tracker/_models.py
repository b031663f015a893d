"""The tracker's tables, as typed SQLAlchemy 2 ORM classes.

Table and column names are those of ato 2.x (``projects``, ``experiments``, ``metrics``,
``artifacts``, ``fingerprints``), so a database written by the original library opens
here; what this version adds (a heartbeat, the host and process of a run, the schema
version table, composite indexes for the queries) is added to such a database by
``_schema.upgrade``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "Artifact",
    "Base",
    "Experiment",
    "Fingerprint",
    "Meta",
    "Metric",
    "Project",
    "utcnow",
]


def utcnow() -> dt.datetime:
    """Timezone-naive UTC now, the form SQLite and 2.x databases store."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base of the tracker's tables."""


class Meta(Base):
    """Key/value facts about the database itself; ``schema_version`` lives here."""

    __tablename__ = "ato_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))


class Project(Base):
    """A named group of runs."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String, unique=True, nullable=False, index=True)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=utcnow)

    runs: Mapped[list[Experiment]] = relationship(back_populates="project")


class Experiment(Base):
    """One run: its config, structure hash, tags, status and times."""

    __tablename__ = "experiments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), nullable=False, index=True)
    config: Mapped[Any] = mapped_column(JSON, nullable=False)
    structural_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # Nullable as in 2.x (Mapped[Any] alone would make it NOT NULL on a fresh database).
    tags: Mapped[Any] = mapped_column(JSON, nullable=True, default=list)
    status: Mapped[str | None] = mapped_column(String, default="running", index=True)
    start_time: Mapped[dt.datetime | None] = mapped_column(DateTime, default=utcnow)
    end_time: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Added in schema version 2: a live run refreshes its heartbeat, so a run whose
    # process vanished (SIGKILL, power loss) can be told from one still working.
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    hostname: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)

    project: Mapped[Project] = relationship(back_populates="runs")
    metrics: Mapped[list[Metric]] = relationship(back_populates="run", order_by="Metric.id")
    artifacts: Mapped[list[Artifact]] = relationship(back_populates="run", order_by="Artifact.id")
    fingerprints: Mapped[list[Fingerprint]] = relationship(
        back_populates="run", order_by="Fingerprint.id"
    )


class Metric(Base):
    """One logged point: key, value, step, time."""

    __tablename__ = "metrics"
    # find_best_run scans one key in value order; per-run reads go by (run, key, step).
    __table_args__ = (
        Index("ix_metrics_key_value", "key", "value"),
        Index("ix_metrics_run_key_step", "run_id", "key", "step"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("experiments.id"), nullable=False, index=True)
    key: Mapped[str] = mapped_column(String, nullable=False, index=True)
    value: Mapped[float] = mapped_column(Float, nullable=False)
    step: Mapped[int] = mapped_column(Integer, nullable=False)
    timestamp: Mapped[dt.datetime | None] = mapped_column(DateTime, default=utcnow)

    run: Mapped[Experiment] = relationship(back_populates="metrics")


class Artifact(Base):
    """A file a run produced (checkpoint, plot), with its type and free-form metadata."""

    __tablename__ = "artifacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("experiments.id"), nullable=False, index=True)
    path: Mapped[str] = mapped_column(String, nullable=False)
    data_type: Mapped[str | None] = mapped_column(String)
    data_info: Mapped[Any] = mapped_column(JSON, nullable=True)

    run: Mapped[Experiment] = relationship(back_populates="artifacts")


class Fingerprint(Base):
    """A code fingerprint of a run: static (the code) or runtime (what it produced)."""

    __tablename__ = "fingerprints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("experiments.id"), nullable=False, index=True)
    trace_id: Mapped[str] = mapped_column(String, nullable=False, index=True)
    trace_type: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    fingerprint: Mapped[str] = mapped_column(String(128), nullable=False, index=True)

    run: Mapped[Experiment] = relationship(back_populates="fingerprints")
