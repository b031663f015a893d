"""SQLFinder: read runs, metrics, artifacts and fingerprints back from a tracker database.

Contract:

* ``SQLFinder(config)`` reads the database URL from ``config.experiment.sql.db_path``
  (an ``ADict``, a mapping, a pydantic model, any object with those attributes) or takes a
  URL string. Nothing is opened until the first query.
* Every query returns detached snapshots (:mod:`ato.tracker._records`): ``run.config`` is
  an ``ADict`` and ``run.project``, ``run.metrics``, ``run.artifacts``, ``run.fingerprints``
  are loaded eagerly, so results stay readable after the query's connection is closed.
  List queries take ``details=False`` to skip metrics, artifacts and fingerprints (their
  lists are then empty), for long listings.
* "Nothing matches" is ``None`` for single results (``find_project``, ``find_run``,
  ``find_best_run``) and ``[]`` for lists; an unknown project counts as a project without
  runs. ato 2.x returned ``{'error': ...}`` dicts from ``find_best_run`` and
  ``get_trace_statistics``.
* A finder never creates a database: a missing SQLite file, a malformed URL, a driver that
  is not installed or a file that is not a database raises ``ConfigError`` naming
  ``experiment.sql.db_path`` and the URL (password hidden). A database written by ato 2.x
  is upgraded in place on first use (``ensure_schema``: new columns and indexes).
* Lists are ordered by run id (oldest first); metrics, artifacts and fingerprints by id
  (logging order).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypedDict

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    Table,
    Text,
    distinct,
    func,
    inspect,
    select,
    type_coerce,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session

from ato.errors import ConfigError
from ato.tracker._config import DB_KEY, db_url
from ato.tracker._engine import ensure_schema, get_engine, safe_url, write
from ato.tracker._models import Base, utcnow
from ato.tracker._records import (
    RUN_COLUMNS,
    ArtifactRecord,
    FingerprintRecord,
    MetricRecord,
    ProjectRecord,
    RunRecord,
)
from ato.tracker._schema import TABLES
from ato.tracker._stale import mark_stale, stale_runs

__all__ = ["BEST_WINDOW", "SQLFinder", "TraceStatistics", "best_run_queries",
           "details_query", "similar_runs_filter"]

_MODES = ("max", "min")
_TRACE_TYPES = ("static", "runtime")

_projects: Table = Base.metadata.tables["projects"]
_runs: Table = Base.metadata.tables["experiments"]
_metrics: Table = Base.metadata.tables["metrics"]
_artifacts: Table = Base.metadata.tables["artifacts"]
_fingerprints: Table = Base.metadata.tables["fingerprints"]


# JSON columns read as their text: RunRecord decodes them when (if) they are read.
_RUN_FIELDS = tuple(
    type_coerce(_runs.c[name], Text) if name in ("config", "tags") else _runs.c[name]
    for name in RUN_COLUMNS
)


class TraceStatistics(TypedDict):
    """How many distinct fingerprints one trace has across a project's runs."""

    project_name: str
    trace_id: str
    static_trace_versions: int
    runtime_trace_versions: int


