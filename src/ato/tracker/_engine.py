"""Engines for the tracker: one per database URL per process, set up for many writers.

SQLite is the default backend and the one most runs write to, often from several
processes at once (a hyperparameter search, data-parallel ranks). What makes that safe:

* WAL journal mode, so readers never block the writer and the writer never blocks readers;
* a busy timeout, so a writer waits for the lock instead of failing at once;
* write transactions opened with ``BEGIN IMMEDIATE``: the write lock is taken up front, so a
  transaction never has to upgrade a read snapshot to a write (that upgrade fails with
  "database is locked" at once, without waiting for the busy timeout);
* :func:`write`, which retries a whole transaction with backoff when the database still
  reports itself locked or busy.

PostgreSQL (``postgresql+psycopg://...``) handles concurrency itself; its connections are
pinged before use because runs that span machines keep connections open for hours.
"""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from ato.errors import ConfigError
from ato.tracker._config import DB_KEY

__all__ = ["DB_KEY", "ensure_schema", "get_engine", "is_sqlite", "retrying", "safe_url", "write"]

T = TypeVar("T")

# Seconds a SQLite connection waits for another writer's lock before reporting "locked".
BUSY_TIMEOUT_S = 30.0
# How long :func:`write` keeps retrying a transaction that still finds the database locked.
RETRY_FOR_S = 120.0

_WRITE_OPTION = "ato_write"

_lock = threading.Lock()
_engines: dict[str, tuple[int, Engine]] = {}
_schema_ready: set[tuple[str, int]] = set()


def get_engine(url: str) -> Engine:
    """The process's engine for ``url``, created on first use and cached.

    Fork-safe: a child process that inherited the cache gets a new engine; the inherited
    one is disposed of without closing the parent's connections.

    Args:
        url: A SQLAlchemy URL, e.g. ``sqlite:///runs/experiments.db`` or
            ``postgresql+psycopg://user:pw@host/db``.

    Returns:
        The cached engine. For a SQLite file, the file's directory exists afterwards.

    Raises:
        ConfigError: ``url`` is not a URL SQLAlchemy can use, or its driver is missing;
            the message names ``experiment.sql.db_path`` and the value.
    """
    pid = os.getpid()
    with _lock:
        hit = _engines.get(url)
        if hit is not None:
            if hit[0] == pid:
                return hit[1]
            # Inherited through fork: the pool's connections belong to the parent, and
            # closing them here would break the parent's open transactions.
            hit[1].dispose(close=False)
        engine = _create(url)
        _engines[url] = (pid, engine)
        return engine


def ensure_schema(engine: Engine) -> None:
    """Make the database hold the tracker's current schema (once per process and URL).

    Creates the tables in an empty database and upgrades an ato 2.x one in place; see
    ``ato.tracker._schema``. Safe when several processes open one database at once.

    Args:
        engine: An engine from :func:`get_engine`.

    Raises:
        ConfigError: The database cannot be opened (not a database, server down, access
            refused), was written by a newer ato, or holds a partial or unknown layout;
            the message names ``experiment.sql.db_path`` and says what is wrong.
    """
    key = (engine.url.render_as_string(hide_password=False), os.getpid())
    if key in _schema_ready:
        return
    from ato.tracker import _schema

    try:
        if not retrying(lambda: _schema.is_current(engine)):
            write(engine, _schema.migrate)
    except SQLAlchemyError as exc:
        # Not a database, server unreachable, authentication refused: the configured
        # URL is what the user has to fix, so the error names it.
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        detail = f"cannot open the database ({reason})"
        raise ConfigError(key=DB_KEY, got=safe_url(engine), detail=detail) from None
    _schema_ready.add(key)


def write(engine: Engine, work: Callable[[Connection], T]) -> T:
    """Run ``work`` in one write transaction, retried with backoff while the DB is locked.

    On SQLite the transaction starts with ``BEGIN IMMEDIATE``. ``work`` must be safe to
    run again: a retried attempt starts from a rolled-back transaction.

    Args:
        engine: An engine from :func:`get_engine`.
        work: Called with a connection inside the transaction; its result is returned.

    Returns:
        What ``work`` returned, after the commit.

    Raises:
        sqlalchemy.exc.OperationalError: Still locked after ``RETRY_FOR_S`` seconds.
        Exception: Whatever ``work`` or the database raised otherwise.
    """

    def attempt() -> T:
        with engine.connect() as conn:
            conn.execution_options(**{_WRITE_OPTION: True})
            with conn.begin():
                return work(conn)

    return retrying(attempt)


