"""DistributedHyperBand over real gloo process groups: one child process per rank.

Every rank's result must equal, exactly, the one-process HyperBand's on the same
deterministic objective; a failure on one rank must fail every rank with the same
SearchError instead of leaving the others waiting in a collective.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from ato import ConfigError
from ato.adict import ADict
from ato.hyperopt.hyperband import DistributedHyperBand
from ato.scope import Scope
from ato.tracker import SQLFinder

pytest.importorskip("torch", reason="torch is not installed (the 'distributed' extra)")

SRC = str(Path(__file__).resolve().parents[1] / "src")
TIMEOUT = 120  # seconds for a whole group of children; a hang fails the test instead
SEARCH_FAILED = 3  # what a child exits with after printing the SearchError it caught

# One program for every case. The search reads sys.argv[1:] for the scope, so the child's
# own settings come from HB_* environment variables, not its command line. HB_WORLD=0
# runs the plain one-process HyperBand (torch is then never imported).
CHILD = """
    import datetime, json, math, os, sys

    from ato.adict import ADict
    from ato.errors import ConfigError
    from ato.hyperopt import SearchError
    from ato.hyperopt.hyperband import DistributedHyperBand, HyperBand
    from ato.scope import Scope

    case, out = os.environ["HB_CASE"], os.environ["HB_OUT"]
    rank, world = int(os.environ["HB_RANK"]), int(os.environ["HB_WORLD"])

    scope = Scope()

    @scope.observe(default=True)
    def base(config):
        config.lr = 0.01
        config.model = "a"

    # 6 x 4 = 24 grid points; rounds of 24, 12, 6, 3 and 1 trials.
    SPACES = ADict(
        lr=ADict(param_type="FLOAT", param_range=(1e-4, 1e-1), num_samples=6, space_type="LOG"),
        model=ADict(param_type="CATEGORY", categories=["a", "b", "c", "d"]),
    )
    BONUS = {"a": 0.0, "b": 0.0, "c": 0.25, "d": 0.5}  # a and b tie at every lr

    def failing(config):
        # model b is odd in the grid's order (lr-major), so round 0 gives it to rank 1 of 2
        return config.model == "b" and 1e-3 < config.lr < 2e-3

    def objective(config, trial):
        if case in ("stop", "continue") and failing(config):
            print(f"raising on rank {rank}", flush=True)
            raise ValueError(f"diverged at lr={config.lr}")
        if case == "exit" and rank == 1:
            raise SystemExit(4)
        # rounded so that different lrs tie too; a later generation always scores higher
        return round(-abs(math.log10(config.lr) + 2.2), 3) + BONUS[config.model] + trial.generation

    def record(r):
        t = r.trial
        return dict(index=t.index, generation=t.generation, budget=t.budget, bracket=t.bracket,
                    resumes=t.resumes, previous_budget=t.previous_budget, params=dict(t.params),
                    metric=r.metric, status=r.status, error=r.error)

    dist = None
    if world:
        import torch.distributed as dist

        dist.init_process_group("gloo", init_method="tcp://127.0.0.1:" + os.environ["HB_PORT"],
                                rank=rank, world_size=world, timeout=datetime.timedelta(seconds=60))

    if case == "mismatch":  # a one-process group and the wrong rank or world size
        errors = {}
        for name, given_rank, given_world in (("rank", 1, 1), ("world_size", 0, 2)):
            try:
                DistributedHyperBand(scope, SPACES, 0.5, 2, rank=given_rank, world_size=given_world)
            except ConfigError as exc:
                errors[name] = [str(exc), [p.key for p in exc.problems]]
        ok = DistributedHyperBand(scope, SPACES, 0.5, 2, rank=0, world_size=1)
        errors["ok"] = [ok.rank, ok.world_size]
        dist.destroy_process_group()
        with open(out, "w") as f:
            json.dump(errors, f)
        sys.exit(0)

    tracker = None
    if case == "tracked":
        from ato.tracker import SQLLogger

        tracker = SQLLogger(ADict(experiment=ADict(project_name="p", sql=ADict(db_path=os.environ["HB_DB"]))))

    options = dict(max_budget=27, on_error="stop" if case == "stop" else "continue", progress=False)
    if world:
        search = DistributedHyperBand(scope, SPACES, 0.5, 2, tracker, "max", rank=rank, world_size=world,
                                      **options)
    else:
        search = HyperBand(scope, SPACES, 0.5, 2, tracker, "max", **options)
    train = search.main(objective)
    try:
        result = train()
    except SearchError as exc:
        if dist is not None:
            dist.destroy_process_group()
        print(str(exc), flush=True)
        sys.exit(3)
    if dist is not None:
        dist.destroy_process_group()
    data = {
        "search_id": result.search_id,
        "trial_search_ids": sorted({r.trial.search_id for r in result.trials}),
        "metric": result.metric,
        "params": dict(result.params),
        "config": {"lr": result.config.lr, "model": result.config.model},
        "best": record(result.best),
        "logs": [[record(r) for r in round_] for round_ in result.logs],
        "trials": [record(r) for r in result.trials],
        "failed": [r.trial.index for r in result.failed],
        "run_ids": {str(r.trial.index): r.run_id for r in result.trials},
        "pid": os.getpid(),
    }
    with open(out, "w") as f:
        json.dump(data, f)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(tmp_path: Path, case: str, world: int, **env: str) -> list[subprocess.Popen[str]]:
    """Start one child per rank (or the one-process search when ``world`` is 0)."""
    script = tmp_path / "search.py"
    if not script.exists():
        script.write_text(textwrap.dedent(CHILD), encoding="utf-8")
    base = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
            "HB_CASE": case, "HB_WORLD": str(world), "HB_PORT": str(_free_port()), **env}
    if sys.platform == "linux":  # gloo otherwise picks the interface the hostname resolves to
        base.setdefault("GLOO_SOCKET_IFNAME", "lo")
    procs = []
    for rank in range(max(world, 1)):
        out = tmp_path / f"{case}-{world}-{rank}.json"
        procs.append(subprocess.Popen(
            [sys.executable, str(script)], cwd=tmp_path, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**base, "HB_RANK": str(rank), "HB_OUT": str(out)},
        ))
    return procs