class SQLFinder:
    """Queries over a tracker database (see the module docstring for the contract).

    Args:
        config: A config holding ``experiment.sql.db_path`` (a SQLAlchemy URL such as
            ``sqlite:///experiments.db`` or ``postgresql+psycopg://host/db``), or the URL.

    Raises:
        ConfigError: the config has no ``experiment.sql.db_path``.
    """

    def __init__(self, config: Any) -> None:
        self.config = config
        self.db_url: str = config if isinstance(config, str) else db_url(config)
        self._engine: Engine | None = None

    # ------------------------------------------------------------------ connection
    @property
    def engine(self) -> Engine:
        """The database engine, opened (and its schema brought up to date) on first use.

        Raises:
            ConfigError: bad URL, missing SQLite file, unreadable database.
        """
        if self._engine is None:
            self._engine = _open(self.db_url)
        return self._engine

    def _load(self, conn: Connection, where: ColumnElement[bool], *, details: bool = True) -> list[RunRecord]:
        """Runs matching ``where`` (over ``experiments``), with their project and details."""
        rows = conn.execute(select(*_RUN_FIELDS).where(where).order_by(_runs.c.id)).all()
        if not rows:
            return []
        projects = {
            row.id: ProjectRecord(row.id, row.name, row.description, row.created_at)
            for row in conn.execute(select(_projects).where(_projects.c.id.in_({r[1] for r in rows})))
        }
        runs = {row[0]: RunRecord(row, projects[row[1]]) for row in rows}
        if details:
            for table, make, attribute in (
                (_metrics, MetricRecord, "metrics"),
                (_artifacts, ArtifactRecord, "artifacts"),
                (_fingerprints, FingerprintRecord, "fingerprints"),
            ):
                query = details_query(table, make._fields, where)
                lists = {run_id: getattr(run, attribute) for run_id, run in runs.items()}
                for row in conn.execute(query).all():
                    target = lists.get(row[1])  # run_id; None: a run added since the first read
                    if target is not None:
                        target.append(make._make(row))
        return list(runs.values())

    # ------------------------------------------------------------------ projects and runs
    def find_project(self, project_name: str) -> ProjectRecord | None:
        """The project of that name, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(_projects).where(_projects.c.name == project_name)).first()
        return None if row is None else ProjectRecord(row.id, row.name, row.description, row.created_at)

    def list_projects(self) -> list[ProjectRecord]:
        """Every project, by name."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(_projects).order_by(_projects.c.name)).all()
        return [ProjectRecord(r.id, r.name, r.description, r.created_at) for r in rows]

    def find_run(self, run_id: int) -> RunRecord | None:
        """The run with that id, or None."""
        with self.engine.connect() as conn:
            found = self._load(conn, _runs.c.id == run_id)
        return found[0] if found else None

    def get_runs_in_project(self, project_name: str, *, details: bool = True) -> list[RunRecord]:
        """Every run of the project (``[]`` for an unknown project), oldest first."""
        project = select(_projects.c.id).where(_projects.c.name == project_name).scalar_subquery()
        with self.engine.connect() as conn:
            return self._load(conn, _runs.c.project_id == project, details=details)

    def metric_keys(self, project_name: str) -> list[str]:
        """The metric keys the project's runs logged, sorted (``[]`` for an unknown project)."""
        query = (
            select(_metrics.c.key)
            .distinct()
            .join(_runs, _runs.c.id == _metrics.c.run_id)
            .join(_projects, _projects.c.id == _runs.c.project_id)
            .where(_projects.c.name == project_name)
            .order_by(_metrics.c.key)
        )
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    # ------------------------------------------------------------------ searches
    def find_best_run(self, project_name: str, metric_key: str, mode: str = "max") -> RunRecord | None:
        """The run of the project that logged the highest (``max``) or lowest (``min``)
        value of ``metric_key`` at any step; None when no run of the project logged it.

        Equal values go to the lowest run id. Raises ``ConfigError`` for another ``mode``.
        """
        window, walk = best_run_queries(project_name, metric_key, mode)
        with self.engine.connect() as conn:
            best = conn.execute(window).scalar()
            if best is None:
                best = conn.execute(walk).scalar()
            found = [] if best is None else self._load(conn, _runs.c.id == best)
        return found[0] if found else None

    def find_similar_runs(self, run_id: int, *, details: bool = True) -> list[RunRecord]:
        """Other runs (in any project) whose config has the same structural hash."""
        with self.engine.connect() as conn:
            return self._load(conn, similar_runs_filter(run_id), details=details)

    def find_similar_runs_by_trace(
        self, run_id: int, trace_id: str, trace_type: str = "static", *, details: bool = True
    ) -> list[RunRecord]:
        """Other runs (in any project) that recorded a fingerprint of ``trace_id`` that
        ``run_id`` also recorded (for a runtime trace, any of its fingerprints).

        Raises ``ConfigError`` for a ``trace_type`` other than ``static``/``runtime``.
        """
        _check_choice("trace_type", trace_type, _TRACE_TYPES)
        fp = _fingerprints
        mine = select(fp.c.fingerprint).where(
            fp.c.run_id == run_id, fp.c.trace_id == trace_id, fp.c.trace_type == trace_type
        )
        sharing = select(fp.c.run_id).where(
            fp.c.trace_id == trace_id, fp.c.trace_type == trace_type, fp.c.fingerprint.in_(mine)
        )
        with self.engine.connect() as conn:
            return self._load(conn, _runs.c.id.in_(sharing) & (_runs.c.id != run_id), details=details)

    def get_trace_statistics(self, project_name: str, trace_id: str) -> TraceStatistics:
        """How many distinct static and runtime fingerprints ``trace_id`` has in the
        project's runs (zeros for an unknown project or trace)."""
        fp = _fingerprints
        query = (
            select(fp.c.trace_type, func.count(distinct(fp.c.fingerprint)))
            .join(_runs, _runs.c.id == fp.c.run_id)
            .join(_projects, _projects.c.id == _runs.c.project_id)
            .where(_projects.c.name == project_name, fp.c.trace_id == trace_id)
            .group_by(fp.c.trace_type)
        )
        with self.engine.connect() as conn:
            counts: dict[str, int] = {str(kind): int(n) for kind, n in conn.execute(query).all()}
        return TraceStatistics(
            project_name=project_name,
            trace_id=trace_id,
            static_trace_versions=counts.get("static", 0),
            runtime_trace_versions=counts.get("runtime", 0),
        )

    # ------------------------------------------------------------------ stale runs
    def find_stale_runs(self, max_age_seconds: float = 300.0, *, details: bool = False) -> list[RunRecord]:
        """Runs still marked ``running`` whose last sign of life (heartbeat, else start
        time) is more than ``max_age_seconds`` old: their process most likely died.

        Keep ``max_age_seconds`` well above the loggers' heartbeat interval (minutes).
        """
        cut = _cut_off(max_age_seconds)
        with Session(self.engine) as session:
            ids = [run.id for run in stale_runs(session, cut)]
        if not ids:
            return []
        with self.engine.connect() as conn:
            return self._load(conn, _runs.c.id.in_(ids), details=details)

    def mark_stale_runs(self, max_age_seconds: float = 300.0, status: str = "killed") -> int:
        """Close the runs :meth:`find_stale_runs` finds: set ``status`` (and the end time
        to the last heartbeat) in one update; returns how many runs changed."""
        cut = _cut_off(max_age_seconds)

        def work(conn: Connection) -> int:
            with Session(bind=conn) as session:
                return mark_stale(session, cut, status)

        return write(self.engine, work)


