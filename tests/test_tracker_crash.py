"""Runs whose process dies: real child processes raising, signalled, exiting, SIGKILLed."""

from __future__ import annotations

import datetime as dt
import signal
import time
from pathlib import Path

import pytest
from _tracker_util import poll, query, spawn, sqlite_url, wait_for_line
from sqlalchemy.orm import Session

from ato.tracker._engine import get_engine
from ato.tracker._models import utcnow
from ato.tracker._stale import mark_stale, stale_runs

N = 5000

# Logs N points that stay buffered (no batch fills, no age elapses), then does `ENDING`.
CHILD = """
    import os, signal, sys, time
    from ato.adict import ADict
    from ato.tracker import SQLLogger

    url, ending, N = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if ending == "own-handler":
        def stop(signum, frame):
            print("own handler ran", flush=True)
            sys.exit(3)
        signal.signal(signal.SIGTERM, stop)
    config = ADict(experiment=ADict(project_name="crash", sql=ADict(db_path=url)), lr=0.1)
    beat = 0.2 if ending == "sleep-beating" else 3600
    logger = SQLLogger(config, flush_every=10**6, flush_interval=3600, heartbeat_interval=beat)
    run_id = logger.run(tags=["child"])
    for step in range(N):
        logger.log_metric("loss", 1.0 / (step + 1), step)
    if ending == "sleep-beating":
        logger.flush()
    print("ready", flush=True)
    if ending == "raise":
        raise RuntimeError("training diverged")
    if ending == "exit":
        sys.exit(0)
    if ending == "stream":
        step = N
        while True:
            logger.log_metric("loss", 0.5, step)
            step += 1
    time.sleep(120)
"""


def _run_row(db: Path) -> tuple[str, int, int, int]:
    [(status, end)] = query(db, "SELECT status, end_time IS NOT NULL FROM experiments")
    [(count, distinct, top)] = query(db, "SELECT count(*), count(DISTINCT step), max(step) FROM metrics")
    assert end == 1, "a closed run has an end time"
    return status, count, distinct, top


@pytest.mark.parametrize(("signum", "returncode"), [(signal.SIGTERM, -signal.SIGTERM), (signal.SIGINT, None)])
def test_signal_marks_killed_with_all_points(tmp_path: Path, signum: int, returncode: int | None) -> None:
    """SIGTERM/SIGINT: the run ends ``killed`` with every buffered point written."""
    db = tmp_path / "e.db"
    proc = spawn(CHILD, sqlite_url(db), "sleep", str(N), cwd=tmp_path)
    wait_for_line(proc, "ready")
    assert query(db, "SELECT count(*) FROM metrics") == [(0,)]  # all still buffered
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    if signum == signal.SIGTERM:
        assert proc.returncode == returncode, err  # died of the signal, as by default
    else:
        assert "KeyboardInterrupt" in err  # Python's own SIGINT behaviour, then exit
        assert proc.returncode in (-signal.SIGINT, 1, 130)
    status, count, distinct, top = _run_row(db)
    assert (status, count, distinct, top) == ("killed", N, N, N - 1)


def test_sigterm_chains_to_the_programs_handler(tmp_path: Path) -> None:
    """A handler the program installed still runs after the run is marked ``killed``."""
    db = tmp_path / "e.db"
    proc = spawn(CHILD, sqlite_url(db), "own-handler", str(N), cwd=tmp_path)
    wait_for_line(proc, "ready")
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 3, err
    assert "own handler ran" in out
    assert _run_row(db) == ("killed", N, N, N - 1)


def test_uncaught_exception_marks_failed(tmp_path: Path) -> None:
    """A run whose program raises ends ``failed``; the traceback is still printed."""
    db = tmp_path / "e.db"
    proc = spawn(CHILD, sqlite_url(db), "raise", str(N), cwd=tmp_path)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "RuntimeError: training diverged" in err
    assert _run_row(db) == ("failed", N, N, N - 1)


def test_exit_without_finish_completes(tmp_path: Path) -> None:
    """A program that exits normally without ``finish()`` has its run written and completed."""
    db = tmp_path / "e.db"
    proc = spawn(CHILD, sqlite_url(db), "exit", str(N), cwd=tmp_path)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert _run_row(db) == ("completed", N, N, N - 1)


def test_sigterm_while_logging_loses_and_repeats_nothing(tmp_path: Path) -> None:
    """SIGTERM amid frequent batch writes: steps stored are 0..k without gap or duplicate."""
    db = tmp_path / "e.db"
    script = CHILD.replace("flush_every=10**6", "flush_every=50")
    proc = spawn(script, sqlite_url(db), "stream", str(N), cwd=tmp_path)
    wait_for_line(proc, "ready")
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGTERM, err
    status, count, distinct, top = _run_row(db)
    assert status == "killed"
    assert count == distinct == top + 1 > N


def test_sigkill_leaves_a_stale_run_to_mark(tmp_path: Path) -> None:
    """A SIGKILLed run stays ``running`` with a frozen heartbeat; mark_stale closes it."""
    db = tmp_path / "e.db"
    dead = spawn(CHILD, sqlite_url(db), "sleep-beating", str(N), cwd=tmp_path)
    wait_for_line(dead, "ready")
    alive = spawn(CHILD.replace('"crash"', '"alive"'), sqlite_url(db), "sleep-beating", str(N), cwd=tmp_path)
    try:
        wait_for_line(alive, "ready")
        dead.kill()
        dead.wait(timeout=60)
        [(dead_id, status, beat)] = query(
            db, "SELECT id, status, heartbeat_at FROM experiments WHERE pid = ?", dead.pid
        )
        assert status == "running"
        assert query(db, "SELECT count(*) FROM metrics WHERE run_id = ?", dead_id) == [(N,)]
        time.sleep(1.5)  # the live child keeps beating every 0.2 s meanwhile
        engine = get_engine(sqlite_url(db))
        cut = utcnow() - dt.timedelta(seconds=1)
        with Session(engine) as session:
            assert [r.id for r in stale_runs(session, cut)] == [dead_id]
        with Session(engine) as session, session.begin():
            assert mark_stale(session, cut.replace(tzinfo=dt.UTC)) == 1
        closed = query(db, "SELECT status, end_time FROM experiments WHERE id = ?", dead_id)
        assert closed == [("killed", beat)]  # ended at its last sign of life
        alive_status = "SELECT status FROM experiments WHERE pid = ?"
        assert poll(lambda: query(db, alive_status, alive.pid) == [("running",)])
    finally:
        for proc in (alive, dead):
            proc.kill()
            proc.communicate(timeout=60)
