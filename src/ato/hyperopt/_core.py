"""The trial-running core every search shares, and what a search hands back.

A trial is built like a command-line run of the scope: schema defaults, views, the
program's own command line, then the trial's parameters as if typed after it, lazy views
last; the result is validated by the schema before the objective starts. A trial that
fails (a config the schema rejects, an objective that raises or returns no number) is
recorded as failed and the search goes on, unless ``on_error='stop'``.
"""

from __future__ import annotations

import logging
import math
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from numbers import Real
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ato.adict import ADict
from ato.errors import ConfigError
from ato.hyperopt._progress import Progress
from ato.hyperopt._spaces import Space, check_schema, grid_points, parse_spaces

if TYPE_CHECKING:
    from ato.scope import Scope
    from ato.scope._build import Assign
    from ato.scope._cli import Route
    from ato.scope._plan import Plan

__all__ = [
    "GridSpaceMixIn", "HyperOpt", "SearchError", "SearchResult", "Trial", "TrialRecord", "count", "exact",
    "trial_from",
]

S = TypeVar("S")
T = TypeVar("T")
_log = logging.getLogger("ato.hyperopt")


@dataclass(frozen=True, slots=True)
class Trial:
    """What an objective learns about its trial by declaring a ``trial`` parameter.

    Attributes:
        search_id: The search's id (also a tag of every tracked trial).
        index: The trial's number in the search, from 0, in the order trials are made.
        generation: How many times the configuration survived a halving (ato 2.x's
            ``__num_halved__``); 0 in a random search.
        budget: The resource to train for (steps, epochs), when the search assigns one.
        bracket: Hyperband's bracket ``s``; None for the other searches.
        params: The values the search chose, by parameter name.
        resumes: For a promoted configuration, the index of its previous trial: an
            objective that saved a checkpoint there may continue from it.
        previous_budget: That trial's budget (so a resumed run trains only the rest).
    """

    search_id: str
    index: int
    generation: int
    budget: float | None
    bracket: int | None
    params: Mapping[str, Any]
    resumes: int | None = None
    previous_budget: float | None = None


@dataclass(frozen=True, slots=True)
class TrialRecord:
    """One finished trial.

    Attributes:
        trial: The trial as the objective saw it.
        metric: What the objective returned, or None when the trial failed.
        status: ``completed`` or ``failed``.
        error: Why it failed (exception type and message), else None.
        config: The trial's full config tree (without a schema it also carries ato 2.x's
            ``__num_halved__``, ``__hyperopt_id__`` and ``__metric__``).
        run_id: The tracker's run id, when the search has a tracker.
        seconds: Wall time of the objective.
    """

    trial: Trial
    metric: float | None
    status: str
    error: str | None
    config: ADict
    run_id: int | None = None
    seconds: float = 0.0

    @property
    def params(self) -> Mapping[str, Any]:
        """The values the search chose for this trial."""
        return self.trial.params

    @property
    def ok(self) -> bool:
        """Whether the trial completed with a metric."""
        return self.metric is not None


@dataclass(frozen=True, slots=True)
class SearchResult(Generic[S]):
    """The winner of a search and everything that ran.

    Attributes:
        config: The winning config, as the objective received it (the validated model
            when the scope has a schema, else an ADict).
        metric: The winner's metric.
        params: The winner's searched values.
        best: The winning trial's record.
        logs: Every round's records, best first (failed trials last), in the order the
            rounds ran.
        search_id: The search's id.
    """

    config: S
    metric: float
    params: Mapping[str, Any]
    best: TrialRecord
    logs: list[list[TrialRecord]]
    search_id: str
    trials: list[TrialRecord] = field(default_factory=list)

    @property
    def failed(self) -> list[TrialRecord]:
        """The trials that failed, in the order they ran."""
        return [r for r in self.trials if not r.ok]


