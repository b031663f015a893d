"""SQLFinder on databases SQLLogger wrote: SQLite, and PostgreSQL given ATO_TEST_POSTGRES_URL."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import pickle
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from _tracker_util import PG_ENV
from pydantic import BaseModel
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

import ato.trace
from ato.adict import ADict
from ato.errors import ConfigError
from ato.tracker import SQLFinder, SQLLogger, _finder
from ato.tracker._engine import ensure_schema, get_engine
from ato.tracker._models import Experiment, Metric, Project

PROJECT = "image_classification"


def config(url: str, project: str = PROJECT, **values: Any) -> ADict:
    """A run config in the spec's shape: experiment.sql.db_path and experiment.project_name."""
    return ADict(experiment=ADict(project_name=project, sql=ADict(db_path=url)), **values)


def log_run(
    url: str,
    project: str,
    values: dict[str, Any],
    metrics: Sequence[tuple[str, float, int]] = (),
    traces: Sequence[tuple[str, str, str]] = (),
    tags: Sequence[str] = (),
) -> int:
    """One finished run through SQLLogger, with exactly ``traces`` recorded for it."""
    ato.trace.clear()
    for trace in traces:
        ato.trace.record(*trace)
    logger = SQLLogger(config(url, project, **values))
    run_id = logger.run(tags=list(tags))
    for key, value, step in metrics:
        logger.log_metric(key, value, step=step)
    logger.log_artifact(run_id, f"checkpoints/{run_id}.pt", data_type="model", metadata={"epoch": 4})
    logger.finish(status="completed")
    ato.trace.clear()
    return run_id


def curve(key: str, values: Sequence[float]) -> list[tuple[str, float, int]]:
    return [(key, v, step) for step, v in enumerate(values)]


BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(
        not os.environ.get(PG_ENV), reason=f"{PG_ENV} is not set (a PostgreSQL server URL)")),
]


@contextlib.contextmanager
def fresh_database(backend: str, directory: Path) -> Iterator[str]:
    """The URL of a new, empty database: a SQLite file, or a PostgreSQL database dropped after."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'experiments.db'}"
        return
    server = make_url(os.environ[PG_ENV])
    name = f"ato_finder_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        get_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each backend, for one test."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="module", params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Five runs in two projects; runs 1, 2 and 4 share a config structure."""
    with fresh_database(request.param, tmp_path_factory.mktemp("finder")) as url:
        yield _fill(url)


def _fill(url: str) -> dict[str, Any]:
    fwd_a, fwd_b = ("model_forward", "static", "a" * 64), ("model_forward", "static", "b" * 64)
    ids = {
        "r1": log_run(url, PROJECT, {"lr": 0.001, "batch_size": 32, "model": "resnet50"},
                      curve("val_accuracy", [0.5, 0.7, 0.8]) + curve("train_loss", [1.0, 0.6, 0.4]),
                      [fwd_a, ("data", "runtime", "1" * 64)], ["baseline", "resnet50"]),
        "r2": log_run(url, PROJECT, {"lr": 0.01, "batch_size": 64, "model": "vit"},
                      curve("val_accuracy", [0.6, 0.9, 0.85]) + curve("train_loss", [0.9, 0.5, 0.45]),
                      [fwd_a, ("data", "runtime", "2" * 64)], ["vit"]),
        "r3": log_run(url, PROJECT, {"lr": 0.1, "batch_size": 32, "model": "resnet50", "extra": {"d": 1}},
                      curve("val_accuracy", [0.4, 0.3]) + curve("train_loss", [2.0, 0.3]),
                      [fwd_b, ("data", "runtime", "1" * 64)]),
        "r4": log_run(url, "other", {"lr": 0.5, "batch_size": 8, "model": "mlp"},
                      curve("val_accuracy", [0.99]) + curve("train_loss", [0.01]), [fwd_a]),
        "r5": log_run(url, PROJECT, {"lr": 0.2, "batch_size": 32, "model": "resnet50", "extra": {"d": 2}}),
    }
    return {"url": url, **ids}


@pytest.fixture
def finder(db: dict[str, Any]) -> SQLFinder:
    """A finder configured the spec's way, from an ADict config."""
    return SQLFinder(config(db["url"]))


