"""SQLLogger in one process: the spec's example, buffering, artifacts, configs, errors."""

from __future__ import annotations

import json
import math
import threading
import time
from pathlib import Path

import pytest
from _tracker_util import make_config, poll, query, spawn, sqlite_url
from pydantic import BaseModel

from ato.adict import ADict
from ato.errors import ConfigError
from ato.tracker import SQLLogger

FAR = 3600.0  # an interval that never elapses during a test


def _count(db: Path, run_id: int | None = None) -> int:
    if run_id is None:
        return int(query(db, "SELECT count(*) FROM metrics")[0][0])
    return int(query(db, "SELECT count(*) FROM metrics WHERE run_id = ?", run_id)[0][0])


def test_spec_logging_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The spec's logging example runs as written against a real SQLite file."""
    monkeypatch.chdir(tmp_path)
    losses = iter(1.0 / (e + 1) for e in range(100))
    accuracies = iter(e / 100 for e in range(100))

    def train_one_epoch() -> float:
        return next(losses)

    def validate() -> float:
        return next(accuracies)

    best_epoch = 99
    from ato.db_routers.sql.manager import SQLLogger as CompatLogger

    config = ADict(
        experiment=ADict(project_name="image_classification", sql=ADict(db_path="sqlite:///experiments.db")),
        lr=0.001,
        batch_size=32,
        model="resnet50",
    )
    logger = CompatLogger(config)
    run_id = logger.run(tags=["baseline", "resnet50", "cifar10"])
    for epoch in range(100):
        train_loss = train_one_epoch()
        val_acc = validate()
        logger.log_metric("train_loss", train_loss, step=epoch)
        logger.log_metric("val_accuracy", val_acc, step=epoch)
    logger.log_artifact(run_id, "checkpoints/model_best.pt",
                        data_type="model",
                        metadata={"epoch": best_epoch})
    logger.finish(status="completed")

    db = tmp_path / "experiments.db"
    [(name,)] = query(db, "SELECT name FROM projects")
    assert name == "image_classification"
    [(cfg, shash, tags, status, end)] = query(
        db, "SELECT config, structural_hash, tags, status, end_time FROM experiments WHERE id = ?", run_id
    )
    assert json.loads(cfg) == config.to_dict()
    assert shash == config.get_structural_hash()
    assert json.loads(tags) == ["baseline", "resnet50", "cifar10"]
    assert (status, end is not None) == ("completed", True)
    rows = query(db, "SELECT key, value, step FROM metrics WHERE run_id = ? ORDER BY id", run_id)
    assert len(rows) == 200
    assert rows[:2] == [("train_loss", 1.0, 0), ("val_accuracy", 0.0, 0)]
    assert rows[-1] == ("val_accuracy", 0.99, 99)
    [(path, kind, info)] = query(db, "SELECT path, data_type, data_info FROM artifacts")
    assert (path, kind, json.loads(info)) == ("checkpoints/model_best.pt", "model", {"epoch": 99})


def test_sqlite_settings_and_new_columns(tmp_path: Path) -> None:
    """The file is in WAL mode, its directory is created, and the run records host and pid."""
    db = tmp_path / "deep" / "er" / "runs.db"
    logger = SQLLogger(make_config(sqlite_url(db)))
    with logger.engine.connect() as conn:
        pragmas = [conn.exec_driver_sql(f"PRAGMA {p}").scalar() for p in ("journal_mode", "foreign_keys")]
        assert pragmas == ["wal", 1]
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    run_id = logger.run()
    [(host, pid, beat, status)] = query(db, "SELECT hostname, pid, heartbeat_at, status FROM experiments")
    assert host and pid > 0 and beat is not None and status == "running"
    assert query(db, "SELECT value FROM ato_meta WHERE key = 'schema_version'") == [("2",)]
    logger.finish()
    assert logger.get_current_run_id() is None and run_id == 1


def test_flush_by_count(tmp_path: Path) -> None:
    """Points reach the database in whole batches of ``flush_every``."""
    db = tmp_path / "e.db"
    config = make_config(sqlite_url(db))
    logger = SQLLogger(config, flush_every=10, flush_interval=FAR, heartbeat_interval=FAR)
    logger.run()
    for step in range(25):
        logger.log_metric("loss", step, step)
    assert _count(db) == 20
    logger.finish()
    assert _count(db) == 25


