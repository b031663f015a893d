import datetime as dt
import os
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any, NamedTuple, Self, TypedDict

from sqlalchemy import Engine

from ato.adict import ADict

# SQLLogger.get_current_run returns the ORM row; its class lives in a private module.
from ato.tracker._models import Experiment

__all__ = ["SQLFinder", "SQLLogger"]

# What SQLFinder's queries return. The classes live in ato.tracker._records; they are
# described here, under private names, so that the finder's results are typed.
class _ProjectRecord(NamedTuple):
    id: int
    name: str
    description: str | None
    created_at: dt.datetime | None

class _MetricRecord(NamedTuple):
    id: int
    run_id: int
    key: str
    value: float
    step: int
    timestamp: dt.datetime | None

class _ArtifactRecord(NamedTuple):
    id: int
    run_id: int
    path: str
    data_type: str | None
    data_info: Any

class _FingerprintRecord(NamedTuple):
    id: int
    run_id: int
    trace_id: str
    trace_type: str
    fingerprint: str

class _RunRecord:
    id: int
    project_id: int
    project: _ProjectRecord
    structural_hash: str | None
    status: str | None
    start_time: dt.datetime | None
    end_time: dt.datetime | None
    heartbeat_at: dt.datetime | None
    hostname: str | None
    pid: int | None
    metrics: list[_MetricRecord]
    artifacts: list[_ArtifactRecord]
    fingerprints: list[_FingerprintRecord]
    @property
    def config(self) -> ADict: ...
    @property
    def tags(self) -> list[Any]: ...
    def latest_metrics(self) -> dict[str, float]: ...

class _TraceStatistics(TypedDict):
    project_name: str
    trace_id: str
    static_trace_versions: int
    runtime_trace_versions: int

class SQLFinder:
    config: Any
    db_url: str
    def __init__(self, config: Any) -> None: ...
    @property
    def engine(self) -> Engine: ...
    def find_project(self, project_name: str) -> _ProjectRecord | None: ...
    def list_projects(self) -> list[_ProjectRecord]: ...
    def find_run(self, run_id: int) -> _RunRecord | None: ...
    def get_runs_in_project(self, project_name: str, *, details: bool = True) -> list[_RunRecord]: ...
    def metric_keys(self, project_name: str) -> list[str]: ...
    def find_best_run(self, project_name: str, metric_key: str, mode: str = "max") -> _RunRecord | None: ...
    def find_similar_runs(self, run_id: int, *, details: bool = True) -> list[_RunRecord]: ...
    def find_similar_runs_by_trace(
        self, run_id: int, trace_id: str, trace_type: str = "static", *, details: bool = True
    ) -> list[_RunRecord]: ...
    def get_trace_statistics(self, project_name: str, trace_id: str) -> _TraceStatistics: ...
    def find_stale_runs(
        self, max_age_seconds: float = 300.0, *, details: bool = False
    ) -> list[_RunRecord]: ...
    def mark_stale_runs(self, max_age_seconds: float = 300.0, status: str = "killed") -> int: ...

class SQLLogger:
    config: Any
    project_name: str
    engine: Engine
    def __init__(
        self,
        config: Any,
        *,
        flush_every: int = 1000,
        flush_interval: float = 2.0,
        heartbeat_interval: float = 10.0,
    ) -> None: ...
    def run(self, tags: Iterable[str] | None = None, *, config: Any = None) -> int: ...
    def finish(self, status: str = "completed") -> None: ...
    def update_status(self, status: str) -> None: ...
    def get_current_run_id(self) -> int | None: ...
    @property
    def run_id(self) -> int | None: ...
    def get_current_run(self) -> Experiment | None: ...
    def log_metric(self, key: str, value: float, step: int) -> None: ...
    def log_metrics(self, metrics: Mapping[str, float], step: int) -> None: ...
    def flush(self) -> None: ...
    def log_artifact(
        self,
        run_id: int,
        file_path: str | os.PathLike[str],
        data_type: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> int: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
