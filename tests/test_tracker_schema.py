"""Schema versions: a new database, an ato 2.x database upgraded in place, refusals."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from _tracker_util import make_config, query, raw, spawn, sqlite_url
from sqlalchemy.orm import Session

from ato.errors import ConfigError
from ato.tracker import SQLLogger
from ato.tracker._engine import get_engine
from ato.tracker._models import Experiment

# What ato 2.2.1 creates: its tables dumped from sqlite_master after `create_all`
# (captured once with ato 2.2.1 and SQLAlchemy 2.1.9; CI has no ato 2.x to ask).
ATO2_DDL = """
CREATE TABLE projects (
	id INTEGER NOT NULL,
	name VARCHAR NOT NULL,
	description TEXT,
	created_at DATETIME,
	PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_projects_name ON projects (name);
CREATE TABLE experiments (
	id INTEGER NOT NULL,
	project_id INTEGER NOT NULL,
	config JSON NOT NULL,
	structural_hash VARCHAR(64),
	tags JSON,
	status VARCHAR,
	start_time DATETIME,
	end_time DATETIME,
	PRIMARY KEY (id),
	FOREIGN KEY(project_id) REFERENCES projects (id)
);
CREATE INDEX ix_experiments_status ON experiments (status);
CREATE INDEX ix_experiments_structural_hash ON experiments (structural_hash);
CREATE INDEX ix_experiments_project_id ON experiments (project_id);
CREATE TABLE metrics (
	id INTEGER NOT NULL,
	run_id INTEGER NOT NULL,
	"key" VARCHAR NOT NULL,
	value FLOAT NOT NULL,
	step INTEGER NOT NULL,
	timestamp DATETIME,
	PRIMARY KEY (id),
	FOREIGN KEY(run_id) REFERENCES experiments (id)
);
CREATE INDEX ix_metrics_run_id ON metrics (run_id);
CREATE INDEX ix_metrics_key ON metrics ("key");
CREATE TABLE artifacts (
	id INTEGER NOT NULL,
	run_id INTEGER NOT NULL,
	path VARCHAR NOT NULL,
	data_type VARCHAR,
	data_info JSON,
	PRIMARY KEY (id),
	FOREIGN KEY(run_id) REFERENCES experiments (id)
);
CREATE INDEX ix_artifacts_run_id ON artifacts (run_id);
CREATE TABLE fingerprints (
	id INTEGER NOT NULL,
	run_id INTEGER NOT NULL,
	trace_id VARCHAR NOT NULL,
	trace_type VARCHAR(32) NOT NULL,
	fingerprint VARCHAR(128) NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(run_id) REFERENCES experiments (id)
);
CREATE INDEX ix_fingerprints_trace_id ON fingerprints (trace_id);
CREATE INDEX ix_fingerprints_fingerprint ON fingerprints (fingerprint);
CREATE INDEX ix_fingerprints_run_id ON fingerprints (run_id);
CREATE INDEX ix_fingerprints_trace_type ON fingerprints (trace_type);
"""

# A run as ato 2.2.1's SQLLogger wrote it (values copied from such a database).
ATO2_CONFIG = {
    "experiment": {"project_name": "legacy", "sql": {"db_path": "sqlite:///old.db"}},
    "lr": 0.01,
    "model": {"depth": 3},
}
ATO2_ROWS = f"""
INSERT INTO projects VALUES (1, 'legacy', NULL, '2025-03-01 10:00:00.997318');
INSERT INTO experiments VALUES (1, 1, '{json.dumps(ATO2_CONFIG)}',
    'ed51b4f2c90c14a76eee1c150be2219f275ea53e', '["old"]', 'completed',
    '2025-03-01 10:00:01.001591', '2025-03-01 10:05:00.013540');
INSERT INTO metrics VALUES (1, 1, 'loss', 1.0, 0, '2025-03-01 10:00:00.927737');
INSERT INTO metrics VALUES (2, 1, 'loss', 0.5, 1, '2025-03-01 10:00:00.927737');
INSERT INTO metrics VALUES (3, 1, 'loss', 0.3333333333333333, 2, '2025-03-01 10:00:00.927737');
INSERT INTO artifacts VALUES (1, 1, 'ckpt.pt', 'model', '{{"epoch": 2}}');
INSERT INTO fingerprints VALUES (1, 1, 'model_forward', 'static', 'abc');
"""

NEW_INDEXES = {"ix_metrics_key_value", "ix_metrics_run_key_step", "ix_experiments_heartbeat_at"}


def _ato2_db(path: Path, *, rows: bool = True) -> Path:
    with raw(path) as conn:
        conn.executescript(ATO2_DDL + (ATO2_ROWS if rows else ""))
    return path


def _columns(db: Path, table: str) -> list[str]:
    return [row[1] for row in query(db, f"PRAGMA table_info({table})")]


def _indexes(db: Path) -> set[str]:
    rows = query(db, "SELECT name FROM sqlite_master WHERE type = 'index'")
    return {name for (name,) in rows if not name.startswith("sqlite_autoindex")}


def test_new_database_gets_current_schema(tmp_path: Path) -> None:
    """An empty file gets all tables, the new columns and indexes, and version 2."""
    db = tmp_path / "new.db"
    SQLLogger(make_config(sqlite_url(db)))
    tables = {name for (name,) in query(db, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"ato_meta", "projects", "experiments", "metrics", "artifacts", "fingerprints"}
    assert _columns(db, "experiments")[-3:] == ["heartbeat_at", "hostname", "pid"]
    assert _indexes(db) >= NEW_INDEXES
    assert query(db, "SELECT key, value FROM ato_meta") == [("schema_version", "2")]


def test_ato2_database_upgraded_in_place(tmp_path: Path) -> None:
    """A 2.x database gains the new columns and indexes, keeps its data and takes new runs."""
    db = _ato2_db(tmp_path / "old.db")
    old_indexes = _indexes(db)
    logger = SQLLogger(make_config(sqlite_url(db), project="legacy", lr=0.02, model={"depth": 4}))

    assert _columns(db, "experiments") == [
        "id", "project_id", "config", "structural_hash", "tags", "status", "start_time", "end_time",
        "heartbeat_at", "hostname", "pid",
    ]
    assert _indexes(db) == old_indexes | NEW_INDEXES
    assert query(db, "SELECT value FROM ato_meta WHERE key = 'schema_version'") == [("2",)]
    # The 2.x rows are untouched; the new columns are empty for them.
    assert query(db, "SELECT status, heartbeat_at, hostname, pid FROM experiments") == [
        ("completed", None, None, None)
    ]
    assert query(db, "SELECT key, value, step FROM metrics ORDER BY id") == [
        ("loss", 1.0, 0), ("loss", 0.5, 1), ("loss", 0.3333333333333333, 2)
    ]
    with Session(get_engine(sqlite_url(db))) as session:
        old = session.get(Experiment, 1)
        assert old is not None and old.config == ATO2_CONFIG and old.tags == ["old"]
        assert [m.value for m in old.metrics] == [1.0, 0.5, 0.3333333333333333]
        assert [a.data_info for a in old.artifacts] == [{"epoch": 2}]

    run_id = logger.run(tags=["new"])
    logger.log_metric("loss", 0.25, 0)
    logger.finish()
    assert run_id == 2
    assert query(db, "SELECT project_id, status, pid IS NOT NULL FROM experiments WHERE id = 2") == [
        (1, "completed", 1)
    ]
    assert query(db, "SELECT count(*) FROM projects") == [(1,)]
    assert query(db, "SELECT run_id, value FROM metrics WHERE id > 3") == [(2, 0.25)]


def test_ato2_database_opened_by_several_processes_at_once(tmp_path: Path) -> None:
    """Processes upgrading one 2.x database at the same moment all succeed, once."""
    db = _ato2_db(tmp_path / "old.db")
    script = """
        import sys, time
        from ato.adict import ADict
        from ato.tracker import SQLLogger
        time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
        cfg = ADict(experiment=ADict(project_name="legacy", sql=ADict(db_path=sys.argv[1])))
        logger = SQLLogger(cfg)
        logger.run()
        logger.log_metric("loss", 0.1, 0)
        logger.finish()
    """
    start = f"{time.time() + 2.0:.3f}"
    dirs = [tmp_path / f"p{i}" for i in range(4)]
    for d in dirs:
        d.mkdir()
    procs = [spawn(script, sqlite_url(db), start, cwd=d) for d in dirs]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert _columns(db, "experiments").count("heartbeat_at") == 1
    assert query(db, "SELECT count(*) FROM ato_meta") == [(1,)]
    assert query(db, "SELECT count(*), count(DISTINCT run_id) FROM metrics WHERE id > 3") == [(4, 4)]


def test_newer_version_refused(tmp_path: Path) -> None:
    """A database written by a newer ato is refused with its version and an upgrade hint."""
    db = tmp_path / "future.db"
    SQLLogger(make_config(sqlite_url(db)))
    with raw(db) as conn:
        with conn:
            conn.execute("UPDATE ato_meta SET value = '7' WHERE key = 'schema_version'")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # all into the main file, for the copy
    future = tmp_path / "future-copy.db"  # a new URL: this process has not checked it yet
    future.write_bytes(db.read_bytes())
    with pytest.raises(ConfigError) as info:
        SQLLogger(make_config(sqlite_url(future)))
    message = str(info.value)
    assert info.value.key == "experiment.sql.db_path"
    assert "schema version 7" in message and "upgrade ato" in message and "future-copy.db" in message


@pytest.mark.parametrize(
    ("ddl", "named"),
    [
        (ATO2_DDL.split("CREATE TABLE metrics", maxsplit=1)[0], "metrics, artifacts, fingerprints"),
        (ATO2_DDL.replace("\tstep INTEGER NOT NULL,\n", ""), "metrics.step"),
        (ATO2_DDL + "CREATE TABLE ato_meta (key VARCHAR(64) PRIMARY KEY, value VARCHAR(256));",
         "schema_version"),
    ],
    ids=["missing-tables", "missing-column", "no-version-row"],
)
def test_unknown_layouts_refused(tmp_path: Path, ddl: str, named: str) -> None:
    """A partial or damaged layout is refused, naming what is missing; nothing is changed."""
    db = tmp_path / "odd.db"
    with raw(db) as conn:
        conn.executescript(ddl)
    before = query(db, "SELECT name FROM sqlite_master ORDER BY name")
    with pytest.raises(ConfigError) as info:
        SQLLogger(make_config(sqlite_url(db)))
    assert named in str(info.value)
    assert query(db, "SELECT name FROM sqlite_master ORDER BY name") == before


def test_foreign_tables_left_alone(tmp_path: Path) -> None:
    """A database holding only other tables gets the tracker's next to them."""
    db = tmp_path / "shared.db"
    with raw(db) as conn, conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        conn.execute("INSERT INTO notes (text) VALUES ('keep me')")
    logger = SQLLogger(make_config(sqlite_url(db)))
    logger.run()
    logger.finish()
    assert query(db, "SELECT text FROM notes") == [("keep me",)]
    assert query(db, "SELECT count(*) FROM experiments") == [(1,)]