class SearchError(RuntimeError):
    """A search that could not produce a winner, or was stopped by a failing trial.

    Attributes:
        result: The best result among the trials that did finish, or None.
        record: The failing trial's record, when a trial stopped the search.
    """

    def __init__(self, message: str, *, result: SearchResult[Any] | None = None,
                 record: TrialRecord | None = None) -> None:
        super().__init__(message)
        self.result = result
        self.record = record


def trial_from(item: Mapping[str, Any] | TrialRecord, search_id: str, index: int, generation: int,
               budget: float | None, bracket: int | None = None) -> Trial:
    """A new trial of fresh ``params``, or the promotion of a finished trial's config."""
    if isinstance(item, TrialRecord):
        previous = item.trial
        return Trial(search_id, index, generation, budget, bracket, previous.params,
                     previous.index, previous.budget)
    return Trial(search_id, index, generation, budget, bracket, item)


def count(value: object, name: str, minimum: int = 1) -> int:
    """``value`` checked to be an integer >= ``minimum`` (a ConfigError naming ``name``)."""
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ConfigError(key=name, expected=f"an integer >= {minimum}", got=value)
    return value


def exact(value: float) -> Fraction:
    """``value`` as the fraction the user meant: 0.3 is 3/10 and 1/3 is 1/3, so that
    ``floor(27 * rate)`` keeps 9, not the 8 that binary rounding would give."""
    return Fraction(value).limit_denominator(10**9)


class GridSpaceMixIn:
    """Grid sampling over search spaces (ato 2.x's API, reusable by any search)."""

    @classmethod
    def prepare_distributions(cls, base_config: Mapping[str, Any], search_spaces: Mapping[str, Any]
                              ) -> list[ADict]:
        """Every combination of the spaces' grids, each a copy of ``base_config``
        with the combination written into it (dotted names make nested keys).

        Raises:
            ConfigError: A malformed space (every problem listed, each naming its parameter).
        """
        base = ADict(base_config)
        configs = []
        for point in grid_points(parse_spaces(search_spaces, need_grid=True)):
            config = base.clone()
            for name, value in point.items():
                config.set_path(name, value)
            configs.append(config)
        return configs