# ---------------------------------------------------------------------- query builders
# How many of the key's best points (all projects) the first look at find_best_run reads.
BEST_WINDOW = 100


def best_run_queries(
    project_name: str, metric_key: str, mode: str = "max"
) -> tuple[Select[tuple[int]], Select[tuple[int]]]:
    """find_best_run's two queries for the best run's id (exposed for EXPLAIN in tests).

    The first reads the ``BEST_WINDOW`` best points of ``metric_key`` over all projects
    from ``ix_metrics_key_value`` and keeps the first whose run is in the project: a
    handful of index entries, whatever the size of the history. When the project has none
    of them (a small project next to big ones), the second walks the project's runs
    (``ix_experiments_project_id``) and their points (``ix_metrics_run_id``): work in
    proportion to the project, not to the database. ``key || ''`` keeps SQLite's planner
    from taking the key index there, which would read every point of the key again.
    Equal values go to the lowest run id.
    """
    _check_choice("mode", mode, _MODES)
    project = select(_projects.c.id).where(_projects.c.name == project_name).scalar_subquery()
    value = _metrics.c.value
    top = (
        select(_metrics.c.run_id, value)
        .where(_metrics.c.key == metric_key, value.is_not(None))
        .order_by(value.desc() if mode == "max" else value.asc(), _metrics.c.run_id)
        .limit(BEST_WINDOW)
        .subquery("top")
    )
    window = (
        select(top.c.run_id)
        .join(_runs, _runs.c.id == top.c.run_id)
        .where(_runs.c.project_id == project)
        .order_by(top.c.value.desc() if mode == "max" else top.c.value.asc(), top.c.run_id)
        .limit(1)
    )
    walk = (
        select(_metrics.c.run_id)
        .join(_runs, _runs.c.id == _metrics.c.run_id)
        .where(_runs.c.project_id == project, (_metrics.c.key + "") == metric_key, value.is_not(None))
        .order_by(value.desc() if mode == "max" else value.asc(), _metrics.c.run_id)
        .limit(1)
    )
    return window, walk


