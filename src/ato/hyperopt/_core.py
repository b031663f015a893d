"""The base every search shares: spaces checked at construction, ranking, the winner.

Trials run through :class:`~ato.hyperopt._runner.Runner`; a failing trial is recorded as
failed and the search goes on, unless ``on_error='stop'``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ato.adict import ADict
from ato.errors import ConfigError
from ato.hyperopt._records import SearchError, SearchResult, Trial, TrialRecord
from ato.hyperopt._spaces import Space, check_schema, grid_points, parse_spaces

if TYPE_CHECKING:
    from ato.hyperopt._runner import Runner
    from ato.scope import Scope

__all__ = ["GridSpaceMixIn", "HyperOpt"]

S = TypeVar("S")
T = TypeVar("T")


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
        return runner.run_all(trials, report=True)

    def _round(self, runner: Runner, trials: Sequence[Trial], logs: list[list[TrialRecord]]
               ) -> list[TrialRecord]:
        """Run a round, log it ranked best first, and stop the search if it must."""
        ranked = self._rank(self._run_round(runner, trials))
        logs.append(ranked)
        self._stopped(runner, logs)
        return ranked

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