def test_flush_by_age_on_log_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A log call writes the buffer once its oldest point is older than ``flush_interval``."""
    monkeypatch.setattr(SQLLogger, "_start_ticker", lambda self, run_id: None)  # no background thread
    db = tmp_path / "e.db"
    logger = SQLLogger(make_config(sqlite_url(db)), flush_every=10**6, flush_interval=0.2)
    logger.run()
    logger.log_metric("loss", 1.0, 0)
    time.sleep(0.3)
    assert _count(db) == 0
    logger.log_metric("loss", 0.5, 1)
    assert _count(db) == 2
    logger.finish()


def test_flush_by_age_in_background(tmp_path: Path) -> None:
    """With no further log call, the background thread writes aged points."""
    db = tmp_path / "e.db"
    logger = SQLLogger(make_config(sqlite_url(db)), flush_every=10**6, flush_interval=0.2)
    logger.run()
    for step in range(3):
        logger.log_metric("loss", 1.0, step)
    assert _count(db) == 0
    assert poll(lambda: _count(db) == 3, timeout=10)
    logger.finish()


def test_heartbeat_moves_while_idle(tmp_path: Path) -> None:
    """The background thread refreshes ``heartbeat_at`` of an idle running run."""
    db = tmp_path / "e.db"
    logger = SQLLogger(make_config(sqlite_url(db)), heartbeat_interval=0.1)
    run_id = logger.run()
    [(first,)] = query(db, "SELECT heartbeat_at FROM experiments WHERE id = ?", run_id)
    assert poll(lambda: query(db, "SELECT heartbeat_at FROM experiments")[0][0] > first, timeout=10)
    logger.finish()


def test_log_metrics_mapping(tmp_path: Path) -> None:
    """``log_metrics`` stores every key of the mapping at the same step and time."""
    db = tmp_path / "e.db"
    logger = SQLLogger(make_config(sqlite_url(db)))
    run_id = logger.run()
    logger.log_metrics({"loss": 0.5, "acc": 0.9}, step=3)
    logger.log_metrics({"loss": 0.25}, 4)
    logger.finish()
    rows = query(db, "SELECT key, value, step, timestamp FROM metrics WHERE run_id = ? ORDER BY id", run_id)
    assert [r[:3] for r in rows] == [("loss", 0.5, 3), ("acc", 0.9, 3), ("loss", 0.25, 4)]
    assert rows[0][3] == rows[1][3]


def test_metric_values_and_timestamps(tmp_path: Path) -> None:
    """Numbers of any numeric type are stored as floats with a UTC timestamp; NaN warns."""
    import numpy as np

    db = tmp_path / "e.db"
    logger = SQLLogger(make_config(sqlite_url(db)))
    logger.run()
    before = time.time()
    logger.log_metric("a", np.float32(0.5), np.int64(1))
    logger.log_metric("a", math.inf, 2)
    with pytest.warns(RuntimeWarning, match="NaN"):
        logger.log_metric("a", math.nan, 3)
    logger.log_metric("a", math.nan, 4)  # warned once per key
    with pytest.raises(TypeError):
        logger.log_metric("a", 1.0, 2.5)  # type: ignore[arg-type]
    logger.finish()
    rows = query(db, "SELECT value, step, timestamp FROM metrics ORDER BY id")
    assert [r[:2] for r in rows] == [(0.5, 1), (math.inf, 2)]
    import datetime as dt

    stamp = dt.datetime.fromisoformat(rows[0][2]).replace(tzinfo=dt.UTC).timestamp()
    assert before - 1 <= stamp <= time.time() + 1


def test_artifacts(tmp_path: Path) -> None:
    """Artifacts are stored with type and metadata; an unknown run id is refused."""
    db = tmp_path / "e.db"
    logger = SQLLogger(make_config(sqlite_url(db)))
    run_id = logger.run()
    art = logger.log_artifact(run_id, tmp_path / "plot.png", "plot", {"dpi": 120, "path": Path("x")})
    logger.log_artifact(run_id, "model.pt", data_type="model")
    with pytest.raises(ValueError, match="no run with id 999"):
        logger.log_artifact(999, "x.pt", "model")
    logger.finish()
    rows = query(db, "SELECT id, run_id, path, data_type, data_info FROM artifacts ORDER BY id")
    assert rows[0] == (art, run_id, str(tmp_path / "plot.png"), "plot", '{"dpi": 120, "path": "x"}')
    assert rows[1][2:] == ("model.pt", "model", None)


class _Sql(BaseModel):
    db_path: str


class _Experiment(BaseModel):
    project_name: str
    sql: _Sql


class _TrainConfig(BaseModel):
    experiment: _Experiment
    lr: float = 0.001
    layers: tuple[int, ...] = (64, 64)


def test_pydantic_config(tmp_path: Path) -> None:
    """A pydantic model is stored as its JSON dump with the schema's declared-type hash."""
    from ato.schema import schema_hash

    db = tmp_path / "e.db"
    cfg = _TrainConfig(experiment=_Experiment(project_name="typed", sql=_Sql(db_path=sqlite_url(db))))
    logger = SQLLogger(cfg)
    run_id = logger.run(tags=("typed",))
    logger.log_metric("loss", 0.1, 0)
    logger.finish()
    [(name, cfg_json, shash, tags)] = query(
        db,
        "SELECT p.name, e.config, e.structural_hash, e.tags FROM experiments e "
        "JOIN projects p ON p.id = e.project_id WHERE e.id = ?",
        run_id,
    )
    assert name == "typed"
    assert json.loads(cfg_json) == cfg.model_dump(mode="json")
    assert shash == schema_hash(_TrainConfig)
    assert json.loads(tags) == ["typed"]


