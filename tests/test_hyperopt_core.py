"""The trial core every search shares: how a trial's config is built and validated, what
the objective receives, failures, progress, and trials recorded by the tracker."""

from __future__ import annotations

import math
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Literal

import pytest
from conftest import Runner
from pydantic import BaseModel, model_validator

from ato import ConfigError
from ato.adict import ADict
from ato.hyperopt import BracketHyperBand, HyperBand, RandomSearch, SearchError, Trial, TrialRecord
from ato.scope import Scope
from ato.tracker import SQLFinder, SQLLogger


@pytest.fixture(autouse=True)
def _plain_argv(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["train.py"])


class Train(BaseModel):
    lr: float = 0.1
    batch_size: int = 32
    model: Literal["small", "large"] = "small"
    warmup: float = 0.0

    @model_validator(mode="after")
    def _large_needs_small_batches(self) -> Train:
        if self.model == "large" and self.batch_size > 64:
            raise ValueError("the large model does not fit batches over 64")
        return self


SPACES = {
    "lr": {"param_type": "FLOAT", "param_range": (1e-4, 1e-1), "num_samples": 4, "space_type": "LOG"},
    "batch_size": {"param_type": "CATEGORY", "categories": [32, 128]},
    "model": {"param_type": "CATEGORY", "categories": ["small", "large"]},
}


def test_schema_objective_receives_the_validated_model_and_a_trial() -> None:
    """With a schema, the objective gets a Train instance (never extra fields) and the
    generation through `trial`; lazy views see the trial's values; a combination the
    model validator rejects is a failed trial, the others go on."""
    scope = Scope(schema=Train)

    @scope.observe(default=True, lazy=True)
    def derived(cfg: ADict) -> None:
        cfg.warmup = cfg.lr * 10

    received: list[tuple[Train, Trial]] = []
    search = HyperBand(scope, SPACES, halving_rate=0.5, num_min_samples=2)

    @search.main
    def objective(cfg: Train, trial: Trial) -> float:
        received.append((cfg, trial))
        return -abs(math.log10(cfg.lr) + 2) + (cfg.model == "large") - cfg.batch_size / 1000

    result = objective()
    assert all(type(cfg) is Train for cfg, _ in received)
    assert all(math.isclose(cfg.warmup, cfg.lr * 10) for cfg, _ in received)
    assert {t.generation for _, t in received} == {0, 1, 2, 3, 4}
    failed = result.failed
    assert len(failed) == 4 and all(r.trial.params["model"] == "large" for r in failed)
    assert all(r.trial.params["batch_size"] == 128 and "does not fit" in (r.error or "") for r in failed)
    assert type(result.config) is Train
    assert (result.config.model, result.config.batch_size, result.config.lr) == ("large", 32, 0.01)
    assert "__num_halved__" not in result.config.model_dump()


def test_command_line_values_reach_every_trial(run_program: Runner) -> None:
    """`key=value` on the program's command line applies to every trial, before the
    trial's own values; a bad one exits 2 before any trial runs."""
    source = """
import sys
from pydantic import BaseModel
from ato.scope import Scope
from ato.hyperopt import RandomSearch

class Train(BaseModel):
    lr: float = 0.1
    epochs: int = 1

scope = Scope(schema=Train)
spaces = {'lr': {'param_type': 'FLOAT', 'param_range': (0.01, 0.1)}}
search = RandomSearch(scope, spaces, num_trials=3, seed=0)

@search.main
def objective(cfg):
    print('trial', cfg.epochs)
    return cfg.lr

objective()
"""
    ok = run_program(source, "epochs=7")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout == "trial 7\n" * 3
    bad = run_program(source, "epochs=seven")
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert "epochs" in bad.stderr and "int" in bad.stderr and "'seven'" in bad.stderr
    assert "Traceback" not in bad.stderr
    typo = run_program(source, "epoch=3")
    assert typo.returncode == 2 and "epochs" in typo.stderr