class HyperOpt(Generic[S]):
    """The base of every search: spaces checked at construction, one trial runner.

    Args:
        scope: The scope whose views, schema and command line build each trial's config.
        search_spaces: Parameter name (dotted for nested keys) -> space.
        tracker: An ``SQLLogger``; every trial then becomes a run tagged with the
            search id, the generation and (for Hyperband) the bracket.
        mode: ``'max'`` or ``'min'``: which end of the metric is better.
        metric_key: The name the tracker logs each trial's metric under.
        on_error: ``'continue'`` records a failing trial and goes on; ``'stop'`` ends the
            search with a :class:`SearchError` carrying the result so far.
        progress: Show trials done / total and the best so far on stderr; by default only
            when stderr is a terminal.

    Raises:
        ConfigError: A bad option, a malformed space, or (with a schema) a parameter that
            is not a field or a space whose values the field rejects.
    """

    _needs_grid = False

    def __init__(
        self,
        scope: Scope[S],
        search_spaces: Mapping[str, Any],
        tracker: Any = None,
        mode: str = "max",
        *,
        metric_key: str = "metric",
        on_error: str = "continue",
        progress: bool | None = None,
    ) -> None:
        if mode not in ("max", "min"):
            raise ConfigError(key="mode", expected="'max' or 'min'", got=mode)
        if on_error not in ("continue", "stop"):
            raise ConfigError(key="on_error", expected="'continue' or 'stop'", got=on_error)
        self.scope = scope
        self.spaces: list[Space] = parse_spaces(search_spaces, need_grid=self._needs_grid)
        self.search_spaces = ADict(search_spaces)
        if scope.schema is not None:
            check_schema(self.spaces, scope.schema)
        self.tracker = tracker
        self.mode = mode
        self.metric_key = metric_key
        self.on_error = on_error
        self.progress = progress
        self.config: ADict = scope.config.clone()
        self.search_id = self.get_hyperopt_id()
        if scope.schema is None:
            self.config.__hyperopt_id__ = self.search_id

    def get_hyperopt_id(self) -> str:
        """A new search id."""
        return str(uuid.uuid4())

    def _agree(self, value: T) -> T:
        """The value every process of the search uses (rank 0's, when distributed)."""
        return value

    def _is_root(self) -> bool:
        """Whether this process reports progress (rank 0 of a distributed search)."""
        return True

    def main(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Turn the objective into the search: calling the result runs it."""
        raise NotImplementedError("a search defines main()")

    # -- shared by the built-in searches ----------------------------------------------

    def _rank(self, records: Iterable[TrialRecord]) -> list[TrialRecord]:
        """Best first; equal metrics keep trial order; failed trials last."""
        done = sorted((r for r in records if r.metric is not None), key=lambda r: r.trial.index)
        done.sort(key=lambda r: r.metric, reverse=self.mode == "max")  # type: ignore[arg-type,return-value]
        return done + sorted((r for r in records if r.metric is None), key=lambda r: r.trial.index)

    def _run_round(self, runner: Runner, trials: Sequence[Trial]) -> list[TrialRecord]:
        """Run one round's trials; the distributed search spreads them over ranks."""
        records = []
        for trial in trials:
            record = runner.run(trial)
            records.append(record)
            runner.progress.advance(record)
            if not record.ok and self.on_error == "stop":
                break
        return records

    def _summary(self) -> str:
        return f"search ({type(self).__name__}, mode {self.mode}):\n" + "\n".join(
            f"  {space.name}: {space.kind}" + (
                f" {list(space.categories)!r}" if space.kind == "CATEGORY"
                else f" [{space.low:g}, {space.high:g}]{' log' if space.log else ''}"
            ) for space in self.spaces)

    def _finish(self, runner: Runner, logs: list[list[TrialRecord]]) -> SearchResult[S]:
        """The winner: the best completed trial among those given the most training."""
        runner.progress.close()
        result = self._result(runner, logs)
        if result is None:
            raise SearchError(f"every trial of the search failed; the first: {_first_error(logs)}",
                              record=_first_failure(logs))
        return result

    def _result(self, runner: Runner, logs: list[list[TrialRecord]]) -> SearchResult[S] | None:
        trials = sorted((r for round_ in logs for r in round_), key=lambda r: r.trial.index)
        done = [r for r in trials if r.ok]
        if not done:
            return None
        top = max(_effort(r.trial) for r in done)
        best = self._rank(r for r in done if _effort(r.trial) == top)[0]
        return SearchResult(
            config=runner.received(best), metric=best.metric,  # type: ignore[arg-type]
            params=dict(best.trial.params), best=best, logs=logs, search_id=self.search_id,
            trials=trials,
        )

    def _stopped(self, runner: Runner, logs: list[list[TrialRecord]]) -> None:
        """Raise SearchError when ``on_error='stop'`` and the last round has a failure."""
        if self.on_error != "stop":
            return
        failure = next((r for r in logs[-1] if not r.ok), None) if logs else None
        if failure is None:
            return
        runner.progress.close()
        raise SearchError(
            f"trial {failure.trial.index} failed and on_error='stop' ended the search: {failure.error}",
            result=self._result(runner, logs), record=failure,
        )


def _effort(trial: Trial) -> float:
    """How much training a trial got: its budget, else its generation."""
    return trial.budget if trial.budget is not None else trial.generation


def _first_failure(logs: list[list[TrialRecord]]) -> TrialRecord | None:
    failed = [r for round_ in logs for r in round_ if not r.ok]
    return min(failed, key=lambda r: r.trial.index) if failed else None


def _first_error(logs: list[list[TrialRecord]]) -> str:
    record = _first_failure(logs)
    return f"trial {record.trial.index}: {record.error}" if record is not None else "no trial ran"


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
