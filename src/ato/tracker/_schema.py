"""Schema versions of the tracker's database, and the in-place upgrade from ato 2.x.

The database records its version in ``ato_meta`` (key ``schema_version``):

* version 1 is the layout ato 2.x created: the five tables (``projects``,
  ``experiments``, ``metrics``, ``artifacts``, ``fingerprints``) and no ``ato_meta``;
* version 2 (this code) adds ``experiments.heartbeat_at/hostname/pid``, the composite
  metric indexes and ``ato_meta`` itself.

Opening a database: no tracker tables -> create them all and record version 2; the 2.x
layout -> add the new columns and indexes (the 2.x rows stay as they are, and 2.x code
can still read and write them: every addition is a nullable column or an index) and
record 2; a newer version -> :class:`~ato.errors.ConfigError` asking to upgrade ato; any
other layout -> ``ConfigError`` naming what is missing. Nothing is ever dropped.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, delete, insert, inspect, select, text

from ato.errors import ConfigError
from ato.tracker._engine import DB_KEY, safe_url
from ato.tracker._models import Base, Meta

__all__ = ["CURRENT_VERSION", "TABLES", "is_current", "migrate", "read_version"]

CURRENT_VERSION = 2
TABLES = ("projects", "experiments", "metrics", "artifacts", "fingerprints")
VERSION_KEY = "schema_version"

# Columns this version added to 2.x tables; an upgrade adds them, nothing else may be missing.
_ADDED_IN_2: dict[str, tuple[str, ...]] = {"experiments": ("heartbeat_at", "hostname", "pid")}

# Any constant works; it only has to be the same for every process migrating a PG database.
_PG_MIGRATION_LOCK = 0x61746F5F736368  # "ato_sch"


def read_version(conn: Connection) -> int | None:
    """The recorded schema version, or None when ``ato_meta`` holds none.

    Raises:
        ConfigError: The recorded value is not an integer.
    """
    raw = conn.scalar(select(Meta.value).where(Meta.key == VERSION_KEY))
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise _error(conn, f"ato_meta.{VERSION_KEY} is {raw!r}, not a version number") from None


def is_current(engine: Engine) -> bool:
    """Whether the database already holds this version's schema (a read-only check).

    Raises:
        ConfigError: The database records a version newer than this code knows.
    """
    with engine.connect() as conn:
        names = set(inspect(conn).get_table_names())
        if Meta.__tablename__ not in names:
            return False
        version = read_version(conn)
        if version is not None and version > CURRENT_VERSION:
            raise _newer(conn, version)
        return version == CURRENT_VERSION and all(t in names for t in TABLES)


def migrate(conn: Connection) -> None:
    """Create or upgrade the schema; run inside a write transaction (see ``_engine.write``).

    Args:
        conn: A connection in a write transaction; SQLite's ``BEGIN IMMEDIATE`` (or, on
            PostgreSQL, an advisory lock taken here) keeps concurrent openers in line.

    Raises:
        ConfigError: A newer version, a missing version record, or a partial layout.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
    names = set(inspect(conn).get_table_names())
    present = [t for t in TABLES if t in names]
    missing = [t for t in TABLES if t not in names]
    if Meta.__tablename__ in names:
        version = read_version(conn)
        if version is None:
            raise _error(conn, f"table ato_meta has no {VERSION_KEY} row; the database is damaged")
        if version > CURRENT_VERSION:
            raise _newer(conn, version)
        if version == CURRENT_VERSION:
            if missing:
                raise _error(conn, f"schema version {version} but table(s) {', '.join(missing)} missing")
            _check_columns(conn, added_ok=False)
            return
    elif not present:
        Base.metadata.create_all(conn)
        _set_version(conn)
        return
    if missing:
        raise _error(
            conn,
            f"has tracker table(s) {', '.join(present)} but not {', '.join(missing)}: "
            "neither an ato 2.x nor an ato 3 tracker database (or a damaged one)",
        )
    _upgrade(conn)


def _upgrade(conn: Connection) -> None:
    """From the 2.x layout: add the new columns and indexes, then record the version."""
    absent = _check_columns(conn, added_ok=True)
    prep = conn.dialect.identifier_preparer
    for table_name, column_name in absent:
        column = Base.metadata.tables[table_name].c[column_name]
        col_type = column.type.compile(dialect=conn.dialect)
        # ADD COLUMN of a nullable column without default: instant on SQLite and PostgreSQL.
        table_sql, column_sql = prep.format_table(column.table), prep.format_column(column)
        conn.exec_driver_sql(f"ALTER TABLE {table_sql} ADD COLUMN {column_sql} {col_type}")
    for table in Base.metadata.sorted_tables:
        table.create(conn, checkfirst=True)  # ato_meta
        for index in table.indexes:
            index.create(conn, checkfirst=True)
    _set_version(conn)


def _check_columns(conn: Connection, *, added_ok: bool) -> list[tuple[str, str]]:
    """Columns of the current models that the database lacks.

    Returns:
        The missing ``(table, column)`` pairs this version added (only when ``added_ok``).

    Raises:
        ConfigError: Any other column is missing.
    """
    insp = inspect(conn)
    absent: list[tuple[str, str]] = []
    wrong: list[str] = []
    for table_name in TABLES:
        have = {c["name"] for c in insp.get_columns(table_name)}
        allowed = _ADDED_IN_2.get(table_name, ()) if added_ok else ()
        for column in Base.metadata.tables[table_name].columns:
            if column.name in have:
                continue
            if column.name in allowed:
                absent.append((table_name, column.name))
            else:
                wrong.append(f"{table_name}.{column.name}")
    if wrong:
        raise _error(conn, f"the tracker tables lack column(s) {', '.join(wrong)}")
    return absent


def _set_version(conn: Connection) -> None:
    conn.execute(delete(Meta).where(Meta.key == VERSION_KEY))
    conn.execute(insert(Meta).values(key=VERSION_KEY, value=str(CURRENT_VERSION)))


def _newer(conn: Connection, version: int) -> ConfigError:
    return _error(
        conn,
        f"the database has schema version {version}, written by a newer ato; this ato "
        f"knows versions up to {CURRENT_VERSION}: upgrade ato (pip install -U ato)",
    )


def _error(conn: Connection, detail: str) -> ConfigError:
    return ConfigError(key=DB_KEY, got=safe_url(conn.engine), detail=f"tracker database: {detail}")
