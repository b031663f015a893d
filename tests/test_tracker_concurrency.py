"""Many writers at once: 4 processes x 2 threads logging into one database lose no row."""

from __future__ import annotations

import os
import re
import time
import uuid
from pathlib import Path

import pytest
from _tracker_util import PG_ENV, spawn, sqlite_url
from sqlalchemy import text

from ato.tracker._engine import get_engine

PROCS, THREADS, POINTS = 4, 2, 3000

# One worker process: after a common start time (so all processes and the schema set-up
# collide), THREADS threads log POINTS points each, in small batches so that writers
# contend for the database hundreds of times. "own": a logger per thread; "shared": one
# logger for both threads (each thread its own metric key).
WORKER = """
    import sys, threading, time
    from ato.adict import ADict
    from ato.tracker import SQLLogger

    url, project, mode, start_at = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    threads, points = int(sys.argv[5]), int(sys.argv[6])
    config = ADict(experiment=ADict(project_name=project, sql=ADict(db_path=url)))
    time.sleep(max(0.0, start_at - time.time()))
    shared = SQLLogger(config, flush_every=50) if mode == "shared" else None
    if shared is not None:
        print("run", shared.run(tags=[mode]), flush=True)
    errors = []

    def work(index):
        try:
            logger = shared or SQLLogger(config, flush_every=50)
            if shared is None:
                print("run", logger.run(tags=[mode]), flush=True)
            for step in range(points):
                logger.log_metric(f"t{index}", step * 0.5, step)
            if shared is None:
                logger.finish()
        except BaseException as exc:
            errors.append(exc)
            raise

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if shared is not None:
        shared.finish()
    sys.exit(1 if errors else 0)
"""


def _backends() -> list[object]:
    reason = f"{PG_ENV} is not set (a PostgreSQL URL such as postgresql+psycopg://user:pw@127.0.0.1/db)"
    return [
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.skipif(not os.environ.get(PG_ENV), reason=reason)),
    ]


@pytest.mark.parametrize("mode", ["own", "shared"])
@pytest.mark.parametrize("backend", _backends())
def test_many_writers_lose_nothing(tmp_path: Path, backend: str, mode: str) -> None:
    """4 processes x 2 threads: every point stored once, every run completed, no lock error."""
    url = sqlite_url(tmp_path / "shared.db") if backend == "sqlite" else os.environ[PG_ENV]
    project = f"concurrency-{uuid.uuid4().hex[:12]}"  # the PostgreSQL database is shared
    start_at = f"{time.time() + 3.0:.3f}"
    dirs = [tmp_path / f"proc{i}" for i in range(PROCS)]  # each child its own script file
    for d in dirs:
        d.mkdir()
    procs = [spawn(WORKER, url, project, mode, start_at, str(THREADS), str(POINTS), cwd=d) for d in dirs]
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert "locked" not in err and "busy" not in err, err
    # Threads' prints may interleave on one line: pick the ids out of the text.
    run_ids = sorted(int(found) for out, _ in outputs for found in re.findall(r"run (\d+)", out))
    assert len(run_ids) == (PROCS * THREADS if mode == "own" else PROCS)

    engine = get_engine(url)
    with engine.connect() as conn:
        runs = conn.execute(
            text(
                "SELECT e.id, e.status FROM experiments e JOIN projects p ON p.id = e.project_id "
                "WHERE p.name = :name ORDER BY e.id"
            ),
            {"name": project},
        ).all()
        counts = conn.execute(
            text(
                "SELECT m.run_id, m.key, count(*), count(DISTINCT m.step) FROM metrics m "
                "JOIN experiments e ON e.id = m.run_id JOIN projects p ON p.id = e.project_id "
                "WHERE p.name = :name GROUP BY m.run_id, m.key"
            ),
            {"name": project},
        ).all()
        projects = conn.execute(text("SELECT count(*) FROM projects WHERE name = :name"), {"name": project})
        assert projects.scalar() == 1
    assert [(r.id, r.status) for r in runs] == [(i, "completed") for i in run_ids]
    per_run = THREADS if mode == "shared" else 1
    assert len(counts) == len(run_ids) * per_run
    assert all(count == distinct == POINTS for _, _, count, distinct in counts)
