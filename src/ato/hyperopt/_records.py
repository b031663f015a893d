"""What a search hands around: trials, their records, the result, and its error."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Generic, TypeVar

from ato.adict import ADict
from ato.errors import ConfigError

__all__ = ["SearchError", "SearchResult", "Trial", "TrialRecord", "count", "exact", "trial_from"]

S = TypeVar("S")


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