def retrying(attempt: Callable[[], T]) -> T:
    """Call ``attempt`` until it does not fail with a transient database error.

    Transient: SQLite's "database is locked" / "busy", a dropped server connection,
    PostgreSQL's serialization failure or deadlock. Retries use jittered exponential
    backoff (5 ms doubling to 0.5 s) for up to ``RETRY_FOR_S`` seconds.

    Returns:
        What ``attempt`` returned.

    Raises:
        sqlalchemy.exc.DBAPIError: The error persisted past the deadline, or is not transient.
    """
    deadline = time.monotonic() + RETRY_FOR_S
    delay = 0.005
    while True:
        try:
            return attempt()
        except DBAPIError as exc:
            if not _retryable(exc) or time.monotonic() >= deadline:
                raise
        # Jittered: writers that collided must not retry in step.
        time.sleep(delay * (1.0 + random.random()))  # noqa: S311 - timing jitter, not crypto
        delay = min(delay * 2.0, 0.5)


def is_sqlite(engine: Engine) -> bool:
    """Whether ``engine`` talks to SQLite."""
    return engine.dialect.name == "sqlite"


def safe_url(engine_or_url: Engine | URL | str) -> str:
    """The URL as text with its password hidden, for error messages."""
    if isinstance(engine_or_url, Engine):
        return engine_or_url.url.render_as_string(hide_password=True)
    if isinstance(engine_or_url, URL):
        return engine_or_url.render_as_string(hide_password=True)
    try:
        return make_url(engine_or_url).render_as_string(hide_password=True)
    except ArgumentError:
        return engine_or_url


def _retryable(exc: DBAPIError) -> bool:
    if exc.connection_invalidated:
        return True  # a dropped server connection: the pool hands out a fresh one
    if isinstance(exc, OperationalError):
        text = str(exc.orig).lower()
        if "locked" in text or "busy" in text:
            return True
    # PostgreSQL serialization failure / deadlock: the transaction may simply run again.
    return getattr(exc.orig, "sqlstate", None) in {"40001", "40P01"}


def _bad_url(url: object, detail: str) -> ConfigError:
    shown = safe_url(url) if isinstance(url, str) else url
    return ConfigError(
        key=DB_KEY,
        expected="a SQLAlchemy URL such as 'sqlite:///experiments.db' or "
        "'postgresql+psycopg://user:password@host/db'",
        got=shown,
        detail=detail,
    )


def _create(url: str) -> Engine:
    if not isinstance(url, str) or not url.strip():
        raise _bad_url(url, "the database URL is empty")
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise _bad_url(url, f"not a URL ({exc})") from None
    kwargs: dict[str, Any] = {}
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite:
        if _is_memory(parsed):
            # One shared connection, or every checkout would see a different, empty DB.
            kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
        else:
            kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_S}
            _make_parent(parsed, url)
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(parsed, **kwargs)
    except NoSuchModuleError:
        raise _bad_url(url, f"unknown database kind {parsed.drivername!r}") from None
    except ImportError as exc:
        hint = "for PostgreSQL: pip install 'ato[postgres]'"
        raise _bad_url(url, f"its driver is not installed ({exc.name or exc}); {hint}") from None
    except (ArgumentError, TypeError, ValueError) as exc:
        raise _bad_url(url, str(exc)) from None
    if sqlite:
        _tune_sqlite(engine, memory=_is_memory(parsed))
    return engine


def _is_memory(url: URL) -> bool:
    db = url.database or ""
    return db in ("", ":memory:") or url.query.get("mode") == "memory"


def _make_parent(url: URL, raw: str) -> None:
    db = url.database or ""
    if db.startswith("file:"):
        return  # a SQLite URI filename: its path syntax is SQLite's business
    try:
        Path(db).parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _bad_url(raw, f"cannot create the directory of the database file ({exc})") from None


def _tune_sqlite(engine: Engine, *, memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # SQLAlchemy emits BEGIN itself (below); the driver's own implicit BEGIN would
        # start every transaction DEFERRED.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            if not memory:
                _enter_wal(cur)
                # Under WAL, NORMAL loses no committed transaction on a process crash
                # (only, possibly, the last ones on power loss) and syncs far less.
                cur.execute("PRAGMA synchronous = NORMAL")
            cur.execute("PRAGMA foreign_keys = ON")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _enter_wal(cur: Any) -> None:
    """Switch the database to WAL, retrying while another connection holds it locked.

    Switching needs an exclusive lock for a moment, and SQLite reports a conflict at
    once instead of waiting for the busy timeout: several processes opening a new
    database together would otherwise fail with "database is locked".
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    delay = 0.005
    while True:
        try:
            cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            text = str(exc).lower()
            if ("locked" not in text and "busy" not in text) or time.monotonic() >= deadline:
                raise
        time.sleep(delay * (1.0 + random.random()))  # noqa: S311 - timing jitter, not crypto
        delay = min(delay * 2.0, 0.25)