def test_spec_querying_example(db: dict[str, Any], finder: SQLFinder) -> None:
    """The spec's 'Querying Experiments' example runs as written and reads what was logged."""
    runs = finder.get_runs_in_project("image_classification")
    lines = [f"Run {run.id}: {run.config.model} - {run.status}" for run in runs]
    assert lines == [f"Run {db[r]}: {m} - completed" for r, m in
                     (("r1", "resnet50"), ("r2", "vit"), ("r3", "resnet50"), ("r5", "resnet50"))]

    best_run = finder.find_best_run(
        project_name="image_classification", metric_key="val_accuracy", mode="max"
    )
    assert best_run is not None and best_run.id == db["r2"]
    assert f"Best config: {best_run.config}".startswith("Best config: {")

    similar = finder.find_similar_runs(run_id=db["r1"])
    assert {r.id for r in similar} == {db["r2"], db["r4"]}

    stats = finder.get_trace_statistics("image_classification", trace_id="model_forward")
    assert f"Model forward pass has {stats['static_trace_versions']} versions" == (
        "Model forward pass has 2 versions"
    )


def test_spec_comparison_example(finder: SQLFinder) -> None:
    """The spec's experiment-comparison loop reads run.metrics after the query returned."""
    lines = []
    for run in finder.get_runs_in_project("image_classification"):
        final_metrics = [m for m in run.metrics if m.key == "val_accuracy"]
        best_acc = max(m.value for m in final_metrics) if final_metrics else 0
        lines.append(f"LR: {run.config.lr}, Batch: {run.config.batch_size} → Acc: {best_acc:.2%}")
    assert lines == [
        "LR: 0.001, Batch: 32 → Acc: 80.00%",
        "LR: 0.01, Batch: 64 → Acc: 90.00%",
        "LR: 0.1, Batch: 32 → Acc: 40.00%",
        "LR: 0.2, Batch: 32 → Acc: 0.00%",
    ]


def test_results_are_detached_snapshots(db: dict[str, Any], finder: SQLFinder) -> None:
    """After the engine is disposed, config, project, metrics, artifacts and traces still read."""
    run = finder.find_run(db["r1"])
    assert run is not None
    finder.engine.dispose()
    assert isinstance(run.config, ADict)
    assert run.config.model == "resnet50" and run.config.experiment.project_name == PROJECT
    assert run.project.name == PROJECT and run.tags == ["baseline", "resnet50"]
    assert [(m.key, m.value, m.step) for m in run.metrics if m.key == "val_accuracy"] == [
        ("val_accuracy", 0.5, 0), ("val_accuracy", 0.7, 1), ("val_accuracy", 0.8, 2)]
    assert [(a.path, a.data_type, a.data_info) for a in run.artifacts] == [
        (f"checkpoints/{db['r1']}.pt", "model", {"epoch": 4})]
    assert {(f.trace_id, f.trace_type) for f in run.fingerprints} == {
        ("model_forward", "static"), ("data", "runtime")}
    assert run.latest_metrics() == {"train_loss": 0.4, "val_accuracy": 0.8}
    copy = pickle.loads(pickle.dumps(run))
    assert copy.config == run.config and copy.metrics == run.metrics


def test_changing_a_result_never_touches_the_database(db: dict[str, Any], finder: SQLFinder) -> None:
    """Editing run.config or run.status on a result changes nothing stored."""
    run = finder.find_run(db["r1"])
    assert run is not None
    run.config.model = "changed"
    run.status = "changed"
    again = finder.find_run(db["r1"])
    assert again is not None and again.config.model == "resnet50" and again.status == "completed"


def test_single_results_are_none_when_nothing_matches(finder: SQLFinder) -> None:
    """Unknown project, unknown run, unlogged metric: None (2.x returned {'error': ...} dicts)."""
    assert finder.find_project("nope") is None
    assert finder.find_run(10_000) is None
    assert finder.find_best_run("nope", "val_accuracy") is None
    assert finder.find_best_run(PROJECT, "no_such_metric") is None
    assert finder.get_runs_in_project("nope") == []
    assert finder.find_similar_runs(10_000) == []


def test_find_best_run_modes(db: dict[str, Any], finder: SQLFinder) -> None:
    """max and min pick over every point of the project's runs, ignoring other projects."""
    assert finder.find_best_run(PROJECT, "train_loss", mode="min").id == db["r3"]  # type: ignore[union-attr]
    assert finder.find_best_run(PROJECT, "train_loss", mode="max").id == db["r3"]  # type: ignore[union-attr]
    assert finder.find_best_run("other", "val_accuracy").id == db["r4"]  # type: ignore[union-attr]
    with pytest.raises(ConfigError, match="mode: expected 'max' or 'min', got 'best'"):
        finder.find_best_run(PROJECT, "val_accuracy", mode="best")