def details_query(table: Table, fields: Iterable[str], where: ColumnElement[bool]) -> Select[Any]:
    """Rows of ``table`` (metrics, artifacts, fingerprints) of the runs matching ``where``,
    by run then id: ``run_id IN (subquery)`` probes ``ix_<table>_run_id`` once per run."""
    ids = select(_runs.c.id).where(where)
    query = select(*(table.c[name] for name in fields)).where(table.c.run_id.in_(ids))
    return query.order_by(table.c.run_id, table.c.id)


def similar_runs_filter(run_id: int) -> ColumnElement[bool]:
    """Runs with the structural hash of ``run_id``, other than it (uses the hash index)."""
    target = select(_runs.c.structural_hash).where(_runs.c.id == run_id).scalar_subquery()
    return (_runs.c.structural_hash == target) & (_runs.c.id != run_id)


# ---------------------------------------------------------------------- helpers
def _check_choice(key: str, value: object, choices: Iterable[str]) -> None:
    allowed = tuple(choices)
    if value not in allowed:
        raise ConfigError(key=key, expected=" or ".join(repr(c) for c in allowed), got=value)


def _cut_off(max_age_seconds: float) -> dt.datetime:
    if not max_age_seconds >= 0:  # also refuses NaN
        raise ConfigError(key="max_age_seconds", expected="a number of seconds >= 0", got=max_age_seconds)
    return utcnow() - dt.timedelta(seconds=max_age_seconds)


def _open(url_text: str) -> Engine:
    """The engine for ``url_text``, schema up to date; never creates a database.

    Raises:
        ConfigError: bad URL or driver (from ``get_engine``), missing SQLite file, a
            database without tracker tables, or one that cannot be read.
    """
    _refuse_missing_file(url_text)
    engine = get_engine(url_text)
    try:
        with engine.connect() as conn:
            found = set(inspect(conn).get_table_names()) & set(TABLES)
        if not found:
            raise ConfigError(key=DB_KEY, got=safe_url(engine),
                              detail="no tracker tables: nothing has been logged to this database")
        ensure_schema(engine)
    except SQLAlchemyError as err:
        reason = str(getattr(err, "orig", None) or err).splitlines()[0]
        raise ConfigError(key=DB_KEY, got=safe_url(engine),
                          detail=f"cannot read the database ({reason})") from None
    return engine


def _refuse_missing_file(url_text: str) -> None:
    """A SQLite URL naming a file that does not exist: connecting would create it."""
    try:
        url = make_url(url_text)
    except ArgumentError:
        return  # get_engine reports a malformed URL
    if url.get_backend_name() != "sqlite":
        return
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:") or url.query.get("mode") == "memory":
        return
    if not Path(database).is_file():
        raise ConfigError(key=DB_KEY, got=safe_url(url),
                          detail=f"no SQLite database file at {database}")