def _finish(procs: list[subprocess.Popen[str]]) -> list[tuple[int, str, str]]:
    """(exit code, stdout, stderr) of every child; all are killed if any outlives TIMEOUT."""
    deadline = time.monotonic() + TIMEOUT
    done = []
    try:
        for proc in procs:
            out, err = proc.communicate(timeout=max(deadline - time.monotonic(), 0.1))
            done.append((proc.returncode, out, err))
    except subprocess.TimeoutExpired:
        for proc in procs:
            proc.kill()
        outputs = [proc.communicate() for proc in procs]
        pytest.fail(f"the children hung for {TIMEOUT} s: " + "\n".join(o + e for o, e in outputs))
    return done


def _run(tmp_path: Path, case: str, world: int, **env: str) -> list[tuple[int, str, str]]:
    return _finish(_start(tmp_path, case, world, **env))


def _results(tmp_path: Path, case: str, world: int, done: list[tuple[int, str, str]]) -> list[dict[str, Any]]:
    """Every child's JSON result, after checking that each exited 0."""
    for rank, (code, out, err) in enumerate(done):
        assert code == 0, f"rank {rank} exited {code}:\n{out}\n{err}"
    return [json.loads((tmp_path / f"{case}-{world}-{rank}.json").read_text()) for rank in range(len(done))]


def _without_id(result: dict[str, Any]) -> dict[str, Any]:
    """The result minus what differs between two searches (ids, tracker runs, processes)."""
    return {k: v for k, v in result.items() if k not in ("search_id", "trial_search_ids", "run_ids", "pid")}


def _distributed_and_reference(tmp_path: Path, case: str, world: int
                               ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Each rank's result and the one-process search's, the two run side by side."""
    done = _finish(_start(tmp_path, case, world) + _start(tmp_path, case, 0))
    [reference] = _results(tmp_path, case, 0, done[world:])
    return _results(tmp_path, case, world, done[:world]), reference


def _check_same_search(results: list[dict[str, Any]]) -> None:
    """Every rank ran one search: one id, shared by each of its trials."""
    ids = {r["search_id"] for r in results}
    assert len(ids) == 1
    assert all(r["trial_search_ids"] == sorted(ids) for r in results)


@pytest.mark.parametrize("world", [2, 3])
def test_every_rank_returns_the_one_process_result(tmp_path: Path, world: int) -> None:
    """Each rank's winner, metric, params and every round (index, budget, params, metric,
    status, best first, ties in trial order) equal the one-process HyperBand's exactly."""
    results, reference = _distributed_and_reference(tmp_path, "ok", world)
    assert [len(round_) for round_ in reference["logs"]] == [24, 12, 6, 3, 1]
    assert reference["params"] == {"lr": reference["config"]["lr"], "model": "d"}
    _check_same_search(results)
    for rank, result in enumerate(results):
        assert _without_id(result) == _without_id(reference), f"rank {rank}"


def test_failing_trial_is_recorded_failed_on_every_rank(tmp_path: Path) -> None:
    """on_error='continue': the search goes on; every rank returns the one-process result
    with the failing trial (run on rank 1) recorded ``failed`` with its error."""
    results, reference = _distributed_and_reference(tmp_path, "continue", 2)
    _check_same_search(results)
    for rank, result in enumerate(results):
        assert _without_id(result) == _without_id(reference), f"rank {rank}"
    [index] = reference["failed"]
    [failed] = [t for t in reference["trials"] if t["index"] == index]
    assert index % 2 == 1  # round 0 is dealt round-robin, so rank 1 ran it
    assert (failed["metric"], failed["status"]) == (None, "failed")
    assert failed["error"] == f"ValueError: diverged at lr={failed['params']['lr']}"