def test_find_best_run_in_a_small_project_next_to_a_big_one(fresh_url: str) -> None:
    """A project whose points are all outside the global top window is still searched right."""
    url = fresh_url
    many = _finder.BEST_WINDOW + 20
    big = log_run(url, "big", {"lr": 1.0}, curve("acc", [0.9 + i / 10_000 for i in range(many)]))
    small = [log_run(url, "small", {"lr": lr}, curve("acc", [lr, lr / 2])) for lr in (0.1, 0.3, 0.2)]
    finder = SQLFinder(url)
    assert finder.find_best_run("small", "acc", "max").id == small[1]  # type: ignore[union-attr]
    assert finder.find_best_run("small", "acc", "min").id == small[0]  # type: ignore[union-attr]
    assert finder.find_best_run("big", "acc", "min").id == big  # type: ignore[union-attr]


def test_find_best_run_ties_go_to_the_lowest_run_id(fresh_url: str) -> None:
    """Equal best values: the earliest run wins, in both modes."""
    url = fresh_url
    first, _ = (log_run(url, "p", {"i": i}, curve("acc", [0.5, 0.7, 0.5])) for i in range(2))
    finder = SQLFinder(url)
    assert finder.find_best_run("p", "acc", "max").id == first  # type: ignore[union-attr]
    assert finder.find_best_run("p", "acc", "min").id == first  # type: ignore[union-attr]


def test_find_similar_runs_by_trace(db: dict[str, Any], finder: SQLFinder) -> None:
    """Runs sharing the run's fingerprint of one trace, in any project; static by default."""
    def similar(run: str, trace_id: str, *trace_type: str) -> list[int]:
        return [r.id for r in finder.find_similar_runs_by_trace(db[run], trace_id, *trace_type)]

    assert similar("r1", "model_forward") == [db["r2"], db["r4"]]
    assert similar("r3", "model_forward") == []
    assert similar("r1", "data", "runtime") == [db["r3"]]
    assert finder.find_similar_runs_by_trace(db["r1"], "data", "static") == []
    with pytest.raises(ConfigError, match="trace_type"):
        finder.find_similar_runs_by_trace(db["r1"], "data", "dynamic")


def test_trace_statistics(finder: SQLFinder) -> None:
    """Distinct fingerprints per trace type within the project; zeros when nothing matches."""
    assert finder.get_trace_statistics(PROJECT, "data") == {
        "project_name": PROJECT, "trace_id": "data", "static_trace_versions": 0, "runtime_trace_versions": 2}
    assert finder.get_trace_statistics("other", "model_forward")["static_trace_versions"] == 1
    assert finder.get_trace_statistics("nope", "model_forward")["static_trace_versions"] == 0


def test_details_false_skips_metrics_artifacts_fingerprints(db: dict[str, Any], finder: SQLFinder) -> None:
    """details=False reads the runs only: the child lists stay empty, config still reads."""
    runs = finder.get_runs_in_project(PROJECT, details=False)
    assert [r.metrics + r.artifacts + r.fingerprints for r in runs] == [[], [], [], []]  # type: ignore[operator]
    assert runs[0].config.lr == 0.001


def test_projects_and_metric_keys(finder: SQLFinder) -> None:
    """list_projects is sorted by name; metric_keys lists what a project logged."""
    assert [p.name for p in finder.list_projects()] == [PROJECT, "other"]
    assert finder.metric_keys(PROJECT) == ["train_loss", "val_accuracy"]
    assert finder.metric_keys("nope") == []


def test_config_may_be_a_pydantic_model_or_a_url(db: dict[str, Any]) -> None:
    """The URL comes from experiment.sql.db_path of a model, or is given as a string."""

    class Sql(BaseModel):
        db_path: str

    class Experiment_(BaseModel):
        sql: Sql
        project_name: str = PROJECT

    class Config(BaseModel):
        experiment: Experiment_

    model = Config(experiment=Experiment_(sql=Sql(db_path=db["url"])))
    assert SQLFinder(model).find_run(db["r1"]) is not None
    assert SQLFinder(db["url"]).find_run(db["r1"]) is not None
    with pytest.raises(ConfigError, match=r"experiment\.sql\.db_path"):
        SQLFinder(ADict(lr=1))


