"""``SQLLogger``: records runs, with metrics buffered in memory and written in batches.

A metric point costs the caller one tuple appended to a list under a lock. Points reach
the database in one transaction per batch (a single executemany), when the batch is full
(``flush_every`` points), when its oldest point is ``flush_interval`` seconds old (checked
at each log call and by a background thread), and at ``finish``, at interpreter exit, on an
uncaught exception and on SIGTERM/SIGINT (see ``_hooks``). The same background thread
refreshes the run's heartbeat, so a run whose process vanished can be found
(``_stale``). A batch that cannot be written goes back to the buffer, so nothing is lost.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import warnings
from collections.abc import Iterable, Mapping
from operator import index
from types import TracebackType
from typing import Any, Self

from sqlalchemy import null
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ato.tracker import _hooks
from ato.tracker._config import config_record, db_url, jsonable, project_name
from ato.tracker._engine import ensure_schema, get_engine, is_sqlite, write
from ato.tracker._models import Experiment
from ato.tracker._writes import (
    NewRun,
    Point,
    Trace,
    add_artifact,
    encode_points,
    recorded_traces,
    write_batch,
)

__all__ = ["SQLLogger"]

_log = logging.getLogger("ato.tracker")
_time = time.time


class SQLLogger:
    """Record runs of one project into the database named by the config.

    Args:
        config: An ADict (or mapping) or a pydantic model instance with
            ``experiment.sql.db_path`` (a SQLAlchemy URL; a SQLite file's directory is
            created) and ``experiment.project_name``.
        flush_every: Write the buffered points once this many are waiting.
        flush_interval: ... or once the oldest has waited this many seconds.
        heartbeat_interval: Refresh the run's ``heartbeat_at`` at least this often.

    Raises:
        ConfigError: A key is missing, the URL is unusable, or the database has a schema
            this version cannot use; the message names the key and the value.
        ValueError: A non-positive ``flush_every`` or interval.

    Use it as a context manager to have the run marked ``failed`` (``killed`` for Ctrl-C)
    when the block raises; without one, an uncaught exception does the same through
    ``sys.excepthook``. One logger may be shared by threads.
    """

    def __init__(
        self,
        config: Any,
        *,
        flush_every: int = 1000,
        flush_interval: float = 2.0,
        heartbeat_interval: float = 10.0,
    ) -> None:
        if flush_every < 1 or flush_interval <= 0 or heartbeat_interval <= 0:
            raise ValueError("flush_every, flush_interval and heartbeat_interval must be positive")
        self.config = config
        self.project_name = project_name(config)
        self.engine = get_engine(db_url(config))
        ensure_schema(self.engine)
        self._flush_every = int(flush_every)
        self._flush_interval = float(flush_interval)
        self._heartbeat_interval = float(heartbeat_interval)
        self._sqlite = is_sqlite(self.engine)
        # Reentrant: a SIGTERM handler runs in the main thread and may interrupt a
        # log_metric call that holds the lock; it must still be able to flush.
        self._lock = threading.RLock()
        self._buf: list[Point] = []
        self._oldest = 0.0
        self._run_id: int | None = None
        self._pid = os.getpid()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._traces_stored: set[Trace] = set()
        self._last_beat = 0.0
        self._signal_status: str | None = None
        self._nan_keys: set[str] = set()

    # -- runs -----------------------------------------------------------------------

    def run(self, tags: Iterable[str] | None = None, *, config: Any = None) -> int:
        """Start a run: store the config, its structural hash, tags and fingerprints.

        A run still open on this logger is finished first, as ``completed``.

        Args:
            tags: Labels to store with the run (one string counts as one label).
            config: The config to store for this run instead of the logger's own (a
                search stores each trial's); the project stays the logger's.

        Returns:
            The new run's id.
        """
        # Outside the lock: finish() waits for the old run's background thread, which
        # may itself be waiting for the lock.
        self.finish("completed")
        with self._lock:
            tree, structural_hash = config_record(self.config if config is None else config)
            traces = recorded_traces()
            # One string is one tag, not a tag per character.
            tag_list = jsonable([tags] if isinstance(tags, str) else list(tags or []))
            new_run = NewRun(self.project_name, tree, structural_hash, tag_list, traces)
            with _hooks.critical():
                run_id = write(self.engine, new_run.create)
            self._run_id = run_id
            self._buf = []
            self._traces_stored = set(traces)
            self._signal_status = None
            self._nan_keys = set()
            self._last_beat = time.monotonic()
            self._start_ticker(run_id)
            _hooks.register(self)
            return run_id

    def finish(self, status: str = "completed") -> None:
        """Write every buffered point and close the run with ``status``.

        Does nothing when no run is open. The last points and the status are written in
        one transaction, so a closed run never lacks points.

        Args:
            status: ``completed``, ``failed``, ``killed`` or any label of your own.
        """
        with self._lock:
            if self._run_id is None:
                return
            self._stop.set()
            self._write(status)
            self._run_id = None
            thread, self._thread = self._thread, None
            _hooks.unregister(self)
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5.0)

    def update_status(self, status: str) -> None:
        """Set the open run's status without closing it (buffered points are written too)."""
        with self._lock:
            if self._run_id is not None:
                self._write(status, end=False)

    def get_current_run_id(self) -> int | None:
        """The id of the open run, or None."""
        return self._run_id

    @property
    def run_id(self) -> int | None:
        """The id of the open run, or None."""
        return self._run_id

    def get_current_run(self) -> Experiment | None:
        """The open run as loaded now (detached: its columns stay readable), or None."""
        run_id = self._run_id
        if run_id is None:
            return None
        with Session(self.engine, expire_on_commit=False) as session:
            return session.get(Experiment, run_id)

    # -- metrics --------------------------------------------------------------------

    def log_metric(self, key: str, value: float, step: int) -> None:
        """Record ``value`` of metric ``key`` at ``step`` (buffered; see the class doc).

        Raises:
            RuntimeError: No run is open (call ``run()`` first).
            TypeError: ``key`` is not a string or ``step`` not an integer.
            ValueError: ``value`` is not a number.

        A NaN is not stored (SQLite cannot hold one); the first per key and run warns.
        """
        value = float(value)
        ts = _time()
        if type(key) is not str:
            raise TypeError(f"metric key must be a string, got {type(key).__name__}")
        if value != value:  # noqa: PLR0124 - the NaN test, without a call per point
            self._skip_nan(key)
            return
        point = (key, value, index(step), ts)
        with self._lock:
            if self._run_id is None:
                raise RuntimeError("SQLLogger.log_metric: no open run; call run() first")
            if not self._buf:
                self._oldest = ts
            self._buf.append(point)
            if len(self._buf) >= self._flush_every or ts - self._oldest >= self._flush_interval:
                self._write(None)

    def log_metrics(self, metrics: Mapping[str, float], step: int) -> None:
        """Record several metrics at one ``step`` (e.g. ``{'loss': l, 'acc': a}``).

        Raises:
            RuntimeError, TypeError, ValueError: As :meth:`log_metric`.
        """
        ts = _time()
        step = index(step)
        points: list[Point] = []
        for key, raw in metrics.items():
            value = float(raw)
            if type(key) is not str:
                raise TypeError(f"metric key must be a string, got {type(key).__name__}")
            if value != value:  # noqa: PLR0124 - NaN
                self._skip_nan(key)
                continue
            points.append((key, value, step, ts))
        with self._lock:
            if self._run_id is None:
                raise RuntimeError("SQLLogger.log_metrics: no open run; call run() first")
            if not self._buf:
                self._oldest = ts
            self._buf.extend(points)
            if len(self._buf) >= self._flush_every or ts - self._oldest >= self._flush_interval:
                self._write(None)

    def flush(self) -> None:
        """Write the buffered points now (and refresh the heartbeat)."""
        with self._lock:
            if self._run_id is not None:
                self._write(None)

    # -- artifacts ------------------------------------------------------------------

    def log_artifact(
        self,
        run_id: int,
        file_path: str | os.PathLike[str],
        data_type: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> int:
        """Record a file a run produced (written at once, not buffered).

        Args:
            run_id: The run it belongs to (usually what ``run()`` returned).
            file_path: Where the file is; stored as given.
            data_type: A label such as ``model``, ``plot``, ``data``.
            metadata: Free-form JSON-ready details (epoch, size, metric at save time).

        Returns:
            The artifact's id.

        Raises:
            ValueError: There is no run ``run_id``.
        """
        row: dict[str, Any] = {
            "run_id": index(run_id),
            "path": os.fspath(file_path),
            "data_type": data_type,
            # SQL NULL, not the JSON text 'null', when there is no metadata.
            "data_info": jsonable(dict(metadata)) if metadata is not None else null(),
        }

        with _hooks.critical():
            try:
                return write(self.engine, lambda conn: add_artifact(conn, row))
            except IntegrityError as exc:  # pragma: no cover - the run was deleted meanwhile
                raise ValueError(f"log_artifact: no run with id {run_id!r}") from exc

    # -- context manager ------------------------------------------------------------

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Finish the open run: ``completed``, ``failed``, or ``killed`` for Ctrl-C."""
        if exc_type is None:
            self.finish("completed")
            return
        if issubclass(exc_type, KeyboardInterrupt):
            status = "killed"
        elif issubclass(exc_type, SystemExit):
            status = "completed" if getattr(exc, "code", None) in (0, None) else "failed"
        else:
            status = "failed"
        try:
            self.finish(status)
        except Exception:
            # The block's own exception is the one the user must see.
            _log.exception("ato.tracker: could not record the run as %s", status)

    # -- internals ------------------------------------------------------------------

    def _write(self, status: str | None, *, end: bool = True) -> None:
        """Write the buffer, new fingerprints and the heartbeat (and status) in one transaction.

        Called with ``self._lock`` held and a run open. On failure the points go back to
        the front of the buffer and the error propagates.
        """
        run_id = self._run_id
        assert run_id is not None
        with _hooks.critical():
            points, self._buf = self._buf, []
            traces = [t for t in recorded_traces() if t not in self._traces_stored]
            rows = encode_points(run_id, points, sqlite=self._sqlite)
            try:
                write(self.engine, lambda conn: write_batch(conn, run_id, rows, traces, status, end=end))
            except BaseException:
                self._buf[:0] = points
                raise
            self._traces_stored.update(traces)
            self._last_beat = time.monotonic()

    def _start_ticker(self, run_id: int) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._tick, args=(self._stop, run_id), name=f"ato-tracker-run-{run_id}", daemon=True
        )
        self._thread.start()

    def _tick(self, stop: threading.Event, run_id: int) -> None:
        """Background thread: flush aged points, refresh the heartbeat."""
        period = max(0.05, min(self._flush_interval, self._heartbeat_interval) / 2.0)
        while not stop.wait(period):
            try:
                with self._lock:
                    if stop.is_set() or self._run_id != run_id:
                        return
                    aged = bool(self._buf) and _time() - self._oldest >= self._flush_interval
                    beat = time.monotonic() - self._last_beat >= self._heartbeat_interval
                    if aged or beat:
                        self._write(None)
            except Exception:
                # Points stay buffered; the next tick or log call tries again.
                _log.warning("ato.tracker: background flush of run %s failed", run_id, exc_info=True)

    def _skip_nan(self, key: str) -> None:
        if key not in self._nan_keys:
            self._nan_keys.add(key)
            warnings.warn(
                f"metric {key!r}: NaN is not stored (further NaNs of this key are skipped silently)",
                RuntimeWarning,
                stacklevel=3,
            )

    # Called by _hooks ------------------------------------------------------------

    def _interrupted(self, status: str) -> None:
        """A signal: write everything and record ``status``, but keep the run open.

        The signal's previous handler may let the program go on (and finish the run
        itself); if the process ends instead, the exit hook closes the run with ``status``.
        """
        with self._lock:
            if self._run_id is not None and self._pid == os.getpid():
                self._signal_status = status
                self._write(status)

    def _process_ends(self, status: str | None) -> None:
        if self._pid == os.getpid():
            self.finish(status or self._signal_status or "completed")

    def _forked(self) -> None:
        # In a forked child: the run, its buffer and its thread are the parent's. The lock
        # may have been held by a parent thread at fork time, so it is replaced.
        self._lock = threading.RLock()
        self._buf = []
        self._run_id = None
        self._thread = None
        self._pid = os.getpid()