def test_manual_shows_the_search(run_program: Runner) -> None:
    """`manual` prints the scope's manual and the search's spaces, then exits 0."""
    source = """
from ato.scope import Scope
from ato.hyperopt import HyperBand

scope = Scope()

@scope.observe(default=True)
def defaults(cfg):
    cfg.lr = 0.1

search = HyperBand(scope, {'lr': {'param_type': 'FLOAT', 'param_range': (0.01, 0.1), 'num_samples': 3}},
                   halving_rate=0.5, num_min_samples=2)

@search.main
def objective(cfg):
    print('ran')
    return cfg.lr

objective()
"""
    result = run_program(source, "manual")
    assert result.returncode == 0, result.stderr
    assert "defaults" in result.stdout and "lr: FLOAT [0.01, 0.1]" in result.stdout
    assert "ran" not in result.stdout


def test_failing_objective_is_recorded_and_the_search_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    """An objective that raises, returns no number or NaN fails that trial only."""
    def objective(config: ADict) -> object:
        if config.x == 1:
            raise RuntimeError("out of memory")
        if config.x == 2:
            return "0.5"
        if config.x == 3:
            return float("nan")
        return float(config.x)

    spaces = {"x": {"param_type": "CATEGORY", "categories": [0, 1, 2, 3, 4, 5]}}
    result = RandomSearch(Scope(), spaces, num_trials=30, seed=2).main(objective)()
    errors = {r.trial.params["x"]: r.error for r in result.failed}
    assert errors[1] == "RuntimeError: out of memory"
    assert errors[2] == "TypeError: the objective must return a number, got str '0.5'"
    assert errors[3] == "ValueError: the objective returned NaN"
    assert result.params == {"x": 5} and result.metric == 5.0
    assert len(result.trials) == 30 and all(r.status == "failed" for r in result.failed)
    assert "out of memory" in caplog.text


def test_on_error_stop_keeps_the_finished_trials() -> None:
    """on_error='stop' ends the search at the failing trial with a SearchError carrying
    the failing record and the best of the trials that finished."""
    seen = []

    def objective(config: ADict) -> float:
        seen.append(config.x)
        if len(seen) == 4:
            raise ValueError("diverged")
        return float(config.x)

    spaces = {"x": {"param_type": "INTEGER", "param_range": (0, 100)}}
    search = RandomSearch(Scope(), spaces, num_trials=10, seed=5, on_error="stop")
    with pytest.raises(SearchError, match="trial 3 failed and on_error='stop' ended the search: "
                                          "ValueError: diverged") as info:
        search.main(objective)()
    assert len(seen) == 4
    assert info.value.record is not None and info.value.record.trial.index == 3
    partial = info.value.result
    assert partial is not None and len(partial.trials) == 4
    assert partial.metric == max(seen[:3])


def test_a_search_where_every_trial_fails() -> None:
    """No winner: a SearchError quoting the first failure."""
    spaces = {"x": {"param_type": "CATEGORY", "categories": [1, 2]}}

    def objective(config: ADict) -> float:
        raise KeyError("missing data")

    with pytest.raises(SearchError, match="every trial of the search failed; the first: trial 0: KeyError"):
        HyperBand(Scope(), spaces, halving_rate=0.5, num_min_samples=1).main(objective)()


def test_tracker_records_every_trial(tmp_path: Path) -> None:
    """Every trial is a run with its config, the search id, generation and trial tags and
    its metric; find_best_run agrees with the search; a failed trial's run is failed."""
    cfg = ADict(experiment={"project_name": "search", "sql": {"db_path": f"sqlite:///{tmp_path / 'e.db'}"}})
    tracker = SQLLogger(cfg)
    search = HyperBand(Scope(), SPACES, halving_rate=0.5, num_min_samples=2, tracker=tracker,
                       metric_key="val_acc")

    @search.main
    def objective(config: ADict) -> float:
        if config.model == "large" and config.batch_size == 128:
            raise MemoryError("batch too large")
        return -abs(math.log10(config.lr) + 2) - config.batch_size / 1000 + config.__num_halved__ / 100

    result = objective()
    finder = SQLFinder(cfg)
    runs = finder.get_runs_in_project("search")
    assert len(runs) == len(result.trials) == 16 + 8 + 4 + 2 + 1
    by_trial = {next(t for t in run.tags if t.startswith("trial:")): run for run in runs}
    for record in result.trials:
        run = by_trial[f"trial:{record.trial.index}"]
        assert run.id == record.run_id
        assert f"search:{search.search_id}" in run.tags
        assert f"generation:{record.trial.generation}" in run.tags
        assert run.config.lr == record.trial.params["lr"]
        assert run.status == record.status
        values = [m.value for m in run.metrics if m.key == "val_acc"]
        assert values == ([] if record.metric is None else [record.metric])
    best = finder.find_best_run("search", "val_acc", "max")
    assert best is not None and best.id == result.best.run_id
    assert best.config.lr == result.config.lr and best.config.model == result.config.model


