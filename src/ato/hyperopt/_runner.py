"""Running one trial: build and validate its config, call the objective, record it.

A trial is built like a command-line run of the scope: schema defaults, views, the
program's own command line, then the trial's parameters as if typed after it, lazy views
last; the result is validated by the schema before the objective starts. A trial that
fails (a config the schema rejects, an objective that raises or returns no number) comes
back as a failed record; it never raises.
"""

from __future__ import annotations

import logging
import math
import sys
import time
from collections.abc import Callable, Mapping
from numbers import Real
from typing import TYPE_CHECKING, Any

from ato.errors import ConfigError
from ato.hyperopt._progress import Progress
from ato.hyperopt._records import Trial, TrialRecord

if TYPE_CHECKING:
    from ato.hyperopt._core import HyperOpt
    from ato.scope._build import Assign
    from ato.scope._cli import Route
    from ato.scope._plan import Plan

__all__ = ["Runner"]

_log = logging.getLogger("ato.hyperopt")


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
        from ato.scope._cli import prepare_search

        self.search = search
        self.scope = search.scope
        self.func = func
        self.args = args
        self.kwargs = kwargs
        self.plan: Plan
        self.checked: list[Assign]
        self.route: Route
        self.plan, self.checked, self.route = prepare_search(self.scope, search._summary)
        self._inject = _injection(func, self.scope.name)
        enabled = search.progress if search.progress is not None else sys.stderr.isatty()
        self.progress = Progress(total, enabled=enabled and search._is_root(), mode=search.mode,
                                 label=f"search {search.search_id[:8]}")
        self._check_base()

    def _check_base(self) -> None:
        """Build once with the first value of every space, so that a problem of the
        program's own command line or views exits 2 before any trial runs."""
        from ato.scope._cli import fail

        first = {space.name: space.grid()[0] for space in self.search.spaces}
        try:
            self._build(first)
        except ConfigError as err:
            searched = {s.name for s in self.search.spaces}
            own = [p for p in err.problems if not _under(p.key, searched)]
            if own:
                fail(ConfigError(problems=own))

    def _build(self, params: Mapping[str, Any]) -> Any:
        from ato.scope._build import Assign

        extra = [Assign(name, value, f"search space {name!r}") for name, value in params.items()]
        return self.scope._execute(self.plan, [*self.checked, *extra], self.route)

    def run(self, trial: Trial) -> TrialRecord:
        """Run one trial and return its record (never raises for a failing trial)."""
        search = self.search
        try:
            value = self._build(trial.params)
        except ConfigError as err:
            return TrialRecord(trial, None, "failed", f"ConfigError: {err}", self.scope.config.clone())
        config = self.scope.config
        untyped = self.scope.schema is None
        if untyped:
            config.__num_halved__ = trial.generation
            config.__hyperopt_id__ = trial.search_id
        run_id = None
        tracker = search.tracker
        if tracker is not None:
            tags = [f"search:{trial.search_id}", f"generation:{trial.generation}", f"trial:{trial.index}"]
            if trial.bracket is not None:
                tags.append(f"bracket:{trial.bracket}")
            run_id = tracker.run(tags=tags, config=value)
        start = time.perf_counter()
        try:
            metric = _metric(self._call(value, trial))
        except Exception as exc:
            seconds = time.perf_counter() - start
            error = f"{type(exc).__name__}: {exc}"
            _log.warning("trial %d of search %s failed: %s", trial.index, trial.search_id, error)
            if tracker is not None:
                tracker.finish("failed")
            return TrialRecord(trial, None, "failed", error, config, run_id, seconds)
        seconds = time.perf_counter() - start
        if tracker is not None:
            tracker.log_metric(search.metric_key, metric, step=trial.generation)
            tracker.finish("completed")
        if untyped:
            config.__metric__ = metric
        return TrialRecord(trial, metric, "completed", None, config, run_id, seconds)

    def _call(self, value: Any, trial: Trial) -> Any:
        position, wants_trial = self._inject
        kwargs = self.kwargs
        if wants_trial:
            kwargs = {**kwargs, "trial": trial}
        if position < 0:
            return self.func(*self.args, **{**kwargs, self.scope.name: value})
        args = self.args
        return self.func(*args[:position], value, *args[position:], **kwargs)

    def received(self, record: TrialRecord) -> Any:
        """What the objective received for ``record``: the model, or the ADict."""
        schema = self.scope.schema
        if schema is None:
            return record.config
        from ato.schema import validate

        return validate(schema, record.config, lambda key: None)


def _under(key: str | None, names: set[str]) -> bool:
    if key is None:
        return False
    return any(key == name or key.startswith(name + ".") or name.startswith(key + ".") for name in names)


def _injection(func: Callable[..., Any], name: str) -> tuple[int, bool]:
    """Where the config goes, as ``@scope`` does it: the position of the parameter named
    like the scope (-1: by keyword), else the first; and whether to pass ``trial=``."""
    target = func
    while hasattr(target, "__wrapped__"):
        target = target.__wrapped__
    code = getattr(target, "__code__", None)
    if code is None:
        return 0, False
    params = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    position = params.index(name) if name in params else 0
    if position >= code.co_argcount:
        position = -1
    return position, "trial" in params
