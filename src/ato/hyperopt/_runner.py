"""Running one trial: build and validate its config, call the objective, record it.

A trial is built like a command-line run of the scope: schema defaults, views, the
program's own command line, then the trial's parameters as if typed after it, lazy views
last; the result is validated by the schema before the objective starts. A trial that
fails (a config the schema rejects, an objective that raises or returns no number) comes
back as a failed record; it never raises.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from numbers import Real
from typing import TYPE_CHECKING, Any

from ato.adict import ADict
from ato.hyperopt._progress import Progress
from ato.hyperopt._records import Trial, TrialRecord

if TYPE_CHECKING:
    from ato.hyperopt._core import HyperOpt

__all__ = ["Runner"]

def _metric(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"the objective must return a number, got {type(value).__name__} {value!r}")
    number = float(value)
    if math.isnan(number):
        raise ValueError("the objective returned NaN")
    return number


class Runner:
    """Runs trials of one search: builds each config, calls the objective, records it."""

    def __init__(self, search: HyperOpt[Any], func: Callable[..., Any], args: tuple[Any, ...],
                 kwargs: dict[str, Any], total: int) -> None:
        self.search = search
        self.scope = search.scope
        self.func = func
        self.args = args
        self.kwargs = kwargs
        self.builder = self.scope.trial_builder(search._summary)
        self._inject = _injection(func, self.scope.name)
        enabled = search.progress if search.progress is not None else sys.stderr.isatty()
        root = search._is_root()
        self.progress = Progress(total, enabled=enabled and root, mode=search.mode,
                                 label=f"search {search.search_id[:8]}", report_failures=root)
        # Built once with the first value of every space, so that a problem of the program's
        # own command line or views exits 2 before any trial runs.
        self.builder.check_program({space.name: space.grid()[0] for space in search.spaces})

    def _start(self, trial: Trial, config: Any) -> int | None:
        tracker = self.search.tracker
        if tracker is None:
            return None
        tags = [f"search:{trial.search_id}", f"generation:{trial.generation}", f"trial:{trial.index}"]
        if trial.bracket is not None:
            tags.append(f"bracket:{trial.bracket}")
        run_id: int = tracker.run(tags=tags, config=config)
        return run_id

    def _failed(self, trial: Trial, exc: BaseException, config: ADict, run_id: int | None,
                seconds: float = 0.0) -> TrialRecord:
        if self.search.tracker is not None:
            self.search.tracker.finish("failed")
        return TrialRecord(trial, None, "failed", f"{type(exc).__name__}: {exc}", config, run_id, seconds)

    def run(self, trial: Trial) -> TrialRecord:
        """Run one trial and return its record (never raises for a failing trial)."""
        before = self.scope.config
        try:
            value = self.builder.build(trial.params)
        except Exception as exc:
            # A rejected config is the trial's own (the scope keeps what was built); a view
            # that raised built nothing, so the record holds the trial's values alone.
            config = self.scope.config.clone() if self.scope.config is not before else _tree(trial.params)
            return self._failed(trial, exc, config, self._start(trial, config))
        config = self.scope.config
        untyped = self.scope.schema is None
        if untyped:
            config.__num_halved__ = trial.generation
            config.__hyperopt_id__ = trial.search_id
        run_id = self._start(trial, value)
        start = time.perf_counter()
        try:
            metric = _metric(self._call(value, trial))
        except Exception as exc:
            return self._failed(trial, exc, config, run_id, time.perf_counter() - start)
        seconds = time.perf_counter() - start
        tracker = self.search.tracker
        if tracker is not None:
            tracker.log_metric(self.search.metric_key, metric, step=trial.generation)
            tracker.finish("completed")
        if untyped:
            config.__metric__ = metric
        return TrialRecord(trial, metric, "completed", None, config, run_id, seconds)

    def run_all(self, trials: Sequence[Trial], *, report: bool) -> list[TrialRecord]:
        """Run ``trials`` in order, up to the first failure when ``on_error='stop'``;
        ``report`` counts each in the progress line."""
        stop = self.search.on_error == "stop"
        records = []
        for trial in trials:
            record = self.run(trial)
            records.append(record)
            if report:
                self.progress.advance(record)
            if stop and not record.ok:
                break
        return records

    def _call(self, value: Any, trial: Trial) -> Any:
        target, position, wants_trial = self._inject
        args, kwargs = self.args, dict(self.kwargs)
        if wants_trial:
            kwargs["trial"] = trial
        if target is None:  # no parameter to name: the config goes first
            args = (value, *args)
        elif target not in kwargs:
            if 0 <= position <= len(args):
                args = (*args[:position], value, *args[position:])
            else:
                kwargs[target] = value
        return self.func(*args, **kwargs)

    def received(self, record: TrialRecord) -> Any:
        """What the objective received for ``record``: the model, or the ADict."""
        schema = self.scope.schema
        if schema is None:
            return record.config
        from ato.schema import validate

        return validate(schema, record.config, lambda key: None)


def _tree(params: Mapping[str, Any]) -> ADict:
    tree = ADict()
    for name, value in params.items():
        tree.set_path(name, value)
    return tree


def _injection(func: Callable[..., Any], name: str) -> tuple[str | None, int, bool]:
    """Where the config goes, as ``@scope`` puts it: into the parameter named like the
    scope, else the first positional parameter other than ``trial``; returned as (that
    parameter, its position among the positional ones or -1, whether to pass ``trial=``).
    """
    import inspect

    try:
        parameters = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):  # a builtin without a signature: config first
        return None, 0, False
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    positional = [p.name for p in parameters if p.kind in kinds]
    names = {p.name for p in parameters if p.kind != inspect.Parameter.VAR_POSITIONAL}
    wants_trial = "trial" in names
    target = name if name in names else next((p for p in positional if p != "trial"), "")
    position = positional.index(target) if target in positional else -1
    return (target or None), position, wants_trial