def _search_program(tmp_path: Path) -> Path:
    script = tmp_path / "search.py"
    script.write_text(
        "from ato.scope import Scope\n"
        "from ato.hyperopt import RandomSearch\n"
        "spaces = {'x': {'param_type': 'FLOAT', 'param_range': (0.0, 1.0)}}\n"
        "search = RandomSearch(Scope(), spaces, num_trials=5, seed=1)\n"
        "def objective(config):\n"
        "    if config.x > 0.8:\n"
        "        raise ValueError('bad')\n"
        "    return config.x\n"
        "result = search.main(objective)()\n"
        "print('best', round(result.metric, 4))\n",
        encoding="utf-8",
    )
    return script


def test_progress_on_a_terminal_only(tmp_path: Path) -> None:
    """stderr a terminal: a progress line with trials done / total, failures and the
    best so far. stderr a pipe: nothing."""
    script = _search_program(tmp_path)
    quiet = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=False,
                           cwd=tmp_path, timeout=120)
    assert quiet.returncode == 0, quiet.stderr
    # No progress line; the failed trial is still reported, as a log warning.
    assert quiet.stderr.splitlines() == [
        next(line for line in quiet.stderr.splitlines() if "failed: ValueError: bad" in line)]

    leader, follower = pty.openpty()
    with subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=follower,
                          stdin=subprocess.DEVNULL, cwd=tmp_path) as proc:
        os.close(follower)
        out, _ = proc.communicate(timeout=120)
        chunks = []
        while True:
            try:
                data = os.read(leader, 4096)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
    os.close(leader)
    shown = b"".join(chunks).decode()
    assert proc.returncode == 0
    assert "5/5 trials" in shown and "1/5 trials" in shown
    assert "failed" in shown and "best 0." in shown
    assert out.decode().startswith("best 0.")


def test_untyped_trials_carry_ato2_markers() -> None:
    """Without a schema each trial's ADict has __num_halved__, __hyperopt_id__ and,
    once finished, __metric__, as in ato 2.x."""
    spaces = {"x": {"param_type": "CATEGORY", "categories": [1, 2, 3, 4]}}
    search = HyperBand(Scope(), spaces, halving_rate=0.5, num_min_samples=2)
    result = search.main(lambda config: config.x * 10 + config.__num_halved__)()
    for record in result.trials:
        assert record.config.__hyperopt_id__ == search.search_id
        assert record.config.__num_halved__ == record.trial.generation
        assert record.config.__metric__ == record.metric
    assert result.config.x == 4 and result.metric == 42


def test_bad_search_options() -> None:
    """Options of the random and bracket searches are checked when built."""
    spaces = {"x": {"param_type": "CATEGORY", "categories": [1, 2]}}
    with pytest.raises(ConfigError, match="num_trials"):
        RandomSearch(Scope(), spaces, num_trials=0)
    with pytest.raises(ConfigError, match="seed"):
        RandomSearch(Scope(), spaces, num_trials=2, seed="abc")  # type: ignore[arg-type]


