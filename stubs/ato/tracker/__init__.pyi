# Generated from src/ato by stubs/generate.py; edit the source, then rerun it.

from argparse import Namespace
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from os import PathLike
from types import TracebackType
from typing import Any, NamedTuple, Self, TextIO, TypedDict

from sqlalchemy import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped

from ato.adict import ADict

__all__ = ["SQLFinder", "SQLLogger", "run_command"]

def run_command(args: Namespace, out: TextIO, err: TextIO) -> int: ...

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
        self,
        run_id: int,
        trace_id: str,
        trace_type: str = "static",
        *,
        details: bool = True,
    ) -> list[_RunRecord]: ...
    def get_trace_statistics(self, project_name: str, trace_id: str) -> _TraceStatistics: ...
    def find_stale_runs(
        self,
        max_age_seconds: float = 300.0,
        *,
        details: bool = False,
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
    def get_current_run(self) -> _Experiment | None: ...
    def log_metric(self, key: str, value: float, step: int) -> None: ...
    def log_metrics(self, metrics: Mapping[str, float], step: int) -> None: ...
    def flush(self) -> None: ...
    def log_artifact(
        self,
        run_id: int,
        file_path: str | PathLike[str],
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

class _TraceStatistics(TypedDict):
    project_name: str
    trace_id: str
    static_trace_versions: int
    runtime_trace_versions: int

class _Base(DeclarativeBase): ...

class _Project(_Base):
    id: Mapped[int]
    name: Mapped[str]
    description: Mapped[str | None]
    created_at: Mapped[datetime | None]
    runs: Mapped[list[_Experiment]]

class _Experiment(_Base):
    id: Mapped[int]
    project_id: Mapped[int]
    config: Mapped[Any]
    structural_hash: Mapped[str | None]
    tags: Mapped[Any]
    status: Mapped[str | None]
    start_time: Mapped[datetime | None]
    end_time: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    hostname: Mapped[str | None]
    pid: Mapped[int | None]
    project: Mapped[_Project]
    metrics: Mapped[list[_Metric]]
    artifacts: Mapped[list[_Artifact]]
    fingerprints: Mapped[list[_Fingerprint]]

class _Metric(_Base):
    id: Mapped[int]
    run_id: Mapped[int]
    key: Mapped[str]
    value: Mapped[float]
    step: Mapped[int]
    timestamp: Mapped[datetime | None]
    run: Mapped[_Experiment]

class _Artifact(_Base):
    id: Mapped[int]
    run_id: Mapped[int]
    path: Mapped[str]
    data_type: Mapped[str | None]
    data_info: Mapped[Any]
    run: Mapped[_Experiment]

class _Fingerprint(_Base):
    id: Mapped[int]
    run_id: Mapped[int]
    trace_id: Mapped[str]
    trace_type: Mapped[str]
    fingerprint: Mapped[str]
    run: Mapped[_Experiment]

class _ProjectRecord(NamedTuple):
    id: int
    name: str
    description: str | None
    created_at: datetime | None

class _MetricRecord(NamedTuple):
    id: int
    run_id: int
    key: str
    value: float
    step: int
    timestamp: datetime | None

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
    structural_hash: str | None
    status: str | None
    start_time: datetime | None
    end_time: datetime | None
    heartbeat_at: datetime | None
    hostname: str | None
    pid: int | None
    project: _ProjectRecord
    metrics: list[_MetricRecord]
    artifacts: list[_ArtifactRecord]
    fingerprints: list[_FingerprintRecord]
    def __init__(self, row: Sequence[Any], project: _ProjectRecord) -> None: ...
    @property
    def config(self) -> ADict: ...
    @property
    def tags(self) -> list[Any]: ...
    def latest_metrics(self) -> dict[str, float]: ...
    def __repr__(self) -> str: ...