def test_config_values_made_json_ready(tmp_path: Path) -> None:
    """Paths, tuples, sets, NumPy values and non-finite floats do not stop a run."""
    import numpy as np

    db = tmp_path / "e.db"
    cfg = make_config(
        sqlite_url(db), out=Path("runs"), shape=(2, 3), names={"b", "a"}, w=np.arange(3), patience=math.inf
    )
    logger = SQLLogger(cfg)
    logger.run()
    logger.finish()
    stored = json.loads(query(db, "SELECT config FROM experiments")[0][0])
    assert (stored["out"], stored["shape"], stored["names"]) == ("runs", [2, 3], ["a", "b"])
    assert (stored["w"], stored["patience"]) == ([0, 1, 2], "inf")


@pytest.mark.parametrize(
    ("config", "key", "shown"),
    [
        (ADict(experiment=ADict(project_name="p")), "experiment.sql.db_path", "missing"),
        (make_config(None), "experiment.sql.db_path", "None"),  # type: ignore[arg-type]
        (make_config("not a url"), "experiment.sql.db_path", "'not a url'"),
        (make_config("nosuchdb://host/x"), "experiment.sql.db_path", "nosuchdb"),
        (make_config("postgresql+nodriver://u:secret@h/x"), "experiment.sql.db_path", "***"),
        (make_config("postgresql+psycopg://u:secret@127.0.0.1:1/x"), "experiment.sql.db_path", "cannot open"),
        (ADict(experiment=ADict(sql=ADict(db_path="sqlite://"))), "experiment.project_name", "missing"),
    ],
)
def test_config_errors(config: ADict, key: str, shown: str) -> None:
    """A missing key or unusable URL is a ConfigError naming the key and the value."""
    with pytest.raises(ConfigError) as info:
        SQLLogger(config)
    assert info.value.key == key
    assert key in str(info.value) and shown in str(info.value)
    assert "secret" not in str(info.value)


def test_not_a_database_file(tmp_path: Path) -> None:
    """A file that is not a SQLite database is a ConfigError naming the key and the file."""
    bogus = tmp_path / "notes.db"
    bogus.write_text("this is not a database\n" * 100)
    with pytest.raises(ConfigError, match=r"experiment\.sql\.db_path: cannot open the database .*notes\.db"):
        SQLLogger(make_config(sqlite_url(bogus)))


def test_fingerprints_stored_once(tmp_path: Path) -> None:
    """Fingerprints recorded before the run and during it are stored once each."""
    import ato.trace

    ato.trace.clear()
    db = tmp_path / "e.db"
    try:
        ato.trace.record("model_forward", "static", "aaa")
        logger = SQLLogger(make_config(sqlite_url(db)))
        run_id = logger.run()
        ato.trace.record("train_step", "runtime", "bbb")
        logger.log_metric("loss", 1.0, 0)
        logger.flush()
        logger.flush()
        logger.finish()
    finally:
        ato.trace.clear()
    sql = "SELECT trace_id, trace_type, fingerprint FROM fingerprints WHERE run_id = ? ORDER BY id"
    rows = query(db, sql, run_id)
    assert rows == [("model_forward", "static", "aaa"), ("train_step", "runtime", "bbb")]