def test_a_rejected_first_grid_point_fails_only_its_trial() -> None:
    """The start-up check does not exit for a model-level problem of the first grid
    point: that combination fails as a trial, the other three run."""
    spaces = {"batch_size": {"param_type": "CATEGORY", "categories": [128, 32]},
              "model": {"param_type": "CATEGORY", "categories": ["large", "small"]}}
    result = RandomSearch(Scope(schema=Train), spaces, num_trials=12, seed=0).main(
        lambda cfg: float(cfg.batch_size))()
    assert {(r.params["batch_size"], r.params["model"]) for r in result.failed} == {(128, "large")}
    assert result.params == {"batch_size": 128, "model": "small"}


def test_a_view_that_raises_fails_only_its_trial(tmp_path: Path) -> None:
    """An exception in a view (not a ConfigError) is that trial's failure: the finished
    trials are kept, and with a tracker the trial is a failed run."""
    scope = Scope()

    @scope.observe(default=True, lazy=True)
    def heads(config: ADict) -> None:
        if config.heads == 3:
            raise ValueError("3 heads do not divide the width")
        config.head_dim = 96 // config.heads

    cfg = ADict(experiment={"project_name": "v", "sql": {"db_path": f"sqlite:///{tmp_path / 'v.db'}"}})
    spaces = {"heads": {"param_type": "CATEGORY", "categories": [3, 4, 8]}}
    search = HyperBand(scope, spaces, halving_rate=0.5, num_min_samples=4, tracker=SQLLogger(cfg))
    result = search.main(lambda config: float(config.head_dim))()
    assert [r.params["heads"] for r in result.trials] == [3, 4, 8]
    assert result.failed[0].error == "ValueError: 3 heads do not divide the width"
    assert result.failed[0].config.to_dict() == {"heads": 3}
    assert result.params == {"heads": 4} and result.metric == 24.0
    runs = SQLFinder(cfg).get_runs_in_project("v")
    assert sorted(run.status for run in runs) == ["completed", "completed", "failed"]


def test_a_trial_the_schema_rejects_is_a_failed_run(tmp_path: Path) -> None:
    """A config the schema rejects never reaches the objective but is still tracked."""
    cfg = ADict(experiment={"project_name": "s", "sql": {"db_path": f"sqlite:///{tmp_path / 's.db'}"}})
    spaces = {"batch_size": {"param_type": "CATEGORY", "categories": [32, 128]},
              "model": {"param_type": "CATEGORY", "categories": ["small", "large"]}}
    search = HyperBand(Scope(schema=Train), spaces, halving_rate=0.5, num_min_samples=5,
                       tracker=SQLLogger(cfg))
    result = search.main(lambda cfg: float(cfg.batch_size))()
    rejected = result.failed[0]
    assert rejected.params == {"batch_size": 128, "model": "large"}
    assert "does not fit" in (rejected.error or "")
    runs = {run.id: run for run in SQLFinder(cfg).get_runs_in_project("s")}
    assert len(runs) == 4 and runs[rejected.run_id].status == "failed"  # type: ignore[index]
    assert runs[rejected.run_id].config.batch_size == 128  # type: ignore[index]


class _Objective:
    def __init__(self) -> None:
        self.trials: list[int] = []

    def __call__(self, config: ADict, trial: Trial) -> float:
        self.trials.append(trial.index)
        return float(config.x)

    def method(self, config: ADict, scale: int, *, trial: Trial) -> float:
        self.trials.append(trial.index)
        return float(config.x * scale)


def test_objective_signatures() -> None:
    """The config and `trial` reach the right parameters whatever the objective's shape."""
    import functools

    spaces = {"x": {"param_type": "CATEGORY", "categories": [1, 2, 3]}}

    def search(scope: Scope[ADict] | None = None) -> RandomSearch[ADict]:
        # Enough draws that every category comes up (checked by the metrics below).
        return RandomSearch(scope or Scope(), spaces, num_trials=20, seed=0)

    def trial_first(trial: Trial, config: ADict) -> float:
        return float(config.x * 10 + trial.generation)

    assert search().main(trial_first)().metric == 30.0

    def named(trial: Trial, cfg: ADict) -> float:
        return float(cfg.x)

    assert search(Scope(name="cfg")).main(named)().metric == 3.0

    def scaled(config: ADict, scale: int, trial: Trial) -> float:
        return float(config.x * scale + trial.generation)

    assert search().main(functools.partial(scaled, scale=10))().metric == 30.0
    objective = _Objective()
    assert search().main(objective)().metric == 3.0 and objective.trials == list(range(20))
    assert search().main(objective.method)(10).metric == 30.0