def test_a_missing_sqlite_file_is_an_error_and_is_not_created(tmp_path: Path) -> None:
    """Reading never creates a database: a missing file is a ConfigError naming the path."""
    finder = SQLFinder(f"sqlite:///{tmp_path / 'sub' / 'nope.db'}")
    with pytest.raises(ConfigError, match=r"experiment\.sql\.db_path: no SQLite database file at .*nope\.db"):
        finder.find_run(1)
    assert list(tmp_path.iterdir()) == []


def test_a_database_without_tracker_tables_is_an_error_and_left_alone(tmp_path: Path) -> None:
    """An empty SQLite file is reported, and no table is created in it."""
    path = tmp_path / "empty.db"
    path.touch()
    with pytest.raises(ConfigError, match="no tracker tables"):
        SQLFinder(f"sqlite:///{path}").list_projects()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == []


def _plant_running_run(url: str, heartbeat_age_s: float) -> int:
    engine = get_engine(url)
    ensure_schema(engine)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with Session(engine) as session:
        project = session.scalars(select(Project).where(Project.name == "p")).first() or Project(name="p")
        run = Experiment(project=project, config={"lr": 1}, status="running", start_time=now,
                         heartbeat_at=now - dt.timedelta(seconds=heartbeat_age_s))
        session.add(run)
        session.commit()
        return run.id


def test_stale_runs_are_found_and_marked(fresh_url: str) -> None:
    """A `running` run with an old heartbeat is stale; marking sets status and end time."""
    url = fresh_url
    dead = _plant_running_run(url, heartbeat_age_s=3600)
    alive = _plant_running_run(url, heartbeat_age_s=1)
    finder = SQLFinder(url)
    assert [r.id for r in finder.find_stale_runs(max_age_seconds=600)] == [dead]
    assert finder.mark_stale_runs(max_age_seconds=600) == 1
    run = finder.find_run(dead)
    assert run is not None and run.status == "killed" and run.end_time is not None
    assert finder.find_run(alive).status == "running"  # type: ignore[union-attr]
    assert finder.find_stale_runs(max_age_seconds=600) == []
    with pytest.raises(ConfigError, match="max_age_seconds"):
        finder.find_stale_runs(max_age_seconds=-1)


# ---------------------------------------------------------------------- query plans
def explain(engine: Engine, statement: Any) -> str:
    """SQLite's EXPLAIN QUERY PLAN of a statement, one step per line."""
    compiled = statement.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as conn:
        return "\n".join(row[3] for row in conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """Enough history (300 runs x 20 points, 3 projects) for SQLite to plan as it would at scale."""
    url = f"sqlite:///{tmp_path_factory.mktemp('plans') / 'h.db'}"
    engine = get_engine(url)
    ensure_schema(engine)
    with Session(engine) as session:
        projects = [Project(name=f"p{i}") for i in range(3)]
        for i in range(300):
            run = Experiment(project=projects[i % 3], config={"lr": i}, structural_hash=f"h{i % 10}")
            run.metrics = [
                Metric(key=("acc", "loss")[s % 2], value=(i * s) % 97 / 97, step=s) for s in range(20)
            ]
            session.add(run)
        session.commit()
    return engine


def test_best_run_queries_use_the_metric_indexes(history: Engine) -> None:
    """The window reads ix_metrics_key_value; the project walk goes by project then run."""
    window, walk = _finder.best_run_queries("p1", "acc", "max")
    plan = explain(history, window)
    assert "ix_metrics_key_value" in plan and "SCAN metrics" not in plan
    plan = explain(history, walk)
    assert "ix_experiments_project_id" in plan and "ix_metrics_run_" in plan
    assert "ix_metrics_key" not in plan and "SCAN metrics" not in plan


def test_similar_runs_and_details_use_indexes(history: Engine) -> None:
    """find_similar_runs looks the hash up by index; details load by run_id index, no full scan."""
    where = _finder.similar_runs_filter(5)
    plan = explain(history, select(_finder._runs.c.id).where(where))
    assert "ix_experiments_structural_hash" in plan and "SCAN experiments" not in plan
    for table in (_finder._metrics, _finder._artifacts, _finder._fingerprints):
        plan = explain(history, _finder.details_query(table, ("id", "run_id"), where))
        assert f"ix_{table.name}_run_id" in plan or "ix_metrics_run_key_step" in plan, plan
        assert f"SCAN {table.name}" not in plan, plan