def test_on_error_stop_raises_the_same_error_on_every_rank(tmp_path: Path) -> None:
    """on_error='stop' and a trial failing on rank 1: every rank exits with the same
    SearchError, the one the one-process search raises."""
    done = _run(tmp_path, "stop", 2)
    [(single_code, single_out, single_err)] = _run(tmp_path, "stop", 0)
    assert single_code == SEARCH_FAILED, single_err
    message = single_out.splitlines()[-1]
    assert message.startswith("trial 9 failed and on_error='stop' ended the search: ValueError: diverged")
    assert "raising on rank 1" in done[1][1]
    for rank, (code, out, err) in enumerate(done):
        assert code == SEARCH_FAILED, f"rank {rank}:\n{out}\n{err}"
        assert out.splitlines()[-1] == message, f"rank {rank}"


def test_system_exit_on_one_rank_fails_every_rank(tmp_path: Path) -> None:
    """An objective calling SystemExit(4) on rank 1 only: no rank hangs in the gather;
    every rank raises the same SearchError naming rank 1."""
    done = _run(tmp_path, "exit", 2)
    messages = set()
    for rank, (code, out, err) in enumerate(done):
        assert code == SEARCH_FAILED, f"rank {rank}:\n{out}\n{err}"
        messages.add(out.splitlines()[-1])
    assert messages == {"the distributed search failed on rank 1: SystemExit: 4"}


def test_tracker_records_one_run_per_trial(tmp_path: Path) -> None:
    """Two ranks sharing a SQLite tracker: exactly one run per trial, tagged with the
    search, generation and trial, and the best run is the winner's configuration."""
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    results = _results(tmp_path, "tracked", 2, _run(tmp_path, "tracked", 2, HB_DB=url))
    _check_same_search(results)
    first = results[0]
    # run ids included: every rank got the same records, whichever rank ran the trial
    assert all({**r, "pid": None} == {**first, "pid": None} for r in results)
    search_id = first["search_id"]
    trials = {t["index"]: t for t in first["trials"]}

    finder = SQLFinder(ADict(experiment=ADict(project_name="p", sql=ADict(db_path=url))))
    runs = [run for run in finder.get_runs_in_project("p") if f"search:{search_id}" in run.tags]
    assert len(runs) == len(trials) == 46
    by_trial = {}
    for run in runs:
        [index] = [int(tag.split(":")[1]) for tag in run.tags if tag.startswith("trial:")]
        assert f"generation:{trials[index]['generation']}" in run.tags
        assert run.status == "completed"
        by_trial[index] = run.id
    assert sorted(by_trial) == sorted(trials)  # no trial tracked twice or missed
    # each rank tracked the trials it ran: every round dealt round-robin, rank 0 first
    pids = [r["pid"] for r in results]
    for round_ in first["logs"]:
        ran_by = [next(run.pid for run in runs if run.id == by_trial[index])
                  for index in sorted(t["index"] for t in round_)]
        assert ran_by == [pids[j % 2] for j in range(len(ran_by))]
    assert {int(k): v for k, v in first["run_ids"].items()} == by_trial

    best = finder.find_best_run("p", "metric", "max")
    assert best is not None
    assert best.id == by_trial[first["best"]["index"]]
    assert (best.config.lr, best.config.model) == (first["params"]["lr"], first["params"]["model"])


def test_without_a_process_group_is_a_config_error() -> None:
    """No init_process_group() yet: a ConfigError that says to call it."""
    import torch.distributed as dist

    assert not dist.is_initialized()  # the groups of the other tests live in their children
    spaces = ADict(model=ADict(param_type="CATEGORY", categories=["a", "b"]))
    with pytest.raises(ConfigError, match=r"init_process_group"):
        DistributedHyperBand(Scope(), spaces, 0.5, 2)


def test_rank_and_world_size_must_match_the_group(tmp_path: Path) -> None:
    """In a one-process gloo group, a wrong rank or world size is a ConfigError naming it."""
    results = _results(tmp_path, "mismatch", 1, _run(tmp_path, "mismatch", 1))
    [errors] = results
    assert errors["rank"][1] == ["rank"]
    assert errors["rank"][0].startswith("rank: expected 0 (torch.distributed.get_rank())")
    assert errors["world_size"][1] == ["world_size"]
    assert errors["world_size"][0].startswith("world_size: expected 1 (torch.distributed.get_world_size())")
    assert errors["ok"] == [0, 1]