def test_objective_arguments_pass_through_exactly() -> None:
    """Positional and keyword arguments of the launched search reach the objective."""
    spaces = {"x": {"param_type": "CATEGORY", "categories": [1, 2]}}
    search = RandomSearch(Scope(), spaces, num_trials=4, seed=0)
    seen: list[tuple[int, int, int]] = []

    @search.main
    def objective(config: ADict, scale: int, *, shift: int = 0) -> float:
        seen.append((config.x, scale, shift))
        return float(config.x * scale + shift)

    result = objective(10, shift=1)
    assert {(s, k) for _, s, k in seen} == {(10, 1)}
    assert result.metric == max(x * 10 + 1 for x, _, _ in seen)


@pytest.mark.parametrize("kind", ["halving", "brackets"])
def test_on_error_stop_in_every_search(kind: str) -> None:
    """on_error='stop' ends HyperBand and BracketHyperBand at the first failing trial."""
    calls: list[int] = []

    def objective(config: ADict, trial: Trial) -> float:
        calls.append(trial.index)
        if trial.index == 5:
            raise RuntimeError("boom")
        return float(trial.index)

    spaces = {"x": {"param_type": "INTEGER", "param_range": (0, 9), "num_samples": 10}}
    search: HyperBand[ADict] | BracketHyperBand[ADict] = (
        HyperBand(Scope(), spaces, halving_rate=0.5, num_min_samples=2, on_error="stop")
        if kind == "halving"
        else BracketHyperBand(Scope(), spaces, max_budget=9, eta=3, seed=0, on_error="stop")
    )
    with pytest.raises(SearchError, match="trial 5 failed") as info:
        search.main(objective)()
    assert calls == [0, 1, 2, 3, 4, 5]
    assert info.value.result is not None and info.value.result.metric == 4.0


def test_a_failing_final_run_leaves_the_best_of_the_round_before() -> None:
    """If the winner's last run fails, the best trial of the generation before wins."""
    def objective(config: ADict) -> float:
        if config.__num_halved__ == 2:
            raise RuntimeError("lost the node")
        return float(config.x)

    spaces = {"x": {"param_type": "CATEGORY", "categories": [1, 2, 3, 4]}}
    result = HyperBand(Scope(), spaces, halving_rate=0.5, num_min_samples=2).main(objective)()
    assert [len(r) for r in result.logs] == [4, 2, 1]
    assert result.logs[-1][0].status == "failed"
    assert result.best.trial.generation == 1 and result.params == {"x": 4}


def test_progress_and_failure_warnings_do_not_share_a_line() -> None:
    """With progress on, a failure warning starts on a cleared line."""
    import io
    import logging

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("ato.hyperopt")
    logger.addHandler(handler)
    try:
        from ato.hyperopt._progress import Progress

        progress = Progress(3, enabled=True, mode="max", label="search x", stream=stream)
        trial = Trial("x", 0, 0, None, None, {})
        progress.advance(TrialRecord(trial, 1.0, "completed", None, ADict()))
        progress.advance(TrialRecord(Trial("x", 1, 0, None, None, {}), None, "failed", "E: bad", ADict()))
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "\r\x1b[Ktrial 1 of search x failed: E: bad\n" in text
    assert text.endswith("2/3 trials, 1 failed, best 1 (trial 0)\x1b[K")


def test_importing_the_search_stays_light() -> None:
    """`import ato.hyperopt` loads neither torch, SQLAlchemy, NumPy, YAML nor pydantic."""
    heavy = "('torch', 'sqlalchemy', 'numpy', 'yaml', 'pydantic')"
    code = ("import sys, ato.hyperopt, ato.hyperopt.hyperband, ato.hyperopt.base; "
            f"print(sorted(m for m in {heavy} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"