@pytest.mark.parametrize(
    ("exc", "status"), [(None, "completed"), (RuntimeError, "failed"), (KeyboardInterrupt, "killed")]
)
def test_context_manager_status(tmp_path: Path, exc: type[BaseException] | None, status: str) -> None:
    """Leaving ``with SQLLogger(...)`` closes the run: completed, failed, or killed on Ctrl-C."""
    db = tmp_path / "e.db"
    caught: BaseException | None = None
    try:
        with SQLLogger(make_config(sqlite_url(db)), flush_interval=FAR) as logger:
            logger.run()
            logger.log_metric("loss", 1.0, 0)
            if exc is not None:
                raise exc
    except (RuntimeError, KeyboardInterrupt) as error:
        caught = error
    assert type(caught) is exc if exc else caught is None
    assert query(db, "SELECT status FROM experiments") == [(status,)]
    assert _count(db) == 1


def test_second_run_finishes_the_first(tmp_path: Path) -> None:
    """``run()`` on a logger with an open run completes that run, its points written."""
    db = tmp_path / "e.db"
    logger = SQLLogger(make_config(sqlite_url(db)), flush_interval=FAR)
    first = logger.run()
    logger.log_metric("loss", 1.0, 0)
    second = logger.run()
    logger.log_metric("loss", 2.0, 0)
    logger.finish("failed")
    statuses = query(db, "SELECT id, status FROM experiments ORDER BY id")
    assert statuses == [(first, "completed"), (second, "failed")]
    assert (_count(db, first), _count(db, second)) == (1, 1)
    logger.finish()  # nothing open: no-op


def test_log_before_run_is_an_error(tmp_path: Path) -> None:
    """Logging with no open run raises instead of writing orphan points."""
    logger = SQLLogger(make_config(sqlite_url(tmp_path / "e.db")))
    with pytest.raises(RuntimeError, match="run\\(\\)"):
        logger.log_metric("loss", 1.0, 0)


def test_shared_logger_across_threads(tmp_path: Path) -> None:
    """Threads sharing one logger lose and duplicate no point."""
    db = tmp_path / "e.db"
    logger = SQLLogger(make_config(sqlite_url(db)), flush_every=97)
    run_id = logger.run()

    def work(worker: int) -> None:
        for step in range(3000):
            logger.log_metric(f"w{worker}", step, step)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    logger.finish()
    sql = "SELECT key, count(*), count(DISTINCT step) FROM metrics WHERE run_id = ? GROUP BY key"
    rows = query(db, sql, run_id)
    assert sorted(rows) == [(f"w{i}", 3000, 3000) for i in range(4)]


def test_in_memory_database() -> None:
    """``sqlite://`` (in memory) works, background thread included."""
    logger = SQLLogger(make_config("sqlite://"), flush_interval=0.05)
    run_id = logger.run()
    logger.log_metric("loss", 1.0, 0)
    time.sleep(0.2)
    logger.finish()
    with logger.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM metrics WHERE run_id = ?", (run_id,)).scalar() == 1


def test_engine_cached_and_fork_safe(tmp_path: Path) -> None:
    """One engine per URL per process; a forked child gets its own and can write."""
    from ato.tracker._engine import get_engine

    url = sqlite_url(tmp_path / "e.db")
    assert get_engine(url) is get_engine(url)
    script = """
        import os, sys
        from ato.tracker._engine import ensure_schema, get_engine
        url = sys.argv[1]
        parent = get_engine(url)
        ensure_schema(parent)
        with parent.connect() as c:
            c.exec_driver_sql("SELECT 1")
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            child = get_engine(url)
            with child.begin() as c:
                c.exec_driver_sql("INSERT INTO projects (name) VALUES ('from-child')")
            os.write(w, b"new" if child is not parent else b"same")
            os._exit(0)
        os.waitpid(pid, 0)
        print(os.read(r, 10).decode(), get_engine(url) is parent)
    """
    proc = spawn(script, url, cwd=tmp_path)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out.split() == ["new", "True"]
    assert query(tmp_path / "e.db", "SELECT name FROM projects") == [("from-child",)]


def test_status_update_and_current_run(tmp_path: Path) -> None:
    """``update_status`` writes a status without closing; ``get_current_run`` reads the row."""
    db = tmp_path / "e.db"
    logger = SQLLogger(make_config(sqlite_url(db)), flush_interval=FAR)
    assert logger.get_current_run() is None
    run_id = logger.run(tags="single")
    logger.log_metric("loss", 1.0, 0)
    logger.update_status("pruned")
    current = logger.get_current_run()
    assert current is not None and (current.id, current.status, current.end_time) == (run_id, "pruned", None)
    assert current.tags == ["single"] and _count(db) == 1
    logger.finish("pruned")
    assert query(db, "SELECT status, end_time IS NOT NULL FROM experiments") == [("pruned", 1)]
    with pytest.raises(ValueError, match="positive"):
        SQLLogger(make_config(sqlite_url(db)), flush_every=0)
